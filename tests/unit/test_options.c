/* Command-line flags: the original's short flags, dotted keys, the
 * precedence of the file and the flags, and the errors. */
#include "cli/options.h"

#include "util/error.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define ARGC(a) ((int)(sizeof(a) / sizeof(a[0])))

static char config_path[64];

static int setup_file(void **state)
{
    static const char text[] = "[miner]\ndevice = \"file.pcap\"\n"
                               "[analyzer]\nperiod = \"2s\"\n"
                               "stats = [\"PERF\", \"R_ACK\"]\n"
                               "[spot]\nq = 1e-3\n";
    size_t n;
    int fd;

    (void)state;
    /* mkstemp() replaces the six 'X' that end the template. */
    n = (size_t)snprintf(config_path, sizeof(config_path), "/tmp/netspot-opt");
    memset(config_path + n, 'X', 6);
    config_path[n + 6] = '\0';
    fd = mkstemp(config_path);
    if (fd < 0 || write(fd, text, sizeof(text) - 1) < 0)
        return -1;
    close(fd);
    return 0;
}

static int teardown_file(void **state)
{
    (void)state;
    unlink(config_path);
    return 0;
}

static void test_original_example(void **state)
{
    char *argv[] = {"run",   "-d", "file.pcap", "-s", "PERF",  "-s",
                    "R_SYN", "-s", "R_ARP",     "-p", "500ms", "-v"};
    struct config cfg;

    (void)state;
    assert_int_equal(options_load(ARGC(argv), argv, &cfg), 0);
    assert_string_equal(cfg.miner.device, "file.pcap");
    assert_int_equal(cfg.analyzer.n_stats, 3);
    assert_int_equal(cfg.analyzer.stats[2], STATS_R_ARP);
    assert_int_equal(cfg.analyzer.period_ns, 500000000);
    assert_true(cfg.exporter.console.data);
    config_free(&cfg);
}

static void test_dotted_keys(void **state)
{
    char *argv[] = {"run",
                    "--spot.q",
                    "1e-3",
                    "--spot.R_SYN.q=1e-5",
                    "--exporter.file.alarm",
                    "/tmp/a.json",
                    "--miner.filter",
                    "tcp port 80",
                    "--analyzer.stats",
                    "R_SYN,PERF",
                    "--exporter.console.alarm",
                    "--miner.promiscuous",
                    "false",
                    "--exporter.console.data=false",
                    "-l",
                    "debug",
                    "--exporter.influxdb1.batch_size",
                    "50"};
    struct config cfg;

    (void)state;
    assert_int_equal(options_load(ARGC(argv), argv, &cfg), 0);
    assert_true(cfg.spot.q == 1e-3);
    assert_true(cfg.spot_stat[STATS_R_SYN].q == 1e-5);
    assert_true(cfg.spot_stat[STATS_R_ACK].q == 1e-3);
    assert_string_equal(cfg.exporter.file.alarm, "/tmp/a.json");
    assert_string_equal(cfg.miner.filter, "tcp port 80");
    assert_int_equal(cfg.analyzer.n_stats, 2);
    assert_int_equal(cfg.analyzer.stats[1], STATS_PERF);
    assert_true(cfg.exporter.console.alarm);
    assert_false(cfg.miner.promiscuous);
    assert_false(cfg.exporter.console.data);
    assert_int_equal(cfg.log_level, LOG_DEBUG);
    assert_int_equal(cfg.exporter.influxdb.batch_size, 50);
    config_free(&cfg);
}

/* Flags win over the file whatever their order; a list flag replaces
 * the file's list. */
static void test_file_then_flags(void **state)
{
    char *argv[] = {"run", "-p", "3s", "-s", "R_SYN", "-c", config_path};
    char *plain[] = {"spot", "--config", config_path};
    struct config cfg;

    (void)state;
    assert_int_equal(options_load(ARGC(argv), argv, &cfg), 0);
    assert_string_equal(cfg.miner.device, "file.pcap");
    assert_int_equal(cfg.analyzer.period_ns, 3000000000);
    assert_int_equal(cfg.analyzer.n_stats, 1);
    assert_int_equal(cfg.analyzer.stats[0], STATS_R_SYN);
    config_free(&cfg);

    assert_int_equal(options_load(ARGC(plain), plain, &cfg), 0);
    assert_int_equal(cfg.analyzer.n_stats, 2);
    assert_true(cfg.spot_stat[STATS_TRAFFIC].q == 1e-3);
    config_free(&cfg);
}

struct bad_case {
    const char *args[4];
    int code;
    const char *detail;
};

static void test_errors(void **state)
{
    static const struct bad_case cases[] = {
        {{"-x"}, ERROR_USAGE, "unknown flag '-x'"},
        {{"--spot.qq", "1"}, ERROR_USAGE, "did you mean '--spot.q'?"},
        {{"--miner.devcie=eth0"}, ERROR_USAGE, "'--miner.device'"},
        {{"extra"}, ERROR_USAGE, "unexpected argument 'extra'"},
        {{"-d"}, ERROR_USAGE, "flag '-d' needs a value"},
        {{"-p", "5"}, ERROR_INVALID, "-p: analyzer.period: '5' is not a"},
        {{"-s", "R_SYN", "-s", "R_SYN"}, ERROR_INVALID, "given twice"},
        {{"--miner.snapshot_len", "big"}, ERROR_INVALID, "not an integer"},
        {{"-v=maybe"}, ERROR_INVALID, "-v: 'maybe' is not a boolean"},
        {{"-l", "loud"}, ERROR_INVALID, "-l: 'loud' is not a log level"},
        {{"-c", "/nonexistent.toml"}, ERROR_NOTFOUND, "/nonexistent.toml"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *argv[5] = {"run"};
        int argc = 1;
        struct config cfg;
        int rc;

        while (argc < 5 && cases[i].args[argc - 1] != NULL) {
            argv[argc] = (char *)(uintptr_t)cases[i].args[argc - 1];
            argc++;
        }
        rc = options_load(argc, argv, &cfg);
        config_free(&cfg);
        assert_int_equal(rc, cases[i].code);
        if (strstr(error_detail(), cases[i].detail) == NULL)
            fail_msg("case %zu: '%s' lacks '%s'", i, error_detail(),
                     cases[i].detail);
    }
}

static void test_help(void **state)
{
    char *with[] = {"run", "-d", "eth0", "--help"};
    char *without[] = {"run", "-d", "eth0"};

    (void)state;
    assert_true(options_help_requested(ARGC(with), with));
    assert_false(options_help_requested(ARGC(without), without));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_original_example),
        cmocka_unit_test(test_dotted_keys),
        cmocka_unit_test_setup_teardown(test_file_then_flags, setup_file,
                                        teardown_file),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_help),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

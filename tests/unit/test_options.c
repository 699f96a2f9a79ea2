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
        {{"-p", "5"}, ERROR_USAGE, "-p: analyzer.period: '5' is not a"},
        {{"-p", "1ns"}, ERROR_USAGE, "'1ns' is shorter than 1ms"},
        {{"-s", "R_SYN", "-s", "R_SYN"}, ERROR_USAGE, "given twice"},
        {{"-s", "perf"}, ERROR_USAGE, "(did you mean 'PERF'?)"},
        {{"--miner.snapshot_len", "big"}, ERROR_USAGE, "not an integer"},
        {{"--miner.workers", "65"}, ERROR_USAGE, "65 is more than 64"},
        {{"--miner.buffer_size=4000"}, ERROR_USAGE, "more than 2047"},
        {{"--spot.q", "0x10"}, ERROR_USAGE, "'0x10' is not a number"},
        {{"--spot.q", "1e-400"}, ERROR_USAGE, "'1e-400' is too small"},
        {{"-v=maybe"}, ERROR_USAGE, "-v: 'maybe' is not a boolean"},
        {{"-l", "loud"}, ERROR_USAGE, "-l: 'loud' is not a log level"},
        {{"-l", "8"}, ERROR_USAGE, "-l: '8' is not a log level"},
        {{"-l", "100"}, ERROR_USAGE, "-l: '100' is not a log level"},
        {{"-l", "-2"}, ERROR_USAGE, "-l: '-2' is not a log level"},
        {{"-l", " 1"}, ERROR_USAGE, "-l: ' 1' is not a log level"},
        {{"-vd"}, ERROR_USAGE, "'-vd' (one-letter flags do not combine"},
        {{"-d", "a", "--miner.device", "b"},
         ERROR_USAGE,
         "'-d' and '--miner.device' both set miner.device"},
        {{"-v", "--exporter.console.data=false"},
         ERROR_USAGE,
         "both set exporter.console.data"},
        {{"--spot.q", "0.5"}, ERROR_USAGE, "--spot.q: spot.q: 0.5 is outside"},
        {{"--spot.R_SYN.n_init", "100"},
         ERROR_USAGE,
         "--spot.R_SYN.n_init: spot.R_SYN.n_init: 100 values"},
        {{"-c", "/nonexistent.toml"}, ERROR_NOTFOUND, "/nonexistent.toml"},
        {{"-config", "/nonexistent.toml"}, ERROR_NOTFOUND, "/nonexistent"},
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

/* The original read flags with Go's flag package: one dash or two, a
 * single letter being a short flag and more a long name. */
static void test_go_spellings(void **state)
{
    char *argv[] = {"run",          "-config",    config_path,
                    "-log-level",   "2",          "-miner.device",
                    "x.pcap",       "--p",        "3s",
                    "-spot.q=1e-3", "--s=PERF",   "-exporter.console.alarm",
                    "--f",          "/tmp/d.json"};
    struct config cfg;

    (void)state;
    if (options_load(ARGC(argv), argv, &cfg) < 0)
        fail_msg("%s", error_detail());
    assert_int_equal(cfg.log_level, LOG_WARN);
    assert_string_equal(cfg.miner.device, "x.pcap");
    assert_int_equal(cfg.analyzer.period_ns, 3000000000);
    assert_true(cfg.spot.q == 1e-3);
    assert_int_equal(cfg.analyzer.n_stats, 1);
    assert_int_equal(cfg.analyzer.stats[0], STATS_PERF);
    assert_true(cfg.exporter.console.alarm);
    assert_string_equal(cfg.exporter.file.data, "/tmp/d.json");
    config_free(&cfg);
}

/* A bad value in the file keeps the file's code (exit status 1), even
 * when the other flags are fine. */
static void test_file_value_is_not_usage(void **state)
{
    static const char text[] = "[spot.R_SYN]\nq = 0.5\n";
    char path[64];
    char *argv[] = {"run", "-c", path, "-s", "PERF"};
    struct config cfg;
    size_t n;
    int fd;

    (void)state;
    n = (size_t)snprintf(path, sizeof(path), "/tmp/netspot-opt");
    memset(path + n, 'X', 6);
    path[n + 6] = '\0';
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_true(write(fd, text, sizeof(text) - 1) > 0);
    close(fd);
    assert_int_equal(options_load(ARGC(argv), argv, &cfg), ERROR_INVALID);
    assert_non_null(strstr(error_detail(), ":2: spot.R_SYN.q: 0.5 is"));
    config_free(&cfg);
    unlink(path);
}

static void test_help(void **state)
{
    char *with[] = {"run", "-d", "eth0", "--help"};
    char *go[] = {"run", "-help"};
    char *letter[] = {"run", "--h"};
    char *without[] = {"run", "-d", "eth0"};

    (void)state;
    assert_true(options_help_requested(ARGC(with), with));
    assert_true(options_help_requested(ARGC(go), go));
    assert_true(options_help_requested(ARGC(letter), letter));
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
        cmocka_unit_test_setup_teardown(test_go_spellings, setup_file,
                                        teardown_file),
        cmocka_unit_test(test_file_value_is_not_usage),
        cmocka_unit_test(test_help),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

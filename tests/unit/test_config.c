/* The configuration model: defaults, TOML loading, checks, printing. */
#include "config/config.h"

#include "util/error.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Loads text over the defaults; returns the code of load + finish. */
static int load(struct config *cfg, const char *text)
{
    int rc = config_init(cfg);

    if (rc == 0)
        rc = config_load_buffer(cfg, text, strlen(text), "t.toml");
    if (rc == 0)
        rc = config_finish(cfg);
    return rc;
}

static void load_bad(const char *text, int code, const char *detail)
{
    struct config cfg;
    int rc = load(&cfg, text);

    config_free(&cfg);
    assert_int_equal(rc, code);
    if (strstr(error_detail(), detail) == NULL)
        fail_msg("detail '%s' lacks '%s'", error_detail(), detail);
}

/* The configuration as TOML text, to compare two of them. */
static char *print(const struct config *cfg, bool comments)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    assert_non_null(f);
    assert_int_equal(config_print(cfg, f, comments), 0);
    fclose(f);
    return text;
}

static void test_defaults(void **state)
{
    struct config cfg;

    (void)state;
    assert_int_equal(config_init(&cfg), 0);
    assert_string_equal(cfg.api_endpoint, "tcp://localhost:11000");
    assert_string_equal(cfg.miner.device, "any");
    assert_true(cfg.miner.promiscuous);
    assert_int_equal(cfg.miner.snapshot_len, 65535);
    assert_int_equal(cfg.miner.timeout_ns, 0);
    assert_null(cfg.miner.filter);
    assert_string_equal(cfg.miner.reader, "auto");
    assert_int_equal(cfg.analyzer.period_ns, 1000000000);
    assert_int_equal(cfg.analyzer.n_stats, 0);
    assert_null(cfg.analyzer.detector_state);
    assert_true(cfg.spot.q == 1e-4);
    assert_int_equal(cfg.spot.n_init, 1000);
    assert_int_equal(cfg.spot.depth, 50);
    assert_false(cfg.exporter.console.data);
    assert_null(cfg.exporter.file.data);
    assert_string_equal(cfg.exporter.socket.format, "json");
    assert_int_equal(cfg.exporter.influxdb.batch_size, 10);
    assert_string_equal(cfg.exporter.websocket.endpoint, "localhost:11001");
    config_free(&cfg);
    config_free(&cfg); /* a zeroed struct is a no-op */
}

/* `netspot defaults` must read back to the built-in configuration, even
 * over a configuration where every kind of key was changed. */
static void test_defaults_round_trip(void **state)
{
    struct config defaults, cfg;
    char *file, *want, *got;

    (void)state;
    assert_int_equal(config_init(&defaults), 0);
    file = print(&defaults, true);
    assert_int_equal(config_init(&cfg), 0);
    assert_int_equal(config_set(&cfg, "analyzer.period", "5s", "t"), 0);
    assert_int_equal(config_set(&cfg, "analyzer.stats", "PERF", "t"), 0);
    assert_int_equal(config_set(&cfg, "spot.q", "0.001", "t"), 0);
    assert_int_equal(config_set(&cfg, "miner.filter", "tcp", "t"), 0);
    assert_int_equal(config_set(&cfg, "exporter.file.data", "/a", "t"), 0);
    assert_int_equal(config_set(&cfg, "spot.up", "false", "t"), 0);
    assert_int_equal(config_load_buffer(&cfg, file, strlen(file), "d.toml"), 0);
    assert_int_equal(config_finish(&cfg), 0);
    want = print(&defaults, false);
    got = print(&cfg, false);
    assert_string_equal(got, want);
    free(file);
    free(want);
    free(got);
    config_free(&defaults);
    config_free(&cfg);
}

static void test_example_file(void **state)
{
    const char *src = getenv("NETSPOT_SOURCE_DIR");
    char path[4096];
    struct config cfg;

    (void)state;
    snprintf(path, sizeof(path), "%s/examples/netspot.toml",
             src != NULL ? src : ".");
    assert_int_equal(config_init(&cfg), 0);
    if (config_load_file(&cfg, path) < 0)
        fail_msg("%s", error_detail());
    assert_int_equal(config_finish(&cfg), 0);
    assert_string_equal(cfg.miner.device, "eth0");
    assert_int_equal(cfg.analyzer.n_stats, 3);
    assert_int_equal(cfg.analyzer.stats[1], STATS_R_SYN);
    assert_true(cfg.exporter.console.alarm);
    assert_string_equal(cfg.exporter.socket.alarm,
                        "unix:///tmp/netspot_alarm.socket");
    assert_true(cfg.spot_stat[STATS_R_SYN].q == 1e-5);
    assert_true(cfg.spot_stat[STATS_R_ACK].q == 1e-4);
    config_free(&cfg);
}

static void test_spot_overrides(void **state)
{
    struct config cfg;

    (void)state;
    /* The override holds whatever the order of the sections. */
    assert_int_equal(load(&cfg, "[spot.R_SYN]\nlevel = 0.9\n"
                                "[spot]\nq = 1e-3\ndepth = 10\n"),
                     0);
    assert_true(cfg.spot_stat[STATS_R_SYN].level == 0.9);
    assert_true(cfg.spot_stat[STATS_R_SYN].q == 1e-3);
    assert_int_equal(cfg.spot_stat[STATS_R_SYN].depth, 10);
    assert_true(cfg.spot_stat[STATS_PERF].level == 0.98);
    assert_int_equal(cfg.spot_stat_set[STATS_R_SYN], CONFIG_SPOT_LEVEL);
    config_free(&cfg);
}

static void test_alias_and_paths(void **state)
{
    struct config cfg;

    (void)state;
    setenv("HOME", "/home/op", 1);
    assert_int_equal(load(&cfg, "[exporter.influxdb1]\ndata = true\n"
                                "database = \"db\"\n"
                                "[miner]\ndevice = \"~/f.pcap\"\n"
                                "[exporter.file]\n"
                                "alarm = \"$HOME/a_%s.json\"\n"),
                     0);
    assert_true(cfg.exporter.influxdb.data);
    assert_string_equal(cfg.exporter.influxdb.database, "db");
    assert_string_equal(cfg.miner.device, "/home/op/f.pcap");
    assert_string_equal(cfg.exporter.file.alarm, "/home/op/a_%s.json");
    config_free(&cfg);
}

static void test_bad_files(void **state)
{
    (void)state;
    load_bad("[analyzer]\nperoid = \"1s\"\n", ERROR_NOTFOUND,
             "t.toml:2: unknown key 'analyzer.peroid' (did you mean "
             "'analyzer.period'?)");
    load_bad("[spot.R_SYM]\nq = 1e-5\n", ERROR_NOTFOUND,
             "did you mean 'spot.R_SYN.q'?");
    load_bad("[analyzer]\nperiod = 1\n", ERROR_INVALID,
             "t.toml:2: analyzer.period: a duration needs a unit");
    load_bad("[analyzer]\nperiod = \"0s\"\n", ERROR_INVALID,
             "must be longer than 0s");
    load_bad("[analyzer]\nstats = \"R_SYN\"\n", ERROR_INVALID,
             "expected a list of statistic names, got a string");
    load_bad("[analyzer]\nstats = [\"R_SYN\", \"R_SYN\"]\n", ERROR_INVALID,
             "statistic R_SYN given twice");
    load_bad("[analyzer]\nstats = [\"R_SYNN\"]\n", ERROR_INVALID,
             "unknown statistic 'R_SYNN' (did you mean 'R_SYN'?)");
    load_bad("[miner]\nsnapshot_len = 0\n", ERROR_INVALID,
             "miner.snapshot_len: must be greater than 0");
    load_bad("[miner]\npromiscuous = \"yes\"\n", ERROR_INVALID,
             "expected a boolean (true or false), got a string");
    load_bad("[miner]\nreader = \"fast\"\n", ERROR_INVALID,
             "'fast' is not one of auto|native|libpcap");
    load_bad("[exporter.socket]\nformat = \"gob\"\n", ERROR_INVALID,
             "'gob' is not one of json|csv");
    load_bad("[exporter.socket]\ndata = \"/tmp/s\"\n", ERROR_INVALID,
             "is not proto://address");
    load_bad("[nothing]\n", ERROR_NOTFOUND, "unknown section [nothing]");
    load_bad("miner = 3\n", ERROR_INVALID,
             "t.toml:1: 'miner' is a table: write its keys under a [miner]");
    load_bad("[spot.R_SYNN]\n", ERROR_NOTFOUND,
             "t.toml:1: unknown section [spot.R_SYNN] (did you mean "
             "[spot.R_SYN]?)");
    load_bad("[minr]\n", ERROR_NOTFOUND, "(did you mean [miner]?)");
    load_bad("[spot.r_syn]\nq = 1e-5\n", ERROR_NOTFOUND,
             "t.toml:2: unknown key 'spot.r_syn.q' (did you mean "
             "'spot.R_SYN.q'?)");
    load_bad("[analyzer]\nstats = [\n  \"PERF\",\n  \"R_SYNN\",\n]\n",
             ERROR_INVALID, "t.toml:4: analyzer.stats: unknown statistic");
    load_bad("[analyzer]\nstats = [\"perf\"]\n", ERROR_INVALID,
             "(did you mean 'PERF'?)");
    load_bad("[miner]\nworkers = 65\n", ERROR_INVALID,
             "t.toml:2: miner.workers: 65 is more than 64");
    load_bad("[miner]\nbuffer_size = 2048\n", ERROR_INVALID,
             "t.toml:2: miner.buffer_size: 2048 is more than 2047");
    load_bad("[analyzer]\nperiod = \"999us\"\n", ERROR_INVALID,
             "t.toml:2: analyzer.period: '999us' is shorter than 1ms");
    load_bad("[miner]\ndevice = \"\"\n", ERROR_INVALID, "may not be empty");
    load_bad("[miner\n", ERROR_FORMAT, "t.toml:1:7: expected ']'");
    load_bad("[miner]\ndevice = \"a\\u0000b\"\n", ERROR_INVALID,
             "miner.device: contains a NUL character");
    load_bad("[miner]\n\"device\\u0000\" = \"a\"\n", ERROR_NOTFOUND,
             "t.toml:2: unknown key");
}

/* A detector parameter refused by the checks that tie the keys together
 * is named as on the command line, with the place it was set. */
static void test_spot_origins(void **state)
{
    struct config cfg;

    (void)state;
    load_bad("[spot.R_SYN]\n\nq = 0.5\n", ERROR_INVALID,
             "t.toml:3: spot.R_SYN.q: 0.5 is outside (0, 1 - level)");
    load_bad("[spot]\nn_init = 100\n", ERROR_INVALID,
             "t.toml:2: spot.n_init: 100 values at level 0.98");
    load_bad("spot.depth = -1\n", ERROR_INVALID,
             "t.toml:1: spot.depth: -1 is outside [0, ");
    load_bad("[spot]\nlevel = 0.99999\n", ERROR_INVALID,
             "t.toml:2: spot.q: 0.0001 is outside (0, 1 - level) = (0, "
             "1e-05) (spot.q keeps its default; spot.level is set here)");
    assert_int_equal(load(&cfg, "[spot.PERF]\nq = 0.5\n"), ERROR_INVALID);
    assert_false(cfg.invalid_from_text);
    config_free(&cfg);

    /* The command line wins over the file, and is the one named. */
    assert_int_equal(config_init(&cfg), 0);
    assert_int_equal(
        config_load_buffer(&cfg, "[spot.R_SYN]\nq = 1e-5\n", 21, "t.toml"), 0);
    assert_int_equal(config_set(&cfg, "spot.R_SYN.q", "0.5", "--spot.R_SYN.q"),
                     0);
    assert_int_equal(config_finish(&cfg), ERROR_INVALID);
    assert_true(cfg.invalid_from_text);
    assert_non_null(strstr(error_detail(), "--spot.R_SYN.q: spot.R_SYN.q: "
                                           "0.5 is outside"));
    config_free(&cfg);
}

struct text_case {
    const char *key;
    const char *text;
    const char *detail; /* NULL when the text is accepted */
};

/* Numbers on the command line are plain decimals: no spaces, no
 * hexadecimal, nothing that rounds to zero or infinity. */
static void test_set_numbers(void **state)
{
    static const struct text_case cases[] = {
        {"spot.q", "1e-3", NULL},
        {"spot.q", ".5e-3", NULL},
        {"spot.q", "0x10", "'0x10' is not a number"},
        {"spot.q", " 1e-3", "' 1e-3' is not a number"},
        {"spot.q", "1e-3 ", "is not a number"},
        {"spot.q", "inf", "'inf' is not a number"},
        {"spot.q", "nan", "'nan' is not a number"},
        {"spot.q", "1e", "'1e' is not a number"},
        {"spot.q", "1e-400", "'1e-400' is too small"},
        {"spot.q", "1e400", "'1e400' is too large"},
        {"spot.depth", "-3", NULL},
        {"spot.depth", "+3", NULL},
        {"spot.depth", " 3", "' 3' is not an integer"},
        {"spot.depth", "0x10", "'0x10' is not an integer"},
        {"spot.depth", "1.5", "'1.5' is not an integer"},
        {"spot.depth", "99999999999999999999", "64-bit integer range"},
        {"miner.workers", "64", NULL},
        {"miner.workers", "65", "t: miner.workers: 65 is more than 64"},
        {"miner.buffer_size", "2047", NULL},
        {"miner.buffer_size", "4000", "4000 is more than 2047"},
        {"analyzer.period", "1ms", NULL},
        {"analyzer.period", "1ns", "'1ns' is shorter than 1ms"},
    };
    struct config cfg;

    (void)state;
    assert_int_equal(config_init(&cfg), 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = config_set(&cfg, cases[i].key, cases[i].text, "t");

        if (cases[i].detail == NULL && rc != 0)
            fail_msg("%s '%s': %s", cases[i].key, cases[i].text,
                     error_detail());
        if (cases[i].detail != NULL &&
            (rc != ERROR_INVALID ||
             strstr(error_detail(), cases[i].detail) == NULL))
            fail_msg("%s '%s': %d '%s' lacks '%s'", cases[i].key, cases[i].text,
                     rc, rc ? error_detail() : "", cases[i].detail);
    }
    config_free(&cfg);
}

/* Without HOME, "~" is the home directory of the user database. */
static void test_home_fallback(void **state)
{
    char *saved = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    char *path;

    (void)state;
    unsetenv("HOME");
    path = config_expand_path("~/f.pcap");
    if (path != NULL) {
        assert_true(path[0] == '/');
        assert_non_null(strstr(path, "/f.pcap"));
    } else {
        assert_non_null(strstr(error_detail(), "no home directory"));
    }
    free(path);
    if (saved != NULL)
        setenv("HOME", saved, 1);
    free(saved);
}

struct duration_case {
    const char *text;
    int64_t ns;
    const char *printed;
};

static void test_durations(void **state)
{
    static const struct duration_case cases[] = {
        {"0", 0, "0s"},
        {"0s", 0, "0s"},
        {"500ms", 500000000, "500ms"},
        {"1.5s", 1500000000, "1.5s"},
        {"1m30s", 90000000000, "1m30s"},
        {"2h", 7200000000000, "2h0m0s"},
        {"100us", 100000, "100us"},
        {"100\xc2\xb5s", 100000, "100us"},
        {"42ns", 42, "42ns"},
        {"1h1ms", 3600001000000, "1h0m0.001s"},
        /* Go's longest duration, and the same with more digits. */
        {"2562047h47m16.854775807s", INT64_MAX, "2562047h47m16.854775807s"},
        {"2562047h", 9223369200000000000, "2562047h0m0s"},
        {"1.0000000000000000000001s", 1000000000, "1s"},
    };
    static const char *const bad[] = {"",
                                      "1",
                                      "5 s",
                                      "s",
                                      "1x",
                                      "1.s.",
                                      "2562047h47m16.854775808s",
                                      "2562048h",
                                      "99999999999999999999ns",
                                      "-"};
    char buf[64];
    int64_t ns;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(config_parse_duration(cases[i].text, &ns), 0);
        assert_int_equal(ns, cases[i].ns);
        config_format_duration(ns, buf, sizeof(buf));
        assert_string_equal(buf, cases[i].printed);
        assert_int_equal(config_parse_duration(buf, &ns), 0);
        assert_int_equal(ns, cases[i].ns);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(config_parse_duration(bad[i], &ns), ERROR_INVALID);
    assert_non_null(strstr(error_detail(), "'-' is not a duration"));
}

static void test_keys(void **state)
{
    struct config_key_info info;
    struct config cfg;
    char buf[256];

    (void)state;
    assert_true(config_key_count() >= 40);
    config_key_describe(0, &info);
    assert_string_equal(info.name, "api.endpoint");
    assert_int_equal(config_key_type("spot.R_SYN.q"), CONFIG_FLOAT);
    assert_int_equal(config_key_type("exporter.influxdb1.data"), CONFIG_BOOL);
    assert_int_equal(config_key_type("miner.devcie"), ERROR_NOTFOUND);
    assert_int_equal(config_init(&cfg), 0);
    assert_int_equal(
        config_format_value(&cfg, "analyzer.period", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "\"1s\"");
    assert_int_equal(config_set(&cfg, "miner.filter", "a \"b\"\\", "t"), 0);
    assert_int_equal(
        config_format_value(&cfg, "miner.filter", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "\"a \\\"b\\\"\\\\\"");
    assert_int_equal(config_format_value(&cfg, "miner.filter", buf, 8),
                     ERROR_LIMIT);
    assert_int_equal(config_set(&cfg, "miner.filter", "\x01", "t"), 0);
    assert_int_equal(
        config_format_value(&cfg, "miner.filter", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "\"\\u0001\"");
    config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_defaults_round_trip),
        cmocka_unit_test(test_example_file),
        cmocka_unit_test(test_spot_overrides),
        cmocka_unit_test(test_alias_and_paths),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_spot_origins),
        cmocka_unit_test(test_set_numbers),
        cmocka_unit_test(test_home_fallback),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_keys),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

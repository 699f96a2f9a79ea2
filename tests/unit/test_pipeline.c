/* The period clock of capture files, through the whole pipeline: a grid
 * from the first packet, empty periods, the final partial period, late
 * packets, and a jump of the capture clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config/config.h"
#include "pipeline/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PERIODS 64
#define SEC         1000000000LL

struct seen {
    size_t n;
    int64_t time[MAX_PERIODS];
    uint64_t pkts[MAX_PERIODS];
    uint64_t syn[MAX_PERIODS];
};

static void on_period(void *ctx, int64_t time_ns,
                      const struct counters_values *v)
{
    struct seen *s = ctx;

    if (s->n < MAX_PERIODS) {
        s->time[s->n] = time_ns;
        s->pkts[s->n] = v->v[COUNTERS_PKTS];
        s->syn[s->n] = v->v[COUNTERS_SYN];
        s->n++;
    }
}

/* Writes a pcap of TCP SYNs (raw IPv4 link) at the given times (ns). */
static void write_capture(const char *path, const int64_t *ts, size_t n)
{
    static const uint8_t syn[40] = {
        0x45, 0, 0, 40, 0,  0, 0, 0, 64,   6,    0,    0,
        10,   0, 0, 1,  10, 0, 0, 2, 0x30, 0x39, 0,    80,
        0,    0, 0, 1,  0,  0, 0, 0, 0x50, 0x02, 0xff, 0xff};
    uint32_t hdr[6] = {0xa1b23c4d, 0x00040002, 0, 0, 65535, 101};
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    fwrite(hdr, sizeof(hdr), 1, f);
    for (size_t i = 0; i < n; i++) {
        uint32_t rec[4] = {(uint32_t)(ts[i] / SEC), (uint32_t)(ts[i] % SEC),
                           sizeof(syn), sizeof(syn)};

        fwrite(rec, sizeof(rec), 1, f);
        fwrite(syn, sizeof(syn), 1, f);
    }
    fclose(f);
}

static void run(const int64_t *ts, size_t n, int64_t period, struct seen *seen)
{
    char path[] = "/tmp/netspot-test-pipeline-XXXXXX";
    struct pipeline_hooks hooks = {on_period, seen};
    struct pipeline_summary sum;
    struct config cfg;
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    close(fd);
    write_capture(path, ts, n);
    assert_int_equal(config_init(&cfg), 0);
    free(cfg.miner.device);
    cfg.miner.device = strdup(path);
    cfg.analyzer.period_ns = period;
    cfg.analyzer.n_stats = 1;
    cfg.analyzer.stats[0] = STATS_R_SYN;
    memset(seen, 0, sizeof(*seen));
    log_set_level(LOG_ERROR);
    assert_int_equal(pipeline_run(&cfg, &hooks, &sum), 0);
    assert_int_equal(sum.packets, n);
    assert_int_equal(sum.periods, seen->n);
    config_free(&cfg);
    unlink(path);
}

static void test_grid_and_empty_periods(void **state)
{
    const int64_t t0 = 1700000000 * SEC + 123456789;
    const int64_t ts[] = {t0, t0 + SEC / 2, t0 + 3 * SEC + 200000000};
    struct seen s;

    (void)state;
    run(ts, 3, SEC, &s);
    assert_int_equal(s.n, 4);
    for (size_t i = 0; i < s.n; i++)
        assert_int_equal(s.time[i], t0 + (int64_t)(i + 1) * SEC);
    assert_int_equal(s.pkts[0], 2);
    assert_int_equal(s.pkts[1], 0);
    assert_int_equal(s.pkts[2], 0);
    /* The final, partial period is flushed. */
    assert_int_equal(s.pkts[3], 1);
    assert_int_equal(s.syn[3], 1);
}

/* A packet exactly on a boundary opens the next period. */
static void test_boundary(void **state)
{
    const int64_t t0 = 1700000000 * SEC;
    const int64_t ts[] = {t0, t0 + SEC - 1, t0 + SEC};
    struct seen s;

    (void)state;
    run(ts, 3, SEC, &s);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.pkts[0], 2);
    assert_int_equal(s.pkts[1], 1);
}

/* A packet older than the current period counts in the current one. */
static void test_late_packet(void **state)
{
    const int64_t t0 = 1700000000 * SEC;
    const int64_t ts[] = {t0, t0 + 2 * SEC + 5, t0 + SEC / 2};
    struct seen s;

    (void)state;
    run(ts, 3, SEC, &s);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.pkts[0], 1);
    assert_int_equal(s.pkts[1], 0);
    assert_int_equal(s.pkts[2], 2);
}

/* A jump far beyond PIPELINE_MAX_GAP_PERIODS restarts the grid. */
static void test_clock_jump(void **state)
{
    const int64_t t0 = 1700000000 * SEC;
    const int64_t jump = t0 + (PIPELINE_MAX_GAP_PERIODS + 10) * SEC + 7;
    const int64_t ts[] = {t0, jump, jump + SEC / 2};
    struct seen s;

    (void)state;
    run(ts, 3, SEC, &s);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.pkts[0], 1);
    assert_int_equal(s.time[1], jump + SEC);
    assert_int_equal(s.pkts[1], 2);
}

static void test_series_name(void **state)
{
    char buf[64];

    (void)state;
    pipeline_series_name("/data/wifi.pcap", buf, sizeof(buf));
    assert_string_equal(buf, "wifi");
    pipeline_series_name("capture.v2.pcapng", buf, sizeof(buf));
    assert_string_equal(buf, "capture.v2");
    pipeline_series_name("eth0", buf, sizeof(buf));
    assert_string_equal(buf, "eth0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_and_empty_periods),
        cmocka_unit_test(test_boundary),
        cmocka_unit_test(test_late_packet),
        cmocka_unit_test(test_clock_jump),
        cmocka_unit_test(test_series_name),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Statistics: the original's formulas and edge cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stats/stats.h"

#include <math.h>
#include <string.h>

static double compute(enum stats_id id, enum counters_id num, uint64_t n,
                      enum counters_id den, uint64_t d)
{
    struct counters_values c;
    struct stats_state st = {0};

    memset(&c, 0, sizeof(c));
    c.v[num] = n;
    c.v[den] = d;
    return stats_compute(id, &c, 1000000000, &st);
}

static void test_ratios(void **state)
{
    (void)state;
    assert_float_equal(compute(STATS_R_ARP, COUNTERS_ARP, 2, COUNTERS_PKTS, 5),
                       0.4, 1e-12);
    assert_float_equal(compute(STATS_R_ARP, COUNTERS_ARP, 0, COUNTERS_PKTS, 5),
                       0.0, 0);
    assert_true(isnan(compute(STATS_R_ARP, COUNTERS_ARP, 7, COUNTERS_PKTS, 0)));
    /* R_SYN and R_ACK are never NaN. */
    assert_float_equal(compute(STATS_R_SYN, COUNTERS_SYN, 7, COUNTERS_IP, 0),
                       0.0, 0);
    assert_float_equal(compute(STATS_R_ACK, COUNTERS_ACK, 7, COUNTERS_IP, 0),
                       0.0, 0);
    assert_float_equal(
        compute(STATS_AVG_PKT_SIZE, COUNTERS_IP_BYTES, 391, COUNTERS_IP, 5),
        78.2, 1e-12);
    assert_float_equal(compute(STATS_R_DST_SRC, COUNTERS_NB_UNIQ_DST_ADDR, 3,
                               COUNTERS_NB_UNIQ_SRC_ADDR, 2),
                       1.5, 0);
}

static void test_traffic_is_per_second(void **state)
{
    struct counters_values c;
    struct stats_state st = {0};

    (void)state;
    memset(&c, 0, sizeof(c));
    c.v[COUNTERS_IP] = 25;
    assert_float_equal(stats_compute(STATS_TRAFFIC, &c, 500000000, &st), 50.0,
                       1e-12);
}

static void test_perf(void **state)
{
    struct counters_values c;
    struct stats_state st = {0};

    (void)state;
    memset(&c, 0, sizeof(c));
    c.v[COUNTERS_PKTS] = 17;
    c.v[COUNTERS_REAL_TIME] = 1000000000;
    assert_true(isnan(stats_compute(STATS_PERF, &c, 1, &st)));
    stats_state_advance(&st, &c);
    c.v[COUNTERS_REAL_TIME] = 1100000000;
    assert_float_equal(stats_compute(STATS_PERF, &c, 1, &st), 170.0, 1e-9);
    assert_false(stats_monitored(STATS_PERF));
}

static void test_names(void **state)
{
    (void)state;
    assert_int_equal(stats_lookup("R_SYN"), STATS_R_SYN);
    assert_int_equal(stats_lookup("WTF"), -1);
    for (int i = 1; i < STATS_COUNT; i++)
        assert_true(strcmp(stats_name((enum stats_id)(i - 1)),
                           stats_name((enum stats_id)i)) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ratios),
        cmocka_unit_test(test_traffic_is_per_second),
        cmocka_unit_test(test_perf),
        cmocka_unit_test(test_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

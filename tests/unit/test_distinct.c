/* Distinct counting: exact below its capacity, close above it, and the
 * same whatever the order and the split of the keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stats/distinct.h"

#include <stdlib.h>
#include <string.h>

static uint64_t key_hash(uint32_t i)
{
    uint8_t addr[4];

    memcpy(addr, &i, 4);
    return distinct_hash_addr(addr, 4);
}

static void test_exact_small(void **state)
{
    struct distinct d;

    (void)state;
    assert_int_equal(distinct_init(&d), 0);
    for (uint32_t i = 0; i < 1000; i++) {
        distinct_add(&d, key_hash(i));
        distinct_add(&d, key_hash(i)); /* duplicates count once */
    }
    assert_int_equal(distinct_count(&d), 1000);
    distinct_reset(&d);
    assert_int_equal(distinct_count(&d), 0);
    distinct_free(&d);
}

static void test_ipv4_and_ipv6_differ(void **state)
{
    uint8_t v6[16] = {0};

    (void)state;
    assert_int_not_equal(distinct_hash_addr(v6, 4), distinct_hash_addr(v6, 16));
}

static void test_estimate_beyond_capacity(void **state)
{
    struct distinct d;
    const uint32_t n = 1000000;
    double ratio;

    (void)state;
    assert_int_equal(distinct_init(&d), 0);
    for (uint32_t i = 0; i < n; i++)
        distinct_add(&d, key_hash(i));
    ratio = (double)distinct_count(&d) / n;
    assert_true(d.level > 0);
    assert_true(ratio > 0.98 && ratio < 1.02);
    distinct_free(&d);
}

/* Two workers' sets merge into exactly the set one worker would hold. */
static void test_merge_equals_single(void **state)
{
    struct distinct one, a, b;

    (void)state;
    assert_int_equal(distinct_init(&one), 0);
    assert_int_equal(distinct_init(&a), 0);
    assert_int_equal(distinct_init(&b), 0);
    for (uint32_t i = 0; i < 300000; i++) {
        distinct_add(&one, key_hash(i));
        distinct_add(i % 3 ? &a : &b, key_hash(i));
        if (i % 7 == 0)
            distinct_add(&b, key_hash(i));
    }
    distinct_merge(&a, &b);
    assert_int_equal(distinct_count(&a), distinct_count(&one));
    assert_int_equal(a.level, one.level);
    distinct_free(&one);
    distinct_free(&a);
    distinct_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_small),
        cmocka_unit_test(test_ipv4_and_ipv6_differ),
        cmocka_unit_test(test_estimate_beyond_capacity),
        cmocka_unit_test(test_merge_equals_single),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

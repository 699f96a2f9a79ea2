/* Counters: what each decoded packet adds, and merging workers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stats/counters.h"

#include <string.h>

static const uint8_t addr_a[4] = {10, 0, 0, 1};
static const uint8_t addr_b[4] = {10, 0, 0, 2};
static const uint8_t addr_v6[16] = {0x20, 0x01, 0x0d, 0xb8};

static struct decode_result tcp(const uint8_t *src, const uint8_t *dst,
                                uint8_t len, uint16_t sport, uint8_t flags)
{
    struct decode_result r = {.flags = (len == 4 ? DECODE_IPV4 : DECODE_IPV6) |
                                       DECODE_TCP,
                              .ip_len = 40,
                              .src = src,
                              .dst = dst,
                              .addr_len = len,
                              .tcp_flags = flags,
                              .sport = sport,
                              .dport = 80};

    return r;
}

static void test_counts(void **state)
{
    struct counters c;
    struct counters_values v;
    struct decode_result r;
    struct decode_result arp = {.flags = DECODE_ARP};
    struct decode_result other = {.flags = 0};

    (void)state;
    assert_int_equal(counters_init(&c), 0);
    r = tcp(addr_a, addr_b, 4, 1000, DECODE_TCP_SYN | DECODE_TCP_ACK);
    counters_add(&c, &r, 5);
    r = tcp(addr_v6, addr_v6, 16, 1001, DECODE_TCP_FIN | DECODE_TCP_ACK);
    counters_add(&c, &r, 7);
    counters_add(&c, &arp, 6);
    counters_add(&c, &other, 3);
    counters_read(&c, &v);
    assert_int_equal(v.v[COUNTERS_PKTS], 4);
    assert_int_equal(v.v[COUNTERS_IP], 2);
    assert_int_equal(v.v[COUNTERS_IP_BYTES], 80);
    assert_int_equal(v.v[COUNTERS_SYN], 1);
    assert_int_equal(v.v[COUNTERS_ACK], 2);
    assert_int_equal(v.v[COUNTERS_FIN], 1);
    assert_int_equal(v.v[COUNTERS_ARP], 1);
    assert_int_equal(v.v[COUNTERS_NB_UNIQ_SRC_ADDR], 2);
    assert_int_equal(v.v[COUNTERS_NB_UNIQ_DST_ADDR], 2);
    assert_int_equal(v.v[COUNTERS_NB_UNIQ_SRC_PORT], 2);
    assert_int_equal(v.v[COUNTERS_NB_UNIQ_DST_PORT], 1);
    assert_int_equal(v.v[COUNTERS_SOURCE_TIME], 7);
    counters_reset(&c);
    counters_read(&c, &v);
    assert_int_equal(v.v[COUNTERS_PKTS], 0);
    assert_int_equal(v.v[COUNTERS_NB_UNIQ_SRC_ADDR], 0);
    /* SOURCE_TIME is the last capture time seen, across periods. */
    assert_int_equal(v.v[COUNTERS_SOURCE_TIME], 7);
    counters_free(&c);
}

/* Two workers merged give what one worker counting everything gives. */
static void test_merge(void **state)
{
    struct counters one, w1, w2;
    struct counters_values v1, v2;

    (void)state;
    assert_int_equal(counters_init(&one), 0);
    assert_int_equal(counters_init(&w1), 0);
    assert_int_equal(counters_init(&w2), 0);
    for (uint32_t i = 0; i < 5000; i++) {
        uint8_t src[4] = {10, (uint8_t)(i >> 8), (uint8_t)i, 1};
        struct decode_result r =
            tcp(src, addr_b, 4, (uint16_t)(i % 700), DECODE_TCP_SYN);

        counters_add(&one, &r, i);
        counters_add(i % 2 ? &w1 : &w2, &r, i);
    }
    counters_merge(&w1, &w2);
    counters_read(&one, &v1);
    counters_read(&w1, &v2);
    assert_memory_equal(&v1, &v2, sizeof(v1));
    assert_int_equal(v2.v[COUNTERS_NB_UNIQ_SRC_ADDR], 5000);
    assert_int_equal(v2.v[COUNTERS_NB_UNIQ_SRC_PORT], 700);
    counters_free(&one);
    counters_free(&w1);
    counters_free(&w2);
}

/* counters_add_many() gives the same tallies as one counters_add() per
 * packet, on more packets than it fetches ahead at a time and with many
 * distinct addresses (sampling included). */
static void test_add_many(void **state)
{
    enum { N = 100000 };
    static uint8_t addrs[N][4];
    static struct decode_result r[N];
    struct counters one, many;
    struct counters_values a, b;

    (void)state;
    assert_int_equal(counters_init(&one), 0);
    assert_int_equal(counters_init(&many), 0);
    for (uint32_t i = 0; i < N; i++) {
        uint32_t v = i * 2654435761u;

        memcpy(addrs[i], &v, 4);
        r[i] = tcp(addrs[i], addr_b, 4, (uint16_t)i, DECODE_TCP_SYN);
        if (i % 7 == 0)
            r[i].flags = DECODE_ARP;
        counters_add(&one, &r[i], (int64_t)(i % 1000));
    }
    counters_add_many(&many, r, 37, 999);
    counters_add_many(&many, r + 37, N - 37, 998);
    counters_add_many(&many, r, 0, 5000);
    counters_read(&one, &a);
    counters_read(&many, &b);
    assert_true(a.v[COUNTERS_NB_UNIQ_SRC_ADDR] > 80000);
    for (int i = 0; i < COUNTERS_COUNT; i++)
        assert_int_equal(a.v[i], b.v[i]);
    counters_free(&one);
    counters_free(&many);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_add_many),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

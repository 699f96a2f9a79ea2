/* Decoders on hand-made frames: what each layer yields, and that broken
 * packets are counted, not fatal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "decode/decode.h"

#include <string.h>

/* Ethernet + IPv4 + TCP SYN-ACK 127.0.0.1:10000 -> 127.0.0.1:36322. */
static const uint8_t frame_tcp[] = {
    0,    0,    0,    0,    0,   0, 0,    0, 0,  0, 0, 0,
    0x08, 0x00,                                           /* ethernet */
    0x45, 0,    0,    44,   0,   0, 0x40, 0, 64, 6, 0, 0, /* ipv4 */
    127,  0,    0,    1,    127, 0, 0,    1,              /* addresses */
    0x27, 0x10, 0x8d, 0xe2, 0,   0, 0,    1, 0,  0, 0, 1, /* tcp ports, seq */
    0x60, 0x12, 0xff, 0xff, 0,   0, 0,    0,              /* doff 6, SYN+ACK */
    2,    4,    5,    0xb4,                               /* mss option */
};

static const uint8_t frame_arp[] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,   1,   2, 3,  4, 5,
    0x08, 0x06, 0,    1,    0x08, 0,    6,   4,   0, 1, /* ethernet/ipv4 request
                                                         */
    0,    1,    2,    3,    4,    5,    192, 168, 1, 14, /* sender */
    0,    0,    0,    0,    0,    0,    192, 168, 0, 1,  /* target */
};

static void decode_frame(const uint8_t *f, size_t len, uint32_t linktype,
                         struct decode_result *r, struct decode_stats *st)
{
    memset(st, 0, sizeof(*st));
    decode_packet(f, (uint32_t)len, linktype, r, st);
}

static void test_tcp_syn_ack(void **state)
{
    struct decode_result r;
    struct decode_stats st;

    (void)state;
    decode_frame(frame_tcp, sizeof(frame_tcp), DECODE_LINKTYPE_ETHERNET, &r,
                 &st);
    assert_int_equal(r.flags, DECODE_IPV4 | DECODE_TCP);
    assert_int_equal(r.ip_len, 44);
    assert_int_equal(r.sport, 10000);
    assert_int_equal(r.dport, 36322);
    assert_int_equal(r.tcp_flags, DECODE_TCP_SYN | DECODE_TCP_ACK);
    assert_int_equal(r.addr_len, 4);
    assert_memory_equal(r.src, "\x7f\0\0\x01", 4);
}

static void test_arp(void **state)
{
    struct decode_result r;
    struct decode_stats st;

    (void)state;
    decode_frame(frame_arp, sizeof(frame_arp), DECODE_LINKTYPE_ETHERNET, &r,
                 &st);
    assert_int_equal(r.flags, DECODE_ARP);
    decode_frame(frame_arp, 20, DECODE_LINKTYPE_ETHERNET, &r, &st);
    assert_int_equal(r.flags, 0);
    assert_int_equal(st.events[DECODE_EV_ARP_TRUNCATED], 1);
}

/* Every prefix of a valid frame decodes without reading past its end (the
 * sanitizer build checks the reads) and counts an event when cut. */
static void test_every_truncation(void **state)
{
    struct decode_result r;
    struct decode_stats st;

    (void)state;
    for (size_t len = 0; len < sizeof(frame_tcp); len++) {
        uint8_t copy[sizeof(frame_tcp)];
        uint64_t events = 0;

        memcpy(copy, frame_tcp, len);
        decode_frame(copy, len, DECODE_LINKTYPE_ETHERNET, &r, &st);
        for (int i = 0; i < DECODE_EV_COUNT; i++)
            events += st.events[i];
        if (len < 54) {
            assert_true(events >= 1);
            assert_false(r.flags & DECODE_TCP);
        }
    }
}

static void test_vlan_qinq(void **state)
{
    uint8_t f[sizeof(frame_tcp) + 8];
    struct decode_result r;
    struct decode_stats st;

    (void)state;
    memcpy(f, frame_tcp, 12);
    memcpy(f + 12, "\x88\xa8\x00\x0a\x81\x00\x00\x14", 8);
    memcpy(f + 20, frame_tcp + 12, sizeof(frame_tcp) - 12);
    decode_frame(f, sizeof(f), DECODE_LINKTYPE_ETHERNET, &r, &st);
    assert_int_equal(r.flags, DECODE_IPV4 | DECODE_TCP);
    assert_int_equal(r.dport, 36322);
}

static void test_linux_cooked(void **state)
{
    uint8_t v1[sizeof(frame_tcp) + 2];
    uint8_t v2[sizeof(frame_tcp) + 6];
    struct decode_result r;
    struct decode_stats st;

    (void)state;
    memset(v1, 0, 16);
    v1[14] = 0x08;
    memcpy(v1 + 16, frame_tcp + 14, sizeof(frame_tcp) - 14);
    decode_frame(v1, sizeof(v1), DECODE_LINKTYPE_LINUX_SLL, &r, &st);
    assert_int_equal(r.flags, DECODE_IPV4 | DECODE_TCP);
    memset(v2, 0, 20);
    v2[0] = 0x08;
    memcpy(v2 + 20, frame_tcp + 14, sizeof(frame_tcp) - 14);
    decode_frame(v2, sizeof(v2), DECODE_LINKTYPE_LINUX_SLL2, &r, &st);
    assert_int_equal(r.flags, DECODE_IPV4 | DECODE_TCP);
}

/* Builds a cooked frame of frame_tcp's IPv4 packet behind hdr bytes of
 * header (16 for v1, 20 for v2) and the tags given, each 4 bytes: the
 * protocol field holds the first tag's type, and the rest follows the
 * header as libpcap writes it. Returns the frame's length. */
static size_t cooked_frame(uint8_t *f, size_t hdr, const uint8_t *tags,
                           size_t n_tags)
{
    size_t proto = hdr == 16 ? 14 : 0;
    size_t off = hdr;
    const uint8_t *type = (const uint8_t *)"\x08\x00";

    memset(f, 0, hdr);
    if (n_tags > 0) {
        memcpy(f + proto, tags, 2);
        memcpy(f + off, tags + 2, 2);
        off += 2;
        for (size_t i = 1; i < n_tags; i++, off += 4)
            memcpy(f + off, tags + 4 * i, 4);
        memcpy(f + off, type, 2);
        off += 2;
    } else {
        memcpy(f + proto, type, 2);
    }
    memcpy(f + off, frame_tcp + 14, sizeof(frame_tcp) - 14);
    return off + sizeof(frame_tcp) - 14;
}

/* 802.1Q and 802.1ad tags inside Linux cooked v1 and v2 (the "any"
 * device), and cooked frames cut inside a tag. */
static void test_linux_cooked_vlan(void **state)
{
    static const uint8_t tags[] = {0x81, 0x00, 0x00, 0x0a, 0x88, 0xa8,
                                   0x00, 0x14, 0x91, 0x00, 0x00, 0x1e};
    static const uint32_t links[] = {DECODE_LINKTYPE_LINUX_SLL,
                                     DECODE_LINKTYPE_LINUX_SLL2};
    uint8_t f[128];
    struct decode_result r;
    struct decode_stats st;

    (void)state;
    for (size_t l = 0; l < 2; l++) {
        size_t hdr = l == 0 ? 16 : 20;

        for (size_t n = 1; n <= 3; n++) {
            size_t len = cooked_frame(f, hdr, tags, n);

            decode_frame(f, len, links[l], &r, &st);
            assert_int_equal(st.events[DECODE_EV_ETHERTYPE_OTHER], 0);
            assert_int_equal(r.flags, DECODE_IPV4 | DECODE_TCP);
            assert_int_equal(r.dport, 36322);
        }
        cooked_frame(f, hdr, tags, 2);
        for (size_t len = hdr; len < hdr + 8; len++) {
            decode_frame(f, len, links[l], &r, &st);
            assert_int_equal(r.flags, 0);
            assert_int_equal(st.events[DECODE_EV_LINK_TRUNCATED], 1);
        }
    }
}

/* DLT_RAW as written by systems whose value is 12 or 14. */
static void test_raw_dlt_values(void **state)
{
    struct decode_result r;
    struct decode_stats st;

    (void)state;
    decode_frame(frame_tcp + 14, sizeof(frame_tcp) - 14, DECODE_LINKTYPE_RAW_12,
                 &r, &st);
    assert_int_equal(r.flags, DECODE_IPV4 | DECODE_TCP);
    decode_frame(frame_tcp + 14, sizeof(frame_tcp) - 14, DECODE_LINKTYPE_RAW_14,
                 &r, &st);
    assert_int_equal(r.flags, DECODE_IPV4 | DECODE_TCP);
    assert_int_equal(st.events[DECODE_EV_LINK_UNSUPPORTED], 0);
}

static void test_raw_and_loopback(void **state)
{
    uint8_t null_le[sizeof(frame_tcp) - 10];
    struct decode_result r;
    struct decode_stats st;

    (void)state;
    decode_frame(frame_tcp + 14, sizeof(frame_tcp) - 14, DECODE_LINKTYPE_RAW,
                 &r, &st);
    assert_int_equal(r.flags, DECODE_IPV4 | DECODE_TCP);
    memcpy(null_le, "\x02\0\0\0", 4);
    memcpy(null_le + 4, frame_tcp + 14, sizeof(frame_tcp) - 14);
    decode_frame(null_le, sizeof(null_le), DECODE_LINKTYPE_NULL, &r, &st);
    assert_int_equal(r.flags, DECODE_IPV4 | DECODE_TCP);
    memcpy(null_le, "\0\0\0\x02", 4);
    decode_frame(null_le, sizeof(null_le), DECODE_LINKTYPE_LOOP, &r, &st);
    assert_int_equal(r.flags, DECODE_IPV4 | DECODE_TCP);
}

static void test_ipv4_fragments(void **state)
{
    uint8_t f[sizeof(frame_tcp)];
    struct decode_result r;
    struct decode_stats st;

    (void)state;
    memcpy(f, frame_tcp, sizeof(f));
    f[14 + 6] = 0x20; /* more fragments, offset 0: first fragment */
    decode_frame(f, sizeof(f), DECODE_LINKTYPE_ETHERNET, &r, &st);
    assert_int_equal(r.flags, DECODE_IPV4 | DECODE_TCP);
    f[14 + 7] = 0x10; /* offset 16 * 8: a later fragment */
    decode_frame(f, sizeof(f), DECODE_LINKTYPE_ETHERNET, &r, &st);
    assert_int_equal(r.flags, DECODE_IPV4 | DECODE_FRAGMENT);
    assert_int_equal(st.events[DECODE_EV_IPV4_FRAGMENT], 1);
}

static void test_ipv4_bad_headers(void **state)
{
    uint8_t f[sizeof(frame_tcp)];
    struct decode_result r;
    struct decode_stats st;

    (void)state;
    memcpy(f, frame_tcp, sizeof(f));
    f[14] = 0x44; /* header length 16 */
    decode_frame(f, sizeof(f), DECODE_LINKTYPE_ETHERNET, &r, &st);
    assert_int_equal(r.flags, 0);
    assert_int_equal(st.events[DECODE_EV_IPV4_BAD_HEADER_LENGTH], 1);
    f[14] = 0x4f; /* header length 60, more than the total length */
    decode_frame(f, sizeof(f), DECODE_LINKTYPE_ETHERNET, &r, &st);
    assert_int_equal(r.flags, 0);
    f[14] = 0x45;
    f[16] = 0;
    f[17] = 0; /* total length 0: taken from the capture */
    decode_frame(f, sizeof(f), DECODE_LINKTYPE_ETHERNET, &r, &st);
    assert_int_equal(r.ip_len, sizeof(frame_tcp) - 14);
    assert_true(r.flags & DECODE_TCP);
}

/* IPv6 + hop-by-hop + fragment header (offset 0) + UDP. */
static void test_ipv6_extensions(void **state)
{
    uint8_t f[14 + 40 + 8 + 8 + 8];
    struct decode_result r;
    struct decode_stats st;

    (void)state;
    memset(f, 0, sizeof(f));
    f[12] = 0x86;
    f[13] = 0xdd;
    f[14] = 0x60;
    f[14 + 5] = 24;   /* payload length */
    f[14 + 6] = 0;    /* hop-by-hop */
    f[14 + 8] = 0x20; /* source 2000:: */
    f[54] = 44;       /* next: fragment */
    f[62] = 17;       /* next: UDP */
    f[70] = 0x00;
    f[71] = 53;
    decode_frame(f, sizeof(f), DECODE_LINKTYPE_ETHERNET, &r, &st);
    assert_int_equal(r.flags, DECODE_IPV6 | DECODE_UDP);
    assert_int_equal(r.ip_len, 64);
    assert_int_equal(r.sport, 53);
    assert_int_equal(r.addr_len, 16);
    f[62 + 3] = 0x08; /* fragment offset 1 */
    decode_frame(f, sizeof(f), DECODE_LINKTYPE_ETHERNET, &r, &st);
    assert_int_equal(r.flags, DECODE_IPV6 | DECODE_FRAGMENT);
}

static void test_icmpv6_counts_as_icmp(void **state)
{
    uint8_t f[14 + 40 + 8];
    struct decode_result r;
    struct decode_stats st;

    (void)state;
    memset(f, 0, sizeof(f));
    f[12] = 0x86;
    f[13] = 0xdd;
    f[14] = 0x60;
    f[14 + 5] = 8;
    f[14 + 6] = 58;
    decode_frame(f, sizeof(f), DECODE_LINKTYPE_ETHERNET, &r, &st);
    assert_int_equal(r.flags, DECODE_IPV6 | DECODE_ICMP);
}

static void test_unknown_link(void **state)
{
    struct decode_result r;
    struct decode_stats st;

    (void)state;
    decode_frame(frame_tcp, sizeof(frame_tcp), 127, &r, &st);
    assert_int_equal(r.flags, 0);
    assert_int_equal(st.events[DECODE_EV_LINK_UNSUPPORTED], 1);
    assert_false(decode_event_is_anomaly(DECODE_EV_LINK_UNSUPPORTED));
    assert_string_equal(decode_event_name(DECODE_EV_TCP_TRUNCATED),
                        "tcp_truncated");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_syn_ack),
        cmocka_unit_test(test_arp),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_vlan_qinq),
        cmocka_unit_test(test_linux_cooked),
        cmocka_unit_test(test_linux_cooked_vlan),
        cmocka_unit_test(test_raw_dlt_values),
        cmocka_unit_test(test_raw_and_loopback),
        cmocka_unit_test(test_ipv4_fragments),
        cmocka_unit_test(test_ipv4_bad_headers),
        cmocka_unit_test(test_ipv6_extensions),
        cmocka_unit_test(test_icmpv6_counts_as_icmp),
        cmocka_unit_test(test_unknown_link),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

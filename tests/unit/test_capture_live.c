/* The pieces of live capture that need no interface: the device list,
 * BPF filters on batches, the series name, the privilege switch, and what
 * the live calls do on a capture file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "capture/capture.h"
#include "pipeline/pipeline.h"
#include "pipeline/privileges.h"
#include "util/error.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An Ethernet frame holding IPv4 and a transport header of protocol
 * proto (6 TCP, 17 UDP), 54 bytes. */
static void make_frame(uint8_t *f, uint8_t proto)
{
    memset(f, 0, 54);
    f[12] = 0x08; /* EtherType IPv4 */
    f[14] = 0x45; /* version 4, 20-byte header */
    f[17] = 40;   /* total length */
    f[22] = 64;   /* TTL */
    f[23] = proto;
    f[26] = 198, f[27] = 18, f[28] = 0, f[29] = 1;
    f[30] = 198, f[31] = 18, f[32] = 0, f[33] = 2;
    f[47] = 0x02; /* TCP SYN, or UDP payload */
}

static void test_filter_batch(void **state)
{
    static struct capture_batch b;
    uint8_t tcp[54], udp[54];
    struct capture_filter *f;

    (void)state;
    make_frame(tcp, 6);
    make_frame(udp, 17);
    for (size_t i = 0; i < 5; i++) {
        b.pkts[i].data = i % 2 ? udp : tcp;
        b.pkts[i].caplen = b.pkts[i].wirelen = 54;
        b.pkts[i].ts_ns = (int64_t)i;
        b.pkts[i].linktype = 1;
    }
    b.n = 5;
    assert_int_equal(capture_filter_new("tcp", 65535, &f), 0);
    assert_int_equal(capture_filter_batch(f, &b), 2);
    assert_int_equal(b.n, 3);
    /* Kept in order. */
    assert_int_equal(b.pkts[0].ts_ns, 0);
    assert_int_equal(b.pkts[1].ts_ns, 2);
    assert_int_equal(b.pkts[2].ts_ns, 4);
    capture_filter_free(f);
    capture_filter_free(NULL);
}

static void test_filter_invalid(void **state)
{
    struct capture_filter *f = (struct capture_filter *)&f;

    (void)state;
    assert_int_equal(capture_filter_new("tcp port", 65535, &f), ERROR_INVALID);
    assert_null(f);
    assert_non_null(strstr(error_detail(), "invalid filter 'tcp port'"));
}

static void test_is_interface(void **state)
{
    (void)state;
    assert_int_equal(capture_is_interface("lo"), 1);
    assert_int_equal(capture_is_interface("nosuch0"), 0);
    assert_int_equal(capture_is_interface("/tmp/x.pcap"), 0);
}

static void test_series_name_live(void **state)
{
    char buf[64];

    (void)state;
    /* 2024-03-14 09:26:53.123456789 UTC */
    pipeline_series_name_live("eth0", 1710408413123456789LL, buf, sizeof(buf));
    assert_string_equal(buf, "eth0-20240314T092653.123Z");
    pipeline_series_name_live("any", 0, buf, sizeof(buf));
    assert_string_equal(buf, "any-19700101T000000.000Z");
    /* Cut, never overflowed. */
    pipeline_series_name_live("eth0", 0, buf, 8);
    assert_string_equal(buf, "eth0-19");
}

static void test_privileges(void **state)
{
    struct passwd *me = getpwuid(geteuid());

    (void)state;
    assert_int_equal(privileges_drop("nosuchuser0"), ERROR_NOTFOUND);
    assert_non_null(strstr(error_detail(), "no user named 'nosuchuser0'"));
    /* Already that user: nothing to do, whoever runs the test. */
    assert_non_null(me);
    if (getuid() == geteuid() && getgid() == getegid() &&
        getegid() == me->pw_gid)
        assert_int_equal(privileges_drop(me->pw_name), 0);
}

/* The live calls on a capture file: always ready, nothing lost. */
static void test_live_calls_on_file(void **state)
{
    char path[] = "/tmp/netspot_live_test_XXXXXX";
    static const uint8_t header[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4,
                                       0,    0,    0,    0,    0, 0, 0,
                                       0,    0,    0xff, 0xff, 0, 0, 1};
    struct capture_stats st;
    struct capture *c;
    int fd = mkstemp(path);

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, header, sizeof(header)), (int)sizeof(header));
    close(fd);
    assert_int_equal(capture_open_file(path, CAPTURE_READER_NATIVE, &c), 0);
    assert_int_equal(capture_selectable_fd(c), -1);
    assert_int_equal(capture_fanout_id(c), -1);
    assert_int_equal(capture_refresh_stats(c), 0);
    capture_stats_get(c, &st);
    assert_int_equal(st.dropped, 0);
    capture_close(c);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter_batch),
        cmocka_unit_test(test_filter_invalid),
        cmocka_unit_test(test_is_interface),
        cmocka_unit_test(test_series_name_live),
        cmocka_unit_test(test_privileges),
        cmocka_unit_test(test_live_calls_on_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

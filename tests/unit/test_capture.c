/* Capture file readers on files written by the test: both pcap flavours
 * and byte orders, pcapng with several interfaces and link types, and
 * every kind of broken file. The native reader and libpcap must agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "capture/capture.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char test_dir[] = "/tmp/netspot-test-capture-XXXXXX";

/* A growable byte buffer in which a test writes a file. */
struct buf {
    uint8_t data[8192];
    size_t n;
    bool swap;
};

static void put(struct buf *b, const void *p, size_t n)
{
    assert_true(b->n + n <= sizeof(b->data));
    memcpy(b->data + b->n, p, n);
    b->n += n;
}

static void put32(struct buf *b, uint32_t v)
{
    if (b->swap)
        v = __builtin_bswap32(v);
    put(b, &v, 4);
}

static void put16(struct buf *b, uint16_t v)
{
    if (b->swap)
        v = __builtin_bswap16(v);
    put(b, &v, 2);
}

static const char *write_file(const char *name, const struct buf *b)
{
    static char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", test_dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b->data, 1, b->n, f), b->n);
    fclose(f);
    return path;
}

static void pcap_header(struct buf *b, uint32_t magic, uint32_t linktype)
{
    put32(b, magic);
    put16(b, 2);
    put16(b, 4);
    put32(b, 0);
    put32(b, 0);
    put32(b, 65535);
    put32(b, linktype);
}

static void pcap_record(struct buf *b, uint32_t sec, uint32_t frac,
                        uint32_t len)
{
    uint8_t payload[64];

    memset(payload, 0xab, sizeof(payload));
    put32(b, sec);
    put32(b, frac);
    put32(b, len);
    put32(b, len + 10);
    put(b, payload, len);
}

/* Reads a whole file; returns the last code and fills the packets. */
static int read_all(const char *path, enum capture_reader reader,
                    struct capture_packet *out, size_t max, size_t *n)
{
    static struct capture_batch batch;
    struct capture *c;
    int rc = capture_open_file(path, reader, &c);

    *n = 0;
    if (rc < 0)
        return rc;
    while ((rc = capture_next(c, &batch)) > 0) {
        for (size_t i = 0; i < batch.n && *n < max; i++)
            out[(*n)++] = batch.pkts[i];
    }
    capture_close(c);
    return rc;
}

static void check_pcap(uint32_t magic, bool swap, int64_t frac_ns)
{
    struct buf b = {.swap = swap};
    struct capture_packet pkts[4];
    enum capture_reader readers[] = {CAPTURE_READER_NATIVE,
                                     CAPTURE_READER_LIBPCAP};
    const char *path;
    size_t n;

    pcap_header(&b, magic, 1);
    pcap_record(&b, 1558195813, 635381, 60);
    pcap_record(&b, 1558195814, 5, 42);
    path = write_file("simple.pcap", &b);
    for (size_t r = 0; r < 2; r++) {
        assert_int_equal(read_all(path, readers[r], pkts, 4, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(pkts[0].ts_ns, 1558195813000000000 + 635381 * frac_ns);
        assert_int_equal(pkts[1].ts_ns, 1558195814000000000 + 5 * frac_ns);
        assert_int_equal(pkts[0].caplen, 60);
        assert_int_equal(pkts[0].wirelen, 70);
        assert_int_equal(pkts[1].linktype, 1);
    }
}

static void test_pcap_flavours(void **state)
{
    (void)state;
    check_pcap(0xa1b2c3d4, false, 1000);
    check_pcap(0xa1b2c3d4, true, 1000);
    check_pcap(0xa1b23c4d, false, 1);
    check_pcap(0xa1b23c4d, true, 1);
}

/* A record cut short: every complete packet first, then the error. */
static void test_pcap_truncated(void **state)
{
    struct buf b = {0};
    struct capture_packet pkts[4];
    enum capture_reader readers[] = {CAPTURE_READER_NATIVE,
                                     CAPTURE_READER_LIBPCAP};
    const char *path;
    size_t n;

    (void)state;
    pcap_header(&b, 0xa1b2c3d4, 1);
    pcap_record(&b, 10, 0, 60);
    pcap_record(&b, 11, 0, 60);
    b.n -= 7;
    path = write_file("truncated.pcap", &b);
    for (size_t r = 0; r < 2; r++) {
        assert_int_equal(read_all(path, readers[r], pkts, 4, &n),
                         ERROR_TRUNCATED);
        assert_int_equal(n, 1);
        assert_non_null(strstr(error_detail(), "truncated.pcap"));
    }
}

static void test_bad_files(void **state)
{
    struct buf b = {0};
    struct capture *c;
    const char *path;

    (void)state;
    assert_int_equal(
        capture_open_file("/nonexistent/x.pcap", CAPTURE_READER_AUTO, &c),
        ERROR_NOTFOUND);
    assert_non_null(strstr(error_detail(), "/nonexistent/x.pcap"));
    path = write_file("empty.pcap", &b);
    assert_int_equal(capture_open_file(path, CAPTURE_READER_AUTO, &c),
                     ERROR_FORMAT);
    assert_non_null(strstr(error_detail(), "empty"));
    put(&b, "hello, this is not a capture file at all\n", 41);
    path = write_file("text.pcap", &b);
    assert_true(capture_open_file(path, CAPTURE_READER_AUTO, &c) < 0);
    assert_non_null(strstr(error_detail(), "text.pcap"));
    assert_int_equal(capture_open_file(test_dir, CAPTURE_READER_AUTO, &c),
                     ERROR_INVALID);
}

/* A record claiming more bytes than any capture holds is corrupt. */
static void test_pcap_corrupt_length(void **state)
{
    struct buf b = {0};
    struct capture_packet pkts[4];
    size_t n;

    (void)state;
    pcap_header(&b, 0xa1b2c3d4, 1);
    pcap_record(&b, 10, 0, 60);
    put32(&b, 11);
    put32(&b, 0);
    put32(&b, 0x7fffffff);
    put32(&b, 60);
    assert_int_equal(read_all(write_file("corrupt.pcap", &b),
                              CAPTURE_READER_NATIVE, pkts, 4, &n),
                     ERROR_FORMAT);
    assert_int_equal(n, 1);
}

static void pcapng_block(struct buf *b, uint32_t type, const struct buf *body)
{
    put32(b, type);
    put32(b, (uint32_t)body->n + 12);
    put(b, body->data, body->n);
    put32(b, (uint32_t)body->n + 12);
}

static void pcapng_shb(struct buf *b)
{
    struct buf body = {.swap = b->swap};

    put32(&body, 0x1a2b3c4d);
    put16(&body, 1);
    put16(&body, 0);
    put32(&body, 0xffffffff);
    put32(&body, 0xffffffff);
    pcapng_block(b, 0x0a0d0d0a, &body);
}

static void pcapng_idb(struct buf *b, uint16_t linktype, int tsresol)
{
    struct buf body = {.swap = b->swap};

    put16(&body, linktype);
    put16(&body, 0);
    put32(&body, 0);
    if (tsresol >= 0) {
        uint8_t opt[4] = {(uint8_t)tsresol, 0, 0, 0};

        put16(&body, 9);
        put16(&body, 1);
        put(&body, opt, 4);
        put32(&body, 0); /* opt_endofopt */
    }
    pcapng_block(b, 1, &body);
}

static void pcapng_epb(struct buf *b, uint32_t iface, uint64_t ts, uint32_t len)
{
    struct buf body = {.swap = b->swap};
    uint8_t payload[64] = {0};

    put32(&body, iface);
    put32(&body, (uint32_t)(ts >> 32));
    put32(&body, (uint32_t)ts);
    put32(&body, len);
    put32(&body, len);
    put(&body, payload, (len + 3u) & ~3u);
    pcapng_block(b, 6, &body);
}

/* Two sections of opposite byte orders; interfaces of two link types and
 * two timestamp resolutions. */
static void test_pcapng_interfaces(void **state)
{
    struct buf b = {0};
    struct capture_packet pkts[8];
    size_t n;

    (void)state;
    pcapng_shb(&b);
    pcapng_idb(&b, 1, -1);  /* Ethernet, microseconds */
    pcapng_idb(&b, 113, 9); /* Linux cooked, nanoseconds */
    pcapng_epb(&b, 0, 1500000000000001ull, 60);
    pcapng_epb(&b, 1, 1500000000000000002ull, 42);
    b.swap = true;
    pcapng_shb(&b);
    pcapng_idb(&b, 101, 3); /* raw IP, milliseconds */
    pcapng_epb(&b, 0, 1500000000003ull, 20);
    assert_int_equal(read_all(write_file("multi.pcapng", &b),
                              CAPTURE_READER_NATIVE, pkts, 8, &n),
                     0);
    assert_int_equal(n, 3);
    assert_int_equal(pkts[0].linktype, 1);
    assert_int_equal(pkts[0].ts_ns, 1500000000000001000);
    assert_int_equal(pkts[1].linktype, 113);
    assert_int_equal(pkts[1].ts_ns, 1500000000000000002);
    assert_int_equal(pkts[2].linktype, 101);
    assert_int_equal(pkts[2].ts_ns, 1500000000003000000);
    assert_int_equal(pkts[2].caplen, 20);
}

static void test_pcapng_undeclared_interface(void **state)
{
    struct buf b = {0};
    struct capture_packet pkts[4];
    size_t n;

    (void)state;
    pcapng_shb(&b);
    pcapng_idb(&b, 1, -1);
    pcapng_epb(&b, 0, 1, 60);
    pcapng_epb(&b, 5, 2, 60);
    assert_int_equal(read_all(write_file("badif.pcapng", &b),
                              CAPTURE_READER_NATIVE, pkts, 4, &n),
                     ERROR_FORMAT);
    assert_int_equal(n, 1);
    assert_non_null(strstr(error_detail(), "interface 5"));
}

/* An interface with if_tsresol (tsresol, or none when negative) and an
 * if_tsoffset of offset_s seconds. */
static void pcapng_idb_offset(struct buf *b, int tsresol, int64_t offset_s)
{
    struct buf body = {.swap = b->swap};
    uint64_t off = (uint64_t)offset_s;
    uint8_t opt[4] = {(uint8_t)tsresol, 0, 0, 0};

    put16(&body, 1);
    put16(&body, 0);
    put32(&body, 0);
    if (tsresol >= 0) {
        put16(&body, 9);
        put16(&body, 1);
        put(&body, opt, 4);
    }
    put16(&body, 14);
    put16(&body, 8);
    if (b->swap)
        off = __builtin_bswap64(off);
    put(&body, &off, 8);
    put32(&body, 0);
    pcapng_block(b, 1, &body);
}

/* Reads one packet at ts in units of tsresol behind an offset; returns
 * the reader's code and the packet's time in *ns. */
static int read_offset(int tsresol, int64_t offset_s, uint64_t ts, int64_t *ns)
{
    struct buf b = {0};
    struct capture_packet pkts[2];
    size_t n;
    int rc;

    pcapng_shb(&b);
    pcapng_idb_offset(&b, tsresol, offset_s);
    pcapng_epb(&b, 0, ts, 60);
    rc = read_all(write_file("offset.pcapng", &b), CAPTURE_READER_NATIVE, pkts,
                  2, &n);
    *ns = n == 1 ? pkts[0].ts_ns : -1;
    return rc;
}

/* if_tsoffset either way, and times that would leave the nanosecond
 * scale: refused with the file, the block and the cause named. */
static void test_pcapng_time_range(void **state)
{
    const int64_t big = INT64_C(1) << 62;
    int64_t ns;

    (void)state;
    assert_int_equal(read_offset(9, 1000, 1500000000000000000u, &ns), 0);
    assert_int_equal(ns, 1500001000000000000);
    assert_int_equal(read_offset(-1, -1000, 1500000000000000u, &ns), 0);
    assert_int_equal(ns, 1499999000000000000);

    assert_int_equal(read_offset(9, big, 1, &ns), ERROR_FORMAT);
    assert_non_null(strstr(error_detail(), "offset.pcapng"));
    assert_non_null(strstr(error_detail(), "if_tsoffset of"));
    assert_int_equal(read_offset(9, -big, 1, &ns), ERROR_FORMAT);
    assert_non_null(strstr(error_detail(), "if_tsoffset of -"));

    /* Each part fits; their sum does not. */
    assert_int_equal(
        read_offset(9, 9000000000, UINT64_C(300000000000000000), &ns),
        ERROR_FORMAT);
    assert_non_null(strstr(error_detail(), "packet block at byte"));
    assert_non_null(strstr(error_detail(), "year 2262"));
    /* Microseconds, then seconds as a power of two, out of range. */
    assert_int_equal(read_offset(-1, 0, UINT64_C(1) << 62, &ns), ERROR_FORMAT);
    assert_int_equal(read_offset(0x80, 0, UINT64_C(1) << 62, &ns),
                     ERROR_FORMAT);
    assert_int_equal(read_offset(9, 0, UINT64_C(1) << 63, &ns), ERROR_FORMAT);
    /* A large negative offset brings a large time back in range. */
    assert_int_equal(read_offset(9, -9000000000, UINT64_C(1) << 63, &ns), 0);
    assert_int_equal(ns, 223372036854775808); /* 2^63 - 9e18 */
}

/* A section whose byte-order magic is neither order's. */
static void test_pcapng_bad_byte_order(void **state)
{
    struct buf b = {0};
    struct capture_packet pkts[2];
    size_t n;

    (void)state;
    pcapng_shb(&b);
    b.data[8] = 0x4e; /* 0x1a2b3c4d becomes 0x1a2b3c4e */
    assert_int_equal(read_all(write_file("bom.pcapng", &b),
                              CAPTURE_READER_NATIVE, pkts, 2, &n),
                     ERROR_FORMAT);
    assert_non_null(strstr(error_detail(), "bom.pcapng"));
    assert_non_null(strstr(error_detail(), "bad byte-order magic 0x1a2b3c4e"));
    assert_null(strstr(error_detail(), "bad length"));
}

/* More packets than a batch and more bytes than a mapping window. */
static void test_many_batches(void **state)
{
    char path[256];
    struct capture_batch *batch = malloc(sizeof(*batch));
    struct capture *c;
    uint8_t rec[16 + 1000] = {0};
    struct buf hdr = {0};
    uint64_t count = 0;
    int64_t last = 0;
    FILE *f;
    int rc;

    (void)state;
    snprintf(path, sizeof(path), "%s/big.pcap", test_dir);
    f = fopen(path, "wb");
    assert_non_null(f);
    pcap_header(&hdr, 0xa1b2c3d4, 1);
    fwrite(hdr.data, 1, hdr.n, f);
    for (uint32_t i = 0; i < 20000; i++) {
        uint32_t h[4] = {1000 + i, 0, 1000, 1000};

        memcpy(rec, h, sizeof(h));
        fwrite(rec, 1, sizeof(rec), f);
    }
    fclose(f);
    assert_int_equal(capture_open_file(path, CAPTURE_READER_NATIVE, &c), 0);
    while ((rc = capture_next(c, batch)) > 0) {
        for (size_t i = 0; i < batch->n; i++) {
            assert_true(batch->pkts[i].ts_ns > last);
            last = batch->pkts[i].ts_ns;
        }
        count += batch->n;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(count, 20000);
    capture_close(c);
    free(batch);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(test_dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    char cmd[300];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", test_dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcap_flavours),
        cmocka_unit_test(test_pcap_truncated),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_pcap_corrupt_length),
        cmocka_unit_test(test_pcapng_interfaces),
        cmocka_unit_test(test_pcapng_undeclared_interface),
        cmocka_unit_test(test_pcapng_time_range),
        cmocka_unit_test(test_pcapng_bad_byte_order),
        cmocka_unit_test(test_many_batches),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

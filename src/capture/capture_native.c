/*
 * Zero-copy reader of pcap and pcapng files.
 *
 * The file is mapped in windows of CAPTURE_NATIVE_WINDOW bytes, prefaulted,
 * and packets point into the mapping, so reading a packet costs a header
 * parse and no copy. Only a window is mapped at a time, so the memory used
 * stays bounded whatever the size of the file. Formats: pcap (microsecond
 * and nanosecond, both byte orders) and pcapng (several sections,
 * interfaces and link types, enhanced, simple and obsolete packet blocks,
 * if_tsresol and if_tsoffset). Anything else is left to libpcap.
 */
#include "capture/capture_impl.h"

#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Mapped at a time: large enough that remapping is rare, small enough to
 * keep the resident memory of a 10 GB file low. */
#define CAPTURE_NATIVE_WINDOW (8u << 20)

/* Largest record accepted; libpcap's own limit for any link type. A larger
 * length means a corrupt file. */
#define CAPTURE_NATIVE_MAX_RECORD (256u << 10)

/* Bytes ahead of the reader asked from memory in advance. */
#define CAPTURE_NATIVE_PREFETCH 4096

/* Interfaces described in one pcapng section. */
#define CAPTURE_NATIVE_MAX_IFACES 256

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAPNG_SHB    0x0a0d0d0au
#define PCAPNG_BOM    0x1a2b3c4du
#define PCAPNG_IDB    1u
#define PCAPNG_OPB    2u
#define PCAPNG_SPB    3u
#define PCAPNG_EPB    6u

struct native_iface {
    uint32_t linktype;
    uint32_t snaplen;
    bool resol_pow2; /* units are 2^-resol s, else 10^-resol s */
    uint8_t resol;
    int64_t offset_ns; /* if_tsoffset, in nanoseconds */
};

struct native {
    int fd;
    uint64_t size;      /* file size */
    uint64_t pos;       /* file offset of the next record or block */
    const uint8_t *map; /* current window */
    uint64_t map_off;   /* file offset of the window */
    size_t map_len;
    bool pcapng;
    bool swapped; /* file byte order differs from the host's */
    /* pcap */
    bool nanosecond;
    uint32_t linktype;
    uint32_t snaplen;    /* bytes of a record delivered at most */
    uint64_t prefetched; /* file offset up to which lines were prefetched */
    /* pcapng */
    size_t n_ifaces;
    struct native_iface ifaces[CAPTURE_NATIVE_MAX_IFACES];
};

static uint32_t native_u32(const struct native *r, const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return r->swapped ? __builtin_bswap32(v) : v;
}

static uint16_t native_u16(const struct native *r, const uint8_t *p)
{
    uint16_t v;

    memcpy(&v, p, sizeof(v));
    return r->swapped ? __builtin_bswap16(v) : v;
}

static uint64_t native_u64(const struct native *r, const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return r->swapped ? __builtin_bswap64(v) : v;
}

static void native_unmap(struct native *r)
{
    if (r->map != NULL)
        munmap((void *)(uintptr_t)r->map, r->map_len);
    r->map = NULL;
    r->map_len = 0;
}

/*
 * Maps the window that starts at the page holding file offset off. A
 * mapping failure is an I/O error of the file.
 */
static int native_map(struct capture *c, struct native *r, uint64_t off)
{
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t start = off - off % page;
    uint64_t len = r->size - start;
    void *m;

    native_unmap(r);
    if (len > CAPTURE_NATIVE_WINDOW)
        len = CAPTURE_NATIVE_WINDOW;
    m = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, r->fd,
             (off_t)start);
    if (m == MAP_FAILED)
        return error_set(ERROR_IO, "%s: cannot map bytes at %llu: %s", c->name,
                         (unsigned long long)start, strerror(errno));
    madvise(m, len, MADV_SEQUENTIAL);
    r->map = m;
    r->map_off = start;
    r->map_len = len;
    return 0;
}

/*
 * Points *p at len bytes from file offset off, remapping when they are not
 * all in the window. Returns 0, 1 when the window must move while packets
 * of the current batch still point into it, or a negative code.
 */
static int native_view(struct capture *c, struct native *r, uint64_t off,
                       uint64_t len, bool may_remap, const uint8_t **p)
{
    int rc;

    if (off >= r->map_off && off + len <= r->map_off + r->map_len) {
        *p = r->map + (off - r->map_off);
        return 0;
    }
    if (!may_remap)
        return 1;
    rc = native_map(c, r, off);
    if (rc < 0)
        return rc;
    *p = r->map + (off - r->map_off);
    return 0;
}

static int64_t native_pcap_ts(const struct native *r, uint32_t sec,
                              uint32_t frac)
{
    int64_t ns = r->nanosecond ? (int64_t)frac : (int64_t)frac * 1000;

    return (int64_t)sec * 1000000000 + ns;
}

static int native_truncated(struct capture *c, const struct native *r,
                            const char *what)
{
    return error_set(
        ERROR_TRUNCATED, "%s: truncated %s at byte %llu (file has %llu bytes)",
        c->name, what, (unsigned long long)r->pos, (unsigned long long)r->size);
}

/* Fills pkt from the record whose header is at h, and moves past it. */
static inline void native_pcap_fill(struct native *r, const uint8_t *h,
                                    uint32_t caplen, struct capture_packet *pkt)
{
    pkt->ts_ns = native_pcap_ts(r, native_u32(r, h), native_u32(r, h + 4));
    pkt->wirelen = native_u32(r, h + 12);
    if (pkt->wirelen < caplen)
        pkt->wirelen = caplen;
    /* A record longer than the file's snapshot length is cut to it, as
     * libpcap does. */
    pkt->caplen = caplen < r->snaplen ? caplen : r->snaplen;
    pkt->data = h + 16;
    pkt->linktype = r->linktype;
    r->pos += 16 + (uint64_t)caplen;
}

/*
 * Asks the processor for the lines ahead of the reader. Each record header
 * gives the position of the next, so without this every large packet costs
 * a full memory latency; prefetching a sequential stream turns the chase
 * into a bandwidth-bound walk.
 */
static inline void native_prefetch(struct native *r)
{
    uint64_t end = r->map_off + r->map_len;
    uint64_t target = r->pos + CAPTURE_NATIVE_PREFETCH;

    if (target > end)
        target = end;
    if (r->prefetched < r->pos)
        r->prefetched = r->pos;
    for (; r->prefetched < target; r->prefetched += 64)
        __builtin_prefetch(r->map + (r->prefetched - r->map_off));
}

/* Reads one pcap record; returns 1 when added, 0 at the end, 2 when the
 * batch must end first, or a negative code. */
static int native_pcap_record(struct capture *c, struct native *r,
                              struct capture_packet *pkt, bool may_remap)
{
    const uint8_t *h;
    uint32_t caplen;
    int rc;

    if (r->pos == r->size)
        return 0;
    if (r->size - r->pos < 16)
        return native_truncated(c, r, "record header");
    /* Most records lie inside the window: read them without a call. */
    if (r->pos + 16 <= r->map_off + r->map_len) {
        h = r->map + (r->pos - r->map_off);
        caplen = native_u32(r, h + 8);
        if (caplen <= r->snaplen &&
            r->pos + 16 + caplen <= r->map_off + r->map_len) {
            native_pcap_fill(r, h, caplen, pkt);
            native_prefetch(r);
            return 1;
        }
    }
    rc = native_view(c, r, r->pos, 16, may_remap, &h);
    if (rc != 0)
        return rc < 0 ? rc : 2;
    caplen = native_u32(r, h + 8);
    if (caplen > CAPTURE_NATIVE_MAX_RECORD)
        return error_set(ERROR_FORMAT,
                         "%s: record at byte %llu claims %u captured bytes "
                         "(more than %u): corrupt file",
                         c->name, (unsigned long long)r->pos, caplen,
                         CAPTURE_NATIVE_MAX_RECORD);
    if (r->size - r->pos - 16 < caplen)
        return native_truncated(c, r, "record");
    rc = native_view(c, r, r->pos, 16 + (uint64_t)caplen, may_remap, &h);
    if (rc != 0)
        return rc < 0 ? rc : 2;
    native_pcap_fill(r, h, caplen, pkt);
    return 1;
}

/* Past this, nanoseconds since 1970 leave int64_t (the year 2262). */
static int native_ts_range(struct capture *c, const struct native *r)
{
    return error_set(ERROR_FORMAT,
                     "%s: packet block at byte %llu has a time stamp beyond "
                     "the year 2262 (the nanosecond time scale)",
                     c->name, (unsigned long long)r->pos);
}

/*
 * Unix nanoseconds of a pcapng time stamp in an interface's units, plus
 * its if_tsoffset. Returns 0, or ERROR_FORMAT when the time leaves the
 * nanosecond time scale: no wrapped or saturated time reaches the
 * counters.
 */
static int native_pcapng_ts(struct capture *c, const struct native *r,
                            const struct native_iface *ifc, uint64_t ts,
                            int64_t *out)
{
    static const uint64_t pow10[] = {1,         10,        100,     1000,
                                     10000,     100000,    1000000, 10000000,
                                     100000000, 1000000000};
    uint64_t ns = 0;

    if (ifc->resol_pow2) {
        uint8_t bits = ifc->resol > 63 ? 63 : ifc->resol;
        uint64_t frac = ts & ((UINT64_C(1) << bits) - 1);

        if (__builtin_mul_overflow(ts >> bits, UINT64_C(1000000000), &ns))
            return native_ts_range(c, r);
        ns += (uint64_t)((double)frac * 1e9 / (double)(UINT64_C(1) << bits));
    } else if (ifc->resol <= 9) {
        if (__builtin_mul_overflow(ts, pow10[9 - ifc->resol], &ns))
            return native_ts_range(c, r);
    } else if (ifc->resol <= 18) {
        ns = ts / pow10[ifc->resol - 9];
    }
    if (ns <= (uint64_t)INT64_MAX) {
        if (__builtin_add_overflow((int64_t)ns, ifc->offset_ns, out))
            return native_ts_range(c, r);
        return 0;
    }
    /* Only a negative offset brings such a time back; its magnitude is
     * at most 2^63, no more than ns. */
    if (ifc->offset_ns >= 0)
        return native_ts_range(c, r);
    ns -= (uint64_t)(-(ifc->offset_ns + 1)) + 1;
    if (ns > (uint64_t)INT64_MAX)
        return native_ts_range(c, r);
    *out = (int64_t)ns;
    return 0;
}

/* Reads the options of an interface that the reader uses: if_tsresol
 * (9) and if_tsoffset (14, signed seconds). Returns 0, or ERROR_FORMAT
 * for an offset out of the nanosecond time scale. */
static int native_idb_option(struct capture *c, const struct native *r,
                             struct native_iface *ifc, uint16_t code,
                             const uint8_t *v, uint16_t len)
{
    int64_t sec;

    if (code == 9 && len >= 1) {
        ifc->resol_pow2 = (v[0] & 0x80) != 0;
        ifc->resol = v[0] & 0x7f;
    } else if (code == 14 && len >= 8) {
        sec = (int64_t)native_u64(r, v);
        if (__builtin_mul_overflow(sec, INT64_C(1000000000), &ifc->offset_ns))
            return error_set(ERROR_FORMAT,
                             "%s: interface block at byte %llu has an "
                             "if_tsoffset of %lld s, beyond the nanosecond "
                             "time scale (292 years)",
                             c->name, (unsigned long long)r->pos,
                             (long long)sec);
    }
    return 0;
}

/* Interface Description Block: link type, snap length, options. */
static int native_idb(struct capture *c, struct native *r, const uint8_t *b,
                      uint32_t blen)
{
    struct native_iface *ifc;
    uint32_t off = 16;

    if (r->n_ifaces == CAPTURE_NATIVE_MAX_IFACES)
        return error_set(ERROR_LIMIT,
                         "%s: more than %d interfaces in a section", c->name,
                         CAPTURE_NATIVE_MAX_IFACES);
    if (blen < 20)
        return error_set(ERROR_FORMAT,
                         "%s: interface block at byte %llu is too short",
                         c->name, (unsigned long long)r->pos);
    ifc = &r->ifaces[r->n_ifaces++];
    memset(ifc, 0, sizeof(*ifc));
    ifc->linktype = native_u16(r, b + 8);
    ifc->snaplen = native_u32(r, b + 12);
    ifc->resol = 6;
    while (off + 4 <= blen - 4) {
        uint16_t code = native_u16(r, b + off);
        uint16_t len = native_u16(r, b + off + 2);
        int rc;

        if (code == 0 || off + 4 + (uint32_t)len > blen - 4)
            break;
        rc = native_idb_option(c, r, ifc, code, b + off + 4, len);
        if (rc < 0)
            return rc;
        off += 4 + ((len + 3u) & ~3u);
    }
    return 0;
}

/*
 * Byte order of the section whose header block starts at b, from its
 * byte-order magic: read before the block's length, which is written in
 * that order. Returns 0, or ERROR_FORMAT for a magic that is neither.
 */
static int native_shb_order(struct capture *c, struct native *r,
                            const uint8_t *b)
{
    uint32_t bom;

    memcpy(&bom, b + 8, 4);
    if (bom == PCAPNG_BOM)
        r->swapped = false;
    else if (bom == __builtin_bswap32(PCAPNG_BOM))
        r->swapped = true;
    else
        return error_set(ERROR_FORMAT,
                         "%s: section at byte %llu has a bad byte-order "
                         "magic 0x%08x (0x%08x in either byte order)",
                         c->name, (unsigned long long)r->pos, bom, PCAPNG_BOM);
    return 0;
}

static const struct native_iface *native_iface(struct capture *c,
                                               struct native *r, uint32_t id)
{
    if (id >= r->n_ifaces) {
        error_set(ERROR_FORMAT,
                  "%s: packet block at byte %llu names interface %u, "
                  "which is not described",
                  c->name, (unsigned long long)r->pos, id);
        return NULL;
    }
    return &r->ifaces[id];
}

/* Enhanced (6), obsolete (2) and simple (3) packet blocks. */
static int native_packet_block(struct capture *c, struct native *r,
                               uint32_t type, const uint8_t *b, uint32_t blen,
                               struct capture_packet *pkt)
{
    const struct native_iface *ifc;
    uint32_t hdr = type == PCAPNG_SPB ? 12 : 28;
    uint32_t caplen, id;
    uint64_t ts = 0;

    if (blen < hdr + 4)
        return error_set(ERROR_FORMAT,
                         "%s: packet block at byte %llu is too short", c->name,
                         (unsigned long long)r->pos);
    if (type == PCAPNG_SPB) {
        id = 0;
        pkt->wirelen = native_u32(r, b + 8);
        caplen = blen - 16 < pkt->wirelen ? blen - 16 : pkt->wirelen;
    } else {
        id = type == PCAPNG_EPB ? native_u32(r, b + 8) : native_u16(r, b + 8);
        ts = ((uint64_t)native_u32(r, b + 12) << 32) | native_u32(r, b + 16);
        caplen = native_u32(r, b + 20);
        pkt->wirelen = native_u32(r, b + 24);
    }
    ifc = native_iface(c, r, id);
    if (ifc == NULL)
        return ERROR_FORMAT;
    if (type == PCAPNG_SPB && ifc->snaplen != 0 && caplen > ifc->snaplen)
        caplen = ifc->snaplen;
    if (caplen > blen - hdr - 4)
        return error_set(ERROR_FORMAT,
                         "%s: packet block at byte %llu claims %u bytes, "
                         "more than the block holds",
                         c->name, (unsigned long long)r->pos, caplen);
    pkt->data = b + hdr;
    pkt->caplen = caplen;
    if (pkt->wirelen < caplen)
        pkt->wirelen = caplen;
    pkt->linktype = ifc->linktype;
    pkt->ts_ns = 0;
    if (type != PCAPNG_SPB) {
        int rc = native_pcapng_ts(c, r, ifc, ts, &pkt->ts_ns);

        if (rc < 0)
            return rc;
    }
    return 1;
}

/* Reads pcapng blocks until a packet; same returns as the pcap record. */
static int native_pcapng_block(struct capture *c, struct native *r,
                               struct capture_packet *pkt, bool may_remap)
{
    for (;;) {
        const uint8_t *b;
        uint32_t type, blen;
        int rc;

        if (r->pos == r->size)
            return 0;
        if (r->size - r->pos < 12)
            return native_truncated(c, r, "block header");
        rc = native_view(c, r, r->pos, 12, may_remap, &b);
        if (rc != 0)
            return rc < 0 ? rc : 2;
        type = native_u32(r, b);
        if (type == PCAPNG_SHB) {
            rc = native_shb_order(c, r, b);
            if (rc < 0)
                return rc;
        }
        blen = native_u32(r, b + 4);
        if (blen < 12 || blen % 4 != 0 || blen > CAPTURE_NATIVE_MAX_RECORD)
            return error_set(ERROR_FORMAT,
                             "%s: block at byte %llu has a bad length %u",
                             c->name, (unsigned long long)r->pos, blen);
        if (r->size - r->pos < blen)
            return native_truncated(c, r, "block");
        rc = native_view(c, r, r->pos, blen, may_remap, &b);
        if (rc != 0)
            return rc < 0 ? rc : 2;
        /* A new section describes its interfaces afresh. */
        if (type == PCAPNG_SHB)
            r->n_ifaces = 0;
        else if (type == PCAPNG_IDB)
            rc = native_idb(c, r, b, blen);
        else if (type == PCAPNG_EPB || type == PCAPNG_OPB || type == PCAPNG_SPB)
            rc = native_packet_block(c, r, type, b, blen, pkt);
        if (rc < 0)
            return rc;
        r->pos += blen;
        if (rc == 1) {
            native_prefetch(r);
            return 1;
        }
    }
}

static int native_next(struct capture *c, struct capture_batch *batch)
{
    struct native *r = c->impl;

    while (batch->n < CAPTURE_BATCH_MAX) {
        struct capture_packet *pkt = &batch->pkts[batch->n];
        bool may_remap = batch->n == 0;
        int rc = r->pcapng ? native_pcapng_block(c, r, pkt, may_remap)
                           : native_pcap_record(c, r, pkt, may_remap);

        if (rc < 0)
            return rc;
        if (rc != 1)
            break;
        batch->n++;
    }
    c->stats.offset = r->pos;
    return (int)batch->n;
}

static void native_close(struct capture *c)
{
    struct native *r = c->impl;

    native_unmap(r);
    close(r->fd);
    free(r);
}

static const struct capture_ops native_ops = {native_next, native_close};

/* Reads the file header; ERROR_UNSUPPORTED for a format left to libpcap. */
static int native_header(struct capture *c, struct native *r)
{
    const uint8_t *h;
    uint32_t magic;
    int rc;

    if (r->size < 4)
        return ERROR_UNSUPPORTED;
    rc = native_map(c, r, 0);
    if (rc < 0)
        return rc;
    h = r->map;
    memcpy(&magic, h, 4);
    if (magic == PCAPNG_SHB) {
        r->pcapng = true;
        return 0;
    }
    r->swapped = magic == __builtin_bswap32(PCAP_MAGIC_US) ||
                 magic == __builtin_bswap32(PCAP_MAGIC_NS);
    if (r->swapped)
        magic = __builtin_bswap32(magic);
    if (magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS)
        return ERROR_UNSUPPORTED;
    if (r->size < 24)
        return error_set(ERROR_TRUNCATED,
                         "%s: truncated file header (%llu of 24 bytes)",
                         c->name, (unsigned long long)r->size);
    r->nanosecond = magic == PCAP_MAGIC_NS;
    /* The upper bits of the link type field carry FCS information. */
    r->linktype = native_u32(r, h + 20) & 0x03ffffffu;
    r->snaplen = native_u32(r, h + 16);
    if (r->snaplen == 0 || r->snaplen > CAPTURE_NATIVE_MAX_RECORD)
        r->snaplen = CAPTURE_NATIVE_MAX_RECORD;
    r->pos = 24;
    return 0;
}

int capture_native_open(struct capture *c, const char *path)
{
    struct native *r;
    struct stat st;
    int rc;

    r = calloc(1, sizeof(*r));
    if (r == NULL)
        return error_set(ERROR_NOMEM, "%s: out of memory", c->name);
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        rc = error_set(errno == EACCES ? ERROR_PERM : ERROR_IO, "%s: %s",
                       c->name, strerror(errno));
        free(r);
        return rc;
    }
    if (fstat(r->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(r->fd);
        free(r);
        return ERROR_UNSUPPORTED;
    }
    r->size = (uint64_t)st.st_size;
    c->stats.size = r->size;
    rc = native_header(c, r);
    if (rc < 0) {
        native_unmap(r);
        close(r->fd);
        free(r);
        return rc;
    }
    c->impl = r;
    c->ops = &native_ops;
    c->reader_name = r->pcapng ? "native pcapng" : "native pcap";
    return 0;
}

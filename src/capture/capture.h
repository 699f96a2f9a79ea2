/*
 * Packet sources. A source delivers packets in batches; a packet's bytes
 * stay valid until the next call on the same source. Capture files are read
 * by our own zero-copy reader of pcap and pcapng (capture_native), or
 * through libpcap for what it does not handle (capture_libpcap).
 */
#ifndef NETSPOT_CAPTURE_CAPTURE_H
#define NETSPOT_CAPTURE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

/* Packets per batch: large enough to amortise a call, small enough for
 * the batch's packet headers to stay in the L1 cache. */
#define CAPTURE_BATCH_MAX 256

struct capture_packet {
    const uint8_t *data; /* captured bytes, caplen of them */
    uint32_t caplen;     /* bytes captured */
    uint32_t wirelen;    /* bytes on the wire */
    int64_t ts_ns;       /* capture time, Unix nanoseconds */
    uint32_t linktype;   /* LINKTYPE_* value of the packet's interface */
};

struct capture_batch {
    size_t n;
    struct capture_packet pkts[CAPTURE_BATCH_MAX];
};

enum capture_reader {
    CAPTURE_READER_AUTO,    /* native reader, libpcap when it declines */
    CAPTURE_READER_NATIVE,  /* native reader only */
    CAPTURE_READER_LIBPCAP, /* libpcap only */
};

/* Totals of a source, for the end-of-run summary. */
struct capture_stats {
    uint64_t packets; /* packets delivered */
    uint64_t bytes;   /* wire bytes of the packets delivered */
    uint64_t offset;  /* bytes of the file consumed so far */
    uint64_t size;    /* size of the file in bytes, 0 if unknown */
    uint64_t dropped; /* packets lost before delivery (live capture) */
};

struct capture;

/*
 * Opens a capture file. name is used in messages. Returns 0 and a source in
 * *out, or a negative code with a detail naming the file and the cause
 * (missing, unreadable, empty, not a capture). The caller owns *out.
 */
int capture_open_file(const char *path, enum capture_reader reader,
                      struct capture **out);

/*
 * Fills batch with the next packets. Returns the number of packets (> 0),
 * 0 at the end of the source, or a negative code with a detail when the
 * source is broken (a truncated record, a corrupt block). Every complete
 * packet before the break is delivered first; after an error the source
 * is at its end.
 */
int capture_next(struct capture *c, struct capture_batch *batch);

/* Totals so far. */
void capture_stats_get(const struct capture *c, struct capture_stats *st);

/* Name of the reader in use ("native pcap", "native pcapng", "libpcap"). */
const char *capture_reader_name(const struct capture *c);

/* Closes the source; NULL is a no-op. */
void capture_close(struct capture *c);

#endif

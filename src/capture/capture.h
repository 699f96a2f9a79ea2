/*
 * Packet sources. A source delivers packets in batches; a packet's bytes
 * stay valid until the next call on the same source. Capture files are read
 * by our own zero-copy reader of pcap and pcapng (capture_native), or
 * through libpcap for what it does not handle (capture_libpcap).
 */
#ifndef NETSPOT_CAPTURE_CAPTURE_H
#define NETSPOT_CAPTURE_CAPTURE_H

#include <stdbool.h>
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
    /* Live capture only, as of the last capture_refresh_stats(): */
    uint64_t dropped_buffer; /* lost because the capture buffer was full */
    uint64_t dropped_iface;  /* lost by the interface or its driver */
};

struct capture;

/*
 * Opens a capture file. name is used in messages. Returns 0 and a source in
 * *out, or a negative code with a detail naming the file and the cause
 * (missing, unreadable, empty, not a capture). The caller owns *out.
 */
int capture_open_file(const char *path, enum capture_reader reader,
                      struct capture **out);

/* How a live source shares its interface with other sources. */
enum capture_fanout {
    CAPTURE_FANOUT_NONE, /* the source sees every packet */
    CAPTURE_FANOUT_NEW,  /* starts a new fanout group (Linux) */
    CAPTURE_FANOUT_JOIN, /* joins the group fanout_id (Linux) */
};

/* Options of a live source; the strings are only read during the call. */
struct capture_live_options {
    const char *device;  /* interface name, or "any" */
    bool promiscuous;    /* ask the interface for every frame */
    int snapshot_len;    /* bytes kept per packet, > 0 */
    int64_t timeout_ns;  /* buffer timeout; 0 is immediate mode */
    int buffer_size_mib; /* kernel buffer, MiB, at most 2047; 0 sizes it
                            for about 1024 packets, 2 to 32 MiB */
    const char *filter;  /* BPF expression as for tcpdump, or NULL */
    enum capture_fanout fanout;
    uint16_t fanout_id; /* group to join with CAPTURE_FANOUT_JOIN */
};

/*
 * Whether name is one of libpcap's capture devices (an interface or the
 * "any" pseudo-device). Returns 1, 0, or ERROR_IO with a detail when the
 * device list cannot be read.
 */
int capture_is_interface(const char *name);

/*
 * Opens a live capture on an interface through libpcap, activated, with
 * the filter applied. With a fanout, the kernel spreads the interface's
 * packets over the sources of one group by a hash of their flow, each
 * packet going to exactly one source; a source joining a group discards
 * what it received before it joined. Returns 0 and a source in *out, or
 * ERROR_PERM (missing privileges), ERROR_NOTFOUND (no such interface),
 * ERROR_INVALID (a filter that does not compile, a bad option),
 * ERROR_UNSUPPORTED (fanout outside Linux) or ERROR_IO, with a detail
 * naming the interface and what to do. The caller owns *out.
 */
int capture_open_live(const struct capture_live_options *opt,
                      struct capture **out);

/* Identifier of the fanout group of a live source, -1 if it has none. */
int capture_fanout_id(const struct capture *c);

/*
 * File descriptor that becomes readable when a live source has packets,
 * for poll(); -1 for a capture file (always ready) or when the platform
 * has none.
 */
int capture_selectable_fd(const struct capture *c);

/*
 * Reads the loss counters of a live source from the kernel into its
 * statistics (dropped_buffer, dropped_iface and dropped, their sum).
 * A system call: meant for period boundaries, by the thread that reads
 * the source. A no-op returning 0 for a capture file. Returns 0 or ERROR_IO.
 */
int capture_refresh_stats(struct capture *c);

/*
 * Fills batch with the next packets. Returns the number of packets (> 0),
 * 0 at the end of the source, or a negative code with a detail when the
 * source is broken (a truncated record, a corrupt block). Every complete
 * packet before the break is delivered first; after an error the source
 * is at its end.
 */
int capture_next(struct capture *c, struct capture_batch *batch);
/* A live source never ends: capture_next() returns 0 when no packet is
 * waiting, and capture_selectable_fd() tells when to try again. */

/*
 * BPF filters for capture files (live sources filter in the kernel).
 * The expression is compiled once per link type met, on its first packet.
 */
struct capture_filter;

/* Link types a filter compiles for: a file holds one or a few. */
#define CAPTURE_FILTER_MAX_LINKTYPES 8

/*
 * Checks expr (tcpdump syntax) by compiling it for Ethernet and keeps it
 * for capture_filter_batch(). snaplen is the largest packet, in bytes.
 * Returns 0 and a filter in *out (the caller frees it), or ERROR_INVALID
 * with a detail quoting the expression, or ERROR_NOMEM.
 */
int capture_filter_new(const char *expr, int snaplen,
                       struct capture_filter **out);

/*
 * Keeps in batch the packets the filter accepts, in order. Returns the
 * number of packets left out, or ERROR_INVALID when the expression does
 * not apply to a packet's link type, or ERROR_LIMIT past
 * CAPTURE_FILTER_MAX_LINKTYPES link types.
 */
int capture_filter_batch(struct capture_filter *f, struct capture_batch *batch);

/* Releases a filter; NULL is a no-op. */
void capture_filter_free(struct capture_filter *f);

/* Totals so far. */
void capture_stats_get(const struct capture *c, struct capture_stats *st);

/* Name of the reader in use ("native pcap", "native pcapng", "libpcap"). */
const char *capture_reader_name(const struct capture *c);

/* Closes the source; NULL is a no-op. */
void capture_close(struct capture *c);

#endif

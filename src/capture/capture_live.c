/*
 * Live capture on an interface through libpcap. The handle is read in
 * non-blocking mode: the caller waits on its selectable descriptor, so that
 * one poll() can watch the capture and a wake-up pipe at once. libpcap
 * hands out packets inside its ring only for the time of a callback, so
 * each one is copied into the source's arena, as the libpcap file reader
 * does.
 */
#include "capture/capture_impl.h"

#include "util/error.h"
#include "util/log.h"

#include <errno.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#ifdef __linux__
#include <linux/if_packet.h>
#include <sys/socket.h>
#endif

/* Bytes of packet data a batch holds when packets are small. */
#define LIVE_ARENA_SMALL (CAPTURE_BATCH_MAX * 2048u)

/* Room for the link header libpcap may add beyond the snapshot length
 * (the "any" device's cooked header). */
#define LIVE_CAPLEN_MARGIN 64u

/*
 * Kernel buffer when none is asked for. In immediate mode libpcap cuts its
 * ring into frames as large as the snapshot length, so that its 2 MiB
 * default holds 31 packets at the default 65535 bytes, and a worker that
 * is not scheduled for 6 ms at 5000 packets/s loses some. We size the ring
 * for LIVE_RING_FRAMES frames instead, within these bounds (bytes).
 */
#define LIVE_RING_FRAMES    1024u
#define LIVE_RING_FRAME_PAD 128u /* kernel and libpcap headers per frame */
#define LIVE_RING_MIN       (2u << 20)
#define LIVE_RING_MAX       (32u << 20)

/* Reads of the ring when discarding packets received before a source
 * joined its fanout group: a bound, so that a flood cannot stall start-up. */
#define LIVE_DRAIN_MAX_READS 1024

struct live_reader {
    pcap_t *pcap;
    uint32_t linktype;
    uint32_t max_caplen; /* largest packet a read can deliver */
    bool nano;           /* time stamps in nanoseconds */
    int fanout_id;       /* -1 without a fanout */
    uint32_t last_drop;  /* pcap_stats() values at the last refresh */
    uint32_t last_ifdrop;
    struct capture_batch *batch; /* being filled by the callback */
    size_t used;                 /* bytes of the arena in use */
    size_t arena_size;
    uint8_t *arena;
};

static const struct capture_ops live_ops;

static struct live_reader *live_of(const struct capture *c)
{
    return c != NULL && c->ops == &live_ops ? c->impl : NULL;
}

int capture_is_interface(const char *name)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_if_t *all;
    int found = 0;

    if (pcap_findalldevs(&all, errbuf) < 0)
        return error_set(ERROR_IO, "capture: cannot list the interfaces: %s",
                         errbuf);
    for (pcap_if_t *d = all; d != NULL && !found; d = d->next)
        found = strcmp(d->name, name) == 0;
    pcap_freealldevs(all);
    return found;
}

static void live_copy(u_char *user, const struct pcap_pkthdr *h,
                      const u_char *data)
{
    struct live_reader *r = (struct live_reader *)(void *)user;
    struct capture_packet *pkt = &r->batch->pkts[r->batch->n];
    uint32_t caplen = h->caplen;

    /* The read count keeps max_caplen free; this only guards the arena. */
    if (caplen > r->arena_size - r->used)
        caplen = (uint32_t)(r->arena_size - r->used);
    memcpy(r->arena + r->used, data, caplen);
    pkt->data = r->arena + r->used;
    pkt->caplen = caplen;
    pkt->wirelen = h->len < caplen ? caplen : h->len;
    pkt->ts_ns = (int64_t)h->ts.tv_sec * 1000000000 +
                 (int64_t)h->ts.tv_usec * (r->nano ? 1 : 1000);
    pkt->linktype = r->linktype;
    r->used += caplen;
    r->batch->n++;
}

static int live_next(struct capture *c, struct capture_batch *batch)
{
    struct live_reader *r = c->impl;

    r->batch = batch;
    r->used = 0;
    while (batch->n < CAPTURE_BATCH_MAX) {
        size_t room = (r->arena_size - r->used) / r->max_caplen;
        size_t want = CAPTURE_BATCH_MAX - batch->n;
        int cnt = (int)(room < want ? room : want);
        int rc;

        if (cnt == 0)
            break;
        rc = pcap_dispatch(r->pcap, cnt, live_copy, (u_char *)(void *)r);
        if (rc < 0 && rc != PCAP_ERROR_BREAK)
            return error_set(ERROR_IO, "capture: %s: %s", c->name,
                             pcap_geterr(r->pcap));
        if (rc < cnt)
            break;
    }
    return (int)batch->n;
}

static void live_close(struct capture *c)
{
    struct live_reader *r = c->impl;

    pcap_close(r->pcap);
    free(r->arena);
    free(r);
}

static const struct capture_ops live_ops = {live_next, live_close};

/* What to tell an operator for each failure of pcap_activate(). */
static int live_activate_error(const char *dev, int rc, pcap_t *p)
{
    switch (rc) {
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
        return error_set(ERROR_PERM,
                         "capture: %s: permission denied (%s): run as root, "
                         "or grant the capture capabilities with "
                         "'setcap cap_net_raw,cap_net_admin=eip "
                         "$(which netspot)'",
                         dev, pcap_geterr(p));
    case PCAP_ERROR_NO_SUCH_DEVICE:
        return error_set(ERROR_NOTFOUND,
                         "capture: %s: no such interface (see 'ip link')", dev);
    case PCAP_ERROR_IFACE_NOT_UP:
        return error_set(ERROR_IO,
                         "capture: %s: the interface is down: bring it up "
                         "with 'ip link set %s up'",
                         dev, dev);
    case PCAP_ERROR:
        return error_set(ERROR_IO, "capture: %s: cannot start the capture: %s",
                         dev, pcap_geterr(p));
    default:
        return error_set(ERROR_IO, "capture: %s: cannot start the capture: %s",
                         dev, pcap_statustostr(rc));
    }
}

static int live_timeout_ms(int64_t ns)
{
    int64_t ms = ns / 1000000 + (ns % 1000000 != 0);

    return ms > INT_MAX ? INT_MAX : (int)ms;
}

static int live_buffer_size(const struct capture_live_options *opt)
{
    uint64_t bytes = (uint64_t)LIVE_RING_FRAMES *
                     ((uint64_t)opt->snapshot_len + LIVE_RING_FRAME_PAD);

    if (opt->buffer_size_mib > 0)
        return opt->buffer_size_mib * 1024 * 1024;
    if (bytes < LIVE_RING_MIN)
        bytes = LIVE_RING_MIN;
    return (int)(bytes > LIVE_RING_MAX ? LIVE_RING_MAX : bytes);
}

/* Sets the options that must precede activation. */
static int live_configure(pcap_t *p, const struct capture_live_options *opt)
{
    int rc = pcap_set_snaplen(p, opt->snapshot_len);

    if (rc == 0)
        rc = pcap_set_promisc(p, opt->promiscuous);
    if (rc == 0 && opt->timeout_ns == 0)
        rc = pcap_set_immediate_mode(p, 1);
    /* Rounded up: a timeout under a millisecond must not become 0,
     * which libpcap reads as "wait forever". */
    if (rc == 0 && opt->timeout_ns > 0)
        rc = pcap_set_timeout(p, live_timeout_ms(opt->timeout_ns));
    if (rc == 0)
        rc = pcap_set_buffer_size(p, live_buffer_size(opt));
    if (rc != 0)
        return error_set(ERROR_INVALID, "capture: %s: bad capture option: %s",
                         opt->device, pcap_statustostr(rc));
    return 0;
}

static int live_filter(pcap_t *p, const char *dev, const char *filter)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    struct bpf_program prog;
    bpf_u_int32 net = 0;
    bpf_u_int32 mask = PCAP_NETMASK_UNKNOWN;
    int rc;

    if (filter == NULL || filter[0] == '\0')
        return 0;
    /* The netmask only matters to the "broadcast" keyword. */
    if (pcap_lookupnet(dev, &net, &mask, errbuf) < 0)
        mask = PCAP_NETMASK_UNKNOWN;
    if (pcap_compile(p, &prog, filter, 1, mask) < 0)
        return error_set(ERROR_INVALID, "capture: %s: invalid filter '%s': %s",
                         dev, filter, pcap_geterr(p));
    rc = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (rc < 0)
        return error_set(ERROR_IO, "capture: %s: cannot apply filter '%s': %s",
                         dev, filter, pcap_geterr(p));
    return 0;
}

static void live_discard(u_char *user, const struct pcap_pkthdr *h,
                         const u_char *data)
{
    (void)user;
    (void)h;
    (void)data;
}

#ifdef __linux__
/* Joins (or starts) a fanout group on the handle's packet socket; libpcap
 * has no call for it. A new group gets an identifier no other group of
 * the network namespace uses, so that we never take another program's
 * packets. Then drops what the socket received on its own before. */
static int live_fanout(struct live_reader *r, const char *dev,
                       const struct capture_live_options *opt)
{
    int fd = pcap_fileno(r->pcap);
    int type = PACKET_FANOUT_HASH;
    int val;
    socklen_t len = sizeof(val);

    if (opt->fanout == CAPTURE_FANOUT_NEW)
        type |= PACKET_FANOUT_FLAG_UNIQUEID;
    val = (opt->fanout == CAPTURE_FANOUT_JOIN ? opt->fanout_id : 0) |
          (type << 16);
    if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &val, sizeof(val)) < 0)
        return error_set(
            ERROR_IO,
            "capture: %s: cannot join a packet fanout group: "
            "%s (an old kernel lacks a unique group id: use one worker)",
            dev, strerror(errno));
    if (getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &val, &len) < 0)
        return error_set(ERROR_IO, "capture: %s: fanout group unknown: %s", dev,
                         strerror(errno));
    r->fanout_id = val & 0xffff;
    if (opt->fanout == CAPTURE_FANOUT_JOIN) {
        for (int i = 0; i < LIVE_DRAIN_MAX_READS; i++)
            if (pcap_dispatch(r->pcap, -1, live_discard, NULL) <= 0)
                break;
    }
    return 0;
}
#else
static int live_fanout(struct live_reader *r, const char *dev,
                       const struct capture_live_options *opt)
{
    (void)r;
    (void)opt;
    return error_set(ERROR_UNSUPPORTED,
                     "capture: %s: several workers need the packet fanout "
                     "of Linux; use one worker",
                     dev);
}
#endif

/* Creates and activates the handle; warnings are logged, not fatal. */
static int live_activate(struct live_reader *r,
                         const struct capture_live_options *opt)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    int rc;

    r->pcap = pcap_create(opt->device, errbuf);
    if (r->pcap == NULL)
        return error_set(ERROR_IO, "capture: %s: %s", opt->device, errbuf);
    rc = live_configure(r->pcap, opt);
    if (rc < 0)
        return rc;
    r->nano =
        pcap_set_tstamp_precision(r->pcap, PCAP_TSTAMP_PRECISION_NANO) == 0;
    rc = pcap_activate(r->pcap);
    if (rc < 0)
        return live_activate_error(opt->device, rc, r->pcap);
    if (rc > 0)
        log_write(LOG_WARN, "capture", "%s: %s", opt->device,
                  rc == PCAP_WARNING ? pcap_geterr(r->pcap)
                                     : pcap_statustostr(rc));
    if (pcap_setnonblock(r->pcap, 1, errbuf) < 0)
        return error_set(ERROR_IO, "capture: %s: %s", opt->device, errbuf);
    return 0;
}

static int live_open(struct live_reader *r,
                     const struct capture_live_options *opt)
{
    int rc = live_activate(r, opt);

    if (rc == 0)
        rc = live_filter(r->pcap, opt->device, opt->filter);
    if (rc == 0 && opt->fanout != CAPTURE_FANOUT_NONE)
        rc = live_fanout(r, opt->device, opt);
    if (rc < 0)
        return rc;
    /* DLT_RAW is 12 or 14 depending on the system; files say 101. */
    r->linktype = pcap_datalink(r->pcap) == DLT_RAW
                      ? 101
                      : (uint32_t)pcap_datalink(r->pcap);
    r->max_caplen = (uint32_t)pcap_snapshot(r->pcap) + LIVE_CAPLEN_MARGIN;
    r->arena_size = LIVE_ARENA_SMALL + r->max_caplen;
    r->arena = malloc(r->arena_size);
    if (r->arena == NULL)
        return error_set(ERROR_NOMEM, "capture: %s: out of memory",
                         opt->device);
    return 0;
}

int capture_open_live(const struct capture_live_options *opt,
                      struct capture **out)
{
    struct capture *c = calloc(1, sizeof(*c));
    struct live_reader *r = calloc(1, sizeof(*r));
    int rc;

    *out = NULL;
    if (c == NULL || r == NULL || (c->name = strdup(opt->device)) == NULL) {
        rc = error_set(ERROR_NOMEM, "capture: %s: out of memory", opt->device);
        goto fail;
    }
    r->fanout_id = -1;
    rc = live_open(r, opt);
    if (rc < 0)
        goto fail;
    c->impl = r;
    c->ops = &live_ops;
    c->reader_name = "libpcap live";
    *out = c;
    return 0;

fail:
    if (r != NULL && r->pcap != NULL)
        pcap_close(r->pcap);
    if (r != NULL)
        free(r->arena);
    free(r);
    if (c != NULL)
        free(c->name);
    free(c);
    return rc;
}

int capture_fanout_id(const struct capture *c)
{
    const struct live_reader *r = live_of(c);

    return r != NULL ? r->fanout_id : -1;
}

int capture_selectable_fd(const struct capture *c)
{
    const struct live_reader *r = live_of(c);

    return r != NULL ? pcap_get_selectable_fd(r->pcap) : -1;
}

int capture_refresh_stats(struct capture *c)
{
    struct live_reader *r = live_of(c);
    struct pcap_stat ps;

    if (r == NULL)
        return 0;
    if (pcap_stats(r->pcap, &ps) < 0)
        return error_set(ERROR_IO, "capture: %s: cannot read the drops: %s",
                         c->name, pcap_geterr(r->pcap));
    /* libpcap's counters are 32 bits wide: add their differences,
     * which stay right across a wrap. */
    c->stats.dropped_buffer += (uint32_t)(ps.ps_drop - r->last_drop);
    c->stats.dropped_iface += (uint32_t)(ps.ps_ifdrop - r->last_ifdrop);
    c->stats.dropped = c->stats.dropped_buffer + c->stats.dropped_iface;
    r->last_drop = ps.ps_drop;
    r->last_ifdrop = ps.ps_ifdrop;
    return 0;
}

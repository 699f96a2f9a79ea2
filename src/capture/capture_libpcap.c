/*
 * Capture files through libpcap, for the formats the native reader leaves
 * aside (and on request). libpcap reuses its buffer at every read, so each
 * packet is copied into the batch's own arena; a batch ends early when the
 * next packet would not fit.
 */
#include "capture/capture_impl.h"

#include "util/error.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Arena of a batch: four times the largest packet libpcap delivers
 * (262144 bytes), so that a batch always holds at least one. */
#define CAPTURE_LIBPCAP_ARENA (1u << 20)

struct libpcap_reader {
    pcap_t *pcap;
    uint32_t linktype;
    struct pcap_pkthdr *held_hdr; /* read but not delivered: arena full */
    const u_char *held_data;
    uint8_t arena[CAPTURE_LIBPCAP_ARENA];
};

/* libpcap reports DLT values; packets carry LINKTYPE values, as in files. */
static uint32_t libpcap_linktype(int dlt)
{
    if (dlt == DLT_RAW)
        return 101;
    return (uint32_t)dlt;
}

/* Seconds are unsigned in the file format; libpcap makes them signed. */
static int64_t libpcap_ts(const struct pcap_pkthdr *h)
{
    /* Opened with nanosecond precision: tv_usec holds nanoseconds. */
    return (int64_t)(uint32_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec;
}

static int libpcap_read(struct capture *c, struct libpcap_reader *r,
                        struct pcap_pkthdr **h, const u_char **data)
{
    int rc;

    if (r->held_hdr != NULL) {
        *h = r->held_hdr;
        *data = r->held_data;
        r->held_hdr = NULL;
        return 1;
    }
    rc = pcap_next_ex(r->pcap, h, data);
    if (rc == PCAP_ERROR_BREAK)
        return 0;
    if (rc != 1)
        return error_set(ERROR_TRUNCATED, "%s: %s", c->name,
                         pcap_geterr(r->pcap));
    return 1;
}

/* Position in the file, for the progress line; 0 when it cannot be told
 * (a pipe). */
static void libpcap_offset(struct capture *c, struct libpcap_reader *r)
{
    FILE *f = pcap_file(r->pcap);
    off_t off = f != NULL ? ftello(f) : -1;

    c->stats.offset = off > 0 ? (uint64_t)off : 0;
}

static int libpcap_next(struct capture *c, struct capture_batch *batch)
{
    struct libpcap_reader *r = c->impl;
    size_t used = 0;

    while (batch->n < CAPTURE_BATCH_MAX) {
        struct capture_packet *pkt = &batch->pkts[batch->n];
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = libpcap_read(c, r, &h, &data);

        if (rc <= 0)
            return rc < 0 ? rc : (int)batch->n;
        if (h->caplen > CAPTURE_LIBPCAP_ARENA - used) {
            /* libpcap keeps its buffer until the next read: hold on. */
            r->held_hdr = h;
            r->held_data = data;
            break;
        }
        memcpy(r->arena + used, data, h->caplen);
        pkt->data = r->arena + used;
        pkt->caplen = h->caplen;
        pkt->wirelen = h->len < h->caplen ? h->caplen : h->len;
        pkt->ts_ns = libpcap_ts(h);
        pkt->linktype = r->linktype;
        used += h->caplen;
        batch->n++;
    }
    libpcap_offset(c, r);
    return (int)batch->n;
}

static void libpcap_close(struct capture *c)
{
    struct libpcap_reader *r = c->impl;

    pcap_close(r->pcap);
    free(r);
}

static const struct capture_ops libpcap_ops = {libpcap_next, libpcap_close};

int capture_libpcap_open(struct capture *c, const char *path)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    struct stat st;
    struct libpcap_reader *r = calloc(1, sizeof(*r));

    if (r == NULL)
        return error_set(ERROR_NOMEM, "%s: out of memory", c->name);
    r->pcap = pcap_open_offline_with_tstamp_precision(
        path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (r->pcap == NULL) {
        free(r);
        return error_set(ERROR_FORMAT, "%s: not a readable capture (%s)",
                         c->name, errbuf);
    }
    r->linktype = libpcap_linktype(pcap_datalink(r->pcap));
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
        c->stats.size = (uint64_t)st.st_size;
    c->impl = r;
    c->ops = &libpcap_ops;
    c->reader_name = "libpcap";
    return 0;
}

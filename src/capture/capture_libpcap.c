/*
 * Capture files through libpcap, for the formats the native reader leaves
 * aside (and on request). libpcap reuses its buffer at every read, so the
 * first CAPTURE_LIBPCAP_COPY bytes of each packet are copied into the
 * batch's own storage: the decoders read headers only.
 */
#include "capture/capture_impl.h"

#include "util/error.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

/* Bytes kept per packet: every header netspot decodes fits well within. */
#define CAPTURE_LIBPCAP_COPY 512

struct libpcap_reader {
    pcap_t *pcap;
    uint32_t linktype;
    uint8_t storage[CAPTURE_BATCH_MAX][CAPTURE_LIBPCAP_COPY];
};

/* libpcap reports DLT values; packets carry LINKTYPE values, as in files. */
static uint32_t libpcap_linktype(int dlt)
{
    if (dlt == DLT_RAW)
        return 101;
    return (uint32_t)dlt;
}

static int libpcap_next(struct capture *c, struct capture_batch *batch)
{
    struct libpcap_reader *r = c->impl;

    while (batch->n < CAPTURE_BATCH_MAX) {
        struct capture_packet *pkt = &batch->pkts[batch->n];
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(r->pcap, &h, &data);

        if (rc == PCAP_ERROR_BREAK)
            break;
        if (rc != 1)
            return error_set(ERROR_TRUNCATED, "%s: %s", c->name,
                             pcap_geterr(r->pcap));
        pkt->caplen =
            h->caplen < CAPTURE_LIBPCAP_COPY ? h->caplen : CAPTURE_LIBPCAP_COPY;
        memcpy(r->storage[batch->n], data, pkt->caplen);
        pkt->data = r->storage[batch->n];
        pkt->wirelen = h->len < h->caplen ? h->caplen : h->len;
        /* Opened with nanosecond precision: tv_usec holds nanoseconds. */
        pkt->ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec;
        pkt->linktype = r->linktype;
        batch->n++;
    }
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
    c->impl = r;
    c->ops = &libpcap_ops;
    c->reader_name = "libpcap";
    return 0;
}

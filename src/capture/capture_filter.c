/*
 * BPF filters on capture files: libpcap compiles the expression for a
 * link type and runs it on each packet, as tcpdump -r does. A capture file
 * may mix link types (pcapng), hence one program per link type.
 */
#include "capture/capture.h"

#include "util/error.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

struct capture_filter_prog {
    uint32_t linktype;
    struct bpf_program prog;
};

struct capture_filter {
    char *expr;
    int snaplen;
    size_t n;
    struct capture_filter_prog progs[CAPTURE_FILTER_MAX_LINKTYPES];
};

/* Files say LINKTYPE_RAW (101); libpcap compiles for DLT_RAW, whose value
 * depends on the system. The other types we read share their values. */
static int capture_filter_dlt(uint32_t linktype)
{
    return linktype == 101 ? DLT_RAW : (int)linktype;
}

static int capture_filter_compile(const struct capture_filter *f,
                                  uint32_t linktype, struct bpf_program *prog)
{
    pcap_t *dead = pcap_open_dead(capture_filter_dlt(linktype), f->snaplen);
    int rc = 0;

    if (dead == NULL)
        return error_set(ERROR_NOMEM, "filter '%s': out of memory", f->expr);
    if (pcap_compile(dead, prog, f->expr, 1, PCAP_NETMASK_UNKNOWN) < 0)
        rc = error_set(ERROR_INVALID, "invalid filter '%s' (link type %u): %s",
                       f->expr, linktype, pcap_geterr(dead));
    pcap_close(dead);
    return rc;
}

int capture_filter_new(const char *expr, int snaplen,
                       struct capture_filter **out)
{
    struct capture_filter *f = calloc(1, sizeof(*f));
    struct bpf_program check;
    int rc;

    *out = NULL;
    if (f == NULL || (f->expr = strdup(expr)) == NULL) {
        free(f);
        return error_set(ERROR_NOMEM, "filter '%s': out of memory", expr);
    }
    f->snaplen = snaplen;
    /* Syntax errors show at start, whatever the file holds. */
    rc = capture_filter_compile(f, 1, &check);
    if (rc < 0) {
        capture_filter_free(f);
        return rc;
    }
    pcap_freecode(&check);
    *out = f;
    return 0;
}

static int capture_filter_prog(struct capture_filter *f, uint32_t linktype,
                               const struct bpf_program **out)
{
    int rc;

    for (size_t i = 0; i < f->n; i++) {
        if (f->progs[i].linktype == linktype) {
            *out = &f->progs[i].prog;
            return 0;
        }
    }
    if (f->n == CAPTURE_FILTER_MAX_LINKTYPES)
        return error_set(ERROR_LIMIT, "filter '%s': more than %d link types",
                         f->expr, CAPTURE_FILTER_MAX_LINKTYPES);
    rc = capture_filter_compile(f, linktype, &f->progs[f->n].prog);
    if (rc < 0)
        return rc;
    f->progs[f->n].linktype = linktype;
    *out = &f->progs[f->n++].prog;
    return 0;
}

int capture_filter_batch(struct capture_filter *f, struct capture_batch *batch)
{
    size_t kept = 0;
    size_t n = batch->n;

    for (size_t i = 0; i < n; i++) {
        const struct capture_packet *pkt = &batch->pkts[i];
        const struct bpf_program *prog = NULL;
        struct pcap_pkthdr h;
        int rc = capture_filter_prog(f, pkt->linktype, &prog);

        if (rc < 0) {
            batch->n = kept;
            return rc;
        }
        memset(&h, 0, sizeof(h));
        h.caplen = pkt->caplen;
        h.len = pkt->wirelen;
        if (pcap_offline_filter(prog, &h, pkt->data) != 0)
            batch->pkts[kept++] = *pkt;
    }
    batch->n = kept;
    return (int)(n - kept);
}

void capture_filter_free(struct capture_filter *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->n; i++)
        pcap_freecode(&f->progs[i].prog);
    free(f->expr);
    free(f);
}

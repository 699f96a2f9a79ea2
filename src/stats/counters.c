#include "stats/counters.h"

#include <string.h>

static const char *const counters_names[COUNTERS_COUNT] = {
    [COUNTERS_PKTS] = "PKTS",
    [COUNTERS_SOURCE_TIME] = "SOURCE_TIME",
    [COUNTERS_REAL_TIME] = "REAL_TIME",
    [COUNTERS_IP] = "IP",
    [COUNTERS_IP_BYTES] = "IP_BYTES",
    [COUNTERS_NB_UNIQ_SRC_ADDR] = "NB_UNIQ_SRC_ADDR",
    [COUNTERS_NB_UNIQ_DST_ADDR] = "NB_UNIQ_DST_ADDR",
    [COUNTERS_SYN] = "SYN",
    [COUNTERS_ACK] = "ACK",
    [COUNTERS_FIN] = "FIN",
    [COUNTERS_RST] = "RST",
    [COUNTERS_URG] = "URG",
    [COUNTERS_NB_UNIQ_SRC_PORT] = "NB_UNIQ_SRC_PORT",
    [COUNTERS_NB_UNIQ_DST_PORT] = "NB_UNIQ_DST_PORT",
    [COUNTERS_UDP] = "UDP",
    [COUNTERS_ICMP] = "ICMP",
    [COUNTERS_ARP] = "ARP",
};

const char *counters_name(enum counters_id id)
{
    return counters_names[id];
}

int counters_init(struct counters *c)
{
    int rc;

    memset(c, 0, sizeof(*c));
    rc = distinct_init(&c->src_addr);
    if (rc == 0)
        rc = distinct_init(&c->dst_addr);
    if (rc < 0)
        counters_free(c);
    return rc;
}

void counters_free(struct counters *c)
{
    distinct_free(&c->src_addr);
    distinct_free(&c->dst_addr);
}

void counters_reset(struct counters *c)
{
    int64_t last = (int64_t)c->tally[COUNTERS_SOURCE_TIME];

    memset(c->tally, 0, sizeof(c->tally));
    /* SOURCE_TIME is the last capture time seen: it survives the period. */
    c->tally[COUNTERS_SOURCE_TIME] = (uint64_t)last;
    distinct_reset(&c->src_addr);
    distinct_reset(&c->dst_addr);
    memset(c->src_ports, 0, sizeof(c->src_ports));
    memset(c->dst_ports, 0, sizeof(c->dst_ports));
}

static inline void counters_port(uint64_t *bitmap, uint16_t port)
{
    bitmap[port >> 6] |= UINT64_C(1) << (port & 63);
}

static inline void counters_tcp(struct counters *c,
                                const struct decode_result *r)
{
    uint8_t f = r->tcp_flags;

    c->tally[COUNTERS_SYN] += (f & DECODE_TCP_SYN) != 0;
    c->tally[COUNTERS_ACK] += (f & DECODE_TCP_ACK) != 0;
    c->tally[COUNTERS_FIN] += (f & DECODE_TCP_FIN) != 0;
    c->tally[COUNTERS_RST] += (f & DECODE_TCP_RST) != 0;
    c->tally[COUNTERS_URG] += (f & DECODE_TCP_URG) != 0;
    counters_port(c->src_ports, r->sport);
    counters_port(c->dst_ports, r->dport);
}

/* Packets whose address slots are fetched ahead at a time: enough to
 * cover the memory latency, few enough that the lines stay in cache. */
#define COUNTERS_AHEAD 32

/* Hashes a packet's addresses and fetches their slots; 0 when not IP. */
static inline void counters_hash(const struct counters *c,
                                 const struct decode_result *r, uint64_t key[2])
{
    if ((r->flags & DECODE_IP) == 0) {
        key[0] = key[1] = 0;
        return;
    }
    key[0] = distinct_hash_addr(r->src, r->addr_len);
    key[1] = distinct_hash_addr(r->dst, r->addr_len);
    distinct_prefetch(&c->src_addr, key[0]);
    distinct_prefetch(&c->dst_addr, key[1]);
}

/* Counts a packet whose address hashes are key (counters_hash). */
static inline void counters_count(struct counters *c,
                                  const struct decode_result *r,
                                  const uint64_t key[2])
{
    c->tally[COUNTERS_PKTS]++;
    if ((r->flags & DECODE_IP) == 0) {
        c->tally[COUNTERS_ARP] += (r->flags & DECODE_ARP) != 0;
        return;
    }
    c->tally[COUNTERS_IP]++;
    c->tally[COUNTERS_IP_BYTES] += r->ip_len;
    distinct_add(&c->src_addr, key[0]);
    distinct_add(&c->dst_addr, key[1]);
    if (r->flags & DECODE_TCP)
        counters_tcp(c, r);
    else if (r->flags & DECODE_UDP)
        c->tally[COUNTERS_UDP]++;
    else if (r->flags & DECODE_ICMP)
        c->tally[COUNTERS_ICMP]++;
}

static inline void counters_saw(struct counters *c, int64_t ts_ns)
{
    if ((int64_t)c->tally[COUNTERS_SOURCE_TIME] < ts_ns)
        c->tally[COUNTERS_SOURCE_TIME] = (uint64_t)ts_ns;
}

void counters_add(struct counters *c, const struct decode_result *r,
                  int64_t ts_ns)
{
    uint64_t key[2];

    counters_saw(c, ts_ns);
    counters_hash(c, r, key);
    counters_count(c, r, key);
}

void counters_add_many(struct counters *c, const struct decode_result *r,
                       size_t n, int64_t last_ns)
{
    uint64_t keys[COUNTERS_AHEAD][2];

    if (n == 0)
        return;
    counters_saw(c, last_ns);
    for (size_t base = 0; base < n; base += COUNTERS_AHEAD) {
        size_t m = n - base < COUNTERS_AHEAD ? n - base : COUNTERS_AHEAD;

        for (size_t i = 0; i < m; i++)
            counters_hash(c, &r[base + i], keys[i]);
        for (size_t i = 0; i < m; i++)
            counters_count(c, &r[base + i], keys[i]);
    }
}

void counters_merge(struct counters *dst, const struct counters *src)
{
    for (int i = 0; i < COUNTERS_COUNT; i++) {
        if (i != COUNTERS_SOURCE_TIME)
            dst->tally[i] += src->tally[i];
    }
    if (src->tally[COUNTERS_SOURCE_TIME] > dst->tally[COUNTERS_SOURCE_TIME])
        dst->tally[COUNTERS_SOURCE_TIME] = src->tally[COUNTERS_SOURCE_TIME];
    distinct_merge(&dst->src_addr, &src->src_addr);
    distinct_merge(&dst->dst_addr, &src->dst_addr);
    for (int i = 0; i < COUNTERS_PORT_WORDS; i++) {
        dst->src_ports[i] |= src->src_ports[i];
        dst->dst_ports[i] |= src->dst_ports[i];
    }
}

static uint64_t counters_popcount(const uint64_t *bitmap)
{
    uint64_t n = 0;

    for (int i = 0; i < COUNTERS_PORT_WORDS; i++)
        n += (uint64_t)__builtin_popcountll(bitmap[i]);
    return n;
}

void counters_read(const struct counters *c, struct counters_values *out)
{
    memcpy(out->v, c->tally, sizeof(out->v));
    out->v[COUNTERS_NB_UNIQ_SRC_ADDR] = distinct_count(&c->src_addr);
    out->v[COUNTERS_NB_UNIQ_DST_ADDR] = distinct_count(&c->dst_addr);
    out->v[COUNTERS_NB_UNIQ_SRC_PORT] = counters_popcount(c->src_ports);
    out->v[COUNTERS_NB_UNIQ_DST_PORT] = counters_popcount(c->dst_ports);
}

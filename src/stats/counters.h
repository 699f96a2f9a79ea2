/*
 * Counters: per-period tallies of packets, the 17 of the original netspot
 * extended to IPv6. A worker owns one struct counters and updates it with
 * no lock; at the end of a period the workers' counters are merged and
 * read as struct counters_values.
 */
#ifndef NETSPOT_STATS_COUNTERS_H
#define NETSPOT_STATS_COUNTERS_H

#include "decode/decode.h"
#include "stats/distinct.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum counters_id {
    COUNTERS_PKTS,             /* every packet */
    COUNTERS_SOURCE_TIME,      /* capture time of the last packet, Unix ns */
    COUNTERS_REAL_TIME,        /* wall-clock time at the period end, ns */
    COUNTERS_IP,               /* IPv4 and IPv6 packets */
    COUNTERS_IP_BYTES,         /* sum of IP datagram lengths, header incl. */
    COUNTERS_NB_UNIQ_SRC_ADDR, /* distinct IP source addresses */
    COUNTERS_NB_UNIQ_DST_ADDR, /* distinct IP destination addresses */
    COUNTERS_SYN,              /* TCP segments with SYN (SYN-ACK too) */
    COUNTERS_ACK,
    COUNTERS_FIN,
    COUNTERS_RST,
    COUNTERS_URG,
    COUNTERS_NB_UNIQ_SRC_PORT, /* distinct TCP source ports */
    COUNTERS_NB_UNIQ_DST_PORT, /* distinct TCP destination ports */
    COUNTERS_UDP,
    COUNTERS_ICMP, /* ICMP and ICMPv6 */
    COUNTERS_ARP,
    COUNTERS_COUNT
};

/* One period's values, indexed by enum counters_id. */
struct counters_values {
    uint64_t v[COUNTERS_COUNT];
};

/* Name of a counter ("NB_UNIQ_SRC_ADDR"). */
const char *counters_name(enum counters_id id);

/* Words of a bitmap of the 65536 TCP ports. */
#define COUNTERS_PORT_WORDS (65536 / 64)

/* A worker's tallies for the current period. */
struct counters {
    uint64_t tally[COUNTERS_COUNT]; /* the plain counters, by id */
    struct distinct src_addr;
    struct distinct dst_addr;
    uint64_t src_ports[COUNTERS_PORT_WORDS];
    uint64_t dst_ports[COUNTERS_PORT_WORDS];
};

/* Allocates the distinct-address tables. Returns 0 or ERROR_NOMEM. */
int counters_init(struct counters *c);

/* Releases the tables; a zeroed struct is a no-op. */
void counters_free(struct counters *c);

/* Empties every tally for a new period. */
void counters_reset(struct counters *c);

/* Counts one decoded packet captured at ts_ns (Unix ns). */
void counters_add(struct counters *c, const struct decode_result *r,
                  int64_t ts_ns);

/*
 * Counts n decoded packets of one period, the latest captured at last_ns
 * (Unix ns): the same tallies as n calls of counters_add(), faster, since
 * the address tables are fetched ahead of their use.
 */
void counters_add_many(struct counters *c, const struct decode_result *r,
                       size_t n, int64_t last_ns);

/* Adds the tallies of src into dst (SOURCE_TIME keeps the latest). */
void counters_merge(struct counters *dst, const struct counters *src);

/* Reads the period's values; REAL_TIME is left for the caller to set. */
void counters_read(const struct counters *c, struct counters_values *out);

#endif

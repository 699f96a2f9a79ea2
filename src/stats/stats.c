#include "stats/stats.h"

#include <math.h>
#include <string.h>

struct stats_info {
    const char *name;
    const char *description;
};

static const struct stats_info stats_table[STATS_COUNT] = {
    [STATS_AVG_PKT_SIZE] = {"AVG_PKT_SIZE",
                            "Average size of the IP packets (in bytes)"},
    [STATS_PERF] = {"PERF", "Packet processing rate (pkts/second)"},
    [STATS_R_ACK] = {"R_ACK", "Ratio of ACK packets (ACK/IP)"},
    [STATS_R_ARP] = {"R_ARP", "Ratio of ARP packets (ARP/ALL)"},
    [STATS_R_DST_SRC] = {"R_DST_SRC", "Ratio of unique destination "
                                      "addresses to unique source addresses"},
    [STATS_R_DST_SRC_PORT] = {"R_DST_SRC_PORT",
                              "Ratio of unique destination ports to unique "
                              "source ports"},
    [STATS_R_ICMP] = {"R_ICMP", "Ratio of ICMP packets (ICMP/IP)"},
    [STATS_R_IP] = {"R_IP", "Ratio of IP packets (IP/ALL)"},
    [STATS_R_SYN] = {"R_SYN", "Ratio of SYN packets (SYN/IP)"},
    [STATS_TRAFFIC] = {"TRAFFIC", "Packet source rate (pkts/second)"},
};

const char *stats_name(enum stats_id id)
{
    return stats_table[id].name;
}

const char *stats_description(enum stats_id id)
{
    return stats_table[id].description;
}

int stats_lookup(const char *name)
{
    for (int id = 0; id < STATS_COUNT; id++)
        if (strcmp(name, stats_table[id].name) == 0)
            return id;
    return -1;
}

bool stats_monitored(enum stats_id id)
{
    return id != STATS_PERF;
}

/* The original's rule for most ratios: 0 when nothing was counted, NaN
 * when only the denominator is zero. */
static double stats_ratio(uint64_t num, uint64_t den)
{
    if (num == 0)
        return 0.0;
    if (den == 0)
        return NAN;
    return (double)num / (double)den;
}

/* R_SYN and R_ACK are 0 whenever either side is zero, never NaN. */
static double stats_ratio_or_zero(uint64_t num, uint64_t den)
{
    return num == 0 || den == 0 ? 0.0 : (double)num / (double)den;
}

/* PERF: packets processed per wall-clock second since the last period. */
static double stats_perf(const struct counters_values *c,
                         const struct stats_state *state)
{
    int64_t dt = (int64_t)c->v[COUNTERS_REAL_TIME] - state->prev_real_time_ns;

    if (state->prev_real_time_ns == 0)
        return NAN;
    if (dt <= 0 || c->v[COUNTERS_PKTS] == 0)
        return 0.0;
    return (double)c->v[COUNTERS_PKTS] / ((double)dt * 1e-9);
}

double stats_compute(enum stats_id id, const struct counters_values *c,
                     int64_t period_ns, struct stats_state *state)
{
    const uint64_t *v = c->v;

    switch (id) {
    case STATS_AVG_PKT_SIZE:
        return stats_ratio(v[COUNTERS_IP_BYTES], v[COUNTERS_IP]);
    case STATS_PERF:
        return stats_perf(c, state);
    case STATS_R_ACK:
        return stats_ratio_or_zero(v[COUNTERS_ACK], v[COUNTERS_IP]);
    case STATS_R_ARP:
        return stats_ratio(v[COUNTERS_ARP], v[COUNTERS_PKTS]);
    case STATS_R_DST_SRC:
        return stats_ratio(v[COUNTERS_NB_UNIQ_DST_ADDR],
                           v[COUNTERS_NB_UNIQ_SRC_ADDR]);
    case STATS_R_DST_SRC_PORT:
        return stats_ratio(v[COUNTERS_NB_UNIQ_DST_PORT],
                           v[COUNTERS_NB_UNIQ_SRC_PORT]);
    case STATS_R_ICMP:
        return stats_ratio(v[COUNTERS_ICMP], v[COUNTERS_IP]);
    case STATS_R_IP:
        return stats_ratio(v[COUNTERS_IP], v[COUNTERS_PKTS]);
    case STATS_R_SYN:
        return stats_ratio_or_zero(v[COUNTERS_SYN], v[COUNTERS_IP]);
    case STATS_TRAFFIC:
        /* IP packets per second of capture time over the whole period. */
        return (double)v[COUNTERS_IP] / ((double)period_ns * 1e-9);
    default:
        return NAN;
    }
}

void stats_state_advance(struct stats_state *state,
                         const struct counters_values *c)
{
    state->prev_real_time_ns = (int64_t)c->v[COUNTERS_REAL_TIME];
}

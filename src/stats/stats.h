/*
 * Statistics: the values computed once per period from the counters, each
 * watched by one detector. Names and formulas are those of the original
 * netspot (see docs/statistics.md).
 */
#ifndef NETSPOT_STATS_STATS_H
#define NETSPOT_STATS_STATS_H

#include "stats/counters.h"

#include <stdbool.h>
#include <stdint.h>

/* Sorted by name, the order `netspot ls` prints them in. */
enum stats_id {
    STATS_AVG_PKT_SIZE,
    STATS_PERF,
    STATS_R_ACK,
    STATS_R_ARP,
    STATS_R_DST_SRC,
    STATS_R_DST_SRC_PORT,
    STATS_R_ICMP,
    STATS_R_IP,
    STATS_R_SYN,
    STATS_TRAFFIC,
    STATS_COUNT
};

/* Name of a statistic ("R_SYN"). */
const char *stats_name(enum stats_id id);

/* One-line description of a statistic, with its unit. */
const char *stats_description(enum stats_id id);

/* Looks a statistic up by its exact name; returns its id or -1. */
int stats_lookup(const char *name);

/* Whether a statistic is fed to a detector (PERF is not: it measures
 * netspot itself, not the traffic). */
bool stats_monitored(enum stats_id id);

/*
 * State a statistic keeps from one period to the next (the previous
 * wall-clock time for PERF).
 */
struct stats_state {
    int64_t prev_real_time_ns; /* 0 before the first period */
};

/*
 * Computes one statistic from a period's counters. period_ns is the length
 * of the period in nanoseconds. Returns NaN where the original does (a
 * ratio whose denominator is zero, the first PERF value).
 */
double stats_compute(enum stats_id id, const struct counters_values *c,
                     int64_t period_ns, struct stats_state *state);

/* Advances state after every statistic of a period has been computed. */
void stats_state_advance(struct stats_state *state,
                         const struct counters_values *c);

#endif

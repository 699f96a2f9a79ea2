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

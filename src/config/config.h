/*
 * The configuration model: every key of the original netspot, with its
 * defaults, plus this version's additions. Strings are owned by the
 * struct config and released by config_free().
 */
#ifndef NETSPOT_CONFIG_CONFIG_H
#define NETSPOT_CONFIG_CONFIG_H

#include "detect/spot.h"
#include "stats/stats.h"
#include "util/log.h"

#include <stdbool.h>
#include <stdint.h>

struct config_miner {
    char *device;        /* interface name or capture file path */
    bool promiscuous;    /* interface capture only */
    int snapshot_len;    /* bytes kept per packet, interface capture */
    int64_t timeout_ns;  /* libpcap buffer timeout; 0 is immediate mode */
    char *filter;        /* BPF filter expression, NULL for none */
    int buffer_size_mib; /* kernel capture buffer, 0 for libpcap's default */
    int workers;         /* packet workers; 0 chooses from the cores */
    char *user;          /* user to switch to after opening, or NULL */
};

struct config_analyzer {
    int64_t period_ns; /* length of a period */
    int n_stats;       /* statistics loaded, in load order */
    enum stats_id stats[STATS_COUNT];
};

struct config_console {
    bool data;
    bool alarm;
};

struct config_file {
    char *data;  /* path with an optional %s series name, or NULL */
    char *alarm; /* same, for alarms */
};

struct config_socket {
    char *data; /* proto://address, or NULL */
    char *alarm;
    char *format; /* json or csv */
    char *tag;
};

struct config_influxdb {
    bool data;
    bool alarm;
    char *address;
    char *database;
    char *username;
    char *password;
    int batch_size;
    char *agent_name;
};

struct config_websocket {
    bool data;
    bool alarm;
    char *endpoint;
};

struct config_exporter {
    struct config_console console;
    struct config_file file;
    struct config_socket socket;
    struct config_influxdb influxdb;
    struct config_websocket websocket;
};

struct config {
    enum log_level log_level;
    char *api_endpoint;
    struct config_miner miner;
    struct config_analyzer analyzer;
    struct spot_params spot;                   /* the [spot] section */
    struct spot_params spot_stat[STATS_COUNT]; /* [spot] + [spot.STAT] */
    struct config_exporter exporter;
};

/* Fills cfg with the built-in defaults. Returns 0 or ERROR_NOMEM. */
int config_init(struct config *cfg);

/* Releases the strings of cfg; a zeroed struct is a no-op. */
void config_free(struct config *cfg);

#endif

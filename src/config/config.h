/*
 * The configuration model: every key of the original netspot, with its
 * defaults, plus this version's additions. Strings are owned by the
 * struct config and released by config_free().
 *
 * A configuration is built in three layers: config_init() (built-in
 * defaults), then a file (config_load_file()), then single keys set from
 * text (config_set(), used by the command line). config_finish() then
 * resolves the per-statistic detector parameters and checks the whole.
 */
#ifndef NETSPOT_CONFIG_CONFIG_H
#define NETSPOT_CONFIG_CONFIG_H

#include "detect/spot.h"
#include "stats/stats.h"
#include "util/log.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct config_miner {
    char *device;        /* interface name or capture file path */
    bool promiscuous;    /* interface capture only */
    int snapshot_len;    /* bytes kept per packet, interface capture */
    int64_t timeout_ns;  /* libpcap buffer timeout; 0 is immediate mode */
    char *filter;        /* BPF filter expression, NULL for none */
    int buffer_size_mib; /* kernel capture buffer, 0 for libpcap's default */
    int workers;         /* packet workers; 0 chooses from the cores */
    char *user;          /* user to switch to after opening, or NULL */
    char *reader;        /* "auto", "native" or "libpcap" (capture files) */
};

struct config_analyzer {
    int64_t period_ns; /* length of a period */
    int n_stats;       /* statistics loaded, in load order */
    enum stats_id stats[STATS_COUNT];
    char *detector_state; /* folder of saved detectors, or NULL */
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

/* Bits of config.spot_stat_set: which [spot.STAT] keys were given. */
enum config_spot_bit {
    CONFIG_SPOT_Q = 1 << 0,
    CONFIG_SPOT_N_INIT = 1 << 1,
    CONFIG_SPOT_LEVEL = 1 << 2,
    CONFIG_SPOT_UP = 1 << 3,
    CONFIG_SPOT_DOWN = 1 << 4,
    CONFIG_SPOT_ALERT = 1 << 5,
    CONFIG_SPOT_BOUNDED = 1 << 6,
    CONFIG_SPOT_MAX_EXCESS = 1 << 7,
    CONFIG_SPOT_DEPTH = 1 << 8,
};

/* Number of detector keys, one bit each above. */
#define CONFIG_SPOT_KEYS 9

/* Row of config.spot_origin that holds the [spot] section. */
#define CONFIG_SPOT_ROW STATS_COUNT

struct config {
    enum log_level log_level;
    char *api_endpoint;
    struct config_miner miner;
    struct config_analyzer analyzer;
    struct spot_params spot; /* the [spot] section */
    /* [spot] + [spot.STAT], valid after config_finish() */
    struct spot_params spot_stat[STATS_COUNT];
    /* per statistic, the enum config_spot_bit of the keys overridden */
    unsigned spot_stat_set[STATS_COUNT];
    /* Where each detector key was last set, for messages ("t.toml:12",
     * "--spot.R_SYN.q"), or NULL for a default: one row per statistic,
     * then CONFIG_SPOT_ROW for [spot]; indexed by the bit's position in
     * enum config_spot_bit. Owned by the struct. */
    char *spot_origin[STATS_COUNT + 1][CONFIG_SPOT_KEYS];
    /* per row, the enum config_spot_bit of the keys set by config_set() */
    unsigned spot_from_text[STATS_COUNT + 1];
    /* After config_finish() failed: whether the value it blamed was set by
     * config_set(), that is on the command line. */
    bool invalid_from_text;
    struct config_exporter exporter;
};

/* Value types of the keys, as named in messages and help. */
enum config_type {
    CONFIG_STRING,   /* TOML string */
    CONFIG_BOOL,     /* true or false */
    CONFIG_INT,      /* TOML integer */
    CONFIG_FLOAT,    /* TOML float or integer */
    CONFIG_DURATION, /* string such as "500ms" or "1m30s" */
    CONFIG_STATS,    /* array of statistic names */
};

/* Description of one key, for help, completion and documentation. */
struct config_key_info {
    const char *name; /* dotted key, "analyzer.period" */
    enum config_type type;
    const char *usage; /* one sentence */
};

/* Limits of the values a key accepts. */
#define CONFIG_STRING_MAX 4096 /* bytes in a string value: paths, filters */
/* miner.workers: the pipeline keeps one private set of counters per
 * worker in a fixed table of this size. */
#define CONFIG_WORKERS_MAX 64
/* miner.buffer_size, in MiB: libpcap takes the size in bytes as an int. */
#define CONFIG_BUFFER_MIB_MAX 2047
/* analyzer.period, in ns (1 ms): each period makes one record per
 * statistic, so a shorter one turns a capture into millions of records. */
#define CONFIG_PERIOD_MIN_NS 1000000

/* Fills cfg with the built-in defaults. Returns 0 or ERROR_NOMEM. */
int config_init(struct config *cfg);

/* Releases the strings of cfg; a zeroed struct is a no-op. */
void config_free(struct config *cfg);

/*
 * Merges the TOML file at path into cfg. Returns 0; ERROR_NOTFOUND when the
 * file does not exist; ERROR_IO when it cannot be read; ERROR_UNSUPPORTED
 * for a .json, .yaml or .yml file (the original's other formats); ERROR_FORMAT
 * or ERROR_LIMIT for bad TOML; ERROR_INVALID for an unknown key, a wrong type
 * or a bad value. The detail names the file, the line and the key. On
 * failure cfg holds the keys set before the faulty one.
 */
int config_load_file(struct config *cfg, const char *path);

/* Same as config_load_file() for a buffer of len bytes; name is the file
 * name used in messages. */
int config_load_buffer(struct config *cfg, const char *buf, size_t len,
                       const char *name);

/*
 * Sets one key from its text, as given on the command line ("500ms",
 * "true", "R_SYN,PERF"). origin names where the text came from in messages
 * ("--analyzer.period"). A list key is replaced. Returns 0, ERROR_NOTFOUND
 * for an unknown key (the detail suggests the nearest), ERROR_INVALID for a
 * bad value, or ERROR_NOMEM.
 */
int config_set(struct config *cfg, const char *key, const char *text,
               const char *origin);

/* Appends the comma-separated statistic names of text to the list;
 * refuses unknown and duplicate names with ERROR_INVALID. */
int config_add_stats(struct config *cfg, const char *text, const char *origin);

/*
 * Type of a key ("spot.R_SYN.q" and the exporter.influxdb1 alias
 * included). Returns the enum config_type, or ERROR_NOTFOUND with a detail
 * that suggests the nearest valid key.
 */
int config_key_type(const char *key);

/* Number of keys of the model ([spot.STAT] forms excluded). */
size_t config_key_count(void);

/* Description of the i-th key, i < config_key_count(), in file order. */
void config_key_describe(size_t i, struct config_key_info *info);

/*
 * Writes the value of a key as TOML ("\"1s\"", "true", "[\"PERF\"]") into
 * buf of size bytes. Returns 0, ERROR_NOTFOUND, or ERROR_LIMIT when the
 * text does not fit.
 */
int config_format_value(const struct config *cfg, const char *key, char *buf,
                        size_t size);

/*
 * Resolves spot_stat[] from [spot] and the [spot.STAT] overrides, then
 * checks values that depend on each other (the detector parameters).
 * Returns 0 or ERROR_INVALID with a detail that starts with where the
 * faulty value was set ("t.toml:4: spot.R_SYN.q: ...", or the flag) and
 * spells the key as it is written on the command line; invalid_from_text
 * then tells whether that value came from config_set().
 */
int config_finish(struct config *cfg);

/*
 * Writes cfg as a TOML file that config_load_file() reads back to the same
 * configuration. With comments, each key is preceded by its usage.
 * Returns 0 or ERROR_IO.
 */
int config_print(const struct config *cfg, FILE *out, bool comments);

/*
 * Parses a duration in Go's syntax ("300ms", "1.5h", "1m30s"; units ns,
 * us, µs, ms, s, m, h) into nanoseconds, up to Go's longest duration,
 * 2562047h47m16.854775807s, either way. A bare "0" is zero; any other
 * number without a unit is refused. Returns 0 or ERROR_INVALID.
 */
int config_parse_duration(const char *text, int64_t *ns);

/* Writes a duration the way Go prints it ("1m30s", "500ms", "0s"). */
void config_format_duration(int64_t ns, char *buf, size_t size);

/*
 * Expands a leading "~" or "$HOME" of a path into the home directory:
 * $HOME, or the user database's entry of the current user when HOME is
 * unset or empty. Returns a new string the caller frees, or NULL with
 * ERROR_NOMEM, or ERROR_NOTFOUND when no home directory is known.
 */
char *config_expand_path(const char *path);

#endif

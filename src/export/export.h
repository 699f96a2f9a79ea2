/*
 * Exporters: where records and alarms go. An export set holds the
 * exporters of a run and hands each record and alarm to every one of them;
 * an exporter that fails is reported and the others still get the data.
 */
#ifndef NETSPOT_EXPORT_EXPORT_H
#define NETSPOT_EXPORT_EXPORT_H

#include "export/record.h"

#include <stdbool.h>
#include <stdint.h>

/* Exporters a run can hold at once. */
#define EXPORT_MAX 8

struct exporter_ops {
    const char *name;
    /* Each returns 0 or a negative code with a detail. */
    int (*record)(void *ctx, const struct record *r);
    int (*alarm)(void *ctx, const struct alarm *a);
    /* Reopens output files (after log rotation); may be NULL. */
    int (*reopen)(void *ctx);
    /* Flushes and releases everything; returns 0 or a code. */
    int (*close)(void *ctx);
};

struct exporter {
    const struct exporter_ops *ops;
    void *ctx;
    uint64_t failures; /* calls that failed */
};

struct export_set {
    size_t n;
    struct exporter items[EXPORT_MAX];
};

/* Empties a set. */
void export_set_init(struct export_set *set);

/* Adds an exporter, which the set now owns. Returns 0 or ERROR_LIMIT. */
int export_set_add(struct export_set *set, const struct exporter_ops *ops,
                   void *ctx);

/* Hands a record / an alarm to every exporter. Returns the number of
 * exporters that failed (each is logged once per failure). */
int export_set_record(struct export_set *set, const struct record *r);
int export_set_alarm(struct export_set *set, const struct alarm *a);

/* Reopens the output files of every exporter. */
void export_set_reopen(struct export_set *set);

/* Closes every exporter; returns the number that failed to close. */
int export_set_close(struct export_set *set);

/*
 * Console exporter: records (when data) and alarms (when alarm) as JSON
 * lines on stdout, flushed at every record. Returns 0 and adds it to set.
 */
int export_console_add(struct export_set *set, bool data, bool alarm);

/*
 * File exporter: records to data_path and alarms to alarm_path (either may
 * be NULL), JSON lines; every "%s" in a path becomes the series name. The
 * files are created or truncated. Returns 0, or ERROR_IO with a detail
 * naming the file. A reopen closes each file and opens it again for
 * appending; a file that cannot be opened stays closed and every later
 * write or reopen tries again. Until then each write fails with ERROR_IO,
 * so that the run counts the lines lost.
 */
int export_file_add(struct export_set *set, const char *data_path,
                    const char *alarm_path, const char *series);

/*
 * Socket exporter: records to data_addr and alarms to alarm_addr (either
 * may be NULL), each given as proto://address with proto one of tcp,
 * tcp4, tcp6, udp, udp4, udp6 (address host:port, [v6]:port or :port),
 * unix, unixgram or unixpacket (address a path, or @name for an abstract
 * socket). format is "json" or "csv" (format_message_record()); tag and
 * series name the sender in every message. Connects at once: returns 0,
 * or a negative code with a detail naming the address and the cause. A
 * message that cannot be sent later is lost and reported as a failure,
 * and the next one connects again.
 */
int export_socket_add(struct export_set *set, const char *data_addr,
                      const char *alarm_addr, const char *format,
                      const char *tag, const char *series);

/* What the InfluxDB exporter needs of the configuration. */
struct export_influx_params {
    bool data;           /* send records */
    bool alarm;          /* send alarms */
    const char *address; /* http://host:port of the server */
    const char *database;
    const char *username;
    const char *password;
    int batch_size;         /* points per request, > 0 */
    const char *agent_name; /* the agent tag of every point */
};

/*
 * InfluxDB 1.x exporter: records and alarms as points of the measurement
 * named series (format_influx_record(), format_influx_alarm()), sent by
 * batches of batch_size points to address/write, with basic
 * authentication. Creates the database at once (CREATE DATABASE, which
 * succeeds when it exists): returns 0, or a negative code with a detail
 * naming the address and the cause when the server cannot be reached or
 * refuses. A batch that cannot be sent later is dropped and reported as a
 * failure; the rest are sent at close.
 */
int export_influx_add(struct export_set *set,
                      const struct export_influx_params *p, const char *series);

/*
 * Writes path with every "%s" replaced by series into buf of size len.
 * Returns 0, or ERROR_LIMIT when it does not fit.
 */
int export_expand_series(char *buf, size_t len, const char *path,
                         const char *series);

#endif

/*
 * Text formats of records and alarms. Numbers are written with the fewest
 * digits that read back to the same double; NaN and infinities, which JSON
 * cannot hold, are written as null.
 */
#ifndef NETSPOT_EXPORT_FORMAT_H
#define NETSPOT_EXPORT_FORMAT_H

#include "export/record.h"

#include <stddef.h>

/* Longest line a record or an alarm can make, newline included. */
#define FORMAT_LINE_MAX 4096

/*
 * Writes the shortest round-trip form of v ("0.4", "1e-08") into buf of
 * size len. Returns the length written; "null" for NaN and infinities.
 */
size_t format_number(char *buf, size_t len, double v);

/*
 * One JSON line: {"time":<ns>,"KEY":value,...}\n, keys in the record's
 * order. Returns the length, or 0 if buf is too small.
 */
size_t format_json_record(char *buf, size_t len, const struct record *r);

/*
 * One JSON line: {"time":<ns>,"status":"UP_ALERT","stat":"R_SYN",
 * "value":v,"code":1,"probability":p}\n. Returns the length, or 0.
 */
size_t format_json_alarm(char *buf, size_t len, const struct alarm *a);

/* Socket message formats (exporter.socket.format). */
enum format_kind {
    FORMAT_JSON,
    FORMAT_CSV,
};

/* What a socket message adds to a record or an alarm: the series name
 * and the exporter's tag ("name"). */
struct format_origin {
    const char *series;
    const char *tag;
};

/*
 * One socket message for a record: its fields and the keys "name",
 * "series", "time" and "type" ("data"), all sorted by key in byte order.
 * JSON: one object and a newline, NaN written as null. CSV: a header line
 * and a value line, NaN written as NaN, text quoted when it holds a comma,
 * a quote or a line break (RFC 4180). Returns the length, or 0 if buf is
 * too small.
 */
size_t format_message_record(char *buf, size_t len, enum format_kind kind,
                             const struct record *r,
                             const struct format_origin *o);

/*
 * The same for an alarm: keys "code", "name", "probability", "series",
 * "stat", "status", "time", "type" ("alarm") and "value".
 */
size_t format_message_alarm(char *buf, size_t len, enum format_kind kind,
                            const struct alarm *a,
                            const struct format_origin *o);

/*
 * One InfluxDB line-protocol point for a record: measurement the series
 * name, tags agent=<tag> and type=data, the record's finite fields as
 * float fields (NaN and infinities, which InfluxDB refuses, are left
 * out), and the record's time in nanoseconds; a newline ends it. Returns
 * the length, 0 when no field is finite (nothing to write), or
 * ERROR_LIMIT when buf is too small.
 */
int format_influx_record(char *buf, size_t len, const struct record *r,
                         const struct format_origin *o);

/*
 * The same for an alarm: tags agent, stat (the statistic) and type=alarm;
 * fields code (integer), probability, status (string) and value. A
 * non-finite probability or value is left out.
 */
int format_influx_alarm(char *buf, size_t len, const struct alarm *a,
                        const struct format_origin *o);

#endif

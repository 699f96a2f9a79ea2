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

#endif

/*
 * Records and alarms: all that exporters see of the pipeline.
 */
#ifndef NETSPOT_EXPORT_RECORD_H
#define NETSPOT_EXPORT_RECORD_H

#include <stddef.h>
#include <stdint.h>

/* Fields of a record: a value and two thresholds for each of the ten
 * statistics, and room for a few more. */
#define RECORD_MAX_FIELDS 40

struct record_field {
    const char *key; /* "R_SYN", "R_SYN_UP"...; static storage */
    double value;    /* NaN when undefined */
};

/* One period's values, fields sorted by key in byte order. */
struct record {
    int64_t time_ns; /* end of the period, Unix nanoseconds */
    size_t n;
    struct record_field fields[RECORD_MAX_FIELDS];
};

/* A detector's verdict on one value. */
struct alarm {
    int64_t time_ns;    /* end of the period, as in its record */
    const char *stat;   /* statistic name; static storage */
    double value;       /* the abnormal value */
    int code;           /* 1 above the upper threshold, -1 below the lower */
    double probability; /* of a value at least this extreme */
};

/* "UP_ALERT" or "DOWN_ALERT". */
const char *record_alarm_status(const struct alarm *a);

/* Sorts a record's fields by key, as the formats require. */
void record_sort(struct record *r);

#endif

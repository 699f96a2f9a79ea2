#include "export/format.h"

#include "util/error.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t format_number(char *buf, size_t len, double v)
{
    int n = 0;

    if (!isfinite(v))
        return (size_t)snprintf(buf, len, "null");
    /* 15 significant digits suffice for most values; 17 always do. */
    for (int digits = 15; digits <= 17; digits++) {
        n = snprintf(buf, len, "%.*g", digits, v);
        if (n < 0 || (size_t)n >= len || strtod(buf, NULL) == v)
            break;
    }
    return n < 0 ? 0 : (size_t)n;
}

/* Appends formatted text at *pos; returns 0, or -1 when buf is full. */
static int format_append(char *buf, size_t len, size_t *pos, const char *fmt,
                         ...) __attribute__((format(printf, 4, 5)));

static int format_append(char *buf, size_t len, size_t *pos, const char *fmt,
                         ...)
{
    va_list ap;
    int n;

    if (*pos >= len)
        return -1;
    va_start(ap, fmt);
    n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= len - *pos)
        return -1;
    *pos += (size_t)n;
    return 0;
}

static int format_append_number(char *buf, size_t len, size_t *pos, double v)
{
    char num[32];

    format_number(num, sizeof(num), v);
    return format_append(buf, len, pos, "%s", num);
}

size_t format_json_record(char *buf, size_t len, const struct record *r)
{
    size_t pos = 0;
    int rc =
        format_append(buf, len, &pos, "{\"time\":%lld", (long long)r->time_ns);

    for (size_t i = 0; i < r->n && rc == 0; i++) {
        rc = format_append(buf, len, &pos, ",\"%s\":", r->fields[i].key);
        if (rc == 0)
            rc = format_append_number(buf, len, &pos, r->fields[i].value);
    }
    if (rc == 0)
        rc = format_append(buf, len, &pos, "}\n");
    return rc == 0 ? pos : 0;
}

size_t format_json_alarm(char *buf, size_t len, const struct alarm *a)
{
    size_t pos = 0;
    int rc =
        format_append(buf, len, &pos,
                      "{\"time\":%lld,\"status\":\"%s\",\"stat\":\"%s\","
                      "\"value\":",
                      (long long)a->time_ns, record_alarm_status(a), a->stat);

    if (rc == 0)
        rc = format_append_number(buf, len, &pos, a->value);
    if (rc == 0)
        rc = format_append(buf, len, &pos,
                           ",\"code\":%d,\"probability\":", a->code);
    if (rc == 0)
        rc = format_append_number(buf, len, &pos, a->probability);
    if (rc == 0)
        rc = format_append(buf, len, &pos, "}\n");
    return rc == 0 ? pos : 0;
}

/* Writes s as a JSON string, escaping what RFC 8259 section 7 requires. */
static int format_append_json_string(char *buf, size_t len, size_t *pos,
                                     const char *s)
{
    int rc = format_append(buf, len, pos, "\"");

    for (const unsigned char *c = (const unsigned char *)s; *c && rc == 0;
         c++) {
        if (*c == '"' || *c == '\\')
            rc = format_append(buf, len, pos, "\\%c", *c);
        else if (*c < 0x20)
            rc = format_append(buf, len, pos, "\\u%04x", *c);
        else
            rc = format_append(buf, len, pos, "%c", *c);
    }
    return rc == 0 ? format_append(buf, len, pos, "\"") : rc;
}

/* Writes s as a CSV field, quoted only when it needs to be. */
static int format_append_csv_string(char *buf, size_t len, size_t *pos,
                                    const char *s)
{
    int rc = 0;

    if (strpbrk(s, ",\"\r\n") == NULL)
        return format_append(buf, len, pos, "%s", s);
    rc = format_append(buf, len, pos, "\"");
    for (const char *c = s; *c && rc == 0; c++) {
        if (*c == '"')
            rc = format_append(buf, len, pos, "\"\"");
        else
            rc = format_append(buf, len, pos, "%c", *c);
    }
    return rc == 0 ? format_append(buf, len, pos, "\"") : rc;
}

/*
 * A message is a list of keyed values, sorted by key, written either as a
 * JSON object or as a CSV header and value line.
 */
enum format_value_type {
    FORMAT_V_NUMBER,
    FORMAT_V_INT,
    FORMAT_V_TEXT,
};

struct format_value {
    const char *key;
    enum format_value_type type;
    double number;
    long long integer;
    const char *text;
};

static int format_append_value(char *buf, size_t len, size_t *pos,
                               enum format_kind kind,
                               const struct format_value *v)
{
    switch (v->type) {
    case FORMAT_V_INT:
        return format_append(buf, len, pos, "%lld", v->integer);
    case FORMAT_V_TEXT:
        return kind == FORMAT_JSON
                   ? format_append_json_string(buf, len, pos, v->text)
                   : format_append_csv_string(buf, len, pos, v->text);
    case FORMAT_V_NUMBER:
    default:
        if (kind == FORMAT_CSV && isnan(v->number))
            return format_append(buf, len, pos, "NaN");
        if (kind == FORMAT_CSV && isinf(v->number))
            return format_append(buf, len, pos,
                                 v->number > 0 ? "+Inf" : "-Inf");
        return format_append_number(buf, len, pos, v->number);
    }
}

static size_t format_message(char *buf, size_t len, enum format_kind kind,
                             const struct format_value *values, size_t n)
{
    size_t pos = 0;
    int rc = 0;

    if (kind == FORMAT_JSON) {
        rc = format_append(buf, len, &pos, "{");
        for (size_t i = 0; i < n && rc == 0; i++) {
            rc = format_append(buf, len, &pos, "%s\"%s\":", i ? "," : "",
                               values[i].key);
            if (rc == 0)
                rc = format_append_value(buf, len, &pos, kind, &values[i]);
        }
        if (rc == 0)
            rc = format_append(buf, len, &pos, "}\n");
        return rc == 0 ? pos : 0;
    }
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = format_append(buf, len, &pos, "%s%s", i ? "," : "", values[i].key);
    if (rc == 0)
        rc = format_append(buf, len, &pos, "\n");
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = format_append(buf, len, &pos, "%s", i ? "," : "");
        if (rc == 0)
            rc = format_append_value(buf, len, &pos, kind, &values[i]);
    }
    if (rc == 0)
        rc = format_append(buf, len, &pos, "\n");
    return rc == 0 ? pos : 0;
}

static struct format_value format_text(const char *key, const char *text)
{
    return (struct format_value){key, FORMAT_V_TEXT, 0.0, 0, text};
}

static struct format_value format_int(const char *key, long long integer)
{
    return (struct format_value){key, FORMAT_V_INT, 0.0, integer, NULL};
}

static struct format_value format_double(const char *key, double number)
{
    return (struct format_value){key, FORMAT_V_NUMBER, number, 0, NULL};
}

size_t format_message_record(char *buf, size_t len, enum format_kind kind,
                             const struct record *r,
                             const struct format_origin *o)
{
    struct format_value values[RECORD_MAX_FIELDS + 4];
    size_t n = 0;

    /* Statistic keys are upper case, so they sort before the four
     * lower-case keys, which are in order already. */
    for (size_t i = 0; i < r->n; i++)
        values[n++] = format_double(r->fields[i].key, r->fields[i].value);
    values[n++] = format_text("name", o->tag);
    values[n++] = format_text("series", o->series);
    values[n++] = format_int("time", (long long)r->time_ns);
    values[n++] = format_text("type", "data");
    return format_message(buf, len, kind, values, n);
}

size_t format_message_alarm(char *buf, size_t len, enum format_kind kind,
                            const struct alarm *a,
                            const struct format_origin *o)
{
    const struct format_value values[] = {
        format_int("code", a->code),
        format_text("name", o->tag),
        format_double("probability", a->probability),
        format_text("series", o->series),
        format_text("stat", a->stat),
        format_text("status", record_alarm_status(a)),
        format_int("time", (long long)a->time_ns),
        format_text("type", "alarm"),
        format_double("value", a->value),
    };

    return format_message(buf, len, kind, values,
                          sizeof(values) / sizeof(values[0]));
}

/*
 * Writes s with a backslash before each character of special, as the
 * line protocol wants for measurements (comma, space), tag keys and
 * values (comma, equals sign, space) and string fields (quote, backslash).
 */
static int format_append_escaped(char *buf, size_t len, size_t *pos,
                                 const char *s, const char *special)
{
    int rc = 0;

    for (const char *c = s; *c && rc == 0; c++) {
        if (strchr(special, *c) != NULL)
            rc = format_append(buf, len, pos, "\\%c", *c);
        else
            rc = format_append(buf, len, pos, "%c", *c);
    }
    return rc;
}

/* Measurement and the tags every point carries. */
static int format_influx_head(char *buf, size_t len, size_t *pos,
                              const struct format_origin *o)
{
    int rc = format_append_escaped(buf, len, pos, o->series, ", ");

    if (rc == 0)
        rc = format_append(buf, len, pos, ",agent=");
    if (rc == 0)
        rc = format_append_escaped(buf, len, pos, o->tag, ",= ");
    return rc;
}

/* Appends ",key=value" (the first field without its comma) when value is
 * finite; *n counts the fields written. */
static int format_influx_float(char *buf, size_t len, size_t *pos, size_t *n,
                               const char *key, double value)
{
    int rc;

    if (!isfinite(value))
        return 0;
    rc = format_append(buf, len, pos, "%s", *n > 0 ? "," : " ");
    if (rc == 0)
        rc = format_append_escaped(buf, len, pos, key, ",= ");
    if (rc == 0)
        rc = format_append(buf, len, pos, "=");
    if (rc == 0)
        rc = format_append_number(buf, len, pos, value);
    (*n)++;
    return rc;
}

/* Ends a point of pos bytes built so far with rc (0 or negative) with its
 * time stamp; returns its length, or ERROR_LIMIT when it does not fit. */
static int format_influx_end(char *buf, size_t len, size_t pos, int rc,
                             int64_t time_ns, const struct format_origin *o)
{
    if (rc == 0)
        rc = format_append(buf, len, &pos, " %lld\n", (long long)time_ns);
    if (rc < 0)
        return error_set(ERROR_LIMIT, "%s: point longer than %zu bytes",
                         o->series, len);
    return (int)pos;
}

int format_influx_record(char *buf, size_t len, const struct record *r,
                         const struct format_origin *o)
{
    size_t pos = 0, n = 0;
    int rc = format_influx_head(buf, len, &pos, o);

    if (rc == 0)
        rc = format_append(buf, len, &pos, ",type=data");
    for (size_t i = 0; i < r->n && rc == 0; i++)
        rc = format_influx_float(buf, len, &pos, &n, r->fields[i].key,
                                 r->fields[i].value);
    if (rc == 0 && n == 0)
        return 0;
    return format_influx_end(buf, len, pos, rc, r->time_ns, o);
}

int format_influx_alarm(char *buf, size_t len, const struct alarm *a,
                        const struct format_origin *o)
{
    size_t pos = 0, n = 1;
    int rc = format_influx_head(buf, len, &pos, o);

    /* Tags in key order, as InfluxDB stores them best. */
    if (rc == 0)
        rc = format_append(buf, len, &pos, ",stat=");
    if (rc == 0)
        rc = format_append_escaped(buf, len, &pos, a->stat, ",= ");
    if (rc == 0)
        rc = format_append(buf, len, &pos, ",type=alarm code=%di", a->code);
    if (rc == 0)
        rc = format_influx_float(buf, len, &pos, &n, "probability",
                                 a->probability);
    if (rc == 0)
        rc = format_append(buf, len, &pos, ",status=\"%s\"",
                           record_alarm_status(a));
    if (rc == 0)
        rc = format_influx_float(buf, len, &pos, &n, "value", a->value);
    return format_influx_end(buf, len, pos, rc, a->time_ns, o);
}

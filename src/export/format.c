#include "export/format.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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

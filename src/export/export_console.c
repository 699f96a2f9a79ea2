/* Console exporter: JSON lines on stdout. */
#include "export/export.h"

#include "export/format.h"
#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct console {
    bool data;
    bool alarm;
};

static int console_write(const char *line, size_t n)
{
    if (n == 0)
        return error_set(ERROR_LIMIT, "console: line too long");
    if (fwrite(line, 1, n, stdout) != n || fflush(stdout) != 0)
        return error_set(ERROR_IO, "stdout: %s", strerror(errno));
    return 0;
}

static int console_record(void *ctx, const struct record *r)
{
    struct console *c = ctx;
    char line[FORMAT_LINE_MAX];

    if (!c->data)
        return 0;
    return console_write(line, format_json_record(line, sizeof(line), r));
}

static int console_alarm(void *ctx, const struct alarm *a)
{
    struct console *c = ctx;
    char line[FORMAT_LINE_MAX];

    if (!c->alarm)
        return 0;
    return console_write(line, format_json_alarm(line, sizeof(line), a));
}

static int console_close(void *ctx)
{
    free(ctx);
    return fflush(stdout) == 0
               ? 0
               : error_set(ERROR_IO, "stdout: %s", strerror(errno));
}

static const struct exporter_ops console_ops = {
    "console", console_record, console_alarm, NULL, console_close,
};

int export_console_add(struct export_set *set, bool data, bool alarm)
{
    struct console *c = malloc(sizeof(*c));

    if (c == NULL)
        return error_set(ERROR_NOMEM, "console: out of memory");
    c->data = data;
    c->alarm = alarm;
    return export_set_add(set, &console_ops, c);
}

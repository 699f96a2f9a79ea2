/* File exporter: JSON lines, one file for records, one for alarms. */
#include "export/export.h"

#include "export/format.h"
#include "util/error.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One output file. An enabled output whose file could not be reopened
 * has f NULL: each write and each reopen tries again, and a write that
 * finds it closed fails, so that the record lost is counted. */
struct file_output {
    char path[PATH_MAX];
    bool enabled; /* a path was given */
    FILE *f;      /* NULL when not enabled or not open */
};

struct file_exporter {
    struct file_output data;
    struct file_output alarm;
};

static int file_output_open(struct file_output *o, const char *mode)
{
    o->f = fopen(o->path, mode);
    if (o->f == NULL)
        return error_set(ERROR_IO, "%s: %s", o->path, strerror(errno));
    return 0;
}

static int file_output_write(struct file_output *o, const char *line, size_t n)
{
    if (!o->enabled)
        return 0;
    if (o->f == NULL && (o->f = fopen(o->path, "a")) == NULL)
        return error_set(ERROR_IO, "%s: cannot be opened again (%s): line lost",
                         o->path, strerror(errno));
    if (n == 0)
        return error_set(ERROR_LIMIT, "%s: line too long", o->path);
    if (fwrite(line, 1, n, o->f) != n || fflush(o->f) != 0)
        return error_set(ERROR_IO, "%s: %s", o->path, strerror(errno));
    return 0;
}

static int file_output_close(struct file_output *o)
{
    int rc = 0;

    if (o->f != NULL && fclose(o->f) != 0)
        rc = error_set(ERROR_IO, "%s: %s", o->path, strerror(errno));
    o->f = NULL;
    return rc;
}

static int file_record(void *ctx, const struct record *r)
{
    struct file_exporter *fe = ctx;
    char line[FORMAT_LINE_MAX];

    if (!fe->data.enabled)
        return 0;
    return file_output_write(&fe->data, line,
                             format_json_record(line, sizeof(line), r));
}

static int file_alarm(void *ctx, const struct alarm *a)
{
    struct file_exporter *fe = ctx;
    char line[FORMAT_LINE_MAX];

    if (!fe->alarm.enabled)
        return 0;
    return file_output_write(&fe->alarm, line,
                             format_json_alarm(line, sizeof(line), a));
}

/* After rotation the old name points elsewhere: append to a new file.
 * An output left closed by an earlier failure is opened again. */
static int file_output_reopen(struct file_output *o)
{
    int rc, rc2;

    if (!o->enabled)
        return 0;
    rc = file_output_close(o);
    rc2 = file_output_open(o, "a");
    return rc < 0 ? rc : rc2;
}

static int file_reopen(void *ctx)
{
    struct file_exporter *fe = ctx;
    int rc = file_output_reopen(&fe->data);
    int rc2 = file_output_reopen(&fe->alarm);

    return rc < 0 ? rc : rc2;
}

static int file_close(void *ctx)
{
    struct file_exporter *fe = ctx;
    int rc = file_output_close(&fe->data);
    int rc2 = file_output_close(&fe->alarm);

    free(fe);
    return rc < 0 ? rc : rc2;
}

static const struct exporter_ops file_ops = {
    "file", file_record, file_alarm, file_reopen, file_close,
};

static int file_output_init(struct file_output *o, const char *path,
                            const char *series)
{
    int rc;

    if (path == NULL || path[0] == '\0')
        return 0;
    rc = export_expand_series(o->path, sizeof(o->path), path, series);
    if (rc == 0)
        rc = file_output_open(o, "w");
    o->enabled = rc == 0;
    return rc;
}

int export_file_add(struct export_set *set, const char *data_path,
                    const char *alarm_path, const char *series)
{
    struct file_exporter *fe = calloc(1, sizeof(*fe));
    int rc;

    if (fe == NULL)
        return error_set(ERROR_NOMEM, "file: out of memory");
    rc = file_output_init(&fe->data, data_path, series);
    if (rc == 0)
        rc = file_output_init(&fe->alarm, alarm_path, series);
    if (rc < 0) {
        char detail[512];

        snprintf(detail, sizeof(detail), "%s", error_detail());
        file_close(fe);
        return error_set(rc, "%s", detail);
    }
    return export_set_add(set, &file_ops, fe);
}

#include "export/export.h"

#include "util/error.h"
#include "util/log.h"

#include <string.h>

void export_set_init(struct export_set *set)
{
    memset(set, 0, sizeof(*set));
}

int export_set_add(struct export_set *set, const struct exporter_ops *ops,
                   void *ctx)
{
    if (set->n == EXPORT_MAX) {
        ops->close(ctx);
        return error_set(ERROR_LIMIT, "export: more than %d exporters",
                         EXPORT_MAX);
    }
    set->items[set->n].ops = ops;
    set->items[set->n].ctx = ctx;
    set->items[set->n].failures = 0;
    set->n++;
    return 0;
}

/* Logs a failed call; the first failure and every thousandth after it, so
 * a broken output cannot flood the log. */
static void export_report(struct exporter *e, int rc)
{
    e->failures++;
    if (e->failures == 1 || e->failures % 1000 == 0)
        log_write(LOG_WARN, "export", "%s: %s (%llu failures so far)",
                  e->ops->name, rc < 0 ? error_detail() : "failed",
                  (unsigned long long)e->failures);
}

int export_set_record(struct export_set *set, const struct record *r)
{
    int failed = 0;

    for (size_t i = 0; i < set->n; i++) {
        struct exporter *e = &set->items[i];
        int rc = e->ops->record != NULL ? e->ops->record(e->ctx, r) : 0;

        if (rc < 0) {
            export_report(e, rc);
            failed++;
        }
    }
    return failed;
}

int export_set_alarm(struct export_set *set, const struct alarm *a)
{
    int failed = 0;

    for (size_t i = 0; i < set->n; i++) {
        struct exporter *e = &set->items[i];
        int rc = e->ops->alarm != NULL ? e->ops->alarm(e->ctx, a) : 0;

        if (rc < 0) {
            export_report(e, rc);
            failed++;
        }
    }
    return failed;
}

void export_set_reopen(struct export_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        struct exporter *e = &set->items[i];

        if (e->ops->reopen != NULL && e->ops->reopen(e->ctx) < 0)
            log_write(LOG_WARN, "export", "%s: %s", e->ops->name,
                      error_detail());
    }
}

int export_set_close(struct export_set *set)
{
    int failed = 0;

    for (size_t i = 0; i < set->n; i++) {
        struct exporter *e = &set->items[i];

        if (e->ops->close(e->ctx) < 0) {
            log_write(LOG_ERROR, "export", "%s: %s", e->ops->name,
                      error_detail());
            failed++;
        }
    }
    set->n = 0;
    return failed;
}

int export_expand_series(char *buf, size_t len, const char *path,
                         const char *series)
{
    size_t pos = 0;
    size_t slen = strlen(series);

    for (const char *p = path; *p != '\0'; p++) {
        const char *piece = p;
        size_t n = 1;

        if (p[0] == '%' && p[1] == 's') {
            piece = series;
            n = slen;
            p++;
        }
        if (pos + n >= len)
            return error_set(ERROR_LIMIT, "%s: path too long", path);
        memcpy(buf + pos, piece, n);
        pos += n;
    }
    buf[pos] = '\0';
    return 0;
}

#include "analyzer/analyzer.h"

#include "util/error.h"
#include "util/log.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int analyzer_add(struct analyzer *a, enum stats_id id,
                        const struct spot_params *p)
{
    struct analyzer_stat *s = &a->stats[a->n];
    const char *name = stats_name(id);
    int rc;

    memset(s, 0, sizeof(*s));
    s->id = id;
    snprintf(s->key_up, sizeof(s->key_up), "%s_UP", name);
    snprintf(s->key_down, sizeof(s->key_down), "%s_DOWN", name);
    a->n++;
    if (!stats_monitored(id))
        return 0;
    rc = spot_new(p, &s->spot);
    if (rc == ERROR_INVALID)
        return error_set(rc, "%s: %s", name, error_detail());
    return rc;
}

int analyzer_init(struct analyzer *a, const enum stats_id *ids, int n,
                  const struct spot_params *params, int64_t period_ns)
{
    memset(a, 0, sizeof(*a));
    a->period_ns = period_ns;
    for (int i = 0; i < n; i++) {
        int rc = analyzer_add(a, ids[i], &params[ids[i]]);

        if (rc < 0) {
            analyzer_free(a);
            return rc;
        }
    }
    return 0;
}

void analyzer_free(struct analyzer *a)
{
    for (int i = 0; i < a->n; i++)
        spot_free(a->stats[i].spot);
    memset(a, 0, sizeof(*a));
}

static void analyzer_field(struct record *rec, const char *key, double v)
{
    if (rec->n < RECORD_MAX_FIELDS) {
        rec->fields[rec->n].key = key;
        rec->fields[rec->n].value = v;
        rec->n++;
    }
}

/* Feeds one value to its detector; returns 1 and fills al on an alarm. */
static int analyzer_detect(struct analyzer_stat *s, double v, int64_t time_ns,
                           struct alarm *al)
{
    int code;

    if (s->spot == NULL || !isfinite(v))
        return 0;
    code = spot_step(s->spot, v);
    if (code != SPOT_ALERT_UP && code != SPOT_ALERT_DOWN)
        return 0;
    al->time_ns = time_ns;
    al->stat = stats_name(s->id);
    al->value = v;
    al->code = code;
    /* Under the model that flagged it, before the alarm refitted it. */
    al->probability = spot_last_probability(s->spot);
    return 1;
}

void analyzer_period(struct analyzer *a, const struct counters_values *c,
                     int64_t time_ns, struct record *rec, struct alarm *alarms,
                     size_t *n_alarms)
{
    rec->time_ns = time_ns;
    rec->n = 0;
    *n_alarms = 0;
    for (int i = 0; i < a->n; i++) {
        struct analyzer_stat *s = &a->stats[i];
        double v = stats_compute(s->id, c, a->period_ns, &a->state);
        double lower = NAN, upper = NAN;

        /* The thresholds shown are those the value is compared with. */
        if (s->spot != NULL)
            spot_thresholds(s->spot, &lower, &upper);
        if (!isnan(upper))
            analyzer_field(rec, s->key_up, upper);
        if (!isnan(lower))
            analyzer_field(rec, s->key_down, lower);
        analyzer_field(rec, stats_name(s->id), v);
        *n_alarms += (size_t)analyzer_detect(s, v, time_ns, &alarms[*n_alarms]);
    }
    stats_state_advance(&a->state, c);
    record_sort(rec);
    a->periods++;
    a->alarms += *n_alarms;
}

static int analyzer_path(char *buf, size_t len, const char *dir,
                         const struct analyzer_stat *s)
{
    int n = snprintf(buf, len, "%s/%s.spot", dir, stats_name(s->id));

    if (n < 0 || (size_t)n >= len)
        return error_set(ERROR_LIMIT, "%s: path too long", dir);
    return 0;
}

int analyzer_save(const struct analyzer *a, const char *dir)
{
    char path[PATH_MAX];

    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return error_set(ERROR_IO, "%s: %s", dir, strerror(errno));
    for (int i = 0; i < a->n; i++) {
        const struct analyzer_stat *s = &a->stats[i];
        int rc;

        if (s->spot == NULL)
            continue;
        rc = analyzer_path(path, sizeof(path), dir, s);
        if (rc == 0)
            rc = spot_save_file(s->spot, path);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static bool analyzer_same_params(const struct spot *a, const struct spot *b)
{
    const struct spot_params *x = spot_params_get(a), *y = spot_params_get(b);

    return spot_variant_get(a) == spot_variant_get(b) && x->q == y->q &&
           x->n_init == y->n_init && x->level == y->level && x->up == y->up &&
           x->down == y->down && x->alert == y->alert &&
           x->bounded == y->bounded && x->max_excess == y->max_excess &&
           x->depth == y->depth;
}

/*
 * Moves a damaged state aside to path + ".bad", so that the save at the
 * end does not silently replace what an operator may want to inspect.
 */
static void analyzer_set_aside(const char *path)
{
    char bad[PATH_MAX];
    int n = snprintf(bad, sizeof(bad), "%s.bad", path);

    if (n < 0 || (size_t)n >= sizeof(bad) || rename(path, bad) != 0)
        return;
    log_write(LOG_WARN, "analyzer", "%s: damaged state kept as %s", path, bad);
}

/* Restores one detector; 0 also when there is nothing to restore. */
static int analyzer_restore_one(struct analyzer_stat *s, const char *path)
{
    struct spot *loaded = NULL;
    FILE *f = fopen(path, "r");
    int rc;

    if (f == NULL)
        return errno == ENOENT
                   ? 0
                   : error_set(ERROR_IO, "%s: %s", path, strerror(errno));
    rc = spot_load(f, &loaded);
    fclose(f);
    if (rc < 0) {
        char detail[512]; /* error_set() overwrites error_detail() */

        snprintf(detail, sizeof(detail), "%s", error_detail());
        if (rc == ERROR_FORMAT)
            analyzer_set_aside(path);
        return error_set(rc, "%s: %s", path, detail);
    }
    if (!analyzer_same_params(loaded, s->spot)) {
        spot_free(loaded);
        return error_set(ERROR_INVALID,
                         "%s: saved with other detector parameters", path);
    }
    spot_free(s->spot);
    s->spot = loaded;
    log_write(LOG_INFO, "analyzer", "%s: detector restored from %s",
              stats_name(s->id), path);
    return 0;
}

int analyzer_restore(struct analyzer *a, const char *dir)
{
    char path[PATH_MAX];
    int first = 0;

    for (int i = 0; i < a->n; i++) {
        struct analyzer_stat *s = &a->stats[i];
        int rc;

        if (s->spot == NULL)
            continue;
        rc = analyzer_path(path, sizeof(path), dir, s);
        if (rc == 0)
            rc = analyzer_restore_one(s, path);
        if (rc < 0) {
            log_write(LOG_WARN, "analyzer", "%s; learning afresh",
                      error_detail());
            if (first == 0)
                first = rc;
        }
    }
    return first;
}

#include "detect/spot.h"

#include "detect/gpd.h"
#include "util/error.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

/* One tail of the detector (up, or down on mirrored values). */
struct spot_side {
    struct gpd_tail tail;
    double t;    /* tail threshold, fixed at calibration */
    double z;    /* anomaly threshold */
    uint64_t nt; /* excesses counted by the model, censored ones included */
    uint64_t al; /* alarms flagged */
    uint64_t censor_n; /* n after the last censored entry, 0 if none */
};

struct spot {
    struct spot_params p;
    enum spot_variant variant;
    int capacity; /* ring capacity of each tail */
    uint64_t n;   /* values counted by the model */
    int batch_count;
    double *batch; /* calibration batch, n_init values */

    double *window; /* the last depth values that entered the window */
    int win_count, win_next;
    double win_mean;    /* libspot's incremental mean of the window */
    uint64_t alarm_run; /* consecutive alarms up to the last step */

    struct spot_side up, down;
    double last_p; /* probability of the last flagged value */
};

void spot_params_default(struct spot_params *p)
{
    p->q = 1e-4;
    p->n_init = 1000;
    p->level = 0.98;
    p->up = true;
    p->down = false;
    p->alert = true;
    p->bounded = true;
    p->max_excess = 200;
    p->depth = 50;
}

/*
 * Checks p; with lenient (the libspot variant), any n_init that leaves at
 * least one initial excess in each tail watched is accepted.
 */
static int spot_check(const struct spot_params *p, bool lenient)
{
    double expected;

    if (!(p->level > 0.0 && p->level < 1.0))
        return error_set(ERROR_INVALID, "spot.level: %g is outside (0, 1)",
                         p->level);
    if (!(p->q > 0.0 && p->q < 1.0 - p->level))
        return error_set(ERROR_INVALID,
                         "spot.q: %g is outside (0, 1 - level) = (0, %g)", p->q,
                         1.0 - p->level);
    if (p->n_init < 1 || p->n_init > SPOT_N_INIT_LIMIT)
        return error_set(ERROR_INVALID, "spot.n_init: %d is outside [1, %d]",
                         p->n_init, SPOT_N_INIT_LIMIT);
    /* The product is inexact (100 * (1 - 0.9) is 9.999...): compare with a
     * relative margin far above rounding and far below one excess. */
    expected = p->n_init * (1.0 - p->level);
    if (!lenient && expected < 10.0 * (1.0 - 1e-9))
        return error_set(ERROR_INVALID,
                         "spot.n_init: %d values at level %g give %g initial "
                         "excesses; at least 10 are needed "
                         "(n_init * (1 - level) >= 10)",
                         p->n_init, p->level, expected);
    if (lenient && ((p->up && (int)(p->n_init * p->level) + 1 >= p->n_init) ||
                    (p->down && (int)(p->n_init * (1.0 - p->level)) < 1)))
        return error_set(ERROR_INVALID,
                         "spot.n_init: %d values at level %g leave a tail "
                         "without initial excesses",
                         p->n_init, p->level);
    if (p->bounded && (p->max_excess < 1 || p->max_excess > SPOT_EXCESS_LIMIT))
        return error_set(ERROR_INVALID,
                         "spot.max_excess: %d is outside [1, %d] "
                         "(spot.bounded is true)",
                         p->max_excess, SPOT_EXCESS_LIMIT);
    if (p->depth < 0 || p->depth > SPOT_DEPTH_LIMIT)
        return error_set(ERROR_INVALID, "spot.depth: %d is outside [0, %d]",
                         p->depth, SPOT_DEPTH_LIMIT);
    return 0;
}

int spot_params_check(const struct spot_params *p)
{
    return spot_check(p, false);
}

/* Layout of the single block that holds a detector. */
struct spot_layout {
    size_t batch, window, up, down, total;
};

static size_t spot_align(size_t n)
{
    return (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
}

static int spot_capacity(const struct spot_params *p)
{
    return p->bounded ? p->max_excess : SPOT_EXCESS_LIMIT;
}

static void spot_layout_of(const struct spot_params *p, struct spot_layout *l)
{
    size_t tail = spot_align(gpd_tail_storage(spot_capacity(p)));

    l->batch = spot_align(sizeof(struct spot));
    l->window = l->batch + spot_align((size_t)p->n_init * sizeof(double));
    l->up = l->window + spot_align((size_t)p->depth * sizeof(double));
    l->down = l->up + (p->up ? tail : 0);
    l->total = l->down + (p->down ? tail : 0);
}

size_t spot_memory_size(const struct spot_params *p)
{
    struct spot_layout l;

    spot_layout_of(p, &l);
    return l.total;
}

static void spot_side_init(struct spot_side *d, int capacity, void *storage,
                           bool libspot)
{
    if (storage != NULL)
        gpd_tail_init(&d->tail, capacity, storage);
    d->tail.libspot = libspot;
    d->t = NAN;
    d->z = NAN;
}

int spot_new_variant(const struct spot_params *p, enum spot_variant variant,
                     struct spot **out)
{
    bool libspot = variant == SPOT_VARIANT_LIBSPOT;
    struct spot_layout l;
    struct spot *s;
    char *block;
    int rc;

    *out = NULL;
    if (variant != SPOT_VARIANT_NETSPOT && !libspot)
        return error_set(ERROR_INVALID, "spot: unknown variant %d", variant);
    rc = spot_check(p, libspot);
    if (rc < 0)
        return rc;
    spot_layout_of(p, &l);
    block = calloc(1, l.total);
    if (block == NULL)
        return error_set(ERROR_NOMEM, "spot: out of memory (%zu bytes)",
                         l.total);
    s = (struct spot *)block;
    s->p = *p;
    s->variant = variant;
    s->capacity = spot_capacity(p);
    s->batch = (double *)(block + l.batch);
    s->window = (double *)(block + l.window);
    s->last_p = NAN;
    spot_side_init(&s->up, s->capacity, p->up ? block + l.up : NULL, libspot);
    spot_side_init(&s->down, s->capacity, p->down ? block + l.down : NULL,
                   libspot);
    *out = s;
    return 0;
}

int spot_new(const struct spot_params *p, struct spot **out)
{
    return spot_new_variant(p, SPOT_VARIANT_NETSPOT, out);
}

void spot_free(struct spot *s)
{
    free(s);
}

const struct spot_params *spot_params_get(const struct spot *s)
{
    return &s->p;
}

enum spot_variant spot_variant_get(const struct spot *s)
{
    return s->variant;
}

static bool spot_calibrated(const struct spot *s)
{
    return s->batch_count == s->p.n_init;
}

static double spot_drift(const struct spot *s)
{
    return s->p.depth > 0 && s->win_count == s->p.depth ? s->win_mean : 0.0;
}

/* Refits a tail and moves its anomaly threshold: P(X beyond z) = q. */
static void spot_refit(struct spot *s, struct spot_side *d, double sign)
{
    double r = s->p.q * (double)s->n / (double)d->nt;

    gpd_tail_fit(&d->tail);
    d->z = d->t + sign * gpd_tail_quantile(&d->tail, r);
}

static int spot_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Nt after calibration: every initial excess (libspot: those kept). */
static uint64_t spot_initial_nt(const struct spot *s, const struct spot_side *d,
                                int excesses)
{
    if (s->variant == SPOT_VARIANT_LIBSPOT)
        return (uint64_t)d->tail.count;
    return (uint64_t)excesses;
}

/*
 * libspot v1's calibration: t is an order statistic of the sorted batch
 * (index trunc(n_init * level) up, trunc(n_init * (1 - level)) down) and
 * the values beyond it are the first excesses.
 */
static void spot_calibrate(struct spot *s)
{
    int n = s->p.n_init;

    qsort(s->batch, (size_t)n, sizeof(double), spot_cmp_double);
    if (s->p.up) {
        int i = (int)(n * s->p.level);

        s->up.t = s->batch[i];
        gpd_tail_fill(&s->up.tail, s->batch + i + 1, n - i - 1, s->up.t, 1.0);
        s->up.nt = spot_initial_nt(s, &s->up, n - i - 1);
        spot_refit(s, &s->up, 1.0);
    }
    if (s->p.down) {
        int i = (int)(n * (1.0 - s->p.level));

        /* Excesses in ascending order of value, as libspot pushes them. */
        s->down.t = s->batch[i];
        gpd_tail_fill(&s->down.tail, s->batch, i, s->down.t, -1.0);
        s->down.nt = spot_initial_nt(s, &s->down, i);
        spot_refit(s, &s->down, -1.0);
    }
}

static int spot_excess(struct spot *s, struct spot_side *d, double y,
                       double sign, int code)
{
    s->n++;
    d->nt++;
    gpd_tail_push(&d->tail, y, false);
    spot_refit(s, d, sign);
    return code;
}

/*
 * Censoring of flagged values (docs/detector.md, "Calibration"). A flagged
 * value enters the tail as an excess censored at the threshold it crossed
 * only if all three hold:
 * - it is plausible under the model: within SPOT_CENSOR_REACH times the
 *   excess of z over t, or else at least q / SPOT_CENSOR_RARITY likely. A
 *   censored entry says that the model underestimates its tail just beyond
 *   z; a value the model deems far rarer than q says nothing of the kind
 *   (an isolated extreme), and teaching the model with it would hide the
 *   next one;
 * - at least SPOT_CENSOR_SPACING / q model values have passed since the
 *   last one admitted on that tail: on a stationary stream flagged values
 *   come about 1/q apart and nearly all pass, while a burst passes one;
 * - the ring holds fewer censored entries than a correctly calibrated
 *   model would plausibly hold, lambda + 3 sqrt(lambda) + 1 with lambda =
 *   q n / Nt times the ring size (about the 99.9th percentile of a Poisson
 *   count), and at most half the ring, so that a sustained anomaly cannot
 *   teach the model that it is normal.
 * Otherwise the value is left out of the model, as in libspot.
 */
#define SPOT_CENSOR_REACH   2.0
#define SPOT_CENSOR_RARITY  100.0
#define SPOT_CENSOR_SPACING 0.02

static bool spot_censor_admits(const struct spot *s, const struct spot_side *d,
                               double y, double p)
{
    int m = d->tail.count < s->capacity ? d->tail.count + 1 : s->capacity;
    double lambda = s->p.q * (double)s->n / (double)d->nt * m;
    double cap = fmin(lambda + 3.0 * sqrt(lambda) + 1.0, 0.5 * m);

    if (y > SPOT_CENSOR_REACH * fabs(d->z - d->t) &&
        !(p >= s->p.q / SPOT_CENSOR_RARITY))
        return false;
    if (d->censor_n != 0 &&
        (double)(s->n - d->censor_n) * s->p.q < SPOT_CENSOR_SPACING)
        return false;
    return gpd_tail_censored(&d->tail) < cap;
}

/* P(X beyond t + y) on side d: the fraction of values in the tail times
 * the fitted survival function. */
static double spot_side_probability(const struct spot *s,
                                    const struct spot_side *d, double y)
{
    return (double)d->nt / (double)s->n * gpd_tail_survival(&d->tail, y);
}

/* A flagged value, y beyond t: counted by the model (n, Nt) as an excess
 * censored at the threshold it crossed, when admitted. */
static int spot_alarm(struct spot *s, struct spot_side *d, double y,
                      double sign, int code)
{
    d->al++;
    s->last_p = spot_side_probability(s, d, y);
    if (s->variant == SPOT_VARIANT_NETSPOT &&
        spot_censor_admits(s, d, y, s->last_p)) {
        s->n++;
        d->nt++;
        d->censor_n = s->n;
        gpd_tail_push(&d->tail, sign * (d->z - d->t), true);
        spot_refit(s, d, sign);
    }
    return code;
}

/* SPOT on a drift-free value (libspot v1's Spot::step, section 3.1). */
static int spot_core(struct spot *s, double v)
{
    if (!spot_calibrated(s)) {
        s->batch[s->batch_count++] = v;
        s->n++;
        if (!spot_calibrated(s))
            return SPOT_INIT_BATCH;
        spot_calibrate(s);
        return SPOT_CALIBRATION;
    }
    if (s->p.up) {
        if (s->p.alert && v > s->up.z)
            return spot_alarm(s, &s->up, v - s->up.t, 1.0, SPOT_ALERT_UP);
        if (v > s->up.t)
            return spot_excess(s, &s->up, v - s->up.t, 1.0, SPOT_EXCESS_UP);
    }
    if (s->p.down) {
        if (s->p.alert && v < s->down.z)
            return spot_alarm(s, &s->down, s->down.t - v, -1.0,
                              SPOT_ALERT_DOWN);
        if (v < s->down.t)
            return spot_excess(s, &s->down, s->down.t - v, -1.0,
                               SPOT_EXCESS_DOWN);
    }
    s->n++;
    return SPOT_NORMAL;
}

/* The window mean once x is added, with libspot's incremental updates,
 * which the reference outputs reproduce bit for bit. */
static double spot_window_mean_with(const struct spot *s, double x)
{
    if (s->win_count < s->p.depth)
        return s->win_mean + (x - s->win_mean) / (s->win_count + 1);
    return s->win_mean + (x - s->window[s->win_next]) / s->p.depth;
}

/* Adds x to the window, whose mean becomes mean (spot_window_mean_with). */
static void spot_window_push(struct spot *s, double x, double mean)
{
    if (s->win_count < s->p.depth)
        s->window[s->win_count++] = x;
    else
        s->window[s->win_next] = x;
    s->win_mean = mean;
    if (++s->win_next == s->p.depth)
        s->win_next = 0;
}

/*
 * Moves the window after a step. libspot keeps alarms out of it, so that an
 * attack does not become the baseline; but then a level that comes back
 * after an excursion on a side nobody watches (a flood lowers the average
 * packet size, and only the upper tail is watched) is flagged for ever,
 * since every value alarms and none enters the window. netspot's detector
 * keeps alarms out too while a run of consecutive alarms lasts at most
 * depth values, so that an attack that long stays fully flagged; once a
 * run is longer, each further alarm enters clipped to the threshold it
 * crossed, so that a stuck baseline catches up in a few windows while an
 * attack still moves it by at most one threshold distance per window
 * (docs/detector.md, "The moving average"). The libspot variant keeps the
 * original rule.
 */
static void spot_window_follow(struct spot *s, double x, int code,
                               double clip_up, double clip_down)
{
    bool alarm = code == SPOT_ALERT_UP || code == SPOT_ALERT_DOWN;
    double in, mean;

    s->alarm_run = alarm ? s->alarm_run + 1 : 0;
    if (alarm && (s->variant != SPOT_VARIANT_NETSPOT ||
                  s->alarm_run <= (uint64_t)s->p.depth))
        return;
    in = !alarm ? x : code == SPOT_ALERT_UP ? clip_up : clip_down;
    mean = spot_window_mean_with(s, in);
    if (isfinite(mean))
        spot_window_push(s, in, mean);
}

int spot_step(struct spot *s, double x)
{
    double v, drift, mean, clip_up, clip_down;
    int code;

    if (!isfinite(x))
        return SPOT_REJECTED;
    /* A huge finite value may still overflow the window's mean, which
     * would then reject every later value: refuse it first. */
    mean = s->p.depth > 0 ? spot_window_mean_with(s, x) : 0.0;
    if (!isfinite(mean))
        return SPOT_REJECTED;
    if (s->p.depth > 0 && s->win_count < s->p.depth) {
        spot_window_push(s, x, mean);
        return SPOT_WINDOW;
    }
    drift = spot_drift(s);
    v = x - drift;
    if (!isfinite(v))
        return SPOT_REJECTED;
    clip_up = drift + s->up.z;
    clip_down = drift + s->down.z;
    code = spot_core(s, v);
    if (s->p.depth > 0)
        spot_window_follow(s, x, code, clip_up, clip_down);
    return code;
}

void spot_thresholds(const struct spot *s, double *lower, double *upper)
{
    double drift = spot_drift(s);

    *lower = s->p.down ? s->down.z + drift : NAN;
    *upper = s->p.up ? s->up.z + drift : NAN;
}

double spot_probability(const struct spot *s, double x)
{
    double v = x - spot_drift(s);

    if (!spot_calibrated(s) || !isfinite(v))
        return NAN;
    if (s->p.up && v > s->up.t)
        return spot_side_probability(s, &s->up, v - s->up.t);
    if (s->p.down && v < s->down.t)
        return spot_side_probability(s, &s->down, s->down.t - v);
    return NAN;
}

double spot_last_probability(const struct spot *s)
{
    return s->last_p;
}

void spot_status_get(const struct spot *s, struct spot_status *st)
{
    double drift = spot_drift(s);

    memset(st, 0, sizeof(*st));
    st->n = s->n;
    st->nt_up = s->up.nt;
    st->nt_down = s->down.nt;
    st->ex_up = s->p.up ? (uint64_t)s->up.tail.count : 0;
    st->ex_down = s->p.down ? (uint64_t)s->down.tail.count : 0;
    st->al_up = s->up.al;
    st->al_down = s->down.al;
    st->t_up = s->up.t + drift;
    st->t_down = s->down.t + drift;
    st->z_up = s->up.z + drift;
    st->z_down = s->down.z + drift;
    st->gamma_up = spot_calibrated(s) && s->p.up ? s->up.tail.gamma : NAN;
    st->sigma_up = spot_calibrated(s) && s->p.up ? s->up.tail.sigma : NAN;
    st->gamma_down = spot_calibrated(s) && s->p.down ? s->down.tail.gamma : NAN;
    st->sigma_down = spot_calibrated(s) && s->p.down ? s->down.tail.sigma : NAN;
    st->drift = drift;
}

/*
 * Save format, version 2: text, one "key value..." line each, integers in
 * decimal and doubles as C99 hexadecimal floats ("%a"), which read back
 * bit for bit on any platform. The last line is "checksum" followed by the
 * FNV-1a 64-bit hash of every byte before it, so that damage anywhere is
 * detected. docs/detector.md describes the keys.
 */
#define SPOT_MAGIC    "netspot-spot 2"
#define SPOT_LINE_MAX 4096

struct spot_writer {
    FILE *f;
    uint64_t hash;
    bool failed;
};

static uint64_t spot_fnv1a(uint64_t h, const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)text[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

#define SPOT_FNV_BASIS 0xcbf29ce484222325ULL

static void spot_put(struct spot_writer *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void spot_put(struct spot_writer *w, const char *fmt, ...)
{
    char line[SPOT_LINE_MAX];
    va_list ap;
    int len;

    va_start(ap, fmt);
    len = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (len < 0 || (size_t)len >= sizeof(line)) {
        w->failed = true;
        return;
    }
    w->hash = spot_fnv1a(w->hash, line, (size_t)len);
    if (fputs(line, w->f) == EOF)
        w->failed = true;
}

static void spot_put_sums(struct spot_writer *w, const char *key,
                          const struct gpd_sums *m)
{
    char line[SPOT_LINE_MAX];
    size_t len = 0;

    spot_put(w, "%s %d %a %a %a\n", key, m->n, m->m1, m->m2, m->sa);
    for (int k = 1; k < GPD_TERMS + 3 && len < sizeof(line); k++)
        len += (size_t)snprintf(line + len, sizeof(line) - len, " %a", m->p[k]);
    spot_put(w, "%s.p%s\n", key, line);
}

static void spot_put_side(struct spot_writer *w, const char *name,
                          const struct spot_side *d)
{
    const struct gpd_tail *t = &d->tail;
    char key[32];

    spot_put(w, "%s.t %a\n%s.z %a\n", name, d->t, name, d->z);
    spot_put(w, "%s.nt %" PRIu64 "\n%s.al %" PRIu64 "\n", name, d->nt, name,
             d->al);
    spot_put(w, "%s.censor_n %" PRIu64 "\n", name, d->censor_n);
    spot_put(w, "%s.fit %a %a %a\n", name, t->gamma, t->sigma, t->root);
    spot_put(w, "%s.centre %a %a %d\n", name, t->x0, t->scale, t->pushes);
    snprintf(key, sizeof(key), "%s.obs", name);
    spot_put_sums(w, key, &t->obs);
    snprintf(key, sizeof(key), "%s.cens", name);
    spot_put_sums(w, key, &t->cens);
    spot_put(w, "%s.ring %d %d\n", name, t->count, t->next);
    for (int i = 0; i < t->count; i++)
        spot_put(w, "e %d %a\n", t->censored[i], t->v[i]);
}

int spot_save(const struct spot *s, FILE *f)
{
    struct spot_writer w = {f, SPOT_FNV_BASIS, false};
    const struct spot_params *p = &s->p;

    spot_put(&w, "%s\n", SPOT_MAGIC);
    spot_put(&w, "variant %d\n", s->variant);
    spot_put(&w, "q %a\nn_init %d\nlevel %a\n", p->q, p->n_init, p->level);
    spot_put(&w, "up %d\ndown %d\nalert %d\nbounded %d\n", p->up, p->down,
             p->alert, p->bounded);
    spot_put(&w, "max_excess %d\ndepth %d\n", p->max_excess, p->depth);
    spot_put(&w, "n %" PRIu64 "\n", s->n);
    spot_put(&w, "batch %d\n", s->batch_count);
    for (int i = 0; i < s->batch_count && !spot_calibrated(s); i++)
        spot_put(&w, "b %a\n", s->batch[i]);
    spot_put(&w, "window %d %d %a\n", s->win_count, s->win_next, s->win_mean);
    for (int i = 0; i < s->win_count; i++)
        spot_put(&w, "w %a\n", s->window[i]);
    spot_put(&w, "alarm_run %" PRIu64 "\n", s->alarm_run);
    spot_put(&w, "last_p %a\n", s->last_p);
    if (p->up)
        spot_put_side(&w, "up", &s->up);
    if (p->down)
        spot_put_side(&w, "down", &s->down);
    if (w.failed || fprintf(f, "checksum %016" PRIx64 "\n", w.hash) < 0 ||
        fflush(f) != 0 || ferror(f))
        return error_set(ERROR_IO, "spot: cannot write the detector state");
    return 0;
}

int spot_save_file(const struct spot *s, const char *path)
{
    size_t len = strlen(path) + sizeof(".tmp");
    char *tmp = malloc(len);
    FILE *f;
    int rc;

    if (tmp == NULL)
        return error_set(ERROR_NOMEM, "%s: out of memory", path);
    snprintf(tmp, len, "%s.tmp", path);
    f = fopen(tmp, "w");
    if (f == NULL) {
        rc = error_set(ERROR_IO, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    rc = spot_save(s, f);
    if (fclose(f) != 0 && rc == 0)
        rc = error_set(ERROR_IO, "%s: %s", tmp, strerror(errno));
    if (rc == 0 && rename(tmp, path) != 0)
        rc = error_set(ERROR_IO, "%s: %s", path, strerror(errno));
    if (rc < 0)
        remove(tmp);
out:
    free(tmp);
    return rc;
}

struct spot_reader {
    FILE *f;
    int line;
    uint64_t hash;
    char buf[SPOT_LINE_MAX];
    char *p; /* next unread character of buf */
};

static int spot_bad(const struct spot_reader *r, const char *what)
{
    return error_set(ERROR_FORMAT, "spot state: line %d: %s", r->line, what);
}

/* Reads the next line, which must start with key and a space (or end). */
static int spot_get_line(struct spot_reader *r, const char *key)
{
    size_t len, klen = strlen(key);

    r->line++;
    if (fgets(r->buf, sizeof(r->buf), r->f) == NULL)
        return error_set(ERROR_FORMAT, "spot state: truncated before line %d",
                         r->line);
    len = strlen(r->buf);
    if (len == 0 || r->buf[len - 1] != '\n')
        return spot_bad(r, "line too long or unterminated");
    if (strncmp(r->buf, key, klen) != 0 ||
        (r->buf[klen] != ' ' && r->buf[klen] != '\n')) {
        char what[96];

        snprintf(what, sizeof(what), "expected '%s'", key);
        return spot_bad(r, what);
    }
    r->hash = spot_fnv1a(r->hash, r->buf, len);
    r->p = r->buf + klen;
    return 0;
}

static int spot_get_double(struct spot_reader *r, double *out)
{
    char *end;

    if (*r->p != ' ')
        return spot_bad(r, "missing number");
    *out = strtod(r->p + 1, &end);
    if (end == r->p + 1 || (*end != ' ' && *end != '\n'))
        return spot_bad(r, "malformed number");
    r->p = end;
    return 0;
}

static int spot_get_int(struct spot_reader *r, int64_t lo, int64_t hi,
                        int64_t *out)
{
    char *end;
    long long v;

    if (*r->p != ' ' || (r->p[1] == '-' && lo >= 0))
        return spot_bad(r, "missing or negative integer");
    v = strtoll(r->p + 1, &end, 10);
    if (end == r->p + 1 || (*end != ' ' && *end != '\n') || v < lo || v > hi)
        return spot_bad(r, "malformed or out-of-range integer");
    *out = v;
    r->p = end;
    return 0;
}

static int spot_get_u64(struct spot_reader *r, uint64_t *out)
{
    char *end;

    if (*r->p != ' ' || r->p[1] == '-')
        return spot_bad(r, "missing or negative count");
    *out = strtoull(r->p + 1, &end, 10);
    if (end == r->p + 1 || (*end != ' ' && *end != '\n'))
        return spot_bad(r, "malformed count");
    r->p = end;
    return 0;
}

static int spot_get_end(struct spot_reader *r)
{
    return *r->p == '\n' ? 0 : spot_bad(r, "unexpected trailing text");
}

/* "key int" / "key double" lines. */
static int spot_get_key_int(struct spot_reader *r, const char *key, int64_t lo,
                            int64_t hi, int64_t *out)
{
    int rc = spot_get_line(r, key);

    if (rc == 0)
        rc = spot_get_int(r, lo, hi, out);
    return rc < 0 ? rc : spot_get_end(r);
}

static int spot_get_key_double(struct spot_reader *r, const char *key,
                               double *out)
{
    int rc = spot_get_line(r, key);

    if (rc == 0)
        rc = spot_get_double(r, out);
    return rc < 0 ? rc : spot_get_end(r);
}

static int spot_get_params(struct spot_reader *r, struct spot_params *p,
                           enum spot_variant *variant)
{
    static const char *const flags[] = {"up", "down", "alert", "bounded"};
    bool *fields[] = {&p->up, &p->down, &p->alert, &p->bounded};
    int64_t v;
    int rc;

    if ((rc = spot_get_key_int(r, "variant", 0, 1, &v)) < 0)
        return rc;
    *variant = (enum spot_variant)v;
    if ((rc = spot_get_key_double(r, "q", &p->q)) < 0 ||
        (rc = spot_get_key_int(r, "n_init", INT32_MIN, INT32_MAX, &v)) < 0)
        return rc;
    p->n_init = (int)v;
    if ((rc = spot_get_key_double(r, "level", &p->level)) < 0)
        return rc;
    for (int i = 0; i < 4; i++) {
        if ((rc = spot_get_key_int(r, flags[i], 0, 1, &v)) < 0)
            return rc;
        *fields[i] = v == 1;
    }
    if ((rc = spot_get_key_int(r, "max_excess", INT32_MIN, INT32_MAX, &v)) < 0)
        return rc;
    p->max_excess = (int)v;
    if ((rc = spot_get_key_int(r, "depth", INT32_MIN, INT32_MAX, &v)) < 0)
        return rc;
    p->depth = (int)v;
    if ((rc = spot_check(p, *variant == SPOT_VARIANT_LIBSPOT)) < 0)
        return spot_bad(r, error_detail());
    return 0;
}

/* Values of a batch or window: count lines "key double". */
static int spot_get_values(struct spot_reader *r, const char *key, int count,
                           double *out)
{
    for (int i = 0; i < count; i++) {
        int rc = spot_get_key_double(r, key, &out[i]);

        if (rc < 0)
            return rc;
        if (!isfinite(out[i]))
            return spot_bad(r, "value not finite");
    }
    return 0;
}

static int spot_get_sums(struct spot_reader *r, const char *key,
                         struct gpd_sums *m)
{
    char pkey[40];
    int64_t n;
    int rc;

    if ((rc = spot_get_line(r, key)) < 0 ||
        (rc = spot_get_int(r, 0, SPOT_EXCESS_LIMIT, &n)) < 0 ||
        (rc = spot_get_double(r, &m->m1)) < 0 ||
        (rc = spot_get_double(r, &m->m2)) < 0 ||
        (rc = spot_get_double(r, &m->sa)) < 0 || (rc = spot_get_end(r)) < 0)
        return rc;
    m->n = (int)n;
    snprintf(pkey, sizeof(pkey), "%s.p", key);
    if ((rc = spot_get_line(r, pkey)) < 0)
        return rc;
    for (int k = 1; k < GPD_TERMS + 3; k++)
        if ((rc = spot_get_double(r, &m->p[k])) < 0)
            return rc;
    return spot_get_end(r);
}

static int spot_get_side(struct spot_reader *r, const char *name,
                         struct spot_side *d)
{
    struct gpd_tail *t = &d->tail;
    char key[32];
    int64_t count, next, pushes;
    int rc;

#define SPOT_KEY(suffix) (snprintf(key, sizeof(key), "%s." suffix, name), key)
    if ((rc = spot_get_key_double(r, SPOT_KEY("t"), &d->t)) < 0 ||
        (rc = spot_get_key_double(r, SPOT_KEY("z"), &d->z)) < 0 ||
        (rc = spot_get_line(r, SPOT_KEY("nt"))) < 0 ||
        (rc = spot_get_u64(r, &d->nt)) < 0 || (rc = spot_get_end(r)) < 0 ||
        (rc = spot_get_line(r, SPOT_KEY("al"))) < 0 ||
        (rc = spot_get_u64(r, &d->al)) < 0 || (rc = spot_get_end(r)) < 0 ||
        (rc = spot_get_line(r, SPOT_KEY("censor_n"))) < 0 ||
        (rc = spot_get_u64(r, &d->censor_n)) < 0 ||
        (rc = spot_get_end(r)) < 0 ||
        (rc = spot_get_line(r, SPOT_KEY("fit"))) < 0 ||
        (rc = spot_get_double(r, &t->gamma)) < 0 ||
        (rc = spot_get_double(r, &t->sigma)) < 0 ||
        (rc = spot_get_double(r, &t->root)) < 0 || (rc = spot_get_end(r)) < 0 ||
        (rc = spot_get_line(r, SPOT_KEY("centre"))) < 0 ||
        (rc = spot_get_double(r, &t->x0)) < 0 ||
        (rc = spot_get_double(r, &t->scale)) < 0 ||
        (rc = spot_get_int(r, 0, SPOT_EXCESS_LIMIT, &pushes)) < 0 ||
        (rc = spot_get_end(r)) < 0 ||
        (rc = spot_get_sums(r, SPOT_KEY("obs"), &t->obs)) < 0 ||
        (rc = spot_get_sums(r, SPOT_KEY("cens"), &t->cens)) < 0 ||
        (rc = spot_get_line(r, SPOT_KEY("ring"))) < 0 ||
        (rc = spot_get_int(r, 0, t->capacity, &count)) < 0 ||
        (rc = spot_get_int(r, 0, t->capacity - 1, &next)) < 0 ||
        (rc = spot_get_end(r)) < 0)
        return rc;
#undef SPOT_KEY
    t->pushes = (int)pushes;
    t->count = (int)count;
    t->next = (int)next;
    for (int i = 0; i < t->count; i++) {
        int64_t flag;

        if ((rc = spot_get_line(r, "e")) < 0 ||
            (rc = spot_get_int(r, 0, 1, &flag)) < 0 ||
            (rc = spot_get_double(r, &t->v[i])) < 0 ||
            (rc = spot_get_end(r)) < 0)
            return rc;
        t->censored[i] = (uint8_t)flag;
    }
    if (!gpd_tail_restore(t) || d->nt < (uint64_t)count)
        return spot_bad(r, "inconsistent tail state");
    return 0;
}

/* Refuses a tail whose numbers are outside their domain, naming the field
 * (n is the detector's value count). */
static int spot_check_side(const struct spot_reader *r, const char *name,
                           bool calibrated, const struct spot_side *d,
                           uint64_t n)
{
    const struct gpd_tail *t = &d->tail;
    const char *field = NULL;
    char what[96];

    if (isfinite(d->t) != calibrated)
        field = calibrated ? "t is not finite" : "t is set before calibration";
    else if (calibrated && !isfinite(d->z))
        field = "z is not finite";
    else if (!isfinite(t->gamma))
        field = "fit gamma is not finite";
    else if (!(t->sigma >= 0.0) || !isfinite(t->sigma))
        field = "fit sigma is negative or not finite";
    else if (!isfinite(t->x0) || !isfinite(t->scale))
        field = "centre x0 or scale is not finite";
    else if (d->nt > n)
        field = "nt exceeds n";
    if (field == NULL)
        return 0;
    snprintf(what, sizeof(what), "%s.%s", name, field);
    return spot_bad(r, what);
}

static int spot_get_state(struct spot_reader *r, struct spot *s)
{
    int64_t count, next;
    int rc;

    if ((rc = spot_get_line(r, "n")) < 0 || (rc = spot_get_u64(r, &s->n)) < 0 ||
        (rc = spot_get_end(r)) < 0 ||
        (rc = spot_get_key_int(r, "batch", 0, s->p.n_init, &count)) < 0)
        return rc;
    s->batch_count = (int)count;
    if (!spot_calibrated(s) &&
        (rc = spot_get_values(r, "b", s->batch_count, s->batch)) < 0)
        return rc;
    if ((rc = spot_get_line(r, "window")) < 0 ||
        (rc = spot_get_int(r, 0, s->p.depth, &count)) < 0 ||
        (rc = spot_get_int(r, 0, s->p.depth > 0 ? s->p.depth - 1 : 0, &next)) <
            0 ||
        (rc = spot_get_double(r, &s->win_mean)) < 0 ||
        (rc = spot_get_end(r)) < 0)
        return rc;
    s->win_count = (int)count;
    s->win_next = (int)next;
    if ((rc = spot_get_values(r, "w", s->win_count, s->window)) < 0 ||
        (rc = spot_get_line(r, "alarm_run")) < 0 ||
        (rc = spot_get_u64(r, &s->alarm_run)) < 0 ||
        (rc = spot_get_end(r)) < 0 ||
        (rc = spot_get_key_double(r, "last_p", &s->last_p)) < 0)
        return rc;
    if (!isfinite(s->win_mean))
        return spot_bad(r, "window mean is not finite");
    if (spot_calibrated(s) && s->n < (uint64_t)s->p.n_init)
        return spot_bad(r, "n is below n_init in a calibrated detector");
    if (s->p.up &&
        ((rc = spot_get_side(r, "up", &s->up)) < 0 ||
         (rc = spot_check_side(r, "up", spot_calibrated(s), &s->up, s->n)) < 0))
        return rc;
    if (s->p.down && ((rc = spot_get_side(r, "down", &s->down)) < 0 ||
                      (rc = spot_check_side(r, "down", spot_calibrated(s),
                                            &s->down, s->n)) < 0))
        return rc;
    return 0;
}

static int spot_get_checksum(struct spot_reader *r)
{
    uint64_t expected = r->hash;
    char *end;
    uint64_t h;

    r->line++;
    if (fgets(r->buf, sizeof(r->buf), r->f) == NULL)
        return error_set(ERROR_FORMAT, "spot state: truncated before line %d",
                         r->line);
    if (strncmp(r->buf, "checksum ", 9) != 0)
        return spot_bad(r, "expected 'checksum'");
    h = strtoull(r->buf + 9, &end, 16);
    if (end != r->buf + 25 || *end != '\n')
        return spot_bad(r, "malformed checksum");
    if (h != expected)
        return spot_bad(r, "checksum mismatch: the state is damaged");
    if (fgetc(r->f) != EOF)
        return spot_bad(r, "unexpected text after the checksum");
    return 0;
}

int spot_load(FILE *f, struct spot **out)
{
    struct spot_reader *r;
    struct spot_params p;
    enum spot_variant variant;
    struct spot *s = NULL;
    int rc;

    *out = NULL;
    r = calloc(1, sizeof(*r));
    if (r == NULL)
        return error_set(ERROR_NOMEM, "spot: out of memory");
    r->f = f;
    r->hash = SPOT_FNV_BASIS;
    rc = spot_get_line(r, "netspot-spot");
    if (rc == 0 && strcmp(r->buf, SPOT_MAGIC "\n") != 0)
        rc = spot_bad(r, "not a netspot detector state of version 2");
    if (rc == 0)
        rc = spot_get_params(r, &p, &variant);
    if (rc == 0 && (rc = spot_new_variant(&p, variant, &s)) < 0)
        s = NULL;
    if (rc == 0)
        rc = spot_get_state(r, s);
    if (rc == 0)
        rc = spot_get_checksum(r);
    free(r);
    if (rc < 0) {
        spot_free(s);
        return rc == ERROR_NOMEM ? rc : ERROR_FORMAT;
    }
    *out = s;
    return 0;
}

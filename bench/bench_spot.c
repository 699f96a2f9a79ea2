/*
 * Speed of one SPOT detector: the average cost of spot_step() on a stream
 * of N(0,1) values generated in memory beforehand, so that only the step
 * loop is timed. Prints the median of several runs in ns per step, with
 * the excess and alarm counts of the last run.
 *
 *   bench_spot [--values N] [--runs R] [--variant netspot|libspot]
 *              [--q Q] [--depth D] [--max-excess M] [--down]
 *   bench_spot --calibration [--values N] [--seeds S] [--variant V]
 *   bench_spot --detection [--seeds S]
 *
 * The defaults are netspot's: depth 50, q 1e-4, n_init 1000, level 0.98,
 * upper tail only, max_excess 200; 10,000,000 values, 5 runs.
 *
 * --calibration prints instead the table of docs/detector.md: the alarm
 * rate over q on stationary streams of every family the tests use (depth
 * 0, q 1e-3 and 1e-4, 1,000,000 values unless --values), mean, minimum and
 * maximum over S seeds (default 8).
 *
 * --detection prints the detection table of docs/detector.md: after
 * 100,000 calm N(0,1) values, 50 values at mean 6 (seeds 1 to S), or one
 * value at +8 after every 999 calm ones, 200 times (seeds 101 to 100 + S);
 * q 1e-3 and 1e-4, depth 0 and 50, S 20 unless given.
 */
#include "detect/spot.h"
#include "util/error.h"

/* The seeded streams of the unit tests. */
#include "../tests/unit/test_spot_streams.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

struct bench_opts {
    long values;
    int runs;
    int seeds;
    bool calibration;
    bool detection;
    enum spot_variant variant;
    struct spot_params p;
};

static int bench_parse(int argc, char **argv, struct bench_opts *o)
{
    spot_params_default(&o->p);
    o->values = 0;
    o->runs = 5;
    o->seeds = -1; /* 8, or 20 with --detection */
    o->calibration = false;
    o->detection = false;
    o->variant = SPOT_VARIANT_NETSPOT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--down") == 0) {
            o->p.down = true;
            continue;
        }
        if (strcmp(a, "--detection") == 0) {
            o->detection = true;
            continue;
        }
        if (strcmp(a, "--calibration") == 0) {
            o->calibration = true;
            continue;
        }
        if (v == NULL)
            return -1;
        i++;
        if (strcmp(a, "--values") == 0)
            o->values = strtol(v, NULL, 10);
        else if (strcmp(a, "--runs") == 0)
            o->runs = (int)strtol(v, NULL, 10);
        else if (strcmp(a, "--seeds") == 0)
            o->seeds = (int)strtol(v, NULL, 10);
        else if (strcmp(a, "--q") == 0)
            o->p.q = strtod(v, NULL);
        else if (strcmp(a, "--depth") == 0)
            o->p.depth = (int)strtol(v, NULL, 10);
        else if (strcmp(a, "--max-excess") == 0)
            o->p.max_excess = (int)strtol(v, NULL, 10);
        else if (strcmp(a, "--variant") == 0)
            o->variant = strcmp(v, "libspot") == 0 ? SPOT_VARIANT_LIBSPOT
                                                   : SPOT_VARIANT_NETSPOT;
        else
            return -1;
    }
    if (o->seeds == -1)
        o->seeds = o->detection ? 20 : 8;
    if (o->values == 0)
        o->values = o->calibration ? 1000000 : 10000000;
    return o->values > 0 && o->runs > 0 && o->runs <= 100 && o->seeds > 0 ? 0
                                                                          : -1;
}

/* Alarm rate over q of one stationary stream (the calibration batch is
 * not counted). */
static double bench_ratio(const struct bench_opts *o, double q,
                          enum stream_family f, uint64_t seed)
{
    struct spot_params p = o->p;
    struct stream_rng r;
    struct spot *s;
    long alarms = 0, counted = 0;

    p.q = q;
    p.depth = 0;
    if (spot_new_variant(&p, o->variant, &s) < 0)
        return NAN;
    stream_seed(&r, seed);
    for (long i = 0; i < o->values; i++) {
        int code = spot_step(s, stream_value(&r, f));

        if (code == SPOT_INIT_BATCH || code == SPOT_CALIBRATION)
            continue;
        counted++;
        alarms += code == SPOT_ALERT_UP;
    }
    spot_free(s);
    return (double)alarms / (double)counted / q;
}

static void bench_calibration(const struct bench_opts *o)
{
    static const double qs[] = {1e-3, 1e-4};

    printf("| stream | q | alarm rate / q, mean | min | max |\n"
           "|---|---|---|---|---|\n");
    for (int k = 0; k < 2; k++)
        for (int f = 0; f < STREAM_FAMILIES; f++) {
            double sum = 0.0, lo = INFINITY, hi = 0.0;

            for (int seed = 0; seed < o->seeds; seed++) {
                double ratio = bench_ratio(o, qs[k], (enum stream_family)f,
                                           1000 + 10 * (uint64_t)f +
                                               (uint64_t)k + 7919 * seed);

                sum += ratio;
                lo = fmin(lo, ratio);
                hi = fmax(hi, ratio);
            }
            printf("| %s | %g | %.2f | %.2f | %.2f |\n", stream_names[f], qs[k],
                   sum / o->seeds, lo, hi);
        }
    printf("\n%ld values per stream, %d seeds, %s variant\n", o->values,
           o->seeds,
           o->variant == SPOT_VARIANT_LIBSPOT ? "libspot" : "netspot");
}

/* Alarms among the anomalies of one detection run: 50 shifted values, or
 * 200 isolated +8 (plus8); *first tells whether the first was flagged. */
static int bench_detect(double q, int depth, bool plus8, uint64_t seed,
                        bool *first)
{
    struct spot_params p;
    struct stream_rng r;
    struct spot *s;
    int flagged = 0, n = plus8 ? 200 : 50;

    spot_params_default(&p);
    p.q = q;
    p.depth = depth;
    if (spot_new(&p, &s) < 0)
        return -1;
    stream_seed(&r, seed);
    for (int i = 0; i < 100000; i++)
        spot_step(s, stream_normal(&r));
    for (int i = 0; i < n; i++) {
        double x = plus8 ? 8.0 : 6.0 + stream_normal(&r);
        int code;

        for (int j = 0; plus8 && j < 999; j++)
            spot_step(s, stream_normal(&r));
        code = spot_step(s, x);
        flagged += code == SPOT_ALERT_UP;
        if (i == 0)
            *first = code == SPOT_ALERT_UP;
    }
    spot_free(s);
    return flagged;
}

static void bench_detection(const struct bench_opts *o)
{
    static const double qs[] = {1e-3, 1e-4};
    static const int depths[] = {0, 50};

    printf("| q | depth | shift: flagged of 50, mean | min | first value "
           "flagged | +8: flagged of 200, mean | min |\n"
           "|---|---|---|---|---|---|---|\n");
    for (int k = 0; k < 4; k++) {
        double q = qs[k / 2], sum = 0.0, sum8 = 0.0;
        int depth = depths[k % 2], lo = 50, lo8 = 200, firsts = 0;
        bool first;

        for (int seed = 1; seed <= o->seeds; seed++) {
            int f = bench_detect(q, depth, false, (uint64_t)seed, &first);
            int g = bench_detect(q, depth, true, 100 + (uint64_t)seed, &first);

            sum += f;
            lo = f < lo ? f : lo;
            firsts += first;
            sum8 += g;
            lo8 = g < lo8 ? g : lo8;
        }
        printf("| %g | %d | %.1f | %d | %d/%d | %.1f | %d |\n", q, depth,
               sum / o->seeds, lo, firsts, o->seeds, sum8 / o->seeds, lo8);
    }
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    struct stream_rng rng;
    double *xs, ns[100];
    long excesses = 0, alarms = 0;

    if (bench_parse(argc, argv, &o) < 0) {
        fprintf(stderr, "usage: bench_spot [--values N] [--runs R] "
                        "[--variant netspot|libspot] [--q Q] [--depth D] "
                        "[--max-excess M] [--down]\n"
                        "       bench_spot --calibration [--values N] "
                        "[--seeds S] [--variant netspot|libspot]\n"
                        "       bench_spot --detection [--seeds S]\n");
        return 2;
    }
    if (o.calibration) {
        bench_calibration(&o);
        return 0;
    }
    if (o.detection) {
        bench_detection(&o);
        return 0;
    }
    xs = malloc((size_t)o.values * sizeof(*xs));
    if (xs == NULL)
        return 1;
    stream_seed(&rng, 42);
    for (long i = 0; i < o.values; i++)
        xs[i] = stream_normal(&rng);

    for (int r = 0; r < o.runs; r++) {
        struct spot *s;
        double t0;

        if (spot_new_variant(&o.p, o.variant, &s) < 0) {
            fprintf(stderr, "bench_spot: %s\n", error_detail());
            free(xs);
            return 1;
        }
        excesses = alarms = 0;
        t0 = bench_now();
        for (long i = 0; i < o.values; i++) {
            int code = spot_step(s, xs[i]);

            excesses += code == SPOT_EXCESS_UP || code == SPOT_EXCESS_DOWN;
            alarms += code == SPOT_ALERT_UP || code == SPOT_ALERT_DOWN;
        }
        ns[r] = (bench_now() - t0) * 1e9 / (double)o.values;
        spot_free(s);
    }
    qsort(ns, (size_t)o.runs, sizeof(double), bench_cmp);
    printf("spot_step: %.1f ns/step (median of %d runs, min %.1f, max %.1f)"
           "\n%ld values, %ld excesses, %ld alarms; q %g depth %d "
           "max_excess %d %s%s\n",
           ns[o.runs / 2], o.runs, ns[0], ns[o.runs - 1], o.values, excesses,
           alarms, o.p.q, o.p.depth, o.p.max_excess,
           o.p.down ? "both tails" : "upper tail",
           o.variant == SPOT_VARIANT_LIBSPOT ? " (libspot variant)" : "");
    free(xs);
    return 0;
}

/*
 * Speed of one SPOT detector: the average cost of spot_step() on a stream
 * of N(0,1) values generated in memory beforehand, so that only the step
 * loop is timed. Prints the median of several runs in ns per step, with
 * the excess and alarm counts of the last run.
 *
 *   bench_spot [--values N] [--runs R] [--variant netspot|libspot]
 *              [--q Q] [--depth D] [--max-excess M] [--down]
 *
 * The defaults are netspot's: depth 50, q 1e-4, n_init 1000, level 0.98,
 * upper tail only, max_excess 200; 10,000,000 values, 5 runs.
 */
#include "detect/spot.h"
#include "util/error.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct bench_rng {
    uint64_t s[4];
};

static uint64_t bench_splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t bench_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman and Vigna). */
static uint64_t bench_next(struct bench_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = bench_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = bench_rotl(s[3], 45);
    return out;
}

static double bench_uniform(struct bench_rng *r)
{
    return (double)(bench_next(r) >> 11) * 0x1p-53;
}

/* Marsaglia's polar method. */
static double bench_normal(struct bench_rng *r)
{
    double u, v, s;

    do {
        u = 2.0 * bench_uniform(r) - 1.0;
        v = 2.0 * bench_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}

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
    enum spot_variant variant;
    struct spot_params p;
};

static int bench_parse(int argc, char **argv, struct bench_opts *o)
{
    spot_params_default(&o->p);
    o->values = 10000000;
    o->runs = 5;
    o->variant = SPOT_VARIANT_NETSPOT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--down") == 0) {
            o->p.down = true;
            continue;
        }
        if (v == NULL)
            return -1;
        i++;
        if (strcmp(a, "--values") == 0)
            o->values = strtol(v, NULL, 10);
        else if (strcmp(a, "--runs") == 0)
            o->runs = (int)strtol(v, NULL, 10);
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
    return o->values > 0 && o->runs > 0 && o->runs <= 100 ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    struct bench_rng rng;
    uint64_t seed = 42;
    double *xs, ns[100];
    long excesses = 0, alarms = 0;

    if (bench_parse(argc, argv, &o) < 0) {
        fprintf(stderr, "usage: bench_spot [--values N] [--runs R] "
                        "[--variant netspot|libspot] [--q Q] [--depth D] "
                        "[--max-excess M] [--down]\n");
        return 2;
    }
    xs = malloc((size_t)o.values * sizeof(*xs));
    if (xs == NULL)
        return 1;
    for (int i = 0; i < 4; i++)
        rng.s[i] = bench_splitmix(&seed);
    for (long i = 0; i < o.values; i++)
        xs[i] = bench_normal(&rng);

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

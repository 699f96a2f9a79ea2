/*
 * The tail model (detect/gpd.h) against a brute-force fit: the best of the
 * exponential tail, the method of moments and every interior maximum of
 * the profile likelihood found on a dense grid and refined, with censored
 * entries or without, through long sequences of pushes that move the
 * cached series around.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "detect/gpd.h"

#include "test_spot_streams.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sample {
    int n;
    double v[1000];
    int censored[1000];
};

/* Log-likelihood with censoring, written out independently of gpd.c. */
static double loglik(const struct sample *d, double g, double s)
{
    double u = 0, l = 0;

    if (!(s > 0))
        return -INFINITY;
    for (int i = 0; i < d->n; i++) {
        double z = g == 0 ? d->v[i] / s : log1p(g * d->v[i] / s) / g;

        if (g != 0 && !(1 + g * d->v[i] / s > 0))
            return -INFINITY;
        if (d->censored[i]) {
            l -= z;
        } else {
            u++;
            l -= log(s) + (g == 0 ? z : (1 + g) * z);
        }
    }
    return l;
}

static double vmax_of(const struct sample *d)
{
    double m = 0;

    for (int i = 0; i < d->n; i++)
        m = fmax(m, d->v[i]);
    return m;
}

/* Profile likelihood at x = gamma / sigma. */
static double profile(const struct sample *d, double x)
{
    double a = 0, c = 0, u = 0, g;

    for (int i = 0; i < d->n; i++) {
        double l = log1p(x * d->v[i]);

        if (d->censored[i]) {
            c += l;
        } else {
            a += l;
            u++;
        }
    }
    g = (a + c) / u;
    if (!(g / x > 0))
        return -INFINITY;
    return -u * log(g / x) - a - u;
}

static double golden_max(const struct sample *d, double lo, double hi)
{
    const double k = 0.6180339887498949;

    for (int i = 0; i < 100; i++) {
        double m1 = hi - k * (hi - lo), m2 = lo + k * (hi - lo);

        if (profile(d, m1) < profile(d, m2))
            lo = m1;
        else
            hi = m2;
    }
    return profile(d, 0.5 * (lo + hi));
}

/* Best likelihood among the candidates, by brute force. */
static double brute_best(const struct sample *d)
{
    enum { GRID = 3000 };
    double vmax = vmax_of(d), best, e = 0, e2 = 0, u = 0, c = 0;
    static double xs[2 * GRID], pl[2 * GRID];

    for (int i = 0; i < d->n; i++) {
        c += d->v[i];
        if (!d->censored[i]) {
            e += d->v[i];
            e2 += d->v[i] * d->v[i];
            u++;
        }
    }
    best = loglik(d, 0, c / u);
    e /= u;
    if (e2 / u - e * e > 0) {
        double r = e * e / (e2 / u - e * e);

        best = fmax(best, loglik(d, 0.5 * (1 - r), 0.5 * e * (1 + r)));
    }

    /* Left of 0: 1 + x vmax from 1e-6 to 1; right: x vmax to 1e4. */
    for (int i = 0; i < GRID; i++) {
        xs[i] = -(1 - pow(10, -6.0 + 6.0 * (i + 0.5) / GRID)) / vmax;
        xs[GRID + i] = pow(10, -6.0 + 10.0 * (i + 0.5) / GRID) / vmax;
    }
    for (int i = 0; i < 2 * GRID; i++)
        pl[i] = profile(d, xs[i]);
    for (int i = 1; i < 2 * GRID - 1; i++)
        if (i != GRID - 1 && i != GRID && pl[i] > pl[i - 1] &&
            pl[i] >= pl[i + 1])
            best = fmax(best, golden_max(d, xs[i - 1], xs[i + 1]));
    return best;
}

static double draw(struct stream_rng *r, int family)
{
    double x;

    switch (family) {
    case 0: /* N(0,1) beyond its 98% quantile */
        do
            x = stream_normal(r);
        while (x <= 2.0537);
        return x - 2.0537;
    case 1:
        return stream_value(r, STREAM_EXP);
    case 2: /* GPD with gamma 1/3 */
        return stream_value(r, STREAM_PARETO) - 1.0;
    case 3:
        return stream_value(r, STREAM_UNIFORM);
    default: /* LogNormal beyond its 98% quantile */
        do
            x = stream_value(r, STREAM_LOGNORMAL);
        while (x <= 7.799);
        return x - 7.799;
    }
}

struct tail {
    struct gpd_tail t;
    void *storage;
    struct sample held; /* the entries in ring order */
};

static void tail_init(struct tail *t, int capacity)
{
    t->storage = calloc(1, gpd_tail_storage(capacity));
    assert_non_null(t->storage);
    gpd_tail_init(&t->t, capacity, t->storage);
    memset(&t->held, 0, sizeof(t->held));
}

static void tail_push(struct tail *t, double v, bool censored)
{
    int i = t->t.next;

    gpd_tail_push(&t->t, v, censored);
    t->held.v[i] = v;
    t->held.censored[i] = censored;
    t->held.n = t->t.count;
}

static void check_fit(struct tail *t, const char *what)
{
    double best = brute_best(&t->held);
    double got;

    gpd_tail_fit(&t->t);
    got = loglik(&t->held, t->t.gamma, t->t.sigma);
    if (!(got >= best - 1e-7 * (1 + fabs(best))))
        fail_msg("%s: fit (%g, %g) has log-likelihood %.12g, brute force "
                 "%.12g",
                 what, t->t.gamma, t->t.sigma, got, best);
}

static void test_fit_matches_brute_force(void **state)
{
    static const char *const names[] = {"gauss tail", "exponential", "pareto",
                                        "uniform", "lognormal"};
    static const int sizes[] = {20, 200, 1000};

    (void)state;
    for (int f = 0; f < 5; f++)
        for (int k = 0; k < 3; k++) {
            struct stream_rng r;
            struct tail t;
            char what[64];

            stream_seed(&r, 100 + 10 * f + k);
            tail_init(&t, sizes[k]);
            for (int i = 0; i < sizes[k]; i++)
                tail_push(&t, draw(&r, f), false);
            snprintf(what, sizeof(what), "%s, %d values", names[f], sizes[k]);
            check_fit(&t, what);
            free(t.storage);
        }
}

/* Sliding through a ring of 200 with some censored entries, fitting after
 * every push as the detector does; the brute force checks every 97th. */
static void test_sliding_fits(void **state)
{
    (void)state;
    for (int f = 0; f < 5; f++) {
        struct stream_rng r;
        struct tail t;

        stream_seed(&r, 200 + f);
        tail_init(&t, 200);
        for (int i = 0; i < 4000; i++) {
            bool censored = i % 101 == 50;
            double v = draw(&r, f);

            /* A censored entry is known to exceed a high point only. */
            tail_push(&t, censored ? fmax(v, 0.8 * t.t.vmax) : v, censored);
            gpd_tail_fit(&t.t);
            if (i % 97 == 96) {
                char what[64];

                snprintf(what, sizeof(what), "family %d, push %d", f, i);
                check_fit(&t, what);
            }
        }
        free(t.storage);
    }
}

static void test_quantile_survival(void **state)
{
    static const double shapes[][2] = {
        {0.0, 1.0}, {0.3, 0.5}, {-0.2, 2.0}, {-1.0, 1.0}, {1e-12, 1.0}};

    (void)state;
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        struct gpd_tail t;

        memset(&t, 0, sizeof(t));
        t.gamma = shapes[i][0];
        t.sigma = shapes[i][1];
        for (double r = 1e-6; r < 1; r *= 7) {
            double y = gpd_tail_quantile(&t, r);

            assert_true(y >= 0);
            assert_float_equal(gpd_tail_survival(&t, y), r, 1e-12);
        }
    }
}

/*
 * Ties with t: zero excesses must not break the fit. With ties the
 * likelihood has no maximum (it grows without bound as sigma -> 0 and
 * gamma -> infinity, a point mass at 0), so there is no brute force to
 * compare with: the fit must stay finite and usable.
 */
static void test_zero_excesses(void **state)
{
    struct tail t;

    (void)state;
    tail_init(&t, 50);
    for (int i = 0; i < 50; i++)
        tail_push(&t, 0.0, false);
    gpd_tail_fit(&t.t);
    assert_true(t.t.gamma == 0.0 && t.t.sigma == 0.0);
    assert_true(gpd_tail_quantile(&t.t, 1e-3) == 0.0);

    for (int i = 0; i < 10; i++) {
        double y;

        tail_push(&t, 0.5 * (i + 1), false);
        gpd_tail_fit(&t.t);
        y = gpd_tail_quantile(&t.t, 1e-3);
        assert_true(t.t.sigma > 0.0 && isfinite(t.t.gamma));
        assert_true(isfinite(y) && y > 0.0);
    }
    free(t.storage);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit_matches_brute_force),
        cmocka_unit_test(test_sliding_fits),
        cmocka_unit_test(test_quantile_survival),
        cmocka_unit_test(test_zero_excesses),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * One tail of a SPOT detector: the last excesses over the tail threshold t,
 * held in a ring, and the generalized Pareto distribution (GPD) fitted to
 * them by maximum likelihood.
 *
 * An entry is either an observed excess y >= 0 or a censored one: a value
 * the detector flagged, known only to exceed c >= 0 (the anomaly threshold
 * minus t at the time). Censored entries enter the likelihood through the
 * survival function, so a flagged value still tells the model that the tail
 * reaches that far without teaching it the (untrusted) size of the value.
 * See docs/detector.md, "Calibration".
 *
 * The fit compares, by log-likelihood, the exponential tail (gamma = 0),
 * the method of moments and the stationary point of Grimshaw's profile
 * likelihood (Grimshaw 1993; Siffer et al. 2017, section 3.2), as libspot
 * does. To keep a refit far cheaper than the O(capacity) logarithms it
 * would otherwise need, the tail caches ln(1 + x0*v) and v/(1 + x0*v) of
 * every entry at a centre x0 near the last solution, and power sums of the
 * latter; the profile likelihood near x0 then costs O(GPD_TERMS) and only a
 * large move of the solution recomputes the cache.
 *
 * Nothing here allocates: the caller provides the storage.
 */
#ifndef NETSPOT_DETECT_GPD_H
#define NETSPOT_DETECT_GPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Terms kept of the power series around x0. With GPD_RADIUS, the largest
 * omitted term is (GPD_TERMS + 1) * GPD_RADIUS^GPD_TERMS < 1e-16 of the
 * leading one, so the series is as exact as a direct evaluation.
 */
#define GPD_TERMS  60
#define GPD_RADIUS 0.5

/* Sums over one kind of entries (observed or censored); v is the value,
 * s = v / (1 + x0 v) / scale. */
struct gpd_sums {
    int n;                   /* entries */
    double m1, m2;           /* sum of v, of v^2 */
    double sa;               /* sum of ln(1 + x0 v) */
    double p[GPD_TERMS + 3]; /* p[k] = sum of s^k, k >= 1 */
};

struct gpd_tail {
    int capacity; /* ring size, >= 1 */
    int count;    /* entries held */
    int next;     /* slot the next push writes */
    double *v;    /* value of each entry */
    double *a;    /* ln(1 + x0 v) of each entry */
    double *s;    /* v / (1 + x0 v) of each entry */
    uint8_t *censored;

    double vmax;  /* largest value held */
    double x0;    /* centre of the cached series */
    double scale; /* powers are of s / scale; scale >= every s held */
    int pushes;   /* pushes since the sums were last recomputed */
    struct gpd_sums obs, cens;

    double gamma, sigma; /* fitted GPD; sigma 0 is a tail with no width */
    double root;         /* gamma / sigma of the last Grimshaw fit, or 0 */

    /*
     * Search Grimshaw's roots as libspot last_cpp does: its Brent search
     * on [-1/vmax + e, -e] and [e, 2 (mean - min) / min^2], e = min(1e-9,
     * 0.5 / vmax), over its own w summed in storage order. At +-1e-9 that
     * w is rounding noise (usually exactly 0), so the search mostly fails
     * or ends next to 0 and the fit falls back to the moments or the
     * exponential. For comparisons only: a fit then costs dozens of passes
     * of logarithms.
     */
    bool libspot;
};

/* Bytes of storage a tail of this capacity needs. */
size_t gpd_tail_storage(int capacity);

/* Prepares an empty tail over storage (gpd_tail_storage(capacity) bytes,
 * aligned for double), which stays owned by the caller. */
void gpd_tail_init(struct gpd_tail *t, int capacity, void *storage);

/*
 * Adds an entry (value v >= 0, finite), evicting the oldest when the ring
 * is full. Does not refit.
 */
void gpd_tail_push(struct gpd_tail *t, double v, bool censored);

/*
 * Replaces the entries by the excesses sign * (v[i] - t) of the last
 * `capacity` values of v[0..n-1], all observed, in that order
 * (calibration). Does not refit.
 */
void gpd_tail_fill(struct gpd_tail *t, const double *v, int n, double origin,
                   double sign);

/* Number of censored entries held. */
int gpd_tail_censored(const struct gpd_tail *t);

/* Refits gamma and sigma to the entries held (at least one observed). */
void gpd_tail_fit(struct gpd_tail *t);

/*
 * Excess y over t with P(Y > y) = r under the fitted tail, for r in (0, 1]
 * (r = q n / Nt gives the anomaly threshold t + y).
 */
double gpd_tail_quantile(const struct gpd_tail *t, double r);

/* P(Y > y) under the fitted tail, for y >= 0. */
double gpd_tail_survival(const struct gpd_tail *t, double y);

/*
 * After a restore has set count, next, the values and flags, x0, scale,
 * pushes, the sums and the fit: recomputes what derives from them (the
 * cached ln(1 + x0 v) and v / (1 + x0 v) of each entry, vmax) exactly as
 * the original computed them. Returns false if they do not fit together
 * (a value outside the domain of x0, counts that disagree).
 */
bool gpd_tail_restore(struct gpd_tail *t);

#endif

#include "detect/gpd.h"

#include <math.h>
#include <string.h>

/* Powers of s / scale below this are dropped (as 0): the series weighs
 * the k-th power sum by at most GPD_RADIUS^k and the largest power in a
 * sum is 1, so the loss stays below rounding; it also keeps denormals out
 * of the sums. */
#define GPD_TINY 1e-18

/* Bounded work per fit: a safeguarded Newton step halves the bracket at
 * worst, and 200 halvings reach any double. */
#define GPD_MAX_ITER 200

/* Last Newton step of the root finder, relative to the distance from x to
 * the end of its side where roots may crowd (0, or the domain limit
 * -1/vmax): the root is then known to about GPD_XTOL^2 of that distance,
 * far below what the thresholds need, whatever the data's scale. */
#define GPD_XTOL 1e-4

struct gpd_point {
    double x;
    double w, dw;  /* Grimshaw's w (censored form) and its derivative */
    double a, c;   /* sum of ln(1 + x v) over observed, censored entries */
    double da, dc; /* their derivatives */
};

/* Series of one sums set at h = x - x0 (see gpd.h). */
struct gpd_series {
    double a;  /* sum of ln(1 + x v) */
    double b1; /* sum of v / (1 + x v) */
    double b2; /* sum of v^2 / (1 + x v)^2 */
};

size_t gpd_tail_storage(int capacity)
{
    return (size_t)capacity * (3 * sizeof(double) + sizeof(uint8_t));
}

void gpd_tail_init(struct gpd_tail *t, int capacity, void *storage)
{
    double *d = storage;

    memset(t, 0, sizeof(*t));
    t->capacity = capacity;
    t->v = d;
    t->a = d + capacity;
    t->s = d + 2 * (size_t)capacity;
    t->censored = (uint8_t *)(d + 3 * (size_t)capacity);
    t->scale = 1.0;
}

/* Adds (sign 1) or removes (sign -1) one entry. */
static void gpd_sums_add(struct gpd_sums *m, double v, double a, double s,
                         double inv_scale, double sign)
{
    double r = s * inv_scale;
    double pw = r < GPD_TINY ? 0.0 : r;

    m->n += sign > 0 ? 1 : -1;
    m->m1 += sign * v;
    m->m2 += sign * v * v;
    m->sa += sign * a;
    for (int k = 1; k < GPD_TERMS + 3 && pw > 0.0; k++) {
        m->p[k] += sign * pw;
        pw *= r;
        pw = pw < GPD_TINY ? 0.0 : pw;
    }
}

static struct gpd_sums *gpd_sums_of(struct gpd_tail *t, int i)
{
    return t->censored[i] ? &t->cens : &t->obs;
}

/* Recomputes the sums from the cached a and s of every entry. */
static void gpd_resum(struct gpd_tail *t)
{
    double smax = 0.0;

    for (int i = 0; i < t->count; i++)
        smax = t->s[i] > smax ? t->s[i] : smax;
    t->scale = smax > 0.0 ? smax : 1.0;
    memset(&t->obs, 0, sizeof(t->obs));
    memset(&t->cens, 0, sizeof(t->cens));
    for (int i = 0; i < t->count; i++)
        gpd_sums_add(gpd_sums_of(t, i), t->v[i], t->a[i], t->s[i],
                     1.0 / t->scale, 1.0);
    t->pushes = 0;
}

/* Moves the centre of the series to x0 (1 + x0 v > 0 for every entry):
 * one logarithm per entry. */
static void gpd_recenter(struct gpd_tail *t, double x0)
{
    t->x0 = x0;
    for (int i = 0; i < t->count; i++) {
        t->a[i] = log1p(x0 * t->v[i]);
        t->s[i] = t->v[i] / (1.0 + x0 * t->v[i]);
    }
    gpd_resum(t);
}

static double gpd_scan_max(const struct gpd_tail *t)
{
    double m = 0.0;

    for (int i = 0; i < t->count; i++)
        m = fmax(m, t->v[i]);
    return m;
}

void gpd_tail_push(struct gpd_tail *t, double v, bool censored)
{
    int i = t->next;
    bool rescan = false;

    if (t->count == t->capacity) {
        gpd_sums_add(gpd_sums_of(t, i), t->v[i], t->a[i], t->s[i],
                     1.0 / t->scale, -1.0);
        rescan = t->v[i] >= t->vmax;
    } else {
        t->count++;
    }
    t->next = (i + 1) % t->capacity;
    t->v[i] = v;
    t->censored[i] = censored;
    t->vmax = rescan ? gpd_scan_max(t) : fmax(t->vmax, v);

    /* A value beyond the domain of the centre moves the centre inside. */
    if (1.0 + t->x0 * v <= 0.0) {
        gpd_recenter(t, -0.5 / v);
        return;
    }
    t->a[i] = log1p(t->x0 * v);
    t->s[i] = v / (1.0 + t->x0 * v);
    if (t->s[i] > t->scale || ++t->pushes >= t->capacity)
        gpd_resum(t); /* new scale, or bound the rounding of the sums */
    else
        gpd_sums_add(gpd_sums_of(t, i), v, t->a[i], t->s[i], 1.0 / t->scale,
                     1.0);
}

int gpd_tail_censored(const struct gpd_tail *t)
{
    return t->cens.n;
}

/* Terms the series needs at |h scale| = rho <= GPD_RADIUS so that the
 * first one left out, at most (k + 1) rho^k <= 61 rho^k, is below 1e-17:
 * rho^k < 1.6e-19 = e^-43.3. */
static int gpd_terms(double rho)
{
    int k;

    if (rho < 1e-19)
        return 0;
    k = (int)(-43.3 / log(rho)) + 1;
    return k < GPD_TERMS ? k : GPD_TERMS;
}

/*
 * The sums of the observed (o) and censored (c) sets at h = x - x0, hs =
 * h scale, by Horner's rule over the power sums, both in one loop: with
 * g = -hs, A = sa - sum_k p[k] g^k / k, B1 = scale sum_k p[k+1] g^k,
 * B2 = scale^2 sum_k (k+1) p[k+2] g^k (k >= 1 for A, k >= 0 else).
 */
static void gpd_series(const struct gpd_tail *t, double hs,
                       struct gpd_series *o, struct gpd_series *c)
{
    const double *po = t->obs.p, *pc = t->cens.p;
    double g = -hs, s = t->scale;
    double oa = 0, ob1 = 0, ob2 = 0, ca = 0, cb1 = 0, cb2 = 0;

    for (int k = gpd_terms(fabs(hs)); k >= 1; k--) {
        oa = oa * g + po[k] / k;
        ob1 = ob1 * g + po[k + 1];
        ob2 = ob2 * g + (k + 1) * po[k + 2];
        ca = ca * g + pc[k] / k;
        cb1 = cb1 * g + pc[k + 1];
        cb2 = cb2 * g + (k + 1) * pc[k + 2];
    }
    o->a = t->obs.sa - oa * g;
    o->b1 = s * (ob1 * g + po[1]);
    o->b2 = s * s * (ob2 * g + po[2]);
    c->a = t->cens.sa - ca * g;
    c->b1 = s * (cb1 * g + pc[1]);
    c->b2 = s * s * (cb2 * g + pc[2]);
    if (t->cens.n == 0) /* no rounding residue of removed entries */
        c->a = c->b1 = c->b2 = 0.0;
}

/*
 * Grimshaw's w for censored data at x, from the series (after moving the
 * centre to x when x is outside its radius). With U and V the sums of
 * 1 / (1 + x v) over observed and censored entries, u and c their counts
 * and G = (A + C) / u, the profile log-likelihood has the sign of
 * w = U (1 + G) + V - u - c as derivative; without censoring w / u is
 * Grimshaw's u(x) v(x) - 1.
 */
static void gpd_eval(struct gpd_tail *t, double x, struct gpd_point *p)
{
    struct gpd_series so, sc;
    double u = t->obs.n, c = t->cens.n;
    double bu, dbu, bv, dbv, g, dg;

    if (fabs(x - t->x0) * t->scale > GPD_RADIUS)
        gpd_recenter(t, x);
    gpd_series(t, (x - t->x0) * t->scale, &so, &sc);
    bu = u - x * so.b1;
    dbu = -so.b1 + x * so.b2;
    bv = c - x * sc.b1;
    dbv = -sc.b1 + x * sc.b2;
    g = (so.a + sc.a) / u;
    dg = (so.b1 + sc.b1) / u;
    p->x = x;
    p->a = so.a;
    p->c = sc.a;
    p->da = so.b1;
    p->dc = sc.b1;
    p->w = bu * (1.0 + g) + bv - u - c;
    p->dw = dbu * (1.0 + g) + bu * dg + dbv;
}

/*
 * The search variable of a side, dimensionless: u = ln(1 + x vmax) left of
 * 0, ln(x vmax) right of it. Both map the open end where roots may crowd
 * (the domain limit -1/vmax, or 0) to -infinity, so that halving u halves
 * orders of magnitude rather than lengths.
 */
static double gpd_to_u(double x, double vmax, bool right)
{
    return right ? log(x * vmax) : log1p(x * vmax);
}

static double gpd_from_u(double u, double vmax, bool right)
{
    return (right ? exp(u) : expm1(u)) / vmax;
}

/* The search goes no closer to the crowded end than u = ln 1e-6. */
#define GPD_U_FLOOR (-13.8)

/* Half-width of the interval around x0 where the series holds. */
static double gpd_reach(const struct gpd_tail *t)
{
    return 0.99 * GPD_RADIUS / t->scale;
}

/* A step from x to target, cut at the edge of the series' interval when
 * that still moves x well: the next evaluation then costs no logarithm,
 * and a search that must travel far recenters once per interval crossed. */
static double gpd_toward(const struct gpd_tail *t, double x, double target)
{
    double r = gpd_reach(t);
    double y = fmax(fmin(target, t->x0 + r), t->x0 - r);

    return fabs(y - x) > 0.25 * r ? y : target;
}

/*
 * Root of w between -1/vmax and 0 (right false) or between 0 and hi
 * (right true) where w falls through zero, a maximum of the profile
 * likelihood, by Newton steps from x safeguarded by bisection in u. w is
 * expected > 0 toward the lower end and < 0 toward the upper one; when w
 * is still negative at the floor there is no such root (the likelihood
 * then rises all the way to the domain limit, gamma < -1). Newton stops
 * once its step changes u by less than GPD_XTOL and the residual is small
 * against the number of entries; *p is then moved to the root along the
 * tangent (an error of order GPD_XTOL^2).
 */
static bool gpd_root(struct gpd_tail *t, double hi, bool right, double x,
                     struct gpd_point *p)
{
    double n = t->obs.n + t->cens.n, vmax = t->vmax;
    double ulo = -INFINITY, uhi = gpd_to_u(hi, vmax, right);
    bool seen_neg = false;

    for (int it = 0; it < GPD_MAX_ITER; it++) {
        double u = gpd_to_u(x, vmax, right), step, mid, next;

        gpd_eval(t, x, p);
        if (p->w > 0.0) {
            ulo = u;
        } else if (p->w < 0.0) {
            uhi = u;
            seen_neg = true;
        } else {
            return true;
        }
        step = -p->w / p->dw;
        if (p->dw < 0.0 && fabs(p->w) <= 1e-3 * n &&
            fabs(step) <= GPD_XTOL * (right ? x : x + 1.0 / vmax)) {
            p->a += p->da * step;
            p->c += p->dc * step;
            p->x = x + step;
            return p->x != 0.0;
        }
        if (!(uhi - ulo > 1e-12))
            return seen_neg; /* a sign change narrower than any step */

        /* Newton if it stays inside the bracket, else bisection in u, at
         * most e^2 from x; toward an end whose sign is still unknown, steps
         * of e^2 down to the floor, cut to the series' interval. */
        if (p->dw < 0.0 && x + step > gpd_from_u(ulo, vmax, right) &&
            x + step < gpd_from_u(uhi, vmax, right)) {
            x += step;
            continue;
        }
        if (isfinite(ulo)) {
            mid = fmax(fmin(0.5 * (ulo + uhi), u + 2.0), u - 2.0);
            next = gpd_from_u(mid, vmax, right);
        } else if (u > GPD_U_FLOOR + 1e-3) {
            mid = fmax(u - 2.0, GPD_U_FLOOR);
            next = gpd_toward(t, x, gpd_from_u(mid, vmax, right));
        } else {
            return false; /* w < 0 down to the floor */
        }
        if (next == x)
            return false; /* no room left to move */
        x = next;
    }
    return false;
}

static double gpd_min_positive(const struct gpd_tail *t)
{
    double m = INFINITY;

    for (int i = 0; i < t->count; i++)
        if (!t->censored[i] && t->v[i] > 0.0)
            m = fmin(m, t->v[i]);
    return m;
}

/* Grimshaw's bound on a root right of 0: 2 (mean - min) / min^2 over the
 * observed values (min > 0); 0 when there is no room for one. */
static double gpd_right_end(const struct gpd_tail *t)
{
    double mean = t->obs.m1 / t->obs.n, ymin = gpd_min_positive(t);

    return ymin < mean ? 2.0 * (mean - ymin) / (ymin * ymin) : 0.0;
}

/*
 * The stationary point of the profile likelihood on the side given by the
 * sign of its curvature at x = 0, c2 = (S2 + T2) / 2 - S1 (S1 + T1) / u
 * (S over observed, T over censored values): w(x) = c2 x^2 + O(x^3), so
 * c2 < 0 puts the maximum left of 0 (light tail) and c2 > 0 right of it.
 */
static bool gpd_grimshaw(struct gpd_tail *t, struct gpd_point *p)
{
    double u = t->obs.n;
    double c2 = 0.5 * (t->obs.m2 + t->cens.m2) -
                t->obs.m1 * (t->obs.m1 + t->cens.m1) / u;
    bool right = c2 > 0.0;
    double hi = right ? gpd_right_end(t) : 0.0;
    double start = t->root;

    if (c2 == 0.0 || (right && !(hi > 0.0)))
        return false;

    /* From the last root when it lies on this side, else from the centre
     * of the series, else from near 0 on this side: near c2 = 0 the root
     * is close to 0 and the side flips from one fit to the next. */
    if (right ? !(start > 0.0 && start < hi)
              : !(start > -1.0 / t->vmax && start < 0.0))
        start = t->x0;
    if (right ? !(start > 0.0 && start < hi)
              : !(start > -1.0 / t->vmax && start < 0.0))
        start = right ? fmin(0.5 * gpd_reach(t), 0.5 * hi)
                      : -fmin(0.5 * gpd_reach(t), 0.5 / t->vmax);
    return gpd_root(t, hi, right, start, p);
}

/* libspot last_cpp's w = u(x) v(x) - 1, summed in storage order with
 * log(), as it computes it (no censored entries in that variant). */
static double gpd_libspot_w(const struct gpd_tail *t, double x)
{
    double su = 0.0, sv = 0.0, n = t->count;

    for (int i = 0; i < t->count; i++)
        su += 1.0 / (1.0 + x * t->v[i]);
    for (int i = 0; i < t->count; i++)
        sv += log(1.0 + x * t->v[i]);
    return su / n * (1.0 + sv / n) - 1.0;
}

/*
 * libspot last_cpp's Brent search for a root of its w in [a, b]: inverse
 * quadratic interpolation or secant, bisection under the three usual
 * conditions, stop when |b - a| <= 1e-6 (absolute). It fails only when
 * w(a) w(b) >= 0. Reproduced step by step because near +-1e-9 its w is
 * rounding noise and the search ends wherever that noise leads it. The
 * iteration cap, absent from libspot, is never reached on its outputs.
 */
static bool gpd_libspot_brent(const struct gpd_tail *t, double a, double b,
                              double *root)
{
    double fa = gpd_libspot_w(t, a), fb = gpd_libspot_w(t, b);
    double c, fc, d = 0.0, tmp;
    bool mflag = true;

    if (!(fa * fb < 0.0))
        return false;
    if (fabs(fa) < fabs(fb)) {
        tmp = a, a = b, b = tmp;
        tmp = fa, fa = fb, fb = tmp;
    }
    c = a;
    fc = fa;
    for (int it = 0; fb != 0.0 && fabs(b - a) > 1e-6; it++) {
        double s, fs, q = (3.0 * a + b) / 4.0;

        if (it == 10000)
            return false;
        if (fa != fc && fb != fc)
            s = a * fb * fc / ((fa - fb) * (fa - fc)) +
                b * fa * fc / ((fb - fa) * (fb - fc)) +
                c * fa * fb / ((fc - fa) * (fc - fb));
        else
            s = b - fb * (b - a) / (fb - fa);
        if (!((q < s && s < b) || (b < s && s < q)) ||
            (mflag && fabs(s - b) >= fabs(b - c) / 2.0) ||
            (!mflag && fabs(s - b) >= fabs(c - d) / 2.0)) {
            s = (a + b) / 2.0;
            mflag = true;
        } else {
            mflag = false;
        }
        fs = gpd_libspot_w(t, s);
        d = c;
        c = b;
        fc = fb;
        if (fa * fs < 0.0) {
            b = s;
            fb = fs;
        } else {
            a = s;
            fa = fs;
        }
        if (fabs(fa) < fabs(fb)) {
            tmp = a, a = b, b = tmp;
            tmp = fa, fa = fb, fb = tmp;
        }
    }
    *root = b;
    return true;
}

/* libspot's full log-likelihood, summed in storage order. */
static double gpd_libspot_loglik(const struct gpd_tail *t, double gamma,
                                 double sigma)
{
    double sum = 0.0;

    if (gamma == 0.0) {
        for (int i = 0; i < t->count; i++)
            sum += t->v[i];
        return -t->count * log(sigma) - sum / sigma;
    }
    for (int i = 0; i < t->count; i++)
        sum += log(1.0 + gamma * t->v[i] / sigma);
    return -t->count * log(sigma) - (1.0 + 1.0 / gamma) * sum;
}

/* libspot's candidate at a root x: gamma = v(x) - 1, sigma = gamma / x. */
static void gpd_libspot_consider(struct gpd_tail *t, double x, double *best)
{
    double sv = 0.0, gamma, sigma, l;

    for (int i = 0; i < t->count; i++)
        sv += log(1.0 + x * t->v[i]);
    gamma = (1.0 + sv / t->count) - 1.0;
    sigma = gamma / x;
    l = gpd_libspot_loglik(t, gamma, sigma);
    if (l > *best) {
        *best = l;
        t->gamma = gamma;
        t->sigma = sigma;
    }
}

/* libspot: the left root, then the right one, each if its search ends. */
static void gpd_libspot_roots(struct gpd_tail *t, double *best)
{
    double e = fmin(1e-9, 0.5 / t->vmax);
    double ymin = INFINITY, sum = 0.0, root;

    for (int i = 0; i < t->count; i++) {
        ymin = fmin(ymin, t->v[i]);
        sum += t->v[i];
    }
    if (gpd_libspot_brent(t, -1.0 / t->vmax + e, -e, &root))
        gpd_libspot_consider(t, root, best);
    if (ymin > 0.0 &&
        gpd_libspot_brent(t, e, 2.0 * (sum / t->count - ymin) / (ymin * ymin),
                          &root))
        gpd_libspot_consider(t, root, best);
}

/* Sums of ln(1 + x v) at x: from the series near x0, else directly. */
static void gpd_logsums(const struct gpd_tail *t, double x, double *a,
                        double *c)
{
    if (fabs(x - t->x0) * t->scale <= GPD_RADIUS) {
        struct gpd_series so, sc;

        gpd_series(t, (x - t->x0) * t->scale, &so, &sc);
        *a = so.a;
        *c = sc.a;
        return;
    }
    *a = 0.0;
    *c = 0.0;
    for (int i = 0; i < t->count; i++) {
        double l = log1p(x * t->v[i]);

        if (t->censored[i])
            *c += l;
        else
            *a += l;
    }
}

/*
 * Log-likelihood of (gamma, sigma): observed entries contribute the GPD
 * log-density, censored ones the log of the survival function; -inf when
 * the parameters are invalid for the data.
 */
static double gpd_loglik(const struct gpd_tail *t, double gamma, double sigma)
{
    double u = t->obs.n;
    double x, a, c;

    if (!(sigma > 0.0) || !isfinite(gamma))
        return -INFINITY;
    if (gamma == 0.0)
        return -u * log(sigma) - (t->obs.m1 + t->cens.m1) / sigma;
    x = gamma / sigma;
    if (!(1.0 + x * t->vmax > 0.0))
        return -INFINITY;
    gpd_logsums(t, x, &a, &c);
    return -u * log(sigma) - (1.0 + 1.0 / gamma) * a - c / gamma;
}

/* Method of moments on the observed entries (mean E, variance V). */
static bool gpd_moments(const struct gpd_tail *t, double *gamma, double *sigma)
{
    double u = t->obs.n;
    double e = t->obs.m1 / u;
    double var = t->obs.m2 / u - e * e;
    double r;

    if (!(e > 0.0) || !(var > 0.0))
        return false;
    r = e * e / var;
    *gamma = 0.5 * (1.0 - r);
    *sigma = 0.5 * e * (1.0 + r);
    return true;
}

/*
 * Whether the moments (gm, sm) need their likelihood computed: libspot
 * tries them first and keeps them on a tie. Their likelihood is at most
 * the profile likelihood at their x = gm / sm, which falls away from
 * Grimshaw's root on both sides until, toward the domain limit -1/vmax, it
 * rises again without bound; so they can only win below min(root, 0), and
 * only in the irregular regime gamma < -1/2 where the likelihood has no
 * proper maximum (Smith 1985). Elsewhere they are evaluated only when the
 * series makes it free. docs/detector.md gives the check that this never
 * changed a fit on the streams measured.
 */
static bool gpd_moments_may_win(const struct gpd_tail *t, double gm, double sm)
{
    double x = gm / sm;

    if (t->libspot || t->root == 0.0)
        return true;
    if (!(x < fmin(t->root, 0.0)))
        return false;
    return gm < -0.5 || fabs(x - t->x0) * t->scale <= GPD_RADIUS;
}

/* Keeps the root candidate p if its likelihood beats *best. */
static void gpd_consider_root(struct gpd_tail *t, const struct gpd_point *p,
                              double *best)
{
    double u = t->obs.n;
    double g = (p->a + p->c) / u;
    double sigma = g / p->x;
    double l;

    if (!(sigma > 0.0) || !isfinite(sigma))
        return;
    l = -u * log(sigma) - p->a - u; /* the profile likelihood at x */
    if (l > *best) {
        *best = l;
        t->gamma = g;
        t->sigma = sigma;
    }
}

static void gpd_fit_roots(struct gpd_tail *t, double *best)
{
    struct gpd_point p;

    if (t->libspot) {
        gpd_libspot_roots(t, best);
        return;
    }
    t->root = gpd_grimshaw(t, &p) ? p.x : 0.0;
    if (t->root != 0.0)
        gpd_consider_root(t, &p, best);
}

void gpd_tail_fit(struct gpd_tail *t)
{
    double u = t->obs.n;
    double sigma0, best, l, gm, sm;

    t->gamma = 0.0;
    t->sigma = 0.0;
    if (u < 1 || !(t->vmax > 0.0))
        return; /* no width: every value beyond t is beyond the tail */

    /* Exponential tail, the limit x -> 0 of the profile likelihood. */
    sigma0 = (t->obs.m1 + t->cens.m1) / u;
    if (!(sigma0 > 0.0))
        return;
    t->sigma = sigma0;
    best = -u * log(sigma0) - u;
    gpd_fit_roots(t, &best);

    if (gpd_moments(t, &gm, &sm) && gpd_moments_may_win(t, gm, sm)) {
        l = gpd_loglik(t, gm, sm);
        if (l >= best) {
            t->gamma = gm;
            t->sigma = sm;
        }
    }
}

double gpd_tail_quantile(const struct gpd_tail *t, double r)
{
    double lr = log(r);

    if (t->gamma == 0.0)
        return -t->sigma * lr;
    return t->sigma / t->gamma * expm1(-t->gamma * lr);
}

double gpd_tail_survival(const struct gpd_tail *t, double y)
{
    double x;

    if (!(t->sigma > 0.0))
        return y > 0.0 ? 0.0 : 1.0;
    if (t->gamma == 0.0)
        return exp(-y / t->sigma);
    x = t->gamma / t->sigma;
    if (!(1.0 + x * y > 0.0))
        return 0.0;
    return exp(-log1p(x * y) / t->gamma);
}

void gpd_tail_fill(struct gpd_tail *t, const double *v, int n, double origin,
                   double sign)
{
    int first = n > t->capacity ? n - t->capacity : 0;

    t->count = n - first;
    t->next = t->count % t->capacity;
    for (int i = 0; i < t->count; i++) {
        t->v[i] = sign * (v[first + i] - origin);
        t->censored[i] = 0;
    }
    t->vmax = gpd_scan_max(t);
    gpd_recenter(t, 0.0);
}

bool gpd_tail_restore(struct gpd_tail *t)
{
    int censored = 0;

    if (t->count < 0 || t->count > t->capacity || t->next < 0 ||
        t->next >= t->capacity ||
        (t->count < t->capacity && t->next != t->count))
        return false;
    for (int i = 0; i < t->count; i++) {
        double d = 1.0 + t->x0 * t->v[i];

        if (!(t->v[i] >= 0.0) || !isfinite(t->v[i]) || !(d > 0.0) ||
            t->censored[i] > 1)
            return false;
        censored += t->censored[i];
        t->a[i] = log1p(t->x0 * t->v[i]);
        t->s[i] = t->v[i] / d;
    }
    t->vmax = gpd_scan_max(t);
    return t->cens.n == censored && t->obs.n == t->count - censored &&
           t->scale > 0.0 && isfinite(t->scale);
}

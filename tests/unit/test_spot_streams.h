/*
 * Seeded random streams for the SPOT tests: xoshiro256** (Blackman and
 * Vigna) seeded through splitmix64, and the families the calibration
 * targets name. Header-only, for tests.
 */
#ifndef NETSPOT_TEST_SPOT_STREAMS_H
#define NETSPOT_TEST_SPOT_STREAMS_H

#include <math.h>
#include <stdint.h>

struct stream_rng {
    uint64_t s[4];
};

enum stream_family {
    STREAM_NORMAL,    /* N(0, 1) */
    STREAM_EXP,       /* Exp(1) */
    STREAM_PARETO,    /* Pareto(3), support [1, inf) */
    STREAM_LOGNORMAL, /* exp(N(0, 1)) */
    STREAM_UNIFORM,   /* U(0, 1) */
    STREAM_RATIO,     /* k / (k + m), k ~ Poisson(10), m ~ Poisson(90) */
    STREAM_FAMILIES
};

static const char *const stream_names[STREAM_FAMILIES] = {
    "N(0,1)",         "Exp(1)",       "Pareto(3)",
    "LogNormal(0,1)", "Uniform(0,1)", "ratio k/(k+m)"};

static inline uint64_t stream_splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline void stream_seed(struct stream_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = stream_splitmix(&seed);
}

static inline uint64_t stream_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t stream_next(struct stream_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = stream_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = stream_rotl(s[3], 45);
    return out;
}

/* Uniform on [0, 1). */
static inline double stream_uniform(struct stream_rng *r)
{
    return (double)(stream_next(r) >> 11) * 0x1p-53;
}

/* N(0, 1) by Marsaglia's polar method. */
static inline double stream_normal(struct stream_rng *r)
{
    double u, v, s;

    do {
        u = 2.0 * stream_uniform(r) - 1.0;
        v = 2.0 * stream_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}

/* Poisson by Knuth's product of uniforms (small means only). */
static inline int stream_poisson(struct stream_rng *r, double mean)
{
    double limit = exp(-mean), p = 1.0;
    int k = 0;

    do {
        k++;
        p *= stream_uniform(r);
    } while (p > limit);
    return k - 1;
}

static inline double stream_value(struct stream_rng *r, enum stream_family f)
{
    int k, m;

    switch (f) {
    case STREAM_NORMAL:
        return stream_normal(r);
    case STREAM_EXP:
        return -log1p(-stream_uniform(r));
    case STREAM_PARETO:
        return pow(1.0 - stream_uniform(r), -1.0 / 3.0);
    case STREAM_LOGNORMAL:
        return exp(stream_normal(r));
    case STREAM_UNIFORM:
        return stream_uniform(r);
    default:
        do {
            k = stream_poisson(r, 10.0);
            m = stream_poisson(r, 90.0);
        } while (k + m == 0);
        return (double)k / (k + m);
    }
}

#endif

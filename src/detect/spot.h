/*
 * SPOT/DSPOT: a streaming detector of extreme values (Siffer et al.,
 * "Anomaly Detection in Streams with Extreme Value Theory", KDD 2017).
 *
 * A detector learns the normal range of one stream of numbers and sets its
 * own thresholds from one risk parameter q, the probability of a false
 * alarm. It knows nothing of packets: any program can use it.
 */
#ifndef NETSPOT_DETECT_SPOT_H
#define NETSPOT_DETECT_SPOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Return codes of spot_step(); the numbers are those of libspot v1. */
enum spot_code {
    SPOT_NORMAL = 0,       /* neither alarm nor excess */
    SPOT_ALERT_UP = 1,     /* above the upper threshold (alert on) */
    SPOT_ALERT_DOWN = -1,  /* below the lower threshold (alert on) */
    SPOT_EXCESS_UP = 2,    /* in the upper tail: stored, tail refitted */
    SPOT_EXCESS_DOWN = -2, /* in the lower tail: stored, tail refitted */
    SPOT_INIT_BATCH = 3,   /* stored in the calibration batch */
    SPOT_CALIBRATION = 4,  /* last batch value: calibration performed */
    SPOT_WINDOW = 5,       /* fills the moving-average window (depth) */
};

/* spot_step() rejects NaN and infinite values with this code (< 0 and
 * distinct from every enum spot_code value). */
#define SPOT_REJECTED (-100)

struct spot_params {
    double q;       /* false-alarm probability, in (0, 1 - level) */
    int n_init;     /* values in the calibration batch */
    double level;   /* quantile level of the tail threshold t, in (0, 1) */
    bool up;        /* watch the upper tail */
    bool down;      /* watch the lower tail */
    bool alert;     /* flag alarms and keep them out of the model */
    bool bounded;   /* keep at most max_excess excesses per tail */
    int max_excess; /* ring capacity per tail when bounded */
    int depth;      /* moving-average window; 0 is plain SPOT */
};

/* Per-detector figures, for status displays and tests. */
struct spot_status {
    uint64_t n;                /* values counted by the model */
    uint64_t nt_up, nt_down;   /* excesses ever counted, per tail */
    uint64_t ex_up, ex_down;   /* excesses held in the rings now */
    uint64_t al_up, al_down;   /* alarms flagged, per tail */
    double t_up, t_down;       /* tail thresholds, drift included */
    double z_up, z_down;       /* anomaly thresholds, drift included */
    double gamma_up, sigma_up; /* fitted GPD of the upper tail */
    double gamma_down, sigma_down;
    double drift; /* current moving average (0 if depth 0) */
};

struct spot;

/* Fills p with netspot's defaults: q 1e-4, n_init 1000, level 0.98, up,
 * not down, alert, bounded, max_excess 200, depth 50. */
void spot_params_default(struct spot_params *p);

/*
 * Checks p. Returns 0, or ERROR_INVALID with a detail naming the parameter
 * and the accepted range ("spot.level: 1.5 is outside (0, 1)").
 */
int spot_params_check(const struct spot_params *p);

/*
 * Creates a detector in *out. Returns 0, ERROR_INVALID (bad parameters) or
 * ERROR_NOMEM. The caller owns *out and releases it with spot_free().
 */
int spot_new(const struct spot_params *p, struct spot **out);

/* Releases a detector; NULL is a no-op. */
void spot_free(struct spot *s);

/* The parameters the detector was created with. */
const struct spot_params *spot_params_get(const struct spot *s);

/*
 * Feeds one value. Returns an enum spot_code, or SPOT_REJECTED for a NaN or
 * infinite value, which leaves the detector unchanged.
 */
int spot_step(struct spot *s, double x);

/*
 * Current absolute thresholds (drift included) that the next value will be
 * compared with. A side that is disabled or not calibrated yet is NaN.
 */
void spot_thresholds(const struct spot *s, double *lower, double *upper);

/*
 * Probability, under the fitted tail, of a value at least as extreme as x
 * on the side x lies beyond its tail threshold; NaN when x is not in a
 * modelled tail or the detector is not calibrated.
 */
double spot_probability(const struct spot *s, double x);

/* Fills st with the detector's current figures. */
void spot_status_get(const struct spot *s, struct spot_status *st);

/*
 * Writes the whole state to f in a versioned, portable text form, so that a
 * restarted program does not need to learn again. Returns 0 or ERROR_IO.
 */
int spot_save(const struct spot *s, FILE *f);

/*
 * Reads a state written by spot_save() into a new detector in *out.
 * A corrupted, truncated or foreign input is refused with ERROR_FORMAT and
 * a detail; nothing is allocated then. The caller owns *out.
 */
int spot_load(FILE *f, struct spot **out);

/* Upper bound, in bytes, of the memory a detector with parameters p holds
 * once calibrated. */
size_t spot_memory_size(const struct spot_params *p);

#endif

/*
 * SPOT/DSPOT: a streaming detector of extreme values (Siffer et al.,
 * "Anomaly Detection in Streams with Extreme Value Theory", KDD 2017).
 *
 * A detector learns the normal range of one stream of numbers and sets its
 * own thresholds from one risk parameter q, the probability of a false
 * alarm. It knows nothing of packets: any program can use it.
 *
 * The structure is libspot v1's DSpot: a moving average of the last depth
 * values that entered the window (alarms stay out while their run lasts at
 * most depth values, then enter clipped) is subtracted from each value;
 * the first n_init of the results calibrate a tail threshold t per side
 * (an order statistic, fixed afterwards); values beyond t are excesses,
 * whose last max_excess are fitted with a generalized Pareto distribution
 * that places the anomaly threshold z. Unlike libspot, a flagged value
 * still tells the model that the tail reaches beyond z (a censored
 * observation), so that q holds as the alarm rate on normal data;
 * docs/detector.md gives the design and its measurements. spot_step()
 * allocates nothing and takes no lock; a detector is not safe to share
 * between threads.
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

/*
 * Hard maxima, chosen so that one detector stays within about 16.5 MB at
 * these limits with both tails (8 MB of batch, 8 MB of window, 250 KB per
 * ring; see spot_memory_size()). A tail that is not bounded still keeps at most
 * SPOT_EXCESS_LIMIT excesses (the oldest go first), which is also the
 * largest max_excess accepted.
 */
#define SPOT_EXCESS_LIMIT 10000
#define SPOT_N_INIT_LIMIT 1000000
#define SPOT_DEPTH_LIMIT  1000000

struct spot_params {
    double q;       /* false-alarm probability, in (0, 1 - level) */
    int n_init;     /* values in the calibration batch, with
                       n_init * (1 - level) >= 10 */
    double level;   /* quantile level of the tail threshold t, in (0, 1) */
    bool up;        /* watch the upper tail */
    bool down;      /* watch the lower tail */
    bool alert;     /* flag alarms (off: every value enters the model) */
    bool bounded;   /* keep at most max_excess excesses per tail (off:
                       SPOT_EXCESS_LIMIT) */
    int max_excess; /* ring capacity per tail when bounded, >= 1 */
    int depth;      /* moving-average window, >= 0; 0 is plain SPOT */
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

/*
 * The detector spot_new() creates is netspot's. The libspot variant
 * reproduces libspot last_cpp (commit 8ffdc39), to compare with its
 * outputs and to measure what netspot changes; docs/detector.md lists the
 * differences:
 * - flagged values are left out of the model instead of being censored
 *   observations of the tail (so q is not the false-alarm rate);
 * - Grimshaw's root is searched only where libspot's own test finds a
 *   sign change, which rounding usually defeats (see gpd.h);
 * - Nt after calibration is the number of excesses the ring kept;
 * - any n_init with at least one initial excess per tail is accepted.
 * It is several times slower per excess.
 */
enum spot_variant {
    SPOT_VARIANT_NETSPOT = 0,
    SPOT_VARIANT_LIBSPOT = 1,
};

/* The variant the detector was created with. */
enum spot_variant spot_variant_get(const struct spot *s);

/* As spot_new(), for a given variant. */
int spot_new_variant(const struct spot_params *p, enum spot_variant variant,
                     struct spot **out);

/* Releases a detector; NULL is a no-op. */
void spot_free(struct spot *s);

/* The parameters the detector was created with. */
const struct spot_params *spot_params_get(const struct spot *s);

/*
 * Feeds one value. Returns an enum spot_code, or SPOT_REJECTED for a NaN or
 * infinite value (or one whose distance to the moving average overflows),
 * which leaves the detector unchanged. Costs a few nanoseconds, and about
 * a microsecond more on an excess or an alarm (docs/detector.md, "Speed").
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

/*
 * Probability of the last value spot_step() flagged, under the model that
 * flagged it (before the detector learnt anything from it); NaN before
 * the first alarm. This is the figure to report with an alarm:
 * spot_probability() after the step already sees the updated model.
 */
double spot_last_probability(const struct spot *s);

/* Fills st with the detector's current figures. */
void spot_status_get(const struct spot *s, struct spot_status *st);

/*
 * Writes the whole state to f in a versioned, portable text form, so that a
 * restarted program does not need to learn again. Returns 0 or ERROR_IO.
 */
int spot_save(const struct spot *s, FILE *f);

/*
 * Saves the state to the file at path without ever leaving it half
 * written: the state goes to path + ".tmp" in the same folder, which is
 * then renamed over path. Returns 0, or ERROR_IO or ERROR_NOMEM with a
 * detail naming the file; path is left as it was on failure.
 */
int spot_save_file(const struct spot *s, const char *path);

/*
 * Reads a state written by spot_save() into a new detector in *out.
 * A corrupted, truncated or foreign input is refused with ERROR_FORMAT and
 * a detail; nothing is allocated then. The caller owns *out.
 */
int spot_load(FILE *f, struct spot **out);

/* Memory, in bytes, a detector with parameters p holds: spot_new() makes
 * exactly one allocation of this size, which never grows (about 16 KB
 * with the defaults; docs/detector.md, "Memory"). */
size_t spot_memory_size(const struct spot_params *p);

#endif

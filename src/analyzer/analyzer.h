/*
 * The analyzer turns a period's counters into a record: it computes each
 * loaded statistic, feeds it to its detector, and reports the alarms.
 */
#ifndef NETSPOT_ANALYZER_ANALYZER_H
#define NETSPOT_ANALYZER_ANALYZER_H

#include "detect/spot.h"
#include "export/record.h"
#include "stats/counters.h"
#include "stats/stats.h"

#include <stdint.h>

/* Longest key of a record: a statistic name and "_DOWN". */
#define ANALYZER_KEY_MAX 32

struct analyzer_stat {
    enum stats_id id;
    struct spot *spot; /* NULL for a statistic that is not monitored */
    char key_up[ANALYZER_KEY_MAX];
    char key_down[ANALYZER_KEY_MAX];
};

struct analyzer {
    int n;
    struct analyzer_stat stats[STATS_COUNT];
    struct stats_state state;
    int64_t period_ns;
    uint64_t periods; /* periods analysed */
    uint64_t alarms;  /* alarms raised */
};

/*
 * Prepares an analyzer for n statistics ids[0..n-1], with the detector
 * parameters of statistic id in params[id]. Returns 0, or ERROR_INVALID
 * (bad parameters, with a detail naming the statistic) or ERROR_NOMEM.
 */
int analyzer_init(struct analyzer *a, const enum stats_id *ids, int n,
                  const struct spot_params *params, int64_t period_ns);

/* Releases the detectors; a zeroed analyzer is a no-op. */
void analyzer_free(struct analyzer *a);

/*
 * Analyses one period ending at time_ns. Fills rec with the values and the
 * thresholds they were compared with (thresholds only once a detector is
 * calibrated), and alarms[0..*n_alarms-1] with the alarms raised; alarms
 * must hold STATS_COUNT entries.
 */
void analyzer_period(struct analyzer *a, const struct counters_values *c,
                     int64_t time_ns, struct record *rec, struct alarm *alarms,
                     size_t *n_alarms);

/*
 * Saves every detector into the folder dir (one file per statistic,
 * NAME.spot, each written to NAME.spot.tmp and renamed over it), or
 * restores those present whose parameters and variant match the
 * configured ones. Return 0 or a negative code with a detail naming the
 * file; a restore that fails leaves the fresh detector in place, and a
 * damaged file is renamed NAME.spot.bad (with a warning) so that the next
 * save does not replace it unseen.
 */
int analyzer_save(const struct analyzer *a, const char *dir);
int analyzer_restore(struct analyzer *a, const char *dir);

#endif

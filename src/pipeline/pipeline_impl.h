/*
 * Internal interface between pipeline.c (the stages, the period clock of
 * capture files, the run) and pipeline_live.c (live capture: workers and
 * the wall-clock period clock). Not for use outside src/pipeline.
 */
#ifndef NETSPOT_PIPELINE_PIPELINE_IMPL_H
#define NETSPOT_PIPELINE_PIPELINE_IMPL_H

#include "pipeline/pipeline.h"

#include "analyzer/analyzer.h"
#include "capture/capture.h"
#include "export/export.h"

#include <signal.h>
#include <stdbool.h>

struct pipeline_live;

struct pipeline {
    const struct config *cfg;
    struct capture *cap;           /* a capture file; NULL for live capture */
    struct pipeline_live *live;    /* live capture; NULL for a file */
    struct capture_filter *filter; /* miner.filter on a file, or NULL */
    struct counters counters;
    struct decode_stats decode;
    struct decode_result results[CAPTURE_BATCH_MAX]; /* a batch, decoded */
    struct decode_stats decode_seen; /* decode at the last period's close */
    struct analyzer analyzer;
    struct export_set exports;
    struct pipeline_summary *sum;
    const struct pipeline_hooks *hooks;
    int64_t period_ns;
    int64_t period_end;      /* end of the current period, Unix ns */
    uint64_t period_dropped; /* live: packets lost in the current period */
    uint64_t time_jumps;     /* file: jumps of the capture time re-aligned */
    bool started;            /* the grid is set */
    bool progress;           /* stderr is a terminal: show progress */
    double next_progress;
    double start_time;
};

/* Set by the signal handlers; read by both period clocks. */
extern volatile sig_atomic_t pipeline_stop_signal;
extern volatile sig_atomic_t pipeline_reopen_signal;

/* Wall-clock time, Unix ns. */
int64_t pipeline_wall_ns(void);

/*
 * Decodes n packets into results (room for n) and counts them into c, the
 * decoder events into d. The packets must all belong to one period.
 */
void pipeline_count(struct counters *c, struct decode_stats *d,
                    struct decode_result *results,
                    const struct capture_packet *pkts, size_t n);

/* Closes the current period: hook, record, alarms, then a fresh tally;
 * advances period_end by one period. */
void pipeline_close_period(struct pipeline *p);

/*
 * Opens the live capture of cfg->miner.device: one libpcap handle per
 * worker, in one fanout group when there are several. Sets p->live.
 * Returns 0 or a negative code with a detail naming the interface.
 */
int pipeline_live_open(struct pipeline *p);

/*
 * Starts the workers and runs the wall-clock period clock until a stop
 * signal or a capture failure; then stops the workers and closes the last
 * period. Fills the summary's packet totals. Returns 0 or a negative code
 * with a detail.
 */
int pipeline_live_run(struct pipeline *p);

/* Releases what pipeline_live_open() made; NULL is a no-op. */
void pipeline_live_free(struct pipeline_live *l);

#endif

/*
 * The pipeline: capture, decode, counters, period clock, analyzer and
 * exporters, wired from a configuration. Only the command line and the API
 * know every stage; this is the piece they share.
 */
#ifndef NETSPOT_PIPELINE_PIPELINE_H
#define NETSPOT_PIPELINE_PIPELINE_H

#include "config/config.h"
#include "decode/decode.h"
#include "stats/counters.h"

#include <stdint.h>

/* Silent capture time, in periods, that a file may skip before the grid is
 * re-aligned on the next packet: beyond it a corrupt timestamp would make
 * millions of empty records. */
#define PIPELINE_MAX_GAP_PERIODS 100000

struct pipeline_summary {
    uint64_t packets;           /* packets read */
    uint64_t bytes;             /* their wire bytes */
    uint64_t periods;           /* records emitted */
    uint64_t alarms;            /* alarms raised */
    uint64_t malformed;         /* packets with a decoder anomaly */
    uint64_t export_failures;   /* exporter calls that failed */
    struct decode_stats decode; /* every decoder event */
    double elapsed_s;           /* wall-clock time of the run */
    const char *reader;         /* name of the capture reader */
    int stopped_by_signal;      /* SIGINT or SIGTERM ended the run */
};

/* Optional observer of each period's counters, called before the analyzer
 * with the end of the period (Unix ns) and the merged values. */
struct pipeline_hooks {
    void (*period)(void *ctx, int64_t time_ns, const struct counters_values *v);
    void *ctx;
};

/*
 * Runs the analysis of cfg to its end: the end of a capture file, or a
 * stop signal (SIGINT, SIGTERM), after which the current period is flushed
 * and every exporter closed. SIGHUP reopens output files. Fills sum.
 * hooks may be NULL. Returns 0; or a negative code with a detail (an unreadable
 * source, an exporter that cannot start, a capture file broken partway, in
 * which case every packet before the break was analysed and flushed).
 */
int pipeline_run(const struct config *cfg, const struct pipeline_hooks *hooks,
                 struct pipeline_summary *sum);

/*
 * Series name of a source, used in file names and exporters: a capture
 * file's base name with its extension removed ("wifi" for
 * "/data/wifi.pcap"). Writes at most len bytes into buf.
 */
void pipeline_series_name(const char *device, char *buf, size_t len);

#endif

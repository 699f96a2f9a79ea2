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
    uint64_t dropped;           /* live: packets lost before counting */
    uint64_t dropped_iface;     /* live: those the interface lost */
    int workers;                /* live: capture workers, 0 for a file */
    uint64_t bytes;             /* their wire bytes */
    uint64_t filtered;          /* file: packets miner.filter left out */
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
 * hooks may be NULL.
 *
 * cfg->miner.device is an interface when libpcap lists it (live capture:
 * periods follow the wall clock, each record has a DROPPED field, and
 * miner.workers threads share the interface), else a capture file. With
 * miner.user set, the process switches to that user once the capture is
 * open, before any output file is opened.
 *
 * Returns 0; or a negative code with a detail (an unknown device, missing
 * privileges, an invalid filter, an unreadable source, an exporter that
 * cannot start, a capture broken partway, in which case every packet
 * before the break was analysed and flushed).
 */
int pipeline_run(const struct config *cfg, const struct pipeline_hooks *hooks,
                 struct pipeline_summary *sum);

/*
 * Series name of a source, used in file names and exporters: a capture
 * file's base name with its extension removed ("wifi" for
 * "/data/wifi.pcap"). Writes at most len bytes into buf.
 */
void pipeline_series_name(const char *device, char *buf, size_t len);

/*
 * Series name of a live capture: the interface and the start time in UTC
 * as an ISO 8601 basic-format stamp with milliseconds
 * ("eth0-20240314T092653.123Z"): it sorts by time and holds no colon or
 * space, which file names and InfluxDB measurements handle badly.
 * start_ns is Unix ns. Writes at most len bytes into buf.
 */
void pipeline_series_name_live(const char *device, int64_t start_ns, char *buf,
                               size_t len);

#endif

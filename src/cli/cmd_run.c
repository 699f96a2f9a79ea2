/*
 * netspot run: analyse a capture file or an interface in the foreground.
 * -Z USER (miner.user) switches to USER once the capture is open.
 */
#include "cli/commands.h"

#include "cli/options.h"
#include "pipeline/pipeline.h"
#include "util/error.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

static void run_print_events(const struct pipeline_summary *sum)
{
    char line[1024];
    size_t pos = 0;

    for (int i = 0; i < DECODE_EV_COUNT; i++) {
        uint64_t n = sum->decode.events[i];
        int w;

        if (n == 0)
            continue;
        w = snprintf(line + pos, sizeof(line) - pos, "%s%s %llu",
                     pos ? ", " : "", decode_event_name((enum decode_event)i),
                     (unsigned long long)n);
        if (w < 0 || (size_t)w >= sizeof(line) - pos)
            break;
        pos += (size_t)w;
    }
    if (pos > 0)
        log_write(sum->malformed ? LOG_INFO : LOG_DEBUG, "run",
                  "decoder events: %s", line);
}

/*
 * What a summary of zeros would hide: a capture that held no packet, and
 * packets of a link type the decoders do not read (802.11, for instance),
 * which are counted as decoder events rather than as malformed packets.
 */
static void run_print_warnings(const struct config *cfg,
                               const struct pipeline_summary *sum)
{
    uint64_t skipped = sum->decode.events[DECODE_EV_LINK_UNSUPPORTED];

    if (sum->packets == 0 && sum->workers == 0 && !sum->stopped_by_signal)
        log_write(LOG_WARN, "run", "%s: the capture holds no packet",
                  cfg->miner.device);
    if (skipped > 0)
        log_write(LOG_WARN, "run",
                  "%s: %llu packet%s of a link type netspot does not "
                  "decode (802.11, PPP...) %s skipped; see "
                  "docs/statistics.md",
                  cfg->miner.device, (unsigned long long)skipped,
                  skipped > 1 ? "s" : "", skipped > 1 ? "were" : "was");
}

static void run_print_summary(const struct config *cfg,
                              const struct pipeline_summary *sum)
{
    double rate =
        sum->elapsed_s > 0 ? (double)sum->packets / sum->elapsed_s : 0.0;

    log_write(LOG_INFO, "run",
              "%s: %llu packets, %.1f MB, %llu periods, %llu alarms, "
              "%llu malformed packets, %.3f s, %.0f packets/s (%s reader)%s",
              cfg->miner.device, (unsigned long long)sum->packets,
              (double)sum->bytes / 1e6, (unsigned long long)sum->periods,
              (unsigned long long)sum->alarms,
              (unsigned long long)sum->malformed, sum->elapsed_s, rate,
              sum->reader ? sum->reader : "no",
              sum->stopped_by_signal ? ", stopped by a signal" : "");
    if (sum->filtered > 0)
        log_write(LOG_INFO, "run", "%s: %llu packets left out by the filter",
                  cfg->miner.device, (unsigned long long)sum->filtered);
    if (sum->workers > 0)
        log_write(sum->dropped > 0 ? LOG_WARN : LOG_INFO, "run",
                  "%s: %llu packets dropped by the kernel (%llu by the "
                  "interface), %d capture worker%s",
                  cfg->miner.device, (unsigned long long)sum->dropped,
                  (unsigned long long)sum->dropped_iface, sum->workers,
                  sum->workers > 1 ? "s" : "");
    if (sum->export_failures > 0)
        log_write(LOG_WARN, "run",
                  "%s: %llu exports of a record or an alarm failed (see "
                  "the warnings above)",
                  cfg->miner.device, (unsigned long long)sum->export_failures);
    run_print_events(sum);
    run_print_warnings(cfg, sum);
}

/*
 * The WebSocket exporter of the original is not part of this version. Its
 * keys load, so that existing files stay valid, but a run that would send
 * records to it stops before it starts rather than lose those records
 * silently. Returns the first such key, or NULL.
 */
static const char *run_missing_exporter(const struct config *cfg)
{
    const struct config_exporter *e = &cfg->exporter;

    if (e->websocket.data)
        return "exporter.websocket.data";
    if (e->websocket.alarm)
        return "exporter.websocket.alarm";
    return NULL;
}

int cmd_run(int argc, char **argv)
{
    struct config cfg;
    struct pipeline_summary sum;
    const char *missing;
    int rc;

    if (options_help_requested(argc, argv)) {
        options_usage("run");
        return CMD_OK;
    }
    rc = options_load(argc, argv, &cfg);
    if (rc < 0) {
        fprintf(stderr, "netspot: run: %s\n", error_detail());
        config_free(&cfg);
        /* A flag or its value exits 2; a file that cannot be read or is
         * not valid, 1. */
        return rc == ERROR_USAGE ? CMD_USAGE : CMD_FAILURE;
    }
    log_set_level(cfg.log_level);
    if (cfg.analyzer.n_stats == 0) {
        fprintf(stderr, "netspot: run: no statistic loaded (use -s STAT, "
                        "see 'netspot ls')\n");
        config_free(&cfg);
        return CMD_USAGE;
    }
    missing = run_missing_exporter(&cfg);
    if (missing != NULL) {
        fprintf(stderr,
                "netspot: run: %s is set, but this version has no such "
                "exporter and its records would be lost; unset it and use "
                "the console, file, socket or influxdb exporter (see "
                "docs/limitations.md)\n",
                missing);
        config_free(&cfg);
        return CMD_USAGE;
    }
    rc = pipeline_run(&cfg, NULL, &sum);
    if (sum.packets > 0 || rc == 0)
        run_print_summary(&cfg, &sum);
    if (rc < 0)
        log_write(LOG_ERROR, "run", "%s", error_detail());
    config_free(&cfg);
    return rc < 0 || sum.export_failures > 0 ? CMD_FAILURE : CMD_OK;
}

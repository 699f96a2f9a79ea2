/*
 * netspot counters: the raw per-period counters of a capture, one JSON line
 * per period, for checking what netspot sees against another tool.
 */
#include "cli/commands.h"

#include "cli/options.h"
#include "pipeline/pipeline.h"
#include "util/error.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

static void counters_print(void *ctx, int64_t time_ns,
                           const struct counters_values *v)
{
    FILE *out = ctx;

    fprintf(out, "{\"time\":%lld", (long long)time_ns);
    for (int i = 0; i < COUNTERS_COUNT; i++) {
        /* Wall-clock time differs between runs: left out. */
        if (i == COUNTERS_REAL_TIME)
            continue;
        fprintf(out, ",\"%s\":%llu", counters_name((enum counters_id)i),
                (unsigned long long)v->v[i]);
    }
    fputs("}\n", out);
}

int cmd_counters(int argc, char **argv)
{
    struct pipeline_hooks hooks = {counters_print, stdout};
    struct pipeline_summary sum;
    struct config cfg;
    int rc;

    if (options_help_requested(argc, argv)) {
        printf("Prints the counters of every period of a capture file or "
               "an interface\nas JSON lines (every counter, SOURCE_TIME "
               "included; no statistic, no\ndetector). Takes the flags of "
               "'netspot run'; -s and the exporters have\nno effect.\n\n");
        options_usage("counters");
        return CMD_OK;
    }
    rc = options_load(argc, argv, &cfg);
    if (rc < 0) {
        fprintf(stderr, "netspot: counters: %s\n", error_detail());
        config_free(&cfg);
        /* A flag or its value exits 2; a file that cannot be read or is
         * not valid, 1. */
        return rc == ERROR_USAGE ? CMD_USAGE : CMD_FAILURE;
    }
    log_set_level(cfg.log_level);
    /* Records are not wanted here, only the counters. */
    cfg.analyzer.n_stats = 0;
    cfg.exporter.console.data = false;
    cfg.exporter.console.alarm = false;
    rc = pipeline_run(&cfg, &hooks, &sum);
    if (rc < 0)
        log_write(LOG_ERROR, "counters", "%s", error_detail());
    config_free(&cfg);
    return rc < 0 ? CMD_FAILURE : CMD_OK;
}

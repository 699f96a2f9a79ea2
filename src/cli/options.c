#include "cli/options.h"

#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int options_period(const char *text, int64_t *out)
{
    char *end;
    double v = strtod(text, &end);
    double unit;

    if (strcmp(end, "ms") == 0)
        unit = 1e6;
    else if (strcmp(end, "s") == 0)
        unit = 1e9;
    else if (strcmp(end, "m") == 0)
        unit = 60e9;
    else
        return error_set(ERROR_INVALID,
                         "--analyzer.period: '%s' needs a "
                         "unit (ms, s, m)",
                         text);
    *out = (int64_t)(v * unit);
    return *out > 0 ? 0 : error_set(ERROR_INVALID, "bad period '%s'", text);
}

static int options_stats(const char *text, struct config *cfg)
{
    char buf[256];
    char *save = NULL;

    snprintf(buf, sizeof(buf), "%s", text);
    for (char *s = strtok_r(buf, ",", &save); s;
         s = strtok_r(NULL, ",", &save)) {
        int id = stats_lookup(s);

        if (id < 0)
            return error_set(ERROR_INVALID, "unknown statistic '%s'", s);
        cfg->analyzer.stats[cfg->analyzer.n_stats++] = (enum stats_id)id;
    }
    return 0;
}

static int options_one(const char *flag, const char *value, struct config *cfg)
{
    if (strcmp(flag, "-d") == 0 || strcmp(flag, "--miner.device") == 0) {
        free(cfg->miner.device);
        cfg->miner.device = strdup(value);
        return 0;
    }
    if (strcmp(flag, "-p") == 0 || strcmp(flag, "--analyzer.period") == 0)
        return options_period(value, &cfg->analyzer.period_ns);
    if (strcmp(flag, "-s") == 0 || strcmp(flag, "--analyzer.stats") == 0)
        return options_stats(value, cfg);
    if (strcmp(flag, "-f") == 0 || strcmp(flag, "--exporter.file.data") == 0) {
        free(cfg->exporter.file.data);
        cfg->exporter.file.data = strdup(value);
        return 0;
    }
    if (strcmp(flag, "-l") == 0 || strcmp(flag, "--log-level") == 0)
        return log_parse_level(value, &cfg->log_level);
    return error_set(ERROR_USAGE, "unknown flag '%s'", flag);
}

int options_load(int argc, char **argv, struct config *cfg)
{
    int rc = config_init(cfg);

    for (int i = 1; i < argc && rc == 0; i++) {
        if (strcmp(argv[i], "-v") == 0 ||
            strcmp(argv[i], "--exporter.console.data") == 0) {
            cfg->exporter.console.data = true;
            continue;
        }
        if (strcmp(argv[i], "--exporter.console.alarm") == 0) {
            cfg->exporter.console.alarm = true;
            continue;
        }
        if (i + 1 >= argc)
            return error_set(ERROR_USAGE, "flag '%s' needs a value", argv[i]);
        rc = options_one(argv[i], argv[i + 1], cfg);
        i++;
    }
    return rc;
}

void options_usage(const char *command)
{
    printf("Usage: netspot %s [-d DEVICE] [-s STAT]... [-p PERIOD] [-v] "
           "[-f FILE]\n",
           command);
}

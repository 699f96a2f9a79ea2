#include "util/log.h"

#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum log_level log_max_level = LOG_INFO;

static const char *const log_level_names[] = {"error", "warn", "info", "debug"};

void log_set_level(enum log_level level)
{
    log_max_level = level;
}

bool log_enabled(enum log_level level)
{
    return level <= log_max_level;
}

static enum log_level log_level_from_number(long n)
{
    if (n <= 0)
        return LOG_DEBUG;
    if (n == 1)
        return LOG_INFO;
    if (n == 2)
        return LOG_WARN;
    return LOG_ERROR;
}

int log_parse_level(const char *text, enum log_level *out)
{
    char *end;
    long n;

    for (size_t i = 0; i < 4; i++) {
        if (strcmp(text, log_level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    if (strcmp(text, "warning") == 0) {
        *out = LOG_WARN;
        return 0;
    }
    n = strtol(text, &end, 10);
    if (end == text || *end != '\0')
        return error_set(ERROR_INVALID,
                         "log level '%s': expected error, warn, info, debug "
                         "or a number from -1 to 7",
                         text);
    *out = log_level_from_number(n);
    return 0;
}

void log_write(enum log_level level, const char *subsystem, const char *fmt,
               ...)
{
    char line[1024];
    va_list ap;

    if (!log_enabled(level))
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    /* Info lines read as plain sentences; other levels say what they are. */
    if (level == LOG_INFO)
        fprintf(stderr, "%s: %s\n", subsystem, line);
    else
        fprintf(stderr, "%s: %s: %s\n", subsystem, log_level_names[level],
                line);
}

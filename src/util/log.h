/*
 * Operator logs: levelled, one line each, on stderr, starting with the
 * subsystem and the object ("capture: eth0: 1204 packets dropped").
 * Data and alarms never go through here.
 */
#ifndef NETSPOT_UTIL_LOG_H
#define NETSPOT_UTIL_LOG_H

#include <stdbool.h>

enum log_level {
    LOG_ERROR = 0,
    LOG_WARN = 1,
    LOG_INFO = 2,
    LOG_DEBUG = 3,
};

/* Sets the most verbose level written; the default is LOG_INFO. */
void log_set_level(enum log_level level);

/* Whether a line of this level would be written. */
bool log_enabled(enum log_level level);

/*
 * Parses a level name (error, warn, info, debug) or the original tool's
 * numbers (-1 and 0 debug, 1 info, 2 warn, 3 and above error).
 * Returns 0, or ERROR_INVALID with a detail.
 */
int log_parse_level(const char *text, enum log_level *out);

/*
 * Writes "subsystem: message" at the given level. The level is checked
 * before anything is formatted, so a disabled debug line costs a compare.
 */
void log_write(enum log_level level, const char *subsystem, const char *fmt,
               ...) __attribute__((format(printf, 3, 4)));

#endif

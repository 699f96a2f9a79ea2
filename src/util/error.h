/*
 * Error codes shared by every module.
 *
 * Functions return 0 (or a count) on success and a negative ERROR_* code on
 * failure. The code says what kind of failure it was; the detail that names
 * the object and the cause ("wifi.pcap: truncated record header at byte
 * 4096") is kept per thread by error_set() and read back by error_detail().
 */
#ifndef NETSPOT_UTIL_ERROR_H
#define NETSPOT_UTIL_ERROR_H

/* One table gives the enum and the generic message of each code. */
#define ERROR_TABLE(X)                                                         \
    X(ERROR_NOMEM, 1, "out of memory")                                         \
    X(ERROR_IO, 2, "input/output error")                                       \
    X(ERROR_FORMAT, 3, "malformed input")                                      \
    X(ERROR_TRUNCATED, 4, "truncated input")                                   \
    X(ERROR_INVALID, 5, "invalid argument")                                    \
    X(ERROR_UNSUPPORTED, 6, "not supported")                                   \
    X(ERROR_NOTFOUND, 7, "not found")                                          \
    X(ERROR_LIMIT, 8, "limit exceeded")                                        \
    X(ERROR_PERM, 9, "permission denied")                                      \
    X(ERROR_USAGE, 10, "usage error")                                          \
    X(ERROR_STATE, 11, "invalid state")

enum error_code {
#define ERROR_ENUM(name, value, text) name = -(value),
    ERROR_TABLE(ERROR_ENUM)
#undef ERROR_ENUM
};

/* Generic message of a code ("truncated input"); never NULL. */
const char *error_message(int code);

/*
 * Records the detail of the current failure for this thread, formatted like
 * printf, and returns code so that callers can write
 * `return error_set(ERROR_IO, "%s: %s", path, strerror(errno));`.
 * The arguments may include error_detail(), to add an object in front of
 * the cause of a failure met below.
 */
int error_set(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Detail of the last failure recorded on this thread, or the generic
 * message of the last code when no detail was given. The string is owned by
 * the thread and valid until the next error_set() call.
 */
const char *error_detail(void);

/* Forgets the last failure of this thread. */
void error_clear(void);

#endif

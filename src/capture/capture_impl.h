/*
 * Internal interface between capture.c and the readers. Not for use
 * outside src/capture.
 */
#ifndef NETSPOT_CAPTURE_CAPTURE_IMPL_H
#define NETSPOT_CAPTURE_CAPTURE_IMPL_H

#include "capture/capture.h"

#include <stdbool.h>

struct capture_ops {
    int (*next)(struct capture *c, struct capture_batch *batch);
    void (*close)(struct capture *c);
};

struct capture {
    const struct capture_ops *ops;
    const char *reader_name;
    char *name; /* file name, for messages */
    struct capture_stats stats;
    int pending;              /* error met after the last batch, or 0 */
    char pending_detail[512]; /* its detail, reported on the next call */
    bool failed;              /* an error was reported: end of source */
    void *impl;               /* the reader's own state */
};

/*
 * Each reader opens path into c (whose name is set) and fills ops,
 * reader_name and impl. They return 0, ERROR_UNSUPPORTED when the file is
 * not in a format the reader handles, or another negative code with a
 * detail naming the file.
 */
int capture_native_open(struct capture *c, const char *path);
int capture_libpcap_open(struct capture *c, const char *path);

#endif

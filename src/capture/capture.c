#include "capture/capture.h"

#include "capture/capture_impl.h"
#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Refuses what no reader can open, with the cause in plain words. */
static int capture_check_file(const char *path)
{
    struct stat st;

    if (stat(path, &st) < 0)
        return error_set(errno == ENOENT ? ERROR_NOTFOUND : ERROR_IO, "%s: %s",
                         path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return error_set(ERROR_INVALID, "%s: is a directory, not a capture",
                         path);
    if (S_ISREG(st.st_mode) && st.st_size == 0)
        return error_set(ERROR_FORMAT, "%s: empty file, not a capture", path);
    return 0;
}

static int capture_open_reader(struct capture *c, const char *path,
                               enum capture_reader reader)
{
    int rc;

    if (reader == CAPTURE_READER_LIBPCAP)
        return capture_libpcap_open(c, path);
    rc = capture_native_open(c, path);
    if (rc == ERROR_UNSUPPORTED && reader == CAPTURE_READER_AUTO)
        rc = capture_libpcap_open(c, path);
    return rc;
}

int capture_open_file(const char *path, enum capture_reader reader,
                      struct capture **out)
{
    struct capture *c;
    int rc;

    *out = NULL;
    rc = capture_check_file(path);
    if (rc < 0)
        return rc;
    c = calloc(1, sizeof(*c));
    if (c == NULL || (c->name = strdup(path)) == NULL) {
        free(c);
        return error_set(ERROR_NOMEM, "%s: out of memory", path);
    }
    rc = capture_open_reader(c, path, reader);
    if (rc < 0) {
        free(c->name);
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int capture_next(struct capture *c, struct capture_batch *batch)
{
    int rc;

    batch->n = 0;
    if (c->failed)
        return 0;
    if (c->pending < 0) {
        c->failed = true;
        return error_set(c->pending, "%s", c->pending_detail);
    }
    rc = c->ops->next(c, batch);
    if (rc < 0 && batch->n > 0) {
        /* Deliver the complete packets first, the error on the next call. */
        c->pending = rc;
        snprintf(c->pending_detail, sizeof(c->pending_detail), "%s",
                 error_detail());
        rc = 0;
    } else if (rc < 0) {
        c->failed = true;
    }
    for (size_t i = 0; i < batch->n; i++)
        c->stats.bytes += batch->pkts[i].wirelen;
    c->stats.packets += batch->n;
    return rc < 0 ? rc : (int)batch->n;
}

void capture_stats_get(const struct capture *c, struct capture_stats *st)
{
    *st = c->stats;
}

const char *capture_reader_name(const struct capture *c)
{
    return c->reader_name;
}

void capture_close(struct capture *c)
{
    if (c == NULL)
        return;
    c->ops->close(c);
    free(c->name);
    free(c);
}

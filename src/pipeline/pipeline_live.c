/*
 * Live capture: capture workers and the wall-clock period clock.
 *
 * Each worker thread owns one libpcap handle (all of them in one kernel
 * fanout group when there are several, so that each packet reaches exactly
 * one worker) and two slots of counters. A worker counts into the slot of
 * the current epoch, taking no lock and making no system call per packet.
 *
 * At a period boundary the main thread bumps the epoch and wakes every
 * worker through its pipe. A worker notices the new epoch between two
 * batches, or as soon as it wakes from poll(), switches to the other slot,
 * reads its drop counters from the kernel and acknowledges under a mutex:
 * one lock per worker and period, none per packet. Once every worker has
 * acknowledged, the main thread owns the old slots: it merges them into the
 * period's counters (distinct sets merge as sets, so counts stay exact
 * across workers), empties them for the epoch after next, and closes the
 * period. Packets are thus counted in the period during which a worker
 * handles them, which immediate mode keeps within microseconds of their
 * arrival.
 *
 * The main thread keeps SIGINT, SIGTERM and SIGHUP blocked outside
 * pselect(), so that a signal arriving at any time ends the wait at once;
 * the workers block them for good.
 */
#include "pipeline/pipeline_impl.h"

#include "util/error.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

/* Workers a run may ask for: each one holds a thread, a kernel buffer and
 * two sets of counters (about 6 MiB). */
#define PIPELINE_MAX_WORKERS 64
/* Workers chosen when miner.workers is 0: one per core but one, left to
 * the kernel and the main thread, within these bounds. */
#define PIPELINE_AUTO_WORKERS_MAX 4
/* Longest sleep of the main thread, ns: a wall clock set back while it
 * sleeps is noticed within this time. */
#define PIPELINE_LIVE_MAX_SLEEP 1000000000
/* Longest wait, ns, for the packets the kernel holds back at a stop. */
#define PIPELINE_LIVE_MAX_LINGER 1000000000
/* Batches a stopping worker still reads, so that a flood cannot delay the
 * stop. */
#define PIPELINE_LIVE_DRAIN_BATCHES 64

struct pipeline_slot {
    struct counters counters;
    struct decode_stats decode;
};

struct pipeline_worker {
    struct pipeline_live *live;
    int index;
    struct capture *cap;
    pthread_t thread;
    bool running; /* the thread was started and not joined */
    int wake[2];  /* the main thread writes a byte to wake the worker */
    struct pipeline_slot slot[2];
    struct capture_batch batch;
    /* Under live->lock: */
    unsigned acked;           /* last epoch acknowledged */
    bool exited;              /* the worker counts no more */
    struct capture_stats cst; /* its source's totals at that time */
    int rc;                   /* why it stopped, 0 on request */
    char detail[512];
    /* Main thread only: drops already reported. */
    uint64_t dropped_buffer_seen;
};

struct pipeline_live {
    int n;
    struct pipeline_worker *workers;
    atomic_uint epoch;
    atomic_bool stop;
    pthread_mutex_t lock;
    pthread_cond_t acked;
    int main_wake[2]; /* a failing worker wakes the main thread */
    int linger_ms;    /* miner.timeout: how long the kernel may hold
                         packets back, waited for once at the stop */
    uint64_t dropped_iface_seen;
    sigset_t saved_mask;
};

static int pipeline_live_workers(const struct config *cfg)
{
    long cores;

    if (cfg->miner.workers > 0)
        return cfg->miner.workers;
    cores = sysconf(_SC_NPROCESSORS_ONLN) - 1;
    if (cores < 1)
        return 1;
    return cores > PIPELINE_AUTO_WORKERS_MAX ? PIPELINE_AUTO_WORKERS_MAX
                                             : (int)cores;
}

static int pipeline_pipe(int fds[2])
{
    if (pipe(fds) < 0)
        return error_set(ERROR_IO, "pipeline: cannot make a pipe: %s",
                         strerror(errno));
    for (int i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    return 0;
}

static void pipeline_poke(int fd)
{
    char b = 1;

    /* A full pipe already holds a wake-up: nothing is lost. */
    if (write(fd, &b, 1) < 0 && errno != EAGAIN)
        log_write(LOG_DEBUG, "pipeline", "wake-up: %s", strerror(errno));
}

static void pipeline_drain_pipe(int fd)
{
    char buf[64];

    while (read(fd, buf, sizeof(buf)) > 0)
        continue;
}

static int pipeline_worker_init(struct pipeline_worker *w)
{
    int rc = pipeline_pipe(w->wake);

    for (int s = 0; s < 2 && rc == 0; s++)
        rc = counters_init(&w->slot[s].counters);
    return rc;
}

static void pipeline_worker_free(struct pipeline_worker *w)
{
    capture_close(w->cap);
    for (int s = 0; s < 2; s++)
        counters_free(&w->slot[s].counters);
    for (int i = 0; i < 2; i++)
        if (w->wake[i] >= 0)
            close(w->wake[i]);
}

static int pipeline_live_alloc(struct pipeline_live **out, int n)
{
    struct pipeline_live *l = calloc(1, sizeof(*l));
    int rc = 0;

    *out = l;
    if (l == NULL ||
        (l->workers = calloc((size_t)n, sizeof(*l->workers))) == NULL)
        return error_set(ERROR_NOMEM, "pipeline: out of memory");
    l->n = n;
    l->main_wake[0] = l->main_wake[1] = -1;
    for (int i = 0; i < n; i++)
        l->workers[i].wake[0] = l->workers[i].wake[1] = -1;
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->acked, NULL);
    atomic_init(&l->epoch, 0);
    atomic_init(&l->stop, false);
    for (int i = 0; i < n && rc == 0; i++) {
        l->workers[i].live = l;
        l->workers[i].index = i;
        rc = pipeline_worker_init(&l->workers[i]);
    }
    if (rc == 0)
        rc = pipeline_pipe(l->main_wake);
    return rc;
}

static void pipeline_live_options(const struct config *cfg,
                                  struct capture_live_options *o)
{
    memset(o, 0, sizeof(*o));
    o->device = cfg->miner.device;
    o->promiscuous = cfg->miner.promiscuous;
    o->snapshot_len = cfg->miner.snapshot_len;
    o->timeout_ns = cfg->miner.timeout_ns;
    o->buffer_size_mib = cfg->miner.buffer_size_mib;
    o->filter = cfg->miner.filter;
}

static int pipeline_live_check(const struct config *cfg, int n)
{
    if (n > PIPELINE_MAX_WORKERS)
        return error_set(ERROR_INVALID,
                         "miner.workers: %d workers asked, at most %d", n,
                         PIPELINE_MAX_WORKERS);
    /* libpcap takes the buffer size in bytes, as an int. */
    if (cfg->miner.buffer_size_mib > 2047)
        return error_set(ERROR_INVALID,
                         "miner.buffer_size: %d MiB asked, at most 2047",
                         cfg->miner.buffer_size_mib);
    return 0;
}

int pipeline_live_open(struct pipeline *p)
{
    const struct config *cfg = p->cfg;
    struct capture_live_options o;
    int n = pipeline_live_workers(cfg);
    int rc = pipeline_live_check(cfg, n);

    if (rc == 0)
        rc = pipeline_live_alloc(&p->live, n);
    if (rc == 0)
        p->live->linger_ms =
            cfg->miner.timeout_ns > PIPELINE_LIVE_MAX_LINGER
                ? PIPELINE_LIVE_MAX_LINGER / 1000000
                : (int)((cfg->miner.timeout_ns + 999999) / 1000000);
    pipeline_live_options(cfg, &o);
    for (int i = 0; i < n && rc == 0; i++) {
        struct pipeline_worker *w = &p->live->workers[i];

        if (n > 1) {
            o.fanout = i == 0 ? CAPTURE_FANOUT_NEW : CAPTURE_FANOUT_JOIN;
            if (i > 0)
                o.fanout_id =
                    (uint16_t)capture_fanout_id(p->live->workers[0].cap);
        }
        rc = capture_open_live(&o, &w->cap);
    }
    if (rc < 0)
        return rc;
    log_write(LOG_INFO, "capture",
              "%s: capturing with %d worker%s%s%s%s (snapshot %d bytes, %s)",
              cfg->miner.device, n, n > 1 ? "s" : "",
              cfg->miner.filter != NULL ? ", filter '" : "",
              cfg->miner.filter != NULL ? cfg->miner.filter : "",
              cfg->miner.filter != NULL ? "'" : "", cfg->miner.snapshot_len,
              cfg->miner.timeout_ns == 0 ? "immediate mode" : "buffered");
    p->sum->reader = capture_reader_name(p->live->workers[0].cap);
    p->sum->workers = n;
    return 0;
}

/* Counts a batch into the worker's current slot. */
static void pipeline_worker_count(struct pipeline_slot *s,
                                  const struct capture_batch *b)
{
    struct decode_result results[CAPTURE_BATCH_MAX];

    pipeline_count(&s->counters, &s->decode, results, b->pkts, b->n);
}

/* Publishes the worker's totals; called with live->lock held. */
static void pipeline_worker_publish(struct pipeline_worker *w)
{
    capture_stats_get(w->cap, &w->cst);
}

/* Hands the slot of epoch old over to the main thread. */
static void pipeline_worker_handover(struct pipeline_worker *w, unsigned now)
{
    struct pipeline_live *l = w->live;
    int rc = capture_refresh_stats(w->cap);

    if (rc < 0)
        log_write(LOG_WARN, "capture", "%s", error_detail());
    pthread_mutex_lock(&l->lock);
    pipeline_worker_publish(w);
    w->acked = now;
    pthread_cond_signal(&l->acked);
    pthread_mutex_unlock(&l->lock);
}

/* Waits for packets or a wake-up. Returns 0 or a negative code. */
static int pipeline_worker_wait(struct pipeline_worker *w)
{
    struct pollfd fds[2];
    int fd = capture_selectable_fd(w->cap);
    nfds_t n = 0;

    fds[n++] = (struct pollfd){.fd = w->wake[0], .events = POLLIN};
    if (fd >= 0)
        fds[n++] = (struct pollfd){.fd = fd, .events = POLLIN};
    /* Without a descriptor to wait on, look again every 10 ms. */
    if (poll(fds, n, fd >= 0 ? -1 : 10) < 0 && errno != EINTR)
        return error_set(ERROR_IO, "capture: worker %d: poll: %s", w->index,
                         strerror(errno));
    if (fds[0].revents != 0)
        pipeline_drain_pipe(w->wake[0]);
    return 0;
}

/* Reads what is left in the ring when asked to stop. */
static void pipeline_worker_drain(struct pipeline_worker *w, unsigned epoch)
{
    struct pollfd fd = {.fd = capture_selectable_fd(w->cap), .events = POLLIN};

    /* With a buffer timeout, the last packets are handed over only when
     * it expires. */
    if (w->live->linger_ms > 0 && fd.fd >= 0)
        poll(&fd, 1, w->live->linger_ms);
    for (int i = 0; i < PIPELINE_LIVE_DRAIN_BATCHES; i++) {
        if (capture_next(w->cap, &w->batch) <= 0)
            break;
        pipeline_worker_count(&w->slot[epoch & 1], &w->batch);
    }
}

static int pipeline_worker_loop(struct pipeline_worker *w, unsigned *epoch)
{
    struct pipeline_live *l = w->live;
    int rc;

    for (;;) {
        unsigned now = atomic_load_explicit(&l->epoch, memory_order_acquire);

        if (now != *epoch) {
            pipeline_worker_handover(w, now);
            *epoch = now;
        }
        if (atomic_load_explicit(&l->stop, memory_order_acquire))
            return 0;
        rc = capture_next(w->cap, &w->batch);
        if (rc > 0)
            pipeline_worker_count(&w->slot[*epoch & 1], &w->batch);
        else if (rc == 0)
            rc = pipeline_worker_wait(w);
        if (rc < 0)
            return rc;
    }
}

static void *pipeline_worker_main(void *arg)
{
    struct pipeline_worker *w = arg;
    struct pipeline_live *l = w->live;
    unsigned epoch = atomic_load_explicit(&l->epoch, memory_order_acquire);
    int rc = pipeline_worker_loop(w, &epoch);

    if (rc == 0)
        pipeline_worker_drain(w, epoch);
    capture_refresh_stats(w->cap);
    pthread_mutex_lock(&l->lock);
    pipeline_worker_publish(w);
    w->rc = rc;
    if (rc < 0)
        snprintf(w->detail, sizeof(w->detail), "%s", error_detail());
    w->exited = true;
    pthread_cond_signal(&l->acked);
    pthread_mutex_unlock(&l->lock);
    if (rc < 0)
        pipeline_poke(l->main_wake[1]);
    return NULL;
}

static int pipeline_live_start(struct pipeline_live *l)
{
    sigset_t block;

    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &l->saved_mask);
    for (int i = 0; i < l->n; i++) {
        struct pipeline_worker *w = &l->workers[i];
        int rc = pthread_create(&w->thread, NULL, pipeline_worker_main, w);

        if (rc != 0)
            return error_set(ERROR_IO, "pipeline: cannot start worker %d: %s",
                             i, strerror(rc));
        w->running = true;
    }
    return 0;
}

/* Whether every worker acknowledged epoch e or stopped; lock held. */
static bool pipeline_all_acked(const struct pipeline_live *l, unsigned e)
{
    for (int i = 0; i < l->n; i++)
        if (l->workers[i].acked != e && !l->workers[i].exited)
            return false;
    return true;
}

/* Moves the slots of epoch e into the period's counters. */
static void pipeline_live_collect(struct pipeline *p, unsigned e)
{
    struct pipeline_live *l = p->live;
    uint64_t iface = l->dropped_iface_seen;

    for (int i = 0; i < l->n; i++) {
        struct pipeline_worker *w = &l->workers[i];
        struct pipeline_slot *s = &w->slot[e & 1];

        counters_merge(&p->counters, &s->counters);
        decode_stats_merge(&p->decode, &s->decode);
        counters_reset(&s->counters);
        memset(&s->decode, 0, sizeof(s->decode));
        p->period_dropped += w->cst.dropped_buffer - w->dropped_buffer_seen;
        w->dropped_buffer_seen = w->cst.dropped_buffer;
        /* Every handle of a fanout group sees the same interface
         * counter: count it once. */
        if (w->cst.dropped_iface > iface)
            iface = w->cst.dropped_iface;
    }
    p->period_dropped += iface - l->dropped_iface_seen;
    l->dropped_iface_seen = iface;
}

/* Takes the slots of the ending epoch from the workers. */
static void pipeline_live_handover(struct pipeline *p)
{
    struct pipeline_live *l = p->live;
    unsigned old = atomic_load(&l->epoch);

    atomic_store_explicit(&l->epoch, old + 1, memory_order_release);
    for (int i = 0; i < l->n; i++)
        pipeline_poke(l->workers[i].wake[1]);
    pthread_mutex_lock(&l->lock);
    while (!pipeline_all_acked(l, old + 1))
        pthread_cond_wait(&l->acked, &l->lock);
    pthread_mutex_unlock(&l->lock);
    pipeline_live_collect(p, old);
}

/* First end of period on the wall-clock grid after now: multiples of the
 * period since the Unix epoch, so that runs and hosts line up. */
static int64_t pipeline_grid_next(int64_t now, int64_t period)
{
    return (now / period + 1) * period;
}

static void pipeline_live_realign(struct pipeline *p, int64_t now,
                                  const char *way)
{
    log_write(LOG_WARN, "pipeline",
              "%s: the wall clock jumped %s: periods restart now",
              p->cfg->miner.device, way);
    p->period_end = pipeline_grid_next(now, p->period_ns);
}

/* Closes the periods that ended; re-aligns the grid when the wall clock
 * jumped (a suspended host, a clock set by hand). */
static void pipeline_live_tick(struct pipeline *p, int64_t now)
{
    int64_t late = (now - p->period_end) / p->period_ns;

    pipeline_live_handover(p);
    pipeline_close_period(p);
    if (late > PIPELINE_MAX_GAP_PERIODS)
        pipeline_live_realign(p, now, "ahead");
}

/* Sleeps until the end of the period, a signal or a worker's failure. */
static void pipeline_live_sleep(struct pipeline *p, int64_t now)
{
    struct pipeline_live *l = p->live;
    int64_t wait = p->period_end - now;
    struct timespec ts;
    fd_set rd;

    if (wait > PIPELINE_LIVE_MAX_SLEEP)
        wait = PIPELINE_LIVE_MAX_SLEEP;
    ts.tv_sec = (time_t)(wait / 1000000000);
    ts.tv_nsec = (long)(wait % 1000000000);
    FD_ZERO(&rd);
    FD_SET(l->main_wake[0], &rd);
    if (pselect(l->main_wake[0] + 1, &rd, NULL, NULL, &ts, &l->saved_mask) > 0)
        pipeline_drain_pipe(l->main_wake[0]);
}

/* The first failure of a worker, or 0. */
static int pipeline_live_failure(struct pipeline_live *l)
{
    int rc = 0;

    pthread_mutex_lock(&l->lock);
    for (int i = 0; i < l->n && rc == 0; i++) {
        if (l->workers[i].exited && l->workers[i].rc < 0)
            rc = error_set(l->workers[i].rc, "%s", l->workers[i].detail);
    }
    pthread_mutex_unlock(&l->lock);
    return rc;
}

static int pipeline_live_clock(struct pipeline *p)
{
    int rc = 0;

    while (!pipeline_stop_signal && rc == 0) {
        int64_t now = pipeline_wall_ns();

        if (pipeline_reopen_signal) {
            pipeline_reopen_signal = 0;
            export_set_reopen(&p->exports);
        }
        if (now >= p->period_end)
            pipeline_live_tick(p, now);
        else if (p->period_end - now > p->period_ns)
            pipeline_live_realign(p, now, "back");
        else
            pipeline_live_sleep(p, now);
        rc = pipeline_live_failure(p->live);
    }
    if (pipeline_stop_signal)
        p->sum->stopped_by_signal = 1;
    return rc;
}

/* Stops and joins the workers, then takes what they counted last. */
static void pipeline_live_stop(struct pipeline *p)
{
    struct pipeline_live *l = p->live;

    atomic_store_explicit(&l->stop, true, memory_order_release);
    for (int i = 0; i < l->n; i++) {
        if (!l->workers[i].running)
            continue;
        pipeline_poke(l->workers[i].wake[1]);
        pthread_join(l->workers[i].thread, NULL);
        l->workers[i].running = false;
    }
    pthread_sigmask(SIG_SETMASK, &l->saved_mask, NULL);
    pipeline_live_collect(p, atomic_load(&l->epoch));
    for (int i = 0; i < l->n; i++) {
        const struct capture_stats *st = &l->workers[i].cst;

        p->sum->packets += st->packets;
        p->sum->bytes += st->bytes;
        log_write(LOG_DEBUG, "capture", "%s: worker %d: %llu packets",
                  p->cfg->miner.device, i, (unsigned long long)st->packets);
    }
}

static void pipeline_live_report(const struct pipeline *p)
{
    const struct pipeline_live *l = p->live;
    uint64_t buffer = 0;

    for (int i = 0; i < l->n; i++)
        buffer += l->workers[i].dropped_buffer_seen;
    p->sum->dropped = buffer + l->dropped_iface_seen;
    p->sum->dropped_iface = l->dropped_iface_seen;
}

int pipeline_live_run(struct pipeline *p)
{
    int rc;

    p->period_end = pipeline_grid_next(pipeline_wall_ns(), p->period_ns);
    p->started = true;
    rc = pipeline_live_start(p->live);
    if (rc == 0)
        rc = pipeline_live_clock(p);
    pipeline_live_stop(p);
    pipeline_close_period(p);
    pipeline_live_report(p);
    return rc;
}

void pipeline_live_free(struct pipeline_live *l)
{
    if (l == NULL)
        return;
    for (int i = 0; l->workers != NULL && i < l->n; i++)
        pipeline_worker_free(&l->workers[i]);
    for (int i = 0; i < 2; i++)
        if (l->main_wake[i] >= 0)
            close(l->main_wake[i]);
    pthread_cond_destroy(&l->acked);
    pthread_mutex_destroy(&l->lock);
    free(l->workers);
    free(l);
}

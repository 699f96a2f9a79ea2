#include "pipeline/pipeline.h"

#include "pipeline/pipeline_impl.h"
#include "pipeline/privileges.h"
#include "stats/counters.h"
#include "util/error.h"
#include "util/log.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Seconds between two progress lines on a terminal. */
#define PIPELINE_PROGRESS_INTERVAL 0.5

volatile sig_atomic_t pipeline_stop_signal;
volatile sig_atomic_t pipeline_reopen_signal;

static double pipeline_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int64_t pipeline_wall_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void pipeline_on_stop(int sig)
{
    (void)sig;
    pipeline_stop_signal = 1;
}

static void pipeline_on_hangup(int sig)
{
    (void)sig;
    pipeline_reopen_signal = 1;
}

static void pipeline_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = pipeline_on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = pipeline_on_hangup;
    sigaction(SIGHUP, &sa, NULL);
    pipeline_stop_signal = 0;
    pipeline_reopen_signal = 0;
}

void pipeline_series_name(const char *device, char *buf, size_t len)
{
    const char *base = strrchr(device, '/');
    const char *dot;
    size_t n;

    base = base != NULL ? base + 1 : device;
    dot = strrchr(base, '.');
    n = dot != NULL && dot != base ? (size_t)(dot - base) : strlen(base);
    if (n >= len)
        n = len - 1;
    memcpy(buf, base, n);
    buf[n] = '\0';
}

void pipeline_series_name_live(const char *device, int64_t start_ns, char *buf,
                               size_t len)
{
    time_t sec = (time_t)(start_ns / 1000000000);
    struct tm tm;
    char stamp[32];

    gmtime_r(&sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
    snprintf(buf, len, "%s-%s.%03dZ", device, stamp,
             (int)(start_ns % 1000000000 / 1000000));
}

static int pipeline_exports(struct pipeline *p, const char *series)
{
    const struct config_exporter *e = &p->cfg->exporter;
    int rc = 0;

    export_set_init(&p->exports);
    if (e->console.data || e->console.alarm)
        rc = export_console_add(&p->exports, e->console.data, e->console.alarm);
    if (rc == 0 && (e->file.data != NULL || e->file.alarm != NULL))
        rc = export_file_add(&p->exports, e->file.data, e->file.alarm, series);
    if (rc == 0 && (e->socket.data != NULL || e->socket.alarm != NULL))
        rc = export_socket_add(&p->exports, e->socket.data, e->socket.alarm,
                               e->socket.format, e->socket.tag, series);
    if (rc == 0 && (e->influxdb.data || e->influxdb.alarm)) {
        const struct export_influx_params ip = {
            e->influxdb.data,       e->influxdb.alarm,
            e->influxdb.address,    e->influxdb.database,
            e->influxdb.username,   e->influxdb.password,
            e->influxdb.batch_size, e->influxdb.agent_name,
        };

        rc = export_influx_add(&p->exports, &ip, series);
    }
    return rc;
}

/* Malformed packets so far: the decoder events that are anomalies. */
static uint64_t pipeline_malformed(const struct decode_stats *d)
{
    uint64_t n = 0;

    for (int i = 0; i < DECODE_EV_COUNT; i++) {
        if (decode_event_is_anomaly((enum decode_event)i))
            n += d->events[i];
    }
    return n;
}

/* Writes "name count, ..." for the decoder events counted since the last
 * period's close into buf (truncated to len), or "none". */
static void pipeline_period_events(const struct pipeline *p, char *buf,
                                   size_t len)
{
    size_t pos = 0;

    buf[0] = '\0';
    for (int i = 0; i < DECODE_EV_COUNT && pos < len; i++) {
        uint64_t n = p->decode.events[i] - p->decode_seen.events[i];
        int w;

        if (n == 0)
            continue;
        w = snprintf(buf + pos, len - pos, "%s%s %llu", pos ? ", " : "",
                     decode_event_name((enum decode_event)i),
                     (unsigned long long)n);
        if (w < 0)
            break;
        pos += (size_t)w;
    }
    if (pos == 0)
        snprintf(buf, len, "none");
}

/* The debug line of a period: its counts, the malformed packets of the
 * whole run up to its end, and the decoder events of the period. */
static void pipeline_debug_period(struct pipeline *p,
                                  const struct counters_values *v)
{
    char events[512];

    if (!log_enabled(LOG_DEBUG))
        return;
    pipeline_period_events(p, events, sizeof(events));
    log_write(LOG_DEBUG, "pipeline",
              "period ending %lld: %llu packets, %llu IP, %llu malformed "
              "so far; decoder events: %s",
              (long long)p->period_end, (unsigned long long)v->v[COUNTERS_PKTS],
              (unsigned long long)v->v[COUNTERS_IP],
              (unsigned long long)pipeline_malformed(&p->decode), events);
    p->decode_seen = p->decode;
}

/* t + period, Unix ns, kept within the time scale: capture files may
 * hold time stamps centuries ahead, and periods may last years. */
static int64_t pipeline_after(int64_t t, int64_t period)
{
    return t > INT64_MAX - period ? INT64_MAX : t + period;
}

/* Live records say how many packets the period lost before counting:
 * statistics of a period that lost packets are not to be trusted. */
static void pipeline_add_dropped(struct pipeline *p, struct record *rec)
{
    if (p->live == NULL)
        return;
    if (p->period_dropped > 0)
        log_write(LOG_WARN, "capture", "%s: %llu packets dropped by the kernel",
                  p->cfg->miner.device, (unsigned long long)p->period_dropped);
    if (rec->n < RECORD_MAX_FIELDS) {
        rec->fields[rec->n].key = "DROPPED";
        rec->fields[rec->n].value = (double)p->period_dropped;
        rec->n++;
        record_sort(rec);
    }
    p->period_dropped = 0;
}

void pipeline_close_period(struct pipeline *p)
{
    struct counters_values v;
    struct record rec;
    struct alarm alarms[STATS_COUNT];
    size_t n_alarms;

    counters_read(&p->counters, &v);
    v.v[COUNTERS_REAL_TIME] = (uint64_t)pipeline_wall_ns();
    if (p->hooks != NULL && p->hooks->period != NULL)
        p->hooks->period(p->hooks->ctx, p->period_end, &v);
    analyzer_period(&p->analyzer, &v, p->period_end, &rec, alarms, &n_alarms);
    pipeline_add_dropped(p, &rec);
    for (size_t i = 0; i < n_alarms; i++)
        p->sum->export_failures +=
            (uint64_t)export_set_alarm(&p->exports, &alarms[i]);
    p->sum->export_failures += (uint64_t)export_set_record(&p->exports, &rec);
    p->sum->periods++;
    p->sum->alarms += n_alarms;
    pipeline_debug_period(p, &v);
    if (v.v[COUNTERS_PKTS] != 0)
        counters_reset(&p->counters);
    p->period_end = pipeline_after(p->period_end, p->period_ns);
}

/*
 * Warns of the first jump of the capture time; the others are only
 * counted, since a file of sparse packets and a short period would
 * otherwise log one line per packet. pipeline_finish() gives the count.
 */
static void pipeline_warn_jump(struct pipeline *p, int64_t ts)
{
    double ahead = ((double)ts - (double)p->period_end) * 1e-9;

    p->time_jumps++;
    if (p->time_jumps > 1)
        return;
    log_write(LOG_WARN, "pipeline",
              "%s: capture time jumps %.3f s (%.0f periods) ahead: periods "
              "restart at the next packet (further jumps are counted, not "
              "shown)",
              p->cfg->miner.device, ahead, ahead * 1e9 / (double)p->period_ns);
}

/* Closes every period that ends at or before ts, re-aligning the grid on
 * ts when the capture skips more than PIPELINE_MAX_GAP_PERIODS. */
static void pipeline_advance(struct pipeline *p, int64_t ts)
{
    int64_t late, gap;

    if (__builtin_sub_overflow(ts, p->period_end, &late))
        late = INT64_MAX;
    gap = late / p->period_ns;
    if (gap > PIPELINE_MAX_GAP_PERIODS) {
        pipeline_warn_jump(p, ts);
        pipeline_close_period(p);
        p->period_end = pipeline_after(ts, p->period_ns);
        return;
    }
    /* The last period of the time scale stays open. */
    while (ts >= p->period_end && p->period_end != INT64_MAX)
        pipeline_close_period(p);
}

void pipeline_count(struct counters *c, struct decode_stats *d,
                    struct decode_result *results,
                    const struct capture_packet *pkts, size_t n)
{
    int64_t last = INT64_MIN;

    for (size_t i = 0; i < n; i++) {
        decode_packet(pkts[i].data, pkts[i].caplen, pkts[i].linktype,
                      &results[i], d);
        if (pkts[i].ts_ns > last)
            last = pkts[i].ts_ns;
    }
    counters_add_many(c, results, n, last);
}

/* Whether a packet captured at ts belongs to a later period. */
static bool pipeline_is_later(const struct pipeline *p, int64_t ts)
{
    return ts >= p->period_end && p->period_end != INT64_MAX;
}

/* Counts a batch run by run: each run lies within one period, and the
 * periods before a run are closed first. */
static void pipeline_batch(struct pipeline *p, const struct capture_batch *b)
{
    size_t i = 0;

    if (!p->started) {
        p->period_end = pipeline_after(b->pkts[0].ts_ns, p->period_ns);
        p->started = true;
    }
    while (i < b->n) {
        size_t j = i + 1;

        if (pipeline_is_later(p, b->pkts[i].ts_ns))
            pipeline_advance(p, b->pkts[i].ts_ns);
        while (j < b->n && !pipeline_is_later(p, b->pkts[j].ts_ns))
            j++;
        pipeline_count(&p->counters, &p->decode, p->results, &b->pkts[i],
                       j - i);
        i = j;
    }
}

static void pipeline_show_progress(struct pipeline *p, bool final)
{
    struct capture_stats st;
    double now;

    if (!p->progress)
        return;
    if (final) {
        fprintf(stderr, "\r\033[K");
        return;
    }
    now = pipeline_now();
    if (now < p->next_progress)
        return;
    p->next_progress = now + PIPELINE_PROGRESS_INTERVAL;
    capture_stats_get(p->cap, &st);
    fprintf(stderr, "\r\033[Kpipeline: %s: %.0f%%, %llu packets, %.0f/s",
            p->cfg->miner.device,
            st.size ? 100.0 * (double)st.offset / (double)st.size : 0.0,
            (unsigned long long)st.packets,
            (double)st.packets / (now - p->start_time + 1e-9));
}

static void pipeline_count_malformed(struct pipeline *p)
{
    p->sum->decode = p->decode;
    p->sum->malformed = pipeline_malformed(&p->decode);
}

/* Prefixes the current error detail with the capture's name. */
static int pipeline_name_error(int rc, const char *dev)
{
    char detail[512];

    snprintf(detail, sizeof(detail), "%s", error_detail());
    return error_set(rc, "capture: %s: %s", dev, detail);
}

/* Applies miner.filter to a batch read from a file. */
static int pipeline_filter(struct pipeline *p, struct capture_batch *batch)
{
    int rc = capture_filter_batch(p->filter, batch);

    if (rc < 0)
        return pipeline_name_error(rc, p->cfg->miner.device);
    p->sum->filtered += (uint64_t)rc;
    return 0;
}

/* Reads the source to its end or to a stop signal. */
static int pipeline_loop(struct pipeline *p)
{
    static struct capture_batch batch;
    int rc;

    while (!pipeline_stop_signal) {
        if (pipeline_reopen_signal) {
            pipeline_reopen_signal = 0;
            export_set_reopen(&p->exports);
        }
        rc = capture_next(p->cap, &batch);
        if (rc <= 0)
            return rc;
        if (p->filter != NULL) {
            rc = pipeline_filter(p, &batch);
            if (rc < 0)
                return rc;
        }
        if (batch.n > 0)
            pipeline_batch(p, &batch);
        pipeline_show_progress(p, false);
    }
    p->sum->stopped_by_signal = 1;
    return 0;
}

static enum capture_reader pipeline_reader(const char *name)
{
    if (name != NULL && strcmp(name, "native") == 0)
        return CAPTURE_READER_NATIVE;
    if (name != NULL && strcmp(name, "libpcap") == 0)
        return CAPTURE_READER_LIBPCAP;
    return CAPTURE_READER_AUTO;
}

static bool pipeline_has_state(const struct config *cfg)
{
    return cfg->analyzer.detector_state != NULL &&
           cfg->analyzer.detector_state[0] != '\0';
}

/* Opens the capture: an interface when libpcap lists the device, as the
 * original does, else a capture file when the path exists. */
static int pipeline_open_source(struct pipeline *p)
{
    const struct config *cfg = p->cfg;
    const char *dev = cfg->miner.device;
    struct stat st;
    int rc = capture_is_interface(dev);

    if (rc < 0)
        return rc;
    if (rc == 1)
        return pipeline_live_open(p);
    if (stat(dev, &st) < 0 && errno == ENOENT)
        return error_set(ERROR_NOTFOUND,
                         "capture: %s: unknown device: neither an interface "
                         "(see 'ip link') nor a capture file",
                         dev);
    rc = capture_open_file(dev, pipeline_reader(cfg->miner.reader), &p->cap);
    if (rc == 0)
        p->sum->reader = capture_reader_name(p->cap);
    if (rc == 0 && cfg->miner.workers > 1)
        log_write(LOG_INFO, "pipeline",
                  "%s: miner.workers (%d) applies to live capture only: a "
                  "file is read by one thread",
                  dev, cfg->miner.workers);
    if (rc == 0 && cfg->miner.filter != NULL && cfg->miner.filter[0] != '\0')
        rc = capture_filter_new(cfg->miner.filter, cfg->miner.snapshot_len,
                                &p->filter);
    if (rc < 0 && p->cap != NULL)
        rc = pipeline_name_error(rc, dev);
    return rc;
}

/* Series name: the file's base name, or the interface and start time. */
static void pipeline_series(const struct pipeline *p, char *buf, size_t len)
{
    if (p->live != NULL)
        pipeline_series_name_live(p->cfg->miner.device, pipeline_wall_ns(), buf,
                                  len);
    else
        pipeline_series_name(p->cfg->miner.device, buf, len);
}

static bool pipeline_has_user(const struct config *cfg)
{
    return cfg->miner.user != NULL && cfg->miner.user[0] != '\0';
}

static int pipeline_prepare(struct pipeline *p)
{
    const struct config *cfg = p->cfg;
    char series[256];
    int rc = 0;

    /* An unknown user is known before anything is opened. */
    if (pipeline_has_user(cfg))
        rc = privileges_check(cfg->miner.user);
    if (rc == 0)
        rc = pipeline_open_source(p);
    /* Files are written by the user the run switches to: they can then
     * be reopened after a rotation. */
    if (rc == 0 && pipeline_has_user(cfg))
        rc = privileges_drop(cfg->miner.user);
    if (rc == 0)
        rc = counters_init(&p->counters);
    if (rc == 0)
        rc = analyzer_init(&p->analyzer, cfg->analyzer.stats,
                           cfg->analyzer.n_stats, cfg->spot_stat, p->period_ns);
    /* A detector that cannot be restored learns afresh: not fatal. */
    if (rc == 0 && pipeline_has_state(cfg))
        analyzer_restore(&p->analyzer, cfg->analyzer.detector_state);
    pipeline_series(p, series, sizeof(series));
    if (rc == 0)
        rc = pipeline_exports(p, series);
    return rc;
}

/* Saves the detectors for the next run; returns 0 or a negative code. */
static int pipeline_save_state(const struct pipeline *p)
{
    int rc;

    if (!pipeline_has_state(p->cfg))
        return 0;
    rc = analyzer_save(&p->analyzer, p->cfg->analyzer.detector_state);
    if (rc == 0)
        log_write(LOG_INFO, "pipeline", "detectors saved in %s",
                  p->cfg->analyzer.detector_state);
    return rc;
}

static void pipeline_finish(struct pipeline *p)
{
    struct capture_stats st;

    /* The live clock closes its last period itself. */
    if (p->started && p->live == NULL)
        pipeline_close_period(p);
    pipeline_show_progress(p, true);
    if (p->time_jumps > 1)
        log_write(LOG_WARN, "pipeline",
                  "%s: capture time jumped ahead %llu times in all; periods "
                  "restarted at each",
                  p->cfg->miner.device, (unsigned long long)p->time_jumps);
    pipeline_count_malformed(p);
    if (p->cap != NULL) {
        capture_stats_get(p->cap, &st);
        p->sum->packets = st.packets;
        p->sum->bytes = st.bytes;
    }
    p->sum->elapsed_s = pipeline_now() - p->start_time;
}

int pipeline_run(const struct config *cfg, const struct pipeline_hooks *hooks,
                 struct pipeline_summary *sum)
{
    struct pipeline p;
    int rc;

    memset(&p, 0, sizeof(p));
    memset(sum, 0, sizeof(*sum));
    p.cfg = cfg;
    p.sum = sum;
    p.hooks = hooks;
    p.period_ns = cfg->analyzer.period_ns;
    p.start_time = pipeline_now();
    p.next_progress = p.start_time + PIPELINE_PROGRESS_INTERVAL;
    p.progress = isatty(STDERR_FILENO) && log_enabled(LOG_INFO);
    pipeline_signals();
    rc = pipeline_prepare(&p);
    if (p.live != NULL)
        p.progress = false;
    if (rc == 0) {
        int saved;

        if (p.live != NULL)
            rc = pipeline_live_run(&p);
        else
            rc = pipeline_loop(&p);
        pipeline_finish(&p);
        saved = pipeline_save_state(&p);
        if (rc == 0)
            rc = saved;
    }
    sum->export_failures += (uint64_t)export_set_close(&p.exports);
    analyzer_free(&p.analyzer);
    counters_free(&p.counters);
    capture_close(p.cap);
    capture_filter_free(p.filter);
    pipeline_live_free(p.live);
    return rc;
}

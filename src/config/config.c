#include "config/config.h"

#include "config/toml.h"
#include "util/error.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Constraints a key puts on its value, checked when it is set. */
enum config_flag {
    CONFIG_F_NONEMPTY = 1 << 0, /* a string that may not be "" */
    CONFIG_F_NULLABLE = 1 << 1, /* "" means none and is stored as NULL */
    CONFIG_F_PATH = 1 << 2,     /* a leading ~ or $HOME is expanded */
    CONFIG_F_POSITIVE = 1 << 3, /* number > 0 */
    CONFIG_F_NONNEG = 1 << 4,   /* number >= 0 */
    CONFIG_F_ENDPOINT = 1 << 5, /* proto://address */
    CONFIG_F_CHOICE = 1 << 6,   /* one of the words of choices */
    CONFIG_F_SPOT = 1 << 7,     /* a detector parameter of [spot] */
};

struct config_key {
    const char *name;
    enum config_type type;
    size_t offset;       /* of the field in struct config */
    unsigned flags;      /* enum config_flag */
    const char *choices; /* "json|csv" for CONFIG_F_CHOICE */
    unsigned spot_bit;   /* enum config_spot_bit for CONFIG_F_SPOT */
    const char *usage;
};

#define CONFIG_OFF(field) offsetof(struct config, field)

/* File order: `netspot defaults` prints the keys in this order, one
 * section after the other. */
static const struct config_key config_keys[] = {
    {"api.endpoint", CONFIG_STRING, CONFIG_OFF(api_endpoint),
     CONFIG_F_NONEMPTY | CONFIG_F_ENDPOINT, NULL, 0,
     "Address of the server (service mode), proto://address"},
    {"miner.device", CONFIG_STRING, CONFIG_OFF(miner.device),
     CONFIG_F_NONEMPTY | CONFIG_F_PATH, NULL, 0,
     "Name of the interface to listen or dump/pcap file path"},
    {"miner.promiscuous", CONFIG_BOOL, CONFIG_OFF(miner.promiscuous), 0, NULL,
     0, "Enable promiscuous mode (interface capture)"},
    {"miner.snapshot_len", CONFIG_INT, CONFIG_OFF(miner.snapshot_len),
     CONFIG_F_POSITIVE, NULL, 0,
     "Maximum size of the packets (interface capture)"},
    {"miner.timeout", CONFIG_DURATION, CONFIG_OFF(miner.timeout_ns),
     CONFIG_F_NONNEG, NULL, 0,
     "Maximum delay before receiving packets (interface capture); "
     "0s is immediate mode"},
    {"miner.filter", CONFIG_STRING, CONFIG_OFF(miner.filter), CONFIG_F_NULLABLE,
     NULL, 0, "BPF filter expression applied to the packets (empty: none)"},
    {"miner.buffer_size", CONFIG_INT, CONFIG_OFF(miner.buffer_size_mib),
     CONFIG_F_NONNEG, NULL, 0,
     "Kernel capture buffer in MiB (interface capture); 0 sizes it for "
     "about 1024 packets, 2 to 32 MiB"},
    {"miner.workers", CONFIG_INT, CONFIG_OFF(miner.workers), CONFIG_F_NONNEG,
     NULL, 0, "Number of packet workers; 0 chooses from the cores"},
    {"miner.user", CONFIG_STRING, CONFIG_OFF(miner.user), CONFIG_F_NULLABLE,
     NULL, 0, "User to switch to once the capture is open (empty: stay)"},
    {"miner.reader", CONFIG_STRING, CONFIG_OFF(miner.reader), CONFIG_F_CHOICE,
     "auto|native|libpcap", 0, "Capture file reader: auto, native or libpcap"},
    {"analyzer.period", CONFIG_DURATION, CONFIG_OFF(analyzer.period_ns),
     CONFIG_F_POSITIVE, NULL, 0, "Time between two statistics computations"},
    {"analyzer.stats", CONFIG_STATS, CONFIG_OFF(analyzer), 0, NULL, 0,
     "List of stats to load at startup"},
    {"analyzer.detector_state", CONFIG_STRING,
     CONFIG_OFF(analyzer.detector_state), CONFIG_F_NULLABLE | CONFIG_F_PATH,
     NULL, 0,
     "Folder the detectors are restored from at start and saved to at "
     "the end, one NAME.spot file per statistic (empty: none)"},
    {"spot.depth", CONFIG_INT, CONFIG_OFF(spot.depth), CONFIG_F_SPOT, NULL,
     CONFIG_SPOT_DEPTH, "Number of observations to build a local model"},
    {"spot.q", CONFIG_FLOAT, CONFIG_OFF(spot.q), CONFIG_F_SPOT, NULL,
     CONFIG_SPOT_Q,
     "Anomaly probability threshold. Extreme events with probability "
     "lower than q will be flagged"},
    {"spot.n_init", CONFIG_INT, CONFIG_OFF(spot.n_init), CONFIG_F_SPOT, NULL,
     CONFIG_SPOT_N_INIT, "Number of initial observations to calibrate SPOT"},
    {"spot.level", CONFIG_FLOAT, CONFIG_OFF(spot.level), CONFIG_F_SPOT, NULL,
     CONFIG_SPOT_LEVEL,
     "Tail quantile. Extreme events with probability lower than 1-level "
     "are considered in the tail of the input distribution"},
    {"spot.up", CONFIG_BOOL, CONFIG_OFF(spot.up), CONFIG_F_SPOT, NULL,
     CONFIG_SPOT_UP, "Flag upper extreme events"},
    {"spot.down", CONFIG_BOOL, CONFIG_OFF(spot.down), CONFIG_F_SPOT, NULL,
     CONFIG_SPOT_DOWN, "Flag lower extreme events"},
    {"spot.alert", CONFIG_BOOL, CONFIG_OFF(spot.alert), CONFIG_F_SPOT, NULL,
     CONFIG_SPOT_ALERT, "Enable flagging"},
    {"spot.bounded", CONFIG_BOOL, CONFIG_OFF(spot.bounded), CONFIG_F_SPOT, NULL,
     CONFIG_SPOT_BOUNDED,
     "Enable bounded mode. It limits the number of tail observations for "
     "parameter estimation"},
    {"spot.max_excess", CONFIG_INT, CONFIG_OFF(spot.max_excess), CONFIG_F_SPOT,
     NULL, CONFIG_SPOT_MAX_EXCESS,
     "Number of tail observations (see spot.bounded)"},
    {"exporter.console.data", CONFIG_BOOL, CONFIG_OFF(exporter.console.data), 0,
     NULL, 0, "Print data to the console"},
    {"exporter.console.alarm", CONFIG_BOOL, CONFIG_OFF(exporter.console.alarm),
     0, NULL, 0, "Print alarms to the console"},
    {"exporter.file.data", CONFIG_STRING, CONFIG_OFF(exporter.file.data),
     CONFIG_F_NULLABLE | CONFIG_F_PATH, NULL, 0,
     "File to export data (%s is replaced by the series name; empty: off)"},
    {"exporter.file.alarm", CONFIG_STRING, CONFIG_OFF(exporter.file.alarm),
     CONFIG_F_NULLABLE | CONFIG_F_PATH, NULL, 0,
     "File to export the alarms (%s as for data; empty: off)"},
    {"exporter.socket.data", CONFIG_STRING, CONFIG_OFF(exporter.socket.data),
     CONFIG_F_NULLABLE | CONFIG_F_ENDPOINT, NULL, 0,
     "Socket to send data, proto://address (empty: off)"},
    {"exporter.socket.alarm", CONFIG_STRING, CONFIG_OFF(exporter.socket.alarm),
     CONFIG_F_NULLABLE | CONFIG_F_ENDPOINT, NULL, 0,
     "Socket to send alarms, proto://address (empty: off)"},
    {"exporter.socket.format", CONFIG_STRING,
     CONFIG_OFF(exporter.socket.format), CONFIG_F_CHOICE, "json|csv", 0,
     "Sending format (json or csv)"},
    {"exporter.socket.tag", CONFIG_STRING, CONFIG_OFF(exporter.socket.tag),
     CONFIG_F_NONEMPTY, NULL, 0,
     "Additional tag (if the socket receives several streams)"},
    {"exporter.influxdb.data", CONFIG_BOOL, CONFIG_OFF(exporter.influxdb.data),
     0, NULL, 0, "Send data to InfluxDB"},
    {"exporter.influxdb.alarm", CONFIG_BOOL,
     CONFIG_OFF(exporter.influxdb.alarm), 0, NULL, 0,
     "Send alarms to InfluxDB"},
    {"exporter.influxdb.address", CONFIG_STRING,
     CONFIG_OFF(exporter.influxdb.address), CONFIG_F_NONEMPTY, NULL, 0,
     "Address of the InfluxDB"},
    {"exporter.influxdb.database", CONFIG_STRING,
     CONFIG_OFF(exporter.influxdb.database), CONFIG_F_NONEMPTY, NULL, 0,
     "Name of the database"},
    {"exporter.influxdb.username", CONFIG_STRING,
     CONFIG_OFF(exporter.influxdb.username), CONFIG_F_NONEMPTY, NULL, 0,
     "Username (credentials)"},
    {"exporter.influxdb.password", CONFIG_STRING,
     CONFIG_OFF(exporter.influxdb.password), CONFIG_F_NONEMPTY, NULL, 0,
     "Password (credentials)"},
    {"exporter.influxdb.batch_size", CONFIG_INT,
     CONFIG_OFF(exporter.influxdb.batch_size), CONFIG_F_POSITIVE, NULL, 0,
     "Number of data to send in a row"},
    {"exporter.influxdb.agent_name", CONFIG_STRING,
     CONFIG_OFF(exporter.influxdb.agent_name), CONFIG_F_NONEMPTY, NULL, 0,
     "Additional tag for index purpose"},
    {"exporter.websocket.data", CONFIG_BOOL,
     CONFIG_OFF(exporter.websocket.data), 0, NULL, 0, "Activate data endpoint"},
    {"exporter.websocket.alarm", CONFIG_BOOL,
     CONFIG_OFF(exporter.websocket.alarm), 0, NULL, 0,
     "Activate alarm endpoint"},
    {"exporter.websocket.endpoint", CONFIG_STRING,
     CONFIG_OFF(exporter.websocket.endpoint), CONFIG_F_NONEMPTY, NULL, 0,
     "Websocket server, host:port"},
};

#define CONFIG_N_KEYS (sizeof(config_keys) / sizeof(config_keys[0]))

/* Longest dotted key we build or look up, alias and statistic included. */
#define CONFIG_KEY_MAX 128

/* The section the original documented but never read; accepted here. */
static const char config_influx_alias[] = "exporter.influxdb1.";

/* Protocols of proto://address endpoints (Go's net package names). */
static const char *const config_protos[] = {
    "tcp", "tcp4", "tcp6", "udp",  "udp4",     "udp6",
    "ip",  "ip4",  "ip6",  "unix", "unixgram", "unixpacket",
};

static char *config_strdup(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

int config_init(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->log_level = LOG_INFO;
    cfg->api_endpoint = config_strdup("tcp://localhost:11000");
    cfg->miner.device = config_strdup("any");
    cfg->miner.promiscuous = true;
    cfg->miner.snapshot_len = 65535;
    cfg->miner.reader = config_strdup("auto");
    cfg->analyzer.period_ns = 1000000000;
    spot_params_default(&cfg->spot);
    for (int i = 0; i < STATS_COUNT; i++)
        cfg->spot_stat[i] = cfg->spot;
    cfg->exporter.socket.format = config_strdup("json");
    cfg->exporter.socket.tag = config_strdup("netspot");
    cfg->exporter.influxdb.address = config_strdup("http://127.0.0.1:8086");
    cfg->exporter.influxdb.database = config_strdup("netspot");
    cfg->exporter.influxdb.username = config_strdup("netspot");
    cfg->exporter.influxdb.password = config_strdup("netspot");
    cfg->exporter.influxdb.batch_size = 10;
    cfg->exporter.influxdb.agent_name = config_strdup("local");
    cfg->exporter.websocket.endpoint = config_strdup("localhost:11001");
    if (cfg->api_endpoint == NULL || cfg->miner.device == NULL ||
        cfg->miner.reader == NULL || cfg->exporter.socket.format == NULL ||
        cfg->exporter.socket.tag == NULL ||
        cfg->exporter.influxdb.address == NULL ||
        cfg->exporter.influxdb.database == NULL ||
        cfg->exporter.influxdb.username == NULL ||
        cfg->exporter.influxdb.password == NULL ||
        cfg->exporter.influxdb.agent_name == NULL ||
        cfg->exporter.websocket.endpoint == NULL)
        return error_set(ERROR_NOMEM, "config: out of memory");
    return 0;
}

void config_free(struct config *cfg)
{
    for (size_t i = 0; i < CONFIG_N_KEYS; i++) {
        if (config_keys[i].type == CONFIG_STRING) {
            char **field = (char **)((char *)cfg + config_keys[i].offset);

            free(*field);
        }
    }
    for (int row = 0; row <= CONFIG_SPOT_ROW; row++)
        for (int k = 0; k < CONFIG_SPOT_KEYS; k++)
            free(cfg->spot_origin[row][k]);
    memset(cfg, 0, sizeof(*cfg));
}

/* ---- key lookup ---------------------------------------------------- */

static const struct config_key *config_find(const char *name)
{
    for (size_t i = 0; i < CONFIG_N_KEYS; i++)
        if (strcmp(config_keys[i].name, name) == 0)
            return &config_keys[i];
    return NULL;
}

/* Levenshtein distance of two short strings, for suggestions; case is
 * ignored, so that "r_syn" finds "R_SYN". */
static size_t config_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[CONFIG_KEY_MAX + 1];

    if (la > CONFIG_KEY_MAX || lb > CONFIG_KEY_MAX)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];

        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (tolower((unsigned char)a[i - 1]) !=
                                  tolower((unsigned char)b[j - 1]));

            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

struct config_guess {
    char name[CONFIG_KEY_MAX];
    size_t distance;
};

static void config_consider(struct config_guess *g, const char *wrong,
                            const char *candidate)
{
    size_t d = config_distance(wrong, candidate);

    if (d < g->distance) {
        g->distance = d;
        snprintf(g->name, sizeof(g->name), "%s", candidate);
    }
}

/* Copies the guess to out if it is close enough to wrong, else "". */
static void config_close_enough(struct config_guess *g, const char *wrong,
                                char *out, size_t size)
{
    /* A third of the letters wrong is still a recognisable key. */
    if (g->distance > 3 || g->distance * 3 > strlen(wrong))
        g->name[0] = '\0';
    snprintf(out, size, "%s", g->name);
}

/* Nearest valid key of a wrong one, or "" when none is close enough. */
static void config_suggest(const char *wrong, char *out, size_t size)
{
    struct config_guess g = {"", SIZE_MAX};
    char candidate[CONFIG_KEY_MAX];

    for (size_t i = 0; i < CONFIG_N_KEYS; i++) {
        config_consider(&g, wrong, config_keys[i].name);
        if (!(config_keys[i].flags & CONFIG_F_SPOT))
            continue;
        for (int s = 0; s < STATS_COUNT; s++) {
            snprintf(candidate, sizeof(candidate), "spot.%s.%s",
                     stats_name((enum stats_id)s),
                     config_keys[i].name + strlen("spot."));
            config_consider(&g, wrong, candidate);
        }
    }
    config_close_enough(&g, wrong, out, size);
}

/* Nearest valid section ("miner", "spot.R_SYN") of a wrong one, or "". */
static void config_suggest_section(const char *wrong, char *out, size_t size)
{
    struct config_guess g = {"", SIZE_MAX};
    char candidate[CONFIG_KEY_MAX];

    for (size_t i = 0; i < CONFIG_N_KEYS; i++) {
        const char *name = config_keys[i].name;

        snprintf(candidate, sizeof(candidate), "%.*s",
                 (int)(strrchr(name, '.') - name), name);
        config_consider(&g, wrong, candidate);
    }
    for (int s = 0; s < STATS_COUNT; s++) {
        snprintf(candidate, sizeof(candidate), "spot.%s",
                 stats_name((enum stats_id)s));
        config_consider(&g, wrong, candidate);
    }
    config_close_enough(&g, wrong, out, size);
}

static int config_unknown(const char *origin, const char *key)
{
    char near[CONFIG_KEY_MAX];

    config_suggest(key, near, sizeof(near));
    if (near[0] != '\0')
        return error_set(ERROR_NOTFOUND,
                         "%s: unknown key '%s' (did you mean '%s'?)", origin,
                         key, near);
    return error_set(ERROR_NOTFOUND,
                     "%s: unknown key '%s' (see 'netspot defaults' for the "
                     "valid keys)",
                     origin, key);
}

/*
 * A resolved key: the table entry and the address of the field it sets,
 * which for spot.STAT.param is in spot_stat[STAT].
 */
struct config_target {
    const struct config_key *key;
    int stat; /* statistic of a [spot.STAT] key, else -1 */
};

/* Rewrites the exporter.influxdb1 alias and finds the key. */
static int config_resolve_key(const char *name, struct config_target *t)
{
    char buf[CONFIG_KEY_MAX];
    const char *dot;

    t->stat = -1;
    if (strncmp(name, config_influx_alias, strlen(config_influx_alias)) == 0) {
        snprintf(buf, sizeof(buf), "exporter.influxdb.%s",
                 name + strlen(config_influx_alias));
        name = buf;
    }
    t->key = config_find(name);
    if (t->key != NULL)
        return 0;
    if (strncmp(name, "spot.", 5) != 0)
        return ERROR_NOTFOUND;
    dot = strchr(name + 5, '.');
    if (dot == NULL || (size_t)(dot - name) >= sizeof(buf))
        return ERROR_NOTFOUND;
    memcpy(buf, name, (size_t)(dot - name));
    buf[dot - name] = '\0';
    t->stat = stats_lookup(buf + 5);
    snprintf(buf, sizeof(buf), "spot.%s", dot + 1);
    t->key = config_find(buf);
    if (t->stat < 0 || t->key == NULL)
        return ERROR_NOTFOUND;
    return 0;
}

static void *config_field(struct config *cfg, const struct config_target *t)
{
    size_t off = t->key->offset;

    if (t->stat >= 0)
        off = off - CONFIG_OFF(spot) + CONFIG_OFF(spot_stat[t->stat]);
    return (char *)cfg + off;
}

static const void *config_field_const(const struct config *cfg,
                                      const struct config_target *t)
{
    return config_field((struct config *)(uintptr_t)cfg, t);
}

int config_key_type(const char *key)
{
    struct config_target t;

    if (config_resolve_key(key, &t) < 0)
        return config_unknown("config", key);
    return (int)t.key->type;
}

size_t config_key_count(void)
{
    return CONFIG_N_KEYS;
}

void config_key_describe(size_t i, struct config_key_info *info)
{
    info->name = config_keys[i].name;
    info->type = config_keys[i].type;
    info->usage = config_keys[i].usage;
}

/* ---- durations ----------------------------------------------------- */

struct config_unit {
    const char *name;
    int64_t ns;
};

/* "ms" comes before "m" and "s" so that it is not read as minutes. */
static const struct config_unit config_units[] = {
    {"ns", 1},           {"us", 1000},
    {"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
    {"\xce\xbcs", 1000}, /* U+03BC Greek small mu */
    {"ms", 1000000},     {"s", 1000000000},
    {"m", 60000000000},  {"h", 3600000000000},
};

static const struct config_unit *config_unit_at(const char *p, size_t *len)
{
    for (size_t i = 0; i < sizeof(config_units) / sizeof(config_units[0]);
         i++) {
        size_t n = strlen(config_units[i].name);

        if (strncmp(p, config_units[i].name, n) == 0) {
            *len = n;
            return &config_units[i];
        }
    }
    return NULL;
}

static int config_bad_duration(const char *text, const char *why)
{
    return error_set(ERROR_INVALID, "'%s' is not a duration: %s", text, why);
}

/* Go's limit: a duration is a signed 64-bit count of nanoseconds. The
 * magnitude is kept within INT64_MAX either way, so that it negates. */
#define CONFIG_DURATION_MAX ((uint64_t)INT64_MAX)

static const char config_too_long[] =
    "longer than Go's longest duration, 2562047h47m16.854775807s";

/* Reads one "<number><unit>" at *at and adds its length to *total (ns),
 * in integers as Go does, so that the longest duration stays exact. */
static int config_duration_part(const char *text, const char **at,
                                uint64_t *total)
{
    const char *p = *at;
    uint64_t whole = 0, frac = 0, scale = 1, ns;
    const struct config_unit *u;
    bool digits = false;
    size_t ulen;

    for (; *p >= '0' && *p <= '9'; p++, digits = true) {
        if (whole > (CONFIG_DURATION_MAX - (uint64_t)(*p - '0')) / 10)
            return config_bad_duration(text, config_too_long);
        whole = whole * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++, digits = true)
            /* Digits beyond 19 cannot change a count of nanoseconds. */
            if (scale <= UINT64_MAX / 10 / 10) {
                frac = frac * 10 + (uint64_t)(*p - '0');
                scale *= 10;
            }
    if (!digits)
        return config_bad_duration(text, "expected a number");
    u = config_unit_at(p, &ulen);
    if (u == NULL)
        return config_bad_duration(
            text, "write a unit after each number (ns, us, ms, s, m, h), "
                  "e.g. \"500ms\" or \"1m30s\"");
    if (whole > CONFIG_DURATION_MAX / (uint64_t)u->ns)
        return config_bad_duration(text, config_too_long);
    ns = whole * (uint64_t)u->ns;
    ns += (uint64_t)((double)frac * ((double)u->ns / (double)scale));
    if (ns > CONFIG_DURATION_MAX || *total > CONFIG_DURATION_MAX - ns)
        return config_bad_duration(text, config_too_long);
    *total += ns;
    *at = p + ulen;
    return 0;
}

int config_parse_duration(const char *text, int64_t *ns)
{
    const char *p = text;
    uint64_t total = 0;
    bool negative = false;

    if (*p == '-' || *p == '+')
        negative = *p++ == '-';
    if (strcmp(p, "0") == 0) {
        *ns = 0;
        return 0;
    }
    if (*p == '\0')
        return config_bad_duration(text, "it is empty");
    while (*p != '\0') {
        int rc = config_duration_part(text, &p, &total);

        if (rc < 0)
            return rc;
    }
    *ns = negative ? -(int64_t)total : (int64_t)total;
    return 0;
}

/* Appends "<n>[.<frac>]<unit>" for value / div, trailing zeros cut. */
static size_t config_put_fixed(char *buf, size_t size, int64_t value,
                               int64_t div, const char *unit)
{
    char frac[24];
    int n;
    int64_t rest = value % div;
    size_t len = 0;

    for (int64_t d = div / 10; d > 0 && rest != 0; d /= 10) {
        frac[len++] = (char)('0' + rest / d);
        rest %= d;
    }
    frac[len] = '\0';
    n = snprintf(buf, size, "%lld%s%s%s", (long long)(value / div),
                 len ? "." : "", frac, unit);
    return n < 0 ? 0 : (size_t)n;
}

void config_format_duration(int64_t ns, char *buf, size_t size)
{
    const char *sign = ns < 0 ? "-" : "";
    int64_t v = ns < 0 ? -ns : ns;
    size_t n;

    if (v == 0) {
        snprintf(buf, size, "0s");
        return;
    }
    n = (size_t)snprintf(buf, size, "%s", sign);
    if (n >= size)
        return;
    if (v < 1000)
        config_put_fixed(buf + n, size - n, v, 1, "ns");
    else if (v < 1000000)
        config_put_fixed(buf + n, size - n, v, 1000, "us");
    else if (v < 1000000000)
        config_put_fixed(buf + n, size - n, v, 1000000, "ms");
    else {
        int64_t h = v / 3600000000000, m = v / 60000000000 % 60;

        if (h > 0)
            n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%lldh",
                                  (long long)h);
        if (h > 0 || m > 0)
            n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%lldm",
                                  (long long)m);
        if (n < size)
            config_put_fixed(buf + n, size - n, v % 60000000000, 1000000000,
                             "s");
    }
}

/* ---- paths --------------------------------------------------------- */

/* The home directory: $HOME, else the user database's entry. */
static const char *config_home(void)
{
    const char *home = getenv("HOME");
    const struct passwd *pw;

    if (home != NULL && home[0] != '\0')
        return home;
    pw = getpwuid(getuid());
    if (pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] != '\0')
        return pw->pw_dir;
    return NULL;
}

char *config_expand_path(const char *path)
{
    const char *home, *rest = NULL;
    char *out;
    size_t n;

    if (path[0] == '~' && (path[1] == '/' || path[1] == '\0'))
        rest = path + 1;
    else if (strncmp(path, "$HOME", 5) == 0 &&
             (path[5] == '/' || path[5] == '\0'))
        rest = path + 5;
    else if (strncmp(path, "${HOME}", 7) == 0 &&
             (path[7] == '/' || path[7] == '\0'))
        rest = path + 7;
    home = rest != NULL ? config_home() : NULL;
    if (rest != NULL && home == NULL) {
        error_set(ERROR_NOTFOUND,
                  "'%s': no home directory to expand (HOME is unset and "
                  "the user has none); write the full path",
                  path);
        return NULL;
    }
    out = rest != NULL ? malloc(strlen(home) + strlen(rest) + 1) : strdup(path);
    if (out == NULL) {
        error_set(ERROR_NOMEM, "out of memory");
        return NULL;
    }
    if (rest != NULL) {
        n = strlen(home) + strlen(rest) + 1;
        snprintf(out, n, "%s%s", home, rest);
    }
    return out;
}

/* ---- storing values ------------------------------------------------ */

static const char *config_type_name(enum config_type type)
{
    switch (type) {
    case CONFIG_STRING:
        return "a string";
    case CONFIG_BOOL:
        return "a boolean (true or false)";
    case CONFIG_INT:
        return "an integer";
    case CONFIG_FLOAT:
        return "a number";
    case CONFIG_DURATION:
        return "a duration string such as \"500ms\" or \"1m30s\"";
    case CONFIG_STATS:
        return "a list of statistic names";
    }
    return "a value";
}

static bool config_is_choice(const char *choices, const char *word)
{
    size_t n = strlen(word);

    for (const char *p = choices; p != NULL; p = strchr(p, '|')) {
        if (*p == '|')
            p++;
        if (strncmp(p, word, n) == 0 && (p[n] == '|' || p[n] == '\0'))
            return n > 0;
    }
    return false;
}

static bool config_is_endpoint(const char *text)
{
    const char *sep = strstr(text, "://");

    if (sep == NULL || sep[3] == '\0')
        return false;
    for (size_t i = 0; i < sizeof(config_protos) / sizeof(config_protos[0]);
         i++)
        if (strlen(config_protos[i]) == (size_t)(sep - text) &&
            strncmp(text, config_protos[i], (size_t)(sep - text)) == 0)
            return true;
    return false;
}

static int config_check_string(const char *origin, const char *name,
                               const struct config_key *k, const char *s)
{
    if (strlen(s) > CONFIG_STRING_MAX)
        return error_set(ERROR_INVALID, "%s: %s: longer than %d bytes", origin,
                         name, CONFIG_STRING_MAX);
    if (s[0] == '\0' && (k->flags & CONFIG_F_NONEMPTY))
        return error_set(ERROR_INVALID, "%s: %s: may not be empty", origin,
                         name);
    if (s[0] == '\0' && (k->flags & CONFIG_F_NULLABLE))
        return 0;
    if ((k->flags & CONFIG_F_CHOICE) && !config_is_choice(k->choices, s))
        return error_set(ERROR_INVALID, "%s: %s: '%s' is not one of %s", origin,
                         name, s, k->choices);
    if ((k->flags & CONFIG_F_ENDPOINT) && !config_is_endpoint(s))
        return error_set(ERROR_INVALID,
                         "%s: %s: '%s' is not proto://address (proto: tcp, "
                         "tcp4, tcp6, udp, udp4, udp6, ip, ip4, ip6, unix, "
                         "unixgram, unixpacket)",
                         origin, name, s);
    return 0;
}

static int config_store_string(struct config *cfg,
                               const struct config_target *t,
                               const char *origin, const char *name,
                               const char *s)
{
    char **field = config_field(cfg, t);
    char *copy = NULL;
    int rc = config_check_string(origin, name, t->key, s);

    if (rc < 0)
        return rc;
    if (s[0] != '\0' || !(t->key->flags & CONFIG_F_NULLABLE)) {
        copy =
            (t->key->flags & CONFIG_F_PATH) ? config_expand_path(s) : strdup(s);
        if (copy == NULL && (t->key->flags & CONFIG_F_PATH)) {
            char why[CONFIG_STRING_MAX + 128];

            snprintf(why, sizeof(why), "%s", error_detail());
            return error_set(ERROR_INVALID, "%s: %s: %s", origin, name, why);
        }
        if (copy == NULL)
            return error_set(ERROR_NOMEM, "%s: %s: out of memory", origin,
                             name);
    }
    free(*field);
    *field = copy;
    return 0;
}

/* Position of a detector key's bit in enum config_spot_bit. */
static int config_spot_index(unsigned bit)
{
    int i = 0;

    while (i < CONFIG_SPOT_KEYS && bit != 1u << i)
        i++;
    return i;
}

/* Records where a detector key was set, and that a [spot.STAT] key
 * overrides [spot]; other keys need nothing. */
static int config_mark(struct config *cfg, const struct config_target *t,
                       const char *origin)
{
    int row = t->stat >= 0 ? t->stat : CONFIG_SPOT_ROW;
    int i = config_spot_index(t->key->spot_bit);
    char *copy;

    if (!(t->key->flags & CONFIG_F_SPOT) || i >= CONFIG_SPOT_KEYS)
        return 0;
    copy = strdup(origin);
    if (copy == NULL)
        return error_set(ERROR_NOMEM, "%s: out of memory", origin);
    free(cfg->spot_origin[row][i]);
    cfg->spot_origin[row][i] = copy;
    cfg->spot_from_text[row] &= ~t->key->spot_bit;
    if (t->stat >= 0)
        cfg->spot_stat_set[t->stat] |= t->key->spot_bit;
    return 0;
}

/* Upper bounds of integer keys beyond their sign, with the reason. */
struct config_int_max {
    const char *name;
    int max;
    const char *why;
};

static const struct config_int_max config_int_maxima[] = {
    {"miner.workers", CONFIG_WORKERS_MAX, "the most packet workers"},
    {"miner.buffer_size", CONFIG_BUFFER_MIB_MAX, "MiB, the most libpcap takes"},
};

static int config_check_max(const char *origin, const char *name,
                            const struct config_key *k, int64_t v)
{
    for (size_t i = 0;
         i < sizeof(config_int_maxima) / sizeof(config_int_maxima[0]); i++) {
        const struct config_int_max *m = &config_int_maxima[i];

        if (strcmp(k->name, m->name) == 0 && v > m->max)
            return error_set(ERROR_INVALID, "%s: %s: %lld is more than %d (%s)",
                             origin, name, (long long)v, m->max, m->why);
    }
    return 0;
}

static int config_store_int(struct config *cfg, const struct config_target *t,
                            const char *origin, const char *name, int64_t v)
{
    if (v < INT_MIN || v > INT_MAX)
        return error_set(ERROR_INVALID, "%s: %s: %lld is out of range", origin,
                         name, (long long)v);
    if ((t->key->flags & CONFIG_F_POSITIVE) && v <= 0)
        return error_set(ERROR_INVALID, "%s: %s: must be greater than 0",
                         origin, name);
    if ((t->key->flags & CONFIG_F_NONNEG) && v < 0)
        return error_set(ERROR_INVALID, "%s: %s: may not be negative", origin,
                         name);
    if (config_check_max(origin, name, t->key, v) < 0)
        return ERROR_INVALID;
    *(int *)config_field(cfg, t) = (int)v;
    return config_mark(cfg, t, origin);
}

static int config_store_float(struct config *cfg, const struct config_target *t,
                              const char *origin, const char *name, double v)
{
    if (!isfinite(v))
        return error_set(ERROR_INVALID, "%s: %s: must be a finite number",
                         origin, name);
    *(double *)config_field(cfg, t) = v;
    return config_mark(cfg, t, origin);
}

static int config_store_bool(struct config *cfg, const struct config_target *t,
                             const char *origin, bool v)
{
    *(bool *)config_field(cfg, t) = v;
    return config_mark(cfg, t, origin);
}

static int config_store_duration(struct config *cfg,
                                 const struct config_target *t,
                                 const char *origin, const char *name,
                                 const char *text)
{
    int64_t ns;

    if (config_parse_duration(text, &ns) < 0) {
        char why[256];

        snprintf(why, sizeof(why), "%s", error_detail());
        return error_set(ERROR_INVALID, "%s: %s: %s", origin, name, why);
    }
    if ((t->key->flags & CONFIG_F_POSITIVE) && ns <= 0)
        return error_set(ERROR_INVALID, "%s: %s: must be longer than 0s",
                         origin, name);
    if ((t->key->flags & CONFIG_F_NONNEG) && ns < 0)
        return error_set(ERROR_INVALID, "%s: %s: may not be negative", origin,
                         name);
    if (t->key->offset == CONFIG_OFF(analyzer.period_ns) &&
        ns < CONFIG_PERIOD_MIN_NS) {
        char least[32];

        config_format_duration(CONFIG_PERIOD_MIN_NS, least, sizeof(least));
        return error_set(ERROR_INVALID,
                         "%s: %s: '%s' is shorter than %s, the shortest "
                         "period (each period makes one record per "
                         "statistic)",
                         origin, name, text, least);
    }
    *(int64_t *)config_field(cfg, t) = ns;
    return 0;
}

/* Appends one statistic name to the list, refusing unknown and repeated
 * names. */
static int config_add_stat(struct config *cfg, const char *origin,
                           const char *name)
{
    struct config_analyzer *a = &cfg->analyzer;
    int id = stats_lookup(name);
    char near[CONFIG_KEY_MAX] = "";

    if (id < 0) {
        for (int s = 0; s < STATS_COUNT; s++)
            if (config_distance(name, stats_name((enum stats_id)s)) <= 2)
                snprintf(near, sizeof(near), " (did you mean '%s'?)",
                         stats_name((enum stats_id)s));
        return error_set(ERROR_INVALID,
                         "%s: analyzer.stats: unknown statistic '%s'%s (see "
                         "'netspot ls')",
                         origin, name, near);
    }
    for (int i = 0; i < a->n_stats; i++)
        if (a->stats[i] == (enum stats_id)id)
            return error_set(ERROR_INVALID,
                             "%s: analyzer.stats: statistic %s given twice",
                             origin, name);
    a->stats[a->n_stats++] = (enum stats_id)id;
    return 0;
}

int config_add_stats(struct config *cfg, const char *text, const char *origin)
{
    const char *p = text;

    while (*p != '\0') {
        char name[64];
        size_t n = strcspn(p, ",");
        size_t skip = strspn(p, " \t");

        if (skip > n)
            skip = n;
        while (n > skip && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n - skip >= sizeof(name))
            return error_set(ERROR_INVALID, "%s: analyzer.stats: name too long",
                             origin);
        memcpy(name, p + skip, n - skip);
        name[n - skip] = '\0';
        if (name[0] != '\0') {
            int rc = config_add_stat(cfg, origin, name);

            if (rc < 0)
                return rc;
        }
        p += strcspn(p, ",");
        if (*p == ',')
            p++;
    }
    return 0;
}

/* ---- setting from text (command line) ------------------------------ */

static int config_parse_bool(const char *text, bool *out)
{
    static const char *const yes[] = {"true", "1", "yes", "on"};
    static const char *const no[] = {"false", "0", "no", "off"};

    for (size_t i = 0; i < 4; i++) {
        if (strcmp(text, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(text, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return ERROR_INVALID;
}

static int config_bad_text(const char *origin, const struct config_key *k,
                           const char *text)
{
    return error_set(ERROR_INVALID, "%s: '%s' is not %s", origin, text,
                     config_type_name(k->type));
}

/*
 * Whether text is a plain decimal number as a person types it: an
 * optional sign, digits with an optional point, an optional exponent.
 * strtod() alone would also take spaces, hexadecimal, "inf" and "nan".
 */
static bool config_is_decimal(const char *text, bool integer)
{
    const char *p = text + (*text == '-' || *text == '+');
    size_t digits = strspn(p, "0123456789");

    p += digits;
    if (!integer && *p == '.') {
        size_t more = strspn(p + 1, "0123456789");

        digits += more;
        p += 1 + more;
    }
    if (digits == 0)
        return false;
    if (!integer && (*p == 'e' || *p == 'E')) {
        p += 1 + (p[1] == '-' || p[1] == '+');
        if (strspn(p, "0123456789") == 0)
            return false;
        p += strspn(p, "0123456789");
    }
    return *p == '\0';
}

static int config_set_int(struct config *cfg, const struct config_target *t,
                          const char *key, const char *text, const char *origin)
{
    long long v;

    if (!config_is_decimal(text, true))
        return config_bad_text(origin, t->key, text);
    errno = 0;
    v = strtoll(text, NULL, 10);
    if (errno == ERANGE)
        return error_set(ERROR_INVALID,
                         "%s: '%s' is outside the 64-bit integer range", origin,
                         text);
    return config_store_int(cfg, t, origin, key, v);
}

static int config_set_float(struct config *cfg, const struct config_target *t,
                            const char *key, const char *text,
                            const char *origin)
{
    double v;

    if (!config_is_decimal(text, false))
        return config_bad_text(origin, t->key, text);
    errno = 0;
    v = strtod(text, NULL);
    /* Underflow would silently make 1e-400 a zero, overflow infinity. */
    if (errno == ERANGE)
        return error_set(ERROR_INVALID,
                         "%s: '%s' is too %s for a double-precision number",
                         origin, text, fabs(v) < 1.0 ? "small" : "large");
    return config_store_float(cfg, t, origin, key, v);
}

static int config_set_target(struct config *cfg, const struct config_target *t,
                             const char *key, const char *text,
                             const char *origin)
{
    bool b;

    switch (t->key->type) {
    case CONFIG_STRING:
        return config_store_string(cfg, t, origin, key, text);
    case CONFIG_DURATION:
        return config_store_duration(cfg, t, origin, key, text);
    case CONFIG_BOOL:
        if (config_parse_bool(text, &b) < 0)
            return config_bad_text(origin, t->key, text);
        return config_store_bool(cfg, t, origin, b);
    case CONFIG_INT:
        return config_set_int(cfg, t, key, text, origin);
    case CONFIG_FLOAT:
        return config_set_float(cfg, t, key, text, origin);
    case CONFIG_STATS:
        cfg->analyzer.n_stats = 0;
        return config_add_stats(cfg, text, origin);
    }
    return config_unknown(origin, key);
}

int config_set(struct config *cfg, const char *key, const char *text,
               const char *origin)
{
    struct config_target t;
    int rc;

    if (config_resolve_key(key, &t) < 0)
        return config_unknown(origin, key);
    rc = config_set_target(cfg, &t, key, text, origin);
    if (rc == 0 && (t.key->flags & CONFIG_F_SPOT))
        cfg->spot_from_text[t.stat >= 0 ? t.stat : CONFIG_SPOT_ROW] |=
            t.key->spot_bit;
    return rc;
}

/* ---- setting from TOML --------------------------------------------- */

static int config_wrong_type(const char *origin, const char *name,
                             const struct config_key *k,
                             const struct toml_value *v)
{
    if (k->type == CONFIG_DURATION &&
        (v->type == TOML_INTEGER || v->type == TOML_FLOAT))
        return error_set(ERROR_INVALID,
                         "%s: %s: a duration needs a unit: write it as a "
                         "string such as \"500ms\", \"1s\" or \"1m30s\"",
                         origin, name);
    return error_set(ERROR_INVALID, "%s: %s: expected %s, got %s", origin, name,
                     config_type_name(k->type), toml_type_name(v->type));
}

/* Each item is named by its own line: an array may span many. */
static int config_apply_stats(struct config *cfg, const char *file,
                              const char *name, const struct toml_value *v)
{
    cfg->analyzer.n_stats = 0;
    for (size_t i = 0; i < v->u.array.count; i++) {
        const struct toml_value *item = v->u.array.items[i];
        char origin[CONFIG_STRING_MAX];
        int rc;

        snprintf(origin, sizeof(origin), "%s:%d", file, item->line);
        if (item->type != TOML_STRING)
            return error_set(ERROR_INVALID,
                             "%s: %s: expected statistic names, got %s", origin,
                             name, toml_type_name(item->type));
        rc = config_add_stat(cfg, origin, item->u.str.ptr);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int config_apply_value(struct config *cfg, const char *file,
                              const char *name, const struct config_target *t,
                              const struct toml_value *v)
{
    char origin[CONFIG_STRING_MAX];

    snprintf(origin, sizeof(origin), "%s:%d", file, v->line);
    /* A NUL escaped as \u0000 would silently cut a path or a filter. */
    if (v->type == TOML_STRING && strlen(v->u.str.ptr) != v->u.str.len)
        return error_set(ERROR_INVALID, "%s: %s: contains a NUL character",
                         origin, name);
    switch (t->key->type) {
    case CONFIG_STRING:
        if (v->type == TOML_STRING)
            return config_store_string(cfg, t, origin, name, v->u.str.ptr);
        break;
    case CONFIG_DURATION:
        if (v->type == TOML_INTEGER && v->u.integer == 0)
            return config_store_duration(cfg, t, origin, name, "0");
        if (v->type == TOML_STRING)
            return config_store_duration(cfg, t, origin, name, v->u.str.ptr);
        break;
    case CONFIG_BOOL:
        if (v->type == TOML_BOOLEAN)
            return config_store_bool(cfg, t, origin, v->u.boolean);
        break;
    case CONFIG_INT:
        if (v->type == TOML_INTEGER)
            return config_store_int(cfg, t, origin, name, v->u.integer);
        break;
    case CONFIG_FLOAT:
        if (v->type == TOML_FLOAT)
            return config_store_float(cfg, t, origin, name, v->u.real);
        if (v->type == TOML_INTEGER)
            return config_store_float(cfg, t, origin, name,
                                      (double)v->u.integer);
        break;
    case CONFIG_STATS:
        if (v->type == TOML_ARRAY)
            return config_apply_stats(cfg, file, name, v);
        break;
    }
    return config_wrong_type(origin, name, t->key, v);
}

/* Whether some key lies under the dotted prefix (a section name). */
static bool config_is_section(const char *prefix)
{
    struct config_target t;
    char probe[CONFIG_KEY_MAX];
    size_t n = strlen(prefix);

    for (size_t i = 0; i < CONFIG_N_KEYS; i++)
        if (strncmp(config_keys[i].name, prefix, n) == 0 &&
            config_keys[i].name[n] == '.')
            return true;
    /* [exporter.influxdb1] and [spot.STAT] */
    snprintf(probe, sizeof(probe), "%s.q", prefix);
    if (config_resolve_key(probe, &t) == 0)
        return true;
    snprintf(probe, sizeof(probe), "%s.data", prefix);
    return config_resolve_key(probe, &t) == 0;
}

static int config_apply_table(struct config *cfg, const char *file,
                              const char *prefix, const struct toml_value *tb);

/*
 * A table outside the model: names its first key, found by walking down
 * (not recursing: the tree may be deep), so that the message can suggest
 * the nearest valid key.
 */
static int config_unknown_table(const char *file, const char *name,
                                const struct toml_value *v)
{
    char full[CONFIG_KEY_MAX];
    char origin[CONFIG_STRING_MAX];
    size_t n = (size_t)snprintf(full, sizeof(full), "%s", name);

    while (v->type == TOML_TABLE && v->u.table.count > 0 && n < sizeof(full)) {
        n += (size_t)snprintf(full + n, sizeof(full) - n, ".%s",
                              v->u.table.keys[0]);
        v = v->u.table.values[0];
    }
    snprintf(origin, sizeof(origin), "%s:%d", file, v->line);
    if (v->type == TOML_TABLE && n < sizeof(full)) {
        char near[CONFIG_KEY_MAX];

        config_suggest_section(full, near, sizeof(near));
        if (near[0] != '\0')
            return error_set(ERROR_NOTFOUND,
                             "%s: unknown section [%s] (did you mean "
                             "[%s]?)",
                             origin, full, near);
        return error_set(ERROR_NOTFOUND, "%s: unknown section [%s]", origin,
                         full);
    }
    return config_unknown(origin, full);
}

static int config_apply_entry(struct config *cfg, const char *file,
                              const char *name, const struct toml_value *v)
{
    struct config_target t;
    char origin[CONFIG_STRING_MAX];

    snprintf(origin, sizeof(origin), "%s:%d", file, v->line);
    if (config_resolve_key(name, &t) == 0)
        return config_apply_value(cfg, file, name, &t, v);
    if (v->type != TOML_TABLE && config_is_section(name))
        return error_set(ERROR_INVALID,
                         "%s: '%s' is a table: write its keys under a [%s] "
                         "header, not a value",
                         origin, name, name);
    if (v->type != TOML_TABLE)
        return config_unknown(origin, name);
    if (!config_is_section(name))
        return config_unknown_table(file, name, v);
    return config_apply_table(cfg, file, name, v);
}

static int config_apply_table(struct config *cfg, const char *file,
                              const char *prefix, const struct toml_value *tb)
{
    for (size_t i = 0; i < tb->u.table.count; i++) {
        char name[CONFIG_KEY_MAX];
        int n, rc;

        n = snprintf(name, sizeof(name), "%s%s%s", prefix, prefix[0] ? "." : "",
                     tb->u.table.keys[i]);
        if (n < 0 || (size_t)n >= sizeof(name) ||
            strlen(tb->u.table.keys[i]) != tb->u.table.key_lens[i])
            return error_set(ERROR_NOTFOUND, "%s:%d: unknown key '%.60s...'",
                             file, tb->u.table.values[i]->line, name);
        rc = config_apply_entry(cfg, file, name, tb->u.table.values[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int config_load_buffer(struct config *cfg, const char *buf, size_t len,
                       const char *name)
{
    struct toml_value *root;
    int rc = toml_parse(buf, len, name, &root);

    if (rc < 0)
        return rc;
    rc = config_apply_table(cfg, name, "", root);
    toml_free(root);
    return rc;
}

/* The original also read YAML and JSON files, chosen by extension. */
static bool config_is_other_format(const char *path)
{
    static const char *const exts[] = {".json", ".yaml", ".yml"};
    const char *dot = strrchr(path, '.');

    for (size_t i = 0; dot != NULL && i < 3; i++)
        if (strcasecmp(dot, exts[i]) == 0)
            return true;
    return false;
}

int config_load_file(struct config *cfg, const char *path)
{
    struct toml_value *root;
    int rc;

    if (config_is_other_format(path))
        return error_set(ERROR_UNSUPPORTED,
                         "%s: only TOML configuration files are read; "
                         "'netspot defaults' prints one to start from",
                         path);
    rc = toml_parse_file(path, &root);

    if (rc < 0)
        return rc;
    rc = config_apply_table(cfg, path, "", root);
    toml_free(root);
    return rc;
}

/* ---- resolution and checks ----------------------------------------- */

/* Where the detector key at index i of row was set: in the row, else in
 * [spot]; NULL for a default. Sets *from_text as config_mark() found. */
static const char *config_spot_where(const struct config *cfg, int row, int i,
                                     bool *from_text)
{
    int rows[2] = {row, CONFIG_SPOT_ROW};

    for (int r = 0; r < 2; r++) {
        if (cfg->spot_origin[rows[r]][i] != NULL) {
            *from_text = cfg->spot_from_text[rows[r]] & (1u << i);
            return cfg->spot_origin[rows[r]][i];
        }
    }
    return NULL;
}

/* Any key set in the row, for a check that failed on a default whose
 * bound another key moved (q below 1 - level). */
static int config_spot_any(const struct config *cfg, int row)
{
    for (int i = 0; i < CONFIG_SPOT_KEYS; i++)
        if (cfg->spot_origin[row][i] != NULL)
            return i;
    return -1;
}

/* Name after "spot." of the detector key at index i ("q"). */
static const char *config_spot_leaf(int i)
{
    for (size_t j = 0; j < CONFIG_N_KEYS; j++)
        if ((config_keys[j].flags & CONFIG_F_SPOT) &&
            config_spot_index(config_keys[j].spot_bit) == i)
            return config_keys[j].name + 5;
    return "";
}

/*
 * Checks the detector parameters of a row. The detector's message starts
 * with the parameter ("spot.q: 0.5 is outside ..."); it is given the
 * place the value was set and the key spelt as on the command line
 * ("spot.R_SYN.q").
 */
static int config_check_spot(struct config *cfg, int row)
{
    const struct spot_params *p =
        row == CONFIG_SPOT_ROW ? &cfg->spot : &cfg->spot_stat[row];
    char why[256], name[CONFIG_KEY_MAX], section[CONFIG_KEY_MAX];
    char note[4 * CONFIG_KEY_MAX] = "";
    const struct config_key *k;
    const char *where, *rest;
    bool from_text = false;
    int i, other;

    if (spot_params_check(p) == 0)
        return 0;
    snprintf(why, sizeof(why), "%s", error_detail());
    rest = strchr(why, ':');
    snprintf(name, sizeof(name), "%.*s", rest ? (int)(rest - why) : 0, why);
    k = config_find(name);
    if (rest == NULL || k == NULL || !(k->flags & CONFIG_F_SPOT))
        return error_set(ERROR_INVALID, "%s", why);
    snprintf(section, sizeof(section), "spot.%s%s",
             row == CONFIG_SPOT_ROW ? "" : stats_name((enum stats_id)row),
             row == CONFIG_SPOT_ROW ? "" : ".");
    i = config_spot_index(k->spot_bit);
    where = config_spot_where(cfg, row, i, &from_text);
    other = config_spot_any(cfg, row);
    if (where == NULL && other >= 0) {
        where = config_spot_where(cfg, row, other, &from_text);
        snprintf(note, sizeof(note),
                 " (%s%s keeps its default; %s%s is set "
                 "here)",
                 section, k->name + 5, section, config_spot_leaf(other));
    }
    cfg->invalid_from_text = from_text;
    return error_set(ERROR_INVALID, "%s: %s%s%s%s", where ? where : "defaults",
                     section, k->name + 5, rest, note);
}

int config_finish(struct config *cfg)
{
    int rc;

    cfg->invalid_from_text = false;
    rc = config_check_spot(cfg, CONFIG_SPOT_ROW);
    for (int s = 0; s < STATS_COUNT && rc == 0; s++) {
        struct config_target t = {NULL, s};

        for (size_t i = 0; i < CONFIG_N_KEYS; i++) {
            const struct config_key *k = &config_keys[i];
            size_t size = k->type == CONFIG_BOOL  ? sizeof(bool)
                          : k->type == CONFIG_INT ? sizeof(int)
                                                  : sizeof(double);

            if (!(k->flags & CONFIG_F_SPOT) ||
                (cfg->spot_stat_set[s] & k->spot_bit))
                continue;
            t.key = k;
            memcpy(config_field(cfg, &t), (char *)cfg + k->offset, size);
        }
        if (cfg->spot_stat_set[s] == 0)
            continue;
        rc = config_check_spot(cfg, s);
    }
    return rc;
}

/* ---- printing ------------------------------------------------------ */

/* Appends n bytes to buf (size bytes, *len used), keeping room for the
 * final NUL. Returns 0 or ERROR_LIMIT. */
static int config_put(char *buf, size_t size, size_t *len, const char *bytes,
                      size_t n)
{
    if (*len + n >= size)
        return ERROR_LIMIT;
    memcpy(buf + *len, bytes, n);
    *len += n;
    return 0;
}

/* Writes s as a TOML basic string. */
static int config_quote(const char *s, char *buf, size_t size)
{
    size_t n = 0;
    int rc = config_put(buf, size, &n, "\"", 1);

    for (const unsigned char *p = (const unsigned char *)s; *p && rc == 0;
         p++) {
        char esc[8];

        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            rc = config_put(buf, size, &n, esc, 2);
        } else if (*p < 0x20 || *p == 0x7f) {
            snprintf(esc, sizeof(esc), "\\u%04x", *p);
            rc = config_put(buf, size, &n, esc, 6);
        } else {
            rc = config_put(buf, size, &n, (const char *)p, 1);
        }
    }
    if (rc == 0)
        rc = config_put(buf, size, &n, "\"", 1);
    if (rc == 0)
        buf[n] = '\0';
    return rc;
}

static int config_format_stats(const struct config *cfg, char *buf, size_t size)
{
    size_t n = 0;

    n += (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < cfg->analyzer.n_stats && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s\"%s\"", i ? ", " : "",
                              stats_name(cfg->analyzer.stats[i]));
    if (n < size)
        n += (size_t)snprintf(buf + n, size - n, "]");
    return n < size ? 0 : ERROR_LIMIT;
}

/* Shortest text that reads back to the same double, for q = 0.0001. */
static void config_shorten_float(char *buf, size_t size, double v)
{
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (strspn(buf, "-0123456789") == strlen(buf) && strlen(buf) + 2 < size)
        memcpy(buf + strlen(buf), ".0", 3);
}

static int config_format_target(const struct config *cfg,
                                const struct config_target *t, char *buf,
                                size_t size)
{
    const void *field = config_field_const(cfg, t);
    char text[64];
    int n = 0;

    switch (t->key->type) {
    case CONFIG_STRING: {
        const char *s = *(char *const *)field;

        return config_quote(s != NULL ? s : "", buf, size);
    }
    case CONFIG_DURATION:
        config_format_duration(*(const int64_t *)field, text, sizeof(text));
        n = snprintf(buf, size, "\"%s\"", text);
        break;
    case CONFIG_BOOL:
        n = snprintf(buf, size, "%s", *(const bool *)field ? "true" : "false");
        break;
    case CONFIG_INT:
        n = snprintf(buf, size, "%d", *(const int *)field);
        break;
    case CONFIG_FLOAT:
        config_shorten_float(text, sizeof(text), *(const double *)field);
        n = snprintf(buf, size, "%s", text);
        break;
    case CONFIG_STATS:
        return config_format_stats(cfg, buf, size);
    }
    return n >= 0 && (size_t)n < size ? 0 : ERROR_LIMIT;
}

int config_format_value(const struct config *cfg, const char *key, char *buf,
                        size_t size)
{
    struct config_target t;

    if (config_resolve_key(key, &t) < 0)
        return config_unknown("config", key);
    return config_format_target(cfg, &t, buf, size);
}

/* Writes text as "# " comment lines of at most 79 columns. */
static void config_print_comment(FILE *out, const char *text)
{
    while (*text != '\0') {
        size_t n = strlen(text);

        if (n > 77) {
            n = 77;
            while (n > 0 && text[n] != ' ')
                n--;
            if (n == 0)
                n = strcspn(text, " ");
        }
        fprintf(out, "# %.*s\n", (int)n, text);
        text += n;
        text += strspn(text, " ");
    }
}

static int config_print_key(const struct config *cfg, FILE *out,
                            const struct config_target *t, bool comments,
                            bool first)
{
    const char *leaf = strrchr(t->key->name, '.') + 1;
    char value[CONFIG_STRING_MAX * 6 + 8];

    if (config_format_target(cfg, t, value, sizeof(value)) < 0)
        return error_set(ERROR_LIMIT, "%s: value too long", t->key->name);
    if (comments) {
        fprintf(out, "%s", first ? "" : "\n");
        config_print_comment(out, t->key->usage);
    }
    fprintf(out, "%s = %s\n", leaf, value);
    return 0;
}

static void config_print_header(FILE *out, const char *section, bool first)
{
    fprintf(out, "%s[%s]\n", first ? "" : "\n", section);
}

/* The [spot.STAT] sections of the overridden keys. */
static int config_print_overrides(const struct config *cfg, FILE *out,
                                  bool comments)
{
    for (int s = 0; s < STATS_COUNT; s++) {
        struct config_target t = {NULL, s};
        char section[CONFIG_KEY_MAX];

        if (cfg->spot_stat_set[s] == 0)
            continue;
        bool first = true;

        snprintf(section, sizeof(section), "spot.%s",
                 stats_name((enum stats_id)s));
        config_print_header(out, section, false);
        for (size_t i = 0; i < CONFIG_N_KEYS; i++) {
            t.key = &config_keys[i];
            if (!(t.key->flags & CONFIG_F_SPOT) ||
                !(cfg->spot_stat_set[s] & t.key->spot_bit))
                continue;
            if (config_print_key(cfg, out, &t, comments, first) < 0)
                return ERROR_LIMIT;
            first = false;
        }
    }
    return 0;
}

int config_print(const struct config *cfg, FILE *out, bool comments)
{
    char section[CONFIG_KEY_MAX] = "";
    bool first = true;

    for (size_t i = 0; i < CONFIG_N_KEYS; i++, first = false) {
        struct config_target t = {&config_keys[i], -1};
        size_t n = (size_t)(strrchr(t.key->name, '.') - t.key->name);

        if (strlen(section) != n || strncmp(section, t.key->name, n) != 0) {
            /* [spot.STAT] tables follow [spot]. */
            if (strcmp(section, "spot") == 0 &&
                config_print_overrides(cfg, out, comments) < 0)
                return ERROR_LIMIT;
            memcpy(section, t.key->name, n);
            section[n] = '\0';
            config_print_header(out, section, i == 0);
            first = true;
        }
        if (config_print_key(cfg, out, &t, comments, first) < 0)
            return ERROR_LIMIT;
    }
    return ferror(out) ? error_set(ERROR_IO, "config: write error") : 0;
}

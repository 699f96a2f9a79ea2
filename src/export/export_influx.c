/*
 * InfluxDB 1.x exporter: points in the line protocol, sent in batches
 * over HTTP with libcurl (POST /write, and POST /query once to create the
 * database).
 *
 * Points wait in a buffer allocated at start and are sent when the batch
 * is full, when the buffer is, and at close. A batch that cannot be sent
 * is dropped, counted and reported: the buffer is emptied either way, so
 * a server that is down costs those points, never memory or time.
 */
#include "export/export.h"

#include "export/format.h"
#include "util/error.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for the points of one request: a few hundred records of the ten
 * statistics, far below what InfluxDB accepts in one write. */
#define INFLUX_BODY_MAX (1024 * 1024)

/* How long a request may take before its points are given up: short next
 * to a period, long enough for a loaded server. */
#define INFLUX_CONNECT_TIMEOUT_MS 2000L
#define INFLUX_TIMEOUT_MS         5000L

/* Longest URL, series name or agent tag kept. */
#define INFLUX_URL_MAX  2048
#define INFLUX_NAME_MAX 256

struct influx_exporter {
    CURL *curl;
    char write_url[INFLUX_URL_MAX];
    char query_url[INFLUX_URL_MAX];
    char address[INFLUX_URL_MAX]; /* for messages */
    char series[INFLUX_NAME_MAX];
    char agent[INFLUX_NAME_MAX];
    bool data;
    bool alarm;
    int batch_size;  /* points per request */
    int points;      /* points in body */
    size_t used;     /* bytes in body */
    char *body;      /* INFLUX_BODY_MAX bytes */
    char reply[256]; /* start of the server's answer, for messages */
    size_t reply_len;
};

/* Keeps the start of the server's answer for an error message. */
static size_t influx_on_reply(char *data, size_t size, size_t n, void *ctx)
{
    struct influx_exporter *ie = ctx;
    size_t room = sizeof(ie->reply) - 1 - ie->reply_len;
    size_t take = size * n < room ? size * n : room;

    memcpy(ie->reply + ie->reply_len, data, take);
    ie->reply_len += take;
    ie->reply[ie->reply_len] = '\0';
    return size * n;
}

/* POSTs body (len bytes) to url; returns 0 on a 2xx answer, or ERROR_IO
 * with the address and the cause. */
static int influx_post(struct influx_exporter *ie, const char *url,
                       const char *body, size_t len)
{
    long status = 0;
    CURLcode cc;

    ie->reply_len = 0;
    ie->reply[0] = '\0';
    curl_easy_setopt(ie->curl, CURLOPT_URL, url);
    curl_easy_setopt(ie->curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(ie->curl, CURLOPT_POSTFIELDSIZE, (long)len);
    cc = curl_easy_perform(ie->curl);
    if (cc != CURLE_OK)
        return error_set(ERROR_IO, "%s: %s", ie->address,
                         curl_easy_strerror(cc));
    curl_easy_getinfo(ie->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299)
        return error_set(ERROR_IO, "%s: HTTP status %ld%s%.200s", ie->address,
                         status, ie->reply_len ? ": " : "", ie->reply);
    return 0;
}

/* Sends the waiting points; the buffer is empty afterwards whatever
 * happened. */
static int influx_flush(struct influx_exporter *ie)
{
    int points = ie->points, rc;

    if (points == 0)
        return 0;
    rc = influx_post(ie, ie->write_url, ie->body, ie->used);
    ie->points = 0;
    ie->used = 0;
    if (rc < 0)
        return error_set(rc, "%s (%d points lost)", error_detail(), points);
    return 0;
}

/* Adds one formatted point (n bytes at line), sending the batch first when
 * the point would not fit and afterwards when the batch is full. */
static int influx_add(struct influx_exporter *ie, const char *line, int n)
{
    int rc = 0;

    if (n <= 0)
        return n;
    if (ie->used + (size_t)n > INFLUX_BODY_MAX)
        rc = influx_flush(ie);
    memcpy(ie->body + ie->used, line, (size_t)n);
    ie->used += (size_t)n;
    ie->points++;
    if (ie->points >= ie->batch_size) {
        int rc2 = influx_flush(ie);

        if (rc == 0)
            rc = rc2;
    }
    return rc;
}

static int influx_record(void *ctx, const struct record *r)
{
    struct influx_exporter *ie = ctx;
    const struct format_origin origin = {ie->series, ie->agent};
    char line[FORMAT_LINE_MAX];

    if (!ie->data)
        return 0;
    return influx_add(ie, line,
                      format_influx_record(line, sizeof(line), r, &origin));
}

static int influx_alarm(void *ctx, const struct alarm *a)
{
    struct influx_exporter *ie = ctx;
    const struct format_origin origin = {ie->series, ie->agent};
    char line[FORMAT_LINE_MAX];

    if (!ie->alarm)
        return 0;
    return influx_add(ie, line,
                      format_influx_alarm(line, sizeof(line), a, &origin));
}

static void influx_free(struct influx_exporter *ie)
{
    if (ie->curl != NULL)
        curl_easy_cleanup(ie->curl);
    free(ie->body);
    free(ie);
}

static int influx_close(void *ctx)
{
    struct influx_exporter *ie = ctx;
    int rc = influx_flush(ie);

    influx_free(ie);
    return rc;
}

static const struct exporter_ops influx_ops = {
    "influxdb", influx_record, influx_alarm, NULL, influx_close,
};

/* Builds the two URLs: the address without its trailing slashes, then
 * /write?db=...&precision=ns and /query. */
static int influx_urls(struct influx_exporter *ie,
                       const struct export_influx_params *p)
{
    char *db = curl_easy_escape(ie->curl, p->database, 0);
    size_t alen = strlen(p->address);
    int n;

    if (db == NULL)
        return error_set(ERROR_NOMEM, "out of memory");
    while (alen > 0 && p->address[alen - 1] == '/')
        alen--;
    n = snprintf(ie->write_url, sizeof(ie->write_url),
                 "%.*s/write?db=%s&precision=ns", (int)alen, p->address, db);
    curl_free(db);
    if (n < 0 || (size_t)n >= sizeof(ie->write_url))
        return error_set(ERROR_LIMIT, "%s: address too long", p->address);
    snprintf(ie->query_url, sizeof(ie->query_url), "%.*s/query", (int)alen,
             p->address);
    snprintf(ie->address, sizeof(ie->address), "%.*s", (int)alen, p->address);
    return 0;
}

/* CREATE DATABASE, which InfluxDB answers with success when the database
 * exists already. The name is quoted as InfluxQL identifiers are. */
static int influx_create_database(struct influx_exporter *ie,
                                  const char *database)
{
    char quoted[2 * INFLUX_NAME_MAX + 32];
    char body[3 * sizeof(quoted) + 8];
    char *form;
    size_t pos = 0;
    int rc;

    pos += (size_t)snprintf(quoted, sizeof(quoted), "CREATE DATABASE \"");
    for (const char *c = database; *c && pos + 4 < sizeof(quoted); c++) {
        if (*c == '"' || *c == '\\')
            quoted[pos++] = '\\';
        quoted[pos++] = *c;
    }
    snprintf(quoted + pos, sizeof(quoted) - pos, "\"");

    form = curl_easy_escape(ie->curl, quoted, 0);
    if (form == NULL)
        return error_set(ERROR_NOMEM, "out of memory");
    snprintf(body, sizeof(body), "q=%s", form);
    curl_free(form);
    rc = influx_post(ie, ie->query_url, body, strlen(body));
    if (rc < 0)
        return error_set(rc, "%s (creating database %s)", error_detail(),
                         database);
    return 0;
}

static int influx_setup(struct influx_exporter *ie,
                        const struct export_influx_params *p,
                        const char *series)
{
    int rc;

    if (strlen(p->database) >= INFLUX_NAME_MAX)
        return error_set(ERROR_LIMIT,
                         "database name longer than "
                         "%d bytes",
                         INFLUX_NAME_MAX - 1);
    ie->curl = curl_easy_init();
    ie->body = malloc(INFLUX_BODY_MAX);
    if (ie->curl == NULL || ie->body == NULL)
        return error_set(ERROR_NOMEM, "out of memory");
    rc = influx_urls(ie, p);
    if (rc < 0)
        return rc;
    snprintf(ie->series, sizeof(ie->series), "%s", series);
    snprintf(ie->agent, sizeof(ie->agent), "%s", p->agent_name);
    ie->data = p->data;
    ie->alarm = p->alarm;
    ie->batch_size = p->batch_size > 0 ? p->batch_size : 1;

    curl_easy_setopt(ie->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(ie->curl, CURLOPT_CONNECTTIMEOUT_MS,
                     INFLUX_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(ie->curl, CURLOPT_TIMEOUT_MS, INFLUX_TIMEOUT_MS);
    curl_easy_setopt(ie->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(ie->curl, CURLOPT_USERNAME, p->username);
    curl_easy_setopt(ie->curl, CURLOPT_PASSWORD, p->password);
    curl_easy_setopt(ie->curl, CURLOPT_WRITEFUNCTION, influx_on_reply);
    curl_easy_setopt(ie->curl, CURLOPT_WRITEDATA, ie);
    curl_easy_setopt(ie->curl, CURLOPT_USERAGENT, "netspot/" NETSPOT_VERSION);
    return influx_create_database(ie, p->database);
}

int export_influx_add(struct export_set *set,
                      const struct export_influx_params *p, const char *series)
{
    struct influx_exporter *ie;
    int rc;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return error_set(ERROR_IO, "influxdb: libcurl cannot start");
    ie = calloc(1, sizeof(*ie));
    if (ie == NULL)
        return error_set(ERROR_NOMEM, "influxdb: out of memory");
    rc = influx_setup(ie, p, series);
    if (rc < 0) {
        char detail[512];

        snprintf(detail, sizeof(detail), "%s", error_detail());
        influx_free(ie);
        return error_set(rc, "influxdb %s", detail);
    }
    return export_set_add(set, &influx_ops, ie);
}

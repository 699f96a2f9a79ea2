/*
 * Socket exporter: one message per record or alarm, JSON or CSV, sent to
 * a stream or datagram socket (TCP, UDP, Unix).
 *
 * A failed send loses that message only: the connection is closed, since
 * a partial write would break the framing of a stream, and the next
 * message connects again. The send timeout keeps a peer that stops
 * reading from stalling the pipeline.
 */
#include "export/export.h"

#include "export/format.h"
#include "util/error.h"

#include <errno.h>
#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

/* Longest proto://address kept, and longest series name or tag. */
#define SOCKET_ADDR_MAX 512
#define SOCKET_NAME_MAX 256

/* How long a connect or a send may block before the message is given up:
 * long enough for a loaded collector, short next to a period. */
#define SOCKET_TIMEOUT_MS 2000

struct socket_proto {
    const char *name;
    int family; /* AF_UNSPEC: IPv4 or IPv6, as the name resolves */
    int type;
};

static const struct socket_proto socket_protos[] = {
    {"tcp", AF_UNSPEC, SOCK_STREAM},         {"tcp4", AF_INET, SOCK_STREAM},
    {"tcp6", AF_INET6, SOCK_STREAM},         {"udp", AF_UNSPEC, SOCK_DGRAM},
    {"udp4", AF_INET, SOCK_DGRAM},           {"udp6", AF_INET6, SOCK_DGRAM},
    {"unix", AF_UNIX, SOCK_STREAM},          {"unixgram", AF_UNIX, SOCK_DGRAM},
    {"unixpacket", AF_UNIX, SOCK_SEQPACKET},
};

struct socket_output {
    char addr[SOCKET_ADDR_MAX]; /* proto://address, for messages */
    const struct socket_proto *proto;
    const char *where; /* the address part of addr */
    int fd;            /* -1 while not connected */
};

struct socket_exporter {
    struct socket_output data;
    struct socket_output alarm;
    enum format_kind kind;
    char series[SOCKET_NAME_MAX];
    char tag[SOCKET_NAME_MAX];
};

static int socket_output_parse(struct socket_output *o, const char *addr)
{
    const char *sep = strstr(addr, "://");
    size_t plen = sep != NULL ? (size_t)(sep - addr) : 0;

    if (strlen(addr) >= sizeof(o->addr))
        return error_set(ERROR_LIMIT, "%.40s...: address too long", addr);
    snprintf(o->addr, sizeof(o->addr), "%s", addr);
    if (sep == NULL || sep[3] == '\0')
        return error_set(ERROR_INVALID, "%s: not proto://address", addr);
    for (size_t i = 0; i < sizeof(socket_protos) / sizeof(socket_protos[0]);
         i++) {
        if (strlen(socket_protos[i].name) == plen &&
            strncmp(addr, socket_protos[i].name, plen) == 0) {
            o->proto = &socket_protos[i];
            o->where = o->addr + plen + 3;
            return 0;
        }
    }
    return error_set(ERROR_UNSUPPORTED,
                     "%s: the socket exporter sends over tcp, tcp4, "
                     "tcp6, udp, udp4, udp6, unix, unixgram or unixpacket",
                     addr);
}

/* Sets the connect and send timeout of fd. */
static void socket_set_timeout(int fd)
{
    struct timeval tv = {SOCKET_TIMEOUT_MS / 1000,
                         (SOCKET_TIMEOUT_MS % 1000) * 1000};

    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* A leading '@' names a Linux abstract socket, as in ss(8) and Go. */
static int socket_connect_unix(struct socket_output *o)
{
    struct sockaddr_un sun;
    size_t n = strlen(o->where);
    socklen_t slen;

    if (n >= sizeof(sun.sun_path))
        return error_set(ERROR_LIMIT, "%s: path longer than %zu bytes", o->addr,
                         sizeof(sun.sun_path) - 1);
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, o->where, n);
    if (o->where[0] == '@')
        sun.sun_path[0] = '\0';
    slen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
                       (o->where[0] == '@' ? 0 : 1));
    o->fd = socket(AF_UNIX, o->proto->type | SOCK_CLOEXEC, 0);
    if (o->fd < 0)
        return error_set(ERROR_IO, "%s: %s", o->addr, strerror(errno));
    socket_set_timeout(o->fd);
    if (connect(o->fd, (struct sockaddr *)&sun, slen) < 0) {
        int err = errno;

        close(o->fd);
        o->fd = -1;
        return error_set(ERROR_IO, "%s: connect: %s", o->addr, strerror(err));
    }
    return 0;
}

/* Splits host:port, [v6]:port or :port (the local host) into host and
 * port. Returns 0, or ERROR_INVALID. */
static int socket_split_host(const struct socket_output *o, char *host,
                             size_t hlen, const char **port)
{
    const char *colon = strrchr(o->where, ':');
    const char *h = o->where;
    size_t n;

    if (colon == NULL || colon[1] == '\0')
        return error_set(ERROR_INVALID,
                         "%s: address needs a port, "
                         "as host:port",
                         o->addr);
    n = (size_t)(colon - h);
    if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
        h++;
        n -= 2;
    }
    if (n >= hlen)
        return error_set(ERROR_LIMIT, "%s: host name too long", o->addr);
    memcpy(host, h, n);
    host[n] = '\0';
    *port = colon + 1;
    return 0;
}

static int socket_connect_inet(struct socket_output *o)
{
    struct addrinfo hints, *res = NULL;
    char host[SOCKET_ADDR_MAX];
    const char *port = NULL;
    int rc = socket_split_host(o, host, sizeof(host), &port);
    int err = 0;

    if (rc < 0)
        return rc;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = o->proto->family;
    hints.ai_socktype = o->proto->type;
    rc = getaddrinfo(host[0] != '\0' ? host : NULL, port, &hints, &res);
    if (rc != 0)
        return error_set(ERROR_NOTFOUND, "%s: %s", o->addr, gai_strerror(rc));
    for (struct addrinfo *ai = res; ai != NULL && o->fd < 0; ai = ai->ai_next) {
        o->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                       ai->ai_protocol);
        if (o->fd < 0) {
            err = errno;
            continue;
        }
        socket_set_timeout(o->fd);
        if (connect(o->fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            err = errno;
            close(o->fd);
            o->fd = -1;
        }
    }
    freeaddrinfo(res);
    if (o->fd < 0)
        return error_set(ERROR_IO, "%s: connect: %s", o->addr, strerror(err));
    return 0;
}

static int socket_output_connect(struct socket_output *o)
{
    return o->proto->family == AF_UNIX ? socket_connect_unix(o)
                                       : socket_connect_inet(o);
}

static int socket_output_send(struct socket_output *o, const char *msg,
                              size_t n)
{
    size_t done = 0;
    int rc;

    if (n == 0)
        return error_set(ERROR_LIMIT, "%s: message too long", o->addr);
    if (o->fd < 0 && (rc = socket_output_connect(o)) < 0)
        return rc;
    while (done < n) {
        ssize_t sent = send(o->fd, msg + done, n - done, MSG_NOSIGNAL);

        if (sent < 0 && errno == EINTR)
            continue;
        if (sent <= 0) {
            int err = sent < 0 ? errno : EPIPE;

            close(o->fd);
            o->fd = -1;
            return error_set(ERROR_IO, "%s: send: %s (message lost)", o->addr,
                             err == EAGAIN ? "timed out" : strerror(err));
        }
        done += (size_t)sent;
    }
    return 0;
}

static int socket_record(void *ctx, const struct record *r)
{
    struct socket_exporter *se = ctx;
    const struct format_origin origin = {se->series, se->tag};
    char msg[FORMAT_LINE_MAX];

    if (se->data.proto == NULL)
        return 0;
    return socket_output_send(
        &se->data, msg,
        format_message_record(msg, sizeof(msg), se->kind, r, &origin));
}

static int socket_alarm(void *ctx, const struct alarm *a)
{
    struct socket_exporter *se = ctx;
    const struct format_origin origin = {se->series, se->tag};
    char msg[FORMAT_LINE_MAX];

    if (se->alarm.proto == NULL)
        return 0;
    return socket_output_send(
        &se->alarm, msg,
        format_message_alarm(msg, sizeof(msg), se->kind, a, &origin));
}

static int socket_close(void *ctx)
{
    struct socket_exporter *se = ctx;

    if (se->data.fd >= 0)
        close(se->data.fd);
    if (se->alarm.fd >= 0)
        close(se->alarm.fd);
    free(se);
    return 0;
}

static const struct exporter_ops socket_ops = {
    "socket", socket_record, socket_alarm, NULL, socket_close,
};

static int socket_output_init(struct socket_output *o, const char *addr)
{
    int rc;

    o->fd = -1;
    if (addr == NULL || addr[0] == '\0')
        return 0;
    rc = socket_output_parse(o, addr);
    if (rc == 0)
        rc = socket_output_connect(o);
    return rc;
}

int export_socket_add(struct export_set *set, const char *data_addr,
                      const char *alarm_addr, const char *format,
                      const char *tag, const char *series)
{
    struct socket_exporter *se = calloc(1, sizeof(*se));
    int rc = 0;

    if (se == NULL)
        return error_set(ERROR_NOMEM, "socket: out of memory");
    se->data.fd = -1;
    se->alarm.fd = -1;
    se->kind =
        format != NULL && strcmp(format, "csv") == 0 ? FORMAT_CSV : FORMAT_JSON;
    snprintf(se->series, sizeof(se->series), "%s", series);
    snprintf(se->tag, sizeof(se->tag), "%s", tag != NULL ? tag : "netspot");
    rc = socket_output_init(&se->data, data_addr);
    if (rc == 0)
        rc = socket_output_init(&se->alarm, alarm_addr);
    if (rc < 0) {
        char detail[512];

        snprintf(detail, sizeof(detail), "%s", error_detail());
        socket_close(se);
        return error_set(rc, "socket %s", detail);
    }
    return export_set_add(set, &socket_ops, se);
}

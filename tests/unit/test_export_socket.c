/*
 * The socket exporter against real sockets: a Unix stream listener and a
 * UDP receiver made by the test, a peer that goes away, addresses that
 * cannot work.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "export/export.h"
#include "util/error.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct socket_fixture {
    char dir[64];
    char path[96];
    char addr[160];
    int listener;
};

static int setup_unix(void **state)
{
    struct socket_fixture *f = calloc(1, sizeof(*f));
    struct sockaddr_un sun = {.sun_family = AF_UNIX};

    snprintf(f->dir, sizeof(f->dir), "/tmp/netspot-socket-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/data.sock", f->dir);
    snprintf(f->addr, sizeof(f->addr), "unix://%s", f->path);
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", f->path);
    f->listener = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(f->listener >= 0);
    assert_int_equal(bind(f->listener, (struct sockaddr *)&sun, sizeof(sun)),
                     0);
    assert_int_equal(listen(f->listener, 4), 0);
    *state = f;
    return 0;
}

static int teardown_unix(void **state)
{
    struct socket_fixture *f = *state;

    close(f->listener);
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

static struct record sample_record(int64_t time_ns)
{
    struct record r = {.time_ns = time_ns, .n = 2};

    r.fields[0] = (struct record_field){"R_SYN", 0.5};
    r.fields[1] = (struct record_field){"TRAFFIC", NAN};
    return r;
}

/* Reads exactly the length of want from fd and compares. */
static void expect_bytes(int fd, const char *want)
{
    char got[1024];
    size_t n = strlen(want), done = 0;

    while (done < n) {
        ssize_t r = recv(fd, got + done, n - done, 0);

        assert_true(r > 0);
        done += (size_t)r;
    }
    got[n] = '\0';
    assert_string_equal(got, want);
}

static void test_unix_stream_json(void **state)
{
    struct socket_fixture *f = *state;
    struct export_set set;
    struct record r = sample_record(1000000000);
    struct alarm a = {2000000000, "R_SYN", 0.9, 1, 1e-6};
    int conn;

    export_set_init(&set);
    assert_int_equal(
        export_socket_add(&set, f->addr, NULL, "json", "probe", "wifi"), 0);
    conn = accept(f->listener, NULL, NULL);
    assert_true(conn >= 0);
    assert_int_equal(export_set_record(&set, &r), 0);
    assert_int_equal(export_set_alarm(&set, &a), 0);
    expect_bytes(conn, "{\"R_SYN\":0.5,\"TRAFFIC\":null,\"name\":\"probe\","
                       "\"series\":\"wifi\",\"time\":1000000000,"
                       "\"type\":\"data\"}\n");
    assert_int_equal(export_set_close(&set), 0);
    close(conn);
}

/* A peer that goes away loses messages until it listens again; the
 * exporter then connects anew without being told. */
static void test_peer_goes_away(void **state)
{
    struct socket_fixture *f = *state;
    struct export_set set;
    struct record r = sample_record(1000000000);
    int conn, failed = 0;

    export_set_init(&set);
    assert_int_equal(
        export_socket_add(&set, f->addr, NULL, "json", "probe", "wifi"), 0);
    conn = accept(f->listener, NULL, NULL);
    assert_true(conn >= 0);
    close(conn);
    for (int i = 0; i < 5 && failed == 0; i++)
        failed = export_set_record(&set, &r);
    assert_int_equal(failed, 1);
    assert_non_null(strstr(error_detail(), f->addr));
    assert_non_null(strstr(error_detail(), "message lost"));

    r.time_ns = 7;
    assert_int_equal(export_set_record(&set, &r), 0);
    conn = accept(f->listener, NULL, NULL);
    assert_true(conn >= 0);
    expect_bytes(conn, "{\"R_SYN\":0.5,\"TRAFFIC\":null,\"name\":\"probe\","
                       "\"series\":\"wifi\",\"time\":7,\"type\":\"data\"}\n");
    assert_int_equal(export_set_close(&set), 0);
    close(conn);
}

static void test_udp_csv(void **state)
{
    struct sockaddr_in sin = {.sin_family = AF_INET};
    socklen_t slen = sizeof(sin);
    struct export_set set;
    struct alarm a = {2000000000, "R_ARP", 0.01, -1, 0.5};
    char addr[64], got[512];
    int rx = socket(AF_INET, SOCK_DGRAM, 0);
    ssize_t n;

    (void)state;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(rx, (struct sockaddr *)&sin, sizeof(sin)), 0);
    assert_int_equal(getsockname(rx, (struct sockaddr *)&sin, &slen), 0);
    snprintf(addr, sizeof(addr), "udp4://127.0.0.1:%d", ntohs(sin.sin_port));

    export_set_init(&set);
    assert_int_equal(export_socket_add(&set, NULL, addr, "csv", "n", "s"), 0);
    assert_int_equal(export_set_alarm(&set, &a), 0);
    n = recv(rx, got, sizeof(got) - 1, 0);
    assert_true(n > 0);
    got[n] = '\0';
    assert_string_equal(got, "code,name,probability,series,stat,status,time,"
                             "type,value\n-1,n,0.5,s,R_ARP,DOWN_ALERT,"
                             "2000000000,alarm,0.01\n");
    assert_int_equal(export_set_close(&set), 0);
    close(rx);
}

/* Each address that cannot work is refused at once, naming itself. */
static void test_bad_addresses(void **state)
{
    static const char *const bad[][2] = {
        {"unix:///nonexistent/netspot.sock", "connect"},
        {"ip4://127.0.0.1", "sends over tcp"},
        {"tcp://127.0.0.1", "needs a port"},
        {"udp", "not proto://address"},
    };
    struct export_set set;

    (void)state;
    export_set_init(&set);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_true(export_socket_add(&set, bad[i][0], NULL, "json", "n", "s") <
                    0);
        assert_non_null(strstr(error_detail(), bad[i][0]));
        assert_non_null(strstr(error_detail(), bad[i][1]));
    }
    assert_int_equal(set.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unix_stream_json, setup_unix,
                                        teardown_unix),
        cmocka_unit_test_setup_teardown(test_peer_goes_away, setup_unix,
                                        teardown_unix),
        cmocka_unit_test(test_udp_csv),
        cmocka_unit_test(test_bad_addresses),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

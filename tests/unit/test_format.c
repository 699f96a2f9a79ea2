/* Text formats: valid JSON, numbers that read back exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "export/export.h"
#include "export/format.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void test_numbers(void **state)
{
    const double values[] = {0.4,  4.27e-05, 1.0 / 3.0,         170,
                             1e-8, -2.5,     408.6290322580645, 0.1 + 0.2};
    char buf[64];

    (void)state;
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        format_number(buf, sizeof(buf), values[i]);
        assert_true(strtod(buf, NULL) == values[i]);
    }
    format_number(buf, sizeof(buf), 0.4);
    assert_string_equal(buf, "0.4");
    format_number(buf, sizeof(buf), NAN);
    assert_string_equal(buf, "null");
    format_number(buf, sizeof(buf), INFINITY);
    assert_string_equal(buf, "null");
}

static void test_record_line(void **state)
{
    struct record r = {.time_ns = 1558195816637732000, .n = 3};
    char buf[FORMAT_LINE_MAX];

    (void)state;
    r.fields[0] = (struct record_field){"TRAFFIC", NAN};
    r.fields[1] = (struct record_field){"R_SYN_UP", 0.25};
    r.fields[2] = (struct record_field){"R_SYN", 0.03125};
    record_sort(&r);
    assert_true(format_json_record(buf, sizeof(buf), &r) > 0);
    assert_string_equal(buf, "{\"time\":1558195816637732000,\"R_SYN\":0.03125,"
                             "\"R_SYN_UP\":0.25,\"TRAFFIC\":null}\n");
}

static void test_alarm_line(void **state)
{
    struct alarm a = {1558195816637732000, "R_SYN", 0.995, 1, 1e-8};
    char buf[FORMAT_LINE_MAX];

    (void)state;
    assert_true(format_json_alarm(buf, sizeof(buf), &a) > 0);
    assert_string_equal(buf, "{\"time\":1558195816637732000,\"status\":"
                             "\"UP_ALERT\",\"stat\":\"R_SYN\",\"value\":0.995,"
                             "\"code\":1,\"probability\":1e-08}\n");
    a.code = -1;
    assert_string_equal(record_alarm_status(&a), "DOWN_ALERT");
    assert_int_equal(format_json_alarm(buf, 20, &a), 0);
}

static void test_series_expansion(void **state)
{
    char buf[64];

    (void)state;
    assert_int_equal(
        export_expand_series(buf, sizeof(buf), "/tmp/n_%s_%s.json", "wifi"), 0);
    assert_string_equal(buf, "/tmp/n_wifi_wifi.json");
    assert_true(export_expand_series(buf, 8, "/tmp/%s.json", "wifi") < 0);
}

static void test_socket_messages(void **state)
{
    struct record r = {.time_ns = 1558195816637732000, .n = 2};
    struct alarm a = {1558195816637732000, "R_SYN", 0.995, 1, 1e-8};
    const struct format_origin o = {"wi\"fi", "a,b"};
    char buf[FORMAT_LINE_MAX];

    (void)state;
    r.fields[0] = (struct record_field){"PERF", NAN};
    r.fields[1] = (struct record_field){"R_SYN", 0.25};
    assert_true(format_message_record(buf, sizeof(buf), FORMAT_JSON, &r, &o) >
                0);
    assert_string_equal(buf, "{\"PERF\":null,\"R_SYN\":0.25,\"name\":\"a,b\","
                             "\"series\":\"wi\\\"fi\",\"time\":"
                             "1558195816637732000,\"type\":\"data\"}\n");
    assert_true(format_message_record(buf, sizeof(buf), FORMAT_CSV, &r, &o) >
                0);
    assert_string_equal(buf, "PERF,R_SYN,name,series,time,type\n"
                             "NaN,0.25,\"a,b\",\"wi\"\"fi\","
                             "1558195816637732000,data\n");
    assert_true(format_message_alarm(buf, sizeof(buf), FORMAT_JSON, &a, &o) >
                0);
    assert_string_equal(buf, "{\"code\":1,\"name\":\"a,b\",\"probability\":"
                             "1e-08,\"series\":\"wi\\\"fi\",\"stat\":"
                             "\"R_SYN\",\"status\":\"UP_ALERT\",\"time\":"
                             "1558195816637732000,\"type\":\"alarm\","
                             "\"value\":0.995}\n");
    assert_int_equal(format_message_alarm(buf, 40, FORMAT_CSV, &a, &o), 0);
}

static void test_influx_points(void **state)
{
    struct record r = {.time_ns = 1558195816637732000, .n = 3};
    struct alarm a = {1558195816637732000, "R_SYN", 0.995, 1, 1e-8};
    const struct format_origin o = {"my wifi,2", "lab=1"};
    char buf[FORMAT_LINE_MAX];

    (void)state;
    r.fields[0] = (struct record_field){"PERF", NAN};
    r.fields[1] = (struct record_field){"R_SYN", 0.25};
    r.fields[2] = (struct record_field){"R_SYN_UP", 0.5};
    assert_true(format_influx_record(buf, sizeof(buf), &r, &o) > 0);
    assert_string_equal(buf, "my\\ wifi\\,2,agent=lab\\=1,type=data "
                             "R_SYN=0.25,R_SYN_UP=0.5 1558195816637732000\n");
    assert_true(format_influx_alarm(buf, sizeof(buf), &a, &o) > 0);
    assert_string_equal(buf, "my\\ wifi\\,2,agent=lab\\=1,stat=R_SYN,"
                             "type=alarm code=1i,probability=1e-08,"
                             "status=\"UP_ALERT\",value=0.995 "
                             "1558195816637732000\n");

    /* Nothing finite: no point. Too small a buffer: an error. */
    r.n = 1;
    assert_int_equal(format_influx_record(buf, sizeof(buf), &r, &o), 0);
    assert_true(format_influx_alarm(buf, 30, &a, &o) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_record_line),
        cmocka_unit_test(test_alarm_line),
        cmocka_unit_test(test_series_expansion),
        cmocka_unit_test(test_socket_messages),
        cmocka_unit_test(test_influx_points),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

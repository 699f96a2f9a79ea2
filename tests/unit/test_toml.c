/* The TOML parser's API: types, lines, errors and input limits. */
#include "config/toml.h"

#include "util/error.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static struct toml_value *parse_ok(const char *text)
{
    struct toml_value *root = NULL;
    int rc = toml_parse(text, strlen(text), "t.toml", &root);

    if (rc < 0)
        fail_msg("unexpected error: %s", error_detail());
    return root;
}

static void parse_bad(const char *text, int code, const char *detail)
{
    struct toml_value *root = NULL;
    int rc = toml_parse(text, strlen(text), "t.toml", &root);

    assert_int_equal(rc, code);
    assert_null(root);
    if (strstr(error_detail(), detail) == NULL)
        fail_msg("detail '%s' lacks '%s'", error_detail(), detail);
}

static void test_scalars(void **state)
{
    struct toml_value *root =
        parse_ok("s = \"a\\tb\"\ni = 0x10\nj = 1_000\nf = 1.5e3\n"
                 "b = true\nd = 1979-05-27 07:32:00z\nt = 07:32:00.5\n");

    (void)state;
    assert_non_null(root);
    assert_string_equal(toml_get(root, "s")->u.str.ptr, "a\tb");
    assert_int_equal(toml_get(root, "i")->u.integer, 16);
    assert_int_equal(toml_get(root, "j")->u.integer, 1000);
    assert_true(toml_get(root, "f")->u.real == 1500.0);
    assert_true(toml_get(root, "b")->u.boolean);
    assert_int_equal(toml_get(root, "d")->type, TOML_DATETIME);
    assert_string_equal(toml_get(root, "d")->u.str.ptr, "1979-05-27T07:32:00Z");
    assert_int_equal(toml_get(root, "t")->type, TOML_TIME_LOCAL);
    assert_int_equal(toml_get(root, "t")->line, 7);
    assert_null(toml_get(root, "missing"));
    toml_free(root);
}

static void test_tables_and_lines(void **state)
{
    struct toml_value *root = parse_ok("# comment\n"
                                       "[spot]\n"
                                       "q = 1e-4\n"
                                       "\n"
                                       "[spot.R_SYN]\n"
                                       "q = 1e-5\n"
                                       "[[list]]\n"
                                       "a.b = [1, 2,\n 3]\n");
    const struct toml_value *spot, *syn, *list, *a;

    (void)state;
    spot = toml_get(root, "spot");
    assert_int_equal(spot->type, TOML_TABLE);
    assert_int_equal(spot->line, 2);
    assert_int_equal(toml_get(spot, "q")->line, 3);
    syn = toml_get(spot, "R_SYN");
    assert_int_equal(syn->line, 5);
    assert_true(toml_get(syn, "q")->u.real == 1e-5);
    list = toml_get(root, "list");
    assert_int_equal(list->type, TOML_ARRAY);
    assert_int_equal(list->u.array.count, 1);
    a = toml_get(toml_get(list->u.array.items[0], "a"), "b");
    assert_int_equal(a->u.array.count, 3);
    toml_free(root);
}

static void test_errors_name_line_and_column(void **state)
{
    (void)state;
    parse_bad("a = 1\nb = \n", ERROR_FORMAT,
              "t.toml:2:5: expected a value, got end of line");
    parse_bad("a = 1\na = 2\n", ERROR_FORMAT, "t.toml:2:1: key 'a' is already");
    parse_bad("[t]\n[t]\n", ERROR_FORMAT, "t.toml:2:2: key 't' is already");
    parse_bad("a = \"open\n", ERROR_FORMAT,
              "t.toml:1:10: string not closed before the end of the line");
    parse_bad("a = 'open\r\n", ERROR_FORMAT, "not closed before the end");
    parse_bad("a = \"open", ERROR_FORMAT,
              "string not closed before the end of the file");
    parse_bad("a = \"\"\"open\n", ERROR_FORMAT,
              "multi-line string not closed before the end of the file");
    parse_bad("a = \"x\x01\"\n", ERROR_FORMAT, "control character 0x01");
    parse_bad("a = 1 b = 2\n", ERROR_FORMAT, "expected end of line, got 'b'");
    parse_bad("a = 0123\n", ERROR_FORMAT, "invalid number '0123'");
    parse_bad("a = -0x10\n", ERROR_FORMAT, "invalid number '-0x10'");
    parse_bad("a = 9223372036854775808\n", ERROR_FORMAT,
              "'9223372036854775808' is outside the 64-bit integer range");
    parse_bad("a = -9223372036854775809\n", ERROR_FORMAT, "64-bit integer");
    parse_bad("a = 0x8000000000000000\n", ERROR_FORMAT,
              "'0x8000000000000000' is outside the 64-bit integer range");
    parse_bad("a = 2021-02-29\n", ERROR_FORMAT, "invalid date");
    parse_bad("a = \"\xff\"\n", ERROR_FORMAT, "invalid UTF-8");
}

static void test_limits(void **state)
{
    size_t big = TOML_MAX_INPUT + 1;
    char *text = malloc(big + 1);
    char *deep = malloc(4 * TOML_MAX_DEPTH + 16);
    char *key = malloc(TOML_MAX_KEY + 16);
    struct toml_value *root = NULL;
    size_t n = 0;

    (void)state;
    assert_non_null(text);
    memset(text, '#', big);
    text[big] = '\0';
    assert_int_equal(toml_parse(text, big, "big.toml", &root), ERROR_LIMIT);
    assert_null(root);

    n = (size_t)snprintf(deep, 8, "a = ");
    for (int i = 0; i <= TOML_MAX_DEPTH; i++)
        deep[n++] = '[';
    deep[n] = '\0';
    parse_bad(deep, ERROR_LIMIT, "nested deeper than");

    memset(key, 'k', TOML_MAX_KEY + 1);
    memcpy(key + TOML_MAX_KEY + 1, " = 1\n", 6);
    parse_bad(key, ERROR_LIMIT, "key longer than");
    free(text);
    free(deep);
    free(key);
}

static void test_missing_file(void **state)
{
    struct toml_value *root = NULL;

    (void)state;
    assert_int_equal(toml_parse_file("/nonexistent/netspot.toml", &root),
                     ERROR_NOTFOUND);
    assert_non_null(strstr(error_detail(), "/nonexistent/netspot.toml"));
    assert_null(root);
    toml_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_tables_and_lines),
        cmocka_unit_test(test_errors_name_line_and_column),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_missing_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

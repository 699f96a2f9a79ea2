/*
 * Runs the public toml-test suite (the cases listed in
 * tests/files-toml-1.0.0) against the TOML parser: every valid case must
 * decode to the JSON beside it, every invalid case must be refused.
 * Skips (exit code 77) when the suite is not in NETSPOT_SHARED_DATA.
 */
#include "config/toml.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* A decoded JSON value: the expected side of a valid case. */
enum json_type { JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
    enum json_type type;
    char *str; /* JSON_STRING, NUL-terminated; len bytes */
    size_t len;
    size_t count; /* members or items */
    char **keys;
    size_t *key_lens;
    struct json **items;
};

struct json_reader {
    const char *s;
    size_t pos;
    size_t len;
};

static void json_free(struct json *j)
{
    if (j == NULL)
        return;
    for (size_t i = 0; i < j->count; i++) {
        if (j->keys != NULL)
            free(j->keys[i]);
        json_free(j->items[i]);
    }
    free(j->keys);
    free(j->key_lens);
    free(j->items);
    free(j->str);
    free(j);
}

static void json_ws(struct json_reader *r)
{
    while (r->pos < r->len && strchr(" \t\r\n", r->s[r->pos]) != NULL)
        r->pos++;
}

static void json_put_utf8(char *out, size_t *n, unsigned long cp)
{
    if (cp < 0x80) {
        out[(*n)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*n)++] = (char)(0xc0 | (cp >> 6));
        out[(*n)++] = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out[(*n)++] = (char)(0xe0 | (cp >> 12));
        out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[(*n)++] = (char)(0x80 | (cp & 0x3f));
    } else {
        out[(*n)++] = (char)(0xf0 | (cp >> 18));
        out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
        out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[(*n)++] = (char)(0x80 | (cp & 0x3f));
    }
}

static unsigned long json_hex4(struct json_reader *r)
{
    char hex[5] = {0};

    if (r->pos + 4 > r->len)
        return 0;
    memcpy(hex, r->s + r->pos, 4);
    r->pos += 4;
    return strtoul(hex, NULL, 16);
}

/* Reads a JSON string at r->pos (on the opening quote). */
static char *json_string(struct json_reader *r, size_t *len)
{
    /* Escapes never make the text longer than it was written. */
    char *out = malloc(r->len - r->pos + 1);
    size_t n = 0;

    if (out == NULL)
        return NULL;
    for (r->pos++; r->pos < r->len && r->s[r->pos] != '"'; r->pos++) {
        char c = r->s[r->pos];
        unsigned long cp;

        if (c != '\\') {
            out[n++] = c;
            continue;
        }
        c = r->s[++r->pos];
        switch (c) {
        case 'b':
            out[n++] = '\b';
            break;
        case 'f':
            out[n++] = '\f';
            break;
        case 'n':
            out[n++] = '\n';
            break;
        case 'r':
            out[n++] = '\r';
            break;
        case 't':
            out[n++] = '\t';
            break;
        case 'u':
            r->pos++;
            cp = json_hex4(r);
            if (cp >= 0xd800 && cp <= 0xdbff && r->s[r->pos] == '\\') {
                r->pos += 2;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (json_hex4(r) - 0xdc00);
            }
            r->pos--;
            json_put_utf8(out, &n, cp);
            break;
        default:
            out[n++] = c;
            break;
        }
    }
    r->pos++;
    out[n] = '\0';
    *len = n;
    return out;
}

static struct json *json_value(struct json_reader *r, int depth);

static int json_append(struct json *j, char *key, size_t key_len,
                       struct json *item)
{
    void *items = realloc(j->items, (j->count + 1) * sizeof(*j->items));

    if (items == NULL)
        return -1;
    j->items = items;
    if (j->type == JSON_OBJECT) {
        void *keys = realloc(j->keys, (j->count + 1) * sizeof(*j->keys));
        void *lens =
            keys ? realloc(j->key_lens, (j->count + 1) * sizeof(*j->key_lens))
                 : NULL;

        if (keys != NULL)
            j->keys = keys;
        if (lens == NULL)
            return -1;
        j->key_lens = lens;
        j->keys[j->count] = key;
        j->key_lens[j->count] = key_len;
    }
    j->items[j->count++] = item;
    return 0;
}

static struct json *json_container(struct json_reader *r, int depth)
{
    struct json *j = calloc(1, sizeof(*j));
    char close = r->s[r->pos] == '{' ? '}' : ']';

    if (j == NULL)
        return NULL;
    j->type = close == '}' ? JSON_OBJECT : JSON_ARRAY;
    r->pos++;
    for (json_ws(r); r->pos < r->len && r->s[r->pos] != close; json_ws(r)) {
        char *key = NULL;
        size_t key_len = 0;
        struct json *item;

        if (j->type == JSON_OBJECT) {
            key = json_string(r, &key_len);
            json_ws(r);
            r->pos++; /* ':' */
            json_ws(r);
        }
        item = json_value(r, depth + 1);
        if (item == NULL || json_append(j, key, key_len, item) < 0) {
            free(key);
            json_free(item);
            json_free(j);
            return NULL;
        }
        json_ws(r);
        if (r->pos < r->len && r->s[r->pos] == ',')
            r->pos++;
    }
    r->pos++;
    return j;
}

static struct json *json_value(struct json_reader *r, int depth)
{
    struct json *j;

    json_ws(r);
    if (depth > 200 || r->pos >= r->len)
        return NULL;
    if (r->s[r->pos] == '{' || r->s[r->pos] == '[')
        return json_container(r, depth);
    if (r->s[r->pos] != '"')
        return NULL;
    j = calloc(1, sizeof(*j));
    if (j == NULL)
        return NULL;
    j->type = JSON_STRING;
    j->str = json_string(r, &j->len);
    return j;
}

static const struct json *json_member(const struct json *j, const char *key)
{
    for (size_t i = 0; i < j->count; i++)
        if (strcmp(j->keys[i], key) == 0)
            return j->items[i];
    return NULL;
}

/* toml-test writes a leaf as {"type": T, "value": V}, V a string. */
static bool json_is_leaf(const struct json *j)
{
    const struct json *t, *v;

    if (j->type != JSON_OBJECT || j->count != 2)
        return false;
    t = json_member(j, "type");
    v = json_member(j, "value");
    return t != NULL && v != NULL && t->type == JSON_STRING &&
           v->type == JSON_STRING;
}

/* ---- comparison ---------------------------------------------------- */

static const char *suite_tag(enum toml_type type)
{
    switch (type) {
    case TOML_STRING:
        return "string";
    case TOML_INTEGER:
        return "integer";
    case TOML_FLOAT:
        return "float";
    case TOML_BOOLEAN:
        return "bool";
    case TOML_DATETIME:
        return "datetime";
    case TOML_DATETIME_LOCAL:
        return "datetime-local";
    case TOML_DATE_LOCAL:
        return "date-local";
    case TOML_TIME_LOCAL:
        return "time-local";
    default:
        return "";
    }
}

static bool suite_same_float(double got, const char *text)
{
    double want;

    if (strstr(text, "nan") != NULL)
        return isnan(got);
    if (strcmp(text, "inf") == 0 || strcmp(text, "+inf") == 0)
        return isinf(got) && got > 0;
    if (strcmp(text, "-inf") == 0)
        return isinf(got) && got < 0;
    want = strtod(text, NULL);
    return got == want && signbit(got) == signbit(want);
}

/* Copies a date-time without the trailing zeros of its fraction of a
 * second: the suite writes .6 as .600. */
static void suite_trim_fraction(const char *in, char *out, size_t size)
{
    const char *dot = strchr(in, '.');
    size_t digits, keep;

    snprintf(out, size, "%s", in);
    if (dot == NULL || (size_t)(dot - in) >= size)
        return;
    digits = strspn(dot + 1, "0123456789");
    keep = digits;
    while (keep > 0 && dot[keep] == '0')
        keep--;
    snprintf(out + (dot - in), size - (size_t)(dot - in), "%s%.*s%s",
             keep ? "." : "", (int)keep, dot + 1, dot + 1 + digits);
}

static bool suite_same_datetime(const char *got, const char *want)
{
    char a[128], b[128];

    suite_trim_fraction(got, a, sizeof(a));
    suite_trim_fraction(want, b, sizeof(b));
    return strcmp(a, b) == 0;
}

static bool suite_same_leaf(const struct toml_value *v, const struct json *j)
{
    const struct json *type = json_member(j, "type");
    const struct json *value = json_member(j, "value");

    if (strcmp(type->str, suite_tag(v->type)) != 0)
        return false;
    switch (v->type) {
    case TOML_INTEGER:
        return v->u.integer == strtoll(value->str, NULL, 10);
    case TOML_FLOAT:
        return suite_same_float(v->u.real, value->str);
    case TOML_BOOLEAN:
        return strcmp(value->str, v->u.boolean ? "true" : "false") == 0;
    case TOML_DATETIME:
    case TOML_DATETIME_LOCAL:
    case TOML_DATE_LOCAL:
    case TOML_TIME_LOCAL:
        return suite_same_datetime(v->u.str.ptr, value->str);
    default:
        return v->u.str.len == value->len &&
               memcmp(v->u.str.ptr, value->str, value->len) == 0;
    }
}

static bool suite_same(const struct toml_value *v, const struct json *j)
{
    if (json_is_leaf(j))
        return suite_same_leaf(v, j);
    if (v->type == TOML_ARRAY && j->type == JSON_ARRAY) {
        if (v->u.array.count != j->count)
            return false;
        for (size_t i = 0; i < j->count; i++)
            if (!suite_same(v->u.array.items[i], j->items[i]))
                return false;
        return true;
    }
    if (v->type != TOML_TABLE || j->type != JSON_OBJECT ||
        v->u.table.count != j->count)
        return false;
    for (size_t i = 0; i < j->count; i++) {
        const struct toml_value *member = NULL;

        for (size_t k = 0; k < v->u.table.count; k++)
            if (v->u.table.key_lens[k] == j->key_lens[i] &&
                memcmp(v->u.table.keys[k], j->keys[i], j->key_lens[i]) == 0)
                member = v->u.table.values[k];
        if (member == NULL || !suite_same(member, j->items[i]))
            return false;
    }
    return true;
}

/* ---- the suite ----------------------------------------------------- */

static char *suite_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        if (buf != NULL) {
            buf[n] = '\0';
            *len = (size_t)n;
        }
    }
    fclose(f);
    return buf;
}

static char suite_dir[4096];

struct suite_counts {
    int passed;
    int failed;
};

static bool suite_valid_case(const char *path)
{
    char json_path[sizeof(suite_dir) + 1100];
    size_t len, json_len;
    char *toml_text = suite_read(path, &len);
    char *json_text;
    struct toml_value *root = NULL;
    struct json *want = NULL;
    bool ok = false;

    snprintf(json_path, sizeof(json_path), "%.*s.json", (int)(strlen(path) - 5),
             path);
    json_text = suite_read(json_path, &json_len);
    if (toml_text != NULL && json_text != NULL &&
        toml_parse(toml_text, len, path, &root) == 0) {
        struct json_reader r = {json_text, 0, json_len};

        want = json_value(&r, 0);
        ok = want != NULL && suite_same(root, want);
    }
    json_free(want);
    toml_free(root);
    free(toml_text);
    free(json_text);
    return ok;
}

static bool suite_invalid_case(const char *path)
{
    size_t len;
    char *text = suite_read(path, &len);
    struct toml_value *root = NULL;
    bool refused = text != NULL && toml_parse(text, len, path, &root) < 0;

    toml_free(root);
    free(text);
    return refused;
}

static void suite_run_line(const char *line, struct suite_counts *counts)
{
    char path[sizeof(suite_dir) + 1100];
    bool ok;
    size_t n = strlen(line);

    if (n < 6 || strcmp(line + n - 5, ".toml") != 0)
        return; /* the .json files of valid cases are listed too */
    snprintf(path, sizeof(path), "%s/%s", suite_dir, line);
    ok = strncmp(line, "valid/", 6) == 0 ? suite_valid_case(path)
                                         : suite_invalid_case(path);
    if (ok) {
        counts->passed++;
        return;
    }
    counts->failed++;
    printf("toml-test: FAIL %s\n", line);
}

static void test_toml_suite(void **state)
{
    struct suite_counts counts = {0, 0};
    char list[sizeof(suite_dir) + 32], line[1024];
    FILE *f;

    (void)state;
    snprintf(list, sizeof(list), "%s/files-toml-1.0.0", suite_dir);
    f = fopen(list, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        suite_run_line(line, &counts);
    }
    fclose(f);
    printf("toml-test: %d passed, %d failed\n", counts.passed, counts.failed);
    assert_int_equal(counts.failed, 0);
}

int main(void)
{
    const char *data = getenv("NETSPOT_SHARED_DATA");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_toml_suite),
    };
    char list[sizeof(suite_dir) + 32];
    FILE *probe;

    snprintf(suite_dir, sizeof(suite_dir), "%s/toml-test/tests",
             data != NULL ? data : "../shared/data");
    snprintf(list, sizeof(list), "%s/files-toml-1.0.0", suite_dir);
    probe = fopen(list, "r");
    if (probe == NULL) {
        printf("toml-test: suite not found under %s, skipped\n", suite_dir);
        return 77;
    }
    fclose(probe);
    return cmocka_run_group_tests(tests, NULL, NULL);
}

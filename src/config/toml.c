#include "config/toml.h"

#include "util/error.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Entries of one table: duplicate keys are found by a linear scan, so the
 * count is bounded to keep a hostile file from costing quadratic time. */
#define TOML_MAX_ENTRIES 10000

/* How a table or an array came to be; TOML forbids some reopenings. */
enum toml_flag {
    TOML_F_DEFINED = 1 << 0,  /* table of a [header] or [[header]] */
    TOML_F_IMPLICIT = 1 << 1, /* parent created by a header path */
    TOML_F_DOTTED = 1 << 2,   /* created by a dotted key */
    TOML_F_CLOSED = 1 << 3,   /* inline table or static array */
    TOML_F_AOT = 1 << 4,      /* array of tables, [[header]] */
};

struct toml_parser {
    const char *s;
    size_t len;
    size_t pos;
    const char *name;
    size_t line_pos; /* lines are counted lazily up to this offset */
    int line;
    int depth;
    struct toml_value *root;
    struct toml_value *current; /* table of the last header */
};

/* A growing byte buffer for strings and keys. */
struct toml_buf {
    char *ptr;
    size_t len;
    size_t cap;
};

/* A dotted key: its parts, each NUL-terminated, and where it starts. */
struct toml_key {
    size_t pos;
    size_t n;
    struct toml_buf parts[TOML_MAX_DEPTH];
};

/* ---- positions and errors ------------------------------------------ */

static int toml_line_at(struct toml_parser *p, size_t pos)
{
    if (pos < p->line_pos) {
        p->line_pos = 0;
        p->line = 1;
    }
    for (; p->line_pos < pos && p->line_pos < p->len; p->line_pos++)
        if (p->s[p->line_pos] == '\n')
            p->line++;
    return p->line;
}

static int toml_peek_at(const struct toml_parser *p, size_t pos)
{
    return pos < p->len ? (unsigned char)p->s[pos] : -1;
}

static int toml_peek(const struct toml_parser *p)
{
    return toml_peek_at(p, p->pos);
}

static void toml_describe(const struct toml_parser *p, char *buf, size_t size)
{
    int c = toml_peek(p);

    if (c < 0)
        snprintf(buf, size, "end of file");
    else if (c == '\n' || c == '\r')
        snprintf(buf, size, "end of line");
    else if (c >= 0x20 && c < 0x7f)
        snprintf(buf, size, "'%c'", c);
    else
        snprintf(buf, size, "byte 0x%02x", (unsigned)c);
}

static int toml_fail_code(struct toml_parser *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int toml_fail_code(struct toml_parser *p, int code, const char *fmt, ...)
{
    char what[256];
    size_t start = p->pos < p->len ? p->pos : p->len;
    int line = toml_line_at(p, start);
    va_list ap;

    while (start > 0 && p->s[start - 1] != '\n')
        start--;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return error_set(code, "%s:%d:%zu: %s", p->name, line,
                     (p->pos < p->len ? p->pos : p->len) - start + 1, what);
}

#define toml_fail(p, ...) toml_fail_code((p), ERROR_FORMAT, __VA_ARGS__)

static int toml_expected(struct toml_parser *p, const char *what)
{
    char got[32];

    toml_describe(p, got, sizeof(got));
    return toml_fail(p, "expected %s, got %s", what, got);
}

static int toml_nomem(struct toml_parser *p)
{
    return error_set(ERROR_NOMEM, "%s: out of memory", p->name);
}

/* ---- values and tables --------------------------------------------- */

static struct toml_value *toml_new(struct toml_parser *p, enum toml_type type)
{
    struct toml_value *v = calloc(1, sizeof(*v));

    if (v != NULL) {
        v->type = type;
        v->line = toml_line_at(p, p->pos);
    }
    return v;
}

void toml_free(struct toml_value *v)
{
    if (v == NULL)
        return;
    if (v->type == TOML_TABLE) {
        for (size_t i = 0; i < v->u.table.count; i++) {
            free(v->u.table.keys[i]);
            toml_free(v->u.table.values[i]);
        }
        free(v->u.table.keys);
        free(v->u.table.key_lens);
        free(v->u.table.values);
    } else if (v->type == TOML_ARRAY) {
        for (size_t i = 0; i < v->u.array.count; i++)
            toml_free(v->u.array.items[i]);
        free(v->u.array.items);
    } else if (v->type != TOML_INTEGER && v->type != TOML_FLOAT &&
               v->type != TOML_BOOLEAN) {
        free(v->u.str.ptr);
    }
    free(v);
}

static struct toml_value *toml_find(const struct toml_value *t,
                                    const struct toml_buf *key)
{
    for (size_t i = 0; i < t->u.table.count; i++)
        if (t->u.table.key_lens[i] == key->len &&
            memcmp(t->u.table.keys[i], key->ptr, key->len) == 0)
            return t->u.table.values[i];
    return NULL;
}

const struct toml_value *toml_get(const struct toml_value *table,
                                  const char *key)
{
    struct toml_buf k = {(char *)(uintptr_t)key, strlen(key), 0};

    if (table == NULL || table->type != TOML_TABLE)
        return NULL;
    return toml_find(table, &k);
}

/* Makes room for one more element of size elem in an array of count.
 * Capacities are 4, 8, 16...: a new block is needed only when count is 0
 * or a power of two of at least 4. */
static int toml_grow(void **items, size_t count, size_t elem)
{
    size_t cap = count == 0 ? 4 : count * 2;
    void *bigger;

    if (count != 0 && (count < 4 || (count & (count - 1)) != 0))
        return 0;
    bigger = realloc(*items, cap * elem);
    if (bigger == NULL)
        return ERROR_NOMEM;
    *items = bigger;
    return 0;
}

/* Adds key = v to table t, which takes v (freed on failure). */
static int toml_add(struct toml_parser *p, struct toml_value *t,
                    const struct toml_buf *key, struct toml_value *v)
{
    size_t n = t->u.table.count;
    char *copy;

    if (n >= TOML_MAX_ENTRIES) {
        toml_free(v);
        return toml_fail_code(p, ERROR_LIMIT, "more than %d keys in a table",
                              TOML_MAX_ENTRIES);
    }
    copy = malloc(key->len + 1);
    if (copy == NULL ||
        toml_grow((void **)&t->u.table.keys, n, sizeof(char *)) < 0 ||
        toml_grow((void **)&t->u.table.key_lens, n, sizeof(size_t)) < 0 ||
        toml_grow((void **)&t->u.table.values, n, sizeof(v)) < 0) {
        free(copy);
        toml_free(v);
        return toml_nomem(p);
    }
    memcpy(copy, key->ptr, key->len);
    copy[key->len] = '\0';
    t->u.table.keys[n] = copy;
    t->u.table.key_lens[n] = key->len;
    t->u.table.values[n] = v;
    t->u.table.count = n + 1;
    return 0;
}

static int toml_push(struct toml_parser *p, struct toml_value *a,
                     struct toml_value *v)
{
    size_t n = a->u.array.count;

    if (toml_grow((void **)&a->u.array.items, n, sizeof(v)) < 0) {
        toml_free(v);
        return toml_nomem(p);
    }
    a->u.array.items[n] = v;
    a->u.array.count = n + 1;
    return 0;
}

/* ---- bytes and characters ------------------------------------------ */

static int toml_buf_put(struct toml_buf *b, const char *bytes, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 16;
        char *bigger;

        while (cap < b->len + n + 1)
            cap *= 2;
        bigger = realloc(b->ptr, cap);
        if (bigger == NULL)
            return ERROR_NOMEM;
        b->ptr = bigger;
        b->cap = cap;
    }
    memcpy(b->ptr + b->len, bytes, n);
    b->len += n;
    b->ptr[b->len] = '\0';
    return 0;
}

static int toml_buf_utf8(struct toml_buf *b, unsigned long cp)
{
    char out[4];
    size_t n;

    if (cp < 0x80) {
        out[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        out[0] = (char)(0xf0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    return toml_buf_put(b, out, n);
}

/* Length of the UTF-8 sequence at s (1 to 4), or 0 if it is invalid:
 * overlong forms, surrogates and code points above U+10FFFF included. */
static size_t toml_utf8_len(const unsigned char *s, size_t avail)
{
    unsigned long cp;
    size_t n;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2, cp = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3, cp = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (n > avail)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return n;
}

static int toml_check_utf8(struct toml_parser *p)
{
    const unsigned char *s = (const unsigned char *)p->s;

    for (size_t i = 0; i < p->len;) {
        size_t n = toml_utf8_len(s + i, p->len - i);

        if (n == 0) {
            p->pos = i;
            return toml_fail(p, "invalid UTF-8 byte 0x%02x", s[i]);
        }
        i += n;
    }
    return 0;
}

/* Control characters other than tab are not allowed in strings and
 * comments (TOML 1.0, "Comment" and "String"). */
static bool toml_is_control(int c)
{
    return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

static void toml_skip_ws(struct toml_parser *p)
{
    while (toml_peek(p) == ' ' || toml_peek(p) == '\t')
        p->pos++;
}

static int toml_skip_comment(struct toml_parser *p)
{
    if (toml_peek(p) != '#')
        return 0;
    for (p->pos++; p->pos < p->len && p->s[p->pos] != '\n'; p->pos++) {
        int c = toml_peek(p);

        if (c == '\r' && toml_peek_at(p, p->pos + 1) == '\n')
            continue;
        if (toml_is_control(c))
            return toml_fail(p, "control character 0x%02x in a comment",
                             (unsigned)c);
    }
    return 0;
}

/* Consumes a newline (LF or CRLF); returns 1 if there was one. */
static int toml_newline(struct toml_parser *p)
{
    if (toml_peek(p) == '\n') {
        p->pos++;
        return 1;
    }
    if (toml_peek(p) == '\r' && toml_peek_at(p, p->pos + 1) == '\n') {
        p->pos += 2;
        return 1;
    }
    return 0;
}

/* After a key/value or a header: spaces, a comment, then end of line. */
static int toml_end_of_line(struct toml_parser *p)
{
    int rc;

    toml_skip_ws(p);
    rc = toml_skip_comment(p);
    if (rc < 0)
        return rc;
    if (p->pos >= p->len || toml_newline(p))
        return 0;
    return toml_expected(p, "end of line");
}

/* Spaces, newlines and comments, as allowed inside arrays. */
static int toml_skip_blank(struct toml_parser *p)
{
    for (;;) {
        int rc;

        toml_skip_ws(p);
        rc = toml_skip_comment(p);
        if (rc < 0)
            return rc;
        if (!toml_newline(p))
            return 0;
    }
}

/* ---- strings ------------------------------------------------------- */

static int toml_hex_escape(struct toml_parser *p, int digits,
                           struct toml_buf *out)
{
    unsigned long cp = 0;

    for (int i = 0; i < digits; i++) {
        int c = toml_peek(p);
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;

        if (d < 0)
            return toml_expected(p, "a hexadecimal digit");
        cp = cp * 16 + (unsigned long)d;
        p->pos++;
    }
    if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return toml_fail(p, "escape \\u%lx is not a Unicode scalar value", cp);
    return toml_buf_utf8(out, cp) < 0 ? toml_nomem(p) : 0;
}

static int toml_escape(struct toml_parser *p, struct toml_buf *out)
{
    static const char from[] = "btnfr\"\\";
    static const char to[] = "\b\t\n\f\r\"\\";
    int c = toml_peek(p);
    const char *hit = c > 0 ? strchr(from, c) : NULL;

    if (c == 'u' || c == 'U') {
        p->pos++;
        return toml_hex_escape(p, c == 'u' ? 4 : 8, out);
    }
    if (hit == NULL)
        return toml_expected(p, "an escape (b t n f r \" \\ u U)");
    p->pos++;
    return toml_buf_put(out, &to[hit - from], 1) < 0 ? toml_nomem(p) : 0;
}

/* In a multi-line basic string, a backslash at the end of a line eats
 * the newline and the blanks that follow. Returns 1 if it did. */
static int toml_line_continuation(struct toml_parser *p)
{
    size_t save = p->pos;

    toml_skip_ws(p);
    if (!toml_newline(p)) {
        p->pos = save;
        return 0;
    }
    for (;;) {
        toml_skip_ws(p);
        if (!toml_newline(p))
            return 1;
    }
}

/*
 * Reads a string whose opening delimiter starts at p->pos: quote is '"'
 * or '\'', and multi says whether it is tripled.
 */
static int toml_string_body(struct toml_parser *p, char quote, bool multi,
                            struct toml_buf *out)
{
    p->pos += multi ? 3 : 1;
    if (multi)
        toml_newline(p); /* a newline right after the opening is trimmed */
    for (;;) {
        int c = toml_peek(p);
        int rc = 0;

        if (c < 0)
            return toml_fail(p, "%s not closed before the end of the file",
                             multi ? "multi-line string" : "string");
        if (!multi &&
            (c == '\n' || (c == '\r' && toml_peek_at(p, p->pos + 1) == '\n')))
            return toml_fail(p, "string not closed before the end of the "
                                "line (a string of several lines is written "
                                "between triple quotes)");
        if (c == quote && !multi) {
            p->pos++;
            return 0;
        }
        if (c == quote && toml_peek_at(p, p->pos + 1) == quote &&
            toml_peek_at(p, p->pos + 2) == quote) {
            /* Up to two quotes may end the content: """a"""" is a". */
            size_t extra = 0;

            while (extra < 2 && toml_peek_at(p, p->pos + 3 + extra) == quote)
                extra++;
            if (toml_buf_put(out, p->s + p->pos, extra) < 0)
                return toml_nomem(p);
            p->pos += 3 + extra;
            return 0;
        }
        if (c == '\\' && quote == '"') {
            p->pos++;
            if (multi && toml_line_continuation(p))
                continue;
            rc = toml_escape(p, out);
        } else if (multi && toml_newline(p)) {
            rc = toml_buf_put(out, "\n", 1) < 0 ? toml_nomem(p) : 0;
        } else if (toml_is_control(c)) {
            return toml_fail(p, "control character 0x%02x in a string",
                             (unsigned)c);
        } else {
            rc = toml_buf_put(out, p->s + p->pos, 1) < 0 ? toml_nomem(p) : 0;
            p->pos++;
        }
        if (rc < 0)
            return rc;
    }
}

static bool toml_at_triple(const struct toml_parser *p, char quote)
{
    return toml_peek(p) == quote && toml_peek_at(p, p->pos + 1) == quote &&
           toml_peek_at(p, p->pos + 2) == quote;
}

static int toml_string(struct toml_parser *p, struct toml_value **out)
{
    char quote = (char)toml_peek(p);
    struct toml_buf b = {NULL, 0, 0};
    struct toml_value *v = toml_new(p, TOML_STRING);
    int rc;

    if (v == NULL)
        return toml_nomem(p);
    rc = toml_string_body(p, quote, toml_at_triple(p, quote), &b);
    if (rc == 0 && b.ptr == NULL && toml_buf_put(&b, "", 0) < 0)
        rc = toml_nomem(p);
    if (rc < 0) {
        free(b.ptr);
        free(v);
        return rc;
    }
    v->u.str.ptr = b.ptr;
    v->u.str.len = b.len;
    *out = v;
    return 0;
}

/* ---- keys ---------------------------------------------------------- */

static bool toml_is_bare(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static void toml_key_clear(struct toml_key *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->parts[i].ptr);
    k->n = 0;
}

static int toml_key_part(struct toml_parser *p, struct toml_buf *b)
{
    int c = toml_peek(p);
    int rc = 0;

    if (c == '"' || c == '\'') {
        if (toml_at_triple(p, (char)c))
            return toml_fail(p, "a key may not be a multi-line string");
        rc = toml_string_body(p, (char)c, false, b);
    } else if (toml_is_bare(c)) {
        size_t start = p->pos;

        while (toml_is_bare(toml_peek(p)))
            p->pos++;
        if (toml_buf_put(b, p->s + start, p->pos - start) < 0)
            return toml_nomem(p);
    } else {
        return toml_expected(p, "a key");
    }
    if (rc == 0 && b->ptr == NULL && toml_buf_put(b, "", 0) < 0)
        return toml_nomem(p);
    if (rc == 0 && b->len > TOML_MAX_KEY)
        return toml_fail_code(p, ERROR_LIMIT, "key longer than %d bytes",
                              TOML_MAX_KEY);
    return rc;
}

/* Reads a possibly dotted key into k; k must be released by the caller
 * with toml_key_clear() whatever the result. */
static int toml_key(struct toml_parser *p, struct toml_key *k)
{
    for (;;) {
        struct toml_buf *b;
        int rc;

        if (k->n >= TOML_MAX_DEPTH)
            return toml_fail_code(p, ERROR_LIMIT, "key with more than %d parts",
                                  TOML_MAX_DEPTH);
        b = &k->parts[k->n++];
        memset(b, 0, sizeof(*b));
        toml_skip_ws(p);
        if (k->n == 1)
            k->pos = p->pos;
        rc = toml_key_part(p, b);
        if (rc < 0)
            return rc;
        toml_skip_ws(p);
        if (toml_peek(p) != '.')
            return 0;
        p->pos++;
    }
}

/* ---- numbers and dates --------------------------------------------- */

static bool toml_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* Digits of base with single underscores between them, copied into out
 * without the underscores. Returns the count of digits, or -1. */
static int toml_digits(const char *s, size_t n, int base, char *out,
                       size_t *out_len)
{
    int count = 0;

    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        bool ok = base == 16
                      ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                         (c >= 'A' && c <= 'F'))
                      : (c >= '0' && c < '0' + base);

        if (c == '_') {
            if (i == 0 || i + 1 == n || s[i - 1] == '_')
                return -1;
            continue;
        }
        if (!ok)
            return -1;
        out[(*out_len)++] = (char)c;
        count++;
    }
    return count;
}

static int toml_bad_number(struct toml_parser *p, size_t start, size_t end)
{
    p->pos = start;
    return toml_fail(p, "invalid number '%.*s'", (int)(end - start),
                     p->s + start);
}

static int toml_out_of_range(struct toml_parser *p, size_t start, size_t end)
{
    p->pos = start;
    return toml_fail(p, "'%.*s' is outside the 64-bit integer range",
                     (int)(end - start), p->s + start);
}

static int toml_integer_based(struct toml_parser *p, const char *tok, size_t n,
                              size_t start, struct toml_value *v)
{
    int base = tok[1] == 'x' ? 16 : tok[1] == 'o' ? 8 : 2;
    char digits[80];
    size_t len = 0;
    unsigned long long u;

    if (n - 2 >= sizeof(digits) ||
        toml_digits(tok + 2, n - 2, base, digits, &len) <= 0)
        return toml_bad_number(p, start, start + n);
    digits[len] = '\0';
    errno = 0;
    u = strtoull(digits, NULL, base);
    if (errno == ERANGE || u > (unsigned long long)INT64_MAX)
        return toml_out_of_range(p, start, start + n);
    v->type = TOML_INTEGER;
    v->u.integer = (int64_t)u;
    return 0;
}

/* Bytes of s (n long, not NUL-terminated) before one of stop. */
static size_t toml_span(const char *s, size_t n, const char *stop)
{
    size_t i = 0;

    while (i < n && (s[i] == '\0' || strchr(stop, s[i]) == NULL))
        i++;
    return i;
}

/* Decimal integer or float: sign, integer part, fraction, exponent. */
static int toml_decimal(struct toml_parser *p, const char *tok, size_t n,
                        size_t start, struct toml_value *v)
{
    char text[128];
    size_t len = 0, i = 0, part;
    bool is_float = false;

    if (n >= sizeof(text) - 1)
        return toml_bad_number(p, start, start + n);
    if (tok[0] == '+' || tok[0] == '-')
        text[len++] = tok[i++];
    part = toml_span(tok + i, n - i, ".eE");
    if (toml_digits(tok + i, part, 10, text, &len) <= 0 ||
        (tok[i] == '0' && part > 1))
        return toml_bad_number(p, start, start + n);
    i += part;
    if (i < n && tok[i] == '.') {
        text[len++] = tok[i++];
        part = toml_span(tok + i, n - i, "eE");
        if (toml_digits(tok + i, part, 10, text, &len) <= 0)
            return toml_bad_number(p, start, start + n);
        i += part;
        is_float = true;
    }
    if (i < n && (tok[i] == 'e' || tok[i] == 'E')) {
        text[len++] = tok[i++];
        if (i < n && (tok[i] == '+' || tok[i] == '-'))
            text[len++] = tok[i++];
        if (toml_digits(tok + i, n - i, 10, text, &len) <= 0)
            return toml_bad_number(p, start, start + n);
        i = n;
        is_float = true;
    }
    if (i != n)
        return toml_bad_number(p, start, start + n);
    text[len] = '\0';
    errno = 0;
    if (is_float) {
        v->type = TOML_FLOAT;
        v->u.real = strtod(text, NULL);
        return 0;
    }
    v->type = TOML_INTEGER;
    v->u.integer = strtoll(text, NULL, 10);
    return errno == ERANGE ? toml_out_of_range(p, start, start + n) : 0;
}

static int toml_number(struct toml_parser *p, struct toml_value *v)
{
    size_t start = p->pos;
    const char *tok = p->s + start;
    size_t n = 0;
    const char *body;

    while (start + n < p->len &&
           (toml_is_bare(tok[n]) || tok[n] == '.' || tok[n] == '+'))
        n++;
    body = (tok[0] == '+' || tok[0] == '-') ? tok + 1 : tok;
    p->pos = start + n;
    if ((size_t)(body - tok) + 3 == n &&
        (strncmp(body, "inf", 3) == 0 || strncmp(body, "nan", 3) == 0)) {
        v->type = TOML_FLOAT;
        v->u.real = body[0] == 'i' ? INFINITY : NAN;
        if (tok[0] == '-')
            v->u.real = -v->u.real;
        return 0;
    }
    if (n > 2 && tok[0] == '0' &&
        (tok[1] == 'x' || tok[1] == 'o' || tok[1] == 'b'))
        return toml_integer_based(p, tok, n, start, v);
    if (n == (size_t)(body - tok) || !toml_digit(body[0]))
        return toml_bad_number(p, start, start + n);
    return toml_decimal(p, tok, n, start, v);
}

/* Reads n digits at s as a number, or -1. */
static int toml_fixed(const char *s, size_t avail, size_t n)
{
    int v = 0;

    if (avail < n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!toml_digit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static bool toml_date_ok(int y, int m, int d)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    if (m < 1 || m > 12 || d < 1)
        return false;
    return d <= days[m - 1] + (m == 2 && leap);
}

/* HH:MM:SS[.frac] at s; returns its length or 0. Seconds may be 60 for
 * a leap second (RFC 3339, section 5.6). */
static size_t toml_time_len(const char *s, size_t avail)
{
    size_t n = 8;
    int h, mi, sec;

    if (avail < 8 || s[2] != ':' || s[5] != ':')
        return 0;
    h = toml_fixed(s, 2, 2);
    mi = toml_fixed(s + 3, 2, 2);
    sec = toml_fixed(s + 6, 2, 2);
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
        return 0;
    if (n < avail && s[n] == '.') {
        size_t digits = 0;

        while (n + 1 + digits < avail &&
               toml_digit((unsigned char)s[n + 1 + digits]))
            digits++;
        if (digits == 0)
            return 0;
        n += 1 + digits;
    }
    return n;
}

/* Z or +HH:MM / -HH:MM at s; returns its length, 0 if none, -1 if bad. */
static int toml_offset_len(const char *s, size_t avail)
{
    int h, m;

    if (avail >= 1 && (s[0] == 'Z' || s[0] == 'z'))
        return 1;
    if (avail < 1 || (s[0] != '+' && s[0] != '-'))
        return 0;
    h = toml_fixed(s + 1, avail - 1, 2);
    m = avail >= 6 ? toml_fixed(s + 4, avail - 4, 2) : -1;
    if (avail < 6 || s[3] != ':' || h < 0 || h > 23 || m < 0 || m > 59)
        return -1;
    return 6;
}

static int toml_datetime(struct toml_parser *p, struct toml_value *v)
{
    const char *s = p->s + p->pos;
    size_t avail = p->len - p->pos, n = 0, t;
    int off;

    v->type = TOML_TIME_LOCAL;
    if (avail >= 5 && s[4] == '-') {
        int y = toml_fixed(s, avail, 4), m = toml_fixed(s + 5, avail - 5, 2);
        int d =
            avail >= 10 && s[7] == '-' ? toml_fixed(s + 8, avail - 8, 2) : -1;

        if (y < 0 || !toml_date_ok(y, m, d))
            return toml_fail(p, "invalid date");
        n = 10;
        v->type = TOML_DATE_LOCAL;
        if (n < avail && (s[n] == 'T' || s[n] == 't' || s[n] == ' ') &&
            toml_time_len(s + n + 1, avail - n - 1) > 0)
            n++;
        else
            goto done;
    }
    t = toml_time_len(s + n, avail - n);
    if (t == 0)
        return toml_fail(p, "invalid time");
    n += t;
    if (v->type == TOML_DATE_LOCAL) {
        v->type = TOML_DATETIME_LOCAL;
        off = toml_offset_len(s + n, avail - n);
        if (off < 0)
            return toml_fail(p, "invalid time offset");
        if (off > 0)
            v->type = TOML_DATETIME;
        n += (size_t)off;
    }
done:
    v->u.str.ptr = malloc(n + 1);
    if (v->u.str.ptr == NULL)
        return toml_nomem(p);
    memcpy(v->u.str.ptr, s, n);
    v->u.str.ptr[n] = '\0';
    v->u.str.len = n;
    /* One spelling for the separators: 'T' and 'Z'. */
    if (n > 10 && v->type != TOML_TIME_LOCAL)
        v->u.str.ptr[10] = 'T';
    if (v->u.str.ptr[n - 1] == 'z')
        v->u.str.ptr[n - 1] = 'Z';
    p->pos += n;
    return 0;
}

static bool toml_looks_datetime(const struct toml_parser *p)
{
    const char *s = p->s + p->pos;
    size_t avail = p->len - p->pos;

    return (toml_fixed(s, avail, 4) >= 0 && avail > 4 && s[4] == '-') ||
           (toml_fixed(s, avail, 2) >= 0 && avail > 2 && s[2] == ':');
}

/* ---- arrays, inline tables, values --------------------------------- */

static int toml_value(struct toml_parser *p, struct toml_value **out);
static int toml_set(struct toml_parser *p, struct toml_value *t,
                    struct toml_key *k, struct toml_value *v);

static int toml_enter(struct toml_parser *p)
{
    if (++p->depth > TOML_MAX_DEPTH)
        return toml_fail_code(p, ERROR_LIMIT,
                              "arrays and inline tables nested deeper than "
                              "%d",
                              TOML_MAX_DEPTH);
    return 0;
}

static int toml_array(struct toml_parser *p, struct toml_value *a)
{
    p->pos++;
    for (;;) {
        struct toml_value *item;
        int rc = toml_skip_blank(p);

        if (rc < 0)
            return rc;
        if (toml_peek(p) == ']')
            break;
        rc = toml_value(p, &item);
        if (rc == 0)
            rc = toml_push(p, a, item);
        if (rc == 0)
            rc = toml_skip_blank(p);
        if (rc < 0)
            return rc;
        if (toml_peek(p) == ']')
            break;
        if (toml_peek(p) != ',')
            return toml_expected(p, "',' or ']'");
        p->pos++;
    }
    p->pos++;
    a->flags |= TOML_F_CLOSED;
    return 0;
}

static int toml_inline_table(struct toml_parser *p, struct toml_value *t)
{
    p->pos++;
    toml_skip_ws(p);
    if (toml_peek(p) == '}') {
        p->pos++;
        t->flags |= TOML_F_CLOSED;
        return 0;
    }
    for (;;) {
        struct toml_key k = {0};
        struct toml_value *v = NULL;
        int rc = toml_key(p, &k);

        if (rc == 0 && toml_peek(p) != '=')
            rc = toml_expected(p, "'='");
        if (rc == 0) {
            p->pos++;
            toml_skip_ws(p);
            rc = toml_value(p, &v);
        }
        if (rc == 0)
            rc = toml_set(p, t, &k, v);
        toml_key_clear(&k);
        if (rc < 0)
            return rc;
        toml_skip_ws(p);
        if (toml_peek(p) == '}')
            break;
        if (toml_peek(p) != ',')
            return toml_expected(p, "',' or '}'");
        p->pos++;
    }
    p->pos++;
    t->flags |= TOML_F_CLOSED;
    return 0;
}

static int toml_word(struct toml_parser *p, struct toml_value *v)
{
    const char *s = p->s + p->pos;
    size_t avail = p->len - p->pos;

    if (avail >= 4 && strncmp(s, "true", 4) == 0 &&
        (avail == 4 || !toml_is_bare(s[4]))) {
        v->u.boolean = true;
        p->pos += 4;
    } else if (avail >= 5 && strncmp(s, "false", 5) == 0 &&
               (avail == 5 || !toml_is_bare(s[5]))) {
        v->u.boolean = false;
        p->pos += 5;
    } else {
        return toml_expected(p, "a value");
    }
    v->type = TOML_BOOLEAN;
    return 0;
}

static int toml_value(struct toml_parser *p, struct toml_value **out)
{
    int c = toml_peek(p);
    struct toml_value *v;
    int rc;

    if (c == '"' || c == '\'')
        return toml_string(p, out);
    v = toml_new(p, TOML_INTEGER);
    if (v == NULL)
        return toml_nomem(p);
    if (c == '[' || c == '{') {
        v->type = c == '[' ? TOML_ARRAY : TOML_TABLE;
        rc = toml_enter(p);
        if (rc == 0)
            rc = c == '[' ? toml_array(p, v) : toml_inline_table(p, v);
        p->depth--;
    } else if (c == 't' || c == 'f') {
        rc = toml_word(p, v);
    } else if (c >= 0 && toml_looks_datetime(p)) {
        rc = toml_datetime(p, v);
    } else if (c == '+' || c == '-' || c == 'i' || c == 'n' || toml_digit(c)) {
        rc = toml_number(p, v);
    } else {
        rc = toml_expected(p, "a value");
    }
    if (rc < 0) {
        toml_free(v);
        return rc;
    }
    *out = v;
    return 0;
}

/* ---- key/value pairs and headers ----------------------------------- */

static int toml_redefined(struct toml_parser *p, const struct toml_key *k,
                          size_t upto)
{
    char name[256];
    size_t n = 0;

    /* The message points at the key, not at the value after it. */
    p->pos = k->pos;
    name[0] = '\0';
    for (size_t i = 0; i <= upto && i < k->n && n < sizeof(name); i++)
        n += (size_t)snprintf(name + n, sizeof(name) - n, "%s%s", i ? "." : "",
                              k->parts[i].ptr);
    return toml_fail(p, "key '%s' is already defined", name);
}

/* Sets dotted key k = v in table t, creating the tables on the way;
 * takes v. */
static int toml_set(struct toml_parser *p, struct toml_value *t,
                    struct toml_key *k, struct toml_value *v)
{
    for (size_t i = 0; i + 1 < k->n; i++) {
        struct toml_value *next = toml_find(t, &k->parts[i]);
        int rc;

        if (next == NULL) {
            next = toml_new(p, TOML_TABLE);
            if (next == NULL) {
                toml_free(v);
                return toml_nomem(p);
            }
            next->flags = TOML_F_DOTTED;
            rc = toml_add(p, t, &k->parts[i], next);
            if (rc < 0) {
                toml_free(v);
                return rc;
            }
        } else if (next->type != TOML_TABLE ||
                   (next->flags & (TOML_F_CLOSED | TOML_F_DEFINED))) {
            toml_free(v);
            return toml_redefined(p, k, i);
        }
        t = next;
    }
    if (toml_find(t, &k->parts[k->n - 1]) != NULL) {
        toml_free(v);
        return toml_redefined(p, k, k->n - 1);
    }
    return toml_add(p, t, &k->parts[k->n - 1], v);
}

static int toml_keyval(struct toml_parser *p)
{
    struct toml_key k = {0};
    struct toml_value *v = NULL;
    int rc = toml_key(p, &k);

    if (rc == 0 && toml_peek(p) != '=')
        rc = toml_expected(p, "'=' after the key");
    if (rc == 0) {
        p->pos++;
        toml_skip_ws(p);
        rc = toml_value(p, &v);
    }
    if (rc == 0)
        rc = toml_set(p, p->current, &k, v);
    toml_key_clear(&k);
    return rc;
}

/* Walks a header path from the root down to the parent of its last part,
 * creating implicit tables; an array of tables stands for its last one. */
static int toml_header_parent(struct toml_parser *p, struct toml_key *k,
                              struct toml_value **parent)
{
    struct toml_value *t = p->root;

    for (size_t i = 0; i + 1 < k->n; i++) {
        struct toml_value *next = toml_find(t, &k->parts[i]);

        if (next == NULL) {
            int rc;

            next = toml_new(p, TOML_TABLE);
            if (next == NULL)
                return toml_nomem(p);
            next->flags = TOML_F_IMPLICIT;
            rc = toml_add(p, t, &k->parts[i], next);
            if (rc < 0)
                return rc;
        } else if (next->type == TOML_ARRAY && (next->flags & TOML_F_AOT)) {
            next = next->u.array.items[next->u.array.count - 1];
        } else if (next->type != TOML_TABLE || (next->flags & TOML_F_CLOSED)) {
            return toml_redefined(p, k, i);
        }
        t = next;
    }
    *parent = t;
    return 0;
}

static int toml_table_header(struct toml_parser *p, struct toml_key *k,
                             struct toml_value *parent)
{
    struct toml_buf *last = &k->parts[k->n - 1];
    struct toml_value *t = toml_find(parent, last);
    int rc;

    if (t != NULL) {
        if (t->type != TOML_TABLE ||
            (t->flags & ~(unsigned)TOML_F_IMPLICIT) != 0)
            return toml_redefined(p, k, k->n - 1);
        t->flags = TOML_F_DEFINED;
        p->current = t;
        return 0;
    }
    t = toml_new(p, TOML_TABLE);
    if (t == NULL)
        return toml_nomem(p);
    t->flags = TOML_F_DEFINED;
    rc = toml_add(p, parent, last, t);
    if (rc == 0)
        p->current = t;
    return rc;
}

static int toml_array_header(struct toml_parser *p, struct toml_key *k,
                             struct toml_value *parent)
{
    struct toml_buf *last = &k->parts[k->n - 1];
    struct toml_value *a = toml_find(parent, last);
    struct toml_value *t;
    int rc;

    if (a == NULL) {
        a = toml_new(p, TOML_ARRAY);
        if (a == NULL)
            return toml_nomem(p);
        a->flags = TOML_F_AOT;
        rc = toml_add(p, parent, last, a);
        if (rc < 0)
            return rc;
    } else if (a->type != TOML_ARRAY || !(a->flags & TOML_F_AOT)) {
        return toml_redefined(p, k, k->n - 1);
    }
    t = toml_new(p, TOML_TABLE);
    if (t == NULL)
        return toml_nomem(p);
    t->flags = TOML_F_DEFINED;
    rc = toml_push(p, a, t);
    if (rc == 0)
        p->current = t;
    return rc;
}

static int toml_header(struct toml_parser *p)
{
    bool is_array = toml_peek_at(p, p->pos + 1) == '[';
    struct toml_key k = {0};
    struct toml_value *parent = NULL;
    int rc;

    p->pos += is_array ? 2 : 1;
    rc = toml_key(p, &k);
    if (rc == 0 && toml_peek(p) != ']')
        rc = toml_expected(p, is_array ? "']]'" : "']'");
    if (rc == 0 && is_array && toml_peek_at(p, p->pos + 1) != ']') {
        p->pos++;
        rc = toml_expected(p, "']]'");
    }
    if (rc == 0) {
        p->pos += is_array ? 2 : 1;
        rc = toml_header_parent(p, &k, &parent);
    }
    if (rc == 0)
        rc = is_array ? toml_array_header(p, &k, parent)
                      : toml_table_header(p, &k, parent);
    toml_key_clear(&k);
    return rc;
}

static int toml_document(struct toml_parser *p)
{
    int rc = toml_check_utf8(p);

    /* A byte order mark says the file is UTF-8; it is not content. */
    if (p->len >= 3 && memcmp(p->s, "\xef\xbb\xbf", 3) == 0)
        p->pos = 3;
    while (rc == 0 && p->pos < p->len) {
        int c;

        toml_skip_ws(p);
        c = toml_peek(p);
        if (c == '#' || c == '\n' || c == '\r' || c < 0) {
            rc = toml_end_of_line(p);
            continue;
        }
        rc = c == '[' ? toml_header(p) : toml_keyval(p);
        if (rc == 0)
            rc = toml_end_of_line(p);
    }
    return rc;
}

int toml_parse(const char *buf, size_t len, const char *name,
               struct toml_value **out)
{
    struct toml_parser p = {buf, len, 0, name, 0, 1, 0, NULL, NULL};
    int rc;

    *out = NULL;
    if (len > TOML_MAX_INPUT)
        return error_set(ERROR_LIMIT, "%s: larger than %d bytes", name,
                         TOML_MAX_INPUT);
    p.root = toml_new(&p, TOML_TABLE);
    if (p.root == NULL)
        return toml_nomem(&p);
    p.root->flags = TOML_F_DEFINED;
    p.current = p.root;
    rc = toml_document(&p);
    if (rc < 0) {
        toml_free(p.root);
        return rc;
    }
    *out = p.root;
    return 0;
}

int toml_parse_file(const char *path, struct toml_value **out)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;
    int rc;

    *out = NULL;
    if (f == NULL)
        return error_set(errno == ENOENT ? ERROR_NOTFOUND : ERROR_IO, "%s: %s",
                         path, strerror(errno));
    /* One byte more than the limit tells a file that is too large. */
    buf = malloc(TOML_MAX_INPUT + 1);
    if (buf == NULL) {
        fclose(f);
        return error_set(ERROR_NOMEM, "%s: out of memory", path);
    }
    n = fread(buf, 1, TOML_MAX_INPUT + 1, f);
    if (ferror(f)) {
        rc = error_set(ERROR_IO, "%s: %s", path, strerror(errno));
    } else if (n > TOML_MAX_INPUT) {
        rc = error_set(ERROR_LIMIT, "%s: larger than %d bytes", path,
                       TOML_MAX_INPUT);
    } else {
        rc = toml_parse(buf, n, path, out);
    }
    free(buf);
    fclose(f);
    return rc;
}

const char *toml_type_name(enum toml_type type)
{
    switch (type) {
    case TOML_TABLE:
        return "a table";
    case TOML_ARRAY:
        return "an array";
    case TOML_STRING:
        return "a string";
    case TOML_INTEGER:
        return "an integer";
    case TOML_FLOAT:
        return "a float";
    case TOML_BOOLEAN:
        return "a boolean";
    case TOML_DATETIME:
    case TOML_DATETIME_LOCAL:
    case TOML_DATE_LOCAL:
    case TOML_TIME_LOCAL:
        return "a date or time";
    }
    return "a value";
}

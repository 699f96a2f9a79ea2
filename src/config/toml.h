/*
 * A TOML 1.0 parser (https://toml.io/en/v1.0.0): a buffer or a file becomes
 * a tree of tables, arrays and typed values, each with the line it was
 * written on. It knows nothing of netspot's keys.
 */
#ifndef NETSPOT_CONFIG_TOML_H
#define NETSPOT_CONFIG_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Input limits: beyond them the input is refused with ERROR_LIMIT. */
#define TOML_MAX_INPUT (1024 * 1024) /* bytes: far above any config file */
#define TOML_MAX_DEPTH 64            /* nested tables and arrays */
#define TOML_MAX_KEY   1024          /* bytes in one key */

enum toml_type {
    TOML_TABLE,
    TOML_ARRAY,
    TOML_STRING,
    TOML_INTEGER,
    TOML_FLOAT,
    TOML_BOOLEAN,
    TOML_DATETIME,       /* offset date-time, 1979-05-27T07:32:00Z */
    TOML_DATETIME_LOCAL, /* 1979-05-27T07:32:00 */
    TOML_DATE_LOCAL,     /* 1979-05-27 */
    TOML_TIME_LOCAL,     /* 07:32:00 */
};

struct toml_value {
    enum toml_type type;
    int line; /* 1-based line of the value, or of a table's header */
    union {
        /* Strings, and datetimes as written (with 'T' and 'Z' upper
         * case). ptr is NUL-terminated; len counts the bytes, which may
         * include a NUL escaped as \u0000. */
        struct {
            char *ptr;
            size_t len;
        } str;
        int64_t integer;
        double real;
        bool boolean;
        struct {
            size_t count;
            struct toml_value **items;
        } array;
        /* Keys in the order they were defined. */
        struct {
            size_t count;
            char **keys;
            size_t *key_lens;
            struct toml_value **values;
        } table;
    } u;
    unsigned flags; /* parser bookkeeping */
};

/*
 * Parses len bytes of buf. name is the file name used in messages. On
 * success *out is the root table, owned by the caller (toml_free()).
 * Returns 0; ERROR_FORMAT for invalid TOML, with the detail
 * "name:line:column: expected ..., got ..."; ERROR_LIMIT beyond the limits
 * above; ERROR_NOMEM.
 */
int toml_parse(const char *buf, size_t len, const char *name,
               struct toml_value **out);

/* Reads and parses a file. Returns as toml_parse(), or ERROR_NOTFOUND for a
 * missing file and ERROR_IO for an unreadable one, naming the path. */
int toml_parse_file(const char *path, struct toml_value **out);

/* Releases a tree; NULL is a no-op. */
void toml_free(struct toml_value *v);

/* Value of key in a table, or NULL (also when table is not a table). */
const struct toml_value *toml_get(const struct toml_value *table,
                                  const char *key);

/* Name of a type in messages: "a string", "an integer", "a table". */
const char *toml_type_name(enum toml_type type);

#endif

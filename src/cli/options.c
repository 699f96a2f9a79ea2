#include "cli/options.h"

#include "util/error.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The original's one-letter flags and the key each one sets. */
struct options_short {
    char letter;
    const char *key;
    const char *metavar;
};

static const struct options_short options_shorts[] = {
    {'c', "config", "FILE"},
    {'l', "log-level", "LEVEL"},
    {'d', "miner.device", "DEVICE"},
    {'p', "analyzer.period", "DURATION"},
    {'s', "analyzer.stats", "STAT"},
    {'v', "exporter.console.data", NULL},
    {'f', "exporter.file.data", "PATH"},
    {'e', "api.endpoint", "ENDPOINT"},
    /* Live capture: tcpdump's letter for the user to switch to. */
    {'Z', "miner.user", "USER"},
};

#define OPTIONS_N_SHORTS (sizeof(options_shorts) / sizeof(options_shorts[0]))

/* Longest flag name we accept, dots included. */
#define OPTIONS_NAME_MAX 128

/* One flag as read from argv. */
struct options_flag {
    const char *flag;              /* as typed, for messages: "-p" */
    char key[OPTIONS_NAME_MAX];    /* "analyzer.period", "config" */
    const char *value;             /* text of the value */
    char origin[OPTIONS_NAME_MAX]; /* "-p", "--spot.q" */
};

static bool options_is_bool_word(const char *s)
{
    return strcmp(s, "true") == 0 || strcmp(s, "false") == 0;
}

static const char *options_short_key(char letter)
{
    for (size_t i = 0; i < OPTIONS_N_SHORTS; i++)
        if (options_shorts[i].letter == letter)
            return options_shorts[i].key;
    return NULL;
}

/*
 * Splits "--name=value" or "-x=value" into the key and the inline value.
 * As Go's flag package, which the original used, reads them, the number
 * of dashes does not matter: one letter is a short flag ("-d", "--d"),
 * more is a long name ("--config", "-config").
 */
static int options_name(const char *arg, struct options_flag *f,
                        const char **inline_value)
{
    const char *name = arg[1] == '-' ? arg + 2 : arg + 1;
    size_t n = strcspn(name, "=");

    *inline_value = name[n] == '=' ? name + n + 1 : NULL;
    snprintf(f->origin, sizeof(f->origin), "%.*s", (int)(name - arg + n), arg);
    if (n == 1) {
        const char *key = options_short_key(name[0]);

        if (key == NULL)
            return error_set(ERROR_USAGE, "unknown flag '%s'", f->origin);
        snprintf(f->key, sizeof(f->key), "%s", key);
        return 0;
    }
    if (n == 0 || n >= sizeof(f->key))
        return error_set(ERROR_USAGE, "unknown flag '%s'", f->origin);
    memcpy(f->key, name, n);
    f->key[n] = '\0';
    return 0;
}

/* Whether an unknown "-vd" is made of short letters, which do not
 * combine: each one-letter flag stands alone. */
static bool options_is_combined(const struct options_flag *f)
{
    if (f->origin[1] == '-')
        return false;
    for (const char *p = f->key; *p != '\0'; p++)
        if (options_short_key(*p) == NULL)
            return false;
    return true;
}

/* Whether the key of a flag is a boolean, which may stand alone. */
static int options_key_kind(struct options_flag *f, bool *is_bool)
{
    int type;

    *is_bool = false;
    if (strcmp(f->key, "config") == 0 || strcmp(f->key, "log-level") == 0)
        return 0;
    type = config_key_type(f->key);
    if (type < 0) {
        const char *near = strstr(error_detail(), "did you mean '");
        char hint[OPTIONS_NAME_MAX + 48] = "";

        if (near != NULL)
            snprintf(hint, sizeof(hint), " (did you mean '--%.*s'?)",
                     (int)strcspn(near + 14, "'"), near + 14);
        if (options_is_combined(f))
            snprintf(hint, sizeof(hint),
                     " (one-letter flags do not combine: give each "
                     "alone, as in -%c -%c)",
                     f->key[0], f->key[1]);
        return error_set(ERROR_USAGE, "unknown flag '%s'%s", f->origin, hint);
    }
    *is_bool = type == CONFIG_BOOL;
    return 0;
}

/* Reads the flag at argv[*i] and its value; advances *i past both. */
static int options_next(int argc, char **argv, int *i, struct options_flag *f)
{
    const char *arg = argv[*i];
    const char *inline_value;
    bool is_bool = false;
    int rc;

    f->flag = arg;
    if (arg[0] != '-' || arg[1] == '\0' || strcmp(arg, "--") == 0)
        return error_set(ERROR_USAGE, "unexpected argument '%s'", arg);
    rc = options_name(arg, f, &inline_value);
    if (rc == 0)
        rc = options_key_kind(f, &is_bool);
    if (rc < 0)
        return rc;
    (*i)++;
    if (inline_value != NULL) {
        f->value = inline_value;
    } else if (is_bool) {
        /* A boolean flag is set by its presence, or takes true/false. */
        f->value = "true";
        if (*i < argc && options_is_bool_word(argv[*i]))
            f->value = argv[(*i)++];
    } else if (*i < argc) {
        f->value = argv[(*i)++];
    } else {
        return error_set(ERROR_USAGE, "flag '%s' needs a value", f->origin);
    }
    return 0;
}

/* The original's numbers (-1 to 7) or a level name. */
static int options_log_level(struct config *cfg, const struct options_flag *f)
{
    const char *v = f->value;
    size_t sign = v[0] == '-' || v[0] == '+';
    bool number =
        v[sign] != '\0' && strspn(v + sign, "0123456789") == strlen(v + sign);
    long n = number ? strtol(v, NULL, 10) : 0;

    if ((number && (n < -1 || n > 7)) ||
        (!number && !isalpha((unsigned char)v[0])) ||
        log_parse_level(v, &cfg->log_level) < 0)
        return error_set(ERROR_INVALID,
                         "%s: '%s' is not a log level (error, warn, "
                         "info, debug, or -1 to 7)",
                         f->origin, v);
    return 0;
}

static int options_apply(struct config *cfg, const struct options_flag *f,
                         bool *stats_seen)
{
    if (strcmp(f->key, "config") == 0)
        return 0;
    if (strcmp(f->key, "log-level") == 0)
        return options_log_level(cfg, f);
    /* A repeated -s adds to the list the first one started, which
     * replaces the list of the file. */
    if (strcmp(f->key, "analyzer.stats") == 0 && *stats_seen)
        return config_add_stats(cfg, f->value, f->origin);
    if (strcmp(f->key, "analyzer.stats") == 0)
        *stats_seen = true;
    return config_set(cfg, f->key, f->value, f->origin);
}

/* Reads every flag of argv into flags (argc entries); *n is the count. */
static int options_read(int argc, char **argv, struct options_flag *flags,
                        int *n)
{
    *n = 0;
    for (int i = 1; i < argc;) {
        int rc = options_next(argc, argv, &i, &flags[*n]);

        if (rc < 0)
            return rc;
        (*n)++;
    }
    return 0;
}

/*
 * A key given twice is refused rather than one of them silently lost,
 * -s excepted: a repeated -s adds to the list. The exporter.influxdb1
 * alias is not unfolded here; the last of the two spellings wins.
 */
static int options_check_twice(const struct options_flag *flags, int n)
{
    for (int i = 1; i < n; i++) {
        if (strcmp(flags[i].key, "analyzer.stats") == 0)
            continue;
        for (int j = 0; j < i; j++)
            if (strcmp(flags[i].key, flags[j].key) == 0)
                return error_set(
                    ERROR_USAGE, "'%s' and '%s' both set %s; give it once",
                    flags[j].origin, flags[i].origin, flags[i].key);
    }
    return 0;
}

/* The configuration file, loaded before the other flags so that the
 * command line wins whatever the order. */
static int options_load_file(const struct options_flag *flags, int n,
                             struct config *cfg)
{
    const char *file = NULL;

    for (int i = 0; i < n; i++)
        if (strcmp(flags[i].key, "config") == 0)
            file = flags[i].value;
    if (file == NULL)
        return 0;
    if (file[0] == '\0')
        return error_set(ERROR_USAGE, "--config needs a file name");
    return config_load_file(cfg, file);
}

/* A value given on the command line is a usage error, whatever the
 * code the configuration gave it. */
static int options_as_usage(int rc)
{
    if (rc < 0 && rc != ERROR_NOMEM && rc != ERROR_USAGE)
        return error_set(ERROR_USAGE, "%s", error_detail());
    return rc;
}

static int options_build(const struct options_flag *flags, int n,
                         struct config *cfg)
{
    bool stats_seen = false;
    int rc = options_load_file(flags, n, cfg);

    for (int i = 0; i < n && rc == 0; i++)
        rc = options_as_usage(options_apply(cfg, &flags[i], &stats_seen));
    if (rc == 0) {
        rc = config_finish(cfg);
        if (rc < 0 && cfg->invalid_from_text)
            rc = options_as_usage(rc);
    }
    return rc;
}

int options_load(int argc, char **argv, struct config *cfg)
{
    struct options_flag *flags;
    int n = 0;
    int rc = config_init(cfg);

    if (rc < 0)
        return rc;
    flags = calloc((size_t)argc, sizeof(*flags));
    if (flags == NULL)
        return error_set(ERROR_NOMEM, "out of memory");
    rc = options_read(argc, argv, flags, &n);
    if (rc == 0)
        rc = options_check_twice(flags, n);
    if (rc == 0)
        rc = options_build(flags, n, cfg);
    free(flags);
    return rc;
}

bool options_help_requested(int argc, char **argv)
{
    static const char *const spellings[] = {"-h", "--h", "-help", "--help"};

    for (int i = 1; i < argc; i++)
        for (size_t j = 0; j < 4; j++)
            if (strcmp(argv[i], spellings[j]) == 0)
                return true;
    return false;
}

static const char *options_metavar(enum config_type type)
{
    switch (type) {
    case CONFIG_STRING:
        return "TEXT";
    case CONFIG_BOOL:
        return "[BOOL]";
    case CONFIG_INT:
        return "INT";
    case CONFIG_FLOAT:
        return "NUMBER";
    case CONFIG_DURATION:
        return "DURATION";
    case CONFIG_STATS:
        return "STAT,...";
    }
    return "VALUE";
}

/* Column where the descriptions start, and the width they wrap at. */
#define OPTIONS_HELP_INDENT 34
#define OPTIONS_HELP_WIDTH  79

/* Prints "  flags  text", text wrapped under its own column. */
static void options_print_row(const char *left, const char *text)
{
    size_t col = (size_t)printf("  %s", left);

    if (col + 2 > OPTIONS_HELP_INDENT) {
        printf("\n");
        col = 0;
    }
    while (*text != '\0') {
        size_t room = OPTIONS_HELP_WIDTH - OPTIONS_HELP_INDENT;
        size_t n = strlen(text);

        if (n > room) {
            n = room;
            while (n > 0 && text[n] != ' ')
                n--;
            if (n == 0)
                n = strcspn(text, " ");
        }
        printf("%*s%.*s\n", (int)(OPTIONS_HELP_INDENT - col), "", (int)n, text);
        col = 0;
        text += n;
        text += strspn(text, " ");
    }
}

static void options_print_flag(const struct config *cfg, const char *letters,
                               const struct config_key_info *k)
{
    char left[OPTIONS_NAME_MAX + 32];
    char value[512];
    char text[1024];

    snprintf(left, sizeof(left), "%s--%s %s", letters, k->name,
             options_metavar(k->type));
    if (config_format_value(cfg, k->name, value, sizeof(value)) < 0)
        snprintf(value, sizeof(value), "...");
    snprintf(text, sizeof(text), "%s (default: %s)", k->usage,
             strcmp(value, "\"\"") == 0 ? "none" : value);
    options_print_row(left, text);
}

/* The short letter of a key, as "-d, ", or 4 spaces. */
static void options_letters(const char *key, char *buf, size_t size)
{
    snprintf(buf, size, "    ");
    for (size_t i = 0; i < OPTIONS_N_SHORTS; i++)
        if (strcmp(options_shorts[i].key, key) == 0)
            snprintf(buf, size, "-%c, ", options_shorts[i].letter);
}

void options_usage(const char *command)
{
    bool spot_only = strcmp(command, "spot") == 0;
    struct config cfg;
    char letters[8];

    if (config_init(&cfg) < 0)
        return;
    printf("Usage: netspot %s [FLAGS]\n\n", command);
    printf("Flags (built-in defaults < --config file < other flags):\n");
    options_print_row("-c, --config FILE",
                      "Load the configuration from a TOML file");
    options_print_row("-l, --log-level LEVEL",
                      "error, warn, info or debug, or the original's "
                      "numbers -1 to 7 (default: info)");
    options_print_row("-h, --help", "Show this help");
    for (size_t i = 0; i < config_key_count(); i++) {
        struct config_key_info k;

        config_key_describe(i, &k);
        if (spot_only && strncmp(k.name, "spot.", 5) != 0)
            continue;
        options_letters(k.name, letters, sizeof(letters));
        options_print_flag(&cfg, letters, &k);
    }
    options_print_row("    --spot.STAT.KEY VALUE",
                      "Override a spot key for one statistic, e.g. "
                      "--spot.R_SYN.q 1e-5");
    printf("\nA flag takes its value as '--key VALUE' or '--key=VALUE'; one "
           "dash or two\nwork alike (-config, --d). Durations need a unit "
           "(500ms, 1s, 1m30s). A flag\nmay be given once, except -s, "
           "which may be repeated or take a comma-separated\nlist.\n");
    config_free(&cfg);
}

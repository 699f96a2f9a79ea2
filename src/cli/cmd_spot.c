/*
 * netspot spot: one SPOT detector over numbers read from standard input,
 * one line of output per value. The detector takes the configuration's
 * [spot] parameters (--spot.KEY VALUE flags, -c FILE), or a state saved by
 * an earlier run (--load).
 */
#include "cli/commands.h"

#include "cli/options.h"
#include "detect/spot.h"
#include "util/error.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct spot_cli {
    long column;      /* 1-based CSV field, 0 for the whole line */
    const char *load; /* state to start from, or NULL */
    const char *save; /* where to save the state at the end, or NULL */
    bool help;
    int argc; /* the arguments left for options_load() */
    char **argv;
};

static void spot_cli_usage(void)
{
    printf(
        "netspot spot: run one SPOT detector on numbers read from standard\n"
        "input, one per line, and print for each a tab-separated line:\n"
        "value, code, the lower and upper thresholds it was compared with\n"
        "(nan while undefined) and, for an alarm, its probability under the\n"
        "model that flagged it.\n\n"
        "Codes: 0 normal, 1/-1 alarm up/down, 2/-2 excess up/down, 3 in the\n"
        "calibration batch, 4 calibration done, 5 filling the moving "
        "average,\n"
        "-100 rejected (NaN or infinite). A first line that is not a number\n"
        "is a header and is skipped; other bad lines are reported on stderr\n"
        "with their number and skipped.\n\n"
        "Flags of this command:\n"
        "  --column N         Read the Nth comma-separated field (from 1)\n"
        "  --load FILE        Start from a detector state saved by --save\n"
        "                     (its parameters apply; no other flag may "
        "set them)\n"
        "  --save FILE        Save the detector state to FILE at the end\n\n"
        "Examples:\n"
        "  netspot spot --spot.depth 0 --spot.q 1e-3 < values.txt\n"
        "  netspot spot --column 3 -c netspot.toml < stats.csv\n"
        "  netspot spot --save day1.spot < day1.txt\n"
        "  netspot spot --load day1.spot --save day2.spot < day2.txt\n\n");
    options_usage("spot");
}

/* A per-statistic flag (--spot.STAT.KEY): there is no statistic here. */
static bool spot_cli_per_stat(const char *a)
{
    size_t len;

    if (strncmp(a, "--spot.", 7) != 0)
        return false;
    len = strcspn(a + 7, "=");
    return memchr(a + 7, '.', len) != NULL;
}

/* Takes this command's own flags out of argv; the rest stays in order. */
static int spot_cli_parse(int argc, char **argv, struct spot_cli *c)
{
    static const char *const names[] = {"--column", "--load", "--save"};

    c->argc = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *value = NULL;
        size_t k = 0, len = 0;

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            c->help = true;
            continue;
        }
        for (; k < 3; k++) {
            len = strlen(names[k]);
            if (strncmp(a, names[k], len) == 0 &&
                (a[len] == '\0' || a[len] == '='))
                break;
        }
        if (k == 3 && spot_cli_per_stat(a))
            return error_set(ERROR_USAGE,
                             "%s: per-statistic parameters do not apply to "
                             "netspot spot, which watches no statistic; use "
                             "--spot.KEY",
                             a);
        if (k == 3) {
            argv[c->argc++] = argv[i];
            continue;
        }
        value = a[len] == '=' ? a + len + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (value == NULL || value[0] == '\0')
            return error_set(ERROR_USAGE, "%s needs a value", names[k]);
        if (k == 0) {
            char *end;

            errno = 0;
            c->column = strtol(value, &end, 10);
            if (errno != 0 || *end != '\0' || c->column < 1 ||
                c->column > 1000000)
                return error_set(ERROR_USAGE,
                                 "--column: '%s' is not a field number "
                                 "(1, 2, ...)",
                                 value);
        } else if (k == 1) {
            c->load = value;
        } else {
            c->save = value;
        }
    }
    c->argv = argv;
    return 0;
}

/* The detector: from a saved state, or from the configuration. */
static int spot_cli_detector(const struct spot_cli *c, struct spot **out)
{
    struct config cfg;
    FILE *f;
    int rc;

    if (c->load == NULL) {
        rc = options_load(c->argc, c->argv, &cfg);
        if (rc == 0)
            rc = spot_new(&cfg.spot, out);
        config_free(&cfg);
        return rc == ERROR_NOMEM ? rc : rc < 0 ? ERROR_USAGE : 0;
    }
    if (c->argc > 1)
        return error_set(ERROR_USAGE,
                         "%s: the parameters come from the saved state "
                         "with --load",
                         c->argv[1]);
    f = fopen(c->load, "r");
    if (f == NULL)
        return error_set(ERROR_IO, "%s: %s", c->load, strerror(errno));
    rc = spot_load(f, out);
    fclose(f);
    if (rc < 0) {
        char detail[512]; /* error_set() overwrites error_detail() */

        snprintf(detail, sizeof(detail), "%s", error_detail());
        return error_set(rc, "%s: %s", c->load, detail);
    }
    return 0;
}

/*
 * The number in a line, or in its column-th comma-separated field when
 * column > 0, blanks around it allowed. Returns the field read (cut at its
 * end), or NULL when the line has fewer fields; *ok tells whether it held
 * a number.
 */
static const char *spot_cli_value(char *line, long column, double *x, bool *ok)
{
    char *field = line, *end;

    for (long k = 1; k < column; k++) {
        field = strchr(field, ',');
        if (field == NULL)
            return NULL;
        field++;
    }
    field[strcspn(field, column > 0 ? ",\r\n" : "\r\n")] = '\0';
    *x = strtod(field, &end);
    *ok = end != field && end[strspn(end, " \t")] == '\0';
    return field;
}

/* Shortest "%.Ng" that reads back as x; nan and inf as such. */
static void spot_cli_format(char *buf, size_t size, double x)
{
    if (isnan(x)) {
        snprintf(buf, size, "nan");
        return;
    }
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* One output line; lower and upper are the thresholds x was compared
 * with (before the step, which may move them). */
static void spot_cli_print(const struct spot *s, double x, int code,
                           double lower, double upper)
{
    char v[32], lo[32], up[32], p[32] = "";

    spot_cli_format(v, sizeof(v), x);
    spot_cli_format(lo, sizeof(lo), lower);
    spot_cli_format(up, sizeof(up), upper);
    if (code == SPOT_ALERT_UP || code == SPOT_ALERT_DOWN) {
        p[0] = '\t';
        spot_cli_format(p + 1, sizeof(p) - 1, spot_last_probability(s));
    }
    printf("%s\t%d\t%s\t%s%s\n", v, code, lo, up, p);
}

/* Feeds every line of in to s; returns the number of bad lines. */
static long spot_cli_run(struct spot *s, FILE *in, long column)
{
    char *line = NULL;
    size_t cap = 0;
    long number = 0, bad = 0;

    while (getline(&line, &cap, in) != -1) {
        const char *field;
        double x = 0.0, lower, upper;
        bool ok = false;

        number++;
        if (line[strspn(line, " \t\r\n")] == '\0')
            continue; /* a blank line */
        field = spot_cli_value(line, column, &x, &ok);
        if (ok) {
            spot_thresholds(s, &lower, &upper);
            spot_cli_print(s, x, spot_step(s, x), lower, upper);
            continue;
        }
        if (number == 1)
            continue; /* a header */
        if (field == NULL)
            fprintf(stderr, "netspot: spot: line %ld: no field %ld\n", number,
                    column);
        else
            fprintf(stderr,
                    "netspot: spot: line %ld: '%.60s' is not a number"
                    "\n",
                    number, field);
        bad++;
    }
    free(line);
    return bad;
}

int cmd_spot(int argc, char **argv)
{
    struct spot_cli c = {0};
    struct spot *s = NULL;
    long bad;
    int rc;

    rc = spot_cli_parse(argc, argv, &c);
    if (rc == 0 && c.help) {
        spot_cli_usage();
        return CMD_OK;
    }
    if (rc == 0)
        rc = spot_cli_detector(&c, &s);
    if (rc < 0) {
        fprintf(stderr, "netspot: spot: %s\n", error_detail());
        return rc == ERROR_USAGE ? CMD_USAGE : CMD_FAILURE;
    }

    bad = spot_cli_run(s, stdin, c.column);
    if (bad > 0)
        fprintf(stderr, "netspot: spot: %ld bad line%s skipped\n", bad,
                bad > 1 ? "s" : "");
    if (ferror(stdin))
        rc = error_set(ERROR_IO, "standard input: %s", strerror(errno));
    if (rc == 0 && c.save != NULL)
        rc = spot_save_file(s, c.save);
    if (fflush(stdout) != 0 && rc == 0)
        rc = error_set(ERROR_IO, "standard output: %s", strerror(errno));
    if (rc < 0)
        fprintf(stderr, "netspot: spot: %s\n", error_detail());
    spot_free(s);
    return rc < 0 ? CMD_FAILURE : CMD_OK;
}

/*
 * Conformance with the reference outputs of the original implementations
 * (NETSPOT_SHARED_DATA/spot-vectors, described in its README):
 * - the libspot variant reproduces libspot last_cpp on every set (A to E)
 *   and stream, every line up to a NaN input: identical codes, thresholds
 *   within 1e-5 relative;
 * - both variants calibrate exactly as libspot 1.3.1 and last_cpp do: the
 *   drift, t, n and Nt they print agree to the last bit;
 * - netspot's own detector gives last_cpp's codes up to last_cpp's first
 *   alarm, except on five files where its fit departs earlier, at lines
 *   that are asserted.
 * Skipped (exit code 77) when the data folder is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "detect/spot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VEC_LINES_MAX 2000
#define VEC_COLS      14

struct vec_set {
    const char *name;
    struct spot_params p;
};

/* The README's argument order: depth q n_init level up down alert
 * bounded max_excess (libspot's max_excess 0 is an unbounded ring). */
static const struct vec_set vec_sets[] = {
    {"A", {1e-4, 1000, 0.98, true, false, true, true, 200, 50}},
    {"B", {1e-3, 1000, 0.98, true, true, true, true, 200, 0}},
    {"C", {1e-3, 500, 0.98, true, true, true, true, 100, 10}},
    {"D", {1e-3, 500, 0.99, true, true, false, false, 0, 20}},
    {"E", {1e-3, 500, 0.95, true, true, true, true, 30, 0}},
};

static const char *const vec_streams[] = {
    "gauss", "expo", "drift", "spikes", "pareto", "uniform", "nan"};

struct vec_output {
    int n;    /* lines */
    int cols; /* columns per line */
    double v[VEC_LINES_MAX][VEC_COLS];
};

static char vec_dir[4096];

static int vec_read_input(const char *stream, double *x)
{
    char path[4200], line[128];
    FILE *f;
    int n = 0;

    snprintf(path, sizeof(path), "%s/inputs/%s.txt", vec_dir, stream);
    f = fopen(path, "r");
    assert_non_null(f);
    while (n < VEC_LINES_MAX && fgets(line, sizeof(line), f) != NULL)
        x[n++] = strtod(line, NULL);
    fclose(f);
    return n;
}

/* Reads set-stream.oracle(.x).txt; returns false if there is none. */
static bool vec_read_output(const char *set, const char *stream,
                            const char *oracle, bool extra,
                            struct vec_output *out)
{
    char path[4200], line[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/outputs/%s-%s.%s%s", vec_dir, set, stream,
             oracle, extra ? ".x.txt" : ".txt");
    f = fopen(path, "r");
    if (f == NULL)
        return false;
    out->n = 0;
    while (out->n < VEC_LINES_MAX && fgets(line, sizeof(line), f) != NULL) {
        char *p = line, *end;
        int c = 0;

        for (; c < VEC_COLS; c++, p = end) {
            out->v[out->n][c] = strtod(p, &end);
            if (end == p)
                break;
        }
        out->cols = c;
        out->n++;
    }
    fclose(f);
    return true;
}

static struct spot *vec_detector(const struct vec_set *set,
                                 enum spot_variant variant)
{
    struct spot_params p = set->p;
    struct spot *s = NULL;

    if (p.max_excess <= 0) {
        p.bounded = false;
        p.max_excess = 0;
    }
    assert_int_equal(spot_new_variant(&p, variant, &s), 0);
    return s;
}

static double vec_rel(double got, double want)
{
    return want == 0.0 ? fabs(got) : fabs(got - want) / fabs(want);
}

/* libspot variant against last_cpp, every line up to a NaN input. */
static void test_libspot_variant_matches_last_cpp(void **state)
{
    static double x[VEC_LINES_MAX];
    static struct vec_output ref;
    int files = 0;

    (void)state;
    printf("# libspot variant vs libspot last_cpp\n");
    for (size_t k = 0; k < sizeof(vec_sets) / sizeof(vec_sets[0]); k++)
        for (size_t j = 0; j < sizeof(vec_streams) / sizeof(vec_streams[0]);
             j++) {
            const struct vec_set *set = &vec_sets[k];
            const char *stream = vec_streams[j];
            int n = vec_read_input(stream, x), lines = 0;
            double worst = 0.0;
            struct spot *s;

            if (!vec_read_output(set->name, stream, "libspot-last_cpp", false,
                                 &ref) &&
                !vec_read_output(set->name, stream, "libspot-last_cpp", true,
                                 &ref))
                continue;
            assert_int_equal(ref.n, n);
            s = vec_detector(set, SPOT_VARIANT_LIBSPOT);
            for (int i = 0; i < n; i++, lines++) {
                int code = spot_step(s, x[i]), want = (int)ref.v[i][1];
                double lower, upper, e_up, e_down;

                if (isnan(x[i])) {
                    assert_int_equal(code, SPOT_REJECTED);
                    break; /* libspot's state is NaN from here on */
                }
                if (code != want)
                    fail_msg("%s-%s line %d: code %d, last_cpp %d", set->name,
                             stream, i + 1, code, want);
                if (code == SPOT_WINDOW || code == SPOT_INIT_BATCH)
                    continue;
                spot_thresholds(s, &lower, &upper);
                /* Each error is checked before fmax(), which drops NaN. */
                e_up = set->p.up ? vec_rel(upper, ref.v[i][3]) : 0.0;
                e_down = set->p.down ? vec_rel(lower, ref.v[i][2]) : 0.0;
                if (!(e_up <= 1e-5) || !(e_down <= 1e-5))
                    fail_msg("%s-%s line %d: thresholds %.17g %.17g, "
                             "last_cpp %.17g %.17g",
                             set->name, stream, i + 1, lower, upper,
                             ref.v[i][2], ref.v[i][3]);
                worst = fmax(worst, fmax(e_up, e_down));
            }
            printf("%s-%-8s %4d lines, codes identical, thresholds within "
                   "%.1e\n",
                   set->name, stream, lines, worst);
            spot_free(s);
            files++;
        }
    assert_int_equal(files, 35);
}

/*
 * The drift libspot prints on a line, as "0 + drift": both thresholds
 * while the window fills and in the batch, the lower one for a down side
 * that is off. NaN where it prints none.
 */
static double vec_printed_drift(const struct vec_set *set, const double *c)
{
    int code = (int)c[1];

    if (code == SPOT_WINDOW || code == SPOT_INIT_BATCH)
        return c[3];
    return set->p.down ? NAN : c[2];
}

/* t, n and Nt after calibration from the .x.txt columns: drift t_down
 * t_up n Nt_down Nt_up (t with the drift). */
static void vec_check_calibration(const struct vec_set *set, const char *what,
                                  const double *c, const struct spot *s)
{
    struct spot_status st;

    spot_status_get(s, &st);
    if (memcmp(&st.drift, &c[4], sizeof(double)) != 0 ||
        (set->p.up && memcmp(&st.t_up, &c[6], sizeof(double)) != 0) ||
        (set->p.down && memcmp(&st.t_down, &c[5], sizeof(double)) != 0) ||
        (double)st.n != c[7] || (set->p.up && (double)st.nt_up != c[9]) ||
        (set->p.down && (double)st.nt_down != c[8]))
        fail_msg("%s calibration: drift %.17g t %.17g %.17g n %g Nt %g %g, "
                 "printed %.17g %.17g %.17g %g %g %g",
                 what, st.drift, st.t_down, st.t_up, (double)st.n,
                 (double)st.nt_down, (double)st.nt_up, c[4], c[5], c[6], c[7],
                 c[8], c[9]);
}

/*
 * Runs one variant on one stream against one reference output, checking
 * the drift on every line before the codes part (they do at the first
 * alarm, or where netspot's fit departs) and the calibration figures when
 * the output has them. Returns 1 if the calibration was checked.
 */
static int vec_calibration_run(const struct vec_set *set, const char *stream,
                               const char *oracle, bool extra,
                               enum spot_variant variant)
{
    static double x[VEC_LINES_MAX];
    static struct vec_output ref;
    int n = vec_read_input(stream, x), checked = 0;
    char what[80];
    struct spot *s;

    if (!vec_read_output(set->name, stream, oracle, extra, &ref))
        return 0;
    snprintf(what, sizeof(what), "%s-%s %s (variant %d)", set->name, stream,
             oracle, variant);
    s = vec_detector(set, variant);
    for (int i = 0; i < n && !isnan(x[i]); i++) {
        int code = spot_step(s, x[i]);
        double printed = vec_printed_drift(set, ref.v[i]);
        struct spot_status st;

        if (code != (int)ref.v[i][1] || code == SPOT_ALERT_UP ||
            code == SPOT_ALERT_DOWN)
            break;
        spot_status_get(s, &st);
        if (!isnan(printed) && memcmp(&st.drift, &printed, sizeof(double)))
            fail_msg("%s line %d: drift %.17g, printed %.17g", what, i + 1,
                     st.drift, printed);
        if (code == SPOT_CALIBRATION && extra) {
            vec_check_calibration(set, what, ref.v[i], s);
            checked = 1;
        }
    }
    spot_free(s);
    return checked;
}

static void test_calibration_exact(void **state)
{
    static const char *const oracles[] = {"libspot-1.3.1", "libspot-last_cpp"};
    int checked = 0;

    (void)state;
    for (size_t k = 0; k < sizeof(vec_sets) / sizeof(vec_sets[0]); k++) {
        const struct vec_set *set = &vec_sets[k];
        /* netspot refuses set D's 5 expected initial excesses */
        int variants = set->p.n_init * (1.0 - set->p.level) < 10.0 ? 1 : 2;

        for (size_t j = 0; j < sizeof(vec_streams) / sizeof(vec_streams[0]);
             j++)
            for (int o = 0; o < 2; o++)
                for (int v = 0; v < variants; v++)
                    for (int extra = 0; extra < 2; extra++)
                        checked += vec_calibration_run(
                            set, vec_streams[j], oracles[o], extra,
                            v == 0 ? SPOT_VARIANT_LIBSPOT
                                   : SPOT_VARIANT_NETSPOT);
    }
    printf("# drift exact on every line printed; t, n and Nt exact at "
           "calibration in %d runs\n",
           checked);
    assert_int_equal(checked, 12);
}

/*
 * Where netspot's detector departs from last_cpp before last_cpp's first
 * alarm (or with none): its fit finds the likelihood maximum where
 * last_cpp keeps the moments estimate, so z differs before any alarm
 * (docs/detector.md, "Conformance"). The 1-based line of the first
 * different code.
 */
static const struct {
    const char *set, *stream;
    int line;
} vec_early[] = {
    {"A", "expo", 1269}, {"C", "uniform", 740}, {"E", "gauss", 526},
    {"E", "drift", 556}, {"E", "spikes", 613},
};

/* The documented early departure of a file, 0 if it has none. */
static int vec_early_line(const char *set, const char *stream)
{
    for (size_t i = 0; i < sizeof(vec_early) / sizeof(vec_early[0]); i++)
        if (strcmp(vec_early[i].set, set) == 0 &&
            strcmp(vec_early[i].stream, stream) == 0)
            return vec_early[i].line;
    return 0;
}

/*
 * netspot's detector against last_cpp: identical codes up to and including
 * last_cpp's first alarm on every file it accepts (set D's 5 expected
 * initial excesses are refused), except the documented early departures,
 * which must stay where they are.
 */
static void test_netspot_departures(void **state)
{
    static double x[VEC_LINES_MAX];
    static struct vec_output ref;
    int files = 0, early = 0;

    (void)state;
    printf("# netspot's detector vs last_cpp: first line whose code differs "
           "(0 none), first alarm of last_cpp, lines with the same code\n");
    for (size_t k = 0; k < sizeof(vec_sets) / sizeof(vec_sets[0]); k++)
        for (size_t j = 0; j < sizeof(vec_streams) / sizeof(vec_streams[0]);
             j++) {
            const struct vec_set *set = &vec_sets[k];
            const char *stream = vec_streams[j];
            int n = vec_read_input(stream, x), known;
            int first = 0, alarm = 0, same = 0, lines = 0;
            struct spot *s;

            if (set->p.n_init * (1.0 - set->p.level) < 10.0 ||
                (!vec_read_output(set->name, stream, "libspot-last_cpp", false,
                                  &ref) &&
                 !vec_read_output(set->name, stream, "libspot-last_cpp", true,
                                  &ref)))
                continue;
            s = vec_detector(set, SPOT_VARIANT_NETSPOT);
            for (int i = 0; i < n && !isnan(x[i]); i++, lines++) {
                int code = spot_step(s, x[i]), want = (int)ref.v[i][1];

                same += code == want;
                if (first == 0 && code != want)
                    first = i + 1;
                if (alarm == 0 && (want == 1 || want == -1))
                    alarm = i + 1;
            }
            printf("%s-%-8s %5d %5d %4d/%d\n", set->name, stream, first, alarm,
                   same, lines);
            spot_free(s);
            known = vec_early_line(set->name, stream);
            if (known != 0 && first != known)
                fail_msg("%s-%s: first departure at line %d, documented at "
                         "%d",
                         set->name, stream, first, known);
            if (known == 0 && first != 0 && (alarm == 0 || first <= alarm))
                fail_msg("%s-%s: departs at line %d, before last_cpp's "
                         "first alarm (line %d, 0 none)",
                         set->name, stream, first, alarm);
            files++;
            early += known != 0;
        }
    assert_int_equal(files, 28);
    assert_int_equal(early, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_libspot_variant_matches_last_cpp),
        cmocka_unit_test(test_calibration_exact),
        cmocka_unit_test(test_netspot_departures),
    };
    const char *root = getenv("NETSPOT_SHARED_DATA");
    char readme[4200];
    FILE *f;

    if (root == NULL || root[0] == '\0') {
        printf("test_spot_vectors: skipped, NETSPOT_SHARED_DATA is not set\n");
        return 77;
    }
    snprintf(vec_dir, sizeof(vec_dir), "%s/spot-vectors", root);
    snprintf(readme, sizeof(readme), "%s/README.md", vec_dir);
    f = fopen(readme, "r");
    if (f == NULL) {
        printf("test_spot_vectors: skipped, %s is absent\n", vec_dir);
        return 77;
    }
    fclose(f);
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPOT detector: parameters, rejected values, codes, save and restore. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "detect/spot.h"
#include "util/error.h"

#include "test_spot_streams.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The whole state of a detector as its save text (malloc'd). */
static char *state_text(const struct spot *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    assert_int_equal(spot_save(s, f), 0);
    fclose(f);
    return buf;
}

static int load_text(const char *text, size_t len, struct spot **out)
{
    FILE *f = fmemopen((void *)(uintptr_t)text, len, "r");
    int rc;

    assert_non_null(f);
    rc = spot_load(f, out);
    fclose(f);
    return rc;
}

static struct spot *new_detector(const struct spot_params *p)
{
    struct spot *s = NULL;

    assert_int_equal(spot_new(p, &s), 0);
    assert_non_null(s);
    return s;
}

/* Feeds n values of a family; returns the number of alarms. */
static int feed(struct spot *s, struct stream_rng *r, enum stream_family f,
                int n)
{
    int alarms = 0;

    for (int i = 0; i < n; i++) {
        int code = spot_step(s, stream_value(r, f));

        alarms += code == SPOT_ALERT_UP || code == SPOT_ALERT_DOWN;
    }
    return alarms;
}

enum param_field { P_LEVEL, P_Q, P_N_INIT, P_MAX_EXCESS, P_DEPTH };

struct bad_param {
    const char *key; /* the parameter the message must name */
    enum param_field field;
    double value;
};

static void param_set(struct spot_params *p, enum param_field f, double v)
{
    switch (f) {
    case P_LEVEL:
        p->level = v;
        break;
    case P_Q:
        p->q = v;
        break;
    case P_N_INIT:
        p->n_init = (int)v;
        break;
    case P_MAX_EXCESS:
        p->max_excess = (int)v;
        break;
    case P_DEPTH:
        p->depth = (int)v;
        break;
    }
}

static void test_params_refused(void **state)
{
    static const struct bad_param cases[] = {
        {"spot.level", P_LEVEL, 0.0},
        {"spot.level", P_LEVEL, 1.0},
        {"spot.level", P_LEVEL, NAN},
        {"spot.q", P_Q, 0.0},
        {"spot.q", P_Q, -1e-4},
        {"spot.q", P_Q, 0.025}, /* 1 - level is 0.02 */
        {"spot.q", P_Q, NAN},
        {"spot.n_init", P_N_INIT, 0},
        {"spot.n_init", P_N_INIT, 499}, /* 9.98 initial excesses */
        {"spot.max_excess", P_MAX_EXCESS, 0},
        {"spot.max_excess", P_MAX_EXCESS, SPOT_EXCESS_LIMIT + 1},
        {"spot.depth", P_DEPTH, -1},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct spot_params p;
        struct spot *s = (struct spot *)&p;

        spot_params_default(&p);
        param_set(&p, cases[i].field, cases[i].value);
        error_clear();
        assert_int_equal(spot_params_check(&p), ERROR_INVALID);
        if (strstr(error_detail(), cases[i].key) == NULL)
            fail_msg("case %zu: '%s' does not name %s", i, error_detail(),
                     cases[i].key);
        assert_int_equal(spot_new(&p, &s), ERROR_INVALID);
        assert_null(s);
    }
}

static void test_params_accepted(void **state)
{
    struct spot_params p;

    (void)state;
    spot_params_default(&p);
    assert_int_equal(spot_params_check(&p), 0);
    assert_true(p.q == 1e-4 && p.n_init == 1000 && p.level == 0.98);
    assert_true(p.up && !p.down && p.alert && p.bounded);
    assert_int_equal(p.max_excess, 200);
    assert_int_equal(p.depth, 50);

    /* max_excess is not used when the tails are not bounded. */
    p.bounded = false;
    p.max_excess = 0;
    assert_int_equal(spot_params_check(&p), 0);

    /* Exactly 10 expected initial excesses, also when the product in
     * double falls just short (100 * (1 - 0.9) is 9.999...). */
    spot_params_default(&p);
    p.n_init = 500;
    assert_int_equal(spot_params_check(&p), 0);
    p.n_init = 100;
    p.level = 0.9;
    assert_true(p.n_init * (1.0 - p.level) < 10.0);
    assert_int_equal(spot_params_check(&p), 0);
}

static void test_libspot_variant_is_lenient(void **state)
{
    struct spot_params p;
    struct spot *s = NULL;

    (void)state;
    spot_params_default(&p);
    p.n_init = 500;
    p.level = 0.99; /* 5 expected initial excesses */
    assert_int_equal(spot_new(&p, &s), ERROR_INVALID);
    assert_int_equal(spot_new_variant(&p, SPOT_VARIANT_LIBSPOT, &s), 0);
    spot_free(s);

    p.level = 0.999; /* none at all */
    assert_int_equal(spot_new_variant(&p, SPOT_VARIANT_LIBSPOT, &s),
                     ERROR_INVALID);
    assert_non_null(strstr(error_detail(), "spot.n_init"));
}

static void test_nan_and_inf_rejected(void **state)
{
    static const double bad[] = {NAN, INFINITY, -INFINITY};
    struct spot_params p;
    struct stream_rng r;
    struct spot *s;

    (void)state;
    spot_params_default(&p);
    p.down = true;
    s = new_detector(&p);
    stream_seed(&r, 1);

    /* While filling the window, in the batch and once calibrated. */
    for (int phase = 0; phase < 3; phase++) {
        char *before, *after;

        feed(s, &r, STREAM_NORMAL, phase == 0 ? 10 : phase == 1 ? 500 : 3000);
        before = state_text(s);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
            assert_int_equal(spot_step(s, bad[i]), SPOT_REJECTED);
        after = state_text(s);
        assert_string_equal(before, after);
        free(before);
        free(after);
    }

    /* Huge finite values are ordinary alarms. */
    assert_int_equal(spot_step(s, 1.7e308), SPOT_ALERT_UP);
    assert_int_equal(spot_step(s, -1.7e308), SPOT_ALERT_DOWN);
    spot_free(s);
}

static void test_code_sequence(void **state)
{
    struct spot_params p;
    struct stream_rng r;
    struct spot *s;
    double lower, upper;

    (void)state;
    spot_params_default(&p);
    s = new_detector(&p);
    stream_seed(&r, 2);
    for (int i = 0; i < p.depth; i++) {
        assert_int_equal(spot_step(s, stream_normal(&r)), SPOT_WINDOW);
        spot_thresholds(s, &lower, &upper);
        assert_true(isnan(lower) && isnan(upper));
    }
    for (int i = 0; i < p.n_init - 1; i++) {
        assert_int_equal(spot_step(s, stream_normal(&r)), SPOT_INIT_BATCH);
        spot_thresholds(s, &lower, &upper);
        assert_true(isnan(upper));
        assert_true(isnan(spot_probability(s, 10.0)));
    }
    assert_int_equal(spot_step(s, stream_normal(&r)), SPOT_CALIBRATION);
    spot_thresholds(s, &lower, &upper);
    assert_true(isnan(lower)); /* down is off */
    assert_true(upper > 2.0 && upper < 6.0);
    spot_free(s);
}

static void test_status_and_probability(void **state)
{
    struct spot_params p;
    struct spot_status st;
    struct stream_rng r;
    struct spot *s;
    double lower, upper, y, expect;

    (void)state;
    spot_params_default(&p);
    p.depth = 0;
    p.down = true;
    s = new_detector(&p);
    stream_seed(&r, 3);
    feed(s, &r, STREAM_NORMAL, 20000);
    spot_status_get(s, &st);
    spot_thresholds(s, &lower, &upper);
    assert_true(st.z_up == upper && st.z_down == lower);
    assert_true(st.t_down < st.t_up && st.z_down < st.t_down &&
                st.t_up < st.z_up);
    assert_true(st.ex_up <= 200 && st.ex_up > 100 && st.nt_up >= st.ex_up);
    assert_true(st.drift == 0.0);

    /* Between the tail thresholds there is no tail to measure. */
    assert_true(isnan(spot_probability(s, 0.5 * (st.t_up + st.t_down))));

    /* P(X > z) is q at the threshold, by construction, right after the
     * excess that moved it (n grows between excesses)... */
    while (spot_step(s, stream_normal(&r)) != SPOT_EXCESS_UP)
        ;
    spot_thresholds(s, &lower, &upper);
    assert_float_equal(spot_probability(s, upper), p.q, 1e-12);
    while (spot_step(s, stream_normal(&r)) != SPOT_EXCESS_DOWN)
        ;
    spot_thresholds(s, &lower, &upper);
    assert_float_equal(spot_probability(s, lower), p.q, 1e-12);
    spot_status_get(s, &st);

    /* ...and the GPD survival function in between (gamma over sigma,
     * not sigma over gamma as gospot wrote it). */
    y = 0.5 * (st.z_up - st.t_up);
    expect = (double)st.nt_up / (double)st.n *
             pow(1.0 + st.gamma_up * y / st.sigma_up, -1.0 / st.gamma_up);
    assert_float_equal(spot_probability(s, st.t_up + y), expect,
                       1e-12 * expect);
    spot_free(s);
}

/* Runs a and b on the same values; both must answer exactly alike. */
static void assert_same_run(struct spot *a, struct spot *b, uint64_t seed,
                            int n)
{
    struct stream_rng r;

    stream_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        double x = i % 997 == 0 ? 7.0 : stream_normal(&r);
        double la, ua, lb, ub;

        assert_int_equal(spot_step(a, x), spot_step(b, x));
        spot_thresholds(a, &la, &ua);
        spot_thresholds(b, &lb, &ub);
        assert_memory_equal(&la, &lb, sizeof(la));
        assert_memory_equal(&ua, &ub, sizeof(ua));
    }
}

static void round_trip(const struct spot_params *p, enum spot_variant v,
                       int before)
{
    struct spot *a = NULL, *b = NULL;
    struct stream_rng r;
    char *text, *again;

    assert_int_equal(spot_new_variant(p, v, &a), 0);
    stream_seed(&r, 4);
    feed(a, &r, STREAM_NORMAL, before);
    text = state_text(a);
    assert_int_equal(load_text(text, strlen(text), &b), 0);
    again = state_text(b);
    assert_string_equal(text, again);
    assert_same_run(a, b, 5, 30000);
    free(text);
    free(again);
    spot_free(a);
    spot_free(b);
}

static void test_save_load_round_trip(void **state)
{
    struct spot_params p;

    (void)state;
    spot_params_default(&p);
    round_trip(&p, SPOT_VARIANT_NETSPOT, 20);    /* filling the window */
    round_trip(&p, SPOT_VARIANT_NETSPOT, 600);   /* in the batch */
    round_trip(&p, SPOT_VARIANT_NETSPOT, 50000); /* calibrated, alarms */
    p.down = true;
    p.depth = 0;
    p.q = 1e-3;
    round_trip(&p, SPOT_VARIANT_NETSPOT, 50000);
    p.bounded = false;
    round_trip(&p, SPOT_VARIANT_LIBSPOT, 5000);
}

/* spot_save_file() writes the whole state under its name and leaves no
 * temporary file; into a missing folder it fails and writes nothing. */
static void test_save_file(void **state)
{
    char dir[] = "/tmp/test_spot.XXXXXX", path[64], tmp[96], bad[96];
    struct spot_params p;
    struct spot *s, *loaded = NULL;
    char *want, *got;
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/R_SYN.spot", dir);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    snprintf(bad, sizeof(bad), "%s/missing/R_SYN.spot", dir);
    spot_params_default(&p);
    s = new_detector(&p);
    for (int i = 0; i < 1500; i++)
        spot_step(s, (double)(i % 97));
    assert_int_equal(spot_save_file(s, path), 0);
    assert_int_equal(access(tmp, F_OK), -1);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_int_equal(spot_load(f, &loaded), 0);
    fclose(f);
    want = state_text(s);
    got = state_text(loaded);
    assert_string_equal(want, got);
    assert_int_equal(spot_save_file(s, bad), ERROR_IO);
    assert_non_null(strstr(error_detail(), "missing/R_SYN.spot.tmp"));
    free(want);
    free(got);
    spot_free(s);
    spot_free(loaded);
    remove(path);
    rmdir(dir);
}

/* Feeds x, which must be refused without any change of state. */
static void assert_refused(struct spot *s, double x)
{
    char *before = state_text(s), *after;

    assert_int_equal(spot_step(s, x), SPOT_REJECTED);
    after = state_text(s);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* A finite value whose entry would overflow the window's mean is refused,
 * while the window fills and once it is full; later values are not. */
static void test_huge_values_keep_window_finite(void **state)
{
    struct spot_params p;
    struct spot *s;

    (void)state;
    spot_params_default(&p);
    s = new_detector(&p);
    assert_int_equal(spot_step(s, 1e308), SPOT_WINDOW);
    assert_refused(s, -1e308);
    assert_int_equal(spot_step(s, 0.0), SPOT_WINDOW);
    spot_free(s);

    /* Full window {1e308, -5e307}: evicting 1e308 for -1e308 overflows,
     * though -1e308 minus the mean does not. */
    p.depth = 2;
    s = new_detector(&p);
    assert_int_equal(spot_step(s, 1e308), SPOT_WINDOW);
    assert_int_equal(spot_step(s, -5e307), SPOT_WINDOW);
    assert_refused(s, -1e308);
    assert_int_equal(spot_step(s, 0.0), SPOT_INIT_BATCH);
    assert_int_equal(spot_step(s, 1.0), SPOT_INIT_BATCH);
    spot_free(s);
}

static void test_load_refuses_damage(void **state)
{
    struct spot_params p;
    struct stream_rng r;
    struct spot *s, *out = (struct spot *)&p;
    char *text, *copy;
    size_t len;

    (void)state;
    spot_params_default(&p);
    s = new_detector(&p);
    stream_seed(&r, 6);
    feed(s, &r, STREAM_NORMAL, 5000);
    text = state_text(s);
    len = strlen(text);
    copy = malloc(len + 1);
    assert_non_null(copy);

    /* Any changed byte, anywhere. */
    for (size_t at = 0; at < len; at += len / 97 + 1) {
        memcpy(copy, text, len + 1);
        copy[at] = copy[at] == '1' ? '2' : '1';
        assert_int_equal(load_text(copy, len, &out), ERROR_FORMAT);
        assert_null(out);
    }

    /* Truncated anywhere, even at a line end. */
    for (size_t cut = 0; cut < len; cut += len / 89 + 1) {
        assert_int_equal(load_text(text, cut, &out), ERROR_FORMAT);
        assert_null(out);
    }
    assert_int_equal(load_text(text, len - 1, &out), ERROR_FORMAT);

    /* Foreign inputs, another version, trailing text. */
    assert_int_equal(load_text("", 0, &out), ERROR_FORMAT);
    assert_int_equal(load_text("hello\n", 6, &out), ERROR_FORMAT);
    assert_non_null(strstr(error_detail(), "line 1"));
    memcpy(copy, text, len + 1);
    copy[13] = '3'; /* "netspot-spot 3" */
    assert_int_equal(load_text(copy, len, &out), ERROR_FORMAT);
    assert_non_null(strstr(error_detail(), "version"));
    copy = realloc(copy, len + 8);
    assert_non_null(copy);
    memcpy(copy, text, len);
    memcpy(copy + len, "extra\n", 7);
    assert_int_equal(load_text(copy, len + 6, &out), ERROR_FORMAT);
    assert_null(out);

    assert_int_equal(load_text(text, len, &out), 0);
    spot_free(out);
    free(copy);
    free(text);
    spot_free(s);
}

/* FNV-1a 64 of len bytes, as the save format's checksum. */
static uint64_t fnv1a(const char *text, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)text[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/*
 * A copy of the state text whose line starting with "key " reads
 * "key value" instead, with its checksum recomputed so that only the
 * domain checks can refuse it (malloc'd).
 */
static char *state_edit(const char *text, const char *key, const char *value)
{
    size_t klen = strlen(key), len = strlen(text) + strlen(value) + 64;
    char *out = malloc(len), *sum;
    const char *at = text, *end;
    int n;

    assert_non_null(out);
    while (strncmp(at, key, klen) != 0 || at[klen] != ' ') {
        at = strchr(at, '\n');
        assert_non_null(at);
        at++;
    }
    end = strchr(at, '\n');
    n = snprintf(out, len, "%.*s%s %s%s", (int)(at - text), text, key, value,
                 end);
    assert_true(n > 0 && (size_t)n < len);
    sum = strstr(out, "checksum ");
    assert_non_null(sum);
    snprintf(sum, len - (size_t)(sum - out), "checksum %016llx\n",
             (unsigned long long)fnv1a(out, (size_t)(sum - out)));
    return out;
}

/* Values outside their domain are refused, naming the field, even with a
 * valid checksum. */
static void test_load_checks_domains(void **state)
{
    static const struct {
        const char *key, *value, *named;
    } cases[] = {
        {"n", "10", "n_init"},
        {"window", "50 0 inf", "window mean"},
        {"up.t", "inf", "up.t"},
        {"up.z", "-inf", "up.z"},
        {"up.z", "nan", "up.z"},
        {"up.fit", "nan 0x1p+0 0x0p+0", "gamma"},
        {"up.fit", "0x0p+0 -0x1p+0 0x0p+0", "sigma"},
        {"up.fit", "0x0p+0 inf 0x0p+0", "sigma"},
        {"up.nt", "99999999", "nt"},
    };
    struct spot_params p;
    struct stream_rng r;
    struct spot *s, *out = NULL;
    char *text;

    (void)state;
    spot_params_default(&p);
    s = new_detector(&p);
    stream_seed(&r, 9);
    feed(s, &r, STREAM_NORMAL, 3000);
    text = state_text(s);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *copy = state_edit(text, cases[i].key, cases[i].value);

        error_clear();
        assert_int_equal(load_text(copy, strlen(copy), &out), ERROR_FORMAT);
        assert_null(out);
        if (strstr(error_detail(), cases[i].named) == NULL)
            fail_msg("%s %s: '%s' does not name %s", cases[i].key,
                     cases[i].value, error_detail(), cases[i].named);
        free(copy);
    }

    /* The same edit with its own value loads: the edit itself is sound. */
    {
        char *copy = state_edit(text, "up.al", "7");

        assert_int_equal(load_text(copy, strlen(copy), &out), 0);
        spot_free(out);
        free(copy);
    }
    free(text);
    spot_free(s);
}

/* A constant calibration batch leaves a tail with no width: every larger
 * value is beyond it. Nothing may become NaN or crash. */
static void test_constant_stream(void **state)
{
    struct spot_params p;
    struct spot *s;
    double lower, upper;

    (void)state;
    spot_params_default(&p);
    p.depth = 0;
    p.down = true;
    s = new_detector(&p);
    for (int i = 0; i < p.n_init; i++)
        spot_step(s, 3.0);
    spot_thresholds(s, &lower, &upper);
    assert_true(lower == 3.0 && upper == 3.0);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(spot_step(s, 3.0), SPOT_NORMAL);
    assert_int_equal(spot_step(s, 3.5), SPOT_ALERT_UP);
    assert_int_equal(spot_step(s, 2.5), SPOT_ALERT_DOWN);
    spot_thresholds(s, &lower, &upper);
    assert_false(isnan(lower) || isnan(upper));
    spot_free(s);
}

/* Integer-valued statistics: many excesses tie with t (zero excesses). */
static void test_ties(void **state)
{
    struct spot_params p;
    struct stream_rng r;
    struct spot *s;
    double lower, upper;
    int alarms = 0;

    (void)state;
    spot_params_default(&p);
    p.depth = 0;
    p.q = 1e-3;
    s = new_detector(&p);
    stream_seed(&r, 7);
    for (int i = 0; i < 200000; i++) {
        int code = spot_step(s, (double)stream_poisson(&r, 3.0));

        alarms += code == SPOT_ALERT_UP;
        spot_thresholds(s, &lower, &upper);
        assert_true(isnan(upper) == (i < p.n_init - 1));
    }
    /* Poisson(3) >= 10 has probability 1.1e-3. */
    assert_true(alarms < 2 * 200);
    spot_free(s);
}

/* level below 1/2: the two tails' calibration ranges overlap. */
static void test_low_level(void **state)
{
    struct spot_params p;
    struct stream_rng r;
    struct spot *s;
    struct spot_status st;

    (void)state;
    spot_params_default(&p);
    p.level = 0.3;
    p.q = 0.1;
    p.down = true;
    p.depth = 0;
    s = new_detector(&p);
    stream_seed(&r, 9);
    feed(s, &r, STREAM_UNIFORM, 5000);
    spot_status_get(s, &st);
    assert_float_equal(st.t_up, 0.3, 0.05);
    assert_float_equal(st.t_down, 0.7, 0.05);
    assert_true(st.z_up > st.t_up && st.z_down < st.t_down);
    assert_true(isfinite(st.gamma_up) && isfinite(st.gamma_down));
    spot_free(s);
}

static void test_memory_size(void **state)
{
    struct spot_params p;
    size_t base, more;

    (void)state;
    spot_params_default(&p);
    base = spot_memory_size(&p);
    assert_true(base > (size_t)p.n_init * sizeof(double) + 200 * 24);
    assert_true(base < 32 * 1024);
    p.max_excess = 400;
    more = spot_memory_size(&p);
    assert_true(more >= base + 200 * 24);
    p.down = true;
    assert_true(spot_memory_size(&p) >= more + 400 * 24);
    p.bounded = false;
    assert_true(spot_memory_size(&p) >=
                (size_t)2 * SPOT_EXCESS_LIMIT * (3 * sizeof(double) + 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params_refused),
        cmocka_unit_test(test_params_accepted),
        cmocka_unit_test(test_libspot_variant_is_lenient),
        cmocka_unit_test(test_nan_and_inf_rejected),
        cmocka_unit_test(test_code_sequence),
        cmocka_unit_test(test_status_and_probability),
        cmocka_unit_test(test_save_load_round_trip),
        cmocka_unit_test(test_save_file),
        cmocka_unit_test(test_huge_values_keep_window_finite),
        cmocka_unit_test(test_load_refuses_damage),
        cmocka_unit_test(test_load_checks_domains),
        cmocka_unit_test(test_constant_stream),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_low_level),
        cmocka_unit_test(test_memory_size),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

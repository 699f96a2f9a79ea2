/* DSPOT's moving baseline after an excursion on a side nobody watches: the
 * level that comes back must not be flagged for ever. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "detect/spot.h"

#include "test_spot_streams.h"

#include <stdio.h>

struct excursion {
    int during; /* alarms while the level is lowered */
    int after;  /* alarms once it is back */
    int last;   /* index, after the return, of the last alarm; -1 none */
};

/* Calm N(0,1), then `len` values at mean -shift (only the upper tail is
 * watched), then calm again for 2000 values. */
static struct excursion run_excursion(enum spot_variant variant, int depth,
                                      double shift, int len)
{
    struct spot_params p;
    struct stream_rng r;
    struct excursion e = {0, 0, -1};
    struct spot *s;

    spot_params_default(&p);
    p.depth = depth;
    assert_int_equal(spot_new_variant(&p, variant, &s), 0);
    stream_seed(&r, 7);
    for (int i = 0; i < 5000; i++)
        spot_step(s, stream_normal(&r));
    for (int i = 0; i < len; i++) {
        int code = spot_step(s, stream_normal(&r) - shift);

        e.during += code == SPOT_ALERT_UP;
    }
    for (int i = 0; i < 2000; i++) {
        if (spot_step(s, stream_normal(&r)) == SPOT_ALERT_UP) {
            e.after++;
            e.last = i;
        }
    }
    spot_free(s);
    return e;
}

static void test_baseline_recovers(void **state)
{
    const int depths[] = {10, 50};

    (void)state;
    for (size_t i = 0; i < 2; i++) {
        struct excursion e =
            run_excursion(SPOT_VARIANT_NETSPOT, depths[i], 20.0, 100);

        printf("# depth %d: %d alarms after the excursion, the last %d "
               "values after it\n",
               depths[i], e.after, e.last);
        assert_int_equal(e.during, 0);
        /* The baseline catches up within a few windows. */
        assert_true(e.last < 20 * depths[i]);
    }
}

/* The libspot rule keeps every alarm out of the window: stuck for ever. */
static void test_libspot_rule_stays_stuck(void **state)
{
    struct excursion e;

    (void)state;
    e = run_excursion(SPOT_VARIANT_LIBSPOT, 10, 20.0, 100);
    printf("# libspot rule: %d alarms in the 2000 values after\n", e.after);
    assert_int_equal(e.after, 2000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_baseline_recovers),
        cmocka_unit_test(test_libspot_rule_stays_stuck),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

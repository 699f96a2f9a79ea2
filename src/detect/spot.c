#include "detect/spot.h"

#include "util/error.h"

#include <math.h>
#include <stdlib.h>

struct spot {
    struct spot_params params;
};

void spot_params_default(struct spot_params *p)
{
    p->q = 1e-4;
    p->n_init = 1000;
    p->level = 0.98;
    p->up = true;
    p->down = false;
    p->alert = true;
    p->bounded = true;
    p->max_excess = 200;
    p->depth = 50;
}

int spot_params_check(const struct spot_params *p)
{
    (void)p;
    return 0;
}

int spot_new(const struct spot_params *p, struct spot **out)
{
    *out = calloc(1, sizeof(**out));
    if (*out == NULL)
        return ERROR_NOMEM;
    (*out)->params = *p;
    return 0;
}

void spot_free(struct spot *s)
{
    free(s);
}

const struct spot_params *spot_params_get(const struct spot *s)
{
    return &s->params;
}

int spot_step(struct spot *s, double x)
{
    (void)s;
    return isfinite(x) ? SPOT_INIT_BATCH : SPOT_REJECTED;
}

void spot_thresholds(const struct spot *s, double *lower, double *upper)
{
    (void)s;
    *lower = NAN;
    *upper = NAN;
}

double spot_probability(const struct spot *s, double x)
{
    (void)s;
    (void)x;
    return NAN;
}

#include "export/record.h"

#include <stdlib.h>
#include <string.h>

const char *record_alarm_status(const struct alarm *a)
{
    return a->code < 0 ? "DOWN_ALERT" : "UP_ALERT";
}

static int record_compare(const void *a, const void *b)
{
    const struct record_field *fa = a;
    const struct record_field *fb = b;

    return strcmp(fa->key, fb->key);
}

void record_sort(struct record *r)
{
    qsort(r->fields, r->n, sizeof(r->fields[0]), record_compare);
}

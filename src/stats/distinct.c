#include "stats/distinct.h"

#include "util/error.h"

#include <stdlib.h>
#include <string.h>

#define DISTINCT_MASK (DISTINCT_CAPACITY - 1u)

int distinct_init(struct distinct *d)
{
    d->slots = calloc(DISTINCT_CAPACITY, sizeof(*d->slots));
    d->scratch = calloc(DISTINCT_EXACT_MAX, sizeof(*d->scratch));
    d->used = 0;
    d->level = 0;
    if (d->slots == NULL || d->scratch == NULL) {
        distinct_free(d);
        return error_set(ERROR_NOMEM, "distinct: out of memory");
    }
    return 0;
}

void distinct_free(struct distinct *d)
{
    free(d->slots);
    free(d->scratch);
    d->slots = NULL;
    d->scratch = NULL;
}

void distinct_reset(struct distinct *d)
{
    if (d->used > 0)
        memset(d->slots, 0, DISTINCT_CAPACITY * sizeof(*d->slots));
    d->used = 0;
    d->level = 0;
}

/* Final mixer of splitmix64: spreads every input bit over the output. */
static inline uint64_t distinct_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9u;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebu;
    x ^= x >> 31;
    return x;
}

uint64_t distinct_hash_addr(const uint8_t *addr, uint32_t len)
{
    uint64_t a, b, h;

    if (len == 4) {
        uint32_t v;

        memcpy(&v, addr, 4);
        h = distinct_mix(v ^ 0x4000000000000000u);
    } else {
        memcpy(&a, addr, 8);
        memcpy(&b, addr + 8, 8);
        h = distinct_mix(distinct_mix(a ^ 0x6000000000000000u) ^ b);
    }
    return h != 0 ? h : 1;
}

/* Whether a hash is kept at the set's sampling level. */
static inline int distinct_sampled(const struct distinct *d, uint64_t h)
{
    return d->level == 0 || (h >> (64 - d->level)) == 0;
}

/* Inserts without any check of the load; returns 1 if the key was new. */
static inline int distinct_insert(struct distinct *d, uint64_t h)
{
    uint32_t i = (uint32_t)h & DISTINCT_MASK;

    while (d->slots[i] != 0) {
        if (d->slots[i] == h)
            return 0;
        i = (i + 1) & DISTINCT_MASK;
    }
    d->slots[i] = h;
    d->used++;
    return 1;
}

/* Raises the sampling level by one and rebuilds the table with the hashes
 * it keeps. Runs at most 64 times a period. */
static void distinct_raise(struct distinct *d)
{
    uint32_t kept = 0;

    d->level++;
    for (uint32_t i = 0; i < DISTINCT_CAPACITY; i++) {
        if (d->slots[i] != 0 && distinct_sampled(d, d->slots[i]))
            d->scratch[kept++] = d->slots[i];
    }
    memset(d->slots, 0, DISTINCT_CAPACITY * sizeof(*d->slots));
    d->used = 0;
    for (uint32_t i = 0; i < kept; i++)
        distinct_insert(d, d->scratch[i]);
}

void distinct_add(struct distinct *d, uint64_t hash)
{
    if (!distinct_sampled(d, hash))
        return;
    if (distinct_insert(d, hash) && d->used >= DISTINCT_EXACT_MAX)
        distinct_raise(d);
}

uint64_t distinct_count(const struct distinct *d)
{
    return (uint64_t)d->used << d->level;
}

void distinct_merge(struct distinct *dst, const struct distinct *src)
{
    while (dst->level < src->level)
        distinct_raise(dst);
    for (uint32_t i = 0; i < DISTINCT_CAPACITY && src->used > 0; i++) {
        if (src->slots[i] != 0)
            distinct_add(dst, src->slots[i]);
    }
}

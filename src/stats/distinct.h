/*
 * Distinct counting in bounded memory: how many different keys (addresses)
 * were seen in a period.
 *
 * Keys are 64-bit hashes kept in an open-addressing table of
 * DISTINCT_CAPACITY slots allocated once. The count is exact (up to hash
 * collisions, about 1 in 10^9 for a million keys) while fewer than
 * DISTINCT_EXACT_MAX keys were seen. Beyond, the set switches to adaptive
 * sampling: at level k it keeps only the hashes whose k top bits are zero
 * and estimates the count as kept * 2^k, raising k whenever the table would
 * pass DISTINCT_EXACT_MAX. The relative standard error of the estimate is
 * then about 1/sqrt(DISTINCT_EXACT_MAX / 2), i.e. under 0.5%.
 *
 * The result depends only on the set of keys, not on their order, and two
 * sets merge into the set of the union: counts are the same whatever the
 * number of workers.
 */
#ifndef NETSPOT_STATS_DISTINCT_H
#define NETSPOT_STATS_DISTINCT_H

#include <stdint.h>

/* Slots of a table: 2^17 slots of 8 bytes, 1 MiB per set (plus half
 * that to rebuild it when sampling starts). */
#define DISTINCT_CAPACITY_LOG2 17
#define DISTINCT_CAPACITY      (1u << DISTINCT_CAPACITY_LOG2)
/* Keys held before sampling starts: half the slots keep probes short. */
#define DISTINCT_EXACT_MAX (DISTINCT_CAPACITY / 2)

struct distinct {
    uint64_t *slots;   /* DISTINCT_CAPACITY hashes, 0 for an empty slot */
    uint64_t *scratch; /* DISTINCT_EXACT_MAX hashes, to rebuild the table */
    uint32_t used;     /* slots in use */
    uint32_t level;    /* sampling level k; 0 while exact */
};

/* Allocates the table. Returns 0 or ERROR_NOMEM. */
int distinct_init(struct distinct *d);

/* Releases the table; a zeroed struct is a no-op. */
void distinct_free(struct distinct *d);

/* Empties the set for a new period. */
void distinct_reset(struct distinct *d);

/* Adds a key given as its 64-bit hash (see distinct_hash_addr). */
void distinct_add(struct distinct *d, uint64_t hash);

/* Asks the processor to fetch the slot where hash would be looked up, so
 * that a later distinct_add() of it does not wait for memory. Changes
 * nothing in the set. */
static inline void distinct_prefetch(const struct distinct *d, uint64_t hash)
{
    __builtin_prefetch(&d->slots[(uint32_t)hash & (DISTINCT_CAPACITY - 1u)]);
}

/* Hash of an address of len bytes (4 or 16); never 0. */
uint64_t distinct_hash_addr(const uint8_t *addr, uint32_t len);

/* Number of distinct keys, exact or estimated as described above. */
uint64_t distinct_count(const struct distinct *d);

/* Adds every key of src into dst. */
void distinct_merge(struct distinct *dst, const struct distinct *src);

#endif

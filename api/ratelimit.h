/*
 * ratelimit.h - the request budgets of DNSAPI_RATE_LIMIT: one table for
 * the whole process, shared by every event loop, so that a token's budget
 * is one budget whichever loop its requests arrive on.
 *
 * Each key (a budget and a token id or client address) has a token bucket,
 * kept as the time at which it will be full again (GCRA: one number per
 * key). The table is a fixed array of small sets of slots, each set guarded
 * by one of many mutexes, so loops working on different keys do not meet
 * and the memory never grows: a new key takes an empty slot of its set, or
 * the slot whose bucket is full (nothing is lost by forgetting it), or else
 * the one that will be full soonest (counted as an eviction).
 */
#ifndef DNSAPI_API_RATELIMIT_H
#define DNSAPI_API_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"

/* The longest key (a token id, an address in binary). */
#define RATELIMIT_KEY_MAX 45
/* Slots when the caller has no reason to pick: 65536 (3.5 MiB). */
#define RATELIMIT_DEFAULT_SLOTS 65536

typedef struct ratelimit ratelimit_t;

/* What one request did to its bucket. */
typedef struct {
    bool allowed;
    uint32_t limit;     /* the budget's burst: the most requests at once */
    uint32_t remaining; /* requests that would be allowed right now */
    uint64_t reset_ns;  /* until the bucket is full again */
    uint64_t retry_ns;  /* refused: until one request would be allowed */
} ratelimit_result_t;

typedef struct {
    size_t slots;                 /* capacity */
    size_t used;                  /* slots that have held a key */
    unsigned long long evictions; /* keys forgotten before their bucket was full */
} ratelimit_stats_t;

/* A table of at least slots slots (rounded up to a power of two, at least
 * 64); seed keys its hash (from the kernel's random source when 0). NULL
 * when out of memory. */
ratelimit_t *ratelimit_new(size_t slots, uint64_t seed);

void ratelimit_free(ratelimit_t *rl);

/* Counts one request of key (keylen <= RATELIMIT_KEY_MAX bytes) against
 * budget (DNSAPI_RATE_*) with rate at now_ns (a monotonic clock) and fills
 * out. A refused request leaves the bucket as it was. rate->burst must not
 * be 0. Safe from any thread. */
void ratelimit_take(ratelimit_t *rl, int budget, const dnsapi_rate_t *rate, const void *key,
                    size_t keylen, uint64_t now_ns, ratelimit_result_t *out);

/* The table's figures, for /metrics. */
void ratelimit_stats(ratelimit_t *rl, ratelimit_stats_t *st);

/* Seconds, rounded up, at least 1: what Retry-After and RateLimit-Reset
 * carry for a wait of ns. */
uint64_t ratelimit_seconds(uint64_t ns);

#endif

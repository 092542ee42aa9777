/* The request budgets (see ratelimit.h). */
#include "api/ratelimit.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define WAYS 8
#define STRIPES 256

typedef struct {
    uint64_t tat;                       /* when the bucket is full again; 0: never used */
    uint8_t len;                        /* 0: empty */
    uint8_t key[RATELIMIT_KEY_MAX + 1]; /* the budget, then the key */
} slot_t;

/* A mutex on its own cache line, so that loops taking neighbouring
 * stripes do not slow each other down. */
typedef struct {
    pthread_mutex_t mu;
    char pad[64 - sizeof(pthread_mutex_t) % 64];
} stripe_t;

struct ratelimit {
    size_t nsets; /* a power of two */
    uint64_t seed;
    slot_t *slots; /* nsets * WAYS */
    stripe_t stripes[STRIPES];
    atomic_size_t used;
    atomic_ullong evictions;
};

ratelimit_t *ratelimit_new(size_t slots, uint64_t seed)
{
    size_t nsets = 8;
    while (nsets * WAYS < slots && nsets < ((size_t)1 << 40)) {
        nsets <<= 1;
    }
    ratelimit_t *rl = calloc(1, sizeof(*rl));
    if (rl == NULL) {
        return NULL;
    }
    rl->slots = calloc(nsets * WAYS, sizeof(slot_t));
    if (rl->slots == NULL) {
        free(rl);
        return NULL;
    }
    if (seed == 0 && getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed)) {
        seed = (uint64_t)(uintptr_t)rl ^ 0x9e3779b97f4a7c15ull;
    }
    rl->nsets = nsets;
    rl->seed = seed;
    for (int i = 0; i < STRIPES; i++) {
        pthread_mutex_init(&rl->stripes[i].mu, NULL);
    }
    return rl;
}

void ratelimit_free(ratelimit_t *rl)
{
    if (rl == NULL) {
        return;
    }
    for (int i = 0; i < STRIPES; i++) {
        pthread_mutex_destroy(&rl->stripes[i].mu);
    }
    free(rl->slots);
    free(rl);
}

/* FNV-1a over the seed and the key, then a 64-bit finalizer: keys that
 * share a prefix spread over the sets, and a client that does not know
 * the seed cannot aim its addresses at one set. */
static uint64_t key_hash(uint64_t seed, const uint8_t *k, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull ^ seed;
    for (size_t i = 0; i < len; i++) {
        h = (h ^ k[i]) * 0x100000001b3ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

/* The slot of key in set: its own, else an empty one, else the one whose
 * bucket is full or will be full soonest. */
static slot_t *slot_find(ratelimit_t *rl, slot_t *set, const uint8_t *k, size_t len,
                         uint64_t now_ns)
{
    slot_t *victim = NULL;
    for (int w = 0; w < WAYS; w++) {
        slot_t *s = &set[w];
        if (s->len == len && memcmp(s->key, k, len) == 0) {
            return s;
        }
        if (victim == NULL || (victim->len != 0 && (s->len == 0 || s->tat < victim->tat))) {
            victim = s;
        }
    }
    if (victim->len == 0) {
        atomic_fetch_add_explicit(&rl->used, 1, memory_order_relaxed);
    } else if (victim->tat > now_ns) {
        atomic_fetch_add_explicit(&rl->evictions, 1, memory_order_relaxed);
    }
    victim->len = (uint8_t)len;
    memcpy(victim->key, k, len);
    victim->tat = 0;
    return victim;
}

void ratelimit_take(ratelimit_t *rl, int budget, const dnsapi_rate_t *rate, const void *key,
                    size_t keylen, uint64_t now_ns, ratelimit_result_t *out)
{
    assert(rate->burst > 0 && rate->period_ns > 0);
    uint8_t k[RATELIMIT_KEY_MAX + 1];
    if (keylen > RATELIMIT_KEY_MAX) {
        keylen = RATELIMIT_KEY_MAX;
    }
    k[0] = (uint8_t)budget;
    memcpy(k + 1, key, keylen);
    size_t len = keylen + 1;
    uint64_t h = key_hash(rl->seed, k, len);
    size_t set = (size_t)h & (rl->nsets - 1);
    /* a set always under the same stripe */
    pthread_mutex_t *mu = &rl->stripes[set % STRIPES].mu;
    uint64_t t = rate->period_ns, cap = (uint64_t)rate->burst * t;

    pthread_mutex_lock(mu);
    slot_t *s = slot_find(rl, &rl->slots[set * WAYS], k, len, now_ns);
    uint64_t start = s->tat > now_ns ? s->tat : now_ns;
    uint64_t tat = start + t;
    out->limit = rate->burst;
    out->allowed = tat - now_ns <= cap;
    if (out->allowed) {
        s->tat = tat;
        out->remaining = (uint32_t)((cap - (tat - now_ns)) / t);
        out->reset_ns = tat - now_ns;
        out->retry_ns = 0;
    } else {
        out->remaining = 0;
        out->reset_ns = start - now_ns;
        out->retry_ns = tat - now_ns - cap;
    }
    pthread_mutex_unlock(mu);
}

void ratelimit_stats(ratelimit_t *rl, ratelimit_stats_t *st)
{
    st->slots = rl->nsets * WAYS;
    st->used = atomic_load_explicit(&rl->used, memory_order_relaxed);
    st->evictions = atomic_load_explicit(&rl->evictions, memory_order_relaxed);
}

uint64_t ratelimit_seconds(uint64_t ns)
{
    uint64_t s = (ns + 999999999ull) / 1000000000ull;
    return s > 0 ? s : 1;
}

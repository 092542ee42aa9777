/*
 * tsig_replay.c - the TSIG replay cache (see tsig.h for the policy): the
 * MACs of verified requests, remembered until their time window closes.
 */
#include "dns/tsig.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define REPLAY_PROBES 32

typedef struct {
    uint8_t digest[32]; /* SHA-256 of key name and MAC */
    uint64_t expires;
    bool used;
} replay_slot_t;

struct dns_tsig_replay {
    pthread_mutex_t lock;
    replay_slot_t *slots;
    size_t mask;
};

dns_tsig_replay_t *dns_tsig_replay_new(size_t capacity)
{
    size_t cap = 1;
    if (capacity == 0) {
        capacity = 16384;
    }
    while (cap < capacity && cap < ((size_t)1 << 24)) {
        cap <<= 1;
    }
    if (cap < REPLAY_PROBES) {
        cap = REPLAY_PROBES;
    }
    dns_tsig_replay_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return NULL;
    }
    c->slots = calloc(cap, sizeof(*c->slots));
    if (c->slots == NULL) {
        free(c);
        return NULL;
    }
    c->mask = cap - 1;
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void dns_tsig_replay_free(dns_tsig_replay_t *c)
{
    if (c == NULL) {
        return;
    }
    pthread_mutex_destroy(&c->lock);
    free(c->slots);
    free(c);
}

/* Linear probing from the digest's home slot. Slots are never emptied,
 * only reused once expired, so a remembered digest always lies between
 * its home slot and the first never-used slot. */
bool dns_tsig_replay_seen(dns_tsig_replay_t *c, const uint8_t *key, size_t key_len,
                          const uint8_t *mac, size_t mac_len, uint64_t expires, uint64_t now)
{
    uint8_t digest[32];
    unsigned int dlen = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
              EVP_DigestUpdate(md, key, key_len) == 1 && EVP_DigestUpdate(md, mac, mac_len) == 1 &&
              EVP_DigestFinal_ex(md, digest, &dlen) == 1;
    EVP_MD_CTX_free(md);
    if (!ok) {
        return true; /* cannot tell: refuse rather than risk a replay */
    }
    uint64_t home = 0;
    memcpy(&home, digest, sizeof(home));

    pthread_mutex_lock(&c->lock);
    replay_slot_t *free_slot = NULL;
    replay_slot_t *oldest = NULL;
    bool seen = false;
    for (size_t i = 0; i < REPLAY_PROBES; i++) {
        replay_slot_t *s = &c->slots[(home + i) & c->mask];
        if (!s->used) {
            free_slot = free_slot != NULL ? free_slot : s;
            break;
        }
        bool expired = s->expires < now;
        if (!expired && memcmp(s->digest, digest, sizeof(digest)) == 0) {
            seen = true;
            break;
        }
        if (expired && free_slot == NULL) {
            free_slot = s;
        }
        if (oldest == NULL || s->expires < oldest->expires) {
            oldest = s;
        }
    }
    if (!seen) {
        replay_slot_t *s = free_slot != NULL ? free_slot : oldest;
        memcpy(s->digest, digest, sizeof(digest));
        s->expires = expires;
        s->used = true;
    }
    pthread_mutex_unlock(&c->lock);
    return seen;
}

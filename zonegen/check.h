/*
 * check.h - many SOA checks at once: which serial does each server serve
 * for each zone? Every (zone, server) pair of a round is asked in parallel
 * over one UDP socket per server, polled again while it serves an older
 * serial, all within one bounded wait. A server that does not answer only
 * costs its own checks their time; nobody waits for it in turn.
 *
 * Checks of a secondary are signed with the TSIG key when there is one, so
 * that a secondary holding another key says so (BADKEY, BADSIG) at once
 * instead of silently never transferring. Answers are matched by id and
 * question; their own signature is not verified (they only report a
 * serial).
 */
#ifndef DNSAPI_ZONEGEN_CHECK_H
#define DNSAPI_ZONEGEN_CHECK_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"

/* How a check ended. */
typedef enum {
    ZONEGEN_CHECK_PENDING = 0, /* no verdict yet (only inside a round) */
    ZONEGEN_CHECK_IN_SYNC,     /* serves want or later */
    ZONEGEN_CHECK_BEHIND,      /* answers with an older serial */
    ZONEGEN_CHECK_NOT_SERVED,  /* answers, but not authoritatively for the zone */
    ZONEGEN_CHECK_NO_ANSWER,   /* silence, or the port is closed */
    ZONEGEN_CHECK_TSIG,        /* refuses the TSIG key */
} zonegen_check_result_t;

/* A server taking part in a round. */
typedef struct {
    const char *name;              /* for messages */
    const dnsapi_hostport_t *addr; /* borrowed */
    int secondary;                 /* 1: a secondary (transfers); 0: the primary side */
    int sign;                      /* sign queries with the round's key */
    int budget_ms;                 /* time its checks get (<= the round's) */
    int answered;                  /* out: it answered anything in the round */
} zonegen_check_server_t;

/* One (zone, server) question and its answer. */
typedef struct {
    const char *zone; /* absolute; borrowed */
    uint32_t want;
    size_t server; /* index into the round's servers */
    /* out */
    zonegen_check_result_t result;
    int has_serial;
    uint32_t serial; /* the last serial seen */
    int elapsed_ms;
    char error[768]; /* empty when in sync: what is wrong, what to look at */
} zonegen_check_t;

typedef struct {
    zonegen_check_server_t *servers;
    size_t n_servers;
    int total_ms;                 /* the one bounded wait of the round */
    const dnsapi_tsig_key_t *key; /* NULL: nothing is signed */
    const char *catalog;          /* named in errors when set, else NULL */
    volatile sig_atomic_t *stop;  /* ends the round early when set; may be NULL */
} zonegen_check_round_t;

/* Runs every check of checks (n of them) and fills in their results.
 * Returns DNSAPI_OK (whatever the servers answered), or a negative status
 * when the round could not run (no memory, no socket). */
int zonegen_check_run(const zonegen_check_round_t *round, zonegen_check_t *checks, size_t n);

#endif

/*
 * write.h - the one write path of the HTTP API: a change (dns/change.h)
 * taken through a write transaction (storage/store_tx.h), the view of the
 * zone as it will be and the rules, to one commit.
 *
 * An endpoint fills an api_write_t with two hooks and starts it:
 *   build   adds the operations (called once the zone's name is known:
 *           at once when {zone} is a name, after the first round when it is
 *           an id); errors go to w->report
 *   interest optional: more names to load in the first rounds (names the
 *           client filters on), added to in (in the change's arena)
 *   plan    optional: once the first rounds are in, turns the stored
 *           records loaded (dns_view_stored; every record of the zone with
 *           load_all) and what the client sent into operations (import, a
 *           filtered delete)
 *   bound   optional: checks that need the stored records (PATCH)
 *   answer  with what the write did (NULL when nothing needed writing),
 *           builds the answer and hands it to api_answer_tx(w->r, w->tx...)
 *           (setting w->tx to NULL)
 * The steps, in order, all in api/write.c:
 *   1. open the transaction: token, Idempotency-Key (a replay answers at
 *      once), the zone locked, the records the change names and touches;
 *   2. bind the change to the view; load the names a patch reaches; bind
 *      again (at most twice);
 *   3. dns_rules_check_change; any error answers with every problem found;
 *   4. write, then answer (committed with the answer when keyed).
 */
#ifndef DNSAPI_API_WRITE_H
#define DNSAPI_API_WRITE_H

#include "api/api.h"
#include "storage/store_tx.h"

typedef struct api_write api_write_t;

/* Who asked for the write and how it is answered: the HTTP request
 * (api_write_new) or another way in, such as the DNS UPDATE listener
 * (api_write_new_for). The engine calls these; each answers at most once. */
typedef struct {
    /* before a store operation starts: keep the asker (and w) alive */
    void (*hold)(api_write_t *w);
    /* when it has called back: false when the asker has gone meanwhile
     * (the engine then only ends the transaction) */
    bool (*resume)(api_write_t *w);
    void (*fail)(api_write_t *w, const dnsapi_err_t *err);
    void (*fail_report)(api_write_t *w, const dns_report_t *rep);
    /* the stored answer of an earlier request with the same key */
    void (*replay)(api_write_t *w, int status, const char *body, size_t len);
} api_write_host_t;

struct api_write {
    api_req_t *r; /* the HTTP request, or NULL */
    const api_write_host_t *host;
    void *host_ctx;
    /* what the store needs: set from r by api_write_new, by the caller
     * otherwise (borrowed: they must outlive the write) */
    db_pool_t *db;
    const store_auth_t *auth;
    const char *zone_key; /* the zone's name (absolute) or id */
    bool zone_key_is_id;
    const store_idem_t *idem; /* NULL: no Idempotency-Key */
    dns_limits_t limits;
    dns_change_t change;
    bool change_ready;
    dns_view_t *view;
    dns_report_t report;
    bool keep_going;    /* report every problem: go on past build and plan errors */
    dns_report_t early; /* their errors meanwhile */
    store_tx_t *tx;
    bool dry_run;
    bool load_all; /* load every record of the zone in the first round */
    int loads;     /* extra load rounds so far */
    /* the zone, from the first round */
    char zone_id[40];
    char zone_name[300];
    uint32_t zone_serial;
    char *zone_nameservers_json; /* the zone's apex NS names (JSON), for the glue */
    int (*build)(api_write_t *w);
    int (*interest)(api_write_t *w, dns_interest_t *in);
    int (*plan)(api_write_t *w);
    bool planned;
    /* optional: once every delete and patch is bound to its record, before
     * the rules; errors go to w->report */
    int (*bound)(api_write_t *w);
    void (*answer)(api_write_t *w, const store_written_t *written);
    void *data; /* the endpoint's own, freed with data_free (if set) */
    void (*data_free)(void *data);
};

/* Sets w up for r, reporting at most max_errors problems; gives r the state
 * (freed with it). Returns w. */
api_write_t *api_write_new(api_req_t *r, size_t max_errors);

/* A write for another way in: the caller sets db, auth, zone_key, limits
 * (and idem) and the hooks, and frees w with api_write_free once the host
 * has been answered. */
api_write_t *api_write_new_for(const api_write_host_t *host, void *ctx, size_t max_errors);
void api_write_free(api_write_t *w);

/* Starts the write (hooks set). */
void api_write_start(api_write_t *w);

/* For answer hooks: adds dry_run and the warnings to d and answers with
 * status, committed with the write when keyed (takes d and w->tx). */
void api_write_answer(api_write_t *w, int status, json_t *d);

/* For hooks: the answer of a write that failed in a hook. */
void api_write_fail(api_write_t *w, const dnsapi_err_t *err);

#endif

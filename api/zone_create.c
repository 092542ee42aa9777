/*
 * POST /v1/zones - create a zone with its system records (the SOA and the
 * configured apex NS set), and, unless "delegate" is false, the delegation
 * to it in the account's nearest enclosing zone (migrations/0040).
 *
 * 1. input: token with zones:write, the JSON body {"name", "delegate"?},
 *    an Idempotency-Key;
 * 2. the name normalized and held to the token's zone limit;
 * 3. store_zone_create: one implicit transaction (with a key: the key's
 *    claim, then the zone, committed with the answer);
 * 4. answer: 201 {message, zone}.
 */
#include "api/api.h"
#include "api/view.h"
#include "dns/dns.h"
#include "storage/store_zone.h"

static void on_created(void *ctx, store_tx_t *tx, const store_tx_result_t *res)
{
    api_req_t *r = ctx;
    if (!api_resume(r)) {
        store_tx_end(tx);
        return;
    }
    if (res->replay) {
        store_tx_end(tx);
        api_answer_replay(r, res->replay_status, res->replay_body, res->replay_len);
        return;
    }
    if (res->status != DNSAPI_OK) {
        store_tx_end(tx);
        api_fail(r, &res->err);
        return;
    }
    json_t *d = json_object();
    json_object_set_new(d, "message", json_string("Zone created successfully"));
    json_object_set_new(d, "zone", view_zone(res->zone));
    api_answer_tx(r, tx, 201, d);
}

void handle_zone_create(api_req_t *r)
{
    static const char *const allowed[] = {"name", "delegate", NULL};
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    const char *name = NULL;
    bool delegate = true;
    char zone[DNS_NAME_BUFSIZE];
    if (api_body_check_fields(r->body, allowed, NULL, &err) != DNSAPI_OK ||
        api_body_string(r->body, "name", true, false, &name, &err) < 0 ||
        api_body_bool(r->body, "delegate", &delegate, &err) < 0 ||
        dns_zone_name_normalize(name, zone, sizeof(zone), &err) != DNSAPI_OK) {
        api_fail(r, &err);
        return;
    }
    if (!auth_token_allows_zone(&r->token, zone)) {
        api_failf(r, DNSAPI_EFORBIDDEN, NULL, NULL,
                  "this token is limited to some zones and may not create '%s'", zone);
        return;
    }
    if (!dns_policy_allows_zone(r->token.policies, r->token.n_policies, zone)) {
        api_failf(r, DNSAPI_EFORBIDDEN, NULL, NULL,
                  "this token's policies do not allow writing all of '%s', which creating it does",
                  zone);
        return;
    }
    const dnsapi_config_t *cfg = r->thread->cfg;
    store_zone_create(r->thread->db, &r->auth, zone, (const char(*)[256])cfg->nameservers,
                      cfg->n_nameservers, cfg->hostmaster, delegate, r->has_idem ? &r->idem : NULL,
                      on_created, api_hold(r));
}

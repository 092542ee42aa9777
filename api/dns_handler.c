/* One DNS message to the UPDATE listener (see dns_handler.h). */
#include "api/dns_handler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "api/credential.h"
#include "api/metrics.h"
#include "api/policy_json.h"
#include "api/write.h"
#include "common/log.h"
#include "dns/message.h"
#include "dns/update.h"
#include "storage/store_tsig.h"
#include "storage/store_zone.h"

#define ANSWER_TCP_MAX 65535
/* Room a TSIG record of this verdict takes in an answer: the owner and
 * algorithm names, the fixed fields, a full MAC, 6 octets of Other Data. */
#define TSIG_ROOM(v) ((v)->key_name_len + (v)->alg_name_len + 10 + 16 + DNS_TSIG_MAC_MAX + 6)

typedef struct {
    api_thread_t *t;
    dns_tsig_replay_t *replay;
    dns_answer_cb cb;
    void *cb_ctx;
    bool tcp;
    uint8_t *msg;
    size_t len;
    dns_msg_info_t info;
    /* TSIG: the request's record, the key of that name, the verdict */
    bool is_signed;
    dns_tsig_rr_t rr;
    dns_tsig_key_t key;
    bool have_key;
    dns_tsig_verdict_t verdict;
    /* the key as a credential */
    char key_id[40];
    char account_id[40];
    unsigned scopes;
    char zones[AUTH_MAX_ZONES][256];
    size_t n_zones;
    dns_policy_t policies[DNS_POLICY_MAX];
    size_t n_policies;
    store_auth_t auth;
    /* UPDATE */
    char zone[DNS_WIRE_NAME_TEXT];
    dns_update_t *u;
    dns_update_result_t res;
    bool prereq_failed; /* res holds a prerequisite's or the update section's rcode */
    dns_update_ops_t ops;
    dns_record_t *stored; /* contiguous copy of the view's stored records */
    api_write_t *w;
    uint64_t start_ns;
} job_t;

static uint64_t now_seconds(void)
{
    return (uint64_t)time(NULL);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void job_free(job_t *j)
{
    if (j->t->in_flight > 0) {
        j->t->in_flight--;
    }
    dns_update_ops_clear(&j->ops);
    dns_update_free(j->u);
    free(j->stored);
    free(j->msg);
    OPENSSL_cleanse(&j->key, sizeof(j->key));
    free(j);
}

/* One line per UPDATE (and per refused or failed message): who, which
 * zone, the answer, and why. */
static void log_answer(const job_t *j, uint16_t rcode, const char *code, const char *why)
{
    int level = rcode == DNS_RCODE_SERVFAIL ? LOG_LEVEL_ERROR : LOG_LEVEL_INFO;
    if (!LOG_ENABLED(level)) {
        return;
    }
    log_line_t l;
    unsigned opcode = DNS_FLAGS_OPCODE(j->info.flags);
    log_line_begin(&l, level, opcode == DNS_OPCODE_UPDATE ? "dns update" : "dns message");
    log_line_str(&l, "transport", j->tcp ? "tcp" : "udp");
    log_line_int(&l, "opcode", opcode);
    if (j->is_signed) {
        log_line_str(&l, "key", j->rr.key_text);
    }
    if (j->key_id[0] != '\0') {
        log_line_str(&l, "tsig_key_id", j->key_id);
        log_line_str(&l, "account_id", j->account_id);
    }
    if (j->zone[0] != '\0') {
        log_line_str(&l, "zone", j->zone);
    }
    log_line_str(&l, "rcode", dns_rcode_name(rcode));
    if (j->is_signed && j->verdict.tsig_error != 0) {
        log_line_int(&l, "tsig_error", j->verdict.tsig_error);
    }
    if (code != NULL && code[0] != '\0') {
        log_line_str(&l, "code", code);
    }
    if (why != NULL && why[0] != '\0') {
        log_line_str(&l, "message", why);
    }
    log_line_num(&l, "duration_ms", (double)(now_ns() - j->start_ns) / 1e6);
    log_line_end(&l);
}

/* Builds the answer (signed when the request was), hands it to the
 * listener and frees the job. */
static void answer(job_t *j, const dns_reply_t *reply)
{
    size_t limit = j->tcp ? ANSWER_TCP_MAX : dns_reply_udp_limit(&j->info);
    size_t room = j->is_signed ? TSIG_ROOM(&j->verdict) : 0;
    /* room for the answer the transport allows, not always for 64 KiB: a
     * UDP answer is at most the client's EDNS size */
    size_t cap = limit + room;
    uint8_t *buf = malloc(cap);
    size_t len = 0;
    int rc = buf == NULL ? DNSAPI_ENOMEM
                         : dns_reply_build(&j->info, reply, buf, cap,
                                           limit > room ? limit - room : 12, &len);
    if (rc == DNSAPI_OK && j->is_signed) {
        rc = dns_tsig_sign_answer(buf, &len, cap, j->have_key ? &j->key : NULL, &j->verdict,
                                  now_seconds());
    }
    if (rc != DNSAPI_OK) {
        /* out of memory, or (cannot happen for answers of this size) too
         * long: say nothing rather than something malformed */
        len = 0;
    }
    api_metrics_dns(j->t->metrics, DNS_FLAGS_OPCODE(j->info.flags),
                    len > 0 ? (int)reply->rcode : -1);
    j->cb(j->cb_ctx, buf, len);
    free(buf);
    job_free(j);
}

static void answer_rcode(job_t *j, uint16_t rcode, uint16_t ede_code, const char *ede_text,
                         const char *code)
{
    log_answer(j, rcode, code, ede_text);
    dns_reply_t reply = {.rcode = rcode, .ede_code = ede_code, .ede_text = ede_text};
    answer(j, &reply);
}

/* An answer for an error of the store or the rules: the rule in the EDE
 * text ("cname_conflict: ..."). */
static void answer_err(job_t *j, const dnsapi_err_t *err)
{
    uint16_t rcode = DNS_RCODE_REFUSED, ede = DNS_EDE_OTHER;
    switch (err->status) {
    case DNSAPI_EFORBIDDEN:
    case DNSAPI_ESYSTEM:
    case DNSAPI_EAUTH:
        ede = DNS_EDE_PROHIBITED;
        break;
    case DNSAPI_ENOTFOUND:
        rcode = DNS_RCODE_NOTAUTH;
        ede = DNS_EDE_NOT_AUTHORITATIVE;
        break;
    case DNSAPI_EINVAL:
    case DNSAPI_ECONFLICT:
    case DNSAPI_EBADREQ:
        break;
    default: /* the database, time, memory: try again later */
        rcode = DNS_RCODE_SERVFAIL;
        break;
    }
    char text[DNS_EDE_TEXT_BUFSIZE];
    dns_reply_ede_text(err, text, sizeof(text));
    answer_rcode(j, rcode, ede, text,
                 err->code[0] != '\0' ? err->code : dnsapi_strerror(err->status));
}

/* ---- UPDATE through the write path --------------------------------------- */

static void host_hold(api_write_t *w)
{
    (void)w; /* the job lives until it has answered */
}

static bool host_resume(api_write_t *w)
{
    (void)w;
    return true;
}

/* The engine calls the host last: the write and the job may go here. */
static void finish_err(api_write_t *w, const dnsapi_err_t *err)
{
    job_t *j = w->host_ctx;
    if (j->prereq_failed) {
        /* the plan hook's refusal: the rcode RFC 2136 gives it */
        char text[DNS_EDE_TEXT_BUFSIZE];
        dns_reply_ede_text(&j->res.err, text, sizeof(text));
        uint16_t rc = j->res.rcode;
        bool prereq = rc == DNS_RCODE_NXDOMAIN || rc == DNS_RCODE_YXDOMAIN ||
                      rc == DNS_RCODE_NXRRSET || rc == DNS_RCODE_YXRRSET;
        answer_rcode(j, rc, DNS_EDE_OTHER, prereq ? NULL : text, j->res.err.code);
    } else {
        answer_err(j, err);
    }
    api_write_free(w);
}

static void host_fail(api_write_t *w, const dnsapi_err_t *err)
{
    finish_err(w, err);
}

static void host_fail_report(api_write_t *w, const dns_report_t *rep)
{
    dnsapi_err_t err;
    if (rep->n_errors > 0) {
        err = rep->errors[0].err;
    } else {
        dnsapi_err_set(&err, DNSAPI_EINTERNAL, NULL, NULL, "the change was refused");
    }
    finish_err(w, &err);
}

static void host_replay(api_write_t *w, int status, const char *body, size_t len)
{
    (void)status, (void)body, (void)len; /* UPDATE carries no Idempotency-Key */
    dnsapi_err_t err;
    dnsapi_err_set(&err, DNSAPI_EINTERNAL, NULL, NULL, "unexpected replay");
    finish_err(w, &err);
}

static const api_write_host_t DNS_HOST = {host_hold, host_resume, host_fail, host_fail_report,
                                          host_replay};

static int update_build(api_write_t *w)
{
    (void)w; /* the operations come from the records: update_plan */
    return DNSAPI_OK;
}

/* The update's names, so that the first round loads the records there. */
static int update_interest(api_write_t *w, dns_interest_t *in)
{
    job_t *j = w->host_ctx;
    size_t n = dns_update_names(j->u, NULL, 0);
    const char **names = calloc(n + 1, sizeof(*names));
    if (names == NULL) {
        return DNSAPI_ENOMEM;
    }
    dns_update_names(j->u, names, n);
    int rc = DNSAPI_OK;
    for (size_t i = 0; rc == DNSAPI_OK && i < n; i++) {
        rc = dns_names_add(&in->at, &w->change.arena, names[i]);
    }
    free(names);
    return rc;
}

/* The prerequisites and the update section against the zone as it is,
 * then deletes, TTL patches and posts: one change. */
static int update_plan(api_write_t *w)
{
    job_t *j = w->host_ctx;
    const dns_record_t *const *rows;
    size_t n = dns_view_stored(w->view, &rows);
    j->stored = calloc(n + 1, sizeof(*j->stored));
    if (j->stored == NULL) {
        return DNSAPI_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        j->stored[i] = *rows[i]; /* the view's strings live as long as w */
    }
    int rc = dns_update_evaluate(j->u, j->stored, n, &j->ops, &j->res);
    if (rc == DNSAPI_ENOMEM) {
        return rc;
    }
    if (rc != DNSAPI_OK) {
        j->prereq_failed = true;
        return dns_report_error(&w->report, NULL, &j->res.err);
    }
    for (size_t i = 0; i < j->ops.n_deletes; i++) {
        dns_op_t *op = dns_change_add(&w->change, DNS_OP_DELETE, NULL, 0);
        if (op == NULL) {
            return DNSAPI_ENOMEM;
        }
        op->id = j->stored[j->ops.deletes[i]].id;
    }
    for (size_t i = 0; i < j->ops.n_patches; i++) {
        dns_op_t *op = dns_change_add(&w->change, DNS_OP_PATCH, NULL, 0);
        if (op == NULL) {
            return DNSAPI_ENOMEM;
        }
        op->id = j->stored[j->ops.patches[i].index].id;
        op->fields.has_ttl = true;
        op->fields.ttl = j->ops.patches[i].ttl;
    }
    for (size_t i = 0; i < j->ops.n_posts; i++) {
        const dns_record_t *p = &j->ops.posts[i];
        dns_op_t *op = dns_change_add(&w->change, DNS_OP_POST, NULL, 0);
        if (op == NULL) {
            return DNSAPI_ENOMEM;
        }
        op->rec = *p;
        op->fields.name = p->name;
        op->fields.type = p->type;
        op->fields.content = p->content;
        op->fields.has_ttl = true;
        op->fields.ttl = p->ttl;
        op->fields.has_priority = p->priority >= 0;
        op->fields.priority = p->priority;
    }
    return DNSAPI_OK;
}

static void update_answer(api_write_t *w, const store_written_t *written)
{
    job_t *j = w->host_ctx;
    store_tx_end(w->tx); /* committed by the write (no key); nothing left */
    w->tx = NULL;
    char why[64] = "";
    if (written != NULL) {
        snprintf(why, sizeof(why), "serial %u, %zu added, %zu deleted, %zu updated",
                 (unsigned)written->serial, written->n_created, written->n_deleted,
                 written->n_updated);
    } else {
        snprintf(why, sizeof(why), "nothing to change");
    }
    log_answer(j, DNS_RCODE_NOERROR, NULL, why);
    dns_reply_t reply = {.rcode = DNS_RCODE_NOERROR};
    answer(j, &reply);
    api_write_free(w);
}

static void start_update(job_t *j)
{
    dns_update_result_t res;
    memset(&res, 0, sizeof(res));
    if (dns_update_parse(j->msg, j->len, &j->info, &j->u, &res) != DNSAPI_OK) {
        char text[DNS_EDE_TEXT_BUFSIZE];
        dns_reply_ede_text(&res.err, text, sizeof(text));
        answer_rcode(j, res.rcode, DNS_EDE_OTHER, text, res.err.code);
        return;
    }
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (dns_zone_name_normalize(j->u->zone, j->zone, sizeof(j->zone), &err) != DNSAPI_OK) {
        dnsapi_err_set(&err, DNSAPI_ENOTFOUND, "not_found", NULL,
                       "dnsapi manages no zone named %.200s", j->u->zone);
        answer_err(j, &err);
        return;
    }
    if ((j->scopes & AUTH_SCOPE_RECORDS_WRITE) == 0) {
        dnsapi_err_set(&err, DNSAPI_EFORBIDDEN, "insufficient_scope", NULL,
                       "the key %.200s lacks the records:write scope", j->rr.key_text);
        answer_err(j, &err);
        return;
    }
    api_write_t *w = api_write_new_for(&DNS_HOST, j, 1);
    j->w = w;
    w->db = j->t->db;
    w->auth = &j->auth;
    w->zone_key = j->zone;
    w->zone_key_is_id = false;
    w->limits = (dns_limits_t){j->t->cfg->ttl_min, j->t->cfg->ttl_max};
    w->build = update_build;
    w->interest = update_interest;
    w->plan = update_plan;
    w->answer = update_answer;
    api_write_start(w);
}

/* ---- QUERY: SOA and NS at a zone's apex ---------------------------------- */

static void on_apex(void *ctx, int status, const dnsapi_err_t *err, const store_zone_t *zone,
                    const dns_record_t *rows, size_t n)
{
    job_t *j = ctx;
    (void)zone;
    if (status == DNSAPI_ENOTFOUND) {
        answer_rcode(j, DNS_RCODE_REFUSED, DNS_EDE_NOT_AUTHORITATIVE,
                     "dnsapi manages no zone at this name", "not_found");
        return;
    }
    if (status != DNSAPI_OK) {
        answer_err(j, err);
        return;
    }
    const char *want = j->info.qtype == DNS_TYPE_SOA ? "SOA" : "NS";
    if (n > 0 && strcmp(rows[0].name, j->zone) != 0) {
        /* a name inside a zone, not its apex: for SOA the answer a name
         * server gives for a name without that type (NODATA, the zone's
         * SOA in the authority section), which is how nsupdate finds the
         * zone of the name it updates; NS below an apex may be a
         * delegation, which this listener does not know of */
        if (j->info.qtype != DNS_TYPE_SOA || strcmp(rows[0].type, "SOA") != 0) {
            answer_rcode(j, DNS_RCODE_REFUSED, DNS_EDE_NOT_AUTHORITATIVE,
                         "this server answers NS queries only at the apex of a zone it manages",
                         "refused");
            return;
        }
        snprintf(j->zone, sizeof(j->zone), "%s", rows[0].name);
        log_answer(j, DNS_RCODE_NOERROR, NULL, "nodata");
        dns_reply_t nodata = {.rcode = DNS_RCODE_NOERROR,
                              .authoritative = true,
                              .authority = &rows[0],
                              .n_authority = 1};
        answer(j, &nodata);
        return;
    }
    dns_record_t *ans = calloc(n + 1, sizeof(*ans));
    if (ans == NULL) {
        abort();
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].type, want) == 0) {
            ans[k++] = rows[i];
        }
    }
    log_answer(j, DNS_RCODE_NOERROR, NULL, NULL);
    dns_reply_t reply = {
        .rcode = DNS_RCODE_NOERROR, .authoritative = true, .answer = ans, .n_answer = k};
    answer(j, &reply);
    free(ans);
}

static void start_query(job_t *j)
{
    char name[DNS_WIRE_NAME_TEXT];
    if (!dns_query_apex_name(&j->info, name, sizeof(name))) {
        answer_rcode(j, DNS_RCODE_REFUSED, DNS_EDE_NOT_SUPPORTED,
                     "this server answers only SOA and NS queries for the zones it manages",
                     "refused");
        return;
    }
    snprintf(j->zone, sizeof(j->zone), "%s", name);
    store_zone_apex(j->t->db, name, on_apex, j);
}

/* ---- after TSIG (or without it) ------------------------------------------ */

static void dispatch(job_t *j)
{
    if (dns_msg_badvers(&j->info)) {
        answer_rcode(j, DNS_RCODE_BADVERS, DNS_EDE_OTHER, NULL, "badvers");
        return;
    }
    switch (DNS_FLAGS_OPCODE(j->info.flags)) {
    case DNS_OPCODE_QUERY:
        start_query(j);
        return;
    case DNS_OPCODE_UPDATE:
        if (!j->is_signed) {
            answer_rcode(j, DNS_RCODE_REFUSED, DNS_EDE_PROHIBITED,
                         "an UPDATE must be signed with a TSIG key (POST /v1/tsig-keys)",
                         "unsigned_update");
            return;
        }
        start_update(j);
        return;
    default:
        answer_rcode(j, DNS_RCODE_NOTIMP, DNS_EDE_OTHER, NULL, "notimp");
        return;
    }
}

/* The key as a credential: its scopes, zone list and policies. */
static int credential_read(job_t *j, const store_tsig_t *k, dnsapi_err_t *err)
{
    snprintf(j->key_id, sizeof(j->key_id), "%s", k->id);
    snprintf(j->account_id, sizeof(j->account_id), "%s", k->account_id);
    if (auth_scopes_parse(k->scopes != NULL ? k->scopes : "", &j->scopes, err) != DNSAPI_OK) {
        return err->status;
    }
    if (k->zones_json != NULL) {
        json_t *zones = json_loads(k->zones_json, 0, NULL);
        if (!json_is_array(zones) || json_array_size(zones) > AUTH_MAX_ZONES) {
            json_decref(zones);
            return dnsapi_err_set(err, DNSAPI_EINTERNAL, NULL, NULL, "stored zones unreadable");
        }
        for (size_t i = 0; i < json_array_size(zones); i++) {
            const char *z = json_string_value(json_array_get(zones, i));
            snprintf(j->zones[j->n_zones++], sizeof(j->zones[0]), "%s", z != NULL ? z : "");
        }
        json_decref(zones);
    }
    if (k->policies_json != NULL &&
        api_policies_parse(k->policies_json, j->policies, &j->n_policies, err) != DNSAPI_OK) {
        return err->status;
    }
    j->auth = (store_auth_t){.token_id = NULL,
                             .account_id = j->account_id,
                             .zones = j->zones,
                             .n_zones = j->n_zones,
                             .policies = j->policies,
                             .n_policies = j->n_policies,
                             .tsig_key_id = j->key_id};
    return DNSAPI_OK;
}

static void verify(job_t *j)
{
    dns_tsig_policy_t policy = {0, 0};
    int rc = dns_tsig_verify(j->msg, j->len, &j->rr, j->have_key ? &j->key : NULL, now_seconds(),
                             &policy, j->replay, &j->verdict);
    if (rc != DNSAPI_OK) {
        answer_rcode(j, j->verdict.rcode, DNS_EDE_OTHER, NULL,
                     j->verdict.err.code[0] != '\0' ? j->verdict.err.code : "tsig");
        return;
    }
    dispatch(j);
}

static void on_key(void *ctx, int status, const dnsapi_err_t *err, const store_tsig_t *k)
{
    job_t *j = ctx;
    if (status != DNSAPI_OK && status != DNSAPI_ENOTFOUND) {
        /* the store is down: no verdict on the key can be given */
        j->is_signed = false; /* an unsigned SERVFAIL (RFC 8945 5.2 has no error for this) */
        answer_err(j, err);
        return;
    }
    if (status == DNSAPI_OK) {
        dnsapi_err_t e;
        dnsapi_err_clear(&e);
        char aad[400];
        api_tsig_aad(k->account_id, k->name, aad, sizeof(aad));
        size_t n = 0;
        j->key.alg = dns_tsig_alg_from_text(k->algorithm);
        snprintf(j->key.name, sizeof(j->key.name), "%s", k->name);
        if (seal_decrypt(j->t->seal, k->secret_sealed, aad, j->key.secret, sizeof(j->key.secret),
                         &n, &e) != DNSAPI_OK ||
            credential_read(j, k, &e) != DNSAPI_OK) {
            /* sealed under another key (DNSAPI_SECRETS_KEY changed) or
             * damaged: as if there were no such key, and say so in the log */
            LOG_EVENT(LOG_LEVEL_ERROR, "TSIG key %s cannot be opened: %s", k->name, e.message);
            OPENSSL_cleanse(&j->key, sizeof(j->key));
            j->key_id[0] = '\0';
        } else {
            j->key.secret_len = n;
            j->have_key = true;
        }
    }
    verify(j);
}

void dns_handle(api_thread_t *t, dns_tsig_replay_t *replay, const uint8_t *msg, size_t len,
                bool tcp, dns_answer_cb cb, void *ctx)
{
    job_t *j = calloc(1, sizeof(*j));
    if (j == NULL || (j->msg = malloc(len > 0 ? len : 1)) == NULL) {
        abort();
    }
    memcpy(j->msg, msg, len);
    j->len = len;
    j->t = t;
    j->replay = replay;
    j->cb = cb;
    j->cb_ctx = ctx;
    j->tcp = tcp;
    j->start_ns = now_ns();
    t->in_flight++;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    if (dns_msg_info_parse(j->msg, len, &j->info, &err) != DNSAPI_OK) {
        if (j->info.drop) {
            api_metrics_dns(t->metrics, 15, -1);
            j->cb(j->cb_ctx, NULL, 0);
            job_free(j);
            return;
        }
        answer_rcode(j, DNS_RCODE_FORMERR, DNS_EDE_OTHER, err.message, "formerr");
        return;
    }
    if (j->info.has_tsig) {
        if (dns_tsig_read(j->msg, len, j->info.tsig_at, &j->rr, &err) != DNSAPI_OK) {
            answer_rcode(j, DNS_RCODE_FORMERR, DNS_EDE_OTHER, err.message, "formerr");
            return;
        }
        j->is_signed = true;
        store_tsig_lookup(t->db, j->rr.key_text, on_key, j);
        return;
    }
    dispatch(j);
}

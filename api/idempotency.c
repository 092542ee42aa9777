#include "api/idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "api/handler_common.h"

/* The request's fingerprint: SHA-256 of method, path with query, and body. */
static bool request_hash(h2o_req_t *req, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    bool ok =
        c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
        EVP_DigestUpdate(c, req->method.base, req->method.len) == 1 &&
        EVP_DigestUpdate(c, " ", 1) == 1 &&
        EVP_DigestUpdate(c, req->path.base, req->path.len) == 1 &&
        EVP_DigestUpdate(c, "\n", 1) == 1 &&
        (req->entity.base == NULL || EVP_DigestUpdate(c, req->entity.base, req->entity.len) == 1) &&
        EVP_DigestFinal_ex(c, md, &mdlen) == 1 && mdlen == 32;
    EVP_MD_CTX_free(c);
    for (unsigned i = 0; ok && i < mdlen; i++) {
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    }
    return ok;
}

static void on_looked_up(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    if (!api_round_ok(r, s, status, res, n, 2, NULL)) {
        return;
    }
    db_session_end(s);
    PGresult *row = res[1];
    if (PQntuples(row) == 0) {
        r->idem_next(r);
        return;
    }
    if (strcmp(PQgetvalue(row, 0, 0), r->idem_hash) != 0) {
        reply_fail(r, DNSAPI_EINVAL, "idempotency_key_reused", "Idempotency-Key",
                   "this Idempotency-Key was used for a different request (method, path or "
                   "body); use a new key for a new request");
        return;
    }
    int first = atoi(PQgetvalue(row, 0, 1));
    if (first < 200 || first > 299) {
        reply_fail(r, DNSAPI_ECONFLICT, "idempotency_key_in_use", NULL,
                   "a request with this Idempotency-Key is being processed, or was applied "
                   "while its answer could not be kept; retry shortly, or look the result up");
        return;
    }
    h2o_add_header_by_str(&r->req->pool, &r->req->res.headers, H2O_STRLIT("idempotent-replayed"), 0,
                          NULL, H2O_STRLIT("true"));
    reply_text(r, first, "application/json", PQgetvalue(row, 0, 2), (size_t)PQgetlength(row, 0, 2));
}

void idem_begin(api_req_t *r, void (*next)(api_req_t *r))
{
    h2o_req_t *req = r->req;
    ssize_t i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("idempotency-key"), -1);
    if (i < 0) {
        next(r);
        return;
    }
    h2o_iovec_t v = req->headers.entries[i].value;
    bool ok = v.len >= 1 && v.len <= IDEM_KEY_MAX;
    for (size_t k = 0; ok && k < v.len; k++) {
        ok = v.base[k] >= 0x20 && v.base[k] <= 0x7e;
    }
    if (!ok) {
        reply_fail(r, DNSAPI_EINVAL, "bad_idempotency_key", "Idempotency-Key",
                   "Idempotency-Key must be 1 to %d printable ASCII characters, e.g. a UUID",
                   IDEM_KEY_MAX);
        return;
    }
    memcpy(r->idem_key, v.base, v.len);
    r->idem_key[v.len] = '\0';
    if (!request_hash(req, r->idem_hash)) {
        reply_fail(r, DNSAPI_EINTERNAL, NULL, NULL, "the request could not be hashed");
        return;
    }
    r->idem_next = next;
    /* one implicit transaction: forget the account's expired keys, look */
    db_stmt_t st[2] = {{"idem_expire", 1, {r->token.account_id}},
                       {"idem_get", 2, {r->token.account_id, r->idem_key}}};
    api_db_run(r, st, 2, on_looked_up);
}

bool idem_claim_stmt(api_req_t *r, db_stmt_t *st)
{
    if (r->idem_key[0] == '\0') {
        return false;
    }
    *st = (db_stmt_t){"idem_claim", 3, {r->token.account_id, r->idem_key, r->idem_hash}};
    r->idem_claimed = true;
    return true;
}

static void on_committed(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    json_t *data = r->idem_answer;
    r->idem_answer = NULL;
    if (!api_round_ok(r, s, status, res, n, 1, NULL)) {
        json_decref(data);
        return;
    }
    db_session_end(s);
    reply_success(r, r->idem_answer_status, data);
}

void idem_commit_reply(api_req_t *r, db_session_t *s, int status, json_t *data)
{
    json_decref(r->idem_answer);
    r->idem_answer = data;
    r->idem_answer_status = status;
    db_stmt_t commit = {"commit", 0, {NULL}};
    api_db_next(r, s, &commit, 1, on_committed);
}

static void on_stored(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n)
{
    if (status != DNSAPI_OK || n < 1 || PQresultStatus(res[0]) != PGRES_COMMAND_OK) {
        fprintf(stderr,
                "{\"level\":\"warn\",\"request_id\":\"%s\",\"msg\":\"the answer to a "
                "request with an Idempotency-Key could not be stored\"}\n",
                r->request_id);
    }
    db_session_end(s);
    reply_send_now(r, r->idem_answer_status, r->idem_body, r->idem_body_len);
}

void idem_store_then_send(api_req_t *r, int status, const char *body, size_t len)
{
    free(r->idem_body);
    r->idem_body = malloc(len + 1);
    if (r->idem_body == NULL) {
        reply_send_now(r, status, body, len);
        return;
    }
    memcpy(r->idem_body, body, len);
    r->idem_body[len] = '\0';
    r->idem_body_len = len;
    r->idem_answer_status = status;
    db_stmt_t st = {
        "idem_store", 4, {r->token.account_id, r->idem_key, api_itoa(r, status), r->idem_body}};
    api_db_run(r, &st, 1, on_stored);
}

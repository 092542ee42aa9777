/*
 * idempotency.h - Idempotency-Key on POST: a retried request replays the
 * first answer instead of doing the work twice.
 *
 * A POST that carries the header is first looked up by (account, key).
 * Unknown: the handler runs, and its write transaction also inserts the key
 * (idempotency_keys, status 0) so that the work and the key commit together
 * or not at all; the 2xx answer is stored under the key before it is sent. Known,
 * same request (method, path and body hash): the stored answer is sent
 * again with "Idempotent-Replayed: true". Known, another request: 422
 * idempotency_key_reused. Known without a stored answer yet (the first
 * request is still running, or its answer was lost with the server): 409
 * idempotency_key_in_use. Failed requests store nothing: they changed
 * nothing, so a retry simply runs again. Keys are kept 24 hours.
 */
#ifndef DNSAPI_API_IDEMPOTENCY_H
#define DNSAPI_API_IDEMPOTENCY_H

#include "api/api.h"

/* Longest key accepted (bytes of visible ASCII). */
#define IDEM_KEY_MAX 255

/* Runs next(r) for a request without an Idempotency-Key, or after the key
 * was found unused; otherwise answers (replay or error) itself. */
void idem_begin(api_req_t *r, void (*next)(api_req_t *r));

/* When r carries a key, sets *st to the statement that claims it inside the
 * handler's write transaction and returns true. */
bool idem_claim_stmt(api_req_t *r, db_stmt_t *st);

/* For handlers whose write is otherwise one implicit transaction: when r
 * carries a key they open a transaction ("begin" first, the claim last),
 * and on success hand their answer here: the transaction is committed,
 * then data is sent with status (or the commit's error). Takes data. */
void idem_commit_reply(api_req_t *r, db_session_t *s, int status, json_t *data);

/* Stores a 2xx answer under r's claimed key, then sends it (from reply.c):
 * a client that has the answer can count on a retry replaying it. The
 * write has committed by now, so the answer is sent even if it cannot be
 * stored (a retry then gets 409 idempotency_key_in_use). */
void idem_store_then_send(api_req_t *r, int status, const char *body, size_t len);

#endif

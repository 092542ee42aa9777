/*
 * handler_common.h - steps every handler shares: checking a round's
 * results, resolving the {zone} of a path to its name, and the token's
 * stored state check that opens every round.
 */
#ifndef DNSAPI_API_HANDLER_COMMON_H
#define DNSAPI_API_HANDLER_COMMON_H

#include "api/api.h"
#include "api/reply.h"
#include "api/view.h"

/* The statement that opens every round: revocation takes effect on the
 * next request. */
db_stmt_t api_stmt_token_check(api_req_t *r);

/* Checks a finished round: on a failed round or statement, answers the
 * mapped error, ends the session and returns false. n must be at least
 * expect. conflict_code names the 409 code for a unique violation. */
bool api_round_ok(api_req_t *r, db_session_t *s, int status, PGresult **res, size_t n,
                  size_t expect, const char *conflict_code);

/* Makes sure r->zone_name is known (resolving an id-keyed {zone} through
 * the database and applying the token's zone limits), then calls next. */
void api_zone_resolve(api_req_t *r, void (*next)(api_req_t *r));

/* Writes names[0..n) (each a 256-byte slot holding a host name) as a
 * PostgreSQL text[] literal in the request pool. Names are LDH, so quoting
 * each is enough. */
const char *api_pg_name_array(api_req_t *r, const char (*names)[256], size_t n);

/* Formats an integer into a request-pool string. */
const char *api_itoa(api_req_t *r, long long v);

#endif

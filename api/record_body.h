/*
 * record_body.h - the JSON bodies of the record writes turned into
 * operations of a change (dns/change.h): POST /records, PATCH
 * /records/{id} and POST /records/batch. Pure: a parsed body in, operations
 * or errors out; the endpoints (api/record_create.c, record_patch.c,
 * record_batch.c) call these from their build hooks, and
 * tests/fuzz/fuzz_record_body.c drives them the same way.
 */
#ifndef DNSAPI_API_RECORD_BODY_H
#define DNSAPI_API_RECORD_BODY_H

#include <jansson.h>

#include "dns/change.h"

/* POST /records: one post from body. Errors go to rep; returns DNSAPI_OK,
 * the error's status, or DNSAPI_ENOMEM. */
int api_record_post_build(dns_change_t *c, json_t *body, dns_report_t *rep);

/* PATCH /records/{id}: one patch of record id (borrowed) from body. name
 * and type are taken out of body (they are refused only once the record is
 * known, see api_record_patch_bound): *immutable is set to the last of
 * them the body named, or NULL. As api_record_post_build. */
int api_record_patch_build(dns_change_t *c, json_t *body, const char *id, const char **immutable,
                           dns_report_t *rep);

/* The PATCH's checks once its record is bound (c->ops[0].old): a system
 * record goes on to the rules (which refuse it as system_record); an
 * ordinary one may name only the writable fields, and neither name nor
 * type (immutable, from api_record_patch_build). */
int api_record_patch_bound(const dns_change_t *c, json_t *body, const char *immutable,
                           dns_report_t *rep);

/* POST /records/batch: {"deletes":[{id}], "patches":[{id, ...}],
 * "posts":[{...}]}, 1 to API_BATCH_MAX entries, each an operation naming
 * its place (posts[2]); a record named twice is duplicate_id. As
 * api_record_post_build. */
#define API_BATCH_MAX 1000
int api_record_batch_build(dns_change_t *c, json_t *body, dns_report_t *rep);

#endif

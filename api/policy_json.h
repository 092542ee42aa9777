/*
 * policy_json.h - credential policies (dns/policy.h) in JSON: request
 * bodies, answers, the policies column of tokens and TSIG keys, and the
 * token's "policies" claim. An array of at most DNS_POLICY_MAX objects
 * {"zone"?, "name"?, "type"?, "write"}, written back normalized (absolute
 * lowercase names, upper-case types) with absent fields left out.
 */
#ifndef DNSAPI_API_POLICY_JSON_H
#define DNSAPI_API_POLICY_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "common/error.h"
#include "dns/policy.h"

/* Reads a JSON policies value (an array; null or absent: none) into out
 * (DNS_POLICY_MAX entries), *n set. Errors have field "policies". */
int api_policies_read(const json_t *v, dns_policy_t *out, size_t *n, dnsapi_err_t *err);

/* The JSON array of n policies (null when n is 0). */
json_t *api_policies_json(const dns_policy_t *p, size_t n);

/* The compact JSON text of n policies (malloc'd), or NULL when n is 0. */
char *api_policies_dump(const dns_policy_t *p, size_t n);

/* Reads policies from JSON text (a column or a claim; NULL: none). */
int api_policies_parse(const char *text, dns_policy_t *out, size_t *n, dnsapi_err_t *err);

#endif

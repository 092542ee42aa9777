/*
 * policy.h - narrow credentials: the policies a bearer token or a TSIG key
 * may carry (issue 13, item 3), shared by both, and the one matcher every
 * write path asks.
 *
 * A policy is {zone?, name?, type?, write}. A credential with no policies
 * is limited only by its scopes and zone list. A credential with policies
 * may do only what one of them allows: a policy allows an operation on
 * (zone, name, type) when each field it gives matches, and - for a write -
 * when its write is true (write false allows reads only).
 *
 *   zone: a zone name ("example.com."); absent: any zone the credential
 *         may otherwise reach.
 *   name: a pattern of labels, absolute ("x.example.com.") or relative to
 *         zone (which it then needs), "@" for the apex. A label "*" matches
 *         exactly one label (including a literal "*"); one label "**" (at
 *         most one per pattern) matches zero or more labels. So with zone
 *         example.com., "_acme-challenge.**" matches
 *         _acme-challenge.example.com. and _acme-challenge.www.example.com.
 *         but not www.example.com.; absent: any name.
 *   type: a record type ("TXT"); absent: any type.
 *
 * Stored as a jsonb array of such objects on tokens and tsig_keys
 * (migrations 0020, 0021); storage maps them to dns_policy_t rows. An
 * UPDATE is checked per operation it turns into (dns/update.h: each
 * delete, patch and post with its actual name and type), so a "delete all
 * RRsets at a name" under a TXT-only policy is refused if the name holds
 * anything but TXT.
 */
#ifndef DNSAPI_DNS_POLICY_H
#define DNSAPI_DNS_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "dns/dns.h"

/* Most policies one credential may carry. */
#define DNS_POLICY_MAX 32

typedef struct {
    char zone[DNS_NAME_BUFSIZE]; /* "" = any */
    char name[DNS_NAME_BUFSIZE]; /* absolute lowercase pattern, "" = any */
    char type[16];               /* upper case, "" = any */
    bool write;
} dns_policy_t;

/* Builds a normalized policy from its fields (NULL or "" for an absent
 * one). DNSAPI_EINVAL with err (field "policies", codes bad_zone_name,
 * bad_policy_name, unsupported_type) when a field is invalid. */
int dns_policy_make(const char *zone, const char *name, const char *type, bool write,
                    dns_policy_t *out, dnsapi_err_t *err);

/* True when name (absolute, lowercase) matches the pattern (as
 * dns_policy_make leaves it). */
bool dns_policy_name_matches(const char *pattern, const char *name);

/* True when the n policies allow the operation; always true when n is 0.
 * zone and name normalized, type upper case. */
bool dns_policy_allows(const dns_policy_t *policies, size_t n, const char *zone, const char *name,
                       const char *type, bool write);

/* True when one of the n_outer policies allows everything inner allows
 * (the same or a wider zone, name pattern and type, and write only where
 * it writes): a credential with policies may grant only such policies. The
 * check is by field (a name pattern is covered by the same pattern or by
 * none), so it may refuse a grant that a cleverer comparison would let
 * through, never the other way round. */
bool dns_policy_covers(const dns_policy_t *outer, size_t n_outer, const dns_policy_t *inner);

#endif

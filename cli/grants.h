/*
 * grants.h - the options `dnsapi token create` and `dnsapi tsig create`
 * share: what a new credential may do (account, scopes, zones, policies,
 * lifetime), read with the same rules as the HTTP API's (api/credential.h,
 * api/policy_json.h) and turned into what storage/store_admin.h inserts.
 */
#ifndef DNSAPI_CLI_GRANTS_H
#define DNSAPI_CLI_GRANTS_H

#include <stdbool.h>
#include <stdint.h>

#include "api/auth.h"
#include "dns/policy.h"

typedef struct {
    const char *account;
    unsigned scopes;
    char zones[AUTH_MAX_ZONES][256];
    size_t n_zones; /* 0: every zone */
    dns_policy_t policies[DNS_POLICY_MAX];
    size_t n_policies; /* 0: none */
    int64_t expires_in;
    /* filled by cli_grants_finish */
    char scopes_lit[140];                     /* PostgreSQL array literal */
    char zones_lit[AUTH_MAX_ZONES * 260 + 4]; /* "" when every zone */
    char *policies_json;                      /* malloc'd, NULL when none */
} cli_grants_t;

/* Starts g with a default lifetime. */
void cli_grants_init(cli_grants_t *g, int64_t default_expires_in);

/* Reads one option and its value when it is one of --account, --scope(s)
 * (space or comma separated, repeatable), --zone(s) (likewise), --policies
 * (a JSON array of {zone?, name?, type?, write}) and --expires-in (seconds
 * or a number with s/m/h/d/w). 1: read; 0: not one of these; -1: invalid
 * (logged). */
int cli_grants_option(cli_grants_t *g, const char *opt, const char *val);

/* Checks that --account and a scope were given and builds the literals;
 * -1 after logging what is missing. */
int cli_grants_finish(cli_grants_t *g);

/* Frees what cli_grants_finish made. */
void cli_grants_clear(cli_grants_t *g);

/* The usage lines of these options. */
extern const char cli_grants_help[];

#endif

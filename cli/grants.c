/* The options of a new credential (see grants.h). */
#include "cli/grants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/credential.h"
#include "api/policy_json.h"
#include "common/config.h"
#include "common/log.h"
#include "dns/dns.h"

const char cli_grants_help[] =
    "--scope: zones:read zones:write records:read records:write tokens:write\n"
    "(space or comma separated; repeatable; also --scopes).\n"
    "--zone limits the credential to those zones (repeatable, or several in one\n"
    "--zones value).\n"
    "--policies: a JSON array of {\"zone\"?, \"name\"?, \"type\"?, \"write\"}: the\n"
    "credential may then write only what one of them allows, e.g.\n"
    "'[{\"zone\":\"example.com\",\"name\":\"_acme-challenge.**\",\"type\":\"TXT\","
    "\"write\":true}]'.\n"
    "--expires-in: seconds or a number with s/m/h/d/w, from 60s to 3650d.\n";

void cli_grants_init(cli_grants_t *g, int64_t default_expires_in)
{
    memset(g, 0, sizeof(*g));
    g->expires_in = default_expires_in;
}

/* Calls one() on each word of val (separated by spaces or commas). */
static int each_word(cli_grants_t *g, const char *val, int (*one)(cli_grants_t *, const char *))
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", val);
    int words = 0;
    for (char *save = NULL, *w = strtok_r(buf, " ,\t", &save); w != NULL;
         w = strtok_r(NULL, " ,\t", &save)) {
        if (one(g, w) != 0) {
            return -1;
        }
        words++;
    }
    if (words == 0) {
        LOG_EVENT(LOG_LEVEL_ERROR, "an empty value: give at least one");
        return -1;
    }
    return 1;
}

static int scope_one(cli_grants_t *g, const char *w)
{
    unsigned bits = 0;
    dnsapi_err_t e;
    dnsapi_err_clear(&e);
    if (auth_scopes_parse(w, &bits, &e) != DNSAPI_OK || bits == 0) {
        LOG_EVENT(LOG_LEVEL_ERROR, "--scope: %s", e.message[0] ? e.message : "no scope");
        return -1;
    }
    g->scopes |= bits;
    return 0;
}

static int zone_one(cli_grants_t *g, const char *w)
{
    dnsapi_err_t e;
    dnsapi_err_clear(&e);
    if (g->n_zones == AUTH_MAX_ZONES) {
        LOG_EVENT(LOG_LEVEL_ERROR, "at most %d zones", AUTH_MAX_ZONES);
        return -1;
    }
    if (dns_zone_name_normalize(w, g->zones[g->n_zones], sizeof(g->zones[0]), &e) != DNSAPI_OK) {
        LOG_EVENT(LOG_LEVEL_ERROR, "--zone: %s", e.message);
        return -1;
    }
    g->n_zones++;
    return 0;
}

int cli_grants_option(cli_grants_t *g, const char *opt, const char *val)
{
    if (strcmp(opt, "--account") == 0) {
        g->account = val;
        return 1;
    }
    if (strcmp(opt, "--scope") == 0 || strcmp(opt, "--scopes") == 0) {
        return each_word(g, val, scope_one);
    }
    if (strcmp(opt, "--zone") == 0 || strcmp(opt, "--zones") == 0) {
        return each_word(g, val, zone_one);
    }
    if (strcmp(opt, "--policies") == 0) {
        dnsapi_err_t e;
        dnsapi_err_clear(&e);
        if (api_policies_parse(val, g->policies, &g->n_policies, &e) != DNSAPI_OK) {
            LOG_EVENT(LOG_LEVEL_ERROR, "--policies: %s", e.message);
            return -1;
        }
        if (g->n_policies == 0) {
            LOG_EVENT(LOG_LEVEL_ERROR, "--policies: give an array of 1 to %d policies",
                      DNS_POLICY_MAX);
            return -1;
        }
        return 1;
    }
    if (strcmp(opt, "--expires-in") == 0) {
        if (dnsapi_duration_parse(val, &g->expires_in) != 0 ||
            g->expires_in < API_CREDENTIAL_MIN_SECONDS ||
            g->expires_in > API_CREDENTIAL_MAX_SECONDS) {
            LOG_EVENT(LOG_LEVEL_ERROR,
                      "--expires-in: '%s' is not a duration from 60s to 3650d (e.g. 3600, 12h, "
                      "90d)",
                      val);
            return -1;
        }
        return 1;
    }
    return 0;
}

int cli_grants_finish(cli_grants_t *g)
{
    if (g->account == NULL || g->scopes == 0) {
        LOG_EVENT(LOG_LEVEL_ERROR, "--account and --scope are required");
        return -1;
    }
    char scopes[128];
    auth_scopes_format(g->scopes, scopes, sizeof(scopes));
    size_t k = 0;
    g->scopes_lit[k++] = '{';
    for (const char *p = scopes; *p && k + 2 < sizeof(g->scopes_lit); p++) {
        g->scopes_lit[k++] = *p == ' ' ? ',' : *p;
    }
    g->scopes_lit[k++] = '}';
    g->scopes_lit[k] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < g->n_zones; i++) {
        used += (size_t)snprintf(g->zones_lit + used, sizeof(g->zones_lit) - used, "%s\"%s\"",
                                 i ? "," : "{", g->zones[i]);
    }
    if (g->n_zones > 0) {
        snprintf(g->zones_lit + used, sizeof(g->zones_lit) - used, "}");
    }
    g->policies_json = api_policies_dump(g->policies, g->n_policies);
    return 0;
}

void cli_grants_clear(cli_grants_t *g)
{
    free(g->policies_json);
    g->policies_json = NULL;
}

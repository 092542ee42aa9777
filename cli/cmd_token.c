#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/auth.h"
#include "cli/commands.h"
#include "common/config.h"
#include "dns/dns.h"
#include "storage/migrate.h"
#include "storage/store_admin.h"

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: dnsapi token create --account NAME --scope \"SCOPE ...\" [--zone ZONE]...\n"
            "                           [--expires-in DURATION] [--name TEXT]\n\n"
            "Mints a bearer token and prints it, and nothing else, on stdout.\n"
            "Scopes: zones:read zones:write records:read records:write tokens:write.\n"
            "--zone limits the token to those zones (repeatable).\n"
            "--expires-in: seconds or a number with s/m/h/d/w (default 90d).\n\n%s",
            dnsapi_config_help);
}

int cmd_token(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "create") != 0) {
        usage(stderr);
        return 2;
    }
    const char *account = NULL, *name = "cli";
    auth_token_t tok;
    memset(&tok, 0, sizeof(tok));
    int64_t expires_in = 90LL * 86400;
    bool have_scope = false;
    char zones_lit[AUTH_MAX_ZONES * 260 + 4] = "";
    size_t zused = 0;
    dnsapi_err_t e;
    dnsapi_err_clear(&e);
    for (int i = 2; i < argc; i++) {
        const char *opt = argv[i];
        if (i + 1 >= argc) {
            fprintf(stderr, "dnsapi token: %s needs a value\n", opt);
            return 2;
        }
        const char *val = argv[++i];
        if (strcmp(opt, "--account") == 0) {
            account = val;
        } else if (strcmp(opt, "--name") == 0) {
            name = val;
        } else if (strcmp(opt, "--scope") == 0 || strcmp(opt, "--scopes") == 0) {
            unsigned bits = 0;
            if (auth_scopes_parse(val, &bits, &e) != DNSAPI_OK) {
                fprintf(stderr, "dnsapi token: --scope: %s\n", e.message);
                return 2;
            }
            tok.scopes |= bits;
            have_scope = true;
        } else if (strcmp(opt, "--zone") == 0) {
            if (tok.n_zones == AUTH_MAX_ZONES) {
                fprintf(stderr, "dnsapi token: at most %d zones\n", AUTH_MAX_ZONES);
                return 2;
            }
            if (dns_zone_name_normalize(val, tok.zones[tok.n_zones], sizeof(tok.zones[0]), &e) !=
                DNSAPI_OK) {
                fprintf(stderr, "dnsapi token: --zone: %s\n", e.message);
                return 2;
            }
            zused += (size_t)snprintf(zones_lit + zused, sizeof(zones_lit) - zused, "%s\"%s\"",
                                      tok.n_zones ? "," : "{", tok.zones[tok.n_zones]);
            tok.n_zones++;
        } else if (strcmp(opt, "--expires-in") == 0) {
            if (dnsapi_duration_parse(val, &expires_in) != 0 || expires_in < 60 ||
                expires_in > 3650LL * 86400) {
                fprintf(stderr,
                        "dnsapi token: --expires-in: '%s' is not a duration from 60s to "
                        "3650d (e.g. 3600, 12h, 90d)\n",
                        val);
                return 2;
            }
        } else {
            fprintf(stderr, "dnsapi token: unknown option '%s'\n", opt);
            return 2;
        }
    }
    if (account == NULL || !have_scope || tok.scopes == 0) {
        fprintf(stderr, "dnsapi token: --account and --scope are required\n");
        return 2;
    }
    if (tok.n_zones > 0) {
        snprintf(zones_lit + zused, sizeof(zones_lit) - zused, "}");
    }
    dnsapi_config_t cfg;
    char err[1024];
    if (dnsapi_config_load(&cfg, DNSAPI_NEED_JWT, err, sizeof(err)) != 0) {
        fprintf(stderr, "dnsapi token: %s\n", err);
        return 1;
    }
    PGconn *c = db_connect_sync(cfg.database_url, err, sizeof(err));
    if (c == NULL) {
        fprintf(stderr, "dnsapi token: %s\n", err);
        return 1;
    }
    char scopes[128], scopes_lit[140] = "{";
    auth_scopes_format(tok.scopes, scopes, sizeof(scopes));
    size_t k = 1;
    for (const char *p = scopes; *p && k + 2 < sizeof(scopes_lit); p++) {
        scopes_lit[k++] = *p == ' ' ? ',' : *p;
    }
    scopes_lit[k++] = '}';
    scopes_lit[k] = '\0';
    int64_t now = (int64_t)time(NULL);
    tok.expires_at = now + expires_in;
    int rc = store_account_find(c, account, tok.account_id, &e);
    if (rc == DNSAPI_OK) {
        rc = store_token_insert(c, tok.account_id, name, scopes_lit, tok.n_zones ? zones_lit : NULL,
                                tok.expires_at, tok.token_id, &e);
    }
    PQfinish(c);
    if (rc != DNSAPI_OK) {
        fprintf(stderr, "dnsapi token: %s\n", e.message);
        return 1;
    }
    char *jwt =
        auth_token_mint(&tok, now, (const unsigned char *)cfg.jwt_secret, cfg.jwt_secret_len);
    if (jwt == NULL) {
        fprintf(stderr, "dnsapi token: could not sign the token\n");
        return 1;
    }
    printf("%s\n", jwt);
    free(jwt);
    return 0;
}

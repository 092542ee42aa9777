#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/auth.h"
#include "cli/commands.h"
#include "common/config.h"
#include "common/log.h"
#include "dns/dns.h"
#include "storage/migrate.h"
#include "storage/store_admin.h"

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: dnsapi token create --account NAME --scope \"SCOPE ...\" [--zone ZONE]...\n"
            "                           [--expires-in DURATION] [--name TEXT]\n"
            "       dnsapi token list --account NAME\n"
            "       dnsapi token revoke ID\n\n"
            "create: mints a bearer token signed with DNSAPI_JWT_SECRET and prints it, and\n"
            "nothing else, on stdout.\n"
            "Scopes: zones:read zones:write records:read records:write tokens:write.\n"
            "--zone limits the token to those zones (repeatable).\n"
            "--expires-in: seconds or a number with s/m/h/d/w (default 90d).\n"
            "list: prints the account's tokens (never their secrets), tab-separated after a\n"
            "header line: id, name, state (active, expired, revoked), scopes, zones (* for\n"
            "every zone), created_at, expires_at, revoked_at (- when not revoked).\n"
            "revoke: revokes the token with that id; the API refuses it from its next\n"
            "request on.\n\n%s",
            dnsapi_config_help);
}

static int token_create(int argc, char **argv);

static int token_list(int argc, char **argv)
{
    if (argc != 4 || strcmp(argv[2], "--account") != 0) {
        usage(stderr);
        return 2;
    }
    dnsapi_config_t cfg;
    PGconn *c = cli_open("token", &cfg, 0);
    if (c == NULL) {
        return 1;
    }
    char account_id[40];
    store_admin_token_row_t *rows = NULL;
    size_t n = 0;
    dnsapi_err_t e;
    dnsapi_err_clear(&e);
    int rc = store_admin_account_find(c, argv[3], account_id, &e);
    if (rc == DNSAPI_OK) {
        rc = store_admin_token_list(c, account_id, &rows, &n, &e);
    }
    PQfinish(c);
    if (rc != DNSAPI_OK) {
        LOG_EVENT(LOG_LEVEL_ERROR, "%s", e.message);
        return 1;
    }
    printf("id\tname\tstate\tscopes\tzones\tcreated_at\texpires_at\trevoked_at\n");
    for (size_t i = 0; i < n; i++) {
        const store_admin_token_row_t *t = &rows[i];
        printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t->id, t->name, t->state, t->scopes,
               t->zones[0] ? t->zones : "*", t->created_at, t->expires_at,
               t->revoked_at[0] ? t->revoked_at : "-");
    }
    free(rows);
    return 0;
}

static int token_revoke(int argc, char **argv)
{
    if (argc != 3) {
        usage(stderr);
        return 2;
    }
    dnsapi_config_t cfg;
    PGconn *c = cli_open("token", &cfg, 0);
    if (c == NULL) {
        return 1;
    }
    dnsapi_err_t e;
    dnsapi_err_clear(&e);
    int rc = store_admin_token_revoke(c, argv[2], &e);
    PQfinish(c);
    if (rc != DNSAPI_OK) {
        LOG_EVENT(LOG_LEVEL_ERROR, "%s", e.message);
        return rc == DNSAPI_EINVAL ? 2 : rc == DNSAPI_ENOTFOUND ? 3 : 1;
    }
    printf("revoked %s\n", argv[2]);
    return 0;
}

int cmd_token(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "create") == 0) {
        return token_create(argc, argv);
    }
    if (argc >= 2 && strcmp(argv[1], "list") == 0) {
        return token_list(argc, argv);
    }
    if (argc >= 2 && strcmp(argv[1], "revoke") == 0) {
        return token_revoke(argc, argv);
    }
    usage(stderr);
    return 2;
}

static int token_create(int argc, char **argv)
{
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
            LOG_EVENT(LOG_LEVEL_ERROR, "%s needs a value", opt);
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
                LOG_EVENT(LOG_LEVEL_ERROR, "--scope: %s", e.message);
                return 2;
            }
            tok.scopes |= bits;
            have_scope = true;
        } else if (strcmp(opt, "--zone") == 0) {
            if (tok.n_zones == AUTH_MAX_ZONES) {
                LOG_EVENT(LOG_LEVEL_ERROR, "at most %d zones", AUTH_MAX_ZONES);
                return 2;
            }
            if (dns_zone_name_normalize(val, tok.zones[tok.n_zones], sizeof(tok.zones[0]), &e) !=
                DNSAPI_OK) {
                LOG_EVENT(LOG_LEVEL_ERROR, "--zone: %s", e.message);
                return 2;
            }
            zused += (size_t)snprintf(zones_lit + zused, sizeof(zones_lit) - zused, "%s\"%s\"",
                                      tok.n_zones ? "," : "{", tok.zones[tok.n_zones]);
            tok.n_zones++;
        } else if (strcmp(opt, "--expires-in") == 0) {
            if (dnsapi_duration_parse(val, &expires_in) != 0 || expires_in < 60 ||
                expires_in > 3650LL * 86400) {
                LOG_EVENT(LOG_LEVEL_ERROR,
                          "--expires-in: '%s' is not a duration from 60s to 3650d (e.g. 3600, "
                          "12h, 90d)",
                          val);
                return 2;
            }
        } else {
            LOG_EVENT(LOG_LEVEL_ERROR, "unknown option '%s'", opt);
            return 2;
        }
    }
    if (account == NULL || !have_scope || tok.scopes == 0) {
        LOG_EVENT(LOG_LEVEL_ERROR, "--account and --scope are required");
        return 2;
    }
    if (tok.n_zones > 0) {
        snprintf(zones_lit + zused, sizeof(zones_lit) - zused, "}");
    }
    dnsapi_config_t cfg;
    if (cli_config("token", &cfg, DNSAPI_NEED_JWT) != 0) {
        return 1;
    }
    PGconn *c = cli_connect(&cfg);
    if (c == NULL) {
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
    int rc = store_admin_account_find(c, account, tok.account_id, &e);
    if (rc == DNSAPI_OK) {
        rc = store_admin_token_insert(c, tok.account_id, name, scopes_lit,
                                      tok.n_zones ? zones_lit : NULL, tok.expires_at, tok.token_id,
                                      &e);
    }
    PQfinish(c);
    if (rc != DNSAPI_OK) {
        LOG_EVENT(LOG_LEVEL_ERROR, "%s", e.message);
        return 1;
    }
    char *jwt =
        auth_token_mint(&tok, now, (const unsigned char *)cfg.jwt_secret, cfg.jwt_secret_len);
    if (jwt == NULL) {
        LOG_EVENT(LOG_LEVEL_ERROR, "could not sign the token");
        return 1;
    }
    printf("%s\n", jwt);
    free(jwt);
    return 0;
}

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/auth.h"
#include "api/credential.h"
#include "cli/commands.h"
#include "cli/grants.h"
#include "common/config.h"
#include "common/log.h"
#include "dns/dns.h"
#include "storage/migrate.h"
#include "storage/store_admin.h"

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: dnsapi token create --account NAME --scope \"SCOPE ...\" [--zone ZONE]...\n"
            "                           [--policies JSON] [--expires-in DURATION] [--name TEXT]\n"
            "       dnsapi token list --account NAME\n"
            "       dnsapi token revoke ID\n\n"
            "create: mints a bearer token signed with DNSAPI_JWT_SECRET and prints it, and\n"
            "nothing else, on stdout (default lifetime 90d).\n%s"
            "list: prints the account's tokens (never their secrets), tab-separated after a\n"
            "header line: id, name, state (active, expired, revoked), scopes, zones (* for\n"
            "every zone), created_at, expires_at, revoked_at (- when not revoked).\n"
            "revoke: revokes the token with that id; the API refuses it from its next\n"
            "request on.\n\n%s",
            cli_grants_help, dnsapi_config_help);
}

static int token_create(int argc, char **argv);

static int token_print(PGconn *c, const char *account_id, dnsapi_err_t *e)
{
    store_admin_token_row_t *rows = NULL;
    size_t n = 0;
    int rc = store_admin_token_list(c, account_id, &rows, &n, e);
    if (rc != DNSAPI_OK) {
        return rc;
    }
    printf("id\tname\tstate\tscopes\tzones\tcreated_at\texpires_at\trevoked_at\n");
    for (size_t i = 0; i < n; i++) {
        const store_admin_token_row_t *t = &rows[i];
        printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t->id, t->name, t->state, t->scopes,
               t->zones[0] ? t->zones : "*", t->created_at, t->expires_at,
               t->revoked_at[0] ? t->revoked_at : "-");
    }
    free(rows);
    return DNSAPI_OK;
}

static int token_list(int argc, char **argv)
{
    return cli_credential_list("token", argc, argv, token_print, usage);
}

static int token_revoke(int argc, char **argv)
{
    return cli_credential_revoke("token", argc, argv, store_admin_token_revoke, usage);
}

int cmd_token(int argc, char **argv)
{
    static const cli_sub_t subs[] = {
        {"create", token_create}, {"list", token_list}, {"revoke", token_revoke}};
    return cli_subcommand(argc, argv, subs, sizeof(subs) / sizeof(subs[0]), usage);
}

static int token_create(int argc, char **argv)
{
    const char *name = "cli";
    cli_grants_t g;
    cli_grants_init(&g, API_TOKEN_DEFAULT_SECONDS);
    for (int i = 2; i < argc; i++) {
        const char *opt = argv[i];
        if (i + 1 >= argc) {
            LOG_EVENT(LOG_LEVEL_ERROR, "%s needs a value", opt);
            return 2;
        }
        const char *val = argv[++i];
        int got = cli_grants_option(&g, opt, val);
        if (got < 0) {
            return 2;
        }
        if (got == 0 && strcmp(opt, "--name") == 0) {
            name = val;
        } else if (got == 0) {
            LOG_EVENT(LOG_LEVEL_ERROR, "unknown option '%s'", opt);
            return 2;
        }
    }
    if (cli_grants_finish(&g) != 0) {
        return 2;
    }
    dnsapi_config_t cfg;
    PGconn *c = NULL;
    if (cli_config("token", &cfg, DNSAPI_NEED_JWT) != 0 || (c = cli_connect(&cfg)) == NULL) {
        cli_grants_clear(&g);
        return 1;
    }
    auth_token_t tok;
    memset(&tok, 0, sizeof(tok));
    tok.scopes = g.scopes;
    memcpy(tok.zones, g.zones, sizeof(tok.zones));
    tok.n_zones = g.n_zones;
    memcpy(tok.policies, g.policies, sizeof(tok.policies));
    tok.n_policies = g.n_policies;
    int64_t now = (int64_t)time(NULL);
    tok.expires_at = now + g.expires_in;
    dnsapi_err_t e;
    dnsapi_err_clear(&e);
    int rc = store_admin_account_find(c, g.account, tok.account_id, &e);
    if (rc == DNSAPI_OK) {
        rc = store_admin_token_insert(c, tok.account_id, name, g.scopes_lit,
                                      g.n_zones ? g.zones_lit : NULL, g.policies_json,
                                      tok.expires_at, tok.token_id, &e);
    }
    PQfinish(c);
    cli_grants_clear(&g);
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

/*
 * dnsapi tsig - TSIG keys (credentials for DNS UPDATE) from the command
 * line: create (the secret printed once, stored sealed), list, revoke. The
 * same rules as POST /v1/tsig-keys (api/credential.h) without a creator to
 * bound them: the operator may grant anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "api/credential.h"
#include "cli/commands.h"
#include "cli/grants.h"
#include "common/config.h"
#include "common/log.h"
#include "common/seal.h"
#include "storage/store_admin.h"

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: dnsapi tsig create --account NAME --name KEYNAME --scope \"SCOPE ...\"\n"
            "                          [--algorithm hmac-sha256|hmac-sha512] [--zone ZONE]...\n"
            "                          [--policies JSON] [--expires-in DURATION]\n"
            "       dnsapi tsig list --account NAME\n"
            "       dnsapi tsig revoke ID\n\n"
            "create: mints a TSIG key for DNS UPDATE and prints it once, and nothing else, on\n"
            "stdout as ALGORITHM:NAME:SECRET (what nsupdate -y and knsupdate -y take). The\n"
            "secret is stored sealed with DNSAPI_SECRETS_KEY (or a key derived from\n"
            "DNSAPI_JWT_SECRET): give the same settings as `dnsapi serve` has.\n"
            "--name: a domain name of letters, digits, '-' and '_', unique across accounts.\n"
            "--algorithm: hmac-sha256 (default) or hmac-sha512. Default lifetime 365d.\n%s"
            "list: prints the account's keys (never their secrets), tab-separated after a\n"
            "header line: id, name, algorithm, state (active, expired, revoked), scopes,\n"
            "zones (* for every zone), policies (JSON, - for none), created_at, expires_at,\n"
            "revoked_at (- when not revoked).\n"
            "revoke: revokes the key with that id; messages signed with it are refused from\n"
            "the next one on.\n\n%s",
            cli_grants_help, dnsapi_config_help);
}

static int tsig_create(int argc, char **argv)
{
    const char *name_in = NULL, *alg_in = NULL;
    cli_grants_t g;
    cli_grants_init(&g, API_TSIG_DEFAULT_SECONDS);
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
            name_in = val;
        } else if (got == 0 && strcmp(opt, "--algorithm") == 0) {
            alg_in = val;
        } else if (got == 0) {
            LOG_EVENT(LOG_LEVEL_ERROR, "unknown option '%s'", opt);
            return 2;
        }
    }
    char name[256];
    dns_tsig_alg_t alg;
    dnsapi_err_t e;
    dnsapi_err_clear(&e);
    if (name_in == NULL) {
        LOG_EVENT(LOG_LEVEL_ERROR, "--name is required (e.g. acme-client.example.com)");
        return 2;
    }
    if (api_tsig_name_normalize(name_in, name, sizeof(name), &e) != DNSAPI_OK ||
        api_tsig_alg_read(alg_in, &alg, &e) != DNSAPI_OK) {
        LOG_EVENT(LOG_LEVEL_ERROR, "--%s: %s", e.field, e.message);
        return 2;
    }
    if (cli_grants_finish(&g) != 0) {
        return 2;
    }
    dnsapi_config_t cfg;
    seal_key_t key;
    PGconn *c = NULL;
    if (cli_config("tsig", &cfg, DNSAPI_NEED_JWT) != 0) {
        cli_grants_clear(&g);
        return 1;
    }
    if (seal_key_init(&key, cfg.secrets_key, cfg.jwt_secret, &e) != DNSAPI_OK) {
        LOG_EVENT(LOG_LEVEL_ERROR, "%s", e.message);
        cli_grants_clear(&g);
        return 1;
    }
    if ((c = cli_connect(&cfg)) == NULL) {
        seal_key_clear(&key);
        cli_grants_clear(&g);
        return 1;
    }
    char account_id[40], id[40], sealed[API_TSIG_SEALED_SIZE], secret[API_TSIG_B64_SIZE];
    int rc = store_admin_account_find(c, g.account, account_id, &e);
    if (rc == DNSAPI_OK) {
        rc = api_tsig_secret_new(&key, account_id, name, alg, sealed, secret, &e);
    }
    if (rc == DNSAPI_OK) {
        store_admin_tsig_new_t k = {
            .account_id = account_id,
            .name = name,
            .algorithm = dns_tsig_alg_name(alg),
            .secret_sealed = sealed,
            .scopes = g.scopes_lit,
            .zones = g.n_zones ? g.zones_lit : NULL,
            .policies = g.policies_json,
            .expires_at = (int64_t)time(NULL) + g.expires_in,
        };
        rc = store_admin_tsig_insert(c, &k, id, &e);
    }
    PQfinish(c);
    seal_key_clear(&key);
    cli_grants_clear(&g);
    if (rc == DNSAPI_OK) {
        printf("%s:%s:%s\n", dns_tsig_alg_name(alg), name, secret);
        LOG_EVENT(LOG_LEVEL_INFO, "created TSIG key %s (%s)", name, id);
    } else {
        LOG_EVENT(LOG_LEVEL_ERROR, "%s", e.message);
    }
    OPENSSL_cleanse(secret, sizeof(secret));
    return rc == DNSAPI_OK ? 0 : rc == DNSAPI_ECONFLICT ? 3 : 1;
}

static int tsig_print(PGconn *c, const char *account_id, dnsapi_err_t *e)
{
    store_admin_tsig_row_t *rows = NULL;
    size_t n = 0;
    int rc = store_admin_tsig_list(c, account_id, &rows, &n, e);
    if (rc != DNSAPI_OK) {
        return rc;
    }
    printf("id\tname\talgorithm\tstate\tscopes\tzones\tpolicies\tcreated_at\texpires_at\t"
           "revoked_at\n");
    for (size_t i = 0; i < n; i++) {
        const store_admin_tsig_row_t *k = &rows[i];
        const store_admin_token_row_t *t = &k->cred;
        printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t->id, t->name, k->algorithm, t->state,
               t->scopes, t->zones[0] ? t->zones : "*", k->policies[0] ? k->policies : "-",
               t->created_at, t->expires_at, t->revoked_at[0] ? t->revoked_at : "-");
    }
    free(rows);
    return DNSAPI_OK;
}

static int tsig_list(int argc, char **argv)
{
    return cli_credential_list("tsig", argc, argv, tsig_print, usage);
}

static int tsig_revoke(int argc, char **argv)
{
    return cli_credential_revoke("tsig", argc, argv, store_admin_tsig_revoke, usage);
}

int cmd_tsig(int argc, char **argv)
{
    static const cli_sub_t subs[] = {
        {"create", tsig_create}, {"list", tsig_list}, {"revoke", tsig_revoke}};
    return cli_subcommand(argc, argv, subs, sizeof(subs) / sizeof(subs[0]), usage);
}

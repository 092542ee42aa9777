#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "common/log.h"
#include "common/log_pq.h"
#include "storage/migrate.h"
#include "storage/store_admin.h"

int cli_config(const char *cmd, dnsapi_config_t *cfg, unsigned need)
{
    char err[1024];
    if (dnsapi_config_load(cfg, need, err, sizeof(err)) != 0) {
        LOG_EVENT(LOG_LEVEL_ERROR, "%s", err);
        return -1;
    }
    log_init(cmd, cfg->log_level);
    return 0;
}

PGconn *cli_connect(const dnsapi_config_t *cfg)
{
    char err[1024];
    PGconn *c = db_connect_sync(cfg->database_url, err, sizeof(err));
    if (c == NULL) {
        LOG_EVENT(LOG_LEVEL_ERROR, "%s", err);
        return NULL;
    }
    log_pq_attach(c, "cli");
    return c;
}

PGconn *cli_open(const char *cmd, dnsapi_config_t *cfg, unsigned need)
{
    return cli_config(cmd, cfg, need) == 0 ? cli_connect(cfg) : NULL;
}

int cli_subcommand(int argc, char **argv, const cli_sub_t *subs, size_t n, void (*usage)(FILE *fp))
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; argc >= 2 && i < n; i++) {
        if (strcmp(argv[1], subs[i].name) == 0) {
            return subs[i].run(argc, argv);
        }
    }
    usage(stderr);
    return 2;
}

int cli_credential_revoke(const char *cmd, int argc, char **argv,
                          int (*revoke)(PGconn *c, const char *id, dnsapi_err_t *err),
                          void (*usage)(FILE *fp))
{
    if (argc != 3) {
        usage(stderr);
        return 2;
    }
    dnsapi_config_t cfg;
    PGconn *c = cli_open(cmd, &cfg, 0);
    if (c == NULL) {
        return 1;
    }
    dnsapi_err_t e;
    dnsapi_err_clear(&e);
    int rc = revoke(c, argv[2], &e);
    PQfinish(c);
    if (rc != DNSAPI_OK) {
        LOG_EVENT(LOG_LEVEL_ERROR, "%s", e.message);
        return rc == DNSAPI_EINVAL ? 2 : rc == DNSAPI_ENOTFOUND ? 3 : 1;
    }
    printf("revoked %s\n", argv[2]);
    return 0;
}

int cli_credential_list(const char *cmd, int argc, char **argv,
                        int (*print)(PGconn *c, const char *account_id, dnsapi_err_t *err),
                        void (*usage)(FILE *fp))
{
    if (argc != 4 || strcmp(argv[2], "--account") != 0) {
        usage(stderr);
        return 2;
    }
    dnsapi_config_t cfg;
    PGconn *c = cli_open(cmd, &cfg, 0);
    if (c == NULL) {
        return 1;
    }
    char account_id[40];
    dnsapi_err_t e;
    dnsapi_err_clear(&e);
    int rc = store_admin_account_find(c, argv[3], account_id, &e);
    if (rc == DNSAPI_OK) {
        rc = print(c, account_id, &e);
    }
    PQfinish(c);
    if (rc != DNSAPI_OK) {
        LOG_EVENT(LOG_LEVEL_ERROR, "%s", e.message);
        return 1;
    }
    return 0;
}

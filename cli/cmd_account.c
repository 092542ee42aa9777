#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "common/config.h"
#include "storage/migrate.h"
#include "storage/store_admin.h"

int cmd_account(int argc, char **argv)
{
    if (cli_wants_help(argc, argv) || argc < 2) {
        printf("usage: dnsapi account create NAME\n\n"
               "Creates an account and prints its id. NAME: 1-63 lowercase letters, digits,\n"
               "'.', '_' or '-'. Creating an existing account prints its id and exits 0.\n\n%s",
               dnsapi_config_help);
        return argc < 2 && !cli_wants_help(argc, argv) ? 2 : 0;
    }
    if (strcmp(argv[1], "create") != 0 || argc != 3) {
        fprintf(stderr, "dnsapi account: usage: dnsapi account create NAME\n");
        return 2;
    }
    dnsapi_config_t cfg;
    char err[1024];
    if (dnsapi_config_load(&cfg, 0, err, sizeof(err)) != 0) {
        fprintf(stderr, "dnsapi account: %s\n", err);
        return 1;
    }
    PGconn *c = db_connect_sync(cfg.database_url, err, sizeof(err));
    if (c == NULL) {
        fprintf(stderr, "dnsapi account: %s\n", err);
        return 1;
    }
    char id[40];
    dnsapi_err_t e;
    dnsapi_err_clear(&e);
    int rc = store_account_create(c, argv[2], id, &e);
    PQfinish(c);
    if (rc == DNSAPI_ECONFLICT) {
        fprintf(stderr, "dnsapi account: %s\n", e.message);
        printf("%s\n", id);
        return 0;
    }
    if (rc != DNSAPI_OK) {
        fprintf(stderr, "dnsapi account: %s\n", e.message);
        return 1;
    }
    printf("%s\n", id);
    return 0;
}

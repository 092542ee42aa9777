#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "common/config.h"
#include "common/log.h"
#include "storage/store_admin.h"

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: dnsapi account create NAME\n"
            "       dnsapi account list\n\n"
            "create: creates an account and prints its id. NAME: 1-63 lowercase letters,\n"
            "digits, '.', '_' or '-'. Creating an existing account prints its id and\n"
            "exits 0.\n"
            "list: prints one line per account, tab-separated after a header line:\n"
            "id, name, created_at, zones, active_tokens.\n\n%s",
            dnsapi_config_help);
}

static int account_create(PGconn *c, const char *name)
{
    char id[40];
    dnsapi_err_t e;
    dnsapi_err_clear(&e);
    int rc = store_admin_account_create(c, name, id, &e);
    if (rc == DNSAPI_ECONFLICT) {
        LOG_EVENT(LOG_LEVEL_INFO, "%s", e.message);
        printf("%s\n", id);
        return 0;
    }
    if (rc != DNSAPI_OK) {
        LOG_EVENT(LOG_LEVEL_ERROR, "%s", e.message);
        return 1;
    }
    printf("%s\n", id);
    return 0;
}

static int account_list(PGconn *c)
{
    store_admin_account_row_t *rows = NULL;
    size_t n = 0;
    dnsapi_err_t e;
    dnsapi_err_clear(&e);
    if (store_admin_account_list(c, &rows, &n, &e) != DNSAPI_OK) {
        LOG_EVENT(LOG_LEVEL_ERROR, "%s", e.message);
        return 1;
    }
    printf("id\tname\tcreated_at\tzones\tactive_tokens\n");
    for (size_t i = 0; i < n; i++) {
        printf("%s\t%s\t%s\t%lld\t%lld\n", rows[i].id, rows[i].name, rows[i].created_at,
               rows[i].zones, rows[i].tokens);
    }
    free(rows);
    return 0;
}

int cmd_account(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    bool create = argc == 3 && strcmp(argv[1], "create") == 0;
    bool list = argc == 2 && strcmp(argv[1], "list") == 0;
    if (!create && !list) {
        usage(stderr);
        return 2;
    }
    dnsapi_config_t cfg;
    PGconn *c = cli_open("account", &cfg, 0);
    if (c == NULL) {
        return 1;
    }
    int rc = create ? account_create(c, argv[2]) : account_list(c);
    PQfinish(c);
    return rc;
}

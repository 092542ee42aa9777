/* dnsapi db grant: gives the roles of `serve` and `zonegen` the rights they use. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "common/config.h"
#include "storage/migrate.h"

#define MAX_ROLES 8

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: dnsapi db grant [--serve ROLE]... [--zonegen ROLE]...\n\n"
            "Grants each ROLE exactly the rights `dnsapi serve` (--serve) or `dnsapi zonegen`\n"
            "(--zonegen) uses on the database of DNSAPI_DATABASE_URL, and takes away any\n"
            "others it held on dnsapi's tables. Run it as the owner role, the one that runs\n"
            "`dnsapi migrate`, after migrating; later migrations grant the recorded roles\n"
            "what they add. The roles must exist (CREATE ROLE name LOGIN PASSWORD '...') and\n"
            "must not be superusers, the owner or its members, or own anything; PUBLIC loses\n"
            "TEMP on the database and CREATE on the schema. A role may be given both.\n\n"
            "DNSAPI_DB_OWNER, if set, is the role to become (SET ROLE) after connecting,\n"
            "for a login that is a member of the owner role.\n\n%s",
            dnsapi_config_help);
}

int cmd_db(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "grant") != 0) {
        usage(stderr);
        return 2;
    }
    const char *roles[MAX_ROLES], *kinds[MAX_ROLES];
    size_t n = 0;
    for (int i = 2; i < argc; i += 2) {
        bool serve = strcmp(argv[i], "--serve") == 0;
        if ((!serve && strcmp(argv[i], "--zonegen") != 0) || i + 1 >= argc ||
            argv[i + 1][0] == '\0' || n == MAX_ROLES) {
            fprintf(stderr, "dnsapi db grant: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
        roles[n] = argv[i + 1];
        kinds[n] = serve ? "serve" : "zonegen";
        n++;
    }
    if (n == 0) {
        fprintf(stderr, "dnsapi db grant: name a role with --serve or --zonegen\n");
        return 2;
    }
    dnsapi_config_t cfg;
    char err[1024];
    if (dnsapi_config_load(&cfg, 0, err, sizeof(err)) != 0) {
        fprintf(stderr, "dnsapi db grant: %s\n", err);
        return 1;
    }
    PGconn *c = db_connect_sync(cfg.database_url, err, sizeof(err));
    if (c == NULL) {
        fprintf(stderr, "dnsapi db grant: %s\n", err);
        return 1;
    }
    const char *owner = getenv("DNSAPI_DB_OWNER");
    int rc = db_migrate_check(c, NULL, err, sizeof(err));
    if (rc == 0 && owner != NULL && *owner != '\0') {
        rc = db_role_set(c, owner, err, sizeof(err));
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = db_grant_role(c, roles[i], kinds[i], err, sizeof(err));
        if (rc == 0) {
            printf("granted %s the rights of dnsapi %s\n", roles[i], kinds[i]);
        }
    }
    PQfinish(c);
    if (rc != 0) {
        fprintf(stderr, "dnsapi db grant: %s\n", err);
        return 1;
    }
    return 0;
}

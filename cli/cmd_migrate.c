#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "common/config.h"
#include "common/log.h"
#include "storage/migrate.h"

int cmd_migrate(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: dnsapi migrate\n\n"
               "Applies pending database migrations in order, each in its own transaction,\n"
               "under an advisory lock; does nothing when the database is current.\n"
               "DNSAPI_MIGRATIONS_DIR, if set, reads NNNN_*.sql files from that folder\n"
               "instead of those built into the binary. DNSAPI_DB_OWNER, if set, is the role\n"
               "to become (SET ROLE) after connecting, so that the owner role owns what the\n"
               "migrations create; otherwise the login of DNSAPI_DATABASE_URL does. Then\n"
               "`dnsapi db grant` gives the roles of serve and zonegen their rights.\n\n%s",
               dnsapi_config_help);
        return 0;
    }
    if (argc > 1) {
        LOG_EVENT(LOG_LEVEL_ERROR, "unexpected argument '%s'", argv[1]);
        return 2;
    }
    dnsapi_config_t cfg;
    char err[1024];
    if (cli_config("migrate", &cfg, 0) != 0) {
        return 1;
    }
    db_migration_t *list = NULL;
    const char *dir = getenv("DNSAPI_MIGRATIONS_DIR");
    if (dir != NULL && *dir != '\0' &&
        (list = db_migrations_load_dir(dir, err, sizeof(err))) == NULL) {
        LOG_EVENT(LOG_LEVEL_ERROR, "%s", err);
        return 1;
    }
    PGconn *c = cli_connect(&cfg);
    if (c == NULL) {
        db_migrations_free(list);
        return 1;
    }
    const char *owner = getenv("DNSAPI_DB_OWNER");
    int n = 0;
    if (owner != NULL && *owner != '\0' && db_role_set(c, owner, err, sizeof(err)) != 0) {
        n = -1;
    } else {
        n = db_migrate_apply(c, list, stdout, err, sizeof(err));
    }
    PQfinish(c);
    db_migrations_free(list);
    if (n < 0) {
        LOG_EVENT(LOG_LEVEL_ERROR, "%s", err);
        return 1;
    }
    if (n == 0) {
        printf("database is current\n");
    }
    return 0;
}

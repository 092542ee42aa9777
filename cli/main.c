/* dnsapi - DNS management REST API: one binary, several subcommands. */
#include <stdio.h>
#include <string.h>

#include <h2o/version.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <openssl/crypto.h>

#include "cli/commands.h"
#include "common/log.h"
#include "common/version.h"
#include "storage/migrate.h"

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} commands[] = {
    {"serve", cmd_serve, "run the HTTP API"},
    {"zonegen", cmd_zonegen, "write master files for changed zones and reload the name servers"},
    {"migrate", cmd_migrate, "apply pending database migrations"},
    {"account", cmd_account, "manage accounts (account create NAME, account list)"},
    {"token", cmd_token, "manage bearer tokens (token create, token list, token revoke)"},
    {"tsig", cmd_tsig, "manage TSIG keys for DNS UPDATE (tsig create, tsig list, tsig revoke)"},
    {"export", cmd_export, "print one zone as a master file"},
    {"zone", cmd_zone, "change zones (zone set-nameservers ZONE NS..., --all)"},
    {"db", cmd_db, "grant the roles of serve and zonegen (db grant --serve ROLE --zonegen ROLE)"},
};

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            return 1;
        }
    }
    return 0;
}

static void usage(FILE *fp)
{
    fprintf(fp, "usage: dnsapi COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        fprintf(fp, "  %-9s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(fp, "\n`dnsapi COMMAND --help` lists a command's options and the settings it reads;\n"
                "`dnsapi --version` prints the release and the schema it expects.\n");
}

/* The release, the newest migration built in (the schema this binary
 * expects: see docs/operations.md on upgrades) and the libraries. */
static void print_version(void)
{
    const char *schema = "none";
    for (const db_migration_t *m = db_migrations_embedded; m->name != NULL; m++) {
        schema = m->name;
    }
    int pq = PQlibVersion();
    printf("dnsapi %s\nschema %.*s\nh2o %s, libpq %d.%d, %s\n", DNSAPI_VERSION,
           (int)(strlen(schema) > 4 && strcmp(schema + strlen(schema) - 4, ".sql") == 0
                     ? strlen(schema) - 4
                     : strlen(schema)),
           schema, H2O_VERSION, pq / 10000, pq % 10000, OpenSSL_version(OPENSSL_VERSION));
}

int main(int argc, char **argv)
{
    json_object_seed(0);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0 ||
        strcmp(argv[1], "version") == 0) {
        print_version();
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            log_init(commands[i].name, LOG_LEVEL_INFO);
            return commands[i].fn(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "dnsapi: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}

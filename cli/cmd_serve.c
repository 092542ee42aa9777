#include <stdio.h>
#include <string.h>

#include "api/server.h"
#include "cli/commands.h"
#include "common/config.h"
#include "storage/migrate.h"

int cmd_serve(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: dnsapi serve\n\n"
               "Runs the HTTP API until SIGTERM or SIGINT (in-flight requests finish first).\n"
               "Refuses to start on a database that `dnsapi migrate` has not brought current.\n"
               "Writes one JSON access-log line per request to stdout.\n\n%s",
               dnsapi_config_help);
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "dnsapi serve: unexpected argument '%s'\n", argv[1]);
        return 2;
    }
    dnsapi_config_t cfg;
    char err[1024];
    if (dnsapi_config_load(&cfg, DNSAPI_NEED_JWT | DNSAPI_NEED_NAMESERVERS, err, sizeof(err)) !=
        0) {
        fprintf(stderr, "dnsapi serve: %s\n", err);
        return 1;
    }
    PGconn *c = db_connect_sync(cfg.database_url, err, sizeof(err));
    if (c == NULL) {
        fprintf(stderr, "dnsapi serve: %s\n", err);
        return 1;
    }
    int rc = db_migrate_check(c, NULL, err, sizeof(err));
    PQfinish(c);
    if (rc != 0) {
        fprintf(stderr, "dnsapi serve: %s\n", err);
        return 1;
    }
    return api_server_run(&cfg) == 0 ? 0 : 1;
}

#include <stdio.h>
#include <string.h>

#include "api/server.h"
#include "cli/commands.h"
#include "common/config.h"
#include "common/log.h"
#include "storage/migrate.h"

int cmd_serve(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: dnsapi serve\n\n"
               "Runs the HTTP API (HTTPS with DNSAPI_TLS_CERT and DNSAPI_TLS_KEY) until\n"
               "SIGTERM or SIGINT (in-flight requests finish first). Refuses to start on a\n"
               "database that `dnsapi migrate` has not brought current.\n"
               "Writes one JSON access-log line per request to stdout and JSON event lines\n"
               "(start, stop, errors, database notices) to stderr.\n\n%s",
               dnsapi_config_help);
        return 0;
    }
    if (argc > 1) {
        LOG_EVENT(LOG_LEVEL_ERROR, "unexpected argument '%s'", argv[1]);
        return 2;
    }
    dnsapi_config_t cfg;
    PGconn *c = cli_open("serve", &cfg, DNSAPI_NEED_JWT | DNSAPI_NEED_NAMESERVERS);
    if (c == NULL) {
        return 1;
    }
    char err[1024];
    int rc = db_migrate_check(c, NULL, err, sizeof(err));
    PQfinish(c);
    if (rc != 0) {
        LOG_EVENT(LOG_LEVEL_ERROR, "%s", err);
        return 1;
    }
    return api_server_run(&cfg) == 0 ? 0 : 1;
}

#include <stdio.h>

#include "cli/commands.h"
#include "common/log.h"
#include "common/log_pq.h"
#include "storage/migrate.h"

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

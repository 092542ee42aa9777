/*
 * commands.h - the subcommands of the dnsapi binary. Each takes the
 * arguments after its own name (argv[0] is the subcommand name) and returns
 * the process exit status. Each answers --help. Results go to stdout;
 * diagnostics are log lines (common/log.h) on stderr.
 */
#ifndef DNSAPI_CLI_COMMANDS_H
#define DNSAPI_CLI_COMMANDS_H

#include <libpq-fe.h>

#include "common/config.h"

int cmd_serve(int argc, char **argv);
int cmd_zonegen(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_account(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_db(int argc, char **argv);

/* True when argv holds -h or --help. */
int cli_wants_help(int argc, char **argv);

/* Loads the configuration (need: DNSAPI_NEED_* bits) and sets the log
 * level and the name cmd on log lines; -1 after logging the problem. */
int cli_config(const char *cmd, dnsapi_config_t *cfg, unsigned need);

/* Connects to the database with libpq's notices routed to the log; NULL
 * after logging why not. */
PGconn *cli_connect(const dnsapi_config_t *cfg);

/* cli_config, then cli_connect: NULL after logging why not. */
PGconn *cli_open(const char *cmd, dnsapi_config_t *cfg, unsigned need);

#endif

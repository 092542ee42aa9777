/*
 * commands.h - the subcommands of the dnsapi binary. Each takes the
 * arguments after its own name (argv[0] is the subcommand name) and returns
 * the process exit status. Each answers --help. Results go to stdout;
 * diagnostics are log lines (common/log.h) on stderr.
 */
#ifndef DNSAPI_CLI_COMMANDS_H
#define DNSAPI_CLI_COMMANDS_H

#include <stdio.h>

#include <libpq-fe.h>

#include "common/config.h"
#include "common/error.h"

int cmd_serve(int argc, char **argv);
int cmd_zonegen(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_account(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_tsig(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_zone(int argc, char **argv);
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

/* A command's subcommands ("create", "list", ...), each called with the
 * command's argc/argv. */
typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
} cli_sub_t;

/* Runs the subcommand argv[1] names; --help prints usage to stdout (0);
 * anything else prints it to stderr (2). */
int cli_subcommand(int argc, char **argv, const cli_sub_t *subs, size_t n, void (*usage)(FILE *fp));

/* `dnsapi CMD list --account NAME` for a credential: checks the
 * arguments, connects, finds the account and calls print with its id.
 * Exit 0, 2 (wrong arguments) or 1 (after logging what failed). */
int cli_credential_list(const char *cmd, int argc, char **argv,
                        int (*print)(PGconn *c, const char *account_id, dnsapi_err_t *err),
                        void (*usage)(FILE *fp));

/* `dnsapi CMD revoke ID` for a credential: revoke (store_admin_*_revoke)
 * with the database of the configuration; prints "revoked ID". Exit 0, 2
 * (not an id, or wrong arguments), 3 (no such id), 1 (otherwise: revoked
 * already, the database). */
int cli_credential_revoke(const char *cmd, int argc, char **argv,
                          int (*revoke)(PGconn *c, const char *id, dnsapi_err_t *err),
                          void (*usage)(FILE *fp));

#endif

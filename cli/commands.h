/*
 * commands.h - the subcommands of the dnsapi binary. Each takes the
 * arguments after its own name (argv[0] is the subcommand name) and returns
 * the process exit status. Each answers --help.
 */
#ifndef DNSAPI_CLI_COMMANDS_H
#define DNSAPI_CLI_COMMANDS_H

int cmd_serve(int argc, char **argv);
int cmd_zonegen(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_account(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_db(int argc, char **argv);

/* True when argv holds -h or --help. */
int cli_wants_help(int argc, char **argv);

#endif

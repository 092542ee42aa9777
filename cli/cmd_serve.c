#include <stdio.h>

#include "cli/commands.h"

int cmd_serve(int argc, char **argv)
{
    fprintf(stderr, "dnsapi serve: not built yet\n");
    return 1;
}

int cmd_account(int argc, char **argv)
{
    return 1;
}

int cmd_token(int argc, char **argv)
{
    return 1;
}

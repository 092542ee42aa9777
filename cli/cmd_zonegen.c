#include <stdio.h>

#include "cli/commands.h"

/* Placeholder until the zone generator lands. */
int cmd_zonegen(int argc, char **argv)
{
    fprintf(stderr, "dnsapi zonegen: not built yet\n");
    return 1;
}

int cmd_export(int argc, char **argv)
{
    fprintf(stderr, "dnsapi export: not built yet\n");
    return 1;
}

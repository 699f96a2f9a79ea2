#include "cli/commands.h"

#include <stdio.h>

int cmd_spot(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "netspot: spot: not available in this build\n");
    return CMD_FAILURE;
}

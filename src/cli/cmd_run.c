#include "cli/commands.h"

#include <stdio.h>

int cmd_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "netspot: run: not available yet\n");
    return CMD_FAILURE;
}

#include "cli/commands.h"

#include <stdio.h>

int cmd_defaults(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "netspot: defaults: not available in this build\n");
    return CMD_FAILURE;
}

int cmd_config(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "netspot: config: not available in this build\n");
    return CMD_FAILURE;
}

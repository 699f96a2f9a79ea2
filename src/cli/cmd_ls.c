#include "cli/commands.h"

#include "stats/stats.h"

#include <stdio.h>
#include <string.h>

int cmd_ls(int argc, char **argv)
{
    bool verbose = false;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("Usage: netspot ls [--long]\n\n"
                   "Prints the names of the available statistics, one per "
                   "line.\n  --long, -l  add the description of each\n");
            return CMD_OK;
        }
        if (argv[i][0] != '-') {
            fprintf(stderr, "netspot: ls: unexpected argument '%s'\n", argv[i]);
            return CMD_USAGE;
        }
        if (strcmp(argv[i], "--long") != 0 && strcmp(argv[i], "-l") != 0) {
            fprintf(stderr, "netspot: ls: unknown flag '%s'\n", argv[i]);
            return CMD_USAGE;
        }
        verbose = true;
    }
    for (int id = 0; id < STATS_COUNT; id++) {
        if (verbose)
            printf("%-16s %s\n", stats_name((enum stats_id)id),
                   stats_description((enum stats_id)id));
        else
            printf("%s\n", stats_name((enum stats_id)id));
    }
    return CMD_OK;
}

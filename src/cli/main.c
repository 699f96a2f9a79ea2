/* Entry point: dispatches to the command named by the first argument. */
#include "cli/commands.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct main_command {
    const char *name;
    const char *alias;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct main_command main_commands[] = {
    {"run", NULL, cmd_run, "Analyse a capture file or an interface"},
    {"list-stats", "ls", cmd_ls, "List the available statistics"},
    {"defaults", "def", cmd_defaults, "Print the default configuration"},
    {"config", NULL, cmd_config, "Check a file or show the configuration"},
    {"spot", NULL, cmd_spot, "Run one SPOT detector on numbers from stdin"},
    {"counters", NULL, cmd_counters, "Print the raw counters of each period"},
};

#define MAIN_N_COMMANDS (sizeof(main_commands) / sizeof(main_commands[0]))

static void main_usage(FILE *out)
{
    fprintf(out,
            "netspot %s: a simple IDS with statistical learning\n\n"
            "Usage: netspot COMMAND [FLAGS]\n\nCommands:\n",
            NETSPOT_VERSION);
    for (size_t i = 0; i < MAIN_N_COMMANDS; i++) {
        const struct main_command *c = &main_commands[i];

        fprintf(out, "  %-12s %s%s%s%s\n", c->name, c->summary,
                c->alias ? " (alias " : "", c->alias ? c->alias : "",
                c->alias ? ")" : "");
    }
    fprintf(out, "  %-12s %s\n\n", "help", "Show this help, or a command's");
    fprintf(out, "Run 'netspot COMMAND --help' for the flags of a command.\n");
}

static const struct main_command *main_find(const char *name)
{
    for (size_t i = 0; i < MAIN_N_COMMANDS; i++) {
        const struct main_command *c = &main_commands[i];

        if (strcmp(name, c->name) == 0 ||
            (c->alias != NULL && strcmp(name, c->alias) == 0))
            return c;
    }
    return NULL;
}

/* The HTTP API is not part of this version; the command says so. */
static int main_serve(void)
{
    fprintf(stderr, "netspot: serve: the HTTP API is not part of this "
                    "version; use 'netspot run' (see "
                    "docs/limitations.md)\n");
    return CMD_USAGE;
}

static bool main_is_help(const char *arg)
{
    return strcmp(arg, "help") == 0 || strcmp(arg, "h") == 0 ||
           strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0 ||
           strcmp(arg, "-help") == 0 || strcmp(arg, "--h") == 0;
}

static int main_help(int argc, char **argv)
{
    const struct main_command *c;
    char help_flag[] = "--help";
    char *help_argv[] = {NULL, help_flag, NULL};

    if (argc < 2 || main_is_help(argv[1])) {
        main_usage(stdout);
        return CMD_OK;
    }
    if (strcmp(argv[1], "serve") == 0)
        return main_serve();
    c = main_find(argv[1]);
    if (c == NULL) {
        fprintf(stderr, "netspot: unknown command '%s' (try 'netspot help')\n",
                argv[1]);
        return CMD_USAGE;
    }
    help_argv[0] = argv[1];
    return c->run(2, help_argv);
}

int main(int argc, char **argv)
{
    const struct main_command *c;

    /* As the original: no command prints the help and succeeds. */
    if (argc < 2) {
        main_usage(stdout);
        return CMD_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0 ||
        strcmp(argv[1], "-v") == 0 || strcmp(argv[1], "version") == 0) {
        printf("netspot version %s\n", NETSPOT_VERSION);
        return CMD_OK;
    }
    if (main_is_help(argv[1]))
        return main_help(argc - 1, argv + 1);
    if (strcmp(argv[1], "serve") == 0)
        return main_serve();
    c = main_find(argv[1]);
    if (c == NULL) {
        fprintf(stderr, "netspot: unknown command '%s' (try 'netspot help')\n",
                argv[1]);
        return CMD_USAGE;
    }
    return c->run(argc - 1, argv + 1);
}

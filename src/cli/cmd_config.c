/*
 * netspot defaults: print the built-in configuration as a TOML file.
 * netspot config check FILE...: validate files without running.
 * netspot config show [FLAGS]: print the configuration that run would use.
 */
#include "cli/commands.h"

#include "cli/options.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>

static bool config_cmd_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cmd_defaults(int argc, char **argv)
{
    struct config cfg;
    int rc;

    if (argc > 1 && config_cmd_is_help(argv[1])) {
        printf("Usage: netspot defaults\n\nPrints the default configuration "
               "as a commented TOML file that\n'netspot run -c FILE' reads "
               "back.\n");
        return CMD_OK;
    }
    if (argc > 1) {
        fprintf(stderr, "netspot: defaults: unexpected argument '%s'\n",
                argv[1]);
        return CMD_USAGE;
    }
    rc = config_init(&cfg);
    if (rc == 0) {
        printf("# netspot %s: the default configuration.\n"
               "# Durations are strings with a unit (\"500ms\", \"1m30s\"); "
               "an empty\n# string turns an optional path or socket off.\n\n",
               NETSPOT_VERSION);
        rc = config_print(&cfg, stdout, true);
    }
    if (rc < 0)
        fprintf(stderr, "netspot: defaults: %s\n", error_detail());
    config_free(&cfg);
    return rc < 0 ? CMD_FAILURE : CMD_OK;
}

static void config_cmd_usage(FILE *out)
{
    fprintf(out,
            "Usage: netspot config check FILE...\n"
            "       netspot config show [FLAGS]\n\n"
            "  check  Validate configuration files without running; prints "
            "'FILE: valid'\n"
            "  show   Print the effective configuration (defaults < --config "
            "file < flags)\n"
            "         as TOML; 'netspot config show --help' lists the "
            "flags\n");
}

/* Checks one file; prints its verdict. The error names the file even
 * when the detail does not start with it, so that a check of several
 * files tells which one failed. */
static int config_cmd_check_one(const char *path)
{
    struct config cfg;
    int rc = config_init(&cfg);

    if (rc == 0)
        rc = config_load_file(&cfg, path);
    if (rc == 0)
        rc = config_finish(&cfg);
    if (rc == 0)
        printf("%s: valid\n", path);
    else if (strncmp(error_detail(), path, strlen(path)) == 0)
        fprintf(stderr, "netspot: config check: %s\n", error_detail());
    else
        fprintf(stderr, "netspot: config check: %s: %s\n", path,
                error_detail());
    config_free(&cfg);
    return rc;
}

static int config_cmd_check(int argc, char **argv)
{
    int status = CMD_OK;

    if (options_help_requested(argc, argv)) {
        config_cmd_usage(stdout);
        return CMD_OK;
    }
    if (argc < 2) {
        fprintf(stderr, "netspot: config check: give the file to check\n");
        return CMD_USAGE;
    }
    /* "--" ends the flags, for a file whose name starts with a dash. */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr,
                    "netspot: config check: unknown flag '%s' (write "
                    "'-- %s' for a file of that name)\n",
                    argv[i], argv[i]);
            return CMD_USAGE;
        }
    }
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") != 0 && config_cmd_check_one(argv[i]) < 0)
            status = CMD_FAILURE;
    return status;
}

static int config_cmd_show(int argc, char **argv)
{
    struct config cfg;
    int rc;

    if (options_help_requested(argc, argv)) {
        options_usage("config show");
        return CMD_OK;
    }
    rc = options_load(argc, argv, &cfg);
    if (rc == 0)
        rc = config_print(&cfg, stdout, false);
    if (rc < 0)
        fprintf(stderr, "netspot: config show: %s\n", error_detail());
    config_free(&cfg);
    if (rc == ERROR_USAGE)
        return CMD_USAGE;
    return rc < 0 ? CMD_FAILURE : CMD_OK;
}

int cmd_config(int argc, char **argv)
{
    if (argc < 2) {
        config_cmd_usage(stderr);
        return CMD_USAGE;
    }
    if (config_cmd_is_help(argv[1])) {
        config_cmd_usage(stdout);
        return CMD_OK;
    }
    if (strcmp(argv[1], "check") == 0)
        return config_cmd_check(argc - 1, argv + 1);
    if (strcmp(argv[1], "show") == 0)
        return config_cmd_show(argc - 1, argv + 1);
    fprintf(stderr, "netspot: config: unknown subcommand '%s'\n", argv[1]);
    config_cmd_usage(stderr);
    return CMD_USAGE;
}

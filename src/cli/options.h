/*
 * Command-line flags of the commands that take a configuration (run,
 * serve, config show): the original's short flags (-c -l -d -p -s -v -f -e)
 * and every configuration key as --section.sub.key VALUE or
 * --section.sub.key=VALUE.
 */
#ifndef NETSPOT_CLI_OPTIONS_H
#define NETSPOT_CLI_OPTIONS_H

#include "config/config.h"

#include <stdbool.h>

/*
 * Builds the effective configuration of a command in cfg: built-in
 * defaults, then the file given by -c/--config, then the other flags.
 * argv[0] is the command name; every other argument must be a flag.
 * The log level is stored in cfg->log_level, not applied. Returns 0;
 * ERROR_USAGE for an unknown or malformed flag or a stray argument;
 * ERROR_INVALID for a bad value; ERROR_NOTFOUND or ERROR_IO for a config
 * file that is missing or unreadable; ERROR_FORMAT or ERROR_LIMIT for a
 * file that is not valid TOML. The detail names the flag, or the file and
 * line. cfg is initialised even on failure and must be released with
 * config_free().
 */
int options_load(int argc, char **argv, struct config *cfg);

/* Whether -h or --help is among the arguments. */
bool options_help_requested(int argc, char **argv);

/* Prints the flags of a command with the defaults that apply, on stdout. */
void options_usage(const char *command);

#endif

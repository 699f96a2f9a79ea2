/*
 * Command-line flags of the commands that take a configuration (run,
 * counters, config show, spot): the original's short flags (-c -l -d -p -s
 * -v -f -e) and every configuration key as --section.sub.key VALUE or
 * --section.sub.key=VALUE. As in the original, one dash or two read
 * alike: a single letter is a short flag (-d, --d), more is a long name
 * (--config, -config).
 */
#ifndef NETSPOT_CLI_OPTIONS_H
#define NETSPOT_CLI_OPTIONS_H

#include "config/config.h"

#include <stdbool.h>

/*
 * Builds the effective configuration of a command in cfg: built-in
 * defaults, then the file given by -c/--config, then the other flags.
 * argv[0] is the command name; every other argument must be a flag, and
 * each key may be given once (-s excepted, which adds to the list).
 * The log level is stored in cfg->log_level, not applied. Returns 0;
 * ERROR_USAGE for anything wrong on the command line: an unknown or
 * malformed flag, a stray argument, a key given twice, a bad value of a
 * flag (a detector parameter the flags made inconsistent included); for
 * the file: ERROR_NOTFOUND or ERROR_IO when it is missing or unreadable,
 * ERROR_FORMAT or ERROR_LIMIT when it is not valid TOML, ERROR_INVALID or
 * ERROR_NOTFOUND for a bad value or key, ERROR_UNSUPPORTED for another
 * format. The detail names the flag, or the file and line. cfg is
 * initialised even on failure and must be released with config_free().
 */
int options_load(int argc, char **argv, struct config *cfg);

/* Whether -h or --help (also -help, --h) is among the arguments. */
bool options_help_requested(int argc, char **argv);

/* Prints the flags of a command with the defaults that apply, on stdout. */
void options_usage(const char *command);

#endif

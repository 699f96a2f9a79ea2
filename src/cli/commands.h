/*
 * The commands of the netspot program. Each takes the arguments that
 * follow its name (argv[0] is the command name) and returns the process
 * exit status: 0 success, 1 runtime error, 2 usage error.
 */
#ifndef NETSPOT_CLI_COMMANDS_H
#define NETSPOT_CLI_COMMANDS_H

enum cmd_status {
    CMD_OK = 0,
    CMD_FAILURE = 1,
    CMD_USAGE = 2,
};

int cmd_run(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_defaults(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_spot(int argc, char **argv);
int cmd_counters(int argc, char **argv);

#endif

/*
 * Dropping privileges once the capture is open, as tcpdump's -Z does: the
 * process keeps its open capture sockets and gives up everything else.
 */
#ifndef NETSPOT_PIPELINE_PRIVILEGES_H
#define NETSPOT_PIPELINE_PRIVILEGES_H

/*
 * Looks user up without switching to it, so that a run can refuse an
 * unknown user before it opens anything. Returns 0, or ERROR_NOTFOUND
 * with a detail naming the user.
 */
int privileges_check(const char *user);

/*
 * Switches the whole process to user: its supplementary groups, its
 * primary group, then its user id, so that root cannot be regained. Does
 * nothing when the process already runs as that user. Returns 0;
 * ERROR_NOTFOUND when the user does not exist; ERROR_PERM when the switch
 * is not allowed (it needs root, or CAP_SETUID and CAP_SETGID). The detail
 * names the user.
 */
int privileges_drop(const char *user);

#endif

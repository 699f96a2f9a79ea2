#include "pipeline/privileges.h"

#include "util/error.h"
#include "util/log.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static int privileges_fail(const char *user, const char *step)
{
    int err = errno;

    return error_set(err == EPERM ? ERROR_PERM : ERROR_IO,
                     "miner.user: cannot switch to user '%s' (%s: %s); "
                     "switching needs root, or CAP_SETUID and CAP_SETGID",
                     user, step, strerror(err));
}

/* The user's entry in *pw, or ERROR_NOTFOUND with a detail. */
static int privileges_lookup(const char *user, struct passwd **pw)
{
    errno = 0;
    *pw = getpwnam(user);
    if (*pw == NULL)
        return error_set(
            ERROR_NOTFOUND, "miner.user: no user named '%s' on this system%s%s",
            user, errno != 0 ? ": " : "", errno != 0 ? strerror(errno) : "");
    return 0;
}

int privileges_check(const char *user)
{
    struct passwd *pw;

    return privileges_lookup(user, &pw);
}

int privileges_drop(const char *user)
{
    struct passwd *pw;
    int rc = privileges_lookup(user, &pw);

    if (rc < 0)
        return rc;
    if (getuid() == pw->pw_uid && geteuid() == pw->pw_uid &&
        getgid() == pw->pw_gid && getegid() == pw->pw_gid)
        return 0;
    /* Groups first: once the user id changes, they cannot be changed. */
    if (initgroups(pw->pw_name, pw->pw_gid) < 0)
        return privileges_fail(user, "setgroups");
    if (setgid(pw->pw_gid) < 0)
        return privileges_fail(user, "setgid");
    if (setuid(pw->pw_uid) < 0)
        return privileges_fail(user, "setuid");
    /* A process that could go back to root has not dropped anything. */
    if (pw->pw_uid != 0 && setuid(0) == 0)
        return error_set(ERROR_PERM,
                         "miner.user: switched to '%s' but root can still be "
                         "regained: refusing to go on",
                         user);
    log_write(LOG_INFO, "pipeline", "running as user %s (uid %ld, gid %ld)",
              user, (long)pw->pw_uid, (long)pw->pw_gid);
    return 0;
}

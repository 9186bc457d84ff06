/* LD_PRELOAD shim that makes writes to a database file fail, to test how
 * cairn behaves on a full disk or a failing device.
 *
 *   CAIRN_FAULT_AFTER=N   the first N writes/syncs to matching files succeed,
 *                         every later one fails (N = 0: the first fails)
 *   CAIRN_FAULT_ERRNO     ENOSPC (default) or EIO
 *   CAIRN_FAULT_MATCH     substring of the file's path (default ".db")
 *
 * Interposes write, pwrite, pwrite64, fsync and fdatasync; a file matches
 * when /proc/self/fd/FD resolves to a path containing the match string, so
 * the database, its WAL and journal files are hit and stdout/stderr are not.
 * Test-only: never linked into cairn. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static int configured, enabled, fault_errno = ENOSPC;
static long budget;

static void configure(void)
{
    const char *after = getenv("CAIRN_FAULT_AFTER");
    const char *e = getenv("CAIRN_FAULT_ERRNO");
    configured = 1;
    enabled = after != NULL;
    budget = after ? strtol(after, NULL, 10) : 0;
    fault_errno = e && strcmp(e, "EIO") == 0 ? EIO : ENOSPC;
}

static int matches(int fd)
{
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0)
        return 0;
    path[n] = '\0';
    const char *match = getenv("CAIRN_FAULT_MATCH");
    return strstr(path, match && *match ? match : ".db") != NULL;
}

/* Once the budget is spent, every later write or sync fails: a full disk
 * stays full. */
static int should_fail(int fd)
{
    if (!configured)
        configure();
    if (!enabled || !matches(fd))
        return 0;
    if (budget <= 0) {
        errno = fault_errno;
        return 1;
    }
    budget--;
    return 0;
}

/* The next definition of `name` (libc's), as a function pointer. POSIX
 * guarantees dlsym's object pointer converts; memcpy keeps ISO C quiet. */
#define REAL(name)                                                                                 \
    __extension__({                                                                                \
        __typeof__(&name) real_;                                                                   \
        void *sym_ = dlsym(RTLD_NEXT, #name);                                                      \
        memcpy(&real_, &sym_, sizeof real_);                                                       \
        real_;                                                                                     \
    })

ssize_t write(int fd, const void *buf, size_t count)
{
    if (should_fail(fd))
        return -1;
    return REAL(write)(fd, buf, count);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
    if (should_fail(fd))
        return -1;
    return REAL(pwrite)(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t offset)
{
    if (should_fail(fd))
        return -1;
    return REAL(pwrite64)(fd, buf, count, offset);
}

int fsync(int fd)
{
    if (should_fail(fd))
        return -1;
    return REAL(fsync)(fd);
}

int fdatasync(int fd)
{
    if (should_fail(fd))
        return -1;
    return REAL(fdatasync)(fd);
}

/* Whole-or-nothing private files (outfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/outfile.h"

int cairn_outfile_open(struct cairn_outfile *f, const char *path)
{
    f->error = 0;
    f->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (f->fd < 0)
        return errno == ELOOP ? EEXIST : errno;
    /* umask can only take bits away; make sure of the ones we want. */
    if (fchmod(f->fd, 0600) != 0) {
        int e = errno;
        close(f->fd);
        f->fd = -1;
        unlink(path);
        return e;
    }
    return 0;
}

int cairn_outfile_write(const void *buf, size_t n, void *ctx)
{
    struct cairn_outfile *f = ctx;
    const char *p = buf;
    if (f->error || f->fd < 0)
        return -1;
    while (n > 0) {
        ssize_t w = write(f->fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            f->error = w < 0 ? errno : EIO;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int cairn_outfile_finish(struct cairn_outfile *f, const char *path, bool keep)
{
    if (f->fd < 0)
        return f->error;
    if (keep && !f->error && fsync(f->fd) != 0)
        f->error = errno;
    if (close(f->fd) != 0 && !f->error)
        f->error = errno;
    f->fd = -1;
    if (keep && !f->error)
        return 0;
    unlink(path); /* only ever the file this run created (O_EXCL) */
    return f->error;
}

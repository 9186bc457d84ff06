/* A file that holds a whole document or nothing: a report or export the
 * user asked to be saved. It is created 0600 (whatever the umask), never
 * over an existing file or through a symbolic link, written fully, synced
 * to disk before it counts as written, and removed again when anything
 * failed, so no partial copy of patient data is left behind.
 *
 * Results are errno values, so that each front end words its own message
 * (the CLI names its option, the TUI shows it by the field). */
#ifndef CAIRN_OUTFILE_H
#define CAIRN_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>

struct cairn_outfile {
    int fd;    /* -1 once finished */
    int error; /* errno of the first failed write or sync; 0 none */
};

/* Creates `path` for writing into *f. Returns 0, or the errno: EEXIST when
 * something is there already (a symbolic link included). */
int cairn_outfile_open(struct cairn_outfile *f, const char *path);

/* Appends n bytes (a cairn_report_write_fn; ctx is the struct
 * cairn_outfile). Returns 0, or -1 with f->error set; after a failure
 * nothing more is written. It writes to whatever descriptor f->fd holds,
 * so a struct filled by hand ({.fd = pipe_end}) works too. */
int cairn_outfile_write(const void *buf, size_t n, void *ctx);

/* Ends the file at `path`: when `keep` and every write succeeded, syncs and
 * closes it and returns 0; otherwise closes and removes it and returns the
 * errno of the first failure (0 when the caller chose not to keep it and
 * nothing failed). */
int cairn_outfile_finish(struct cairn_outfile *f, const char *path, bool keep);

#endif

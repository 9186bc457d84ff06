/* cairn — backups and restores of the whole database.
 *
 * A backup is a consistent copy taken with SQLite's online backup API while
 * other cairn processes keep reading and writing: it holds the database as
 * it was at one moment (every transaction committed before it, none after),
 * in a single self-contained file (rollback journal mode) created 0600 and
 * never over an existing file or through a symlink. The copy is checked
 * before the backup is reported done (integrity_check, foreign_key_check,
 * application_id, schema version); any failure removes it.
 *
 * A restore never touches an existing database: it checks the backup the
 * same way (read-only), copies it into a NEW path (0600, directories made
 * 0700), and opens it there as cairn does, which applies the migrations a
 * backup from an older cairn needs. Both are audited (backup in the source
 * database, import in the restored one); no PHI in either row.
 */
#ifndef CAIRN_BACKUP_H
#define CAIRN_BACKUP_H

#include <stdint.h>

#include "cairn/status.h"

struct cairn_store;

/* What a backup holds, as checked. */
struct cairn_backup_info {
    int schema_version;   /* the backup's PRAGMA user_version */
    int restored_version; /* restore only: the schema after migrations */
    int64_t pages;        /* page_count */
    int64_t bytes;        /* page_count × page_size */
};

/* Copies the database open in `store` (which must have no transaction
 * open) to a new file at `path`, a few pages at a time while other
 * connections keep writing: the copy is the moment the backup began. The
 * file is created 0600 with O_EXCL|O_NOFOLLOW (an existing file, or a
 * symlink, is CAIRN_ERR_EXISTS and left alone), synced, checked like
 * cairn_backup_check() (and must hold the source's schema version), and
 * audited (backup) in `store`. On failure nothing is left at `path`.
 * *info (may be NULL) describes the copy. */
enum cairn_status cairn_backup_create(struct cairn_store *store, const char *path,
                                      struct cairn_backup_info *info, struct cairn_error *err);

/* Checks the file at `path` without changing it: a regular file (not a
 * symlink), an SQLite database with cairn's application_id
 * (CAIRN_ERR_NOT_CAIRN otherwise), a schema version from 1 up to this
 * build's (CAIRN_ERR_NEWER when newer), PRAGMA integrity_check "ok" and no
 * foreign_key_check row (CAIRN_ERR_IO "damaged" otherwise). Opened
 * read-only, with SQLite's defensive mode and untrusted schema. */
enum cairn_status cairn_backup_check(const char *path, struct cairn_backup_info *info,
                                     struct cairn_error *err);

/* Restores backup `backup` into a new database at `path`: checks it with
 * cairn_backup_check(), refuses an existing `path` (CAIRN_ERR_EXISTS),
 * makes missing parent directories 0700 and the file 0600, copies the
 * backup in, then opens it with cairn_store_open() (WAL, migrations up to
 * this build) and audits the restore (import, entity backup) as user
 * `uid`/`login`. On failure nothing is left at `path`. *info (may be
 * NULL) gets the backup's and the restored schema versions. */
enum cairn_status cairn_backup_restore(const char *backup, const char *path, long uid,
                                       const char *login, struct cairn_backup_info *info,
                                       struct cairn_error *err);

#endif

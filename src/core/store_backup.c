/* Online backup and restore with SQLite's backup API (see cairn/backup.h). */
#include "cairn/backup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_internal.h"

enum {
    PAGES_PER_STEP = 256, /* copied per step; other connections write in between */
    BUSY_SLEEP_MS = 20,
    BUSY_WAIT_MS = 30000, /* give up on a source that stays locked this long */
};

/* Creates an empty file at path, 0600, refusing anything already there
 * (a symlink included, dangling or not). */
static enum cairn_status create_exclusive(const char *path, const char *what,
                                          struct cairn_error *err)
{
    struct stat sb;
    if (lstat(path, &sb) == 0) {
        if (S_ISLNK(sb.st_mode))
            return cairn_error_set(err, CAIRN_ERR_EXISTS,
                                   "%s is a symbolic link; cairn writes a %s only to a new "
                                   "file (give a new path)",
                                   path, what);
        return cairn_error_set(err, CAIRN_ERR_EXISTS,
                               "%s already exists; cairn never overwrites it with a %s (give a "
                               "new path)",
                               path, what);
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return cairn_error_set(err, errno == EEXIST ? CAIRN_ERR_EXISTS : CAIRN_ERR_PERMISSION,
                               "cannot create %s: %s", path, strerror(errno));
    /* umask can only take bits away; make sure of the ones we want. */
    int rc = fchmod(fd, 0600);
    int saved = errno;
    close(fd);
    if (rc != 0) {
        unlink(path);
        return cairn_error_set(err, CAIRN_ERR_PERMISSION, "cannot make %s private: %s", path,
                               strerror(saved));
    }
    return CAIRN_OK;
}

/* Removes a database file and whatever SQLite may have put beside it. */
static void remove_db_files(const char *path)
{
    static const char *const suffixes[] = {"-journal", "-wal", "-shm"};
    char side[PATH_MAX];
    unlink(path);
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
        if (snprintf(side, sizeof side, "%s%s", path, suffixes[i]) < (int)sizeof side)
            unlink(side);
}

/* Flushes the file at path and the directory entry naming it to disk. */
static enum cairn_status sync_file(const char *path, struct cairn_error *err)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return cairn_error_set(err, CAIRN_ERR_IO, "cannot sync %s: %s", path, strerror(saved));
    }
    close(fd);
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd); /* best effort: some file systems refuse it on directories */
        close(fd);
    }
    return CAIRN_OK;
}

/* Maps a failed SQLite call on a connection that is not a store's. */
static enum cairn_status db_fail(sqlite3 *db, int rc, const char *path, const char *what,
                                 struct cairn_error *err)
{
    const char *detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    switch (rc & 0xFF) {
    case SQLITE_NOTADB:
        return cairn_error_set(err, CAIRN_ERR_NOT_CAIRN,
                               "%s is not a cairn database (not SQLite, or damaged)", path);
    case SQLITE_CORRUPT:
        return cairn_error_set(err, CAIRN_ERR_IO, "%s is damaged: %s: %s", path, what, detail);
    case SQLITE_FULL:
        return cairn_error_set(err, CAIRN_ERR_FULL, "%s: %s: %s", path, what, detail);
    case SQLITE_NOMEM:
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "%s: %s: out of memory", path, what);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return cairn_error_set(err, CAIRN_ERR_BUSY, "%s: %s: %s", path, what, detail);
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
        return cairn_error_set(err, CAIRN_ERR_PERMISSION, "%s: %s: %s", path, what, detail);
    default:
        return cairn_error_set(err, CAIRN_ERR_IO, "%s: %s: %s", path, what, detail);
    }
}

/* Runs a one-value query; the value of the first column of the first row
 * into *out (int) and/or text (first row, NULL to skip). *rows gets how
 * many rows came back (may be NULL). */
static int query(sqlite3 *db, const char *sql, int64_t *out, char *text, size_t size, int *rows)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    int n = 0;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n++ == 0) {
            if (out)
                *out = sqlite3_column_int64(st, 0);
            if (text) {
                const unsigned char *t = sqlite3_column_text(st, 0);
                snprintf(text, size, "%s", t ? (const char *)t : "");
            }
        }
        rc = SQLITE_OK;
    }
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    sqlite3_finalize(st);
    if (rows)
        *rows = n;
    return rc;
}

/* Checks an open (read-only) connection to the file at path. */
static enum cairn_status check_db(sqlite3 *db, const char *path, struct cairn_backup_info *info,
                                  struct cairn_error *err)
{
    int64_t app_id = 0, version = 0, pages = 0, page_size = 0;
    char first[256];
    int rows = 0, rc;
    if ((rc = query(db, "PRAGMA application_id", &app_id, NULL, 0, NULL)) != SQLITE_OK)
        return db_fail(db, rc, path, "reading the header", err);
    if (app_id != CAIRN_APPLICATION_ID)
        return cairn_error_set(err, CAIRN_ERR_NOT_CAIRN,
                               "%s is not a cairn database (application_id %lld)", path,
                               (long long)app_id);
    if ((rc = query(db, "PRAGMA user_version", &version, NULL, 0, NULL)) != SQLITE_OK)
        return db_fail(db, rc, path, "reading the schema version", err);
    if (version < 1)
        return cairn_error_set(err, CAIRN_ERR_NOT_CAIRN, "%s has no cairn schema (version %lld)",
                               path, (long long)version);
    if (version > cairn_store_schema_latest())
        return cairn_error_set(err, CAIRN_ERR_NEWER,
                               "%s has schema version %lld, newer than this cairn knows (%d); "
                               "use a newer cairn",
                               path, (long long)version, cairn_store_schema_latest());
    if ((rc = query(db, "PRAGMA integrity_check", NULL, first, sizeof first, &rows)) != SQLITE_OK)
        return db_fail(db, rc, path, "integrity_check", err);
    if (rows != 1 || strcmp(first, "ok") != 0) {
        /* SQLite's report spans lines; an error is one line. */
        for (char *c = first; *c; c++)
            if ((unsigned char)*c < 0x20)
                *c = ' ';
        return cairn_error_set(err, CAIRN_ERR_IO, "%s is damaged: integrity_check: %.160s%s", path,
                               first, strlen(first) > 160 ? "..." : "");
    }
    if ((rc = query(db, "PRAGMA foreign_key_check", NULL, first, sizeof first, &rows)) != SQLITE_OK)
        return db_fail(db, rc, path, "foreign_key_check", err);
    if (rows != 0)
        return cairn_error_set(err, CAIRN_ERR_IO,
                               "%s is damaged: foreign_key_check found %d broken reference%s "
                               "(first in table %s)",
                               path, rows, rows == 1 ? "" : "s", first);
    if ((rc = query(db, "PRAGMA page_count", &pages, NULL, 0, NULL)) != SQLITE_OK ||
        (rc = query(db, "PRAGMA page_size", &page_size, NULL, 0, NULL)) != SQLITE_OK)
        return db_fail(db, rc, path, "reading the size", err);
    if (info) {
        info->schema_version = (int)version;
        info->pages = pages;
        info->bytes = pages * page_size;
    }
    return CAIRN_OK;
}

/* Opens path read-only as an untrusted file: no symlinks, defensive mode,
 * no functions called from its schema. */
static enum cairn_status open_untrusted(const char *path, sqlite3 **db, struct cairn_error *err)
{
    struct stat sb;
    *db = NULL;
    if (lstat(path, &sb) != 0)
        return cairn_error_set(err, errno == ENOENT ? CAIRN_ERR_NOT_FOUND : CAIRN_ERR_PERMISSION,
                               "cannot use %s: %s", path, strerror(errno));
    if (S_ISLNK(sb.st_mode))
        return cairn_error_set(err, CAIRN_ERR_PERMISSION,
                               "%s is a symbolic link; give the real path", path);
    if (!S_ISREG(sb.st_mode))
        return cairn_error_set(err, CAIRN_ERR_PERMISSION, "%s is not a regular file", path);
    int rc = sqlite3_open_v2(
        path, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(*db, 1);
        sqlite3_db_config(*db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
        sqlite3_db_config(*db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
        sqlite3_busy_timeout(*db, 5000);
    }
    if (rc != SQLITE_OK) {
        enum cairn_status st = db_fail(*db, rc, path, "opening", err);
        sqlite3_close_v2(*db);
        *db = NULL;
        return st;
    }
    return CAIRN_OK;
}

enum cairn_status cairn_backup_check(const char *path, struct cairn_backup_info *info,
                                     struct cairn_error *err)
{
    sqlite3 *db = NULL;
    enum cairn_status rc = open_untrusted(path, &db, err);
    if (rc == CAIRN_OK)
        rc = check_db(db, path, info, err);
    sqlite3_close_v2(db);
    return rc;
}

/* Copies src (schema "main") into dst page by page, sleeping while the
 * source is locked. */
static enum cairn_status copy_pages(sqlite3 *dst, sqlite3 *src, const char *path,
                                    struct cairn_error *err)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b)
        return db_fail(dst, sqlite3_errcode(dst), path, "starting the copy", err);
    int rc, waited = 0;
    for (;;) {
        rc = sqlite3_backup_step(b, PAGES_PER_STEP);
        if (rc == SQLITE_DONE)
            break;
        if (rc == SQLITE_OK)
            continue;
        if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && waited < BUSY_WAIT_MS) {
            sqlite3_sleep(BUSY_SLEEP_MS);
            waited += BUSY_SLEEP_MS;
            continue;
        }
        break;
    }
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        return db_fail(NULL, rc, path, "copying the pages", err);
    rc = sqlite3_errcode(dst);
    return rc == SQLITE_OK || rc == SQLITE_DONE ? CAIRN_OK
                                                : db_fail(dst, rc, path, "copying the pages", err);
}

/* Makes the copy one self-contained file: rollback journal, not WAL. */
static enum cairn_status make_standalone(sqlite3 *db, const char *path, struct cairn_error *err)
{
    char mode[16] = "";
    int rc = query(db, "PRAGMA journal_mode = DELETE", NULL, mode, sizeof mode, NULL);
    if (rc != SQLITE_OK)
        return db_fail(db, rc, path, "finishing the copy", err);
    if (strcmp(mode, "delete") != 0)
        return cairn_error_set(err, CAIRN_ERR_IO, "%s: could not leave WAL mode (%s)", path, mode);
    return CAIRN_OK;
}

enum cairn_status cairn_backup_create(struct cairn_store *s, const char *path,
                                      struct cairn_backup_info *info, struct cairn_error *err)
{
    enum cairn_status rc;
    sqlite3 *dst = NULL;
    bool created = false, reading = false;
    struct cairn_backup_info checked = {0};
    if (s->tx_depth > 0)
        return cairn_error_set(err, CAIRN_ERR_DB, "backup inside a transaction");
    if (!path || !*path)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "file", "no backup file given");
    int source_version = cairn_store_schema_version(s);
    if ((rc = create_exclusive(path, "backup", err)) != CAIRN_OK)
        return rc;
    created = true;
    int src = sqlite3_open_v2(
        path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE, NULL);
    if (src != SQLITE_OK) {
        rc = db_fail(dst, src, path, "opening the copy", err);
        goto out;
    }
    /* A read transaction on the source for the whole copy: in WAL mode
     * writers carry on, and every step sees the same snapshot, so the copy
     * is one moment and never restarts however busy the writers are. */
    src = sqlite3_exec(s->db, "BEGIN; SELECT count(*) FROM sqlite_schema;", NULL, NULL, NULL);
    if (src != SQLITE_OK) {
        rc = store_fail(s, src, "starting the backup", err);
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        goto out;
    }
    reading = true;
    if ((rc = copy_pages(dst, s->db, path, err)) != CAIRN_OK)
        goto out;
    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    reading = false;
    if ((rc = make_standalone(dst, path, err)) != CAIRN_OK)
        goto out;
    src = sqlite3_close(dst);
    dst = NULL;
    if (src != SQLITE_OK) {
        rc = db_fail(NULL, src, path, "closing the copy", err);
        goto out;
    }
    if ((rc = sync_file(path, err)) != CAIRN_OK)
        goto out;
    if ((rc = cairn_backup_check(path, &checked, err)) != CAIRN_OK)
        goto out;
    if (checked.schema_version != source_version) {
        rc = cairn_error_set(err, CAIRN_ERR_IO,
                             "%s: the copy has schema version %d, the database %d", path,
                             checked.schema_version, source_version);
        goto out;
    }
    if ((rc = store_tx_begin(s, err)) != CAIRN_OK)
        goto out;
    rc = store_audit(s, "backup", "database", 0, 0, "", "ok", err);
    rc = store_tx_end(s, rc, err);
out:
    if (reading)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close_v2(dst);
    if (rc != CAIRN_OK && created)
        remove_db_files(path);
    if (rc == CAIRN_OK && info)
        *info = checked;
    return rc;
}

enum cairn_status cairn_backup_restore(const char *backup, const char *path, long uid,
                                       const char *login, struct cairn_backup_info *info,
                                       struct cairn_error *err)
{
    enum cairn_status rc;
    sqlite3 *src = NULL, *dst = NULL;
    struct cairn_store *store = NULL;
    bool created = false;
    struct cairn_backup_info checked = {0};
    if (!path || !*path)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "path", "no new database path given");
    if ((rc = open_untrusted(backup, &src, err)) != CAIRN_OK)
        goto out;
    if ((rc = check_db(src, backup, &checked, err)) != CAIRN_OK)
        goto out;
    struct stat sb;
    if (lstat(path, &sb) == 0) {
        rc = cairn_error_set(err, CAIRN_ERR_EXISTS,
                             "%s already exists; restore only makes a new database (give a new "
                             "path)",
                             path);
        goto out;
    }
    if ((rc = store_make_parents(path, err)) != CAIRN_OK)
        goto out;
    if ((rc = create_exclusive(path, "restored database", err)) != CAIRN_OK)
        goto out;
    created = true;
    int r = sqlite3_open_v2(
        path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE, NULL);
    if (r != SQLITE_OK) {
        rc = db_fail(dst, r, path, "opening the new database", err);
        goto out;
    }
    if ((rc = copy_pages(dst, src, path, err)) != CAIRN_OK)
        goto out;
    if ((rc = make_standalone(dst, path, err)) != CAIRN_OK)
        goto out;
    r = sqlite3_close(dst);
    dst = NULL;
    if (r != SQLITE_OK) {
        rc = db_fail(NULL, r, path, "closing the new database", err);
        goto out;
    }
    /* Open it as cairn does: WAL, checks, and the migrations an older
     * backup needs. */
    if ((rc = cairn_store_open(path, 0, &store, err)) != CAIRN_OK)
        goto out;
    cairn_store_set_actor(store, uid, login);
    if ((rc = store_tx_begin(store, err)) != CAIRN_OK)
        goto out;
    rc = store_audit(store, "import", "backup", 0, 0, "", "ok", err);
    if ((rc = store_tx_end(store, rc, err)) != CAIRN_OK)
        goto out;
    checked.restored_version = cairn_store_schema_version(store);
out:
    cairn_store_close(&store);
    sqlite3_close_v2(dst);
    sqlite3_close_v2(src);
    if (rc != CAIRN_OK && created)
        remove_db_files(path);
    if (rc == CAIRN_OK && info)
        *info = checked;
    return rc;
}

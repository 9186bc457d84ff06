/* Opening, creating and migrating the database; transactions; statement
 * cache; the audit writer. */
#include "store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/date.h"

enum {
    BUSY_TIMEOUT_MS = 5000,
    BEGIN_RETRIES = 3,
};

sqlite3 *store_db(struct cairn_store *s)
{
    return s->db;
}

int cairn_store_schema_latest(void)
{
    return store_migration_count ? store_migrations[store_migration_count - 1].version : 0;
}

enum cairn_status store_step_done(struct cairn_store *s, sqlite3_stmt *st, const char *what,
                                  struct cairn_error *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? CAIRN_OK : store_fail(s, rc, what, err);
}

enum cairn_status store_fail(struct cairn_store *s, int rc, const char *what,
                             struct cairn_error *err)
{
    enum cairn_status st;
    switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        st = CAIRN_ERR_BUSY;
        break;
    case SQLITE_FULL:
        st = CAIRN_ERR_FULL;
        break;
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
        st = CAIRN_ERR_IO;
        break;
    case SQLITE_NOMEM:
        st = CAIRN_ERR_NOMEM;
        break;
    case SQLITE_NOTADB:
        st = CAIRN_ERR_NOT_CAIRN;
        break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
    case SQLITE_AUTH:
        st = CAIRN_ERR_PERMISSION;
        break;
    case SQLITE_CONSTRAINT:
        st = rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY
                 ? CAIRN_ERR_EXISTS
                 : CAIRN_ERR_INVALID;
        break;
    default:
        st = CAIRN_ERR_DB;
        break;
    }
    const char *detail = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    if ((rc & 0xFF) == SQLITE_CORRUPT)
        return cairn_error_set(err, st,
                               "%s: %s: the database file is damaged; restore it from a "
                               "backup",
                               what, detail);
    return cairn_error_set(err, st, "%s: %s", what, detail);
}

sqlite3_stmt *store_stmt(struct cairn_store *s, const char *sql, struct cairn_error *err)
{
    for (size_t i = 0; i < s->cache_len; i++) {
        if (s->cache[i].sql == sql) {
            sqlite3_stmt *st = s->cache[i].stmt;
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return st;
        }
    }
    if (s->cache_len == s->cache_cap) {
        size_t cap = s->cache_cap ? s->cache_cap * 2 : 32;
        struct store_cached_stmt *grown = realloc(s->cache, cap * sizeof *grown);
        if (!grown) {
            cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory preparing a statement");
            return NULL;
        }
        s->cache = grown;
        s->cache_cap = cap;
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) {
        store_fail(s, rc, "preparing a statement", err);
        return NULL;
    }
    s->cache[s->cache_len++] = (struct store_cached_stmt){.sql = sql, .stmt = st};
    return st;
}

int store_bind_text_or_null(sqlite3_stmt *st, int idx, const char *text)
{
    if (!text || !*text)
        return sqlite3_bind_null(st, idx);
    return sqlite3_bind_text(st, idx, text, -1, SQLITE_TRANSIENT);
}

int store_bind_id_or_null(sqlite3_stmt *st, int idx, int64_t id)
{
    return id ? sqlite3_bind_int64(st, idx, id) : sqlite3_bind_null(st, idx);
}

void store_col_text(sqlite3_stmt *st, int col, char *buf, size_t size)
{
    /* Called for every column of every row of a caseload: no printf. */
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t n = t ? (size_t)sqlite3_column_bytes(st, col) : 0;
    if (!size)
        return;
    if (n >= size)
        n = size - 1;
    if (n)
        memcpy(buf, t, n);
    buf[n] = '\0';
}

/* Runs a statement list with no results (pragmas, migrations). */
static enum cairn_status exec(struct cairn_store *s, const char *sql, const char *what,
                              struct cairn_error *err)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? CAIRN_OK : store_fail(s, rc, what, err);
}

/* Reads one integer pragma or scalar query. */
static enum cairn_status query_int(struct cairn_store *s, const char *sql, int64_t *out,
                                   struct cairn_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int64(st, 0);
            rc = SQLITE_OK;
        }
    }
    enum cairn_status ret =
        rc == SQLITE_OK ? CAIRN_OK : store_fail(s, rc, "reading the database", err);
    sqlite3_finalize(st);
    return ret;
}

enum cairn_status store_tx_begin(struct cairn_store *s, struct cairn_error *err)
{
    if (s->tx_depth > 0) {
        char sql[48];
        snprintf(sql, sizeof sql, "SAVEPOINT cairn_%d", s->tx_depth);
        enum cairn_status rc = exec(s, sql, "opening a savepoint", err);
        if (rc == CAIRN_OK)
            s->tx_depth++;
        return rc;
    }
    int rc = SQLITE_BUSY;
    for (int attempt = 0; attempt < BEGIN_RETRIES && (rc & 0xFF) == SQLITE_BUSY; attempt++)
        rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        if ((rc & 0xFF) == SQLITE_BUSY)
            return cairn_error_set(err, CAIRN_ERR_BUSY,
                                   "the database stayed busy with another writer for %d s; "
                                   "nothing was changed, try again",
                                   BUSY_TIMEOUT_MS * BEGIN_RETRIES / 1000);
        return store_fail(s, rc, "starting a transaction", err);
    }
    s->tx_depth = 1;
    return CAIRN_OK;
}

enum cairn_status store_tx_commit(struct cairn_store *s, struct cairn_error *err)
{
    if (s->tx_depth <= 0)
        return cairn_error_set(err, CAIRN_ERR_DB, "commit without a transaction");
    if (s->tx_depth > 1) {
        char sql[48];
        snprintf(sql, sizeof sql, "RELEASE cairn_%d", s->tx_depth - 1);
        enum cairn_status rc = exec(s, sql, "releasing a savepoint", err);
        if (rc == CAIRN_OK)
            s->tx_depth--;
        return rc;
    }
    /* Summaries follow the data they summarize, in the same transaction. */
    enum cairn_status summary = store_summary_flush(s, err);
    if (summary != CAIRN_OK) {
        store_tx_rollback(s);
        return summary;
    }
    int rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        enum cairn_status st = store_fail(s, rc, "committing", err);
        store_tx_rollback(s);
        return st;
    }
    s->tx_depth = 0;
    return CAIRN_OK;
}

enum cairn_status store_tx_end(struct cairn_store *s, enum cairn_status rc, struct cairn_error *err)
{
    if (rc == CAIRN_OK)
        return store_tx_commit(s, err);
    store_tx_rollback(s);
    return rc;
}

void store_tx_rollback(struct cairn_store *s)
{
    if (s->tx_depth <= 0)
        return;
    if (s->tx_depth > 1) {
        char sql[96];
        snprintf(sql, sizeof sql, "ROLLBACK TO cairn_%d; RELEASE cairn_%d", s->tx_depth - 1,
                 s->tx_depth - 1);
        sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        s->tx_depth--;
        return;
    }
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->tx_depth = 0;
    store_summary_forget(s);
}

/* Opens a read transaction unless one (read or write) is open already, so
 * that everything read until store_read_end() comes from one snapshot of the
 * database; *began says whether this call opened it. Nothing may be
 * written inside it. */
enum cairn_status store_read_begin(struct cairn_store *s, bool *began, struct cairn_error *err)
{
    *began = false;
    if (s->tx_depth > 0)
        return CAIRN_OK;
    int rc = sqlite3_exec(s->db, "BEGIN DEFERRED", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return store_fail(s, rc, "starting to read", err);
    s->tx_depth = 1;
    *began = true;
    return CAIRN_OK;
}

/* Ends the read transaction read_begin() opened (when it did). */
void store_read_end(struct cairn_store *s, bool began)
{
    if (!began)
        return;
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK &&
        !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->tx_depth = 0;
}

enum cairn_status cairn_store_begin(struct cairn_store *store, struct cairn_error *err)
{
    return store_tx_begin(store, err);
}

enum cairn_status cairn_store_commit(struct cairn_store *store, struct cairn_error *err)
{
    return store_tx_commit(store, err);
}

void cairn_store_rollback(struct cairn_store *store)
{
    if (store)
        store_tx_rollback(store);
}

enum cairn_status store_audit(struct cairn_store *s, const char *action, const char *entity,
                              int64_t entity_id, int64_t patient_id, const char *fields,
                              const char *outcome, struct cairn_error *err)
{
    static const char sql[] =
        "INSERT INTO audit (at, uid, login, action, entity, entity_id, patient_id, fields, "
        "outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    sqlite3_stmt *st = store_stmt(s, sql, err);
    if (!st)
        return err ? err->status : CAIRN_ERR_DB;
    char now[CAIRN_TIMESTAMP_LEN + 1];
    cairn_timestamp_now(now);
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, s->uid);
    sqlite3_bind_text(st, 3, s->login, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, entity, -1, SQLITE_STATIC);
    store_bind_id_or_null(st, 6, entity_id);
    store_bind_id_or_null(st, 7, patient_id);
    sqlite3_bind_text(st, 8, fields ? fields : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 9, outcome, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_fail(s, rc, "writing the audit trail", err);
    /* A change to a patient's record (not a read, not a refusal) makes
     * their summary stale. */
    if (patient_id > 0 && strcmp(outcome, "ok") == 0 && strcmp(action, "read") != 0 &&
        strcmp(action, "export") != 0)
        store_summary_touch(s, patient_id);
    return CAIRN_OK;
}

void store_audit_refusal(struct cairn_store *s, const char *action, const char *entity,
                         int64_t entity_id, int64_t patient_id, const char *outcome)
{
    if (store_tx_begin(s, NULL) != CAIRN_OK)
        return;
    if (store_audit(s, action, entity, entity_id, patient_id, "", outcome, NULL) == CAIRN_OK)
        store_tx_commit(s, NULL);
    else
        store_tx_rollback(s);
}

enum cairn_status store_make_parents(const char *path, struct cairn_error *err)
{
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
        return cairn_error_set(err, CAIRN_ERR_INVALID, "database path is too long");
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return CAIRN_OK;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return cairn_error_set(err, CAIRN_ERR_PERMISSION, "cannot create directory %s: %s", dir,
                                   strerror(errno));
        *p = '/';
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return cairn_error_set(err, CAIRN_ERR_PERMISSION, "cannot create directory %s: %s", dir,
                               strerror(errno));
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return cairn_error_set(err, CAIRN_ERR_PERMISSION, "%s is not a directory", dir);
    return CAIRN_OK;
}

/* Checks what is at `path` and, with CAIRN_STORE_CREATE, creates an empty
 * 0600 file there. Sets *created when it did. */
static enum cairn_status prepare_file(const char *path, unsigned flags, bool *created,
                                      struct cairn_error *err)
{
    struct stat sb;
    *created = false;
    if (lstat(path, &sb) == 0) {
        if (S_ISLNK(sb.st_mode))
            return cairn_error_set(err, CAIRN_ERR_PERMISSION,
                                   "%s is a symbolic link; cairn opens only a regular file "
                                   "(give the real path)",
                                   path);
        if (S_ISDIR(sb.st_mode))
            return cairn_error_set(err, CAIRN_ERR_PERMISSION,
                                   "%s is a directory, not a database file", path);
        if (!S_ISREG(sb.st_mode))
            return cairn_error_set(err, CAIRN_ERR_PERMISSION, "%s is not a regular file", path);
        return CAIRN_OK;
    }
    if (errno != ENOENT)
        return cairn_error_set(err, CAIRN_ERR_PERMISSION, "cannot use %s: %s", path,
                               strerror(errno));
    if (!(flags & CAIRN_STORE_CREATE))
        return cairn_error_set(err, CAIRN_ERR_NO_DATABASE,
                               "no database at %s; create one with `cairn init`", path);
    enum cairn_status rc = store_make_parents(path, err);
    if (rc != CAIRN_OK)
        return rc;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return cairn_error_set(err, CAIRN_ERR_PERMISSION, "cannot create %s: %s", path,
                               strerror(errno));
    close(fd);
    *created = true;
    return CAIRN_OK;
}

/* Refuses files that are not cairn's before anything is written to them. */
static enum cairn_status check_identity(struct cairn_store *s, unsigned flags, bool memory,
                                        struct cairn_error *err)
{
    int64_t app_id = 0, user_version = 0, objects = 0;
    enum cairn_status rc = query_int(s, "PRAGMA application_id", &app_id, err);
    /* A file SQLite cannot make sense of is not ours; a failing disk is a
     * failing disk (its own message), not a verdict on the file. */
    if (rc == CAIRN_ERR_NOT_CAIRN ||
        (rc == CAIRN_ERR_IO && (sqlite3_errcode(s->db) & 0xFF) == SQLITE_CORRUPT))
        return cairn_error_set(err, CAIRN_ERR_NOT_CAIRN,
                               "%s is not a cairn database (not SQLite, or damaged)", s->path);
    if (rc != CAIRN_OK)
        return rc;
    if (app_id != 0 && app_id != CAIRN_APPLICATION_ID)
        return cairn_error_set(err, CAIRN_ERR_NOT_CAIRN,
                               "%s belongs to another application (application_id %lld)", s->path,
                               (long long)app_id);
    if ((rc = query_int(s, "PRAGMA user_version", &user_version, err)) != CAIRN_OK)
        return rc;
    if ((rc = query_int(s, "SELECT count(*) FROM sqlite_schema", &objects, err)) != CAIRN_OK)
        return rc;
    if (app_id == 0 && objects > 0)
        return cairn_error_set(err, CAIRN_ERR_NOT_CAIRN,
                               "%s is a SQLite database of another application", s->path);
    if (!memory && !(flags & CAIRN_STORE_CREATE) && user_version == 0 && objects == 0)
        return cairn_error_set(err, CAIRN_ERR_NO_DATABASE,
                               "%s is an empty file, not a cairn database; create one with "
                               "`cairn init`",
                               s->path);
    if (user_version > cairn_store_schema_latest())
        return cairn_error_set(err, CAIRN_ERR_NEWER,
                               "%s has schema version %lld, newer than this cairn knows (%d); "
                               "use a newer cairn (nothing was changed)",
                               s->path, (long long)user_version, cairn_store_schema_latest());
    return CAIRN_OK;
}

static enum cairn_status configure(struct cairn_store *s, bool memory, struct cairn_error *err)
{
    enum cairn_status rc;
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(s->db, 1);
    rc = exec(s,
              "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY; "
              "PRAGMA trusted_schema = OFF;",
              "configuring the database", err);
    if (rc != CAIRN_OK)
        return rc;
    int src = store_patient_register_functions(s->db);
    if (src != SQLITE_OK)
        return store_fail(s, src, "configuring the database", err);
    int64_t fk = 0;
    if ((rc = query_int(s, "PRAGMA foreign_keys", &fk, err)) != CAIRN_OK)
        return rc;
    if (fk != 1)
        return cairn_error_set(err, CAIRN_ERR_DB, "SQLite refused to enforce foreign keys");
    if (memory)
        return CAIRN_OK;
    sqlite3_stmt *st = NULL;
    src = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    if (src == SQLITE_OK)
        src = sqlite3_step(st);
    bool wal = src == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    sqlite3_finalize(st);
    if (!wal)
        return src == SQLITE_ROW ? cairn_error_set(err, CAIRN_ERR_DB,
                                                   "could not switch %s to WAL journaling", s->path)
                                 : store_fail(s, src, "enabling WAL", err);
    return exec(s, "PRAGMA synchronous = FULL;", "configuring the database", err);
}

static enum cairn_status migrate(struct cairn_store *s, struct cairn_error *err)
{
    int64_t current = 0;
    enum cairn_status rc = query_int(s, "PRAGMA user_version", &current, err);
    if (rc != CAIRN_OK)
        return rc;
    for (size_t i = 0; i < store_migration_count; i++) {
        const struct store_migration *m = &store_migrations[i];
        if (m->version <= current)
            continue;
        if ((rc = store_tx_begin(s, err)) != CAIRN_OK)
            return rc;
        /* Re-read under the write lock: another process may have migrated. */
        if ((rc = query_int(s, "PRAGMA user_version", &current, err)) != CAIRN_OK)
            goto fail;
        if (m->version <= current) {
            store_tx_rollback(s);
            continue;
        }
        if ((rc = exec(s, m->sql, m->name, err)) != CAIRN_OK)
            goto fail;
        /* Schema 8 adds the per-patient summaries: compute them for the
         * patients already there, in the migration's transaction. */
        if (m->version == 8 && (rc = store_summaries_rebuild(s, err)) != CAIRN_OK)
            goto fail;
        char pragma[96];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d; PRAGMA application_id = %d;",
                 m->version, CAIRN_APPLICATION_ID);
        if ((rc = exec(s, pragma, "stamping the schema version", err)) != CAIRN_OK)
            goto fail;
        if ((rc = store_tx_commit(s, err)) != CAIRN_OK)
            return rc;
        current = m->version;
    }
    return CAIRN_OK;
fail:
    store_tx_rollback(s);
    return rc;
}

enum cairn_status cairn_store_open(const char *path, unsigned flags, struct cairn_store **out,
                                   struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    struct cairn_store *s = NULL;
    bool memory = path && strcmp(path, CAIRN_STORE_MEMORY) == 0;
    bool created = false;

    *out = NULL;
    if (!path || !*path)
        return cairn_error_set(err, CAIRN_ERR_INVALID, "no database path given");
    if (!memory && (rc = prepare_file(path, flags, &created, err)) != CAIRN_OK)
        return rc;

    s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory opening the database");
        goto out;
    }
    s->created = created || memory;
    s->uid = -1;
    snprintf(s->login, sizeof s->login, "?");
    int open_flags =
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    if (memory)
        open_flags |= SQLITE_OPEN_MEMORY | SQLITE_OPEN_CREATE;
    int src = sqlite3_open_v2(path, &s->db, open_flags, NULL);
    if (src != SQLITE_OK) {
        rc = store_fail(s, src, "opening the database", err);
        goto out;
    }
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    if ((rc = check_identity(s, flags, memory, err)) != CAIRN_OK)
        goto out;
    if ((rc = configure(s, memory, err)) != CAIRN_OK)
        goto out;
    if ((rc = migrate(s, err)) != CAIRN_OK)
        goto out;
out:
    if (rc != CAIRN_OK) {
        cairn_store_close(&s);
        if (created)
            unlink(path); /* a failed create leaves nothing behind */
    }
    *out = s;
    return rc;
}

/* One read-only connection to s's file, configured as configure() does
 * for reading; NULL on failure. */
static struct cairn_store *reader_open(const struct cairn_store *s)
{
    struct cairn_store *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(s->path))) {
        free(r);
        return NULL;
    }
    r->uid = s->uid;
    memcpy(r->login, s->login, sizeof r->login);
    r->today = s->today;
    r->today_fixed = s->today_fixed;
    r->summaries_off = s->summaries_off;
    int src = sqlite3_open_v2(r->path, &r->db,
                              SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX |
                                  SQLITE_OPEN_EXRESCODE,
                              NULL);
    if (src == SQLITE_OK) {
        sqlite3_busy_timeout(r->db, BUSY_TIMEOUT_MS);
        /* A reader walks tables front to back: a small cache holds the
         * interior pages it descends through (its thread's memory counts). */
        src = sqlite3_exec(r->db,
                           "PRAGMA temp_store = MEMORY; PRAGMA trusted_schema = OFF; "
                           "PRAGMA cache_size = -512;",
                           NULL, NULL, NULL);
    }
    if (src == SQLITE_OK)
        src = store_patient_register_functions(r->db);
    if (src != SQLITE_OK) {
        cairn_store_close(&r);
        return NULL;
    }
    return r;
}

bool store_readers_open(struct cairn_store *s, struct cairn_store **readers, size_t n)
{
    for (size_t i = 0; i < n; i++)
        readers[i] = NULL;
    if (strcmp(s->path, CAIRN_STORE_MEMORY) == 0 || s->tx_depth > 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(readers[i] = reader_open(s)))
            goto fail;
    /* No commit can land while s holds the write lock: every reader's
     * first read takes the same, latest snapshot. */
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        ok = sqlite3_exec(readers[i]->db, "BEGIN DEFERRED; SELECT 1 FROM sqlite_schema LIMIT 1",
                          NULL, NULL, NULL) == SQLITE_OK;
        if (ok)
            readers[i]->tx_depth = 1;
    }
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    if (ok)
        return true;
fail:
    for (size_t i = 0; i < n; i++)
        cairn_store_close(&readers[i]);
    return false;
}

void cairn_store_close(struct cairn_store **store)
{
    if (!store || !*store)
        return;
    struct cairn_store *s = *store;
    store_tx_rollback(s);
    for (size_t i = 0; i < s->cache_len; i++)
        sqlite3_finalize(s->cache[i].stmt);
    free(s->cache);
    free(s->dirty);
    sqlite3_close_v2(s->db);
    free(s->path);
    free(s);
    *store = NULL;
}

int cairn_store_was_created(const struct cairn_store *store)
{
    return store->created;
}

const char *cairn_store_engine_version(void)
{
    return sqlite3_libversion();
}

int cairn_store_schema_version(struct cairn_store *store)
{
    int64_t v = 0;
    if (query_int(store, "PRAGMA user_version", &v, NULL) != CAIRN_OK)
        return -1;
    return (int)v;
}

void cairn_store_set_actor(struct cairn_store *store, long uid, const char *login)
{
    store->uid = uid;
    snprintf(store->login, sizeof store->login, "%s", login && *login ? login : "?");
}

const char *cairn_store_actor_login(const struct cairn_store *store)
{
    return store->login;
}

long cairn_store_actor_uid(const struct cairn_store *store)
{
    return store->uid;
}

void cairn_store_set_today(struct cairn_store *store, int32_t today)
{
    store->today = today;
    store->today_fixed = true;
}

int32_t cairn_store_today(const struct cairn_store *store)
{
    return store->today_fixed ? store->today : cairn_date_today();
}

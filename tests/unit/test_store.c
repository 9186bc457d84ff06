/* Unit tests for opening, creating, migrating and transactions
 * (src/core/store.c), against in-memory and temporary file databases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "helpers.h"

/* Reads the whole (small) file at path into a malloc'd buffer. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;
    if (!f)
        fail_msg("cannot read %s: %s", path, strerror(errno));
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static bool exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

static mode_t mode_of(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        fail_msg("cannot stat %s: %s", path, strerror(errno));
    return sb.st_mode & 07777;
}

/* Runs SQL on a raw connection to path, outside cairn. */
static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
    sqlite3_close(db);
}

/* Creates a cairn database at path and closes it. */
static void make_database(const char *path)
{
    struct cairn_store *s = unit_open_file(path);
    cairn_store_close(&s);
}

/* Expects cairn_store_open(path, flags) to fail with `want`, leaving *out NULL. */
static void expect_open_fails(const char *path, unsigned flags, enum cairn_status want)
{
    struct cairn_store *s = (struct cairn_store *)&s; /* not NULL: open must reset it */
    struct cairn_error err;
    cairn_error_clear(&err);
    enum cairn_status rc = cairn_store_open(path, flags, &s, &err);
    if (rc != want)
        fail_msg("opening %s gave %s (%s), expected %s", path ? path : "(null)",
                 cairn_status_name(rc), err.message, cairn_status_name(want));
    assert_null(s);
    assert_int_equal(err.status, want);
    assert_true(strlen(err.message) > 0);
}

static void test_open_refuses_null_or_empty_path(void **state)
{
    (void)state;
    expect_open_fails(NULL, CAIRN_STORE_CREATE, CAIRN_ERR_INVALID);
    expect_open_fails("", CAIRN_STORE_CREATE, CAIRN_ERR_INVALID);
    expect_open_fails("", 0, CAIRN_ERR_INVALID);
}

static void test_close_of_null_is_harmless(void **state)
{
    struct cairn_store *s = NULL;
    (void)state;
    cairn_store_close(&s);
    cairn_store_close(NULL);
    cairn_store_rollback(NULL);
    assert_null(s);
}

static void test_memory_store_is_migrated_to_latest_schema(void **state)
{
    struct cairn_store *s = unit_store(state);
    static const char *const objects[] = {
        "staff",
        "program",
        "patient",
        "audit",
        "audit_is_append_only_update",
        "audit_is_append_only_delete",
        "patient_by_name",
    };
    assert_true(cairn_store_schema_latest() >= 1);
    assert_int_equal(cairn_store_schema_version(s), cairn_store_schema_latest());
    assert_int_equal(unit_query_int(s, "PRAGMA user_version"), cairn_store_schema_latest());
    for (size_t i = 0; i < sizeof objects / sizeof objects[0]; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_schema WHERE name = '%s'",
                 objects[i]);
        if (unit_query_int(s, sql) != 1)
            fail_msg("schema object %s is missing", objects[i]);
    }
    assert_int_equal(unit_query_int(s, "SELECT strict FROM pragma_table_list "
                                       "WHERE name = 'patient'"),
                     1);
    assert_true(cairn_store_was_created(s));
}

static void test_memory_store_is_stamped_with_application_id(void **state)
{
    struct cairn_store *s = unit_store(state);
    assert_int_equal(unit_query_int(s, "PRAGMA application_id"), CAIRN_APPLICATION_ID);
}

static void test_actor_defaults_to_unknown_and_is_copied(void **state)
{
    struct cairn_store *s = NULL;
    struct cairn_error err;
    char login[] = "alice";
    (void)state;
    assert_int_equal(cairn_store_open(CAIRN_STORE_MEMORY, 0, &s, &err), CAIRN_OK);
    assert_string_equal(cairn_store_actor_login(s), "?");
    cairn_store_set_actor(s, 501, login);
    login[0] = 'X';
    assert_string_equal(cairn_store_actor_login(s), "alice");
    cairn_store_set_actor(s, 501, "");
    assert_string_equal(cairn_store_actor_login(s), "?");
    cairn_store_set_today(s, 1234);
    assert_int_equal(cairn_store_today(s), 1234);
    cairn_store_close(&s);
    assert_null(s);
}

static void test_foreign_keys_are_enforced(void **state)
{
    struct cairn_store *s = unit_store(state);
    assert_int_equal(unit_query_int(s, "PRAGMA foreign_keys"), 1);
    int rc = sqlite3_exec(store_db(s),
                          "INSERT INTO patient (mrn, legal_name, dob, therapist_id, created_at, "
                          "updated_at) VALUES ('M1', 'X', '1990-01-01', 999, 'now', 'now')",
                          NULL, NULL, NULL);
    assert_int_equal(rc & 0xFF, SQLITE_CONSTRAINT);
    assert_int_equal(unit_patient_count(s), 0);
}

static void test_file_database_uses_wal_and_synchronous_full(void **state)
{
    struct unit_env *env = *state;
    char path[PATH_MAX];
    unit_path(path, env->dir, "cairn.db");
    env->store = unit_open_file(path);
    char mode[16];
    unit_query_text(env->store, "PRAGMA journal_mode", mode, sizeof mode);
    assert_string_equal(mode, "wal");
    assert_int_equal(unit_query_int(env->store, "PRAGMA synchronous"), 2);
    assert_int_equal(unit_query_int(env->store, "PRAGMA foreign_keys"), 1);
    assert_int_equal(unit_query_int(env->store, "PRAGMA secure_delete"), 1);
    assert_int_equal(unit_query_int(env->store, "PRAGMA temp_store"), 2);
    assert_int_equal(unit_query_int(env->store, "PRAGMA application_id"), CAIRN_APPLICATION_ID);
    assert_true(unit_query_int(env->store, "PRAGMA busy_timeout") > 0);
    assert_true(cairn_store_was_created(env->store));
}

/* Creates dir/a/b/cairn.db under `mask` and checks 0700 parents and a 0600
 * file (and 0600 WAL files once something is written). */
static void check_created_modes(const char *dir, mode_t mask)
{
    char a[PATH_MAX], b[PATH_MAX], path[PATH_MAX], wal[PATH_MAX];
    mode_t old = umask(mask);
    unit_path(a, dir, "a");
    unit_path(b, a, "b");
    unit_path(path, b, "cairn.db");
    struct cairn_store *s = unit_open_file(path);
    umask(old);
    assert_int_equal(mode_of(a), 0700);
    assert_int_equal(mode_of(b), 0700);
    assert_int_equal(mode_of(path), 0600);
    struct stat sb;
    assert_int_equal(lstat(path, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    unit_add_staff(s, "thera", CAIRN_ROLE_THERAPIST);
    /* SQLite gives its side files the database's mode, whatever the umask. */
    if (snprintf(wal, sizeof wal, "%s-wal", path) >= (int)sizeof wal)
        fail_msg("path too long");
    assert_true(exists(wal));
    assert_int_equal(mode_of(wal), 0600);
    if (snprintf(wal, sizeof wal, "%s-shm", path) >= (int)sizeof wal)
        fail_msg("path too long");
    assert_true(exists(wal));
    assert_int_equal(mode_of(wal), 0600);
    cairn_store_close(&s);
}

static void test_new_file_is_0600_in_0700_directories_under_umask_077(void **state)
{
    check_created_modes(((struct unit_env *)*state)->dir, 077);
}

static void test_new_file_is_0600_in_0700_directories_even_under_umask_022(void **state)
{
    check_created_modes(((struct unit_env *)*state)->dir, 022);
}

static void test_missing_file_without_create_is_no_database_and_creates_nothing(void **state)
{
    struct unit_env *env = *state;
    char sub[PATH_MAX], path[PATH_MAX];
    unit_path(sub, env->dir, "missing");
    unit_path(path, sub, "cairn.db");
    expect_open_fails(path, 0, CAIRN_ERR_NO_DATABASE);
    assert_false(exists(sub));
    unit_path(path, env->dir, "cairn.db");
    expect_open_fails(path, 0, CAIRN_ERR_NO_DATABASE);
    assert_false(exists(path));
}

static void test_reopening_keeps_schema_and_data_and_is_not_a_creation(void **state)
{
    struct unit_env *env = *state;
    char path[PATH_MAX];
    unit_path(path, env->dir, "cairn.db");
    env->store = unit_open_file(path);
    unit_add_staff(env->store, "thera", CAIRN_ROLE_THERAPIST);
    cairn_store_close(&env->store);

    struct cairn_error err;
    assert_int_equal(cairn_store_open(path, 0, &env->store, &err), CAIRN_OK);
    assert_false(cairn_store_was_created(env->store));
    assert_int_equal(cairn_store_schema_version(env->store), cairn_store_schema_latest());
    assert_int_equal(unit_query_int(env->store, "SELECT count(*) FROM staff"), 1);
}

static void test_symlink_to_valid_database_is_refused(void **state)
{
    struct unit_env *env = *state;
    char real[PATH_MAX], link[PATH_MAX];
    unit_path(real, env->dir, "real.db");
    unit_path(link, env->dir, "link.db");
    make_database(real);
    assert_int_equal(symlink(real, link), 0);
    expect_open_fails(link, 0, CAIRN_ERR_PERMISSION);
    expect_open_fails(link, CAIRN_STORE_CREATE, CAIRN_ERR_PERMISSION);
    /* A dangling link is refused too, and nothing is created behind it. */
    unlink(real);
    expect_open_fails(link, CAIRN_STORE_CREATE, CAIRN_ERR_PERMISSION);
    assert_false(exists(real));
}

static void test_directory_path_is_refused(void **state)
{
    struct unit_env *env = *state;
    expect_open_fails(env->dir, 0, CAIRN_ERR_PERMISSION);
    expect_open_fails(env->dir, CAIRN_STORE_CREATE, CAIRN_ERR_PERMISSION);
}

static void test_text_file_is_not_cairn_and_left_unchanged(void **state)
{
    struct unit_env *env = *state;
    char path[PATH_MAX];
    static const char text[] =
        "These are my notes, not a database.\n"
        "They are long enough to hold a full SQLite header's worth of bytes, and then some "
        "more, so the library reads a page of them.\n";
    unit_path(path, env->dir, "notes.txt");
    write_file(path, text);
    expect_open_fails(path, 0, CAIRN_ERR_NOT_CAIRN);
    expect_open_fails(path, CAIRN_STORE_CREATE, CAIRN_ERR_NOT_CAIRN);
    size_t len = 0;
    char *after = slurp(path, &len);
    assert_int_equal(len, strlen(text));
    assert_memory_equal(after, text, len);
    free(after);
}

static void test_short_text_file_is_not_cairn(void **state)
{
    struct unit_env *env = *state;
    char path[PATH_MAX];
    unit_path(path, env->dir, "short.txt");
    write_file(path, "hello\n");
    expect_open_fails(path, 0, CAIRN_ERR_NOT_CAIRN);
    size_t len = 0;
    char *after = slurp(path, &len);
    assert_int_equal(len, 6);
    free(after);
}

static void test_other_applications_sqlite_database_is_not_cairn(void **state)
{
    struct unit_env *env = *state;
    char path[PATH_MAX];
    unit_path(path, env->dir, "other.db");
    raw_exec(path, "CREATE TABLE bookmarks (id INTEGER PRIMARY KEY, url TEXT)");
    expect_open_fails(path, 0, CAIRN_ERR_NOT_CAIRN);
    expect_open_fails(path, CAIRN_STORE_CREATE, CAIRN_ERR_NOT_CAIRN);
    struct cairn_store *s = NULL;
    /* Nothing of cairn's was added to it. */
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_null(s);
}

static void test_database_with_foreign_application_id_is_not_cairn(void **state)
{
    struct unit_env *env = *state;
    char path[PATH_MAX];
    unit_path(path, env->dir, "other.db");
    raw_exec(path, "PRAGMA application_id = 1234");
    expect_open_fails(path, CAIRN_STORE_CREATE, CAIRN_ERR_NOT_CAIRN);
}

static void test_newer_schema_is_refused_and_file_unchanged(void **state)
{
    struct unit_env *env = *state;
    char path[PATH_MAX], sql[64];
    unit_path(path, env->dir, "cairn.db");
    make_database(path);
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", cairn_store_schema_latest() + 1);
    raw_exec(path, sql);

    size_t before_len = 0, after_len = 0;
    char *before = slurp(path, &before_len);
    expect_open_fails(path, 0, CAIRN_ERR_NEWER);
    expect_open_fails(path, CAIRN_STORE_CREATE, CAIRN_ERR_NEWER);
    char *after = slurp(path, &after_len);
    assert_int_equal(after_len, before_len);
    assert_memory_equal(after, before, before_len);
    free(before);
    free(after);
    assert_true(exists(path));

    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), cairn_store_schema_latest() + 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* A database made by an older cairn is brought up to date on open, keeping
 * its rows: here one left at schema 1 gets the name keys of 0002. */
static void test_older_database_is_migrated_in_place_keeping_its_rows(void **state)
{
    struct unit_env *env = *state;
    char path[PATH_MAX], sql[160];
    unit_path(path, env->dir, "old.db");
    assert_string_equal(store_migrations[0].name, "0001_foundation.sql");
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
    assert_true(fd >= 0);
    close(fd);
    raw_exec(path, store_migrations[0].sql);
    snprintf(sql, sizeof sql, "PRAGMA user_version = 1; PRAGMA application_id = %d;",
             CAIRN_APPLICATION_ID);
    raw_exec(path, sql);
    raw_exec(path, "INSERT INTO patient (mrn, legal_name, dob, created_at, updated_at) VALUES "
                   "('OLD-1', 'Zo\xC3\xAB \xC3\x85ngstr\xC3\xB6m', '1990-01-01', "
                   "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");

    struct cairn_store *s = unit_open_file(path);
    struct cairn_error err;
    struct cairn_patient p;
    assert_int_equal(cairn_patient_find(s, "OLD-1", &p, &err), CAIRN_OK);
    assert_string_equal(p.name_key, "zoe angstrom\t");
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), "PRAGMA user_version", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), cairn_store_schema_latest());
    sqlite3_finalize(st);
    cairn_store_close(&s);
}

static void test_failed_inner_operation_rolls_back_only_itself(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_staff dup;
    struct cairn_error err;
    int64_t audit_before = unit_audit_count(s);

    assert_int_equal(cairn_store_begin(s, &err), CAIRN_OK);
    unit_add_staff(s, "alice", CAIRN_ROLE_THERAPIST);
    memset(&dup, 0, sizeof dup);
    snprintf(dup.login, sizeof dup.login, "alice");
    snprintf(dup.name, sizeof dup.name, "Alice Again");
    dup.role = CAIRN_ROLE_SUPERVISOR;
    assert_int_equal(cairn_staff_add(s, &dup, &err), CAIRN_ERR_EXISTS);
    assert_string_equal(err.pointer, "login");
    unit_add_staff(s, "bob", CAIRN_ROLE_CASE_MANAGER);
    assert_int_equal(cairn_store_commit(s, &err), CAIRN_OK);

    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM staff WHERE login = 'alice'"), 1);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM staff WHERE login = 'bob'"), 1);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM staff"), 2);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM staff WHERE role = 'supervisor'"), 0);
    assert_int_equal(unit_audit_count(s) - audit_before, 2);
    /* No transaction is left open. */
    assert_int_equal(sqlite3_get_autocommit(store_db(s)), 1);
}

/* Makes every audit insert fail once a staff member `login` exists, so the
 * operation adding them writes its row and then fails. */
static void inject_audit_failure_after_staff(struct cairn_store *s, const char *login)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "CREATE TEMP TRIGGER inject_audit_failure BEFORE INSERT ON main.audit "
             "WHEN (SELECT count(*) FROM main.staff WHERE login = '%s') > 0 "
             "BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
             login);
    assert_int_equal(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL), SQLITE_OK);
}

static void test_inner_operation_failing_after_its_write_rolls_back_only_itself(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_staff carol;
    struct cairn_error err;

    assert_int_equal(cairn_store_begin(s, &err), CAIRN_OK);
    unit_add_staff(s, "alice", CAIRN_ROLE_THERAPIST);
    inject_audit_failure_after_staff(s, "carol");
    memset(&carol, 0, sizeof carol);
    snprintf(carol.login, sizeof carol.login, "carol");
    snprintf(carol.name, sizeof carol.name, "Carol");
    carol.role = CAIRN_ROLE_SUPERVISOR;
    /* The staff row is inserted, then its audit row fails. */
    assert_int_not_equal(cairn_staff_add(s, &carol, &err), CAIRN_OK);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM staff WHERE login = 'carol'"), 0);
    assert_int_equal(
        sqlite3_exec(store_db(s), "DROP TRIGGER temp.inject_audit_failure", NULL, NULL, NULL),
        SQLITE_OK);
    unit_add_staff(s, "bob", CAIRN_ROLE_CASE_MANAGER);
    assert_int_equal(cairn_store_commit(s, &err), CAIRN_OK);

    char logins[64];
    unit_query_text(s,
                    "SELECT group_concat(login, ',') FROM (SELECT login FROM staff ORDER BY "
                    "login)",
                    logins, sizeof logins);
    assert_string_equal(logins, "alice,bob");
    assert_int_equal(unit_audit_count(s), 2);
}

static void test_change_whose_audit_row_fails_is_not_written(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    unit_add_patient(s, "M-1", "Some Person", &p);
    unit_add_staff(s, "trigger", CAIRN_ROLE_THERAPIST);
    inject_audit_failure_after_staff(s, "trigger");
    int64_t audits = unit_audit_count(s);
    snprintf(p.pronouns, sizeof p.pronouns, "they/them");
    assert_int_not_equal(cairn_patient_update(s, &p, CAIRN_PF_BIT(PRONOUNS), &err), CAIRN_OK);
    snprintf(p.admission_date, sizeof p.admission_date, "2026-09-01");
    assert_int_not_equal(cairn_patient_change_status(s, &p, CAIRN_PATIENT_ACTIVE, &err), CAIRN_OK);
    struct cairn_patient q;
    assert_int_equal(cairn_patient_find(s, "M-1", &q, &err), CAIRN_OK);
    assert_string_equal(q.pronouns, "");
    assert_int_equal(q.status, CAIRN_PATIENT_REFERRED);
    assert_int_equal(q.version, 1);
    assert_int_equal(unit_audit_count(s), audits);
    assert_int_equal(sqlite3_get_autocommit(store_db(s)), 1);
}

static void test_rollback_discards_every_operation_of_the_transaction(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    assert_int_equal(cairn_store_begin(s, &err), CAIRN_OK);
    unit_add_staff(s, "alice", CAIRN_ROLE_THERAPIST);
    unit_add_patient(s, "M-1", "Test Person", NULL);
    cairn_store_rollback(s);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM staff"), 0);
    assert_int_equal(unit_patient_count(s), 0);
    assert_int_equal(unit_audit_count(s), 0);
    assert_int_equal(sqlite3_get_autocommit(store_db(s)), 1);
    /* A second rollback with nothing open is harmless. */
    cairn_store_rollback(s);
}

static void test_commit_without_begin_is_an_error(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    assert_int_equal(cairn_store_commit(s, &err), CAIRN_ERR_DB);
}

static void test_transaction_is_invisible_to_other_connections_until_commit(void **state)
{
    struct unit_env *env = *state;
    char path[PATH_MAX];
    struct cairn_error err;
    unit_path(path, env->dir, "cairn.db");
    struct cairn_store *a = unit_open_file(path);
    struct cairn_store *b = unit_open_file(path);
    assert_int_equal(cairn_store_begin(a, &err), CAIRN_OK);
    unit_add_staff(a, "alice", CAIRN_ROLE_THERAPIST);
    assert_int_equal(unit_query_int(b, "SELECT count(*) FROM staff"), 0);
    assert_int_equal(cairn_store_commit(a, &err), CAIRN_OK);
    assert_int_equal(unit_query_int(b, "SELECT count(*) FROM staff"), 1);
    cairn_store_close(&a);
    cairn_store_close(&b);
}

static void test_readers_share_one_snapshot_and_are_read_only(void **state)
{
    struct unit_env *env = *state;
    char path[PATH_MAX];
    unit_path(path, env->dir, "cairn.db");
    env->store = unit_open_file(path);
    struct cairn_store *s = env->store, *r[2];
    unit_add_staff(s, "alice", CAIRN_ROLE_THERAPIST);
    assert_true(store_readers_open(s, r, 2));
    /* A commit after they started is after their snapshot. */
    unit_add_staff(s, "bob", CAIRN_ROLE_THERAPIST);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM staff"), 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(unit_query_int(r[i], "SELECT count(*) FROM staff"), 1);
        assert_int_equal(cairn_store_today(r[i]), cairn_store_today(s));
        assert_int_not_equal(sqlite3_exec(store_db(r[i]), "DELETE FROM staff", NULL, NULL, NULL),
                             SQLITE_OK);
    }
    cairn_store_close(&r[0]);
    cairn_store_close(&r[1]);
    /* Inside a transaction, no readers: they could not share its view. */
    struct cairn_error err;
    assert_int_equal(cairn_store_begin(s, &err), CAIRN_OK);
    assert_false(store_readers_open(s, r, 2));
    assert_null(r[0]);
    assert_null(r[1]);
    cairn_store_rollback(s);
}

static void test_memory_store_has_no_readers(void **state)
{
    struct cairn_store *r[1] = {(struct cairn_store *)1};
    assert_false(store_readers_open(unit_store(state), r, 1));
    assert_null(r[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_refuses_null_or_empty_path),
        cmocka_unit_test(test_close_of_null_is_harmless),
        cmocka_unit_test_setup_teardown(test_memory_store_is_migrated_to_latest_schema,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(test_memory_store_is_stamped_with_application_id,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test(test_actor_defaults_to_unknown_and_is_copied),
        cmocka_unit_test_setup_teardown(test_foreign_keys_are_enforced, unit_setup_memory,
                                        unit_teardown),
        cmocka_unit_test_setup_teardown(test_file_database_uses_wal_and_synchronous_full,
                                        unit_setup_tempdir, unit_teardown),
        cmocka_unit_test_setup_teardown(test_new_file_is_0600_in_0700_directories_under_umask_077,
                                        unit_setup_tempdir, unit_teardown),
        cmocka_unit_test_setup_teardown(
            test_new_file_is_0600_in_0700_directories_even_under_umask_022, unit_setup_tempdir,
            unit_teardown),
        cmocka_unit_test_setup_teardown(
            test_missing_file_without_create_is_no_database_and_creates_nothing, unit_setup_tempdir,
            unit_teardown),
        cmocka_unit_test_setup_teardown(test_reopening_keeps_schema_and_data_and_is_not_a_creation,
                                        unit_setup_tempdir, unit_teardown),
        cmocka_unit_test_setup_teardown(test_symlink_to_valid_database_is_refused,
                                        unit_setup_tempdir, unit_teardown),
        cmocka_unit_test_setup_teardown(test_directory_path_is_refused, unit_setup_tempdir,
                                        unit_teardown),
        cmocka_unit_test_setup_teardown(test_text_file_is_not_cairn_and_left_unchanged,
                                        unit_setup_tempdir, unit_teardown),
        cmocka_unit_test_setup_teardown(test_short_text_file_is_not_cairn, unit_setup_tempdir,
                                        unit_teardown),
        cmocka_unit_test_setup_teardown(test_other_applications_sqlite_database_is_not_cairn,
                                        unit_setup_tempdir, unit_teardown),
        cmocka_unit_test_setup_teardown(test_database_with_foreign_application_id_is_not_cairn,
                                        unit_setup_tempdir, unit_teardown),
        cmocka_unit_test_setup_teardown(test_older_database_is_migrated_in_place_keeping_its_rows,
                                        unit_setup_tempdir, unit_teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_is_refused_and_file_unchanged,
                                        unit_setup_tempdir, unit_teardown),
        cmocka_unit_test_setup_teardown(test_failed_inner_operation_rolls_back_only_itself,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(
            test_inner_operation_failing_after_its_write_rolls_back_only_itself, unit_setup_memory,
            unit_teardown),
        cmocka_unit_test_setup_teardown(test_change_whose_audit_row_fails_is_not_written,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(test_rollback_discards_every_operation_of_the_transaction,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(test_commit_without_begin_is_an_error, unit_setup_memory,
                                        unit_teardown),
        cmocka_unit_test_setup_teardown(
            test_transaction_is_invisible_to_other_connections_until_commit, unit_setup_tempdir,
            unit_teardown),
        cmocka_unit_test_setup_teardown(test_readers_share_one_snapshot_and_are_read_only,
                                        unit_setup_tempdir, unit_teardown),
        cmocka_unit_test_setup_teardown(test_memory_store_has_no_readers, unit_setup_memory,
                                        unit_teardown),
    };
    umask(077); /* as the CLI does; the 022 test sets its own */
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}

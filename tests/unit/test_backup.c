/* Backup and restore. The headline: a backup taken while another process
 * writes 1,000 numbered rows, one transaction each, opens, passes
 * integrity_check, and holds exactly rows 1..k for some k (a consistent
 * prefix, no gaps). Then the file rules (0600, O_EXCL, no symlinks, one
 * self-contained file) and the restore's checks (existing path, not
 * cairn, newer schema, damaged) with nothing left behind on refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "helpers.h"

#define ROWS 1000

static int64_t fixture_file(const char *dir, char *db, struct cairn_store **s)
{
    unit_path(db, dir, "live.db");
    *s = unit_open_file(db);
    return unit_add_patient(*s, "B1", "Backup Person", NULL);
}

/* The child: ROWS lapse entries "seq 1".."seq ROWS", each its own
 * transaction, a little apart so the parent's backup lands among them.
 * Exits 0 when every one was written. */
static void writer(const char *db, int64_t patient)
{
    struct cairn_store *s = NULL;
    if (cairn_store_open(db, 0, &s, NULL) != CAIRN_OK)
        _exit(2);
    cairn_store_set_actor(s, UNIT_UID, "writer");
    cairn_store_set_today(s, unit_today());
    for (int i = 1; i <= ROWS; i++) {
        struct cairn_lapse l;
        memset(&l, 0, sizeof l);
        l.patient_id = patient;
        snprintf(l.date, sizeof l.date, "2026-11-20");
        snprintf(l.kind, sizeof l.kind, "lapse");
        snprintf(l.note, sizeof l.note, "seq %d", i);
        if (cairn_lapse_add(s, &l, NULL) != CAIRN_OK)
            _exit(3);
        struct timespec pause = {0, 500 * 1000L};
        nanosleep(&pause, NULL);
    }
    cairn_store_close(&s);
    _exit(0);
}

static int64_t raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void test_backup_during_1000_writes_holds_a_consistent_prefix(void **state)
{
    struct unit_env *env = *state;
    char db[PATH_MAX], copy[PATH_MAX];
    struct cairn_error err;
    struct cairn_backup_info info;
    int64_t patient = fixture_file(env->dir, db, &env->store);
    unit_path(copy, env->dir, "copy.db");

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        writer(db, patient);
    /* Start once the writer is well under way. */
    for (int waited = 0; unit_query_int(env->store, "SELECT count(*) FROM lapse") < 100; waited++) {
        if (waited > 30000)
            fail_msg("the writer never got going");
        struct timespec pause = {0, 1000 * 1000L};
        nanosleep(&pause, NULL);
    }
    if (cairn_backup_create(env->store, copy, &info, &err) != CAIRN_OK)
        fail_msg("backup: %s", err.message);
    int64_t live_after = unit_query_int(env->store, "SELECT count(*) FROM lapse");
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    /* The backup really ran while the writer was writing. */
    assert_true(live_after < ROWS);
    assert_int_equal(unit_query_int(env->store, "SELECT count(*) FROM lapse"), ROWS);

    assert_int_equal(cairn_backup_check(copy, NULL, &err), CAIRN_OK);
    sqlite3 *b = NULL;
    assert_int_equal(sqlite3_open_v2(copy, &b, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(b, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    /* Rows 1..k, in order, nothing missing, nothing from after. */
    assert_int_equal(sqlite3_prepare_v2(b, "SELECT note FROM lapse ORDER BY id", -1, &st, NULL),
                     SQLITE_OK);
    int k = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        char want[16];
        snprintf(want, sizeof want, "seq %d", ++k);
        assert_string_equal((const char *)sqlite3_column_text(st, 0), want);
    }
    sqlite3_finalize(st);
    print_message("the backup holds rows 1..%d; %lld were written when it finished\n", k,
                  (long long)live_after);
    assert_true(k >= 100 && k < ROWS);
    assert_true(k <= live_after);
    /* Each landed lapse came with its audit row: those are consistent too. */
    assert_int_equal(raw_int(b, "SELECT count(*) FROM audit WHERE login = 'writer'"), k);
    sqlite3_close(b);
    assert_int_equal(unit_query_int(env->store, "SELECT count(*) FROM audit WHERE action = "
                                                "'backup' AND entity = 'database'"),
                     1);
}

static void test_the_backup_is_one_private_self_contained_file(void **state)
{
    struct unit_env *env = *state;
    char db[PATH_MAX], copy[PATH_MAX], side[PATH_MAX + 8];
    struct cairn_error err;
    struct cairn_backup_info info;
    fixture_file(env->dir, db, &env->store);
    unit_path(copy, env->dir, "copy.db");
    umask(022); /* cairn's own umask is 077; the file must be 0600 regardless */
    assert_int_equal(cairn_backup_create(env->store, copy, &info, &err), CAIRN_OK);
    umask(077);
    struct stat sb;
    assert_int_equal(stat(copy, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    snprintf(side, sizeof side, "%s-wal", copy);
    assert_int_not_equal(access(side, F_OK), 0);
    assert_int_equal(info.schema_version, cairn_store_schema_latest());
    assert_true(info.pages > 0 && info.bytes == (int64_t)sb.st_size);
    sqlite3 *b = NULL;
    assert_int_equal(sqlite3_open_v2(copy, &b, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(b, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "delete");
    sqlite3_finalize(st);
    assert_int_equal(raw_int(b, "SELECT count(*) FROM patient"), 1);
    sqlite3_close(b);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void read_text(const char *path, char *out, size_t size)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(out, 1, size - 1, f);
    out[n] = '\0';
    fclose(f);
}

static void test_backup_never_overwrites_a_file_nor_follows_a_symlink(void **state)
{
    struct unit_env *env = *state;
    char db[PATH_MAX], there[PATH_MAX], link[PATH_MAX], target[PATH_MAX], text[16];
    struct cairn_error err;
    fixture_file(env->dir, db, &env->store);
    unit_path(there, env->dir, "there.db");
    write_text(there, "keep me");
    int64_t audits = unit_audit_count(env->store);
    assert_int_equal(cairn_backup_create(env->store, there, NULL, &err), CAIRN_ERR_EXISTS);
    assert_non_null(strstr(err.message, "already exists"));
    read_text(there, text, sizeof text);
    assert_string_equal(text, "keep me");
    unit_path(link, env->dir, "link.db");
    unit_path(target, env->dir, "target.db");
    assert_int_equal(symlink(target, link), 0);
    assert_int_equal(cairn_backup_create(env->store, link, NULL, &err), CAIRN_ERR_EXISTS);
    assert_non_null(strstr(err.message, "symbolic link"));
    assert_int_not_equal(access(target, F_OK), 0);
    assert_int_equal(unit_audit_count(env->store), audits);
}

static void make_backup(struct unit_env *env, char *db, char *copy)
{
    struct cairn_error err;
    fixture_file(env->dir, db, &env->store);
    unit_path(copy, env->dir, "copy.db");
    if (cairn_backup_create(env->store, copy, NULL, &err) != CAIRN_OK)
        fail_msg("backup: %s", err.message);
}

static void test_restore_makes_a_new_private_database_and_audits_it(void **state)
{
    struct unit_env *env = *state;
    char db[PATH_MAX], copy[PATH_MAX], dir[PATH_MAX], fresh[PATH_MAX];
    struct cairn_error err;
    struct cairn_backup_info info;
    make_backup(env, db, copy);
    unit_path(dir, env->dir, "restored");
    unit_path(fresh, dir, "new.db");
    if (cairn_backup_restore(copy, fresh, 4242, "restorer", &info, &err) != CAIRN_OK)
        fail_msg("restore: %s", err.message);
    assert_int_equal(info.schema_version, cairn_store_schema_latest());
    assert_int_equal(info.restored_version, cairn_store_schema_latest());
    struct stat sb;
    assert_int_equal(stat(dir, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    assert_int_equal(stat(fresh, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    struct cairn_store *r = unit_open_file(fresh);
    struct cairn_patient p;
    assert_int_equal(cairn_patient_find(r, "B1", &p, &err), CAIRN_OK);
    assert_int_equal(unit_query_int(r, "SELECT count(*) FROM audit WHERE action = 'import' AND "
                                       "entity = 'backup' AND login = 'restorer' AND uid = 4242"),
                     1);
    cairn_store_close(&r);
}

static void test_restore_refuses_an_existing_path_and_leaves_it_alone(void **state)
{
    struct unit_env *env = *state;
    char db[PATH_MAX], copy[PATH_MAX], there[PATH_MAX], text[16];
    struct cairn_error err;
    make_backup(env, db, copy);
    unit_path(there, env->dir, "there.db");
    write_text(there, "keep me");
    assert_int_equal(cairn_backup_restore(copy, there, 1, "x", NULL, &err), CAIRN_ERR_EXISTS);
    read_text(there, text, sizeof text);
    assert_string_equal(text, "keep me");
    /* The live database is an existing path too. */
    assert_int_equal(cairn_backup_restore(copy, db, 1, "x", NULL, &err), CAIRN_ERR_EXISTS);
}

static void expect_refused(const char *backup, const char *dir, enum cairn_status want,
                           const char *words)
{
    char fresh[PATH_MAX];
    struct cairn_error err;
    unit_path(fresh, dir, "never.db");
    assert_int_equal(cairn_backup_restore(backup, fresh, 1, "x", NULL, &err), want);
    if (!strstr(err.message, words))
        fail_msg("expected \"%s\" in: %s", words, err.message);
    assert_int_not_equal(access(fresh, F_OK), 0); /* nothing left behind */
    assert_int_equal(cairn_backup_check(backup, NULL, &err), want);
}

static void set_pragma(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void test_restore_refuses_what_is_not_a_sound_cairn_backup(void **state)
{
    struct unit_env *env = *state;
    char db[PATH_MAX], copy[PATH_MAX], path[PATH_MAX];
    make_backup(env, db, copy);

    unit_path(path, env->dir, "text.db");
    write_text(path, "this is not a database at all, just some text in a file");
    expect_refused(path, env->dir, CAIRN_ERR_NOT_CAIRN, "not a cairn database");

    unit_path(path, env->dir, "other.db");
    set_pragma(path, "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
    expect_refused(path, env->dir, CAIRN_ERR_NOT_CAIRN, "application_id");

    char cmd[3 * PATH_MAX];
    unit_path(path, env->dir, "newer.db");
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", copy, path);
    assert_int_equal(system(cmd), 0);
    set_pragma(path, "PRAGMA user_version = 999");
    expect_refused(path, env->dir, CAIRN_ERR_NEWER, "newer than this cairn");

    /* Damage the middle of the file: a b-tree page's cells. */
    unit_path(path, env->dir, "damaged.db");
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", copy, path);
    assert_int_equal(system(cmd), 0);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    long page = 4096, pages = (long)sb.st_size / page;
    unsigned char junk[3000];
    memset(junk, 0xFF, sizeof junk);
    for (long pg = 2; pg < pages; pg += 3) {
        fseek(f, pg * page + 100, SEEK_SET);
        fwrite(junk, 1, sizeof junk, f);
    }
    fclose(f);
    char fresh[PATH_MAX];
    struct cairn_error err;
    unit_path(fresh, env->dir, "never.db");
    enum cairn_status st = cairn_backup_restore(path, fresh, 1, "x", NULL, &err);
    assert_true(st == CAIRN_ERR_IO || st == CAIRN_ERR_NOT_CAIRN);
    assert_non_null(strstr(err.message, "damaged"));
    assert_null(strchr(err.message, '\n'));
    assert_int_not_equal(access(fresh, F_OK), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_backup_during_1000_writes_holds_a_consistent_prefix,
                                        unit_setup_tempdir, unit_teardown),
        cmocka_unit_test_setup_teardown(test_the_backup_is_one_private_self_contained_file,
                                        unit_setup_tempdir, unit_teardown),
        cmocka_unit_test_setup_teardown(test_backup_never_overwrites_a_file_nor_follows_a_symlink,
                                        unit_setup_tempdir, unit_teardown),
        cmocka_unit_test_setup_teardown(test_restore_makes_a_new_private_database_and_audits_it,
                                        unit_setup_tempdir, unit_teardown),
        cmocka_unit_test_setup_teardown(test_restore_refuses_an_existing_path_and_leaves_it_alone,
                                        unit_setup_tempdir, unit_teardown),
        cmocka_unit_test_setup_teardown(test_restore_refuses_what_is_not_a_sound_cairn_backup,
                                        unit_setup_tempdir, unit_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

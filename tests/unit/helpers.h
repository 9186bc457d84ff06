/* Shared fixtures for the unit suites: a fresh in-memory store with an actor
 * and a fixed "today", a private temporary directory, raw-SQL counters for
 * white-box checks, and builders for staff, programs and patients.
 *
 * Static inline functions only, so a suite pays nothing for the helpers it
 * does not use. Include after <cmocka.h>'s prerequisites and <cmocka.h>. */
#ifndef CAIRN_UNIT_HELPERS_H
#define CAIRN_UNIT_HELPERS_H

#include <ftw.h>
#include <sys/stat.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/cairn.h"
#include "store_internal.h"

/* The acting user of every fixture store. */
#define UNIT_UID   1000
#define UNIT_LOGIN "tester"

/* Per-test state: a store (NULL when the test opens its own) and a
 * temporary directory ("" when none). */
struct unit_env {
    struct cairn_store *store;
    char dir[PATH_MAX];
};

/* The fixed "today" of fixture stores: Monday 2026-11-23. */
static inline int32_t unit_today(void)
{
    return cairn_date_from_ymd(2026, 11, 23);
}

/* Opens a fresh in-memory store with the fixture actor and today; fails the
 * test on error. */
static inline struct cairn_store *unit_open_memory(void)
{
    struct cairn_store *s = NULL;
    struct cairn_error err;
    enum cairn_status rc = cairn_store_open(CAIRN_STORE_MEMORY, CAIRN_STORE_CREATE, &s, &err);
    if (rc != CAIRN_OK)
        fail_msg("opening an in-memory store: %s", err.message);
    cairn_store_set_actor(s, UNIT_UID, UNIT_LOGIN);
    cairn_store_set_today(s, unit_today());
    return s;
}

/* Opens (creating when missing) the file store at path with the fixture
 * actor and today; fails the test on error. */
static inline struct cairn_store *unit_open_file(const char *path)
{
    struct cairn_store *s = NULL;
    struct cairn_error err;
    enum cairn_status rc = cairn_store_open(path, CAIRN_STORE_CREATE, &s, &err);
    if (rc != CAIRN_OK)
        fail_msg("opening %s: %s", path, err.message);
    cairn_store_set_actor(s, UNIT_UID, UNIT_LOGIN);
    cairn_store_set_today(s, unit_today());
    return s;
}

static inline int unit_remove_entry(const char *path, const struct stat *sb, int type,
                                    struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    return type == FTW_DP ? rmdir(path) : unlink(path);
}

/* Removes the tree at path (no symlinks followed). */
static inline void unit_remove_tree(const char *path)
{
    if (path && *path)
        nftw(path, unit_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Makes a fresh 0700 directory under /tmp into dir (PATH_MAX bytes). */
static inline void unit_make_tempdir(char *dir)
{
    snprintf(dir, PATH_MAX, "/tmp/cairn-unit-XXXXXX");
    if (!mkdtemp(dir))
        fail_msg("mkdtemp failed");
}

/* Writes dir/name into out (PATH_MAX bytes). */
static inline void unit_path(char *out, const char *dir, const char *name)
{
    if (snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
        fail_msg("path too long");
}

/* Setup: a fresh in-memory store and no temporary directory. */
static inline int unit_setup_memory(void **state)
{
    struct unit_env *env = calloc(1, sizeof *env);
    if (!env)
        return -1;
    env->store = unit_open_memory();
    *state = env;
    return 0;
}

/* Setup: a temporary directory and no store. */
static inline int unit_setup_tempdir(void **state)
{
    struct unit_env *env = calloc(1, sizeof *env);
    if (!env)
        return -1;
    unit_make_tempdir(env->dir);
    *state = env;
    return 0;
}

/* Teardown for both setups: closes the store, removes the directory. */
static inline int unit_teardown(void **state)
{
    struct unit_env *env = *state;
    if (!env)
        return 0;
    cairn_store_close(&env->store);
    unit_remove_tree(env->dir);
    free(env);
    *state = NULL;
    return 0;
}

/* The store of the per-test state. */
static inline struct cairn_store *unit_store(void **state)
{
    return ((struct unit_env *)*state)->store;
}

/* Runs a one-integer query on the raw connection; fails the test on error. */
static inline int64_t unit_query_int(struct cairn_store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("preparing %s: %s", sql, sqlite3_errmsg(store_db(s)));
    if (sqlite3_step(st) != SQLITE_ROW)
        fail_msg("no row from %s", sql);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Runs a one-text query on the raw connection into out; fails on error. */
static inline void unit_query_text(struct cairn_store *s, const char *sql, char *out, size_t size)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("preparing %s: %s", sql, sqlite3_errmsg(store_db(s)));
    if (sqlite3_step(st) != SQLITE_ROW)
        fail_msg("no row from %s", sql);
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(out, size, "%s", t ? (const char *)t : "");
    sqlite3_finalize(st);
}

/* Forgets the full-scan steps of every statement the store has cached, so
 * that only what runs next counts (see unit_fullscan_statements()). */
static inline void unit_fullscan_reset(struct cairn_store *s)
{
    for (size_t i = 0; i < s->cache_len; i++)
        sqlite3_stmt_status(s->cache[i].stmt, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);
}

/* How many cached statements stepped through a whole table since
 * unit_fullscan_reset(); each one is printed with its SQL. */
static inline int unit_fullscan_statements(struct cairn_store *s)
{
    int scanned = 0;
    for (size_t i = 0; i < s->cache_len; i++) {
        int steps = sqlite3_stmt_status(s->cache[i].stmt, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
        if (steps > 0) {
            print_message("full scan (%d steps): %s\n", steps, s->cache[i].sql);
            scanned++;
        }
    }
    return scanned;
}

/* Number of audit rows so far. */
static inline int64_t unit_audit_count(struct cairn_store *s)
{
    return unit_query_int(s, "SELECT count(*) FROM audit");
}

/* Number of patient rows. */
static inline int64_t unit_patient_count(struct cairn_store *s)
{
    return unit_query_int(s, "SELECT count(*) FROM patient");
}

/* Adds an active staff member; returns the id. Fails the test on error. */
static inline int64_t unit_add_staff(struct cairn_store *s, const char *login, enum cairn_role role)
{
    struct cairn_staff st;
    struct cairn_error err;
    memset(&st, 0, sizeof st);
    snprintf(st.login, sizeof st.login, "%s", login);
    snprintf(st.name, sizeof st.name, "Staff %s", login);
    st.role = role;
    if (cairn_staff_add(s, &st, &err) != CAIRN_OK)
        fail_msg("adding staff %s: %s", login, err.message);
    return st.id;
}

/* Adds a valid program `code` version 1 lasting length_weeks; returns the id. */
static inline int64_t unit_add_program(struct cairn_store *s, const char *code, int length_weeks)
{
    struct cairn_program pr;
    struct cairn_error err;
    memset(&pr, 0, sizeof pr);
    snprintf(pr.code, sizeof pr.code, "%s", code);
    pr.version = 1;
    snprintf(pr.name, sizeof pr.name, "Program %s", code);
    snprintf(pr.level_of_care, sizeof pr.level_of_care, "asam-2.1");
    snprintf(pr.population, sizeof pr.population, "adult");
    pr.min_hours_per_week = 9;
    pr.max_hours_per_week = 19;
    pr.sessions_per_week = 3;
    pr.min_days_per_week = 3;
    pr.length_weeks = length_weeks;
    if (cairn_program_add(s, &pr, &err) != CAIRN_OK)
        fail_msg("adding program %s: %s", code, err.message);
    return pr.id;
}

/* Fills p with a minimal valid new patient. */
static inline void unit_patient_init(struct cairn_patient *p, const char *mrn,
                                     const char *legal_name)
{
    memset(p, 0, sizeof *p);
    snprintf(p->mrn, sizeof p->mrn, "%s", mrn);
    snprintf(p->legal_name, sizeof p->legal_name, "%s", legal_name);
    snprintf(p->dob, sizeof p->dob, "1990-05-17");
}

/* Adds a minimal valid patient; returns the stored record in *out (may be
 * NULL). Fails the test on error. */
static inline int64_t unit_add_patient(struct cairn_store *s, const char *mrn,
                                       const char *legal_name, struct cairn_patient *out)
{
    struct cairn_patient p;
    struct cairn_error err;
    unit_patient_init(&p, mrn, legal_name);
    if (cairn_patient_add(s, &p, &err) != CAIRN_OK)
        fail_msg("adding patient %s: %s", mrn, err.message);
    if (out)
        *out = p;
    return p.id;
}

/* Imports the template `yaml` (fails the test when it is invalid) and
 * admits a new patient `mrn` to it on `admitted` ("YYYY-MM-DD"); *out gets
 * the record. Returns the patient id. */
static inline int64_t unit_admit(struct cairn_store *s, const char *yaml, const char *mrn,
                                 const char *admitted, struct cairn_patient *out)
{
    struct cairn_template *t = calloc(1, sizeof *t);
    struct cairn_template_diags *d = calloc(1, sizeof *d);
    struct cairn_error err;
    bool unchanged = false;
    if (!t || !d)
        fail_msg("out of memory");
    if (cairn_template_parse(yaml, strlen(yaml), t, d, &err) != CAIRN_OK)
        fail_msg("template: %d:%d: %s", d->count ? d->items[0].line : 0,
                 d->count ? d->items[0].col : 0, d->count ? d->items[0].message : err.message);
    if (cairn_template_import(s, t, yaml, strlen(yaml), &unchanged, &err) != CAIRN_OK)
        fail_msg("import: %s", err.message);
    struct cairn_patient p;
    unit_add_patient(s, mrn, "Test Patient", &p);
    snprintf(p.admission_date, sizeof p.admission_date, "%s", admitted);
    p.program_id = t->program.id;
    if (cairn_patient_change_status(s, &p, CAIRN_PATIENT_ACTIVE, &err) != CAIRN_OK)
        fail_msg("admitting %s: %s", mrn, err.message);
    if (out)
        *out = p;
    free(t);
    free(d);
    return p.id;
}

#endif

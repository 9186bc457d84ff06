/* Program versions in the database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/program.h"
#include "cairn/template.h"
#include "store_internal.h"

#define PROGRAM_SELECT                                                                             \
    "SELECT id, code, template_version, name, level_of_care, population, min_hours_per_week, "     \
    "max_hours_per_week, sessions_per_week, min_days_per_week, length_weeks FROM program "

static void read_row(sqlite3_stmt *st, struct cairn_program *out)
{
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    store_col_text(st, 1, out->code, sizeof out->code);
    out->version = sqlite3_column_int(st, 2);
    store_col_text(st, 3, out->name, sizeof out->name);
    store_col_text(st, 4, out->level_of_care, sizeof out->level_of_care);
    store_col_text(st, 5, out->population, sizeof out->population);
    out->min_hours_per_week = sqlite3_column_double(st, 6);
    out->max_hours_per_week = sqlite3_column_double(st, 7);
    out->sessions_per_week = sqlite3_column_int(st, 8);
    out->min_days_per_week = sqlite3_column_int(st, 9);
    out->length_weeks = sqlite3_column_int(st, 10);
}

enum cairn_status cairn_program_add(struct cairn_store *s, struct cairn_program *p,
                                    struct cairn_error *err)
{
    enum cairn_status rc = cairn_program_validate(p, err);
    if (rc != CAIRN_OK)
        return rc;
    struct cairn_template *t = malloc(sizeof *t);
    if (!t)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
    cairn_template_defaults(t);
    t->program = *p;
    /* No template: sessions just long enough to reach the minimum hours. */
    t->hours_per_session = p->min_hours_per_week / p->sessions_per_week;
    if (t->hours_per_session > 8)
        t->hours_per_session = 8;
    if ((rc = store_tx_begin(s, err)) == CAIRN_OK &&
        (rc = store_program_insert(s, t, NULL, 0, err)) == CAIRN_OK &&
        (rc = store_audit(s, "import", "program", t->program.id, 0, "", "ok", err)) == CAIRN_OK)
        rc = store_tx_commit(s, err);
    if (rc != CAIRN_OK)
        store_tx_rollback(s);
    else
        p->id = t->program.id;
    free(t);
    return rc;
}

static enum cairn_status select_one(struct cairn_store *s, const char *sql, const char *code,
                                    int64_t id, struct cairn_program *out, struct cairn_error *err)
{
    sqlite3_stmt *st = store_stmt(s, sql, err);
    if (!st)
        return err ? err->status : CAIRN_ERR_DB;
    if (code)
        sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    enum cairn_status ret = CAIRN_OK;
    if (rc == SQLITE_ROW)
        read_row(st, out);
    else if (rc == SQLITE_DONE)
        ret = code ? cairn_error_field(err, CAIRN_ERR_NOT_FOUND, "program",
                                       "no program with code '%s'", code)
                   : cairn_error_set(err, CAIRN_ERR_NOT_FOUND, "no program with id %lld",
                                     (long long)id);
    else
        ret = store_fail(s, rc, "reading a program", err);
    sqlite3_reset(st);
    return ret;
}

enum cairn_status cairn_program_find(struct cairn_store *s, const char *code,
                                     struct cairn_program *out, struct cairn_error *err)
{
    static const char sql[] =
        PROGRAM_SELECT "WHERE code = ?1 ORDER BY template_version DESC LIMIT 1";
    return select_one(s, sql, code, 0, out, err);
}

enum cairn_status cairn_program_find_version(struct cairn_store *s, const char *code, int version,
                                             struct cairn_program *out, struct cairn_error *err)
{
    static const char sql[] = PROGRAM_SELECT "WHERE code = ?1 AND template_version = ?2";
    sqlite3_stmt *st = store_stmt(s, sql, err);
    if (!st)
        return err ? err->status : CAIRN_ERR_DB;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, version);
    int rc = sqlite3_step(st);
    enum cairn_status ret = CAIRN_OK;
    if (rc == SQLITE_ROW)
        read_row(st, out);
    else if (rc == SQLITE_DONE)
        ret = cairn_error_field(err, CAIRN_ERR_NOT_FOUND, "version",
                                "program '%s' has no version %d", code, version);
    else
        ret = store_fail(s, rc, "reading a program", err);
    sqlite3_reset(st);
    return ret;
}

enum cairn_status cairn_program_list(struct cairn_store *s, bool all, cairn_program_fn fn,
                                     void *ctx, struct cairn_error *err)
{
    static const char newest[] =
        "SELECT p.id, p.code, p.template_version, p.name, p.level_of_care, p.population, "
        "p.min_hours_per_week, p.max_hours_per_week, p.sessions_per_week, p.min_days_per_week, "
        "p.length_weeks, (SELECT count(*) FROM patient WHERE program_id = p.id) FROM program p "
        "WHERE ?1 OR p.template_version = (SELECT max(template_version) FROM program q "
        "WHERE q.code = p.code) ORDER BY p.code, p.template_version DESC";
    sqlite3_stmt *st = store_stmt(s, newest, err);
    if (!st)
        return err ? err->status : CAIRN_ERR_DB;
    sqlite3_bind_int(st, 1, all);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct cairn_program p;
        read_row(st, &p);
        if (fn(&p, sqlite3_column_int64(st, 11), ctx)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? CAIRN_OK : store_fail(s, rc, "listing programs", err);
}

enum cairn_status cairn_program_get(struct cairn_store *s, int64_t id, struct cairn_program *out,
                                    struct cairn_error *err)
{
    static const char sql[] = PROGRAM_SELECT "WHERE id = ?1";
    return select_one(s, sql, NULL, id, out, err);
}

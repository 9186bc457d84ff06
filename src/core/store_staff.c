/* Staff in the database. */
#include <stdio.h>
#include <string.h>

#include "cairn/staff.h"
#include "store_internal.h"

#define STAFF_SELECT "SELECT id, login, name, role, active, created_at, version FROM staff "

static void read_row(sqlite3_stmt *st, struct cairn_staff *out)
{
    char role[32];
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    store_col_text(st, 1, out->login, sizeof out->login);
    store_col_text(st, 2, out->name, sizeof out->name);
    store_col_text(st, 3, role, sizeof role);
    cairn_role_parse(role, &out->role, NULL);
    out->active = sqlite3_column_int(st, 4) != 0;
    store_col_text(st, 5, out->created_at, sizeof out->created_at);
    out->version = sqlite3_column_int64(st, 6);
}

enum cairn_status cairn_staff_add(struct cairn_store *s, struct cairn_staff *staff,
                                  struct cairn_error *err)
{
    static const char sql[] = "INSERT INTO staff (login, name, role, active, created_at, "
                              "updated_at) VALUES (?1, ?2, ?3, 1, ?4, ?4)";
    enum cairn_status rc = cairn_staff_validate(staff, err);
    if (rc != CAIRN_OK)
        return rc;
    if ((rc = store_tx_begin(s, err)) != CAIRN_OK)
        return rc;
    sqlite3_stmt *st = store_stmt(s, sql, err);
    if (!st) {
        rc = err ? err->status : CAIRN_ERR_DB;
        goto out;
    }
    cairn_timestamp_now(staff->created_at);
    sqlite3_bind_text(st, 1, staff->login, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, staff->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, cairn_role_str(staff->role), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, staff->created_at, -1, SQLITE_TRANSIENT);
    int src = sqlite3_step(st);
    sqlite3_reset(st);
    if (src == SQLITE_CONSTRAINT_UNIQUE) {
        rc = cairn_error_field(err, CAIRN_ERR_EXISTS, "login",
                               "a staff member with this login already exists");
        goto out;
    }
    if (src != SQLITE_DONE) {
        rc = store_fail(s, src, "adding a staff member", err);
        goto out;
    }
    staff->id = sqlite3_last_insert_rowid(s->db);
    staff->version = 1;
    staff->active = true;
    if ((rc = store_audit(s, "create", "staff", staff->id, 0, "login,name,role", "ok", err)) !=
        CAIRN_OK)
        goto out;
out:
    rc = store_tx_end(s, rc, err);
    return rc;
}

enum cairn_status cairn_staff_find(struct cairn_store *s, const char *login,
                                   struct cairn_staff *out, struct cairn_error *err)
{
    static const char sql[] = STAFF_SELECT "WHERE login = ?1";
    sqlite3_stmt *st = store_stmt(s, sql, err);
    if (!st)
        return err ? err->status : CAIRN_ERR_DB;
    sqlite3_bind_text(st, 1, login, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    enum cairn_status ret = CAIRN_OK;
    if (rc == SQLITE_ROW)
        read_row(st, out);
    else if (rc == SQLITE_DONE)
        ret = cairn_error_field(err, CAIRN_ERR_NOT_FOUND, "login",
                                "no staff member with login '%s'", login);
    else
        ret = store_fail(s, rc, "reading staff", err);
    sqlite3_reset(st);
    return ret;
}

enum cairn_status cairn_staff_list(struct cairn_store *s, bool include_inactive,
                                   int (*fn)(const struct cairn_staff *staff, void *ctx), void *ctx,
                                   struct cairn_error *err)
{
    static const char sql[] = STAFF_SELECT "WHERE active = 1 OR ?1 ORDER BY login";
    sqlite3_stmt *st = store_stmt(s, sql, err);
    if (!st)
        return err ? err->status : CAIRN_ERR_DB;
    sqlite3_bind_int(st, 1, include_inactive);
    struct cairn_staff row;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_row(st, &row);
        if (fn(&row, ctx))
            break;
    }
    enum cairn_status ret =
        rc == SQLITE_ROW || rc == SQLITE_DONE ? CAIRN_OK : store_fail(s, rc, "listing staff", err);
    sqlite3_reset(st);
    return ret;
}

/* Reading the audit trail (writing is store_audit() in store.c). */
#include <stdio.h>
#include <string.h>

#include "cairn/audit.h"
#include "store_internal.h"

enum cairn_status cairn_audit_list(struct cairn_store *s, const struct cairn_audit_filter *filter,
                                   int (*fn)(const struct cairn_audit_entry *e, void *ctx),
                                   void *ctx, struct cairn_error *err)
{
    /* The newest `limit` rows, shown oldest first. */
    static const char sql[] =
        "SELECT * FROM (SELECT id, at, uid, login, action, entity, entity_id, patient_id, fields, "
        "outcome FROM audit WHERE (?1 = 0 OR patient_id = ?1) AND (?2 IS NULL OR at >= ?2) "
        "ORDER BY id DESC LIMIT ?3) ORDER BY id";
    static const struct cairn_audit_filter all = {0};
    const struct cairn_audit_filter *f = filter ? filter : &all;
    sqlite3_stmt *st = store_stmt(s, sql, err);
    if (!st)
        return err ? err->status : CAIRN_ERR_DB;
    sqlite3_bind_int64(st, 1, f->patient_id);
    store_bind_text_or_null(st, 2, f->since);
    sqlite3_bind_int64(st, 3, f->limit ? (sqlite3_int64)f->limit : -1);
    struct cairn_audit_entry e;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&e, 0, sizeof e);
        e.id = sqlite3_column_int64(st, 0);
        store_col_text(st, 1, e.at, sizeof e.at);
        e.uid = (long)sqlite3_column_int64(st, 2);
        store_col_text(st, 3, e.login, sizeof e.login);
        store_col_text(st, 4, e.action, sizeof e.action);
        store_col_text(st, 5, e.entity, sizeof e.entity);
        e.entity_id = sqlite3_column_int64(st, 6);
        e.patient_id = sqlite3_column_int64(st, 7);
        store_col_text(st, 8, e.fields, sizeof e.fields);
        store_col_text(st, 9, e.outcome, sizeof e.outcome);
        if (fn(&e, ctx))
            break;
    }
    enum cairn_status ret = rc == SQLITE_ROW || rc == SQLITE_DONE
                                ? CAIRN_OK
                                : store_fail(s, rc, "reading the audit trail", err);
    sqlite3_reset(st);
    return ret;
}

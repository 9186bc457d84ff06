/* Patients in the database: add, find, audited read, versioned update,
 * status changes and paged lists. Every write runs in one transaction with
 * its audit row. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/patient.h"
#include "cairn/program.h"
#include "cairn/text.h"
#include "store_internal.h"

#define PATIENT_SELECT "SELECT " STORE_PATIENT_COLUMNS STORE_PATIENT_FROM

/* What each list order sorts on before the name (NULL: name or MRN alone).
 * Always text and never NULL, so keyset comparisons are plain. */
static const char *const sort_exprs[CAIRN_PATIENT_SORT__COUNT] = {
    [CAIRN_PATIENT_SORT_PROGRAM] = "coalesce(pr.code, '')",
    [CAIRN_PATIENT_SORT_STATUS] = "CASE p.status WHEN 'referred' THEN '1' WHEN 'active' THEN '2' "
                                  "WHEN 'on_hold' THEN '3' WHEN 'discharged' THEN '4' ELSE '5' END",
    [CAIRN_PATIENT_SORT_RISK] = "CASE p.risk_level WHEN 'high' THEN '1' WHEN 'moderate' THEN '2' "
                                "WHEN 'low' THEN '3' ELSE '4' END",
    [CAIRN_PATIENT_SORT_ADMITTED] = "coalesce(p.admission_date, '')",
};

enum col_kind { COL_TEXT, COL_ID, COL_STATUS, COL_RISK };

void store_patient_name_key(const char *legal, const char *preferred, char *out, size_t size)
{
    size_t n = cairn_text_fold(legal, out, size);
    if (n + 2 < size) {
        out[n++] = '\t';
        cairn_text_fold(preferred, out + n, size - n);
    }
}

static void name_key_sql(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *legal = sqlite3_value_text(argv[0]);
    const unsigned char *preferred = sqlite3_value_text(argv[1]);
    char key[sizeof((struct cairn_patient *)0)->name_key];
    store_patient_name_key(legal ? (const char *)legal : "",
                           preferred ? (const char *)preferred : "", key, sizeof key);
    sqlite3_result_text(ctx, key, -1, SQLITE_TRANSIENT);
}

int store_patient_register_functions(sqlite3 *db)
{
    return sqlite3_create_function_v2(db, "cairn_name_key", 2,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                      name_key_sql, NULL, NULL, NULL);
}

/* How each editable field is stored: one row per CAIRN_PF_* value. */
static const struct column {
    const char *name;
    enum col_kind kind;
    size_t offset;
} columns[CAIRN_PF__COUNT] = {
#define T(f, m) [CAIRN_PF_##f] = {#m, COL_TEXT, offsetof(struct cairn_patient, m)}
#define I(f, m) [CAIRN_PF_##f] = {#m, COL_ID, offsetof(struct cairn_patient, m)}
    T(MRN, mrn),
    T(LEGAL_NAME, legal_name),
    T(PREFERRED_NAME, preferred_name),
    T(DOB, dob),
    T(PRONOUNS, pronouns),
    T(PHONE, phone),
    T(EMERGENCY_CONTACT, emergency_contact),
    I(PROGRAM, program_id),
    T(ADMISSION_DATE, admission_date),
    T(EXPECTED_DISCHARGE, expected_discharge_date),
    T(DISCHARGE_DATE, discharge_date),
    T(DISCHARGE_REASON, discharge_reason),
    [CAIRN_PF_STATUS] = {"status", COL_STATUS, offsetof(struct cairn_patient, status)},
    I(THERAPIST, therapist_id),
    I(CASE_MANAGER, case_manager_id),
    I(PEER_MENTOR, peer_mentor_id),
    [CAIRN_PF_RISK] = {"risk_level", COL_RISK, offsetof(struct cairn_patient, risk)},
    T(TAGS, tags),
#undef T
#undef I
};

/* Columns that hold dates or references are NULL when empty; the others are ''. */
static bool nullable(enum cairn_patient_field f)
{
    return columns[f].kind == COL_ID || f == CAIRN_PF_ADMISSION_DATE ||
           f == CAIRN_PF_EXPECTED_DISCHARGE || f == CAIRN_PF_DISCHARGE_DATE;
}

static const void *field_ptr(const struct cairn_patient *p, enum cairn_patient_field f)
{
    return (const char *)p + columns[f].offset;
}

static bool field_equal(const struct cairn_patient *a, const struct cairn_patient *b,
                        enum cairn_patient_field f)
{
    switch (columns[f].kind) {
    case COL_TEXT:
        return strcmp(field_ptr(a, f), field_ptr(b, f)) == 0;
    case COL_ID:
        return *(const int64_t *)field_ptr(a, f) == *(const int64_t *)field_ptr(b, f);
    case COL_STATUS:
        return a->status == b->status;
    case COL_RISK:
        return a->risk == b->risk;
    }
    return false;
}

static void bind_field(sqlite3_stmt *st, int idx, const struct cairn_patient *p,
                       enum cairn_patient_field f)
{
    switch (columns[f].kind) {
    case COL_TEXT:
        if (nullable(f))
            store_bind_text_or_null(st, idx, field_ptr(p, f));
        else
            sqlite3_bind_text(st, idx, field_ptr(p, f), -1, SQLITE_TRANSIENT);
        break;
    case COL_ID:
        store_bind_id_or_null(st, idx, *(const int64_t *)field_ptr(p, f));
        break;
    case COL_STATUS:
        sqlite3_bind_text(st, idx, cairn_patient_status_str(p->status), -1, SQLITE_STATIC);
        break;
    case COL_RISK:
        store_bind_text_or_null(st, idx, cairn_risk_str(p->risk));
        break;
    }
}

void store_patient_read_row(sqlite3_stmt *st, struct cairn_patient *p)
{
    char text[32];
    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(st, 0);
    store_col_text(st, 1, p->mrn, sizeof p->mrn);
    store_col_text(st, 2, p->legal_name, sizeof p->legal_name);
    store_col_text(st, 3, p->preferred_name, sizeof p->preferred_name);
    store_col_text(st, 4, p->dob, sizeof p->dob);
    store_col_text(st, 5, p->pronouns, sizeof p->pronouns);
    store_col_text(st, 6, p->phone, sizeof p->phone);
    store_col_text(st, 7, p->emergency_contact, sizeof p->emergency_contact);
    p->program_id = sqlite3_column_int64(st, 8);
    store_col_text(st, 9, p->program_code, sizeof p->program_code);
    store_col_text(st, 10, p->admission_date, sizeof p->admission_date);
    store_col_text(st, 11, p->expected_discharge_date, sizeof p->expected_discharge_date);
    store_col_text(st, 12, p->discharge_date, sizeof p->discharge_date);
    store_col_text(st, 13, p->discharge_reason, sizeof p->discharge_reason);
    store_col_text(st, 14, text, sizeof text);
    cairn_patient_status_parse(text, &p->status, NULL);
    p->therapist_id = sqlite3_column_int64(st, 15);
    p->case_manager_id = sqlite3_column_int64(st, 16);
    p->peer_mentor_id = sqlite3_column_int64(st, 17);
    store_col_text(st, 18, p->therapist_login, sizeof p->therapist_login);
    store_col_text(st, 19, p->case_manager_login, sizeof p->case_manager_login);
    store_col_text(st, 20, p->peer_mentor_login, sizeof p->peer_mentor_login);
    store_col_text(st, 21, text, sizeof text);
    if (cairn_risk_parse(text, &p->risk, NULL) != CAIRN_OK)
        p->risk = CAIRN_RISK_UNSET;
    store_col_text(st, 22, p->risk_set_by, sizeof p->risk_set_by);
    store_col_text(st, 23, p->risk_set_at, sizeof p->risk_set_at);
    store_col_text(st, 24, p->tags, sizeof p->tags);
    store_col_text(st, 25, p->created_at, sizeof p->created_at);
    store_col_text(st, 26, p->updated_at, sizeof p->updated_at);
    p->version = sqlite3_column_int64(st, 27);
    store_col_text(st, 28, p->name_key, sizeof p->name_key);
}

/* Runs a one-row PATIENT_SELECT with ?1 bound to `key` (text or id). */
static enum cairn_status select_one(struct cairn_store *s, const char *sql, const char *mrn,
                                    int64_t id, struct cairn_patient *out, struct cairn_error *err)
{
    sqlite3_stmt *st = store_stmt(s, sql, err);
    if (!st)
        return err ? err->status : CAIRN_ERR_DB;
    if (mrn)
        sqlite3_bind_text(st, 1, mrn, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    enum cairn_status ret = CAIRN_OK;
    if (rc == SQLITE_ROW)
        store_patient_read_row(st, out);
    else if (rc == SQLITE_DONE)
        ret = cairn_error_set(err, CAIRN_ERR_NOT_FOUND, "no patient with that %s",
                              mrn ? "MRN" : "id");
    else
        ret = store_fail(s, rc, "reading a patient", err);
    sqlite3_reset(st);
    return ret;
}

static enum cairn_status select_by_mrn(struct cairn_store *s, const char *mrn,
                                       struct cairn_patient *out, struct cairn_error *err)
{
    static const char sql[] = PATIENT_SELECT "WHERE p.mrn = ?1";
    return select_one(s, sql, mrn, 0, out, err);
}

static enum cairn_status select_by_id(struct cairn_store *s, int64_t id, struct cairn_patient *out,
                                      struct cairn_error *err)
{
    static const char sql[] = PATIENT_SELECT "WHERE p.id = ?1";
    return select_one(s, sql, NULL, id, out, err);
}

/* Turns a failed write into a message that names the field at fault. */
static enum cairn_status write_failed(struct cairn_store *s, int rc, struct cairn_error *err)
{
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return cairn_error_field(err, CAIRN_ERR_EXISTS, "mrn",
                                 "another patient already has this MRN");
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return cairn_error_set(err, CAIRN_ERR_NOT_FOUND,
                               "a referenced program or staff member does not exist");
    return store_fail(s, rc, "saving the patient", err);
}

enum cairn_status cairn_patient_add(struct cairn_store *s, struct cairn_patient *p,
                                    struct cairn_error *err)
{
    static const char sql[] =
        "INSERT INTO patient (mrn, legal_name, preferred_name, dob, pronouns, phone, "
        "emergency_contact, therapist_id, case_manager_id, peer_mentor_id, risk_level, "
        "risk_set_by, risk_set_at, tags, created_at, updated_at, name_key) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?16)";
    const uint32_t mask = CAIRN_PF_BIT(MRN) | CAIRN_PF_BIT(LEGAL_NAME) |
                          CAIRN_PF_BIT(PREFERRED_NAME) | CAIRN_PF_BIT(DOB) |
                          CAIRN_PF_BIT(PRONOUNS) | CAIRN_PF_BIT(PHONE) |
                          CAIRN_PF_BIT(EMERGENCY_CONTACT) | CAIRN_PF_BIT(RISK);
    enum cairn_status rc = cairn_patient_validate(p, mask, cairn_store_today(s), err);
    if (rc != CAIRN_OK)
        return rc;
    if ((rc = cairn_patient_tags_normalize(p->tags, sizeof p->tags, err)) != CAIRN_OK)
        return rc;
    if ((rc = store_tx_begin(s, err)) != CAIRN_OK)
        return rc;
    sqlite3_stmt *st = store_stmt(s, sql, err);
    if (!st) {
        rc = err ? err->status : CAIRN_ERR_DB;
        goto out;
    }
    char now[CAIRN_TIMESTAMP_LEN + 1];
    cairn_timestamp_now(now);
    sqlite3_bind_text(st, 1, p->mrn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, p->legal_name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, p->preferred_name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, p->dob, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, p->pronouns, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, p->phone, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, p->emergency_contact, -1, SQLITE_TRANSIENT);
    store_bind_id_or_null(st, 8, p->therapist_id);
    store_bind_id_or_null(st, 9, p->case_manager_id);
    store_bind_id_or_null(st, 10, p->peer_mentor_id);
    store_bind_text_or_null(st, 11, cairn_risk_str(p->risk));
    if (p->risk != CAIRN_RISK_UNSET) {
        sqlite3_bind_text(st, 12, s->login, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 13, now, -1, SQLITE_TRANSIENT);
    }
    sqlite3_bind_text(st, 14, p->tags, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 15, now, -1, SQLITE_TRANSIENT);
    char key[sizeof p->name_key];
    store_patient_name_key(p->legal_name, p->preferred_name, key, sizeof key);
    sqlite3_bind_text(st, 16, key, -1, SQLITE_TRANSIENT);
    int src = sqlite3_step(st);
    sqlite3_reset(st);
    if (src != SQLITE_DONE) {
        rc = write_failed(s, src, err);
        goto out;
    }
    int64_t id = sqlite3_last_insert_rowid(s->db);
    char fields[512] = "";
    for (int f = 0; f < CAIRN_PF__COUNT; f++) {
        bool set =
            f == CAIRN_PF_MRN || f == CAIRN_PF_LEGAL_NAME || f == CAIRN_PF_DOB ||
            f == CAIRN_PF_STATUS ||
            (columns[f].kind == COL_TEXT && (mask & (1u << f)) && *(const char *)field_ptr(p, f)) ||
            (f == CAIRN_PF_TAGS && *p->tags) ||
            (columns[f].kind == COL_ID && *(const int64_t *)field_ptr(p, f)) ||
            (f == CAIRN_PF_RISK && p->risk != CAIRN_RISK_UNSET);
        if (set) {
            size_t n = strlen(fields);
            snprintf(fields + n, sizeof fields - n, "%s%s", n ? "," : "", columns[f].name);
        }
    }
    if ((rc = store_audit(s, "create", "patient", id, id, fields, "ok", err)) != CAIRN_OK)
        goto out;
    if ((rc = select_by_id(s, id, p, err)) != CAIRN_OK)
        goto out;
out:
    rc = store_tx_end(s, rc, err);
    return rc;
}

enum cairn_status cairn_patient_find(struct cairn_store *s, const char *mrn,
                                     struct cairn_patient *out, struct cairn_error *err)
{
    return select_by_mrn(s, mrn, out, err);
}

enum cairn_status cairn_patient_read(struct cairn_store *s, const char *mrn,
                                     struct cairn_patient *out, struct cairn_error *err)
{
    enum cairn_status rc = store_tx_begin(s, err);
    if (rc != CAIRN_OK)
        return rc;
    if ((rc = select_by_mrn(s, mrn, out, err)) != CAIRN_OK)
        goto out;
    if ((rc = store_audit(s, "read", "patient", out->id, out->id, "", "ok", err)) != CAIRN_OK)
        goto out;
out:
    rc = store_tx_end(s, rc, err);
    return rc;
}

/* Inside an open transaction: writes the fields of `next` named in `mask`
 * that differ from `cur`, bumps the version, and audits the change. Leaves
 * *changed false (and writes nothing) when nothing differs. */
static enum cairn_status write_changes(struct cairn_store *s, const struct cairn_patient *cur,
                                       const struct cairn_patient *next, uint32_t mask,
                                       bool *changed, struct cairn_error *err)
{
    char sql[1024] = "UPDATE patient SET ";
    char fields[512] = "";
    int diff[CAIRN_PF__COUNT];
    int ndiff = 0;
    bool risk_changed = false, names_changed = false;
    char key[sizeof cur->name_key];

    *changed = false;
    for (int f = 0; f < CAIRN_PF__COUNT; f++) {
        if (!(mask & (1u << f)) || field_equal(cur, next, f))
            continue;
        diff[ndiff++] = f;
        size_t n = strlen(sql), m = strlen(fields);
        snprintf(sql + n, sizeof sql - n, "%s = ?%d, ", columns[f].name, ndiff);
        snprintf(fields + m, sizeof fields - m, "%s%s", m ? "," : "", columns[f].name);
        risk_changed |= f == CAIRN_PF_RISK;
        names_changed |= f == CAIRN_PF_LEGAL_NAME || f == CAIRN_PF_PREFERRED_NAME;
    }
    if (ndiff == 0)
        return CAIRN_OK;
    size_t n = strlen(sql);
    if (risk_changed)
        snprintf(sql + n, sizeof sql - n, "risk_set_by = ?%d, risk_set_at = ?%d, ", ndiff + 4,
                 ndiff + 1);
    n = strlen(sql);
    if (names_changed)
        snprintf(sql + n, sizeof sql - n, "name_key = ?%d, ", ndiff + 5);
    n = strlen(sql);
    snprintf(sql + n, sizeof sql - n,
             "updated_at = ?%d, version = version + 1 WHERE id = ?%d AND version = ?%d", ndiff + 1,
             ndiff + 2, ndiff + 3);

    /* The SET list depends on which fields changed, so this statement is
     * prepared per call rather than cached. Every value is bound. */
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (src != SQLITE_OK)
        return store_fail(s, src, "preparing an update", err);
    char now[CAIRN_TIMESTAMP_LEN + 1];
    cairn_timestamp_now(now);
    for (int i = 0; i < ndiff; i++)
        bind_field(st, i + 1, next, diff[i]);
    sqlite3_bind_text(st, ndiff + 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, ndiff + 2, cur->id);
    sqlite3_bind_int64(st, ndiff + 3, cur->version);
    if (risk_changed)
        sqlite3_bind_text(st, ndiff + 4, s->login, -1, SQLITE_TRANSIENT);
    if (names_changed) {
        store_patient_name_key(next->legal_name, next->preferred_name, key, sizeof key);
        sqlite3_bind_text(st, ndiff + 5, key, -1, SQLITE_STATIC);
    }
    src = sqlite3_step(st);
    int rows = sqlite3_changes(s->db);
    sqlite3_finalize(st);
    if (src != SQLITE_DONE)
        return write_failed(s, src, err);
    if (rows != 1)
        return cairn_error_set(err, CAIRN_ERR_CONFLICT,
                               "the patient record was changed by someone else while saving");
    *changed = true;
    return store_audit(s, "update", "patient", cur->id, cur->id, fields, "ok", err);
}

/* Starts a change: opens the transaction and loads the stored row, refusing
 * when it moved past the version the caller read. */
static enum cairn_status begin_change(struct cairn_store *s, const struct cairn_patient *p,
                                      struct cairn_patient *cur, struct cairn_error *err)
{
    enum cairn_status rc = store_tx_begin(s, err);
    if (rc != CAIRN_OK)
        return rc;
    if ((rc = select_by_id(s, p->id, cur, err)) != CAIRN_OK) {
        store_tx_rollback(s);
        return rc;
    }
    if (cur->version != p->version) {
        store_tx_rollback(s);
        store_audit_refusal(s, "update", "patient", p->id, p->id, "conflict");
        return cairn_error_set(err, CAIRN_ERR_CONFLICT,
                               "changed by someone else since you opened it (you read version "
                               "%lld, it is now at version %lld); nothing was saved",
                               (long long)p->version, (long long)cur->version);
    }
    return CAIRN_OK;
}

enum cairn_status cairn_patient_update(struct cairn_store *s, struct cairn_patient *p,
                                       uint32_t mask, struct cairn_error *err)
{
    struct cairn_patient cur;
    bool changed = false;
    enum cairn_status rc;

    if (mask & CAIRN_PF_BIT(STATUS))
        return cairn_error_field(err, CAIRN_ERR_INVALID, "status",
                                 "is changed by admit, hold, resume, discharge or alumni");
    if ((rc = cairn_patient_validate(p, mask, cairn_store_today(s), err)) != CAIRN_OK)
        return rc;
    if ((mask & CAIRN_PF_BIT(TAGS)) &&
        (rc = cairn_patient_tags_normalize(p->tags, sizeof p->tags, err)) != CAIRN_OK)
        return rc;
    if ((rc = begin_change(s, p, &cur, err)) != CAIRN_OK)
        return rc;
    /* Dates are checked against each other on the merged record. */
    struct cairn_patient merged = cur;
    for (int f = 0; f < CAIRN_PF__COUNT; f++) {
        if (!(mask & (1u << f)))
            continue;
        memcpy((char *)&merged + columns[f].offset, (const char *)p + columns[f].offset,
               columns[f].kind == COL_TEXT ? strlen(field_ptr(p, f)) + 1
               : columns[f].kind == COL_ID ? sizeof(int64_t)
                                           : sizeof(int));
    }
    /* DOB and admission are always both named when any date changes:
     * validate compares them only when both are in the mask, and a new DOB
     * alone must not land after the stored admission date. */
    const uint32_t dates = CAIRN_PF_BIT(DOB) | CAIRN_PF_BIT(ADMISSION_DATE) |
                           CAIRN_PF_BIT(EXPECTED_DISCHARGE) | CAIRN_PF_BIT(DISCHARGE_DATE);
    const uint32_t anchors = CAIRN_PF_BIT(DOB) | CAIRN_PF_BIT(ADMISSION_DATE);
    if ((rc = cairn_patient_validate(&merged, mask & dates ? (mask & dates) | anchors : 0,
                                     cairn_store_today(s), err)) != CAIRN_OK)
        goto out;
    if ((rc = write_changes(s, &cur, &merged, mask, &changed, err)) != CAIRN_OK)
        goto out;
    if (changed && (rc = select_by_id(s, p->id, p, err)) != CAIRN_OK)
        goto out;
out:
    rc = store_tx_end(s, rc, err);
    return rc;
}

enum cairn_status cairn_patient_change_status(struct cairn_store *s, struct cairn_patient *p,
                                              enum cairn_patient_status to, struct cairn_error *err)
{
    struct cairn_patient cur;
    bool changed = false;
    uint32_t mask = CAIRN_PF_BIT(STATUS);
    enum cairn_status rc = begin_change(s, p, &cur, err);
    if (rc != CAIRN_OK)
        return rc;
    if (cur.status == to) {
        rc = cairn_error_field(err, CAIRN_ERR_TRANSITION, "status", "is already %s",
                               cairn_patient_status_str(to));
        goto out;
    }
    if (!cairn_patient_transition_allowed(cur.status, to)) {
        rc = cairn_error_field(err, CAIRN_ERR_TRANSITION, "status",
                               "cannot go from %s to %s (allowed: referred → active ⇄ on_hold "
                               "→ discharged → alumni; active → discharged)",
                               cairn_patient_status_str(cur.status), cairn_patient_status_str(to));
        goto out;
    }
    struct cairn_patient next = cur;
    next.status = to;
    if (to == CAIRN_PATIENT_ACTIVE && cur.status == CAIRN_PATIENT_REFERRED) {
        if (!*p->admission_date) {
            rc = cairn_error_field(err, CAIRN_ERR_INVALID, "admission_date", "is required");
            goto out;
        }
        memcpy(next.admission_date, p->admission_date, sizeof next.admission_date);
        memcpy(next.expected_discharge_date, p->expected_discharge_date,
               sizeof next.expected_discharge_date);
        if (p->program_id)
            next.program_id = p->program_id;
        if (next.program_id && !*next.expected_discharge_date) {
            struct cairn_program prog;
            int32_t admitted;
            if ((rc = cairn_program_get(s, next.program_id, &prog, err)) != CAIRN_OK ||
                (rc = cairn_date_parse(next.admission_date, &admitted, err)) != CAIRN_OK)
                goto out;
            cairn_date_format(admitted + prog.length_weeks * 7, next.expected_discharge_date);
        }
        mask |=
            CAIRN_PF_BIT(ADMISSION_DATE) | CAIRN_PF_BIT(EXPECTED_DISCHARGE) | CAIRN_PF_BIT(PROGRAM);
    } else if (to == CAIRN_PATIENT_DISCHARGED) {
        if (!*p->discharge_date) {
            rc = cairn_error_field(err, CAIRN_ERR_INVALID, "discharge_date", "is required");
            goto out;
        }
        if (!*p->discharge_reason) {
            rc = cairn_error_field(err, CAIRN_ERR_INVALID, "discharge_reason", "is required");
            goto out;
        }
        memcpy(next.discharge_date, p->discharge_date, sizeof next.discharge_date);
        memcpy(next.discharge_reason, p->discharge_reason, sizeof next.discharge_reason);
        mask |= CAIRN_PF_BIT(DISCHARGE_DATE) | CAIRN_PF_BIT(DISCHARGE_REASON);
    }
    if ((rc = cairn_patient_validate(&next, mask | CAIRN_PF_BIT(DOB), cairn_store_today(s), err)) !=
        CAIRN_OK)
        goto out;
    if ((rc = write_changes(s, &cur, &next, mask, &changed, err)) != CAIRN_OK)
        goto out;
    if (to == CAIRN_PATIENT_ACTIVE && cur.status == CAIRN_PATIENT_REFERRED && next.program_id &&
        (rc = store_seed_care(s, next.id, next.program_id, next.admission_date,
                              next.expected_discharge_date, err)) != CAIRN_OK)
        goto out;
    if ((rc = select_by_id(s, p->id, p, err)) != CAIRN_OK)
        goto out;
out:
    rc = store_tx_end(s, rc, err);
    return rc;
}

/* Escapes LIKE wildcards so a search matches the text literally. */
static void like_pattern(const char *in, char *out, size_t size)
{
    size_t o = 0;
    if (size < 4)
        return;
    out[o++] = '%';
    for (; *in && o + 3 < size; in++) {
        if (*in == '%' || *in == '_' || *in == '\\')
            out[o++] = '\\';
        out[o++] = *in;
    }
    out[o++] = '%';
    out[o] = '\0';
}

enum cairn_status cairn_patient_list(struct cairn_store *s,
                                     const struct cairn_patient_filter *filter,
                                     int (*fn)(const struct cairn_patient *p, void *ctx), void *ctx,
                                     struct cairn_error *err)
{
    static const struct cairn_patient_filter everyone = {0};
    enum cairn_status rc = CAIRN_OK;
    sqlite3_stmt *st = NULL;
    char sql[4096];
    char pattern[4 * CAIRN_NAME_MAX + 8];
    int64_t clinician = 0;
    struct cairn_patient row;
    const struct cairn_patient_filter *f = filter ? filter : &everyone;

    if ((unsigned)f->sort >= CAIRN_PATIENT_SORT__COUNT)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "sort", "unknown list order");
    const char *sort_expr = sort_exprs[f->sort];
    snprintf(sql, sizeof sql, "SELECT " STORE_PATIENT_COLUMNS ", %s" STORE_PATIENT_FROM "WHERE 1",
             sort_expr ? sort_expr : "''");
#define APPEND(...) snprintf(sql + strlen(sql), sizeof sql - strlen(sql), __VA_ARGS__)
    if (f->clinician_login) {
        struct cairn_staff who;
        if ((rc = cairn_staff_find(s, f->clinician_login, &who, err)) != CAIRN_OK)
            return rc;
        clinician = who.id;
        APPEND(" AND (p.therapist_id = :clinician OR p.case_manager_id = :clinician OR "
               "p.peer_mentor_id = :clinician)");
    }
    if (f->program_code) {
        struct cairn_program prog;
        if ((rc = cairn_program_find(s, f->program_code, &prog, err)) != CAIRN_OK)
            return rc;
        APPEND(" AND p.program_id IN (SELECT id FROM program WHERE code = :program)");
    }
    if (f->status_mask) {
        APPEND(" AND p.status IN (");
        const char *sep = "";
        for (int i = 0; i < CAIRN_PATIENT_STATUS__COUNT; i++) {
            if (f->status_mask & (1u << i)) {
                APPEND("%s'%s'", sep, cairn_patient_status_str(i));
                sep = ", ";
            }
        }
        APPEND(")");
    }
    if (f->risk_mask) {
        APPEND(" AND (p.risk_level IN (''");
        for (int r = CAIRN_RISK_LOW; r <= CAIRN_RISK_HIGH; r++)
            if (f->risk_mask & (1u << r))
                APPEND(", '%s'", cairn_risk_str((enum cairn_risk)r));
        APPEND(")%s)", f->risk_mask & (1u << CAIRN_RISK_UNSET) ? " OR p.risk_level IS NULL" : "");
    }
    char week[CAIRN_WEEK_LEN + 1] = "";
    if (f->review_due) {
        int y, w;
        cairn_date_isoweek(cairn_store_today(s), &y, &w);
        cairn_isoweek_format(y, w, week);
        APPEND(" AND p.status = 'active' AND (EXISTS (SELECT 1 FROM review r WHERE "
               "r.patient_id = p.id AND r.week <= :week AND r.status IN ('due', 'draft')) OR "
               "NOT EXISTS (SELECT 1 FROM review r WHERE r.patient_id = p.id AND r.week = "
               ":week))");
    }
    if (f->search && *f->search) {
        char folded[2 * CAIRN_NAME_MAX + 2];
        cairn_text_fold(f->search, folded, sizeof folded);
        like_pattern(folded, pattern, sizeof pattern);
        APPEND(" AND (p.name_key LIKE :search ESCAPE '\\' OR p.mrn LIKE :search ESCAPE '\\')");
    }
    const bool by_mrn = f->sort == CAIRN_PATIENT_SORT_MRN;
    const char *cmp = f->backward ? "<" : ">", *dir = f->backward ? " DESC" : "";
    if (f->after_key && sort_expr)
        APPEND(" AND (%s, p.name_key, p.id) %s (:after_sort, :after_key, :after_id)", sort_expr,
               cmp);
    else if (f->after_key)
        APPEND(by_mrn ? " AND p.mrn %s :after_key"
                      : " AND (p.name_key, p.id) %s (:after_key, :after_id)",
               cmp);
    if (sort_expr)
        APPEND(" ORDER BY %s%s, p.name_key%s, p.id%s", sort_expr, dir, dir, dir);
    else if (by_mrn)
        APPEND(" ORDER BY p.mrn%s", dir);
    else
        APPEND(" ORDER BY p.name_key%s, p.id%s", dir, dir);
    if (f->limit)
        APPEND(" LIMIT :limit");
#undef APPEND

    int src = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (src != SQLITE_OK) {
        rc = store_fail(s, src, "listing patients", err);
        goto out;
    }
#define BIND(name, call)                                                                           \
    do {                                                                                           \
        int idx_ = sqlite3_bind_parameter_index(st, name);                                         \
        if (idx_)                                                                                  \
            call;                                                                                  \
    } while (0)
    BIND(":clinician", sqlite3_bind_int64(st, idx_, clinician));
    BIND(":program", sqlite3_bind_text(st, idx_, f->program_code, -1, SQLITE_STATIC));
    BIND(":search", sqlite3_bind_text(st, idx_, pattern, -1, SQLITE_STATIC));
    BIND(":week", sqlite3_bind_text(st, idx_, week, -1, SQLITE_STATIC));
    BIND(":after_sort",
         sqlite3_bind_text(st, idx_, f->after_sort ? f->after_sort : "", -1, SQLITE_STATIC));
    BIND(":after_key", sqlite3_bind_text(st, idx_, f->after_key, -1, SQLITE_STATIC));
    BIND(":after_id", sqlite3_bind_int64(st, idx_, f->after_id));
    BIND(":limit", sqlite3_bind_int64(st, idx_, (sqlite3_int64)f->limit));
#undef BIND
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        store_patient_read_row(st, &row);
        store_col_text(st, 29, row.sort_key, sizeof row.sort_key);
        if (fn(&row, ctx))
            break;
    }
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        rc = store_fail(s, src, "listing patients", err);
out:
    sqlite3_finalize(st);
    return rc;
}

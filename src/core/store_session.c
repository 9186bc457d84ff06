/* Sessions and attendance in the database: log a session with its roster,
 * import attendance from CSV, list a patient's lines and total a week.
 * Every write is one transaction, audited line by line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cairn/csv.h"
#include "cairn/session.h"
#include "cairn/staff.h"
#include "store_internal.h"

/* The staff id of login `login` ("" = 0). */
static enum cairn_status facilitator_id(struct cairn_store *s, const char *login, int64_t *id,
                                        struct cairn_error *err)
{
    struct cairn_staff staff;
    *id = 0;
    if (!*login)
        return CAIRN_OK;
    enum cairn_status rc = cairn_staff_find(s, login, &staff, err);
    if (rc == CAIRN_ERR_NOT_FOUND)
        return cairn_error_field(err, rc, "facilitator", "no staff member with login \"%.64s\"",
                                 login);
    *id = staff.id;
    return rc;
}

/* Inside a transaction: the id of the session matching *ses on every
 * column that makes a meeting (0 when none). */
static enum cairn_status find_session(struct cairn_store *s, const struct cairn_session *ses,
                                      int64_t facilitator, int64_t *id, struct cairn_error *err)
{
    STORE_PREPARE(st, "SELECT id FROM session WHERE date = ?1 AND coalesce(start_time, '') = ?2 "
                      "AND type = ?3 AND title = ?4 AND minutes = ?5 AND telehealth = ?6 "
                      "AND coalesce(facilitator_id, 0) = ?7 ORDER BY id LIMIT 1");
    sqlite3_bind_text(st, 1, ses->date, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, ses->start, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, cairn_session_type_str(ses->type), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, ses->title, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 5, ses->minutes);
    sqlite3_bind_int(st, 6, ses->telehealth);
    sqlite3_bind_int64(st, 7, facilitator);
    int src = sqlite3_step(st);
    *id = src == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return src == SQLITE_ROW || src == SQLITE_DONE ? CAIRN_OK
                                                   : store_fail(s, src, "finding a session", err);
}

/* Inside a transaction: inserts session *ses and sets ses->id. Audited. */
static enum cairn_status insert_session(struct cairn_store *s, struct cairn_session *ses,
                                        int64_t facilitator, struct cairn_error *err)
{
    char now[CAIRN_TIMESTAMP_LEN + 1];
    cairn_timestamp_now(now);
    STORE_PREPARE(st, "INSERT INTO session (date, start_time, type, title, minutes, telehealth, "
                      "facilitator_id, entered_by, created_at, updated_at) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)");
    sqlite3_bind_text(st, 1, ses->date, -1, SQLITE_TRANSIENT);
    store_bind_text_or_null(st, 2, ses->start);
    sqlite3_bind_text(st, 3, cairn_session_type_str(ses->type), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, ses->title, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 5, ses->minutes);
    sqlite3_bind_int(st, 6, ses->telehealth);
    store_bind_id_or_null(st, 7, facilitator);
    sqlite3_bind_text(st, 8, cairn_store_actor_login(s), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 9, now, -1, SQLITE_TRANSIENT);
    enum cairn_status rc = store_step_done(s, st, "logging a session", err);
    if (rc != CAIRN_OK)
        return rc;
    ses->id = sqlite3_last_insert_rowid(store_db(s));
    return store_audit(s, "create", "session", ses->id, 0,
                       "date,start,type,title,minutes,telehealth,facilitator", "ok", err);
}

/* The minutes a line counts: the whole session when attended, those given
 * when late (1 to the session's minutes - 1), none when absent or excused.
 * `who` names the patient in messages. */
static enum cairn_status line_minutes(const struct cairn_session *ses,
                                      const struct cairn_roster_entry *e, const char *who,
                                      int *minutes, struct cairn_error *err)
{
    *minutes = 0;
    switch (e->status) {
    case CAIRN_ATTENDED:
        *minutes = ses->minutes;
        return CAIRN_OK;
    case CAIRN_LATE:
        if (e->minutes_attended < 1 || e->minutes_attended >= ses->minutes)
            return cairn_error_field(err, CAIRN_ERR_INVALID, "minutes_attended",
                                     "%s was late: give the minutes attended, 1 to %d (the "
                                     "session ran %d)",
                                     who, ses->minutes - 1, ses->minutes);
        *minutes = e->minutes_attended;
        return CAIRN_OK;
    case CAIRN_ABSENT:
    case CAIRN_EXCUSED:
        return CAIRN_OK;
    default:
        return cairn_error_field(err, CAIRN_ERR_INVALID, "status", "unknown attendance status");
    }
}

/* Inside a transaction: adds one patient's line to session *ses after the
 * checks cairn_session_log() lists. Errors name the field at fault
 * ("mrn", "status", "minutes_attended"). */
static enum cairn_status add_line(struct cairn_store *s, const struct cairn_session *ses,
                                  const struct cairn_roster_entry *e, bool name_mrn,
                                  struct cairn_error *err)
{
    /* Messages name the patient by MRN on a roster; an import points at
     * the line instead and repeats nothing from the file (a shifted column
     * could put anything in the MRN's place). */
    char who[CAIRN_MRN_MAX + 32];
    snprintf(who, sizeof who, "%s%s", name_mrn ? "patient " : "the patient on this line",
             name_mrn ? e->mrn : "");
    enum cairn_status rc;
    int64_t patient = 0;
    char status[16] = "", admitted[CAIRN_DATE_LEN + 1] = "", left[CAIRN_DATE_LEN + 1] = "";
    {
        STORE_PREPARE(st, "SELECT id, status, admission_date, discharge_date FROM patient "
                          "WHERE mrn = ?1");
        sqlite3_bind_text(st, 1, e->mrn, -1, SQLITE_TRANSIENT);
        int src = sqlite3_step(st);
        if (src == SQLITE_ROW) {
            patient = sqlite3_column_int64(st, 0);
            store_col_text(st, 1, status, sizeof status);
            store_col_text(st, 2, admitted, sizeof admitted);
            store_col_text(st, 3, left, sizeof left);
        }
        sqlite3_reset(st);
        if (src == SQLITE_DONE)
            return cairn_error_field(err, CAIRN_ERR_NOT_FOUND, "mrn", "no patient with %s%s",
                                     name_mrn ? "MRN " : "this MRN", name_mrn ? e->mrn : "");
        if (src != SQLITE_ROW)
            return store_fail(s, src, "finding a patient", err);
    }
    if (!*admitted || strcmp(status, "referred") == 0)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "mrn",
                                 "%s has not been admitted; attendance starts at admission", who);
    if (strcmp(ses->date, admitted) < 0)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "mrn",
                                 "%s was admitted on %s, after this session (%s)", who, admitted,
                                 ses->date);
    if (*left && strcmp(ses->date, left) > 0)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "mrn",
                                 "%s was discharged on %s, before this session (%s)", who, left,
                                 ses->date);
    {
        STORE_PREPARE(st, "SELECT s.id FROM attendance a JOIN session s ON s.id = a.session_id "
                          "WHERE a.patient_id = ?1 AND a.date = ?2 "
                          "AND coalesce(s.start_time, '') = ?3 AND s.type = ?4 AND s.title = ?5");
        sqlite3_bind_int64(st, 1, patient);
        sqlite3_bind_text(st, 2, ses->date, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, ses->start, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, cairn_session_type_str(ses->type), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, ses->title, -1, SQLITE_TRANSIENT);
        int src = sqlite3_step(st);
        int64_t other = src == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_reset(st);
        if (src == SQLITE_ROW)
            return cairn_error_field(err, CAIRN_ERR_EXISTS, "mrn",
                                     "%s is already on this session's roster (session %lld, %s %s)",
                                     who, (long long)other, ses->date,
                                     cairn_session_type_str(ses->type));
        if (src != SQLITE_DONE)
            return store_fail(s, src, "checking the roster", err);
    }
    int minutes = 0;
    if ((rc = line_minutes(ses, e, who, &minutes, err)) != CAIRN_OK)
        return rc;
    char now[CAIRN_TIMESTAMP_LEN + 1];
    cairn_timestamp_now(now);
    STORE_PREPARE(st, "INSERT INTO attendance (session_id, patient_id, date, status, "
                      "minutes_attended, created_at, updated_at) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
    sqlite3_bind_int64(st, 1, ses->id);
    sqlite3_bind_int64(st, 2, patient);
    sqlite3_bind_text(st, 3, ses->date, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, cairn_attendance_str(e->status), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, minutes);
    sqlite3_bind_text(st, 6, now, -1, SQLITE_TRANSIENT);
    if ((rc = store_step_done(s, st, "logging attendance", err)) != CAIRN_OK)
        return rc;
    return store_audit(s, "create", "attendance", sqlite3_last_insert_rowid(store_db(s)), patient,
                       "session,status,minutes_attended", "ok", err);
}

enum cairn_status cairn_session_log(struct cairn_store *s, struct cairn_session *ses,
                                    const struct cairn_roster_entry *roster, size_t n,
                                    struct cairn_error *err)
{
    enum cairn_status rc = cairn_session_validate(ses, cairn_store_today(s), err);
    if (rc != CAIRN_OK)
        return rc;
    if (n == 0)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "mrn",
                                 "the roster is empty: name at least one patient");
    if (n > CAIRN_ROSTER_MAX)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "mrn",
                                 "%zu patients on one session; at most %d", n, CAIRN_ROSTER_MAX);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(roster[i].mrn, roster[j].mrn) == 0)
                return cairn_error_field(err, CAIRN_ERR_INVALID, "mrn",
                                         "patient %s is on the roster twice", roster[i].mrn);
    if ((rc = store_tx_begin(s, err)) != CAIRN_OK)
        return rc;
    int64_t facilitator = 0;
    if ((rc = facilitator_id(s, ses->facilitator, &facilitator, err)) != CAIRN_OK ||
        (rc = insert_session(s, ses, facilitator, err)) != CAIRN_OK)
        goto out;
    for (size_t i = 0; i < n && rc == CAIRN_OK; i++)
        rc = add_line(s, ses, &roster[i], true, err);
out:
    rc = store_tx_end(s, rc, err);
    return rc;
}

/* Inside a transaction: session `id` into *ses. */
static enum cairn_status load_session(struct cairn_store *s, int64_t id, struct cairn_session *ses,
                                      struct cairn_error *err)
{
    STORE_PREPARE(st, "SELECT date, coalesce(start_time, ''), type, title, minutes, telehealth "
                      "FROM session WHERE id = ?1");
    sqlite3_bind_int64(st, 1, id);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        memset(ses, 0, sizeof *ses);
        ses->id = id;
        store_col_text(st, 0, ses->date, sizeof ses->date);
        store_col_text(st, 1, ses->start, sizeof ses->start);
        cairn_session_type_parse((const char *)sqlite3_column_text(st, 2), &ses->type, NULL);
        store_col_text(st, 3, ses->title, sizeof ses->title);
        ses->minutes = sqlite3_column_int(st, 4);
        ses->telehealth = sqlite3_column_int(st, 5) != 0;
    }
    sqlite3_reset(st);
    if (src == SQLITE_DONE)
        return cairn_error_field(err, CAIRN_ERR_NOT_FOUND, "session", "no session %lld",
                                 (long long)id);
    return src == SQLITE_ROW ? CAIRN_OK : store_fail(s, src, "reading a session", err);
}

enum cairn_status cairn_attendance_mark(struct cairn_store *s, int64_t session_id,
                                        const struct cairn_roster_entry *e, int64_t if_version,
                                        enum cairn_mark_result *result, struct cairn_error *err)
{
    struct cairn_session ses;
    char who[CAIRN_MRN_MAX + 16];
    int64_t line = 0, version = 0, patient = 0;
    int minutes = 0;
    char status[16] = "";
    enum cairn_status rc = store_tx_begin(s, err);
    if (rc != CAIRN_OK)
        return rc;
    *result = CAIRN_MARK_UNCHANGED;
    snprintf(who, sizeof who, "patient %s", e->mrn);
    if ((rc = load_session(s, session_id, &ses, err)) != CAIRN_OK)
        goto out;
    {
        sqlite3_stmt *st = store_stmt(s,
                                      "SELECT a.id, a.version, a.status, a.minutes_attended, "
                                      "p.id FROM patient p LEFT JOIN attendance a "
                                      "ON a.patient_id = p.id AND a.session_id = ?2 "
                                      "WHERE p.mrn = ?1",
                                      err);
        if (!st) {
            rc = err ? err->status : CAIRN_ERR_DB;
            goto out;
        }
        sqlite3_bind_text(st, 1, e->mrn, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, session_id);
        int src = sqlite3_step(st);
        if (src == SQLITE_ROW) {
            line = sqlite3_column_int64(st, 0);
            version = sqlite3_column_int64(st, 1);
            store_col_text(st, 2, status, sizeof status);
            minutes = sqlite3_column_int(st, 3);
            patient = sqlite3_column_int64(st, 4);
        }
        sqlite3_reset(st);
        if (src == SQLITE_DONE) {
            rc = cairn_error_field(err, CAIRN_ERR_NOT_FOUND, "mrn", "no patient with MRN %s",
                                   e->mrn);
            goto out;
        }
        if (src != SQLITE_ROW) {
            rc = store_fail(s, src, "finding the attendance line", err);
            goto out;
        }
    }
    if (!line) {
        /* Not on the roster yet: added with every check a roster makes. */
        if (if_version > 0) {
            rc = cairn_error_set(err, CAIRN_ERR_CONFLICT,
                                 "%s is not on session %lld's roster (anymore?); nothing "
                                 "was saved",
                                 who, (long long)session_id);
            goto out;
        }
        if ((rc = add_line(s, &ses, e, true, err)) == CAIRN_OK)
            *result = CAIRN_MARK_ADDED;
        goto out;
    }
    if (if_version > 0 && version != if_version) {
        rc = cairn_error_set(err, CAIRN_ERR_CONFLICT,
                             "%s's line on session %lld was changed by someone else since you "
                             "read it (version %lld, now %lld); nothing was saved",
                             who, (long long)session_id, (long long)if_version, (long long)version);
        goto out;
    }
    int next = 0;
    if ((rc = line_minutes(&ses, e, who, &next, err)) != CAIRN_OK)
        goto out;
    if (!strcmp(status, cairn_attendance_str(e->status)) && next == minutes)
        goto out; /* already so: nothing to write */
    char now[CAIRN_TIMESTAMP_LEN + 1];
    cairn_timestamp_now(now);
    {
        sqlite3_stmt *st = store_stmt(s,
                                      "UPDATE attendance SET status = ?2, minutes_attended = ?3, "
                                      "updated_at = ?4, version = version + 1 WHERE id = ?1",
                                      err);
        if (!st) {
            rc = err ? err->status : CAIRN_ERR_DB;
            goto out;
        }
        sqlite3_bind_int64(st, 1, line);
        sqlite3_bind_text(st, 2, cairn_attendance_str(e->status), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, next);
        sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
        if ((rc = store_step_done(s, st, "correcting attendance", err)) != CAIRN_OK)
            goto out;
    }
    if ((rc = store_audit(s, "update", "attendance", line, patient, "status,minutes_attended", "ok",
                          err)) == CAIRN_OK)
        *result = CAIRN_MARK_CHANGED;
out:
    rc = store_tx_end(s, rc, err);
    if (rc == CAIRN_ERR_CONFLICT && line)
        store_audit_refusal(s, "update", "attendance", line, patient, "conflict");
    return rc;
}

enum cairn_status cairn_attendance_list(struct cairn_store *s, int64_t patient_id, int32_t from,
                                        int32_t to, cairn_attendance_fn fn, void *arg,
                                        struct cairn_error *err)
{
    char lo[CAIRN_DATE_LEN + 1], hi[CAIRN_DATE_LEN + 1];
    cairn_date_format(from, lo);
    cairn_date_format(to, hi);
    STORE_PREPARE(st, "SELECT s.id, s.date, s.start_time, s.type, s.title, s.minutes, "
                      "s.telehealth, f.login, a.id, a.status, a.minutes_attended, a.version "
                      "FROM attendance a JOIN session s ON s.id = a.session_id "
                      "LEFT JOIN staff f ON f.id = s.facilitator_id "
                      "WHERE a.patient_id = ?1 AND a.date BETWEEN ?2 AND ?3 "
                      "ORDER BY a.date, coalesce(s.start_time, ''), a.id");
    sqlite3_bind_int64(st, 1, patient_id);
    sqlite3_bind_text(st, 2, lo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, hi, -1, SQLITE_TRANSIENT);
    struct cairn_attendance_row r;
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&r, 0, sizeof r);
        r.session.id = sqlite3_column_int64(st, 0);
        store_col_text(st, 1, r.session.date, sizeof r.session.date);
        store_col_text(st, 2, r.session.start, sizeof r.session.start);
        cairn_session_type_parse((const char *)sqlite3_column_text(st, 3), &r.session.type, NULL);
        store_col_text(st, 4, r.session.title, sizeof r.session.title);
        r.session.minutes = sqlite3_column_int(st, 5);
        r.session.telehealth = sqlite3_column_int(st, 6) != 0;
        store_col_text(st, 7, r.session.facilitator, sizeof r.session.facilitator);
        r.attendance_id = sqlite3_column_int64(st, 8);
        cairn_attendance_parse((const char *)sqlite3_column_text(st, 9), &r.status, NULL);
        r.minutes_attended = sqlite3_column_int(st, 10);
        r.version = sqlite3_column_int64(st, 11);
        if (fn(&r, arg))
            break;
    }
    sqlite3_reset(st);
    if (src != SQLITE_DONE && src != SQLITE_ROW)
        return store_fail(s, src, "listing attendance", err);
    return CAIRN_OK;
}

/* A growable array of attendance lines. */
struct lines {
    struct cairn_attendance_line *v;
    size_t n, cap;
    bool nomem;
};

static int collect_line(const struct cairn_attendance_row *r, void *arg)
{
    struct lines *l = arg;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 32;
        struct cairn_attendance_line *v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            l->nomem = true;
            return 1;
        }
        l->v = v;
        l->cap = cap;
    }
    struct cairn_attendance_line *line = &l->v[l->n++];
    cairn_date_parse(r->session.date, &line->day, NULL);
    line->start_minute = *r->session.start ? cairn_session_start_minute(r->session.start) : -1;
    line->minutes = r->session.minutes;
    line->minutes_attended = r->minutes_attended;
    line->status = r->status;
    return 0;
}

enum cairn_status cairn_attendance_week_load(struct cairn_store *s, int64_t patient_id,
                                             int iso_year, int week,
                                             struct cairn_attendance_week *out,
                                             struct cairn_error *err)
{
    double min_hours = 0;
    int min_days = 0;
    {
        STORE_PREPARE(st, "SELECT pr.min_hours_per_week, pr.min_days_per_week FROM patient p "
                          "JOIN program pr ON pr.id = p.program_id WHERE p.id = ?1");
        sqlite3_bind_int64(st, 1, patient_id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            min_hours = sqlite3_column_double(st, 0);
            min_days = sqlite3_column_int(st, 1);
        }
        sqlite3_reset(st);
    }
    /* A session that starts late on the Sunday before can run into Monday. */
    int32_t monday = cairn_isoweek_monday(iso_year, week);
    struct lines lines = {0};
    enum cairn_status rc =
        cairn_attendance_list(s, patient_id, monday - 1, monday + 6, collect_line, &lines, err);
    if (rc == CAIRN_OK && lines.nomem)
        rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory totalling attendance");
    if (rc == CAIRN_OK)
        cairn_attendance_week_total(lines.v, lines.n, iso_year, week, min_hours, min_days,
                                    cairn_store_today(s), out);
    free(lines.v);
    return rc;
}

/* ---- CSV import ---------------------------------------------------------- */

enum import_col {
    COL_DATE,
    COL_MRN,
    COL_TYPE,
    COL_MINUTES,
    COL_STATUS,
    COL_TITLE,
    COL_START,
    COL_MINUTES_ATTENDED,
    COL_TELEHEALTH,
    COL_FACILITATOR,
    COL__COUNT
};

static const char *const import_cols[COL__COUNT] = {
    "date",       "mrn",         "type", "minutes", "status", "title", "start", "minutes_attended",
    "telehealth", "facilitator",
};
enum { COL_REQUIRED = COL_STATUS + 1 }; /* the first five are required */

struct import {
    struct cairn_store *s;
    const char *file;
    int at[COL__COUNT]; /* field index of each column; -1 when absent */
    struct cairn_import_result *result;
};

/* Points err at the field of column `col` in this record (or its line when
 * the column is absent), keeping the message. */
static enum cairn_status at_field(const struct import *im, const struct cairn_csv_field *f, int col,
                                  struct cairn_error *err)
{
    if (err) {
        int i = col >= 0 ? im->at[col] : -1;
        snprintf(err->file, sizeof err->file, "%s", im->file);
        err->line = i >= 0 ? f[i].line : f[0].line;
        err->col = i >= 0 ? f[i].col : 1;
        snprintf(err->pointer, sizeof err->pointer, "%s", col >= 0 ? import_cols[col] : "");
        return err->status;
    }
    return CAIRN_ERR_INVALID;
}

/* Maps a core field name in err->pointer to its column. */
static int column_of(const char *pointer)
{
    static const struct {
        const char *field;
        enum import_col col;
    } map[] = {{"date", COL_DATE},
               {"mrn", COL_MRN},
               {"type", COL_TYPE},
               {"minutes", COL_MINUTES},
               {"status", COL_STATUS},
               {"title", COL_TITLE},
               {"start", COL_START},
               {"minutes_attended", COL_MINUTES_ATTENDED},
               {"telehealth", COL_TELEHEALTH},
               {"facilitator", COL_FACILITATOR}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(pointer, map[i].field) == 0)
            return (int)map[i].col;
    return -1;
}

static enum cairn_status read_header(struct import *im, const struct cairn_csv_field *f, size_t n,
                                     struct cairn_error *err)
{
    for (int c = 0; c < COL__COUNT; c++)
        im->at[c] = -1;
    for (size_t i = 0; i < n; i++) {
        int c = 0;
        while (c < COL__COUNT && strcasecmp(f[i].text, import_cols[c]) != 0)
            c++;
        if (c == COL__COUNT)
            return cairn_error_at(err, CAIRN_ERR_INVALID, im->file, f[i].line, f[i].col, "",
                                  "unknown column; the columns are date, mrn, type, minutes, "
                                  "status (required), title, start, minutes_attended, "
                                  "telehealth, facilitator (is the header row missing?)");
        if (im->at[c] >= 0)
            return cairn_error_at(err, CAIRN_ERR_INVALID, im->file, f[i].line, f[i].col,
                                  import_cols[c], "column %s appears twice", import_cols[c]);
        im->at[c] = (int)i;
    }
    for (int c = 0; c < COL_REQUIRED; c++)
        if (im->at[c] < 0)
            return cairn_error_at(err, CAIRN_ERR_INVALID, im->file, f[0].line, 1, import_cols[c],
                                  "the header has no %s column (required: date, mrn, type, "
                                  "minutes, status)",
                                  import_cols[c]);
    return CAIRN_OK;
}

/* Copies column c of the record, "" when absent; refuses text that does not fit. */
static enum cairn_status cell(const struct import *im, const struct cairn_csv_field *f, int c,
                              char *out, size_t size, struct cairn_error *err)
{
    const char *v = im->at[c] >= 0 ? f[im->at[c]].text : "";
    if (strlen(v) >= size) {
        cairn_error_set(err, CAIRN_ERR_INVALID, "too long (at most %zu bytes)", size - 1);
        return at_field(im, f, c, err);
    }
    memcpy(out, v, strlen(v) + 1);
    return CAIRN_OK;
}

static enum cairn_status import_record(const struct cairn_csv_field *f, size_t n, size_t record,
                                       void *arg, struct cairn_error *err)
{
    struct import *im = arg;
    if (record == 0)
        return read_header(im, f, n, err);
    struct cairn_session ses;
    struct cairn_roster_entry e;
    char type[16], minutes[16], status[16], attended[16], tele[8];
    enum cairn_status rc;
    memset(&ses, 0, sizeof ses);
    memset(&e, 0, sizeof e);
    if ((rc = cell(im, f, COL_DATE, ses.date, sizeof ses.date, err)) != CAIRN_OK ||
        (rc = cell(im, f, COL_MRN, e.mrn, sizeof e.mrn, err)) != CAIRN_OK ||
        (rc = cell(im, f, COL_TYPE, type, sizeof type, err)) != CAIRN_OK ||
        (rc = cell(im, f, COL_MINUTES, minutes, sizeof minutes, err)) != CAIRN_OK ||
        (rc = cell(im, f, COL_STATUS, status, sizeof status, err)) != CAIRN_OK ||
        (rc = cell(im, f, COL_TITLE, ses.title, sizeof ses.title, err)) != CAIRN_OK ||
        (rc = cell(im, f, COL_START, ses.start, sizeof ses.start, err)) != CAIRN_OK ||
        (rc = cell(im, f, COL_MINUTES_ATTENDED, attended, sizeof attended, err)) != CAIRN_OK ||
        (rc = cell(im, f, COL_TELEHEALTH, tele, sizeof tele, err)) != CAIRN_OK ||
        (rc = cell(im, f, COL_FACILITATOR, ses.facilitator, sizeof ses.facilitator, err)) !=
            CAIRN_OK)
        return rc;
    if (!*e.mrn) {
        cairn_error_set(err, CAIRN_ERR_INVALID, "the MRN is empty");
        return at_field(im, f, COL_MRN, err);
    }
    if (cairn_session_type_parse(type, &ses.type, err) != CAIRN_OK)
        return at_field(im, f, COL_TYPE, err);
    if (cairn_attendance_parse(status, &e.status, err) != CAIRN_OK)
        return at_field(im, f, COL_STATUS, err);
    char *end = NULL;
    long v = strtol(minutes, &end, 10);
    if (!*minutes || *end || v < 1 || v > CAIRN_SESSION_MINUTES_MAX) {
        cairn_error_set(err, CAIRN_ERR_INVALID, "not a session length (1–%d minutes)",
                        CAIRN_SESSION_MINUTES_MAX);
        return at_field(im, f, COL_MINUTES, err);
    }
    ses.minutes = (int)v;
    e.minutes_attended = -1;
    if (*attended) {
        v = strtol(attended, &end, 10);
        if (*end || v < 0 || v > CAIRN_SESSION_MINUTES_MAX) {
            cairn_error_set(err, CAIRN_ERR_INVALID, "not a number of minutes (0–%d)",
                            CAIRN_SESSION_MINUTES_MAX);
            return at_field(im, f, COL_MINUTES_ATTENDED, err);
        }
        if (e.status != CAIRN_LATE) {
            cairn_error_set(err, CAIRN_ERR_INVALID,
                            "minutes attended go with status late only (attended counts the "
                            "whole session, absent and excused none)");
            return at_field(im, f, COL_MINUTES_ATTENDED, err);
        }
        e.minutes_attended = (int)v;
    }
    ses.telehealth = true;
    if (*tele) {
        if (strcasecmp(tele, "yes") == 0 || strcmp(tele, "1") == 0) {
            ses.telehealth = true;
        } else if (strcasecmp(tele, "no") == 0 || strcmp(tele, "0") == 0) {
            ses.telehealth = false;
        } else {
            cairn_error_set(err, CAIRN_ERR_INVALID, "telehealth is yes or no");
            return at_field(im, f, COL_TELEHEALTH, err);
        }
    }
    if ((rc = cairn_session_validate(&ses, cairn_store_today(im->s), err)) != CAIRN_OK)
        return at_field(im, f, err ? column_of(err->pointer) : -1, err);
    int64_t facilitator = 0;
    if ((rc = facilitator_id(im->s, ses.facilitator, &facilitator, err)) != CAIRN_OK ||
        (rc = find_session(im->s, &ses, facilitator, &ses.id, err)) != CAIRN_OK)
        return err && *err->pointer ? at_field(im, f, column_of(err->pointer), err) : rc;
    if (!ses.id) {
        if ((rc = insert_session(im->s, &ses, facilitator, err)) != CAIRN_OK)
            return rc;
        im->result->sessions++;
    }
    if ((rc = add_line(im->s, &ses, &e, false, err)) != CAIRN_OK)
        return err && *err->pointer ? at_field(im, f, column_of(err->pointer), err) : rc;
    im->result->rows++;
    return CAIRN_OK;
}

enum cairn_status cairn_session_import(struct cairn_store *s, const char *text, size_t len,
                                       const char *file, struct cairn_import_result *result,
                                       struct cairn_error *err)
{
    struct cairn_import_result local;
    struct import im = {.s = s, .file = file ? file : "-", .result = result ? result : &local};
    memset(im.result, 0, sizeof *im.result);
    enum cairn_status rc = store_tx_begin(s, err);
    if (rc != CAIRN_OK)
        return rc;
    rc = cairn_csv_parse(text, len, im.file, import_record, &im, err);
    if (rc == CAIRN_OK && im.result->rows == 0)
        rc = cairn_error_at(err, CAIRN_ERR_INVALID, im.file, 0, 0, "",
                            "no attendance rows (a header and at least one row are needed)");
    if (rc == CAIRN_OK)
        rc =
            store_audit(s, "import", "attendance", 0, 0, "date,mrn,type,minutes,status", "ok", err);
    if (rc == CAIRN_OK)
        rc = store_tx_commit(s, err);
    if (rc != CAIRN_OK) {
        store_tx_rollback(s);
        memset(im.result, 0, sizeof *im.result);
    }
    return rc;
}

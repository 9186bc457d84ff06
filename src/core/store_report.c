/* The caseload report's data: one row per active or on-hold patient,
 * streamed in the report's order (see cairn_report_rows() in report.h),
 * and the report's audit row.
 *
 * Everything a row holds is gathered here, behind the one function
 * cairn_report_rows(), so that the per-patient reads (a handful of indexed
 * statements each, and the alert rules) can be replaced by set-based
 * queries without touching the renderers. The ordering query selects only
 * ids and sort keys, so what SQLite sorts for a whole organization stays
 * small; each patient is then read by id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/alert.h"
#include "cairn/measure.h"
#include "cairn/program.h"
#include "cairn/report.h"
#include "cairn/review.h"
#include "report_internal.h"
#include "store_internal.h"

/* The ordering queries, one per combination of filters (the statement
 * cache is keyed by the literal's address). ?1 clinician id, ?2 program
 * code. */
#define ROWS_SELECT_ALL                                                                            \
    "SELECT p.id, CASE WHEN t.id IS NOT NULL THEN t.login ELSE c.login END AS grp, "               \
    "CASE WHEN t.id IS NOT NULL THEN t.name ELSE c.name END "                                      \
    "FROM patient p LEFT JOIN staff t ON t.id = p.therapist_id "                                   \
    "LEFT JOIN staff c ON c.id = p.case_manager_id WHERE p.status IN ('active', 'on_hold') "
#define ROWS_SELECT_ONE                                                                            \
    "SELECT p.id, NULL, NULL FROM patient p WHERE p.status IN ('active', 'on_hold') "              \
    "AND (p.therapist_id = ?1 OR p.case_manager_id = ?1) "
#define ROWS_PROGRAM " AND p.program_id IN (SELECT id FROM program WHERE code = ?2) "
#define ROWS_ORDER_TAIL                                                                            \
    "p.status = 'on_hold', CASE p.risk_level WHEN 'high' THEN 1 WHEN 'moderate' THEN 2 "           \
    "WHEN 'low' THEN 3 ELSE 4 END, p.name_key, p.id"
#define ROWS_ORDER_ALL " ORDER BY grp IS NULL, grp, " ROWS_ORDER_TAIL
#define ROWS_ORDER_ONE " ORDER BY " ROWS_ORDER_TAIL

static const char rows_all_sql[] = ROWS_SELECT_ALL ROWS_ORDER_ALL;
static const char rows_all_program_sql[] = ROWS_SELECT_ALL ROWS_PROGRAM ROWS_ORDER_ALL;
static const char rows_one_sql[] = ROWS_SELECT_ONE ROWS_ORDER_ONE;
static const char rows_one_program_sql[] = ROWS_SELECT_ONE ROWS_PROGRAM ROWS_ORDER_ONE;

/* What every row of one report shares. */
struct walk {
    struct cairn_store *s;
    char week[CAIRN_WEEK_LEN + 1];
    int iso_year, iso_week;
    int32_t monday, sunday, as_of;
    int32_t trend_end[CAIRN_REPORT_TREND_WEEKS]; /* last day of each trend week */
    char last_overdue[CAIRN_WEEK_LEN + 1];       /* cairn_review_last_overdue_week(as_of) */
    struct cairn_patient patient;
    struct cairn_report_row row;
    struct cairn_alert alerts[CAIRN_ALERT__COUNT];
};

int32_t cairn_report_as_of(int32_t today, int iso_year, int week)
{
    int32_t sunday = cairn_isoweek_monday(iso_year, week) + 6;
    return today < sunday ? today : sunday;
}

static int32_t day_of(const char *text)
{
    int32_t day = 0;
    if (!text || !*text || cairn_date_parse(text, &day, NULL) != CAIRN_OK)
        return 0;
    return day;
}

/* Opens a read transaction when none is open, so every row comes from one
 * snapshot; *began says whether this call opened it. */
static enum cairn_status read_begin(struct cairn_store *s, bool *began, struct cairn_error *err)
{
    *began = false;
    if (s->tx_depth > 0)
        return CAIRN_OK;
    int rc = sqlite3_exec(s->db, "BEGIN DEFERRED", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return store_fail(s, rc, "starting the report", err);
    s->tx_depth = 1;
    *began = true;
    return CAIRN_OK;
}

static void read_end(struct cairn_store *s, bool began)
{
    if (!began)
        return;
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK &&
        !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->tx_depth = 0;
}

/* Reads patient `id` into w->patient, and its program's reliable-change
 * thresholds (the instruments' defaults without a program). */
static enum cairn_status load_patient(struct walk *w, int64_t id, int *phq9_rise, int *gad7_rise,
                                      struct cairn_error *err)
{
    struct cairn_store *s = w->s;
    STORE_PREPARE(st,
                  "SELECT " STORE_PATIENT_COLUMNS
                  ", pr.alert_phq9_rise, pr.alert_gad7_rise" STORE_PATIENT_FROM "WHERE p.id = ?1");
    sqlite3_bind_int64(st, 1, id);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        store_patient_read_row(st, &w->patient);
        *phq9_rise = sqlite3_column_type(st, 29) == SQLITE_NULL
                         ? cairn_instrument_get(CAIRN_INSTRUMENT_PHQ9)->reliable_change
                         : sqlite3_column_int(st, 29);
        *gad7_rise = sqlite3_column_type(st, 30) == SQLITE_NULL
                         ? cairn_instrument_get(CAIRN_INSTRUMENT_GAD7)->reliable_change
                         : sqlite3_column_int(st, 30);
    }
    sqlite3_reset(st);
    if (src == SQLITE_DONE)
        return cairn_error_set(err, CAIRN_ERR_NOT_FOUND, "patient id %lld vanished", (long long)id);
    return src == SQLITE_ROW ? CAIRN_OK : store_fail(s, src, "reading a patient", err);
}

/* The patient's scores of `instrument` up to the report day: the first
 * (baseline), the latest, and the latest as of each trend week's end. */
static enum cairn_status load_score(struct walk *w, int64_t patient_id,
                                    enum cairn_instrument instrument, int reliable,
                                    struct cairn_report_score *sc, struct cairn_error *err)
{
    struct cairn_store *s = w->s;
    const struct cairn_instrument_def *def = cairn_instrument_get(instrument);
    char upto[CAIRN_DATE_LEN + 1];
    int first = -1, n = 0;
    sc->total = sc->band = sc->baseline = -1;
    sc->date[0] = '\0';
    sc->changes = 0;
    for (int k = 0; k < CAIRN_REPORT_TREND_WEEKS; k++)
        sc->weekly[k] = -1;
    cairn_date_format(w->as_of, upto);
    STORE_PREPARE(st, "SELECT date, total FROM measure WHERE patient_id = ?1 AND instrument = ?2 "
                      "AND date <= ?3 ORDER BY date, id");
    sqlite3_bind_int64(st, 1, patient_id);
    sqlite3_bind_text(st, 2, def->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, upto, -1, SQLITE_TRANSIENT);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        int32_t day = day_of((const char *)sqlite3_column_text(st, 0));
        int total = sqlite3_column_int(st, 1);
        if (n++ == 0)
            first = total;
        sc->total = total;
        store_col_text(st, 0, sc->date, sizeof sc->date);
        for (int k = 0; k < CAIRN_REPORT_TREND_WEEKS; k++)
            if (day <= w->trend_end[k])
                sc->weekly[k] = total;
    }
    sqlite3_reset(st);
    if (src != SQLITE_DONE)
        return store_fail(s, src, "reading measures", err);
    if (n == 0)
        return CAIRN_OK;
    const struct cairn_measure_band *band = cairn_measure_band(def, sc->total);
    sc->band = band ? (int)(band - def->bands) : -1;
    if (n > 1) {
        struct cairn_measure_change change;
        sc->baseline = first;
        cairn_measure_change(def, first, sc->total, reliable, &change);
        for (size_t i = 0; i < change.nlabels; i++)
            sc->changes |= 1u << change.labels[i].kind;
    }
    return CAIRN_OK;
}

/* The report week's review, the overdue ones and those awaiting a
 * co-signature. */
static enum cairn_status load_reviews(struct walk *w, int32_t admitted, struct cairn_error *err)
{
    struct cairn_store *s = w->s;
    struct cairn_report_row *r = &w->row;
    char first[CAIRN_WEEK_LEN + 1] = "0000-W00";
    if (admitted) {
        int y, wk;
        cairn_date_isoweek(admitted, &y, &wk);
        cairn_isoweek_format(y, wk, first);
    }
    STORE_PREPARE(st, "SELECT (SELECT status FROM review WHERE patient_id = ?1 AND week = ?2), "
                      "(SELECT count(*) FROM review WHERE patient_id = ?1 AND week BETWEEN ?3 "
                      "AND ?4 AND status IN ('due', 'draft')), "
                      "(SELECT count(*) FROM review WHERE patient_id = ?1 AND status = 'signed')");
    sqlite3_bind_int64(st, 1, r->patient_id);
    sqlite3_bind_text(st, 2, w->week, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, first, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, w->last_overdue, -1, SQLITE_STATIC);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        store_col_text(st, 0, r->review, sizeof r->review);
        r->reviews_overdue = sqlite3_column_int(st, 1);
        r->reviews_awaiting = sqlite3_column_int(st, 2);
    }
    sqlite3_reset(st);
    if (src != SQLITE_ROW)
        return store_fail(s, src, "reading reviews", err);
    bool signed_ = strcmp(r->review, "signed") == 0 || strcmp(r->review, "cosigned") == 0;
    r->reviews_due =
        r->status == CAIRN_PATIENT_ACTIVE && admitted && admitted <= w->sunday && !signed_;
    return CAIRN_OK;
}

/* Steps mastered by an attempt in the report week (mastered, and their
 * latest attempt falls in it), and on how many ladders. */
static enum cairn_status load_mastered(struct walk *w, struct cairn_error *err)
{
    struct cairn_store *s = w->s;
    char from[CAIRN_DATE_LEN + 1], to[CAIRN_DATE_LEN + 1];
    cairn_date_format(w->monday, from);
    cairn_date_format(w->sunday, to);
    STORE_PREPARE(st, "SELECT count(*), count(DISTINCT l.id) FROM ladder_step st JOIN ladder l "
                      "ON l.id = st.ladder_id WHERE l.patient_id = ?1 AND l.status = 'active' "
                      "AND st.retired = 0 AND st.status = 'mastered' AND (SELECT max(a.date) "
                      "FROM ladder_attempt a WHERE a.step_id = st.id) BETWEEN ?2 AND ?3");
    sqlite3_bind_int64(st, 1, w->row.patient_id);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, to, -1, SQLITE_TRANSIENT);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        w->row.steps_mastered_week = sqlite3_column_int(st, 0);
        w->row.ladders_mastered_week = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    return src == SQLITE_ROW ? CAIRN_OK : store_fail(s, src, "reading ladders", err);
}

/* Fills w->row for patient `id` of group `grp` (login and name; NULL for
 * unassigned). */
static enum cairn_status fill_row(struct walk *w, int64_t id, const char *grp, const char *grp_name,
                                  struct cairn_error *err)
{
    struct cairn_report_row *r = &w->row;
    const struct cairn_patient *p = &w->patient;
    int phq9_rise = 0, gad7_rise = 0;
    enum cairn_status rc;
    memset(r, 0, sizeof *r);
    if ((rc = load_patient(w, id, &phq9_rise, &gad7_rise, err)) != CAIRN_OK)
        return rc;
    r->patient_id = p->id;
    snprintf(r->mrn, sizeof r->mrn, "%s", p->mrn);
    snprintf(r->name, sizeof r->name, "%s", p->legal_name);
    snprintf(r->preferred_name, sizeof r->preferred_name, "%s", p->preferred_name);
    snprintf(r->program, sizeof r->program, "%s", p->program_code);
    snprintf(r->clinician, sizeof r->clinician, "%s", grp ? grp : "");
    snprintf(r->clinician_name, sizeof r->clinician_name, "%s", grp_name ? grp_name : "");
    snprintf(r->therapist, sizeof r->therapist, "%s", p->therapist_login);
    snprintf(r->case_manager, sizeof r->case_manager, "%s", p->case_manager_login);
    snprintf(r->admission_date, sizeof r->admission_date, "%s", p->admission_date);
    snprintf(r->expected_discharge, sizeof r->expected_discharge, "%s", p->expected_discharge_date);
    r->status = p->status;
    r->risk = p->risk;
    int32_t admitted = day_of(p->admission_date);
    r->week_of_stay = admitted && admitted <= w->as_of ? (w->as_of - admitted) / 7 + 1 : 0;
    int32_t leaving = day_of(p->expected_discharge_date);
    r->discharge_due = leaving && leaving >= w->as_of && leaving <= w->as_of + 14;

    if ((rc = cairn_attendance_week_load(w->s, p->id, w->iso_year, w->iso_week, &r->attendance,
                                         err)) != CAIRN_OK ||
        (rc = load_score(w, p->id, CAIRN_INSTRUMENT_PHQ9, phq9_rise, &r->phq9, err)) != CAIRN_OK ||
        (rc = load_score(w, p->id, CAIRN_INSTRUMENT_GAD7, gad7_rise, &r->gad7, err)) != CAIRN_OK ||
        (rc = load_reviews(w, admitted, err)) != CAIRN_OK ||
        (rc = load_mastered(w, err)) != CAIRN_OK)
        return rc;
    size_t n = 0;
    if ((rc = cairn_alerts_for_patient(w->s, p, w->alerts, &n, err)) != CAIRN_OK)
        return rc;
    for (size_t i = 0; i < n && i < CAIRN_ALERT__COUNT; i++) {
        struct cairn_report_alert *a = &r->alerts[r->nalerts++];
        a->rule = w->alerts[i].rule;
        a->severity = w->alerts[i].severity;
        a->acknowledged = w->alerts[i].acknowledged;
        snprintf(a->reason, sizeof a->reason, "%s", w->alerts[i].reason);
    }
    return CAIRN_OK;
}

/* Checks the filter and resolves its names; fills the walk's dates. */
static enum cairn_status prepare(struct walk *w, const struct cairn_report_filter *f,
                                 int64_t *clinician_id, char *clinician_name, size_t name_size,
                                 struct cairn_error *err)
{
    struct cairn_store *s = w->s;
    enum cairn_status rc;
    if (f->week < 1 || f->week > 53 || f->iso_year < 1900 || f->iso_year > 2199 ||
        f->week > cairn_isoweek_count(f->iso_year))
        return cairn_error_field(err, CAIRN_ERR_INVALID, "week", "no such ISO week");
    int32_t today = cairn_store_today(s);
    int ty, tw;
    cairn_date_isoweek(today, &ty, &tw);
    if (f->iso_year * 100 + f->week > ty * 100 + tw)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "week",
                                 "%04d-W%02d has not begun (this week is %04d-W%02d)", f->iso_year,
                                 f->week, ty, tw);
    w->iso_year = f->iso_year;
    w->iso_week = f->week;
    cairn_isoweek_format(f->iso_year, f->week, w->week);
    w->monday = cairn_isoweek_monday(f->iso_year, f->week);
    w->sunday = w->monday + 6;
    w->as_of = cairn_report_as_of(today, f->iso_year, f->week);
    for (int k = 0; k < CAIRN_REPORT_TREND_WEEKS; k++) {
        int32_t end = w->sunday - 7 * (CAIRN_REPORT_TREND_WEEKS - 1 - k);
        w->trend_end[k] = end < w->as_of ? end : w->as_of;
    }
    cairn_review_last_overdue_week(w->as_of, w->last_overdue);
    *clinician_id = 0;
    clinician_name[0] = '\0';
    if (f->clinician) {
        struct cairn_staff who;
        if ((rc = cairn_staff_find(s, f->clinician, &who, err)) != CAIRN_OK) {
            if (rc == CAIRN_ERR_NOT_FOUND)
                cairn_error_field(err, rc, "clinician", "no staff member with login '%.64s'",
                                  f->clinician);
            return rc;
        }
        *clinician_id = who.id;
        snprintf(clinician_name, name_size, "%s", who.name);
    }
    if (f->program) {
        struct cairn_program prog;
        if ((rc = cairn_program_find(s, f->program, &prog, err)) != CAIRN_OK) {
            if (rc == CAIRN_ERR_NOT_FOUND)
                cairn_error_field(err, rc, "program", "no program with code '%.64s'", f->program);
            return rc;
        }
    }
    return CAIRN_OK;
}

enum cairn_status cairn_report_rows(struct cairn_store *s, const struct cairn_report_filter *f,
                                    int (*fn)(const struct cairn_report_row *row, void *ctx),
                                    void *ctx, struct cairn_error *err)
{
    struct walk *w = calloc(1, sizeof *w);
    int64_t clinician_id = 0;
    char clinician_name[CAIRN_STAFFNAME_MAX + 1];
    bool began = false;
    enum cairn_status rc;
    if (!w)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory preparing the report");
    w->s = s;
    if ((rc = prepare(w, f, &clinician_id, clinician_name, sizeof clinician_name, err)) !=
            CAIRN_OK ||
        (rc = read_begin(s, &began, err)) != CAIRN_OK)
        goto out;
    const char *sql = f->clinician ? (f->program ? rows_one_program_sql : rows_one_sql)
                                   : (f->program ? rows_all_program_sql : rows_all_sql);
    STORE_PREPARE_OR_GOTO(st, sql, rc, out);
    if (f->clinician)
        sqlite3_bind_int64(st, 1, clinician_id);
    if (f->program)
        sqlite3_bind_text(st, 2, f->program, -1, SQLITE_TRANSIENT);
    int src;
    char grp[CAIRN_LOGIN_MAX + 1], grp_name[CAIRN_STAFFNAME_MAX + 1];
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        bool assigned = f->clinician || sqlite3_column_type(st, 1) != SQLITE_NULL;
        if (f->clinician) {
            snprintf(grp, sizeof grp, "%s", f->clinician);
            snprintf(grp_name, sizeof grp_name, "%s", clinician_name);
        } else {
            store_col_text(st, 1, grp, sizeof grp);
            store_col_text(st, 2, grp_name, sizeof grp_name);
        }
        if ((rc = fill_row(w, id, assigned ? grp : NULL, assigned ? grp_name : NULL, err)) !=
            CAIRN_OK)
            break;
        if (fn(&w->row, ctx)) {
            src = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    if (rc == CAIRN_OK && src != SQLITE_DONE)
        rc = store_fail(s, src, "listing the report's patients", err);
out:
    read_end(s, began);
    free(w);
    return rc;
}

enum cairn_status store_report_audit(struct cairn_store *s, const char *action, int64_t patient_id,
                                     const char *fields, struct cairn_error *err)
{
    enum cairn_status rc = store_tx_begin(s, err);
    if (rc != CAIRN_OK)
        return rc;
    rc = store_audit(s, action, "report", 0, patient_id, fields, "ok", err);
    return store_tx_end(s, rc, err);
}

/* Alerts in the database: the facts the rules of alert.c read, a patient's
 * alerts with their acknowledgements, the caseload's alert list, and
 * acknowledging an alert (audited). Reads are not audited: alerts are a
 * list, like the caseload.
 *
 * Every fact is one indexed read per patient (tests/unit/test_alert.c
 * checks that none of these statements scans a table). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/alert.h"
#include "cairn/measure.h"
#include "cairn/review.h"
#include "cairn/text.h"
#include "store_internal.h"

/* The thresholds of a patient without a program: the template defaults
 * (cairn_template_defaults(), man cairn-template(5)). */
static const struct cairn_alert_thresholds default_thresholds = {
    .phq9_rise = 5,
    .gad7_rise = 4,
    .absences_per_week = 2,
    .ladder_stall_days = 14,
    .discharge_planning_days = 14,
};

/* Opens a read transaction unless one (read or write) is open already, so
 * that everything read until read_end() comes from one snapshot of the
 * database; *began says whether this call opened it. Nothing may be
 * written inside it. */
static enum cairn_status read_begin(struct cairn_store *s, bool *began, struct cairn_error *err)
{
    *began = false;
    if (s->tx_depth > 0)
        return CAIRN_OK;
    int rc = sqlite3_exec(s->db, "BEGIN DEFERRED", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return store_fail(s, rc, "starting to read alerts", err);
    s->tx_depth = 1;
    *began = true;
    return CAIRN_OK;
}

/* Ends the read transaction read_begin() opened (when it did). */
static void read_end(struct cairn_store *s, bool began)
{
    if (!began)
        return;
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK &&
        !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->tx_depth = 0;
}

/* A date column as a day number; 0 when NULL or not a date. */
static int32_t col_day(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    int32_t day = 0;
    if (!t || cairn_date_parse((const char *)t, &day, NULL) != CAIRN_OK)
        return 0;
    return day;
}

static int32_t text_day(const char *text)
{
    int32_t day = 0;
    if (!text || cairn_date_parse(text, &day, NULL) != CAIRN_OK)
        return 0;
    return day;
}

/* ---- facts -------------------------------------------------------------- */

static enum cairn_status load_program(struct cairn_store *s, int64_t program_id,
                                      struct cairn_alert_facts *f, double *min_hours, int *min_days,
                                      struct cairn_error *err)
{
    f->thresholds = default_thresholds;
    *min_hours = 0;
    *min_days = 0;
    if (!program_id)
        return CAIRN_OK;
    STORE_PREPARE(st, "SELECT alert_phq9_rise, alert_gad7_rise, alert_absences_per_week, "
                      "alert_ladder_stall_days, alert_discharge_planning_days, "
                      "min_hours_per_week, min_days_per_week FROM program WHERE id = ?1");
    sqlite3_bind_int64(st, 1, program_id);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        f->thresholds.phq9_rise = sqlite3_column_int(st, 0);
        f->thresholds.gad7_rise = sqlite3_column_int(st, 1);
        f->thresholds.absences_per_week = sqlite3_column_int(st, 2);
        f->thresholds.ladder_stall_days = sqlite3_column_int(st, 3);
        f->thresholds.discharge_planning_days = sqlite3_column_int(st, 4);
        *min_hours = sqlite3_column_double(st, 5);
        *min_days = sqlite3_column_int(st, 6);
    }
    sqlite3_reset(st);
    return src == SQLITE_ROW || src == SQLITE_DONE
               ? CAIRN_OK
               : store_fail(s, src, "reading the patient's program", err);
}

/* The flags column ("phq9_item9,cssrs_high_risk") as bits. */
static unsigned flag_bits(const char *text)
{
    unsigned bits = 0;
    while (text && *text) {
        size_t n = strcspn(text, ",");
        for (int f = 0; f < CAIRN_MEASURE_FLAG__COUNT; f++) {
            const char *name = cairn_measure_flag_str((enum cairn_measure_flag)f);
            if (strlen(name) == n && strncmp(text, name, n) == 0)
                bits |= 1u << f;
        }
        text += n;
        if (*text == ',')
            text++;
    }
    return bits;
}

/* The answer in slot `slot` of a stored answers column ("1,2,-,0"); -1
 * when skipped or missing. */
static int answer_at(const char *text, int slot)
{
    for (int i = 0; text && *text; i++) {
        if (i == slot)
            return *text >= '0' && *text <= '9' ? atoi(text) : -1;
        text = strchr(text, ',');
        if (text)
            text++;
    }
    return -1;
}

/* Reads a score row: id, date, total, flags, answers. */
static void read_score(sqlite3_stmt *st, bool phq9, struct cairn_alert_score *m)
{
    m->id = sqlite3_column_int64(st, 0);
    m->day = col_day(st, 1);
    m->total = sqlite3_column_int(st, 2);
    m->flags = flag_bits((const char *)sqlite3_column_text(st, 3));
    m->item9 = phq9 ? answer_at((const char *)sqlite3_column_text(st, 4), 8) : -1;
    m->version = sqlite3_column_int64(st, 5);
}

/* The latest, previous and first (baseline) score of `instrument`;
 * previous and baseline may be NULL when not wanted. */
static enum cairn_status load_scores(struct cairn_store *s, int64_t patient_id,
                                     enum cairn_instrument instrument,
                                     struct cairn_alert_score *latest,
                                     struct cairn_alert_score *previous,
                                     struct cairn_alert_score *baseline, struct cairn_error *err)
{
    static const char newest_sql[] =
        "SELECT id, date, total, flags, answers, version FROM measure WHERE patient_id = ?1 AND "
        "instrument = ?2 ORDER BY date DESC, id DESC LIMIT ?3";
    static const char first_sql[] =
        "SELECT id, date, total, flags, answers, version FROM measure WHERE patient_id = ?1 AND "
        "instrument = ?2 ORDER BY date, id LIMIT 1";
    bool phq9 = instrument == CAIRN_INSTRUMENT_PHQ9;
    const char *code = cairn_instrument_str(instrument);
    int src;
    latest->item9 = -1;
    if (previous)
        previous->item9 = -1;
    if (baseline)
        baseline->item9 = -1;
    {
        STORE_PREPARE(st, newest_sql);
        sqlite3_bind_int64(st, 1, patient_id);
        sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, previous ? 2 : 1);
        for (int row = 0; (src = sqlite3_step(st)) == SQLITE_ROW; row++)
            read_score(st, phq9, row == 0 ? latest : previous);
        sqlite3_reset(st);
        if (src != SQLITE_DONE)
            return store_fail(s, src, "reading measures", err);
    }
    if (!baseline || !latest->id)
        return CAIRN_OK;
    STORE_PREPARE(st, first_sql);
    sqlite3_bind_int64(st, 1, patient_id);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
    if ((src = sqlite3_step(st)) == SQLITE_ROW)
        read_score(st, phq9, baseline);
    sqlite3_reset(st);
    return src == SQLITE_ROW || src == SQLITE_DONE ? CAIRN_OK
                                                   : store_fail(s, src, "reading measures", err);
}

/* Attendance lines: a few on the stack, more on the heap. */
struct lines {
    struct cairn_attendance_line *v;
    size_t n, cap;
    struct cairn_attendance_line local[48];
};

static bool lines_push(struct lines *l, const struct cairn_attendance_line *line)
{
    if (l->n == l->cap) {
        size_t cap = l->cap * 2;
        struct cairn_attendance_line *v =
            l->v == l->local ? malloc(cap * sizeof *v) : realloc(l->v, cap * sizeof *v);
        if (!v)
            return false;
        if (l->v == l->local)
            memcpy(v, l->local, sizeof l->local);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *line;
    return true;
}

/* This ISO week's attendance so far and last week's, against the
 * program's minimum. */
static enum cairn_status load_attendance(struct cairn_store *s, int64_t patient_id,
                                         double min_hours, int min_days,
                                         struct cairn_alert_facts *f, struct cairn_error *err)
{
    int year, week, last_year, last_week;
    cairn_date_isoweek(f->today, &year, &week);
    int32_t monday = cairn_isoweek_monday(year, week);
    cairn_date_isoweek(monday - 7, &last_year, &last_week);
    /* From the Sunday before last week: a late session can run into its Monday. */
    char from[CAIRN_DATE_LEN + 1], to[CAIRN_DATE_LEN + 1];
    cairn_date_format(monday - 8, from);
    cairn_date_format(monday + 6, to);

    struct lines lines;
    lines.v = lines.local;
    lines.n = 0;
    lines.cap = sizeof lines.local / sizeof lines.local[0];
    enum cairn_status rc = CAIRN_OK;
    STORE_PREPARE(st, "SELECT s.date, s.start_time, s.minutes, a.minutes_attended, a.status "
                      "FROM attendance a JOIN session s ON s.id = a.session_id "
                      "WHERE a.patient_id = ?1 AND a.date BETWEEN ?2 AND ?3");
    sqlite3_bind_int64(st, 1, patient_id);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, to, -1, SQLITE_TRANSIENT);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        struct cairn_attendance_line line;
        const unsigned char *start = sqlite3_column_text(st, 1);
        line.day = col_day(st, 0);
        line.start_minute = start ? cairn_session_start_minute((const char *)start) : -1;
        line.minutes = sqlite3_column_int(st, 2);
        line.minutes_attended = sqlite3_column_int(st, 3);
        if (cairn_attendance_parse((const char *)sqlite3_column_text(st, 4), &line.status, NULL) !=
            CAIRN_OK)
            line.status = CAIRN_EXCUSED; /* the CHECK constraint rules this out */
        if (!lines_push(&lines, &line)) {
            rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading attendance");
            break;
        }
    }
    sqlite3_reset(st);
    if (rc == CAIRN_OK && src != SQLITE_DONE)
        rc = store_fail(s, src, "reading attendance", err);
    if (rc == CAIRN_OK) {
        cairn_attendance_week_total(lines.v, lines.n, year, week, min_hours, min_days, f->today,
                                    &f->this_week);
        cairn_attendance_week_total(lines.v, lines.n, last_year, last_week, min_hours, min_days,
                                    f->today, &f->last_week);
    }
    if (lines.v != lines.local)
        free(lines.v);
    return rc;
}

/* Of the active ladders with a live step neither mastered nor skipped, the
 * one whose last activity (its latest attempt, or the admission when that
 * is later or there is none) is oldest; the first in order on a tie. */
static enum cairn_status load_ladder(struct cairn_store *s, int64_t patient_id,
                                     struct cairn_alert_facts *f, struct cairn_error *err)
{
    STORE_PREPARE(st, "SELECT l.id, l.name, (SELECT max(a.date) FROM ladder_step s "
                      "JOIN ladder_attempt a ON a.step_id = s.id WHERE s.ladder_id = l.id) "
                      "FROM ladder l WHERE l.patient_id = ?1 AND l.status = 'active' "
                      "AND EXISTS (SELECT 1 FROM ladder_step s WHERE s.ladder_id = l.id "
                      "AND s.retired = 0 AND s.status NOT IN ('mastered', 'skipped')) "
                      "ORDER BY l.position");
    sqlite3_bind_int64(st, 1, patient_id);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        int32_t since = col_day(st, 2);
        if (f->admission > since)
            since = f->admission;
        if (!since || (f->stalled_ladder_id && since >= f->stalled_since))
            continue;
        f->stalled_ladder_id = sqlite3_column_int64(st, 0);
        store_col_text(st, 1, f->stalled_ladder, sizeof f->stalled_ladder);
        f->stalled_since = since;
    }
    sqlite3_reset(st);
    return src == SQLITE_DONE ? CAIRN_OK : store_fail(s, src, "reading ladders", err);
}

/* The oldest review still due or in draft whose week is over by more than
 * a week (its Sunday before today - 7) and is not before the admission
 * week, and how many such reviews there are. */
static enum cairn_status load_reviews(struct cairn_store *s, int64_t patient_id,
                                      struct cairn_alert_facts *f, struct cairn_error *err)
{
    char first[CAIRN_WEEK_LEN + 1] = "0000-W00", last[CAIRN_WEEK_LEN + 1];
    int year, week;
    if (f->admission) {
        cairn_date_isoweek(f->admission, &year, &week);
        cairn_isoweek_format(year, week, first);
    }
    cairn_review_last_overdue_week(f->today, last);
    /* With one min(), SQLite takes the bare column id from the row holding it. */
    STORE_PREPARE(st, "SELECT id, min(week), count(*) FROM review WHERE patient_id = ?1 "
                      "AND week BETWEEN ?2 AND ?3 AND status IN ('due', 'draft')");
    sqlite3_bind_int64(st, 1, patient_id);
    sqlite3_bind_text(st, 2, first, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, last, -1, SQLITE_TRANSIENT);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW && sqlite3_column_int(st, 2) > 0) {
        f->overdue_review_id = sqlite3_column_int64(st, 0);
        store_col_text(st, 1, f->overdue_week, sizeof f->overdue_week);
        f->overdue_reviews = sqlite3_column_int(st, 2);
    }
    sqlite3_reset(st);
    return src == SQLITE_ROW || src == SQLITE_DONE ? CAIRN_OK
                                                   : store_fail(s, src, "reading reviews", err);
}

/* The plan's next-review date and whether its head revision has an
 * aftercare item. The head's content is the canonical JSON of plan.c:
 * {"sections": {"aftercare": [items]}}. */
static enum cairn_status load_plan(struct cairn_store *s, int64_t patient_id,
                                   struct cairn_alert_facts *f, struct cairn_error *err)
{
    STORE_PREPARE(st, "SELECT p.id, p.next_review_date, EXISTS (SELECT 1 FROM plan_section ps "
                      "WHERE ps.plan_id = p.id AND ps.section = 'aftercare'), "
                      "coalesce((SELECT CASE WHEN json_valid(r.content_json) THEN "
                      "json_array_length(r.content_json, '$.sections.aftercare') END "
                      "FROM plan_revision r WHERE r.plan_id = p.id AND r.revision = p.revision), "
                      "0) FROM plan p WHERE p.patient_id = ?1");
    sqlite3_bind_int64(st, 1, patient_id);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        f->plan_id = sqlite3_column_int64(st, 0);
        f->plan_next_review = col_day(st, 1);
        f->has_aftercare = sqlite3_column_int(st, 2) != 0;
        f->aftercare_filled = sqlite3_column_int(st, 3) > 0;
    }
    sqlite3_reset(st);
    return src == SQLITE_ROW || src == SQLITE_DONE ? CAIRN_OK
                                                   : store_fail(s, src, "reading the plan", err);
}

/* Lapses and relapses dated from this ISO week's Monday to today. */
static enum cairn_status load_lapses(struct cairn_store *s, int64_t patient_id,
                                     struct cairn_alert_facts *f, struct cairn_error *err)
{
    char from[CAIRN_DATE_LEN + 1], to[CAIRN_DATE_LEN + 1];
    cairn_date_format(f->today - (cairn_date_weekday(f->today) - 1), from);
    cairn_date_format(f->today, to);
    STORE_PREPARE(st, "SELECT id, date, kind FROM lapse WHERE patient_id = ?1 "
                      "AND date BETWEEN ?2 AND ?3 ORDER BY date, id");
    sqlite3_bind_int64(st, 1, patient_id);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, to, -1, SQLITE_TRANSIENT);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *kind = sqlite3_column_text(st, 2);
        if (kind && strcmp((const char *)kind, "relapse") == 0)
            f->relapses_this_week++;
        else
            f->lapses_this_week++;
        f->last_lapse_id = sqlite3_column_int64(st, 0);
        f->last_lapse_day = col_day(st, 1);
    }
    sqlite3_reset(st);
    return src == SQLITE_DONE ? CAIRN_OK : store_fail(s, src, "reading the lapse log", err);
}

enum cairn_status cairn_alert_facts_load(struct cairn_store *s, const struct cairn_patient *p,
                                         struct cairn_alert_facts *f, struct cairn_error *err)
{
    double min_hours;
    int min_days;
    bool began;
    memset(f, 0, sizeof *f);
    f->patient_id = p->id;
    snprintf(f->mrn, sizeof f->mrn, "%s", p->mrn);
    f->status = p->status;
    f->today = cairn_store_today(s);
    f->admission = text_day(p->admission_date);
    f->expected_discharge = text_day(p->expected_discharge_date);
    f->phq9.item9 = f->phq9_previous.item9 = f->phq9_baseline.item9 = -1;
    f->gad7.item9 = f->gad7_previous.item9 = f->gad7_baseline.item9 = -1;
    f->cssrs.item9 = -1;

    enum cairn_status rc = read_begin(s, &began, err);
    if (rc != CAIRN_OK)
        return rc;
    if ((rc = load_program(s, p->program_id, f, &min_hours, &min_days, err)) != CAIRN_OK ||
        (rc = load_scores(s, p->id, CAIRN_INSTRUMENT_PHQ9, &f->phq9, &f->phq9_previous,
                          &f->phq9_baseline, err)) != CAIRN_OK ||
        (rc = load_scores(s, p->id, CAIRN_INSTRUMENT_GAD7, &f->gad7, &f->gad7_previous,
                          &f->gad7_baseline, err)) != CAIRN_OK ||
        (rc = load_scores(s, p->id, CAIRN_INSTRUMENT_CSSRS_SCREEN, &f->cssrs, NULL, NULL, err)) !=
            CAIRN_OK ||
        (rc = load_attendance(s, p->id, min_hours, min_days, f, err)) != CAIRN_OK ||
        (rc = load_ladder(s, p->id, f, err)) != CAIRN_OK ||
        (rc = load_reviews(s, p->id, f, err)) != CAIRN_OK ||
        (rc = load_plan(s, p->id, f, err)) != CAIRN_OK ||
        (rc = load_lapses(s, p->id, f, err)) != CAIRN_OK)
        goto out;
out:
    read_end(s, began);
    return rc;
}

/* ---- acknowledgements --------------------------------------------------- */

/* Marks *a acknowledged when an acknowledgement holds for its key: the
 * latest one for the patient, rule and key. */
static enum cairn_status attach_ack(struct cairn_store *s, struct cairn_alert *a,
                                    struct cairn_error *err)
{
    STORE_PREPARE(st, "SELECT acked_by, acked_at, note FROM alert_ack WHERE patient_id = ?1 "
                      "AND code = ?2 AND data_key = ?3 ORDER BY id DESC LIMIT 1");
    sqlite3_bind_int64(st, 1, a->patient_id);
    sqlite3_bind_text(st, 2, cairn_alert_code(a->rule), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, a->key, -1, SQLITE_TRANSIENT);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        a->acknowledged = true;
        store_col_text(st, 0, a->acked_by, sizeof a->acked_by);
        store_col_text(st, 1, a->acked_at, sizeof a->acked_at);
        store_col_text(st, 2, a->ack_note, sizeof a->ack_note);
    }
    sqlite3_reset(st);
    return src == SQLITE_ROW || src == SQLITE_DONE
               ? CAIRN_OK
               : store_fail(s, src, "reading alert acknowledgements", err);
}

enum cairn_status cairn_alerts_for_patient(struct cairn_store *s, const struct cairn_patient *p,
                                           struct cairn_alert out[CAIRN_ALERT__COUNT], size_t *n,
                                           struct cairn_error *err)
{
    struct cairn_alert_facts facts;
    bool began;
    *n = 0;
    enum cairn_status rc = read_begin(s, &began, err);
    if (rc != CAIRN_OK)
        return rc;
    if ((rc = cairn_alert_facts_load(s, p, &facts, err)) != CAIRN_OK)
        goto out;
    size_t count = cairn_alerts_evaluate(&facts, out);
    const char *name = p->preferred_name[0] ? p->preferred_name : p->legal_name;
    for (size_t i = 0; i < count; i++) {
        snprintf(out[i].name, sizeof out[i].name, "%s", name);
        if ((rc = attach_ack(s, &out[i], err)) != CAIRN_OK)
            goto out;
    }
    *n = count;
out:
    read_end(s, began);
    return rc;
}

/* ---- the caseload's list ------------------------------------------------ */

/* An alert kept for output once every patient is read: its strings live in
 * the list's arena, so one costs its reason and key and a few words. */
struct pending {
    size_t patient; /* arena: "MRN\0name\0", shared by the patient's alerts */
    size_t text;    /* arena: "reason\0key\0", then "by\0at\0note\0" when acknowledged */
    int64_t patient_id;
    unsigned char rule;
    bool acknowledged;
};

struct pending_list {
    struct pending *v;
    size_t n, cap;
};

#define NSEVERITIES (CAIRN_SEVERITY_INFO + 1)

struct collect {
    struct cairn_store *s;
    const struct cairn_alert_filter *filter;
    int64_t clinician; /* staff id; 0 = every patient */
    char *arena;
    size_t len, cap;
    struct pending_list by_severity[NSEVERITIES];
    bool nomem;
    enum cairn_status rc;
    struct cairn_error *err;
    struct cairn_alert alerts[CAIRN_ALERT__COUNT];
};

/* Appends the strings (NULL-terminated list) to the arena; returns the
 * offset of the first, or (size_t)-1 when memory ran out. */
static size_t arena_put(struct collect *c, const char *const *strings)
{
    size_t need = 0, at = c->len;
    for (const char *const *p = strings; *p; p++)
        need += strlen(*p) + 1;
    if (c->len + need > c->cap) {
        size_t cap = c->cap ? c->cap : 16384;
        while (cap < c->len + need)
            cap *= 2;
        char *grown = realloc(c->arena, cap);
        if (!grown)
            return (size_t)-1;
        c->arena = grown;
        c->cap = cap;
    }
    for (const char *const *p = strings; *p; p++) {
        size_t n = strlen(*p) + 1;
        memcpy(c->arena + c->len, *p, n);
        c->len += n;
    }
    return at;
}

static bool pending_push(struct pending_list *l, const struct pending *p)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 256;
        struct pending *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return false;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *p;
    return true;
}

static bool passes(const struct cairn_alert_filter *f, const struct cairn_alert *a)
{
    if (a->acknowledged && !f->all)
        return false;
    return a->severity == CAIRN_SEVERITY_URGENT || a->severity <= f->severity;
}

static int collect_patient(const struct cairn_patient *p, void *vc)
{
    struct collect *c = vc;
    size_t n;
    if (c->clinician && p->therapist_id != c->clinician && p->case_manager_id != c->clinician)
        return 0;
    if ((c->rc = cairn_alerts_for_patient(c->s, p, c->alerts, &n, c->err)) != CAIRN_OK)
        return 1;
    size_t patient = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        const struct cairn_alert *a = &c->alerts[i];
        if (!passes(c->filter, a))
            continue;
        if (patient == (size_t)-1) {
            const char *strings[] = {a->mrn, a->name, NULL};
            if ((patient = arena_put(c, strings)) == (size_t)-1)
                goto nomem;
        }
        const char *plain[] = {a->reason, a->key, NULL};
        const char *acked[] = {a->reason, a->key, a->acked_by, a->acked_at, a->ack_note, NULL};
        struct pending pd = {.patient = patient,
                             .text = arena_put(c, a->acknowledged ? acked : plain),
                             .patient_id = a->patient_id,
                             .rule = (unsigned char)a->rule,
                             .acknowledged = a->acknowledged};
        if (pd.text == (size_t)-1 || !pending_push(&c->by_severity[a->severity], &pd))
            goto nomem;
    }
    return 0;
nomem:
    c->rc = cairn_error_set(c->err, CAIRN_ERR_NOMEM, "out of memory listing alerts");
    return 1;
}

/* Calls fn for each active or on-hold patient with at least one measure
 * that raised an urgent flag, by name; fn returns non-zero to stop. */
static enum cairn_status flagged_patients(struct cairn_store *s,
                                          int (*fn)(const struct cairn_patient *p, void *ctx),
                                          void *ctx, struct cairn_error *err)
{
    STORE_PREPARE(st, "SELECT " STORE_PATIENT_COLUMNS STORE_PATIENT_FROM
                      "WHERE p.id IN (SELECT patient_id FROM measure WHERE flags <> '') "
                      "AND p.status IN ('active', 'on_hold') ORDER BY p.name_key, p.id");
    struct cairn_patient *p = malloc(sizeof *p);
    if (!p) {
        sqlite3_reset(st);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory listing alerts");
    }
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        store_patient_read_row(st, p);
        if (fn(p, ctx)) {
            step = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    free(p);
    return step == SQLITE_DONE ? CAIRN_OK : store_fail(s, step, "listing flagged patients", err);
}

/* Copies the arena string at *at into out and moves *at past it. */
static void take(const char *arena, size_t *at, char *out, size_t size)
{
    const char *s = arena + *at;
    snprintf(out, size, "%s", s);
    *at += strlen(s) + 1;
}

static void unpack(const struct collect *c, const struct pending *pd, struct cairn_alert *a)
{
    size_t at = pd->patient;
    memset(a, 0, sizeof *a);
    a->rule = (enum cairn_alert_rule)pd->rule;
    a->severity = cairn_alert_rule_severity(a->rule);
    a->patient_id = pd->patient_id;
    take(c->arena, &at, a->mrn, sizeof a->mrn);
    take(c->arena, &at, a->name, sizeof a->name);
    at = pd->text;
    take(c->arena, &at, a->reason, sizeof a->reason);
    take(c->arena, &at, a->key, sizeof a->key);
    a->acknowledged = pd->acknowledged;
    if (pd->acknowledged) {
        take(c->arena, &at, a->acked_by, sizeof a->acked_by);
        take(c->arena, &at, a->acked_at, sizeof a->acked_at);
        take(c->arena, &at, a->ack_note, sizeof a->ack_note);
    }
}

enum cairn_status cairn_alerts_list(struct cairn_store *s, const struct cairn_alert_filter *filter,
                                    int (*fn)(const struct cairn_alert *alert, void *ctx),
                                    void *ctx, struct cairn_error *err)
{
    static const struct cairn_alert_filter everything = {.severity = CAIRN_SEVERITY_INFO};
    const struct cairn_alert_filter *f = filter ? filter : &everything;
    struct cairn_alert *a = NULL;
    bool began = false;
    enum cairn_status rc;

    if ((unsigned)f->severity >= NSEVERITIES)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "severity", "unknown severity");
    struct collect *c = calloc(1, sizeof *c);
    if (!c)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory listing alerts");
    c->s = s;
    c->filter = f;
    c->err = err;
    /* Read everything from one snapshot, then hand the alerts out in
     * order with no transaction open. */
    if ((rc = read_begin(s, &began, err)) != CAIRN_OK)
        goto out;
    if (f->clinician) {
        struct cairn_staff who;
        if ((rc = cairn_staff_find(s, f->clinician, &who, err)) != CAIRN_OK)
            goto out;
        c->clinician = who.id;
    }
    if (f->severity == CAIRN_SEVERITY_URGENT) {
        /* Only a flagged measure can make an urgent alert: look at the
         * patients who have one (the partial index measure_flagged), not
         * at the whole caseload. */
        rc = flagged_patients(s, collect_patient, c, err);
    } else {
        struct cairn_patient_filter pf = {
            .status_mask = 1u << CAIRN_PATIENT_ACTIVE | 1u << CAIRN_PATIENT_ON_HOLD,
            .sort = CAIRN_PATIENT_SORT_NAME,
        };
        rc = cairn_patient_list(s, &pf, collect_patient, c, err);
    }
    if (rc == CAIRN_OK)
        rc = c->rc;
    read_end(s, began);
    began = false;
    if (rc != CAIRN_OK)
        goto out;

    if (!(a = malloc(sizeof *a))) {
        rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory listing alerts");
        goto out;
    }
    for (int sev = 0; sev < (int)NSEVERITIES; sev++) {
        const struct pending_list *l = &c->by_severity[sev];
        for (size_t i = 0; i < l->n; i++) {
            unpack(c, &l->v[i], a);
            if (fn(a, ctx))
                goto out;
        }
    }
out:
    read_end(s, began);
    for (int sev = 0; sev < (int)NSEVERITIES; sev++)
        free(c->by_severity[sev].v);
    free(c->arena);
    free(c);
    free(a);
    return rc;
}

/* ---- acknowledging ------------------------------------------------------ */

/* Splits "MRN:code" into mrn and rule. */
static enum cairn_status parse_id(const char *id, char mrn[CAIRN_MRN_MAX + 1],
                                  enum cairn_alert_rule *rule, struct cairn_error *err)
{
    const char *colon = id ? strchr(id, ':') : NULL;
    if (!colon || colon == id || !colon[1] || (size_t)(colon - id) > CAIRN_MRN_MAX)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "id",
                                 "'%.80s' is not an alert ID: write MRN:code, for example "
                                 "A1234567:phq9_worse (`cairn alerts` lists them)",
                                 id ? id : "");
    memcpy(mrn, id, (size_t)(colon - id));
    mrn[colon - id] = '\0';
    return cairn_alert_rule_parse(colon + 1, rule, err);
}

enum cairn_status cairn_alert_ack(struct cairn_store *s, const char *id, const char *note,
                                  struct cairn_alert *alert, struct cairn_error *err)
{
    char mrn[CAIRN_MRN_MAX + 1];
    enum cairn_alert_rule rule;
    struct cairn_staff actor;
    struct cairn_patient *p = NULL;
    struct cairn_alert *alerts = NULL;
    size_t n = 0;
    enum cairn_status rc;

    if ((rc = parse_id(id, mrn, &rule, err)) != CAIRN_OK ||
        (rc = cairn_text_check(note, "note", true, CAIRN_ALERT_NOTE_MAX, err)) != CAIRN_OK)
        return rc;
    const char *login = cairn_store_actor_login(s);
    rc = cairn_staff_find(s, login, &actor, NULL);
    if (rc != CAIRN_OK && rc != CAIRN_ERR_NOT_FOUND)
        return cairn_error_set(err, rc, "reading the acting user's staff record");
    if (rc == CAIRN_ERR_NOT_FOUND || !actor.active) {
        store_audit_refusal(s, "create", "alert_ack", 0, 0, "denied");
        return cairn_error_set(err, CAIRN_ERR_DENIED,
                               rc == CAIRN_OK
                                   ? "acting user '%s' is no longer active staff; ask an "
                                     "administrator to reactivate them"
                                   : "acting user '%s' is not staff; ask an administrator to "
                                     "run cairn staff add",
                               login);
    }

    p = malloc(sizeof *p);
    alerts = malloc(CAIRN_ALERT__COUNT * sizeof *alerts);
    if (!p || !alerts) {
        free(p);
        free(alerts);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory acknowledging an alert");
    }
    if ((rc = store_tx_begin(s, err)) != CAIRN_OK)
        goto done;
    if ((rc = cairn_patient_find(s, mrn, p, NULL)) != CAIRN_OK) {
        rc = rc == CAIRN_ERR_NOT_FOUND
                 ? cairn_error_field(err, rc, "id", "no patient with MRN %s", mrn)
                 : cairn_error_set(err, rc, "reading the patient");
        goto out;
    }
    if ((rc = cairn_alerts_for_patient(s, p, alerts, &n, err)) != CAIRN_OK)
        goto out;
    struct cairn_alert *a = NULL;
    for (size_t i = 0; i < n && !a; i++)
        if (alerts[i].rule == rule)
            a = &alerts[i];
    if (!a) {
        rc = cairn_error_set(err, CAIRN_ERR_NOT_FOUND, "alert %s:%s is not open", mrn,
                             cairn_alert_code(rule));
        goto out;
    }
    if (a->acknowledged) {
        rc = cairn_error_set(err, CAIRN_ERR_EXISTS,
                             "alert %s:%s is already acknowledged for the same data (by %s at "
                             "%s)",
                             mrn, cairn_alert_code(rule), a->acked_by, a->acked_at);
        goto out;
    }
    char now[CAIRN_TIMESTAMP_LEN + 1];
    cairn_timestamp_now(now);
    {
        sqlite3_stmt *st = store_stmt(s,
                                      "INSERT INTO alert_ack (patient_id, code, data_key, note, "
                                      "acked_by, acked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                      err);
        if (!st) {
            rc = err ? err->status : CAIRN_ERR_DB;
            goto out;
        }
        sqlite3_bind_int64(st, 1, p->id);
        sqlite3_bind_text(st, 2, cairn_alert_code(rule), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, a->key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, note, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, login, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, now, -1, SQLITE_TRANSIENT);
        if ((rc = store_step_done(s, st, "storing the acknowledgement", err)) != CAIRN_OK)
            goto out;
    }
    if ((rc = store_audit(s, "create", "alert_ack", sqlite3_last_insert_rowid(s->db), p->id, "note",
                          "ok", err)) != CAIRN_OK)
        goto out;
    a->acknowledged = true;
    snprintf(a->acked_by, sizeof a->acked_by, "%s", login);
    snprintf(a->acked_at, sizeof a->acked_at, "%s", now);
    snprintf(a->ack_note, sizeof a->ack_note, "%s", note);
    if (alert)
        *alert = *a;
out:
    rc = store_tx_end(s, rc, err);
done:
    free(p);
    free(alerts);
    return rc;
}

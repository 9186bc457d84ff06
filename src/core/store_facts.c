/* The facts the alert rules read (struct cairn_alert_facts), and the
 * per-patient summaries that make reading them for a whole caseload cheap.
 *
 * Exact reads: about a dozen indexed reads per patient (tests check that
 * none of them scans a table).
 *
 * Summaries (table patient_summary, schema 0008): every audited change to
 * a patient's record marks the patient; the store's outermost commit
 * recomputes the marked patients' summaries with the exact reads before it
 * commits, so a summary is never behind its data and a failure rolls the
 * change back with it. A summary holds only facts that do not depend on
 * the day they are read; facts_from_summary() applies the reader's today.
 * A summary computed on a later day than the reader's today, or one that
 * cannot answer (too many unsigned reviews to keep), is not used: the
 * exact reads are. unit.test_facts checks both ways agree on every
 * patient of a demo caseload. */
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
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

static void lines_init(struct lines *l)
{
    l->v = l->local;
    l->n = 0;
    l->cap = sizeof l->local / sizeof l->local[0];
}

static void lines_free(struct lines *l)
{
    if (l->v != l->local)
        free(l->v);
}

/* Appends to *lines the patient's attendance lines on sessions dated from
 * day `from` to day `to`. */
static enum cairn_status load_lines(struct cairn_store *s, int64_t patient_id, int32_t from,
                                    int32_t to, struct lines *lines, struct cairn_error *err)
{
    char from_text[CAIRN_DATE_LEN + 1], to_text[CAIRN_DATE_LEN + 1];
    cairn_date_format(from, from_text);
    cairn_date_format(to, to_text);
    STORE_PREPARE(st, "SELECT s.date, s.start_time, s.minutes, a.minutes_attended, a.status "
                      "FROM attendance a JOIN session s ON s.id = a.session_id "
                      "WHERE a.patient_id = ?1 AND a.date BETWEEN ?2 AND ?3");
    sqlite3_bind_int64(st, 1, patient_id);
    sqlite3_bind_text(st, 2, from_text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, to_text, -1, SQLITE_TRANSIENT);
    enum cairn_status rc = CAIRN_OK;
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
        if (!lines_push(lines, &line)) {
            rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading attendance");
            break;
        }
    }
    sqlite3_reset(st);
    if (rc == CAIRN_OK && src != SQLITE_DONE)
        rc = store_fail(s, src, "reading attendance", err);
    return rc;
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
    struct lines lines;
    lines_init(&lines);
    /* From the Sunday before last week: a late session can run into its Monday. */
    enum cairn_status rc = load_lines(s, patient_id, monday - 8, monday + 6, &lines, err);
    if (rc == CAIRN_OK) {
        cairn_attendance_week_total(lines.v, lines.n, year, week, min_hours, min_days, f->today,
                                    &f->this_week);
        cairn_attendance_week_total(lines.v, lines.n, last_year, last_week, min_hours, min_days,
                                    f->today, &f->last_week);
    }
    lines_free(&lines);
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

/* How many alert acknowledgements patient_id has on record. */
static enum cairn_status load_acks(struct cairn_store *s, int64_t patient_id, int *acks,
                                   struct cairn_error *err)
{
    STORE_PREPARE(st, "SELECT count(*) FROM alert_ack WHERE patient_id = ?1");
    sqlite3_bind_int64(st, 1, patient_id);
    int src = sqlite3_step(st);
    *acks = src == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    return src == SQLITE_ROW ? CAIRN_OK : store_fail(s, src, "reading acknowledgements", err);
}

/* Sets what the patient row itself says and clears the rest. */
static void facts_init(struct cairn_alert_facts *f, const struct cairn_patient *p, int32_t today)
{
    memset(f, 0, sizeof *f);
    f->patient_id = p->id;
    snprintf(f->mrn, sizeof f->mrn, "%s", p->mrn);
    f->status = p->status;
    f->today = today;
    f->admission = text_day(p->admission_date);
    f->expected_discharge = text_day(p->expected_discharge_date);
    f->thresholds = default_thresholds;
    f->phq9.item9 = f->phq9_previous.item9 = f->phq9_baseline.item9 = -1;
    f->gad7.item9 = f->gad7_previous.item9 = f->gad7_baseline.item9 = -1;
    f->cssrs.item9 = -1;
}

/* The facts of patient p read from the data itself: about a dozen
 * indexed reads. */
static enum cairn_status facts_load_exact(struct cairn_store *s, const struct cairn_patient *p,
                                          struct cairn_alert_facts *f, struct cairn_error *err)
{
    double min_hours;
    int min_days;
    bool began;
    facts_init(f, p, cairn_store_today(s));
    enum cairn_status rc = store_read_begin(s, &began, err);
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
        (rc = load_lapses(s, p->id, f, err)) != CAIRN_OK ||
        (rc = load_acks(s, p->id, &f->acks, err)) != CAIRN_OK)
        goto out;
out:
    store_read_end(s, began);
    return rc;
}

/* ---- summaries: writing ------------------------------------------------- */

#define SCORE_TEXT_MAX    96
#define WEEK_TEXT_MAX     96
#define TREND_TEXT_MAX    (2 + STORE_SUMMARY_TREND * 24 + 1)
#define MASTERED_TEXT_MAX (2 + STORE_SUMMARY_MASTERED * 32 + 1)

const char store_summary_insert_sql[] =
    "INSERT OR REPLACE INTO patient_summary (patient_id, as_of, phq9, phq9_previous, "
    "phq9_baseline, gad7, gad7_previous, gad7_baseline, cssrs, week0, week1, week2, ladder_id, "
    "ladder_name, ladder_since, review_first_id, review_weeks, plan_id, plan_next_review, "
    "has_aftercare, aftercare_filled, lapse_week, lapses, relapses, last_lapse_id, "
    "last_lapse_day, acks, phq9_trend, gad7_trend, reviews, mastered) VALUES (?1, ?2, ?3, ?4, "
    "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, "
    "?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31)";

void store_summary_set_facts(struct store_summary *sum, const struct cairn_alert_facts *f)
{
    sum->ladder_id = f->stalled_ladder_id;
    sum->ladder_name = f->stalled_ladder;
    sum->ladder_since = f->stalled_since;
    sum->plan_id = f->plan_id;
    sum->plan_next_review = f->plan_next_review;
    sum->has_aftercare = f->has_aftercare;
    sum->aftercare_filled = f->aftercare_filled;
}

void store_summary_init(struct store_summary *sum, int64_t patient_id, int32_t as_of,
                        int32_t admission)
{
    /* Everything but the review lists, which are written as they grow. */
    memset(sum, 0, offsetof(struct store_summary, review_weeks));
    sum->patient_id = patient_id;
    sum->as_of = as_of;
    sum->admission = admission;
    for (int i = 0; i < STORE_SUMMARY__SCORES; i++)
        sum->score[i].item9 = -1;
    sum->nmastered = 0;
    sum->more_mastered = false;
}

/* The Monday of the week holding the day after the latest line: a late
 * session can run past midnight. */
static int32_t weeks_monday(int32_t latest)
{
    int year, week;
    cairn_date_isoweek(latest + 1, &year, &week);
    return cairn_isoweek_monday(year, week);
}

int32_t store_summary_weeks_from(int32_t latest)
{
    return weeks_monday(latest) - 15; /* from the Sunday before the oldest week */
}

void store_summary_weeks(struct store_summary *sum, int32_t latest,
                         const struct cairn_attendance_line *lines, size_t n)
{
    int32_t monday = weeks_monday(latest);
    sum->has_weeks = true;
    for (int i = 0; i < 3; i++) {
        int y, wk;
        cairn_date_isoweek(monday - 7 * i, &y, &wk);
        cairn_attendance_week_total(lines, n, y, wk, 0, 0, 0, &sum->weeks[i]);
    }
}

/* Whether (day, id) sorts after (day2, id2). */
static bool newer(int32_t day, int64_t id, int32_t day2, int64_t id2)
{
    return day > day2 || (day == day2 && id > id2);
}

void store_summary_add_trend(struct store_summary *sum, int which, int32_t day, int64_t id,
                             int total)
{
    struct store_summary_trend *t = &sum->trend[which];
    int at = t->n;
    while (at > 0 && newer(day, id, t->day[at - 1], t->id[at - 1]))
        at--;
    if (at == STORE_SUMMARY_TREND) {
        t->more = true;
        return;
    }
    if (t->n == STORE_SUMMARY_TREND)
        t->more = true; /* the oldest kept falls off */
    else
        t->n++;
    for (int i = t->n - 1; i > at; i--) {
        t->day[i] = t->day[i - 1];
        t->id[i] = t->id[i - 1];
        t->total[i] = t->total[i - 1];
    }
    t->day[at] = day;
    t->id[at] = id;
    t->total[at] = total;
}

void store_summary_add_review(struct store_summary *sum, int64_t id, const char *week,
                              enum cairn_review_status status)
{
    bool listed = week && strlen(week) == CAIRN_WEEK_LEN;
    char first[CAIRN_WEEK_LEN + 1] = "0000-W00";
    if (sum->admission) {
        int year, wk;
        cairn_date_isoweek(sum->admission, &year, &wk);
        cairn_isoweek_format(year, wk, first);
    }
    if ((status == CAIRN_REVIEW_DUE || status == CAIRN_REVIEW_DRAFT) && week &&
        strcmp(week, first) >= 0) {
        if (!sum->nunsigned)
            sum->review_first_id = id;
        if (++sum->nunsigned <= STORE_SUMMARY_REVIEWS && listed)
            memcpy(sum->review_weeks[sum->nunsigned - 1], week, CAIRN_WEEK_LEN + 1);
        else if (sum->nunsigned <= STORE_SUMMARY_REVIEWS)
            sum->review_weeks[sum->nunsigned - 1][0] = '\0';
    }
    if (++sum->nreviews > STORE_SUMMARY_REVIEWS)
        return;
    char *out = sum->reviews[sum->nreviews - 1];
    if (!listed) {
        out[0] = '\0';
        return;
    }
    memcpy(out, week, CAIRN_WEEK_LEN);
    out[CAIRN_WEEK_LEN] = ':';
    out[CAIRN_WEEK_LEN + 1] = status == CAIRN_REVIEW_DUE      ? 'd'
                              : status == CAIRN_REVIEW_DRAFT  ? 'r'
                              : status == CAIRN_REVIEW_SIGNED ? 's'
                                                              : 'c';
    out[CAIRN_WEEK_LEN + 2] = '\0';
}

void store_summary_add_mastered(struct store_summary *sum, int32_t day, int64_t ladder)
{
    /* Newest day first; on a day, ladders in ascending order. */
    int at = sum->nmastered;
    while (at > 0 && (day > sum->mastered_day[at - 1] ||
                      (day == sum->mastered_day[at - 1] && ladder < sum->mastered_ladder[at - 1])))
        at--;
    if (at == STORE_SUMMARY_MASTERED) {
        sum->more_mastered = true;
        return;
    }
    if (sum->nmastered == STORE_SUMMARY_MASTERED)
        sum->more_mastered = true;
    else
        sum->nmastered++;
    for (int i = sum->nmastered - 1; i > at; i--) {
        sum->mastered_day[i] = sum->mastered_day[i - 1];
        sum->mastered_ladder[i] = sum->mastered_ladder[i - 1];
    }
    sum->mastered_day[at] = day;
    sum->mastered_ladder[at] = ladder;
}

/* "id:version:day:total:flags:item9", or "" for no measure. */
static void score_encode(const struct cairn_alert_score *m, char out[SCORE_TEXT_MAX])
{
    if (!m->id) {
        out[0] = '\0';
        return;
    }
    snprintf(out, SCORE_TEXT_MAX, "%lld:%lld:%ld:%d:%u:%d", (long long)m->id, (long long)m->version,
             (long)m->day, m->total, m->flags, m->item9);
}

/* "YYYY-Www:minutes:days:sessions:attended:late:absent:excused". */
static void week_encode(const struct cairn_attendance_week *w, char out[WEEK_TEXT_MAX])
{
    char key[CAIRN_WEEK_LEN + 1];
    cairn_isoweek_format(w->iso_year, w->week, key);
    snprintf(out, WEEK_TEXT_MAX, "%s:%d:%d:%d:%d:%d:%d:%d", key, w->minutes_attended,
             w->days_attended, w->sessions, w->attended, w->late, w->absent, w->excused);
}

/* "C,day:total,...": oldest first; C is 1 when these are all there are. */
static void trend_encode(const struct store_summary_trend *t, char out[TREND_TEXT_MAX])
{
    size_t len = (size_t)snprintf(out, TREND_TEXT_MAX, "%d", !t->more);
    for (int i = t->n - 1; i >= 0; i--)
        len += (size_t)snprintf(out + len, TREND_TEXT_MAX - len, ",%ld:%d", (long)t->day[i],
                                t->total[i]);
}

/* The review list `list` of n entries (more than STORE_SUMMARY_REVIEWS:
 * NULL), comma-separated, empty entries left out. */
static const char *list_encode(const char *list, size_t stride, size_t n, char *out)
{
    if (n > STORE_SUMMARY_REVIEWS)
        return NULL;
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *item = list + i * stride;
        if (!item[0])
            continue;
        if (len)
            out[len++] = ',';
        size_t k = strlen(item);
        memcpy(out + len, item, k + 1);
        len += k;
    }
    return out;
}

/* Takes `size` bytes of the row's buffer. */
static char *row_take(struct store_summary_row *row, size_t *used, size_t size)
{
    char *at = row->buf + *used;
    *used += size;
    return at;
}

static void put_int(struct store_summary_row *row, int col, int64_t v)
{
    row->v[col - 1] = (struct store_summary_value){.type = STORE_SUMMARY_INT, .i = v};
}

/* Text; NULL when `null_if_empty` and it is empty, or when text is NULL. */
static void put_text(struct store_summary_row *row, int col, const char *text, bool null_if_empty)
{
    if (!text || (null_if_empty && !*text))
        row->v[col - 1] = (struct store_summary_value){.type = STORE_SUMMARY_NULL};
    else
        row->v[col - 1] = (struct store_summary_value){.type = STORE_SUMMARY_TEXT, .text = text};
}

_Static_assert(STORE_SUMMARY__SCORES *SCORE_TEXT_MAX + 3 * WEEK_TEXT_MAX +
                       STORE_SUMMARY_REVIEWS * (CAIRN_WEEK_LEN + 4) * 2 + 2 * TREND_TEXT_MAX +
                       MASTERED_TEXT_MAX + CAIRN_WEEK_LEN + 1 <=
                   sizeof(((struct store_summary_row *)0)->buf),
               "a summary's text fits its row");

void store_summary_encode(const struct store_summary *sum, struct store_summary_row *row)
{
    size_t used = 0;
    put_int(row, 1, sum->patient_id);
    put_int(row, 2, sum->as_of);
    for (int i = 0; i < STORE_SUMMARY__SCORES; i++) {
        char *text = row_take(row, &used, SCORE_TEXT_MAX);
        score_encode(&sum->score[i], text);
        put_text(row, 3 + i, text, true);
    }
    for (int i = 0; i < 3; i++) {
        char *text = row_take(row, &used, WEEK_TEXT_MAX);
        text[0] = '\0';
        if (sum->has_weeks)
            week_encode(&sum->weeks[i], text);
        put_text(row, 10 + i, text, true);
    }
    put_int(row, 13, sum->ladder_id);
    put_text(row, 14, sum->ladder_name ? sum->ladder_name : "", false);
    put_int(row, 15, sum->ladder_since);
    put_int(row, 16, sum->review_first_id);
    put_text(row, 17,
             list_encode(sum->review_weeks[0], sizeof sum->review_weeks[0], sum->nunsigned,
                         row_take(row, &used, STORE_SUMMARY_REVIEWS * (CAIRN_WEEK_LEN + 4))),
             false);
    put_int(row, 18, sum->plan_id);
    put_int(row, 19, sum->plan_next_review);
    put_int(row, 20, sum->has_aftercare);
    put_int(row, 21, sum->aftercare_filled);
    char *lapse_week = row_take(row, &used, CAIRN_WEEK_LEN + 1);
    lapse_week[0] = '\0';
    if (sum->last_lapse_id) {
        int year, week;
        cairn_date_isoweek(sum->last_lapse_day, &year, &week);
        cairn_isoweek_format(year, week, lapse_week);
    }
    put_text(row, 22, lapse_week, false);
    put_int(row, 23, sum->lapses);
    put_int(row, 24, sum->relapses);
    put_int(row, 25, sum->last_lapse_id);
    put_int(row, 26, sum->last_lapse_day);
    put_int(row, 27, sum->acks);
    for (int i = 0; i < 2; i++) {
        char *text = row_take(row, &used, TREND_TEXT_MAX);
        trend_encode(&sum->trend[i], text);
        put_text(row, 28 + i, text, false);
    }
    put_text(row, 30,
             list_encode(sum->reviews[0], sizeof sum->reviews[0], sum->nreviews,
                         row_take(row, &used, STORE_SUMMARY_REVIEWS * (CAIRN_WEEK_LEN + 4))),
             false);
    char *mastered = row_take(row, &used, MASTERED_TEXT_MAX);
    size_t len = (size_t)snprintf(mastered, MASTERED_TEXT_MAX, "%d", !sum->more_mastered);
    for (int i = sum->nmastered - 1; i >= 0; i--)
        len += (size_t)snprintf(mastered + len, MASTERED_TEXT_MAX - len, ",%ld:%lld",
                                (long)sum->mastered_day[i], (long long)sum->mastered_ladder[i]);
    put_text(row, 31, mastered, false);
}

/* The attendance weeks: the lines around the patient's latest one. */
static enum cairn_status summary_weeks(struct cairn_store *s, struct store_summary *sum,
                                       struct cairn_error *err)
{
    int32_t latest = 0;
    {
        STORE_PREPARE(st, "SELECT max(date) FROM attendance WHERE patient_id = ?1");
        sqlite3_bind_int64(st, 1, sum->patient_id);
        int src = sqlite3_step(st);
        if (src == SQLITE_ROW)
            latest = col_day(st, 0);
        sqlite3_reset(st);
        if (src != SQLITE_ROW)
            return store_fail(s, src, "reading attendance", err);
    }
    if (!latest)
        return CAIRN_OK;
    struct lines lines;
    lines_init(&lines);
    enum cairn_status rc =
        load_lines(s, sum->patient_id, store_summary_weeks_from(latest), latest, &lines, err);
    if (rc == CAIRN_OK)
        store_summary_weeks(sum, latest, lines.v, lines.n);
    lines_free(&lines);
    return rc;
}

/* Every review, by week. */
static enum cairn_status summary_reviews(struct cairn_store *s, struct store_summary *sum,
                                         struct cairn_error *err)
{
    STORE_PREPARE(st, "SELECT id, week, status FROM review WHERE patient_id = ?1 ORDER BY week");
    sqlite3_bind_int64(st, 1, sum->patient_id);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 2);
        enum cairn_review_status status = !text                         ? CAIRN_REVIEW_COSIGNED
                                          : strcmp(text, "due") == 0    ? CAIRN_REVIEW_DUE
                                          : strcmp(text, "draft") == 0  ? CAIRN_REVIEW_DRAFT
                                          : strcmp(text, "signed") == 0 ? CAIRN_REVIEW_SIGNED
                                                                        : CAIRN_REVIEW_COSIGNED;
        store_summary_add_review(sum, sqlite3_column_int64(st, 0),
                                 (const char *)sqlite3_column_text(st, 1), status);
    }
    sqlite3_reset(st);
    return src == SQLITE_DONE ? CAIRN_OK : store_fail(s, src, "reading reviews", err);
}

/* The lapses dated in the ISO week of the patient's latest one. */
static enum cairn_status summary_lapses(struct cairn_store *s, struct store_summary *sum,
                                        struct cairn_error *err)
{
    STORE_PREPARE(st, "SELECT id, date, kind FROM lapse WHERE patient_id = ?1 "
                      "ORDER BY date DESC, id DESC");
    sqlite3_bind_int64(st, 1, sum->patient_id);
    int32_t monday = 0;
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        int32_t day = col_day(st, 1);
        if (!monday) {
            int year, week;
            cairn_date_isoweek(day, &year, &week);
            monday = cairn_isoweek_monday(year, week);
            sum->last_lapse_id = sqlite3_column_int64(st, 0);
            sum->last_lapse_day = day;
        } else if (day < monday) {
            src = SQLITE_DONE;
            break;
        }
        const unsigned char *kind = sqlite3_column_text(st, 2);
        if (kind && strcmp((const char *)kind, "relapse") == 0)
            sum->relapses++;
        else
            sum->lapses++;
    }
    sqlite3_reset(st);
    return src == SQLITE_DONE ? CAIRN_OK : store_fail(s, src, "reading the lapse log", err);
}

/* The latest STORE_SUMMARY_TREND scores of `instrument` (one more, to
 * know whether there are more). */
static enum cairn_status summary_trend(struct cairn_store *s, struct store_summary *sum, int which,
                                       enum cairn_instrument instrument, struct cairn_error *err)
{
    STORE_PREPARE(st, "SELECT date, total, id FROM measure WHERE patient_id = ?1 AND "
                      "instrument = ?2 ORDER BY date DESC, id DESC LIMIT ?3");
    sqlite3_bind_int64(st, 1, sum->patient_id);
    sqlite3_bind_text(st, 2, cairn_instrument_get(instrument)->code, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, STORE_SUMMARY_TREND + 1);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW)
        store_summary_add_trend(sum, which, col_day(st, 0), sqlite3_column_int64(st, 2),
                                sqlite3_column_int(st, 1));
    sqlite3_reset(st);
    return src == SQLITE_DONE ? CAIRN_OK : store_fail(s, src, "reading measures", err);
}

/* The mastered steps (not retired, of an active ladder) by the day of
 * their latest attempt (one more than kept, to know whether there are
 * more). */
static enum cairn_status summary_mastered(struct cairn_store *s, struct store_summary *sum,
                                          struct cairn_error *err)
{
    STORE_PREPARE(st, "SELECT d, ladder FROM (SELECT (SELECT max(a.date) FROM ladder_attempt a "
                      "WHERE a.step_id = st.id) AS d, l.id AS ladder FROM ladder_step st "
                      "JOIN ladder l ON l.id = st.ladder_id WHERE l.patient_id = ?1 "
                      "AND l.status = 'active' AND st.retired = 0 AND st.status = 'mastered') "
                      "WHERE d IS NOT NULL ORDER BY d DESC, ladder LIMIT ?2");
    sqlite3_bind_int64(st, 1, sum->patient_id);
    sqlite3_bind_int(st, 2, STORE_SUMMARY_MASTERED + 1);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW)
        store_summary_add_mastered(sum, col_day(st, 0), sqlite3_column_int64(st, 1));
    sqlite3_reset(st);
    return src == SQLITE_DONE ? CAIRN_OK : store_fail(s, src, "reading ladders", err);
}

/* Writes an encoded summary with `st` (store_summary_insert_sql). */
static void summary_bind(sqlite3_stmt *st, const struct store_summary_row *row)
{
    for (int i = 0; i < STORE_SUMMARY_COLUMNS; i++) {
        const struct store_summary_value *v = &row->v[i];
        if (v->type == STORE_SUMMARY_INT)
            sqlite3_bind_int64(st, i + 1, v->i);
        else if (v->type == STORE_SUMMARY_TEXT)
            sqlite3_bind_text(st, i + 1, v->text, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, i + 1);
    }
}

/* What summary_refresh() works in: a summary, its encoding and the facts
 * the exact reads fill. */
struct refresh {
    struct store_summary sum;
    struct store_summary_row row;
    struct cairn_alert_facts f;
};

/* Recomputes patient_id's summary from the data. */
static enum cairn_status summary_refresh(struct cairn_store *s, int64_t patient_id,
                                         struct cairn_error *err)
{
    struct refresh *w = malloc(sizeof *w);
    enum cairn_status rc = CAIRN_OK;
    if (!w)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory summarizing a patient");
    struct store_summary *sum = &w->sum;
    struct cairn_alert_facts *f = &w->f;
    memset(f, 0, sizeof *f);
    {
        STORE_PREPARE_OR_GOTO(st, "SELECT admission_date FROM patient WHERE id = ?1", rc, out);
        sqlite3_bind_int64(st, 1, patient_id);
        int src = sqlite3_step(st);
        if (src == SQLITE_ROW)
            f->admission = col_day(st, 0);
        sqlite3_reset(st);
        if (src == SQLITE_DONE)
            goto out; /* gone */
        if (src != SQLITE_ROW) {
            rc = store_fail(s, src, "reading the patient", err);
            goto out;
        }
    }
    store_summary_init(sum, patient_id, cairn_store_today(s), f->admission);
    struct cairn_alert_score *sc = sum->score;
    if ((rc = load_scores(s, patient_id, CAIRN_INSTRUMENT_PHQ9, &sc[STORE_SUMMARY_PHQ9],
                          &sc[STORE_SUMMARY_PHQ9_PREVIOUS], &sc[STORE_SUMMARY_PHQ9_BASELINE],
                          err)) != CAIRN_OK ||
        (rc = load_scores(s, patient_id, CAIRN_INSTRUMENT_GAD7, &sc[STORE_SUMMARY_GAD7],
                          &sc[STORE_SUMMARY_GAD7_PREVIOUS], &sc[STORE_SUMMARY_GAD7_BASELINE],
                          err)) != CAIRN_OK ||
        (rc = load_scores(s, patient_id, CAIRN_INSTRUMENT_CSSRS_SCREEN, &sc[STORE_SUMMARY_CSSRS],
                          NULL, NULL, err)) != CAIRN_OK ||
        (rc = summary_weeks(s, sum, err)) != CAIRN_OK ||
        (rc = load_ladder(s, patient_id, f, err)) != CAIRN_OK ||
        (rc = summary_reviews(s, sum, err)) != CAIRN_OK ||
        (rc = load_plan(s, patient_id, f, err)) != CAIRN_OK ||
        (rc = summary_lapses(s, sum, err)) != CAIRN_OK ||
        (rc = load_acks(s, patient_id, &sum->acks, err)) != CAIRN_OK ||
        (rc = summary_trend(s, sum, 0, CAIRN_INSTRUMENT_PHQ9, err)) != CAIRN_OK ||
        (rc = summary_trend(s, sum, 1, CAIRN_INSTRUMENT_GAD7, err)) != CAIRN_OK ||
        (rc = summary_mastered(s, sum, err)) != CAIRN_OK)
        goto out;
    store_summary_set_facts(sum, f);
    store_summary_encode(sum, &w->row);
    STORE_PREPARE_OR_GOTO(st, store_summary_insert_sql, rc, out);
    summary_bind(st, &w->row);
    rc = store_step_done(s, st, "storing a patient summary", err);
out:
    free(w);
    return rc;
}

void store_summary_touch(struct cairn_store *s, int64_t patient_id)
{
    if (patient_id <= 0 || s->summary_failed)
        return;
    if (s->dirty_n && s->dirty[s->dirty_n - 1] == patient_id)
        return;
    if (s->dirty_n == s->dirty_cap) {
        size_t cap = s->dirty_cap ? 2 * s->dirty_cap : 64;
        int64_t *v = realloc(s->dirty, cap * sizeof *v);
        if (!v) {
            s->summary_failed = true; /* the commit fails rather than leave one behind */
            return;
        }
        s->dirty = v;
        s->dirty_cap = cap;
    }
    s->dirty[s->dirty_n++] = patient_id;
}

static int compare_ids(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

enum cairn_status store_summary_flush(struct cairn_store *s, struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    if (s->summary_failed)
        rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory keeping patient summaries");
    if (s->dirty_n > 1)
        qsort(s->dirty, s->dirty_n, sizeof *s->dirty, compare_ids);
    for (size_t i = 0; rc == CAIRN_OK && i < s->dirty_n; i++)
        if (i == 0 || s->dirty[i] != s->dirty[i - 1])
            rc = summary_refresh(s, s->dirty[i], err);
    store_summary_forget(s);
    return rc;
}

void store_summary_forget(struct cairn_store *s)
{
    s->dirty_n = 0;
    s->summary_failed = false;
}

enum cairn_status store_summaries_rebuild(struct cairn_store *s, struct cairn_error *err)
{
    enum cairn_status rc = store_tx_begin(s, err);
    if (rc != CAIRN_OK)
        return rc;
    int64_t last = 0;
    for (;;) {
        /* A page of ids at a time: the refresh uses statements of its own. */
        int64_t ids[512];
        size_t n = 0;
        {
            STORE_PREPARE_OR_GOTO(st, "SELECT id FROM patient WHERE id > ?1 ORDER BY id LIMIT 512",
                                  rc, out);
            sqlite3_bind_int64(st, 1, last);
            int src;
            while ((src = sqlite3_step(st)) == SQLITE_ROW)
                ids[n++] = sqlite3_column_int64(st, 0);
            sqlite3_reset(st);
            if (src != SQLITE_DONE) {
                rc = store_fail(s, src, "listing patients", err);
                goto out;
            }
        }
        if (!n)
            break;
        for (size_t i = 0; i < n; i++)
            if ((rc = summary_refresh(s, ids[i], err)) != CAIRN_OK)
                goto out;
        last = ids[n - 1];
    }
out:
    return store_tx_end(s, rc, err);
}

/* ---- summaries: reading ------------------------------------------------- */

bool store_parse_int(const char **text, long long *v)
{
    const char *at = *text;
    bool negative = *at == '-';
    if (negative)
        at++;
    if (*at < '0' || *at > '9')
        return false;
    long long x = 0;
    while (*at >= '0' && *at <= '9') {
        if (x > (INT64_MAX - 9) / 10)
            return false;
        x = x * 10 + (*at++ - '0');
    }
    *v = negative ? -x : x;
    *text = at;
    return true;
}

/* Reads n colon-separated decimal integers from text into v; false unless
 * there are exactly n. */
static bool read_ints(const char *text, long long *v, int n)
{
    for (int i = 0; i < n; i++) {
        if (!store_parse_int(&text, &v[i]) || *text != (i + 1 < n ? ':' : '\0'))
            return false;
        if (*text)
            text++;
    }
    return true;
}

static bool score_decode(const char *text, bool phq9, struct cairn_alert_score *m)
{
    memset(m, 0, sizeof *m);
    m->item9 = -1;
    if (!text || !*text)
        return true;
    long long v[6];
    if (!read_ints(text, v, 6))
        return false;
    m->id = v[0];
    m->version = v[1];
    m->day = (int32_t)v[2];
    m->total = (int)v[3];
    m->flags = (unsigned)v[4];
    m->item9 = phq9 ? (int)v[5] : -1;
    return true;
}

/* The program and summary columns of one row (PROGRAM_COLUMNS, then
 * SUMMARY_COLUMNS), as facts_from_summary() reads them: read from a
 * statement, texts borrowed until it steps again (row_read()), or with the
 * texts copied for the scan's second thread. */
enum { ROW_NCOLUMNS = 7 + 26, ROW_AS_OF = 7 };

struct row_value {
    long long i;      /* integer columns */
    double d;         /* the real column */
    const char *text; /* text columns; NULL for NULL */
    size_t len;       /* text's bytes */
};

struct summary_row {
    bool has_program, has_as_of; /* PROGRAM_COLUMNS' first and as_of are not NULL */
    struct row_value v[ROW_NCOLUMNS];
};

/* How each column is read: as an integer, a real or a text. */
enum { KI, KR, KT };
static const unsigned char row_kind[ROW_NCOLUMNS] = {
    KI, KI, KI, KI, KI, KR, KI,         /* the program's thresholds and minimum */
    KI,                                 /* as_of */
    KT, KT, KT, KT, KT, KT, KT,         /* phq9 ... cssrs */
    KT, KT, KT,                         /* week0-2 */
    KI, KT, KI, KI, KT, KI, KI, KI, KI, /* ladder ... aftercare_filled */
    KT, KI, KI, KI, KI, KI,             /* lapse_week ... acks */
};

/* Reads the row's columns from c on. */
static void row_read(sqlite3_stmt *st, int c, struct summary_row *r)
{
    r->has_program = sqlite3_column_type(st, c) != SQLITE_NULL;
    r->has_as_of = sqlite3_column_type(st, c + ROW_AS_OF) != SQLITE_NULL;
    for (int k = 0; k < ROW_NCOLUMNS; k++) {
        struct row_value *v = &r->v[k];
        switch (row_kind[k]) {
        case KI:
            v->i = sqlite3_column_int64(st, c + k);
            break;
        case KR:
            v->d = sqlite3_column_double(st, c + k);
            break;
        default:
            /* strlen(): the texts are short, and sqlite3_column_bytes()
             * costs more than measuring them (readers stop at a NUL). */
            v->text = (const char *)sqlite3_column_text(st, c + k);
            v->len = v->text ? strlen(v->text) : 0;
            break;
        }
    }
}

/* What facts_from_summary() works out from today alone, once per scan. */
struct today_keys {
    int32_t today;
    int year, week, last_year, last_week;
    char this_week[CAIRN_WEEK_LEN + 1], last_week_key[CAIRN_WEEK_LEN + 1];
    char last_overdue[CAIRN_WEEK_LEN + 1]; /* cairn_review_last_overdue_week() */
};

static void today_keys_init(struct today_keys *t, int32_t today)
{
    t->today = today;
    cairn_date_isoweek(today, &t->year, &t->week);
    cairn_date_isoweek(cairn_isoweek_monday(t->year, t->week) - 7, &t->last_year, &t->last_week);
    cairn_isoweek_format(t->year, t->week, t->this_week);
    cairn_isoweek_format(t->last_year, t->last_week, t->last_week_key);
    cairn_review_last_overdue_week(today, t->last_overdue);
}

/* Week (year, week), whose key is `key`, from the summary's three weeks
 * (texts weeks[0..2]), judged against the minimum as of today; false when
 * the summary cannot say. */
static bool week_from_summary(const struct row_value *weeks, const char *key, int year, int week,
                              double min_hours, int min_days, int32_t today,
                              struct cairn_attendance_week *out)
{
    memset(out, 0, sizeof *out);
    out->iso_year = year;
    out->week = week;
    const char *newest = weeks[0].text;
    bool found = !newest; /* no attendance at all */
    for (int i = 0; i < 3 && !found; i++) {
        const char *t = weeks[i].text;
        if (!t || strncmp(t, key, CAIRN_WEEK_LEN) != 0 || t[CAIRN_WEEK_LEN] != ':')
            continue;
        long long v[7];
        if (!read_ints(t + CAIRN_WEEK_LEN + 1, v, 7))
            return false;
        out->minutes_attended = (int)v[0];
        out->days_attended = (int)v[1];
        out->sessions = (int)v[2];
        out->attended = (int)v[3];
        out->late = (int)v[4];
        out->absent = (int)v[5];
        out->excused = (int)v[6];
        found = true;
    }
    /* A week after the newest one kept has no attendance. */
    if (!found && strncmp(key, newest, CAIRN_WEEK_LEN) > 0)
        found = true;
    if (found)
        cairn_attendance_week_judge(out, min_hours, min_days, today);
    return found;
}

/* The unsigned reviews that are overdue as of today (the last overdue
 * week is `last`), from the summary's list of unsigned weeks. */
static bool reviews_from_summary(int64_t first_id, const char *weeks, const char *last,
                                 struct cairn_alert_facts *f)
{
    if (!weeks)
        return false;
    for (const char *w = weeks; *w; w += w[CAIRN_WEEK_LEN] ? CAIRN_WEEK_LEN + 1 : CAIRN_WEEK_LEN) {
        if (strncmp(w, last, CAIRN_WEEK_LEN) > 0)
            break;
        if (!f->overdue_reviews++) {
            f->overdue_review_id = first_id;
            memcpy(f->overdue_week, w, CAIRN_WEEK_LEN);
            f->overdue_week[CAIRN_WEEK_LEN] = '\0';
        }
    }
    return true;
}

/* Columns a summary adds to a select list, in facts_from_summary()'s order. */
#define SUMMARY_COLUMNS                                                                            \
    "sm.as_of, sm.phq9, sm.phq9_previous, sm.phq9_baseline, sm.gad7, sm.gad7_previous, "           \
    "sm.gad7_baseline, sm.cssrs, sm.week0, sm.week1, sm.week2, sm.ladder_id, sm.ladder_name, "     \
    "sm.ladder_since, sm.review_first_id, sm.review_weeks, sm.plan_id, sm.plan_next_review, "      \
    "sm.has_aftercare, sm.aftercare_filled, sm.lapse_week, sm.lapses, sm.relapses, "               \
    "sm.last_lapse_id, sm.last_lapse_day, sm.acks"
/* And the program's thresholds and minimum, when there is one. */
#define PROGRAM_COLUMNS                                                                            \
    "pr.alert_phq9_rise, pr.alert_gad7_rise, pr.alert_absences_per_week, "                         \
    "pr.alert_ladder_stall_days, pr.alert_discharge_planning_days, pr.min_hours_per_week, "        \
    "pr.min_days_per_week"

/* Fills *f (facts_init() done, as of t->today) from row r; false when
 * there is no summary or it cannot answer for today. */
static bool facts_from_summary(const struct summary_row *r, const struct today_keys *t,
                               struct cairn_alert_facts *f)
{
    const struct row_value *v = r->v;
    double min_hours = 0;
    int min_days = 0;
    if (r->has_program) {
        f->thresholds.phq9_rise = (int)v[0].i;
        f->thresholds.gad7_rise = (int)v[1].i;
        f->thresholds.absences_per_week = (int)v[2].i;
        f->thresholds.ladder_stall_days = (int)v[3].i;
        f->thresholds.discharge_planning_days = (int)v[4].i;
        min_hours = v[5].d;
        min_days = (int)v[6].i;
    }
    v += ROW_AS_OF;
    if (!r->has_as_of || v[0].i > f->today)
        return false;
    struct cairn_alert_score *scores[] = {&f->phq9, &f->phq9_previous, &f->phq9_baseline,
                                          &f->gad7, &f->gad7_previous, &f->gad7_baseline,
                                          &f->cssrs};
    for (int i = 0; i < 7; i++)
        if (!score_decode(v[1 + i].text, i < 3, scores[i]))
            return false;
    if (!week_from_summary(&v[8], t->this_week, t->year, t->week, min_hours, min_days, f->today,
                           &f->this_week) ||
        !week_from_summary(&v[8], t->last_week_key, t->last_year, t->last_week, min_hours, min_days,
                           f->today, &f->last_week))
        return false;
    f->stalled_ladder_id = v[11].i;
    size_t n = v[12].len < sizeof f->stalled_ladder - 1 ? v[12].len : sizeof f->stalled_ladder - 1;
    if (n)
        memcpy(f->stalled_ladder, v[12].text, n);
    f->stalled_ladder[n] = '\0';
    f->stalled_since = (int32_t)v[13].i;
    if (!reviews_from_summary(v[14].i, v[15].text, t->last_overdue, f))
        return false;
    f->plan_id = v[16].i;
    f->plan_next_review = (int32_t)v[17].i;
    f->has_aftercare = (int)v[18].i != 0;
    f->aftercare_filled = (int)v[19].i != 0;
    if (v[20].text && strcmp(v[20].text, t->this_week) == 0) {
        f->lapses_this_week = (int)v[21].i;
        f->relapses_this_week = (int)v[22].i;
        f->last_lapse_id = v[23].i;
        f->last_lapse_day = (int32_t)v[24].i;
    }
    f->acks = (int)v[25].i;
    return true;
}

enum cairn_status cairn_alert_facts_load(struct cairn_store *s, const struct cairn_patient *p,
                                         struct cairn_alert_facts *f, struct cairn_error *err)
{
    facts_init(f, p, cairn_store_today(s));
    STORE_PREPARE(st, "SELECT " PROGRAM_COLUMNS ", " SUMMARY_COLUMNS
                      " FROM patient_summary sm LEFT JOIN program pr ON pr.id = ?2 "
                      "WHERE sm.patient_id = ?1");
    sqlite3_bind_int64(st, 1, p->id);
    sqlite3_bind_int64(st, 2, p->program_id);
    int src = sqlite3_step(st);
    bool ok = false;
    if (src == SQLITE_ROW && !s->summaries_off) {
        struct summary_row row;
        struct today_keys t;
        row_read(st, 0, &row);
        today_keys_init(&t, f->today);
        ok = facts_from_summary(&row, &t, f);
    }
    sqlite3_reset(st);
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        return store_fail(s, src, "reading the patient's summary", err);
    if (ok)
        return CAIRN_OK;
    s->summary_misses++;
    return facts_load_exact(s, p, f, err);
}

enum cairn_status store_alert_facts_exact(struct cairn_store *s, const struct cairn_patient *p,
                                          struct cairn_alert_facts *f, struct cairn_error *err)
{
    return facts_load_exact(s, p, f, err);
}

/* ---- the caseload's facts, one row per patient -------------------------- */

/* The patient's identity and care fields (scan_read_patient()), the
 * program's thresholds, and the summary: 16 + 7 + 26 columns. */
#define SCAN_PATIENT_NCOLUMNS 16
#define SCAN_MORE_COLUMN      (SCAN_PATIENT_NCOLUMNS + 7 + 26)
#define MORE_COLUMNS          "sm.phq9_trend, sm.gad7_trend, sm.reviews, sm.mastered"
#define SCAN_FROM                                                                                  \
    " FROM patient p LEFT JOIN program pr ON pr.id = p.program_id "                                \
    "LEFT JOIN patient_summary sm ON sm.patient_id = p.id "
#define SCAN_SELECT                                                                                \
    "SELECT p.id, p.mrn, p.legal_name, p.preferred_name, p.program_id, pr.code, "                  \
    "p.admission_date, p.expected_discharge_date, p.discharge_date, p.status, p.therapist_id, "    \
    "p.case_manager_id, p.peer_mentor_id, p.risk_level, p.version, p.name_key, " PROGRAM_COLUMNS   \
    ", " SUMMARY_COLUMNS ", " MORE_COLUMNS SCAN_FROM
/* The same columns for the alert facts alone (store_facts_scan_split()):
 * NULL for the patient fields they do not read, no report columns. */
#define SCAN_SELECT_FACTS                                                                          \
    "SELECT p.id, p.mrn, p.legal_name, p.preferred_name, p.program_id, NULL, "                     \
    "p.admission_date, p.expected_discharge_date, NULL, p.status, NULL, NULL, NULL, NULL, NULL, "  \
    "p.name_key, " PROGRAM_COLUMNS ", " SUMMARY_COLUMNS SCAN_FROM
/* One parameter per status (?4 to ?8), NULL for a status not asked for:
 * cheaper per row than matching the status in a list held in one text. */
#define SCAN_STATUS "p.status IN (?4, ?5, ?6, ?7, ?8) "
_Static_assert(CAIRN_PATIENT_STATUS__COUNT == 5, "SCAN_STATUS has one parameter per status");

/* Reads SCAN_SELECT's patient columns into *p, whose other fields stay
 * as they are (cleared once by the caller); with facts_only, those
 * SCAN_SELECT_FACTS selects. */
static void scan_read_patient(sqlite3_stmt *st, struct cairn_patient *p, bool facts_only)
{
    char text[32];
    p->id = sqlite3_column_int64(st, 0);
    store_col_text(st, 1, p->mrn, sizeof p->mrn);
    store_col_text(st, 2, p->legal_name, sizeof p->legal_name);
    store_col_text(st, 3, p->preferred_name, sizeof p->preferred_name);
    p->program_id = sqlite3_column_int64(st, 4);
    store_col_text(st, 6, p->admission_date, sizeof p->admission_date);
    store_col_text(st, 7, p->expected_discharge_date, sizeof p->expected_discharge_date);
    store_col_text(st, 9, text, sizeof text);
    if (cairn_patient_status_parse(text, &p->status, NULL) != CAIRN_OK)
        p->status = CAIRN_PATIENT_REFERRED; /* the CHECK constraint rules this out */
    store_col_text(st, 15, p->name_key, sizeof p->name_key);
    if (facts_only)
        return;
    store_col_text(st, 5, p->program_code, sizeof p->program_code);
    store_col_text(st, 8, p->discharge_date, sizeof p->discharge_date);
    p->therapist_id = sqlite3_column_int64(st, 10);
    p->case_manager_id = sqlite3_column_int64(st, 11);
    p->peer_mentor_id = sqlite3_column_int64(st, 12);
    store_col_text(st, 13, text, sizeof text);
    if (cairn_risk_parse(text, &p->risk, NULL) != CAIRN_OK)
        p->risk = CAIRN_RISK_UNSET;
    p->version = sqlite3_column_int64(st, 14);
}

/* The scan's statement for filter (SCAN_SELECT, or with facts_only
 * SCAN_SELECT_FACTS), bound; NULL with err filled. */
static sqlite3_stmt *scan_statement(struct cairn_store *s, const struct store_facts_filter *filter,
                                    bool facts_only, struct cairn_error *err)
{
    /* Name order walks patient_by_name and fetches each row where it
     * lies; storage order reads the table and the summaries (keyed by the
     * same id) once each, front to back. */
#define SCAN_EVERYONE(select) select "WHERE " SCAN_STATUS "AND (?3 = 0 OR p.program_id = ?3) "
#define SCAN_CLINICIAN(select)                                                                     \
    select "WHERE (p.therapist_id = ?2 OR p.case_manager_id = ?2) AND " SCAN_STATUS                \
           "AND (?3 = 0 OR p.program_id = ?3) "
#define SCAN_FLAGGED(select)                                                                       \
    select "WHERE p.id IN (SELECT patient_id FROM measure WHERE flags <> '') AND " SCAN_STATUS     \
           "AND (?2 = 0 OR p.therapist_id = ?2 OR p.case_manager_id = ?2) "                        \
           "AND (?3 = 0 OR p.program_id = ?3) "
#define BY_NAME "ORDER BY p.name_key, p.id"
#define SCAN_SQL(select)                                                                           \
    {                                                                                              \
        {SCAN_EVERYONE(select) "AND p.id BETWEEN ?9 AND ?10 ORDER BY p.id",                        \
         SCAN_EVERYONE(select) BY_NAME},                                                           \
            {SCAN_CLINICIAN(select) "AND p.id BETWEEN ?9 AND ?10",                                 \
             SCAN_CLINICIAN(select) BY_NAME},                                                      \
            {SCAN_FLAGGED(select), SCAN_FLAGGED(select) BY_NAME},                                  \
    }
    static const char *const sql[2][3][2] = {SCAN_SQL(SCAN_SELECT), SCAN_SQL(SCAN_SELECT_FACTS)};
#undef SCAN_EVERYONE
#undef SCAN_CLINICIAN
#undef SCAN_FLAGGED
#undef BY_NAME
#undef SCAN_SQL
    int which = filter->flagged ? 2 : filter->clinician > 0 ? 1 : 0;
    sqlite3_stmt *st = store_stmt(s, sql[facts_only][which][filter->by_name], err);
    if (!st)
        return NULL;
    for (int i = 0; i < CAIRN_PATIENT_STATUS__COUNT; i++)
        if (filter->status_mask & (1u << i))
            sqlite3_bind_text(st, 4 + i, cairn_patient_status_str((enum cairn_patient_status)i), -1,
                              SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, filter->clinician);
    sqlite3_bind_int64(st, 3, filter->program_id);
    if (which < 2 && !filter->by_name) {
        sqlite3_bind_int64(st, 9, filter->id_to > 0 ? filter->id_from : INT64_MIN);
        sqlite3_bind_int64(st, 10, filter->id_to > 0 ? filter->id_to : INT64_MAX);
    }
    return st;
}

enum cairn_status store_facts_scan(struct cairn_store *s, const struct store_facts_filter *filter,
                                   store_facts_fn fn, void *ctx, struct cairn_error *err)
{
    bool began;
    enum cairn_status rc = store_read_begin(s, &began, err);
    if (rc != CAIRN_OK)
        return rc;
    struct cairn_patient *p = calloc(1, sizeof *p);
    struct cairn_alert_facts *f = malloc(sizeof *f);
    struct summary_row *row = malloc(sizeof *row);
    if (!p || !f || !row) {
        rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading the caseload");
        goto out;
    }
    sqlite3_stmt *st = scan_statement(s, filter, filter->facts_only, err);
    if (!st) {
        rc = err ? err->status : CAIRN_ERR_DB;
        goto out;
    }
    struct today_keys t;
    today_keys_init(&t, cairn_store_today(s));
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        scan_read_patient(st, p, filter->facts_only);
        facts_init(f, p, t.today);
        struct store_summary_more more, *with = filter->facts_only ? NULL : &more;
        bool ok = false;
        if (!s->summaries_off) {
            row_read(st, SCAN_PATIENT_NCOLUMNS, row);
            ok = facts_from_summary(row, &t, f);
        }
        if (!ok) {
            s->summary_misses++;
            with = NULL;
            if ((rc = facts_load_exact(s, p, f, err)) != CAIRN_OK)
                break;
        } else if (with) {
            more.phq9_trend = (const char *)sqlite3_column_text(st, SCAN_MORE_COLUMN);
            more.gad7_trend = (const char *)sqlite3_column_text(st, SCAN_MORE_COLUMN + 1);
            more.reviews = (const char *)sqlite3_column_text(st, SCAN_MORE_COLUMN + 2);
            more.mastered = (const char *)sqlite3_column_text(st, SCAN_MORE_COLUMN + 3);
        }
        if (fn(p, f, with, ctx)) {
            src = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    if (rc == CAIRN_OK && src != SQLITE_DONE)
        rc = store_fail(s, src, "reading the caseload", err);
out:
    store_read_end(s, began);
    free(p);
    free(f);
    free(row);
    return rc;
}

/* ---- the caseload's facts on two threads -------------------------------- */

/* One row copied for the second thread: the patient's fields and the
 * summary row, its texts in the batch's text buffer (offsets in `off`
 * until the batch is handed over). */
struct split_item {
    struct cairn_patient p;
    struct summary_row row;
    size_t off[ROW_NCOLUMNS];
};

/* A patient left to the caller's thread, with its facts when read. */
struct split_later {
    struct cairn_patient p;
    struct cairn_alert_facts f;
    bool exact; /* the summary could not answer: read the facts exactly */
};

struct split_batch {
    struct split_item *items; /* SPLIT_BATCH, their fields not read stay 0 */
    size_t n;
    char *text;
    size_t len, cap;
};

enum { SPLIT_BATCH = 64 };

struct split {
    const struct today_keys *t;
    store_facts_fn pure;
    void *ctx;
    struct split_batch batch[2];
    int filling; /* the batch being filled here */
    /* the worker's: patients left to the caller's thread, facts, misses */
    struct split_later *later;
    size_t nlater, later_cap;
    struct cairn_alert_facts f;
    unsigned long misses;
    bool nomem; /* the worker's: keeping a patient for later */
    bool started, no_thread;
    pthread_t worker;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct split_batch *handed; /* under lock: the worker's batch, NULL when idle */
    bool stop;                  /* under lock: pure asked to stop, or memory ran out */
    bool quit;                  /* under lock */
};

static bool split_keep_later(struct split *w, const struct cairn_patient *p,
                             const struct cairn_alert_facts *f, bool exact)
{
    if (w->nlater == w->later_cap) {
        size_t cap = w->later_cap ? 2 * w->later_cap : 16;
        struct split_later *v = realloc(w->later, cap * sizeof *v);
        if (!v)
            return false;
        w->later = v;
        w->later_cap = cap;
    }
    struct split_later *l = &w->later[w->nlater++];
    l->p = *p;
    if (f)
        l->f = *f;
    l->exact = exact;
    return true;
}

/* Reads the facts of each of b's rows and calls pure; false to stop. */
static bool split_run(struct split *w, struct split_batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        struct split_item *it = &b->items[i];
        for (int k = 0; k < ROW_NCOLUMNS; k++)
            if (row_kind[k] == KT)
                it->row.v[k].text = it->off[k] == (size_t)-1 ? NULL : b->text + it->off[k];
        facts_init(&w->f, &it->p, w->t->today);
        int r;
        if (!facts_from_summary(&it->row, w->t, &w->f)) {
            w->misses++;
            r = split_keep_later(w, &it->p, NULL, true) ? 0 : -1;
        } else {
            r = w->pure(&it->p, &w->f, NULL, w->ctx);
            if (r == STORE_FACTS_LATER)
                r = split_keep_later(w, &it->p, &w->f, false) ? 0 : -1;
        }
        if (r == -1)
            w->nomem = true;
        if (r != 0)
            return false;
    }
    return true;
}

static void *split_worker(void *vw)
{
    struct split *w = vw;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->handed && !w->quit)
            pthread_cond_wait(&w->cond, &w->lock);
        if (!w->handed)
            break;
        struct split_batch *b = w->handed;
        pthread_mutex_unlock(&w->lock);
        bool go_on = split_run(w, b);
        pthread_mutex_lock(&w->lock);
        w->stop = w->stop || !go_on;
        w->handed = NULL;
        pthread_cond_broadcast(&w->cond);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* Copies the statement's row into the batch being filled; false when
 * memory ran out. */
static bool split_copy(struct split *w, sqlite3_stmt *st)
{
    struct split_batch *b = &w->batch[w->filling];
    struct split_item *it = &b->items[b->n];
    scan_read_patient(st, &it->p, true);
    row_read(st, SCAN_PATIENT_NCOLUMNS, &it->row);
    for (int k = 0; k < ROW_NCOLUMNS; k++) {
        if (row_kind[k] != KT)
            continue;
        const struct row_value *v = &it->row.v[k];
        if (!v->text) {
            it->off[k] = (size_t)-1;
            continue;
        }
        if (b->cap - b->len < v->len + 1) {
            size_t cap = b->cap ? b->cap : 65536;
            while (cap - b->len < v->len + 1)
                cap *= 2;
            char *grown = realloc(b->text, cap);
            if (!grown)
                return false;
            b->text = grown;
            b->cap = cap;
        }
        memcpy(b->text + b->len, v->text, v->len + 1);
        it->off[k] = b->len;
        b->len += v->len + 1;
    }
    b->n++;
    return true;
}

/* Waits for the worker to be idle; returns whether to go on. */
static bool split_wait(struct split *w)
{
    pthread_mutex_lock(&w->lock);
    while (w->handed)
        pthread_cond_wait(&w->cond, &w->lock);
    bool go_on = !w->stop;
    pthread_mutex_unlock(&w->lock);
    return go_on;
}

/* Hands the batch being filled over (to the worker, started on the
 * first; without one, runs it here) and empties the other for filling.
 * Returns whether to go on. */
static bool split_hand_over(struct split *w)
{
    struct split_batch *b = &w->batch[w->filling];
    if (!w->started && !w->no_thread) {
        w->started = pthread_create(&w->worker, NULL, split_worker, w) == 0;
        w->no_thread = !w->started;
    }
    if (w->no_thread) {
        bool go_on = split_run(w, b);
        b->n = b->len = 0;
        return go_on;
    }
    if (!split_wait(w))
        return false;
    pthread_mutex_lock(&w->lock);
    w->handed = b;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
    w->filling ^= 1;
    w->batch[w->filling].n = w->batch[w->filling].len = 0;
    return true;
}

enum cairn_status store_facts_scan_split(struct cairn_store *s,
                                         const struct store_facts_filter *filter,
                                         store_facts_fn pure, store_facts_fn later, void *ctx,
                                         struct cairn_error *err)
{
    if (s->summaries_off)
        return store_facts_scan(s, filter, later, ctx, err);
    bool began, locks = false;
    enum cairn_status rc = store_read_begin(s, &began, err);
    if (rc != CAIRN_OK)
        return rc;
    struct today_keys t;
    today_keys_init(&t, cairn_store_today(s));
    struct split *w = calloc(1, sizeof *w);
    if (!w || !(w->batch[0].items = calloc(SPLIT_BATCH, sizeof *w->batch[0].items)) ||
        !(w->batch[1].items = calloc(SPLIT_BATCH, sizeof *w->batch[1].items))) {
        rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading the caseload");
        goto out;
    }
    w->t = &t;
    w->pure = pure;
    w->ctx = ctx;
    if (pthread_mutex_init(&w->lock, NULL) == 0) {
        if (pthread_cond_init(&w->cond, NULL) == 0)
            locks = true;
        else
            pthread_mutex_destroy(&w->lock);
    }
    w->no_thread = !locks;
    sqlite3_stmt *st = scan_statement(s, filter, true, err);
    if (!st) {
        rc = err ? err->status : CAIRN_ERR_DB;
        goto out;
    }
    int src = SQLITE_DONE;
    bool go_on = true, copy_failed = false;
    while (go_on && (src = sqlite3_step(st)) == SQLITE_ROW) {
        if (!split_copy(w, st)) {
            copy_failed = true;
            break;
        }
        if (w->batch[w->filling].n == SPLIT_BATCH)
            go_on = split_hand_over(w);
    }
    if (!go_on)
        src = SQLITE_DONE;
    /* The rest of the rows: here, once the worker is done. */
    if (w->started && !split_wait(w))
        go_on = false;
    if (go_on && !w->nomem && !copy_failed && src == SQLITE_DONE) {
        struct split_batch *b = &w->batch[w->filling];
        go_on = split_run(w, b);
        b->n = b->len = 0;
    }
    sqlite3_reset(st);
    if (w->nomem || copy_failed)
        rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading the caseload");
    else if (src != SQLITE_DONE)
        rc = store_fail(s, src, "reading the caseload", err);
    s->summary_misses += w->misses;
    /* Then what the worker left to this thread, in the same snapshot. */
    for (size_t i = 0; rc == CAIRN_OK && go_on && i < w->nlater; i++) {
        struct split_later *l = &w->later[i];
        if (l->exact && (rc = facts_load_exact(s, &l->p, &l->f, err)) != CAIRN_OK)
            break;
        if (later(&l->p, &l->f, NULL, ctx))
            go_on = false;
    }
out:
    if (w && w->started) {
        split_wait(w);
        pthread_mutex_lock(&w->lock);
        w->quit = true;
        pthread_cond_broadcast(&w->cond);
        pthread_mutex_unlock(&w->lock);
        pthread_join(w->worker, NULL);
    }
    if (locks) {
        pthread_cond_destroy(&w->cond);
        pthread_mutex_destroy(&w->lock);
    }
    store_read_end(s, began);
    if (w) {
        for (int i = 0; i < 2; i++) {
            free(w->batch[i].items);
            free(w->batch[i].text);
        }
        free(w->later);
    }
    free(w);
    return rc;
}

enum cairn_status store_patient_halves(struct cairn_store *s, int64_t from[2], int64_t to[2],
                                       struct cairn_error *err)
{
    /* Two subqueries: each is one seek to an end of the table, where
     * min(id), max(id) together scan it. */
    STORE_PREPARE(st, "SELECT (SELECT min(id) FROM patient), (SELECT max(id) FROM patient)");
    int src = sqlite3_step(st);
    int64_t lo = src == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    int64_t hi = src == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
    sqlite3_reset(st);
    if (src != SQLITE_ROW)
        return store_fail(s, src, "reading patients", err);
    if (hi < lo)
        hi = lo;
    from[0] = lo;
    to[0] = lo + (hi - lo) / 2;
    from[1] = to[0] + 1;
    to[1] = hi;
    return CAIRN_OK;
}

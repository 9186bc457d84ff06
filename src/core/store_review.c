/* Weekly reviews in the database: the snapshot computed from the tracking
 * tables, the due list, and the review's life (start, save, sign, co-sign,
 * addenda), each write in one transaction with its audit row. The
 * database's triggers (0007_review.sql) keep a signed review frozen
 * whatever code runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/alert.h"
#include "cairn/review.h"
#include "cairn/text.h"
#include "store_internal.h"

/* --- small helpers ----------------------------------------------------------- */

/* Resolves `week` (NULL: the store's this week) into its text and days. */
static enum cairn_status resolve_week(struct cairn_store *s, const char *week,
                                      char out[CAIRN_WEEK_LEN + 1], int32_t *monday,
                                      struct cairn_error *err)
{
    int y, w;
    if (week) {
        enum cairn_status rc = cairn_isoweek_parse(week, &y, &w, err);
        if (rc != CAIRN_OK) {
            if (err)
                snprintf(err->pointer, sizeof err->pointer, "week");
            return rc;
        }
    } else {
        cairn_date_isoweek(cairn_store_today(s), &y, &w);
    }
    cairn_isoweek_format(y, w, out);
    *monday = cairn_isoweek_monday(y, w);
    return CAIRN_OK;
}

static void date_text(int32_t day, char out[CAIRN_DATE_LEN + 1])
{
    cairn_date_format(day, out);
}

/* The acting login's staff row, which must be active; `doing` completes
 * "… may not <doing>". */
static enum cairn_status acting_staff(struct cairn_store *s, struct cairn_staff *me,
                                      const char *doing, struct cairn_error *err)
{
    const char *login = cairn_store_actor_login(s);
    struct cairn_error e;
    enum cairn_status rc = cairn_staff_find(s, login, me, &e);
    if (rc == CAIRN_ERR_NOT_FOUND || (rc == CAIRN_OK && !me->active))
        return cairn_error_set(err, CAIRN_ERR_DENIED,
                               "the acting user '%s' is not %sstaff, so may not %s; an "
                               "administrator adds them with `cairn staff add`",
                               login, rc == CAIRN_OK ? "active " : "", doing);
    if (rc != CAIRN_OK && err)
        *err = e;
    return rc;
}

/* --- the snapshot -------------------------------------------------------------- */

struct thresholds {
    int phq9, gad7;
};

static enum cairn_status program_thresholds(struct cairn_store *s, int64_t program_id,
                                            struct thresholds *t, struct cairn_error *err)
{
    t->phq9 = cairn_instrument_get(CAIRN_INSTRUMENT_PHQ9)->reliable_change;
    t->gad7 = cairn_instrument_get(CAIRN_INSTRUMENT_GAD7)->reliable_change;
    if (!program_id)
        return CAIRN_OK;
    STORE_PREPARE(st, "SELECT alert_phq9_rise, alert_gad7_rise FROM program WHERE id = ?1");
    sqlite3_bind_int64(st, 1, program_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        t->phq9 = sqlite3_column_int(st, 0);
        t->gad7 = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? CAIRN_OK
                                                 : store_fail(s, rc, "reading a program", err);
}

/* One of the patient's scores of `code`: the first (which = 0), the latest
 * on or before `to` (1), or the latest before `before` (2). */
static enum cairn_status score_at(struct cairn_store *s, int64_t patient_id, const char *code,
                                  int which, const char *date, bool *found, int64_t *id, int *total,
                                  char *band, size_t band_size, char *when, struct cairn_error *err)
{
    static const char first_sql[] = "SELECT id, total, band, date FROM measure WHERE patient_id = "
                                    "?1 AND instrument = ?2 ORDER BY date, id LIMIT 1";
    static const char upto_sql[] =
        "SELECT id, total, band, date FROM measure WHERE patient_id = ?1 AND instrument = ?2 "
        "AND date <= ?3 ORDER BY date DESC, id DESC LIMIT 1";
    static const char before_sql[] =
        "SELECT id, total, band, date FROM measure WHERE patient_id = ?1 AND instrument = ?2 "
        "AND date < ?3 ORDER BY date DESC, id DESC LIMIT 1";
    STORE_PREPARE(st, which == 0 ? first_sql : which == 1 ? upto_sql : before_sql);
    sqlite3_bind_int64(st, 1, patient_id);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
    if (which)
        sqlite3_bind_text(st, 3, date, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (*found) {
        *id = sqlite3_column_int64(st, 0);
        *total = sqlite3_column_int(st, 1);
        store_col_text(st, 2, band, band_size);
        store_col_text(st, 3, when, CAIRN_DATE_LEN + 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? CAIRN_OK
                                                 : store_fail(s, rc, "reading measures", err);
}

static enum cairn_status snapshot_measure(struct cairn_store *s, int64_t patient_id,
                                          enum cairn_instrument instrument, const char *from,
                                          const char *to, int reliable,
                                          struct cairn_review_measure *m, struct cairn_error *err)
{
    const struct cairn_instrument_def *def = cairn_instrument_get(instrument);
    char band[32], date[CAIRN_DATE_LEN + 1];
    int64_t id = 0, first_id = 0, prev_id = 0;
    int total = 0;
    bool found;
    enum cairn_status rc;
    memset(m, 0, sizeof *m);
    if ((rc = score_at(s, patient_id, def->code, 1, to, &m->has, &id, &m->total, m->band,
                       sizeof m->band, m->date, err)) != CAIRN_OK ||
        !m->has)
        return rc;
    if ((rc = score_at(s, patient_id, def->code, 0, NULL, &found, &first_id, &total, band,
                       sizeof band, date, err)) != CAIRN_OK)
        return rc;
    if (found && first_id != id) {
        m->has_baseline = true;
        m->baseline = total;
        struct cairn_measure_change change;
        cairn_measure_change(def, total, m->total, reliable, &change);
        for (size_t i = 0; i < change.nlabels && i < 4; i++)
            snprintf(m->labels[m->nlabels++], sizeof m->labels[0], "%s", change.labels[i].text);
    }
    if ((rc = score_at(s, patient_id, def->code, 2, from, &found, &prev_id, &total, band,
                       sizeof band, date, err)) != CAIRN_OK)
        return rc;
    if (found && prev_id != id) {
        m->has_last_week = true;
        m->last_week = total;
    }
    return CAIRN_OK;
}

/* Runs a statement binding (patient, from, to) that returns one row of
 * integers into out[0..n-1] (NULL reads 0). */
static enum cairn_status count_row(struct cairn_store *s, sqlite3_stmt *st, int64_t patient_id,
                                   const char *from, const char *to, int *out, int n,
                                   struct cairn_error *err)
{
    sqlite3_bind_int64(st, 1, patient_id);
    if (from)
        sqlite3_bind_text(st, 2, from, -1, SQLITE_TRANSIENT);
    if (to)
        sqlite3_bind_text(st, 3, to, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    for (int i = 0; i < n; i++)
        out[i] = rc == SQLITE_ROW ? sqlite3_column_int(st, i) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? CAIRN_OK
                                                 : store_fail(s, rc, "computing a review", err);
}

/* The head plan's social goals, read straight from its canonical JSON
 * (cheaper than loading the whole plan), with this week's tallies. */
static enum cairn_status snapshot_goals(struct cairn_store *s, int64_t patient_id, const char *week,
                                        struct cairn_review_snapshot *snap, struct cairn_error *err)
{
    STORE_PREPARE(st,
                  "SELECT json_extract(g.value, '$.key'), json_extract(g.value, '$.text'), "
                  "json_extract(g.value, '$.weekly_target'), (SELECT t.done FROM goal_tally t "
                  "WHERE t.plan_id = p.id AND t.goal_key = json_extract(g.value, '$.key') AND "
                  "t.week = ?2) FROM plan p JOIN plan_revision r ON r.plan_id = p.id AND "
                  "r.revision = p.revision, json_each(r.content_json, '$.sections.social_goals') "
                  "g WHERE p.patient_id = ?1 ORDER BY g.key");
    sqlite3_bind_int64(st, 1, patient_id);
    sqlite3_bind_text(st, 2, week, -1, SQLITE_TRANSIENT);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW && snap->ngoals < CAIRN_PLAN_ITEMS_MAX) {
        struct cairn_review_goal *g = &snap->goals[snap->ngoals++];
        store_col_text(st, 0, g->key, sizeof g->key);
        store_col_text(st, 1, g->text, sizeof g->text);
        g->target = sqlite3_column_int(st, 2);
        g->done = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 3);
    }
    sqlite3_reset(st);
    return step == SQLITE_ROW || step == SQLITE_DONE
               ? CAIRN_OK
               : store_fail(s, step, "reading social goals", err);
}

enum cairn_status cairn_review_snapshot_compute(struct cairn_store *s,
                                                const struct cairn_patient *p, const char *week,
                                                struct cairn_review_snapshot *snap,
                                                struct cairn_error *err)
{
    int32_t monday;
    enum cairn_status rc;
    memset(snap, 0, sizeof *snap);
    if ((rc = resolve_week(s, week, snap->week, &monday, err)) != CAIRN_OK)
        return rc;
    date_text(monday, snap->from);
    date_text(monday + 6, snap->to);
    cairn_timestamp_now(snap->computed_at);
    int y, w;
    cairn_date_isoweek(monday, &y, &w);
    struct thresholds t;
    if ((rc = cairn_attendance_week_load(s, p->id, y, w, &snap->attendance, err)) != CAIRN_OK ||
        (rc = program_thresholds(s, p->program_id, &t, err)) != CAIRN_OK ||
        (rc = snapshot_measure(s, p->id, CAIRN_INSTRUMENT_PHQ9, snap->from, snap->to, t.phq9,
                               &snap->phq9, err)) != CAIRN_OK ||
        (rc = snapshot_measure(s, p->id, CAIRN_INSTRUMENT_GAD7, snap->from, snap->to, t.gad7,
                               &snap->gad7, err)) != CAIRN_OK)
        return rc;
    {
        STORE_PREPARE(st, "SELECT band FROM measure WHERE patient_id = ?1 AND instrument = "
                          "'cssrs_screen' AND date BETWEEN ?2 AND ?3 ORDER BY date DESC, id DESC "
                          "LIMIT 1");
        sqlite3_bind_int64(st, 1, p->id);
        sqlite3_bind_text(st, 2, snap->from, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, snap->to, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW)
            store_col_text(st, 0, snap->cssrs, sizeof snap->cssrs);
        sqlite3_reset(st);
        if (step != SQLITE_ROW && step != SQLITE_DONE)
            return store_fail(s, step, "reading measures", err);
    }
    int v[2];
    {
        STORE_PREPARE(st, "SELECT count(*) FROM ladder_attempt WHERE patient_id = ?1 AND date "
                          "BETWEEN ?2 AND ?3");
        if ((rc = count_row(s, st, p->id, snap->from, snap->to, v, 1, err)) != CAIRN_OK)
            return rc;
        snap->attempts = v[0];
    }
    {
        STORE_PREPARE(st, "SELECT count(*), total(st.status = 'mastered') FROM ladder_step st "
                          "JOIN ladder l ON l.id = st.ladder_id WHERE l.patient_id = ?1 AND "
                          "l.status = 'active' AND st.retired = 0");
        if ((rc = count_row(s, st, p->id, NULL, NULL, v, 2, err)) != CAIRN_OK)
            return rc;
        snap->steps_total = v[0];
        snap->steps_mastered = v[1];
    }
    {
        /* A step counts as mastered this week when it is mastered and its
         * latest attempt (the one that decided it) falls in the week. */
        STORE_PREPARE(st, "SELECT count(*) FROM ladder_step st JOIN ladder l ON l.id = "
                          "st.ladder_id WHERE l.patient_id = ?1 AND l.status = 'active' AND "
                          "st.retired = 0 AND st.status = 'mastered' AND (SELECT max(a.date) "
                          "FROM ladder_attempt a WHERE a.step_id = st.id) BETWEEN ?2 AND ?3");
        if ((rc = count_row(s, st, p->id, snap->from, snap->to, v, 1, err)) != CAIRN_OK)
            return rc;
        snap->steps_mastered_week = v[0];
    }
    {
        STORE_PREPARE(st, "SELECT total(kind = 'lapse'), total(kind = 'relapse') FROM lapse "
                          "WHERE patient_id = ?1 AND date BETWEEN ?2 AND ?3");
        if ((rc = count_row(s, st, p->id, snap->from, snap->to, v, 2, err)) != CAIRN_OK)
            return rc;
        snap->lapses = v[0];
        snap->relapses = v[1];
    }
    if ((rc = snapshot_goals(s, p->id, snap->week, snap, err)) != CAIRN_OK)
        return rc;
    struct cairn_alert *alerts = calloc(CAIRN_ALERT__COUNT, sizeof *alerts);
    size_t n = 0;
    if (!alerts)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory computing a review");
    rc = cairn_alerts_for_patient(s, p, alerts, &n, err);
    for (size_t i = 0; rc == CAIRN_OK && i < n && i < CAIRN_ALERT__COUNT; i++) {
        struct cairn_review_alert *a = &snap->alerts[snap->nalerts++];
        snprintf(a->code, sizeof a->code, "%s", cairn_alert_code(alerts[i].rule));
        snprintf(a->severity, sizeof a->severity, "%s",
                 cairn_alert_severity_str(alerts[i].severity));
        snprintf(a->reason, sizeof a->reason, "%s", alerts[i].reason);
        a->acknowledged = alerts[i].acknowledged;
        snprintf(a->acked_by, sizeof a->acked_by, "%s", alerts[i].acked_by);
    }
    free(alerts);
    return rc;
}

/* --- reading a review ---------------------------------------------------------- */

#define REVIEW_COLUMNS                                                                             \
    "SELECT id, status, inputs_json, snapshot_json, started_by, started_at, signed_by, "           \
    "signed_at, cosigned_by, cosigned_at, version FROM review "

static enum cairn_review_status status_of(const char *text)
{
    for (int i = CAIRN_REVIEW_DUE; i <= CAIRN_REVIEW_COSIGNED; i++)
        if (text && !strcmp(text, cairn_review_status_str((enum cairn_review_status)i)))
            return (enum cairn_review_status)i;
    return CAIRN_REVIEW_DUE;
}

/* The program's checklist, every item unanswered. */
static enum cairn_status program_checklist(struct cairn_store *s, int64_t program_id,
                                           struct cairn_review_inputs *in, struct cairn_error *err)
{
    in->nchecks = 0;
    if (!program_id)
        return CAIRN_OK;
    STORE_PREPARE(st, "SELECT text FROM program_checklist_item WHERE program_id = ?1 ORDER BY "
                      "position");
    sqlite3_bind_int64(st, 1, program_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && in->nchecks < CAIRN_TEMPLATE_CHECKLIST_MAX) {
        struct cairn_review_check *c = &in->checks[in->nchecks++];
        store_col_text(st, 0, c->item, sizeof c->item);
        c->answer = -1;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? CAIRN_OK
               : store_fail(s, rc, "reading the program's checklist", err);
}

/* Loads the row of (p, r->week) into *r (r->id 0 when there is none),
 * with its addenda; the snapshot is parsed when frozen, left to the
 * caller otherwise. */
static enum cairn_status load_row(struct cairn_store *s, const struct cairn_patient *p,
                                  struct cairn_review *r, struct cairn_error *err)
{
    char week[CAIRN_WEEK_LEN + 1];
    memcpy(week, r->week, sizeof week);
    memset(r, 0, sizeof *r);
    memcpy(r->week, week, sizeof week);
    r->patient_id = p->id;
    snprintf(r->mrn, sizeof r->mrn, "%s", p->mrn);
    enum cairn_status rc = CAIRN_OK;
    char *inputs = NULL, *snapshot = NULL;
    {
        STORE_PREPARE(st, REVIEW_COLUMNS "WHERE patient_id = ?1 AND week = ?2");
        sqlite3_bind_int64(st, 1, p->id);
        sqlite3_bind_text(st, 2, r->week, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            r->id = sqlite3_column_int64(st, 0);
            r->status = status_of((const char *)sqlite3_column_text(st, 1));
            if (sqlite3_column_type(st, 2) != SQLITE_NULL)
                inputs = strdup((const char *)sqlite3_column_text(st, 2));
            if (sqlite3_column_type(st, 3) != SQLITE_NULL)
                snapshot = strdup((const char *)sqlite3_column_text(st, 3));
            store_col_text(st, 4, r->started_by, sizeof r->started_by);
            store_col_text(st, 5, r->started_at, sizeof r->started_at);
            store_col_text(st, 6, r->signed_by, sizeof r->signed_by);
            store_col_text(st, 7, r->signed_at, sizeof r->signed_at);
            store_col_text(st, 8, r->cosigned_by, sizeof r->cosigned_by);
            store_col_text(st, 9, r->cosigned_at, sizeof r->cosigned_at);
            r->version = sqlite3_column_int64(st, 10);
        }
        sqlite3_reset(st);
        if (step != SQLITE_ROW && step != SQLITE_DONE)
            return store_fail(s, step, "reading a review", err);
        if (step == SQLITE_ROW && ((sqlite3_column_type(st, 2) != SQLITE_NULL && !inputs) ||
                                   (sqlite3_column_type(st, 3) != SQLITE_NULL && !snapshot)))
            rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading a review");
    }
    if (rc == CAIRN_OK && inputs)
        rc = cairn_review_inputs_parse(inputs, &r->inputs, err);
    else if (rc == CAIRN_OK)
        rc = program_checklist(s, p->program_id, &r->inputs, err);
    if (rc == CAIRN_OK && snapshot)
        rc = cairn_review_snapshot_parse(snapshot, &r->snapshot, err);
    free(inputs);
    free(snapshot);
    if (rc != CAIRN_OK || !r->id)
        return rc;
    STORE_PREPARE(st, "SELECT author_login, created_at, text FROM review_addendum WHERE "
                      "review_id = ?1 ORDER BY id");
    sqlite3_bind_int64(st, 1, r->id);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW && r->naddenda < CAIRN_REVIEW_ADDENDA_MAX) {
        struct cairn_review_addendum *a = &r->addenda[r->naddenda++];
        store_col_text(st, 0, a->author, sizeof a->author);
        store_col_text(st, 1, a->at, sizeof a->at);
        store_col_text(st, 2, a->text, sizeof a->text);
    }
    sqlite3_reset(st);
    return step == SQLITE_ROW || step == SQLITE_DONE ? CAIRN_OK
                                                     : store_fail(s, step, "reading addenda", err);
}

/* Loads the row and, unless it is frozen, computes the snapshot now. */
static enum cairn_status load_full(struct cairn_store *s, const struct cairn_patient *p,
                                   struct cairn_review *r, struct cairn_error *err)
{
    enum cairn_status rc = load_row(s, p, r, err);
    if (rc == CAIRN_OK && r->id && r->status < CAIRN_REVIEW_SIGNED)
        rc = cairn_review_snapshot_compute(s, p, r->week, &r->snapshot, err);
    return rc;
}

enum cairn_status cairn_review_read(struct cairn_store *s, const struct cairn_patient *p,
                                    const char *week, struct cairn_review *r,
                                    struct cairn_error *err)
{
    int32_t monday;
    enum cairn_status rc = resolve_week(s, week, r->week, &monday, err);
    if (rc != CAIRN_OK)
        return rc;
    if ((rc = store_tx_begin(s, err)) != CAIRN_OK)
        return rc;
    rc = load_full(s, p, r, err);
    if (rc == CAIRN_OK && !r->id)
        rc = cairn_error_field(err, CAIRN_ERR_NOT_FOUND, "week", "MRN %s has no review for %s",
                               p->mrn, r->week);
    if (rc == CAIRN_OK)
        rc = store_audit(s, "read", "review", r->id, p->id, "", "ok", err);
    return store_tx_end(s, rc, err);
}

enum cairn_status cairn_review_load(struct cairn_store *s, const struct cairn_patient *p,
                                    const char *week, struct cairn_review *r,
                                    struct cairn_error *err)
{
    int32_t monday;
    enum cairn_status rc = resolve_week(s, week, r->week, &monday, err);
    if (rc == CAIRN_OK)
        rc = load_full(s, p, r, err);
    if (rc == CAIRN_OK && !r->id)
        rc = cairn_error_field(err, CAIRN_ERR_NOT_FOUND, "week", "MRN %s has no review for %s",
                               p->mrn, r->week);
    return rc;
}

/* --- the review's life ------------------------------------------------------- */

enum cairn_status cairn_review_start(struct cairn_store *s, const struct cairn_patient *p,
                                     const char *week, struct cairn_review *r, bool *existed,
                                     struct cairn_error *err)
{
    int32_t monday;
    struct cairn_staff me;
    *existed = false;
    enum cairn_status rc = resolve_week(s, week, r->week, &monday, err);
    if (rc != CAIRN_OK)
        return rc;
    int32_t today = cairn_store_today(s), admitted = 0, left = 0;
    if (!p->admission_date[0] || p->status == CAIRN_PATIENT_REFERRED)
        return cairn_error_set(err, CAIRN_ERR_TRANSITION,
                               "MRN %s has not been admitted: there is nothing to review yet",
                               p->mrn);
    cairn_date_parse(p->admission_date, &admitted, NULL);
    if (p->discharge_date[0])
        cairn_date_parse(p->discharge_date, &left, NULL);
    if (monday > today)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "week",
                                 "%s has not begun: a week is reviewed once it has started",
                                 r->week);
    if (monday + 6 < admitted)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "week",
                                 "%s ends before MRN %s was admitted (%s)", r->week, p->mrn,
                                 p->admission_date);
    if (left && monday > left)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "week",
                                 "%s begins after MRN %s was discharged (%s)", r->week, p->mrn,
                                 p->discharge_date);
    if ((rc = store_tx_begin(s, err)) != CAIRN_OK)
        return rc;
    if ((rc = acting_staff(s, &me, "start a review", err)) != CAIRN_OK ||
        (rc = load_row(s, p, r, err)) != CAIRN_OK)
        goto out;
    if (r->status == CAIRN_REVIEW_DRAFT) {
        *existed = true;
    } else if (r->status >= CAIRN_REVIEW_SIGNED) {
        rc = cairn_error_set(err, CAIRN_ERR_TRANSITION,
                             "the review of %s was signed by %s on %.10s; correct it with an "
                             "addendum",
                             r->week, r->signed_by, r->signed_at);
        goto out;
    } else {
        char *inputs = NULL, now[CAIRN_TIMESTAMP_LEN + 1];
        cairn_timestamp_now(now);
        if ((rc = program_checklist(s, p->program_id, &r->inputs, err)) != CAIRN_OK ||
            (rc = cairn_review_inputs_json(&r->inputs, &inputs, err)) != CAIRN_OK)
            goto out;
        static const char insert_sql[] =
            "INSERT INTO review (patient_id, week, status, inputs_json, started_by, started_at, "
            "created_at, updated_at) VALUES (?1, ?2, 'draft', ?3, ?4, ?5, ?5, ?5)";
        static const char update_sql[] =
            "UPDATE review SET status = 'draft', inputs_json = ?3, started_by = ?4, started_at = "
            "?5, updated_at = ?5, version = version + 1 WHERE patient_id = ?1 AND week = ?2";
        sqlite3_stmt *st = store_stmt(s, r->id ? update_sql : insert_sql, err);
        if (!st) {
            free(inputs);
            rc = err ? err->status : CAIRN_ERR_DB;
            goto out;
        }
        sqlite3_bind_int64(st, 1, p->id);
        sqlite3_bind_text(st, 2, r->week, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, inputs, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, me.login, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
        free(inputs);
        bool created = !r->id;
        if ((rc = store_step_done(s, st, "starting a review", err)) != CAIRN_OK)
            goto out;
        if ((rc = load_row(s, p, r, err)) != CAIRN_OK ||
            (rc = store_audit(s, created ? "create" : "update", "review", r->id, p->id, "status",
                              "ok", err)) != CAIRN_OK)
            goto out;
    }
    rc = cairn_review_snapshot_compute(s, p, r->week, &r->snapshot, err);
out:
    return store_tx_end(s, rc, err);
}

/* A review row as a change finds it, inside the change's transaction. */
struct review_row {
    enum cairn_review_status status;
    int64_t version, patient_id;
    char signed_by[CAIRN_LOGIN_MAX + 1];
    char *inputs; /* the stored inputs JSON when asked for (free()), else NULL */
};

/* The first steps of every change to review `id`, inside the caller's open
 * transaction: the acting login must be active staff (*me; `doing` words
 * the refusal), and the row is read as stored now (CAIRN_ERR_NOT_FOUND when
 * gone), with its inputs when `with_inputs`. */
static enum cairn_status begin_change(struct cairn_store *s, int64_t id, const char *doing,
                                      bool with_inputs, struct cairn_staff *me,
                                      struct review_row *row, struct cairn_error *err)
{
    memset(row, 0, sizeof *row);
    enum cairn_status rc = acting_staff(s, me, doing, err);
    if (rc != CAIRN_OK)
        return rc;
    STORE_PREPARE(st, "SELECT status, version, patient_id, signed_by, inputs_json FROM review "
                      "WHERE id = ?1");
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        row->status = status_of((const char *)sqlite3_column_text(st, 0));
        row->version = sqlite3_column_int64(st, 1);
        row->patient_id = sqlite3_column_int64(st, 2);
        store_col_text(st, 3, row->signed_by, sizeof row->signed_by);
        const unsigned char *t = sqlite3_column_text(st, 4);
        if (with_inputs && t && !(row->inputs = strdup((const char *)t)))
            rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading a review");
    }
    sqlite3_reset(st);
    if (step == SQLITE_DONE)
        return cairn_error_set(err, CAIRN_ERR_NOT_FOUND, "review %lld does not exist",
                               (long long)id);
    return step == SQLITE_ROW ? rc : store_fail(s, step, "reading a review", err);
}

/* Refuses an edit of a review no longer at `version`; audits the refusal. */
static enum cairn_status conflict(struct cairn_store *s, const struct cairn_review *r,
                                  int64_t stored, const char *action, struct cairn_error *err)
{
    store_tx_rollback(s);
    store_audit_refusal(s, action, "review", r->id, r->patient_id, "conflict");
    return cairn_error_set(err, CAIRN_ERR_CONFLICT,
                           "the review of %s changed since you opened it (you read version "
                           "%lld, it is now %lld)",
                           r->week, (long long)r->version, (long long)stored);
}

enum cairn_status cairn_review_save(struct cairn_store *s, struct cairn_review *r, bool *unchanged,
                                    struct cairn_error *err)
{
    struct review_row row;
    char *mine = NULL;
    struct cairn_review_inputs *stored = malloc(sizeof *stored);
    struct cairn_staff me;
    enum cairn_status rc;
    *unchanged = false;
    if (!stored)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory saving a review");
    if ((rc = cairn_review_inputs_validate(&r->inputs, false, err)) != CAIRN_OK) {
        free(stored);
        return rc;
    }
    if ((rc = store_tx_begin(s, err)) != CAIRN_OK) {
        free(stored);
        return rc;
    }
    if ((rc = begin_change(s, r->id, "edit a review", true, &me, &row, err)) != CAIRN_OK)
        goto out;
    if (row.status != CAIRN_REVIEW_DRAFT) {
        rc = cairn_error_set(err, CAIRN_ERR_TRANSITION,
                             row.status == CAIRN_REVIEW_DUE
                                 ? "the review of %s has not been started: run review start"
                                 : "the review of %s is signed and cannot change; add an "
                                   "addendum",
                             r->week);
        goto out;
    }
    if (row.version != r->version) {
        free(row.inputs);
        free(stored);
        return conflict(s, r, row.version, "update", err);
    }
    if (!row.inputs || (rc = cairn_review_inputs_parse(row.inputs, stored, err)) != CAIRN_OK) {
        if (rc == CAIRN_OK)
            rc = cairn_error_set(err, CAIRN_ERR_DB, "the stored review has no inputs");
        goto out;
    }
    /* The checklist is the program's: its items are kept, only answered. */
    bool same_items = stored->nchecks == r->inputs.nchecks;
    for (size_t i = 0; same_items && i < stored->nchecks; i++)
        same_items = !strcmp(stored->checks[i].item, r->inputs.checks[i].item);
    if (!same_items) {
        rc = cairn_error_field(err, CAIRN_ERR_INVALID, "checklist",
                               "the checklist items are the program's: answer them, do not "
                               "change them");
        goto out;
    }
    if ((rc = cairn_review_inputs_json(&r->inputs, &mine, err)) != CAIRN_OK)
        goto out;
    if (!strcmp(mine, row.inputs)) {
        *unchanged = true;
        goto out; /* rolled back: nothing written */
    }
    char fields[256] = "";
    size_t used = 0;
    if (stored->risk != r->inputs.risk)
        used += (size_t)snprintf(fields + used, sizeof fields - used, "risk");
    for (int f = 0; f < CAIRN_REVIEW__FIELDS; f++)
        if (strcmp(stored->text[f], r->inputs.text[f]))
            used += (size_t)snprintf(fields + used, sizeof fields - used, "%s%s", used ? "," : "",
                                     cairn_review_field_key((enum cairn_review_field)f));
    for (size_t i = 0; i < stored->nchecks; i++)
        if (stored->checks[i].answer != r->inputs.checks[i].answer) {
            used += (size_t)snprintf(fields + used, sizeof fields - used, "%schecklist",
                                     used ? "," : "");
            break;
        }
    char now[CAIRN_TIMESTAMP_LEN + 1];
    cairn_timestamp_now(now);
    {
        STORE_PREPARE_OR_GOTO(st,
                              "UPDATE review SET inputs_json = ?2, updated_at = ?3, "
                              "version = version + 1 WHERE id = ?1",
                              rc, out);
        sqlite3_bind_int64(st, 1, r->id);
        sqlite3_bind_text(st, 2, mine, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
        if ((rc = store_step_done(s, st, "saving a review", err)) != CAIRN_OK ||
            (rc = store_audit(s, "update", "review", r->id, row.patient_id, fields, "ok", err)) !=
                CAIRN_OK)
            goto out;
    }
    if (r->inputs.risk != CAIRN_RISK_UNSET && r->inputs.risk != stored->risk) {
        /* The reviewer's risk level becomes the patient's, with who and when. */
        STORE_PREPARE_OR_GOTO(st,
                              "UPDATE patient SET risk_level = ?2, risk_set_by = ?3, "
                              "risk_set_at = ?4, updated_at = ?4, version = version + 1 "
                              "WHERE id = ?1 AND risk_level IS NOT ?2",
                              rc, out);
        sqlite3_bind_int64(st, 1, row.patient_id);
        sqlite3_bind_text(st, 2, cairn_risk_str(r->inputs.risk), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, me.login, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
        if ((rc = store_step_done(s, st, "setting the patient's risk", err)) != CAIRN_OK)
            goto out;
        if (sqlite3_changes(store_db(s)) > 0 &&
            (rc = store_audit(s, "update", "patient", row.patient_id, row.patient_id, "risk_level",
                              "ok", err)) != CAIRN_OK)
            goto out;
    }
    r->version = row.version + 1;
out:
    free(row.inputs);
    free(mine);
    free(stored);
    return store_tx_end(s, rc, err);
}

enum cairn_status cairn_review_sign(struct cairn_store *s, struct cairn_review *r,
                                    struct cairn_error *err)
{
    struct review_row row = {0};
    char *json = NULL;
    struct cairn_staff me;
    struct cairn_patient *p = malloc(sizeof *p);
    enum cairn_status rc;
    if (!p)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory signing a review");
    if ((rc = store_tx_begin(s, err)) != CAIRN_OK) {
        free(p);
        return rc;
    }
    if ((rc = begin_change(s, r->id, "sign a review", true, &me, &row, err)) != CAIRN_OK)
        goto out;
    if (me.role == CAIRN_ROLE_PEER_MENTOR) {
        rc = cairn_error_set(err, CAIRN_ERR_DENIED,
                             "%s is a peer mentor: a therapist, case manager, supervisor or "
                             "prescriber signs reviews",
                             me.login);
        goto out;
    }
    if (row.status != CAIRN_REVIEW_DRAFT) {
        rc = cairn_error_set(err, CAIRN_ERR_TRANSITION,
                             row.status == CAIRN_REVIEW_DUE
                                 ? "the review of %s has not been started: run review start"
                                 : "the review of %s is already signed",
                             r->week);
        goto out;
    }
    if (row.version != r->version) {
        free(row.inputs);
        free(p);
        return conflict(s, r, row.version, "sign", err);
    }
    if (!row.inputs || (rc = cairn_review_inputs_parse(row.inputs, &r->inputs, err)) != CAIRN_OK ||
        (rc = cairn_review_inputs_validate(&r->inputs, true, err)) != CAIRN_OK) {
        if (rc == CAIRN_OK)
            rc = cairn_error_set(err, CAIRN_ERR_DB, "the stored review has no inputs");
        goto out;
    }
    {
        STORE_PREPARE(st, "SELECT " STORE_PATIENT_COLUMNS STORE_PATIENT_FROM "WHERE p.id = ?1");
        sqlite3_bind_int64(st, 1, row.patient_id);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW)
            store_patient_read_row(st, p);
        sqlite3_reset(st);
        if (step != SQLITE_ROW) {
            rc = store_fail(s, step == SQLITE_DONE ? SQLITE_CORRUPT : step, "reading a patient",
                            err);
            goto out;
        }
    }
    if ((rc = cairn_review_snapshot_compute(s, p, r->week, &r->snapshot, err)) != CAIRN_OK ||
        (rc = cairn_review_snapshot_json(&r->snapshot, &json, err)) != CAIRN_OK)
        goto out;
    char now[CAIRN_TIMESTAMP_LEN + 1];
    cairn_timestamp_now(now);
    {
        STORE_PREPARE_OR_GOTO(st,
                              "UPDATE review SET status = 'signed', snapshot_json = ?2, "
                              "signed_by = ?3, signed_at = ?4, updated_at = ?4, version = "
                              "version + 1 WHERE id = ?1",
                              rc, out);
        sqlite3_bind_int64(st, 1, r->id);
        sqlite3_bind_text(st, 2, json, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, me.login, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
        if ((rc = store_step_done(s, st, "signing a review", err)) != CAIRN_OK ||
            (rc = store_audit(s, "sign", "review", r->id, row.patient_id, "status,snapshot", "ok",
                              err)) != CAIRN_OK)
            goto out;
    }
    r->status = CAIRN_REVIEW_SIGNED;
    r->version = row.version + 1;
    snprintf(r->signed_by, sizeof r->signed_by, "%s", me.login);
    memcpy(r->signed_at, now, sizeof r->signed_at);
out:
    free(row.inputs);
    free(json);
    free(p);
    return store_tx_end(s, rc, err);
}

enum cairn_status cairn_review_cosign(struct cairn_store *s, struct cairn_review *r,
                                      struct cairn_error *err)
{
    struct review_row row;
    struct cairn_staff me;
    enum cairn_status rc;
    if ((rc = store_tx_begin(s, err)) != CAIRN_OK)
        return rc;
    if ((rc = begin_change(s, r->id, "co-sign a review", false, &me, &row, err)) != CAIRN_OK)
        goto out;
    if (me.role != CAIRN_ROLE_SUPERVISOR) {
        rc =
            cairn_error_set(err, CAIRN_ERR_DENIED, "only a supervisor co-signs reviews; %s is a %s",
                            me.login, cairn_role_str(me.role));
        goto out;
    }
    if (row.status != CAIRN_REVIEW_SIGNED) {
        rc = cairn_error_set(err, CAIRN_ERR_TRANSITION,
                             row.status == CAIRN_REVIEW_COSIGNED
                                 ? "the review of %s is already co-signed"
                                 : "the review of %s is not signed yet: it is signed first, "
                                   "then co-signed",
                             r->week);
        goto out;
    }
    if (!strcmp(row.signed_by, me.login)) {
        rc = cairn_error_set(err, CAIRN_ERR_DENIED,
                             "%s signed this review: another supervisor co-signs it", me.login);
        goto out;
    }
    char now[CAIRN_TIMESTAMP_LEN + 1];
    cairn_timestamp_now(now);
    {
        STORE_PREPARE_OR_GOTO(st,
                              "UPDATE review SET status = 'cosigned', cosigned_by = ?2, "
                              "cosigned_at = ?3, updated_at = ?3, version = version + 1 "
                              "WHERE id = ?1",
                              rc, out);
        sqlite3_bind_int64(st, 1, r->id);
        sqlite3_bind_text(st, 2, me.login, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
        if ((rc = store_step_done(s, st, "co-signing a review", err)) != CAIRN_OK ||
            (rc = store_audit(s, "sign", "review", r->id, row.patient_id, "cosigned_by", "ok",
                              err)) != CAIRN_OK)
            goto out;
    }
    r->status = CAIRN_REVIEW_COSIGNED;
    r->version = row.version + 1;
    snprintf(r->cosigned_by, sizeof r->cosigned_by, "%s", me.login);
    memcpy(r->cosigned_at, now, sizeof r->cosigned_at);
out:
    return store_tx_end(s, rc, err);
}

enum cairn_status cairn_review_addendum_add(struct cairn_store *s, struct cairn_review *r,
                                            const char *text, struct cairn_error *err)
{
    struct review_row row;
    struct cairn_staff me;
    struct cairn_review_inputs *check = calloc(1, sizeof *check);
    enum cairn_status rc;
    if (!check)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
    snprintf(check->text[CAIRN_REVIEW_NARRATIVE], sizeof check->text[0], "%s", text);
    rc = strlen(text) >= sizeof check->text[0]
             ? cairn_error_field(err, CAIRN_ERR_INVALID, "text",
                                 "an addendum is at most %d characters", CAIRN_REVIEW_TEXT_MAX)
             : cairn_review_inputs_validate(check, false, err);
    bool blank = strspn(text, " \t\n") == strlen(text);
    free(check);
    if (rc != CAIRN_OK) {
        if (err)
            snprintf(err->pointer, sizeof err->pointer, "text");
        return rc;
    }
    if (blank)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "text", "the addendum is empty");
    if ((rc = store_tx_begin(s, err)) != CAIRN_OK)
        return rc;
    if ((rc = begin_change(s, r->id, "add to a review", false, &me, &row, err)) != CAIRN_OK)
        goto out;
    if (row.status < CAIRN_REVIEW_SIGNED) {
        rc = cairn_error_set(err, CAIRN_ERR_TRANSITION,
                             "the review of %s is not signed: change the draft with review edit "
                             "instead",
                             r->week);
        goto out;
    }
    if (r->naddenda >= CAIRN_REVIEW_ADDENDA_MAX) {
        rc = cairn_error_set(err, CAIRN_ERR_INVALID, "a review holds at most %d addenda",
                             CAIRN_REVIEW_ADDENDA_MAX);
        goto out;
    }
    char now[CAIRN_TIMESTAMP_LEN + 1];
    cairn_timestamp_now(now);
    {
        STORE_PREPARE_OR_GOTO(st,
                              "INSERT INTO review_addendum (review_id, author_login, "
                              "created_at, text) VALUES (?1, ?2, ?3, ?4)",
                              rc, out);
        sqlite3_bind_int64(st, 1, r->id);
        sqlite3_bind_text(st, 2, me.login, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
        if ((rc = store_step_done(s, st, "adding an addendum", err)) != CAIRN_OK ||
            (rc =
                 store_audit(s, "create", "review_addendum", sqlite3_last_insert_rowid(store_db(s)),
                             row.patient_id, "text", "ok", err)) != CAIRN_OK)
            goto out;
    }
    struct cairn_review_addendum *a = &r->addenda[r->naddenda++];
    snprintf(a->author, sizeof a->author, "%s", me.login);
    memcpy(a->at, now, sizeof a->at);
    snprintf(a->text, sizeof a->text, "%s", text);
out:
    return store_tx_end(s, rc, err);
}

enum cairn_status cairn_review_state(struct cairn_store *s, int64_t patient_id, int32_t today,
                                     char *out, size_t size, struct cairn_error *err)
{
    char week[CAIRN_WEEK_LEN + 1], cutoff[CAIRN_WEEK_LEN + 1];
    int y, w;
    cairn_date_isoweek(today, &y, &w);
    cairn_isoweek_format(y, w, week);
    cairn_review_last_overdue_week(today, cutoff);
    STORE_PREPARE(st, "SELECT EXISTS (SELECT 1 FROM review WHERE patient_id = ?1 AND week <= ?2 "
                      "AND status IN ('due', 'draft')), (SELECT status FROM review WHERE "
                      "patient_id = ?1 AND week = ?3)");
    sqlite3_bind_int64(st, 1, patient_id);
    sqlite3_bind_text(st, 2, cutoff, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, week, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        if (sqlite3_column_int(st, 0))
            snprintf(out, size, "overdue");
        else
            store_col_text(st, 1, out, size);
    }
    sqlite3_reset(st);
    return step == SQLITE_ROW ? CAIRN_OK : store_fail(s, step, "reading review state", err);
}

/* The staff id of login `clinician` into *id; an unknown login is
 * CAIRN_ERR_NOT_FOUND naming the "clinician" field. */
static enum cairn_status clinician_id(struct cairn_store *s, const char *clinician, int64_t *id,
                                      struct cairn_error *err)
{
    struct cairn_staff who;
    struct cairn_error e;
    enum cairn_status rc = cairn_staff_find(s, clinician, &who, &e);
    if (rc == CAIRN_ERR_NOT_FOUND)
        return cairn_error_field(err, rc, "clinician", "no staff member has the login '%s'",
                                 clinician);
    if (rc != CAIRN_OK) {
        if (err)
            *err = e;
        return rc;
    }
    *id = who.id;
    return CAIRN_OK;
}

/* --- lists ------------------------------------------------------------------- */

enum cairn_status cairn_review_list(struct cairn_store *s, int64_t patient_id,
                                    int (*fn)(const struct cairn_review_line *l, void *ctx),
                                    void *ctx, struct cairn_error *err)
{
    STORE_PREPARE(
        st, "SELECT r.id, r.week, r.status, json_extract(r.inputs_json, '$.risk'), r.signed_by, "
            "r.signed_at, r.cosigned_by, (SELECT count(*) FROM review_addendum a WHERE "
            "a.review_id = r.id) FROM review r WHERE r.patient_id = ?1 ORDER BY "
            "r.week DESC");
    sqlite3_bind_int64(st, 1, patient_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct cairn_review_line l = {0};
        char risk[16];
        l.id = sqlite3_column_int64(st, 0);
        store_col_text(st, 1, l.week, sizeof l.week);
        l.status = status_of((const char *)sqlite3_column_text(st, 2));
        store_col_text(st, 3, risk, sizeof risk);
        if (cairn_risk_parse(risk, &l.risk, NULL) != CAIRN_OK)
            l.risk = CAIRN_RISK_UNSET;
        store_col_text(st, 4, l.signed_by, sizeof l.signed_by);
        store_col_text(st, 5, l.signed_at, sizeof l.signed_at);
        store_col_text(st, 6, l.cosigned_by, sizeof l.cosigned_by);
        l.addenda = sqlite3_column_int(st, 7);
        if (fn(&l, ctx)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? CAIRN_OK : store_fail(s, rc, "listing reviews", err);
}

enum cairn_status cairn_review_due_list(struct cairn_store *s, const char *clinician,
                                        const char *week,
                                        int (*fn)(const struct cairn_review_due *d, void *ctx),
                                        void *ctx, struct cairn_error *err)
{
    /* ?1 the week, ?2 its Sunday, ?3 the last overdue week (reviews of
     * weeks up to it were due by a Sunday already past), ?4 the clinician's
     * staff id or NULL. Active patients only: a hold pauses the reviews. */
    static const char sql[] =
        "SELECT " STORE_PATIENT_COLUMNS ", d.review_id, d.status, d.week, d.overdue FROM ("
        "  SELECT p.id AS pid, r.id AS review_id, coalesce(r.status, 'due') AS status, "
        "         ?1 AS week, ?1 <= ?3 AS overdue "
        "  FROM patient p LEFT JOIN review r ON r.patient_id = p.id AND r.week = ?1 "
        "  WHERE p.status = 'active' AND p.admission_date <= ?2 "
        "    AND (r.id IS NULL OR r.status IN ('due', 'draft')) "
        "    AND (?4 IS NULL OR p.therapist_id = ?4 OR p.case_manager_id = ?4) "
        "  UNION ALL "
        "  SELECT p.id, r.id, r.status, r.week, r.week <= ?3 "
        "  FROM review r JOIN patient p ON p.id = r.patient_id "
        "  WHERE p.status = 'active' AND r.week < ?1 AND r.status IN ('due', 'draft') "
        "    AND (?4 IS NULL OR p.therapist_id = ?4 OR p.case_manager_id = ?4) "
        ") d JOIN patient p ON p.id = d.pid "
        "LEFT JOIN program pr ON pr.id = p.program_id "
        "LEFT JOIN staff t ON t.id = p.therapist_id LEFT JOIN staff c ON c.id = p.case_manager_id "
        "LEFT JOIN staff m ON m.id = p.peer_mentor_id "
        "ORDER BY d.overdue DESC, d.week, p.name_key, p.id";
    char wk[CAIRN_WEEK_LEN + 1], sunday[CAIRN_DATE_LEN + 1], cutoff[CAIRN_WEEK_LEN + 1];
    int32_t monday;
    int64_t staff_id = 0;
    enum cairn_status rc = resolve_week(s, week, wk, &monday, err);
    if (rc != CAIRN_OK)
        return rc;
    date_text(monday + 6, sunday);
    cairn_review_last_overdue_week(cairn_store_today(s), cutoff);
    if (clinician && (rc = clinician_id(s, clinician, &staff_id, err)) != CAIRN_OK)
        return rc;
    STORE_PREPARE(st, sql);
    sqlite3_bind_text(st, 1, wk, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, sunday, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, cutoff, -1, SQLITE_STATIC);
    store_bind_id_or_null(st, 4, staff_id);
    struct cairn_review_due *d = malloc(sizeof *d);
    if (!d) {
        sqlite3_reset(st);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory listing reviews");
    }
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        memset(d, 0, sizeof *d);
        store_patient_read_row(st, &d->patient);
        d->review_id = sqlite3_column_int64(st, 29);
        d->status = status_of((const char *)sqlite3_column_text(st, 30));
        store_col_text(st, 31, d->week, sizeof d->week);
        d->overdue = sqlite3_column_int(st, 32) != 0;
        if (fn(d, ctx)) {
            step = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    free(d);
    return step == SQLITE_DONE ? CAIRN_OK : store_fail(s, step, "listing due reviews", err);
}

/* Reads the columns after the patient's (29-34) of a `review awaiting` row
 * into *a, the patient's into a->patient. */
static void read_awaiting(sqlite3_stmt *st, struct cairn_review_awaiting *a)
{
    char risk[16];
    memset(a, 0, sizeof *a);
    store_patient_read_row(st, &a->patient);
    a->review_id = sqlite3_column_int64(st, 29);
    store_col_text(st, 30, a->week, sizeof a->week);
    store_col_text(st, 31, risk, sizeof risk);
    if (cairn_risk_parse(risk, &a->risk, NULL) != CAIRN_OK)
        a->risk = CAIRN_RISK_UNSET;
    store_col_text(st, 32, a->signed_by, sizeof a->signed_by);
    store_col_text(st, 33, a->signed_at, sizeof a->signed_at);
    a->version = sqlite3_column_int64(st, 34);
}

#define AWAITING_COLUMNS                                                                           \
    "SELECT " STORE_PATIENT_COLUMNS ", r.id, r.week, json_extract(r.inputs_json, '$.risk'), "      \
    "r.signed_by, r.signed_at, r.version "
#define AWAITING_JOINS                                                                             \
    "LEFT JOIN program pr ON pr.id = p.program_id LEFT JOIN staff t ON t.id = p.therapist_id "     \
    "LEFT JOIN staff c ON c.id = p.case_manager_id LEFT JOIN staff m ON m.id = p.peer_mentor_id "

/* Steps `st` (bound by the caller) calling fn for each row; *stopped when
 * fn asked to stop. */
static enum cairn_status walk_awaiting(struct cairn_store *s, sqlite3_stmt *st,
                                       int (*fn)(const struct cairn_review_awaiting *a, void *ctx),
                                       void *ctx, struct cairn_review_awaiting *a, bool *stopped,
                                       struct cairn_error *err)
{
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        read_awaiting(st, a);
        if (fn(a, ctx)) {
            *stopped = true;
            step = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return step == SQLITE_DONE ? CAIRN_OK
                               : store_fail(s, step, "listing reviews awaiting co-signature", err);
}

enum cairn_status cairn_review_cosign_list(struct cairn_store *s, const char *clinician,
                                           int (*fn)(const struct cairn_review_awaiting *a,
                                                     void *ctx),
                                           void *ctx, struct cairn_error *err)
{
    /* A clinician's: from their patients (patient_by_therapist and
     * patient_by_case_manager), then each patient's reviews
     * (the UNIQUE (patient_id, week) index); the few rows found are sorted. */
    static const char by_clinician_sql[] =
        AWAITING_COLUMNS "FROM patient p JOIN review r ON r.patient_id = p.id " AWAITING_JOINS
                         "WHERE (p.therapist_id = ?1 OR p.case_manager_id = ?1) AND r.status = "
                         "'signed' ORDER BY r.week, r.signed_at, r.id";
    /* Everyone's: the weeks that have reviews, oldest first, one index seek
     * each (review_by_week is (week, status): status is not searchable on
     * its own), then that week's signed reviews by (week, status). */
    static const char next_week_sql[] = "SELECT min(week) FROM review WHERE week > ?1";
    static const char week_sql[] =
        AWAITING_COLUMNS "FROM review r JOIN patient p ON p.id = r.patient_id " AWAITING_JOINS
                         "WHERE r.week = ?1 AND r.status = 'signed' ORDER BY r.signed_at, r.id";
    enum cairn_status rc = CAIRN_OK;
    bool stopped = false;
    int64_t staff_id = 0;
    if (clinician && (rc = clinician_id(s, clinician, &staff_id, err)) != CAIRN_OK)
        return rc;
    struct cairn_review_awaiting *a = malloc(sizeof *a);
    if (!a)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory listing reviews");
    if (clinician) {
        STORE_PREPARE_OR_GOTO(st, by_clinician_sql, rc, out);
        sqlite3_bind_int64(st, 1, staff_id);
        rc = walk_awaiting(s, st, fn, ctx, a, &stopped, err);
        goto out;
    }
    char week[CAIRN_WEEK_LEN + 1] = "";
    while (rc == CAIRN_OK && !stopped) {
        STORE_PREPARE_OR_GOTO(next, next_week_sql, rc, out);
        sqlite3_bind_text(next, 1, week, -1, SQLITE_TRANSIENT);
        int step = sqlite3_step(next);
        bool more = step == SQLITE_ROW && sqlite3_column_type(next, 0) != SQLITE_NULL;
        if (more)
            store_col_text(next, 0, week, sizeof week);
        sqlite3_reset(next);
        if (step != SQLITE_ROW && step != SQLITE_DONE) {
            rc = store_fail(s, step, "listing reviews awaiting co-signature", err);
            goto out;
        }
        if (!more)
            break;
        STORE_PREPARE_OR_GOTO(st, week_sql, rc, out);
        sqlite3_bind_text(st, 1, week, -1, SQLITE_STATIC);
        rc = walk_awaiting(s, st, fn, ctx, a, &stopped, err);
    }
out:
    free(a);
    return rc;
}

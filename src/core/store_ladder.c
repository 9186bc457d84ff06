/* Exposure ladders in the database: read a patient's ladders with their
 * steps and attempts, change steps, log attempts. Each write is one
 * transaction with its audit row; a step's status is recomputed from its
 * attempts by the program's mastery rule in the same transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/ladder.h"
#include "cairn/text.h"
#include "store_internal.h"

/* The ladder's own columns and its program's rule (the program version the
 * patient was admitted under; the DESIGN.md §3 defaults without one). */
static const char ladder_sql[] =
    "SELECT l.id, l.patient_id, l.position, l.name, l.target, l.scale, l.status, l.version, "
    "coalesce(pr.mastery_peak_suds, 30), coalesce(pr.mastery_consecutive, 2), "
    "coalesce(pr.mastery_drop_percent, 50) "
    "FROM ladder l JOIN patient p ON p.id = l.patient_id "
    "LEFT JOIN program pr ON pr.id = p.program_id WHERE l.id = ?1";

static void read_ladder_row(sqlite3_stmt *st, struct cairn_ladder *l)
{
    memset(l, 0, sizeof *l);
    l->id = sqlite3_column_int64(st, 0);
    l->patient_id = sqlite3_column_int64(st, 1);
    l->position = sqlite3_column_int(st, 2) + 1; /* stored from 0 */
    store_col_text(st, 3, l->name, sizeof l->name);
    store_col_text(st, 4, l->target, sizeof l->target);
    l->scale = sqlite3_column_int(st, 5);
    l->retired = strcmp((const char *)sqlite3_column_text(st, 6), "retired") == 0;
    l->version = sqlite3_column_int64(st, 7);
    l->rule.peak_suds_at_most = sqlite3_column_int(st, 8);
    l->rule.consecutive = sqlite3_column_int(st, 9);
    l->rule.or_drop_percent = sqlite3_column_int(st, 10);
    l->next = -1;
}

static enum cairn_step_status step_status_from(const char *text)
{
    for (int i = 0; i < CAIRN_STEP_STATUS__COUNT; i++)
        if (strcmp(text, cairn_step_status_str((enum cairn_step_status)i)) == 0)
            return (enum cairn_step_status)i;
    return CAIRN_STEP_NOT_STARTED;
}

/* A growable list of peak ratings. */
struct peaks {
    int *v;
    size_t n, cap;
};

static bool peaks_push(struct peaks *p, int value)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 16;
        int *v = realloc(p->v, cap * sizeof *v);
        if (!v)
            return false;
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = value;
    return true;
}

/* Fills l's steps, their attempt summaries and mastery, and the next step. */
static enum cairn_status load_steps(struct cairn_store *s, struct cairn_ladder *l,
                                    struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    struct peaks peaks = {0};
    int src;
    sqlite3_stmt *st = store_stmt(s,
                                  "SELECT id, position, text, suds, status, retired, version "
                                  "FROM ladder_step WHERE ladder_id = ?1 ORDER BY position",
                                  err);
    if (!st)
        return err ? err->status : CAIRN_ERR_DB;
    sqlite3_bind_int64(st, 1, l->id);
    l->nsteps = 0;
    while ((src = sqlite3_step(st)) == SQLITE_ROW && l->nsteps < CAIRN_LADDER_STEPS_MAX) {
        struct cairn_ladder_step *step = &l->steps[l->nsteps++];
        memset(step, 0, sizeof *step);
        step->id = sqlite3_column_int64(st, 0);
        step->position = sqlite3_column_int(st, 1) + 1;
        store_col_text(st, 2, step->text, sizeof step->text);
        step->suds = sqlite3_column_int(st, 3);
        step->status = step_status_from((const char *)sqlite3_column_text(st, 4));
        step->retired = sqlite3_column_int(st, 5) != 0;
        step->version = sqlite3_column_int64(st, 6);
        step->first_peak = step->last_peak = -1;
    }
    sqlite3_reset(st);
    if (src != SQLITE_DONE && src != SQLITE_ROW)
        return store_fail(s, src, "reading ladder steps", err);

    st = store_stmt(s,
                    "SELECT a.step_id, a.suds_peak, a.date FROM ladder_step s "
                    "JOIN ladder_attempt a ON a.step_id = s.id WHERE s.ladder_id = ?1 "
                    "ORDER BY a.step_id, a.date, a.id",
                    err);
    if (!st)
        return err ? err->status : CAIRN_ERR_DB;
    sqlite3_bind_int64(st, 1, l->id);
    /* Attempts arrive grouped by step; decide each step when its group ends. */
    struct cairn_ladder_step *cur = NULL;
    for (;;) {
        src = sqlite3_step(st);
        int64_t step_id = src == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        if (cur && (src != SQLITE_ROW || step_id != cur->id)) {
            cairn_mastery_decide(&l->rule, l->scale, peaks.v, peaks.n, &cur->mastery);
            cur = NULL;
        }
        if (src != SQLITE_ROW)
            break;
        if (!cur) {
            peaks.n = 0;
            for (size_t i = 0; i < l->nsteps && !cur; i++)
                if (l->steps[i].id == step_id)
                    cur = &l->steps[i];
            if (!cur)
                continue;
        }
        int peak = sqlite3_column_int(st, 1);
        if (!peaks_push(&peaks, peak)) {
            rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading attempts");
            break;
        }
        if (cur->attempts++ == 0)
            cur->first_peak = peak;
        cur->last_peak = peak;
        store_col_text(st, 2, cur->last_date, sizeof cur->last_date);
        l->attempts++;
        if (strcmp(cur->last_date, l->last_attempt) > 0)
            memcpy(l->last_attempt, cur->last_date, sizeof l->last_attempt);
    }
    sqlite3_reset(st);
    free(peaks.v);
    if (rc == CAIRN_OK && src != SQLITE_DONE)
        rc = store_fail(s, src, "reading ladder attempts", err);
    for (size_t i = 0; i < l->nsteps; i++)
        if (l->steps[i].attempts == 0)
            cairn_mastery_decide(&l->rule, l->scale, NULL, 0, &l->steps[i].mastery);
    l->next = cairn_ladder_next_step(l);
    return rc;
}

/* Loads ladder `id` with its steps. */
static enum cairn_status load_by_id(struct cairn_store *s, int64_t id, struct cairn_ladder *l,
                                    struct cairn_error *err)
{
    STORE_PREPARE(st, ladder_sql);
    sqlite3_bind_int64(st, 1, id);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        read_ladder_row(st, l);
    sqlite3_reset(st);
    if (src == SQLITE_DONE)
        return cairn_error_set(err, CAIRN_ERR_NOT_FOUND, "no ladder %lld", (long long)id);
    if (src != SQLITE_ROW)
        return store_fail(s, src, "reading a ladder", err);
    return load_steps(s, l, err);
}

enum cairn_status cairn_ladder_list(struct cairn_store *s, int64_t patient_id, bool all,
                                    cairn_ladder_fn fn, void *arg, struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    int64_t ids[CAIRN_TEMPLATE_LADDERS_MAX * 2];
    size_t n = 0;
    {
        STORE_PREPARE(st, "SELECT id FROM ladder WHERE patient_id = ?1 "
                          "AND (?2 OR status = 'active') ORDER BY position");
        sqlite3_bind_int64(st, 1, patient_id);
        sqlite3_bind_int(st, 2, all);
        int src;
        while ((src = sqlite3_step(st)) == SQLITE_ROW && n < sizeof ids / sizeof ids[0])
            ids[n++] = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (src != SQLITE_DONE && src != SQLITE_ROW)
            return store_fail(s, src, "listing ladders", err);
    }
    struct cairn_ladder *l = malloc(sizeof *l);
    if (!l)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n && rc == CAIRN_OK; i++) {
        if ((rc = load_by_id(s, ids[i], l, err)) == CAIRN_OK && fn(l, arg))
            break;
    }
    free(l);
    return rc;
}

enum cairn_status cairn_ladder_load(struct cairn_store *s, int64_t patient_id, const char *ref,
                                    struct cairn_ladder *out, struct cairn_error *err)
{
    char want[4 * CAIRN_TEMPLATE_TEXT_BYTES], have[4 * CAIRN_TEMPLATE_TEXT_BYTES];
    char names[512] = "";
    size_t used = 0;
    int64_t found = 0;
    char *end = NULL;
    long position = strtol(ref, &end, 10);
    bool by_position = *ref && *end == '\0';
    cairn_text_fold(ref, want, sizeof want);
    STORE_PREPARE(st, "SELECT id, position, name FROM ladder WHERE patient_id = ?1 "
                      "ORDER BY position");
    sqlite3_bind_int64(st, 1, patient_id);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 2);
        cairn_text_fold(name, have, sizeof have);
        if (!found &&
            (by_position ? sqlite3_column_int(st, 1) + 1 == position : strcmp(want, have) == 0))
            found = sqlite3_column_int64(st, 0);
        if (used < sizeof names)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%d (%s)",
                                     used ? ", " : "", sqlite3_column_int(st, 1) + 1, name);
    }
    sqlite3_reset(st);
    if (src != SQLITE_DONE)
        return store_fail(s, src, "finding a ladder", err);
    if (!found) {
        /* Ladder names are program text, not patient data: safe to list. */
        if (!*names)
            return cairn_error_field(err, CAIRN_ERR_NOT_FOUND, "ladder",
                                     "this patient has no exposure ladders");
        return cairn_error_field(err, CAIRN_ERR_NOT_FOUND, "ladder",
                                 "no ladder %s; this patient's ladders are %s",
                                 by_position ? "at that position" : "by that name", names);
    }
    return load_by_id(s, found, out, err);
}

static enum cairn_came_true came_true_from(const char *text)
{
    enum cairn_came_true v = CAIRN_CAME_TRUE_UNSET;
    if (text)
        cairn_came_true_parse(text, &v, NULL);
    return v;
}

enum cairn_status cairn_ladder_attempts(struct cairn_store *s, int64_t ladder_id,
                                        cairn_attempt_fn fn, void *arg, struct cairn_error *err)
{
    STORE_PREPARE(st, "SELECT a.id, a.step_id, s.position, a.date, a.suds_before, a.suds_peak, "
                      "a.suds_after, coalesce(a.minutes, 0), a.setting, a.prediction, "
                      "coalesce(a.expectancy_before, -1), a.came_true, "
                      "coalesce(a.expectancy_after, -1), a.safety_behaviours, a.note, "
                      "a.entered_by, a.created_at FROM ladder_step s "
                      "JOIN ladder_attempt a ON a.step_id = s.id WHERE s.ladder_id = ?1 "
                      "ORDER BY a.date, a.id");
    sqlite3_bind_int64(st, 1, ladder_id);
    struct cairn_ladder_attempt a;
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&a, 0, sizeof a);
        a.id = sqlite3_column_int64(st, 0);
        a.step_id = sqlite3_column_int64(st, 1);
        a.step_position = sqlite3_column_int(st, 2) + 1;
        store_col_text(st, 3, a.date, sizeof a.date);
        a.suds_before = sqlite3_column_int(st, 4);
        a.suds_peak = sqlite3_column_int(st, 5);
        a.suds_after = sqlite3_column_int(st, 6);
        a.minutes = sqlite3_column_int(st, 7);
        a.setting = strcmp((const char *)sqlite3_column_text(st, 8), "between") == 0
                        ? CAIRN_ATTEMPT_BETWEEN
                        : CAIRN_ATTEMPT_SESSION;
        store_col_text(st, 9, a.prediction, sizeof a.prediction);
        a.expectancy_before = sqlite3_column_int(st, 10);
        a.came_true = came_true_from((const char *)sqlite3_column_text(st, 11));
        a.expectancy_after = sqlite3_column_int(st, 12);
        store_col_text(st, 13, a.safety_behaviours, sizeof a.safety_behaviours);
        store_col_text(st, 14, a.note, sizeof a.note);
        store_col_text(st, 15, a.entered_by, sizeof a.entered_by);
        store_col_text(st, 16, a.created_at, sizeof a.created_at);
        if (fn(&a, arg))
            break;
    }
    sqlite3_reset(st);
    if (src != SQLITE_DONE && src != SQLITE_ROW)
        return store_fail(s, src, "reading attempts", err);
    return CAIRN_OK;
}

/* Inside a transaction: loads the ladder for a change, refusing a retired
 * ladder and (if_version > 0) one changed since the caller read it. */
static enum cairn_status begin_change(struct cairn_store *s, int64_t ladder_id, int64_t if_version,
                                      struct cairn_ladder *l, struct cairn_error *err)
{
    enum cairn_status rc = load_by_id(s, ladder_id, l, err);
    if (rc != CAIRN_OK)
        return rc;
    if (l->retired)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "ladder",
                                 "ladder %d is retired; its steps can no longer change",
                                 l->position);
    if (if_version > 0 && l->version != if_version)
        return cairn_error_set(err, CAIRN_ERR_CONFLICT,
                               "ladder %d was changed by someone else since you opened it "
                               "(version %lld, now %lld); nothing was saved",
                               l->position, (long long)if_version, (long long)l->version);
    return CAIRN_OK;
}

/* Records a change to the ladder's steps: bumps its version. */
static enum cairn_status touch_ladder(struct cairn_store *s, const struct cairn_ladder *l,
                                      struct cairn_error *err)
{
    char now[CAIRN_TIMESTAMP_LEN + 1];
    cairn_timestamp_now(now);
    STORE_PREPARE(st, "UPDATE ladder SET version = version + 1, updated_at = ?2 WHERE id = ?1");
    sqlite3_bind_int64(st, 1, l->id);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    return store_step_done(s, st, "updating the ladder", err);
}

/* Moves the steps at places [lo, hi] (1-based) of ladder `id` by `delta`
 * (±1) without tripping UNIQUE (ladder_id, position): through negatives
 * (-1 - new position), then back. Stored positions count from 0. */
static enum cairn_status shift_steps(struct cairn_store *s, int64_t id, int lo, int hi, int delta,
                                     struct cairn_error *err)
{
    enum cairn_status rc;
    STORE_PREPARE(out, "UPDATE ladder_step SET position = -1 - (position + ?4) "
                       "WHERE ladder_id = ?1 AND position BETWEEN ?2 AND ?3");
    sqlite3_bind_int64(out, 1, id);
    sqlite3_bind_int(out, 2, lo - 1);
    sqlite3_bind_int(out, 3, hi - 1);
    sqlite3_bind_int(out, 4, delta);
    if ((rc = store_step_done(s, out, "reordering steps", err)) != CAIRN_OK)
        return rc;
    STORE_PREPARE(back, "UPDATE ladder_step SET position = -1 - position "
                        "WHERE ladder_id = ?1 AND position < 0");
    sqlite3_bind_int64(back, 1, id);
    return store_step_done(s, back, "reordering steps", err);
}

/* Starts a change to ladder `ladder_id`: allocates *l (left NULL, with
 * the status, when that or opening the transaction fails), opens the
 * transaction and loads the ladder with begin_change(). Whatever it
 * returns with *l set, the caller ends with finish(). */
static enum cairn_status start_change(struct cairn_store *s, int64_t ladder_id, int64_t if_version,
                                      struct cairn_ladder **l, struct cairn_error *err)
{
    struct cairn_ladder *ladder = calloc(1, sizeof *ladder);
    if (!ladder)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
    enum cairn_status rc = store_tx_begin(s, err);
    if (rc != CAIRN_OK) {
        free(ladder);
        return rc;
    }
    *l = ladder;
    return begin_change(s, ladder_id, if_version, ladder, err);
}

/* Ends a change: commit, or roll back and audit a refused conflicting
 * change; frees *l and sets it to NULL. */
static enum cairn_status finish(struct cairn_store *s, enum cairn_status rc, const char *action,
                                const char *entity, struct cairn_ladder **l,
                                struct cairn_error *err)
{
    if (rc == CAIRN_OK)
        rc = store_tx_commit(s, err);
    if (rc != CAIRN_OK) {
        store_tx_rollback(s);
        if (rc == CAIRN_ERR_CONFLICT)
            store_audit_refusal(s, action, entity, (*l)->id, (*l)->patient_id, "conflict");
    }
    free(*l);
    *l = NULL;
    return rc;
}

enum cairn_status cairn_ladder_add_step(struct cairn_store *s, int64_t ladder_id,
                                        int64_t if_version, const char *text, int suds,
                                        int position, int64_t *step_id, struct cairn_error *err)
{
    struct cairn_ladder *l = NULL;
    enum cairn_status rc = start_change(s, ladder_id, if_version, &l, err);
    if (!l)
        return rc;
    char now[CAIRN_TIMESTAMP_LEN + 1];
    cairn_timestamp_now(now);
    if (rc != CAIRN_OK || (rc = cairn_ladder_step_validate(text, suds, l->scale, err)) != CAIRN_OK)
        goto out;
    int count = (int)l->nsteps;
    if (count >= CAIRN_LADDER_STEPS_MAX) {
        rc = cairn_error_field(err, CAIRN_ERR_INVALID, "ladder",
                               "ladder %d already holds %d steps, the most it can (retired ones "
                               "count)",
                               l->position, CAIRN_LADDER_STEPS_MAX);
        goto out;
    }
    if (position == 0)
        position = count + 1;
    if (position < 1 || position > count + 1) {
        rc = cairn_error_field(err, CAIRN_ERR_INVALID, "position",
                               "%d is not a place in this ladder (1–%d)", position, count + 1);
        goto out;
    }
    if (position <= count && (rc = shift_steps(s, l->id, position, count, 1, err)) != CAIRN_OK)
        goto out;
    sqlite3_stmt *st = store_stmt(s,
                                  "INSERT INTO ladder_step (ladder_id, position, text, suds, "
                                  "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                                  err);
    if (!st) {
        rc = err ? err->status : CAIRN_ERR_DB;
        goto out;
    }
    sqlite3_bind_int64(st, 1, l->id);
    sqlite3_bind_int(st, 2, position - 1);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, suds);
    sqlite3_bind_text(st, 5, now, -1, SQLITE_TRANSIENT);
    if ((rc = store_step_done(s, st, "adding a step", err)) != CAIRN_OK)
        goto out;
    int64_t id = sqlite3_last_insert_rowid(store_db(s));
    if ((rc = touch_ladder(s, l, err)) != CAIRN_OK ||
        (rc = store_audit(s, "create", "ladder_step", id, l->patient_id, "text,suds,position", "ok",
                          err)) != CAIRN_OK)
        goto out;
    if (step_id)
        *step_id = id;
out:
    return finish(s, rc, "create", "ladder", &l, err);
}

/* Where a moving step waits while the others shift: beyond any real place. */
enum { PARKED = 1000000 };

enum cairn_status cairn_ladder_move_step(struct cairn_store *s, int64_t ladder_id,
                                         int64_t if_version, int from, int to,
                                         struct cairn_error *err)
{
    struct cairn_ladder *l = NULL;
    enum cairn_status rc = start_change(s, ladder_id, if_version, &l, err);
    if (!l)
        return rc;
    if (rc != CAIRN_OK)
        goto out;
    int count = (int)l->nsteps;
    if (from < 1 || from > count) {
        rc = cairn_error_field(err, CAIRN_ERR_NOT_FOUND, "step",
                               "ladder %d has no step %d (it has 1–%d)", l->position, from, count);
        goto out;
    }
    if (to < 1 || to > count) {
        rc = cairn_error_field(err, CAIRN_ERR_INVALID, "to",
                               "%d is not a place in this ladder (1–%d)", to, count);
        goto out;
    }
    if (from == to)
        goto out;
    int64_t moving = l->steps[from - 1].id;
    sqlite3_stmt *park = store_stmt(s, "UPDATE ladder_step SET position = ?2 WHERE id = ?1", err);
    if (!park) {
        rc = err ? err->status : CAIRN_ERR_DB;
        goto out;
    }
    sqlite3_bind_int64(park, 1, moving);
    sqlite3_bind_int(park, 2, PARKED);
    if ((rc = store_step_done(s, park, "moving a step", err)) != CAIRN_OK)
        goto out;
    rc = from < to ? shift_steps(s, l->id, from + 1, to, -1, err)
                   : shift_steps(s, l->id, to, from - 1, 1, err);
    if (rc != CAIRN_OK)
        goto out;
    sqlite3_bind_int64(park, 1, moving);
    sqlite3_bind_int(park, 2, to - 1);
    if ((rc = store_step_done(s, park, "moving a step", err)) != CAIRN_OK ||
        (rc = touch_ladder(s, l, err)) != CAIRN_OK)
        goto out;
    rc = store_audit(s, "update", "ladder_step", moving, l->patient_id, "position", "ok", err);
out:
    return finish(s, rc, "update", "ladder", &l, err);
}

/* The status a step's attempts give it under the ladder's rule. */
static enum cairn_status decide_step(struct cairn_store *s, const struct cairn_ladder *l,
                                     int64_t step_id, struct cairn_mastery *m,
                                     struct cairn_error *err)
{
    struct peaks peaks = {0};
    enum cairn_status rc = CAIRN_OK;
    STORE_PREPARE(st, "SELECT suds_peak FROM ladder_attempt WHERE step_id = ?1 ORDER BY date, id");
    sqlite3_bind_int64(st, 1, step_id);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW)
        if (!peaks_push(&peaks, sqlite3_column_int(st, 0))) {
            rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading attempts");
            break;
        }
    sqlite3_reset(st);
    if (rc == CAIRN_OK && src != SQLITE_DONE)
        rc = store_fail(s, src, "reading attempts", err);
    if (rc == CAIRN_OK)
        cairn_mastery_decide(&l->rule, l->scale, peaks.v, peaks.n, m);
    free(peaks.v);
    return rc;
}

/* Sets a step's status, bumping its version when it changes. */
static enum cairn_status set_step_status(struct cairn_store *s, int64_t step_id,
                                         enum cairn_step_status status, bool *changed,
                                         struct cairn_error *err)
{
    char now[CAIRN_TIMESTAMP_LEN + 1];
    cairn_timestamp_now(now);
    STORE_PREPARE(st, "UPDATE ladder_step SET status = ?2, updated_at = ?3, version = version + 1 "
                      "WHERE id = ?1 AND status <> ?2");
    sqlite3_bind_int64(st, 1, step_id);
    sqlite3_bind_text(st, 2, cairn_step_status_str(status), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
    enum cairn_status rc = store_step_done(s, st, "updating a step", err);
    *changed = rc == CAIRN_OK && sqlite3_changes(store_db(s)) > 0;
    return rc;
}

enum cairn_status cairn_ladder_edit_step(struct cairn_store *s, int64_t ladder_id,
                                         int64_t if_version, int position,
                                         const struct cairn_step_edit *edit,
                                         struct cairn_error *err)
{
    struct cairn_ladder *l = NULL;
    enum cairn_status rc = start_change(s, ladder_id, if_version, &l, err);
    if (!l)
        return rc;
    char fields[80] = "";
    if (rc != CAIRN_OK)
        goto out;
    if (position < 1 || position > (int)l->nsteps) {
        rc = cairn_error_field(err, CAIRN_ERR_NOT_FOUND, "step", "ladder %d has no step %d",
                               l->position, position);
        goto out;
    }
    const struct cairn_ladder_step *step = &l->steps[position - 1];
    const char *text = edit->text ? edit->text : step->text;
    int suds = edit->suds >= 0 ? edit->suds : step->suds;
    int retired = edit->retired >= 0 ? edit->retired : step->retired;
    if ((rc = cairn_ladder_step_validate(text, suds, l->scale, err)) != CAIRN_OK)
        goto out;
    enum cairn_step_status status = step->status;
    if (edit->skipped == 1) {
        status = CAIRN_STEP_SKIPPED;
    } else if (edit->skipped == 0 && step->status == CAIRN_STEP_SKIPPED) {
        struct cairn_mastery m;
        if ((rc = decide_step(s, l, step->id, &m, err)) != CAIRN_OK)
            goto out;
        status = cairn_mastery_status(m.branch);
    }
    size_t used = 0;
#define NOTE_FIELD(cond, name)                                                                     \
    if (cond)                                                                                      \
        used +=                                                                                    \
            (size_t)snprintf(fields + used, sizeof fields - used, "%s%s", used ? "," : "", name);
    NOTE_FIELD(strcmp(text, step->text) != 0, "text")
    NOTE_FIELD(suds != step->suds, "suds")
    NOTE_FIELD(status != step->status, "status")
    NOTE_FIELD(retired != (int)step->retired, "retired")
#undef NOTE_FIELD
    if (!*fields)
        goto out; /* nothing to change */
    char now[CAIRN_TIMESTAMP_LEN + 1];
    cairn_timestamp_now(now);
    sqlite3_stmt *st =
        store_stmt(s,
                   "UPDATE ladder_step SET text = ?2, suds = ?3, status = ?4, retired = ?5, "
                   "updated_at = ?6, version = version + 1 WHERE id = ?1",
                   err);
    if (!st) {
        rc = err ? err->status : CAIRN_ERR_DB;
        goto out;
    }
    sqlite3_bind_int64(st, 1, step->id);
    sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, suds);
    sqlite3_bind_text(st, 4, cairn_step_status_str(status), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, retired);
    sqlite3_bind_text(st, 6, now, -1, SQLITE_TRANSIENT);
    if ((rc = store_step_done(s, st, "editing a step", err)) != CAIRN_OK ||
        (rc = touch_ladder(s, l, err)) != CAIRN_OK)
        goto out;
    rc = store_audit(s, "update", "ladder_step", step->id, l->patient_id, fields, "ok", err);
out:
    return finish(s, rc, "update", "ladder", &l, err);
}

enum cairn_status cairn_ladder_attempt_add(struct cairn_store *s, int64_t ladder_id, int position,
                                           struct cairn_ladder_attempt *a,
                                           struct cairn_mastery *mastery_out,
                                           struct cairn_error *err)
{
    struct cairn_ladder *l = NULL;
    enum cairn_status rc = start_change(s, ladder_id, 0, &l, err);
    if (!l)
        return rc;
    char now[CAIRN_TIMESTAMP_LEN + 1];
    cairn_timestamp_now(now);
    if (rc != CAIRN_OK)
        goto out;
    if (position < 1 || position > (int)l->nsteps) {
        rc = cairn_error_field(err, CAIRN_ERR_NOT_FOUND, "step",
                               "ladder %d has no step %d (it has 1–%zu)", l->position, position,
                               l->nsteps);
        goto out;
    }
    const struct cairn_ladder_step *step = &l->steps[position - 1];
    if (step->retired) {
        rc = cairn_error_field(err, CAIRN_ERR_INVALID, "step",
                               "step %d is retired; restore it before logging attempts on it",
                               position);
        goto out;
    }
    if ((rc = cairn_ladder_attempt_validate(a, l->scale, cairn_store_today(s), err)) != CAIRN_OK)
        goto out;
    {
        sqlite3_stmt *st = store_stmt(s, "SELECT admission_date FROM patient WHERE id = ?1", err);
        if (!st) {
            rc = err ? err->status : CAIRN_ERR_DB;
            goto out;
        }
        sqlite3_bind_int64(st, 1, l->patient_id);
        char admitted[CAIRN_DATE_LEN + 1] = "";
        if (sqlite3_step(st) == SQLITE_ROW)
            store_col_text(st, 0, admitted, sizeof admitted);
        sqlite3_reset(st);
        if (*admitted && strcmp(a->date, admitted) < 0) {
            rc = cairn_error_field(err, CAIRN_ERR_INVALID, "date",
                                   "%s is before the admission on %s", a->date, admitted);
            goto out;
        }
    }
    sqlite3_stmt *st = store_stmt(
        s,
        "INSERT INTO ladder_attempt (step_id, patient_id, date, suds_before, suds_peak, "
        "suds_after, minutes, setting, prediction, expectancy_before, came_true, "
        "expectancy_after, safety_behaviours, note, entered_by, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)",
        err);
    if (!st) {
        rc = err ? err->status : CAIRN_ERR_DB;
        goto out;
    }
    sqlite3_bind_int64(st, 1, step->id);
    sqlite3_bind_int64(st, 2, l->patient_id);
    sqlite3_bind_text(st, 3, a->date, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, a->suds_before);
    sqlite3_bind_int(st, 5, a->suds_peak);
    sqlite3_bind_int(st, 6, a->suds_after);
    if (a->minutes > 0)
        sqlite3_bind_int(st, 7, a->minutes);
    sqlite3_bind_text(st, 8, cairn_attempt_setting_str(a->setting), -1, SQLITE_STATIC);
    store_bind_text_or_null(st, 9, a->prediction);
    if (a->expectancy_before >= 0)
        sqlite3_bind_int(st, 10, a->expectancy_before);
    store_bind_text_or_null(st, 11, cairn_came_true_str(a->came_true));
    if (a->expectancy_after >= 0)
        sqlite3_bind_int(st, 12, a->expectancy_after);
    store_bind_text_or_null(st, 13, a->safety_behaviours);
    store_bind_text_or_null(st, 14, a->note);
    sqlite3_bind_text(st, 15, cairn_store_actor_login(s), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 16, now, -1, SQLITE_TRANSIENT);
    if ((rc = store_step_done(s, st, "logging an attempt", err)) != CAIRN_OK)
        goto out;
    a->id = sqlite3_last_insert_rowid(store_db(s));
    a->step_id = step->id;
    a->step_position = position;
    if ((rc = store_audit(s, "create", "ladder_attempt", a->id, l->patient_id,
                          "date,suds_before,suds_peak,suds_after,minutes,setting,expectancy,"
                          "safety_behaviours,note",
                          "ok", err)) != CAIRN_OK)
        goto out;
    /* A step skipped by hand that the patient tries after all counts again. */
    struct cairn_mastery m;
    bool changed = false;
    if ((rc = decide_step(s, l, step->id, &m, err)) != CAIRN_OK ||
        (rc = set_step_status(s, step->id, cairn_mastery_status(m.branch), &changed, err)) !=
            CAIRN_OK)
        goto out;
    if (changed && (rc = store_audit(s, "update", "ladder_step", step->id, l->patient_id, "status",
                                     "ok", err)) != CAIRN_OK)
        goto out;
    if (mastery_out)
        *mastery_out = m;
out:
    return finish(s, rc, "create", "ladder_attempt", &l, err);
}

/* Plans, safety plans, goal tallies and the lapse log in the database.
 *
 * A plan's head is plan.revision (safety_plan.revision); each revision is
 * one immutable row holding the canonical JSON of the whole plan. Revision
 * 0 is the plan before its first save: its sections, empty (a safety plan's
 * professionals hold the program's crisis line). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/plan.h"
#include "cairn/text.h"
#include "store_internal.h"

static const char *entity_of(enum cairn_plan_kind kind)
{
    return kind == CAIRN_PLAN_SAFETY ? "safety_plan" : "plan";
}

/* Fills the crisis line of the patient's program into an empty safety
 * plan's professionals. */
static enum cairn_status prefill_crisis_line(struct cairn_store *s, struct cairn_plan *p,
                                             const char *crisis_line, struct cairn_error *err)
{
    struct cairn_plan_part *part = cairn_plan_part_find(p, "professionals");
    if (!crisis_line[0] || !part || part->nitems)
        return CAIRN_OK;
    (void)s;
    (void)err;
    struct cairn_plan_item *it = &part->items[part->nitems++];
    memset(it, 0, sizeof *it);
    snprintf(it->key, sizeof it->key, "p1");
    snprintf(it->text, sizeof it->text, "%s",
             strcmp(crisis_line, "988") == 0 ? "988 Suicide & Crisis Lifeline (call or text)"
                                             : "Crisis line");
    snprintf(it->phone, sizeof it->phone, "%s", crisis_line);
    return CAIRN_OK;
}

/* Inside a transaction: the head of the patient's plan of p->kind into p
 * (ids, head, signature, sections), with the content of `revision` (0:
 * the head). */
static enum cairn_status load(struct cairn_store *s, enum cairn_plan_kind kind, int64_t patient_id,
                              int revision, struct cairn_plan *p, struct cairn_error *err)
{
    static const char patient_sql[] =
        "SELECT coalesce(pr.crisis_line, '') FROM patient pa LEFT JOIN program pr "
        "ON pr.id = pa.program_id WHERE pa.id = ?1";
    static const char plan_sql[] =
        "SELECT id, status, revision, signed_by, signed_at, next_review_date FROM plan "
        "WHERE patient_id = ?1";
    static const char safety_sql[] = "SELECT id, revision FROM safety_plan WHERE patient_id = ?1";
    static const char sections_sql[] =
        "SELECT section FROM plan_section WHERE plan_id = ?1 ORDER BY position";
    static const char plan_rev_sql[] =
        "SELECT content_json FROM plan_revision WHERE plan_id = ?1 AND revision = ?2";
    static const char safety_rev_sql[] =
        "SELECT content_json FROM safety_revision WHERE safety_plan_id = ?1 AND revision = ?2";
    char crisis[200] = "";
    enum cairn_status rc = CAIRN_OK;
    int src;

    struct cairn_plan *fresh = cairn_plan_new(kind);
    if (!fresh)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading a plan");
    memcpy(p, fresh, sizeof *p);
    cairn_plan_free(&fresh);
    p->patient_id = patient_id;

    sqlite3_stmt *st = store_stmt(s, patient_sql, err);
    if (!st)
        return err ? err->status : CAIRN_ERR_DB;
    sqlite3_bind_int64(st, 1, patient_id);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        store_col_text(st, 0, crisis, sizeof crisis);
    sqlite3_reset(st);
    if (src == SQLITE_DONE)
        return cairn_error_set(err, CAIRN_ERR_NOT_FOUND, "no patient with id %lld",
                               (long long)patient_id);
    if (src != SQLITE_ROW)
        return store_fail(s, src, "reading the patient", err);

    if (!(st = store_stmt(s, kind == CAIRN_PLAN_SAFETY ? safety_sql : plan_sql, err)))
        return err ? err->status : CAIRN_ERR_DB;
    sqlite3_bind_int64(st, 1, patient_id);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        p->id = sqlite3_column_int64(st, 0);
        if (kind == CAIRN_PLAN_SAFETY) {
            p->head = sqlite3_column_int(st, 1);
        } else {
            store_col_text(st, 1, p->status, sizeof p->status);
            p->head = sqlite3_column_int(st, 2);
            store_col_text(st, 3, p->signed_by, sizeof p->signed_by);
            store_col_text(st, 4, p->signed_at, sizeof p->signed_at);
            store_col_text(st, 5, p->next_review_date, sizeof p->next_review_date);
        }
    }
    sqlite3_reset(st);
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        return store_fail(s, src, "reading the plan", err);
    if (src == SQLITE_DONE && kind == CAIRN_PLAN_RELAPSE)
        return cairn_error_set(err, CAIRN_ERR_NOT_FOUND,
                               "patient %lld has no plan: admit them to a program first",
                               (long long)patient_id);

    if (kind == CAIRN_PLAN_RELAPSE) {
        if (!(st = store_stmt(s, sections_sql, err)))
            return err ? err->status : CAIRN_ERR_DB;
        sqlite3_bind_int64(st, 1, p->id);
        while ((src = sqlite3_step(st)) == SQLITE_ROW && p->nparts < CAIRN_PLAN_PARTS_MAX) {
            const char *name = (const char *)sqlite3_column_text(st, 0);
            for (int i = 0; i < CAIRN_SECTION__COUNT; i++)
                if (name && !strcmp(name, cairn_plan_part_name(kind, i)))
                    p->parts[p->nparts++].section = i;
        }
        sqlite3_reset(st);
        if (src != SQLITE_DONE && src != SQLITE_ROW)
            return store_fail(s, src, "reading the plan's sections", err);
    }

    static const char plan_keys_sql[] =
        "SELECT s.key, max(CAST(substr(json_extract(i.value, '$.key'), 2) AS INTEGER)) "
        "FROM plan_revision r, json_each(r.content_json, '$.sections') s, json_each(s.value) i "
        "WHERE r.plan_id = ?1 GROUP BY s.key";
    static const char safety_keys_sql[] =
        "SELECT s.key, max(CAST(substr(json_extract(i.value, '$.key'), 2) AS INTEGER)) "
        "FROM safety_revision r, json_each(r.content_json, '$.sections') s, "
        "json_each(s.value) i WHERE r.safety_plan_id = ?1 GROUP BY s.key";
    if (p->id) {
        if (!(st = store_stmt(s, kind == CAIRN_PLAN_SAFETY ? safety_keys_sql : plan_keys_sql, err)))
            return err ? err->status : CAIRN_ERR_DB;
        sqlite3_bind_int64(st, 1, p->id);
        while ((src = sqlite3_step(st)) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(st, 0);
            struct cairn_plan_part *part = name ? cairn_plan_part_find(p, name) : NULL;
            if (part)
                part->last_key = sqlite3_column_int(st, 1);
        }
        sqlite3_reset(st);
        if (src != SQLITE_DONE)
            return store_fail(s, src, "reading the plan's keys", err);
    }

    if (revision == 0)
        revision = p->head;
    if (revision < 0 || revision > p->head)
        return cairn_error_field(err, CAIRN_ERR_NOT_FOUND, "revision",
                                 "no revision %d (the newest is %d)", revision, p->head);
    p->revision = revision;
    if (revision == 0) {
        if (kind == CAIRN_PLAN_SAFETY)
            rc = prefill_crisis_line(s, p, crisis, err);
        return rc;
    }
    if (!(st = store_stmt(s, kind == CAIRN_PLAN_SAFETY ? safety_rev_sql : plan_rev_sql, err)))
        return err ? err->status : CAIRN_ERR_DB;
    sqlite3_bind_int64(st, 1, p->id);
    sqlite3_bind_int(st, 2, revision);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        const char *json = (const char *)sqlite3_column_text(st, 0);
        rc = cairn_plan_import(p, json ? json : "", (size_t)sqlite3_column_bytes(st, 0), err);
        if (rc != CAIRN_OK)
            rc = cairn_error_set(err, CAIRN_ERR_DB, "revision %d of %s %lld is damaged: %s",
                                 revision, entity_of(kind), (long long)p->id,
                                 err ? err->message : "");
    } else {
        rc = src == SQLITE_DONE
                 ? cairn_error_set(err, CAIRN_ERR_DB, "revision %d is missing", revision)
                 : store_fail(s, src, "reading a plan revision", err);
    }
    sqlite3_reset(st);
    return rc;
}

enum cairn_status cairn_plan_load(struct cairn_store *s, enum cairn_plan_kind kind,
                                  int64_t patient_id, int revision, struct cairn_plan *out,
                                  struct cairn_error *err)
{
    return load(s, kind, patient_id, revision, out, err);
}

enum cairn_status cairn_plan_read(struct cairn_store *s, enum cairn_plan_kind kind,
                                  int64_t patient_id, int revision, struct cairn_plan *out,
                                  struct cairn_error *err)
{
    enum cairn_status rc = store_tx_begin(s, err);
    if (rc != CAIRN_OK)
        return rc;
    if ((rc = load(s, kind, patient_id, revision, out, err)) != CAIRN_OK)
        goto out;
    if ((rc = store_audit(s, "read", entity_of(kind), out->id, patient_id, "", "ok", err)) !=
        CAIRN_OK)
        goto out;
out:
    rc = store_tx_end(s, rc, err);
    return rc;
}

/* The audit's field list from a diff: the names its unindented lines start
 * with ("status", "coping"). */
static void diff_fields(const char *diff, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (const char *line = diff; line && *line;) {
        const char *nl = strchr(line, '\n');
        if (*line != ' ') {
            size_t n = strcspn(line, ":\n");
            if (used + n + 2 < size) {
                if (used)
                    out[used++] = ',';
                memcpy(out + used, line, n);
                used += n;
                out[used] = '\0';
            }
        }
        line = nl ? nl + 1 : NULL;
    }
}

static enum cairn_status write_revision(struct cairn_store *s, struct cairn_plan *p,
                                        const struct cairn_plan *head, const char *reason,
                                        const char *content, const char *fields,
                                        struct cairn_error *err)
{
    static const char new_safety[] =
        "INSERT INTO safety_plan (patient_id, created_at, updated_at) VALUES (?1, ?2, ?2)";
    static const char plan_rev[] =
        "INSERT INTO plan_revision (plan_id, revision, author_login, created_at, reason, status, "
        "next_review_date, content_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    static const char safety_rev[] =
        "INSERT INTO safety_revision (safety_plan_id, revision, author_login, created_at, reason, "
        "content_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    static const char plan_head[] =
        "UPDATE plan SET revision = ?2, status = ?3, next_review_date = ?4, signed_by = ?5, "
        "signed_at = ?6, updated_at = ?7, version = version + 1 WHERE id = ?1";
    static const char safety_head[] =
        "UPDATE safety_plan SET revision = ?2, updated_at = ?3, version = version + 1 "
        "WHERE id = ?1";
    char now[CAIRN_TIMESTAMP_LEN + 1];
    enum cairn_status rc;
    sqlite3_stmt *st;
    int next = head->head + 1;
    bool signing = false;
    cairn_timestamp_now(now);

    if (p->kind == CAIRN_PLAN_SAFETY && !head->id) {
        if (!(st = store_stmt(s, new_safety, err)))
            return err ? err->status : CAIRN_ERR_DB;
        sqlite3_bind_int64(st, 1, p->patient_id);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
        if ((rc = store_step_done(s, st, "creating the safety plan", err)) != CAIRN_OK)
            return rc;
        p->id = sqlite3_last_insert_rowid(store_db(s));
        if ((rc = store_audit(s, "create", "safety_plan", p->id, p->patient_id, "", "ok", err)) !=
            CAIRN_OK)
            return rc;
    } else {
        p->id = head->id;
    }
    if (p->kind == CAIRN_PLAN_RELAPSE) {
        signing = !strcmp(p->status, "active") && strcmp(head->status, "active") != 0;
        if (signing) {
            snprintf(p->signed_by, sizeof p->signed_by, "%s", cairn_store_actor_login(s));
            snprintf(p->signed_at, sizeof p->signed_at, "%s", now);
        } else if (!strcmp(p->status, "draft")) {
            p->signed_by[0] = p->signed_at[0] = '\0';
        } else {
            memcpy(p->signed_by, head->signed_by, sizeof p->signed_by);
            memcpy(p->signed_at, head->signed_at, sizeof p->signed_at);
        }
    }
    if (!(st = store_stmt(s, p->kind == CAIRN_PLAN_SAFETY ? safety_rev : plan_rev, err)))
        return err ? err->status : CAIRN_ERR_DB;
    sqlite3_bind_int64(st, 1, p->id);
    sqlite3_bind_int(st, 2, next);
    sqlite3_bind_text(st, 3, cairn_store_actor_login(s), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, reason ? reason : "", -1, SQLITE_TRANSIENT);
    if (p->kind == CAIRN_PLAN_SAFETY) {
        sqlite3_bind_text(st, 6, content, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_text(st, 6, p->status, -1, SQLITE_TRANSIENT);
        store_bind_text_or_null(st, 7, p->next_review_date);
        sqlite3_bind_text(st, 8, content, -1, SQLITE_TRANSIENT);
    }
    if ((rc = store_step_done(s, st, "storing the revision", err)) != CAIRN_OK)
        return rc;
    if (!(st = store_stmt(s, p->kind == CAIRN_PLAN_SAFETY ? safety_head : plan_head, err)))
        return err ? err->status : CAIRN_ERR_DB;
    sqlite3_bind_int64(st, 1, p->id);
    sqlite3_bind_int(st, 2, next);
    if (p->kind == CAIRN_PLAN_SAFETY) {
        sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_text(st, 3, p->status, -1, SQLITE_TRANSIENT);
        store_bind_text_or_null(st, 4, p->next_review_date);
        store_bind_text_or_null(st, 5, p->signed_by);
        store_bind_text_or_null(st, 6, p->signed_at);
        sqlite3_bind_text(st, 7, now, -1, SQLITE_TRANSIENT);
    }
    if ((rc = store_step_done(s, st, "moving the plan's head", err)) != CAIRN_OK)
        return rc;
    if ((rc = store_audit(s, signing ? "sign" : "update", entity_of(p->kind), p->id, p->patient_id,
                          fields, "ok", err)) != CAIRN_OK)
        return rc;
    p->revision = p->head = next;
    return CAIRN_OK;
}

enum cairn_status cairn_plan_save(struct cairn_store *s, struct cairn_plan *p, const char *reason,
                                  bool *unchanged, struct cairn_error *err)
{
    struct cairn_plan *head = cairn_plan_new(p->kind);
    char *mine = NULL, *theirs = NULL, *diff = NULL;
    char fields[512];
    enum cairn_status rc = CAIRN_OK;
    bool open = false;
    *unchanged = false;
    if (!head)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory saving a plan");
    if (p->kind == CAIRN_PLAN_SAFETY)
        p->status[0] = '\0';
    if (reason && (strlen(reason) > 4 * CAIRN_PLAN_REASON_MAX || cairn_text_has_control(reason))) {
        rc = cairn_error_field(err, CAIRN_ERR_INVALID, "reason",
                               "must be one line of at most %d characters", CAIRN_PLAN_REASON_MAX);
        goto out;
    }
    if ((rc = store_tx_begin(s, err)) != CAIRN_OK)
        goto out;
    open = true;
    if ((rc = load(s, p->kind, p->patient_id, 0, head, err)) != CAIRN_OK)
        goto out;
    for (size_t i = 0; i < p->nparts; i++)
        for (size_t j = 0; j < head->nparts; j++)
            if (p->parts[i].section == head->parts[j].section &&
                head->parts[j].last_key > p->parts[i].last_key)
                p->parts[i].last_key = head->parts[j].last_key;
    if ((rc = cairn_plan_validate(p, err)) != CAIRN_OK)
        goto out;
    if (p->revision != head->head) {
        store_tx_rollback(s);
        open = false;
        store_audit_refusal(s, "update", entity_of(p->kind), head->id, p->patient_id, "conflict");
        rc = cairn_error_set(err, CAIRN_ERR_CONFLICT,
                             "the %s changed since you opened it (you edited revision %d, the "
                             "newest is %d)",
                             cairn_plan_kind_str(p->kind), p->revision, head->head);
        goto out;
    }
    if ((rc = cairn_plan_canonical(p, &mine, err)) != CAIRN_OK ||
        (rc = cairn_plan_canonical(head, &theirs, err)) != CAIRN_OK)
        goto out;
    if (!strcmp(mine, theirs)) {
        *unchanged = true;
        p->id = head->id;
        p->head = head->head;
        goto out; /* rolled back below: nothing was written */
    }
    if ((rc = cairn_plan_diff(head, p, &diff, err)) != CAIRN_OK)
        goto out;
    diff_fields(diff, fields, sizeof fields);
    if ((rc = write_revision(s, p, head, reason, mine, fields, err)) != CAIRN_OK)
        goto out;
    rc = store_tx_commit(s, err);
    open = false;
out:
    if (open)
        store_tx_rollback(s);
    free(mine);
    free(theirs);
    free(diff);
    cairn_plan_free(&head);
    return rc;
}

enum cairn_status cairn_plan_history(struct cairn_store *s, enum cairn_plan_kind kind,
                                     int64_t patient_id,
                                     int (*fn)(const struct cairn_plan_revision *r, void *ctx),
                                     void *ctx, struct cairn_error *err)
{
    static const char plan_sql[] =
        "SELECT r.revision, r.author_login, r.created_at, r.reason, r.status FROM plan_revision r "
        "JOIN plan p ON p.id = r.plan_id WHERE p.patient_id = ?1 ORDER BY r.revision";
    static const char safety_sql[] =
        "SELECT r.revision, r.author_login, r.created_at, r.reason, '' FROM safety_revision r "
        "JOIN safety_plan p ON p.id = r.safety_plan_id WHERE p.patient_id = ?1 "
        "ORDER BY r.revision";
    struct cairn_plan *p = cairn_plan_new(kind);
    enum cairn_status rc;
    if (!p)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading a plan");
    if ((rc = store_tx_begin(s, err)) != CAIRN_OK) {
        cairn_plan_free(&p);
        return rc;
    }
    if ((rc = load(s, kind, patient_id, 0, p, err)) != CAIRN_OK)
        goto out;
    sqlite3_stmt *st = store_stmt(s, kind == CAIRN_PLAN_SAFETY ? safety_sql : plan_sql, err);
    if (!st) {
        rc = err ? err->status : CAIRN_ERR_DB;
        goto out;
    }
    sqlite3_bind_int64(st, 1, patient_id);
    struct cairn_plan_revision r;
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&r, 0, sizeof r);
        r.revision = sqlite3_column_int(st, 0);
        store_col_text(st, 1, r.author, sizeof r.author);
        store_col_text(st, 2, r.created_at, sizeof r.created_at);
        store_col_text(st, 3, r.reason, sizeof r.reason);
        store_col_text(st, 4, r.status, sizeof r.status);
        if (fn(&r, ctx))
            break;
    }
    sqlite3_reset(st);
    if (src != SQLITE_ROW && src != SQLITE_DONE) {
        rc = store_fail(s, src, "reading the plan's history", err);
        goto out;
    }
    if ((rc = store_audit(s, "read", entity_of(kind), p->id, patient_id, "history", "ok", err)) !=
        CAIRN_OK)
        goto out;
out:
    rc = store_tx_end(s, rc, err);
    cairn_plan_free(&p);
    return rc;
}

enum cairn_status cairn_plan_goal_record(struct cairn_store *s, int64_t patient_id,
                                         const char *goal, const char *week, int done,
                                         struct cairn_error *err)
{
    static const char upsert[] =
        "INSERT INTO goal_tally (plan_id, goal_key, week, done, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (plan_id, goal_key, week) DO UPDATE SET "
        "done = excluded.done, updated_at = excluded.updated_at, version = version + 1 "
        "RETURNING id";
    struct cairn_plan *p = cairn_plan_new(CAIRN_PLAN_RELAPSE);
    enum cairn_status rc;
    int year, wk;
    char now[CAIRN_TIMESTAMP_LEN + 1], canon[CAIRN_WEEK_LEN + 1];
    if (!p)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
    if (cairn_isoweek_parse(week, &year, &wk, err) != CAIRN_OK) {
        if (err)
            snprintf(err->pointer, sizeof err->pointer, "week");
        cairn_plan_free(&p);
        return CAIRN_ERR_INVALID;
    }
    cairn_isoweek_format(year, wk, canon);
    if (done < 0 || done > 99) {
        cairn_plan_free(&p);
        return cairn_error_field(err, CAIRN_ERR_INVALID, "done", "must be 0 to 99, got %d", done);
    }
    if ((rc = store_tx_begin(s, err)) != CAIRN_OK) {
        cairn_plan_free(&p);
        return rc;
    }
    if ((rc = load(s, CAIRN_PLAN_RELAPSE, patient_id, 0, p, err)) != CAIRN_OK)
        goto out;
    struct cairn_plan_part *goals = cairn_plan_part_find(p, "social_goals");
    bool found = false;
    for (size_t i = 0; goals && i < goals->nitems; i++)
        found |= !strcmp(goals->items[i].key, goal);
    if (!found) {
        rc = cairn_error_field(err, CAIRN_ERR_INVALID, "goal",
                               "'%.8s' is not a social goal of this plan (keys such as g1: see "
                               "`cairn plan show`)",
                               goal);
        goto out;
    }
    sqlite3_stmt *st = store_stmt(s, upsert, err);
    if (!st) {
        rc = err ? err->status : CAIRN_ERR_DB;
        goto out;
    }
    cairn_timestamp_now(now);
    sqlite3_bind_int64(st, 1, p->id);
    sqlite3_bind_text(st, 2, goal, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, canon, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, done);
    sqlite3_bind_text(st, 5, now, -1, SQLITE_TRANSIENT);
    int src = sqlite3_step(st);
    int64_t id = src == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (src == SQLITE_ROW)
        src = sqlite3_step(st);
    sqlite3_reset(st);
    if (src != SQLITE_DONE) {
        rc = store_fail(s, src, "recording the goal tally", err);
        goto out;
    }
    if ((rc = store_audit(s, "update", "goal_tally", id, patient_id, "done", "ok", err)) !=
        CAIRN_OK)
        goto out;
out:
    rc = store_tx_end(s, rc, err);
    cairn_plan_free(&p);
    return rc;
}

enum cairn_status cairn_plan_goal_list(struct cairn_store *s, int64_t patient_id,
                                       int (*fn)(const struct cairn_goal_tally *t, void *ctx),
                                       void *ctx, struct cairn_error *err)
{
    static const char sql[] =
        "SELECT t.goal_key, t.week, t.done FROM goal_tally t JOIN plan p ON p.id = t.plan_id "
        "WHERE p.patient_id = ?1 ORDER BY length(t.goal_key), t.goal_key, t.week";
    sqlite3_stmt *st = store_stmt(s, sql, err);
    if (!st)
        return err ? err->status : CAIRN_ERR_DB;
    sqlite3_bind_int64(st, 1, patient_id);
    struct cairn_goal_tally t;
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&t, 0, sizeof t);
        store_col_text(st, 0, t.goal, sizeof t.goal);
        store_col_text(st, 1, t.week, sizeof t.week);
        t.done = sqlite3_column_int(st, 2);
        if (fn(&t, ctx))
            break;
    }
    sqlite3_reset(st);
    return src == SQLITE_ROW || src == SQLITE_DONE
               ? CAIRN_OK
               : store_fail(s, src, "reading goal tallies", err);
}

enum cairn_status cairn_lapse_add(struct cairn_store *s, struct cairn_lapse *l,
                                  struct cairn_error *err)
{
    static const char exists[] = "SELECT 1 FROM patient WHERE id = ?1";
    static const char insert[] =
        "INSERT INTO lapse (patient_id, date, kind, trigger, coping, note, entered_by, "
        "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)";
    enum cairn_status rc = cairn_lapse_validate(l, cairn_store_today(s), err);
    if (rc != CAIRN_OK)
        return rc;
    if ((rc = store_tx_begin(s, err)) != CAIRN_OK)
        return rc;
    sqlite3_stmt *st = store_stmt(s, exists, err);
    if (!st) {
        rc = err ? err->status : CAIRN_ERR_DB;
        goto out;
    }
    sqlite3_bind_int64(st, 1, l->patient_id);
    int src = sqlite3_step(st);
    sqlite3_reset(st);
    if (src != SQLITE_ROW) {
        rc = src == SQLITE_DONE
                 ? cairn_error_set(err, CAIRN_ERR_NOT_FOUND, "no patient with id %lld",
                                   (long long)l->patient_id)
                 : store_fail(s, src, "reading the patient", err);
        goto out;
    }
    if (!(st = store_stmt(s, insert, err))) {
        rc = err ? err->status : CAIRN_ERR_DB;
        goto out;
    }
    cairn_timestamp_now(l->created_at);
    snprintf(l->entered_by, sizeof l->entered_by, "%s", cairn_store_actor_login(s));
    sqlite3_bind_int64(st, 1, l->patient_id);
    sqlite3_bind_text(st, 2, l->date, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, l->kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, l->trigger, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, l->coping, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, l->note, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, l->entered_by, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, l->created_at, -1, SQLITE_TRANSIENT);
    if ((rc = store_step_done(s, st, "storing the lapse", err)) != CAIRN_OK)
        goto out;
    l->id = sqlite3_last_insert_rowid(store_db(s));
    if ((rc = store_audit(s, "create", "lapse", l->id, l->patient_id,
                          "date,kind,trigger,coping,note", "ok", err)) != CAIRN_OK)
        goto out;
out:
    rc = store_tx_end(s, rc, err);
    return rc;
}

enum cairn_status cairn_lapse_list(struct cairn_store *s, int64_t patient_id,
                                   int (*fn)(const struct cairn_lapse *l, void *ctx), void *ctx,
                                   struct cairn_error *err)
{
    static const char sql[] =
        "SELECT id, date, kind, trigger, coping, note, entered_by, created_at FROM lapse "
        "WHERE patient_id = ?1 ORDER BY date, id";
    struct cairn_lapse *l = malloc(sizeof *l);
    enum cairn_status rc;
    if (!l)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
    if ((rc = store_tx_begin(s, err)) != CAIRN_OK) {
        free(l);
        return rc;
    }
    sqlite3_stmt *st = store_stmt(s, sql, err);
    if (!st) {
        rc = err ? err->status : CAIRN_ERR_DB;
        goto out;
    }
    sqlite3_bind_int64(st, 1, patient_id);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        memset(l, 0, sizeof *l);
        l->id = sqlite3_column_int64(st, 0);
        l->patient_id = patient_id;
        store_col_text(st, 1, l->date, sizeof l->date);
        store_col_text(st, 2, l->kind, sizeof l->kind);
        store_col_text(st, 3, l->trigger, sizeof l->trigger);
        store_col_text(st, 4, l->coping, sizeof l->coping);
        store_col_text(st, 5, l->note, sizeof l->note);
        store_col_text(st, 6, l->entered_by, sizeof l->entered_by);
        store_col_text(st, 7, l->created_at, sizeof l->created_at);
        if (fn(l, ctx))
            break;
    }
    sqlite3_reset(st);
    if (src != SQLITE_ROW && src != SQLITE_DONE) {
        rc = store_fail(s, src, "reading the lapse log", err);
        goto out;
    }
    if ((rc = store_audit(s, "read", "lapse", 0, patient_id, "", "ok", err)) != CAIRN_OK)
        goto out;
out:
    rc = store_tx_end(s, rc, err);
    free(l);
    return rc;
}

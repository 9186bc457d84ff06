/* The bulk write path of `cairn demo` (see store_demo.h): one transaction,
 * statements prepared once, secondary indexes dropped for the load and
 * re-created from their own SQL before the commit. */
#include "store_demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/text.h"
#include "store_internal.h"

/* The page cache during the load, in KiB: room for the interior pages of
 * every table and unique index being appended to, and for the sorts that
 * re-create the indexes. */
enum { LOAD_CACHE_KIB = 16384 };

/* The statements of a load, in the order of `load_sql`. */
enum load_stmt {
    ST_PATIENT,
    ST_PATIENT_AUDIT,
    ST_PLAN,
    ST_PLAN_SECTION,
    ST_PLAN_REVISION,
    ST_SAFETY_PLAN,
    ST_SAFETY_REVISION,
    ST_LADDER,
    ST_LADDER_STEP,
    ST_ATTEMPT,
    ST_SESSION,
    ST_ATTENDANCE,
    ST_MEASURE,
    ST_LAPSE,
    ST_REVIEW,
    ST__COUNT
};

static const char *const load_sql[ST__COUNT] = {
    [ST_PATIENT] =
        "INSERT INTO patient (id, mrn, legal_name, preferred_name, dob, pronouns, phone, "
        "emergency_contact, program_id, admission_date, expected_discharge_date, discharge_date, "
        "discharge_reason, status, therapist_id, case_manager_id, peer_mentor_id, risk_level, "
        "risk_set_by, risk_set_at, tags, created_at, updated_at, version, name_key) VALUES (?1, "
        "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
        "?21, ?22, ?22, ?23, ?24)",
    [ST_PATIENT_AUDIT] = "INSERT INTO audit (at, uid, login, action, entity, entity_id, "
                         "patient_id, fields, outcome) VALUES (?1, ?2, ?3, 'create', 'patient', "
                         "?4, ?4, 'demo', 'ok')",
    [ST_PLAN] = "INSERT INTO plan (id, patient_id, program_id, status, revision, signed_by, "
                "signed_at, next_review_date, created_at, updated_at, version) VALUES (?1, ?2, "
                "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)",
    [ST_PLAN_SECTION] =
        "INSERT INTO plan_section (id, plan_id, position, section) VALUES (?1, ?2, ?3, ?4)",
    [ST_PLAN_REVISION] =
        "INSERT INTO plan_revision (id, plan_id, revision, author_login, created_at, reason, "
        "status, next_review_date, content_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [ST_SAFETY_PLAN] = "INSERT INTO safety_plan (id, patient_id, revision, created_at, "
                       "updated_at, version) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
    [ST_SAFETY_REVISION] =
        "INSERT INTO safety_revision (id, safety_plan_id, revision, author_login, created_at, "
        "reason, content_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_LADDER] = "INSERT INTO ladder (id, patient_id, position, name, target, scale, status, "
                  "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'active', ?7, ?7)",
    [ST_LADDER_STEP] =
        "INSERT INTO ladder_step (id, ladder_id, position, text, suds, status, created_at, "
        "updated_at, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
    [ST_ATTEMPT] =
        "INSERT INTO ladder_attempt (id, step_id, patient_id, date, suds_before, suds_peak, "
        "suds_after, minutes, setting, prediction, expectancy_before, came_true, "
        "expectancy_after, safety_behaviours, note, entered_by, created_at, updated_at) VALUES "
        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17)",
    [ST_SESSION] = "INSERT INTO session (id, date, start_time, type, title, minutes, telehealth, "
                   "facilitator_id, entered_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, "
                   "?5, ?6, ?7, ?8, ?9, ?10, ?10)",
    [ST_ATTENDANCE] = "INSERT INTO attendance (id, session_id, patient_id, date, status, "
                      "minutes_attended, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                      "?7, ?7)",
    [ST_MEASURE] = "INSERT INTO measure (id, patient_id, instrument, date, answers, total, band, "
                   "flags, entered_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                   "?7, ?8, ?9, ?10, ?10)",
    [ST_LAPSE] = "INSERT INTO lapse (id, patient_id, date, kind, trigger, coping, note, "
                 "entered_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                 "?9)",
    [ST_REVIEW] = "INSERT INTO review (id, patient_id, week, status, created_at, updated_at, "
                  "version, inputs_json, snapshot_json, started_by, started_at, signed_by, "
                  "signed_at, cosigned_by, cosigned_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, "
                  "?8, ?9, ?10, ?11, ?12, ?13, ?14)",
};

/* What each statement writes, for error messages. */
static const char *const load_what[ST__COUNT] = {
    [ST_PATIENT] = "storing a demo patient",
    [ST_PATIENT_AUDIT] = "writing the audit trail",
    [ST_PLAN] = "storing a demo plan",
    [ST_PLAN_SECTION] = "storing a demo plan section",
    [ST_PLAN_REVISION] = "storing a demo plan revision",
    [ST_SAFETY_PLAN] = "storing a demo safety plan",
    [ST_SAFETY_REVISION] = "storing a demo safety plan revision",
    [ST_LADDER] = "storing a demo ladder",
    [ST_LADDER_STEP] = "storing a demo ladder step",
    [ST_ATTEMPT] = "storing a demo exposure attempt",
    [ST_SESSION] = "storing a demo session",
    [ST_ATTENDANCE] = "storing demo attendance",
    [ST_MEASURE] = "storing a demo measure",
    [ST_LAPSE] = "storing a demo lapse",
    [ST_REVIEW] = "storing a demo review",
};

/* The tables behind enum store_demo_table. */
static const char *const table_names[STORE_DEMO__TABLES] = {
    [STORE_DEMO_PATIENT] = "patient",
    [STORE_DEMO_PLAN] = "plan",
    [STORE_DEMO_PLAN_SECTION] = "plan_section",
    [STORE_DEMO_PLAN_REVISION] = "plan_revision",
    [STORE_DEMO_SAFETY_PLAN] = "safety_plan",
    [STORE_DEMO_SAFETY_REVISION] = "safety_revision",
    [STORE_DEMO_LADDER] = "ladder",
    [STORE_DEMO_LADDER_STEP] = "ladder_step",
    [STORE_DEMO_ATTEMPT] = "ladder_attempt",
    [STORE_DEMO_REVIEW] = "review",
    [STORE_DEMO_SESSION] = "session",
    [STORE_DEMO_ATTENDANCE] = "attendance",
    [STORE_DEMO_MEASURE] = "measure",
    [STORE_DEMO_LAPSE] = "lapse",
};

/* A secondary index dropped for the load. */
struct saved_index {
    char *name, *sql;
};

struct store_demo {
    struct cairn_store *s;
    char now[CAIRN_TIMESTAMP_LEN + 1];
    sqlite3_stmt *st[ST__COUNT];
    int64_t next_id[STORE_DEMO__TABLES];
    struct saved_index *indexes;
    size_t nindexes;
    uint64_t rows;        /* rows inserted so far */
    bool journal_changed; /* switched from WAL to a rollback journal */
    int64_t cache_size;   /* the connection's own, put back at the end */
    bool open;            /* our transaction is open */
};

/* Runs one statement with no result rows that is not worth preparing twice. */
static enum cairn_status exec_sql(struct cairn_store *s, const char *sql, const char *what,
                                  struct cairn_error *err)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? CAIRN_OK : store_fail(s, rc, what, err);
}

/* One integer from a one-row query (a pragma, a max()); 0 when NULL. */
static enum cairn_status query_int(struct cairn_store *s, const char *sql, int64_t *out,
                                   struct cairn_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    *out = 0;
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK || rc == SQLITE_DONE ? CAIRN_OK
                                                : store_fail(s, rc, "preparing the demo load", err);
}

/* Switches a file database between WAL and a rollback journal; true when
 * the pragma answered `mode`. */
static bool set_journal(struct cairn_store *s, const char *mode)
{
    char sql[48];
    sqlite3_stmt *st = NULL;
    snprintf(sql, sizeof sql, "PRAGMA journal_mode = %s", mode);
    bool ok = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
              sqlite3_step(st) == SQLITE_ROW &&
              strcmp((const char *)sqlite3_column_text(st, 0), mode) == 0;
    sqlite3_finalize(st);
    return ok;
}

/* Saves the SQL of every secondary index (the unique ones behind
 * constraints have none) and drops them, inside the load's transaction. */
static enum cairn_status drop_indexes(struct store_demo *d, struct cairn_error *err)
{
    struct cairn_store *s = d->s;
    sqlite3_stmt *st = NULL;
    enum cairn_status rc = CAIRN_OK;
    int src = sqlite3_prepare_v2(s->db,
                                 "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND "
                                 "sql IS NOT NULL ORDER BY rowid",
                                 -1, &st, NULL);
    if (src != SQLITE_OK) {
        rc = store_fail(s, src, "reading the indexes", err);
        goto out;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        struct saved_index *grown = realloc(d->indexes, (d->nindexes + 1) * sizeof *grown);
        if (!grown) {
            rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory preparing the demo load");
            goto out;
        }
        d->indexes = grown;
        struct saved_index *ix = &d->indexes[d->nindexes];
        ix->name = strdup((const char *)sqlite3_column_text(st, 0));
        ix->sql = strdup((const char *)sqlite3_column_text(st, 1));
        d->nindexes++;
        if (!ix->name || !ix->sql) {
            rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory preparing the demo load");
            goto out;
        }
    }
    if (src != SQLITE_DONE) {
        rc = store_fail(s, src, "reading the indexes", err);
        goto out;
    }
    for (size_t i = 0; i < d->nindexes && rc == CAIRN_OK; i++) {
        char *drop = sqlite3_mprintf("DROP INDEX \"%w\"", d->indexes[i].name);
        rc = drop ? exec_sql(s, drop, "dropping an index for the demo load", err)
                  : cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory preparing the demo load");
        sqlite3_free(drop);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

enum cairn_status store_demo_begin(struct cairn_store *s, const char *now, struct store_demo **out,
                                   struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    *out = NULL;
    if (s->tx_depth > 0)
        return cairn_error_set(err, CAIRN_ERR_DB,
                               "a demo load runs in a transaction of its own, and one is open");
    struct store_demo *d = calloc(1, sizeof *d);
    if (!d)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory preparing the demo load");
    d->s = s;
    snprintf(d->now, sizeof d->now, "%s", now);
    *out = d;
    if ((rc = query_int(s, "PRAGMA cache_size", &d->cache_size, err)) != CAIRN_OK)
        return rc;
    /* The file is new to these pages, so a rollback journal holds almost
     * nothing and the data is written once (WAL would write it twice); a
     * crash still leaves the database as it was. Another connection keeps
     * it in WAL, which is slower but as safe. */
    if (strcmp(s->path, CAIRN_STORE_MEMORY) != 0)
        d->journal_changed = set_journal(s, "delete");
    char pragma[48];
    snprintf(pragma, sizeof pragma, "PRAGMA cache_size = -%d", (int)LOAD_CACHE_KIB);
    if ((rc = exec_sql(s, pragma, "preparing the demo load", err)) != CAIRN_OK ||
        (rc = store_tx_begin(s, err)) != CAIRN_OK)
        return rc;
    d->open = true;
    for (int t = 0; t < STORE_DEMO__TABLES; t++) {
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT max(id) FROM %s", table_names[t]);
        if ((rc = query_int(s, sql, &d->next_id[t], err)) != CAIRN_OK)
            return rc;
        d->next_id[t]++;
    }
    if ((rc = drop_indexes(d, err)) != CAIRN_OK)
        return rc;
    for (int i = 0; i < ST__COUNT; i++) {
        int src =
            sqlite3_prepare_v3(s->db, load_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &d->st[i], NULL);
        if (src != SQLITE_OK)
            return store_fail(s, src, "preparing the demo load", err);
    }
    return CAIRN_OK;
}

int64_t store_demo_ids(struct store_demo *d, enum store_demo_table table, int64_t n)
{
    int64_t first = d->next_id[table];
    d->next_id[table] += n;
    return first;
}

/* Steps statement `i` (bound by the caller), resets it and counts the row. */
static enum cairn_status run(struct store_demo *d, enum load_stmt i, struct cairn_error *err)
{
    sqlite3_stmt *st = d->st[i];
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_fail(d->s, rc, load_what[i], err);
    d->rows++;
    return CAIRN_OK;
}

static void bind_text(sqlite3_stmt *st, int idx, const char *text)
{
    sqlite3_bind_text(st, idx, text, -1, SQLITE_STATIC);
}

/* Binds text, or NULL when it is NULL or empty. */
static void bind_text_or_null(sqlite3_stmt *st, int idx, const char *text)
{
    if (text && *text)
        sqlite3_bind_text(st, idx, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, idx);
}

enum cairn_status store_demo_patient(struct store_demo *d, const struct cairn_patient *p,
                                     struct cairn_error *err)
{
    sqlite3_stmt *st = d->st[ST_PATIENT];
    char key[sizeof p->name_key];
    store_patient_name_key(p->legal_name, p->preferred_name, key, sizeof key);
    sqlite3_bind_int64(st, 1, p->id);
    bind_text(st, 2, p->mrn);
    bind_text(st, 3, p->legal_name);
    bind_text(st, 4, p->preferred_name);
    bind_text(st, 5, p->dob);
    bind_text(st, 6, p->pronouns);
    bind_text(st, 7, p->phone);
    bind_text(st, 8, p->emergency_contact);
    store_bind_id_or_null(st, 9, p->program_id);
    bind_text_or_null(st, 10, p->admission_date);
    bind_text_or_null(st, 11, p->expected_discharge_date);
    bind_text_or_null(st, 12, p->discharge_date);
    bind_text(st, 13, p->discharge_reason);
    bind_text(st, 14, cairn_patient_status_str(p->status));
    store_bind_id_or_null(st, 15, p->therapist_id);
    store_bind_id_or_null(st, 16, p->case_manager_id);
    store_bind_id_or_null(st, 17, p->peer_mentor_id);
    if (p->risk != CAIRN_RISK_UNSET) {
        bind_text(st, 18, cairn_risk_str(p->risk));
        bind_text(st, 19, d->s->login);
        bind_text(st, 20, d->now);
    } else {
        sqlite3_bind_null(st, 18);
        sqlite3_bind_null(st, 19);
        sqlite3_bind_null(st, 20);
    }
    bind_text(st, 21, p->tags);
    bind_text(st, 22, d->now);
    sqlite3_bind_int64(st, 23, p->version);
    bind_text(st, 24, key);
    enum cairn_status rc = run(d, ST_PATIENT, err);
    if (rc != CAIRN_OK)
        return rc;
    st = d->st[ST_PATIENT_AUDIT];
    bind_text(st, 1, d->now);
    sqlite3_bind_int64(st, 2, d->s->uid);
    bind_text(st, 3, d->s->login);
    sqlite3_bind_int64(st, 4, p->id);
    return run(d, ST_PATIENT_AUDIT, err);
}

enum cairn_status store_demo_plan(struct store_demo *d, const struct cairn_plan *p,
                                  int64_t program_id, int64_t version, int64_t first_section_id,
                                  struct cairn_error *err)
{
    sqlite3_stmt *st = d->st[ST_PLAN];
    sqlite3_bind_int64(st, 1, p->id);
    sqlite3_bind_int64(st, 2, p->patient_id);
    sqlite3_bind_int64(st, 3, program_id);
    bind_text(st, 4, p->status);
    sqlite3_bind_int(st, 5, p->head);
    bind_text_or_null(st, 6, p->signed_by);
    bind_text_or_null(st, 7, p->signed_by[0] ? d->now : NULL);
    bind_text_or_null(st, 8, p->next_review_date);
    bind_text(st, 9, d->now);
    sqlite3_bind_int64(st, 10, version);
    enum cairn_status rc = run(d, ST_PLAN, err);
    st = d->st[ST_PLAN_SECTION];
    for (size_t i = 0; i < p->nparts && rc == CAIRN_OK; i++) {
        sqlite3_bind_int64(st, 1, first_section_id + (int64_t)i);
        sqlite3_bind_int64(st, 2, p->id);
        sqlite3_bind_int(st, 3, (int)i);
        bind_text(st, 4, cairn_plan_part_name(p->kind, p->parts[i].section));
        rc = run(d, ST_PLAN_SECTION, err);
    }
    return rc;
}

enum cairn_status store_demo_plan_revision(struct store_demo *d, const struct cairn_plan *p,
                                           int64_t revision_id, const char *reason,
                                           const char *content, struct cairn_error *err)
{
    sqlite3_stmt *st = d->st[ST_PLAN_REVISION];
    sqlite3_bind_int64(st, 1, revision_id);
    sqlite3_bind_int64(st, 2, p->id);
    sqlite3_bind_int(st, 3, p->head);
    bind_text(st, 4, d->s->login);
    bind_text(st, 5, d->now);
    bind_text(st, 6, reason ? reason : "");
    bind_text(st, 7, p->status);
    bind_text_or_null(st, 8, p->next_review_date);
    bind_text(st, 9, content);
    return run(d, ST_PLAN_REVISION, err);
}

enum cairn_status store_demo_safety_plan(struct store_demo *d, const struct cairn_plan *p,
                                         int64_t version, int64_t revision_id, const char *reason,
                                         const char *content, struct cairn_error *err)
{
    sqlite3_stmt *st = d->st[ST_SAFETY_PLAN];
    sqlite3_bind_int64(st, 1, p->id);
    sqlite3_bind_int64(st, 2, p->patient_id);
    sqlite3_bind_int(st, 3, p->head);
    bind_text(st, 4, d->now);
    sqlite3_bind_int64(st, 5, version);
    enum cairn_status rc = run(d, ST_SAFETY_PLAN, err);
    if (rc != CAIRN_OK)
        return rc;
    st = d->st[ST_SAFETY_REVISION];
    sqlite3_bind_int64(st, 1, revision_id);
    sqlite3_bind_int64(st, 2, p->id);
    sqlite3_bind_int(st, 3, p->head);
    bind_text(st, 4, d->s->login);
    bind_text(st, 5, d->now);
    bind_text(st, 6, reason ? reason : "");
    bind_text(st, 7, content);
    return run(d, ST_SAFETY_REVISION, err);
}

enum cairn_status store_demo_ladder(struct store_demo *d, int64_t ladder_id, int64_t patient_id,
                                    int position, const struct cairn_template_ladder *tl,
                                    int64_t first_step_id, const enum cairn_step_status *status,
                                    const int64_t *version, struct cairn_error *err)
{
    sqlite3_stmt *st = d->st[ST_LADDER];
    sqlite3_bind_int64(st, 1, ladder_id);
    sqlite3_bind_int64(st, 2, patient_id);
    sqlite3_bind_int(st, 3, position);
    bind_text(st, 4, tl->name);
    bind_text(st, 5, tl->target);
    sqlite3_bind_int(st, 6, tl->scale);
    bind_text(st, 7, d->now);
    enum cairn_status rc = run(d, ST_LADDER, err);
    st = d->st[ST_LADDER_STEP];
    for (size_t i = 0; i < tl->nsteps && rc == CAIRN_OK; i++) {
        sqlite3_bind_int64(st, 1, first_step_id + (int64_t)i);
        sqlite3_bind_int64(st, 2, ladder_id);
        sqlite3_bind_int(st, 3, (int)i);
        bind_text(st, 4, tl->steps[i].text);
        sqlite3_bind_int(st, 5, tl->steps[i].suds);
        bind_text(st, 6, cairn_step_status_str(status[i]));
        bind_text(st, 7, d->now);
        sqlite3_bind_int64(st, 8, version[i]);
        rc = run(d, ST_LADDER_STEP, err);
    }
    return rc;
}

enum cairn_status store_demo_attempt(struct store_demo *d, const struct cairn_ladder_attempt *a,
                                     int64_t patient_id, struct cairn_error *err)
{
    sqlite3_stmt *st = d->st[ST_ATTEMPT];
    sqlite3_bind_int64(st, 1, a->id);
    sqlite3_bind_int64(st, 2, a->step_id);
    sqlite3_bind_int64(st, 3, patient_id);
    bind_text(st, 4, a->date);
    sqlite3_bind_int(st, 5, a->suds_before);
    sqlite3_bind_int(st, 6, a->suds_peak);
    sqlite3_bind_int(st, 7, a->suds_after);
    if (a->minutes > 0)
        sqlite3_bind_int(st, 8, a->minutes);
    else
        sqlite3_bind_null(st, 8);
    bind_text(st, 9, cairn_attempt_setting_str(a->setting));
    bind_text_or_null(st, 10, a->prediction);
    if (a->expectancy_before >= 0)
        sqlite3_bind_int(st, 11, a->expectancy_before);
    else
        sqlite3_bind_null(st, 11);
    bind_text_or_null(st, 12, cairn_came_true_str(a->came_true));
    if (a->expectancy_after >= 0)
        sqlite3_bind_int(st, 13, a->expectancy_after);
    else
        sqlite3_bind_null(st, 13);
    bind_text_or_null(st, 14, a->safety_behaviours);
    bind_text_or_null(st, 15, a->note);
    bind_text(st, 16, d->s->login);
    bind_text(st, 17, d->now);
    return run(d, ST_ATTEMPT, err);
}

enum cairn_status store_demo_session(struct store_demo *d, const struct cairn_session *s,
                                     int64_t facilitator_id, struct cairn_error *err)
{
    sqlite3_stmt *st = d->st[ST_SESSION];
    sqlite3_bind_int64(st, 1, s->id);
    bind_text(st, 2, s->date);
    bind_text_or_null(st, 3, s->start);
    bind_text(st, 4, cairn_session_type_str(s->type));
    bind_text(st, 5, s->title);
    sqlite3_bind_int(st, 6, s->minutes);
    sqlite3_bind_int(st, 7, s->telehealth);
    store_bind_id_or_null(st, 8, facilitator_id);
    bind_text(st, 9, d->s->login);
    bind_text(st, 10, d->now);
    return run(d, ST_SESSION, err);
}

enum cairn_status store_demo_attendance(struct store_demo *d, int64_t id,
                                        const struct cairn_session *s, int64_t patient_id,
                                        enum cairn_attendance_status status, int minutes_attended,
                                        struct cairn_error *err)
{
    sqlite3_stmt *st = d->st[ST_ATTENDANCE];
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, s->id);
    sqlite3_bind_int64(st, 3, patient_id);
    bind_text(st, 4, s->date);
    bind_text(st, 5, cairn_attendance_str(status));
    sqlite3_bind_int(st, 6, minutes_attended);
    bind_text(st, 7, d->now);
    return run(d, ST_ATTENDANCE, err);
}

enum cairn_status store_demo_measure(struct store_demo *d, const struct cairn_measure *m,
                                     struct cairn_error *err)
{
    sqlite3_stmt *st = d->st[ST_MEASURE];
    char answers[64], flags[64];
    store_measure_answers_text(m->answers, m->nanswers, answers, sizeof answers);
    store_measure_flags_text(m->score.flags, flags, sizeof flags);
    sqlite3_bind_int64(st, 1, m->id);
    sqlite3_bind_int64(st, 2, m->patient_id);
    bind_text(st, 3, cairn_instrument_str(m->instrument));
    bind_text(st, 4, m->date);
    bind_text(st, 5, answers);
    sqlite3_bind_int(st, 6, m->score.total);
    bind_text(st, 7, m->score.band ? m->score.band : "");
    bind_text(st, 8, flags);
    bind_text(st, 9, d->s->login);
    bind_text(st, 10, d->now);
    return run(d, ST_MEASURE, err);
}

enum cairn_status store_demo_lapse(struct store_demo *d, const struct cairn_lapse *l,
                                   struct cairn_error *err)
{
    sqlite3_stmt *st = d->st[ST_LAPSE];
    sqlite3_bind_int64(st, 1, l->id);
    sqlite3_bind_int64(st, 2, l->patient_id);
    bind_text(st, 3, l->date);
    bind_text(st, 4, l->kind);
    bind_text(st, 5, l->trigger);
    bind_text(st, 6, l->coping);
    bind_text(st, 7, l->note);
    bind_text(st, 8, d->s->login);
    bind_text(st, 9, d->now);
    return run(d, ST_LAPSE, err);
}

enum cairn_status store_demo_review(struct store_demo *d, const struct store_demo_review *r,
                                    struct cairn_error *err)
{
    sqlite3_stmt *st = d->st[ST_REVIEW];
    sqlite3_bind_int64(st, 1, r->id);
    sqlite3_bind_int64(st, 2, r->patient_id);
    bind_text(st, 3, r->week);
    bind_text(st, 4, cairn_review_status_str(r->status));
    bind_text(st, 5, d->now);
    sqlite3_bind_int64(st, 6, r->version);
    bind_text_or_null(st, 7, r->inputs_json);
    bind_text_or_null(st, 8, r->snapshot_json);
    bind_text_or_null(st, 9, r->started_by);
    bind_text_or_null(st, 10, r->started_by ? d->now : NULL);
    bind_text_or_null(st, 11, r->signed_by);
    bind_text_or_null(st, 12, r->signed_by ? d->now : NULL);
    bind_text_or_null(st, 13, r->cosigned_by);
    bind_text_or_null(st, 14, r->cosigned_by ? d->now : NULL);
    return run(d, ST_REVIEW, err);
}

enum cairn_status store_demo_finish(struct store_demo *d, const struct cairn_demo_stats *made,
                                    uint64_t *rows, struct cairn_error *err)
{
    struct cairn_store *s = d->s;
    enum cairn_status rc = CAIRN_OK;
    for (size_t i = 0; i < d->nindexes && rc == CAIRN_OK; i++)
        rc = exec_sql(s, d->indexes[i].sql, "re-creating an index after the demo load", err);
    if (rc != CAIRN_OK)
        return rc;
    /* TODO(lead): rebuild per-patient summaries here */
    char fields[512];
    snprintf(fields, sizeof fields,
             "patients=%u,staff=%u,sessions=%u,attendance=%u,measures=%u,attempts=%u,plans=%u,"
             "safety_plans=%u,lapses=%u,reviews=%u,rows=%llu",
             made->patients, made->staff, made->sessions, made->attendance, made->measures,
             made->attempts, made->plans, made->safety_plans, made->lapses, made->reviews,
             (unsigned long long)(d->rows + 1));
    if ((rc = store_audit(s, "create", "demo", 0, 0, fields, "ok", err)) != CAIRN_OK)
        return rc;
    d->rows++;
    if ((rc = store_tx_commit(s, err)) != CAIRN_OK)
        return rc;
    d->open = false;
    if (rows)
        *rows = d->rows;
    return CAIRN_OK;
}

void store_demo_end(struct store_demo **dp)
{
    if (!dp || !*dp)
        return;
    struct store_demo *d = *dp;
    for (int i = 0; i < ST__COUNT; i++)
        sqlite3_finalize(d->st[i]);
    if (d->open)
        store_tx_rollback(d->s);
    if (d->journal_changed)
        set_journal(d->s, "wal");
    char pragma[48];
    snprintf(pragma, sizeof pragma, "PRAGMA cache_size = %lld", (long long)d->cache_size);
    sqlite3_exec(d->s->db, pragma, NULL, NULL, NULL);
    for (size_t i = 0; i < d->nindexes; i++) {
        free(d->indexes[i].name);
        free(d->indexes[i].sql);
    }
    free(d->indexes);
    free(d);
    *dp = NULL;
}

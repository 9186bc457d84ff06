/* The bulk write path of `cairn demo` (see store_demo.h): one transaction,
 * statements prepared once, secondary indexes dropped for the load and
 * re-created from their own SQL.
 *
 * The caller's thread only queues rows: each store_demo_*() writer copies
 * its row into a block of a bounded queue, and one writer thread, the only
 * user of the connection while the load runs, inserts them, several rows
 * of a table per statement. So generating the next patients (mostly JSON)
 * and writing the last ones (mostly SQLite) use both cores of a small
 * machine. Rows of a block are written before the next block's; within a
 * block a table's batch waits for the batches of the tables it refers to,
 * so every foreign key finds its row. */
#include "store_demo.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/text.h"
#include "store_internal.h"

enum {
    /* The page cache during the load, in KiB. Every index kept during the
     * load takes its keys in order (the random ones are dropped and
     * re-created by a sort), so each b-tree needs little more than the
     * pages on its right edge, and a spilled page is not read back: at
     * 100,000 patients 4 MiB is as fast as 64 MiB was and keeps the
     * process within DESIGN.md's 32 MiB. The sorts that re-create the
     * indexes take about as much again. */
    LOAD_CACHE_KIB = 4096,
    BLOCK_BYTES = 1 << 20, /* rows are queued a block at a time */
    BLOCKS_MAX = 4,        /* blocks allocated at most (queued, being written, filled) */
    BATCH_ROWS = 32,       /* rows of one table per INSERT */
    PARAMS_MAX = 32,       /* parameters of one row at most (a summary's) */
    CMD_INDEXES = 0xFF,    /* a queue entry that re-creates a table's indexes */
};

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
    ST_SUMMARY,
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
    [ST_SUMMARY] = store_summary_insert_sql,
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
    [ST_SUMMARY] = "storing a patient summary",
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

/* The statements whose rows must be in before a row of each can go in
 * (its foreign keys into the load), as bits (1u << enum load_stmt). */
static const unsigned load_parents[ST__COUNT] = {
    [ST_PLAN] = 1u << ST_PATIENT,
    [ST_PLAN_SECTION] = 1u << ST_PLAN,
    [ST_PLAN_REVISION] = 1u << ST_PLAN,
    [ST_SAFETY_PLAN] = 1u << ST_PATIENT,
    [ST_SAFETY_REVISION] = 1u << ST_SAFETY_PLAN,
    [ST_LADDER] = 1u << ST_PATIENT,
    [ST_LADDER_STEP] = 1u << ST_LADDER,
    [ST_ATTEMPT] = 1u << ST_LADDER_STEP | 1u << ST_PATIENT,
    [ST_ATTENDANCE] = 1u << ST_SESSION | 1u << ST_PATIENT,
    [ST_MEASURE] = 1u << ST_PATIENT,
    [ST_LAPSE] = 1u << ST_PATIENT,
    [ST_REVIEW] = 1u << ST_PATIENT,
    [ST_SUMMARY] = 1u << ST_PATIENT,
};

/* A secondary index dropped for the load. */
struct saved_index {
    char *name, *table, *sql;
    bool made; /* re-created already */
};

/* A block of queued rows: each a statement number, its parameter count
 * and the parameters (a tag, then an int64, a pointer, or a length and
 * the bytes). */
struct block {
    struct block *next;
    size_t used, cap;
    unsigned char data[];
};

enum param_tag { P_NULL, P_INT, P_TEXT, P_STATIC };

/* One row as a writer function collects it before queueing it. */
struct row {
    enum load_stmt stmt;
    int n;
    struct {
        enum param_tag tag;
        int64_t i;
        const char *s;
        size_t len;
    } p[PARAMS_MAX];
};

struct store_demo {
    struct cairn_store *s;
    char now[CAIRN_TIMESTAMP_LEN + 1];
    sqlite3_stmt *single[ST__COUNT], *batch[ST__COUNT];
    int nparams[ST__COUNT];
    int64_t next_id[STORE_DEMO__TABLES];
    struct saved_index *indexes;
    size_t nindexes;
    uint64_t rows;        /* rows inserted (the writer's until it is joined) */
    bool journal_changed; /* switched from WAL to a rollback journal */
    int64_t cache_size;   /* the connection's own, put back at the end */
    bool open;            /* our transaction is open */
    /* The queue. */
    pthread_mutex_t lock;
    pthread_cond_t work, room;
    bool sync_made, writer_running, done;
    pthread_t writer;
    struct block *head, *tail, *spare, *current;
    size_t nblocks;
    enum cairn_status failed; /* the writer's first error, with `failure` */
    struct cairn_error failure;
    /* The writer's batches: rows pointing into the block being written. */
    const unsigned char *pending[ST__COUNT][BATCH_ROWS];
    int npending[ST__COUNT];
    struct store_summary_row summary_row; /* the caller's, encoding a summary */
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

/* Whether index `sql` grows at its end as the load appends rows: the load
 * writes a patient at a time, with ids in order and one timestamp, so an
 * index led by a patient, step or review id or by the time is appended to
 * (as cheap as building it afterwards, and it needs no sort); any other
 * would take its entries in random order. */
static bool grows_at_end(const char *table, const char *sql)
{
    /* Attendance comes session by session (a roster of patients each),
     * not patient by patient: its patient index takes random keys. */
    if (strcmp(table, "attendance") == 0)
        return false;
    static const char *const leads[] = {"patient_id", "step_id", "review_id", "at"};
    const char *open = strchr(sql, '(');
    if (!open)
        return false;
    open++;
    while (*open == ' ')
        open++;
    size_t n = strcspn(open, " ,)");
    for (size_t i = 0; i < sizeof leads / sizeof leads[0]; i++)
        if (strlen(leads[i]) == n && strncmp(open, leads[i], n) == 0)
            return true;
    return false;
}

/* Saves the SQL of every secondary index (the unique ones behind
 * constraints have none) that would take its entries in random order, and
 * drops it, inside the load's transaction. */
static enum cairn_status drop_indexes(struct store_demo *d, struct cairn_error *err)
{
    struct cairn_store *s = d->s;
    sqlite3_stmt *st = NULL;
    enum cairn_status rc = CAIRN_OK;
    int src = sqlite3_prepare_v2(s->db,
                                 "SELECT name, tbl_name, sql FROM sqlite_schema WHERE type = "
                                 "'index' AND sql IS NOT NULL ORDER BY rowid",
                                 -1, &st, NULL);
    if (src != SQLITE_OK) {
        rc = store_fail(s, src, "reading the indexes", err);
        goto out;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if (grows_at_end((const char *)sqlite3_column_text(st, 1),
                         (const char *)sqlite3_column_text(st, 2)))
            continue;
        struct saved_index *grown = realloc(d->indexes, (d->nindexes + 1) * sizeof *grown);
        if (!grown) {
            rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory preparing the demo load");
            goto out;
        }
        d->indexes = grown;
        struct saved_index *ix = &d->indexes[d->nindexes++];
        ix->name = strdup((const char *)sqlite3_column_text(st, 0));
        ix->table = strdup((const char *)sqlite3_column_text(st, 1));
        ix->sql = strdup((const char *)sqlite3_column_text(st, 2));
        ix->made = false;
        if (!ix->name || !ix->table || !ix->sql) {
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

/* Re-creates the saved indexes of `table` (every one left when NULL). */
static enum cairn_status make_indexes(struct store_demo *d, const char *table,
                                      struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    for (size_t i = 0; i < d->nindexes && rc == CAIRN_OK; i++) {
        struct saved_index *ix = &d->indexes[i];
        if (ix->made || (table && strcmp(ix->table, table) != 0))
            continue;
        rc = exec_sql(d->s, ix->sql, "re-creating an index after the demo load", err);
        ix->made = rc == CAIRN_OK;
    }
    return rc;
}

/* Prepares statement i for one row and for BATCH_ROWS rows: its VALUES
 * tuple repeated, the parameters of row r numbered from r * n + 1. */
static enum cairn_status prepare_stmt(struct store_demo *d, enum load_stmt i,
                                      struct cairn_error *err)
{
    sqlite3 *db = d->s->db;
    int src =
        sqlite3_prepare_v3(db, load_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &d->single[i], NULL);
    if (src != SQLITE_OK)
        return store_fail(d->s, src, "preparing the demo load", err);
    int n = d->nparams[i] = sqlite3_bind_parameter_count(d->single[i]);
    if (n > PARAMS_MAX)
        return cairn_error_set(err, CAIRN_ERR_DB, "a demo row has more than %d values",
                               (int)PARAMS_MAX);
    const char *values = strstr(load_sql[i], "VALUES ");
    sqlite3_str *sql = sqlite3_str_new(db);
    sqlite3_str_append(sql, load_sql[i], (int)(values - load_sql[i]) + 7);
    for (int r = 0; r < BATCH_ROWS; r++) {
        if (r)
            sqlite3_str_appendall(sql, ", ");
        for (const char *c = values + 7; *c; c++) {
            if (*c != '?') {
                sqlite3_str_appendchar(sql, 1, *c);
                continue;
            }
            char *end;
            long k = strtol(c + 1, &end, 10);
            sqlite3_str_appendf(sql, "?%ld", (long)r * n + k);
            c = end - 1;
        }
    }
    char *text = sqlite3_str_finish(sql);
    if (!text)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory preparing the demo load");
    src = sqlite3_prepare_v3(db, text, -1, SQLITE_PREPARE_PERSISTENT, &d->batch[i], NULL);
    sqlite3_free(text);
    return src == SQLITE_OK ? CAIRN_OK : store_fail(d->s, src, "preparing the demo load", err);
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
    if (pthread_mutex_init(&d->lock, NULL) != 0)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "cannot start the demo load's writer");
    if (pthread_cond_init(&d->work, NULL) != 0 || pthread_cond_init(&d->room, NULL) != 0) {
        pthread_mutex_destroy(&d->lock);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "cannot start the demo load's writer");
    }
    d->sync_made = true;
    if ((rc = query_int(s, "PRAGMA cache_size", &d->cache_size, err)) != CAIRN_OK)
        return rc;
    /* The file is new to these pages, so a rollback journal holds almost
     * nothing and the data is written once (WAL would write it twice); a
     * crash still leaves the database as it was. Another connection keeps
     * it in WAL, which is slower but as safe. */
    if (strcmp(s->path, CAIRN_STORE_MEMORY) != 0)
        d->journal_changed = set_journal(s, "delete");
    /* The rows are made valid by the pure checks of libcairn before they
     * are queued, with ids that point at rows of the same load, so the
     * CHECK constraints and the foreign-key lookups, a costly part of each
     * insert, are left out of the load (set outside the transaction, and
     * back on at the end); NOT NULL and UNIQUE still hold. Tests run
     * integrity_check (which checks CHECK constraints) and
     * foreign_key_check on generated demos. The sorts that re-create the
     * indexes spill to temporary files rather than memory (the store's
     * temp_store = MEMORY would hold a whole index, 60 MB for attendance
     * at 100,000 patients): a demo goes only into a database without
     * patients, so they hold synthetic data, and SQLite unlinks them as it
     * opens them. Back to MEMORY at the end. Each sort may hand half its
     * work to one helper thread (threads = 1): the index builds run at the
     * end of the load, when the generating thread has nothing left to do,
     * and take a third less time; a second helper would add another sort
     * buffer and go past 32 MiB. Back to none at the end. */
    char pragma[192];
    snprintf(pragma, sizeof pragma,
             "PRAGMA cache_size = -%d; PRAGMA ignore_check_constraints = ON; "
             "PRAGMA foreign_keys = OFF; PRAGMA temp_store = FILE; PRAGMA threads = 1",
             (int)LOAD_CACHE_KIB);
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
    for (int i = 0; i < ST__COUNT && rc == CAIRN_OK; i++)
        rc = prepare_stmt(d, (enum load_stmt)i, err);
    return rc;
}

int64_t store_demo_ids(struct store_demo *d, enum store_demo_table table, int64_t n)
{
    int64_t first = d->next_id[table];
    d->next_id[table] += n;
    return first;
}

/* --- the writer thread ----------------------------------------------------- */

/* Binds the parameters of the queued row at *at to st, numbered from
 * base + 1. */
static void bind_row(sqlite3_stmt *st, int base, const unsigned char *at)
{
    int n = at[1];
    at += 2;
    for (int k = 1; k <= n; k++) {
        enum param_tag tag = *at++;
        int64_t v;
        const char *s;
        uint32_t len;
        switch (tag) {
        case P_INT:
            memcpy(&v, at, sizeof v);
            at += sizeof v;
            sqlite3_bind_int64(st, base + k, v);
            break;
        case P_STATIC:
            memcpy(&s, at, sizeof s);
            at += sizeof s;
            sqlite3_bind_text(st, base + k, s, -1, SQLITE_STATIC);
            break;
        case P_TEXT:
            memcpy(&len, at, sizeof len);
            at += sizeof len;
            sqlite3_bind_text(st, base + k, (const char *)at, (int)len, SQLITE_STATIC);
            at += len;
            break;
        default:
            sqlite3_bind_null(st, base + k);
            break;
        }
    }
}

/* Where the queued row after the one at *at starts. */
static const unsigned char *skip_row(const unsigned char *at)
{
    int n = at[1];
    at += 2;
    for (int k = 0; k < n; k++) {
        uint32_t len;
        switch (*at++) {
        case P_INT:
            at += sizeof(int64_t);
            break;
        case P_STATIC:
            at += sizeof(const char *);
            break;
        case P_TEXT:
            memcpy(&len, at, sizeof len);
            at += sizeof len + len;
            break;
        default:
            break;
        }
    }
    return at;
}

/* Steps st (bound) and resets it, counting `n` rows. */
static enum cairn_status step(struct store_demo *d, sqlite3_stmt *st, enum load_stmt i, int n,
                              struct cairn_error *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_fail(d->s, rc, load_what[i], err);
    d->rows += (uint64_t)n;
    return CAIRN_OK;
}

/* Inserts the rows waiting for statement i, after those of the tables its
 * rows refer to: a full batch in one statement, fewer one by one. */
static enum cairn_status flush(struct store_demo *d, enum load_stmt i, struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    for (int j = 0; j < ST__COUNT && rc == CAIRN_OK; j++)
        if ((load_parents[i] & 1u << j) && d->npending[j])
            rc = flush(d, (enum load_stmt)j, err);
    int n = d->npending[i];
    d->npending[i] = 0;
    if (rc != CAIRN_OK || n == 0)
        return rc;
    if (n == BATCH_ROWS) {
        for (int r = 0; r < n; r++)
            bind_row(d->batch[i], r * d->nparams[i], d->pending[i][r]);
        return step(d, d->batch[i], i, n, err);
    }
    for (int r = 0; r < n && rc == CAIRN_OK; r++) {
        bind_row(d->single[i], 0, d->pending[i][r]);
        rc = step(d, d->single[i], i, 1, err);
    }
    return rc;
}

static enum cairn_status flush_all(struct store_demo *d, struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    for (int i = 0; i < ST__COUNT && rc == CAIRN_OK; i++)
        rc = flush(d, (enum load_stmt)i, err);
    return rc;
}

/* Writes the rows of block b. */
static enum cairn_status write_block(struct store_demo *d, const struct block *b,
                                     struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    const unsigned char *at = b->data, *end = b->data + b->used;
    while (at < end && rc == CAIRN_OK) {
        if (at[0] == CMD_INDEXES) {
            if ((rc = flush_all(d, err)) == CAIRN_OK)
                rc = make_indexes(d, table_names[at[1]], err);
            at += 2;
            continue;
        }
        enum load_stmt i = at[0];
        d->pending[i][d->npending[i]++] = at;
        at = skip_row(at);
        if (d->npending[i] == BATCH_ROWS)
            rc = flush(d, i, err);
    }
    return rc == CAIRN_OK ? flush_all(d, err) : rc;
}

static void *writer_main(void *arg)
{
    struct store_demo *d = arg;
    struct cairn_error e;
    pthread_mutex_lock(&d->lock);
    for (;;) {
        while (!d->head && !d->done)
            pthread_cond_wait(&d->work, &d->lock);
        struct block *b = d->head;
        if (!b)
            break;
        d->head = b->next;
        if (!d->head)
            d->tail = NULL;
        bool skip = d->failed != CAIRN_OK;
        pthread_mutex_unlock(&d->lock);
        enum cairn_status rc = skip ? CAIRN_OK : write_block(d, b, &e);
        pthread_mutex_lock(&d->lock);
        if (rc != CAIRN_OK && d->failed == CAIRN_OK) {
            d->failed = rc;
            d->failure = e;
        }
        b->used = 0;
        b->next = d->spare;
        d->spare = b;
        pthread_cond_signal(&d->room);
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

/* --- queueing rows ------------------------------------------------------- */

/* Hands the producer's block to the writer (starting it the first time)
 * and takes an empty one of at least `need` bytes. Reports the writer's
 * first error, if any. */
static enum cairn_status next_block(struct store_demo *d, size_t need, struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    pthread_mutex_lock(&d->lock);
    if (d->current && d->current->used) {
        d->current->next = NULL;
        if (d->tail)
            d->tail->next = d->current;
        else
            d->head = d->current;
        d->tail = d->current;
        d->current = NULL;
        pthread_cond_signal(&d->work);
    }
    if (!d->writer_running) {
        if (pthread_create(&d->writer, NULL, writer_main, d) != 0)
            rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "cannot start the demo load's writer");
        d->writer_running = rc == CAIRN_OK;
    }
    while (rc == CAIRN_OK && !d->current) {
        if (d->failed != CAIRN_OK)
            break;
        if (d->spare && d->spare->cap >= need) {
            d->current = d->spare;
            d->spare = d->spare->next;
        } else if (d->nblocks < BLOCKS_MAX || need > BLOCK_BYTES) {
            size_t cap = need > BLOCK_BYTES ? need : BLOCK_BYTES;
            struct block *b = malloc(sizeof *b + cap);
            if (!b) {
                rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory queueing demo rows");
                break;
            }
            b->cap = cap;
            d->current = b;
            d->nblocks++;
        } else {
            pthread_cond_wait(&d->room, &d->lock);
        }
    }
    if (d->current)
        d->current->used = 0;
    if (rc == CAIRN_OK && d->failed != CAIRN_OK) {
        rc = d->failed;
        if (err)
            *err = d->failure;
    }
    pthread_mutex_unlock(&d->lock);
    return rc;
}

static void put_int(struct row *r, int64_t v)
{
    r->p[r->n].tag = P_INT;
    r->p[r->n++].i = v;
}

static void put_null(struct row *r)
{
    r->p[r->n++].tag = P_NULL;
}

/* An id, or NULL when it is 0. */
static void put_id(struct row *r, int64_t id)
{
    if (id)
        put_int(r, id);
    else
        put_null(r);
}

/* Text copied into the queue. */
static void put_text(struct row *r, const char *s)
{
    r->p[r->n].tag = P_TEXT;
    r->p[r->n].s = s;
    r->p[r->n++].len = strlen(s);
}

/* Text, or NULL when it is NULL or empty. */
static void put_text_or_null(struct row *r, const char *s)
{
    if (s && *s)
        put_text(r, s);
    else
        put_null(r);
}

/* Text that outlives the load (the static names of enums, the load's
 * instant, the acting login): queued by address. */
static void put_static(struct row *r, const char *s)
{
    r->p[r->n].tag = P_STATIC;
    r->p[r->n++].s = s;
}

/* Queues row r. */
static enum cairn_status send(struct store_demo *d, const struct row *r, struct cairn_error *err)
{
    size_t need = 2;
    for (int k = 0; k < r->n; k++)
        need += 1 + (r->p[k].tag == P_INT      ? sizeof(int64_t)
                     : r->p[k].tag == P_STATIC ? sizeof(const char *)
                     : r->p[k].tag == P_TEXT   ? sizeof(uint32_t) + r->p[k].len
                                               : 0);
    enum cairn_status rc;
    if ((!d->current || d->current->cap - d->current->used < need) &&
        (rc = next_block(d, need, err)) != CAIRN_OK)
        return rc;
    unsigned char *at = d->current->data + d->current->used;
    *at++ = (unsigned char)r->stmt;
    *at++ = (unsigned char)r->n;
    for (int k = 0; k < r->n; k++) {
        *at++ = (unsigned char)r->p[k].tag;
        uint32_t len = (uint32_t)r->p[k].len;
        switch (r->p[k].tag) {
        case P_INT:
            memcpy(at, &r->p[k].i, sizeof r->p[k].i);
            at += sizeof r->p[k].i;
            break;
        case P_STATIC:
            memcpy(at, &r->p[k].s, sizeof r->p[k].s);
            at += sizeof r->p[k].s;
            break;
        case P_TEXT:
            memcpy(at, &len, sizeof len);
            at += sizeof len;
            memcpy(at, r->p[k].s, len);
            at += len;
            break;
        default:
            break;
        }
    }
    d->current->used += need;
    return CAIRN_OK;
}

enum cairn_status store_demo_table_done(struct store_demo *d, enum store_demo_table table,
                                        struct cairn_error *err)
{
    enum cairn_status rc;
    if ((!d->current || d->current->cap - d->current->used < 2) &&
        (rc = next_block(d, 2, err)) != CAIRN_OK)
        return rc;
    unsigned char *at = d->current->data + d->current->used;
    at[0] = CMD_INDEXES;
    at[1] = (unsigned char)table;
    d->current->used += 2;
    return CAIRN_OK;
}

enum cairn_status store_demo_patient(struct store_demo *d, const struct cairn_patient *p,
                                     struct cairn_error *err)
{
    struct row r = {.stmt = ST_PATIENT};
    char key[sizeof p->name_key];
    store_patient_name_key(p->legal_name, p->preferred_name, key, sizeof key);
    put_int(&r, p->id);
    put_text(&r, p->mrn);
    put_text(&r, p->legal_name);
    put_text(&r, p->preferred_name);
    put_text(&r, p->dob);
    put_text(&r, p->pronouns);
    put_text(&r, p->phone);
    put_text(&r, p->emergency_contact);
    put_id(&r, p->program_id);
    put_text_or_null(&r, p->admission_date);
    put_text_or_null(&r, p->expected_discharge_date);
    put_text_or_null(&r, p->discharge_date);
    put_text(&r, p->discharge_reason);
    put_static(&r, cairn_patient_status_str(p->status));
    put_id(&r, p->therapist_id);
    put_id(&r, p->case_manager_id);
    put_id(&r, p->peer_mentor_id);
    if (p->risk != CAIRN_RISK_UNSET) {
        put_static(&r, cairn_risk_str(p->risk));
        put_static(&r, d->s->login);
        put_static(&r, d->now);
    } else {
        put_null(&r);
        put_null(&r);
        put_null(&r);
    }
    put_text(&r, p->tags);
    put_static(&r, d->now);
    put_int(&r, p->version);
    put_text(&r, key);
    enum cairn_status rc = send(d, &r, err);
    if (rc != CAIRN_OK)
        return rc;
    struct row audit = {.stmt = ST_PATIENT_AUDIT};
    put_static(&audit, d->now);
    put_int(&audit, d->s->uid);
    put_static(&audit, d->s->login);
    put_int(&audit, p->id);
    return send(d, &audit, err);
}

enum cairn_status store_demo_plan(struct store_demo *d, const struct cairn_plan *p,
                                  int64_t program_id, int64_t version, int64_t first_section_id,
                                  struct cairn_error *err)
{
    struct row r = {.stmt = ST_PLAN};
    put_int(&r, p->id);
    put_int(&r, p->patient_id);
    put_int(&r, program_id);
    put_text(&r, p->status);
    put_int(&r, p->head);
    put_text_or_null(&r, p->signed_by);
    if (p->signed_by[0])
        put_static(&r, d->now);
    else
        put_null(&r);
    put_text_or_null(&r, p->next_review_date);
    put_static(&r, d->now);
    put_int(&r, version);
    enum cairn_status rc = send(d, &r, err);
    for (size_t i = 0; i < p->nparts && rc == CAIRN_OK; i++) {
        struct row sec = {.stmt = ST_PLAN_SECTION};
        put_int(&sec, first_section_id + (int64_t)i);
        put_int(&sec, p->id);
        put_int(&sec, (int64_t)i);
        put_static(&sec, cairn_plan_part_name(p->kind, p->parts[i].section));
        rc = send(d, &sec, err);
    }
    return rc;
}

enum cairn_status store_demo_plan_revision(struct store_demo *d, const struct cairn_plan *p,
                                           int64_t revision_id, const char *reason,
                                           const char *content, struct cairn_error *err)
{
    struct row r = {.stmt = ST_PLAN_REVISION};
    put_int(&r, revision_id);
    put_int(&r, p->id);
    put_int(&r, p->head);
    put_static(&r, d->s->login);
    put_static(&r, d->now);
    put_text(&r, reason ? reason : "");
    put_text(&r, p->status);
    put_text_or_null(&r, p->next_review_date);
    put_text(&r, content);
    return send(d, &r, err);
}

enum cairn_status store_demo_safety_plan(struct store_demo *d, const struct cairn_plan *p,
                                         int64_t version, int64_t revision_id, const char *reason,
                                         const char *content, struct cairn_error *err)
{
    struct row r = {.stmt = ST_SAFETY_PLAN};
    put_int(&r, p->id);
    put_int(&r, p->patient_id);
    put_int(&r, p->head);
    put_static(&r, d->now);
    put_int(&r, version);
    enum cairn_status rc = send(d, &r, err);
    if (rc != CAIRN_OK)
        return rc;
    struct row rev = {.stmt = ST_SAFETY_REVISION};
    put_int(&rev, revision_id);
    put_int(&rev, p->id);
    put_int(&rev, p->head);
    put_static(&rev, d->s->login);
    put_static(&rev, d->now);
    put_text(&rev, reason ? reason : "");
    put_text(&rev, content);
    return send(d, &rev, err);
}

enum cairn_status store_demo_ladder(struct store_demo *d, int64_t ladder_id, int64_t patient_id,
                                    int position, const struct cairn_template_ladder *tl,
                                    int64_t first_step_id, const enum cairn_step_status *status,
                                    const int64_t *version, struct cairn_error *err)
{
    struct row r = {.stmt = ST_LADDER};
    put_int(&r, ladder_id);
    put_int(&r, patient_id);
    put_int(&r, position);
    put_text(&r, tl->name);
    put_text(&r, tl->target);
    put_int(&r, tl->scale);
    put_static(&r, d->now);
    enum cairn_status rc = send(d, &r, err);
    for (size_t i = 0; i < tl->nsteps && rc == CAIRN_OK; i++) {
        struct row step_row = {.stmt = ST_LADDER_STEP};
        put_int(&step_row, first_step_id + (int64_t)i);
        put_int(&step_row, ladder_id);
        put_int(&step_row, (int64_t)i);
        put_text(&step_row, tl->steps[i].text);
        put_int(&step_row, tl->steps[i].suds);
        put_static(&step_row, cairn_step_status_str(status[i]));
        put_static(&step_row, d->now);
        put_int(&step_row, version[i]);
        rc = send(d, &step_row, err);
    }
    return rc;
}

enum cairn_status store_demo_attempt(struct store_demo *d, const struct cairn_ladder_attempt *a,
                                     int64_t patient_id, struct cairn_error *err)
{
    struct row r = {.stmt = ST_ATTEMPT};
    put_int(&r, a->id);
    put_int(&r, a->step_id);
    put_int(&r, patient_id);
    put_text(&r, a->date);
    put_int(&r, a->suds_before);
    put_int(&r, a->suds_peak);
    put_int(&r, a->suds_after);
    if (a->minutes > 0)
        put_int(&r, a->minutes);
    else
        put_null(&r);
    put_static(&r, cairn_attempt_setting_str(a->setting));
    put_text_or_null(&r, a->prediction);
    if (a->expectancy_before >= 0)
        put_int(&r, a->expectancy_before);
    else
        put_null(&r);
    if (a->came_true != CAIRN_CAME_TRUE_UNSET)
        put_static(&r, cairn_came_true_str(a->came_true));
    else
        put_null(&r);
    if (a->expectancy_after >= 0)
        put_int(&r, a->expectancy_after);
    else
        put_null(&r);
    put_text_or_null(&r, a->safety_behaviours);
    put_text_or_null(&r, a->note);
    put_static(&r, d->s->login);
    put_static(&r, d->now);
    return send(d, &r, err);
}

enum cairn_status store_demo_session(struct store_demo *d, const struct cairn_session *s,
                                     int64_t facilitator_id, struct cairn_error *err)
{
    struct row r = {.stmt = ST_SESSION};
    put_int(&r, s->id);
    put_text(&r, s->date);
    put_text_or_null(&r, s->start);
    put_static(&r, cairn_session_type_str(s->type));
    put_text(&r, s->title);
    put_int(&r, s->minutes);
    put_int(&r, s->telehealth);
    put_id(&r, facilitator_id);
    put_static(&r, d->s->login);
    put_static(&r, d->now);
    return send(d, &r, err);
}

enum cairn_status store_demo_attendance(struct store_demo *d, int64_t id,
                                        const struct cairn_session *s, int64_t patient_id,
                                        enum cairn_attendance_status status, int minutes_attended,
                                        struct cairn_error *err)
{
    struct row r = {.stmt = ST_ATTENDANCE};
    put_int(&r, id);
    put_int(&r, s->id);
    put_int(&r, patient_id);
    put_text(&r, s->date);
    put_static(&r, cairn_attendance_str(status));
    put_int(&r, minutes_attended);
    put_static(&r, d->now);
    return send(d, &r, err);
}

enum cairn_status store_demo_measure(struct store_demo *d, const struct cairn_measure *m,
                                     struct cairn_error *err)
{
    struct row r = {.stmt = ST_MEASURE};
    char answers[64], flags[64];
    store_measure_answers_text(m->answers, m->nanswers, answers, sizeof answers);
    store_measure_flags_text(m->score.flags, flags, sizeof flags);
    put_int(&r, m->id);
    put_int(&r, m->patient_id);
    put_static(&r, cairn_instrument_str(m->instrument));
    put_text(&r, m->date);
    put_text(&r, answers);
    put_int(&r, m->score.total);
    put_static(&r, m->score.band ? m->score.band : "");
    put_text(&r, flags);
    put_static(&r, d->s->login);
    put_static(&r, d->now);
    return send(d, &r, err);
}

enum cairn_status store_demo_lapse(struct store_demo *d, const struct cairn_lapse *l,
                                   struct cairn_error *err)
{
    struct row r = {.stmt = ST_LAPSE};
    put_int(&r, l->id);
    put_int(&r, l->patient_id);
    put_text(&r, l->date);
    put_text(&r, l->kind);
    put_text(&r, l->trigger);
    put_text(&r, l->coping);
    put_text(&r, l->note);
    put_static(&r, d->s->login);
    put_static(&r, d->now);
    return send(d, &r, err);
}

enum cairn_status store_demo_review(struct store_demo *d, const struct store_demo_review *rv,
                                    struct cairn_error *err)
{
    struct row r = {.stmt = ST_REVIEW};
    put_int(&r, rv->id);
    put_int(&r, rv->patient_id);
    put_text(&r, rv->week);
    put_static(&r, cairn_review_status_str(rv->status));
    put_static(&r, d->now);
    put_int(&r, rv->version);
    put_text_or_null(&r, rv->inputs_json);
    put_text_or_null(&r, rv->snapshot_json);
    put_text_or_null(&r, rv->started_by);
    if (rv->started_by)
        put_static(&r, d->now);
    else
        put_null(&r);
    put_text_or_null(&r, rv->signed_by);
    if (rv->signed_by)
        put_static(&r, d->now);
    else
        put_null(&r);
    put_text_or_null(&r, rv->cosigned_by);
    if (rv->cosigned_by)
        put_static(&r, d->now);
    else
        put_null(&r);
    return send(d, &r, err);
}

enum cairn_status store_demo_summary(struct store_demo *d, const struct store_summary *sum,
                                     struct cairn_error *err)
{
    struct store_summary_row *enc = &d->summary_row;
    struct row r = {.stmt = ST_SUMMARY};
    store_summary_encode(sum, enc);
    for (int k = 0; k < STORE_SUMMARY_COLUMNS; k++) {
        const struct store_summary_value *v = &enc->v[k];
        if (v->type == STORE_SUMMARY_INT)
            put_int(&r, v->i);
        else if (v->type == STORE_SUMMARY_TEXT)
            put_text(&r, v->text);
        else
            put_null(&r);
    }
    return send(d, &r, err);
}

/* Hands over what is queued and waits for the writer to finish; its first
 * error, if any. */
static enum cairn_status stop_writer(struct store_demo *d, struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    if (d->current && d->current->used && d->writer_running)
        rc = next_block(d, 0, err);
    pthread_mutex_lock(&d->lock);
    d->done = true;
    pthread_cond_signal(&d->work);
    pthread_mutex_unlock(&d->lock);
    if (d->writer_running)
        pthread_join(d->writer, NULL);
    d->writer_running = false;
    if (rc == CAIRN_OK && d->failed != CAIRN_OK) {
        rc = d->failed;
        if (err)
            *err = d->failure;
    }
    return rc;
}

enum cairn_status store_demo_finish(struct store_demo *d, const struct cairn_demo_stats *made,
                                    uint64_t *rows, struct cairn_error *err)
{
    struct cairn_store *s = d->s;
    enum cairn_status rc;
    /* A load of no rows never started the writer: start it to write nothing. */
    if (!d->writer_running && (rc = next_block(d, 0, err)) != CAIRN_OK)
        return rc;
    if ((rc = stop_writer(d, err)) != CAIRN_OK || (rc = make_indexes(d, NULL, err)) != CAIRN_OK)
        return rc;
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
    if (d->writer_running) {
        pthread_mutex_lock(&d->lock);
        d->failed = d->failed != CAIRN_OK ? d->failed : CAIRN_ERR_DB; /* write nothing more */
        pthread_mutex_unlock(&d->lock);
        stop_writer(d, NULL);
    }
    for (int i = 0; i < ST__COUNT; i++) {
        sqlite3_finalize(d->single[i]);
        sqlite3_finalize(d->batch[i]);
    }
    if (d->open)
        store_tx_rollback(d->s);
    if (d->journal_changed)
        set_journal(d->s, "wal");
    char pragma[192];
    snprintf(pragma, sizeof pragma,
             "PRAGMA cache_size = %lld; PRAGMA ignore_check_constraints = OFF; "
             "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA threads = 0",
             (long long)d->cache_size);
    sqlite3_exec(d->s->db, pragma, NULL, NULL, NULL);
    for (size_t i = 0; i < d->nindexes; i++) {
        free(d->indexes[i].name);
        free(d->indexes[i].table);
        free(d->indexes[i].sql);
    }
    free(d->indexes);
    struct block *lists[] = {d->head, d->spare};
    for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++)
        for (struct block *b = lists[l], *next; b; b = next) {
            next = b->next;
            free(b);
        }
    free(d->current);
    if (d->sync_made) {
        pthread_cond_destroy(&d->work);
        pthread_cond_destroy(&d->room);
        pthread_mutex_destroy(&d->lock);
    }
    free(d);
    *dp = NULL;
}

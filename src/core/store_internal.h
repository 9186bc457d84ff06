/* Private to the store modules (src/core/store*.c) and to white-box tests:
 * the connection struct, the statement cache, transactions, the audit
 * writer and binding helpers. Nothing outside src/core includes this except
 * tests/unit. */
#ifndef CAIRN_STORE_INTERNAL_H
#define CAIRN_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/alert.h"
#include "cairn/review.h"
#include "cairn/session.h"
#include "cairn/staff.h"
#include "cairn/status.h"
#include "cairn/store.h"

/* One embedded migration (generated from schemas/sql at build time). */
struct store_migration {
    int version;
    const char *name;
    const char *sql;
};

extern const struct store_migration store_migrations[];
extern const size_t store_migration_count;

struct store_cached_stmt {
    const char *sql; /* static text; the cache is keyed by its address */
    sqlite3_stmt *stmt;
};

struct cairn_store {
    sqlite3 *db;
    char *path;
    bool created;
    long uid;
    char login[CAIRN_LOGIN_MAX + 1];
    int32_t today;
    bool today_fixed;
    int tx_depth;
    /* Patients an audited change touched in the open transaction: their
     * summaries are recomputed before it commits (store_facts.c). */
    int64_t *dirty;
    size_t dirty_n, dirty_cap;
    bool summary_failed;          /* a touch ran out of memory: the commit fails */
    unsigned long summary_misses; /* facts read exactly because a summary could not answer */
    bool summaries_off;           /* tests: read every patient's facts from the data */
    struct store_cached_stmt *cache;
    size_t cache_len, cache_cap;
};

/* The raw connection, for white-box tests only. */
sqlite3 *store_db(struct cairn_store *s);

/* Returns the cached prepared statement for `sql` (a string literal: it is
 * looked up by address), reset and with its bindings cleared, or NULL with
 * err filled. The statement stays owned by the store. */
sqlite3_stmt *store_stmt(struct cairn_store *s, const char *sql, struct cairn_error *err);

/* Runs a prepared statement that returns no rows and resets it; a failure
 * is reported as store_fail() with `what`. */
enum cairn_status store_step_done(struct cairn_store *s, sqlite3_stmt *st, const char *what,
                                  struct cairn_error *err);

/* Declares `st`, the cached statement for the literal `sql`, or returns
 * err's status from the enclosing function. Needs `s` and `err` in scope;
 * use it where an early return leaves nothing to undo. */
#define STORE_PREPARE(st, sql)                                                                     \
    sqlite3_stmt *st = store_stmt(s, sql, err);                                                    \
    if (!st)                                                                                       \
        return err ? err->status : CAIRN_ERR_DB;

/* Like STORE_PREPARE for a function with cleanup to do: on failure sets
 * `rc` to err's status and jumps to `label`. */
#define STORE_PREPARE_OR_GOTO(st, sql, rc, label)                                                  \
    sqlite3_stmt *st = store_stmt(s, sql, err);                                                    \
    if (!st) {                                                                                     \
        rc = err ? err->status : CAIRN_ERR_DB;                                                     \
        goto label;                                                                                \
    }

/* Opens a read transaction (BEGIN DEFERRED) unless one, read or write, is
 * open already, so that everything read until store_read_end() comes from
 * one snapshot of the database; *began says whether this call opened it.
 * Nothing may be written inside it. */
enum cairn_status store_read_begin(struct cairn_store *s, bool *began, struct cairn_error *err);

/* Ends the read transaction store_read_begin() opened (when it did). */
void store_read_end(struct cairn_store *s, bool began);

/* Opens n more connections to s's database file, read-only, for other
 * threads to read with (a connection is used by one thread at a time):
 * each is a store of its own with s's today, actor and test switches,
 * and its own statement cache. Then starts a read transaction on each,
 * all on one snapshot: s holds the write lock while they start, so no
 * commit can fall between them. Returns false, with nothing left open,
 * when that cannot be done: s is an in-memory database or has a
 * transaction open, another writer holds the lock, or a connection fails
 * (then the caller reads on s alone, which is always correct). Close each
 * reader with cairn_store_close(), which ends its transaction. */
bool store_readers_open(struct cairn_store *s, struct cairn_store **readers, size_t n);

/* Splits the patient ids in two halves for two threads to scan:
 * [from[0], to[0]] and [from[1], to[1]], the second empty (from > to)
 * when there are fewer than two ids; both 0 to 0 with no patients. */
enum cairn_status store_patient_halves(struct cairn_store *s, int64_t from[2], int64_t to[2],
                                       struct cairn_error *err);

/* Maps a SQLite result code to a cairn status and fills err with `what`
 * and SQLite's own message (which never holds bound values). */
enum cairn_status store_fail(struct cairn_store *s, int rc, const char *what,
                             struct cairn_error *err);

/* Write transactions. begin nests as savepoints inside an outer
 * transaction; commit/rollback close the innermost level. */
enum cairn_status store_tx_begin(struct cairn_store *s, struct cairn_error *err);
enum cairn_status store_tx_commit(struct cairn_store *s, struct cairn_error *err);
void store_tx_rollback(struct cairn_store *s);

/* Ends the innermost transaction level as `rc` says: commits when it is
 * CAIRN_OK (returning the commit's status), rolls back otherwise (returning
 * rc). The single exit of a store write: `out: rc = store_tx_end(s, rc,
 * err);`. */
enum cairn_status store_tx_end(struct cairn_store *s, enum cairn_status rc,
                               struct cairn_error *err);

/* Appends one audit row with the acting uid/login and the current UTC time.
 * Must run inside the transaction of the change it records. */
enum cairn_status store_audit(struct cairn_store *s, const char *action, const char *entity,
                              int64_t entity_id, int64_t patient_id, const char *fields,
                              const char *outcome, struct cairn_error *err);

/* Appends an audit row for a refused change in its own small transaction
 * (the refused one was rolled back). Best effort: failures are ignored so
 * the caller's original error stands. */
void store_audit_refusal(struct cairn_store *s, const char *action, const char *entity,
                         int64_t entity_id, int64_t patient_id, const char *outcome);

struct cairn_template;

/* Inserts program version t->program (code, version and every setting of
 * t) with `text`, the file it came from (NULL: none), and sets
 * t->program.id. Inserts no child rows and no audit row: callers do, in
 * the same transaction. The same code and version twice is
 * CAIRN_ERR_EXISTS. */
enum cairn_status store_program_insert(struct cairn_store *s, struct cairn_template *t,
                                       const char *text, size_t len, struct cairn_error *err);

/* Gives newly admitted patient `patient_id` the care program `program_id`
 * prescribes: an empty draft plan with its sections, copies of its ladders
 * and steps, and one due review for every ISO week with a day in
 * [`admitted`, `expected_discharge`) (both "YYYY-MM-DD"), each audited. Runs inside
 * the caller's transaction. */
enum cairn_status store_seed_care(struct cairn_store *s, int64_t patient_id, int64_t program_id,
                                  const char *admitted, const char *expected_discharge,
                                  struct cairn_error *err);

/* Makes every missing directory on the way to `path`'s parent, 0700. */
enum cairn_status store_make_parents(const char *path, struct cairn_error *err);

/* Binds text, or NULL when `text` is NULL or empty. */
int store_bind_text_or_null(sqlite3_stmt *st, int idx, const char *text);

/* Binds an id, or NULL when it is 0. */
int store_bind_id_or_null(sqlite3_stmt *st, int idx, int64_t id);

/* Copies a text column (NULL reads as "") into buf, truncating at size-1. */
void store_col_text(sqlite3_stmt *st, int col, char *buf, size_t size);

/* The sort and search key of a patient's names (see 0002_name_key.sql):
 * the folded legal name, a tab, the folded preferred name. */
void store_patient_name_key(const char *legal, const char *preferred, char *out, size_t size);

/* A patient row: select STORE_PATIENT_COLUMNS (29 columns, first in the
 * select list) from STORE_PATIENT_FROM (patient p, program pr, staff t, c
 * and m), and read them with store_patient_read_row(). */
#define STORE_PATIENT_COLUMNS                                                                      \
    "p.id, p.mrn, p.legal_name, p.preferred_name, p.dob, p.pronouns, p.phone, "                    \
    "p.emergency_contact, p.program_id, pr.code, p.admission_date, p.expected_discharge_date, "    \
    "p.discharge_date, p.discharge_reason, p.status, p.therapist_id, p.case_manager_id, "          \
    "p.peer_mentor_id, t.login, c.login, m.login, p.risk_level, p.risk_set_by, p.risk_set_at, "    \
    "p.tags, p.created_at, p.updated_at, p.version, p.name_key"
#define STORE_PATIENT_FROM                                                                         \
    " FROM patient p LEFT JOIN program pr ON pr.id = p.program_id "                                \
    "LEFT JOIN staff t ON t.id = p.therapist_id LEFT JOIN staff c ON c.id = p.case_manager_id "    \
    "LEFT JOIN staff m ON m.id = p.peer_mentor_id "

#define STORE_PATIENT_NCOLUMNS 29

struct cairn_patient;

/* Fills *p from columns 0-28 of a row selected with STORE_PATIENT_COLUMNS. */
void store_patient_read_row(sqlite3_stmt *st, struct cairn_patient *p);

/* A measure's answers as stored: "1,2,-,0" (skipped items as "-"), cut to
 * fit `size`. */
void store_measure_answers_text(const int *answers, size_t n, char *out, size_t size);

/* The rule names of the flag bits set (1u << enum cairn_measure_flag),
 * comma-separated, as the measure's flags column holds them. */
void store_measure_flags_text(unsigned flags, char *out, size_t size);

/* Registers cairn_name_key(legal, preferred) on the connection, for the
 * migration that fills the column. */
int store_patient_register_functions(sqlite3 *db);

/* ---- per-patient summaries (store_facts.c) ---- */

struct cairn_alert_facts;
struct cairn_alert;

/* Marks patient_id's summary for recomputation before the transaction
 * commits. store_audit() calls it for every change it records. */
void store_summary_touch(struct cairn_store *s, int64_t patient_id);

/* Recomputes the summaries of the patients marked since the transaction
 * began, and clears the marks; the outermost commit calls it. */
enum cairn_status store_summary_flush(struct cairn_store *s, struct cairn_error *err);

/* Clears the marks without recomputing (the transaction rolled back). */
void store_summary_forget(struct cairn_store *s);

/* One patient's summary as written to patient_summary (schema 0008), its
 * values before encoding: summary_refresh() fills it from the data, the
 * demo's bulk load from the stay it has in memory, and both write it
 * through store_summary_encode(), the one encoder of the columns.
 * store_summary_init() first; the lists are fed through the
 * store_summary_add_*() functions, which keep what the encodings keep. */
#define STORE_SUMMARY_COLUMNS  31
#define STORE_SUMMARY_REVIEWS  120 /* more than this: the review lists are NULL (read exactly) */
#define STORE_SUMMARY_TREND    12  /* scores kept per trend */
#define STORE_SUMMARY_MASTERED 16  /* mastered steps kept */

enum store_summary_score {
    STORE_SUMMARY_PHQ9,
    STORE_SUMMARY_PHQ9_PREVIOUS,
    STORE_SUMMARY_PHQ9_BASELINE,
    STORE_SUMMARY_GAD7,
    STORE_SUMMARY_GAD7_PREVIOUS,
    STORE_SUMMARY_GAD7_BASELINE,
    STORE_SUMMARY_CSSRS,
    STORE_SUMMARY__SCORES
};

/* The latest scores of an instrument, newest first by (day, id). */
struct store_summary_trend {
    int n;
    bool more; /* the patient has more than the n kept */
    int32_t day[STORE_SUMMARY_TREND];
    int64_t id[STORE_SUMMARY_TREND];
    int total[STORE_SUMMARY_TREND];
};

struct store_summary {
    int64_t patient_id;
    int32_t as_of;     /* the day it is computed on */
    int32_t admission; /* 0: none; unsigned reviews count from its ISO week */
    struct cairn_alert_score score[STORE_SUMMARY__SCORES]; /* id 0: none */
    bool has_weeks;                        /* the patient has attendance: weeks[] are set */
    struct cairn_attendance_week weeks[3]; /* the week of the latest line's day + 1, then back */
    int64_t ladder_id;                     /* the most stalled unfinished ladder; 0 none */
    const char *ladder_name;               /* borrowed; NULL is "" */
    int32_t ladder_since;
    int64_t plan_id;
    int32_t plan_next_review;
    bool has_aftercare, aftercare_filled;
    int64_t last_lapse_id; /* 0: no lapse; its ISO week is the lapse week */
    int32_t last_lapse_day;
    int lapses, relapses; /* dated in the lapse week */
    int acks;
    struct store_summary_trend trend[2]; /* PHQ-9, GAD-7 */
    /* Every review in week order (store_summary_add_review()). */
    size_t nreviews, nunsigned;
    int64_t review_first_id; /* the first unsigned one from the admission week on */
    char review_weeks[STORE_SUMMARY_REVIEWS][CAIRN_WEEK_LEN + 1];
    char reviews[STORE_SUMMARY_REVIEWS][CAIRN_WEEK_LEN + 3]; /* "YYYY-Www:S" */
    /* Mastered steps, newest first by (day, ladder). */
    int nmastered;
    bool more_mastered;
    int32_t mastered_day[STORE_SUMMARY_MASTERED];
    int64_t mastered_ladder[STORE_SUMMARY_MASTERED];
};

/* Clears *sum to a patient with nothing recorded. */
void store_summary_init(struct store_summary *sum, int64_t patient_id, int32_t as_of,
                        int32_t admission);

/* Copies what the summary keeps of the alert facts f: the stalled ladder
 * (its name by address: f must outlive the encoding) and the plan. */
void store_summary_set_facts(struct store_summary *sum, const struct cairn_alert_facts *f);

/* The first day of the attendance lines store_summary_weeks() needs when
 * the patient's latest line is dated `latest` (the lines run to it). */
int32_t store_summary_weeks_from(int32_t latest);

/* Sets the three weeks from the patient's attendance lines (at least
 * those dated store_summary_weeks_from(latest) to latest; any order). */
void store_summary_weeks(struct store_summary *sum, int32_t latest,
                         const struct cairn_attendance_line *lines, size_t n);

/* Adds a score of trend `which` (0 PHQ-9, 1 GAD-7), in any order. */
void store_summary_add_trend(struct store_summary *sum, int which, int32_t day, int64_t id,
                             int total);

/* Adds the patient's next review by week (`week` NULL or malformed: it
 * counts but is not listed). */
void store_summary_add_review(struct store_summary *sum, int64_t id, const char *week,
                              enum cairn_review_status status);

/* Adds a mastered step (not retired, of an active ladder) whose latest
 * attempt is dated `day`, in any order. */
void store_summary_add_mastered(struct store_summary *sum, int32_t day, int64_t ladder);

/* One column's value: NULL, an integer or text (borrowed from the row). */
struct store_summary_value {
    enum { STORE_SUMMARY_NULL, STORE_SUMMARY_INT, STORE_SUMMARY_TEXT } type;
    int64_t i;
    const char *text;
};

/* A summary encoded: the values of store_summary_insert_sql's parameters
 * ?1..?31 in order, their text in buf. */
struct store_summary_row {
    struct store_summary_value v[STORE_SUMMARY_COLUMNS];
    char buf[8192];
};

/* INSERT OR REPLACE of one patient_summary row, parameters ?1..?31. */
extern const char store_summary_insert_sql[];

/* Encodes *sum into *row in the encodings of schemas/sql/0008_summary.sql
 * (row's text points into row->buf, or into *sum for the ladder name). */
void store_summary_encode(const struct store_summary *sum, struct store_summary_row *row);

/* Recomputes every patient's summary in one transaction (after a
 * migration, or a bulk load that bypassed the write paths). */
enum cairn_status store_summaries_rebuild(struct cairn_store *s, struct cairn_error *err);

/* The facts of patient p read from the data, never from its summary (for
 * tests that check the two agree). */
enum cairn_status store_alert_facts_exact(struct cairn_store *s, const struct cairn_patient *p,
                                          struct cairn_alert_facts *f, struct cairn_error *err);

/* Which patients store_facts_scan() reads. */
struct store_facts_filter {
    unsigned status_mask; /* bits (1u << enum cairn_patient_status) */
    int64_t clinician;    /* staff id: patients whose therapist or case manager it is; 0 all */
    int64_t program_id;   /* 0 all */
    bool flagged;         /* only patients with a measure that raised a flag */
    bool by_name;         /* in name order; otherwise in whatever order is cheapest */
    /* Only ids in [id_from, id_to] when id_to > 0 (threads split a scan);
     * honoured when not flagged and not by name, ignored otherwise. */
    int64_t id_from, id_to;
    /* Only what the alert facts read: the patient holds its id, MRN,
     * names, name key, program id, admission and expected discharge dates
     * and status, and `more` is NULL (a cheaper row). */
    bool facts_only;
};

/* What a summary holds for the caseload report beyond the alert facts,
 * in the encodings of schemas/sql/0008_summary.sql (borrowed for the
 * call; a field is NULL when the summary has none). */
struct store_summary_more {
    const char *phq9_trend, *gad7_trend, *reviews, *mastered;
};

/* `more` is NULL when the facts were read exactly (no usable summary). */
typedef int (*store_facts_fn)(const struct cairn_patient *p, const struct cairn_alert_facts *f,
                              const struct store_summary_more *more, void *ctx);

/* Calls fn with each patient passing the filter (by name when asked;
 * unordered is much cheaper for a whole caseload) and their alert facts as
 * of the store's today, read from one snapshot: one row per patient from
 * the summaries (the exact reads where a summary cannot answer). The
 * patient holds its identity and care fields only: id, MRN, names, name
 * key, program (id and code), admission, expected discharge and discharge
 * dates, status, the staff ids, risk and version; the rest is "" or 0.
 * fn returns non-zero to stop. */
enum cairn_status store_facts_scan(struct cairn_store *s, const struct store_facts_filter *filter,
                                   store_facts_fn fn, void *ctx, struct cairn_error *err);

/* store_facts_scan() with the work on two threads, for a whole caseload:
 * the caller's thread steps the statement and copies each row, a second
 * thread reads the facts from the copies and calls `pure` with them, in
 * storage order (by_name is not honoured). `pure` runs while the store is
 * in use on the caller's thread: it must not touch the store. It returns
 * 0 to go on, STORE_FACTS_LATER to leave the patient to `later`, or any
 * other value to stop. Then, on the caller's thread and in the same read
 * transaction, `later` is called for those patients and for the ones
 * whose summary could not answer (their facts read exactly), in no
 * particular order; non-zero stops. Both get more == NULL and a patient
 * holding only its id, MRN, names, name key, program id, admission and
 * expected discharge dates and status, and are never called at the same
 * time. A caseload of one batch (64 rows) or less, or
 * one read with summaries off, starts no thread. */
#define STORE_FACTS_LATER 2
enum cairn_status store_facts_scan_split(struct cairn_store *s,
                                         const struct store_facts_filter *filter,
                                         store_facts_fn pure, store_facts_fn later, void *ctx,
                                         struct cairn_error *err);

/* Reads a decimal integer (digits, an optional '-' first) at *text into
 * *v and moves *text past it; false when there is none or it overflows.
 * For the summaries' encodings, read for every patient of a caseload:
 * much cheaper than sscanf() or strtoll(). */
bool store_parse_int(const char **text, long long *v);

/* Marks *a acknowledged (with who, when and the note) when an
 * acknowledgement holds for its patient, rule and data key. */
enum cairn_status store_alert_attach_ack(struct cairn_store *s, struct cairn_alert *a,
                                         struct cairn_error *err);

#endif

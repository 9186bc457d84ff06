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

#endif

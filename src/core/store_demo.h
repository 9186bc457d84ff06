/* The bulk write path of `cairn demo` (src/core/store_demo.c), private to
 * libcairn: demo.c decides every row, this writes them.
 *
 * A load is one write transaction on a database that holds no patients:
 * store_demo_begin() opens it, saves the SQL of every secondary index and
 * drops them; the store_demo_*() writers queue finished rows, with the ids
 * the caller reserved, for a writer thread that inserts them through
 * statements prepared once; store_demo_table_done() lets a finished
 * table's indexes be re-created while the load goes on;
 * store_demo_finish() re-creates the rest, writes the summary audit row
 * and commits (the per-patient summaries are the caller's to queue, one
 * per patient, with store_demo_summary()); store_demo_end() rolls back whatever was not committed
 * (indexes included: all or nothing) and restores the connection's
 * settings. From the first row queued until store_demo_finish() or
 * store_demo_end(), the writer thread is the connection's only user: the
 * caller must not use the store otherwise. A writer's error comes back
 * from a later store_demo_*() call or from store_demo_finish().
 *
 * The rows skip the public API's checks: the caller validates with the
 * same pure functions first (cairn_patient_validate(), scoring, mastery,
 * plan validation) and derives every computed column from them. The
 * tables' CHECK constraints are off during the load (NOT NULL, UNIQUE and
 * foreign keys hold; tests run PRAGMA integrity_check, which checks them,
 * on generated demos). Audit: one
 * row per patient created (create, patient, fields "demo") and one summary
 * row for the load (create, demo, with the counts); the tracking rows get
 * none of their own. Timestamps are one instant for the whole load, the
 * acting login is the store's. No SQL outside src/core/store*.c.
 */
#ifndef CAIRN_STORE_DEMO_H
#define CAIRN_STORE_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/demo.h"
#include "cairn/ladder.h"
#include "cairn/measure.h"
#include "cairn/patient.h"
#include "cairn/plan.h"
#include "cairn/review.h"
#include "cairn/session.h"
#include "cairn/status.h"
#include "cairn/template.h"

struct cairn_store;
struct store_demo;
struct store_summary;

/* The tables whose ids the caller hands out (store_demo_ids()). */
enum store_demo_table {
    STORE_DEMO_PATIENT,
    STORE_DEMO_PLAN,
    STORE_DEMO_PLAN_SECTION,
    STORE_DEMO_PLAN_REVISION,
    STORE_DEMO_SAFETY_PLAN,
    STORE_DEMO_SAFETY_REVISION,
    STORE_DEMO_LADDER,
    STORE_DEMO_LADDER_STEP,
    STORE_DEMO_ATTEMPT,
    STORE_DEMO_REVIEW,
    STORE_DEMO_SESSION,
    STORE_DEMO_ATTENDANCE,
    STORE_DEMO_MEASURE,
    STORE_DEMO_LAPSE,
    STORE_DEMO__TABLES
};

/* Starts a load on `store`, which must have no transaction open: for a
 * file database, switches it to a rollback journal for the load (new pages
 * need no journal, so the data is written once; a crash still rolls back
 * to nothing) when no other connection holds it, and sets the load's
 * page cache and temporary store; then BEGIN IMMEDIATE, and drops every
 * secondary index that would take its keys out of order after saving its
 * SQL. `now` (CAIRN_TIMESTAMP_LEN + 1 bytes) stamps every row.
 * Allocates *out; end it with store_demo_end() whatever happens. Errors:
 * CAIRN_ERR_BUSY, CAIRN_ERR_DB, CAIRN_ERR_NOMEM (with *out NULL when the
 * load never started). */
enum cairn_status store_demo_begin(struct cairn_store *store, const char *now,
                                   struct store_demo **out, struct cairn_error *err);

/* Reserves `n` consecutive ids of `table` and returns the first: the next
 * after the highest id the table held when the load began, then after the
 * last reserved. Ids need not be written in order. */
int64_t store_demo_ids(struct store_demo *d, enum store_demo_table table, int64_t n);

/* Inserts patient p as it stands (p->id reserved, p->status, program,
 * dates, clinicians, risk with the acting login as its setter, tags,
 * p->version), its name key derived, and its audit row. */
enum cairn_status store_demo_patient(struct store_demo *d, const struct cairn_patient *p,
                                     struct cairn_error *err);

/* Inserts plan p's head row (p->id, p->patient_id, p->status, p->head, the
 * signature: signed_at is the load's instant when p->signed_by is set),
 * `version`, for program `program_id`, and one plan_section row per part
 * of p in order (ids reserved from `first_section_id` on). */
enum cairn_status store_demo_plan(struct store_demo *d, const struct cairn_plan *p,
                                  int64_t program_id, int64_t version, int64_t first_section_id,
                                  struct cairn_error *err);

/* Inserts revision p->head (id `revision_id`) of plan p: its status, next
 * review date, `reason` and canonical `content` by the acting login. */
enum cairn_status store_demo_plan_revision(struct store_demo *d, const struct cairn_plan *p,
                                           int64_t revision_id, const char *reason,
                                           const char *content, struct cairn_error *err);

/* Inserts safety plan p (p->id, p->patient_id, head p->head, `version`)
 * and its revision p->head (id `revision_id`) with `reason` and `content`. */
enum cairn_status store_demo_safety_plan(struct store_demo *d, const struct cairn_plan *p,
                                         int64_t version, int64_t revision_id, const char *reason,
                                         const char *content, struct cairn_error *err);

/* Inserts ladder `ladder_id` of patient `patient_id` at `position` (0 =
 * first), a copy of program ladder `tl`, and its steps with ids from
 * `first_step_id` on, each with status[i] and version[i]. */
enum cairn_status store_demo_ladder(struct store_demo *d, int64_t ladder_id, int64_t patient_id,
                                    int position, const struct cairn_template_ladder *tl,
                                    int64_t first_step_id, const enum cairn_step_status *status,
                                    const int64_t *version, struct cairn_error *err);

/* Inserts attempt a (a->id, a->step_id, a->date…) of patient `patient_id`,
 * entered by the acting login. */
enum cairn_status store_demo_attempt(struct store_demo *d, const struct cairn_ladder_attempt *a,
                                     int64_t patient_id, struct cairn_error *err);

/* Inserts session s (s->id, s->start "" = none) led by staff
 * `facilitator_id` (0 = none), entered by the acting login. */
enum cairn_status store_demo_session(struct store_demo *d, const struct cairn_session *s,
                                     int64_t facilitator_id, struct cairn_error *err);

/* Inserts attendance line `id`: patient `patient_id` on session s with
 * `status` and `minutes_attended`. */
enum cairn_status store_demo_attendance(struct store_demo *d, int64_t id,
                                        const struct cairn_session *s, int64_t patient_id,
                                        enum cairn_attendance_status status, int minutes_attended,
                                        struct cairn_error *err);

/* Inserts measure m (m->id, patient, instrument, date, answers as scored
 * into m->score), entered by the acting login. */
enum cairn_status store_demo_measure(struct store_demo *d, const struct cairn_measure *m,
                                     struct cairn_error *err);

/* Inserts lapse l (l->id…), entered by the acting login. */
enum cairn_status store_demo_lapse(struct store_demo *d, const struct cairn_lapse *l,
                                   struct cairn_error *err);

/* One weekly review row as it ends up. NULL strings are NULL columns. */
struct store_demo_review {
    int64_t id, patient_id;
    const char *week;
    enum cairn_review_status status;
    int64_t version;
    const char *inputs_json, *snapshot_json;
    const char *started_by, *signed_by, *cosigned_by; /* logins; their times are the load's */
};

enum cairn_status store_demo_review(struct store_demo *d, const struct store_demo_review *r,
                                    struct cairn_error *err);

/* Inserts the patient_summary row of *sum (encoded by
 * store_summary_encode(), as the store's own write paths do): the load
 * writes every patient's summary itself, from what the caller has in
 * memory, instead of recomputing them from the data at the end. */
enum cairn_status store_demo_summary(struct store_demo *d, const struct store_summary *sum,
                                     struct cairn_error *err);

/* Says no more rows of `table` will come: its indexes are re-created now,
 * after the rows queued so far, while the caller goes on. */
enum cairn_status store_demo_table_done(struct store_demo *d, enum store_demo_table table,
                                        struct cairn_error *err);

/* Re-creates the dropped indexes from their saved SQL, writes the summary
 * audit row (create, demo; fields "patients=…,rows=…") from *made and
 * commits. On failure nothing of the load stays. Sets *rows to the rows
 * written, audit rows included (may be NULL). */
enum cairn_status store_demo_finish(struct store_demo *d, const struct cairn_demo_stats *made,
                                    uint64_t *rows, struct cairn_error *err);

/* Ends the load: rolls back unless store_demo_finish() committed, puts the
 * journal mode, cache size and temporary store back, frees *d and sets it to NULL. NULL is
 * fine. */
void store_demo_end(struct store_demo **d);

#endif

/* cairn — the weekly progress review (DESIGN.md §2 review, §3).
 *
 * Every active patient gets one review per ISO week. cairn computes what it
 * can (struct cairn_review_snapshot: attendance against the program
 * minimum, the latest PHQ-9 and GAD-7 with their change labels, exposure
 * attempts and steps mastered, social goals met against their targets,
 * lapses, and the open and acknowledged alerts); the reviewer adds judgment
 * (struct cairn_review_inputs: risk level, narrative, what went well,
 * barriers, plan adjustments, next steps, and the program's checklist).
 *
 * Life of a review: due → draft (`start`) → signed → cosigned. Signing
 * freezes the snapshot as it is at that moment, so later changes to the
 * data never rewrite a signed review; a signed review is immutable (the
 * database refuses any change but the co-signature) and corrections are
 * addenda with author and time. Only staff may start, edit and sign
 * (peer mentors may not sign); only a supervisor other than the signer may
 * co-sign.
 *
 * The pure functions (validate, render, parse, snapshot JSON) never touch
 * the store.
 */
#ifndef CAIRN_REVIEW_H
#define CAIRN_REVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/alert.h"
#include "cairn/date.h"
#include "cairn/measure.h"
#include "cairn/patient.h"
#include "cairn/plan.h"
#include "cairn/session.h"
#include "cairn/staff.h"
#include "cairn/status.h"
#include "cairn/template.h"

struct cairn_store;

enum cairn_review_status {
    CAIRN_REVIEW_DUE,
    CAIRN_REVIEW_DRAFT,
    CAIRN_REVIEW_SIGNED,
    CAIRN_REVIEW_COSIGNED,
};

/* "due" | "draft" | "signed" | "cosigned"; "?" out of range. */
const char *cairn_review_status_str(enum cairn_review_status status);

/* The reviewer's free-text fields: X(enum, key, title). The key is the
 * YAML key, the CLI flag (with '-' for '_') and the JSON key. */
#define CAIRN_REVIEW_FIELD_LIST(X)                                                                 \
    X(CAIRN_REVIEW_NARRATIVE, "narrative", "Narrative")                                            \
    X(CAIRN_REVIEW_WENT_WELL, "went_well", "What went well")                                       \
    X(CAIRN_REVIEW_BARRIERS, "barriers", "Barriers")                                               \
    X(CAIRN_REVIEW_ADJUSTMENTS, "adjustments", "Plan adjustments")                                 \
    X(CAIRN_REVIEW_NEXT_STEPS, "next_steps", "Next steps")

enum cairn_review_field {
#define CAIRN_X_ENUM(code, key, title) code,
    CAIRN_REVIEW_FIELD_LIST(CAIRN_X_ENUM)
#undef CAIRN_X_ENUM
        CAIRN_REVIEW__FIELDS
};

const char *cairn_review_field_key(enum cairn_review_field field);   /* "went_well" */
const char *cairn_review_field_title(enum cairn_review_field field); /* "What went well" */

#define CAIRN_REVIEW_TEXT_MAX   2000 /* characters of one field; lines allowed */
#define CAIRN_REVIEW_TEXT_BYTES (4 * CAIRN_REVIEW_TEXT_MAX + 1)

/* One checklist item of the program and the reviewer's answer. */
struct cairn_review_check {
    char item[CAIRN_TEMPLATE_TEXT_BYTES];
    int answer; /* -1 not answered yet, 0 no, 1 yes */
};

/* What the reviewer fills in. */
struct cairn_review_inputs {
    enum cairn_risk risk; /* CAIRN_RISK_UNSET until chosen */
    char text[CAIRN_REVIEW__FIELDS][CAIRN_REVIEW_TEXT_BYTES];
    size_t nchecks;
    struct cairn_review_check checks[CAIRN_TEMPLATE_CHECKLIST_MAX];
};

/* Checks the inputs: texts valid UTF-8 of at most CAIRN_REVIEW_TEXT_MAX
 * characters without control characters other than newlines and tabs.
 * With `to_sign`, also what a signature needs: a risk level, a narrative,
 * and an answer to every checklist item. The first problem is reported
 * with its field ("risk", "narrative", "checklist/2"). Pure. */
enum cairn_status cairn_review_inputs_validate(const struct cairn_review_inputs *in, bool to_sign,
                                               struct cairn_error *err);

/* Writes the inputs as one canonical JSON document (jansson, sorted keys:
 * what the store keeps in review.inputs_json) into *json (free()). Pure. */
enum cairn_status cairn_review_inputs_json(const struct cairn_review_inputs *in, char **json,
                                           struct cairn_error *err);

/* Reads inputs written by cairn_review_inputs_json() into *in; a malformed
 * document is CAIRN_ERR_INVALID. Pure. */
enum cairn_status cairn_review_inputs_parse(const char *json, struct cairn_review_inputs *in,
                                            struct cairn_error *err);

/* The latest ISO week whose review is overdue on day `today`: a review is
 * overdue when it is not signed by the end of the week after its own, so
 * this is the week of today - 14. Every review of a week up to it
 * (comparing "YYYY-Www" as text) that is still due or a draft is overdue;
 * the due list, the caseload's review state and the review_overdue alert
 * all judge by it. Pure. */
void cairn_review_last_overdue_week(int32_t today, char out[CAIRN_WEEK_LEN + 1]);

/* --- the computed snapshot ------------------------------------------------ */

/* A measure as the snapshot shows it. */
struct cairn_review_measure {
    bool has; /* any score on or before the week's end */
    int total;
    char band[32];
    char date[CAIRN_DATE_LEN + 1];
    bool has_baseline; /* the first score, when it is not this one */
    int baseline;
    bool has_last_week; /* the latest score before the week began */
    int last_week;
    size_t nlabels; /* change labels against the baseline, each naming its rule */
    char labels[4][CAIRN_MEASURE_TEXT_MAX];
};

struct cairn_review_goal {
    char key[CAIRN_PLAN_KEY_BYTES];
    char text[CAIRN_PLAN_TEXT_BYTES];
    int target; /* a week */
    int done;   /* this week; -1 when nothing was recorded */
};

struct cairn_review_alert {
    char code[32];
    char severity[8];
    char reason[CAIRN_ALERT_REASON_MAX];
    bool acknowledged;
    char acked_by[CAIRN_LOGIN_MAX + 1];
};

/* Everything cairn computes for one patient's week. Large (about 60 KiB):
 * allocate it. */
struct cairn_review_snapshot {
    char week[CAIRN_WEEK_LEN + 1];
    char from[CAIRN_DATE_LEN + 1], to[CAIRN_DATE_LEN + 1]; /* Monday, Sunday */
    char computed_at[CAIRN_TIMESTAMP_LEN + 1];
    struct cairn_attendance_week attendance;
    struct cairn_review_measure phq9, gad7;
    char cssrs[16]; /* the week's latest C-SSRS screen risk: "" none, low | moderate | high */
    int attempts;   /* exposure attempts dated in the week */
    int steps_mastered_week; /* steps mastered by an attempt in the week */
    int steps_mastered;      /* mastered so far, over every active ladder */
    int steps_total;         /* steps on the active ladders */
    size_t ngoals;
    struct cairn_review_goal goals[CAIRN_PLAN_ITEMS_MAX];
    int lapses, relapses; /* logged in the week */
    size_t nalerts;
    struct cairn_review_alert alerts[CAIRN_ALERT__COUNT];
};

/* Writes the snapshot as one JSON document (jansson; keys stable, in
 * sorted order, and documented in cairn(1)) into *json (free()). Pure.
 * CAIRN_ERR_INVALID for text that is not UTF-8, CAIRN_ERR_NOMEM. */
enum cairn_status cairn_review_snapshot_json(const struct cairn_review_snapshot *s, char **json,
                                             struct cairn_error *err);

/* Writes snapshot after snapshot for a caller that makes many (a demo
 * signs hundreds of thousands): the same bytes as
 * cairn_review_snapshot_json(), which makes each through one of these,
 * but the document is built once and each snapshot only sets its values.
 * One writer serves one thread. */
struct cairn_snapshot_writer;

/* A new writer, or NULL when out of memory. Free it with
 * cairn_snapshot_writer_free(). */
struct cairn_snapshot_writer *cairn_snapshot_writer_new(void);

/* Writes snapshot s into *json (free()); NULL on failure:
 * CAIRN_ERR_INVALID for text that is not UTF-8, CAIRN_ERR_NOMEM. */
enum cairn_status cairn_snapshot_writer_json(struct cairn_snapshot_writer *w,
                                             const struct cairn_review_snapshot *s, char **json,
                                             struct cairn_error *err);

/* Frees w; NULL is fine. */
void cairn_snapshot_writer_free(struct cairn_snapshot_writer *w);

/* Reads a snapshot written by cairn_review_snapshot_json(). Unknown keys
 * are ignored; a malformed document is CAIRN_ERR_INVALID. Pure. */
enum cairn_status cairn_review_snapshot_parse(const char *json, struct cairn_review_snapshot *s,
                                              struct cairn_error *err);

/* --- a review -------------------------------------------------------------- */

struct cairn_review_addendum {
    char author[CAIRN_LOGIN_MAX + 1];
    char at[CAIRN_TIMESTAMP_LEN + 1];
    char text[CAIRN_REVIEW_TEXT_BYTES];
};

#define CAIRN_REVIEW_ADDENDA_MAX 20

/* One review as read. Large (about 200 KiB): allocate it. */
struct cairn_review {
    int64_t id; /* 0: no row yet for this week (nothing started) */
    int64_t patient_id;
    char mrn[CAIRN_MRN_MAX + 1];
    char week[CAIRN_WEEK_LEN + 1];
    enum cairn_review_status status;
    struct cairn_review_inputs inputs;
    /* Signed reviews: the frozen snapshot; others: computed when read. */
    struct cairn_review_snapshot snapshot;
    char started_by[CAIRN_LOGIN_MAX + 1], started_at[CAIRN_TIMESTAMP_LEN + 1];
    char signed_by[CAIRN_LOGIN_MAX + 1], signed_at[CAIRN_TIMESTAMP_LEN + 1];
    char cosigned_by[CAIRN_LOGIN_MAX + 1], cosigned_at[CAIRN_TIMESTAMP_LEN + 1];
    int64_t version;
    size_t naddenda;
    struct cairn_review_addendum addenda[CAIRN_REVIEW_ADDENDA_MAX];
};

/* Renders the reviewer's inputs of *r as the YAML file `review edit` opens:
 * `header` (may be NULL) as a comment, the snapshot as comments for
 * reference, then risk, the text fields as literal blocks and the
 * checklist as `- {item: ..., done: yes|no|null}`. *out is free()d by the
 * caller. Pure. */
enum cairn_status cairn_review_render_yaml(const struct cairn_review *r, const char *header,
                                           char **out, struct cairn_error *err);

/* Parses YAML text as written by cairn_review_render_yaml() (and edited)
 * into in->…: every problem goes to *diags with line, column and pointer
 * (CAIRN_ERR_INVALID). Checklist items are matched to in->checks by their
 * text, which must not change, nor may items be added or removed. Nothing
 * in *in changes unless the whole text is valid. Pure. */
enum cairn_status cairn_review_parse_yaml(struct cairn_review_inputs *in, const char *text,
                                          size_t len, struct cairn_template_diags *diags,
                                          struct cairn_error *err);

/* --- the store ------------------------------------------------------------- */

/* Computes the snapshot of patient p's ISO week `week` ("2026-W48") from
 * the data as it is now, and the alerts as of the store's today. Not
 * audited by itself. */
enum cairn_status cairn_review_snapshot_compute(struct cairn_store *store,
                                                const struct cairn_patient *p, const char *week,
                                                struct cairn_review_snapshot *s,
                                                struct cairn_error *err);

/* One line of `review due`. */
struct cairn_review_due {
    int64_t review_id; /* 0: no row for the week yet */
    struct cairn_patient patient;
    char week[CAIRN_WEEK_LEN + 1];
    enum cairn_review_status status; /* due or draft */
    bool overdue;                    /* not signed by the end of the following week */
};

/* Calls fn for every review that needs doing up to ISO week `week`
 * (NULL: this week): active patients (whose therapist or case manager is
 * `clinician`, when not NULL) with no signed review for `week`, and their
 * overdue unsigned reviews of earlier weeks since admission; overdue
 * first, then by week and patient name. An unknown clinician is
 * CAIRN_ERR_NOT_FOUND. Not audited (a list). */
enum cairn_status cairn_review_due_list(struct cairn_store *store, const char *clinician,
                                        const char *week,
                                        int (*fn)(const struct cairn_review_due *d, void *ctx),
                                        void *ctx, struct cairn_error *err);

/* One line of `review awaiting`: a signed review no supervisor has
 * co-signed yet. */
struct cairn_review_awaiting {
    int64_t review_id;
    struct cairn_patient patient;
    char week[CAIRN_WEEK_LEN + 1];
    enum cairn_risk risk; /* the reviewer's, as signed */
    char signed_by[CAIRN_LOGIN_MAX + 1], signed_at[CAIRN_TIMESTAMP_LEN + 1];
    int64_t version;
};

/* Calls fn for every review in status signed (awaiting a co-signature) of
 * any patient, whatever their status (a discharge does not cancel the
 * co-signature), whose therapist or case manager is `clinician` when not
 * NULL. Oldest first: by week, then by when it was signed, so a queue
 * worked from the top drains in the order the reviews came in and the
 * longest waiting is never buried under newer ones. fn returning non-zero
 * stops the walk early (CAIRN_OK). An unknown clinician is
 * CAIRN_ERR_NOT_FOUND (pointer "clinician"). Reads only through indexes
 * (one seek per ISO week that has reviews, or the clinician's patients).
 * Not audited (a list); showing one is cairn_review_read(). */
enum cairn_status cairn_review_cosign_list(struct cairn_store *store, const char *clinician,
                                           int (*fn)(const struct cairn_review_awaiting *a,
                                                     void *ctx),
                                           void *ctx, struct cairn_error *err);

/* Starts the review of patient p's week `week` (NULL: this week) by the
 * acting login, who must be active staff (CAIRN_ERR_DENIED): a due review
 * (or none yet) becomes a draft with the program's checklist; audited. A
 * draft already started is returned as it is with *existed set. A signed
 * review is CAIRN_ERR_TRANSITION; a week after this one, or one before the
 * admission week, CAIRN_ERR_INVALID ("week"). Fills *r as
 * cairn_review_read() does (without a second audit row). */
enum cairn_status cairn_review_start(struct cairn_store *store, const struct cairn_patient *p,
                                     const char *week, struct cairn_review *r, bool *existed,
                                     struct cairn_error *err);

/* Reads patient p's review of `week` (NULL: this week) into *r, audited
 * as a read: status, inputs, signatures, addenda, and the snapshot (the
 * frozen one once signed; computed now otherwise). A week with no review
 * row is CAIRN_ERR_NOT_FOUND. */
enum cairn_status cairn_review_read(struct cairn_store *store, const struct cairn_patient *p,
                                    const char *week, struct cairn_review *r,
                                    struct cairn_error *err);

/* Like cairn_review_read() without the audit row, for a caller that
 * changes the review without showing it (`review set`, `review sign`): the
 * change audits itself. Showing a review must go through
 * cairn_review_read(). */
enum cairn_status cairn_review_load(struct cairn_store *store, const struct cairn_patient *p,
                                    const char *week, struct cairn_review *r,
                                    struct cairn_error *err);

/* Saves r->inputs on the draft r->id, which must still be at r->version
 * (CAIRN_ERR_CONFLICT otherwise, refusal audited; the caller keeps the
 * edit). Only a draft can be edited (CAIRN_ERR_TRANSITION). When the risk
 * level differs from the patient's, the patient's risk is set too, with
 * the acting login and time. Inputs equal to the stored ones set
 * *unchanged and write nothing. Audited with the fields changed. On
 * success r->version is the new one. */
enum cairn_status cairn_review_save(struct cairn_store *store, struct cairn_review *r,
                                    bool *unchanged, struct cairn_error *err);

/* Signs draft r->id at version r->version (CAIRN_ERR_CONFLICT otherwise):
 * the acting login must be active staff in a role that signs (therapist,
 * case manager, supervisor, prescriber; CAIRN_ERR_DENIED otherwise); the
 * inputs must be complete (cairn_review_inputs_validate() with to_sign);
 * the snapshot is computed now and frozen with the signature; audited
 * (sign). Fills r with the signed review. */
enum cairn_status cairn_review_sign(struct cairn_store *store, struct cairn_review *r,
                                    struct cairn_error *err);

/* Co-signs the signed review r->id: the acting login must be an active
 * supervisor (CAIRN_ERR_DENIED) who did not sign it (CAIRN_ERR_DENIED);
 * a review not signed, or already co-signed, is CAIRN_ERR_TRANSITION.
 * Audited (sign). Fills the co-signature into *r. */
enum cairn_status cairn_review_cosign(struct cairn_store *store, struct cairn_review *r,
                                      struct cairn_error *err);

/* Appends an addendum (1..CAIRN_REVIEW_TEXT_MAX characters) by the acting
 * login, who must be active staff, to the signed or co-signed review
 * r->id (CAIRN_ERR_TRANSITION before signing: edit the draft instead);
 * audited. Appends it to r->addenda too. */
enum cairn_status cairn_review_addendum_add(struct cairn_store *store, struct cairn_review *r,
                                            const char *text, struct cairn_error *err);

/* Where patient_id's weekly reviews stand as of `today`, for a caseload
 * row, into out (at least 9 bytes): "overdue" when a review is still not
 * signed after the end of the week following its own, else this week's
 * status ("due", "draft", "signed", "cosigned"), or "" when this week has
 * no review. Two indexed reads; not audited. */
enum cairn_status cairn_review_state(struct cairn_store *store, int64_t patient_id, int32_t today,
                                     char *out, size_t size, struct cairn_error *err);

/* One review in a patient's list. */
struct cairn_review_line {
    int64_t id;
    char week[CAIRN_WEEK_LEN + 1];
    enum cairn_review_status status;
    enum cairn_risk risk;
    char signed_by[CAIRN_LOGIN_MAX + 1], signed_at[CAIRN_TIMESTAMP_LEN + 1];
    char cosigned_by[CAIRN_LOGIN_MAX + 1];
    int addenda;
};

/* Calls fn for each of patient_id's reviews, newest week first. Not
 * audited by itself: call it within an audited read of the record. */
enum cairn_status cairn_review_list(struct cairn_store *store, int64_t patient_id,
                                    int (*fn)(const struct cairn_review_line *l, void *ctx),
                                    void *ctx, struct cairn_error *err);

#endif

/* cairn — exposure ladders: a patient's graded steps, the attempts logged
 * on them, and the program's mastery rule.
 *
 * A ladder is copied from the program on admission (see care.h); the
 * therapist then adds, edits, reorders, skips and retires steps and logs
 * attempts with SUDS (subjective units of distress) before, at peak and
 * after. SUDS are on the ladder's scale: 0–100, or 0–10 for a ladder whose
 * scale is 10.
 *
 * Rules here are pure functions over plain values; the store functions at
 * the end read and write, each write in one transaction with its audit row.
 */
#ifndef CAIRN_LADDER_H
#define CAIRN_LADDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/date.h"
#include "cairn/patient.h"
#include "cairn/status.h"
#include "cairn/template.h"

struct cairn_store;

/* A ladder holds at most this many steps, retired ones included. */
#define CAIRN_LADDER_STEPS_MAX CAIRN_TEMPLATE_STEPS_MAX
/* Below this many live steps a ladder is called short (a warning). */
#define CAIRN_LADDER_MIN_STEPS 8
/* Adjacent steps further apart than this, on the 0–100 scale, get a warning. */
#define CAIRN_LADDER_MAX_GAP      15
#define CAIRN_LADDER_WARNINGS_MAX (CAIRN_LADDER_STEPS_MAX + 1)
#define CAIRN_LADDER_REASON_MAX   240

#define CAIRN_STEP_STATUS_LIST(X)                                                                  \
    X(CAIRN_STEP_NOT_STARTED, "not_started")                                                       \
    X(CAIRN_STEP_IN_PROGRESS, "in_progress")                                                       \
    X(CAIRN_STEP_MASTERED, "mastered")                                                             \
    X(CAIRN_STEP_SKIPPED, "skipped")

enum cairn_step_status {
#define CAIRN_X_ENUM(code, name) code,
    CAIRN_STEP_STATUS_LIST(CAIRN_X_ENUM)
#undef CAIRN_X_ENUM
        CAIRN_STEP_STATUS__COUNT
};

/* Where an attempt happened. */
enum cairn_attempt_setting { CAIRN_ATTEMPT_SESSION, CAIRN_ATTEMPT_BETWEEN };

/* Whether the feared outcome the patient predicted came true. */
enum cairn_came_true {
    CAIRN_CAME_TRUE_UNSET,
    CAIRN_CAME_TRUE_YES,
    CAIRN_CAME_TRUE_NO,
    CAIRN_CAME_TRUE_PARTLY
};

/* The program's mastery rule is struct cairn_mastery_rule (template.h):
 * peak_suds_at_most is on the 0–100 scale whatever the ladder's scale, and
 * or_drop_percent 0 turns the drop branch off. */

/* Which branch of the rule decided a step. */
enum cairn_mastery_branch {
    CAIRN_MASTERY_NO_ATTEMPTS, /* not started */
    CAIRN_MASTERY_NOT_YET,     /* attempted, neither branch holds */
    CAIRN_MASTERY_BY_PEAK,     /* last `consecutive` peaks each <= the limit */
    CAIRN_MASTERY_BY_DROP,     /* latest peak down >= drop_percent from the first */
};

struct cairn_mastery {
    enum cairn_mastery_branch branch;
    /* One line naming the rule and its numbers, e.g. "mastered: the last 2
     * attempts peaked at SUDS 30 or less (program rule
     * mastery.peak_suds_at_most)". */
    char reason[CAIRN_LADDER_REASON_MAX];
};

/* Decides a step from the peak SUDS of its attempts in the order they
 * happened (`peaks[0]` first), on a ladder of `scale` (10 or 100). Pure. */
void cairn_mastery_decide(const struct cairn_mastery_rule *rule, int scale, const int *peaks,
                          size_t n, struct cairn_mastery *out);

/* The stored status a decision gives a step that is not skipped by hand. */
enum cairn_step_status cairn_mastery_status(enum cairn_mastery_branch branch);

struct cairn_ladder_attempt {
    int64_t id;
    int64_t step_id;
    int step_position; /* read only: the step's position when read */
    char date[CAIRN_DATE_LEN + 1];
    int suds_before, suds_peak, suds_after; /* on the ladder's scale */
    int minutes;                            /* 0 = not recorded */
    enum cairn_attempt_setting setting;
    char prediction[CAIRN_LONG_MAX + 1]; /* the feared outcome predicted; "" = none */
    int expectancy_before;               /* 0–100 % sure it would happen; -1 = not asked */
    enum cairn_came_true came_true;
    int expectancy_after; /* 0–100 % after; -1 = not asked */
    char safety_behaviours[CAIRN_LONG_MAX + 1];
    char note[CAIRN_LONG_MAX + 1];
    char entered_by[CAIRN_LOGIN_MAX + 1]; /* read only */
    char created_at[CAIRN_TIMESTAMP_LEN + 1];
};

struct cairn_ladder_step {
    int64_t id;
    int position; /* 1-based place in the ladder, retired steps included */
    char text[CAIRN_TEMPLATE_TEXT_BYTES];
    int suds; /* anticipated, on the ladder's scale */
    enum cairn_step_status status;
    bool retired;
    int64_t version;
    /* read only, from the attempts */
    int attempts;
    int first_peak, last_peak; /* -1 when no attempts */
    char last_date[CAIRN_DATE_LEN + 1];
    struct cairn_mastery mastery;
};

struct cairn_ladder {
    int64_t id;
    int64_t patient_id;
    int position; /* 1-based */
    char name[CAIRN_TEMPLATE_TEXT_BYTES];
    char target[CAIRN_TEMPLATE_TEXT_BYTES];
    int scale;       /* 10 or 100 */
    bool retired;    /* the whole ladder */
    int64_t version; /* bumped by every change to its steps */
    struct cairn_mastery_rule rule;
    size_t nsteps;
    struct cairn_ladder_step steps[CAIRN_LADDER_STEPS_MAX];
    int next; /* index into steps of the suggested next step; -1 = none */
    int attempts;
    char last_attempt[CAIRN_DATE_LEN + 1]; /* "" = never */
};

/* A problem with a ladder's shape worth a clinician's look; never an error. */
struct cairn_ladder_warning {
    int step; /* position of the first step it is about; 0 = the whole ladder */
    char text[CAIRN_LADDER_REASON_MAX];
};

const char *cairn_step_status_str(enum cairn_step_status status);
const char *cairn_attempt_setting_str(enum cairn_attempt_setting setting);
const char *cairn_came_true_str(enum cairn_came_true came_true); /* "" for unset */

/* Parses "session" | "between"; CAIRN_ERR_INVALID otherwise. */
enum cairn_status cairn_attempt_setting_parse(const char *text, enum cairn_attempt_setting *out,
                                              struct cairn_error *err);

/* Parses "yes" | "no" | "partly"; CAIRN_ERR_INVALID otherwise. */
enum cairn_status cairn_came_true_parse(const char *text, enum cairn_came_true *out,
                                        struct cairn_error *err);

/* The step a patient should try next: the first live step, in order, that
 * is neither mastered nor skipped. Returns its index, or -1. Pure. */
int cairn_ladder_next_step(const struct cairn_ladder *ladder);

/* How many live steps are mastered. Pure. */
size_t cairn_ladder_mastered(const struct cairn_ladder *ladder);

/* Fills out[] (room for max) with the ladder's shape warnings: fewer than
 * CAIRN_LADDER_MIN_STEPS live steps, adjacent live steps more than
 * CAIRN_LADDER_MAX_GAP SUDS apart (on the 0–100 scale), a step rated lower
 * than the one before it. Returns how many. Pure. */
size_t cairn_ladder_warnings(const struct cairn_ladder *ladder, struct cairn_ladder_warning *out,
                             size_t max);

/* Checks an attempt against a ladder of `scale` and the day `today`: SUDS
 * within the scale, a real date not after today, minutes 0–1440,
 * expectancies -1 or 0–100, text fields valid UTF-8 without control
 * characters. The first problem is reported with its field. */
enum cairn_status cairn_ladder_attempt_validate(const struct cairn_ladder_attempt *a, int scale,
                                                int32_t today, struct cairn_error *err);

/* Checks a step's text (1–200 characters, no control characters) and
 * anticipated SUDS (within `scale`). */
enum cairn_status cairn_ladder_step_validate(const char *text, int suds, int scale,
                                             struct cairn_error *err);

/* Called once per ladder by cairn_ladder_list(). Return non-zero to stop. */
typedef int (*cairn_ladder_fn)(const struct cairn_ladder *ladder, void *arg);

/* Lists patient `patient_id`'s ladders in order, each with its steps,
 * mastery and next step, for the audited read the caller makes (see
 * cairn_patient_read()). Retired ladders only when `all`. */
enum cairn_status cairn_ladder_list(struct cairn_store *store, int64_t patient_id, bool all,
                                    cairn_ladder_fn fn, void *arg, struct cairn_error *err);

/* Loads one ladder of patient `patient_id` named by `ref`: its position
 * ("2") or its name (ignoring case). The caller frees nothing; *out is
 * large (about 30 KiB). CAIRN_ERR_NOT_FOUND names the patient's ladders. */
enum cairn_status cairn_ladder_load(struct cairn_store *store, int64_t patient_id, const char *ref,
                                    struct cairn_ladder *out, struct cairn_error *err);

/* Calls fn for each attempt on `ladder_id` (all steps), oldest first. */
typedef int (*cairn_attempt_fn)(const struct cairn_ladder_attempt *attempt, void *arg);
enum cairn_status cairn_ladder_attempts(struct cairn_store *store, int64_t ladder_id,
                                        cairn_attempt_fn fn, void *arg, struct cairn_error *err);

/* Adds a step to the ladder at `position` (1-based; 0 = at the end),
 * shifting later steps down. Refused when the ladder is full or retired.
 * `if_version` > 0 refuses (CAIRN_ERR_CONFLICT) a ladder changed since the
 * caller read that version. Sets *step_id. Audited. */
enum cairn_status cairn_ladder_add_step(struct cairn_store *store, int64_t ladder_id,
                                        int64_t if_version, const char *text, int suds,
                                        int position, int64_t *step_id, struct cairn_error *err);

/* Moves the step at position `from` to position `to` (both 1-based).
 * Conflict and audit as cairn_ladder_add_step(). */
enum cairn_status cairn_ladder_move_step(struct cairn_store *store, int64_t ladder_id,
                                         int64_t if_version, int from, int to,
                                         struct cairn_error *err);

/* What cairn_ladder_edit_step() changes: NULL / -1 leave a field alone. */
struct cairn_step_edit {
    const char *text; /* NULL: unchanged */
    int suds;         /* -1: unchanged */
    int skipped;      /* -1: unchanged; 1: mark skipped; 0: back to its attempts' status */
    int retired;      /* -1: unchanged; 1: retire; 0: restore */
};

/* Edits the step at `position`. Nothing to change is CAIRN_OK with no
 * write. Conflict and audit as cairn_ladder_add_step(). */
enum cairn_status cairn_ladder_edit_step(struct cairn_store *store, int64_t ladder_id,
                                         int64_t if_version, int position,
                                         const struct cairn_step_edit *edit,
                                         struct cairn_error *err);

/* Logs an attempt on the live step at `position` of the ladder, and sets
 * the step's status from all its attempts by the program's rule, in one
 * transaction with the audit row. Sets a->id; *status_out (may be NULL)
 * receives the step's new status. Validated by
 * cairn_ladder_attempt_validate(). */
enum cairn_status cairn_ladder_attempt_add(struct cairn_store *store, int64_t ladder_id,
                                           int position, struct cairn_ladder_attempt *a,
                                           struct cairn_mastery *mastery_out,
                                           struct cairn_error *err);

#endif

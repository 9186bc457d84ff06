/* cairn — alerts: what needs a clinician's attention, computed from the
 * data every time and never kept by hand (DESIGN.md §2, §3).
 *
 * Each rule is a pure function of one patient's facts (struct
 * cairn_alert_facts): it fires or not, and when it fires it says why in one
 * line naming the rule and the numbers, for example
 *   phq9_worse: PHQ-9 18, up 6 from 12 on 2026-11-10 (reliable change ≥ 5)
 * Thresholds come from the patient's program (template `alerts:`).
 *
 * An alert can be acknowledged (who, when, note). The acknowledgement is
 * tied to the data the alert fired on (its `key`: measure ids, a week, a
 * date), so it holds until that data changes, and then the alert is open
 * again.
 *
 * Severities: urgent (safety) sorts first everywhere and is never hidden by
 * a severity filter; then warning; then info.
 */
#ifndef CAIRN_ALERT_H
#define CAIRN_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/date.h"
#include "cairn/patient.h"
#include "cairn/session.h"
#include "cairn/staff.h"
#include "cairn/status.h"
#include "cairn/template.h"

struct cairn_store;

enum cairn_alert_severity {
    CAIRN_SEVERITY_URGENT, /* sorts first */
    CAIRN_SEVERITY_WARNING,
    CAIRN_SEVERITY_INFO,
};

/* The rules: X(enum, code, severity, what it means). The code is what
 * users see, type and store. */
#define CAIRN_ALERT_RULE_LIST(X)                                                                   \
    X(CAIRN_ALERT_PHQ9_ITEM9, "phq9_item9", CAIRN_SEVERITY_URGENT,                                 \
      "the latest PHQ-9 has item 9 (thoughts of self-harm) above 0: screen with the C-SSRS")       \
    X(CAIRN_ALERT_CSSRS_HIGH, "cssrs_high", CAIRN_SEVERITY_URGENT,                                 \
      "the latest C-SSRS screen is high risk")                                                     \
    X(CAIRN_ALERT_PHQ9_WORSE, "phq9_worse", CAIRN_SEVERITY_WARNING,                                \
      "PHQ-9 rose by the program's reliable change or more")                                       \
    X(CAIRN_ALERT_GAD7_WORSE, "gad7_worse", CAIRN_SEVERITY_WARNING,                                \
      "GAD-7 rose by the program's reliable change or more")                                       \
    X(CAIRN_ALERT_HOURS_BELOW, "hours_below", CAIRN_SEVERITY_WARNING,                              \
      "last week's hours or days attended were below the program minimum")                         \
    X(CAIRN_ALERT_ABSENCES, "absences", CAIRN_SEVERITY_WARNING,                                    \
      "absent from the program's number of sessions or more in one week")                          \
    X(CAIRN_ALERT_LADDER_STALLED, "ladder_stalled", CAIRN_SEVERITY_WARNING,                        \
      "no exposure attempt on an unfinished ladder for the program's stall days")                  \
    X(CAIRN_ALERT_REVIEW_OVERDUE, "review_overdue", CAIRN_SEVERITY_WARNING,                        \
      "a weekly review not signed by the end of the following week")                               \
    X(CAIRN_ALERT_LAPSE, "lapse_this_week", CAIRN_SEVERITY_WARNING,                                \
      "a lapse or relapse was logged this week")                                                   \
    X(CAIRN_ALERT_DISCHARGE_PLANNING, "discharge_planning", CAIRN_SEVERITY_WARNING,                \
      "expected discharge is near and the plan has no aftercare")                                  \
    X(CAIRN_ALERT_PLAN_REVIEW, "plan_review_due", CAIRN_SEVERITY_INFO,                             \
      "the plan's next-review date has passed")

enum cairn_alert_rule {
#define CAIRN_X_ENUM(rule, code, severity, meaning) rule,
    CAIRN_ALERT_RULE_LIST(CAIRN_X_ENUM)
#undef CAIRN_X_ENUM
        CAIRN_ALERT__COUNT
};

/* "urgent" | "warning" | "info"; "?" out of range. */
const char *cairn_alert_severity_str(enum cairn_alert_severity severity);

/* Parses a severity name; CAIRN_ERR_INVALID (pointer "severity") listing
 * the names otherwise. */
enum cairn_status cairn_alert_severity_parse(const char *text, enum cairn_alert_severity *out,
                                             struct cairn_error *err);

/* The code of a rule ("phq9_worse"), its severity and meaning; "" and
 * CAIRN_SEVERITY_INFO out of range. */
const char *cairn_alert_code(enum cairn_alert_rule rule);
enum cairn_alert_severity cairn_alert_rule_severity(enum cairn_alert_rule rule);
const char *cairn_alert_meaning(enum cairn_alert_rule rule);

/* Parses a rule code; CAIRN_ERR_INVALID (pointer "code") otherwise. */
enum cairn_status cairn_alert_rule_parse(const char *text, enum cairn_alert_rule *out,
                                         struct cairn_error *err);

#define CAIRN_ALERT_REASON_MAX 320 /* bytes */
#define CAIRN_ALERT_KEY_MAX    128 /* bytes, NUL included */
#define CAIRN_ALERT_NOTE_MAX   500 /* characters of an acknowledgement note */
#define CAIRN_ALERT_ID_MAX     (CAIRN_MRN_MAX + 1 + 32 + 1)

/* One measure as the rules read it. */
struct cairn_alert_score {
    int64_t id;      /* 0: none */
    int64_t version; /* bumped by a correction (cairn_measure_correct()) */
    int32_t day;     /* its date */
    int total;       /* PHQ-9/GAD-7 total; C-SSRS: yes answers */
    unsigned flags;  /* bits (1u << enum cairn_measure_flag) */
    int item9;       /* PHQ-9 item 9 answer; -1 otherwise */
};

/* Everything the rules need to know about one patient, as of `today`.
 * Days are day numbers (cairn_date_from_ymd()); 0 means "none". */
struct cairn_alert_facts {
    int64_t patient_id;
    char mrn[CAIRN_MRN_MAX + 1];
    enum cairn_patient_status status;
    int32_t today;
    int32_t admission;
    int32_t expected_discharge;
    struct cairn_alert_thresholds thresholds;
    /* PHQ-9 and GAD-7: the latest, the one before it and the first
     * (baseline); C-SSRS screen: the latest. */
    struct cairn_alert_score phq9, phq9_previous, phq9_baseline;
    struct cairn_alert_score gad7, gad7_previous, gad7_baseline;
    struct cairn_alert_score cssrs;
    /* Attendance of this ISO week (so far) and of the last one. */
    struct cairn_attendance_week this_week, last_week;
    /* The unfinished active ladder that has gone longest without an
     * attempt: its id, name, and the day of its last attempt (0: none). */
    int64_t stalled_ladder_id;
    char stalled_ladder[CAIRN_TEMPLATE_TEXT_BYTES];
    int32_t stalled_since; /* last attempt, or admission when none */
    /* The oldest review not signed (due or draft) whose week is over, its
     * week ("" when none) and how many such reviews there are. */
    int64_t overdue_review_id;
    char overdue_week[CAIRN_WEEK_LEN + 1];
    int overdue_reviews;
    /* The plan: its next-review date and whether the aftercare section
     * has any item (has_aftercare: the program's plan has the section). */
    int64_t plan_id;
    int32_t plan_next_review;
    bool has_aftercare, aftercare_filled;
    /* Lapses dated in this ISO week: how many, and the latest. */
    int lapses_this_week, relapses_this_week;
    int64_t last_lapse_id;
    int32_t last_lapse_day;
    /* Alert acknowledgements on record for the patient; 0 means there is
     * none to look up. */
    int acks;
};

/* One alert that fired. */
struct cairn_alert {
    enum cairn_alert_rule rule;
    enum cairn_alert_severity severity;
    int64_t patient_id;
    char mrn[CAIRN_MRN_MAX + 1];
    char name[CAIRN_NAME_MAX + 1]; /* set by cairn_alerts_list(): preferred name, else legal */
    char reason[CAIRN_ALERT_REASON_MAX]; /* "phq9_worse: PHQ-9 18, up 6 from 12 on …" */
    /* The data it fired on, e.g. "m:812/m:655"; a corrected measure adds
     * its version ("m:812v2"), so a correction reopens an acknowledged alert. */
    char key[CAIRN_ALERT_KEY_MAX];
    /* Set by the store when an acknowledgement holds for this key. */
    bool acknowledged;
    char acked_by[CAIRN_LOGIN_MAX + 1];
    char acked_at[CAIRN_TIMESTAMP_LEN + 1];
    char ack_note[4 * CAIRN_ALERT_NOTE_MAX + 1];
};

/* The alert's ID as users type it: "MRN:code" ("DEMO-000026:phq9_worse"). */
void cairn_alert_id(const struct cairn_alert *alert, char out[CAIRN_ALERT_ID_MAX]);

/* Applies every rule to *facts and writes the alerts that fire to out[]
 * (at most one per rule, in rule order); returns how many. Rules about
 * safety (phq9_item9, cssrs_high) apply to active and on-hold patients;
 * the others to active patients only; nothing fires for others. Pure. */
size_t cairn_alerts_evaluate(const struct cairn_alert_facts *facts,
                             struct cairn_alert out[CAIRN_ALERT__COUNT]);

/* Loads *facts for patient p (as cairn_patient_find() or _list() fill it)
 * as of the store's today: one read of the patient's summary, kept in step
 * with every change, or a dozen indexed reads when the summary cannot
 * answer for today. Not audited (alerts are a list, like the caseload). */
enum cairn_status cairn_alert_facts_load(struct cairn_store *store, const struct cairn_patient *p,
                                         struct cairn_alert_facts *facts, struct cairn_error *err);

/* The alerts of patient p as of the store's today, with their
 * acknowledgements: facts, rules and acknowledgement lookups together.
 * Fills out[] and *n. Not audited. */
enum cairn_status cairn_alerts_for_patient(struct cairn_store *store, const struct cairn_patient *p,
                                           struct cairn_alert out[CAIRN_ALERT__COUNT], size_t *n,
                                           struct cairn_error *err);

/* Which alerts cairn_alerts_list() gives. */
struct cairn_alert_filter {
    const char
        *clinician; /* staff login: patients whose therapist or case manager it is; NULL all */
    enum cairn_alert_severity severity; /* this severity and above (urgent always) */
    bool all;                           /* include acknowledged alerts */
};

/* Calls fn for every alert of every active or on-hold patient that passes
 * the filter: urgent first, then warning, then info; within a severity by
 * patient name, then rule. fn returns non-zero to stop. An unknown
 * clinician login is CAIRN_ERR_NOT_FOUND. Not audited. Everything is
 * read from one snapshot before fn is first called, on the caller's
 * thread with no transaction open. The reading uses a second thread:
 * for a whole caseload, two read-only connections split the patients
 * (when the store is a file with no transaction open), otherwise the
 * rules run beside the scan of this connection. */
enum cairn_status cairn_alerts_list(struct cairn_store *store,
                                    const struct cairn_alert_filter *filter,
                                    int (*fn)(const struct cairn_alert *alert, void *ctx),
                                    void *ctx, struct cairn_error *err);

/* Acknowledges alert `id` ("MRN:code") with `note` (1-500 characters, one
 * line) by the acting login, who must be active staff
 * (CAIRN_ERR_DENIED otherwise). The alert must be firing now
 * (CAIRN_ERR_NOT_FOUND otherwise); acknowledging one that already is
 * acknowledged for the same data is CAIRN_ERR_EXISTS. Stored with the
 * alert's key, audited (create, entity alert_ack). Fills *alert with the
 * acknowledged alert. */
enum cairn_status cairn_alert_ack(struct cairn_store *store, const char *id, const char *note,
                                  struct cairn_alert *alert, struct cairn_error *err);

#endif

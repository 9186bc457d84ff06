/* cairn — a patient's care as admission sets it up: the plan's sections,
 * the exposure ladders with their steps, and the weekly review schedule.
 *
 * Admission (cairn_patient_change_status() from referred to active with a
 * program) copies these from the program in the same transaction; later
 * issues fill them in (plan items, attempts, reviews). This header reads
 * them back, for `patient show` and the TUI's overview.
 */
#ifndef CAIRN_CARE_H
#define CAIRN_CARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/date.h"
#include "cairn/patient.h"
#include "cairn/session.h"
#include "cairn/status.h"
#include "cairn/template.h"

struct cairn_store;

struct cairn_care_step {
    int64_t id;
    char text[CAIRN_TEMPLATE_TEXT_BYTES];
    int suds;
    char status[16]; /* not_started | in_progress | mastered | skipped */
};

struct cairn_care_ladder {
    int64_t id;
    char name[CAIRN_TEMPLATE_TEXT_BYTES];
    int scale;       /* 10 or 100 */
    char status[16]; /* active | retired */
    size_t nsteps;
    struct cairn_care_step steps[CAIRN_TEMPLATE_STEPS_MAX];
};

struct cairn_care_review {
    char week[CAIRN_WEEK_LEN + 1]; /* "2026-W48" */
    char status[16];               /* due | draft | signed | cosigned */
};

#define CAIRN_CARE_REVIEWS_MAX (CAIRN_STAY_MAX_WEEKS + 2) /* weeks touched by the longest stay */

/* Large (about 300 KiB): allocate it, do not put it on the stack. */
struct cairn_care {
    int64_t plan_id; /* 0 when the patient has no plan (never admitted to a program) */
    char plan_status[16];
    int plan_revision;
    size_t nsections;
    enum cairn_plan_section sections[CAIRN_TEMPLATE_SECTIONS_MAX];
    size_t nladders;
    struct cairn_care_ladder ladders[CAIRN_TEMPLATE_LADDERS_MAX];
    size_t nreviews;
    struct cairn_care_review reviews[CAIRN_CARE_REVIEWS_MAX];
};

#define CAIRN_SUMMARY_TREND 8 /* PHQ-9 totals a caseload row shows as a sparkline */

/* What a caseload row shows about a patient's progress. */
struct cairn_care_summary {
    int phq9[CAIRN_SUMMARY_TREND]; /* the latest totals, oldest first */
    size_t nphq9;
    int gad7; /* the latest GAD-7 total; -1 when none */
    bool in_care;
    int week_of_stay;                 /* 1 in the admission week; 0 when not in care */
    struct cairn_attendance_week now; /* this ISO week's attendance (in_care only) */
    char review[12]; /* cairn_review_state(): "overdue", this week's status, or "" */
};

/* Fills *out for patient p (as cairn_patient_list() gives it) on day
 * `today`: the PHQ-9 trend, the last GAD-7, and, for an active or on-hold
 * patient, the week of stay and this ISO week's hours and days against the
 * program's minimum. A few indexed reads; not audited (see
 * cairn_measure_recent()). */
enum cairn_status cairn_care_summary(struct cairn_store *store, const struct cairn_patient *p,
                                     int32_t today, struct cairn_care_summary *out,
                                     struct cairn_error *err);

/* How many of the ladder's steps are mastered. Pure. */
size_t cairn_care_mastered(const struct cairn_care_ladder *ladder);

/* Fills *care with patient `patient_id`'s plan sections, ladders and review
 * schedule, in order. Not audited by itself: call it inside the audited
 * read of the record (cairn_patient_read()). */
enum cairn_status cairn_patient_care(struct cairn_store *store, int64_t patient_id,
                                     struct cairn_care *care, struct cairn_error *err);

#endif

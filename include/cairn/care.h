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

#include <stddef.h>
#include <stdint.h>

#include "cairn/date.h"
#include "cairn/patient.h"
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

/* How many of the ladder's steps are mastered. Pure. */
size_t cairn_care_mastered(const struct cairn_care_ladder *ladder);

/* Fills *care with patient `patient_id`'s plan sections, ladders and review
 * schedule, in order. Not audited by itself: call it inside the audited
 * read of the record (cairn_patient_read()). */
enum cairn_status cairn_patient_care(struct cairn_store *store, int64_t patient_id,
                                     struct cairn_care *care, struct cairn_error *err);

#endif

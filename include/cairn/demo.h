/* cairn — synthetic demo caseloads.
 *
 * Generates fictional staff, programs and patients (made-up names, several
 * with non-ASCII letters) so cairn can be tried and measured without real
 * patient data, and for every admitted patient the tracking a real stay
 * leaves: group and individual sessions with attendance, weekly measures,
 * exposure-ladder attempts, filled-in plans and safety plans, and lapses.
 * The same seed and today give the same database (timestamps excepted).
 */
#ifndef CAIRN_DEMO_H
#define CAIRN_DEMO_H

#include <stdint.h>

#include "cairn/status.h"

struct cairn_store;

struct cairn_demo_options {
    unsigned patients;   /* 1..1000000 */
    unsigned clinicians; /* 0 = one per ~25 patients, at least 3; at most 4096 */
    uint64_t seed;
    int32_t today; /* day number; demo dates lead up to it */
    /* How far back admissions are spread, 0..520 weeks. 0: those in care
     * were admitted within their program's length (8-12 weeks) and those
     * discharged a program's length and up to 120 days more before that.
     * W: those in care within the last min(W, length) weeks, those
     * discharged between the program's length and W weeks ago (at least
     * the length: a stay is over before its discharge). */
    unsigned weeks;
};

struct cairn_demo_stats {
    unsigned staff;        /* staff rows created */
    unsigned programs;     /* programs imported from the bundled templates (0 after init) */
    unsigned patients;     /* patients created */
    unsigned sessions;     /* group and individual sessions logged */
    unsigned attendance;   /* attendance lines on them */
    unsigned measures;     /* PHQ-9, GAD-7, C-SSRS, craving and mood entries */
    unsigned attempts;     /* exposure-ladder attempts */
    unsigned plans;        /* relapse-prevention plans filled in (one revision each) */
    unsigned safety_plans; /* safety plans filled in */
    unsigned lapses;       /* lapse-log entries */
    unsigned reviews;      /* weekly reviews signed (older ones co-signed by demo.sup01) */
};

/* Fills the (empty) database with a demo caseload in one transaction: all
 * of it, or nothing on any error (a crash included). The acting login is
 * added as a supervisor when it is not staff yet, so every command works
 * on the demo. A database that already holds patients is refused with
 * CAIRN_ERR_EXISTS: synthetic and real records never mix. Out-of-range
 * options are CAIRN_ERR_INVALID naming the field ("patients",
 * "clinicians", "weeks").
 *
 * Tracking data runs from each patient's admission to their discharge, the
 * start of their hold, or opts->today, whichever comes first, and never past
 * the store's today (cairn_store_set_today()), which every "not in the
 * future" rule checks against: set both to the same day.
 *
 * Programs (imported from the bundled templates when missing) and staff go
 * through the public API with their usual audit rows. Patients and their
 * tracking are written in bulk (streamed, a patient at a time, so memory
 * stays small at a million patients), after the same pure checks and
 * derivations as real use: scores and flags, step mastery, plan keys,
 * review inputs and the snapshot frozen at signing with its alerts, as
 * real use would have computed them at the time. The audit trail gets one
 * row per patient created (create, patient, fields "demo") and one for
 * the whole demo (create, demo, fields with the counts and rows written),
 * instead of a row per tracking entry. Reviews are started, signed and
 * co-signed by the demo clinicians' logins; everything else is entered by
 * the acting login. */
enum cairn_status cairn_demo_generate(struct cairn_store *store,
                                      const struct cairn_demo_options *opts,
                                      struct cairn_demo_stats *stats, struct cairn_error *err);

#endif

/* Care rules: pure functions over a patient's care (plan, ladders,
 * reviews), and the progress summary a caseload row shows, put together
 * from the measure and attendance stores. */
#include "cairn/care.h"

#include <string.h>

#include "cairn/measure.h"
#include "cairn/review.h"

size_t cairn_care_mastered(const struct cairn_care_ladder *ladder)
{
    size_t n = 0;
    for (size_t i = 0; i < ladder->nsteps; i++)
        n += strcmp(ladder->steps[i].status, "mastered") == 0;
    return n;
}

enum cairn_status cairn_care_summary(struct cairn_store *store, const struct cairn_patient *p,
                                     int32_t today, struct cairn_care_summary *out,
                                     struct cairn_error *err)
{
    int gad7[1];
    size_t ngad7 = 0;
    memset(out, 0, sizeof *out);
    enum cairn_status rc = cairn_measure_recent(store, p->id, CAIRN_INSTRUMENT_PHQ9, out->phq9,
                                                CAIRN_SUMMARY_TREND, &out->nphq9, err);
    if (rc == CAIRN_OK)
        rc = cairn_measure_recent(store, p->id, CAIRN_INSTRUMENT_GAD7, gad7, 1, &ngad7, err);
    if (rc != CAIRN_OK)
        return rc;
    out->gad7 = ngad7 ? gad7[0] : -1;
    if ((rc = cairn_review_state(store, p->id, today, out->review, sizeof out->review, err)) !=
        CAIRN_OK)
        return rc;
    int32_t admitted;
    out->in_care = (p->status == CAIRN_PATIENT_ACTIVE || p->status == CAIRN_PATIENT_ON_HOLD) &&
                   cairn_date_parse(p->admission_date, &admitted, NULL) == CAIRN_OK &&
                   admitted <= today;
    if (!out->in_care)
        return CAIRN_OK;
    out->week_of_stay = (today - admitted) / 7 + 1;
    int year, week;
    cairn_date_isoweek(today, &year, &week);
    return cairn_attendance_week_load(store, p->id, year, week, &out->now, err);
}

/* Alerts: every rule fires at its boundary and not just below it (pure,
 * hand-built facts), status scoping, the names and IDs; then the store:
 * the facts of a scenario patient, acknowledgements that hold while the
 * data is unchanged and reopen on new data, refused acknowledgements, the
 * caseload list's order and filters, and statements that never scan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"

#define MEM(t) cmocka_unit_test_setup_teardown(t, unit_setup_memory, unit_teardown)

static int32_t day(const char *text)
{
    int32_t d = 0;
    if (cairn_date_parse(text, &d, NULL) != CAIRN_OK)
        fail_msg("not a date: %s", text);
    return d;
}

static struct cairn_alert_score score(int64_t id, const char *date, int total)
{
    struct cairn_alert_score m = {.id = id, .day = day(date), .total = total, .item9 = -1};
    return m;
}

/* A week of attendance as the store totals it, from (date, minutes
 * attended, status) lines of 180-minute sessions. */
struct line {
    const char *date;
    int minutes;
    enum cairn_attendance_status status;
};

static struct cairn_attendance_week week_of(int year, int week, const struct line *l, size_t n,
                                            double min_hours, int min_days)
{
    struct cairn_attendance_line lines[16];
    struct cairn_attendance_week w;
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++)
        lines[i] = (struct cairn_attendance_line){.day = day(l[i].date),
                                                  .start_minute = -1,
                                                  .minutes = 180,
                                                  .minutes_attended = l[i].minutes,
                                                  .status = l[i].status};
    cairn_attendance_week_total(lines, n, year, week, min_hours, min_days, unit_today(), &w);
    return w;
}

/* An active patient admitted 2026-10-01, today Monday 2026-11-23, the
 * default thresholds and no data at all: nothing fires. */
static struct cairn_alert_facts facts(void)
{
    struct cairn_alert_facts f;
    memset(&f, 0, sizeof f);
    f.patient_id = 7;
    snprintf(f.mrn, sizeof f.mrn, "A-7");
    f.status = CAIRN_PATIENT_ACTIVE;
    f.today = unit_today();
    f.admission = day("2026-10-01");
    f.thresholds = (struct cairn_alert_thresholds){5, 4, 2, 14, 14};
    f.phq9.item9 = f.phq9_previous.item9 = f.phq9_baseline.item9 = -1;
    f.gad7.item9 = f.gad7_previous.item9 = f.gad7_baseline.item9 = -1;
    f.cssrs.item9 = -1;
    f.this_week = week_of(2026, 48, NULL, 0, 0, 0);
    f.last_week = week_of(2026, 47, NULL, 0, 0, 0);
    return f;
}

/* The alert `rule` gives on f, or NULL when it does not fire. */
static const struct cairn_alert *fired(const struct cairn_alert_facts *f,
                                       enum cairn_alert_rule rule)
{
    static struct cairn_alert out[CAIRN_ALERT__COUNT];
    size_t n = cairn_alerts_evaluate(f, out);
    assert_true(n <= CAIRN_ALERT__COUNT);
    for (size_t i = 0; i < n; i++)
        if (out[i].rule == rule)
            return &out[i];
    return NULL;
}

/* The codes that fire on f, comma-separated in rule order. */
static const char *codes(const struct cairn_alert_facts *f)
{
    static char text[512];
    struct cairn_alert out[CAIRN_ALERT__COUNT];
    size_t n = cairn_alerts_evaluate(f, out);
    text[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(text);
        snprintf(text + len, sizeof text - len, "%s%s", i ? "," : "",
                 cairn_alert_code(out[i].rule));
    }
    return text;
}

/* --- names ------------------------------------------------------------------ */

static void test_names_ids_and_parsers(void **state)
{
    (void)state;
    struct cairn_error err;
    enum cairn_alert_severity sev;
    enum cairn_alert_rule rule;
    assert_string_equal(cairn_alert_severity_str(CAIRN_SEVERITY_URGENT), "urgent");
    assert_string_equal(cairn_alert_severity_str((enum cairn_alert_severity)9), "?");
    assert_int_equal(cairn_alert_severity_parse("warning", &sev, &err), CAIRN_OK);
    assert_int_equal(sev, CAIRN_SEVERITY_WARNING);
    assert_int_equal(cairn_alert_severity_parse("high", &sev, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "severity");
    assert_non_null(strstr(err.message, "urgent, warning or info"));
    assert_int_equal(cairn_alert_rule_parse("ladder_stalled", &rule, &err), CAIRN_OK);
    assert_int_equal(rule, CAIRN_ALERT_LADDER_STALLED);
    assert_int_equal(cairn_alert_rule_parse("phq9", &rule, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "code");
    assert_non_null(strstr(err.message, "phq9_item9, cssrs_high, phq9_worse"));
    assert_non_null(strstr(err.message, "plan_review_due"));
    assert_string_equal(cairn_alert_code(CAIRN_ALERT_LAPSE), "lapse_this_week");
    assert_string_equal(cairn_alert_code(CAIRN_ALERT__COUNT), "");
    assert_int_equal(cairn_alert_rule_severity(CAIRN_ALERT_CSSRS_HIGH), CAIRN_SEVERITY_URGENT);
    assert_int_equal(cairn_alert_rule_severity(CAIRN_ALERT_PLAN_REVIEW), CAIRN_SEVERITY_INFO);
    assert_non_null(strstr(cairn_alert_meaning(CAIRN_ALERT_PHQ9_ITEM9), "C-SSRS"));
    struct cairn_alert a = {.rule = CAIRN_ALERT_PHQ9_WORSE};
    char id[CAIRN_ALERT_ID_MAX];
    snprintf(a.mrn, sizeof a.mrn, "DEMO-000026");
    cairn_alert_id(&a, id);
    assert_string_equal(id, "DEMO-000026:phq9_worse");
}

static void test_no_data_no_alerts(void **state)
{
    (void)state;
    struct cairn_alert_facts f = facts();
    assert_string_equal(codes(&f), "");
}

/* --- one test per rule: at the boundary, and just below --------------------- */

static void test_phq9_item9_positive_raises_urgent_alert(void **state)
{
    (void)state;
    struct cairn_alert_facts f = facts();
    f.phq9 = score(41, "2026-11-20", 14);
    f.phq9.item9 = 0;
    assert_null(fired(&f, CAIRN_ALERT_PHQ9_ITEM9));
    f.phq9.item9 = 1;
    const struct cairn_alert *a = fired(&f, CAIRN_ALERT_PHQ9_ITEM9);
    assert_non_null(a);
    assert_int_equal(a->severity, CAIRN_SEVERITY_URGENT);
    assert_string_equal(a->mrn, "A-7");
    assert_int_equal(a->patient_id, 7);
    assert_string_equal(a->reason, "phq9_item9: PHQ-9 item 9 answered 1 on 2026-11-20; screen "
                                   "with the C-SSRS");
    assert_string_equal(a->key, "m:41");
    /* Only the latest PHQ-9 counts: an earlier positive one does not. */
    f.phq9_previous = score(40, "2026-11-13", 14);
    f.phq9_previous.item9 = 2;
    f.phq9.item9 = 0;
    assert_null(fired(&f, CAIRN_ALERT_PHQ9_ITEM9));
}

static void test_cssrs_high_risk_screen_raises_urgent_alert(void **state)
{
    (void)state;
    struct cairn_alert_facts f = facts();
    f.cssrs = score(52, "2026-11-20", 3); /* moderate: three yes, no high-risk flag */
    assert_null(fired(&f, CAIRN_ALERT_CSSRS_HIGH));
    f.cssrs.flags = 1u << CAIRN_MEASURE_FLAG_CSSRS_HIGH;
    const struct cairn_alert *a = fired(&f, CAIRN_ALERT_CSSRS_HIGH);
    assert_non_null(a);
    assert_int_equal(a->severity, CAIRN_SEVERITY_URGENT);
    assert_string_equal(a->reason, "cssrs_high: C-SSRS screen on 2026-11-20 is high risk");
    assert_string_equal(a->key, "m:52");
}

static void test_phq9_worse_fires_at_the_reliable_change_and_not_below(void **state)
{
    (void)state;
    struct cairn_alert_facts f = facts();
    f.phq9_baseline = f.phq9_previous = score(10, "2026-11-10", 12);
    f.phq9 = score(11, "2026-11-20", 17); /* up 5 = the threshold */
    const struct cairn_alert *a = fired(&f, CAIRN_ALERT_PHQ9_WORSE);
    assert_non_null(a);
    assert_int_equal(a->severity, CAIRN_SEVERITY_WARNING);
    assert_string_equal(a->reason,
                        "phq9_worse: PHQ-9 17, up 5 from 12 on 2026-11-10 (reliable change ≥ 5)");
    assert_string_equal(a->key, "m:11/m:10");
    f.phq9.total = 16; /* up 4 */
    assert_null(fired(&f, CAIRN_ALERT_PHQ9_WORSE));
    /* The program's threshold counts: 6 (the IAPT convention). */
    f.phq9.total = 17;
    f.thresholds.phq9_rise = 6;
    assert_null(fired(&f, CAIRN_ALERT_PHQ9_WORSE));
    f.phq9.total = 18;
    assert_string_equal(fired(&f, CAIRN_ALERT_PHQ9_WORSE)->reason,
                        "phq9_worse: PHQ-9 18, up 6 from 12 on 2026-11-10 (reliable change ≥ 6)");
    /* One score alone has nothing to rise from. */
    f = facts();
    f.phq9 = f.phq9_baseline = score(11, "2026-11-20", 27);
    assert_null(fired(&f, CAIRN_ALERT_PHQ9_WORSE));
}

static void test_phq9_worse_from_the_baseline_when_the_last_step_is_small(void **state)
{
    (void)state;
    struct cairn_alert_facts f = facts();
    f.phq9_baseline = score(3, "2026-10-01", 11);
    f.phq9_previous = score(8, "2026-11-10", 15);
    f.phq9 = score(9, "2026-11-20", 16); /* up 1 from the previous, 5 from the baseline */
    const struct cairn_alert *a = fired(&f, CAIRN_ALERT_PHQ9_WORSE);
    assert_non_null(a);
    assert_string_equal(a->reason, "phq9_worse: PHQ-9 16, up 5 from the baseline 11 on "
                                   "2026-10-01 (reliable change ≥ 5)");
    assert_string_equal(a->key, "m:9/m:3");
    f.phq9_baseline.total = 12; /* up 4 from the baseline */
    assert_null(fired(&f, CAIRN_ALERT_PHQ9_WORSE));
    /* The previous rise wins when both hold. */
    f.phq9_baseline.total = 5;
    f.phq9.total = 20;
    assert_string_equal(fired(&f, CAIRN_ALERT_PHQ9_WORSE)->key, "m:9/m:8");
}

static void test_gad7_worse_fires_at_the_reliable_change_and_not_below(void **state)
{
    (void)state;
    struct cairn_alert_facts f = facts();
    f.gad7_baseline = f.gad7_previous = score(20, "2026-11-10", 8);
    f.gad7 = score(21, "2026-11-20", 12); /* up 4 = the GAD-7 threshold */
    const struct cairn_alert *a = fired(&f, CAIRN_ALERT_GAD7_WORSE);
    assert_non_null(a);
    assert_string_equal(a->reason,
                        "gad7_worse: GAD-7 12, up 4 from 8 on 2026-11-10 (reliable change ≥ 4)");
    assert_string_equal(a->key, "m:21/m:20");
    f.gad7.total = 11;
    assert_null(fired(&f, CAIRN_ALERT_GAD7_WORSE));
    /* From the baseline. */
    f.gad7_baseline = score(15, "2026-10-02", 7);
    assert_string_equal(fired(&f, CAIRN_ALERT_GAD7_WORSE)->reason,
                        "gad7_worse: GAD-7 11, up 4 from the baseline 7 on 2026-10-02 (reliable "
                        "change ≥ 4)");
    f.gad7_baseline.total = 8;
    assert_null(fired(&f, CAIRN_ALERT_GAD7_WORSE));
}

static void test_hours_below_fires_one_minute_under_the_minimum(void **state)
{
    (void)state;
    struct cairn_alert_facts f = facts();
    /* Exactly 9 h on 3 days: met. */
    const struct line met[] = {{"2026-11-16", 180, CAIRN_ATTENDED},
                               {"2026-11-18", 180, CAIRN_ATTENDED},
                               {"2026-11-20", 180, CAIRN_ATTENDED}};
    f.last_week = week_of(2026, 47, met, 3, 9, 3);
    assert_null(fired(&f, CAIRN_ALERT_HOURS_BELOW));
    /* One minute short. */
    const struct line short_one[] = {{"2026-11-16", 180, CAIRN_ATTENDED},
                                     {"2026-11-18", 180, CAIRN_ATTENDED},
                                     {"2026-11-20", 179, CAIRN_LATE}};
    f.last_week = week_of(2026, 47, short_one, 3, 9, 3);
    const struct cairn_alert *a = fired(&f, CAIRN_ALERT_HOURS_BELOW);
    assert_non_null(a);
    assert_string_equal(a->reason, "hours_below: 2026-W47 attended 8.98 h on 3 days; program "
                                   "minimum 9 h on 3 days");
    assert_string_equal(a->key, "w:2026-W47:539:3");
    /* Hours met on two days: the days minimum is not. */
    const struct line two_days[] = {{"2026-11-16", 180, CAIRN_ATTENDED},
                                    {"2026-11-16", 90, CAIRN_LATE},
                                    {"2026-11-18", 180, CAIRN_ATTENDED},
                                    {"2026-11-18", 120, CAIRN_LATE}};
    f.last_week = week_of(2026, 47, two_days, 4, 9, 3);
    a = fired(&f, CAIRN_ALERT_HOURS_BELOW);
    assert_non_null(a);
    assert_string_equal(a->reason, "hours_below: 2026-W47 attended 9.5 h on 2 days; program "
                                   "minimum 9 h on 3 days");
    /* Admitted on the week's Monday it counts; a day later it does not. */
    f.admission = day("2026-11-16");
    assert_non_null(fired(&f, CAIRN_ALERT_HOURS_BELOW));
    f.admission = day("2026-11-17");
    assert_null(fired(&f, CAIRN_ALERT_HOURS_BELOW));
    /* No program minimum: nothing to fall below. */
    f.admission = day("2026-10-01");
    f.last_week = week_of(2026, 47, NULL, 0, 0, 0);
    assert_null(fired(&f, CAIRN_ALERT_HOURS_BELOW));
}

static void test_absences_fire_at_the_program_count_and_not_below(void **state)
{
    (void)state;
    struct cairn_alert_facts f = facts();
    /* Excused and late do not count. */
    const struct line one[] = {{"2026-11-23", 0, CAIRN_ABSENT},
                               {"2026-11-23", 0, CAIRN_EXCUSED},
                               {"2026-11-23", 60, CAIRN_LATE}};
    f.this_week = week_of(2026, 48, one, 3, 9, 3);
    assert_null(fired(&f, CAIRN_ALERT_ABSENCES));
    const struct line two[] = {{"2026-11-23", 0, CAIRN_ABSENT}, {"2026-11-23", 0, CAIRN_ABSENT}};
    f.this_week = week_of(2026, 48, two, 2, 9, 3);
    const struct cairn_alert *a = fired(&f, CAIRN_ALERT_ABSENCES);
    assert_non_null(a);
    assert_string_equal(a->reason, "absences: 2 absences in 2026-W48 (alert at 2 a week)");
    assert_string_equal(a->key, "w:2026-W48:2");
    /* Else last week's. */
    f.this_week = week_of(2026, 48, one, 3, 9, 3);
    const struct line last[] = {{"2026-11-17", 0, CAIRN_ABSENT},
                                {"2026-11-19", 0, CAIRN_ABSENT},
                                {"2026-11-20", 0, CAIRN_ABSENT}};
    f.last_week = week_of(2026, 47, last, 3, 9, 3);
    a = fired(&f, CAIRN_ALERT_ABSENCES);
    assert_non_null(a);
    assert_string_equal(a->reason, "absences: 3 absences in 2026-W47 (alert at 2 a week)");
    assert_string_equal(a->key, "w:2026-W47:3");
    f.thresholds.absences_per_week = 4;
    assert_null(fired(&f, CAIRN_ALERT_ABSENCES));
}

static void test_ladder_stalled_fires_on_the_stall_day_and_not_before(void **state)
{
    (void)state;
    struct cairn_alert_facts f = facts();
    f.stalled_ladder_id = 5;
    snprintf(f.stalled_ladder, sizeof f.stalled_ladder, "Social reintegration");
    f.stalled_since = f.today - 13;
    assert_null(fired(&f, CAIRN_ALERT_LADDER_STALLED));
    f.stalled_since = f.today - 14;
    const struct cairn_alert *a = fired(&f, CAIRN_ALERT_LADDER_STALLED);
    assert_non_null(a);
    assert_string_equal(a->reason, "ladder_stalled: no attempt on \"Social reintegration\" for "
                                   "14 days, since 2026-11-09 (alert after 14)");
    assert_string_equal(a->key, "l:5:2026-11-09");
    f.thresholds.ladder_stall_days = 15;
    assert_null(fired(&f, CAIRN_ALERT_LADDER_STALLED));
}

static void test_review_overdue_once_the_following_week_is_over(void **state)
{
    (void)state;
    struct cairn_alert_facts f = facts();
    f.overdue_review_id = 31;
    snprintf(f.overdue_week, sizeof f.overdue_week, "2026-W46"); /* Sunday 2026-11-15 */
    f.overdue_reviews = 1;
    f.today = day("2026-11-22"); /* the end of the following week: still in time */
    assert_null(fired(&f, CAIRN_ALERT_REVIEW_OVERDUE));
    f.today = day("2026-11-23");
    const struct cairn_alert *a = fired(&f, CAIRN_ALERT_REVIEW_OVERDUE);
    assert_non_null(a);
    assert_string_equal(a->reason, "review_overdue: review of 2026-W46 not signed by 2026-11-22");
    assert_string_equal(a->key, "r:31:1");
    f.overdue_reviews = 3;
    a = fired(&f, CAIRN_ALERT_REVIEW_OVERDUE);
    assert_string_equal(a->reason,
                        "review_overdue: review of 2026-W46 not signed by 2026-11-22 (and 2 more)");
    assert_string_equal(a->key, "r:31:3");
    /* A week before the admission week is not owed. */
    f.admission = day("2026-11-16");
    assert_null(fired(&f, CAIRN_ALERT_REVIEW_OVERDUE));
    f.admission = day("2026-11-15");
    assert_non_null(fired(&f, CAIRN_ALERT_REVIEW_OVERDUE));
}

static void test_lapse_this_week_from_monday_and_not_the_sunday_before(void **state)
{
    (void)state;
    struct cairn_alert_facts f = facts();
    f.lapses_this_week = 1;
    f.last_lapse_id = 12;
    f.last_lapse_day = day("2026-11-22"); /* Sunday: last week */
    assert_null(fired(&f, CAIRN_ALERT_LAPSE));
    f.last_lapse_day = day("2026-11-23");
    const struct cairn_alert *a = fired(&f, CAIRN_ALERT_LAPSE);
    assert_non_null(a);
    assert_string_equal(a->reason,
                        "lapse_this_week: 1 lapse logged in 2026-W48, the latest on 2026-11-23");
    assert_string_equal(a->key, "x:12:1");
    f.relapses_this_week = 1;
    assert_string_equal(fired(&f, CAIRN_ALERT_LAPSE)->reason,
                        "lapse_this_week: 1 lapse and 1 relapse logged in 2026-W48, the latest "
                        "on 2026-11-23");
    assert_string_equal(fired(&f, CAIRN_ALERT_LAPSE)->key, "x:12:2");
    f.lapses_this_week = 0;
    f.relapses_this_week = 2;
    assert_string_equal(fired(&f, CAIRN_ALERT_LAPSE)->reason,
                        "lapse_this_week: 2 relapses logged in 2026-W48, the latest on 2026-11-23");
}

static void test_discharge_planning_from_the_planning_days_without_aftercare(void **state)
{
    (void)state;
    struct cairn_alert_facts f = facts();
    f.expected_discharge = f.today + 15;
    assert_null(fired(&f, CAIRN_ALERT_DISCHARGE_PLANNING));
    f.expected_discharge = f.today + 14;
    const struct cairn_alert *a = fired(&f, CAIRN_ALERT_DISCHARGE_PLANNING);
    assert_non_null(a);
    assert_string_equal(a->reason, "discharge_planning: expected discharge 2026-12-07 in 14 "
                                   "days and the plan has no aftercare (alert from 14 days)");
    assert_string_equal(a->key, "d:2026-12-07");
    /* With an aftercare item it is planned. */
    f.has_aftercare = true;
    f.aftercare_filled = true;
    assert_null(fired(&f, CAIRN_ALERT_DISCHARGE_PLANNING));
    /* Past the date and still none: it keeps firing. */
    f.aftercare_filled = false;
    f.expected_discharge = f.today - 3;
    assert_string_equal(fired(&f, CAIRN_ALERT_DISCHARGE_PLANNING)->reason,
                        "discharge_planning: expected discharge 2026-11-20 3 days ago and the "
                        "plan has no aftercare (alert from 14 days)");
    f.expected_discharge = f.today;
    assert_non_null(strstr(fired(&f, CAIRN_ALERT_DISCHARGE_PLANNING)->reason, " today "));
}

static void test_plan_review_due_the_day_after_the_date(void **state)
{
    (void)state;
    struct cairn_alert_facts f = facts();
    f.plan_id = 3;
    f.plan_next_review = f.today;
    assert_null(fired(&f, CAIRN_ALERT_PLAN_REVIEW));
    f.plan_next_review = f.today - 1;
    const struct cairn_alert *a = fired(&f, CAIRN_ALERT_PLAN_REVIEW);
    assert_non_null(a);
    assert_int_equal(a->severity, CAIRN_SEVERITY_INFO);
    assert_string_equal(a->reason, "plan_review_due: the plan's next review was due 2026-11-22");
    assert_string_equal(a->key, "p:2026-11-22");
}

/* --- status scoping ---------------------------------------------------------- */

/* Facts on which every rule fires. */
static struct cairn_alert_facts everything(void)
{
    struct cairn_alert_facts f = facts();
    f.phq9_baseline = score(1, "2026-10-01", 5);
    f.phq9_previous = score(2, "2026-11-10", 10);
    f.phq9 = score(3, "2026-11-20", 16);
    f.phq9.item9 = 2;
    f.cssrs = score(4, "2026-11-20", 5);
    f.cssrs.flags = 1u << CAIRN_MEASURE_FLAG_CSSRS_HIGH;
    f.gad7_baseline = f.gad7_previous = score(5, "2026-11-10", 5);
    f.gad7 = score(6, "2026-11-20", 10);
    const struct line absent[] = {{"2026-11-17", 0, CAIRN_ABSENT}, {"2026-11-18", 0, CAIRN_ABSENT}};
    f.last_week = week_of(2026, 47, absent, 2, 9, 3);
    f.stalled_ladder_id = 8;
    snprintf(f.stalled_ladder, sizeof f.stalled_ladder, "Crowds");
    f.stalled_since = day("2026-10-01");
    f.overdue_review_id = 9;
    snprintf(f.overdue_week, sizeof f.overdue_week, "2026-W41");
    f.overdue_reviews = 2;
    f.lapses_this_week = 1;
    f.last_lapse_id = 10;
    f.last_lapse_day = f.today;
    f.expected_discharge = f.today + 3;
    f.plan_id = 11;
    f.plan_next_review = day("2026-11-01");
    return f;
}

static void test_every_rule_fires_once_in_rule_order_for_an_active_patient(void **state)
{
    (void)state;
    struct cairn_alert_facts f = everything();
    assert_string_equal(codes(&f), "phq9_item9,cssrs_high,phq9_worse,gad7_worse,hours_below,"
                                   "absences,ladder_stalled,review_overdue,lapse_this_week,"
                                   "discharge_planning,plan_review_due");
    /* Every reason starts with its code and a colon. */
    struct cairn_alert out[CAIRN_ALERT__COUNT];
    size_t n = cairn_alerts_evaluate(&f, out);
    for (size_t i = 0; i < n; i++) {
        const char *code = cairn_alert_code(out[i].rule);
        assert_int_equal(strncmp(out[i].reason, code, strlen(code)), 0);
        assert_int_equal(out[i].reason[strlen(code)], ':');
        assert_true(out[i].key[0] != '\0');
    }
}

static void test_on_hold_gets_only_urgent_and_others_none(void **state)
{
    (void)state;
    struct cairn_alert_facts f = everything();
    f.status = CAIRN_PATIENT_ON_HOLD;
    assert_string_equal(codes(&f), "phq9_item9,cssrs_high");
    f.status = CAIRN_PATIENT_DISCHARGED;
    assert_string_equal(codes(&f), "");
    f.status = CAIRN_PATIENT_REFERRED;
    assert_string_equal(codes(&f), "");
    f.status = CAIRN_PATIENT_ALUMNI;
    assert_string_equal(codes(&f), "");
}

/* --- the store --------------------------------------------------------------- */

static const char program_yaml[] =
    "template: alert-iop\n"
    "name: Alert IOP\n"
    "level_of_care: asam-2.1\n"
    "population: adult\n"
    "schedule: {sessions_per_week: 5, hours_per_session: 3, min_hours_per_week: 9, "
    "min_days_per_week: 3, length_weeks: 8}\n"
    "measures: [{instrument: phq9, every: week}]\n"
    "plan_sections: [coping, aftercare]\n"
    "review_checklist: [Attendance discussed]\n"
    "ladders:\n"
    "  - name: Social reintegration\n"
    "    steps:\n"
    "      - {text: Camera on in group, suds: 20}\n"
    "      - {text: Phone a friend, suds: 35}\n"
    "alerts: {phq9_rise: 5, gad7_rise: 4, absences_per_week: 2, ladder_stall_days: 14, "
    "discharge_planning_days: 14}\n";

/* Adds a PHQ-9 with `total` spread over items 1-8 and item 9 as given. */
static int64_t add_phq9(struct cairn_store *s, int64_t patient, const char *date, int total,
                        int item9)
{
    struct cairn_measure m = {.patient_id = patient, .instrument = CAIRN_INSTRUMENT_PHQ9};
    struct cairn_error err;
    int left = total - item9;
    for (int i = 0; i < 8; i++) {
        m.answers[i] = left > 3 ? 3 : left;
        left -= m.answers[i];
    }
    m.answers[8] = item9;
    m.nanswers = 9;
    snprintf(m.date, sizeof m.date, "%s", date);
    if (cairn_measure_add(s, &m, &err) != CAIRN_OK)
        fail_msg("adding a PHQ-9: %s", err.message);
    return m.id;
}

/* Logs one 180-minute session on `date` for patient `mrn`. */
static void log_session(struct cairn_store *s, const char *mrn, const char *date, const char *title,
                        enum cairn_attendance_status status)
{
    struct cairn_session ses = {.type = CAIRN_SESSION_GROUP, .minutes = 180, .telehealth = true};
    struct cairn_roster_entry e = {.status = status, .minutes_attended = -1};
    struct cairn_error err;
    snprintf(ses.date, sizeof ses.date, "%s", date);
    snprintf(ses.title, sizeof ses.title, "%s", title);
    snprintf(e.mrn, sizeof e.mrn, "%s", mrn);
    if (cairn_session_log(s, &ses, &e, 1, &err) != CAIRN_OK)
        fail_msg("logging a session: %s", err.message);
}

/* The patient, admitted 2026-11-08 (a Sunday): PHQ-9 12 -> 18,
 * two sessions missed last week (and 9 hours on 3 days attended), no
 * ladder attempt since admission (15 days). */
static int64_t scenario(struct cairn_store *s, const char *mrn, struct cairn_patient *p)
{
    int64_t id = unit_admit(s, program_yaml, mrn, "2026-11-08", p);
    add_phq9(s, id, "2026-11-09", 12, 0);
    add_phq9(s, id, "2026-11-20", 18, 0);
    log_session(s, mrn, "2026-11-16", "Group A", CAIRN_ATTENDED);
    log_session(s, mrn, "2026-11-17", "Group B", CAIRN_ABSENT);
    log_session(s, mrn, "2026-11-18", "Group A", CAIRN_ATTENDED);
    log_session(s, mrn, "2026-11-19", "Group B", CAIRN_ABSENT);
    log_session(s, mrn, "2026-11-20", "Group A", CAIRN_ATTENDED);
    return id;
}

static void find(struct cairn_store *s, const char *mrn, struct cairn_patient *p)
{
    struct cairn_error err;
    if (cairn_patient_find(s, mrn, p, &err) != CAIRN_OK)
        fail_msg("finding %s: %s", mrn, err.message);
}

/* The codes of patient mrn's alerts, "!" after an acknowledged one. */
static const char *patient_codes(struct cairn_store *s, const char *mrn)
{
    static char text[512];
    struct cairn_alert out[CAIRN_ALERT__COUNT];
    struct cairn_patient p;
    struct cairn_error err;
    size_t n;
    find(s, mrn, &p);
    if (cairn_alerts_for_patient(s, &p, out, &n, &err) != CAIRN_OK)
        fail_msg("alerts of %s: %s", mrn, err.message);
    text[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(text);
        snprintf(text + len, sizeof text - len, "%s%s%s", i ? "," : "",
                 cairn_alert_code(out[i].rule), out[i].acknowledged ? "!" : "");
    }
    return text;
}

static void test_facts_of_a_scenario_patient(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_alert_facts f;
    struct cairn_error err;
    int64_t id = scenario(s, "S-1", &p);
    find(s, "S-1", &p);
    assert_int_equal(cairn_alert_facts_load(s, &p, &f, &err), CAIRN_OK);
    assert_int_equal(f.patient_id, id);
    assert_string_equal(f.mrn, "S-1");
    assert_int_equal(f.status, CAIRN_PATIENT_ACTIVE);
    assert_int_equal(f.today, unit_today());
    assert_int_equal(f.admission, day("2026-11-08"));
    assert_int_equal(f.expected_discharge, day("2027-01-03"));
    assert_int_equal(f.thresholds.phq9_rise, 5);
    assert_int_equal(f.thresholds.ladder_stall_days, 14);
    assert_int_equal(f.phq9.total, 18);
    assert_int_equal(f.phq9.day, day("2026-11-20"));
    assert_int_equal(f.phq9.item9, 0);
    assert_int_equal(f.phq9_previous.total, 12);
    assert_int_equal(f.phq9_baseline.id, f.phq9_previous.id);
    assert_int_equal(f.gad7.id, 0);
    assert_int_equal(f.cssrs.id, 0);
    assert_int_equal(f.last_week.week, 47);
    assert_int_equal(f.last_week.absent, 2);
    assert_int_equal(f.last_week.minutes_attended, 540);
    assert_int_equal(f.last_week.days_attended, 3);
    assert_true(f.last_week.meets_hours && f.last_week.meets_days);
    assert_int_equal(f.this_week.week, 48);
    assert_int_equal(f.this_week.sessions, 0);
    assert_true(f.stalled_ladder_id > 0);
    assert_string_equal(f.stalled_ladder, "Social reintegration");
    assert_int_equal(f.stalled_since, day("2026-11-08"));
    /* W45 (admission) and W46 are over by more than a week; W47 is not. */
    assert_string_equal(f.overdue_week, "2026-W45");
    assert_int_equal(f.overdue_reviews, 2);
    assert_true(f.plan_id > 0);
    assert_true(f.has_aftercare);
    assert_false(f.aftercare_filled);
    assert_int_equal(f.plan_next_review, 0);
    assert_int_equal(f.lapses_this_week + f.relapses_this_week, 0);
    /* Exactly these fire: the review schedule of a patient admitted 15
     * days ago has two weeks unsigned by now. */
    assert_string_equal(codes(&f), "phq9_worse,absences,ladder_stalled,review_overdue");
    struct cairn_alert out[CAIRN_ALERT__COUNT];
    size_t n;
    assert_int_equal(cairn_alerts_for_patient(s, &p, out, &n, &err), CAIRN_OK);
    assert_int_equal(n, 4);
    assert_string_equal(out[0].name, "Test Patient");
    assert_string_equal(out[0].reason,
                        "phq9_worse: PHQ-9 18, up 6 from 12 on 2026-11-09 (reliable change ≥ 5)");
    assert_string_equal(out[1].reason, "absences: 2 absences in 2026-W47 (alert at 2 a week)");
    assert_string_equal(out[2].reason, "ladder_stalled: no attempt on \"Social reintegration\" "
                                       "for 15 days, since 2026-11-08 (alert after 14)");
    assert_string_equal(out[3].reason,
                        "review_overdue: review of 2026-W45 not signed by 2026-11-15 (and 1 more)");
}

static void test_facts_follow_attempts_aftercare_lapses_and_program_thresholds(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_alert_facts f;
    struct cairn_error err;
    int64_t id = scenario(s, "S-2", &p);
    /* An attempt 10 days ago restarts the stall clock. */
    struct cairn_ladder *l = malloc(sizeof *l);
    assert_non_null(l);
    assert_int_equal(cairn_ladder_load(s, id, "1", l, &err), CAIRN_OK);
    struct cairn_ladder_attempt a = {.suds_before = 30,
                                     .suds_peak = 40,
                                     .suds_after = 20,
                                     .expectancy_before = -1,
                                     .expectancy_after = -1};
    snprintf(a.date, sizeof a.date, "2026-11-13");
    assert_int_equal(cairn_ladder_attempt_add(s, l->id, 1, &a, NULL, &err), CAIRN_OK);
    free(l);
    /* An aftercare item fills the section; a lapse today is this week. */
    struct cairn_plan *plan = cairn_plan_new(CAIRN_PLAN_RELAPSE);
    bool unchanged;
    assert_int_equal(cairn_plan_read(s, CAIRN_PLAN_RELAPSE, id, 0, plan, &err), CAIRN_OK);
    assert_int_equal(cairn_plan_add_item(plan, "aftercare", "Weekly alumni group", &err), CAIRN_OK);
    snprintf(plan->next_review_date, sizeof plan->next_review_date, "2026-11-20");
    assert_int_equal(cairn_plan_save(s, plan, NULL, &unchanged, &err), CAIRN_OK);
    cairn_plan_free(&plan);
    struct cairn_lapse lapse = {.patient_id = id};
    snprintf(lapse.date, sizeof lapse.date, "2026-11-23");
    snprintf(lapse.kind, sizeof lapse.kind, "relapse");
    assert_int_equal(cairn_lapse_add(s, &lapse, &err), CAIRN_OK);
    find(s, "S-2", &p);
    assert_int_equal(cairn_alert_facts_load(s, &p, &f, &err), CAIRN_OK);
    assert_int_equal(f.stalled_since, day("2026-11-13"));
    assert_true(f.aftercare_filled);
    assert_int_equal(f.plan_next_review, day("2026-11-20"));
    assert_int_equal(f.relapses_this_week, 1);
    assert_int_equal(f.last_lapse_id, lapse.id);
    assert_string_equal(codes(&f),
                        "phq9_worse,absences,review_overdue,lapse_this_week,plan_review_due");
    /* The program's thresholds, straight from its row. */
    sqlite3_exec(store_db(s), "UPDATE program SET alert_phq9_rise = 7", NULL, NULL, NULL);
    assert_int_equal(cairn_alert_facts_load(s, &p, &f, &err), CAIRN_OK);
    assert_int_equal(f.thresholds.phq9_rise, 7);
    assert_null(fired(&f, CAIRN_ALERT_PHQ9_WORSE));
}

static void test_ack_holds_while_the_data_is_unchanged_and_reopens_on_new_data(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    struct cairn_alert a;
    struct cairn_patient p;
    unit_add_staff(s, UNIT_LOGIN, CAIRN_ROLE_THERAPIST);
    int64_t id = scenario(s, "S-3", &p);
    int64_t audits = unit_audit_count(s);
    assert_int_equal(
        cairn_alert_ack(s, "S-3:phq9_worse", "Discussed in session; plan updated", &a, &err),
        CAIRN_OK);
    assert_true(a.acknowledged);
    assert_string_equal(a.acked_by, UNIT_LOGIN);
    assert_string_equal(a.ack_note, "Discussed in session; plan updated");
    assert_int_equal(unit_audit_count(s), audits + 1);
    char text[256];
    unit_query_text(s,
                    "SELECT action || ' ' || entity || ' ' || entity_id || ' ' || patient_id || "
                    "' ' || fields || ' ' || outcome FROM audit ORDER BY id DESC LIMIT 1",
                    text, sizeof text);
    char want[256];
    snprintf(want, sizeof want, "create alert_ack %lld %lld note ok",
             (long long)unit_query_int(s, "SELECT max(id) FROM alert_ack"), (long long)id);
    assert_string_equal(text, want);
    assert_string_equal(patient_codes(s, "S-3"),
                        "phq9_worse!,absences,ladder_stalled,review_overdue");
    /* Other data and another day leave it acknowledged. */
    log_session(s, "S-3", "2026-11-23", "Group A", CAIRN_ATTENDED);
    cairn_store_set_today(s, day("2026-11-24"));
    assert_string_equal(patient_codes(s, "S-3"),
                        "phq9_worse!,absences,ladder_stalled,review_overdue");
    /* Acknowledging it again for the same data is refused. */
    assert_int_equal(cairn_alert_ack(s, "S-3:phq9_worse", "again", &a, &err), CAIRN_ERR_EXISTS);
    assert_non_null(strstr(err.message, "already acknowledged"));
    /* A new PHQ-9 (19: up 7 from the baseline) is new data: open again. */
    add_phq9(s, id, "2026-11-24", 19, 0);
    assert_string_equal(patient_codes(s, "S-3"),
                        "phq9_worse,absences,ladder_stalled,review_overdue");
    assert_int_equal(cairn_alert_ack(s, "S-3:phq9_worse", "Seen again", &a, &err), CAIRN_OK);
    assert_non_null(strstr(a.key, "/m:"));
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM alert_ack"), 2);
}

static void test_ack_of_an_alert_not_firing_and_bad_input_are_refused(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    struct cairn_alert a;
    struct cairn_patient p;
    unit_add_staff(s, UNIT_LOGIN, CAIRN_ROLE_CASE_MANAGER);
    scenario(s, "S-4", &p);
    int64_t audits = unit_audit_count(s);
    assert_int_equal(cairn_alert_ack(s, "S-4:gad7_worse", "note", &a, &err), CAIRN_ERR_NOT_FOUND);
    assert_string_equal(err.message, "alert S-4:gad7_worse is not open");
    assert_int_equal(cairn_alert_ack(s, "NOPE:phq9_worse", "note", &a, &err), CAIRN_ERR_NOT_FOUND);
    assert_string_equal(err.message, "no patient with MRN NOPE");
    assert_int_equal(cairn_alert_ack(s, "S-4", "note", &a, &err), CAIRN_ERR_INVALID);
    assert_non_null(strstr(err.message, "is not an alert ID: write MRN:code"));
    assert_int_equal(cairn_alert_ack(s, ":phq9_worse", "note", &a, &err), CAIRN_ERR_INVALID);
    assert_int_equal(cairn_alert_ack(s, "S-4:", "note", &a, &err), CAIRN_ERR_INVALID);
    assert_int_equal(cairn_alert_ack(s, "S-4:worse", "note", &a, &err), CAIRN_ERR_INVALID);
    assert_non_null(strstr(err.message, "phq9_item9, cssrs_high"));
    assert_int_equal(cairn_alert_ack(s, "S-4:phq9_worse", "", &a, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "note");
    assert_int_equal(cairn_alert_ack(s, "S-4:phq9_worse", "two\nlines", &a, &err),
                     CAIRN_ERR_INVALID);
    char note[CAIRN_ALERT_NOTE_MAX + 2];
    memset(note, 'x', sizeof note - 1);
    note[sizeof note - 1] = '\0';
    assert_int_equal(cairn_alert_ack(s, "S-4:phq9_worse", note, &a, &err), CAIRN_ERR_INVALID);
    note[CAIRN_ALERT_NOTE_MAX] = '\0'; /* 500 characters: accepted */
    assert_int_equal(cairn_alert_ack(s, "S-4:phq9_worse", note, &a, &err), CAIRN_OK);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM alert_ack"), 1);
    assert_int_equal(unit_audit_count(s), audits + 1);
}

static void test_ack_by_someone_not_staff_is_denied(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    struct cairn_alert a;
    struct cairn_patient p;
    scenario(s, "S-5", &p);
    assert_int_equal(cairn_alert_ack(s, "S-5:phq9_worse", "note", &a, &err), CAIRN_ERR_DENIED);
    assert_string_equal(err.message, "acting user 'tester' is not staff; ask an administrator to "
                                     "run cairn staff add");
    /* An inactive staff member is refused too. */
    unit_add_staff(s, UNIT_LOGIN, CAIRN_ROLE_THERAPIST);
    sqlite3_exec(store_db(s), "UPDATE staff SET active = 0", NULL, NULL, NULL);
    assert_int_equal(cairn_alert_ack(s, "S-5:phq9_worse", "note", &a, &err), CAIRN_ERR_DENIED);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM alert_ack"), 0);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE entity = 'alert_ack' "
                                       "AND outcome = 'denied'"),
                     2);
}

struct seen {
    size_t n;
    char rows[16][320];
};

static int remember(const struct cairn_alert *a, void *ctx)
{
    struct seen *seen = ctx;
    char id[CAIRN_ALERT_ID_MAX];
    cairn_alert_id(a, id);
    if (seen->n < 16)
        snprintf(seen->rows[seen->n], sizeof seen->rows[0], "%s %s %s%s",
                 cairn_alert_severity_str(a->severity), id, a->name, a->acknowledged ? " !" : "");
    seen->n++;
    return 0;
}

static struct seen list(struct cairn_store *s, const char *clinician,
                        enum cairn_alert_severity severity, bool all)
{
    struct cairn_alert_filter f = {.clinician = clinician, .severity = severity, .all = all};
    struct seen seen = {0};
    struct cairn_error err;
    if (cairn_alerts_list(s, &f, remember, &seen, &err) != CAIRN_OK)
        fail_msg("listing alerts: %s", err.message);
    return seen;
}

static void test_list_is_urgent_first_then_by_name_and_filters(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    struct cairn_patient p;
    struct cairn_alert a;
    int64_t t1 = unit_add_staff(s, "t1", CAIRN_ROLE_THERAPIST);
    int64_t t2 = unit_add_staff(s, "t2", CAIRN_ROLE_CASE_MANAGER);
    unit_add_staff(s, UNIT_LOGIN, CAIRN_ROLE_SUPERVISOR);
    /* Admitted on a Tuesday: last week is not judged, no review is due yet.
     * Ann: PHQ-9 worse (warning), therapist t1. */
    int64_t ann = unit_admit(s, program_yaml, "L-1", "2026-11-17", &p);
    add_phq9(s, ann, "2026-11-17", 10, 0);
    add_phq9(s, ann, "2026-11-20", 15, 0);
    p.therapist_id = t1;
    assert_int_equal(cairn_patient_update(s, &p, CAIRN_PF_BIT(THERAPIST), &err), CAIRN_OK);
    /* Zoe: item 9 (urgent) and worse (warning), case manager t1. */
    int64_t zoe = unit_admit(s, program_yaml, "L-2", "2026-11-17", &p);
    snprintf(p.legal_name, sizeof p.legal_name, "Zoe Zed");
    p.case_manager_id = t1;
    assert_int_equal(
        cairn_patient_update(s, &p, CAIRN_PF_BIT(LEGAL_NAME) | CAIRN_PF_BIT(CASE_MANAGER), &err),
        CAIRN_OK);
    add_phq9(s, zoe, "2026-11-17", 10, 0);
    add_phq9(s, zoe, "2026-11-20", 16, 1);
    /* Bea: the plan's review date passed (info); t1 only her peer mentor. */
    int64_t bea = unit_admit(s, program_yaml, "L-3", "2026-11-17", &p);
    snprintf(p.legal_name, sizeof p.legal_name, "Bea Bell");
    p.therapist_id = t2;
    p.peer_mentor_id = t1;
    assert_int_equal(cairn_patient_update(s, &p,
                                          CAIRN_PF_BIT(LEGAL_NAME) | CAIRN_PF_BIT(THERAPIST) |
                                              CAIRN_PF_BIT(PEER_MENTOR),
                                          &err),
                     CAIRN_OK);
    struct cairn_plan *plan = cairn_plan_new(CAIRN_PLAN_RELAPSE);
    bool unchanged;
    assert_int_equal(cairn_plan_read(s, CAIRN_PLAN_RELAPSE, bea, 0, plan, &err), CAIRN_OK);
    snprintf(plan->next_review_date, sizeof plan->next_review_date, "2026-11-21");
    assert_int_equal(cairn_plan_save(s, plan, NULL, &unchanged, &err), CAIRN_OK);
    cairn_plan_free(&plan);
    /* Unit_admit names everyone "Test Patient": Ann's name stays so. */
    struct seen seen = list(s, NULL, CAIRN_SEVERITY_INFO, false);
    assert_int_equal(seen.n, 4);
    assert_string_equal(seen.rows[0], "urgent L-2:phq9_item9 Zoe Zed");
    assert_string_equal(seen.rows[1], "warning L-1:phq9_worse Test Patient");
    assert_string_equal(seen.rows[2], "warning L-2:phq9_worse Zoe Zed");
    assert_string_equal(seen.rows[3], "info L-3:plan_review_due Bea Bell");
    /* Severity: that and above; urgent always. */
    seen = list(s, NULL, CAIRN_SEVERITY_WARNING, false);
    assert_int_equal(seen.n, 3);
    seen = list(s, NULL, CAIRN_SEVERITY_URGENT, false);
    assert_int_equal(seen.n, 1);
    assert_string_equal(seen.rows[0], "urgent L-2:phq9_item9 Zoe Zed");
    /* Clinician: therapist or case manager, not peer mentor. */
    seen = list(s, "t1", CAIRN_SEVERITY_INFO, false);
    assert_int_equal(seen.n, 3);
    assert_string_equal(seen.rows[0], "urgent L-2:phq9_item9 Zoe Zed");
    assert_string_equal(seen.rows[2], "warning L-2:phq9_worse Zoe Zed");
    seen = list(s, "t2", CAIRN_SEVERITY_INFO, false);
    assert_int_equal(seen.n, 1);
    assert_string_equal(seen.rows[0], "info L-3:plan_review_due Bea Bell");
    struct cairn_alert_filter f = {.clinician = "nobody", .severity = CAIRN_SEVERITY_INFO};
    assert_int_equal(cairn_alerts_list(s, &f, remember, &seen, &err), CAIRN_ERR_NOT_FOUND);
    /* Acknowledged alerts only with `all`, marked. */
    assert_int_equal(cairn_alert_ack(s, "L-2:phq9_item9", "C-SSRS done: low", &a, &err), CAIRN_OK);
    seen = list(s, NULL, CAIRN_SEVERITY_INFO, false);
    assert_int_equal(seen.n, 3);
    assert_string_equal(seen.rows[0], "warning L-1:phq9_worse Test Patient");
    seen = list(s, NULL, CAIRN_SEVERITY_INFO, true);
    assert_int_equal(seen.n, 4);
    assert_string_equal(seen.rows[0], "urgent L-2:phq9_item9 Zoe Zed !");
    /* On hold: only the urgent ones; discharged: none. */
    find(s, "L-2", &p);
    assert_int_equal(cairn_patient_change_status(s, &p, CAIRN_PATIENT_ON_HOLD, &err), CAIRN_OK);
    seen = list(s, NULL, CAIRN_SEVERITY_INFO, true);
    assert_int_equal(seen.n, 3);
    assert_string_equal(seen.rows[0], "urgent L-2:phq9_item9 Zoe Zed !");
    assert_string_equal(seen.rows[1], "warning L-1:phq9_worse Test Patient");
    find(s, "L-1", &p);
    snprintf(p.discharge_date, sizeof p.discharge_date, "2026-11-23");
    snprintf(p.discharge_reason, sizeof p.discharge_reason, "completed");
    assert_int_equal(cairn_patient_change_status(s, &p, CAIRN_PATIENT_DISCHARGED, &err), CAIRN_OK);
    seen = list(s, NULL, CAIRN_SEVERITY_INFO, true);
    assert_int_equal(seen.n, 2);
    assert_string_equal(seen.rows[1], "info L-3:plan_review_due Bea Bell");
}

static int stop_at_first(const struct cairn_alert *a, void *ctx)
{
    (void)a;
    (*(int *)ctx)++;
    return 1;
}

static int count_alerts(const struct cairn_alert *a, void *ctx)
{
    (void)a;
    (*(int *)ctx)++;
    return 0;
}

static void test_alert_statements_never_scan_a_table(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    struct cairn_demo_options opts = {.patients = 200, .seed = 5, .today = unit_today()};
    struct cairn_demo_stats stats;
    if (cairn_demo_generate(s, &opts, &stats, &err) != CAIRN_OK)
        fail_msg("demo: %s", err.message);
    unit_fullscan_reset(s);
    struct seen seen = list(s, NULL, CAIRN_SEVERITY_INFO, true);
    assert_true(seen.n > 0);
    /* fn stops the list. */
    int calls = 0;
    struct cairn_alert_filter f = {.severity = CAIRN_SEVERITY_INFO};
    assert_int_equal(cairn_alerts_list(s, &f, stop_at_first, &calls, &err), CAIRN_OK);
    assert_int_equal(calls, 1);
    /* The whole caseload is one walk of the patients in storage order,
     * each with its summary, bounded by id (a range search, so that threads
     * can split it); nothing scans a whole table. */
    assert_int_equal(unit_fullscan_statements(s), 0);
    /* One clinician's patients are found by index. */
    struct cairn_staff who;
    assert_int_equal(cairn_staff_find(s, "demo.th01", &who, &err), CAIRN_OK);
    unit_fullscan_reset(s);
    f.clinician = who.login;
    calls = 0;
    assert_int_equal(cairn_alerts_list(s, &f, count_alerts, &calls, &err), CAIRN_OK);
    assert_true(calls > 0);
    assert_int_equal(unit_fullscan_statements(s), 0);
    /* (The urgent alerts walk the partial index measure_flagged, which
     * holds only the measures that raised a flag.) */
    /* The list leaves no transaction open. */
    assert_int_equal(s->tx_depth, 0);
    assert_true(sqlite3_get_autocommit(store_db(s)));
}

/* Every alert of a list as text, one line each, in order. */
struct listing {
    char *text;
    size_t len, cap;
    size_t n;
};

static int append_alert(const struct cairn_alert *a, void *ctx)
{
    struct listing *l = ctx;
    char line[1024];
    int n = snprintf(line, sizeof line, "%d %lld %s %s %s %s %d %s %s %s\n", (int)a->rule,
                     (long long)a->patient_id, a->mrn, a->name, a->reason, a->key, a->acknowledged,
                     a->acked_by, a->acked_at, a->ack_note);
    assert_true(n > 0 && (size_t)n < sizeof line);
    if (l->len + (size_t)n + 1 > l->cap) {
        l->cap = 2 * (l->len + (size_t)n + 1);
        l->text = realloc(l->text, l->cap);
        assert_non_null(l->text);
    }
    memcpy(l->text + l->len, line, (size_t)n + 1);
    l->len += (size_t)n;
    l->n++;
    return 0;
}

static struct listing list_all(struct cairn_store *s, bool summaries)
{
    struct cairn_alert_filter f = {.severity = CAIRN_SEVERITY_INFO, .all = true};
    struct listing l = {0};
    struct cairn_error err;
    s->summaries_off = !summaries;
    s->summary_misses = 0;
    if (cairn_alerts_list(s, &f, append_alert, &l, &err) != CAIRN_OK)
        fail_msg("listing alerts: %s", err.message);
    s->summaries_off = false;
    return l;
}

/* The list with a read transaction open: the readers cannot be opened,
 * so the caseload is read by store_facts_scan_split() on s. */
static struct listing list_split(struct cairn_store *s)
{
    bool began;
    struct cairn_error err;
    assert_int_equal(store_read_begin(s, &began, &err), CAIRN_OK);
    assert_true(began);
    struct listing l = list_all(s, true);
    store_read_end(s, began);
    return l;
}

static void test_list_from_two_threads_equals_the_list_from_the_data(void **state)
{
    struct unit_env *env = *state;
    char path[PATH_MAX];
    unit_path(path, env->dir, "caseload.db");
    struct cairn_store *s = env->store = unit_open_file(path);
    struct cairn_error err;
    struct cairn_alert a;
    unit_add_staff(s, UNIT_LOGIN, CAIRN_ROLE_SUPERVISOR);
    /* 400 patients: several batches for the split scan's second thread. */
    struct cairn_demo_options opts = {.patients = 400, .seed = 11, .today = unit_today()};
    struct cairn_demo_stats stats;
    if (cairn_demo_generate(s, &opts, &stats, &err) != CAIRN_OK)
        fail_msg("demo: %s", err.message);
    /* Some acknowledged alerts: their patients' alerts need a lookup. */
    struct listing before = list_all(s, true);
    assert_true(before.n > 300);
    int acked = 0;
    for (const char *line = before.text; line && *line && acked < 5; acked++) {
        for (int skip = 0; skip < 40 && line; skip++) {
            line = strchr(line, '\n');
            line = line ? line + 1 : NULL;
        }
        if (!line || !*line)
            break;
        char mrn[64];
        int rule;
        long long id;
        assert_int_equal(sscanf(line, "%d %lld %63s", &rule, &id, mrn), 3);
        char alert_id[CAIRN_ALERT_ID_MAX + 64];
        snprintf(alert_id, sizeof alert_id, "%s:%s", mrn,
                 cairn_alert_code((enum cairn_alert_rule)rule));
        assert_int_equal(cairn_alert_ack(s, alert_id, "seen in the test", &a, &err), CAIRN_OK);
    }
    assert_true(acked >= 3);
    free(before.text);
    /* Today, a week on, and the day before the summaries (which cannot
     * answer then: every patient is read from the data). Two readers,
     * the split scan on one connection, and every patient read exactly
     * give the same list. */
    static const int days[] = {0, 7, -1};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        cairn_store_set_today(s, unit_today() + days[i]);
        struct listing readers = list_all(s, true);
        struct listing split = list_split(s);
        unsigned long misses = s->summary_misses;
        struct listing exact = list_all(s, false);
        assert_true(readers.n > 0);
        assert_int_equal(readers.n, exact.n);
        assert_int_equal(split.n, exact.n);
        assert_string_equal(readers.text, exact.text);
        assert_string_equal(split.text, exact.text);
        if (days[i] >= 0)
            assert_int_equal(misses, 0);
        else
            assert_true(misses > 300);
        assert_non_null(strstr(readers.text, "seen in the test"));
        free(readers.text);
        free(split.text);
        free(exact.text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_ids_and_parsers),
        cmocka_unit_test(test_no_data_no_alerts),
        cmocka_unit_test(test_phq9_item9_positive_raises_urgent_alert),
        cmocka_unit_test(test_cssrs_high_risk_screen_raises_urgent_alert),
        cmocka_unit_test(test_phq9_worse_fires_at_the_reliable_change_and_not_below),
        cmocka_unit_test(test_phq9_worse_from_the_baseline_when_the_last_step_is_small),
        cmocka_unit_test(test_gad7_worse_fires_at_the_reliable_change_and_not_below),
        cmocka_unit_test(test_hours_below_fires_one_minute_under_the_minimum),
        cmocka_unit_test(test_absences_fire_at_the_program_count_and_not_below),
        cmocka_unit_test(test_ladder_stalled_fires_on_the_stall_day_and_not_before),
        cmocka_unit_test(test_review_overdue_once_the_following_week_is_over),
        cmocka_unit_test(test_lapse_this_week_from_monday_and_not_the_sunday_before),
        cmocka_unit_test(test_discharge_planning_from_the_planning_days_without_aftercare),
        cmocka_unit_test(test_plan_review_due_the_day_after_the_date),
        cmocka_unit_test(test_every_rule_fires_once_in_rule_order_for_an_active_patient),
        cmocka_unit_test(test_on_hold_gets_only_urgent_and_others_none),
        MEM(test_facts_of_a_scenario_patient),
        MEM(test_facts_follow_attempts_aftercare_lapses_and_program_thresholds),
        MEM(test_ack_holds_while_the_data_is_unchanged_and_reopens_on_new_data),
        MEM(test_ack_of_an_alert_not_firing_and_bad_input_are_refused),
        MEM(test_ack_by_someone_not_staff_is_denied),
        MEM(test_list_is_urgent_first_then_by_name_and_filters),
        MEM(test_alert_statements_never_scan_a_table),
        cmocka_unit_test_setup_teardown(test_list_from_two_threads_equals_the_list_from_the_data,
                                        unit_setup_tempdir, unit_teardown),
    };
    return cmocka_run_group_tests_name("alert", tests, NULL, NULL);
}

/* Query plans: on a demo caseload, the statements that read and write
 * tracking data (ladders, attendance, measures, plans, lapses, the caseload
 * row summary, reviews and their lists) never step through a whole table.
 * SQLite counts the full scan steps of every prepared statement
 * (SQLITE_STMTSTATUS_FULLSCAN_STEP); the store keeps its statements cached,
 * so after the calls every one of them can be checked. A missing index
 * fails here long before 100,000 patients would show it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"

static int first_row(const struct cairn_patient *p, void *ctx)
{
    *(struct cairn_patient *)ctx = *p;
    return 1;
}

static int ignore_ladder(const struct cairn_ladder *l, void *ctx)
{
    (void)l;
    (void)ctx;
    return 0;
}

static int ignore_row(const struct cairn_attendance_row *r, void *ctx)
{
    (void)r;
    (void)ctx;
    return 0;
}

static int ignore_measure(const struct cairn_measure_entry *e, void *ctx)
{
    (void)e;
    (void)ctx;
    return 0;
}

static int ignore_lapse(const struct cairn_lapse *l, void *ctx)
{
    (void)l;
    (void)ctx;
    return 0;
}

static int ignore_review(const struct cairn_review_line *l, void *ctx)
{
    (void)l;
    (void)ctx;
    return 0;
}

/* Fails when the plan of `sql` reads any table or index by a SCAN. */
static void assert_no_scan_in_plan(struct cairn_store *s, const char *sql)
{
    char *eqp = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *st = NULL;
    assert_non_null(eqp);
    assert_int_equal(sqlite3_prepare_v2(store_db(s), eqp, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(st, 3);
        if (detail && !strncmp(detail, "SCAN", 4))
            fail_msg("%s\nin the plan of: %s", detail, sql);
    }
    sqlite3_finalize(st);
    sqlite3_free(eqp);
}

static int count_awaiting(const struct cairn_review_awaiting *a, void *ctx)
{
    (void)a;
    ++*(int *)ctx;
    return 0;
}

static void test_tracking_statements_never_scan_a_table(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    struct cairn_demo_options opts = {.patients = 200, .seed = 5, .today = unit_today()};
    struct cairn_demo_stats stats;
    if (cairn_demo_generate(s, &opts, &stats, &err) != CAIRN_OK)
        fail_msg("demo: %s", err.message);
    /* Only what follows counts: forget the statements the demo used. */
    unit_fullscan_reset(s);

    struct cairn_patient p;
    struct cairn_patient_filter f = {.status_mask = 1u << CAIRN_PATIENT_ACTIVE, .limit = 1};
    assert_int_equal(cairn_patient_list(s, &f, first_row, &p, &err), CAIRN_OK);
    struct cairn_care_summary sum;
    assert_int_equal(cairn_care_summary(s, &p, unit_today(), &sum, &err), CAIRN_OK);
    assert_int_equal(cairn_ladder_list(s, p.id, true, ignore_ladder, NULL, &err), CAIRN_OK);
    struct cairn_ladder *l = malloc(sizeof *l);
    assert_int_equal(cairn_ladder_load(s, p.id, "1", l, &err), CAIRN_OK);
    struct cairn_ladder_attempt a = {.suds_before = 30,
                                     .suds_peak = 40,
                                     .suds_after = 20,
                                     .expectancy_before = -1,
                                     .expectancy_after = -1};
    snprintf(a.date, sizeof a.date, "2026-11-23");
    assert_int_equal(cairn_ladder_attempt_add(s, l->id, 1, &a, NULL, &err), CAIRN_OK);
    free(l);
    assert_int_equal(cairn_attendance_list(s, p.id, 0, unit_today(), ignore_row, NULL, &err),
                     CAIRN_OK);
    struct cairn_session ses = {.type = CAIRN_SESSION_GROUP, .minutes = 60, .telehealth = true};
    struct cairn_roster_entry e = {.status = CAIRN_ATTENDED, .minutes_attended = -1};
    snprintf(ses.date, sizeof ses.date, "2026-11-23");
    snprintf(ses.title, sizeof ses.title, "Query plan group");
    snprintf(e.mrn, sizeof e.mrn, "%s", p.mrn);
    assert_int_equal(cairn_session_log(s, &ses, &e, 1, &err), CAIRN_OK);
    char csv[256];
    snprintf(csv, sizeof csv,
             "date,mrn,type,minutes,status,title\n"
             "2026-11-23,%s,skills,45,attended,Query plan import\n",
             p.mrn);
    struct cairn_import_result res;
    assert_int_equal(cairn_session_import(s, csv, strlen(csv), "q.csv", &res, &err), CAIRN_OK);
    assert_int_equal(
        cairn_measure_list(s, p.id, false, CAIRN_INSTRUMENT_PHQ9, ignore_measure, NULL, &err),
        CAIRN_OK);
    struct cairn_measure m = {.patient_id = p.id,
                              .instrument = CAIRN_INSTRUMENT_GAD7,
                              .nanswers = 7,
                              .answers = {1, 1, 1, 1, 1, 1, 1}};
    snprintf(m.date, sizeof m.date, "2026-11-23");
    assert_int_equal(cairn_measure_add(s, &m, &err), CAIRN_OK);
    struct cairn_plan *plan = cairn_plan_new(CAIRN_PLAN_RELAPSE);
    bool unchanged;
    assert_int_equal(cairn_plan_read(s, CAIRN_PLAN_RELAPSE, p.id, 0, plan, &err), CAIRN_OK);
    assert_int_equal(cairn_plan_add_item(plan, "coping", "Query plan coping", &err), CAIRN_OK);
    assert_int_equal(cairn_plan_save(s, plan, NULL, &unchanged, &err), CAIRN_OK);
    cairn_plan_free(&plan);
    assert_int_equal(cairn_lapse_list(s, p.id, ignore_lapse, NULL, &err), CAIRN_OK);
    /* A review: its snapshot (attendance, measures, ladders, goals, lapses,
     * alerts), started, signed and listed. */
    struct cairn_review *r = calloc(1, sizeof *r);
    bool existed;
    assert_non_null(r);
    assert_int_equal(cairn_review_start(s, &p, NULL, r, &existed, &err), CAIRN_OK);
    r->inputs.risk = CAIRN_RISK_LOW;
    snprintf(r->inputs.text[CAIRN_REVIEW_NARRATIVE], sizeof r->inputs.text[0], "Query plans");
    for (size_t i = 0; i < r->inputs.nchecks; i++)
        r->inputs.checks[i].answer = 1;
    assert_int_equal(cairn_review_save(s, r, &unchanged, &err), CAIRN_OK);
    assert_int_equal(cairn_review_sign(s, r, &err), CAIRN_OK);
    assert_int_equal(cairn_review_read(s, &p, NULL, r, &err), CAIRN_OK);
    assert_int_equal(cairn_review_list(s, p.id, ignore_review, NULL, &err), CAIRN_OK);
    free(r);
    /* The co-sign queue, everyone's (a seek per week) and one clinician's
     * (through their patients). */
    int awaiting = 0;
    assert_int_equal(cairn_review_cosign_list(s, NULL, count_awaiting, &awaiting, &err), CAIRN_OK);
    assert_true(awaiting > 0);
    assert_true(p.therapist_login[0] != '\0');
    assert_int_equal(
        cairn_review_cosign_list(s, p.therapist_login, count_awaiting, &awaiting, &err), CAIRN_OK);

    assert_int_equal(unit_fullscan_statements(s), 0);
    /* The step counter misses a walk through a whole index: the co-sign
     * queue's statements must seek (SEARCH) in every table they read. */
    int checked = 0;
    for (size_t i = 0; i < s->cache_len; i++)
        if (strstr(s->cache[i].sql, "r.status = 'signed'") ||
            strstr(s->cache[i].sql, "min(week) FROM review")) {
            assert_no_scan_in_plan(s, s->cache[i].sql);
            checked++;
        }
    assert_int_equal(checked, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tracking_statements_never_scan_a_table,
                                        unit_setup_memory, unit_teardown),
    };
    return cmocka_run_group_tests_name("query_plans", tests, NULL, NULL);
}

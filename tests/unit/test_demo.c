/* Unit tests for synthetic demo caseloads (src/core/demo.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"

/* Generates a demo of `patients` with `seed` on the fixture's today. */
static enum cairn_status generate(struct cairn_store *s, unsigned patients, uint64_t seed,
                                  struct cairn_demo_stats *stats, struct cairn_error *err)
{
    struct cairn_demo_options opts = {.patients = patients, .seed = seed, .today = unit_today()};
    return cairn_demo_generate(s, &opts, stats, err);
}

/* FNV-1a over every patient, staff and tracking column except ids and
 * timestamps, in id order. */
static uint64_t fingerprint(struct cairn_store *s)
{
    static const char *const sql[] = {
        "SELECT mrn, legal_name, preferred_name, dob, pronouns, phone, ifnull(program_id, ''), "
        "ifnull(admission_date, ''), ifnull(expected_discharge_date, ''), "
        "ifnull(discharge_date, ''), discharge_reason, status, ifnull(therapist_id, ''), "
        "ifnull(case_manager_id, ''), ifnull(risk_level, ''), tags, version FROM patient "
        "ORDER BY id",
        "SELECT login, name, role FROM staff ORDER BY id",
        "SELECT s.date, ifnull(s.start_time, ''), s.type, s.title, s.minutes, s.telehealth, "
        "a.patient_id, a.status, a.minutes_attended FROM attendance a "
        "JOIN session s ON s.id = a.session_id ORDER BY a.id",
        "SELECT patient_id, instrument, date, answers, total, band, flags FROM measure "
        "ORDER BY id",
        "SELECT patient_id, step_id, date, suds_before, suds_peak, suds_after FROM ladder_attempt "
        "ORDER BY id",
        "SELECT plan_id, revision, status, content_json FROM plan_revision ORDER BY id",
        "SELECT safety_plan_id, revision, content_json FROM safety_revision ORDER BY id",
        "SELECT patient_id, date, kind, trigger, coping, note FROM lapse ORDER BY id",
    };
    uint64_t h = 1469598103934665603ull;
    for (size_t q = 0; q < sizeof sql / sizeof sql[0]; q++) {
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(store_db(s), sql[q], -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                const unsigned char *t = sqlite3_column_text(st, c);
                for (; t && *t; t++)
                    h = (h ^ *t) * 1099511628211ull;
                h = (h ^ 0x1F) * 1099511628211ull;
            }
        }
        sqlite3_finalize(st);
    }
    return h;
}

static void test_demo_refuses_out_of_range_patient_counts(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    assert_int_equal(generate(s, 0, 1, NULL, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "patients");
    assert_int_equal(generate(s, 1000001, 1, NULL, &err), CAIRN_ERR_INVALID);
    assert_int_equal(unit_patient_count(s), 0);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM staff"), 0);
}

static void test_demo_fills_an_empty_database_and_reports_what_it_made(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_demo_stats stats = {0};
    struct cairn_error err;
    assert_int_equal(generate(s, 120, 42, &stats, &err), CAIRN_OK);
    assert_int_equal(stats.patients, 120);
    assert_int_equal(unit_patient_count(s), 120);
    assert_int_equal(stats.programs, unit_query_int(s, "SELECT count(*) FROM program"));
    assert_int_equal(stats.staff, unit_query_int(s, "SELECT count(*) FROM staff"));
    /* The acting login is a supervisor, so every command works on the demo. */
    struct cairn_staff me;
    assert_int_equal(cairn_staff_find(s, UNIT_LOGIN, &me, &err), CAIRN_OK);
    assert_int_equal(me.role, CAIRN_ROLE_SUPERVISOR);
    /* Several lifecycle states appear. */
    assert_true(unit_query_int(s, "SELECT count(DISTINCT status) FROM patient") >= 3);
    assert_int_equal(sqlite3_get_autocommit(store_db(s)), 1);
}

static void test_demo_patients_pass_validation(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    struct cairn_patient p;
    sqlite3_stmt *st = NULL;
    size_t n = 0;
    assert_int_equal(generate(s, 80, 7, NULL, &err), CAIRN_OK);
    /* Each patient, read back, satisfies every field rule. */
    assert_int_equal(
        sqlite3_prepare_v2(store_db(s), "SELECT mrn FROM patient ORDER BY id", -1, &st, NULL),
        SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        assert_int_equal(cairn_patient_find(s, (const char *)sqlite3_column_text(st, 0), &p, &err),
                         CAIRN_OK);
        if (cairn_patient_validate(&p, ~CAIRN_PF_BIT(STATUS), unit_today(), &err) != CAIRN_OK)
            fail_msg("%s: %s: %s", p.mrn, err.pointer, err.message);
        n++;
    }
    sqlite3_finalize(st);
    assert_int_equal(n, 80);
}

static void test_same_seed_and_today_give_the_same_database(void **state)
{
    struct cairn_store *a = unit_store(state), *b = unit_open_memory(), *c = unit_open_memory();
    struct cairn_error err;
    assert_int_equal(generate(a, 60, 2026, NULL, &err), CAIRN_OK);
    assert_int_equal(generate(b, 60, 2026, NULL, &err), CAIRN_OK);
    assert_int_equal(generate(c, 60, 2027, NULL, &err), CAIRN_OK);
    assert_true(fingerprint(a) == fingerprint(b));
    assert_true(fingerprint(a) != fingerprint(c));
    cairn_store_close(&b);
    cairn_store_close(&c);
}

static void test_demo_counts_for_a_fixed_seed_do_not_drift(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_demo_stats st = {0};
    struct cairn_error err;
    assert_int_equal(generate(s, 60, 2026, &st, &err), CAIRN_OK);
    /* What seed 2026 on 2026-11-23 gives; a change here changes every demo. */
    assert_int_equal(st.patients, 60);
    assert_int_equal(st.sessions, 623);
    assert_int_equal(st.attendance, 1612);
    assert_int_equal(st.measures, 826);
    assert_int_equal(st.attempts, 159);
    assert_int_equal(st.plans, 46);
    assert_int_equal(st.safety_plans, 31);
    assert_int_equal(st.lapses, 16);
    /* The stats are the rows. */
    assert_int_equal(st.sessions, unit_query_int(s, "SELECT count(*) FROM session"));
    assert_int_equal(st.attendance, unit_query_int(s, "SELECT count(*) FROM attendance"));
    assert_int_equal(st.measures, unit_query_int(s, "SELECT count(*) FROM measure"));
    assert_int_equal(st.attempts, unit_query_int(s, "SELECT count(*) FROM ladder_attempt"));
    assert_int_equal(st.plans, unit_query_int(s, "SELECT count(*) FROM plan_revision"));
    assert_int_equal(st.safety_plans, unit_query_int(s, "SELECT count(*) FROM safety_revision"));
    assert_int_equal(st.lapses, unit_query_int(s, "SELECT count(*) FROM lapse"));
}

static void test_demo_tracking_stays_inside_each_stay_and_before_today(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    assert_int_equal(generate(s, 150, 11, NULL, &err), CAIRN_OK);
    static const char *const tables[] = {"attendance", "measure", "ladder_attempt", "lapse"};
    char sql[512];
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM %s t JOIN patient p ON p.id = t.patient_id "
                 "WHERE p.admission_date IS NULL OR t.date < p.admission_date "
                 "OR t.date > '2026-11-23' OR t.date > ifnull(p.discharge_date, '9999')",
                 tables[i]);
        assert_int_equal(unit_query_int(s, sql), 0);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i]);
        assert_true(unit_query_int(s, sql) > 0);
    }
    /* Everyone in care a week or more (and not on hold) attended something. */
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM patient p WHERE status IN "
                                       "('active', 'discharged', 'alumni') AND "
                                       "julianday(ifnull(discharge_date, '2026-11-23')) - "
                                       "julianday(admission_date) >= 7 AND NOT EXISTS "
                                       "(SELECT 1 FROM attendance a WHERE a.patient_id = p.id)"),
                     0);
    /* Each group meeting is one roster of a real group, never over the cap. */
    assert_true(unit_query_int(s, "SELECT max(n) FROM (SELECT count(*) n FROM attendance "
                                  "GROUP BY session_id)") <= 12);
    assert_true(unit_query_int(s, "SELECT avg(n) FROM (SELECT count(*) n FROM attendance a "
                                  "JOIN session x ON x.id = a.session_id WHERE x.type = 'group' "
                                  "GROUP BY session_id)") >= 5);
}

static void test_demo_measures_follow_plausible_courses(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    assert_int_equal(generate(s, 400, 5, NULL, &err), CAIRN_OK);
    /* Most PHQ-9 courses of five or more scores end lower than they began;
     * some do not. */
    int64_t courses = unit_query_int(s, "SELECT count(*) FROM (SELECT patient_id FROM measure "
                                        "WHERE instrument = 'phq9' GROUP BY patient_id "
                                        "HAVING count(*) >= 5)");
    int64_t improved = unit_query_int(
        s, "SELECT count(*) FROM (SELECT patient_id, "
           "(SELECT total FROM measure WHERE patient_id = m.patient_id AND instrument = 'phq9' "
           "ORDER BY date DESC LIMIT 1) - (SELECT total FROM measure WHERE patient_id = "
           "m.patient_id AND instrument = 'phq9' ORDER BY date LIMIT 1) d FROM measure m "
           "WHERE instrument = 'phq9' GROUP BY patient_id HAVING count(*) >= 5) WHERE d < 0");
    assert_true(courses > 50);
    assert_true(improved * 2 > courses);
    assert_true(improved < courses);
    /* A small share answer PHQ-9 item 9 above 0 (the flag fires). */
    int64_t phq9 =
        unit_query_int(s, "SELECT count(DISTINCT patient_id) FROM measure WHERE instrument = "
                          "'phq9'");
    int64_t item9 = unit_query_int(s, "SELECT count(DISTINCT patient_id) FROM measure WHERE "
                                      "instrument = 'phq9' AND flags LIKE '%phq9_item9%'");
    assert_true(item9 >= 1);
    assert_true(item9 * 100 <= phq9 * 8);
    /* C-SSRS screens: mostly none, a few low or moderate, never high. */
    int64_t screens = unit_query_int(s, "SELECT count(*) FROM measure WHERE instrument = "
                                        "'cssrs_screen'");
    assert_true(unit_query_int(s, "SELECT count(*) FROM measure WHERE instrument = "
                                  "'cssrs_screen' AND band = 'none'") *
                    10 >
                screens * 8);
    assert_true(unit_query_int(s, "SELECT count(*) FROM measure WHERE band = 'low'") > 0);
    assert_true(unit_query_int(s, "SELECT count(*) FROM measure WHERE band = 'moderate' AND "
                                  "instrument = 'cssrs_screen'") > 0);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM measure WHERE instrument = "
                                       "'cssrs_screen' AND band = 'high'"),
                     0);
    /* Cravings are scored in the substance-use program only. */
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM measure m JOIN patient p ON p.id = "
                                       "m.patient_id JOIN program pr ON pr.id = p.program_id "
                                       "WHERE m.instrument = 'craving' "
                                       "AND pr.code <> 'substance-use-iop'"),
                     0);
}

static void test_demo_ladders_master_some_steps_and_leave_others_in_progress(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    assert_int_equal(generate(s, 120, 3, NULL, &err), CAIRN_OK);
    assert_true(unit_query_int(s, "SELECT count(*) FROM ladder_step WHERE status = 'mastered'") >
                0);
    assert_true(unit_query_int(s, "SELECT count(*) FROM ladder_step WHERE status = 'in_progress'") >
                0);
    assert_int_equal(
        unit_query_int(s, "SELECT count(*) FROM ladder_attempt WHERE suds_peak < suds_after"), 0);
    /* Peaks fall from one attempt on a step to the next. */
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM ladder_attempt a JOIN ladder_attempt "
                                       "b ON b.step_id = a.step_id AND b.id > a.id "
                                       "WHERE b.suds_peak > a.suds_peak"),
                     0);
}

static void test_demo_plans_are_filled_in_and_half_signed(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    assert_int_equal(generate(s, 120, 3, NULL, &err), CAIRN_OK);
    int64_t admitted =
        unit_query_int(s, "SELECT count(*) FROM patient WHERE admission_date IS NOT NULL");
    int64_t saved = unit_query_int(s, "SELECT count(*) FROM plan WHERE revision > 0");
    int64_t active = unit_query_int(s, "SELECT count(*) FROM plan WHERE status = 'active' AND "
                                       "signed_by = '" UNIT_LOGIN "'");
    assert_true(saved * 2 > admitted);
    assert_true(active > saved / 4 && active < saved * 3 / 4);
    /* Safety plans for moderate and high risk only. */
    assert_true(unit_query_int(s, "SELECT count(*) FROM safety_plan WHERE revision > 0") > 0);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM safety_plan sp JOIN patient p "
                                       "ON p.id = sp.patient_id WHERE sp.revision > 0 "
                                       "AND p.risk_level NOT IN ('moderate', 'high')"),
                     0);
    /* Plans read back through the API, valid, with triggers linked to coping. */
    struct cairn_plan *plan = cairn_plan_new(CAIRN_PLAN_RELAPSE);
    assert_non_null(plan);
    int64_t pid = unit_query_int(s, "SELECT patient_id FROM plan WHERE revision > 0 "
                                    "ORDER BY patient_id LIMIT 1");
    assert_int_equal(cairn_plan_read(s, CAIRN_PLAN_RELAPSE, pid, 0, plan, &err), CAIRN_OK);
    struct cairn_plan_part *t = cairn_plan_part_find(plan, "triggers");
    assert_non_null(t);
    assert_true(t->nitems >= 2);
    assert_true(t->items[0].ncopes >= 1);
    assert_int_equal(cairn_plan_validate(plan, &err), CAIRN_OK);
    cairn_plan_free(&plan);
    /* Lapses only where the program keeps a lapse log. */
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM lapse l JOIN patient p ON p.id = "
                                       "l.patient_id JOIN program pr ON pr.id = p.program_id "
                                       "WHERE pr.code <> 'substance-use-iop'"),
                     0);
}

static void test_demo_refuses_a_database_that_holds_patients(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    unit_add_patient(s, "REAL-1", "Real Person", NULL);
    int64_t audits = unit_audit_count(s);
    assert_int_equal(generate(s, 10, 1, NULL, &err), CAIRN_ERR_EXISTS);
    assert_int_equal(unit_patient_count(s), 1);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM program"), 0);
    assert_int_equal(unit_audit_count(s), audits);
}

static void test_second_demo_on_the_same_database_is_refused(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    assert_int_equal(generate(s, 10, 1, NULL, &err), CAIRN_OK);
    uint64_t before = fingerprint(s);
    assert_int_equal(generate(s, 10, 2, NULL, &err), CAIRN_ERR_EXISTS);
    assert_true(fingerprint(s) == before);
}

/* Generates a 300-patient demo on `today` and checks that the summaries
 * the load wrote from memory are exactly what store_summaries_rebuild()
 * computes from the rows it wrote. */
static void check_summaries_equal_the_rebuild(int32_t today)
{
    struct cairn_store *s = unit_open_memory();
    struct cairn_error err;
    cairn_store_set_today(s, today);
    struct cairn_demo_options opts = {.patients = 300, .seed = 11, .today = today};
    assert_int_equal(cairn_demo_generate(s, &opts, NULL, &err), CAIRN_OK);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM patient_summary"), 300);
    assert_int_equal(sqlite3_exec(store_db(s),
                                  "CREATE TEMP TABLE loaded AS SELECT * FROM patient_summary", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(store_summaries_rebuild(s, &err), CAIRN_OK);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM patient_summary"), 300);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM (SELECT * FROM loaded EXCEPT "
                                       "SELECT * FROM main.patient_summary)"),
                     0);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM (SELECT * FROM main.patient_summary "
                                       "EXCEPT SELECT * FROM loaded)"),
                     0);
    /* Not vacuous: the demo has scores, attendance, stalled ladders, unsigned
     * reviews, lapses and mastered steps in its summaries. */
    assert_true(unit_query_int(s, "SELECT count(*) FROM loaded WHERE phq9 IS NOT NULL AND "
                                  "week0 IS NOT NULL AND ladder_id > 0") > 100);
    assert_true(unit_query_int(s, "SELECT count(*) FROM loaded WHERE review_weeks <> ''") > 100);
    assert_true(unit_query_int(s, "SELECT count(*) FROM loaded WHERE last_lapse_id > 0") > 5);
    assert_true(unit_query_int(s, "SELECT count(*) FROM loaded WHERE mastered <> '1'") > 5);
    cairn_store_close(&s);
}

static void test_demo_summaries_equal_the_rebuild(void **state)
{
    (void)state;
    check_summaries_equal_the_rebuild(unit_today());                     /* a Monday */
    check_summaries_equal_the_rebuild(cairn_date_from_ymd(2026, 6, 11)); /* a Thursday */
}

#define MEM(t) cmocka_unit_test_setup_teardown(t, unit_setup_memory, unit_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        MEM(test_demo_refuses_out_of_range_patient_counts),
        MEM(test_demo_refuses_a_database_that_holds_patients),
        MEM(test_demo_fills_an_empty_database_and_reports_what_it_made),
        MEM(test_demo_patients_pass_validation),
        MEM(test_same_seed_and_today_give_the_same_database),
        MEM(test_demo_counts_for_a_fixed_seed_do_not_drift),
        MEM(test_demo_tracking_stays_inside_each_stay_and_before_today),
        MEM(test_demo_measures_follow_plausible_courses),
        MEM(test_demo_ladders_master_some_steps_and_leave_others_in_progress),
        MEM(test_demo_plans_are_filled_in_and_half_signed),
        MEM(test_second_demo_on_the_same_database_is_refused),
        MEM(test_demo_summaries_equal_the_rebuild),
    };
    return cmocka_run_group_tests_name("demo", tests, NULL, NULL);
}

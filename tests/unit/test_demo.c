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

/* FNV-1a over every patient and staff column except timestamps, in id order. */
static uint64_t fingerprint(struct cairn_store *s)
{
    static const char *const sql[] = {
        "SELECT mrn, legal_name, preferred_name, dob, pronouns, phone, ifnull(program_id, ''), "
        "ifnull(admission_date, ''), ifnull(expected_discharge_date, ''), "
        "ifnull(discharge_date, ''), discharge_reason, status, ifnull(therapist_id, ''), "
        "ifnull(case_manager_id, ''), ifnull(risk_level, ''), tags, version FROM patient "
        "ORDER BY id",
        "SELECT login, name, role FROM staff ORDER BY id",
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

#define MEM(t) cmocka_unit_test_setup_teardown(t, unit_setup_memory, unit_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        MEM(test_demo_refuses_out_of_range_patient_counts),
        MEM(test_demo_refuses_a_database_that_holds_patients),
        MEM(test_demo_fills_an_empty_database_and_reports_what_it_made),
        MEM(test_demo_patients_pass_validation),
        MEM(test_same_seed_and_today_give_the_same_database),
        MEM(test_second_demo_on_the_same_database_is_refused),
    };
    return cmocka_run_group_tests_name("demo", tests, NULL, NULL);
}

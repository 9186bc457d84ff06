/* Unit tests for programs: validation, add, find (newest version) and get
 * (src/core/program.c, src/core/store_program.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"

/* A valid program to break one field at a time. */
static struct cairn_program valid_program(void)
{
    struct cairn_program p;
    memset(&p, 0, sizeof p);
    snprintf(p.code, sizeof p.code, "virtual-mh-iop");
    p.version = 1;
    snprintf(p.name, sizeof p.name, "Virtual Mental Health IOP");
    snprintf(p.level_of_care, sizeof p.level_of_care, "asam-2.1");
    snprintf(p.population, sizeof p.population, "adult");
    p.min_hours_per_week = 9;
    p.max_hours_per_week = 19;
    p.sessions_per_week = 4;
    p.min_days_per_week = 3;
    p.length_weeks = 8;
    return p;
}

static void expect_invalid(const struct cairn_program *p, const char *field)
{
    struct cairn_error err;
    cairn_error_clear(&err);
    enum cairn_status rc = cairn_program_validate(p, &err);
    if (rc != CAIRN_ERR_INVALID)
        fail_msg("expected CAIRN_ERR_INVALID on %s, got %s", field, cairn_status_name(rc));
    assert_string_equal(err.pointer, field);
}

static void test_validate_refuses_each_broken_field(void **state)
{
    struct cairn_program p;
    (void)state;
    p = valid_program();
    assert_int_equal(cairn_program_validate(&p, NULL), CAIRN_OK);
    p = valid_program();
    p.code[0] = '\0';
    expect_invalid(&p, "code");
    p = valid_program();
    snprintf(p.code, sizeof p.code, "Upper");
    expect_invalid(&p, "code");
    p = valid_program();
    snprintf(p.code, sizeof p.code, "a_b");
    expect_invalid(&p, "code");
    p = valid_program();
    p.version = 0;
    expect_invalid(&p, "version");
    p = valid_program();
    p.name[0] = '\0';
    expect_invalid(&p, "name");
    p = valid_program();
    snprintf(p.name, sizeof p.name, "a\nb");
    expect_invalid(&p, "name");
    p = valid_program();
    snprintf(p.population, sizeof p.population, "child");
    expect_invalid(&p, "population");
    p = valid_program();
    p.min_hours_per_week = 0;
    expect_invalid(&p, "min_hours_per_week");
    p = valid_program();
    p.min_hours_per_week = 20;
    expect_invalid(&p, "min_hours_per_week");
    p = valid_program();
    p.max_hours_per_week = 41;
    expect_invalid(&p, "min_hours_per_week");
    p = valid_program();
    p.sessions_per_week = 0;
    expect_invalid(&p, "sessions_per_week");
    p = valid_program();
    p.sessions_per_week = 15;
    expect_invalid(&p, "sessions_per_week");
    p = valid_program();
    p.min_days_per_week = 0;
    expect_invalid(&p, "min_days_per_week");
    p = valid_program();
    p.min_days_per_week = 8;
    expect_invalid(&p, "min_days_per_week");
    p = valid_program();
    p.length_weeks = 0;
    expect_invalid(&p, "length_weeks");
    p = valid_program();
    p.length_weeks = 53;
    expect_invalid(&p, "length_weeks");
}

static void test_validate_accepts_the_range_ends(void **state)
{
    struct cairn_program p = valid_program();
    (void)state;
    p.min_hours_per_week = p.max_hours_per_week = 40;
    p.sessions_per_week = 1;
    p.min_days_per_week = 7;
    p.length_weeks = 52;
    snprintf(p.population, sizeof p.population, "adolescent");
    assert_int_equal(cairn_program_validate(&p, NULL), CAIRN_OK);
    p.length_weeks = 1;
    p.min_days_per_week = 1;
    assert_int_equal(cairn_program_validate(&p, NULL), CAIRN_OK);
}

static void test_add_refuses_invalid_program_and_stores_nothing(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_program p = valid_program();
    struct cairn_error err;
    p.length_weeks = 0;
    assert_int_equal(cairn_program_add(s, &p, &err), CAIRN_ERR_INVALID);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM program"), 0);
    assert_int_equal(unit_audit_count(s), 0);
}

static void test_add_then_get_returns_every_column(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_program p = valid_program(), got;
    struct cairn_error err;
    assert_int_equal(cairn_program_add(s, &p, &err), CAIRN_OK);
    assert_true(p.id > 0);
    assert_int_equal(cairn_program_get(s, p.id, &got, &err), CAIRN_OK);
    assert_int_equal(got.id, p.id);
    assert_string_equal(got.code, "virtual-mh-iop");
    assert_int_equal(got.version, 1);
    assert_string_equal(got.name, "Virtual Mental Health IOP");
    assert_string_equal(got.level_of_care, "asam-2.1");
    assert_string_equal(got.population, "adult");
    assert_true(got.min_hours_per_week == 9);
    assert_true(got.max_hours_per_week == 19);
    assert_int_equal(got.sessions_per_week, 4);
    assert_int_equal(got.min_days_per_week, 3);
    assert_int_equal(got.length_weeks, 8);
}

static void test_same_code_and_version_twice_is_exists(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_program p = valid_program(), again = valid_program();
    struct cairn_error err;
    assert_int_equal(cairn_program_add(s, &p, &err), CAIRN_OK);
    snprintf(again.name, sizeof again.name, "Renamed");
    assert_int_equal(cairn_program_add(s, &again, &err), CAIRN_ERR_EXISTS);
    assert_string_equal(err.pointer, "version");
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM program"), 1);
    assert_int_equal(unit_audit_count(s), 1);
}

static void test_find_returns_the_newest_version(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_program v2 = valid_program(), v1 = valid_program(), found;
    struct cairn_error err;
    /* Added out of order: "newest" is the highest version, not the last row. */
    v2.version = 2;
    v2.length_weeks = 10;
    assert_int_equal(cairn_program_add(s, &v2, &err), CAIRN_OK);
    assert_int_equal(cairn_program_add(s, &v1, &err), CAIRN_OK);
    assert_int_equal(cairn_program_find(s, "virtual-mh-iop", &found, &err), CAIRN_OK);
    assert_int_equal(found.version, 2);
    assert_int_equal(found.id, v2.id);
    assert_int_equal(found.length_weeks, 10);
}

static void test_unknown_code_or_id_is_not_found(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_program found;
    struct cairn_error err;
    assert_int_equal(cairn_program_find(s, "no-such", &found, &err), CAIRN_ERR_NOT_FOUND);
    assert_string_equal(err.pointer, "program");
    assert_int_equal(cairn_program_get(s, 99, &found, &err), CAIRN_ERR_NOT_FOUND);
}

#define MEM(t) cmocka_unit_test_setup_teardown(t, unit_setup_memory, unit_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate_refuses_each_broken_field),
        cmocka_unit_test(test_validate_accepts_the_range_ends),
        MEM(test_add_refuses_invalid_program_and_stores_nothing),
        MEM(test_unknown_code_or_id_is_not_found),
        MEM(test_add_then_get_returns_every_column),
        MEM(test_same_code_and_version_twice_is_exists),
        MEM(test_find_returns_the_newest_version),
    };
    return cmocka_run_group_tests_name("program", tests, NULL, NULL);
}

/* Unit tests for calendar dates, ISO weeks and timestamps (src/core/date.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "cairn/date.h"

/* Parses text, failing the test when it is refused. */
static int32_t parse_ok(const char *text)
{
    int32_t days = 0;
    struct cairn_error err;
    if (cairn_date_parse(text, &days, &err) != CAIRN_OK)
        fail_msg("%s refused: %s", text, err.message);
    return days;
}

static void test_parse_refuses_null_and_empty_and_leaves_output_untouched(void **state)
{
    int32_t days = 12345;
    struct cairn_error err;
    (void)state;
    assert_int_equal(cairn_date_parse(NULL, &days, &err), CAIRN_ERR_INVALID);
    assert_int_equal(cairn_date_parse("", &days, &err), CAIRN_ERR_INVALID);
    assert_int_equal(err.status, CAIRN_ERR_INVALID);
    assert_true(strlen(err.message) > 0);
    assert_int_equal(days, 12345);
}

static void test_parse_refuses_malformed_and_impossible_dates(void **state)
{
    static const char *const bad[] = {
        "2023-02-29", /* not a leap year */
        "1900-02-29", /* century, not a leap year */
        "2026-13-01",  "2026-00-10", "2026-04-31", "2026-01-00",
        "2026-01-32",  "2026-1-01",  "2026-01-1",  " 2026-01-01",
        "2026-01-01 ", "2026/01/01", "20260101",   "2026-01-01T00:00:00Z",
        "+026-01-01",  "2026-0a-01", "1899-12-31", /* before CAIRN_DATE_MIN */
        "2200-01-01",                              /* after CAIRN_DATE_MAX */
        "0000-01-01",  "9999-12-31",
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int32_t days = -7;
        struct cairn_error err;
        if (cairn_date_parse(bad[i], &days, &err) != CAIRN_ERR_INVALID)
            fail_msg("\"%s\" was accepted", bad[i]);
        assert_int_equal(days, -7);
        assert_true(strlen(err.message) > 0);
    }
}

static void test_parse_and_format_round_trip_including_range_ends(void **state)
{
    static const char *const good[] = {
        "1900-01-01", "1900-03-01", "1969-12-31", "1970-01-01", "1999-12-31", "2000-02-29",
        "2000-03-01", "2024-02-29", "2026-11-23", "2100-02-28", "2100-03-01", "2199-12-31",
    };
    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char out[CAIRN_DATE_LEN + 1];
        cairn_date_format(parse_ok(good[i]), out);
        assert_string_equal(out, good[i]);
    }
    assert_int_equal(parse_ok("1970-01-01"), 0);
    assert_int_equal(parse_ok("1900-01-01"), CAIRN_DATE_MIN);
    assert_int_equal(parse_ok("2199-12-31"), CAIRN_DATE_MAX);
}

static void test_every_day_in_range_round_trips_through_ymd(void **state)
{
    (void)state;
    for (int32_t d = CAIRN_DATE_MIN; d <= CAIRN_DATE_MAX; d++) {
        int y, m, dd;
        cairn_date_to_ymd(d, &y, &m, &dd);
        assert_true(cairn_date_valid(y, m, dd));
        assert_int_equal(cairn_date_from_ymd(y, m, dd), d);
        if (d > CAIRN_DATE_MIN) {
            /* Consecutive days: the next day is day+1 or the 1st. */
            int py, pm, pd;
            cairn_date_to_ymd(d - 1, &py, &pm, &pd);
            assert_true(dd == pd + 1 || dd == 1);
        }
    }
}

static void test_date_valid_knows_leap_years_and_month_lengths(void **state)
{
    (void)state;
    assert_true(cairn_date_valid(2000, 2, 29));
    assert_true(cairn_date_valid(2024, 2, 29));
    assert_false(cairn_date_valid(2023, 2, 29));
    assert_false(cairn_date_valid(2100, 2, 29));
    assert_true(cairn_date_valid(2026, 4, 30));
    assert_false(cairn_date_valid(2026, 4, 31));
    assert_false(cairn_date_valid(2026, 0, 1));
    assert_false(cairn_date_valid(2026, 13, 1));
    assert_false(cairn_date_valid(2026, 1, 0));
}

static void test_weekday_of_known_dates(void **state)
{
    (void)state;
    assert_int_equal(cairn_date_weekday(parse_ok("2026-11-23")), 1); /* Monday */
    assert_int_equal(cairn_date_weekday(parse_ok("2026-11-29")), 7); /* Sunday */
    assert_int_equal(cairn_date_weekday(parse_ok("1970-01-01")), 4); /* Thursday */
    assert_int_equal(cairn_date_weekday(parse_ok("2000-01-01")), 6); /* Saturday */
    assert_int_equal(cairn_date_weekday(parse_ok("1900-01-01")), 1); /* Monday */
    assert_int_equal(cairn_date_weekday(parse_ok("1969-12-31")), 3); /* Wednesday, before 0 */
    assert_int_equal(cairn_date_weekday(parse_ok("2199-12-31")), 2); /* Tuesday */
}

/* Checks the ISO week of `date` is `expected` ("YYYY-Www"). */
static void assert_isoweek(const char *date, const char *expected)
{
    int y = 0, w = 0;
    char out[CAIRN_WEEK_LEN + 1];
    cairn_date_isoweek(parse_ok(date), &y, &w);
    cairn_isoweek_format(y, w, out);
    if (strcmp(out, expected) != 0)
        fail_msg("%s is in %s, expected %s", date, out, expected);
}

static void test_iso_week_of_known_dates_including_year_boundaries(void **state)
{
    (void)state;
    assert_isoweek("2026-11-23", "2026-W48");
    assert_isoweek("2020-12-31", "2020-W53");
    assert_isoweek("2021-01-03", "2020-W53");
    assert_isoweek("2021-01-04", "2021-W01");
    assert_isoweek("2024-12-30", "2025-W01");
    assert_isoweek("2026-01-01", "2026-W01");
    assert_isoweek("2027-01-01", "2026-W53");
    assert_isoweek("2015-12-31", "2015-W53");
}

static void test_isoweek_parse_accepts_week_53_only_in_long_years(void **state)
{
    int y = 0, w = 0;
    struct cairn_error err;
    (void)state;
    assert_int_equal(cairn_isoweek_parse("2015-W53", &y, &w, &err), CAIRN_OK);
    assert_int_equal(y, 2015);
    assert_int_equal(w, 53);
    assert_int_equal(cairn_isoweek_parse("2020-W53", &y, &w, &err), CAIRN_OK);
    assert_int_equal(cairn_isoweek_count(2015), 53);
    assert_int_equal(cairn_isoweek_count(2021), 52);
    y = w = -1;
    assert_int_equal(cairn_isoweek_parse("2021-W53", &y, &w, &err), CAIRN_ERR_INVALID);
    assert_int_equal(y, -1);
    assert_int_equal(w, -1);
    assert_non_null(strstr(err.message, "52"));
}

static void test_isoweek_parse_refuses_malformed_weeks(void **state)
{
    static const char *const bad[] = {"",         "2026-W00", "2026-W54", "2026-w47",
                                      "2026W47",  "2026-W7",  "2026-47",  "1899-W10",
                                      "2200-W01", "2026-W4a", " 2026-W47"};
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int y = 0, w = 0;
        struct cairn_error err;
        if (cairn_isoweek_parse(bad[i], &y, &w, &err) != CAIRN_ERR_INVALID)
            fail_msg("\"%s\" was accepted", bad[i]);
    }
    int y = 0, w = 0;
    assert_int_equal(cairn_isoweek_parse(NULL, &y, &w, NULL), CAIRN_ERR_INVALID);
}

static void test_isoweek_format_and_parse_round_trip(void **state)
{
    int y = 0, w = 0;
    char out[CAIRN_WEEK_LEN + 1];
    (void)state;
    cairn_isoweek_format(2026, 7, out);
    assert_string_equal(out, "2026-W07");
    assert_int_equal(cairn_isoweek_parse(out, &y, &w, NULL), CAIRN_OK);
    assert_int_equal(y, 2026);
    assert_int_equal(w, 7);
}

static void test_isoweek_monday_inverts_isoweek_for_every_day_1999_to_2031(void **state)
{
    (void)state;
    int32_t first = cairn_date_from_ymd(1999, 1, 1), last = cairn_date_from_ymd(2031, 12, 31);
    for (int32_t d = first; d <= last; d++) {
        int y, w;
        cairn_date_isoweek(d, &y, &w);
        assert_in_range(w, 1, cairn_isoweek_count(y));
        int32_t monday = cairn_isoweek_monday(y, w);
        assert_int_equal(cairn_date_weekday(monday), 1);
        assert_in_range(d - monday, 0, 6);
        /* The Monday of the week is in the same ISO week. */
        int my, mw;
        cairn_date_isoweek(monday, &my, &mw);
        assert_int_equal(my, y);
        assert_int_equal(mw, w);
    }
}

static void test_timestamp_now_is_utc_iso8601(void **state)
{
    char ts[CAIRN_TIMESTAMP_LEN + 1];
    int32_t days;
    char date[CAIRN_DATE_LEN + 1];
    (void)state;
    cairn_timestamp_now(ts);
    assert_int_equal(strlen(ts), CAIRN_TIMESTAMP_LEN);
    assert_int_equal(ts[10], 'T');
    assert_int_equal(ts[19], 'Z');
    memcpy(date, ts, CAIRN_DATE_LEN);
    date[CAIRN_DATE_LEN] = '\0';
    assert_int_equal(cairn_date_parse(date, &days, NULL), CAIRN_OK);
    /* Local "today" and the UTC date differ by at most a day. */
    assert_in_range(days - cairn_date_today() + 1, 0, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_refuses_null_and_empty_and_leaves_output_untouched),
        cmocka_unit_test(test_parse_refuses_malformed_and_impossible_dates),
        cmocka_unit_test(test_parse_and_format_round_trip_including_range_ends),
        cmocka_unit_test(test_every_day_in_range_round_trips_through_ymd),
        cmocka_unit_test(test_date_valid_knows_leap_years_and_month_lengths),
        cmocka_unit_test(test_weekday_of_known_dates),
        cmocka_unit_test(test_iso_week_of_known_dates_including_year_boundaries),
        cmocka_unit_test(test_isoweek_parse_accepts_week_53_only_in_long_years),
        cmocka_unit_test(test_isoweek_parse_refuses_malformed_weeks),
        cmocka_unit_test(test_isoweek_format_and_parse_round_trip),
        cmocka_unit_test(test_isoweek_monday_inverts_isoweek_for_every_day_1999_to_2031),
        cmocka_unit_test(test_timestamp_now_is_utc_iso8601),
    };
    return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}

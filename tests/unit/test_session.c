/* Sessions and attendance: weekly totals across ISO week and year
 * boundaries (week 53, sessions past midnight), the CSV reader, logging a
 * roster and importing CSV all or nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "helpers.h"

static struct cairn_attendance_line line(const char *date, int start_minute, int minutes,
                                         int attended, enum cairn_attendance_status status)
{
    struct cairn_attendance_line l = {0, start_minute, minutes, attended, status};
    assert_int_equal(cairn_date_parse(date, &l.day, NULL), CAIRN_OK);
    return l;
}

static void test_week_totals_hours_days_and_the_minimum(void **state)
{
    (void)state;
    struct cairn_attendance_week w;
    /* 2026-W48 is Monday 23 to Sunday 29 November. */
    const struct cairn_attendance_line lines[] = {
        line("2026-11-23", -1, 180, 180, CAIRN_ATTENDED),
        line("2026-11-23", -1, 60, 60, CAIRN_ATTENDED), /* same day: one day */
        line("2026-11-25", -1, 180, 150, CAIRN_LATE),
        line("2026-11-26", -1, 180, 0, CAIRN_ABSENT),
        line("2026-11-27", -1, 180, 0, CAIRN_EXCUSED),
        line("2026-11-22", -1, 180, 180, CAIRN_ATTENDED), /* the week before */
        line("2026-11-30", -1, 180, 180, CAIRN_ATTENDED), /* the week after */
    };
    cairn_attendance_week_total(lines, 7, 2026, 48, 9, 3, unit_today(), &w);
    assert_int_equal(w.minutes_attended, 390);
    assert_int_equal(w.days_attended, 2);
    assert_int_equal(w.sessions, 5);
    assert_int_equal(w.attended, 2);
    assert_int_equal(w.late, 1);
    assert_int_equal(w.absent, 1);
    assert_int_equal(w.excused, 1);
    assert_int_equal(w.min_minutes, 540);
    assert_false(w.meets_hours);
    assert_false(w.meets_days);
    /* Today (Monday 23 November) is in W48: the week is not over yet. */
    assert_false(w.complete);
    cairn_attendance_week_total(lines, 7, 2026, 47, 9, 3, unit_today(), &w);
    assert_true(w.complete);
    /* Exactly the minimum meets it: 9 h over 3 days. */
    const struct cairn_attendance_line exact[] = {
        line("2026-11-23", -1, 180, 180, CAIRN_ATTENDED),
        line("2026-11-24", -1, 180, 180, CAIRN_ATTENDED),
        line("2026-11-26", -1, 180, 180, CAIRN_ATTENDED),
    };
    cairn_attendance_week_total(exact, 3, 2026, 48, 9, 3, unit_today(), &w);
    assert_int_equal(w.minutes_attended, 540);
    assert_true(w.meets_hours);
    assert_true(w.meets_days);
    cairn_attendance_week_total(exact, 2, 2026, 48, 9, 3, unit_today(), &w);
    assert_false(w.meets_hours);
    assert_false(w.meets_days);
}

static void test_week_53_and_the_year_boundary(void **state)
{
    (void)state;
    struct cairn_attendance_week w53, w01;
    /* 2026 has 53 ISO weeks: W53 runs Monday 28 December 2026 to Sunday
     * 3 January 2027. New Year's Day is in 2026-W53. */
    assert_int_equal(cairn_isoweek_count(2026), 53);
    const struct cairn_attendance_line lines[] = {
        line("2026-12-31", 18 * 60, 180, 150, CAIRN_LATE),
        line("2027-01-01", -1, 60, 60, CAIRN_ATTENDED),
        /* Sunday 3 January 23:00 for two hours: one in each week. */
        line("2027-01-03", 23 * 60, 120, 120, CAIRN_ATTENDED),
        line("2027-01-04", -1, 60, 0, CAIRN_ABSENT),
    };
    cairn_attendance_week_total(lines, 4, 2026, 53, 9, 3, unit_today(), &w53);
    cairn_attendance_week_total(lines, 4, 2027, 1, 9, 3, unit_today(), &w01);
    assert_int_equal(w53.minutes_attended, 150 + 60 + 60);
    assert_int_equal(w53.days_attended, 3);
    assert_int_equal(w53.sessions, 3);
    assert_int_equal(w01.minutes_attended, 60);
    assert_int_equal(w01.days_attended, 1);
    /* The session counts where it started; its last hour counts in W01. */
    assert_int_equal(w01.sessions, 1);
    assert_int_equal(w01.absent, 1);
}

static void test_late_minutes_are_the_end_of_the_session(void **state)
{
    (void)state;
    struct cairn_attendance_week w;
    /* Sunday 22:00 for 3 hours; 90 minutes attended, late: 23:30 to 01:00,
     * so 30 minutes on Sunday (W47) and 60 on Monday (W48). */
    const struct cairn_attendance_line late = line("2026-11-22", 22 * 60, 180, 90, CAIRN_LATE);
    cairn_attendance_week_total(&late, 1, 2026, 47, 0, 0, unit_today(), &w);
    assert_int_equal(w.minutes_attended, 30);
    assert_true(w.meets_hours); /* no minimum */
    cairn_attendance_week_total(&late, 1, 2026, 48, 0, 0, unit_today(), &w);
    assert_int_equal(w.minutes_attended, 60);
    assert_int_equal(w.days_attended, 1);
}

/* --- CSV -------------------------------------------------------------------- */

struct records {
    size_t n;
    char cells[8][8][64];
    size_t widths[8];
};

static enum cairn_status keep(const struct cairn_csv_field *f, size_t n, size_t record, void *arg,
                              struct cairn_error *err)
{
    (void)err;
    struct records *r = arg;
    assert_int_equal(record, r->n);
    for (size_t i = 0; i < n && i < 8; i++)
        snprintf(r->cells[r->n][i], sizeof r->cells[0][0], "%s", f[i].text);
    r->widths[r->n++] = n;
    return CAIRN_OK;
}

static void test_csv_reads_rfc_4180(void **state)
{
    (void)state;
    struct records r = {0};
    struct cairn_error err;
    const char text[] = "\xEF\xBB\xBF"
                        "a,b,c\r\n"
                        "\"x, y\",\"say \"\"hi\"\"\",\r\n"
                        "\n"
                        "1,\"two\nlines\",Zoë\n"
                        "p,q,\"\"";
    assert_int_equal(cairn_csv_parse(text, sizeof text - 1, "t.csv", keep, &r, &err), CAIRN_OK);
    assert_int_equal(r.n, 4);
    assert_string_equal(r.cells[0][0], "a");
    assert_string_equal(r.cells[1][0], "x, y");
    assert_string_equal(r.cells[1][1], "say \"hi\"");
    assert_string_equal(r.cells[1][2], "");
    assert_string_equal(r.cells[2][1], "two\nlines");
    assert_string_equal(r.cells[2][2], "Zoë");
    assert_string_equal(r.cells[3][2], "");
}

/* Parses `text` expecting failure at line:col with `message` in the error. */
static void csv_fails(const char *text, size_t len, int line, int col, const char *message)
{
    struct records r = {0};
    struct cairn_error err;
    assert_int_equal(cairn_csv_parse(text, len, "bad.csv", keep, &r, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.file, "bad.csv");
    if (err.line != line || err.col != col || !strstr(err.message, message))
        fail_msg("expected %d:%d %s, got %d:%d %s", line, col, message, err.line, err.col,
                 err.message);
}

#define CSV_FAILS(text, line, col, message) csv_fails(text, sizeof text - 1, line, col, message)

static void test_csv_refuses_malformed_input_with_its_place(void **state)
{
    (void)state;
    CSV_FAILS("a,b\n1,x\"y\n", 2, 4, "quote inside an unquoted field");
    CSV_FAILS("a,b\n1,\"x\"y\n", 2, 6, "text after a closing quote");
    CSV_FAILS("a,b\n1,\"open\n", 2, 3, "never closed");
    CSV_FAILS("a,b\n1,2,3\n", 2, 1, "record has 3 fields; the header has 2");
    CSV_FAILS("a,b\n1\n", 2, 1, "record has 1 field; the header has 2");
    CSV_FAILS("a,b\nZoë,\xff\n", 2, 5, "not valid UTF-8");
    CSV_FAILS("a,b\n1,2\0\n", 2, 4, "NUL byte");
    CSV_FAILS("a,b\r1,2\n", 1, 4, "carriage return without a line feed");
}

/* --- the store ------------------------------------------------------------- */

static const char program_yaml[] = "template: attend-iop\n"
                                   "name: Attendance IOP\n"
                                   "level_of_care: asam-2.1\n"
                                   "population: adult\n"
                                   "schedule: {sessions_per_week: 3, hours_per_session: 3, "
                                   "min_hours_per_week: 9, min_days_per_week: 3, "
                                   "length_weeks: 8}\n"
                                   "measures: [{instrument: phq9, every: week}]\n"
                                   "plan_sections: [coping]\n"
                                   "review_checklist: [Attendance discussed]\n";

/* Ten admitted patients R-0 .. R-9 (admitted 2026-11-02). */
static void admit_ten(struct cairn_store *s)
{
    for (int i = 0; i < 10; i++) {
        char mrn[16];
        snprintf(mrn, sizeof mrn, "R-%d", i);
        unit_admit(s, program_yaml, mrn, "2026-11-02", NULL);
    }
}

static struct cairn_session group(const char *date)
{
    struct cairn_session ses;
    memset(&ses, 0, sizeof ses);
    snprintf(ses.date, sizeof ses.date, "%s", date);
    snprintf(ses.title, sizeof ses.title, "DBT skills");
    ses.type = CAIRN_SESSION_GROUP;
    ses.minutes = 180;
    ses.telehealth = true;
    return ses;
}

static struct cairn_roster_entry entry(const char *mrn, enum cairn_attendance_status status,
                                       int minutes)
{
    struct cairn_roster_entry e;
    memset(&e, 0, sizeof e);
    snprintf(e.mrn, sizeof e.mrn, "%s", mrn);
    e.status = status;
    e.minutes_attended = minutes;
    return e;
}

static void test_a_roster_is_logged_whole_and_audited(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    admit_ten(s);
    struct cairn_roster_entry roster[10];
    for (int i = 0; i < 10; i++) {
        char mrn[16];
        snprintf(mrn, sizeof mrn, "R-%d", i);
        roster[i] = entry(mrn,
                          i < 7    ? CAIRN_ATTENDED
                          : i == 7 ? CAIRN_LATE
                                   : CAIRN_ABSENT,
                          i == 7 ? 120 : -1);
    }
    struct cairn_session ses = group("2026-11-20");
    int64_t audits = unit_audit_count(s);
    assert_int_equal(cairn_session_log(s, &ses, roster, 10, &err), CAIRN_OK);
    assert_true(ses.id > 0);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM attendance"), 10);
    assert_int_equal(unit_query_int(s, "SELECT sum(minutes_attended) FROM attendance"),
                     7 * 180 + 120);
    assert_int_equal(unit_audit_count(s), audits + 11);

    struct cairn_attendance_week w;
    int64_t late = unit_query_int(s, "SELECT id FROM patient WHERE mrn = 'R-7'");
    assert_int_equal(cairn_attendance_week_load(s, late, 2026, 47, &w, &err), CAIRN_OK);
    assert_int_equal(w.minutes_attended, 120);
    assert_int_equal(w.min_minutes, 540);
    assert_int_equal(w.min_days, 3);
}

static void test_a_bad_roster_line_writes_nothing(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    admit_ten(s);
    struct cairn_session ses = group("2026-11-20");
    struct cairn_roster_entry roster[3] = {entry("R-1", CAIRN_ATTENDED, -1),
                                           entry("R-2", CAIRN_ATTENDED, -1),
                                           entry("NOPE", CAIRN_ABSENT, -1)};
    int64_t audits = unit_audit_count(s);
    assert_int_equal(cairn_session_log(s, &ses, roster, 3, &err), CAIRN_ERR_NOT_FOUND);
    assert_string_equal(err.pointer, "mrn");
    assert_non_null(strstr(err.message, "NOPE"));
    /* Late without minutes, twice on the roster, in the future, before admission. */
    roster[2] = entry("R-3", CAIRN_LATE, -1);
    assert_int_equal(cairn_session_log(s, &ses, roster, 3, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "minutes_attended");
    roster[2] = entry("R-1", CAIRN_ABSENT, -1);
    assert_int_equal(cairn_session_log(s, &ses, roster, 3, &err), CAIRN_ERR_INVALID);
    assert_non_null(strstr(err.message, "twice"));
    ses = group("2026-11-24");
    assert_int_equal(cairn_session_log(s, &ses, roster, 1, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "date");
    ses = group("2026-11-01");
    assert_int_equal(cairn_session_log(s, &ses, roster, 1, &err), CAIRN_ERR_INVALID);
    assert_non_null(strstr(err.message, "admitted on 2026-11-02"));
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM session"), 0);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM attendance"), 0);
    assert_int_equal(unit_audit_count(s), audits);
    /* The same patient twice on one meeting, from two entries. */
    ses = group("2026-11-20");
    assert_int_equal(cairn_session_log(s, &ses, roster, 1, &err), CAIRN_OK);
    ses = group("2026-11-20");
    assert_int_equal(cairn_session_log(s, &ses, roster, 1, &err), CAIRN_ERR_EXISTS);
    /* Several sessions a day are fine. */
    ses = group("2026-11-20");
    snprintf(ses.title, sizeof ses.title, "Relapse prevention");
    assert_int_equal(cairn_session_log(s, &ses, roster, 1, &err), CAIRN_OK);
}

static void test_csv_import_is_all_or_nothing_and_names_the_line(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    struct cairn_import_result res;
    admit_ten(s);
    const char bad[] = "date,mrn,type,minutes,status,title\n"
                       "2026-11-20,R-1,group,180,attended,DBT skills\n"
                       "2026-11-20,R-2,group,180,absent,DBT skills\n"
                       "2026-11-20,R-3,group,18O,absent,DBT skills\n"
                       "2026-11-20,R-4,group,180,absent,DBT skills\n";
    int64_t audits = unit_audit_count(s);
    assert_int_equal(cairn_session_import(s, bad, sizeof bad - 1, "week.csv", &res, &err),
                     CAIRN_ERR_INVALID);
    assert_string_equal(err.file, "week.csv");
    assert_int_equal(err.line, 4);
    assert_int_equal(err.col, 22);
    assert_string_equal(err.pointer, "minutes");
    assert_int_equal(res.rows, 0);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM attendance"), 0);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM session"), 0);
    assert_int_equal(unit_audit_count(s), audits);

    const char good[] = "MRN,Date,Type,Minutes,Status,Title,Minutes_Attended,Start\r\n"
                        "R-1,2026-11-20,group,180,attended,DBT skills,,18:00\r\n"
                        "R-2,2026-11-20,group,180,late,DBT skills,90,18:00\r\n"
                        "R-1,2026-11-21,individual,60,attended,,,\r\n";
    assert_int_equal(cairn_session_import(s, good, sizeof good - 1, "week.csv", &res, &err),
                     CAIRN_OK);
    assert_int_equal(res.rows, 3);
    assert_int_equal(res.sessions, 2);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE action = 'import' "
                                       "AND entity = 'attendance'"),
                     1);
    /* The same file again would put everyone on the roster twice. */
    assert_int_equal(cairn_session_import(s, good, sizeof good - 1, "week.csv", &res, &err),
                     CAIRN_ERR_EXISTS);
    assert_int_equal(err.line, 2);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM attendance"), 3);

    const char header[] = "date,mrn,type,minutes\n2026-11-20,R-1,group,180\n";
    assert_int_equal(cairn_session_import(s, header, sizeof header - 1, "h.csv", &res, &err),
                     CAIRN_ERR_INVALID);
    assert_non_null(strstr(err.message, "no status column"));
    const char unknown[] = "date,mrn,type,minutes,status,room\n";
    assert_int_equal(cairn_session_import(s, unknown, sizeof unknown - 1, "h.csv", &res, &err),
                     CAIRN_ERR_INVALID);
    assert_int_equal(err.col, 30);
    assert_non_null(strstr(err.message, "unknown column"));
    /* Nothing from the file is repeated: a wrong column may hold anything. */
    assert_null(strstr(err.message, "room"));
}

static void test_a_line_is_corrected_or_added_with_its_version_checked(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    enum cairn_mark_result result;
    admit_ten(s);
    struct cairn_session ses = group("2026-11-20");
    struct cairn_roster_entry roster[2] = {entry("R-1", CAIRN_ABSENT, -1),
                                           entry("R-2", CAIRN_ATTENDED, -1)};
    assert_int_equal(cairn_session_log(s, &ses, roster, 2, &err), CAIRN_OK);
    int64_t audits = unit_audit_count(s);
    /* Marked absent by mistake: came, but late. */
    struct cairn_roster_entry fix = entry("R-1", CAIRN_LATE, 150);
    assert_int_equal(cairn_attendance_mark(s, ses.id, &fix, 1, &result, &err), CAIRN_OK);
    assert_int_equal(result, CAIRN_MARK_CHANGED);
    assert_int_equal(unit_query_int(s, "SELECT minutes_attended FROM attendance a JOIN patient p "
                                       "ON p.id = a.patient_id WHERE p.mrn = 'R-1'"),
                     150);
    assert_int_equal(unit_audit_count(s), audits + 1);
    /* The same again changes nothing and writes nothing. */
    assert_int_equal(cairn_attendance_mark(s, ses.id, &fix, 0, &result, &err), CAIRN_OK);
    assert_int_equal(result, CAIRN_MARK_UNCHANGED);
    assert_int_equal(unit_audit_count(s), audits + 1);
    /* From the version read before the correction: refused, audited. */
    struct cairn_roster_entry stale = entry("R-1", CAIRN_EXCUSED, -1);
    assert_int_equal(cairn_attendance_mark(s, ses.id, &stale, 1, &result, &err),
                     CAIRN_ERR_CONFLICT);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE entity = 'attendance' "
                                       "AND outcome = 'conflict'"),
                     1);
    /* Late needs the minutes, as on a roster. */
    struct cairn_roster_entry late = entry("R-2", CAIRN_LATE, -1);
    assert_int_equal(cairn_attendance_mark(s, ses.id, &late, 0, &result, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "minutes_attended");
    /* Forgotten on the roster: added, with the roster's checks. */
    struct cairn_roster_entry added = entry("R-3", CAIRN_ATTENDED, -1);
    assert_int_equal(cairn_attendance_mark(s, ses.id, &added, 0, &result, &err), CAIRN_OK);
    assert_int_equal(result, CAIRN_MARK_ADDED);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM attendance"), 3);
    assert_int_equal(cairn_attendance_mark(s, 9999, &added, 0, &result, &err), CAIRN_ERR_NOT_FOUND);
    assert_string_equal(err.pointer, "session");
}

static void test_caseload_summary_has_trend_week_and_hours(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    struct cairn_patient p;
    unit_admit(s, program_yaml, "S-1", "2026-11-02", &p);
    static const int totals[][9] = {
        {3, 3, 2, 2, 2, 2, 2, 1, 0}, {2, 2, 1, 1, 1, 1, 1, 1, 0}, {1, 1, 0, 1, 0, 0, 1, 0, 0}};
    const char *dates[] = {"2026-11-03", "2026-11-10", "2026-11-17"};
    for (int i = 0; i < 3; i++) {
        struct cairn_measure m;
        memset(&m, 0, sizeof m);
        m.patient_id = p.id;
        m.instrument = CAIRN_INSTRUMENT_PHQ9;
        snprintf(m.date, sizeof m.date, "%s", dates[i]);
        m.nanswers = 9;
        memcpy(m.answers, totals[i], sizeof totals[i]);
        assert_int_equal(cairn_measure_add(s, &m, &err), CAIRN_OK);
    }
    struct cairn_session ses = group("2026-11-23"); /* today, a Monday */
    struct cairn_roster_entry e = entry("S-1", CAIRN_LATE, 150);
    assert_int_equal(cairn_session_log(s, &ses, &e, 1, &err), CAIRN_OK);
    int64_t audits = unit_audit_count(s);
    struct cairn_care_summary sum;
    assert_int_equal(cairn_care_summary(s, &p, unit_today(), &sum, &err), CAIRN_OK);
    assert_int_equal(sum.nphq9, 3);
    assert_int_equal(sum.phq9[0], 17);
    assert_int_equal(sum.phq9[2], 4);
    assert_int_equal(sum.gad7, -1);
    assert_true(sum.in_care);
    assert_int_equal(sum.week_of_stay, 4); /* 21 days after admission */
    assert_int_equal(sum.now.minutes_attended, 150);
    assert_int_equal(sum.now.min_minutes, 540);
    assert_false(sum.now.meets_hours);
    /* A list, not a read of the record: no audit row. */
    assert_int_equal(unit_audit_count(s), audits);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_week_totals_hours_days_and_the_minimum),
        cmocka_unit_test(test_week_53_and_the_year_boundary),
        cmocka_unit_test(test_late_minutes_are_the_end_of_the_session),
        cmocka_unit_test(test_csv_reads_rfc_4180),
        cmocka_unit_test(test_csv_refuses_malformed_input_with_its_place),
        cmocka_unit_test_setup_teardown(test_a_roster_is_logged_whole_and_audited,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(test_a_bad_roster_line_writes_nothing, unit_setup_memory,
                                        unit_teardown),
        cmocka_unit_test_setup_teardown(test_csv_import_is_all_or_nothing_and_names_the_line,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(test_a_line_is_corrected_or_added_with_its_version_checked,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(test_caseload_summary_has_trend_week_and_hours,
                                        unit_setup_memory, unit_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Reports: the pure parts first (stay buckets, totals, the text pages,
 * the CSV formula guard, escaping, a failing sink), over hand-built rows
 * written to a memory sink; then the store: the caseload rows' grouping,
 * order and filters, the refusals, and the report's one audit row. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"

#define MEM(t) cmocka_unit_test_setup_teardown(t, unit_setup_memory, unit_teardown)

/* --- a memory sink ----------------------------------------------------------- */

struct sink {
    char *buf;
    size_t len, cap;
    size_t fail_after; /* 0: never fail; else fail once this many bytes are written */
};

static int sink_write(const void *data, size_t n, void *ctx)
{
    struct sink *s = ctx;
    if (s->fail_after && s->len + n > s->fail_after)
        return -1;
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + n + 1)
            cap *= 2;
        char *g = realloc(s->buf, cap);
        assert_non_null(g);
        s->buf = g;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len] = '\0';
    return 0;
}

/* --- hand-built rows ----------------------------------------------------------- */

static void init_row(struct cairn_report_row *r, const char *clinician, const char *mrn,
                     const char *name, enum cairn_risk risk)
{
    memset(r, 0, sizeof *r);
    r->patient_id = 1;
    snprintf(r->mrn, sizeof r->mrn, "%s", mrn);
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->program, sizeof r->program, "virtual-mh-iop");
    snprintf(r->clinician, sizeof r->clinician, "%s", clinician);
    snprintf(r->clinician_name, sizeof r->clinician_name, "Name of %s", clinician);
    r->status = CAIRN_PATIENT_ACTIVE;
    r->risk = risk;
    r->week_of_stay = 3;
    r->attendance.min_minutes = 540;
    r->attendance.min_days = 3;
    r->attendance.minutes_attended = 600;
    r->attendance.days_attended = 3;
    r->attendance.meets_hours = r->attendance.meets_days = true;
    r->phq9.total = r->phq9.band = r->phq9.baseline = -1;
    r->gad7.total = r->gad7.band = r->gad7.baseline = -1;
    for (int k = 0; k < CAIRN_REPORT_TREND_WEEKS; k++)
        r->phq9.weekly[k] = r->gad7.weekly[k] = -1;
    snprintf(r->review, sizeof r->review, "due");
    r->reviews_due = 1;
}

static void add_alert(struct cairn_report_row *r, enum cairn_alert_rule rule, const char *reason)
{
    struct cairn_report_alert *a = &r->alerts[r->nalerts++];
    a->rule = rule;
    a->severity = cairn_alert_rule_severity(rule);
    snprintf(a->reason, sizeof a->reason, "%s", reason);
}

static void meta(struct cairn_report_meta *m)
{
    cairn_report_meta_init(m, 2026, 47, unit_today(), "tester");
}

/* Renders rows in `format` into *out (free out->buf). */
static enum cairn_status render(enum cairn_report_format format,
                                const struct cairn_report_row *rows, size_t n, struct sink *out)
{
    struct cairn_report_meta m;
    struct cairn_report_renderer *r = NULL;
    struct cairn_error err;
    enum cairn_status rc;
    meta(&m);
    if ((rc = cairn_report_render_begin(format, &m, sink_write, out, &r, &err)) != CAIRN_OK)
        return rc;
    for (size_t i = 0; i < n && rc == CAIRN_OK; i++)
        rc = cairn_report_render_row(r, &rows[i], &err);
    if (rc == CAIRN_OK)
        rc = cairn_report_render_end(r, &err);
    cairn_report_render_free(&r);
    assert_null(r);
    return rc;
}

/* --- pure ------------------------------------------------------------------------ */

static void test_stay_buckets_are_weeks_one_to_eight_then_nine_and_later(void **state)
{
    (void)state;
    assert_int_equal(cairn_report_stay_bucket(0), 0);
    assert_int_equal(cairn_report_stay_bucket(1), 0);
    assert_int_equal(cairn_report_stay_bucket(2), 1);
    assert_int_equal(cairn_report_stay_bucket(8), 7);
    assert_int_equal(cairn_report_stay_bucket(9), 8);
    assert_int_equal(cairn_report_stay_bucket(40), 8);
}

static void test_as_of_is_the_weeks_sunday_or_today_when_earlier(void **state)
{
    (void)state;
    /* Today is Monday 2026-11-23 (W48). */
    assert_int_equal(cairn_report_as_of(unit_today(), 2026, 47), unit_today() - 1);
    assert_int_equal(cairn_report_as_of(unit_today(), 2026, 48), unit_today());
}

static void test_totals_count_bands_changes_risk_and_below_minimum(void **state)
{
    (void)state;
    struct cairn_report_totals t;
    struct cairn_report_row r;
    memset(&t, 0, sizeof t);
    init_row(&r, "t1", "A-1", "Ann", CAIRN_RISK_HIGH);
    r.phq9.total = 18;
    r.phq9.band = 3; /* moderately severe */
    r.phq9.baseline = 12;
    r.phq9.changes = 1u << CAIRN_CHANGE_RELIABLE_WORSENING;
    r.phq9.weekly[7] = 18;
    r.gad7.total = 3;
    r.gad7.band = 0;
    r.gad7.baseline = 12;
    r.gad7.changes = 1u << CAIRN_CHANGE_RELIABLE_IMPROVEMENT | 1u << CAIRN_CHANGE_REMISSION;
    r.attendance.minutes_attended = 300;
    r.attendance.meets_hours = false;
    r.week_of_stay = 11;
    add_alert(&r, CAIRN_ALERT_PHQ9_ITEM9, "phq9_item9: urgent");
    add_alert(&r, CAIRN_ALERT_PHQ9_WORSE, "phq9_worse: warning");
    add_alert(&r, CAIRN_ALERT_PLAN_REVIEW, "plan_review_due: info, not counted");
    r.alerts[1].acknowledged = true; /* acknowledged: not open */
    r.steps_mastered_week = 2;
    r.ladders_mastered_week = 1;
    r.discharge_due = true;
    r.reviews_overdue = 2;
    r.reviews_awaiting = 1;
    cairn_report_totals_add(&t, &r);

    init_row(&r, "t1", "A-2", "Bea", CAIRN_RISK_UNSET);
    r.attendance.min_minutes = r.attendance.min_days = 0; /* no program minimum */
    cairn_report_totals_add(&t, &r);

    init_row(&r, "t1", "A-3", "Cy", CAIRN_RISK_LOW);
    r.status = CAIRN_PATIENT_ON_HOLD;
    add_alert(&r, CAIRN_ALERT_CSSRS_HIGH, "cssrs_high: urgent on hold");
    r.phq9.total = 20;
    r.phq9.band = 4;
    cairn_report_totals_add(&t, &r);

    assert_int_equal(t.active, 2);
    assert_int_equal(t.on_hold, 1);
    assert_int_equal(t.risk_stay[CAIRN_RISK_HIGH][8], 1);
    assert_int_equal(t.risk_stay[CAIRN_RISK_UNSET][2], 1);
    assert_int_equal(t.risk_stay[CAIRN_RISK_LOW][2], 0); /* on hold: not in the caseload */
    assert_int_equal(t.minutes_attended, 300);
    assert_int_equal(t.minutes_minimum, 540);
    assert_int_equal(t.below_minimum, 1);
    assert_int_equal(t.no_minimum, 1);
    assert_int_equal(t.phq9.bands[3], 1);
    assert_int_equal(t.phq9.bands[4], 0); /* the on-hold patient's score is not counted */
    assert_int_equal(t.phq9.none, 1);
    assert_int_equal(t.phq9.worse, 1);
    assert_int_equal(t.phq9.improved, 0);
    assert_int_equal(t.gad7.bands[0], 1);
    assert_int_equal(t.gad7.improved, 1);
    assert_int_equal(t.gad7.remission, 1);
    assert_int_equal(t.phq9.trend_n[7], 1);
    assert_int_equal(t.phq9.trend_sum[7], 18);
    assert_int_equal(t.phq9.trend_n[6], 0);
    assert_int_equal(t.reviews_due, 2);
    assert_int_equal(t.reviews_overdue, 2);
    assert_int_equal(t.reviews_awaiting, 1);
    assert_int_equal(t.alerts_urgent, 2); /* one active, one on hold */
    assert_int_equal(t.alerts_warning, 0);
    assert_int_equal(t.steps_mastered_week, 2);
    assert_int_equal(t.ladders_mastered_week, 1);
    assert_int_equal(t.discharges_due, 1);
}

/* Display columns of one line (up to its end or a newline). */
static size_t line_width(const char *line, size_t n)
{
    char buf[4096];
    assert_true(n < sizeof buf);
    memcpy(buf, line, n);
    buf[n] = '\0';
    return cairn_text_width(buf);
}

static void test_text_pages_are_80_columns_60_lines_and_numbered(void **state)
{
    (void)state;
    enum { N = 150 };
    struct cairn_report_row *rows = calloc(N, sizeof *rows);
    struct sink out = {0};
    assert_non_null(rows);
    for (int i = 0; i < N; i++) {
        char mrn[16], name[64];
        snprintf(mrn, sizeof mrn, "P-%04d", i);
        /* Long and wide names must be cut by display width. */
        snprintf(name, sizeof name,
                 i % 3 ? "Zoë Ångström-Hálfdanardóttir %d" : "名前の長い患者さん %d", i);
        init_row(&rows[i],
                 i < 70    ? "t1"
                 : i < 120 ? "t2"
                           : "",
                 mrn, name, (enum cairn_risk)(3 - i % 4));
        if (i % 5 == 0)
            add_alert(&rows[i], CAIRN_ALERT_LADDER_STALLED,
                      "ladder_stalled: no attempt on \"Social reintegration\" for 43 days, since "
                      "2026-10-11 (alert after 14) and a long tail to wrap");
        if (i % 7 == 0)
            add_alert(&rows[i], CAIRN_ALERT_PHQ9_ITEM9, "phq9_item9: PHQ-9 item 9 is 2");
    }
    assert_int_equal(render(CAIRN_REPORT_TEXT, rows, N, &out), CAIRN_OK);

    /* Pages: split at form feeds; each at most 60 lines, each headed "page
     * i of M" with M the number of pages. */
    size_t npages = 1;
    for (size_t i = 0; i < out.len; i++)
        npages += out.buf[i] == '\f';
    assert_true(npages >= 5);
    size_t page = 0;
    char *p = out.buf;
    while (p) {
        char *ff = strchr(p, '\f');
        size_t len = ff ? (size_t)(ff - p) : strlen(p);
        size_t lines = 0;
        char expect[64];
        snprintf(expect, sizeof expect, "page %zu of %zu\n", page + 1, npages);
        char *nl = memchr(p, '\n', len);
        assert_non_null(nl);
        /* The first line of the page ends with its number. */
        assert_true((size_t)(nl - p) + 1 >= strlen(expect));
        assert_memory_equal(nl + 1 - strlen(expect), expect, strlen(expect));
        for (size_t i = 0, start = 0; i < len; i++) {
            if (p[i] != '\n')
                continue;
            lines++;
            assert_true(line_width(p + start, i - start) <= CAIRN_REPORT_COLUMNS);
            assert_false(i > start && p[i - 1] == ' '); /* no trailing spaces */
            start = i + 1;
        }
        assert_true(lines <= CAIRN_REPORT_PAGE_LINES);
        page++;
        p = ff ? ff + 1 : NULL;
    }
    assert_int_equal(page, npages);
    /* Each clinician starts a page; unassigned is named; totals at the end. */
    assert_non_null(strstr(out.buf, "Clinician: t1 Name of t1\n"));
    assert_non_null(strstr(out.buf, "Clinician: unassigned"));
    assert_non_null(strstr(out.buf, "OVERALL TOTALS"));
    assert_non_null(strstr(out.buf, "TOTALS all patients in this report: 150 active, 0 on hold"));
    assert_non_null(strstr(
        out.buf, "\n             since 2026-10-11 (alert after 14) and a long tail to wrap\n"));
    free(out.buf);
    free(rows);
}

static void test_text_strips_terminal_control_characters(void **state)
{
    (void)state;
    struct cairn_report_row r;
    struct sink out = {0};
    init_row(&r, "t1", "A-1", "Eve \x1b[31mRed\x07", CAIRN_RISK_LOW);
    add_alert(&r, CAIRN_ALERT_PHQ9_WORSE, "phq9_worse: \x1b]0;title\x07 injected");
    for (int f = 0; f < CAIRN_REPORT_FORMAT__COUNT; f++) {
        out.len = 0;
        assert_int_equal(render((enum cairn_report_format)f, &r, 1, &out), CAIRN_OK);
        assert_null(memchr(out.buf, 0x1b, out.len));
        assert_null(memchr(out.buf, 0x07, out.len));
    }
    free(out.buf);
}

static void test_csv_guards_cells_a_spreadsheet_would_run(void **state)
{
    (void)state;
    static const char *const names[] = {
        "=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tTab", "Plain, Name"};
    struct cairn_report_row rows[6];
    struct sink out = {0};
    for (int i = 0; i < 6; i++)
        init_row(&rows[i], "t1", "A-1", names[i], CAIRN_RISK_LOW);
    assert_int_equal(render(CAIRN_REPORT_CSV, rows, 6, &out), CAIRN_OK);
    assert_non_null(strstr(out.buf, ",\"'=HYPERLINK(\"\"http://x\"\")\","));
    assert_non_null(strstr(out.buf, ",\"'+1\","));
    assert_non_null(strstr(out.buf, ",\"'-2\","));
    assert_non_null(strstr(out.buf, ",\"'@SUM(A1)\","));
    assert_non_null(strstr(out.buf, ",\"'\tTab\","));
    assert_non_null(strstr(out.buf, ",\"Plain, Name\","));
    /* RFC 4180: CRLF, a header and one record per patient. */
    size_t crlf = 0;
    for (char *p = out.buf; (p = strstr(p, "\r\n")); p += 2)
        crlf++;
    assert_int_equal(crlf, 7);
    assert_memory_equal(out.buf, "clinician,mrn,name,", 19);
    free(out.buf);
}

static void test_html_is_escaped_self_contained_with_charts(void **state)
{
    (void)state;
    struct cairn_report_row r;
    struct sink out = {0};
    init_row(&r, "t1", "A-1", "<script>alert('x')</script> & Co", CAIRN_RISK_HIGH);
    r.phq9.total = 12;
    r.phq9.band = 2;
    r.phq9.weekly[6] = 14;
    r.phq9.weekly[7] = 12;
    assert_int_equal(render(CAIRN_REPORT_HTML, &r, 1, &out), CAIRN_OK);
    assert_null(strstr(out.buf, "<script"));
    assert_non_null(strstr(out.buf, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"));
    assert_null(strstr(out.buf, "src="));
    assert_null(strstr(out.buf, "href="));
    assert_null(strstr(out.buf, "http"));
    assert_non_null(strstr(out.buf, "<svg"));
    assert_non_null(strstr(out.buf, "@media print"));
    assert_non_null(strstr(out.buf, "</html>\n"));
    free(out.buf);
}

static void test_markdown_escapes_table_pipes(void **state)
{
    (void)state;
    struct cairn_report_row r;
    struct sink out = {0};
    init_row(&r, "t1", "A-1", "Pipe | Name", CAIRN_RISK_HIGH);
    assert_int_equal(render(CAIRN_REPORT_MD, &r, 1, &out), CAIRN_OK);
    assert_non_null(strstr(out.buf, "| Pipe \\| Name |"));
    free(out.buf);
}

static void test_a_failing_sink_fails_the_report(void **state)
{
    (void)state;
    struct cairn_report_row *rows = calloc(200, sizeof *rows);
    assert_non_null(rows);
    for (int i = 0; i < 200; i++)
        init_row(&rows[i], "t1", "A-1", "Name", CAIRN_RISK_LOW);
    for (int f = 0; f < CAIRN_REPORT_FORMAT__COUNT; f++) {
        struct sink out = {.fail_after = 1000};
        assert_int_equal(render((enum cairn_report_format)f, rows, 200, &out), CAIRN_ERR_IO);
        free(out.buf);
    }
    free(rows);
}

/* --- the store --------------------------------------------------------------------- */

/* Adds patient `mrn` `name` with the given staff, risk and status (active
 * or on hold, admitted 2026-11-02 to program `program`). */
static int64_t patient(struct cairn_store *s, const char *mrn, const char *name, int64_t therapist,
                       int64_t case_manager, enum cairn_risk risk, int64_t program, bool on_hold)
{
    struct cairn_patient p;
    struct cairn_error err;
    unit_patient_init(&p, mrn, name);
    p.therapist_id = therapist;
    p.case_manager_id = case_manager;
    p.risk = risk;
    if (cairn_patient_add(s, &p, &err) != CAIRN_OK)
        fail_msg("adding %s: %s", mrn, err.message);
    snprintf(p.admission_date, sizeof p.admission_date, "2026-11-02");
    p.program_id = program;
    if (cairn_patient_change_status(s, &p, CAIRN_PATIENT_ACTIVE, &err) != CAIRN_OK)
        fail_msg("admitting %s: %s", mrn, err.message);
    if (on_hold && cairn_patient_change_status(s, &p, CAIRN_PATIENT_ON_HOLD, &err) != CAIRN_OK)
        fail_msg("holding %s: %s", mrn, err.message);
    return p.id;
}

struct seen {
    size_t n;
    char rows[16][96];
};

static int remember(const struct cairn_report_row *row, void *ctx)
{
    struct seen *s = ctx;
    if (s->n < 16)
        snprintf(s->rows[s->n++], sizeof s->rows[0], "%s %s %s w%d%s",
                 row->clinician[0] ? row->clinician : "-", row->mrn, cairn_risk_str(row->risk),
                 row->week_of_stay, row->status == CAIRN_PATIENT_ON_HOLD ? " hold" : "");
    return 0;
}

static void caseload(struct cairn_store *s)
{
    int64_t t1 = unit_add_staff(s, "t1", CAIRN_ROLE_THERAPIST);
    int64_t t2 = unit_add_staff(s, "t2", CAIRN_ROLE_THERAPIST);
    int64_t cm = unit_add_staff(s, "cm", CAIRN_ROLE_CASE_MANAGER);
    int64_t a = unit_add_program(s, "prog-a", 8);
    int64_t b = unit_add_program(s, "prog-b", 8);
    patient(s, "P-1", "Zed Low", t1, cm, CAIRN_RISK_LOW, a, false);
    patient(s, "P-2", "Amy Low", t1, cm, CAIRN_RISK_LOW, a, false);
    patient(s, "P-3", "Bob High", t1, 0, CAIRN_RISK_HIGH, b, false);
    patient(s, "P-4", "Cat Hold", t1, 0, CAIRN_RISK_HIGH, a, true);
    patient(s, "P-5", "Dan Cm", 0, cm, CAIRN_RISK_MODERATE, a, false);
    patient(s, "P-6", "Eve Nobody", 0, 0, CAIRN_RISK_UNSET, b, false);
    patient(s, "P-7", "Fay Two", t2, cm, CAIRN_RISK_UNSET, b, false);
    unit_add_patient(s, "P-8", "Gus Referred", NULL); /* not in any report */
}

static void test_rows_group_by_primary_clinician_then_risk_then_name(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_report_filter f = {.iso_year = 2026, .week = 48};
    struct cairn_error err;
    struct seen seen = {0};
    caseload(s);
    assert_int_equal(cairn_report_rows(s, &f, remember, &seen, &err), CAIRN_OK);
    assert_int_equal(seen.n, 7);
    assert_string_equal(seen.rows[0], "cm P-5 moderate w4");
    assert_string_equal(seen.rows[1], "t1 P-3 high w4");
    assert_string_equal(seen.rows[2], "t1 P-2 low w4");
    assert_string_equal(seen.rows[3], "t1 P-1 low w4");
    assert_string_equal(seen.rows[4], "t1 P-4 high w4 hold");
    assert_string_equal(seen.rows[5], "t2 P-7  w4");
    assert_string_equal(seen.rows[6], "- P-6  w4");

    /* One clinician: therapist or case manager, all in its group. */
    memset(&seen, 0, sizeof seen);
    f.clinician = "cm";
    assert_int_equal(cairn_report_rows(s, &f, remember, &seen, &err), CAIRN_OK);
    assert_int_equal(seen.n, 4);
    assert_string_equal(seen.rows[0], "cm P-5 moderate w4");
    assert_string_equal(seen.rows[1], "cm P-2 low w4");
    assert_string_equal(seen.rows[2], "cm P-1 low w4");
    assert_string_equal(seen.rows[3], "cm P-7  w4");

    /* A program. */
    memset(&seen, 0, sizeof seen);
    f.clinician = NULL;
    f.program = "prog-b";
    assert_int_equal(cairn_report_rows(s, &f, remember, &seen, &err), CAIRN_OK);
    assert_int_equal(seen.n, 3);
    assert_string_equal(seen.rows[0], "t1 P-3 high w4");

    /* Last week: week of stay as of its Sunday. */
    memset(&seen, 0, sizeof seen);
    f.program = NULL;
    f.week = 45; /* admitted Monday 2026-11-02: week 45 is the first */
    assert_int_equal(cairn_report_rows(s, &f, remember, &seen, &err), CAIRN_OK);
    assert_string_equal(seen.rows[0], "cm P-5 moderate w1");
}

static void test_rows_refuse_unknown_names_and_weeks_to_come(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_report_filter f = {.iso_year = 2026, .week = 48, .clinician = "nobody"};
    struct cairn_error err;
    struct seen seen = {0};
    caseload(s);
    assert_int_equal(cairn_report_rows(s, &f, remember, &seen, &err), CAIRN_ERR_NOT_FOUND);
    assert_string_equal(err.pointer, "clinician");
    f.clinician = NULL;
    f.program = "nope";
    assert_int_equal(cairn_report_rows(s, &f, remember, &seen, &err), CAIRN_ERR_NOT_FOUND);
    assert_string_equal(err.pointer, "program");
    f.program = NULL;
    f.week = 49;
    assert_int_equal(cairn_report_rows(s, &f, remember, &seen, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "week");
    f.week = 53; /* 2026 has 53 ISO weeks, but it has not begun */
    assert_int_equal(cairn_report_rows(s, &f, remember, &seen, &err), CAIRN_ERR_INVALID);
    f.iso_year = 2025;
    f.week = 53; /* 2025 has 52 */
    assert_int_equal(cairn_report_rows(s, &f, remember, &seen, &err), CAIRN_ERR_INVALID);
    assert_int_equal(seen.n, 0);
}

static void test_caseload_report_is_audited_once_without_a_patient(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_report_options o = {.week = "2026-W47"};
    struct cairn_error err;
    struct sink out = {0};
    caseload(s);
    int64_t before = unit_audit_count(s);
    assert_int_equal(cairn_report_caseload(s, &o, CAIRN_REPORT_JSON, sink_write, &out, &err),
                     CAIRN_OK);
    assert_int_equal(unit_audit_count(s), before + 1);
    char text[128];
    unit_query_text(s,
                    "SELECT action || ' ' || entity || ' ' || coalesce(patient_id, 'none') || ' ' "
                    "|| fields FROM audit ORDER BY id DESC LIMIT 1",
                    text, sizeof text);
    assert_string_equal(text, "read report none caseload,week");
    assert_non_null(strstr(out.buf, "\"week\": \"2026-W47\""));
    /* A refused filter writes nothing and audits nothing. */
    o.clinician = "nobody";
    out.len = 0;
    assert_int_equal(cairn_report_caseload(s, &o, CAIRN_REPORT_TEXT, sink_write, &out, &err),
                     CAIRN_ERR_NOT_FOUND);
    assert_int_equal(out.len, 0);
    assert_int_equal(unit_audit_count(s), before + 1);
    o.clinician = NULL;
    o.week = "2026-W99";
    assert_int_equal(cairn_report_caseload(s, &o, CAIRN_REPORT_TEXT, sink_write, &out, &err),
                     CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "week");
    free(out.buf);
}

static void test_patient_report_is_an_audited_read(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    struct sink out = {0};
    caseload(s);
    int64_t before = unit_audit_count(s);
    assert_int_equal(
        cairn_report_patient(s, "P-3", CAIRN_REPORT_TEXT, false, sink_write, &out, &err), CAIRN_OK);
    assert_true(unit_audit_count(s) > before);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE action = 'read' AND "
                                       "entity = 'patient' AND patient_id = 3"),
                     1);
    assert_non_null(strstr(out.buf, "PATIENT SUMMARY  P-3\n"));
    for (char *p = out.buf, *nl; (nl = strchr(p, '\n')); p = nl + 1)
        assert_true(line_width(p, (size_t)(nl - p)) <= CAIRN_REPORT_COLUMNS);
    assert_int_equal(
        cairn_report_patient(s, "P-3", CAIRN_REPORT_CSV, false, sink_write, &out, &err),
        CAIRN_ERR_INVALID);
    assert_int_equal(
        cairn_report_patient(s, "NOPE", CAIRN_REPORT_TEXT, false, sink_write, &out, &err),
        CAIRN_ERR_NOT_FOUND);
    free(out.buf);
}

int main(void)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stay_buckets_are_weeks_one_to_eight_then_nine_and_later),
        cmocka_unit_test(test_as_of_is_the_weeks_sunday_or_today_when_earlier),
        cmocka_unit_test(test_totals_count_bands_changes_risk_and_below_minimum),
        cmocka_unit_test(test_text_pages_are_80_columns_60_lines_and_numbered),
        cmocka_unit_test(test_text_strips_terminal_control_characters),
        cmocka_unit_test(test_csv_guards_cells_a_spreadsheet_would_run),
        cmocka_unit_test(test_html_is_escaped_self_contained_with_charts),
        cmocka_unit_test(test_markdown_escapes_table_pipes),
        cmocka_unit_test(test_a_failing_sink_fails_the_report),
        MEM(test_rows_group_by_primary_clinician_then_risk_then_name),
        MEM(test_rows_refuse_unknown_names_and_weeks_to_come),
        MEM(test_caseload_report_is_audited_once_without_a_patient),
        MEM(test_patient_report_is_an_audited_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

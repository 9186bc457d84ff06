/* Per-patient summaries (store_facts.c): the alert facts read from a
 * summary equal the facts read from the data, for every patient of a demo
 * caseload, on the day of the data and on later days, and after changes
 * through the public API; a summary that cannot answer is not used. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"
#include "report_internal.h"

struct compare {
    struct cairn_store *s;
    int patients, mismatches;
};

static void describe(const char *what, const struct cairn_alert_facts *a,
                     const struct cairn_alert_facts *b)
{
    print_message("%s differs for patient %lld: phq9 %lld/%lld this week %d/%d min last week "
                  "%d/%d min ladder %lld/%lld since %d/%d overdue %d/%d lapses %d/%d plan "
                  "%lld/%lld acks %d/%d\n",
                  what, (long long)a->patient_id, (long long)a->phq9.id, (long long)b->phq9.id,
                  a->this_week.minutes_attended, b->this_week.minutes_attended,
                  a->last_week.minutes_attended, b->last_week.minutes_attended,
                  (long long)a->stalled_ladder_id, (long long)b->stalled_ladder_id,
                  (int)a->stalled_since, (int)b->stalled_since, a->overdue_reviews,
                  b->overdue_reviews, a->lapses_this_week, b->lapses_this_week,
                  (long long)a->plan_id, (long long)b->plan_id, a->acks, b->acks);
}

static int compare_one(const struct cairn_patient *p, const struct cairn_alert_facts *f,
                       const struct store_summary_more *more, void *vc)
{
    (void)more;
    struct compare *c = vc;
    struct cairn_alert_facts exact;
    struct cairn_error err;
    c->patients++;
    if (store_alert_facts_exact(c->s, p, &exact, &err) != CAIRN_OK)
        fail_msg("exact facts: %s", err.message);
    if (memcmp(&exact, f, sizeof exact) != 0) {
        if (c->mismatches++ < 5)
            describe("summary", f, &exact);
    }
    /* And the one-patient read agrees too. */
    struct cairn_alert_facts one;
    if (cairn_alert_facts_load(c->s, p, &one, &err) != CAIRN_OK)
        fail_msg("facts: %s", err.message);
    if (memcmp(&exact, &one, sizeof exact) != 0 && c->mismatches++ < 5)
        describe("one patient's summary", &one, &exact);
    return 0;
}

/* Compares every patient's facts both ways as of the store's today;
 * returns how many patients were compared. */
static int compare_all(struct cairn_store *s)
{
    struct compare c = {.s = s};
    struct store_facts_filter all = {.status_mask = (1u << CAIRN_PATIENT_STATUS__COUNT) - 1};
    struct cairn_error err;
    if (store_facts_scan(s, &all, compare_one, &c, &err) != CAIRN_OK)
        fail_msg("scan: %s", err.message);
    if (c.mismatches)
        fail_msg("%d of %d patients' facts differ (day %d)", c.mismatches, c.patients,
                 (int)cairn_store_today(s));
    return c.patients;
}

static struct cairn_store *demo_store(void **state, unsigned patients)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    struct cairn_demo_options opts = {.patients = patients, .seed = 3, .today = unit_today()};
    struct cairn_demo_stats stats;
    if (cairn_demo_generate(s, &opts, &stats, &err) != CAIRN_OK)
        fail_msg("demo: %s", err.message);
    return s;
}

static void test_facts_summaries_exist_for_every_patient(void **state)
{
    struct cairn_store *s = demo_store(state, 120);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM patient_summary"),
                     unit_patient_count(s));
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM patient_summary WHERE as_of <> "
                                       "(SELECT max(as_of) FROM patient_summary)"),
                     0);
}

static void test_facts_summary_equals_the_data_on_later_days(void **state)
{
    struct cairn_store *s = demo_store(state, 300);
    static const int later[] = {0, 1, 2, 4, 6, 7, 8, 13, 14, 15, 21, 40, 120};
    for (size_t i = 0; i < sizeof later / sizeof later[0]; i++) {
        cairn_store_set_today(s, unit_today() + later[i]);
        s->summary_misses = 0;
        assert_int_equal(compare_all(s), 300);
        /* Every patient was read from the summary, not the data. */
        assert_int_equal(s->summary_misses, 0);
    }
}

static void test_facts_summary_follows_changes(void **state)
{
    struct cairn_store *s = demo_store(state, 80);
    struct cairn_error err;
    int64_t pid = unit_query_int(s, "SELECT min(id) FROM patient WHERE status = 'active'");
    /* A PHQ-9 with item 9 answered. */
    struct cairn_measure m = {.patient_id = pid,
                              .instrument = CAIRN_INSTRUMENT_PHQ9,
                              .nanswers = 9,
                              .answers = {2, 2, 2, 2, 2, 2, 2, 2, 1}};
    cairn_date_format(unit_today(), m.date);
    if (cairn_measure_add(s, &m, &err) != CAIRN_OK)
        fail_msg("measure: %s", err.message);
    /* A relapse today. */
    struct cairn_lapse lapse = {.patient_id = pid};
    cairn_date_format(unit_today(), lapse.date);
    snprintf(lapse.kind, sizeof lapse.kind, "relapse");
    if (cairn_lapse_add(s, &lapse, &err) != CAIRN_OK)
        fail_msg("lapse: %s", err.message);
    /* An attendance line corrected to absent. */
    int64_t session = unit_query_int(s, "SELECT a.session_id FROM attendance a JOIN patient p ON "
                                        "p.id = a.patient_id WHERE p.status = 'active' AND "
                                        "a.status = 'attended' ORDER BY a.date DESC LIMIT 1");
    int64_t who = unit_query_int(s, "SELECT a.patient_id FROM attendance a JOIN patient p ON "
                                    "p.id = a.patient_id WHERE p.status = 'active' AND "
                                    "a.status = 'attended' ORDER BY a.date DESC LIMIT 1");
    struct cairn_patient p;
    char mrn_sql[96];
    snprintf(mrn_sql, sizeof mrn_sql, "SELECT id FROM patient WHERE id = %lld", (long long)who);
    assert_int_equal(unit_query_int(s, mrn_sql), who);
    {
        sqlite3_stmt *st;
        assert_int_equal(
            sqlite3_prepare_v2(store_db(s), "SELECT mrn FROM patient WHERE id = ?1", -1, &st, NULL),
            SQLITE_OK);
        sqlite3_bind_int64(st, 1, who);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        struct cairn_roster_entry e = {.status = CAIRN_ABSENT, .minutes_attended = -1};
        snprintf(e.mrn, sizeof e.mrn, "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        enum cairn_mark_result result;
        if (cairn_attendance_mark(s, session, &e, 0, &result, &err) != CAIRN_OK)
            fail_msg("mark: %s", err.message);
        assert_int_equal(result, CAIRN_MARK_CHANGED);
        if (cairn_patient_find(s, e.mrn, &p, &err) != CAIRN_OK)
            fail_msg("find: %s", err.message);
    }
    s->summary_misses = 0;
    compare_all(s);
    assert_int_equal(s->summary_misses, 0);
    /* The summary saw the changes: the item-9 alert fires from it. */
    struct cairn_alert alerts[CAIRN_ALERT__COUNT];
    size_t n;
    struct cairn_patient first;
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(store_db(s), "SELECT mrn FROM patient WHERE id = ?1", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_int64(st, 1, pid);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    char mrn[CAIRN_MRN_MAX + 1];
    snprintf(mrn, sizeof mrn, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    assert_int_equal(cairn_patient_find(s, mrn, &first, &err), CAIRN_OK);
    assert_int_equal(cairn_alerts_for_patient(s, &first, alerts, &n, &err), CAIRN_OK);
    bool item9 = false, lapse_alert = false;
    for (size_t i = 0; i < n; i++) {
        item9 |= alerts[i].rule == CAIRN_ALERT_PHQ9_ITEM9;
        lapse_alert |= alerts[i].rule == CAIRN_ALERT_LAPSE;
    }
    assert_true(item9);
    assert_true(lapse_alert);
    assert_int_equal(s->summary_misses, 0);
}

static void test_facts_summary_from_a_later_day_is_not_used(void **state)
{
    struct cairn_store *s = demo_store(state, 60);
    /* The summaries were computed on unit_today(); a reader whose today is
     * earlier (a clock set back) gets the data itself, and the same facts. */
    cairn_store_set_today(s, unit_today() - 3);
    s->summary_misses = 0;
    assert_int_equal(compare_all(s), 60);
    /* Each patient read twice: by the scan and alone. */
    assert_int_equal(s->summary_misses, 2 * 60);
}

/* The caseload report's rows, collected in order. */
struct rows {
    struct cairn_report_row *v;
    size_t n, cap;
};

static int keep_row(const struct cairn_report_row *row, void *ctx)
{
    struct rows *r = ctx;
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
        assert_non_null(r->v);
    }
    r->v[r->n++] = *row;
    return 0;
}

static bool scores_equal(const struct cairn_report_score *a, const struct cairn_report_score *b)
{
    return a->total == b->total && a->band == b->band && strcmp(a->date, b->date) == 0 &&
           a->baseline == b->baseline && a->changes == b->changes &&
           memcmp(a->weekly, b->weekly, sizeof a->weekly) == 0;
}

/* Field by field: the strings up to their ends, the alerts that are there. */
static bool rows_equal(const struct cairn_report_row *a, const struct cairn_report_row *b)
{
    const char *const sa[] = {a->mrn,
                              a->name,
                              a->preferred_name,
                              a->program,
                              a->clinician,
                              a->clinician_name,
                              a->therapist,
                              a->case_manager,
                              a->admission_date,
                              a->review,
                              a->expected_discharge};
    const char *const sb[] = {b->mrn,
                              b->name,
                              b->preferred_name,
                              b->program,
                              b->clinician,
                              b->clinician_name,
                              b->therapist,
                              b->case_manager,
                              b->admission_date,
                              b->review,
                              b->expected_discharge};
    for (size_t i = 0; i < sizeof sa / sizeof sa[0]; i++)
        if (strcmp(sa[i], sb[i]) != 0)
            return false;
    if (a->patient_id != b->patient_id || a->status != b->status || a->risk != b->risk ||
        a->week_of_stay != b->week_of_stay ||
        memcmp(&a->attendance, &b->attendance, sizeof a->attendance) != 0 ||
        !scores_equal(&a->phq9, &b->phq9) || !scores_equal(&a->gad7, &b->gad7) ||
        a->reviews_due != b->reviews_due || a->reviews_overdue != b->reviews_overdue ||
        a->reviews_awaiting != b->reviews_awaiting || a->nalerts != b->nalerts ||
        a->steps_mastered_week != b->steps_mastered_week ||
        a->ladders_mastered_week != b->ladders_mastered_week ||
        a->discharge_due != b->discharge_due)
        return false;
    for (size_t i = 0; i < a->nalerts; i++)
        if (a->alerts[i].rule != b->alerts[i].rule ||
            a->alerts[i].severity != b->alerts[i].severity ||
            a->alerts[i].acknowledged != b->alerts[i].acknowledged ||
            strcmp(a->alerts[i].reason, b->alerts[i].reason) != 0)
            return false;
    return true;
}

/* Collects the rows of this week's whole-caseload report; returns how
 * many were read with the per-patient queries; *threads (when not NULL)
 * is how many threads collected them. */
static const char *report_clinician; /* the rows' clinician filter; NULL: everyone */

static unsigned long report_rows_threads(struct cairn_store *s, struct rows *out, unsigned *threads)
{
    struct cairn_report_filter f = {.clinician = report_clinician};
    struct cairn_error err;
    struct report_set *set;
    cairn_date_isoweek(cairn_store_today(s), &f.iso_year, &f.week);
    out->n = 0;
    if (store_report_collect(s, &f, &set, &err) != CAIRN_OK)
        fail_msg("report rows: %s", err.message);
    report_set_each(set, keep_row, out);
    unsigned long exact = report_set_exact_rows(set);
    if (threads)
        *threads = report_set_threads(set);
    report_set_free(&set);
    return exact;
}

static unsigned long report_rows(struct cairn_store *s, struct rows *out)
{
    return report_rows_threads(s, out, NULL);
}

/* Fails the test unless the two row lists are equal; `what` names them. */
static void assert_rows_equal(const struct rows *a, const struct rows *b, const char *what)
{
    assert_int_equal(a->n, b->n);
    for (size_t k = 0; k < a->n; k++)
        if (!rows_equal(&a->v[k], &b->v[k]))
            fail_msg("%s: row %zu differs (%s / %s)", what, k, a->v[k].mrn, b->v[k].mrn);
}

static void test_facts_report_rows_from_summaries_equal_the_data(void **state)
{
    struct cairn_store *s = demo_store(state, 300);
    static const int later[] = {0, 1, 2, 4, 6, 7, 8, 13, 14, 15, 21, 40, 120};
    struct rows fast = {0}, exact = {0};
    for (size_t i = 0; i < sizeof later / sizeof later[0]; i++) {
        cairn_store_set_today(s, unit_today() + later[i]);
        s->summary_misses = 0;
        /* Every row from the summaries, none read patient by patient. */
        assert_int_equal(report_rows(s, &fast), 0);
        assert_int_equal(s->summary_misses, 0);
        s->summaries_off = true;
        unsigned long read_exactly = report_rows(s, &exact);
        assert_int_equal(read_exactly, exact.n);
        s->summaries_off = false;
        assert_true(fast.n > 100);
        assert_int_equal(fast.n, exact.n);
        int mismatches = 0;
        for (size_t k = 0; k < fast.n; k++) {
            const struct cairn_report_row *a = &fast.v[k], *b = &exact.v[k];
            if (rows_equal(a, b))
                continue;
            if (mismatches++ < 5)
                print_message("day +%d row %zu %s/%s: phq9 %d/%d (%d/%d) gad7 %d/%d review %s/%s "
                              "overdue %d/%d awaiting %d/%d mastered %d/%d alerts %zu/%zu "
                              "minutes %d/%d\n",
                              later[i], k, a->mrn, b->mrn, a->phq9.total, b->phq9.total,
                              a->phq9.weekly[0], b->phq9.weekly[0], a->gad7.total, b->gad7.total,
                              a->review, b->review, a->reviews_overdue, b->reviews_overdue,
                              a->reviews_awaiting, b->reviews_awaiting, a->steps_mastered_week,
                              b->steps_mastered_week, a->nalerts, b->nalerts,
                              a->attendance.minutes_attended, b->attendance.minutes_attended);
        }
        if (mismatches)
            fail_msg("%d of %zu report rows differ on day +%d", mismatches, fast.n, later[i]);
    }
    free(fast.v);
    free(exact.v);
}

/* Setup: a store in a file of a temporary directory (readers need one). */
static int setup_file(void **state)
{
    unit_setup_tempdir(state);
    struct unit_env *env = *state;
    char path[PATH_MAX];
    unit_path(path, env->dir, "cairn.db");
    env->store = unit_open_file(path);
    return 0;
}

static void test_facts_report_rows_from_two_threads_equal_one(void **state)
{
    struct cairn_store *s = demo_store(state, 300);
    struct cairn_error err;
    struct rows two = {0}, one = {0};
    unsigned threads = 0;
    /* A file and no transaction: two readers split the patients. */
    report_rows_threads(s, &two, &threads);
    assert_int_equal(threads, 2);
    assert_true(two.n > 100);
    /* Inside a transaction the main connection reads them all. */
    assert_int_equal(cairn_store_begin(s, &err), CAIRN_OK);
    report_rows_threads(s, &one, &threads);
    assert_int_equal(threads, 1);
    cairn_store_rollback(s);
    assert_rows_equal(&two, &one, "two threads / one");
    /* And on later days, where some rows are read patient by patient. */
    cairn_store_set_today(s, unit_today() + 21);
    report_rows_threads(s, &two, &threads);
    assert_int_equal(threads, 2);
    s->summaries_off = true; /* readers take the switch too: every row exactly */
    report_rows_threads(s, &one, &threads);
    s->summaries_off = false;
    assert_rows_equal(&two, &one, "two threads from summaries / two threads exactly");
    /* One clinician's rows are split the same way. */
    cairn_store_set_today(s, unit_today());
    report_clinician = "demo.cm03";
    report_rows_threads(s, &two, &threads);
    assert_int_equal(threads, 2);
    assert_true(two.n > 5);
    assert_int_equal(cairn_store_begin(s, &err), CAIRN_OK);
    report_rows_threads(s, &one, &threads);
    assert_int_equal(threads, 1);
    cairn_store_rollback(s);
    report_clinician = NULL;
    assert_rows_equal(&two, &one, "one clinician: two threads / one");
    free(two.v);
    free(one.v);
}

static void test_facts_failed_change_leaves_summary_alone(void **state)
{
    struct cairn_store *s = demo_store(state, 20);
    struct cairn_error err;
    int64_t before = unit_query_int(s, "SELECT total_changes()");
    (void)before;
    int64_t pid = unit_query_int(s, "SELECT min(id) FROM patient WHERE status = 'active'");
    char sql[128];
    snprintf(sql, sizeof sql,
             "SELECT phq9 IS NULL, coalesce(phq9, '') FROM patient_summary "
             "WHERE patient_id = %lld",
             (long long)pid);
    int64_t had = unit_query_int(s, sql);
    /* A measure dated in the future is refused: nothing changes. */
    struct cairn_measure m = {.patient_id = pid,
                              .instrument = CAIRN_INSTRUMENT_PHQ9,
                              .nanswers = 9,
                              .answers = {3, 3, 3, 3, 3, 3, 3, 3, 3}};
    cairn_date_format(unit_today() + 1, m.date);
    assert_int_not_equal(cairn_measure_add(s, &m, &err), CAIRN_OK);
    assert_int_equal(unit_query_int(s, sql), had);
    assert_int_equal(s->dirty_n, 0);
    compare_all(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_facts_summaries_exist_for_every_patient,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(test_facts_summary_equals_the_data_on_later_days,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(test_facts_report_rows_from_summaries_equal_the_data,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(test_facts_summary_follows_changes, unit_setup_memory,
                                        unit_teardown),
        cmocka_unit_test_setup_teardown(test_facts_summary_from_a_later_day_is_not_used,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(test_facts_failed_change_leaves_summary_alone,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(test_facts_report_rows_from_two_threads_equal_one,
                                        setup_file, unit_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

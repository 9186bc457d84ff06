/* Unit tests for measures: the instrument table and the pure rules of
 * src/core/measure.c (answers, totals, every band boundary, the change
 * rules, the C-SSRS branching and triage, urgent flags), and the store
 * (src/core/store_measure.c): audited writes, refusals, history with
 * baseline, previous and the program's reliable-change threshold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"

#define MEM(t) cmocka_unit_test_setup_teardown(t, unit_setup_memory, unit_teardown)
#define S      CAIRN_ANSWER_SKIPPED

static const struct cairn_instrument_def *def_of(enum cairn_instrument i)
{
    const struct cairn_instrument_def *d = cairn_instrument_get(i);
    assert_non_null(d);
    return d;
}

/* Answers of `def` (0-3 items) adding up to `total`, highest items first. */
static void answers_for_total(const struct cairn_instrument_def *def, int total, int *answers)
{
    for (size_t i = 0; i < def->nitems; i++) {
        answers[i] = total > def->max ? def->max : total;
        total -= answers[i];
    }
    assert_int_equal(total, 0);
}

/* Scores answers that must be valid; fails the test with the message otherwise. */
static struct cairn_measure_score score_ok(enum cairn_instrument i, const int *answers, size_t n)
{
    struct cairn_measure_score sc;
    struct cairn_error err;
    if (cairn_measure_score(def_of(i), answers, n, &sc, &err) != CAIRN_OK)
        fail_msg("scoring: %s", err.message);
    return sc;
}

/* Scores answers that must be refused with a message containing `words`. */
static void score_refused(enum cairn_instrument i, const int *answers, size_t n, const char *words)
{
    struct cairn_measure_score sc;
    struct cairn_error err;
    assert_int_equal(cairn_measure_score(def_of(i), answers, n, &sc, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "answers");
    if (!strstr(err.message, words))
        fail_msg("'%s' does not say '%s'", err.message, words);
}

static void test_phq9_every_total_maps_to_its_band(void **state)
{
    (void)state;
    /* Kroenke 2001: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19
     * moderately severe, 20-27 severe. */
    static const char *const expected[28] = {
        "minimal",
        "minimal",
        "minimal",
        "minimal",
        "minimal",
        "mild",
        "mild",
        "mild",
        "mild",
        "mild",
        "moderate",
        "moderate",
        "moderate",
        "moderate",
        "moderate",
        "moderately severe",
        "moderately severe",
        "moderately severe",
        "moderately severe",
        "moderately severe",
        "severe",
        "severe",
        "severe",
        "severe",
        "severe",
        "severe",
        "severe",
        "severe",
    };
    const struct cairn_instrument_def *def = def_of(CAIRN_INSTRUMENT_PHQ9);
    for (int total = 0; total <= 27; total++) {
        int a[9];
        answers_for_total(def, total, a);
        struct cairn_measure_score sc = score_ok(CAIRN_INSTRUMENT_PHQ9, a, 9);
        assert_int_equal(sc.total, total);
        if (strcmp(sc.band, expected[total]) != 0)
            fail_msg("PHQ-9 total %d: band '%s', expected '%s'", total, sc.band, expected[total]);
        assert_string_equal(sc.band_rule, "phq9_severity");
        assert_string_equal(cairn_measure_band(def, total)->label, expected[total]);
    }
    assert_null(cairn_measure_band(def, 28));
    assert_null(cairn_measure_band(def, -1));
}

static void test_gad7_every_total_maps_to_its_band(void **state)
{
    (void)state;
    /* Spitzer 2006: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe. */
    static const char *const expected[22] = {
        "minimal", "minimal", "minimal",  "minimal",  "minimal",  "mild",     "mild",     "mild",
        "mild",    "mild",    "moderate", "moderate", "moderate", "moderate", "moderate", "severe",
        "severe",  "severe",  "severe",   "severe",   "severe",   "severe",
    };
    const struct cairn_instrument_def *def = def_of(CAIRN_INSTRUMENT_GAD7);
    for (int total = 0; total <= 21; total++) {
        int a[7];
        answers_for_total(def, total, a);
        struct cairn_measure_score sc = score_ok(CAIRN_INSTRUMENT_GAD7, a, 7);
        assert_int_equal(sc.total, total);
        if (strcmp(sc.band, expected[total]) != 0)
            fail_msg("GAD-7 total %d: band '%s', expected '%s'", total, sc.band, expected[total]);
        assert_string_equal(sc.band_rule, "gad7_severity");
        assert_int_equal(sc.flags, 0);
    }
    assert_null(cairn_measure_band(def, 22));
}

static void test_phq9_item9_positive_raises_urgent_flag(void **state)
{
    (void)state;
    int a[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    struct cairn_measure_score sc = score_ok(CAIRN_INSTRUMENT_PHQ9, a, 9);
    assert_int_equal(sc.flags, 0);
    for (int v = 1; v <= 3; v++) {
        a[8] = v;
        sc = score_ok(CAIRN_INSTRUMENT_PHQ9, a, 9);
        assert_int_equal(sc.flags, 1u << CAIRN_MEASURE_FLAG_PHQ9_ITEM9);
        char want[200];
        snprintf(want, sizeof want,
                 "URGENT: PHQ-9 item 9 (thoughts of self-harm) answered %d: complete a C-SSRS "
                 "screen now (rule phq9_item9)",
                 v);
        assert_string_equal(sc.flag_text[CAIRN_MEASURE_FLAG_PHQ9_ITEM9], want);
    }
    /* Other items at their maximum raise nothing. */
    int b[9] = {3, 3, 3, 3, 3, 3, 3, 3, 0};
    assert_int_equal(score_ok(CAIRN_INSTRUMENT_PHQ9, b, 9).flags, 0);
}

static void test_answers_are_parsed_and_wrong_counts_and_ranges_refused(void **state)
{
    (void)state;
    const struct cairn_instrument_def *phq9 = def_of(CAIRN_INSTRUMENT_PHQ9);
    int a[CAIRN_MEASURE_ANSWERS_MAX];
    size_t n = 0;
    struct cairn_error err;
    assert_int_equal(cairn_measure_parse_answers(phq9, "1,2,0,1,3,0,1,0,0", a, &n, &err), CAIRN_OK);
    assert_int_equal(n, 9);
    assert_int_equal(a[4], 3);
    assert_int_equal(score_ok(CAIRN_INSTRUMENT_PHQ9, a, n).total, 8);

    /* The count is the scorer's to check. */
    assert_int_equal(cairn_measure_parse_answers(phq9, "1,2,0,1,3,0,1,0", a, &n, &err), CAIRN_OK);
    score_refused(CAIRN_INSTRUMENT_PHQ9, a, n, "PHQ-9 needs 9 answers, got 8");
    assert_int_equal(cairn_measure_parse_answers(phq9, "1,2,0,1,3,0,1,0,0,1", a, &n, &err),
                     CAIRN_ERR_INVALID);
    assert_string_equal(err.message, "PHQ-9 needs 9 answers, got 10");
    assert_int_equal(cairn_measure_parse_answers(phq9, "", a, &n, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.message, "PHQ-9 needs 9 answers, got 0");
    assert_int_equal(
        cairn_measure_parse_answers(def_of(CAIRN_INSTRUMENT_GAD7), "1,1,1,1,1,1,1,1", a, &n, &err),
        CAIRN_ERR_INVALID);
    assert_string_equal(err.message, "GAD-7 needs 7 answers, got 8");

    static const struct {
        const char *text, *message;
    } bad[] = {
        {"1,2,4,1,3,0,1,0,0", "item 3: 4 is out of range 0–3"},
        {"1,2,0,1,3,0,1,0,-1", "item 9: -1 is out of range 0–3"},
        {"1,x,0,1,3,0,1,0,0", "item 2: 'x' is not a whole number"},
        {"1,2,0,,3,0,1,0,0", "item 4: no answer (give 0–3)"},
        {"1,2,0,y,3,0,1,0,0", "item 4: 'y' is not a whole number"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(cairn_measure_parse_answers(phq9, bad[i].text, a, &n, &err),
                         CAIRN_ERR_INVALID);
        assert_string_equal(err.message, bad[i].message);
        assert_string_equal(err.pointer, "answers");
    }
    /* Values from elsewhere (the terminal, the database) are checked too. */
    int out_of_range[9] = {0, 0, 7, 0, 0, 0, 0, 0, 0};
    score_refused(CAIRN_INSTRUMENT_PHQ9, out_of_range, 9, "item 3: 7 is out of range 0–3");

    enum cairn_instrument inst;
    assert_int_equal(cairn_instrument_parse("gad7", &inst, &err), CAIRN_OK);
    assert_int_equal(inst, CAIRN_INSTRUMENT_GAD7);
    assert_int_equal(cairn_instrument_parse("phq-9", &inst, &err), CAIRN_ERR_INVALID);
    assert_non_null(strstr(err.message, "known: phq9, gad7, cssrs_screen, craving, mood"));
}

/* The labels cairn_measure_change() gives, joined by " | ". */
static const char *labels(enum cairn_instrument i, int baseline, int total, int threshold)
{
    static char out[1024];
    struct cairn_measure_change c;
    cairn_measure_change(def_of(i), baseline, total, threshold, &c);
    out[0] = '\0';
    for (size_t k = 0; k < c.nlabels; k++) {
        size_t n = strlen(out);
        snprintf(out + n, sizeof out - n, "%s%s", k ? " | " : "", c.labels[k].text);
    }
    return out;
}

static void test_reliable_change_fires_at_the_threshold_and_not_below(void **state)
{
    (void)state;
    const enum cairn_instrument P = CAIRN_INSTRUMENT_PHQ9, G = CAIRN_INSTRUMENT_GAD7;
    /* PHQ-9 ±5 (Löwe 2004) by default: 0 asks for the instrument default. */
    assert_string_equal(labels(P, 8, 3, 0),
                        "reliable improvement (rule phq9_reliable_change: drop ≥ 5 from "
                        "baseline 8)");
    assert_string_equal(labels(P, 8, 4, 0), "");
    assert_string_equal(labels(P, 3, 8, 0),
                        "reliable worsening (rule phq9_reliable_change: rise ≥ 5 from "
                        "baseline 3)");
    assert_string_equal(labels(P, 3, 7, 0), "");
    assert_string_equal(labels(P, 8, 8, 0), "");
    /* A program threshold of 6 (the IAPT convention). */
    assert_string_equal(labels(P, 8, 3, 6), "");
    assert_string_equal(labels(P, 8, 2, 6),
                        "reliable improvement (rule phq9_reliable_change: drop ≥ 6 from "
                        "baseline 8)");
    assert_string_equal(labels(P, 3, 8, 6), "");
    assert_string_equal(labels(P, 3, 9, 6),
                        "reliable worsening (rule phq9_reliable_change: rise ≥ 6 from "
                        "baseline 3)");
    /* GAD-7 ±4. */
    assert_string_equal(labels(G, 8, 4, 0),
                        "reliable improvement (rule gad7_reliable_change: drop ≥ 4 from "
                        "baseline 8)");
    assert_string_equal(labels(G, 8, 5, 0), "");
    assert_string_equal(labels(G, 2, 6, 0),
                        "reliable worsening (rule gad7_reliable_change: rise ≥ 4 from "
                        "baseline 2)");
    assert_string_equal(labels(G, 2, 5, 0), "");
}

static void test_response_and_remission_only_from_a_baseline_of_10(void **state)
{
    (void)state;
    const enum cairn_instrument P = CAIRN_INSTRUMENT_PHQ9, G = CAIRN_INSTRUMENT_GAD7;
    /* Baseline 9: a fall to 0 is a reliable improvement, never a response
     * or a remission. */
    assert_string_equal(labels(P, 9, 0, 0),
                        "reliable improvement (rule phq9_reliable_change: drop ≥ 5 from "
                        "baseline 9)");
    /* Baseline 10: 5 is a 50% drop (response) but not below 5. */
    assert_string_equal(labels(P, 10, 5, 0),
                        "reliable improvement (rule phq9_reliable_change: drop ≥ 5 from "
                        "baseline 10) | response (rule phq9_response: ≥ 50% drop from "
                        "baseline 10)");
    assert_string_equal(labels(P, 10, 6, 6), "");
    assert_string_equal(labels(P, 10, 4, 0),
                        "reliable improvement (rule phq9_reliable_change: drop ≥ 5 from "
                        "baseline 10) | response (rule phq9_response: ≥ 50% drop from "
                        "baseline 10) | remission (rule phq9_remission: total < 5, baseline "
                        "≥ 10)");
    /* Baseline 18: 9 is exactly half (response), 10 is not. */
    assert_string_equal(labels(P, 18, 9, 0),
                        "reliable improvement (rule phq9_reliable_change: drop ≥ 5 from "
                        "baseline 18) | response (rule phq9_response: ≥ 50% drop from "
                        "baseline 18)");
    assert_string_equal(labels(P, 18, 10, 0),
                        "reliable improvement (rule phq9_reliable_change: drop ≥ 5 from "
                        "baseline 18)");
    /* Baseline 11: 5 is a 54% drop; 6 is 45%. */
    assert_non_null(strstr(labels(P, 11, 5, 0), "response (rule phq9_response"));
    assert_null(strstr(labels(P, 11, 6, 0), "response"));
    /* GAD-7: the same convention, its own rule names. */
    assert_string_equal(labels(G, 9, 0, 0),
                        "reliable improvement (rule gad7_reliable_change: drop ≥ 4 from "
                        "baseline 9)");
    assert_string_equal(labels(G, 10, 4, 0),
                        "reliable improvement (rule gad7_reliable_change: drop ≥ 4 from "
                        "baseline 10) | response (rule gad7_response: ≥ 50% drop from "
                        "baseline 10) | remission (rule gad7_remission: total < 5, baseline "
                        "≥ 10)");
    assert_string_equal(labels(G, 10, 5, 99),
                        "response (rule gad7_response: ≥ 50% drop from baseline 10)");
}

static void test_scales_have_one_item_no_bands_and_no_change_labels(void **state)
{
    (void)state;
    for (int i = CAIRN_INSTRUMENT_CRAVING; i <= CAIRN_INSTRUMENT_MOOD; i++) {
        for (int v = 0; v <= 10; v++) {
            struct cairn_measure_score sc = score_ok(i, &v, 1);
            assert_int_equal(sc.total, v);
            assert_string_equal(sc.band, "");
        }
        int eleven = 11, two[2] = {1, 1};
        score_refused(i, &eleven, 1, "item 1: 11 is out of range 0–10");
        score_refused(i, two, 2, "needs 1 answer, got 2");
        assert_string_equal(labels(i, 10, 0, 0), "");
        assert_string_equal(labels(i, 0, 10, 0), "");
    }
}

static void test_cssrs_triage_table(void **state)
{
    (void)state;
    static const struct {
        int a[7];
        size_t n;
        enum cairn_cssrs_risk risk;
        const char *why;
    } rows[] = {
        {{0, 0, S, S, S, 0}, 6, CAIRN_CSSRS_NONE, "no to every item"},
        {{1, 0, S, S, S, 0}, 6, CAIRN_CSSRS_LOW, "yes to items 1–2 only"},
        {{0, 1, 0, 0, 0, 0}, 6, CAIRN_CSSRS_LOW, "yes to items 1–2 only"},
        {{1, 1, 0, 0, 0, 0, S}, 7, CAIRN_CSSRS_LOW, "yes to items 1–2 only"},
        {{1, 1, 1, 0, 0, 0}, 6, CAIRN_CSSRS_MODERATE, "yes to item 3"},
        {{0, 0, S, S, S, 1, 0}, 7, CAIRN_CSSRS_MODERATE, "more than 3 months ago"},
        {{1, 1, 1, 0, 0, 1, 0}, 7, CAIRN_CSSRS_MODERATE, "yes to item 3"},
        {{1, 1, 0, 1, 0, 0}, 6, CAIRN_CSSRS_HIGH, "yes to item 4"},
        {{1, 1, 0, 0, 1, 0}, 6, CAIRN_CSSRS_HIGH, "yes to item 5"},
        {{1, 1, 1, 1, 1, 0}, 6, CAIRN_CSSRS_HIGH, "yes to item 4"},
        {{0, 0, S, S, S, 1, 1}, 7, CAIRN_CSSRS_HIGH, "within the past 3 months"},
        {{1, 1, 1, 0, 0, 1, 1}, 7, CAIRN_CSSRS_HIGH, "within the past 3 months"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct cairn_measure_score sc =
            score_ok(CAIRN_INSTRUMENT_CSSRS_SCREEN, rows[i].a, rows[i].n);
        if (sc.risk != rows[i].risk)
            fail_msg("row %zu: risk %s, expected %s", i, cairn_cssrs_risk_str(sc.risk),
                     cairn_cssrs_risk_str(rows[i].risk));
        assert_string_equal(sc.band, cairn_cssrs_risk_str(rows[i].risk));
        assert_string_equal(sc.band_rule, "cssrs_triage");
        if (!strstr(sc.band_why, rows[i].why))
            fail_msg("row %zu: '%s' does not say '%s'", i, sc.band_why, rows[i].why);
        bool high = rows[i].risk == CAIRN_CSSRS_HIGH;
        assert_int_equal(sc.flags, high ? 1u << CAIRN_MEASURE_FLAG_CSSRS_HIGH : 0u);
        if (high)
            assert_non_null(
                strstr(sc.flag_text[CAIRN_MEASURE_FLAG_CSSRS_HIGH], "(rule cssrs_high_risk)"));
    }
}

static void test_cssrs_branching_is_enforced(void **state)
{
    (void)state;
    const enum cairn_instrument C = CAIRN_INSTRUMENT_CSSRS_SCREEN;
    int item3_after_no[] = {1, 0, 1, S, S, 0};
    score_refused(C, item3_after_no, 6, "item 3: answered, but item 2 is no");
    score_refused(C, item3_after_no, 6, "rule cssrs_branching");
    int item5_no_after_no[] = {1, 0, S, S, 0, 0};
    score_refused(C, item5_no_after_no, 6, "item 5: answered, but item 2 is no");
    int skipped_after_yes[] = {1, 1, 0, S, 0, 0};
    score_refused(C, skipped_after_yes, 6, "item 4: no answer, but item 2 is yes");
    int no_follow_up[] = {0, 0, S, S, S, 1};
    score_refused(C, no_follow_up, 6, "item 6 is yes: give its follow-up");
    int blank_follow_up[] = {0, 0, S, S, S, 1, S};
    score_refused(C, blank_follow_up, 7, "item 6 is yes: give its follow-up");
    int follow_up_after_no[] = {0, 0, S, S, S, 0, 1};
    score_refused(C, follow_up_after_no, 7, "item 6 follow-up: answered, but item 6 is no");
    int item1_blank[] = {S, 0, S, S, S, 0};
    score_refused(C, item1_blank, 6, "item 1: no answer");
    int five[] = {0, 0, S, S, S};
    score_refused(C, five, 5, "C-SSRS screen needs 6 answers (7 when item 6 is yes");
    int two[] = {0, 0, S, S, S, 0, 2};
    score_refused(C, two, 7, "item 6 follow-up (within the past 3 months): 2 is out of range");

    /* The written forms: y/n/yes/no/1/0, '-' or nothing for a skipped item. */
    const struct cairn_instrument_def *def = def_of(C);
    int a[CAIRN_MEASURE_ANSWERS_MAX];
    size_t n;
    struct cairn_error err;
    assert_int_equal(cairn_measure_parse_answers(def, "Y,No,,-, ,yes,n", a, &n, &err), CAIRN_OK);
    assert_int_equal(n, 7);
    int want[] = {1, 0, S, S, S, 1, 0};
    assert_memory_equal(a, want, sizeof want);
    assert_int_equal(cairn_measure_parse_answers(def, "y,maybe,-,-,-,n", a, &n, &err),
                     CAIRN_ERR_INVALID);
    assert_string_equal(err.message, "item 2: 'maybe' is not y, n, 1 or 0");
}

/* Adds a measure from answer text; returns the status and fills *m. */
static enum cairn_status add(struct cairn_store *s, int64_t patient, enum cairn_instrument i,
                             const char *date, const char *answers, struct cairn_measure *m,
                             struct cairn_error *err)
{
    memset(m, 0, sizeof *m);
    m->patient_id = patient;
    m->instrument = i;
    snprintf(m->date, sizeof m->date, "%s", date);
    enum cairn_status rc =
        cairn_measure_parse_answers(def_of(i), answers, m->answers, &m->nanswers, err);
    return rc == CAIRN_OK ? cairn_measure_add(s, m, err) : rc;
}

static void add_ok(struct cairn_store *s, int64_t patient, enum cairn_instrument i,
                   const char *date, const char *answers)
{
    struct cairn_measure m;
    struct cairn_error err;
    if (add(s, patient, i, date, answers, &m, &err) != CAIRN_OK)
        fail_msg("adding %s on %s: %s", answers, date, err.message);
}

static void test_add_stores_score_and_flags_and_audits_field_names_only(void **state)
{
    struct cairn_store *s = unit_store(state);
    int64_t pid = unit_add_patient(s, "M100", "Ada Measure", NULL);
    int64_t audits = unit_audit_count(s);
    struct cairn_measure m;
    struct cairn_error err;
    assert_int_equal(
        add(s, pid, CAIRN_INSTRUMENT_PHQ9, "2026-11-20", "1,2,0,1,3,0,1,0,1", &m, &err), CAIRN_OK);
    assert_true(m.id > 0);
    assert_int_equal(m.score.total, 9);
    assert_string_equal(m.score.band, "mild");
    assert_int_equal(m.score.flags, 1u << CAIRN_MEASURE_FLAG_PHQ9_ITEM9);
    assert_string_equal(m.entered_by, UNIT_LOGIN);
    char text[256];
    unit_query_text(s,
                    "SELECT instrument || '|' || date || '|' || answers || '|' || total || '|' "
                    "|| band || '|' || flags || '|' || entered_by FROM measure",
                    text, sizeof text);
    assert_string_equal(text, "phq9|2026-11-20|1,2,0,1,3,0,1,0,1|9|mild|phq9_item9|tester");
    assert_int_equal(unit_audit_count(s), audits + 1);
    unit_query_text(s,
                    "SELECT action || '|' || entity || '|' || entity_id || '|' || patient_id || "
                    "'|' || fields || '|' || outcome FROM audit ORDER BY id DESC LIMIT 1",
                    text, sizeof text);
    char want[256];
    snprintf(want, sizeof want,
             "create|measure|%lld|%lld|instrument,date,answers,total,band,"
             "flags|ok",
             (long long)m.id, (long long)pid);
    assert_string_equal(text, want);

    /* A C-SSRS screen keeps its follow-up slot, blank after a no to item 6. */
    assert_int_equal(
        add(s, pid, CAIRN_INSTRUMENT_CSSRS_SCREEN, "2026-11-20", "y,y,n,n,y,n", &m, &err),
        CAIRN_OK);
    assert_string_equal(m.score.band, "high");
    unit_query_text(s,
                    "SELECT answers || '|' || band || '|' || flags FROM measure ORDER BY id "
                    "DESC LIMIT 1",
                    text, sizeof text);
    assert_string_equal(text, "1,1,0,0,1,0,-|high|cssrs_high_risk");
}

static void test_a_measure_is_corrected_rescored_and_audited(void **state)
{
    struct cairn_store *s = unit_store(state);
    int64_t pid = unit_add_patient(s, "M104", "Eli Correct", NULL);
    struct cairn_measure m, fix;
    struct cairn_error err;
    bool unchanged;
    assert_int_equal(
        add(s, pid, CAIRN_INSTRUMENT_PHQ9, "2026-11-20", "1,2,0,1,3,0,1,0,1", &m, &err), CAIRN_OK);
    int64_t audits = unit_audit_count(s);
    /* Item 9 was keyed on the wrong item: the flag goes, the band follows. */
    memset(&fix, 0, sizeof fix);
    fix.id = m.id;
    fix.instrument = CAIRN_INSTRUMENT_PHQ9;
    int answers[] = {1, 2, 0, 1, 3, 0, 1, 1, 0};
    memcpy(fix.answers, answers, sizeof answers);
    fix.nanswers = 9;
    assert_int_equal(cairn_measure_correct(s, &fix, 1, &unchanged, &err), CAIRN_OK);
    assert_false(unchanged);
    assert_int_equal(fix.version, 2);
    char text[256];
    unit_query_text(s,
                    "SELECT date || '|' || answers || '|' || total || '|' || band || '|' || "
                    "flags || '|' || version FROM measure",
                    text, sizeof text);
    assert_string_equal(text, "2026-11-20|1,2,0,1,3,0,1,1,0|9|mild||2");
    unit_query_text(s, "SELECT action || '|' || fields FROM audit ORDER BY id DESC LIMIT 1", text,
                    sizeof text);
    assert_string_equal(text, "update|answers,total,band,flags");
    assert_int_equal(unit_audit_count(s), audits + 1);
    /* The same again writes nothing; a stale version is refused and audited. */
    assert_int_equal(cairn_measure_correct(s, &fix, 0, &unchanged, &err), CAIRN_OK);
    assert_true(unchanged);
    assert_int_equal(cairn_measure_correct(s, &fix, 1, &unchanged, &err), CAIRN_ERR_CONFLICT);
    assert_int_equal(unit_audit_count(s), audits + 2);
    /* A mistyped id of another instrument is refused, not overwritten. */
    fix.instrument = CAIRN_INSTRUMENT_GAD7;
    assert_int_equal(cairn_measure_correct(s, &fix, 0, &unchanged, &err), CAIRN_ERR_INVALID);
    assert_non_null(strstr(err.message, "is a phq9, not a gad7"));
    fix.id = 9999;
    assert_int_equal(cairn_measure_correct(s, &fix, 0, &unchanged, &err), CAIRN_ERR_NOT_FOUND);
}

static void test_add_refuses_future_dates_bad_answers_and_unknown_patients(void **state)
{
    struct cairn_store *s = unit_store(state);
    int64_t pid = unit_add_patient(s, "M101", "Bo Refused", NULL);
    int64_t audits = unit_audit_count(s);
    struct cairn_measure m;
    struct cairn_error err;
    /* Today (2026-11-23) is fine; tomorrow is not. */
    assert_int_equal(add(s, pid, CAIRN_INSTRUMENT_GAD7, "2026-11-24", "1,1,1,1,1,1,1", &m, &err),
                     CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "date");
    assert_non_null(strstr(err.message, "2026-11-24 is in the future (today is 2026-11-23)"));
    assert_int_equal(add(s, pid, CAIRN_INSTRUMENT_GAD7, "2026-02-30", "1,1,1,1,1,1,1", &m, &err),
                     CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "date");
    memset(&m, 0, sizeof m);
    m.patient_id = pid;
    m.instrument = CAIRN_INSTRUMENT_PHQ9;
    snprintf(m.date, sizeof m.date, "2026-11-23");
    m.nanswers = 8;
    assert_int_equal(cairn_measure_add(s, &m, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.message, "PHQ-9 needs 9 answers, got 8");
    assert_int_equal(add(s, pid + 100, CAIRN_INSTRUMENT_MOOD, "2026-11-23", "5", &m, &err),
                     CAIRN_ERR_NOT_FOUND);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM measure"), 0);
    assert_int_equal(unit_audit_count(s), audits);
    add_ok(s, pid, CAIRN_INSTRUMENT_GAD7, "2026-11-23", "1,1,1,1,1,1,1");
}

struct collected {
    size_t n;
    struct cairn_measure_entry e[16];
};

static int collect(const struct cairn_measure_entry *e, void *ctx)
{
    struct collected *c = ctx;
    if (c->n < 16)
        c->e[c->n++] = *e;
    return 0;
}

static void test_history_has_baseline_previous_and_labels_in_date_order(void **state)
{
    struct cairn_store *s = unit_store(state);
    int64_t pid = unit_add_patient(s, "M102", "Cy History", NULL);
    /* Entered out of order: the baseline is the earliest date; on a tie,
     * the earlier entry. */
    add_ok(s, pid, CAIRN_INSTRUMENT_PHQ9, "2026-11-10", "2,2,1,1,1,1,1,0,0"); /* 9 */
    add_ok(s, pid, CAIRN_INSTRUMENT_PHQ9, "2026-10-01", "3,3,2,2,2,2,2,2,0"); /* 18 */
    add_ok(s, pid, CAIRN_INSTRUMENT_GAD7, "2026-10-01", "2,2,2,2,2,1,1");     /* 12 */
    add_ok(s, pid, CAIRN_INSTRUMENT_PHQ9, "2026-10-01", "1,1,1,1,1,1,1,1,0"); /* 8, same day */
    add_ok(s, pid, CAIRN_INSTRUMENT_MOOD, "2026-10-01", "3");
    add_ok(s, pid, CAIRN_INSTRUMENT_MOOD, "2026-11-01", "7");
    int64_t audits = unit_audit_count(s);
    struct collected c = {0};
    struct cairn_error err;
    assert_int_equal(cairn_measure_list(s, pid, true, CAIRN_INSTRUMENT_PHQ9, collect, &c, &err),
                     CAIRN_OK);
    assert_int_equal(unit_audit_count(s), audits + 1);
    char text[128];
    unit_query_text(s,
                    "SELECT action || '|' || entity || '|' || patient_id FROM audit ORDER BY "
                    "id DESC LIMIT 1",
                    text, sizeof text);
    char want[64];
    snprintf(want, sizeof want, "read|measure|%lld", (long long)pid);
    assert_string_equal(text, want);

    assert_int_equal(c.n, 3);
    assert_string_equal(c.e[0].m.date, "2026-10-01");
    assert_int_equal(c.e[0].m.score.total, 18);
    assert_true(c.e[0].baseline);
    assert_int_equal(c.e[0].change.nlabels, 0);
    assert_int_equal(c.e[1].m.score.total, 8);
    assert_false(c.e[1].baseline);
    assert_int_equal(c.e[1].baseline_total, 18);
    assert_int_equal(c.e[1].previous_total, 18);
    assert_int_equal(c.e[1].reliable_change, 5);
    assert_int_equal(c.e[1].change.nlabels, 2); /* reliable improvement, response */
    assert_string_equal(c.e[1].change.labels[1].rule, "phq9_response");
    assert_int_equal(c.e[2].m.score.total, 9);
    assert_int_equal(c.e[2].previous_total, 8);
    assert_string_equal(c.e[2].change.labels[0].text,
                        "reliable improvement (rule phq9_reliable_change: drop ≥ 5 from "
                        "baseline 18)");

    /* Every instrument, each against its own baseline. */
    memset(&c, 0, sizeof c);
    assert_int_equal(cairn_measure_list(s, pid, false, CAIRN_INSTRUMENT_PHQ9, collect, &c, &err),
                     CAIRN_OK);
    assert_int_equal(c.n, 6);
    assert_int_equal(c.e[1].m.instrument, CAIRN_INSTRUMENT_GAD7);
    assert_true(c.e[1].baseline);
    assert_int_equal(c.e[4].m.instrument, CAIRN_INSTRUMENT_MOOD);
    assert_int_equal(c.e[4].baseline_total, 3);
    assert_int_equal(c.e[4].previous_total, 3);
    assert_int_equal(c.e[4].change.nlabels, 0);
    assert_int_equal(c.e[4].reliable_change, 0);
    assert_int_equal(c.e[5].m.instrument, CAIRN_INSTRUMENT_PHQ9);
    assert_int_equal(c.e[5].previous_total, 8);

    assert_int_equal(cairn_measure_list(s, pid + 100, false, 0, collect, &c, &err),
                     CAIRN_ERR_NOT_FOUND);
}

static void test_history_uses_the_programs_reliable_change_threshold(void **state)
{
    struct cairn_store *s = unit_store(state);
    int64_t prog = unit_add_program(s, "iapt-iop", 8);
    int64_t pid = unit_add_patient(s, "M103", "Di Threshold", NULL);
    char sql[160];
    snprintf(sql, sizeof sql,
             "UPDATE program SET alert_phq9_rise = 6, alert_gad7_rise = 5 WHERE id = %lld",
             (long long)prog);
    assert_int_equal(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL), SQLITE_OK);
    snprintf(sql, sizeof sql, "UPDATE patient SET program_id = %lld WHERE id = %lld",
             (long long)prog, (long long)pid);
    assert_int_equal(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL), SQLITE_OK);
    add_ok(s, pid, CAIRN_INSTRUMENT_PHQ9, "2026-10-01", "1,1,1,1,1,1,1,1,0"); /* 8 */
    add_ok(s, pid, CAIRN_INSTRUMENT_PHQ9, "2026-10-08", "1,1,1,0,0,0,0,0,0"); /* 3: drop 5 */
    add_ok(s, pid, CAIRN_INSTRUMENT_PHQ9, "2026-10-15", "1,1,0,0,0,0,0,0,0"); /* 2: drop 6 */
    add_ok(s, pid, CAIRN_INSTRUMENT_GAD7, "2026-10-01", "1,1,1,1,1,1,0");     /* 6 */
    add_ok(s, pid, CAIRN_INSTRUMENT_GAD7, "2026-10-08", "1,1,0,0,0,0,0");     /* 2: drop 4 */
    struct collected c = {0};
    struct cairn_error err;
    assert_int_equal(cairn_measure_list(s, pid, false, 0, collect, &c, &err), CAIRN_OK);
    assert_int_equal(c.n, 5);
    assert_int_equal(c.e[2].m.instrument, CAIRN_INSTRUMENT_PHQ9);
    assert_int_equal(c.e[2].reliable_change, 6);
    assert_int_equal(c.e[2].change.nlabels, 0);
    assert_int_equal(c.e[3].m.instrument, CAIRN_INSTRUMENT_GAD7);
    assert_int_equal(c.e[3].reliable_change, 5);
    assert_int_equal(c.e[3].change.nlabels, 0);
    assert_int_equal(c.e[4].change.nlabels, 1);
    assert_string_equal(c.e[4].change.labels[0].text,
                        "reliable improvement (rule phq9_reliable_change: drop ≥ 6 from "
                        "baseline 8)");
}

/* The stored answer list: numbers and "-" for a skipped answer, comma
 * separated, cut short like snprintf when the buffer is small. */
static void test_answers_text_is_written_and_cut_like_snprintf(void **state)
{
    (void)state;
    int a[] = {0, 3, CAIRN_ANSWER_SKIPPED, 12, -7, 2147483647};
    char out[64];
    store_measure_answers_text(a, 6, out, sizeof out);
    assert_string_equal(out, "0,3,-,12,-7,2147483647");
    store_measure_answers_text(a, 0, out, sizeof out);
    assert_string_equal(out, "");
    store_measure_answers_text(a, 6, out, 6);
    assert_string_equal(out, "0,3,-");
    store_measure_answers_text(a, 6, out, 9);
    assert_string_equal(out, "0,3,-,12");
    store_measure_answers_text(a, 6, out, 8);
    assert_string_equal(out, "0,3,-,1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phq9_every_total_maps_to_its_band),
        cmocka_unit_test(test_gad7_every_total_maps_to_its_band),
        cmocka_unit_test(test_phq9_item9_positive_raises_urgent_flag),
        cmocka_unit_test(test_answers_are_parsed_and_wrong_counts_and_ranges_refused),
        cmocka_unit_test(test_reliable_change_fires_at_the_threshold_and_not_below),
        cmocka_unit_test(test_response_and_remission_only_from_a_baseline_of_10),
        cmocka_unit_test(test_scales_have_one_item_no_bands_and_no_change_labels),
        cmocka_unit_test(test_cssrs_triage_table),
        cmocka_unit_test(test_cssrs_branching_is_enforced),
        cmocka_unit_test(test_answers_text_is_written_and_cut_like_snprintf),
        MEM(test_add_stores_score_and_flags_and_audits_field_names_only),
        MEM(test_a_measure_is_corrected_rescored_and_audited),
        MEM(test_add_refuses_future_dates_bad_answers_and_unknown_patients),
        MEM(test_history_has_baseline_previous_and_labels_in_date_order),
        MEM(test_history_uses_the_programs_reliable_change_threshold),
    };
    return cmocka_run_group_tests_name("measure", tests, NULL, NULL);
}

/* Exposure ladders: the mastery rule (both branches, the boundaries and the
 * "not yet" cases, 0–10 ladders), next step, shape warnings, and the store:
 * step edits, reordering, conflicts, attempts and their audit rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "helpers.h"

static const struct cairn_mastery_rule default_rule = {30, 2, 50};

static struct cairn_mastery decide(const struct cairn_mastery_rule *rule, int scale,
                                   const int *peaks, size_t n)
{
    struct cairn_mastery m;
    cairn_mastery_decide(rule, scale, peaks, n, &m);
    return m;
}

#define DECIDE(rule, scale, ...)                                                                   \
    decide((rule), (scale), (const int[]){__VA_ARGS__},                                            \
           sizeof((const int[]){__VA_ARGS__}) / sizeof(int))

static void test_mastery_no_attempts_is_not_started(void **state)
{
    (void)state;
    struct cairn_mastery m = decide(&default_rule, 100, NULL, 0);
    assert_int_equal(m.branch, CAIRN_MASTERY_NO_ATTEMPTS);
    assert_int_equal(cairn_mastery_status(m.branch), CAIRN_STEP_NOT_STARTED);
}

static void test_mastery_peak_branch_needs_the_last_two_at_or_under_30(void **state)
{
    (void)state;
    /* Boundary: 30 counts, 31 does not. */
    struct cairn_mastery m = DECIDE(&default_rule, 100, 70, 30, 30);
    assert_int_equal(m.branch, CAIRN_MASTERY_BY_PEAK);
    assert_non_null(strstr(m.reason, "mastery.peak_suds_at_most"));
    assert_non_null(strstr(m.reason, "program convention"));
    assert_int_equal(cairn_mastery_status(m.branch), CAIRN_STEP_MASTERED);
    /* 45 -> 31: down 31%, under the 50% of the drop branch too. */
    assert_int_equal(DECIDE(&default_rule, 100, 45, 30, 31).branch, CAIRN_MASTERY_NOT_YET);
    /* Not yet: only one attempt, however low (and no drop to measure). */
    m = DECIDE(&default_rule, 100, 10);
    assert_int_equal(m.branch, CAIRN_MASTERY_NOT_YET);
    assert_non_null(strstr(m.reason, "needs a second attempt"));
    assert_int_equal(cairn_mastery_status(m.branch), CAIRN_STEP_IN_PROGRESS);
    /* Not yet: the two low ones are not the last two (and 50 -> 45 is no 50% drop). */
    assert_int_equal(DECIDE(&default_rule, 100, 50, 20, 20, 45).branch, CAIRN_MASTERY_NOT_YET);
}

static void test_mastery_drop_branch_needs_half_of_the_first_peak(void **state)
{
    (void)state;
    /* 80 -> 40 is exactly 50%: mastered by the drop branch. */
    struct cairn_mastery m = DECIDE(&default_rule, 100, 80, 60, 40);
    assert_int_equal(m.branch, CAIRN_MASTERY_BY_DROP);
    assert_non_null(strstr(m.reason, "fell 50% from 80"));
    assert_non_null(strstr(m.reason, "mastery.or_drop_percent"));
    /* 80 -> 41 is 48.75%: not yet, and the reason gives the numbers. */
    m = DECIDE(&default_rule, 100, 80, 60, 41);
    assert_int_equal(m.branch, CAIRN_MASTERY_NOT_YET);
    assert_non_null(strstr(m.reason, "peak down 48% from 80 to 41, 50% needed"));
    /* The drop compares the latest with the first, not the best. */
    assert_int_equal(DECIDE(&default_rule, 100, 80, 30, 70).branch, CAIRN_MASTERY_NOT_YET);
    /* A first peak of 0 has nothing to fall from. */
    assert_int_equal(DECIDE(&default_rule, 100, 0, 35).branch, CAIRN_MASTERY_NOT_YET);
}

static void test_mastery_drop_branch_off_when_the_program_says_0(void **state)
{
    (void)state;
    const struct cairn_mastery_rule rule = {30, 2, 0};
    struct cairn_mastery m = DECIDE(&rule, 100, 90, 10);
    assert_int_equal(m.branch, CAIRN_MASTERY_NOT_YET);
    assert_non_null(strstr(m.reason, "drop branch is off"));
}

static void test_mastery_program_thresholds_apply(void **state)
{
    (void)state;
    const struct cairn_mastery_rule strict = {20, 3, 0};
    assert_int_equal(DECIDE(&strict, 100, 20, 20).branch, CAIRN_MASTERY_NOT_YET);
    assert_int_equal(DECIDE(&strict, 100, 20, 20, 20).branch, CAIRN_MASTERY_BY_PEAK);
    assert_int_equal(DECIDE(&strict, 100, 20, 21, 20).branch, CAIRN_MASTERY_NOT_YET);
    const struct cairn_mastery_rule once = {30, 1, 50};
    assert_int_equal(DECIDE(&once, 100, 30).branch, CAIRN_MASTERY_BY_PEAK);
}

static void test_mastery_on_a_0_to_10_ladder_compares_with_a_tenth(void **state)
{
    (void)state;
    /* 30 on the 0–100 scale is 3 on a 0–10 ladder. */
    struct cairn_mastery m = DECIDE(&default_rule, 10, 7, 3, 3);
    assert_int_equal(m.branch, CAIRN_MASTERY_BY_PEAK);
    assert_non_null(strstr(m.reason, "SUDS 3 or less"));
    assert_int_equal(DECIDE(&default_rule, 10, 5, 4, 4).branch, CAIRN_MASTERY_NOT_YET);
    /* A limit of 25 is 2.5: 2 passes, 3 does not. */
    const struct cairn_mastery_rule quarter = {25, 2, 0};
    assert_int_equal(DECIDE(&quarter, 10, 2, 2).branch, CAIRN_MASTERY_BY_PEAK);
    assert_int_equal(DECIDE(&quarter, 10, 3, 3).branch, CAIRN_MASTERY_NOT_YET);
    assert_non_null(strstr(DECIDE(&quarter, 10, 3, 3).reason, "SUDS 2.5 or less"));
    /* The drop branch is scale-free: 8 -> 4 is 50%. */
    assert_int_equal(DECIDE(&default_rule, 10, 8, 4).branch, CAIRN_MASTERY_BY_DROP);
}

/* A ladder of `n` live steps with the given SUDS, all not started. */
static struct cairn_ladder *make_ladder(int scale, const int *suds, size_t n)
{
    struct cairn_ladder *l = calloc(1, sizeof *l);
    assert_non_null(l);
    l->scale = scale;
    l->rule = default_rule;
    for (size_t i = 0; i < n; i++) {
        l->steps[i].position = (int)i + 1;
        l->steps[i].suds = suds[i];
        snprintf(l->steps[i].text, sizeof l->steps[i].text, "step %zu", i + 1);
    }
    l->nsteps = n;
    return l;
}

static void test_warnings_for_gaps_order_and_short_ladders(void **state)
{
    (void)state;
    struct cairn_ladder_warning w[CAIRN_LADDER_WARNINGS_MAX];
    /* Eight steps 15 apart: nothing to say. */
    const int even[] = {10, 25, 40, 55, 70, 85, 90, 100};
    struct cairn_ladder *l = make_ladder(100, even, 8);
    assert_int_equal(cairn_ladder_warnings(l, w, CAIRN_LADDER_WARNINGS_MAX), 0);
    /* 16 apart: one warning naming both steps. */
    l->steps[1].suds = 26;
    l->steps[0].suds = 10;
    l->steps[1].suds = 26;
    assert_int_equal(cairn_ladder_warnings(l, w, CAIRN_LADDER_WARNINGS_MAX), 1);
    assert_string_equal(w[0].text, "steps 1 and 2 are 16 SUDS apart (more than 15): consider a "
                                   "step in between");
    /* A step lower than the one before it. */
    l->steps[1].suds = 5;
    assert_int_equal(cairn_ladder_warnings(l, w, CAIRN_LADDER_WARNINGS_MAX), 2);
    assert_non_null(strstr(w[0].text, "step 2 (SUDS 5) is rated lower than step 1"));
    /* Retiring a step takes it out: 10 -> 40 is now the gap, and 7 live steps is short. */
    l->steps[1].retired = true;
    size_t n = cairn_ladder_warnings(l, w, CAIRN_LADDER_WARNINGS_MAX);
    assert_int_equal(n, 2);
    assert_non_null(strstr(w[0].text, "steps 1 and 3 are 30 SUDS apart"));
    assert_string_equal(w[1].text, "the ladder has 7 steps; 8 or more make a gradual climb");
    assert_int_equal(w[1].step, 0);
    free(l);
    /* A 0–10 ladder: 2 points is 20 on the 0–100 scale. */
    const int tens[] = {1, 2, 3, 5, 6, 7, 8, 9};
    l = make_ladder(10, tens, 8);
    assert_int_equal(cairn_ladder_warnings(l, w, CAIRN_LADDER_WARNINGS_MAX), 1);
    assert_non_null(strstr(w[0].text, "steps 3 and 4 are 20 SUDS apart"));
    free(l);
}

static void test_next_step_skips_mastered_skipped_and_retired(void **state)
{
    (void)state;
    const int suds[] = {10, 20, 30, 40};
    struct cairn_ladder *l = make_ladder(100, suds, 4);
    assert_int_equal(cairn_ladder_next_step(l), 0);
    l->steps[0].status = CAIRN_STEP_MASTERED;
    l->steps[1].status = CAIRN_STEP_SKIPPED;
    l->steps[2].retired = true;
    assert_int_equal(cairn_ladder_next_step(l), 3);
    assert_int_equal(cairn_ladder_mastered(l), 1);
    l->steps[3].status = CAIRN_STEP_MASTERED;
    assert_int_equal(cairn_ladder_next_step(l), -1);
    free(l);
}

static void test_attempt_validation_names_the_field(void **state)
{
    (void)state;
    struct cairn_ladder_attempt a;
    struct cairn_error err;
    memset(&a, 0, sizeof a);
    a.expectancy_before = a.expectancy_after = -1;
    snprintf(a.date, sizeof a.date, "2026-11-20");
    a.suds_before = 50, a.suds_peak = 70, a.suds_after = 30;
    int32_t today = unit_today();
    assert_int_equal(cairn_ladder_attempt_validate(&a, 100, today, &err), CAIRN_OK);
    /* 70 is off a 0–10 scale. */
    assert_int_equal(cairn_ladder_attempt_validate(&a, 10, today, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "suds_before");
    a.suds_after = 80;
    assert_int_equal(cairn_ladder_attempt_validate(&a, 100, today, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "suds_peak");
    a.suds_after = 30;
    snprintf(a.date, sizeof a.date, "2026-11-24");
    assert_int_equal(cairn_ladder_attempt_validate(&a, 100, today, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "date");
    assert_non_null(strstr(err.message, "in the future"));
    snprintf(a.date, sizeof a.date, "2026-11-23");
    snprintf(a.note, sizeof a.note, "bad\x1b[2Jnote");
    assert_int_equal(cairn_ladder_attempt_validate(&a, 100, today, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "note");
}

/* --- the store ------------------------------------------------------------- */

static const char program_yaml[] = "template: ladder-iop\n"
                                   "name: Ladder IOP\n"
                                   "level_of_care: asam-2.1\n"
                                   "population: adult\n"
                                   "schedule: {sessions_per_week: 3, hours_per_session: 3, "
                                   "min_hours_per_week: 9, length_weeks: 8}\n"
                                   "measures: [{instrument: phq9, every: week}]\n"
                                   "plan_sections: [coping]\n"
                                   "review_checklist: [Attendance discussed]\n"
                                   "mastery: {peak_suds_at_most: 30, consecutive: 2, "
                                   "or_drop_percent: 50}\n"
                                   "ladders:\n"
                                   "  - name: Social reintegration\n"
                                   "    steps:\n"
                                   "      - {text: Camera on in group, suds: 20}\n"
                                   "      - {text: Phone a friend, suds: 35}\n"
                                   "      - {text: Coffee with a friend, suds: 50}\n"
                                   "  - name: Crowds\n"
                                   "    scale: 10\n"
                                   "    steps:\n"
                                   "      - {text: Corner shop at a quiet hour, suds: 3}\n"
                                   "      - {text: Supermarket on a Saturday, suds: 6}\n";

static struct cairn_ladder *load(struct cairn_store *s, int64_t patient, const char *ref)
{
    struct cairn_ladder *l = malloc(sizeof *l);
    struct cairn_error err;
    assert_non_null(l);
    if (cairn_ladder_load(s, patient, ref, l, &err) != CAIRN_OK)
        fail_msg("loading ladder %s: %s", ref, err.message);
    return l;
}

static void test_load_by_position_or_name_ignoring_case(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    int64_t p = unit_admit(s, program_yaml, "L-1", "2026-11-02", NULL);
    struct cairn_ladder *l = load(s, p, "crowds");
    assert_int_equal(l->position, 2);
    assert_int_equal(l->scale, 10);
    assert_int_equal(l->nsteps, 2);
    assert_int_equal(l->steps[0].position, 1);
    assert_int_equal(l->next, 0);
    free(l);
    l = load(s, p, "1");
    assert_string_equal(l->name, "Social reintegration");
    assert_int_equal(l->rule.peak_suds_at_most, 30);
    assert_int_equal(cairn_ladder_load(s, p, "3", l, &err), CAIRN_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "1 (Social reintegration), 2 (Crowds)"));
    free(l);
}

static const char *step_texts(const struct cairn_ladder *l, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < l->nsteps && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s%s", i ? "|" : "", l->steps[i].text,
                                 l->steps[i].retired ? "(r)" : "");
    return out;
}

static void test_add_move_and_retire_steps_keep_the_order(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    char buf[512];
    int64_t p = unit_admit(s, program_yaml, "L-1", "2026-11-02", NULL);
    struct cairn_ladder *l = load(s, p, "1");
    int64_t id = 0, audits = unit_audit_count(s);
    assert_int_equal(cairn_ladder_add_step(s, l->id, l->version, "Video call", 27, 2, &id, &err),
                     CAIRN_OK);
    assert_true(id > 0);
    assert_int_equal(unit_audit_count(s), audits + 1);
    free(l);
    l = load(s, p, "1");
    assert_string_equal(step_texts(l, buf, sizeof buf),
                        "Camera on in group|Video call|Phone a friend|Coffee with a friend");
    assert_int_equal(cairn_ladder_move_step(s, l->id, l->version, 4, 1, &err), CAIRN_OK);
    free(l);
    l = load(s, p, "1");
    assert_string_equal(step_texts(l, buf, sizeof buf),
                        "Coffee with a friend|Camera on in group|Video call|Phone a friend");
    assert_int_equal(cairn_ladder_move_step(s, l->id, l->version, 1, 4, &err), CAIRN_OK);
    free(l);
    l = load(s, p, "1");
    assert_string_equal(step_texts(l, buf, sizeof buf),
                        "Camera on in group|Video call|Phone a friend|Coffee with a friend");
    struct cairn_step_edit retire = {NULL, -1, -1, 1};
    assert_int_equal(cairn_ladder_edit_step(s, l->id, l->version, 2, &retire, &err), CAIRN_OK);
    free(l);
    l = load(s, p, "1");
    assert_string_equal(step_texts(l, buf, sizeof buf),
                        "Camera on in group|Video call(r)|Phone a friend|Coffee with a friend");
    /* Out of range places are refused with the field. */
    assert_int_equal(cairn_ladder_add_step(s, l->id, 0, "Far", 90, 9, NULL, &err),
                     CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "position");
    assert_int_equal(cairn_ladder_add_step(s, l->id, 0, "Too hard", 101, 0, NULL, &err),
                     CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "suds");
    free(l);
}

static void test_a_stale_step_change_is_refused_and_nothing_changes(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    char before[512], after[512];
    int64_t p = unit_admit(s, program_yaml, "L-1", "2026-11-02", NULL);
    struct cairn_ladder *l = load(s, p, "1");
    int64_t read_version = l->version;
    /* A colleague edits first. */
    struct cairn_step_edit edit = {"Camera on for the whole group", -1, -1, -1};
    assert_int_equal(cairn_ladder_edit_step(s, l->id, read_version, 1, &edit, &err), CAIRN_OK);
    free(l);
    l = load(s, p, "1");
    step_texts(l, before, sizeof before);
    /* Then this user, from the version they read. */
    assert_int_equal(cairn_ladder_move_step(s, l->id, read_version, 1, 3, &err),
                     CAIRN_ERR_CONFLICT);
    assert_non_null(strstr(err.message, "changed by someone else"));
    /* The refusal is audited, with the ladder's id and nothing else. */
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE outcome = 'conflict' "
                                       "AND entity = 'ladder'"),
                     1);
    free(l);
    l = load(s, p, "1");
    assert_string_equal(step_texts(l, after, sizeof after), before);
    free(l);
}

static struct cairn_ladder_attempt attempt(const char *date, int before, int peak, int after)
{
    struct cairn_ladder_attempt a;
    memset(&a, 0, sizeof a);
    snprintf(a.date, sizeof a.date, "%s", date);
    a.suds_before = before, a.suds_peak = peak, a.suds_after = after;
    a.expectancy_before = a.expectancy_after = -1;
    return a;
}

static void test_attempts_set_the_step_status_by_the_rule(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    struct cairn_mastery m;
    int64_t p = unit_admit(s, program_yaml, "L-1", "2026-11-02", NULL);
    struct cairn_ladder *l = load(s, p, "1");
    int64_t ladder = l->id, version = l->version;
    int64_t audits = unit_audit_count(s);
    struct cairn_ladder_attempt a = attempt("2026-11-10", 40, 60, 30);
    assert_int_equal(cairn_ladder_attempt_add(s, ladder, 1, &a, &m, &err), CAIRN_OK);
    assert_int_equal(m.branch, CAIRN_MASTERY_NOT_YET);
    /* The attempt and the step's new status (in_progress), each audited. */
    assert_int_equal(unit_audit_count(s), audits + 2);
    a = attempt("2026-11-12", 40, 30, 20);
    assert_int_equal(cairn_ladder_attempt_add(s, ladder, 1, &a, &m, &err), CAIRN_OK);
    assert_int_equal(m.branch, CAIRN_MASTERY_BY_DROP);
    free(l);
    l = load(s, p, "1");
    assert_int_equal(l->steps[0].status, CAIRN_STEP_MASTERED);
    assert_int_equal(l->steps[0].attempts, 2);
    assert_int_equal(l->steps[0].first_peak, 60);
    assert_int_equal(l->steps[0].last_peak, 30);
    assert_string_equal(l->last_attempt, "2026-11-12");
    assert_int_equal(l->next, 1);
    /* Attempts do not count as structural edits: the version is unchanged. */
    assert_int_equal(l->version, version);
    /* A later high peak takes mastery back (the rule reads the latest attempts). */
    a = attempt("2026-11-13", 50, 80, 40);
    assert_int_equal(cairn_ladder_attempt_add(s, ladder, 1, &a, &m, &err), CAIRN_OK);
    assert_int_equal(m.branch, CAIRN_MASTERY_NOT_YET);
    free(l);
    l = load(s, p, "1");
    assert_int_equal(l->steps[0].status, CAIRN_STEP_IN_PROGRESS);
    free(l);
    /* Refused: a future date, a date before admission, a step that is not there. */
    int64_t count = unit_query_int(s, "SELECT count(*) FROM ladder_attempt");
    a = attempt("2026-11-24", 10, 20, 10);
    assert_int_equal(cairn_ladder_attempt_add(s, ladder, 2, &a, NULL, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "date");
    a = attempt("2026-11-01", 10, 20, 10);
    assert_int_equal(cairn_ladder_attempt_add(s, ladder, 2, &a, NULL, &err), CAIRN_ERR_INVALID);
    assert_non_null(strstr(err.message, "before the admission"));
    a = attempt("2026-11-20", 10, 20, 10);
    assert_int_equal(cairn_ladder_attempt_add(s, ladder, 9, &a, NULL, &err), CAIRN_ERR_NOT_FOUND);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM ladder_attempt"), count);
}

static void test_skip_and_unskip_follow_the_attempts(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    int64_t p = unit_admit(s, program_yaml, "L-1", "2026-11-02", NULL);
    struct cairn_ladder *l = load(s, p, "crowds");
    struct cairn_step_edit skip = {NULL, -1, 1, -1}, unskip = {NULL, -1, 0, -1};
    assert_int_equal(cairn_ladder_edit_step(s, l->id, 0, 1, &skip, &err), CAIRN_OK);
    free(l);
    l = load(s, p, "crowds");
    assert_int_equal(l->steps[0].status, CAIRN_STEP_SKIPPED);
    assert_int_equal(l->next, 1);
    /* 0–10 ladder: 3 and 3 are at or under a tenth of 30. */
    struct cairn_ladder_attempt a = attempt("2026-11-10", 4, 3, 2);
    assert_int_equal(cairn_ladder_attempt_add(s, l->id, 2, &a, NULL, &err), CAIRN_OK);
    a = attempt("2026-11-11", 4, 3, 1);
    assert_int_equal(cairn_ladder_attempt_add(s, l->id, 2, &a, NULL, &err), CAIRN_OK);
    a = attempt("2026-11-11", 4, 11, 1);
    assert_int_equal(cairn_ladder_attempt_add(s, l->id, 2, &a, NULL, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "suds_peak");
    assert_int_equal(cairn_ladder_edit_step(s, l->id, 0, 1, &unskip, &err), CAIRN_OK);
    free(l);
    l = load(s, p, "crowds");
    assert_int_equal(l->steps[0].status, CAIRN_STEP_NOT_STARTED);
    assert_int_equal(l->steps[1].status, CAIRN_STEP_MASTERED);
    assert_int_equal(l->next, 0);
    free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mastery_no_attempts_is_not_started),
        cmocka_unit_test(test_mastery_peak_branch_needs_the_last_two_at_or_under_30),
        cmocka_unit_test(test_mastery_drop_branch_needs_half_of_the_first_peak),
        cmocka_unit_test(test_mastery_drop_branch_off_when_the_program_says_0),
        cmocka_unit_test(test_mastery_program_thresholds_apply),
        cmocka_unit_test(test_mastery_on_a_0_to_10_ladder_compares_with_a_tenth),
        cmocka_unit_test(test_warnings_for_gaps_order_and_short_ladders),
        cmocka_unit_test(test_next_step_skips_mastered_skipped_and_retired),
        cmocka_unit_test(test_attempt_validation_names_the_field),
        cmocka_unit_test_setup_teardown(test_load_by_position_or_name_ignoring_case,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(test_add_move_and_retire_steps_keep_the_order,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(test_a_stale_step_change_is_refused_and_nothing_changes,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(test_attempts_set_the_step_status_by_the_rule,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(test_skip_and_unskip_follow_the_attempts, unit_setup_memory,
                                        unit_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

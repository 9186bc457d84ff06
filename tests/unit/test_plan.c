/* Plans and safety plans: revisions only on change, the diff, links that
 * survive revisions, stale saves, YAML and JSON round trips, the safety
 * plan's order and crisis line, goal tallies and the lapse log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"

static const char program[] = "template: plan-iop\n"
                              "name: Plan IOP\n"
                              "level_of_care: asam-2.1\n"
                              "population: adult\n"
                              "schedule:\n"
                              "  sessions_per_week: 3\n"
                              "  hours_per_session: 3\n"
                              "  min_hours_per_week: 9\n"
                              "  length_weeks: 8\n"
                              "measures:\n"
                              "  - {instrument: phq9, every: week}\n"
                              "plan_sections: [triggers, warning_signs, coping, supports,\n"
                              "                social_goals, aftercare]\n"
                              "review_checklist:\n"
                              "  - Attendance discussed\n"
                              "crisis_line: \"988\"\n";

/* An admitted patient with an empty plan: returns the patient id. */
static int64_t admitted(struct cairn_store *s, const char *mrn)
{
    struct cairn_template *t = malloc(sizeof *t);
    struct cairn_error err;
    struct cairn_patient p;
    bool unchanged;
    assert_non_null(t);
    if (cairn_template_parse(program, strlen(program), t, NULL, &err) != CAIRN_OK)
        fail_msg("template: %s", err.message);
    if (cairn_template_import(s, t, program, strlen(program), &unchanged, &err) != CAIRN_OK)
        fail_msg("import: %s", err.message);
    unit_add_patient(s, mrn, "Pat Planner", &p);
    snprintf(p.admission_date, sizeof p.admission_date, "2026-11-16");
    p.program_id = t->program.id;
    free(t);
    if (cairn_patient_change_status(s, &p, CAIRN_PATIENT_ACTIVE, &err) != CAIRN_OK)
        fail_msg("admit: %s", err.message);
    return p.id;
}

static struct cairn_plan *head(struct cairn_store *s, enum cairn_plan_kind kind, int64_t patient)
{
    struct cairn_plan *p = cairn_plan_new(kind);
    struct cairn_error err;
    assert_non_null(p);
    if (cairn_plan_read(s, kind, patient, 0, p, &err) != CAIRN_OK)
        fail_msg("read: %s", err.message);
    return p;
}

static void add(struct cairn_plan *p, const char *section, const char *text)
{
    struct cairn_error err;
    if (cairn_plan_add_item(p, section, text, &err) != CAIRN_OK)
        fail_msg("add %s: %s", section, err.message);
}

/* Saves p and checks whether a revision was made. */
static void save(struct cairn_store *s, struct cairn_plan *p, bool expect_unchanged)
{
    struct cairn_error err;
    bool unchanged = !expect_unchanged;
    if (cairn_plan_save(s, p, "test", &unchanged, &err) != CAIRN_OK)
        fail_msg("save: %s", err.message);
    assert_int_equal(unchanged, expect_unchanged);
}

static void link_to(struct cairn_plan *p, size_t trigger, const char *coping_key)
{
    struct cairn_plan_item *t = &cairn_plan_part_find(p, "triggers")->items[trigger];
    snprintf(t->copes[t->ncopes++], CAIRN_PLAN_KEY_BYTES, "%s", coping_key);
}

static void test_a_revision_is_made_only_when_the_content_changes(void **state)
{
    struct cairn_store *s = unit_store(state);
    int64_t pid = admitted(s, "R-1");
    struct cairn_plan *p = head(s, CAIRN_PLAN_RELAPSE, pid);
    assert_int_equal(p->head, 0);
    save(s, p, true); /* the empty plan as it is */
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM plan_revision"), 0);

    add(p, "coping", "Call my sponsor");
    save(s, p, false);
    assert_int_equal(p->revision, 1);
    int64_t audits = unit_audit_count(s);
    save(s, p, true); /* the same content again */
    assert_int_equal(unit_audit_count(s), audits);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM plan_revision"), 1);
    assert_int_equal(unit_query_int(s, "SELECT revision FROM plan"), 1);

    snprintf(p->next_review_date, sizeof p->next_review_date, "2026-12-07");
    save(s, p, false);
    assert_int_equal(p->revision, 2);
    char fields[128];
    unit_query_text(s,
                    "SELECT fields FROM audit WHERE entity = 'plan' AND action <> 'read' ORDER BY "
                    "id DESC LIMIT 1",
                    fields, sizeof fields);
    assert_string_equal(fields, "next_review_date");

    /* Making it active signs it. */
    snprintf(p->status, sizeof p->status, "active");
    save(s, p, false);
    cairn_plan_free(&p);
    p = head(s, CAIRN_PLAN_RELAPSE, pid);
    assert_string_equal(p->signed_by, UNIT_LOGIN);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE action = 'sign'"), 1);
    cairn_plan_free(&p);
}

static void test_diff_shows_adds_removes_and_edits_section_by_section(void **state)
{
    struct cairn_store *s = unit_store(state);
    int64_t pid = admitted(s, "R-2");
    struct cairn_plan *p = head(s, CAIRN_PLAN_RELAPSE, pid);
    struct cairn_error err;
    add(p, "coping", "Call my sponsor");
    add(p, "coping", "Walk the dog");
    add(p, "triggers", "Payday evenings");
    add(p, "aftercare", "Alumni group on Thursdays");
    save(s, p, false);

    struct cairn_plan *next = head(s, CAIRN_PLAN_RELAPSE, pid);
    assert_int_equal(cairn_plan_remove_item(next, "coping", 2, &err), CAIRN_OK);
    add(next, "coping", "Breathing exercise");
    snprintf(cairn_plan_part_find(next, "triggers")->items[0].text, CAIRN_PLAN_TEXT_BYTES,
             "Payday evenings alone");
    add(next, "supports", "Ana");
    snprintf(cairn_plan_part_find(next, "supports")->items[0].relation, CAIRN_PLAN_SHORT_BYTES,
             "sister");
    snprintf(next->status, sizeof next->status, "active");
    save(s, next, false);

    struct cairn_plan *r1 = cairn_plan_new(CAIRN_PLAN_RELAPSE);
    assert_int_equal(cairn_plan_read(s, CAIRN_PLAN_RELAPSE, pid, 1, r1, &err), CAIRN_OK);
    char *diff = NULL;
    assert_int_equal(cairn_plan_diff(r1, next, &diff, &err), CAIRN_OK);
    assert_string_equal(diff, "status: draft -> active\n"
                              "triggers:\n"
                              "  ~ [t1] Payday evenings -> Payday evenings alone\n"
                              "coping:\n"
                              "  - [c2] Walk the dog\n"
                              "  + [c3] Breathing exercise\n"
                              "supports:\n"
                              "  + [s1] Ana (sister)\n");
    free(diff);
    /* The audit names what changed, never the text. */
    char fields[128];
    unit_query_text(s,
                    "SELECT fields FROM audit WHERE entity = 'plan' AND action <> 'read' ORDER BY "
                    "id DESC LIMIT 1",
                    fields, sizeof fields);
    assert_string_equal(fields, "status,triggers,coping,supports");
    assert_int_equal(cairn_plan_diff(next, next, &diff, &err), CAIRN_OK);
    assert_string_equal(diff, "");
    free(diff);
    cairn_plan_free(&r1);
    cairn_plan_free(&next);
    cairn_plan_free(&p);
}

static void test_links_from_triggers_to_coping_survive_revisions(void **state)
{
    struct cairn_store *s = unit_store(state);
    int64_t pid = admitted(s, "R-3");
    struct cairn_plan *p = head(s, CAIRN_PLAN_RELAPSE, pid);
    struct cairn_error err;
    add(p, "coping", "Call my sponsor");
    add(p, "coping", "Walk the dog");
    add(p, "coping", "Leave the party");
    add(p, "triggers", "Payday");
    add(p, "triggers", "Parties");
    save(s, p, false); /* keys: c1 c2 c3, t1 t2 */
    link_to(p, 0, "c1");
    link_to(p, 0, "c2");
    link_to(p, 1, "c1");
    link_to(p, 1, "c3");
    save(s, p, false);

    /* Another revision that reorders nothing but adds and removes. */
    struct cairn_plan *q = head(s, CAIRN_PLAN_RELAPSE, pid);
    add(q, "coping", "Text a friend");
    assert_int_equal(cairn_plan_remove_item(q, "coping", 2, &err), CAIRN_OK); /* c2 */
    save(s, q, false);
    cairn_plan_free(&q);

    q = head(s, CAIRN_PLAN_RELAPSE, pid);
    assert_int_equal(q->revision, 3);
    const struct cairn_plan_part *t = cairn_plan_part_find(q, "triggers");
    const struct cairn_plan_part *c = cairn_plan_part_find(q, "coping");
    assert_int_equal(t->items[0].ncopes, 1); /* the link to the removed c2 went with it */
    assert_string_equal(t->items[0].copes[0], "c1");
    assert_int_equal(t->items[1].ncopes, 2);
    assert_string_equal(t->items[1].copes[0], "c1");
    assert_string_equal(t->items[1].copes[1], "c3");
    assert_string_equal(c->items[1].key, "c3");
    assert_string_equal(c->items[2].key, "c4"); /* new keys never reuse a position */

    /* The old revision still has its links. */
    struct cairn_plan *old = cairn_plan_new(CAIRN_PLAN_RELAPSE);
    assert_int_equal(cairn_plan_read(s, CAIRN_PLAN_RELAPSE, pid, 2, old, &err), CAIRN_OK);
    assert_int_equal(cairn_plan_part_find(old, "triggers")->items[0].ncopes, 2);

    /* A link to a key the plan does not have is refused. */
    link_to(q, 0, "c9");
    assert_int_equal(cairn_plan_validate(q, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "/sections/triggers/0/copes/1");
    cairn_plan_free(&old);
    cairn_plan_free(&q);
    cairn_plan_free(&p);
}

static void test_a_stale_save_is_refused_and_the_edit_is_kept(void **state)
{
    struct cairn_store *s = unit_store(state);
    int64_t pid = admitted(s, "R-4");
    struct cairn_error err;
    struct cairn_plan *mine = head(s, CAIRN_PLAN_RELAPSE, pid);
    struct cairn_plan *theirs = head(s, CAIRN_PLAN_RELAPSE, pid);
    add(theirs, "coping", "Their strategy");
    save(s, theirs, false);

    add(mine, "coping", "My strategy");
    bool unchanged = false;
    int64_t revisions = unit_query_int(s, "SELECT count(*) FROM plan_revision");
    assert_int_equal(cairn_plan_save(s, mine, NULL, &unchanged, &err), CAIRN_ERR_CONFLICT);
    assert_int_equal(err.status, CAIRN_ERR_CONFLICT);
    assert_null(strstr(err.message, "My strategy"));
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM plan_revision"), revisions);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE outcome = 'conflict'"), 1);
    /* The edit is still there for the caller to keep or re-apply. */
    assert_string_equal(cairn_plan_part_find(mine, "coping")->items[0].text, "My strategy");
    assert_int_equal(mine->revision, 0);

    /* Re-based on the new head it saves. */
    mine->revision = 1;
    save(s, mine, false);
    assert_int_equal(mine->revision, 2);
    cairn_plan_free(&mine);
    cairn_plan_free(&theirs);
}

static void test_the_safety_plan_has_its_sections_in_order_and_the_crisis_line(void **state)
{
    static const char *const order[] = {
        "warning_signs", "internal_coping",  "social_distraction", "help_contacts",
        "professionals", "safe_environment", "reasons_for_living"};
    struct cairn_store *s = unit_store(state);
    int64_t pid = admitted(s, "R-5");
    struct cairn_plan *p = head(s, CAIRN_PLAN_SAFETY, pid);
    assert_int_equal(p->nparts, 7);
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(cairn_plan_part_name(CAIRN_PLAN_SAFETY, p->parts[i].section), order[i]);
    const struct cairn_plan_part *pro = cairn_plan_part_find(p, "professionals");
    assert_int_equal(pro->nitems, 1);
    assert_string_equal(pro->items[0].phone, "988");
    assert_non_null(strstr(pro->items[0].text, "988"));
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM safety_plan"), 0); /* lazy */

    save(s, p, true); /* the prefilled plan as shown is no change */
    add(p, "reasons_for_living", "My daughter");
    add(p, "warning_signs", "Not sleeping");
    save(s, p, false);
    cairn_plan_free(&p);
    p = head(s, CAIRN_PLAN_SAFETY, pid);
    assert_int_equal(p->revision, 1);
    assert_string_equal(p->parts[0].items[0].key, "w1");
    assert_string_equal(p->parts[6].items[0].text, "My daughter");
    char *yaml = NULL;
    struct cairn_error err;
    assert_int_equal(cairn_plan_render_yaml(p, NULL, &yaml, &err), CAIRN_OK);
    const char *at = yaml;
    for (size_t i = 0; i < 7; i++) {
        const char *next = strstr(at, order[i]);
        assert_non_null(next);
        at = next;
    }
    free(yaml);
    cairn_plan_free(&p);
}

static void test_yaml_round_trips_and_reports_positions(void **state)
{
    struct cairn_store *s = unit_store(state);
    int64_t pid = admitted(s, "R-6");
    struct cairn_plan *p = head(s, CAIRN_PLAN_RELAPSE, pid);
    struct cairn_error err;
    add(p, "coping", "Say \"no\" and leave: it's fine");
    add(p, "triggers", "true");
    add(p, "social_goals", "Attend one social event");
    add(p, "supports", "Ana");
    save(s, p, false);
    link_to(p, 0, "c1");
    save(s, p, false);

    char *yaml = NULL, *a = NULL, *b = NULL;
    assert_int_equal(cairn_plan_render_yaml(p, "header", &yaml, &err), CAIRN_OK);
    struct cairn_plan *q = head(s, CAIRN_PLAN_RELAPSE, pid);
    struct cairn_template_diags *d = malloc(sizeof *d);
    if (cairn_plan_parse_yaml(q, yaml, strlen(yaml), d, &err) != CAIRN_OK)
        fail_msg("%d:%d: %s: %s\n%s", err.line, err.col, err.pointer, err.message, yaml);
    assert_int_equal(cairn_plan_canonical(p, &a, &err), CAIRN_OK);
    assert_int_equal(cairn_plan_canonical(q, &b, &err), CAIRN_OK);
    assert_string_equal(a, b);
    free(a);
    free(b);
    free(yaml);

    static const char bad[] = "status: draft\n"
                              "sections:\n"
                              "  coping:\n"
                              "    - key: c1\n"
                              "      text: Call\n"
                              "      colour: red\n"
                              "  social_goals:\n"
                              "    - {text: Walk, weekly_target: 40}\n"
                              "  hobbies: []\n";
    assert_int_equal(cairn_plan_parse_yaml(q, bad, strlen(bad), d, &err), CAIRN_ERR_INVALID);
    assert_int_equal(d->count, 3);
    assert_int_equal(d->items[0].line, 6);
    assert_int_equal(d->items[0].col, 7);
    assert_string_equal(d->items[0].pointer, "/sections/coping/0/colour");
    assert_int_equal(d->items[1].line, 8);
    assert_string_equal(d->items[1].pointer, "/sections/social_goals/0/weekly_target");
    assert_int_equal(d->items[2].line, 9);
    assert_string_equal(d->items[2].pointer, "/sections/hobbies");

    static const char bad_link[] = "sections:\n"
                                   "  coping: [{key: c1, text: Call}]\n"
                                   "  triggers:\n"
                                   "    - {text: Payday, copes: [c1, c7]}\n";
    assert_int_equal(cairn_plan_parse_yaml(q, bad_link, strlen(bad_link), d, &err),
                     CAIRN_ERR_INVALID);
    assert_int_equal(d->count, 1);
    assert_int_equal(d->items[0].line, 4);
    assert_int_equal(d->items[0].col, 34);
    assert_string_equal(d->items[0].pointer, "/sections/triggers/0/copes/1");

    /* New items written as plain text get keys on parse. */
    static const char plain[] = "sections:\n  coping:\n    - key: c1\n      text: Call\n"
                                "    - Walk\n";
    assert_int_equal(cairn_plan_parse_yaml(q, plain, strlen(plain), d, &err), CAIRN_OK);
    assert_string_equal(cairn_plan_part_find(q, "coping")->items[1].key, "c2");
    free(d);
    cairn_plan_free(&q);
    cairn_plan_free(&p);
}

static void test_json_export_imports_back_without_a_revision(void **state)
{
    struct cairn_store *s = unit_store(state);
    int64_t pid = admitted(s, "R-7");
    struct cairn_plan *p = head(s, CAIRN_PLAN_RELAPSE, pid);
    struct cairn_error err;
    add(p, "coping", "Call my sponsor");
    add(p, "triggers", "Payday");
    add(p, "supports", "Ana");
    snprintf(cairn_plan_part_find(p, "supports")->items[0].phone, CAIRN_PLAN_SHORT_BYTES,
             "555-0100");
    save(s, p, false);
    link_to(p, 0, "c1");
    snprintf(p->next_review_date, sizeof p->next_review_date, "2026-12-01");
    save(s, p, false);
    char *json = NULL;
    assert_int_equal(cairn_plan_export(p, &json, &err), CAIRN_OK);
    struct cairn_plan *q = head(s, CAIRN_PLAN_RELAPSE, pid);
    cairn_plan_part_find(q, "coping")->nitems = 0;
    assert_int_equal(cairn_plan_import(q, json, strlen(json), &err), CAIRN_OK);
    save(s, q, true);
    free(json);

    static const char wrong[] = "{\"sections\": {\"coping\": [{\"key\": \"c1\", \"txt\": \"x\"}]}}";
    assert_int_equal(cairn_plan_import(q, wrong, strlen(wrong), &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "/sections/coping/0/txt");
    cairn_plan_free(&q);
    cairn_plan_free(&p);
}

static void test_goal_tallies_are_recorded_per_week(void **state)
{
    struct cairn_store *s = unit_store(state);
    int64_t pid = admitted(s, "R-8");
    struct cairn_plan *p = head(s, CAIRN_PLAN_RELAPSE, pid);
    struct cairn_error err;
    add(p, "social_goals", "Attend one social event");
    save(s, p, false);
    assert_int_equal(cairn_plan_goal_record(s, pid, "g1", "2026-W47", 1, &err), CAIRN_OK);
    assert_int_equal(cairn_plan_goal_record(s, pid, "g1", "2026-W47", 2, &err), CAIRN_OK);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM goal_tally"), 1);
    assert_int_equal(unit_query_int(s, "SELECT done FROM goal_tally"), 2);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE entity = 'goal_tally'"),
                     2);
    assert_int_equal(cairn_plan_goal_record(s, pid, "g2", "2026-W47", 1, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "goal");
    assert_int_equal(cairn_plan_goal_record(s, pid, "g1", "2026-W54", 1, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "week");
    cairn_plan_free(&p);
}

static void test_lapse_validation_refuses_future_dates_and_unknown_kinds(void **state)
{
    struct cairn_store *s = unit_store(state);
    int64_t pid = admitted(s, "R-9");
    struct cairn_lapse *l = calloc(1, sizeof *l);
    struct cairn_error err;
    l->patient_id = pid;
    snprintf(l->date, sizeof l->date, "2026-11-24"); /* tomorrow */
    snprintf(l->kind, sizeof l->kind, "lapse");
    assert_int_equal(cairn_lapse_add(s, l, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "date");
    snprintf(l->date, sizeof l->date, "2026-11-23");
    snprintf(l->kind, sizeof l->kind, "slip");
    assert_int_equal(cairn_lapse_add(s, l, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "kind");
    snprintf(l->kind, sizeof l->kind, "relapse");
    snprintf(l->trigger, sizeof l->trigger, "line\nbreak");
    assert_int_equal(cairn_lapse_add(s, l, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "trigger");
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM lapse"), 0);
    snprintf(l->trigger, sizeof l->trigger, "Payday");
    int64_t audits = unit_audit_count(s);
    assert_int_equal(cairn_lapse_add(s, l, &err), CAIRN_OK);
    assert_int_equal(unit_audit_count(s), audits + 1);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM lapse"), 1);
    free(l);
}

/* Item texts are checked before anything else is built: a good plan
 * passes, and each bad field is named by its pointer and the same message
 * as ever (the pointer is only made on failure). */
static void test_item_text_errors_name_the_field(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    struct cairn_plan *p = head(s, CAIRN_PLAN_RELAPSE, admitted(s, "R-1"));
    add(p, "triggers", "Payday");
    add(p, "supports", "Ana");
    struct cairn_plan_part *t = cairn_plan_part_find(p, "triggers");
    struct cairn_plan_part *sup = cairn_plan_part_find(p, "supports");
    assert_int_equal(cairn_plan_validate(p, &err), CAIRN_OK);

    strcpy(t->items[0].text, "   ");
    assert_int_equal(cairn_plan_validate(p, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "/sections/triggers/0/text");
    assert_non_null(strstr(err.message, "must not be empty"));
    strcpy(t->items[0].text, "two\nlines");
    assert_int_equal(cairn_plan_validate(p, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "/sections/triggers/0/text");
    assert_non_null(strstr(err.message, "without control characters"));
    strcpy(t->items[0].text, "Payday");

    memset(sup->items[0].phone, '5', CAIRN_PLAN_SHORT_MAX + 1);
    sup->items[0].phone[CAIRN_PLAN_SHORT_MAX + 1] = '\0';
    assert_int_equal(cairn_plan_validate(p, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "/sections/supports/0/phone");
    assert_non_null(strstr(err.message, "61 characters long; at most 60"));
    strcpy(sup->items[0].phone, "\xff");
    assert_int_equal(cairn_plan_validate(p, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "/sections/supports/0/phone");
    assert_non_null(strstr(err.message, "not valid UTF-8"));
    strcpy(sup->items[0].phone, "555-0100");
    assert_int_equal(cairn_plan_validate(p, &err), CAIRN_OK);
    cairn_plan_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, unit_setup_memory, unit_teardown)
        T(test_a_revision_is_made_only_when_the_content_changes),
        T(test_diff_shows_adds_removes_and_edits_section_by_section),
        T(test_links_from_triggers_to_coping_survive_revisions),
        T(test_a_stale_save_is_refused_and_the_edit_is_kept),
        T(test_the_safety_plan_has_its_sections_in_order_and_the_crisis_line),
        T(test_yaml_round_trips_and_reports_positions),
        T(test_json_export_imports_back_without_a_revision),
        T(test_goal_tallies_are_recorded_per_week),
        T(test_lapse_validation_refuses_future_dates_and_unknown_kinds),
        T(test_item_text_errors_name_the_field),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

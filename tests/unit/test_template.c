/* Unit tests for program templates: the strict loader, the validator,
 * import versioning, reading back, bundled templates and admission seeding
 * (src/core/template.c, src/core/store_template.c). Broken-file positions
 * are pinned end to end by tests/cli/test_templates.py; these pin the
 * typed result and the rules behind the messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"

static const char minimal[] = "template: minimal-iop\n"
                              "name: Minimal IOP\n"
                              "level_of_care: asam-2.1\n"
                              "population: adult\n"
                              "schedule:\n"
                              "  sessions_per_week: 3\n"
                              "  hours_per_session: 3\n"
                              "  min_hours_per_week: 9\n"
                              "  length_weeks: 8\n"
                              "measures:\n"
                              "  - {instrument: phq9, every: week}\n"
                              "plan_sections: [triggers, coping, supports]\n"
                              "review_checklist:\n"
                              "  - Attendance discussed\n";

static const char ladder[] = "ladders:\n"
                             "  - name: Social reintegration\n"
                             "    target: Avoiding friends\n"
                             "    steps:\n"
                             "      - {text: Camera on in group, suds: 25}\n"
                             "      - {text: Phone a friend, suds: 40}\n"
                             "      - {text: Coffee with a friend, suds: 40}\n";

struct parsed {
    struct cairn_template t;
    struct cairn_template_diags d;
    struct cairn_error err;
};

/* Parses `text` (NUL-terminated) into a fresh heap struct; free() it. */
static struct parsed *parse(const char *text, enum cairn_status expect)
{
    struct parsed *p = calloc(1, sizeof *p);
    assert_non_null(p);
    enum cairn_status rc = cairn_template_parse(text, strlen(text), &p->t, &p->d, &p->err);
    if (rc != expect)
        fail_msg("parse: expected %s, got %s (%s at %d:%d %s)", cairn_status_name(expect),
                 cairn_status_name(rc), p->err.message, p->err.line, p->err.col, p->err.pointer);
    return p;
}

/* Parses minimal + extra and expects exactly one problem at `pointer`. */
static void expect_one_problem(const char *extra, const char *pointer, const char *words)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", minimal, extra);
    struct parsed *p = parse(text, CAIRN_ERR_INVALID);
    if (p->d.count != 1)
        fail_msg("expected one problem for %s, got %zu (first: %s)", pointer, p->d.count,
                 p->d.items[0].message);
    assert_string_equal(p->d.items[0].pointer, pointer);
    if (!strstr(p->d.items[0].message, words))
        fail_msg("'%s' does not say '%s'", p->d.items[0].message, words);
    free(p);
}

static void test_minimal_template_gets_every_default(void **state)
{
    (void)state;
    struct parsed *p = parse(minimal, CAIRN_OK);
    const struct cairn_template *t = &p->t;
    assert_string_equal(t->program.code, "minimal-iop");
    assert_string_equal(t->program.name, "Minimal IOP");
    assert_string_equal(t->program.level_of_care, "asam-2.1");
    assert_string_equal(t->program.population, "adult");
    assert_int_equal(t->program.sessions_per_week, 3);
    assert_true(t->hours_per_session == 3 && t->program.min_hours_per_week == 9);
    assert_true(t->program.max_hours_per_week == 19);
    assert_int_equal(t->program.min_days_per_week, 3);
    assert_int_equal(t->program.length_weeks, 8);
    assert_int_equal(t->session_types, 1u << CAIRN_SESSION_GROUP | 1u << CAIRN_SESSION_INDIVIDUAL);
    assert_int_equal(t->nmeasures, 1);
    assert_int_equal(t->measures[0].instrument, CAIRN_INSTRUMENT_PHQ9);
    assert_int_equal(t->measures[0].every, CAIRN_CADENCE_WEEK);
    assert_int_equal(t->nsections, 3);
    assert_int_equal(t->sections[2], CAIRN_SECTION_SUPPORTS);
    assert_int_equal(t->nladders, 0);
    assert_int_equal(t->mastery.peak_suds_at_most, 30);
    assert_int_equal(t->mastery.consecutive, 2);
    assert_int_equal(t->mastery.or_drop_percent, 50);
    assert_int_equal(t->alerts.phq9_rise, 5);
    assert_int_equal(t->alerts.gad7_rise, 4);
    assert_int_equal(t->alerts.absences_per_week, 2);
    assert_int_equal(t->alerts.ladder_stall_days, 14);
    assert_int_equal(t->alerts.discharge_planning_days, 14);
    assert_int_equal(t->nchecklist, 1);
    assert_string_equal(t->checklist[0], "Attendance discussed");
    assert_string_equal(t->crisis_line, "");
    assert_false(t->lapse_log);
    assert_int_equal(p->d.count, 0);
    free(p);
}

static void test_ladders_and_optional_keys_are_read(void **state)
{
    (void)state;
    char text[4096];
    snprintf(text, sizeof text,
             "%s%ssession_types: [family, group]\nmastery: {consecutive: 3, or_drop_percent: 0}\n"
             "alerts: {phq9_rise: 6}\ncrisis_line: \"988\"\nlapse_log: true\n",
             minimal, ladder);
    struct parsed *p = parse(text, CAIRN_OK);
    const struct cairn_template *t = &p->t;
    assert_int_equal(t->nladders, 1);
    assert_string_equal(t->ladders[0].name, "Social reintegration");
    assert_string_equal(t->ladders[0].target, "Avoiding friends");
    assert_int_equal(t->ladders[0].scale, 100);
    assert_int_equal(t->ladders[0].nsteps, 3);
    assert_string_equal(t->ladders[0].steps[1].text, "Phone a friend");
    assert_int_equal(t->ladders[0].steps[2].suds, 40); /* equal SUDS may follow */
    assert_int_equal(t->session_types, 1u << CAIRN_SESSION_FAMILY | 1u << CAIRN_SESSION_GROUP);
    assert_int_equal(t->mastery.peak_suds_at_most, 30);
    assert_int_equal(t->mastery.consecutive, 3);
    assert_int_equal(t->mastery.or_drop_percent, 0);
    assert_int_equal(t->alerts.phq9_rise, 6);
    assert_int_equal(t->alerts.gad7_rise, 4);
    assert_string_equal(t->crisis_line, "988");
    assert_true(t->lapse_log);
    free(p);
}

static void test_scalars_follow_yaml_1_2_core_types(void **state)
{
    (void)state;
    expect_one_problem("crisis_line: 988\n", "/crisis_line", "put it in quotes");
    expect_one_problem("crisis_line: ~\n", "/crisis_line", "got nothing");
    expect_one_problem("lapse_log: \"true\"\n", "/lapse_log", "expected true or false");
    expect_one_problem("lapse_log: On\n", "/lapse_log", "YAML 1.1 boolean");
    expect_one_problem("mastery: {consecutive: 2.5}\n", "/mastery/consecutive", "whole number");
    expect_one_problem("mastery: {consecutive: \"2\"}\n", "/mastery/consecutive", "got text");
    expect_one_problem("alerts: {gad7_rise: .inf}\n", "/alerts/gad7_rise", "finite");
    /* 25.0 is a whole number, as JSON Schema counts it. */
    char text[4096];
    snprintf(text, sizeof text, "%smastery: {peak_suds_at_most: 25.0}\n", minimal);
    struct parsed *p = parse(text, CAIRN_OK);
    assert_int_equal(p->t.mastery.peak_suds_at_most, 25);
    free(p);
}

static void test_ranges_enums_and_cross_field_rules(void **state)
{
    (void)state;
    expect_one_problem("alerts: {absences_per_week: 8}\n", "/alerts/absences_per_week",
                       "must be 1 to 7, got 8");
    expect_one_problem("session_types: [group, group]\n", "/session_types/1", "listed twice");
    expect_one_problem("session_types: [group, yoga]\n", "/session_types/1",
                       "unknown session type 'yoga'");
    expect_one_problem("ladders:\n  - name: A\n    scale: 50\n    steps: [{text: x, suds: 5}]\n",
                       "/ladders/0/scale", "must be 10");
    expect_one_problem("ladders:\n  - name: A\n    steps: []\n", "/ladders/0/steps",
                       "at least one step");
    expect_one_problem("ladders:\n  - name: A\n    steps: [{text: x}]\n", "/ladders/0/steps/0",
                       "missing required key 'suds'");
    expect_one_problem("crisis_line: \"   \"\n", "/crisis_line", "blank");
    expect_one_problem("crisis_line: \"a\\tb\"\n", "/crisis_line", "control characters");
}

static void test_numbers_in_every_yaml_1_2_form(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        double value;
    } forms[] = {{"1.5", 1.5}, {"+2", 2}, {"2.5e0", 2.5}, {"25E-1", 2.5},
                 {".5e1", 5},  {"3.", 3}, {"0x3", 3},     {"0o7", 7}};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char text[4096];
        snprintf(text, sizeof text, "%s", minimal);
        char *at = strstr(text, "hours_per_session: 3") + strlen("hours_per_session: ");
        memmove(at + strlen(forms[i].text), at + 1, strlen(at + 1) + 1);
        memcpy(at, forms[i].text, strlen(forms[i].text));
        char *sessions = strstr(text, "sessions_per_week: 3") + strlen("sessions_per_week: ");
        *sessions = '8'; /* enough sessions for 9 hours however short they are */
        struct parsed *p = parse(text, CAIRN_OK);
        if (p->t.hours_per_session != forms[i].value)
            fail_msg("%s read as %g", forms[i].text, p->t.hours_per_session);
        free(p);
    }
}

static void test_day_minimum_defaults_to_at_most_the_sessions(void **state)
{
    (void)state;
    char text[4096];
    snprintf(text, sizeof text, "%s", minimal);
    char *at = strstr(text, "sessions_per_week: 3");
    at[strlen("sessions_per_week: ")] = '2';
    at = strstr(text, "hours_per_session: 3");
    memcpy(at + strlen("hours_per_session: "), "5", 1);
    struct parsed *p = parse(text, CAIRN_OK);
    assert_int_equal(p->t.program.min_days_per_week, 2);
    free(p);
    /* Asked for explicitly, more days than sessions is an error. */
    snprintf(text, sizeof text, "%s", minimal);
    at = strstr(text, "  length_weeks");
    memmove(at + 23, at, strlen(at) + 1);
    memcpy(at, "  min_days_per_week: 4\n", 23);
    p = parse(text, CAIRN_ERR_INVALID);
    assert_int_equal(p->d.count, 1);
    assert_string_equal(p->d.items[0].pointer, "/schedule/min_days_per_week");
    free(p);
}

/* minimal with its name replaced by `name`, parsed with the expected result. */
static void expect_name(const char *name, enum cairn_status expect, const char *words)
{
    char *text = malloc(8192);
    assert_non_null(text);
    const char *rest = strstr(minimal, "level_of_care");
    snprintf(text, 8192, "template: minimal-iop\nname: \"%s\"\n%s", name, rest);
    struct parsed *p = parse(text, expect);
    if (expect == CAIRN_OK)
        assert_string_equal(p->t.program.name, name);
    else if (!strstr(p->d.items[0].message, words))
        fail_msg("'%s' does not say '%s'", p->d.items[0].message, words);
    free(p);
    free(text);
}

static void test_text_limits_count_characters_and_unicode_space(void **state)
{
    (void)state;
    char name[1024] = "";
    for (int i = 0; i < 200; i++)
        strcat(name, "\xc3\xa9"); /* é: 200 characters, 400 bytes */
    expect_name(name, CAIRN_OK, NULL);
    strcat(name, "e");
    expect_name(name, CAIRN_ERR_INVALID, "201 characters long; at most 200");
    expect_name("\xc2\xa0\xe3\x80\x80", CAIRN_ERR_INVALID, "blank"); /* NBSP, ideographic */
    expect_name("\xc2\xa0x", CAIRN_OK, NULL);
}

static void test_every_problem_is_collected_and_sorted_by_position(void **state)
{
    (void)state;
    const char text[] = "template: BAD\n"
                        "name: ''\n"
                        "level_of_care: asam-9\n"
                        "population: adult\n"
                        "schedule: {sessions_per_week: 0, hours_per_session: 3, "
                        "min_hours_per_week: 9, length_weeks: 8}\n"
                        "measures: [{instrument: phq9, every: daily}]\n"
                        "plan_sections: [coping]\n"
                        "review_checklist: [ok]\n"
                        "colour: blue\n";
    struct parsed *p = parse(text, CAIRN_ERR_INVALID);
    const char *pointers[] = {"/template",         "/name",
                              "/level_of_care",    "/schedule/sessions_per_week",
                              "/measures/0/every", "/colour"};
    assert_int_equal(p->d.count, 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(p->d.items[i].pointer, pointers[i]);
    for (size_t i = 1; i < p->d.count; i++)
        assert_true(p->d.items[i - 1].line <= p->d.items[i].line);
    /* The first problem is also the error record. */
    assert_int_equal(p->err.status, CAIRN_ERR_INVALID);
    assert_int_equal(p->err.line, 1);
    assert_int_equal(p->err.col, 11);
    assert_string_equal(p->err.pointer, "/template");
    free(p);
}

static void test_positions_count_characters_not_bytes(void **state)
{
    (void)state;
    char text[4096];
    snprintf(text, sizeof text, "%salerts: {ladder_stall_days: 0}  # Zoë\n", minimal);
    struct parsed *p = parse(text, CAIRN_ERR_INVALID);
    assert_int_equal(p->d.items[0].col, 29);
    free(p);
    /* A name with multi-byte characters before the bad value. */
    const char utf8[] = "template: x\nname: Ångström IOP\nlevel_of_care: ßad\n";
    p = parse(utf8, CAIRN_ERR_INVALID);
    assert_string_equal(p->d.items[0].pointer, ""); /* the root; the CLI prints "/" */
    const struct cairn_template_diag *level = &p->d.items[p->d.count - 1];
    assert_string_equal(level->pointer, "/level_of_care");
    assert_int_equal(level->line, 3);
    assert_int_equal(level->col, 16);
    free(p);
}

static void test_loader_caps_and_refusals(void **state)
{
    (void)state;
    /* Over the size cap: refused before parsing. */
    size_t big = CAIRN_TEMPLATE_MAX_BYTES + 1;
    char *text = malloc(big + 1);
    assert_non_null(text);
    memset(text, '#', big);
    text[big] = '\0';
    struct parsed *p = parse(text, CAIRN_ERR_INVALID);
    assert_int_equal(p->d.count, 1);
    assert_true(strstr(p->d.items[0].message, "262144 bytes") != NULL);
    free(p);
    /* A list of 101 items. */
    size_t n = (size_t)snprintf(text, big, "%sladders: [", minimal);
    for (int i = 0; i <= CAIRN_TEMPLATE_MAX_ITEMS; i++)
        n += (size_t)snprintf(text + n, big - n, "%s1", i ? "," : "");
    snprintf(text + n, big - n, "]\n");
    p = parse(text, CAIRN_ERR_INVALID);
    assert_string_equal(p->d.items[0].pointer, "/ladders/100");
    assert_true(strstr(p->d.items[0].message, "more than 100 entries") != NULL);
    free(p);
    free(text);
    /* NUL bytes, UTF-16 and a bare scalar. */
    struct cairn_template *t = malloc(sizeof *t);
    struct cairn_template_diags d;
    assert_int_equal(cairn_template_parse("a: \0b\n", 6, t, &d, NULL), CAIRN_ERR_INVALID);
    assert_int_equal(cairn_template_parse("\xff\xfe"
                                          "a\0:\0",
                                          6, t, &d, NULL),
                     CAIRN_ERR_INVALID);
    assert_true(strstr(d.items[0].message, "invalid UTF-8") != NULL);
    assert_int_equal(cairn_template_parse("just text", 9, t, &d, NULL), CAIRN_ERR_INVALID);
    assert_true(strstr(d.items[0].message, "got text") != NULL);
    assert_int_equal(cairn_template_parse(NULL, 0, t, &d, NULL), CAIRN_ERR_INVALID);
    assert_true(strstr(d.items[0].message, "empty") != NULL);
    /* Complex keys stop the loader. */
    assert_int_equal(cairn_template_parse("? [a]\n: b\n", 10, t, &d, NULL), CAIRN_ERR_INVALID);
    assert_true(strstr(d.items[0].message, "a key must be plain text") != NULL);
    free(t);
}

static void test_too_many_problems_are_capped(void **state)
{
    (void)state;
    char text[8192];
    size_t n = (size_t)snprintf(text, sizeof text, "%s", minimal);
    for (int i = 0; i < 60; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "unknown%d: 1\n", i);
    struct parsed *p = parse(text, CAIRN_ERR_INVALID);
    assert_int_equal(p->d.count, CAIRN_TEMPLATE_DIAGS_MAX);
    assert_true(p->d.truncated);
    free(p);
}

static void test_misspelt_key_is_suggested_instead_of_missing(void **state)
{
    (void)state;
    const char text[] = "template: x\nname: X\nlevel_of_care: asam-2.1\npopulation: adult\n"
                        "schedule: {sessions_per_week: 3, hours_per_session: 3, "
                        "min_hours_per_week: 9, lenght_weeks: 8}\n"
                        "measures: [{instrument: phq9, every: week}]\n"
                        "plan_sections: [coping]\nreview_checklist: [ok]\n";
    struct parsed *p = parse(text, CAIRN_ERR_INVALID);
    assert_int_equal(p->d.count, 1);
    assert_string_equal(p->d.items[0].pointer, "/schedule/lenght_weeks");
    assert_string_equal(p->d.items[0].message,
                        "unknown key 'lenght_weeks': did you mean 'length_weeks'?");
    free(p);
}

/* --- the store ------------------------------------------------------------- */

static struct parsed *import(struct cairn_store *s, const char *text, bool expect_unchanged)
{
    struct parsed *p = parse(text, CAIRN_OK);
    bool unchanged = !expect_unchanged;
    if (cairn_template_import(s, &p->t, text, strlen(text), &unchanged, &p->err) != CAIRN_OK)
        fail_msg("import: %s", p->err.message);
    assert_int_equal(unchanged, expect_unchanged);
    return p;
}

static void test_import_versions_and_reads_back_what_was_stored(void **state)
{
    struct cairn_store *s = unit_store(state);
    char text[4096];
    snprintf(text, sizeof text, "%s%scrisis_line: \"988\"\nlapse_log: true\n", minimal, ladder);
    int64_t audits = unit_audit_count(s);
    struct parsed *v1 = import(s, text, false);
    assert_int_equal(v1->t.program.version, 1);
    assert_int_equal(unit_audit_count(s), audits + 1);
    struct parsed *same = import(s, text, true);
    assert_int_equal(same->t.program.version, 1);
    assert_int_equal(same->t.program.id, v1->t.program.id);
    assert_int_equal(unit_audit_count(s), audits + 1);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM program"), 1);

    struct cairn_template *back = malloc(sizeof *back);
    struct cairn_error err;
    assert_int_equal(cairn_template_load(s, v1->t.program.id, back, &err), CAIRN_OK);
    /* Everything but fields the store fills (the id is the same anyway). */
    assert_memory_equal(&back->program, &v1->t.program, sizeof back->program);
    assert_true(back->hours_per_session == v1->t.hours_per_session);
    assert_int_equal(back->session_types, v1->t.session_types);
    assert_int_equal(back->nmeasures, 1);
    assert_int_equal(back->nsections, 3);
    assert_int_equal(back->nladders, 1);
    assert_int_equal(back->ladders[0].nsteps, 3);
    assert_string_equal(back->ladders[0].steps[2].text, "Coffee with a friend");
    assert_string_equal(back->ladders[0].target, "Avoiding friends");
    assert_string_equal(back->checklist[0], "Attendance discussed");
    assert_string_equal(back->crisis_line, "988");
    assert_true(back->lapse_log);
    char *stored;
    assert_int_equal(cairn_template_text(s, v1->t.program.id, &stored, &err), CAIRN_OK);
    assert_string_equal(stored, text);
    free(stored);

    /* A comment is a change of file: the next version. */
    strcat(text, "# reviewed\n");
    struct parsed *v2 = import(s, text, false);
    assert_int_equal(v2->t.program.version, 2);
    struct cairn_program newest;
    assert_int_equal(cairn_program_find(s, "minimal-iop", &newest, &err), CAIRN_OK);
    assert_int_equal(newest.id, v2->t.program.id);
    assert_int_equal(cairn_program_find_version(s, "minimal-iop", 1, &newest, &err), CAIRN_OK);
    assert_int_equal(newest.id, v1->t.program.id);
    free(back);
    free(v1);
    free(same);
    free(v2);
}

static void test_bundled_templates_are_valid_and_named_by_their_code(void **state)
{
    (void)state;
    assert_true(cairn_bundled_template_count() >= 3);
    struct cairn_template *t = malloc(sizeof *t);
    for (size_t i = 0; i < cairn_bundled_template_count(); i++) {
        size_t len;
        const char *text = cairn_bundled_template_text(i, &len);
        struct cairn_error err;
        if (cairn_template_parse(text, len, t, NULL, &err) != CAIRN_OK)
            fail_msg("%s:%d:%d: %s: %s", cairn_bundled_template_name(i), err.line, err.col,
                     err.pointer, err.message);
        char expect[128];
        snprintf(expect, sizeof expect, "%s.yaml", t->program.code);
        assert_string_equal(cairn_bundled_template_name(i), expect);
    }
    assert_null(cairn_bundled_template_text(cairn_bundled_template_count(), NULL));
    free(t);
}

static void test_admission_seeds_care_in_the_same_transaction(void **state)
{
    struct cairn_store *s = unit_store(state);
    char text[4096];
    snprintf(text, sizeof text, "%s%s", minimal, ladder);
    struct parsed *v1 = import(s, text, false);
    struct cairn_patient p;
    struct cairn_error err;
    unit_add_patient(s, "A-1", "Ada Admitted", &p);
    snprintf(p.admission_date, sizeof p.admission_date, "2026-11-18"); /* a Wednesday */
    p.program_id = v1->t.program.id;
    assert_int_equal(cairn_patient_change_status(s, &p, CAIRN_PATIENT_ACTIVE, &err), CAIRN_OK);
    assert_string_equal(p.expected_discharge_date, "2027-01-13");

    struct cairn_care *care = malloc(sizeof *care);
    assert_int_equal(cairn_patient_care(s, p.id, care, &err), CAIRN_OK);
    assert_true(care->plan_id > 0);
    assert_string_equal(care->plan_status, "draft");
    assert_int_equal(care->nsections, 3);
    assert_int_equal(care->sections[0], CAIRN_SECTION_TRIGGERS);
    assert_int_equal(care->nladders, 1);
    assert_int_equal(care->ladders[0].nsteps, 3);
    assert_string_equal(care->ladders[0].steps[0].status, "not_started");
    assert_int_equal(cairn_care_mastered(&care->ladders[0]), 0);
    snprintf(care->ladders[0].steps[1].status, sizeof care->ladders[0].steps[1].status, "mastered");
    assert_int_equal(cairn_care_mastered(&care->ladders[0]), 1);
    /* Every ISO week with a day in care: Wednesday of W47 to the Tuesday
     * before discharge in W02 is nine weeks (2026 has a W53). */
    assert_int_equal(care->nreviews, 9);
    assert_string_equal(care->reviews[0].week, "2026-W47");
    assert_string_equal(care->reviews[6].week, "2026-W53");
    assert_string_equal(care->reviews[8].week, "2027-W02");
    assert_string_equal(care->reviews[3].status, "due");

    /* A failure while seeding rolls the admission back with it. */
    struct cairn_patient q;
    unit_add_patient(s, "A-2", "Bo Broken", &q);
    assert_int_equal(sqlite3_exec(store_db(s),
                                  "CREATE TEMP TRIGGER no_reviews BEFORE INSERT ON review "
                                  "BEGIN SELECT RAISE(ABORT, 'injected'); END",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    snprintf(q.admission_date, sizeof q.admission_date, "2026-11-18");
    q.program_id = v1->t.program.id;
    int64_t plans = unit_query_int(s, "SELECT count(*) FROM plan");
    assert_int_not_equal(cairn_patient_change_status(s, &q, CAIRN_PATIENT_ACTIVE, &err), CAIRN_OK);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM plan"), plans);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM patient WHERE mrn = 'A-2' "
                                       "AND status = 'referred'"),
                     1);
    free(care);
    free(v1);
}

#define MEM(t) cmocka_unit_test_setup_teardown(t, unit_setup_memory, unit_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_template_gets_every_default),
        cmocka_unit_test(test_ladders_and_optional_keys_are_read),
        cmocka_unit_test(test_scalars_follow_yaml_1_2_core_types),
        cmocka_unit_test(test_ranges_enums_and_cross_field_rules),
        cmocka_unit_test(test_numbers_in_every_yaml_1_2_form),
        cmocka_unit_test(test_day_minimum_defaults_to_at_most_the_sessions),
        cmocka_unit_test(test_text_limits_count_characters_and_unicode_space),
        cmocka_unit_test(test_every_problem_is_collected_and_sorted_by_position),
        cmocka_unit_test(test_positions_count_characters_not_bytes),
        cmocka_unit_test(test_loader_caps_and_refusals),
        cmocka_unit_test(test_too_many_problems_are_capped),
        cmocka_unit_test(test_misspelt_key_is_suggested_instead_of_missing),
        cmocka_unit_test(test_bundled_templates_are_valid_and_named_by_their_code),
        MEM(test_import_versions_and_reads_back_what_was_stored),
        MEM(test_admission_seeds_care_in_the_same_transaction),
    };
    return cmocka_run_group_tests_name("template", tests, NULL, NULL);
}

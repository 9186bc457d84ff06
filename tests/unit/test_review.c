/* Weekly reviews: input validation, the YAML and JSON round trips, the
 * lifecycle (start, save with conflicts, sign, co-sign, addenda), the
 * frozen snapshot, role checks, the database's own guard on signed
 * reviews, the due list and the list awaiting co-signature. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

#include "helpers.h"

static const char program[] = "template: review-iop\n"
                              "name: Review IOP\n"
                              "level_of_care: asam-2.1\n"
                              "population: adult\n"
                              "schedule:\n"
                              "  sessions_per_week: 3\n"
                              "  hours_per_session: 3\n"
                              "  min_hours_per_week: 9\n"
                              "  length_weeks: 8\n"
                              "measures:\n"
                              "  - {instrument: phq9, every: week}\n"
                              "plan_sections: [triggers, coping, social_goals, aftercare]\n"
                              "review_checklist:\n"
                              "  - Attendance discussed\n"
                              "  - Safety plan still current\n";

static struct cairn_review *new_review(void)
{
    struct cairn_review *r = calloc(1, sizeof *r);
    assert_non_null(r);
    return r;
}

/* A store whose actor "tester" is a case manager, with patient R1 admitted
 * on Monday 2026-11-02 (weeks 45-52 scheduled). */
static void admit(struct cairn_store *s, struct cairn_patient *p)
{
    unit_add_staff(s, UNIT_LOGIN, CAIRN_ROLE_CASE_MANAGER);
    unit_admit(s, program, "R1", "2026-11-02", p);
}

static void fill(struct cairn_review *r)
{
    r->inputs.risk = CAIRN_RISK_MODERATE;
    snprintf(r->inputs.text[CAIRN_REVIEW_NARRATIVE], sizeof r->inputs.text[0],
             "A harder week.\nPHQ-9 rose; discussed.");
    for (size_t i = 0; i < r->inputs.nchecks; i++)
        r->inputs.checks[i].answer = 1;
}

static void started(struct cairn_store *s, const struct cairn_patient *p, const char *week,
                    struct cairn_review *r)
{
    struct cairn_error err;
    bool existed;
    if (cairn_review_start(s, p, week, r, &existed, &err) != CAIRN_OK)
        fail_msg("start: %s", err.message);
}

static void saved(struct cairn_store *s, struct cairn_review *r)
{
    struct cairn_error err;
    bool unchanged;
    if (cairn_review_save(s, r, &unchanged, &err) != CAIRN_OK)
        fail_msg("save: %s", err.message);
}

static void add_phq9(struct cairn_store *s, int64_t patient, const char *date, int each)
{
    struct cairn_measure m = {0};
    struct cairn_error err;
    m.patient_id = patient;
    m.instrument = CAIRN_INSTRUMENT_PHQ9;
    snprintf(m.date, sizeof m.date, "%s", date);
    m.nanswers = 9;
    for (int i = 0; i < 8; i++)
        m.answers[i] = each;
    if (cairn_measure_add(s, &m, &err) != CAIRN_OK)
        fail_msg("measure: %s", err.message);
}

/* --- pure ------------------------------------------------------------------- */

static void test_inputs_are_checked_before_anything_else(void **state)
{
    (void)state;
    struct cairn_review_inputs *in = calloc(1, sizeof *in);
    struct cairn_error err;
    assert_non_null(in);
    in->risk = (enum cairn_risk)9;
    assert_int_equal(cairn_review_inputs_validate(in, false, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "risk");
    in->risk = CAIRN_RISK_UNSET;
    snprintf(in->text[CAIRN_REVIEW_BARRIERS], sizeof in->text[0], "bad \x1b[31m escape");
    assert_int_equal(cairn_review_inputs_validate(in, false, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "barriers");
    memset(in->text[CAIRN_REVIEW_BARRIERS], 'x', CAIRN_REVIEW_TEXT_MAX + 1);
    in->text[CAIRN_REVIEW_BARRIERS][CAIRN_REVIEW_TEXT_MAX + 1] = '\0';
    assert_int_equal(cairn_review_inputs_validate(in, false, &err), CAIRN_ERR_INVALID);
    in->text[CAIRN_REVIEW_BARRIERS][CAIRN_REVIEW_TEXT_MAX] = '\0'; /* exactly the limit */
    assert_int_equal(cairn_review_inputs_validate(in, false, &err), CAIRN_OK);
    /* Signing needs a risk, a narrative and every checklist answer. */
    in->nchecks = 2;
    in->checks[0].answer = 1;
    in->checks[1].answer = -1;
    assert_int_equal(cairn_review_inputs_validate(in, true, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "risk");
    in->risk = CAIRN_RISK_LOW;
    snprintf(in->text[CAIRN_REVIEW_NARRATIVE], sizeof in->text[0], " \n ");
    assert_int_equal(cairn_review_inputs_validate(in, true, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "narrative");
    snprintf(in->text[CAIRN_REVIEW_NARRATIVE], sizeof in->text[0], "Steady week.");
    assert_int_equal(cairn_review_inputs_validate(in, true, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "checklist/2");
    in->checks[1].answer = 0; /* "no" is an answer */
    assert_int_equal(cairn_review_inputs_validate(in, true, &err), CAIRN_OK);
    free(in);
}

static void test_yaml_round_trips_and_errors_name_line_column_and_field(void **state)
{
    (void)state;
    struct cairn_review *r = new_review();
    struct cairn_template_diags *d = calloc(1, sizeof *d);
    struct cairn_error err;
    char *yaml = NULL;
    assert_non_null(d);
    snprintf(r->week, sizeof r->week, "2026-W47");
    r->inputs.nchecks = 2;
    snprintf(r->inputs.checks[0].item, sizeof r->inputs.checks[0].item, "Attendance discussed");
    snprintf(r->inputs.checks[1].item, sizeof r->inputs.checks[1].item, "Safety plan current");
    r->inputs.checks[0].answer = r->inputs.checks[1].answer = -1;
    fill(r);
    r->inputs.checks[1].answer = 0;
    snprintf(r->inputs.text[CAIRN_REVIEW_WENT_WELL], sizeof r->inputs.text[0],
             "Camera on in \"every\" group: yes");
    assert_int_equal(cairn_review_render_yaml(r, "header", &yaml, &err), CAIRN_OK);
    struct cairn_review_inputs *back = calloc(1, sizeof *back);
    assert_non_null(back);
    *back = r->inputs;
    memset(back->text, 0, sizeof back->text);
    back->risk = CAIRN_RISK_UNSET;
    assert_int_equal(cairn_review_parse_yaml(back, yaml, strlen(yaml), d, &err), CAIRN_OK);
    assert_memory_equal(back, &r->inputs, sizeof *back);
    free(yaml);

    /* Errors: every one reported with its place; nothing changes. */
    const char bad[] = "risk: severe\n"
                       "narrative: fine\n"
                       "went_wel: typo\n"
                       "checklist:\n"
                       "  - {item: Attendance discussed, done: yes}\n"
                       "  - {item: Something new, done: true}\n";
    struct cairn_review_inputs before = *back;
    assert_int_equal(cairn_review_parse_yaml(back, bad, strlen(bad), d, &err), CAIRN_ERR_INVALID);
    assert_true(d->count >= 3);
    assert_int_equal(d->items[0].line, 1);
    assert_string_equal(d->items[0].pointer, "/risk");
    assert_memory_equal(back, &before, sizeof before);
    bool typo = false, yes = false, unknown = false;
    for (size_t i = 0; i < d->count; i++) {
        typo |= d->items[i].line == 3 && strstr(d->items[i].message, "went_well") != NULL;
        yes |= d->items[i].line == 5;
        unknown |= d->items[i].line == 6 && !strcmp(d->items[i].pointer, "/checklist/1/item");
    }
    assert_true(typo);
    assert_true(yes);
    assert_true(unknown);
    /* A checklist item left out is named. */
    const char missing[] = "risk: low\nchecklist:\n  - {item: Attendance discussed, done: true}\n";
    assert_int_equal(cairn_review_parse_yaml(back, missing, strlen(missing), d, &err),
                     CAIRN_ERR_INVALID);
    assert_non_null(strstr(d->items[0].message, "Safety plan current"));
    free(back);
    free(d);
    free(r);
}

static void test_the_snapshot_survives_its_json(void **state)
{
    (void)state;
    struct cairn_review_snapshot *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    struct cairn_error err;
    char *json = NULL, *again = NULL;
    assert_non_null(a);
    assert_non_null(b);
    snprintf(a->week, sizeof a->week, "2026-W47");
    snprintf(a->from, sizeof a->from, "2026-11-16");
    snprintf(a->to, sizeof a->to, "2026-11-22");
    a->attendance.minutes_attended = 450;
    a->attendance.absent = 2;
    a->phq9.has = true;
    a->phq9.total = 18;
    a->phq9.has_baseline = true;
    a->phq9.baseline = 12;
    a->phq9.nlabels = 1;
    snprintf(a->phq9.labels[0], sizeof a->phq9.labels[0], "reliable worsening");
    a->ngoals = 1;
    a->goals[0].done = -1;
    a->goals[0].target = 2;
    a->nalerts = 1;
    snprintf(a->alerts[0].code, sizeof a->alerts[0].code, "phq9_worse");
    assert_int_equal(cairn_review_snapshot_json(a, &json, &err), CAIRN_OK);
    /* Built with its keys in order: the bytes JSON_SORT_KEYS would give. */
    json_t *doc = json_loads(json, 0, NULL);
    assert_non_null(doc);
    char *sorted = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT);
    assert_string_equal(json, sorted);
    free(sorted);
    json_decref(doc);
    assert_int_equal(cairn_review_snapshot_parse(json, b, &err), CAIRN_OK);
    assert_int_equal(cairn_review_snapshot_json(b, &again, &err), CAIRN_OK);
    assert_string_equal(json, again);
    assert_int_equal(b->goals[0].done, -1);
    assert_int_equal(cairn_review_snapshot_parse("[1]", b, &err), CAIRN_ERR_INVALID);
    free(json);
    free(again);
    free(a);
    free(b);
}

/* --- the store ------------------------------------------------------------ */

static void test_only_staff_start_and_weeks_are_checked(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_review *r = new_review();
    struct cairn_error err;
    bool existed;
    unit_admit(s, program, "R1", "2026-11-02", &p);
    assert_int_equal(cairn_review_start(s, &p, "2026-W47", r, &existed, &err), CAIRN_ERR_DENIED);
    assert_non_null(strstr(err.message, "staff add"));
    unit_add_staff(s, UNIT_LOGIN, CAIRN_ROLE_CASE_MANAGER);
    assert_int_equal(cairn_review_start(s, &p, "2026-W49", r, &existed, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "week");
    assert_int_equal(cairn_review_start(s, &p, "2026-W44", r, &existed, &err), CAIRN_ERR_INVALID);
    assert_int_equal(cairn_review_start(s, &p, "2026-W99", r, &existed, &err), CAIRN_ERR_INVALID);
    int64_t audits = unit_audit_count(s);
    assert_int_equal(cairn_review_start(s, &p, "2026-W47", r, &existed, &err), CAIRN_OK);
    assert_false(existed);
    assert_int_equal(r->status, CAIRN_REVIEW_DRAFT);
    assert_int_equal(r->inputs.nchecks, 2);
    assert_int_equal(r->inputs.checks[0].answer, -1);
    assert_string_equal(r->started_by, UNIT_LOGIN);
    assert_int_equal(unit_audit_count(s), audits + 1);
    assert_int_equal(cairn_review_start(s, &p, "2026-W47", r, &existed, &err), CAIRN_OK);
    assert_true(existed);
    free(r);
}

static void test_a_stale_save_is_refused_and_risk_goes_to_the_patient(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_review *mine = new_review(), *theirs = new_review();
    struct cairn_error err;
    bool unchanged;
    admit(s, &p);
    started(s, &p, "2026-W47", mine);
    assert_int_equal(cairn_review_load(s, &p, "2026-W47", theirs, &err), CAIRN_OK);
    snprintf(theirs->inputs.text[CAIRN_REVIEW_BARRIERS], sizeof theirs->inputs.text[0],
             "Transport");
    saved(s, theirs);
    fill(mine);
    int64_t audits = unit_audit_count(s);
    assert_int_equal(cairn_review_save(s, mine, &unchanged, &err), CAIRN_ERR_CONFLICT);
    assert_int_equal(unit_audit_count(s), audits + 1); /* the refusal */
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE outcome = 'conflict'"), 1);
    assert_string_equal(mine->inputs.text[CAIRN_REVIEW_NARRATIVE],
                        "A harder week.\nPHQ-9 rose; discussed."); /* the edit is kept */
    mine->version = theirs->version;
    assert_int_equal(cairn_review_save(s, mine, &unchanged, &err), CAIRN_OK);
    assert_false(unchanged);
    struct cairn_patient now;
    assert_int_equal(cairn_patient_find(s, "R1", &now, &err), CAIRN_OK);
    assert_int_equal(now.risk, CAIRN_RISK_MODERATE);
    assert_string_equal(now.risk_set_by, UNIT_LOGIN);
    assert_true(now.risk_set_at[0] != '\0');
    assert_int_equal(cairn_review_save(s, mine, &unchanged, &err), CAIRN_OK);
    assert_true(unchanged);
    /* The checklist is the program's: its items cannot be rewritten. */
    snprintf(mine->inputs.checks[0].item, sizeof mine->inputs.checks[0].item, "Other");
    assert_int_equal(cairn_review_save(s, mine, &unchanged, &err), CAIRN_ERR_INVALID);
    free(mine);
    free(theirs);
}

/* Fills snapshot s from `seed`: every optional part on or off, arrays of
 * varying length, the goals the same as the last snapshot's now and then
 * (as a patient's are from week to week). */
static unsigned next_draw(unsigned *r, unsigned n)
{
    *r = *r * 1103515245u + 12345u;
    return (*r >> 16) % n;
}

static void vary_snapshot(struct cairn_review_snapshot *s, unsigned seed)
{
    unsigned r = seed * 2654435761u + 12345u;
#define NEXT(n) next_draw(&r, n)
    memset(s, 0, sizeof *s);
    snprintf(s->week, sizeof s->week, "2026-W%02u", 1 + NEXT(52));
    snprintf(s->from, sizeof s->from, "2026-%02u-%02u", 1 + NEXT(12), 1 + NEXT(28));
    snprintf(s->to, sizeof s->to, "2026-%02u-%02u", 1 + NEXT(12), 1 + NEXT(28));
    snprintf(s->computed_at, sizeof s->computed_at, "2026-11-23T10:%02u:00Z", NEXT(2) * 7);
    struct cairn_attendance_week *a = &s->attendance;
    a->minutes_attended = (int)NEXT(900);
    a->days_attended = (int)NEXT(6);
    a->sessions = (int)NEXT(8);
    a->attended = (int)NEXT(5);
    a->late = (int)NEXT(3);
    a->absent = (int)NEXT(3);
    a->excused = (int)NEXT(2);
    a->min_minutes = (int)NEXT(2) * 540;
    a->min_days = (int)NEXT(4);
    a->meets_hours = NEXT(2);
    a->meets_days = NEXT(2);
    a->complete = NEXT(2);
    struct cairn_review_measure *ms[] = {&s->phq9, &s->gad7};
    for (size_t i = 0; i < 2; i++) {
        struct cairn_review_measure *m = ms[i];
        if (!(m->has = NEXT(4) != 0))
            continue;
        m->total = (int)NEXT(28);
        snprintf(m->band, sizeof m->band, "%s", NEXT(2) ? "moderate" : "mild");
        snprintf(m->date, sizeof m->date, "2026-11-%02u", 1 + NEXT(28));
        m->has_baseline = NEXT(2);
        m->baseline = (int)NEXT(28);
        m->has_last_week = NEXT(2);
        m->last_week = (int)NEXT(28);
        m->nlabels = NEXT(5);
        for (size_t l = 0; l < m->nlabels; l++)
            snprintf(m->labels[l], sizeof m->labels[l], "label %u \"quoted\" é", NEXT(9));
    }
    if (NEXT(2))
        snprintf(s->cssrs, sizeof s->cssrs, "%s", NEXT(2) ? "low" : "high");
    s->attempts = (int)NEXT(9);
    s->steps_mastered_week = (int)NEXT(3);
    s->steps_mastered = (int)NEXT(9);
    s->steps_total = (int)NEXT(12);
    s->ngoals = NEXT(3) ? 2 : NEXT(4);
    for (size_t g = 0; g < s->ngoals; g++) {
        unsigned text = NEXT(6) ? 0 : NEXT(3);
        snprintf(s->goals[g].key, sizeof s->goals[g].key, "goal-%zu", g + text);
        snprintf(s->goals[g].text, sizeof s->goals[g].text, "Call my sponsor\n%u", text);
        s->goals[g].target = 2;
        s->goals[g].done = NEXT(3) ? -1 : (int)NEXT(3);
    }
    s->lapses = (int)NEXT(2);
    s->relapses = (int)NEXT(2);
    s->nalerts = NEXT(4);
    for (size_t i = 0; i < s->nalerts; i++) {
        struct cairn_review_alert *al = &s->alerts[i];
        snprintf(al->code, sizeof al->code, "rule_%u", NEXT(9));
        snprintf(al->severity, sizeof al->severity, "%s", NEXT(2) ? "urgent" : "watch");
        snprintf(al->reason, sizeof al->reason, "reason\t%u", NEXT(99));
        if ((al->acknowledged = NEXT(3) == 0))
            snprintf(al->acked_by, sizeof al->acked_by, "th%u", NEXT(9));
    }
#undef NEXT
}

static void test_one_snapshot_writer_gives_the_bytes_of_a_fresh_one(void **state)
{
    (void)state;
    struct cairn_review_snapshot *s = calloc(1, sizeof *s), *back = calloc(1, sizeof *back);
    struct cairn_snapshot_writer *w = cairn_snapshot_writer_new();
    struct cairn_error err;
    assert_non_null(s);
    assert_non_null(back);
    assert_non_null(w);
    for (unsigned seed = 0; seed < 400; seed++) {
        vary_snapshot(s, seed);
        if (seed % 50 == 49) { /* text jansson refuses: an error, and the writer goes on */
            char *json = (char *)"x";
            snprintf(s->goals[0].text, sizeof s->goals[0].text, "bad \xff byte");
            s->ngoals = s->ngoals ? s->ngoals : 1;
            assert_int_equal(cairn_snapshot_writer_json(w, s, &json, &err), CAIRN_ERR_INVALID);
            assert_null(json);
            continue;
        }
        char *reused = NULL, *fresh = NULL, *again = NULL;
        assert_int_equal(cairn_snapshot_writer_json(w, s, &reused, &err), CAIRN_OK);
        assert_int_equal(cairn_review_snapshot_json(s, &fresh, &err), CAIRN_OK);
        assert_string_equal(reused, fresh);
        /* Compact, its keys in sorted order, and it reads back the same. */
        json_t *doc = json_loads(reused, 0, NULL);
        assert_non_null(doc);
        char *sorted = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT);
        assert_string_equal(reused, sorted);
        assert_int_equal(cairn_review_snapshot_parse(reused, back, &err), CAIRN_OK);
        assert_int_equal(cairn_review_snapshot_json(back, &again, &err), CAIRN_OK);
        assert_string_equal(reused, again);
        assert_int_equal(back->ngoals, s->ngoals);
        assert_int_equal(back->nalerts, s->nalerts);
        free(sorted);
        json_decref(doc);
        free(reused);
        free(fresh);
        free(again);
    }
    cairn_snapshot_writer_free(w);
    cairn_snapshot_writer_free(NULL);
    free(s);
    free(back);
}

static void test_signing_freezes_the_snapshot_and_the_database_guards_it(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_review *r = new_review(), *back = new_review();
    struct cairn_error err;
    admit(s, &p);
    add_phq9(s, p.id, "2026-11-09", 1);
    add_phq9(s, p.id, "2026-11-20", 2);
    started(s, &p, "2026-W47", r);
    assert_int_equal(cairn_review_sign(s, r, &err), CAIRN_ERR_INVALID); /* incomplete */
    assert_string_equal(err.pointer, "risk");
    fill(r);
    saved(s, r);
    assert_int_equal(cairn_review_sign(s, r, &err), CAIRN_OK);
    assert_int_equal(r->status, CAIRN_REVIEW_SIGNED);
    assert_int_equal(r->snapshot.phq9.total, 16);
    assert_int_equal(r->snapshot.phq9.baseline, 8);
    assert_true(r->snapshot.phq9.nlabels >= 1);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE action = 'sign'"), 1);
    /* New data for the week does not rewrite the signed review. */
    add_phq9(s, p.id, "2026-11-21", 3);
    assert_int_equal(cairn_review_read(s, &p, "2026-W47", back, &err), CAIRN_OK);
    assert_int_equal(back->snapshot.phq9.total, 16);
    assert_string_equal(back->snapshot.computed_at, r->snapshot.computed_at);
    /* Nothing changes a signed review, from the API or by hand. */
    bool unchanged;
    assert_int_equal(cairn_review_save(s, back, &unchanged, &err), CAIRN_ERR_TRANSITION);
    assert_int_equal(cairn_review_sign(s, back, &err), CAIRN_ERR_TRANSITION);
    char *msg = NULL;
    assert_int_not_equal(sqlite3_exec(store_db(s),
                                      "UPDATE review SET inputs_json = '{}' WHERE status = "
                                      "'signed'",
                                      NULL, NULL, &msg),
                         SQLITE_OK);
    assert_non_null(strstr(msg, "immutable"));
    sqlite3_free(msg);
    assert_int_not_equal(
        sqlite3_exec(store_db(s), "DELETE FROM review WHERE status = 'signed'", NULL, NULL, NULL),
        SQLITE_OK);
    free(r);
    free(back);
}

static void test_cosigning_needs_another_supervisor(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_review *r = new_review();
    struct cairn_error err;
    admit(s, &p);
    unit_add_staff(s, "peer", CAIRN_ROLE_PEER_MENTOR);
    unit_add_staff(s, "boss", CAIRN_ROLE_SUPERVISOR);
    unit_add_staff(s, "boss2", CAIRN_ROLE_SUPERVISOR);
    started(s, &p, "2026-W47", r);
    fill(r);
    saved(s, r);
    assert_int_equal(cairn_review_cosign(s, r, &err), CAIRN_ERR_DENIED); /* not a supervisor */
    cairn_store_set_actor(s, 1, "peer");
    assert_int_equal(cairn_review_sign(s, r, &err), CAIRN_ERR_DENIED); /* peers do not sign */
    cairn_store_set_actor(s, 1, "boss");
    assert_int_equal(cairn_review_cosign(s, r, &err), CAIRN_ERR_TRANSITION); /* not signed */
    assert_int_equal(cairn_review_sign(s, r, &err), CAIRN_OK);
    assert_int_equal(cairn_review_cosign(s, r, &err), CAIRN_ERR_DENIED); /* own signature */
    assert_non_null(strstr(err.message, "another supervisor"));
    cairn_store_set_actor(s, UNIT_UID, UNIT_LOGIN);
    assert_int_equal(cairn_review_cosign(s, r, &err), CAIRN_ERR_DENIED);
    assert_non_null(strstr(err.message, "case_manager"));
    cairn_store_set_actor(s, 1, "boss2");
    assert_int_equal(cairn_review_cosign(s, r, &err), CAIRN_OK);
    assert_int_equal(r->status, CAIRN_REVIEW_COSIGNED);
    assert_string_equal(r->cosigned_by, "boss2");
    assert_int_equal(cairn_review_cosign(s, r, &err), CAIRN_ERR_TRANSITION);
    free(r);
}

static void test_addenda_correct_signed_reviews_only(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_review *r = new_review(), *back = new_review();
    struct cairn_error err;
    admit(s, &p);
    started(s, &p, "2026-W47", r);
    assert_int_equal(cairn_review_addendum_add(s, r, "too early", &err), CAIRN_ERR_TRANSITION);
    fill(r);
    saved(s, r);
    assert_int_equal(cairn_review_sign(s, r, &err), CAIRN_OK);
    assert_int_equal(cairn_review_addendum_add(s, r, "  \n", &err), CAIRN_ERR_INVALID);
    assert_int_equal(cairn_review_addendum_add(s, r, "bell \a", &err), CAIRN_ERR_INVALID);
    assert_int_equal(cairn_review_addendum_add(s, r, "Corrected: three sessions, not two.", &err),
                     CAIRN_OK);
    assert_int_equal(cairn_review_read(s, &p, "2026-W47", back, &err), CAIRN_OK);
    assert_int_equal(back->naddenda, 1);
    assert_string_equal(back->addenda[0].author, UNIT_LOGIN);
    assert_int_not_equal(
        sqlite3_exec(store_db(s), "UPDATE review_addendum SET text = 'x'", NULL, NULL, NULL),
        SQLITE_OK);
    free(r);
    free(back);
}

struct due_seen {
    int n;
    char weeks[16][CAIRN_WEEK_LEN + 1];
    bool overdue[16];
};

static int collect_due(const struct cairn_review_due *d, void *ctx)
{
    struct due_seen *seen = ctx;
    if (seen->n < 16) {
        memcpy(seen->weeks[seen->n], d->week, sizeof seen->weeks[0]);
        seen->overdue[seen->n++] = d->overdue;
    }
    return 0;
}

static void test_the_due_list_puts_overdue_first_and_drops_signed_weeks(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_review *r = new_review();
    struct cairn_error err;
    struct due_seen seen = {0};
    admit(s, &p);
    char where[12];
    assert_int_equal(cairn_review_state(s, p.id, unit_today(), where, sizeof where, &err),
                     CAIRN_OK);
    assert_string_equal(where, "overdue");
    /* Today is Monday of W48: W45 and W46 are overdue, W47 is still due. */
    assert_int_equal(cairn_review_due_list(s, NULL, NULL, collect_due, &seen, &err), CAIRN_OK);
    assert_int_equal(seen.n, 4);
    assert_string_equal(seen.weeks[0], "2026-W45");
    assert_true(seen.overdue[0]);
    assert_string_equal(seen.weeks[1], "2026-W46");
    assert_true(seen.overdue[1]);
    assert_string_equal(seen.weeks[2], "2026-W47");
    assert_false(seen.overdue[2]);
    assert_string_equal(seen.weeks[3], "2026-W48");
    started(s, &p, "2026-W46", r);
    fill(r);
    saved(s, r);
    assert_int_equal(cairn_review_sign(s, r, &err), CAIRN_OK);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(cairn_review_due_list(s, NULL, NULL, collect_due, &seen, &err), CAIRN_OK);
    assert_int_equal(seen.n, 3);
    assert_string_equal(seen.weeks[0], "2026-W45");
    assert_string_equal(seen.weeks[1], "2026-W47");
    assert_int_equal(cairn_review_state(s, p.id, unit_today(), where, sizeof where, &err),
                     CAIRN_OK);
    assert_string_equal(where, "overdue"); /* W45 still */
    started(s, &p, "2026-W45", r);
    fill(r);
    saved(s, r);
    assert_int_equal(cairn_review_sign(s, r, &err), CAIRN_OK);
    assert_int_equal(cairn_review_state(s, p.id, unit_today(), where, sizeof where, &err),
                     CAIRN_OK);
    assert_string_equal(where, "due"); /* this week's, W48 */
    started(s, &p, "2026-W48", r);
    assert_int_equal(cairn_review_state(s, p.id, unit_today(), where, sizeof where, &err),
                     CAIRN_OK);
    assert_string_equal(where, "draft");
    /* By clinician: the patient has none assigned. */
    memset(&seen, 0, sizeof seen);
    assert_int_equal(cairn_review_due_list(s, UNIT_LOGIN, NULL, collect_due, &seen, &err),
                     CAIRN_OK);
    assert_int_equal(seen.n, 0);
    assert_int_equal(cairn_review_due_list(s, "nobody", NULL, collect_due, &seen, &err),
                     CAIRN_ERR_NOT_FOUND);
    free(r);
}

struct awaiting_seen {
    int n;
    char weeks[16][CAIRN_WEEK_LEN + 1];
    char mrns[16][CAIRN_MRN_MAX + 1];
    char signed_by[16][CAIRN_LOGIN_MAX + 1];
    enum cairn_risk risk[16];
    int stop_after; /* 0: never stop */
};

static int collect_awaiting(const struct cairn_review_awaiting *a, void *ctx)
{
    struct awaiting_seen *seen = ctx;
    if (seen->n < 16) {
        memcpy(seen->weeks[seen->n], a->week, sizeof seen->weeks[0]);
        memcpy(seen->mrns[seen->n], a->patient.mrn, sizeof seen->mrns[0]);
        memcpy(seen->signed_by[seen->n], a->signed_by, sizeof seen->signed_by[0]);
        seen->risk[seen->n] = a->risk;
        seen->n++;
    }
    return seen->stop_after && seen->n >= seen->stop_after;
}

/* Signs patient p's review of `week` by the acting login. */
static void sign_week(struct cairn_store *s, const struct cairn_patient *p, const char *week,
                      struct cairn_review *r)
{
    struct cairn_error err;
    memset(r, 0, sizeof *r);
    started(s, p, week, r);
    fill(r);
    saved(s, r);
    if (cairn_review_sign(s, r, &err) != CAIRN_OK)
        fail_msg("sign %s: %s", week, err.message);
}

static void test_the_cosign_list_is_oldest_first_and_drops_cosigned_reviews(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p, q;
    struct cairn_review *r = new_review();
    struct cairn_error err;
    struct awaiting_seen seen = {0};
    admit(s, &p);
    unit_add_staff(s, "boss", CAIRN_ROLE_SUPERVISOR);
    int64_t th = unit_add_staff(s, "th", CAIRN_ROLE_THERAPIST);
    /* A second patient, with a therapist, admitted to the same program. */
    unit_add_patient(s, "R2", "Second Patient", &q);
    snprintf(q.admission_date, sizeof q.admission_date, "2026-11-02");
    q.program_id = p.program_id;
    assert_int_equal(cairn_patient_change_status(s, &q, CAIRN_PATIENT_ACTIVE, &err), CAIRN_OK);
    q.therapist_id = th;
    assert_int_equal(cairn_patient_update(s, &q, CAIRN_PF_BIT(THERAPIST), &err), CAIRN_OK);

    /* Nothing signed: nothing awaits. A draft does not either. */
    started(s, &p, "2026-W45", r);
    assert_int_equal(cairn_review_cosign_list(s, NULL, collect_awaiting, &seen, &err), CAIRN_OK);
    assert_int_equal(seen.n, 0);

    /* Signed out of order: W47 of R2 first, then W46 and W45 of R1. */
    sign_week(s, &q, "2026-W47", r);
    sign_week(s, &p, "2026-W46", r);
    sign_week(s, &p, "2026-W45", r);
    assert_int_equal(cairn_review_cosign_list(s, NULL, collect_awaiting, &seen, &err), CAIRN_OK);
    assert_int_equal(seen.n, 3);
    assert_string_equal(seen.weeks[0], "2026-W45");
    assert_string_equal(seen.weeks[1], "2026-W46");
    assert_string_equal(seen.weeks[2], "2026-W47");
    assert_string_equal(seen.mrns[2], "R2");
    assert_string_equal(seen.signed_by[0], UNIT_LOGIN);
    assert_int_equal(seen.risk[0], CAIRN_RISK_MODERATE);

    /* Co-signed reviews leave the list. */
    cairn_store_set_actor(s, 1, "boss");
    memset(r, 0, sizeof *r);
    assert_int_equal(cairn_review_load(s, &p, "2026-W45", r, &err), CAIRN_OK);
    assert_int_equal(cairn_review_cosign(s, r, &err), CAIRN_OK);
    cairn_store_set_actor(s, UNIT_UID, UNIT_LOGIN);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(cairn_review_cosign_list(s, NULL, collect_awaiting, &seen, &err), CAIRN_OK);
    assert_int_equal(seen.n, 2);
    assert_string_equal(seen.weeks[0], "2026-W46");

    /* The callback stops the walk. */
    memset(&seen, 0, sizeof seen);
    seen.stop_after = 1;
    assert_int_equal(cairn_review_cosign_list(s, NULL, collect_awaiting, &seen, &err), CAIRN_OK);
    assert_int_equal(seen.n, 1);

    /* By clinician: the therapist's patient only; an unknown login is refused. */
    memset(&seen, 0, sizeof seen);
    assert_int_equal(cairn_review_cosign_list(s, "th", collect_awaiting, &seen, &err), CAIRN_OK);
    assert_int_equal(seen.n, 1);
    assert_string_equal(seen.mrns[0], "R2");
    memset(&seen, 0, sizeof seen);
    assert_int_equal(cairn_review_cosign_list(s, "boss", collect_awaiting, &seen, &err), CAIRN_OK);
    assert_int_equal(seen.n, 0);
    assert_int_equal(cairn_review_cosign_list(s, "nobody", collect_awaiting, &seen, &err),
                     CAIRN_ERR_NOT_FOUND);
    assert_string_equal(err.pointer, "clinician");
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inputs_are_checked_before_anything_else),
        cmocka_unit_test(test_yaml_round_trips_and_errors_name_line_column_and_field),
        cmocka_unit_test(test_the_snapshot_survives_its_json),
        cmocka_unit_test(test_one_snapshot_writer_gives_the_bytes_of_a_fresh_one),
        cmocka_unit_test_setup_teardown(test_only_staff_start_and_weeks_are_checked,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(test_a_stale_save_is_refused_and_risk_goes_to_the_patient,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(
            test_signing_freezes_the_snapshot_and_the_database_guards_it, unit_setup_memory,
            unit_teardown),
        cmocka_unit_test_setup_teardown(test_cosigning_needs_another_supervisor, unit_setup_memory,
                                        unit_teardown),
        cmocka_unit_test_setup_teardown(test_addenda_correct_signed_reviews_only, unit_setup_memory,
                                        unit_teardown),
        cmocka_unit_test_setup_teardown(test_the_due_list_puts_overdue_first_and_drops_signed_weeks,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(
            test_the_cosign_list_is_oldest_first_and_drops_cosigned_reviews, unit_setup_memory,
            unit_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

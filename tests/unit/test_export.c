/* Export of one patient's record: the FHIR R4 Bundle's structure (resource
 * types, required elements, code systems, references that resolve inside
 * the bundle, name-based UUIDs), the mapping of statuses, cairn's own JSON
 * record, reproducibility, and the audit rows. The fixture is made through
 * the public API on an in-memory database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

#include "helpers.h"

static const char program[] = "template: export-iop\n"
                              "name: Export IOP\n"
                              "level_of_care: asam-2.1\n"
                              "population: adult\n"
                              "schedule: {sessions_per_week: 3, hours_per_session: 3, "
                              "min_hours_per_week: 9, length_weeks: 8}\n"
                              "measures: [{instrument: phq9, every: week}]\n"
                              "plan_sections: [triggers, coping, social_goals, aftercare]\n"
                              "review_checklist: [Attendance discussed]\n"
                              "mastery: {peak_suds_at_most: 30, consecutive: 2, "
                              "or_drop_percent: 50}\n"
                              "ladders:\n"
                              "  - name: Social reintegration\n"
                              "    steps:\n"
                              "      - {text: Camera on in group, suds: 20}\n"
                              "      - {text: Phone a friend, suds: 35}\n";

/* --- fixture ---------------------------------------------------------------- */

static void add_measure(struct cairn_store *s, int64_t patient, enum cairn_instrument instrument,
                        const char *date, const char *answers, int64_t *id)
{
    struct cairn_measure m;
    struct cairn_error err;
    memset(&m, 0, sizeof m);
    m.patient_id = patient;
    m.instrument = instrument;
    snprintf(m.date, sizeof m.date, "%s", date);
    if (cairn_measure_parse_answers(cairn_instrument_get(instrument), answers, m.answers,
                                    &m.nanswers, &err) != CAIRN_OK ||
        cairn_measure_add(s, &m, &err) != CAIRN_OK)
        fail_msg("measure: %s", err.message);
    if (id)
        *id = m.id;
}

static void log_session(struct cairn_store *s, const char *mrn, const char *date, bool telehealth,
                        enum cairn_attendance_status status)
{
    struct cairn_session ses;
    struct cairn_roster_entry e;
    struct cairn_error err;
    memset(&ses, 0, sizeof ses);
    snprintf(ses.date, sizeof ses.date, "%s", date);
    snprintf(ses.start, sizeof ses.start, "10:00");
    ses.type = CAIRN_SESSION_GROUP;
    snprintf(ses.title, sizeof ses.title, "DBT skills");
    ses.minutes = 180;
    ses.telehealth = telehealth;
    memset(&e, 0, sizeof e);
    snprintf(e.mrn, sizeof e.mrn, "%s", mrn);
    e.status = status;
    e.minutes_attended = -1;
    if (cairn_session_log(s, &ses, &e, 1, &err) != CAIRN_OK)
        fail_msg("session: %s", err.message);
}

/* Patient X1 admitted 2026-11-02 with an active plan (a trigger, a coping
 * strategy, a social goal met last week), a saved safety plan, an attempt
 * on a ladder step, a telehealth group attended and an in-person one
 * missed, a PHQ-9 with item 9 positive (then corrected), a GAD-7. */
static struct cairn_patient fixture(struct cairn_store *s)
{
    struct cairn_patient p;
    struct cairn_error err;
    bool unchanged = false;
    unit_add_staff(s, UNIT_LOGIN, CAIRN_ROLE_THERAPIST);
    unit_admit(s, program, "X1", "2026-11-02", &p);

    struct cairn_plan *plan = cairn_plan_new(CAIRN_PLAN_RELAPSE);
    assert_non_null(plan);
    assert_int_equal(cairn_plan_load(s, CAIRN_PLAN_RELAPSE, p.id, 0, plan, &err), CAIRN_OK);
    assert_int_equal(cairn_plan_add_item(plan, "triggers", "Payday", &err), CAIRN_OK);
    assert_int_equal(cairn_plan_add_item(plan, "coping", "Call my sponsor", &err), CAIRN_OK);
    assert_int_equal(cairn_plan_add_item(plan, "social_goals", "Dinner with a friend", &err),
                     CAIRN_OK);
    snprintf(plan->status, sizeof plan->status, "active");
    if (cairn_plan_save(s, plan, "first plan", &unchanged, &err) != CAIRN_OK)
        fail_msg("plan: %s", err.message);
    assert_int_equal(cairn_plan_goal_record(s, p.id, "g1", "2026-W47", 2, &err), CAIRN_OK);

    struct cairn_plan *safety = cairn_plan_new(CAIRN_PLAN_SAFETY);
    assert_non_null(safety);
    assert_int_equal(cairn_plan_load(s, CAIRN_PLAN_SAFETY, p.id, 0, safety, &err), CAIRN_OK);
    assert_int_equal(cairn_plan_add_item(safety, "warning_signs", "Not sleeping", &err), CAIRN_OK);
    if (cairn_plan_save(s, safety, NULL, &unchanged, &err) != CAIRN_OK)
        fail_msg("safety: %s", err.message);
    cairn_plan_free(&plan);
    cairn_plan_free(&safety);

    struct cairn_ladder_attempt a;
    memset(&a, 0, sizeof a);
    snprintf(a.date, sizeof a.date, "2026-11-10");
    a.suds_before = 30;
    a.suds_peak = 50;
    a.suds_after = 20;
    a.expectancy_before = a.expectancy_after = -1;
    struct cairn_ladder *l = malloc(sizeof *l);
    assert_non_null(l);
    assert_int_equal(cairn_ladder_load(s, p.id, "1", l, &err), CAIRN_OK);
    if (cairn_ladder_attempt_add(s, l->id, 1, &a, NULL, &err) != CAIRN_OK)
        fail_msg("attempt: %s", err.message);
    free(l);

    log_session(s, "X1", "2026-11-16", true, CAIRN_ATTENDED);
    log_session(s, "X1", "2026-11-17", false, CAIRN_ABSENT);

    int64_t phq = 0;
    add_measure(s, p.id, CAIRN_INSTRUMENT_PHQ9, "2026-11-03", "2,2,2,2,2,2,2,1,1", &phq);
    add_measure(s, p.id, CAIRN_INSTRUMENT_GAD7, "2026-11-03", "1,1,1,1,1,1,1", NULL);
    add_measure(s, p.id, CAIRN_INSTRUMENT_PHQ9, "2026-11-17", "1,1,1,1,1,1,1,1,0", NULL);
    /* A correction: the first PHQ-9 becomes version 2 (amended). */
    struct cairn_measure m;
    memset(&m, 0, sizeof m);
    m.id = phq;
    m.instrument = CAIRN_INSTRUMENT_PHQ9;
    assert_int_equal(cairn_measure_parse_answers(cairn_instrument_get(CAIRN_INSTRUMENT_PHQ9),
                                                 "2,2,2,2,2,2,2,2,1", m.answers, &m.nanswers, &err),
                     CAIRN_OK);
    if (cairn_measure_correct(s, &m, 0, &unchanged, &err) != CAIRN_OK)
        fail_msg("correct: %s", err.message);
    return p;
}

static json_t *export_doc(struct cairn_store *s, const char *mrn, enum cairn_export_format f)
{
    char *text = NULL;
    struct cairn_error err;
    if (cairn_export_patient(s, mrn, f, &text, NULL, &err) != CAIRN_OK)
        fail_msg("export: %s", err.message);
    assert_true(strlen(text) > 0 && text[strlen(text) - 1] == '\n');
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    if (!doc)
        fail_msg("not JSON: %s", jerr.text);
    free(text);
    return doc;
}

/* --- the structural check ----------------------------------------------------- */

static bool is_uuid_url(const char *url)
{
    static const char prefix[] = "urn:uuid:";
    if (strncmp(url, prefix, strlen(prefix)) != 0)
        return false;
    const char *u = url + strlen(prefix);
    if (strlen(u) != CAIRN_UUID_LEN)
        return false;
    for (int i = 0; i < CAIRN_UUID_LEN; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? u[i] != '-' : !strchr("0123456789abcdef", u[i]))
            return false;
    }
    return u[14] == '5' && strchr("89ab", u[19]);
}

static void collect_refs(json_t *v, json_t *refs)
{
    const char *k;
    json_t *child;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, k, child)
        {
            if (!strcmp(k, "reference") && json_is_string(child))
                json_array_append(refs, child);
            else
                collect_refs(child, refs);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, child) collect_refs(child, refs);
    }
}

static const char *str_at(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool has_coding(json_t *concept, const char *system, const char *code)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(concept, "coding"), i, c)
    {
        if (str_at(c, "system") && !strcmp(str_at(c, "system"), system) &&
            (!code || (str_at(c, "code") && !strcmp(str_at(c, "code"), code))))
            return true;
    }
    return false;
}

/* Checks what any FHIR R4 consumer relies on; returns the number of
 * entries. */
static size_t check_bundle(json_t *b)
{
    static const char *const allowed[] = {
        "Patient", "CarePlan", "Goal", "QuestionnaireResponse", "Observation", "Encounter"};
    assert_string_equal(str_at(b, "resourceType"), "Bundle");
    assert_string_equal(str_at(b, "type"), "collection");
    json_t *entries = json_object_get(b, "entry"), *e, *urls = json_object();
    assert_true(json_is_array(entries));
    size_t i, patients = 0;
    json_array_foreach(entries, i, e)
    {
        const char *url = str_at(e, "fullUrl");
        json_t *r = json_object_get(e, "resource");
        assert_non_null(url);
        assert_true(is_uuid_url(url));
        assert_null(json_object_get(urls, url)); /* unique */
        json_object_set_new(urls, url, json_true());
        assert_string_equal(str_at(r, "id"), url + strlen("urn:uuid:"));
        const char *type = str_at(r, "resourceType");
        assert_non_null(type);
        bool ok = false;
        for (size_t k = 0; k < sizeof allowed / sizeof allowed[0]; k++)
            ok |= !strcmp(type, allowed[k]);
        assert_true(ok);
        if (!strcmp(type, "Patient")) {
            patients++;
        } else if (!strcmp(type, "CarePlan")) {
            assert_non_null(str_at(r, "status"));
            assert_string_equal(str_at(r, "intent"), "plan");
            assert_non_null(json_object_get(r, "subject"));
        } else if (!strcmp(type, "Goal")) {
            assert_non_null(str_at(r, "lifecycleStatus"));
            assert_non_null(str_at(json_object_get(r, "description"), "text"));
            assert_non_null(json_object_get(r, "subject"));
            json_t *ach = json_object_get(r, "achievementStatus");
            if (ach)
                assert_true(has_coding(
                    ach, "http://terminology.hl7.org/CodeSystem/goal-achievement", NULL));
        } else if (!strcmp(type, "QuestionnaireResponse")) {
            assert_string_equal(str_at(r, "status"), "completed");
            assert_non_null(json_object_get(r, "subject"));
        } else if (!strcmp(type, "Observation")) {
            assert_non_null(str_at(r, "status"));
            assert_true(has_coding(json_object_get(r, "code"), "http://loinc.org", NULL));
            assert_true(has_coding(json_array_get(json_object_get(r, "category"), 0),
                                   "http://terminology.hl7.org/CodeSystem/observation-category",
                                   "survey"));
            assert_true(json_is_integer(json_object_get(r, "valueInteger")));
        } else if (!strcmp(type, "Encounter")) {
            assert_non_null(str_at(r, "status"));
            json_t *cls = json_object_get(r, "class"); /* a Coding in R4 */
            assert_string_equal(str_at(cls, "system"),
                                "http://terminology.hl7.org/CodeSystem/v3-ActCode");
            assert_non_null(str_at(cls, "code"));
        }
    }
    assert_int_equal(patients, 1);
    json_t *refs = json_array(), *ref;
    collect_refs(entries, refs);
    assert_true(json_array_size(refs) > 0);
    json_array_foreach(refs, i, ref)
    {
        if (!json_object_get(urls, json_string_value(ref)))
            fail_msg("reference %s resolves to no entry", json_string_value(ref));
    }
    json_decref(refs);
    json_decref(urls);
    return json_array_size(entries);
}

/* The resources of `type`, in bundle order (borrowed into an array). */
static json_t *of_type(json_t *b, const char *type)
{
    json_t *out = json_array(), *e;
    size_t i;
    json_array_foreach(json_object_get(b, "entry"), i, e)
    {
        json_t *r = json_object_get(e, "resource");
        if (!strcmp(str_at(r, "resourceType"), type))
            json_array_append(out, r);
    }
    return out;
}

/* --- tests -------------------------------------------------------------------- */

static void test_uuid5_matches_the_rfc_4122_algorithm(void **state)
{
    (void)state;
    /* uuid.uuid5(uuid.NAMESPACE_DNS, "python.org") in Python's docs. */
    static const unsigned char dns[16] = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                                          0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
    char out[CAIRN_UUID_LEN + 1];
    cairn_uuid5(dns, "python.org", out);
    assert_string_equal(out, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    cairn_uuid5(CAIRN_EXPORT_UUID_NS, "cairn:patient:1", out);
    char again[CAIRN_UUID_LEN + 1];
    cairn_uuid5(CAIRN_EXPORT_UUID_NS, "cairn:patient:2", again);
    assert_string_not_equal(out, again);
}

static void test_format_names_parse_and_others_are_refused(void **state)
{
    (void)state;
    enum cairn_export_format f;
    struct cairn_error err;
    assert_int_equal(cairn_export_format_parse("fhir", &f, &err), CAIRN_OK);
    assert_int_equal(f, CAIRN_EXPORT_FHIR);
    assert_int_equal(cairn_export_format_parse("json", &f, &err), CAIRN_OK);
    assert_int_equal(f, CAIRN_EXPORT_JSON);
    assert_int_equal(cairn_export_format_parse("xml", &f, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "format");
    assert_int_equal(cairn_export_format_parse(NULL, &f, &err), CAIRN_ERR_INVALID);
}

static void test_an_unknown_mrn_exports_nothing_and_audits_nothing(void **state)
{
    struct cairn_store *s = unit_store(state);
    char *doc = (char *)"untouched";
    struct cairn_error err;
    int64_t before = unit_audit_count(s);
    assert_int_equal(cairn_export_patient(s, "NOPE", CAIRN_EXPORT_FHIR, &doc, NULL, &err),
                     CAIRN_ERR_NOT_FOUND);
    assert_null(doc);
    assert_int_equal(unit_audit_count(s), before);
    assert_int_equal(cairn_export_audit(s, 0, CAIRN_EXPORT_FHIR, &err), CAIRN_ERR_INVALID);
}

static void test_fhir_bundle_passes_the_structural_check(void **state)
{
    struct cairn_store *s = unit_store(state);
    fixture(s);
    json_t *b = export_doc(s, "X1", CAIRN_EXPORT_FHIR);
    /* Patient, 2 CarePlans, 1 social goal + 2 ladder steps, 3 × (QR + Obs), 2 Encounters */
    assert_int_equal(check_bundle(b), 1 + 2 + 3 + 6 + 2);

    json_t *patients = of_type(b, "Patient");
    json_t *pat = json_array_get(patients, 0);
    json_t *id = json_array_get(json_object_get(pat, "identifier"), 0);
    assert_string_equal(str_at(id, "system"), "urn:cairn:mrn");
    assert_string_equal(str_at(id, "value"), "X1");
    assert_string_equal(str_at(pat, "birthDate"), "1990-05-17");
    assert_string_equal(str_at(json_array_get(json_object_get(pat, "name"), 0), "text"),
                        "Test Patient");
    json_decref(patients);
    json_decref(b);
}

static void test_measures_map_to_loinc_observations_from_their_responses(void **state)
{
    struct cairn_store *s = unit_store(state);
    fixture(s);
    json_t *b = export_doc(s, "X1", CAIRN_EXPORT_FHIR);
    json_t *obs = of_type(b, "Observation"), *qrs = of_type(b, "QuestionnaireResponse");
    assert_int_equal(json_array_size(obs), 3);
    /* Oldest first: the corrected PHQ-9, the GAD-7, the second PHQ-9. */
    json_t *phq = json_array_get(obs, 0), *gad = json_array_get(obs, 1);
    assert_true(has_coding(json_object_get(phq, "code"), "http://loinc.org", "44261-6"));
    assert_true(has_coding(json_object_get(gad, "code"), "http://loinc.org", "70274-6"));
    assert_string_equal(str_at(phq, "status"), "amended");
    assert_string_equal(str_at(json_array_get(obs, 2), "status"), "final");
    assert_int_equal(json_integer_value(json_object_get(phq, "valueInteger")), 17);
    assert_string_equal(str_at(phq, "effectiveDateTime"), "2026-11-03");
    assert_int_equal(json_array_size(json_object_get(phq, "component")), 9);
    assert_int_equal(json_array_size(json_object_get(gad, "component")), 7);
    assert_non_null(
        strstr(str_at(json_array_get(json_object_get(phq, "interpretation"), 0), "text"),
               "moderately severe"));
    /* Item 9 answered 1: the urgent flag travels as a note naming its rule. */
    assert_non_null(
        strstr(str_at(json_array_get(json_object_get(phq, "note"), 0), "text"), "phq9_item9"));
    /* derivedFrom names the QuestionnaireResponse of the same measure. */
    json_t *qr = json_array_get(qrs, 0);
    const char *qr_url =
        str_at(json_array_get(json_object_get(phq, "derivedFrom"), 0), "reference");
    assert_string_equal(qr_url + strlen("urn:uuid:"), str_at(qr, "id"));
    json_t *item9 = json_array_get(json_object_get(qr, "item"), 8);
    assert_string_equal(str_at(item9, "linkId"), "9");
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(item9, "answer"), 0), "valueInteger")),
                     1);
    json_decref(obs);
    json_decref(qrs);
    json_decref(b);
}

static void test_sessions_become_encounters_virtual_for_telehealth(void **state)
{
    struct cairn_store *s = unit_store(state);
    fixture(s);
    json_t *b = export_doc(s, "X1", CAIRN_EXPORT_FHIR);
    json_t *enc = of_type(b, "Encounter");
    assert_int_equal(json_array_size(enc), 2);
    json_t *came = json_array_get(enc, 0), *missed = json_array_get(enc, 1);
    assert_string_equal(str_at(came, "status"), "finished");
    assert_string_equal(str_at(json_object_get(came, "class"), "code"), "VR");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(came, "length"), "value")),
                     180);
    const char *start = str_at(json_object_get(came, "period"), "start");
    assert_int_equal(strncmp(start, "2026-11-16T10:00:00", 19), 0);
    assert_true(start[19] == '+' || start[19] == '-'); /* a time needs a zone in FHIR */
    assert_string_equal(str_at(missed, "status"), "cancelled");
    assert_string_equal(str_at(json_object_get(missed, "class"), "code"), "AMB");
    assert_null(json_object_get(missed, "length"));
    json_decref(enc);
    json_decref(b);
}

static const char *goal_achievement(json_t *goal)
{
    json_t *c =
        json_array_get(json_object_get(json_object_get(goal, "achievementStatus"), "coding"), 0);
    return c ? str_at(c, "code") : NULL;
}

static void test_plans_and_goals_carry_statuses_that_follow_the_patient(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p = fixture(s);
    json_t *b = export_doc(s, "X1", CAIRN_EXPORT_FHIR);
    json_t *plans = of_type(b, "CarePlan"), *goals = of_type(b, "Goal");
    json_t *plan = json_array_get(plans, 0), *safety = json_array_get(plans, 1);
    assert_string_equal(str_at(plan, "title"), "Relapse-prevention plan");
    assert_string_equal(str_at(plan, "status"), "active");
    assert_string_equal(str_at(safety, "title"), "Safety plan");
    assert_string_equal(str_at(safety, "status"), "active");
    assert_int_equal(json_array_size(json_object_get(plan, "activity")), 3);
    assert_int_equal(json_array_size(json_object_get(plan, "goal")), 3);
    /* The social goal met its weekly target (1) in the latest week tallied. */
    json_t *social = json_array_get(goals, 0);
    assert_string_equal(str_at(json_array_get(json_object_get(social, "category"), 0), "text"),
                        "social reintegration");
    assert_string_equal(str_at(social, "lifecycleStatus"), "active");
    assert_string_equal(goal_achievement(social), "achieved");
    json_t *step1 = json_array_get(goals, 1), *step2 = json_array_get(goals, 2);
    assert_string_equal(str_at(step1, "lifecycleStatus"), "active");
    assert_string_equal(goal_achievement(step1), "in-progress");
    assert_string_equal(str_at(step2, "lifecycleStatus"), "planned");
    assert_null(goal_achievement(step2));
    json_decref(plans);
    json_decref(goals);
    json_decref(b);

    /* After discharge the plans are completed and unfinished work ends. */
    struct cairn_error err;
    assert_int_equal(cairn_patient_find(s, "X1", &p, &err), CAIRN_OK);
    snprintf(p.discharge_date, sizeof p.discharge_date, "2026-11-20");
    snprintf(p.discharge_reason, sizeof p.discharge_reason, "completed the program");
    if (cairn_patient_change_status(s, &p, CAIRN_PATIENT_DISCHARGED, &err) != CAIRN_OK)
        fail_msg("discharge: %s", err.message);
    b = export_doc(s, "X1", CAIRN_EXPORT_FHIR);
    check_bundle(b);
    plans = of_type(b, "CarePlan");
    goals = of_type(b, "Goal");
    assert_string_equal(str_at(json_array_get(plans, 0), "status"), "completed");
    assert_string_equal(str_at(json_object_get(json_array_get(plans, 0), "period"), "end"),
                        "2026-11-20");
    assert_string_equal(str_at(json_array_get(goals, 1), "lifecycleStatus"), "completed");
    assert_string_equal(goal_achievement(json_array_get(goals, 1)), "not-achieved");
    assert_string_equal(str_at(json_array_get(goals, 2), "lifecycleStatus"), "cancelled");
    json_decref(plans);
    json_decref(goals);
    json_decref(b);
}

static void test_a_referred_patient_exports_a_draft_safety_plan_and_no_plan(void **state)
{
    struct cairn_store *s = unit_store(state);
    unit_add_patient(s, "R0", "Referred Person", NULL);
    json_t *b = export_doc(s, "R0", CAIRN_EXPORT_FHIR);
    assert_int_equal(check_bundle(b), 2);
    json_t *plans = of_type(b, "CarePlan");
    assert_string_equal(str_at(json_array_get(plans, 0), "title"), "Safety plan");
    assert_string_equal(str_at(json_array_get(plans, 0), "status"), "draft");
    json_decref(plans);
    json_decref(b);
}

static void test_the_same_record_exports_the_same_bytes(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    fixture(s);
    for (int f = CAIRN_EXPORT_JSON; f <= CAIRN_EXPORT_FHIR; f++) {
        char *one = NULL, *two = NULL;
        assert_int_equal(
            cairn_export_patient(s, "X1", (enum cairn_export_format)f, &one, NULL, &err), CAIRN_OK);
        assert_int_equal(
            cairn_export_patient(s, "X1", (enum cairn_export_format)f, &two, NULL, &err), CAIRN_OK);
        assert_string_equal(one, two);
        free(one);
        free(two);
    }
}

static void test_json_record_holds_the_whole_record(void **state)
{
    struct cairn_store *s = unit_store(state);
    fixture(s);
    json_t *d = export_doc(s, "X1", CAIRN_EXPORT_JSON);
    assert_string_equal(str_at(d, "format"), "cairn-patient-record");
    assert_int_equal(json_integer_value(json_object_get(d, "format_version")),
                     CAIRN_EXPORT_RECORD_VERSION);
    json_t *p = json_object_get(d, "patient");
    assert_string_equal(str_at(p, "mrn"), "X1");
    assert_string_equal(str_at(p, "dob"), "1990-05-17");
    assert_string_equal(str_at(json_object_get(d, "program"), "code"), "export-iop");
    json_t *plan = json_object_get(d, "plan");
    assert_string_equal(str_at(json_object_get(plan, "head"), "status"), "active");
    assert_int_equal(json_array_size(json_object_get(plan, "revisions")), 1);
    assert_int_equal(json_array_size(json_object_get(plan, "goal_tallies")), 1);
    json_t *safety = json_object_get(d, "safety_plan");
    assert_string_equal(str_at(json_object_get(safety, "head"), "kind"), "safety");
    json_t *ladder = json_array_get(json_object_get(d, "ladders"), 0);
    assert_int_equal(json_array_size(json_object_get(ladder, "steps")), 2);
    assert_int_equal(json_array_size(json_object_get(ladder, "attempts")), 1);
    assert_int_equal(json_array_size(json_object_get(d, "sessions")), 2);
    json_t *measures = json_object_get(d, "measures");
    assert_int_equal(json_array_size(measures), 3);
    json_t *first = json_array_get(measures, 0);
    assert_int_equal(json_array_size(json_object_get(first, "answers")), 9);
    assert_string_equal(str_at(json_array_get(json_object_get(first, "flags"), 0), "rule"),
                        "phq9_item9");
    assert_int_equal(json_integer_value(json_object_get(first, "version")), 2);
    assert_true(json_is_array(json_object_get(d, "lapses")));
    json_t *reviews = json_object_get(d, "reviews");
    assert_true(json_array_size(reviews) >= 8); /* the stay's weekly schedule */
    assert_string_equal(str_at(json_array_get(reviews, 0), "status"), "due");
    json_decref(d);
}

static void test_reads_and_the_export_are_audited_without_names(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    char *doc = NULL;
    int64_t pid = 0;
    fixture(s);
    int64_t reads = unit_query_int(s, "SELECT count(*) FROM audit WHERE action = 'read'");
    assert_int_equal(cairn_export_patient(s, "X1", CAIRN_EXPORT_FHIR, &doc, &pid, &err), CAIRN_OK);
    free(doc);
    assert_true(unit_query_int(s, "SELECT count(*) FROM audit WHERE action = 'read' AND "
                                  "entity = 'patient'") >= 1);
    assert_true(unit_query_int(s, "SELECT count(*) FROM audit WHERE action = 'read'") > reads);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE action = 'export'"), 0);
    assert_int_equal(cairn_export_audit(s, pid, CAIRN_EXPORT_FHIR, &err), CAIRN_OK);
    char fields[64];
    unit_query_text(s,
                    "SELECT entity || ':' || entity_id || ':' || patient_id || ':' || fields "
                    "FROM audit WHERE action = 'export'",
                    fields, sizeof fields);
    char want[64];
    snprintf(want, sizeof want, "patient:%lld:%lld:fhir", (long long)pid, (long long)pid);
    assert_string_equal(fields, want);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE fields LIKE '%Test%'"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uuid5_matches_the_rfc_4122_algorithm),
        cmocka_unit_test(test_format_names_parse_and_others_are_refused),
        cmocka_unit_test_setup_teardown(test_an_unknown_mrn_exports_nothing_and_audits_nothing,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(test_fhir_bundle_passes_the_structural_check,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(
            test_measures_map_to_loinc_observations_from_their_responses, unit_setup_memory,
            unit_teardown),
        cmocka_unit_test_setup_teardown(test_sessions_become_encounters_virtual_for_telehealth,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(test_plans_and_goals_carry_statuses_that_follow_the_patient,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_referred_patient_exports_a_draft_safety_plan_and_no_plan, unit_setup_memory,
            unit_teardown),
        cmocka_unit_test_setup_teardown(test_the_same_record_exports_the_same_bytes,
                                        unit_setup_memory, unit_teardown),
        cmocka_unit_test_setup_teardown(test_json_record_holds_the_whole_record, unit_setup_memory,
                                        unit_teardown),
        cmocka_unit_test_setup_teardown(test_reads_and_the_export_are_audited_without_names,
                                        unit_setup_memory, unit_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

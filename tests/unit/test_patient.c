/* Unit tests for the patient registry: the status lifecycle, validation,
 * versioned edits and lists (src/core/patient.c, src/core/store_patient.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"

/* Short names for the statuses, to keep the lifecycle tables readable. */
#define R CAIRN_PATIENT_REFERRED
#define A CAIRN_PATIENT_ACTIVE
#define H CAIRN_PATIENT_ON_HOLD
#define D CAIRN_PATIENT_DISCHARGED
#define L CAIRN_PATIENT_ALUMNI

/* Reads patient `mrn` without auditing; fails the test when absent. */
static struct cairn_patient find(struct cairn_store *s, const char *mrn)
{
    struct cairn_patient p;
    struct cairn_error err;
    if (cairn_patient_find(s, mrn, &p, &err) != CAIRN_OK)
        fail_msg("finding %s: %s", mrn, err.message);
    return p;
}

/* Adds a patient and admits them on 2026-09-01; returns the stored record. */
static struct cairn_patient add_active(struct cairn_store *s, const char *mrn)
{
    struct cairn_patient p;
    struct cairn_error err;
    unit_add_patient(s, mrn, "Active Person", &p);
    snprintf(p.admission_date, sizeof p.admission_date, "2026-09-01");
    if (cairn_patient_change_status(s, &p, CAIRN_PATIENT_ACTIVE, &err) != CAIRN_OK)
        fail_msg("admitting %s: %s", mrn, err.message);
    return p;
}

/* Expects cairn_patient_add(p) to fail with CAIRN_ERR_INVALID on `field`,
 * adding no row and no audit row. */
static void expect_add_invalid(struct cairn_store *s, struct cairn_patient *p, const char *field)
{
    struct cairn_error err;
    int64_t patients = unit_patient_count(s), audits = unit_audit_count(s);
    cairn_error_clear(&err);
    enum cairn_status rc = cairn_patient_add(s, p, &err);
    if (rc != CAIRN_ERR_INVALID)
        fail_msg("adding gave %s (%s), expected CAIRN_ERR_INVALID on %s", cairn_status_name(rc),
                 err.message, field);
    assert_string_equal(err.pointer, field);
    assert_true(strlen(err.message) > 0);
    assert_int_equal(unit_patient_count(s), patients);
    assert_int_equal(unit_audit_count(s), audits);
}

/* ---- the lifecycle, pure ---- */

static void test_transition_table_allows_exactly_the_lifecycle_edges(void **state)
{
    /* allowed[from][to] */
    static const bool allowed[5][5] = {
        [R] = {[A] = true},
        [A] = {[H] = true, [D] = true},
        [H] = {[A] = true, [D] = true},
        [D] = {[L] = true},
        [L] = {0},
    };
    (void)state;
    for (int from = 0; from < CAIRN_PATIENT_STATUS__COUNT; from++)
        for (int to = 0; to < CAIRN_PATIENT_STATUS__COUNT; to++)
            if (cairn_patient_transition_allowed(from, to) != allowed[from][to])
                fail_msg("%s -> %s should be %s", cairn_patient_status_str(from),
                         cairn_patient_status_str(to), allowed[from][to] ? "allowed" : "refused");
    assert_false(cairn_patient_transition_allowed(R, CAIRN_PATIENT_STATUS__COUNT));
    assert_false(cairn_patient_transition_allowed(CAIRN_PATIENT_STATUS__COUNT, A));
}

static void test_status_and_risk_names_round_trip(void **state)
{
    (void)state;
    for (int i = 0; i < CAIRN_PATIENT_STATUS__COUNT; i++) {
        enum cairn_patient_status st;
        assert_int_equal(cairn_patient_status_parse(cairn_patient_status_str(i), &st, NULL),
                         CAIRN_OK);
        assert_int_equal(st, i);
    }
    enum cairn_patient_status st;
    struct cairn_error err;
    assert_int_equal(cairn_patient_status_parse("Active", &st, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "status");
    enum cairn_risk risk;
    assert_int_equal(cairn_risk_parse("moderate", &risk, NULL), CAIRN_OK);
    assert_int_equal(risk, CAIRN_RISK_MODERATE);
    assert_int_equal(cairn_risk_parse("", &risk, NULL), CAIRN_ERR_INVALID);
    assert_string_equal(cairn_risk_str(CAIRN_RISK_UNSET), "");
    assert_string_equal(cairn_patient_field_str(CAIRN_PF_EXPECTED_DISCHARGE),
                        "expected_discharge_date");
}

/* ---- status changes on stored patients ---- */

static void test_every_legal_transition_succeeds_and_bumps_version(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    struct cairn_patient p, q;

    /* referred → active → on_hold → active → discharged → alumni */
    unit_add_patient(s, "P-1", "First Person", &p);
    assert_int_equal(p.status, R);
    assert_int_equal(p.version, 1);
    snprintf(p.admission_date, sizeof p.admission_date, "2026-09-01");
    assert_int_equal(cairn_patient_change_status(s, &p, A, &err), CAIRN_OK);
    assert_int_equal(p.status, A);
    assert_int_equal(p.version, 2);
    assert_string_equal(p.admission_date, "2026-09-01");
    assert_int_equal(cairn_patient_change_status(s, &p, H, &err), CAIRN_OK);
    assert_int_equal(p.status, H);
    assert_int_equal(p.version, 3);
    assert_int_equal(cairn_patient_change_status(s, &p, A, &err), CAIRN_OK);
    assert_int_equal(p.status, A);
    assert_int_equal(p.version, 4);
    snprintf(p.discharge_date, sizeof p.discharge_date, "2026-11-20");
    snprintf(p.discharge_reason, sizeof p.discharge_reason, "completed the program");
    assert_int_equal(cairn_patient_change_status(s, &p, D, &err), CAIRN_OK);
    assert_int_equal(p.status, D);
    assert_int_equal(p.version, 5);
    assert_int_equal(cairn_patient_change_status(s, &p, L, &err), CAIRN_OK);
    assert_int_equal(p.status, L);
    assert_int_equal(p.version, 6);
    q = find(s, "P-1");
    assert_int_equal(q.status, L);
    assert_int_equal(q.version, 6);
    assert_string_equal(q.discharge_date, "2026-11-20");
    assert_string_equal(q.discharge_reason, "completed the program");

    /* on_hold → discharged */
    p = add_active(s, "P-2");
    assert_int_equal(cairn_patient_change_status(s, &p, H, &err), CAIRN_OK);
    snprintf(p.discharge_date, sizeof p.discharge_date, "2026-11-01");
    snprintf(p.discharge_reason, sizeof p.discharge_reason, "moved away");
    assert_int_equal(cairn_patient_change_status(s, &p, D, &err), CAIRN_OK);
    assert_int_equal(p.status, D);
    assert_int_equal(p.version, 4);
    assert_int_equal(find(s, "P-2").status, D);
}

static void test_illegal_transitions_are_refused_and_leave_row_unchanged(void **state)
{
    struct cairn_store *s = unit_store(state);
    static const struct {
        int from, to;
    } cases[] = {{R, H}, {R, D}, {R, L}, {R, R}, {A, A}, {A, L}, {A, R}, {H, H}, {H, L}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char mrn[16];
        struct cairn_patient p, before, after;
        struct cairn_error err;
        snprintf(mrn, sizeof mrn, "ILL-%zu", i);
        if (cases[i].from == R) {
            unit_add_patient(s, mrn, "Illegal Move", &p);
        } else {
            p = add_active(s, mrn);
            if (cases[i].from == H)
                assert_int_equal(cairn_patient_change_status(s, &p, H, &err), CAIRN_OK);
        }
        before = find(s, mrn);
        /* Supply every field a step could need, so only the lifecycle refuses. */
        snprintf(p.admission_date, sizeof p.admission_date, "2026-09-01");
        snprintf(p.discharge_date, sizeof p.discharge_date, "2026-11-20");
        snprintf(p.discharge_reason, sizeof p.discharge_reason, "reason");
        cairn_error_clear(&err);
        enum cairn_status rc = cairn_patient_change_status(s, &p, cases[i].to, &err);
        if (rc != CAIRN_ERR_TRANSITION)
            fail_msg("%s -> %s gave %s", cairn_patient_status_str(cases[i].from),
                     cairn_patient_status_str(cases[i].to), cairn_status_name(rc));
        assert_string_equal(err.pointer, "status");
        assert_non_null(strstr(err.message, cairn_patient_status_str(cases[i].to)));
        after = find(s, mrn);
        assert_int_equal(after.status, before.status);
        assert_int_equal(after.version, before.version);
        assert_string_equal(after.discharge_date, before.discharge_date);
    }
    /* discharged → active and alumni → active */
    struct cairn_patient p = add_active(s, "GONE");
    struct cairn_error err;
    snprintf(p.discharge_date, sizeof p.discharge_date, "2026-11-20");
    snprintf(p.discharge_reason, sizeof p.discharge_reason, "completed");
    assert_int_equal(cairn_patient_change_status(s, &p, D, &err), CAIRN_OK);
    assert_int_equal(cairn_patient_change_status(s, &p, A, &err), CAIRN_ERR_TRANSITION);
    assert_int_equal(cairn_patient_change_status(s, &p, L, &err), CAIRN_OK);
    assert_int_equal(cairn_patient_change_status(s, &p, A, &err), CAIRN_ERR_TRANSITION);
    assert_int_equal(cairn_patient_change_status(s, &p, D, &err), CAIRN_ERR_TRANSITION);
    assert_int_equal(find(s, "GONE").status, L);
    assert_int_equal(find(s, "GONE").version, p.version);
}

static void test_admit_without_admission_date_is_invalid(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    int64_t audits;
    unit_add_patient(s, "P-1", "No Date", &p);
    audits = unit_audit_count(s);
    assert_int_equal(cairn_patient_change_status(s, &p, A, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "admission_date");
    assert_int_equal(find(s, "P-1").status, R);
    assert_int_equal(find(s, "P-1").version, 1);
    assert_int_equal(unit_audit_count(s), audits);
}

static void test_admit_with_future_admission_date_is_invalid(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    unit_add_patient(s, "P-1", "Future", &p);
    snprintf(p.admission_date, sizeof p.admission_date, "2026-11-24"); /* today + 1 */
    assert_int_equal(cairn_patient_change_status(s, &p, A, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "admission_date");
    assert_int_equal(find(s, "P-1").status, R);
}

static void test_discharge_without_reason_or_date_is_invalid(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p = add_active(s, "P-1");
    struct cairn_error err;
    int64_t version = p.version;

    snprintf(p.discharge_date, sizeof p.discharge_date, "2026-11-20");
    assert_int_equal(cairn_patient_change_status(s, &p, D, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "discharge_reason");
    p.discharge_date[0] = '\0';
    snprintf(p.discharge_reason, sizeof p.discharge_reason, "completed");
    assert_int_equal(cairn_patient_change_status(s, &p, D, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "discharge_date");
    /* Discharged before admission. */
    snprintf(p.discharge_date, sizeof p.discharge_date, "2026-08-01");
    assert_int_equal(cairn_patient_change_status(s, &p, D, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "discharge_date");
    assert_int_equal(find(s, "P-1").status, A);
    assert_int_equal(find(s, "P-1").version, version);
}

static void test_admit_with_program_sets_expected_discharge_from_length_of_stay(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    int64_t prog = unit_add_program(s, "virtual-mh-iop", 8);
    unit_add_patient(s, "P-1", "Program Person", &p);
    snprintf(p.admission_date, sizeof p.admission_date, "2026-11-02");
    p.program_id = prog;
    assert_int_equal(cairn_patient_change_status(s, &p, A, &err), CAIRN_OK);
    assert_int_equal(p.program_id, prog);
    assert_string_equal(p.program_code, "virtual-mh-iop");
    assert_string_equal(p.expected_discharge_date, "2026-12-28"); /* + 8 * 7 days */
    assert_string_equal(find(s, "P-1").expected_discharge_date, "2026-12-28");
}

static void test_admit_keeps_an_explicit_expected_discharge(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    int64_t prog = unit_add_program(s, "virtual-mh-iop", 8);
    unit_add_patient(s, "P-1", "Program Person", &p);
    snprintf(p.admission_date, sizeof p.admission_date, "2026-11-02");
    snprintf(p.expected_discharge_date, sizeof p.expected_discharge_date, "2027-01-15");
    p.program_id = prog;
    assert_int_equal(cairn_patient_change_status(s, &p, A, &err), CAIRN_OK);
    assert_string_equal(p.expected_discharge_date, "2027-01-15");
}

static void test_expected_stay_is_at_most_two_years(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    int64_t prog = unit_add_program(s, "virtual-mh-iop", 8);
    unit_add_patient(s, "P-1", "Program Person", &p);
    snprintf(p.admission_date, sizeof p.admission_date, "2026-11-02");
    snprintf(p.expected_discharge_date, sizeof p.expected_discharge_date, "2028-11-01");
    p.program_id = prog;
    assert_int_equal(cairn_patient_change_status(s, &p, A, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "expected_discharge_date");
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM review"), 0);
    snprintf(p.expected_discharge_date, sizeof p.expected_discharge_date, "2028-10-30");
    assert_int_equal(cairn_patient_change_status(s, &p, A, &err), CAIRN_OK); /* 104 weeks */
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM review"), CAIRN_STAY_MAX_WEEKS);
}

static void test_admit_to_unknown_program_is_not_found(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    unit_add_patient(s, "P-1", "Program Person", &p);
    snprintf(p.admission_date, sizeof p.admission_date, "2026-11-02");
    p.program_id = 4242;
    assert_int_equal(cairn_patient_change_status(s, &p, A, &err), CAIRN_ERR_NOT_FOUND);
    assert_int_equal(find(s, "P-1").status, R);
}

/* ---- validation ---- */

static void test_add_refuses_bad_mrn_characters(void **state)
{
    struct cairn_store *s = unit_store(state);
    static const char *const bad[] = {"", "M 1", "M/1", "M%1", "-M1", "M\xC3\xAB", "M'1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct cairn_patient p;
        unit_patient_init(&p, bad[i], "Some Person");
        expect_add_invalid(s, &p, "mrn");
    }
}

static void test_add_refuses_empty_or_blank_legal_name(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    unit_patient_init(&p, "M-1", "");
    expect_add_invalid(s, &p, "legal_name");
    unit_patient_init(&p, "M-1", "   ");
    expect_add_invalid(s, &p, "legal_name");
    unit_patient_init(&p, "M-1", " Leading Space");
    expect_add_invalid(s, &p, "legal_name");
}

static void test_add_refuses_control_characters_in_names(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    unit_patient_init(&p, "M-1", "Evil\x1b[2JName");
    expect_add_invalid(s, &p, "legal_name");
    unit_patient_init(&p, "M-1", "Tab\tName");
    expect_add_invalid(s, &p, "legal_name");
    unit_patient_init(&p, "M-1", "Fine Name");
    snprintf(p.preferred_name, sizeof p.preferred_name, "Line\nBreak");
    expect_add_invalid(s, &p, "preferred_name");
}

static void test_add_refuses_invalid_utf8_in_names(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    unit_patient_init(&p, "M-1", "Zo\xC3");
    expect_add_invalid(s, &p, "legal_name");
    unit_patient_init(&p, "M-1", "Bad \xC0\x80 Overlong");
    expect_add_invalid(s, &p, "legal_name");
}

static void test_add_refuses_dob_after_today_but_accepts_today(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    unit_patient_init(&p, "M-1", "Future Baby");
    snprintf(p.dob, sizeof p.dob, "2026-11-24");
    expect_add_invalid(s, &p, "dob");
    /* "today" is the store's, not the clock's. */
    cairn_store_set_today(s, cairn_date_from_ymd(2026, 11, 24));
    assert_int_equal(cairn_patient_add(s, &p, &err), CAIRN_OK);
}

static void test_add_refuses_impossible_or_missing_dob(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    unit_patient_init(&p, "M-1", "Leap Person");
    snprintf(p.dob, sizeof p.dob, "2023-02-29");
    expect_add_invalid(s, &p, "dob");
    snprintf(p.dob, sizeof p.dob, "1899-12-31");
    expect_add_invalid(s, &p, "dob");
    snprintf(p.dob, sizeof p.dob, "17/05/1990");
    expect_add_invalid(s, &p, "dob");
    p.dob[0] = '\0';
    expect_add_invalid(s, &p, "dob");
}

static void test_add_refuses_phone_with_letters(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    unit_patient_init(&p, "M-1", "Phone Person");
    snprintf(p.phone, sizeof p.phone, "555-CALL-NOW");
    expect_add_invalid(s, &p, "phone");
    snprintf(p.phone, sizeof p.phone, "12");
    expect_add_invalid(s, &p, "phone");
    snprintf(p.phone, sizeof p.phone, "+1 (555) 010-4477");
    assert_int_equal(cairn_patient_add(s, &p, &err), CAIRN_OK);
}

static void test_duplicate_mrn_is_refused_and_adds_no_row(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    unit_add_patient(s, "M-1", "First Holder", NULL);
    int64_t audits = unit_audit_count(s);
    unit_patient_init(&p, "M-1", "Second Holder");
    assert_int_equal(cairn_patient_add(s, &p, &err), CAIRN_ERR_EXISTS);
    assert_string_equal(err.pointer, "mrn");
    assert_null(strstr(err.message, "Second Holder"));
    assert_int_equal(unit_patient_count(s), 1);
    assert_int_equal(unit_audit_count(s), audits);
    assert_string_equal(find(s, "M-1").legal_name, "First Holder");
}

static void test_add_with_unknown_therapist_is_not_found_and_adds_no_row(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    unit_patient_init(&p, "M-1", "Orphan Person");
    p.therapist_id = 777;
    assert_int_equal(cairn_patient_add(s, &p, &err), CAIRN_ERR_NOT_FOUND);
    assert_int_equal(unit_patient_count(s), 0);
    assert_int_equal(unit_audit_count(s), 0);
}

static void test_add_stores_every_field_and_starts_referred_at_version_1(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p, q;
    struct cairn_error err;
    int64_t thera = unit_add_staff(s, "thera", CAIRN_ROLE_THERAPIST);
    int64_t cm = unit_add_staff(s, "casey", CAIRN_ROLE_CASE_MANAGER);
    unit_patient_init(&p, "M-1", "Zo\xC3\xAB \xC3\x85ngstr\xC3\xB6m");
    snprintf(p.preferred_name, sizeof p.preferred_name, "Zo");
    snprintf(p.pronouns, sizeof p.pronouns, "she/her");
    snprintf(p.phone, sizeof p.phone, "+1 555 0100");
    snprintf(p.emergency_contact, sizeof p.emergency_contact, "Sam, partner, +1 555 0101");
    p.therapist_id = thera;
    p.case_manager_id = cm;
    p.status = CAIRN_PATIENT_ALUMNI; /* ignored: a new patient is referred */
    assert_int_equal(cairn_patient_add(s, &p, &err), CAIRN_OK);
    assert_true(p.id > 0);
    q = find(s, "M-1");
    assert_int_equal(q.id, p.id);
    assert_int_equal(q.status, R);
    assert_int_equal(q.version, 1);
    assert_string_equal(q.legal_name, "Zo\xC3\xAB \xC3\x85ngstr\xC3\xB6m");
    assert_string_equal(q.preferred_name, "Zo");
    assert_string_equal(q.pronouns, "she/her");
    assert_string_equal(q.phone, "+1 555 0100");
    assert_string_equal(q.emergency_contact, "Sam, partner, +1 555 0101");
    assert_string_equal(q.dob, "1990-05-17");
    assert_string_equal(q.therapist_login, "thera");
    assert_string_equal(q.case_manager_login, "casey");
    assert_string_equal(q.peer_mentor_login, "");
    assert_string_equal(q.admission_date, "");
    assert_int_equal(strlen(q.created_at), CAIRN_TIMESTAMP_LEN);
}

static void test_find_of_missing_mrn_is_not_found(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    assert_int_equal(cairn_patient_find(s, "NOPE", &p, &err), CAIRN_ERR_NOT_FOUND);
    assert_int_equal(cairn_patient_read(s, "NOPE", &p, &err), CAIRN_ERR_NOT_FOUND);
}

static void test_tags_are_trimmed_lowercased_sorted_and_deduplicated(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    char tags[64] = "B, a,,b";
    assert_int_equal(cairn_patient_tags_normalize(tags, sizeof tags, &err), CAIRN_OK);
    assert_string_equal(tags, "a,b");
    snprintf(tags, sizeof tags, " , ,");
    assert_int_equal(cairn_patient_tags_normalize(tags, sizeof tags, &err), CAIRN_OK);
    assert_string_equal(tags, "");
    snprintf(tags, sizeof tags, "ok, not ok");
    assert_int_equal(cairn_patient_tags_normalize(tags, sizeof tags, &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "tags");

    unit_patient_init(&p, "M-1", "Tagged Person");
    snprintf(p.tags, sizeof p.tags, "B, a,,b");
    assert_int_equal(cairn_patient_add(s, &p, &err), CAIRN_OK);
    assert_string_equal(find(s, "M-1").tags, "a,b");
}

/* ---- versioned edits ---- */

static void test_update_saves_masked_fields_only_and_bumps_version(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    unit_add_patient(s, "M-1", "Old Name", &p);
    snprintf(p.legal_name, sizeof p.legal_name, "New Name");
    snprintf(p.phone, sizeof p.phone, "555 0199"); /* not in the mask */
    assert_int_equal(cairn_patient_update(s, &p, CAIRN_PF_BIT(LEGAL_NAME), &err), CAIRN_OK);
    assert_int_equal(p.version, 2);
    struct cairn_patient q = find(s, "M-1");
    assert_string_equal(q.legal_name, "New Name");
    assert_string_equal(q.phone, "");
    assert_int_equal(q.version, 2);
}

static void test_update_cannot_change_status(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    unit_add_patient(s, "M-1", "Some Person", &p);
    p.status = CAIRN_PATIENT_ACTIVE;
    assert_int_equal(cairn_patient_update(s, &p, CAIRN_PF_BIT(STATUS), &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "status");
    assert_int_equal(find(s, "M-1").status, R);
}

static void test_update_with_invalid_value_is_refused_and_changes_nothing(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    unit_add_patient(s, "M-1", "Some Person", &p);
    int64_t audits = unit_audit_count(s);
    snprintf(p.phone, sizeof p.phone, "call me");
    assert_int_equal(cairn_patient_update(s, &p, CAIRN_PF_BIT(PHONE), &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "phone");
    p.therapist_id = 999;
    assert_int_equal(cairn_patient_update(s, &p, CAIRN_PF_BIT(THERAPIST), &err),
                     CAIRN_ERR_NOT_FOUND);
    assert_int_equal(find(s, "M-1").version, 1);
    assert_int_equal(find(s, "M-1").therapist_id, 0);
    assert_int_equal(unit_audit_count(s), audits);
}

static void test_update_to_another_patients_mrn_is_exists(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    unit_add_patient(s, "M-1", "One", NULL);
    unit_add_patient(s, "M-2", "Two", &p);
    snprintf(p.mrn, sizeof p.mrn, "M-1");
    assert_int_equal(cairn_patient_update(s, &p, CAIRN_PF_BIT(MRN), &err), CAIRN_ERR_EXISTS);
    assert_string_equal(err.pointer, "mrn");
    assert_string_equal(find(s, "M-2").legal_name, "Two");
}

static void test_stale_version_update_is_refused_and_keeps_first_edit(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient first, second;
    struct cairn_error err;
    unit_add_patient(s, "M-1", "Original Name", &first);
    second = first; /* both opened at version 1 */

    snprintf(first.preferred_name, sizeof first.preferred_name, "First Edit");
    assert_int_equal(cairn_patient_update(s, &first, CAIRN_PF_BIT(PREFERRED_NAME), &err), CAIRN_OK);
    assert_int_equal(first.version, 2);

    snprintf(second.preferred_name, sizeof second.preferred_name, "Second Edit");
    assert_int_equal(cairn_patient_update(s, &second, CAIRN_PF_BIT(PREFERRED_NAME), &err),
                     CAIRN_ERR_CONFLICT);
    assert_int_equal(err.status, CAIRN_ERR_CONFLICT);
    /* The caller's input is kept for re-offering. */
    assert_string_equal(second.preferred_name, "Second Edit");
    assert_int_equal(second.version, 1);
    struct cairn_patient stored = find(s, "M-1");
    assert_string_equal(stored.preferred_name, "First Edit");
    assert_int_equal(stored.version, 2);
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit WHERE entity = 'patient' AND entity_id = %lld AND "
             "outcome = 'conflict' AND action = 'update'",
             (long long)stored.id);
    assert_int_equal(unit_query_int(s, sql), 1);

    /* A stale status change is refused the same way. */
    snprintf(second.admission_date, sizeof second.admission_date, "2026-09-01");
    assert_int_equal(cairn_patient_change_status(s, &second, A, &err), CAIRN_ERR_CONFLICT);
    assert_int_equal(find(s, "M-1").status, R);
}

static void test_update_that_changes_nothing_keeps_version_and_writes_no_audit(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    unit_add_patient(s, "M-1", "Same Name", &p);
    int64_t audits = unit_audit_count(s);
    char updated_at[CAIRN_TIMESTAMP_LEN + 1];
    snprintf(updated_at, sizeof updated_at, "%s", p.updated_at);
    assert_int_equal(cairn_patient_update(s, &p,
                                          CAIRN_PF_BIT(LEGAL_NAME) | CAIRN_PF_BIT(PHONE) |
                                              CAIRN_PF_BIT(TAGS) | CAIRN_PF_BIT(THERAPIST),
                                          &err),
                     CAIRN_OK);
    assert_int_equal(p.version, 1);
    assert_int_equal(find(s, "M-1").version, 1);
    assert_string_equal(find(s, "M-1").updated_at, updated_at);
    assert_int_equal(unit_audit_count(s), audits);
    /* An empty mask is the same. */
    assert_int_equal(cairn_patient_update(s, &p, 0, &err), CAIRN_OK);
    assert_int_equal(find(s, "M-1").version, 1);
    assert_int_equal(unit_audit_count(s), audits);
}

static void test_setting_risk_records_who_and_when(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    unit_add_patient(s, "M-1", "Risky Person", &p);
    assert_int_equal(p.risk, CAIRN_RISK_UNSET);
    assert_string_equal(p.risk_set_by, "");
    p.risk = CAIRN_RISK_HIGH;
    assert_int_equal(cairn_patient_update(s, &p, CAIRN_PF_BIT(RISK), &err), CAIRN_OK);
    struct cairn_patient q = find(s, "M-1");
    assert_int_equal(q.risk, CAIRN_RISK_HIGH);
    assert_string_equal(q.risk_set_by, UNIT_LOGIN);
    assert_int_equal(strlen(q.risk_set_at), CAIRN_TIMESTAMP_LEN);
    assert_int_equal(q.risk_set_at[19], 'Z');

    /* Another clinician lowers it: the recorder follows. */
    cairn_store_set_actor(s, 2000, "other");
    q.risk = CAIRN_RISK_LOW;
    assert_int_equal(cairn_patient_update(s, &q, CAIRN_PF_BIT(RISK), &err), CAIRN_OK);
    assert_string_equal(find(s, "M-1").risk_set_by, "other");

    /* Risk given at registration is recorded the same way. */
    struct cairn_patient r;
    unit_patient_init(&r, "M-2", "Second Person");
    r.risk = CAIRN_RISK_MODERATE;
    assert_int_equal(cairn_patient_add(s, &r, &err), CAIRN_OK);
    assert_string_equal(find(s, "M-2").risk_set_by, "other");
    assert_int_equal(find(s, "M-2").risk, CAIRN_RISK_MODERATE);
}

static void test_editing_other_fields_keeps_risk_recorder(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    unit_add_patient(s, "M-1", "Risky Person", &p);
    p.risk = CAIRN_RISK_HIGH;
    assert_int_equal(cairn_patient_update(s, &p, CAIRN_PF_BIT(RISK), &err), CAIRN_OK);
    char at[CAIRN_TIMESTAMP_LEN + 1];
    snprintf(at, sizeof at, "%s", p.risk_set_at);
    cairn_store_set_actor(s, 2000, "other");
    snprintf(p.pronouns, sizeof p.pronouns, "they/them");
    /* Risk is in the mask but unchanged: not a new assessment. */
    assert_int_equal(cairn_patient_update(s, &p, CAIRN_PF_BIT(PRONOUNS) | CAIRN_PF_BIT(RISK), &err),
                     CAIRN_OK);
    assert_string_equal(find(s, "M-1").risk_set_by, UNIT_LOGIN);
    assert_string_equal(find(s, "M-1").risk_set_at, at);
}

static void test_update_refuses_dates_that_contradict_each_other(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p = add_active(s, "M-1"); /* admitted 2026-09-01 */
    struct cairn_error err;
    snprintf(p.expected_discharge_date, sizeof p.expected_discharge_date, "2026-08-01");
    assert_int_equal(cairn_patient_update(s, &p, CAIRN_PF_BIT(EXPECTED_DISCHARGE), &err),
                     CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "expected_discharge_date");
    p = find(s, "M-1");
    snprintf(p.dob, sizeof p.dob, "2026-10-01"); /* born after admission */
    assert_int_equal(cairn_patient_update(s, &p, CAIRN_PF_BIT(DOB), &err), CAIRN_ERR_INVALID);
    assert_string_equal(err.pointer, "admission_date");
    assert_string_equal(find(s, "M-1").dob, "1990-05-17");
}

static void test_stale_edit_from_second_connection_is_a_conflict(void **state)
{
    struct unit_env *env = *state;
    char path[PATH_MAX];
    struct cairn_error err;
    unit_path(path, env->dir, "cairn.db");
    struct cairn_store *a = unit_open_file(path);
    struct cairn_store *b = unit_open_file(path);
    cairn_store_set_actor(b, 2000, "bob");

    unit_add_patient(a, "M-1", "Shared Person", NULL);
    struct cairn_patient pa, pb;
    assert_int_equal(cairn_patient_read(a, "M-1", &pa, &err), CAIRN_OK);
    assert_int_equal(cairn_patient_read(b, "M-1", &pb, &err), CAIRN_OK);
    assert_int_equal(pa.version, pb.version);

    snprintf(pa.pronouns, sizeof pa.pronouns, "he/him");
    assert_int_equal(cairn_patient_update(a, &pa, CAIRN_PF_BIT(PRONOUNS), &err), CAIRN_OK);
    snprintf(pb.pronouns, sizeof pb.pronouns, "they/them");
    assert_int_equal(cairn_patient_update(b, &pb, CAIRN_PF_BIT(PRONOUNS), &err),
                     CAIRN_ERR_CONFLICT);
    assert_string_equal(pb.pronouns, "they/them");

    struct cairn_patient seen_by_b = find(b, "M-1");
    assert_string_equal(seen_by_b.pronouns, "he/him");
    assert_int_equal(seen_by_b.version, pa.version);
    assert_int_equal(unit_query_int(b, "SELECT count(*) FROM audit WHERE outcome = 'conflict' "
                                       "AND login = 'bob'"),
                     1);

    /* Re-read and retry: the second edit now lands on top of the first. */
    pb = seen_by_b;
    snprintf(pb.pronouns, sizeof pb.pronouns, "they/them");
    assert_int_equal(cairn_patient_update(b, &pb, CAIRN_PF_BIT(PRONOUNS), &err), CAIRN_OK);
    assert_string_equal(find(a, "M-1").pronouns, "they/them");
    assert_int_equal(find(a, "M-1").version, 3);
    cairn_store_close(&a);
    cairn_store_close(&b);
}

/* ---- lists ---- */

struct collected {
    size_t n;
    char mrn[64][CAIRN_MRN_MAX + 1];
    char name[64][CAIRN_NAME_MAX + 1];
    char key[64][2 * CAIRN_NAME_MAX + 2];
    char sort[64][65];
    int64_t id[64];
};

static int collect(const struct cairn_patient *p, void *ctx)
{
    struct collected *c = ctx;
    if (c->n < 64) {
        snprintf(c->mrn[c->n], sizeof c->mrn[0], "%s", p->mrn);
        snprintf(c->name[c->n], sizeof c->name[0], "%s", p->legal_name);
        snprintf(c->key[c->n], sizeof c->key[0], "%s", p->name_key);
        snprintf(c->sort[c->n], sizeof c->sort[0], "%s", p->sort_key);
        c->id[c->n] = p->id;
    }
    c->n++;
    return 0;
}

/* Lists with filter f; returns the rows in order as "MRN MRN …". */
static const char *list_mrns(struct cairn_store *s, const struct cairn_patient_filter *f)
{
    static char out[1024];
    struct collected c;
    struct cairn_error err;
    memset(&c, 0, sizeof c);
    if (cairn_patient_list(s, f, collect, &c, &err) != CAIRN_OK)
        fail_msg("listing: %s", err.message);
    out[0] = '\0';
    for (size_t i = 0; i < c.n; i++)
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? " " : "", c.mrn[i]);
    return out;
}

/* Walks a referred patient along the lifecycle to `to` (dates fixed). */
static void move_to(struct cairn_store *s, struct cairn_patient *p, int to)
{
    struct cairn_error err;
    enum cairn_status rc = CAIRN_OK;
    snprintf(p->admission_date, sizeof p->admission_date, "2026-09-01");
    if (to != R)
        rc = cairn_patient_change_status(s, p, A, &err);
    if (rc == CAIRN_OK && to == H)
        rc = cairn_patient_change_status(s, p, H, &err);
    /* A successful change re-reads *p, so the discharge fields go in last. */
    snprintf(p->discharge_date, sizeof p->discharge_date, "2026-11-01");
    snprintf(p->discharge_reason, sizeof p->discharge_reason, "completed");
    if (rc == CAIRN_OK && (to == D || to == L))
        rc = cairn_patient_change_status(s, p, D, &err);
    if (rc == CAIRN_OK && to == L)
        rc = cairn_patient_change_status(s, p, L, &err);
    if (rc != CAIRN_OK)
        fail_msg("moving %s to %s: %s", p->mrn, cairn_patient_status_str(to), err.message);
}

/* A small caseload: three clinicians and an idle one, every status, and
 * names whose order differs from the MRNs' (by name: A-9 C-3 B-1 D-4 E-5
 * F-6, since '%' sorts before '0'). */
static void seed_caseload(struct cairn_store *s)
{
    struct cairn_error err;
    int64_t thera = unit_add_staff(s, "thera", CAIRN_ROLE_THERAPIST);
    int64_t casey = unit_add_staff(s, "casey", CAIRN_ROLE_CASE_MANAGER);
    int64_t peer = unit_add_staff(s, "peer", CAIRN_ROLE_PEER_MENTOR);
    unit_add_staff(s, "idle", CAIRN_ROLE_THERAPIST);
    const struct {
        const char *mrn, *name;
        int status;
        int64_t therapist, case_manager, peer_mentor;
    } rows[] = {
        {"C-3", "Carter 100% Real", R, thera, 0, 0}, {"A-9", "Abbot Mills", A, thera, 0, 0},
        {"B-1", "Carter 1000 Fake", A, 0, casey, 0}, {"D-4", "Dana Under_score", H, 0, 0, 0},
        {"E-5", "Ellis Stone", D, 0, 0, peer},       {"F-6", "Frida Vale", L, 0, casey, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct cairn_patient p;
        unit_patient_init(&p, rows[i].mrn, rows[i].name);
        p.therapist_id = rows[i].therapist;
        p.case_manager_id = rows[i].case_manager;
        p.peer_mentor_id = rows[i].peer_mentor;
        if (cairn_patient_add(s, &p, &err) != CAIRN_OK)
            fail_msg("seeding %s: %s", rows[i].mrn, err.message);
        move_to(s, &p, rows[i].status);
    }
}

static void test_list_without_filter_shows_everyone_by_name(void **state)
{
    struct cairn_store *s = unit_store(state);
    seed_caseload(s);
    assert_string_equal(list_mrns(s, NULL), "A-9 C-3 B-1 D-4 E-5 F-6");
    struct cairn_patient_filter f = {0};
    assert_string_equal(list_mrns(s, &f), "A-9 C-3 B-1 D-4 E-5 F-6");
}

static void test_list_filters_by_status_mask(void **state)
{
    struct cairn_store *s = unit_store(state);
    seed_caseload(s);
    struct cairn_patient_filter f = {.status_mask = 1u << A};
    assert_string_equal(list_mrns(s, &f), "A-9 B-1");
    f.status_mask = (1u << R) | (1u << H) | (1u << L);
    assert_string_equal(list_mrns(s, &f), "C-3 D-4 F-6");
    f.status_mask = 1u << D;
    assert_string_equal(list_mrns(s, &f), "E-5");
}

static void test_list_filters_by_any_clinician_role(void **state)
{
    struct cairn_store *s = unit_store(state);
    seed_caseload(s);
    struct cairn_patient_filter f = {.clinician_login = "thera"};
    assert_string_equal(list_mrns(s, &f), "A-9 C-3");
    f.clinician_login = "casey";
    assert_string_equal(list_mrns(s, &f), "B-1 F-6");
    f.clinician_login = "peer";
    assert_string_equal(list_mrns(s, &f), "E-5");
    f.clinician_login = "idle";
    assert_string_equal(list_mrns(s, &f), "");
    f.clinician_login = "casey";
    f.status_mask = 1u << A;
    assert_string_equal(list_mrns(s, &f), "B-1");
}

static void set_risk(struct cairn_store *s, const char *mrn, enum cairn_risk risk)
{
    struct cairn_patient p;
    struct cairn_error err;
    if (cairn_patient_find(s, mrn, &p, &err) != CAIRN_OK)
        fail_msg("finding %s: %s", mrn, err.message);
    p.risk = risk;
    if (cairn_patient_update(s, &p, CAIRN_PF_BIT(RISK), &err) != CAIRN_OK)
        fail_msg("setting risk of %s: %s", mrn, err.message);
}

static void test_list_filters_by_risk_level_including_none(void **state)
{
    struct cairn_store *s = unit_store(state);
    seed_caseload(s);
    set_risk(s, "A-9", CAIRN_RISK_HIGH);
    set_risk(s, "B-1", CAIRN_RISK_MODERATE);
    set_risk(s, "E-5", CAIRN_RISK_HIGH);
    struct cairn_patient_filter f = {.risk_mask = 1u << CAIRN_RISK_HIGH};
    assert_string_equal(list_mrns(s, &f), "A-9 E-5");
    f.risk_mask |= 1u << CAIRN_RISK_MODERATE;
    assert_string_equal(list_mrns(s, &f), "A-9 B-1 E-5");
    f.risk_mask = 1u << CAIRN_RISK_UNSET;
    assert_string_equal(list_mrns(s, &f), "C-3 D-4 F-6");
    f.risk_mask = 1u << CAIRN_RISK_LOW;
    assert_string_equal(list_mrns(s, &f), "");
    f.risk_mask = (1u << CAIRN_RISK_HIGH) | (1u << CAIRN_RISK_UNSET);
    f.status_mask = 1u << A;
    assert_string_equal(list_mrns(s, &f), "A-9");
}

/* Pages through the whole list `limit` rows at a time, forward then
 * backward, with the keyset of each order; both walks must give the
 * one-query order. */
static void expect_paging_matches(struct cairn_store *s, enum cairn_patient_sort sort)
{
    struct cairn_patient_filter all = {.sort = sort};
    struct collected whole, page;
    struct cairn_error err;
    memset(&whole, 0, sizeof whole);
    assert_int_equal(cairn_patient_list(s, &all, collect, &whole, &err), CAIRN_OK);
    char walked[64][CAIRN_MRN_MAX + 1];
    size_t n = 0;
    struct cairn_patient_filter f = {.sort = sort, .limit = 2};
    char after_sort[65], after_key[2 * CAIRN_NAME_MAX + 2];
    for (;;) {
        memset(&page, 0, sizeof page);
        assert_int_equal(cairn_patient_list(s, &f, collect, &page, &err), CAIRN_OK);
        for (size_t i = 0; i < page.n; i++)
            snprintf(walked[n++], sizeof walked[0], "%s", page.mrn[i]);
        if (page.n < 2)
            break;
        snprintf(after_sort, sizeof after_sort, "%s", page.sort[page.n - 1]);
        snprintf(after_key, sizeof after_key, "%s",
                 sort == CAIRN_PATIENT_SORT_MRN ? page.mrn[page.n - 1] : page.key[page.n - 1]);
        f.after_sort = after_sort;
        f.after_key = after_key;
        f.after_id = page.id[page.n - 1];
    }
    assert_int_equal(n, whole.n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(walked[i], whole.mrn[i]);
    /* Backward from the end, nearest first. */
    struct cairn_patient_filter b = {.sort = sort, .backward = true};
    memset(&page, 0, sizeof page);
    assert_int_equal(cairn_patient_list(s, &b, collect, &page, &err), CAIRN_OK);
    assert_int_equal(page.n, whole.n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(page.mrn[i], whole.mrn[n - 1 - i]);
}

static void test_list_orders_by_each_column_and_pages_by_keyset(void **state)
{
    struct cairn_store *s = unit_store(state);
    seed_caseload(s);
    set_risk(s, "A-9", CAIRN_RISK_HIGH);
    set_risk(s, "B-1", CAIRN_RISK_LOW);
    set_risk(s, "E-5", CAIRN_RISK_HIGH);
    set_risk(s, "F-6", CAIRN_RISK_MODERATE);
    struct cairn_patient_filter f = {.sort = CAIRN_PATIENT_SORT_RISK};
    assert_string_equal(list_mrns(s, &f), "A-9 E-5 F-6 B-1 C-3 D-4");
    f.sort = CAIRN_PATIENT_SORT_STATUS; /* referred, active, on hold, discharged, alumni */
    assert_string_equal(list_mrns(s, &f), "C-3 A-9 B-1 D-4 E-5 F-6");
    for (int sort = 0; sort < CAIRN_PATIENT_SORT__COUNT; sort++)
        expect_paging_matches(s, (enum cairn_patient_sort)sort);
    enum cairn_patient_sort parsed;
    assert_int_equal(cairn_patient_sort_parse("admitted", &parsed, NULL), CAIRN_OK);
    assert_int_equal(parsed, CAIRN_PATIENT_SORT_ADMITTED);
    assert_int_equal(cairn_patient_sort_parse("age", &parsed, NULL), CAIRN_ERR_INVALID);
    assert_string_equal(cairn_patient_sort_str(CAIRN_PATIENT_SORT_RISK), "risk");
}

static void test_list_with_unknown_clinician_or_program_is_not_found(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct collected c;
    struct cairn_error err;
    seed_caseload(s);
    memset(&c, 0, sizeof c);
    struct cairn_patient_filter f = {.clinician_login = "nobody"};
    assert_int_equal(cairn_patient_list(s, &f, collect, &c, &err), CAIRN_ERR_NOT_FOUND);
    assert_int_equal(c.n, 0);
    struct cairn_patient_filter g = {.program_code = "no-such-program"};
    assert_int_equal(cairn_patient_list(s, &g, collect, &c, &err), CAIRN_ERR_NOT_FOUND);
    assert_int_equal(c.n, 0);
}

static void test_list_filters_by_program_code(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    int64_t prog = unit_add_program(s, "virtual-mh-iop", 8);
    unit_add_program(s, "other-iop", 8);
    struct cairn_patient p;
    unit_add_patient(s, "M-1", "In Program", &p);
    unit_add_patient(s, "M-2", "Not In Program", NULL);
    snprintf(p.admission_date, sizeof p.admission_date, "2026-09-01");
    p.program_id = prog;
    assert_int_equal(cairn_patient_change_status(s, &p, A, &err), CAIRN_OK);
    struct cairn_patient_filter f = {.program_code = "virtual-mh-iop"};
    assert_string_equal(list_mrns(s, &f), "M-1");
    f.program_code = "other-iop";
    assert_string_equal(list_mrns(s, &f), "");
}

static void test_list_search_matches_names_and_mrn_case_insensitively(void **state)
{
    struct cairn_store *s = unit_store(state);
    seed_caseload(s);
    struct cairn_patient_filter f = {.search = "carter"};
    assert_string_equal(list_mrns(s, &f), "C-3 B-1");
    f.search = "d-4";
    assert_string_equal(list_mrns(s, &f), "D-4");
    f.search = "tone";
    assert_string_equal(list_mrns(s, &f), "E-5");
    f.search = "";
    assert_string_equal(list_mrns(s, &f), "A-9 C-3 B-1 D-4 E-5 F-6");
}

static void test_list_search_treats_percent_and_underscore_literally(void **state)
{
    struct cairn_store *s = unit_store(state);
    seed_caseload(s);
    /* As a wildcard, "100%" would also match "1000". */
    struct cairn_patient_filter f = {.search = "100%"};
    assert_string_equal(list_mrns(s, &f), "C-3");
    f.search = "%";
    assert_string_equal(list_mrns(s, &f), "C-3");
    /* As a wildcard, "_" would match every name. */
    f.search = "_";
    assert_string_equal(list_mrns(s, &f), "D-4");
    f.search = "\\";
    assert_string_equal(list_mrns(s, &f), "");
}

static void test_list_sorts_by_mrn(void **state)
{
    struct cairn_store *s = unit_store(state);
    seed_caseload(s);
    struct cairn_patient_filter f = {.sort = CAIRN_PATIENT_SORT_MRN};
    assert_string_equal(list_mrns(s, &f), "A-9 B-1 C-3 D-4 E-5 F-6");
    f.status_mask = (1u << A) | (1u << R);
    assert_string_equal(list_mrns(s, &f), "A-9 B-1 C-3");
}

static void test_names_sort_as_read_whatever_their_accents_or_case(void **state)
{
    struct cairn_store *s = unit_store(state);
    unit_add_patient(s, "N-1", "Zo\xC3\xAB Jansen", NULL);      /* Zoë */
    unit_add_patient(s, "N-2", "\xC3\x89lodie Yildirim", NULL); /* Élodie */
    unit_add_patient(s, "N-3", "eero Rasmussen", NULL);
    unit_add_patient(s, "N-4", "Emil Brandt", NULL);
    unit_add_patient(s, "N-5", "\xC3\x85sa Lind", NULL); /* Åsa */
    struct cairn_patient_filter f = {0};
    assert_string_equal(list_mrns(s, &f), "N-5 N-3 N-2 N-4 N-1");
}

static void test_search_ignores_accents_and_case_in_both_directions(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    unit_patient_init(&p, "S-1", "Zo\xC3\xAB \xC3\x85ngstr\xC3\xB6m");
    snprintf(p.preferred_name, sizeof p.preferred_name, "Ren\xC3\xA9");
    struct cairn_error err;
    assert_int_equal(cairn_patient_add(s, &p, &err), CAIRN_OK);
    unit_add_patient(s, "S-2", "Zola Anders", NULL);
    struct cairn_patient_filter f = {.search = "angstrom"};
    assert_string_equal(list_mrns(s, &f), "S-1");
    f.search = "ZOË";
    assert_string_equal(list_mrns(s, &f), "S-1");
    f.search = "zoe a";
    assert_string_equal(list_mrns(s, &f), "S-1");
    f.search = "rene"; /* the preferred name */
    assert_string_equal(list_mrns(s, &f), "S-1");
    f.search = "s-2"; /* MRNs match whatever the case */
    assert_string_equal(list_mrns(s, &f), "S-2");
}

static void test_renaming_moves_the_patient_in_name_order_and_search(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    unit_add_patient(s, "R-1", "Anna Berg", &p);
    unit_add_patient(s, "R-2", "Bo Carlsson", NULL);
    snprintf(p.legal_name, sizeof p.legal_name, "\xC3\x96sten Dahl"); /* Östen */
    assert_int_equal(cairn_patient_update(s, &p, CAIRN_PF_BIT(LEGAL_NAME), &err), CAIRN_OK);
    struct cairn_patient_filter f = {0};
    assert_string_equal(list_mrns(s, &f), "R-2 R-1");
    f.search = "osten";
    assert_string_equal(list_mrns(s, &f), "R-1");
    f.search = "anna";
    assert_string_equal(list_mrns(s, &f), "");
    snprintf(p.preferred_name, sizeof p.preferred_name, "Anna");
    assert_int_equal(cairn_patient_update(s, &p, CAIRN_PF_BIT(PREFERRED_NAME), &err), CAIRN_OK);
    assert_string_equal(list_mrns(s, &f), "R-1");
}

static int stop_after_two(const struct cairn_patient *p, void *ctx)
{
    (void)p;
    return ++*(int *)ctx == 2;
}

static void test_list_stops_when_callback_returns_nonzero(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    int calls = 0;
    seed_caseload(s);
    assert_int_equal(cairn_patient_list(s, NULL, stop_after_two, &calls, &err), CAIRN_OK);
    assert_int_equal(calls, 2);
}

static void test_list_limit_caps_the_rows(void **state)
{
    struct cairn_store *s = unit_store(state);
    seed_caseload(s);
    struct cairn_patient_filter f = {.limit = 2};
    assert_string_equal(list_mrns(s, &f), "A-9 C-3");
    f.sort = CAIRN_PATIENT_SORT_MRN;
    assert_string_equal(list_mrns(s, &f), "A-9 B-1");
}

/* Walks every page of `page` rows with keyset paging under sort `sort`;
 * checks each patient is seen once and in order; returns the row count. */
static size_t walk_pages(struct cairn_store *s, enum cairn_patient_sort sort, size_t page,
                         bool backward)
{
    struct cairn_patient_filter f = {.sort = sort, .limit = page, .backward = backward};
    char key[2 * CAIRN_NAME_MAX + 2] = "";
    char seen[256] = {0};
    size_t total = 0;
    char prev_key[2 * CAIRN_NAME_MAX + 2] = "";
    int64_t prev_id = 0;
    for (;;) {
        struct collected c;
        struct cairn_error err;
        memset(&c, 0, sizeof c);
        if (cairn_patient_list(s, &f, collect, &c, &err) != CAIRN_OK)
            fail_msg("listing a page: %s", err.message);
        assert_true(c.n <= page);
        for (size_t i = 0; i < c.n; i++) {
            assert_true(c.id[i] > 0 && c.id[i] < 256);
            if (seen[c.id[i]]++)
                fail_msg("patient %lld listed twice", (long long)c.id[i]);
            const char *k = sort == CAIRN_PATIENT_SORT_MRN ? c.mrn[i] : c.key[i];
            if (total > 0) {
                int cmp = strcmp(prev_key, k);
                if (backward)
                    cmp = -cmp;
                assert_true(cmp < 0 ||
                            (cmp == 0 && (backward ? prev_id > c.id[i] : prev_id < c.id[i])));
            }
            snprintf(prev_key, sizeof prev_key, "%s", k);
            prev_id = c.id[i];
            total++;
        }
        if (c.n < page)
            break;
        snprintf(key, sizeof key, "%s", prev_key);
        f.after_key = key;
        f.after_id = prev_id;
    }
    return total;
}

static void test_keyset_paging_visits_every_row_exactly_once(void **state)
{
    struct cairn_store *s = unit_store(state);
    /* 23 patients; several share a legal name, so the id breaks ties. */
    for (int i = 0; i < 23; i++) {
        char mrn[16], name[32];
        snprintf(mrn, sizeof mrn, "M-%03d", (i * 7) % 23);
        snprintf(name, sizeof name, "Name %d", i % 5);
        unit_add_patient(s, mrn, name, NULL);
    }
    for (size_t page = 1; page <= 8; page++) {
        assert_int_equal(walk_pages(s, CAIRN_PATIENT_SORT_NAME, page, false), 23);
        assert_int_equal(walk_pages(s, CAIRN_PATIENT_SORT_MRN, page, false), 23);
        assert_int_equal(walk_pages(s, CAIRN_PATIENT_SORT_NAME, page, true), 23);
        assert_int_equal(walk_pages(s, CAIRN_PATIENT_SORT_MRN, page, true), 23);
    }
    assert_int_equal(walk_pages(s, CAIRN_PATIENT_SORT_NAME, 23, false), 23);
    assert_int_equal(walk_pages(s, CAIRN_PATIENT_SORT_NAME, 50, false), 23);
}

static void test_keyset_paging_respects_other_filters(void **state)
{
    struct cairn_store *s = unit_store(state);
    seed_caseload(s);
    struct cairn_patient_filter f = {.search = "carter", .limit = 1};
    assert_string_equal(list_mrns(s, &f), "C-3");
    struct cairn_patient c3 = find(s, "C-3");
    f.after_key = c3.name_key;
    f.after_id = c3.id;
    assert_string_equal(list_mrns(s, &f), "B-1");
    struct cairn_patient b1 = find(s, "B-1");
    f.after_key = b1.name_key;
    f.after_id = b1.id;
    assert_string_equal(list_mrns(s, &f), "");
}

static void test_list_and_find_write_no_audit_rows(void **state)
{
    struct cairn_store *s = unit_store(state);
    seed_caseload(s);
    int64_t audits = unit_audit_count(s);
    struct cairn_patient_filter f = {.search = "a"};
    list_mrns(s, &f);
    find(s, "A-9");
    assert_int_equal(unit_audit_count(s), audits);
}

#define MEM(t) cmocka_unit_test_setup_teardown(t, unit_setup_memory, unit_teardown)
#define TMP(t) cmocka_unit_test_setup_teardown(t, unit_setup_tempdir, unit_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        MEM(test_admit_without_admission_date_is_invalid),
        MEM(test_admit_with_future_admission_date_is_invalid),
        MEM(test_discharge_without_reason_or_date_is_invalid),
        MEM(test_add_refuses_bad_mrn_characters),
        MEM(test_add_refuses_empty_or_blank_legal_name),
        MEM(test_add_refuses_control_characters_in_names),
        MEM(test_add_refuses_invalid_utf8_in_names),
        MEM(test_add_refuses_dob_after_today_but_accepts_today),
        MEM(test_add_refuses_impossible_or_missing_dob),
        MEM(test_add_refuses_phone_with_letters),
        MEM(test_duplicate_mrn_is_refused_and_adds_no_row),
        MEM(test_add_with_unknown_therapist_is_not_found_and_adds_no_row),
        MEM(test_find_of_missing_mrn_is_not_found),
        MEM(test_update_cannot_change_status),
        MEM(test_update_with_invalid_value_is_refused_and_changes_nothing),
        MEM(test_update_to_another_patients_mrn_is_exists),
        MEM(test_admit_to_unknown_program_is_not_found),
        MEM(test_list_with_unknown_clinician_or_program_is_not_found),
        cmocka_unit_test(test_transition_table_allows_exactly_the_lifecycle_edges),
        cmocka_unit_test(test_status_and_risk_names_round_trip),
        MEM(test_every_legal_transition_succeeds_and_bumps_version),
        MEM(test_illegal_transitions_are_refused_and_leave_row_unchanged),
        MEM(test_admit_with_program_sets_expected_discharge_from_length_of_stay),
        MEM(test_admit_keeps_an_explicit_expected_discharge),
        MEM(test_expected_stay_is_at_most_two_years),
        MEM(test_add_stores_every_field_and_starts_referred_at_version_1),
        MEM(test_tags_are_trimmed_lowercased_sorted_and_deduplicated),
        MEM(test_update_saves_masked_fields_only_and_bumps_version),
        MEM(test_stale_version_update_is_refused_and_keeps_first_edit),
        MEM(test_update_that_changes_nothing_keeps_version_and_writes_no_audit),
        MEM(test_setting_risk_records_who_and_when),
        MEM(test_editing_other_fields_keeps_risk_recorder),
        MEM(test_update_refuses_dates_that_contradict_each_other),
        TMP(test_stale_edit_from_second_connection_is_a_conflict),
        MEM(test_list_without_filter_shows_everyone_by_name),
        MEM(test_list_filters_by_status_mask),
        MEM(test_list_filters_by_any_clinician_role),
        MEM(test_list_filters_by_risk_level_including_none),
        MEM(test_list_orders_by_each_column_and_pages_by_keyset),
        MEM(test_list_filters_by_program_code),
        MEM(test_list_search_matches_names_and_mrn_case_insensitively),
        MEM(test_list_search_treats_percent_and_underscore_literally),
        MEM(test_list_sorts_by_mrn),
        MEM(test_names_sort_as_read_whatever_their_accents_or_case),
        MEM(test_search_ignores_accents_and_case_in_both_directions),
        MEM(test_renaming_moves_the_patient_in_name_order_and_search),
        MEM(test_list_stops_when_callback_returns_nonzero),
        MEM(test_list_limit_caps_the_rows),
        MEM(test_keyset_paging_visits_every_row_exactly_once),
        MEM(test_keyset_paging_respects_other_filters),
        MEM(test_list_and_find_write_no_audit_rows),
    };
    return cmocka_run_group_tests_name("patient", tests, NULL, NULL);
}

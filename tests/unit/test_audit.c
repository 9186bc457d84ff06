/* Unit tests for the audit trail: what each write appends, that reads are
 * audited and lookups are not, that rows cannot be changed, and the list
 * filters (src/core/store.c store_audit(), src/core/store_audit.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"

enum { MAX_ROWS = 32 };

struct rows {
    size_t n;
    struct cairn_audit_entry e[MAX_ROWS];
};

static int collect(const struct cairn_audit_entry *e, void *ctx)
{
    struct rows *r = ctx;
    if (r->n < MAX_ROWS)
        r->e[r->n] = *e;
    r->n++;
    return 0;
}

/* Lists the audit rows that pass f (NULL = all) into *out. */
static void list(struct cairn_store *s, const struct cairn_audit_filter *f, struct rows *out)
{
    struct cairn_error err;
    memset(out, 0, sizeof *out);
    if (cairn_audit_list(s, f, collect, out, &err) != CAIRN_OK)
        fail_msg("listing the audit trail: %s", err.message);
}

/* The newest audit row; fails the test when there is none. */
static struct cairn_audit_entry last_row(struct cairn_store *s)
{
    struct rows r;
    struct cairn_audit_filter f = {.limit = 1};
    list(s, &f, &r);
    assert_int_equal(r.n, 1);
    return r.e[0];
}

/* Checks the common columns of an audit row written by the fixture actor. */
static void assert_row(const struct cairn_audit_entry *e, const char *action, const char *entity,
                       int64_t entity_id, int64_t patient_id, const char *fields,
                       const char *outcome)
{
    assert_string_equal(e->action, action);
    assert_string_equal(e->entity, entity);
    assert_int_equal(e->entity_id, entity_id);
    assert_int_equal(e->patient_id, patient_id);
    assert_string_equal(e->fields, fields);
    assert_string_equal(e->outcome, outcome);
    assert_int_equal(e->uid, UNIT_UID);
    assert_string_equal(e->login, UNIT_LOGIN);
    assert_int_equal(strlen(e->at), CAIRN_TIMESTAMP_LEN);
    assert_int_equal(e->at[10], 'T');
    assert_int_equal(e->at[19], 'Z');
}

static void test_audit_list_of_empty_trail_calls_nothing(void **state)
{
    struct rows r;
    list(unit_store(state), NULL, &r);
    assert_int_equal(r.n, 0);
}

static void test_staff_add_appends_one_create_row(void **state)
{
    struct cairn_store *s = unit_store(state);
    int64_t id = unit_add_staff(s, "thera", CAIRN_ROLE_THERAPIST);
    assert_int_equal(unit_audit_count(s), 1);
    struct cairn_audit_entry e = last_row(s);
    assert_row(&e, "create", "staff", id, 0, "login,name,role", "ok");
}

static void test_program_add_appends_one_import_row(void **state)
{
    struct cairn_store *s = unit_store(state);
    int64_t id = unit_add_program(s, "virtual-mh-iop", 8);
    assert_int_equal(unit_audit_count(s), 1);
    struct cairn_audit_entry e = last_row(s);
    assert_row(&e, "import", "program", id, 0, "", "ok");
}

static void test_patient_add_appends_one_create_row_naming_fields_set(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    int64_t thera = unit_add_staff(s, "thera", CAIRN_ROLE_THERAPIST);
    int64_t before = unit_audit_count(s);
    unit_patient_init(&p, "M-1", "Some Person");
    snprintf(p.phone, sizeof p.phone, "555 0100");
    snprintf(p.tags, sizeof p.tags, "new");
    p.therapist_id = thera;
    assert_int_equal(cairn_patient_add(s, &p, &err), CAIRN_OK);
    assert_int_equal(unit_audit_count(s), before + 1);
    struct cairn_audit_entry e = last_row(s);
    assert_row(&e, "create", "patient", p.id, p.id,
               "mrn,legal_name,dob,phone,status,therapist_id,tags", "ok");
}

static void test_patient_update_appends_one_row_naming_changed_fields_only(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    unit_add_patient(s, "M-1", "Some Person", &p);
    int64_t before = unit_audit_count(s);
    snprintf(p.preferred_name, sizeof p.preferred_name, "Sam");
    snprintf(p.pronouns, sizeof p.pronouns, "they/them");
    /* legal_name is in the mask but unchanged: not named. */
    assert_int_equal(cairn_patient_update(s, &p,
                                          CAIRN_PF_BIT(LEGAL_NAME) | CAIRN_PF_BIT(PREFERRED_NAME) |
                                              CAIRN_PF_BIT(PRONOUNS),
                                          &err),
                     CAIRN_OK);
    assert_int_equal(unit_audit_count(s), before + 1);
    struct cairn_audit_entry e = last_row(s);
    assert_row(&e, "update", "patient", p.id, p.id, "preferred_name,pronouns", "ok");
}

static void test_change_status_appends_one_update_row(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    unit_add_patient(s, "M-1", "Some Person", &p);
    int64_t before = unit_audit_count(s);
    snprintf(p.admission_date, sizeof p.admission_date, "2026-09-01");
    assert_int_equal(cairn_patient_change_status(s, &p, CAIRN_PATIENT_ACTIVE, &err), CAIRN_OK);
    assert_int_equal(unit_audit_count(s), before + 1);
    struct cairn_audit_entry e = last_row(s);
    assert_row(&e, "update", "patient", p.id, p.id, "admission_date,status", "ok");

    assert_int_equal(cairn_patient_change_status(s, &p, CAIRN_PATIENT_ON_HOLD, &err), CAIRN_OK);
    assert_int_equal(unit_audit_count(s), before + 2);
    e = last_row(s);
    assert_row(&e, "update", "patient", p.id, p.id, "status", "ok");
}

static void test_refused_writes_append_nothing(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    unit_add_patient(s, "M-1", "Some Person", &p);
    int64_t before = unit_audit_count(s);
    /* illegal transition, invalid field, duplicate MRN */
    assert_int_equal(cairn_patient_change_status(s, &p, CAIRN_PATIENT_ALUMNI, &err),
                     CAIRN_ERR_TRANSITION);
    snprintf(p.phone, sizeof p.phone, "abc");
    assert_int_equal(cairn_patient_update(s, &p, CAIRN_PF_BIT(PHONE), &err), CAIRN_ERR_INVALID);
    struct cairn_patient dup;
    unit_patient_init(&dup, "M-1", "Other Person");
    assert_int_equal(cairn_patient_add(s, &dup, &err), CAIRN_ERR_EXISTS);
    assert_int_equal(unit_audit_count(s), before);
}

static void test_stale_update_appends_one_conflict_row(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p, stale;
    struct cairn_error err;
    unit_add_patient(s, "M-1", "Some Person", &p);
    stale = p;
    snprintf(p.pronouns, sizeof p.pronouns, "she/her");
    assert_int_equal(cairn_patient_update(s, &p, CAIRN_PF_BIT(PRONOUNS), &err), CAIRN_OK);
    int64_t before = unit_audit_count(s);
    snprintf(stale.pronouns, sizeof stale.pronouns, "he/him");
    assert_int_equal(cairn_patient_update(s, &stale, CAIRN_PF_BIT(PRONOUNS), &err),
                     CAIRN_ERR_CONFLICT);
    assert_int_equal(unit_audit_count(s), before + 1);
    struct cairn_audit_entry e = last_row(s);
    assert_row(&e, "update", "patient", p.id, p.id, "", "conflict");
}

static void test_patient_read_appends_a_read_row(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p, q;
    struct cairn_error err;
    unit_add_patient(s, "M-1", "Some Person", &p);
    int64_t before = unit_audit_count(s);
    assert_int_equal(cairn_patient_read(s, "M-1", &q, &err), CAIRN_OK);
    assert_string_equal(q.legal_name, "Some Person");
    assert_int_equal(unit_audit_count(s), before + 1);
    struct cairn_audit_entry e = last_row(s);
    assert_row(&e, "read", "patient", p.id, p.id, "", "ok");
    /* A read of nobody appends nothing. */
    assert_int_equal(cairn_patient_read(s, "NOPE", &q, &err), CAIRN_ERR_NOT_FOUND);
    assert_int_equal(unit_audit_count(s), before + 1);
}

static void test_patient_find_and_list_append_nothing(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient q;
    struct cairn_error err;
    unit_add_patient(s, "M-1", "Some Person", NULL);
    int64_t before = unit_audit_count(s);
    assert_int_equal(cairn_patient_find(s, "M-1", &q, &err), CAIRN_OK);
    struct rows r;
    list(s, NULL, &r); /* reading the trail is not audited either */
    assert_int_equal(unit_audit_count(s), before);
}

static void test_audit_never_holds_patient_text(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p;
    struct cairn_error err;
    unit_patient_init(&p, "M-1", "Zyxwvut Legal");
    snprintf(p.preferred_name, sizeof p.preferred_name, "Qwertyu");
    snprintf(p.emergency_contact, sizeof p.emergency_contact, "Plokmij Contact");
    snprintf(p.tags, sizeof p.tags, "secretlabel");
    assert_int_equal(cairn_patient_add(s, &p, &err), CAIRN_OK);
    snprintf(p.legal_name, sizeof p.legal_name, "Zyxwvut Renamed");
    assert_int_equal(cairn_patient_update(s, &p, CAIRN_PF_BIT(LEGAL_NAME), &err), CAIRN_OK);
    assert_int_equal(cairn_patient_read(s, "M-1", &p, &err), CAIRN_OK);
    snprintf(p.admission_date, sizeof p.admission_date, "2026-09-01");
    assert_int_equal(cairn_patient_change_status(s, &p, CAIRN_PATIENT_ACTIVE, &err), CAIRN_OK);
    snprintf(p.discharge_date, sizeof p.discharge_date, "2026-11-20");
    snprintf(p.discharge_reason, sizeof p.discharge_reason, "Mnbvcxz moved");
    assert_int_equal(cairn_patient_change_status(s, &p, CAIRN_PATIENT_DISCHARGED, &err), CAIRN_OK);
    assert_int_equal(unit_audit_count(s), 5);

    static const char *const secrets[] = {"Zyxwvut", "Qwertyu", "Plokmij", "secretlabel",
                                          "Mnbvcxz"};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM audit WHERE instr(at || '|' || uid || '|' || login || "
                 "'|' || action || '|' || entity || '|' || ifnull(entity_id, '') || '|' || "
                 "ifnull(patient_id, '') || '|' || fields || '|' || outcome, '%s') > 0",
                 secrets[i]);
        if (unit_query_int(s, sql) != 0)
            fail_msg("the audit trail holds patient text \"%s\"", secrets[i]);
    }
    /* The fields column holds only known field names. */
    struct rows r;
    list(s, NULL, &r);
    for (size_t i = 0; i < r.n; i++) {
        char fields[sizeof r.e[0].fields];
        snprintf(fields, sizeof fields, "%s", r.e[i].fields);
        for (char *save = NULL, *tok = strtok_r(fields, ",", &save); tok;
             tok = strtok_r(NULL, ",", &save)) {
            bool known = false;
            for (int f = 0; f < CAIRN_PF__COUNT && !known; f++)
                known = strcmp(tok, cairn_patient_field_str(f)) == 0;
            if (!known)
                fail_msg("audit row %zu names unknown field \"%s\"", i, tok);
        }
    }
}

static void test_audit_rows_cannot_be_updated(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient p, stale;
    struct cairn_error err;
    unit_add_patient(s, "M-1", "Some Person", &p);
    stale = p;
    snprintf(p.pronouns, sizeof p.pronouns, "she/her");
    assert_int_equal(cairn_patient_update(s, &p, CAIRN_PF_BIT(PRONOUNS), &err), CAIRN_OK);
    snprintf(stale.pronouns, sizeof stale.pronouns, "he/him");
    assert_int_equal(cairn_patient_update(s, &stale, CAIRN_PF_BIT(PRONOUNS), &err),
                     CAIRN_ERR_CONFLICT);
    int64_t rows = unit_audit_count(s);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE outcome = 'conflict'"), 1);

    int rc = sqlite3_exec(store_db(s), "UPDATE audit SET outcome = 'ok'", NULL, NULL, NULL);
    assert_int_equal(rc & 0xFF, SQLITE_CONSTRAINT);
    rc = sqlite3_exec(store_db(s), "UPDATE audit SET login = 'someone-else' WHERE id = 1", NULL,
                      NULL, NULL);
    assert_int_equal(rc & 0xFF, SQLITE_CONSTRAINT);
    assert_int_equal(unit_audit_count(s), rows);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE outcome = 'conflict'"), 1);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE login = 'tester'"), rows);
}

static void test_audit_rows_cannot_be_deleted(void **state)
{
    struct cairn_store *s = unit_store(state);
    unit_add_staff(s, "thera", CAIRN_ROLE_THERAPIST);
    unit_add_patient(s, "M-1", "Some Person", NULL);
    int64_t rows = unit_audit_count(s);
    assert_int_equal(rows, 2);
    int rc = sqlite3_exec(store_db(s), "DELETE FROM audit", NULL, NULL, NULL);
    assert_int_equal(rc & 0xFF, SQLITE_CONSTRAINT);
    rc = sqlite3_exec(store_db(s), "DELETE FROM audit WHERE id = 1", NULL, NULL, NULL);
    assert_int_equal(rc & 0xFF, SQLITE_CONSTRAINT);
    assert_int_equal(unit_audit_count(s), rows);
}

static void test_audit_list_filters_by_patient(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_patient a, b, q;
    struct cairn_error err;
    unit_add_staff(s, "thera", CAIRN_ROLE_THERAPIST);
    unit_add_patient(s, "M-1", "Person A", &a);
    unit_add_patient(s, "M-2", "Person B", &b);
    assert_int_equal(cairn_patient_read(s, "M-1", &q, &err), CAIRN_OK);
    assert_int_equal(cairn_patient_read(s, "M-2", &q, &err), CAIRN_OK);
    assert_int_equal(cairn_patient_read(s, "M-1", &q, &err), CAIRN_OK);

    struct rows r;
    struct cairn_audit_filter f = {.patient_id = a.id};
    list(s, &f, &r);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.e[0].action, "create");
    assert_string_equal(r.e[1].action, "read");
    assert_string_equal(r.e[2].action, "read");
    for (size_t i = 0; i < r.n; i++)
        assert_int_equal(r.e[i].patient_id, a.id);
    assert_true(r.e[0].id < r.e[1].id && r.e[1].id < r.e[2].id);

    f.patient_id = b.id;
    list(s, &f, &r);
    assert_int_equal(r.n, 2);
    list(s, NULL, &r);
    assert_int_equal(r.n, 6);
}

/* Appends an audit row at a chosen time, as raw SQL (inserts are allowed). */
static void insert_row_at(struct cairn_store *s, const char *at, int64_t patient_id)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO audit (at, uid, login, action, entity, entity_id, patient_id, fields, "
             "outcome) VALUES ('%s', 1000, 'tester', 'read', 'patient', %lld, %lld, '', 'ok')",
             at, (long long)patient_id, (long long)patient_id);
    assert_int_equal(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL), SQLITE_OK);
}

static void test_audit_list_since_keeps_rows_from_that_utc_day_on(void **state)
{
    struct cairn_store *s = unit_store(state);
    insert_row_at(s, "2001-01-01T23:59:59Z", 1);
    insert_row_at(s, "2001-01-02T00:00:00Z", 2);
    insert_row_at(s, "2001-01-03T12:00:00Z", 1);

    struct rows r;
    struct cairn_audit_filter f = {.since = "2001-01-02"};
    list(s, &f, &r);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.e[0].at, "2001-01-02T00:00:00Z");
    assert_string_equal(r.e[1].at, "2001-01-03T12:00:00Z");
    f.since = "2001-01-04";
    list(s, &f, &r);
    assert_int_equal(r.n, 0);
    f.since = "2000-12-31";
    list(s, &f, &r);
    assert_int_equal(r.n, 3);
    f.since = "2001-01-02";
    f.patient_id = 1;
    list(s, &f, &r);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.e[0].at, "2001-01-03T12:00:00Z");
}

static void test_audit_list_limit_shows_newest_rows_oldest_first(void **state)
{
    struct cairn_store *s = unit_store(state);
    int64_t ids[5];
    static const char *const logins[] = {"s1", "s2", "s3", "s4", "s5"};
    for (int i = 0; i < 5; i++)
        ids[i] = unit_add_staff(s, logins[i], CAIRN_ROLE_THERAPIST);

    struct rows r;
    struct cairn_audit_filter f = {.limit = 2};
    list(s, &f, &r);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.e[0].entity_id, ids[3]);
    assert_int_equal(r.e[1].entity_id, ids[4]);
    f.limit = 10;
    list(s, &f, &r);
    assert_int_equal(r.n, 5);
    assert_int_equal(r.e[0].entity_id, ids[0]);
    assert_int_equal(r.e[4].entity_id, ids[4]);
}

static int stop_at_first(const struct cairn_audit_entry *e, void *ctx)
{
    (void)e;
    ++*(int *)ctx;
    return 1;
}

static void test_audit_list_stops_when_callback_returns_nonzero(void **state)
{
    struct cairn_store *s = unit_store(state);
    struct cairn_error err;
    int calls = 0;
    unit_add_staff(s, "s1", CAIRN_ROLE_THERAPIST);
    unit_add_staff(s, "s2", CAIRN_ROLE_THERAPIST);
    assert_int_equal(cairn_audit_list(s, NULL, stop_at_first, &calls, &err), CAIRN_OK);
    assert_int_equal(calls, 1);
    /* The statement was reset: the next list sees every row again. */
    struct rows r;
    list(s, NULL, &r);
    assert_int_equal(r.n, 2);
}

static void test_audit_rows_carry_the_acting_user(void **state)
{
    struct cairn_store *s = unit_store(state);
    cairn_store_set_actor(s, 4321, "night-nurse");
    unit_add_staff(s, "thera", CAIRN_ROLE_THERAPIST);
    struct cairn_audit_entry e = last_row(s);
    assert_int_equal(e.uid, 4321);
    assert_string_equal(e.login, "night-nurse");
}

#define MEM(t) cmocka_unit_test_setup_teardown(t, unit_setup_memory, unit_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        MEM(test_audit_list_of_empty_trail_calls_nothing),
        MEM(test_refused_writes_append_nothing),
        MEM(test_staff_add_appends_one_create_row),
        MEM(test_program_add_appends_one_import_row),
        MEM(test_patient_add_appends_one_create_row_naming_fields_set),
        MEM(test_patient_update_appends_one_row_naming_changed_fields_only),
        MEM(test_change_status_appends_one_update_row),
        MEM(test_stale_update_appends_one_conflict_row),
        MEM(test_patient_read_appends_a_read_row),
        MEM(test_patient_find_and_list_append_nothing),
        MEM(test_audit_never_holds_patient_text),
        MEM(test_audit_rows_cannot_be_updated),
        MEM(test_audit_rows_cannot_be_deleted),
        MEM(test_audit_list_filters_by_patient),
        MEM(test_audit_list_since_keeps_rows_from_that_utc_day_on),
        MEM(test_audit_list_limit_shows_newest_rows_oldest_first),
        MEM(test_audit_list_stops_when_callback_returns_nonzero),
        MEM(test_audit_rows_carry_the_acting_user),
    };
    return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}

/* Two clinicians on one file: two processes each make 1,000 edits to an
 * overlapping set of patients while a third reads in a loop. Every edit
 * either lands or is reported as a conflict (never silently overwritten),
 * no "database busy" reaches a caller, and the counts add up: each landed
 * edit raised a version by one and left one 'ok' audit row, each conflict
 * one 'conflict' row. The same for two clinicians revising one plan:
 * every landed save is exactly one revision. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "helpers.h"

#define EDITS    1000
#define PATIENTS 3

struct tally {
    int landed, conflicts, other; /* other: any failure, BUSY included */
    int reads;
};

static void report(int fd, const struct tally *t)
{
    _exit(write(fd, t, sizeof *t) == (ssize_t)sizeof *t ? 0 : 9);
}

/* Edits a patient's phone, each time to a new value, based on the version
 * it just read; a colleague's edit in between makes it a conflict. */
static void editor(const char *path, int who, int fd)
{
    struct cairn_store *s = NULL;
    struct tally t = {0};
    if (cairn_store_open(path, 0, &s, NULL) != CAIRN_OK)
        report(fd, &(struct tally){.other = -1});
    cairn_store_set_actor(s, UNIT_UID + (unsigned)who, who == 1 ? "clin1" : "clin2");
    cairn_store_set_today(s, unit_today());
    srand((unsigned)getpid());
    for (int i = 0; i < EDITS; i++) {
        struct cairn_patient p;
        char mrn[16];
        snprintf(mrn, sizeof mrn, "TWO-%d", i % PATIENTS);
        if (cairn_patient_find(s, mrn, &p, NULL) != CAIRN_OK) {
            t.other++;
            continue;
        }
        /* A clinician reads, thinks, then saves: leave room for the other. */
        struct timespec think = {0, (long)(rand() % 300) * 1000L};
        nanosleep(&think, NULL);
        snprintf(p.phone, sizeof p.phone, "555-%d-%04d", who, i);
        enum cairn_status rc = cairn_patient_update(s, &p, CAIRN_PF_BIT(PHONE), NULL);
        if (rc == CAIRN_OK)
            t.landed++;
        else if (rc == CAIRN_ERR_CONFLICT)
            t.conflicts++;
        else
            t.other++;
    }
    cairn_store_close(&s);
    report(fd, &t);
}

static int count_one(const struct cairn_patient *p, void *ctx)
{
    (void)p;
    (*(int *)ctx)++;
    return 0;
}

/* Lists and reads records until told to stop (SIGTERM ends the loop). */
static volatile sig_atomic_t stop;
static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

static void reader(const char *path, int fd)
{
    struct cairn_store *s = NULL;
    struct tally t = {0};
    signal(SIGTERM, on_term);
    if (cairn_store_open(path, 0, &s, NULL) != CAIRN_OK)
        report(fd, &(struct tally){.other = -1});
    cairn_store_set_actor(s, UNIT_UID + 3, "reader");
    while (!stop) {
        struct cairn_patient_filter all = {.limit = 0};
        struct cairn_patient p;
        int seen = 0;
        if (cairn_patient_list(s, &all, count_one, &seen, NULL) != CAIRN_OK || seen != PATIENTS)
            t.other++;
        /* An audited read is a write too (its audit row): now and then. */
        if (t.reads % 100 == 0 && cairn_patient_read(s, "TWO-0", &p, NULL) != CAIRN_OK)
            t.other++;
        t.reads++;
    }
    cairn_store_close(&s);
    report(fd, &t);
}

static struct tally collect(pid_t pid, int fd)
{
    struct tally t = {.other = -100};
    int status;
    assert_int_equal(read(fd, &t, sizeof t), (ssize_t)sizeof t);
    close(fd);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return t;
}

static pid_t spawn(int *fd, void (*fn)(const char *, int, int), const char *path, int who)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        fn(path, who, fds[1]);
    }
    close(fds[1]);
    *fd = fds[0];
    return pid;
}

static void reader_entry(const char *path, int who, int fd)
{
    (void)who;
    reader(path, fd);
}

static void test_two_editors_and_a_reader_lose_nothing(void **state)
{
    struct unit_env *env = *state;
    char path[PATH_MAX];
    unit_path(path, env->dir, "shared.db");
    struct cairn_store *s = unit_open_file(path);
    for (int i = 0; i < PATIENTS; i++) {
        char mrn[16], name[32];
        snprintf(mrn, sizeof mrn, "TWO-%d", i);
        snprintf(name, sizeof name, "Shared Patient %d", i);
        unit_add_patient(s, mrn, name, NULL);
    }
    cairn_store_close(&s);

    int fr, f1, f2;
    pid_t r = spawn(&fr, reader_entry, path, 0);
    pid_t w1 = spawn(&f1, editor, path, 1);
    pid_t w2 = spawn(&f2, editor, path, 2);
    struct tally a = collect(w1, f1), b = collect(w2, f2);
    kill(r, SIGTERM);
    struct tally rd = collect(r, fr);
    print_message("clinician 1: %d landed, %d conflicts; clinician 2: %d landed, %d "
                  "conflicts; reader: %d passes\n",
                  a.landed, a.conflicts, b.landed, b.conflicts, rd.reads);

    assert_int_equal(a.other, 0);
    assert_int_equal(b.other, 0);
    assert_int_equal(rd.other, 0);
    assert_int_equal(a.landed + a.conflicts, EDITS);
    assert_int_equal(b.landed + b.conflicts, EDITS);
    assert_true(rd.reads > 0);
    assert_true(a.conflicts + b.conflicts > 0); /* the overlap was real */

    s = unit_open_file(path);
    int64_t landed = a.landed + b.landed, conflicts = a.conflicts + b.conflicts;
    /* Each landed edit raised one version (patients start at version 1). */
    assert_int_equal(unit_query_int(s, "SELECT sum(version - 1) FROM patient"), landed);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE action = 'update' "
                                       "AND outcome = 'ok'"),
                     landed);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE action = 'update' "
                                       "AND outcome = 'conflict'"),
                     conflicts);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE action = 'update' "
                                       "AND login = 'clin1' AND outcome = 'ok'"),
                     a.landed);
    char text[16];
    unit_query_text(s, "PRAGMA integrity_check", text, sizeof text);
    assert_string_equal(text, "ok");
    cairn_store_close(&s);
}

/* Two clinicians revising one patient's plan: each reads the head, waits a
 * moment, and saves a changed plan (a new next-review date each time)
 * based on the revision it read. */
#define PLAN_EDITS 300

static const char plan_program[] = "template: two-iop\n"
                                   "name: Two IOP\n"
                                   "level_of_care: asam-2.1\n"
                                   "population: adult\n"
                                   "schedule: {sessions_per_week: 3, hours_per_session: 3, "
                                   "min_hours_per_week: 9, length_weeks: 8}\n"
                                   "measures: [{instrument: phq9, every: week}]\n"
                                   "plan_sections: [triggers, coping]\n"
                                   "review_checklist: [Attendance discussed]\n";

static void plan_editor(const char *path, int who, int fd)
{
    struct cairn_store *s = NULL;
    struct tally t = {0};
    struct cairn_plan *plan = cairn_plan_new(CAIRN_PLAN_RELAPSE);
    struct cairn_patient p;
    if (!plan || cairn_store_open(path, 0, &s, NULL) != CAIRN_OK ||
        cairn_patient_find(s, "PLAN-1", &p, NULL) != CAIRN_OK)
        report(fd, &(struct tally){.other = -1});
    cairn_store_set_actor(s, UNIT_UID + (unsigned)who, who == 1 ? "clin1" : "clin2");
    cairn_store_set_today(s, unit_today());
    srand((unsigned)getpid());
    for (int i = 0; i < PLAN_EDITS; i++) {
        bool unchanged = false;
        if (cairn_plan_load(s, CAIRN_PLAN_RELAPSE, p.id, 0, plan, NULL) != CAIRN_OK) {
            t.other++;
            continue;
        }
        struct timespec think = {0, (long)(rand() % 300) * 1000L};
        nanosleep(&think, NULL);
        /* A date no other save uses: every landed save is a real change. */
        cairn_date_format(unit_today() + 1 + who * PLAN_EDITS + i, plan->next_review_date);
        enum cairn_status rc = cairn_plan_save(s, plan, "concurrency", &unchanged, NULL);
        if (rc == CAIRN_OK && !unchanged)
            t.landed++;
        else if (rc == CAIRN_ERR_CONFLICT)
            t.conflicts++;
        else
            t.other++;
    }
    cairn_plan_free(&plan);
    cairn_store_close(&s);
    report(fd, &t);
}

static void test_two_clinicians_revising_one_plan_lose_no_revision(void **state)
{
    struct unit_env *env = *state;
    char path[PATH_MAX];
    unit_path(path, env->dir, "plan.db");
    struct cairn_store *s = unit_open_file(path);
    unit_admit(s, plan_program, "PLAN-1", "2026-11-02", NULL);
    cairn_store_close(&s);

    int f1, f2;
    pid_t w1 = spawn(&f1, plan_editor, path, 1);
    pid_t w2 = spawn(&f2, plan_editor, path, 2);
    struct tally a = collect(w1, f1), b = collect(w2, f2);
    print_message("plan: clinician 1: %d landed, %d conflicts; clinician 2: %d landed, %d "
                  "conflicts\n",
                  a.landed, a.conflicts, b.landed, b.conflicts);
    assert_int_equal(a.other, 0);
    assert_int_equal(b.other, 0);
    assert_int_equal(a.landed + a.conflicts, PLAN_EDITS);
    assert_int_equal(b.landed + b.conflicts, PLAN_EDITS);

    s = unit_open_file(path);
    int64_t landed = a.landed + b.landed;
    /* Every landed save is one revision, in order, none lost or doubled. */
    assert_int_equal(unit_query_int(s, "SELECT revision FROM plan"), landed);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM plan_revision"), landed);
    assert_int_equal(unit_query_int(s, "SELECT count(DISTINCT revision) FROM plan_revision"),
                     landed);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE entity = 'plan' "
                                       "AND outcome = 'conflict'"),
                     a.conflicts + b.conflicts);
    cairn_store_close(&s);
}

/* Two clinicians filling in one draft review: each reads it, waits a
 * moment, and saves a narrative no other save uses, based on the version
 * it read. */
#define REVIEW_EDITS 300

static void review_editor(const char *path, int who, int fd)
{
    struct cairn_store *s = NULL;
    struct tally t = {0};
    struct cairn_review *r = calloc(1, sizeof *r);
    struct cairn_patient p;
    if (!r || cairn_store_open(path, 0, &s, NULL) != CAIRN_OK ||
        cairn_patient_find(s, "REVIEW-1", &p, NULL) != CAIRN_OK)
        report(fd, &(struct tally){.other = -1});
    cairn_store_set_actor(s, UNIT_UID + (unsigned)who, who == 1 ? "clin1" : "clin2");
    cairn_store_set_today(s, unit_today());
    srand((unsigned)getpid());
    for (int i = 0; i < REVIEW_EDITS; i++) {
        bool unchanged = false;
        if (cairn_review_load(s, &p, "2026-W47", r, NULL) != CAIRN_OK) {
            t.other++;
            continue;
        }
        struct timespec think = {0, (long)(rand() % 300) * 1000L};
        nanosleep(&think, NULL);
        snprintf(r->inputs.text[CAIRN_REVIEW_NARRATIVE], sizeof r->inputs.text[0],
                 "clinician %d, edit %d", who, i);
        enum cairn_status rc = cairn_review_save(s, r, &unchanged, NULL);
        if (rc == CAIRN_OK && !unchanged)
            t.landed++;
        else if (rc == CAIRN_ERR_CONFLICT)
            t.conflicts++;
        else
            t.other++;
    }
    free(r);
    cairn_store_close(&s);
    report(fd, &t);
}

static void test_two_clinicians_on_one_review_lose_no_edit(void **state)
{
    struct unit_env *env = *state;
    char path[PATH_MAX];
    struct cairn_patient p;
    struct cairn_review *r = calloc(1, sizeof *r);
    struct cairn_error err;
    bool existed;
    assert_non_null(r);
    unit_path(path, env->dir, "review.db");
    struct cairn_store *s = unit_open_file(path);
    unit_add_staff(s, "clin1", CAIRN_ROLE_CASE_MANAGER);
    unit_add_staff(s, "clin2", CAIRN_ROLE_THERAPIST);
    unit_add_staff(s, UNIT_LOGIN, CAIRN_ROLE_CASE_MANAGER);
    unit_admit(s, plan_program, "REVIEW-1", "2026-11-02", &p);
    if (cairn_review_start(s, &p, "2026-W47", r, &existed, &err) != CAIRN_OK)
        fail_msg("start: %s", err.message);
    int64_t started = r->version;
    free(r);
    cairn_store_close(&s);

    int f1, f2;
    pid_t w1 = spawn(&f1, review_editor, path, 1);
    pid_t w2 = spawn(&f2, review_editor, path, 2);
    struct tally a = collect(w1, f1), b = collect(w2, f2);
    print_message("review: clinician 1: %d landed, %d conflicts; clinician 2: %d landed, %d "
                  "conflicts\n",
                  a.landed, a.conflicts, b.landed, b.conflicts);
    assert_int_equal(a.other, 0);
    assert_int_equal(b.other, 0);
    assert_int_equal(a.landed + a.conflicts, REVIEW_EDITS);
    assert_int_equal(b.landed + b.conflicts, REVIEW_EDITS);

    s = unit_open_file(path);
    /* Every landed save moved the version by one; every refusal is audited. */
    assert_int_equal(unit_query_int(s, "SELECT version FROM review WHERE week = '2026-W47'"),
                     started + a.landed + b.landed);
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE entity = 'review' "
                                       "AND action = 'update' AND outcome = 'ok'"),
                     1 + a.landed + b.landed); /* the start, then every landed save */
    assert_int_equal(unit_query_int(s, "SELECT count(*) FROM audit WHERE entity = 'review' "
                                       "AND outcome = 'conflict'"),
                     a.conflicts + b.conflicts);
    cairn_store_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_two_editors_and_a_reader_lose_nothing,
                                        unit_setup_tempdir, unit_teardown),
        cmocka_unit_test_setup_teardown(test_two_clinicians_on_one_review_lose_no_edit,
                                        unit_setup_tempdir, unit_teardown),
        cmocka_unit_test_setup_teardown(test_two_clinicians_revising_one_plan_lose_no_revision,
                                        unit_setup_tempdir, unit_teardown),
    };
    return cmocka_run_group_tests_name("concurrency", tests, NULL, NULL);
}

/* Crash safety: a writer killed with SIGKILL at random moments, 200 times,
 * never leaves a partial or corrupt database behind.
 *
 * The child commits numbered transactions, each a real multi-row change
 * through the public API (a patient, their admission, and everything the
 * admission seeds: plan, plan sections, ladders, steps, reviews; then a
 * session with its attendance line, an exposure attempt that moves a
 * step's status, a PHQ-9; and every audit row), nested as savepoints in
 * one transaction, and writes the number to a pipe after each commit. The
 * parent kills it at a random moment, then checks the file: integrity_check
 * ok, foreign_key_check empty, every acknowledged transaction present, and
 * every transaction present whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "helpers.h"

#define KILLS 200

static const char program[] = "template: crash-iop\n"
                              "name: Crash IOP\n"
                              "level_of_care: asam-2.1\n"
                              "population: adult\n"
                              "schedule: {sessions_per_week: 3, hours_per_session: 3, "
                              "min_hours_per_week: 9, length_weeks: 6}\n"
                              "measures: [{instrument: phq9, every: week}]\n"
                              "plan_sections: [triggers, coping, supports, aftercare]\n"
                              "ladders:\n"
                              "  - name: A\n"
                              "    steps: [{text: one, suds: 10}, {text: two, suds: 20}]\n"
                              "  - name: B\n"
                              "    steps: [{text: one, suds: 30}, {text: two, suds: 40}, "
                              "{text: three, suds: 50}]\n"
                              "review_checklist: [ok]\n";

/* Rows one transaction writes for one patient. */
enum { SECTIONS = 4, LADDERS = 2, STEPS = 5, REVIEWS = 7 /* 6 weeks from a Wednesday */ };
/* Audit rows naming the patient: create patient, update (admit), plan, 2
 * ladders, 7 reviews, the attendance line, the attempt and the step's new
 * status, the measure. (The session's own row names no patient.) */
enum { AUDITS = 1 + 1 + 1 + LADDERS + REVIEWS + 1 + 2 + 1 };

/* The tracking one transaction adds after the admission. */
static int track(struct cairn_store *s, const struct cairn_patient *p)
{
    struct cairn_session ses = {.type = CAIRN_SESSION_GROUP, .minutes = 180, .telehealth = true};
    struct cairn_roster_entry e = {.status = CAIRN_ATTENDED, .minutes_attended = -1};
    snprintf(ses.date, sizeof ses.date, "2026-11-20");
    snprintf(ses.title, sizeof ses.title, "Crash group");
    snprintf(e.mrn, sizeof e.mrn, "%s", p->mrn);
    struct cairn_ladder *l = malloc(sizeof *l);
    struct cairn_ladder_attempt a = {.suds_before = 20,
                                     .suds_peak = 40,
                                     .suds_after = 10,
                                     .expectancy_before = -1,
                                     .expectancy_after = -1};
    snprintf(a.date, sizeof a.date, "2026-11-21");
    struct cairn_measure m = {.patient_id = p->id,
                              .instrument = CAIRN_INSTRUMENT_PHQ9,
                              .nanswers = 9,
                              .answers = {1, 2, 0, 1, 3, 0, 1, 0, 0}};
    snprintf(m.date, sizeof m.date, "2026-11-21");
    int ok = l && cairn_session_log(s, &ses, &e, 1, NULL) == CAIRN_OK &&
             cairn_ladder_load(s, p->id, "1", l, NULL) == CAIRN_OK &&
             cairn_ladder_attempt_add(s, l->id, 1, &a, NULL, NULL) == CAIRN_OK &&
             cairn_measure_add(s, &m, NULL) == CAIRN_OK;
    free(l);
    return ok;
}

/* The child: one transaction per number from `first` on, acknowledging each. */
static void writer(const char *path, int64_t program_id, int first, int ack)
{
    struct cairn_store *s = NULL;
    if (cairn_store_open(path, 0, &s, NULL) != CAIRN_OK)
        _exit(2);
    cairn_store_set_actor(s, UNIT_UID, UNIT_LOGIN);
    cairn_store_set_today(s, unit_today());
    for (int n = first;; n++) {
        struct cairn_patient p;
        char mrn[32], name[64];
        snprintf(mrn, sizeof mrn, "CRASH-%06d", n);
        snprintf(name, sizeof name, "Crash Patient %d", n);
        unit_patient_init(&p, mrn, name);
        if (cairn_store_begin(s, NULL) != CAIRN_OK || cairn_patient_add(s, &p, NULL) != CAIRN_OK)
            _exit(3);
        snprintf(p.admission_date, sizeof p.admission_date, "2026-11-18");
        p.program_id = program_id;
        if (cairn_patient_change_status(s, &p, CAIRN_PATIENT_ACTIVE, NULL) != CAIRN_OK ||
            !track(s, &p) || cairn_store_commit(s, NULL) != CAIRN_OK)
            _exit(4);
        if (write(ack, &n, sizeof n) != (ssize_t)sizeof n)
            _exit(5);
    }
}

static int64_t count(struct cairn_store *s, const char *sql)
{
    return unit_query_int(s, sql);
}

/* Checks the database after a kill; returns the highest number present. */
static int check_whole(const char *path, int acked)
{
    struct cairn_store *s = unit_open_file(path);
    char text[64];
    unit_query_text(s, "PRAGMA integrity_check", text, sizeof text);
    assert_string_equal(text, "ok");
    assert_int_equal(count(s, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    int64_t patients = count(s, "SELECT count(*) FROM patient");
    int highest = (int)count(s, "SELECT coalesce(max(CAST(substr(mrn, 7) AS INTEGER)), 0) "
                                "FROM patient");
    /* Numbers are consecutive from 1: no gaps, none missing that was acknowledged. */
    assert_int_equal(patients, highest);
    assert_true(highest >= acked);
    /* Every patient present is present whole. */
    assert_int_equal(count(s, "SELECT count(*) FROM patient WHERE status <> 'active'"), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM plan"), patients);
    assert_int_equal(count(s, "SELECT count(*) FROM plan_section"), patients * SECTIONS);
    assert_int_equal(count(s, "SELECT count(*) FROM ladder"), patients * LADDERS);
    assert_int_equal(count(s, "SELECT count(*) FROM ladder_step"), patients * STEPS);
    assert_int_equal(count(s, "SELECT count(*) FROM review"), patients * REVIEWS);
    assert_int_equal(count(s, "SELECT count(*) FROM session"), patients);
    assert_int_equal(count(s, "SELECT count(*) FROM attendance"), patients);
    assert_int_equal(count(s, "SELECT count(*) FROM ladder_attempt"), patients);
    assert_int_equal(count(s, "SELECT count(*) FROM ladder_step WHERE status = 'in_progress'"),
                     patients);
    assert_int_equal(count(s, "SELECT count(*) FROM measure"), patients);
    assert_int_equal(count(s, "SELECT count(*) FROM audit WHERE patient_id IS NOT NULL"),
                     patients * AUDITS);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM (SELECT patient_id FROM audit WHERE patient_id IS NOT NULL "
             "GROUP BY patient_id HAVING count(*) <> %d)",
             AUDITS);
    assert_int_equal(count(s, sql), 0);
    cairn_store_close(&s);
    return highest;
}

static void test_sigkill_at_random_moments_never_leaves_a_partial_write(void **state)
{
    struct unit_env *env = *state;
    char path[PATH_MAX];
    unit_path(path, env->dir, "crash.db");
    struct cairn_store *s = unit_open_file(path);
    struct cairn_template *t = malloc(sizeof *t);
    bool unchanged;
    assert_int_equal(cairn_template_parse(program, strlen(program), t, NULL, NULL), CAIRN_OK);
    assert_int_equal(cairn_template_import(s, t, program, strlen(program), &unchanged, NULL),
                     CAIRN_OK);
    int64_t program_id = t->program.id;
    free(t);
    cairn_store_close(&s);

    unsigned seed = (unsigned)time(NULL);
    srand(seed);
    print_message("seed %u\n", seed);
    int highest = 0, acked_total = 0;
    for (int round = 0; round < KILLS; round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            writer(path, program_id, highest + 1, fds[1]);
        }
        close(fds[1]);
        /* Kill anywhere from before the first open to well into a run. */
        struct timespec pause = {0, (long)(rand() % 20000) * 1000L};
        nanosleep(&pause, NULL);
        kill(pid, SIGKILL);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0));
        int n, acked = highest;
        while (read(fds[0], &n, sizeof n) == (ssize_t)sizeof n)
            acked = n;
        close(fds[0]);
        acked_total += acked - highest;
        highest = check_whole(path, acked);
    }
    print_message("%d kills, %d transactions acknowledged, %d committed\n", KILLS, acked_total,
                  highest);
    assert_true(highest > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sigkill_at_random_moments_never_leaves_a_partial_write,
                                        unit_setup_tempdir, unit_teardown),
    };
    return cmocka_run_group_tests_name("crash", tests, NULL, NULL);
}

/* The supervisor view (DESIGN.md §6): this ISO week's caseload summary per
 * clinician, as `report caseload` counts it, for the caseload's clinician
 * and program filter (else everyone); the reviews awaiting co-signature
 * (A opens that queue) and the open urgent alerts.
 *
 * The numbers are computed once, when the view opens or r asks, never
 * while drawing: cairn_report_rows() streams every patient past
 * cairn_report_totals_add(), and only each clinician's totals are kept.
 * Enter narrows to one clinician: the rows are streamed again and only
 * that clinician's are kept, as lines (patient, then its alerts). Esc goes
 * back.
 *
 * p prints the report: to a file, created as the CLI's --output is (0600,
 * O_EXCL, never overwriting, removed again when anything failed), or to
 * `lp` through a pipe. Both are audited as exports by
 * cairn_report_caseload(). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tui/tui.h"

extern char **environ;

static void notice(struct tui_supervisor *s, bool problem, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void notice(struct tui_supervisor *s, bool problem, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->message, sizeof s->message, fmt, ap);
    va_end(ap);
    s->problem = problem;
}

static void name_of(const struct cairn_report_row *row, char *out, size_t size)
{
    if (row->preferred_name[0])
        snprintf(out, size, "%s (%s)", row->name, row->preferred_name);
    else
        snprintf(out, size, "%s", row->name);
}

static bool alert_open(const struct cairn_report_alert *a)
{
    return !a->acknowledged;
}

/* ---- computing ------------------------------------------------------------ */

/* The "computing…" line, drawn (and shown at once) while rows stream in. */
static void draw_computing(struct tui_app *app)
{
    char line[160];
    if (app->supervisor.progress)
        snprintf(line, sizeof line, "Computing the caseload summary\u2026 %ld patients read",
                 app->supervisor.progress);
    else
        snprintf(line, sizeof line, "Computing the caseload summary\u2026");
    attrset(tui_attr(TUI_COLOR_DIM));
    tui_draw_text(app->lines > 3 ? 2 : 0, 1, line, app->cols > 2 ? app->cols - 2 : app->cols);
    attrset(A_NORMAL);
    refresh();
}

static void progress(struct tui_app *app)
{
    if (++app->supervisor.progress % 500 == 0)
        draw_computing(app);
}

static int add_row(const struct cairn_report_row *row, void *ctx)
{
    struct tui_app *app = ctx;
    struct tui_supervisor *s = &app->supervisor;
    struct tui_supervisor_group *g = s->ngroups ? &s->groups[s->ngroups - 1] : NULL;
    if (!g || strcmp(g->clinician, row->clinician)) {
        if (s->ngroups == s->groups_cap) {
            int cap = s->groups_cap ? 2 * s->groups_cap : 16;
            void *p = realloc(s->groups, (size_t)cap * sizeof *s->groups);
            if (!p) {
                s->nomem = true;
                return 1;
            }
            s->groups = p;
            s->groups_cap = cap;
        }
        g = &s->groups[s->ngroups++];
        memset(g, 0, sizeof *g);
        snprintf(g->clinician, sizeof g->clinician, "%s", row->clinician);
        snprintf(g->name, sizeof g->name, "%s", row->clinician_name);
    }
    cairn_report_totals_add(&g->totals, row);
    cairn_report_totals_add(&s->all, row);
    for (size_t i = 0; i < row->nalerts; i++) {
        const struct cairn_report_alert *a = &row->alerts[i];
        if (!alert_open(a) || a->severity != CAIRN_SEVERITY_URGENT)
            continue;
        if (s->nkept < TUI_SUPERVISOR_URGENT_MAX) {
            char name[2 * CAIRN_NAME_MAX + 4];
            name_of(row, name, sizeof name);
            snprintf(s->urgent[s->nkept++], sizeof s->urgent[0], "URGENT  %s  %s  %s", row->mrn,
                     name, a->reason);
        }
        s->nurgent++;
    }
    progress(app);
    return 0;
}

static int count_awaiting(const struct cairn_review_awaiting *a, void *ctx)
{
    (void)a;
    struct tui_supervisor *s = ctx;
    if (s->awaiting >= TUI_QUEUE_MAX) { /* what the queue would hold */
        s->awaiting_more = true;
        return 1;
    }
    s->awaiting++;
    return 0;
}

/* The rows the view covers: its filter, this ISO week. */
static void filter_of(struct tui_app *app, struct cairn_report_filter *f)
{
    const struct tui_supervisor *s = &app->supervisor;
    memset(f, 0, sizeof *f);
    f->clinician = s->clinician[0] ? s->clinician : NULL;
    f->program = s->program[0] ? s->program : NULL;
    cairn_date_isoweek(cairn_store_today(app->store), &f->iso_year, &f->week);
}

static void clear_lines(struct tui_supervisor *s)
{
    free(s->lines);
    s->lines = NULL;
    s->nlines = s->lines_cap = s->line_cursor = s->line_top = 0;
    s->narrowed = -1;
}

/* Computes the overview for the caseload's filter; the message says why
 * when it failed. */
static void compute(struct tui_app *app)
{
    struct tui_supervisor *s = &app->supervisor;
    struct cairn_report_filter f;
    struct cairn_error err;
    int32_t today = cairn_store_today(app->store);
    int year, week;

    clear_lines(s);
    s->ngroups = 0;
    memset(&s->all, 0, sizeof s->all);
    s->nurgent = 0;
    s->nkept = 0;
    s->awaiting = 0;
    s->awaiting_more = false;
    s->progress = 0;
    s->computed = false;
    s->stale = false;
    s->message[0] = '\0';
    snprintf(s->clinician, sizeof s->clinician, "%s", app->caseload.clinician);
    snprintf(s->program, sizeof s->program, "%s", app->caseload.program);
    cairn_date_isoweek(today, &year, &week);
    cairn_report_meta_init(&s->meta, year, week, today, cairn_store_actor_login(app->store));
    draw_computing(app);

    filter_of(app, &f);
    s->nomem = false;
    enum cairn_status rc = cairn_report_rows(app->store, &f, add_row, app, &err);
    if (rc != CAIRN_OK || s->nomem) {
        notice(s, true, "could not compute the caseload summary: %s",
               rc != CAIRN_OK ? err.message : "out of memory");
        s->ngroups = 0;
        return;
    }
    if (cairn_review_cosign_list(app->store, f.clinician, count_awaiting, s, &err) != CAIRN_OK) {
        s->awaiting = -1;
        notice(s, true, "could not count the reviews awaiting co-signature: %s", err.message);
    }
    if (s->cursor >= s->ngroups)
        s->cursor = s->ngroups ? s->ngroups - 1 : 0;
    s->computed = true;
}

/* ---- narrowing to one clinician ------------------------------------------- */

struct narrow_ctx {
    struct tui_app *app;
    const char *clinician;
    bool seen, on_hold, failed;
};

static struct tui_supervisor_line *add_line(struct tui_supervisor *s,
                                            enum tui_supervisor_line_kind kind)
{
    if (s->nlines == s->lines_cap) {
        int cap = s->lines_cap ? 2 * s->lines_cap : 64;
        void *p = realloc(s->lines, (size_t)cap * sizeof *s->lines);
        if (!p)
            return NULL;
        s->lines = p;
        s->lines_cap = cap;
    }
    struct tui_supervisor_line *l = &s->lines[s->nlines++];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    return l;
}

/* "17 ↑" (reliably worse), "9 ↓" (reliably better), "-" none. */
static void score_text(const struct cairn_report_score *sc, char *out, size_t size)
{
    if (sc->total < 0) {
        snprintf(out, size, "-");
        return;
    }
    const char *mark = "";
    if (sc->changes & (1u << CAIRN_CHANGE_RELIABLE_WORSENING))
        mark = " \u2191";
    else if (sc->changes & (1u << CAIRN_CHANGE_RELIABLE_IMPROVEMENT))
        mark = " \u2193";
    snprintf(out, size, "%2d%s", sc->total, mark);
}

static int narrow_row(const struct cairn_report_row *row, void *vctx)
{
    struct narrow_ctx *n = vctx;
    struct tui_supervisor *s = &n->app->supervisor;
    progress(n->app);
    if (strcmp(row->clinician, n->clinician))
        return n->seen; /* the rows come grouped: past the group, stop */
    n->seen = true;
    if (row->status == CAIRN_PATIENT_ON_HOLD && !n->on_hold) {
        n->on_hold = true;
        struct tui_supervisor_line *h = add_line(s, TUI_SUPERVISOR_HEADING);
        if (!h)
            goto nomem;
        snprintf(h->text, sizeof h->text, "On hold (not counted in the totals above):");
    }
    struct tui_supervisor_line *l = add_line(s, TUI_SUPERVISOR_PATIENT);
    if (!l)
        goto nomem;
    l->risk = row->risk;
    snprintf(l->mrn, sizeof l->mrn, "%s", row->mrn);
    name_of(row, l->text, sizeof l->text);
    if (row->week_of_stay > 0)
        snprintf(l->week, sizeof l->week, "%d", row->week_of_stay);
    else
        snprintf(l->week, sizeof l->week, "-");
    const struct cairn_attendance_week *a = &row->attendance;
    if (a->min_minutes > 0 || a->min_days > 0)
        snprintf(l->hours, sizeof l->hours, "%d.%d/%d%s", a->minutes_attended / 60,
                 a->minutes_attended % 60 / 6, (a->min_minutes + 59) / 60,
                 a->meets_hours && a->meets_days ? "" : "*");
    else
        snprintf(l->hours, sizeof l->hours, "%d.%d", a->minutes_attended / 60,
                 a->minutes_attended % 60 / 6);
    score_text(&row->phq9, l->phq9, sizeof l->phq9);
    score_text(&row->gad7, l->gad7, sizeof l->gad7);
    snprintf(l->review, sizeof l->review, "%s",
             row->reviews_overdue ? "overdue"
             : row->review[0]     ? row->review
                                  : "-");
    if (row->discharge_due)
        snprintf(l->discharge, sizeof l->discharge, "%s", row->expected_discharge);
    for (size_t i = 0; i < row->nalerts; i++) {
        struct tui_supervisor_line *al = add_line(s, TUI_SUPERVISOR_ALERT);
        if (!al)
            goto nomem;
        al->severity = row->alerts[i].severity;
        al->acknowledged = row->alerts[i].acknowledged;
        snprintf(al->mrn, sizeof al->mrn, "%s", row->mrn);
        snprintf(al->text, sizeof al->text, "%s", row->alerts[i].reason);
    }
    return 0;
nomem:
    n->failed = true;
    return 1;
}

static void narrow(struct tui_app *app, int group)
{
    struct tui_supervisor *s = &app->supervisor;
    struct cairn_report_filter f;
    struct cairn_error err;
    if (group < 0 || group >= s->ngroups)
        return;
    clear_lines(s);
    s->progress = 0;
    draw_computing(app);
    filter_of(app, &f);
    struct narrow_ctx n = {.app = app, .clinician = s->groups[group].clinician};
    enum cairn_status rc = cairn_report_rows(app->store, &f, narrow_row, &n, &err);
    if (rc != CAIRN_OK || n.failed) {
        notice(s, true, "could not read the clinician's patients: %s",
               rc != CAIRN_OK ? err.message : "out of memory");
        clear_lines(s);
        return;
    }
    s->narrowed = group;
}

/* ---- opening and leaving -------------------------------------------------- */

void tui_supervisor_open(struct tui_app *app)
{
    struct tui_supervisor *s = &app->supervisor;
    s->printing = false;
    s->cursor = s->top = 0;
    app->screen = TUI_SCREEN_SUPERVISOR;
    compute(app);
}

void tui_supervisor_return(struct tui_app *app)
{
    struct tui_supervisor *s = &app->supervisor;
    app->screen = TUI_SCREEN_SUPERVISOR;
    if (!s->stale)
        return;
    int narrowed = s->narrowed;
    char clinician[CAIRN_LOGIN_MAX + 1] = "";
    if (narrowed >= 0)
        snprintf(clinician, sizeof clinician, "%s", s->groups[narrowed].clinician);
    compute(app);
    if (narrowed >= 0)
        for (int g = 0; g < s->ngroups; g++)
            if (!strcmp(s->groups[g].clinician, clinician)) {
                narrow(app, g);
                break;
            }
    notice(s, false, "computed again after the co-signature");
}

void tui_supervisor_free(struct tui_app *app)
{
    struct tui_supervisor *s = &app->supervisor;
    clear_lines(s);
    free(s->groups);
    s->groups = NULL;
    s->ngroups = s->groups_cap = 0;
}

/* ---- printing ------------------------------------------------------------- */

/* The report the view prints: the narrowed clinician's when one is shown
 * (not for "unassigned", which is no login), else the view's filter. */
static const char *print_clinician(const struct tui_supervisor *s)
{
    if (s->narrowed >= 0 && s->groups[s->narrowed].clinician[0])
        return s->groups[s->narrowed].clinician;
    return s->clinician[0] ? s->clinician : NULL;
}

static void open_print(struct tui_app *app)
{
    struct tui_supervisor *s = &app->supervisor;
    const char *who = print_clinician(s);
    snprintf(s->path, sizeof s->path, "./caseload-%s%s%s%s%s.txt", who ? who : "", who ? "-" : "",
             s->program, s->program[0] ? "-" : "", s->meta.week);
    s->path_error[0] = '\0';
    s->message[0] = '\0';
    s->printing = true;
}

static enum cairn_status write_report(struct tui_app *app, struct cairn_outfile *sink,
                                      struct cairn_error *err)
{
    struct tui_supervisor *s = &app->supervisor;
    struct cairn_report_options o = {
        .clinician = print_clinician(s),
        .program = s->program[0] ? s->program : NULL,
        .week = s->meta.week,
        .to_file = true, /* a copy leaves cairn: audited as an export */
    };
    return cairn_report_caseload(app->store, &o, CAIRN_REPORT_TEXT, cairn_outfile_write, sink, err);
}

/* Writes the text report to a new file at `path`, as `report caseload
 * --output` does. True when written; else path_error says why. */
static bool print_file(struct tui_app *app, const char *path)
{
    struct tui_supervisor *s = &app->supervisor;
    struct cairn_error err;
    struct cairn_outfile f;
    int e = cairn_outfile_open(&f, path);
    if (e) {
        snprintf(s->path_error, sizeof s->path_error, "%s",
                 e == EEXIST ? "already exists; choose another name (a report never "
                               "overwrites a file)"
                             : strerror(e));
        return false;
    }
    enum cairn_status st = write_report(app, &f, &err);
    e = cairn_outfile_finish(&f, path, st == CAIRN_OK); /* never a partial report */
    if (st == CAIRN_OK && !e)
        return true;
    if (e)
        snprintf(s->path_error, sizeof s->path_error,
                 "writing failed (%s); the partial file was removed", strerror(e));
    else
        snprintf(s->path_error, sizeof s->path_error, "not printed: %s", err.message);
    return false;
}

/* The first line of what lp said (read back from `out`), made one line. */
static void first_line(FILE *out, char *buf, size_t size)
{
    buf[0] = '\0';
    rewind(out);
    if (!fgets(buf, (int)size, out))
        buf[0] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
}

/* Pipes the text report to `lp` (its output and errors are kept apart
 * from the terminal). True when lp took it; else path_error says why. */
static bool print_lp(struct tui_app *app, char *said, size_t said_size)
{
    struct tui_supervisor *s = &app->supervisor;
    struct cairn_error err;
    posix_spawn_file_actions_t fa;
    struct sigaction ignore, old_pipe;
    int fds[2] = {-1, -1}, status = 0, spawn_rc;
    pid_t pid = -1;
    bool ok = false, have_fa = false, pipe_ignored = false;
    FILE *out = tmpfile();
    said[0] = '\0';
    if (!out || pipe(fds) != 0) {
        snprintf(s->path_error, sizeof s->path_error, "could not start lp: %s", strerror(errno));
        goto out;
    }
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC); /* lp must not hold its own stdin open */
    if (posix_spawn_file_actions_init(&fa) != 0) {
        snprintf(s->path_error, sizeof s->path_error, "could not start lp");
        goto out;
    }
    have_fa = true;
    posix_spawn_file_actions_adddup2(&fa, fds[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, fileno(out), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, fileno(out), STDERR_FILENO);
    char *argv[] = {"lp", NULL};
    spawn_rc = posix_spawnp(&pid, "lp", &fa, NULL, argv, environ);
    close(fds[0]);
    fds[0] = -1;
    if (spawn_rc != 0) {
        pid = -1;
        snprintf(s->path_error, sizeof s->path_error, "%s",
                 spawn_rc == ENOENT ? "lp is not installed (no lp command on PATH): type a file "
                                      "name to print to a file instead"
                                    : strerror(spawn_rc));
        goto out;
    }
    /* lp may stop reading early: a write then fails (EPIPE) instead of
     * killing cairn and leaving the terminal broken. */
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    pipe_ignored = sigaction(SIGPIPE, &ignore, &old_pipe) == 0;
    struct cairn_outfile f = {.fd = fds[1], .error = 0}; /* a pipe: written, never finished */
    enum cairn_status st = write_report(app, &f, &err);
    close(fds[1]);
    fds[1] = -1;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    pid = -1;
    first_line(out, said, said_size);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        snprintf(s->path_error, sizeof s->path_error,
                 "lp is not installed (no lp command on PATH): type a file name to print to a "
                 "file instead");
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        snprintf(s->path_error, sizeof s->path_error, "lp failed%s%s", said[0] ? ": " : "", said);
    else if (st != CAIRN_OK)
        snprintf(s->path_error, sizeof s->path_error, "not printed: %s",
                 f.error ? strerror(f.error) : err.message);
    else
        ok = true;
out:
    if (pipe_ignored)
        sigaction(SIGPIPE, &old_pipe, NULL);
    if (have_fa)
        posix_spawn_file_actions_destroy(&fa);
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    if (pid > 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    if (out)
        fclose(out);
    return ok;
}

static void print(struct tui_app *app)
{
    struct tui_supervisor *s = &app->supervisor;
    char path[sizeof s->path + 512];
    const char *p = s->path + strspn(s->path, " ");
    size_t n = strlen(p);
    while (n && p[n - 1] == ' ')
        n--;
    s->path_error[0] = '\0';
    if (!n) {
        snprintf(s->path_error, sizeof s->path_error, "type a file name, or lp");
        return;
    }
    const char *home = getenv("HOME");
    if (n >= 2 && p[0] == '~' && p[1] == '/' && home && *home)
        snprintf(path, sizeof path, "%s%.*s", home, (int)n - 1, p + 1);
    else
        snprintf(path, sizeof path, "%.*s", (int)n, p);
    if (!strcmp(path, "lp")) {
        char said[256];
        if (!print_lp(app, said, sizeof said))
            return;
        s->printing = false;
        notice(s, false, "Sent to lp%s%s", said[0] ? ": " : ".", said);
        return;
    }
    if (!print_file(app, path))
        return;
    s->printing = false;
    notice(s, false, "Written to %s (only you can read it: 0600).", path);
}

static void print_key(struct tui_app *app, int key, bool is_char)
{
    struct tui_supervisor *s = &app->supervisor;
    switch (tui_line_key(s->path, sizeof s->path, key, is_char)) {
    case TUI_LINE_ENTER:
        print(app);
        break;
    case TUI_LINE_ESCAPE:
        s->printing = false;
        notice(s, false, "not printed");
        break;
    case TUI_LINE_EDITED:
        s->path_error[0] = '\0';
        break;
    default:
        break;
    }
}

/* ---- keys ----------------------------------------------------------------- */

static int list_rows(const struct tui_app *app);

/* Moves the narrowed view's cursor to the next (dir 1) or previous (-1)
 * patient line, `count` times. */
static void move_patient(struct tui_supervisor *s, int dir, int count)
{
    for (int k = 0; k < count; k++) {
        int i = s->line_cursor + dir;
        while (i >= 0 && i < s->nlines && s->lines[i].kind != TUI_SUPERVISOR_PATIENT)
            i += dir;
        if (i < 0 || i >= s->nlines)
            return;
        s->line_cursor = i;
    }
}

static void first_patient(struct tui_supervisor *s)
{
    s->line_cursor = 0;
    if (s->nlines && s->lines[0].kind != TUI_SUPERVISOR_PATIENT)
        move_patient(s, 1, 1);
}

void tui_supervisor_key(struct tui_app *app, int key, bool is_char)
{
    struct tui_supervisor *s = &app->supervisor;
    if (s->printing) {
        print_key(app, key, is_char);
        return;
    }
    s->message[0] = '\0';
    if (is_char && key == 'p') {
        open_print(app);
        return;
    }
    if (is_char && key == 'r') {
        int narrowed = s->narrowed;
        compute(app);
        if (narrowed >= 0 && narrowed < s->ngroups) {
            narrow(app, narrowed);
            first_patient(s);
        }
        return;
    }
    enum tui_action a = tui_key_action(key);
    bool narrowed = s->narrowed >= 0;
    int page = list_rows(app);
    if (tui_common_action(app, a))
        return;
    switch (a) {
    case TUI_BACK:
        if (narrowed)
            clear_lines(s);
        else
            app->screen = TUI_SCREEN_CASELOAD;
        break;
    case TUI_COSIGN_QUEUE:
        tui_cosign_open(app);
        break;
    case TUI_OPEN:
        if (!narrowed && s->ngroups) {
            narrow(app, s->cursor);
            first_patient(s);
        }
        break;
    case TUI_DOWN:
    case TUI_UP:
    case TUI_PAGE_DOWN:
    case TUI_PAGE_UP: {
        int dir = a == TUI_DOWN || a == TUI_PAGE_DOWN ? 1 : -1;
        int count = a == TUI_DOWN || a == TUI_UP ? 1 : page;
        if (narrowed) {
            move_patient(s, dir, count);
        } else {
            s->cursor += dir * count;
            if (s->cursor >= s->ngroups)
                s->cursor = s->ngroups - 1;
            if (s->cursor < 0)
                s->cursor = 0;
        }
        break;
    }
    case TUI_HOME:
        if (narrowed)
            first_patient(s);
        else
            s->cursor = 0;
        break;
    case TUI_END:
        if (narrowed)
            move_patient(s, 1, s->nlines);
        else
            s->cursor = s->ngroups ? s->ngroups - 1 : 0;
        break;
    default:
        break;
    }
}

/* ---- drawing -------------------------------------------------------------- */

/* The overview's numeric columns: what each counts, its title (over a
 * group title) and width, right-aligned. */
enum {
    N_ACTIVE,
    N_HOLD,
    N_HIGH,
    N_BELOW,
    N_BETTER,
    N_WORSE,
    N_DUE,
    N_OVERDUE,
    N_AWAITING,
    N_URGENT,
    N_WARNING,
    N_DISCHARGE,
    N__COUNT
};
static const struct {
    const char *title;
    int width;
} numbers[N__COUNT] = {
    [N_ACTIVE] = {"act", 5}, [N_HOLD] = {"hold", 5},    [N_HIGH] = {"high", 5},
    [N_BELOW] = {"<min", 5}, [N_BETTER] = {"impr", 5},  [N_WORSE] = {"worse", 6},
    [N_DUE] = {"due", 5},    [N_OVERDUE] = {"late", 5}, [N_AWAITING] = {"cosgn", 6},
    [N_URGENT] = {"urg", 5}, [N_WARNING] = {"warn", 5}, [N_DISCHARGE] = {"disch", 6},
};
static const struct {
    const char *title;
    int first, last;
} number_groups[] = {
    {"patients", N_ACTIVE, N_BELOW}, {"PHQ-9", N_BETTER, N_WORSE},   {"reviews", N_DUE, N_AWAITING},
    {"alerts", N_URGENT, N_WARNING}, {"", N_DISCHARGE, N_DISCHARGE},
};

static int numbers_width(void)
{
    int w = 0;
    for (int i = 0; i < N__COUNT; i++)
        w += numbers[i].width;
    return w;
}

static void values(const struct cairn_report_totals *t, int *v)
{
    int high = 0;
    for (int b = 0; b < CAIRN_REPORT_STAY_BUCKETS; b++)
        high += t->risk_stay[CAIRN_RISK_HIGH][b];
    v[N_ACTIVE] = t->active;
    v[N_HOLD] = t->on_hold;
    v[N_HIGH] = high;
    v[N_BELOW] = t->below_minimum;
    v[N_BETTER] = t->phq9.improved;
    v[N_WORSE] = t->phq9.worse;
    v[N_DUE] = t->reviews_due;
    v[N_OVERDUE] = t->reviews_overdue;
    v[N_AWAITING] = t->reviews_awaiting;
    v[N_URGENT] = t->alerts_urgent;
    v[N_WARNING] = t->alerts_warning;
    v[N_DISCHARGE] = t->discharges_due;
}

/* One line of the table: the label, then the numbers. */
static void draw_numbers(struct tui_app *app, int y, const char *label,
                         const struct cairn_report_totals *t, attr_t attr)
{
    int v[N__COUNT], name_w = app->cols - 2 - numbers_width(), x = 1 + name_w;
    char cell[16];
    values(t, v);
    attrset(attr);
    tui_draw_text(y, 1, label, name_w);
    for (int i = 0; i < N__COUNT; i++) {
        snprintf(cell, sizeof cell, "%*d", numbers[i].width, v[i]);
        /* An urgent count stands out; the number says it without colour. */
        attrset(i == N_URGENT && v[i] && attr == A_NORMAL ? tui_attr(TUI_COLOR_RISK_HIGH) : attr);
        tui_draw_text(y, x, cell, numbers[i].width);
        x += numbers[i].width;
    }
    attrset(A_NORMAL);
}

/* Lines the urgent alerts take under the table: a heading, up to three
 * alerts (more on a tall terminal), and a line counting the rest. */
static int urgent_shown(const struct tui_app *app)
{
    const struct tui_supervisor *s = &app->supervisor;
    int room = app->lines >= 30 ? 5 : 3;
    return s->nkept < room ? s->nkept : room;
}

static int urgent_lines(const struct tui_app *app)
{
    const struct tui_supervisor *s = &app->supervisor;
    int shown = urgent_shown(app);
    return 1 + shown + ((size_t)shown < s->nurgent ? 1 : 0);
}

/* Lines for the list: the clinicians (overview) or the patients' lines. */
static int list_rows(const struct tui_app *app)
{
    int n = app->supervisor.narrowed >= 0
                ? app->lines - 8 /* title, 3 info, blank, header, 2 foot */
                : app->lines - 5 - 1 - 1 - urgent_lines(app) - 2;
    return n < 1 ? 1 : n;
}

static void draw_overview(struct tui_app *app, int *cy, int *cx)
{
    struct tui_supervisor *s = &app->supervisor;
    char line[1024];
    int name_w = app->cols - 2 - numbers_width();
    if (!s->computed)
        return;
    if (s->awaiting >= 0)
        snprintf(line, sizeof line,
                 "Co-sign queue: %d%s signed review%s awaiting co-signature (A opens it)",
                 s->awaiting, s->awaiting_more ? "+" : "", s->awaiting == 1 ? "" : "s");
    else
        snprintf(line, sizeof line, "Co-sign queue: not counted (A opens it)");
    tui_draw_text(1, 1, line, app->cols - 2);
    /* Two header lines: what each group of numbers is about, then each number. */
    attrset(tui_attr(TUI_COLOR_HEADER));
    tui_draw_text(3, 1, "", app->cols - 2);
    int x = 1 + name_w;
    for (size_t g = 0; g < sizeof number_groups / sizeof number_groups[0]; g++) {
        int w = 0;
        for (int i = number_groups[g].first; i <= number_groups[g].last; i++)
            w += numbers[i].width;
        tui_draw_text(3, x + 1, number_groups[g].title, w - 1);
        x += w;
    }
    tui_draw_text(4, 1, "CLINICIAN", name_w);
    x = 1 + name_w;
    for (int i = 0; i < N__COUNT; i++) {
        snprintf(line, sizeof line, "%*s", numbers[i].width, numbers[i].title);
        tui_draw_text(4, x, line, numbers[i].width);
        x += numbers[i].width;
    }
    attrset(A_NORMAL);

    int rows = list_rows(app), y = 5;
    if (s->top > s->cursor)
        s->top = s->cursor;
    if (s->cursor >= s->top + rows)
        s->top = s->cursor - rows + 1;
    if (!s->ngroups) {
        tui_draw_text(y++, 1, "No patients in care in this view.", app->cols - 2);
    }
    for (int r = 0; r < rows && s->top + r < s->ngroups; r++, y++) {
        const struct tui_supervisor_group *g = &s->groups[s->top + r];
        if (g->clinician[0])
            snprintf(line, sizeof line, "%s %s", g->clinician, g->name);
        else
            snprintf(line, sizeof line, "(unassigned)");
        bool at = s->top + r == s->cursor;
        draw_numbers(app, y, line, &g->totals, at ? tui_attr(TUI_COLOR_SELECTED) : A_NORMAL);
        if (at) {
            *cy = y;
            *cx = 1;
        }
    }
    if (s->top + rows < s->ngroups) {
        snprintf(line, sizeof line, "\u2193 %d more clinician%s", s->ngroups - s->top - rows,
                 s->ngroups - s->top - rows == 1 ? "" : "s");
        attrset(tui_attr(TUI_COLOR_DIM));
        tui_draw_text(y - 1, app->cols - 20, line, 19);
        attrset(A_NORMAL);
    }
    snprintf(line, sizeof line, "TOTAL, %d clinician%s", s->ngroups, s->ngroups == 1 ? "" : "s");
    draw_numbers(app, y++, line, &s->all, tui_attr(TUI_COLOR_HEADER));

    y++;
    int shown = urgent_shown(app);
    if (s->nurgent) {
        snprintf(line, sizeof line, "Open urgent alerts: %zu", s->nurgent);
        attrset(tui_attr(TUI_COLOR_HEADER));
        tui_draw_text(y++, 1, line, app->cols - 2);
        attrset(tui_attr(TUI_COLOR_RISK_HIGH));
        for (int i = 0; i < shown; i++)
            tui_draw_text(y++, 1, s->urgent[i], app->cols - 2);
        attrset(A_NORMAL);
        if ((size_t)shown < s->nurgent) {
            snprintf(line, sizeof line, "and %zu more: Enter on a clinician lists them",
                     s->nurgent - (size_t)shown);
            tui_draw_text(y++, 1, line, app->cols - 2);
        }
    } else {
        tui_draw_text(y++, 1, "Open urgent alerts: none.", app->cols - 2);
    }
}

static const char *severity_word(enum cairn_alert_severity sev)
{
    return sev == CAIRN_SEVERITY_URGENT ? "URGENT" : cairn_alert_severity_str(sev);
}

static void draw_narrowed(struct tui_app *app, int *cy, int *cx)
{
    struct tui_supervisor *s = &app->supervisor;
    const struct tui_supervisor_group *g = &s->groups[s->narrowed];
    const struct cairn_report_totals *t = &g->totals;
    char line[1024];
    int v[N__COUNT];
    values(t, v);
    snprintf(line, sizeof line,
             "Patients: %d active, %d on hold, %d high risk, %d below the minimum hours (*)",
             v[N_ACTIVE], v[N_HOLD], v[N_HIGH], v[N_BELOW]);
    tui_draw_text(1, 1, line, app->cols - 2);
    snprintf(line, sizeof line,
             "PHQ-9: %d improved (\u2193), %d worse (\u2191) \u00b7 Alerts: %d urgent, %d warning",
             v[N_BETTER], v[N_WORSE], v[N_URGENT], v[N_WARNING]);
    tui_draw_text(2, 1, line, app->cols - 2);
    snprintf(line, sizeof line,
             "Reviews: %d due, %d overdue, %d awaiting co-signature \u00b7 Discharges due: %d",
             v[N_DUE], v[N_OVERDUE], v[N_AWAITING], v[N_DISCHARGE]);
    tui_draw_text(3, 1, line, app->cols - 2);

    /* Columns: risk, MRN, name (what is left), week of stay, hours,
     * PHQ-9, GAD-7, review, and the discharge date when there is room. */
    bool wide = app->cols >= 100;
    int fixed = 9 + 12 + 4 + 9 + 6 + 6 + 9 + (wide ? 11 : 0);
    int name_w = app->cols - 2 - fixed;
    snprintf(line, sizeof line, "%-8s %-11s %-*s %3s %-8s %-5s %-5s %-8s%s", "RISK", "MRN",
             name_w - 1, "NAME", "WK", "HOURS", "PHQ-9", "GAD-7", "REVIEW",
             wide ? " DISCHARGE" : "");
    attrset(tui_attr(TUI_COLOR_HEADER));
    tui_draw_text(5, 1, line, app->cols - 2);
    attrset(A_NORMAL);

    int rows = list_rows(app);
    if (s->line_top > s->line_cursor)
        s->line_top = s->line_cursor;
    /* Keep the patient's alerts in view with it where they fit. */
    int end = s->line_cursor;
    while (end + 1 < s->nlines && s->lines[end + 1].kind == TUI_SUPERVISOR_ALERT &&
           end + 1 - s->line_cursor < rows)
        end++;
    if (end >= s->line_top + rows)
        s->line_top = end - rows + 1;
    if (!s->nlines)
        tui_draw_text(6, 1, "No patients.", app->cols - 2);
    for (int r = 0; r < rows && s->line_top + r < s->nlines; r++) {
        int i = s->line_top + r, y = 6 + r;
        const struct tui_supervisor_line *l = &s->lines[i];
        if (l->kind == TUI_SUPERVISOR_HEADING) {
            attrset(tui_attr(TUI_COLOR_HEADER));
            tui_draw_text(y, 1, l->text, app->cols - 2);
            attrset(A_NORMAL);
            continue;
        }
        if (l->kind == TUI_SUPERVISOR_ALERT) {
            snprintf(line, sizeof line, "%-7s %s%s", severity_word(l->severity), l->text,
                     l->acknowledged ? " (acknowledged)" : "");
            attrset(l->severity == CAIRN_SEVERITY_URGENT && !l->acknowledged
                        ? tui_attr(TUI_COLOR_RISK_HIGH)
                        : tui_attr(TUI_COLOR_DIM));
            tui_draw_text(y, 10, line, app->cols - 11);
            attrset(A_NORMAL);
            continue;
        }
        bool at = i == s->line_cursor;
        attr_t row = at ? tui_attr(TUI_COLOR_SELECTED) : A_NORMAL;
        const struct {
            const char *text;
            int width;
            attr_t attr;
        } cells[] = {
            {l->risk ? cairn_risk_str(l->risk) : "-", 9,
             at                               ? row
             : l->risk == CAIRN_RISK_HIGH     ? tui_attr(TUI_COLOR_RISK_HIGH)
             : l->risk == CAIRN_RISK_MODERATE ? tui_attr(TUI_COLOR_RISK_MODERATE)
                                              : A_NORMAL},
            {l->mrn, 12, row},
            {l->text, name_w, row},
            {l->week, 4, row},
            {l->hours, 9, row},
            {l->phq9, 6, row},
            {l->gad7, 6, row},
            {l->review, 9, row},
            {l->discharge, wide ? 11 : 0, row},
        };
        int x = 1;
        for (size_t k = 0; k < sizeof cells / sizeof cells[0]; k++) {
            if (!cells[k].width)
                continue;
            attrset(cells[k].attr);
            if (k == 3) { /* the week of stay, right-aligned */
                char wk[16];
                snprintf(wk, sizeof wk, "%3s", cells[k].text);
                tui_draw_text(y, x, wk, cells[k].width - 1);
            } else {
                tui_draw_text(y, x, cells[k].text, cells[k].width - 1);
            }
            attrset(row);
            if (x + cells[k].width - 1 < app->cols - 1)
                addch(' ');
            x += cells[k].width;
        }
        attrset(A_NORMAL);
        if (at) {
            *cy = y;
            *cx = 1;
        }
    }
    if (s->line_top + rows < s->nlines && !s->message[0] && !app->message[0]) {
        attrset(tui_attr(TUI_COLOR_DIM));
        tui_draw_text(app->lines - 2, app->cols - 8, "\u2193 more", 7);
        attrset(A_NORMAL);
    }
}

/* The print prompt, over the foot of the screen, form-style: the field,
 * then its hint or the problem next to it. */
static void draw_print(struct tui_app *app, int *cy, int *cx)
{
    struct tui_supervisor *s = &app->supervisor;
    const char *who = print_clinician(s);
    char line[512];
    int y = app->lines - 6, label_w = 10, value_x = label_w + 2, value_w = app->cols - value_x - 2;
    snprintf(line, sizeof line, " Print the caseload report \u00b7 %s \u00b7 %s%s \u00b7 %s",
             who ? who : "every clinician", s->program[0] ? "program " : "all programs", s->program,
             s->meta.week);
    for (int k = y - 1; k < app->lines - 1; k++)
        tui_draw_text(k, 0, "", app->cols);
    attrset(tui_attr(TUI_COLOR_TITLE));
    tui_draw_text(y, 0, line, app->cols);
    attrset(tui_attr(TUI_COLOR_DIM));
    tui_draw_text(y + 2, 1, "Print to", label_w);
    attrset(tui_attr(TUI_COLOR_SELECTED));
    tui_draw_text(y + 2, value_x, s->path, value_w);
    attrset(A_NORMAL);
    /* Under the field: what it takes, or what went wrong with it. */
    if (s->path_error[0]) {
        snprintf(line, sizeof line, "! %s", s->path_error);
        attrset(tui_attr(TUI_COLOR_ERROR));
    } else {
        snprintf(line, sizeof line, "a new file's name (made 0600, never overwriting one), or lp");
        attrset(tui_attr(TUI_COLOR_DIM));
    }
    tui_draw_text(y + 3, value_x, line, app->cols - value_x - 1);
    attrset(A_NORMAL);
    size_t w = cairn_text_width(s->path);
    *cy = y + 2;
    *cx = value_x + (int)(w < (size_t)value_w ? w : (size_t)value_w - 1);
}

void tui_supervisor_draw(struct tui_app *app)
{
    struct tui_supervisor *s = &app->supervisor;
    char line[1024];
    int cy = 0, cx = 0;
    bool narrowed = s->narrowed >= 0 && s->narrowed < s->ngroups;
    if (narrowed) {
        const struct tui_supervisor_group *g = &s->groups[s->narrowed];
        snprintf(line, sizeof line, " Supervisor \u00b7 %s %s \u00b7 %s, as of %s%s%s",
                 g->clinician[0] ? g->clinician : "(unassigned)", g->name, s->meta.week,
                 s->meta.as_of, s->program[0] ? " \u00b7 program " : "", s->program);
    } else {
        snprintf(line, sizeof line, " Supervisor \u00b7 %s, as of %s \u00b7 %s \u00b7 %s%s",
                 s->meta.week, s->meta.as_of, s->clinician[0] ? s->clinician : "every clinician",
                 s->program[0] ? "program " : "all programs", s->program);
    }
    attrset(tui_attr(TUI_COLOR_TITLE));
    tui_draw_text(0, 0, line, app->cols);
    attrset(A_NORMAL);
    if (narrowed)
        draw_narrowed(app, &cy, &cx);
    else
        draw_overview(app, &cy, &cx);
    if (s->printing) {
        draw_print(app, &cy, &cx);
    } else if (s->message[0] || app->message[0]) {
        bool mine = s->message[0];
        attrset(tui_attr(mine && !s->problem ? TUI_COLOR_NORMAL : TUI_COLOR_ERROR));
        tui_draw_text(app->lines - 2, 1, mine ? s->message : app->message, app->cols - 2);
        attrset(A_NORMAL);
    }
    attrset(tui_attr(TUI_COLOR_STATUS_BAR));
    tui_draw_text(app->lines - 1, 0,
                  s->printing ? " Enter print  Esc cancel  ^U clear  (a file name, or lp)"
                  : narrowed  ? " \u2191\u2193 move  p print  A co-sign queue  r recompute  Esc "
                                "clinicians  ? keys"
                              : " Enter patients  p print  A co-sign queue  r recompute  Esc "
                                "caseload  ? keys",
                  app->cols);
    attrset(A_NORMAL);
    move(cy, cx);
}

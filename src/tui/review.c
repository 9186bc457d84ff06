/* The review queue (DESIGN.md §6): the weekly reviews due, one patient
 * after another. The summary cairn computed for the week is on the left,
 * the reviewer's form on the right (below the summary on a terminal
 * narrower than 110 columns); S signs with one key and the next patient is
 * shown.
 *
 * Opening a patient starts the review (a draft already started is read,
 * which is audited). The form is browsed with the arrows; Enter edits the
 * focused field: the risk level and the five texts with the line editor,
 * the checklist with y and n. Leaving a field saves the form when it
 * changed. What is typed lives in the queue's copy of the review until it
 * is saved, and stays there when a save is refused (a problem in a field
 * is shown under it; a review changed by someone else keeps the typed
 * inputs over theirs) or the screen is left: W comes back to it. A signal
 * ends cairn without writing anything half-done, as with every form.
 *
 * The shared pieces of the review screens also live here: wrapped text
 * for a pane, and the snapshot and inputs written as text lines. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/tui.h"

/* ---- wrapped text --------------------------------------------------------- */

void tui_text_reset(struct tui_text *t, int width)
{
    t->n = 0;
    t->width = width > 1 ? width : 1;
}

static void push_line(struct tui_text *t, enum tui_color color, const char *text, size_t len)
{
    if (t->n == TUI_TEXT_LINES)
        return;
    if (len >= TUI_TEXT_LINE_SIZE)
        len = TUI_TEXT_LINE_SIZE - 1;
    t->lines[t->n].color = color;
    memcpy(t->lines[t->n].text, text, len);
    t->lines[t->n].text[len] = '\0';
    t->n++;
}

/* Columns the `len` bytes at s take on screen. */
static int span_width(const char *s, size_t len)
{
    char buf[TUI_TEXT_LINE_SIZE];
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return (int)cairn_text_width(buf);
}

/* Starts a line of `lead` spaces in line (its bytes in *used, columns in
 * *col). */
static void start_line(char *line, size_t *used, int *col, int lead)
{
    memset(line, ' ', (size_t)lead);
    *used = (size_t)lead;
    *col = lead;
}

/* Wraps one paragraph (the len bytes at p, no '\n') into lines of t->width
 * columns, by words; a word wider than a line is cut by characters. Spaces
 * (and tabs, as spaces) inside a line are kept, as they align labels;
 * those at a wrap are dropped. */
static void add_paragraph(struct tui_text *t, enum tui_color color, int indent, const char *p,
                          size_t len, bool first)
{
    char line[TUI_TEXT_LINE_SIZE];
    size_t used;
    int col, lead = first || indent >= t->width ? 0 : indent;
    bool wrapped = false; /* the line was started by a wrap */
    start_line(line, &used, &col, lead);
    for (size_t i = 0; i < len;) {
        size_t sp = i, end;
        while (sp < len && (p[sp] == ' ' || p[sp] == '\t'))
            sp++;
        if (sp == len)
            break;
        for (end = sp; end < len && p[end] != ' ' && p[end] != '\t';)
            end++;
        int gap = wrapped && col == lead ? 0 : (int)(sp - i);
        if (col > lead && col + gap + span_width(p + sp, end - sp) > t->width) {
            push_line(t, color, line, used);
            lead = indent < t->width ? indent : 0;
            start_line(line, &used, &col, lead);
            wrapped = true;
            gap = 0;
        }
        for (; gap > 0 && col < t->width && used + 1 < sizeof line; gap--, col++)
            line[used++] = ' ';
        for (size_t k = sp; k < end;) {
            unsigned cp;
            size_t n = cairn_utf8_decode(p + k, end - k, &cp);
            int cw = span_width(p + k, n);
            if (col > lead && col + cw > t->width) {
                push_line(t, color, line, used);
                lead = indent < t->width ? indent : 0;
                start_line(line, &used, &col, lead);
                wrapped = true;
            }
            if (used + n + 1 < sizeof line) {
                memcpy(line + used, p + k, n);
                used += n;
                col += cw;
            }
            k += n;
        }
        i = end;
    }
    push_line(t, color, line, used);
}

void tui_text_add(struct tui_text *t, enum tui_color color, int indent, const char *text)
{
    bool first = true;
    for (const char *p = text;; first = false) {
        size_t len = strcspn(p, "\n");
        add_paragraph(t, color, indent, p, len, first);
        if (!p[len])
            break;
        p += len + 1;
    }
}

void tui_text_addf(struct tui_text *t, enum tui_color color, int indent, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!buf) {
        tui_text_add(t, TUI_COLOR_ERROR, 0, "(out of memory)");
        return;
    }
    va_start(ap, fmt);
    vsnprintf(buf, (size_t)n + 1, fmt, ap);
    va_end(ap);
    tui_text_add(t, color, indent, buf);
    free(buf);
}

void tui_text_draw(const struct tui_text *t, int top, int y, int x, int rows)
{
    for (int i = 0; i < rows && top + i < t->n; i++) {
        attrset(tui_attr(t->lines[top + i].color));
        tui_draw_text(y + i, x, t->lines[top + i].text, t->width);
    }
    attrset(A_NORMAL);
}

/* ---- the snapshot and the inputs as text ---------------------------------- */

enum { LABEL = 12 }; /* the snapshot's label column */

static void measure_text(struct tui_text *t, const char *title,
                         const struct cairn_review_measure *m)
{
    char line[1024];
    if (!m->has) {
        snprintf(line, sizeof line, "%-*s none yet", LABEL - 1, title);
        tui_text_add(t, TUI_COLOR_NORMAL, LABEL, line);
        return;
    }
    int n = snprintf(line, sizeof line, "%-*s %d, %s, on %s", LABEL - 1, title, m->total, m->band,
                     m->date);
    if (m->has_baseline && n > 0 && (size_t)n < sizeof line)
        n += snprintf(line + n, sizeof line - (size_t)n, "; baseline %d", m->baseline);
    if (m->has_last_week && n > 0 && (size_t)n < sizeof line)
        snprintf(line + n, sizeof line - (size_t)n, "; before the week %d", m->last_week);
    tui_text_add(t, TUI_COLOR_NORMAL, LABEL, line);
    for (size_t i = 0; i < m->nlabels; i++)
        tui_text_addf(t, TUI_COLOR_NORMAL, LABEL + 2, "%*s%s", LABEL, "", m->labels[i]);
}

void tui_review_snapshot_text(struct tui_text *t, const struct cairn_review *r)
{
    const struct cairn_review_snapshot *s = &r->snapshot;
    const struct cairn_attendance_week *a = &s->attendance;
    bool below = a->complete && (!a->meets_hours || !a->meets_days);
    tui_text_addf(t, below ? TUI_COLOR_RISK_MODERATE : TUI_COLOR_NORMAL, LABEL,
                  "%-*s %.1f h on %d day%s; minimum %.1f h on %d days%s%s", LABEL - 1, "Attendance",
                  a->minutes_attended / 60.0, a->days_attended, a->days_attended == 1 ? "" : "s",
                  a->min_minutes / 60.0, a->min_days, below ? " - BELOW MINIMUM" : "",
                  a->complete ? "" : " (week not over)");
    tui_text_addf(t, TUI_COLOR_NORMAL, LABEL,
                  "%-*s %d: %d attended, %d late, %d absent, %d excused", LABEL - 1, "Sessions",
                  a->sessions, a->attended, a->late, a->absent, a->excused);
    measure_text(t, "PHQ-9", &s->phq9);
    measure_text(t, "GAD-7", &s->gad7);
    tui_text_addf(t,
                  !strcmp(s->cssrs, "high")       ? TUI_COLOR_RISK_HIGH
                  : !strcmp(s->cssrs, "moderate") ? TUI_COLOR_RISK_MODERATE
                                                  : TUI_COLOR_NORMAL,
                  LABEL, "%-*s %s%s%s", LABEL - 1, "C-SSRS",
                  s->cssrs[0] ? "screened this week: " : "no screen this week",
                  !strcmp(s->cssrs, "none") ? "no" : s->cssrs, s->cssrs[0] ? " risk" : "");
    tui_text_addf(t, TUI_COLOR_NORMAL, LABEL,
                  "%-*s %d attempt%s, %d step%s mastered this week (%d of %d so far)", LABEL - 1,
                  "Exposure", s->attempts, s->attempts == 1 ? "" : "s", s->steps_mastered_week,
                  s->steps_mastered_week == 1 ? "" : "s", s->steps_mastered, s->steps_total);
    if (!s->ngoals)
        tui_text_addf(t, TUI_COLOR_NORMAL, LABEL, "%-*s none in the plan", LABEL - 1, "Goals");
    for (size_t i = 0; i < s->ngoals; i++) {
        const struct cairn_review_goal *g = &s->goals[i];
        char done[64];
        if (g->done < 0)
            snprintf(done, sizeof done, "not recorded (target %d a week)", g->target);
        else
            snprintf(done, sizeof done, "%d of %d%s", g->done, g->target,
                     g->done >= g->target ? " (met)" : " (not met)");
        tui_text_addf(t, TUI_COLOR_NORMAL, LABEL, "%-*s %s: %s", LABEL - 1, i ? "" : "Goals",
                      g->text, done);
    }
    tui_text_addf(t, s->relapses ? TUI_COLOR_RISK_MODERATE : TUI_COLOR_NORMAL, LABEL,
                  "%-*s %d lapse%s, %d relapse%s", LABEL - 1, "Lapses", s->lapses,
                  s->lapses == 1 ? "" : "s", s->relapses, s->relapses == 1 ? "" : "s");
    if (!s->nalerts)
        tui_text_addf(t, TUI_COLOR_NORMAL, LABEL, "%-*s none open", LABEL - 1, "Alerts");
    /* The severity is written out, so meaning never rests on colour. */
    for (size_t i = 0; i < s->nalerts; i++) {
        const struct cairn_review_alert *al = &s->alerts[i];
        bool urgent = !strcmp(al->severity, "urgent");
        char ack[CAIRN_LOGIN_MAX + 32] = "";
        if (al->acknowledged)
            snprintf(ack, sizeof ack, " (acknowledged by %s)", al->acked_by);
        tui_text_addf(t,
                      urgent                             ? TUI_COLOR_RISK_HIGH
                      : !strcmp(al->severity, "warning") ? TUI_COLOR_RISK_MODERATE
                                                         : TUI_COLOR_NORMAL,
                      LABEL + 8, "%-*s %-7s %s%s", LABEL - 1, i ? "" : "Alerts",
                      urgent ? "URGENT" : al->severity, al->reason, ack);
    }
}

enum { INPUT_LABEL = 17 }; /* the reviewer's label column */

const char *tui_who(const char *login, const char *me)
{
    return me && login[0] && !strcmp(login, me) ? "you" : login;
}

void tui_review_inputs_text(struct tui_text *t, const struct cairn_review *r, const char *me)
{
    const struct cairn_review_inputs *in = &r->inputs;
    tui_text_addf(t, TUI_COLOR_NORMAL, INPUT_LABEL, "%-*s %s", INPUT_LABEL - 1, "Risk",
                  in->risk == CAIRN_RISK_UNSET ? "(not set)" : cairn_risk_str(in->risk));
    for (int f = 0; f < CAIRN_REVIEW__FIELDS; f++)
        tui_text_addf(t, TUI_COLOR_NORMAL, INPUT_LABEL, "%-*s %s", INPUT_LABEL - 1,
                      cairn_review_field_title((enum cairn_review_field)f),
                      in->text[f][0] ? in->text[f] : "(empty)");
    if (in->nchecks)
        tui_text_add(t, TUI_COLOR_NORMAL, 0, "Checklist");
    for (size_t i = 0; i < in->nchecks; i++) {
        int a = in->checks[i].answer;
        tui_text_addf(t, TUI_COLOR_NORMAL, 11, "  [%s] %zu. %s",
                      a < 0 ? "   "
                      : a   ? "yes"
                            : "no ",
                      i + 1, in->checks[i].item);
    }
    for (size_t i = 0; i < r->naddenda; i++) {
        tui_text_add(t, TUI_COLOR_NORMAL, 0, "");
        tui_text_addf(t, TUI_COLOR_HEADER, 0, "Addendum by %s at %s",
                      tui_who(r->addenda[i].author, me), r->addenda[i].at);
        tui_text_addf(t, TUI_COLOR_NORMAL, 2, "  %s", r->addenda[i].text);
    }
}

void tui_patient_name(const struct cairn_patient *p, char *out, size_t size)
{
    if (p->preferred_name[0])
        snprintf(out, size, "%s (%s)", p->legal_name, p->preferred_name);
    else
        snprintf(out, size, "%s", p->legal_name);
}

/* ---- the queue ------------------------------------------------------------ */

/* Fields: the risk level, the five texts, then the checklist items. */
enum { F_RISK, F_TEXT, F_CHECKS = F_TEXT + CAIRN_REVIEW__FIELDS };

static int nfields(const struct tui_review_queue *q)
{
    return F_CHECKS + (int)q->review.inputs.nchecks;
}

static void notice(struct tui_review_queue *q, bool problem, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void notice(struct tui_review_queue *q, bool problem, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q->message, sizeof q->message, fmt, ap);
    va_end(ap);
    q->problem = problem;
}

static int first_patient(const struct cairn_patient *p, void *ctx)
{
    (void)p;
    *(bool *)ctx = true;
    return 1;
}

enum save_mode {
    SAVE_QUIET, /* leaving a field: says nothing; skipped after a conflict */
    SAVE_FORCE, /* moving on or signing: applies over a conflict */
    SAVE_ASKED, /* w: also says when there is nothing to save */
};

static bool save(struct tui_app *app, enum save_mode mode, const char *what);

/* Whose reviews the queue holds (see tui_review_open()). */
static void choose_scope(struct tui_app *app, char *out, size_t size)
{
    const char *me = cairn_store_actor_login(app->store);
    struct cairn_staff st;
    bool has = false;
    out[0] = '\0';
    if (app->caseload.clinician[0]) {
        snprintf(out, size, "%s", app->caseload.clinician);
        return;
    }
    if (!me || cairn_staff_find(app->store, me, &st, NULL) != CAIRN_OK || !st.active ||
        (st.role != CAIRN_ROLE_THERAPIST && st.role != CAIRN_ROLE_CASE_MANAGER))
        return;
    struct cairn_patient_filter f = {
        .status_mask = 1u << CAIRN_PATIENT_ACTIVE, .clinician_login = me, .limit = 1};
    if (cairn_patient_list(app->store, &f, first_patient, &has, NULL) == CAIRN_OK && has)
        snprintf(out, size, "%s", me);
}

struct tui_queue_entry *tui_queue_add(struct tui_queue_entry *entries, int *n, bool *more,
                                      const struct cairn_patient *p, const char *week)
{
    if (*n == TUI_QUEUE_MAX) {
        *more = true;
        return NULL;
    }
    struct tui_queue_entry *e = &entries[(*n)++];
    memset(e, 0, sizeof *e);
    snprintf(e->mrn, sizeof e->mrn, "%s", p->mrn);
    tui_patient_name(p, e->name, sizeof e->name);
    snprintf(e->week, sizeof e->week, "%s", week);
    return e;
}

static int collect_due(const struct cairn_review_due *d, void *ctx)
{
    struct tui_review_queue *q = ctx;
    struct tui_queue_entry *e = tui_queue_add(q->entries, &q->n, &q->more, &d->patient, d->week);
    if (!e)
        return 1;
    e->overdue = d->overdue;
    return 0;
}

static bool inputs_equal(const struct cairn_review_inputs *a, const struct cairn_review_inputs *b)
{
    if (a->risk != b->risk || a->nchecks != b->nchecks)
        return false;
    for (int f = 0; f < CAIRN_REVIEW__FIELDS; f++)
        if (strcmp(a->text[f], b->text[f]))
            return false;
    for (size_t i = 0; i < a->nchecks; i++)
        if (a->checks[i].answer != b->checks[i].answer)
            return false;
    return true;
}

static bool dirty(const struct tui_review_queue *q)
{
    return q->loaded && !inputs_equal(&q->review.inputs, &q->base);
}

static void reset_form(struct tui_review_queue *q)
{
    q->focus = 0;
    q->editing = q->confirming = q->conflict = q->quit_armed = q->frozen = false;
    memset(q->errors, 0, sizeof q->errors);
    q->message[0] = '\0';
    q->problem = false;
    q->summary_top = q->form_top = 0;
}

/* Shows entry k: starts its review (a draft already started is read,
 * audited, as showing it is a read of the record). */
static void open_entry(struct tui_app *app, int k)
{
    struct tui_review_queue *q = &app->reviews;
    struct cairn_error err;
    bool existed = false;
    reset_form(q);
    q->k = k > 0 ? k : 0;
    q->loaded = false;
    q->load_error[0] = '\0';
    if (k < 0 || k >= q->n)
        return;
    const struct tui_queue_entry *e = &q->entries[k];
    enum cairn_status rc = cairn_patient_find(app->store, e->mrn, &q->patient, &err);
    if (rc == CAIRN_OK)
        rc = cairn_review_start(app->store, &q->patient, e->week, &q->review, &existed, &err);
    if (rc == CAIRN_OK && existed)
        rc = cairn_review_read(app->store, &q->patient, e->week, &q->review, &err);
    if (rc != CAIRN_OK) {
        snprintf(q->load_error, sizeof q->load_error, "could not open the review: %s", err.message);
        return;
    }
    q->base = q->review.inputs;
    snprintf(q->risk_text, sizeof q->risk_text, "%s", cairn_risk_str(q->review.inputs.risk));
    q->loaded = true;
}

/* Reads the queue's entries; false with app->message set when it failed. */
static bool load_queue(struct tui_app *app, const char *clinician)
{
    struct tui_review_queue *q = &app->reviews;
    struct cairn_error err;
    q->n = 0;
    q->more = false;
    snprintf(q->clinician, sizeof q->clinician, "%s", clinician);
    if (cairn_review_due_list(app->store, clinician[0] ? clinician : NULL, NULL, collect_due, q,
                              &err) != CAIRN_OK) {
        snprintf(app->message, sizeof app->message, "could not read the reviews due: %s",
                 err.message);
        return false;
    }
    return true;
}

void tui_review_open(struct tui_app *app)
{
    struct tui_review_queue *q = &app->reviews;
    char scope[CAIRN_LOGIN_MAX + 1], mrn[CAIRN_MRN_MAX + 1] = "", week[CAIRN_WEEK_LEN + 1] = "";
    choose_scope(app, scope, sizeof scope);
    if (q->open && strcmp(scope, q->clinician) && !save(app, SAVE_FORCE, "not saved")) {
        /* Another clinician's queue would drop them: the old one stays. */
        snprintf(scope, sizeof scope, "%s", q->clinician);
        snprintf(app->message, sizeof app->message,
                 "the review queue keeps its clinician: the review shown holds inputs not saved");
    }
    bool same = q->open && !strcmp(scope, q->clinician);
    if (same && q->loaded) {
        memcpy(mrn, q->entries[q->k].mrn, sizeof mrn);
        memcpy(week, q->entries[q->k].week, sizeof week);
    }
    int k = same ? q->k : 0;
    if (!load_queue(app, scope))
        return;
    q->open = true;
    app->screen = TUI_SCREEN_REVIEW;
    for (int i = 0; mrn[0] && i < q->n; i++)
        if (!strcmp(q->entries[i].mrn, mrn) && !strcmp(q->entries[i].week, week)) {
            q->k = i; /* the same review, typed inputs and all */
            q->confirming = q->quit_armed = false;
            return;
        }
    open_entry(app, k < q->n ? k : q->n - 1);
}

/* Turns the typed risk text into the inputs' risk level: empty, or a
 * prefix of low, moderate or high. False (the problem under the field)
 * otherwise. */
static bool commit_risk(struct tui_review_queue *q)
{
    static const enum cairn_risk levels[] = {CAIRN_RISK_LOW, CAIRN_RISK_MODERATE, CAIRN_RISK_HIGH};
    const char *typed = q->risk_text + strspn(q->risk_text, " ");
    size_t len = strlen(typed);
    while (len && typed[len - 1] == ' ')
        len--;
    if (!len) {
        q->review.inputs.risk = CAIRN_RISK_UNSET;
        q->errors[F_RISK][0] = '\0';
        return true;
    }
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        const char *name = cairn_risk_str(levels[i]);
        if (len <= strlen(name) && !strncasecmp(typed, name, len)) {
            q->review.inputs.risk = levels[i];
            snprintf(q->risk_text, sizeof q->risk_text, "%s", name);
            q->errors[F_RISK][0] = '\0';
            return true;
        }
    }
    snprintf(q->errors[F_RISK], sizeof q->errors[F_RISK], "low, moderate or high (l, m or h)");
    return false;
}

/* Puts a refusal from the core under the field it names (which gets the
 * focus) and on the message line, after `what`. */
static void place_error(struct tui_review_queue *q, const struct cairn_error *err, const char *what)
{
    int at = -1;
    if (!strcmp(err->pointer, "risk"))
        at = F_RISK;
    for (int f = 0; f < CAIRN_REVIEW__FIELDS; f++)
        if (!strcmp(err->pointer, cairn_review_field_key((enum cairn_review_field)f)))
            at = F_TEXT + f;
    if (!strncmp(err->pointer, "checklist/", 10)) {
        int i = atoi(err->pointer + 10);
        if (i >= 1 && i <= (int)q->review.inputs.nchecks)
            at = F_CHECKS + i - 1;
    }
    if (at >= 0) {
        snprintf(q->errors[at], sizeof q->errors[at], "%s", err->message);
        q->focus = at;
    }
    notice(q, true, "%s: %s", what, err->message);
}

/* The review was signed elsewhere since it was read: what was typed stays
 * on screen to copy, but is no longer offered for saving. */
static void freeze(struct tui_review_queue *q, const char *what)
{
    q->frozen = true;
    q->conflict = q->editing = false;
    q->base = q->review.inputs; /* nothing left to save: it cannot be */
    notice(q, true, "%s: the review was signed elsewhere meanwhile; what you typed stays to copy",
           what);
}

/* A save or signature refused because the review changed since it was
 * read: the newest version is read, and what this user changed (against
 * what they read) is laid over it, so neither their typing nor a
 * colleague's change to another field is lost. The next save (w, S, or
 * moving to another patient) applies it. */
static void take_newest(struct tui_app *app, const struct cairn_error *refusal, const char *what)
{
    struct tui_review_queue *q = &app->reviews;
    struct cairn_review *theirs = malloc(sizeof *theirs);
    struct cairn_error err;
    q->conflict = true;
    if (!theirs ||
        cairn_review_load(app->store, &q->patient, q->review.week, theirs, &err) != CAIRN_OK) {
        notice(q, true, "%s: changed by someone else (%s); your inputs are kept on screen", what,
               refusal->message);
        free(theirs);
        return;
    }
    if (theirs->status != CAIRN_REVIEW_DRAFT) {
        free(theirs);
        freeze(q, what);
        return;
    }
    struct cairn_review_inputs *mine = &q->review.inputs, *base = &q->base;
    struct cairn_review_inputs *merged = malloc(sizeof *merged);
    if (!merged) {
        notice(q, true, "%s: changed by someone else; out of memory: your inputs stay on screen",
               what);
        free(theirs);
        return;
    }
    *merged = theirs->inputs;
    if (mine->risk != base->risk)
        merged->risk = mine->risk;
    for (int f = 0; f < CAIRN_REVIEW__FIELDS; f++)
        if (strcmp(mine->text[f], base->text[f]))
            memcpy(merged->text[f], mine->text[f], sizeof merged->text[f]);
    bool same_items = merged->nchecks == mine->nchecks && base->nchecks == mine->nchecks;
    for (size_t i = 0; same_items && i < mine->nchecks; i++)
        same_items = !strcmp(merged->checks[i].item, mine->checks[i].item);
    for (size_t i = 0; same_items && i < mine->nchecks; i++)
        if (mine->checks[i].answer != base->checks[i].answer)
            merged->checks[i].answer = mine->checks[i].answer;
    int64_t read = q->review.version;
    q->base = theirs->inputs; /* as stored now */
    q->review.inputs = *merged;
    q->review.version = theirs->version;
    if (!q->editing || q->focus != F_RISK)
        snprintf(q->risk_text, sizeof q->risk_text, "%s", cairn_risk_str(merged->risk));
    free(merged);
    free(theirs);
    notice(q, true,
           "%s: changed by someone else (version %lld, now %lld); your edits are kept: w saves "
           "them",
           what, (long long)read, (long long)q->review.version);
}

/* Saves the typed inputs when they differ from those stored. True when
 * nothing is left unsaved; false with the problem shown (after `what`). */
static bool save(struct tui_app *app, enum save_mode mode, const char *what)
{
    struct tui_review_queue *q = &app->reviews;
    struct cairn_error err;
    bool unchanged = false;
    if (!q->loaded)
        return true;
    if (!dirty(q)) {
        if (mode == SAVE_ASKED)
            notice(q, false, "nothing to save: the review is as stored (version %lld)",
                   (long long)q->review.version);
        return true;
    }
    if (q->conflict && mode == SAVE_QUIET)
        return false;
    memset(q->errors, 0, sizeof q->errors);
    enum cairn_status rc = cairn_review_save(app->store, &q->review, &unchanged, &err);
    if (rc == CAIRN_ERR_CONFLICT) {
        take_newest(app, &err, what);
        return false;
    }
    if (rc == CAIRN_ERR_TRANSITION) {
        freeze(q, what);
        return false;
    }
    if (rc != CAIRN_OK) {
        place_error(q, &err, what);
        return false;
    }
    q->base = q->review.inputs;
    q->conflict = false;
    notice(q, false, "saved (version %lld)", (long long)q->review.version);
    return true;
}

/* Moves the focus to field `to` (clamped), ending the edit of the focused
 * one: its risk text must be a level (else the edit goes on, the problem
 * under it), and the form is saved when it changed. With keep_editing the
 * next field is edited in turn, up to the last. */
static void leave_field(struct tui_app *app, int to, bool keep_editing)
{
    struct tui_review_queue *q = &app->reviews;
    int last = nfields(q) - 1;
    if (q->focus == F_RISK && q->editing && !commit_risk(q))
        return;
    if (to > last) {
        to = last;
        keep_editing = false;
    }
    q->focus = to < 0 ? 0 : to;
    q->editing = keep_editing;
    if (q->focus == F_RISK)
        snprintf(q->risk_text, sizeof q->risk_text, "%s", cairn_risk_str(q->review.inputs.risk));
    save(app, SAVE_QUIET, "not saved");
}

/* Goes to the entry `delta` away, saving the one shown first. */
static void go(struct tui_app *app, int delta)
{
    struct tui_review_queue *q = &app->reviews;
    int to = q->k + delta;
    if (!q->n)
        return;
    if (to < 0 || to >= q->n) {
        notice(q, false, "%s",
               delta > 0 ? "this is the last review in the queue"
                         : "this is the first review in the queue");
        return;
    }
    if (!save(app, SAVE_FORCE, "not saved, so still here"))
        return;
    open_entry(app, to);
}

static void sign(struct tui_app *app)
{
    struct tui_review_queue *q = &app->reviews;
    struct cairn_error err;
    if (!save(app, SAVE_FORCE, "not signed"))
        return;
    enum cairn_status rc = cairn_review_sign(app->store, &q->review, &err);
    if (rc == CAIRN_ERR_CONFLICT) {
        take_newest(app, &err, "not signed");
        return;
    }
    if (rc == CAIRN_ERR_TRANSITION) {
        freeze(q, "not signed");
        return;
    }
    if (rc != CAIRN_OK) {
        place_error(q, &err, "not signed");
        return;
    }
    char done[sizeof q->message];
    snprintf(done, sizeof done,
             "signed the review of %s for %s; it awaits a supervisor's co-signature",
             q->entries[q->k].week, q->entries[q->k].name);
    app->caseload.loaded = false; /* the risk level and review state changed */
    memmove(&q->entries[q->k], &q->entries[q->k + 1],
            (size_t)(q->n - q->k - 1) * sizeof q->entries[0]);
    q->n--;
    open_entry(app, q->k < q->n ? q->k : q->n - 1);
    notice(q, false, "%s", done);
}

/* A key while a field is edited. */
static void edit_key(struct tui_app *app, int key, bool is_char)
{
    struct tui_review_queue *q = &app->reviews;
    int f = q->focus;
    if ((is_char && key == '\t') || (!is_char && key == KEY_DOWN)) {
        leave_field(app, f + 1, true);
        return;
    }
    if (!is_char && (key == KEY_BTAB || key == KEY_UP)) {
        leave_field(app, f > 0 ? f - 1 : 0, true);
        return;
    }
    if (f >= F_CHECKS) {
        struct cairn_review_check *c = &q->review.inputs.checks[f - F_CHECKS];
        if (is_char && (key == 'y' || key == 'Y' || key == 'n' || key == 'N')) {
            c->answer = key == 'y' || key == 'Y';
            q->errors[f][0] = '\0';
            leave_field(app, f + 1, true);
        } else if ((is_char && (key == ' ' || key == 127 || key == 8)) ||
                   (!is_char && key == KEY_BACKSPACE)) {
            c->answer = -1;
        } else if (is_char && (key == '\r' || key == '\n')) {
            leave_field(app, f + 1, true);
        } else if (is_char && key == 27) {
            leave_field(app, f, false);
        }
        return;
    }
    char *buf = f == F_RISK ? q->risk_text : q->review.inputs.text[f - F_TEXT];
    size_t size = f == F_RISK ? sizeof q->risk_text : sizeof q->review.inputs.text[0];
    switch (tui_line_key(buf, size, key, is_char)) {
    case TUI_LINE_EDITED:
        q->errors[f][0] = '\0';
        break;
    case TUI_LINE_ENTER:
        leave_field(app, f + 1, true);
        break;
    case TUI_LINE_ESCAPE:
        leave_field(app, f, false);
        break;
    default:
        break;
    }
}

void tui_review_key(struct tui_app *app, int key, bool is_char)
{
    struct tui_review_queue *q = &app->reviews;
    if (q->confirming) {
        q->confirming = false;
        if (is_char && (key == 'y' || key == 'Y'))
            sign(app);
        else
            notice(q, false, "not signed");
        return;
    }
    q->message[0] = '\0'; /* a notice lasts one key; problems in fields stay under them */
    if (q->editing) {
        edit_key(app, key, is_char);
        return;
    }
    bool armed = q->quit_armed;
    q->quit_armed = false;
    if (is_char && (key == 'n' || key == 'p')) {
        go(app, key == 'n' ? 1 : -1);
        return;
    }
    enum tui_action a = tui_key_action(key);
    int last = q->loaded ? nfields(q) - 1 : 0;
    switch (a) {
    case TUI_BACK:
        save(app, SAVE_QUIET, "not saved");
        app->screen = TUI_SCREEN_CASELOAD;
        app->caseload.loaded = false;
        if (dirty(q))
            snprintf(app->message, sizeof app->message,
                     "the review's unsaved inputs are kept: W comes back to them");
        break;
    case TUI_QUIT:
        if (save(app, SAVE_FORCE, "not saved") || armed)
            app->quit = true;
        else {
            char why[sizeof q->message];
            memcpy(why, q->message, sizeof why);
            q->quit_armed = true;
            notice(q, true, "%.400s; q again quits without saving", why);
        }
        break;
    case TUI_HELP:
        app->previous = app->screen;
        app->screen = TUI_SCREEN_HELP;
        break;
    case TUI_COMMAND:
        save(app, SAVE_QUIET, "not saved");
        app->commanding = true;
        app->command[0] = '\0';
        break;
    case TUI_REDRAW:
        clearok(stdscr, TRUE);
        break;
    case TUI_DOWN:
    case TUI_NEXT_TAB:
        q->focus = q->focus < last ? q->focus + 1 : last;
        break;
    case TUI_UP:
    case TUI_PREV_TAB:
        q->focus = q->focus > 0 ? q->focus - 1 : 0;
        break;
    case TUI_HOME:
        q->focus = 0;
        break;
    case TUI_END:
        q->focus = last;
        break;
    case TUI_PAGE_DOWN:
        q->summary_top += 5; /* clamped when drawn */
        break;
    case TUI_PAGE_UP:
        q->summary_top = q->summary_top > 5 ? q->summary_top - 5 : 0;
        break;
    case TUI_OPEN:
        if (q->frozen) {
            notice(q, true, "the review was signed elsewhere: it cannot change (n moves on)");
        } else if (q->loaded) {
            q->editing = true;
            if (q->focus == F_RISK)
                snprintf(q->risk_text, sizeof q->risk_text, "%s",
                         cairn_risk_str(q->review.inputs.risk));
        }
        break;
    case TUI_SAVE:
        save(app, SAVE_ASKED, "not saved");
        break;
    case TUI_SIGN:
        if (q->frozen)
            notice(q, true, "the review was signed elsewhere already (n moves on)");
        else if (q->loaded)
            q->confirming = true;
        break;
    default:
        if (q->loaded && is_char && key > ' ' && key != 0x7F)
            notice(q, false, "%s",
                   q->focus >= F_CHECKS
                       ? "Enter, then y or n, answers the checklist (letters are commands here)"
                       : "Enter edits the field first (letters are commands here)");
        break;
    }
}

void tui_review_refresh(struct tui_app *app)
{
    struct tui_review_queue *q = &app->reviews;
    if (!q->loaded)
        return;
    if (dirty(q)) {
        notice(q, true, "the review was not read again: your inputs are not saved yet (w saves)");
        return;
    }
    int focus = q->focus;
    open_entry(app, q->k);
    q->focus = q->loaded && focus < nfields(q) ? focus : 0;
}

/* ---- drawing -------------------------------------------------------------- */

/* Draws text at (y, x) in `attr`, at most up to column maxx; returns the
 * column after it. */
static int put(int y, int x, int maxx, attr_t attr, const char *text)
{
    int w = (int)cairn_text_width(text);
    if (w > maxx - x)
        w = maxx - x;
    if (w <= 0)
        return x;
    attrset(attr);
    tui_draw_text(y, x, text, w);
    attrset(A_NORMAL);
    return x + w;
}

/* The text of a field's value as one line: new lines shown as ↵. */
static void flatten(const char *text, char *out, size_t size)
{
    size_t used = 0;
    for (const char *p = text; *p && used + 4 < size; p++) {
        if (*p == '\n') {
            memcpy(out + used, "\u21b5", 3);
            used += 3;
        } else {
            out[used++] = *p == '\t' ? ' ' : *p;
        }
    }
    out[used] = '\0';
}

/* The end of text that fits in `width` columns, for a field being typed in. */
static const char *tail(const char *text, int width)
{
    const char *p = text;
    int w = (int)cairn_text_width(text);
    while (w > width && *p) {
        unsigned cp;
        size_t n = cairn_utf8_decode(p, strlen(p), &cp);
        w -= span_width(p, n);
        p += n;
    }
    return p;
}

/* One row of the form: a field, the problem under a field, or a heading. */
struct form_row {
    int field; /* -1: the checklist heading */
    bool error;
};

static int form_rows(const struct tui_review_queue *q, struct form_row *rows, int max)
{
    int n = 0;
    for (int i = 0; i < nfields(q) && n < max; i++) {
        if (i == F_CHECKS && n < max)
            rows[n++] = (struct form_row){-1, false};
        if (n < max)
            rows[n++] = (struct form_row){i, false};
        if (q->errors[i][0] && n < max)
            rows[n++] = (struct form_row){i, true};
    }
    return n;
}

/* Draws the reviewer's form in `height` rows from (y, x), `width` wide;
 * puts the cursor position of the focused field in *cy, *cx. */
static void draw_form(struct tui_app *app, int y, int x, int width, int height, int *cy, int *cx)
{
    struct tui_review_queue *q = &app->reviews;
    struct form_row rows[2 * (F_CHECKS + CAIRN_TEMPLATE_CHECKLIST_MAX) + 1];
    int n = form_rows(q, rows, (int)(sizeof rows / sizeof rows[0]));
    int label_w = INPUT_LABEL, value_x = x + label_w, value_w = width - label_w;
    char line[4 * CAIRN_REVIEW_TEXT_BYTES / 3 + 64];
    if (height < 2 || value_w < 8)
        return;
    snprintf(line, sizeof line, "Reviewer · %s, version %lld, started by %s",
             q->frozen ? "signed elsewhere meanwhile" : "draft", (long long)q->review.version,
             tui_who(q->review.started_by, cairn_store_actor_login(app->store)));
    int hx = put(y, x, x + width, tui_attr(TUI_COLOR_HEADER), line);
    if (q->conflict) /* until a save goes through */
        hx = put(y, hx, x + width, tui_attr(TUI_COLOR_ERROR),
                 " · changed by someone else: w saves yours");
    int avail = height - 1, focus_row = 0;
    for (int i = 0; i < n; i++)
        if (rows[i].field == q->focus && !rows[i].error) {
            focus_row = i;
            break;
        }
    /* Keep the focused field, and the problem under it, in view. */
    int want_end = focus_row + (focus_row + 1 < n && rows[focus_row + 1].error ? 1 : 0);
    if (q->form_top > focus_row)
        q->form_top = focus_row;
    if (want_end >= q->form_top + avail)
        q->form_top = want_end - avail + 1;
    if (q->form_top > n - avail)
        q->form_top = n - avail > 0 ? n - avail : 0;
    if (q->form_top > 0 || q->form_top + avail < n)
        put(y, hx, x + width, tui_attr(TUI_COLOR_DIM),
            q->form_top + avail < n ? (q->form_top ? " · more \u2191\u2193" : " · more \u2193")
                                    : " · more \u2191");
    for (int r = 0; r < avail && q->form_top + r < n; r++) {
        const struct form_row *row = &rows[q->form_top + r];
        int yy = y + 1 + r, f = row->field;
        bool focused = f == q->focus;
        if (f < 0) {
            put(yy, x, x + width, tui_attr(TUI_COLOR_DIM), "Checklist");
            continue;
        }
        if (row->error) {
            snprintf(line, sizeof line, "! %s", q->errors[f]);
            attrset(tui_attr(TUI_COLOR_ERROR));
            tui_draw_text(yy, f >= F_CHECKS ? x + 2 : value_x, line,
                          f >= F_CHECKS ? width - 2 : value_w);
            attrset(A_NORMAL);
            continue;
        }
        attr_t value_attr = focused ? tui_attr(TUI_COLOR_SELECTED) : A_UNDERLINE;
        if (f >= F_CHECKS) {
            const struct cairn_review_check *c = &q->review.inputs.checks[f - F_CHECKS];
            snprintf(line, sizeof line, "[%s]", c->answer < 0 ? "   " : c->answer ? "yes" : "no ");
            attrset(focused ? tui_attr(TUI_COLOR_SELECTED) : A_NORMAL);
            tui_draw_text(yy, x + 1, line, 5);
            attrset(A_NORMAL);
            snprintf(line, sizeof line, "%d. %s", f - F_CHECKS + 1, c->item);
            tui_draw_text(yy, x + 7, line, width - 7);
            if (focused) {
                *cy = yy;
                *cx = x + 2;
            }
            continue;
        }
        const char *label =
            f == F_RISK ? "Risk" : cairn_review_field_title((enum cairn_review_field)(f - F_TEXT));
        put(yy, x, x + label_w - 1, tui_attr(TUI_COLOR_DIM), label);
        char value[sizeof line];
        if (f == F_RISK)
            snprintf(value, sizeof value, "%s",
                     q->editing && focused  ? q->risk_text
                     : q->errors[F_RISK][0] ? q->risk_text
                                            : cairn_risk_str(q->review.inputs.risk));
        else
            flatten(q->review.inputs.text[f - F_TEXT], value, sizeof value);
        const char *shown = q->editing && focused ? tail(value, value_w - 1) : value;
        attrset(value_attr);
        tui_draw_text(yy, value_x, shown, value_w);
        attrset(A_NORMAL);
        if (focused) {
            int w = q->editing ? (int)cairn_text_width(shown) : 0;
            *cy = yy;
            *cx = value_x + (w < value_w ? w : value_w - 1);
        }
    }
}

/* The keys line for the screen's state. */
static const char *keys_line(const struct tui_review_queue *q)
{
    if (q->confirming)
        return " y sign it   any other key: back to the form";
    if (q->editing && q->focus >= F_CHECKS)
        return " y yes  n no  Space clear  Enter/Tab next  \u2191 previous  Esc done";
    if (q->editing && q->focus == F_RISK)
        return " type l, m or h  Enter/Tab next  \u2191 previous  Esc done";
    if (q->editing)
        return " type  Enter/Tab next field  \u2191 previous  Esc done  ^U clear   (saved when "
               "left)";
    if (!q->loaded)
        return " n/p next/previous  Esc caseload  ? keys";
    return " Enter edit  S sign  n/p next/previous  w save  PgDn summary  Esc back  ? keys";
}

void tui_review_draw(struct tui_app *app)
{
    struct tui_review_queue *q = &app->reviews;
    const char *me = cairn_store_actor_login(app->store);
    char line[1024], scope[CAIRN_LOGIN_MAX + 32];
    int cy = 3, cx = 1;
    if (!q->clinician[0])
        snprintf(scope, sizeof scope, "everyone's patients");
    else if (me && !strcmp(q->clinician, me))
        snprintf(scope, sizeof scope, "your patients");
    else
        snprintf(scope, sizeof scope, "%s's patients", q->clinician);

    if (!q->n) {
        snprintf(line, sizeof line, " Review queue · %s", scope);
        attrset(tui_attr(TUI_COLOR_TITLE));
        tui_draw_text(0, 0, line, app->cols);
        attrset(A_NORMAL);
        tui_draw_text(2, 1, "No reviews are due: every active patient's week is signed.",
                      app->cols - 2);
        tui_draw_text(3, 1,
                      "The caseload's clinician filter (c) chooses whose reviews the queue holds.",
                      app->cols - 2);
        if (q->message[0])
            put(app->lines - 2, 1, app->cols - 1,
                tui_attr(q->problem ? TUI_COLOR_ERROR : TUI_COLOR_NORMAL), q->message);
        attrset(tui_attr(TUI_COLOR_STATUS_BAR));
        tui_draw_text(app->lines - 1, 0, " Esc caseload  ? keys", app->cols);
        attrset(A_NORMAL);
        move(2, 1);
        return;
    }
    const struct tui_queue_entry *e = &q->entries[q->k];
    snprintf(line, sizeof line, " Review queue · %d of %d%s · %s · %s", q->k + 1, q->n,
             q->more ? "+" : "", e->name, e->mrn);
    attrset(tui_attr(TUI_COLOR_TITLE));
    tui_draw_text(0, 0, line, app->cols);
    attrset(A_NORMAL);
    int x = 1;
    if (q->loaded)
        snprintf(line, sizeof line, "%s, %s to %s", e->week, q->review.snapshot.from,
                 q->review.snapshot.to);
    else
        snprintf(line, sizeof line, "%s", e->week);
    x = put(1, x, app->cols - 1, A_NORMAL, line);
    if (e->overdue) { /* not signed by the end of the following week */
        x = put(1, x, app->cols - 1, A_NORMAL, " · ");
        x = put(1, x, app->cols - 1, tui_attr(TUI_COLOR_RISK_HIGH), "OVERDUE");
    }
    snprintf(line, sizeof line, " · %s", scope);
    put(1, x, app->cols - 1, tui_attr(TUI_COLOR_DIM), line);

    bool wide = app->cols >= 110;
    int top = 3, bottom = app->lines - 3; /* the panes' rows, inclusive */
    int left_w = wide ? (app->cols - 3) / 2 : app->cols - 2;
    if (!q->loaded) {
        attrset(tui_attr(TUI_COLOR_ERROR));
        tui_draw_text(top, 1, q->load_error, app->cols - 2);
        attrset(A_NORMAL);
    } else {
        /* The form's height on a narrow terminal: what it needs, leaving
         * the summary at least 4 rows. */
        struct form_row rows[2 * (F_CHECKS + CAIRN_TEMPLATE_CHECKLIST_MAX) + 1];
        int form_h = 1 + form_rows(q, rows, (int)(sizeof rows / sizeof rows[0]));
        int panes = bottom - top + 1, most = panes - 8 > panes / 2 ? panes - 8 : panes / 2;
        if (!wide && form_h > most)
            form_h = most; /* the form scrolls to its focused field */
        int summary_rows = wide ? panes : panes - form_h - 1;
        tui_text_reset(&app->text, left_w);
        tui_review_snapshot_text(&app->text, &q->review);
        int last_top = app->text.n - summary_rows;
        if (q->summary_top > last_top)
            q->summary_top = last_top > 0 ? last_top : 0;
        bool more_below = q->summary_top + summary_rows < app->text.n;
        int x2 = put(2, 1, 1 + left_w, tui_attr(TUI_COLOR_HEADER),
                     "Summary, computed now (frozen when signed)");
        if (more_below || q->summary_top) {
            snprintf(line, sizeof line, " · lines %d-%d of %d, PgUp/PgDn", q->summary_top + 1,
                     q->summary_top + summary_rows, app->text.n);
            put(2, x2, 1 + left_w, tui_attr(TUI_COLOR_DIM), line);
        }
        tui_text_draw(&app->text, q->summary_top, top, 1, summary_rows);
        if (wide) {
            attrset(tui_attr(TUI_COLOR_DIM));
            for (int yy = 2; yy <= bottom; yy++)
                mvaddstr(yy, left_w + 2, "\u2502");
            attrset(A_NORMAL);
            draw_form(app, 2, left_w + 4, app->cols - left_w - 5, bottom - 1, &cy, &cx);
        } else {
            draw_form(app, bottom - form_h + 1, 1, app->cols - 2, form_h, &cy, &cx);
        }
    }
    if (q->confirming) {
        snprintf(line, sizeof line,
                 "Sign the review of %s for %s? A signed review never changes. y signs.", e->week,
                 e->name);
        attrset(tui_attr(TUI_COLOR_TITLE));
        tui_draw_text(app->lines - 2, 0, line, app->cols);
        attrset(A_NORMAL);
        int w = (int)cairn_text_width(line);
        cy = app->lines - 2;
        cx = w < app->cols ? w : app->cols - 1;
    } else if (q->loaded && q->editing && q->focus > F_RISK && q->focus < F_CHECKS &&
               !q->message[0]) {
        snprintf(line, sizeof line, "One line here; for more, Esc then :review edit %s --week %s",
                 e->mrn, e->week);
        put(app->lines - 2, 1, app->cols - 1, tui_attr(TUI_COLOR_DIM), line);
    } else if (q->message[0] || app->message[0]) {
        bool mine = q->message[0];
        attrset(tui_attr(mine && !q->problem ? TUI_COLOR_NORMAL : TUI_COLOR_ERROR));
        tui_draw_text(app->lines - 2, 1, mine ? q->message : app->message, app->cols - 2);
        attrset(A_NORMAL);
    }
    attrset(tui_attr(TUI_COLOR_STATUS_BAR));
    tui_draw_text(app->lines - 1, 0, keys_line(q), app->cols);
    attrset(A_NORMAL);
    move(cy, cx);
}

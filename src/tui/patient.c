/* The patient screen (overview). Opening it reads the full record, which
 * is audited. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tui/tui.h"

/* The tab the lines were built for: a tab is read from the store once when
 * it is shown (its reads are audited), not on every redraw. */
static int built_tab = -1;

void tui_patient_open(struct tui_app *app, const char *mrn)
{
    struct cairn_error err;
    if (cairn_patient_read(app->store, mrn, &app->patient, &err) != CAIRN_OK) {
        snprintf(app->message, sizeof app->message, "could not open the record: %s", err.message);
        return;
    }
    if (cairn_patient_care(app->store, app->patient.id, &app->care, &err) != CAIRN_OK) {
        memset(&app->care, 0, sizeof app->care);
        snprintf(app->message, sizeof app->message, "could not read the care plan: %s",
                 err.message);
    }
    app->nalerts = 0;
    if (cairn_alerts_for_patient(app->store, &app->patient, app->alerts, &app->nalerts, &err) !=
        CAIRN_OK)
        snprintf(app->message, sizeof app->message, "could not compute the alerts: %s",
                 err.message);
    built_tab = -1;                          /* read the tabs again */
    if (app->screen != TUI_SCREEN_PATIENT) { /* a new record opens on its overview */
        app->tab = 0;
        app->tab_top = 0;
    }
    app->previous = app->screen;
    app->screen = TUI_SCREEN_PATIENT;
}

/* The care admission set up: beside the record when the terminal is wide
 * enough, below it otherwise. `rows` is how many record rows were drawn. */
static void draw_care(struct tui_app *app, int rows)
{
    const struct cairn_care *c = &app->care;
    bool beside = app->cols >= 110;
    int x = beside ? 64 : 2, y = beside ? 3 : 3 + rows + 1, width = app->cols - x - 1;
    char line[512];
    if (y >= app->lines - 1 || width < 20)
        return;
    attrset(tui_attr(TUI_COLOR_HEADER));
    tui_draw_text(y++, x, "Care", width);
    attrset(A_NORMAL);
    if (!c->plan_id) {
        tui_draw_text(y, x, "No program: admitted without one", width);
        return;
    }
    snprintf(line, sizeof line, "Plan: %s, revision %d, %zu sections", c->plan_status,
             c->plan_revision, c->nsections);
    tui_draw_text(y++, x, line, width);
    for (size_t i = 0; i < c->nladders && y < app->lines - 2; i++) {
        const struct cairn_care_ladder *l = &c->ladders[i];
        snprintf(line, sizeof line, "Ladder: %s, %zu of %zu steps mastered", l->name,
                 cairn_care_mastered(l), l->nsteps);
        tui_draw_text(y++, x, line, width);
    }
    if (c->nreviews && y < app->lines - 1) {
        size_t due = 0;
        for (size_t i = 0; i < c->nreviews; i++)
            due += strcmp(c->reviews[i].status, "due") == 0;
        snprintf(line, sizeof line, "Reviews: %zu weekly, %s to %s, %zu due", c->nreviews,
                 c->reviews[0].week, c->reviews[c->nreviews - 1].week, due);
        tui_draw_text(y++, x, line, width);
    }
    /* Alerts: the severity is written out, so meaning never rests on colour. */
    for (size_t i = 0; i < app->nalerts && y < app->lines - 1; i++) {
        const struct cairn_alert *a = &app->alerts[i];
        if (i == 0) {
            attrset(tui_attr(TUI_COLOR_HEADER));
            tui_draw_text(++y, x, "Alerts", width);
            y++;
        }
        attrset(a->severity == CAIRN_SEVERITY_URGENT    ? tui_attr(TUI_COLOR_RISK_HIGH)
                : a->severity == CAIRN_SEVERITY_WARNING ? tui_attr(TUI_COLOR_RISK_MODERATE)
                                                        : A_NORMAL);
        snprintf(line, sizeof line, "%s %s%s",
                 a->severity == CAIRN_SEVERITY_URGENT    ? "URGENT"
                 : a->severity == CAIRN_SEVERITY_WARNING ? "warning"
                                                         : "info",
                 a->reason, a->acknowledged ? " (acknowledged)" : "");
        tui_draw_text(y++, x, line, width);
        attrset(A_NORMAL);
    }
}

enum tab {
    TAB_OVERVIEW,
    TAB_PLAN,
    TAB_SAFETY,
    TAB_LADDERS,
    TAB_SESSIONS,
    TAB_MEASURES,
    TAB_REVIEWS,
    TAB_AUDIT
};
static const char *const tab_names[] = {"Overview", "Plan",     "Safety",  "Ladders",
                                        "Sessions", "Measures", "Reviews", "Audit"};
#define NTABS ((int)(sizeof tab_names / sizeof tab_names[0]))

/* The lines of a long tab, drawn from app->tab_top. */
#define TAB_LINES 512
static char tab_lines[TAB_LINES][256];
static int ntab_lines;

static void add_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void add_line(const char *fmt, ...)
{
    if (ntab_lines == TAB_LINES)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tab_lines[ntab_lines++], sizeof tab_lines[0], fmt, ap);
    va_end(ap);
}

static int audit_line(const struct cairn_audit_entry *e, void *ctx)
{
    (void)ctx;
    add_line("%s  %-8s %-7s %-8s %-8lld %-8s %s", e->at, e->login, e->action, e->entity,
             (long long)e->entity_id, e->outcome, e->fields);
    return 0;
}

/* Plan and Safety: the head revision, section by section (the read is
 * audited); `:plan edit MRN` or `:safety edit MRN` changes it. */
static void plan_lines(struct tui_app *app, enum cairn_plan_kind kind)
{
    struct cairn_error err;
    struct cairn_plan *p = cairn_plan_new(kind);
    char line[4 * CAIRN_PLAN_TEXT_MAX + 4 * 3 * CAIRN_PLAN_SHORT_MAX + 256];
    if (!p) {
        add_line("out of memory");
        return;
    }
    enum cairn_status rc = cairn_plan_read(app->store, kind, app->patient.id, 0, p, &err);
    if (rc == CAIRN_ERR_NOT_FOUND) {
        add_line("No plan: the patient was not admitted to a program.");
    } else if (rc != CAIRN_OK) {
        add_line("could not read the plan: %s", err.message);
    } else {
        if (kind == CAIRN_PLAN_SAFETY)
            add_line("Safety plan (Stanley-Brown method), revision %d", p->revision);
        else
            add_line("Relapse-prevention and reintegration plan: revision %d, %s%s%s, next "
                     "review %s",
                     p->revision, p->status, p->signed_by[0] ? ", signed by " : "", p->signed_by,
                     p->next_review_date[0] ? p->next_review_date : "not set");
        add_line(":%s edit %s changes it in your editor",
                 kind == CAIRN_PLAN_SAFETY ? "safety" : "plan", app->patient.mrn);
        for (size_t i = 0; i < p->nparts; i++) {
            const struct cairn_plan_part *part = &p->parts[i];
            add_line("%s", "");
            add_line("%s", cairn_plan_part_title(kind, part->section));
            if (!part->nitems)
                add_line("  (none)");
            for (size_t k = 0; k < part->nitems; k++) {
                cairn_plan_item_line(kind, part->section, &part->items[k], line, sizeof line);
                add_line("  %zu. %s", k + 1, line);
            }
        }
    }
    cairn_plan_free(&p);
}

/* Ladders: each step with its status, attempts and peaks, an arrow at the
 * next step, the rule that decided it, shape warnings, and the attempts'
 * SUDS. */
static int attempt_line(const struct cairn_ladder_attempt *a, void *ctx)
{
    (void)ctx;
    add_line("    %s  step %-2d  SUDS %3d > peak %3d > %3d  %s", a->date, a->step_position,
             a->suds_before, a->suds_peak, a->suds_after, cairn_attempt_setting_str(a->setting));
    return 0;
}

static int ladder_lines(const struct cairn_ladder *l, void *ctx)
{
    struct tui_app *app = ctx;
    struct cairn_error err;
    if (ntab_lines)
        add_line("%s", "");
    add_line("%d. %s (SUDS 0-%d, %s%s), %zu mastered, %d attempts", l->position, l->name, l->scale,
             l->retired ? "retired" : "active", "", cairn_ladder_mastered(l), l->attempts);
    add_line("   #  SUDS  STATUS       TRIES  PEAKS    STEP");
    for (size_t i = 0; i < l->nsteps; i++) {
        const struct cairn_ladder_step *st = &l->steps[i];
        char peaks[24] = "";
        if (st->attempts == 1)
            snprintf(peaks, sizeof peaks, "%d", st->last_peak);
        else if (st->attempts > 1)
            snprintf(peaks, sizeof peaks, "%d>%d", st->first_peak, st->last_peak);
        add_line("%s %2d  %4d  %-11s  %5d  %-7s  %s", (int)i == l->next ? ">" : " ", st->position,
                 st->suds, st->retired ? "retired" : cairn_step_status_str(st->status),
                 st->attempts, peaks, st->text);
    }
    if (l->next >= 0)
        add_line("  next: step %d; %s", l->steps[l->next].position,
                 l->steps[l->next].mastery.reason);
    struct cairn_ladder_warning w[CAIRN_LADDER_WARNINGS_MAX];
    size_t nw = cairn_ladder_warnings(l, w, CAIRN_LADDER_WARNINGS_MAX);
    for (size_t i = 0; i < nw; i++)
        add_line("  ! %s", w[i].text);
    if (l->attempts) {
        add_line("  attempts:");
        if (cairn_ladder_attempts(app->store, l->id, attempt_line, NULL, &err) != CAIRN_OK)
            add_line("  could not read the attempts: %s", err.message);
    }
    return 0;
}

/* Sessions: attendance per ISO week against the program's minimum, then
 * every session line, newest first. */
static int session_line(const struct cairn_attendance_row *r, void *ctx)
{
    (void)ctx;
    add_line("  %s %-5s  %-10s %-24.24s %3d min  %-8s %3d", r->session.date, r->session.start,
             cairn_session_type_str(r->session.type), r->session.title, r->session.minutes,
             cairn_attendance_str(r->status), r->minutes_attended);
    return 0;
}

static void session_lines(struct tui_app *app)
{
    const struct cairn_patient *p = &app->patient;
    struct cairn_error err;
    int32_t from, to = cairn_store_today(app->store), left;
    if (!*p->admission_date || cairn_date_parse(p->admission_date, &from, NULL) != CAIRN_OK) {
        add_line("Not admitted: no attendance.");
        return;
    }
    if (*p->discharge_date && cairn_date_parse(p->discharge_date, &left, NULL) == CAIRN_OK &&
        left < to)
        to = left;
    add_line("WEEK      HOURS / MIN   DAYS / MIN  SESSIONS  ABSENT  EXCUSED  LATE  MINIMUM");
    for (int32_t monday = from - (cairn_date_weekday(from) - 1); monday <= to; monday += 7) {
        int year, week;
        struct cairn_attendance_week w;
        char label[CAIRN_WEEK_LEN + 1];
        cairn_date_isoweek(monday, &year, &week);
        cairn_isoweek_format(year, week, label);
        if (cairn_attendance_week_load(app->store, p->id, year, week, &w, &err) != CAIRN_OK) {
            add_line("could not read attendance: %s", err.message);
            return;
        }
        add_line("%s  %5.1f / %-5.1f %4d / %-4d %8d  %6d  %7d  %4d  %s", label,
                 w.minutes_attended / 60.0, w.min_minutes / 60.0, w.days_attended, w.min_days,
                 w.sessions, w.absent, w.excused, w.late,
                 w.meets_hours && w.meets_days ? "met"
                 : !w.complete                 ? "so far"
                                               : "BELOW");
    }
    add_line("%s", "");
    add_line("Sessions, newest first:");
    int first = ntab_lines;
    if (cairn_attendance_list(app->store, p->id, from, to, session_line, NULL, &err) != CAIRN_OK)
        add_line("could not read attendance: %s", err.message);
    for (int i = first, j = ntab_lines - 1; i < j; i++, j--) {
        char t[sizeof tab_lines[0]];
        memcpy(t, tab_lines[i], sizeof t);
        memcpy(tab_lines[i], tab_lines[j], sizeof t);
        memcpy(tab_lines[j], t, sizeof t);
    }
}

/* Measures: per instrument, one bar per score in date order over a scale
 * with the band thresholds drawn (│), then the labels. */
static int measure_entry(const struct cairn_measure_entry *e, void *ctx)
{
    const struct cairn_instrument_def *def = cairn_instrument_get(e->m.instrument);
    int *which = ctx;
    if (!def || (int)e->m.instrument != *which)
        return 0;
    int top = def->max * (int)def->nitems, scale = top <= 30 ? 2 : 1;
    char bar[512] = "";
    size_t used = 0;
    for (int v = 0; v < top && used + 4 < sizeof bar && !def->yes_no; v++) {
        bool edge = false;
        for (size_t b = 1; b < def->nbands; b++)
            edge |= def->bands[b].lo == v;
        for (int k = 0; k < scale; k++) {
            const char *c = v < e->m.score.total ? "\u2588" : edge && k == 0 ? "\u2502" : " ";
            used += (size_t)snprintf(bar + used, sizeof bar - used, "%s", c);
        }
    }
    char change[64] = "";
    if (!e->baseline)
        snprintf(change, sizeof change, " (%+d)", e->m.score.total - e->baseline_total);
    add_line("%s %3d %s%s%s%s", e->m.date, e->m.score.total, bar, *bar ? " " : "", e->m.score.band,
             change);
    for (size_t l = 0; l < e->change.nlabels; l++)
        add_line("%15s%s", "", e->change.labels[l].text);
    for (int f = 0; f < CAIRN_MEASURE_FLAG__COUNT; f++)
        if (e->m.score.flags & (1u << f))
            add_line("%15s! %s", "", e->m.score.flag_text[f]);
    return 0;
}

static void measure_lines(struct tui_app *app)
{
    struct cairn_error err;
    for (int i = 0; i < CAIRN_INSTRUMENT__COUNT; i++) {
        const struct cairn_instrument_def *def = cairn_instrument_get((enum cairn_instrument)i);
        int before = ntab_lines;
        if (!def)
            continue;
        add_line("%s: %s", def->title, def->about);
        if (def->nbands && !def->yes_no) {
            /* The scale under the bars: each band's first value. */
            int top = def->max * (int)def->nitems, scale = top <= 30 ? 2 : 1;
            char axis[256];
            memset(axis, ' ', sizeof axis);
            int width = top * scale + 1;
            for (size_t b = 0; b < def->nbands; b++) {
                char num[8];
                int n = snprintf(num, sizeof num, "%d", def->bands[b].lo);
                memcpy(axis + def->bands[b].lo * scale, num, (size_t)n);
            }
            axis[width < 250 ? width : 250] = '\0';
            add_line("%15s%s (bands: %s)", "", axis, def->band_rule);
        }
        int header = ntab_lines;
        if (cairn_measure_list(app->store, app->patient.id, true, (enum cairn_instrument)i,
                               measure_entry, &i, &err) != CAIRN_OK) {
            add_line("could not read measures: %s", err.message);
            return;
        }
        if (ntab_lines == header)
            ntab_lines = before; /* nothing recorded: leave the instrument out */
        else
            add_line("%s", "");
    }
    if (!ntab_lines)
        add_line("No measures recorded.");
}

static int review_line(const struct cairn_review_line *l, void *ctx)
{
    (void)ctx;
    add_line("%-9s %-9s %-9s %-20.20s %-20.20s %d", l->week, cairn_review_status_str(l->status),
             l->risk == CAIRN_RISK_UNSET ? "-" : cairn_risk_str(l->risk),
             l->signed_by[0] ? l->signed_by : "-", l->cosigned_by[0] ? l->cosigned_by : "-",
             l->addenda);
    return 0;
}

static void build_tab(struct tui_app *app)
{
    if (built_tab == app->tab)
        return;
    built_tab = app->tab;
    ntab_lines = 0;
    switch (app->tab) {
    case TAB_PLAN:
        plan_lines(app, CAIRN_PLAN_RELAPSE);
        break;
    case TAB_SAFETY:
        plan_lines(app, CAIRN_PLAN_SAFETY);
        break;
    case TAB_LADDERS: {
        struct cairn_error err;
        if (cairn_ladder_list(app->store, app->patient.id, true, ladder_lines, app, &err) !=
            CAIRN_OK)
            add_line("could not read the ladders: %s", err.message);
        else if (!ntab_lines)
            add_line("No exposure ladders.");
        break;
    }
    case TAB_SESSIONS:
        session_lines(app);
        break;
    case TAB_MEASURES:
        measure_lines(app);
        break;
    case TAB_REVIEWS: {
        struct cairn_error err;
        add_line("%-9s %-9s %-9s %-20s %-20s %s", "WEEK", "STATUS", "RISK", "SIGNED BY",
                 "CO-SIGNED BY", "ADDENDA");
        if (cairn_review_list(app->store, app->patient.id, review_line, NULL, &err) != CAIRN_OK)
            add_line("could not read the reviews: %s", err.message);
        else if (ntab_lines == 1)
            ntab_lines = 0, add_line("No reviews scheduled.");
        else
            add_line("%s", ""),
                add_line("Show one with :review show %s --week WEEK.", app->patient.mrn);
        break;
    }
    case TAB_AUDIT: {
        struct cairn_audit_filter f = {.patient_id = app->patient.id, .limit = TAB_LINES - 2};
        struct cairn_error err;
        add_line("%-20s  %-8s %-7s %-8s %-8s %-8s %s", "AT (UTC)", "LOGIN", "ACTION", "ENTITY",
                 "ID", "OUTCOME", "FIELDS");
        if (cairn_audit_list(app->store, &f, audit_line, NULL, &err) != CAIRN_OK)
            add_line("could not read the audit trail: %s", err.message);
        break;
    }
    default:
        break;
    }
}

static void draw_tabs(struct tui_app *app)
{
    int x = 0;
    for (int i = 0; i < NTABS && x < app->cols; i++) {
        char label[32];
        snprintf(label, sizeof label, " %s ", tab_names[i]);
        int w = (int)strlen(label);
        attrset(i == app->tab ? tui_attr(TUI_COLOR_SELECTED) : tui_attr(TUI_COLOR_HEADER));
        tui_draw_text(1, x, label, w < app->cols - x ? w : app->cols - x);
        x += w + 1;
    }
    attrset(A_NORMAL);
}

static void draw_overview(struct tui_app *app);

void tui_patient_draw(struct tui_app *app)
{
    const struct cairn_patient *p = &app->patient;
    char title[512];
    snprintf(title, sizeof title, " %s · %s · %s", p->legal_name, p->mrn,
             cairn_patient_status_str(p->status));
    attrset(tui_attr(TUI_COLOR_TITLE));
    tui_draw_text(0, 0, title, app->cols);
    draw_tabs(app);
    if (app->tab == 0) {
        draw_overview(app);
        return;
    }
    build_tab(app);
    int rows = app->lines - 4;
    if (app->tab_top > ntab_lines - rows)
        app->tab_top = ntab_lines - rows > 0 ? ntab_lines - rows : 0;
    for (int i = 0; i < rows && app->tab_top + i < ntab_lines; i++)
        tui_draw_text(3 + i, 1, tab_lines[app->tab_top + i], app->cols - 2);
    tui_draw_status_bar(app);
    move(3, 1);
}

static void draw_overview(struct tui_app *app)
{
    const struct cairn_patient *p = &app->patient;
    char version[32];
    snprintf(version, sizeof version, "%lld", (long long)p->version);
    const struct {
        const char *label, *value;
    } rows[] = {
        {"Preferred name", p->preferred_name},
        {"Date of birth", p->dob},
        {"Pronouns", p->pronouns},
        {"Phone", p->phone},
        {"Emergency contact", p->emergency_contact},
        {"Program", p->program_code},
        {"Admitted", p->admission_date},
        {"Expected discharge", p->expected_discharge_date},
        {"Discharged", p->discharge_date},
        {"Discharge reason", p->discharge_reason},
        {"Therapist", p->therapist_login},
        {"Case manager", p->case_manager_login},
        {"Peer mentor", p->peer_mentor_login},
        {"Risk", cairn_risk_str(p->risk)},
        {"Risk set by", p->risk_set_by},
        {"Tags", p->tags},
        {"Version", version},
    };
    int n = (int)(sizeof rows / sizeof rows[0]);
    for (int i = 0; i < n && 3 + i < app->lines - 1; i++) {
        attrset(tui_attr(TUI_COLOR_DIM));
        tui_draw_text(3 + i, 2, rows[i].label, 20);
        attrset(A_NORMAL);
        tui_draw_text(3 + i, 22, rows[i].value[0] ? rows[i].value : "-", app->cols - 22);
    }
    draw_care(app, n);
    tui_draw_status_bar(app);
    move(3, 22);
}

void tui_patient_key(struct tui_app *app, int key)
{
    enum tui_action a = tui_key_action(key);
    if (a == TUI_NEXT_TAB || a == TUI_PREV_TAB) {
        app->tab = (app->tab + (a == TUI_NEXT_TAB ? 1 : NTABS - 1)) % NTABS;
        app->tab_top = 0;
    } else if (a == TUI_DOWN) {
        app->tab_top++; /* clamped when drawn */
    } else if (a == TUI_UP && app->tab_top > 0) {
        app->tab_top--;
    } else if (a == TUI_PAGE_DOWN) {
        app->tab_top += app->lines - 4;
    } else if (a == TUI_PAGE_UP) {
        app->tab_top = app->tab_top > app->lines - 4 ? app->tab_top - (app->lines - 4) : 0;
    } else if (a == TUI_LOG_ATTEMPT) {
        tui_form_open(app, TUI_FORM_ATTEMPT);
    } else if (a == TUI_LOG_MEASURE) {
        tui_form_open(app, TUI_FORM_MEASURE);
    } else if (a == TUI_ADD_ITEM) {
        tui_form_open(app, TUI_FORM_PLAN_ITEM);
    } else if (a == TUI_EDIT_RECORD) {
        tui_form_open(app, TUI_FORM_RECORD);
    } else if (a == TUI_LOG_LAPSE) {
        tui_form_open(app, TUI_FORM_LAPSE);
    } else if (a == TUI_LOG_SESSION) {
        tui_form_open(app, TUI_FORM_SESSION);
    } else if (a == TUI_BACK) {
        app->screen = TUI_SCREEN_CASELOAD;
        app->caseload.urgent_read = false;
        tui_caseload_reload(app); /* what was entered shows in the rows and alerts */
    } else if (a == TUI_HELP) {
        app->previous = app->screen;
        app->screen = TUI_SCREEN_HELP;
    }
}

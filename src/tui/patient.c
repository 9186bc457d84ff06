/* The patient screen (overview). Opening it reads the full record, which
 * is audited. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tui/tui.h"

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
        tui_draw_text(y, x, line, width);
    }
}

static const char *const tab_names[] = {"Overview", "Plan", "Ladders", "Reviews", "Audit"};
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

static void build_tab(struct tui_app *app)
{
    const struct cairn_care *c = &app->care;
    ntab_lines = 0;
    switch (app->tab) {
    case 1:
        if (!c->plan_id) {
            add_line("No plan: the patient was not admitted to a program.");
            break;
        }
        add_line("Relapse-prevention and reintegration plan: %s, revision %d", c->plan_status,
                 c->plan_revision);
        add_line("%s", "");
        for (size_t i = 0; i < c->nsections; i++)
            add_line("%-24s %s (empty)", cairn_plan_section_title(c->sections[i]),
                     cairn_plan_section_str(c->sections[i]));
        break;
    case 2:
        if (!c->nladders)
            add_line("No exposure ladders.");
        for (size_t i = 0; i < c->nladders; i++) {
            const struct cairn_care_ladder *l = &c->ladders[i];
            if (i)
                add_line("%s", "");
            add_line("%s (SUDS 0-%d, %s)", l->name, l->scale, l->status);
            for (size_t j = 0; j < l->nsteps; j++)
                add_line("  %3d  %-12s %s", l->steps[j].suds, l->steps[j].status, l->steps[j].text);
        }
        break;
    case 3:
        if (!c->nreviews)
            add_line("No reviews scheduled.");
        for (size_t i = 0; i < c->nreviews; i++)
            add_line("%s  %s", c->reviews[i].week, c->reviews[i].status);
        break;
    case 4: {
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
    } else if (a == TUI_BACK)
        app->screen = TUI_SCREEN_CASELOAD;
    else if (a == TUI_HELP) {
        app->previous = app->screen;
        app->screen = TUI_SCREEN_HELP;
    }
}

/* The patient screen (overview). Opening it reads the full record, which
 * is audited. */
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
        size_t mastered = 0;
        for (size_t j = 0; j < l->nsteps; j++)
            mastered += strcmp(l->steps[j].status, "mastered") == 0;
        snprintf(line, sizeof line, "Ladder: %s, %zu of %zu steps mastered", l->name, mastered,
                 l->nsteps);
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

void tui_patient_draw(struct tui_app *app)
{
    const struct cairn_patient *p = &app->patient;
    char title[512], version[32];
    snprintf(title, sizeof title, " %s · %s · %s", p->legal_name, p->mrn,
             cairn_patient_status_str(p->status));
    snprintf(version, sizeof version, "%lld", (long long)p->version);
    attrset(tui_attr(TUI_COLOR_TITLE));
    tui_draw_text(0, 0, title, app->cols);
    attrset(tui_attr(TUI_COLOR_HEADER));
    tui_draw_text(1, 0, "Overview", app->cols);
    attrset(A_NORMAL);
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
    if (a == TUI_BACK)
        app->screen = TUI_SCREEN_CASELOAD;
    else if (a == TUI_HELP) {
        app->previous = app->screen;
        app->screen = TUI_SCREEN_HELP;
    }
}

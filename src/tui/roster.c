/* The roster screen: a case manager takes a group's attendance in one go.
 * The patients are those the caseload shows (filter it by program or
 * clinician first); each is marked present, late (with the minutes they
 * were there), absent or excused, or left off. Enter logs the session and
 * every marked line in one transaction (cairn_session_log); a problem is
 * shown at the field or on the patient's row it is about, and nothing that
 * was marked or typed is lost, also when the screen is left with Esc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui.h"

enum { R_TITLE, R_TYPE, R_DATE, R_START, R_MINUTES, R_FIELDS };

static const char *const labels[R_FIELDS] = {"Title", "Type", "Date", "Start", "Minutes"};

/* A mark's letter on screen and the status it logs. */
static const struct {
    char letter;
    enum cairn_attendance_status status;
} marks[] = {{' ', CAIRN_ATTENDED},
             {'P', CAIRN_ATTENDED},
             {'L', CAIRN_LATE},
             {'A', CAIRN_ABSENT},
             {'E', CAIRN_EXCUSED}};

void tui_roster_open(struct tui_app *app)
{
    struct tui_roster *r = &app->roster;
    const struct tui_caseload *c = &app->caseload;
    if (!r->draft) {
        memset(r, 0, sizeof *r);
        cairn_date_format(cairn_store_today(app->store), r->fields[R_DATE]);
        snprintf(r->fields[R_TITLE], sizeof r->fields[R_TITLE], "Group");
        snprintf(r->fields[R_TYPE], sizeof r->fields[R_TYPE], "group");
        snprintf(r->fields[R_MINUTES], sizeof r->fields[R_MINUTES], "180");
        for (int i = 0; i < c->nrows && r->nrows < TUI_PAGE_MAX; i++) {
            const struct cairn_patient *p = &c->rows[i];
            if (p->status != CAIRN_PATIENT_ACTIVE && p->status != CAIRN_PATIENT_ON_HOLD)
                continue;
            struct tui_roster_row *row = &r->rows[r->nrows++];
            snprintf(row->mrn, sizeof row->mrn, "%s", p->mrn);
            snprintf(row->name, sizeof row->name, "%s", p->legal_name);
        }
        r->focus = R_FIELDS; /* start on the list: the header has defaults */
        r->draft = true;
    }
    r->message[0] = '\0';
    app->screen = TUI_SCREEN_ROSTER;
}

/* Logs the session; false with the problem shown when refused. */
static bool save(struct tui_app *app)
{
    struct tui_roster *r = &app->roster;
    struct cairn_session ses;
    struct cairn_error err;
    struct cairn_roster_entry *roster = calloc(TUI_PAGE_MAX, sizeof *roster);
    size_t n = 0;
    bool ok = false;
    memset(&ses, 0, sizeof ses);
    memset(r->field_error, 0, sizeof r->field_error);
    r->error_row = -1;
    if (!roster) {
        snprintf(r->message, sizeof r->message, "out of memory");
        return false;
    }
    ses.telehealth = true;
    char *end = NULL;
    long minutes = strtol(r->fields[R_MINUTES], &end, 10);
    if (!r->fields[R_MINUTES][0] || *end || minutes < 1 || minutes > CAIRN_SESSION_MINUTES_MAX) {
        snprintf(r->field_error[R_MINUTES], sizeof r->field_error[R_MINUTES],
                 "a whole number of minutes, 1 to %d", CAIRN_SESSION_MINUTES_MAX);
        r->focus = R_MINUTES;
        goto out;
    }
    ses.minutes = (int)minutes;
    if (cairn_session_type_parse(r->fields[R_TYPE], &ses.type, &err) != CAIRN_OK) {
        snprintf(r->field_error[R_TYPE], sizeof r->field_error[R_TYPE], "%.200s", err.message);
        r->focus = R_TYPE;
        goto out;
    }
    if (strlen(r->fields[R_DATE]) >= sizeof ses.date ||
        strlen(r->fields[R_START]) >= sizeof ses.start ||
        strlen(r->fields[R_TITLE]) >= sizeof ses.title) {
        snprintf(r->message, sizeof r->message, "a field is too long");
        goto out;
    }
    memcpy(ses.date, r->fields[R_DATE], strlen(r->fields[R_DATE]) + 1);
    memcpy(ses.start, r->fields[R_START], strlen(r->fields[R_START]) + 1);
    memcpy(ses.title, r->fields[R_TITLE], strlen(r->fields[R_TITLE]) + 1);
    for (int i = 0; i < r->nrows; i++) {
        const struct tui_roster_row *row = &r->rows[i];
        if (!row->mark)
            continue;
        struct cairn_roster_entry *e = &roster[n++];
        memcpy(e->mrn, row->mrn, sizeof e->mrn);
        e->status = marks[row->mark].status;
        e->minutes_attended = e->status == CAIRN_LATE ? atoi(row->late) : -1;
    }
    if (cairn_session_log(app->store, &ses, roster, n, &err) != CAIRN_OK) {
        static const char *const pointers[R_FIELDS] = {"title", "type", "date", "start", "minutes"};
        for (int i = 0; i < R_FIELDS; i++)
            if (!strcmp(err.pointer, pointers[i])) {
                snprintf(r->field_error[i], sizeof r->field_error[i], "%.200s", err.message);
                r->focus = i;
                goto out;
            }
        /* About one patient: the message names the MRN; put the cursor there. */
        for (int i = 0; i < r->nrows; i++)
            if (r->rows[i].mark && strstr(err.message, r->rows[i].mrn)) {
                r->error_row = i;
                r->cursor = i;
                r->focus = R_FIELDS;
                break;
            }
        snprintf(r->message, sizeof r->message, "%.250s", err.message);
        goto out;
    }
    int counts[CAIRN_ATTENDANCE__COUNT] = {0};
    for (size_t i = 0; i < n; i++)
        counts[roster[i].status]++;
    snprintf(app->message, sizeof app->message,
             "logged session %lld: %d attended, %d late, %d absent, %d excused", (long long)ses.id,
             counts[CAIRN_ATTENDED], counts[CAIRN_LATE], counts[CAIRN_ABSENT],
             counts[CAIRN_EXCUSED]);
    ok = true;
out:
    free(roster);
    return ok;
}

void tui_roster_key(struct tui_app *app, int key, bool is_char)
{
    struct tui_roster *r = &app->roster;
    enum tui_action a = is_char ? TUI_NONE : tui_key_action(key);
    if (is_char && key == '\t')
        a = TUI_NEXT_TAB;
    if (a == TUI_NEXT_TAB || a == TUI_PREV_TAB) {
        r->focus = (r->focus + (a == TUI_NEXT_TAB ? 1 : R_FIELDS)) % (R_FIELDS + 1);
        return;
    }
    if (is_char && (key == '\r' || key == '\n')) {
        if (save(app)) {
            r->draft = false;
            char message[sizeof app->message];
            memcpy(message, app->message, sizeof message);
            app->screen = TUI_SCREEN_CASELOAD;
            app->caseload.loaded = false;
            app->caseload.urgent_read = false;
            memcpy(app->message, message, sizeof message);
        }
        return;
    }
    if (is_char && key == 27) {
        app->screen = TUI_SCREEN_CASELOAD;
        snprintf(app->message, sizeof app->message, "roster not logged; R comes back to it");
        return;
    }
    if (r->focus < R_FIELDS) {
        if (tui_line_key(r->fields[r->focus], sizeof r->fields[r->focus], key, is_char) ==
            TUI_LINE_EDITED)
            r->field_error[r->focus][0] = '\0';
        return;
    }
    /* The list. */
    if (r->nrows == 0)
        return;
    struct tui_roster_row *row = &r->rows[r->cursor];
    if (!is_char && (key == KEY_DOWN || key == KEY_UP)) {
        r->cursor += key == KEY_DOWN ? (r->cursor + 1 < r->nrows) : -(r->cursor > 0);
        return;
    }
    if (!is_char)
        return;
    switch (key) {
    case 'j':
        r->cursor += r->cursor + 1 < r->nrows;
        return;
    case 'k':
        r->cursor -= r->cursor > 0;
        return;
    case 'p':
    case 'l':
    case 'a':
    case 'e':
        row->mark = key == 'p' ? 1 : key == 'l' ? 2 : key == 'a' ? 3 : 4;
        if (r->error_row == r->cursor)
            r->error_row = -1;
        /* Marking moves on, as a register is taken top to bottom. */
        if (key != 'l' && r->cursor + 1 < r->nrows)
            r->cursor++;
        return;
    case ' ':
    case '-':
        row->mark = 0;
        return;
    default:
        if (row->mark == 2)
            tui_line_key(row->late, sizeof row->late, key, is_char);
        else if (key == 127 || key == 8)
            row->mark = 0;
    }
}

void tui_roster_draw(struct tui_app *app)
{
    struct tui_roster *r = &app->roster;
    char line[512];
    int cursor_y = 2, cursor_x = 0;
    attrset(tui_attr(TUI_COLOR_TITLE));
    tui_draw_text(0, 0, " Take a roster · the patients shown on the caseload", app->cols);
    attrset(A_NORMAL);
    for (int i = 0; i < R_FIELDS; i++) {
        int y = 2 + i;
        attrset(tui_attr(TUI_COLOR_DIM));
        tui_draw_text(y, 1, labels[i], 9);
        attrset(r->focus == i ? tui_attr(TUI_COLOR_SELECTED) : A_UNDERLINE);
        tui_draw_text(y, 11, r->fields[i], 30);
        attrset(r->field_error[i][0] ? tui_attr(TUI_COLOR_ERROR) : A_NORMAL);
        if (r->field_error[i][0]) {
            snprintf(line, sizeof line, "! %s", r->field_error[i]);
            tui_draw_text(y, 43, line, app->cols - 44);
        }
        attrset(A_NORMAL);
        if (r->focus == i) {
            cursor_y = y;
            size_t w = cairn_text_width(r->fields[i]);
            cursor_x = 11 + (int)(w < 29 ? w : 29);
        }
    }
    int top = 2 + R_FIELDS + 1, rows = app->lines - top - 2;
    attrset(tui_attr(TUI_COLOR_HEADER));
    tui_draw_text(top, 0, "  MARK  MRN          NAME", app->cols);
    attrset(A_NORMAL);
    int first = r->cursor >= rows ? r->cursor - rows + 1 : 0;
    for (int i = first; i < r->nrows && i - first < rows; i++) {
        const struct tui_roster_row *row = &r->rows[i];
        char late[40] = "";
        if (row->mark == 2)
            snprintf(late, sizeof late, "  late: %s min", row->late[0] ? row->late : "?");
        snprintf(line, sizeof line, "%s [%c]  %-12s %s%s%s", i == r->error_row ? "!" : " ",
                 marks[row->mark].letter, row->mrn, row->name, late,
                 i == r->error_row ? "  <- see below" : "");
        attrset(r->focus == R_FIELDS && i == r->cursor ? tui_attr(TUI_COLOR_SELECTED) : A_NORMAL);
        tui_draw_text(top + 1 + i - first, 0, line, app->cols);
        attrset(A_NORMAL);
        if (r->focus == R_FIELDS && i == r->cursor) {
            cursor_y = top + 1 + i - first;
            cursor_x = 3;
        }
    }
    if (!r->nrows)
        tui_draw_text(top + 1, 2, "No patient in care on the caseload: change its filters first.",
                      app->cols - 2);
    tui_draw_footer(app, r->message,
                    " p present  l late (type minutes)  a absent  e excused  Space clear  Tab "
                    "fields  Enter log  Esc leave (kept)");
    move(cursor_y, cursor_x);
}

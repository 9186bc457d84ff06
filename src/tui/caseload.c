/* The caseload screen: one row per patient, paged from the store with
 * keyset queries so scrolling costs one small query however large the
 * caseload is. */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/tui.h"

static const char *const status_views[] = {"in care", "all", "discharged"};

static const struct {
    const char *label;
    uint32_t mask;
} risk_views[] = {
    {"", 0},
    {"high", 1u << CAIRN_RISK_HIGH},
    {"moderate or high", (1u << CAIRN_RISK_MODERATE) | (1u << CAIRN_RISK_HIGH)},
    {"low", 1u << CAIRN_RISK_LOW},
    {"none recorded", 1u << CAIRN_RISK_UNSET},
};
#define RISK_VIEWS ((int)(sizeof risk_views / sizeof risk_views[0]))

/* Screen lines the pinned urgent alerts take: up to two, and a line
 * counting the rest. */
static int pinned_lines(const struct tui_caseload *c)
{
    return (int)c->npinned + (c->nurgent > c->npinned ? 1 : 0);
}

int tui_caseload_page_rows(const struct tui_app *app)
{
    int n = app->lines - 3 - pinned_lines(&app->caseload); /* title, header, status bar */
    if (n > TUI_PAGE_MAX)
        n = TUI_PAGE_MAX;
    return n < 1 ? 1 : n;
}

struct fetch {
    struct cairn_patient *out;
    int n, max;
    struct cairn_store *has_alerts; /* set: keep only patients with an alert */
    bool failed;
};

static int collect(const struct cairn_patient *p, void *vctx)
{
    struct fetch *f = vctx;
    if (f->has_alerts) {
        /* Alerts are computed, not stored: this filter is applied as the
         * rows stream past, until the page is full. */
        struct cairn_alert alerts[CAIRN_ALERT__COUNT];
        size_t n = 0;
        if (cairn_alerts_for_patient(f->has_alerts, p, alerts, &n, NULL) != CAIRN_OK) {
            f->failed = true;
            return 1;
        }
        if (!n)
            return 0;
    }
    if (f->n < f->max)
        f->out[f->n++] = *p;
    return f->n >= f->max;
}

/* Fetches up to `max` rows after (or, backward, before) `from` (NULL = from
 * the start or end) into out, nearest first. Returns the count, or -1 with
 * the app message set. */
static int fetch(struct tui_app *app, const struct cairn_patient *from, bool backward,
                 struct cairn_patient *out, int max)
{
    struct tui_caseload *c = &app->caseload;
    struct cairn_patient_filter f = {0};
    struct cairn_error err;
    static const uint32_t views[] = {
        (1u << CAIRN_PATIENT_REFERRED) | (1u << CAIRN_PATIENT_ACTIVE) |
            (1u << CAIRN_PATIENT_ON_HOLD),
        0,
        (1u << CAIRN_PATIENT_DISCHARGED) | (1u << CAIRN_PATIENT_ALUMNI),
    };
    f.status_mask = views[c->status_view];
    f.risk_mask = risk_views[c->risk_view].mask;
    f.review_due = c->review_due;
    f.clinician_login = c->clinician[0] ? c->clinician : NULL;
    f.program_code = c->program[0] ? c->program : NULL;
    f.sort = (enum cairn_patient_sort)c->sort;
    f.search = c->search[0] ? c->search : NULL;
    f.backward = backward;
    f.limit = c->has_alerts ? 0 : (size_t)max; /* the callback stops a filtered read */
    if (from) {
        f.after_sort = from->sort_key;
        f.after_key = f.sort == CAIRN_PATIENT_SORT_MRN ? from->mrn : from->name_key;
        f.after_id = from->id;
    }
    struct fetch ctx = {out, 0, max, c->has_alerts ? app->store : NULL, false};
    if (cairn_patient_list(app->store, &f, collect, &ctx, &err) != CAIRN_OK) {
        snprintf(app->message, sizeof app->message, "could not read the caseload: %s", err.message);
        return -1;
    }
    if (ctx.failed) {
        snprintf(app->message, sizeof app->message, "could not compute the alerts");
        return -1;
    }
    return ctx.n;
}

static void reverse(struct cairn_patient *rows, int n)
{
    for (int i = 0, j = n - 1; i < j; i++, j--) {
        struct cairn_patient t = rows[i];
        rows[i] = rows[j];
        rows[j] = t;
    }
}

static int pin_alert(const struct cairn_alert *a, void *ctx)
{
    struct tui_caseload *c = ctx;
    if (c->npinned < 2)
        snprintf(c->pinned[c->npinned++], sizeof c->pinned[0], "URGENT  %s  %s  %s", a->mrn,
                 a->name, a->reason);
    c->nurgent++;
    return 0;
}

/* Reads the urgent alerts of the patients in view (the clinician filter
 * applies; urgent alerts are never hidden by the other filters). */
static void read_urgent(struct tui_app *app)
{
    struct tui_caseload *c = &app->caseload;
    struct cairn_alert_filter f = {.clinician = c->clinician[0] ? c->clinician : NULL,
                                   .severity = CAIRN_SEVERITY_URGENT};
    struct cairn_error err;
    /* Not on every keystroke of a search: only when the data or the
     * clinician filter may have changed. */
    if (c->urgent_read && !strcmp(c->urgent_for, c->clinician))
        return;
    c->urgent_read = true;
    memcpy(c->urgent_for, c->clinician, sizeof c->urgent_for);
    c->nurgent = c->npinned = 0;
    if (cairn_alerts_list(app->store, &f, pin_alert, c, &err) != CAIRN_OK)
        snprintf(app->message, sizeof app->message, "could not read the alerts: %s", err.message);
}

void tui_caseload_reload(struct tui_app *app)
{
    struct tui_caseload *c = &app->caseload;
    static struct cairn_patient first;
    int page;
    getmaxyx(stdscr, app->lines, app->cols);
    read_urgent(app);
    page = tui_caseload_page_rows(app);
    bool keep = c->nrows > 0;
    if (keep)
        first = c->rows[0];
    /* Start at the row before the old first row, so the old first is kept. */
    static struct cairn_patient before[1];
    int nb = keep ? fetch(app, &first, true, before, 1) : 0;
    int n = fetch(app, nb == 1 ? &before[0] : NULL, false, c->rows, page);
    c->nrows = n < 0 ? 0 : n;
    if (c->cursor >= c->nrows)
        c->cursor = c->nrows ? c->nrows - 1 : 0;
    memset(c->summary_of, 0, sizeof c->summary_of); /* the data may have changed */
    c->loaded = true;
}

static void go_top(struct tui_app *app)
{
    app->caseload.nrows = 0;
    app->caseload.cursor = 0;
    tui_caseload_reload(app);
}

static void go_end(struct tui_app *app)
{
    struct tui_caseload *c = &app->caseload;
    int n = fetch(app, NULL, true, c->rows, tui_caseload_page_rows(app));
    if (n < 0)
        return;
    reverse(c->rows, n);
    c->nrows = n;
    c->cursor = n ? n - 1 : 0;
}

/* Moves the window by `delta` rows (±1 or ± a page), fetching what comes
 * into view; the cursor keeps its screen position where it can. */
static void scroll_by(struct tui_app *app, int delta)
{
    struct tui_caseload *c = &app->caseload;
    static struct cairn_patient got[TUI_PAGE_MAX];
    int page = tui_caseload_page_rows(app);
    int want = abs(delta);
    if (c->nrows == 0)
        return;
    if (delta > 0) {
        int n = fetch(app, &c->rows[c->nrows - 1], false, got, want);
        if (n <= 0) {
            c->cursor = c->nrows - 1;
            return;
        }
        int total = c->nrows + n, drop = total > page ? total - page : 0;
        memmove(c->rows, c->rows + drop, (size_t)(c->nrows - drop) * sizeof c->rows[0]);
        memcpy(c->rows + (c->nrows - drop), got, (size_t)n * sizeof got[0]);
        c->nrows = total - drop;
        c->cursor = n < want ? c->nrows - 1 : c->cursor;
    } else {
        int n = fetch(app, &c->rows[0], true, got, want);
        if (n <= 0) {
            c->cursor = 0;
            return;
        }
        reverse(got, n);
        int keep = c->nrows + n > page ? page - n : c->nrows;
        memmove(c->rows + n, c->rows, (size_t)keep * sizeof c->rows[0]);
        memcpy(c->rows, got, (size_t)n * sizeof got[0]);
        c->nrows = n + keep;
        c->cursor = n < want ? 0 : c->cursor;
    }
}

static void move_cursor(struct tui_app *app, enum tui_action a)
{
    struct tui_caseload *c = &app->caseload;
    int page = tui_caseload_page_rows(app);
    switch (a) {
    case TUI_DOWN:
        if (c->cursor + 1 < c->nrows)
            c->cursor++;
        else
            scroll_by(app, 1);
        break;
    case TUI_UP:
        if (c->cursor > 0)
            c->cursor--;
        else
            scroll_by(app, -1);
        break;
    case TUI_PAGE_DOWN:
        scroll_by(app, page);
        break;
    case TUI_PAGE_UP:
        scroll_by(app, -page);
        break;
    case TUI_HOME:
        go_top(app);
        break;
    case TUI_END:
        go_end(app);
        break;
    default:
        break;
    }
}

/* Edits the search text: printable characters append, Backspace removes
 * the last character, Enter keeps, Esc clears. Re-queries on every key. */
static void search_key(struct tui_app *app, int key, bool is_char)
{
    struct tui_caseload *c = &app->caseload;
    size_t n = strlen(c->search);
    if (is_char && (key == '\r' || key == '\n')) {
        c->searching = false;
        return;
    }
    if (is_char && key == 27) {
        c->searching = false;
        c->search[0] = '\0';
    } else if ((!is_char && key == KEY_BACKSPACE) || (is_char && (key == 127 || key == 8))) {
        while (n > 0 && ((unsigned char)c->search[n - 1] & 0xC0) == 0x80)
            n--; /* continuation bytes of the last character */
        if (n > 0)
            n--;
        c->search[n] = '\0';
    } else if (is_char && key >= 0x20 && key != 0x7F) {
        char mb[8];
        mbstate_t st;
        memset(&st, 0, sizeof st);
        size_t len = wcrtomb(mb, (wchar_t)key, &st);
        if (len == (size_t)-1 || n + len >= sizeof c->search)
            return;
        memcpy(c->search + n, mb, len);
        c->search[n + len] = '\0';
    } else {
        return;
    }
    go_top(app);
}

/* Edits the clinician or program prompt; Enter checks the login or code
 * and applies it (empty: no filter), Esc leaves the filter as it was. */
static void prompt_key(struct tui_app *app, int key, bool is_char)
{
    struct tui_caseload *c = &app->caseload;
    size_t n = strlen(c->prompt);
    if (is_char && key == 27) {
        c->prompting = TUI_NONE;
    } else if (is_char && (key == '\r' || key == '\n')) {
        bool clinician = c->prompting == TUI_CLINICIAN;
        struct cairn_staff st;
        struct cairn_program prog;
        struct cairn_error err;
        c->prompting = TUI_NONE;
        if (c->prompt[0] &&
            (clinician ? cairn_staff_find(app->store, c->prompt, &st, &err)
                       : cairn_program_find(app->store, c->prompt, &prog, &err)) != CAIRN_OK) {
            snprintf(app->message, sizeof app->message, "%s", err.message);
            return;
        }
        /* Found, so it fits: logins and codes are shorter than the prompt. */
        if (clinician)
            snprintf(c->clinician, sizeof c->clinician, "%.*s", (int)sizeof c->clinician - 1,
                     c->prompt);
        else
            snprintf(c->program, sizeof c->program, "%.*s", (int)sizeof c->program - 1, c->prompt);
        go_top(app);
    } else if (is_char && key == 21) { /* ^U */
        c->prompt[0] = '\0';
    } else if ((!is_char && key == KEY_BACKSPACE) || (is_char && (key == 127 || key == 8))) {
        if (n > 0)
            c->prompt[n - 1] = '\0';
    } else if (is_char && key > 0x20 && key < 0x7F && n + 1 < sizeof c->prompt &&
               n < (c->prompting == TUI_CLINICIAN ? CAIRN_LOGIN_MAX : CAIRN_PROGRAM_CODE_MAX)) {
        c->prompt[n] = (char)key; /* logins and program codes are ASCII */
        c->prompt[n + 1] = '\0';
    }
}

void tui_caseload_key(struct tui_app *app, int key, bool is_char)
{
    struct tui_caseload *c = &app->caseload;
    if (c->searching) {
        search_key(app, key, is_char);
        return;
    }
    if (c->prompting) {
        prompt_key(app, key, is_char);
        return;
    }
    enum tui_action a = tui_key_action(key);
    if (tui_common_action(app, a))
        return;
    switch (a) {
    case TUI_SEARCH:
        c->searching = true;
        break;
    case TUI_BACK:
        if (c->search[0]) {
            c->search[0] = '\0';
            go_top(app);
        }
        break;
    case TUI_STATUS:
        c->status_view = (c->status_view + 1) % 3;
        go_top(app);
        break;
    case TUI_RISK:
        c->risk_view = (c->risk_view + 1) % RISK_VIEWS;
        go_top(app);
        break;
    case TUI_REVIEW_DUE:
        c->review_due = !c->review_due;
        go_top(app);
        break;
    case TUI_HAS_ALERTS:
        c->has_alerts = !c->has_alerts;
        go_top(app);
        break;
    case TUI_ORDER:
        c->sort = (c->sort + 1) % CAIRN_PATIENT_SORT__COUNT;
        go_top(app);
        break;
    case TUI_CLINICIAN:
    case TUI_PROGRAM:
        c->prompting = a;
        snprintf(c->prompt, sizeof c->prompt, "%s", a == TUI_CLINICIAN ? c->clinician : c->program);
        break;
    case TUI_OPEN:
        if (c->nrows > 0)
            tui_patient_open(app, c->rows[c->cursor].mrn);
        break;
    case TUI_ROSTER:
        tui_roster_open(app);
        break;
    default:
        move_cursor(app, a);
        break;
    }
}

/* Caseload columns in screen order. A terminal too narrow for all drops
 * the least important first (highest `drop`); the name takes what is left. */
enum column {
    COL_NAME,
    COL_MRN,
    COL_PROGRAM,
    COL_WEEK,
    COL_STATUS,
    COL_HOURS,
    COL_PHQ9,
    COL_GAD7,
    COL_RISK,
    COL_ALERTS,
    COL_REVIEW,
    COL_THERAPIST,
    COL__COUNT
};
static const struct {
    const char *title;
    int width; /* including the space after it */
    int drop;  /* 0: always shown */
} columns[COL__COUNT] = {
    [COL_NAME] = {"NAME", 13, 0},       [COL_MRN] = {"MRN", 12, 0},
    [COL_PROGRAM] = {"PROGRAM", 15, 5}, [COL_WEEK] = {"WK", 4, 6},
    [COL_STATUS] = {"STATUS", 11, 3},   [COL_HOURS] = {"HOURS", 8, 4},
    [COL_PHQ9] = {"PHQ-9", 12, 2},      [COL_GAD7] = {"GAD-7", 6, 8},
    [COL_RISK] = {"RISK", 9, 0},        [COL_ALERTS] = {"ALERTS", 7, 1},
    [COL_REVIEW] = {"REVIEW", 9, 7},    [COL_THERAPIST] = {"THERAPIST", 10, 9},
};

/* Which columns fit in `cols`, and their widths (the name's grows). */
static void layout(int cols, int *width)
{
    int used = 0;
    for (int i = 0; i < COL__COUNT; i++) {
        width[i] = columns[i].drop == 0 ? columns[i].width : 0;
        used += width[i];
    }
    /* In order of importance; once one does not fit, nothing after it is shown. */
    for (int drop = 1; drop <= 9; drop++)
        for (int i = 0; i < COL__COUNT; i++)
            if (columns[i].drop == drop) {
                /* Only while the name keeps 20 columns. */
                int room = 20 - columns[COL_NAME].width;
                if (used + columns[i].width + room > cols)
                    goto done;
                width[i] = columns[i].width;
                used += width[i];
            }
done:
    if (cols > used)
        width[COL_NAME] += cols - used;
}

/* PHQ-9 totals as a sparkline, one block per score: taller is worse. */
static void sparkline(const struct cairn_care_summary *s, char *out, size_t size)
{
    static const char *const blocks[] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                         "\u2585", "\u2586", "\u2587", "\u2588"};
    size_t used = 0;
    out[0] = '\0';
    if (!s->nphq9) {
        snprintf(out, size, "-");
        return;
    }
    used += (size_t)snprintf(out, size, "%2d ", s->phq9[s->nphq9 - 1]);
    for (size_t i = 0; i < s->nphq9 && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s", blocks[s->phq9[i] * 7 / 27]);
}

/* The progress summary of row r, read on first use. */
static const struct cairn_care_summary *row_summary(struct tui_app *app, int r)
{
    struct tui_caseload *c = &app->caseload;
    const struct cairn_patient *p = &c->rows[r];
    if (c->summary_of[r] != p->id) {
        struct cairn_error err;
        if (cairn_care_summary(app->store, p, cairn_store_today(app->store), &c->summaries[r],
                               &err) != CAIRN_OK) {
            memset(&c->summaries[r], 0, sizeof c->summaries[r]);
            c->summaries[r].gad7 = -1;
            snprintf(app->message, sizeof app->message, "could not read progress: %s", err.message);
        }
        /* The alert badge: "!N" urgent, "+N" the others; "-" none. */
        struct cairn_alert alerts[CAIRN_ALERT__COUNT];
        size_t n = 0, urgent = 0;
        snprintf(c->badges[r], sizeof c->badges[r], "?");
        if (cairn_alerts_for_patient(app->store, p, alerts, &n, &err) == CAIRN_OK) {
            for (size_t i = 0; i < n; i++)
                urgent += alerts[i].severity == CAIRN_SEVERITY_URGENT;
            if (!n)
                snprintf(c->badges[r], sizeof c->badges[r], "-");
            else if (urgent && n > urgent)
                snprintf(c->badges[r], sizeof c->badges[r], "!%zu +%zu", urgent, n - urgent);
            else if (urgent)
                snprintf(c->badges[r], sizeof c->badges[r], "!%zu", urgent);
            else
                snprintf(c->badges[r], sizeof c->badges[r], "+%zu", n);
        }
        c->summary_of[r] = p->id;
    }
    return &c->summaries[r];
}

void tui_caseload_draw(struct tui_app *app)
{
    struct tui_caseload *c = &app->caseload;
    char title[512];
    int width[COL__COUNT];
    layout(app->cols, width);

    snprintf(title, sizeof title, " cairn — caseload (%s)%s%s%s%s%s%s%s%s%s%s%s",
             status_views[c->status_view], c->has_alerts ? " · has alerts" : "",
             c->review_due ? " · review due" : "", c->risk_view ? " · risk: " : "",
             risk_views[c->risk_view].label, c->clinician[0] ? " · clinician: " : "", c->clinician,
             c->program[0] ? " · program: " : "", c->program, c->sort ? " · by " : "",
             c->sort ? cairn_patient_sort_str((enum cairn_patient_sort)c->sort) : "",
             c->search[0] ? "   search: " : "");
    snprintf(title + strlen(title), sizeof title - strlen(title), "%s", c->search);
    attrset(tui_attr(TUI_COLOR_TITLE));
    tui_draw_text(0, 0, title, app->cols);
    /* Urgent alerts pinned above the list, the word written out. */
    int top = 1 + pinned_lines(c);
    attrset(tui_attr(TUI_COLOR_RISK_HIGH));
    for (size_t i = 0; i < c->npinned; i++)
        tui_draw_text(1 + (int)i, 0, c->pinned[i], app->cols);
    if (c->nurgent > c->npinned) {
        char more[96];
        snprintf(more, sizeof more,
                 "URGENT  and %zu more urgent alert%s: :alerts --severity urgent",
                 c->nurgent - c->npinned, c->nurgent - c->npinned == 1 ? "" : "s");
        tui_draw_text(1 + (int)c->npinned, 0, more, app->cols);
    }
    attrset(tui_attr(TUI_COLOR_HEADER));
    for (int i = 0, x = 0; i < COL__COUNT; x += width[i], i++)
        if (width[i])
            tui_draw_text(top, x, columns[i].title, width[i]);
    attrset(A_NORMAL);

    for (int r = 0; r < c->nrows; r++) {
        const struct cairn_patient *p = &c->rows[r];
        const struct cairn_care_summary *sum = row_summary(app, r);
        char name[2 * CAIRN_NAME_MAX + 4], week[16] = "-", hours[40] = "-", phq[64], gad[16] = "-";
        if (p->preferred_name[0])
            snprintf(name, sizeof name, "%s (%s)", p->legal_name, p->preferred_name);
        else
            snprintf(name, sizeof name, "%s", p->legal_name);
        if (sum->in_care) {
            snprintf(week, sizeof week, "w%d", sum->week_of_stay);
            /* So far this week: the week is not over, so falling short of the
             * minimum is not flagged here (the alert rules judge whole weeks). */
            snprintf(hours, sizeof hours, "%d.%d/%d", sum->now.minutes_attended / 60,
                     sum->now.minutes_attended % 60 / 6, (sum->now.min_minutes + 59) / 60);
        }
        sparkline(sum, phq, sizeof phq);
        if (sum->gad7 >= 0)
            snprintf(gad, sizeof gad, "%d", sum->gad7);
        const char *cells[COL__COUNT] = {
            [COL_NAME] = name,
            [COL_MRN] = p->mrn,
            [COL_PROGRAM] = p->program_code[0] ? p->program_code : "-",
            [COL_WEEK] = week,
            [COL_STATUS] = cairn_patient_status_str(p->status),
            [COL_HOURS] = hours,
            [COL_PHQ9] = phq,
            [COL_GAD7] = gad,
            [COL_RISK] = p->risk ? cairn_risk_str(p->risk) : "-",
            [COL_ALERTS] = c->badges[r],
            [COL_REVIEW] = sum->review[0] ? sum->review : "-",
            [COL_THERAPIST] = p->therapist_login[0] ? p->therapist_login : "-",
        };
        attr_t row_attr = r == c->cursor ? tui_attr(TUI_COLOR_SELECTED) : A_NORMAL;
        int last = COL__COUNT - 1;
        while (last > 0 && !width[last])
            last--;
        for (int i = 0, x = 0; i < COL__COUNT; x += width[i], i++) {
            if (!width[i])
                continue;
            attr_t a = row_attr;
            if (i == COL_ALERTS && r != c->cursor && c->badges[r][0] == '!')
                a = tui_attr(TUI_COLOR_RISK_HIGH);
            else if (i == COL_RISK && r != c->cursor)
                a = p->risk == CAIRN_RISK_HIGH       ? tui_attr(TUI_COLOR_RISK_HIGH)
                    : p->risk == CAIRN_RISK_MODERATE ? tui_attr(TUI_COLOR_RISK_MODERATE)
                                                     : A_NORMAL;
            attrset(a);
            tui_draw_text(top + 1 + r, x, cells[i], width[i] - (i < last ? 1 : 0));
            if (i < last)
                addch(' ');
        }
        attrset(A_NORMAL);
    }
    if (c->nrows == 0)
        tui_draw_text(top + 1, 0,
                      c->search[0] ? "No patient matches the search (Esc clears it)."
                                   : "No patients in this view (s, r, c and p change the filters).",
                      app->cols);
    if (c->prompting) {
        char prompt[sizeof c->prompt + 32];
        snprintf(prompt, sizeof prompt, "%s: %s",
                 c->prompting == TUI_CLINICIAN ? "clinician login" : "program code", c->prompt);
        attrset(tui_attr(TUI_COLOR_STATUS_BAR));
        tui_draw_text(app->lines - 1, 0, prompt, app->cols);
        attrset(A_NORMAL);
        move(app->lines - 1, (int)cairn_text_width(prompt));
    } else if (c->searching) {
        char prompt[CAIRN_NAME_MAX + 64];
        snprintf(prompt, sizeof prompt, "/%s", c->search);
        attrset(tui_attr(TUI_COLOR_STATUS_BAR));
        tui_draw_text(app->lines - 1, 0, prompt, app->cols);
        attrset(A_NORMAL);
        move(app->lines - 1, (int)cairn_text_width(prompt));
    } else {
        tui_draw_status_bar(app);
        move(top + 1 + c->cursor, 0); /* screen readers follow the cursor */
    }
}

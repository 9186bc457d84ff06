/* The TUI frame: terminal setup and teardown, signals, resize, the event
 * loop and the "terminal too small" screen. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "tui/tui.h"

enum { MIN_COLS = 80, MIN_LINES = 24 };

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

void tui_draw_text(int y, int x, const char *text, int width)
{
    char buf[4 * 512 + 4];
    if (width <= 0)
        return;
    size_t used = cairn_text_fit(text ? text : "", (size_t)width, buf, sizeof buf);
    mvaddstr(y, x, buf);
    for (size_t i = used; i < (size_t)width; i++)
        addch(' ');
}

void tui_draw_status_bar(struct tui_app *app)
{
    char bar[512] = "";
    attr_t attr = tui_attr(app->message[0] ? TUI_COLOR_ERROR : TUI_COLOR_STATUS_BAR);
    /* Two spaces between keys; one when that would not fit the width. */
    for (int sep = 2; !app->message[0] && sep >= 1; sep--) {
        bar[0] = '\0';
        for (size_t i = 0; i < tui_key_count; i++) {
            if (!tui_keys[i].in_status_bar)
                continue;
            size_t n = strlen(bar);
            snprintf(bar + n, sizeof bar - n, "%s%s %s", n ? (sep == 2 ? "  " : " ") : " ",
                     tui_keys[i].keys_label, tui_action_label(tui_keys[i].action));
        }
        if (cairn_text_width(bar) <= (size_t)app->cols)
            break;
    }
    attrset(attr);
    tui_draw_text(app->lines - 1, 0, app->message[0] ? app->message : bar, app->cols);
    attrset(A_NORMAL);
}

void tui_draw_footer(struct tui_app *app, const char *problem, const char *keys)
{
    if (problem && problem[0]) {
        attrset(tui_attr(TUI_COLOR_ERROR));
        tui_draw_text(app->lines - 2, 1, problem, app->cols - 2);
    }
    attrset(tui_attr(TUI_COLOR_STATUS_BAR));
    tui_draw_text(app->lines - 1, 0, keys, app->cols);
    attrset(A_NORMAL);
}

static void draw_too_small(struct tui_app *app)
{
    char msg[128];
    erase();
    snprintf(msg, sizeof msg, "Terminal too small: cairn needs %dx%d, this one is %dx%d.", MIN_COLS,
             MIN_LINES, app->cols, app->lines);
    mvaddnstr(app->lines / 2, 0, msg, app->cols);
    mvaddnstr(app->lines / 2 + 1, 0, "Enlarge the window, or press q to quit.", app->cols);
    move(app->lines / 2, 0);
}

/* The idle lock hides every patient detail until the login running cairn
 * is typed again; the screens behind it, and anything typed there (a
 * search, later a form), are kept as they were. */
static void draw_locked(struct tui_app *app)
{
    char msg[256], typed[80];
    size_t n = strlen(app->unlock);
    erase();
    snprintf(msg, sizeof msg,
             "cairn is locked after %d minutes without a key; patient data "
             "is hidden.",
             (app->options.lock_after_seconds + 59) / 60);
    tui_draw_text(app->lines / 2 - 2, 2, msg, app->cols - 4);
    tui_draw_text(app->lines / 2 - 1, 2,
                  "Type your login and press Enter to continue (your work is kept).",
                  app->cols - 4);
    memset(typed, '*', n < sizeof typed - 1 ? n : sizeof typed - 1);
    typed[n < sizeof typed - 1 ? n : sizeof typed - 1] = '\0';
    snprintf(msg, sizeof msg, "login: %s", typed);
    tui_draw_text(app->lines / 2 + 1, 2, msg, app->cols - 4);
    if (app->unlock_failed) {
        attrset(tui_attr(TUI_COLOR_ERROR));
        tui_draw_text(app->lines / 2 + 3, 2, "That is not the login of this session.",
                      app->cols - 4);
        attrset(A_NORMAL);
    }
    move(app->lines / 2 + 1, 2 + 7 + (int)strlen(typed));
}

static void unlock_key(struct tui_app *app, int key, bool is_char)
{
    size_t n = strlen(app->unlock);
    if (is_char && (key == '\n' || key == '\r')) {
        app->unlock_failed = strcmp(app->unlock, app->options.login) != 0;
        app->locked = app->unlock_failed;
        app->unlock[0] = '\0';
        if (!app->locked)
            clearok(stdscr, TRUE);
    } else if ((is_char && (key == 127 || key == 8)) || (!is_char && key == KEY_BACKSPACE)) {
        if (n)
            app->unlock[n - 1] = '\0';
    } else if (is_char && key == 21) { /* ^U */
        app->unlock[0] = '\0';
    } else if (is_char && key > 0x20 && key < 0x7F && n + 1 < sizeof app->unlock) {
        app->unlock[n] = (char)key;
        app->unlock[n + 1] = '\0';
    }
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void draw(struct tui_app *app)
{
    getmaxyx(stdscr, app->lines, app->cols);
    if (app->locked) {
        draw_locked(app);
        refresh();
        return;
    }
    if (app->lines < MIN_LINES || app->cols < MIN_COLS) {
        draw_too_small(app);
        refresh();
        return;
    }
    erase();
    switch (app->screen) {
    case TUI_SCREEN_CASELOAD:
        tui_caseload_draw(app);
        break;
    case TUI_SCREEN_PATIENT:
        tui_patient_draw(app);
        break;
    case TUI_SCREEN_HELP:
        tui_help_draw(app);
        break;
    case TUI_SCREEN_OUTPUT:
        tui_output_draw(app);
        break;
    case TUI_SCREEN_FORM:
        tui_form_draw(app);
        break;
    case TUI_SCREEN_ROSTER:
        tui_roster_draw(app);
        break;
    case TUI_SCREEN_REVIEW:
        tui_review_draw(app);
        break;
    case TUI_SCREEN_COSIGN:
        tui_cosign_draw(app);
        break;
    case TUI_SCREEN_SUPERVISOR:
        tui_supervisor_draw(app);
        break;
    }
    if (app->commanding)
        tui_command_draw(app);
    refresh();
}

static void dispatch(struct tui_app *app, int key, bool is_char)
{
    bool small = app->lines < MIN_LINES || app->cols < MIN_COLS;
    if (!(is_char && (app->caseload.searching || app->caseload.prompting)))
        app->message[0] = '\0';
    if (small) {
        if (key == 'q')
            app->quit = true;
        return;
    }
    if (app->commanding) {
        tui_command_key(app, key, is_char);
        return;
    }
    if (app->screen == TUI_SCREEN_FORM) { /* every key is typing there */
        tui_form_key(app, key, is_char);
        return;
    }
    if (app->screen == TUI_SCREEN_ROSTER) {
        tui_roster_key(app, key, is_char);
        return;
    }
    /* The queues read every key themselves: the review form has text
     * fields, and n and p mean next and previous there. */
    if (app->screen == TUI_SCREEN_REVIEW) {
        tui_review_key(app, key, is_char);
        return;
    }
    if (app->screen == TUI_SCREEN_COSIGN) {
        tui_cosign_key(app, key, is_char);
        return;
    }
    if (app->screen == TUI_SCREEN_SUPERVISOR) { /* p and r are its own there */
        tui_supervisor_key(app, key, is_char);
        return;
    }
    if (tui_key_action(key) == TUI_COMMAND && app->screen != TUI_SCREEN_HELP &&
        !app->caseload.searching && !app->caseload.prompting) {
        app->commanding = true;
        app->command[0] = '\0';
        return;
    }
    if (app->screen == TUI_SCREEN_OUTPUT) {
        tui_output_key(app, key);
        return;
    }
    if (app->screen == TUI_SCREEN_CASELOAD && !app->caseload.searching &&
        !app->caseload.prompting) {
        /* The queues open from the caseload (and take its clinician filter). */
        enum tui_action a = tui_key_action(key);
        if (a == TUI_REVIEW_QUEUE) {
            tui_review_open(app);
            return;
        }
        if (a == TUI_COSIGN_QUEUE) {
            tui_cosign_open(app);
            return;
        }
        if (a == TUI_SUPERVISOR) {
            tui_supervisor_open(app);
            return;
        }
    }
    if (app->screen == TUI_SCREEN_CASELOAD) {
        tui_caseload_key(app, key, is_char);
        return;
    }
    enum tui_action a = tui_key_action(key);
    if (a == TUI_QUIT) {
        app->quit = true;
    } else if (a == TUI_REDRAW) {
        clearok(stdscr, TRUE);
    } else if (app->screen == TUI_SCREEN_HELP) {
        tui_help_key(app, key);
    } else if (app->screen == TUI_SCREEN_PATIENT) {
        tui_patient_key(app, key);
    }
}

bool tui_common_action(struct tui_app *app, enum tui_action a)
{
    switch (a) {
    case TUI_QUIT:
        app->quit = true;
        return true;
    case TUI_HELP:
        app->previous = app->screen;
        app->screen = TUI_SCREEN_HELP;
        return true;
    case TUI_COMMAND:
        app->commanding = true;
        app->command[0] = '\0';
        return true;
    case TUI_REDRAW:
        clearok(stdscr, TRUE);
        return true;
    default:
        return false;
    }
}

/* One key in headless mode: what the event loop does with it. */
static void headless_step(struct tui_app *app, int key, bool is_char)
{
    if (!is_char && key == KEY_RESIZE) {
        app->caseload.loaded = false;
        return;
    }
    dispatch(app, key, is_char);
}

static void headless_draw(struct tui_app *app)
{
    if (!app->caseload.loaded)
        tui_caseload_reload(app);
    draw(app);
}

/* The TUI on a screen no terminal shows (see headless.c). */
static int run_headless(struct tui_app *app, const struct tui_options *options)
{
    FILE *null_out = fopen("/dev/null", "w"), *null_in = fopen("/dev/null", "r");
    SCREEN *screen = NULL;
    int rc = 1;
    if (!null_out || !null_in)
        goto out;
    /* A terminal description is needed for curses to lay out; none is used. */
    screen = newterm("xterm-256color", null_out, null_in);
    if (!screen)
        screen = newterm("vt100", null_out, null_in);
    if (!screen)
        goto out;
    set_term(screen);
    noecho();
    keypad(stdscr, TRUE);
    tui_theme_init();
    rc = tui_headless(app, options->script, options->dump, options->cols, options->lines,
                      headless_step, headless_draw);
    tui_supervisor_free(app);
    endwin();
out:
    if (screen)
        delscreen(screen);
    if (null_out)
        fclose(null_out);
    if (null_in)
        fclose(null_in);
    return rc;
}

int tui_run(struct cairn_store *store, const struct tui_options *options)
{
    static struct tui_app app; /* large (a page of records): not on the stack */
    struct sigaction sa;

    memset(&app, 0, sizeof app);
    app.store = store;
    app.options = *options;
    app.screen = TUI_SCREEN_CASELOAD;
    if (options->script) {
        app.options.lock_after_seconds = 0; /* no clock in a script */
        return run_headless(&app, options);
    }

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    if (!initscr())
        return 1;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    timeout(250); /* wake up to notice signals */
    tui_theme_init();

    double last_key = now_seconds();
    while (!app.quit && !stop_requested) {
        if (!app.caseload.loaded && !app.locked)
            tui_caseload_reload(&app);
        draw(&app);
        wint_t ch;
        int r = get_wch(&ch);
        if (r == ERR) {
            if (app.options.lock_after_seconds > 0 && !app.locked &&
                now_seconds() - last_key >= app.options.lock_after_seconds) {
                app.locked = true;
                app.unlock[0] = '\0';
                app.unlock_failed = false;
            }
            continue;
        }
        last_key = now_seconds();
        if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
            app.caseload.loaded = false; /* the page size changed */
            continue;
        }
        if (app.locked)
            unlock_key(&app, (int)ch, r == OK);
        else
            dispatch(&app, (int)ch, r == OK);
    }
    tui_supervisor_free(&app);
    endwin();
    return 0;
}

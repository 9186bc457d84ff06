/* The : line: any cairn command, typed as on the command line, run by the
 * cairn binary itself on the same database. Its output comes back to the
 * status bar (one line) or to a scrollable output screen (more), and the
 * caseload is re-read since the command may have changed it. Running the
 * real binary keeps one implementation of every verb, with the same
 * validation, audit and exit codes as in a shell. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tui/tui.h"

#define MAX_ARGS 64

/* Splits a command line shell-style: words separated by spaces, '...' and
 * "..." quote, a backslash escapes the next character. Writes the words
 * into buf. Returns the word count, or -1 for an unclosed quote or too many
 * words. */
static int split_words(const char *line, char *buf, size_t size, char **argv, int max)
{
    int argc = 0;
    size_t n = 0;
    const char *p = line;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        if (argc == max)
            return -1;
        argv[argc++] = buf + n;
        char quote = 0;
        while (*p && (quote || *p != ' ') && n + 1 < size) {
            if (quote && *p == quote) {
                quote = 0;
            } else if (!quote && (*p == '\'' || *p == '"')) {
                quote = *p;
            } else if (*p == '\\' && quote != '\'' && p[1]) {
                buf[n++] = *++p;
            } else {
                buf[n++] = *p;
            }
            p++;
        }
        if (quote)
            return -1;
        buf[n++] = '\0';
    }
    return argc;
}

/* Commands that open the user's editor need the terminal: plan edit,
 * safety edit, review edit. */
static bool needs_terminal(char **words, int n)
{
    return n >= 2 &&
           (!strcmp(words[0], "plan") || !strcmp(words[0], "safety") ||
            !strcmp(words[0], "review")) &&
           !strcmp(words[1], "edit");
}

/* Runs cairn with argv (argv[0] unused) on the app's database; collects
 * stdout and stderr into app->output. With `terminal`, curses steps aside
 * while it runs: the editor it starts opens the terminal itself
 * (/dev/tty). Returns the exit status, or -1 when the command could not be
 * started. */
static int run_cairn(struct tui_app *app, char **words, int nwords, bool terminal)
{
    char self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    int fds[2];
    if (len <= 0 || pipe(fds) != 0)
        return -1;
    self[len] = '\0';
    char *argv[MAX_ARGS + 4];
    int argc = 0;
    argv[argc++] = "cairn";
    argv[argc++] = "--db";
    argv[argc++] = (char *)app->options.db_path;
    for (int i = 0; i < nwords; i++)
        argv[argc++] = words[i];
    argv[argc] = NULL;
    if (terminal) {
        def_prog_mode();
        endwin();
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        if (terminal)
            reset_prog_mode();
        return -1;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, STDIN_FILENO);
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(self, argv);
        _exit(127);
    }
    close(fds[1]);
    size_t used = 0;
    ssize_t n;
    char sink[4096];
    while ((n = read(fds[0], used + 1 < sizeof app->output ? app->output + used : sink,
                     used + 1 < sizeof app->output ? sizeof app->output - 1 - used : sizeof sink)) >
               0 ||
           (n < 0 && errno == EINTR))
        if (n > 0 && used + 1 < sizeof app->output)
            used += (size_t)n;
    app->output[used] = '\0';
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (terminal) {
        reset_prog_mode();
        clearok(curscr, TRUE);
        refresh();
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void run_line(struct tui_app *app)
{
    char buf[TUI_COMMAND_MAX * 2];
    char *words[MAX_ARGS];
    int n = split_words(app->command, buf, sizeof buf, words, MAX_ARGS);
    if (n < 0) {
        snprintf(app->message, sizeof app->message, "unclosed quote or too many words");
        return;
    }
    if (n == 0)
        return;
    if (!strcmp(words[0], "q") || !strcmp(words[0], "quit")) {
        app->quit = true;
        return;
    }
    if (!strcmp(words[0], "tui")) {
        snprintf(app->message, sizeof app->message, "you are in the full-screen caseload");
        return;
    }
    /* The queues' screens: `review queue` (the TUI's own verb) and
     * `review awaiting` with no options (the list, to work through). */
    if (n == 2 && !strcmp(words[0], "review") && !strcmp(words[1], "queue")) {
        tui_review_open(app);
        return;
    }
    if (n == 2 && !strcmp(words[0], "review") && !strcmp(words[1], "awaiting")) {
        tui_cosign_open(app);
        return;
    }
    int rc = run_cairn(app, words, n, needs_terminal(words, n));
    if (rc < 0) {
        snprintf(app->message, sizeof app->message, "could not run the command: %s",
                 strerror(errno));
        return;
    }
    /* The command may have changed what is on screen: read it again (an
     * open record is re-read, an audited read like opening it). */
    app->caseload.loaded = false;
    app->caseload.urgent_read = false; /* a command may change what raises alerts */
    if (app->screen == TUI_SCREEN_PATIENT) {
        char mrn[sizeof app->patient.mrn];
        memcpy(mrn, app->patient.mrn, sizeof mrn);
        tui_patient_open(app, mrn);
    } else if (app->screen == TUI_SCREEN_REVIEW) {
        tui_review_refresh(app);
    } else if (app->screen == TUI_SCREEN_COSIGN) {
        tui_cosign_open(app);
    }
    size_t len = strlen(app->output);
    while (len && app->output[len - 1] == '\n')
        app->output[--len] = '\0';
    if (!strchr(app->output, '\n')) { /* one line: the status bar */
        snprintf(app->message, sizeof app->message, "%.*s", (int)sizeof app->message - 1,
                 len  ? app->output
                 : rc ? "the command failed"
                      : "done");
        return;
    }
    app->output_top = 0;
    app->before_output = app->screen;
    app->screen = TUI_SCREEN_OUTPUT;
    snprintf(app->message, sizeof app->message, ":%s (exit %d)", app->command, rc);
}

void tui_command_key(struct tui_app *app, int key, bool is_char)
{
    switch (tui_line_key(app->command, sizeof app->command, key, is_char)) {
    case TUI_LINE_ENTER:
        app->commanding = false;
        run_line(app);
        app->command[0] = '\0';
        break;
    case TUI_LINE_ESCAPE:
    case TUI_LINE_EMPTY_BACKSPACE: /* backspace on an empty line closes it, as in vi */
        app->commanding = false;
        app->command[0] = '\0';
        break;
    default:
        break;
    }
}

void tui_command_draw(struct tui_app *app)
{
    char line[TUI_COMMAND_MAX + 2];
    snprintf(line, sizeof line, ":%s", app->command);
    attrset(A_NORMAL);
    tui_draw_text(app->lines - 1, 0, line, app->cols);
    move(app->lines - 1,
         (int)cairn_text_width(line) < app->cols ? (int)cairn_text_width(line) : app->cols - 1);
}

/* The start of line `i` of the output (0-based), or NULL past the end. */
static const char *output_line(const struct tui_app *app, int i, size_t *len)
{
    const char *p = app->output;
    for (; i > 0 && p; i--) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p)
        return NULL;
    const char *nl = strchr(p, '\n');
    *len = nl ? (size_t)(nl - p) : strlen(p);
    return p;
}

void tui_output_draw(struct tui_app *app)
{
    attrset(tui_attr(TUI_COLOR_TITLE));
    tui_draw_text(0, 0, " command output (j/k scroll, Esc or q returns)", app->cols);
    attrset(A_NORMAL);
    for (int row = 1; row < app->lines - 1; row++) {
        size_t len;
        const char *p = output_line(app, app->output_top + row - 1, &len);
        if (!p)
            break;
        char buf[1024];
        size_t k = len < sizeof buf - 1 ? len : sizeof buf - 1;
        memcpy(buf, p, k);
        buf[k] = '\0';
        tui_draw_text(row, 0, buf, app->cols);
    }
    tui_draw_status_bar(app);
    move(1, 0);
}

void tui_output_key(struct tui_app *app, int key)
{
    enum tui_action a = tui_key_action(key);
    size_t len;
    int page = app->lines - 2;
    if (a == TUI_BACK || a == TUI_QUIT) {
        app->screen = app->before_output;
    } else if (a == TUI_DOWN && output_line(app, app->output_top + page, &len)) {
        app->output_top++;
    } else if (a == TUI_UP && app->output_top > 0) {
        app->output_top--;
    } else if (a == TUI_PAGE_DOWN) {
        for (int i = 0; i < page && output_line(app, app->output_top + page, &len); i++)
            app->output_top++;
    } else if (a == TUI_PAGE_UP) {
        app->output_top = app->output_top > page ? app->output_top - page : 0;
    } else if (a == TUI_HOME) {
        app->output_top = 0;
    }
}

/* The headless driver: the TUI without a terminal, for tests and the
 * benchmark. Keys come from a script, and the screen is written out as
 * text whenever the script says so (curses draws into its own window
 * structures as usual; only the output to a terminal is thrown away).
 *
 * Script lines (# starts a comment, blank lines are skipped):
 *   type TEXT      types TEXT, one character at a time (UTF-8)
 *   key NAME...    special keys: Enter Tab BTab Esc Up Down Left Right
 *                  PgUp PgDn Home End Backspace, C-a .. C-z, or one character
 *   size COLSxLINES  resizes the screen
 *   dump           writes the screen: each line with trailing spaces cut,
 *                  then "-- cursor LINE,COL" (0-based)
 * The screen is drawn after every key; the run ends at the end of the
 * script (as if q were pressed) and dumps once if the script never did. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "tui/tui.h"

static const struct {
    const char *name;
    int key;
    bool is_char;
} special_keys[] = {
    {"Enter", '\r', true},      {"Tab", '\t', true},           {"Esc", 27, true},
    {"Backspace", 127, true},   {"BTab", KEY_BTAB, false},     {"Up", KEY_UP, false},
    {"Down", KEY_DOWN, false},  {"Left", KEY_LEFT, false},     {"Right", KEY_RIGHT, false},
    {"PgUp", KEY_PPAGE, false}, {"PgDn", KEY_NPAGE, false},    {"Home", KEY_HOME, false},
    {"End", KEY_END, false},    {"Resize", KEY_RESIZE, false},
};

/* Writes the screen as UTF-8 text to out. */
static void dump(FILE *out)
{
    int lines, cols, cy, cx;
    getmaxyx(stdscr, lines, cols);
    getyx(stdscr, cy, cx);
    for (int y = 0; y < lines; y++) {
        char line[4 * 1024 + 8];
        size_t used = 0;
        for (int x = 0; x < cols && used + 8 < sizeof line; x++) {
            cchar_t cc;
            wchar_t wch[CCHARW_MAX + 1];
            attr_t attrs;
            short pair;
            if (mvin_wch(y, x, &cc) == ERR || getcchar(&cc, wch, &attrs, &pair, NULL) == ERR)
                continue;
            for (int i = 0; wch[i] && used + 8 < sizeof line; i++) {
                mbstate_t st;
                memset(&st, 0, sizeof st);
                size_t n = wcrtomb(line + used, wch[i], &st);
                if (n != (size_t)-1)
                    used += n;
            }
            /* A wide character fills two cells; the second holds nothing. */
            if (wch[0] && wcwidth(wch[0]) == 2)
                x++;
        }
        while (used > 0 && line[used - 1] == ' ')
            used--;
        line[used] = '\0';
        fprintf(out, "%s\n", line);
    }
    fprintf(out, "-- cursor %d,%d\n", cy, cx);
    move(cy, cx);
}

/* Parses one key token; returns false when it names no key. */
static bool parse_key(const char *tok, int *key, bool *is_char)
{
    for (size_t i = 0; i < sizeof special_keys / sizeof special_keys[0]; i++)
        if (strcasecmp(tok, special_keys[i].name) == 0) {
            *key = special_keys[i].key;
            *is_char = special_keys[i].is_char;
            return true;
        }
    if ((tok[0] == 'C' || tok[0] == 'c') && tok[1] == '-' && tok[2] && !tok[3]) {
        *key = tok[2] & 0x1f;
        *is_char = true;
        return true;
    }
    wchar_t wc;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = mbrtowc(&wc, tok, strlen(tok), &st);
    if (n > 0 && n != (size_t)-1 && n != (size_t)-2 && !tok[n]) {
        *key = (int)wc;
        *is_char = true;
        return true;
    }
    return false;
}

int tui_headless(struct tui_app *app, FILE *script, FILE *out, int cols, int lines,
                 void (*step)(struct tui_app *app, int key, bool is_char),
                 void (*draw)(struct tui_app *app))
{
    char buf[4096];
    int lineno = 0, rc = 0;
    bool dumped = false;
    resizeterm(lines, cols);
    draw(app);
    while (!app->quit && fgets(buf, sizeof buf, script)) {
        lineno++;
        buf[strcspn(buf, "\r\n")] = '\0';
        char *cmd = buf + strspn(buf, " \t");
        if (!*cmd || *cmd == '#')
            continue;
        char *arg = cmd + strcspn(cmd, " \t");
        if (*arg)
            *arg++ = '\0';
        if (!strcmp(cmd, "dump")) {
            dump(out);
            dumped = true;
        } else if (!strcmp(cmd, "type")) {
            const char *p = arg;
            mbstate_t st;
            memset(&st, 0, sizeof st);
            while (*p && !app->quit) {
                wchar_t wc;
                size_t n = mbrtowc(&wc, p, strlen(p), &st);
                if (n == 0 || n == (size_t)-1 || n == (size_t)-2) {
                    fprintf(stderr, "cairn: tui script line %d: not UTF-8 text\n", lineno);
                    return 3;
                }
                step(app, (int)wc, true);
                draw(app);
                p += n;
            }
        } else if (!strcmp(cmd, "key")) {
            /* strtok_r: a key can run code that tokenizes too. */
            char *save = NULL;
            for (char *tok = strtok_r(arg, " \t", &save); tok && !app->quit;
                 tok = strtok_r(NULL, " \t", &save)) {
                int key;
                bool is_char;
                if (!parse_key(tok, &key, &is_char)) {
                    fprintf(stderr, "cairn: tui script line %d: unknown key '%.20s'\n", lineno,
                            tok);
                    return 3;
                }
                step(app, key, is_char);
                draw(app);
            }
        } else if (!strcmp(cmd, "size")) {
            int c, l;
            if (sscanf(arg, "%dx%d", &c, &l) != 2 || c < 1 || l < 1 || c > 1000 || l > 1000) {
                fprintf(stderr, "cairn: tui script line %d: size is COLSxLINES\n", lineno);
                return 3;
            }
            resizeterm(l, c);
            step(app, KEY_RESIZE, false);
            draw(app);
        } else {
            fprintf(stderr,
                    "cairn: tui script line %d: unknown command '%.20s' (type, key, size, "
                    "dump)\n",
                    lineno, cmd);
            return 3;
        }
    }
    if (!dumped)
        dump(out);
    if (fflush(out) != 0)
        rc = 1;
    return rc;
}

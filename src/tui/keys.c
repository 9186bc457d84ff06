/* The key table: one row per binding; dispatch, status bar and help read it. */
#include "tui/tui.h"

#define CTRL(c) ((c)&0x1f)

const struct tui_key tui_keys[] = {
    {TUI_UP, {KEY_UP, 'k', 0}, "↑ k", false},
    {TUI_DOWN, {KEY_DOWN, 'j', 0}, "↓ j", false},
    {TUI_PAGE_UP, {KEY_PPAGE, CTRL('b'), 0}, "PgUp ^B", false},
    {TUI_PAGE_DOWN, {KEY_NPAGE, CTRL('f'), ' ', 0}, "PgDn ^F Space", false},
    {TUI_HOME, {KEY_HOME, 'g', 0}, "Home g", false},
    {TUI_END, {KEY_END, 'G', 0}, "End G", false},
    {TUI_OPEN, {'\n', KEY_ENTER, '\r', 'l'}, "Enter", true},
    {TUI_BACK, {27, KEY_LEFT, 'h', 0}, "Esc", true},
    {TUI_SEARCH, {'/', 0}, "/", true},
    {TUI_STATUS, {'s', 0}, "s", true},
    {TUI_RISK, {'r', 0}, "r", false},
    {TUI_REVIEW_DUE, {'d', 0}, "d", false},
    {TUI_HAS_ALERTS, {'!', 0}, "!", false},
    {TUI_CLINICIAN, {'c', 0}, "c", false},
    {TUI_PROGRAM, {'p', 0}, "p", false},
    {TUI_ORDER, {'o', 0}, "o", false},
    {TUI_NEXT_TAB, {'\t', 0}, "Tab", false},
    {TUI_PREV_TAB, {KEY_BTAB, 0}, "S-Tab", false},
    {TUI_LOG_ATTEMPT, {'a', 0}, "a", false},
    {TUI_LOG_MEASURE, {'m', 0}, "m", false},
    {TUI_ADD_ITEM, {'i', 0}, "i", false},
    {TUI_EDIT_RECORD, {'E', 0}, "E", false},
    {TUI_LOG_LAPSE, {'n', 0}, "n", false},
    {TUI_LOG_SESSION, {'v', 0}, "v", false},
    {TUI_ROSTER, {'R', 0}, "R", false},
    {TUI_REVIEW_QUEUE, {'W', 0}, "W", false},
    {TUI_SIGN, {'S', 0}, "S", false},
    {TUI_SAVE, {'w', 0}, "w", false},
    /* n and p are the lapse form and the program filter elsewhere: the
     * queues match them themselves; this row is for the help screen. */
    {TUI_NEXT_PATIENT, {0}, "n p", false},
    {TUI_COSIGN_QUEUE, {'A', 0}, "A", false},
    {TUI_COSIGN, {'C', 0}, "C", false},
    {TUI_SUPERVISOR, {'V', 0}, "V", true},
    /* p and r are the program and risk filters on the caseload: the
     * supervisor view matches them itself; these rows are for help. */
    {TUI_PRINT, {0}, "p", false},
    {TUI_RECOMPUTE, {0}, "r", false},
    {TUI_COMMAND, {':', 0}, ":", true},
    {TUI_HELP, {'?', KEY_F(1), 0}, "?", true},
    {TUI_REDRAW, {CTRL('l'), 0}, "^L", false},
    {TUI_QUIT, {'q', 0}, "q", true},
};

const size_t tui_key_count = sizeof tui_keys / sizeof tui_keys[0];

static const char *const labels[] = {[TUI_NONE] = "",
#define TUI_X_LABEL(a, label, help) [a] = label,
                                     TUI_ACTION_LIST(TUI_X_LABEL)
#undef TUI_X_LABEL
};

static const char *const helps[] = {[TUI_NONE] = "",
#define TUI_X_HELP(a, label, help) [a] = help,
                                    TUI_ACTION_LIST(TUI_X_HELP)
#undef TUI_X_HELP
};

enum tui_action tui_key_action(int key)
{
    for (size_t i = 0; i < tui_key_count; i++)
        for (int k = 0; k < 4 && tui_keys[i].keys[k]; k++)
            if (tui_keys[i].keys[k] == key)
                return tui_keys[i].action;
    return TUI_NONE;
}

const char *tui_action_label(enum tui_action action)
{
    return (unsigned)action < TUI_ACTION__COUNT ? labels[action] : "";
}

const char *tui_action_help(enum tui_action action)
{
    return (unsigned)action < TUI_ACTION__COUNT ? helps[action] : "";
}

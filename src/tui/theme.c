/* Semantic colours. Meaning is never carried by colour alone: risk and
 * status are always written out; colour only adds emphasis. */
#include <stdlib.h>

#include "tui/tui.h"

static const struct {
    short fg, bg;
    attr_t extra; /* added in colour mode */
    attr_t mono;  /* used instead in monochrome mode */
} theme[TUI_COLOR__COUNT] = {
    [TUI_COLOR_NORMAL] = {-1, -1, A_NORMAL, A_NORMAL},
    [TUI_COLOR_TITLE] = {COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE | A_BOLD},
    [TUI_COLOR_HEADER] = {COLOR_CYAN, -1, A_BOLD, A_BOLD | A_UNDERLINE},
    [TUI_COLOR_SELECTED] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
    [TUI_COLOR_STATUS_BAR] = {COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_REVERSE},
    [TUI_COLOR_RISK_HIGH] = {COLOR_RED, -1, A_BOLD, A_BOLD},
    [TUI_COLOR_RISK_MODERATE] = {COLOR_YELLOW, -1, A_NORMAL, A_NORMAL},
    [TUI_COLOR_DIM] = {-1, -1, A_DIM, A_DIM},
    [TUI_COLOR_ERROR] = {COLOR_RED, -1, A_BOLD, A_BOLD | A_REVERSE},
};

static bool use_color;

void tui_theme_init(void)
{
    const char *no_color = getenv("NO_COLOR");
    use_color = has_colors() && !(no_color && *no_color);
    if (!use_color)
        return;
    start_color();
    use_default_colors();
    for (int i = 1; i < TUI_COLOR__COUNT; i++)
        init_pair((short)i, theme[i].fg, theme[i].bg);
}

attr_t tui_attr(enum tui_color color)
{
    if ((unsigned)color >= TUI_COLOR__COUNT)
        return A_NORMAL;
    if (!use_color)
        return theme[color].mono;
    return color == TUI_COLOR_NORMAL ? A_NORMAL : (COLOR_PAIR(color) | theme[color].extra);
}

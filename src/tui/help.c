/* The help screen, generated from the key table; it scrolls when the
 * terminal is shorter than the table. */
#include "tui/tui.h"

/* Rows the key list gets: between the title and the status line. */
static int list_rows(const struct tui_app *app)
{
    return app->lines - 3;
}

void tui_help_draw(struct tui_app *app)
{
    int rows = list_rows(app), last_top = (int)tui_key_count - rows;
    if (app->help_top > last_top)
        app->help_top = last_top > 0 ? last_top : 0;
    attrset(tui_attr(TUI_COLOR_TITLE));
    tui_draw_text(0, 0,
                  (int)tui_key_count > rows ? " cairn — keys (↑↓ scroll, any other key returns)"
                                            : " cairn — keys (any key returns)",
                  app->cols);
    attrset(A_NORMAL);
    for (int r = 0; r < rows && app->help_top + r < (int)tui_key_count; r++) {
        const struct tui_key *k = &tui_keys[app->help_top + r];
        attrset(tui_attr(TUI_COLOR_HEADER));
        tui_draw_text(r + 2, 2, k->keys_label, 16);
        attrset(A_NORMAL);
        tui_draw_text(r + 2, 18, tui_action_help(k->action), app->cols - 18);
    }
    if (app->help_top + rows < (int)tui_key_count) {
        attrset(tui_attr(TUI_COLOR_DIM));
        tui_draw_text(app->lines - 1, 2, "↓ more", 10);
        attrset(A_NORMAL);
    }
    move(2, 2);
}

void tui_help_key(struct tui_app *app, int key)
{
    enum tui_action a = tui_key_action(key);
    int rows = list_rows(app);
    if (a == TUI_DOWN)
        app->help_top++; /* clamped when drawn */
    else if (a == TUI_UP && app->help_top > 0)
        app->help_top--;
    else if (a == TUI_PAGE_DOWN)
        app->help_top += rows;
    else if (a == TUI_PAGE_UP)
        app->help_top = app->help_top > rows ? app->help_top - rows : 0;
    else {
        app->screen = app->previous; /* any other key leaves help */
        app->help_top = 0;
    }
}

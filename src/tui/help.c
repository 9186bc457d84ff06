/* The help screen, generated from the key table. */
#include "tui/tui.h"

void tui_help_draw(struct tui_app *app)
{
    attrset(tui_attr(TUI_COLOR_TITLE));
    tui_draw_text(0, 0, " cairn — keys (any key returns)", app->cols);
    attrset(A_NORMAL);
    for (size_t i = 0; i < tui_key_count && (int)i + 2 < app->lines - 1; i++) {
        attrset(tui_attr(TUI_COLOR_HEADER));
        tui_draw_text((int)i + 2, 2, tui_keys[i].keys_label, 16);
        attrset(A_NORMAL);
        tui_draw_text((int)i + 2, 18, tui_action_help(tui_keys[i].action), app->cols - 18);
    }
    move(2, 2);
}

/* cairn tui (also: cairn with no command) */
#include <unistd.h>

#include "cli/cli.h"
#include "tui/tui.h"

int cli_tui_run(struct cli_ctx *ctx)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "cairn: the full-screen caseload needs a terminal; for scripts use "
                        "`cairn patient list` (see `cairn --help`)\n");
        return CLI_EXIT_USAGE;
    }
    return tui_run(ctx->store);
}

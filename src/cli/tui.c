/* cairn tui (also: cairn with no command) */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tui/tui.h"

/* "90s", "10m", "1h" or a plain number of minutes; "0" turns the lock off.
 * Returns seconds, or -1 when `text` is none of those. */
static int parse_duration(const char *text)
{
    char *end;
    if (!isdigit((unsigned char)text[0]))
        return -1;
    long n = strtol(text, &end, 10);
    long unit = *end == 's' ? 1 : *end == 'h' ? 3600 : 60;
    if ((*end && strchr("smh", *end) == NULL) || (*end && end[1]) || n < 0 || n > 24 * 60 * 60 ||
        n * unit > 24 * 60 * 60)
        return -1;
    return (int)(n * unit);
}

int cli_tui_run(struct cli_ctx *ctx)
{
    struct tui_options options = {
        .lock_after_seconds = 10 * 60, .login = ctx->login, .db_path = ctx->db_path};
    const char *lock = cli_opt(ctx, "lock-after");
    const char *from = "--lock-after";
    if (!lock && (lock = getenv("CAIRN_LOCK_AFTER")) != NULL)
        from = "CAIRN_LOCK_AFTER";
    if (lock && (options.lock_after_seconds = parse_duration(lock)) < 0)
        return cli_usage_error(ctx,
                               "%s must be a duration such as 90s, 10m or 1h (0: never), "
                               "not '%s'",
                               from, lock);
    const char *script = cli_opt(ctx, "script"), *size = cli_opt(ctx, "size");
    if (size && !script)
        return cli_usage_error(ctx, "--size goes with --script");
    if (script) {
        options.cols = 100;
        options.lines = 30;
        char extra;
        if (size &&
            (sscanf(size, "%dx%d%c", &options.cols, &options.lines, &extra) != 2 ||
             options.cols < 1 || options.lines < 1 || options.cols > 1000 || options.lines > 1000))
            return cli_usage_error(ctx, "--size is COLSxLINES, e.g. 100x30, not '%s'", size);
        FILE *f = strcmp(script, "-") == 0 ? stdin : fopen(script, "r");
        if (!f) {
            fprintf(stderr, "cairn: tui: %s: %s\n", script, strerror(errno));
            return CLI_EXIT_FAILED;
        }
        options.script = f;
        options.dump = stdout;
        int rc = tui_run(ctx->store, &options);
        if (f != stdin)
            fclose(f);
        return rc;
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "cairn: the full-screen caseload needs a terminal; for scripts use "
                        "`cairn patient list` (see `cairn --help`)\n");
        return CLI_EXIT_USAGE;
    }
    return tui_run(ctx->store, &options);
}

/* The $VISUAL/$EDITOR round trip `plan edit`, `safety edit` and `review
 * edit` share: a private 0600 file, the editor, problems written back into
 * the file as #! lines until it parses, and the file kept (its path
 * printed) whenever the save does not happen. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"

enum { FILE_MAX = 1 << 20 };

/* Reads at most FILE_MAX bytes of `path` ("-": stdin) into a malloc'd,
 * NUL-terminated buffer. */
int cli_read_file(struct cli_ctx *ctx, const char *path, char **text, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    *text = NULL;
    *len = 0;
    if (!f) {
        fprintf(stderr, "cairn: %s %s: %s: %s\n", ctx->cmd->group, ctx->cmd->verb, path,
                strerror(errno));
        return CLI_EXIT_FAILED;
    }
    char *buf = malloc(FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, FILE_MAX + 1, f) : 0;
    bool bad = !buf || ferror(f);
    if (f != stdin)
        fclose(f);
    if (bad || n > FILE_MAX) {
        fprintf(stderr, "cairn: %s %s: %s: %s\n", ctx->cmd->group, ctx->cmd->verb, path,
                bad ? "cannot read the file" : "larger than 1 MiB");
        free(buf);
        return bad ? CLI_EXIT_FAILED : CLI_EXIT_INVALID;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

/* The directory kept edits go to: $XDG_STATE_HOME/cairn, else
 * ~/.local/state/cairn, made 0700. */
static int state_dir(char *out, size_t size)
{
    const char *xdg = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    char base[PATH_MAX];
    if (xdg && *xdg == '/')
        snprintf(base, sizeof base, "%s", xdg);
    else if (home && *home == '/')
        snprintf(base, sizeof base, "%s/.local/state", home);
    else
        return -1;
    if (snprintf(out, size, "%s/cairn", base) >= (int)size)
        return -1;
    /* Each missing directory on the way, 0700. */
    for (char *s = out + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            if (mkdir(out, 0700) != 0 && errno != EEXIST)
                return -1;
            *s = '/';
        }
    if (mkdir(out, 0700) != 0 && errno != EEXIST)
        return -1;
    struct stat sb;
    if (lstat(out, &sb) != 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != getuid())
        return -1;
    return chmod(out, 0700);
}

static int write_all(const char *path, const char *text, size_t len)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    return close(fd);
}

/* Runs the user's editor on path: $VISUAL, $EDITOR, else vi, through
 * /bin/sh so the variable may hold arguments. Returns its exit status, or
 * -1 when it could not run or was killed. */
static int run_editor(const char *path)
{
    const char *editor = getenv("VISUAL");
    if (!editor || !*editor)
        editor = getenv("EDITOR");
    if (!editor || !*editor)
        editor = "vi";
    char script[4096];
    if (snprintf(script, sizeof script, "%s \"$1\"", editor) >= (int)sizeof script)
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* Run from the TUI's : line or with output redirected, cairn's own
         * standard output is not the terminal: give the editor the
         * terminal when there is one. */
        if (!isatty(STDOUT_FILENO)) {
            int tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
            if (tty >= 0) {
                dup2(tty, STDIN_FILENO);
                dup2(tty, STDOUT_FILENO);
            }
        }
        execl("/bin/sh", "sh", "-c", script, "sh", path, (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The marker of the lines cairn puts at the top of a file it re-opens
 * after an error; they are removed before the file is read again. */
static const char error_mark[] = "#! ";

/* Length of the leading block of error lines in text. */
static size_t error_block(const char *text)
{
    size_t at = 0;
    while (!strncmp(text + at, error_mark, sizeof error_mark - 1) ||
           !strncmp(text + at, "#!\n", 3)) {
        const char *nl = strchr(text + at, '\n');
        if (!nl)
            return strlen(text);
        at = (size_t)(nl - text) + 1;
    }
    return at;
}

/* True when text holds nothing but white space and comments. */
static bool blank_yaml(const char *text)
{
    for (const char *s = text; *s;) {
        s += strspn(s, " \t\r\n");
        if (*s == '#')
            s += strcspn(s, "\n");
        else if (*s)
            return false;
    }
    return true;
}

/* Builds the file to re-open: the problems as error lines (positions moved
 * down by the lines they take), then the user's text. */
static char *with_errors(const char *body, const struct cairn_template_diags *d)
{
    size_t lines = 2 + d->count + (d->truncated ? 1 : 0);
    size_t cap = strlen(body) + 512 * lines + 1;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t used = (size_t)snprintf(out, cap,
                                   "%scairn could not save this: fix the problems below and save "
                                   "again (lines starting #! are removed).\n",
                                   error_mark);
    for (size_t i = 0; i < d->count; i++) {
        const struct cairn_template_diag *g = &d->items[i];
        char msg[300];
        cairn_text_fit(g->message, 0, msg, sizeof msg);
        used +=
            (size_t)snprintf(out + used, cap - used, "%sline %zu, column %d: %s: %s\n", error_mark,
                             (size_t)g->line + lines, g->col, *g->pointer ? g->pointer : "/", msg);
    }
    if (d->truncated)
        used += (size_t)snprintf(out + used, cap - used, "%smore problems not shown\n", error_mark);
    used += (size_t)snprintf(out + used, cap - used, "#!\n");
    snprintf(out + used, cap - used, "%s", body);
    return out;
}

int cli_edit_loop(struct cli_ctx *ctx, const char *rendered,
                  enum cairn_status (*parse)(const char *body, size_t len,
                                             struct cairn_template_diags *diags,
                                             struct cairn_error *err, void *arg),
                  enum cairn_status (*save)(struct cli_ctx *ctx, void *arg), void *arg)
{
    struct cairn_template_diags *diags = malloc(sizeof *diags);
    char *current = NULL, *saved = NULL;
    char dir[PATH_MAX], path[PATH_MAX + 32] = "";
    bool keep = false;
    int rc;
    const char *what = ctx->cmd->group;
    if (!diags)
        return CLI_EXIT_FAILED;
    if (state_dir(dir, sizeof dir) != 0) {
        fprintf(stderr,
                "cairn: %s edit: cannot make a private directory for the edit "
                "($XDG_STATE_HOME/cairn or ~/.local/state/cairn)\n",
                what);
        rc = CLI_EXIT_FAILED;
        goto out;
    }
    snprintf(path, sizeof path, "%s/edit-XXXXXX.yaml", dir);
    int fd = mkstemps(path, 5);
    if (fd < 0) {
        fprintf(stderr, "cairn: %s edit: cannot create a file in %s: %s\n", what, dir,
                strerror(errno));
        path[0] = '\0';
        rc = CLI_EXIT_FAILED;
        goto out;
    }
    fchmod(fd, 0600);
    close(fd);
    current = strdup(rendered);
    for (;;) {
        size_t len = 0;
        if (!current || write_all(path, current, strlen(current)) != 0) {
            fprintf(stderr, "cairn: %s edit: cannot write %s\n", what, path);
            rc = CLI_EXIT_FAILED;
            keep = true;
            goto out;
        }
        int ed = run_editor(path);
        if (ed != 0) {
            fprintf(stderr,
                    "cairn: %s edit: the editor failed (%s %d); nothing was saved, your "
                    "text is kept in %s\n",
                    what, ed < 0 ? "status" : "exit", ed, path);
            rc = CLI_EXIT_FAILED;
            keep = true;
            goto out;
        }
        free(saved);
        if ((rc = cli_read_file(ctx, path, &saved, &len))) {
            keep = true;
            goto out;
        }
        const char *body = saved + error_block(saved);
        const char *old_body = current + error_block(current);
        if (blank_yaml(body) || !strcmp(body, rendered)) {
            printf("no change\n");
            rc = 0;
            goto out;
        }
        if (old_body != current && !strcmp(saved, current)) {
            fprintf(stderr,
                    "cairn: %s edit: the file still has the problems shown; nothing was "
                    "saved, your text is kept in %s\n",
                    what, path);
            rc = CLI_EXIT_INVALID;
            keep = true;
            goto out;
        }
        enum cairn_status st = parse(body, strlen(body), diags, &ctx->err, arg);
        if (st == CAIRN_ERR_INVALID) {
            /* Positions in the file as saved, error lines included. */
            int offset = 0;
            for (const char *c = saved; c < body; c++)
                offset += *c == '\n';
            for (size_t i = 0; i < diags->count; i++) {
                const struct cairn_template_diag *g = &diags->items[i];
                fprintf(stderr, "%s:%d:%d: %s: %s\n", path, g->line + offset, g->col,
                        *g->pointer ? g->pointer : "/", g->message);
            }
            char *next = with_errors(body, diags);
            free(current);
            current = next;
            continue;
        }
        if (st != CAIRN_OK) {
            rc = cli_fail(ctx, st, NULL);
            keep = true;
            goto out;
        }
        st = save(ctx, arg);
        if (st != CAIRN_OK) {
            fprintf(stderr, "cairn: %s edit: %s; your edit is kept in %s\n", what, ctx->err.message,
                    path);
            rc = cli_exit_code(st);
            keep = true;
            goto out;
        }
        rc = 0;
        goto out;
    }
out:
    if (path[0] && !keep)
        unlink(path);
    free(current);
    free(saved);
    free(diags);
    return rc;
}

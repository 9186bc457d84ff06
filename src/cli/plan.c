/* cairn plan show|edit|set|goal|history|diff, safety show|edit|history|diff,
 * lapse add|list. */
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

/* The patient named by the first argument (not audited: the plan read is). */
static enum cairn_plan_kind kind_of(const struct cli_ctx *ctx)
{
    return strcmp(ctx->cmd->group, "safety") == 0 ? CAIRN_PLAN_SAFETY : CAIRN_PLAN_RELAPSE;
}

/* Parses a revision number argument or option value; exit 3 on error. */
static int parse_revision(struct cli_ctx *ctx, const char *text, const char *what, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = text ? strtol(text, &end, 10) : -1;
    if (!text || !*text || *end || errno || v < 0 || v > INT_MAX) {
        fprintf(stderr, "cairn: %s %s: %s: expected a revision number (0 or more)\n",
                ctx->cmd->group, ctx->cmd->verb, what);
        return CLI_EXIT_INVALID;
    }
    *out = (int)v;
    return 0;
}

/* Reads a patient's plan of the command's kind at `revision` (0: head);
 * `audited` when it will be shown (a read of the record), not when it is
 * only changed (the save is audited). */
static int get_plan(struct cli_ctx *ctx, const struct cairn_patient *pt, int revision, bool audited,
                    struct cairn_plan **out)
{
    *out = cairn_plan_new(kind_of(ctx));
    if (!*out)
        return CLI_EXIT_FAILED;
    enum cairn_status st =
        audited ? cairn_plan_read(ctx->store, kind_of(ctx), pt->id, revision, *out, &ctx->err)
                : cairn_plan_load(ctx->store, kind_of(ctx), pt->id, revision, *out, &ctx->err);
    if (st != CAIRN_OK) {
        cairn_plan_free(out);
        if (st == CAIRN_ERR_NOT_FOUND && !ctx->err.pointer[0])
            snprintf(ctx->err.message, sizeof ctx->err.message,
                     "patient %.40s has no plan: admit them to a program first", pt->mrn);
        return cli_fail(ctx, st, NULL);
    }
    return 0;
}

static int read_plan(struct cli_ctx *ctx, const struct cairn_patient *pt, int revision,
                     struct cairn_plan **out)
{
    return get_plan(ctx, pt, revision, true, out);
}

/* Prints text made safe for the terminal. */
static void put_safe(const char *s)
{
    char buf[4 * CAIRN_PLAN_TEXT_MAX + 4 * 3 * CAIRN_PLAN_SHORT_MAX + 256];
    cairn_text_fit(s, 0, buf, sizeof buf);
    fputs(buf, stdout);
}

/* Prints multi-line text made safe for the terminal, line by line. */
static void put_safe_lines(const char *text)
{
    char line[8192];
    for (const char *s = text; s && *s;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        if (n >= sizeof line)
            n = sizeof line - 1;
        memcpy(line, s, n);
        line[n] = '\0';
        put_safe(line);
        fputc('\n', stdout);
        s = nl ? nl + 1 : NULL;
    }
}

struct tallies {
    size_t n;
    struct cairn_goal_tally items[512];
};

static int collect_tally(const struct cairn_goal_tally *t, void *ctx)
{
    struct tallies *all = ctx;
    if (all->n < sizeof all->items / sizeof all->items[0])
        all->items[all->n++] = *t;
    return 0;
}

static void print_plan_text(const struct cairn_patient *pt, const struct cairn_plan *p,
                            const struct tallies *tallies)
{
    char line[4 * CAIRN_PLAN_TEXT_MAX + 4 * 3 * CAIRN_PLAN_SHORT_MAX + 256];
    printf("%s for MRN ", p->kind == CAIRN_PLAN_SAFETY ? "Safety plan" : "Plan");
    put_safe(pt->mrn);
    printf(": revision %d", p->revision);
    if (p->revision != p->head)
        printf(" (the newest is %d)", p->head);
    if (p->kind == CAIRN_PLAN_RELAPSE) {
        printf(", %s", p->status);
        if (p->signed_by[0] && p->revision == p->head) {
            printf(", signed by ");
            put_safe(p->signed_by);
            printf(" at %s", p->signed_at);
        }
        printf(", next review %s", p->next_review_date[0] ? p->next_review_date : "not set");
    }
    printf("\n");
    for (size_t s = 0; s < p->nparts; s++) {
        const struct cairn_plan_part *part = &p->parts[s];
        printf("\n%s (%s)\n", cairn_plan_part_title(p->kind, part->section),
               cairn_plan_part_name(p->kind, part->section));
        if (!part->nitems)
            printf("  (none)\n");
        for (size_t i = 0; i < part->nitems; i++) {
            const struct cairn_plan_item *it = &part->items[i];
            cairn_plan_item_line(p->kind, part->section, it, line, sizeof line);
            printf("  %zu. [%s] ", i + 1, it->key);
            put_safe(line);
            printf("\n");
            for (size_t t = 0; tallies && t < tallies->n; t++)
                if (p->kind == CAIRN_PLAN_RELAPSE && part->section == CAIRN_SECTION_SOCIAL_GOALS &&
                    !strcmp(tallies->items[t].goal, it->key))
                    printf("       %s: met %d of %d\n", tallies->items[t].week,
                           tallies->items[t].done, it->weekly_target);
        }
    }
}

static int print_plan_json(struct cli_ctx *ctx, const struct cairn_patient *pt,
                           const struct cairn_plan *p, const struct tallies *tallies)
{
    char *text = NULL;
    enum cairn_status st = cairn_plan_export(p, &text, &ctx->err);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    json_t *doc = json_loads(text, 0, NULL);
    free(text);
    json_t *out = json_object();
    json_object_set_new(out, "mrn", json_string(pt->mrn));
    json_object_update(out, doc);
    json_decref(doc);
    if (tallies) {
        json_t *list = json_array();
        for (size_t t = 0; t < tallies->n; t++) {
            json_t *o = json_object();
            json_object_set_new(o, "goal", json_string(tallies->items[t].goal));
            json_object_set_new(o, "week", json_string(tallies->items[t].week));
            json_object_set_new(o, "done", json_integer(tallies->items[t].done));
            json_array_append_new(list, o);
        }
        json_object_set_new(out, "tallies", list);
    }
    return cli_json_print(out) ? CLI_EXIT_FAILED : 0;
}

int cli_plan_show(struct cli_ctx *ctx)
{
    struct cairn_patient pt;
    struct cairn_plan *p = NULL;
    struct tallies *tallies = NULL;
    int revision = 0, rc;
    if ((rc = cli_patient(ctx, false, &pt)))
        return rc;
    if (cli_opt(ctx, "rev") && (rc = parse_revision(ctx, cli_opt(ctx, "rev"), "--rev", &revision)))
        return rc;
    if ((rc = read_plan(ctx, &pt, revision, &p)))
        return rc;
    if (p->kind == CAIRN_PLAN_RELAPSE) {
        tallies = calloc(1, sizeof *tallies);
        enum cairn_status st =
            tallies ? cairn_plan_goal_list(ctx->store, pt.id, collect_tally, tallies, &ctx->err)
                    : CAIRN_ERR_NOMEM;
        if (st != CAIRN_OK) {
            rc = cli_fail(ctx, st, NULL);
            goto out;
        }
    }
    if (ctx->format == CLI_FORMAT_JSON)
        rc = print_plan_json(ctx, &pt, p, tallies);
    else
        print_plan_text(&pt, p, tallies);
out:
    free(tallies);
    cairn_plan_free(&p);
    return rc;
}

static int history_row(const struct cairn_plan_revision *r, void *ctx)
{
    struct cli_list *list = ctx;
    char rev[16];
    snprintf(rev, sizeof rev, "%d", r->revision);
    const char *cells[] = {rev, r->created_at, r->author, r->status, r->reason};
    json_t *o = json_object();
    json_object_set_new(o, "revision", json_integer(r->revision));
    json_object_set_new(o, "created_at", json_string(r->created_at));
    json_object_set_new(o, "author", json_string(r->author));
    cli_json_set_text(o, "status", r->status);
    cli_json_set_text(o, "reason", r->reason);
    cli_list_row(list, cells, o);
    return 0;
}

int cli_plan_history(struct cli_ctx *ctx)
{
    static const struct cli_col cols[] = {
        {"REVISION", CLI_COL_NUMBER, 0}, {"AT (UTC)", CLI_COL_TEXT, 0}, {"AUTHOR", CLI_COL_TEXT, 0},
        {"STATUS", CLI_COL_TEXT, 0},     {"REASON", CLI_COL_TEXT, 60},
    };
    struct cairn_patient pt;
    int rc;
    if ((rc = cli_patient(ctx, false, &pt)))
        return rc;
    struct cli_list *list = cli_list_begin(ctx->format, cols, 5);
    if (!list)
        return CLI_EXIT_FAILED;
    enum cairn_status st =
        cairn_plan_history(ctx->store, kind_of(ctx), pt.id, history_row, list, &ctx->err);
    int out = cli_list_end(&list);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    return out;
}

int cli_plan_diff(struct cli_ctx *ctx)
{
    struct cairn_patient pt;
    struct cairn_plan *head = NULL, *from = NULL, *to = NULL;
    char *diff = NULL;
    int a = -1, b = -1, rc;
    if ((rc = cli_patient(ctx, false, &pt)))
        return rc;
    if (ctx->nargs > 1 && (rc = parse_revision(ctx, ctx->args[1], "A", &a)))
        return rc;
    if (ctx->nargs > 2 && (rc = parse_revision(ctx, ctx->args[2], "B", &b)))
        return rc;
    if ((rc = read_plan(ctx, &pt, 0, &head)))
        return rc;
    if (b < 0)
        b = head->head;
    if (a < 0)
        a = b > 0 ? b - 1 : 0;
    if ((rc = read_plan(ctx, &pt, a, &from)) || (rc = read_plan(ctx, &pt, b, &to)))
        goto out;
    enum cairn_status st = cairn_plan_diff(from, to, &diff, &ctx->err);
    if (st != CAIRN_OK) {
        rc = cli_fail(ctx, st, NULL);
        goto out;
    }
    printf("revision %d -> %d\n", a, b);
    if (!*diff)
        printf("no differences\n");
    else
        put_safe_lines(diff);
out:
    free(diff);
    cairn_plan_free(&head);
    cairn_plan_free(&from);
    cairn_plan_free(&to);
    return rc;
}

/* --- saving ---------------------------------------------------------------- */

/* Reports the outcome of a save on stdout; 0, or the exit code of a failure. */
static int report_save(struct cli_ctx *ctx, enum cairn_status st, const struct cairn_plan *p,
                       bool unchanged)
{
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    if (unchanged)
        printf("no change (revision %d)\n", p->head);
    else
        printf("saved revision %d\n", p->revision);
    return 0;
}

/* Reads at most FILE_MAX bytes of `path` ("-": stdin) into a malloc'd,
 * NUL-terminated buffer. */
static int read_file(struct cli_ctx *ctx, const char *path, char **text, size_t *len)
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

int cli_plan_set(struct cli_ctx *ctx)
{
    struct cairn_patient pt;
    struct cairn_plan *p = NULL;
    const char *section = ctx->nargs > 1 ? ctx->args[1] : NULL;
    const char *add = cli_opt(ctx, "add"), *remove = cli_opt(ctx, "remove"),
               *from = cli_opt(ctx, "from-file"), *status = cli_opt(ctx, "status"),
               *next_review = cli_opt(ctx, "next-review");
    char *text = NULL;
    size_t len = 0;
    bool unchanged = false;
    int rc, base = -1;
    int edits = (add != NULL) + (remove != NULL) + (from != NULL);
    if (edits > 1)
        return cli_usage_error(ctx, "give one of --add, --remove and --from-file");
    if ((add || remove) && !section)
        return cli_usage_error(ctx, "--add and --remove need a SECTION");
    if (section && !add && !remove)
        return cli_usage_error(ctx, "SECTION needs --add or --remove");
    if (from && section)
        return cli_usage_error(ctx, "--from-file replaces the whole plan: give no SECTION");
    if (!edits && !status && !next_review)
        return cli_usage_error(ctx, "nothing to change: give --add, --remove, --from-file, "
                                    "--status or --next-review");
    if (kind_of(ctx) == CAIRN_PLAN_RELAPSE && status && strcmp(status, "draft") &&
        strcmp(status, "active")) {
        fprintf(stderr, "cairn: plan set: --status: must be draft or active\n");
        return CLI_EXIT_INVALID;
    }
    if (cli_opt(ctx, "if-revision") &&
        (rc = parse_revision(ctx, cli_opt(ctx, "if-revision"), "--if-revision", &base)))
        return rc;
    if ((rc = cli_patient(ctx, false, &pt)))
        return rc;
    if (from && (rc = read_file(ctx, from, &text, &len)))
        return rc;
    if ((rc = get_plan(ctx, &pt, 0, false, &p)))
        goto out;
    if (base >= 0)
        p->revision = base;
    enum cairn_status st = CAIRN_OK;
    if (from)
        st = cairn_plan_import(p, text, len, &ctx->err);
    else if (add)
        st = cairn_plan_add_item(p, section, add, &ctx->err);
    else if (remove) {
        unsigned long long n = 0;
        if ((rc = cli_uint(ctx, "remove", 1, CAIRN_PLAN_ITEMS_MAX, &n)))
            goto out;
        st = cairn_plan_remove_item(p, section, (size_t)n, &ctx->err);
    }
    if (st == CAIRN_OK && status)
        snprintf(p->status, sizeof p->status, "%s", status);
    if (st == CAIRN_OK && next_review) {
        char date[CAIRN_DATE_LEN + 1] = "";
        if (*next_review && (rc = cli_date(ctx, "next-review", date)))
            goto out;
        memcpy(p->next_review_date, date, sizeof date);
    }
    if (st != CAIRN_OK) {
        rc = cli_fail(ctx, st, from);
        goto out;
    }
    char reason[128];
    const char *why = cli_opt(ctx, "reason");
    if (!why) {
        if (from)
            snprintf(reason, sizeof reason, "imported from a file");
        else if (section)
            snprintf(reason, sizeof reason, "%s %s", add ? "added to" : "removed from", section);
        else
            snprintf(reason, sizeof reason, "status or review date");
        why = reason;
    }
    st = cairn_plan_save(ctx->store, p, why, &unchanged, &ctx->err);
    rc = report_save(ctx, st, p, unchanged);
out:
    free(text);
    cairn_plan_free(&p);
    return rc;
}

int cli_plan_goal(struct cli_ctx *ctx)
{
    struct cairn_patient pt;
    unsigned long long done = 0;
    int rc;
    if (!cli_opt(ctx, "week") || !cli_opt(ctx, "done"))
        return cli_usage_error(ctx, "--week and --done are required");
    if ((rc = cli_uint(ctx, "done", 0, 99, &done)))
        return rc;
    if ((rc = cli_patient(ctx, false, &pt)))
        return rc;
    enum cairn_status st = cairn_plan_goal_record(ctx->store, pt.id, ctx->args[1],
                                                  cli_opt(ctx, "week"), (int)done, &ctx->err);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    printf("recorded %s %s: %llu\n", ctx->args[1], cli_opt(ctx, "week"), done);
    return 0;
}

/* --- plan edit --------------------------------------------------------------- */

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

int cli_plan_edit(struct cli_ctx *ctx)
{
    struct cairn_patient pt;
    struct cairn_plan *p = NULL;
    struct cairn_template_diags *diags = malloc(sizeof *diags);
    char *rendered = NULL, *current = NULL, *saved = NULL;
    char dir[PATH_MAX], path[PATH_MAX + 32] = "";
    bool keep = false;
    int rc;
    if (!diags)
        return CLI_EXIT_FAILED;
    if ((rc = cli_patient(ctx, false, &pt)))
        goto out;
    if ((rc = read_plan(ctx, &pt, 0, &p)))
        goto out;
    char header[256];
    snprintf(header, sizeof header, "cairn %s for MRN %.40s, revision %d%s%s",
             p->kind == CAIRN_PLAN_SAFETY ? "safety plan" : "plan", pt.mrn, p->head,
             p->kind == CAIRN_PLAN_RELAPSE ? ", " : "", p->status);
    enum cairn_status st = cairn_plan_render_yaml(p, header, &rendered, &ctx->err);
    if (st != CAIRN_OK) {
        rc = cli_fail(ctx, st, NULL);
        goto out;
    }
    if (state_dir(dir, sizeof dir) != 0) {
        fprintf(stderr,
                "cairn: %s edit: cannot make a private directory for the edit "
                "($XDG_STATE_HOME/cairn or ~/.local/state/cairn)\n",
                ctx->cmd->group);
        rc = CLI_EXIT_FAILED;
        goto out;
    }
    snprintf(path, sizeof path, "%s/edit-XXXXXX.yaml", dir);
    int fd = mkstemps(path, 5);
    if (fd < 0) {
        fprintf(stderr, "cairn: %s edit: cannot create a file in %s: %s\n", ctx->cmd->group, dir,
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
            fprintf(stderr, "cairn: %s edit: cannot write %s\n", ctx->cmd->group, path);
            rc = CLI_EXIT_FAILED;
            keep = true;
            goto out;
        }
        int ed = run_editor(path);
        if (ed != 0) {
            fprintf(stderr,
                    "cairn: %s edit: the editor failed (%s %d); nothing was saved, your "
                    "text is kept in %s\n",
                    ctx->cmd->group, ed < 0 ? "status" : "exit", ed, path);
            rc = CLI_EXIT_FAILED;
            keep = true;
            goto out;
        }
        free(saved);
        if ((rc = read_file(ctx, path, &saved, &len))) {
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
                    ctx->cmd->group, path);
            rc = CLI_EXIT_INVALID;
            keep = true;
            goto out;
        }
        int base = p->head;
        st = cairn_plan_parse_yaml(p, body, strlen(body), diags, &ctx->err);
        p->revision = base;
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
        bool unchanged = false;
        st = cairn_plan_save(ctx->store, p,
                             cli_opt(ctx, "reason") ? cli_opt(ctx, "reason") : "edited", &unchanged,
                             &ctx->err);
        if (st == CAIRN_ERR_CONFLICT || (st != CAIRN_OK && st != CAIRN_ERR_INVALID)) {
            char what[PATH_MAX + 64];
            snprintf(what, sizeof what, "your edit is kept in %s", path);
            fprintf(stderr, "cairn: %s edit: %s; %s\n", ctx->cmd->group, ctx->err.message, what);
            rc = cli_exit_code(st);
            keep = true;
            goto out;
        }
        rc = report_save(ctx, st, p, unchanged);
        keep = rc != 0;
        goto out;
    }
out:
    if (path[0] && !keep)
        unlink(path);
    free(rendered);
    free(current);
    free(saved);
    free(diags);
    cairn_plan_free(&p);
    return rc;
}

/* --- lapse ----------------------------------------------------------------- */

int cli_lapse_add(struct cli_ctx *ctx)
{
    struct cairn_patient pt;
    struct cairn_lapse *l = calloc(1, sizeof *l);
    int rc = l ? 0 : CLI_EXIT_FAILED;
    if (rc)
        return rc;
    if (!cli_opt(ctx, "kind")) {
        free(l);
        return cli_usage_error(ctx, "--kind is required (lapse or relapse)");
    }
    if ((rc = cli_copy(ctx, "kind", l->kind, sizeof l->kind)) ||
        (rc = cli_copy(ctx, "trigger", l->trigger, sizeof l->trigger)) ||
        (rc = cli_copy(ctx, "coping", l->coping, sizeof l->coping)) ||
        (rc = cli_copy(ctx, "note", l->note, sizeof l->note)))
        goto out;
    if (cli_opt(ctx, "date")) {
        if ((rc = cli_date(ctx, "date", l->date)))
            goto out;
    } else {
        cairn_date_format(cairn_store_today(ctx->store), l->date);
    }
    if ((rc = cli_patient(ctx, false, &pt)))
        goto out;
    l->patient_id = pt.id;
    enum cairn_status st = cairn_lapse_add(ctx->store, l, &ctx->err);
    if (st != CAIRN_OK) {
        rc = cli_fail(ctx, st, NULL);
        goto out;
    }
    printf("logged %s %lld on %s\n", l->kind, (long long)l->id, l->date);
out:
    free(l);
    return rc;
}

static int lapse_row(const struct cairn_lapse *l, void *ctx)
{
    struct cli_list *list = ctx;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)l->id);
    const char *cells[] = {id, l->date, l->kind, l->trigger, l->coping, l->note, l->entered_by};
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(l->id));
    json_object_set_new(o, "date", json_string(l->date));
    json_object_set_new(o, "kind", json_string(l->kind));
    cli_json_set_text(o, "trigger", l->trigger);
    cli_json_set_text(o, "coping", l->coping);
    cli_json_set_text(o, "note", l->note);
    json_object_set_new(o, "entered_by", json_string(l->entered_by));
    json_object_set_new(o, "created_at", json_string(l->created_at));
    cli_list_row(list, cells, o);
    return 0;
}

int cli_lapse_list(struct cli_ctx *ctx)
{
    static const struct cli_col cols[] = {
        {"ID", CLI_COL_NUMBER, 0},       {"DATE", CLI_COL_TEXT, 0},    {"KIND", CLI_COL_TEXT, 0},
        {"TRIGGER", CLI_COL_TEXT, 30},   {"COPING", CLI_COL_TEXT, 30}, {"NOTE", CLI_COL_TEXT, 30},
        {"ENTERED BY", CLI_COL_TEXT, 0},
    };
    struct cairn_patient pt;
    int rc;
    if ((rc = cli_patient(ctx, false, &pt)))
        return rc;
    struct cli_list *list = cli_list_begin(ctx->format, cols, 7);
    if (!list)
        return CLI_EXIT_FAILED;
    enum cairn_status st = cairn_lapse_list(ctx->store, pt.id, lapse_row, list, &ctx->err);
    int out = cli_list_end(&list);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    return out;
}

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
    cli_put_safe(pt->mrn);
    printf(": revision %d", p->revision);
    if (p->revision != p->head)
        printf(" (the newest is %d)", p->head);
    if (p->kind == CAIRN_PLAN_RELAPSE) {
        printf(", %s", p->status);
        if (p->signed_by[0] && p->revision == p->head) {
            printf(", signed by ");
            cli_put_safe(p->signed_by);
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
            cli_put_safe(line);
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
        cli_put_safe_lines(diff, "");
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
    if (from && (rc = cli_read_file(ctx, from, &text, &len)))
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

struct plan_edit {
    struct cairn_plan *p;
    int base;
};

static enum cairn_status plan_parse(const char *body, size_t len,
                                    struct cairn_template_diags *diags, struct cairn_error *err,
                                    void *arg)
{
    struct plan_edit *pe = arg;
    enum cairn_status st = cairn_plan_parse_yaml(pe->p, body, len, diags, err);
    pe->p->revision = pe->base;
    return st;
}

static enum cairn_status plan_save(struct cli_ctx *ctx, void *arg)
{
    struct plan_edit *pe = arg;
    bool unchanged = false;
    enum cairn_status st = cairn_plan_save(
        ctx->store, pe->p, cli_opt(ctx, "reason") ? cli_opt(ctx, "reason") : "edited", &unchanged,
        &ctx->err);
    if (st == CAIRN_OK)
        report_save(ctx, st, pe->p, unchanged);
    return st;
}

int cli_plan_edit(struct cli_ctx *ctx)
{
    struct cairn_patient pt;
    struct cairn_plan *p = NULL;
    char *rendered = NULL;
    int rc;
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
    struct plan_edit pe = {.p = p, .base = p->head};
    rc = cli_edit_loop(ctx, rendered, plan_parse, plan_save, &pe);
out:
    free(rendered);
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

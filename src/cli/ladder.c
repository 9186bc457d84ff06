/* cairn ladder list|show|add-step|move-step|edit-step|attempt */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* Text made safe to print, cut to `cols` columns (0: whole). */
#define SAFE(buf, text, cols) (cairn_text_fit((text), (cols), (buf), sizeof(buf)), (buf))

/* Parses a positional 1-based number (a step or a place). */
static int positional(struct cli_ctx *ctx, const char *text, const char *what, int *out)
{
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (!*text || *end || v < 1 || v > INT_MAX)
        return cli_usage_error(ctx, "%s: expected a step number (1, 2, …), not \"%s\"", what, text);
    *out = (int)v;
    return 0;
}

/* Reads an optional integer option into *out (unchanged when absent). */
static int int_option(struct cli_ctx *ctx, const char *opt, int min, int max, int *out)
{
    unsigned long long v;
    if (!cli_opt(ctx, opt))
        return 0;
    int rc = cli_uint(ctx, opt, (unsigned long long)min, (unsigned long long)max, &v);
    if (rc == 0)
        *out = (int)v;
    return rc;
}

static int if_version(struct cli_ctx *ctx, int64_t *out)
{
    unsigned long long v = 0;
    int rc = cli_uint(ctx, "if-version", 1, LLONG_MAX, &v);
    *out = (int64_t)v;
    return rc;
}

static json_t *mastery_json(const struct cairn_mastery *m)
{
    static const char *const branches[] = {"no_attempts", "not_yet", "peak", "drop"};
    json_t *o = json_object();
    json_object_set_new(o, "branch", json_string(branches[m->branch]));
    json_object_set_new(o, "reason", json_string(m->reason));
    return o;
}

static json_t *ladder_json(const struct cairn_ladder *l, bool steps)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(l->id));
    json_object_set_new(o, "position", json_integer(l->position));
    json_object_set_new(o, "name", json_string(l->name));
    cli_json_set_text(o, "target", l->target);
    json_object_set_new(o, "scale", json_integer(l->scale));
    json_object_set_new(o, "status", json_string(l->retired ? "retired" : "active"));
    json_object_set_new(o, "version", json_integer(l->version));
    json_object_set_new(o, "steps_mastered", json_integer((json_int_t)cairn_ladder_mastered(l)));
    json_object_set_new(o, "attempts", json_integer(l->attempts));
    cli_json_set_text(o, "last_attempt", l->last_attempt);
    json_object_set_new(o, "next_step",
                        l->next >= 0 ? json_integer(l->steps[l->next].position) : json_null());
    size_t live = 0;
    json_t *arr = json_array();
    for (size_t i = 0; i < l->nsteps; i++) {
        const struct cairn_ladder_step *s = &l->steps[i];
        live += !s->retired;
        if (!steps)
            continue;
        json_t *so = json_object();
        json_object_set_new(so, "id", json_integer(s->id));
        json_object_set_new(so, "position", json_integer(s->position));
        json_object_set_new(so, "text", json_string(s->text));
        json_object_set_new(so, "suds", json_integer(s->suds));
        json_object_set_new(so, "status", json_string(cairn_step_status_str(s->status)));
        json_object_set_new(so, "retired", json_boolean(s->retired));
        json_object_set_new(so, "attempts", json_integer(s->attempts));
        json_object_set_new(so, "first_peak",
                            s->attempts ? json_integer(s->first_peak) : json_null());
        json_object_set_new(so, "last_peak",
                            s->attempts ? json_integer(s->last_peak) : json_null());
        cli_json_set_text(so, "last_attempt", s->last_date);
        json_object_set_new(so, "mastery", mastery_json(&s->mastery));
        json_object_set_new(so, "version", json_integer(s->version));
        json_array_append_new(arr, so);
    }
    json_object_set_new(o, "steps_live", json_integer((json_int_t)live));
    if (steps) {
        json_t *rule = json_object();
        json_object_set_new(rule, "peak_suds_at_most", json_integer(l->rule.peak_suds_at_most));
        json_object_set_new(rule, "consecutive", json_integer(l->rule.consecutive));
        json_object_set_new(rule, "or_drop_percent", json_integer(l->rule.or_drop_percent));
        json_object_set_new(rule, "note",
                            json_string("a program convention, not a validated standard"));
        json_object_set_new(o, "mastery_rule", rule);
        json_object_set_new(o, "steps", arr);
        struct cairn_ladder_warning w[CAIRN_LADDER_WARNINGS_MAX];
        size_t nw = cairn_ladder_warnings(l, w, CAIRN_LADDER_WARNINGS_MAX);
        json_t *warr = json_array();
        for (size_t i = 0; i < nw; i++)
            json_array_append_new(warr, json_string(w[i].text));
        json_object_set_new(o, "warnings", warr);
    } else {
        json_decref(arr);
    }
    return o;
}

static int list_row(const struct cairn_ladder *l, void *arg)
{
    struct cli_list *list = arg;
    char steps[16], mastered[16], attempts[16], pos[16], scale[16], next[1024], name[1024];
    size_t live = 0;
    for (size_t i = 0; i < l->nsteps; i++)
        live += !l->steps[i].retired;
    snprintf(pos, sizeof pos, "%d", l->position);
    snprintf(scale, sizeof scale, "0-%d", l->scale);
    snprintf(steps, sizeof steps, "%zu", live);
    snprintf(mastered, sizeof mastered, "%zu", cairn_ladder_mastered(l));
    snprintf(attempts, sizeof attempts, "%d", l->attempts);
    if (l->next >= 0)
        snprintf(next, sizeof next, "%d. %s", l->steps[l->next].position, l->steps[l->next].text);
    else
        snprintf(next, sizeof next, "%s", l->nsteps ? "(all mastered or skipped)" : "");
    snprintf(name, sizeof name, "%s", l->name);
    const char *cells[] = {pos,
                           name,
                           l->retired ? "retired" : "active",
                           scale,
                           steps,
                           mastered,
                           attempts,
                           l->last_attempt,
                           next};
    cli_list_row(list, cells, ladder_json(l, false));
    return 0;
}

int cli_ladder_list(struct cli_ctx *ctx)
{
    static const struct cli_col cols[] = {
        {"#", CLI_COL_NUMBER, 0},        {"LADDER", CLI_COL_TEXT, 32},
        {"STATUS", CLI_COL_TEXT, 0},     {"SCALE", CLI_COL_TEXT, 0},
        {"STEPS", CLI_COL_NUMBER, 0},    {"MASTERED", CLI_COL_NUMBER, 0},
        {"ATTEMPTS", CLI_COL_NUMBER, 0}, {"LAST", CLI_COL_TEXT, 0},
        {"NEXT STEP", CLI_COL_TEXT, 40},
    };
    struct cairn_patient p;
    int rc = cli_patient(ctx, true, &p);
    if (rc)
        return rc;
    struct cli_list *list = cli_list_begin(ctx->format, cols, sizeof cols / sizeof cols[0]);
    if (!list)
        return CLI_EXIT_FAILED;
    enum cairn_status st =
        cairn_ladder_list(ctx->store, p.id, cli_opt(ctx, "all") != NULL, list_row, list, &ctx->err);
    int out = cli_list_end(&list);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, ctx->args[0]);
    return out ? CLI_EXIT_FAILED : 0;
}

/* Loads the patient (first argument) and their ladder (second). */
static int load_ladder(struct cli_ctx *ctx, bool audited, struct cairn_ladder **out)
{
    struct cairn_patient p;
    int rc = cli_patient(ctx, audited, &p);
    if (rc)
        return rc;
    struct cairn_ladder *l = malloc(sizeof *l);
    if (!l)
        return CLI_EXIT_FAILED;
    enum cairn_status st = cairn_ladder_load(ctx->store, p.id, ctx->args[1], l, &ctx->err);
    if (st != CAIRN_OK) {
        free(l);
        return cli_fail(ctx, st, NULL);
    }
    *out = l;
    return 0;
}

static void print_rule(const struct cairn_ladder *l)
{
    /* The limit is on the 0–100 scale; a 0–10 ladder reads a tenth of it. */
    int limit = l->rule.peak_suds_at_most;
    char shown[16];
    if (l->scale == 10 && limit % 10)
        snprintf(shown, sizeof shown, "%d.%d", limit / 10, limit % 10);
    else
        snprintf(shown, sizeof shown, "%d", l->scale == 10 ? limit / 10 : limit);
    printf("Mastery: the last %d attempt%s peak at SUDS %s or less", l->rule.consecutive,
           l->rule.consecutive == 1 ? "" : "s", shown);
    if (l->rule.or_drop_percent)
        printf(", or the peak falls %d%% from the first attempt", l->rule.or_drop_percent);
    printf(" (a program convention)\n");
}

static void print_warnings(FILE *f, const struct cairn_ladder *l, const char *prefix)
{
    struct cairn_ladder_warning w[CAIRN_LADDER_WARNINGS_MAX];
    size_t n = cairn_ladder_warnings(l, w, CAIRN_LADDER_WARNINGS_MAX);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%s\n", prefix, w[i].text);
}

struct attempt_print {
    json_t *arr; /* json: the attempts array; text: NULL */
};

static json_t *attempt_json(const struct cairn_ladder_attempt *a)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(a->id));
    json_object_set_new(o, "step", json_integer(a->step_position));
    json_object_set_new(o, "date", json_string(a->date));
    json_object_set_new(o, "suds_before", json_integer(a->suds_before));
    json_object_set_new(o, "suds_peak", json_integer(a->suds_peak));
    json_object_set_new(o, "suds_after", json_integer(a->suds_after));
    json_object_set_new(o, "minutes", a->minutes ? json_integer(a->minutes) : json_null());
    json_object_set_new(o, "where", json_string(cairn_attempt_setting_str(a->setting)));
    cli_json_set_text(o, "predicted", a->prediction);
    json_object_set_new(o, "expectancy_before",
                        a->expectancy_before >= 0 ? json_integer(a->expectancy_before)
                                                  : json_null());
    cli_json_set_text(o, "came_true", cairn_came_true_str(a->came_true));
    json_object_set_new(o, "expectancy_after",
                        a->expectancy_after >= 0 ? json_integer(a->expectancy_after) : json_null());
    cli_json_set_text(o, "safety_behaviours", a->safety_behaviours);
    cli_json_set_text(o, "note", a->note);
    json_object_set_new(o, "entered_by", json_string(a->entered_by));
    return o;
}

static int attempt_out(const struct cairn_ladder_attempt *a, void *arg)
{
    struct attempt_print *ap = arg;
    if (ap->arr) {
        json_array_append_new(ap->arr, attempt_json(a));
        return 0;
    }
    char buf[1024], mins[16] = "", expect[96] = "", before[16] = "?", after[16] = "?";
    if (a->minutes)
        snprintf(mins, sizeof mins, "%d min", a->minutes);
    if (a->expectancy_before >= 0)
        snprintf(before, sizeof before, "%d%%", a->expectancy_before);
    if (a->expectancy_after >= 0)
        snprintf(after, sizeof after, "%d%%", a->expectancy_after);
    if (a->expectancy_before >= 0 || a->expectancy_after >= 0 || a->came_true)
        snprintf(expect, sizeof expect, "  expectancy %s → %s%s%s", before, after,
                 a->came_true ? ", came true: " : "", cairn_came_true_str(a->came_true));
    char line[256];
    snprintf(line, sizeof line, "  %s  step %-2d  SUDS %3d → peak %3d → %3d  %-7s %-8s%s", a->date,
             a->step_position, a->suds_before, a->suds_peak, a->suds_after, mins,
             cairn_attempt_setting_str(a->setting), expect);
    size_t n = strlen(line);
    while (n && line[n - 1] == ' ')
        line[--n] = '\0';
    printf("%s\n", line);
    if (*a->prediction)
        printf("      predicted: %s\n", SAFE(buf, a->prediction, 0));
    if (*a->safety_behaviours)
        printf("      safety behaviours: %s\n", SAFE(buf, a->safety_behaviours, 0));
    if (*a->note)
        printf("      note: %s\n", SAFE(buf, a->note, 0));
    return 0;
}

int cli_ladder_show(struct cli_ctx *ctx)
{
    struct cairn_ladder *l = NULL;
    int rc = load_ladder(ctx, true, &l);
    if (rc)
        return rc;
    enum cairn_status st;
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *o = ladder_json(l, true);
        struct attempt_print ap = {json_array()};
        if ((st = cairn_ladder_attempts(ctx->store, l->id, attempt_out, &ap, &ctx->err)) !=
            CAIRN_OK) {
            json_decref(o);
            json_decref(ap.arr);
            rc = cli_fail(ctx, st, NULL);
            goto out;
        }
        json_object_set_new(o, "attempts_log", ap.arr);
        rc = cli_json_print(o) ? CLI_EXIT_FAILED : 0;
        goto out;
    }
    char buf[1024];
    printf("Ladder %d: %s (SUDS 0-%d, %s, version %lld)\n", l->position, SAFE(buf, l->name, 0),
           l->scale, l->retired ? "retired" : "active", (long long)l->version);
    if (*l->target)
        printf("Target: %s\n", SAFE(buf, l->target, 0));
    print_rule(l);
    printf("\n     #  SUDS  STATUS       TRIES  PEAKS      STEP\n");
    for (size_t i = 0; i < l->nsteps; i++) {
        const struct cairn_ladder_step *s = &l->steps[i];
        char peaks[32] = "";
        if (s->attempts == 1)
            snprintf(peaks, sizeof peaks, "%d", s->last_peak);
        else if (s->attempts > 1)
            snprintf(peaks, sizeof peaks, "%d→%d", s->first_peak, s->last_peak);
        /* Arrows and words, never colour alone: → marks the next step. */
        printf("  %s %2d  %4d  %-11s  %5d  %-*s %s\n", (int)i == l->next ? "→" : " ", s->position,
               s->suds, s->retired ? "retired" : cairn_step_status_str(s->status), s->attempts,
               10 + (int)(strlen(peaks) - cairn_text_width(peaks)), peaks, SAFE(buf, s->text, 60));
    }
    if (l->next >= 0) {
        const struct cairn_ladder_step *n = &l->steps[l->next];
        printf("\nNext step: %d. %s\n  %s\n", n->position, SAFE(buf, n->text, 0),
               n->mastery.reason);
    } else if (l->nsteps) {
        printf("\nNext step: none; every live step is mastered or skipped\n");
    }
    struct cairn_ladder_warning w[1];
    if (cairn_ladder_warnings(l, w, 1)) {
        printf("\nWarnings (worth a look; nothing is refused):\n");
        print_warnings(stdout, l, "  ! ");
    }
    if (cli_opt(ctx, "attempts")) {
        printf("\nAttempts:\n");
        struct attempt_print ap = {NULL};
        if ((st = cairn_ladder_attempts(ctx->store, l->id, attempt_out, &ap, &ctx->err)) !=
            CAIRN_OK) {
            rc = cli_fail(ctx, st, NULL);
            goto out;
        }
    }
    rc = fflush(stdout) ? CLI_EXIT_FAILED : 0;
out:
    free(l);
    return rc;
}

/* After a change: reload the ladder and print its warnings on stderr. */
static void warn_after(struct cli_ctx *ctx, int64_t patient_id)
{
    struct cairn_ladder *l = malloc(sizeof *l);
    if (l && cairn_ladder_load(ctx->store, patient_id, ctx->args[1], l, NULL) == CAIRN_OK)
        print_warnings(stderr, l, "cairn: warning: ");
    free(l);
}

int cli_ladder_add_step(struct cli_ctx *ctx)
{
    struct cairn_ladder *l = NULL;
    int rc = load_ladder(ctx, false, &l);
    int64_t version = 0, step_id = 0;
    int suds = -1, at = 0;
    if (rc)
        return rc;
    if ((rc = if_version(ctx, &version)) || (rc = int_option(ctx, "suds", 0, 100, &suds)) ||
        (rc = int_option(ctx, "at", 1, CAIRN_LADDER_STEPS_MAX, &at)))
        goto out;
    if (!cli_opt(ctx, "text") || suds < 0) {
        rc = cli_usage_error(ctx, "--text and --suds are required");
        goto out;
    }
    enum cairn_status st = cairn_ladder_add_step(ctx->store, l->id, version, cli_opt(ctx, "text"),
                                                 suds, at, &step_id, &ctx->err);
    if (st != CAIRN_OK) {
        rc = cli_fail(ctx, st, NULL);
        goto out;
    }
    printf("added a step to ladder %d\n", l->position);
    warn_after(ctx, l->patient_id);
out:
    free(l);
    return rc;
}

int cli_ladder_move_step(struct cli_ctx *ctx)
{
    struct cairn_ladder *l = NULL;
    int64_t version = 0;
    int from = 0, to = 0;
    int rc = load_ladder(ctx, false, &l);
    if (rc)
        return rc;
    if ((rc = positional(ctx, ctx->args[2], "STEP", &from)) || (rc = if_version(ctx, &version)) ||
        (rc = int_option(ctx, "to", 1, CAIRN_LADDER_STEPS_MAX, &to)))
        goto out;
    if (!to) {
        rc = cli_usage_error(ctx, "--to is required");
        goto out;
    }
    enum cairn_status st = cairn_ladder_move_step(ctx->store, l->id, version, from, to, &ctx->err);
    if (st != CAIRN_OK) {
        rc = cli_fail(ctx, st, NULL);
        goto out;
    }
    printf("moved step %d of ladder %d to place %d\n", from, l->position, to);
    warn_after(ctx, l->patient_id);
out:
    free(l);
    return rc;
}

int cli_ladder_edit_step(struct cli_ctx *ctx)
{
    struct cairn_ladder *l = NULL;
    int64_t version = 0;
    int step = 0;
    struct cairn_step_edit edit = {cli_opt(ctx, "text"), -1, -1, -1};
    int rc = load_ladder(ctx, false, &l);
    if (rc)
        return rc;
    if ((rc = positional(ctx, ctx->args[2], "STEP", &step)) || (rc = if_version(ctx, &version)) ||
        (rc = int_option(ctx, "suds", 0, 100, &edit.suds)))
        goto out;
    static const struct {
        const char *on, *off;
    } pairs[] = {{"skip", "unskip"}, {"retire", "restore"}};
    int *targets[] = {&edit.skipped, &edit.retired};
    for (size_t i = 0; i < 2; i++) {
        bool on = cli_opt(ctx, pairs[i].on), off = cli_opt(ctx, pairs[i].off);
        if (on && off) {
            rc =
                cli_usage_error(ctx, "--%s and --%s exclude each other", pairs[i].on, pairs[i].off);
            goto out;
        }
        if (on || off)
            *targets[i] = on;
    }
    enum cairn_status st =
        cairn_ladder_edit_step(ctx->store, l->id, version, step, &edit, &ctx->err);
    if (st != CAIRN_OK) {
        rc = cli_fail(ctx, st, NULL);
        goto out;
    }
    printf("step %d of ladder %d saved\n", step, l->position);
    warn_after(ctx, l->patient_id);
out:
    free(l);
    return rc;
}

int cli_ladder_attempt(struct cli_ctx *ctx)
{
    struct cairn_ladder *l = NULL;
    struct cairn_ladder_attempt a;
    struct cairn_mastery m;
    int step = 0;
    int rc = load_ladder(ctx, false, &l);
    if (rc)
        return rc;
    memset(&a, 0, sizeof a);
    a.suds_before = a.suds_peak = a.suds_after = -1;
    a.expectancy_before = a.expectancy_after = -1;
    cairn_date_format(ctx->today, a.date);
    const char *where = cli_opt(ctx, "where"), *came = cli_opt(ctx, "came-true");
    if ((rc = positional(ctx, ctx->args[2], "STEP", &step)) ||
        (rc = int_option(ctx, "before", 0, 100, &a.suds_before)) ||
        (rc = int_option(ctx, "peak", 0, 100, &a.suds_peak)) ||
        (rc = int_option(ctx, "after", 0, 100, &a.suds_after)) ||
        (rc = int_option(ctx, "minutes", 1, 1440, &a.minutes)) ||
        (rc = int_option(ctx, "expectancy-before", 0, 100, &a.expectancy_before)) ||
        (rc = int_option(ctx, "expectancy-after", 0, 100, &a.expectancy_after)) ||
        (rc = cli_date(ctx, "date", a.date)) ||
        (rc = cli_copy(ctx, "predicted", a.prediction, sizeof a.prediction)) ||
        (rc =
             cli_copy(ctx, "safety-behaviours", a.safety_behaviours, sizeof a.safety_behaviours)) ||
        (rc = cli_copy(ctx, "note", a.note, sizeof a.note)))
        goto out;
    if (a.suds_before < 0 || a.suds_peak < 0 || a.suds_after < 0) {
        rc = cli_usage_error(ctx, "--before, --peak and --after (SUDS) are required");
        goto out;
    }
    if ((where && cairn_attempt_setting_parse(where, &a.setting, &ctx->err) != CAIRN_OK) ||
        (came && cairn_came_true_parse(came, &a.came_true, &ctx->err) != CAIRN_OK)) {
        rc = cli_fail(ctx, CAIRN_ERR_INVALID, NULL);
        goto out;
    }
    enum cairn_status st = cairn_ladder_attempt_add(ctx->store, l->id, step, &a, &m, &ctx->err);
    if (st != CAIRN_OK) {
        rc = cli_fail(ctx, st, NULL);
        goto out;
    }
    printf("logged attempt %lld on step %d of ladder %d\n", (long long)a.id, step, l->position);
    printf("step %d: %s\n", step, m.reason);
    struct cairn_ladder *after = malloc(sizeof *after);
    if (after &&
        cairn_ladder_load(ctx->store, l->patient_id, ctx->args[1], after, NULL) == CAIRN_OK) {
        char buf[1024];
        if (after->next >= 0)
            printf("next step: %d. %s\n", after->steps[after->next].position,
                   SAFE(buf, after->steps[after->next].text, 0));
        else
            printf("next step: none; every live step is mastered or skipped\n");
    }
    free(after);
out:
    free(l);
    return rc;
}

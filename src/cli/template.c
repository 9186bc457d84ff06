/* cairn template check|import|list|show, and the templates `init` imports. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* A template file read into memory: at most one byte over the cap, so an
 * oversized file is reported by the loader without being read whole. */
struct source {
    char *text;
    size_t len;
};

static int read_source(const struct cli_ctx *ctx, const char *path, struct source *src)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    src->text = NULL;
    src->len = 0;
    if (!f) {
        fprintf(stderr, "cairn: template %s: %s: %s\n", ctx->cmd->verb, path, strerror(errno));
        return CLI_EXIT_FAILED;
    }
    size_t cap = CAIRN_TEMPLATE_MAX_BYTES + 1;
    src->text = malloc(cap + 1);
    if (src->text)
        src->len = fread(src->text, 1, cap, f);
    int bad = !src->text || ferror(f);
    if (f != stdin)
        fclose(f);
    if (bad) {
        fprintf(stderr, "cairn: template %s: %s: cannot read the file\n", ctx->cmd->verb, path);
        free(src->text);
        src->text = NULL;
        return CLI_EXIT_FAILED;
    }
    src->text[src->len] = '\0';
    return 0;
}

/* Prints line `line` of the source, made safe for a terminal (controls and
 * bad bytes become '?', tabs a space), and a caret under column `col`. */
static void print_excerpt(const struct source *src, int line, int col)
{
    const char *p = src->text, *end = src->text + src->len;
    for (int l = 1; l < line && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    if (p >= end && line > 1)
        return;
    char shown[4096], prefix[4096];
    size_t n = 0, caret_bytes = 0;
    int c = 1;
    while (p < end && *p != '\n' && *p != '\r' && n + 5 < sizeof shown) {
        unsigned cp;
        size_t used = cairn_utf8_decode(p, (size_t)(end - p), &cp);
        bool bad = cp == 0xFFFD && used == 1;
        if (cp == '\t') {
            shown[n++] = ' ';
        } else if (bad || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
            shown[n++] = '?';
        } else {
            memcpy(shown + n, p, used);
            n += used;
        }
        p += used ? used : 1;
        if (++c == col)
            caret_bytes = n;
    }
    shown[n] = '\0';
    if (col <= 1)
        caret_bytes = 0;
    else if (c < col)
        caret_bytes = n;
    memcpy(prefix, shown, caret_bytes);
    prefix[caret_bytes] = '\0';
    size_t width = cairn_text_width(prefix);
    fprintf(stderr, "%5d | %s\n      | %*s^\n", line, shown, (int)width, "");
}

static void print_diags(const char *path, const struct source *src,
                        const struct cairn_template_diags *d)
{
    for (size_t i = 0; i < d->count; i++) {
        const struct cairn_template_diag *g = &d->items[i];
        fprintf(stderr, "%s:%d:%d: %s: %s\n", path, g->line, g->col, *g->pointer ? g->pointer : "/",
                g->message);
        print_excerpt(src, g->line, g->col);
    }
    if (d->truncated)
        fprintf(stderr, "%s: more problems not shown; fix these first\n", path);
}

/* Reads and validates one file; 0 when valid (t filled), else an exit code. */
static int load_file(const struct cli_ctx *ctx, const char *path, struct source *src,
                     struct cairn_template *t)
{
    struct cairn_template_diags *d = malloc(sizeof *d);
    int rc = d ? read_source(ctx, path, src) : CLI_EXIT_FAILED;
    if (rc == 0) {
        enum cairn_status st = cairn_template_parse(src->text, src->len, t, d, NULL);
        if (st == CAIRN_ERR_INVALID) {
            print_diags(path, src, d);
            rc = CLI_EXIT_INVALID;
        } else if (st != CAIRN_OK) {
            fprintf(stderr, "cairn: template %s: %s: %s\n", ctx->cmd->verb, path,
                    cairn_status_str(st));
            rc = CLI_EXIT_FAILED;
        }
    }
    free(d);
    return rc;
}

int cli_template_check(struct cli_ctx *ctx)
{
    struct cairn_template *t = malloc(sizeof *t);
    int worst = 0;
    if (!t)
        return CLI_EXIT_FAILED;
    for (int i = 0; i < ctx->nargs; i++) {
        struct source src;
        int rc = load_file(ctx, ctx->args[i], &src, t);
        if (rc == 0)
            printf("%s: ok (%s: %s)\n", ctx->args[i], t->program.code, t->program.name);
        if (rc == CLI_EXIT_INVALID || (rc && !worst))
            worst = rc;
        free(src.text);
    }
    free(t);
    return worst;
}

int cli_template_import(struct cli_ctx *ctx)
{
    struct cairn_template *t = malloc(sizeof *t);
    struct source src = {0};
    bool unchanged;
    int rc = t ? load_file(ctx, ctx->args[0], &src, t) : CLI_EXIT_FAILED;
    if (rc == 0) {
        enum cairn_status st =
            cairn_template_import(ctx->store, t, src.text, src.len, &unchanged, &ctx->err);
        if (st != CAIRN_OK)
            rc = cli_fail(ctx, st, ctx->args[0]);
        else if (unchanged)
            printf("%s unchanged: the file is the same as version %d\n", t->program.code,
                   t->program.version);
        else
            printf("imported %s version %d (%s)\n", t->program.code, t->program.version,
                   t->program.name);
    }
    free(src.text);
    free(t);
    return rc;
}

enum cairn_status cli_import_bundled(struct cli_ctx *ctx, unsigned *imported)
{
    struct cairn_template *t = malloc(sizeof *t);
    enum cairn_status st = CAIRN_OK;
    *imported = 0;
    if (!t)
        return cairn_error_set(&ctx->err, CAIRN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < cairn_bundled_template_count() && st == CAIRN_OK; i++) {
        size_t len;
        const char *text = cairn_bundled_template_text(i, &len);
        bool unchanged;
        struct cairn_program existing;
        if ((st = cairn_template_parse(text, len, t, NULL, &ctx->err)) != CAIRN_OK)
            break;
        /* A program the team already has is theirs: never replaced here. */
        if (cairn_program_find(ctx->store, t->program.code, &existing, NULL) == CAIRN_OK)
            continue;
        if ((st = cairn_template_import(ctx->store, t, text, len, &unchanged, &ctx->err)) ==
                CAIRN_OK &&
            !unchanged)
            (*imported)++;
    }
    free(t);
    return st;
}

static int program_row(const struct cairn_program *p, int64_t patients, void *vlist)
{
    char version[16], hours[32], sessions[16], weeks[16], count[24];
    snprintf(version, sizeof version, "%d", p->version);
    snprintf(hours, sizeof hours, "%g-%g", p->min_hours_per_week, p->max_hours_per_week);
    snprintf(sessions, sizeof sessions, "%d", p->sessions_per_week);
    snprintf(weeks, sizeof weeks, "%d", p->length_weeks);
    snprintf(count, sizeof count, "%lld", (long long)patients);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(p->id));
    json_object_set_new(o, "code", json_string(p->code));
    json_object_set_new(o, "version", json_integer(p->version));
    json_object_set_new(o, "name", json_string(p->name));
    json_object_set_new(o, "level_of_care", json_string(p->level_of_care));
    json_object_set_new(o, "population", json_string(p->population));
    json_object_set_new(o, "min_hours_per_week", json_real(p->min_hours_per_week));
    json_object_set_new(o, "max_hours_per_week", json_real(p->max_hours_per_week));
    json_object_set_new(o, "sessions_per_week", json_integer(p->sessions_per_week));
    json_object_set_new(o, "length_weeks", json_integer(p->length_weeks));
    json_object_set_new(o, "patients", json_integer(patients));
    const char *cells[] = {p->code,  version, p->name, p->level_of_care, p->population, hours,
                           sessions, weeks,   count};
    cli_list_row(vlist, cells, o);
    return 0;
}

int cli_template_list(struct cli_ctx *ctx)
{
    static const struct cli_col cols[] = {
        {"CODE", CLI_COL_TEXT, 0},       {"VERSION", CLI_COL_NUMBER, 0},
        {"NAME", CLI_COL_TEXT, 40},      {"LEVEL", CLI_COL_TEXT, 0},
        {"POPULATION", CLI_COL_TEXT, 0}, {"HOURS/WEEK", CLI_COL_TEXT, 0},
        {"SESSIONS", CLI_COL_NUMBER, 0}, {"WEEKS", CLI_COL_NUMBER, 0},
        {"PATIENTS", CLI_COL_NUMBER, 0},
    };
    struct cli_list *list = cli_list_begin(ctx->format, cols, 9);
    if (!list)
        return CLI_EXIT_FAILED;
    enum cairn_status st =
        cairn_program_list(ctx->store, cli_opt(ctx, "all") != NULL, program_row, list, &ctx->err);
    int out = cli_list_end(&list);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    return out ? CLI_EXIT_FAILED : 0;
}

static json_t *template_json(const struct cairn_template *t)
{
    const struct cairn_program *p = &t->program;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(p->id));
    json_object_set_new(o, "template", json_string(p->code));
    json_object_set_new(o, "version", json_integer(p->version));
    json_object_set_new(o, "name", json_string(p->name));
    json_object_set_new(o, "level_of_care", json_string(p->level_of_care));
    json_object_set_new(o, "population", json_string(p->population));
    json_t *sched = json_object();
    json_object_set_new(sched, "sessions_per_week", json_integer(p->sessions_per_week));
    json_object_set_new(sched, "hours_per_session", json_real(t->hours_per_session));
    json_object_set_new(sched, "min_hours_per_week", json_real(p->min_hours_per_week));
    json_object_set_new(sched, "max_hours_per_week", json_real(p->max_hours_per_week));
    json_object_set_new(sched, "min_days_per_week", json_integer(p->min_days_per_week));
    json_object_set_new(sched, "length_weeks", json_integer(p->length_weeks));
    json_object_set_new(o, "schedule", sched);
    json_t *types = json_array();
    for (int i = 0; i < CAIRN_SESSION_TYPE__COUNT; i++)
        if (t->session_types & (1u << i))
            json_array_append_new(types,
                                  json_string(cairn_session_type_str((enum cairn_session_type)i)));
    json_object_set_new(o, "session_types", types);
    json_t *measures = json_array();
    for (size_t i = 0; i < t->nmeasures; i++) {
        json_t *m = json_object();
        json_object_set_new(m, "instrument",
                            json_string(cairn_instrument_str(t->measures[i].instrument)));
        json_object_set_new(m, "every", json_string(cairn_cadence_str(t->measures[i].every)));
        json_array_append_new(measures, m);
    }
    json_object_set_new(o, "measures", measures);
    json_t *sections = json_array();
    for (size_t i = 0; i < t->nsections; i++)
        json_array_append_new(sections, json_string(cairn_plan_section_str(t->sections[i])));
    json_object_set_new(o, "plan_sections", sections);
    json_t *ladders = json_array();
    for (size_t i = 0; i < t->nladders; i++) {
        const struct cairn_template_ladder *l = &t->ladders[i];
        json_t *lo = json_object(), *steps = json_array();
        json_object_set_new(lo, "name", json_string(l->name));
        cli_json_set_text(lo, "target", l->target);
        json_object_set_new(lo, "scale", json_integer(l->scale));
        for (size_t j = 0; j < l->nsteps; j++) {
            json_t *so = json_object();
            json_object_set_new(so, "text", json_string(l->steps[j].text));
            json_object_set_new(so, "suds", json_integer(l->steps[j].suds));
            json_array_append_new(steps, so);
        }
        json_object_set_new(lo, "steps", steps);
        json_array_append_new(ladders, lo);
    }
    json_object_set_new(o, "ladders", ladders);
    json_t *mastery = json_object();
    json_object_set_new(mastery, "peak_suds_at_most", json_integer(t->mastery.peak_suds_at_most));
    json_object_set_new(mastery, "consecutive", json_integer(t->mastery.consecutive));
    json_object_set_new(mastery, "or_drop_percent", json_integer(t->mastery.or_drop_percent));
    json_object_set_new(o, "mastery", mastery);
    json_t *checklist = json_array();
    for (size_t i = 0; i < t->nchecklist; i++)
        json_array_append_new(checklist, json_string(t->checklist[i]));
    json_object_set_new(o, "review_checklist", checklist);
    json_t *alerts = json_object();
    json_object_set_new(alerts, "phq9_rise", json_integer(t->alerts.phq9_rise));
    json_object_set_new(alerts, "gad7_rise", json_integer(t->alerts.gad7_rise));
    json_object_set_new(alerts, "absences_per_week", json_integer(t->alerts.absences_per_week));
    json_object_set_new(alerts, "ladder_stall_days", json_integer(t->alerts.ladder_stall_days));
    json_object_set_new(alerts, "discharge_planning_days",
                        json_integer(t->alerts.discharge_planning_days));
    json_object_set_new(o, "alerts", alerts);
    cli_json_set_text(o, "crisis_line", t->crisis_line);
    json_object_set_new(o, "lapse_log", json_boolean(t->lapse_log));
    return o;
}

static void print_template(const struct cairn_template *t)
{
    const struct cairn_program *p = &t->program;
    char safe[1024];
    cairn_text_fit(p->name, 0, safe, sizeof safe);
    printf("%s version %d: %s\n", p->code, p->version, safe);
    printf("  %s, %s; %d weeks\n", p->level_of_care, p->population, p->length_weeks);
    printf("  %d sessions a week of %g h; %g-%g h and at least %d days a week\n",
           p->sessions_per_week, t->hours_per_session, p->min_hours_per_week, p->max_hours_per_week,
           p->min_days_per_week);
    printf("  session types:");
    for (int i = 0; i < CAIRN_SESSION_TYPE__COUNT; i++)
        if (t->session_types & (1u << i))
            printf(" %s", cairn_session_type_str((enum cairn_session_type)i));
    printf("\nmeasures:\n");
    for (size_t i = 0; i < t->nmeasures; i++)
        printf("  %-13s every %s\n", cairn_instrument_str(t->measures[i].instrument),
               cairn_cadence_str(t->measures[i].every));
    printf("plan sections:\n");
    for (size_t i = 0; i < t->nsections; i++)
        printf("  %-22s %s\n", cairn_plan_section_str(t->sections[i]),
               cairn_plan_section_title(t->sections[i]));
    for (size_t i = 0; i < t->nladders; i++) {
        const struct cairn_template_ladder *l = &t->ladders[i];
        cairn_text_fit(l->name, 0, safe, sizeof safe);
        printf("ladder: %s (SUDS 0-%d)\n", safe, l->scale);
        for (size_t j = 0; j < l->nsteps; j++) {
            cairn_text_fit(l->steps[j].text, 0, safe, sizeof safe);
            printf("  %3d  %s\n", l->steps[j].suds, safe);
        }
    }
    printf("mastery (a program convention): last %d attempts peak at SUDS %d or less",
           t->mastery.consecutive, t->mastery.peak_suds_at_most);
    if (t->mastery.or_drop_percent)
        printf(", or peak down %d%% from the first attempt", t->mastery.or_drop_percent);
    printf("\nreview checklist:\n");
    for (size_t i = 0; i < t->nchecklist; i++) {
        cairn_text_fit(t->checklist[i], 0, safe, sizeof safe);
        printf("  [ ] %s\n", safe);
    }
    printf("alerts: PHQ-9 rise %d, GAD-7 rise %d, %d absences a week, ladder idle %d days, "
           "discharge planning %d days ahead\n",
           t->alerts.phq9_rise, t->alerts.gad7_rise, t->alerts.absences_per_week,
           t->alerts.ladder_stall_days, t->alerts.discharge_planning_days);
    cairn_text_fit(t->crisis_line, 0, safe, sizeof safe);
    printf("crisis line: %s; lapse log: %s\n", *safe ? safe : "-", t->lapse_log ? "yes" : "no");
}

int cli_template_show(struct cli_ctx *ctx)
{
    const char *format = cli_opt(ctx, "format");
    struct cairn_program p;
    enum cairn_status st;
    if (format && strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "yaml"))
        return cli_usage_error(ctx, "--format must be text, json or yaml");
    if (cli_opt(ctx, "version")) {
        unsigned long long v;
        int rc = cli_uint(ctx, "version", 1, 1000000, &v);
        if (rc)
            return rc;
        st = cairn_program_find_version(ctx->store, ctx->args[0], (int)v, &p, &ctx->err);
    } else {
        st = cairn_program_find(ctx->store, ctx->args[0], &p, &ctx->err);
    }
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    if (format && !strcmp(format, "yaml")) {
        char *text;
        if ((st = cairn_template_text(ctx->store, p.id, &text, &ctx->err)) != CAIRN_OK)
            return cli_fail(ctx, st, NULL);
        if (!text) {
            fprintf(stderr, "cairn: template show: %s version %d was not imported from a file\n",
                    p.code, p.version);
            return CLI_EXIT_FAILED;
        }
        int bad = fputs(text, stdout) == EOF;
        free(text);
        return bad ? CLI_EXIT_FAILED : 0;
    }
    struct cairn_template *t = malloc(sizeof *t);
    if (!t)
        return CLI_EXIT_FAILED;
    int rc = 0;
    if ((st = cairn_template_load(ctx->store, p.id, t, &ctx->err)) != CAIRN_OK)
        rc = cli_fail(ctx, st, NULL);
    else if (format && !strcmp(format, "json"))
        rc = cli_json_print(template_json(t)) ? CLI_EXIT_FAILED : 0;
    else
        print_template(t);
    free(t);
    return rc;
}

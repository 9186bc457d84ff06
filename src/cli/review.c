/* cairn review due|start|show|edit|set|sign|cosign|addendum|list|awaiting: the
 * weekly progress review from the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static struct cairn_review *review_new(void)
{
    struct cairn_review *r = calloc(1, sizeof *r);
    if (!r)
        fprintf(stderr, "cairn: out of memory\n");
    return r;
}

/* Reads the review of the patient named by the first argument for --week
 * (default this week): audited when shown, not when only changed. */
static int load_review(struct cli_ctx *ctx, bool audited, struct cairn_patient *pt,
                       struct cairn_review *r)
{
    int rc;
    if ((rc = cli_patient(ctx, false, pt)))
        return rc;
    enum cairn_status st =
        audited ? cairn_review_read(ctx->store, pt, cli_opt(ctx, "week"), r, &ctx->err)
                : cairn_review_load(ctx->store, pt, cli_opt(ctx, "week"), r, &ctx->err);
    if (st == CAIRN_ERR_NOT_FOUND && r->week[0])
        fprintf(stderr,
                "cairn: %s %s: MRN %s has no review for %s; start one with `cairn review "
                "start %s --week %s`\n",
                ctx->cmd->group, ctx->cmd->verb, pt->mrn, r->week, pt->mrn, r->week);
    else if (st != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    return st == CAIRN_OK ? 0 : cli_exit_code(st);
}

/* --- show -------------------------------------------------------------------- */

static void print_measure(const char *title, const struct cairn_review_measure *m)
{
    if (!m->has) {
        printf("  %-12s none yet\n", title);
        return;
    }
    printf("  %-12s %d (%s) on %s", title, m->total, m->band, m->date);
    if (m->has_baseline)
        printf("; baseline %d", m->baseline);
    if (m->has_last_week)
        printf("; before this week %d", m->last_week);
    printf("\n");
    for (size_t i = 0; i < m->nlabels; i++)
        printf("  %-12s %s\n", "", m->labels[i]);
}

static void print_snapshot(const struct cairn_review *r)
{
    const struct cairn_review_snapshot *s = &r->snapshot;
    const struct cairn_attendance_week *a = &s->attendance;
    if (r->status >= CAIRN_REVIEW_SIGNED)
        printf("Snapshot (frozen when signed, computed %s):\n", s->computed_at);
    else
        printf("Snapshot (computed now; frozen when the review is signed):\n");
    printf("  %-12s %.1f h on %d day%s; minimum %.1f h on %d days%s%s\n", "Attendance",
           a->minutes_attended / 60.0, a->days_attended, a->days_attended == 1 ? "" : "s",
           a->min_minutes / 60.0, a->min_days,
           a->complete && (!a->meets_hours || !a->meets_days) ? " — BELOW MINIMUM" : "",
           a->complete ? "" : " (week not over)");
    printf("  %-12s %d: %d attended, %d late, %d absent, %d excused\n", "Sessions", a->sessions,
           a->attended, a->late, a->absent, a->excused);
    print_measure("PHQ-9", &s->phq9);
    print_measure("GAD-7", &s->gad7);
    if (s->cssrs[0])
        printf("  %-12s %s risk this week\n", "C-SSRS", s->cssrs);
    printf("  %-12s %d attempt%s, %d step%s mastered this week (%d of %d so far)\n", "Exposure",
           s->attempts, s->attempts == 1 ? "" : "s", s->steps_mastered_week,
           s->steps_mastered_week == 1 ? "" : "s", s->steps_mastered, s->steps_total);
    for (size_t i = 0; i < s->ngoals; i++) {
        printf("  %-12s %s ", i ? "" : "Goals", s->goals[i].key);
        cli_put_safe(s->goals[i].text);
        if (s->goals[i].done < 0)
            printf(": not recorded (target %d a week)\n", s->goals[i].target);
        else
            printf(": %d of %d%s\n", s->goals[i].done, s->goals[i].target,
                   s->goals[i].done >= s->goals[i].target ? " (met)" : "");
    }
    printf("  %-12s %d lapse%s, %d relapse%s\n", "Lapses", s->lapses, s->lapses == 1 ? "" : "s",
           s->relapses, s->relapses == 1 ? "" : "s");
    if (!s->nalerts)
        printf("  %-12s none open\n", "Alerts");
    for (size_t i = 0; i < s->nalerts; i++) {
        printf("  %-12s %-7s ", i ? "" : "Alerts", s->alerts[i].severity);
        cli_put_safe(s->alerts[i].reason);
        if (s->alerts[i].acknowledged)
            printf(" (acknowledged by %s)", s->alerts[i].acked_by);
        printf("\n");
    }
}

static void print_inputs(const struct cairn_review_inputs *in)
{
    printf("Reviewer:\n");
    printf("  %-17s %s\n", "Risk",
           in->risk == CAIRN_RISK_UNSET ? "(not set)" : cairn_risk_str(in->risk));
    for (int f = 0; f < CAIRN_REVIEW__FIELDS; f++) {
        const char *title = cairn_review_field_title((enum cairn_review_field)f);
        if (!in->text[f][0]) {
            printf("  %-17s (empty)\n", title);
        } else if (!strchr(in->text[f], '\n')) {
            printf("  %-17s ", title);
            cli_put_safe(in->text[f]);
            printf("\n");
        } else {
            printf("  %s:\n", title);
            cli_put_safe_lines(in->text[f], "    ");
        }
    }
    if (in->nchecks)
        printf("  Checklist:\n");
    for (size_t i = 0; i < in->nchecks; i++) {
        const int a = in->checks[i].answer;
        printf("    [%s] %zu. ", a < 0 ? " " : a ? "x" : "-", i + 1);
        cli_put_safe(in->checks[i].item);
        printf("%s\n", a < 0 ? "  (not answered)" : a ? "" : "  (no)");
    }
}

/* The JSON document `text` (made by `made`, a cairn_review_*_json() call)
 * as a value to embed; null when it could not be made. Frees text. */
static json_t *embedded(enum cairn_status made, char *text)
{
    json_t *v = made == CAIRN_OK ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return v ? v : json_null();
}

static int print_json(const struct cairn_review *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "mrn", json_string(r->mrn));
    json_object_set_new(o, "week", json_string(r->week));
    json_object_set_new(o, "status", json_string(cairn_review_status_str(r->status)));
    json_object_set_new(o, "version", json_integer(r->version));
    cli_json_set_text(o, "started_by", r->started_by);
    cli_json_set_text(o, "started_at", r->started_at);
    cli_json_set_text(o, "signed_by", r->signed_by);
    cli_json_set_text(o, "signed_at", r->signed_at);
    cli_json_set_text(o, "cosigned_by", r->cosigned_by);
    cli_json_set_text(o, "cosigned_at", r->cosigned_at);
    json_object_set_new(o, "snapshot_frozen", json_boolean(r->status >= CAIRN_REVIEW_SIGNED));
    char *inputs = NULL, *snapshot = NULL;
    enum cairn_status made_inputs = cairn_review_inputs_json(&r->inputs, &inputs, NULL);
    enum cairn_status made_snapshot = cairn_review_snapshot_json(&r->snapshot, &snapshot, NULL);
    json_object_set_new(o, "inputs", embedded(made_inputs, inputs));
    json_object_set_new(o, "snapshot", embedded(made_snapshot, snapshot));
    json_t *adds = json_array();
    for (size_t i = 0; i < r->naddenda; i++) {
        json_t *a = json_object();
        json_object_set_new(a, "author", json_string(r->addenda[i].author));
        json_object_set_new(a, "at", json_string(r->addenda[i].at));
        json_object_set_new(a, "text", json_string(r->addenda[i].text));
        json_array_append_new(adds, a);
    }
    json_object_set_new(o, "addenda", adds);
    return cli_json_print(o);
}

static void print_review(const struct cairn_review *r)
{
    const struct cairn_review_snapshot *s = &r->snapshot;
    printf("Weekly review %s (%s to %s), MRN %s: %s, version %lld\n", r->week, s->from, s->to,
           r->mrn, cairn_review_status_str(r->status), (long long)r->version);
    if (r->started_by[0])
        printf("Started by %s at %s\n", r->started_by, r->started_at);
    if (r->signed_by[0])
        printf("Signed by %s at %s\n", r->signed_by, r->signed_at);
    if (r->cosigned_by[0])
        printf("Co-signed by %s at %s\n", r->cosigned_by, r->cosigned_at);
    else if (r->status == CAIRN_REVIEW_SIGNED)
        printf("Awaiting a supervisor's co-signature\n");
    printf("\n");
    print_snapshot(r);
    printf("\n");
    print_inputs(&r->inputs);
    for (size_t i = 0; i < r->naddenda; i++) {
        printf("%sAddendum by %s at %s:\n", i ? "" : "\n", r->addenda[i].author, r->addenda[i].at);
        cli_put_safe_lines(r->addenda[i].text, "  ");
    }
}

int cli_review_show(struct cli_ctx *ctx)
{
    struct cairn_patient pt;
    struct cairn_review *r = review_new();
    if (!r)
        return CLI_EXIT_FAILED;
    int rc = load_review(ctx, true, &pt, r);
    if (!rc) {
        if (ctx->format == CLI_FORMAT_JSON) {
            rc = print_json(r);
        } else {
            print_review(r);
        }
    }
    free(r);
    return rc;
}

/* --- start, set, edit ------------------------------------------------------- */

int cli_review_start(struct cli_ctx *ctx)
{
    struct cairn_patient pt;
    struct cairn_review *r = review_new();
    bool existed = false;
    int rc;
    if (!r)
        return CLI_EXIT_FAILED;
    if ((rc = cli_patient(ctx, false, &pt)))
        goto out;
    enum cairn_status st =
        cairn_review_start(ctx->store, &pt, cli_opt(ctx, "week"), r, &existed, &ctx->err);
    if (st != CAIRN_OK) {
        rc = cli_fail(ctx, st, NULL);
        goto out;
    }
    if (existed)
        printf("the review of %s for MRN %s is already a draft (started by %s at %s), version "
               "%lld\n",
               r->week, pt.mrn, r->started_by, r->started_at, (long long)r->version);
    else
        printf("started the review of %s for MRN %s, version %lld\n", r->week, pt.mrn,
               (long long)r->version);
out:
    free(r);
    return rc;
}

static int if_version(struct cli_ctx *ctx, struct cairn_review *r)
{
    unsigned long long v;
    int rc;
    if (!cli_opt(ctx, "if-version"))
        return 0;
    if ((rc = cli_uint(ctx, "if-version", 1, INT64_MAX, &v)))
        return rc;
    r->version = (int64_t)v;
    return 0;
}

static int report_saved(struct cli_ctx *ctx, const struct cairn_review *r, bool unchanged)
{
    (void)ctx;
    if (unchanged)
        printf("no change (version %lld)\n", (long long)r->version);
    else
        printf("saved the review of %s, version %lld\n", r->week, (long long)r->version);
    return 0;
}

/* Applies --checklist "y,n,-,…": one answer per item in order, "-" leaves
 * an answer as it is. */
static int apply_checklist(struct cli_ctx *ctx, struct cairn_review_inputs *in)
{
    const char *v = cli_opt(ctx, "checklist");
    size_t i = 0;
    if (!v)
        return 0;
    for (const char *s = v; *s; i++) {
        size_t n = strcspn(s, ",");
        char word[8] = "";
        if (n < sizeof word)
            memcpy(word, s, n);
        if (i >= in->nchecks) {
            fprintf(stderr,
                    "cairn: review set: --checklist: the program's checklist has %zu items, "
                    "more answers were given\n",
                    in->nchecks);
            return CLI_EXIT_INVALID;
        }
        if (!strcmp(word, "y") || !strcmp(word, "yes"))
            in->checks[i].answer = 1;
        else if (!strcmp(word, "n") || !strcmp(word, "no"))
            in->checks[i].answer = 0;
        else if (strcmp(word, "-") != 0) {
            fprintf(stderr,
                    "cairn: review set: --checklist: answer %zu must be y, n or - (leave as "
                    "it is)\n",
                    i + 1);
            return CLI_EXIT_INVALID;
        }
        s += n;
        if (*s == ',')
            s++;
    }
    return 0;
}

int cli_review_set(struct cli_ctx *ctx)
{
    static const char *const flags[CAIRN_REVIEW__FIELDS] = {"narrative", "went-well", "barriers",
                                                            "adjustments", "next-steps"};
    struct cairn_patient pt;
    struct cairn_review *r = review_new();
    int rc;
    if (!r)
        return CLI_EXIT_FAILED;
    bool any = cli_opt(ctx, "risk") || cli_opt(ctx, "checklist");
    for (int f = 0; f < CAIRN_REVIEW__FIELDS; f++)
        any |= cli_opt(ctx, flags[f]) != NULL;
    if (!any) {
        free(r);
        return cli_usage_error(ctx, "nothing to set: give --risk, a text option or --checklist");
    }
    if ((rc = load_review(ctx, false, &pt, r)) || (rc = if_version(ctx, r)))
        goto out;
    if (cli_opt(ctx, "risk")) {
        enum cairn_status st = cairn_risk_parse(cli_opt(ctx, "risk"), &r->inputs.risk, &ctx->err);
        if (st != CAIRN_OK) {
            rc = cli_fail(ctx, st, NULL);
            goto out;
        }
    }
    for (int f = 0; f < CAIRN_REVIEW__FIELDS; f++)
        if ((rc = cli_copy(ctx, flags[f], r->inputs.text[f], sizeof r->inputs.text[f])))
            goto out;
    if ((rc = apply_checklist(ctx, &r->inputs)))
        goto out;
    bool unchanged = false;
    enum cairn_status st = cairn_review_save(ctx->store, r, &unchanged, &ctx->err);
    rc = st == CAIRN_OK ? report_saved(ctx, r, unchanged) : cli_fail(ctx, st, NULL);
out:
    free(r);
    return rc;
}

static enum cairn_status review_parse(const char *body, size_t len,
                                      struct cairn_template_diags *diags, struct cairn_error *err,
                                      void *arg)
{
    struct cairn_review *r = arg;
    return cairn_review_parse_yaml(&r->inputs, body, len, diags, err);
}

static enum cairn_status review_save(struct cli_ctx *ctx, void *arg)
{
    struct cairn_review *r = arg;
    bool unchanged = false;
    enum cairn_status st = cairn_review_save(ctx->store, r, &unchanged, &ctx->err);
    if (st == CAIRN_OK)
        report_saved(ctx, r, unchanged);
    return st;
}

int cli_review_edit(struct cli_ctx *ctx)
{
    struct cairn_patient pt;
    struct cairn_review *r = review_new();
    char *rendered = NULL;
    int rc;
    if (!r)
        return CLI_EXIT_FAILED;
    if ((rc = load_review(ctx, true, &pt, r)))
        goto out;
    if (r->status != CAIRN_REVIEW_DRAFT) {
        fprintf(stderr, "cairn: review edit: the review of %s is %s: %s\n", r->week,
                cairn_review_status_str(r->status),
                r->status == CAIRN_REVIEW_DUE ? "start it first with `cairn review start`"
                                              : "a signed review is corrected with `cairn review "
                                                "addendum`");
        rc = cli_exit_code(CAIRN_ERR_TRANSITION);
        goto out;
    }
    char header[256];
    snprintf(header, sizeof header, "cairn weekly review %s for MRN %.40s, version %lld", r->week,
             pt.mrn, (long long)r->version);
    enum cairn_status st = cairn_review_render_yaml(r, header, &rendered, &ctx->err);
    if (st != CAIRN_OK) {
        rc = cli_fail(ctx, st, NULL);
        goto out;
    }
    rc = cli_edit_loop(ctx, rendered, review_parse, review_save, r);
out:
    free(rendered);
    free(r);
    return rc;
}

/* --- sign, cosign, addendum --------------------------------------------------- */

int cli_review_sign(struct cli_ctx *ctx)
{
    struct cairn_patient pt;
    struct cairn_review *r = review_new();
    int rc;
    if (!r)
        return CLI_EXIT_FAILED;
    if ((rc = load_review(ctx, false, &pt, r)) || (rc = if_version(ctx, r)))
        goto out;
    enum cairn_status st = cairn_review_sign(ctx->store, r, &ctx->err);
    if (st != CAIRN_OK) {
        rc = cli_fail(ctx, st, NULL);
        goto out;
    }
    printf("signed the review of %s for MRN %s (risk %s); it now awaits a supervisor's "
           "co-signature\n",
           r->week, pt.mrn, cairn_risk_str(r->inputs.risk));
out:
    free(r);
    return rc;
}

int cli_review_cosign(struct cli_ctx *ctx)
{
    struct cairn_patient pt;
    struct cairn_review *r = review_new();
    int rc;
    if (!r)
        return CLI_EXIT_FAILED;
    if ((rc = load_review(ctx, false, &pt, r)))
        goto out;
    enum cairn_status st = cairn_review_cosign(ctx->store, r, &ctx->err);
    if (st != CAIRN_OK) {
        rc = cli_fail(ctx, st, NULL);
        goto out;
    }
    printf("co-signed the review of %s for MRN %s (signed by %s)\n", r->week, pt.mrn, r->signed_by);
out:
    free(r);
    return rc;
}

int cli_review_addendum(struct cli_ctx *ctx)
{
    struct cairn_patient pt;
    struct cairn_review *r = review_new();
    int rc;
    if (!r)
        return CLI_EXIT_FAILED;
    if (!cli_opt(ctx, "text")) {
        free(r);
        return cli_usage_error(ctx, "--text is required");
    }
    if ((rc = load_review(ctx, false, &pt, r)))
        goto out;
    enum cairn_status st =
        cairn_review_addendum_add(ctx->store, r, cli_opt(ctx, "text"), &ctx->err);
    if (st != CAIRN_OK) {
        rc = cli_fail(ctx, st, NULL);
        goto out;
    }
    printf("added an addendum to the review of %s for MRN %s\n", r->week, pt.mrn);
out:
    free(r);
    return rc;
}

/* --- lists -------------------------------------------------------------------- */

static const char *display_name(const struct cairn_patient *p)
{
    return p->preferred_name[0] ? p->preferred_name : p->legal_name;
}

static int due_row(const struct cairn_review_due *d, void *ctx)
{
    struct cli_list *list = ctx;
    const char *state = d->overdue ? "overdue" : cairn_review_status_str(d->status);
    const char *cells[] = {d->week,
                           state,
                           d->patient.mrn,
                           display_name(&d->patient),
                           d->patient.therapist_login,
                           d->patient.case_manager_login};
    json_t *o = json_object();
    json_object_set_new(o, "week", json_string(d->week));
    json_object_set_new(o, "status", json_string(cairn_review_status_str(d->status)));
    json_object_set_new(o, "overdue", json_boolean(d->overdue));
    json_object_set_new(o, "mrn", json_string(d->patient.mrn));
    json_object_set_new(o, "name", json_string(display_name(&d->patient)));
    cli_json_set_text(o, "therapist", d->patient.therapist_login);
    cli_json_set_text(o, "case_manager", d->patient.case_manager_login);
    cli_list_row(list, cells, o);
    return 0;
}

int cli_review_due(struct cli_ctx *ctx)
{
    static const struct cli_col cols[] = {
        {"WEEK", CLI_COL_TEXT, 0},      {"STATE", CLI_COL_TEXT, 0},
        {"MRN", CLI_COL_TEXT, 0},       {"NAME", CLI_COL_TEXT, 30},
        {"THERAPIST", CLI_COL_TEXT, 0}, {"CASE MANAGER", CLI_COL_TEXT, 0},
    };
    if (cli_opt(ctx, "clinician")) {
        /* Checked before any output, so an unknown login prints no header. */
        struct cairn_staff who;
        enum cairn_status st =
            cairn_staff_find(ctx->store, cli_opt(ctx, "clinician"), &who, &ctx->err);
        if (st == CAIRN_ERR_NOT_FOUND) {
            fprintf(stderr, "cairn: review due: --clinician: no staff member has the login '%s'\n",
                    cli_opt(ctx, "clinician"));
            return cli_exit_code(st);
        }
        if (st != CAIRN_OK)
            return cli_fail(ctx, st, NULL);
    }
    struct cli_list *list = cli_list_begin(ctx->format, cols, 6);
    if (!list)
        return CLI_EXIT_FAILED;
    enum cairn_status st = cairn_review_due_list(ctx->store, cli_opt(ctx, "clinician"),
                                                 cli_opt(ctx, "week"), due_row, list, &ctx->err);
    int out = cli_list_end(&list);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    return out;
}

static int awaiting_row(const struct cairn_review_awaiting *a, void *ctx)
{
    struct cli_list *list = ctx;
    const char *cells[] = {
        a->week,      a->patient.mrn, display_name(&a->patient),  cairn_risk_str(a->risk),
        a->signed_by, a->signed_at,   a->patient.therapist_login, a->patient.case_manager_login};
    json_t *o = json_object();
    json_object_set_new(o, "week", json_string(a->week));
    json_object_set_new(o, "mrn", json_string(a->patient.mrn));
    json_object_set_new(o, "name", json_string(display_name(&a->patient)));
    cli_json_set_text(o, "risk", cairn_risk_str(a->risk));
    json_object_set_new(o, "signed_by", json_string(a->signed_by));
    json_object_set_new(o, "signed_at", json_string(a->signed_at));
    cli_json_set_text(o, "therapist", a->patient.therapist_login);
    cli_json_set_text(o, "case_manager", a->patient.case_manager_login);
    json_object_set_new(o, "version", json_integer(a->version));
    cli_list_row(list, cells, o);
    return 0;
}

int cli_review_awaiting(struct cli_ctx *ctx)
{
    static const struct cli_col cols[] = {
        {"WEEK", CLI_COL_TEXT, 0},      {"MRN", CLI_COL_TEXT, 0},
        {"NAME", CLI_COL_TEXT, 30},     {"RISK", CLI_COL_TEXT, 0},
        {"SIGNED BY", CLI_COL_TEXT, 0}, {"SIGNED AT", CLI_COL_TEXT, 0},
        {"THERAPIST", CLI_COL_TEXT, 0}, {"CASE MANAGER", CLI_COL_TEXT, 0},
    };
    const char *clinician = cli_opt(ctx, "clinician");
    if (clinician) {
        /* Checked before any output, so an unknown login prints no header. */
        struct cairn_staff who;
        enum cairn_status st = cairn_staff_find(ctx->store, clinician, &who, &ctx->err);
        if (st == CAIRN_ERR_NOT_FOUND) {
            fprintf(stderr,
                    "cairn: review awaiting: --clinician: no staff member has the login '%s'\n",
                    clinician);
            return cli_exit_code(st);
        }
        if (st != CAIRN_OK)
            return cli_fail(ctx, st, NULL);
    }
    struct cli_list *list = cli_list_begin(ctx->format, cols, 8);
    if (!list)
        return CLI_EXIT_FAILED;
    enum cairn_status st =
        cairn_review_cosign_list(ctx->store, clinician, awaiting_row, list, &ctx->err);
    int out = cli_list_end(&list);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    return out;
}

static int line_row(const struct cairn_review_line *l, void *ctx)
{
    struct cli_list *list = ctx;
    char addenda[16];
    snprintf(addenda, sizeof addenda, "%d", l->addenda);
    const char *cells[] = {l->week,
                           cairn_review_status_str(l->status),
                           cairn_risk_str(l->risk),
                           l->signed_by,
                           l->signed_at,
                           l->cosigned_by,
                           addenda};
    json_t *o = json_object();
    json_object_set_new(o, "week", json_string(l->week));
    json_object_set_new(o, "status", json_string(cairn_review_status_str(l->status)));
    cli_json_set_text(o, "risk", cairn_risk_str(l->risk));
    cli_json_set_text(o, "signed_by", l->signed_by);
    cli_json_set_text(o, "signed_at", l->signed_at);
    cli_json_set_text(o, "cosigned_by", l->cosigned_by);
    json_object_set_new(o, "addenda", json_integer(l->addenda));
    cli_list_row(list, cells, o);
    return 0;
}

int cli_review_list(struct cli_ctx *ctx)
{
    static const struct cli_col cols[] = {
        {"WEEK", CLI_COL_TEXT, 0},      {"STATUS", CLI_COL_TEXT, 0},
        {"RISK", CLI_COL_TEXT, 0},      {"SIGNED BY", CLI_COL_TEXT, 0},
        {"SIGNED AT", CLI_COL_TEXT, 0}, {"CO-SIGNED BY", CLI_COL_TEXT, 0},
        {"ADDENDA", CLI_COL_NUMBER, 0},
    };
    struct cairn_patient pt;
    int rc;
    if ((rc = cli_patient(ctx, true, &pt)))
        return rc;
    struct cli_list *list = cli_list_begin(ctx->format, cols, 7);
    if (!list)
        return CLI_EXIT_FAILED;
    enum cairn_status st = cairn_review_list(ctx->store, pt.id, line_row, list, &ctx->err);
    int out = cli_list_end(&list);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    return out;
}

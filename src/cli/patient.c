/* cairn patient add|list|show|edit|admit|hold|resume|discharge|alumni */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* Resolves a staff login option into an id; "" clears (id 0). */
static int staff_option(struct cli_ctx *ctx, const char *opt, int64_t *id)
{
    const char *login = cli_opt(ctx, opt);
    struct cairn_staff st;
    if (!login)
        return 0;
    if (!*login) {
        *id = 0;
        return 0;
    }
    enum cairn_status rc = cairn_staff_find(ctx->store, login, &st, &ctx->err);
    if (rc != CAIRN_OK) {
        ctx->err.pointer[0] = '\0';
        char what[80];
        snprintf(what, sizeof what, "--%s", opt);
        return cli_fail(ctx, rc, what);
    }
    *id = st.id;
    return 0;
}

/* Fills p from the field options given and returns the mask of fields set
 * in *mask; 0 or an exit code. */
static int read_field_options(struct cli_ctx *ctx, struct cairn_patient *p, uint32_t *mask)
{
    static const struct {
        const char *opt;
        enum cairn_patient_field field;
        size_t offset, size;
    } text_fields[] = {
#define F(o, f, m)                                                                                 \
    {o, CAIRN_PF_##f, offsetof(struct cairn_patient, m), sizeof((struct cairn_patient *)0)->m}
        F("mrn", MRN, mrn),
        F("name", LEGAL_NAME, legal_name),
        F("preferred-name", PREFERRED_NAME, preferred_name),
        F("pronouns", PRONOUNS, pronouns),
        F("phone", PHONE, phone),
        F("emergency-contact", EMERGENCY_CONTACT, emergency_contact),
        F("tags", TAGS, tags),
#undef F
    };
    int rc;
    for (size_t i = 0; i < sizeof text_fields / sizeof text_fields[0]; i++) {
        bool known = false;
        for (int k = 0; ctx->cmd->opts[k].name; k++)
            known |= strcmp(ctx->cmd->opts[k].name, text_fields[i].opt) == 0;
        if (!known || !cli_opt(ctx, text_fields[i].opt))
            continue;
        if ((rc = cli_copy(ctx, text_fields[i].opt, (char *)p + text_fields[i].offset,
                           text_fields[i].size)))
            return rc;
        *mask |= 1u << text_fields[i].field;
    }
    if (cli_opt(ctx, "dob")) {
        if ((rc = cli_date(ctx, "dob", p->dob)))
            return rc;
        *mask |= CAIRN_PF_BIT(DOB);
    }
    static const struct {
        const char *opt;
        enum cairn_patient_field field;
    } staff_fields[] = {{"therapist", CAIRN_PF_THERAPIST},
                        {"case-manager", CAIRN_PF_CASE_MANAGER},
                        {"peer-mentor", CAIRN_PF_PEER_MENTOR}};
    int64_t *ids[] = {&p->therapist_id, &p->case_manager_id, &p->peer_mentor_id};
    for (size_t i = 0; i < 3; i++) {
        if (!cli_opt(ctx, staff_fields[i].opt))
            continue;
        if ((rc = staff_option(ctx, staff_fields[i].opt, ids[i])))
            return rc;
        *mask |= 1u << staff_fields[i].field;
    }
    const char *risk = cli_opt(ctx, "risk");
    if (risk) {
        if (!*risk) {
            p->risk = CAIRN_RISK_UNSET;
        } else if (cairn_risk_parse(risk, &p->risk, &ctx->err) != CAIRN_OK) {
            return cli_fail(ctx, CAIRN_ERR_INVALID, NULL);
        }
        *mask |= CAIRN_PF_BIT(RISK);
    }
    return 0;
}

/* A caseload row as JSON: the columns a list needs, never contact details or
 * date of birth. Those belong to the full record, whose read is audited. */
static json_t *caseload_json(const struct cairn_patient *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(p->id));
    json_object_set_new(o, "mrn", json_string(p->mrn));
    json_object_set_new(o, "legal_name", json_string(p->legal_name));
    cli_json_set_text(o, "preferred_name", p->preferred_name);
    json_object_set_new(o, "status", json_string(cairn_patient_status_str(p->status)));
    cli_json_set_text(o, "program", p->program_code);
    cli_json_set_text(o, "admission_date", p->admission_date);
    cli_json_set_text(o, "expected_discharge_date", p->expected_discharge_date);
    cli_json_set_text(o, "therapist", p->therapist_login);
    cli_json_set_text(o, "case_manager", p->case_manager_login);
    cli_json_set_text(o, "peer_mentor", p->peer_mentor_login);
    cli_json_set_text(o, "risk_level", cairn_risk_str(p->risk));
    json_object_set_new(o, "version", json_integer(p->version));
    return o;
}

/* The whole record as JSON: the caseload columns, then what only an
 * audited read shows. */
static json_t *patient_json(const struct cairn_patient *p)
{
    json_t *o = caseload_json(p);
    json_object_set_new(o, "dob", json_string(p->dob));
    cli_json_set_text(o, "pronouns", p->pronouns);
    cli_json_set_text(o, "phone", p->phone);
    cli_json_set_text(o, "emergency_contact", p->emergency_contact);
    cli_json_set_text(o, "discharge_date", p->discharge_date);
    cli_json_set_text(o, "discharge_reason", p->discharge_reason);
    cli_json_set_text(o, "risk_set_by", p->risk_set_by);
    cli_json_set_text(o, "risk_set_at", p->risk_set_at);
    json_t *tags = json_array();
    char copy[sizeof p->tags];
    memcpy(copy, p->tags, sizeof copy);
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
        json_array_append_new(tags, json_string(t));
    json_object_set_new(o, "tags", tags);
    json_object_set_new(o, "created_at", json_string(p->created_at));
    json_object_set_new(o, "updated_at", json_string(p->updated_at));
    return o;
}

/* Prints a record as "field: value" lines, or JSON. */
static int print_patient(const struct cli_ctx *ctx, const struct cairn_patient *p)
{
    if (ctx->format == CLI_FORMAT_JSON)
        return cli_json_print(patient_json(p)) ? CLI_EXIT_FAILED : 0;
    const struct {
        const char *label, *value;
    } rows[] = {
        {"MRN", p->mrn},
        {"Legal name", p->legal_name},
        {"Preferred name", p->preferred_name},
        {"Date of birth", p->dob},
        {"Pronouns", p->pronouns},
        {"Phone", p->phone},
        {"Emergency contact", p->emergency_contact},
        {"Status", cairn_patient_status_str(p->status)},
        {"Program", p->program_code},
        {"Admitted", p->admission_date},
        {"Expected discharge", p->expected_discharge_date},
        {"Discharged", p->discharge_date},
        {"Discharge reason", p->discharge_reason},
        {"Therapist", p->therapist_login},
        {"Case manager", p->case_manager_login},
        {"Peer mentor", p->peer_mentor_login},
        {"Risk", cairn_risk_str(p->risk)},
        {"Risk set by", p->risk_set_by},
        {"Risk set at", p->risk_set_at},
        {"Tags", p->tags},
        {"Updated", p->updated_at},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char safe[1024];
        cairn_text_fit(rows[i].value[0] ? rows[i].value : "-", 0, safe, sizeof safe);
        printf("%-19s %s\n", rows[i].label, safe);
    }
    printf("%-19s %lld\n", "Version", (long long)p->version);
    return 0;
}

int cli_patient_add(struct cli_ctx *ctx)
{
    struct cairn_patient p;
    uint32_t mask = 0;
    int rc;
    memset(&p, 0, sizeof p);
    if (!cli_opt(ctx, "mrn") || !cli_opt(ctx, "name") || !cli_opt(ctx, "dob"))
        return cli_usage_error(ctx, "--mrn, --name and --dob are required");
    if ((rc = read_field_options(ctx, &p, &mask)))
        return rc;
    enum cairn_status st = cairn_patient_add(ctx->store, &p, &ctx->err);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    if (ctx->format == CLI_FORMAT_JSON)
        return print_patient(ctx, &p);
    printf("added patient %s (referred, version %lld)\n", p.mrn, (long long)p.version);
    return 0;
}

struct list_state {
    struct cli_list *list;
    bool list_json;
};

static int list_row(const struct cairn_patient *p, void *vctx)
{
    struct list_state *ls = vctx;
    char version[24];
    snprintf(version, sizeof version, "%lld", (long long)p->version);
    const char *cells[] = {p->mrn,
                           p->legal_name,
                           p->preferred_name,
                           cairn_patient_status_str(p->status),
                           p->program_code,
                           p->admission_date,
                           p->therapist_login,
                           p->case_manager_login,
                           cairn_risk_str(p->risk),
                           version};
    cli_list_row(ls->list, cells, ls->list_json ? caseload_json(p) : NULL);
    return 0;
}

int cli_patient_list(struct cli_ctx *ctx)
{
    static const struct cli_col cols[] = {
        {"MRN", CLI_COL_TEXT, 0},        {"NAME", CLI_COL_TEXT, 30},
        {"PREFERRED", CLI_COL_TEXT, 16}, {"STATUS", CLI_COL_TEXT, 0},
        {"PROGRAM", CLI_COL_TEXT, 20},   {"ADMITTED", CLI_COL_TEXT, 0},
        {"THERAPIST", CLI_COL_TEXT, 16}, {"CASE MANAGER", CLI_COL_TEXT, 16},
        {"RISK", CLI_COL_TEXT, 0},       {"VERSION", CLI_COL_NUMBER, 0},
    };
    struct cairn_patient_filter f = {0};
    unsigned long long limit = 0;
    int rc;
    const char *status = cli_opt(ctx, "status");
    if (!status) {
        f.status_mask = (1u << CAIRN_PATIENT_REFERRED) | (1u << CAIRN_PATIENT_ACTIVE) |
                        (1u << CAIRN_PATIENT_ON_HOLD);
    } else if (strcmp(status, "all") != 0) {
        char copy[256];
        snprintf(copy, sizeof copy, "%s", status);
        for (char *save = NULL, *t = strtok_r(copy, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
            enum cairn_patient_status s;
            if (cairn_patient_status_parse(t, &s, &ctx->err) != CAIRN_OK)
                return cli_fail(ctx, CAIRN_ERR_INVALID, NULL); /* names --status */
            f.status_mask |= 1u << s;
        }
    }
    const char *risk = cli_opt(ctx, "risk");
    if (risk) {
        char copy[256];
        snprintf(copy, sizeof copy, "%s", risk);
        for (char *save = NULL, *t = strtok_r(copy, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
            enum cairn_risk r = CAIRN_RISK_UNSET;
            if (strcmp(t, "none") != 0 && cairn_risk_parse(t, &r, NULL) != CAIRN_OK)
                return cli_usage_error(ctx,
                                       "--risk takes low, moderate, high or none "
                                       "(comma-separated), not '%s'",
                                       t);
            f.risk_mask |= 1u << r;
        }
        if (!f.risk_mask)
            return cli_usage_error(ctx, "--risk needs at least one of low, moderate, high, none");
    }
    f.clinician_login = cli_opt(ctx, "clinician");
    f.program_code = cli_opt(ctx, "program");
    f.search = cli_opt(ctx, "search");
    f.review_due = cli_opt(ctx, "review-due") != NULL;
    const char *sort = cli_opt(ctx, "sort");
    if (sort && cairn_patient_sort_parse(sort, &f.sort, NULL) != CAIRN_OK)
        return cli_usage_error(ctx, "--sort must be name, mrn, program, status, risk or admitted");
    if ((rc = cli_uint(ctx, "limit", 1, 10000000, &limit)))
        return rc;
    f.limit = (size_t)limit;

    struct list_state ls = {cli_list_begin(ctx->format, cols, 10), ctx->format == CLI_FORMAT_JSON};
    if (!ls.list)
        return CLI_EXIT_FAILED;
    enum cairn_status st = cairn_patient_list(ctx->store, &f, list_row, &ls, &ctx->err);
    int out = cli_list_end(&ls.list);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    return out ? CLI_EXIT_FAILED : 0;
}

static json_t *care_json(const struct cairn_care *c)
{
    json_t *o = json_object();
    if (c->plan_id) {
        json_t *plan = json_object(), *sections = json_array();
        json_object_set_new(plan, "id", json_integer(c->plan_id));
        json_object_set_new(plan, "status", json_string(c->plan_status));
        json_object_set_new(plan, "revision", json_integer(c->plan_revision));
        for (size_t i = 0; i < c->nsections; i++)
            json_array_append_new(sections, json_string(cairn_plan_section_str(c->sections[i])));
        json_object_set_new(plan, "sections", sections);
        json_object_set_new(o, "plan", plan);
    } else {
        json_object_set_new(o, "plan", json_null());
    }
    json_t *ladders = json_array();
    for (size_t i = 0; i < c->nladders; i++) {
        const struct cairn_care_ladder *l = &c->ladders[i];
        json_t *lo = json_object(), *steps = json_array();
        json_object_set_new(lo, "id", json_integer(l->id));
        json_object_set_new(lo, "name", json_string(l->name));
        json_object_set_new(lo, "scale", json_integer(l->scale));
        json_object_set_new(lo, "status", json_string(l->status));
        for (size_t j = 0; j < l->nsteps; j++) {
            json_t *so = json_object();
            json_object_set_new(so, "id", json_integer(l->steps[j].id));
            json_object_set_new(so, "text", json_string(l->steps[j].text));
            json_object_set_new(so, "suds", json_integer(l->steps[j].suds));
            json_object_set_new(so, "status", json_string(l->steps[j].status));
            json_array_append_new(steps, so);
        }
        json_object_set_new(lo, "steps", steps);
        json_array_append_new(ladders, lo);
    }
    json_object_set_new(o, "ladders", ladders);
    json_t *reviews = json_array();
    for (size_t i = 0; i < c->nreviews; i++) {
        json_t *r = json_object();
        json_object_set_new(r, "week", json_string(c->reviews[i].week));
        json_object_set_new(r, "status", json_string(c->reviews[i].status));
        json_array_append_new(reviews, r);
    }
    json_object_set_new(o, "reviews", reviews);
    return o;
}

static void print_care(const struct cairn_care *c)
{
    char safe[1024];
    if (!c->plan_id) {
        printf("%-19s %s\n", "Plan", "- (admitted without a program)");
        return;
    }
    printf("%-19s %s, revision %d, %zu sections:", "Plan", c->plan_status, c->plan_revision,
           c->nsections);
    for (size_t i = 0; i < c->nsections; i++)
        printf("%s %s", i ? "," : "", cairn_plan_section_str(c->sections[i]));
    printf("\n");
    for (size_t i = 0; i < c->nladders; i++) {
        const struct cairn_care_ladder *l = &c->ladders[i];
        cairn_text_fit(l->name, 60, safe, sizeof safe);
        printf("%-19s %s (%s): %zu steps, %zu mastered\n", i ? "" : "Ladders", safe, l->status,
               l->nsteps, cairn_care_mastered(l));
    }
    if (c->nreviews)
        printf("%-19s %zu weekly, %s to %s\n", "Reviews", c->nreviews, c->reviews[0].week,
               c->reviews[c->nreviews - 1].week);
}

int cli_patient_show(struct cli_ctx *ctx)
{
    struct cairn_patient p;
    enum cairn_status st = cairn_patient_read(ctx->store, ctx->args[0], &p, &ctx->err);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, ctx->args[0]);
    struct cairn_care *care = malloc(sizeof *care);
    if (!care)
        return CLI_EXIT_FAILED;
    int rc = 0;
    if ((st = cairn_patient_care(ctx->store, p.id, care, &ctx->err)) != CAIRN_OK) {
        rc = cli_fail(ctx, st, ctx->args[0]);
    } else if (ctx->format == CLI_FORMAT_JSON) {
        json_t *o = patient_json(&p);
        json_object_set_new(o, "care", care_json(care));
        rc = cli_json_print(o) ? CLI_EXIT_FAILED : 0;
    } else {
        rc = print_patient(ctx, &p);
        print_care(care);
    }
    free(care);
    return rc;
}

/* Loads the patient named by the first argument, applying --if-version. */
static int load_for_change(struct cli_ctx *ctx, struct cairn_patient *p)
{
    unsigned long long version = 0;
    int rc;
    enum cairn_status st = cairn_patient_find(ctx->store, ctx->args[0], p, &ctx->err);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, ctx->args[0]);
    if ((rc = cli_uint(ctx, "if-version", 1, INT64_MAX, &version)))
        return rc;
    if (version)
        p->version = (int64_t)version;
    return 0;
}

/* Writes `value` single-quoted for a POSIX shell. */
static void shell_quote(FILE *f, const char *value)
{
    fputc('\'', f);
    for (const char *c = value; *c; c++) {
        if (*c == '\'')
            fputs("'\\''", f);
        else
            fputc(*c, f);
    }
    fputc('\'', f);
}

/* After a conflict: prints (to stdout, since it may hold names) the
 * command that re-applies the user's input to the current version. */
static void print_reapply(const struct cli_ctx *ctx, const char *mrn)
{
    struct cairn_patient now;
    struct cairn_error e;
    char name[64];
    snprintf(name, sizeof name, "%s %s", ctx->cmd->group, ctx->cmd->verb);
    if (cairn_patient_find(ctx->store, mrn, &now, &e) != CAIRN_OK)
        return;
    printf("Your input was not saved. To apply it to the current record (version %lld), "
           "check the record with `cairn patient show %s`, then run:\n  cairn %s ",
           (long long)now.version, mrn, name);
    shell_quote(stdout, mrn);
    printf(" --if-version %lld", (long long)now.version);
    for (int i = 0; ctx->cmd->opts[i].name; i++) {
        const struct cli_opt *o = &ctx->cmd->opts[i];
        if (!ctx->values[i] || strcmp(o->name, "if-version") == 0)
            continue;
        printf(" --%s", o->name);
        if (o->metavar) {
            fputc(' ', stdout);
            shell_quote(stdout, ctx->values[i]);
        }
    }
    fputc('\n', stdout);
}

int cli_patient_edit(struct cli_ctx *ctx)
{
    struct cairn_patient p;
    uint32_t mask = 0;
    int rc;
    if ((rc = load_for_change(ctx, &p)))
        return rc;
    if ((rc = read_field_options(ctx, &p, &mask)))
        return rc;
    if (cli_opt(ctx, "expected-discharge")) {
        if (*cli_opt(ctx, "expected-discharge") &&
            (rc = cli_date(ctx, "expected-discharge", p.expected_discharge_date)))
            return rc;
        if (!*cli_opt(ctx, "expected-discharge"))
            p.expected_discharge_date[0] = '\0';
        mask |= CAIRN_PF_BIT(EXPECTED_DISCHARGE);
    }
    if (!mask)
        return cli_usage_error(ctx, "nothing to change; give at least one field option");
    int64_t before = p.version;
    enum cairn_status st = cairn_patient_update(ctx->store, &p, mask, &ctx->err);
    if (st == CAIRN_ERR_CONFLICT)
        print_reapply(ctx, ctx->args[0]);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, ctx->args[0]);
    if (ctx->format == CLI_FORMAT_JSON)
        return print_patient(ctx, &p);
    if (p.version == before)
        printf("patient %s unchanged (version %lld)\n", p.mrn, (long long)p.version);
    else
        printf("updated patient %s (version %lld)\n", p.mrn, (long long)p.version);
    return 0;
}

/* Shared tail of every status change. */
static int change_status(struct cli_ctx *ctx, struct cairn_patient *p, enum cairn_patient_status to)
{
    enum cairn_status st = cairn_patient_change_status(ctx->store, p, to, &ctx->err);
    if (st == CAIRN_ERR_CONFLICT)
        print_reapply(ctx, ctx->args[0]);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, ctx->args[0]);
    printf("patient %s is now %s (version %lld)\n", p->mrn, cairn_patient_status_str(p->status),
           (long long)p->version);
    return 0;
}

int cli_patient_admit(struct cli_ctx *ctx)
{
    struct cairn_patient p;
    int rc;
    if ((rc = load_for_change(ctx, &p)))
        return rc;
    if (p.status != CAIRN_PATIENT_REFERRED) {
        snprintf(ctx->err.message, sizeof ctx->err.message,
                 "only a referred patient can be admitted (this one is %s%s)",
                 cairn_patient_status_str(p.status),
                 p.status == CAIRN_PATIENT_ON_HOLD ? "; use `cairn patient resume`" : "");
        return cli_fail(ctx, CAIRN_ERR_TRANSITION, ctx->args[0]);
    }
    cairn_date_format(ctx->today, p.admission_date);
    if ((rc = cli_date(ctx, "date", p.admission_date)))
        return rc;
    p.expected_discharge_date[0] = '\0';
    if ((rc = cli_date(ctx, "expected-discharge", p.expected_discharge_date)))
        return rc;
    const char *code = cli_opt(ctx, "program");
    if (code) {
        struct cairn_program prog;
        enum cairn_status st = cairn_program_find(ctx->store, code, &prog, &ctx->err);
        if (st != CAIRN_OK) {
            ctx->err.pointer[0] = '\0';
            return cli_fail(ctx, st, "--program");
        }
        p.program_id = prog.id;
    }
    return change_status(ctx, &p, CAIRN_PATIENT_ACTIVE);
}

int cli_patient_hold(struct cli_ctx *ctx)
{
    struct cairn_patient p;
    int rc = load_for_change(ctx, &p);
    return rc ? rc : change_status(ctx, &p, CAIRN_PATIENT_ON_HOLD);
}

int cli_patient_resume(struct cli_ctx *ctx)
{
    struct cairn_patient p;
    int rc = load_for_change(ctx, &p);
    if (rc)
        return rc;
    if (p.status != CAIRN_PATIENT_ON_HOLD) {
        ctx->err.pointer[0] = '\0';
        snprintf(ctx->err.message, sizeof ctx->err.message,
                 "only a patient on hold can resume (this one is %s)",
                 cairn_patient_status_str(p.status));
        return cli_fail(ctx, CAIRN_ERR_TRANSITION, ctx->args[0]);
    }
    return change_status(ctx, &p, CAIRN_PATIENT_ACTIVE);
}

int cli_patient_discharge(struct cli_ctx *ctx)
{
    struct cairn_patient p;
    int rc;
    if (!cli_opt(ctx, "reason"))
        return cli_usage_error(ctx, "--reason is required");
    if ((rc = load_for_change(ctx, &p)))
        return rc;
    cairn_date_format(ctx->today, p.discharge_date);
    if ((rc = cli_date(ctx, "date", p.discharge_date)))
        return rc;
    if ((rc = cli_copy(ctx, "reason", p.discharge_reason, sizeof p.discharge_reason)))
        return rc;
    return change_status(ctx, &p, CAIRN_PATIENT_DISCHARGED);
}

int cli_patient_alumni(struct cli_ctx *ctx)
{
    struct cairn_patient p;
    int rc = load_for_change(ctx, &p);
    return rc ? rc : change_status(ctx, &p, CAIRN_PATIENT_ALUMNI);
}

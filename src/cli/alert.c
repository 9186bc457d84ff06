/* cairn alerts, cairn alert ack */
#include <string.h>

#include "cli/cli.h"

struct alerts_out {
    struct cli_ctx *ctx;
    struct cli_list *list; /* started on the first alert */
    bool all;
    bool nomem;
};

static const struct cli_col open_cols[] = {
    {"SEVERITY", CLI_COL_TEXT, 0},
    {"ID", CLI_COL_TEXT, 0},
    {"NAME", CLI_COL_TEXT, 30},
    {"REASON", CLI_COL_TEXT, 0},
};

static const struct cli_col all_cols[] = {
    {"SEVERITY", CLI_COL_TEXT, 0},        {"ID", CLI_COL_TEXT, 0},
    {"NAME", CLI_COL_TEXT, 30},           {"REASON", CLI_COL_TEXT, 0},
    {"ACKNOWLEDGED BY", CLI_COL_TEXT, 0}, {"NOTE", CLI_COL_TEXT, 40},
};

/* The JSON form of an alert; its keys are documented in man cairn(1). */
static json_t *alert_json(const struct cairn_alert *a, const char *id)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "mrn", json_string(a->mrn));
    json_object_set_new(o, "patient_id", json_integer(a->patient_id));
    json_object_set_new(o, "name", json_string(a->name));
    json_object_set_new(o, "code", json_string(cairn_alert_code(a->rule)));
    json_object_set_new(o, "severity", json_string(cairn_alert_severity_str(a->severity)));
    json_object_set_new(o, "reason", json_string(a->reason));
    json_object_set_new(o, "key", json_string(a->key));
    json_object_set_new(o, "acknowledged", json_boolean(a->acknowledged));
    cli_json_set_text(o, "acked_by", a->acknowledged ? a->acked_by : NULL);
    cli_json_set_text(o, "acked_at", a->acknowledged ? a->acked_at : NULL);
    cli_json_set_text(o, "note", a->acknowledged ? a->ack_note : NULL);
    return o;
}

static int alert_row(const struct cairn_alert *a, void *vout)
{
    struct alerts_out *out = vout;
    char id[CAIRN_ALERT_ID_MAX], by[CAIRN_LOGIN_MAX + CAIRN_TIMESTAMP_LEN + 8] = "";
    if (!out->list) {
        out->list = out->all ? cli_list_begin(out->ctx->format, all_cols, 6)
                             : cli_list_begin(out->ctx->format, open_cols, 4);
        if (!out->list) {
            out->nomem = true;
            return 1;
        }
    }
    cairn_alert_id(a, id);
    if (a->acknowledged)
        snprintf(by, sizeof by, "%s %s", a->acked_by, a->acked_at);
    const char *cells[] = {cairn_alert_severity_str(a->severity), id, a->name, a->reason, by,
                           a->acknowledged ? a->ack_note : ""};
    cli_list_row(out->list, cells, out->ctx->format == CLI_FORMAT_JSON ? alert_json(a, id) : NULL);
    return 0;
}

int cli_alerts_run(struct cli_ctx *ctx)
{
    struct cairn_alert_filter f = {.severity = CAIRN_SEVERITY_INFO};
    struct alerts_out out = {.ctx = ctx, .all = cli_opt(ctx, "all") != NULL};
    enum cairn_status st;
    const char *severity = cli_opt(ctx, "severity");
    if (severity && (st = cairn_alert_severity_parse(severity, &f.severity, &ctx->err)) != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    f.clinician = cli_opt(ctx, "clinician");
    f.all = out.all;
    st = cairn_alerts_list(ctx->store, &f, alert_row, &out, &ctx->err);
    if (st == CAIRN_OK && out.nomem)
        st = cairn_error_set(&ctx->err, CAIRN_ERR_NOMEM, "out of memory printing alerts");
    if (st != CAIRN_OK) {
        cli_list_end(&out.list);
        return cli_fail(ctx, st, NULL);
    }
    if (!out.list && ctx->format == CLI_FORMAT_TEXT) {
        printf("%s\n", out.all ? "no alerts" : "no open alerts");
        return 0;
    }
    if (!out.list) {
        /* TSV and CSV print the header alone, JSON an empty array. */
        out.list = out.all ? cli_list_begin(ctx->format, all_cols, 6)
                           : cli_list_begin(ctx->format, open_cols, 4);
        if (!out.list)
            return CLI_EXIT_FAILED;
    }
    return cli_list_end(&out.list) ? CLI_EXIT_FAILED : 0;
}

int cli_alert_ack(struct cli_ctx *ctx)
{
    struct cairn_alert a;
    const char *note = cli_opt(ctx, "note");
    if (!note)
        return cli_usage_error(ctx, "--note is required: say what was done about the alert");
    enum cairn_status st = cairn_alert_ack(ctx->store, ctx->args[0], note, &a, &ctx->err);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    char id[CAIRN_ALERT_ID_MAX];
    cairn_alert_id(&a, id);
    printf("acknowledged %s (%s); it reopens when its data changes\n", id, a.key);
    return 0;
}

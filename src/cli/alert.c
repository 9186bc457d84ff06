/* cairn alerts, cairn alert ack */
#include <string.h>

#include "cli/cli.h"

struct alerts_out {
    struct cli_ctx *ctx;
    struct cli_list *list;      /* text, TSV, CSV: started on the first alert */
    struct cli_json_rows *json; /* JSON */
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

/* Sets the value at iter to text, or to null when text is empty, as
 * cli_json_set_text() would, reusing the string already there. */
static void refill_text(json_t *o, void *iter, const char *text)
{
    json_t *v = json_object_iter_value(iter);
    if (!*text) {
        if (!json_is_null(v))
            json_object_iter_set_new(o, iter, json_null());
    } else if (json_is_string(v)) {
        json_string_setn_nocheck(v, text, strlen(text));
    } else {
        json_object_iter_set_new(o, iter, json_stringn_nocheck(text, strlen(text)));
    }
}

/* alert_json() for cli_json_rows: item is a struct cairn_alert. Unless
 * checked, the thread's object *scratch (made by alert_json() the first
 * time) is refilled in place, its keys walked in order and its texts set
 * without jansson's UTF-8 check: the dump checks them anyway, and a row
 * it refuses comes back checked, built by alert_json() as ever. */
static json_t *alert_json_build(const void *item, json_t **scratch, bool checked)
{
    const struct cairn_alert *a = item;
    char id[CAIRN_ALERT_ID_MAX];
    cairn_alert_id(a, id);
    if (checked || !*scratch) {
        json_t *o = alert_json(a, id);
        if (checked || !o || json_object_size(o) != 12)
            return o;
        *scratch = o;
        return json_incref(o);
    }
    json_t *o = *scratch;
    void *it = json_object_iter(o);
    const char *texts[] = {id, a->mrn};
    for (int i = 0; i < 2; i++, it = json_object_iter_next(o, it))
        json_string_setn_nocheck(json_object_iter_value(it), texts[i], strlen(texts[i]));
    json_integer_set(json_object_iter_value(it), a->patient_id);
    it = json_object_iter_next(o, it);
    const char *more[] = {a->name, cairn_alert_code(a->rule), cairn_alert_severity_str(a->severity),
                          a->reason, a->key};
    for (int i = 0; i < 5; i++, it = json_object_iter_next(o, it))
        json_string_setn_nocheck(json_object_iter_value(it), more[i], strlen(more[i]));
    if (json_is_true(json_object_iter_value(it)) != a->acknowledged)
        json_object_iter_set_new(o, it, json_boolean(a->acknowledged));
    it = json_object_iter_next(o, it);
    const char *acked[] = {a->acked_by, a->acked_at, a->ack_note};
    for (int i = 0; i < 3; i++, it = json_object_iter_next(o, it))
        refill_text(o, it, a->acknowledged ? acked[i] : "");
    return json_incref(o);
}

static int alert_row(const struct cairn_alert *a, void *vout)
{
    struct alerts_out *out = vout;
    if (out->ctx->format == CLI_FORMAT_JSON) {
        if (!out->json && !(out->json = cli_json_rows_begin(sizeof *a, alert_json_build))) {
            out->nomem = true;
            return 1;
        }
        memcpy(cli_json_rows_add(out->json), a, sizeof *a);
        return 0;
    }
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
        cli_json_rows_end(&out.json);
        return cli_fail(ctx, st, NULL);
    }
    if (out.json)
        return cli_json_rows_end(&out.json) ? CLI_EXIT_FAILED : 0;
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

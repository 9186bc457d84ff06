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

/* An alert handed to cli_json_rows: its texts packed one after another,
 * only as many bytes copied as they take (the struct is mostly room for
 * the longest note). */
enum { ITEM_ID, ITEM_MRN, ITEM_NAME, ITEM_REASON, ITEM_KEY, ITEM_BY, ITEM_AT, ITEM_NOTE, ITEM_N };

struct alert_item {
    int64_t patient_id;
    enum cairn_alert_rule rule;
    enum cairn_alert_severity severity;
    bool acknowledged;
    unsigned short len[ITEM_N];
#define FIELD(f) sizeof(((struct cairn_alert *)0)->f)
    char text[CAIRN_ALERT_ID_MAX + FIELD(mrn) + FIELD(name) + FIELD(reason) + FIELD(key) +
              FIELD(acked_by) + FIELD(acked_at) + FIELD(ack_note)];
#undef FIELD
};

/* Appends text (n bytes) and its NUL at *at. */
static void item_put(struct alert_item *it, int k, char **at, const char *text, size_t n)
{
    memcpy(*at, text, n);
    (*at)[n] = '\0';
    it->len[k] = (unsigned short)n;
    *at += n + 1;
}

static void item_pack(struct alert_item *it, const struct cairn_alert *a)
{
    it->patient_id = a->patient_id;
    it->rule = a->rule;
    it->severity = a->severity;
    it->acknowledged = a->acknowledged;
    /* The ID as cairn_alert_id() writes it: MRN:code. */
    char *at = it->text;
    const char *code = cairn_alert_code(a->rule);
    size_t mrn = strlen(a->mrn), n = strlen(code);
    memcpy(at, a->mrn, mrn);
    at[mrn] = ':';
    memcpy(at + mrn + 1, code, n + 1);
    it->len[ITEM_ID] = (unsigned short)(mrn + 1 + n);
    at += mrn + 1 + n + 1;
    item_put(it, ITEM_MRN, &at, a->mrn, mrn);
    const char *texts[] = {a->name, a->reason, a->key};
    for (int k = 0; k < 3; k++)
        item_put(it, ITEM_NAME + k, &at, texts[k], strlen(texts[k]));
    const char *acked[] = {a->acked_by, a->acked_at, a->ack_note};
    for (int k = 0; k < 3; k++)
        item_put(it, ITEM_BY + k, &at, acked[k], a->acknowledged ? strlen(acked[k]) : 0);
}

/* The item's texts, in ITEM_ order. */
static void item_texts(const struct alert_item *it, const char *texts[ITEM_N])
{
    const char *at = it->text;
    for (int k = 0; k < ITEM_N; k++) {
        texts[k] = at;
        at += it->len[k] + 1;
    }
}

/* Sets the value at iter to text, or to null when text is empty, as
 * cli_json_set_text() would, reusing the string already there. */
static void refill_text(json_t *o, void *iter, const char *text, size_t n)
{
    json_t *v = json_object_iter_value(iter);
    if (!n) {
        if (!json_is_null(v))
            json_object_iter_set_new(o, iter, json_null());
    } else if (json_is_string(v)) {
        json_string_setn_nocheck(v, text, n);
    } else {
        json_object_iter_set_new(o, iter, json_stringn_nocheck(text, n));
    }
}

/* alert_json() for cli_json_rows: item is a struct alert_item. Unless
 * checked, the thread's object *scratch (made by alert_json() the first
 * time) is refilled in place, its keys walked in order and its texts set
 * without jansson's UTF-8 check: the dump checks them anyway, and a row
 * it refuses comes back checked, built by alert_json() as ever. */
static json_t *alert_json_build(const void *item, json_t **scratch, bool checked)
{
    const struct alert_item *it = item;
    const char *t[ITEM_N];
    item_texts(it, t);
    if (checked || !*scratch) {
        struct cairn_alert a = {.rule = it->rule,
                                .severity = it->severity,
                                .patient_id = it->patient_id,
                                .acknowledged = it->acknowledged};
        snprintf(a.mrn, sizeof a.mrn, "%s", t[ITEM_MRN]);
        snprintf(a.name, sizeof a.name, "%s", t[ITEM_NAME]);
        snprintf(a.reason, sizeof a.reason, "%s", t[ITEM_REASON]);
        snprintf(a.key, sizeof a.key, "%s", t[ITEM_KEY]);
        snprintf(a.acked_by, sizeof a.acked_by, "%s", t[ITEM_BY]);
        snprintf(a.acked_at, sizeof a.acked_at, "%s", t[ITEM_AT]);
        snprintf(a.ack_note, sizeof a.ack_note, "%s", t[ITEM_NOTE]);
        json_t *o = alert_json(&a, t[ITEM_ID]);
        if (checked || !o || json_object_size(o) != 12)
            return o;
        *scratch = o;
        return json_incref(o);
    }
    json_t *o = *scratch;
    void *at = json_object_iter(o);
    for (int k = ITEM_ID; k <= ITEM_MRN; k++, at = json_object_iter_next(o, at))
        json_string_setn_nocheck(json_object_iter_value(at), t[k], it->len[k]);
    json_integer_set(json_object_iter_value(at), it->patient_id);
    at = json_object_iter_next(o, at);
    json_string_setn_nocheck(json_object_iter_value(at), t[ITEM_NAME], it->len[ITEM_NAME]);
    at = json_object_iter_next(o, at);
    const char *code = cairn_alert_code(it->rule),
               *severity = cairn_alert_severity_str(it->severity);
    json_string_setn_nocheck(json_object_iter_value(at), code, strlen(code));
    at = json_object_iter_next(o, at);
    json_string_setn_nocheck(json_object_iter_value(at), severity, strlen(severity));
    at = json_object_iter_next(o, at);
    for (int k = ITEM_REASON; k <= ITEM_KEY; k++, at = json_object_iter_next(o, at))
        json_string_setn_nocheck(json_object_iter_value(at), t[k], it->len[k]);
    if (json_is_true(json_object_iter_value(at)) != it->acknowledged)
        json_object_iter_set_new(o, at, json_boolean(it->acknowledged));
    at = json_object_iter_next(o, at);
    for (int k = ITEM_BY; k <= ITEM_NOTE; k++, at = json_object_iter_next(o, at))
        refill_text(o, at, t[k], it->len[k]);
    return json_incref(o);
}

static int alert_row(const struct cairn_alert *a, void *vout)
{
    struct alerts_out *out = vout;
    if (out->ctx->format == CLI_FORMAT_JSON) {
        if (!out->json &&
            !(out->json = cli_json_rows_begin(sizeof(struct alert_item), alert_json_build))) {
            out->nomem = true;
            return 1;
        }
        item_pack(cli_json_rows_add(out->json), a);
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

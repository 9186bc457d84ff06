/* cairn audit */
#include <string.h>

#include "cli/cli.h"

static int audit_row(const struct cairn_audit_entry *e, void *vlist)
{
    char id[24], uid[24], entity_id[24], patient_id[24];
    snprintf(id, sizeof id, "%lld", (long long)e->id);
    snprintf(uid, sizeof uid, "%ld", e->uid);
    snprintf(entity_id, sizeof entity_id, "%lld", (long long)e->entity_id);
    if (e->patient_id)
        snprintf(patient_id, sizeof patient_id, "%lld", (long long)e->patient_id);
    else
        patient_id[0] = '\0';
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(e->id));
    json_object_set_new(o, "at", json_string(e->at));
    json_object_set_new(o, "uid", json_integer(e->uid));
    json_object_set_new(o, "login", json_string(e->login));
    json_object_set_new(o, "action", json_string(e->action));
    json_object_set_new(o, "entity", json_string(e->entity));
    json_object_set_new(o, "entity_id", e->entity_id ? json_integer(e->entity_id) : json_null());
    json_object_set_new(o, "patient_id", e->patient_id ? json_integer(e->patient_id) : json_null());
    json_t *fields = json_array();
    char copy[sizeof e->fields];
    memcpy(copy, e->fields, sizeof copy);
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
        json_array_append_new(fields, json_string(t));
    json_object_set_new(o, "fields", fields);
    json_object_set_new(o, "outcome", json_string(e->outcome));
    const char *cells[] = {id,        e->at,     uid,        e->login,  e->action,
                           e->entity, entity_id, patient_id, e->fields, e->outcome};
    cli_list_row(vlist, cells, o);
    return 0;
}

int cli_audit_run(struct cli_ctx *ctx)
{
    static const struct cli_col cols[] = {
        {"ID", CLI_COL_NUMBER, 0},        {"AT (UTC)", CLI_COL_TEXT, 0},
        {"UID", CLI_COL_NUMBER, 0},       {"LOGIN", CLI_COL_TEXT, 0},
        {"ACTION", CLI_COL_TEXT, 0},      {"ENTITY", CLI_COL_TEXT, 0},
        {"ENTITY ID", CLI_COL_NUMBER, 0}, {"PATIENT ID", CLI_COL_NUMBER, 0},
        {"FIELDS", CLI_COL_TEXT, 60},     {"OUTCOME", CLI_COL_TEXT, 0},
    };
    struct cairn_audit_filter f = {0};
    char since[CAIRN_DATE_LEN + 1] = "";
    unsigned long long limit = 0;
    int rc;
    const char *mrn = cli_opt(ctx, "patient");
    if (mrn) {
        struct cairn_patient p;
        enum cairn_status st = cairn_patient_find(ctx->store, mrn, &p, &ctx->err);
        if (st != CAIRN_OK)
            return cli_fail(ctx, st, mrn);
        f.patient_id = p.id;
    }
    if ((rc = cli_date(ctx, "since", since)))
        return rc;
    f.since = since[0] ? since : NULL;
    if ((rc = cli_uint(ctx, "limit", 1, 100000000, &limit)))
        return rc;
    f.limit = (size_t)limit;
    struct cli_list *list = cli_list_begin(ctx->format, cols, 10);
    if (!list)
        return CLI_EXIT_FAILED;
    enum cairn_status st = cairn_audit_list(ctx->store, &f, audit_row, list, &ctx->err);
    int out = cli_list_end(&list);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    return out ? CLI_EXIT_FAILED : 0;
}

/* cairn staff add|list */
#include <string.h>

#include "cli/cli.h"

int cli_staff_add(struct cli_ctx *ctx)
{
    struct cairn_staff st;
    int rc;
    memset(&st, 0, sizeof st);
    if (!cli_opt(ctx, "login") || !cli_opt(ctx, "name") || !cli_opt(ctx, "role"))
        return cli_usage_error(ctx, "--login, --name and --role are required");
    if ((rc = cli_copy(ctx, "login", st.login, sizeof st.login)) ||
        (rc = cli_copy(ctx, "name", st.name, sizeof st.name)))
        return rc;
    if (cairn_role_parse(cli_opt(ctx, "role"), &st.role, &ctx->err) != CAIRN_OK)
        return cli_fail(ctx, CAIRN_ERR_INVALID, NULL);
    enum cairn_status s = cairn_staff_add(ctx->store, &st, &ctx->err);
    if (s != CAIRN_OK)
        return cli_fail(ctx, s, NULL);
    printf("added %s %s\n", cairn_role_str(st.role), st.login);
    return 0;
}

static int staff_row(const struct cairn_staff *st, void *vlist)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(st->id));
    json_object_set_new(o, "login", json_string(st->login));
    json_object_set_new(o, "name", json_string(st->name));
    json_object_set_new(o, "role", json_string(cairn_role_str(st->role)));
    json_object_set_new(o, "active", json_boolean(st->active));
    const char *cells[] = {st->login, st->name, cairn_role_str(st->role),
                           st->active ? "yes" : "no"};
    cli_list_row(vlist, cells, o);
    return 0;
}

int cli_staff_list(struct cli_ctx *ctx)
{
    static const struct cli_col cols[] = {
        {"LOGIN", CLI_COL_TEXT, 0},
        {"NAME", CLI_COL_TEXT, 40},
        {"ROLE", CLI_COL_TEXT, 0},
        {"ACTIVE", CLI_COL_TEXT, 0},
    };
    struct cli_list *list = cli_list_begin(ctx->format, cols, 4);
    if (!list)
        return CLI_EXIT_FAILED;
    enum cairn_status s =
        cairn_staff_list(ctx->store, cli_opt(ctx, "all") != NULL, staff_row, list, &ctx->err);
    int out = cli_list_end(&list);
    if (s != CAIRN_OK)
        return cli_fail(ctx, s, NULL);
    return out ? CLI_EXIT_FAILED : 0;
}

/* cairn init, cairn demo */
#include <string.h>

#include "cli/cli.h"

int cli_init_run(struct cli_ctx *ctx)
{
    if (cairn_store_was_created(ctx->store))
        printf("created %s (schema version %d)\n", ctx->db_path,
               cairn_store_schema_version(ctx->store));
    else
        printf("%s is ready (schema version %d)\n", ctx->db_path,
               cairn_store_schema_version(ctx->store));
    unsigned imported;
    enum cairn_status st = cli_import_bundled(ctx, &imported);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, "importing the bundled program templates");
    if (imported)
        printf("imported %u program template%s (see `cairn template list`)\n", imported,
               imported == 1 ? "" : "s");
    struct cairn_staff me;
    if (cairn_staff_find(ctx->store, ctx->login, &me, NULL) != CAIRN_OK)
        printf("next: add yourself, e.g. cairn staff add --login %s --name \"Your Name\" "
               "--role therapist\n",
               ctx->login);
    return 0;
}

int cli_demo_run(struct cli_ctx *ctx)
{
    struct cairn_demo_options opts = {.patients = 40, .seed = 1, .today = ctx->today};
    struct cairn_demo_stats stats;
    unsigned long long n;
    int rc;
    if (cli_opt(ctx, "patients")) {
        if ((rc = cli_uint(ctx, "patients", 1, 1000000, &n)))
            return rc;
        opts.patients = (unsigned)n;
    }
    if (cli_opt(ctx, "clinicians")) {
        if ((rc = cli_uint(ctx, "clinicians", 3, 4096, &n)))
            return rc;
        opts.clinicians = (unsigned)n;
    }
    if (cli_opt(ctx, "seed")) {
        if ((rc = cli_uint(ctx, "seed", 0, UINT64_MAX, &n)))
            return rc;
        opts.seed = n;
    }
    if (cli_opt(ctx, "today")) {
        char day[CAIRN_DATE_LEN + 1];
        if ((rc = cli_date(ctx, "today", day)))
            return rc;
        cairn_date_parse(day, &opts.today, NULL);
        cairn_store_set_today(ctx->store, opts.today);
    }
    enum cairn_status st = cairn_demo_generate(ctx->store, &opts, &stats, &ctx->err);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    printf("demo caseload: %u patients, %u staff (synthetic names only)", stats.patients,
           stats.staff);
    if (stats.programs)
        printf("; imported %u program template%s", stats.programs, stats.programs == 1 ? "" : "s");
    printf("\ntracking: %u sessions with %u attendance lines, %u measures, %u ladder attempts, "
           "%u plans, %u safety plans, %u lapses, %u signed reviews\n",
           stats.sessions, stats.attendance, stats.measures, stats.attempts, stats.plans,
           stats.safety_plans, stats.lapses, stats.reviews);
    return 0;
}

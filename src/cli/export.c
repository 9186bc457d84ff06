/* cairn export patient, cairn backup, cairn restore */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/backup.h"
#include "cairn/export.h"
#include "cli/cli.h"

/* Prints "cairn: GROUP VERB: message" for a failure outside the core. */
static int fail_msg(const struct cli_ctx *ctx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_msg(const struct cli_ctx *ctx, int code, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "cairn: %s%s%s: ", ctx->cmd->group, ctx->cmd->verb ? " " : "",
            ctx->cmd->verb ? ctx->cmd->verb : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return code;
}

int cli_export_patient(struct cli_ctx *ctx)
{
    const char *fmt = cli_opt(ctx, "format"), *path = cli_opt(ctx, "output");
    enum cairn_export_format format;
    char *doc = NULL;
    int64_t patient_id = 0;
    struct cairn_outfile f = {.fd = -1};
    int rc = CLI_EXIT_OK;
    if (!fmt)
        return cli_usage_error(ctx, "--format is required: json or fhir");
    if (cairn_export_format_parse(fmt, &format, &ctx->err) != CAIRN_OK)
        return cli_usage_error(ctx, "--format must be json or fhir");
    if (path && !*path)
        return cli_usage_error(ctx, "--output needs a file name");
    /* The file first: an existing one is refused before anything is read. */
    if (path) {
        int e = cairn_outfile_open(&f, path);
        if (e == EEXIST)
            return fail_msg(ctx, CLI_EXIT_FAILED,
                            "%s already exists; an export never overwrites a file (give a "
                            "new name)",
                            path);
        if (e)
            return fail_msg(ctx, CLI_EXIT_FAILED, "cannot create %s: %s", path, strerror(e));
    }
    enum cairn_status st =
        cairn_export_patient(ctx->store, ctx->args[0], format, &doc, &patient_id, &ctx->err);
    if (st != CAIRN_OK) {
        rc = cli_fail(ctx, st, ctx->args[0]);
        goto out;
    }
    size_t len = strlen(doc);
    if (!path) {
        /* To stdout: audited first, since what is printed cannot be taken back. */
        if ((st = cairn_export_audit(ctx->store, patient_id, format, &ctx->err)) != CAIRN_OK) {
            rc = cli_fail(ctx, st, ctx->args[0]);
            goto out;
        }
        if (fwrite(doc, 1, len, stdout) != len || fflush(stdout) != 0)
            rc = fail_msg(ctx, CLI_EXIT_FAILED, "writing the export failed: %s", strerror(errno));
        goto out;
    }
    cairn_outfile_write(doc, len, &f);
    int e = cairn_outfile_finish(&f, path, true);
    if (e) {
        rc = fail_msg(ctx, CLI_EXIT_FAILED, "writing %s failed: %s (the partial file was removed)",
                      path, strerror(e));
        goto out;
    }
    if ((st = cairn_export_audit(ctx->store, patient_id, format, &ctx->err)) != CAIRN_OK) {
        unlink(path); /* written, but an export without its audit row is not kept */
        rc = cli_fail(ctx, st, ctx->args[0]);
        goto out;
    }
    printf("exported %s as %s to ", ctx->args[0], cairn_export_format_str(format));
    cli_put_safe(path);
    printf(" (%zu bytes, mode 0600)\n", len);
out:
    if (path && f.fd >= 0)
        cairn_outfile_finish(&f, path, false); /* the export failed: nothing is kept */
    free(doc);
    return rc;
}

int cli_backup_run(struct cli_ctx *ctx)
{
    struct cairn_backup_info info;
    enum cairn_status st = cairn_backup_create(ctx->store, ctx->args[0], &info, &ctx->err);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    printf("backed up to ");
    cli_put_safe(ctx->args[0]);
    printf(": schema %d, %lld pages (%lld KiB), integrity ok, mode 0600\n", info.schema_version,
           (long long)info.pages, (long long)(info.bytes / 1024));
    return CLI_EXIT_OK;
}

int cli_restore_run(struct cli_ctx *ctx)
{
    struct cairn_backup_info info;
    if (ctx->db_path)
        return cli_usage_error(ctx, "restore writes the new database at NEWPATH; --db is not "
                                    "used here");
    enum cairn_status st =
        cairn_backup_restore(ctx->args[0], ctx->args[1], ctx->uid, ctx->login, &info, &ctx->err);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    printf("restored ");
    cli_put_safe(ctx->args[0]);
    printf(" into ");
    cli_put_safe(ctx->args[1]);
    printf(" (schema %d", info.schema_version);
    if (info.restored_version != info.schema_version)
        printf(", migrated to %d", info.restored_version);
    printf("); use it with --db ");
    cli_put_safe(ctx->args[1]);
    printf("\n");
    return CLI_EXIT_OK;
}

/* cairn report caseload, cairn report patient: the core writes the report
 * through a sink; here the sink is stdout, or an --output file created
 * 0600 with O_EXCL (never overwriting), written fully, fsync'd, and
 * removed again if anything failed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static int write_stdout(const void *buf, size_t n, void *ctx)
{
    (void)ctx;
    return fwrite(buf, 1, n, stdout) == n ? 0 : -1;
}

typedef enum cairn_status (*report_fn)(struct cli_ctx *ctx, cairn_report_write_fn write, void *sink,
                                       bool to_file);

/* Runs `fn` into stdout, or into the --output file. */
static int run_report(struct cli_ctx *ctx, report_fn fn)
{
    const char *path = cli_opt(ctx, "output");
    enum cairn_status st;
    if (!path) {
        st = fn(ctx, write_stdout, NULL, false);
        return st == CAIRN_OK ? 0 : cli_fail(ctx, st, NULL);
    }
    if (!*path)
        return cli_usage_error(ctx, "--output needs a file name");
    struct cairn_outfile f;
    int e = cairn_outfile_open(&f, path);
    if (e) {
        fprintf(stderr, "cairn: report %s: --output %s: %s\n", ctx->cmd->verb, path,
                e == EEXIST ? "already exists; a report never overwrites a file (choose another "
                              "name or remove it first)"
                            : strerror(e));
        return CLI_EXIT_FAILED;
    }
    st = fn(ctx, cairn_outfile_write, &f, true);
    e = cairn_outfile_finish(&f, path, st == CAIRN_OK);
    if (st == CAIRN_OK && !e)
        return 0;
    if (e) {
        fprintf(stderr,
                "cairn: report %s: --output %s: writing failed (%s); the partial file "
                "was removed\n",
                ctx->cmd->verb, path, strerror(e));
        return CLI_EXIT_FAILED;
    }
    return cli_fail(ctx, st, NULL);
}

/* --format of a report: text (default), md, csv, json or html. */
static int report_format(struct cli_ctx *ctx, enum cairn_report_format *out)
{
    const char *v = cli_opt(ctx, "format");
    *out = CAIRN_REPORT_TEXT;
    if (!v)
        return 0;
    enum cairn_status st = cairn_report_format_parse(v, out, &ctx->err);
    return st == CAIRN_OK ? 0 : cli_usage_error(ctx, "%s", ctx->err.message);
}

static enum cairn_status caseload(struct cli_ctx *ctx, cairn_report_write_fn write, void *sink,
                                  bool to_file)
{
    enum cairn_report_format format;
    report_format(ctx, &format);
    struct cairn_report_options o = {
        .clinician = cli_opt(ctx, "clinician"),
        .program = cli_opt(ctx, "program"),
        .week = cli_opt(ctx, "week"),
        .to_file = to_file,
    };
    return cairn_report_caseload(ctx->store, &o, format, write, sink, &ctx->err);
}

int cli_report_caseload(struct cli_ctx *ctx)
{
    enum cairn_report_format format;
    int rc = report_format(ctx, &format);
    return rc ? rc : run_report(ctx, caseload);
}

static enum cairn_status patient(struct cli_ctx *ctx, cairn_report_write_fn write, void *sink,
                                 bool to_file)
{
    enum cairn_report_format format;
    report_format(ctx, &format);
    enum cairn_status st =
        cairn_report_patient(ctx->store, ctx->args[0], format, to_file, write, sink, &ctx->err);
    if (st == CAIRN_ERR_NOT_FOUND && !ctx->err.pointer[0])
        snprintf(ctx->err.message, sizeof ctx->err.message, "%.32s: no patient with that MRN",
                 ctx->args[0]);
    return st;
}

int cli_report_patient(struct cli_ctx *ctx)
{
    enum cairn_report_format format;
    int rc = report_format(ctx, &format);
    if (rc)
        return rc;
    if (format != CAIRN_REPORT_TEXT && format != CAIRN_REPORT_HTML)
        return cli_usage_error(ctx, "--format must be text or html");
    return run_report(ctx, patient);
}

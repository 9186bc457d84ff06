/* cairn command line: the command table, parsed arguments, output helpers.
 *
 * One table (commands[] in main.c) drives dispatch, option parsing and every
 * --help text. A command's run function reads its options by name through
 * cli_opt(), talks to libcairn, and returns a process exit code.
 */
#ifndef CAIRN_CLI_H
#define CAIRN_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cairn/cairn.h"

/* Exit codes (DESIGN.md §5). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILED = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_INVALID = 3,
    CLI_EXIT_CONFLICT = 4,
    CLI_EXIT_BUSY = 5,
};

struct cli_opt {
    const char *name;    /* long option without dashes */
    const char *metavar; /* NULL for a flag */
    const char *help;
    const char *field; /* the core field it fills, for error messages; NULL = name */
};

enum cli_db_need {
    CLI_DB_NONE,   /* never opens the database */
    CLI_DB_OPEN,   /* opens an existing database */
    CLI_DB_CREATE, /* may create it (init) */
};

struct cli_ctx;

struct cli_cmd {
    const char *group; /* "patient"; or the command itself ("init") */
    const char *verb;  /* "add"; NULL for one-word commands */
    const char *args;  /* positional synopsis, "MRN"; NULL for none */
    int min_args, max_args;
    const char *summary;        /* one line for listings */
    const char *details;        /* extra paragraphs for --help, or NULL */
    const struct cli_opt *opts; /* terminated by an entry with name NULL */
    enum cli_db_need db;
    int (*run)(struct cli_ctx *ctx);
};

enum cli_format { CLI_FORMAT_TEXT, CLI_FORMAT_TSV, CLI_FORMAT_CSV, CLI_FORMAT_JSON };

#define CLI_MAX_OPTS 40

struct cli_ctx {
    const struct cli_cmd *cmd;
    const char *values[CLI_MAX_OPTS]; /* parallel to cmd->opts; flags hold "" */
    char **args;
    int nargs;
    const char *db_path;
    struct cairn_store *store;
    enum cli_format format;
    int32_t today;
    long uid;
    char login[CAIRN_LOGIN_MAX + 1];
    struct cairn_error err;
};

/* The value of option `name` (without dashes), or NULL when not given.
 * Flags give "". `name` must be one of the command's options. */
const char *cli_opt(const struct cli_ctx *ctx, const char *name);

/* Prints "cairn: GROUP VERB: message" to stderr and returns exit code 2. */
int cli_usage_error(const struct cli_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Reports a failed core call: prints its message (naming the option at
 * fault when the error points at a field), prefixed with `what` when not
 * NULL, and returns the exit code for the status. */
int cli_fail(const struct cli_ctx *ctx, enum cairn_status status, const char *what);

/* Exit code for a core status (DESIGN.md §5). */
int cli_exit_code(enum cairn_status status);

/* Copies an option value into a fixed field, refusing values that do not
 * fit: returns 0, or prints an error naming the option and returns exit 3. */
int cli_copy(const struct cli_ctx *ctx, const char *opt, char *dst, size_t size);

/* Finds the patient named by the first argument into *p: `audited` for a
 * read of the record (cairn_patient_read()), not for a lookup before a
 * write that audits itself. Returns 0, or prints the error (naming the
 * MRN) and returns its exit code. */
int cli_patient(struct cli_ctx *ctx, bool audited, struct cairn_patient *p);

/* Parses a date option (YYYY-MM-DD) into out as text; exit 3 on error. */
int cli_date(const struct cli_ctx *ctx, const char *opt, char out[CAIRN_DATE_LEN + 1]);

/* Parses a non-negative integer option within [min, max]; exit 3 on error. */
int cli_uint(const struct cli_ctx *ctx, const char *opt, unsigned long long min,
             unsigned long long max, unsigned long long *out);

/* A list being printed in the chosen format. Text output is aligned by
 * display width, a block of rows at a time; TSV/CSV/JSON stream. */
struct cli_list;

/* Column kinds: numbers are not quoted in CSV nor guarded against formulas. */
enum cli_col_kind { CLI_COL_TEXT, CLI_COL_NUMBER };

struct cli_col {
    const char *title; /* header in text/tsv/csv */
    enum cli_col_kind kind;
    unsigned max_width; /* text format truncates wider cells; 0 = none */
};

/* Starts a list on stdout. Returns NULL on out-of-memory. */
struct cli_list *cli_list_begin(enum cli_format format, const struct cli_col *cols, int ncols);

/* Adds one row: `cells` (ncols strings, NULL = empty) for text/tsv/csv and
 * `obj` for json. Takes ownership of obj (may be NULL for non-json). */
void cli_list_row(struct cli_list *list, const char *const *cells, json_t *obj);

/* Flushes and frees the list. Returns 0, or 1 when writing stdout failed. */
int cli_list_end(struct cli_list **list);

/* A JSON list (printed exactly as cli_list prints one) whose rows cost
 * more to build and dump than to produce, built and dumped on two threads:
 * the caller's and one more, which takes every other batch of rows. Rows
 * are printed in the order added; memory stays a few batches whatever the
 * length. For each row the caller fills an item (a plain struct of
 * item_size bytes, copied, holding no pointers to memory that changes);
 * build(item, scratch, checked) returns a new reference to the row's JSON
 * value, from either thread. *scratch starts NULL and belongs to the
 * calling thread: build may keep an object there to refill for the next
 * row (freed at the end). Unless `checked`, build may skip jansson's UTF-8
 * checks; a row whose dump then fails is built again with checked true. */
struct cli_json_rows;
typedef json_t *(*cli_json_build_fn)(const void *item, json_t **scratch, bool checked);

/* Starts the list. Returns NULL on out-of-memory. */
struct cli_json_rows *cli_json_rows_begin(size_t item_size, cli_json_build_fn build);

/* The next row's item to fill (uninitialized; never NULL: the batches are
 * allocated by cli_json_rows_begin()). */
void *cli_json_rows_add(struct cli_json_rows *rows);

/* Prints what is left, stops the thread and frees the list. Returns 0, or
 * 1 when a row failed or writing stdout failed. */
int cli_json_rows_end(struct cli_json_rows **rows);

/* Prints one JSON value to stdout (indented, keys in insertion order) and
 * frees it. Returns 0, or 1 when writing failed. */
int cli_json_print(json_t *value);

/* Sets key to a string, or to null when text is NULL or empty. */
void cli_json_set_text(json_t *obj, const char *key, const char *text);

/* Prints text from the database or a user to stdout made safe for the
 * terminal (control characters and escape sequences neutralized). */
void cli_put_safe(const char *s);

/* Prints multi-line text the same way, each line after `indent`. */
void cli_put_safe_lines(const char *text, const char *indent);

/* Reads at most 1 MiB of `path` ("-": stdin) into a malloc'd,
 * NUL-terminated buffer (*text, *len). Returns 0, or prints why not and
 * returns an exit code. */
int cli_read_file(struct cli_ctx *ctx, const char *path, char **text, size_t *len);

/* Lets the user edit `rendered` in $VISUAL or $EDITOR in a private file
 * (0600, under $XDG_STATE_HOME/cairn): parse() checks the text (problems in
 * *diags with CAIRN_ERR_INVALID reopen the file with them on top), then
 * save() stores it and prints what it did. An unchanged or emptied file
 * cancels ("no change"). When the save fails (a conflict, a full disk) the
 * file is kept and its path printed. Returns the exit code. */
int cli_edit_loop(struct cli_ctx *ctx, const char *rendered,
                  enum cairn_status (*parse)(const char *body, size_t len,
                                             struct cairn_template_diags *diags,
                                             struct cairn_error *err, void *arg),
                  enum cairn_status (*save)(struct cli_ctx *ctx, void *arg), void *arg);

/* Command groups (one file each). */
int cli_init_run(struct cli_ctx *ctx);
int cli_demo_run(struct cli_ctx *ctx);
int cli_staff_add(struct cli_ctx *ctx);
int cli_staff_list(struct cli_ctx *ctx);
int cli_patient_add(struct cli_ctx *ctx);
int cli_patient_list(struct cli_ctx *ctx);
int cli_patient_show(struct cli_ctx *ctx);
int cli_patient_edit(struct cli_ctx *ctx);
int cli_patient_admit(struct cli_ctx *ctx);
int cli_patient_hold(struct cli_ctx *ctx);
int cli_patient_resume(struct cli_ctx *ctx);
int cli_patient_discharge(struct cli_ctx *ctx);
int cli_patient_alumni(struct cli_ctx *ctx);
int cli_measure_add(struct cli_ctx *ctx);
int cli_measure_correct(struct cli_ctx *ctx);
int cli_measure_list(struct cli_ctx *ctx);
int cli_measure_instruments(struct cli_ctx *ctx);
int cli_audit_run(struct cli_ctx *ctx);
int cli_ladder_list(struct cli_ctx *ctx);
int cli_ladder_show(struct cli_ctx *ctx);
int cli_ladder_add_step(struct cli_ctx *ctx);
int cli_ladder_move_step(struct cli_ctx *ctx);
int cli_ladder_edit_step(struct cli_ctx *ctx);
int cli_ladder_attempt(struct cli_ctx *ctx);
int cli_session_log(struct cli_ctx *ctx);
int cli_session_mark(struct cli_ctx *ctx);
int cli_session_list(struct cli_ctx *ctx);
int cli_session_weeks(struct cli_ctx *ctx);
int cli_session_import(struct cli_ctx *ctx);
int cli_template_check(struct cli_ctx *ctx);
int cli_template_import(struct cli_ctx *ctx);
int cli_template_list(struct cli_ctx *ctx);
int cli_template_show(struct cli_ctx *ctx);
int cli_plan_show(struct cli_ctx *ctx);
int cli_plan_history(struct cli_ctx *ctx);
int cli_plan_diff(struct cli_ctx *ctx);
int cli_plan_edit(struct cli_ctx *ctx);
int cli_plan_set(struct cli_ctx *ctx);
int cli_plan_goal(struct cli_ctx *ctx);
int cli_lapse_add(struct cli_ctx *ctx);
int cli_lapse_list(struct cli_ctx *ctx);
int cli_review_due(struct cli_ctx *ctx);
int cli_review_start(struct cli_ctx *ctx);
int cli_review_show(struct cli_ctx *ctx);
int cli_review_edit(struct cli_ctx *ctx);
int cli_review_set(struct cli_ctx *ctx);
int cli_review_sign(struct cli_ctx *ctx);
int cli_review_cosign(struct cli_ctx *ctx);
int cli_review_addendum(struct cli_ctx *ctx);
int cli_review_list(struct cli_ctx *ctx);
int cli_review_awaiting(struct cli_ctx *ctx);
int cli_alerts_run(struct cli_ctx *ctx);
int cli_alert_ack(struct cli_ctx *ctx);
int cli_export_patient(struct cli_ctx *ctx);
int cli_backup_run(struct cli_ctx *ctx);
int cli_restore_run(struct cli_ctx *ctx);
int cli_report_caseload(struct cli_ctx *ctx);
int cli_report_patient(struct cli_ctx *ctx);

/* Imports each template built into cairn whose program code the database
 * does not have yet (a program the team already has is never replaced);
 * counts the imports in *imported. */
enum cairn_status cli_import_bundled(struct cli_ctx *ctx, unsigned *imported);
int cli_tui_run(struct cli_ctx *ctx);

#endif

/* Private to the report module (report.c, report_patient.c, report_out.c,
 * svg.c, store_report.c): the report's audit row, and a buffered writer
 * over the caller's sink (cairn_report_write_fn) with the escaping each
 * output format needs. Writes never fail on the spot: the
 * first sink failure (or out-of-memory) is remembered, later writes are
 * dropped, and report_out_status() reports it once at the end. */
#ifndef CAIRN_REPORT_INTERNAL_H
#define CAIRN_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/report.h"

struct cairn_store;

/* Appends the one audit row of a report in its own transaction: `action`
 * "read" or "export", entity "report", `patient_id` for a one-patient
 * report (0 for the caseload), and in `fields` the report's kind and the
 * names of the filters used (never their values). In store_report.c. */
enum cairn_status store_report_audit(struct cairn_store *store, const char *action,
                                     int64_t patient_id, const char *fields,
                                     struct cairn_error *err);

/* Every row of a caseload report, read once (one snapshot) and kept
 * packed in the report's order, so that a renderer can go over them twice
 * (the text form counts its pages first). In store_report.c. */
struct report_set;

/* Reads the rows cairn_report_rows() gives for *filter (which must outlive
 * the set): from the per-patient summaries for the week holding today,
 * with per-patient queries otherwise. When store_readers_open() can give
 * two readers on one snapshot (a file, no transaction open on store), two
 * threads each read half the patients by id; the rows are the same either
 * way. *out is NULL on failure. */
enum cairn_status store_report_collect(struct cairn_store *store,
                                       const struct cairn_report_filter *filter,
                                       struct report_set **out, struct cairn_error *err);

/* Calls fn with each row in order (the row is borrowed for the call);
 * returns 1 when fn stopped it, else 0. */
int report_set_each(struct report_set *set,
                    int (*fn)(const struct cairn_report_row *row, void *ctx), void *ctx);

/* Like report_set_each() for rows [from, to) of the order, into *row
 * (the caller's: two threads may each go over their own range at once),
 * with only the fields the text form's layout depends on set: status,
 * clinician and its name, program, alerts, discharge_due, steps and
 * ladders mastered. The others hold whatever an earlier row left. For
 * counting pages. */
int report_set_each_light(struct report_set *set, size_t from, size_t to,
                          struct cairn_report_row *row,
                          int (*fn)(const struct cairn_report_row *row, void *ctx), void *ctx);

/* How many rows the set holds. */
size_t report_set_rows(const struct report_set *set);

/* Whether rows i and j of the order are in the same group (clinician). */
bool report_set_same_group(const struct report_set *set, size_t i, size_t j);

/* How many rows were read with the per-patient queries (no usable summary). */
unsigned long report_set_exact_rows(const struct report_set *set);

/* How many threads collected the rows: 2 when a whole organization's were
 * split between two readers (see store_report_collect()), else 1. */
unsigned report_set_threads(const struct report_set *set);

/* Frees *set and sets it to NULL; NULL is fine. */
void report_set_free(struct report_set **set);

/* Text only: the renderer only counts the pages, writing nothing (and
 * keeping no totals: a totals block takes the same lines whatever it
 * holds; rows from report_set_each_light() are enough), or writes each
 * page as it fills, knowing there will be `pages`. In report.c. */
void report_render_count_pages(struct cairn_report_renderer *r);
void report_render_stream_pages(struct cairn_report_renderer *r, size_t pages);

/* The number of pages a finished text renderer made. In report.c. */
size_t report_render_pages(const struct cairn_report_renderer *r);

#define REPORT_OUT_BUFFER 65536

struct report_out {
    cairn_report_write_fn write;
    void *ctx;
    bool failed;
    size_t len;
    char buf[REPORT_OUT_BUFFER];
};

/* Starts writing to write/ctx. */
void report_out_init(struct report_out *o, cairn_report_write_fn write, void *ctx);

/* Appends n bytes as they are. */
void report_out_write(struct report_out *o, const char *s, size_t n);

/* Appends a NUL-terminated string as it is. */
void report_out_puts(struct report_out *o, const char *s);

/* Appends printf-style text as it is (no escaping: for numbers and fixed
 * markup; text from the database goes through the escaping writers). */
void report_out_printf(struct report_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends text for HTML or SVG (element content or a quoted attribute):
 * & < > " ' escaped; control characters and malformed UTF-8 become '?'. */
void report_out_html(struct report_out *o, const char *text);

/* Appends text for a Markdown table cell or line: control characters
 * (line breaks included) and malformed UTF-8 become '?', and the
 * characters Markdown would read as markup (\ ` * _ [ ] < > | #) are
 * backslash-escaped. */
void report_out_md(struct report_out *o, const char *text);

/* Appends one RFC 4180 CSV field: quoted when it holds a comma, quote or
 * line break; a field starting with = + - @ TAB or CR (a spreadsheet would
 * run it as a formula) is quoted and prefixed with a single quote. Other
 * control characters become '?'. */
void report_out_csv(struct report_out *o, const char *text);

/* Sends what is buffered to the sink. */
void report_out_flush(struct report_out *o);

/* Flushes, then CAIRN_OK, or CAIRN_ERR_IO (CAIRN_ERR_NOMEM when
 * `nomem`) in err when a write failed. */
enum cairn_status report_out_status(struct report_out *o, bool nomem, struct cairn_error *err);

#endif

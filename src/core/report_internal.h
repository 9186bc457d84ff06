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

/* cairn — a strict RFC 4180 CSV reader for imports.
 *
 * Fields are separated by commas and records by CRLF or LF; a field may be
 * quoted ("..."), with "" for a quote inside, and may then hold commas and
 * line breaks. Refused, with the line and column: a quote inside an
 * unquoted field, text after a closing quote, an unterminated quote, a NUL
 * byte, invalid UTF-8, a record with a different number of fields than
 * the first (the header), and anything over the limits below. A UTF-8 byte
 * order mark at the start is skipped; blank lines are skipped.
 */
#ifndef CAIRN_CSV_H
#define CAIRN_CSV_H

#include <stddef.h>

#include "cairn/status.h"

#define CAIRN_CSV_MAX_BYTES  (16u * 1024 * 1024) /* the whole file */
#define CAIRN_CSV_MAX_FIELDS 32                  /* per record */
#define CAIRN_CSV_MAX_FIELD  1024                /* bytes in one field */

struct cairn_csv_field {
    const char *text; /* NUL-terminated, quotes removed; valid until the callback returns */
    size_t len;
    int line, col; /* where the field starts, 1-based; col counts characters */
};

/* Called once per record, the header included (record 0). Return
 * CAIRN_OK to go on; any other status stops the parse and is returned by
 * cairn_csv_parse() (fill err yourself). */
typedef enum cairn_status (*cairn_csv_record_fn)(const struct cairn_csv_field *fields, size_t n,
                                                 size_t record, void *arg, struct cairn_error *err);

/* Parses `len` bytes of CSV text, calling fn for each record. `file` names
 * the input in errors (err->file, line, col). Returns CAIRN_OK,
 * CAIRN_ERR_INVALID for malformed CSV, CAIRN_ERR_NOMEM, or what fn
 * returned. */
enum cairn_status cairn_csv_parse(const char *text, size_t len, const char *file,
                                  cairn_csv_record_fn fn, void *arg, struct cairn_error *err);

#endif

/* Strict RFC 4180 CSV reader (see csv.h). One pass over the bytes; a
 * record's unquoted field texts are gathered in one growable buffer. */
#include "cairn/csv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/text.h"

struct reader {
    const char *p, *end;
    const char *file;
    int line, col; /* of *p */
    char *buf;     /* the current record's field texts, each NUL-terminated */
    size_t used, cap;
    struct cairn_csv_field fields[CAIRN_CSV_MAX_FIELDS];
    size_t offsets[CAIRN_CSV_MAX_FIELDS];
    size_t nfields;
    struct cairn_error *err;
};

/* Advances over one byte, keeping line and column (columns count
 * characters: UTF-8 continuation bytes do not move them). */
static void advance(struct reader *r)
{
    unsigned char c = (unsigned char)*r->p++;
    if (c == '\n') {
        r->line++;
        r->col = 1;
    } else if ((c & 0xC0) != 0x80) {
        r->col++;
    }
}

static enum cairn_status fail(struct reader *r, int line, int col, const char *msg)
{
    return cairn_error_at(r->err, CAIRN_ERR_INVALID, r->file, line, col, "", "%s", msg);
}

static enum cairn_status put(struct reader *r, char c, int line, int col)
{
    if (r->used - r->offsets[r->nfields] >= CAIRN_CSV_MAX_FIELD)
        return cairn_error_at(r->err, CAIRN_ERR_INVALID, r->file, line, col, "",
                              "field longer than %u bytes", CAIRN_CSV_MAX_FIELD);
    if (r->used + 1 >= r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 256;
        char *b = realloc(r->buf, cap);
        if (!b)
            return cairn_error_set(r->err, CAIRN_ERR_NOMEM, "out of memory reading CSV");
        r->buf = b;
        r->cap = cap;
    }
    r->buf[r->used++] = c;
    return CAIRN_OK;
}

/* Reads one field starting at r->p, stopping before the comma or line
 * break that ends it (or at the end of input). */
static enum cairn_status read_field(struct reader *r)
{
    enum cairn_status rc;
    int line = r->line, col = r->col;
    if (r->nfields == CAIRN_CSV_MAX_FIELDS)
        return cairn_error_at(r->err, CAIRN_ERR_INVALID, r->file, line, col, "",
                              "more than %d fields in a record", CAIRN_CSV_MAX_FIELDS);
    r->offsets[r->nfields] = r->used;
    r->fields[r->nfields].line = line;
    r->fields[r->nfields].col = col;
    if (r->p < r->end && *r->p == '"') {
        advance(r);
        for (;;) {
            if (r->p == r->end)
                return fail(r, line, col, "quoted field is never closed");
            if (*r->p == '"') {
                if (r->p + 1 < r->end && r->p[1] == '"') {
                    advance(r);
                    advance(r);
                    if ((rc = put(r, '"', line, col)) != CAIRN_OK)
                        return rc;
                    continue;
                }
                advance(r);
                break;
            }
            if ((rc = put(r, *r->p, line, col)) != CAIRN_OK)
                return rc;
            advance(r);
        }
        if (r->p < r->end && *r->p != ',' && *r->p != '\n' &&
            !(*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n'))
            return fail(r, r->line, r->col,
                        "text after a closing quote (a quote inside a field is written \"\")");
    } else {
        while (r->p < r->end && *r->p != ',' && *r->p != '\n') {
            if (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n')
                break;
            if (*r->p == '"')
                return fail(r, r->line, r->col,
                            "quote inside an unquoted field (quote the whole field and write "
                            "\"\" for each quote)");
            if (*r->p == '\r')
                return fail(r, r->line, r->col, "carriage return without a line feed");
            if ((rc = put(r, *r->p, line, col)) != CAIRN_OK)
                return rc;
            advance(r);
        }
    }
    if ((rc = put(r, '\0', line, col)) != CAIRN_OK)
        return rc;
    r->nfields++;
    return CAIRN_OK;
}

enum cairn_status cairn_csv_parse(const char *text, size_t len, const char *file,
                                  cairn_csv_record_fn fn, void *arg, struct cairn_error *err)
{
    struct reader r = {.p = text, .end = text + len, .file = file, .line = 1, .col = 1, .err = err};
    enum cairn_status rc = CAIRN_OK;
    size_t record = 0, width = 0;
    if (len > CAIRN_CSV_MAX_BYTES)
        return cairn_error_at(err, CAIRN_ERR_INVALID, file, 0, 0, "", "file is larger than %u MiB",
                              CAIRN_CSV_MAX_BYTES >> 20);
    const void *nul = memchr(text, '\0', len);
    if (nul) {
        /* Find its line for the message. */
        struct reader at = r;
        while (at.p < (const char *)nul)
            advance(&at);
        return fail(&r, at.line, at.col, "NUL byte (this is not a text file)");
    }
    if (!cairn_utf8_valid(text, len)) {
        struct reader at = r;
        unsigned cp;
        size_t n;
        /* A malformed sequence decodes as U+FFFD from one byte. */
        while (at.p < at.end &&
               ((n = cairn_utf8_decode(at.p, (size_t)(at.end - at.p), &cp)) > 1 || cp != 0xFFFD))
            for (size_t i = 0; i < n; i++)
                advance(&at);
        return fail(&r, at.line, at.col, "not valid UTF-8 (save the file as UTF-8)");
    }
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        r.p += 3;
    while (r.p < r.end && rc == CAIRN_OK) {
        /* Blank lines carry no record. */
        if (*r.p == '\n' || (*r.p == '\r' && r.p + 1 < r.end && r.p[1] == '\n')) {
            while (r.p < r.end && *r.p != '\n')
                advance(&r);
            advance(&r);
            continue;
        }
        r.nfields = 0;
        r.used = 0;
        int line = r.line;
        for (;;) {
            if ((rc = read_field(&r)) != CAIRN_OK)
                break;
            if (r.p < r.end && *r.p == ',') {
                advance(&r);
                continue;
            }
            break;
        }
        if (rc != CAIRN_OK)
            break;
        if (r.p < r.end && *r.p == '\r')
            advance(&r);
        if (r.p < r.end && *r.p == '\n')
            advance(&r);
        if (record == 0)
            width = r.nfields;
        else if (r.nfields != width) {
            rc = cairn_error_at(err, CAIRN_ERR_INVALID, file, line, 1, "",
                                "record has %zu field%s; the header has %zu", r.nfields,
                                r.nfields == 1 ? "" : "s", width);
            break;
        }
        for (size_t i = 0; i < r.nfields; i++) {
            r.fields[i].text = r.buf + r.offsets[i];
            r.fields[i].len = strlen(r.fields[i].text);
        }
        rc = fn(r.fields, r.nfields, record++, arg, err);
    }
    free(r.buf);
    return rc;
}

/* The report module's buffered writer and the escaping of each format. */
#include "report_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/text.h"

void report_out_init(struct report_out *o, cairn_report_write_fn write, void *ctx)
{
    o->write = write;
    o->ctx = ctx;
    o->failed = false;
    o->len = 0;
}

void report_out_flush(struct report_out *o)
{
    if (o->len && !o->failed && o->write(o->buf, o->len, o->ctx) != 0)
        o->failed = true;
    o->len = 0;
}

void report_out_write(struct report_out *o, const char *s, size_t n)
{
    if (o->failed)
        return;
    if (o->len + n > sizeof o->buf)
        report_out_flush(o);
    if (n > sizeof o->buf) {
        if (!o->failed && o->write(s, n, o->ctx) != 0)
            o->failed = true;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

void report_out_puts(struct report_out *o, const char *s)
{
    report_out_write(o, s, strlen(s));
}

void report_out_printf(struct report_out *o, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        report_out_write(o, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        o->failed = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    report_out_write(o, big, (size_t)n);
    free(big);
}

/* Writes text with each control character or malformed byte replaced by
 * "?" and each ASCII character `escape` names replaced by its escape. */
static void each_char(struct report_out *o, const char *text, const char *(*escape)(unsigned cp))
{
    size_t n = text ? strlen(text) : 0, i = 0, run = 0;
    while (i < n) {
        unsigned cp;
        size_t used = cairn_utf8_decode(text + i, n - i, &cp);
        bool malformed = cp == 0xFFFD && used == 1;
        bool control = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
        const char *esc = malformed || control ? "?" : cp < 0x80 ? escape(cp) : NULL;
        if (esc) {
            report_out_write(o, text + run, i - run);
            report_out_puts(o, esc);
            run = i + used;
        }
        i += used;
    }
    report_out_write(o, text + run, i - run);
}

static const char *html_escape(unsigned cp)
{
    switch (cp) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

static const char *md_escape(unsigned cp)
{
    static const char specials[] = "\\`*_[]<>|#";
    static const char escapes[][3] = {"\\\\", "\\`", "\\*", "\\_", "\\[",
                                      "\\]",  "\\<", "\\>", "\\|", "\\#"};
    const char *at = cp ? strchr(specials, (int)cp) : NULL;
    return at ? escapes[at - specials] : NULL;
}

void report_out_html(struct report_out *o, const char *text)
{
    each_char(o, text, html_escape);
}

void report_out_md(struct report_out *o, const char *text)
{
    each_char(o, text, md_escape);
}

void report_out_csv(struct report_out *o, const char *text)
{
    const char *v = text ? text : "";
    bool guard = v[0] && strchr("=+-@\t\r", v[0]) != NULL;
    bool quote = guard || strpbrk(v, ",\"\r\n") != NULL;
    if (quote)
        report_out_write(o, "\"", 1);
    if (guard)
        report_out_write(o, "'", 1);
    size_t run = 0, i = 0, n = strlen(v);
    while (i < n) {
        unsigned cp;
        size_t used = cairn_utf8_decode(v + i, n - i, &cp);
        bool malformed = cp == 0xFFFD && used == 1;
        bool keep = cp == '\n' || cp == '\r' || cp == '\t';
        bool control = !keep && (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0));
        if (malformed || control || cp == '"') {
            report_out_write(o, v + run, i - run);
            report_out_write(o, cp == '"' ? "\"\"" : "?", cp == '"' ? 2 : 1);
            run = i + used;
        }
        i += used;
    }
    report_out_write(o, v + run, i - run);
    if (quote)
        report_out_write(o, "\"", 1);
}

enum cairn_status report_out_status(struct report_out *o, bool nomem, struct cairn_error *err)
{
    report_out_flush(o);
    if (nomem)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory writing the report");
    if (o->failed)
        return cairn_error_set(err, CAIRN_ERR_IO, "writing the report failed");
    return CAIRN_OK;
}

/* List output in text, TSV, CSV and JSON.
 *
 * Text aligns columns by display width (UTF-8 names, wide characters) and
 * makes every cell safe to print (control characters shown as '?'); it
 * aligns a block of rows at a time so a long list streams in bounded
 * memory. TSV and CSV stream row by row; CSV quotes per RFC 4180 and guards
 * text cells against spreadsheet formula injection. JSON is built with
 * jansson, one element at a time. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

enum { TEXT_BLOCK = 512, CELL_MAX = 1024 };

struct cli_list {
    enum cli_format format;
    const struct cli_col *cols;
    int ncols;
    bool header_done;
    size_t rows_out;
    /* text: a block of sanitized cells, rows × ncols */
    char **cells;
    size_t *widths; /* each cell's display width, as cairn_text_fit() measured it */
    size_t nrows;
    bool failed;
};

struct cli_list *cli_list_begin(enum cli_format format, const struct cli_col *cols, int ncols)
{
    struct cli_list *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->format = format;
    l->cols = cols;
    l->ncols = ncols;
    if (format == CLI_FORMAT_TEXT) {
        l->cells = calloc((size_t)TEXT_BLOCK * (size_t)ncols, sizeof *l->cells);
        l->widths = calloc((size_t)TEXT_BLOCK * (size_t)ncols, sizeof *l->widths);
        if (!l->cells || !l->widths) {
            free(l->cells);
            free(l->widths);
            free(l);
            return NULL;
        }
    }
    return l;
}

/* Control characters never reach the terminal or a spreadsheet: cairn
 * refuses them on input, so one in stored data came from elsewhere (a
 * hostile or damaged file) and prints as '?'. Tab, CR and LF, which would
 * break a TSV row, print as a space. */
static int safe_char(char c)
{
    unsigned char u = (unsigned char)c;
    if (c == '\t' || c == '\n' || c == '\r')
        return ' ';
    return u < 0x20 || u == 0x7F ? '?' : c;
}

static void put_tsv(const char *cell)
{
    for (const char *c = cell ? cell : ""; *c; c++)
        fputc(safe_char(*c), stdout);
}

static void put_csv(const char *cell, enum cli_col_kind kind)
{
    const char *v = cell ? cell : "";
    bool guard = kind == CLI_COL_TEXT && v[0] && strchr("=+-@\t\r", v[0]);
    bool quote = guard || strpbrk(v, ",\"\r\n") != NULL;
    if (quote)
        fputc('"', stdout);
    if (guard)
        fputc('\'', stdout);
    for (const char *c = v; *c; c++) {
        if (*c == '"')
            fputc('"', stdout);
        /* Quoted CSV may hold line breaks; every other control becomes '?'. */
        fputc(*c == '\n' || *c == '\r' ? *c : safe_char(*c), stdout);
    }
    if (quote)
        fputc('"', stdout);
}

static void flush_text(struct cli_list *l)
{
    size_t width[64] = {0};
    int n = l->ncols < 64 ? l->ncols : 64;
    for (int c = 0; c < n; c++)
        width[c] = cairn_text_width(l->cols[c].title);
    for (size_t r = 0; r < l->nrows; r++)
        for (int c = 0; c < n; c++) {
            size_t w = l->widths[r * (size_t)n + (size_t)c];
            if (w > width[c])
                width[c] = w;
        }
    for (size_t r = 0; r <= l->nrows; r++) {
        if (r == 0 && l->header_done)
            continue;
        for (int c = 0; c < n; c++) {
            const char *cell =
                r == 0 ? l->cols[c].title : l->cells[(r - 1) * (size_t)n + (size_t)c];
            if (r > 0 && r - 1 >= l->nrows)
                break;
            size_t w = r == 0 ? cairn_text_width(cell) : l->widths[(r - 1) * (size_t)n + (size_t)c];
            fputs(cell, stdout);
            if (c + 1 < n)
                for (size_t pad = w; pad < width[c] + 2; pad++)
                    fputc(' ', stdout);
        }
        fputc('\n', stdout);
    }
    l->header_done = true;
    for (size_t i = 0; i < l->nrows * (size_t)n; i++) {
        free(l->cells[i]);
        l->cells[i] = NULL;
    }
    l->nrows = 0;
}

void cli_list_row(struct cli_list *l, const char *const *cells, json_t *obj)
{
    switch (l->format) {
    case CLI_FORMAT_TEXT: {
        for (int c = 0; c < l->ncols; c++) {
            char buf[CELL_MAX];
            size_t at = l->nrows * (size_t)l->ncols + (size_t)c;
            l->widths[at] =
                cairn_text_fit(cells[c] ? cells[c] : "", l->cols[c].max_width, buf, sizeof buf);
            l->cells[at] = strdup(buf);
        }
        if (++l->nrows == TEXT_BLOCK) {
            /* Later blocks keep the header once; widths may differ per block. */
            flush_text(l);
        }
        break;
    }
    case CLI_FORMAT_TSV:
    case CLI_FORMAT_CSV:
        if (!l->header_done) {
            for (int c = 0; c < l->ncols; c++) {
                if (c)
                    fputc(l->format == CLI_FORMAT_TSV ? '\t' : ',', stdout);
                fputs(l->cols[c].title, stdout);
            }
            fputs(l->format == CLI_FORMAT_CSV ? "\r\n" : "\n", stdout);
            l->header_done = true;
        }
        for (int c = 0; c < l->ncols; c++) {
            if (c)
                fputc(l->format == CLI_FORMAT_TSV ? '\t' : ',', stdout);
            if (l->format == CLI_FORMAT_TSV)
                put_tsv(cells[c]);
            else
                put_csv(cells[c], l->cols[c].kind);
        }
        fputs(l->format == CLI_FORMAT_CSV ? "\r\n" : "\n", stdout);
        break;
    case CLI_FORMAT_JSON: {
        char *text = obj ? json_dumps(obj, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        if (!text) {
            l->failed = true;
            break;
        }
        fputs(l->rows_out ? ",\n" : "[\n", stdout);
        fputs(text, stdout);
        free(text);
        break;
    }
    }
    json_decref(obj);
    l->rows_out++;
}

int cli_list_end(struct cli_list **list)
{
    struct cli_list *l = *list;
    if (!l)
        return 0;
    if (l->format == CLI_FORMAT_TEXT) {
        if (l->nrows || !l->header_done)
            flush_text(l);
        free(l->cells);
        free(l->widths);
    } else if (l->format == CLI_FORMAT_JSON) {
        fputs(l->rows_out ? "\n]\n" : "[]\n", stdout);
    } else if (!l->header_done) {
        for (int c = 0; c < l->ncols; c++) {
            if (c)
                fputc(l->format == CLI_FORMAT_TSV ? '\t' : ',', stdout);
            fputs(l->cols[c].title, stdout);
        }
        fputs(l->format == CLI_FORMAT_CSV ? "\r\n" : "\n", stdout);
    }
    bool failed = l->failed || ferror(stdout);
    free(l);
    *list = NULL;
    return failed ? 1 : 0;
}

int cli_json_print(json_t *value)
{
    int rc = json_dumpf(value, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(value);
    return rc == 0 && !ferror(stdout) ? 0 : 1;
}

void cli_json_set_text(json_t *obj, const char *key, const char *text)
{
    json_object_set_new(obj, key, text && *text ? json_string(text) : json_null());
}

void cli_put_safe(const char *s)
{
    char buf[8192];
    cairn_text_fit(s, 0, buf, sizeof buf);
    fputs(buf, stdout);
}

void cli_put_safe_lines(const char *text, const char *indent)
{
    char line[8192];
    for (const char *s = text; s && *s;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        if (n >= sizeof line)
            n = sizeof line - 1;
        memcpy(line, s, n);
        line[n] = '\0';
        fputs(indent, stdout);
        cli_put_safe(line);
        fputc('\n', stdout);
        s = nl ? nl + 1 : NULL;
    }
}

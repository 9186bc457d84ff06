/* List output in text, TSV, CSV and JSON.
 *
 * Text aligns columns by display width (UTF-8 names, wide characters) and
 * makes every cell safe to print (control characters shown as '?'); it
 * aligns a block of rows at a time so a long list streams in bounded
 * memory. TSV and CSV stream row by row; CSV quotes per RFC 4180 and guards
 * text cells against spreadsheet formula injection. JSON is built with
 * jansson, one element at a time, dumped into a reused buffer; a long list
 * can build and dump its elements on two threads (cli_json_rows). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

enum { TEXT_BLOCK = 512, CELL_MAX = 1024 };

/* A list element is dumped at the top level, indented, keys in order. */
#define ROW_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER)

/* A growing text buffer, reused from row to row. */
struct text_buf {
    char *p;
    size_t len, cap;
};

static bool text_reserve(struct text_buf *b, size_t more)
{
    if (b->cap - b->len >= more)
        return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < more)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        return false;
    b->p = p;
    b->cap = cap;
    return true;
}

static bool text_put(struct text_buf *b, const char *s, size_t n)
{
    if (!text_reserve(b, n))
        return false;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return true;
}

/* Appends value dumped as a list element; false when jansson cannot dump
 * it (text that is not UTF-8) or memory ran out. json_dumpb() into the
 * room left avoids json_dumps()'s growing buffer and copy. */
static bool dump_append(struct text_buf *b, const json_t *value)
{
    if (!value || !text_reserve(b, 1024))
        return false;
    size_t room = b->cap - b->len;
    size_t n = json_dumpb(value, b->p + b->len, room, ROW_FLAGS);
    if (n > room) {
        if (!text_reserve(b, n))
            return false;
        n = json_dumpb(value, b->p + b->len, b->cap - b->len, ROW_FLAGS);
    }
    if (n == 0)
        return false;
    b->len += n;
    return true;
}

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
    struct text_buf json; /* json: the row being dumped */
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

/* Prints n spaces (a column's padding). */
static void put_spaces(size_t n)
{
    static const char spaces[] = "                                ";
    while (n > 0) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        fwrite(spaces, 1, k, stdout);
        n -= k;
    }
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
                put_spaces(width[c] + 2 - w);
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
    case CLI_FORMAT_JSON:
        l->json.len = 0;
        if (!dump_append(&l->json, obj)) {
            l->failed = true;
            break;
        }
        fputs(l->rows_out ? ",\n" : "[\n", stdout);
        fwrite(l->json.p, 1, l->json.len, stdout);
        break;
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
    free(l->json.p);
    free(l);
    *list = NULL;
    return failed ? 1 : 0;
}

/* ---- JSON rows on two threads ---------------------------------------------
 *
 * Rows are gathered in batches numbered from 0. The worker thread builds
 * and dumps the even batches, the caller's thread the odd ones, each into
 * the batch's own text; the caller prints them in order. Batch n lives in
 * batch[n % 2]: once the caller has dumped an odd batch it waits for the
 * even one before it, prints both and reuses both. Only the caller's
 * thread writes stdout; the two threads share nothing but a batch handed
 * over under the lock (state), and each builds its own jansson values. */

enum { ROWS_BATCH = 256 };

enum rows_state { ROWS_IDLE, ROWS_WORK, ROWS_DONE };

struct rows_batch {
    char *items; /* ROWS_BATCH items */
    size_t n;
    bool first; /* holds the list's first row */
    bool failed;
    struct text_buf text;
};

struct cli_json_rows {
    size_t item_size;
    cli_json_build_fn build;
    struct rows_batch batch[2];
    size_t seq;            /* the batch being filled */
    size_t rows;           /* rows added */
    json_t *scratch;       /* the caller's thread's */
    bool failed;           /* a row could not be built or dumped */
    bool started;          /* the worker runs */
    bool handed;           /* batch[0] is the worker's or dumped by it, not yet printed */
    bool no_thread;        /* pthread_create failed: the caller dumps every batch */
    enum rows_state state; /* of batch[0], under lock */
    bool quit;             /* under lock */
    pthread_t worker;
    pthread_mutex_t lock;
    pthread_cond_t cond;
};

/* Builds and dumps batch b's rows into its text, each after "[\n" (the
 * list's first) or ",\n". A row whose dump fails is built again with
 * jansson's UTF-8 checks; one that still fails marks the batch failed. */
static void rows_dump(const struct cli_json_rows *r, struct rows_batch *b, json_t **scratch)
{
    b->text.len = 0;
    for (size_t i = 0; i < b->n; i++) {
        const void *item = b->items + i * r->item_size;
        size_t mark = b->text.len;
        if (!text_put(&b->text, b->first && i == 0 ? "[\n" : ",\n", 2)) {
            b->failed = true;
            return;
        }
        json_t *v = r->build(item, scratch, false);
        bool ok = dump_append(&b->text, v);
        json_decref(v);
        if (!ok) {
            v = r->build(item, scratch, true);
            ok = dump_append(&b->text, v);
            json_decref(v);
        }
        if (!ok) {
            b->text.len = mark;
            b->failed = true;
        }
    }
}

static void *rows_worker(void *vr)
{
    struct cli_json_rows *r = vr;
    json_t *scratch = NULL;
    pthread_mutex_lock(&r->lock);
    for (;;) {
        while (r->state != ROWS_WORK && !r->quit)
            pthread_cond_wait(&r->cond, &r->lock);
        if (r->state != ROWS_WORK)
            break;
        pthread_mutex_unlock(&r->lock);
        rows_dump(r, &r->batch[0], &scratch);
        pthread_mutex_lock(&r->lock);
        r->state = ROWS_DONE;
        pthread_cond_broadcast(&r->cond);
    }
    pthread_mutex_unlock(&r->lock);
    json_decref(scratch);
    return NULL;
}

/* Prints batch b's text and empties it. */
static void rows_print(struct cli_json_rows *r, struct rows_batch *b)
{
    if (b->failed)
        r->failed = true;
    fwrite(b->text.p, 1, b->text.len, stdout);
    b->text.len = 0;
    b->n = 0;
    b->failed = false;
}

/* Waits for the worker to finish batch[0], if it has it, and prints it. */
static void rows_collect(struct cli_json_rows *r)
{
    if (!r->handed)
        return;
    pthread_mutex_lock(&r->lock);
    while (r->state == ROWS_WORK)
        pthread_cond_wait(&r->cond, &r->lock);
    r->state = ROWS_IDLE;
    pthread_mutex_unlock(&r->lock);
    r->handed = false;
    rows_print(r, &r->batch[0]);
}

/* Hands the batch being filled on: an even one to the worker (started on
 * the first, unless it is the last batch: then no thread is worth it), an
 * odd one dumped here and printed after the even one before it. */
static void rows_submit(struct cli_json_rows *r, bool last)
{
    struct rows_batch *b = &r->batch[r->seq % 2];
    b->first = r->seq == 0;
    if (r->seq % 2 == 0 && !last && !r->no_thread) {
        if (!r->started) {
            r->started = pthread_create(&r->worker, NULL, rows_worker, r) == 0;
            r->no_thread = !r->started;
        }
        if (r->started) {
            pthread_mutex_lock(&r->lock);
            r->state = ROWS_WORK;
            r->handed = true;
            pthread_cond_broadcast(&r->cond);
            pthread_mutex_unlock(&r->lock);
            r->seq++;
            return;
        }
    }
    rows_dump(r, b, &r->scratch);
    rows_collect(r);
    rows_print(r, b);
    r->seq++;
}

struct cli_json_rows *cli_json_rows_begin(size_t item_size, cli_json_build_fn build)
{
    struct cli_json_rows *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    /* jansson seeds its object hashing on the first object made: here,
     * before two threads could race to do it. */
    json_object_seed(0);
    r->item_size = item_size;
    r->build = build;
    r->batch[0].items = malloc(ROWS_BATCH * item_size);
    r->batch[1].items = malloc(ROWS_BATCH * item_size);
    if (!r->batch[0].items || !r->batch[1].items || pthread_mutex_init(&r->lock, NULL) != 0) {
        free(r->batch[0].items);
        free(r->batch[1].items);
        free(r);
        return NULL;
    }
    if (pthread_cond_init(&r->cond, NULL) != 0) {
        pthread_mutex_destroy(&r->lock);
        free(r->batch[0].items);
        free(r->batch[1].items);
        free(r);
        return NULL;
    }
    return r;
}

void *cli_json_rows_add(struct cli_json_rows *r)
{
    struct rows_batch *b = &r->batch[r->seq % 2];
    if (b->n == ROWS_BATCH) {
        rows_submit(r, false);
        b = &r->batch[r->seq % 2];
    }
    r->rows++;
    return b->items + b->n++ * r->item_size;
}

int cli_json_rows_end(struct cli_json_rows **rows)
{
    struct cli_json_rows *r = *rows;
    if (!r)
        return 0;
    if (r->batch[r->seq % 2].n)
        rows_submit(r, true);
    rows_collect(r);
    if (r->started) {
        pthread_mutex_lock(&r->lock);
        r->quit = true;
        pthread_cond_broadcast(&r->cond);
        pthread_mutex_unlock(&r->lock);
        pthread_join(r->worker, NULL);
    }
    fputs(r->rows ? "\n]\n" : "[]\n", stdout);
    bool failed = r->failed || ferror(stdout);
    for (int i = 0; i < 2; i++) {
        free(r->batch[i].items);
        free(r->batch[i].text.p);
    }
    json_decref(r->scratch);
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->lock);
    free(r);
    *rows = NULL;
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

/* The caseload report: running totals and the five renderers (text, md,
 * csv, json, html) over the rows cairn_report_rows() streams.
 *
 * Every renderer writes as the rows come, keeping only the current
 * clinician's totals, one totals record per program and the overall
 * totals. The text form is the exception that proves the rule: its page
 * header says "page N of M", so its body lines are kept (in 256 KiB
 * chunks, a few MB for a whole organization) with the offset where each
 * page starts, and written with their headers at the end. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/measure.h"
#include "cairn/report.h"
#include "cairn/store.h"
#include "cairn/text.h"
#include "pair.h"
#include "report_internal.h"
#include "svg.h"

/* --- names and small pure helpers ------------------------------------------ */

static const char *const format_names[CAIRN_REPORT_FORMAT__COUNT] = {
#define CAIRN_X_NAME(code, name) [code] = name,
    CAIRN_REPORT_FORMAT_LIST(CAIRN_X_NAME)
#undef CAIRN_X_NAME
};

const char *cairn_report_format_str(enum cairn_report_format format)
{
    return (unsigned)format < CAIRN_REPORT_FORMAT__COUNT ? format_names[format] : "";
}

enum cairn_status cairn_report_format_parse(const char *text, enum cairn_report_format *out,
                                            struct cairn_error *err)
{
    for (int f = 0; f < CAIRN_REPORT_FORMAT__COUNT; f++)
        if (text && strcmp(text, format_names[f]) == 0) {
            *out = (enum cairn_report_format)f;
            return CAIRN_OK;
        }
    return cairn_error_field(err, CAIRN_ERR_INVALID, "format",
                             "'%.40s' is not a report format (text, md, csv, json or html)",
                             text ? text : "");
}

int cairn_report_stay_bucket(int week_of_stay)
{
    if (week_of_stay <= 1)
        return 0;
    return week_of_stay >= CAIRN_REPORT_STAY_BUCKETS ? CAIRN_REPORT_STAY_BUCKETS - 1
                                                     : week_of_stay - 1;
}

static bool alert_open(const struct cairn_report_alert *a)
{
    return !a->acknowledged && a->severity != CAIRN_SEVERITY_INFO;
}

static void measure_add(struct cairn_report_measure_totals *m, const struct cairn_report_score *s)
{
    if (s->total >= 0 && s->band >= 0 && s->band < CAIRN_REPORT_BANDS_MAX)
        m->bands[s->band]++;
    else
        m->none++;
    m->improved += (s->changes >> CAIRN_CHANGE_RELIABLE_IMPROVEMENT) & 1u;
    m->worse += (s->changes >> CAIRN_CHANGE_RELIABLE_WORSENING) & 1u;
    m->remission += (s->changes >> CAIRN_CHANGE_REMISSION) & 1u;
    for (int k = 0; k < CAIRN_REPORT_TREND_WEEKS; k++)
        if (s->weekly[k] >= 0) {
            m->trend_sum[k] += s->weekly[k];
            m->trend_n[k]++;
        }
}

void cairn_report_totals_add(struct cairn_report_totals *t, const struct cairn_report_row *row)
{
    if (row->status != CAIRN_PATIENT_ACTIVE) {
        if (row->status != CAIRN_PATIENT_ON_HOLD)
            return;
        t->on_hold++;
        for (size_t i = 0; i < row->nalerts; i++)
            t->alerts_urgent +=
                alert_open(&row->alerts[i]) && row->alerts[i].severity == CAIRN_SEVERITY_URGENT;
        return;
    }
    t->active++;
    int risk = (unsigned)row->risk <= CAIRN_RISK_HIGH ? (int)row->risk : CAIRN_RISK_UNSET;
    t->risk_stay[risk][cairn_report_stay_bucket(row->week_of_stay)]++;
    const struct cairn_attendance_week *a = &row->attendance;
    if (a->min_minutes > 0 || a->min_days > 0) {
        t->minutes_attended += a->minutes_attended;
        t->minutes_minimum += a->min_minutes;
        t->below_minimum += !a->meets_hours || !a->meets_days;
    } else {
        t->no_minimum++;
    }
    measure_add(&t->phq9, &row->phq9);
    measure_add(&t->gad7, &row->gad7);
    t->reviews_due += row->reviews_due;
    t->reviews_overdue += row->reviews_overdue;
    t->reviews_awaiting += row->reviews_awaiting;
    for (size_t i = 0; i < row->nalerts; i++) {
        if (!alert_open(&row->alerts[i]))
            continue;
        if (row->alerts[i].severity == CAIRN_SEVERITY_URGENT)
            t->alerts_urgent++;
        else
            t->alerts_warning++;
    }
    t->steps_mastered_week += row->steps_mastered_week;
    t->ladders_mastered_week += row->ladders_mastered_week;
    t->discharges_due += row->discharge_due;
}

void cairn_report_meta_init(struct cairn_report_meta *m, int iso_year, int week, int32_t today,
                            const char *by)
{
    memset(m, 0, sizeof *m);
    cairn_isoweek_format(iso_year, week, m->week);
    int32_t monday = cairn_isoweek_monday(iso_year, week);
    cairn_date_format(monday, m->from);
    cairn_date_format(monday + 6, m->to);
    cairn_date_format(cairn_report_as_of(today, iso_year, week), m->as_of);
    for (int k = 0; k < CAIRN_REPORT_TREND_WEEKS; k++) {
        int y, w;
        cairn_date_isoweek(monday - 7 * (CAIRN_REPORT_TREND_WEEKS - 1 - k), &y, &w);
        cairn_isoweek_format(y, w, m->trend_weeks[k]);
    }
    m->week_complete = today > monday + 6;
    cairn_date_format(today, m->printed_on);
    snprintf(m->printed_by, sizeof m->printed_by, "%s", by ? by : "?");
}

/* The band columns every format shows: PHQ-9's five; GAD-7 has no
 * "moderately severe", so its bands map onto these by label. */
static const char *const band_columns[CAIRN_REPORT_BANDS_MAX] = {"minimal", "mild", "moderate",
                                                                 "moderately severe", "severe"};
static const char *const band_short[CAIRN_REPORT_BANDS_MAX] = {"min", "mild", "mod", "msev", "sev"};

/* The band column of band index `band` of `instrument`; -1 when none. */
static int band_column(enum cairn_instrument instrument, int band)
{
    const struct cairn_instrument_def *def = cairn_instrument_get(instrument);
    if (!def || band < 0 || (size_t)band >= def->nbands)
        return -1;
    for (int c = 0; c < CAIRN_REPORT_BANDS_MAX; c++)
        if (strcmp(def->bands[band].label, band_columns[c]) == 0)
            return c;
    return -1;
}

/* Counts per band column of an instrument's totals (-1: the instrument
 * has no such band). */
static void band_counts(enum cairn_instrument instrument,
                        const struct cairn_report_measure_totals *m,
                        int out[CAIRN_REPORT_BANDS_MAX])
{
    const struct cairn_instrument_def *def = cairn_instrument_get(instrument);
    for (int c = 0; c < CAIRN_REPORT_BANDS_MAX; c++)
        out[c] = -1;
    for (size_t b = 0; def && b < def->nbands && b < CAIRN_REPORT_BANDS_MAX; b++) {
        int c = band_column(instrument, (int)b);
        if (c >= 0)
            out[c] = m->bands[b];
    }
}

static const char *const change_names[] = {
    [CAIRN_CHANGE_RELIABLE_IMPROVEMENT] = "reliable_improvement",
    [CAIRN_CHANGE_RELIABLE_WORSENING] = "reliable_worsening",
    [CAIRN_CHANGE_RESPONSE] = "response",
    [CAIRN_CHANGE_REMISSION] = "remission",
};
#define NCHANGES (sizeof change_names / sizeof change_names[0])

/* The one-character change mark of the text table: R remission, v
 * reliably better, ^ reliably worse. */
static char change_mark(unsigned changes)
{
    if (changes & (1u << CAIRN_CHANGE_REMISSION))
        return 'R';
    if (changes & (1u << CAIRN_CHANGE_RELIABLE_IMPROVEMENT))
        return 'v';
    if (changes & (1u << CAIRN_CHANGE_RELIABLE_WORSENING))
        return '^';
    return ' ';
}

/* "reliable_improvement;remission" */
static void change_list(unsigned changes, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t k = 0; k < NCHANGES; k++)
        if (changes & (1u << k))
            n += (size_t)snprintf(out + n, n < size ? size - n : 0, "%s%s", n ? ";" : "",
                                  change_names[k]);
}

static const char *risk_word(enum cairn_risk risk)
{
    const char *s = cairn_risk_str(risk);
    return *s ? s : "none";
}

static const char *risk_short(enum cairn_risk risk)
{
    switch (risk) {
    case CAIRN_RISK_HIGH:
        return "high";
    case CAIRN_RISK_MODERATE:
        return "mod";
    case CAIRN_RISK_LOW:
        return "low";
    default:
        return "-";
    }
}

/* The review cell: overdue first, else the week's status, else due or -. */
static const char *review_word(const struct cairn_report_row *row)
{
    if (row->reviews_overdue > 0)
        return "overdue";
    if (row->review[0])
        return row->review;
    return row->reviews_due ? "due" : "-";
}

#define HOURS_MEMO 2048

/* Writes v in decimal at out (room for 11 bytes); returns its length. */
static size_t put_uint(char *out, unsigned v)
{
    char digits[11];
    size_t n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) > 0);
    for (size_t i = 0; i < n; i++)
        out[i] = digits[n - 1 - i];
    out[n] = '\0';
    return n;
}

/* printf's "%.1f" of minutes / 60 (rounding as printf does), memoized in
 * `memo` (HOURS_MEMO entries, zeroed at first): a whole organization's
 * report formats the same few hundred values again and again. */
static const char *hours_text(char (*memo)[8], int minutes, char spare[24])
{
    if (minutes < 0 || minutes >= HOURS_MEMO) {
        snprintf(spare, 24, "%.1f", minutes / 60.0);
        return spare;
    }
    if (!memo[minutes][0])
        snprintf(memo[minutes], sizeof memo[minutes], "%.1f", minutes / 60.0);
    return memo[minutes];
}

/* "6.5/9*": hours attended, the minimum, and * when below it (hours or days). */
static void hours_cell(char (*memo)[8], const struct cairn_attendance_week *a, char *out,
                       size_t size)
{
    char spare[24], min[24], *at = out;
    const char *hours = hours_text(memo, a->minutes_attended, spare);
    if (!(a->min_minutes > 0 || a->min_days > 0)) {
        snprintf(out, size, "%s", hours);
        return;
    }
    if (a->min_minutes >= 0 && a->min_minutes % 60 == 0 && a->min_minutes / 60 < 100000)
        put_uint(min, (unsigned)(a->min_minutes / 60)); /* what %g prints for a whole number */
    else
        snprintf(min, sizeof min, "%g", a->min_minutes / 60.0);
    size_t lh = strlen(hours), lm = strlen(min);
    if (lh + lm + 3 > size) {
        snprintf(out, size, "%s/%s%s", hours, min, a->meets_hours && a->meets_days ? "" : "*");
        return;
    }
    memcpy(at, hours, lh);
    at += lh;
    *at++ = '/';
    memcpy(at, min, lm);
    at += lm;
    if (!(a->meets_hours && a->meets_days))
        *at++ = '*';
    *at = '\0';
}

/* "18 msev ^", aligned for the text table (`aligned`), else "18 msev ^"
 * without padding. */
static void score_cell(enum cairn_instrument instrument, const struct cairn_report_score *s,
                       bool aligned, char *out, size_t size)
{
    if (s->total < 0) {
        snprintf(out, size, "-");
        return;
    }
    int c = band_column(instrument, s->band);
    const char *band = c >= 0 ? band_short[c] : "";
    size_t lb = strlen(band);
    if (size < 24 || s->total > 9999) {
        snprintf(out, size, aligned ? "%2d %-4s %c" : "%d %s %c", s->total, band,
                 change_mark(s->changes));
    } else {
        /* The same as the formats above, put together by hand (a report
         * has two a row). */
        char *at = out;
        if (aligned && s->total < 10)
            *at++ = ' ';
        at += put_uint(at, (unsigned)s->total);
        *at++ = ' ';
        memcpy(at, band, lb);
        at += lb;
        for (size_t k = lb; aligned && k < 4; k++)
            *at++ = ' ';
        *at++ = ' ';
        *at++ = change_mark(s->changes);
        *at = '\0';
    }
    /* no trailing spaces */
    for (size_t n = strlen(out); n > 0 && out[n - 1] == ' '; n--)
        out[n - 1] = '\0';
}

static const char *band_label(enum cairn_instrument instrument, int band)
{
    const struct cairn_instrument_def *def = cairn_instrument_get(instrument);
    return def && band >= 0 && (size_t)band < def->nbands ? def->bands[band].label : "";
}

/* --- the renderer ------------------------------------------------------------ */

#define CHUNK_BYTES (256 * 1024)
#define BODY_LINES  (CAIRN_REPORT_PAGE_LINES - CAIRN_REPORT_HEADER_LINES)
#define LINE_BYTES  1024

/* A body line put together from parts that are each safe and fitted. */
struct line {
    char text[LINE_BYTES];
    size_t len;
};

struct chunk {
    struct chunk *next;
    size_t len;
    char data[CHUNK_BYTES];
};

struct page {
    size_t offset; /* where its body starts in the text */
    size_t label;  /* index into labels */
};

struct program_totals {
    char code[CAIRN_PROGRAM_CODE_MAX + 1];
    struct cairn_report_totals totals;
};

struct cairn_report_renderer {
    enum cairn_report_format format;
    struct cairn_report_meta meta;
    struct report_out *out;
    bool nomem;
    /* the current group */
    bool in_group, hold_started;
    char group[CAIRN_LOGIN_MAX + 1];
    char group_name[CAIRN_STAFFNAME_MAX + 1];
    struct cairn_report_totals group_totals;
    size_t groups, rows;
    /* totals per program and overall */
    struct program_totals *programs;
    size_t nprograms, cap_programs;
    struct cairn_report_totals overall;
    /* text: the body, its pages and their header labels */
    struct chunk *head, *tail;
    size_t text_len;
    struct page *pages;
    size_t npages, cap_pages;
    char **labels;
    size_t nlabels, cap_labels;
    int page_lines;
    bool in_table;
    /* kept to be written at the end (the page count unknown), only
     * counted, or written as they fill (the count known from a first pass) */
    enum { TEXT_KEEP, TEXT_COUNT, TEXT_STREAM } text_mode;
    size_t total_pages;
    char hours_memo[HOURS_MEMO][8]; /* see hours_text() */
    /* text: what every page repeats, put together once */
    struct line columns[2]; /* the table's titles and rules */
    bool columns_ready;
    struct line header[2]; /* a page header's second line (for header_label) and third */
    size_t header_label;
    bool header_ready;
};

/* Grows *v (of *cap elements of `size` bytes) to hold n + 1. */
static bool grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return true;
    size_t c = *cap ? *cap * 2 : 16;
    void *g = realloc(*v, c * size);
    if (!g)
        return false;
    *v = g;
    *cap = c;
    return true;
}

static struct cairn_report_totals *program_totals(struct cairn_report_renderer *r, const char *code)
{
    for (size_t i = 0; i < r->nprograms; i++)
        if (strcmp(r->programs[i].code, code) == 0)
            return &r->programs[i].totals;
    if (!grow((void **)&r->programs, &r->cap_programs, r->nprograms, sizeof *r->programs)) {
        r->nomem = true;
        return NULL;
    }
    struct program_totals *p = &r->programs[r->nprograms++];
    memset(p, 0, sizeof *p);
    snprintf(p->code, sizeof p->code, "%s", code);
    return &p->totals;
}

static int cmp_programs(const void *a, const void *b)
{
    const struct program_totals *x = a, *y = b;
    /* "" (no program) last */
    if (!x->code[0] || !y->code[0])
        return !x->code[0] - !y->code[0];
    return strcmp(x->code, y->code);
}

/* "demo.th01 Bram Vasquez", or "unassigned". */
static void group_title(const char *login, const char *name, char *out, size_t size)
{
    if (!login[0])
        snprintf(out, size, "unassigned (no therapist or case manager)");
    else if (name[0])
        snprintf(out, size, "%s %s", login, name);
    else
        snprintf(out, size, "%s", login);
}

/* --- text ---------------------------------------------------------------------- */

static void text_append(struct cairn_report_renderer *r, const char *s, size_t n)
{
    if (r->text_mode != TEXT_KEEP) {
        if (r->text_mode == TEXT_STREAM)
            report_out_write(r->out, s, n);
        r->text_len += n;
        return;
    }
    while (n > 0 && !r->nomem) {
        if (!r->tail || r->tail->len == CHUNK_BYTES) {
            struct chunk *c = malloc(sizeof *c);
            if (!c) {
                r->nomem = true;
                return;
            }
            c->next = NULL;
            c->len = 0;
            if (r->tail)
                r->tail->next = c;
            else
                r->head = c;
            r->tail = c;
        }
        size_t take = CHUNK_BYTES - r->tail->len;
        if (take > n)
            take = n;
        memcpy(r->tail->data + r->tail->len, s, take);
        r->tail->len += take;
        r->text_len += take;
        s += take;
        n -= take;
    }
}

static size_t text_label(struct cairn_report_renderer *r, const char *label)
{
    if (r->nlabels && strcmp(r->labels[r->nlabels - 1], label) == 0)
        return r->nlabels - 1;
    char *copy = strdup(label);
    if (!copy || !grow((void **)&r->labels, &r->cap_labels, r->nlabels, sizeof *r->labels)) {
        free(copy);
        r->nomem = true;
        return 0;
    }
    r->labels[r->nlabels] = copy;
    return r->nlabels++;
}

static void text_raw_line(struct cairn_report_renderer *r, const char *line);

static void text_columns(struct cairn_report_renderer *r);

static void text_page_header(struct cairn_report_renderer *r, size_t page);

static void text_new_page(struct cairn_report_renderer *r, size_t label)
{
    if (!grow((void **)&r->pages, &r->cap_pages, r->npages, sizeof *r->pages)) {
        r->nomem = true;
        return;
    }
    r->pages[r->npages].offset = r->text_len;
    r->pages[r->npages].label = label;
    r->npages++;
    r->page_lines = 0;
    if (r->text_mode == TEXT_STREAM) {
        if (r->npages > 1)
            report_out_puts(r->out, "\f");
        text_page_header(r, r->npages - 1);
    }
    if (r->in_table)
        text_columns(r);
}

/* One body line already safe to print and no wider than the page (built
 * from fitted parts): trailing spaces dropped. */
static void text_fitted_line(struct cairn_report_renderer *r, const char *line, size_t n)
{
    if (r->npages == 0 || r->page_lines >= BODY_LINES)
        text_new_page(r, r->npages ? r->pages[r->npages - 1].label : 0);
    while (n > 0 && line[n - 1] == ' ')
        n--;
    text_append(r, line, n);
    text_append(r, "\n", 1);
    r->page_lines++;
}

/* One body line, cut to the page width and made safe to print. */
static void text_raw_line(struct cairn_report_renderer *r, const char *line)
{
    char fitted[LINE_BYTES];
    cairn_text_fit(line, CAIRN_REPORT_COLUMNS, fitted, sizeof fitted);
    text_fitted_line(r, fitted, strlen(fitted));
}

static void text_line(struct cairn_report_renderer *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void text_line(struct cairn_report_renderer *r, const char *fmt, ...)
{
    char line[LINE_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    text_raw_line(r, line);
}

/* Starts a new page unless `n` more lines fit on this one (keeps a block
 * together when it can). */
static void text_keep(struct cairn_report_renderer *r, int n)
{
    if (r->npages && r->page_lines > 0 && r->page_lines + n > BODY_LINES)
        text_new_page(r, r->pages[r->npages - 1].label);
}

static void line_add(struct line *l, const char *s, size_t n)
{
    if (n > sizeof l->text - 1 - l->len)
        n = sizeof l->text - 1 - l->len;
    memcpy(l->text + l->len, s, n);
    l->len += n;
}

static void line_pad(struct line *l, size_t n)
{
    for (; n > 0 && l->len < sizeof l->text - 1; n--)
        l->text[l->len++] = ' ';
}

/* The length of s when it is printable ASCII (a column a byte, nothing
 * to make safe) of at most `max` bytes, else SIZE_MAX. */
static size_t plain_len(const char *s, size_t max)
{
    size_t n = 0;
    while (n <= max && (unsigned char)s[n] >= 0x20 && (unsigned char)s[n] < 0x7f)
        n++;
    return !s[n] && n <= max ? n : SIZE_MAX;
}

/* Appends `text` fitted to `width` columns and padded to it (right-aligned
 * when `right`), then a space unless it is the last cell. */
static void cell(struct line *l, const char *text, size_t width, bool right, bool last)
{
    char fitted[LINE_BYTES];
    size_t used = plain_len(text, width), len = used;
    if (used == SIZE_MAX) {
        used = cairn_text_fit(text, width, fitted, sizeof fitted);
        len = strlen(fitted);
        text = fitted;
    }
    size_t pad = used < width ? width - used : 0;
    if (right)
        line_pad(l, pad);
    line_add(l, text, len);
    if (!right)
        line_pad(l, pad);
    if (!last)
        line_pad(l, 1);
}

/* The patient table: RISK NAME MRN WK HOURS PHQ-9 GAD-7 REVIEW (79 columns). */
enum { W_RISK = 4, W_NAME = 20, W_MRN = 12, W_WK = 2, W_HOURS = 8, W_SCORE = 9, W_REVIEW = 8 };

static void table_line(struct line *l, const char *const cells[8])
{
    static const size_t widths[8] = {W_RISK,  W_NAME,  W_MRN,   W_WK,
                                     W_HOURS, W_SCORE, W_SCORE, W_REVIEW};
    l->len = 0;
    for (int i = 0; i < 8; i++)
        cell(l, cells[i], widths[i], i == 3, i == 7);
}

static void text_columns(struct cairn_report_renderer *r)
{
    static const char *const titles[8] = {"RISK",  "NAME",  "MRN",   "WK",
                                          "HOURS", "PHQ-9", "GAD-7", "REVIEW"};
    static const char *const rules[8] = {"----",         "--------------------",
                                         "------------", "--",
                                         "--------",     "---------",
                                         "---------",    "--------"};
    if (!r->columns_ready) { /* the same two lines on every page of the table */
        table_line(&r->columns[0], titles);
        table_line(&r->columns[1], rules);
        r->columns_ready = true;
    }
    bool was = r->in_table;
    r->in_table = false; /* the header itself never repeats the header */
    text_fitted_line(r, r->columns[0].text, r->columns[0].len);
    text_fitted_line(r, r->columns[1].text, r->columns[1].len);
    r->in_table = was;
}

/* Whether the n bytes at s are all printable ASCII (0x20 to 0x7e), read
 * eight at a time: a byte below 0x20 borrows into its high bit when 0x20
 * is taken away, one from 0x7f up has it set once 1 is added. */
static bool all_plain(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, sizeof w);
        if (((w - 0x20 * ones) | (w + ones) | w) & highs)
            return false;
    }
    for (; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
            return false;
    return true;
}

enum { REASON_INDENT = 13, REASON_ROOM = CAIRN_REPORT_COLUMNS - REASON_INDENT };

/* How an alert's reason goes under its row: "     warning " and the
 * reason, wrapped at a space onto one more line when it is too long (then
 * cut). Worked out once, when the row's lines are counted. */
struct reason_plan {
    bool plain; /* printable ASCII: a column a byte, nothing to strip */
    size_t len; /* plain: its length */
    size_t cut; /* plain: the bytes on the first line */
    int lines;  /* 1 or 2 */
};

static struct reason_plan plan_reason(const char *reason)
{
    struct reason_plan p = {.len = strlen(reason), .lines = 1};
    p.plain = p.len < LINE_BYTES && all_plain(reason, p.len);
    if (!p.plain) {
        char safe[LINE_BYTES];
        /* What it returns is the width of what it wrote. */
        p.lines = cairn_text_fit(reason, 0, safe, sizeof safe) <= REASON_ROOM ? 1 : 2;
        return p;
    }
    p.cut = p.len;
    if (p.len > REASON_ROOM) {
        /* The last space in the first REASON_ROOM columns, else cut there. */
        size_t cut = REASON_ROOM;
        while (cut > 0 && reason[cut - 1] != ' ')
            cut--;
        p.cut = cut > 1 ? cut - 1 : REASON_ROOM;
        p.lines = 2;
    }
    return p;
}

/* Writes an alert's line(s) under its row as `p` planned them. */
static void text_reason(struct cairn_report_renderer *r, const char *severity, const char *reason,
                        const struct reason_plan *p)
{
    enum { INDENT = REASON_INDENT };
    const size_t room = REASON_ROOM;
    if (p->plain) {
        /* "     %-7s %s" of the reason's first p->cut bytes. */
        struct line l = {.len = 0};
        line_pad(&l, INDENT - 8);
        line_add(&l, severity, strlen(severity));
        line_pad(&l, INDENT - l.len);
        line_add(&l, reason, p->cut);
        text_fitted_line(r, l.text, l.len);
        if (p->cut < p->len) {
            /* The rest under it, cut with an ellipsis as text_raw_line()
             * would (printable ASCII: a column a byte). */
            const char *rest = reason + p->cut + (reason[p->cut] == ' ');
            size_t n = p->len - (size_t)(rest - reason);
            l.len = 0;
            line_pad(&l, INDENT);
            if (INDENT + n <= CAIRN_REPORT_COLUMNS) {
                line_add(&l, rest, n);
            } else {
                line_add(&l, rest, CAIRN_REPORT_COLUMNS - INDENT - 1);
                line_add(&l, "\xE2\x80\xA6", 3);
            }
            text_fitted_line(r, l.text, l.len);
        }
        return;
    }
    char first[LINE_BYTES], safe[LINE_BYTES];
    cairn_text_fit(reason, 0, safe, sizeof safe);
    if (p->lines == 1) {
        text_line(r, "     %-7s %s", severity, safe);
        return;
    }
    /* The longest prefix that fits, ending before a space. */
    size_t cut = 0, cols = 0, fits = 0, len = strlen(safe);
    for (size_t i = 0; i < len; fits = i) {
        unsigned cp;
        size_t used = 1;
        if ((unsigned char)safe[i] < 0x80) {
            cp = (unsigned char)safe[i];
            cols++; /* printable ASCII: cairn_text_fit() replaced the rest */
        } else {
            char one[8];
            used = cairn_utf8_decode(safe + i, len - i, &cp);
            memcpy(one, safe + i, used);
            one[used] = '\0';
            cols += cairn_text_width(one);
        }
        if (cols > room)
            break;
        if (cp == ' ')
            cut = i;
        i += used;
    }
    if (cut == 0)
        cut = fits; /* no space to break at: cut at the last character that fits */
    snprintf(first, sizeof first, "%.*s", (int)cut, safe);
    text_line(r, "     %-7s %s", severity, first);
    text_line(r, "%*s%s", INDENT, "", safe + cut + (safe[cut] == ' '));
}

/* The sub-lines under a patient's row: open urgent and warning alerts,
 * a discharge due, steps mastered. Without `write`, plans the alerts'
 * lines into plans[] (CAIRN_ALERT__COUNT) and returns how many lines
 * there are; with it, writes them as planned. */
static int text_sublines(struct cairn_report_renderer *r, const struct cairn_report_row *row,
                         bool write, struct reason_plan *plans)
{
    int n = 0;
    size_t k = 0;
    for (int sev = CAIRN_SEVERITY_URGENT; sev <= CAIRN_SEVERITY_WARNING; sev++)
        for (size_t i = 0; i < row->nalerts && k < CAIRN_ALERT__COUNT; i++) {
            const struct cairn_report_alert *a = &row->alerts[i];
            if ((int)a->severity != sev || !alert_open(a))
                continue;
            if (write)
                text_reason(r, sev == CAIRN_SEVERITY_URGENT ? "URGENT" : "warning", a->reason,
                            &plans[k]);
            else
                plans[k] = plan_reason(a->reason);
            n += plans[k++].lines;
        }
    if (row->discharge_due) {
        if (write)
            text_line(r, "     discharge expected %s", row->expected_discharge);
        n++;
    }
    if (row->steps_mastered_week > 0) {
        if (write)
            text_line(r, "     mastered %d ladder step%s this week (%d ladder%s)",
                      row->steps_mastered_week, row->steps_mastered_week == 1 ? "" : "s",
                      row->ladders_mastered_week, row->ladders_mastered_week == 1 ? "" : "s");
        n++;
    }
    return n;
}

static void text_row(struct cairn_report_renderer *r, const struct cairn_report_row *row)
{
    char wk[12], hours[32], phq[32], gad[32];
    struct line line;
    if (row->status == CAIRN_PATIENT_ON_HOLD && !r->hold_started) {
        r->hold_started = true;
        text_keep(r, 4);
        text_raw_line(r, "");
        text_raw_line(r, "On hold (listed, not counted in the caseload totals):");
    }
    struct reason_plan plans[CAIRN_ALERT__COUNT];
    int subs = text_sublines(r, row, false, plans);
    text_keep(r, 1 + subs);
    if (r->text_mode == TEXT_COUNT) {
        /* Only the lines count: take them without formatting them. */
        for (int i = 0; i < 1 + subs; i++) {
            if (r->npages == 0 || r->page_lines >= BODY_LINES)
                text_new_page(r, r->npages ? r->pages[r->npages - 1].label : 0);
            r->page_lines++;
        }
        return;
    }
    if (row->week_of_stay >= 0)
        put_uint(wk, (unsigned)row->week_of_stay);
    else
        snprintf(wk, sizeof wk, "%d", row->week_of_stay);
    hours_cell(r->hours_memo, &row->attendance, hours, sizeof hours);
    score_cell(CAIRN_INSTRUMENT_PHQ9, &row->phq9, true, phq, sizeof phq);
    score_cell(CAIRN_INSTRUMENT_GAD7, &row->gad7, true, gad, sizeof gad);
    const char *cells[8] = {
        risk_short(row->risk), row->name, row->mrn, row->week_of_stay ? wk : "-", hours, phq, gad,
        review_word(row)};
    table_line(&line, cells);
    text_fitted_line(r, line.text, line.len);
    text_sublines(r, row, true, plans);
}

static void text_totals(struct cairn_report_renderer *r, const char *title,
                        const struct cairn_report_totals *t)
{
    static const char *const risks[] = {"not set", "low", "moderate", "high"};
    char line[LINE_BYTES];
    size_t n;
    text_keep(r, 17);
    text_line(r, "TOTALS %s: %d active, %d on hold", title, t->active, t->on_hold);
    text_raw_line(r, "Active patients by risk and week of stay:");
    n = (size_t)snprintf(line, sizeof line, "  %-9s", "RISK");
    for (int b = 0; b < CAIRN_REPORT_STAY_BUCKETS; b++) {
        char h[8];
        snprintf(h, sizeof h, b == CAIRN_REPORT_STAY_BUCKETS - 1 ? "%d+" : "%d", b + 1);
        n += (size_t)snprintf(line + n, sizeof line - n, "%6s", h);
    }
    snprintf(line + n, sizeof line - n, "%7s", "ALL");
    text_raw_line(r, line);
    int col_sum[CAIRN_REPORT_STAY_BUCKETS] = {0};
    for (int risk = CAIRN_RISK_HIGH; risk >= CAIRN_RISK_UNSET; risk--) {
        int sum = 0;
        n = (size_t)snprintf(line, sizeof line, "  %-9s", risks[risk]);
        for (int b = 0; b < CAIRN_REPORT_STAY_BUCKETS; b++) {
            n += (size_t)snprintf(line + n, sizeof line - n, "%6d", t->risk_stay[risk][b]);
            sum += t->risk_stay[risk][b];
            col_sum[b] += t->risk_stay[risk][b];
        }
        snprintf(line + n, sizeof line - n, "%7d", sum);
        text_raw_line(r, line);
    }
    n = (size_t)snprintf(line, sizeof line, "  %-9s", "all");
    for (int b = 0; b < CAIRN_REPORT_STAY_BUCKETS; b++)
        n += (size_t)snprintf(line + n, sizeof line - n, "%6d", col_sum[b]);
    snprintf(line + n, sizeof line - n, "%7d", t->active);
    text_raw_line(r, line);

    text_line(r, "Attendance %s%s: %.1f h of %.0f h minimum; %d below minimum, %d without one",
              r->meta.week, r->meta.week_complete ? "" : " so far", t->minutes_attended / 60.0,
              t->minutes_minimum / 60.0, t->below_minimum, t->no_minimum);
    text_line(r, "%-9s%8s%8s%8s%8s%8s%7s%7s%7s%7s", "Latest", "minimal", "mild", "moder.", "modsev",
              "severe", "none", "better", "worse", "remit");
    for (int m = 0; m < 2; m++) {
        enum cairn_instrument ins = m ? CAIRN_INSTRUMENT_GAD7 : CAIRN_INSTRUMENT_PHQ9;
        const struct cairn_report_measure_totals *mt = m ? &t->gad7 : &t->phq9;
        int counts[CAIRN_REPORT_BANDS_MAX];
        band_counts(ins, mt, counts);
        n = (size_t)snprintf(line, sizeof line, "  %-7s", m ? "GAD-7" : "PHQ-9");
        for (int c = 0; c < CAIRN_REPORT_BANDS_MAX; c++) {
            char v[16];
            snprintf(v, sizeof v, counts[c] < 0 ? "-" : "%d", counts[c]);
            n += (size_t)snprintf(line + n, sizeof line - n, "%8s", v);
        }
        snprintf(line + n, sizeof line - n, "%7d%7d%7d%7d", mt->none, mt->improved, mt->worse,
                 mt->remission);
        text_raw_line(r, line);
    }
    text_line(r, "Reviews: %d due for %s, %d overdue, %d awaiting co-signature", t->reviews_due,
              r->meta.week, t->reviews_overdue, t->reviews_awaiting);
    text_line(r, "Open alerts: %d urgent, %d warning", t->alerts_urgent, t->alerts_warning);
    text_line(r, "Ladder steps mastered in %s: %d (on %d ladder%s)", r->meta.week,
              t->steps_mastered_week, t->ladders_mastered_week,
              t->ladders_mastered_week == 1 ? "" : "s");
    int32_t as_of = 0;
    char until[CAIRN_DATE_LEN + 1] = "";
    if (cairn_date_parse(r->meta.as_of, &as_of, NULL) == CAIRN_OK)
        cairn_date_format(as_of + 14, until);
    text_line(r, "Discharges expected by %s: %d", until, t->discharges_due);
}

static void text_group_open(struct cairn_report_renderer *r, const struct cairn_report_row *row)
{
    char title[LINE_BYTES];
    group_title(row->clinician, row->clinician_name, title, sizeof title);
    size_t label = text_label(r, title);
    text_new_page(r, label);
    text_columns(r);
    r->in_table = true;
}

static void text_group_close(struct cairn_report_renderer *r)
{
    char title[LINE_BYTES];
    r->in_table = false;
    text_raw_line(r, "");
    group_title(r->group, r->group_name, title, sizeof title);
    text_totals(r, title, &r->group_totals);
}

static void text_legend(struct cairn_report_renderer *r)
{
    text_keep(r, 9);
    text_raw_line(r, "");
    text_raw_line(r, "Key: RISK high, mod(erate), low, - not set. WK week of stay. HOURS attended");
    text_raw_line(r, "in the report week / program minimum, * below the minimum in hours or days.");
    text_raw_line(r,
                  "PHQ-9, GAD-7: latest total, band (min, mild, mod, msev, sev) and change since");
    text_raw_line(r, "the first score: v reliably better, ^ reliably worse, R remission. REVIEW:");
    text_raw_line(r,
                  "overdue, else the week's review (due, draft, signed = awaiting co-signature,");
    text_raw_line(r, "cosigned). Under a patient: open urgent and warning alerts (rule: reason),");
    text_raw_line(r, "a discharge expected within 14 days, ladder steps mastered this week.");
}

/* A header line: `left` cut to leave room for `right`, which ends at the
 * page's last column. */
static void lr_line(char *out, size_t size, const char *left, const char *right)
{
    char l[LINE_BYTES];
    size_t rw = cairn_text_width(right);
    size_t room = CAIRN_REPORT_COLUMNS > rw + 1 ? CAIRN_REPORT_COLUMNS - rw - 1 : 1;
    size_t lw = cairn_text_fit(left, room, l, sizeof l);
    snprintf(out, size, "%s%*s%s", l, (int)(CAIRN_REPORT_COLUMNS - lw - rw), "", right);
}

static void text_page_header(struct cairn_report_renderer *r, size_t page)
{
    const struct cairn_report_meta *m = &r->meta;
    char line[LINE_BYTES], left[LINE_BYTES], right[64];
    size_t total = r->text_mode == TEXT_STREAM ? r->total_pages : r->npages;
    if (page + 1 < 1000000 && total < 1000000) {
        /* "page N of M" put together by hand (a whole organization's
         * report has thousands of pages). */
        char *at = right;
        memcpy(at, "page ", 5);
        at += 5;
        at += put_uint(at, (unsigned)(page + 1));
        memcpy(at, " of ", 4);
        at += 4;
        put_uint(at, (unsigned)total);
    } else {
        snprintf(right, sizeof right, "page %zu of %zu", page + 1, total);
    }
    snprintf(left, sizeof left, "CASELOAD REPORT  week %s (%s to %s)", m->week, m->from, m->to);
    lr_line(line, sizeof line, left, right);
    report_out_puts(r->out, line);
    report_out_puts(r->out, "\n");
    /* The second line changes with the group, the third never. */
    if (!r->header_ready || r->header_label != r->pages[page].label) {
        snprintf(left, sizeof left, "Program: %s%s%s%s  Clinician: %s",
                 m->program[0] ? m->program : "all programs", m->program_name[0] ? " (" : "",
                 m->program_name, m->program_name[0] ? ")" : "", r->labels[r->pages[page].label]);
        cairn_text_fit(left, CAIRN_REPORT_COLUMNS, r->header[0].text, sizeof r->header[0].text);
        r->header[0].len = strlen(r->header[0].text);
        r->header_label = r->pages[page].label;
    }
    if (!r->header_ready) {
        snprintf(left, sizeof left, "Data as of %s%s  Printed %s by %s", m->as_of,
                 m->week_complete ? "" : " (week in progress)", m->printed_on, m->printed_by);
        cairn_text_fit(left, CAIRN_REPORT_COLUMNS, r->header[1].text, sizeof r->header[1].text);
        r->header[1].len = strlen(r->header[1].text);
        r->header_ready = true;
    }
    for (int i = 0; i < 2; i++) {
        report_out_write(r->out, r->header[i].text, r->header[i].len);
        report_out_puts(r->out, "\n");
    }
    memset(line, '=', CAIRN_REPORT_COLUMNS);
    line[CAIRN_REPORT_COLUMNS] = '\0';
    report_out_puts(r->out, line);
    report_out_puts(r->out, "\n\n");
}

/* Writes every page: a form feed before each but the first, its header,
 * then its body lines from the kept text. */
static void text_write_pages(struct cairn_report_renderer *r)
{
    struct chunk *c = r->head;
    size_t at = 0; /* offset within c */
    for (size_t p = 0; p < r->npages; p++) {
        size_t end = p + 1 < r->npages ? r->pages[p + 1].offset : r->text_len;
        size_t left = end - r->pages[p].offset;
        if (p)
            report_out_puts(r->out, "\f");
        text_page_header(r, p);
        while (left > 0 && c) {
            size_t take = c->len - at;
            if (take > left)
                take = left;
            report_out_write(r->out, c->data + at, take);
            at += take;
            left -= take;
            if (at == c->len) {
                c = c->next;
                at = 0;
            }
        }
    }
}

static void text_end(struct cairn_report_renderer *r)
{
    if (r->rows == 0) {
        text_new_page(r, text_label(r, "-"));
        text_raw_line(r, "No active or on-hold patients match this report.");
    }
    char who[LINE_BYTES];
    group_title(r->meta.clinician, r->meta.clinician_name, who, sizeof who);
    text_new_page(r, text_label(r, r->meta.clinician[0] ? who : "all clinicians"));
    text_raw_line(r, "TOTALS BY PROGRAM");
    text_raw_line(r, "");
    for (size_t i = 0; i < r->nprograms; i++) {
        char title[128];
        snprintf(title, sizeof title, "Program %s",
                 r->programs[i].code[0] ? r->programs[i].code : "(none)");
        text_totals(r, title, &r->programs[i].totals);
        text_raw_line(r, "");
    }
    text_keep(r, 22);
    text_raw_line(r, "OVERALL TOTALS");
    text_raw_line(r, "");
    text_totals(r, "all patients in this report", &r->overall);
    text_legend(r);
    if (!r->nomem && r->text_mode == TEXT_KEEP)
        text_write_pages(r);
}

/* --- markdown ------------------------------------------------------------------ */

static void md_line(struct report_out *o, const char *label, const char *value)
{
    report_out_puts(o, "- ");
    report_out_puts(o, label);
    report_out_puts(o, ": ");
    report_out_md(o, value);
    report_out_puts(o, "\n");
}

static void md_head(struct cairn_report_renderer *r)
{
    const struct cairn_report_meta *m = &r->meta;
    struct report_out *o = r->out;
    char v[LINE_BYTES];
    report_out_puts(o, "# Caseload report\n\n");
    snprintf(v, sizeof v, "%s (%s to %s), data as of %s%s", m->week, m->from, m->to, m->as_of,
             m->week_complete ? "" : " (week in progress)");
    md_line(o, "Week", v);
    snprintf(v, sizeof v, "%s%s%s%s", m->program[0] ? m->program : "all programs",
             m->program_name[0] ? " (" : "", m->program_name, m->program_name[0] ? ")" : "");
    md_line(o, "Program", v);
    group_title(m->clinician, m->clinician_name, v, sizeof v);
    md_line(o, "Clinician", m->clinician[0] ? v : "all clinicians");
    snprintf(v, sizeof v, "%s by %s", m->printed_on, m->printed_by);
    md_line(o, "Printed", v);
    report_out_puts(o, "\n");
}

static void md_group_open(struct cairn_report_renderer *r, const struct cairn_report_row *row)
{
    char title[LINE_BYTES];
    group_title(row->clinician, row->clinician_name, title, sizeof title);
    report_out_puts(r->out, "## ");
    report_out_md(r->out, title);
    report_out_puts(r->out, "\n\n| Risk | Name | MRN | Status | Week | Hours | PHQ-9 | GAD-7 | "
                            "Review | Alerts and notes |\n|---|---|---|---|--:|---|---|---|---|"
                            "---|\n");
}

static void md_row(struct cairn_report_renderer *r, const struct cairn_report_row *row)
{
    struct report_out *o = r->out;
    char hours[32], phq[32], gad[32];
    hours_cell(r->hours_memo, &row->attendance, hours, sizeof hours);
    score_cell(CAIRN_INSTRUMENT_PHQ9, &row->phq9, false, phq, sizeof phq);
    score_cell(CAIRN_INSTRUMENT_GAD7, &row->gad7, false, gad, sizeof gad);
    report_out_printf(o, "| %s | ", risk_word(row->risk));
    report_out_md(o, row->name);
    report_out_puts(o, " | ");
    report_out_md(o, row->mrn);
    report_out_printf(o, " | %s | %d | ",
                      row->status == CAIRN_PATIENT_ON_HOLD ? "on hold" : "active",
                      row->week_of_stay);
    report_out_md(o, hours);
    report_out_puts(o, " | ");
    report_out_md(o, phq);
    report_out_puts(o, " | ");
    report_out_md(o, gad);
    report_out_printf(o, " | %s | ", review_word(row));
    const char *sep = "";
    for (size_t i = 0; i < row->nalerts; i++) {
        const struct cairn_report_alert *a = &row->alerts[i];
        if (!alert_open(a))
            continue;
        report_out_printf(o, "%s**%s** ", sep, cairn_alert_severity_str(a->severity));
        report_out_md(o, a->reason);
        sep = "; ";
    }
    if (row->discharge_due) {
        report_out_printf(o, "%sdischarge expected ", sep);
        report_out_md(o, row->expected_discharge);
        sep = "; ";
    }
    if (row->steps_mastered_week)
        report_out_printf(o, "%smastered %d ladder step(s) this week", sep,
                          row->steps_mastered_week);
    report_out_puts(o, " |\n");
}

static void md_totals(struct cairn_report_renderer *r, const char *heading, const char *title,
                      const struct cairn_report_totals *t)
{
    struct report_out *o = r->out;
    report_out_puts(o, heading);
    report_out_md(o, title);
    report_out_printf(o, "\n\n%d active, %d on hold.\n\n", t->active, t->on_hold);
    report_out_puts(o, "| Risk \\\\ week of stay |");
    for (int b = 0; b < CAIRN_REPORT_STAY_BUCKETS; b++)
        report_out_printf(o, b == CAIRN_REPORT_STAY_BUCKETS - 1 ? " %d+ |" : " %d |", b + 1);
    report_out_puts(o, " all |\n|---|");
    for (int b = 0; b <= CAIRN_REPORT_STAY_BUCKETS; b++)
        report_out_puts(o, "--:|");
    report_out_puts(o, "\n");
    for (int risk = CAIRN_RISK_HIGH; risk >= CAIRN_RISK_UNSET; risk--) {
        int sum = 0;
        report_out_printf(o, "| %s |", risk ? cairn_risk_str((enum cairn_risk)risk) : "not set");
        for (int b = 0; b < CAIRN_REPORT_STAY_BUCKETS; b++) {
            report_out_printf(o, " %d |", t->risk_stay[risk][b]);
            sum += t->risk_stay[risk][b];
        }
        report_out_printf(o, " %d |\n", sum);
    }
    report_out_puts(o, "\n| Latest score | minimal | mild | moderate | moderately severe | severe "
                       "| none | reliably better | reliably worse | remission |\n|---|--:|--:|"
                       "--:|--:|--:|--:|--:|--:|--:|\n");
    for (int m = 0; m < 2; m++) {
        enum cairn_instrument ins = m ? CAIRN_INSTRUMENT_GAD7 : CAIRN_INSTRUMENT_PHQ9;
        const struct cairn_report_measure_totals *mt = m ? &t->gad7 : &t->phq9;
        int counts[CAIRN_REPORT_BANDS_MAX];
        band_counts(ins, mt, counts);
        report_out_printf(o, "| %s |", m ? "GAD-7" : "PHQ-9");
        for (int c = 0; c < CAIRN_REPORT_BANDS_MAX; c++)
            report_out_printf(o, counts[c] < 0 ? " - |" : " %d |", counts[c]);
        report_out_printf(o, " %d | %d | %d | %d |\n", mt->none, mt->improved, mt->worse,
                          mt->remission);
    }
    report_out_printf(o,
                      "\n- Attendance %s%s: %.1f h of %.0f h minimum; %d below minimum, %d "
                      "without one\n",
                      r->meta.week, r->meta.week_complete ? "" : " so far",
                      t->minutes_attended / 60.0, t->minutes_minimum / 60.0, t->below_minimum,
                      t->no_minimum);
    report_out_printf(o, "- Reviews: %d due for %s, %d overdue, %d awaiting co-signature\n",
                      t->reviews_due, r->meta.week, t->reviews_overdue, t->reviews_awaiting);
    report_out_printf(o, "- Open alerts: %d urgent, %d warning\n", t->alerts_urgent,
                      t->alerts_warning);
    report_out_printf(o, "- Ladder steps mastered in %s: %d (on %d ladders)\n", r->meta.week,
                      t->steps_mastered_week, t->ladders_mastered_week);
    report_out_printf(o, "- Discharges expected within 14 days: %d\n\n", t->discharges_due);
}

static void md_group_close(struct cairn_report_renderer *r)
{
    char title[LINE_BYTES];
    group_title(r->group, r->group_name, title, sizeof title);
    report_out_puts(r->out, "\n");
    md_totals(r, "### Totals: ", title, &r->group_totals);
}

static void md_end(struct cairn_report_renderer *r)
{
    if (r->rows == 0)
        report_out_puts(r->out, "No active or on-hold patients match this report.\n\n");
    report_out_puts(r->out, "## Totals by program\n\n");
    for (size_t i = 0; i < r->nprograms; i++)
        md_totals(r, "### Program ", r->programs[i].code[0] ? r->programs[i].code : "(none)",
                  &r->programs[i].totals);
    md_totals(r, "## ", "Overall totals", &r->overall);
}

/* --- csv ----------------------------------------------------------------------- */

static const char *const csv_columns[] = {
    "clinician",
    "mrn",
    "name",
    "preferred_name",
    "program",
    "status",
    "risk",
    "week_of_stay",
    "hours_attended",
    "min_hours",
    "days_attended",
    "min_days",
    "below_minimum",
    "phq9",
    "phq9_band",
    "phq9_baseline",
    "phq9_change",
    "gad7",
    "gad7_band",
    "gad7_baseline",
    "gad7_change",
    "review",
    "review_due",
    "reviews_overdue",
    "reviews_awaiting_cosign",
    "urgent_alerts",
    "warning_alerts",
    "alerts",
    "steps_mastered_week",
    "expected_discharge",
    "discharge_due",
};
#define NCSV (sizeof csv_columns / sizeof csv_columns[0])

static void csv_head(struct cairn_report_renderer *r)
{
    for (size_t i = 0; i < NCSV; i++) {
        if (i)
            report_out_puts(r->out, ",");
        report_out_puts(r->out, csv_columns[i]);
    }
    report_out_puts(r->out, "\r\n");
}

static void csv_score(struct report_out *o, enum cairn_instrument ins,
                      const struct cairn_report_score *s)
{
    char v[64];
    v[0] = '\0';
    if (s->total >= 0)
        snprintf(v, sizeof v, "%d", s->total);
    report_out_csv(o, v);
    report_out_puts(o, ",");
    report_out_csv(o, band_label(ins, s->band));
    report_out_puts(o, ",");
    v[0] = '\0';
    if (s->baseline >= 0)
        snprintf(v, sizeof v, "%d", s->baseline);
    report_out_csv(o, v);
    report_out_puts(o, ",");
    change_list(s->changes, v, sizeof v);
    report_out_csv(o, v);
    report_out_puts(o, ",");
}

static void csv_row(struct cairn_report_renderer *r, const struct cairn_report_row *row)
{
    struct report_out *o = r->out;
    const struct cairn_attendance_week *a = &row->attendance;
    bool has_min = a->min_minutes > 0 || a->min_days > 0;
    char v[64];
    const char *text[] = {
        row->clinician,           row->mrn,     row->name,
        row->preferred_name,      row->program, cairn_patient_status_str(row->status),
        cairn_risk_str(row->risk)};
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
        report_out_csv(o, text[i]);
        report_out_puts(o, ",");
    }
    report_out_printf(o, "%d,%.2f,", row->week_of_stay, a->minutes_attended / 60.0);
    if (has_min)
        report_out_printf(o, "%g", a->min_minutes / 60.0);
    report_out_printf(o, ",%d,", a->days_attended);
    if (has_min)
        report_out_printf(o, "%d", a->min_days);
    report_out_printf(o, ",%s,", has_min && !(a->meets_hours && a->meets_days) ? "yes" : "no");
    csv_score(o, CAIRN_INSTRUMENT_PHQ9, &row->phq9);
    csv_score(o, CAIRN_INSTRUMENT_GAD7, &row->gad7);
    report_out_csv(o, row->review);
    int urgent = 0, warning = 0;
    for (size_t i = 0; i < row->nalerts; i++)
        if (alert_open(&row->alerts[i])) {
            urgent += row->alerts[i].severity == CAIRN_SEVERITY_URGENT;
            warning += row->alerts[i].severity == CAIRN_SEVERITY_WARNING;
        }
    report_out_printf(o, ",%s,%d,%d,%d,%d,", row->reviews_due ? "yes" : "no", row->reviews_overdue,
                      row->reviews_awaiting, urgent, warning);
    /* The open alerts' reasons in one cell, "; " between them. */
    char *joined = NULL;
    size_t len = 0;
    for (size_t i = 0; i < row->nalerts; i++) {
        if (!alert_open(&row->alerts[i]))
            continue;
        size_t add = strlen(row->alerts[i].reason) + 2;
        char *g = realloc(joined, len + add + 1);
        if (!g) {
            r->nomem = true;
            break;
        }
        joined = g;
        len += (size_t)sprintf(joined + len, "%s%s", len ? "; " : "", row->alerts[i].reason);
    }
    report_out_csv(o, joined ? joined : "");
    free(joined);
    snprintf(v, sizeof v, "%d", row->steps_mastered_week);
    report_out_printf(o, ",%s,", v);
    report_out_csv(o, row->expected_discharge);
    report_out_printf(o, ",%s\r\n", row->discharge_due ? "yes" : "no");
}

/* --- json ---------------------------------------------------------------------- */

/* Writes a jansson value (any type) compactly and frees it. */
static void json_put(struct cairn_report_renderer *r, json_t *v)
{
    char *text = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
    if (!text)
        r->nomem = true;
    else
        report_out_puts(r->out, text);
    free(text);
    json_decref(v);
}

static json_t *json_text_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *json_score(enum cairn_instrument ins, const struct cairn_report_score *s)
{
    json_t *o = json_object(), *changes = json_array(), *weekly = json_array();
    json_object_set_new(o, "total", s->total < 0 ? json_null() : json_integer(s->total));
    json_object_set_new(o, "band", json_text_or_null(band_label(ins, s->band)));
    json_object_set_new(o, "date", json_text_or_null(s->date));
    json_object_set_new(o, "baseline", s->baseline < 0 ? json_null() : json_integer(s->baseline));
    for (size_t k = 0; k < NCHANGES; k++)
        if (s->changes & (1u << k))
            json_array_append_new(changes, json_string(change_names[k]));
    json_object_set_new(o, "changes", changes);
    for (int k = 0; k < CAIRN_REPORT_TREND_WEEKS; k++)
        json_array_append_new(weekly, s->weekly[k] < 0 ? json_null() : json_integer(s->weekly[k]));
    json_object_set_new(o, "weekly", weekly);
    return o;
}

static json_t *json_row(const struct cairn_report_row *row)
{
    const struct cairn_attendance_week *a = &row->attendance;
    json_t *o = json_object(), *att = json_object(), *rev = json_object(), *alerts = json_array(),
           *lad = json_object();
    json_object_set_new(o, "mrn", json_string(row->mrn));
    json_object_set_new(o, "patient_id", json_integer(row->patient_id));
    json_object_set_new(o, "name", json_string(row->name));
    json_object_set_new(o, "preferred_name", json_text_or_null(row->preferred_name));
    json_object_set_new(o, "program", json_text_or_null(row->program));
    json_object_set_new(o, "status", json_string(cairn_patient_status_str(row->status)));
    json_object_set_new(o, "risk", json_text_or_null(cairn_risk_str(row->risk)));
    json_object_set_new(o, "therapist", json_text_or_null(row->therapist));
    json_object_set_new(o, "case_manager", json_text_or_null(row->case_manager));
    json_object_set_new(o, "admission_date", json_text_or_null(row->admission_date));
    json_object_set_new(o, "week_of_stay", json_integer(row->week_of_stay));
    json_object_set_new(att, "minutes_attended", json_integer(a->minutes_attended));
    json_object_set_new(att, "days_attended", json_integer(a->days_attended));
    json_object_set_new(att, "sessions", json_integer(a->sessions));
    json_object_set_new(att, "attended", json_integer(a->attended));
    json_object_set_new(att, "late", json_integer(a->late));
    json_object_set_new(att, "absent", json_integer(a->absent));
    json_object_set_new(att, "excused", json_integer(a->excused));
    json_object_set_new(att, "min_minutes", json_integer(a->min_minutes));
    json_object_set_new(att, "min_days", json_integer(a->min_days));
    json_object_set_new(att, "meets_minimum",
                        a->min_minutes > 0 || a->min_days > 0
                            ? json_boolean(a->meets_hours && a->meets_days)
                            : json_null());
    json_object_set_new(att, "complete", json_boolean(a->complete));
    json_object_set_new(o, "attendance", att);
    json_object_set_new(o, "phq9", json_score(CAIRN_INSTRUMENT_PHQ9, &row->phq9));
    json_object_set_new(o, "gad7", json_score(CAIRN_INSTRUMENT_GAD7, &row->gad7));
    json_object_set_new(rev, "status", json_text_or_null(row->review));
    json_object_set_new(rev, "due", json_boolean(row->reviews_due));
    json_object_set_new(rev, "overdue", json_integer(row->reviews_overdue));
    json_object_set_new(rev, "awaiting_cosign", json_integer(row->reviews_awaiting));
    json_object_set_new(o, "review", rev);
    for (size_t i = 0; i < row->nalerts; i++) {
        const struct cairn_report_alert *al = &row->alerts[i];
        json_t *x = json_object();
        json_object_set_new(x, "code", json_string(cairn_alert_code(al->rule)));
        json_object_set_new(x, "severity", json_string(cairn_alert_severity_str(al->severity)));
        json_object_set_new(x, "reason", json_string(al->reason));
        json_object_set_new(x, "acknowledged", json_boolean(al->acknowledged));
        json_array_append_new(alerts, x);
    }
    json_object_set_new(o, "alerts", alerts);
    json_object_set_new(lad, "steps_mastered_week", json_integer(row->steps_mastered_week));
    json_object_set_new(lad, "ladders_mastered_week", json_integer(row->ladders_mastered_week));
    json_object_set_new(o, "ladders", lad);
    json_object_set_new(o, "expected_discharge", json_text_or_null(row->expected_discharge));
    json_object_set_new(o, "discharge_due", json_boolean(row->discharge_due));
    return o;
}

static json_t *json_measure_totals(enum cairn_instrument ins,
                                   const struct cairn_report_measure_totals *m)
{
    const struct cairn_instrument_def *def = cairn_instrument_get(ins);
    json_t *o = json_object(), *bands = json_object(), *trend = json_array();
    for (size_t b = 0; b < def->nbands && b < CAIRN_REPORT_BANDS_MAX; b++)
        json_object_set_new(bands, def->bands[b].label, json_integer(m->bands[b]));
    json_object_set_new(o, "bands", bands);
    json_object_set_new(o, "none", json_integer(m->none));
    json_object_set_new(o, "reliable_improvement", json_integer(m->improved));
    json_object_set_new(o, "reliable_worsening", json_integer(m->worse));
    json_object_set_new(o, "remission", json_integer(m->remission));
    for (int k = 0; k < CAIRN_REPORT_TREND_WEEKS; k++)
        json_array_append_new(
            trend,
            m->trend_n[k]
                ? json_real((double)((long)(10.0 * m->trend_sum[k] / m->trend_n[k] + 0.5)) / 10.0)
                : json_null());
    json_object_set_new(o, "trend_mean", trend);
    return o;
}

static json_t *json_totals(const struct cairn_report_totals *t)
{
    static const char *const risks[] = {"none", "low", "moderate", "high"};
    json_t *o = json_object(), *rs = json_object(), *att = json_object(), *rev = json_object(),
           *al = json_object(), *lad = json_object();
    json_object_set_new(o, "active", json_integer(t->active));
    json_object_set_new(o, "on_hold", json_integer(t->on_hold));
    for (int risk = CAIRN_RISK_HIGH; risk >= CAIRN_RISK_UNSET; risk--) {
        json_t *a = json_array();
        for (int b = 0; b < CAIRN_REPORT_STAY_BUCKETS; b++)
            json_array_append_new(a, json_integer(t->risk_stay[risk][b]));
        json_object_set_new(rs, risks[risk], a);
    }
    json_object_set_new(o, "risk_by_week_of_stay", rs);
    json_object_set_new(att, "minutes_attended", json_integer(t->minutes_attended));
    json_object_set_new(att, "minutes_minimum", json_integer(t->minutes_minimum));
    json_object_set_new(att, "below_minimum", json_integer(t->below_minimum));
    json_object_set_new(att, "no_minimum", json_integer(t->no_minimum));
    json_object_set_new(o, "attendance", att);
    json_object_set_new(o, "phq9", json_measure_totals(CAIRN_INSTRUMENT_PHQ9, &t->phq9));
    json_object_set_new(o, "gad7", json_measure_totals(CAIRN_INSTRUMENT_GAD7, &t->gad7));
    json_object_set_new(rev, "due", json_integer(t->reviews_due));
    json_object_set_new(rev, "overdue", json_integer(t->reviews_overdue));
    json_object_set_new(rev, "awaiting_cosign", json_integer(t->reviews_awaiting));
    json_object_set_new(o, "reviews", rev);
    json_object_set_new(al, "urgent", json_integer(t->alerts_urgent));
    json_object_set_new(al, "warning", json_integer(t->alerts_warning));
    json_object_set_new(o, "open_alerts", al);
    json_object_set_new(lad, "steps_mastered_week", json_integer(t->steps_mastered_week));
    json_object_set_new(lad, "ladders_mastered_week", json_integer(t->ladders_mastered_week));
    json_object_set_new(o, "ladders", lad);
    json_object_set_new(o, "discharges_due", json_integer(t->discharges_due));
    return o;
}

static void json_key(struct cairn_report_renderer *r, const char *key, json_t *value)
{
    json_put(r, json_string(key));
    report_out_puts(r->out, ": ");
    json_put(r, value);
}

static void json_head(struct cairn_report_renderer *r)
{
    const struct cairn_report_meta *m = &r->meta;
    json_t *weeks = json_array();
    report_out_puts(r->out, "{\n");
    const struct {
        const char *key;
        json_t *value;
    } fields[] = {
        {"report", json_string("caseload")},
        {"week", json_string(m->week)},
        {"from", json_string(m->from)},
        {"to", json_string(m->to)},
        {"as_of", json_string(m->as_of)},
        {"week_complete", json_boolean(m->week_complete)},
        {"program", json_text_or_null(m->program)},
        {"clinician", json_text_or_null(m->clinician)},
        {"printed_on", json_string(m->printed_on)},
        {"printed_by", json_string(m->printed_by)},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        json_key(r, fields[i].key, fields[i].value);
        report_out_puts(r->out, ",\n");
    }
    for (int k = 0; k < CAIRN_REPORT_TREND_WEEKS; k++)
        json_array_append_new(weeks, json_string(m->trend_weeks[k]));
    json_key(r, "trend_weeks", weeks);
    report_out_puts(r->out, ",\n\"clinicians\": [");
}

static void json_group_open(struct cairn_report_renderer *r, const struct cairn_report_row *row)
{
    report_out_puts(r->out, r->groups ? ",\n{" : "\n{");
    json_key(r, "clinician", json_text_or_null(row->clinician));
    report_out_puts(r->out, ", ");
    json_key(r, "name", json_text_or_null(row->clinician_name));
    report_out_puts(r->out, ",\n\"patients\": [");
}

static void json_row_out(struct cairn_report_renderer *r, const struct cairn_report_row *row,
                         bool first)
{
    report_out_puts(r->out, first ? "\n" : ",\n");
    json_put(r, json_row(row));
}

static void json_group_close(struct cairn_report_renderer *r)
{
    report_out_puts(r->out, "\n],\n");
    json_key(r, "totals", json_totals(&r->group_totals));
    report_out_puts(r->out, "}");
}

static void json_end(struct cairn_report_renderer *r)
{
    report_out_puts(r->out, r->groups ? "\n],\n\"programs\": [" : "],\n\"programs\": [");
    for (size_t i = 0; i < r->nprograms; i++) {
        report_out_puts(r->out, i ? ",\n{" : "\n{");
        json_key(r, "program", json_text_or_null(r->programs[i].code));
        report_out_puts(r->out, ", ");
        json_key(r, "totals", json_totals(&r->programs[i].totals));
        report_out_puts(r->out, "}");
    }
    report_out_puts(r->out, r->nprograms ? "\n],\n" : "],\n");
    json_key(r, "totals", json_totals(&r->overall));
    report_out_puts(r->out, "\n}\n");
}

/* --- html ---------------------------------------------------------------------- */

static const char html_style[] =
    "body{font-family:sans-serif;font-size:10pt;margin:1.5em;color:#111}"
    "h1{font-size:16pt;margin:0 0 .3em}h2{font-size:13pt;margin:1.2em 0 .4em;"
    "border-bottom:2px solid #333}h3{font-size:11pt;margin:1em 0 .3em}"
    "table{border-collapse:collapse;margin:.3em 0}th,td{border:1px solid #bbb;padding:2px 5px;"
    "text-align:left;vertical-align:top}th{background:#eee}td.n{text-align:right}"
    "tr.high td.risk{font-weight:bold;color:#8b0000}tr.sub td{border-top:none;font-size:9pt}"
    ".urgent{font-weight:bold;color:#8b0000}.warning{color:#7a4b00}"
    "dl.meta{display:grid;grid-template-columns:max-content auto;gap:0 1em;margin:0}"
    "dt{font-weight:bold}dd{margin:0}.charts{display:flex;flex-wrap:wrap;gap:1em;"
    "align-items:flex-start}.chart{display:block}p.note{font-size:9pt;color:#444}"
    "@page{margin:12mm}"
    "@media print{body{margin:0}section.group{break-before:page}"
    "section.group:first-of-type{break-before:auto}tr{break-inside:avoid}"
    ".charts{break-inside:avoid}}";

static const char *const band_fills[CAIRN_REPORT_BANDS_MAX] = {"#d9f0d3", "#fff3b0", "#fdd49e",
                                                               "#fc8d59", "#d7301f"};

static void html_head(struct cairn_report_renderer *r)
{
    const struct cairn_report_meta *m = &r->meta;
    struct report_out *o = r->out;
    char v[LINE_BYTES];
    report_out_puts(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<title>Caseload report ");
    report_out_html(o, m->week);
    report_out_printf(o,
                      "</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n"
                      "<h1>Caseload report</h1>\n<dl class=\"meta\">\n",
                      html_style);
    snprintf(v, sizeof v, "%s (%s to %s)", m->week, m->from, m->to);
    report_out_puts(o, "<dt>Week</dt><dd>");
    report_out_html(o, v);
    report_out_puts(o, "</dd>\n<dt>Data as of</dt><dd>");
    report_out_html(o, m->as_of);
    report_out_puts(o, m->week_complete ? "" : " (week in progress)");
    report_out_puts(o, "</dd>\n<dt>Program</dt><dd>");
    snprintf(v, sizeof v, "%s%s%s%s", m->program[0] ? m->program : "all programs",
             m->program_name[0] ? " (" : "", m->program_name, m->program_name[0] ? ")" : "");
    report_out_html(o, v);
    report_out_puts(o, "</dd>\n<dt>Clinician</dt><dd>");
    group_title(m->clinician, m->clinician_name, v, sizeof v);
    report_out_html(o, m->clinician[0] ? v : "all clinicians");
    report_out_puts(o, "</dd>\n<dt>Printed</dt><dd>");
    report_out_html(o, m->printed_on);
    report_out_puts(o, " by ");
    report_out_html(o, m->printed_by);
    report_out_puts(o, "</dd>\n</dl>\n<p class=\"note\">Hours: attended in the week / program "
                       "minimum, * below it in hours or days. Scores: latest total and band; v "
                       "reliably better, ^ reliably worse, R remission since the first score. "
                       "Alerts are as of the print date.</p>\n</header>\n");
}

static void html_group_open(struct cairn_report_renderer *r, const struct cairn_report_row *row)
{
    char title[LINE_BYTES];
    struct report_out *o = r->out;
    group_title(row->clinician, row->clinician_name, title, sizeof title);
    report_out_puts(o, "<section class=\"group\">\n<h2>");
    report_out_html(o, title);
    report_out_puts(o, "</h2>\n<table class=\"patients\">\n<thead><tr><th>Risk</th><th>Name</th>"
                       "<th>MRN</th><th>Status</th><th>Week</th><th>Hours</th><th>PHQ-9</th>"
                       "<th>GAD-7</th><th>Review</th></tr></thead>\n<tbody>\n");
}

static void html_row(struct cairn_report_renderer *r, const struct cairn_report_row *row)
{
    struct report_out *o = r->out;
    char hours[32], phq[32], gad[32];
    hours_cell(r->hours_memo, &row->attendance, hours, sizeof hours);
    score_cell(CAIRN_INSTRUMENT_PHQ9, &row->phq9, false, phq, sizeof phq);
    score_cell(CAIRN_INSTRUMENT_GAD7, &row->gad7, false, gad, sizeof gad);
    report_out_printf(o, "<tr class=\"%s\"><td class=\"risk\">%s</td><td>",
                      cairn_risk_str(row->risk)[0] ? cairn_risk_str(row->risk) : "none",
                      risk_word(row->risk));
    report_out_html(o, row->name);
    if (row->preferred_name[0]) {
        report_out_puts(o, " (");
        report_out_html(o, row->preferred_name);
        report_out_puts(o, ")");
    }
    report_out_puts(o, "</td><td>");
    report_out_html(o, row->mrn);
    report_out_printf(o, "</td><td>%s</td><td class=\"n\">%d</td><td>",
                      row->status == CAIRN_PATIENT_ON_HOLD ? "on hold" : "active",
                      row->week_of_stay);
    report_out_html(o, hours);
    report_out_puts(o, "</td><td>");
    report_out_html(o, phq);
    report_out_puts(o, "</td><td>");
    report_out_html(o, gad);
    report_out_printf(o, "</td><td>%s</td></tr>\n", review_word(row));
    bool any = row->discharge_due || row->steps_mastered_week;
    for (size_t i = 0; i < row->nalerts && !any; i++)
        any = alert_open(&row->alerts[i]);
    if (!any)
        return;
    report_out_puts(o, "<tr class=\"sub\"><td></td><td colspan=\"8\">");
    const char *sep = "";
    for (int sev = CAIRN_SEVERITY_URGENT; sev <= CAIRN_SEVERITY_WARNING; sev++)
        for (size_t i = 0; i < row->nalerts; i++) {
            const struct cairn_report_alert *a = &row->alerts[i];
            if ((int)a->severity != sev || !alert_open(a))
                continue;
            report_out_printf(o, "%s<span class=\"%s\">%s</span> ", sep,
                              cairn_alert_severity_str(a->severity),
                              sev == CAIRN_SEVERITY_URGENT ? "URGENT" : "warning");
            report_out_html(o, a->reason);
            sep = "<br>";
        }
    if (row->discharge_due) {
        report_out_printf(o, "%sdischarge expected ", sep);
        report_out_html(o, row->expected_discharge);
        sep = "<br>";
    }
    if (row->steps_mastered_week)
        report_out_printf(o, "%smastered %d ladder step%s this week", sep, row->steps_mastered_week,
                          row->steps_mastered_week == 1 ? "" : "s");
    report_out_puts(o, "</td></tr>\n");
}

/* The band distribution of each instrument and the weekly mean trend. */
static void html_charts(struct cairn_report_renderer *r, const struct cairn_report_totals *t,
                        const char *who)
{
    struct report_out *o = r->out;
    char title[LINE_BYTES];
    report_out_puts(o, "<div class=\"charts\">\n");
    for (int m = 0; m < 2; m++) {
        enum cairn_instrument ins = m ? CAIRN_INSTRUMENT_GAD7 : CAIRN_INSTRUMENT_PHQ9;
        const struct cairn_instrument_def *def = cairn_instrument_get(ins);
        const struct cairn_report_measure_totals *mt = m ? &t->gad7 : &t->phq9;
        struct svg_segment segs[CAIRN_REPORT_BANDS_MAX + 1];
        size_t n = 0;
        for (size_t b = 0; b < def->nbands && b < CAIRN_REPORT_BANDS_MAX; b++) {
            int c = band_column(ins, (int)b);
            segs[n++] =
                (struct svg_segment){def->bands[b].label, mt->bands[b], band_fills[c >= 0 ? c : 0]};
        }
        segs[n++] = (struct svg_segment){"no score", mt->none, "#e0e0e0"};
        snprintf(title, sizeof title, "%s latest band, %s", def->title, who);
        report_out_puts(o, "<div><h3>");
        report_out_html(o, def->title);
        report_out_puts(o, " by band</h3>\n");
        svg_stacked_bar(o, title, segs, n, 360);
        report_out_puts(o, "</div>\n");
    }
    struct svg_point pts[2][CAIRN_REPORT_TREND_WEEKS];
    struct svg_series series[2];
    struct svg_tick xt[CAIRN_REPORT_TREND_WEEKS], yt[6];
    static const char *const ylabels[] = {"0", "5", "10", "15", "20", "25"};
    for (int m = 0; m < 2; m++) {
        const struct cairn_report_measure_totals *mt = m ? &t->gad7 : &t->phq9;
        size_t n = 0;
        for (int k = 0; k < CAIRN_REPORT_TREND_WEEKS; k++)
            if (mt->trend_n[k])
                pts[m][n++] = (struct svg_point){k, (double)mt->trend_sum[k] / mt->trend_n[k]};
        series[m] = (struct svg_series){m ? "GAD-7 mean" : "PHQ-9 mean", m ? "#1f77b4" : "#d62728",
                                        pts[m], n};
    }
    for (int k = 0; k < CAIRN_REPORT_TREND_WEEKS; k++)
        xt[k] = (struct svg_tick){k, r->meta.trend_weeks[k] + 5}; /* "W47" */
    for (int i = 0; i < 6; i++)
        yt[i] = (struct svg_tick){5.0 * i, ylabels[i]};
    snprintf(title, sizeof title, "Weekly mean of the latest scores");
    (void)who;
    struct svg_chart chart = {
        .title = title,
        .width = 420,
        .height = 210,
        .xmin = -0.3,
        .xmax = CAIRN_REPORT_TREND_WEEKS - 0.7,
        .ymin = 0,
        .ymax = 27,
        .xticks = xt,
        .nxticks = CAIRN_REPORT_TREND_WEEKS,
        .yticks = yt,
        .nyticks = 6,
        .series = series,
        .nseries = 2,
    };
    report_out_puts(o, "<div><h3>Trend</h3>\n");
    svg_line_chart(o, &chart);
    report_out_puts(o, "</div>\n</div>\n");
}

static void html_totals(struct cairn_report_renderer *r, const char *title,
                        const struct cairn_report_totals *t)
{
    struct report_out *o = r->out;
    report_out_puts(o, "<h3>Totals: ");
    report_out_html(o, title);
    report_out_printf(o, "</h3>\n<p>%d active, %d on hold.</p>\n", t->active, t->on_hold);
    report_out_puts(o, "<table class=\"totals\"><thead><tr><th>Risk \\ week of stay</th>");
    for (int b = 0; b < CAIRN_REPORT_STAY_BUCKETS; b++)
        report_out_printf(o, b == CAIRN_REPORT_STAY_BUCKETS - 1 ? "<th>%d+</th>" : "<th>%d</th>",
                          b + 1);
    report_out_puts(o, "<th>all</th></tr></thead><tbody>\n");
    for (int risk = CAIRN_RISK_HIGH; risk >= CAIRN_RISK_UNSET; risk--) {
        int sum = 0;
        report_out_printf(o, "<tr><th>%s</th>",
                          risk ? cairn_risk_str((enum cairn_risk)risk) : "not set");
        for (int b = 0; b < CAIRN_REPORT_STAY_BUCKETS; b++) {
            report_out_printf(o, "<td class=\"n\">%d</td>", t->risk_stay[risk][b]);
            sum += t->risk_stay[risk][b];
        }
        report_out_printf(o, "<td class=\"n\">%d</td></tr>\n", sum);
    }
    report_out_puts(o, "</tbody></table>\n<table class=\"totals\"><thead><tr><th>Latest "
                       "score</th>");
    for (int c = 0; c < CAIRN_REPORT_BANDS_MAX; c++)
        report_out_printf(o, "<th>%s</th>", band_columns[c]);
    report_out_puts(o, "<th>no score</th><th>reliably better</th><th>reliably worse</th>"
                       "<th>remission</th></tr></thead><tbody>\n");
    for (int m = 0; m < 2; m++) {
        enum cairn_instrument ins = m ? CAIRN_INSTRUMENT_GAD7 : CAIRN_INSTRUMENT_PHQ9;
        const struct cairn_report_measure_totals *mt = m ? &t->gad7 : &t->phq9;
        int counts[CAIRN_REPORT_BANDS_MAX];
        band_counts(ins, mt, counts);
        report_out_printf(o, "<tr><th>%s</th>", m ? "GAD-7" : "PHQ-9");
        for (int c = 0; c < CAIRN_REPORT_BANDS_MAX; c++)
            report_out_printf(
                o, counts[c] < 0 ? "<td class=\"n\">-</td>" : "<td class=\"n\">%d</td>", counts[c]);
        report_out_printf(o,
                          "<td class=\"n\">%d</td><td class=\"n\">%d</td><td class=\"n\">%d</td>"
                          "<td class=\"n\">%d</td></tr>\n",
                          mt->none, mt->improved, mt->worse, mt->remission);
    }
    report_out_printf(o,
                      "</tbody></table>\n<ul>\n<li>Attendance %s%s: %.1f h of %.0f h minimum; %d "
                      "below minimum, %d without one</li>\n",
                      r->meta.week, r->meta.week_complete ? "" : " so far",
                      t->minutes_attended / 60.0, t->minutes_minimum / 60.0, t->below_minimum,
                      t->no_minimum);
    report_out_printf(o,
                      "<li>Reviews: %d due for %s, %d overdue, %d awaiting co-signature</li>\n"
                      "<li>Open alerts: %d urgent, %d warning</li>\n"
                      "<li>Ladder steps mastered in %s: %d (on %d ladders)</li>\n"
                      "<li>Discharges expected within 14 days: %d</li>\n</ul>\n",
                      t->reviews_due, r->meta.week, t->reviews_overdue, t->reviews_awaiting,
                      t->alerts_urgent, t->alerts_warning, r->meta.week, t->steps_mastered_week,
                      t->ladders_mastered_week, t->discharges_due);
    html_charts(r, t, title);
}

static void html_group_close(struct cairn_report_renderer *r)
{
    char title[LINE_BYTES];
    group_title(r->group, r->group_name, title, sizeof title);
    report_out_puts(r->out, "</tbody>\n</table>\n");
    html_totals(r, title, &r->group_totals);
    report_out_puts(r->out, "</section>\n");
}

static void html_end(struct cairn_report_renderer *r)
{
    struct report_out *o = r->out;
    if (r->rows == 0)
        report_out_puts(o, "<p>No active or on-hold patients match this report.</p>\n");
    report_out_puts(o, "<section class=\"group\">\n<h2>Totals by program</h2>\n");
    for (size_t i = 0; i < r->nprograms; i++) {
        char title[128];
        snprintf(title, sizeof title, "program %s",
                 r->programs[i].code[0] ? r->programs[i].code : "(none)");
        html_totals(r, title, &r->programs[i].totals);
    }
    report_out_puts(o, "</section>\n<section class=\"group\">\n<h2>Overall totals</h2>\n");
    html_totals(r, "all patients in this report", &r->overall);
    report_out_puts(o, "</section>\n</body>\n</html>\n");
}

/* --- the renderer's life -------------------------------------------------------- */

enum cairn_status cairn_report_render_begin(enum cairn_report_format format,
                                            const struct cairn_report_meta *meta,
                                            cairn_report_write_fn write, void *ctx,
                                            struct cairn_report_renderer **out,
                                            struct cairn_error *err)
{
    *out = NULL;
    if ((unsigned)format >= CAIRN_REPORT_FORMAT__COUNT)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "format", "unknown report format");
    struct cairn_report_renderer *r = calloc(1, sizeof *r);
    if (!r || !(r->out = malloc(sizeof *r->out))) {
        free(r);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory starting the report");
    }
    r->format = format;
    r->meta = *meta;
    report_out_init(r->out, write, ctx);
    switch (format) {
    case CAIRN_REPORT_MD:
        md_head(r);
        break;
    case CAIRN_REPORT_CSV:
        csv_head(r);
        break;
    case CAIRN_REPORT_JSON:
        json_head(r);
        break;
    case CAIRN_REPORT_HTML:
        html_head(r);
        break;
    default:
        break;
    }
    *out = r;
    return CAIRN_OK;
}

static void group_close(struct cairn_report_renderer *r)
{
    if (!r->in_group)
        return;
    switch (r->format) {
    case CAIRN_REPORT_TEXT:
        text_group_close(r);
        break;
    case CAIRN_REPORT_MD:
        md_group_close(r);
        break;
    case CAIRN_REPORT_JSON:
        json_group_close(r);
        break;
    case CAIRN_REPORT_HTML:
        html_group_close(r);
        break;
    default:
        break;
    }
    r->in_group = false;
    r->groups++;
}

static void group_open(struct cairn_report_renderer *r, const struct cairn_report_row *row)
{
    r->in_group = true;
    r->hold_started = false;
    snprintf(r->group, sizeof r->group, "%s", row->clinician);
    snprintf(r->group_name, sizeof r->group_name, "%s", row->clinician_name);
    memset(&r->group_totals, 0, sizeof r->group_totals);
    switch (r->format) {
    case CAIRN_REPORT_TEXT:
        text_group_open(r, row);
        break;
    case CAIRN_REPORT_MD:
        md_group_open(r, row);
        break;
    case CAIRN_REPORT_JSON:
        json_group_open(r, row);
        break;
    case CAIRN_REPORT_HTML:
        html_group_open(r, row);
        break;
    default:
        break;
    }
}

enum cairn_status cairn_report_render_row(struct cairn_report_renderer *r,
                                          const struct cairn_report_row *row,
                                          struct cairn_error *err)
{
    bool first = false;
    if (!r->in_group || strcmp(r->group, row->clinician) != 0) {
        group_close(r);
        group_open(r, row);
        first = true;
    }
    switch (r->format) {
    case CAIRN_REPORT_TEXT:
        text_row(r, row);
        break;
    case CAIRN_REPORT_MD:
        md_row(r, row);
        break;
    case CAIRN_REPORT_CSV:
        csv_row(r, row);
        break;
    case CAIRN_REPORT_JSON:
        json_row_out(r, row, first);
        break;
    case CAIRN_REPORT_HTML:
        html_row(r, row);
        break;
    default:
        break;
    }
    r->rows++;
    struct cairn_report_totals *pt = program_totals(r, row->program);
    if (r->format == CAIRN_REPORT_TEXT && r->text_mode == TEXT_COUNT)
        goto done; /* only lines count: the totals take as many whatever they hold */
    cairn_report_totals_add(&r->group_totals, row);
    cairn_report_totals_add(&r->overall, row);
    if (pt)
        cairn_report_totals_add(pt, row);
done:
    if (r->nomem || r->out->failed)
        return report_out_status(r->out, r->nomem, err);
    return CAIRN_OK;
}

enum cairn_status cairn_report_render_end(struct cairn_report_renderer *r, struct cairn_error *err)
{
    group_close(r);
    if (r->nprograms > 1)
        qsort(r->programs, r->nprograms, sizeof *r->programs, cmp_programs);
    switch (r->format) {
    case CAIRN_REPORT_TEXT:
        text_end(r);
        break;
    case CAIRN_REPORT_MD:
        md_end(r);
        break;
    case CAIRN_REPORT_JSON:
        json_end(r);
        break;
    case CAIRN_REPORT_HTML:
        html_end(r);
        break;
    default:
        break;
    }
    return report_out_status(r->out, r->nomem, err);
}

void cairn_report_render_free(struct cairn_report_renderer **rp)
{
    struct cairn_report_renderer *r = rp ? *rp : NULL;
    if (!r)
        return;
    for (struct chunk *c = r->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    for (size_t i = 0; i < r->nlabels; i++)
        free(r->labels[i]);
    free(r->labels);
    free(r->pages);
    free(r->programs);
    free(r->out);
    free(r);
    *rp = NULL;
}

/* --- the caseload report ---------------------------------------------------------- */

void report_render_count_pages(struct cairn_report_renderer *r)
{
    r->text_mode = TEXT_COUNT;
}

void report_render_stream_pages(struct cairn_report_renderer *r, size_t pages)
{
    r->text_mode = TEXT_STREAM;
    r->total_pages = pages;
}

size_t report_render_pages(const struct cairn_report_renderer *r)
{
    return r->npages;
}

static int discard(const void *buf, size_t n, void *ctx)
{
    (void)buf;
    (void)n;
    (void)ctx;
    return 0;
}

struct feed {
    struct cairn_report_renderer *r;
    enum cairn_status rc;
    struct cairn_error *err;
};

static int feed_row(const struct cairn_report_row *row, void *ctx)
{
    struct feed *f = ctx;
    f->rc = cairn_report_render_row(f->r, row, f->err);
    return f->rc != CAIRN_OK;
}

/* Counts a range of rows' pages in a renderer of its own (see
 * count_pages()); runs in a thread of its own for the second range. */
struct count_part {
    struct cairn_report_renderer *r;
    struct report_set *set;
    size_t from, to;
    struct cairn_report_row *row;
    struct cairn_error err;
    enum cairn_status rc;
};

static void *count_part_main(void *arg)
{
    struct count_part *c = arg;
    struct feed feed = {.r = c->r, .rc = CAIRN_OK, .err = &c->err};
    report_set_each_light(c->set, c->from, c->to, c->row, feed_row, &feed);
    c->rc = feed.rc;
    if (c->rc == CAIRN_OK) {
        group_close(c->r); /* its last group's totals are its lines too */
        c->rc = report_out_status(c->r->out, c->r->nomem, &c->err);
    }
    return NULL;
}

/* The text form's page count, without writing anything. Every group
 * starts on a page of its own, so a large report is counted in two
 * halves split where a group starts, the second in another thread; the
 * closing pages (totals by program, overall) take as many pages whatever
 * the totals hold, so a third renderer counts them from the halves' row
 * and program counts. */
static enum cairn_status count_pages(struct report_set *set, const struct cairn_report_meta *meta,
                                     size_t *pages, struct cairn_error *err)
{
    enum { SPLIT_FROM = 64 }; /* fewer rows are not worth a thread (the tests' demos split) */
    struct cairn_report_renderer *parts[2] = {NULL, NULL}, *end = NULL;
    struct count_part c[2] = {{0}};
    enum cairn_status rc = CAIRN_OK;
    size_t n = report_set_rows(set), k = n / 2;
    while (k > 0 && k < n && report_set_same_group(set, k - 1, k))
        k++;
    bool split = n >= SPLIT_FROM && k > 0 && k < n;
    for (int i = 0; i < 2 && rc == CAIRN_OK; i++) {
        if ((rc = cairn_report_render_begin(CAIRN_REPORT_TEXT, meta, discard, NULL, &parts[i],
                                            err)) != CAIRN_OK)
            break;
        report_render_count_pages(parts[i]);
        c[i].r = parts[i];
        c[i].set = set;
        c[i].from = i ? (split ? k : n) : 0;
        c[i].to = i ? n : (split ? k : n);
        if (!(c[i].row = malloc(sizeof *c[i].row)))
            rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory counting pages");
    }
    if (rc == CAIRN_OK) {
        /* Unsplit, the second renderer counts nothing and stays empty. */
        pair_run(count_part_main, &c[0], split ? &c[1] : NULL);
        for (int i = 0; i < 2 && rc == CAIRN_OK; i++)
            if ((rc = c[i].rc) != CAIRN_OK && err)
                *err = c[i].err;
    }
    if (rc == CAIRN_OK && (rc = cairn_report_render_begin(CAIRN_REPORT_TEXT, meta, discard, NULL,
                                                          &end, err)) == CAIRN_OK) {
        report_render_count_pages(end);
        for (int i = 0; i < 2; i++) {
            end->rows += parts[i]->rows;
            for (size_t p = 0; p < parts[i]->nprograms; p++)
                program_totals(end, parts[i]->programs[p].code);
        }
        if ((rc = cairn_report_render_end(end, err)) == CAIRN_OK)
            *pages = parts[0]->npages + parts[1]->npages + end->npages;
    }
    for (int i = 0; i < 2; i++) {
        free(c[i].row);
        cairn_report_render_free(&parts[i]);
    }
    cairn_report_render_free(&end);
    return rc;
}

enum cairn_status cairn_report_caseload(struct cairn_store *store,
                                        const struct cairn_report_options *opts,
                                        enum cairn_report_format format,
                                        cairn_report_write_fn write, void *ctx,
                                        struct cairn_error *err)
{
    static const struct cairn_report_options none = {0};
    const struct cairn_report_options *o = opts ? opts : &none;
    struct cairn_report_renderer *r = NULL;
    struct report_set *set = NULL;
    struct cairn_report_meta *meta = NULL;
    struct cairn_report_filter filter = {.clinician = o->clinician, .program = o->program};
    int32_t today = cairn_store_today(store);
    enum cairn_status rc;

    if ((unsigned)format >= CAIRN_REPORT_FORMAT__COUNT)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "format", "unknown report format");
    if (o->week) {
        if ((rc = cairn_isoweek_parse(o->week, &filter.iso_year, &filter.week, err)) != CAIRN_OK) {
            if (err)
                snprintf(err->pointer, sizeof err->pointer, "week");
            return rc;
        }
    } else {
        cairn_date_isoweek(today, &filter.iso_year, &filter.week);
    }
    if (!(meta = malloc(sizeof *meta)))
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory starting the report");
    cairn_report_meta_init(meta, filter.iso_year, filter.week, today,
                           cairn_store_actor_login(store));
    /* Refuse a bad filter before anything is audited or written; the rows
     * check them again inside their read transaction. */
    int ty, tw;
    cairn_date_isoweek(today, &ty, &tw);
    if (filter.iso_year * 100 + filter.week > ty * 100 + tw) {
        rc = cairn_error_field(err, CAIRN_ERR_INVALID, "week",
                               "%s has not begun (this week is %04d-W%02d)", meta->week, ty, tw);
        goto out;
    }
    if (o->clinician) {
        struct cairn_staff who;
        if ((rc = cairn_staff_find(store, o->clinician, &who, err)) != CAIRN_OK) {
            if (rc == CAIRN_ERR_NOT_FOUND)
                cairn_error_field(err, rc, "clinician", "no staff member with login '%.64s'",
                                  o->clinician);
            goto out;
        }
        snprintf(meta->clinician, sizeof meta->clinician, "%s", who.login);
        snprintf(meta->clinician_name, sizeof meta->clinician_name, "%s", who.name);
    }
    if (o->program) {
        struct cairn_program prog;
        if ((rc = cairn_program_find(store, o->program, &prog, err)) != CAIRN_OK) {
            if (rc == CAIRN_ERR_NOT_FOUND)
                cairn_error_field(err, rc, "program", "no program with code '%.64s'", o->program);
            goto out;
        }
        snprintf(meta->program, sizeof meta->program, "%s", prog.code);
        snprintf(meta->program_name, sizeof meta->program_name, "%s", prog.name);
    }
    char fields[96];
    snprintf(fields, sizeof fields, "caseload,%s%sweek", o->clinician ? "clinician," : "",
             o->program ? "program," : "");
    if ((rc = store_report_audit(store, o->to_file ? "export" : "read", 0, fields, err)) !=
        CAIRN_OK)
        goto out;
    if ((rc = store_report_collect(store, &filter, &set, err)) != CAIRN_OK)
        goto out;
    /* Text says "page N of M" on every page: a first pass over the rows
     * counts the pages, so that the second writes each page as it fills
     * instead of keeping the whole report. */
    size_t pages = 0;
    if (format == CAIRN_REPORT_TEXT && (rc = count_pages(set, meta, &pages, err)) != CAIRN_OK)
        goto out;
    if ((rc = cairn_report_render_begin(format, meta, write, ctx, &r, err)) != CAIRN_OK)
        goto out;
    if (format == CAIRN_REPORT_TEXT)
        report_render_stream_pages(r, pages);
    struct feed feed = {.r = r, .rc = CAIRN_OK, .err = err};
    report_set_each(set, feed_row, &feed);
    if ((rc = feed.rc) == CAIRN_OK)
        rc = cairn_report_render_end(r, err);
out:
    cairn_report_render_free(&r);
    report_set_free(&set);
    free(meta);
    return rc;
}

/* `report patient`: a printable one-patient summary in text or HTML.
 *
 * Read through the public API, each part audited as its own read (the
 * patient, the plan, the safety plan, the measures, each review shown),
 * the way `patient show`, `plan show` and `review show` audit them. Text
 * lines are at most CAIRN_REPORT_COLUMNS columns, with stored text made
 * safe to print; charts are ASCII in text and inline SVG in HTML. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/ladder.h"
#include "cairn/measure.h"
#include "cairn/plan.h"
#include "cairn/report.h"
#include "cairn/review.h"
#include "cairn/store.h"
#include "cairn/text.h"
#include "report_internal.h"
#include "svg.h"

#define LINE_BYTES    2048
#define REVIEWS_SHOWN 4
#define CHART_ROWS    10
#define CHART_POINTS  26 /* two columns each after an 8-column axis, then the band */

/* One point of a chart: a day and a value. */
struct point {
    int32_t day;
    int value;
};

struct points {
    struct point *v;
    size_t n, cap;
};

static bool points_push(struct points *p, int32_t day, int value)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 32;
        struct point *v = realloc(p->v, cap * sizeof *v);
        if (!v)
            return false;
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = (struct point){day, value};
    return true;
}

struct summary {
    struct cairn_store *s;
    enum cairn_report_format format;
    struct report_out *out;
    struct cairn_error *err;
    bool nomem;
    enum cairn_status rc; /* a failure inside a callback */
    size_t nladders;
    struct cairn_patient patient;
    struct cairn_review *review;
    struct points phq9, gad7, peaks;
    char this_week[CAIRN_WEEK_LEN + 1]; /* the store's today's */
    struct cairn_review_line reviews[REVIEWS_SHOWN];
    size_t nreviews;
};

/* --- text helpers ---------------------------------------------------------------- */

/* One text line: cut to the page width, made safe, no trailing spaces. */
static void tline(struct summary *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void tline(struct summary *m, const char *fmt, ...)
{
    char line[LINE_BYTES], fitted[LINE_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    cairn_text_fit(line, CAIRN_REPORT_COLUMNS, fitted, sizeof fitted);
    size_t n = strlen(fitted);
    while (n > 0 && fitted[n - 1] == ' ')
        n--;
    report_out_write(m->out, fitted, n);
    report_out_write(m->out, "\n", 1);
}

/* Writes text as lines of at most CAIRN_REPORT_COLUMNS columns: `first`
 * before the first line, `indent` before the others, broken at spaces
 * (a word too long for a line is cut). Control characters print as '?',
 * line breaks start a new line. */
static void twrap(struct summary *m, const char *first, const char *indent, const char *text)
{
    char safe[LINE_BYTES * 4], line[LINE_BYTES];
    size_t lead = cairn_text_width(first);
    size_t room = CAIRN_REPORT_COLUMNS > lead + 10 ? CAIRN_REPORT_COLUMNS - lead : 10;
    const char *prefix = first;
    /* Line breaks are kept as line breaks; everything else unsafe becomes '?'. */
    const char *p = text ? text : "";
    do {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char para[LINE_BYTES * 4];
        if (len >= sizeof para)
            len = sizeof para - 1;
        memcpy(para, p, len);
        para[len] = '\0';
        cairn_text_fit(para, 0, safe, sizeof safe);
        char *word = safe;
        line[0] = '\0';
        size_t width = 0;
        while (*word || line[0] || prefix) {
            while (*word == ' ')
                word++;
            char *end = strchr(word, ' ');
            size_t wlen = end ? (size_t)(end - word) : strlen(word);
            char w[LINE_BYTES];
            if (wlen >= sizeof w)
                wlen = sizeof w - 1;
            memcpy(w, word, wlen);
            w[wlen] = '\0';
            size_t ww = cairn_text_width(w);
            if (wlen && (width == 0 || width + 1 + ww <= room)) {
                char cut[LINE_BYTES];
                if (ww > room)
                    cairn_text_fit(w, room, cut, sizeof cut);
                else
                    snprintf(cut, sizeof cut, "%s", w);
                size_t n = strlen(line);
                snprintf(line + n, sizeof line - n, "%s%s", width ? " " : "", cut);
                width += (width ? 1 : 0) + cairn_text_width(cut);
                word += wlen;
                continue;
            }
            tline(m, "%s%s", prefix ? prefix : indent, line);
            prefix = NULL;
            line[0] = '\0';
            width = 0;
            if (!wlen)
                break;
        }
        p = nl ? nl + 1 : NULL;
    } while (p);
}

/* An ASCII chart of values over `n` points (the latest CHART_POINTS when
 * there are more): CHART_ROWS rows from ymax down to 0, a '*' per point,
 * a dashed row at `threshold` (-1: none), and at the right of each row
 * `label(value)` when given. The x axis names the first and last dates. */
static void tchart(struct summary *m, const struct point *pts, size_t n, int ymax, int threshold,
                   const char *(*label)(int value))
{
    size_t skip = n > CHART_POINTS ? n - CHART_POINTS : 0;
    int trow =
        threshold >= 0 ? (int)((double)(ymax - threshold) * (CHART_ROWS - 1) / ymax + 0.5) : -1;
    for (int row = 0; row < CHART_ROWS; row++) {
        char line[LINE_BYTES];
        int value = (int)((double)ymax * (CHART_ROWS - 1 - row) / (CHART_ROWS - 1) + 0.5);
        size_t o = (size_t)snprintf(line, sizeof line, "  %4d |", value);
        for (size_t i = skip; i < n; i++) {
            int prow = (int)((double)(ymax - pts[i].value) * (CHART_ROWS - 1) / ymax + 0.5);
            if (prow < 0)
                prow = 0;
            if (prow > CHART_ROWS - 1)
                prow = CHART_ROWS - 1;
            line[o++] = row == trow ? '-' : ' ';
            line[o++] = prow == row ? '*' : row == trow ? '-' : ' ';
        }
        line[o] = '\0';
        if (label || row == trow) {
            while (o < 8 + 2 * (n - skip) + 2)
                line[o++] = ' ';
            line[o] = '\0';
            snprintf(line + o, sizeof line - o, "%s",
                     row == trow ? "mastery"
                     : label     ? label(value)
                                 : "");
        }
        tline(m, "%s", line);
    }
    char axis[LINE_BYTES], first[CAIRN_DATE_LEN + 1] = "", last[CAIRN_DATE_LEN + 1] = "";
    size_t o = (size_t)snprintf(axis, sizeof axis, "       +");
    for (size_t i = skip; i < n; i++) {
        axis[o++] = '-';
        axis[o++] = '-';
    }
    axis[o] = '\0';
    tline(m, "%s", axis);
    if (n > skip) {
        cairn_date_format(pts[skip].day, first);
        cairn_date_format(pts[n - 1].day, last);
        tline(m, "        %s%*s", first, (int)(2 * (n - skip) > 20 ? 2 * (n - skip) - 10 : 12),
              last);
    }
    if (skip)
        tline(m, "        (the latest %d of %zu)", CHART_POINTS, n);
}

static const char *phq9_band(int v)
{
    const struct cairn_measure_band *b =
        cairn_measure_band(cairn_instrument_get(CAIRN_INSTRUMENT_PHQ9), v);
    return b ? b->label : "";
}

static const char *gad7_band(int v)
{
    const struct cairn_measure_band *b =
        cairn_measure_band(cairn_instrument_get(CAIRN_INSTRUMENT_GAD7), v);
    return b ? b->label : "";
}

/* --- gathering --------------------------------------------------------------------- */

static int collect_measure(const struct cairn_measure_entry *e, void *ctx)
{
    struct summary *m = ctx;
    struct points *p = e->m.instrument == CAIRN_INSTRUMENT_PHQ9   ? &m->phq9
                       : e->m.instrument == CAIRN_INSTRUMENT_GAD7 ? &m->gad7
                                                                  : NULL;
    int32_t day;
    if (p && cairn_date_parse(e->m.date, &day, NULL) == CAIRN_OK &&
        !points_push(p, day, e->m.score.total)) {
        m->nomem = true;
        return 1;
    }
    return 0;
}

static int collect_review(const struct cairn_review_line *l, void *ctx)
{
    struct summary *m = ctx;
    if (m->nreviews == REVIEWS_SHOWN)
        return 1;
    if (strcmp(l->week, m->this_week) > 0)
        return 0; /* a week still to come: scheduled, nothing to show */
    m->reviews[m->nreviews++] = *l;
    return 0;
}

static int collect_attempt(const struct cairn_ladder_attempt *a, void *ctx)
{
    struct summary *m = ctx;
    int32_t day;
    if (cairn_date_parse(a->date, &day, NULL) == CAIRN_OK &&
        !points_push(&m->peaks, day, a->suds_peak)) {
        m->nomem = true;
        return 1;
    }
    return 0;
}

/* --- the parts ------------------------------------------------------------------------ */

static const char *risk_text(enum cairn_risk risk)
{
    const char *s = cairn_risk_str(risk);
    return *s ? s : "not set";
}

static void text_header(struct summary *m)
{
    const struct cairn_patient *p = &m->patient;
    char today[CAIRN_DATE_LEN + 1], rule[CAIRN_REPORT_COLUMNS + 1];
    cairn_date_format(cairn_store_today(m->s), today);
    memset(rule, '=', CAIRN_REPORT_COLUMNS);
    rule[CAIRN_REPORT_COLUMNS] = '\0';
    tline(m, "PATIENT SUMMARY  %s", p->mrn);
    tline(m, "Confidential: protected health information.");
    tline(m, "Printed %s by %s", today, cairn_store_actor_login(m->s));
    tline(m, "%s", rule);
    tline(m, "Name:        %s%s%s%s", p->legal_name, p->preferred_name[0] ? " (" : "",
          p->preferred_name, p->preferred_name[0] ? ")" : "");
    tline(m, "Born:        %s   Pronouns: %s", p->dob, p->pronouns[0] ? p->pronouns : "-");
    tline(m, "Program:     %s   Status: %s   Risk: %s", p->program_code[0] ? p->program_code : "-",
          cairn_patient_status_str(p->status), risk_text(p->risk));
    tline(m, "Admitted:    %s   Expected discharge: %s",
          p->admission_date[0] ? p->admission_date : "-",
          p->expected_discharge_date[0] ? p->expected_discharge_date : "-");
    tline(m, "Therapist:   %s   Case manager: %s   Peer mentor: %s",
          p->therapist_login[0] ? p->therapist_login : "-",
          p->case_manager_login[0] ? p->case_manager_login : "-",
          p->peer_mentor_login[0] ? p->peer_mentor_login : "-");
}

static void html_header(struct summary *m)
{
    const struct cairn_patient *p = &m->patient;
    struct report_out *o = m->out;
    char today[CAIRN_DATE_LEN + 1];
    cairn_date_format(cairn_store_today(m->s), today);
    report_out_puts(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<title>Patient summary ");
    report_out_html(o, p->mrn);
    report_out_puts(o, "</title>\n<style>body{font-family:sans-serif;font-size:10pt;margin:1.5em;"
                       "color:#111}h1{font-size:16pt;margin:0}h2{font-size:13pt;margin:1.2em 0 "
                       ".4em;border-bottom:2px solid #333}h3{font-size:11pt;margin:.8em 0 .3em}"
                       "table{border-collapse:collapse;margin:.3em 0}th,td{border:1px solid #bbb;"
                       "padding:2px 5px;text-align:left;vertical-align:top}th{background:#eee}"
                       "dl{display:grid;grid-template-columns:max-content auto;gap:0 1em}dt{"
                       "font-weight:bold}dd{margin:0}p.note{font-size:9pt;color:#444}"
                       ".chart{display:block}@page{margin:12mm}@media print{body{margin:0}"
                       "section{break-inside:avoid-page}h2{break-after:avoid}}</style>\n</head>\n"
                       "<body>\n<h1>Patient summary</h1>\n<p class=\"note\">Printed ");
    report_out_html(o, today);
    report_out_puts(o, " by ");
    report_out_html(o, cairn_store_actor_login(m->s));
    report_out_puts(o, ". Confidential: protected health information.</p>\n<dl>\n");
    struct {
        const char *label, *value;
    } rows[] = {
        {"MRN", p->mrn},
        {"Name", p->legal_name},
        {"Preferred name", p->preferred_name},
        {"Born", p->dob},
        {"Pronouns", p->pronouns},
        {"Program", p->program_code},
        {"Status", cairn_patient_status_str(p->status)},
        {"Risk", risk_text(p->risk)},
        {"Admitted", p->admission_date},
        {"Expected discharge", p->expected_discharge_date},
        {"Therapist", p->therapist_login},
        {"Case manager", p->case_manager_login},
        {"Peer mentor", p->peer_mentor_login},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        report_out_printf(o, "<dt>%s</dt><dd>", rows[i].label);
        report_out_html(o, rows[i].value[0] ? rows[i].value : "-");
        report_out_puts(o, "</dd>\n");
    }
    report_out_puts(o, "</dl>\n");
}

/* The plan or safety plan of `kind`: read (audited) and written. */
static enum cairn_status plan_part(struct summary *m, enum cairn_plan_kind kind)
{
    const char *title = kind == CAIRN_PLAN_SAFETY ? "Safety plan" : "Relapse-prevention plan";
    struct cairn_error e;
    struct cairn_plan *plan = cairn_plan_new(kind);
    if (!plan)
        return cairn_error_set(m->err, CAIRN_ERR_NOMEM, "out of memory reading a plan");
    enum cairn_status rc = cairn_plan_read(m->s, kind, m->patient.id, 0, plan, &e);
    bool html = m->format == CAIRN_REPORT_HTML;
    if (html) {
        report_out_printf(m->out, "<section>\n<h2>%s</h2>\n", title);
    } else {
        tline(m, "%s", "");
        tline(m, "%s", kind == CAIRN_PLAN_SAFETY ? "SAFETY PLAN" : "RELAPSE-PREVENTION PLAN");
    }
    if (rc == CAIRN_ERR_NOT_FOUND) {
        if (html)
            report_out_puts(m->out, "<p>No plan yet (the patient has not been admitted to a "
                                    "program).</p>\n</section>\n");
        else
            tline(m, "No plan yet (the patient has not been admitted to a program).");
        cairn_plan_free(&plan);
        return CAIRN_OK;
    }
    if (rc != CAIRN_OK) {
        if (m->err)
            *m->err = e;
        cairn_plan_free(&plan);
        return rc;
    }
    char about[LINE_BYTES];
    if (kind == CAIRN_PLAN_RELAPSE)
        snprintf(about, sizeof about, "Revision %d, %s%s%s%s%s; next review %s", plan->revision,
                 plan->status[0] ? plan->status : "draft", plan->signed_by[0] ? ", signed by " : "",
                 plan->signed_by, plan->signed_at[0] ? " at " : "", plan->signed_at,
                 plan->next_review_date[0] ? plan->next_review_date : "not set");
    else
        snprintf(about, sizeof about, "Revision %d (Stanley-Brown safety planning steps)",
                 plan->revision);
    if (html) {
        report_out_puts(m->out, "<p>");
        report_out_html(m->out, about);
        report_out_puts(m->out, "</p>\n");
    } else {
        tline(m, "%s", about);
    }
    for (size_t i = 0; i < plan->nparts; i++) {
        const struct cairn_plan_part *part = &plan->parts[i];
        const char *ptitle = cairn_plan_part_title(kind, part->section);
        if (html) {
            report_out_puts(m->out, "<h3>");
            report_out_html(m->out, ptitle);
            report_out_puts(m->out, "</h3>\n");
        } else {
            tline(m, "%s", "");
            tline(m, "%s", ptitle);
        }
        if (part->nitems == 0) {
            if (html)
                report_out_puts(m->out, "<p>(none)</p>\n");
            else
                tline(m, "  (none)");
            continue;
        }
        if (html)
            report_out_puts(m->out, "<ul>\n");
        for (size_t k = 0; k < part->nitems; k++) {
            char item[LINE_BYTES];
            cairn_plan_item_line(kind, part->section, &part->items[k], item, sizeof item);
            if (html) {
                report_out_puts(m->out, "<li>");
                report_out_html(m->out, item);
                report_out_puts(m->out, "</li>\n");
            } else {
                twrap(m, "  - ", "    ", item);
            }
        }
        if (html)
            report_out_puts(m->out, "</ul>\n");
    }
    if (html)
        report_out_puts(m->out, "</section>\n");
    cairn_plan_free(&plan);
    return CAIRN_OK;
}

/* One ladder: its steps and the chart of its attempts' peak SUDS. */
static int ladder_part(const struct cairn_ladder *l, void *ctx)
{
    struct summary *m = ctx;
    bool html = m->format == CAIRN_REPORT_HTML;
    m->peaks.n = 0;
    m->nladders++;
    if ((m->rc = cairn_ladder_attempts(m->s, l->id, collect_attempt, m, m->err)) != CAIRN_OK ||
        m->nomem)
        return 1;
    int mastery = l->scale == 10 ? l->rule.peak_suds_at_most / 10 : l->rule.peak_suds_at_most;
    if (html) {
        report_out_puts(m->out, "<h3>");
        report_out_html(m->out, l->name);
        report_out_puts(m->out, "</h3>\n");
        if (l->target[0]) {
            report_out_puts(m->out, "<p>Target: ");
            report_out_html(m->out, l->target);
            report_out_puts(m->out, "</p>\n");
        }
        report_out_puts(m->out, "<table><thead><tr><th>#</th><th>Step</th><th>SUDS</th>"
                                "<th>Status</th><th>Attempts</th><th>Last peak</th></tr>"
                                "</thead><tbody>\n");
    } else {
        tline(m, "%s", "");
        char head[LINE_BYTES];
        snprintf(head, sizeof head, "Ladder %d: %s%s%s (SUDS 0-%d)", l->position, l->name,
                 l->target[0] ? " - " : "", l->target, l->scale);
        twrap(m, "", "  ", head);
        tline(m, "   #  SUDS  STATUS       TRIES  LAST  STEP");
    }
    for (size_t i = 0; i < l->nsteps; i++) {
        const struct cairn_ladder_step *st = &l->steps[i];
        if (st->retired)
            continue;
        char last[16];
        snprintf(last, sizeof last, st->last_peak < 0 ? "-" : "%d", st->last_peak);
        if (html) {
            report_out_printf(m->out, "<tr><td>%d</td><td>", st->position);
            report_out_html(m->out, st->text);
            report_out_printf(m->out, "</td><td>%d</td><td>%s</td><td>%d</td><td>%s</td></tr>\n",
                              st->suds, cairn_step_status_str(st->status), st->attempts, last);
        } else {
            char first[64];
            snprintf(first, sizeof first, "  %2d  %4d  %-11s  %5d  %4s  ", st->position, st->suds,
                     cairn_step_status_str(st->status), st->attempts, last);
            twrap(m, first, "                                     ", st->text);
        }
    }
    char title[LINE_BYTES];
    snprintf(title, sizeof title, "Peak SUDS per attempt, %s (oldest first)", l->name);
    if (html) {
        report_out_puts(m->out, "</tbody></table>\n");
        struct svg_point *pts = m->peaks.n ? calloc(m->peaks.n, sizeof *pts) : NULL;
        if (m->peaks.n && !pts) {
            m->nomem = true;
            return 1;
        }
        for (size_t i = 0; i < m->peaks.n; i++)
            pts[i] = (struct svg_point){(double)(i + 1), m->peaks.v[i].value};
        struct svg_series series = {"peak SUDS", "#d62728", pts, m->peaks.n};
        struct svg_tick yt[5];
        static const char *const y100[] = {"0", "25", "50", "75", "100"};
        static const char *const y10[] = {"0", "2.5", "5", "7.5", "10"};
        for (int i = 0; i < 5; i++)
            yt[i] = (struct svg_tick){l->scale / 4.0 * i, l->scale == 10 ? y10[i] : y100[i]};
        char mlabel[32];
        snprintf(mlabel, sizeof mlabel, "mastery %d", mastery);
        struct svg_chart chart = {
            .title = title,
            .width = 520,
            .height = 190,
            .xmin = 0.5,
            .xmax = m->peaks.n > 1 ? (double)m->peaks.n + 0.5 : 1.5,
            .ymin = 0,
            .ymax = l->scale,
            .yticks = yt,
            .nyticks = 5,
            .series = &series,
            .nseries = 1,
            .hline = mastery,
            .hline_label = mlabel,
        };
        svg_line_chart(m->out, &chart);
        free(pts);
    } else {
        tline(m, "%s", "");
        if (m->peaks.n == 0) {
            tline(m, "  No attempts yet.");
        } else {
            tline(m, "  %s:", title);
            tchart(m, m->peaks.v, m->peaks.n, l->scale, mastery, NULL);
        }
    }
    return 0;
}

static const char *const band_fills[] = {"#e5f5e0", "#fff7bc", "#fee391", "#fdae6b", "#fc9272"};

/* The measures: a chart per instrument with its bands (HTML), or a chart
 * and the list of totals (text). */
static void measures_part(struct summary *m)
{
    bool html = m->format == CAIRN_REPORT_HTML;
    if (html)
        report_out_puts(m->out, "<section>\n<h2>Measures</h2>\n");
    else {
        tline(m, "%s", "");
        tline(m, "MEASURES");
    }
    for (int k = 0; k < 2; k++) {
        enum cairn_instrument ins = k ? CAIRN_INSTRUMENT_GAD7 : CAIRN_INSTRUMENT_PHQ9;
        const struct cairn_instrument_def *def = cairn_instrument_get(ins);
        const struct points *p = k ? &m->gad7 : &m->phq9;
        int ymax = def->max * (int)def->nitems;
        char title[128];
        snprintf(title, sizeof title, "%s total over time", def->title);
        if (!html) {
            tline(m, "%s", "");
            if (p->n == 0) {
                tline(m, "%s: no scores yet.", def->title);
                continue;
            }
            tline(m, "%s (band at the right of each row):", title);
            tchart(m, p->v, p->n, ymax, -1, k ? gad7_band : phq9_band);
            char line[LINE_BYTES];
            size_t o = (size_t)snprintf(line, sizeof line, "  Latest:");
            for (size_t i = p->n > 4 ? p->n - 4 : 0; i < p->n; i++) {
                char d[CAIRN_DATE_LEN + 1];
                cairn_date_format(p->v[i].day, d);
                o += (size_t)snprintf(line + o, sizeof line - o, " %s %d;", d, p->v[i].value);
            }
            if (o && line[o - 1] == ';')
                line[o - 1] = '\0';
            tline(m, "%s", line);
            continue;
        }
        struct svg_point *pts = p->n ? calloc(p->n, sizeof *pts) : NULL;
        if (p->n && !pts) {
            m->nomem = true;
            return;
        }
        for (size_t i = 0; i < p->n; i++)
            pts[i] = (struct svg_point){p->v[i].day, p->v[i].value};
        struct svg_hband bands[5];
        size_t nb = 0;
        for (size_t b = 0; b < def->nbands && b < 5; b++)
            bands[nb++] = (struct svg_hband){def->bands[b].lo - (b ? 0.5 : 0),
                                             def->bands[b].hi + (b + 1 < def->nbands ? 0.5 : 0),
                                             def->bands[b].label,
                                             band_fills[b + (def->nbands < 5 && b == 3)]};
        struct svg_tick xt[2];
        char d0[CAIRN_DATE_LEN + 1] = "", d1[CAIRN_DATE_LEN + 1] = "";
        size_t nxt = 0;
        double xmin = 0, xmax = 1;
        if (p->n) {
            cairn_date_format(p->v[0].day, d0);
            cairn_date_format(p->v[p->n - 1].day, d1);
            xmin = p->v[0].day - 3;
            xmax = p->v[p->n - 1].day + 3;
            xt[nxt++] = (struct svg_tick){p->v[0].day, d0};
            if (p->n > 1)
                xt[nxt++] = (struct svg_tick){p->v[p->n - 1].day, d1};
        }
        struct svg_tick yt[] = {{0, "0"}, {5, "5"}, {10, "10"}, {15, "15"}, {20, "20"}, {25, "25"}};
        struct svg_series series = {def->title, "#1f1f7a", pts, p->n};
        struct svg_chart chart = {
            .title = title,
            .width = 560,
            .height = 220,
            .xmin = xmin,
            .xmax = xmax,
            .ymin = 0,
            .ymax = ymax,
            .bands = bands,
            .nbands = nb,
            .xticks = xt,
            .nxticks = nxt,
            .yticks = yt,
            .nyticks = ymax >= 25 ? 6 : 5,
            .series = &series,
            .nseries = 1,
        };
        svg_line_chart(m->out, &chart);
        free(pts);
    }
    if (html)
        report_out_puts(m->out, "</section>\n");
}

/* The last REVIEWS_SHOWN weekly reviews, each read (audited). */
static enum cairn_status reviews_part(struct summary *m)
{
    bool html = m->format == CAIRN_REPORT_HTML;
    if (html)
        report_out_printf(m->out, "<section>\n<h2>Last %d weekly reviews</h2>\n", REVIEWS_SHOWN);
    else {
        tline(m, "%s", "");
        tline(m, "LAST %d WEEKLY REVIEWS", REVIEWS_SHOWN);
    }
    if (m->nreviews == 0) {
        if (html)
            report_out_puts(m->out, "<p>No reviews up to this week.</p>\n");
        else
            tline(m, "No reviews up to this week.");
    }
    for (size_t i = 0; i < m->nreviews; i++) {
        const struct cairn_review_line *l = &m->reviews[i];
        struct cairn_review *r = m->review;
        enum cairn_status rc = cairn_review_read(m->s, &m->patient, l->week, r, m->err);
        if (rc != CAIRN_OK)
            return rc;
        char head[LINE_BYTES];
        snprintf(head, sizeof head, "%s: %s%s%s%s%s%s%s; risk %s", r->week,
                 cairn_review_status_str(r->status), r->signed_by[0] ? " by " : "", r->signed_by,
                 r->signed_at[0] ? " at " : "", r->signed_at,
                 r->cosigned_by[0] ? ", co-signed by " : "", r->cosigned_by,
                 risk_text(r->inputs.risk));
        const char *narrative = r->inputs.text[CAIRN_REVIEW_NARRATIVE];
        const char *next = r->inputs.text[CAIRN_REVIEW_NEXT_STEPS];
        if (html) {
            report_out_puts(m->out, "<h3>");
            report_out_html(m->out, head);
            report_out_puts(m->out, "</h3>\n<p>");
            report_out_html(m->out, narrative[0] ? narrative : "(no narrative yet)");
            report_out_puts(m->out, "</p>\n");
            if (next[0]) {
                report_out_puts(m->out, "<p><b>Next steps:</b> ");
                report_out_html(m->out, next);
                report_out_puts(m->out, "</p>\n");
            }
            if (r->naddenda)
                report_out_printf(m->out, "<p class=\"note\">%zu addend%s.</p>\n", r->naddenda,
                                  r->naddenda == 1 ? "um" : "a");
        } else {
            tline(m, "%s", "");
            twrap(m, "", "  ", head);
            twrap(m, "  ", "  ", narrative[0] ? narrative : "(no narrative yet)");
            if (next[0])
                twrap(m, "  Next steps: ", "  ", next);
            if (r->naddenda)
                tline(m, "  %zu addend%s.", r->naddenda, r->naddenda == 1 ? "um" : "a");
        }
    }
    if (html)
        report_out_puts(m->out, "</section>\n");
    return CAIRN_OK;
}

enum cairn_status cairn_report_patient(struct cairn_store *store, const char *mrn,
                                       enum cairn_report_format format, bool to_file,
                                       cairn_report_write_fn write, void *ctx,
                                       struct cairn_error *err)
{
    enum cairn_status rc;
    if (format != CAIRN_REPORT_TEXT && format != CAIRN_REPORT_HTML)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "format",
                                 "the patient report is text or html");
    struct summary *m = calloc(1, sizeof *m);
    if (!m)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory starting the report");
    m->s = store;
    m->format = format;
    m->err = err;
    m->out = malloc(sizeof *m->out);
    m->review = malloc(sizeof *m->review);
    if (!m->out || !m->review) {
        rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory starting the report");
        goto out;
    }
    report_out_init(m->out, write, ctx);
    int y, w;
    cairn_date_isoweek(cairn_store_today(store), &y, &w);
    cairn_isoweek_format(y, w, m->this_week);
    if ((rc = cairn_patient_read(store, mrn, &m->patient, err)) != CAIRN_OK)
        goto out;
    if (to_file &&
        (rc = store_report_audit(store, "export", m->patient.id, "patient", err)) != CAIRN_OK)
        goto out;
    /* What the charts and the review list need, before anything is written. */
    if ((rc = cairn_measure_list(store, m->patient.id, false, CAIRN_INSTRUMENT_PHQ9,
                                 collect_measure, m, err)) != CAIRN_OK ||
        (rc = cairn_review_list(store, m->patient.id, collect_review, m, err)) != CAIRN_OK)
        goto out;
    if (m->nomem) {
        rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading measures");
        goto out;
    }
    bool html = format == CAIRN_REPORT_HTML;
    if (html)
        html_header(m);
    else
        text_header(m);
    if ((rc = plan_part(m, CAIRN_PLAN_RELAPSE)) != CAIRN_OK ||
        (rc = plan_part(m, CAIRN_PLAN_SAFETY)) != CAIRN_OK)
        goto out;
    if (html)
        report_out_puts(m->out, "<section>\n<h2>Exposure ladders</h2>\n");
    else {
        tline(m, "%s", "");
        tline(m, "EXPOSURE LADDERS");
    }
    if ((rc = cairn_ladder_list(store, m->patient.id, false, ladder_part, m, err)) != CAIRN_OK ||
        (rc = m->rc) != CAIRN_OK)
        goto out;
    if (m->nomem) {
        rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading ladders");
        goto out;
    }
    if (m->nladders == 0) {
        if (html)
            report_out_puts(m->out, "<p>No ladders.</p>\n");
        else
            tline(m, "No ladders.");
    }
    if (html)
        report_out_puts(m->out, "</section>\n");
    measures_part(m);
    if ((rc = reviews_part(m)) != CAIRN_OK)
        goto out;
    if (html)
        report_out_puts(m->out, "</body>\n</html>\n");
    rc = report_out_status(m->out, m->nomem, err);
out:
    if (m->out)
        report_out_flush(m->out);
    free(m->phq9.v);
    free(m->gad7.v);
    free(m->peaks.v);
    free(m->out);
    free(m->review);
    free(m);
    return rc;
}

/* Inline SVG charts for the HTML reports (see svg.h). Coordinates are
 * written with one decimal in the C locale's form (the CLI keeps
 * LC_NUMERIC at "C"). */
#include "svg.h"

#include <stdbool.h>
#include <string.h>

#define AXIS_COLOR "#555555"
#define FONT       "font-family=\"sans-serif\" font-size=\"11\""

void svg_stacked_bar(struct report_out *o, const char *title, const struct svg_segment *segs,
                     size_t n, int width)
{
    const int bar = 18, legend = 16;
    int total = 0;
    for (size_t i = 0; i < n; i++)
        total += segs[i].count > 0 ? segs[i].count : 0;
    report_out_printf(o,
                      "<svg class=\"chart\" width=\"%d\" "
                      "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
                      width, bar + legend * 2 + 4, width, bar + legend * 2 + 4);
    report_out_html(o, title);
    report_out_puts(o, "\"><title>");
    report_out_html(o, title);
    report_out_puts(o, "</title>");
    report_out_printf(o,
                      "<rect x=\"0.5\" y=\"0.5\" width=\"%d\" height=\"%d\" fill=\"#ffffff\" "
                      "stroke=\"" AXIS_COLOR "\"/>",
                      width - 1, bar);
    double x = 1;
    for (size_t i = 0; i < n && total > 0; i++) {
        if (segs[i].count <= 0)
            continue;
        double w = (double)(width - 2) * segs[i].count / total;
        report_out_printf(
            o, "<rect x=\"%.1f\" y=\"1\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>", x, w,
            bar - 1, segs[i].fill);
        report_out_html(o, segs[i].label);
        report_out_printf(o, ": %d</title></rect>", segs[i].count);
        x += w;
    }
    /* The legend: a swatch, the label and the count per segment, wrapping
     * onto a second line when the first is full. */
    double lx = 0;
    int line = 0;
    for (size_t i = 0; i < n; i++) {
        double need = 14 + 7.0 * (double)(strlen(segs[i].label) + 4);
        if (lx + need > width && lx > 0 && line == 0) {
            lx = 0;
            line = 1;
        }
        double ly = bar + 6 + legend * line;
        report_out_printf(o,
                          "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\" "
                          "stroke=\"" AXIS_COLOR "\" stroke-width=\"0.5\"/>",
                          lx, ly, segs[i].fill);
        report_out_printf(o, "<text x=\"%.1f\" y=\"%.1f\" " FONT ">", lx + 13, ly + 9);
        report_out_html(o, segs[i].label);
        report_out_printf(o, " %d</text>", segs[i].count);
        lx += need;
    }
    report_out_puts(o, "</svg>\n");
}

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void svg_line_chart(struct report_out *o, const struct svg_chart *c)
{
    const double left = 34, top = 22;
    const double right = c->nbands || c->hline_label ? 118 : 14;
    const double bottom = c->nseries ? 44 : 26; /* tick labels, then the legend */
    double pw = c->width - left - right, ph = c->height - top - bottom;
    double xspan = c->xmax > c->xmin ? c->xmax - c->xmin : 1;
    double yspan = c->ymax > c->ymin ? c->ymax - c->ymin : 1;
#define PX(v) (left + (clamp((v), c->xmin, c->xmax) - c->xmin) * pw / xspan)
#define PY(v) (top + ph - (clamp((v), c->ymin, c->ymax) - c->ymin) * ph / yspan)
    report_out_printf(o,
                      "<svg class=\"chart\" width=\"%d\" "
                      "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
                      c->width, c->height, c->width, c->height);
    report_out_html(o, c->title);
    report_out_puts(o, "\"><title>");
    report_out_html(o, c->title);
    report_out_printf(o, "</title><text x=\"%.1f\" y=\"14\" " FONT " font-weight=\"bold\">", left);
    report_out_html(o, c->title);
    report_out_puts(o, "</text>");
    for (size_t i = 0; i < c->nbands; i++) {
        const struct svg_hband *b = &c->bands[i];
        double y1 = PY(b->hi), y0 = PY(b->lo);
        report_out_printf(o,
                          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                          "fill=\"%s\"/>",
                          left, y1, pw, y0 - y1, b->fill);
        report_out_printf(o, "<text x=\"%.1f\" y=\"%.1f\" " FONT " fill=\"" AXIS_COLOR "\">",
                          left + pw + 4, (y0 + y1) / 2 + 4);
        report_out_html(o, b->label);
        report_out_puts(o, "</text>");
    }
    report_out_printf(o,
                      "<path d=\"M%.1f %.1fV%.1fH%.1f\" fill=\"none\" stroke=\"" AXIS_COLOR "\"/>",
                      left, top, top + ph, left + pw);
    for (size_t i = 0; i < c->nyticks; i++) {
        double y = PY(c->yticks[i].at);
        report_out_printf(o,
                          "<path d=\"M%.1f %.1fH%.1f\" stroke=\"" AXIS_COLOR "\"/>"
                          "<text x=\"%.1f\" y=\"%.1f\" " FONT " text-anchor=\"end\">",
                          left - 3, y, left, left - 5, y + 4);
        report_out_html(o, c->yticks[i].label);
        report_out_puts(o, "</text>");
    }
    for (size_t i = 0; i < c->nxticks; i++) {
        double x = PX(c->xticks[i].at);
        report_out_printf(o,
                          "<path d=\"M%.1f %.1fV%.1f\" stroke=\"" AXIS_COLOR "\"/>"
                          "<text x=\"%.1f\" y=\"%.1f\" " FONT " text-anchor=\"middle\">",
                          x, top + ph, top + ph + 3, x, top + ph + 15);
        report_out_html(o, c->xticks[i].label);
        report_out_puts(o, "</text>");
    }
    if (c->hline_label) {
        double y = PY(c->hline);
        report_out_printf(
            o,
            "<path d=\"M%.1f %.1fH%.1f\" stroke=\"#b00020\" stroke-dasharray=\"4 3\"/>"
            "<text x=\"%.1f\" y=\"%.1f\" " FONT " fill=\"#b00020\">",
            left, y, left + pw, left + pw + 4, y + 4);
        report_out_html(o, c->hline_label);
        report_out_puts(o, "</text>");
    }
    for (size_t s = 0; s < c->nseries; s++) {
        const struct svg_series *se = &c->series[s];
        if (se->n > 1) {
            report_out_puts(o, "<path fill=\"none\" stroke-width=\"2\" stroke=\"");
            report_out_html(o, se->color);
            report_out_puts(o, "\" d=\"");
            for (size_t i = 0; i < se->n; i++)
                report_out_printf(o, "%s%.1f %.1f", i ? "L" : "M", PX(se->pts[i].x),
                                  PY(se->pts[i].y));
            report_out_puts(o, "\"/>");
        }
        for (size_t i = 0; i < se->n; i++) {
            report_out_printf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"",
                              PX(se->pts[i].x), PY(se->pts[i].y));
            report_out_html(o, se->color);
            report_out_puts(o, "\"><title>");
            report_out_html(o, se->name);
            report_out_printf(o, ": %g</title></circle>", se->pts[i].y);
        }
        /* Legend: one entry per series under the x axis labels. */
        double lx = left + 150.0 * (double)s, ly = top + ph + 34;
        report_out_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"3\" fill=\"", lx,
                          ly - 4);
        report_out_html(o, se->color);
        report_out_printf(o, "\"/><text x=\"%.1f\" y=\"%.1f\" " FONT ">", lx + 16, ly);
        report_out_html(o, se->name);
        report_out_puts(o, "</text>");
    }
    if (c->nseries == 0 || (c->nseries == 1 && c->series[0].n == 0))
        report_out_printf(o,
                          "<text x=\"%.1f\" y=\"%.1f\" " FONT " text-anchor=\"middle\">no "
                          "data</text>",
                          left + pw / 2, top + ph / 2);
    report_out_puts(o, "</svg>\n");
#undef PX
#undef PY
}

/* Private to the report module: the inline SVG charts of the HTML reports
 * (the caseload's band distribution and trend per clinician, a patient's
 * measures and exposure attempts). Each chart is one self-contained <svg>
 * element with a <title> for screen readers and explicit fills (no CSS
 * needed, so it prints the same); all text goes through report_out_html().
 */
#ifndef CAIRN_SVG_H
#define CAIRN_SVG_H

#include <stddef.h>

#include "report_internal.h"

/* One segment of a stacked bar. */
struct svg_segment {
    const char *label;
    int count;
    const char *fill; /* "#rrggbb" */
};

/* A horizontal bar `width` pixels wide split into the segments by count,
 * with a legend line under it ("label count" per segment, zero counts
 * included). An all-zero bar is drawn empty. */
void svg_stacked_bar(struct report_out *o, const char *title, const struct svg_segment *segs,
                     size_t n, int width);

struct svg_point {
    double x, y;
};

/* A line through points (in order), with a dot on each. */
struct svg_series {
    const char *name;
    const char *color;
    const struct svg_point *pts;
    size_t n;
};

/* A horizontal band of the y range shaded behind the lines, labelled at
 * its right edge (severity bands). */
struct svg_hband {
    double lo, hi;
    const char *label;
    const char *fill;
};

struct svg_tick {
    double at;
    const char *label;
};

struct svg_chart {
    const char *title; /* the <title>, also shown above the plot */
    int width, height; /* pixels, the whole chart */
    double xmin, xmax, ymin, ymax;
    const struct svg_hband *bands;
    size_t nbands;
    const struct svg_tick *xticks, *yticks;
    size_t nxticks, nyticks;
    const struct svg_series *series;
    size_t nseries;
    /* A dashed horizontal line (a threshold) when hline_label is not NULL. */
    double hline;
    const char *hline_label;
};

/* Draws the chart: shaded bands, axes with their ticks, the threshold
 * line, each series, and a legend naming the series. Points outside the
 * ranges are clamped to the plot. */
void svg_line_chart(struct report_out *o, const struct svg_chart *c);

#endif

/* viz/figure_impl.h: internal interface shared by the plot files: the figure (a Cairo image
 * surface plus the plot's options and error buffer), text, axes layout and drawing, legends
 * and the palette. Sizes are "design pixels" at dpi_scale 1; every use multiplies by fig->s. */
#ifndef MEMSNN_VIZ_FIGURE_IMPL_H
#define MEMSNN_VIZ_FIGURE_IMPL_H

#include <cairo.h>
#include <stddef.h>

#include "viz/ms_plot.h"
#include "viz/ticks_impl.h"

/* ==== Layout sizes (design px at dpi_scale 1) ============================================ */
#define MSI_FONT_FACE       "DejaVu Sans"
#define MSI_FONT_TICK       15.0   /* tick numbers, legend entries                        */
#define MSI_FONT_LABEL      17.0   /* axis titles, "no spikes" messages                   */
#define MSI_FONT_TITLE      21.0   /* figure title                                        */
#define MSI_FONT_NOTE       14.0   /* values written on the data (totals, ratios)         */
#define MSI_MARGIN          20.0   /* empty border around the whole image                 */
#define MSI_TICK_LEN        6.0    /* major tick, drawn outside the frame                 */
#define MSI_MINOR_TICK_LEN  3.5
#define MSI_TICK_PAD        4.0    /* tick to its number                                  */
#define MSI_LABEL_PAD       8.0    /* numbers to the axis title                           */
#define MSI_PANEL_GAP       22.0   /* between stacked panels, and axes to legend          */
#define MSI_LINE_DATA       2.0    /* data lines                                          */
#define MSI_LINE_FRAME      1.0    /* frame and ticks                                     */
#define MSI_LEGEND_SWATCH   28.0   /* length of a legend line sample                      */
#define MSI_LEGEND_MAX_FRAC 0.30   /* a legend takes at most this share of the width      */

#define MSI_TICK_TEXT  48
#define MSI_TITLE_TEXT 256

typedef struct msi_rect {
    double x, y, w, h;
} msi_rect;

/* ==== Figure lifecycle (figure.c) ======================================================== */
typedef struct msi_fig {
    const char *who;          /* plot name, prefix of error messages ("raster")           */
    const ms_plot_opts *o;
    ms_error *err;
    int w, h;                 /* image size (px)                                           */
    double s;                 /* dpi scale: device px per design px                        */
    cairo_surface_t *surf;    /* ARGB32 image the plot draws into                          */
    cairo_t *cr;
    msi_rect free;            /* room left for axes after title and legend took theirs     */
    const struct msi_key *names;  /* names drawn beside the data (legend, raster bands),   */
    size_t n_names;               /* reported in ms_plot_info.labels                       */
} msi_fig;

/* Checks the common options (file, size, scale, ranges) without drawing anything. */
ms_status msi_opts_check(const char *who, const ms_plot_opts *o, ms_error *err);

/* Checks the options, creates a white image of the requested size; on failure nothing is
 * left to free. */
ms_status msi_fig_begin(msi_fig *f, const char *who, const ms_plot_opts *o, ms_error *err);

/* Writes the image as a PNG with provenance (atomically) and fills o->info from main. */
struct msi_axes;
ms_status msi_fig_finish(msi_fig *f, const struct msi_axes *main);

/* Releases the image; safe on a zeroed or finished figure. */
void msi_fig_free(msi_fig *f);

/* Stores "who: message" in err and returns code. */
ms_status msi_error(ms_error *err, ms_status code, const char *who, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(__printf__, 4, 5)))
#endif
    ;

/* Draws the title (if any) at the top and removes its room from f->free. */
void msi_fig_title(msi_fig *f);

/* ==== Text (figure.c) ==================================================================== */
/* Advance width of text at font size size_px (device px). */
double msi_text_width(msi_fig *f, double size_px, const char *text);

/* Draws text anchored at (x, y): ax 0 = left, 0.5 = centre, 1 = right end at x; ay 0 = top,
 * 0.5 = middle, 1 = bottom of the font's box at y. angle in radians (-pi/2: reads upwards). */
void msi_text_draw(msi_fig *f, double x, double y, double size_px, const char *text,
                   double ax, double ay, double angle);

/* Copies text into out, cut at a UTF-8 boundary with a trailing ellipsis if it is wider than
 * max_w px at size_px. */
void msi_text_fit(msi_fig *f, double size_px, const char *text, double max_w, char *out,
                  size_t out_len);

/* ==== Palette (palette.c) ================================================================ */
void msi_set_colour(cairo_t *cr, size_t k);           /* palette colour k, opaque           */
void msi_colour_rgb(size_t k, double rgb[3]);         /* palette colour k as 0..1          */
void msi_set_dash(cairo_t *cr, size_t k, double s);   /* solid for k < palette size, then dashes */

/* ==== Axes (axes.c) ====================================================================== */
typedef struct msi_axis {
    /* set by the plot (msi_axis_init, then fields) */
    double lo, hi;            /* data values at the edges                                 */
    int log;                  /* logarithmic mapping (lo > 0)                             */
    int time;                 /* values in s; the unit (ns..s) follows the span           */
    int integer;              /* ticks at whole numbers only (unit indices)               */
    double label_offset;      /* added to values before printing (first_index)            */
    const char *name;         /* quantity, e.g. "time"; NULL = none                       */
    const char *unit;         /* SI unit symbol, e.g. "V"; NULL or "" = plain numbers     */
    int hide_labels;          /* ticks only: no numbers and no title (shared axes)        */
    size_t n_custom;          /* > 0: labelled positions instead of numbers               */
    int custom;               /* custom positions even when n_custom is 0 (none fit)      */
    const double *custom_pos;
    const char *const *custom_text;
    const size_t *custom_colour;  /* palette index per label; NULL = black                 */
    /* computed by layout */
    msi_ticks ticks;
    char text[MSI_MAX_TICKS][MSI_TICK_TEXT];
    int text_lines[MSI_MAX_TICKS]; /* custom x labels may wrap onto 2 lines                */
    char title[MSI_TITLE_TEXT];
} msi_axis;

typedef struct msi_axes {
    msi_axis x, y;
    msi_rect area;            /* data area (px), integral; frame is drawn just outside     */
    double left, right, top, bottom;  /* room the labels need around the area (px)        */
} msi_axes;

void msi_axis_init(msi_axis *a, double lo, double hi, const char *name, const char *unit);

/* Places one axes in outer: computes ticks, numbers and titles and the data area. */
void msi_axes_layout(msi_fig *f, msi_axes *ax, msi_rect outer);

/* Stacks n axes top to bottom in outer with heights in proportion to weights and a common
 * left edge, so their x axes line up. */
void msi_axes_layout_stack(msi_fig *f, msi_axes *const *axs, size_t n, const double *weights,
                           msi_rect outer);

/* Frame, ticks, numbers and titles. */
void msi_axes_draw(msi_fig *f, const msi_axes *ax);

/* Data -> device px. Log axes map log10(v); non-positive v maps to NaN. */
double msi_x_px(const msi_axes *ax, double v);
double msi_y_px(const msi_axes *ax, double v);

/* cairo_save + clip to the data area; pair with cairo_restore. */
void msi_axes_clip(msi_fig *f, const msi_axes *ax);

/* A grey message in the middle of the data area ("no spikes"). */
void msi_axes_message(msi_fig *f, const msi_axes *ax, const char *msg);

/* Automatic range of values: [lo, hi] widened by a small margin so lines do not run on the
 * frame; degenerate ranges are opened up around their value. log: multiplicative margin. */
void msi_range_pad(double *lo, double *hi, int log);

/* How an automatic end of a range is chosen from the data. */
typedef enum msi_range_mode {
    MSI_RANGE_EXACT,          /* the data's extremes (time axes of traces: the record)     */
    MSI_RANGE_NICE,           /* widened to round tick values (raster time axis)           */
    MSI_RANGE_PAD             /* widened by a small margin (values)                        */
} msi_range_mode;

/* Range of an axis from the user's ends (NaN = automatic) and the data's extremes [dmin, dmax]
 * (have = 0 when there are no data). Only automatic ends move; the result has hi > lo, and
 * lo > 0 when log. */
void msi_auto_range(double set_lo, double set_hi, int have, double dmin, double dmax,
                    msi_range_mode mode, int log, double *lo, double *hi);

/* ==== Series (series.c) ================================================================== */
/* Is v drawable on an axis (finite, and > 0 when log)? */
int msi_usable(double v, int log);

/* Strokes x[i], y[i] as one polyline in the current colour, width and dash; a point that is
 * not usable (NaN, or <= 0 on a log axis) breaks the line. abs_y plots |y| (log |I|). */
void msi_series_stroke(msi_fig *f, const msi_axes *ax, const double *x, const double *y,
                       size_t n, int abs_y);

/* A filled dot of radius r_px at every usable point. */
void msi_series_markers(msi_fig *f, const msi_axes *ax, const double *x, const double *y,
                        size_t n, int abs_y, double r_px);

/* Light lines at x = 0 and y = 0 when they fall inside a linear axes (I-V curves cross there). */
void msi_zero_lines(msi_fig *f, const msi_axes *ax);

/* ==== Legend (legend.c) ================================================================== */
typedef enum msi_key_kind {
    MSI_KEY_LINE,             /* line sample in the series' colour and dash               */
    MSI_KEY_PATCH,            /* filled square (bars)                                     */
    MSI_KEY_MARKER,           /* dot (scatter)                                            */
    MSI_KEY_LINE_MARKER
} msi_key_kind;

typedef struct msi_key {
    const char *label;
    size_t colour;            /* palette index; also selects the dash pattern             */
    msi_key_kind kind;
} msi_key;

/* Reserves a column at the right of f->free for the legend and returns its x (px). */
double msi_legend_reserve(msi_fig *f, const msi_key *keys, size_t n);

/* Draws the legend from (x, y) downwards within max_h px. */
void msi_legend_draw(msi_fig *f, double x, double y, double max_h, const msi_key *keys, size_t n);

#endif

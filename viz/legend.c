/* viz/legend.c: the key that names each colour. It sits in a column right of the axes, never
 * inside them, so it cannot cover data; entries that do not fit end in "+ N more". */
#include "viz/figure_impl.h"

#include <math.h>
#include <stdio.h>

#define ROW_HEIGHT   1.5    /* legend row, in tick font sizes                          */
#define TEXT_GAP     0.5    /* swatch to text, in tick font sizes                      */
#define PATCH_SIDE   0.9    /* filled square, in tick font sizes                       */
#define MARKER_R     3.5    /* dot radius (design px)                                  */

static double max_label_width(msi_fig *f)
{
    double fs = MSI_FONT_TICK * f->s;
    return MSI_LEGEND_MAX_FRAC * f->w - MSI_LEGEND_SWATCH * f->s - TEXT_GAP * fs;
}

double msi_legend_reserve(msi_fig *f, const msi_key *keys, size_t n)
{
    double fs = MSI_FONT_TICK * f->s, widest = 0.0;
    if (n == 0)
        return NAN;
    for (size_t i = 0; i < n; i++)
        widest = fmax(widest, msi_text_width(f, fs, keys[i].label ? keys[i].label : ""));
    widest = fmin(widest, max_label_width(f));
    double w = MSI_LEGEND_SWATCH * f->s + TEXT_GAP * fs + widest;
    double x = f->free.x + f->free.w - w;
    f->free.w -= w + MSI_PANEL_GAP * f->s;
    return x;
}

static void draw_swatch(msi_fig *f, double x, double cy, const msi_key *k)
{
    cairo_t *cr = f->cr;
    double s = f->s, fs = MSI_FONT_TICK * s, sw = MSI_LEGEND_SWATCH * s;
    msi_set_colour(cr, k->colour);
    if (k->kind == MSI_KEY_PATCH) {
        double side = PATCH_SIDE * fs;
        cairo_rectangle(cr, x + (sw - side) / 2, cy - side / 2, side, side);
        cairo_fill(cr);
        return;
    }
    if (k->kind == MSI_KEY_LINE || k->kind == MSI_KEY_LINE_MARKER) {
        cairo_set_line_width(cr, MSI_LINE_DATA * s);
        msi_set_dash(cr, k->colour, s);
        cairo_move_to(cr, x, cy);
        cairo_line_to(cr, x + sw, cy);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0.0);
    }
    if (k->kind == MSI_KEY_MARKER || k->kind == MSI_KEY_LINE_MARKER) {
        cairo_new_sub_path(cr);
        cairo_arc(cr, x + sw / 2, cy, MARKER_R * s, 0, 2 * 3.14159265358979323846);
        cairo_fill(cr);
    }
}

void msi_legend_draw(msi_fig *f, double x, double y, double max_h, const msi_key *keys, size_t n)
{
    double s = f->s, fs = MSI_FONT_TICK * s, row = ROW_HEIGHT * fs;
    char buf[MSI_TITLE_TEXT];
    if (n == 0 || isnan(x))
        return;
    if (f->names && keys == f->names + f->n_names) {
        f->n_names += n;  /* a second legend continuing the same key list (power) */
    } else {
        f->names = keys;
        f->n_names = n;
    }
    size_t fit = (size_t)fmax(1.0, floor(max_h / row));
    size_t shown = n <= fit ? n : fit - 1;
    cairo_save(f->cr);
    for (size_t i = 0; i < shown; i++) {
        double cy = y + row * ((double)i + 0.5);
        draw_swatch(f, x, cy, &keys[i]);
        cairo_set_source_rgb(f->cr, 0, 0, 0);
        msi_text_fit(f, fs, keys[i].label ? keys[i].label : "", max_label_width(f), buf,
                     sizeof buf);
        msi_text_draw(f, x + MSI_LEGEND_SWATCH * s + TEXT_GAP * fs, cy, fs, buf, 0.0, 0.5, 0.0);
    }
    if (shown < n) {
        snprintf(buf, sizeof buf, "+ %zu more", n - shown);
        cairo_set_source_rgb(f->cr, 0, 0, 0);
        msi_text_draw(f, x, y + row * ((double)shown + 0.5), fs, buf, 0.0, 0.5, 0.0);
    }
    cairo_restore(f->cr);
}

/* viz/heatmap.c: a grid of values as coloured cells with a colour bar: digits and their noisy
 * versions, error maps over two parameters. */
#include "viz/figure_impl.h"

#include <math.h>
#include <stdio.h>

#define BAR_W       18.0    /* design px: colour bar width                                 */
#define BAR_GAP     14.0    /* design px: gap between the axes and the bar                 */
#define BAR_TEXT    64.0    /* design px: room for the bar's numbers                       */
#define BAR_STEPS   128     /* slices of the colour bar                                    */

/* viridis at u = 0, 1/8, ..., 1 (matplotlib's _viridis_data, every 32nd entry) */
static const double VIRIDIS[9][3] = {
    { 0.267004, 0.004874, 0.329415 }, { 0.282623, 0.140926, 0.457517 }, { 0.253935, 0.265254, 0.529983 },
    { 0.206756, 0.371758, 0.553117 }, { 0.163625, 0.471133, 0.558148 }, { 0.127568, 0.566949, 0.550556 },
    { 0.134692, 0.658636, 0.517649 }, { 0.266941, 0.748751, 0.440573 }, { 0.993248, 0.906157, 0.143936 },
};

void ms_heatmap_colour(double u, int grey, double rgb[3])
{
    u = isnan(u) ? 0.0 : fmin(1.0, fmax(0.0, u));
    if (grey) {
        rgb[0] = rgb[1] = rgb[2] = 1.0 - u;
        return;
    }
    double p = u * 8.0;
    int i = (int)floor(p);
    if (i >= 8) i = 7;
    double f = p - i;
    for (int c = 0; c < 3; c++) rgb[c] = VIRIDIS[i][c] + f * (VIRIDIS[i + 1][c] - VIRIDIS[i][c]);
}

static ms_status check(const char *who, const ms_heatmap_data *d, ms_error *err)
{
    if (!d) return msi_error(err, MS_EINVAL, who, "no data given");
    if (d->n_rows == 0 || d->n_cols == 0)
        return msi_error(err, MS_EINVAL, who, "the grid is %zu x %zu: it needs at least one row and one column",
                         d->n_rows, d->n_cols);
    if (!d->values) return msi_error(err, MS_EINVAL, who, "values are NULL");
    if (!(d->x1 > d->x0) || !isfinite(d->x0) || !isfinite(d->x1))
        return msi_error(err, MS_EINVAL, who, "x edges %g .. %g must be finite and increasing", d->x0, d->x1);
    if (!(d->y1 > d->y0) || !isfinite(d->y0) || !isfinite(d->y1))
        return msi_error(err, MS_EINVAL, who, "y edges %g .. %g must be finite and increasing", d->y0, d->y1);
    for (size_t k = 0; k < d->n_rows * d->n_cols; k++)
        if (isinf(d->values[k]))
            return msi_error(err, MS_EINVAL, who, "value %zu (row %zu, column %zu) is infinite (NaN marks a blank cell)",
                             k + 1, k / d->n_cols + 1, k % d->n_cols + 1);
    if (!isnan(d->v_min) && !isnan(d->v_max) && !(d->v_max > d->v_min))
        return msi_error(err, MS_EINVAL, who, "colour range %g .. %g must be increasing", d->v_min, d->v_max);
    return MS_OK;
}

ms_status ms_plot_heatmap(const ms_heatmap_data *d, const ms_plot_opts *o, ms_error *err)
{
    const char *who = "heatmap";
    ms_status st = msi_opts_check(who, o, err);
    if (st != MS_OK || (st = check(who, d, err)) != MS_OK) return st;
    double vmin = INFINITY, vmax = -INFINITY;
    size_t n = d->n_rows * d->n_cols;
    for (size_t k = 0; k < n; k++)
        if (!isnan(d->values[k])) vmin = fmin(vmin, d->values[k]), vmax = fmax(vmax, d->values[k]);
    int have = vmin <= vmax;
    if (!isnan(d->v_min)) vmin = d->v_min;
    if (!isnan(d->v_max)) vmax = d->v_max;
    if (!have && isnan(d->v_min)) vmin = 0;
    if (!(vmax > vmin)) vmax = vmin + 1; /* one value: the bottom of the ramp */

    msi_fig f;
    if ((st = msi_fig_begin(&f, who, o, err)) != MS_OK) return st;
    msi_fig_title(&f);
    /* the colour bar's column at the right */
    double bar_room = (BAR_GAP + BAR_W + BAR_TEXT) * f.s;
    msi_rect outer = f.free;
    outer.w -= bar_room;
    msi_axes ax;
    msi_axis_init(&ax.x, d->x0, d->x1, o->xlabel, o->xunit);
    msi_axis_init(&ax.y, d->y0, d->y1, o->ylabel, o->yunit);
    /* Cell edges all whole (pixel or row numbers, the default 0..cols): whole ticks only. */
    ax.x.integer = msi_is_whole(d->x0) && msi_is_whole((d->x1 - d->x0) / (double)d->n_cols);
    ax.y.integer = msi_is_whole(d->y0) && msi_is_whole((d->y1 - d->y0) / (double)d->n_rows);
    msi_axes_layout(&f, &ax, outer);

    msi_axes_clip(&f, &ax);
    double cw = (d->x1 - d->x0) / (double)d->n_cols, ch = (d->y1 - d->y0) / (double)d->n_rows;
    for (size_t r = 0; r < d->n_rows; r++) {
        for (size_t c = 0; c < d->n_cols; c++) {
            double v = d->values[r * d->n_cols + c];
            if (isnan(v)) continue;
            double rgb[3];
            ms_heatmap_colour((v - vmin) / (vmax - vmin), d->grey, rgb);
            double xa = msi_x_px(&ax, d->x0 + c * cw), xb = msi_x_px(&ax, d->x0 + (c + 1) * cw);
            double ya = msi_y_px(&ax, d->y1 - r * ch), yb = msi_y_px(&ax, d->y1 - (r + 1) * ch);
            cairo_set_source_rgb(f.cr, rgb[0], rgb[1], rgb[2]);
            /* pixel-aligned edges, so neighbouring cells leave no seams */
            cairo_rectangle(f.cr, floor(xa), floor(ya), ceil(xb) - floor(xa), ceil(yb) - floor(ya));
            cairo_fill(f.cr);
        }
    }
    cairo_restore(f.cr);
    if (!have) msi_axes_message(&f, &ax, "no data");
    msi_axes_draw(&f, &ax);

    /* colour bar: v_max at the top, v_min at the bottom */
    double bx = ax.area.x + ax.area.w + BAR_GAP * f.s, by = ax.area.y, bw = BAR_W * f.s, bh = ax.area.h;
    for (int k = 0; k < BAR_STEPS; k++) {
        double rgb[3];
        ms_heatmap_colour(1.0 - (k + 0.5) / BAR_STEPS, d->grey, rgb);
        cairo_set_source_rgb(f.cr, rgb[0], rgb[1], rgb[2]);
        cairo_rectangle(f.cr, bx, by + bh * k / BAR_STEPS, bw, bh / BAR_STEPS + 1);
        cairo_fill(f.cr);
    }
    cairo_set_source_rgb(f.cr, 0, 0, 0);
    cairo_set_line_width(f.cr, MSI_LINE_FRAME * f.s);
    cairo_rectangle(f.cr, bx, by, bw, bh);
    cairo_stroke(f.cr);
    char lo[32], hi[32];
    snprintf(hi, sizeof hi, "%.3g", vmax);
    snprintf(lo, sizeof lo, "%.3g", vmin);
    double fs = MSI_FONT_TICK * f.s;
    msi_text_draw(&f, bx + bw + 4 * f.s, by, fs, hi, 0.0, 0.0, 0.0);
    msi_text_draw(&f, bx + bw + 4 * f.s, by + bh, fs, lo, 0.0, 1.0, 0.0);
    if (d->v_label && *d->v_label)
        msi_text_draw(&f, bx + bw + 4 * f.s, by + bh / 2, fs, d->v_label, 0.0, 0.5, 0.0);
    st = msi_fig_finish(&f, &ax);
    msi_fig_free(&f);
    return st;
}

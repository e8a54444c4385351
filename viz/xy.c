/* viz/xy.c: the general plot: several series as lines, dots or both, linear or log axes,
 * for sweeps such as power advantage against dendrite nonlinearity. */
#include "viz/figure_impl.h"

#include <math.h>
#include <stdio.h>

#define MARKER_R    3.5     /* design px */
#define MAX_KEYS    64      /* legend entries; more series still draw */

static ms_status check(const char *who, const ms_xy_data *d, const ms_plot_opts *o,
                       ms_error *err)
{
    if (!d || (d->n_series > 0 && !d->series))
        return msi_error(err, MS_EINVAL, who, "no series given");
    for (size_t k = 0; k < d->n_series; k++) {
        const ms_xy_series *s = &d->series[k];
        const char *name = s->label ? s->label : "";
        if (s->n_x != s->n_y)
            return msi_error(err, MS_EINVAL, who, "series %zu ('%s'): %zu x values but %zu y values",
                             k + 1, name, s->n_x, s->n_y);
        if (s->n_x > 0 && (!s->x || !s->y))
            return msi_error(err, MS_EINVAL, who, "series %zu ('%s'): arrays are NULL", k + 1,
                             name);
        if (s->style != MS_XY_LINES && s->style != MS_XY_POINTS && s->style != MS_XY_LINES_POINTS)
            return msi_error(err, MS_EINVAL, who, "series %zu ('%s'): unknown style %d", k + 1,
                             name, (int)s->style);
        for (size_t i = 0; i < s->n_x; i++) {
            if (isinf(s->x[i]) || isinf(s->y[i]))
                return msi_error(err, MS_EINVAL, who,
                                 "series %zu ('%s'): point %zu is infinite (NaN marks a gap)",
                                 k + 1, name, i + 1);
        }
    }
    if (o->log_x && !isnan(o->x_min) && !(o->x_min > 0.0))
        return msi_error(err, MS_EINVAL, who, "log_x needs x_min > 0, not %g", o->x_min);
    if (o->log_y && !isnan(o->y_min) && !(o->y_min > 0.0))
        return msi_error(err, MS_EINVAL, who, "log_y needs y_min > 0, not %g", o->y_min);
    return MS_OK;
}

static msi_key_kind key_kind(ms_xy_style st)
{
    switch (st) {
    case MS_XY_POINTS: return MSI_KEY_MARKER;
    case MS_XY_LINES_POINTS: return MSI_KEY_LINE_MARKER;
    default: return MSI_KEY_LINE;
    }
}

ms_status ms_plot_xy(const ms_xy_data *d, const ms_plot_opts *o, ms_error *err)
{
    const char *who = "xy";
    ms_status st = msi_opts_check(who, o, err);
    if (st != MS_OK || (st = check(who, d, o, err)) != MS_OK)
        return st;

    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    int x_whole = 1, y_whole = 1;  /* counts, indices: no tick between two whole numbers */
    for (size_t k = 0; k < d->n_series; k++) {
        const ms_xy_series *s = &d->series[k];
        for (size_t i = 0; i < s->n_x; i++) {
            if (!msi_usable(s->x[i], o->log_x) || !msi_usable(s->y[i], o->log_y))
                continue;
            x_whole &= msi_is_whole(s->x[i]);
            y_whole &= msi_is_whole(s->y[i]);
            xmin = fmin(xmin, s->x[i]);
            xmax = fmax(xmax, s->x[i]);
            ymin = fmin(ymin, s->y[i]);
            ymax = fmax(ymax, s->y[i]);
        }
    }
    int have = xmin <= xmax;
    double xlo, xhi, ylo, yhi;
    msi_auto_range(o->x_min, o->x_max, have, xmin, xmax, MSI_RANGE_PAD, o->log_x, &xlo, &xhi);
    msi_auto_range(o->y_min, o->y_max, have, ymin, ymax, MSI_RANGE_PAD, o->log_y, &ylo, &yhi);

    msi_fig f;
    if ((st = msi_fig_begin(&f, who, o, err)) != MS_OK)
        return st;
    msi_fig_title(&f);
    msi_key keys[MAX_KEYS];
    size_t nk = 0;
    for (size_t k = 0; k < d->n_series && nk < MAX_KEYS; k++) {
        if (d->series[k].label)
            keys[nk++] = (msi_key){d->series[k].label, k, key_kind(d->series[k].style)};
    }
    double lx = nk ? msi_legend_reserve(&f, keys, nk) : NAN;

    msi_axes ax;
    msi_axis_init(&ax.x, xlo, xhi, o->xlabel, o->xunit);
    msi_axis_init(&ax.y, ylo, yhi, o->ylabel, o->yunit);
    ax.x.log = o->log_x;
    ax.y.log = o->log_y;
    ax.x.integer = have && x_whole;
    ax.y.integer = have && y_whole;
    msi_axes_layout(&f, &ax, f.free);
    msi_zero_lines(&f, &ax);

    msi_axes_clip(&f, &ax);
    cairo_set_line_width(f.cr, MSI_LINE_DATA * f.s);
    for (size_t k = 0; k < d->n_series; k++) {
        const ms_xy_series *s = &d->series[k];
        msi_set_colour(f.cr, k);
        if (s->style != MS_XY_POINTS) {
            msi_set_dash(f.cr, k, f.s);
            msi_series_stroke(&f, &ax, s->x, s->y, s->n_x, 0);
            cairo_set_dash(f.cr, NULL, 0, 0.0);
        }
        if (s->style != MS_XY_LINES)
            msi_series_markers(&f, &ax, s->x, s->y, s->n_x, 0, MARKER_R * f.s);
    }
    cairo_restore(f.cr);
    if (!have)
        msi_axes_message(&f, &ax, "no data");
    msi_axes_draw(&f, &ax);
    msi_legend_draw(&f, lx, ax.area.y, ax.area.h, keys, nk);
    st = msi_fig_finish(&f, &ax);
    msi_fig_free(&f);
    return st;
}

/* viz/iv.c: current against voltage, with arrows for the sweep direction, so a memristor's
 * pinched hysteresis loop and a threshold switch's jump read as they do in papers; with
 * log_y the magnitude |I| goes on a log axis (the usual "butterfly" picture). */
#include "viz/figure_impl.h"

#include <math.h>
#include <stdio.h>

#define DEFAULT_ARROWS  6       /* per curve                                               */
#define ARROW_LEN       13.0    /* design px, tip to base                                  */
#define ARROW_WIDTH     10.0    /* design px, across the base                              */
#define SHORT_SEGMENT   2.0     /* px: direction is taken over a few samples instead       */
#define DIRECTION_SPAN  3       /* samples each side used for a short segment's direction  */
/* An automatic log |I| axis reaches at most this many decades below the largest |I|: a sweep
 * through 0 V has samples at |I| ~ 1e-24 A (rounding of sin(pi)) that would squash the loop. */
#define LOG_DECADES_AUTO 9.0

typedef struct pt {
    double x, y;
    int ok;
} pt;

static pt point(const msi_axes *ax, const ms_iv_curve *c, size_t i)
{
    double y = ax->y.log ? fabs(c->i_A[i]) : c->i_A[i];
    pt p = {0.0, 0.0, msi_usable(c->v_V[i], 0) && msi_usable(y, ax->y.log)};
    if (p.ok) {
        p.x = msi_x_px(ax, c->v_V[i]);
        p.y = msi_y_px(ax, y);
    }
    return p;
}

static void arrow_at(cairo_t *cr, double x, double y, double dx, double dy, double s)
{
    double len = hypot(dx, dy);
    if (!(len > 0.0))
        return;
    dx /= len;
    dy /= len;
    double l = ARROW_LEN * s, w = ARROW_WIDTH * s;
    cairo_move_to(cr, x + dx * l / 2, y + dy * l / 2);
    cairo_line_to(cr, x - dx * l / 2 - dy * w / 2, y - dy * l / 2 + dx * w / 2);
    cairo_line_to(cr, x - dx * l / 2 + dy * w / 2, y - dy * l / 2 - dx * w / 2);
    cairo_close_path(cr);
}

/* Arrows at equal arc lengths (in pixels) along the curve, pointing in sample order. Two
 * passes over the samples, no allocation: one for the length, one to place the arrows. */
static void draw_arrows(msi_fig *f, const msi_axes *ax, const ms_iv_curve *c, int n_arrows)
{
    double total = 0.0;
    for (size_t i = 1; i < c->n_v; i++) {
        pt a = point(ax, c, i - 1), b = point(ax, c, i);
        if (a.ok && b.ok)
            total += hypot(b.x - a.x, b.y - a.y);
    }
    if (!(total > 0.0) || n_arrows <= 0)
        return;
    double acc = 0.0;
    int next = 0;
    for (size_t i = 1; i < c->n_v && next < n_arrows; i++) {
        pt a = point(ax, c, i - 1), b = point(ax, c, i);
        if (!a.ok || !b.ok)
            continue;
        double seg = hypot(b.x - a.x, b.y - a.y);
        while (next < n_arrows && acc + seg >= (next + 0.5) * total / n_arrows) {
            double u = seg > 0.0 ? ((next + 0.5) * total / n_arrows - acc) / seg : 0.0;
            double x = a.x + u * (b.x - a.x), y = a.y + u * (b.y - a.y);
            double dx = b.x - a.x, dy = b.y - a.y;
            if (seg < SHORT_SEGMENT * f->s) {
                size_t lo = i > DIRECTION_SPAN ? i - DIRECTION_SPAN : 0;
                size_t hi = i + DIRECTION_SPAN < c->n_v ? i + DIRECTION_SPAN : c->n_v - 1;
                pt pl = point(ax, c, lo), ph = point(ax, c, hi);
                if (pl.ok && ph.ok) {
                    dx = ph.x - pl.x;
                    dy = ph.y - pl.y;
                }
            }
            int inside = x >= ax->area.x && x <= ax->area.x + ax->area.w && y >= ax->area.y &&
                         y <= ax->area.y + ax->area.h;
            if (inside)
                arrow_at(f->cr, x, y, dx, dy, f->s);
            next++;
        }
        acc += seg;
    }
    cairo_fill(f->cr);
}

static ms_status check(const char *who, const ms_iv_data *d, const ms_plot_opts *o,
                       ms_error *err)
{
    if (!d || (d->n_curves > 0 && !d->curves))
        return msi_error(err, MS_EINVAL, who, "no curves given");
    for (size_t k = 0; k < d->n_curves; k++) {
        const ms_iv_curve *c = &d->curves[k];
        const char *name = c->label ? c->label : "";
        if (c->n_v != c->n_i)
            return msi_error(err, MS_EINVAL, who, "curve %zu ('%s'): %zu voltages but %zu currents",
                             k + 1, name, c->n_v, c->n_i);
        if (c->n_v > 0 && (!c->v_V || !c->i_A))
            return msi_error(err, MS_EINVAL, who, "curve %zu ('%s'): arrays are NULL", k + 1,
                             name);
        for (size_t i = 0; i < c->n_v; i++) {
            if (isinf(c->v_V[i]) || isinf(c->i_A[i]))
                return msi_error(err, MS_EINVAL, who,
                                 "curve %zu ('%s'): sample %zu is infinite (NaN marks a gap)",
                                 k + 1, name, i + 1);
        }
    }
    if (o->log_y && !isnan(o->y_min) && !(o->y_min > 0.0))
        return msi_error(err, MS_EINVAL, who, "log_y needs y_min > 0 (|I| in A), not %g",
                         o->y_min);
    return MS_OK;
}

ms_status ms_plot_iv(const ms_iv_data *d, const ms_plot_opts *o, ms_error *err)
{
    const char *who = "iv";
    ms_status st = msi_opts_check(who, o, err);
    if (st != MS_OK || (st = check(who, d, o, err)) != MS_OK)
        return st;

    double vmin = INFINITY, vmax = -INFINITY, imin = INFINITY, imax = -INFINITY;
    for (size_t k = 0; k < d->n_curves; k++) {
        const ms_iv_curve *c = &d->curves[k];
        for (size_t i = 0; i < c->n_v; i++) {
            double y = o->log_y ? fabs(c->i_A[i]) : c->i_A[i];
            if (!msi_usable(c->v_V[i], 0) || !msi_usable(y, o->log_y))
                continue;
            vmin = fmin(vmin, c->v_V[i]);
            vmax = fmax(vmax, c->v_V[i]);
            imin = fmin(imin, y);
            imax = fmax(imax, y);
        }
    }
    int have = vmin <= vmax;
    double xlo, xhi, ylo, yhi;
    msi_auto_range(o->x_min, o->x_max, have, vmin, vmax, MSI_RANGE_PAD, 0, &xlo, &xhi);
    if (o->log_y && have)
        imin = fmax(imin, imax * pow(10.0, -LOG_DECADES_AUTO));
    msi_auto_range(o->y_min, o->y_max, have, imin, imax, MSI_RANGE_PAD, o->log_y, &ylo, &yhi);

    msi_fig f;
    if ((st = msi_fig_begin(&f, who, o, err)) != MS_OK)
        return st;
    msi_fig_title(&f);
    msi_key keys[MS_PLOT_PALETTE_SIZE * 4];
    size_t nk = 0;
    for (size_t k = 0; k < d->n_curves && nk < sizeof keys / sizeof keys[0]; k++) {
        if (d->curves[k].label)
            keys[nk++] = (msi_key){d->curves[k].label, k, MSI_KEY_LINE};
    }
    double lx = nk ? msi_legend_reserve(&f, keys, nk) : NAN;

    msi_axes ax;
    msi_axis_init(&ax.x, xlo, xhi, o->xlabel ? o->xlabel : "voltage", "V");
    msi_axis_init(&ax.y, ylo, yhi, o->ylabel ? o->ylabel : (o->log_y ? "|current|" : "current"),
                  "A");
    ax.y.log = o->log_y;
    msi_axes_layout(&f, &ax, f.free);
    msi_zero_lines(&f, &ax);

    int n_arrows = d->arrows == 0 ? DEFAULT_ARROWS : d->arrows;
    msi_axes_clip(&f, &ax);
    cairo_set_line_width(f.cr, MSI_LINE_DATA * f.s);
    for (size_t k = 0; k < d->n_curves; k++) {
        const ms_iv_curve *c = &d->curves[k];
        msi_set_colour(f.cr, k);
        msi_set_dash(f.cr, k, f.s);
        msi_series_stroke(&f, &ax, c->v_V, c->i_A, c->n_v, o->log_y);
        cairo_set_dash(f.cr, NULL, 0, 0.0);
        draw_arrows(&f, &ax, c, n_arrows);
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

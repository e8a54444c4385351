/* viz/traces.c: recorded state variables against time: several units in one axes, one
 * colour each, with a legend and the unit (with SI prefix) on the value axis.
 *
 * Why decimate: a trace recorded every 0.1 ms for 100 s has 10^6 samples, far more than the
 * ~1000 pixel columns that show it. Per column the path keeps the first, lowest, highest and
 * last sample (in time order), which draws the same picture, spikes included, with at most
 * four points per column. */
#include "viz/figure_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define POINTS_PER_COLUMN 4      /* below this density the samples are drawn as they are */
#define MAX_LEGEND_LABEL  64

/* Per pixel column: the samples that survive decimation. */
typedef struct column {
    size_t first, lo, hi, last;
    int used;
} column;

static int usable(double v, int log)
{
    return isfinite(v) && (!log || v > 0.0);
}

static void emit(cairo_t *cr, const msi_axes *ax, double t, double v, int *pen_down)
{
    double x = msi_x_px(ax, t), y = msi_y_px(ax, v);
    if (*pen_down)
        cairo_line_to(cr, x, y);
    else
        cairo_move_to(cr, x, y);
    *pen_down = 1;
}

static void flush_column(cairo_t *cr, const msi_axes *ax, const double *t, const double *v,
                         column *c, int *pen_down)
{
    if (!c->used)
        return;
    size_t a = c->lo < c->hi ? c->lo : c->hi, b = c->lo < c->hi ? c->hi : c->lo;
    emit(cr, ax, t[c->first], v[c->first], pen_down);
    if (a != c->first)
        emit(cr, ax, t[a], v[a], pen_down);
    if (b != a && b != c->first)
        emit(cr, ax, t[b], v[b], pen_down);
    if (c->last != b && c->last != c->first)
        emit(cr, ax, t[c->last], v[c->last], pen_down);
    c->used = 0;
}

/* Strokes one trace over the window [i0, i1) of samples, breaking the line at gaps. */
static void stroke_trace(msi_fig *f, const msi_axes *ax, const double *t, const double *v,
                         size_t i0, size_t i1)
{
    cairo_t *cr = f->cr;
    int log = ax->y.log, pen_down = 0;
    if (i1 - i0 <= POINTS_PER_COLUMN * (size_t)ax->area.w) {
        for (size_t i = i0; i < i1; i++) {
            if (usable(v[i], log))
                emit(cr, ax, t[i], v[i], &pen_down);
            else
                pen_down = 0;
        }
        cairo_stroke(cr);
        return;
    }
    column c = {0, 0, 0, 0, 0};
    long col = -1;
    for (size_t i = i0; i < i1; i++) {
        if (!usable(v[i], log)) {
            flush_column(cr, ax, t, v, &c, &pen_down);
            pen_down = 0;
            continue;
        }
        long k = (long)floor(msi_x_px(ax, t[i]));
        if (k != col || !c.used) {
            flush_column(cr, ax, t, v, &c, &pen_down);
            c = (column){i, i, i, i, 1};
            col = k;
            continue;
        }
        if (v[i] < v[c.lo])
            c.lo = i;
        if (v[i] > v[c.hi])
            c.hi = i;
        c.last = i;
    }
    flush_column(cr, ax, t, v, &c, &pen_down);
    cairo_stroke(cr);
}

static ms_status check(const char *who, const ms_traces_data *d, const ms_plot_opts *o,
                       ms_error *err)
{
    if (!d)
        return msi_error(err, MS_EINVAL, who, "no data given");
    if (d->n_traces > 0 && !d->traces)
        return msi_error(err, MS_EINVAL, who, "%zu traces but no trace array", d->n_traces);
    if (d->n_t > 0 && !d->t_s)
        return msi_error(err, MS_EINVAL, who, "%zu samples but no time array", d->n_t);
    for (size_t i = 0; i < d->n_t; i++) {
        if (!isfinite(d->t_s[i]))
            return msi_error(err, MS_EINVAL, who, "time %zu is %g (must be finite)", i + 1,
                             d->t_s[i]);
        if (i > 0 && d->t_s[i] < d->t_s[i - 1])
            return msi_error(err, MS_EINVAL, who,
                             "time %zu (%g s) is before time %zu (%g s): times must not decrease",
                             i + 1, d->t_s[i], i, d->t_s[i - 1]);
    }
    for (size_t k = 0; k < d->n_traces; k++) {
        const ms_trace *tr = &d->traces[k];
        const char *name = tr->label ? tr->label : "";
        if (tr->n != d->n_t)
            return msi_error(err, MS_EINVAL, who,
                             "trace %zu ('%s') has %zu values but there are %zu times", k + 1,
                             name, tr->n, d->n_t);
        if (tr->n > 0 && !tr->values)
            return msi_error(err, MS_EINVAL, who, "trace %zu ('%s'): values are NULL", k + 1,
                             name);
        for (size_t i = 0; i < tr->n; i++) {
            if (isinf(tr->values[i]))
                return msi_error(err, MS_EINVAL, who,
                                 "trace %zu ('%s'): value %zu is infinite (NaN marks a gap)",
                                 k + 1, name, i + 1);
        }
    }
    if (o->log_y && !isnan(o->y_min) && !(o->y_min > 0.0))
        return msi_error(err, MS_EINVAL, who, "log_y needs y_min > 0, not %g", o->y_min);
    return MS_OK;
}

ms_status ms_plot_traces(const ms_traces_data *d, const ms_plot_opts *o, ms_error *err)
{
    const char *who = "traces";
    ms_status st = msi_opts_check(who, o, err);
    if (st != MS_OK || (st = check(who, d, o, err)) != MS_OK)
        return st;

    size_t n = d->n_t;
    double lo, hi, vmin = INFINITY, vmax = -INFINITY;
    int whole = 1;  /* every shown value a whole number (counts): whole ticks on y */
    msi_auto_range(o->t0_s, o->t1_s, n > 0, n ? d->t_s[0] : 0.0, n ? d->t_s[n - 1] : 0.0,
                   MSI_RANGE_EXACT, 0, &lo, &hi);
    /* Samples inside the window, plus one on each side so lines run to the frame. */
    size_t i0 = 0, i1 = n;
    while (i0 < n && d->t_s[i0] < lo)
        i0++;
    while (i1 > i0 && d->t_s[i1 - 1] > hi)
        i1--;
    size_t in0 = i0, in1 = i1;
    i0 = i0 > 0 ? i0 - 1 : 0;
    i1 = i1 < n ? i1 + 1 : n;
    for (size_t k = 0; k < d->n_traces; k++) {
        for (size_t i = in0; i < in1; i++) {
            double v = d->traces[k].values[i];
            if (usable(v, o->log_y)) {
                whole &= msi_is_whole(v);
                vmin = fmin(vmin, v);
                vmax = fmax(vmax, v);
            }
        }
    }
    int have = vmin <= vmax;
    double ylo, yhi;
    msi_auto_range(o->y_min, o->y_max, have, vmin, vmax, MSI_RANGE_PAD, o->log_y, &ylo, &yhi);

    msi_fig f;
    if ((st = msi_fig_begin(&f, who, o, err)) != MS_OK)
        return st;
    msi_fig_title(&f);

    /* Legend: named traces, or numbered ones when there are several. */
    size_t nk = d->n_traces;
    msi_key *keys = nk ? calloc(nk, sizeof *keys) : NULL;
    char (*names)[MAX_LEGEND_LABEL] = nk ? calloc(nk, sizeof *names) : NULL;
    if (nk && (!keys || !names)) {
        st = msi_error(err, MS_ENOMEM, who, "out of memory for %zu legend entries", nk);
        goto done;
    }
    int any_label = 0;
    for (size_t k = 0; k < nk; k++)
        any_label |= d->traces[k].label != NULL;
    for (size_t k = 0; k < nk; k++) {
        if (d->traces[k].label)
            snprintf(names[k], MAX_LEGEND_LABEL, "%s", d->traces[k].label);
        else
            snprintf(names[k], MAX_LEGEND_LABEL, "trace %zu", k + 1);
        keys[k] = (msi_key){names[k], k, MSI_KEY_LINE};
    }
    int legend = nk > 1 || any_label;
    double lx = legend ? msi_legend_reserve(&f, keys, nk) : NAN;

    msi_axes ax;
    msi_axis_init(&ax.x, lo, hi, o->xlabel ? o->xlabel : "time", "s");
    ax.x.time = 1;
    msi_axis_init(&ax.y, ylo, yhi, o->ylabel ? o->ylabel : "value", o->yunit);
    ax.y.log = o->log_y;
    ax.y.integer = have && whole;
    msi_axes_layout(&f, &ax, f.free);

    msi_axes_clip(&f, &ax);
    cairo_set_line_width(f.cr, MSI_LINE_DATA * f.s);
    for (size_t k = 0; k < nk && in1 > in0; k++) {
        msi_set_colour(f.cr, k);
        msi_set_dash(f.cr, k, f.s);
        stroke_trace(&f, &ax, d->t_s, d->traces[k].values, i0, i1);
    }
    cairo_set_dash(f.cr, NULL, 0, 0.0);
    cairo_restore(f.cr);
    if (!have)
        msi_axes_message(&f, &ax, nk == 0 ? "no traces" : "no samples");
    msi_axes_draw(&f, &ax);
    if (legend)
        msi_legend_draw(&f, lx, ax.area.y, ax.area.h, keys, nk);
    st = msi_fig_finish(&f, &ax);
done:
    free(keys);
    free(names);
    msi_fig_free(&f);
    return st;
}

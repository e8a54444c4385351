/* viz/series.c: drawing sampled curves: polylines broken at gaps, dots, and the zero lines
 * that curves through the origin are read against. Shared by the I-V and xy plots. */
#include "viz/figure_impl.h"

#include <math.h>

#define ZERO_LINE_GREY 0.75
#define TWO_PI         6.28318530717958647692

int msi_usable(double v, int log)
{
    return isfinite(v) && (!log || v > 0.0);
}

void msi_series_stroke(msi_fig *f, const msi_axes *ax, const double *x, const double *y,
                       size_t n, int abs_y)
{
    cairo_t *cr = f->cr;
    int pen = 0;
    for (size_t i = 0; i < n; i++) {
        double yv = abs_y ? fabs(y[i]) : y[i];
        if (!msi_usable(x[i], ax->x.log) || !msi_usable(yv, ax->y.log)) {
            pen = 0;
            continue;
        }
        double px = msi_x_px(ax, x[i]), py = msi_y_px(ax, yv);
        if (pen)
            cairo_line_to(cr, px, py);
        else
            cairo_move_to(cr, px, py);
        pen = 1;
    }
    cairo_stroke(cr);
}

void msi_series_markers(msi_fig *f, const msi_axes *ax, const double *x, const double *y,
                        size_t n, int abs_y, double r_px)
{
    cairo_t *cr = f->cr;
    for (size_t i = 0; i < n; i++) {
        double yv = abs_y ? fabs(y[i]) : y[i];
        if (!msi_usable(x[i], ax->x.log) || !msi_usable(yv, ax->y.log))
            continue;
        cairo_new_sub_path(cr);
        cairo_arc(cr, msi_x_px(ax, x[i]), msi_y_px(ax, yv), r_px, 0.0, TWO_PI);
    }
    cairo_fill(cr);
}

void msi_zero_lines(msi_fig *f, const msi_axes *ax)
{
    cairo_t *cr = f->cr;
    double lw = fmax(1.0, round(MSI_LINE_FRAME * f->s));
    cairo_save(cr);
    cairo_set_source_rgb(cr, ZERO_LINE_GREY, ZERO_LINE_GREY, ZERO_LINE_GREY);
    cairo_set_line_width(cr, lw);
    if (!ax->x.log && ax->x.lo < 0.0 && ax->x.hi > 0.0) {
        double x = floor(msi_x_px(ax, 0.0)) + 0.5 * lw;
        cairo_move_to(cr, x, ax->area.y);
        cairo_line_to(cr, x, ax->area.y + ax->area.h);
    }
    if (!ax->y.log && ax->y.lo < 0.0 && ax->y.hi > 0.0) {
        double y = floor(msi_y_px(ax, 0.0)) + 0.5 * lw;
        cairo_move_to(cr, ax->area.x, y);
        cairo_line_to(cr, ax->area.x + ax->area.w, y);
    }
    cairo_stroke(cr);
    cairo_restore(cr);
}

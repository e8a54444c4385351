/* viz/power.c: energy tallies side by side (one stacked bar per tally, one colour per ledger
 * class, the total and the ratio to the first bar written on the figure) and, when energy was
 * recorded per time bin, a second panel with power = bin energy / bin width against time. */
#include "viz/figure_impl.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_TALLIES       16      /* bars on one figure                                    */
#define MAX_CLASSES       16      /* distinct ledger classes over all tallies              */
#define BAR_FILL          0.6     /* bar width as a share of its slot                      */
#define BAR_MAX_W         160.0   /* design px: a lone bar stays a bar, not a wall          */
#define BARS_WEIGHT       1.15    /* bars : time panel heights                             */
#define TIME_WEIGHT       1.0
#define NOTE_LINES        2.6     /* room above the tallest bar for total and ratio, in note font sizes */
#define AREA_SHARE_GUESS  0.8     /* data area / panel height, before layout says exactly  */
#define LOG_DECADES_MAX   6.0     /* a log axis shows at most this many decades below the top */
#define MAX_LABEL         64

typedef struct power_layout {
    size_t nc;                              /* distinct classes                            */
    const char *cls[MAX_CLASSES];           /* their names, in order of first appearance   */
    double e[MAX_TALLIES][MAX_CLASSES];     /* energy of class j in tally k (J)            */
    double total[MAX_TALLIES];
    char label[MAX_TALLIES][MAX_LABEL];
    const char *label_ptr[MAX_TALLIES];
    double pos[MAX_TALLIES];                /* bar centres, x data coordinate              */
    int has_bins;
} power_layout;

static ms_status check_tally(const char *who, const ms_energy_tally *t, size_t k, ms_error *err)
{
    const char *name = t->label ? t->label : "";
    if (t->n_classes > 0 && (!t->class_names || !t->class_J))
        return msi_error(err, MS_EINVAL, who, "tally %zu ('%s'): class arrays are NULL", k + 1,
                         name);
    for (size_t j = 0; j < t->n_classes; j++) {
        if (!t->class_names[j] || !t->class_names[j][0])
            return msi_error(err, MS_EINVAL, who, "tally %zu ('%s'): class %zu has no name",
                             k + 1, name, j + 1);
        if (!isfinite(t->class_J[j]) || t->class_J[j] < 0.0)
            return msi_error(err, MS_EINVAL, who,
                             "tally %zu ('%s'): class '%s' has energy %g J (must be finite, >= 0)",
                             k + 1, name, t->class_names[j], t->class_J[j]);
    }
    if (t->n_bins == 0 && t->n_edges == 0)
        return MS_OK;
    if (t->n_edges != t->n_bins + 1)
        return msi_error(err, MS_EINVAL, who,
                         "tally %zu ('%s'): %zu bin edges for %zu bins (need bins + 1)", k + 1,
                         name, t->n_edges, t->n_bins);
    if (!t->edges_s || !t->bin_J)
        return msi_error(err, MS_EINVAL, who, "tally %zu ('%s'): bin arrays are NULL", k + 1,
                         name);
    for (size_t i = 0; i < t->n_edges; i++) {
        if (!isfinite(t->edges_s[i]) || (i > 0 && !(t->edges_s[i] > t->edges_s[i - 1])))
            return msi_error(err, MS_EINVAL, who,
                             "tally %zu ('%s'): bin edges must be finite and increasing (edge %zu is %g s)",
                             k + 1, name, i + 1, t->edges_s[i]);
    }
    for (size_t i = 0; i < t->n_bins; i++) {
        if (!isfinite(t->bin_J[i]) || t->bin_J[i] < 0.0)
            return msi_error(err, MS_EINVAL, who,
                             "tally %zu ('%s'): bin %zu has energy %g J (must be finite, >= 0)",
                             k + 1, name, i + 1, t->bin_J[i]);
    }
    return MS_OK;
}

/* Gathers the classes of all tallies into one list, matched by name. */
static ms_status collect(const char *who, const ms_power_data *d, power_layout *L, ms_error *err)
{
    memset(L, 0, sizeof *L);
    for (size_t k = 0; k < d->n_tallies; k++) {
        const ms_energy_tally *t = &d->tallies[k];
        if (t->label)
            snprintf(L->label[k], MAX_LABEL, "%s", t->label);
        else
            snprintf(L->label[k], MAX_LABEL, "tally %zu", k + 1);
        L->label_ptr[k] = L->label[k];
        L->pos[k] = (double)k;
        L->has_bins |= t->n_bins > 0;
        for (size_t j = 0; j < t->n_classes; j++) {
            size_t c = 0;
            while (c < L->nc && strcmp(L->cls[c], t->class_names[j]) != 0)
                c++;
            if (c == L->nc) {
                if (L->nc == MAX_CLASSES)
                    return msi_error(err, MS_EINVAL, who, "more than %d energy classes",
                                     MAX_CLASSES);
                L->cls[L->nc++] = t->class_names[j];
            }
            L->e[k][c] += t->class_J[j];
            L->total[k] += t->class_J[j];
        }
    }
    return MS_OK;
}

/* Energy axis: from 0 (or a few decades below the top on a log axis) to above the tallest
 * bar, leaving NOTE_LINES of text room for its total and ratio. */
static void energy_range(msi_fig *f, const power_layout *L, size_t n, double panel_h, double *lo,
                         double *hi)
{
    const ms_plot_opts *o = f->o;
    double top = 0.0, small = INFINITY;
    for (size_t k = 0; k < n; k++) {
        top = fmax(top, L->total[k]);
        for (size_t j = 0; j < L->nc; j++) {
            if (L->e[k][j] > 0.0)
                small = fmin(small, L->e[k][j]);
        }
    }
    double room = NOTE_LINES * MSI_FONT_NOTE * f->s / fmax(1.0, panel_h * AREA_SHARE_GUESS);
    room = fmin(room, 0.5);
    if (!o->log_y) {
        double a = 0.0, b = top > 0.0 ? top / (1.0 - room) : 1.0;
        msi_range_nice(&a, &b, 6);
        *lo = isnan(o->y_min) ? a : o->y_min;
        *hi = isnan(o->y_max) ? b : o->y_max;
    } else {
        if (!(top > 0.0)) {
            top = 1.0;
            small = 0.1;
        }
        double a = fmax(small, top * pow(10.0, -LOG_DECADES_MAX));
        a = msi_pow10((int)floor(log10(a) + 1e-9));
        double span = log10(top) - log10(a);
        double b = msi_pow10((int)ceil(log10(top) + span * room / (1.0 - room) - 1e-9));
        *lo = isnan(o->y_min) ? a : o->y_min;
        *hi = isnan(o->y_max) ? b : o->y_max;
    }
    if (!(*hi > *lo))
        *hi = o->log_y ? *lo * 10.0 : *lo + 1.0;
}

static void draw_bars(msi_fig *f, const msi_axes *ax, const power_layout *L, size_t n)
{
    cairo_t *cr = f->cr;
    double s = f->s, slot = ax->area.w / (double)n;
    double bw = fmin(BAR_FILL * slot, BAR_MAX_W * s), fn = MSI_FONT_NOTE * s;
    char buf[64];
    msi_axes_clip(f, ax);
    for (size_t k = 0; k < n; k++) {
        double xc = msi_x_px(ax, L->pos[k]), cum = 0.0;
        for (size_t j = 0; j < L->nc; j++) {
            double v = L->e[k][j];
            if (!(v > 0.0))
                continue;
            double y0 = cum > 0.0 || !ax->y.log ? msi_y_px(ax, cum) : ax->area.y + ax->area.h;
            double y1 = msi_y_px(ax, cum + v);
            if (y0 > ax->area.y + ax->area.h)
                y0 = ax->area.y + ax->area.h;
            msi_set_colour(cr, j);
            cairo_rectangle(cr, round(xc - bw / 2), round(y1), round(bw), round(y0) - round(y1));
            cairo_fill(cr);
            cum += v;
        }
    }
    cairo_restore(cr);
    /* Totals and ratios above the bars (outside the clip: they may reach into the top room). */
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (size_t k = 0; k < n; k++) {
        double xc = msi_x_px(ax, L->pos[k]);
        double ytop = L->total[k] > 0.0 ? msi_y_px(ax, L->total[k]) : ax->area.y + ax->area.h;
        if (!isfinite(ytop) || ytop > ax->area.y + ax->area.h)
            ytop = ax->area.y + ax->area.h;
        /* a bar cut by a user's y_max keeps its labels inside the axes, clear of the title */
        if (ytop < ax->area.y + NOTE_LINES * fn)
            ytop = ax->area.y + NOTE_LINES * fn;
        double y = ytop - 0.35 * fn;
        msi_format_si(L->total[k], "J", 3, buf, sizeof buf);
        msi_text_draw(f, xc, y, fn, buf, 0.5, 1.0, 0.0);
        if (k > 0 && L->total[0] > 0.0) {
            snprintf(buf, sizeof buf, "\xc3\x97%.3g", L->total[k] / L->total[0]);
            msi_text_draw(f, xc, y - 1.2 * fn, fn, buf, 0.5, 1.0, 0.0);
        }
    }
}

/* Power per bin as a step line, one per tally that has bins. */
static void draw_power(msi_fig *f, const msi_axes *ax, const ms_power_data *d, size_t colour0)
{
    cairo_t *cr = f->cr;
    msi_axes_clip(f, ax);
    cairo_set_line_width(cr, MSI_LINE_DATA * f->s);
    for (size_t k = 0; k < d->n_tallies; k++) {
        const ms_energy_tally *t = &d->tallies[k];
        int pen = 0;
        for (size_t i = 0; i < t->n_bins; i++) {
            double p = t->bin_J[i] / (t->edges_s[i + 1] - t->edges_s[i]);
            double xa = msi_x_px(ax, t->edges_s[i]), xb = msi_x_px(ax, t->edges_s[i + 1]);
            double y = msi_y_px(ax, p);
            if (!isfinite(y)) {  /* zero power on a log axis: a gap */
                pen = 0;
                continue;
            }
            if (pen)
                cairo_line_to(cr, xa, y);
            else
                cairo_move_to(cr, xa, y);
            cairo_line_to(cr, xb, y);
            pen = 1;
        }
        msi_set_colour(cr, colour0 + k);
        msi_set_dash(cr, colour0 + k, f->s);
        cairo_stroke(cr);
    }
    cairo_set_dash(cr, NULL, 0, 0.0);
    cairo_restore(cr);
}

static void power_range(const ms_power_data *d, const ms_plot_opts *o, double *tlo, double *thi,
                        double *plo, double *phi)
{
    double t0 = INFINITY, t1 = -INFINITY, p0 = INFINITY, p1 = -INFINITY;
    for (size_t k = 0; k < d->n_tallies; k++) {
        const ms_energy_tally *t = &d->tallies[k];
        if (t->n_bins == 0)
            continue;
        t0 = fmin(t0, t->edges_s[0]);
        t1 = fmax(t1, t->edges_s[t->n_bins]);
    }
    msi_auto_range(o->t0_s, o->t1_s, t1 > t0, t0, t1, MSI_RANGE_EXACT, 0, tlo, thi);
    for (size_t k = 0; k < d->n_tallies; k++) {
        const ms_energy_tally *t = &d->tallies[k];
        for (size_t i = 0; i < t->n_bins; i++) {
            double p = t->bin_J[i] / (t->edges_s[i + 1] - t->edges_s[i]);
            if (t->edges_s[i + 1] < *tlo || t->edges_s[i] > *thi || (o->log_y && !(p > 0.0)))
                continue;
            p0 = fmin(p0, p);
            p1 = fmax(p1, p);
        }
    }
    if (!o->log_y && p1 >= p0)
        p0 = 0.0;  /* power bars start at zero, like the energy bars */
    msi_auto_range(NAN, NAN, p1 >= p0, p0, p1, MSI_RANGE_PAD, o->log_y, plo, phi);
    if (!o->log_y)
        *plo = 0.0;
}

ms_status ms_plot_power(const ms_power_data *d, const ms_plot_opts *o, ms_error *err)
{
    const char *who = "power";
    power_layout L;
    ms_status st = msi_opts_check(who, o, err);
    if (st != MS_OK)
        return st;
    if (!d || (d->n_tallies > 0 && !d->tallies))
        return msi_error(err, MS_EINVAL, who, "no tallies given");
    if (d->n_tallies > MAX_TALLIES)
        return msi_error(err, MS_EINVAL, who, "%zu tallies, at most %d", d->n_tallies,
                         MAX_TALLIES);
    if (o->log_y && !isnan(o->y_min) && !(o->y_min > 0.0))
        return msi_error(err, MS_EINVAL, who, "log_y needs y_min > 0, not %g", o->y_min);
    for (size_t k = 0; k < d->n_tallies; k++) {
        if ((st = check_tally(who, &d->tallies[k], k, err)) != MS_OK)
            return st;
    }
    if ((st = collect(who, d, &L, err)) != MS_OK)
        return st;
    size_t n = d->n_tallies;

    msi_fig f;
    if ((st = msi_fig_begin(&f, who, o, err)) != MS_OK)
        return st;
    msi_fig_title(&f);

    /* One legend column: the classes (for the bars), then the tallies (for the time panel). */
    msi_key keys[MAX_CLASSES + MAX_TALLIES];
    size_t nk = 0;
    for (size_t j = 0; j < L.nc; j++)
        keys[nk++] = (msi_key){L.cls[j], j, MSI_KEY_PATCH};
    size_t nclass_keys = nk;
    for (size_t k = 0; k < n && L.has_bins; k++) {
        if (d->tallies[k].n_bins > 0)
            keys[nk++] = (msi_key){L.label[k], L.nc + k, MSI_KEY_LINE};
    }
    double lx = nk ? msi_legend_reserve(&f, keys, nk) : NAN;

    msi_axes bars, tp;
    double panel_h = L.has_bins ? f.free.h * BARS_WEIGHT / (BARS_WEIGHT + TIME_WEIGHT) : f.free.h;
    double elo, ehi;
    energy_range(&f, &L, n, panel_h, &elo, &ehi);
    char ratio_note[MSI_TITLE_TEXT];
    const char *xname = o->xlabel;
    if (!xname && n > 1 && L.total[0] > 0.0) {
        snprintf(ratio_note, sizeof ratio_note, "\xc3\x97 = total relative to '%s'", L.label[0]);
        xname = ratio_note;
    }
    size_t nbars = n ? n : 1;
    double one_pos = 0.0;
    const char *empty_label = "";
    msi_axis_init(&bars.x, -0.5, (double)nbars - 0.5, xname, NULL);
    bars.x.n_custom = nbars;
    bars.x.custom_pos = n ? L.pos : &one_pos;
    bars.x.custom_text = n ? L.label_ptr : &empty_label;
    msi_axis_init(&bars.y, elo, ehi, o->ylabel ? o->ylabel : "energy", "J");
    bars.y.log = o->log_y;
    /* Tallies with bins but no classes (a power log alone) need no empty bar panel. */
    int show_bars = L.nc > 0 || !L.has_bins;
    if (L.has_bins) {
        double tlo, thi, plo, phi;
        power_range(d, o, &tlo, &thi, &plo, &phi);
        msi_axis_init(&tp.x, tlo, thi, o->xlabel && !show_bars ? o->xlabel : "time", "s");
        tp.x.time = 1;
        msi_axis_init(&tp.y, plo, phi, "power", "W");
        tp.y.log = o->log_y;
    }
    if (show_bars && L.has_bins) {
        msi_axes *stack[2] = {&bars, &tp};
        double weights[2] = {BARS_WEIGHT, TIME_WEIGHT};
        msi_axes_layout_stack(&f, stack, 2, weights, f.free);
    } else {
        msi_axes_layout(&f, show_bars ? &bars : &tp, f.free);
    }

    if (show_bars) {
        double sum = 0.0;
        for (size_t k = 0; k < n; k++)
            sum += L.total[k];
        if (n > 0)
            draw_bars(&f, &bars, &L, n);
        if (!(sum > 0.0))
            msi_axes_message(&f, &bars, n == 0 ? "no tallies" : "no energy recorded");
        msi_axes_draw(&f, &bars);
        if (nclass_keys)
            msi_legend_draw(&f, lx, bars.area.y, bars.area.h, keys, nclass_keys);
    }
    if (L.has_bins) {
        draw_power(&f, &tp, d, L.nc);
        msi_axes_draw(&f, &tp);
        msi_legend_draw(&f, lx, tp.area.y, tp.area.h, keys + nclass_keys, nk - nclass_keys);
    }
    st = msi_fig_finish(&f, show_bars ? &bars : &tp);
    msi_fig_free(&f);
    return st;
}

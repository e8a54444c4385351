/* viz/raster.c: spike rasters: unit index vs time, one colour band per population, with an
 * optional population-rate histogram strip underneath.
 *
 * Why pixels and not paths: a path per spike makes 10^6 spikes take seconds in Cairo. Spikes
 * are instead counted into a per-pixel hit buffer (one pass, no allocation per spike) and the
 * counts are blended into the image in one more pass; where marks pile up the colour gets
 * denser, which is what a reader wants to see in a raster anyway. */
#include "viz/figure_impl.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARK_W            1.5     /* mark width (design px); rounds to 2 px at scale 1       */
#define MARK_H_MAX        12.0    /* tallest mark (design px), for rasters of a few units    */
#define MARK_ROW_FILL     0.8     /* a mark covers this share of its unit's row              */
#define MIN_BAND_SHARE    0.06    /* a small population still gets this share of the height  */
#define ALPHA_PER_HIT     0.75    /* opacity of one hit; n hits: 1 - (1 - a)^n               */
#define ALPHA_LUT         16      /* hit counts with a precomputed opacity; more = opaque    */
#define RASTER_WEIGHT     3.0     /* raster : rate strip heights                             */
#define RATE_WEIGHT       1.0
#define RATE_BINS_TARGET  100     /* automatic rate bins over the window                     */
#define RATE_BINS_MAX     (1u << 20)
#define RATE_FILL_ALPHA   0.25
#define RATE_LINE         1.5     /* design px                                               */
#define SEPARATOR_GREY    0.82
#define MAX_BANDS         64      /* populations drawn with their own label                  */
/* Unit numbers of several populations (tick font sizes). A number keeps EDGE_ROOM from its
 * band's edges, so numbers of neighbouring bands stay a line height (1.2, as in axes.c)
 * apart; numbers in one band are NUMBER_GAP apart (axes.c's Y_NUMBER_GAP). */
#define EDGE_ROOM         0.6
#define NUMBER_GAP        1.5
#define BAND_TICKS_MAX    6       /* unit numbers per band at most                            */
#define NAME_GAP          8.0     /* design px between the raster and the population names  */
#define NAME_LINE         1.2     /* population names at least this many font sizes apart    */
#define NUMBER_TEXT       16

typedef struct band {
    int32_t rows;                 /* units in the population                                 */
    int top, bottom;              /* pixel rows [top, bottom) of the band inside the image   */
    double f0, f1;                /* share of the height above its top and bottom edges      */
    double centre;                /* band centre in y data coordinates (0 bottom .. 1 top)   */
    char label[64];
} band;

static ms_status check_pop(const char *who, const ms_raster_pop *p, size_t k, ms_error *err,
                           int32_t *rows, double *tmin, double *tmax)
{
    const char *name = p->label ? p->label : "";
    if (p->n_times != p->n_ids)
        return msi_error(err, MS_EINVAL, who,
                         "population %zu ('%s'): %zu spike times but %zu unit ids", k + 1,
                         name, p->n_times, p->n_ids);
    if (p->n_times > 0 && (!p->t_s || !p->ids))
        return msi_error(err, MS_EINVAL, who, "population %zu ('%s'): spike arrays are NULL",
                         k + 1, name);
    if (p->n_units < 0)
        return msi_error(err, MS_EINVAL, who, "population %zu ('%s'): n_units %d is negative",
                         k + 1, name, (int)p->n_units);
    int32_t max_id = -1;
    for (size_t i = 0; i < p->n_times; i++) {
        int32_t id = p->ids[i];
        double t = p->t_s[i];
        if (id < 0 && p->n_units == 0)
            return msi_error(err, MS_EINVAL, who,
                             "population %zu ('%s'): spike %zu has unit id %d (must be >= 0)",
                             k + 1, name, i + 1, (int)id);
        if (id < 0 || (p->n_units > 0 && id >= p->n_units))
            return msi_error(err, MS_EINVAL, who,
                             "population %zu ('%s'): spike %zu has unit id %d, outside 0..%d",
                             k + 1, name, i + 1, (int)id, (int)p->n_units - 1);
        if (!isfinite(t))
            return msi_error(err, MS_EINVAL, who,
                             "population %zu ('%s'): spike %zu has time %g (must be finite)",
                             k + 1, name, i + 1, t);
        max_id = id > max_id ? id : max_id;
        *tmin = fmin(*tmin, t);
        *tmax = fmax(*tmax, t);
    }
    *rows = p->n_units > 0 ? p->n_units : (max_id >= 0 ? max_id + 1 : 1);
    return MS_OK;
}

/* Splits the height among the populations: in proportion to their units, but each at least
 * MIN_BAND_SHARE so a handful of readout units stays visible next to thousands. Fractions
 * from the top; the y data coordinate of the axis runs 0 (bottom) .. 1 (top). */
static void band_fractions(band *b, size_t n)
{
    double total = 0.0, sum = 0.0, cum = 0.0, share[MAX_BANDS];
    for (size_t i = 0; i < n; i++)
        total += b[i].rows;
    for (size_t i = 0; i < n; i++) {
        share[i] = fmax(b[i].rows / total, n > 1 ? MIN_BAND_SHARE : 0.0);
        sum += share[i];
    }
    for (size_t i = 0; i < n; i++) {
        b[i].f0 = cum / sum;
        b[i].f1 = (cum + share[i]) / sum;
        b[i].centre = 1.0 - (b[i].f0 + b[i].f1) / 2;
        cum += share[i];
    }
}

static void band_pixels(band *b, size_t n, const msi_axes *ax)
{
    for (size_t i = 0; i < n; i++) {
        b[i].top = (int)ax->area.y + (int)lround(b[i].f0 * ax->area.h);
        b[i].bottom = (int)ax->area.y + (int)lround(b[i].f1 * ax->area.h);
    }
}

/* Counts every spike of population p inside the window into hits (area-sized, row-major);
 * returns how many there were. */
static size_t count_spikes(const ms_raster_pop *p, const band *b, const msi_axes *ax, double s,
                           uint16_t *hits)
{
    int w = (int)ax->area.w, y0 = (int)ax->area.y;
    double lo = ax->x.lo, hi = ax->x.hi, px_per_s = ax->area.w / (hi - lo);
    int mw = (int)fmax(1.0, round(MARK_W * s));
    double row_h = (double)(b->bottom - b->top) / b->rows;
    int mh = (int)fmin(fmax(1.0, round(row_h * MARK_ROW_FILL)), fmax(1.0, round(MARK_H_MAX * s)));
    size_t drawn = 0;
    if (mw > w)
        mw = w;
    for (size_t i = 0; i < p->n_times; i++) {
        double t = p->t_s[i];
        if (t < lo || t > hi)
            continue;
        drawn++;
        int cx = (int)floor((t - lo) * px_per_s - 0.5 * mw + 0.5);
        if (cx > w - mw)
            cx = w - mw;  /* t == t1 lands on the last column */
        if (cx < 0)
            cx = 0;
        /* unit 0 at the bottom of its band, as on a numbered axis */
        double yc = b->top + (b->rows - p->ids[i] - 0.5) * row_h;
        int ya = (int)floor(yc - 0.5 * mh + 0.5);
        int yb = ya + mh;
        if (ya < b->top)
            ya = b->top;
        if (yb > b->bottom)
            yb = b->bottom;
        for (int y = ya; y < yb; y++) {
            uint16_t *cell = hits + (size_t)(y - y0) * (size_t)w + (size_t)cx;
            for (int dx = 0; dx < mw; dx++) {
                if (cell[dx] < UINT16_MAX)
                    cell[dx]++;
            }
        }
    }
    return drawn;
}

/* Blends hit counts into the image: colour of the band of each pixel row, opacity from the
 * count. The image is opaque, so blending over its premultiplied pixel is plain mixing. */
static void blit_hits(msi_fig *f, const msi_axes *ax, const band *b, size_t nb,
                      const uint16_t *hits)
{
    int w = (int)ax->area.w, h = (int)ax->area.h, x0 = (int)ax->area.x, y0 = (int)ax->area.y;
    double alpha[ALPHA_LUT + 1];
    for (int c = 0; c <= ALPHA_LUT; c++)
        alpha[c] = 1.0 - pow(1.0 - ALPHA_PER_HIT, c);
    cairo_surface_flush(f->surf);
    unsigned char *data = cairo_image_surface_get_data(f->surf);
    int stride = cairo_image_surface_get_stride(f->surf);
    size_t k = 0;
    for (int y = 0; y < h; y++) {
        int iy = y0 + y;
        while (k + 1 < nb && iy >= b[k].bottom)
            k++;
        double rgb[3];
        msi_colour_rgb(k, rgb);
        uint32_t *row = (uint32_t *)(void *)(data + (size_t)iy * (size_t)stride) + x0;
        const uint16_t *hr = hits + (size_t)y * (size_t)w;
        for (int x = 0; x < w; x++) {
            if (!hr[x])
                continue;
            double a = alpha[hr[x] < ALPHA_LUT ? hr[x] : ALPHA_LUT];
            uint32_t p = row[x], out = 0xFF000000u;
            for (int c = 0; c < 3; c++) {
                double bg = (double)((p >> (16 - 8 * c)) & 0xFFu);
                double v = a * rgb[c] * 255.0 + (1.0 - a) * bg;
                out |= (uint32_t)lround(v) << (16 - 8 * c);
            }
            row[x] = out;
        }
    }
    cairo_surface_mark_dirty(f->surf);
}

static void draw_separators(msi_fig *f, const msi_axes *ax, const band *b, size_t nb)
{
    cairo_save(f->cr);
    cairo_set_source_rgb(f->cr, SEPARATOR_GREY, SEPARATOR_GREY, SEPARATOR_GREY);
    for (size_t i = 1; i < nb; i++)
        cairo_rectangle(f->cr, ax->area.x, b[i].top, ax->area.w, 1.0);
    cairo_fill(f->cr);
    cairo_restore(f->cr);
}

/* Unit-number ticks of the bands: for each, whole numbers as printed (unit + first) at round
 * steps, inside the part of the band at least EDGE_ROOM from its edges, as many as fit
 * NUMBER_GAP apart (none in a band too thin for one). Positions in the axis's 0..1
 * coordinate, from the bands' pixel rows, where count_spikes places the marks. */
typedef struct unit_ticks {
    size_t n;
    double pos[MSI_MAX_TICKS];
    char text[MSI_MAX_TICKS][NUMBER_TEXT];
    const char *texts[MSI_MAX_TICKS];
} unit_ticks;

static void band_unit_ticks(const msi_fig *f, const msi_axes *ax, const band *b, size_t nb,
                            int32_t first, unit_ticks *ut)
{
    double fs = MSI_FONT_TICK * f->s, room = EDGE_ROOM * fs;
    ut->n = 0;
    for (size_t k = 0; k < nb && ut->n < MSI_MAX_TICKS; k++) {
        double h = b[k].bottom - b[k].top, row_h = h / b[k].rows;
        /* unit u is centred (u + 0.5) rows above the band's bottom */
        double ulo = fmax(room / row_h - 0.5, 0.0);
        double uhi = fmin((h - room) / row_h - 0.5, b[k].rows - 1.0);
        msi_ticks t = {0};
        if (uhi > ulo) {
            int max = (int)fmin(BAND_TICKS_MAX, floor((uhi - ulo) * row_h / (NUMBER_GAP * fs)) + 1);
            for (; max >= 1; max--) {
                msi_ticks_linear(ulo + first, uhi + first, max, 1, &t);
                if (t.n < 2 || t.step * row_h >= NUMBER_GAP * fs)
                    break;
            }
        } else if (uhi == ulo && msi_is_whole(ulo)) {
            t.n = 1;
            t.v[0] = ulo + first;
        }
        for (int i = 0; i < t.n && ut->n < MSI_MAX_TICKS; i++) {
            double u = t.v[i] - first;
            double y_px = b[k].bottom - (u + 0.5) * row_h;
            ut->pos[ut->n] = (ax->area.y + ax->area.h - y_px) / ax->area.h;
            snprintf(ut->text[ut->n], NUMBER_TEXT, "%.0f", t.v[i]);
            ut->texts[ut->n] = ut->text[ut->n];
            ut->n++;
        }
    }
}

/* Room at the right of f->free for the population names; returns their x (px). */
static double names_reserve(msi_fig *f, const band *b, size_t nb)
{
    double fs = MSI_FONT_TICK * f->s, widest = 0.0;
    for (size_t k = 0; k < nb; k++)
        widest = fmax(widest, msi_text_width(f, fs, b[k].label));
    widest = fmin(widest, MSI_LEGEND_MAX_FRAC * f->w);
    f->free.w -= widest + NAME_GAP * f->s;
    return f->free.x + f->free.w + NAME_GAP * f->s;
}

/* Each population's name right of its band, in its colour, centred on the band; a name that
 * would touch the one above is left out (dozens of thin bands). */
static void draw_names(msi_fig *f, double x, const band *b, size_t nb, msi_key *shown)
{
    double fs = MSI_FONT_TICK * f->s, last = -INFINITY;
    char t[MSI_TITLE_TEXT];
    size_t n = 0;
    for (size_t k = 0; k < nb; k++) {
        double cy = 0.5 * (b[k].top + b[k].bottom);
        if (cy - last < NAME_LINE * fs)
            continue;
        last = cy;
        msi_set_colour(f->cr, k);
        msi_text_fit(f, fs, b[k].label, MSI_LEGEND_MAX_FRAC * f->w, t, sizeof t);
        msi_text_draw(f, x, cy, fs, t, 0.0, 0.5, 0.0);
        shown[n++] = (msi_key){b[k].label, k, MSI_KEY_PATCH};
    }
    cairo_set_source_rgb(f->cr, 0, 0, 0);
    f->names = shown;
    f->n_names = n;
}

/* The raster axes, with the rate strip under them when asked. */
static void layout(msi_fig *f, msi_axes *ax, msi_axes *rax, int rate)
{
    if (!rate) {
        msi_axes_layout(f, ax, f->free);
        return;
    }
    msi_axes *stack[2] = {ax, rax};
    double weights[2] = {RASTER_WEIGHT, RATE_WEIGHT};
    msi_axes_layout_stack(f, stack, 2, weights, f->free);
}

static size_t rate_bins(double lo, double hi, double bin)
{
    size_t n = (size_t)ceil((hi - lo) / bin - 1e-9);
    return n < 1 ? 1 : n;
}

/* Population rate in Hz per bin: spikes / (units * bin width), the last bin cut at t1.
 * Returns the n_pops x nbins table (caller frees) and sets the strip's y range. */
static double *compute_rates(msi_fig *f, msi_axes *rax, const ms_raster_data *d, const band *b,
                             double bin)
{
    double lo = rax->x.lo, hi = rax->x.hi, peak = 0.0;
    size_t nbins = rate_bins(lo, hi, bin);
    double *rate = calloc(d->n_pops * nbins, sizeof *rate);
    if (!rate) {
        msi_error(f->err, MS_ENOMEM, f->who, "out of memory for %zu rate bins", nbins);
        return NULL;
    }
    for (size_t k = 0; k < d->n_pops; k++) {
        const ms_raster_pop *p = &d->pops[k];
        double *r = rate + k * nbins;
        for (size_t i = 0; i < p->n_times; i++) {
            double t = p->t_s[i];
            if (t < lo || t > hi)
                continue;
            size_t j = (size_t)((t - lo) / bin);
            r[j < nbins ? j : nbins - 1] += 1.0;
        }
        for (size_t j = 0; j < nbins; j++) {
            double width = fmin(bin, hi - (lo + (double)j * bin));
            r[j] = width > 0 ? r[j] / (b[k].rows * width) : 0.0;
            peak = fmax(peak, r[j]);
        }
    }
    rax->y.lo = 0.0;
    rax->y.hi = peak > 0.0 ? peak * 1.05 : 1.0;
    msi_range_nice(&rax->y.lo, &rax->y.hi, 4);
    return rate;
}

/* One step outline per population; a single population is also filled lightly. */
static void draw_rates(msi_fig *f, const msi_axes *rax, const ms_raster_data *d,
                       const double *rate, double bin)
{
    double lo = rax->x.lo, hi = rax->x.hi, ybase = msi_y_px(rax, 0.0);
    size_t nbins = rate_bins(lo, hi, bin);
    cairo_t *cr = f->cr;
    msi_axes_clip(f, rax);
    cairo_set_line_width(cr, RATE_LINE * f->s);
    for (size_t k = 0; k < d->n_pops; k++) {
        const double *r = rate + k * nbins;
        cairo_move_to(cr, msi_x_px(rax, lo), ybase);
        for (size_t j = 0; j < nbins; j++) {
            double ta = lo + (double)j * bin, tb = fmin(hi, ta + bin);
            cairo_line_to(cr, msi_x_px(rax, ta), msi_y_px(rax, r[j]));
            cairo_line_to(cr, msi_x_px(rax, tb), msi_y_px(rax, r[j]));
        }
        cairo_line_to(cr, msi_x_px(rax, hi), ybase);
        double rgb[3];
        msi_colour_rgb(k, rgb);
        if (d->n_pops == 1) {
            cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], RATE_FILL_ALPHA);
            cairo_fill_preserve(cr);
        }
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_stroke(cr);
    }
    cairo_restore(cr);
}

ms_status ms_plot_raster(const ms_raster_data *d, const ms_plot_opts *o, ms_error *err)
{
    const char *who = "raster";
    band b[MAX_BANDS];
    double tmin = INFINITY, tmax = -INFINITY;
    size_t total = 0;
    ms_status st = msi_opts_check(who, o, err);
    if (st != MS_OK)
        return st;
    if (!d || (d->n_pops > 0 && !d->pops))
        return msi_error(err, MS_EINVAL, who, "no populations given");
    /* No populations at all is empty data too: one empty unit row that says "no spikes". */
    static const ms_raster_pop no_pop = {NULL, 1, 0, NULL, 0, NULL};
    ms_raster_data empty;
    if (d->n_pops == 0) {
        empty = *d;
        empty.n_pops = 1;
        empty.pops = &no_pop;
        d = &empty;
    }
    if (d->n_pops > MAX_BANDS)
        return msi_error(err, MS_EINVAL, who, "%zu populations, at most %d", d->n_pops,
                         MAX_BANDS);
    if (d->rate && (!(d->rate_bin_s >= 0.0) || isinf(d->rate_bin_s)))
        return msi_error(err, MS_EINVAL, who, "rate_bin_s %g must be >= 0 (0 = automatic)",
                         d->rate_bin_s);
    for (size_t k = 0; k < d->n_pops; k++) {
        if ((st = check_pop(who, &d->pops[k], k, err, &b[k].rows, &tmin, &tmax)) != MS_OK)
            return st;
        total += d->pops[k].n_times;
        if (d->pops[k].label)
            snprintf(b[k].label, sizeof b[k].label, "%s", d->pops[k].label);
        else
            snprintf(b[k].label, sizeof b[k].label, "pop %zu", k + 1);
    }
    double lo, hi;
    msi_auto_range(o->t0_s, o->t1_s, total > 0, tmin, tmax, MSI_RANGE_NICE, 0, &lo, &hi);
    double bin = d->rate_bin_s > 0.0 ? d->rate_bin_s : msi_nice_step((hi - lo) / RATE_BINS_TARGET);
    if (d->rate && (hi - lo) / bin > RATE_BINS_MAX)
        return msi_error(err, MS_EINVAL, who, "rate_bin_s %g s gives more than %u bins", bin,
                         RATE_BINS_MAX);

    msi_fig f;
    if ((st = msi_fig_begin(&f, who, o, err)) != MS_OK)
        return st;
    msi_fig_title(&f);

    msi_axes ax, rax;
    double *rates = NULL;
    const char *tname = o->xlabel ? o->xlabel : "time";
    msi_axis_init(&ax.x, lo, hi, tname, "s");
    ax.x.time = 1;
    unit_ticks ut;
    msi_key name_keys[MAX_BANDS];
    double names_x = NAN;
    const char *yname = o->ylabel ? o->ylabel : "unit";
    if (d->n_pops == 1) {
        msi_axis_init(&ax.y, -0.5, b[0].rows - 0.5, yname, NULL);
        ax.y.integer = 1;
        ax.y.label_offset = d->first_index;
    } else {
        /* Unit numbers restart in each band; the names sit at the right. A first layout
         * with each band's largest number (the widest) gives the bands their pixel rows; the
         * numbers that fit them then replace it (the height does not depend on them). */
        names_x = names_reserve(&f, b, d->n_pops);
        msi_axis_init(&ax.y, 0.0, 1.0, yname, NULL);
        band_fractions(b, d->n_pops);
        ut.n = d->n_pops < MSI_MAX_TICKS ? d->n_pops : MSI_MAX_TICKS;
        for (size_t k = 0; k < ut.n; k++) {
            ut.pos[k] = b[k].centre;
            snprintf(ut.text[k], NUMBER_TEXT, "%ld", (long)b[k].rows - 1 + d->first_index);
            ut.texts[k] = ut.text[k];
        }
        ax.y.n_custom = ut.n;
        ax.y.custom = 1;
        ax.y.custom_pos = ut.pos;
        ax.y.custom_text = ut.texts;
    }
    if (d->rate) {
        ax.x.hide_labels = 1;
        msi_axis_init(&rax.x, lo, hi, tname, "s");
        rax.x.time = 1;
        msi_axis_init(&rax.y, 0.0, 1.0, "rate", "Hz");
        if (!(rates = compute_rates(&f, &rax, d, b, bin))) {
            st = MS_ENOMEM;
            goto done;
        }
    }
    layout(&f, &ax, &rax, d->rate);
    if (d->n_pops == 1)
        band_fractions(b, 1);
    band_pixels(b, d->n_pops, &ax);
    if (d->n_pops > 1) {
        band_unit_ticks(&f, &ax, b, d->n_pops, d->first_index, &ut);
        ax.y.n_custom = ut.n;
        layout(&f, &ax, &rax, d->rate);
        band_pixels(b, d->n_pops, &ax);
    }

    draw_separators(&f, &ax, b, d->n_pops);
    uint16_t *hits = calloc((size_t)ax.area.w * (size_t)ax.area.h, sizeof *hits);
    if (!hits) {
        st = msi_error(err, MS_ENOMEM, who, "out of memory for a %g x %g px raster", ax.area.w,
                       ax.area.h);
        goto done;
    }
    size_t shown = 0;
    for (size_t k = 0; k < d->n_pops; k++)
        shown += count_spikes(&d->pops[k], &b[k], &ax, f.s, hits);
    blit_hits(&f, &ax, b, d->n_pops, hits);
    free(hits);
    if (shown == 0)
        msi_axes_message(&f, &ax, total == 0 ? "no spikes" : "no spikes in this time window");
    msi_axes_draw(&f, &ax);
    if (d->n_pops > 1)
        draw_names(&f, names_x, b, d->n_pops, name_keys);
    if (d->rate) {
        draw_rates(&f, &rax, d, rates, bin);
        msi_axes_draw(&f, &rax);
    }
    st = msi_fig_finish(&f, &ax);
done:
    free(rates);
    msi_fig_free(&f);
    return st;
}

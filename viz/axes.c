/* viz/axes.c: an axes box: where its data area goes, which ticks it shows and how they read,
 * and drawing its frame, ticks, numbers and titles.
 *
 * Layout rule: numbers never overlap. The tick count starts from what the axis length allows
 * and drops until the widest number (x) or the font height (y) fits between neighbouring
 * ticks, measured with the real font. Ticks point outwards so they never hide data. */
#include "viz/figure_impl.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define X_TICKS_MAX       12     /* never more numbers than this on an x axis            */
#define Y_TICKS_MAX       10
#define X_PX_PER_TICK     4.0    /* first guess of x tick spacing, in tick font sizes    */
#define Y_PX_PER_TICK     2.2    /* first guess of y tick spacing                        */
#define X_NUMBER_GAP      1.2    /* free space between x numbers, in tick font sizes     */
#define Y_NUMBER_GAP      1.5    /* distance between y numbers, in tick font sizes       */
#define LINE_HEIGHT       1.2    /* text line height, in font sizes                      */
#define TITLE_HEIGHT      1.15   /* axis title height, in label font sizes               */
#define TOP_ROOM          0.6    /* above the area: half a y number, in tick font sizes  */
#define PLAIN_MIN         1e-2   /* unitless numbers print plainly in [1e-2, 1e4)        */
#define PLAIN_MAX         1e4
#define LOG_PLAIN_EXP_MIN (-2)   /* decades printed as 0.01 ... 1000 rather than 10^k    */
#define LOG_PLAIN_EXP_MAX 3
#define PAD_FRACTION      0.04   /* automatic ranges leave this share of the span free   */
#define MESSAGE_GREY      0.35
#define HALF_PI           1.57079632679489661923

void msi_axis_init(msi_axis *a, double lo, double hi, const char *name, const char *unit)
{
    memset(a, 0, sizeof *a);
    a->lo = lo;
    a->hi = hi;
    a->name = name;
    a->unit = unit;
}

static int has_unit(const msi_axis *a)
{
    return a->unit && a->unit[0];
}

static double axis_frac(const msi_axis *a, double v)
{
    if (a->log) {
        if (!(v > 0.0))
            return NAN;
        return (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
    }
    return (v - a->lo) / (a->hi - a->lo);
}

double msi_x_px(const msi_axes *ax, double v)
{
    return ax->area.x + axis_frac(&ax->x, v) * ax->area.w;
}

double msi_y_px(const msi_axes *ax, double v)
{
    return ax->area.y + ax->area.h - axis_frac(&ax->y, v) * ax->area.h;
}

void msi_range_pad(double *lo, double *hi, int log)
{
    if (log) {
        if (!(*hi > *lo * (1.0 + 1e-12))) {
            *lo /= 2.0;
            *hi *= 2.0;
            return;
        }
        double f = pow(10.0, (log10(*hi) - log10(*lo)) * PAD_FRACTION);
        *lo /= f;
        *hi *= f;
        return;
    }
    double span = *hi - *lo;
    double mag = fmax(fabs(*lo), fabs(*hi));
    if (!(span > mag * 1e-12) || span == 0.0) {
        double d = mag > 0.0 ? mag * 0.1 : 1.0;
        *lo -= d;
        *hi += d;
        return;
    }
    *lo -= PAD_FRACTION * span;
    *hi += PAD_FRACTION * span;
}

void msi_auto_range(double set_lo, double set_hi, int have, double dmin, double dmax,
                    msi_range_mode mode, int log, double *lo, double *hi)
{
    double a = set_lo, b = set_hi;
    int auto_lo = isnan(a), auto_hi = isnan(b);
    if (have) {
        if (auto_lo)
            a = (!auto_hi && dmin >= b) ? NAN : dmin;
        if (auto_hi)
            b = (!isnan(a) && dmax <= a) ? NAN : dmax;
    }
    if (isnan(a) && isnan(b)) {
        a = log ? 1.0 : 0.0;
        b = log ? 10.0 : 1.0;
    } else if (isnan(a)) {
        a = log ? b / 10.0 : b - (b != 0.0 ? fabs(b) : 1.0);
    } else if (isnan(b)) {
        b = log ? a * 10.0 : a + (a != 0.0 ? fabs(a) : 1.0);
    }
    if (auto_lo || auto_hi) {
        double pa = a, pb = b;
        if (!(pb > pa) || mode == MSI_RANGE_PAD) {
            msi_range_pad(&pa, &pb, log);
        } else if (mode == MSI_RANGE_NICE && !log) {
            msi_range_nice(&pa, &pb, 6);
        } else if (mode == MSI_RANGE_NICE) {
            pa = msi_pow10((int)floor(log10(pa) + 1e-9));
            pb = msi_pow10((int)ceil(log10(pb) - 1e-9));
        }
        if (auto_lo)
            a = pa;
        if (auto_hi)
            b = pb;
    }
    *lo = a;
    *hi = b;
}

/* ==== Tick numbers ======================================================================== */

static void compose_title(msi_axis *a, const char *unit_text)
{
    const char *name = a->name ? a->name : "";
    if (unit_text && unit_text[0])
        snprintf(a->title, sizeof a->title, name[0] ? "%s (%s)" : "%s%s", name, unit_text);
    else
        snprintf(a->title, sizeof a->title, "%s", name);
}

static void format_log(msi_axis *a)
{
    for (int i = 0; i < a->ticks.n; i++) {
        double v = a->ticks.v[i];
        int e = (int)lround(log10(v));
        if (has_unit(a))
            msi_format_si(v, a->unit, 3, a->text[i], MSI_TICK_TEXT);
        else if (fabs(v - msi_pow10(e)) <= 1e-9 * v &&
                 (e < LOG_PLAIN_EXP_MIN || e > LOG_PLAIN_EXP_MAX))
            msi_format_pow10(e, a->text[i], MSI_TICK_TEXT);
        else
            snprintf(a->text[i], MSI_TICK_TEXT, "%.3g", v);
    }
    compose_title(a, NULL);  /* every number carries its unit already */
}

static void format_ticks(msi_axis *a)
{
    char unit_text[64] = "";
    double scale = 1.0;
    const msi_ticks *t = &a->ticks;

    if (a->n_custom || a->custom) {
        compose_title(a, NULL);
        return;
    }
    if (a->log) {
        format_log(a);
        return;
    }
    double maxabs = t->n ? fmax(fabs(t->v[0]), fabs(t->v[t->n - 1]))
                         : fmax(fabs(a->lo), fabs(a->hi));
    if (a->time) {
        int e = msi_time_exponent(a->hi - a->lo);
        scale = msi_pow10(e);
        snprintf(unit_text, sizeof unit_text, "%ss", msi_si_prefix(e));
    } else if (has_unit(a)) {
        int e = msi_si_exponent(maxabs);
        scale = msi_pow10(e);
        snprintf(unit_text, sizeof unit_text, "%s%s", msi_si_prefix(e), a->unit);
    } else if (!a->integer && maxabs > 0.0 && (maxabs >= PLAIN_MAX || maxabs < PLAIN_MIN)) {
        char p[32];
        int e = msi_si_exponent(maxabs);
        scale = msi_pow10(e);
        msi_format_pow10(e, p, sizeof p);
        snprintf(unit_text, sizeof unit_text, "\xc3\x97%s", p);  /* U+00D7 MULTIPLICATION SIGN */
    }
    /* Integer axes have whole steps; with a unit prefix (1500 Hz = 1.5 kHz) they still need
     * the decimals of step / scale. */
    int dec = msi_decimals_for_step(t->step / scale);
    for (int i = 0; i < t->n; i++)
        msi_format_fixed((t->v[i] + a->label_offset) / scale, dec, a->text[i], MSI_TICK_TEXT);
    compose_title(a, unit_text);
}

static void make_ticks(msi_axis *a, int max_ticks)
{
    if (a->log) {
        msi_ticks_log(a->lo, a->hi, max_ticks, &a->ticks);
        /* Within a decade or two the log ticks fall back to linear ones; keep them whole. */
        if (a->integer && a->ticks.step == 0.0 && a->ticks.n > 0)
            msi_ticks_linear(a->lo, a->hi, max_ticks, 1, &a->ticks);
    } else {
        /* Round numbers in what the reader sees (first_index shifts unit numbers). */
        double off = a->label_offset;
        msi_ticks_linear(a->lo + off, a->hi + off, max_ticks, a->integer, &a->ticks);
        for (int i = 0; i < a->ticks.n; i++)
            a->ticks.v[i] -= off;
    }
    format_ticks(a);
}

static double text_block_width(msi_fig *f, double size, const char *text)
{
    char line[MSI_TICK_TEXT];
    const char *nl = strchr(text, '\n');
    if (!nl)
        return msi_text_width(f, size, text);
    size_t n = (size_t)(nl - text) < sizeof line - 1 ? (size_t)(nl - text) : sizeof line - 1;
    memcpy(line, text, n);
    line[n] = '\0';
    return fmax(msi_text_width(f, size, line), msi_text_width(f, size, nl + 1));
}

static double widest_text(msi_fig *f, const msi_axis *a)
{
    double fs = MSI_FONT_TICK * f->s, w = 0.0;
    for (int i = 0; i < a->ticks.n; i++)
        w = fmax(w, text_block_width(f, fs, a->text[i]));
    return w;
}

/* Custom labels under an x axis (bar names): on one line if they fit their slot, else split
 * at the space nearest the middle, each line cut with an ellipsis if still too wide. */
static void wrap_custom(msi_fig *f, msi_axis *a, int i, const char *text, double slot)
{
    double fs = MSI_FONT_TICK * f->s;
    char l1[MSI_TICK_TEXT / 2], l2[MSI_TICK_TEXT / 2];
    a->text_lines[i] = 1;
    if (msi_text_width(f, fs, text) <= slot || !strchr(text, ' ')) {
        msi_text_fit(f, fs, text, slot, a->text[i], MSI_TICK_TEXT);
        return;
    }
    size_t len = strlen(text), best = 0;
    for (size_t k = 0; k < len; k++) {
        size_t d = k > len / 2 ? k - len / 2 : len / 2 - k;
        size_t db = best > len / 2 ? best - len / 2 : len / 2 - best;
        if (text[k] == ' ' && (best == 0 || d < db))
            best = k;
    }
    char head[MSI_TITLE_TEXT];
    snprintf(head, sizeof head, "%.*s", (int)best, text);
    msi_text_fit(f, fs, head, slot, l1, sizeof l1);
    msi_text_fit(f, fs, text + best + 1, slot, l2, sizeof l2);
    snprintf(a->text[i], MSI_TICK_TEXT, "%s\n%s", l1, l2);
    a->text_lines[i] = 2;
}

static void custom_ticks(msi_fig *f, msi_axis *a, double length, int horizontal)
{
    size_t n = a->n_custom < MSI_MAX_TICKS ? a->n_custom : MSI_MAX_TICKS;
    double fs = MSI_FONT_TICK * f->s;
    double slot = horizontal ? length / (double)n - X_NUMBER_GAP * fs
                             : MSI_LEGEND_MAX_FRAC * f->w;
    memset(&a->ticks, 0, sizeof a->ticks);
    for (size_t i = 0; i < n; i++) {
        a->ticks.v[a->ticks.n++] = a->custom_pos[i];
        const char *t = a->custom_text[i] ? a->custom_text[i] : "";
        if (horizontal) {
            wrap_custom(f, a, (int)i, t, slot);
        } else {
            msi_text_fit(f, fs, t, slot, a->text[i], MSI_TICK_TEXT);
            a->text_lines[i] = 1;
        }
    }
    format_ticks(a);
}

/* Largest tick count whose numbers do not collide over length px. */
static void choose_ticks(msi_fig *f, msi_axis *a, double length, int horizontal)
{
    double fs = MSI_FONT_TICK * f->s;
    if (a->n_custom || a->custom) {
        custom_ticks(f, a, length, horizontal);
        return;
    }
    int cap = horizontal ? X_TICKS_MAX : Y_TICKS_MAX;
    int max = (int)(length / ((horizontal ? X_PX_PER_TICK : Y_PX_PER_TICK) * fs));
    if (max > cap)
        max = cap;
    if (max < 2)
        max = 2;
    for (; max >= 1; max--) {
        make_ticks(a, max);
        if (a->ticks.n < 2)
            return;
        double gap = INFINITY;
        for (int i = 1; i < a->ticks.n; i++) {
            double d = fabs(axis_frac(a, a->ticks.v[i]) - axis_frac(a, a->ticks.v[i - 1]));
            gap = fmin(gap, d * length);
        }
        double need = horizontal ? widest_text(f, a) + X_NUMBER_GAP * fs : Y_NUMBER_GAP * fs;
        if (gap >= need)
            return;
    }
}

static int x_label_lines(const msi_axis *a)
{
    int lines = 1;
    for (int i = 0; i < a->ticks.n; i++)
        lines = a->text_lines[i] > lines ? a->text_lines[i] : lines;
    return lines;
}

static double bottom_room(msi_fig *f, const msi_axis *x)
{
    double s = f->s, fs = MSI_FONT_TICK * s;
    double r = MSI_TICK_LEN * s + MSI_LINE_FRAME * s;
    if (x->hide_labels)
        return r;
    r += MSI_TICK_PAD * s + x_label_lines(x) * fs * LINE_HEIGHT;
    if (x->title[0] || (x->name && x->name[0]))
        r += MSI_LABEL_PAD * s + MSI_FONT_LABEL * s * TITLE_HEIGHT;
    return r;
}

static double left_room(msi_fig *f, const msi_axis *y)
{
    double s = f->s;
    double r = MSI_TICK_LEN * s + MSI_LINE_FRAME * s;
    if (y->hide_labels)
        return r;
    r += MSI_TICK_PAD * s + widest_text(f, y);
    if (y->title[0])
        r += MSI_LABEL_PAD * s + MSI_FONT_LABEL * s * TITLE_HEIGHT;
    return r;
}

/* How far the last x number sticks out past the right edge of the area. */
static double right_room(msi_fig *f, const msi_axis *x, double length)
{
    double fs = MSI_FONT_TICK * f->s, r = 0.5 * fs;
    if (x->hide_labels || x->ticks.n == 0)
        return r;
    int k = x->ticks.n - 1;
    double over = text_block_width(f, fs, x->text[k]) / 2 - (1.0 - axis_frac(x, x->ticks.v[k])) * length;
    return fmax(r, over);
}

void msi_axes_layout_stack(msi_fig *f, msi_axes *const *axs, size_t n, const double *weights,
                           msi_rect outer)
{
    double s = f->s, gap = MSI_PANEL_GAP * s, total = 0.0;
    double top = TOP_ROOM * MSI_FONT_TICK * s;
    double slot_y[8], slot_h[8];
    if (n > 8)
        n = 8;
    for (size_t i = 0; i < n; i++)
        total += weights[i];
    double avail = outer.h - gap * (double)(n - 1), y = outer.y;
    for (size_t i = 0; i < n; i++) {
        slot_y[i] = y;
        slot_h[i] = avail * weights[i] / total;
        y += slot_h[i] + gap;
    }
    /* Pass 1: y numbers with a guessed bottom; their width sets the common left edge. */
    double left = 0.0, right = 0.5 * MSI_FONT_TICK * s * X_PX_PER_TICK / 2;
    for (size_t i = 0; i < n; i++) {
        msi_axes *ax = axs[i];
        format_ticks(&ax->x);  /* composes the titles so the room for them is known */
        format_ticks(&ax->y);
        choose_ticks(f, &ax->y, slot_h[i] - top - bottom_room(f, &ax->x), 0);
        left = fmax(left, left_room(f, &ax->y));
    }
    /* Pass 2: x numbers for the width that leaves; then the real right and bottom room. */
    for (int pass = 0; pass < 2; pass++) {
        double r = 0.0;
        for (size_t i = 0; i < n; i++) {
            double len = outer.w - left - right;
            choose_ticks(f, &axs[i]->x, len, 1);
            r = fmax(r, right_room(f, &axs[i]->x, len));
        }
        right = r;
    }
    /* Pass 3: y numbers for the final heights. */
    left = 0.0;
    for (size_t i = 0; i < n; i++) {
        msi_axes *ax = axs[i];
        ax->bottom = bottom_room(f, &ax->x);
        ax->top = top;
        choose_ticks(f, &ax->y, slot_h[i] - top - ax->bottom, 0);
        left = fmax(left, left_room(f, &ax->y));
    }
    for (size_t i = 0; i < n; i++) {
        msi_axes *ax = axs[i];
        ax->left = left;
        ax->right = right;
        ax->area.x = round(outer.x + left);
        ax->area.y = round(slot_y[i] + top);
        ax->area.w = round(outer.w - left - right);
        ax->area.h = round(slot_h[i] - top - ax->bottom);
        if (ax->area.w < 1)
            ax->area.w = 1;
        if (ax->area.h < 1)
            ax->area.h = 1;
    }
}

void msi_axes_layout(msi_fig *f, msi_axes *ax, msi_rect outer)
{
    msi_axes *one[1] = {ax};
    double w = 1.0;
    msi_axes_layout_stack(f, one, 1, &w, outer);
}

/* ==== Drawing ============================================================================== */

/* Centre of a line of width lw nearest v, so 1-px lines cover one pixel column fully. */
static double snap(double v, double lw)
{
    return ((long)lw % 2) ? floor(v) + 0.5 : round(v);
}

static void draw_multiline(msi_fig *f, double x, double y, double size, const char *text)
{
    char line[MSI_TICK_TEXT];
    const char *nl = strchr(text, '\n');
    if (!nl) {
        msi_text_draw(f, x, y, size, text, 0.5, 0.0, 0.0);
        return;
    }
    snprintf(line, sizeof line, "%.*s", (int)(nl - text), text);
    msi_text_draw(f, x, y, size, line, 0.5, 0.0, 0.0);
    msi_text_draw(f, x, y + size * LINE_HEIGHT, size, nl + 1, 0.5, 0.0, 0.0);
}

static void draw_x(msi_fig *f, const msi_axes *ax, double lw)
{
    cairo_t *cr = f->cr;
    const msi_axis *a = &ax->x;
    double s = f->s, fs = MSI_FONT_TICK * s;
    double base = ax->area.y + ax->area.h + lw;
    for (int i = 0; i < a->ticks.n; i++) {
        double x = snap(msi_x_px(ax, a->ticks.v[i]), lw);
        cairo_move_to(cr, x, base);
        cairo_line_to(cr, x, base + MSI_TICK_LEN * s);
    }
    for (int i = 0; i < a->ticks.n_minor; i++) {
        double x = snap(msi_x_px(ax, a->ticks.minor[i]), lw);
        cairo_move_to(cr, x, base);
        cairo_line_to(cr, x, base + MSI_MINOR_TICK_LEN * s);
    }
    cairo_stroke(cr);
    if (a->hide_labels)
        return;
    double ty = base + MSI_TICK_LEN * s + MSI_TICK_PAD * s;
    for (int i = 0; i < a->ticks.n; i++) {
        if (a->custom_colour)
            msi_set_colour(cr, a->custom_colour[i]);
        draw_multiline(f, msi_x_px(ax, a->ticks.v[i]), ty, fs, a->text[i]);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    if (a->title[0]) {
        /* centred under the area, but kept inside the panel and cut to fit it */
        char t[MSI_TITLE_TEXT];
        double fl = MSI_FONT_LABEL * s, x0 = ax->area.x - ax->left;
        double x1 = ax->area.x + ax->area.w + ax->right;
        msi_text_fit(f, fl, a->title, x1 - x0, t, sizeof t);
        double w = msi_text_width(f, fl, t);
        double cx = fmin(fmax(ax->area.x + ax->area.w / 2, x0 + w / 2), x1 - w / 2);
        double y = ty + x_label_lines(a) * fs * LINE_HEIGHT + MSI_LABEL_PAD * s;
        msi_text_draw(f, cx, y, fl, t, 0.5, 0.0, 0.0);
    }
}

static void draw_y(msi_fig *f, const msi_axes *ax, double lw)
{
    cairo_t *cr = f->cr;
    const msi_axis *a = &ax->y;
    double s = f->s, fs = MSI_FONT_TICK * s;
    double base = ax->area.x - lw;
    for (int i = 0; i < a->ticks.n; i++) {
        double y = snap(msi_y_px(ax, a->ticks.v[i]), lw);
        cairo_move_to(cr, base, y);
        cairo_line_to(cr, base - MSI_TICK_LEN * s, y);
    }
    for (int i = 0; i < a->ticks.n_minor; i++) {
        double y = snap(msi_y_px(ax, a->ticks.minor[i]), lw);
        cairo_move_to(cr, base, y);
        cairo_line_to(cr, base - MSI_MINOR_TICK_LEN * s, y);
    }
    cairo_stroke(cr);
    if (a->hide_labels)
        return;
    double tx = base - MSI_TICK_LEN * s - MSI_TICK_PAD * s;
    for (int i = 0; i < a->ticks.n; i++) {
        if (a->custom_colour)
            msi_set_colour(cr, a->custom_colour[i]);
        msi_text_draw(f, tx, msi_y_px(ax, a->ticks.v[i]), fs, a->text[i], 1.0, 0.5, 0.0);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    if (a->title[0]) {
        char t[MSI_TITLE_TEXT];
        double fl = MSI_FONT_LABEL * s;
        double x = ax->area.x - ax->left + 0.5 * fl * TITLE_HEIGHT;
        msi_text_fit(f, fl, a->title, ax->area.h + ax->top, t, sizeof t);
        msi_text_draw(f, x, ax->area.y + ax->area.h / 2, fl, t, 0.5, 0.5, -HALF_PI);
    }
}

void msi_axes_draw(msi_fig *f, const msi_axes *ax)
{
    cairo_t *cr = f->cr;
    double lw = fmax(1.0, round(MSI_LINE_FRAME * f->s));
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_dash(cr, NULL, 0, 0.0);
    cairo_set_line_width(cr, lw);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE);
    /* The frame lies just outside the area, so no data pixel is painted over. */
    cairo_rectangle(cr, ax->area.x - lw / 2, ax->area.y - lw / 2, ax->area.w + lw,
                    ax->area.h + lw);
    cairo_stroke(cr);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    draw_x(f, ax, lw);
    draw_y(f, ax, lw);
    cairo_restore(cr);
}

void msi_axes_clip(msi_fig *f, const msi_axes *ax)
{
    cairo_save(f->cr);
    cairo_rectangle(f->cr, ax->area.x, ax->area.y, ax->area.w, ax->area.h);
    cairo_clip(f->cr);
}

void msi_axes_message(msi_fig *f, const msi_axes *ax, const char *msg)
{
    cairo_save(f->cr);
    cairo_set_source_rgb(f->cr, MESSAGE_GREY, MESSAGE_GREY, MESSAGE_GREY);
    msi_text_draw(f, ax->area.x + ax->area.w / 2, ax->area.y + ax->area.h / 2,
                  MSI_FONT_LABEL * f->s, msg, 0.5, 0.5, 0.0);
    cairo_restore(f->cr);
}

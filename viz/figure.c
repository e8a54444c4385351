/* viz/figure.c: the life of one figure: check the common options, make a white Cairo image of
 * the requested size, draw text and the title, and hand the finished pixels to png_write.c
 * with their provenance. */
#include "viz/figure_impl.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/ms_version.h"
#include "viz/png_impl.h"

/* Screen resolution that dpi_scale 1 stands for; pHYs then says how large to print. */
#define BASE_DPI        96.0
#define METRES_PER_INCH 0.0254
#define ELLIPSIS        "\xe2\x80\xa6"   /* U+2026 */
#define TITLE_MIN_SHRINK 0.7             /* a long title shrinks this far before it is cut */
#define DATE_LEN        32

ms_status msi_error(ms_error *err, ms_status code, const char *who, const char *fmt, ...)
{
    char msg[MS_ERRMSG_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ms_error_set(err, code, "%s: %s", who, msg);
}

void ms_plot_opts_init(ms_plot_opts *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->t0_s = o->t1_s = NAN;
    o->x_min = o->x_max = NAN;
    o->y_min = o->y_max = NAN;
}

/* A range end is NaN (automatic) or finite; a range with both ends set must not be empty. */
static ms_status check_range(const char *who, ms_error *err, const char *n0, double lo,
                             const char *n1, double hi)
{
    if (isinf(lo))
        return msi_error(err, MS_EINVAL, who, "%s must be finite or NaN (automatic)", n0);
    if (isinf(hi))
        return msi_error(err, MS_EINVAL, who, "%s must be finite or NaN (automatic)", n1);
    if (!isnan(lo) && !isnan(hi) && !(hi > lo))
        return msi_error(err, MS_EINVAL, who, "%s (%g) must be greater than %s (%g)", n1, hi,
                         n0, lo);
    return MS_OK;
}

static ms_status check_side(const char *who, ms_error *err, const char *name, int px, int def,
                            int min_px, double s)
{
    int eff = px == 0 ? def : px;
    int need = (int)ceil(min_px * s);
    if (px < 0)
        return msi_error(err, MS_EINVAL, who, "%s %d px must be positive (0 = default %d)",
                         name, px, def);
    if (eff > MS_PLOT_MAX_SIDE_PX)
        return msi_error(err, MS_EINVAL, who, "%s %d px is too large (at most %d)", name, eff,
                         MS_PLOT_MAX_SIDE_PX);
    if (eff < need)
        return msi_error(err, MS_EINVAL, who,
                         "%s %d px is too small for dpi_scale %g (at least %d px)", name, eff,
                         s, need);
    return MS_OK;
}

ms_status msi_opts_check(const char *who, const ms_plot_opts *o, ms_error *err)
{
    ms_status st;
    if (!o)
        return msi_error(err, MS_EINVAL, who, "no options given");
    if (!o->file || !o->file[0])
        return msi_error(err, MS_EINVAL, who, "no output file given (option 'file')");
    double s = o->dpi_scale == 0.0 ? 1.0 : o->dpi_scale;
    if (!(s > 0.0) || s > MS_PLOT_MAX_DPI_SCALE)
        return msi_error(err, MS_EINVAL, who,
                         "dpi_scale %g out of range: 0 < dpi_scale <= %g (1 = 96 dpi)",
                         o->dpi_scale, MS_PLOT_MAX_DPI_SCALE);
    if ((st = check_side(who, err, "width", o->width_px, MS_PLOT_DEFAULT_WIDTH_PX,
                         MS_PLOT_MIN_WIDTH_PX, s)) != MS_OK)
        return st;
    if ((st = check_side(who, err, "height", o->height_px, MS_PLOT_DEFAULT_HEIGHT_PX,
                         MS_PLOT_MIN_HEIGHT_PX, s)) != MS_OK)
        return st;
    if ((st = check_range(who, err, "t0", o->t0_s, "t1", o->t1_s)) != MS_OK)
        return st;
    if ((st = check_range(who, err, "x_min", o->x_min, "x_max", o->x_max)) != MS_OK)
        return st;
    return check_range(who, err, "y_min", o->y_min, "y_max", o->y_max);
}

ms_status msi_fig_begin(msi_fig *f, const char *who, const ms_plot_opts *o, ms_error *err)
{
    memset(f, 0, sizeof *f);
    f->who = who;
    f->o = o;
    f->err = err;
    ms_status st = msi_opts_check(who, o, err);
    if (st != MS_OK)
        return st;
    f->w = o->width_px ? o->width_px : MS_PLOT_DEFAULT_WIDTH_PX;
    f->h = o->height_px ? o->height_px : MS_PLOT_DEFAULT_HEIGHT_PX;
    f->s = o->dpi_scale == 0.0 ? 1.0 : o->dpi_scale;
    f->surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, f->w, f->h);
    f->cr = cairo_create(f->surf);
    if (cairo_status(f->cr) != CAIRO_STATUS_SUCCESS) {
        st = msi_error(err, MS_ENOMEM, who, "cannot create a %d x %d image: %s", f->w, f->h,
                       cairo_status_to_string(cairo_status(f->cr)));
        msi_fig_free(f);
        return st;
    }
    cairo_set_source_rgb(f->cr, 1, 1, 1);
    cairo_paint(f->cr);
    cairo_select_font_face(f->cr, MSI_FONT_FACE, CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_line_join(f->cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(f->cr, CAIRO_LINE_CAP_BUTT);
    double m = MSI_MARGIN * f->s;
    f->free = (msi_rect){m, m, f->w - 2 * m, f->h - 2 * m};
    return MS_OK;
}

void msi_fig_free(msi_fig *f)
{
    if (f->cr)
        cairo_destroy(f->cr);
    if (f->surf)
        cairo_surface_destroy(f->surf);
    f->cr = NULL;
    f->surf = NULL;
}

static void utc_now(char *buf, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;
    if (now == (time_t)-1 || !gmtime_r(&now, &tm) ||
        strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, len, "unknown");
}

/* Copies an axis's ticks and their texts as drawn (none when its numbers are hidden). */
static void report_axis(const msi_axis *a, int *n, double *pos,
                        char (*text)[MS_PLOT_INFO_TEXT], char *title)
{
    *n = 0;
    for (int i = 0; i < a->ticks.n && i < MS_PLOT_INFO_TICKS; i++) {
        pos[*n] = a->ticks.v[i];
        snprintf(text[(*n)++], MS_PLOT_INFO_TEXT, "%s", a->hide_labels ? "" : a->text[i]);
    }
    snprintf(title, MS_PLOT_INFO_TITLE, "%s", a->hide_labels ? "" : a->title);
}

ms_status msi_fig_finish(msi_fig *f, const struct msi_axes *main)
{
    const ms_plot_opts *o = f->o;
    char software[64], date[DATE_LEN] = "";
    msi_png_text texts[6];
    size_t n = 0;

    cairo_surface_flush(f->surf);
    cairo_status_t cst = cairo_status(f->cr);
    if (cst != CAIRO_STATUS_SUCCESS)
        return msi_error(f->err, cst == CAIRO_STATUS_NO_MEMORY ? MS_ENOMEM : MS_EINVAL, f->who,
                         "drawing failed: %s", cairo_status_to_string(cst));
    const char *version = o->version && o->version[0] ? o->version : MS_VERSION_STRING;
    snprintf(software, sizeof software, "memsnn %s", version);
    if (!o->date || !o->date[0])
        utc_now(date, sizeof date);
    texts[n++] = (msi_png_text){"Software", software};
    texts[n++] = (msi_png_text){"memsnn-version", version};
    texts[n++] = (msi_png_text){"memsnn-script", o->script && o->script[0] ? o->script : "unknown"};
    texts[n++] = (msi_png_text){"memsnn-seed", o->seed && o->seed[0] ? o->seed : "unknown"};
    texts[n++] = (msi_png_text){"Creation Time", o->date && o->date[0] ? o->date : date};
    if (o->title && o->title[0])
        texts[n++] = (msi_png_text){"Title", o->title};

    msi_png_image img = {
        .argb = cairo_image_surface_get_data(f->surf),
        .width = f->w,
        .height = f->h,
        .stride = cairo_image_surface_get_stride(f->surf),
        .px_per_m = BASE_DPI * f->s / METRES_PER_INCH,
    };
    ms_status st = msi_png_write(o->file, &img, texts, n, f->who, f->err);
    if (st == MS_OK && o->info && main) {
        ms_plot_info *in = o->info;
        in->width_px = f->w;
        in->height_px = f->h;
        in->area_x_px = main->area.x;
        in->area_y_px = main->area.y;
        in->area_w_px = main->area.w;
        in->area_h_px = main->area.h;
        in->x_min = main->x.lo;
        in->x_max = main->x.hi;
        in->y_min = main->y.lo;
        in->y_max = main->y.hi;
        in->log_x = main->x.log;
        in->log_y = main->y.log;
        report_axis(&main->x, &in->n_x_ticks, in->x_ticks, in->x_tick_text, in->x_title);
        report_axis(&main->y, &in->n_y_ticks, in->y_ticks, in->y_tick_text, in->y_title);
        in->n_labels = 0;
        for (size_t i = 0; i < f->n_names && i < MS_PLOT_INFO_LABELS; i++)
            snprintf(in->labels[in->n_labels++], MS_PLOT_INFO_TEXT, "%s",
                     f->names[i].label ? f->names[i].label : "");
    }
    return st;
}

double msi_text_width(msi_fig *f, double size_px, const char *text)
{
    cairo_text_extents_t te;
    cairo_set_font_size(f->cr, size_px);
    cairo_text_extents(f->cr, text, &te);
    return te.x_advance;
}

void msi_text_draw(msi_fig *f, double x, double y, double size_px, const char *text, double ax,
                   double ay, double angle)
{
    cairo_font_extents_t fe;
    cairo_t *cr = f->cr;
    cairo_set_font_size(cr, size_px);
    cairo_font_extents(cr, &fe);
    double w = msi_text_width(f, size_px, text);
    /* Anchor on the font's box (ascent + descent), not the glyphs', so labels with and
     * without descenders sit on one line. */
    double dy = fe.ascent - ay * (fe.ascent + fe.descent);
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, angle);
    cairo_move_to(cr, -ax * w, dy);
    cairo_show_text(cr, text);
    cairo_new_path(cr);
    cairo_restore(cr);
}

void msi_text_fit(msi_fig *f, double size_px, const char *text, double max_w, char *out,
                  size_t out_len)
{
    if (out_len == 0)
        return;
    snprintf(out, out_len, "%s", text ? text : "");
    if (msi_text_width(f, size_px, out) <= max_w)
        return;
    size_t n = strlen(out);
    size_t el = strlen(ELLIPSIS);
    while (n > 0) {
        /* back up one UTF-8 character */
        do {
            n--;
        } while (n > 0 && ((unsigned char)out[n] & 0xC0) == 0x80);
        if (n + el + 1 > out_len)
            continue;
        memcpy(out + n, ELLIPSIS, el + 1);
        if (msi_text_width(f, size_px, out) <= max_w)
            return;
    }
    snprintf(out, out_len, ELLIPSIS);
}

void msi_fig_title(msi_fig *f)
{
    const char *t = f->o->title;
    if (!t || !t[0])
        return;
    double size = MSI_FONT_TITLE * f->s;
    double avail = f->free.w;
    double w = msi_text_width(f, size, t);
    char buf[MSI_TITLE_TEXT];
    if (w > avail)
        size = fmax(size * TITLE_MIN_SHRINK, size * avail / w);
    msi_text_fit(f, size, t, avail, buf, sizeof buf);
    cairo_set_source_rgb(f->cr, 0, 0, 0);
    msi_text_draw(f, f->w / 2.0, f->free.y, size, buf, 0.5, 0.0, 0.0);
    double used = size * 1.25 + MSI_LABEL_PAD * f->s;
    f->free.y += used;
    f->free.h -= used;
}

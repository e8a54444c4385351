/* neurons/noise_image.c: Gaussian pixel noise and clutter strokes (neurons/ms_noise_image.h). */
#include "neurons/ms_noise_image.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/ms_rng.h"

#define NOISE_TAG ((uint64_t)0xA4 << 40)
#define STROKE_HALF_WIDTH 0.75     /* 1.5 px wide, about an MNIST pen stroke's core          */
#define STROKE_LEN_MIN 0.15        /* x the smaller side                                     */
#define STROKE_LEN_MAX 0.45
#define STROKE_I_MIN 0.5
#define TWO_PI 6.283185307179586476925286766559

void ms_noise_opts_default(ms_noise_opts *o)
{
    *o = (ms_noise_opts){ .sigma = 0, .clutter = 0, .seed = 1 };
}

static int whole(double v, double max) { return isfinite(v) && v >= 0 && v == floor(v) && v <= max; }

ms_status ms_noise_set(ms_noise_opts *o, const char *name, double v, char *msg, size_t len)
{
    if (strcmp(name, "sigma") == 0) {
        if (!isfinite(v) || v < 0) return ms_msgf(msg, len, MS_EINVAL, "noise: sigma = %g must be finite and >= 0", v);
        o->sigma = v;
    } else if (strcmp(name, "clutter") == 0) {
        if (!whole(v, 1e6)) return ms_msgf(msg, len, MS_EINVAL, "noise: clutter = %g must be a whole number of strokes in 0..1e6", v);
        o->clutter = (int)v;
    } else if (strcmp(name, "seed") == 0) {
        /* 2^53: every whole number a double holds exactly */
        if (!whole(v, 9007199254740992.0)) return ms_msgf(msg, len, MS_EINVAL, "noise: seed = %g must be a whole number >= 0", v);
        o->seed = (uint64_t)v;
    } else {
        return ms_msgf(msg, len, MS_EINVAL, "noise: unknown noise type '%s' (expected: clutter, seed, sigma)", name);
    }
    return MS_OK;
}

int ms_noise_active(const ms_noise_opts *o) { return o && (o->sigma > 0 || o->clutter > 0); }

ms_status ms_noise_check(const ms_noise_opts *o, size_t n, size_t rows, size_t cols, char *msg, size_t len)
{
    if (!o) return MS_OK;
    if (!isfinite(o->sigma) || o->sigma < 0) return ms_msgf(msg, len, MS_EINVAL, "noise: sigma = %g must be finite and >= 0", o->sigma);
    if (o->clutter < 0) return ms_msgf(msg, len, MS_EINVAL, "noise: clutter = %d must be >= 0", o->clutter);
    if (o->clutter > 0 && (rows == 0 || cols == 0 || rows * cols != n))
        return ms_msgf(msg, len, MS_EINVAL,
                    "noise: clutter needs images of rows x cols pixels; these samples have %zu values and shape %zu x %zu",
                    n, rows, cols);
    return MS_OK;
}

/* Squared distance from (px, py) to the segment (x0, y0)-(x1, y1). */
static double seg_dist2(double px, double py, double x0, double y0, double x1, double y1)
{
    double dx = x1 - x0, dy = y1 - y0, l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double ex = x0 + t * dx - px, ey = y0 + t * dy - py;
    return ex * ex + ey * ey;
}

static void stroke(ms_rng *r, size_t rows, size_t cols, double *img)
{
    /* Pixel (row, col) has its centre at (col + 0.5, row + 0.5). */
    double x0 = ms_rng_uniform(r) * (double)cols, y0 = ms_rng_uniform(r) * (double)rows;
    double ang = TWO_PI * ms_rng_uniform(r);
    double side = (double)(rows < cols ? rows : cols);
    double l = side * (STROKE_LEN_MIN + (STROKE_LEN_MAX - STROKE_LEN_MIN) * ms_rng_uniform(r));
    double inten = STROKE_I_MIN + (1 - STROKE_I_MIN) * ms_rng_uniform(r);
    double x1 = x0 + l * cos(ang), y1 = y0 + l * sin(ang);
    double reach = STROKE_HALF_WIDTH + 0.5;
    double cx0 = fmin(x0, x1) - reach, cx1 = fmax(x0, x1) + reach;
    double cy0 = fmin(y0, y1) - reach, cy1 = fmax(y0, y1) + reach;
    long c_lo = (long)floor(cx0), c_hi = (long)ceil(cx1), r_lo = (long)floor(cy0), r_hi = (long)ceil(cy1);
    if (c_lo < 0) c_lo = 0;
    if (r_lo < 0) r_lo = 0;
    if (c_hi > (long)cols - 1) c_hi = (long)cols - 1;
    if (r_hi > (long)rows - 1) r_hi = (long)rows - 1;
    for (long rr = r_lo; rr <= r_hi; rr++)
        for (long cc = c_lo; cc <= c_hi; cc++) {
            double d = sqrt(seg_dist2((double)cc + 0.5, (double)rr + 0.5, x0, y0, x1, y1));
            double cov = reach - d;
            if (cov <= 0) continue;
            if (cov > 1) cov = 1;
            double v = inten * cov;
            double *p = &img[(size_t)rr * cols + (size_t)cc];
            if (v > *p) *p = v;
        }
}

void ms_noise_apply(const ms_noise_opts *o, uint64_t index, size_t n, size_t rows, size_t cols, double *img)
{
    if (!ms_noise_active(o)) return;
    ms_rng r;
    ms_rng_init(&r, o->seed, NOISE_TAG | (index & (((uint64_t)1 << 40) - 1)), MS_RNG_NOISE);
    for (int s = 0; s < o->clutter; s++) stroke(&r, rows, cols, img);
    if (o->sigma > 0)
        for (size_t i = 0; i < n; i++) img[i] += o->sigma * ms_rng_normal(&r);
    for (size_t i = 0; i < n; i++) img[i] = img[i] < 0 ? 0 : img[i] > 1 ? 1 : img[i];
}

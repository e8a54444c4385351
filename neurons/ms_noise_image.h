/* neurons/ms_noise_image.h: noisy images for robustness tests of classifiers (docs/ann.md,
 * "Noisy images"): additive Gaussian pixel noise and random clutter strokes, the same for a
 * given (seed, image index) whichever network looks at the image.
 *
 * On an image of pixels in [0, 1] (row-major, rows x cols):
 *   1. clutter: `clutter` bright strokes, each a straight segment 1.5 px wide, from a uniform
 *      start point in the image at a uniform angle, of length uniform in [0.15, 0.45] x the
 *      smaller side (4.2 to 12.6 px on 28 x 28, the size of a digit's stroke), intensity
 *      uniform in [0.5, 1]; a pixel takes max(pixel, intensity x coverage), coverage being
 *      clamp(1.25 - distance from the pixel centre to the segment, 0, 1) (anti-aliased);
 *   2. Gaussian noise: every pixel + sigma N(0, 1);
 *   3. every pixel clipped to [0, 1].
 * Image k draws from the Philox stream (seed, 0xA4 << 40 | k, MS_RNG_NOISE): 5 uniforms per
 * stroke (x, y, angle, length, intensity), then 2 per pixel (Box-Muller) when sigma > 0. */
#ifndef MEMSNN_NEURONS_MS_NOISE_IMAGE_H
#define MEMSNN_NEURONS_MS_NOISE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/ms_status.h"

typedef struct ms_noise_opts {
    double sigma;     /* sd of the additive Gaussian noise, pixel units, >= 0 (default 0)      */
    int clutter;      /* strokes per image, >= 0 (default 0); needs the image's rows x cols    */
    uint64_t seed;    /* default 1                                                              */
} ms_noise_opts;

void ms_noise_opts_default(ms_noise_opts *o);

/* Sets option `name` ("sigma", "clutter" or "seed") to v after checking it (sigma finite and
 * >= 0; clutter and seed whole numbers >= 0). Any other name: MS_EINVAL "noise: unknown noise
 * type 'x' (expected: clutter, seed, sigma)". */
ms_status ms_noise_set(ms_noise_opts *o, const char *name, double v, char *msg, size_t len);

/* 1 when o (may be NULL) changes an image: sigma > 0 or clutter > 0. */
int ms_noise_active(const ms_noise_opts *o);

/* MS_EINVAL when o cannot apply to images of n values of shape rows x cols (clutter needs
 * rows x cols = n, both >= 1). */
ms_status ms_noise_check(const ms_noise_opts *o, size_t n, size_t rows, size_t cols, char *msg,
                         size_t len);

/* Adds image `index`'s noise to img (n = rows x cols values, or any n when clutter is 0) in
 * place; o was checked with ms_noise_check. Does nothing when o is NULL or inactive. */
void ms_noise_apply(const ms_noise_opts *o, uint64_t index, size_t n, size_t rows, size_t cols,
                    double *img);

#endif

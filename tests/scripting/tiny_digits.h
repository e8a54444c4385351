/* tests/scripting/tiny_digits.h: a 4-class set of 4 x 4 images written as IDX files in a
 * folder of the test's own, for the training tests (memsnn.ann, memsnn.crossbar): class c
 * lights column c (0.6 .. 1) over a background of 0 .. 0.3, so a linear model separates it
 * and a few epochs reach near 100 %. Header-only: every test file is its own executable. */
#ifndef MEMSNN_TESTS_TINY_DIGITS_H
#define MEMSNN_TESTS_TINY_DIGITS_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/ms_rng.h"

/* IDX: magic 0x00000800 | type << 8 | ndims, big-endian sizes, then the bytes. */
static inline void tiny_write_idx(const char *dir, const char *name, const uint32_t *dims, int ndims,
                                  const uint8_t *v, size_t n)
{
    char path[1400]; /* dir (< 1024) / name (< 256) */
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert(f, "cannot write %s", path);
    unsigned char h[4] = { 0, 0, 0x08, (unsigned char)ndims };
    fwrite(h, 1, 4, f);
    for (int d = 0; d < ndims; d++) {
        unsigned char b[4] = { (unsigned char)(dims[d] >> 24), (unsigned char)(dims[d] >> 16), (unsigned char)(dims[d] >> 8),
                               (unsigned char)dims[d] };
        fwrite(b, 1, 4, f);
    }
    fwrite(v, 1, n, f);
    fclose(f);
}

/* dir/<stem>-images (n x 4 x 4), dir/<stem>-flat (n x 16) and dir/<stem>-labels (n). */
static inline void tiny_write_set(const char *dir, const char *stem, size_t n, uint64_t seed)
{
    uint8_t *img = malloc(n * 16), *lab = malloc(n);
    ms_rng r;
    ms_rng_init(&r, seed, 0, MS_RNG_USER);
    for (size_t k = 0; k < n; k++) {
        lab[k] = (uint8_t)(k % 4);
        for (int i = 0; i < 16; i++) {
            double v = i % 4 == (int)(k % 4) ? 0.6 + 0.4 * ms_rng_uniform(&r) : 0.3 * ms_rng_uniform(&r);
            img[k * 16 + i] = (uint8_t)(255 * v + 0.5);
        }
    }
    char name[256];
    uint32_t d3[3] = { (uint32_t)n, 4, 4 }, d2[2] = { (uint32_t)n, 16 }, d1[1] = { (uint32_t)n };
    snprintf(name, sizeof name, "%s-images", stem);
    tiny_write_idx(dir, name, d3, 3, img, n * 16);
    snprintf(name, sizeof name, "%s-flat", stem);
    tiny_write_idx(dir, name, d2, 2, img, n * 16);
    snprintf(name, sizeof name, "%s-labels", stem);
    tiny_write_idx(dir, name, d1, 1, lab, n);
    free(img), free(lab);
}

/* Makes "<MEMSNN_TEST_TMP>/<tag>-<pid>" in dir (a folder per process: Criterion runs tests in
 * parallel) and writes the training set (400) and the test set (40) there. */
static inline void tiny_digits_folder(const char *tag, char *dir, size_t len)
{
    const char *tmp = getenv("MEMSNN_TEST_TMP");
    snprintf(dir, len, "%s/%s-%d", tmp ? tmp : "/tmp", tag, (int)getpid());
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    tiny_write_set(dir, "train", 400, 1);
    tiny_write_set(dir, "test", 40, 2);
}

#endif

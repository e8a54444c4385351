/* tests/viz/viz_test.h: helpers shared by the viz tests: temporary paths, reading PNGs back
 * with libpng (pixels through the simplified API, text chunks through the full one), and pixel
 * checks on regions. Header-only (static functions) because every tests/viz/test_*.c is built
 * as its own executable. */
#ifndef MEMSNN_TESTS_VIZ_TEST_H
#define MEMSNN_TESTS_VIZ_TEST_H

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "viz/ms_plot.h"

/* A PNG read back as 8-bit RGBA. */
typedef struct test_img {
    int w, h;
    unsigned char *px;      /* w * h * 4 bytes */
} test_img;

/* Folder for test output: $MEMSNN_TEST_TMP, else /tmp. */
static inline const char *test_dir(void)
{
    const char *d = getenv("MEMSNN_TEST_TMP");
    return d && d[0] ? d : "/tmp";
}

/* "<test_dir>/viz-<pid>-<name>": unique per process, since Criterion runs tests in parallel. */
static inline const char *test_path(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/viz-%ld-%s", test_dir(), (long)getpid(), name);
    return buf;
}

static inline int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Number of entries in dir whose name starts with prefix (left-over temporary files). */
static inline int count_prefixed(const char *dir, const char *prefix)
{
    int n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            n++;
    }
    closedir(d);
    return n;
}

/* Reads path as RGBA; returns 0 on success. */
static inline int read_png(const char *path, test_img *img)
{
    png_image pi;
    memset(&pi, 0, sizeof pi);
    memset(img, 0, sizeof *img);
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&pi, path))
        return -1;
    pi.format = PNG_FORMAT_RGBA;
    img->px = malloc(PNG_IMAGE_SIZE(pi));
    if (!img->px || !png_image_finish_read(&pi, NULL, img->px, 0, NULL)) {
        png_image_free(&pi);
        free(img->px);
        img->px = NULL;
        return -1;
    }
    img->w = (int)pi.width;
    img->h = (int)pi.height;
    return 0;
}

static inline void free_img(test_img *img)
{
    free(img->px);
    img->px = NULL;
}

static inline const unsigned char *pixel(const test_img *img, int x, int y)
{
    return img->px + 4 * ((size_t)y * (size_t)img->w + (size_t)x);
}

static inline int is_white(const unsigned char *p)
{
    return p[0] == 255 && p[1] == 255 && p[2] == 255 && p[3] == 255;
}

/* Pixels in [x0, x1) x [y0, y1) that are not plain white background. */
static inline int ink_in(const test_img *img, int x0, int y0, int x1, int y1)
{
    int n = 0;
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > img->w ? img->w : x1;
    y1 = y1 > img->h ? img->h : y1;
    for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++)
            n += !is_white(pixel(img, x, y));
    }
    return n;
}

/* Is p the palette colour k laid over white with some opacity a in (0, 1]? (Raster marks
 * are blended by hit count; bars and lines are opaque.) Allows 3 levels of rounding. */
static inline int is_palette_ink(const unsigned char *p, size_t k)
{
    unsigned char c[3];
    ms_plot_palette_rgb(k, c);
    double a = -1.0;
    for (int i = 0; i < 3; i++) {
        if (c[i] < 200) {  /* a channel far from white tells the opacity */
            a = (255.0 - p[i]) / (255.0 - c[i]);
            break;
        }
    }
    if (!(a > 0.05) || a > 1.02)
        return 0;
    for (int i = 0; i < 3; i++) {
        double want = a * c[i] + (1.0 - a) * 255.0;
        if (fabs(want - p[i]) > 3.0)
            return 0;
    }
    return 1;
}

/* Text of the chunk key, or NULL; the result is malloc'ed. */
static inline char *png_text_of(const char *path, const char *key)
{
    char *volatile result = NULL;  /* assigned after setjmp */
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_read_struct(&png, &info, NULL);
        fclose(fp);
        return NULL;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        fclose(fp);
        return NULL;
    }
    png_init_io(png, fp);
    png_read_info(png, info);
    png_textp texts = NULL;
    int n = png_get_text(png, info, &texts, NULL);
    for (int i = 0; i < n; i++) {
        if (strcmp(texts[i].key, key) == 0) {
            result = strdup(texts[i].text);
            break;
        }
    }
    png_destroy_read_struct(&png, &info, NULL);
    fclose(fp);
    return result;
}

/* Options every test starts from: its own file, fixed provenance. */
static inline void test_opts(ms_plot_opts *o, const char *path)
{
    ms_plot_opts_init(o);
    o->file = path;
    o->version = "9.8.7-test";
    o->script = "scenarios/test_script.lua";
    o->seed = "12345";
    o->date = "2024-02-29T12:00:00Z";
}

/* The chunks test_opts() asked for are in the file, with those values. */
static inline void expect_provenance(const char *path)
{
    static const char *keys[] = {"Software", "memsnn-version", "memsnn-script", "memsnn-seed",
                                 "Creation Time"};
    static const char *want[] = {"memsnn 9.8.7-test", "9.8.7-test", "scenarios/test_script.lua",
                                 "12345", "2024-02-29T12:00:00Z"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char *v = png_text_of(path, keys[i]);
        cr_expect(v != NULL, "chunk '%s' missing", keys[i]);
        if (v)
            cr_expect(eq(str, v, (char *)want[i]), "chunk '%s'", keys[i]);
        free(v);
    }
}

#endif

/* viz/png_write.c: turns a Cairo ARGB32 image into a PNG file with provenance text chunks,
 * atomically. The only file that includes png.h.
 *
 * Why the full libpng write API and not png_image_write_to_file: the simplified API cannot add
 * text chunks, and provenance (version, script, seed, date) is the point of these files.
 * libpng reports errors by longjmp; every libpng call sits in encode(), whose setjmp catches
 * them, so no jump ever leaves this file (docs/plotting.md). The file appears whole or not at
 * all (core/ms_outfile.h). */
#include "viz/png_impl.h"

#include "core/ms_outfile.h"

#include <errno.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEXTS       16       /* text chunks per file; we write six at most            */
#define LIBPNG_MSG_LEN  160
/* zlib level and row filters: plots are flat colours and thin lines, where level 3 with the
 * SUB/UP filters is about twice as fast as libpng's defaults (level 6, all five filters
 * tried per row) for files about 1.3 to 2 times larger; for a dense 10^6-spike raster that is
 * the difference between ~0.25 s and ~0.13 s. */
#define ZLIB_LEVEL      3
#define ROW_FILTERS     (PNG_FILTER_NONE | PNG_FILTER_SUB | PNG_FILTER_UP)

typedef struct encode_ctx {
    char msg[LIBPNG_MSG_LEN];    /* libpng's last error message                           */
} encode_ctx;

static void on_png_error(png_structp png, png_const_charp msg)
{
    encode_ctx *c = png_get_error_ptr(png);
    snprintf(c->msg, sizeof c->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg)
{
    /* Library code never prints; a warning does not stop a valid file from being written. */
    (void)png;
    (void)msg;
}

/* Cairo keeps colour premultiplied by alpha; PNG wants it straight. */
static void argb32_row_to_rgba(const unsigned char *src, unsigned char *dst, int width)
{
    for (int x = 0; x < width; x++) {
        uint32_t p;
        memcpy(&p, src + 4 * (size_t)x, sizeof p);
        unsigned a = p >> 24, r = (p >> 16) & 0xFFu, g = (p >> 8) & 0xFFu, b = p & 0xFFu;
        unsigned char *o = dst + 4 * (size_t)x;
        if (a == 0) {
            o[0] = o[1] = o[2] = o[3] = 0;
        } else if (a == 255) {
            o[0] = (unsigned char)r, o[1] = (unsigned char)g, o[2] = (unsigned char)b, o[3] = 255;
        } else {
            o[0] = (unsigned char)((r * 255 + a / 2) / a);
            o[1] = (unsigned char)((g * 255 + a / 2) / a);
            o[2] = (unsigned char)((b * 255 + a / 2) / a);
            o[3] = (unsigned char)a;
        }
    }
}

static int is_ascii(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s >= 0x80)
            return 0;
    }
    return 1;
}

/* All libpng calls. Returns 0, or -1 with ctx->msg set. png and info are assigned before
 * setjmp and never after, so they are valid when the jump lands (C11 7.13.2.1). */
static int encode(FILE *fp, const msi_png_image *img, png_text *texts, int n_texts,
                  unsigned char *row, encode_ctx *ctx)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, ctx, on_png_error,
                                              on_png_warning);
    if (!png) {
        snprintf(ctx->msg, sizeof ctx->msg, "libpng could not start (out of memory?)");
        return -1;
    }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        snprintf(ctx->msg, sizeof ctx->msg, "libpng could not start (out of memory?)");
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return -1;
    }
    png_init_io(png, fp);
    png_set_compression_level(png, ZLIB_LEVEL);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, ROW_FILTERS);
    png_set_IHDR(png, info, (png_uint_32)img->width, (png_uint_32)img->height, 8,
                 PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (img->px_per_m > 0) {
        png_uint_32 ppm = (png_uint_32)(img->px_per_m + 0.5);
        png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
    }
    if (n_texts > 0)
        png_set_text(png, info, texts, n_texts);
    png_write_info(png, info);
    for (int y = 0; y < img->height; y++) {
        argb32_row_to_rgba(img->argb + (size_t)y * (size_t)img->stride, row, img->width);
        png_write_row(png, row);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return 0;
}

ms_status msi_png_write(const char *path, const msi_png_image *img, const msi_png_text *texts,
                        size_t n_texts, const char *who, ms_error *err)
{
    png_text chunks[MAX_TEXTS];
    encode_ctx ctx = {{0}};
    ms_status st = MS_OK;
    unsigned char *row = NULL;
    ms_outfile out;

    if (!path || !*path)
        return ms_error_set(err, MS_EINVAL, "%s: no output file given", who);
    if (!img || !img->argb || img->width <= 0 || img->height <= 0 ||
        img->stride < 4 * img->width)
        return ms_error_set(err, MS_EINVAL, "%s: bad image for '%s'", who, path);
    if (n_texts > MAX_TEXTS)
        return ms_error_set(err, MS_EINVAL, "%s: %zu text chunks, at most %d", who, n_texts,
                            MAX_TEXTS);
    memset(chunks, 0, sizeof chunks);
    for (size_t i = 0; i < n_texts; i++) {
        const char *t = texts[i].text ? texts[i].text : "";
        chunks[i].compression = is_ascii(t) ? PNG_TEXT_COMPRESSION_NONE
                                            : PNG_ITXT_COMPRESSION_NONE;
        chunks[i].key = (png_charp)texts[i].key;  /* png_set_text copies; never written */
        chunks[i].text = (png_charp)t;
        chunks[i].text_length = strlen(t);
    }

    row = malloc(4 * (size_t)img->width);
    if (!row)
        return ms_error_set(err, MS_ENOMEM, "%s: out of memory writing '%s'", who, path);
    st = ms_outfile_open(&out, path, who, err);
    if (st != MS_OK)
        goto done;
    if (encode(out.f, img, chunks, (int)n_texts, row, &ctx) != 0) {
        /* libpng says only "Write Error" when the disk refuses: the system's reason is errno */
        int e = ferror(out.f) ? errno : 0;
        ms_outfile_abort(&out);
        st = ms_error_set(err, MS_EIO, "%s: writing '%s' failed: %s%s%s%s; nothing was written under that name",
                          who, path, ctx.msg, e ? " (" : "", e ? strerror(e) : "", e ? ")" : "");
        goto done;
    }
    st = ms_outfile_commit(&out, who, err);

done:
    free(row);
    return st;
}

/* viz/png_write.c: turns a Cairo ARGB32 image into a PNG file with provenance text chunks,
 * atomically. The only file that includes png.h.
 *
 * Why the full libpng write API and not png_image_write_to_file: the simplified API cannot add
 * text chunks, and provenance (version, script, seed, date) is the point of these files.
 * libpng reports errors by longjmp; every libpng call sits in encode(), whose setjmp catches
 * them, so no jump ever leaves this file (docs/plotting.md). */
#include "viz/png_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TEXTS       16       /* text chunks per file; we write six at most            */
#define TMP_SUFFIX      ".tmp-XXXXXX"
#define DEFAULT_UMASK   022      /* when /proc/self/status does not tell                  */
#define FILE_MODE       0666     /* before the umask, as fopen() would create it          */
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

/* The process umask without changing it (umask() would race with other threads). */
static mode_t current_umask(void)
{
    mode_t mask = DEFAULT_UMASK;
    char line[128];
    FILE *st = fopen("/proc/self/status", "r");
    if (!st)
        return mask;
    while (fgets(line, sizeof line, st)) {
        if (strncmp(line, "Umask:", 6) == 0) {
            mask = (mode_t)strtoul(line + 6, NULL, 8);
            break;
        }
    }
    fclose(st);
    return mask;
}

/* Makes the rename itself durable; best effort, the file is complete either way. */
static void sync_parent_dir(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(dir, sizeof dir, ".");
    } else if (slash == path) {
        snprintf(dir, sizeof dir, "/");
    } else {
        size_t n = (size_t)(slash - path);
        if (n >= sizeof dir)
            return;
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

static ms_status io_error(ms_error *err, const char *who, const char *what, const char *path,
                          int errnum)
{
    char reason[128];
    if (strerror_r(errnum, reason, sizeof reason) != 0)
        snprintf(reason, sizeof reason, "error %d", errnum);
    return ms_error_set(err, MS_EIO, "%s: %s '%s': %s", who, what, path, reason);
}

ms_status msi_png_write(const char *path, const msi_png_image *img, const msi_png_text *texts,
                        size_t n_texts, const char *who, ms_error *err)
{
    png_text chunks[MAX_TEXTS];
    encode_ctx ctx = {{0}};
    ms_status st = MS_OK;
    char *tmp = NULL;
    unsigned char *row = NULL;
    FILE *fp = NULL;
    int fd = -1;
    int rc;

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

    tmp = malloc(strlen(path) + sizeof TMP_SUFFIX);
    row = malloc(4 * (size_t)img->width);
    if (!tmp || !row) {
        st = ms_error_set(err, MS_ENOMEM, "%s: out of memory writing '%s'", who, path);
        goto done;
    }
    strcpy(tmp, path);
    strcat(tmp, TMP_SUFFIX);
    fd = mkstemp(tmp);
    if (fd < 0) {
        st = io_error(err, who, "cannot create a file next to", path, errno);
        tmp[0] = '\0';  /* nothing to remove */
        goto done;
    }
    (void)fchmod(fd, FILE_MODE & ~current_umask());  /* mkstemp makes it 0600 */
    fp = fdopen(fd, "wb");
    if (!fp) {
        st = io_error(err, who, "cannot write", tmp, errno);
        close(fd);
        goto done;
    }
    if (encode(fp, img, chunks, (int)n_texts, row, &ctx) != 0) {
        st = ms_error_set(err, MS_EIO, "%s: writing '%s' failed: %s", who, path, ctx.msg);
        goto done;
    }
    if (fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
        st = io_error(err, who, "cannot write", path, errno);
        goto done;
    }
    rc = fclose(fp);
    fp = NULL;
    if (rc != 0) {
        st = io_error(err, who, "cannot write", path, errno);
        goto done;
    }
    if (rename(tmp, path) != 0) {
        st = io_error(err, who, "cannot replace", path, errno);
        goto done;
    }
    tmp[0] = '\0';  /* it is the final file now */
    sync_parent_dir(path);

done:
    if (fp)
        fclose(fp);
    if (tmp && tmp[0])
        unlink(tmp);
    free(tmp);
    free(row);
    return st;
}

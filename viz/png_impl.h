/* viz/png_impl.h: internal interface of viz/png_write.c, the only file that includes png.h.
 * Knows nothing of Cairo beyond the layout of its ARGB32 pixels. */
#ifndef MEMSNN_VIZ_PNG_IMPL_H
#define MEMSNN_VIZ_PNG_IMPL_H

#include <stddef.h>

#include "core/ms_status.h"

/* One PNG text chunk. ASCII text goes into tEXt, anything else into iTXt (UTF-8). */
typedef struct msi_png_text {
    const char *key;          /* 1..79 printable Latin-1 characters, e.g. "memsnn-seed"   */
    const char *text;
} msi_png_text;

/* An image in Cairo's CAIRO_FORMAT_ARGB32: one native-endian uint32 per pixel,
 * 0xAARRGGBB with colour premultiplied by alpha. */
typedef struct msi_png_image {
    const unsigned char *argb;
    int width, height;        /* px                                                         */
    int stride;               /* bytes from one row to the next                            */
    double px_per_m;          /* physical resolution for the pHYs chunk; 0 = none          */
} msi_png_image;

/* Writes img as 8-bit RGBA PNG to path with the given text chunks. Atomic: writes
 * "<path>.tmp-XXXXXX" in the same folder, fsyncs it, renames it over path; on any failure the
 * temporary file is removed and path is untouched. Errors (MS_EIO, MS_ENOMEM, MS_EINVAL) go
 * to err as "who: ...". */
ms_status msi_png_write(const char *path, const msi_png_image *img, const msi_png_text *texts,
                        size_t n_texts, const char *who, ms_error *err);

#endif

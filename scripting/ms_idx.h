/* scripting/ms_idx.h: reading IDX files, the format of MNIST and Fashion-MNIST (docs/data.md),
 * plain or gzip-compressed.
 *
 * An IDX file is a 4-byte magic number 0x00000800 | type << 8 | ndims, then ndims sizes as
 * big-endian 32-bit integers, then the values in row-major order, big-endian. Unsigned
 * bytes (images, labels) are kept as bytes: 10,000 MNIST images are 7.8 MB so, and would be
 * 63 MB as doubles. Every other type is converted to double (exact for all of them). */
#ifndef MEMSNN_SCRIPTING_MS_IDX_H
#define MEMSNN_SCRIPTING_MS_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "core/ms_status.h"

/* More dimensions than images (count x rows x columns) or colour images need are refused,
 * so a corrupt header is found early. */
#define MS_IDX_MAX_DIMS 4

/* The type codes, as in the file's third byte. */
typedef enum ms_idx_type {
    MS_IDX_UBYTE = 0x08,   /* unsigned 8-bit  */
    MS_IDX_BYTE = 0x09,    /* signed 8-bit    */
    MS_IDX_SHORT = 0x0B,   /* signed 16-bit   */
    MS_IDX_INT = 0x0C,     /* signed 32-bit   */
    MS_IDX_FLOAT = 0x0D,   /* IEEE 754 32-bit */
    MS_IDX_DOUBLE = 0x0E   /* IEEE 754 64-bit */
} ms_idx_type;

typedef struct ms_idx {
    ms_idx_type type;              /* the type stored in the file                          */
    int ndims;                     /* 1 .. MS_IDX_MAX_DIMS                                 */
    size_t dims[MS_IDX_MAX_DIMS];  /* sizes, slowest-varying first; unused ones are 1      */
    size_t count;                  /* number of values: the product of the dims            */
    uint8_t *u8;                   /* type ubyte: the values as stored; NULL otherwise     */
    double *f64;                   /* any other type: the values as doubles; NULL for ubyte */
} ms_idx;

/* Reads the IDX file at path (gzip-compressed or not: zlib tells by its first bytes, so the
 * name need not end in .gz) into *out, which the caller frees with ms_idx_free. On failure
 * returns MS_EIO (cannot open or read, truncated, trailing data), MS_EINVAL (bad magic
 * number, unknown type code, too many dimensions, a size too large to hold) or MS_ENOMEM,
 * writes a message naming the file into msg, and leaves *out empty. */
ms_status ms_idx_read(const char *path, ms_idx *out, char *msg, size_t len);

/* Frees the values and empties *idx (safe on an empty or freed one). */
void ms_idx_free(ms_idx *idx);

/* Value k (0-based, row-major) as a double, whatever the type. k must be < count. */
static inline double ms_idx_value(const ms_idx *idx, size_t k)
{
    return idx->u8 ? (double)idx->u8[k] : idx->f64[k];
}

/* "ubyte", "byte", "short", "int", "float", "double", or "unknown". */
const char *ms_idx_type_name(ms_idx_type type);

/* Bytes one value of the type takes in the file, or 0 for an unknown code. */
size_t ms_idx_type_size(int type);

#endif

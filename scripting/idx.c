/* scripting/idx.c: reading IDX files, plain or gzip-compressed (scripting/ms_idx.h).
 *
 * Everything goes through zlib's gzread, which passes a file that is not gzip through
 * unchanged, so one path reads train-images-idx3-ubyte and train-images-idx3-ubyte.gz.
 * The header's sizes are not trusted for allocation: values are read in chunks into an
 * array that grows as data arrives, so a corrupt header that claims terabytes fails as
 * "truncated" after reading the file, not as an allocation of terabytes. */
#include "scripting/ms_idx.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

enum { CHUNK = 1 << 16 };   /* bytes read per gzread; a multiple of every value size */

const char *ms_idx_type_name(ms_idx_type type)
{
    switch (type) {
    case MS_IDX_UBYTE: return "ubyte";
    case MS_IDX_BYTE: return "byte";
    case MS_IDX_SHORT: return "short";
    case MS_IDX_INT: return "int";
    case MS_IDX_FLOAT: return "float";
    case MS_IDX_DOUBLE: return "double";
    }
    return "unknown";
}

size_t ms_idx_type_size(int type)
{
    switch (type) {
    case MS_IDX_UBYTE: case MS_IDX_BYTE: return 1;
    case MS_IDX_SHORT: return 2;
    case MS_IDX_INT: case MS_IDX_FLOAT: return 4;
    case MS_IDX_DOUBLE: return 8;
    }
    return 0;
}

void ms_idx_free(ms_idx *idx)
{
    if (!idx) return;
    free(idx->u8);
    free(idx->f64);
    memset(idx, 0, sizeof *idx);
}

/* Reads up to n bytes; returns how many (fewer only at the end of the data), or -1 on a read
 * error, whose text is left in *why. */
static long long read_some(gzFile f, unsigned char *buf, size_t n, const char **why)
{
    size_t got = 0;
    while (got < n) {
        size_t want = n - got;
        if (want > (size_t)INT_MAX) want = (size_t)INT_MAX;
        int r = gzread(f, buf + got, (unsigned)want);
        if (r < 0) {
            int zerr;
            *why = gzerror(f, &zerr);
            if (zerr == Z_ERRNO) *why = strerror(errno);
            return -1;
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    return (long long)got;
}

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

/* Converts k big-endian values of the type at src into doubles. */
static void convert(int type, const unsigned char *src, size_t k, double *dst)
{
    for (size_t i = 0; i < k; i++) {
        switch (type) {
        case MS_IDX_BYTE:
            dst[i] = (double)(int8_t)src[i];
            break;
        case MS_IDX_SHORT:
            dst[i] = (double)(int16_t)(uint16_t)((unsigned)src[2 * i] << 8 | src[2 * i + 1]);
            break;
        case MS_IDX_INT:
            dst[i] = (double)(int32_t)be32(src + 4 * i);
            break;
        case MS_IDX_FLOAT: {
            uint32_t u = be32(src + 4 * i);
            float v;
            memcpy(&v, &u, sizeof v);
            dst[i] = (double)v;
            break;
        }
        case MS_IDX_DOUBLE: {
            uint64_t u = (uint64_t)be32(src + 8 * i) << 32 | be32(src + 8 * i + 4);
            double v;
            memcpy(&v, &u, sizeof v);
            dst[i] = v;
            break;
        }
        default:
            break;
        }
    }
}

/* "10000 x 28 x 28" */
static void dims_text(const ms_idx *idx, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int d = 0; d < idx->ndims && used < len; d++) {
        int w = snprintf(buf + used, len - used, "%s%zu", d ? " x " : "", idx->dims[d]);
        if (w < 0) break;
        used += (size_t)w;
    }
}

/* Makes room for `need` values in the array being filled, doubling so the copies add up to
 * at most twice the data. */
static int reserve(ms_idx *idx, size_t need, size_t *cap)
{
    if (need <= *cap) return 1;
    size_t ncap = *cap ? *cap : CHUNK;
    while (ncap < need) ncap = ncap > idx->count / 2 ? idx->count : 2 * ncap;
    if (ncap > idx->count) ncap = idx->count;
    if (idx->type == MS_IDX_UBYTE) {
        uint8_t *p = realloc(idx->u8, ncap);
        if (!p) return 0;
        idx->u8 = p;
    } else {
        double *p = realloc(idx->f64, ncap * sizeof *p);
        if (!p) return 0;
        idx->f64 = p;
    }
    *cap = ncap;
    return 1;
}

static ms_status read_open(gzFile f, const char *path, ms_idx *out, char *msg, size_t len)
{
    unsigned char head[4 * (1 + MS_IDX_MAX_DIMS)];
    const char *why = NULL;
    long long got = read_some(f, head, 4, &why);
    if (got < 0) return ms_msgf(msg, len, MS_EIO, "idx: reading '%s' failed: %s", path, why);
    if (got < 4)
        return ms_msgf(msg, len, MS_EIO, "idx: '%s' is truncated: it has %lld bytes, an IDX header at least 8",
                    path, got);
    uint32_t magic = be32(head);
    if (magic >> 16) {
        /* A header written little-endian is a common mistake of hand-made writers. */
        uint32_t swapped = (magic >> 24) | ((magic >> 8) & 0xff00u) | ((magic << 8) & 0xff0000u) | (magic << 24);
        return ms_msgf(msg, len, MS_EINVAL,
                    "idx: '%s' is not an IDX file: bad magic number 0x%08X, expected 0x00000800 | type << 8 | ndims "
                    "(0x00000803 for MNIST images, 0x00000801 for labels)%s",
                    path, (unsigned)magic,
                    swapped >> 16 == 0 && ms_idx_type_size((int)(swapped >> 8))
                        ? "; its bytes are in little-endian order" : "");
    }
    int type = (int)(magic >> 8 & 0xff), ndims = (int)(magic & 0xff);
    size_t size = ms_idx_type_size(type);
    if (size == 0)
        return ms_msgf(msg, len, MS_EINVAL,
                    "idx: '%s': unsupported data type code 0x%02X (magic number 0x%08X); IDX types are "
                    "0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double",
                    path, (unsigned)type, (unsigned)magic);
    if (ndims < 1 || ndims > MS_IDX_MAX_DIMS)
        return ms_msgf(msg, len, MS_EINVAL, "idx: '%s' declares %d dimensions (magic number 0x%08X); memsnn reads 1 to %d",
                    path, ndims, (unsigned)magic, MS_IDX_MAX_DIMS);
    got = read_some(f, head + 4, 4 * (size_t)ndims, &why);
    if (got < 0) return ms_msgf(msg, len, MS_EIO, "idx: reading '%s' failed: %s", path, why);
    if (got < 4 * ndims)
        return ms_msgf(msg, len, MS_EIO,
                    "idx: '%s' is truncated: its header needs %d dimension sizes (%d bytes after the magic number), "
                    "file has %lld", path, ndims, 4 * ndims, got);

    out->type = (ms_idx_type)type;
    out->ndims = ndims;
    out->count = 1;
    for (int d = 0; d < MS_IDX_MAX_DIMS; d++) out->dims[d] = 1;
    int too_big = 0;
    for (int d = 0; d < ndims; d++) {
        out->dims[d] = be32(head + 4 + 4 * d);
        if (out->dims[d] && out->count > SIZE_MAX / size / out->dims[d]) too_big = 1;
        else out->count *= out->dims[d];
    }
    char dims[128];
    dims_text(out, dims, sizeof dims);
    const char *tname = ms_idx_type_name(out->type);
    if (too_big)
        return ms_msgf(msg, len, MS_EINVAL, "idx: '%s': its dims %s (%s) are too many values to hold; a corrupt header?",
                    path, dims, tname);

    size_t nbytes = out->count * size, done = 0, cap = 0;
    unsigned char *chunk = out->type == MS_IDX_UBYTE ? NULL : malloc(CHUNK);
    if (out->type != MS_IDX_UBYTE && !chunk)
        return ms_msgf(msg, len, MS_ENOMEM, "idx: out of memory reading '%s'", path);
    ms_status st = MS_OK;
    while (done < nbytes) {
        size_t want = nbytes - done < CHUNK ? nbytes - done : CHUNK;
        if (!reserve(out, (done + want) / size, &cap)) {
            st = ms_msgf(msg, len, MS_ENOMEM, "idx: out of memory reading '%s' (%s %s)", path, dims, tname);
            break;
        }
        unsigned char *dst = chunk ? chunk : out->u8 + done;
        got = read_some(f, dst, want, &why);
        if (got < 0) {
            st = ms_msgf(msg, len, MS_EIO, "idx: reading '%s' failed: %s", path, why);
            break;
        }
        if (chunk) convert(type, chunk, (size_t)got / size, out->f64 + done / size);
        done += (size_t)got;
        if ((size_t)got < want) {
            int zerr = Z_OK;
            gzerror(f, &zerr);
            st = ms_msgf(msg, len, MS_EIO, "idx: '%s' is truncated: expected %zu bytes of data (%s %s), file has %zu%s",
                      path, nbytes, dims, tname, done,
                      zerr == Z_BUF_ERROR ? " (its gzip stream is cut short)" : "");
            break;
        }
    }
    if (st == MS_OK) {
        /* Data past the last value means the header does not describe this file. */
        unsigned char extra[4096];
        size_t more = 0;
        while ((got = read_some(f, extra, sizeof extra, &why)) > 0) more += (size_t)got;
        if (got < 0) st = ms_msgf(msg, len, MS_EIO, "idx: reading '%s' failed: %s", path, why);
        else if (more)
            st = ms_msgf(msg, len, MS_EIO,
                      "idx: '%s': size mismatch: expected %zu bytes of data (%s %s), file has %zu; "
                      "the header does not describe the file",
                      path, nbytes, dims, tname, nbytes + more);
    }
    free(chunk);
    if (st == MS_OK && !out->u8 && !out->f64) {
        /* No values (a dimension of size 0): still a pointer, so u8 == NULL keeps meaning
         * "not ubyte" and callers need not test for NULL. */
        if (out->type == MS_IDX_UBYTE) out->u8 = malloc(1);
        else out->f64 = malloc(sizeof(double));
        if (!out->u8 && !out->f64) st = ms_msgf(msg, len, MS_ENOMEM, "idx: out of memory reading '%s'", path);
    }
    return st;
}

ms_status ms_idx_read(const char *path, ms_idx *out, char *msg, size_t len)
{
    if (msg && len) msg[0] = '\0';
    if (!out) return ms_msgf(msg, len, MS_EINVAL, "idx: no result given");
    memset(out, 0, sizeof *out);
    if (!path) return ms_msgf(msg, len, MS_EINVAL, "idx: no path given");
    errno = 0;
    gzFile f = gzopen(path, "rb");
    if (!f) return ms_msgf(msg, len, MS_EIO, "idx: cannot open '%s': %s", path, errno ? strerror(errno) : "out of memory");
    gzbuffer(f, CHUNK);
    ms_status st = read_open(f, path, out, msg, len);
    gzclose(f);
    if (st != MS_OK) ms_idx_free(out);
    return st;
}

/* scripting/rowfile.c: recordings streamed to CSV or NPY files (scripting/rowfile.h). */
#include "scripting/rowfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* NPY: magic (6) + version (2) + header length (2) + the dict padded with spaces and ended by
 * '\n'. 128 bytes leave room for two 20-digit numbers in the shape, and numpy wants the data to
 * start on a multiple of 64 bytes. */
#define NPY_HEADER 128
/* Bytes one number takes at most in CSV: "%.17g" of a double is at most 24 characters
 * ("-2.2250738585072014e-308"), plus the separator. */
#define CSV_NUMBER 25

struct ms_rowfile {
    int fd;
    int npy;
    size_t n_cols;
    size_t rows;        /* complete rows in the file                                 */
    off_t size;         /* bytes of the header and the complete rows                 */
    char *buf;          /* one append, grown when a window brings more rows          */
    size_t cap;
    char path[4096];
};

int ms_rowfile_format(const char *path)
{
    size_t n = path ? strlen(path) : 0;
    if (n > 4 && strcmp(path + n - 4, ".csv") == 0) return 0;
    if (n > 4 && strcmp(path + n - 4, ".npy") == 0) return 1;
    return -1;
}

static int fail(char *msg, size_t len, const char *what, const char *path, int e)
{
    snprintf(msg, len, "%s '%s': %s", what, path, strerror(e));
    return -1;
}

/* write(2) until done; 0, or -1 with errno. */
static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            if (k == 0) errno = EIO;
            return -1;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static void npy_header(char *h, size_t rows, size_t cols)
{
    memset(h, ' ', NPY_HEADER);
    memcpy(h, "\x93NUMPY\x01\x00", 8);
    h[8] = (char)((NPY_HEADER - 10) & 0xff);
    h[9] = (char)((NPY_HEADER - 10) >> 8);
    int n = snprintf(h + 10, NPY_HEADER - 10, "{'descr': '<f8', 'fortran_order': False, 'shape': (%zu, %zu), }",
                     rows, cols);
    h[10 + n] = ' '; /* snprintf's terminator becomes padding */
    h[NPY_HEADER - 1] = '\n';
}

static int grow(ms_rowfile *f, size_t need, char *msg, size_t len)
{
    if (need <= f->cap) return 0;
    size_t cap = f->cap ? f->cap : 4096;
    while (cap < need) cap *= 2;
    char *b = realloc(f->buf, cap);
    if (!b) return snprintf(msg, len, "out of memory for %zu bytes of rows", cap), -1;
    f->buf = b;
    f->cap = cap;
    return 0;
}

int ms_rowfile_open(ms_rowfile **out, const char *path, const char *header, size_t n_cols, char *msg, size_t len)
{
    *out = NULL;
    int npy = ms_rowfile_format(path);
    if (npy < 0) return snprintf(msg, len, "'%s' must end in .csv or .npy", path), -1;
    ms_rowfile *f = calloc(1, sizeof *f);
    if (!f) return snprintf(msg, len, "out of memory"), -1;
    snprintf(f->path, sizeof f->path, "%s", path);
    f->npy = npy;
    f->n_cols = n_cols;
    f->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (f->fd < 0) {
        free(f);
        return fail(msg, len, "cannot create", path, errno);
    }
    int bad;
    if (npy) {
        char h[NPY_HEADER];
        npy_header(h, 0, n_cols);
        bad = write_all(f->fd, h, NPY_HEADER);
        f->size = NPY_HEADER;
    } else {
        size_t n = strlen(header);
        bad = write_all(f->fd, header, n) || write_all(f->fd, "\n", 1);
        f->size = (off_t)n + 1;
    }
    if (bad) {
        int e = errno;
        ms_rowfile_discard(f);
        return fail(msg, len, "cannot write", path, e);
    }
    *out = f;
    return 0;
}

int ms_rowfile_write(void *rowfile, const ms_rows *rows, char *msg, size_t len)
{
    ms_rowfile *f = rowfile;
    if (rows->n == 0) return 0;
    size_t per_row = f->npy ? f->n_cols * sizeof(double) : f->n_cols * CSV_NUMBER + 1;
    if (grow(f, rows->n * per_row + 1, msg, len)) return -1;
    char *p = f->buf;
    for (size_t r = 0; r < rows->n; r++) {
        double row[2];
        const double *v = rows->values ? rows->values + r * rows->n_values : row + 1;
        row[0] = rows->t[r];
        if (!rows->values) row[1] = (double)(rows->units[r] + 1);
        if (f->npy) {
            /* little-endian f8: the byte order of the machines memsnn builds on (x86-64, arm64) */
            memcpy(p, &row[0], sizeof(double)), p += sizeof(double);
            memcpy(p, v, (f->n_cols - 1) * sizeof(double)), p += (f->n_cols - 1) * sizeof(double);
        } else {
            p += sprintf(p, "%.17g", row[0]);
            if (!rows->values) p += sprintf(p, ",%zu", rows->units[r] + 1);
            else
                for (size_t c = 0; c + 1 < f->n_cols; c++) p += sprintf(p, ",%.17g", v[c]);
            *p++ = '\n';
        }
    }
    size_t n = (size_t)(p - f->buf);
    if (write_all(f->fd, f->buf, n) != 0) {
        int e = errno;
        /* Cut back to the last complete row, so the file stays valid (best effort: should
         * this fail too, the NPY header still counts only the complete rows). */
        if (ftruncate(f->fd, f->size) == 0) (void)lseek(f->fd, f->size, SEEK_SET);
        return fail(msg, len, "cannot write", f->path, e);
    }
    f->size += (off_t)n;
    f->rows += rows->n;
    if (f->npy) {
        char h[NPY_HEADER];
        npy_header(h, f->rows, f->n_cols);
        if (pwrite(f->fd, h, NPY_HEADER, 0) != NPY_HEADER) return fail(msg, len, "cannot update the header of", f->path, errno);
    }
    return 0;
}

void ms_rowfile_close(void *rowfile)
{
    ms_rowfile *f = rowfile;
    if (!f) return;
    close(f->fd);
    free(f->buf);
    free(f);
}

void ms_rowfile_discard(ms_rowfile *f)
{
    if (!f) return;
    unlink(f->path);
    ms_rowfile_close(f);
}

size_t ms_rowfile_rows(const ms_rowfile *f) { return f->rows; }

/* tests/fuzz/fuzz_readers.c: libFuzzer harness over the file readers memsnn has: IDX data
 * files, plain and gzip-compressed (scripting/idx.c, memsnn.data.idx), and the weight file of
 * the network of functions (neurons/ann_io.c, memsnn.ann.load and net:load). (memsnn writes
 * CSV and NPY but reads neither.)
 *
 * The first byte picks the reader; the rest is the file, written to an in-memory file (memfd)
 * and read through its /proc path, as a script would read it. Beyond "no crash, no sanitizer
 * report", an accepted file must be what its header says: the checks below abort (a finding)
 * if a reader accepts a file whose size or values do not agree with its header. */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zlib.h>

#include "neurons/ms_ann.h"
#include "scripting/ms_idx.h"

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_readers: %s\n", what);
    abort();
}

/* An in-memory file holding data; its path is written to path. */
static int memfile(const uint8_t *data, size_t size, char *path, size_t len)
{
    int fd = memfd_create("memsnn-fuzz", 0);
    if (fd < 0) fail("memfd_create failed");
    for (size_t done = 0; done < size;) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0) fail("write to memfd failed");
        done += (size_t)w;
    }
    snprintf(path, len, "/proc/self/fd/%d", fd);
    return fd;
}

/* An accepted IDX file: as many values as its dims say, each readable; a plain file exactly
 * as long as its header and values. */
static void check_idx(const ms_idx *t, size_t plain_size)
{
    if (t->ndims < 1 || t->ndims > MS_IDX_MAX_DIMS) fail("idx: accepted with an impossible ndims");
    size_t count = 1;
    for (int d = 0; d < MS_IDX_MAX_DIMS; d++) count *= d < t->ndims ? t->dims[d] : 1;
    if (count != t->count) fail("idx: count is not the product of the dims");
    if (!t->u8 == !t->f64) fail("idx: needs exactly one of u8 and f64");
    if ((t->type == MS_IDX_UBYTE) != (t->u8 != NULL)) fail("idx: u8 used for a type other than ubyte");
    double sum = 0;
    for (size_t k = 0; k < t->count; k++) sum += fabs(ms_idx_value(t, k)) > 0;   /* reads every value */
    if (sum > (double)t->count) fail("idx: impossible");
    size_t expect = 4 + 4 * (size_t)t->ndims + t->count * ms_idx_type_size(t->type);
    if (plain_size && plain_size != expect) fail("idx: accepted a file whose size does not match its header");
}

static void fuzz_idx(const uint8_t *data, size_t size, int gzip)
{
    uint8_t *packed = NULL;
    uLongf plen = 0;
    if (gzip) {
        /* the input, gzip-compressed: the reader's path through zlib */
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) fail("deflateInit2");
        plen = deflateBound(&zs, (uLong)size);
        packed = malloc(plen ? plen : 1);
        zs.next_in = (Bytef *)data, zs.avail_in = (uInt)size;
        zs.next_out = packed, zs.avail_out = (uInt)plen;
        if (deflate(&zs, Z_FINISH) != Z_STREAM_END) fail("deflate");
        plen = zs.total_out;
        deflateEnd(&zs);
        /* one time in four, cut the stream short: a truncated download */
        if (size && data[size - 1] % 4 == 0) plen = plen * data[0] / 256;
    }
    char path[64], msg[512];
    int fd = gzip ? memfile(packed, plen, path, sizeof path) : memfile(data, size, path, sizeof path);
    ms_idx t;
    ms_status st = ms_idx_read(path, &t, msg, sizeof msg);
    if (st == MS_OK) check_idx(&t, gzip ? 0 : size);
    else if (!msg[0] || t.u8 || t.f64 || t.count) fail("idx: a failure without a message or with values left");
    ms_idx_free(&t);
    close(fd);
    free(packed);
}

static void fuzz_ann(const uint8_t *data, size_t size, int into_existing)
{
    char path[64], msg[512];
    int fd = memfile(data, size, path, sizeof path);
    if (!into_existing) {
        ms_ann *a = NULL;
        ms_status st = ms_ann_load(path, &a, msg, sizeof msg);
        if (st == MS_OK) {
            const ms_ann_opts *o = ms_ann_options(a);
            size_t np = o->n_in * o->n_hidden + o->n_hidden * o->n_out;
            if (ms_ann_n_params(a) != np) fail("ann: parameter count differs from the header");
            if (64 + 4 * o->n_in + 8 * np != size) fail("ann: accepted a file whose size does not match its header");
            /* a forward pass on a small network: every weight was read and is finite */
            if (o->n_in <= 4096 && o->n_out <= 4096) {
                double *x = calloc(o->n_in, sizeof *x), *out = calloc(o->n_out, sizeof *out);
                for (size_t i = 0; i < o->n_in; i++) x[i] = 0.5;
                if (ms_ann_forward(a, x, out, NULL, NULL, NULL) != MS_OK) fail("ann: forward failed on a loaded network");
                free(x), free(out);
            }
        } else if (!msg[0] || a) {
            fail("ann: a failure without a message, or with a network");
        }
        ms_ann_free(a);
    } else {
        /* into a small network (3 inputs in 3 branches, 2 hidden, 2 outputs): the file must
         * match it, and a refused file leaves the weights as they were */
        ms_ann_opts o;
        ms_ann_opts_default(&o);
        o.n_in = 3, o.n_hidden = 2, o.n_out = 2, o.branches = 3;
        ms_ann *a = NULL;
        if (ms_ann_create(&o, &a, msg, sizeof msg) != MS_OK) fail(msg);
        double before[12];
        if (ms_ann_n_params(a) != 10) fail("ann: unexpected parameter count of the test network");
        memcpy(before, ms_ann_params(a), 10 * sizeof *before);
        if (ms_ann_load_weights(a, path) != MS_OK) {
            if (!ms_ann_errmsg(a)[0]) fail("ann: load_weights failed without a message");
            if (memcmp(before, ms_ann_params(a), 10 * sizeof *before) != 0) fail("ann: a refused file changed the weights");
        } else if (size != 64 + 4 * 3 + 8 * 10) {
            fail("ann: load_weights accepted a file of the wrong size");
        }
        ms_ann_free(a);
    }
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    switch (data[0] % 4) {
    case 0: fuzz_idx(data + 1, size - 1, 0); break;
    case 1: fuzz_idx(data + 1, size - 1, 1); break;
    case 2: fuzz_ann(data + 1, size - 1, 0); break;
    default: fuzz_ann(data + 1, size - 1, 1); break;
    }
    return 0;
}

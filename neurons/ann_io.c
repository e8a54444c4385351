/* neurons/ann_io.c: the weight file of the dendritic network (neurons/ms_ann.h; the format is
 * in docs/ann.md, "The weight file"): a 64-byte little-endian header, the branch of every input,
 * then every weight as a little-endian IEEE 754 double in the order of ms_ann_params.
 *
 *   0  "MSANN1\0\0"   8  u32 n_in   12 u32 n_hidden   16 u32 n_out   20 u32 branches
 *   24 u32 out_branches   28 u32 flags (bit 0: dendrites, bit 1: no normalisation)   32 f64 nonlinearity
 *   40 f64 theta   48 f64 init_sd   56 u64 seed   64 u32 band_of[n_in]   then f64 w[]
 *
 * Every field is written byte by byte, so the file is the same on any host. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ms_outfile.h"
#include "neurons/ann_impl.h"

#define MAGIC "MSANN1\0\0"
#define HEADER_BYTES 64

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int k = 0; k < 4; k++) p[k] = (unsigned char)(v >> (8 * k));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int k = 0; k < 8; k++) p[k] = (unsigned char)(v >> (8 * k));
}

static void put_f64(unsigned char *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    put_u64(p, v);
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int k = 3; k >= 0; k--) v = v << 8 | p[k];
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int k = 7; k >= 0; k--) v = v << 8 | p[k];
    return v;
}

static double get_f64(const unsigned char *p)
{
    uint64_t v = get_u64(p);
    double d;
    memcpy(&d, &v, sizeof d);
    return d;
}

ms_status ms_ann_save(ms_ann *a, const char *path)
{
    const ms_ann_opts *o = &a->o;
    unsigned char h[HEADER_BYTES] = { 0 };
    memcpy(h, MAGIC, 8);
    put_u32(h + 8, (uint32_t)o->n_in);
    put_u32(h + 12, (uint32_t)o->n_hidden);
    put_u32(h + 16, (uint32_t)o->n_out);
    put_u32(h + 20, (uint32_t)o->branches);
    put_u32(h + 24, (uint32_t)o->out_branches);
    put_u32(h + 28, (o->dendrites ? 1u : 0u) | (o->normalise ? 0u : 2u));
    /* a thresholded-linear dendrite is stored as -t in the nonlinearity field (NL >= 0) */
    put_f64(h + 32, o->dendrites && o->threshold > 0 ? -o->threshold : o->nonlinearity);
    put_f64(h + 40, o->theta);
    put_f64(h + 48, o->init_sd);
    put_u64(h + 56, o->seed);
    /* a temporary file beside the target, renamed at the end: no half-written weight file */
    ms_outfile out;
    ms_status st = ms_outfile_open(&out, path, "ann", &a->err);
    if (st) return st;
    FILE *f = out.f;
    int bad = fwrite(h, 1, sizeof h, f) != sizeof h;
    unsigned char b[8];
    for (size_t i = 0; i < o->n_in && !bad; i++) put_u32(b, a->band_of[i]), bad = fwrite(b, 1, 4, f) != 4;
    for (size_t q = 0; q < a->n_params && !bad; q++) put_f64(b, a->w[q]), bad = fwrite(b, 1, 8, f) != 8;
    return ms_outfile_commit(&out, "ann", &a->err);
}

/* An open weight file: its options (band_of still to read) and its size. */
typedef struct wfile {
    FILE *f;
    ms_ann_opts o;
    long size;
    size_t expect;     /* bytes the header implies */
} wfile;

static ms_status open_file(const char *path, wfile *wf, ms_error *err)
{
    memset(wf, 0, sizeof *wf);
    wf->f = fopen(path, "rb");
    if (!wf->f) return ms_error_set(err, MS_EIO, "ann: cannot open weight file '%s': %s", path, strerror(errno));
    if (fseek(wf->f, 0, SEEK_END) == 0) wf->size = ftell(wf->f);
    rewind(wf->f);
    unsigned char h[HEADER_BYTES];
    size_t got = fread(h, 1, sizeof h, wf->f);
    if (got < 6 || memcmp(h, MAGIC, 6) != 0)
        return ms_error_set(err, MS_EIO, "ann: '%s' is not a memsnn weight file (it does not start with \"MSANN1\")", path);
    if (got < sizeof h)
        return ms_error_set(err, MS_EIO, "ann: weight file '%s' is truncated: its header needs %d bytes, file has %zu", path,
                            HEADER_BYTES, got);
    ms_ann_opts *o = &wf->o;
    ms_ann_opts_default(o);
    o->n_in = get_u32(h + 8);
    o->n_hidden = get_u32(h + 12);
    o->n_out = get_u32(h + 16);
    o->branches = get_u32(h + 20);
    o->out_branches = get_u32(h + 24);
    uint32_t flags = get_u32(h + 28);
    o->dendrites = (int)(flags & 1);
    o->normalise = !(flags & 2);
    o->nonlinearity = get_f64(h + 32);
    o->threshold = 0;
    if (o->nonlinearity < 0 && o->nonlinearity > -1) o->threshold = -o->nonlinearity, o->nonlinearity = 0.1;
    o->theta = get_f64(h + 40);
    o->init_sd = get_f64(h + 48);
    o->seed = get_u64(h + 56);
    if (flags > 3) return ms_error_set(err, MS_EINVAL, "ann: weight file '%s' has unknown flags 0x%X", path, flags);
    if (!o->dendrites && (o->branches != 1 || o->out_branches != 1))
        return ms_error_set(err, MS_EINVAL, "ann: weight file '%s' is a control network with %zu and %zu branches (must be 1)",
                            path, o->branches, o->out_branches);
    /* the sizes are checked before the file size is computed from them */
    if (o->n_in < 1 || o->n_hidden < 1 || o->n_out < 1 || o->branches < 1 || o->branches > o->n_in ||
        o->out_branches < 1 || o->out_branches > o->n_hidden ||
        o->n_hidden > (SIZE_MAX / 8 - HEADER_BYTES - 4 * o->n_in) / (o->n_in + o->n_out) / 8)
        return ms_error_set(err, MS_EINVAL,
                            "ann: weight file '%s' has impossible sizes: %zu inputs, %zu hidden, %zu outputs, %zu and %zu "
                            "branches",
                            path, o->n_in, o->n_hidden, o->n_out, o->branches, o->out_branches);
    if (!(o->nonlinearity >= 0 && o->nonlinearity < 1) || !isfinite(o->theta) || !(o->init_sd >= 0 && isfinite(o->init_sd)))
        return ms_error_set(err, MS_EINVAL, "ann: weight file '%s' has impossible options: nonlinearity %g, theta %g, init_sd %g",
                            path, o->nonlinearity, o->theta, o->init_sd);
    return MS_OK;
}

/* The size check, after the header has been compared with what the caller expects. */
static ms_status check_size(const char *path, wfile *wf, ms_error *err)
{
    const ms_ann_opts *o = &wf->o;
    size_t np = o->n_in * o->n_hidden + o->n_hidden * o->n_out;
    wf->expect = HEADER_BYTES + 4 * o->n_in + 8 * np;
    if ((size_t)wf->size < wf->expect)
        return ms_error_set(err, MS_EIO,
                            "ann: weight file '%s' is truncated: expected %zu bytes (%zu inputs, %zu hidden, %zu outputs), "
                            "file has %ld",
                            path, wf->expect, o->n_in, o->n_hidden, o->n_out, wf->size);
    if ((size_t)wf->size > wf->expect)
        return ms_error_set(err, MS_EIO,
                            "ann: weight file '%s' has %ld bytes, expected %zu (%zu inputs, %zu hidden, %zu outputs): "
                            "the header does not describe the file",
                            path, wf->size, wf->expect, o->n_in, o->n_hidden, o->n_out);
    return MS_OK;
}

static ms_status read_band_of(const char *path, wfile *wf, uint32_t *band_of, ms_error *err)
{
    unsigned char b[4];
    for (size_t i = 0; i < wf->o.n_in; i++) {
        if (fread(b, 1, 4, wf->f) != 4) return ms_error_set(err, MS_EIO, "ann: reading '%s' failed", path);
        band_of[i] = get_u32(b);
        if (band_of[i] >= wf->o.branches)
            return ms_error_set(err, MS_EINVAL, "ann: weight file '%s' assigns input %zu to branch %u of %zu (counting from 1)",
                                path, i + 1, band_of[i] + 1, wf->o.branches);
    }
    return MS_OK;
}

static ms_status read_weights(const char *path, wfile *wf, double *w, size_t np, ms_error *err)
{
    unsigned char b[8];
    for (size_t q = 0; q < np; q++) {
        if (fread(b, 1, 8, wf->f) != 8) return ms_error_set(err, MS_EIO, "ann: reading '%s' failed", path);
        w[q] = get_f64(b);
        if (!isfinite(w[q]))
            return ms_error_set(err, MS_EINVAL, "ann: weight file '%s': weight %zu is %g", path, q + 1, w[q]);
    }
    return MS_OK;
}

ms_status ms_ann_load(const char *path, ms_ann **out, char *msg, size_t len)
{
    *out = NULL;
    ms_error err;
    ms_error_clear(&err);
    wfile wf;
    uint32_t *band_of = NULL;
    ms_ann *a = NULL;
    ms_status st = open_file(path, &wf, &err);
    if (st == MS_OK) st = check_size(path, &wf, &err);
    if (st == MS_OK && !(band_of = malloc(wf.o.n_in * sizeof *band_of)))
        st = ms_error_set(&err, MS_ENOMEM, "ann: out of memory");
    if (st == MS_OK) st = read_band_of(path, &wf, band_of, &err);
    if (st == MS_OK) {
        char m2[MS_ERRMSG_LEN];
        ms_ann_opts o = wf.o;
        o.band_of = band_of;
        st = ms_ann_create(&o, &a, m2, sizeof m2);
        if (st != MS_OK) ms_error_set(&err, st, "ann: weight file '%s': %s", path, m2 + (strncmp(m2, "ann: ", 5) ? 0 : 5));
    }
    if (st == MS_OK) st = read_weights(path, &wf, a->w, a->n_params, &err);
    if (wf.f) fclose(wf.f);
    free(band_of);
    if (st != MS_OK) {
        ms_ann_free(a);
        if (msg && len) snprintf(msg, len, "%s", err.msg);
        return st;
    }
    *out = a;
    return MS_OK;
}

ms_status ms_ann_load_weights(ms_ann *a, const char *path)
{
    ms_error_clear(&a->err);
    wfile wf;
    ms_status st = open_file(path, &wf, &a->err);
    const ms_ann_opts *o = &a->o, *fo = &wf.o;
    static const char *const names[] = { "inputs", "hidden units", "outputs", "layer-1 branches", "layer-2 branches" };
    size_t have[5] = { fo->n_in, fo->n_hidden, fo->n_out, fo->branches, fo->out_branches };
    size_t want[5] = { o->n_in, o->n_hidden, o->n_out, o->branches, o->out_branches };
    for (int k = 0; k < 5 && st == MS_OK; k++)
        if (have[k] != want[k])
            st = ms_error_set(&a->err, MS_EINVAL, "ann: weight file '%s' has %zu %s, expected %zu", path, have[k], names[k],
                              want[k]);
    if (st == MS_OK && fo->dendrites != o->dendrites)
        st = ms_error_set(&a->err, MS_EINVAL, "ann: weight file '%s' holds a %s network, expected a %s one", path,
                          fo->dendrites ? "dendritic" : "control", o->dendrites ? "dendritic" : "control");
    if (st == MS_OK && fo->normalise != o->normalise)
        st = ms_error_set(&a->err, MS_EINVAL, "ann: weight file '%s' holds a network %s per-sample normalisation, expected one %s",
                          path, fo->normalise ? "with" : "without", o->normalise ? "with" : "without");
    if (st == MS_OK) st = check_size(path, &wf, &a->err);
    uint32_t *band_of = NULL;
    double *w = NULL;
    if (st == MS_OK && (!(band_of = malloc(o->n_in * sizeof *band_of)) || !(w = malloc(a->n_params * sizeof *w))))
        st = ms_error_set(&a->err, MS_ENOMEM, "ann: out of memory");
    if (st == MS_OK) st = read_band_of(path, &wf, band_of, &a->err);
    for (size_t i = 0; i < o->n_in && st == MS_OK; i++)
        if (band_of[i] != a->band_of[i])
            st = ms_error_set(&a->err, MS_EINVAL, "ann: weight file '%s' assigns input %zu to branch %u, expected %u (counting from 1)",
                              path, i + 1, band_of[i] + 1, a->band_of[i] + 1);
    if (st == MS_OK) st = read_weights(path, &wf, w, a->n_params, &a->err);
    if (wf.f) fclose(wf.f);
    if (st == MS_OK) {
        /* all read and checked: only now does the network change */
        memcpy(a->w, w, a->n_params * sizeof *w);
        a->o.nonlinearity = fo->nonlinearity, a->o.theta = fo->theta, a->o.init_sd = fo->init_sd, a->o.seed = fo->seed;
        a->o.threshold = fo->threshold;
        a->alpha = a->o.dendrites ? ms_ann_alpha(a->o.nonlinearity) : 0;
        a->thr = a->o.dendrites ? a->o.threshold : 0;
    }
    free(band_of), free(w);
    return st;
}

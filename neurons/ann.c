/* neurons/ann.c: the dendritic network of neurons/ms_ann.h: building, weights, the forward
 * pass and the exact gradient of one sample. Training: neurons/ann_train.c; files:
 * neurons/ann_io.c; the equations and their sources: docs/ann.md. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ms_rng.h"
#include "neurons/ann_impl.h"

void ms_ann_opts_default(ms_ann_opts *o)
{
    *o = (ms_ann_opts){ .n_in = 0, .n_hidden = 0, .n_out = 0, .branches = 1, .band_of = NULL,
                        .out_branches = 1, .dendrites = 1, .nonlinearity = 0.1, .theta = 0.11, .threshold = 0,
                        .normalise = 1, .init_sd = 0, .seed = 1 };
}

/* ---- the three functions -------------------------------------------------------------------- */

/* alpha = 50 NL / (1 - NL): the official code's Dendrite(nonlinearity) (ann.py). */
double ms_ann_alpha(double nonlinearity) { return 50 * nonlinearity / (1 - nonlinearity); }

/* Above this alpha, exp(alpha) is rewritten as exp(alpha (n - 1)) / (1 - exp(-alpha)) so that
 * no intermediate overflows (alpha reaches 709 at NL = 0.934); below it expm1 keeps the
 * accuracy of small alpha n. */
#define ALPHA_BIG 20.0

double ms_ann_dendrite(double n, double alpha)
{
    if (alpha <= 0) return n;
    if (alpha <= ALPHA_BIG) return expm1(alpha * n) / expm1(alpha);
    return (exp(alpha * (n - 1)) - exp(-alpha)) / -expm1(-alpha);
}

/* max(2 sigmoid(s - theta) - 1, 0) (ann.py's Soma), written as tanh((s - theta) / 2). */
double ms_ann_soma(double s, double theta)
{
    double v = tanh(0.5 * (s - theta));
    return v > 0 ? v : 0;
}

/* ---- building ------------------------------------------------------------------------------- */

static int layer_alloc(ann_layer *l, size_t n_in, size_t n_out, size_t nb)
{
    l->n_in = n_in, l->n_out = n_out, l->nb = nb;
    l->start = calloc(nb + 1, sizeof *l->start);
    l->idx = calloc(n_in, sizeof *l->idx);
    return l->start && l->idx;
}

static int rec_alloc(ann_rec *r, size_t nb, size_t n_out)
{
    r->n = calloc(nb * n_out, sizeof *r->n);
    r->z = calloc(nb * n_out, sizeof *r->z);
    r->m = calloc(nb, sizeof *r->m);
    r->M = calloc(nb, sizeof *r->M);
    r->jm = calloc(nb, sizeof *r->jm);
    r->kM = calloc(nb, sizeof *r->kM);
    r->s = calloc(n_out, sizeof *r->s);
    r->a = calloc(n_out, sizeof *r->a);
    return r->n && r->z && r->m && r->M && r->jm && r->kM && r->s && r->a;
}

static void rec_free(ann_rec *r)
{
    free(r->n), free(r->z), free(r->m), free(r->M), free(r->jm), free(r->kM), free(r->s), free(r->a);
}

void ms_ann_free(ms_ann *a)
{
    if (!a) return;
    free(a->band_of);
    free(a->l1.start), free(a->l1.idx), free(a->l2.start), free(a->l2.idx);
    free(a->w);
    rec_free(&a->r1), rec_free(&a->r2);
    free(a->g_a1), free(a->g_s), free(a->g_x), free(a->g_out), free(a->x);
    free(a);
}

const char *ms_ann_errmsg(const ms_ann *a) { return a ? a->err.msg : "ann: no network"; }
const ms_ann_opts *ms_ann_options(const ms_ann *a) { return &a->o; }
double ms_ann_get_alpha(const ms_ann *a) { return a->alpha; }
size_t ms_ann_n_params(const ms_ann *a) { return a->n_params; }
double *ms_ann_params(ms_ann *a) { return a->w; }

static ms_status check_opts(const ms_ann_opts *o, char *msg, size_t len)
{
    const size_t lim = UINT32_MAX; /* the weight file stores sizes as 32-bit integers */
    if (o->n_in < 1 || o->n_hidden < 1 || o->n_out < 1)
        return ms_msgf(msg, len, MS_EINVAL, "ann: sizes must be >= 1, got %zu inputs, %zu hidden, %zu outputs",
                    o->n_in, o->n_hidden, o->n_out);
    if (o->n_in > lim || o->n_hidden > lim || o->n_out > lim)
        return ms_msgf(msg, len, MS_EINVAL, "ann: sizes must be below 2^32");
    /* n_in H + H n_out weights must be countable (and allocatable at all) */
    if (o->n_hidden > (SIZE_MAX / sizeof(double)) / (o->n_in + o->n_out))
        return ms_msgf(msg, len, MS_EINVAL, "ann: %zu x %zu + %zu x %zu weights are too many", o->n_in, o->n_hidden,
                    o->n_hidden, o->n_out);
    if (!isfinite(o->theta)) return ms_msgf(msg, len, MS_EINVAL, "ann: theta = %g must be finite", o->theta);
    if (!(isfinite(o->init_sd) && o->init_sd >= 0))
        return ms_msgf(msg, len, MS_EINVAL, "ann: init_sd = %g must be finite and >= 0 (0: 1/sqrt(rows))", o->init_sd);
    if (!o->dendrites) return MS_OK; /* the branch options are ignored */
    if (o->branches < 1 || o->branches > o->n_in)
        return ms_msgf(msg, len, MS_EINVAL, "ann: branches = %zu must be in 1..%zu (the number of inputs)", o->branches, o->n_in);
    if (o->out_branches < 1 || o->out_branches > o->n_hidden)
        return ms_msgf(msg, len, MS_EINVAL, "ann: out_branches = %zu must be in 1..%zu (the number of hidden units)",
                    o->out_branches, o->n_hidden);
    if (!(o->threshold >= 0 && o->threshold < 1))
        return ms_msgf(msg, len, MS_EINVAL, "ann: threshold = %g must be in [0, 1) (0: the exp dendrite)", o->threshold);
    if (!(o->nonlinearity >= 0 && o->nonlinearity < 1))
        return ms_msgf(msg, len, MS_EINVAL, "ann: nonlinearity = %g must be in [0, 1)", o->nonlinearity);
    if (!o->normalise && !(o->threshold > 0))
        return ms_msgf(msg, len, MS_EINVAL,
                       "ann: normalise = false needs the thresholded-linear dendrite (threshold in (0, 1)); the exp "
                       "dendrite is defined on normalised inputs");
    return MS_OK;
}

/* Rows of each branch in branch order; `of` gives each input's branch (all < nb). */
static ms_status layer_branches(ann_layer *l, const uint32_t *of, const char *what, char *msg, size_t len)
{
    for (size_t i = 0; i < l->n_in; i++) l->start[of[i] + 1]++;
    for (size_t b = 0; b < l->nb; b++) {
        if (l->start[b + 1] == 0)
            return ms_msgf(msg, len, MS_EINVAL, "ann: %s branch %zu (of %zu, counting from 1) has no inputs", what, b + 1, l->nb);
        l->start[b + 1] += l->start[b];
    }
    /* a stable counting sort: inputs of a branch in increasing index order */
    size_t *fill = calloc(l->nb ? l->nb : 1, sizeof *fill);
    if (!fill) return ms_msgf(msg, len, MS_ENOMEM, "ann: out of memory");
    for (size_t i = 0; i < l->n_in; i++) l->idx[l->start[of[i]] + fill[of[i]]++] = (uint32_t)i;
    free(fill);
    return MS_OK;
}

ms_status ms_ann_create(const ms_ann_opts *opts, ms_ann **out, char *msg, size_t len)
{
    *out = NULL;
    ms_status st = check_opts(opts, msg, len);
    if (st != MS_OK) return st;
    ms_ann *a = calloc(1, sizeof *a);
    if (!a) return ms_msgf(msg, len, MS_ENOMEM, "ann: out of memory");
    a->o = *opts;
    if (!a->o.dendrites) a->o.branches = a->o.out_branches = 1, a->o.nonlinearity = 0;
    const ms_ann_opts *o = &a->o;
    size_t H = o->n_hidden;
    a->alpha = o->dendrites ? ms_ann_alpha(o->nonlinearity) : 0;
    a->thr = o->dendrites ? o->threshold : 0;
    a->band_of = calloc(o->n_in, sizeof *a->band_of);
    uint32_t *grp = calloc(H, sizeof *grp);
    int ok = a->band_of && grp && layer_alloc(&a->l1, o->n_in, H, o->branches) &&
             layer_alloc(&a->l2, H, o->n_out, o->out_branches) && rec_alloc(&a->r1, o->branches, H) &&
             rec_alloc(&a->r2, o->out_branches, o->n_out);
    size_t big = H > o->n_out ? H : o->n_out;
    a->n_params = o->n_in * H + H * o->n_out;
    if (ok) {
        a->w = calloc(a->n_params, sizeof *a->w);
        a->g_a1 = calloc(H, sizeof *a->g_a1);
        a->g_s = calloc(big, sizeof *a->g_s);
        a->g_x = calloc(big, sizeof *a->g_x);
        a->g_out = calloc(o->n_out, sizeof *a->g_out);
        a->x = calloc(o->n_in, sizeof *a->x);
        ok = a->w && a->g_a1 && a->g_s && a->g_x && a->g_out && a->x;
    }
    if (!ok) {
        free(grp);
        ms_ann_free(a);
        return ms_msgf(msg, len, MS_ENOMEM, "ann: out of memory for %zu x %zu + %zu x %zu weights", opts->n_in,
                    opts->n_hidden, opts->n_hidden, opts->n_out);
    }
    for (size_t i = 0; i < o->n_in; i++) {
        uint32_t b = o->dendrites ? (o->band_of ? o->band_of[i] : (uint32_t)(i * o->branches / o->n_in)) : 0;
        if (b >= o->branches) {
            free(grp);
            ms_ann_free(a);
            return ms_msgf(msg, len, MS_EINVAL, "ann: band_of[%zu] = %u is outside 0..%zu (counting from 0)", i, b,
                        opts->branches - 1);
        }
        a->band_of[i] = b;
    }
    a->o.band_of = a->band_of;
    for (size_t j = 0; j < H; j++) grp[j] = (uint32_t)(j * o->out_branches / H);
    st = layer_branches(&a->l1, a->band_of, "layer-1", msg, len);
    if (st == MS_OK) st = layer_branches(&a->l2, grp, "layer-2", msg, len);
    free(grp);
    if (st != MS_OK) {
        ms_ann_free(a);
        return st;
    }
    a->l1.off = 0;
    a->l2.off = o->n_in * H;
    ms_ann_init_weights(a, o->seed);
    *out = a;
    return MS_OK;
}

void ms_ann_init_weights(ms_ann *a, uint64_t seed)
{
    const ann_layer *ls[2] = { &a->l1, &a->l2 };
    for (int k = 0; k < 2; k++) {
        const ann_layer *l = ls[k];
        for (size_t b = 0; b < l->nb; b++) {
            size_t rows = l->start[b + 1] - l->start[b];
            double sd = a->o.init_sd > 0 ? a->o.init_sd : 1 / sqrt((double)rows);
            ms_rng r;
            ms_rng_init(&r, seed, ANN_TAG_INIT | (uint64_t)(k + 1) << 32 | (uint64_t)b, MS_RNG_INIT);
            double *w = a->w + l->off + l->start[b] * l->n_out;
            for (size_t q = 0; q < rows * l->n_out; q++) w[q] = sd * ms_rng_normal(&r);
        }
    }
    a->o.seed = seed;
}

/* ---- weights by layer and branch ------------------------------------------------------------ */

static const ann_layer *pick(const ms_ann *a, int layer, size_t branch, ms_error *err)
{
    if (layer != 1 && layer != 2) {
        ms_error_set(err, MS_EINVAL, "ann: layer %d does not exist (1 or 2)", layer);
        return NULL;
    }
    const ann_layer *l = layer == 1 ? &a->l1 : &a->l2;
    if (branch >= l->nb) {
        ms_error_set(err, MS_EINVAL, "ann: layer %d has %zu branches; branch %zu (counting from 1) does not exist", layer,
                     l->nb, branch + 1);
        return NULL;
    }
    return l;
}

ms_status ms_ann_weight_shape(const ms_ann *a, int layer, size_t branch, size_t *rows, size_t *cols)
{
    const ann_layer *l = pick(a, layer, branch, (ms_error *)&a->err);
    if (!l) return MS_EINVAL;
    *rows = l->start[branch + 1] - l->start[branch];
    *cols = l->n_out;
    return MS_OK;
}

ms_status ms_ann_get_weights(const ms_ann *a, int layer, size_t branch, double *w)
{
    size_t rows, cols;
    if (ms_ann_weight_shape(a, layer, branch, &rows, &cols) != MS_OK) return MS_EINVAL;
    const ann_layer *l = layer == 1 ? &a->l1 : &a->l2;
    memcpy(w, a->w + l->off + l->start[branch] * cols, rows * cols * sizeof *w);
    return MS_OK;
}

ms_status ms_ann_set_weights(ms_ann *a, int layer, size_t branch, const double *w, size_t rows, size_t cols)
{
    size_t r0, c0;
    if (ms_ann_weight_shape(a, layer, branch, &r0, &c0) != MS_OK) return MS_EINVAL;
    if (rows != r0 || cols != c0)
        return ms_error_set(&a->err, MS_EINVAL, "ann: layer %d branch %zu is %zu x %zu, got %zu x %zu", layer, branch + 1, r0,
                            c0, rows, cols);
    for (size_t q = 0; q < rows * cols; q++)
        if (!isfinite(w[q]))
            return ms_error_set(&a->err, MS_EINVAL, "ann: layer %d branch %zu: weight %zu (row %zu, column %zu) is %g",
                                layer, branch + 1, q + 1, q / cols + 1, q % cols + 1, w[q]);
    const ann_layer *l = layer == 1 ? &a->l1 : &a->l2;
    memcpy(a->w + l->off + l->start[branch] * cols, w, rows * cols * sizeof *w);
    return MS_OK;
}

const uint32_t *ms_ann_band(const ms_ann *a, size_t b, size_t *count)
{
    if (b >= a->l1.nb) {
        *count = 0;
        return NULL;
    }
    *count = a->l1.start[b + 1] - a->l1.start[b];
    return a->l1.idx + a->l1.start[b];
}

/* ---- forward ------------------------------------------------------------------------------- */

/* One layer: inputs u (n_in), weights w (the layer's), into r. */
static void layer_forward(const ann_layer *l, const double *w, double alpha, double thr, double theta, int norm,
                          const double *u, ann_rec *r)
{
    size_t no = l->n_out;
    for (size_t j = 0; j < no; j++) r->s[j] = 0;
    for (size_t b = 0; b < l->nb; b++) {
        double *x = r->n + b * no, *z = r->z + b * no;
        for (size_t j = 0; j < no; j++) x[j] = 0;
        for (size_t q = l->start[b]; q < l->start[b + 1]; q++) {
            double ui = u[l->idx[q]];
            if (ui == 0) continue; /* MNIST is 80 % background: skip its rows */
            const double *wr = w + q * no;
            for (size_t j = 0; j < no; j++) x[j] += ui * wr[j];
        }
        if (!norm) { /* fixed scale, as a device reads it: n = x, m = M = 1 (never 0/0) */
            r->m[b] = r->M[b] = 1, r->jm[b] = r->kM[b] = 0;
            for (size_t j = 0; j < no; j++) {
                z[j] = thr > 0 ? fmax(0.0, x[j] - thr) / (1 - thr) : x[j];
                r->s[j] += z[j];
            }
            continue;
        }
        size_t jm = 0;
        double m = 0;
        for (size_t j = 0; j < no; j++)
            if (fabs(x[j]) > m) m = fabs(x[j]), jm = j;
        r->m[b] = m, r->jm[b] = jm;
        if (!(m > 0)) { /* all sums zero: 0/0 in the official code; here the branch is silent */
            for (size_t j = 0; j < no; j++) x[j] = z[j] = 0;
            r->M[b] = 0, r->kM[b] = 0;
            continue;
        }
        /* division, not x * (1/m): |x_j| <= m then gives |n_j| <= 1 exactly */
        for (size_t j = 0; j < no; j++) x[j] /= m;
        x[jm] = x[jm] > 0 ? 1 : -1;
        double M = 0;
        size_t kM = 0;
        for (size_t j = 0; j < no; j++) {
            z[j] = thr > 0 ? fmax(0.0, x[j] - thr) / (1 - thr) : ms_ann_dendrite(x[j], alpha);
            if (fabs(z[j]) > M) M = fabs(z[j]), kM = j;
        }
        r->M[b] = M, r->kM[b] = kM;
        if (!(M > 0)) { /* no positive sum and alpha so large (NL > 0.93) that every y underflows */
            for (size_t j = 0; j < no; j++) z[j] = 0;
            r->m[b] = 0;
            continue;
        }
        double invM = 1 / M;
        for (size_t j = 0; j < no; j++) {
            z[j] *= invM;
            r->s[j] += z[j];
        }
    }
    for (size_t j = 0; j < no; j++) r->a[j] = ms_ann_soma(r->s[j], theta);
}

void ann_forward_w(ms_ann *a, const double *w, const double *x)
{
    layer_forward(&a->l1, w + a->l1.off, a->alpha, a->thr, a->o.theta, a->o.normalise, x, &a->r1);
    layer_forward(&a->l2, w + a->l2.off, a->alpha, a->thr, a->o.theta, a->o.normalise, a->r1.a, &a->r2);
}

ms_status ms_ann_forward(ms_ann *a, const double *x, double *out, double *hidden, double *branch1, double *branch2)
{
    ann_forward_w(a, a->w, x);
    size_t H = a->o.n_hidden, no = a->o.n_out;
    if (out) memcpy(out, a->r2.a, no * sizeof *out);
    if (hidden) memcpy(hidden, a->r1.a, H * sizeof *hidden);
    if (branch1) memcpy(branch1, a->r1.z, a->l1.nb * H * sizeof *branch1);
    if (branch2) memcpy(branch2, a->r2.z, a->l2.nb * no * sizeof *branch2);
    return MS_OK;
}

/* ---- backward ------------------------------------------------------------------------------ */

/* One layer back: g_a = dL/da (n_out) in, gradient of the layer's weights added to gw (the
 * layer's part), dL/du into g_u (n_in) when g_u is not NULL. g_s, g_x: n_out scratch. */
static void layer_backward(const ann_layer *l, const double *w, double alpha, double thr, double theta, int norm,
                           const double *u, const ann_rec *r, const double *g_a, double *g_s, double *g_x, double *gw, double *g_u,
                           const ann_grad_mode *mode)
{
    size_t no = l->n_out;
    /* soma: a = tanh((s - theta)/2) where positive: da/ds = (1 - a^2)/2; 0 below theta, or
     * the slope of the unclamped tanh there with the straight-through option */
    for (size_t j = 0; j < no; j++) {
        if (r->s[j] > theta) g_s[j] = g_a[j] * 0.5 * (1 - r->a[j] * r->a[j]);
        else if (mode->soma_through) {
            double t = tanh(0.5 * (r->s[j] - theta));
            g_s[j] = g_a[j] * 0.5 * (1 - t * t);
        } else g_s[j] = 0;
        if (r->s[j] > 0) g_s[j] += mode->activity;
    }
    if (g_u)
        for (size_t i = 0; i < l->n_in; i++) g_u[i] = 0;
    for (size_t b = 0; b < l->nb; b++) {
        double m = r->m[b], M = r->M[b];
        if (!(m > 0)) continue;
        const double *n = r->n + b * no, *z = r->z + b * no;
        if (!norm) /* z = max(0, x - t) / (1 - t), or x */
            for (size_t j = 0; j < no; j++) g_x[j] = thr > 0 ? (n[j] > thr ? g_s[j] / (1 - thr) : 0.0) : g_s[j];
        else {
        /* z = y / M, M = |y_kM|: dL/dy_j = g_j / M - [j = kM] sign(y_kM) sum_i g_i z_i / M */
        double dot = 0;
        for (size_t j = 0; j < no; j++) dot += g_s[j] * z[j];
        for (size_t j = 0; j < no; j++) g_x[j] = g_s[j] / M;
        if (!mode->norm_stop) g_x[r->kM[b]] -= (z[r->kM[b]] > 0 ? 1 : -1) * dot / M;
        /* y = f(n): f'(n) = alpha e^(alpha n) / (e^alpha - 1) = alpha (f(n) + 1 / (e^alpha - 1)),
         * so the slope follows from y = M z without another exponential (0 for huge alpha) */
        if (thr > 0) {
            for (size_t j = 0; j < no; j++) g_x[j] *= n[j] > thr ? 1 / (1 - thr) : 0.0;
        } else if (alpha > 0) {
            double c = 1 / expm1(alpha);
            for (size_t j = 0; j < no; j++) g_x[j] *= alpha * (M * z[j] + c);
        }
        /* n = x / m, m = |x_jm|: dL/dx_j = g_j / m - [j = jm] sign(x_jm) sum_i g_i n_i / m */
        dot = 0;
        for (size_t j = 0; j < no; j++) dot += g_x[j] * n[j];
        for (size_t j = 0; j < no; j++) g_x[j] /= m;
        if (!mode->norm_stop) g_x[r->jm[b]] -= n[r->jm[b]] * dot / m; /* n_jm = sign(x_jm) */
        }
        /* x_j = sum_q u_q w_qj */
        for (size_t q = l->start[b]; q < l->start[b + 1]; q++) {
            size_t i = l->idx[q];
            double ui = u[i];
            const double *wr = w + q * no;
            if (ui != 0) {
                double *gr = gw + q * no;
                for (size_t j = 0; j < no; j++) gr[j] += ui * g_x[j];
            }
            if (g_u) {
                double s = 0;
                for (size_t j = 0; j < no; j++) s += wr[j] * g_x[j];
                g_u[i] += s;
            }
        }
    }
}

void ann_backward_w(ms_ann *a, const double *w, const double *x, const double *g_out, double *gw,
                    const ann_grad_mode *mode)
{
    layer_backward(&a->l2, w + a->l2.off, a->alpha, a->thr, a->o.theta, a->o.normalise, a->r1.a, &a->r2, g_out, a->g_s, a->g_x,
                   gw + a->l2.off, a->g_a1, mode);
    layer_backward(&a->l1, w + a->l1.off, a->alpha, a->thr, a->o.theta, a->o.normalise, x, &a->r1, a->g_a1, a->g_s, a->g_x, gw + a->l1.off,
                   NULL, mode);
}

double ann_xent(const ms_ann *a, unsigned label, double c, double *g_out)
{
    size_t no = a->o.n_out;
    const double *o = a->r2.a;
    double mx = -INFINITY;
    for (size_t k = 0; k < no; k++)
        if (c * o[k] > mx) mx = c * o[k];
    double sum = 0;
    for (size_t k = 0; k < no; k++) sum += exp(c * o[k] - mx);
    double lse = mx + log(sum);
    /* dL/da_k = c (p_k - [k = label]) */
    for (size_t k = 0; k < no; k++) g_out[k] = c * (exp(c * o[k] - lse) - (k == label));
    return lse - c * o[label];
}

ms_status ms_ann_loss_grad(ms_ann *a, const double *x, unsigned label, double logit_scale, double *grad, double *loss)
{
    if (label >= a->o.n_out)
        return ms_error_set(&a->err, MS_EINVAL, "ann: label %u is outside 0..%zu", label, a->o.n_out - 1);
    if (!(logit_scale > 0 && isfinite(logit_scale)))
        return ms_error_set(&a->err, MS_EINVAL, "ann: logit_scale = %g must be > 0", logit_scale);
    ann_forward_w(a, a->w, x);
    double l = ann_xent(a, label, logit_scale, a->g_out);
    static const ann_grad_mode exact = { 0, 0, 0 };
    ann_backward_w(a, a->w, x, a->g_out, grad, &exact);
    if (loss) *loss = l;
    return MS_OK;
}

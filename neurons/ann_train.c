/* neurons/ann_train.c: data sets, minibatch SGD and accuracy for the dendritic network of
 * neurons/ms_ann.h (docs/ann.md, "Training"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ms_rng.h"
#include "neurons/ann_impl.h"

void ms_ann_train_opts_default(ms_ann_train_opts *o)
{
    *o = (ms_ann_train_opts){ .epochs = 1, .lr = 0.1, .batch = 128, .weight_decay = 5e-4, .momentum = 0,
                              .logit_scale = 3, .weight_noise = 0, .seed = 1, .shuffle = 1, .noise = NULL,
                              .activity = 0, .progress = NULL, .progress_ud = NULL };
}

/* Sample k as doubles, with noise; d and noise already checked. */
static void sample_into(const ms_ann_data *d, size_t n_in, size_t k, const ms_noise_opts *noise, double *x)
{
    size_t base = k * n_in;
    if (d->u8)
        for (size_t i = 0; i < n_in; i++) x[i] = d->scale * d->u8[base + i];
    else if (d->f32)
        for (size_t i = 0; i < n_in; i++) x[i] = d->scale * (double)d->f32[base + i];
    else
        for (size_t i = 0; i < n_in; i++) x[i] = d->scale * d->f64[base + i];
    ms_noise_apply(noise, d->index0 + k, n_in, d->rows, d->cols, x);
}

static ms_status check_data(const ms_ann_data *d, size_t n_in, size_t n_out, int need_labels,
                            const ms_noise_opts *noise, ms_error *err)
{
    int kinds = (d->u8 != NULL) + (d->f32 != NULL) + (d->f64 != NULL);
    if (kinds != 1) return ms_error_set(err, MS_EINVAL, "ann: the data must have exactly one of u8, f32, f64 (got %d)", kinds);
    if (!(d->scale > 0 && isfinite(d->scale))) return ms_error_set(err, MS_EINVAL, "ann: data scale = %g must be > 0", d->scale);
    if (d->n == 0) return ms_error_set(err, MS_EINVAL, "ann: the data set is empty");
    if (need_labels) {
        if (!d->labels) return ms_error_set(err, MS_EINVAL, "ann: the data have no labels");
        for (size_t k = 0; k < d->n; k++)
            if (d->labels[k] >= n_out)
                return ms_error_set(err, MS_EINVAL, "ann: the label of sample %zu (counting from 1) is %u, outside 0..%zu",
                                    k + 1, d->labels[k], n_out - 1);
    }
    char msg[MS_ERRMSG_LEN];
    if (ms_noise_check(noise, n_in, d->rows, d->cols, msg, sizeof msg) != MS_OK)
        return ms_error_set(err, MS_EINVAL, "ann: %s", msg);
    return MS_OK;
}

ms_status ms_ann_data_sample(const ms_ann_data *d, size_t n_in, size_t k, const ms_noise_opts *noise, double *x,
                             char *msg, size_t len)
{
    ms_error err;
    ms_error_clear(&err);
    ms_status st = check_data(d, n_in, 1, 0, noise, &err);
    if (st == MS_OK && k >= d->n)
        st = ms_error_set(&err, MS_EINVAL, "ann: sample %zu (counting from 1) is outside 1..%zu", k + 1, d->n);
    if (st != MS_OK) {
        if (msg && len) snprintf(msg, len, "%s", err.msg);
        return st;
    }
    sample_into(d, n_in, k, noise, x);
    return MS_OK;
}

static ms_status check_train(ms_ann *a, const ms_ann_train_opts *o)
{
    ms_error *err = &a->err;
    if (o->epochs < 1) return ms_error_set(err, MS_EINVAL, "ann: epochs = %d must be >= 1", o->epochs);
    if (!(o->lr > 0 && isfinite(o->lr))) return ms_error_set(err, MS_EINVAL, "ann: lr = %g must be > 0", o->lr);
    if (o->batch < 1) return ms_error_set(err, MS_EINVAL, "ann: batch must be >= 1");
    if (!(o->weight_decay >= 0 && isfinite(o->weight_decay)))
        return ms_error_set(err, MS_EINVAL, "ann: weight_decay = %g must be >= 0", o->weight_decay);
    if (!(o->momentum >= 0 && o->momentum < 1))
        return ms_error_set(err, MS_EINVAL, "ann: momentum = %g must be in [0, 1)", o->momentum);
    if (!(o->logit_scale > 0 && isfinite(o->logit_scale)))
        return ms_error_set(err, MS_EINVAL, "ann: logit_scale = %g must be > 0", o->logit_scale);
    if (!(o->weight_noise >= 0 && isfinite(o->weight_noise)))
        return ms_error_set(err, MS_EINVAL, "ann: weight_noise = %g must be >= 0", o->weight_noise);
    if (!(o->activity >= 0 && isfinite(o->activity)))
        return ms_error_set(err, MS_EINVAL, "ann: activity = %g must be >= 0", o->activity);
    return MS_OK;
}

/* wn = w + weight_noise max|w| N(0, 1), the max taken over each branch's own matrix (one crossbar
 * array per branch, whose conductance range is set by its largest weight). */
static void noisy_weights(const ms_ann *a, double weight_noise, uint64_t seed, uint64_t step, double *wn)
{
    ms_rng r;
    ms_rng_init(&r, seed, ANN_TAG_WNOISE | (step & ((UINT64_C(1) << 40) - 1)), MS_RNG_NOISE);
    const ann_layer *ls[2] = { &a->l1, &a->l2 };
    for (int k = 0; k < 2; k++) {
        const ann_layer *l = ls[k];
        for (size_t b = 0; b < l->nb; b++) {
            size_t q0 = l->off + l->start[b] * l->n_out, q1 = l->off + l->start[b + 1] * l->n_out;
            double mx = 0;
            for (size_t q = q0; q < q1; q++)
                if (fabs(a->w[q]) > mx) mx = fabs(a->w[q]);
            double sigma = weight_noise * mx;
            for (size_t q = q0; q < q1; q++) wn[q] = a->w[q] + sigma * ms_rng_normal(&r);
        }
    }
}

/* sum_j max(0, s_j): the soma input of a layer that the activity penalty counts */
static double positive_sum(const double *s, size_t n)
{
    double t = 0;
    for (size_t j = 0; j < n; j++) t += s[j] > 0 ? s[j] : 0;
    return t;
}

ms_status ms_ann_train(ms_ann *a, const ms_ann_data *d, const ms_ann_train_opts *o, double *epoch_loss)
{
    ms_error_clear(&a->err);
    ms_status st = check_train(a, o);
    if (st == MS_OK) st = check_data(d, a->o.n_in, a->o.n_out, 1, o->noise, &a->err);
    if (st != MS_OK) return st;
    size_t np = a->n_params, n = d->n, n_in = a->o.n_in;
    double *gw = malloc(np * sizeof *gw);
    double *vel = o->momentum > 0 ? calloc(np, sizeof *vel) : NULL;
    double *wn = o->weight_noise > 0 ? malloc(np * sizeof *wn) : NULL;
    size_t *perm = malloc(n * sizeof *perm);
    if (!gw || !perm || (o->momentum > 0 && !vel) || (o->weight_noise > 0 && !wn)) {
        free(gw), free(vel), free(wn), free(perm);
        return ms_error_set(&a->err, MS_ENOMEM, "ann: out of memory for training (%zu weights)", np);
    }
    size_t n_batches = (n + o->batch - 1) / o->batch;
    ann_grad_mode mode = { .norm_stop = o->norm_grad == MS_ANN_NORM_STOP, .soma_through = o->soma_grad == MS_ANN_SOMA_THROUGH,
                          .activity = o->activity };
    uint64_t step = 0;
    for (int e = 0; e < o->epochs && st == MS_OK; e++) {
        for (size_t k = 0; k < n; k++) perm[k] = k;
        if (o->shuffle) { /* Fisher-Yates */
            ms_rng r;
            ms_rng_init(&r, o->seed, ANN_TAG_SHUFFLE | (uint64_t)e, MS_RNG_NOISE);
            for (size_t k = n - 1; k > 0; k--) {
                size_t j = (size_t)(ms_rng_uniform(&r) * (double)(k + 1));
                if (j > k) j = k;
                size_t t = perm[k];
                perm[k] = perm[j], perm[j] = t;
            }
        }
        ms_noise_opts ne;
        if (o->noise) ne = *o->noise, ne.seed = o->noise->seed + (uint64_t)e;
        double sum = 0;
        for (size_t bt = 0; bt < n_batches; bt++, step++) {
            size_t k0 = bt * o->batch, k1 = k0 + o->batch < n ? k0 + o->batch : n;
            const double *w = a->w;
            if (wn) noisy_weights(a, o->weight_noise, o->seed, step, wn), w = wn;
            memset(gw, 0, np * sizeof *gw);
            double bl = 0;
            for (size_t k = k0; k < k1; k++) {
                size_t s = perm[k];
                sample_into(d, n_in, s, o->noise ? &ne : NULL, a->x);
                ann_forward_w(a, w, a->x);
                bl += ann_xent(a, d->labels[s], o->logit_scale, a->g_out);
                if (o->activity > 0) bl += o->activity * (positive_sum(a->r1.s, a->o.n_hidden) + positive_sum(a->r2.s, a->o.n_out));
                ann_backward_w(a, w, a->x, a->g_out, gw, &mode);
            }
            if (!isfinite(bl)) {
                st = ms_error_set(&a->err, MS_EINVAL, "ann: the loss is %g at epoch %d batch %zu: training diverged (lower lr)",
                                  bl, e + 1, bt + 1);
                break;
            }
            /* torch.optim.SGD: d = g + wd w; buf = momentum buf + d; w -= lr buf */
            double inv = 1 / (double)(k1 - k0);
            for (size_t p = 0; p < np; p++) {
                double g = gw[p] * inv + o->weight_decay * a->w[p];
                if (vel) g = vel[p] = o->momentum * vel[p] + g;
                a->w[p] -= o->lr * g;
            }
            sum += bl;
            if (o->progress && o->progress(o->progress_ud, e, bt, n_batches, bl * inv)) {
                st = ms_error_set(&a->err, MS_EINTR, "ann: training stopped at epoch %d batch %zu of %zu", e + 1, bt + 1,
                                  n_batches);
                break;
            }
        }
        if (epoch_loss) epoch_loss[e] = sum / (double)n;
    }
    free(gw), free(vel), free(wn), free(perm);
    return st;
}

ms_status ms_ann_accuracy(ms_ann *a, const ms_ann_data *d, const ms_noise_opts *noise, double *acc)
{
    ms_error_clear(&a->err);
    ms_status st = check_data(d, a->o.n_in, a->o.n_out, 1, noise, &a->err);
    if (st != MS_OK) return st;
    size_t right = 0, no = a->o.n_out;
    for (size_t k = 0; k < d->n; k++) {
        sample_into(d, a->o.n_in, k, noise, a->x);
        ann_forward_w(a, a->w, a->x);
        size_t best = 0;
        for (size_t j = 1; j < no; j++)
            if (a->r2.a[j] > a->r2.a[best]) best = j;
        right += best == d->labels[k];
    }
    *acc = (double)right / (double)d->n;
    return MS_OK;
}

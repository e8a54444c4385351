/* neurons/hybrid.c: a control network read through two RRAM arrays, and the in-situ
 * adaptation of its last layer (neurons/ms_hybrid.h, docs/reproductions/hybrid-training.md). */
#include <math.h>
#include <stdlib.h>

#include "core/ms_rng.h"
#include "neurons/ms_hybrid.h"

#define SUBSET_TAG ((uint64_t)0xB1 << 40)

void ms_hybrid_adapt_opts_default(ms_hybrid_adapt_opts *o)
{
    *o = (ms_hybrid_adapt_opts){ .fraction = 0.1, .threshold = 0.05, .epochs = 1,
                                 .logit_scale = 3.0, .seed = 1, .phase = MS_XBAR_ALTERNATE,
                                 .noisy = 1 };
}

/* Only the control network with the official per-sample normalisation is read through
 * arrays (their rate mode normalises like it); `verb` says what is refused. */
static ms_status check_kind(const ms_ann *a, const char *verb, char *msg, size_t len)
{
    const ms_ann_opts *ao = ms_ann_options(a);
    if (ao->dendrites)
        return ms_msgf(msg, len, MS_EINVAL,
                       "hybrid: the network has dendrites; only the control network "
                       "(dendrites = false) %s arrays", verb);
    if (!ao->normalise)
        return ms_msgf(msg, len, MS_EINVAL,
                       "hybrid: the network has no per-sample normalisation (normalise = false); "
                       "the arrays' rate mode normalises like the official model");
    return MS_OK;
}

ms_status ms_hybrid_map(const ms_ann *a, const ms_crossbar_opts *o, ms_xbar **l1, ms_xbar **l2,
                        char *msg, size_t len)
{
    *l1 = *l2 = NULL;
    ms_status st = check_kind(a, "maps onto", msg, len);
    if (st) return st;
    size_t r1, c1, r2, c2;
    ms_ann_weight_shape(a, 1, 0, &r1, &c1);
    ms_ann_weight_shape(a, 2, 0, &r2, &c2);
    double *w1 = malloc(r1 * c1 * sizeof *w1), *w2 = malloc(r2 * c2 * sizeof *w2);
    if (!w1 || !w2) st = ms_msgf(msg, len, MS_ENOMEM, "hybrid: out of memory");
    if (!st) {
        ms_ann_get_weights(a, 1, 0, w1);
        ms_ann_get_weights(a, 2, 0, w2);
        st = ms_xbar_create(o, w1, r1, c1, (uint64_t)1 << 36, l1, msg, len);
    }
    if (!st) st = ms_xbar_create(o, w2, r2, c2, (uint64_t)2 << 36, l2, msg, len);
    if (st) {
        ms_xbar_free(*l1);
        *l1 = NULL;
    }
    free(w1), free(w2);
    return st;
}

ms_status ms_hybrid_check(const ms_ann *a, const ms_xbar *l1, const ms_xbar *l2, char *msg,
                          size_t len)
{
    const ms_ann_opts *ao = ms_ann_options(a);
    ms_status st = check_kind(a, "runs on", msg, len);
    if (st) return st;
    if (ms_xbar_inputs(l1) != ao->n_in || ms_xbar_outputs(l1) != ao->n_hidden)
        return ms_msgf(msg, len, MS_EINVAL,
                       "hybrid: array 1 is %zu x %zu, the network's layer 1 is %zu x %zu",
                       ms_xbar_inputs(l1), ms_xbar_outputs(l1), ao->n_in, ao->n_hidden);
    if (ms_xbar_inputs(l2) != ao->n_hidden || ms_xbar_outputs(l2) != ao->n_out)
        return ms_msgf(msg, len, MS_EINVAL,
                       "hybrid: array 2 is %zu x %zu, the network's layer 2 is %zu x %zu",
                       ms_xbar_inputs(l2), ms_xbar_outputs(l2), ao->n_hidden, ao->n_out);
    return MS_OK;
}

/* The soma outputs of currents I (n of them), normalised by their largest magnitude. */
static void somas(const double *I, size_t n, double theta, double *a)
{
    double m = 0;
    size_t jm = 0;
    for (size_t j = 0; j < n; j++)
        if (fabs(I[j]) > m) m = fabs(I[j]), jm = j;
    for (size_t j = 0; j < n; j++) {
        double z = m > 0 ? I[j] / m : 0.0;
        if (m > 0 && j == jm) z = I[j] > 0 ? 1 : -1;
        a[j] = ms_ann_soma(z, theta);
    }
}

typedef struct scratch { double *x, *I1, *h, *I2, *out, *err; } scratch;

static ms_status scratch_alloc(const ms_ann_opts *ao, scratch *s, char *msg, size_t len)
{
    size_t n = ao->n_in + 2 * ao->n_hidden + 3 * ao->n_out;
    double *b = malloc(n * sizeof *b);
    if (!b) return ms_msgf(msg, len, MS_ENOMEM, "hybrid: out of memory");
    s->x = b, s->I1 = b + ao->n_in, s->h = s->I1 + ao->n_hidden, s->I2 = s->h + ao->n_hidden;
    s->out = s->I2 + ao->n_out, s->err = s->out + ao->n_out;
    return MS_OK;
}

static ms_status forward(const ms_ann_opts *ao, ms_xbar *l1, ms_xbar *l2, scratch *s, int noisy,
                         char *msg, size_t len)
{
    if (ms_xbar_forward(l1, s->x, s->I1, noisy))
        return ms_msgf(msg, len, MS_EINVAL, "hybrid: layer 1: %s", ms_xbar_errmsg(l1));
    somas(s->I1, ao->n_hidden, ao->theta, s->h);
    if (ms_xbar_forward(l2, s->h, s->I2, noisy))
        return ms_msgf(msg, len, MS_EINVAL, "hybrid: layer 2: %s", ms_xbar_errmsg(l2));
    somas(s->I2, ao->n_out, ao->theta, s->out);
    return MS_OK;
}

static ms_status check_set(const ms_ann_opts *ao, const ms_ann_data *d, char *msg, size_t len)
{
    if (!d || d->n == 0 || !d->labels)
        return ms_msgf(msg, len, MS_EINVAL, "hybrid: the data set is empty or has no labels");
    for (size_t k = 0; k < d->n; k++)
        if (d->labels[k] >= ao->n_out)
            return ms_msgf(msg, len, MS_EINVAL, "hybrid: label %zu is %u, outside 0..%zu", k + 1,
                           d->labels[k], ao->n_out - 1);
    return MS_OK;
}

ms_status ms_hybrid_accuracy(const ms_ann *a, ms_xbar *l1, ms_xbar *l2, const ms_ann_data *d,
                             int noisy, double *acc, char *msg, size_t len)
{
    const ms_ann_opts *ao = ms_ann_options(a);
    ms_status st = ms_hybrid_check(a, l1, l2, msg, len);
    if (!st) st = check_set(ao, d, msg, len);
    if (st) return st;
    scratch s = { 0 };
    if ((st = scratch_alloc(ao, &s, msg, len))) return st;
    size_t right = 0;
    for (size_t k = 0; k < d->n && !st; k++) {
        st = ms_ann_data_sample(d, ao->n_in, k, NULL, s.x, msg, len);
        if (!st) st = forward(ao, l1, l2, &s, noisy, msg, len);
        size_t best = 0;
        for (size_t j = 1; j < ao->n_out; j++)
            if (s.out[j] > s.out[best]) best = j;
        right += best == d->labels[k];
    }
    free(s.x);
    if (!st) *acc = (double)right / (double)d->n;
    return st;
}

ms_status ms_hybrid_adapt(const ms_ann *a, ms_xbar *l1, ms_xbar *l2, const ms_ann_data *d,
                          const ms_hybrid_adapt_opts *o, ms_hybrid_adapt_result *r, char *msg,
                          size_t len)
{
    const ms_ann_opts *ao = ms_ann_options(a);
    ms_status st = ms_hybrid_check(a, l1, l2, msg, len);
    if (!st) st = check_set(ao, d, msg, len);
    if (st) return st;
    if (!(o->fraction > 0 && o->fraction <= 1))
        return ms_msgf(msg, len, MS_EINVAL, "hybrid: fraction = %g of the data must be in (0, 1]",
                       o->fraction);
    if (!(o->threshold >= 0 && isfinite(o->threshold)))
        return ms_msgf(msg, len, MS_EINVAL, "hybrid: threshold = %g must be a finite value >= 0",
                       o->threshold);
    if (o->epochs < 1)
        return ms_msgf(msg, len, MS_EINVAL, "hybrid: epochs = %d must be >= 1", o->epochs);
    if (!(o->logit_scale > 0 && isfinite(o->logit_scale)))
        return ms_msgf(msg, len, MS_EINVAL, "hybrid: logit_scale = %g must be > 0",
                       o->logit_scale);
    size_t m = (size_t)llround(o->fraction * (double)d->n);
    if (m < 1) m = 1;
    scratch s = { 0 };
    if ((st = scratch_alloc(ao, &s, msg, len))) return st;
    size_t *idx = malloc(d->n * sizeof *idx);
    if (!idx) {
        free(s.x);
        return ms_msgf(msg, len, MS_ENOMEM, "hybrid: out of memory");
    }
    /* The subset: the first m of a shuffle of all samples (epoch 0's stream); later epochs
     * reshuffle the subset with their own stream. */
    for (size_t k = 0; k < d->n; k++) idx[k] = k;
    ms_hybrid_adapt_result res = { .samples = m };
    for (int e = 0; e < o->epochs && !st; e++) {
        ms_rng rng;
        ms_rng_init(&rng, o->seed, SUBSET_TAG | (uint64_t)e, MS_RNG_NOISE);
        size_t n_sh = e == 0 ? d->n : m;
        for (size_t k = n_sh; k > 1; k--) {
            size_t j = (size_t)(ms_rng_uniform(&rng) * (double)k);
            if (j >= k) j = k - 1;
            size_t t = idx[k - 1];
            idx[k - 1] = idx[j], idx[j] = t;
        }
        for (size_t q = 0; q < m && !st; q++) {
            size_t k = idx[q];
            st = ms_ann_data_sample(d, ao->n_in, k, NULL, s.x, msg, len);
            if (!st) st = forward(ao, l1, l2, &s, o->noisy, msg, len);
            if (st) break;
            double mx = -INFINITY, z = 0;
            for (size_t j = 0; j < ao->n_out; j++) mx = fmax(mx, o->logit_scale * s.out[j]);
            for (size_t j = 0; j < ao->n_out; j++)
                z += s.err[j] = exp(o->logit_scale * s.out[j] - mx);
            for (size_t j = 0; j < ao->n_out; j++)
                s.err[j] = (j == d->labels[k] ? 1.0 : 0.0) - s.err[j] / z;
            ms_xbar_pulses p;
            if (ms_xbar_update_sign(l2, s.h, s.err, o->threshold, o->phase, &p)) {
                st = ms_msgf(msg, len, MS_EINVAL, "hybrid: layer 2: %s", ms_xbar_errmsg(l2));
                break;
            }
            res.pulses.pulses += p.pulses, res.pulses.n_set += p.n_set;
            res.pulses.n_reset += p.n_reset, res.pulses.energy_J += p.energy_J;
            res.presentations++;
        }
    }
    free(idx);
    free(s.x);
    if (!st && r) *r = res;
    return st;
}

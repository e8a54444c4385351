/* neurons/rc_readout.c: a reservoir's readout for an RRAM crossbar: normalisation of the
 * features into [0, 1], the plain or noise-aware ridge fit, and outputs read through a
 * mapped array (neurons/ms_rc_readout.h, docs/reservoir.md "Readout on an RRAM array"). */
#include "neurons/ms_rc_readout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "neurons/ms_ridge.h"

struct ms_rc_readout {
    size_t p;
    double *lo, *span;   /* [p]: u = (x - lo) / span; span 0 for a constant feature       */
    double *w, b;        /* [p] weights on u, bias                                          */
    double ridge;        /* the ridge of the fit                                            */
    double r;            /* the weight noise it was trained for                             */
    double e_exp;        /* its E(w, b) on the training data                                */
};

void ms_rc_readout_free(ms_rc_readout *a)
{
    if (!a) return;
    free(a->lo), free(a->span), free(a->w);
    free(a);
}

size_t ms_rc_readout_n_features(const ms_rc_readout *a) { return a->p; }
const double *ms_rc_readout_weights(const ms_rc_readout *a) { return a->w; }
double ms_rc_readout_bias(const ms_rc_readout *a) { return a->b; }
double ms_rc_readout_ridge(const ms_rc_readout *a) { return a->ridge; }
double ms_rc_readout_expected_error(const ms_rc_readout *a) { return a->e_exp; }

size_t ms_rc_readout_inputs(const ms_rc_readout *a, const double *x, double *u)
{
    size_t clipped = 0;
    for (size_t k = 0; k < a->p; k++) {
        double v = a->span[k] > 0 ? (x[k] - a->lo[k]) / a->span[k] : 0.0;
        if (v < 0.0) v = 0.0, clipped++;
        else if (v > 1.0) v = 1.0, clipped++;
        u[k] = v;
    }
    return clipped;
}

double ms_rc_expected_error(const double *U, size_t T, size_t p, const double *y, const double *w,
                            double b, double weight_noise)
{
    double se = 0.0, uu = 0.0, wmax = 0.0;
    for (size_t k = 0; k < p; k++) wmax = fmax(wmax, fabs(w[k]));
    for (size_t t = 0; t < T; t++) {
        double s = b;
        for (size_t k = 0; k < p; k++) s += U[t * p + k] * w[k], uu += U[t * p + k] * U[t * p + k];
        se += (s - y[t]) * (s - y[t]);
    }
    double sw = weight_noise * wmax;
    return se + sw * sw * uu;
}

void ms_rc_readout_predict(const ms_rc_readout *a, const double *X, size_t T, double *out)
{
    for (size_t t = 0; t < T; t++) {
        double s = a->b;
        for (size_t k = 0; k < a->p; k++) {
            const double x = X[t * a->p + k];
            double v = a->span[k] > 0 ? (x - a->lo[k]) / a->span[k] : 0.0;
            s += fmin(1.0, fmax(0.0, v)) * a->w[k];
        }
        out[t] = s;
    }
}

/* The ridge values of the noise-aware search: 0, then 10^(-12 + k/2), k = 0 .. 24. */
static double path_ridge(int k) { return k == 0 ? 0.0 : pow(10.0, -12.0 + 0.5 * (k - 1)); }

ms_status ms_rc_readout_fit(const double *X, size_t T, size_t p, const double *y, double ridge,
                            double weight_noise, ms_rc_readout **out, ms_error *err)
{
    *out = NULL;
    if (!X || !y || T < 2 || p < 1)
        return ms_error_set(err, MS_EINVAL, "readout: %zu samples of %zu features: need at least 2 "
                            "samples and 1 feature", T, p);
    if (!(ridge >= 0 && isfinite(ridge)))
        return ms_error_set(err, MS_EINVAL, "readout: ridge = %g must be a finite number >= 0", ridge);
    if (!(weight_noise >= 0 && weight_noise <= 1))
        return ms_error_set(err, MS_EINVAL, "readout: weight_noise = %g must lie in [0, 1] (a sigma "
                            "relative to max|w|: 0.06 is 6 %%)", weight_noise);
    for (size_t i = 0; i < T * p; i++)
        if (!isfinite(X[i]))
            return ms_error_set(err, MS_EINVAL, "readout: feature %zu of sample %zu = %g is not finite",
                                i % p + 1, i / p + 1, X[i]);
    ms_rc_readout *a = calloc(1, sizeof *a);
    double *U = malloc(T * p * sizeof *U), *wk = malloc(p * sizeof *wk);
    if (a) {
        a->lo = malloc(p * sizeof *a->lo);
        a->span = malloc(p * sizeof *a->span);
        a->w = malloc(p * sizeof *a->w);
    }
    if (!a || !a->lo || !a->span || !a->w || !U || !wk) {
        ms_rc_readout_free(a), free(U), free(wk);
        return ms_error_set(err, MS_ENOMEM, "readout: out of memory for %zu x %zu features", T, p);
    }
    a->p = p, a->r = weight_noise;
    for (size_t k = 0; k < p; k++) {
        double lo = X[k], hi = X[k];
        for (size_t t = 1; t < T; t++) lo = fmin(lo, X[t * p + k]), hi = fmax(hi, X[t * p + k]);
        a->lo[k] = lo, a->span[k] = hi - lo;
    }
    for (size_t t = 0; t < T; t++) ms_rc_readout_inputs(a, X + t * p, U + t * p);
    ms_status st = MS_OK;
    if (weight_noise == 0) {
        st = ms_ridge_fit(U, T, p, y, 1, ridge, a->w, &a->b, err);
        a->ridge = ridge;
    } else {
        /* the ridge path; a point whose normal equations are numerically singular (tiny ridge)
         * is skipped, the smallest E wins */
        double best = INFINITY, bk;
        ms_error e1;
        for (int k = 0; k < MS_RC_NA_STEPS; k++) {
            if (ms_ridge_fit(U, T, p, y, 1, path_ridge(k), wk, &bk, &e1) != MS_OK) continue;
            double e = ms_rc_expected_error(U, T, p, y, wk, bk, weight_noise);
            if (e < best) best = e, a->b = bk, a->ridge = path_ridge(k), memcpy(a->w, wk, p * sizeof *wk);
        }
        if (!isfinite(best))
            st = ms_error_set(err, MS_ESOLVER, "readout: no ridge of the noise-aware path gave a solution "
                              "(last: %s)", e1.msg);
    }
    if (!st) a->e_exp = ms_rc_expected_error(U, T, p, y, a->w, a->b, weight_noise);
    free(U), free(wk);
    if (st) {
        ms_rc_readout_free(a);
        return st;
    }
    *out = a;
    return MS_OK;
}

ms_status ms_rc_readout_on_array(const ms_rc_readout *a, ms_xbar *xb, const double *X, size_t T,
                                 double *out, size_t *n_clipped, ms_error *err)
{
    const ms_crossbar_opts *o = ms_xbar_options(xb);
    if (ms_xbar_inputs(xb) != a->p || ms_xbar_outputs(xb) != 1 || !o->differential)
        return ms_error_set(err, MS_EINVAL, "readout: the array has %zu inputs and %zu outputs%s; the "
                            "readout needs %zu inputs, 1 output and differential pairs",
                            ms_xbar_inputs(xb), ms_xbar_outputs(xb), o->differential ? "" : " single-ended",
                            a->p);
    double *u = malloc(a->p * sizeof *u);
    if (!u) return ms_error_set(err, MS_ENOMEM, "readout: out of memory");
    double to_w = ms_xbar_report(xb)->w_max / (ms_xbar_v_read(xb) * (o->g_max - o->g_min));
    size_t clipped = 0;
    ms_status st = MS_OK;
    for (size_t t = 0; t < T && !st; t++) {
        clipped += ms_rc_readout_inputs(a, X + t * a->p, u);
        double I;
        if (ms_xbar_forward(xb, u, &I, 1) != MS_OK)
            st = ms_error_set(err, MS_EINVAL, "readout: %s", ms_xbar_errmsg(xb));
        out[t] = a->b + I * to_w;
    }
    free(u);
    if (n_clipped) *n_clipped = clipped;
    return st;
}

/* neurons/ridge.c: ridge regression of a linear readout through BLAS and LAPACK
 * (neurons/ms_ridge.h, docs/reservoir.md "Readout"). Centring takes the bias out of the
 * penalty; the rest is LAPACK's: dgelsd for the minimum-norm solution, dsyrk + dposv for the
 * regularised normal equations. */
#include "neurons/ms_ridge.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

static ms_status solve_min_norm(double *Xc, size_t T, size_t p, const double *Yc, size_t k, double *W,
                                ms_error *err)
{
    size_t rows = T > p ? T : p, mn = T < p ? T : p;
    double *B = calloc(rows * k, sizeof *B), *S = malloc(mn * sizeof *S);
    if (!B || !S) {
        free(B), free(S);
        return ms_error_set(err, MS_ENOMEM, "ridge: out of memory for %zu x %zu", T, p);
    }
    memcpy(B, Yc, T * k * sizeof *B);
    lapack_int rank = 0;
    /* pinv's cutoff: singular values below max(T, p) eps s_max count as zero */
    double rcond = (double)rows * DBL_EPSILON;
    lapack_int info = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, (lapack_int)T, (lapack_int)p, (lapack_int)k, Xc,
                                     (lapack_int)p, B, (lapack_int)k, S, rcond, &rank);
    if (info == 0) memcpy(W, B, p * k * sizeof *W);
    free(B), free(S);
    if (info != 0)
        return ms_error_set(err, MS_ESOLVER, "ridge: LAPACK dgelsd failed (info %d): the SVD did not "
                            "converge", (int)info);
    return MS_OK;
}

static ms_status solve_ridge(const double *Xc, size_t T, size_t p, const double *Yc, size_t k,
                             double lambda, double *W, ms_error *err)
{
    int primal = p <= T;
    size_t q = primal ? p : T;
    double *G = malloc(q * q * sizeof *G), *R = malloc(q * k * sizeof *R);
    if (!G || !R) {
        free(G), free(R);
        return ms_error_set(err, MS_ENOMEM, "ridge: out of memory for a %zu x %zu system", q, q);
    }
    if (primal) {   /* (Xc^T Xc + lambda I) W = Xc^T Yc */
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)p, (int)T, 1.0, Xc, (int)p, 0.0, G, (int)p);
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p, (int)k, (int)T, 1.0, Xc, (int)p, Yc,
                    (int)k, 0.0, R, (int)k);
    } else {        /* (Xc Xc^T + lambda I) A = Yc, W = Xc^T A */
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)T, (int)p, 1.0, Xc, (int)p, 0.0, G, (int)T);
        memcpy(R, Yc, T * k * sizeof *R);
    }
    for (size_t i = 0; i < q; i++) G[i * q + i] += lambda;
    lapack_int info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)q, (lapack_int)k, G, (lapack_int)q,
                                    R, (lapack_int)k);
    if (info == 0) {
        if (primal) memcpy(W, R, p * k * sizeof *W);
        else cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p, (int)k, (int)T, 1.0, Xc, (int)p, R,
                         (int)k, 0.0, W, (int)k);
    }
    free(G), free(R);
    if (info != 0)
        return ms_error_set(err, MS_ESOLVER, "ridge: LAPACK dposv failed (info %d): the regularised "
                            "%zu x %zu system is not positive definite", (int)info, q, q);
    return MS_OK;
}

ms_status ms_ridge_fit(const double *X, size_t T, size_t p, const double *Y, size_t k, double ridge,
                       double *W, double *b, ms_error *err)
{
    if (!X || !Y || !W || !b || T < 1 || p < 1 || k < 1)
        return ms_error_set(err, MS_EINVAL, "ridge: %zu samples of %zu features and %zu targets: "
                            "each must be >= 1", T, p, k);
    if (!(ridge >= 0 && isfinite(ridge)))
        return ms_error_set(err, MS_EINVAL, "ridge: ridge = %g must be a finite number >= 0", ridge);
    /* LAPACK's and BLAS's sizes are int */
    if (T > 0x7fffffff / p || T > 0x7fffffff / k)
        return ms_error_set(err, MS_EINVAL, "ridge: %zu x %zu is too large", T, p);
    for (size_t i = 0; i < T * p; i++)
        if (!isfinite(X[i]))
            return ms_error_set(err, MS_EINVAL, "ridge: feature %zu of sample %zu = %g is not finite",
                                i % p + 1, i / p + 1, X[i]);
    for (size_t i = 0; i < T * k; i++)
        if (!isfinite(Y[i]))
            return ms_error_set(err, MS_EINVAL, "ridge: target %zu of sample %zu = %g is not finite",
                                i % k + 1, i / k + 1, Y[i]);
    double *Xc = malloc(T * p * sizeof *Xc), *Yc = malloc(T * k * sizeof *Yc);
    double *mx = calloc(p, sizeof *mx), *my = calloc(k, sizeof *my);
    if (!Xc || !Yc || !mx || !my) {
        free(Xc), free(Yc), free(mx), free(my);
        return ms_error_set(err, MS_ENOMEM, "ridge: out of memory for %zu x %zu", T, p);
    }
    for (size_t t = 0; t < T; t++) {
        for (size_t i = 0; i < p; i++) mx[i] += X[t * p + i] / (double)T;
        for (size_t i = 0; i < k; i++) my[i] += Y[t * k + i] / (double)T;
    }
    double energy = 0.0;
    for (size_t t = 0; t < T; t++) {
        for (size_t i = 0; i < p; i++) {
            double d = X[t * p + i] - mx[i];
            Xc[t * p + i] = d, energy += d * d;
        }
        for (size_t i = 0; i < k; i++) Yc[t * k + i] = Y[t * k + i] - my[i];
    }
    ms_status st;
    if (ridge == 0) st = solve_min_norm(Xc, T, p, Yc, k, W, err);
    else if (!(energy > 0))
        st = ms_error_set(err, MS_EINVAL, "ridge: the %zu features do not vary over the %zu samples", p, T);
    else st = solve_ridge(Xc, T, p, Yc, k, ridge * energy / (double)p, W, err);
    if (!st)
        for (size_t i = 0; i < k; i++) {
            b[i] = my[i];
            for (size_t j = 0; j < p; j++) b[i] -= mx[j] * W[j * k + i];
        }
    free(Xc), free(Yc), free(mx), free(my);
    return st;
}

void ms_ridge_predict(const double *X, size_t T, size_t p, const double *W, const double *b, size_t k,
                      double *out)
{
    for (size_t t = 0; t < T; t++)
        for (size_t i = 0; i < k; i++) {
            double s = b[i];
            for (size_t j = 0; j < p; j++) s += X[t * p + j] * W[j * k + i];
            out[t * k + i] = s;
        }
}

double ms_nrmse(const double *y, const double *target, size_t n)
{
    if (n < 2) return NAN;
    double mean = 0.0, se = 0.0, var = 0.0;
    for (size_t i = 0; i < n; i++) mean += target[i] / (double)n;
    for (size_t i = 0; i < n; i++) {
        double d = y[i] - target[i], e = target[i] - mean;
        se += d * d, var += e * e;
    }
    var /= (double)(n - 1);
    return var > 0 ? sqrt(se / (double)n / var) : NAN;
}

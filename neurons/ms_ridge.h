/* neurons/ms_ridge.h: the linear readout of a reservoir, trained by ridge regression (Tikhonov
 * least squares) with LAPACK, and its error measure. docs/reservoir.md, "Readout".
 *
 * Minimises  sum_t |x_t W + b - y_t|^2 + lambda |W|^2  over W (p x k) and the bias b (k,
 * not penalised), with lambda = ridge x trace(Xc^T Xc) / p, Xc the column-centred features:
 * `ridge` is relative to the mean feature energy, so it does not depend on the unit of the
 * features (A or uA). ridge = 0 is the minimum-norm least-squares solution (LAPACK dgelsd, an
 * SVD: the released code's pinv); ridge > 0 solves the normal equations by Cholesky (dposv),
 * in the primal (p x p) or the dual (T x T) form, whichever is smaller. */
#ifndef MEMSNN_NEURONS_MS_RIDGE_H
#define MEMSNN_NEURONS_MS_RIDGE_H

#include <stddef.h>

#include "core/ms_status.h"

/* X [T x p] and Y [T x k] row-major; writes W [p x k] row-major and b [k]. T, p, k >= 1;
 * ridge >= 0 and finite. MS_EINVAL for bad sizes or values (naming them), MS_ESOLVER when
 * LAPACK fails (its routine and info). */
ms_status ms_ridge_fit(const double *X, size_t T, size_t p, const double *Y, size_t k, double ridge,
                       double *W, double *b, ms_error *err);

/* out [T x k] = X W + b. */
void ms_ridge_predict(const double *X, size_t T, size_t p, const double *W, const double *b, size_t k,
                      double *out);

/* Normalised root-mean-square error of y against the target over n samples, as the released
 * code computes it: sqrt(mean((y - target)^2) / var(target)), var with n - 1. NaN when n < 2
 * or the target is constant. */
double ms_nrmse(const double *y, const double *target, size_t n);

#endif

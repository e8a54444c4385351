/* neurons/ms_rc_readout.h: the linear readout of a reservoir made ready for an RRAM crossbar
 * (docs/reservoir.md, "Readout on an RRAM array"): the features normalised into the array's
 * input range [0, 1], a ridge fit (neurons/ms_ridge.h), optionally noise-aware, and the
 * outputs read back through a mapped array (neurons/ms_xbar.h).
 *
 * Normalisation: feature k becomes u_k = (x_k - lo_k) / (hi_k - lo_k), lo and hi its smallest
 * and largest value on the training data (a constant feature gives 0); at prediction u is
 * clipped to [0, 1], as a word-line driver saturates.
 *
 * Noise-aware training uses the weight noise of docs/ann.md (P. Yao et al., Nature 577, 641
 * (2020)): the weights the array holds are taken as w + r max|w| N(0, 1), independently per
 * weight. For a linear readout the average training error over that noise has a closed form,
 *   E(w, b) = sum_t (u_t . w + b - y_t)^2 + (r max|w|)^2 sum_t |u_t|^2,
 * so the noise is averaged exactly instead of sampled: the fit is the ridge solution whose
 * E is smallest over the ridge path ({0} and 10^-12 ... 10^0 in half decades). The bias is
 * kept off the array (a digital offset in the periphery), as the source code's readout keeps
 * it [S RC-GH Mylayers.py]. Source tags are defined in docs/devices/sources.md. */
#ifndef MEMSNN_NEURONS_MS_RC_READOUT_H
#define MEMSNN_NEURONS_MS_RC_READOUT_H

#include <stddef.h>

#include "core/ms_status.h"
#include "neurons/ms_xbar.h"

typedef struct ms_rc_readout ms_rc_readout;

/* Ridge values the noise-aware fit searches: 0, then 10^-12 ... 10^0 in half decades. */
#define MS_RC_NA_STEPS 26

/* Fits the readout on the features X [T x p] (row-major) and targets y [T]. weight_noise r:
 * 0 fits with `ridge` (ms_ridge_fit on the normalised features); r > 0 is noise-aware and
 * ignores `ridge`. T >= 2, p >= 1, ridge and r finite and >= 0. MS_EINVAL names the bad value,
 * MS_ESOLVER or MS_ENOMEM pass on the solver's. */
ms_status ms_rc_readout_fit(const double *X, size_t T, size_t p, const double *y, double ridge,
                            double weight_noise, ms_rc_readout **out, ms_error *err);
void ms_rc_readout_free(ms_rc_readout *a);

size_t ms_rc_readout_n_features(const ms_rc_readout *a);
const double *ms_rc_readout_weights(const ms_rc_readout *a);     /* [p], on normalised u    */
double ms_rc_readout_bias(const ms_rc_readout *a);
double ms_rc_readout_ridge(const ms_rc_readout *a);              /* the ridge used          */
/* E(w, b) of the fit on its training data with r = the weight_noise it was trained for. */
double ms_rc_readout_expected_error(const ms_rc_readout *a);

/* E(w, b) above for features U [T x p] already normalised, targets y, weights w, bias b. */
double ms_rc_expected_error(const double *U, size_t T, size_t p, const double *y, const double *w,
                            double b, double weight_noise);

/* u [p] = the normalised, clipped features of one sample x [p]; returns how many were clipped. */
size_t ms_rc_readout_inputs(const ms_rc_readout *a, const double *x, double *u);

/* Software outputs out [T] = u_t . w + b on the normalised, clipped features. */
void ms_rc_readout_predict(const ms_rc_readout *a, const double *X, size_t T, double *out);

/* Outputs read through xb, an array of p inputs and 1 output holding the weights of
 * ms_rc_readout_weights (differential pairs, mapped with its w_max): the column current
 * I = V_read sum_k u_k (G+_k - G-_k) of each sample, with the array's read noise, scaled back
 * to weight units, out_t = b + I w_max / (V_read (g_max - g_min)). n_clipped (may be NULL)
 * gets the clipped inputs. MS_EINVAL when xb does not fit the readout. */
ms_status ms_rc_readout_on_array(const ms_rc_readout *a, ms_xbar *xb, const double *X, size_t T,
                                 double *out, size_t *n_clipped, ms_error *err);

#endif

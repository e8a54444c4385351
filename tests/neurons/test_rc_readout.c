/* The reservoir readout on an RRAM crossbar (neurons/rc_readout.c): on an ideal array the
 * array's outputs stay within the quantisation bound of the software readout; the
 * noise-aware objective equals the average of sampled weight noise; noise-aware training
 * keeps a Henon readout usable on a noisy array where the plain one fails; bad values.
 * docs/reservoir.md "Readout on an RRAM array"; numbers: cr_log_info (--verbose). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ms_rng.h"
#include "core/ms_status.h"
#include "devices/ms_device.h"
#include "neurons/ms_rc_readout.h"
#include "neurons/ms_rc_tasks.h"
#include "neurons/ms_reservoir.h"
#include "neurons/ms_ridge.h"
#include "neurons/ms_xbar.h"

TestSuite(rc_readout, .timeout = 30);

enum { T = 600, N = 25, M = 4, F = N * M };
static double u[2 * T], y[2 * T], X[T * F], Xt[T * F];

/* Henon features of the ideal code-setting reservoir: train X (first T), test Xt (next T). */
static void henon_features(void)
{
    ms_error e;
    cr_assert_eq(ms_rc_task_data(MS_RC_HENON, 2 * T, 1, u, y, &e), MS_OK);
    const ms_device_class *c = ms_device_find("dynamic_tiox");
    double p[MS_DEVICE_MAX_PARAMS];
    ms_device_defaults(c, p);
    ms_reservoir_opts o;
    ms_reservoir_opts_default(&o);
    o.in_lo = -1.5, o.in_hi = 1.5;
    ms_reservoir *r;
    cr_assert_eq(ms_reservoir_new(c, p, &o, &r, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(ms_reservoir_drive(r, u, T, X, NULL, &e), MS_OK);
    ms_reservoir_reset(r);
    cr_assert_eq(ms_reservoir_drive(r, u + T, T, Xt, NULL, &e), MS_OK);
    ms_reservoir_free(r);
}

static ms_xbar *map(const ms_rc_readout *a, const ms_crossbar_opts *o)
{
    char msg[512];
    ms_xbar *xb;
    cr_assert_eq(ms_xbar_create(o, ms_rc_readout_weights(a), F, 1, 0, &xb, msg, sizeof msg), MS_OK, "%s", msg);
    return xb;
}

Test(rc_readout, ideal_array_reproduces_the_software_readout_within_half_a_level)
{
    henon_features();
    ms_rc_readout *a;
    ms_error e;
    cr_assert_eq(ms_rc_readout_fit(X, T, F, y, 0, 0.01, &a, &e), MS_OK, "%s", e.msg);
    ms_crossbar_opts o;
    ms_crossbar_opts_default(&o);
    o.write_verify = 0;   /* open loop, no noise: the array holds the nearest level exactly */
    ms_xbar *xb = map(a, &o);
    static double sw[T], hw[T], uu[F];
    ms_rc_readout_predict(a, Xt, T, sw);
    cr_assert_eq(ms_rc_readout_on_array(a, xb, Xt, T, hw, NULL, &e), MS_OK, "%s", e.msg);
    /* each weight is within half a level, dw / 2 = w_max / (2 (L - 1)), so each output is
     * within dw / 2 sum_k u_k */
    double dw = ms_xbar_report(xb)->w_max / 63.0, worst = 0;
    for (int t = 0; t < T; t++) {
        ms_rc_readout_inputs(a, Xt + t * F, uu);
        double s = 0;
        for (int k = 0; k < F; k++) s += uu[k];
        double bound = dw / 2 * s * (1 + 1e-9);
        cr_assert_leq(fabs(hw[t] - sw[t]), bound, "sample %d: %g off, bound %g", t, hw[t] - sw[t], bound);
        worst = fmax(worst, fabs(hw[t] - sw[t]) / bound);
    }
    double es = ms_nrmse(sw + 9, y + T + 9, T - 9), eh = ms_nrmse(hw + 9, y + T + 9, T - 9);
    cr_log_info("ideal array, Henon, noise-aware 0.01: NRMSE software %.4f, array %.4f; worst output at %.2f of "
                "its bound; w_max %.4g", es, eh, worst, ms_xbar_report(xb)->w_max);
    cr_assert(fabs(eh - es) < 0.01, "the array's NRMSE within 0.01 of the software's");
    ms_xbar_free(xb);
    ms_rc_readout_free(a);
}

Test(rc_readout, noise_aware_objective_is_the_average_over_sampled_weight_noise)
{
    /* E(w, b) = sum (u.w + b - y)^2 + (r max|w|)^2 sum |u|^2 against the mean over 4000
     * draws of w + r max|w| N(0, 1) */
    enum { Ts = 50, p = 6, K = 4000 };
    double U[Ts * p], yy[Ts], w[p] = { 0.3, -1.2, 0.5, 0.05, 2.0, -0.7 }, b = 0.1, r = 0.05;
    ms_rng g;
    ms_rng_init(&g, 1, 0, MS_RNG_USER);
    for (int i = 0; i < Ts * p; i++) U[i] = ms_rng_uniform(&g);
    for (int t = 0; t < Ts; t++) {   /* a target the clean weights nearly fit */
        yy[t] = b + 0.1 * ms_rng_normal(&g);
        for (int i = 0; i < p; i++) yy[t] += U[t * p + i] * w[i];
    }
    double mean = 0, wn[p];
    for (int k = 0; k < K; k++) {
        for (int i = 0; i < p; i++) wn[i] = w[i] + r * 2.0 * ms_rng_normal(&g);
        mean += ms_rc_expected_error(U, Ts, p, yy, wn, b, 0) / K;
    }
    double closed = ms_rc_expected_error(U, Ts, p, yy, w, b, r), clean = ms_rc_expected_error(U, Ts, p, yy, w, b, 0);
    cr_log_info("weight noise 0.05 max|w|: sampled mean %.4f, closed form %.4f, noiseless %.4f", mean, closed, clean);
    cr_assert(closed - clean > 0.2 * clean, "the noise term matters here");
    cr_assert(fabs(mean / closed - 1) < 0.03, "sampled %g vs closed form %g", mean, closed);
}

Test(rc_readout, noise_aware_training_survives_a_noisy_array_where_plain_fails)
{
    henon_features();
    ms_crossbar_opts o;
    ms_crossbar_opts_default(&o);
    o.variation = 0.05, o.c2c = 0.55e-6, o.read_noise = 0.01;
    ms_error e;
    double es[2], eh[2], ridge[2];
    static double sw[T], hw[T];
    for (int q = 0; q < 2; q++) {
        ms_rc_readout *a;
        cr_assert_eq(ms_rc_readout_fit(X, T, F, y, 0, q ? 0.01 : 0, &a, &e), MS_OK, "%s", e.msg);
        ms_xbar *xb = map(a, &o);
        ms_rc_readout_predict(a, Xt, T, sw);
        cr_assert_eq(ms_rc_readout_on_array(a, xb, Xt, T, hw, NULL, &e), MS_OK);
        es[q] = ms_nrmse(sw + 9, y + T + 9, T - 9), eh[q] = ms_nrmse(hw + 9, y + T + 9, T - 9);
        ridge[q] = ms_rc_readout_ridge(a);
        ms_xbar_free(xb);
        ms_rc_readout_free(a);
    }
    cr_log_info("Henon on a noisy array: plain software %.4f, array %.4g; noise-aware 0.01 (ridge %g) software "
                "%.4f, array %.4f", es[0], eh[0], ridge[1], es[1], eh[1]);
    cr_assert_lt(es[0], es[1], "plain fits better in software");
    cr_assert_gt(eh[0], 10.0, "plain fails on the array: its weights need more than 64 levels");
    cr_assert_lt(eh[1], 0.4, "noise-aware stays usable on the array");
    cr_assert(fabs(eh[1] - es[1]) < 0.05, "and close to its own software outputs");
    cr_assert_gt(ridge[1], 0);
}

Test(rc_readout, bad_values_are_named)
{
    double x[4] = { 0, 1, 2, 3 }, yy[4] = { 1, 2, 3, 4 };
    ms_rc_readout *a;
    ms_error e;
    cr_assert_eq(ms_rc_readout_fit(x, 4, 1, yy, 0, -0.1, &a, &e), MS_EINVAL);
    cr_assert_str_eq(e.msg, "readout: weight_noise = -0.1 must lie in [0, 1] (a sigma relative to max|w|: 0.06 is 6 %)");
    cr_assert_eq(ms_rc_readout_fit(x, 4, 1, yy, -1, 0, &a, &e), MS_EINVAL);
    cr_assert_str_eq(e.msg, "readout: ridge = -1 must be a finite number >= 0");
    cr_assert_eq(ms_rc_readout_fit(x, 1, 1, yy, 0, 0, &a, &e), MS_EINVAL);
    cr_assert_str_eq(e.msg, "readout: 1 samples of 1 features: need at least 2 samples and 1 feature");
    x[2] = INFINITY;
    cr_assert_eq(ms_rc_readout_fit(x, 4, 1, yy, 0, 0, &a, &e), MS_EINVAL);
    cr_assert_str_eq(e.msg, "readout: feature 1 of sample 3 = inf is not finite");
    x[2] = 2;
    cr_assert_eq(ms_rc_readout_fit(x, 4, 1, yy, 0, 0, &a, &e), MS_OK, "%s", e.msg);
    /* an array of the wrong shape */
    ms_crossbar_opts o;
    ms_crossbar_opts_default(&o);
    double w[2] = { 0.5, -0.5 };
    char msg[256];
    ms_xbar *xb;
    cr_assert_eq(ms_xbar_create(&o, w, 2, 1, 0, &xb, msg, sizeof msg), MS_OK);
    double out[4];
    cr_assert_eq(ms_rc_readout_on_array(a, xb, x, 4, out, NULL, &e), MS_EINVAL);
    cr_assert_str_eq(e.msg, "readout: the array has 2 inputs and 1 outputs; the readout needs 1 inputs, 1 output "
                            "and differential pairs");
    ms_xbar_free(xb);
    ms_rc_readout_free(a);
}

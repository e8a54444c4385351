/* Reservoir computing (neurons/reservoir.c, ridge.c, rc_tasks.c, devices/dynamic_pulse.c):
 * fading memory with the device's time constant, potentiation and relaxation by pulse sign
 * (hand values), the closed form against CVODE, the ridge solver on problems with a known
 * solution, the Henon benchmark on a short run, reproducibility, and every bad input. The
 * numbers quoted in docs/reservoir.md are the cr_log_info lines (run with --verbose).
 * Source tags ([S ZH21], [R], ...) are defined in docs/devices/sources.md. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ms_status.h"
#include "devices/ms_dendrite.h"
#include "devices/ms_device.h"
#include "neurons/ms_device_drive.h"
#include "neurons/ms_rc_tasks.h"
#include "neurons/ms_reservoir.h"
#include "neurons/ms_ridge.h"

TestSuite(reservoir, .timeout = 30);

static const ms_device_class *tiox(double *p)
{
    const ms_device_class *c = ms_device_find("dynamic_tiox");
    cr_assert_not_null(c);
    ms_device_defaults(c, p);
    return c;
}

Test(reservoir, fading_memory_decays_with_tau_and_matches_cvode)
{
    double p[MS_DEVICE_MAX_PARAMS];
    const ms_device_class *c = tiox(p);
    /* a 3 V write of 4 us, then rest: G - G0 falls by e in tau = 400 us [S ZH21-F1] */
    double G1 = ms_tiox_hold(p, 0.5, 3.0, 4e-6);
    double G2 = ms_tiox_hold(p, G1, 0.0, 400e-6);
    cr_assert_float_eq((G2 - 0.5) / (G1 - 0.5), exp(-1.0), 1e-12);
    /* the same through CVODE: a 4 us trapezoid (1 ns edges) and 400 us at rest */
    double t[] = { 0, 1e-9, 4e-6, 4.001e-6, 404.001e-6 }, v[] = { 0, 3, 3, 0, 0 };
    ms_drive_opts o;
    ms_drive_opts_default(&o);
    ms_pwl w = { 5, t, v };
    ms_drive_result *r;
    ms_error e;
    cr_assert_eq(ms_device_drive(c, p, NULL, &w, &o, &r, &e), MS_OK, "%s", e.msg);
    const double *G = ms_drive_state(r, MS_TIOX_G);
    cr_log_info("fading: closed form G %.9f -> %.9f, CVODE %.9f -> %.9f", G1, G2, G[3], G[4]);
    cr_assert_float_eq(G[3], G1, 1e-5, "after the pulse");
    cr_assert_float_eq(G[4], G2, 1e-5, "after 400 us of rest");
    ms_drive_result_free(r);
}

Test(reservoir, positive_pulses_potentiate_others_relax_hand_values)
{
    double p[MS_DEVICE_MAX_PARAMS];
    tiox(p);
    /* u(2.5 V) = 0.575 / 1.575 = 23/63. The source map from G0 = 0.5:
     * +2.5 V: 0.5 + u (1 - 0.5) = 0.68254; -2.5 V: 0.5 + u (0 - 0.5) = 0.31746; 0 V: 0.5. */
    cr_assert_float_eq(ms_tiox_map_step(p, 0.5, 2.5), 0.5 + 23.0 / 63 * 0.5, 1e-14);
    cr_assert_float_eq(ms_tiox_map_step(p, 0.5, -2.5), 0.5 - 23.0 / 63 * 0.5, 1e-14);
    cr_assert_float_eq(ms_tiox_map_step(p, 0.5, 0.0), 0.5, 1e-15);
    cr_assert_float_eq(ms_tiox_map_step(p, 0.8, 0.0), 0.99 * 0.8 + 0.01 * 0.5, 1e-14);
    /* The ODE's closed form over 4 us: k = 1/tau + u/dt_in, k t = 0.01 + 23/63, G_inf =
     * (G0/tau + u b/dt_in)/k; +2.5 V gives 0.652213, -2.5 V 0.347787 (the mirror about G0),
     * and 0 V from 0.8 gives 0.5 + 0.3 exp(-0.01) = 0.797015. */
    cr_assert_float_eq(ms_tiox_hold(p, 0.5, 2.5, 4e-6), 0.6522133117581854, 1e-13);
    cr_assert_float_eq(ms_tiox_hold(p, 0.5, -2.5, 4e-6), 0.3477866882418146, 1e-13);
    cr_assert_float_eq(ms_tiox_hold(p, 0.8, 0.0, 4e-6), 0.5 + 0.3 * exp(-0.01), 1e-14);
    /* dynamic_wox: w_inf = lambda tau sinh(eta v); 0.3 V for 1 ms from w_min 0.1 */
    const ms_device_class *w = ms_device_find("dynamic_wox");
    double q[MS_DEVICE_MAX_PARAMS];
    ms_device_defaults(w, q);
    double winf = 1.0 * 0.05 * sinh(8 * 0.3);
    cr_assert_float_eq(ms_wox_hold(q, 0.1, 0.3, 1e-3), winf + (0.1 - winf) * exp(-0.02), 1e-14);
    cr_assert_float_eq(ms_wox_hold(q, 0.1, -0.3, 1e-3), 0.1, 0, "held at the floor w_min");
    cr_assert_float_eq(ms_wox_hold(q, 0.9, 1.0, 1.0), 1.0, 0, "held at 1");
}

static ms_reservoir *make(size_t n, size_t m, ms_res_method method, uint64_t seed)
{
    double p[MS_DEVICE_MAX_PARAMS];
    const ms_device_class *c = tiox(p);
    ms_reservoir_opts o;
    ms_reservoir_opts_default(&o);
    o.n = n, o.m = m, o.method = method, o.seed = seed;
    ms_reservoir *r;
    ms_error e;
    cr_assert_eq(ms_reservoir_new(c, p, &o, &r, &e), MS_OK, "%s", e.msg);
    return r;
}

Test(reservoir, closed_form_agrees_with_cvode_pulse_by_pulse)
{
    enum { T = 10, N = 2, M = 4 };
    double u[T], X1[T * N * M], X2[T * N * M];
    for (int t = 0; t < T; t++) u[t] = sin(1.3 * t);
    ms_reservoir *a = make(N, M, MS_RES_EXACT, 3), *b = make(N, M, MS_RES_ODE, 3);
    ms_error e;
    cr_assert_eq(ms_reservoir_drive(a, u, T, X1, NULL, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(ms_reservoir_drive(b, u, T, X2, NULL, &e), MS_OK, "%s", e.msg);
    double worst = 0;
    for (int k = 0; k < T * N * M; k++)
        if (X1[k] != 0) worst = fmax(worst, fabs(X2[k] / X1[k] - 1));
    cr_log_info("exact vs CVODE over %d pulses: largest relative difference of a read %.2e", T * M * N, worst);
    cr_assert_lt(worst, 1e-3);
    ms_reservoir_free(a), ms_reservoir_free(b);
}

Test(reservoir, ridge_recovers_a_known_linear_map)
{
    enum { T = 40, P = 3 };
    double X[T * P], y[T], W[P], b;
    for (int t = 0; t < T; t++) {
        for (int j = 0; j < P; j++) X[t * P + j] = sin(0.7 * t + 1.9 * j) + 0.1 * j * t;
        y[t] = 1.0 * X[t * P] - 2.0 * X[t * P + 1] + 0.5 * X[t * P + 2] + 3.0;
    }
    ms_error e;
    cr_assert_eq(ms_ridge_fit(X, T, P, y, 1, 0.0, W, &b, &e), MS_OK, "%s", e.msg);
    cr_assert_float_eq(W[0], 1.0, 1e-10);
    cr_assert_float_eq(W[1], -2.0, 1e-10);
    cr_assert_float_eq(W[2], 0.5, 1e-10);
    cr_assert_float_eq(b, 3.0, 1e-10);
    /* one feature, ridge r: lambda = r Sxx, so w = Sxy / (Sxx (1 + r)) with centred sums */
    double x1[T], mx = 0, my = 0, sxx = 0, sxy = 0;
    for (int t = 0; t < T; t++) x1[t] = X[t * P], mx += x1[t] / T, my += y[t] / T;
    for (int t = 0; t < T; t++) sxx += (x1[t] - mx) * (x1[t] - mx), sxy += (x1[t] - mx) * (y[t] - my);
    double w1;
    cr_assert_eq(ms_ridge_fit(x1, T, 1, y, 1, 0.25, &w1, &b, &e), MS_OK, "%s", e.msg);
    cr_assert_float_eq(w1, sxy / (sxx * 1.25), 1e-12);
    cr_assert_float_eq(b, my - mx * w1, 1e-12);
}

Test(reservoir, ridge_dual_form_solves_the_normal_equations)
{
    /* more features (6) than samples (4): the dual form; check (Xc^T Xc + lambda I) W = Xc^T yc */
    enum { T = 4, P = 6 };
    double X[T * P], y[T] = { 1, -1, 2, 0.5 }, W[P], b, mx[P] = { 0 }, my = 0, energy = 0;
    for (int k = 0; k < T * P; k++) X[k] = cos(0.37 * k * k + 1);
    ms_error e;
    cr_assert_eq(ms_ridge_fit(X, T, P, y, 1, 0.1, W, &b, &e), MS_OK, "%s", e.msg);
    for (int t = 0; t < T; t++) {
        my += y[t] / T;
        for (int j = 0; j < P; j++) mx[j] += X[t * P + j] / T;
    }
    for (int k = 0; k < T * P; k++) energy += (X[k] - mx[k % P]) * (X[k] - mx[k % P]);
    double lambda = 0.1 * energy / P;
    for (int i = 0; i < P; i++) {
        double lhs = lambda * W[i], rhs = 0;
        for (int t = 0; t < T; t++) {
            double xi = X[t * P + i] - mx[i], s = 0;
            for (int j = 0; j < P; j++) s += (X[t * P + j] - mx[j]) * W[j];
            lhs += xi * s, rhs += xi * (y[t] - my);
        }
        cr_assert_float_eq(lhs, rhs, 1e-10, "normal equation %d", i);
    }
}

/* Train on the first 1000 Henon steps, test on the next 1000 (NRMSE from step 10, as the source
 * code measures it). */
static double henon_nrmse(uint64_t seed, signed char *mask_out)
{
    enum { T = 1000, N = 25, M = 4, F = N * M };
    static double u[2 * T], y[2 * T], X[T * F], Xt[T * F], W[F], out[T];
    ms_error e;
    cr_assert_eq(ms_rc_task_data(MS_RC_HENON, 2 * T, 1, u, y, &e), MS_OK);
    ms_reservoir *r = make(N, M, MS_RES_EXACT, seed);
    if (mask_out) memcpy(mask_out, ms_reservoir_mask(r), N * M);
    cr_assert_eq(ms_reservoir_drive(r, u, T, X, NULL, &e), MS_OK, "%s", e.msg);
    ms_reservoir_reset(r);
    cr_assert_eq(ms_reservoir_drive(r, u + T, T, Xt, NULL, &e), MS_OK, "%s", e.msg);
    double b;
    cr_assert_eq(ms_ridge_fit(X, T, F, y, 1, 0.0, W, &b, &e), MS_OK, "%s", e.msg);
    ms_ridge_predict(Xt, T, F, W, &b, 1, out);
    ms_reservoir_free(r);
    return ms_nrmse(out + 9, y + T + 9, T - 9);
}

Test(reservoir, henon_short_run_below_bound_and_reproducible)
{
    signed char m1[100], m2[100], m3[100];
    double e1 = henon_nrmse(7, m1), e2 = henon_nrmse(7, m2), e3 = henon_nrmse(8, m3);
    cr_log_info("Henon, 1000 train / 1000 test steps, M 4, N 25, 0-2.5 V: NRMSE %.4f (seed 7), %.4f (seed 8)", e1, e3);
    cr_assert_lt(e1, 0.046, "the paper's 0.046 [S ZH21]");
    cr_assert_eq(e1, e2, "same seed, same result");
    cr_assert_eq(memcmp(m1, m2, 100), 0, "same seed, same mask");
    cr_assert_neq(memcmp(m1, m3, 100), 0, "another seed, another mask");
    int plus = 0;
    for (int k = 0; k < 100; k++) {
        plus += m1[k] == 1;
        cr_assert(m1[k] == 1 || m1[k] == -1);
    }
    cr_assert(plus > 30 && plus < 70, "a fair +-1 mask: %d of 100 are +1", plus);
}

Test(reservoir, bad_inputs_are_named)
{
    double p[MS_DEVICE_MAX_PARAMS];
    const ms_device_class *c = tiox(p);
    ms_reservoir_opts o;
    ms_reservoir *r = NULL;
    ms_error e;
    ms_reservoir_opts_default(&o), o.n = 0;
    cr_assert_eq(ms_reservoir_new(c, p, &o, &r, &e), MS_EINVAL);
    cr_assert_str_eq(e.msg, "reservoir: n = 0 devices and mask_length = 4 must be >= 1 with n x mask_length <= 1000000");
    ms_reservoir_opts_default(&o), o.m = 0;
    cr_assert_eq(ms_reservoir_new(c, p, &o, &r, &e), MS_EINVAL);
    cr_assert_str_eq(e.msg, "reservoir: n = 25 devices and mask_length = 0 must be >= 1 with n x mask_length <= 1000000");
    ms_reservoir_opts_default(&o), o.v_min_V = 2.5;
    cr_assert_eq(ms_reservoir_new(c, p, &o, &r, &e), MS_EINVAL);
    cr_assert_str_eq(e.msg, "reservoir: v_min = 2.5 V must be below v_max = 2.5 V");
    ms_reservoir_opts_default(&o), o.method = MS_RES_MAP, o.t_pulse_s = 1e-6;
    cr_assert_eq(ms_reservoir_new(c, p, &o, &r, &e), MS_EINVAL);
    cr_assert_str_eq(e.msg, "reservoir: method 'map' steps by dt_in = 4e-06 s: t_pulse = 1e-06 s must equal it and t_gap = 0 s be 0");
    ms_reservoir_opts_default(&o);
    cr_assert_eq(ms_reservoir_new(ms_device_find("rram"), p, &o, &r, &e), MS_EINVAL);
    double rp[MS_DEVICE_MAX_PARAMS];
    ms_device_defaults(ms_device_find("rram"), rp);
    cr_assert_eq(ms_reservoir_new(ms_device_find("rram"), rp, &o, &r, &e), MS_EINVAL);
    cr_assert_str_eq(e.msg, "reservoir: method 'exact' knows dynamic_tiox and dynamic_wox, not 'rram'; use method 'ode'");
    cr_assert_null(r);
    /* a constant input has no range to scale */
    r = make(2, 2, MS_RES_EXACT, 1);
    double u[3] = { 0, 0, 0 }, X[12];
    cr_assert_eq(ms_reservoir_drive(r, u, 3, X, NULL, &e), MS_EINVAL);
    cr_assert_str_eq(e.msg, "reservoir: drive: the 12 masked inputs are all 0, nothing to scale; give input_range");
    u[1] = NAN;
    cr_assert_eq(ms_reservoir_drive(r, u, 3, X, NULL, &e), MS_EINVAL);
    cr_assert_str_eq(e.msg, "reservoir: drive: input 2 = nan is not finite");
    ms_reservoir_free(r);
    ms_rc_task t;
    cr_assert_eq(ms_rc_task_find("lorenz", &t, &e), MS_EINVAL);
    cr_assert_str_eq(e.msg, "unknown task 'lorenz' (known: henon, waveform, mackey_glass)");
    double W[1], b, x[2] = { 1, 2 }, y[2] = { 1, 2 };
    cr_assert_eq(ms_ridge_fit(x, 2, 1, y, 1, -1, W, &b, &e), MS_EINVAL);
    cr_assert_str_eq(e.msg, "ridge: ridge = -1 must be a finite number >= 0");
}

Test(reservoir, task_data_by_hand)
{
    double u[16], y[16];
    ms_error e;
    cr_assert_eq(ms_rc_task_data(MS_RC_WAVEFORM, 16, 1, u, y, &e), MS_OK);
    for (int k = 0; k < 16; k++) {
        int s = k % 8;
        double sine = sin(2 * 3.14159265358979323846 * s / 8), sq = s < 4 ? 1 : -1;
        cr_assert(y[k] == 0 || y[k] == 1);
        cr_assert_float_eq(u[k], y[k] ? sq : sine, 1e-15, "sample %d", k);
        cr_assert_eq(y[k], y[k - s], "one label per period");
    }
    cr_assert_eq(ms_rc_task_data(MS_RC_HENON, 16, 1, u, y, &e), MS_OK);
    for (int k = 2; k < 16; k++)   /* x_{k+1} = 1 - 1.4 x_k^2 + 0.3 x_{k-1} + noise (sigma 0.0025) */
        cr_assert_float_eq(y[k], 1 - 1.4 * u[k] * u[k] + 0.3 * u[k - 1], 0.0125);
    for (int k = 0; k < 15; k++) cr_assert_eq(y[k], u[k + 1], "target = next input");
    cr_assert_eq(ms_rc_task_data(MS_RC_MACKEY_GLASS, 16, 1, u, y, &e), MS_OK);
    for (int k = 0; k < 15; k++) {
        cr_assert_eq(y[k], u[k + 1]);
        cr_assert(u[k] > 0.2 && u[k] < 1.5, "%g", u[k]);
    }
}

/* The non-ideal reservoir (neurons/reservoir.c, devices/dendrite_dynamic.c): device-to-device
 * variation drawn per device with the class's lognormal law and the requested sigma, read
 * noise and cycle-to-cycle noise with their sigmas, reproducibility with noise on, noise off
 * equal to the ideal reservoir to the bit, and the bad values. docs/reservoir.md
 * "Non-ideal devices"; the numbers there are the cr_log_info lines (--verbose). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ms_status.h"
#include "devices/ms_dendrite.h"
#include "devices/ms_device.h"
#include "neurons/ms_reservoir.h"

TestSuite(rc_nonideal, .timeout = 30);

/* A dynamic_tiox reservoir with d2d, read noise and c2c; inputs scaled by a fixed range. */
static ms_reservoir *make(size_t n, size_t m, double d2d, double read_noise, double c2c, uint64_t seed)
{
    const ms_device_class *c = ms_device_find("dynamic_tiox");
    double p[MS_DEVICE_MAX_PARAMS];
    ms_device_defaults(c, p);
    p[MS_TIOX_D2D] = d2d;
    ms_reservoir_opts o;
    ms_reservoir_opts_default(&o);
    o.n = n, o.m = m, o.read_noise = read_noise, o.c2c = c2c, o.seed = seed;
    o.in_lo = -1, o.in_hi = 1;
    ms_reservoir *r;
    ms_error e;
    cr_assert_eq(ms_reservoir_new(c, p, &o, &r, &e), MS_OK, "%s", e.msg);
    return r;
}

/* Mean and sample sd of v[0..n). */
static void stats(const double *v, size_t n, double *mean, double *sd)
{
    double m = 0, s = 0;
    for (size_t i = 0; i < n; i++) m += v[i] / (double)n;
    for (size_t i = 0; i < n; i++) s += (v[i] - m) * (v[i] - m);
    *mean = m, *sd = sqrt(s / (double)(n - 1));
}

Test(rc_nonideal, variation_spreads_each_parameter_with_the_requested_sigma)
{
    enum { N = 4000 };
    const double sigma = 0.2;
    ms_reservoir *r = make(N, 1, sigma, 0, 0, 5);
    double nom[MS_DEVICE_MAX_PARAMS];
    ms_device_defaults(ms_device_find("dynamic_tiox"), nom);
    static double lg[N];
    const int varied[] = { MS_TIOX_TAU, MS_TIOX_KP, MS_TIOX_KN, MS_TIOX_A };
    const char *names[] = { "tau", "K_p", "K_n", "a" };
    for (int q = 0; q < 4; q++) {
        for (size_t j = 0; j < N; j++) lg[j] = log(ms_reservoir_params(r, j)[varied[q]] / nom[varied[q]]);
        double m, sd;
        stats(lg, N, &m, &sd);
        cr_log_info("variation 0.2 over %d devices: ln(%s / nominal) mean %+.4f, sd %.4f", N, names[q], m, sd);
        /* sd of the sd estimate: sigma / sqrt(2 N) = 0.0022; of the mean: sigma / sqrt(N) = 0.0032 */
        cr_assert(fabs(sd / sigma - 1) < 0.04, "%s: sd %g, requested %g (limit 4 %%)", names[q], sd, sigma);
        cr_assert(fabs(m) < 0.012, "%s: median off nominal by %g in ln", names[q], m);
    }
    for (size_t j = 0; j < N; j++) {   /* the others stay nominal, exactly */
        const double *p = ms_reservoir_params(r, j);
        cr_assert_eq(p[MS_TIOX_G0], nom[MS_TIOX_G0]);
        cr_assert_eq(p[MS_TIOX_DT_IN], nom[MS_TIOX_DT_IN]);
    }
    /* device j is drawn from its own stream: the same in a reservoir of 3 devices */
    ms_reservoir *s = make(3, 1, sigma, 0, 0, 5);
    for (size_t j = 0; j < 3; j++)
        cr_assert_eq(memcmp(ms_reservoir_params(r, j), ms_reservoir_params(s, j), MS_TIOX_N_PARAMS * sizeof(double)), 0);
    ms_reservoir_free(s);
    ms_reservoir_free(r);
    /* d2d 0: every device is nominal to the bit */
    r = make(50, 1, 0, 0, 0, 5);
    for (size_t j = 0; j < 50; j++)
        cr_assert_eq(memcmp(ms_reservoir_params(r, j), nom, MS_TIOX_N_PARAMS * sizeof(double)), 0);
    ms_reservoir_free(r);
}

Test(rc_nonideal, variation_moves_each_devices_decay_to_its_own_tau)
{
    /* a varied device relaxes with its own tau: after a write and 400 us of rest its excursion
     * from G0 has fallen by exp(-400 us / tau_j) */
    ms_reservoir *r = make(20, 1, 0.3, 0, 0, 9);
    const double *p = ms_reservoir_params(r, 3);
    double G1 = ms_tiox_hold(p, 0.5, 3.0, 4e-6), G2 = ms_tiox_hold(p, G1, 0.0, 400e-6);
    cr_assert_float_eq((G2 - 0.5) / (G1 - 0.5), exp(-400e-6 / p[MS_TIOX_TAU]), 1e-12);
    cr_assert(fabs(p[MS_TIOX_TAU] / 400e-6 - 1) > 1e-3, "device 4's tau is its own: %g s", p[MS_TIOX_TAU]);
    ms_reservoir_free(r);
}

Test(rc_nonideal, read_noise_is_relative_with_its_sigma_and_leaves_the_state)
{
    enum { N = 20, M = 4, T = 250, F = N * M };
    static double u[T], X0[T * F], X1[T * F], ratio[T * F];
    for (int t = 0; t < T; t++) u[t] = sin(0.37 * t);
    ms_reservoir *a = make(N, M, 0.1, 0, 0, 3), *b = make(N, M, 0.1, 0.02, 0, 3);
    ms_error e;
    cr_assert_eq(ms_reservoir_drive(a, u, T, X0, NULL, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(ms_reservoir_drive(b, u, T, X1, NULL, &e), MS_OK, "%s", e.msg);
    size_t n = 0;
    for (size_t k = 0; k < (size_t)T * F; k++)
        if (X0[k] != 0) ratio[n++] = X1[k] / X0[k] - 1;
    double m, sd;
    stats(ratio, n, &m, &sd);
    cr_log_info("read noise 0.02: %zu reads, relative error mean %+.5f, sd %.5f", n, m, sd);
    cr_assert(n > 15000);
    cr_assert(fabs(sd / 0.02 - 1) < 0.03, "sd %g for sigma 0.02 (limit 3 %%)", sd);
    cr_assert(fabs(m) < 0.0006, "mean %g", m);
    /* the reads do not disturb: both reservoirs end in the same states, to the bit */
    cr_assert_eq(memcmp(ms_reservoir_state(a), ms_reservoir_state(b), N * sizeof(double)), 0);
    ms_reservoir_free(a), ms_reservoir_free(b);
}

Test(rc_nonideal, noise_off_is_the_ideal_reservoir_to_the_bit)
{
    enum { N = 10, M = 4, T = 100, F = N * M };
    static double u[T], X0[T * F], X1[T * F];
    for (int t = 0; t < T; t++) u[t] = cos(0.21 * t);
    /* the default options (ideal) against explicit zeros */
    const ms_device_class *c = ms_device_find("dynamic_tiox");
    double p[MS_DEVICE_MAX_PARAMS];
    ms_device_defaults(c, p);
    ms_reservoir_opts o;
    ms_reservoir_opts_default(&o);
    o.n = N, o.m = M, o.in_lo = -1, o.in_hi = 1, o.seed = 3;
    ms_reservoir *a, *b = make(N, M, 0, 0, 0, 3);
    ms_error e;
    cr_assert_eq(ms_reservoir_new(c, p, &o, &a, &e), MS_OK);
    cr_assert_eq(ms_reservoir_drive(a, u, T, X0, NULL, &e), MS_OK);
    cr_assert_eq(ms_reservoir_drive(b, u, T, X1, NULL, &e), MS_OK);
    cr_assert_eq(memcmp(X0, X1, sizeof X0), 0, "read noise 0, c2c 0, variation 0: the ideal features");
    /* by hand: device 1's first read is I(G after one exact pulse) at the pulse's voltage */
    double v = 2.5 * (u[0] * ms_reservoir_mask(a)[0] + 1) / 2, G = ms_tiox_hold(p, 0.5, v, 4e-6);
    cr_assert_eq(X0[0], c->current(0, &G, p, v));
    ms_reservoir_free(a), ms_reservoir_free(b);
}

Test(rc_nonideal, same_seed_same_result_with_every_noise_on)
{
    enum { N = 10, M = 4, T = 200, F = N * M };
    static double u[T], X0[T * F], X1[T * F], X2[T * F];
    for (int t = 0; t < T; t++) u[t] = sin(1.3 * t) * cos(0.1 * t);
    ms_reservoir *a = make(N, M, 0.1, 0.01, 0.05, 11), *b = make(N, M, 0.1, 0.01, 0.05, 11),
                 *c = make(N, M, 0.1, 0.01, 0.05, 12);
    ms_error e;
    cr_assert_eq(ms_reservoir_drive(a, u, T, X0, NULL, &e), MS_OK);
    cr_assert_eq(ms_reservoir_drive(b, u, T, X1, NULL, &e), MS_OK);
    cr_assert_eq(ms_reservoir_drive(c, u, T, X2, NULL, &e), MS_OK);
    cr_assert_eq(memcmp(X0, X1, sizeof X0), 0, "same seed, same features");
    size_t differ = 0;
    for (size_t k = 0; k < (size_t)T * F; k++) differ += X0[k] != X2[k];
    cr_assert_gt(differ, (size_t)T * F * 9 / 10, "another seed: %zu of %d features differ", differ, T * F);
    /* a reset rewinds the devices, not the noise: the second drive meets fresh noise */
    ms_reservoir_reset(a);
    cr_assert_eq(ms_reservoir_drive(a, u, T, X1, NULL, &e), MS_OK);
    cr_assert_neq(memcmp(X0, X1, sizeof X0), 0);
    ms_reservoir_free(a), ms_reservoir_free(b), ms_reservoir_free(c);
}

Test(rc_nonideal, c2c_scales_each_pulses_change_of_state)
{
    /* one device, one pulse at v_max from G0, 4000 times (reset between: the noise goes on):
     * (G - G0) / (G_ideal - G0) - 1 has sd c2c */
    enum { K = 4000 };
    static double dev[K];
    ms_reservoir *r = make(1, 1, 0, 0, 0.1, 2);
    const ms_device_class *c = ms_device_find("dynamic_tiox");
    double p[MS_DEVICE_MAX_PARAMS];
    ms_device_defaults(c, p);
    /* the mask entry is +-1; the input that gives v_max is that sign */
    double u = ms_reservoir_mask(r)[0], X, G_ideal = ms_tiox_hold(p, 0.5, 2.5, 4e-6);
    ms_error e;
    for (int k = 0; k < K; k++) {
        ms_reservoir_reset(r);
        cr_assert_eq(ms_reservoir_drive(r, &u, 1, &X, NULL, &e), MS_OK);
        dev[k] = (ms_reservoir_state(r)[0] - 0.5) / (G_ideal - 0.5) - 1;
    }
    double m, sd;
    stats(dev, K, &m, &sd);
    cr_log_info("c2c 0.1: relative change of state over %d pulses: mean %+.4f, sd %.4f", K, m, sd);
    cr_assert(fabs(sd / 0.1 - 1) < 0.04, "sd %g", sd);
    cr_assert(fabs(m) < 0.005, "mean %g", m);
    ms_reservoir_free(r);
}

Test(rc_nonideal, bad_sigmas_are_named)
{
    const ms_device_class *c = ms_device_find("dynamic_tiox");
    double p[MS_DEVICE_MAX_PARAMS];
    ms_device_defaults(c, p);
    ms_reservoir_opts o;
    ms_reservoir *r = NULL;
    ms_error e;
    ms_reservoir_opts_default(&o), o.read_noise = -0.1;
    cr_assert_eq(ms_reservoir_new(c, p, &o, &r, &e), MS_EINVAL);
    cr_assert_str_eq(e.msg, "reservoir: read_noise = -0.1 and c2c = 0 (relative sigmas) must lie in [0, 1]");
    ms_reservoir_opts_default(&o), o.c2c = NAN;
    cr_assert_eq(ms_reservoir_new(c, p, &o, &r, &e), MS_EINVAL);
    cr_assert_str_eq(e.msg, "reservoir: read_noise = 0 and c2c = nan (relative sigmas) must lie in [0, 1]");
    ms_reservoir_opts_default(&o), o.c2c = 0.05, o.method = MS_RES_ODE;
    cr_assert_eq(ms_reservoir_new(c, p, &o, &r, &e), MS_EINVAL);
    cr_assert_str_eq(e.msg, "reservoir: c2c = 0.05 needs method 'exact' or 'map': CVODE integrates one drive "
                            "without pulse-by-pulse steps");
    ms_reservoir_opts_default(&o);
    p[MS_TIOX_D2D] = -0.2;
    cr_assert_eq(ms_reservoir_new(c, p, &o, &r, &e), MS_EINVAL);
    cr_assert_str_eq(e.msg, "reservoir: dynamic_tiox: parameter d2d = -0.2 1 is outside [0, 1]");
    cr_assert_null(r);
}

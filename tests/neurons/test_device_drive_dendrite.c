/* The dendrites under a drive (nmda_dendrite.md): sub-threshold block, activation time, decay
 * with tau_off to G_off (fitted), paired-pulse facilitation; the static model along a sweep;
 * the fading memory of the two reservoir memristors. */
#include <criterion/criterion.h>
#include <math.h>

#include "devices/ms_dendrite.h"
#include "devices/ms_device.h"
#include "neurons/ms_device_drive.h"

TestSuite(dendrite_drive, .timeout = 30);

static double p[MS_DEVICE_MAX_PARAMS];
static const ms_device_class *use(const char *name)
{
    const ms_device_class *c = ms_device_find(name);
    ms_device_defaults(c, p);
    return c;
}

static ms_drive_result *run(const ms_device_class *c, const double *t, const double *v, size_t n,
                            double dt)
{
    ms_drive_opts o;
    ms_drive_opts_default(&o);
    o.dt_sample_s = dt;
    ms_pwl w = { n, t, v };
    ms_drive_result *r;
    ms_error e;
    cr_assert_eq(ms_device_drive(c, p, NULL, &w, &o, &r, &e), MS_OK, "%s: %s", c->name, e.msg);
    return r;
}

/* Least-squares slope of ln(G - G_rest) against t over samples with t in [t0, t1]. */
static double fit_tau(const ms_drive_result *r, const double *G, double G_rest, double t0, double t1)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int n = 0;
    for (size_t j = 0; j < r->n; j++) {
        if (r->t_s[j] < t0 || r->t_s[j] > t1) continue;
        double x = r->t_s[j] - t0, y = log(G[j] - G_rest);
        sx += x, sy += y, sxx += x * x, sxy += x * y;
        n++;
    }
    cr_assert_gt(n, 10);
    return -1.0 / ((n * sxy - sx * sy) / (n * sxx - sx * sx));
}

Test(dendrite_drive, below_threshold_current_stays_near_v_g_off)
{
    const ms_device_class *c = use("nmda_dendrite");
    const double vs[] = { 0.1, 0.3, 0.5 };
    for (int k = 0; k < 3; k++) {
        double t[] = { 0, 1e-6, 2e-3 }, v[] = { 0, vs[k], vs[k] };
        ms_drive_result *r = run(c, t, v, 3, 10e-6);
        double worst = 0;
        for (size_t j = 1; j < r->n; j++)
            worst = fmax(worst, fabs(r->i_A[j] / (r->v_V[j] * p[MS_NMDA_G_OFF]) - 1));
        cr_log_info("nmda_dendrite at %.1f V (V_th - %.0f dV): |I/(V G_off) - 1| <= %.3f", vs[k],
                    (1.0 - vs[k]) / 0.1, worst);
        /* 1 % at V_th - 9 dV, 10 % at V_th - 7 dV; at V_th - 5 dV still under 2 % of V G_on. */
        const double bound[] = { 0.01, 0.10, 0.02 * 100 - 1 };   /* G_on / G_off = 100 */
        cr_assert_lt(worst, bound[k], "at %g V: %g", vs[k], worst);
        ms_drive_result_free(r);
    }
}

Test(dendrite_drive, step_reaches_90_percent_of_g_on_within_the_activation_time)
{
    const ms_device_class *c = use("nmda_dendrite");
    double t[] = { 0, 1e-9, 30e-6 }, v[] = { 0, 3.0, 3.0 };
    ms_drive_result *r = run(c, t, v, 3, 1e-8);
    const double *G = ms_drive_state(r, MS_NMDA_G);
    double t90 = NAN;
    for (size_t j = 1; j < r->n && isnan(t90); j++)
        if (G[j] >= 0.9 * p[MS_NMDA_G_ON]) {
            double f = (0.9 * p[MS_NMDA_G_ON] - G[j - 1]) / (G[j] - G[j - 1]);
            t90 = r->t_s[j - 1] + f * (r->t_s[j] - r->t_s[j - 1]);
        }
    double want = ms_nmda_time_to(p, 3.0, 0.9);
    cr_log_info("nmda_dendrite: t90 at 3 V = %.3f us (closed form %.3f us, documented <= 10 us)",
                t90 * 1e6, want * 1e6);
    cr_assert_lt(t90, 10e-6, "about 10 us at 3 V [S N1-ED7]");
    cr_assert_float_eq(t90, want, 0.01 * want);
    ms_drive_result_free(r);
}

Test(dendrite_drive, conductance_decays_with_tau_off_back_to_g_off)
{
    const ms_device_class *c = use("nmda_dendrite");
    double t[] = { 0, 1e-9, 50e-6, 50.001e-6, 5e-3 }, v[] = { 0, 3.0, 3.0, 0, 0 };
    ms_drive_result *r = run(c, t, v, 5, 5e-6);
    const double *G = ms_drive_state(r, MS_NMDA_G);
    double tau = fit_tau(r, G, p[MS_NMDA_G_OFF], 60e-6, 2e-3);
    double err = fabs(tau / p[MS_NMDA_TAU_OFF] - 1);
    cr_log_info("nmda_dendrite: fitted decay tau %.2f us vs tau_off %.0f us (error %.2e)", tau * 1e6,
                p[MS_NMDA_TAU_OFF] * 1e6, err);
    cr_assert_lt(err, 0.05);
    double rest = (G[r->n - 1] - p[MS_NMDA_G_OFF]) / (p[MS_NMDA_G_ON] - p[MS_NMDA_G_OFF]);
    cr_assert_lt(rest, 0.01, "no residual after ~12 tau_off");
    cr_assert_geq(G[r->n - 1], p[MS_NMDA_G_OFF] * (1 - 1e-9));
    ms_drive_result_free(r);
}

/* Peak conductance after the second of two 2 us pulses at 3 V, spaced by gap. */
static double second_peak(const ms_device_class *c, double gap)
{
    double a = 1e-6, b = a + 2e-6, a2 = b + gap, b2 = a2 + 2e-6;
    double t[] = { 0, a, a + 1e-9, b, b + 1e-9, a2, a2 + 1e-9, b2, b2 + 1e-9, b2 + 10e-6 };
    double v[] = { 0, 0, 3, 3, 0, 0, 3, 3, 0, 0 };
    ms_drive_result *r = run(c, t, v, 10, 0);
    double peak = ms_drive_state(r, MS_NMDA_G)[8];
    ms_drive_result_free(r);
    return peak;
}

Test(dendrite_drive, paired_pulses_closer_than_tau_off_facilitate)
{
    const ms_device_class *c = use("nmda_dendrite");
    double close = second_peak(c, 20e-6), far = second_peak(c, 5e-3);
    cr_log_info("nmda_dendrite: second-pulse peak %.2f uS (20 us apart) vs %.2f uS (5 ms apart)",
                close * 1e6, far * 1e6);
    cr_assert_gt(close, 1.2 * far);
    /* Far apart the responses are independent: the second equals a single pulse's. */
    cr_assert_float_eq(far, second_peak(c, 50e-3), 1e-3 * far);
}

Test(dendrite_drive, static_model_follows_the_transfer_function)
{
    const ms_device_class *c = use("dendrite_static");
    double t[] = { 0, 1e-3 }, v[] = { 0, 2.0 };
    ms_drive_result *r = run(c, t, v, 2, 1e-5);
    cr_assert_eq(r->n_state, 0);
    for (size_t j = 0; j < r->n; j++) {
        double want = 200e-6 * ms_dendrite_static_y(0.1, r->v_V[j] / 2.0);
        cr_assert_float_eq(r->i_A[j], want, 1e-12 * 200e-6 + 1e-9 * want);
    }
    ms_drive_result_free(r);
}

Test(dendrite_drive, reservoir_memristors_fade_with_their_time_constants)
{
    /* D3: a 1 ms write at 3 V [S ZH21], then the state relaxes to G0 with tau = 400 us. */
    const ms_device_class *c = use("dynamic_tiox");
    double t[] = { 0, 1e-6, 1e-3, 1.001e-3, 4e-3 }, v[] = { 0, 3.0, 3.0, 0, 0 };
    ms_drive_result *r = run(c, t, v, 5, 10e-6);
    const double *G = ms_drive_state(r, MS_TIOX_G);
    cr_assert_gt(G[100], 0.9, "written towards 1");
    double tau = fit_tau(r, G, p[MS_TIOX_G0], 1.01e-3, 3e-3);
    cr_log_info("dynamic_tiox: fitted decay %.1f us (tau %.0f us)", tau * 1e6, p[MS_TIOX_TAU] * 1e6);
    cr_assert_float_eq(tau, p[MS_TIOX_TAU], 0.05 * p[MS_TIOX_TAU]);
    ms_drive_result_free(r);

    /* D4: potentiated by 0.5 V for 30 ms, then decays with 50 ms, down to the w_min floor. */
    c = use("dynamic_wox");
    double t4[] = { 0, 1e-4, 30e-3, 30.1e-3, 400e-3 }, v4[] = { 0, 0.5, 0.5, 0, 0 };
    r = run(c, t4, v4, 5, 1e-3);
    const double *w = ms_drive_state(r, MS_WOX_W);
    cr_assert_gt(w[30], 0.5, "w = %g", w[30]);
    double tau4 = fit_tau(r, w, 0.0, 32e-3, 80e-3);
    cr_log_info("dynamic_wox: fitted decay %.2f ms (tau %.0f ms)", tau4 * 1e3, p[MS_WOX_TAU] * 1e3);
    cr_assert_float_eq(tau4, p[MS_WOX_TAU], 0.05 * p[MS_WOX_TAU]);
    cr_assert_float_eq(w[r->n - 1], p[MS_WOX_W_MIN], 1e-9, "held at the floor");
    ms_drive_result_free(r);
}

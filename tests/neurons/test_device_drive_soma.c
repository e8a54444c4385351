/* The somas under a drive (mott_soma.md): all-or-nothing firing, the periodic rate against
 * the closed form (current source and V_in through a load), rate coding (up with input, down
 * with C), refractoriness, V_hold < V_th hysteresis in a slow sweep, leaky integration of
 * sub-threshold pulses; the VO2 thermal soma's oscillation window. */
#include <criterion/criterion.h>
#include <math.h>

#include "devices/ms_device.h"
#include "devices/ms_soma.h"
#include "neurons/ms_device_drive.h"

TestSuite(soma_drive, .timeout = 30);

static double p[MS_DEVICE_MAX_PARAMS];
static const ms_device_class *use(const char *name)
{
    const ms_device_class *c = ms_device_find(name);
    ms_device_defaults(c, p);
    return c;
}

static double step_rate(const ms_device_class *c, double I, double t_end, size_t *spikes)
{
    ms_drive_result *r;
    ms_error e;
    double rate;
    cr_assert_eq(ms_drive_soma_step(c, p, I, t_end, NULL, &r, &rate, &e), MS_OK, "%s", e.msg);
    if (spikes) *spikes = r->n_spikes;
    ms_drive_result_free(r);
    return rate;
}

Test(soma_drive, no_spikes_while_the_steady_node_voltage_is_below_v_th)
{
    const ms_device_class *c = use("mott_soma");
    double I = 0.95 * p[MS_MOTT_V_TH] / p[MS_MOTT_R_OFF];   /* V_inf = 0.95 V_th */
    ms_drive_result *r;
    ms_error e;
    ms_drive_opts o;
    ms_drive_opts_default(&o);
    o.dt_sample_s = 10e-6;
    cr_assert_eq(ms_drive_soma_step(c, p, I, 2e-3, &o, &r, NULL, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(r->n_spikes, 0);
    double vmax = 0;
    for (size_t j = 0; j < r->n; j++) vmax = fmax(vmax, r->v_V[j]);
    cr_assert_float_eq(vmax, 0.95, 1e-3, "charged to V_inf over 20 tau: %g", vmax);
    ms_drive_result_free(r);
}

Test(soma_drive, periodic_rate_matches_the_closed_form_within_2_percent)
{
    const ms_device_class *c = use("mott_soma");
    const double I[] = { 12e-6, 20e-6, 50e-6, 100e-6, 200e-6, 300e-6 };
    double worst = 0;
    for (int k = 0; k < 6; k++) {
        double f0 = ms_mott_soma_rate(p, I[k], 0);
        size_t n;
        double f = step_rate(c, I[k], 2e-6 + 30.0 / f0, &n);
        double err = fabs(f / f0 - 1);
        worst = fmax(worst, err);
        cr_log_info("mott_soma I = %5.1f uA: rate %.5g Hz, closed form %.5g Hz, error %.2e (%zu spikes)",
                    I[k] * 1e6, f, f0, err, n);
        cr_assert_geq(n, 25);
        cr_assert_lt(err, 0.02);
    }
    cr_log_info("mott_soma: worst rate error %.2e", worst);
    /* The residual is the finite switching time, not the integrator: it shrinks with tau_s. */
    p[MS_MOTT_TAU_S] = 5e-11;
    double f0 = ms_mott_soma_rate(p, 100e-6, 0), f = step_rate(c, 100e-6, 2e-6 + 30 / f0, NULL);
    cr_log_info("mott_soma with tau_s = 50 ps: rate error %.2e", fabs(f / f0 - 1));
    cr_assert_lt(fabs(f / f0 - 1), 2e-4);
}

Test(soma_drive, rate_rises_with_input_and_falls_with_capacitance)
{
    const ms_device_class *c = use("mott_soma");
    double prev = 0;
    const double I[] = { 15e-6, 30e-6, 60e-6, 120e-6 };
    for (int k = 0; k < 4; k++) {
        double f = step_rate(c, I[k], 20.0 / ms_mott_soma_rate(p, I[k], 0), NULL);
        cr_assert_gt(f, prev, "I = %g A", I[k]);
        prev = f;
    }
    double f1 = step_rate(c, 50e-6, 1e-3, NULL);
    p[MS_MOTT_C] = 4e-9;
    double f4 = step_rate(c, 50e-6, 4e-3, NULL);
    cr_log_info("mott_soma at 50 uA: %.4g Hz with 1 nF, %.4g Hz with 4 nF", f1, f4);
    cr_assert_float_eq(f4, f1 / 4, 0.01 * f1 / 4);
}

Test(soma_drive, voltage_source_through_a_load_matches_the_closed_form)
{
    /* The oscillator form [S OSC]: V_in through R_L. */
    const ms_device_class *c = use("mott_soma");
    const double Vin[] = { 3.0, 5.0, 8.0 }, RL = 50e3;
    for (int k = 0; k < 3; k++) {
        double f0 = ms_mott_soma_rate(p, Vin[k] / RL, RL), T = 2e-6 + 30 / f0;
        double t[] = { 0, 1e-9, T }, v[] = { 0, Vin[k], Vin[k] };
        ms_pwl w = { 3, t, v };
        ms_drive_opts o;
        ms_drive_opts_default(&o);
        o.r_load_ohm = RL;
        ms_drive_result *r;
        ms_error e;
        cr_assert_eq(ms_device_drive(c, p, NULL, &w, &o, &r, &e), MS_OK, "%s", e.msg);
        double f = ms_drive_spike_rate(r, c);
        cr_log_info("mott_soma V_in = %.0f V via %.0f kOhm: %.5g Hz vs %.5g Hz", Vin[k], RL / 1e3, f, f0);
        cr_assert_float_eq(f, f0, 0.02 * f0);
        cr_assert_gt(r->energy_load_J, 0);
        ms_drive_result_free(r);
    }
}

Test(soma_drive, refractory_interval_is_at_least_the_charging_time)
{
    const ms_device_class *c = use("mott_soma");
    ms_drive_result *r;
    ms_error e;
    cr_assert_eq(ms_drive_soma_step(c, p, 100e-6, 200e-6, NULL, &r, NULL, &e), MS_OK, "%s", e.msg);
    double tc, td, last = -1, min_isi = INFINITY;
    ms_mott_soma_times(p, 100e-6, 0, &tc, &td);
    for (size_t k = 0; k < r->n_events; k++) {
        if (r->events[k].root != c->spike_root) continue;
        if (last >= 0) min_isi = fmin(min_isi, r->events[k].t_s - last);
        last = r->events[k].t_s;
    }
    cr_assert_geq(min_isi, tc, "min ISI %g s, t_charge %g s", min_isi, tc);
    ms_drive_result_free(r);
}

Test(soma_drive, slow_sweep_shows_v_hold_below_v_th)
{
    const ms_device_class *c = use("mott_soma");
    ms_sweep s = { 1.5, 0.0, 1e-3, 1 };   /* 1.5 V/ms: quasi-static against tau_s and RC */
    ms_drive_opts o;
    ms_drive_opts_default(&o);
    o.dt_sample_s = 1e-6;
    ms_drive_result *r;
    ms_error e;
    cr_assert_eq(ms_drive_dc_sweep(c, p, NULL, &s, &o, &r, &e), MS_OK, "%s", e.msg);
    double v_on = NAN, v_off = NAN;
    for (size_t k = 0; k < r->n_events; k++) {
        double t = r->events[k].t_s, v = t < 1e-3 ? 1.5 * t / 1e-3 : 1.5 * (2e-3 - t) / 1e-3;
        if (r->events[k].root == MS_MOTT_ROOT_IMT) v_on = v;
        if (r->events[k].root == MS_MOTT_ROOT_MIT) v_off = v;
    }
    cr_log_info("mott_soma sweep: switches on at %.4f V, off at %.4f V", v_on, v_off);
    cr_assert_float_eq(v_on, p[MS_MOTT_V_TH], 1e-6);
    cr_assert_float_eq(v_off, p[MS_MOTT_V_HOLD], 1e-6);
    /* Two branches between V_hold and V_th: insulating going up, metallic coming down. */
    double g_up = NAN, g_down = NAN;
    for (size_t j = 0; j < r->n; j++) {
        if (fabs(r->v_V[j] - 0.8) > 2e-3) continue;
        if (r->t_s[j] < 1e-3) g_up = r->i_A[j] / r->v_V[j];
        else g_down = r->i_A[j] / r->v_V[j];
    }
    cr_assert_float_eq(g_up, 1 / p[MS_MOTT_R_OFF], 1e-6 / p[MS_MOTT_R_OFF]);
    cr_assert_float_eq(g_down, 1 / p[MS_MOTT_R_ON], 1e-6 / p[MS_MOTT_R_ON]);
    cr_assert_float_eq(ms_drive_state(r, MS_MOTT_S)[r->n - 1], 0.0, 1e-6, "volatile: back OFF");
    ms_drive_result_free(r);
}

/* Three current pulses of 0.4 us at 1 mA (0.4 V each on 1 nF), spaced by gap. */
static size_t pulses_fire(const ms_device_class *c, double gap)
{
    double t[13], x[13];
    int n = 0;
    t[n] = 0, x[n++] = 0;
    for (int k = 0; k < 3; k++) {
        double a = 1e-6 + k * gap;
        double pt[4] = { a, a + 1e-9, a + 0.4e-6, a + 0.4e-6 + 1e-9 }, px[4] = { 0, 1e-3, 1e-3, 0 };
        for (int q = 0; q < 4; q++) t[n] = pt[q], x[n++] = px[q];
    }
    ms_drive_opts o;
    ms_drive_opts_default(&o);
    o.source = MS_DRIVE_CURRENT;
    ms_pwl w = { (size_t)n, t, x };
    ms_drive_result *r;
    ms_error e;
    cr_assert_eq(ms_device_drive(c, p, NULL, &w, &o, &r, &e), MS_OK, "%s", e.msg);
    size_t spikes = r->n_spikes;
    ms_drive_result_free(r);
    return spikes;
}

Test(soma_drive, close_subthreshold_pulses_fire_far_ones_do_not)
{
    const ms_device_class *c = use("mott_soma");
    cr_assert_eq(pulses_fire(c, 2e-6), 1, "0.4 V x 3 within 4 us of a 100 us leak: fires");
    cr_assert_eq(pulses_fire(c, 500e-6), 0, "5 leak time constants apart: never reaches V_th");
}

Test(soma_drive, thermal_vo2_soma_oscillates_inside_a_window_of_v_in)
{
    /* [S VO2-Z24]: R_L = 12 kOhm; the port sweeps V_in over 9-17 V. */
    const ms_device_class *c = use("mott_soma_thermal");
    const double Vin[] = { 8.0, 12.0, 14.0, 20.0 };
    double f[4];
    size_t n[4];
    for (int k = 0; k < 4; k++) {
        double t[] = { 0, 10e-9, 50e-6 }, v[] = { 0, Vin[k], Vin[k] };
        ms_pwl w = { 3, t, v };
        ms_drive_opts o;
        ms_drive_opts_default(&o);
        o.r_load_ohm = 12e3;
        o.v_scale_V = 10;
        ms_drive_result *r;
        ms_error e;
        cr_assert_eq(ms_device_drive(c, p, NULL, &w, &o, &r, &e), MS_OK, "%s", e.msg);
        f[k] = ms_drive_spike_rate(r, c);
        n[k] = r->n_spikes;
        cr_log_info("mott_soma_thermal V_in = %.0f V: %zu spikes in 50 us, %.3g MHz", Vin[k], n[k],
                    f[k] / 1e6);
        ms_drive_result_free(r);
    }
    cr_assert_eq(n[0], 0, "below the window: no transition");
    cr_assert_geq(n[1], 10);
    cr_assert_geq(n[2], 10);
    cr_assert_gt(f[2], f[1], "rate rises with V_in inside the window");
    cr_assert_leq(n[3], 1, "above the window: switches once and stays metallic");
}

/* Driving devices through CVODE (neurons/device_drive.c): bad input, the energy bookkeeping
 * (a resistor gives V^2/R t; a quiet RRAM ramp gives G a^2 T^3 / 3; every device's quadrature
 * equals the integral of v i taken from the returned waveform; the source's energy balances
 * device, load and capacitor), and the RRAM protocols: integrated reads, pulses against the
 * closed form, pulse trains, write-verify, relaxation, and the pinched hysteresis loop of the
 * Stanford/PKU model. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "devices/ms_dendrite.h"
#include "devices/ms_device.h"
#include "devices/ms_rram.h"
#include "devices/ms_soma.h"
#include "devices/rng_fixture.h"
#include "neurons/ms_device_drive.h"

TestSuite(drive, .timeout = 30);

#define PI 3.14159265358979323846

static double p[MS_DEVICE_MAX_PARAMS];
static const ms_device_class *use(const char *name)
{
    const ms_device_class *c = ms_device_find(name);
    cr_assert_not_null(c, "%s", name);
    ms_device_defaults(c, p);
    return c;
}

/* Trapezoid rule of v * i over the returned samples. */
static double trapz_vi(const ms_drive_result *r, const double *i)
{
    double e = 0;
    for (size_t j = 1; j < r->n; j++)
        e += 0.5 * (r->v_V[j] * i[j] + r->v_V[j - 1] * i[j - 1]) * (r->t_s[j] - r->t_s[j - 1]);
    return e;
}

/* ---- bad input ---------------------------------------------------------------------------- */

Test(drive, rejects_non_increasing_times_nan_and_short_waveforms)
{
    const ms_device_class *c = use("rram");
    ms_drive_result *r = (ms_drive_result *)1;
    ms_error e;
    double t[] = { 0, 1e-6, 1e-6, 2e-6 }, v[] = { 0, 1, 1, 0 };
    ms_pwl w = { 4, t, v };
    cr_assert_eq(ms_device_drive(c, p, NULL, &w, NULL, &r, &e), MS_EINVAL);
    cr_assert_null(r);
    cr_assert(strstr(e.msg, "t[3] = 1e-06 s is not greater than t[2] = 1e-06 s"), "%s", e.msg);
    t[2] = 1.5e-6;
    v[1] = NAN;
    cr_assert_eq(ms_device_drive(c, p, NULL, &w, NULL, &r, &e), MS_EINVAL);
    cr_assert(strstr(e.msg, "point 2") && strstr(e.msg, "not finite"), "%s", e.msg);
    w.n = 1;
    cr_assert_eq(ms_device_drive(c, p, NULL, &w, NULL, &r, &e), MS_EINVAL);
    cr_assert(strstr(e.msg, "at least 2 points"), "%s", e.msg);
}

/* The library keeps the ranges itself, for callers other than Lua (docs/reliability.md,
 * "Single devices"): a start state outside the domain, a source beyond a supply, a
 * write-verify pulse beyond it. */
Test(drive, refuses_states_and_sources_outside_their_ranges)
{
    const ms_device_class *c = use("rram");
    ms_drive_result *r = (ms_drive_result *)1;
    ms_error e;
    double t[] = { 0, 1e-9, 1e-6 }, v[] = { 0, 0.1, 0.1 }, y0[] = { 5.0 };
    ms_pwl w = { 3, t, v };
    cr_assert_eq(ms_device_drive(c, p, y0, &w, NULL, &r, &e), MS_ERANGE);
    cr_assert_null(r);
    cr_assert_str_eq(e.msg, "rram: state x = 5 at t = 0 s is far outside its domain [0, 1], at the start of the "
                            "drive (the voltage source at 0 V); the drive is stopped (a drive far outside the "
                            "device's range, or too loose a tolerance?)");
    y0[0] = 1.5;   /* within the margin of one scale: passes */
    cr_assert_eq(ms_device_drive(c, p, y0, &w, NULL, &r, &e), MS_OK, "%s", e.msg);
    ms_drive_result_free(r);
    v[2] = 1000.5;
    cr_assert_eq(ms_device_drive(c, p, NULL, &w, NULL, &r, &e), MS_EINVAL);
    cr_assert_str_eq(e.msg, "rram: the voltage source's 1000.5 V at t = 1e-06 s (waveform point 3) is outside "
                            "[-1000, 1000] V, the range of a supply in a circuit; nothing was driven");
    double y[] = { 0.5 };
    ms_wv_opts wv;
    ms_rram_wv_defaults(p, 1e-5, &wv);
    wv.v_set_max_V = 2000;
    wv.v_set_first_V = 1500;
    ms_wv_result res;
    cr_assert_eq(ms_drive_write_verify(c, p, y, &wv, NULL, &res, &e), MS_EINVAL);
    cr_assert(strstr(e.msg, "rram: the voltage source's 1500 V at t = 1e-09 s (waveform point 2)"), "%s", e.msg);
}

Test(drive, rejects_bad_parameters_and_impossible_circuits)
{
    const ms_device_class *c = use("rram");
    ms_drive_result *r;
    ms_error e;
    double t[] = { 0, 1e-6 }, v[] = { 0, 0.2 };
    ms_pwl w = { 2, t, v };
    p[MS_RRAM_G_MIN] = 30e-6;
    cr_assert_eq(ms_device_drive(c, p, NULL, &w, NULL, &r, &e), MS_EINVAL);
    cr_assert(strstr(e.msg, "rram: G_min must be < G_max"), "%s", e.msg);
    ms_device_defaults(c, p);
    ms_drive_opts o;
    ms_drive_opts_default(&o);
    o.source = MS_DRIVE_CURRENT;
    cr_assert_eq(ms_device_drive(c, p, NULL, &w, &o, &r, &e), MS_EINVAL);
    cr_assert(strstr(e.msg, "rram has no capacitance"), "%s", e.msg);
    ms_drive_opts_default(&o);
    o.rtol = -1;
    cr_assert_eq(ms_device_drive(c, p, NULL, &w, &o, &r, &e), MS_EINVAL);
    cr_assert(strstr(e.msg, "rtol"), "%s", e.msg);
    double y0 = NAN;
    cr_assert_eq(ms_device_drive(c, p, &y0, &w, NULL, &r, &e), MS_EINVAL);
    cr_assert(strstr(e.msg, "initial x = nan"), "%s", e.msg);
    const ms_device_class *s = use("mott_soma");
    p[MS_MOTT_V_HOLD] = 1.0;
    cr_assert_eq(ms_device_drive(s, p, NULL, &w, NULL, &r, &e), MS_EINVAL);
    cr_assert(strstr(e.msg, "V_hold must be < V_th"), "%s", e.msg);
}

/* ---- energy -------------------------------------------------------------------------------- */

Test(drive, resistor_dissipates_v2_over_r_times_t)
{
    const ms_device_class *c = use("resistor");
    ms_drive_result *r;
    ms_error e;
    double t[] = { 0, 1e-3 }, v[] = { 2.0, 2.0 };
    ms_pwl w = { 2, t, v };
    cr_assert_eq(ms_device_drive(c, p, NULL, &w, NULL, &r, &e), MS_OK, "%s", e.msg);
    cr_assert_float_eq(r->energy_J, 4.0 / 1e3 * 1e-3, 1e-9 * 4e-6);
    cr_assert_float_eq(r->energy_src_J, r->energy_J, 1e-15);
    ms_drive_result_free(r);
    /* A ramp v = a t: E = a^2 T^3 / (3 R). */
    v[0] = 0.0;
    cr_assert_eq(ms_device_drive(c, p, NULL, &w, NULL, &r, &e), MS_OK, "%s", e.msg);
    double a = 2.0 / 1e-3, E = a * a * 1e-9 / 3e3;
    cr_assert_float_eq(r->energy_J, E, 1e-7 * E);
    ms_drive_result_free(r);
}

/* A quiet device with a state: an RRAM ramped to below its SET threshold keeps x, so it is an
 * ohmic G(x0) and E = G a^2 T^3 / 3. Its state alone would let CVODE take a few long steps;
 * the energy is right only because the quadratures are under error control. */
Test(drive, quiet_rram_ramp_energy_matches_closed_form)
{
    const ms_device_class *c = use("rram");
    p[MS_RRAM_X0] = 0.5;
    ms_drive_result *r;
    ms_error e;
    double T = 1e-6, V = 0.5, t[] = { 0, T }, v[] = { 0.0, V };
    ms_pwl w = { 2, t, v };
    cr_assert_eq(ms_device_drive(c, p, NULL, &w, NULL, &r, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(ms_drive_state(r, 0)[1], 0.5, "below threshold x does not move");
    double G = ms_rram_G(p, 0.5), E = G * V * V * T / 3;
    cr_log_info("quiet rram ramp: energy %.12g J, closed form %.12g J (rel. err %.1e), %ld steps",
                r->energy_J, E, fabs(r->energy_J / E - 1), r->steps);
    cr_assert_float_eq(r->energy_J, E, 1e-6 * E);
    cr_assert_float_eq(r->energy_src_J, E, 1e-6 * E);
    ms_drive_result_free(r);
}

/* Integrated energy against the trapezoid of v i from the samples, and the source balance. */
static void check_energy(const char *name, const ms_drive_result *r, double C, double tol)
{
    double E = trapz_vi(r, r->i_A);
    cr_log_info("%s: energy %.6g J, trapezoid of v i %.6g J (rel. diff %.2e), %zu samples, %ld steps",
                name, r->energy_J, E, fabs(E / r->energy_J - 1), r->n, r->steps);
    cr_assert_gt(r->energy_J, 0, "%s", name);
    cr_assert_float_eq(E, r->energy_J, tol * r->energy_J, "%s: %g vs %g", name, E, r->energy_J);
    cr_assert_float_eq(r->e_J[r->n - 1], r->energy_J, 1e-12 * r->energy_J);
    double v0 = r->v_V[0], v1 = r->v_V[r->n - 1];
    double balance = r->energy_J + r->energy_load_J + 0.5 * C * (v1 * v1 - v0 * v0);
    cr_assert_float_eq(r->energy_src_J, balance, 1e-4 * fabs(r->energy_src_J) + 1e-18,
                       "%s: source %g, device + load + capacitor %g", name, r->energy_src_J, balance);
}

static ms_drive_result *drive_sine(const ms_device_class *c, double amp, double f, double periods,
                                   double dt, ms_drive_opts *o)
{
    enum { NP = 2001 };
    static double t[NP], v[NP];
    for (int k = 0; k < NP; k++) {
        t[k] = periods / f * k / (NP - 1);
        v[k] = amp * sin(2 * PI * f * t[k]);
    }
    ms_pwl w = { NP, t, v };
    ms_drive_opts d;
    if (!o) ms_drive_opts_default(&d), o = &d;
    o->dt_sample_s = dt;
    ms_drive_result *r;
    ms_error e;
    cr_assert_eq(ms_device_drive(c, p, NULL, &w, o, &r, &e), MS_OK, "%s: %s", c->name, e.msg);
    return r;
}

Test(drive, every_device_energy_equals_integral_of_v_i)
{
    ms_drive_result *r;
    const ms_device_class *c = use("rram");
    p[MS_RRAM_X0] = 0.5;
    r = drive_sine(c, 1.6, 1e5, 2, 0, NULL);
    check_energy("rram", r, 0, 1e-4);
    ms_drive_result_free(r);

    c = use("rram_pku");
    p[MS_PKU_GAP_INIT] = 1.7e-9;
    r = drive_sine(c, 1.5, 10, 1, 2e-6, NULL);
    check_energy("rram_pku", r, 0, 1e-3);
    ms_drive_result_free(r);

    const char *dend[] = { "nmda_dendrite", "dendrite_static", "dynamic_tiox", "dynamic_wox" };
    const double freq[] = { 2e4, 2e4, 2e3, 20 };
    for (int k = 0; k < 4; k++) {
        c = use(dend[k]);
        r = drive_sine(c, 2.5, freq[k], 2, 0, NULL);
        check_energy(dend[k], r, 0, 1e-4);
        ms_drive_result_free(r);
    }

    /* The soma under a current step: spikes are ~1 us, so sample finely. */
    c = use("mott_soma");
    ms_drive_opts o;
    ms_drive_opts_default(&o);
    o.dt_sample_s = 2e-9;
    double rate;
    ms_error e;
    cr_assert_eq(ms_drive_soma_step(c, p, 50e-6, 200e-6, &o, &r, &rate, &e), MS_OK, "%s", e.msg);
    cr_assert_gt(r->n_spikes, 3);
    check_energy("mott_soma", r, p[MS_MOTT_C], 2e-3);
    ms_drive_result_free(r);

    /* The thermal soma fed through its load resistor. */
    c = use("mott_soma_thermal");
    ms_drive_opts_default(&o);
    o.r_load_ohm = 12e3;
    o.dt_sample_s = 1e-9;
    o.v_scale_V = 10;
    double t[] = { 0, 10e-9, 20e-6 }, v[] = { 0, 12.0, 12.0 };
    ms_pwl w = { 3, t, v };
    cr_assert_eq(ms_device_drive(c, p, NULL, &w, &o, &r, &e), MS_OK, "%s", e.msg);
    check_energy("mott_soma_thermal", r, p[MS_VO2_C], 2e-3);
    ms_drive_result_free(r);
}

/* ---- RRAM protocols ------------------------------------------------------------------------- */

Test(drive, integrated_reads_do_not_move_the_state)
{
    const ms_device_class *c = use("rram");
    double y = 0.4321, y0 = y, G[1001];
    ms_pulse read = { p[MS_RRAM_V_READ], p[MS_RRAM_T_READ], 1e-6 };
    ms_drive_opts o;
    ms_drive_opts_default(&o);
    test_rng st;
    ms_device_rng rng = test_rng_make(&st, 3);
    o.rng = &rng;   /* c2c noise on: a read moves nothing, so it adds nothing */
    ms_error e;
    cr_assert_eq(ms_drive_pulse_train(c, p, &y, &read, 1000, &o, G, NULL, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(memcmp(&y, &y0, sizeof y), 0, "x moved to %.17g", y);
    for (int k = 0; k <= 1000; k++) cr_assert_eq(G[k], G[0]);
}

Test(drive, integrated_pulse_matches_the_closed_form)
{
    const ms_device_class *c = use("rram");
    ms_drive_opts o;
    ms_drive_opts_default(&o);
    o.t_edge_s = 1e-12;
    const double xs[] = { 0.1, 0.5, 0.9 }, vs[] = { 1.5, -1.5, 1.2, -2.0 };
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 4; k++) {
            double y = xs[i], G[2];
            ms_pulse pl = { vs[k], 100e-9, 1e-9 };
            ms_error e;
            cr_assert_eq(ms_drive_pulse_train(c, p, &y, &pl, 1, &o, G, NULL, &e), MS_OK, "%s", e.msg);
            double want = ms_rram_pulse_x(p, xs[i], vs[k], 100e-9);
            cr_assert_float_eq(y, want, 1e-3 * fabs(want - xs[i]) + 1e-9, "x0 %g v %g: %.9g vs %.9g",
                               xs[i], vs[k], y, want);
            cr_assert_float_eq(G[1], ms_rram_G(p, y), 1e-18);
        }
}

Test(drive, pulse_train_saturates_inside_the_window)
{
    const ms_device_class *c = use("rram");
    double y = 0, G[201];
    ms_pulse set = { 1.5, 100e-9, 1e-6 }, reset = { -1.5, 100e-9, 1e-6 };
    ms_error e;
    ms_drive_result *r;
    cr_assert_eq(ms_drive_pulse_train(c, p, &y, &set, 200, NULL, G, &r, &e), MS_OK, "%s", e.msg);
    for (int k = 1; k <= 200; k++) {
        cr_assert_gt(G[k], G[k - 1]);
        cr_assert_leq(G[k], p[MS_RRAM_G_MAX]);
        if (k > 1) cr_assert_lt(G[k] - G[k - 1], G[k - 1] - G[k - 2], "SET steps shrink");
    }
    cr_assert_gt(G[200], 0.99 * p[MS_RRAM_G_MAX]);
    cr_assert_eq(r->n, 1 + 4 * 200);
    ms_drive_result_free(r);
    cr_assert_eq(ms_drive_pulse_train(c, p, &y, &reset, 200, NULL, G, NULL, &e), MS_OK, "%s", e.msg);
    for (int k = 1; k <= 200; k++) {
        cr_assert_lt(G[k], G[k - 1]);
        cr_assert_geq(G[k], p[MS_RRAM_G_MIN]);
        if (k > 1) cr_assert_lt(G[k - 1] - G[k], G[k - 2] - G[k - 1], "RESET steps shrink toward G_min");
    }
}

Test(drive, write_verify_through_the_integrator_converges)
{
    const ms_device_class *c = use("rram");
    test_rng st;
    ms_device_rng rng = test_rng_make(&st, 8);
    ms_drive_opts o;
    ms_drive_opts_default(&o);
    o.rng = &rng;
    const int levels[] = { 0, 7, 31, 50, 63 };
    double y = 0.5;
    for (int k = 0; k < 5; k++) {
        ms_wv_opts wv;
        ms_wv_result res;
        ms_error e;
        double G_t = ms_rram_level_G(p, levels[k]);
        ms_rram_wv_defaults(p, G_t, &wv);
        cr_assert_eq(ms_drive_write_verify(c, p, &y, &wv, &o, &res, &e), MS_OK, "%s", e.msg);
        cr_assert(res.converged, "level %d after %d pulses: %g", levels[k], res.pulses, res.G_read_S);
        cr_assert_leq(fabs(res.G_read_S - G_t), wv.tol_S);
        cr_assert_leq(fabs(ms_rram_G(p, y) - G_t), wv.tol_S + 5 * 0.01 * G_t);
        cr_log_info("write-verify (CVODE) level %d: %d pulses", levels[k], res.pulses);
    }
}

Test(drive, relaxation_helper_follows_the_law)
{
    const ms_device_class *c = use("rram");
    double y = ms_rram_x_of_G(p, 10e-6), ts[] = { 0, 1, 60, 3600, 86400 }, G[5];
    ms_error e;
    cr_assert_eq(ms_drive_relaxation(c, p, &y, ts, 5, 1.5, G, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(G[0], ms_rram_G(p, y));
    for (int k = 1; k < 5; k++) {
        double want = 10e-6 + ms_rram_relax_mean(p, ts[k]) + 1.5 * ms_rram_relax_sigma(p, ts[k]);
        cr_assert_float_eq(G[k], want, 1e-15);
    }
    cr_assert_eq(ms_drive_relaxation(use("nmda_dendrite"), p, &y, ts, 5, 0, G, &e), MS_EINVAL);
    cr_assert(strstr(e.msg, "no relaxation law"), "%s", e.msg);
}

Test(drive, dc_sweep_builds_the_loop)
{
    const ms_device_class *c = use("rram");
    p[MS_RRAM_X0] = 0.5;
    ms_sweep s = { 1.5, -1.5, 1e-6, 2 };
    ms_drive_result *r;
    ms_error e;
    cr_assert_eq(ms_drive_dc_sweep(c, p, NULL, &s, NULL, &r, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(r->n, 9);
    cr_assert_float_eq(r->t_s[r->n - 1], 8e-6, 1e-18);
    cr_assert_eq(r->v_V[1], 1.5);
    cr_assert_eq(r->v_V[3], -1.5);
    ms_drive_result_free(r);
    s.v_max_V = s.v_min_V = 0;
    cr_assert_eq(ms_drive_dc_sweep(c, p, NULL, &s, NULL, &r, &e), MS_EINVAL);
}

/* ---- Stanford/PKU: pinched hysteresis ---------------------------------------------------------- */

/* i / v interpolated where v crosses `level` inside (t_lo, t_hi). */
static double g_at(const ms_drive_result *r, double level, double t_lo, double t_hi)
{
    for (size_t j = 1; j < r->n; j++) {
        double a = r->v_V[j - 1] - level, b = r->v_V[j] - level;
        if (r->t_s[j - 1] < t_lo || r->t_s[j] > t_hi || a * b > 0 || a == b) continue;
        double f = a / (a - b), i = r->i_A[j - 1] + f * (r->i_A[j] - r->i_A[j - 1]);
        return i / level;
    }
    cr_assert_fail("no crossing of %g V in (%g, %g)", level, t_lo, t_hi);
    return NAN;
}

Test(drive, pku_sine_gives_a_pinched_hysteresis_loop)
{
    /* The Stanford check (rram_pku.md): a 1.5 V, 10 Hz sinusoid, from the high-resistance state. */
    const ms_device_class *c = use("rram_pku");
    p[MS_PKU_GAP_INIT] = ms_rram_pku_gap_max(p);
    ms_drive_result *r = drive_sine(c, 1.5, 10, 1, 0, NULL);
    for (size_t j = 0; j < r->n; j++)
        if (fabs(r->v_V[j]) < 1e-12) cr_assert_lt(fabs(r->i_A[j]), 1e-12, "zero current at 0 V");
    /* I/V where the drive crosses +-0.5 V on the way up and down of each half period. */
    double up = g_at(r, 0.5, 0, 0.025), down = g_at(r, 0.5, 0.025, 0.05);
    double neg_in = g_at(r, -0.5, 0.05, 0.075), neg_out = g_at(r, -0.5, 0.075, 0.1);
    cr_log_info("pku loop: I/V at +0.5 V up %.3g S, down %.3g S; at -0.5 V %.3g S, %.3g S", up,
                down, neg_in, neg_out);
    cr_assert_gt(down / up, 10, "SET near the positive peak: two branches");
    cr_assert_gt(neg_in / neg_out, 10, "RESET near the negative peak");
    cr_assert_eq(r->n_events, 2, "the gap reaches its minimum (SET) and its maximum (RESET)");
    ms_drive_result_free(r);
}

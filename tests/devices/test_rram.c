/* The "rram" device as pure functions: the threshold dead zone (10^6 reads change nothing), the
 * closed-form pulse against an independent RK4 integration of its rhs, the per-pulse steps
 * against the Tsinghua tables (shrinking SET, growing RESET), the bounds, and every
 * non-ideality against its configured law: c2c spread, read noise, relaxation, stuck-at faults,
 * levels and write-verify. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "devices/ms_device.h"
#include "devices/ms_rram.h"
#include "devices/rng_fixture.h"

static const ms_device_class *cls;
static double p[MS_RRAM_N_PARAMS];

static void setup(void)
{
    cls = ms_device_find("rram");
    ms_device_defaults(cls, p);
}

TestSuite(rram, .init = setup, .timeout = 20);

/* Tsinghua mean step per pulse by conductance bin, 10 bins of 1.8 uS over 2-20 uS
 * ([S EDGE data/b2_fit.dat, b1_fit.dat]; docs/devices/rram.md), in uS. */
static const double set_table[10] = { 1.14, 0.87, 0.83, 0.75, 0.61, 0.52, 0.47, 0.38, 0.23, 0.27 };
static const double reset_table[10] = { -0.04, -0.94, -0.78, -0.96, -1.75,
                                        -1.80, -2.76, -3.31, -4.71, -6.26 };

static double step_uS(double x, double v)
{
    return (ms_rram_G(p, ms_rram_pulse_x(p, x, v, p[MS_RRAM_T_PULSE])) - ms_rram_G(p, x)) * 1e6;
}

Test(rram, rhs_is_exactly_zero_between_the_thresholds)
{
    double y = 0.37, yd;
    for (double v = -0.799; v <= 0.799; v += 0.001) {
        cls->rhs(0, &y, p, v, &yd);
        cr_assert_eq(yd, 0.0, "v = %g", v);
    }
    cls->rhs(0, &y, p, 0.81, &yd);
    cr_assert_gt(yd, 0);
    cls->rhs(0, &y, p, -0.81, &yd);
    cr_assert_lt(yd, 0);
}

Test(rram, a_million_reads_leave_the_state_unchanged)
{
    test_rng st;
    ms_device_rng rng = test_rng_make(&st, 11);
    const double v_read[] = { 0.1, 0.15, 0.2, -0.2 };
    double x = 0.4321, x0 = x, G = 0;
    for (long k = 0; k < 1000000; k++) {
        double v = v_read[k & 3];
        x = ms_rram_pulse(p, x, v, p[MS_RRAM_T_READ], &rng);   /* with c2c noise switched on */
        G += ms_rram_read_G(p, x, &rng) * 1e-6;
    }
    cr_assert_eq(memcmp(&x, &x0, sizeof x), 0, "x moved to %.17g", x);
    cr_assert_float_eq(G, ms_rram_G(p, x0), 1e-3 * ms_rram_G(p, x0), "mean read %g", G);
}

/* Classic RK4 on the class's own rhs at constant v, as an independent check of the closed form. */
static double rk4(double x, double v, double T, int n)
{
    double h = T / n, k1, k2, k3, k4, y;
    for (int i = 0; i < n; i++) {
        cls->rhs(0, &x, p, v, &k1);
        y = x + h / 2 * k1;
        cls->rhs(0, &y, p, v, &k2);
        y = x + h / 2 * k2;
        cls->rhs(0, &y, p, v, &k3);
        y = x + h * k3;
        cls->rhs(0, &y, p, v, &k4);
        x += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
    }
    return x;
}

Test(rram, closed_form_pulse_matches_integrated_rhs)
{
    const double xs[] = { 0.0, 0.05, 0.5, 0.95, 1.0 }, vs[] = { 1.5, 1.1, 2.5, -1.5, -1.1, -2.5 };
    for (int i = 0; i < 5; i++)
        for (int k = 0; k < 6; k++) {
            double a = ms_rram_pulse_x(p, xs[i], vs[k], 300e-9), b = rk4(xs[i], vs[k], 300e-9, 4000);
            cr_assert_float_eq(a, b, 1e-9, "x0 %g v %g: %.12g vs %.12g", xs[i], vs[k], a, b);
        }
    /* The Jacobian agrees with a finite difference of the rhs. */
    double x = 0.3, J, f1, f2, h = 1e-7, xp = x + h, xm = x - h;
    for (int k = 0; k < 6; k++) {
        cls->jac(0, &x, p, vs[k], &J);
        cls->rhs(0, &xp, p, vs[k], &f1);
        cls->rhs(0, &xm, p, vs[k], &f2);
        cr_assert_float_eq(J, (f1 - f2) / (2 * h), 1e-5 * fabs(J) + 1e-9);
    }
}

Test(rram, standard_pulse_steps_reproduce_the_tsinghua_tables)
{
    double set[10], reset[10], err_s = 0, err_r = 0;
    for (int b = 0; b < 10; b++) {
        double x = 0.05 + 0.1 * b;
        set[b] = step_uS(x, p[MS_RRAM_V_PULSE_SET]);
        reset[b] = step_uS(x, p[MS_RRAM_V_PULSE_RESET]);
        err_s += (set[b] - set_table[b]) * (set[b] - set_table[b]);
        err_r += (reset[b] - reset_table[b]) * (reset[b] - reset_table[b]);
        if (b > 0) {
            cr_assert_lt(set[b], set[b - 1], "SET steps shrink as G grows (bin %d)", b);
            cr_assert_lt(reset[b], reset[b - 1], "RESET steps grow as G grows (bin %d)", b);
        }
    }
    err_s = sqrt(err_s / 10);
    err_r = sqrt(err_r / 10);
    cr_log_info("rram calibration rms error: SET %.3f uS, RESET %.3f uS", err_s, err_r);
    cr_assert_lt(err_s, 0.10, "SET rms %g uS", err_s);      /* fit: 0.088 uS               */
    cr_assert_lt(err_r, 0.50, "RESET rms %g uS", err_r);    /* fit: 0.47, within c2c sigma */
    /* Asymmetry as in the tables: SET dominates at low G, RESET at high G. */
    cr_assert_gt(set[0], -reset[0]);
    cr_assert_gt(-reset[9], 10 * set[9]);
    cr_assert_gt(-reset[9] / -reset[1], 5.0);
}

Test(rram, conductance_never_leaves_the_window)
{
    test_rng st;
    ms_device_rng rng = test_rng_make(&st, 5);
    double x = 0.5;
    for (int k = 0; k < 20000; k++) {
        double v = (test_rng_uniform(&st) * 2 - 1) * 4.0;
        double w = test_rng_uniform(&st) * 1e-5;
        x = ms_rram_pulse(p, x, v, w, &rng);
        double G = ms_rram_G(p, x);
        cr_assert(x >= 0 && x <= 1 && G >= p[MS_RRAM_G_MIN] && G <= p[MS_RRAM_G_MAX]);
    }
    cr_assert_eq(ms_rram_pulse_x(p, 0.5, 5.0, 1.0), 1.0);
    cr_assert_eq(ms_rram_pulse_x(p, 0.5, -5.0, 1.0) < 1e-3, 1);
}

Test(rram, c2c_spread_per_pulse_matches_the_configured_law)
{
    test_rng st;
    ms_device_rng rng = test_rng_make(&st, 99);
    enum { N = 20000 };
    static double d[N];
    double x0 = 0.5, nominal = step_uS(x0, p[MS_RRAM_V_PULSE_SET]) * 1e-6;
    for (int k = 0; k < N; k++)
        d[k] = (ms_rram_G(p, ms_rram_pulse(p, x0, p[MS_RRAM_V_PULSE_SET], p[MS_RRAM_T_PULSE], &rng))
                - ms_rram_G(p, x0));
    double m, sd, want = p[MS_RRAM_SIGMA_C2C] * sqrt(nominal / MS_RRAM_C2C_REF_S);
    test_stats(d, N, &m, &sd);
    cr_log_info("c2c: nominal step %.3f uS, sd %.4f uS, configured %.4f uS", nominal * 1e6,
                sd * 1e6, want * 1e6);
    cr_assert_float_eq(sd, want, 0.03 * want);                /* sd of sd ~ 0.5 % at N = 2e4 */
    cr_assert_lt(fabs(m - nominal), 4 * want / sqrt(N));
    /* Switched off: exactly the nominal step. */
    p[MS_RRAM_SIGMA_C2C] = 0;
    cr_assert_eq(ms_rram_pulse(p, x0, 1.5, p[MS_RRAM_T_PULSE], &rng),
                 ms_rram_pulse_x(p, x0, 1.5, p[MS_RRAM_T_PULSE]));
}

Test(rram, read_noise_is_relative_and_leaves_state)
{
    test_rng st;
    ms_device_rng rng = test_rng_make(&st, 1);
    enum { N = 20000 };
    static double r[N];
    double y = 0.6;
    for (int k = 0; k < N; k++) r[k] = cls->read(0, &y, p, 0.2, &rng) / (0.2 * ms_rram_G(p, y));
    double m, sd;
    test_stats(r, N, &m, &sd);
    cr_assert_float_eq(sd, p[MS_RRAM_SIGMA_READ], 0.03 * p[MS_RRAM_SIGMA_READ]);
    cr_assert_float_eq(m, 1.0, 4 * sd / sqrt(N));
    cr_assert_eq(y, 0.6);
}

Test(rram, relaxation_follows_the_log_time_law)
{
    test_rng st;
    ms_device_rng rng = test_rng_make(&st, 2024);
    enum { N = 20000 };
    static double xi[N], G[N];
    for (int i = 0; i < N; i++) xi[i] = test_rng_normal(&st);
    (void)rng;
    const double ts[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6 };
    double y_prog = ms_rram_x_of_G(p, 11e-6), sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int k = 0; k < 7; k++) {
        double yt;
        for (int i = 0; i < N; i++) {
            cls->relax(p, &y_prog, ts[k], xi[i], &yt);
            G[i] = ms_rram_G(p, yt) - 11e-6;
        }
        double m, sd, L = log1p(ts[k] / p[MS_RRAM_RELAX_T0]);
        test_stats(G, N, &m, &sd);
        double want_sd = p[MS_RRAM_RELAX_SIG0] + p[MS_RRAM_RELAX_SIG1] * L;
        cr_assert_float_eq(sd, want_sd, 0.03 * want_sd, "t %g: sd %g", ts[k], sd);
        cr_assert_float_eq(m, p[MS_RRAM_RELAX_MU] * L, 4 * sd / sqrt(N), "t %g: mean %g", ts[k], m);
        sx += L, sy += m, sxx += L * L, sxy += L * m;
    }
    double slope = (7 * sxy - sx * sy) / (7 * sxx - sx * sx);
    cr_log_info("relaxation: fitted mean slope %.4g S per ln unit, configured %.4g", slope,
                p[MS_RRAM_RELAX_MU]);
    cr_assert_float_eq(slope, p[MS_RRAM_RELAX_MU], 0.05 * fabs(p[MS_RRAM_RELAX_MU]));
    /* At t = 0 nothing has moved; switched off, nothing ever moves. */
    double yt;
    cls->relax(p, &y_prog, 0, 3.0, &yt);
    cr_assert_eq(yt, y_prog);
    p[MS_RRAM_RELAX_MU] = p[MS_RRAM_RELAX_SIG0] = p[MS_RRAM_RELAX_SIG1] = 0;
    cls->relax(p, &y_prog, 1e6, 3.0, &yt);
    cr_assert_float_eq(yt, y_prog, 1e-15);
}

Test(rram, stuck_devices_ignore_pulses_and_report_their_bound)
{
    double y, yd;
    p[MS_RRAM_STUCK] = MS_RRAM_STUCK_OFF;
    cls->init(p, &y);
    cr_assert_eq(cls->conductance(&y, p), p[MS_RRAM_G_MIN]);
    cls->rhs(0, &y, p, 3.0, &yd);
    cr_assert_eq(yd, 0.0);
    cr_assert_eq(ms_rram_G(p, ms_rram_pulse_x(p, y, 3.0, 1e-3)), p[MS_RRAM_G_MIN]);
    p[MS_RRAM_STUCK] = MS_RRAM_STUCK_ON;
    cls->init(p, &y);
    cr_assert_eq(cls->current(0, &y, p, 0.2), 0.2 * p[MS_RRAM_G_MAX]);
    cr_assert_eq(ms_rram_G(p, ms_rram_pulse_x(p, y, -3.0, 1e-3)), p[MS_RRAM_G_MAX]);
}

Test(rram, levels_and_tolerance)
{
    cr_assert_eq(ms_rram_level_G(p, 0), p[MS_RRAM_G_MIN]);
    cr_assert_float_eq(ms_rram_level_G(p, 63), p[MS_RRAM_G_MAX], 1e-18);
    for (int k = 0; k < 64; k++) cr_assert_eq(ms_rram_nearest_level(p, ms_rram_level_G(p, k)), k);
    cr_assert_eq(ms_rram_nearest_level(p, 0), 0);
    cr_assert_eq(ms_rram_nearest_level(p, 1), 63);
    cr_assert_float_eq(ms_rram_wv_tol_S(p), 0.5 * 18e-6 / 63, 1e-18);
}

Test(rram, write_verify_reaches_every_level_within_its_limit)
{
    test_rng st;
    ms_device_rng rng = test_rng_make(&st, 17);
    int worst = 0, total = 0, n = 0;
    for (int rep = 0; rep < 8; rep++)
        for (int level = 0; level < 64; level++) {
            double x = test_rng_uniform(&st), G_t = ms_rram_level_G(p, level);
            ms_wv_opts o;
            ms_wv_result r;
            char msg[256];
            ms_rram_wv_defaults(p, G_t, &o);
            cr_assert_eq(ms_rram_program(p, &x, &o, &rng, &r, msg, sizeof msg), MS_DEV_OK, "%s", msg);
            cr_assert(r.converged, "level %d: %d pulses, read %g, target %g", level, r.pulses,
                      r.G_read_S, G_t);
            cr_assert_leq(r.pulses, o.max_iter);
            cr_assert_leq(fabs(r.G_read_S - G_t), o.tol_S);
            /* The true conductance is within the tolerance plus a few read-noise sigmas. */
            cr_assert_leq(fabs(ms_rram_G(p, x) - G_t), o.tol_S + 5 * p[MS_RRAM_SIGMA_READ] * G_t);
            worst = r.pulses > worst ? r.pulses : worst;
            total += r.pulses;
            n++;
        }
    cr_log_info("write-verify: mean %.1f pulses, worst %d (limit %g)", (double)total / n, worst,
                p[MS_RRAM_WV_MAX_ITER]);
}

Test(rram, write_verify_rejects_inconsistent_options)
{
    ms_wv_opts o;
    ms_wv_result r;
    char msg[256];
    double x = 0.5;
    ms_rram_wv_defaults(p, 10e-6, &o);
    o.tol_S = 0;
    cr_assert_eq(ms_rram_program(p, &x, &o, NULL, &r, msg, sizeof msg), MS_DEV_EINVAL);
    cr_assert(strstr(msg, "tolerance"), "%s", msg);
    ms_rram_wv_defaults(p, 10e-6, &o);
    o.v_reset_first_V = 0.5;
    cr_assert_eq(ms_rram_program(p, &x, &o, NULL, &r, msg, sizeof msg), MS_DEV_EINVAL);
    cr_assert(strstr(msg, "RESET ramp"), "%s", msg);
}

Test(rram, check_rejects_pulses_inside_the_thresholds)
{
    char msg[256];
    p[MS_RRAM_V_PULSE_SET] = 0.5;
    cr_assert_eq(ms_device_check(cls, p, msg, sizeof msg), MS_DEV_EINVAL);
    cr_assert(strstr(msg, "V_pulse_set = 0.5 V must be > V_set = 0.8 V"), "%s", msg);
}

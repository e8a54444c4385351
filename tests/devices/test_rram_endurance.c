/* The endurance law and protocol of "rram" (devices/ms_rram_endurance.h, docs/devices/rram.md
 * "Endurance"): a fresh device is the device of before; the closed-form pulse of a worn device is
 * still the solution of its ODE; the fast path (cycle blocks) agrees with explicit pulse-by-pulse
 * cycling over the first 1e4 cycles; the window shrinks and the nonlinearity grows monotonically
 * with log cycles; weak analog cycles outlast full-window cycles by the calibrated factor and
 * remain usable at 1e11 cycles; bad options are refused with their value and range. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "devices/ms_device.h"
#include "devices/ms_rram.h"
#include "devices/ms_rram_endurance.h"

static const ms_device_class *cls;
static double p[MS_DEVICE_MAX_PARAMS];

static void setup(void)
{
    cls = ms_device_find("rram");
    ms_device_defaults(cls, p);
}

TestSuite(endurance, .init = setup, .timeout = 30);

/* 0, 1, 10, ..., 10^top */
static size_t decades(double *at, int top)
{
    at[0] = 0;
    for (int k = 1; k <= top + 1; k++) at[k] = pow(10.0, k - 1);
    return (size_t)top + 2;
}

static void run(double *q, int full, double cycles, double block, const double *at, size_t n,
                ms_end_read *r, double *life)
{
    ms_end_opts o;
    ms_end_defaults(full, &o);
    o.cycles = cycles, o.block = block;
    double x;
    char msg[256];
    cr_assert_eq(ms_end_run(q, &x, &o, at, n, r, life, msg, sizeof msg), MS_DEV_OK, "%s", msg);
}

Test(endurance, a_fresh_device_is_exactly_the_device_without_the_law)
{
    cr_assert_eq(p[MS_RRAM_WEAR], 0.0);
    cr_assert_eq(ms_rram_G_min_eff(p), p[MS_RRAM_G_MIN]);
    cr_assert_eq(ms_rram_G_max_eff(p), p[MS_RRAM_G_MAX]);
    cr_assert_eq(ms_rram_p_set_eff(p), p[MS_RRAM_P_SET]);
    cr_assert_eq(ms_rram_p_reset_eff(p), p[MS_RRAM_P_RESET]);
    cr_assert_eq(ms_rram_window_frac(p), 1.0);
    /* Hand values of the law at wear = end_W0 x 99 (D = 2): f = 1 - 0.1 x 2 = 0.8 about the
     * 11 uS centre, so [3.8, 18.2] uS; p_set 1 + 0.2, p_reset 1.5 + 0.2. */
    p[MS_RRAM_WEAR] = 99 * p[MS_RRAM_END_W0];
    cr_assert_float_eq(ms_rram_window_frac(p), 0.8, 1e-12);
    cr_assert_float_eq(ms_rram_G_min_eff(p), 3.8e-6, 1e-17);
    cr_assert_float_eq(ms_rram_G_max_eff(p), 18.2e-6, 1e-17);
    cr_assert_float_eq(ms_rram_p_set_eff(p), 1.2, 1e-12);
    cr_assert_float_eq(ms_rram_p_reset_eff(p), 1.7, 1e-12);
    /* The dose: a standard SET pulse across the whole window adds exactly 1; 0.3 V weaker adds
     * exp(-0.3 / 0.06) = 6.74e-3 of it. */
    cr_assert_float_eq(ms_rram_wear_dose(p, 1.5, 1.0), 1.0, 1e-15);
    cr_assert_float_eq(ms_rram_wear_dose(p, -1.2, -0.5), 0.5 * exp(-5.0), 1e-15);
}

/* RK4 of the class's rhs over one pulse (the same check as for the fresh device in test_rram). */
static double rk4(const double *q, double x, double v, double t_w, int n)
{
    double h = t_w / n, k1, k2, k3, k4, y;
    for (int i = 0; i < n; i++) {
        cls->rhs(0, &x, q, v, &k1);
        y = x + 0.5 * h * k1, cls->rhs(0, &y, q, v, &k2);
        y = x + 0.5 * h * k2, cls->rhs(0, &y, q, v, &k3);
        y = x + h * k3, cls->rhs(0, &y, q, v, &k4);
        x += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
    }
    return x;
}

Test(endurance, the_closed_form_pulse_of_a_worn_device_solves_its_ode)
{
    p[MS_RRAM_WEAR] = 1e9;   /* D = 4.09: p_set 1.41, p_reset 1.91, window 59 % */
    const double xs[] = { 0.0, 0.3, 0.9 }, vs[] = { 1.5, 1.19, -1.04, -2.0 };
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 4; k++) {
            double a = ms_rram_pulse_x(p, xs[i], vs[k], 300e-9);
            double b = rk4(p, xs[i], vs[k], 300e-9, 4000);
            cr_assert_float_eq(a, b, 1e-9, "x0 %g v %g: %.12g vs %.12g", xs[i], vs[k], a, b);
        }
}

/* Measured: analog wear within 4e-8 (relative), full-window 4.1e-5; window fraction within
 * 2e-6; levels within 4e-9 S. */
Test(endurance, the_fast_path_agrees_with_explicit_cycling_over_1e4_cycles)
{
    double at[8];
    size_t n = decades(at, 4);
    for (int full = 0; full < 2; full++) {
        double q[MS_DEVICE_MAX_PARAMS], lf, le;
        ms_end_read f[8], e[8];
        memcpy(q, p, sizeof q);
        run(q, full, 1e4, 0.01, at, n, f, &lf);
        memcpy(q, p, sizeof q);
        run(q, full, 1e4, 0.0, at, n, e, &le);
        for (size_t k = 1; k < n; k++) {
            cr_assert_eq(f[k].cycles, e[k].cycles);
            cr_assert_float_eq(f[k].wear / e[k].wear, 1.0, 1e-4, "full %d at %g: wear %g vs %g",
                               full, f[k].cycles, f[k].wear, e[k].wear);
            cr_assert_float_eq(f[k].frac, e[k].frac, 1e-5);
            cr_assert_float_eq(f[k].nl_set, e[k].nl_set, 1e-5);
            cr_assert_float_eq(f[k].nl_reset, e[k].nl_reset, 1e-5);
            cr_assert_float_eq(f[k].G_lo, e[k].G_lo, 1e-8);
            cr_assert_float_eq(f[k].G_hi, e[k].G_hi, 1e-8);
            cr_assert_float_eq(f[k].step_mean / e[k].step_mean, 1.0, 1e-4);
        }
        /* Up to 100 cycles the blocks are single cycles: the two paths are the same. */
        cr_assert_eq(f[3].wear, e[3].wear);
    }
}

Test(endurance, window_shrinks_and_nonlinearity_grows_monotonically_with_log_cycles)
{
    double at[16];
    for (int full = 0; full < 2; full++) {
        double q[MS_DEVICE_MAX_PARAMS], life;
        ms_end_read r[16];
        memcpy(q, p, sizeof q);
        size_t n = decades(at, full ? 9 : 11);
        run(q, full, at[n - 1], 0.01, at, n, r, &life);
        for (size_t k = 1; k < n; k++) {
            cr_assert_lt(r[k].G_max - r[k].G_min, r[k - 1].G_max - r[k - 1].G_min,
                         "full %d: window at %g cycles", full, r[k].cycles);
            cr_assert_gt(r[k].G_min, r[k - 1].G_min);
            cr_assert_lt(r[k].G_max, r[k - 1].G_max);
            cr_assert_gt(r[k].nl_set, r[k - 1].nl_set, "full %d: NL at %g", full, r[k].cycles);
            cr_assert_gt(r[k].nl_reset, r[k - 1].nl_reset);
            cr_assert_lt(r[k].step_mean, r[k - 1].step_mean);
        }
        /* Fresh: the nonlinearity of the calibrated soft bounds (p_set = 1: 1 - 1/3). */
        cr_assert_float_eq(r[0].nl_set, 2.0 / 3.0, 1e-9);
        cr_assert_float_eq(r[0].G_max - r[0].G_min, 18e-6, 1e-18);
    }
}

/* Measured: full-window cycles (+-2 V, 2 us) wear out (half the window left) at 1.057e6 cycles,
 * analog cycles (100 + 100 pulses of 100 ns, 25 % <-> 75 %, 1.19 V / -1.04 V) at 3.84e12:
 * 3.6e6 x longer; at 1e11 analog cycles 65 % of the window is left. */
Test(endurance, weak_analog_cycles_outlast_full_window_cycles_by_the_calibrated_factor)
{
    double q[MS_DEVICE_MAX_PARAMS], life_a, life_f, at[20];
    ms_end_read r[20];
    clock_t t0 = clock();
    memcpy(q, p, sizeof q);
    size_t n = decades(at, 13);
    run(q, 0, 1e13, 0.01, at, n, r, &life_a);
    double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
    cr_assert_lt(cpu, 5.0, "1e13 analog cycles took %g s", cpu);
    cr_assert_eq(r[12].cycles, 1e11);
    cr_assert_eq(r[12].worn, 0, "usable at 1e11 cycles");
    cr_assert_float_eq(r[12].frac, 0.654, 0.002);
    cr_assert_eq(r[14].worn, 1);
    memcpy(q, p, sizeof q);
    n = decades(at, 8);
    run(q, 1, 1e8, 0.01, at, n, r, &life_f);
    cr_assert_float_eq(life_f, 1.057e6, 0.002e6);
    cr_assert_float_eq(life_a, 3.84e12, 0.01e12);
    cr_assert_geq(life_a / life_f, 1e5, "ratio %g", life_a / life_f);
    /* Cycling between the levels: the analog cycle reaches 25 % and 75 % of the fresh window. */
    memcpy(q, p, sizeof q);
    run(q, 0, 1, 0.01, (double[]){ 1 }, 1, r, &life_a);
    cr_assert_float_eq(r[0].G_lo, 6.5e-6, 1e-12, "%.15g", r[0].G_lo);
    cr_assert_float_eq(r[0].G_hi, 15.5e-6, 1e-12, "%.15g", r[0].G_hi);
}

static const char *refused(ms_end_opts o, const double *at, size_t n, char *msg, size_t len)
{
    double q[MS_DEVICE_MAX_PARAMS], x, life;
    ms_end_read r[4];
    memcpy(q, p, sizeof q);
    cr_assert_eq(ms_end_run(q, &x, &o, at, n, r, &life, msg, len), MS_DEV_EINVAL);
    cr_assert_eq(q[MS_RRAM_WEAR], 0.0, "a refused run leaves the device");
    return msg;
}

Test(endurance, bad_options_are_refused_with_value_and_range)
{
    char m[256];
    const double at0[] = { 0 };
    ms_end_opts o, d;
    ms_end_defaults(0, &d);
    o = d, o.cycles = -1;
    cr_assert_str_eq(refused(o, at0, 1, m, sizeof m),
                     "endurance: cycles = -1 must be a whole number >= 0");
    o = d, o.cycles = 2.5;
    cr_assert_str_eq(refused(o, at0, 1, m, sizeof m),
                     "endurance: cycles = 2.5 must be a whole number >= 0");
    o = d, o.n_p = 0;
    cr_assert_str_eq(refused(o, at0, 1, m, sizeof m),
                     "endurance: n_p = 0 must be in [1, 1000000]");
    o = d, o.x_lo = 0.8;
    cr_assert_str_eq(refused(o, at0, 1, m, sizeof m),
                     "endurance: levels need 0 < lo < hi < 1 (lo = 0.8, hi = 0.75 of the window)");
    o = d, o.full = 1, o.v_full = 0.5;
    cr_assert_str_eq(refused(o, at0, 1, m, sizeof m),
                     "endurance: v_full = 0.5 V must exceed both thresholds (V_set = 0.8 V, "
                     "-V_reset = 0.8 V) and be <= 10 V");
    o = d, o.n_p = 1, o.t_w = 1e-12;
    cr_assert(strstr(refused(o, at0, 1, m, sizeof m), "endurance: n_p = 1 pulses of 1e-12 s need "),
              "%s", m);
    o = d, o.block = 2;
    cr_assert_str_eq(refused(o, at0, 1, m, sizeof m), "endurance: block = 2 must be in [0, 1]");
    o = d, o.cycles = 100;
    const double late[] = { 10, 1000 };
    cr_assert_str_eq(refused(o, late, 2, m, sizeof m),
                     "endurance: readout 2 at 1000 cycles must be a whole number in [0, cycles "
                     "= 100], above the previous one");
}

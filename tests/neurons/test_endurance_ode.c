/* The endurance protocol of "rram" with every pulse integrated by CVODE
 * (neurons/ms_endurance_ode.h): the fast path (closed-form pulses, cycle blocks) agrees with
 * explicit pulse-by-pulse CVODE cycling at every decade, for both protocols; a failing solver or
 * an interrupt stops the run with its reason and the cycle; bad options keep ms_end_run's
 * messages. The full 1e4-cycle comparison (2e6 CVODE pulses) is bench/endurance_ode.lua. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "devices/ms_device.h"
#include "devices/ms_rram.h"
#include "neurons/ms_endurance_ode.h"

static double p[MS_DEVICE_MAX_PARAMS];

static void setup(void) { ms_device_defaults(ms_device_find("rram"), p); }

TestSuite(endurance_ode, .init = setup, .timeout = 60);

/* The fast path (block 0.01) and CVODE cycling (block 0) of the same protocol from a fresh
 * device, read out at 0, 1, 10, ... cycles; asserts the differences below the tolerances. */
static void compare(int full, int n_p, double cycles, double tol_wear, double tol_G)
{
    double at[8] = { 0 }, q[MS_DEVICE_MAX_PARAMS], x, life_f, life_o;
    size_t n = 1;
    for (double d = 1; d <= cycles; d *= 10) at[n++] = d;
    ms_end_opts o;
    ms_end_defaults(full, &o);
    o.cycles = cycles, o.n_p = n_p;
    ms_end_read f[8], e[8];
    char msg[256];
    memcpy(q, p, sizeof q);
    cr_assert_eq(ms_end_run(q, &x, &o, at, n, f, &life_f, msg, sizeof msg), MS_DEV_OK, "%s", msg);
    o.block = 0;
    memcpy(q, p, sizeof q);
    ms_error err;
    ms_end_ode_stats st;
    cr_assert_eq(ms_end_run_ode(q, &x, &o, at, n, e, &life_o, NULL, &st, &err), MS_OK, "%s", err.msg);
    /* every pulse of the cycles and of the n readouts' probes (32 + 4 each) went through CVODE */
    cr_assert_eq(st.pulses, cycles * 2 * (full ? 1 : n_p) + (double)n * (32 + 4));
    cr_assert_gt(st.steps, (long)st.pulses);
    for (size_t k = 0; k < n; k++) {
        cr_assert_eq(f[k].cycles, e[k].cycles);
        if (k > 0)
            cr_assert_float_eq(f[k].wear / e[k].wear, 1.0, tol_wear, "full %d at %g: wear %.10g vs %.10g",
                               full, e[k].cycles, f[k].wear, e[k].wear);
        cr_assert_float_eq(f[k].frac, e[k].frac, 1e-5, "full %d at %g", full, e[k].cycles);
        cr_assert_float_eq(f[k].nl_set, e[k].nl_set, 1e-6, "full %d at %g: nl_set %.9f vs %.9f", full,
                           e[k].cycles, f[k].nl_set, e[k].nl_set);
        cr_assert_float_eq(f[k].nl_reset, e[k].nl_reset, 1e-6);
        cr_assert_float_eq(f[k].G_lo, e[k].G_lo, tol_G, "full %d at %g: G_lo %g vs %g", full,
                           e[k].cycles, f[k].G_lo, e[k].G_lo);
        cr_assert_float_eq(f[k].G_hi, e[k].G_hi, tol_G);
        cr_assert_float_eq(f[k].step_mean / e[k].step_mean, 1.0, 1e-5);
    }
    /* the law did act: the wear at the end is that of `cycles` cycles, not of none */
    cr_assert_gt(e[n - 1].wear, cycles * (full ? 8000 : 2.8e-3));
}

/* Measured (CVODE at the drive's rtol 1e-8, atol 1e-9): wear within 1.9e-7 (analog, 100 pulses
 * per direction), 4.4e-6 (10 pulses, at 1e3 cycles: the blocks' share; 9.6e-8 up to 100 cycles,
 * where the fast path cycles one by one) and 2.0e-5 (full window at 1e3; 1.8e-8 up to 100);
 * nonlinearity within 2.8e-7, window within 8.5e-7, levels within 6e-12 S (100 pulses), 5.2e-11 S
 * (10 pulses) and 1.3e-9 S (full window), mean step within 1.3e-6. bench/endurance_ode.lua:
 * the comparison over 1e4 cycles. */
Test(endurance_ode, the_fast_path_agrees_with_cvode_cycling_at_every_decade)
{
    compare(1, 1, 1e3, 1e-4, 5e-9);      /* full window: 2000 pulses of 2 us                      */
    compare(0, 100, 1e2, 1e-6, 1e-10);   /* analog, 100 + 100 pulses: 20 000 pulses of 100 ns      */
    compare(0, 10, 1e3, 1e-5, 3e-10);    /* analog, 10 + 10 stronger pulses, blocks of 10 at 1e3 */
}

static int calls;
static int stop_at_fifth(void *ud)
{
    (void)ud;
    return ++calls >= 5;
}

Test(endurance_ode, an_interrupt_stops_the_run_with_its_cycle_and_keeps_the_state_reached)
{
    double at[1] = { 0 }, x, life, q[MS_DEVICE_MAX_PARAMS], r[MS_DEVICE_MAX_PARAMS];
    ms_end_opts o;
    ms_end_defaults(1, &o);
    o.cycles = 10, o.n_probe = 2;
    ms_drive_opts d;
    ms_drive_opts_default(&d);
    d.interrupt = stop_at_fifth;
    ms_end_read out[1];
    ms_error err;
    calls = 0;
    memcpy(q, p, sizeof q);
    /* A poll before every pulse: the readout at 0 cycles integrates 2 probe pulses and 2 + 2 for
     * the nonlinearity, so the fifth poll stops it. */
    cr_assert_eq(ms_end_run_ode(q, &x, &o, at, 1, out, &life, &d, NULL, &err), MS_EINTR);
    cr_assert_str_eq(err.msg, "endurance: the pulse solver failed in the readout at 0 cycles: interrupted");
    /* Without readouts the cycles are interrupted: the fifth pulse is the first of cycle 3. */
    calls = 0;
    memcpy(q, p, sizeof q);
    cr_assert_eq(ms_end_run_ode(q, &x, &o, NULL, 0, NULL, &life, &d, NULL, &err), MS_EINTR);
    cr_assert_str_eq(err.msg, "endurance: the pulse solver failed in cycle 3: interrupted");
    /* the state reached: the wear of two full cycles (closed form to 1e-7) */
    memcpy(r, p, sizeof r);
    ms_end_opts two = o;
    two.cycles = 2;
    double xr;
    char msg[256];
    cr_assert_eq(ms_end_run(r, &xr, &two, NULL, 0, NULL, &life, msg, sizeof msg), MS_DEV_OK);
    cr_assert_float_eq(q[MS_RRAM_WEAR] / r[MS_RRAM_WEAR], 1.0, 1e-7);
    cr_assert_float_eq(x, xr, 1e-8);
}

Test(endurance_ode, bad_options_and_tolerances_are_refused_with_their_values)
{
    double at[1] = { 0 }, x, life, q[MS_DEVICE_MAX_PARAMS];
    ms_end_opts o;
    ms_end_defaults(0, &o);
    ms_end_read out[1];
    ms_error err;
    memcpy(q, p, sizeof q);
    o.cycles = -1;
    cr_assert_eq(ms_end_run_ode(q, &x, &o, at, 1, out, &life, NULL, NULL, &err), MS_EINVAL);
    cr_assert_str_eq(err.msg, "endurance: cycles = -1 must be a whole number >= 0");
    o.cycles = 10;
    ms_drive_opts d;
    ms_drive_opts_default(&d);
    d.rtol = 0;
    cr_assert_eq(ms_end_run_ode(q, &x, &o, at, 1, out, &life, &d, NULL, &err), MS_EINVAL);
    cr_assert_str_eq(err.msg, "endurance: solver tolerances rtol = 0 and atol = 1e-09 must be in "
                              "(0, 1), max_step = 0 s >= 0");
    q[MS_RRAM_G_MIN] = 3e-5;
    cr_assert_eq(ms_end_run_ode(q, &x, &o, at, 1, out, &life, NULL, NULL, &err), MS_EINVAL);
    cr_assert_str_eq(err.msg, "rram: G_min must be < G_max (G_min = 3e-05 S, G_max = 2e-05 S)");
}

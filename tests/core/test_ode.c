/* The CVODES wrapper against closed forms: an RC circuit charging towards v_inf crosses
 * v_th at t* = -tau ln(1 - v_th / v_inf); its quadrature integral of v is known exactly. A
 * quiet system (y' = 0) with the energy of a resistor under a ramp as a quadrature shows why
 * quadratures can be put under error control; stop times stop exactly at a kink. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "core/ms_ode.h"
#include "tests/core/ode_systems.h"

static ms_ode_ctx *ctx;
static void setup(void) { ms_error e; cr_assert_eq(ms_ode_ctx_create(&ctx, &e), MS_OK); }
static void teardown(void) { ms_ode_ctx_destroy(ctx); }

TestSuite(ode, .init = setup, .fini = teardown, .timeout = 10);

Test(ode, threshold_crossing_time_matches_closed_form)
{
    rc p = { 10e-3, 1.0, 0.6 };
    double atol = 1e-9;
    int dir = 1;
    ms_ode_spec s = { .n = 1, .rhs = rc_rhs, .jac = rc_jac, .n_roots = 1, .roots = rc_root,
                      .root_dir = &dir, .n_quad = 1, .quad = rc_quad, .ud = &p,
                      .rtol = 1e-9, .atol = &atol };
    ms_ode *ode; ms_error e; double y0 = 0.0;
    cr_assert_eq(ms_ode_create(ctx, &s, 0.0, &y0, &ode, &e), MS_OK, "%s", e.msg);
    double t; int n;
    cr_assert_eq(ms_ode_advance(ode, 1.0, &t, &n, &e), MS_OK, "%s", e.msg);
    double t_star = -p.tau * log(1.0 - p.v_th / p.v_inf);
    cr_assert_eq(n, 1);
    cr_assert_eq(ms_ode_roots_found(ode)[0], 1);
    cr_assert_float_eq(t, t_star, 1e-7 * t_star, "root at %.15g, expected %.15g", t, t_star);
    cr_assert_float_eq(ms_ode_state(ode)[0], p.v_th, 1e-8);
    /* integral of v from 0 to t_star = v_inf (t_star - tau (1 - exp(-t_star / tau))) */
    double q = p.v_inf * (t_star - p.tau * (1.0 - exp(-t_star / p.tau)));
    cr_assert_float_eq(ms_ode_quad(ode)[0], q, 1e-6 * q);
    ms_ode_destroy(ode);
}

Test(ode, reset_and_reinit_gives_periodic_crossings)
{
    rc p = { 10e-3, 1.0, 0.6 };
    double atol = 1e-10;
    ms_ode_spec s = { .n = 1, .rhs = rc_rhs, .n_roots = 1, .roots = rc_root,
                      .ud = &p, .rtol = 1e-10, .atol = &atol };
    ms_ode *ode; ms_error e; double y0 = 0.0;
    cr_assert_eq(ms_ode_create(ctx, &s, 0.0, &y0, &ode, &e), MS_OK);
    double t_star = -p.tau * log(1.0 - p.v_th / p.v_inf);
    double t = 0; int n, k = 0;
    while (k < 5) {
        cr_assert_eq(ms_ode_advance(ode, 1.0, &t, &n, &e), MS_OK, "%s", e.msg);
        cr_assert_eq(n, 1);
        k++;
        cr_assert_float_eq(t, k * t_star, 1e-8 * k * t_star, "crossing %d at %.15g", k, t);
        ms_ode_state(ode)[0] = 0.0;
        cr_assert_eq(ms_ode_reinit(ode, t, &e), MS_OK);
    }
    ms_ode_destroy(ode);
}

Test(ode, advance_to_current_time_is_a_no_op)
{
    rc p = { 1e-3, 1.0, 2.0 };
    double atol = 1e-9, y0 = 0.25, t; int n; ms_ode *ode; ms_error e;
    ms_ode_spec s = { .n = 1, .rhs = rc_rhs, .ud = &p, .atol = &atol };
    cr_assert_eq(ms_ode_create(ctx, &s, 0.5, &y0, &ode, &e), MS_OK);
    cr_assert_eq(ms_ode_advance(ode, 0.5, &t, &n, &e), MS_OK);
    cr_assert_eq(t, 0.5);
    cr_assert_eq(ms_ode_state(ode)[0], 0.25);
    ms_ode_destroy(ode);
}

Test(ode, failing_rhs_is_an_error_with_a_message)
{
    double atol = 1e-9, y0 = 0, t; int n; ms_ode *ode; ms_error e = { 0 };
    ms_ode_spec s = { .n = 1, .rhs = bad_rhs, .atol = &atol };
    cr_assert_eq(ms_ode_create(ctx, &s, 0.0, &y0, &ode, &e), MS_OK);
    cr_assert_eq(ms_ode_advance(ode, 1.0, &t, &n, &e), MS_ESOLVER);
    cr_assert(strstr(e.msg, "CV_RHSFUNC_FAIL") != NULL, "message: %s", e.msg);
    ms_ode_destroy(ode);
}

/* ---- quadratures under error control ------------------------------------------------------- */

/* A quiet system: nothing moves (y' = 0), while a ramp V = a t across a resistor R dissipates
 * q' = V^2 / R, so q(T) = a^2 T^3 / (3 R). The state alone lets CVODE take huge steps. */
typedef struct ramp { double a, R; } ramp;

static int quiet_rhs(double t, const double *y, double *ydot, void *ud)
{
    (void)t, (void)y, (void)ud;
    ydot[0] = 0.0;
    return 0;
}
static int ramp_quad(double t, const double *y, double *q, void *ud)
{
    (void)y;
    const ramp *p = ud;
    double v = p->a * t;
    q[0] = v * v / p->R;
    return 0;
}

static double ramp_energy(const double *quad_atol, double quad_rtol, long *steps)
{
    ramp p = { 2.0 / 1e-3, 1e3 };   /* 0 -> 2 V in 1 ms across 1 kOhm */
    double atol = 1e-9, y0 = 0.0, t;
    int n;
    ms_ode_spec s = { .n = 1, .rhs = quiet_rhs, .n_quad = 1, .quad = ramp_quad, .ud = &p,
                      .rtol = 1e-8, .atol = &atol, .quad_atol = quad_atol,
                      .quad_rtol = quad_rtol };
    ms_ode *ode; ms_error e;
    cr_assert_eq(ms_ode_create(ctx, &s, 0.0, &y0, &ode, &e), MS_OK, "%s", e.msg);
    /* Stop at the end, as a drive does at each corner (else CVODE may step far beyond it). */
    cr_assert_eq(ms_ode_set_stop_time(ode, 1e-3, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(ms_ode_advance(ode, 1e-3, &t, &n, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(t, 1e-3);
    double q = ms_ode_quad(ode)[0];
    ms_ode_stats st;
    ms_ode_get_stats(ode, &st);
    *steps = st.steps;
    ms_ode_destroy(ode);
    return q;
}

Test(ode, quiet_system_quadrature_is_right_only_under_error_control)
{
    double exact = 4e6 * 1e-9 / 3e3;   /* a^2 T^3 / (3 R) = 1.333e-6 J */
    double qatol = 1e-21;               /* J */
    long steps_on, steps_off;
    double on = ramp_energy(&qatol, 1e-8, &steps_on);
    double off = ramp_energy(NULL, 0.0, &steps_off);
    cr_log_info("ramp energy: exact %.12g J; error control on %.12g J (rel. err %.1e, %ld steps), "
                "off %.12g J (rel. err %.1e, %ld steps)", exact, on, fabs(on / exact - 1),
                steps_on, off, fabs(off / exact - 1), steps_off);
    cr_assert_float_eq(on, exact, 10 * 1e-8 * exact, "error control on: %.12g vs %.12g", on, exact);
    /* Why the option exists: the quadrature rides on the state's few long steps. */
    cr_assert_gt(fabs(off / exact - 1), 0.1, "error control off: %.12g vs %.12g", off, exact);
}

Test(ode, quadrature_tolerances_are_checked)
{
    double atol = 1e-9, y0 = 0.0, bad = -1.0;
    ramp p = { 1.0, 1.0 };
    ms_ode *ode; ms_error e;
    ms_ode_spec s = { .n = 1, .rhs = quiet_rhs, .n_quad = 1, .quad = ramp_quad, .ud = &p,
                      .atol = &atol, .quad_rtol = 1e-6 };
    cr_assert_eq(ms_ode_create(ctx, &s, 0.0, &y0, &ode, &e), MS_EINVAL);
    cr_assert(strstr(e.msg, "quad_rtol needs quad_atol"), "%s", e.msg);
    s.quad_atol = &bad;
    cr_assert_eq(ms_ode_create(ctx, &s, 0.0, &y0, &ode, &e), MS_EINVAL);
    cr_assert(strstr(e.msg, "quad_atol[0] = -1"), "%s", e.msg);
    s.n_quad = 0;
    s.quad = NULL;
    cr_assert_eq(ms_ode_create(ctx, &s, 0.0, &y0, &ode, &e), MS_EINVAL);
    cr_assert(strstr(e.msg, "without quadratures"), "%s", e.msg);
}

/* ---- stop times ------------------------------------------------------------------------------ */

/* A tent: y' = +1 before t = 1, -1 after; y(1) = 1, y(2) = 0. */
static int tent_rhs(double t, const double *y, double *ydot, void *ud)
{
    (void)y, (void)ud;
    ydot[0] = t < 1.0 ? 1.0 : -1.0;
    return 0;
}

Test(ode, stop_time_stops_exactly_at_a_kink_and_lasts_until_reached)
{
    double atol = 1e-10, y0 = 0.0, t;
    int n;
    ms_ode_spec s = { .n = 1, .rhs = tent_rhs, .rtol = 1e-10, .atol = &atol };
    ms_ode *ode; ms_error e;
    cr_assert_eq(ms_ode_create(ctx, &s, 0.0, &y0, &ode, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(ms_ode_set_stop_time(ode, 1.0, &e), MS_OK, "%s", e.msg);
    /* An advance short of the stop time keeps it; a restart before it keeps it too. */
    cr_assert_eq(ms_ode_advance(ode, 0.25, &t, &n, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(ms_ode_reinit(ode, t, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(ms_ode_advance(ode, 5.0, &t, &n, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(t, 1.0, "returned at %.17g", t);
    cr_assert_eq(n, 0);
    cr_assert_float_eq(ms_ode_state(ode)[0], 1.0, 1e-12);
    /* Reached: the stop time is gone, the restart at the kink integrates the other side. */
    cr_assert_eq(ms_ode_reinit(ode, t, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(ms_ode_set_stop_time(ode, 3.0, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(ms_ode_advance(ode, 2.0, &t, &n, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(t, 2.0);
    cr_assert_float_eq(ms_ode_state(ode)[0], 0.0, 1e-9);
    /* tout equal to the stop time, then a restart back in time (as a drive's next run does). */
    cr_assert_eq(ms_ode_advance(ode, 3.0, &t, &n, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(t, 3.0);
    ms_ode_state(ode)[0] = 0.0;
    cr_assert_eq(ms_ode_reinit(ode, 0.0, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(ms_ode_advance(ode, 2.0, &t, &n, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(t, 2.0);
    cr_assert_float_eq(ms_ode_state(ode)[0], 0.0, 1e-6);
    /* A pending stop time that a restart passes is dropped. */
    cr_assert_eq(ms_ode_reinit(ode, t, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(ms_ode_set_stop_time(ode, 2.5, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(ms_ode_reinit(ode, 2.75, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(ms_ode_advance(ode, 3.0, &t, &n, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(t, 3.0);
    /* A stop time at the current time is reached already; one behind it is an error. */
    cr_assert_eq(ms_ode_set_stop_time(ode, 3.0, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(ms_ode_set_stop_time(ode, 2.0, &e), MS_EINVAL);
    cr_assert(strstr(e.msg, "not ahead"), "%s", e.msg);
    cr_assert_eq(ms_ode_set_stop_time(ode, NAN, &e), MS_EINVAL);
    ms_ode_destroy(ode);
}

/* Held states: y0 = the target v_inf, constant between advances (held), y1 = v relaxing to it.
 * Only y1 is integrated; callbacks still see both, and a held value changed between
 * advances (then ms_ode_reinit) takes effect. */
Test(ode, held_states_stay_out_of_the_integrator_and_still_count)
{
    rc p = { 10e-3, 0.0, 0.6 };
    double atol[2] = { 1e-9, 1e-9 };
    unsigned char held[2] = { 1, 0 };
    int dir = 1;
    ms_ode_spec s = { .n = 2, .rhs = held_rhs, .jac = held_jac, .n_roots = 1, .roots = held_root,
                      .root_dir = &dir, .ud = &p, .rtol = 1e-9, .atol = atol, .held = held };
    ms_ode *ode; ms_error e;
    double y0[2] = { 1.0, 0.0 };
    cr_assert_eq(ms_ode_create(ctx, &s, 0.0, y0, &ode, &e), MS_OK, "%s", e.msg);
    held_target_run(ode, &p, 1e-7, NULL);
    ms_ode_destroy(ode);
    /* nothing left to integrate is an error */
    unsigned char all[2] = { 1, 1 };
    s.held = all;
    cr_assert_eq(ms_ode_create(ctx, &s, 0.0, y0, &ode, &e), MS_EINVAL);
    cr_assert(strstr(e.msg, "every state is held"), "%s", e.msg);
}

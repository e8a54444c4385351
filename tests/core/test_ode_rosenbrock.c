/* The Rosenbrock integrator (core/ode_rosenbrock.c, spec.method = MS_ODE_ROSENBROCK) against
 * closed forms and against CVODES: threshold crossings of an RC circuit and the integral of
 * its voltage, periodic resets, a stiff non-autonomous problem (Prothero-Robinson), the stiff
 * Van der Pol oscillator against CVODES' BDF, held states, the finite-difference Jacobian,
 * the one-call point() path, and errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "core/ms_ode.h"
#include "tests/core/ode_systems.h"

static int point_calls;
static int rc_point(double t, const double *y, double *ydot, double *g, double *q, double *J, void *ud)
{
    point_calls++;
    if (ydot) rc_rhs(t, y, ydot, ud);
    if (g) rc_root(t, y, g, ud);
    if (q) rc_quad(t, y, q, ud);
    if (J) rc_jac(t, y, J, ud);
    return 0;
}

static ms_ode *make(const ms_ode_spec *s, double t0, const double *y0)
{
    ms_ode *ode;
    ms_error e;
    cr_assert_eq(ms_ode_create(NULL, s, t0, y0, &ode, &e), MS_OK, "%s", e.msg);
    return ode;
}

/* The RC circuit charging from 0 crosses v_th at t* = -tau ln(1 - v_th / v_inf), and the
 * integral of v up to there is v_inf (t* - tau (1 - exp(-t* / tau))); returns the crossing. */
static double rc_crossing(rc *p, int use_jac, int use_point, double rtol, long *steps)
{
    double atol = 1e-12;
    int dir = 1;
    ms_ode_spec s = { .n = 1, .rhs = rc_rhs, .jac = use_jac ? rc_jac : NULL, .n_roots = 1, .roots = rc_root,
                      .root_dir = &dir, .n_quad = 1, .quad = rc_quad, .ud = p, .rtol = rtol, .atol = &atol,
                      .method = MS_ODE_ROSENBROCK, .autonomous = 1, .point = use_point ? rc_point : NULL };
    double y0 = 0.0, t;
    int n;
    ms_error e;
    ms_ode *ode = make(&s, 0.0, &y0);
    cr_assert_eq(ms_ode_advance(ode, 1.0, &t, &n, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(n, 1);
    cr_assert_eq(ms_ode_roots_found(ode)[0], 1, "a rising crossing");
    double t_star = -p->tau * log(1.0 - p->v_th / p->v_inf);
    cr_assert_float_eq(t, t_star, 1e3 * rtol * t_star, "root at %.15g s, closed form %.15g s (rtol %g)", t, t_star, rtol);
    cr_assert_float_eq(ms_ode_state(ode)[0], p->v_th, 1e-12, "v at the root: %.15g", ms_ode_state(ode)[0]);
    double q = p->v_inf * (t_star - p->tau * (1.0 - exp(-t_star / p->tau)));
    cr_assert_float_eq(ms_ode_quad(ode)[0], q, 1e3 * rtol * q, "integral %.12g, closed form %.12g", ms_ode_quad(ode)[0], q);
    ms_ode_stats st;
    ms_ode_get_stats(ode, &st);
    if (steps) *steps = st.steps;
    ms_ode_destroy(ode);
    return t;
}

Test(ode_rosenbrock, threshold_crossing_and_integral_match_closed_forms)
{
    rc p = { 10e-3, 1.0, 0.6 };
    long s6, s9;
    double t6 = rc_crossing(&p, 1, 0, 1e-6, &s6), t9 = rc_crossing(&p, 1, 0, 1e-9, &s9);
    double t_star = -p.tau * log(1.0 - p.v_th / p.v_inf);
    /* third order: a thousand times the accuracy costs about ten times the steps */
    cr_assert_lt(fabs(t9 - t_star), fabs(t6 - t_star) + 1e-15, "error %.3g at 1e-9, %.3g at 1e-6", t9 - t_star, t6 - t_star);
    cr_assert(s9 > 3 * s6 && s9 < 30 * s6, "steps %ld at rtol 1e-9, %ld at 1e-6", s9, s6);
}

/* Advancing to many intermediate times (window ends, samples) does not cut the steps there:
 * a step may pass tout and the state at tout is interpolated, as CVODE does; the crossing and
 * the integral are those of one long advance. */
Test(ode_rosenbrock, intermediate_times_cost_no_steps)
{
    rc p = { 10e-3, 1.0, 0.6 };
    double atol = 1e-12;
    int dir = 1;
    ms_ode_spec s = { .n = 1, .rhs = rc_rhs, .jac = rc_jac, .n_roots = 1, .roots = rc_root, .root_dir = &dir,
                      .n_quad = 1, .quad = rc_quad, .ud = &p, .rtol = 1e-6, .atol = &atol,
                      .method = MS_ODE_ROSENBROCK, .autonomous = 1 };
    double y0 = 0.0, t = 0;
    int n = 0;
    ms_error e;
    ms_ode *ode = make(&s, 0.0, &y0);
    double t_star = -p.tau * log(1.0 - p.v_th / p.v_inf);
    int k = 0;
    while (n == 0) {
        double tout = ++k * t_star / 400;
        cr_assert_eq(ms_ode_advance(ode, tout, &t, &n, &e), MS_OK, "%s", e.msg);
        if (!n) {
            cr_assert_eq(t, tout);
            double v = p.v_inf * (1 - exp(-t / p.tau));
            cr_assert_float_eq(ms_ode_state(ode)[0], v, 1e-5, "v(%g) = %.9g, closed form %.9g", t, ms_ode_state(ode)[0], v);
        }
    }
    cr_assert_float_eq(t, t_star, 1e-5 * t_star, "crossing at %.12g s, closed form %.12g s", t, t_star);
    double q = p.v_inf * (t_star - p.tau * (1.0 - exp(-t_star / p.tau)));
    cr_assert_float_eq(ms_ode_quad(ode)[0], q, 1e-5 * q, "integral %.12g, closed form %.12g", ms_ode_quad(ode)[0], q);
    ms_ode_stats st;
    ms_ode_get_stats(ode, &st);
    cr_assert_lt(st.steps, k / 4, "%ld steps for %d advances", st.steps, k);
    ms_ode_destroy(ode);
}

Test(ode_rosenbrock, finite_difference_jacobian_and_point_give_the_same_crossing)
{
    rc p = { 10e-3, 1.0, 0.6 };
    double ta = rc_crossing(&p, 1, 0, 1e-8, NULL);
    double tb = rc_crossing(&p, 0, 0, 1e-8, NULL);
    cr_assert_float_eq(tb, ta, 1e-9 * ta, "without a Jacobian %.15g, with %.15g", tb, ta);
    double tc = rc_crossing(&p, 1, 1, 1e-8, NULL);
    cr_assert_eq(tc, ta, "through point() %.17g, through the separate callbacks %.17g", tc, ta);
    cr_assert_gt(point_calls, 10, "point() was used: %d calls", point_calls);
}

Test(ode_rosenbrock, reset_and_reinit_gives_periodic_crossings)
{
    rc p = { 10e-3, 1.0, 0.6 };
    double atol = 1e-12;
    ms_ode_spec s = { .n = 1, .rhs = rc_rhs, .jac = rc_jac, .n_roots = 1, .roots = rc_root, .ud = &p, .rtol = 1e-10,
                      .atol = &atol, .method = MS_ODE_ROSENBROCK, .autonomous = 1 };
    double y0 = 0.0, t = 0;
    int n;
    ms_error e;
    ms_ode *ode = make(&s, 0.0, &y0);
    double t_star = -p.tau * log(1.0 - p.v_th / p.v_inf);
    for (int k = 1; k <= 5; k++) {
        cr_assert_eq(ms_ode_advance(ode, 1.0, &t, &n, &e), MS_OK, "%s", e.msg);
        cr_assert_eq(n, 1);
        cr_assert_float_eq(t, k * t_star, 1e-8 * k * t_star, "crossing %d at %.15g", k, t);
        ms_ode_state(ode)[0] = 0.0;
        cr_assert_eq(ms_ode_reinit(ode, t, &e), MS_OK);
    }
    ms_ode_stats st;
    ms_ode_get_stats(ode, &st);
    cr_assert_eq(st.reinits, 5);
    ms_ode_destroy(ode);
}

/* Prothero-Robinson: y' = lambda (y - phi(t)) + phi'(t), phi = sin(w t), y(0) = 0, whose
 * solution is phi itself; lambda = -1e6 makes it stiff, and the explicit time dependence
 * exercises the df/dt term (autonomous = 0). */
static int pr_rhs(double t, const double *y, double *ydot, void *ud)
{
    (void)ud;
    ydot[0] = -1e6 * (y[0] - sin(50 * t)) + 50 * cos(50 * t);
    return 0;
}
static int pr_jac(double t, const double *y, double *J, void *ud)
{
    (void)t, (void)y, (void)ud;
    J[0] = -1e6;
    return 0;
}

Test(ode_rosenbrock, stiff_non_autonomous_problem_follows_its_solution)
{
    double atol = 1e-10, y0 = 0, t;
    int n;
    ms_error e;
    ms_ode_spec s = { .n = 1, .rhs = pr_rhs, .jac = pr_jac, .rtol = 1e-7, .atol = &atol, .method = MS_ODE_ROSENBROCK };
    ms_ode *ode = make(&s, 0.0, &y0);
    for (int k = 1; k <= 10; k++) {
        double tout = 0.01 * k;
        cr_assert_eq(ms_ode_advance(ode, tout, &t, &n, &e), MS_OK, "%s", e.msg);
        cr_assert_eq(t, tout, "an advance lands on tout exactly");
        cr_assert_float_eq(ms_ode_state(ode)[0], sin(50 * t), 1e-6, "y(%g) = %.9g, solution %.9g", t,
                           ms_ode_state(ode)[0], sin(50 * t));
    }
    ms_ode_stats st;
    ms_ode_get_stats(ode, &st);
    /* L-stability: the step follows the slow solution, not 1/lambda = 1 us */
    cr_assert_lt(st.steps, 2000, "%ld steps over 0.1 s", st.steps);
    ms_ode_destroy(ode);
}

/* Van der Pol, mu = 1000 (stiff), against CVODES' BDF at tight tolerances. */
static int vdp_rhs(double t, const double *y, double *ydot, void *ud)
{
    (void)t, (void)ud;
    ydot[0] = y[1];
    ydot[1] = 1000 * (1 - y[0] * y[0]) * y[1] - y[0];
    return 0;
}
static int vdp_jac(double t, const double *y, double *J, void *ud)
{
    (void)t, (void)ud;
    J[0] = 0, J[1] = -2000 * y[0] * y[1] - 1;
    J[2] = 1, J[3] = 1000 * (1 - y[0] * y[0]);
    return 0;
}

static void vdp_at(int method, double rtol, double tend, double *y)
{
    double atol[2] = { 1e-9, 1e-9 }, t;
    int n;
    ms_error e;
    ms_ode_ctx *ctx = NULL;
    if (method == MS_ODE_BDF) cr_assert_eq(ms_ode_ctx_create(&ctx, &e), MS_OK);
    ms_ode_spec s = { .n = 2, .rhs = vdp_rhs, .jac = vdp_jac, .rtol = rtol, .atol = atol, .method = method,
                      .autonomous = 1, .max_steps = 1000000 };
    ms_ode *ode;
    double y0[2] = { 2 };
    cr_assert_eq(ms_ode_create(ctx, &s, 0.0, y0, &ode, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(ms_ode_advance(ode, tend, &t, &n, &e), MS_OK, "%s", e.msg);
    memcpy(y, ms_ode_state(ode), 2 * sizeof *y);
    ms_ode_destroy(ode);
    ms_ode_ctx_destroy(ctx);
}

Test(ode_rosenbrock, stiff_van_der_pol_agrees_with_cvodes)
{
    /* t = 1500 s: past the first relaxation jump (near t = 807 s) and into the second */
    double ref[2], ros[2];
    vdp_at(MS_ODE_BDF, 1e-11, 1500, ref);
    vdp_at(MS_ODE_ROSENBROCK, 1e-8, 1500, ros);
    cr_assert_float_eq(ros[0], ref[0], 1e-4 * fabs(ref[0]), "x(1500): Rosenbrock %.10g, CVODES %.10g", ros[0], ref[0]);
}

/* Within the last step the interpolant is third order: 1e-6 of the swing at rtol 1e-10; a
 * time outside the last step is refused. */
static void sample_inside_step(ms_ode *ode, const rc *p, double t, double t1)
{
    ms_error e;
    double tq = t - 1e-6, q[2];
    cr_assert_eq(ms_ode_sample(ode, tq, q, &e), MS_OK, "%s", e.msg);
    cr_assert_float_eq(q[1], 2.0 * (1 - exp(-(tq - t1) / p->tau)), 1e-6, "v at %.9g s: %.12g", tq, q[1]);
    cr_assert_eq(ms_ode_sample(ode, t + 1.0, q, &e), MS_EINVAL, "a time outside the last step is refused");
}

Test(ode_rosenbrock, held_states_stay_and_sampling_interpolates)
{
    rc p = { 10e-3, 0.0, 0.6 };
    double atol[2] = { 1e-12, 1e-12 }, y0[2] = { 1.0, 0.0 };
    unsigned char held[2] = { 1, 0 };
    int dir = 1;
    ms_ode_spec s = { .n = 2, .rhs = held_rhs, .jac = held_jac, .n_roots = 1, .roots = held_root, .root_dir = &dir,
                      .ud = &p, .rtol = 1e-10, .atol = atol, .held = held, .method = MS_ODE_ROSENBROCK, .autonomous = 1 };
    ms_ode *ode = make(&s, 0.0, y0);
    held_target_run(ode, &p, 1e-8, sample_inside_step);
    ms_ode_destroy(ode);
}

/* A stop time is never stepped past: an advance beyond it returns exactly there, with the
 * state of the closed form; one behind the integrator's last step is refused. */
Test(ode_rosenbrock, stop_time_stops_exactly)
{
    rc p = { 10e-3, 1.0, 2.0 };
    double atol = 1e-12, y0 = 0.0, t;
    int n;
    ms_error e;
    ms_ode_spec s = { .n = 1, .rhs = rc_rhs, .jac = rc_jac, .ud = &p, .rtol = 1e-8, .atol = &atol,
                      .method = MS_ODE_ROSENBROCK, .autonomous = 1 };
    ms_ode *ode = make(&s, 0.0, &y0);
    cr_assert_eq(ms_ode_set_stop_time(ode, 7e-3, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(ms_ode_advance(ode, 1.0, &t, &n, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(t, 7e-3, "stopped at %.17g s", t);
    cr_assert_float_eq(ms_ode_state(ode)[0], 1 - exp(-0.7), 1e-7);
    /* past the stop time, steps may again pass tout; a stop time behind them is refused */
    cr_assert_eq(ms_ode_advance(ode, 7.5e-3, &t, &n, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(t, 7.5e-3);
    cr_assert_float_eq(ms_ode_state(ode)[0], 1 - exp(-0.75), 1e-7);
    if (ms_ode_set_stop_time(ode, 7.5e-3 + 1e-12, &e) == MS_EINVAL)
        cr_assert(strstr(e.msg, "behind the last internal step"), "%s", e.msg);
    cr_assert_eq(ms_ode_set_stop_time(ode, 1e-3, &e), MS_EINVAL, "a stop time behind the time reached");
    ms_ode_destroy(ode);
}

Test(ode_rosenbrock, failures_are_errors_with_messages)
{
    double atol = 1e-9, y0 = 0, t;
    int n;
    ms_error e;
    ms_ode_spec s = { .n = 1, .rhs = bad_rhs, .atol = &atol, .method = MS_ODE_ROSENBROCK };
    ms_ode *ode = make(&s, 0.0, &y0);
    cr_assert_eq(ms_ode_advance(ode, 1.0, &t, &n, &e), MS_ESOLVER);
    cr_assert(strstr(e.msg, "right-hand side failed"), "%s", e.msg);
    ms_ode_destroy(ode);
    rc p = { 1.0, 1.0, 2.0 };
    ms_ode_spec w = { .n = 1, .rhs = rc_rhs, .ud = &p, .atol = &atol, .method = MS_ODE_ROSENBROCK, .max_steps = 3,
                      .rtol = 1e-12, .autonomous = 1 };
    ode = make(&w, 0.0, &y0);
    cr_assert_eq(ms_ode_advance(ode, 100.0, &t, &n, &e), MS_ESOLVER);
    cr_assert(strstr(e.msg, "max_steps"), "%s", e.msg);
    ms_ode_destroy(ode);
    w.method = 7;
    cr_assert_eq(ms_ode_create(NULL, &w, 0.0, &y0, &ode, &e), MS_EINVAL);
    cr_assert(strstr(e.msg, "unknown integrator"), "%s", e.msg);
}

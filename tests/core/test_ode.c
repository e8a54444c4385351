/* The CVODES wrapper against closed forms: an RC circuit charging towards v_inf crosses
 * v_th at t* = -tau ln(1 - v_th / v_inf); its quadrature integral of v is known exactly. */
#include <criterion/criterion.h>
#include <math.h>

#include "core/ms_ode.h"

typedef struct rc { double tau, v_inf, v_th; } rc;

static int rc_rhs(double t, const double *y, double *ydot, void *ud)
{
    (void)t;
    const rc *p = ud;
    ydot[0] = (p->v_inf - y[0]) / p->tau;
    return 0;
}
static int rc_jac(double t, const double *y, double *J, void *ud)
{
    (void)t, (void)y;
    const rc *p = ud;
    J[0] = -1.0 / p->tau;
    return 0;
}
static int rc_root(double t, const double *y, double *g, void *ud)
{
    (void)t;
    const rc *p = ud;
    g[0] = y[0] - p->v_th;
    return 0;
}
static int rc_quad(double t, const double *y, double *q, void *ud)
{
    (void)t, (void)ud;
    q[0] = y[0];
    return 0;
}

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

static int bad_rhs(double t, const double *y, double *ydot, void *ud)
{
    (void)t, (void)y, (void)ud;
    ydot[0] = 0;
    return -1;
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

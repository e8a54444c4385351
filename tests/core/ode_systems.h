/* tests/core/ode_systems.h: the small systems the integrator tests share (test_ode.c for
 * CVODES, test_ode_rosenbrock.c for the Rosenbrock method), with closed-form solutions:
 *  - rc: an RC circuit charging towards v_inf, y' = (v_inf - y) / tau, crossing v_th at
 *    t* = -tau ln(1 - v_th / v_inf) from 0; quadrature q' = y;
 *  - held: y[0] a held target, y[1] charging towards it, root y[1] = v_th;
 *  - bad_rhs: a right-hand side that always fails. */
#ifndef MEMSNN_TESTS_CORE_ODE_SYSTEMS_H
#define MEMSNN_TESTS_CORE_ODE_SYSTEMS_H

#include <math.h>

#include "core/ms_ode.h"

typedef struct rc { double tau, v_inf, v_th; } rc;

static inline int rc_rhs(double t, const double *y, double *ydot, void *ud)
{
    (void)t;
    const rc *p = ud;
    ydot[0] = (p->v_inf - y[0]) / p->tau;
    return 0;
}
static inline int rc_jac(double t, const double *y, double *J, void *ud)
{
    (void)t, (void)y;
    const rc *p = ud;
    J[0] = -1.0 / p->tau;
    return 0;
}
static inline int rc_root(double t, const double *y, double *g, void *ud)
{
    (void)t;
    const rc *p = ud;
    g[0] = y[0] - p->v_th;
    return 0;
}
static inline int rc_quad(double t, const double *y, double *q, void *ud)
{
    (void)t, (void)ud;
    q[0] = y[0];
    return 0;
}

static inline int held_rhs(double t, const double *y, double *ydot, void *ud)
{
    (void)t;
    const rc *p = ud;
    ydot[0] = 0.0;
    ydot[1] = (y[0] - y[1]) / p->tau;
    return 0;
}
static inline int held_jac(double t, const double *y, double *J, void *ud)
{
    (void)t, (void)y;
    const rc *p = ud;
    J[0] = 0.0, J[1] = 1.0 / p->tau;   /* column 0: d f / d y0 */
    J[2] = 0.0, J[3] = -1.0 / p->tau;  /* column 1: d f / d y1 */
    return 0;
}
static inline int held_root(double t, const double *y, double *g, void *ud)
{
    (void)t;
    const rc *p = ud;
    g[0] = y[1] - p->v_th;
    return 0;
}

/* The held-target scenario on an integrator made with held_rhs, held = { 1, 0 }, y0 =
 * { 1, 0 }, target p->v_inf unused: the first crossing of v_th at its closed form, the held
 * state unchanged, then the target doubled and v restarted from 0: the state half way to the
 * next crossing (sampled, plus what `extra` checks there), then the crossing itself, each
 * within tol relative. Needs criterion. */
static inline void held_target_run(ms_ode *ode, const rc *p, double tol,
                                   void (*extra)(ms_ode *ode, const rc *p, double t, double t1))
{
    double t;
    int n;
    ms_error e;
    cr_assert_eq(ms_ode_advance(ode, 1.0, &t, &n, &e), MS_OK, "%s", e.msg);
    double t1 = -p->tau * log(1.0 - p->v_th / 1.0);
    cr_assert_eq(n, 1);
    cr_assert_float_eq(t, t1, tol * t1, "crossing at %.12g s, closed form %.12g s", t, t1);
    double *y = ms_ode_state(ode);
    cr_assert_eq(y[0], 1.0, "the held state is as it was: %g", y[0]);
    cr_assert_float_eq(y[1], p->v_th, tol);
    /* the target doubles and v restarts from 0: the next crossing comes at the closed form for 2 */
    y[0] = 2.0, y[1] = 0.0;
    cr_assert_eq(ms_ode_reinit(ode, t, &e), MS_OK, "%s", e.msg);
    double dt2 = -p->tau * log(1.0 - p->v_th / 2.0);
    cr_assert_eq(ms_ode_advance(ode, t + dt2 / 2, &t, &n, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(n, 0);
    double mid[2];
    cr_assert_eq(ms_ode_sample(ode, t, mid, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(mid[0], 2.0);
    cr_assert_float_eq(mid[1], 2.0 * (1 - exp(-dt2 / 2 / p->tau)), tol, "v at half the way: %.12g", mid[1]);
    if (extra) extra(ode, p, t, t1);
    cr_assert_eq(ms_ode_advance(ode, 1.0, &t, &n, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(n, 1);
    cr_assert_float_eq(t, t1 + dt2, tol * (t1 + dt2), "second crossing at %.12g s, closed form %.12g s", t, t1 + dt2);
}

static inline int bad_rhs(double t, const double *y, double *ydot, void *ud)
{
    (void)t, (void)y, (void)ud;
    ydot[0] = 0;
    return -1;
}

#endif

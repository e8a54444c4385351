/* tests/core/ode_systems.h: the small systems the integrator tests share (test_ode.c for
 * CVODES, test_ode_rosenbrock.c for the Rosenbrock method), with closed-form solutions:
 *  - rc: an RC circuit charging towards v_inf, y' = (v_inf - y) / tau, crossing v_th at
 *    t* = -tau ln(1 - v_th / v_inf) from 0; quadrature q' = y;
 *  - held: y[0] a held target, y[1] charging towards it, root y[1] = v_th;
 *  - bad_rhs: a right-hand side that always fails. */
#ifndef MEMSNN_TESTS_CORE_ODE_SYSTEMS_H
#define MEMSNN_TESTS_CORE_ODE_SYSTEMS_H

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

static inline int bad_rhs(double t, const double *y, double *ydot, void *ud)
{
    (void)t, (void)y, (void)ud;
    ydot[0] = 0;
    return -1;
}

#endif

/* core/ms_ode.h: one small ODE system integrated by SUNDIALS CVODES (BDF, dense direct
 * linear solver), with threshold roots, dense output, stop times and energy quadratures.
 *
 * The engine keeps one ms_ode per unit that uses method "cvode"; single-device
 * characterisation keeps one per driven device. This header is the only interface to
 * SUNDIALS in memsnn: no other file includes a SUNDIALS header (core/ode.c does).
 * The numerical contract (what the tolerances mean, how roots and discontinuities are
 * handled) is in docs/numerics.md. */
#ifndef MEMSNN_CORE_MS_ODE_H
#define MEMSNN_CORE_MS_ODE_H

#include <stddef.h>

#include "core/ms_status.h"

/* Defaults for the integrator options (docs/numerics.md, "Tolerances"). */
#define MS_ODE_RTOL_DEFAULT 1e-8     /* relative tolerance: spike times to ~1e-6 (docs) */
#define MS_ODE_ATOL_DEFAULT 1e-8     /* absolute tolerance, in units of each state's scale */
#define MS_ODE_MAX_STEPS_DEFAULT 100000L /* internal steps per advance before giving up  */

/* Callbacks follow CVODE's contract: return 0 on success, > 0 for a recoverable failure
 * (CVODE retries with a smaller step), < 0 to stop the integration. Arrays are plain C
 * arrays of the system's size; J is column-major n x n (J[j*n + i] = d f_i / d y_j). */
typedef int (*ms_ode_rhs_fn)(double t, const double *y, double *ydot, void *ud);
typedef int (*ms_ode_jac_fn)(double t, const double *y, double *J, void *ud);
typedef int (*ms_ode_root_fn)(double t, const double *y, double *g, void *ud);
typedef int (*ms_ode_quad_fn)(double t, const double *y, double *qdot, void *ud);
/* Optional: rhs, roots, quadrature integrands and Jacobian at one state in one call (any
 * output may be NULL), for a system whose callbacks share work (a circuit's node solve). */
typedef int (*ms_ode_point_fn)(double t, const double *y, double *ydot, double *g, double *qdot, double *J, void *ud);

/* A solver context: SUNDIALS' shared context. One per thread; every ms_ode created with it
 * must be destroyed before it. */
typedef struct ms_ode_ctx ms_ode_ctx;

typedef struct ms_ode_spec {
    size_t n;                 /* number of state variables (>= 1)                        */
    ms_ode_rhs_fn rhs;        /* dy/dt (required)                                         */
    ms_ode_jac_fn jac;        /* analytic Jacobian, or NULL for finite differences         */
    size_t n_roots;           /* number of root functions (0 for none)                     */
    ms_ode_root_fn roots;     /* g_k(t, y); a root is a sign change of g_k                  */
    const int *root_dir;      /* per root: +1 rising only, -1 falling only, 0 both; or NULL */
    size_t n_quad;            /* number of quadratures q' = quad(t, y) (energies, joules)   */
    ms_ode_quad_fn quad;      /* integrand; error control: quad_atol below                  */
    void *ud;                 /* passed to every callback                                   */
    double rtol;              /* relative tolerance (0: MS_ODE_RTOL_DEFAULT)                */
    const double *atol;       /* absolute tolerance per state (required, same units as y)   */
    double max_step;          /* largest internal step in s (0: unlimited)                  */
    long max_steps;           /* internal steps per advance (0: MS_ODE_MAX_STEPS_DEFAULT)   */
    const double *quad_atol;  /* absolute tolerance per quadrature (same units as q), or
                                 NULL: quadratures outside error control (see below)        */
    double quad_rtol;         /* relative tolerance of the quadratures (0: rtol); needs
                                 quad_atol                                                   */
    const unsigned char *held;/* per state, or NULL: nonzero marks a state whose derivative
                                 is identically zero (it changes only between advances, by
                                 the caller, followed by ms_ode_reinit). Held states stay
                                 out of CVODE's vector: smaller Newton systems and norms.
                                 Copied at create.                                           */
    int method;               /* MS_ODE_BDF (0, CVODES) or MS_ODE_ROSENBROCK (below)          */
    int autonomous;           /* nonzero: rhs does not depend on t between restarts (the
                                 Rosenbrock method then needs no df/dt)                      */
    ms_ode_point_fn point;    /* optional (Rosenbrock): every callback at one state; needs jac */
} ms_ode_spec;

/* The integrators (docs/numerics.md). MS_ODE_BDF: CVODES' variable-order BDF with Newton
 * iterations (the default). MS_ODE_ROSENBROCK: RODAS3, a one-step linearly implicit method of
 * order 3 (core/ode_rosenbrock.c) that restarts at no cost, for tiny systems that restart
 * often (device circuits); it needs no SUNDIALS, and its quadratures follow the states' step
 * control (quad_atol and quad_rtol are not used). */
enum { MS_ODE_BDF = 0, MS_ODE_ROSENBROCK = 1 };

/* Quadratures. Without quad_atol (the default) the quadratures do not take part in the
 * local error test: they cost no step-size restriction, but they are only as accurate as
 * the steps the state needs. A quiescent state (a resistor, a device below threshold) lets
 * CVODE take a few huge low-order steps, and an integrand that varies within them (a
 * ramped source) is then integrated badly (a resistor under a voltage ramp: ~100 % error).
 * With quad_atol set, each quadrature enters the error test and the order selection with
 * weight 1 / (quad_rtol |q_k| + quad_atol[k]) (CVodeSetQuadErrCon + CVodeQuadSVtolerances),
 * so it is integrated to that tolerance like a state, still without entering the Newton
 * iteration. Use it whenever the quadrature is a result (energies); docs/numerics.md. */

typedef struct ms_ode ms_ode;

ms_status ms_ode_ctx_create(ms_ode_ctx **out, ms_error *err);
void ms_ode_ctx_destroy(ms_ode_ctx *ctx);

/* Creates the integrator at time t0 with state y0 (copied) and zero quadratures. The spec
 * is copied; the arrays it points to (atol, root_dir) must stay valid while *out lives. */
ms_status ms_ode_create(ms_ode_ctx *ctx, const ms_ode_spec *spec, double t0, const double *y0,
                        ms_ode **out, ms_error *err);
void ms_ode_destroy(ms_ode *ode);

/* Integrates towards tout (> current time). Stops early at the first root of any root
 * function; then *n_found > 0 and ms_ode_roots_found() says which. Either way the state at
 * *t_reached is in ms_ode_state(). CVODE may have stepped internally beyond *t_reached
 * (it interpolates back), so a later advance continues without restarting. */
ms_status ms_ode_advance(ms_ode *ode, double tout, double *t_reached, int *n_found,
                         ms_error *err);

/* After a failed advance: the state CVODE's local error test blames most (largest weighted
 * error estimate), or -1 when it does not tell; and the internal time it had reached. The
 * state at the last time reached is in ms_ode_state(). */
int ms_ode_failed_component(const ms_ode *ode);
double ms_ode_failed_time(const ms_ode *ode);

/* After a root return: flags per root function, nonzero where a root was found, with the
 * direction of the crossing (+1 rising, -1 falling). Valid until the next advance. */
const int *ms_ode_roots_found(const ms_ode *ode);

/* The state at the time last reached (read-write: change it, then call ms_ode_reinit). */
double *ms_ode_state(ms_ode *ode);
double ms_ode_time(const ms_ode *ode);
/* The quadratures (joules, for energy) accumulated from t0 to the time last reached. */
const double *ms_ode_quad(ms_ode *ode);

/* Restarts the method at time t from ms_ode_state() (after a jump in the state, an input
 * event or a reset). Quadratures carry on from their current values. A stop time that lies
 * ahead of t stays in force; one at or behind t is dropped. */
ms_status ms_ode_reinit(ms_ode *ode, double t, ms_error *err);

/* Stop time (CVodeSetStopTime): the integrator never steps beyond t_stop, so a kink or a
 * jump of the right-hand side at t_stop is not straddled by a step; an advance towards a
 * later tout returns at exactly t_stop (with *n_found = 0). It lasts until an advance
 * reaches it (or a restart passes it, above); a later call replaces it. t_stop must be
 * finite, not behind ms_ode_time() (within rounding of it, it counts as reached and the call
 * does nothing) and not behind CVODE's last internal step (set it before advancing past it,
 * or right after ms_ode_create / ms_ode_reinit). */
ms_status ms_ode_set_stop_time(ms_ode *ode, double t_stop, ms_error *err);

/* Dense output (CVodeGetDky): the state at t, which must lie in the last internal step
 * (between ms_ode_time() and CVODE's internal time), without moving the integrator. The
 * engine's recorders get the same interpolation by advancing to each sample time, which
 * also checks roots up to it; this call is for callers that only look. */
ms_status ms_ode_sample(ms_ode *ode, double t, double *y_out, ms_error *err);

/* Counters for benchmarks and tests. */
typedef struct ms_ode_stats {
    long steps, rhs_evals, jac_evals, root_evals, err_test_fails, reinits;
} ms_ode_stats;
void ms_ode_get_stats(const ms_ode *ode, ms_ode_stats *out);

#endif

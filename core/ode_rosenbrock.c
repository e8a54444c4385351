/* core/ode_rosenbrock.c: RODAS3, a one-step Rosenbrock method for the tiny stiff systems of
 * device circuits (docs/numerics.md, "The Rosenbrock integrator").
 *
 * Why a second integrator: a device circuit restarts at every input edge and twice per soma
 * spike. CVODE's BDF restarts at order 1 and needs 9-13 steps to build its history again each
 * time, and SUNDIALS' generic vector operations dominate the cost of a step on 5-entry
 * vectors. A one-step method keeps nothing across a restart, and a Rosenbrock method solves
 * no nonlinear system: each step is one Jacobian, one LU factorisation and four linear
 * solves with three right-hand sides, on plain arrays.
 *
 * The method: RODAS3 of Sandu, Verwer, Blom, Spee, Carmichael and Potra, "Benchmarking stiff
 * ODE solvers for atmospheric chemistry problems II: Rosenbrock solvers", Atmospheric
 * Environment 31, 3459 (1997): 4 stages, order 3, stiffly accurate, L-stable, embedded
 * order-2 error estimate; written in the form of E. Hairer and G. Wanner, "Solving Ordinary
 * Differential Equations II", 2nd ed., Springer (1996), section IV.7:
 *   (I / (h gamma) - J) K_i = f(t + alpha_i h, y + sum_j a_ij K_j) + sum_j (c_ij / h) K_j
 *   y_new = y + sum_i m_i K_i,   error estimate sum_i e_i K_i.
 * The step size follows the error estimate in the weighted RMS norm of CVODE (weights
 * 1 / (rtol |y| + atol)), so the tolerances mean what they mean for method cvode.
 * Dense output (roots, samples) is the cubic Hermite interpolant of the step's ends and
 * derivatives, third order like the method. Quadratures (energies) are integrated along
 * that interpolant by Simpson's rule. The system must be autonomous between restarts unless
 * spec.autonomous is 0 (then df/dt is taken by a forward difference each step). */
#include "core/ode_rosenbrock.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* RODAS3 (Sandu et al. 1997, table above): a_ij, c_ij below the diagonal, row by row. */
#define ROS_S 4
static const double ROS_GAMMA = 0.5;
static const double ROS_A[ROS_S][ROS_S] = { { 0 }, { 0, 0 }, { 2, 0, 0 }, { 2, 0, 1 } };
static const double ROS_C[ROS_S][ROS_S] = { { 0 }, { 4, 0 }, { 1, -1, 0 }, { 1, -1, -8.0 / 3.0 } };
static const double ROS_ALPHA[ROS_S] = { 0, 0, 1, 1 };
static const double ROS_GAMMA_I[ROS_S] = { 0.5, 1.5, 0, 0 };   /* sum_j gamma_ij: the df/dt terms */
static const int ROS_NEWF[ROS_S] = { 1, 0, 1, 1 };               /* stage 2 reuses f of stage 1 */
static const double ROS_M[ROS_S] = { 2, 0, 1, 1 };
static const double ROS_E[ROS_S] = { 0, 0, 0, 1 };

/* Step-size controller (Hairer and Wanner, IV.8; the values of their RODAS code). */
#define FAC_SAFE 0.9
#define FAC_MIN 0.2
#define FAC_MAX 6.0
#define FAC_REJ 0.1

struct msi_ros {
    ms_ode_spec spec;
    size_t n, nd;          /* full and integrated sizes                                  */
    size_t *dyn;           /* dyn[k]: full index of integrated state k                    */
    double *y_full;        /* full state at the time reached (ms_ode_state)               */
    double *y_cb;          /* full state the callbacks see                                */
    double *f_cb;          /* full derivatives, then the full n x n Jacobian              */
    double *yt;            /* integrated state at the time reached t                      */
    double *y, *f;         /* integrated state and its derivative at the integrator's own
                              time tn >= t (a step may pass the time asked for)           */
    double *y0, *f0, *y1, *f1; /* the last step's ends, for dense output                  */
    double t0s, t1s;       /* the last step's interval                                   */
    double *K[ROS_S], *ys, *fs, *err, *ft, *J, *G, *ytmp;
    double *yr;            /* the state at a root                                        */
    int *piv;
    /* Quadratures: q at the time reached, qn at tn; over the last step q0s, q1s at its ends
     * and p0s, p1s the integrands there (a cubic Hermite interpolant of q in between) */
    double *q, *qn, *q0s, *q1s, *p0s, *p1s, *p_mid, *p_tn;
    /* Root functions: at tn, at the last step's start, at a root found in it, scratch */
    double *g_tn, *g_0s, *g_root, *g_mid;
    int *found;
    double t, tn, h;       /* time reached; the integrator's time; step to try next (0:
                              choose at the next step)                                      */
    int f_valid, j_valid, gtn_valid, ptn_valid; /* f, J, g_tn, p_tn belong to (tn, y)   */
    int root_pending;      /* the last step holds a root at t_root, not yet reached       */
    double t_root;
    double t_stop;
    int has_stop;
    ms_ode_stats st;
    int worst;
    double t_fail;
};

/* ---- callbacks on the integrated vector -------------------------------------------------- */

static const double *full_state(msi_ros *r, const double *yd)
{
    for (size_t k = 0; k < r->nd; k++) r->y_cb[r->dyn[k]] = yd[k];
    return r->y_cb;
}

static int f_eval(msi_ros *r, double t, const double *yd, double *fd)
{
    r->st.rhs_evals++;
    int rc = r->spec.rhs(t, full_state(r, yd), r->f_cb, r->spec.ud);
    for (size_t k = 0; k < r->nd; k++) fd[k] = r->f_cb[r->dyn[k]];
    for (size_t k = 0; rc == 0 && k < r->nd; k++)
        if (!isfinite(fd[k])) rc = 1;
    return rc;
}

/* Jacobian of the integrated block into r->J (column-major nd x nd): the model's, or
 * forward differences when it has none. */
static int j_eval(msi_ros *r, double t, const double *yd, const double *fd)
{
    const size_t n = r->n, nd = r->nd;
    r->st.jac_evals++;
    if (r->spec.jac) {
        int rc = r->spec.jac(t, full_state(r, yd), r->f_cb, r->spec.ud);
        for (size_t c = 0; c < nd; c++)
            for (size_t k = 0; k < nd; k++) r->J[c * nd + k] = r->f_cb[r->dyn[c] * n + r->dyn[k]];
        return rc;
    }
    memcpy(r->ytmp, yd, nd * sizeof *yd);
    for (size_t c = 0; c < nd; c++) {
        double d = sqrt(DBL_EPSILON) * fmax(fabs(yd[c]), r->spec.atol[r->dyn[c]] / fmax(r->spec.rtol, 1e-15));
        if (d == 0) d = sqrt(DBL_EPSILON);
        r->ytmp[c] = yd[c] + d;
        int rc = f_eval(r, t, r->ytmp, r->fs);
        r->ytmp[c] = yd[c];
        if (rc) return rc;
        for (size_t k = 0; k < nd; k++) r->J[c * nd + k] = (r->fs[k] - fd[k]) / d;
    }
    return 0;
}

/* LU with partial pivoting of the column-major nd x nd matrix G, U's diagonal stored as its
 * reciprocal; 1 when singular. */
static int lu_factor(double *G, int *piv, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        size_t p = c;
        for (size_t i = c + 1; i < n; i++)
            if (fabs(G[c * n + i]) > fabs(G[c * n + p])) p = i;
        piv[c] = (int)p;
        if (G[c * n + p] == 0 || !isfinite(G[c * n + p])) return 1;
        if (p != c)
            for (size_t j = 0; j < n; j++) {
                double tmp = G[j * n + c];
                G[j * n + c] = G[j * n + p];
                G[j * n + p] = tmp;
            }
        double inv = 1.0 / G[c * n + c];
        G[c * n + c] = inv; /* kept inverted: the solves multiply (a division is 15-20 cycles
                               on their critical path, and there are four solves a step) */
        for (size_t i = c + 1; i < n; i++) G[c * n + i] *= inv;
        for (size_t j = c + 1; j < n; j++) {
            double a = G[j * n + c];
            if (a != 0)
                for (size_t i = c + 1; i < n; i++) G[j * n + i] -= a * G[c * n + i];
        }
    }
    return 0;
}

static void lu_solve(const double *G, const int *piv, size_t n, double *b)
{
    for (size_t c = 0; c < n; c++) {
        size_t p = (size_t)piv[c];
        if (p != c) {
            double tmp = b[c];
            b[c] = b[p];
            b[p] = tmp;
        }
        for (size_t i = c + 1; i < n; i++) b[i] -= G[c * n + i] * b[c];
    }
    for (size_t c = n; c-- > 0;) {
        b[c] *= G[c * n + c];
        for (size_t i = 0; i < c; i++) b[i] -= G[c * n + i] * b[c];
    }
}

/* CVODE's weighted RMS norm of e with weights from a and b (the larger magnitude). */
static double wrms(const msi_ros *r, const double *e, const double *a, const double *b)
{
    double s = 0;
    for (size_t k = 0; k < r->nd; k++) {
        double sc = r->spec.atol[r->dyn[k]] + r->spec.rtol * fmax(fabs(a[k]), b ? fabs(b[k]) : 0);
        double x = e[k] / sc;
        s += x * x;
    }
    return sqrt(s / (double)r->nd);
}

/* Cubic Hermite interpolant of the last step at t, into out (integrated vector). */
/* The cubic Hermite interpolant over the last step [t0s, t1s] at t, of n values with ends
 * v0, v1 and slopes d0, d1, into out: the states (slopes f) and the quadratures (slopes,
 * their integrands) share it. */
static void hermite_n(const msi_ros *r, double t, size_t n, const double *v0, const double *d0, const double *v1,
                      const double *d1, double *out)
{
    double h = r->t1s - r->t0s, th = h > 0 ? (t - r->t0s) / h : 1;
    double th2 = th * th, th3 = th2 * th;
    double a0 = 2 * th3 - 3 * th2 + 1, b0 = (th3 - 2 * th2 + th) * h, a1 = -2 * th3 + 3 * th2, b1 = (th3 - th2) * h;
    for (size_t k = 0; k < n; k++) out[k] = a0 * v0[k] + b0 * d0[k] + a1 * v1[k] + b1 * d1[k];
}

static void hermite(const msi_ros *r, double t, double *out)
{
    hermite_n(r, t, r->nd, r->y0, r->f0, r->y1, r->f1, out);
}

static int g_eval(msi_ros *r, double t, const double *yd, double *g)
{
    r->st.root_evals++;
    return r->spec.roots(t, full_state(r, yd), g, r->spec.ud);
}

static int p_eval(msi_ros *r, double t, const double *yd, double *w)
{
    return r->spec.quad(t, full_state(r, yd), w, r->spec.ud);
}

/* Everything at one state through spec.point: f into fd, and g, q and the Jacobian (into
 * r->J) where asked for. */
static int at_point(msi_ros *r, double t, const double *yd, double *fd, double *g, double *q, int want_j)
{
    const size_t n = r->n, nd = r->nd;
    r->st.rhs_evals++;
    if (g) r->st.root_evals++;
    if (want_j) r->st.jac_evals++;
    double *Jf = r->f_cb + n;
    int rc = r->spec.point(t, full_state(r, yd), r->f_cb, g, q, want_j ? Jf : NULL, r->spec.ud);
    if (rc) return rc;
    for (size_t k = 0; k < nd; k++) {
        fd[k] = r->f_cb[r->dyn[k]];
        if (!isfinite(fd[k])) return 1;
    }
    if (want_j)
        for (size_t c = 0; c < nd; c++)
            for (size_t k = 0; k < nd; k++) r->J[c * nd + k] = Jf[r->dyn[c] * n + r->dyn[k]];
    return 0;
}

/* ---- create, destroy, accessors ------------------------------------------------------------ */

ms_status msi_ros_create(const ms_ode_spec *spec, double t0, const double *y0, msi_ros **out, ms_error *err)
{
    *out = NULL;
    size_t n = spec->n, nd = n;
    if (spec->held) {
        nd = 0;
        for (size_t k = 0; k < n; k++) nd += !spec->held[k];
        if (nd == 0) return ms_error_set(err, MS_EINVAL, "ode: every state is held; nothing to integrate");
    }
    size_t nq = spec->n_quad, nr = spec->n_roots;
    msi_ros *r = calloc(1, sizeof *r);
    /* one block: full-size vectors, integrated-size vectors, matrices, quadratures, roots */
    size_t nv = 3 * n + n * n + (12 + ROS_S) * nd + 2 * nd * nd + 8 * nq + 4 * nr;
    double *mem = r ? calloc(nv ? nv : 1, sizeof *mem) : NULL;
    size_t *dyn = r ? malloc(nd * sizeof *dyn) : NULL;
    int *piv = r ? malloc(nd * sizeof *piv) : NULL, *found = r ? calloc(nr ? nr : 1, sizeof *found) : NULL;
    if (!r || !mem || !dyn || !piv || !found) {
        free(r), free(mem), free(dyn), free(piv), free(found);
        return ms_error_set(err, MS_ENOMEM, "ode: out of memory for a system of %zu states", n);
    }
    r->spec = *spec;
    r->spec.held = NULL;
    if (r->spec.rtol <= 0) r->spec.rtol = MS_ODE_RTOL_DEFAULT;
    if (r->spec.max_steps <= 0) r->spec.max_steps = MS_ODE_MAX_STEPS_DEFAULT;
    r->n = n, r->nd = nd, r->dyn = dyn, r->piv = piv, r->found = found;
    for (size_t k = 0, j = 0; k < n; k++)
        if (!spec->held || !spec->held[k]) dyn[j++] = k;
    double *m = mem;
    r->y_full = m, m += n;
    r->y_cb = m, m += n;
    r->f_cb = m, m += n + n * n; /* derivatives, then the Jacobian: n x n suffices for both */
    r->y = m, m += nd;
    r->f = m, m += nd;
    r->y0 = m, m += nd;
    r->f0 = m, m += nd;
    r->y1 = m, m += nd;
    r->f1 = m, m += nd;
    r->ys = m, m += nd;
    r->fs = m, m += nd;
    r->err = m, m += nd;
    r->ft = m, m += nd;
    r->yr = m, m += nd;
    r->yt = m, m += nd;
    r->ytmp = r->err; /* the finite-difference Jacobian's scratch: free outside a step */
    for (int i = 0; i < ROS_S; i++) r->K[i] = m, m += nd;
    r->J = m, m += nd * nd;
    r->G = m, m += nd * nd;
    r->q = m, m += nq;
    r->qn = m, m += nq;
    r->q0s = m, m += nq;
    r->q1s = m, m += nq;
    r->p0s = m, m += nq;
    r->p1s = m, m += nq;
    r->p_mid = m, m += nq;
    r->p_tn = m, m += nq;
    r->g_tn = m, m += nr;
    r->g_0s = m, m += nr;
    r->g_root = m, m += nr;
    r->g_mid = m, m += nr;
    memcpy(r->y_full, y0, n * sizeof *y0);
    memcpy(r->y_cb, y0, n * sizeof *y0);
    for (size_t k = 0; k < nd; k++) r->y[k] = r->yt[k] = y0[dyn[k]];
    r->t = r->tn = r->t0s = r->t1s = t0;
    r->worst = -1;
    *out = r;
    return MS_OK;
}

void msi_ros_destroy(msi_ros *r)
{
    if (!r) return;
    free(r->y_full); /* the start of the block */
    free(r->dyn);
    free(r->piv);
    free(r->found);
    free(r);
}

int msi_ros_failed_component(const msi_ros *r) { return r->worst; }
double msi_ros_failed_time(const msi_ros *r) { return r->t_fail; }
const int *msi_ros_roots_found(const msi_ros *r) { return r->found; }
double *msi_ros_state(msi_ros *r) { return r->y_full; }
double msi_ros_time(const msi_ros *r) { return r->t; }
const double *msi_ros_quad(msi_ros *r) { return r->spec.n_quad ? r->q : NULL; }
void msi_ros_get_stats(const msi_ros *r, ms_ode_stats *out) { *out = r->st; }

ms_status msi_ros_reinit(msi_ros *r, double t, ms_error *err)
{
    (void)err;
    /* the caller may have changed any state, held or not */
    memcpy(r->y_cb, r->y_full, r->n * sizeof *r->y_cb);
    for (size_t k = 0; k < r->nd; k++) r->y[k] = r->yt[k] = r->y_full[r->dyn[k]];
    r->t = r->tn = r->t0s = r->t1s = t;
    r->f_valid = r->j_valid = r->gtn_valid = r->ptn_valid = r->root_pending = 0;
    if (r->spec.n_quad) memcpy(r->qn, r->q, r->spec.n_quad * sizeof *r->qn);
    r->h = 0; /* after a jump the last step size says nothing: choose again */
    if (r->has_stop && t >= r->t_stop) r->has_stop = 0;
    r->st.reinits++;
    return MS_OK;
}

ms_status msi_ros_set_stop_time(msi_ros *r, double t_stop, ms_error *err)
{
    if (!isfinite(t_stop) || t_stop < r->t)
        return ms_error_set(err, MS_EINVAL, "ode: stop time %.17g s is not ahead of the current time %.17g s", t_stop, r->t);
    if (t_stop < r->tn)
        return ms_error_set(err, MS_EINVAL, "ode: stop time %.17g s is behind the last internal step (%.17g s); set it "
                            "before advancing past it", t_stop, r->tn);
    r->t_stop = t_stop;
    r->has_stop = t_stop > r->t;
    return MS_OK;
}

ms_status msi_ros_sample(msi_ros *r, double t, double *y_out, ms_error *err)
{
    if (t == r->t) {
        memcpy(y_out, r->y_full, r->n * sizeof *y_out);
        return MS_OK;
    }
    if (!(t >= r->t0s && t <= r->t1s))
        return ms_error_set(err, MS_EINVAL, "ode: sample time %.17g s is outside the last step [%.17g, %.17g] s", t,
                            r->t0s, r->t1s);
    hermite(r, t, r->ys);
    memcpy(y_out, r->y_full, r->n * sizeof *y_out);
    for (size_t k = 0; k < r->nd; k++) y_out[r->dyn[k]] = r->ys[k];
    return MS_OK;
}

/* ---- stepping ------------------------------------------------------------------------------ */

/* First step after a start or restart. In the weighted norm (1 = the tolerance), d1 = |f|;
 * an explicit Euler probe that moves y by 1 % of the tolerance gives d2 = |y''|, and a
 * solution that relaxes like an exponential has |y'''| ~ d2^2 / d1, so a third-order step
 * whose error h^3 |y'''| / 6 is about the tolerance is h = (6 d1 / d2^2)^(1/3) (for
 * y' = -y / tau: 0.08 tau at rtol 1e-4). A state that would not move by the tolerance over
 * the whole way (a unit at rest) takes it in one step. The textbook estimate (Hairer,
 * Norsett and Wanner I, II.4) assumes |y''| ~ |y'| and here chose steps twice as long as a
 * 100 ns soma discharge, so that six restarts in ten were rejected at once. */
static int initial_step(msi_ros *r, double room)
{
    double d1 = wrms(r, r->f, r->y, NULL);
    if (!(d1 * room > 1e-3)) {
        r->h = room;
        return 0;
    }
    double h0 = fmin(0.01 / d1, room);
    for (size_t k = 0; k < r->nd; k++) r->ys[k] = r->y[k] + h0 * r->f[k];
    int rc = f_eval(r, r->t + h0, r->ys, r->fs);
    if (rc) {
        r->h = h0;
        return rc < 0 ? rc : 0;
    }
    for (size_t k = 0; k < r->nd; k++) r->err[k] = r->fs[k] - r->f[k];
    double d2 = wrms(r, r->err, r->y, NULL) / h0;
    r->h = d2 > 0 ? fmin(room, cbrt(6.0 * d1 / (d2 * d2))) : room;
    r->h = fmax(r->h, h0);
    return 0;
}

/* One attempted step of size h from (t, y, f). Returns 0 with y1 and the error norm in
 * *en, > 0 for a recoverable failure of a callback or a singular matrix, < 0 fatal. */
static int attempt(msi_ros *r, double h, double *en)
{
    const size_t nd = r->nd;
    const double t = r->t;
    if (!r->spec.autonomous) {
        /* df/dt by a forward difference */
        double dt = sqrt(DBL_EPSILON) * fmax(fabs(t), h);
        int rc = f_eval(r, t + dt, r->y, r->ft);
        if (rc) return rc;
        for (size_t k = 0; k < nd; k++) r->ft[k] = (r->ft[k] - r->f[k]) / dt;
    }
    const double gi = 1.0 / (h * ROS_GAMMA);
    for (size_t c = 0; c < nd; c++)
        for (size_t k = 0; k < nd; k++) r->G[c * nd + k] = (k == c ? gi : 0) - r->J[c * nd + k];
    if (lu_factor(r->G, r->piv, nd)) return 1;
    const double *F = r->f;
    for (int i = 0; i < ROS_S; i++) {
        if (i > 0 && ROS_NEWF[i]) {
            for (size_t k = 0; k < nd; k++) {
                double s = r->y[k];
                for (int j = 0; j < i; j++) s += ROS_A[i][j] * r->K[j][k];
                r->ys[k] = s;
            }
            int rc = f_eval(r, t + ROS_ALPHA[i] * h, r->ys, r->fs);
            if (rc) return rc;
            F = r->fs;
        }
        double *Ki = r->K[i];
        for (size_t k = 0; k < nd; k++) {
            double s = F[k];
            for (int j = 0; j < i; j++) s += ROS_C[i][j] / h * r->K[j][k];
            if (!r->spec.autonomous) s += h * ROS_GAMMA_I[i] * r->ft[k];
            Ki[k] = s;
        }
        lu_solve(r->G, r->piv, nd, Ki);
    }
    for (size_t k = 0; k < nd; k++) {
        double y1 = r->y[k], e = 0;
        for (int i = 0; i < ROS_S; i++) y1 += ROS_M[i] * r->K[i][k], e += ROS_E[i] * r->K[i][k];
        r->y1[k] = y1;
        r->err[k] = e;
        if (!isfinite(y1)) return 1;
    }
    *en = wrms(r, r->err, r->y, r->y1);
    return isfinite(*en) ? 0 : 1;
}

/* Root functions that changed sign over the step in their allowed direction. */
static int crossed(const msi_ros *r, size_t k, double ga, double gb)
{
    int dir = r->spec.root_dir ? r->spec.root_dir[k] : 0;
    if (ga == 0) return 0; /* no sign to leave from: inactive until it has one */
    if (ga < 0 && gb >= 0) return dir >= 0;
    if (ga > 0 && gb <= 0) return dir <= 0;
    return 0;
}

/* The earliest root in the last step (t0s, t1s] on the interpolant (Illinois method, as CVODE's cvRootfind),
 * to within 100 ulps of the time: returns its time (the right end of the final bracket,
 * where the sign has changed), the root functions there in g_root, and sets r->found. */
static int find_root(msi_ros *r, double *t_root)
{
    const size_t nr = r->spec.n_roots;
    double ta = r->t0s, tb = r->t1s, *ga = r->g_0s, *gb = r->g_tn, *gm = r->g_mid;
    double ttol = 100 * DBL_EPSILON * (fabs(tb) + fabs(tb - ta));
    double ga_s[nr], gb_s[nr];
    memcpy(ga_s, ga, sizeof ga_s);
    memcpy(gb_s, gb, sizeof gb_s);
    /* Illinois: an end kept twice in a row has its value halved, so the secant moves
     * towards it and the bracket shrinks from both sides */
    int kept_a = 0, kept_b = 0;
    for (int iter = 0; iter < 200 && tb - ta > ttol; iter++) {
        /* the secant zero of the root function that crosses earliest */
        double best = -1, tm = 0.5 * (ta + tb);
        double sa = kept_a >= 2 ? ldexp(1.0, 1 - kept_a) : 1, sb = kept_b >= 2 ? ldexp(1.0, 1 - kept_b) : 1;
        for (size_t k = 0; k < nr; k++) {
            if (!crossed(r, k, ga_s[k], gb_s[k])) continue;
            double wa = ga_s[k] * sa, wb = gb_s[k] * sb;
            double frac = fabs(wb) / fabs(wb - wa);
            if (frac > best) best = frac, tm = tb - (tb - ta) * frac;
        }
        double lo = ta + 0.1 * ttol, hi = tb - 0.1 * ttol;
        tm = fmin(fmax(tm, lo), hi);
        hermite(r, tm, r->ys);
        int rc = g_eval(r, tm, r->ys, gm);
        if (rc) return rc;
        int any = 0;
        for (size_t k = 0; k < nr; k++) any |= crossed(r, k, ga_s[k], gm[k]);
        if (any) {
            tb = tm, memcpy(gb_s, gm, sizeof gb_s);
            kept_a++, kept_b = 0;
        } else {
            ta = tm, memcpy(ga_s, gm, sizeof ga_s);
            kept_b++, kept_a = 0;
        }
    }
    for (size_t k = 0; k < nr; k++) {
        r->found[k] = 0;
        if (crossed(r, k, ga_s[k], gb_s[k])) r->found[k] = gb_s[k] > ga_s[k] ? 1 : -1;
    }
    memcpy(r->g_root, gb_s, sizeof gb_s);
    *t_root = tb;
    return 0;
}

static ms_status failed(msi_ros *r, ms_error *err, double tout, const char *why, double h)
{
    r->worst = -1;
    double big = -1;
    for (size_t k = 0; k < r->nd; k++) {
        double sc = r->spec.atol[r->dyn[k]] + r->spec.rtol * fabs(r->y[k]);
        double e = fabs(r->err[k] / sc);
        if (!isfinite(e)) e = DBL_MAX;
        if (e > big) big = e, r->worst = (int)r->dyn[k];
    }
    if (!(big > 0)) r->worst = -1;
    r->t_fail = r->tn;
    return ms_error_set(err, MS_ESOLVER, "Rosenbrock integrator failed at t = %.9g s on the way to %.9g s (%s; step %.3g s, "
                        "rtol = %g, max_steps = %ld)", r->t, tout, why, h, r->spec.rtol, r->spec.max_steps);
}

/* Quadratures over the step just taken: Simpson's rule on the interpolant, from q0s (at
 * its start, integrand p0s) to q1s (integrand p1s). */
static int quad_step(msi_ros *r)
{
    const size_t nq = r->spec.n_quad;
    double tm = 0.5 * (r->t0s + r->t1s), w = (r->t1s - r->t0s) / 6.0;
    hermite(r, tm, r->ys);
    int rc = p_eval(r, tm, r->ys, r->p_mid);
    if (rc) return rc;
    for (size_t k = 0; k < nq; k++) r->q1s[k] = r->q0s[k] + w * (r->p0s[k] + 4 * r->p_mid[k] + r->p1s[k]);
    return 0;
}

/* The quadratures at t within the last step: the cubic Hermite interpolant of q through its
 * ends with slopes p0s, p1s (third order, like the states'; no integrand evaluated). */
static void quad_at(msi_ros *r, double t, double *out)
{
    hermite_n(r, t, r->spec.n_quad, r->q0s, r->p0s, r->q1s, r->p1s, out);
}

/* The reached time moves to t_new with integrated state yb (scattered into the full state). */
static void set_reached(msi_ros *r, double t_new, const double *yb)
{
    r->t = t_new;
    if (yb != r->yt) memcpy(r->yt, yb, r->nd * sizeof *yb);
    for (size_t k = 0; k < r->nd; k++) r->y_full[r->dyn[k]] = r->yt[k];
}

/* The time reached moves to tb within the last step: the states and quadratures there from
 * their interpolants (exactly the step's end values at its end). */
static void reach(msi_ros *r, double tb)
{
    if (tb >= r->tn) {
        memcpy(r->q, r->qn, r->spec.n_quad * sizeof *r->q);
        set_reached(r, r->tn, r->y);
        return;
    }
    hermite(r, tb, r->yr);
    quad_at(r, tb, r->q);
    set_reached(r, tb, r->yr);
}

/* The last step reaches past the time reached: moves to its root if tend reaches it (then
 * the integrator goes on from the root, as the caller usually restarts there, and the root
 * count is returned), else to tend or the step's end. Its roots and energies were found when
 * it was taken, so this evaluates nothing. */
static int serve_step(msi_ros *r, double tend, int *n_found)
{
    const size_t nr = r->spec.n_roots;
    if (!(r->root_pending && r->t_root <= tend)) {
        reach(r, fmin(r->tn, tend));
        return 0;
    }
    reach(r, r->t_root);
    memcpy(r->y, r->yt, r->nd * sizeof *r->y);
    r->tn = r->t_root;
    memcpy(r->qn, r->q, r->spec.n_quad * sizeof *r->qn);
    memcpy(r->g_tn, r->g_root, nr * sizeof *r->g_tn);
    r->gtn_valid = 1;
    r->f_valid = r->j_valid = r->ptn_valid = r->root_pending = 0;
    for (size_t k = 0; k < nr; k++) *n_found += r->found[k] != 0;
    return 1;
}

ms_status msi_ros_advance(msi_ros *r, double tout, double *t_reached, int *n_found, ms_error *err)
{
    *n_found = 0;
    r->worst = -1;
    const size_t nd = r->nd, nr = r->spec.n_roots, nq = r->spec.n_quad;
    double tend = tout;
    if (r->has_stop && r->t_stop < tend) tend = r->t_stop;
    long steps = 0;
    int rejected = 0, rc;
    while (tend - r->t > 4.0 * DBL_EPSILON * fmax(fabs(r->t), fabs(tend))) {
        if (r->tn > r->t) {
            /* 1. The last step reaches past the time reached: serve it */
            if (serve_step(r, tend, n_found)) break;
            continue;
        }
        /* 2. A new step from the time reached, which is the integrator's own: f, J, the
         * roots and integrands at its start, in one call where the model allows. */
        if (r->spec.point && (!r->f_valid || !r->j_valid || (nr && !r->gtn_valid) || (nq && !r->ptn_valid))) {
            if ((rc = at_point(r, r->tn, r->y, r->f, nr && !r->gtn_valid ? r->g_tn : NULL,
                               nq && !r->ptn_valid ? r->p_tn : NULL, !r->j_valid)))
                return failed(r, err, tout, "the right-hand side failed or was not a number at the start of a step", r->h);
            r->f_valid = r->j_valid = 1;
            r->gtn_valid = r->ptn_valid = 1;
        }
        if (!r->f_valid) {
            if ((rc = f_eval(r, r->tn, r->y, r->f)))
                return failed(r, err, tout, "the right-hand side failed or was not a number at the start of a step", r->h);
            r->f_valid = 1;
        }
        if (nr && !r->gtn_valid) {
            if (g_eval(r, r->tn, r->y, r->g_tn)) return failed(r, err, tout, "a root function failed", r->h);
            r->gtn_valid = 1;
        }
        if (nq && !r->ptn_valid) {
            if (p_eval(r, r->tn, r->y, r->p_tn)) return failed(r, err, tout, "an energy integrand failed", r->h);
            r->ptn_valid = 1;
        }
        double room = tend - r->t;
        if (r->h <= 0 && (rc = initial_step(r, room)) < 0)
            return failed(r, err, tout, "the right-hand side failed", r->h);
        if (++steps > r->spec.max_steps)
            return failed(r, err, tout, "too much work: max_steps reached before tout", r->h);
        double h = r->h;
        if (r->spec.max_step > 0) h = fmin(h, r->spec.max_step);
        /* A step may pass tout (the state there is interpolated, as CVODE does, so the end
         * of a window or a sample costs no step), never a stop time; a step that would end
         * just short of tend is stretched to it instead of leaving a sliver. */
        int cut = 0;
        if (r->has_stop && r->t + h > r->t_stop) h = r->t_stop - r->t, cut = 1;
        else if (h < room && h > 0.99 * room) h = room, cut = 1;
        if (h < 16 * DBL_EPSILON * fabs(r->t) || h <= 0)
            return failed(r, err, tout, "the step size fell below the resolution of the time", h);
        rc = 0;
        if (!r->j_valid) {
            if ((rc = j_eval(r, r->t, r->y, r->f)) < 0) return failed(r, err, tout, "the Jacobian failed", h);
            r->j_valid = rc == 0;
        }
        double en = 0;
        if (rc == 0) rc = attempt(r, h, &en);
        if (rc < 0) return failed(r, err, tout, "the right-hand side failed", h);
        if (rc > 0) {
            /* a callback could not evaluate there, or the matrix was singular: smaller step */
            r->h = 0.25 * h;
            r->st.err_test_fails++;
            rejected = 1;
            continue;
        }
        /* the error estimate's leading term is of order 3 (the embedded order 2, plus 1): cbrt */
        double fac = fmin(FAC_MAX, fmax(FAC_MIN, FAC_SAFE / cbrt(fmax(en, 1e-10))));
        if (en > 1) {
            r->st.err_test_fails++;
            r->h = h * fmax(FAC_REJ, fmin(fac, 0.9));
            rejected = 1;
            continue;
        }
        /* accepted. The step's start values move to the step's records before the new end
         * overwrites them. */
        if (nr) memcpy(r->g_0s, r->g_tn, nr * sizeof *r->g_0s);
        if (nq) memcpy(r->q0s, r->qn, nq * sizeof *r->q0s), memcpy(r->p0s, r->p_tn, nq * sizeof *r->p0s);
        /* The derivative at the new point (the next step's first stage, the interpolant's
         * right slope); with spec.point also its roots, integrands and Jacobian in the same
         * call. */
        double t1 = r->t + h;
        if (cut) t1 = r->has_stop && h == r->t_stop - r->t ? r->t_stop : tend;
        int all = r->spec.point != NULL;
        rc = all ? at_point(r, t1, r->y1, r->f1, nr ? r->g_tn : NULL, nq ? r->p_tn : NULL, 1)
                 : f_eval(r, t1, r->y1, r->f1);
        if (!rc && !all && nr) rc = g_eval(r, t1, r->y1, r->g_tn) ? -1 : 0;
        if (!rc && !all && nq) rc = p_eval(r, t1, r->y1, r->p_tn) ? -1 : 0;
        if (rc) {
            if (rc < 0) return failed(r, err, tout, "a callback failed at the end of a step", h);
            /* the start values are still those of (tn, y) */
            if (nr) memcpy(r->g_tn, r->g_0s, nr * sizeof *r->g_tn);
            if (nq) memcpy(r->p_tn, r->p0s, nq * sizeof *r->p_tn);
            r->h = 0.25 * h;
            rejected = 1;
            continue;
        }
        r->st.steps++;
        double hnew = h * (rejected ? fmin(fac, 1.0) : fac);
        /* a step cut short to land on a stop time or tend does not shrink the proposal */
        r->h = cut ? fmax(r->h, hnew) : hnew;
        rejected = 0;
        memcpy(r->y0, r->y, nd * sizeof *r->y);
        memcpy(r->f0, r->f, nd * sizeof *r->f);
        r->t0s = r->t;
        r->t1s = r->tn = t1;
        memcpy(r->y, r->y1, nd * sizeof *r->y);
        memcpy(r->f, r->f1, nd * sizeof *r->f);
        r->j_valid = all;
        r->gtn_valid = nr > 0;
        r->ptn_valid = nq > 0;
        /* the step's energies and its first root, found once for the whole step */
        if (nq) {
            memcpy(r->p1s, r->p_tn, nq * sizeof *r->p1s);
            if (quad_step(r)) return failed(r, err, tout, "an energy integrand failed", h);
            memcpy(r->qn, r->q1s, nq * sizeof *r->qn);
        }
        if (nr) {
            int root = 0;
            for (size_t k = 0; k < nr; k++) root |= crossed(r, k, r->g_0s[k], r->g_tn[k]);
            if (root) {
                if (find_root(r, &r->t_root)) return failed(r, err, tout, "a root function failed", h);
                r->root_pending = 1;
            }
        }
    }
    if (r->has_stop && r->t >= r->t_stop) r->has_stop = 0;
    *t_reached = r->t;
    return MS_OK;
}

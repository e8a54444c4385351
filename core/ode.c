/* core/ode.c: the CVODES wrapper behind core/ms_ode.h. The only file that includes SUNDIALS.
 *
 * CVODES (CVODE plus quadratures) with BDF and a dense direct solver suits the small stiff
 * per-unit systems of device circuits. Energies are CVODES quadratures so they cost no
 * Newton work; the caller chooses whether they enter the error test (quad_atol, see
 * core/ms_ode.h). SUNDIALS messages go into the object's error buffer instead of stderr. */
#include "core/ms_ode.h"
#include "core/ode_rosenbrock.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cvodes/cvodes.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

struct ms_ode_ctx {
    SUNContext sun;
};

struct ms_ode {
    msi_ros *ros;         /* the Rosenbrock integrator, when spec.method asks for it; then
                             nothing below is used (core/ode_rosenbrock.c)               */
    ms_ode_spec spec;
    SUNContext sun;       /* the shared SUNDIALS context                        */
    void *mem;            /* CVODES memory                                     */
    N_Vector y;           /* CVODE's state: the integrated (not held) states    */
    size_t nd;            /* number of integrated states (n minus the held ones) */
    size_t *dyn;          /* dyn[k]: index in the full state of CVODE's state k, or
                             NULL when nothing is held (CVODE's state is the full one) */
    double *y_full;       /* with held states: the full state at the time last reached */
    double *y_cb;         /* with held states: the full state callbacks see (held values
                             set at create and restart, the others from CVODE's vector)  */
    double *f_cb;         /* with held states: full-size derivatives; then n x n Jacobian */
    N_Vector q;           /* quadratures at the time last reached              */
    N_Vector atol;        /* absolute tolerances, per state                    */
    N_Vector qatol;       /* absolute tolerances, per quadrature (error control on) */
    SUNMatrix A;          /* dense Jacobian storage                            */
    SUNLinearSolver LS;   /* dense direct solver                               */
    double t;             /* time last reached (s)                             */
    int *roots_found;     /* per root function, after a root return            */
    long reinits;         /* number of restarts, for statistics                */
    double t_stop;        /* stop time in force (s), if has_stop               */
    int has_stop;         /* a stop time is set and not yet reached            */
    ms_ode_stats before;  /* counters of CVODES before its last restart (it resets them) */
    char sun_msg[256];    /* last message SUNDIALS reported                    */
    int worst;            /* after a failure: the state blamed, or -1          */
    double t_fail;        /* after a failure: CVODE's internal time (s)        */
};

ms_status ms_ode_ctx_create(ms_ode_ctx **out, ms_error *err)
{
    *out = NULL;
    ms_ode_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return ms_error_set(err, MS_ENOMEM, "ode: out of memory for the solver context");
    if (SUNContext_Create(NULL, &ctx->sun) != 0) {
        free(ctx);
        return ms_error_set(err, MS_ESOLVER, "ode: SUNContext_Create failed");
    }
    *out = ctx;
    return MS_OK;
}

void ms_ode_ctx_destroy(ms_ode_ctx *ctx)
{
    if (!ctx) return;
    SUNContext_Free(&ctx->sun);
    free(ctx);
}

/* ---- trampolines from CVODE's N_Vector callbacks to plain arrays ---------------------- */

/* The full state a callback sees for CVODE's vector y: y itself, or with held states the
 * held values around y's entries. */
static const double *full_state(ms_ode *ode, N_Vector y)
{
    if (!ode->dyn) return NV_DATA_S(y);
    const double *yd = NV_DATA_S(y);
    for (size_t k = 0; k < ode->nd; k++) ode->y_cb[ode->dyn[k]] = yd[k];
    return ode->y_cb;
}

static int rhs_tramp(realtype t, N_Vector y, N_Vector ydot, void *ud)
{
    ms_ode *ode = ud;
    if (!ode->dyn) return ode->spec.rhs(t, NV_DATA_S(y), NV_DATA_S(ydot), ode->spec.ud);
    int r = ode->spec.rhs(t, full_state(ode, y), ode->f_cb, ode->spec.ud);
    double *fd = NV_DATA_S(ydot);
    for (size_t k = 0; k < ode->nd; k++) fd[k] = ode->f_cb[ode->dyn[k]];
    return r;
}

static int root_tramp(realtype t, N_Vector y, realtype *g, void *ud)
{
    ms_ode *ode = ud;
    return ode->spec.roots(t, full_state(ode, y), g, ode->spec.ud);
}

static int quad_tramp(realtype t, N_Vector y, N_Vector qdot, void *ud)
{
    ms_ode *ode = ud;
    return ode->spec.quad(t, full_state(ode, y), NV_DATA_S(qdot), ode->spec.ud);
}

static int jac_tramp(realtype t, N_Vector y, N_Vector fy, SUNMatrix J, void *ud, N_Vector t1,
                     N_Vector t2, N_Vector t3)
{
    (void)fy, (void)t1, (void)t2, (void)t3;
    ms_ode *ode = ud;
    /* SUNDIALS' dense matrix stores its columns contiguously: column-major n x n. */
    if (!ode->dyn) return ode->spec.jac(t, NV_DATA_S(y), SUNDenseMatrix_Data(J), ode->spec.ud);
    /* the full Jacobian, then its block of integrated rows and columns */
    const size_t n = ode->spec.n, nd = ode->nd;
    double *Jf = ode->f_cb, *Jd = SUNDenseMatrix_Data(J);
    int r = ode->spec.jac(t, full_state(ode, y), Jf, ode->spec.ud);
    for (size_t c = 0; c < nd; c++)
        for (size_t k = 0; k < nd; k++) Jd[c * nd + k] = Jf[ode->dyn[c] * n + ode->dyn[k]];
    return r;
}

/* Full state -> CVODE's vector, and the held values into the callbacks' copy. */
static void gather(ms_ode *ode)
{
    if (!ode->dyn) return;
    double *yd = NV_DATA_S(ode->y);
    for (size_t k = 0; k < ode->nd; k++) yd[k] = ode->y_full[ode->dyn[k]];
    memcpy(ode->y_cb, ode->y_full, ode->spec.n * sizeof(double));
}

/* CVODE's vector -> full state (the held values stay). */
static void scatter(ms_ode *ode)
{
    if (!ode->dyn) return;
    const double *yd = NV_DATA_S(ode->y);
    for (size_t k = 0; k < ode->nd; k++) ode->y_full[ode->dyn[k]] = yd[k];
}

static void err_handler(int code, const char *module, const char *function, char *msg, void *ud)
{
    (void)code;
    ms_ode *ode = ud;
    snprintf(ode->sun_msg, sizeof ode->sun_msg, "%s/%s: %s", module, function, msg);
}

/* The name of a CVODE return flag ("CV_ERR_FAILURE") in buf. CVodeGetReturnFlagName returns
 * a string the caller must free (SUNDIALS 6 cvodes_io.c); every solver failure leaked it until
 * tests/fuzz/fuzz_lua.c found it. */
static const char *flag_name(int flag, char *buf, size_t len)
{
    char *name = CVodeGetReturnFlagName(flag);
    snprintf(buf, len, "%s", name ? name : "unknown flag");
    free(name);
    return buf;
}

static ms_status fail(ms_ode *ode, ms_error *err, const char *what, int flag)
{
    char name[64];
    return ms_error_set(err, MS_ESOLVER, "ode: %s failed (%s)%s%s", what,
                        flag_name(flag, name, sizeof name), ode && ode->sun_msg[0] ? ": " : "",
                        ode ? ode->sun_msg : "");
}

ms_status ms_ode_create(ms_ode_ctx *ctx, const ms_ode_spec *spec, double t0, const double *y0,
                        ms_ode **out, ms_error *err)
{
    *out = NULL;
    if (!spec || spec->n == 0 || !spec->rhs || !spec->atol)
        return ms_error_set(err, MS_EINVAL, "ode: a system needs n >= 1, rhs and atol");
    if ((spec->n_roots > 0 && !spec->roots) || (spec->n_quad > 0 && !spec->quad))
        return ms_error_set(err, MS_EINVAL, "ode: root or quadrature count without a function");
    if ((spec->quad_rtol != 0 || spec->quad_atol) && spec->n_quad == 0)
        return ms_error_set(err, MS_EINVAL, "ode: quadrature tolerances without quadratures");
    if (spec->quad_rtol != 0 && !spec->quad_atol)
        return ms_error_set(err, MS_EINVAL, "ode: quad_rtol needs quad_atol (a quadrature "
                            "starts at 0, where a relative tolerance alone means none)");
    if (spec->quad_rtol < 0 || !isfinite(spec->quad_rtol))
        return ms_error_set(err, MS_EINVAL, "ode: quad_rtol = %g must be >= 0", spec->quad_rtol);
    for (size_t k = 0; spec->quad_atol && k < spec->n_quad; k++)
        if (!(spec->quad_atol[k] > 0 && isfinite(spec->quad_atol[k])))
            return ms_error_set(err, MS_EINVAL, "ode: quad_atol[%zu] = %g must be > 0", k,
                                spec->quad_atol[k]);

    if (spec->method != MS_ODE_BDF && spec->method != MS_ODE_ROSENBROCK)
        return ms_error_set(err, MS_EINVAL, "ode: unknown integrator %d", spec->method);
    ms_ode *ode = calloc(1, sizeof *ode);
    if (!ode) return ms_error_set(err, MS_ENOMEM, "ode: out of memory");
    if (spec->method == MS_ODE_ROSENBROCK) {
        ms_status st = msi_ros_create(spec, t0, y0, &ode->ros, err);
        if (st) free(ode);
        else *out = ode;
        return st;
    }
    ode->spec = *spec;
    ode->worst = -1;
    if (ode->spec.rtol <= 0) ode->spec.rtol = MS_ODE_RTOL_DEFAULT;
    if (ode->spec.max_steps <= 0) ode->spec.max_steps = MS_ODE_MAX_STEPS_DEFAULT;
    if (ode->spec.quad_rtol == 0) ode->spec.quad_rtol = ode->spec.rtol;
    ode->t = t0;
    ode->sun = ctx->sun;

    int flag = 0;
    const char *what = "allocation";
    ode->nd = spec->n;
    if (spec->held) {
        size_t nd = 0;
        for (size_t k = 0; k < spec->n; k++) nd += !spec->held[k];
        if (nd == 0) { ms_ode_destroy(ode); return ms_error_set(err, MS_EINVAL, "ode: every state is held; nothing to integrate"); }
        if (nd < spec->n) {
            ode->nd = nd;
            ode->dyn = malloc(nd * sizeof *ode->dyn);
            ode->y_full = malloc(spec->n * sizeof(double));
            ode->y_cb = malloc(spec->n * sizeof(double));
            ode->f_cb = malloc(spec->n * spec->n * sizeof(double));
            if (!ode->dyn || !ode->y_full || !ode->y_cb || !ode->f_cb) goto nomem;
            nd = 0;
            for (size_t k = 0; k < spec->n; k++)
                if (!spec->held[k]) ode->dyn[nd++] = k;
        }
    }
    ode->spec.held = NULL; /* not kept: dyn says the same */
    sunindextype n = (sunindextype)ode->nd;
    ode->y = N_VNew_Serial(n, ctx->sun);
    ode->atol = N_VNew_Serial(n, ctx->sun);
    ode->A = SUNDenseMatrix(n, n, ctx->sun);
    if (!ode->y || !ode->atol || !ode->A) goto nomem;
    if (ode->dyn) {
        memcpy(ode->y_full, y0, spec->n * sizeof(double));
        gather(ode);
        for (size_t k = 0; k < ode->nd; k++) NV_Ith_S(ode->atol, k) = spec->atol[ode->dyn[k]];
    } else {
        memcpy(NV_DATA_S(ode->y), y0, spec->n * sizeof(double));
        memcpy(NV_DATA_S(ode->atol), spec->atol, spec->n * sizeof(double));
    }
    ode->LS = SUNLinSol_Dense(ode->y, ode->A, ctx->sun);
    ode->mem = CVodeCreate(CV_BDF, ctx->sun);
    if (!ode->LS || !ode->mem) goto nomem;
    if (spec->n_roots > 0) {
        ode->roots_found = calloc(spec->n_roots, sizeof(int));
        if (!ode->roots_found) goto nomem;
    }

    if ((flag = CVodeSetErrHandlerFn(ode->mem, err_handler, ode))) { what = "CVodeSetErrHandlerFn"; goto fail; }
    if ((flag = CVodeInit(ode->mem, rhs_tramp, t0, ode->y))) { what = "CVodeInit"; goto fail; }
    if ((flag = CVodeSetUserData(ode->mem, ode))) { what = "CVodeSetUserData"; goto fail; }
    if ((flag = CVodeSVtolerances(ode->mem, ode->spec.rtol, ode->atol))) { what = "CVodeSVtolerances"; goto fail; }
    if ((flag = CVodeSetLinearSolver(ode->mem, ode->LS, ode->A))) { what = "CVodeSetLinearSolver"; goto fail; }
    if (spec->jac && (flag = CVodeSetJacFn(ode->mem, jac_tramp))) { what = "CVodeSetJacFn"; goto fail; }
    if ((flag = CVodeSetMaxNumSteps(ode->mem, ode->spec.max_steps))) { what = "CVodeSetMaxNumSteps"; goto fail; }
    if (spec->max_step > 0 && (flag = CVodeSetMaxStep(ode->mem, spec->max_step))) { what = "CVodeSetMaxStep"; goto fail; }
    if (spec->n_roots > 0) {
        if ((flag = CVodeRootInit(ode->mem, (int)spec->n_roots, root_tramp))) { what = "CVodeRootInit"; goto fail; }
        if (spec->root_dir) {
            /* CVodeSetRootDirection takes a non-const array; it only reads it. */
            int dir[spec->n_roots];
            memcpy(dir, spec->root_dir, sizeof dir);
            if ((flag = CVodeSetRootDirection(ode->mem, dir))) { what = "CVodeSetRootDirection"; goto fail; }
        }
        /* A root function that is constant for a while (a threshold disabled during the
         * refractory period) is expected, not a problem worth a warning. */
        CVodeSetNoInactiveRootWarn(ode->mem);
    }
    if (spec->n_quad > 0) {
        ode->q = N_VNew_Serial((sunindextype)spec->n_quad, ctx->sun);
        if (!ode->q) goto nomem;
        N_VConst(0.0, ode->q);
        if ((flag = CVodeQuadInit(ode->mem, quad_tramp, ode->q))) { what = "CVodeQuadInit"; goto fail; }
        if (spec->quad_atol) {
            ode->qatol = N_VNew_Serial((sunindextype)spec->n_quad, ctx->sun);
            if (!ode->qatol) goto nomem;
            memcpy(NV_DATA_S(ode->qatol), spec->quad_atol, spec->n_quad * sizeof(double));
            if ((flag = CVodeQuadSVtolerances(ode->mem, ode->spec.quad_rtol, ode->qatol))) { what = "CVodeQuadSVtolerances"; goto fail; }
        }
        if ((flag = CVodeSetQuadErrCon(ode->mem, spec->quad_atol ? SUNTRUE : SUNFALSE))) { what = "CVodeSetQuadErrCon"; goto fail; }
    }
    *out = ode;
    return MS_OK;

nomem:
    ms_ode_destroy(ode);
    return ms_error_set(err, MS_ENOMEM, "ode: out of memory for a system of %zu states", spec->n);
fail:
    fail(ode, err, what, flag);
    ms_ode_destroy(ode);
    return MS_ESOLVER;
}

void ms_ode_destroy(ms_ode *ode)
{
    if (!ode) return;
    if (ode->ros) {
        msi_ros_destroy(ode->ros);
        free(ode);
        return;
    }
    if (ode->mem) CVodeFree(&ode->mem);
    if (ode->LS) SUNLinSolFree(ode->LS);
    if (ode->A) SUNMatDestroy(ode->A);
    if (ode->y) N_VDestroy(ode->y);
    free(ode->dyn);
    free(ode->y_full);
    free(ode->y_cb);
    free(ode->f_cb);
    if (ode->q) N_VDestroy(ode->q);
    if (ode->qatol) N_VDestroy(ode->qatol);
    if (ode->atol) N_VDestroy(ode->atol);
    free(ode->roots_found);
    free(ode);
}

/* What a failure of CVode means, in words a user can act on (CVODES guide, "CVode"). */
static const char *failure_kind(int flag)
{
    switch (flag) {
    case CV_TOO_MUCH_WORK: return "too much work: the internal step limit (max_steps) was reached before tout";
    case CV_TOO_MUCH_ACC: return "the tolerances ask for more accuracy than double precision gives";
    case CV_ERR_FAILURE: return "the error test failed repeatedly (the solution changes faster than any step resolves)";
    case CV_CONV_FAILURE: return "the Newton iteration failed to converge repeatedly";
    case CV_LSETUP_FAIL:
    case CV_LSOLVE_FAIL: return "the linear solver failed (a singular or non-finite Jacobian)";
    case CV_RHSFUNC_FAIL:
    case CV_REPTD_RHSFUNC_ERR:
    case CV_UNREC_RHSFUNC_ERR:
    case CV_FIRST_RHSFUNC_ERR: return "the right-hand side failed or returned values that are not numbers";
    case CV_RTFUNC_FAIL: return "a root function failed";
    case CV_QRHSFUNC_FAIL:
    case CV_REPTD_QRHSFUNC_ERR:
    case CV_UNREC_QRHSFUNC_ERR:
    case CV_FIRST_QRHSFUNC_ERR: return "an energy integrand failed or was not a number";
    default: return "the integrator stopped";
    }
}

/* The state with the largest weighted local error estimate: the one that failed the test. */
static int worst_component(ms_ode *ode)
{
    sunindextype n = (sunindextype)ode->nd;
    N_Vector ele = N_VNew_Serial(n, ode->sun), ewt = N_VNew_Serial(n, ode->sun);
    int worst = -1;
    if (ele && ewt && CVodeGetEstLocalErrors(ode->mem, ele) == 0 && CVodeGetErrWeights(ode->mem, ewt) == 0) {
        double big = -1;
        for (sunindextype k = 0; k < n; k++) {
            double e = fabs(NV_Ith_S(ele, k) * NV_Ith_S(ewt, k));
            if (!isfinite(e)) e = DBL_MAX;
            if (e > big) big = e, worst = (int)k;
        }
        if (!(big > 0)) worst = -1;
        else if (ode->dyn) worst = (int)ode->dyn[worst];
    }
    if (ele) N_VDestroy(ele);
    if (ewt) N_VDestroy(ewt);
    return worst;
}

static ms_status advance_failed(ms_ode *ode, int flag, double tret, double tout, ms_error *err)
{
    realtype tcur = tret, h = 0;
    long steps = 0;
    CVodeGetCurrentTime(ode->mem, &tcur);
    CVodeGetCurrentStep(ode->mem, &h);
    CVodeGetNumSteps(ode->mem, &steps);
    /* the error estimates mean something only where the error test ran */
    ode->worst = flag == CV_ERR_FAILURE || flag == CV_CONV_FAILURE || flag == CV_TOO_MUCH_WORK ? worst_component(ode) : -1;
    ode->t_fail = tcur;
    /* CVode leaves the solution at the last time it reached in y */
    if (tret > ode->t) ode->t = tret;
    scatter(ode);
    char name[64];
    return ms_error_set(err, MS_ESOLVER, "CVODE failed at t = %.9g s on the way to %.9g s (%s; %s; step %.3g s, "
                        "%ld steps since the last restart, max_steps = %ld, rtol = %g)%s%s",
                        (double)tcur, tout, failure_kind(flag), flag_name(flag, name, sizeof name), (double)h, steps,
                        ode->spec.max_steps, ode->spec.rtol, ode->sun_msg[0] ? ": " : "", ode->sun_msg);
}

int ms_ode_failed_component(const ms_ode *ode) { return ode->ros ? msi_ros_failed_component(ode->ros) : ode->worst; }
double ms_ode_failed_time(const ms_ode *ode) { return ode->ros ? msi_ros_failed_time(ode->ros) : ode->t_fail; }

/* CVODE refuses a tout within a few ulps of the current time; such a request is "reached". */
static int too_close(double t, double tout)
{
    return tout - t <= 4.0 * DBL_EPSILON * fmax(fabs(t), fabs(tout));
}

/* SUNDIALS 6.4 cannot clear a stop time (CVodeClearStopTime came in 6.5.1), and CVODE keeps
 * one across CVodeReInit and after a return that reached it without CV_TSTOP_RETURN (tout ==
 * tstop): the next CVode call would then stop at once, or after a restart refuse to start
 * ("tstop is behind current t"). A stop time beyond any reachable time is no stop time. */
#define NO_STOP_TIME DBL_MAX

static ms_status drop_stop_time(ms_ode *ode, ms_error *err)
{
    ode->has_stop = 0;
    int flag = CVodeSetStopTime(ode->mem, NO_STOP_TIME);
    return flag ? fail(ode, err, "CVodeSetStopTime", flag) : MS_OK;
}

ms_status ms_ode_set_stop_time(ms_ode *ode, double t_stop, ms_error *err)
{
    if (ode->ros) return msi_ros_set_stop_time(ode->ros, t_stop, err);
    if (!isfinite(t_stop) || t_stop < ode->t)
        return ms_error_set(err, MS_EINVAL, "ode: stop time %.17g s is not ahead of the current "
                            "time %.17g s", t_stop, ode->t);
    if (too_close(ode->t, t_stop)) return MS_OK;   /* reached, as ms_ode_advance would say */
    realtype tn = ode->t;
    CVodeGetCurrentTime(ode->mem, &tn);
    if (t_stop < tn)
        return ms_error_set(err, MS_EINVAL, "ode: stop time %.17g s is behind the last internal "
                            "step (%.17g s); set it before advancing past it", t_stop, tn);
    ode->sun_msg[0] = '\0';
    int flag = CVodeSetStopTime(ode->mem, t_stop);
    if (flag) return fail(ode, err, "CVodeSetStopTime", flag);
    ode->t_stop = t_stop;
    ode->has_stop = 1;
    return MS_OK;
}

ms_status ms_ode_advance(ms_ode *ode, double tout, double *t_reached, int *n_found, ms_error *err)
{
    if (ode->ros) return msi_ros_advance(ode->ros, tout, t_reached, n_found, err);
    *n_found = 0;
    if (too_close(ode->t, tout)) {
        *t_reached = ode->t;
        return MS_OK;
    }
    realtype tret = ode->t;
    ode->sun_msg[0] = '\0';
    ode->worst = -1;
    int flag = CVode(ode->mem, tout, ode->y, &tret, CV_NORMAL);
    if (flag < 0) return advance_failed(ode, flag, tret, tout, err);
    ode->t = tret;
    scatter(ode);
    if (ode->has_stop && (tret >= ode->t_stop || too_close(tret, ode->t_stop))) {
        ms_status st = drop_stop_time(ode, err);
        if (st) return st;
    }
    if (ode->q) {
        realtype tq;
        int qflag = CVodeGetQuad(ode->mem, &tq, ode->q);
        if (qflag < 0) return fail(ode, err, "CVodeGetQuad", qflag);
    }
    if (flag == CV_ROOT_RETURN) {
        CVodeGetRootInfo(ode->mem, ode->roots_found);
        for (size_t k = 0; k < ode->spec.n_roots; k++)
            if (ode->roots_found[k]) (*n_found)++;
    }
    *t_reached = tret;
    return MS_OK;
}

const int *ms_ode_roots_found(const ms_ode *ode) { return ode->ros ? msi_ros_roots_found(ode->ros) : ode->roots_found; }
double *ms_ode_state(ms_ode *ode)
{
    if (ode->ros) return msi_ros_state(ode->ros);
    return ode->dyn ? ode->y_full : NV_DATA_S(ode->y);
}
double ms_ode_time(const ms_ode *ode) { return ode->ros ? msi_ros_time(ode->ros) : ode->t; }
const double *ms_ode_quad(ms_ode *ode)
{
    if (ode->ros) return msi_ros_quad(ode->ros);
    return ode->q ? NV_DATA_S(ode->q) : NULL;
}

static void cvode_counters(const ms_ode *ode, ms_ode_stats *out)
{
    memset(out, 0, sizeof *out);
    CVodeGetNumSteps(ode->mem, &out->steps);
    CVodeGetNumRhsEvals(ode->mem, &out->rhs_evals);
    CVodeGetNumJacEvals(ode->mem, &out->jac_evals);
    CVodeGetNumErrTestFails(ode->mem, &out->err_test_fails);
    if (ode->spec.n_roots) CVodeGetNumGEvals(ode->mem, &out->root_evals);
}

ms_status ms_ode_reinit(ms_ode *ode, double t, ms_error *err)
{
    if (ode->ros) return msi_ros_reinit(ode->ros, t, err);
    ms_ode_stats now;
    cvode_counters(ode, &now);
    ode->before.steps += now.steps;
    ode->before.rhs_evals += now.rhs_evals;
    ode->before.jac_evals += now.jac_evals;
    ode->before.err_test_fails += now.err_test_fails;
    ode->before.root_evals += now.root_evals;
    gather(ode);
    int flag = CVodeReInit(ode->mem, t, ode->y);
    if (flag) return fail(ode, err, "CVodeReInit", flag);
    /* CVodeReInit restarts the state history only; the quadrature history must restart
     * too, from the values reached so far, or it would be extrapolated across the jump. */
    if (ode->q && (flag = CVodeQuadReInit(ode->mem, ode->q))) return fail(ode, err, "CVodeQuadReInit", flag);
    if (ode->has_stop && (t >= ode->t_stop || too_close(t, ode->t_stop))) {
        ms_status st = drop_stop_time(ode, err);
        if (st) return st;
    }
    ode->t = t;
    ode->reinits++;
    return MS_OK;
}

ms_status ms_ode_sample(ms_ode *ode, double t, double *y_out, ms_error *err)
{
    if (ode->ros) return msi_ros_sample(ode->ros, t, y_out, err);
    if (t == ode->t) {
        memcpy(y_out, ms_ode_state(ode), ode->spec.n * sizeof(double));
        return MS_OK;
    }
    /* with held states CVODE interpolates its own entries (into the scratch f_cb, free
     * between callbacks) and the held ones are as they are */
    double *yd = ode->dyn ? ode->f_cb : y_out;
    N_Vector v = N_VMake_Serial((sunindextype)ode->nd, yd, ode->sun);
    if (!v) return ms_error_set(err, MS_ENOMEM, "ode: out of memory while sampling");
    int flag = CVodeGetDky(ode->mem, t, 0, v);
    N_VDestroy(v);
    if (flag) return fail(ode, err, "CVodeGetDky", flag);
    if (ode->dyn) {
        double tmp[ode->nd];
        memcpy(tmp, yd, sizeof tmp);
        memcpy(y_out, ode->y_full, ode->spec.n * sizeof(double));
        for (size_t k = 0; k < ode->nd; k++) y_out[ode->dyn[k]] = tmp[k];
    }
    return MS_OK;
}

void ms_ode_get_stats(const ms_ode *ode, ms_ode_stats *out)
{
    if (ode->ros) {
        msi_ros_get_stats(ode->ros, out);
        return;
    }
    cvode_counters(ode, out);
    out->steps += ode->before.steps;
    out->rhs_evals += ode->before.rhs_evals;
    out->jac_evals += ode->before.jac_evals;
    out->err_test_fails += ode->before.err_test_fails;
    out->root_evals += ode->before.root_evals;
    out->reinits = ode->reinits;
}

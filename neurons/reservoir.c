/* neurons/reservoir.c: the mask, the scaling of inputs into pulse voltages and the pulse-by-
 * pulse drive of N parallel dynamic memristors (neurons/ms_reservoir.h, docs/reservoir.md). */
#include "neurons/ms_reservoir.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ms_rng.h"
#include "devices/ms_dendrite.h"
#include "neurons/ms_circuit.h"
#include "neurons/ms_device_drive.h"

/* Largest M x N: a million features per input is far beyond any published reservoir and keeps
 * T x M x N within memory for the ODE path. */
#define MAX_FEATURES 1000000u

struct ms_reservoir {
    const ms_device_class *c;
    double p[MS_DEVICE_MAX_PARAMS];   /* nominal parameters                                  */
    ms_reservoir_opts o;
    int kind;                  /* 3: dynamic_tiox, 4: dynamic_wox, 0: other (ODE only)       */
    signed char *mask;         /* [n x m]                                                    */
    double *y;                 /* [n x n_state]                                              */
    double *pd;                /* [n x n_params]: each device's own parameters               */
    ms_rng *noise;             /* [n]: each device's read and c2c noise stream               */
};

static double rng_uniform(void *ud) { return ms_rng_uniform(ud); }
static double rng_normal(void *ud) { return ms_rng_normal(ud); }

void ms_reservoir_opts_default(ms_reservoir_opts *o)
{
    *o = (ms_reservoir_opts){ .n = 25, .m = 4, .v_min_V = 0.0, .v_max_V = 2.5,
                              .t_pulse_s = 4e-6, .t_gap_s = 0.0, .method = MS_RES_EXACT,
                              .read = MS_RES_READ_INPUT, .v_read_V = 1.9, .read_noise = 0.0,
                              .c2c = 0.0, .seed = 1 };
}

static ms_status check_opts(const ms_device_class *c, const double *p, const ms_reservoir_opts *o,
                            int kind, ms_error *err)
{
    const double vr = MS_NODE_V_RANGE_V;
    if (o->n < 1 || o->m < 1 || o->n > MAX_FEATURES / o->m)
        return ms_error_set(err, MS_EINVAL, "reservoir: n = %zu devices and mask_length = %zu must be "
                            ">= 1 with n x mask_length <= %u", o->n, o->m, MAX_FEATURES);
    if (!(isfinite(o->v_min_V) && isfinite(o->v_max_V) && o->v_min_V < o->v_max_V))
        return ms_error_set(err, MS_EINVAL, "reservoir: v_min = %g V must be below v_max = %g V",
                            o->v_min_V, o->v_max_V);
    if (!(fabs(o->v_min_V) <= vr && fabs(o->v_max_V) <= vr && fabs(o->v_read_V) <= vr))
        return ms_error_set(err, MS_EINVAL, "reservoir: v_min = %g V, v_max = %g V and v_read = %g V "
                            "must lie in [%g, %g] V, the range of a supply", o->v_min_V, o->v_max_V,
                            o->v_read_V, -vr, vr);
    if (!(o->t_pulse_s > 0 && isfinite(o->t_pulse_s)) || !(o->t_gap_s >= 0 && isfinite(o->t_gap_s)))
        return ms_error_set(err, MS_EINVAL, "reservoir: t_pulse = %g s must be > 0 and t_gap = %g s "
                            ">= 0", o->t_pulse_s, o->t_gap_s);
    if (o->in_lo != o->in_hi && !(isfinite(o->in_lo) && isfinite(o->in_hi) && o->in_lo < o->in_hi))
        return ms_error_set(err, MS_EINVAL, "reservoir: input_range {%g, %g} must be finite with "
                            "low < high", o->in_lo, o->in_hi);
    if (!(o->read_noise >= 0 && o->read_noise <= 1) || !(o->c2c >= 0 && o->c2c <= 1))
        return ms_error_set(err, MS_EINVAL, "reservoir: read_noise = %g and c2c = %g (relative "
                            "sigmas) must lie in [0, 1]", o->read_noise, o->c2c);
    if (o->c2c > 0 && o->method == MS_RES_ODE)
        return ms_error_set(err, MS_EINVAL, "reservoir: c2c = %g needs method 'exact' or 'map': "
                            "CVODE integrates one drive without pulse-by-pulse steps", o->c2c);
    if (c->n_state < 1 || !c->current)
        return ms_error_set(err, MS_EINVAL, "reservoir: device '%s' has no state to remember inputs "
                            "with", c->name);
    if (o->method == MS_RES_EXACT && !kind)
        return ms_error_set(err, MS_EINVAL, "reservoir: method 'exact' knows dynamic_tiox and "
                            "dynamic_wox, not '%s'; use method 'ode'", c->name);
    if (o->method == MS_RES_MAP) {
        if (kind != 3)
            return ms_error_set(err, MS_EINVAL, "reservoir: method 'map' is the map of dynamic_tiox, "
                                "not of '%s'", c->name);
        if (o->t_pulse_s != p[MS_TIOX_DT_IN] || o->t_gap_s != 0)
            return ms_error_set(err, MS_EINVAL, "reservoir: method 'map' steps by dt_in = %g s: "
                                "t_pulse = %g s must equal it and t_gap = %g s be 0",
                                p[MS_TIOX_DT_IN], o->t_pulse_s, o->t_gap_s);
    }
    return MS_OK;
}

ms_status ms_reservoir_new(const ms_device_class *c, const double *p, const ms_reservoir_opts *o,
                           ms_reservoir **out, ms_error *err)
{
    *out = NULL;
    if (!c || !p || !o) return ms_error_set(err, MS_EINVAL, "reservoir: no device or no options");
    char msg[MS_ERRMSG_LEN];
    if (ms_device_check(c, p, msg, sizeof msg) != MS_DEV_OK)
        return ms_error_set(err, MS_EINVAL, "reservoir: %s", msg);
    int kind = strcmp(c->name, "dynamic_tiox") == 0 ? 3 : strcmp(c->name, "dynamic_wox") == 0 ? 4 : 0;
    ms_status st = check_opts(c, p, o, kind, err);
    if (st) return st;
    ms_reservoir *r = calloc(1, sizeof *r);
    if (r) {
        r->mask = malloc(o->n * o->m);
        r->y = malloc(o->n * c->n_state * sizeof *r->y);
        r->pd = malloc(o->n * c->n_params * sizeof *r->pd);
        r->noise = malloc(o->n * sizeof *r->noise);
    }
    if (!r || !r->mask || !r->y || !r->pd || !r->noise) {
        ms_reservoir_free(r);
        return ms_error_set(err, MS_ENOMEM, "reservoir: out of memory for %zu devices", o->n);
    }
    r->c = c;
    memcpy(r->p, p, c->n_params * sizeof *p);
    r->o = *o;
    r->kind = kind;
    /* The mask: entry k (row-major) is +1 when draw k of stream (seed, 0, MS_RNG_MASK) is
     * >= 1/2, else -1, as the code's 2 unidrnd(2) - 3 draws each entry independently. */
    ms_rng g;
    ms_rng_init(&g, o->seed, 0, MS_RNG_MASK);
    for (size_t k = 0; k < o->n * o->m; k++) r->mask[k] = ms_rng_uniform(&g) >= 0.5 ? 1 : -1;
    /* Device j: its parameters from (seed, j, variation), its noise from (seed, j, noise), so
     * a device is the same whatever N is. */
    for (size_t j = 0; j < o->n; j++) {
        ms_rng_init(&g, o->seed, j, MS_RNG_VARIATION);
        ms_device_rng dr = { rng_uniform, rng_normal, &g };
        if (ms_device_sample(c, p, r->pd + j * c->n_params, &dr, msg, sizeof msg) != MS_DEV_OK) {
            ms_reservoir_free(r);
            return ms_error_set(err, MS_EINVAL, "reservoir: device %zu: %s", j + 1, msg);
        }
        ms_rng_init(r->noise + j, o->seed, j, MS_RNG_NOISE);
    }
    ms_reservoir_reset(r);
    *out = r;
    return MS_OK;
}

void ms_reservoir_free(ms_reservoir *r)
{
    if (!r) return;
    free(r->mask);
    free(r->y);
    free(r->pd);
    free(r->noise);
    free(r);
}

size_t ms_reservoir_n_features(const ms_reservoir *r) { return r->o.n * r->o.m; }
size_t ms_reservoir_n_state(const ms_reservoir *r) { return r->c->n_state; }
const ms_reservoir_opts *ms_reservoir_options(const ms_reservoir *r) { return &r->o; }
const signed char *ms_reservoir_mask(const ms_reservoir *r) { return r->mask; }
const double *ms_reservoir_state(const ms_reservoir *r) { return r->y; }
const double *ms_reservoir_params(const ms_reservoir *r, size_t j)
{
    return j < r->o.n ? r->pd + j * r->c->n_params : NULL;
}

void ms_reservoir_reset(ms_reservoir *r)
{
    for (size_t j = 0; j < r->o.n; j++) r->c->init(r->pd + j * r->c->n_params, r->y + j * r->c->n_state);
}

/* The voltages of all pulses, [T x M N] in feature order: the masked inputs mapped linearly
 * from [lo, hi] onto [v_min, v_max]. */
static ms_status scale(const ms_reservoir *r, const double *u, size_t T, double *V, ms_error *err)
{
    size_t n = r->o.n, m = r->o.m;
    double lo = r->o.in_lo, hi = r->o.in_hi;
    for (size_t t = 0; t < T; t++)
        if (!isfinite(u[t]))
            return ms_error_set(err, MS_EINVAL, "reservoir: drive: input %zu = %g is not finite",
                                t + 1, u[t]);
    if (lo == hi) {
        lo = INFINITY, hi = -INFINITY;
        for (size_t t = 0; t < T; t++)
            for (size_t k = 0; k < n * m; k++) {
                double x = u[t] * r->mask[k];
                lo = fmin(lo, x), hi = fmax(hi, x);
            }
        if (!(lo < hi))
            return ms_error_set(err, MS_EINVAL, "reservoir: drive: the %zu masked inputs are all %g, "
                                "nothing to scale; give input_range", T * n * m, lo + 0.0);
    }
    double g = (r->o.v_max_V - r->o.v_min_V) / (hi - lo);
    for (size_t t = 0; t < T; t++)
        for (size_t mm = 0; mm < m; mm++)
            for (size_t j = 0; j < n; j++)
                V[t * n * m + mm * n + j] = r->o.v_min_V + (u[t] * r->mask[j * m + mm] - lo) * g;
    return MS_OK;
}

/* The read of a device with parameters p in state y; xi is its read-noise draw. */
static double read(const ms_reservoir *r, const double *p, const double *y, double v_pulse, double xi)
{
    double v = r->o.read == MS_RES_READ_INPUT ? v_pulse : r->o.v_read_V;
    return r->c->current(0.0, y, p, v) * (1.0 + r->o.read_noise * xi);
}

static double hold(const ms_reservoir *r, const double *p, double x, double v, double t)
{
    return r->kind == 3 ? ms_tiox_hold(p, x, v, t) : ms_wox_hold(p, x, v, t);
}

/* The closed form or the map: one state per device. With noise on, every pulse draws two
 * normals from its device's stream, c2c then read, whichever sigma is 0, so turning one of
 * them on does not move the other's draws; with both off nothing is drawn (exact reads). */
static void drive_fast(ms_reservoir *r, const double *V, size_t T, double *X)
{
    size_t nm = r->o.n * r->o.m, np = r->c->n_params;
    double tp = r->o.t_pulse_s, tg = r->o.t_gap_s, c2c = r->o.c2c;
    int noisy = r->o.read_noise > 0 || c2c > 0;
    for (size_t t = 0; t < T; t++)
        for (size_t k = 0; k < nm; k++) {
            size_t j = k % r->o.n;
            const double *p = r->pd + j * np;
            double v = V[t * nm + k], x0 = r->y[j], x;
            x = r->o.method == MS_RES_MAP ? ms_tiox_map_step(p, x0, v) : hold(r, p, x0, v, tp);
            double xc = 0.0, xr = 0.0;
            if (noisy) xc = ms_rng_normal(r->noise + j), xr = ms_rng_normal(r->noise + j);
            if (c2c > 0) {
                /* the state's domain: [0, 1] for G, [w_min, 1] for w */
                double lo = r->kind == 4 ? p[MS_WOX_W_MIN] : 0.0;
                x = fmin(1.0, fmax(lo, x0 + (x - x0) * (1.0 + c2c * xc)));
            }
            X[t * nm + k] = read(r, p, &x, v, xr);
            if (tg > 0) x = hold(r, p, x, 0.0, tg);
            r->y[j] = x;
        }
}

/* CVODE: one drive per device over the whole train of trapezoids (rise and fall over the
 * drive's edge time, flat for t_pulse - edge, so the width at half height is t_pulse), read at
 * the end of each flat top. */
static ms_status drive_ode(ms_reservoir *r, const double *V, size_t T, double *X, ms_error *err)
{
    size_t n = r->o.n, m = r->o.m, nm = n * m, np = T * m, ns = r->c->n_state;
    ms_drive_opts o;
    ms_drive_opts_default(&o);
    double e = o.t_edge_s, tp = r->o.t_pulse_s, tg = r->o.t_gap_s;
    if (!(tp > 2 * e))
        return ms_error_set(err, MS_EINVAL, "reservoir: method 'ode': t_pulse = %g s must exceed twice "
                            "the pulse edge, %g s", tp, 2 * e);
    size_t per = tg > 0 ? 4 : 3, npts = 1 + per * np;
    double *tt = malloc(npts * sizeof *tt), *vv = malloc(npts * sizeof *vv);
    if (!tt || !vv) {
        free(tt), free(vv);
        return ms_error_set(err, MS_ENOMEM, "reservoir: out of memory for %zu pulses", np);
    }
    ms_status st = MS_OK;
    for (size_t j = 0; j < n && !st; j++) {
        /* pulse q: 0 V at s, V at s + e, V at s + tp, 0 V at s + tp + e, rest to s + tp + e + tg */
        size_t a = 0;
        double s = 0.0;
        tt[a] = 0.0, vv[a++] = 0.0;
        for (size_t q = 0; q < np; q++) {
            double v = V[(q / m) * nm + (q % m) * n + j];
            tt[a] = s + e, vv[a++] = v;
            tt[a] = s + tp, vv[a++] = v;
            tt[a] = s + tp + e, vv[a++] = 0.0;
            if (tg > 0) tt[a] = s + tp + e + tg, vv[a++] = 0.0;
            s += tp + e + tg;
        }
        ms_pwl w = { npts, tt, vv };
        ms_drive_result *res = NULL;
        const double *p = r->pd + j * r->c->n_params;
        st = ms_device_drive(r->c, p, r->y + j * ns, &w, &o, &res, err);
        if (st) break;
        double y[MS_DEVICE_MAX_STATE];
        for (size_t q = 0; q < np; q++) {
            size_t at = 1 + per * q + 1;   /* the end of the flat top */
            for (size_t k = 0; k < ns; k++) y[k] = res->x[k * res->n + at];
            double xr = r->o.read_noise > 0 ? ms_rng_normal(r->noise + j) : 0.0;
            X[(q / m) * nm + (q % m) * n + j] = read(r, p, y, vv[at], xr);
        }
        for (size_t k = 0; k < ns; k++) r->y[j * ns + k] = res->x[k * res->n + res->n - 1];
        ms_drive_result_free(res);
    }
    free(tt), free(vv);
    return st;
}

ms_status ms_reservoir_drive(ms_reservoir *r, const double *u, size_t T, double *X, double *volts,
                             ms_error *err)
{
    if (!r || (!u && T) || (!X && T))
        return ms_error_set(err, MS_EINVAL, "reservoir: drive: no reservoir, inputs or output");
    if (T == 0) return MS_OK;
    size_t nm = ms_reservoir_n_features(r);
    double *V = volts ? volts : malloc(T * nm * sizeof *V);
    if (!V) return ms_error_set(err, MS_ENOMEM, "reservoir: drive: out of memory for %zu inputs", T);
    ms_status st = scale(r, u, T, V, err);
    if (!st) {
        if (r->o.method == MS_RES_ODE) st = drive_ode(r, V, T, X, err);
        else drive_fast(r, V, T, X);
    }
    if (!volts) free(V);
    return st;
}

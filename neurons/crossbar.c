/* neurons/crossbar.c: a signed weight matrix mapped onto "rram" conductances as a
 * compute-in-memory crossbar holds it (neurons/ms_crossbar.h, docs/crossbar.md).
 *
 * Per weight: quantise |w| to level k = round(|w| / w_max (levels - 1)); per device: draw its
 * parameters around the nominal ones (variation and stuck-at, stream MS_RNG_VARIATION), then
 * program it from its initial state to the nominal conductance of its level by write-verify or
 * by an open-loop set of the level's nominal state, let it relax for t_since, and read its mean
 * conductance. The devices/ layer owns the physics; this file owns the streams, the levels,
 * the bookkeeping and the report.
 * Source tags ([S N1-ED7], ...) are defined in docs/devices/sources.md. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/ms_rng.h"
#include "core/ms_status.h"
#include "devices/ms_device.h"
#include "devices/ms_program.h"
#include "devices/ms_rram.h"
#include "neurons/ms_crossbar.h"

/* ms_rng stream indices hold 48 bits (core/ms_rng.h). */
#define MAX_STREAM_INDEX ((uint64_t)1 << 48)

void ms_crossbar_opts_default(ms_crossbar_opts *o)
{
    const ms_device_class *c = ms_device_find("rram");
    double p[MS_DEVICE_MAX_PARAMS] = { 0 };
    if (c) ms_device_defaults(c, p);
    *o = (ms_crossbar_opts){
        .rows = 128, .cols = 32,                   /* the seed talk's tile [B]              */
        .levels = (int)p[MS_RRAM_N_LEVELS],        /* 64 (docs/devices/rram.md)             */
        .g_min = p[MS_RRAM_G_MIN],                 /* 2 uS [S EDGE]                         */
        .g_max = p[MS_RRAM_G_MAX],                 /* 20 uS [S EDGE]                        */
        .differential = 1,
        .w_max = 0.0,
        .clip = 0,
        .write_verify = 1,
        .wv_tol = p[MS_RRAM_WV_TOL],               /* half a level [I]                      */
        .relax_scale = 1.0,
        .seed = 1,
    };
}

/* ---- the streams of one device -------------------------------------------------------------- */

static double rng_uniform(void *ud) { return ms_rng_uniform(ud); }
static double rng_normal(void *ud) { return ms_rng_normal(ud); }

/* ---- write-verify with the energy of each pulse ----------------------------------------------
 * The same reads and pulses, in the same order and with the same draws, as ms_rram_program's
 * closed-form operations (devices/rram_nonideal.c), plus the energy of each pulse, which
 * ms_rram_program does not return. tests/neurons/test_crossbar.c checks the identity. */

typedef struct wv_dev {
    const double *p;
    double x;
    const ms_device_rng *rng;
    double energy_J;
} wv_dev;

static int wv_read(void *ud, double *G)
{
    wv_dev *d = ud;
    *G = ms_rram_read_G(d->p, d->x, d->rng);
    return 0;
}

/* Energy of a rectangular pulse, V^2 G t with G the mean of the conductance before and after:
 * the trapezoid rule on the state's path, exact for a linear change of G during the pulse.
 * Edges and the verify reads (0.2 V, (0.2/0.9)^2 ~ 5 % of the weakest pulse's power per unit
 * time) are left out. */
static int wv_pulse(void *ud, double v, double t_w)
{
    wv_dev *d = ud;
    double G0 = ms_rram_G(d->p, d->x);
    d->x = ms_rram_pulse(d->p, d->x, v, t_w, d->rng);
    d->energy_J += v * v * 0.5 * (G0 + ms_rram_G(d->p, d->x)) * t_w;
    return 0;
}

/* ---- one device ---------------------------------------------------------------------------- */

typedef struct dev_result {
    double x, G;       /* final state and mean read conductance (S)          */
    int stuck;         /* drawn stuck                                         */
    int pulses;        /* write-verify programming pulses                     */
    int failed;        /* write-verify ended outside its tolerance            */
    double energy_J;   /* programming energy                                  */
} dev_result;

static int program_device(const ms_device_class *c, const double *nom, const ms_crossbar_opts *o,
                          uint64_t index, int level, dev_result *r, char *msg, size_t len)
{
    ms_rng rv, rn;
    ms_rng_init(&rv, o->seed, index, MS_RNG_VARIATION);
    ms_rng_init(&rn, o->seed, index, MS_RNG_NOISE);
    ms_device_rng var = { rng_uniform, rng_normal, &rv }, noise = { rng_uniform, rng_normal, &rn };

    double p[MS_DEVICE_MAX_PARAMS], y[MS_DEVICE_MAX_STATE], y2[MS_DEVICE_MAX_STATE];
    char dmsg[256];
    if (ms_device_sample(c, nom, p, &var, dmsg, sizeof dmsg))
        return ms_msgf(msg, len, MS_EINVAL, "crossbar: device %llu: %s", (unsigned long long)index,
                    dmsg);
    /* The relaxation draw comes first in the noise stream, so it does not depend on how many
     * numbers programming used, and programming is the same whatever t_since is. */
    double xi = ms_rng_normal(&rn);

    *r = (dev_result){ 0 };
    r->stuck = p[MS_RRAM_STUCK] != MS_RRAM_HEALTHY;
    c->init(p, y);   /* x0, or the bound of a stuck device */
    /* The target is the level's nominal conductance: the programmer does not know the device's
     * own window, only the nominal one. */
    double G_target = ms_rram_level_G(nom, level);
    if (o->write_verify) {
        ms_wv_opts wv;
        ms_rram_wv_defaults(nom, G_target, &wv);   /* tolerance in nominal level spacings */
        wv_dev d = { p, y[MS_RRAM_X], &noise, 0.0 };
        ms_wv_ops ops = { wv_read, wv_pulse, &d };
        ms_wv_result res;
        if (ms_write_verify(&wv, &ops, &res, dmsg, sizeof dmsg))
            return ms_msgf(msg, len, MS_EINVAL, "crossbar: device %llu: %s",
                        (unsigned long long)index, dmsg);
        y[MS_RRAM_X] = d.x;
        r->pulses = res.pulses;
        r->failed = !res.converged;
        r->energy_J = d.energy_J;
    } else if (!r->stuck) {
        /* Open loop: the level's nominal state; the device's own window then decides G. */
        y[MS_RRAM_X] = ms_rram_x_of_G(nom, G_target);
    }
    if (o->t_since > 0 && c->relax) {
        c->relax(p, y, o->t_since, xi, y2);
        y[MS_RRAM_X] = y2[MS_RRAM_X];
    }
    r->x = y[MS_RRAM_X];
    r->G = ms_rram_G(p, r->x);   /* mean read: read noise belongs to each read in the network */
    return MS_OK;
}

/* ---- options -------------------------------------------------------------------------------- */

/* Sets a nominal rram parameter from an option and validates it against the parameter's range,
 * naming the option. */
static int set_param(const ms_device_class *c, double *p, int i, const char *opt, double value,
                     char *msg, size_t len)
{
    char dmsg[256];
    if (ms_device_param_validate(c, (size_t)i, value, dmsg, sizeof dmsg))
        return ms_msgf(msg, len, MS_EINVAL, "crossbar: option %s = %g: %s", opt, value, dmsg);
    p[i] = value;
    return MS_OK;
}

static int nominal_params(const ms_device_class *c, const ms_crossbar_opts *o, double *p,
                          char *msg, size_t len)
{
    if (o->rows < 1 || o->cols < 1)
        return ms_msgf(msg, len, MS_EINVAL,
                    "crossbar: tile size %zu x %zu: rows and cols must be >= 1", o->rows, o->cols);
    if (o->levels < 2)
        return ms_msgf(msg, len, MS_EINVAL, "crossbar: levels = %d must be >= 2", o->levels);
    if (!(isfinite(o->g_min) && isfinite(o->g_max)))
        return ms_msgf(msg, len, MS_EINVAL, "crossbar: g_min = %g S and g_max = %g S must be finite",
                    o->g_min, o->g_max);
    if (!(o->g_min < o->g_max))
        return ms_msgf(msg, len, MS_EINVAL, "crossbar: g_min = %g S must be < g_max = %g S",
                    o->g_min, o->g_max);
    if (!(isfinite(o->w_max) && o->w_max >= 0))
        return ms_msgf(msg, len, MS_EINVAL,
                    "crossbar: w_max = %g must be > 0, or 0 for the largest |w| of the matrix",
                    o->w_max);
    if (!(isfinite(o->t_since) && o->t_since >= 0))
        return ms_msgf(msg, len, MS_EINVAL, "crossbar: t_since = %g s must be a finite value >= 0",
                    o->t_since);
    if (!(isfinite(o->relax_scale) && o->relax_scale >= 0))
        return ms_msgf(msg, len, MS_EINVAL, "crossbar: relax_scale = %g must be a finite value >= 0",
                    o->relax_scale);

    ms_device_defaults(c, p);
    /* Each non-ideality is off unless its option turns it on: the rram defaults carry
     * variation and stuck-at rates that a mapping asks for explicitly. */
    int rc = 0;
    rc = rc ? rc : set_param(c, p, MS_RRAM_G_MIN, "g_min", o->g_min, msg, len);
    rc = rc ? rc : set_param(c, p, MS_RRAM_G_MAX, "g_max", o->g_max, msg, len);
    rc = rc ? rc : set_param(c, p, MS_RRAM_N_LEVELS, "levels", o->levels, msg, len);
    rc = rc ? rc : set_param(c, p, MS_RRAM_D2D_G, "variation", o->variation, msg, len);
    rc = rc ? rc : set_param(c, p, MS_RRAM_D2D_STEP, "variation", o->variation, msg, len);
    rc = rc ? rc : set_param(c, p, MS_RRAM_SIGMA_C2C, "c2c", o->c2c, msg, len);
    rc = rc ? rc : set_param(c, p, MS_RRAM_SIGMA_READ, "read_noise", o->read_noise, msg, len);
    rc = rc ? rc : set_param(c, p, MS_RRAM_P_STUCK_OFF, "p_stuck_off", o->p_stuck_off, msg, len);
    rc = rc ? rc : set_param(c, p, MS_RRAM_P_STUCK_ON, "p_stuck_on", o->p_stuck_on, msg, len);
    rc = rc ? rc : set_param(c, p, MS_RRAM_WV_TOL, "wv_tol", o->wv_tol, msg, len);
    rc = rc ? rc : set_param(c, p, MS_RRAM_WEAR, "wear", o->wear, msg, len);
    double s = o->t_since > 0 ? o->relax_scale : 0.0;
    rc = rc ? rc : set_param(c, p, MS_RRAM_RELAX_MU, "relax_scale", s * p[MS_RRAM_RELAX_MU], msg,
                             len);
    rc = rc ? rc : set_param(c, p, MS_RRAM_RELAX_SIG0, "relax_scale", s * p[MS_RRAM_RELAX_SIG0],
                             msg, len);
    rc = rc ? rc : set_param(c, p, MS_RRAM_RELAX_SIG1, "relax_scale", s * p[MS_RRAM_RELAX_SIG1],
                             msg, len);
    if (rc) return rc;
    char dmsg[256];
    if (ms_device_check(c, p, dmsg, sizeof dmsg))
        return ms_msgf(msg, len, MS_EINVAL, "crossbar: %s", dmsg);
    return MS_OK;
}

/* Checks every weight and returns the w_max to use. */
static int check_weights(const ms_crossbar_opts *o, const double *w, size_t n, double *w_max,
                         char *msg, size_t len)
{
    double big = 0.0;
    for (size_t s = 0; s < n; s++) {
        if (!isfinite(w[s]))
            return ms_msgf(msg, len, MS_EINVAL, "crossbar: weight %g at synapse %zu is not finite",
                        w[s], s);
        if (!o->differential && w[s] < 0)
            return ms_msgf(msg, len, MS_EINVAL,
                        "crossbar: weight %g at synapse %zu is negative, but differential = 0 "
                        "maps one device per weight, which holds only w >= 0",
                        w[s], s);
        big = fmax(big, fabs(w[s]));
    }
    /* An all-zero matrix maps every weight to level 0 whatever w_max is; 1 avoids 0/0. */
    *w_max = o->w_max > 0 ? o->w_max : (big > 0 ? big : 1.0);
    if (o->clip) return MS_OK;
    for (size_t s = 0; s < n; s++)
        if (fabs(w[s]) > *w_max)
            return ms_msgf(msg, len, MS_EINVAL,
                        "crossbar: weight %g at synapse %zu is outside [-w_max, w_max] = "
                        "[%g, %g] (set clip = true to clip)",
                        w[s], s, -*w_max, *w_max);
    return MS_OK;
}

static size_t ceil_div(size_t a, size_t b) { return a / b + (a % b != 0); }

/* ---- the mapping ---------------------------------------------------------------------------- */

int ms_crossbar_nominal(const ms_crossbar_opts *o, double *nom, char *msg, size_t len)
{
    if (!o) return ms_msgf(msg, len, MS_EINVAL, "crossbar: options are NULL");
    const ms_device_class *c = ms_device_find("rram");
    if (!c) return ms_msgf(msg, len, MS_EINVAL, "crossbar: device class rram is not registered");
    return nominal_params(c, o, nom, msg, len);
}

int ms_crossbar_device(const ms_crossbar_opts *o, const double *nom, uint64_t index, double *p,
                       double *xi, char *msg, size_t len)
{
    const ms_device_class *c = ms_device_find("rram");
    if (!c) return ms_msgf(msg, len, MS_EINVAL, "crossbar: device class rram is not registered");
    /* The same streams and the same first draws as program_device. */
    ms_rng rv, rn;
    ms_rng_init(&rv, o->seed, index, MS_RNG_VARIATION);
    ms_rng_init(&rn, o->seed, index, MS_RNG_NOISE);
    ms_device_rng var = { rng_uniform, rng_normal, &rv };
    char dmsg[256];
    if (ms_device_sample(c, nom, p, &var, dmsg, sizeof dmsg))
        return ms_msgf(msg, len, MS_EINVAL, "crossbar: device %llu: %s", (unsigned long long)index,
                    dmsg);
    if (xi) *xi = ms_rng_normal(&rn);
    return MS_OK;
}

int ms_crossbar_map(const ms_crossbar_opts *o, const double *w, size_t n, size_t n_pre,
                    size_t n_post, uint64_t stream_base, double *g_pos, double *g_neg,
                    double *x_pos, double *x_neg, double *w_real, ms_crossbar_report *rep,
                    char *msg, size_t len)
{
    if (!o) return ms_msgf(msg, len, MS_EINVAL, "crossbar: options are NULL");
    if (n > 0 && !w) return ms_msgf(msg, len, MS_EINVAL, "crossbar: %zu weights but w is NULL", n);
    const ms_device_class *c = ms_device_find("rram");
    if (!c) return ms_msgf(msg, len, MS_EINVAL, "crossbar: device class rram is not registered");
    double nom[MS_DEVICE_MAX_PARAMS];
    int rc = nominal_params(c, o, nom, msg, len);
    if (rc) return rc;
    int fits = n == 0 || (n_pre > 0 && n_post > 0 &&
                          (n_pre > SIZE_MAX / n_post || n <= n_pre * n_post));
    if (!fits)
        return ms_msgf(msg, len, MS_EINVAL,
                    "crossbar: %zu weights do not fit an n_pre x n_post = %zu x %zu matrix", n,
                    n_pre, n_post);
    int diff = o->differential != 0;
    size_t per = diff ? 2 : 1;
    if (stream_base >= MAX_STREAM_INDEX || (uint64_t)n > (MAX_STREAM_INDEX - stream_base) / per)
        return ms_msgf(msg, len, MS_EINVAL,
                    "crossbar: streams %llu + %zu devices exceed the 48-bit stream index",
                    (unsigned long long)stream_base, n * per);
    double w_max = 1.0;
    rc = check_weights(o, w, n, &w_max, msg, len);
    if (rc) return rc;

    int top = o->levels - 1;
    unsigned char *used = calloc((size_t)o->levels, 1);
    if (!used) return ms_msgf(msg, len, MS_ENOMEM, "crossbar: no memory for %d levels", o->levels);

    ms_crossbar_report r = { 0 };
    r.n_weights = n;
    r.n_devices = n * per;
    r.w_max = w_max;
    r.tile_rows = ceil_div(n_pre, o->rows);
    r.tile_cols = ceil_div(per * n_post, o->cols);   /* a pair = two adjacent bit lines */
    r.tiles = r.tile_rows * r.tile_cols;
    double to_w = w_max / (o->g_max - o->g_min);      /* weight per siemens */
    double sq = 0.0;
    long long pulses = 0;

    for (size_t s = 0; s < n; s++) {
        double ws = w[s];
        if (fabs(ws) > w_max) {   /* only reached with clip set */
            ws = copysign(w_max, ws);
            r.n_clipped++;
        }
        double kd = floor(fabs(ws) / w_max * top + 0.5);
        int k = kd > top ? top : (int)kd;
        /* The level on the device of the weight's sign, level 0 (g_min) on its partner. */
        int k_pos = ws >= 0 ? k : 0, k_neg = ws < 0 ? k : 0;
        dev_result dp, dn = { 0 };
        uint64_t base = stream_base + (uint64_t)s * per;
        rc = program_device(c, nom, o, base, k_pos, &dp, msg, len);
        if (!rc && diff) rc = program_device(c, nom, o, base + 1, k_neg, &dn, msg, len);
        if (rc) {
            free(used);
            return rc;
        }
        used[k_pos] = 1;
        if (diff) used[k_neg] = 1;
        for (int d = 0; d < (int)per; d++) {
            const dev_result *dr = d ? &dn : &dp;
            r.n_stuck += (size_t)dr->stuck;
            r.n_wv_failed += (size_t)dr->failed;
            pulses += dr->pulses;
            r.write_energy += dr->energy_J;
        }
        double wr = diff ? (dp.G - dn.G) * to_w : (dp.G - o->g_min) * to_w;
        double e = wr - w[s];   /* against the requested weight: clipping counts as error */
        sq += e * e;
        r.max_error = fmax(r.max_error, fabs(e));
        if (g_pos) g_pos[s] = dp.G;
        if (x_pos) x_pos[s] = dp.x;
        if (g_neg) g_neg[s] = diff ? dn.G : 0.0;
        if (x_neg) x_neg[s] = diff ? dn.x : 0.0;
        if (w_real) w_real[s] = wr;
    }
    for (int k = 0; k <= top; k++) r.levels_used += used[k];
    free(used);
    r.rms_error = n ? sqrt(sq / (double)n) : 0.0;
    r.mean_pulses = r.n_devices ? (double)pulses / (double)r.n_devices : 0.0;
    if (rep) *rep = r;
    return MS_OK;
}

/* neurons/xbar.c: a mapped crossbar array after its mapping (neurons/ms_xbar.h): rate-mode
 * reads, sign-based in-situ pulses, write-verify reprogramming and relaxation, each through
 * the "rram" device's own pulse-level operations (devices/ms_rram.h). docs/crossbar.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ms_rng.h"
#include "devices/ms_device.h"
#include "devices/ms_program.h"
#include "devices/ms_rram.h"
#include "neurons/ms_xbar.h"

/* The parameters in which one device differs from the nominal ones (ms_crossbar_device). */
enum { D_GMIN, D_GMAX, D_KSET, D_KRESET, D_STUCK, D_N };

struct ms_xbar {
    ms_crossbar_opts o;
    ms_crossbar_report rep;
    size_t n_in, n_out, n_syn, n_dev, per;
    size_t *pre, *post; /* list mode: synapse s joins pre[s] to post[s]; NULL when dense    */
    double nom[MS_DEVICE_MAX_PARAMS];
    double *dev;        /* n_dev x D_N own parameters                                    */
    double *x, *xp;     /* state now, state after the last programming                   */
    double *xi;         /* relaxation draw per device                                    */
    double *G;          /* mean read conductance per device (S)                          */
    double *gd, *gs2, *gsum;  /* per synapse: G+ - G-, G+^2 + G-^2, G+ + G- (S, S^2, S)   */
    double *var;        /* n_out scratch: read-noise variance per column                 */
    uint32_t *wear;
    int *level;         /* target level per device (of the mapping or the last program)  */
    ms_rng rd, up;      /* read and in-situ programming streams                          */
    unsigned long long n_updates;
    double t_age;
    ms_xbar_stats st;
    ms_error err;
};

static double rng_uniform(void *ud) { return ms_rng_uniform(ud); }
static double rng_normal(void *ud) { return ms_rng_normal(ud); }

/* Device k's full parameter vector. */
static void dev_params(const ms_xbar *xb, size_t k, double *p)
{
    memcpy(p, xb->nom, sizeof xb->nom);
    const double *d = xb->dev + k * D_N;
    p[MS_RRAM_G_MIN] = d[D_GMIN];
    p[MS_RRAM_G_MAX] = d[D_GMAX];
    p[MS_RRAM_K_SET] = d[D_KSET];
    p[MS_RRAM_K_RESET] = d[D_KRESET];
    p[MS_RRAM_STUCK] = d[D_STUCK];
}

/* Refreshes device k's mean conductance and its synapse's sums. */
static void refresh(ms_xbar *xb, size_t k)
{
    double p[MS_DEVICE_MAX_PARAMS];
    dev_params(xb, k, p);
    xb->G[k] = ms_rram_G(p, xb->x[k]);
    size_t s = k / xb->per;
    double gp = xb->G[s * xb->per], gn = xb->per == 2 ? xb->G[s * 2 + 1] : 0.0;
    xb->gd[s] = xb->per == 2 ? gp - gn : gp;
    xb->gs2[s] = gp * gp + gn * gn;
    xb->gsum[s] = gp + gn;
}

/* The target level of every device for weights w (clipped to +-w_max): the weight's level on
 * the device of its sign, level 0 on its partner, as ms_crossbar_map quantises. */
static void set_levels(ms_xbar *xb, const double *w, double w_max)
{
    int top = xb->o.levels - 1;
    for (size_t s = 0; s < xb->n_syn; s++) {
        double ws = fmax(-w_max, fmin(w_max, w[s]));
        double kd = floor(fabs(ws) / w_max * top + 0.5);
        int k = kd > top ? top : (int)kd;
        xb->level[s * xb->per] = ws >= 0 ? k : 0;
        if (xb->per == 2) xb->level[s * 2 + 1] = ws < 0 ? k : 0;
    }
}

void ms_xbar_free(ms_xbar *xb)
{
    if (!xb) return;
    free(xb->dev), free(xb->x), free(xb->xp), free(xb->xi), free(xb->G);
    free(xb->gd), free(xb->gs2), free(xb->gsum), free(xb->var), free(xb->wear), free(xb->level);
    free(xb->pre), free(xb->post);
    free(xb);
}

ms_status ms_xbar_create(const ms_crossbar_opts *o, const double *w, size_t n_in, size_t n_out,
                         uint64_t stream_base, ms_xbar **out, char *msg, size_t len)
{
    *out = NULL;
    if (n_in < 1 || n_out < 1)
        return ms_msgf(msg, len, MS_EINVAL, "crossbar: %zu inputs x %zu outputs: both must be >= 1",
                       n_in, n_out);
    if (n_in > SIZE_MAX / 2 / n_out / sizeof(double))
        return ms_msgf(msg, len, MS_EINVAL, "crossbar: %zu x %zu weights are too many", n_in, n_out);
    return ms_xbar_create_list(o, w, n_in * n_out, NULL, NULL, n_in, n_out, stream_base, out, msg,
                               len);
}

ms_status ms_xbar_create_list(const ms_crossbar_opts *o, const double *w, size_t n,
                              const size_t *pre, const size_t *post, size_t n_in, size_t n_out,
                              uint64_t stream_base, ms_xbar **out, char *msg, size_t len)
{
    *out = NULL;
    if (!o) return ms_msgf(msg, len, MS_EINVAL, "crossbar: options are NULL");
    if (n_in < 1 || n_out < 1)
        return ms_msgf(msg, len, MS_EINVAL, "crossbar: %zu inputs x %zu outputs: both must be >= 1",
                       n_in, n_out);
    if (n < 1) return ms_msgf(msg, len, MS_EINVAL, "crossbar: no synapses to map");
    if (n > SIZE_MAX / 2 / sizeof(double) / D_N)
        return ms_msgf(msg, len, MS_EINVAL, "crossbar: %zu synapses are too many", n);
    if ((pre == NULL) != (post == NULL))
        return ms_msgf(msg, len, MS_EINVAL, "crossbar: a synapse list needs both pre and post");
    /* The tiles hold the rows and columns the synapses occupy. */
    size_t map_in = n_in, map_out = n_out;
    if (pre) {
        map_in = map_out = 1;
        for (size_t s = 0; s < n; s++) {
            if (pre[s] >= n_in || post[s] >= n_out)
                return ms_msgf(msg, len, MS_EINVAL,
                               "crossbar: synapse %zu joins input %zu to output %zu, outside the "
                               "%zu x %zu array", s + 1, pre[s] + 1, post[s] + 1, n_in, n_out);
            if (pre[s] + 1 > map_in) map_in = pre[s] + 1;
            if (post[s] + 1 > map_out) map_out = post[s] + 1;
        }
    }
    ms_xbar *xb = calloc(1, sizeof *xb);
    if (!xb) return ms_msgf(msg, len, MS_ENOMEM, "crossbar: out of memory");
    xb->o = *o;
    xb->n_in = n_in, xb->n_out = n_out, xb->n_syn = n;
    if (pre) {
        xb->pre = malloc(n * sizeof *xb->pre), xb->post = malloc(n * sizeof *xb->post);
        if (!xb->pre || !xb->post) {
            ms_xbar_free(xb);
            return ms_msgf(msg, len, MS_ENOMEM, "crossbar: no memory for %zu synapses", n);
        }
        memcpy(xb->pre, pre, n * sizeof *pre), memcpy(xb->post, post, n * sizeof *post);
    }
    xb->per = o->differential ? 2 : 1;
    xb->n_dev = xb->n_syn * xb->per;
    /* The nominal parameters with the relaxation coefficients on (t_since > 0 switches them on
     * in ms_crossbar_nominal); the mapping itself runs at t_since = 0 and ageing follows. */
    ms_crossbar_opts on = *o;
    on.t_since = 1.0;
    int rc = ms_crossbar_nominal(&on, xb->nom, msg, len);
    size_t nd = xb->n_dev, ns = xb->n_syn;
    if (!rc) {
        xb->dev = malloc(nd * D_N * sizeof *xb->dev);
        xb->x = malloc(nd * sizeof *xb->x), xb->xp = malloc(nd * sizeof *xb->xp);
        xb->xi = malloc(nd * sizeof *xb->xi), xb->G = malloc(nd * sizeof *xb->G);
        xb->gd = malloc(ns * sizeof *xb->gd), xb->gs2 = malloc(ns * sizeof *xb->gs2);
        xb->gsum = malloc(ns * sizeof *xb->gsum), xb->var = malloc(n_out * sizeof *xb->var);
        xb->wear = calloc(nd, sizeof *xb->wear);
        xb->level = malloc(nd * sizeof *xb->level);
        if (!(xb->dev && xb->x && xb->xp && xb->xi && xb->G && xb->gd && xb->gs2 && xb->gsum &&
              xb->var && xb->wear && xb->level))
            rc = ms_msgf(msg, len, MS_ENOMEM, "crossbar: no memory for %zu devices", nd);
    }
    if (!rc) {
        ms_crossbar_opts m = *o;
        m.t_since = 0.0;
        /* xp and G serve as scratch for the negative states and the mapping's conductances. */
        double *xpos = xb->x, *xneg = xb->xp;
        if (xb->per == 2) xneg = xb->xi;   /* reused below after copying */
        rc = ms_crossbar_map(&m, w, ns, map_in, map_out, stream_base, NULL, NULL, xpos, xneg, NULL,
                             &xb->rep, msg, len);
        if (!rc) {
            /* Interleave into device order: 2s positive, 2s + 1 negative. */
            for (size_t s = ns; s-- > 0;) {
                double a = xpos[s], b = xb->per == 2 ? xneg[s] : 0.0;
                xb->xp[s * xb->per] = a;
                if (xb->per == 2) xb->xp[s * 2 + 1] = b;
            }
            memcpy(xb->x, xb->xp, nd * sizeof *xb->x);
            set_levels(xb, w, xb->rep.w_max);
        }
    }
    for (size_t k = 0; !rc && k < nd; k++) {
        double p[MS_DEVICE_MAX_PARAMS];
        rc = ms_crossbar_device(o, xb->nom, stream_base + k, p, &xb->xi[k], msg, len);
        double *d = xb->dev + k * D_N;
        d[D_GMIN] = p[MS_RRAM_G_MIN], d[D_GMAX] = p[MS_RRAM_G_MAX];
        d[D_KSET] = p[MS_RRAM_K_SET], d[D_KRESET] = p[MS_RRAM_K_RESET];
        d[D_STUCK] = p[MS_RRAM_STUCK];
    }
    if (rc) {
        ms_xbar_free(xb);
        return rc;
    }
    for (size_t k = 0; k < nd; k++) refresh(xb, k);
    ms_rng_init(&xb->rd, o->seed, stream_base, MS_RNG_READ);
    ms_rng_init(&xb->up, o->seed, stream_base, MS_RNG_UPDATE);
    xb->st.e_map_J = xb->rep.write_energy;
    if (o->t_since > 0 && (rc = ms_xbar_age(xb, o->t_since)) != MS_OK) {
        ms_msgf(msg, len, rc, "%s", xb->err.msg);
        ms_xbar_free(xb);
        return rc;
    }
    *out = xb;
    return MS_OK;
}

const char *ms_xbar_errmsg(const ms_xbar *xb) { return xb->err.msg; }
size_t ms_xbar_inputs(const ms_xbar *xb) { return xb->n_in; }
size_t ms_xbar_outputs(const ms_xbar *xb) { return xb->n_out; }
size_t ms_xbar_synapses(const ms_xbar *xb) { return xb->n_syn; }
size_t ms_xbar_devices(const ms_xbar *xb) { return xb->n_dev; }
const ms_crossbar_opts *ms_xbar_options(const ms_xbar *xb) { return &xb->o; }
const ms_crossbar_report *ms_xbar_report(const ms_xbar *xb) { return &xb->rep; }
double ms_xbar_v_read(const ms_xbar *xb) { return xb->nom[MS_RRAM_V_READ]; }
double ms_xbar_age_now(const ms_xbar *xb) { return xb->t_age; }
const uint32_t *ms_xbar_wear(const ms_xbar *xb) { return xb->wear; }

/* ---- reads ----------------------------------------------------------------------------------- */

ms_status ms_xbar_forward(ms_xbar *xb, const double *u, double *I, int noisy)
{
    size_t no = xb->n_out;
    double v = xb->nom[MS_RRAM_V_READ], sr = xb->nom[MS_RRAM_SIGMA_READ];
    for (size_t i = 0; i < xb->n_in; i++)
        if (!(u[i] >= 0 && u[i] <= 1))
            return ms_error_set(&xb->err, MS_EINVAL,
                                "crossbar: input %zu = %g is outside [0, 1] (a fraction of the "
                                "read voltage %g V)", i + 1, u[i], v);
    for (size_t j = 0; j < no; j++) I[j] = 0.0, xb->var[j] = 0.0;
    double e_sum = 0.0;
    for (size_t s = 0; xb->pre && s < xb->n_syn; s++) {   /* list mode: synapse by synapse */
        double ui = u[xb->pre[s]], u2 = ui * ui;
        size_t j = xb->post[s];
        I[j] += ui * xb->gd[s];
        xb->var[j] += u2 * xb->gs2[s];
        e_sum += u2 * xb->gsum[s];
    }
    for (size_t i = 0; !xb->pre && i < xb->n_in; i++) {
        double ui = u[i];
        if (ui == 0.0) continue;   /* an idle word line: no current, no read energy */
        const double *gd = xb->gd + i * no, *gs2 = xb->gs2 + i * no, *gsum = xb->gsum + i * no;
        double u2 = ui * ui, row = 0.0;
        for (size_t j = 0; j < no; j++) {
            I[j] += ui * gd[j];
            xb->var[j] += u2 * gs2[j];
            row += gsum[j];
        }
        e_sum += u2 * row;
    }
    for (size_t j = 0; j < no; j++) {
        I[j] *= v;
        /* single-ended: the current is sum u_i v G_ij, already in gd */
        if (noisy && sr > 0) I[j] += sr * v * sqrt(xb->var[j]) * ms_rng_normal(&xb->rd);
    }
    xb->st.e_read_J += e_sum * v * v * xb->nom[MS_RRAM_T_READ];
    xb->st.reads++;
    return MS_OK;
}

/* ---- programming ----------------------------------------------------------------------------- */

/* One pulse on device k with energy and wear; updates its state and sums. */
static void pulse(ms_xbar *xb, size_t k, double v, double t_w, double *energy)
{
    double p[MS_DEVICE_MAX_PARAMS];
    dev_params(xb, k, p);
    ms_device_rng r = { rng_uniform, rng_normal, &xb->up };
    double G0 = ms_rram_G(p, xb->x[k]);
    xb->x[k] = ms_rram_pulse(p, xb->x[k], v, t_w, &r);
    double G1 = ms_rram_G(p, xb->x[k]);
    *energy += v * v * 0.5 * (G0 + G1) * t_w;
    xb->xp[k] = xb->x[k];   /* a pulsed device counts as programmed now */
    if (xb->wear[k] < UINT32_MAX) xb->wear[k]++;
    refresh(xb, k);
}

/* The sign rule on synapse s with g = err x activation: one pulse when |g| > threshold. */
static void sign_pulse(ms_xbar *xb, size_t s, double g, double threshold, int set_phase,
                       ms_xbar_pulses *res)
{
    if (!(fabs(g) > threshold) || g == 0.0) return;
    int up = g > 0, set;
    size_t k;
    if (xb->per == 1) {
        k = s, set = up;
    } else if (set_phase) {
        k = 2 * s + (up ? 0 : 1), set = 1;   /* SET G+ raises w, SET G- lowers it   */
    } else {
        k = 2 * s + (up ? 1 : 0), set = 0;   /* RESET G- raises w, RESET G+ lowers it */
    }
    double v = set ? xb->nom[MS_RRAM_V_PULSE_SET] : xb->nom[MS_RRAM_V_PULSE_RESET];
    pulse(xb, k, v, xb->nom[MS_RRAM_T_PULSE], &res->energy_J);
    res->pulses++;
    if (set) res->n_set++;
    else res->n_reset++;
}

ms_status ms_xbar_update_sign(ms_xbar *xb, const double *u, const double *err, double threshold,
                              ms_xbar_phase phase, ms_xbar_pulses *r)
{
    if (!(threshold >= 0 && isfinite(threshold)))
        return ms_error_set(&xb->err, MS_EINVAL,
                            "crossbar: update threshold = %g must be a finite value >= 0",
                            threshold);
    if (phase != MS_XBAR_ALTERNATE && phase != MS_XBAR_SET_ONLY)
        return ms_error_set(&xb->err, MS_EINVAL, "crossbar: unknown update phase %d", (int)phase);
    for (size_t i = 0; i < xb->n_in; i++)
        if (!isfinite(u[i]))
            return ms_error_set(&xb->err, MS_EINVAL, "crossbar: activation %zu = %g is not finite",
                                i + 1, u[i]);
    for (size_t j = 0; j < xb->n_out; j++)
        if (!isfinite(err[j]))
            return ms_error_set(&xb->err, MS_EINVAL, "crossbar: error %zu = %g is not finite",
                                j + 1, err[j]);
    int set_phase = phase == MS_XBAR_SET_ONLY || xb->n_updates % 2 == 0;
    ms_xbar_pulses res = { 0 };
    if (xb->pre) {
        /* list mode: synapse by synapse, in their order */
        for (size_t s = 0; s < xb->n_syn; s++)
            sign_pulse(xb, s, err[xb->post[s]] * u[xb->pre[s]], threshold, set_phase, &res);
    } else {
        for (size_t i = 0; i < xb->n_in; i++) {
            if (u[i] == 0.0) continue;
            for (size_t j = 0; j < xb->n_out; j++)
                sign_pulse(xb, i * xb->n_out + j, err[j] * u[i], threshold, set_phase, &res);
        }
    }
    xb->n_updates++;
    xb->st.update_pulses += res.pulses;
    xb->st.e_write_J += res.energy_J;
    if (r) *r = res;
    return MS_OK;
}

typedef struct wv_ctx { ms_xbar *xb; size_t k; double energy; int pulses; } wv_ctx;

static int wv_read(void *ud, double *G)
{
    wv_ctx *c = ud;
    double p[MS_DEVICE_MAX_PARAMS];
    dev_params(c->xb, c->k, p);
    ms_device_rng r = { rng_uniform, rng_normal, &c->xb->up };
    *G = ms_rram_read_G(p, c->xb->x[c->k], &r);
    return 0;
}

static int wv_pulse(void *ud, double v, double t_w)
{
    wv_ctx *c = ud;
    pulse(c->xb, c->k, v, t_w, &c->energy);
    c->pulses++;
    return 0;
}

ms_status ms_xbar_program(ms_xbar *xb, const double *w, ms_xbar_pulses *r)
{
    double w_max = xb->rep.w_max;
    if (w)
        for (size_t s = 0; s < xb->n_syn; s++) {
            if (!isfinite(w[s]))
                return ms_error_set(&xb->err, MS_EINVAL, "crossbar: weight %g at synapse %zu is "
                                    "not finite", w[s], s + 1);
            if (!xb->o.clip && fabs(w[s]) > w_max)
                return ms_error_set(&xb->err, MS_EINVAL,
                                    "crossbar: weight %g at synapse %zu is outside [-w_max, w_max] "
                                    "= [%g, %g] (set clip = true to clip)", w[s], s + 1, -w_max,
                                    w_max);
            if (xb->per == 1 && w[s] < 0)
                return ms_error_set(&xb->err, MS_EINVAL,
                                    "crossbar: weight %g at synapse %zu is negative, but the array "
                                    "is single-ended (w >= 0 only)", w[s], s + 1);
        }
    if (w) set_levels(xb, w, w_max);
    ms_xbar_pulses res = { 0 };
    char dmsg[256];
    for (size_t k = 0; k < xb->n_dev; k++) {
        ms_wv_opts wv;
        ms_rram_wv_defaults(xb->nom, ms_rram_level_G(xb->nom, xb->level[k]), &wv);
        wv_ctx c = { xb, k, 0.0, 0 };
        ms_wv_ops ops = { wv_read, wv_pulse, &c };
        ms_wv_result wr;
        if (ms_write_verify(&wv, &ops, &wr, dmsg, sizeof dmsg))
            return ms_error_set(&xb->err, MS_EINVAL, "crossbar: device %zu: %s", k + 1, dmsg);
        res.pulses += (unsigned long long)wr.pulses;
        res.n_set += (unsigned long long)wr.n_set;
        res.n_reset += (unsigned long long)wr.n_reset;
        res.energy_J += c.energy;
    }
    for (size_t k = 0; k < xb->n_dev; k++) xb->xp[k] = xb->x[k];
    xb->t_age = 0.0;
    xb->st.program_pulses += res.pulses;
    xb->st.e_write_J += res.energy_J;
    if (r) *r = res;
    return MS_OK;
}

/* ---- relaxation ------------------------------------------------------------------------------ */

ms_status ms_xbar_age(ms_xbar *xb, double t)
{
    if (!(t >= 0 && isfinite(t)))
        return ms_error_set(&xb->err, MS_EINVAL,
                            "crossbar: age t = %g s must be a finite time >= 0 since programming",
                            t);
    const ms_device_class *c = ms_device_find("rram");
    double p[MS_DEVICE_MAX_PARAMS], y[MS_DEVICE_MAX_STATE], y2[MS_DEVICE_MAX_STATE];
    for (size_t k = 0; k < xb->n_dev; k++) {
        if (t == 0.0) {
            xb->x[k] = xb->xp[k];
        } else {
            dev_params(xb, k, p);
            y[MS_RRAM_X] = xb->xp[k];
            c->relax(p, y, t, xb->xi[k], y2);
            xb->x[k] = y2[MS_RRAM_X];
        }
        refresh(xb, k);
    }
    xb->t_age = t;
    return MS_OK;
}

/* ---- reports --------------------------------------------------------------------------------- */

void ms_xbar_conductances(const ms_xbar *xb, double *g_pos, double *g_neg)
{
    for (size_t s = 0; s < xb->n_syn; s++) {
        if (g_pos) g_pos[s] = xb->G[s * xb->per];
        if (g_neg) g_neg[s] = xb->per == 2 ? xb->G[s * 2 + 1] : 0.0;
    }
}

void ms_xbar_states(const ms_xbar *xb, double *x_pos, double *x_neg)
{
    for (size_t s = 0; s < xb->n_syn; s++) {
        if (x_pos) x_pos[s] = xb->x[s * xb->per];
        if (x_neg) x_neg[s] = xb->per == 2 ? xb->x[s * 2 + 1] : 0.0;
    }
}

void ms_xbar_weights(const ms_xbar *xb, double *w)
{
    double to_w = xb->rep.w_max / (xb->o.g_max - xb->o.g_min);
    for (size_t s = 0; s < xb->n_syn; s++)
        w[s] = xb->per == 2 ? xb->gd[s] * to_w : (xb->gd[s] - xb->o.g_min) * to_w;
}

void ms_xbar_get_stats(const ms_xbar *xb, ms_xbar_stats *s)
{
    *s = xb->st;
    unsigned long long sum = 0;
    uint32_t mx = 0;
    for (size_t k = 0; k < xb->n_dev; k++) {
        sum += xb->wear[k];
        if (xb->wear[k] > mx) mx = xb->wear[k];
    }
    s->wear_max = mx;
    s->wear_mean = xb->n_dev ? (double)sum / (double)xb->n_dev : 0.0;
}

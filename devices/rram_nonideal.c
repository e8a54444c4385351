/* devices/rram_nonideal.c: the non-idealities of "rram", each a parameter that 0 switches off
 * (docs/devices/rram.md, "Non-idealities"):
 *   device-to-device spread of the bounds and step sizes (lognormal, median = nominal),
 *   cycle-to-cycle noise of each programming pulse (sigma ~ sqrt of the nominal step),
 *   relaxation after programming (log-time mean shift, spread growing with log time),
 *   read noise (relative, per read), stuck-at-off/on faults (drawn with the variation),
 *   quantisation to n_levels and write-verify with closed-form pulses.
 * All randomness comes through ms_device_rng. */
#include <math.h>

#include "devices/device_impl.h"
#include "devices/ms_rram.h"
#include "devices/rram_impl.h"

int msi_rram_sample(const double *nom, double *p, const ms_device_rng *rng, char *msg, size_t len)
{
    for (size_t i = 0; i < MS_RRAM_N_PARAMS; i++) p[i] = nom[i];
    /* The same draws for every device (2 normals per bound attempt, a second attempt only if
     * the bounds crossed; 2 normals for the rates; 1 uniform) keep the streams aligned. */
    double sg = nom[MS_RRAM_D2D_G], ss = nom[MS_RRAM_D2D_STEP];
    const ms_param_desc *d = msi_dev_rram.params;
    int ok = 0;
    for (int attempt = 0; attempt < 16 && !ok; attempt++) {
        double g_lo = nom[MS_RRAM_G_MIN] * msi_dev_lognormal(rng, sg);
        double g_hi = nom[MS_RRAM_G_MAX] * msi_dev_lognormal(rng, sg);
        p[MS_RRAM_G_MIN] = msi_dev_clamp(g_lo, d[MS_RRAM_G_MIN].min, d[MS_RRAM_G_MIN].max);
        p[MS_RRAM_G_MAX] = msi_dev_clamp(g_hi, d[MS_RRAM_G_MAX].min, d[MS_RRAM_G_MAX].max);
        ok = p[MS_RRAM_G_MIN] < p[MS_RRAM_G_MAX];
    }
    if (!ok)
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "rram: d2d_G = %g gives G_min >= G_max in 16 draws; reduce d2d_G",
                           sg);
    p[MS_RRAM_K_SET] = msi_dev_clamp(nom[MS_RRAM_K_SET] * msi_dev_lognormal(rng, ss),
                                     d[MS_RRAM_K_SET].min, d[MS_RRAM_K_SET].max);
    p[MS_RRAM_K_RESET] = msi_dev_clamp(nom[MS_RRAM_K_RESET] * msi_dev_lognormal(rng, ss),
                                       d[MS_RRAM_K_RESET].min, d[MS_RRAM_K_RESET].max);
    double u = rng->uniform(rng->ud);
    p[MS_RRAM_STUCK] = u < nom[MS_RRAM_P_STUCK_OFF] ? MS_RRAM_STUCK_OFF
                     : u < nom[MS_RRAM_P_STUCK_OFF] + nom[MS_RRAM_P_STUCK_ON] ? MS_RRAM_STUCK_ON
                     : nom[MS_RRAM_STUCK];
    /* Drawn last and only when switched on, so the draws above stay those of earlier versions. */
    if (nom[MS_RRAM_D2D_W0] > 0)
        p[MS_RRAM_END_W0] = msi_dev_clamp(nom[MS_RRAM_END_W0] *
                                          msi_dev_lognormal(rng, nom[MS_RRAM_D2D_W0]),
                                          d[MS_RRAM_END_W0].min, d[MS_RRAM_END_W0].max);
    return MS_DEV_OK;
}

int msi_rram_pulse_noise(const double *p, const double *y_before, double *y,
                         const ms_device_rng *rng)
{
    double w = ms_rram_G_max_eff(p) - ms_rram_G_min_eff(p);
    double dG = (y[MS_RRAM_X] - y_before[MS_RRAM_X]) * w;
    /* A pulse that moved nothing (below threshold, stuck, at a bound) adds no noise. */
    if (!rng || p[MS_RRAM_STUCK] != 0 || p[MS_RRAM_SIGMA_C2C] <= 0 || dG == 0) return 0;
    double sigma = p[MS_RRAM_SIGMA_C2C] * sqrt(fabs(dG) / MS_RRAM_C2C_REF_S);
    y[MS_RRAM_X] = msi_dev_clamp(y[MS_RRAM_X] + sigma * rng->normal(rng->ud) / w, 0, 1);
    return 0;
}

double msi_rram_read(double t, const double *y, const double *p, double v,
                     const ms_device_rng *rng)
{
    (void)t;
    return ms_rram_read_G(p, y[MS_RRAM_X], rng) * v;
}

double ms_rram_read_G(const double *p, double x, const ms_device_rng *rng)
{
    double G = ms_rram_G(p, x);
    if (!rng || p[MS_RRAM_SIGMA_READ] <= 0) return G;
    return G * (1.0 + p[MS_RRAM_SIGMA_READ] * rng->normal(rng->ud));
}

double ms_rram_pulse(const double *p, double x0, double v, double t_w, const ms_device_rng *rng)
{
    double y0 = x0, y = ms_rram_pulse_x(p, x0, v, t_w);
    msi_rram_pulse_noise(p, &y0, &y, rng);
    return y;
}

/* ---- relaxation [I] (rram.md): G(t) = G_p + mu ln(1 + t/t0) + (s0 + s1 ln(1 + t/t0)) xi - */

double ms_rram_relax_mean(const double *p, double t)
{
    return t > 0 ? p[MS_RRAM_RELAX_MU] * log1p(t / p[MS_RRAM_RELAX_T0]) : 0.0;
}

double ms_rram_relax_sigma(const double *p, double t)
{
    return t > 0 ? p[MS_RRAM_RELAX_SIG0] + p[MS_RRAM_RELAX_SIG1] * log1p(t / p[MS_RRAM_RELAX_T0])
                 : 0.0;
}

int msi_rram_relax(const double *p, const double *y_prog, double t, double xi, double *y_out)
{
    if (p[MS_RRAM_STUCK] != 0 || t <= 0) {
        y_out[MS_RRAM_X] = y_prog[MS_RRAM_X];
        return 0;
    }
    double G = ms_rram_G(p, y_prog[MS_RRAM_X]) + ms_rram_relax_mean(p, t) +
               ms_rram_relax_sigma(p, t) * xi;
    y_out[MS_RRAM_X] = ms_rram_x_of_G(p, G);
    return 0;
}

/* ---- levels and write-verify ---------------------------------------------------------------- */

static double spacing(const double *p)
{
    return (ms_rram_G_max_eff(p) - ms_rram_G_min_eff(p)) / (p[MS_RRAM_N_LEVELS] - 1.0);
}

double ms_rram_level_G(const double *p, int level)
{
    int top = (int)p[MS_RRAM_N_LEVELS] - 1;
    level = level < 0 ? 0 : (level > top ? top : level);
    return ms_rram_G_min_eff(p) + level * spacing(p);
}

int ms_rram_nearest_level(const double *p, double G)
{
    double k = floor((G - ms_rram_G_min_eff(p)) / spacing(p) + 0.5);
    double top = p[MS_RRAM_N_LEVELS] - 1.0;
    return (int)(k < 0 ? 0 : (k > top ? top : k));
}

double ms_rram_wv_tol_S(const double *p) { return p[MS_RRAM_WV_TOL] * spacing(p); }

void ms_rram_wv_defaults(const double *p, double G_target, ms_wv_opts *o)
{
    o->G_target_S = G_target;
    o->tol_S = ms_rram_wv_tol_S(p);
    o->max_iter = (int)p[MS_RRAM_WV_MAX_ITER];
    o->v_step_V = p[MS_RRAM_WV_V_STEP];
    o->v_set_first_V = p[MS_RRAM_V_SET] + o->v_step_V;      /* just above the threshold */
    o->v_set_max_V = p[MS_RRAM_WV_V_MAX];
    o->v_reset_first_V = p[MS_RRAM_V_RESET] - o->v_step_V;
    o->v_reset_max_V = -p[MS_RRAM_WV_V_MAX];
    o->t_pulse_s = p[MS_RRAM_T_PULSE];
}

typedef struct closed_form { const double *p; double *x; const ms_device_rng *rng; } closed_form;

static int cf_read(void *ud, double *G)
{
    closed_form *c = ud;
    *G = ms_rram_read_G(c->p, *c->x, c->rng);
    return 0;
}

static int cf_pulse(void *ud, double v, double t_w)
{
    closed_form *c = ud;
    *c->x = ms_rram_pulse(c->p, *c->x, v, t_w, c->rng);
    return 0;
}

int ms_rram_program(const double *p, double *x, const ms_wv_opts *o, const ms_device_rng *rng,
                    ms_wv_result *r, char *msg, size_t len)
{
    closed_form c = { p, x, rng };
    ms_wv_ops ops = { cf_read, cf_pulse, &c };
    return ms_write_verify(o, &ops, r, msg, len);
}

/* devices/dendrite_dynamic.c: the two dynamic memristors of reservoir computing (D3, D4):
 * fading memory with a nonlinear, rectifying current.
 * docs/devices/dynamic_tiox.md, docs/devices/dynamic_wox.md.
 *
 * D3 "dynamic_tiox", Tsinghua Ti/TiOx/TaOy [S RC-GH DynamicMemristor.m], continuous form [I]:
 *   G' = -(G - G0)/tau + u(v) (b(v) - G) / dt_in,  u = a|v| / (a|v| + 1),  b = [v > 0]
 *   I  = G (K_p max(v,0)^3 + K_n min(v,0)^3)
 * The code's map G_{n+1} = r G_n + (1-r) G0 + u (b - G_n) per input step dt_in is its Euler
 * step; r = 0.99 is tau = -dt_in / ln r, so tau = 400 us [S ZH21] gives dt_in ~ 4 us.
 *
 * D4 "dynamic_wox", Du 2017 WOx [S DU-code]:
 *   w' = lambda sinh(eta v) - w / tau,   w in [w_min, 1]
 *   I  = (1 - w) alpha (1 - exp(-beta v)) + w gamma sinh(delta v)
 * The bounds stop w (the script's w_min floor); they are roots, so the integrator restarts at
 * them instead of stepping across the jump in w'.
 * Source tags ([S N1-ED7], ...) are defined in docs/devices/sources.md. */
#include <math.h>

#include "devices/device_impl.h"
#include "devices/ms_dendrite.h"

/* ---- D3 ---------------------------------------------------------------------------------- */

#define D2D_DOC(which) "device-to-device lognormal sigma of " which

/* Device-to-device variation of both classes: each listed parameter times exp(d2d N(0, 1)),
 * median nominal, as the other classes vary (nmda_dendrite, mott_soma, rram). Nothing is
 * drawn when d2d = 0, so the random streams of circuits built before d2d existed stay as they
 * were. */
static int vary(const double *nom, double *p, size_t n, const int *which, size_t nw, double s,
                const ms_device_rng *rng)
{
    for (size_t i = 0; i < n; i++) p[i] = nom[i];
    if (s > 0)
        for (size_t k = 0; k < nw; k++) p[which[k]] = nom[which[k]] * msi_dev_lognormal(rng, s);
    return MS_DEV_OK;
}

#define RCGH "[S RC-GH DM_RC_sim.m]"
static const ms_param_desc tiox_params[MS_TIOX_N_PARAMS] = {
    [MS_TIOX_TAU] = { "tau", "s", 400e-6, 1e-9, 100, 0, MS_ORIGIN_SOURCE,
                      "[S ZH21-F1] t0 = 400 us", "decay time constant" },
    [MS_TIOX_DT_IN] = { "dt_in", "s", 4e-6, 1e-12, 1, 0, MS_ORIGIN_INFERRED,
                        "[I] r = 0.99 with tau = 400 us",
                        "input step of the discrete map" },
    [MS_TIOX_G0] = { "G0", "1", 0.5, 0, 1, 0, MS_ORIGIN_SOURCE, RCGH, "resting state" },
    [MS_TIOX_KP] = { "K_p", "A/V^3", 9.13e-6, 0, 1, 0, MS_ORIGIN_SOURCE, RCGH " (9.13 uA)",
                     "current coefficient for v > 0" },
    [MS_TIOX_KN] = { "K_n", "A/V^3", 0.32e-6, 0, 1, 0, MS_ORIGIN_SOURCE, RCGH " (0.32 uA)",
                     "current coefficient for v < 0" },
    [MS_TIOX_A] = { "a", "1/V", 0.23, 0, 1000, 0, MS_ORIGIN_SOURCE, RCGH,
                    "input gain, u = a|v| / (a|v| + 1)" },
    [MS_TIOX_D2D] = { "d2d", "1", 0.0, 0, 1, 0, MS_ORIGIN_INFERRED,
                      "proposal [I]: no statistics found; off", D2D_DOC("tau, K_p, K_n, a") },
};
#undef RCGH

static const char *const tiox_names[] = { "G" };
static const char *const tiox_units[] = { "1" };
static const double unit_scale[] = { 1.0 };
/* G (normalised conductance) and w (filament fraction) are fractions in [0, 1] */
static const double unit_min[] = { 0.0 }, unit_max[] = { 1.0 };

static double tiox_u(const double *p, double v)
{
    double av = p[MS_TIOX_A] * fabs(v);
    return av / (av + 1.0);
}

static int tiox_init(const double *p, double *y)
{
    y[MS_TIOX_G] = p[MS_TIOX_G0];
    return 0;
}

static int tiox_rhs(double t, const double *y, const double *p, double v, double *ydot)
{
    (void)t;
    double G = y[MS_TIOX_G], b = v > 0 ? 1.0 : 0.0;
    ydot[MS_TIOX_G] = -(G - p[MS_TIOX_G0]) / p[MS_TIOX_TAU] + tiox_u(p, v) * (b - G) / p[MS_TIOX_DT_IN];
    return 0;
}

static int tiox_jac(double t, const double *y, const double *p, double v, double *J)
{
    (void)t, (void)y;
    J[0] = -1.0 / p[MS_TIOX_TAU] - tiox_u(p, v) / p[MS_TIOX_DT_IN];
    return 0;
}

static double tiox_current(double t, const double *y, const double *p, double v)
{
    (void)t;
    double k = v > 0 ? p[MS_TIOX_KP] : p[MS_TIOX_KN];
    return y[MS_TIOX_G] * k * v * v * v;
}

static double tiox_dcurrent(double t, const double *y, const double *p, double v)
{
    (void)t;
    double k = v > 0 ? p[MS_TIOX_KP] : p[MS_TIOX_KN];
    return 3.0 * y[MS_TIOX_G] * k * v * v;
}

static double tiox_power(double t, const double *y, const double *p, double v)
{
    return v * tiox_current(t, y, p, v);
}

static double tiox_conductance(const double *y, const double *p)
{
    (void)p;
    return y[MS_TIOX_G];   /* dimensionless state, as the source reports it */
}

static int tiox_sample(const double *nom, double *p, const ms_device_rng *rng, char *msg, size_t len)
{
    (void)msg, (void)len;
    static const int which[] = { MS_TIOX_TAU, MS_TIOX_KP, MS_TIOX_KN, MS_TIOX_A };
    return vary(nom, p, MS_TIOX_N_PARAMS, which, 4, nom[MS_TIOX_D2D], rng);
}

const ms_device_class msi_dev_dynamic_tiox = {
    .version = MS_DEVICE_VERSION,
    .name = "dynamic_tiox",
    .doc = "Tsinghua TiOx dynamic memristor (D3) for reservoirs: 400 us fading memory",
    .role = "dendrite",
    .n_state = MS_TIOX_N_STATE,
    .state_names = tiox_names,
    .state_units = tiox_units,
    .state_scale = unit_scale,
    .state_min = unit_min,
    .state_max = unit_max,
    .n_params = MS_TIOX_N_PARAMS,
    .params = tiox_params,
    .init = tiox_init,
    .rhs = tiox_rhs,
    .jac = tiox_jac,
    .current = tiox_current,
    .dcurrent_dv = tiox_dcurrent,
    .power = tiox_power,
    .conductance = tiox_conductance,
    .sample = tiox_sample,
    .spike_root = -1,
};

/* ---- D4 ---------------------------------------------------------------------------------- */

#define DU "[S DU-code] (Du 2017 supplement table 1)"
#define DU_R "[S DU-code] value, unit per ms [R]"
static const ms_param_desc wox_params[MS_WOX_N_PARAMS] = {
    [MS_WOX_ALPHA] = { "alpha", "A", 1e-8, 0, 1, 0, MS_ORIGIN_SOURCE, DU,
                       "Schottky current prefactor" },
    [MS_WOX_BETA] = { "beta", "1/V", 0.5, 0, 100, 0, MS_ORIGIN_SOURCE, DU,
                      "Schottky voltage factor" },
    [MS_WOX_GAMMA] = { "gamma", "A", 1e-5, 0, 1, 0, MS_ORIGIN_SOURCE, DU,
                       "tunnelling current prefactor" },
    [MS_WOX_DELTA] = { "delta", "1/V", 4, 0, 100, 0, MS_ORIGIN_SOURCE, DU,
                       "tunnelling voltage factor" },
    [MS_WOX_LAMBDA] = { "lambda", "1/s", 1.0, 0, 1e9, 0, MS_ORIGIN_REMEMBERED, DU_R,
                        "drift rate (1e-3 per ms)" },
    [MS_WOX_ETA] = { "eta", "1/V", 8, 0, 100, 0, MS_ORIGIN_SOURCE, DU, "drift voltage factor" },
    [MS_WOX_TAU] = { "tau", "s", 50e-3, 1e-9, 1e3, 0, MS_ORIGIN_REMEMBERED, DU_R,
                     "decay time constant (50 ms)" },
    [MS_WOX_W_MIN] = { "w_min", "1", 0.1, 0, 0.99, 0, MS_ORIGIN_SOURCE,
                       "[S DU-code] floor added by the script", "floor of w" },
    [MS_WOX_W_INIT] = { "w_init", "1", 0.1, 0, 1, 0, MS_ORIGIN_INFERRED,
                        "proposal [I]: the relaxed state w_min", "initial w" },
    [MS_WOX_D2D] = { "d2d", "1", 0.0, 0, 1, 0, MS_ORIGIN_INFERRED,
                     "proposal [I]: no statistics found; off", D2D_DOC("alpha, gamma, lambda, tau") },
};
#undef DU
#undef DU_R

static const char *const wox_names[] = { "w" };
static const char *const wox_units[] = { "1" };
enum { WOX_ROOT_MIN, WOX_ROOT_MAX, WOX_N_ROOTS };
static const int wox_root_dir[WOX_N_ROOTS] = { -1, +1 };
static const char *const wox_root_names[WOX_N_ROOTS] = { "w_min", "w_max" };

static int wox_check(const double *p, char *msg, size_t len)
{
    if (!(p[MS_WOX_W_INIT] >= p[MS_WOX_W_MIN]))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "dynamic_wox: w_init = %g must be >= w_min = %g", p[MS_WOX_W_INIT],
                           p[MS_WOX_W_MIN]);
    return MS_DEV_OK;
}

static int wox_init(const double *p, double *y)
{
    y[MS_WOX_W] = p[MS_WOX_W_INIT];
    return 0;
}

static double wox_drift(const double *p, double w, double v)
{
    double r = p[MS_WOX_LAMBDA] * sinh(p[MS_WOX_ETA] * v) - w / p[MS_WOX_TAU];
    if ((w <= p[MS_WOX_W_MIN] && r < 0) || (w >= 1.0 && r > 0)) return 0.0;
    return r;
}

static int wox_rhs(double t, const double *y, const double *p, double v, double *ydot)
{
    (void)t;
    ydot[MS_WOX_W] = wox_drift(p, y[MS_WOX_W], v);
    return 0;
}

static int wox_jac(double t, const double *y, const double *p, double v, double *J)
{
    (void)t;
    J[0] = wox_drift(p, y[MS_WOX_W], v) == 0.0 ? 0.0 : -1.0 / p[MS_WOX_TAU];
    return 0;
}

static double wox_current(double t, const double *y, const double *p, double v)
{
    (void)t;
    double w = msi_dev_clamp(y[MS_WOX_W], 0, 1);
    return (1.0 - w) * p[MS_WOX_ALPHA] * -expm1(-p[MS_WOX_BETA] * v) +
           w * p[MS_WOX_GAMMA] * sinh(p[MS_WOX_DELTA] * v);
}

static double wox_dcurrent(double t, const double *y, const double *p, double v)
{
    (void)t;
    double w = msi_dev_clamp(y[MS_WOX_W], 0, 1);
    return (1.0 - w) * p[MS_WOX_ALPHA] * p[MS_WOX_BETA] * exp(-p[MS_WOX_BETA] * v) +
           w * p[MS_WOX_GAMMA] * p[MS_WOX_DELTA] * cosh(p[MS_WOX_DELTA] * v);
}

static double wox_power(double t, const double *y, const double *p, double v)
{
    return v * wox_current(t, y, p, v);
}

static int wox_roots(double t, const double *y, const double *p, double v, double *g)
{
    (void)t, (void)v;
    g[WOX_ROOT_MIN] = y[MS_WOX_W] - p[MS_WOX_W_MIN];
    g[WOX_ROOT_MAX] = y[MS_WOX_W] - 1.0;
    return 0;
}

static int wox_on_root(double t, int which, double *y, const double *p)
{
    (void)t;
    y[MS_WOX_W] = which == WOX_ROOT_MIN ? p[MS_WOX_W_MIN] : 1.0;
    return 0;
}

static int wox_sample(const double *nom, double *p, const ms_device_rng *rng, char *msg, size_t len)
{
    (void)msg, (void)len;
    static const int which[] = { MS_WOX_ALPHA, MS_WOX_GAMMA, MS_WOX_LAMBDA, MS_WOX_TAU };
    return vary(nom, p, MS_WOX_N_PARAMS, which, 4, nom[MS_WOX_D2D], rng);
}

const ms_device_class msi_dev_dynamic_wox = {
    .version = MS_DEVICE_VERSION,
    .name = "dynamic_wox",
    .doc = "Du 2017 WOx dynamic memristor (D4) for reservoirs: 50 ms fading memory",
    .role = "dendrite",
    .n_state = MS_WOX_N_STATE,
    .state_names = wox_names,
    .state_units = wox_units,
    .state_scale = unit_scale,
    .state_min = unit_min,
    .state_max = unit_max,
    .n_params = MS_WOX_N_PARAMS,
    .params = wox_params,
    .check = wox_check,
    .init = wox_init,
    .rhs = wox_rhs,
    .jac = wox_jac,
    .current = wox_current,
    .dcurrent_dv = wox_dcurrent,
    .power = wox_power,
    .n_roots = WOX_N_ROOTS,
    .root_dir = wox_root_dir,
    .root_names = wox_root_names,
    .roots = wox_roots,
    .on_root = wox_on_root,
    .sample = wox_sample,
    .spike_root = -1,
};

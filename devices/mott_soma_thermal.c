/* devices/mott_soma_thermal.c: the thermal Mott soma (S2) with the VO2
 * constants of Zhang et al. 2024 ([S VO2-Z24], read from the port
 * gabebere/single-neuristor). docs/devices/mott_soma_thermal.md.
 *
 *   C_th T' = v^2 / R(T) - S_e (T - T0)
 *   R(T)    = R0 exp(Ea_k / T) g(T, history) + R_m         (T clamped to [T_min, T_max])
 *   g       = 1/2 + 1/2 tanh(beta (dir w/2 + T_c - (T + T_p)))  clipped to [0, 1]
 *   T_p     = T_pr P((T - T_r) / T_pr) after a reversal (0 before),
 *   P(x)    = 1/2 (1 - sin(gamma x)) (1 + tanh(pi^2 - 2 pi x)),
 *   T_pr    = dir w/2 + T_c - artanh(2 g_r - 1) / beta - T_r
 * The capacitor C is the device's parallel capacitance; the node voltage v is the circuit's.
 *
 * The hysteresis memory (dir, T_r, g_r, reversed) is part of the state with zero derivative;
 * a reversal is a root: on the heating branch, T' falling through -rev_rate, on the cooling
 * branch T' rising through +rev_rate. rev_rate reproduces the source's reversal threshold
 * (0.01 K per 10 ns step, i.e. 1e6 K/s). A second root marks the insulator-metal transition
 * (g falling through 1/2), which is the spike.
 * Source tags ([S N1-ED7], ...) are defined in docs/devices/sources.md. */
#include <math.h>

#include "devices/device_impl.h"
#include "devices/ms_soma.h"

#define Z24 "[S VO2-Z24] Zhang 2024, port constant"
static const ms_param_desc params[MS_VO2_N_PARAMS] = {
    [MS_VO2_C] = { "C", "F", 145.3e-12, 1e-18, 1e-3, 0, MS_ORIGIN_SOURCE, Z24,
                   "parallel capacitance" },
    [MS_VO2_C_TH] = { "C_th", "J/K", 49.6e-12, 1e-18, 1, 0, MS_ORIGIN_SOURCE, Z24,
                      "thermal capacitance" },
    [MS_VO2_S_E] = { "S_e", "W/K", 0.2056e-3, 1e-12, 1, 0, MS_ORIGIN_SOURCE, Z24,
                     "thermal conductance to the bath" },
    [MS_VO2_T0] = { "T0", "K", 325, 1, 1000, 0, MS_ORIGIN_SOURCE, Z24, "bath temperature" },
    [MS_VO2_R0] = { "R0", "ohm", 5.36e-3, 1e-12, 1e6, 0, MS_ORIGIN_SOURCE, Z24,
                    "Arrhenius prefactor" },
    [MS_VO2_EA_K] = { "Ea_k", "K", 5220, 0, 1e5, 0, MS_ORIGIN_SOURCE, Z24,
                      "activation energy over k_B" },
    [MS_VO2_R_M] = { "R_m", "ohm", 1286, 1e-3, 1e9, 0, MS_ORIGIN_SOURCE, Z24,
                     "metallic resistance" },
    [MS_VO2_W] = { "w", "K", 7.19, 0, 100, 0, MS_ORIGIN_SOURCE, Z24, "hysteresis width" },
    [MS_VO2_T_C] = { "T_c", "K", 332.8, 1, 1000, 0, MS_ORIGIN_SOURCE, Z24,
                     "transition centre" },
    [MS_VO2_BETA] = { "beta", "1/K", 0.253, 1e-3, 100, 0, MS_ORIGIN_SOURCE, Z24,
                      "branch sharpness" },
    [MS_VO2_GAMMA] = { "gamma", "1", 0.956, 0, 10, 0, MS_ORIGIN_SOURCE, Z24,
                       "minor-loop proximity parameter" },
    [MS_VO2_T_MIN] = { "T_min", "K", 305, 1, 1000, 0, MS_ORIGIN_SOURCE, Z24,
                       "lower clamp of T in R(T)" },
    [MS_VO2_T_MAX] = { "T_max", "K", 370, 1, 2000, 0, MS_ORIGIN_SOURCE, Z24,
                       "upper clamp of T in R(T)" },
    [MS_VO2_T_INIT] = { "T_init", "K", 324.9, 1, 2000, 0, MS_ORIGIN_SOURCE,
                        "[S VO2-Z24] port: T_base - 0.1 K", "initial temperature" },
    [MS_VO2_REV_RATE] = { "rev_rate", "K/s", 1e6, 0, 1e12, 0, MS_ORIGIN_INFERRED,
                          "[S VO2-Z24] port: 0.01 K per 10 ns step [I]",
                          "|dT/dt| that registers a heating/cooling reversal" },
};
#undef Z24

static const char *const state_names[] = { "T", "dir", "T_r", "g_r", "reversed" };
static const char *const state_units[] = { "K", "1", "K", "1", "1" };
static const double state_scale[] = { 10.0, 1.0, 10.0, 1.0, 1.0 };
/* T and T_r absolute temperatures, dir a branch sign, g_r a fraction, reversed a flag */
static const double state_min[] = { 0.0, -1.0, 0.0, 0.0, 0.0 };
static const double state_max[] = { INFINITY, 1.0, INFINITY, 1.0, 1.0 };
static const int root_dir[MS_VO2_N_ROOTS] = { -1, -1 };
static const char *const root_names[MS_VO2_N_ROOTS] = { "reversal", "IMT" };

#define PI 3.14159265358979323846
#define G_EPS 1e-12     /* g_r kept inside (0, 1) for artanh, as the source does   */
#define TPR_EPS 1e-9    /* smallest |T_pr| (K), as the source does                 */

static int check(const double *p, char *msg, size_t len)
{
    if (!(p[MS_VO2_T_MIN] < p[MS_VO2_T_MAX]))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "mott_soma_thermal: T_min must be < T_max (T_min = %g K, T_max = %g K)",
                           p[MS_VO2_T_MIN], p[MS_VO2_T_MAX]);
    return MS_DEV_OK;
}

static double proximity(double x, double gamma)
{
    return 0.5 * (1.0 - sin(gamma * x)) * (1.0 + tanh(PI * PI - 2.0 * PI * x));
}

static double g_branch(const double *p, double T, double dir, double Tp)
{
    double arg = p[MS_VO2_BETA] * (dir * p[MS_VO2_W] / 2.0 + p[MS_VO2_T_C] - (T + Tp));
    return msi_dev_clamp(0.5 + 0.5 * tanh(arg), 0, 1);
}

static double clampT(const double *p, double T)
{
    return msi_dev_clamp(T, p[MS_VO2_T_MIN], p[MS_VO2_T_MAX]);
}

double ms_vo2_g(const double *p, const double *y)
{
    double T = clampT(p, y[MS_VO2_T]), dir = y[MS_VO2_DIR], Tp = 0.0;
    if (y[MS_VO2_REV] > 0.5) {
        double gr = msi_dev_clamp(y[MS_VO2_G_R], G_EPS, 1.0 - G_EPS);
        double Tpr = dir * p[MS_VO2_W] / 2.0 + p[MS_VO2_T_C] - atanh(2.0 * gr - 1.0) / p[MS_VO2_BETA]
                   - y[MS_VO2_T_R];
        double den = fabs(Tpr) < TPR_EPS ? (Tpr >= 0 ? TPR_EPS : -TPR_EPS) : Tpr;
        Tp = Tpr * proximity((T - y[MS_VO2_T_R]) / den, p[MS_VO2_GAMMA]);
    }
    return g_branch(p, T, dir, Tp);
}

double ms_vo2_R(const double *p, const double *y)
{
    double T = clampT(p, y[MS_VO2_T]);
    return p[MS_VO2_R0] * exp(p[MS_VO2_EA_K] / T) * ms_vo2_g(p, y) + p[MS_VO2_R_M];
}

static double tdot(const double *y, const double *p, double v)
{
    return (v * v / ms_vo2_R(p, y) - p[MS_VO2_S_E] * (y[MS_VO2_T] - p[MS_VO2_T0])) / p[MS_VO2_C_TH];
}

static int init(const double *p, double *y)
{
    y[MS_VO2_T] = p[MS_VO2_T_INIT];
    y[MS_VO2_DIR] = 1.0;    /* start on the insulating (heating) branch, as the source */
    y[MS_VO2_T_R] = clampT(p, p[MS_VO2_T_INIT]);
    y[MS_VO2_G_R] = g_branch(p, y[MS_VO2_T_R], 1.0, 0.0);
    y[MS_VO2_REV] = 0.0;
    return 0;
}

static int rhs(double t, const double *y, const double *p, double v, double *ydot)
{
    (void)t;
    ydot[MS_VO2_T] = tdot(y, p, v);
    ydot[MS_VO2_DIR] = ydot[MS_VO2_T_R] = ydot[MS_VO2_G_R] = ydot[MS_VO2_REV] = 0.0;
    return 0;
}

static double current(double t, const double *y, const double *p, double v)
{
    (void)t;
    return v / ms_vo2_R(p, y);
}

static double dcurrent(double t, const double *y, const double *p, double v)
{
    (void)t, (void)v;
    return 1.0 / ms_vo2_R(p, y);
}

static double power(double t, const double *y, const double *p, double v)
{
    (void)t;
    return v * v / ms_vo2_R(p, y);
}

static double capacitance(const double *p) { return p[MS_VO2_C]; }

static double conductance(const double *y, const double *p) { return 1.0 / ms_vo2_R(p, y); }

static int roots(double t, const double *y, const double *p, double v, double *g)
{
    (void)t;
    g[MS_VO2_ROOT_REVERSAL] = y[MS_VO2_DIR] * tdot(y, p, v) + p[MS_VO2_REV_RATE];
    g[MS_VO2_ROOT_IMT] = ms_vo2_g(p, y) - 0.5;
    return 0;
}

static int on_root(double t, int which, double *y, const double *p)
{
    (void)t;
    if (which != MS_VO2_ROOT_REVERSAL) return 0;
    double g = ms_vo2_g(p, y);   /* on the branch being left */
    y[MS_VO2_G_R] = g;
    y[MS_VO2_T_R] = clampT(p, y[MS_VO2_T]);
    y[MS_VO2_DIR] = -y[MS_VO2_DIR];
    y[MS_VO2_REV] = 1.0;
    return 0;
}

const ms_device_class msi_dev_mott_soma_thermal = {
    .version = MS_DEVICE_VERSION,
    .name = "mott_soma_thermal",
    .doc = "thermal Mott soma (S2), VO2: Joule heating, hysteretic R(T), parallel C",
    .role = "soma",
    .n_state = MS_VO2_N_STATE,
    .state_names = state_names,
    .state_units = state_units,
    .state_scale = state_scale,
    .state_min = state_min,
    .state_max = state_max,
    .n_params = MS_VO2_N_PARAMS,
    .params = params,
    .check = check,
    .init = init,
    .rhs = rhs,
    .current = current,
    .dcurrent_dv = dcurrent,
    .power = power,
    .capacitance = capacitance,
    .conductance = conductance,
    .n_roots = MS_VO2_N_ROOTS,
    .root_dir = root_dir,
    .root_names = root_names,
    .roots = roots,
    .on_root = on_root,
    .spike_root = MS_VO2_ROOT_IMT,
};

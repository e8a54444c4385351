/* devices/rram_pku.c: the Stanford/PKU filament-gap RRAM model [S SPKU], with the
 * defaults of its MemTorch implementation. For waveform-level studies: the switching
 * speed depends exponentially on voltage and on the Joule-heated temperature.
 * docs/devices/rram_pku.md.
 *
 *   I  = I0 exp(-g/g0) sinh(v/V0)
 *   T  = T0 + |v I| R_th                       (instantaneous local heating)
 *   gm = gamma0 - beta (g / 1 nm)^3 ;  gm = 0 if gm |v| / t_ox < F_min
 *   g' = -vel0 exp(-q Ea / (k T)) sinh(gm a0 q v / (t_ox k T)),   g in [g_min, g_max]
 *
 * g_min, g_max come from R_on, R_off at V_read. The stochastic gap term of the source is off by
 * default there (model_switch = 0) and is left out: CVODE needs a deterministic right-hand side.
 *
 * The source's hard field gate (gm = 0 below F_min) makes g' jump from 0 to its full value, and
 * during RESET the motion itself lowers the field (gm falls as g grows), so the state slides
 * along F = F_min: an event-driven integrator then finds the threshold crossed back and forth
 * at one instant without end (Zeno). memsnn smooths the gate with a logistic of width F_width
 * (0.1 % of F_min): g' = gate((F - F_min)/F_width) x the source's rate, which is smooth, stiff
 * along the threshold (BDF's domain) and below 1e-30 of the rate for reads. The gap bounds stop
 * g and are roots, so the integrator restarts at them.
 * Source tags ([S N1-ED7], ...) are defined in docs/devices/sources.md. */
#include <math.h>

#include "devices/device_impl.h"
#include "devices/ms_rram.h"

#define Q_E 1.602176634e-19   /* elementary charge (C), SI exact; MemTorch uses 1.6e-19   */
#define K_B 1.380649e-23      /* Boltzmann constant (J/K), SI exact                       */
#define NM 1e-9               /* the unit of the gap in the gamma law (m)                 */

#define SRC "[S SPKU] MemTorch default"
#define P(id, n, u, d, lo, hi, doc) [id] = { n, u, d, lo, hi, 0, MS_ORIGIN_SOURCE, SRC, doc }
static const ms_param_desc params[MS_PKU_N_PARAMS] = {
    P(MS_PKU_I0, "I0", "A", 1e-3, 1e-12, 1, "current prefactor"),
    P(MS_PKU_G0, "g0", "m", 0.25e-9, 1e-12, 1e-8, "gap decay length of the current"),
    P(MS_PKU_V0, "V0", "V", 0.25, 1e-3, 10, "voltage scale of the sinh I-V"),
    P(MS_PKU_VEL0, "vel0", "m/s", 10, 1e-9, 1e9, "gap velocity prefactor"),
    P(MS_PKU_EA, "Ea", "eV", 0.6, 0.01, 5, "activation energy"),
    P(MS_PKU_A0, "a0", "m", 0.25e-9, 1e-12, 1e-8, "atom spacing"),
    P(MS_PKU_GAMMA0, "gamma0", "1", 16, 0, 1000, "field enhancement at zero gap"),
    P(MS_PKU_BETA, "beta", "1", 0.8, 0, 1000, "decrease of gamma per nm^3 of gap"),
    P(MS_PKU_T_OX, "t_ox", "m", 12e-9, 1e-10, 1e-5, "oxide thickness"),
    P(MS_PKU_F_MIN, "F_min", "V/m", 1.4e9, 0, 1e12, "minimum field for gap motion"),
    P(MS_PKU_R_TH, "R_th", "K/W", 2.1e3, 0, 1e9, "thermal resistance"),
    P(MS_PKU_T0, "T0", "K", 298, 1, 2000, "ambient temperature"),
    P(MS_PKU_R_ON, "R_on", "ohm", 542, 1e-3, 1e12, "resistance at V_read at the smallest gap"),
    P(MS_PKU_R_OFF, "R_off", "ohm", 218586, 1e-3, 1e12,
      "resistance at V_read at the largest gap"),
    P(MS_PKU_V_READ, "V_read", "V", 0.1, 1e-4, 5, "read voltage"),
    P(MS_PKU_GAP_INIT, "gap_init", "m", 0.2e-9, 0, 1e-7, "initial gap, clamped to the bounds"),
    [MS_PKU_F_WIDTH] = { "F_width", "V/m", 1.4e6, 1, 1e12, 0, MS_ORIGIN_NUMERICAL,
                         "memsnn smoothing of the F_min gate: 0.1 % of F_min",
                         "width of the logistic field gate" },
};
#undef P
#undef SRC

static const char *const state_names[] = { "gap" };
static const char *const state_units[] = { "m" };
static const double state_scale[] = { 1e-9 };
static const double state_min[] = { 0.0 }, state_max[] = { INFINITY }; /* a gap is not negative */

enum { ROOT_GAP_MIN, ROOT_GAP_MAX, N_ROOTS };
static const int root_dir[N_ROOTS] = { -1, +1 };
static const char *const root_names[N_ROOTS] = { "gap_min", "gap_max" };

static double gap_of_R(const double *p, double R)
{
    double v = p[MS_PKU_V_READ];
    return p[MS_PKU_G0] * log(p[MS_PKU_I0] * sinh(v / p[MS_PKU_V0]) * R / v);
}

double ms_rram_pku_gap_min(const double *p) { return gap_of_R(p, p[MS_PKU_R_ON]); }
double ms_rram_pku_gap_max(const double *p) { return gap_of_R(p, p[MS_PKU_R_OFF]); }

static int check(const double *p, char *msg, size_t len)
{
    if (!(p[MS_PKU_R_ON] < p[MS_PKU_R_OFF]))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "rram_pku: R_on must be < R_off (R_on = %g ohm, R_off = %g ohm)",
                           p[MS_PKU_R_ON], p[MS_PKU_R_OFF]);
    /* sinh(V_read / V0) overflows above V_read / V0 = 710: both gap bounds are then infinite
     * and so is every state (found by tests/fuzz/fuzz_device_params.c). */
    if (!isfinite(ms_rram_pku_gap_max(p)))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "rram_pku: V_read = %g V and V0 = %g V give gap bounds that are not finite "
                           "(sinh(V_read / V0) overflows); V_read / V0 must stay below 700",
                           p[MS_PKU_V_READ], p[MS_PKU_V0]);
    if (!(ms_rram_pku_gap_min(p) > 0))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "rram_pku: R_on = %g ohm gives a gap minimum %g m <= 0; it needs "
                           "I0 sinh(V_read/V0) R_on / V_read > 1", p[MS_PKU_R_ON],
                           ms_rram_pku_gap_min(p));
    return MS_DEV_OK;
}

static double clamp_gap(const double *p, double g)
{
    return msi_dev_clamp(g, ms_rram_pku_gap_min(p), ms_rram_pku_gap_max(p));
}

static double current(double t, const double *y, const double *p, double v)
{
    (void)t;
    return p[MS_PKU_I0] * exp(-clamp_gap(p, y[MS_PKU_GAP]) / p[MS_PKU_G0]) * sinh(v / p[MS_PKU_V0]);
}

static double dcurrent(double t, const double *y, const double *p, double v)
{
    (void)t;
    return p[MS_PKU_I0] * exp(-clamp_gap(p, y[MS_PKU_GAP]) / p[MS_PKU_G0]) *
           cosh(v / p[MS_PKU_V0]) / p[MS_PKU_V0];
}

static double power(double t, const double *y, const double *p, double v)
{
    return v * current(t, y, p, v);
}

static double conductance(const double *y, const double *p)
{
    return current(0, y, p, p[MS_PKU_V_READ]) / p[MS_PKU_V_READ];
}

static double gamma_of(const double *p, double g)
{
    double gn = g / NM;
    return p[MS_PKU_GAMMA0] - p[MS_PKU_BETA] * gn * gn * gn;
}

static int init(const double *p, double *y)
{
    y[MS_PKU_GAP] = clamp_gap(p, p[MS_PKU_GAP_INIT]);
    return 0;
}

static int rhs(double t, const double *y, const double *p, double v, double *ydot)
{
    double g = y[MS_PKU_GAP], gc = clamp_gap(p, g);
    double gm = fmax(gamma_of(p, gc), 0.0);
    double gate = msi_dev_sigmoid((gm * fabs(v) / p[MS_PKU_T_OX] - p[MS_PKU_F_MIN]) / p[MS_PKU_F_WIDTH]);
    double T = p[MS_PKU_T0] + fabs(v * current(t, y, p, v)) * p[MS_PKU_R_TH];
    double kT = K_B * T;
    double rate = -gate * p[MS_PKU_VEL0] * exp(-Q_E * p[MS_PKU_EA] / kT) *
                  sinh(gm * p[MS_PKU_A0] * Q_E * v / (p[MS_PKU_T_OX] * kT));
    if ((g >= ms_rram_pku_gap_max(p) && rate > 0) || (g <= ms_rram_pku_gap_min(p) && rate < 0))
        rate = 0.0;
    ydot[MS_PKU_GAP] = rate;
    return 0;
}

static int roots(double t, const double *y, const double *p, double v, double *g)
{
    (void)t;
    (void)v;
    double gap = y[MS_PKU_GAP];
    g[ROOT_GAP_MIN] = gap - ms_rram_pku_gap_min(p);
    g[ROOT_GAP_MAX] = gap - ms_rram_pku_gap_max(p);
    return 0;
}

static int on_root(double t, int which, double *y, const double *p)
{
    (void)t;
    if (which == ROOT_GAP_MIN) y[MS_PKU_GAP] = ms_rram_pku_gap_min(p);
    if (which == ROOT_GAP_MAX) y[MS_PKU_GAP] = ms_rram_pku_gap_max(p);
    return 0;
}

const ms_device_class msi_dev_rram_pku = {
    .version = MS_DEVICE_VERSION,
    .name = "rram_pku",
    .doc = "Stanford/PKU filament-gap RRAM (MemTorch defaults), for waveform-level studies",
    .role = "synapse",
    .n_state = MS_PKU_N_STATE,
    .state_names = state_names,
    .state_units = state_units,
    .state_scale = state_scale,
    .state_min = state_min,
    .state_max = state_max,
    .n_params = MS_PKU_N_PARAMS,
    .params = params,
    .check = check,
    .init = init,
    .rhs = rhs,
    .current = current,
    .dcurrent_dv = dcurrent,
    .power = power,
    .conductance = conductance,
    .n_roots = N_ROOTS,
    .root_dir = root_dir,
    .root_names = root_names,
    .roots = roots,
    .on_root = on_root,
    .spike_root = -1,
};

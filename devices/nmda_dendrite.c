/* devices/nmda_dendrite.c: the default dendrite, a first-order volatile memristor (D1,
 * a proposal [I]): little conduction below a threshold, a steep sigmoidal rise above it with
 * activation time tau_on, spontaneous decay to G_off with tau_off. docs/devices/nmda_dendrite.md.
 *
 *   G'   = (G_inf(v) - G) / tau,   tau = tau_on if G_inf > G else tau_off
 *   G_inf = G_off + (G_on - G_off) s(v)
 *   s(v) = (sig((|v| - V_th)/dV) - sig(-V_th/dV)) / (1 - sig(-V_th/dV))
 *   I    = G v
 *
 * s is the plain sigmoid sig((|v| - V_th)/dV) shifted and rescaled so that s(0) = 0 exactly:
 * with no input the conductance decays to G_off itself, not to G_off plus a sigmoid tail. The
 * switch of tau happens where G_inf = G, so the right-hand side stays continuous.
 * Source tags ([S N1-ED7], ...) are defined in docs/devices/sources.md. */
#include <math.h>

#include "devices/device_impl.h"
#include "devices/ms_dendrite.h"

#define P(id, n, u, d, lo, hi, o, s, doc) [id] = { n, u, d, lo, hi, 0, o, s, doc }
static const ms_param_desc params[MS_NMDA_N_PARAMS] = {
    P(MS_NMDA_G_ON, "G_on", "S", 100e-6, 1e-12, 1, MS_ORIGIN_INFERRED,
      "proposal [I]; ON/OFF = 100 as in Li 2020 [S N1-ED6]", "on conductance"),
    P(MS_NMDA_G_OFF, "G_off", "S", 1e-6, 1e-15, 1, MS_ORIGIN_INFERRED,
      "proposal [I]; ON/OFF = 100 as in Li 2020 [S N1-ED6]", "off conductance"),
    P(MS_NMDA_V_TH, "V_th", "V", 1.0, 1e-3, 100, MS_ORIGIN_INFERRED,
      "[I] 0.5 V_op, V_op = 2 V [S N1-ED7]", "activation threshold"),
    P(MS_NMDA_DV, "dV", "V", 0.1, 1e-4, 10, MS_ORIGIN_INFERRED,
      "[I] 0.05 V_op", "width of the activation sigmoid"),
    P(MS_NMDA_TAU_ON, "tau_on", "s", 3e-6, 1e-12, 1, MS_ORIGIN_INFERRED,
      "[I] 3 us, so the 10 us response [S N1-ED7] ~ 3 tau_on",
      "activation time constant"),
    P(MS_NMDA_TAU_OFF, "tau_off", "s", 400e-6, 1e-9, 100, MS_ORIGIN_INFERRED,
      "[I] 400 us decay of the sister device [S ZH21]",
      "spontaneous decay time constant"),
    P(MS_NMDA_D2D, "d2d", "1", 0.0, 0, 1, MS_ORIGIN_SOURCE,
      "[S GH-DEN] dendrite noise 0.00 in the official code",
      "device-to-device lognormal sigma of G_on, G_off, V_th"),
};
#undef P

static const char *const state_names[] = { "G" };
static const char *const state_units[] = { "S" };
static const double state_scale[] = { 1e-4 };
static const double state_min[] = { 0.0 }, state_max[] = { INFINITY }; /* a conductance */

static int check(const double *p, char *msg, size_t len)
{
    if (!(p[MS_NMDA_G_OFF] < p[MS_NMDA_G_ON]))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "nmda_dendrite: G_off must be < G_on (G_off = %g S, G_on = %g S)",
                           p[MS_NMDA_G_OFF], p[MS_NMDA_G_ON]);
    return MS_DEV_OK;
}

double ms_nmda_activation(const double *p, double v)
{
    double s0 = msi_dev_sigmoid(-p[MS_NMDA_V_TH] / p[MS_NMDA_DV]);
    double s = msi_dev_sigmoid((fabs(v) - p[MS_NMDA_V_TH]) / p[MS_NMDA_DV]);
    return (s - s0) / (1.0 - s0);
}

static double g_inf(const double *p, double v)
{
    return p[MS_NMDA_G_OFF] + (p[MS_NMDA_G_ON] - p[MS_NMDA_G_OFF]) * ms_nmda_activation(p, v);
}

double ms_nmda_time_to(const double *p, double v, double f)
{
    double target = f * p[MS_NMDA_G_ON], Ginf = g_inf(p, v), G0 = p[MS_NMDA_G_OFF];
    if (target <= G0) return 0.0;
    if (Ginf <= target) return INFINITY;
    return p[MS_NMDA_TAU_ON] * log((Ginf - G0) / (Ginf - target));
}

static int init(const double *p, double *y)
{
    y[MS_NMDA_G] = p[MS_NMDA_G_OFF];
    return 0;
}

static double tau(const double *p, double Ginf, double G)
{
    return Ginf > G ? p[MS_NMDA_TAU_ON] : p[MS_NMDA_TAU_OFF];
}

static int rhs(double t, const double *y, const double *p, double v, double *ydot)
{
    (void)t;
    double Ginf = g_inf(p, v), G = y[MS_NMDA_G];
    ydot[MS_NMDA_G] = (Ginf - G) / tau(p, Ginf, G);
    return 0;
}

/* I = G v */
static int dcurrent_dy(double t, const double *y, const double *p, double v, double *out)
{
    (void)t, (void)y, (void)p;
    out[MS_NMDA_G] = v;
    return 0;
}

/* d G'/d v = (G_on - G_off) d activation/d v / tau; the activation is a sigmoid of |v| */
static int drhs_dv(double t, const double *y, const double *p, double v, double *out)
{
    (void)t;
    double s0 = msi_dev_sigmoid(-p[MS_NMDA_V_TH] / p[MS_NMDA_DV]);
    double s = msi_dev_sigmoid((fabs(v) - p[MS_NMDA_V_TH]) / p[MS_NMDA_DV]);
    double dact = s * (1.0 - s) / p[MS_NMDA_DV] / (1.0 - s0) * (v < 0 ? -1.0 : 1.0);
    out[MS_NMDA_G] = (p[MS_NMDA_G_ON] - p[MS_NMDA_G_OFF]) * dact / tau(p, g_inf(p, v), y[MS_NMDA_G]);
    return 0;
}

static int jac(double t, const double *y, const double *p, double v, double *J)
{
    (void)t;
    J[0] = -1.0 / tau(p, g_inf(p, v), y[MS_NMDA_G]);
    return 0;
}

static double conductance(const double *y, const double *p)
{
    (void)p;
    return y[MS_NMDA_G];
}

MSI_OHMIC_TERMINAL(conductance)

static int sample(const double *nom, double *p, const ms_device_rng *rng, char *msg, size_t len)
{
    for (size_t i = 0; i < MS_NMDA_N_PARAMS; i++) p[i] = nom[i];
    double s = nom[MS_NMDA_D2D];
    for (int attempt = 0; attempt < 16; attempt++) {
        p[MS_NMDA_G_ON] = nom[MS_NMDA_G_ON] * msi_dev_lognormal(rng, s);
        p[MS_NMDA_G_OFF] = nom[MS_NMDA_G_OFF] * msi_dev_lognormal(rng, s);
        p[MS_NMDA_V_TH] = nom[MS_NMDA_V_TH] * msi_dev_lognormal(rng, s);
        if (p[MS_NMDA_G_OFF] < p[MS_NMDA_G_ON]) return MS_DEV_OK;
    }
    return msi_dev_err(msg, len, MS_DEV_EINVAL,
                       "nmda_dendrite: d2d = %g gives G_off >= G_on in 16 draws; reduce d2d", s);
}

const ms_device_class msi_dev_nmda_dendrite = {
    .version = MS_DEVICE_VERSION,
    .name = "nmda_dendrite",
    .doc = "volatile threshold dendrite (D1): sigmoid activation, tau_on rise, tau_off decay",
    .role = "dendrite",
    .n_state = MS_NMDA_N_STATE,
    .state_names = state_names,
    .state_units = state_units,
    .state_scale = state_scale,
    .state_min = state_min,
    .state_max = state_max,
    .n_params = MS_NMDA_N_PARAMS,
    .params = params,
    .check = check,
    .init = init,
    .rhs = rhs,
    .jac = jac,
    .dcurrent_dy = dcurrent_dy,
    .drhs_dv = drhs_dv,
    .current = ohmic_current,
    .dcurrent_dv = ohmic_dcurrent,
    .power = ohmic_power,
    .conductance = conductance,
    .ohmic = 1,
    .spike_root = -1,
    .sample = sample,
};

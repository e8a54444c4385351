/* devices/mott_soma.c: the default soma, a hysteretic two-threshold (Mott) switch with a
 * parallel capacitor (S1, [I]), which fires periodically when charged above its
 * threshold. docs/devices/mott_soma.md.
 *
 *   tau_s s' = m - s                      (s: conducting fraction, relaxes to the phase m)
 *   m: 0 -> 1 when |v| rises through V_th (IMT), 1 -> 0 when |v| falls through V_hold (MIT)
 *   G(s) = 1/R_off + s (1/R_on - 1/R_off),   I = G(s) v,   parallel capacitance C
 *
 * S1 as first proposed uses smooth sigmoids of width delta in place of the phase m. With a
 * capacitor charging at ~1e4 V/s the sigmoid tail already switches the device ~5 delta below
 * V_th (for tau_s = 5 ns, delta = 10 mV: 53 mV early, a 15 % error in the firing period). The
 * thresholds are therefore exact roots here (CVODE finds the crossing, on_root flips m, the
 * integrator restarts), which is the delta -> 0 limit of S1 with the phase made explicit; s
 * keeps the finite switching time tau_s. The firing rate then matches the closed form of
 * docs/devices/mott_soma.md up to O(tau_s / period). */
#include <math.h>

#include "devices/device_impl.h"
#include "devices/ms_soma.h"

#define LI "[I] memsnn default for a Li-like NbOx soma"
static const ms_param_desc params[MS_MOTT_N_PARAMS] = {
    [MS_MOTT_V_TH] = { "V_th", "V", 1.0, 1e-3, 100, 0, MS_ORIGIN_INFERRED, LI,
                       "insulator-metal threshold" },
    [MS_MOTT_V_HOLD] = { "V_hold", "V", 0.6, 1e-4, 100, 0, MS_ORIGIN_INFERRED, LI,
                         "hold (metal-insulator) threshold, < V_th" },
    [MS_MOTT_R_ON] = { "R_on", "ohm", 1e3, 1e-3, 1e12, 0, MS_ORIGIN_INFERRED, LI,
                       "metallic resistance" },
    [MS_MOTT_R_OFF] = { "R_off", "ohm", 100e3, 1e-3, 1e15, 0, MS_ORIGIN_INFERRED, LI,
                        "insulating resistance" },
    [MS_MOTT_C] = { "C", "F", 1e-9, 1e-18, 1e-3, 0, MS_ORIGIN_INFERRED, LI,
                    "parallel capacitance" },
    [MS_MOTT_TAU_S] = { "tau_s", "s", 5e-9, 0.0, 1e-3, 0, MS_ORIGIN_INFERRED,
                        LI " (Mott switching sub-ns to 100s of ns)", "switching time constant" },
    [MS_MOTT_D2D] = { "d2d", "1", 0.0, 0, 1, 0, MS_ORIGIN_INFERRED,
                      "proposal [I]: no statistics found; off",
                      "device-to-device lognormal sigma of V_th, V_hold, R_on, R_off" },
};
#undef LI

static const char *const state_names[] = { "s", "m" };
static const char *const state_units[] = { "1", "1" };
static const double state_scale[] = { 1.0, 1.0 };
static const double state_min[] = { 0.0, 0.0 }, state_max[] = { 1.0, 1.0 }; /* fractions */
static const int root_dir[MS_MOTT_N_ROOTS] = { +1, -1 };
static const char *const root_names[MS_MOTT_N_ROOTS] = { "IMT", "MIT" };

static int check(const double *p, char *msg, size_t len)
{
    if (!(p[MS_MOTT_V_HOLD] < p[MS_MOTT_V_TH]))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "mott_soma: V_hold must be < V_th (V_hold = %g V, V_th = %g V)",
                           p[MS_MOTT_V_HOLD], p[MS_MOTT_V_TH]);
    if (!(p[MS_MOTT_R_ON] < p[MS_MOTT_R_OFF]))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "mott_soma: R_on must be < R_off (R_on = %g ohm, R_off = %g ohm)",
                           p[MS_MOTT_R_ON], p[MS_MOTT_R_OFF]);
    return MS_DEV_OK;
}

static double G_of(const double *p, double s)
{
    s = msi_dev_clamp(s, 0, 1);
    return 1.0 / p[MS_MOTT_R_OFF] + s * (1.0 / p[MS_MOTT_R_ON] - 1.0 / p[MS_MOTT_R_OFF]);
}

static int init(const double *p, double *y)
{
    (void)p;
    y[MS_MOTT_S] = 0.0;
    y[MS_MOTT_M] = 0.0;
    return 0;
}

static int rhs(double t, const double *y, const double *p, double v, double *ydot)
{
    (void)t, (void)v;
    /* tau_s = 0: the switch is instantaneous, s jumps with m at the roots (on_root) */
    ydot[MS_MOTT_S] = p[MS_MOTT_TAU_S] > 0 ? (y[MS_MOTT_M] - y[MS_MOTT_S]) / p[MS_MOTT_TAU_S] : 0.0;
    ydot[MS_MOTT_M] = 0.0;
    return 0;
}

/* m (the phase) moves only at the roots; s too when the switch is instantaneous */
static void held(const double *p, unsigned char *h)
{
    h[MS_MOTT_S] = !(p[MS_MOTT_TAU_S] > 0);
    h[MS_MOTT_M] = 1;
}

static int jac(double t, const double *y, const double *p, double v, double *J)
{
    (void)t, (void)y, (void)v;
    double k = p[MS_MOTT_TAU_S] > 0 ? 1.0 / p[MS_MOTT_TAU_S] : 0.0;
    J[0] = -k;   /* d s'/d s */
    J[1] = 0.0;  /* d m'/d s */
    J[2] = k;    /* d s'/d m */
    J[3] = 0.0;  /* d m'/d m */
    return 0;
}

/* I = G(s) v with G linear in s inside [0, 1] (clamped outside), independent of m */
static int dcurrent_dy(double t, const double *y, const double *p, double v, double *out)
{
    (void)t;
    double s = y[MS_MOTT_S];
    out[MS_MOTT_S] = (s >= 0 && s <= 1) ? v * (1.0 / p[MS_MOTT_R_ON] - 1.0 / p[MS_MOTT_R_OFF]) : 0.0;
    out[MS_MOTT_M] = 0.0;
    return 0;
}

static int drhs_dv(double t, const double *y, const double *p, double v, double *out)
{
    (void)t, (void)y, (void)p, (void)v;
    out[MS_MOTT_S] = out[MS_MOTT_M] = 0.0; /* the switch moves with m, not with v */
    return 0;
}

static double capacitance(const double *p) { return p[MS_MOTT_C]; }

static double conductance(const double *y, const double *p) { return G_of(p, y[MS_MOTT_S]); }

MSI_OHMIC_TERMINAL(conductance)

/* A threshold is live only in the phase it leaves; the other is held at +1 (no crossing). */
static int roots(double t, const double *y, const double *p, double v, double *g)
{
    (void)t;
    int metallic = y[MS_MOTT_M] > 0.5;
    g[MS_MOTT_ROOT_IMT] = metallic ? 1.0 : fabs(v) - p[MS_MOTT_V_TH];
    g[MS_MOTT_ROOT_MIT] = metallic ? fabs(v) - p[MS_MOTT_V_HOLD] : 1.0;
    return 0;
}

static int on_root(double t, int which, double *y, const double *p)
{
    (void)t;
    if (which == MS_MOTT_ROOT_IMT) y[MS_MOTT_M] = 1.0;
    if (which == MS_MOTT_ROOT_MIT) y[MS_MOTT_M] = 0.0;
    if (!(p[MS_MOTT_TAU_S] > 0)) y[MS_MOTT_S] = y[MS_MOTT_M]; /* instantaneous switch */
    return 0;
}

static int sample(const double *nom, double *p, const ms_device_rng *rng, char *msg, size_t len)
{
    for (size_t i = 0; i < MS_MOTT_N_PARAMS; i++) p[i] = nom[i];
    double s = nom[MS_MOTT_D2D];
    for (int attempt = 0; attempt < 16; attempt++) {
        p[MS_MOTT_V_TH] = nom[MS_MOTT_V_TH] * msi_dev_lognormal(rng, s);
        p[MS_MOTT_V_HOLD] = nom[MS_MOTT_V_HOLD] * msi_dev_lognormal(rng, s);
        p[MS_MOTT_R_ON] = nom[MS_MOTT_R_ON] * msi_dev_lognormal(rng, s);
        p[MS_MOTT_R_OFF] = nom[MS_MOTT_R_OFF] * msi_dev_lognormal(rng, s);
        if (check(p, NULL, 0) == MS_DEV_OK) return MS_DEV_OK;
    }
    return msi_dev_err(msg, len, MS_DEV_EINVAL,
                       "mott_soma: d2d = %g breaks V_hold < V_th or R_on < R_off in 16 draws", s);
}

/* ---- closed form ([I] derived for tau_s -> 0, mott_soma.md) ------------------------------- */

static double parallel(double r, double r_n)
{
    return (r_n > 0 && isfinite(r_n)) ? r * r_n / (r + r_n) : r;
}

void ms_mott_soma_times(const double *p, double i_n, double r_n, double *t_charge, double *t_dis)
{
    double r_off = parallel(p[MS_MOTT_R_OFF], r_n), r_on = parallel(p[MS_MOTT_R_ON], r_n);
    double v_off = fabs(i_n) * r_off, v_on = fabs(i_n) * r_on;
    double vth = p[MS_MOTT_V_TH], vh = p[MS_MOTT_V_HOLD], C = p[MS_MOTT_C];
    *t_charge = *t_dis = INFINITY;
    if (!(v_off > vth) || !(v_on < vh)) return;   /* never fires, or latches on */
    *t_charge = C * r_off * log((v_off - vh) / (v_off - vth));
    *t_dis = C * r_on * log((vth - v_on) / (vh - v_on));
}

double ms_mott_soma_rate(const double *p, double i_n, double r_n)
{
    double tc, td;
    ms_mott_soma_times(p, i_n, r_n, &tc, &td);
    return isfinite(tc) ? 1.0 / (tc + td) : 0.0;
}

const ms_device_class msi_dev_mott_soma = {
    .version = MS_DEVICE_VERSION,
    .name = "mott_soma",
    .doc = "Mott threshold-switch soma (S1): V_th/V_hold hysteresis, parallel C, fires above V_th",
    .role = "soma",
    .n_state = MS_MOTT_N_STATE,
    .state_names = state_names,
    .state_units = state_units,
    .state_scale = state_scale,
    .state_min = state_min,
    .state_max = state_max,
    .n_params = MS_MOTT_N_PARAMS,
    .params = params,
    .check = check,
    .init = init,
    .rhs = rhs,
    .jac = jac,
    .dcurrent_dy = dcurrent_dy,
    .drhs_dv = drhs_dv,
    .held = held,
    .current = ohmic_current,
    .dcurrent_dv = ohmic_dcurrent,
    .power = ohmic_power,
    .capacitance = capacitance,
    .conductance = conductance,
    .ohmic = 1,
    .n_roots = MS_MOTT_N_ROOTS,
    .root_dir = root_dir,
    .root_names = root_names,
    .roots = roots,
    .on_root = on_root,
    .spike_root = MS_MOTT_ROOT_IMT,
    .sample = sample,
};

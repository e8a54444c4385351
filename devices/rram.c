/* devices/rram.c: the default RRAM synapse, a VTEAM-style threshold ODE with soft bounds
 * ([S VTEAM]), calibrated so that one standard pulse reproduces the Tsinghua per-pulse
 * conductance steps over the 2-20 uS window ([S EDGE]). docs/devices/rram.md; the source tags
 * are resolved in docs/devices/sources.md.
 *
 *   x' = +k_set   (v/V_set   - 1)^alpha_set   (1 - x)^p_set     v > V_set   (SET)
 *   x' = -k_reset (v/V_reset - 1)^alpha_reset  x^p_reset        v < V_reset (RESET)
 *   x' = 0                                                      otherwise
 *   I  = G(x) v,  G(x) = G_min + x (G_max - G_min)
 *
 * For a constant voltage the ODE separates, so a rectangular pulse has a closed form
 * (ms_rram_pulse_x): the pulse-level operations in rram_nonideal.c use it instead of an
 * integrator, which keeps devices/ free of any solver. */
#include <math.h>

#include "devices/device_impl.h"
#include "devices/ms_rram.h"
#include "devices/rram_impl.h"

/* Calibration (docs/devices/rram.md, "Calibration"): least-squares fit of the exact one-pulse
 * step of this ODE, at the ten bin centres x = 0.05 ... 0.95, to the Tsinghua mean steps
 * ([S EDGE b2_fit, b1_fit]) for the standard pulse (+-1.5 V, 100 ns), with the soft-bound
 * exponents p_set = 1, p_reset = 1.5. A = k h(V_pulse) t_pulse = 0.065767 (SET, rms 0.088 uS)
 * and 0.419886 (RESET, rms 0.47 uS); h(1.5 V) = (1.5/0.8 - 1)^3 = 0.669921875. */
#define K_SET_FIT 9.817e5     /* 1/s, [I] = 0.065767 / (100 ns * 0.669921875)   */
#define K_RESET_FIT 6.2677e6  /* 1/s, [I] = 0.419886 / (100 ns * 0.669921875)   */

/* Relaxation law of IBM CMO/HfOx ([S AIHW] ReRamCMONoiseModel, in uS for a 10-90 uS window)
 * scaled by G_max / 90 uS = 20/90 to the 2-20 uS window [I] (rram.md, "Relaxation"). */
#define RELAX_SCALE (20.0 / 90.0)
#define RELAX_MU_S (-0.0890e-6 * RELAX_SCALE)   /* mean shift per ln unit          */
#define RELAX_SIG0_S (0.4118e-6 * RELAX_SCALE)  /* spread intercept                */
#define RELAX_SIG1_S (0.0420e-6 * RELAX_SCALE)  /* spread growth per ln unit       */

/* Endurance calibration (docs/devices/rram.md, "Endurance"), a proposal [I]: no fitted law was
 * found; [S ZHAO18] gives only the headline (weak analog cycling lasts > 1e5 x the full-window
 * cycles, 1e11 analog cycles usable). END_V_ACC_FIT and END_W0_FIT are set so that the
 * full-window protocol (+-2 V, 2 us) halves the window at 1e6 cycles and the analog protocol
 * (100 + 100 pulses of 100 ns, 25 % <-> 75 %) lasts > 1e5 x longer. */
#define END_V_ACC_FIT 0.06    /* V  */
#define END_W0_FIT 8.2e4      /* standard full-window sweeps */

#define P(id, n, u, d, lo, hi, in, o, s, doc) [id] = { n, u, d, lo, hi, in, o, s, doc }
static const ms_param_desc params[MS_RRAM_N_PARAMS] = {
    P(MS_RRAM_G_MIN, "G_min", "S", 2e-6, 1e-9, 1e-3, 0, MS_ORIGIN_SOURCE,
      "[S EDGE] Tsinghua edge-learning code: window 2-20 uS", "low-conductance bound"),
    P(MS_RRAM_G_MAX, "G_max", "S", 20e-6, 1e-9, 1e-2, 0, MS_ORIGIN_SOURCE,
      "[S EDGE] Tsinghua edge-learning code: window 2-20 uS", "high-conductance bound"),
    P(MS_RRAM_V_SET, "V_set", "V", 0.8, 0.01, 10, 0, MS_ORIGIN_INFERRED,
      "[I] above the 0.1-0.2 V reads, below the 1.5 V pulse", "SET threshold"),
    P(MS_RRAM_V_RESET, "V_reset", "V", -0.8, -10, -0.01, 0, MS_ORIGIN_INFERRED,
      "[I] mirror of V_set", "RESET threshold"),
    P(MS_RRAM_ALPHA_SET, "alpha_set", "1", 3, 1, 10, 0, MS_ORIGIN_INFERRED,
      "[S VTEAM] MemTorch alpha_on = 3, used here [I]", "SET voltage exponent"),
    P(MS_RRAM_ALPHA_RESET, "alpha_reset", "1", 3, 1, 10, 0, MS_ORIGIN_INFERRED,
      "[S VTEAM] MemTorch alpha_on = 3, used here [I]", "RESET voltage exponent"),
    P(MS_RRAM_K_SET, "k_set", "1/s", K_SET_FIT, 1e-3, 1e15, 0, MS_ORIGIN_INFERRED,
      "[I] fit to [S EDGE b2_fit] SET steps, rms 0.088 uS", "SET rate constant"),
    P(MS_RRAM_K_RESET, "k_reset", "1/s", K_RESET_FIT, 1e-3, 1e15, 0, MS_ORIGIN_INFERRED,
      "[I] fit to [S EDGE b1_fit] RESET steps, rms 0.47 uS",
      "RESET rate constant"),
    P(MS_RRAM_P_SET, "p_set", "1", 1.0, 1, 4, 0, MS_ORIGIN_INFERRED,
      "[I] fit to [S EDGE]; >= 1 keeps the ODE Lipschitz",
      "SET soft-bound exponent, rate ~ (1-x)^p_set"),
    P(MS_RRAM_P_RESET, "p_reset", "1", 1.5, 1, 4, 0, MS_ORIGIN_INFERRED,
      "[I] fit to [S EDGE]; 1.5 keeps G_min reachable",
      "RESET soft-bound exponent, rate ~ x^p_reset"),
    P(MS_RRAM_X0, "x0", "1", 0, 0, 1, 0, MS_ORIGIN_NUMERICAL, "a formed device starts at G_min",
      "initial state (0: G_min, 1: G_max)"),
    P(MS_RRAM_V_READ, "V_read", "V", 0.2, 1e-3, 5, 0, MS_ORIGIN_SOURCE,
      "[S RC-GH] Tsinghua RC code: V_read 0.2 V", "read voltage"),
    P(MS_RRAM_T_READ, "t_read", "s", 100e-9, 1e-12, 1, 0, MS_ORIGIN_INFERRED,
      "[I] 100 ns read: 8-80 fJ at 0.2 V over 2-20 uS", "read pulse width"),
    P(MS_RRAM_V_PULSE_SET, "V_pulse_set", "V", 1.5, 0.01, 10, 0, MS_ORIGIN_INFERRED,
      "[I] amplitude of the Stanford/PKU sine check", "standard SET pulse amplitude"),
    P(MS_RRAM_V_PULSE_RESET, "V_pulse_reset", "V", -1.5, -10, -0.01, 0, MS_ORIGIN_INFERRED,
      "[I] mirror of V_pulse_set", "standard RESET pulse amplitude"),
    P(MS_RRAM_T_PULSE, "t_pulse", "s", 100e-9, 1e-12, 1, 0, MS_ORIGIN_INFERRED,
      "proposal [I]; the calibration holds for this width", "standard pulse width"),
    P(MS_RRAM_D2D_G, "d2d_G", "1", 0.05, 0, 1, 0, MS_ORIGIN_INFERRED,
      "proposal [I]: no Tsinghua statistics found",
      "device-to-device lognormal sigma of G_min, G_max"),
    P(MS_RRAM_D2D_STEP, "d2d_step", "1", 0.10, 0, 1, 0, MS_ORIGIN_INFERRED,
      "proposal [I]: no Tsinghua statistics found",
      "device-to-device lognormal sigma of k_set, k_reset"),
    P(MS_RRAM_SIGMA_C2C, "sigma_c2c", "S", 0.55e-6, 0, 1e-4, 0, MS_ORIGIN_INFERRED,
      "[S EDGE] sigma 0.38-0.91 uS per pulse; sqrt law [I]",
      "cycle-to-cycle sigma of a pulse whose nominal step is 1 uS"),
    P(MS_RRAM_SIGMA_READ, "sigma_read", "1", 0.01, 0, 1, 0, MS_ORIGIN_SOURCE,
      "[S AIHW] IBM aihwkit: ~1 % read noise", "relative read noise"),
    P(MS_RRAM_RELAX_MU, "relax_mu", "S", RELAX_MU_S, -1e-5, 1e-5, 0, MS_ORIGIN_INFERRED,
      "[S AIHW] -0.0890 uS per ln t, scaled x20/90 [I]",
      "relaxation mean shift per unit of ln(1 + t/t0)"),
    P(MS_RRAM_RELAX_SIG0, "relax_sig0", "S", RELAX_SIG0_S, 0, 1e-5, 0, MS_ORIGIN_INFERRED,
      "[S AIHW] 0.4118 uS, scaled x20/90 [I]",
      "relaxation spread intercept"),
    P(MS_RRAM_RELAX_SIG1, "relax_sig1", "S", RELAX_SIG1_S, 0, 1e-5, 0, MS_ORIGIN_INFERRED,
      "[S AIHW] 0.0420 uS per ln t, scaled x20/90 [I]",
      "relaxation spread growth per unit of ln(1 + t/t0)"),
    P(MS_RRAM_RELAX_T0, "relax_t0", "s", 1.0, 1e-9, 1e6, 0, MS_ORIGIN_INFERRED,
      "[S AIHW] laws in ln(t / 1 s) [I]", "relaxation time unit"),
    P(MS_RRAM_P_STUCK_OFF, "p_stuck_off", "1", 1e-3, 0, 1, 0, MS_ORIGIN_INFERRED,
      "proposal [I]: no Tsinghua number found", "probability of stuck at G_min"),
    P(MS_RRAM_P_STUCK_ON, "p_stuck_on", "1", 1e-3, 0, 1, 0, MS_ORIGIN_INFERRED,
      "proposal [I]: no Tsinghua number found", "probability of stuck at G_max"),
    P(MS_RRAM_STUCK, "stuck", "1", 0, 0, 2, 1, MS_ORIGIN_NUMERICAL,
      "set per device by variation sampling", "0 healthy, 1 stuck at G_min, 2 stuck at G_max"),
    P(MS_RRAM_N_LEVELS, "n_levels", "1", 64, 2, 4096, 1, MS_ORIGIN_SEED,
      "[B] seed talk: 64 levels",
      "programmable levels in [G_min, G_max]"),
    P(MS_RRAM_WV_TOL, "wv_tol", "1", 0.5, 0.01, 100, 0, MS_ORIGIN_INFERRED,
      "proposal [I]: half a level, so adjacent levels do not overlap",
      "write-verify tolerance in units of the level spacing"),
    P(MS_RRAM_WV_MAX_ITER, "wv_max_iter", "1", 100, 1, 100000, 1, MS_ORIGIN_SOURCE,
      "[S RC-GH] Tsinghua RC code: <= 100 iterations", "write-verify pulse limit"),
    P(MS_RRAM_WV_V_STEP, "wv_V_step", "V", 0.1, 1e-3, 5, 0, MS_ORIGIN_INFERRED,
      "[S RC-GH] 0.1 V ramp (there on gate/source line) [I]",
      "write-verify amplitude ramp step"),
    P(MS_RRAM_WV_V_MAX, "wv_V_max", "V", 2.0, 0.01, 10, 0, MS_ORIGIN_INFERRED,
      "proposal [I]: 5x the standard pulse strength at alpha = 3",
      "write-verify largest amplitude (both polarities)"),
    P(MS_RRAM_WEAR, "wear", "1", 0, 0, 1e30, 0, MS_ORIGIN_NUMERICAL,
      "0: a fresh device; grown by endurance cycling",
      "accumulated switching stress in standard full-window sweeps"),
    P(MS_RRAM_END_W0, "end_W0", "1", END_W0_FIT, 1e-6, 1e30, 0, MS_ORIGIN_INFERRED,
      "[I] calibrated: full-window cycling halves the window at 1e6 cycles",
      "wear at which the degradation sets in"),
    P(MS_RRAM_END_KAPPA, "end_kappa", "1", 0.1, 0, 1, 0, MS_ORIGIN_INFERRED,
      "proposal [I] after [S ZHAO18]: window shrinks with log cycles",
      "window fraction lost per decade of wear/end_W0"),
    P(MS_RRAM_END_NU, "end_nu", "1", 0.1, 0, 1, 0, MS_ORIGIN_INFERRED,
      "proposal [I] after [S ZHAO18]: nonlinearity grows with log cycles",
      "growth of p_set and p_reset per decade of wear/end_W0"),
    P(MS_RRAM_END_V_ACC, "end_V_acc", "V", END_V_ACC_FIT, 1e-3, 10, 0, MS_ORIGIN_INFERRED,
      "[I] calibrated: weak analog cycles outlast full ones >= 1e5 x [S ZHAO18]",
      "voltage acceleration of the wear per pulse"),
    P(MS_RRAM_END_F_FAIL, "end_f_fail", "1", 0.5, 0.01, 0.99, 0, MS_ORIGIN_INFERRED,
      "proposal [I]: half the dynamic range left",
      "window fraction at or below which a device counts as worn out"),
    P(MS_RRAM_D2D_W0, "d2d_W0", "1", 0, 0, 3, 0, MS_ORIGIN_INFERRED,
      "proposal [I]; 0 keeps the variation draws of earlier versions",
      "device-to-device lognormal sigma of end_W0"),
};
#undef P

static const char *const state_names[] = { "x" };
static const char *const state_units[] = { "1" };
static const double state_scale[] = { 1.0 };
static const double state_min[] = { 0.0 }, state_max[] = { 1.0 }; /* x: fraction of the window */

static int check(const double *p, char *msg, size_t len)
{
    if (!(p[MS_RRAM_G_MIN] < p[MS_RRAM_G_MAX]))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "rram: G_min must be < G_max (G_min = %g S, G_max = %g S)",
                           p[MS_RRAM_G_MIN], p[MS_RRAM_G_MAX]);
    if (!(p[MS_RRAM_V_PULSE_SET] > p[MS_RRAM_V_SET]))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "rram: V_pulse_set = %g V must be > V_set = %g V",
                           p[MS_RRAM_V_PULSE_SET], p[MS_RRAM_V_SET]);
    if (!(p[MS_RRAM_V_PULSE_RESET] < p[MS_RRAM_V_RESET]))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "rram: V_pulse_reset = %g V must be < V_reset = %g V",
                           p[MS_RRAM_V_PULSE_RESET], p[MS_RRAM_V_RESET]);
    double first = fmax(p[MS_RRAM_V_SET], -p[MS_RRAM_V_RESET]) + p[MS_RRAM_WV_V_STEP];
    if (!(p[MS_RRAM_WV_V_MAX] >= first))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "rram: wv_V_max = %g V must be >= max(V_set, -V_reset) + wv_V_step "
                           "= %g V", p[MS_RRAM_WV_V_MAX], first);
    if (!(p[MS_RRAM_P_STUCK_OFF] + p[MS_RRAM_P_STUCK_ON] <= 1))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "rram: p_stuck_off + p_stuck_on = %g must be <= 1",
                           p[MS_RRAM_P_STUCK_OFF] + p[MS_RRAM_P_STUCK_ON]);
    return MS_DEV_OK;
}

/* Signed rate factor k h(v) of the threshold law: > 0 for SET, < 0 for RESET, 0 between. */
static double drive(const double *p, double v)
{
    if (v > p[MS_RRAM_V_SET])
        return p[MS_RRAM_K_SET] * pow(v / p[MS_RRAM_V_SET] - 1.0, p[MS_RRAM_ALPHA_SET]);
    if (v < p[MS_RRAM_V_RESET])
        return -p[MS_RRAM_K_RESET] * pow(v / p[MS_RRAM_V_RESET] - 1.0, p[MS_RRAM_ALPHA_RESET]);
    return 0.0;
}

static int stuck(const double *p) { return (int)p[MS_RRAM_STUCK]; }

double ms_rram_G(const double *p, double x)
{
    if (stuck(p) == MS_RRAM_STUCK_OFF) return ms_rram_G_min_eff(p);
    if (stuck(p) == MS_RRAM_STUCK_ON) return ms_rram_G_max_eff(p);
    double lo = ms_rram_G_min_eff(p), hi = ms_rram_G_max_eff(p);
    return lo + msi_dev_clamp(x, 0, 1) * (hi - lo);
}

double ms_rram_x_of_G(const double *p, double G)
{
    double lo = ms_rram_G_min_eff(p), hi = ms_rram_G_max_eff(p);
    return msi_dev_clamp((G - lo) / (hi - lo), 0, 1);
}

/* u(t) for u' = -r u^e from u0 over "time" r (r = rate x width), e >= 1. */
static double decay(double u0, double r, double e)
{
    if (u0 <= 0) return 0.0;
    if (e == 1.0) return u0 * exp(-r);
    /* Just above e = 1 (a worn p = 1 + end_nu D) the power form loses its digits; the same
     * solution as ln u = -log1p(expm1(-eps ln u0) + eps r) / eps, eps = e - 1, keeps them. */
    double eps = e - 1.0;
    if (eps < 1e-3) return exp(-log1p(expm1(-eps * log(u0)) + eps * r) / eps);
    return pow(pow(u0, 1.0 - e) + (e - 1.0) * r, -1.0 / (e - 1.0));
}

double ms_rram_pulse_x(const double *p, double x0, double v, double t_w)
{
    if (stuck(p)) return x0;
    double k = drive(p, v);
    if (k == 0.0 || t_w <= 0) return x0;   /* below threshold: exactly no change */
    double x = msi_dev_clamp(x0, 0, 1);
    if (k > 0) return 1.0 - decay(1.0 - x, k * t_w, ms_rram_p_set_eff(p));
    return decay(x, -k * t_w, ms_rram_p_reset_eff(p));
}

static int init(const double *p, double *y)
{
    y[MS_RRAM_X] = stuck(p) == MS_RRAM_STUCK_OFF ? 0.0
                 : stuck(p) == MS_RRAM_STUCK_ON  ? 1.0 : p[MS_RRAM_X0];
    return 0;
}

static int rhs(double t, const double *y, const double *p, double v, double *ydot)
{
    (void)t;
    double k = stuck(p) ? 0.0 : drive(p, v);
    double x = y[MS_RRAM_X];
    if (k > 0) ydot[MS_RRAM_X] = k * pow(fmax(1.0 - x, 0.0), ms_rram_p_set_eff(p));
    else if (k < 0) ydot[MS_RRAM_X] = k * pow(fmax(x, 0.0), ms_rram_p_reset_eff(p));
    else ydot[MS_RRAM_X] = 0.0;
    return 0;
}

static int jac(double t, const double *y, const double *p, double v, double *J)
{
    (void)t;
    double k = stuck(p) ? 0.0 : drive(p, v);
    double x = y[MS_RRAM_X];
    J[0] = 0.0;
    double ps = ms_rram_p_set_eff(p), pr = ms_rram_p_reset_eff(p);
    if (k > 0 && x < 1)
        J[0] = -k * ps * pow(1.0 - x, ps - 1.0);
    else if (k < 0 && x > 0)
        J[0] = k * pr * pow(x, pr - 1.0);
    return 0;
}

static double conductance(const double *y, const double *p) { return ms_rram_G(p, y[MS_RRAM_X]); }

MSI_OHMIC_TERMINAL(conductance)

const ms_device_class msi_dev_rram = {
    .version = MS_DEVICE_VERSION,
    .name = "rram",
    .doc = "analog RRAM synapse: threshold ODE with soft bounds, calibrated to Tsinghua steps",
    .role = "synapse",
    .n_state = MS_RRAM_N_STATE,
    .state_names = state_names,
    .state_units = state_units,
    .state_scale = state_scale,
    .state_min = state_min,
    .state_max = state_max,
    .n_params = MS_RRAM_N_PARAMS,
    .params = params,
    .check = check,
    .init = init,
    .rhs = rhs,
    .jac = jac,
    .current = ohmic_current,
    .dcurrent_dv = ohmic_dcurrent,
    .power = ohmic_power,
    .conductance = conductance,
    .ohmic = 1,
    .spike_root = -1,
    .sample = msi_rram_sample,
    .pulse_noise = msi_rram_pulse_noise,
    .read = msi_rram_read,
    .relax = msi_rram_relax,
};

/* neurons/lif_curr_exp.c: leaky integrate-and-fire neuron with exponentially decaying
 * synaptic currents ("iaf_psc_exp" in NEST, "IF_curr_exp" in PyNN).
 *
 *   C dv/dt  = g_L (E_L - v) + I_exc - I_inh + I_inj + I_e      (held at V_reset while
 *   dI_exc/dt = -I_exc / tau_exc                                   refractory)
 *   dI_inh/dt = -I_inh / tau_inh
 * A spike at v = V_th resets v to V_reset for t_ref. Inputs: "exc" adds to I_exc, "inh" to
 * I_inh (weights in A, positive: the inhibitory current is subtracted), "current" to the
 * injected step current I_inj. Defaults: Brette et al. 2007, J. Comput. Neurosci. 23:349,
 * Benchmarks 1/2 (C = 200 pF, g_L = 10 nS, E_L = -60 mV, V_th = -50 mV, V_reset = -60 mV,
 * t_ref = 5 ms, tau_exc = 5 ms, tau_inh = 10 ms; BRETTE07 in docs/devices/sources.md).
 *
 * All three methods: exact (closed form with a guaranteed first-crossing search,
 * neurons/ms_expsum.h), cvode, and fixed (the exact propagator over each step, as NEST's
 * iaf_psc_exp, with spikes on the grid). Equations: docs/neurons/lif.md. */
#include <math.h>
#include <stdio.h>

#include "core/ms_model.h"
#include "neurons/lif_common.h"
#include "neurons/ms_expsum.h"
#include "neurons/ms_neurons.h"

/* The layout of lif_common.h, then this model's own parameters. */
enum { P_C = LIF_P_C, P_GL = LIF_P_GL, P_EL = LIF_P_EL, P_VTH = LIF_P_VTH, P_VRESET = LIF_P_VRESET, P_TREF = LIF_P_TREF,
       P_TAU_EXC = LIF_N_COMMON_PARAMS, P_TAU_INH, P_IE, N_PARAMS };
enum { Y_V = LIF_Y_V, Y_IEXC = LIF_Y_SYN_EXC, Y_IINH = LIF_Y_SYN_INH, Y_IINJ = LIF_Y_IINJ, Y_REF_END = LIF_Y_REF_END,
       N_STATE = LIF_N_STATE };
enum { D_PMM, D_PME, D_PMI, D_PEE, D_PII, D_R1, N_DERIVED };

static const ms_param_spec params[N_PARAMS] = {
    LIF_COMMON_PARAM_SPECS,
    { "tau_exc", "s", 5e-3, 1e-6, 10.0, "excitatory synaptic time constant (Brette 2007)" },
    { "tau_inh", "s", 10e-3, 1e-6, 10.0, "inhibitory synaptic time constant (Brette 2007)" },
    { "I_e", "A", 0.0, -1e-6, 1e-6, "constant bias current" },
};

/* Ranges as lif_cond_exp's: v within +-1 V, currents within +-1 A, t_ref_end any finite
 * time. Every port adds a current, so weights of either sign are accepted as they are. */
static const ms_state_spec state[N_STATE] = {
    { "v", "V", 1e-2, -1.0, 1.0, "membrane potential" },
    { "I_exc", "A", 1e-10, -1.0, 1.0, "excitatory synaptic current" },
    { "I_inh", "A", 1e-10, -1.0, 1.0, "inhibitory synaptic current (subtracted)" },
    { "I_inj", "A", 1e-10, -1.0, 1.0, "injected step current (net:current)" },
    { "t_ref_end", "s", 1e-3, -INFINITY, INFINITY, "end of the refractory period" },
};

static int rhs(const ms_model *m, double t, const double *y, const double *p, double *ydot)
{
    (void)m;
    double i_total = y[Y_IEXC] - y[Y_IINH] + y[Y_IINJ] + p[P_IE];
    ydot[Y_V] = t < y[Y_REF_END] ? 0.0 : (p[P_GL] * (p[P_EL] - y[Y_V]) + i_total) / p[P_C];
    ydot[Y_IEXC] = -y[Y_IEXC] / p[P_TAU_EXC];
    ydot[Y_IINH] = -y[Y_IINH] / p[P_TAU_INH];
    ydot[Y_IINJ] = 0.0;
    ydot[Y_REF_END] = 0.0;
    return 0;
}

static int jac(const ms_model *m, double t, const double *y, const double *p, double *J)
{
    (void)m;
    const int n = N_STATE;
    for (int k = 0; k < n * n; k++) J[k] = 0.0;
    if (!(t < y[Y_REF_END])) {
        J[Y_V * n + Y_V] = -p[P_GL] / p[P_C];
        J[Y_IEXC * n + Y_V] = 1.0 / p[P_C];
        J[Y_IINH * n + Y_V] = -1.0 / p[P_C];
        J[Y_IINJ * n + Y_V] = 1.0 / p[P_C];
    }
    J[Y_IEXC * n + Y_IEXC] = -1.0 / p[P_TAU_EXC];
    J[Y_IINH * n + Y_IINH] = -1.0 / p[P_TAU_INH];
    return 0;
}

/* (exp(-s/tau_s) - exp(-s/tau_m)) / (1/tau_m - 1/tau_s): the response of the membrane to
 * a decaying current, computed without cancellation when the time constants are close. */
static double phi(double s, double tau_s, double tau_m)
{
    double d = 1.0 / tau_m - 1.0 / tau_s;
    double em = exp(-s / tau_m);
    if (fabs(d * s) < 1e-10) return s * em;
    return em * expm1(d * s) / d;
}

/* v(s) - V_th over a non-refractory stretch, as a sum of exponentials. */
static void membrane_expsum(const double *y, const double *p, ms_expsum *f)
{
    double tau_m = p[P_C] / p[P_GL], R = 1.0 / p[P_GL];
    double v_inf = p[P_EL] + R * (y[Y_IINJ] + p[P_IE]);
    const double amp[2] = { y[Y_IEXC] / p[P_C], -y[Y_IINH] / p[P_C] };
    const double tau_s[2] = { p[P_TAU_EXC], p[P_TAU_INH] };
    f->c0 = v_inf - p[P_VTH];
    f->n = 1;
    f->lambda[0] = 1.0 / tau_m;
    f->c[0] = y[Y_V] - v_inf;
    f->d[0] = 0.0;
    for (int k = 0; k < 2; k++) {
        if (amp[k] == 0.0) continue;
        double d = 1.0 / tau_m - 1.0 / tau_s[k];
        if (fabs(d) * tau_m < 1e-10) {
            f->d[0] += amp[k]; /* equal time constants: s exp(-s / tau_m) */
        } else {
            int j = f->n++;
            f->lambda[j] = 1.0 / tau_s[k];
            f->c[j] = amp[k] / d;
            f->c[0] -= amp[k] / d;
            f->d[j] = 0.0;
        }
    }
}

/* Exact state after a non-refractory stretch of length s. */
static void advance_free(double s, double *y, const double *p)
{
    double tau_m = p[P_C] / p[P_GL], R = 1.0 / p[P_GL];
    double v_inf = p[P_EL] + R * (y[Y_IINJ] + p[P_IE]);
    double em = exp(-s / tau_m);
    y[Y_V] = v_inf + (y[Y_V] - v_inf) * em
           + (y[Y_IEXC] * phi(s, p[P_TAU_EXC], tau_m) - y[Y_IINH] * phi(s, p[P_TAU_INH], tau_m)) / p[P_C];
    y[Y_IEXC] *= exp(-s / p[P_TAU_EXC]);
    y[Y_IINH] *= exp(-s / p[P_TAU_INH]);
}

/* Spike times are searched to this resolution, relative to the stretch (then bisected to
 * a few ulps): see neurons/ms_expsum.h. */
#define ROOT_INTERVAL_TOL 1e-9

static int propagate(double t, double dt, double *y, const double *p, const double *d, double *dt_done, int *which)
{
    (void)d;
    *which = -1;
    double done = 0.0;
    if (t < y[Y_REF_END]) {
        /* Refractory: v is held, the synaptic currents decay. */
        double s = fmin(dt, y[Y_REF_END] - t);
        y[Y_IEXC] *= exp(-s / p[P_TAU_EXC]);
        y[Y_IINH] *= exp(-s / p[P_TAU_INH]);
        done = s;
        if (done >= dt) {
            *dt_done = dt;
            return 0;
        }
    }
    double rest = dt - done;
    ms_expsum f;
    membrane_expsum(y, p, &f);
    double s = ms_expsum_first_root(&f, rest, ROOT_INTERVAL_TOL * rest);
    if (s >= 0) {
        advance_free(s, y, p);
        *dt_done = done + s;
        *which = 0;
        return 0;
    }
    advance_free(rest, y, p);
    *dt_done = dt;
    return 0;
}

/* ---- fixed step: the exact propagator over dt, one loop over the population ----------- */

static void derive(size_t n, double dt, const double *const *p, double *const *d)
{
    for (size_t i = 0; i < n; i++) {
        double tau_m = p[P_C][i] / p[P_GL][i];
        d[D_PMM][i] = exp(-dt / tau_m);
        d[D_PME][i] = phi(dt, p[P_TAU_EXC][i], tau_m) / p[P_C][i];
        d[D_PMI][i] = phi(dt, p[P_TAU_INH][i], tau_m) / p[P_C][i];
        d[D_PEE][i] = exp(-dt / p[P_TAU_EXC][i]);
        d[D_PII][i] = exp(-dt / p[P_TAU_INH][i]);
        d[D_R1][i] = (1.0 - d[D_PMM][i]) / p[P_GL][i];
    }
}

#define CURR_EXP_STEP_BODY(PARAM)                                                              \
    for (size_t i = 0; i < n; i++) {                                                          \
        double e = ie[i], h = ii[i];                                                           \
        double v_new = PARAM(P_EL) + (v[i] - PARAM(P_EL)) * PARAM(D_PMM) + (ij[i] + PARAM(P_IE)) * PARAM(D_R1) \
                     + e * PARAM(D_PME) - h * PARAM(D_PMI);                                    \
        ie[i] = e * PARAM(D_PEE);                                                              \
        ii[i] = h * PARAM(D_PII);                                                              \
        LIF_FIRE_AND_RESET(v_new, PARAM)                                                       \
    }

/* The kernels take every column as a restrict parameter (see lif_cond_exp.c for why). */
#define KERNEL_ARGS                                                                            \
    size_t n, double t, double dt, double *restrict v, double *restrict ie, double *restrict ii, \
        const double *restrict ij, double *restrict rend, uint64_t *restrict fired

static size_t kernel_uniform(KERNEL_ARGS, const double *ps, const double *ds)
{
    const double t_end = t + dt, t_free = t + 0.5 * dt;
    const double el = ps[P_EL], vth = ps[P_VTH], vreset = ps[P_VRESET], tref = ps[P_TREF], i_e = ps[P_IE];
    const double pmm = ds[D_PMM], pme = ds[D_PME], pmi = ds[D_PMI], pee = ds[D_PEE], pii = ds[D_PII], r1 = ds[D_R1];
#define PS(k) PS_##k
#define PS_P_EL el
#define PS_P_VTH vth
#define PS_P_VRESET vreset
#define PS_P_TREF tref
#define PS_P_IE i_e
#define PS_D_PMM pmm
#define PS_D_PME pme
#define PS_D_PMI pmi
#define PS_D_PEE pee
#define PS_D_PII pii
#define PS_D_R1 r1
    size_t count = 0;
    CURR_EXP_STEP_BODY(PS)
    return count;
}

static size_t kernel_columns(KERNEL_ARGS, const double *restrict pc_P_EL, const double *restrict pc_P_VTH,
                           const double *restrict pc_P_VRESET, const double *restrict pc_P_TREF,
                           const double *restrict pc_P_IE, const double *restrict pc_D_PMM,
                           const double *restrict pc_D_PME, const double *restrict pc_D_PMI,
                           const double *restrict pc_D_PEE, const double *restrict pc_D_PII,
                           const double *restrict pc_D_R1)
{
    const double t_end = t + dt, t_free = t + 0.5 * dt;
#define PC(k) pc_##k[i]
    size_t count = 0;
    CURR_EXP_STEP_BODY(PC)
    return count;
}

static size_t step(const ms_fixed_view *w)
{
    double *const *y = w->y;
    const double *const *p = w->p, *const *d = w->d;
    if (w->uniform) {
        double ps[N_PARAMS], ds[N_DERIVED];
        for (int k = 0; k < N_PARAMS; k++) ps[k] = p[k][0];
        for (int k = 0; k < N_DERIVED; k++) ds[k] = d[k][0];
        return kernel_uniform(w->n, w->t, w->dt, y[Y_V], y[Y_IEXC], y[Y_IINH], y[Y_IINJ], y[Y_REF_END], w->fired, ps, ds);
    } else {
        return kernel_columns(w->n, w->t, w->dt, y[Y_V], y[Y_IEXC], y[Y_IINH], y[Y_IINJ], y[Y_REF_END], w->fired,
                       p[P_EL], p[P_VTH], p[P_VRESET], p[P_TREF], p[P_IE], d[D_PMM], d[D_PME], d[D_PMI],
                       d[D_PEE], d[D_PII], d[D_R1]);
    }
}

const ms_model ms_model_lif_curr_exp = {
    .version = MS_MODEL_VERSION,
    .name = "lif_curr_exp",
    .doc = "leaky integrate-and-fire, exponential synaptic currents (Brette 2007 CUBA defaults)",
    .kind = MS_MODEL_NEURON,
    .methods = MS_METHOD_BIT(MS_METHOD_EXACT) | MS_METHOD_BIT(MS_METHOD_CVODE) | MS_METHOD_BIT(MS_METHOD_FIXED),
    .preferred = MS_METHOD_EXACT,
    .n_state = N_STATE, .state = state,
    .n_params = N_PARAMS, .params = params,
    .n_ports = 3, .ports = msi_lif_ports, .port_state = msi_lif_port_state,
    .check = msi_lif_check, .init = msi_lif_init, .on_input = msi_lif_on_input,
    .n_roots = 2, .root_dir = msi_lif_root_dir, .roots = msi_lif_roots, .on_root = msi_lif_on_root,
    .rhs = rhs, .jac = jac, .propagate = propagate,
    .n_derived = N_DERIVED, .derive = derive, .step = step,
};

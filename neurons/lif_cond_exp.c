/* neurons/lif_cond_exp.c: leaky integrate-and-fire neuron with exponentially decaying
 * synaptic conductances ("iaf_cond_exp" in NEST, "IF_cond_exp" in PyNN).
 *
 *   C dv/dt   = g_L (E_L - v) + g_exc (E_exc - v) + g_inh (E_inh - v) + I_inj + I_e
 *   dg_exc/dt = -g_exc / tau_exc,   dg_inh/dt = -g_inh / tau_inh
 * held at V_reset for t_ref after a spike at V_th. Inputs: "exc" and "inh" add to the
 * conductances (weights in S), "current" to the injected step current I_inj.
 * Defaults: Brette et al. 2007, J. Comput. Neurosci. 23:349, Benchmark 1 (COBA)
 * (BRETTE07 in docs/devices/sources.md).
 *
 * Methods: exact (conductances in closed form, v by its integrating factor with
 * Gauss-Legendre quadrature, spike times to ~1e-12 s; lif_cond_exact.c), cvode (spike
 * times to the tolerance) and fixed (exponential Euler: conductances decay exactly, v
 * relaxes exactly towards the step's equilibrium; spikes on the grid).
 * Equations: docs/neurons/lif.md. */
#include <math.h>

#include "core/ms_model.h"
#include "neurons/lif_cond_exp_impl.h"
#include "neurons/ms_fastexp.h"
#include "neurons/ms_neurons.h"


static const ms_param_spec params[N_PARAMS] = {
    LIF_COMMON_PARAM_SPECS,
    { "E_exc", "V", 0.0, -0.2, 0.2, "excitatory reversal potential (Brette 2007)" },
    { "E_inh", "V", -80e-3, -0.2, 0.2, "inhibitory reversal potential (Brette 2007)" },
    { "tau_exc", "s", 5e-3, 1e-6, 10.0, "excitatory synaptic time constant (Brette 2007)" },
    { "tau_inh", "s", 10e-3, 1e-6, 10.0, "inhibitory synaptic time constant (Brette 2007)" },
    { "I_e", "A", 0.0, -1e-6, 1e-6, "constant bias current" },
};

/* Ranges: v within +-1 V (five times the widest reversal potential a parameter allows, so
 * a value in mV instead of V is caught), conductances >= 0 and below 1 S (10^8 times the
 * default leak), currents within +-1 A; t_ref_end any finite time. */
static const ms_state_spec state[N_STATE] = {
    { "v", "V", 1e-2, -1.0, 1.0, "membrane potential" },
    { "g_exc", "S", 1e-8, 0.0, 1.0, "excitatory synaptic conductance" },
    { "g_inh", "S", 1e-8, 0.0, 1.0, "inhibitory synaptic conductance" },
    { "I_inj", "A", 1e-10, -1.0, 1.0, "injected step current (net:current)" },
    { "t_ref_end", "s", 1e-3, -INFINITY, INFINITY, "end of the refractory period" },
};

/* exc and inh add conductances: a negative weight would pull v away from the reversal
 * potential without bound, so they take amounts >= 0 only; current takes either sign. */
static const int port_sign[3] = { 1, 1, 0 };

static int rhs(const ms_model *m, double t, const double *y, const double *p, double *ydot)
{
    (void)m;
    double v = y[Y_V];
    ydot[Y_V] = t < y[Y_REF_END]
        ? 0.0
        : (p[P_GL] * (p[P_EL] - v) + y[Y_GEXC] * (p[P_EEXC] - v) + y[Y_GINH] * (p[P_EINH] - v)
           + y[Y_IINJ] + p[P_IE]) / p[P_C];
    ydot[Y_GEXC] = -y[Y_GEXC] / p[P_TAU_EXC];
    ydot[Y_GINH] = -y[Y_GINH] / p[P_TAU_INH];
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
        double v = y[Y_V];
        J[Y_V * n + Y_V] = -(p[P_GL] + y[Y_GEXC] + y[Y_GINH]) / p[P_C];
        J[Y_GEXC * n + Y_V] = (p[P_EEXC] - v) / p[P_C];
        J[Y_GINH * n + Y_V] = (p[P_EINH] - v) / p[P_C];
        J[Y_IINJ * n + Y_V] = 1.0 / p[P_C];
    }
    J[Y_GEXC * n + Y_GEXC] = -1.0 / p[P_TAU_EXC];
    J[Y_GINH * n + Y_GINH] = -1.0 / p[P_TAU_INH];
    return 0;
}

static void derive(size_t n, double dt, const double *const *p, double *const *d)
{
    for (size_t i = 0; i < n; i++) {
        d[D_PEE][i] = exp(-dt / p[P_TAU_EXC][i]);
        d[D_PII][i] = exp(-dt / p[P_TAU_INH][i]);
        d[D_DTC][i] = dt / p[P_C][i]; /* a product in the step, not a division */
        d[D_H][i] = dt;
        for (int k = 0; k < 4; k++) {
            d[D_NE0 + k][i] = exp(-msi_gl4_x[k] * dt / p[P_TAU_EXC][i]);
            d[D_NI0 + k][i] = exp(-msi_gl4_x[k] * dt / p[P_TAU_INH][i]);
        }
    }
}

/* Exponential Euler: over the step the conductances are frozen at their start values,
 * so v relaxes exactly towards v_inf with the effective time constant C / g_total.
 * Written without branches (selects instead) and with ms_fast_exp, so the compiler
 * vectorises the loop. The homogeneous case reads parameters as scalars. */
#define COND_EXP_STEP_BODY(PARAM)                                                              \
    for (size_t i = 0; i < n; i++) {                                                          \
        double e = ge[i], h = gi[i], c = ij[i];                                                \
        double g_tot = PARAM(P_GL) + e + h;                                                    \
        double v_inf = (PARAM(P_GL) * PARAM(P_EL) + e * PARAM(P_EEXC) + h * PARAM(P_EINH) + c + PARAM(P_IE)) / g_tot; \
        double v_new = v_inf + (v[i] - v_inf) * ms_fast_exp(-g_tot * PARAM(D_DTC));           \
        ge[i] = e * PARAM(D_PEE);                                                              \
        gi[i] = h * PARAM(D_PII);                                                              \
        LIF_FIRE_AND_RESET(v_new, PARAM)                                                       \
    }

/* The kernels take every column as a restrict parameter: the columns never overlap, and
 * saying so spares the vectoriser dozens of run-time alias checks (more than it is
 * willing to emit); GCC honours restrict on parameters, not on local pointers. */
#define KERNEL_ARGS                                                                            \
    size_t n, double t, double dt, double *restrict v, double *restrict ge, double *restrict gi, \
        const double *restrict ij, double *restrict rend, uint64_t *restrict fired

static size_t kernel_uniform(KERNEL_ARGS, const double *ps, double pee, double pii, double dtc)
{
    const double t_end = t + dt, t_free = t + 0.5 * dt;
    const double gl = ps[P_GL], el = ps[P_EL], vth = ps[P_VTH], vreset = ps[P_VRESET];
    const double tref = ps[P_TREF], ee = ps[P_EEXC], ei = ps[P_EINH], i_e = ps[P_IE];
#define PS(k) PS_##k
#define PS_P_GL gl
#define PS_P_EL el
#define PS_P_VTH vth
#define PS_P_VRESET vreset
#define PS_P_TREF tref
#define PS_P_EEXC ee
#define PS_P_EINH ei
#define PS_P_IE i_e
#define PS_D_PEE pee
#define PS_D_PII pii
#define PS_D_DTC dtc
    size_t count = 0;
    COND_EXP_STEP_BODY(PS)
    return count;
}

static size_t kernel_columns(KERNEL_ARGS, const double *restrict pc_P_GL,
                           const double *restrict pc_P_EL, const double *restrict pc_P_VTH,
                           const double *restrict pc_P_VRESET, const double *restrict pc_P_TREF,
                           const double *restrict pc_P_EEXC, const double *restrict pc_P_EINH,
                           const double *restrict pc_P_IE, const double *restrict pc_D_PEE,
                           const double *restrict pc_D_PII, const double *restrict pc_D_DTC)
{
    const double t_end = t + dt, t_free = t + 0.5 * dt;
#define PC(k) pc_##k[i]
    size_t count = 0;
    COND_EXP_STEP_BODY(PC)
    return count;
}

static size_t step(const ms_fixed_view *w)
{
    double *const *y = w->y;
    if (w->uniform) {
        double ps[N_PARAMS];
        for (int k = 0; k < N_PARAMS; k++) ps[k] = w->p[k][0];
        return kernel_uniform(w->n, w->t, w->dt, y[Y_V], y[Y_GEXC], y[Y_GINH], y[Y_IINJ], y[Y_REF_END], w->fired, ps,
                       w->d[D_PEE][0], w->d[D_PII][0], w->d[D_DTC][0]);
    } else {
        const double *const *p = w->p;
        return kernel_columns(w->n, w->t, w->dt, y[Y_V], y[Y_GEXC], y[Y_GINH], y[Y_IINJ], y[Y_REF_END], w->fired,
                       p[P_GL], p[P_EL], p[P_VTH], p[P_VRESET], p[P_TREF], p[P_EEXC], p[P_EINH], p[P_IE],
                       w->d[D_PEE], w->d[D_PII], w->d[D_DTC]);
    }
}

const ms_model ms_model_lif_cond_exp = {
    .version = MS_MODEL_VERSION,
    .name = "lif_cond_exp",
    .doc = "leaky integrate-and-fire, exponential synaptic conductances (Brette 2007 COBA defaults)",
    .kind = MS_MODEL_NEURON,
    .methods = MS_METHOD_BIT(MS_METHOD_EXACT) | MS_METHOD_BIT(MS_METHOD_CVODE) | MS_METHOD_BIT(MS_METHOD_FIXED),
    .preferred = MS_METHOD_EXACT, /* spike times to ~1e-12 s, ~150x faster than cvode */
    .n_state = N_STATE, .state = state,
    .n_params = N_PARAMS, .params = params,
    .n_ports = 3, .ports = msi_lif_ports, .port_state = msi_lif_port_state,
    .port_sign = port_sign,
    .check = msi_lif_check, .init = msi_lif_init, .on_input = msi_lif_on_input,
    .n_roots = 2, .root_dir = msi_lif_root_dir, .roots = msi_lif_roots, .on_root = msi_lif_on_root,
    .rhs = rhs, .jac = jac, .propagate = msi_lif_cond_propagate,
    .n_derived = N_DERIVED, .derive = derive, .step = step,
};

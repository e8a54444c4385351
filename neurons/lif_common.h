/* neurons/lif_common.h: what lif_curr_exp and lif_cond_exp share: the state layout, the
 * first parameters, the ports, threshold roots, reset and refractoriness (not a public
 * header; lif_common.c). The two models differ only in how synaptic inputs act on v. */
#ifndef MEMSNN_NEURONS_LIF_COMMON_H
#define MEMSNN_NEURONS_LIF_COMMON_H

#include <stddef.h>

#include "core/ms_model.h"

/* State: v, the two synaptic variables (current or conductance), the injected current,
 * and the end of the refractory period. */
enum { LIF_Y_V, LIF_Y_SYN_EXC, LIF_Y_SYN_INH, LIF_Y_IINJ, LIF_Y_REF_END, LIF_N_STATE };
/* The parameters both models start with, in this order. */
enum { LIF_P_C, LIF_P_GL, LIF_P_EL, LIF_P_VTH, LIF_P_VRESET, LIF_P_TREF, LIF_N_COMMON_PARAMS };

/* Brette et al. 2007, J. Comput. Neurosci. 23:349, Benchmarks 1 and 2 (BRETTE07 in
 * docs/devices/sources.md). */
#define LIF_COMMON_PARAM_SPECS                                                                      \
    { "C_m", "F", 200e-12, 1e-15, 1e-6, "membrane capacitance (Brette 2007)" },                     \
    { "g_L", "S", 10e-9, 1e-12, 1e-3, "leak conductance; tau_m = C_m / g_L = 20 ms (Brette 2007)" }, \
    { "E_L", "V", -60e-3, -0.2, 0.2, "leak reversal potential (Brette 2007)" },                     \
    { "V_th", "V", -50e-3, -0.2, 0.2, "spike threshold (Brette 2007)" },                             \
    { "V_reset", "V", -60e-3, -0.2, 0.2, "reset potential, below V_th (Brette 2007)" },             \
    { "t_ref", "s", 5e-3, 0.0, 1.0, "refractory period (Brette 2007)" }

/* The end of a fixed-step kernel's loop body, the same for both models: unit i's new
 * membrane value v_new counts only outside the refractory period; at or above V_th the
 * unit resets, starts its refractory period at the step's end t_end and is flagged.
 * Expects v, rend, fired, count, t_free (t + dt / 2) and t_end in scope. */
#define LIF_FIRE_AND_RESET(v_new, PARAM)                                                    \
    double vi = t_free >= rend[i] ? (v_new) : v[i];                                          \
    int fire = vi >= PARAM(P_VTH);                                                           \
    v[i] = fire ? PARAM(P_VRESET) : vi;                                                      \
    rend[i] = fire ? t_end + PARAM(P_TREF) : rend[i];                                        \
    fired[i] = (uint64_t)fire;                                                               \
    count += (size_t)fire;

extern const char *const msi_lif_ports[3];      /* "exc", "inh", "current"                    */
extern const int msi_lif_port_state[3];         /* the state each port adds to               */
extern const int msi_lif_root_dir[2];           /* both roots rising                          */

int msi_lif_check(const ms_model *m, const double *p, char *msg, size_t len);
void msi_lif_init(const ms_model *m, const double *p, double *y);
void msi_lif_on_input(const ms_model *m, double t, int port, double amount, double *y, const double *p);
int msi_lif_roots(const ms_model *m, double t, const double *y, const double *p, double *g);
int msi_lif_on_root(const ms_model *m, double t, int which, double *y, const double *p);

#endif

/* neurons/lif_cond_exp_impl.h: parameter and state layout of lif_cond_exp, shared by its
 * model file and its exact propagator (not a public header). */
#ifndef MEMSNN_NEURONS_LIF_COND_EXP_IMPL_H
#define MEMSNN_NEURONS_LIF_COND_EXP_IMPL_H

#include "neurons/lif_common.h"

/* The layout of lif_common.h, then this model's own parameters. */
enum { P_C = LIF_P_C, P_GL = LIF_P_GL, P_EL = LIF_P_EL, P_VTH = LIF_P_VTH, P_VRESET = LIF_P_VRESET, P_TREF = LIF_P_TREF,
       P_EEXC = LIF_N_COMMON_PARAMS, P_EINH, P_TAU_EXC, P_TAU_INH, P_IE, N_PARAMS };
enum { Y_V = LIF_Y_V, Y_GEXC = LIF_Y_SYN_EXC, Y_GINH = LIF_Y_SYN_INH, Y_IINJ = LIF_Y_IINJ, Y_REF_END = LIF_Y_REF_END,
       N_STATE = LIF_N_STATE };

/* The exact propagator (lif_cond_exact.c), with the signature of ms_model.propagate. */
int msi_lif_cond_propagate(double t, double dt, double *y, const double *p, const double *d, double *dt_done,
                           int *which);
/* Derived constants (ms_model.derive): the fixed step's and, for whole-window steps of the
 * exact method, the conductance decay at the quadrature nodes. */
enum { D_PEE, D_PII, D_DTC, D_H, D_NE0, D_NI0 = D_NE0 + 4, N_DERIVED = D_NI0 + 4 };
/* Gauss-Legendre 4-point nodes on [0, 1]. */
extern const double msi_gl4_x[4];

#endif

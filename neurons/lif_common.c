/* neurons/lif_common.c: threshold, reset and refractoriness of the LIF models
 * (neurons/lif_common.h). */
#include "neurons/lif_common.h"

#include <stdio.h>

const char *const msi_lif_ports[3] = { "exc", "inh", "current" };
const int msi_lif_port_state[3] = { LIF_Y_SYN_EXC, LIF_Y_SYN_INH, LIF_Y_IINJ };
const int msi_lif_root_dir[2] = { +1, +1 };

int msi_lif_check(const ms_model *m, const double *p, char *msg, size_t len)
{
    (void)m;
    if (!(p[LIF_P_VRESET] < p[LIF_P_VTH])) {
        snprintf(msg, len, "V_reset = %g V must be below V_th = %g V", p[LIF_P_VRESET], p[LIF_P_VTH]);
        return -1;
    }
    return 0;
}

void msi_lif_init(const ms_model *m, const double *p, double *y)
{
    (void)m;
    y[LIF_Y_V] = p[LIF_P_EL];
    y[LIF_Y_SYN_EXC] = y[LIF_Y_SYN_INH] = y[LIF_Y_IINJ] = 0.0;
    y[LIF_Y_REF_END] = -1.0; /* in the past: not refractory */
}

/* Every port adds its amount to one state variable (the synaptic variables, the
 * injected current): the same jump the fixed-step engine applies through port_state. */
void msi_lif_on_input(const ms_model *m, double t, int port, double amount, double *y, const double *p)
{
    (void)m;
    (void)t, (void)p;
    if (port >= 0 && port < 3) y[msi_lif_port_state[port]] += amount;
}

/* Root 0: threshold (v is held at V_reset < V_th while refractory, so no special case).
 * Root 1: end of the refractory period, where the right-hand side changes. */
int msi_lif_roots(const ms_model *m, double t, const double *y, const double *p, double *g)
{
    (void)m;
    g[0] = y[LIF_Y_V] - p[LIF_P_VTH];
    g[1] = t - y[LIF_Y_REF_END];
    return 0;
}

int msi_lif_on_root(const ms_model *m, double t, int which, double *y, const double *p)
{
    (void)m;
    if (which != 0) return 0;
    y[LIF_Y_V] = p[LIF_P_VRESET];
    y[LIF_Y_REF_END] = t + p[LIF_P_TREF];
    return MS_ROOT_FIRED;
}

/* devices/dendrite_static.c: the dendrite transfer function of the official code (D0,
 * [S GH-DEN] dendrite_model.m / ann.py:Dendrite), as a static device:
 * the tau -> 0 limit of the volatile dendrite, for regression against the released model.
 * docs/devices/dendrite_static.md.
 *
 *   I = I_max y(v / V_max),  y(x) = (exp(alpha x) - 1) / (exp(alpha) - 1),
 *   alpha = 50 NL / (1 - NL)  (alpha = 0: y = x)
 *
 * The per-sample normalisation of the code (x_n = x / max|x|) belongs to the network, not to
 * the device: V_max is the voltage that stands for x_n = 1.
 * Source tags ([S N1-ED7], ...) are defined in docs/devices/sources.md. */
#include <math.h>

#include "devices/device_impl.h"
#include "devices/ms_dendrite.h"

static const ms_param_desc params[MS_DSTATIC_N_PARAMS] = {
    [MS_DSTATIC_NL] = { "NL", "1", 0.1, 0, 0.99, 0, MS_ORIGIN_SOURCE,
                        "[S GH-DEN] NL = 0.1 (alpha = 5.556)",
                        "nonlinearity, alpha = 50 NL / (1 - NL)" },
    [MS_DSTATIC_V_MAX] = { "V_max", "V", 2.0, 1e-3, 100, 0, MS_ORIGIN_INFERRED,
                           "[S N1-ED7] operating voltage 2 V; mapping [I]",
                           "voltage of the normalised input 1" },
    [MS_DSTATIC_I_MAX] = { "I_max", "A", 200e-6, 1e-12, 1, 0, MS_ORIGIN_INFERRED,
                           "proposal [I]: G_on V_max of nmda_dendrite (100 uS x 2 V)",
                           "current at V_max" },
};

static double alpha_of(double NL) { return 50.0 * NL / (1.0 - NL); }

double ms_dendrite_static_y(double NL, double x)
{
    double a = alpha_of(NL);
    if (a <= 0) return x;
    return expm1(a * x) / expm1(a);
}

static double dy_dx(double NL, double x)
{
    double a = alpha_of(NL);
    if (a <= 0) return 1.0;
    return a * exp(a * x) / expm1(a);
}

static int init(const double *p, double *y) { (void)p, (void)y; return 0; }

static int rhs(double t, const double *y, const double *p, double v, double *ydot)
{
    (void)t, (void)y, (void)p, (void)v, (void)ydot;
    return 0;
}

static double current(double t, const double *y, const double *p, double v)
{
    (void)t, (void)y;
    return p[MS_DSTATIC_I_MAX] * ms_dendrite_static_y(p[MS_DSTATIC_NL], v / p[MS_DSTATIC_V_MAX]);
}

static double dcurrent(double t, const double *y, const double *p, double v)
{
    (void)t, (void)y;
    return p[MS_DSTATIC_I_MAX] / p[MS_DSTATIC_V_MAX] *
           dy_dx(p[MS_DSTATIC_NL], v / p[MS_DSTATIC_V_MAX]);
}

static double power(double t, const double *y, const double *p, double v)
{
    return v * current(t, y, p, v);
}

const ms_device_class msi_dev_dendrite_static = {
    .version = MS_DEVICE_VERSION,
    .name = "dendrite_static",
    .doc = "static dendrite (D0): the official code's exponential transfer function",
    .role = "dendrite",
    .n_state = 0,
    .n_params = MS_DSTATIC_N_PARAMS,
    .params = params,
    .init = init,
    .rhs = rhs,
    .current = current,
    .dcurrent_dv = dcurrent,
    .power = power,
    .spike_root = -1,
};

/* devices/resistor.c: an ideal linear resistor, the reference device for the energy bookkeeping
 * (a drive must give E = V^2 / R * t) and the load of test circuits. docs/devices/resistor.md. */
#include "devices/device_impl.h"
#include "devices/ms_passive.h"

static const ms_param_desc params[MS_RESISTOR_N_PARAMS] = {
    [MS_RESISTOR_R] = { "R", "ohm", 1e3, 1e-3, 1e15, 0, MS_ORIGIN_NUMERICAL,
                        "reference value for tests", "resistance" },
};

static int init(const double *p, double *y) { (void)p, (void)y; return 0; }

static int rhs(double t, const double *y, const double *p, double v, double *ydot)
{
    (void)t, (void)y, (void)p, (void)v, (void)ydot;
    return 0;
}

static double current(double t, const double *y, const double *p, double v)
{
    (void)t, (void)y;
    return v / p[MS_RESISTOR_R];
}

static double dcurrent(double t, const double *y, const double *p, double v)
{
    (void)t, (void)y, (void)v;
    return 1.0 / p[MS_RESISTOR_R];
}

static double power(double t, const double *y, const double *p, double v)
{
    (void)t, (void)y;
    return v * v / p[MS_RESISTOR_R];
}

static double conductance(const double *y, const double *p)
{
    (void)y;
    return 1.0 / p[MS_RESISTOR_R];
}

const ms_device_class msi_dev_resistor = {
    .version = MS_DEVICE_VERSION,
    .name = "resistor",
    .doc = "ideal linear resistor (reference for energy checks and loads)",
    .role = "passive",
    .n_state = 0,
    .n_params = MS_RESISTOR_N_PARAMS,
    .params = params,
    .init = init,
    .rhs = rhs,
    .current = current,
    .dcurrent_dv = dcurrent,
    .power = power,
    .conductance = conductance,
    .spike_root = -1,
};

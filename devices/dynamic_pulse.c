/* devices/dynamic_pulse.c: the response of the two reservoir memristors to a voltage held
 * constant, in closed form, and the source code's discrete map: what a reservoir of many
 * devices advances pulse by pulse without an ODE solver (docs/devices/dynamic_tiox.md,
 * dynamic_wox.md, "Pulse response in closed form"; docs/reservoir.md).
 *
 * Both state equations are linear in the state at a fixed voltage v,
 *   x' = -(x - x_inf(v)) / tau_eff(v),
 * so a hold of duration t is x(t) = x_inf + (x(0) - x_inf) exp(-t / tau_eff): exact, not an
 * approximation. The ODE path (neurons/ms_device_drive.h) integrates the same equations; the
 * tests compare the two.
 * Source tags ([S ZH21], [R], ...) are defined in docs/devices/sources.md. */
#include <math.h>

#include "devices/ms_dendrite.h"

/* D3: G' = -(G - G0)/tau + u (b - G)/dt_in = -(1/tau + u/dt_in) (G - G_inf),
 * G_inf = (G0/tau + u b/dt_in) / (1/tau + u/dt_in). */
double ms_tiox_hold(const double *p, double G, double v, double t)
{
    double av = p[MS_TIOX_A] * fabs(v), u = av / (av + 1.0), b = v > 0 ? 1.0 : 0.0;
    double k = 1.0 / p[MS_TIOX_TAU] + u / p[MS_TIOX_DT_IN];
    double g_inf = (p[MS_TIOX_G0] / p[MS_TIOX_TAU] + u * b / p[MS_TIOX_DT_IN]) / k;
    return g_inf + (G - g_inf) * exp(-k * t);
}

/* The code's map [S RC-GH DynamicMemristor.m], G <- r G + (1 - r) G0 + u (b - G), with
 * r = 1 - dt_in / tau: the Euler step of size dt_in of the ODE above. */
double ms_tiox_map_step(const double *p, double G, double v)
{
    double av = p[MS_TIOX_A] * fabs(v), u = av / (av + 1.0), b = v > 0 ? 1.0 : 0.0;
    double r = 1.0 - p[MS_TIOX_DT_IN] / p[MS_TIOX_TAU];
    return r * G + (1.0 - r) * p[MS_TIOX_G0] + u * (b - G);
}

/* D4: w' = lambda sinh(eta v) - w/tau, w_inf = lambda tau sinh(eta v). The trajectory is
 * monotonic, so the device's stops at w_min and 1 (roots that hold w there while the drift
 * pushes outwards) are a clamp of the free solution. */
double ms_wox_hold(const double *p, double w, double v, double t)
{
    double w_inf = p[MS_WOX_LAMBDA] * p[MS_WOX_TAU] * sinh(p[MS_WOX_ETA] * v);
    double x = w_inf + (w - w_inf) * exp(-t / p[MS_WOX_TAU]);
    if (x < p[MS_WOX_W_MIN]) x = p[MS_WOX_W_MIN];
    if (x > 1.0) x = 1.0;
    return x;
}

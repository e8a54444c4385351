/* devices/rram_wear.c: the endurance degradation law of "rram", a proposal [I] after the
 * findings of Zhao et al. (IEDM 2018) [S ZHAO18] that weak-pulse analog cycling lasts far longer
 * than full-window cycling and that the dynamic range shrinks and the update nonlinearity grows
 * with cycling (docs/devices/rram.md, "Endurance"):
 *
 *   D      = log10(1 + wear / end_W0)
 *   f      = max(1 - end_kappa D, MS_RRAM_F_FLOOR)           window fraction left
 *   G_max' = G_c + f (G_max - G_c),  G_min' = G_c - f (G_c - G_min),  G_c = (G_min + G_max)/2
 *   p'     = min(p + end_nu D, 4)                             for p_set and p_reset
 *   dwear  = abs(dx) exp((abs(v) - V_ref) / end_V_acc)        per pulse
 *
 * wear counts the stress in standard full-window sweeps: a sweep of the whole window with
 * standard pulses (V_ref = V_pulse_set or -V_pulse_reset) adds 1. wear = 0 returns the fresh
 * parameters exactly, so a device that never cycled behaves as before the law existed. Source
 * tags ([S ZHAO18]) are defined in docs/devices/sources.md. */
#include <math.h>

#include "devices/device_impl.h"
#include "devices/ms_rram.h"

double ms_rram_decades(const double *p)
{
    double w = p[MS_RRAM_WEAR];
    return w > 0 ? log10(1.0 + w / p[MS_RRAM_END_W0]) : 0.0;
}

double ms_rram_window_frac(const double *p)
{
    if (!(p[MS_RRAM_WEAR] > 0) || p[MS_RRAM_END_KAPPA] == 0) return 1.0;   /* no 0 x inf */
    return fmax(1.0 - p[MS_RRAM_END_KAPPA] * ms_rram_decades(p), MS_RRAM_F_FLOOR);
}

static double centre(const double *p) { return 0.5 * (p[MS_RRAM_G_MIN] + p[MS_RRAM_G_MAX]); }

double ms_rram_G_min_eff(const double *p)
{
    if (!(p[MS_RRAM_WEAR] > 0)) return p[MS_RRAM_G_MIN];
    double c = centre(p);
    return c - ms_rram_window_frac(p) * (c - p[MS_RRAM_G_MIN]);
}

double ms_rram_G_max_eff(const double *p)
{
    if (!(p[MS_RRAM_WEAR] > 0)) return p[MS_RRAM_G_MAX];
    double c = centre(p);
    return c + ms_rram_window_frac(p) * (p[MS_RRAM_G_MAX] - c);
}

/* 4 is the top of the exponents' allowed range (devices/rram.c). */
static double grown(const double *p, double e)
{
    if (!(p[MS_RRAM_WEAR] > 0) || p[MS_RRAM_END_NU] == 0) return e;
    return fmin(e + p[MS_RRAM_END_NU] * ms_rram_decades(p), 4.0);
}

double ms_rram_p_set_eff(const double *p) { return grown(p, p[MS_RRAM_P_SET]); }
double ms_rram_p_reset_eff(const double *p) { return grown(p, p[MS_RRAM_P_RESET]); }

double ms_rram_wear_dose(const double *p, double v, double dx)
{
    if (dx == 0.0) return 0.0;
    double v_ref = v > 0 ? p[MS_RRAM_V_PULSE_SET] : -p[MS_RRAM_V_PULSE_RESET];
    return fabs(dx) * exp((fabs(v) - v_ref) / p[MS_RRAM_END_V_ACC]);
}

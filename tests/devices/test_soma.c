/* The soma devices as pure functions: the S1 switch, its threshold roots and the closed-form
 * firing rate (docs/devices/mott_soma.md); the S2 VO2 resistance law against the values derived
 * from the [S VO2-Z24] constants (docs/devices/mott_soma_thermal.md) and the continuity of its
 * hysteresis memory at a reversal. */
#include <criterion/criterion.h>
#include <math.h>

#include "devices/ms_device.h"
#include "devices/ms_soma.h"

static double p[MS_DEVICE_MAX_PARAMS];
static const ms_device_class *use(const char *name)
{
    const ms_device_class *c = ms_device_find(name);
    ms_device_defaults(c, p);
    return c;
}

Test(mott_soma, switch_states_roots_and_currents)
{
    const ms_device_class *c = use("mott_soma");
    double y[2], yd[2], g[2];
    c->init(p, y);
    cr_assert_float_eq(c->current(0, y, p, 0.5), 0.5 / 100e3, 1e-15);
    c->roots(0, y, p, 0.7, g);
    cr_assert_float_eq(g[MS_MOTT_ROOT_IMT], 0.7 - 1.0, 1e-15);
    cr_assert_eq(g[MS_MOTT_ROOT_MIT], 1.0);
    c->on_root(0, MS_MOTT_ROOT_IMT, y, p);
    cr_assert_eq(y[MS_MOTT_M], 1.0);
    c->rhs(0, y, p, 1.0, yd);
    cr_assert_float_eq(yd[MS_MOTT_S], 1.0 / 5e-9, 1);
    cr_assert_eq(yd[MS_MOTT_M], 0.0);
    c->roots(0, y, p, -0.7, g);
    cr_assert_eq(g[MS_MOTT_ROOT_IMT], 1.0);
    cr_assert_float_eq(g[MS_MOTT_ROOT_MIT], 0.7 - 0.6, 1e-15);
    y[MS_MOTT_S] = 1.0;
    cr_assert_float_eq(c->current(0, y, p, 0.5), 0.5 / 1e3, 1e-15);
    cr_assert_eq(c->capacitance(p), 1e-9);
    c->on_root(0, MS_MOTT_ROOT_MIT, y, p);
    cr_assert_eq(y[MS_MOTT_M], 0.0);
}

Test(mott_soma, closed_form_rate_by_hand)
{
    use("mott_soma");
    double I = 20e-6;   /* V_off = 2 V, tau_off = 100 us; V_on = 20 mV, tau_on = 1 us */
    double tc = 100e-6 * log((2.0 - 0.6) / (2.0 - 1.0)), td = 1e-6 * log((1.0 - 0.02) / (0.6 - 0.02));
    double tc2, td2;
    ms_mott_soma_times(p, I, 0, &tc2, &td2);
    cr_assert_float_eq(tc2, tc, 1e-15);
    cr_assert_float_eq(td2, td, 1e-15);
    cr_assert_float_eq(ms_mott_soma_rate(p, I, 0), 1.0 / (tc + td), 1e-9);
    /* Thevenin (V_in through R_L) is the Norton source (V_in / R_L, R_L): mott_soma.md. */
    double Vin = 5.0, RL = 50e3;
    double Voff = Vin * 100e3 / (100e3 + RL), Von = Vin * 1e3 / (1e3 + RL);
    double toff = 1e-9 * RL * 100e3 / (RL + 100e3), ton = 1e-9 * RL * 1e3 / (RL + 1e3);
    double f = 1.0 / (toff * log((Voff - 0.6) / (Voff - 1.0)) + ton * log((1.0 - Von) / (0.6 - Von)));
    cr_assert_float_eq(ms_mott_soma_rate(p, Vin / RL, RL), f, 1e-9 * f);
}

Test(mott_soma, rate_is_all_or_nothing_rises_with_input_and_falls_with_C)
{
    use("mott_soma");
    cr_assert_eq(ms_mott_soma_rate(p, 0.99e-5, 0), 0.0, "V_off = 0.99 V < V_th");
    cr_assert_eq(ms_mott_soma_rate(p, 700e-6, 0), 0.0, "V_on = 0.7 V > V_hold: latches on");
    /* Monotonic up to ~380 uA; beyond, V_on = I R_on approaches V_hold and the discharge time
     * diverges, so the rate falls again before the switch latches (docs/devices/mott_soma.md). */
    double prev = 0;
    for (double I = 11e-6; I < 350e-6; I *= 1.3) {
        double f = ms_mott_soma_rate(p, I, 0);
        cr_assert_gt(f, prev, "I = %g", I);
        prev = f;
    }
    double f1 = ms_mott_soma_rate(p, 50e-6, 0);
    p[MS_MOTT_C] *= 2;
    cr_assert_float_eq(ms_mott_soma_rate(p, 50e-6, 0), f1 / 2, 1e-9 * f1);
}

Test(mott_soma_thermal, resistance_law_matches_the_vo2_constants)
{
    const ms_device_class *c = use("mott_soma_thermal");
    double y[MS_VO2_N_STATE];
    c->init(p, y);
    /* [I from S VO2-Z24]: insulating R at 325 K ~ 50.7 kOhm (+ R_m), at 305 K ~ 145 kOhm. */
    y[MS_VO2_T] = 325;
    double g325 = ms_vo2_g(p, y);
    cr_assert_float_eq(ms_vo2_R(p, y), 50.7e3 * g325 + 1286, 0.002 * 50.7e3);
    cr_assert_gt(g325, 0.99);
    y[MS_VO2_T] = 305;
    cr_assert_float_eq(ms_vo2_R(p, y), 145e3 * ms_vo2_g(p, y) + 1286, 0.005 * 145e3);
    y[MS_VO2_T] = 370;
    cr_assert_float_eq(ms_vo2_R(p, y), 1286, 5, "metallic: R_m");
    y[MS_VO2_T] = 400;
    cr_assert_eq(ms_vo2_R(p, y), (y[MS_VO2_T] = 370, ms_vo2_R(p, y)), "T clamped to T_max");
    /* Heating and cooling branches are w apart: g(T_c + w/2) = 1/2 on heating. */
    y[MS_VO2_T] = 332.8 + 7.19 / 2;
    cr_assert_float_eq(ms_vo2_g(p, y), 0.5, 1e-12);
}

Test(mott_soma_thermal, reversal_keeps_g_continuous_and_flips_branch)
{
    const ms_device_class *c = use("mott_soma_thermal");
    double y[MS_VO2_N_STATE];
    c->init(p, y);
    const double Ts[] = { 330, 334, 336.2, 340 };
    for (int k = 0; k < 4; k++) {
        c->init(p, y);
        y[MS_VO2_T] = Ts[k];
        double before = ms_vo2_g(p, y);
        c->on_root(0, MS_VO2_ROOT_REVERSAL, y, p);
        cr_assert_eq(y[MS_VO2_DIR], -1.0);
        cr_assert_float_eq(ms_vo2_g(p, y), before, 1e-6, "T = %g", Ts[k]);
        /* Cooling far enough rejoins the cooling major branch. */
        double yc[MS_VO2_N_STATE];
        for (int i = 0; i < MS_VO2_N_STATE; i++) yc[i] = y[i];
        yc[MS_VO2_T] = Ts[k] - 20;
        double major = 0.5 + 0.5 * tanh(0.253 * (-7.19 / 2 + 332.8 - (Ts[k] - 20)));
        cr_assert_float_eq(ms_vo2_g(p, yc), major, 1e-3);
    }
    double g[2];
    y[MS_VO2_T] = 325;
    c->roots(0, y, p, 0.0, g);
    double tdot = -0.2056e-3 * (325 - 325) / 49.6e-12;
    cr_assert_float_eq(g[MS_VO2_ROOT_REVERSAL], y[MS_VO2_DIR] * tdot + 1e6, 1e-3);
}

/* The dendrite devices as pure functions: D1's activation, rates and closed-form activation
 * time; D0 against the official code's transfer function (dendrite_static.md worked values); D3
 * against the code's discrete map; D4 currents and floor, by hand values. */
#include <criterion/criterion.h>
#include <math.h>

#include "devices/ms_dendrite.h"
#include "devices/ms_device.h"

static double p[MS_DEVICE_MAX_PARAMS];
static const ms_device_class *use(const char *name)
{
    const ms_device_class *c = ms_device_find(name);
    ms_device_defaults(c, p);
    return c;
}

Test(nmda_dendrite, activation_is_zero_at_rest_and_saturates)
{
    use("nmda_dendrite");
    cr_assert_eq(ms_nmda_activation(p, 0.0), 0.0);
    cr_assert_float_eq(ms_nmda_activation(p, 1.0), 0.5, 1e-4);   /* sigmoid(0), rescaled */
    cr_assert_gt(ms_nmda_activation(p, 3.0), 0.99999);
    cr_assert_eq(ms_nmda_activation(p, -2.0), ms_nmda_activation(p, 2.0));
    cr_assert_lt(ms_nmda_activation(p, 0.3), 1e-3);
}

Test(nmda_dendrite, rates_use_tau_on_rising_and_tau_off_decaying)
{
    const ms_device_class *c = use("nmda_dendrite");
    double G = p[MS_NMDA_G_OFF], Gd;
    c->rhs(0, &G, p, 0.0, &Gd);
    cr_assert_eq(Gd, 0.0, "at rest at G_off");
    c->rhs(0, &G, p, 3.0, &Gd);
    double Ginf = p[MS_NMDA_G_OFF] + (p[MS_NMDA_G_ON] - p[MS_NMDA_G_OFF]) * ms_nmda_activation(p, 3.0);
    cr_assert_float_eq(Gd, (Ginf - G) / 3e-6, 1e-9 * Gd);
    G = 50e-6;
    c->rhs(0, &G, p, 0.0, &Gd);
    cr_assert_float_eq(Gd, -(50e-6 - 1e-6) / 400e-6, 1e-12);
    double J;
    c->jac(0, &G, p, 0.0, &J);
    cr_assert_float_eq(J, -1.0 / 400e-6, 1e-6);
    cr_assert_float_eq(c->current(0, &G, p, 2.0), 100e-6, 1e-18);
    cr_assert_float_eq(c->power(0, &G, p, 2.0), 200e-6, 1e-18);
}

Test(nmda_dendrite, closed_form_activation_time_is_within_10_us_at_3_V)
{
    use("nmda_dendrite");
    double t90 = ms_nmda_time_to(p, 3.0, 0.9);
    /* G_inf = G_on - tiny, so t90 = tau_on ln((G_on - G_off) / (0.1 G_on)) = 6.8 us. */
    cr_assert_float_eq(t90, 3e-6 * log(99e-6 / 10e-6), 1e-9);
    cr_assert_lt(t90, 10e-6, "90 %% of G_on in about 10 us at 3 V [S N1-ED7]");
    cr_assert(isinf(ms_nmda_time_to(p, 0.5, 0.9)), "below threshold it never gets there");
}

Test(dendrite_static, reproduces_the_official_transfer_function)
{
    /* Worked values for NL = 0.1 (alpha = 5.556) [I from S GH-DEN], dendrite_static.md. */
    const double x[] = { 0.1, 0.3, 0.5, 0.7, 0.9, 1.0 };
    const double y[] = { 0.0029, 0.017, 0.059, 0.19, 0.57, 1.0 };
    const double half_digit[] = { 5e-5, 5e-4, 5e-4, 5e-3, 5e-3, 1e-12 };   /* table rounding */
    for (int k = 0; k < 6; k++) {
        double got = ms_dendrite_static_y(0.1, x[k]);
        cr_assert_float_eq(got, y[k], half_digit[k], "y(%g) = %g", x[k], got);
    }
    cr_assert_float_eq(ms_dendrite_static_y(0.1, 0.5), 0.0585, 5e-4);
    cr_assert_float_eq(ms_dendrite_static_y(0.1, 0.9), 0.5722, 5e-4);
    cr_assert_eq(ms_dendrite_static_y(0.0, 0.37), 0.37, "NL = 0 is linear");
    cr_assert_float_eq(ms_dendrite_static_y(0.25, 1.0), 1.0, 1e-12);
    const ms_device_class *c = use("dendrite_static");
    cr_assert_eq(c->n_state, 0);
    double I = c->current(0, NULL, p, 1.0);   /* v = V_max / 2 */
    cr_assert_float_eq(I, 200e-6 * ms_dendrite_static_y(0.1, 0.5), 1e-15);
    double h = 1e-6;
    cr_assert_float_eq(c->dcurrent_dv(0, NULL, p, 1.0),
                       (c->current(0, NULL, p, 1.0 + h) - c->current(0, NULL, p, 1.0 - h)) / (2 * h),
                       1e-9);
}

Test(dynamic_tiox, euler_step_of_the_ode_is_the_codes_map)
{
    const ms_device_class *c = use("dynamic_tiox");
    const double Gs[] = { 0.0, 0.3, 0.9 }, vs[] = { -0.8, 0.0, 1.5, 3.0 };
    double dt = p[MS_TIOX_DT_IN], r = 1.0 - dt / p[MS_TIOX_TAU];
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 4; k++) {
            double G = Gs[i], Gd, v = vs[k];
            c->rhs(0, &G, p, v, &Gd);
            double u = 0.23 * fabs(v) / (0.23 * fabs(v) + 1), b = v > 0;
            double map = r * G + (1 - r) * 0.5 + u * (b - G);   /* DynamicMemristor.m */
            cr_assert_float_eq(G + dt * Gd, map, 1e-12, "G %g v %g", G, v);
        }
    cr_assert_float_eq(r, 0.99, 1e-12, "tau = 400 us with dt_in = 4 us is r = 0.99");
    double G = 0.5;
    cr_assert_float_eq(c->current(0, &G, p, 2.0), 0.5 * 9.13e-6 * 8, 1e-15);
    cr_assert_float_eq(c->current(0, &G, p, -2.0), -0.5 * 0.32e-6 * 8, 1e-15);
}

Test(dynamic_wox, currents_and_floor_by_hand)
{
    const ms_device_class *c = use("dynamic_wox");
    double w = 0.5, wd;
    double I = 0.5 * 1e-8 * (1 - exp(-0.5)) + 0.5 * 1e-5 * sinh(4.0);
    cr_assert_float_eq(c->current(0, &w, p, 1.0), I, 1e-15);
    c->rhs(0, &w, p, 0.25, &wd);
    cr_assert_float_eq(wd, sinh(2.0) - 0.5 / 50e-3, 1e-9);
    w = p[MS_WOX_W_MIN];
    c->rhs(0, &w, p, 0.0, &wd);
    cr_assert_eq(wd, 0.0, "the floor w_min holds");
    cr_assert_gt(c->power(0, &w, p, -1.0), 0.0);
}

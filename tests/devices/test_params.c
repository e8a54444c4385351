/* The device registry and the parameter tables of every class: complete descriptors, defaults
 * inside their ranges, lookups, and clear messages for every kind of bad input (unknown device
 * or parameter, out of range, NaN, non-integer, cross-parameter rules); variation sampling. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "devices/ms_dendrite.h"
#include "devices/ms_device.h"
#include "devices/ms_rram.h"
#include "devices/ms_soma.h"
#include "devices/rng_fixture.h"

static const char *const expected[] = { "rram", "rram_pku", "nmda_dendrite", "dendrite_static",
                                        "dynamic_tiox", "dynamic_wox", "mott_soma",
                                        "mott_soma_thermal", "resistor" };

Test(registry, finds_every_model_by_name_and_index)
{
    size_t n = sizeof expected / sizeof expected[0];
    cr_assert_eq(ms_device_count(), n);
    for (size_t i = 0; i < n; i++) {
        const ms_device_class *c = ms_device_find(expected[i]);
        cr_assert_not_null(c, "%s", expected[i]);
        cr_assert_str_eq(c->name, expected[i]);
        int found = 0;
        for (size_t k = 0; k < n; k++) found += ms_device_at(k) == c;
        cr_assert_eq(found, 1);
    }
    cr_assert_null(ms_device_at(n));
    cr_assert_null(ms_device_find(NULL));
}

Test(registry, unknown_device_message_lists_known_names)
{
    const ms_device_class *c;
    char msg[512];
    cr_assert_eq(ms_device_lookup("rrma", &c, msg, sizeof msg), MS_DEV_ENOTFOUND);
    cr_assert_null(c);
    cr_assert(strstr(msg, "unknown device 'rrma'"), "%s", msg);
    cr_assert(strstr(msg, "rram_pku") && strstr(msg, "mott_soma"), "%s", msg);
    cr_assert_eq(ms_device_lookup("mott_soma", &c, msg, sizeof msg), MS_DEV_OK);
}

Test(params, every_class_has_complete_tables_and_valid_defaults)
{
    for (size_t i = 0; i < ms_device_count(); i++) {
        const ms_device_class *c = ms_device_at(i);
        cr_assert_eq(c->version, MS_DEVICE_VERSION, "%s", c->name);
        cr_assert(c->doc && c->role && c->init && c->rhs && c->current && c->power, "%s", c->name);
        cr_assert_leq(c->n_state, MS_DEVICE_MAX_STATE);
        cr_assert_leq(c->n_params, MS_DEVICE_MAX_PARAMS);
        cr_assert_leq(c->n_roots, MS_DEVICE_MAX_ROOTS);
        for (size_t k = 0; k < c->n_state; k++)
            cr_assert(c->state_names[k] && c->state_units[k] && c->state_scale[k] > 0,
                      "%s state %zu", c->name, k);
        if (c->n_roots)
            cr_assert(c->roots && c->root_dir && c->root_names && c->on_root, "%s", c->name);
        cr_assert(c->spike_root < (int)c->n_roots);
        double p[MS_DEVICE_MAX_PARAMS];
        ms_device_defaults(c, p);
        for (size_t k = 0; k < c->n_params; k++) {
            const ms_param_desc *d = &c->params[k];
            cr_assert(d->name && d->unit && d->doc && d->source && *d->source, "%s #%zu",
                      c->name, k);
            cr_assert(d->min <= d->def && d->def <= d->max, "%s.%s", c->name, d->name);
            cr_assert_eq(ms_device_param_index(c, d->name), (int)k, "%s.%s duplicated", c->name,
                         d->name);
            if (d->integer) cr_assert_eq(d->def, floor(d->def));
        }
        char msg[512] = "";
        cr_assert_eq(ms_device_check(c, p, msg, sizeof msg), MS_DEV_OK, "%s: %s", c->name, msg);
        double y[MS_DEVICE_MAX_STATE];
        cr_assert_eq(c->init(p, y), 0);
        for (size_t k = 0; k < c->n_state; k++) cr_assert(isfinite(y[k]));
    }
}

Test(params, out_of_range_value_names_parameter_unit_and_range)
{
    const ms_device_class *c = ms_device_find("rram");
    double p[MS_RRAM_N_PARAMS];
    char msg[512];
    ms_device_defaults(c, p);
    cr_assert_eq(ms_device_param_set(c, p, "G_min", 2.0, msg, sizeof msg), MS_DEV_EINVAL);
    cr_assert_str_eq(msg, "rram: parameter G_min = 2 S is outside [1e-09, 0.001]");
    cr_assert_eq(p[MS_RRAM_G_MIN], 2e-6, "a rejected value is not stored");
    cr_assert_eq(ms_device_param_set(c, p, "G_min", 3e-5, msg, sizeof msg), MS_DEV_OK);
    cr_assert_eq(p[MS_RRAM_G_MIN], 3e-5);
}

Test(params, cross_rules_gmin_gmax_vhold_vth)
{
    char msg[512];
    const ms_device_class *c = ms_device_find("rram");
    double p[MS_DEVICE_MAX_PARAMS];
    ms_device_defaults(c, p);
    p[MS_RRAM_G_MIN] = 3e-5;
    cr_assert_eq(ms_device_check(c, p, msg, sizeof msg), MS_DEV_EINVAL);
    cr_assert(strstr(msg, "G_min must be < G_max"), "%s", msg);

    c = ms_device_find("mott_soma");
    ms_device_defaults(c, p);
    p[MS_MOTT_V_HOLD] = 1.2;
    cr_assert_eq(ms_device_check(c, p, msg, sizeof msg), MS_DEV_EINVAL);
    cr_assert(strstr(msg, "V_hold must be < V_th (V_hold = 1.2 V, V_th = 1 V)"), "%s", msg);

    c = ms_device_find("nmda_dendrite");
    ms_device_defaults(c, p);
    p[MS_NMDA_G_OFF] = 2e-4;
    cr_assert_eq(ms_device_check(c, p, msg, sizeof msg), MS_DEV_EINVAL);
    cr_assert(strstr(msg, "G_off must be < G_on"), "%s", msg);
}

Test(params, negative_capacitance_nan_and_non_integer_are_rejected)
{
    char msg[512];
    const ms_device_class *c = ms_device_find("mott_soma");
    double p[MS_DEVICE_MAX_PARAMS];
    ms_device_defaults(c, p);
    cr_assert_eq(ms_device_param_set(c, p, "C", -1e-9, msg, sizeof msg), MS_DEV_EINVAL);
    cr_assert_str_eq(msg, "mott_soma: parameter C = -1e-09 F is outside [1e-18, 0.001]");
    cr_assert_eq(ms_device_param_set(c, p, "V_th", NAN, msg, sizeof msg), MS_DEV_EINVAL);
    cr_assert(strstr(msg, "V_th = nan V is not a finite number (allowed [0.001, 100])"), "%s", msg);
    p[MS_MOTT_R_ON] = INFINITY;
    cr_assert_eq(ms_device_check(c, p, msg, sizeof msg), MS_DEV_EINVAL);
    cr_assert(strstr(msg, "R_on"), "%s", msg);

    c = ms_device_find("rram");
    ms_device_defaults(c, p);
    cr_assert_eq(ms_device_param_set(c, p, "n_levels", 6.5, msg, sizeof msg), MS_DEV_EINVAL);
    cr_assert(strstr(msg, "n_levels = 6.5 must be an integer in [2, 4096]"), "%s", msg);
}

Test(params, unknown_parameter_lists_the_known_ones)
{
    char msg[512];
    const ms_device_class *c = ms_device_find("rram");
    double p[MS_DEVICE_MAX_PARAMS];
    ms_device_defaults(c, p);
    cr_assert_eq(ms_device_param_set(c, p, "Gmin", 1e-6, msg, sizeof msg), MS_DEV_ENOTFOUND);
    cr_assert(strstr(msg, "rram: unknown parameter 'Gmin'; known: G_min, G_max"), "%s", msg);
    cr_assert_eq(ms_device_param_index(c, "Gmin"), -1);
}

Test(params, proposals_are_tagged)
{
    const ms_device_class *c = ms_device_find("rram");
    const ms_param_desc *gmin = &c->params[MS_RRAM_G_MIN], *vset = &c->params[MS_RRAM_V_SET];
    cr_assert_not(ms_param_is_proposal(gmin));
    cr_assert(ms_param_is_proposal(vset));
    cr_assert_str_eq(ms_param_origin_tag(gmin->origin), "[S]");
    cr_assert_str_eq(ms_param_origin_tag(vset->origin), "[I]");
    cr_assert_str_eq(ms_param_origin_tag(c->params[MS_RRAM_N_LEVELS].origin), "[B]");
}

Test(sample, variation_needs_a_stream_and_is_checked)
{
    char msg[512];
    const ms_device_class *c = ms_device_find("rram");
    double nom[MS_DEVICE_MAX_PARAMS], p[MS_DEVICE_MAX_PARAMS];
    ms_device_defaults(c, nom);
    cr_assert_eq(ms_device_sample(c, nom, p, NULL, msg, sizeof msg), MS_DEV_EINVAL);
    cr_assert(strstr(msg, "random stream"), "%s", msg);
    /* A class without variation copies the nominal parameters. */
    const ms_device_class *r = ms_device_find("resistor");
    ms_device_defaults(r, nom);
    cr_assert_eq(ms_device_sample(r, nom, p, NULL, msg, sizeof msg), MS_DEV_OK);
    cr_assert_eq(p[0], nom[0]);
}

Test(sample, rram_spreads_and_stuck_fractions_match_the_parameters)
{
    const ms_device_class *c = ms_device_find("rram");
    double nom[MS_DEVICE_MAX_PARAMS], p[MS_DEVICE_MAX_PARAMS];
    ms_device_defaults(c, nom);
    nom[MS_RRAM_P_STUCK_OFF] = 0.05;
    nom[MS_RRAM_P_STUCK_ON] = 0.02;
    test_rng st;
    ms_device_rng rng = test_rng_make(&st, 42);
    enum { N = 20000 };
    static double lg[N], lk[N];
    int off = 0, on = 0;
    char msg[512];
    for (int i = 0; i < N; i++) {
        cr_assert_eq(ms_device_sample(c, nom, p, &rng, msg, sizeof msg), MS_DEV_OK, "%s", msg);
        cr_assert_lt(p[MS_RRAM_G_MIN], p[MS_RRAM_G_MAX]);
        lg[i] = log(p[MS_RRAM_G_MAX] / nom[MS_RRAM_G_MAX]);
        lk[i] = log(p[MS_RRAM_K_SET] / nom[MS_RRAM_K_SET]);
        off += p[MS_RRAM_STUCK] == MS_RRAM_STUCK_OFF;
        on += p[MS_RRAM_STUCK] == MS_RRAM_STUCK_ON;
    }
    double m, sd;
    test_stats(lg, N, &m, &sd);
    cr_assert_float_eq(sd, nom[MS_RRAM_D2D_G], 0.03 * nom[MS_RRAM_D2D_G], "sd %g", sd);
    cr_assert_lt(fabs(m), 4 * sd / sqrt(N));
    test_stats(lk, N, &m, &sd);
    cr_assert_float_eq(sd, nom[MS_RRAM_D2D_STEP], 0.03 * nom[MS_RRAM_D2D_STEP], "sd %g", sd);
    /* Binomial counts within 4 standard deviations. */
    cr_assert_lt(fabs(off - 0.05 * N), 4 * sqrt(N * 0.05 * 0.95), "%d stuck off", off);
    cr_assert_lt(fabs(on - 0.02 * N), 4 * sqrt(N * 0.02 * 0.98), "%d stuck on", on);
}

Test(sample, switched_off_variation_reproduces_the_nominal_device)
{
    const ms_device_class *c = ms_device_find("rram");
    double nom[MS_DEVICE_MAX_PARAMS], p[MS_DEVICE_MAX_PARAMS];
    ms_device_defaults(c, nom);
    nom[MS_RRAM_D2D_G] = nom[MS_RRAM_D2D_STEP] = 0;
    nom[MS_RRAM_P_STUCK_OFF] = nom[MS_RRAM_P_STUCK_ON] = 0;
    test_rng st;
    ms_device_rng rng = test_rng_make(&st, 7);
    for (int i = 0; i < 100; i++) {
        cr_assert_eq(ms_device_sample(c, nom, p, &rng, NULL, 0), MS_DEV_OK);
        cr_assert_eq(memcmp(p, nom, MS_RRAM_N_PARAMS * sizeof *p), 0);
    }
}

Test(sample, soma_and_dendrite_variation_keeps_their_rules)
{
    test_rng st;
    ms_device_rng rng = test_rng_make(&st, 3);
    const char *names[] = { "mott_soma", "nmda_dendrite" };
    int idx[] = { MS_MOTT_D2D, MS_NMDA_D2D };
    for (int k = 0; k < 2; k++) {
        const ms_device_class *c = ms_device_find(names[k]);
        double nom[MS_DEVICE_MAX_PARAMS], p[MS_DEVICE_MAX_PARAMS];
        ms_device_defaults(c, nom);
        nom[idx[k]] = 0.2;
        int differ = 0;
        for (int i = 0; i < 1000; i++) {
            cr_assert_eq(ms_device_sample(c, nom, p, &rng, NULL, 0), MS_DEV_OK);
            differ += memcmp(p, nom, c->n_params * sizeof *p) != 0;
        }
        cr_assert_eq(differ, 1000, "%s", names[k]);
    }
}

/* Found by tests/fuzz/fuzz_device_params.c: V_read / V0 = 3000 overflowed sinh, the gap bounds
 * became infinite, the check passed (inf > 0) and the initial state was inf. */
Test(params, rram_pku_refuses_read_voltages_whose_gap_bounds_overflow)
{
    const ms_device_class *c = ms_device_find("rram_pku");
    double p[MS_DEVICE_MAX_PARAMS];
    char msg[256];
    ms_device_defaults(c, p);
    cr_assert_eq(ms_device_param_set(c, p, "V0", 1e-3, msg, sizeof msg), MS_DEV_OK);
    cr_assert_eq(ms_device_param_set(c, p, "V_read", 3, msg, sizeof msg), MS_DEV_OK);
    cr_assert_eq(ms_device_check(c, p, msg, sizeof msg), MS_DEV_EINVAL);
    cr_assert_str_eq(msg, "rram_pku: V_read = 3 V and V0 = 0.001 V give gap bounds that are not finite "
                          "(sinh(V_read / V0) overflows); V_read / V0 must stay below 700");
    /* 0.5 V / 1 mV = 500 is still finite: accepted, with a finite initial gap */
    cr_assert_eq(ms_device_param_set(c, p, "V_read", 0.5, msg, sizeof msg), MS_DEV_OK);
    cr_assert_eq(ms_device_check(c, p, msg, sizeof msg), MS_DEV_OK, "%s", msg);
    double y[MS_DEVICE_MAX_STATE];
    cr_assert_eq(c->init(p, y), 0);
    cr_assert(isfinite(y[0]) && y[0] > 0, "gap %g", y[0]);
}

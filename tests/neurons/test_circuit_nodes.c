/* Nodes without capacitance in circuits of ohmic devices (neurons/circuit_model.c,
 * node_voltages_linear): their voltages come from one linear solve of Kirchhoff's law, not
 * from Newton's method. Checked against Kirchhoff's law itself (the currents into every
 * such node, from the circuit's observables, sum to zero) and against the closed form of
 * the dendritic neuron's branch node, at random states. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/ms_rng.h"
#include "neurons/ms_circuit.h"
#include "tests/neurons/chain_circuit.h"

static size_t obs_index(const ms_model *m, const char *name)
{
    for (size_t k = 0; k < m->n_obs; k++)
        if (strcmp(m->obs[k].name, name) == 0) return k;
    cr_assert_fail("no observable '%s'", name);
    return 0;
}

static size_t state_index(const ms_model *m, const char *name)
{
    for (size_t k = 0; k < m->n_state; k++)
        if (strcmp(m->state[k].name, name) == 0) return k;
    cr_assert_fail("no state '%s'", name);
    return 0;
}

static size_t param_index(const ms_model *m, const char *name)
{
    for (size_t k = 0; k < m->n_params; k++)
        if (strcmp(m->params[k].name, name) == 0) return k;
    cr_assert_fail("no parameter '%s'", name);
    return 0;
}

/* vdd -r1- a -d1- b -r2- gnd, b -d2- c (soma with its capacitor), a current source into b and
 * a node-mode port on a: a and b have no capacitance and d1 joins them (a dense 2 x 2 solve). */
Test(circuit_nodes, chain_of_algebraic_nodes_meets_kirchhoff)
{
    ms_model *m;
    build_chain_circuit(&m);
    size_t ova = obs_index(m, "v_a"), ovb = obs_index(m, "v_b"), oi1 = obs_index(m, "d1.i"), oi2 = obs_index(m, "d2.i"),
           oin = obs_index(m, "in.i");
    size_t yg1 = state_index(m, "d1.G"), yg2 = state_index(m, "d2.G"), yvc = state_index(m, "v_c"),
           ydr = state_index(m, "in.i_drive"), pg = param_index(m, "in.g_column");
    ms_rng r;
    ms_rng_init(&r, 11, 0, MS_RNG_USER);
    double y[m->n_state], p[m->n_params], o[m->n_obs], worst_a = 0, worst_b = 0;
    for (int trial = 0; trial < 100; trial++) {
        for (size_t k = 0; k < m->n_params; k++) p[k] = m->params[k].def;
        m->init(m, p, y);
        y[yg1] = 1e-6 + 99e-6 * ms_rng_uniform(&r);
        y[yg2] = 1e-6 + 99e-6 * ms_rng_uniform(&r);
        y[yvc] = 2.0 * ms_rng_uniform(&r) - 0.3;
        y[ydr] = (ms_rng_uniform(&r) - 0.3) * 2e-4;
        p[pg] = 5e-4 * ms_rng_uniform(&r);
        cr_assert_eq(m->observe(m, 0.0, y, p, o), 0);
        double va = o[ova], vb = o[ovb];
        /* d1.i = G1 (v_a - v_b) exactly: the device is ohmic */
        cr_assert_float_eq(o[oi1], y[yg1] * (va - vb), 1e-18);
        /* Kirchhoff at a and at b (A); the currents are up to ~1e-4 A */
        double ka = (2.5 - va) / 2e4 - o[oi1] + o[oin];
        double kb = o[oi1] - vb / 5e4 - o[oi2] + 3e-6;
        worst_a = fmax(worst_a, fabs(ka));
        worst_b = fmax(worst_b, fabs(kb));
    }
    /* one solve leaves rounding only: 1e-18 A is 1e-14 of the largest current */
    cr_assert_lt(worst_a, 1e-18, "largest current left at node a: %g A", worst_a);
    cr_assert_lt(worst_b, 1e-18, "largest current left at node b: %g A", worst_b);
    ms_circuit_model_free(m);
}

/* The dendritic neuron's branch node k (virtual-ground column: drive I_k into it; dendrite G_k
 * to the soma at V_s; leak R to ground): V_k = (I_k + G_k V_s) / (G_k + 1/R). */
Test(circuit_nodes, dendritic_branch_nodes_match_closed_form)
{
    ms_dendritic_opts opt;
    ms_dendritic_opts_default(&opt);
    opt.branches = 4;
    opt.r_branch_ohm = 1e5;
    ms_circuit *c;
    ms_model *m;
    char msg[256];
    cr_assert_eq(ms_circuit_dendritic(&opt, &c, msg, sizeof msg), 0, "%s", msg);
    cr_assert_eq(ms_circuit_compile(c, &m, msg, sizeof msg), 0, "%s", msg);
    ms_rng r;
    ms_rng_init(&r, 12, 0, MS_RNG_USER);
    double y[m->n_state], p[m->n_params], o[m->n_obs], worst = 0;
    size_t yvs = state_index(m, "v_soma");
    for (int trial = 0; trial < 100; trial++) {
        for (size_t k = 0; k < m->n_params; k++) p[k] = m->params[k].def;
        m->init(m, p, y);
        y[yvs] = 2.0 * ms_rng_uniform(&r) - 0.3;
        for (int b = 1; b <= 4; b++) {
            char name[32];
            snprintf(name, sizeof name, "d%d.G", b);
            y[state_index(m, name)] = 1e-6 + 99e-6 * ms_rng_uniform(&r);
            snprintf(name, sizeof name, "b%d.i_drive", b);
            y[state_index(m, name)] = 2e-4 * ms_rng_uniform(&r);
            snprintf(name, sizeof name, "b%d.virtual_ground", b);
            p[param_index(m, name)] = 1.0;
        }
        cr_assert_eq(m->observe(m, 0.0, y, p, o), 0);
        for (int b = 1; b <= 4; b++) {
            char name[32];
            snprintf(name, sizeof name, "d%d.G", b);
            double G = y[state_index(m, name)];
            snprintf(name, sizeof name, "b%d.i_drive", b);
            double I = y[state_index(m, name)];
            snprintf(name, sizeof name, "v_b%d", b);
            double v = o[obs_index(m, name)], want = (I + G * y[yvs]) / (G + 1e-5);
            worst = fmax(worst, fabs(v - want) / fmax(fabs(want), 1e-3));
        }
    }
    cr_assert_lt(worst, 1e-13, "largest relative difference from the closed form: %g", worst);
    ms_circuit_model_free(m);
    ms_circuit_free(c);
}

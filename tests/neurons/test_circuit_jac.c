/* The analytic Jacobian of compiled circuits (neurons/circuit_model.c) against central
 * difference quotients of their right-hand side, at many random states, for the dendritic
 * neuron and its point-neuron control with node-mode, virtual-ground and rectified columns,
 * and for a hand-built circuit with a fixed supply, a resistor chain and a current source.
 * The columns of held states (port drives, a switch's phase) are zero by contract, and the
 * one-call point() gives the right-hand side, roots, integrands and Jacobian bit for bit. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ms_rng.h"
#include "neurons/ms_circuit.h"
#include "tests/neurons/chain_circuit.h"

/* Max over entries of |analytic - numeric| / (|numeric| + scale), where scale is the column's
 * largest numeric entry times 1e-6 (so near-zero entries do not dominate). */
static double compare(const ms_model *m, const double *y0, const double *p)
{
    size_t n = m->n_state;
    double J[n * n], f1[n], f2[n], y[n];
    cr_assert_not_null(m->jac, "%s has no analytic Jacobian", m->name);
    cr_assert_eq(m->jac(m, 0.0, y0, p, J), 0);
    /* point(): the same numbers as the separate callbacks, from one node solve */
    if (m->point) {
        double fp[n], fs[n], gp[m->n_roots + 1], gs[m->n_roots + 1], wp[m->n_energy + 1], ws[m->n_energy + 1], Jp[n * n];
        cr_assert_eq(m->point(m, 0.0, y0, p, fp, gp, wp, Jp), 0);
        cr_assert_eq(m->rhs(m, 0.0, y0, p, fs), 0);
        cr_assert_eq(memcmp(fp, fs, sizeof fs), 0, "%s: point() and rhs() differ", m->name);
        if (m->n_roots) {
            cr_assert_eq(m->roots(m, 0.0, y0, p, gs), 0);
            cr_assert_eq(memcmp(gp, gs, m->n_roots * sizeof *gs), 0, "%s: point() and roots() differ", m->name);
        }
        cr_assert_eq(m->power(m, 0.0, y0, p, ws), 0);
        cr_assert_eq(memcmp(wp, ws, m->n_energy * sizeof *ws), 0, "%s: point() and power() differ", m->name);
        cr_assert_eq(memcmp(Jp, J, sizeof Jp), 0, "%s: point() and jac() differ", m->name);
    }
    /* held states never move while an integrator runs: their columns are left at zero */
    unsigned char held[n];
    memset(held, 0, sizeof held);
    if (m->held) m->held(m, p, held);
    double worst = 0;
    for (size_t j = 0; j < n; j++) {
        if (held[j]) {
            for (size_t i = 0; i < n; i++)
                cr_assert_eq(J[j * n + i], 0.0, "%s: column of held %s", m->name, m->state[j].name);
            continue;
        }
        memcpy(y, y0, sizeof y);
        double h = 1e-6 * (fabs(y0[j]) + m->state[j].scale);
        y[j] = y0[j] + h;
        cr_assert_eq(m->rhs(m, 0.0, y, p, f1), 0);
        y[j] = y0[j] - h;
        cr_assert_eq(m->rhs(m, 0.0, y, p, f2), 0);
        double colmax = 0, num[n];
        for (size_t i = 0; i < n; i++) {
            num[i] = (f1[i] - f2[i]) / (2 * h);
            colmax = fmax(colmax, fabs(num[i]));
        }
        for (size_t i = 0; i < n; i++) {
            double e = fabs(J[j * n + i] - num[i]) / (fabs(num[i]) + 1e-6 * colmax + 1e-300);
            if (e > worst) worst = e;
            if (e > 1e-4)
                cr_log_error("%s: d f[%s] / d y[%s]: analytic %g, numeric %g", m->name, m->state[i].name,
                             m->state[j].name, J[j * n + i], num[i]);
        }
    }
    return worst;
}

static void random_state(const ms_model *m, ms_rng *r, double *y, double *p, int vg, int rect)
{
    for (size_t k = 0; k < m->n_params; k++) p[k] = m->params[k].def;
    m->init(m, p, y);
    for (size_t k = 0; k < m->n_state; k++) {
        const char *name = m->state[k].name;
        if (strncmp(name, "v_", 2) == 0) y[k] = 2.0 * ms_rng_uniform(r) - 0.3;           /* node voltages */
        else if (strstr(name, ".G")) y[k] = 1e-6 + 99e-6 * ms_rng_uniform(r);           /* dendrites */
        else if (strstr(name, ".s")) y[k] = 0.05 + 0.9 * ms_rng_uniform(r);             /* soma switch */
        else if (strstr(name, ".i_drive")) y[k] = (ms_rng_uniform(r) - 0.3) * 2e-4;     /* column drive */
    }
    for (size_t k = 0; k < m->n_params; k++) {
        const char *name = m->params[k].name;
        if (strstr(name, ".g_column")) p[k] = 5e-4 * ms_rng_uniform(r);
        if (strstr(name, ".virtual_ground")) p[k] = vg;
        if (strstr(name, ".rectify")) p[k] = rect;
    }
}

static void check_builtin(int dendrites, int vg, int rect)
{
    ms_dendritic_opts o;
    ms_dendritic_opts_default(&o);
    o.branches = 3;
    o.dendrites = dendrites;
    ms_circuit *c;
    ms_model *m;
    char msg[256];
    cr_assert_eq(ms_circuit_dendritic(&o, &c, msg, sizeof msg), 0, "%s", msg);
    cr_assert_eq(ms_circuit_compile(c, &m, msg, sizeof msg), 0, "%s", msg);
    ms_rng r;
    ms_rng_init(&r, 7, (uint64_t)(dendrites * 4 + vg * 2 + rect), MS_RNG_USER);
    double y[m->n_state], p[m->n_params], worst = 0;
    for (int trial = 0; trial < 50; trial++) {
        random_state(m, &r, y, p, vg, rect);
        worst = fmax(worst, compare(m, y, p));
    }
    cr_assert_lt(worst, 1e-4, "%s (vg %d, rectify %d): worst relative difference %g", m->name, vg, rect, worst);
    ms_circuit_model_free(m);
    ms_circuit_free(c);
}

Test(circuit_jac, dendritic_neuron_node_mode) { check_builtin(1, 0, 0); }
Test(circuit_jac, dendritic_neuron_virtual_ground) { check_builtin(1, 1, 0); }
Test(circuit_jac, dendritic_neuron_rectified) { check_builtin(1, 1, 1); }
Test(circuit_jac, point_neuron_node_mode) { check_builtin(0, 0, 0); }
Test(circuit_jac, point_neuron_virtual_ground) { check_builtin(0, 1, 0); }

Test(circuit_jac, supply_resistor_chain_and_current_source)
{
    /* vdd -r1- a (algebraic) -d1- b (algebraic) -r2- gnd, soma on c with a capacitor, b -d2- c */
    ms_model *m;
    build_chain_circuit(&m);
    ms_rng r;
    ms_rng_init(&r, 3, 0, MS_RNG_USER);
    double y[m->n_state], p[m->n_params], worst = 0;
    for (int trial = 0; trial < 50; trial++) {
        random_state(m, &r, y, p, 0, 0);
        worst = fmax(worst, compare(m, y, p));
    }
    cr_assert_lt(worst, 1e-4, "worst relative difference %g", worst);
    ms_circuit_model_free(m);
}

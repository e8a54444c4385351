/* core/energy.c: the energy ledger of a population (docs/energy.md). Its units integrate
 * their devices' energies as error-controlled CVODES quadratures (engine_event.c); events
 * book exact energies as they happen (read pulses, drivers: synapse_device.c). Here: the
 * rest power that splits static from dynamic energy, the stored energy at the start, and
 * the sums a caller asks for. */
#include "core/net_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Quadrature tolerance: 1e-18 J absolute, far below one read pulse (a 2 uS synapse read
 * at 0.2 V for 100 ns is 8e-15 J, docs/energy.md), with the state's relative tolerance. */
#define ENERGY_ATOL_J 1e-18

ms_status msi_energy_prepare(ms_net *net, int pop)
{
    ms_pop *p = &net->pops[pop];
    const ms_model *m = p->model;
    memset(p->rest_power, 0, sizeof p->rest_power);
    p->stored0 = 0;
    if (!m->n_energy && !m->stored) return MS_OK;
    size_t ns = m->n_state, np = m->n_params, ne = m->n_energy;
    if (ne) {
        p->quad_atol = malloc(ne * sizeof *p->quad_atol);
        if (!p->quad_atol) return msi_net_fail(net, MS_ENOMEM, "run: out of memory");
        for (size_t k = 0; k < ne; k++) p->quad_atol[k] = ENERGY_ATOL_J;
    }
    double y[ns ? ns : 1], prow[np ? np : 1], w[ne ? ne : 1];
    for (size_t i = 0; i < p->n; i++) {
        for (size_t k = 0; k < ns; k++) y[k] = p->state[k * p->n + i];
        for (size_t k = 0; k < np; k++) prow[k] = p->param[k * p->n + i];
        if (m->stored) p->stored0 += m->stored(m, y, prow);
        /* Power at rest: the initial state with no input (node voltages at their initial
         * values); what the unit would draw in a run without a single event. */
        if (ne && m->power(m, net->t, y, prow, w) == 0)
            for (size_t k = 0; k < ne; k++) p->rest_power[m->energy_class[k]] += w[k];
    }
    return MS_OK;
}

ms_status ms_net_pop_energy(ms_net *net, int pop, ms_pop_energy *out)
{
    if (pop < 0 || (size_t)pop >= net->n_pops)
        return msi_net_fail(net, MS_EINVAL, "energy: no population with id %d", pop);
    ms_pop *p = &net->pops[pop];
    const ms_model *m = p->model;
    memset(out, 0, sizeof *out);
    memcpy(out->by_class, p->e_event, sizeof out->by_class);
    if (!net->frozen) return MS_OK;
    memcpy(out->rest, p->rest_power, sizeof out->rest);
    out->stored0 = p->stored0;
    size_t ns = m->n_state, np = m->n_params;
    double y[ns ? ns : 1];
    for (size_t i = 0; i < p->n; i++) {
        const double *prow = p->p_rows ? p->p_rows + i * np : NULL;
        if (p->ode && p->ode[i] && m->n_energy) {
            const double *q = ms_ode_quad(p->ode[i]);
            for (size_t k = 0; k < m->n_energy; k++) out->by_class[m->energy_class[k]] += q[k];
        }
        if (m->stored && prow) {
            for (size_t k = 0; k < ns; k++) y[k] = p->state[k * p->n + i];
            out->stored += m->stored(m, y, prow);
        }
    }
    return MS_OK;
}

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
    /* the periphery's static power, drawn from the start of the run */
    out->rest[MS_E_PERIPHERAL] += p->p_static;
    out->by_class[MS_E_PERIPHERAL] += p->p_static * net->t;
    out->by_class[MS_E_SOURCE] += p->p_static * net->t;
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

static ms_status snapshot(ms_net *net, int pop)
{
    ms_pop *p = &net->pops[pop];
    if (p->n_snap == p->cap_snap) {
        size_t cap = p->cap_snap ? 2 * p->cap_snap : 64;
        double *e = realloc(p->e_snap, cap * MS_E_N_CLASSES * sizeof *e);
        if (e) p->e_snap = e;
        double *t = e ? realloc(p->t_snap, cap * sizeof *t) : NULL;
        if (t) p->t_snap = t;
        if (!t) return msi_net_fail(net, MS_ENOMEM, "record: out of memory for %zu energy snapshots", cap);
        p->cap_snap = cap;
    }
    ms_pop_energy e;
    ms_status st = ms_net_pop_energy(net, pop, &e);
    if (st) return st;
    memcpy(p->e_snap + p->n_snap * MS_E_N_CLASSES, e.by_class, sizeof e.by_class);
    p->t_snap[p->n_snap++] = net->t;
    return MS_OK;
}

ms_status ms_net_record_energy(ms_net *net, int pop)
{
    if (pop < 0 || (size_t)pop >= net->n_pops)
        return msi_net_fail(net, MS_EINVAL, "record: no population with id %d", pop);
    ms_pop *p = &net->pops[pop];
    if (p->rec_energy) return msi_net_fail(net, MS_EINVAL, "record: the energy of '%s' is already recorded", p->label);
    p->rec_energy = 1;
    return snapshot(net, pop);
}

ms_status msi_energy_snapshots(ms_net *net)
{
    for (size_t i = 0; i < net->n_pops; i++) {
        if (!net->pops[i].rec_energy) continue;
        ms_status st = snapshot(net, (int)i);
        if (st) return st;
    }
    return MS_OK;
}

ms_status ms_net_energy_trace(ms_net *net, int pop, const double **times, const double **values, size_t *n)
{
    if (pop < 0 || (size_t)pop >= net->n_pops)
        return msi_net_fail(net, MS_EINVAL, "energy: no population with id %d", pop);
    ms_pop *p = &net->pops[pop];
    *times = p->t_snap;
    *values = p->e_snap;
    *n = p->n_snap;
    return MS_OK;
}

ms_status msi_energy_pending(ms_net *net, ms_pop *p, double t, double e_read, double e_driver)
{
    if (p->n_pend == p->cap_pend) {
        size_t cap = p->cap_pend ? 2 * p->cap_pend : 64;
        ms_pending_energy *a = realloc(p->pend, cap * sizeof *a);
        if (!a) return msi_net_fail(net, MS_ENOMEM, "run: out of memory for read energies in flight");
        p->pend = a;
        p->cap_pend = cap;
    }
    p->pend[p->n_pend++] = (ms_pending_energy){ t, e_read, e_driver };
    return MS_OK;
}

/* At a window's end (net->t): the pulses that began before it are booked. */
void msi_energy_settle(ms_net *net)
{
    for (size_t i = 0; i < net->n_pops; i++) {
        ms_pop *p = &net->pops[i];
        size_t kept = 0;
        /* a pulse that starts on the window's end (to rounding) belongs to the next one */
        const double edge = net->t - 1e-9 * net->window;
        for (size_t k = 0; k < p->n_pend; k++) {
            const ms_pending_energy *e = &p->pend[k];
            if (e->t < edge) {
                p->e_event[MS_E_SYNAPSE_READ] += e->e_read;
                p->e_event[MS_E_SOURCE] += e->e_read + e->e_driver;
                p->e_event[MS_E_PERIPHERAL] += e->e_driver;
            } else {
                p->pend[kept++] = *e;
            }
        }
        p->n_pend = kept;
    }
}

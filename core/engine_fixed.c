/* core/engine_fixed.c: fixed-step units (method fixed) through one window.
 *
 * The population steps on the grid t_j = j * dt. Inputs arriving in (t_{j-1}, t_j] are
 * summed per port into the accumulators of step j as spikes are routed (a ring of slots
 * indexed by step, as NEST's ring buffers), and applied at the start of step j; spikes are
 * detected at the step's end and stamped with its time, as NEST and Brian2 do by default.
 * A model with a `step` function advances the whole population as one loop over
 * structure-of-arrays columns; others get classical RK4 on their right-hand side. */
#include "core/net_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The first grid time at or after t, with a tolerance for times that are on the grid up to
 * rounding (a spike at 0.3 ms plus a 0.1 ms delay is step 4, not 5). */
int64_t msi_step_of(double t, double dt) { return (int64_t)ceil(t / dt - 1e-9); }

ms_status msi_fixed_prepare(ms_net *net, int pop, int64_t max_delay_steps)
{
    ms_pop *p = &net->pops[pop];
    const ms_model *m = p->model;
    size_t n = p->n, np = m->n_params;
    /* Slots for the window being stepped plus every step a delay can reach beyond it. */
    p->ring_slots = (size_t)(max_delay_steps + net->steps_per_window + 2);
    p->ring = calloc(p->ring_slots * (m->n_ports ? m->n_ports : 1) * n, sizeof(double));
    p->fired = calloc(n, 1);
    p->derived = calloc(m->n_derived ? m->n_derived * n : 1, sizeof(double));
    p->dirty = calloc(n, 1);
    if (!p->ring || !p->fired || !p->derived || !p->dirty)
        return msi_net_fail(net, MS_ENOMEM, "run: out of memory for '%s' (%zu input slots of %zu units)",
                            p->label, p->ring_slots, n);
    if (m->derive) {
        const double *pc[np ? np : 1];
        double *dc[m->n_derived ? m->n_derived : 1];
        for (size_t k = 0; k < np; k++) pc[k] = p->param + k * n;
        for (size_t k = 0; k < m->n_derived; k++) dc[k] = p->derived + k * n;
        m->derive(n, net->opt.dt, pc, dc);
    }
    /* Homogeneous populations let the model's step use scalars instead of columns. */
    p->uniform_params = 1;
    for (size_t k = 0; k < np && p->uniform_params; k++)
        for (size_t i = 1; i < n; i++)
            if (p->param[k * n + i] != p->param[k * n]) {
                p->uniform_params = 0;
                break;
            }
    p->next_step = msi_step_of(net->t, net->opt.dt);
    return MS_OK;
}

/* RK4 for one unit over [t, t + dt], with roots checked at both ends. */
static ms_status rk4_unit(ms_net *net, int pop, size_t i, double t, double dt, double *const *in)
{
    ms_pop *p = &net->pops[pop];
    const ms_model *m = p->model;
    const size_t n = p->n, ns = m->n_state, np = m->n_params, nr = m->n_roots;
    double y[ns], prm[np ? np : 1], k1[ns], k2[ns], k3[ns], k4[ns], yt[ns];
    double g0[nr ? nr : 1], g1[nr ? nr : 1];
    for (size_t k = 0; k < ns; k++) y[k] = p->state[k * n + i];
    for (size_t k = 0; k < np; k++) prm[k] = p->param[k * n + i];
    for (size_t port = 0; port < m->n_ports; port++) {
        if (in[port][i] != 0.0) m->on_input(t, (int)port, in[port][i], y, prm);
        in[port][i] = 0.0;
    }
    if (nr) m->roots(t, y, prm, g0);
    int bad = m->rhs(t, y, prm, k1);
    for (size_t k = 0; k < ns; k++) yt[k] = y[k] + 0.5 * dt * k1[k];
    bad |= m->rhs(t + 0.5 * dt, yt, prm, k2);
    for (size_t k = 0; k < ns; k++) yt[k] = y[k] + 0.5 * dt * k2[k];
    bad |= m->rhs(t + 0.5 * dt, yt, prm, k3);
    for (size_t k = 0; k < ns; k++) yt[k] = y[k] + dt * k3[k];
    bad |= m->rhs(t + dt, yt, prm, k4);
    if (bad) return msi_net_fail(net, MS_ESOLVER, "%s '%s' unit %zu: right-hand side failed at t = %.9g s",
                                 m->name, p->label, i + 1, t);
    for (size_t k = 0; k < ns; k++) y[k] += dt / 6.0 * (k1[k] + 2.0 * k2[k] + 2.0 * k3[k] + k4[k]);
    double t1 = t + dt;
    if (nr) {
        m->roots(t1, y, prm, g1);
        int fired = 0;
        for (size_t r = 0; r < nr; r++) {
            int up = g0[r] < 0 && g1[r] >= 0, down = g0[r] > 0 && g1[r] <= 0;
            int dir = m->root_dir[r];
            if ((dir >= 0 && up) || (dir <= 0 && down)) fired |= m->on_root(t1, (int)r, y, prm) & MS_ROOT_FIRED;
        }
        if (fired) p->fired[i] = 1;
    }
    for (size_t k = 0; k < ns; k++) p->state[k * n + i] = y[k];
    return MS_OK;
}

/* Samples every recorder of this population whose next sample time is the grid time t. */
static void sample(ms_net *net, int pop, double t, size_t *cursor)
{
    ms_pop *p = &net->pops[pop];
    double half = 0.5 * net->opt.dt;
    for (size_t r = 0; r < net->n_traces; r++) {
        ms_trace_rec *rec = &net->traces[r];
        if (rec->pop != pop) continue;
        while (cursor[r] < rec->n_samples && rec->times[cursor[r]] <= t + half) {
            const double *col = p->state + (size_t)rec->var * p->n;
            double *row = rec->values + cursor[r] * rec->n_ids;
            for (size_t c = 0; c < rec->n_ids; c++) row[c] = col[rec->ids[c]];
            cursor[r]++;
        }
    }
}

ms_status msi_fixed_window(ms_net *net, int pop, int64_t w, double t0, double t1, int full)
{
    (void)w, (void)t0, (void)full;
    ms_pop *p = &net->pops[pop];
    const ms_model *m = p->model;
    const double dt = net->opt.dt;
    const size_t n = p->n, nports = m->n_ports;
    int64_t j0 = p->next_step, j1 = j0;
    while ((double)(j1 + 1) * dt <= t1 + 1e-9 * dt) j1++;

    size_t cursor[net->n_traces ? net->n_traces : 1];
    for (size_t r = 0; r < net->n_traces; r++) cursor[r] = net->traces[r].win_k0;

    double *ycol[m->n_state ? m->n_state : 1];
    const double *pcol[m->n_params ? m->n_params : 1], *dcol[m->n_derived ? m->n_derived : 1];
    double *incol[nports ? nports : 1];
    for (size_t k = 0; k < m->n_state; k++) ycol[k] = p->state + k * n;
    for (size_t k = 0; k < m->n_params; k++) pcol[k] = p->param + k * n;
    for (size_t k = 0; k < m->n_derived; k++) dcol[k] = p->derived + k * n;

    ms_status st;
    for (int64_t j = j0; j < j1; j++) {
        double t = (double)j * dt;
        if (p->has_traces) sample(net, pop, t, cursor);
        double *slot = p->ring + (size_t)(j % (int64_t)p->ring_slots) * (nports ? nports : 1) * n;
        for (size_t k = 0; k < nports; k++) incol[k] = slot + k * n;
        if (m->step) {
            ms_fixed_view v = { n, t, dt, ycol, pcol, dcol, incol, p->fired, p->uniform_params };
            m->step(&v);
        } else {
            for (size_t i = 0; i < n; i++)
                if ((st = rk4_unit(net, pop, i, t, dt, incol))) return st;
        }
        double t_spike = (double)(j + 1) * dt;
        for (size_t i = 0; i < n; i++) {
            if (!p->fired[i]) continue;
            p->fired[i] = 0;
            if ((st = msi_emit(net, pop, i, t_spike))) return st;
        }
    }
    p->next_step = j1;
    return MS_OK;
}

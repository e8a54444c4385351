/* core/engine_fixed.c: fixed-step units (method fixed) through one window.
 *
 * The population steps on the grid t_j = j * dt. Inputs arriving in (t_{j-1}, t_j] are
 * summed per port and applied at the start of step j; spikes are detected at the step's
 * end and stamped with its time, as NEST and Brian2 do by default. A model with a `step`
 * function advances the whole population as one loop over structure-of-arrays columns;
 * others get classical RK4 on their right-hand side, unit by unit. */
#include "core/net_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Grid step that takes an input arriving at t: the first grid time at or after t, with a
 * tolerance for times that are on the grid up to rounding. */
static int64_t step_of(double t, double dt) { return (int64_t)ceil(t / dt - 1e-9); }

ms_status msi_fixed_prepare(ms_net *net, int pop)
{
    ms_pop *p = &net->pops[pop];
    const ms_model *m = p->model;
    size_t n = p->n;
    p->input = calloc((m->n_ports ? m->n_ports : 1) * n, sizeof(double));
    p->fired = calloc(n, 1);
    p->derived = calloc(m->n_derived ? m->n_derived * n : 1, sizeof(double));
    p->step_first = calloc((size_t)net->steps_per_window + 3, sizeof(size_t));
    p->dirty = calloc(n, 1);
    if (!p->input || !p->fired || !p->derived || !p->step_first || !p->dirty)
        return msi_net_fail(net, MS_ENOMEM, "run: out of memory for '%s'", p->label);
    if (m->derive) {
        const double *pc[m->n_params ? m->n_params : 1];
        double *dc[m->n_derived ? m->n_derived : 1];
        for (size_t k = 0; k < m->n_params; k++) pc[k] = p->param + k * n;
        for (size_t k = 0; k < m->n_derived; k++) dc[k] = p->derived + k * n;
        m->derive(n, net->opt.dt, pc, dc);
    }
    p->next_step = step_of(net->t, net->opt.dt);
    return MS_OK;
}

/* RK4 for one unit over [t, t + dt], with roots checked at both ends. */
static ms_status rk4_unit(ms_net *net, int pop, size_t i, double t, double dt)
{
    ms_pop *p = &net->pops[pop];
    const ms_model *m = p->model;
    const size_t n = p->n, ns = m->n_state, np = m->n_params, nr = m->n_roots;
    double y[ns], prm[np ? np : 1], k1[ns], k2[ns], k3[ns], k4[ns], yt[ns];
    double g0[nr ? nr : 1], g1[nr ? nr : 1];
    for (size_t k = 0; k < ns; k++) y[k] = p->state[k * n + i];
    for (size_t k = 0; k < np; k++) prm[k] = p->param[k * n + i];
    for (size_t port = 0; port < m->n_ports; port++) {
        double *in = &p->input[port * n + i];
        if (*in != 0.0) m->on_input(t, (int)port, *in, y, prm);
        *in = 0.0;
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
    (void)t0;
    ms_pop *p = &net->pops[pop];
    const ms_model *m = p->model;
    const double dt = net->opt.dt;
    const size_t n = p->n;
    int64_t j0 = p->next_step, j1 = j0;
    while ((double)(j1 + 1) * dt <= t1 + 1e-9 * dt) j1++;
    size_t n_steps = (size_t)(j1 - j0);

    /* Order this window's inputs by step (stable counting sort): deterministic sums. */
    ms_evbuf *slot = msi_calendar_slot(&p->cal, w);
    if (slot->n > p->ev_order_cap) {
        size_t *o = realloc(p->ev_order, slot->n * sizeof *o);
        if (!o) return msi_net_fail(net, MS_ENOMEM, "run: out of memory for events of '%s'", p->label);
        p->ev_order = o;
        p->ev_order_cap = slot->n;
    }
    size_t *first = p->step_first; /* n_steps + 1 entries: steps, then "later" */
    memset(first, 0, (n_steps + 2) * sizeof *first);
    for (size_t k = 0; k < slot->n; k++) {
        int64_t j = step_of(slot->ev[k].t, dt);
        size_t b = j < j1 ? (size_t)(j < j0 ? 0 : j - j0) : n_steps;
        first[b + 1]++;
    }
    for (size_t b = 0; b <= n_steps; b++) first[b + 1] += first[b];
    {
        size_t fill[n_steps + 1];
        memcpy(fill, first, (n_steps + 1) * sizeof *fill);
        for (size_t k = 0; k < slot->n; k++) {
            int64_t j = step_of(slot->ev[k].t, dt);
            size_t b = j < j1 ? (size_t)(j < j0 ? 0 : j - j0) : n_steps;
            p->ev_order[fill[b]++] = k;
        }
    }

    size_t cursor[net->n_traces ? net->n_traces : 1];
    for (size_t r = 0; r < net->n_traces; r++) cursor[r] = net->traces[r].win_k0;

    double *ycol[m->n_state ? m->n_state : 1];
    const double *pcol[m->n_params ? m->n_params : 1], *dcol[m->n_derived ? m->n_derived : 1];
    double *incol[m->n_ports ? m->n_ports : 1];
    for (size_t k = 0; k < m->n_state; k++) ycol[k] = p->state + k * n;
    for (size_t k = 0; k < m->n_params; k++) pcol[k] = p->param + k * n;
    for (size_t k = 0; k < m->n_derived; k++) dcol[k] = p->derived + k * n;
    for (size_t k = 0; k < m->n_ports; k++) incol[k] = p->input + k * n;

    ms_status st;
    for (size_t s = 0; s < n_steps; s++) {
        double t = (double)(j0 + (int64_t)s) * dt;
        if (p->has_traces) sample(net, pop, t, cursor);
        for (size_t q = first[s]; q < first[s + 1]; q++) {
            const ms_event *ev = &slot->ev[p->ev_order[q]];
            p->input[(size_t)ev->port * n + ev->unit] += ev->amount;
        }
        if (m->step) {
            ms_fixed_view v = { n, t, dt, ycol, pcol, dcol, incol, p->fired };
            m->step(&v);
        } else {
            for (size_t i = 0; i < n; i++)
                if ((st = rk4_unit(net, pop, i, t, dt))) return st;
        }
        double t_spike = (double)(j0 + (int64_t)s + 1) * dt;
        for (size_t i = 0; i < n; i++) {
            if (!p->fired[i]) continue;
            p->fired[i] = 0;
            if ((st = msi_emit(net, pop, i, t_spike))) return st;
        }
    }
    p->next_step = j1;

    /* Inputs for later steps stay; after a complete window they move to the next slot.
     * Their order entries are increasing, so compacting in place keeps arrival order. */
    ms_evbuf *keep = full ? msi_calendar_slot(&p->cal, w + 1) : slot;
    size_t kept = 0;
    for (size_t q = first[n_steps]; q < first[n_steps + 1]; q++) {
        ms_event ev = slot->ev[p->ev_order[q]];
        if (keep != slot) {
            if (msi_evbuf_push(keep, &ev)) return msi_net_fail(net, MS_ENOMEM, "run: out of memory");
        } else {
            slot->ev[kept++] = ev;
        }
    }
    slot->n = keep == slot ? kept : 0;
    return MS_OK;
}

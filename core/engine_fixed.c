/* core/engine_fixed.c: fixed-step units (method fixed) through one window.
 *
 * The population steps on the grid t_j = j * dt. Inputs arriving in (t_{j-1}, t_j] are
 * queued, as spikes are routed, in the inbox of step j (a ring of per-step lists indexed by
 * step, like NEST's ring buffers but sparse: memory and work follow the inputs, not units x
 * delay), and added to the state at the start of step j (each port adds to one state
 * variable, ms_model.port_state); spikes are detected at the step's end and stamped with
 * its time, as NEST and Brian2 do by default. A model with a `step` function advances the
 * whole population as one loop over structure-of-arrays columns; others get classical RK4
 * on their right-hand side. */
#include "core/net_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The first grid time at or after t, with a tolerance for times that are on the grid up to
 * rounding (a spike at 0.3 ms plus a 0.1 ms delay is step 4, not 5). */
int64_t msi_step_of(double t, double dt) { return (int64_t)ceil(t / dt - 1e-9); }

ms_status msi_inbox_reserve(ms_inbuf *b, size_t need)
{
    if (need <= b->cap) return MS_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) cap *= 2;
    ms_input *in = realloc(b->in, cap * sizeof *in);
    if (!in) return MS_ENOMEM;
    b->in = in;
    b->cap = cap;
    return MS_OK;
}

ms_status msi_inbox_add(ms_pop *p, int64_t step, uint32_t port, uint32_t unit, double amount)
{
    ms_inbuf *b = &p->inbox[(size_t)(step % (int64_t)p->inbox_slots)];
    if (b->n == b->cap && msi_inbox_reserve(b, b->n + 1)) return MS_ENOMEM;
    b->in[b->n++] = (ms_input){ unit, (uint32_t)p->model->port_state[port], amount };
    return MS_OK;
}

ms_status msi_fixed_prepare(ms_net *net, int pop, int64_t max_delay_steps)
{
    ms_pop *p = &net->pops[pop];
    const ms_model *m = p->model;
    size_t n = p->n, np = m->n_params;
    /* Slots for the window being stepped plus every step a delay can reach beyond it. */
    p->inbox_slots = (size_t)(max_delay_steps + net->steps_per_window + 2);
    p->inbox = calloc(p->inbox_slots, sizeof *p->inbox);
    p->fired = calloc(n, sizeof *p->fired);
    p->derived = calloc(m->n_derived ? m->n_derived * n : 1, sizeof(double));
    p->dirty = calloc(n, 1);
    if (!p->inbox || !p->fired || !p->derived || !p->dirty)
        return msi_net_fail(net, MS_ENOMEM, "run: out of memory for '%s' (%zu units)", p->label, n);
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
static ms_status rk4_unit(ms_worker *wk, ms_pop *p, size_t i, double t, double dt)
{
    const ms_model *m = p->model;
    const size_t n = p->n, ns = m->n_state, np = m->n_params, nr = m->n_roots;
    double y[ns], prm[np ? np : 1], k1[ns], k2[ns], k3[ns], k4[ns], yt[ns];
    double g0[nr ? nr : 1], g1[nr ? nr : 1];
    for (size_t k = 0; k < ns; k++) y[k] = p->state[k * n + i];
    for (size_t k = 0; k < np; k++) prm[k] = p->param[k * n + i];
    if (nr) m->roots(m, t, y, prm, g0);
    int bad = m->rhs(m, t, y, prm, k1);
    for (size_t k = 0; k < ns; k++) yt[k] = y[k] + 0.5 * dt * k1[k];
    bad |= m->rhs(m, t + 0.5 * dt, yt, prm, k2);
    for (size_t k = 0; k < ns; k++) yt[k] = y[k] + 0.5 * dt * k2[k];
    bad |= m->rhs(m, t + 0.5 * dt, yt, prm, k3);
    for (size_t k = 0; k < ns; k++) yt[k] = y[k] + dt * k3[k];
    bad |= m->rhs(m, t + dt, yt, prm, k4);
    if (bad) return msi_worker_fail(wk, MS_ESOLVER, "%s '%s' unit %zu: right-hand side failed at t = %.9g s",
                                    m->name, p->label, i + 1, t);
    for (size_t k = 0; k < ns; k++) y[k] += dt / 6.0 * (k1[k] + 2.0 * k2[k] + 2.0 * k3[k] + k4[k]);
    double t1 = t + dt;
    uint64_t fired = 0;
    if (nr) {
        m->roots(m, t1, y, prm, g1);
        for (size_t r = 0; r < nr; r++) {
            int up = g0[r] < 0 && g1[r] >= 0, down = g0[r] > 0 && g1[r] <= 0;
            int dir = m->root_dir[r];
            if ((dir >= 0 && up) || (dir <= 0 && down)) fired |= (uint64_t)(m->on_root(m, t1, (int)r, y, prm) & MS_ROOT_FIRED);
        }
    }
    p->fired[i] = fired;
    for (size_t k = 0; k < ns; k++) p->state[k * n + i] = y[k];
    return MS_OK;
}

/* Samples, for the units [i0, i1), every recorder of this population whose next sample
 * time is the grid time t. */
static void sample(ms_net *net, int pop, double t, size_t *cursor, size_t i0, size_t i1)
{
    ms_pop *p = &net->pops[pop];
    double half = 0.5 * net->opt.dt;
    for (size_t r = 0; r < net->n_traces; r++) {
        ms_trace_rec *rec = &net->traces[r];
        if (rec->pop != pop) continue;
        while (cursor[r] < rec->n_samples && rec->times[cursor[r]] <= t + half) {
            const double *col = p->state + (size_t)rec->var * p->n;
            double *row = rec->values + cursor[r] * rec->n_ids;
            for (size_t c = 0; c < rec->n_ids; c++)
                if (rec->ids[c] >= i0 && rec->ids[c] < i1) row[c] = col[rec->ids[c]];
            cursor[r]++;
        }
    }
}

/* Emits the marked units of [i0, i1); stops once `count` are found. The flags are tested
 * eight at a time (one OR of 64 bytes): most of a step's flags are zero. */
static ms_status emit_fired(ms_worker *wk, const ms_pop *p, int pop, size_t i0, size_t i1, size_t count,
                            double t_spike)
{
    const uint64_t *f = p->fired;
    size_t i = i0;
    while (i < i1 && count) {
        if (i + 8 <= i1 && !(f[i] | f[i + 1] | f[i + 2] | f[i + 3] | f[i + 4] | f[i + 5] | f[i + 6] | f[i + 7])) {
            i += 8;
            continue;
        }
        size_t stop = i + 8 < i1 ? i + 8 : i1;
        for (; i < stop; i++) {
            if (!f[i]) continue;
            ms_status st = msi_emit(wk, pop, i, t_spike);
            if (st) return st;
            count--;
        }
    }
    return MS_OK;
}

/* The steps of the window for this thread's units: the inputs of each step are added to
 * the state (those of its units only), the model steps the range, fired units are
 * emitted. A thread's range needs nothing from other ranges until the window ends. */
ms_status msi_fixed_units(ms_net *net, ms_worker *wk, int pop)
{
    ms_pop *p = &net->pops[pop];
    const ms_model *m = p->model;
    const double dt = net->opt.dt;
    const size_t n = p->n;
    size_t i0, i1;
    msi_range(n, wk->tid, wk->nt, &i0, &i1);
    if (i0 == i1) return MS_OK;
    const int64_t j0 = p->next_step, j1 = net->fixed_j1;

    size_t cursor[net->n_traces ? net->n_traces : 1];
    for (size_t r = 0; r < net->n_traces; r++) cursor[r] = net->traces[r].win_k0;

    double *ycol[m->n_state ? m->n_state : 1];
    const double *pcol[m->n_params ? m->n_params : 1], *dcol[m->n_derived ? m->n_derived : 1];
    for (size_t k = 0; k < m->n_state; k++) ycol[k] = p->state + k * n + i0;
    for (size_t k = 0; k < m->n_params; k++) pcol[k] = p->param + k * n + i0;
    for (size_t k = 0; k < m->n_derived; k++) dcol[k] = p->derived + k * n + i0;
    const int whole = i0 == 0 && i1 == n;

    ms_status st;
    for (int64_t j = j0; j < j1; j++) {
        double t = (double)j * dt;
        if (p->has_traces) sample(net, pop, t, cursor, i0, i1);
        const ms_inbuf *b = &p->inbox[(size_t)(j % (int64_t)p->inbox_slots)];
        for (size_t k = 0; k < b->n; k++) {
            const ms_input *in = &b->in[k];
            if (whole || (in->unit >= i0 && in->unit < i1)) p->state[(size_t)in->var * n + in->unit] += in->amount;
        }
        size_t n_fired = i1 - i0; /* unknown: look at every unit */
        if (m->step) {
            ms_fixed_view v = { i1 - i0, t, dt, ycol, pcol, dcol, p->fired + i0, p->uniform_params };
            n_fired = m->step(&v);
        } else {
            for (size_t i = i0; i < i1; i++)
                if ((st = rk4_unit(wk, p, i, t, dt))) return st;
        }
        if (n_fired && (st = emit_fired(wk, p, pop, i0, i1, n_fired, (double)(j + 1) * dt))) return st;
    }
    return j1 > j0 ? msi_check_columns(wk, p, i0, i1, (double)j1 * dt) : MS_OK;
}

/* After all threads: the window's inboxes are spent. */
void msi_fixed_end(ms_net *net, int pop)
{
    ms_pop *p = &net->pops[pop];
    for (int64_t j = p->next_step; j < net->fixed_j1; j++) p->inbox[(size_t)(j % (int64_t)p->inbox_slots)].n = 0;
    p->next_step = net->fixed_j1;
}

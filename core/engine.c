/* core/engine.c: time advancement in conservative windows (docs/numerics.md).
 *
 * The window length is d_min, the shortest connection delay: nothing emitted inside a
 * window can reach any unit before the window ends, so each population, and each unit in
 * it, advances through the window on its own, taking its inputs from its calendar slot.
 * Spikes emitted in the window are sorted by (time, population, unit) and routed at its
 * end into the calendars of later windows. This file owns the loop, freezing the network
 * at the first run, sources, and routing; engine_event.c and engine_fixed.c advance the
 * units. */
#include "core/net_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A window end within this fraction of a window of the requested end is the same time:
 * durations like 0.2 s are not exact multiples of 0.1 ms in binary. */
#define SNAP_FRACTION 1e-9

ms_status msi_emit(ms_net *net, int pop, size_t unit, double t)
{
    ms_outbox *o = &net->out;
    if (o->n == o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 1024;
        ms_spike *s = realloc(o->s, cap * sizeof *s);
        if (!s) return msi_net_fail(net, MS_ENOMEM, "run: out of memory for %zu spikes in one window", cap);
        o->s = s;
        o->cap = cap;
    }
    o->s[o->n++] = (ms_spike){ t, (uint32_t)pop, (uint32_t)unit };
    net->stats.spikes++;
    return MS_OK;
}

static int spike_cmp(const void *a, const void *b)
{
    const ms_spike *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    if (x->pop != y->pop) return x->pop < y->pop ? -1 : 1;
    return (x->unit > y->unit) - (x->unit < y->unit);
}

static ms_status route(ms_net *net, int64_t w)
{
    ms_outbox *o = &net->out;
    if (o->n > 1) qsort(o->s, o->n, sizeof *o->s, spike_cmp);
    ms_status st = msi_record_spikes(net, o->s, o->n);
    if (st) return st;
    const double D = net->window, dt = net->opt.dt;
    for (size_t k = 0; k < o->n; k++) {
        const ms_spike *s = &o->s[k];
        const ms_pop *src = &net->pops[s->pop];
        for (size_t e = 0; e < src->n_out; e++) {
            int qi = src->out_proj[e];
            const ms_proj *q = &net->projs[qi];
            ms_pop *tgt = &net->pops[q->post];
            size_t s0 = q->off[s->unit], s1 = q->off[s->unit + 1];
            if (s0 == s1) continue;
            net->stats.events += s1 - s0;
            if (tgt->method == MS_METHOD_FIXED) {
                /* Straight into the target's per-step inbox: no sorting, no calendar. */
                uint32_t var = (uint32_t)tgt->model->port_state[q->port];
                ms_inbuf *b = NULL;
                if (!q->delay) {
                    int64_t step = msi_step_of(s->t + q->delay0, dt);
                    b = &tgt->inbox[(size_t)(step % (int64_t)tgt->inbox_slots)];
                    if (b->n + (s1 - s0) > b->cap && msi_inbox_reserve(b, b->n + (s1 - s0)))
                        return msi_net_fail(net, MS_ENOMEM, "run: out of memory for inputs in flight");
                }
                for (size_t syn = s0; syn < s1; syn++) {
                    if (q->delay) {
                        int64_t step = msi_step_of(s->t + q->delay[syn], dt);
                        b = &tgt->inbox[(size_t)(step % (int64_t)tgt->inbox_slots)];
                        if (b->n == b->cap && msi_inbox_reserve(b, b->n + 1))
                            return msi_net_fail(net, MS_ENOMEM, "run: out of memory for inputs in flight");
                    }
                    b->in[b->n++] = (ms_input){ q->target[syn], var, q->weight[syn] };
                }
                continue;
            }
            for (size_t syn = s0; syn < s1; syn++) {
                ms_event ev = { .t = s->t + (q->delay ? q->delay[syn] : q->delay0),
                                .amount = q->weight[syn],
                                .key = ((uint64_t)qi << MS_KEY_PROJ_SHIFT) | syn,
                                .unit = q->target[syn],
                                .port = (uint32_t)q->port };
                int64_t slot = (int64_t)floor(ev.t / D);
                /* A delay >= d_min lands in a later window; rounding must not say otherwise. */
                if (slot <= w) slot = w + 1;
                if (msi_evbuf_push(msi_calendar_slot(&tgt->cal, slot), &ev))
                    return msi_net_fail(net, MS_ENOMEM, "run: out of memory for events in flight");
            }
        }
    }
    o->n = 0;
    return MS_OK;
}

/* Moves the current steps that start before t1 to their populations' inputs. */
static ms_status drain_scheduled(ms_net *net, int64_t w, double t1)
{
    while (net->sched_next < net->n_sched && net->sched[net->sched_next].t < t1) {
        const ms_sched *s = &net->sched[net->sched_next++];
        ms_pop *p = &net->pops[s->pop];
        if (p->method == MS_METHOD_FIXED) {
            int64_t step = msi_step_of(s->t, net->opt.dt);
            if (step < p->next_step) step = p->next_step;
            if (msi_inbox_add(p, step, s->port, s->unit, s->amount))
                return msi_net_fail(net, MS_ENOMEM, "run: out of memory for current steps");
            continue;
        }
        ms_event ev = { .t = s->t, .amount = s->amount, .key = MS_KEY_CURRENT | s->seq,
                        .unit = s->unit, .port = s->port };
        if (msi_evbuf_push(msi_calendar_slot(&p->cal, w), &ev))
            return msi_net_fail(net, MS_ENOMEM, "run: out of memory for current steps");
    }
    return MS_OK;
}

typedef struct gen_ctx {
    ms_net *net;
    int pop;
    size_t unit;
    ms_status st;
} gen_ctx;

static int gen_emit(void *ud, double t)
{
    gen_ctx *g = ud;
    g->st = msi_emit(g->net, g->pop, g->unit, t);
    return g->st != MS_OK;
}

static ms_status source_window(ms_net *net, int pop, double t0, double t1)
{
    ms_pop *p = &net->pops[pop];
    const ms_model *m = p->model;
    size_t ns = m->n_state, np = m->n_params;
    double y[ns ? ns : 1], prm[np ? np : 1];
    ms_spike_list list = { p->aux_off, p->aux_times };
    gen_ctx g = { net, pop, 0, MS_OK };
    ms_emitter em = { gen_emit, &g };
    for (size_t i = 0; i < p->n; i++) {
        for (size_t k = 0; k < ns; k++) y[k] = p->state[k * p->n + i];
        for (size_t k = 0; k < np; k++) prm[k] = p->param[k * p->n + i];
        ms_rng rng;
        ms_rng_init(&rng, net->opt.seed, p->gid0 + i, MS_RNG_POISSON);
        g.unit = i;
        if (m->generate(t0, t1, y, prm, p->aux_off ? &list : NULL, i, &rng, &em) != 0)
            return g.st ? g.st : msi_net_fail(net, MS_EINVAL, "%s '%s': source %zu failed", m->name, p->label, i + 1);
        for (size_t k = 0; k < ns; k++) p->state[k * p->n + i] = y[k];
    }
    return MS_OK;
}

ms_status msi_engine_freeze(ms_net *net)
{
    ms_status st;
    for (size_t i = 0; i < net->n_pops; i++)
        if (!net->pops[i].finished && (st = ms_net_finish_population(net, (int)i))) return st;

    /* d_min, and the longest delay, which sizes the calendars. */
    double dmin = INFINITY, dmax = 0;
    for (size_t q = 0; q < net->n_projs; q++) {
        if (net->projs[q].n == 0) continue;
        dmin = fmin(dmin, net->projs[q].delay_min);
        dmax = fmax(dmax, net->projs[q].delay_max);
    }
    if (!isfinite(dmin)) dmin = MS_NET_WINDOW_DEFAULT;
    int any_fixed = 0;
    for (size_t i = 0; i < net->n_pops; i++) any_fixed |= net->pops[i].method == MS_METHOD_FIXED;
    net->window = dmin;
    net->steps_per_window = 0;
    if (any_fixed) {
        /* Windows hold whole steps; a delay shorter than one step is one step. */
        double dt = net->opt.dt;
        int64_t spw = (int64_t)floor(dmin / dt + 1e-9);
        if (spw < 1) spw = 1;
        net->steps_per_window = spw;
        net->window = (double)spw * dt;
    }
    size_t n_slots = (size_t)ceil(dmax / net->window) + 3;

    if ((st = ms_ode_ctx_create(&net->ode_ctx, &net->err))) return st;
    int64_t max_delay_steps = (int64_t)ceil(dmax / net->opt.dt) + 1;
    for (size_t i = 0; i < net->n_pops; i++) {
        ms_pop *p = &net->pops[i];
        if (p->model->kind == MS_MODEL_SOURCE) continue;
        if (p->method == MS_METHOD_FIXED) {
            st = msi_fixed_prepare(net, (int)i, max_delay_steps);
        } else {
            st = msi_calendar_init(net, &p->cal, n_slots);
            if (!st) st = msi_event_prepare(net, (int)i);
        }
        if (st) return st;
    }
    net->frozen = 1;
    return MS_OK;
}

void msi_engine_free(ms_net *net)
{
    for (size_t i = 0; i < net->n_pops; i++) {
        ms_pop *p = &net->pops[i];
        if (p->ode)
            for (size_t u = 0; u < p->n; u++) ms_ode_destroy(p->ode[u]);
        free(p->ode);
        free(p->ud);
        free(p->p_rows);
        free(p->d_rows);
        free(p->atol);
        free(p->dirty);
        free(p->derived);
        if (p->inbox)
            for (size_t b = 0; b < p->inbox_slots; b++) free(p->inbox[b].in);
        free(p->inbox);
        free(p->fired);
        p->ode = NULL;
    }
    ms_ode_ctx_destroy(net->ode_ctx);
    net->ode_ctx = NULL;
    free(net->out.s);
    net->out.s = NULL;
}

static void collect_stats(ms_net *net)
{
    net->stats.ode_steps = net->stats.ode_rhs = net->stats.ode_reinits = 0;
    for (size_t i = 0; i < net->n_pops; i++) {
        ms_pop *p = &net->pops[i];
        if (!p->ode) continue;
        for (size_t u = 0; u < p->n; u++) {
            ms_ode_stats s;
            ms_ode_get_stats(p->ode[u], &s);
            net->stats.ode_steps += (uint64_t)s.steps;
            net->stats.ode_rhs += (uint64_t)s.rhs_evals;
            net->stats.ode_reinits += (uint64_t)s.reinits;
        }
    }
}

ms_status ms_net_run(ms_net *net, double duration)
{
    ms_error_clear(&net->err);
    if (!(duration > 0) || !isfinite(duration))
        return msi_net_fail(net, MS_EINVAL, "run: duration = %g s must be a finite time > 0", duration);
    ms_status st;
    if (!net->frozen && (st = msi_engine_freeze(net))) return st;

    const double D = net->window;
    const double t_end = net->t + duration;
    while (net->t < t_end - SNAP_FRACTION * D) {
        int64_t w = (int64_t)floor(net->t / D + SNAP_FRACTION);
        double t0 = net->t;
        double w_end = (double)(w + 1) * D;
        double t1 = w_end;
        int full = 1;
        if (t_end < w_end - SNAP_FRACTION * D) {
            t1 = t_end;
            full = 0;
        }
        if ((st = msi_record_window_begin(net, t0, t1))) return st;
        if ((st = drain_scheduled(net, w, t1))) return st;
        for (size_t i = 0; i < net->n_pops; i++) {
            ms_pop *p = &net->pops[i];
            if (p->model->kind == MS_MODEL_SOURCE) st = source_window(net, (int)i, t0, t1);
            else if (p->method == MS_METHOD_FIXED) st = msi_fixed_window(net, (int)i, w, t0, t1, full);
            else st = msi_event_window(net, (int)i, w, t0, t1, full);
            if (st) return st;
        }
        if ((st = route(net, w))) return st;
        net->t = t1;
        if (full) net->stats.windows++;
        if (net->progress && net->progress(net->progress_ud, net->t, t_end)) {
            collect_stats(net);
            return msi_net_fail(net, MS_EINTR, "run: interrupted at t = %g s", net->t);
        }
    }
    /* The end time the caller asked for, not the window grid's rounding of it. */
    net->t = t_end;
    collect_stats(net);
    return MS_OK;
}

/* core/route.c: moving inputs to their targets: the spikes of a window (gathered from the
 * threads, sorted by time, population, unit; recorded; then sent through every synapse to
 * the target's calendar or fixed-step inbox) and the scheduled current steps. */
#include "core/net_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int spike_cmp(const void *a, const void *b)
{
    const ms_spike *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    if (x->pop != y->pop) return x->pop < y->pop ? -1 : 1;
    return (x->unit > y->unit) - (x->unit < y->unit);
}

/* All threads' spikes into worker 0's outbox. */
static ms_status gather(ms_net *net)
{
    ms_outbox *o = &net->workers[0].out;
    size_t total = 0;
    for (int k = 0; k < net->n_threads; k++) total += net->workers[k].out.n;
    if (total > o->cap) {
        ms_spike *s = realloc(o->s, total * sizeof *s);
        if (!s) return msi_net_fail(net, MS_ENOMEM, "run: out of memory for %zu spikes in one window", total);
        o->s = s;
        o->cap = total;
    }
    for (int k = 1; k < net->n_threads; k++) {
        ms_outbox *ok = &net->workers[k].out;
        if (ok->n) memcpy(o->s + o->n, ok->s, ok->n * sizeof *o->s);
        o->n += ok->n;
        ok->n = 0;
    }
    return MS_OK;
}

static ms_status send_to_fixed(ms_net *net, const ms_spike *s, const ms_proj *q, ms_pop *tgt, size_t s0,
                               size_t s1)
{
    const double dt = net->opt.dt;
    uint32_t var = (uint32_t)tgt->model->port_state[q->port];
    ms_inbuf *b = NULL;
    if (!q->delay) {
        /* One delay for the projection: one inbox for all of this spike's synapses. */
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
    return MS_OK;
}

static ms_status send_to_events(ms_net *net, const ms_spike *s, int qi, const ms_proj *q, ms_pop *tgt,
                                size_t s0, size_t s1)
{
    const double D = net->window;
    for (size_t syn = s0; syn < s1; syn++) {
        ms_event ev = { .t = s->t + (q->delay ? q->delay[syn] : q->delay0),
                        .amount = q->weight[syn],
                        .key = ((uint64_t)qi << MS_KEY_PROJ_SHIFT) | syn,
                        .unit = q->target[syn],
                        .port = (uint32_t)q->port };
        int64_t slot = (int64_t)floor(ev.t / D);
        /* A delay >= d_min lands in a later window; rounding must not say otherwise. */
        if (slot <= net->win.w) slot = net->win.w + 1;
        if (msi_evbuf_push(msi_calendar_slot(&tgt->cal, slot), &ev))
            return msi_net_fail(net, MS_ENOMEM, "run: out of memory for events in flight");
    }
    return MS_OK;
}

ms_status msi_route(ms_net *net)
{
    ms_status st = gather(net);
    if (st) return st;
    ms_outbox *o = &net->workers[0].out;
    if (o->n > 1) qsort(o->s, o->n, sizeof *o->s, spike_cmp);
    if ((st = msi_record_spikes(net, o->s, o->n))) return st;
    net->stats.spikes += o->n;
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
            if (q->device) st = msi_send_device_pulses(net, s, qi, q, tgt, s0, s1);
            else st = tgt->method == MS_METHOD_FIXED ? send_to_fixed(net, s, q, tgt, s0, s1)
                                                     : send_to_events(net, s, qi, q, tgt, s0, s1);
            if (st) return st;
        }
    }
    o->n = 0;
    return MS_OK;
}

/* Moves the current steps that start before the window's end to their populations. */
ms_status msi_drain_scheduled(ms_net *net)
{
    const double t1 = net->win.t1;
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
        if (msi_evbuf_push(msi_calendar_slot(&p->cal, net->win.w), &ev))
            return msi_net_fail(net, MS_ENOMEM, "run: out of memory for current steps");
    }
    return MS_OK;
}

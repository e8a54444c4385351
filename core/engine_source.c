/* core/engine_source.c: sources (poisson, spike_source) through one window: each unit
 * emits its spikes in [t0, t1) from its own random stream or list. */
#include "core/net_impl.h"

typedef struct gen_ctx {
    ms_worker *wk;
    int pop;
    size_t unit;
} gen_ctx;

static int gen_emit(void *ud, double t)
{
    gen_ctx *g = ud;
    return msi_emit(g->wk, g->pop, g->unit, t) != MS_OK;
}

ms_status msi_source_units(ms_net *net, ms_worker *wk, int pop)
{
    ms_pop *p = &net->pops[pop];
    const ms_model *m = p->model;
    size_t ns = m->n_state, np = m->n_params, i0, i1;
    msi_range(p->n, wk->tid, wk->nt, &i0, &i1);
    double y[ns ? ns : 1], prm[np ? np : 1];
    ms_spike_list list = { p->aux_off, p->aux_times };
    gen_ctx g = { wk, pop, 0 };
    ms_emitter em = { gen_emit, &g };
    const double t1 = net->win.t1;
    for (size_t i = i0; i < i1; i++) {
        /* Nothing to emit before the unit's next spike: most sources are quiet in most
         * windows, and asking them costs a stream setup each. */
        if (p->next_spike[i] >= t1) continue;
        for (size_t k = 0; k < ns; k++) y[k] = p->state[k * p->n + i];
        for (size_t k = 0; k < np; k++) prm[k] = p->param[k * p->n + i];
        ms_rng rng;
        ms_rng_init(&rng, net->opt.seed, p->gid0 + i, MS_RNG_POISSON);
        g.unit = i;
        if (m->generate(net->win.t0, t1, y, prm, p->aux_off ? &list : NULL, i, &rng, &em, &p->next_spike[i]) != 0)
            return wk->st ? wk->st
                          : msi_worker_fail(wk, MS_EINVAL, "%s '%s': source %zu failed", m->name, p->label, i + 1);
        for (size_t k = 0; k < ns; k++) p->state[k * p->n + i] = y[k];
    }
    return MS_OK;
}

/* core/engine.c: time advancement in conservative windows (docs/numerics.md).
 *
 * The window length is d_min, the shortest connection delay: nothing emitted inside a
 * window can reach any unit before the window ends, so each population, and each unit in
 * it, advances through the window on its own. A window has three phases:
 *   begin  (one thread)  fix the window, move current steps in, sort event slots;
 *   units  (all threads) each thread advances its own range of every population;
 *   end    (one thread)  tidy the slots, sort the window's spikes, record and route them.
 * A thread's range is fixed (msi_range), every unit's arithmetic is the same whatever the
 * thread count, and spikes are sorted before routing, so results are bitwise identical
 * for 1 or more threads. This file owns the loop, freezing and statistics; units advance
 * in engine_event.c, engine_fixed.c and engine_source.c, spikes move in route.c. */
#include "core/net_impl.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* A window end within this fraction of a window of the requested end is the same time:
 * durations like 0.2 s are not exact multiples of 0.1 ms in binary. */
#define SNAP_FRACTION 1e-9

ms_status msi_worker_fail(ms_worker *wk, ms_status st, const char *fmt, ...)
{
    if (wk->st == MS_OK) {
        va_list ap;
        va_start(ap, fmt);
        ms_error_vset(&wk->err, st, fmt, ap);
        va_end(ap);
        wk->st = st;
    }
    return st;
}

ms_status msi_emit(ms_worker *wk, int pop, size_t unit, double t)
{
    ms_outbox *o = &wk->out;
    if (o->n == o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 1024;
        ms_spike *s = realloc(o->s, cap * sizeof *s);
        if (!s) return msi_worker_fail(wk, MS_ENOMEM, "run: out of memory for %zu spikes in one window", cap);
        o->s = s;
        o->cap = cap;
    }
    o->s[o->n++] = (ms_spike){ t, (uint32_t)pop, (uint32_t)unit };
    return MS_OK;
}

static int available_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
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
    /* Device synapses send each pulse's end t_read (plus a clock wait) after its start: the
     * ring reaches that far too, so an end event sits in its own window's slot instead of
     * being carried (and sorted) from window to window. */
    double dfar = dmax;
    for (size_t q = 0; q < net->n_projs; q++)
        if (net->projs[q].device)
            dfar = fmax(dfar, net->projs[q].delay_max + net->projs[q].dev.t_read + net->projs[q].dev.clock);
    size_t n_slots = (size_t)ceil(dfar / net->window) + 3;

    int nt = net->opt.threads > 0 ? net->opt.threads : available_threads();
    if (nt > available_threads()) nt = available_threads();
    if (nt < 1) nt = 1;
    net->workers = calloc((size_t)nt, sizeof *net->workers);
    if (!net->workers) return msi_net_fail(net, MS_ENOMEM, "run: out of memory");
    net->n_threads = nt;
    for (int k = 0; k < nt; k++) {
        net->workers[k].tid = k;
        net->workers[k].nt = nt;
        if ((st = ms_ode_ctx_create(&net->workers[k].ode_ctx, &net->err))) return st;
    }

    if ((st = msi_devices_attach(net))) return st;
    int64_t max_delay_steps = (int64_t)ceil(dmax / net->opt.dt) + 1;
    for (size_t i = 0; i < net->n_pops; i++) {
        ms_pop *p = &net->pops[i];
        if (p->model->kind == MS_MODEL_SOURCE) {
            p->next_spike = malloc(p->n * sizeof *p->next_spike);
            if (!p->next_spike) return msi_net_fail(net, MS_ENOMEM, "run: out of memory for '%s'", p->label);
            for (size_t u = 0; u < p->n; u++) p->next_spike[u] = -INFINITY;
            continue;
        }
        if (p->method == MS_METHOD_FIXED) {
            st = msi_fixed_prepare(net, (int)i, max_delay_steps);
        } else {
            st = msi_calendar_init(net, &p->cal, n_slots);
            if (!st) st = msi_energy_prepare(net, (int)i);
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
        free(p->ev_start);
        free(p->ev_cursor);
        free(p->ev_spare.ev);
        free(p->next_spike);
        if (p->inbox)
            for (size_t b = 0; b < p->inbox_slots; b++) free(p->inbox[b].in);
        free(p->inbox);
        free(p->fired);
        p->ode = NULL;
    }
    for (int k = 0; k < net->n_threads; k++) {
        ms_ode_ctx_destroy(net->workers[k].ode_ctx);
        free(net->workers[k].out.s);
    }
    free(net->workers);
    net->workers = NULL;
    net->n_threads = 0;
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

/* Phase "begin": fixes the next window, or says the run is over. */
static void window_begin(ms_net *net, double t_end, int k)
{
    ms_window *win = &net->win;
    const double D = net->window;
    win->k = k;
    win->stop[k] = 0;
    if (!(net->t < t_end - SNAP_FRACTION * D)) {
        win->stop[k] = 1;
        return;
    }
    win->w = (int64_t)floor(net->t / D + SNAP_FRACTION);
    win->t0 = net->t;
    double w_end = (double)(win->w + 1) * D;
    win->t1 = w_end;
    win->full = 1;
    if (t_end < w_end - SNAP_FRACTION * D) {
        win->t1 = t_end;
        win->full = 0;
    } else if (t_end < w_end) {
        /* The run ends a rounding error before the grid's end: the window counts as full
         * (what is left moves on to the next slot), but it stops at t_end itself, so an
         * input at exactly t_end belongs to the next run, as everywhere else. */
        win->t1 = t_end;
    }
    ms_status st = msi_record_window_begin(net, win->t0, win->t1);
    if (!st) st = msi_drain_scheduled(net);
    for (size_t i = 0; i < net->n_pops && !st; i++) {
        ms_pop *p = &net->pops[i];
        if (p->model->kind == MS_MODEL_NEURON && p->method != MS_METHOD_FIXED) st = msi_event_begin(net, (int)i);
    }
    if (net->steps_per_window > 0) {
        /* The grid steps that end within the window (all fixed populations share them). */
        int64_t j1 = 0;
        for (size_t i = 0; i < net->n_pops; i++)
            if (net->pops[i].method == MS_METHOD_FIXED && net->pops[i].model->kind == MS_MODEL_NEURON) j1 = net->pops[i].next_step;
        while ((double)(j1 + 1) * net->opt.dt <= win->t1 + 1e-9 * net->opt.dt) j1++;
        net->fixed_j1 = j1;
    }
    if (st) {
        net->run_status = st;
        win->stop[k] = 1;
    }
}

/* Phase "units", run by every thread on its own ranges. */
static void window_units(ms_net *net, ms_worker *wk)
{
    for (size_t i = 0; i < net->n_pops && wk->st == MS_OK; i++) {
        ms_pop *p = &net->pops[i];
        if (p->model->kind == MS_MODEL_SOURCE) msi_source_units(net, wk, (int)i);
        else if (p->method == MS_METHOD_FIXED) msi_fixed_units(net, wk, (int)i);
        else msi_event_units(net, wk, (int)i);
    }
}

/* Phase "end": the first failure of any thread ends the run; else spikes are routed. */
static void window_end(ms_net *net, double t_end)
{
    ms_window *win = &net->win;
    for (int k = 0; k < net->n_threads; k++) {
        ms_worker *wk = &net->workers[k];
        if (wk->st != MS_OK) {
            ms_error_set(&net->err, wk->st, "%s", wk->err.msg);
            net->run_status = wk->st;
            win->stop[win->k] = 1;
            return;
        }
    }
    ms_status st = MS_OK;
    for (size_t i = 0; i < net->n_pops && !st; i++) {
        ms_pop *p = &net->pops[i];
        if (p->model->kind != MS_MODEL_NEURON) continue;
        if (p->method == MS_METHOD_FIXED) msi_fixed_end(net, (int)i);
        else st = msi_event_end(net, (int)i);
    }
    if (!st) st = msi_route(net);
    if (st) {
        net->run_status = st;
        win->stop[win->k] = 1;
        return;
    }
    net->t = win->t1;
    msi_energy_settle(net);
    if ((st = msi_energy_snapshots(net)) || (st = msi_record_flush(net))) {
        net->run_status = st;
        win->stop[win->k] = 1;
        return;
    }
    if (win->full) net->stats.windows++;
    if (net->progress && net->progress(net->progress_ud, net->t, t_end)) {
        net->run_status = msi_net_fail(net, MS_EINTR, "run: interrupted at t = %g s", net->t);
        win->stop[win->k] = 1;
    }
}

/* Runs to the absolute time t_end (> net->t, checked by the callers). Both entry points end
 * exactly at the time asked: ms_net_run at t + duration, ms_net_run_until at t_end itself, so
 * stimuli placed at absolute times are met without the drift of summed durations. */
static ms_status run_to(ms_net *net, double t_end)
{
    ms_status st;
    if ((st = msi_limit_recordings(net, t_end))) return st;
    if (!net->frozen && (st = msi_engine_freeze(net))) return st;

    net->run_status = MS_OK;
    const int nt = net->n_threads;
    if (nt == 1) {
        /* The same phases without OpenMP's single and barrier calls, which cost a few
         * percent when windows are one short step. */
        for (int k = 0;; k ^= 1) {
            window_begin(net, t_end, k);
            if (net->win.stop[k]) break;
            window_units(net, &net->workers[0]);
            window_end(net, t_end);
            if (net->win.stop[k]) break;
        }
    } else
#pragma omp parallel num_threads(nt)
    {
#ifdef _OPENMP
        ms_worker *wk = &net->workers[omp_get_thread_num()];
#else
        ms_worker *wk = &net->workers[0];
#endif
        for (int k = 0;; k ^= 1) {
#pragma omp single
            window_begin(net, t_end, k);
            /* single ends with a barrier: every thread sees the same window and flag */
            if (net->win.stop[k]) break;
            window_units(net, wk);
#pragma omp barrier
#pragma omp single
            window_end(net, t_end);
            if (net->win.stop[k]) break;
        }
    }
    collect_stats(net);
    if (net->run_status) return net->run_status;
    /* The end time the caller asked for, not the window grid's rounding of it. */
    net->t = t_end;
    return MS_OK;
}

ms_status ms_net_run(ms_net *net, double duration)
{
    ms_error_clear(&net->err);
    /* NaN first: C formatting writes 0/0 as "-nan", which reads like a negative number. */
    if (isnan(duration))
        return msi_net_fail(net, MS_EINVAL, "run: duration is NaN; it must be a finite time > 0 s");
    if (!(duration > 0) || !isfinite(duration))
        return msi_net_fail(net, MS_EINVAL, "run: duration = %g s must be a finite time > 0", duration);
    return run_to(net, net->t + duration);
}

ms_status ms_net_run_until(ms_net *net, double t_end)
{
    ms_error_clear(&net->err);
    if (isnan(t_end))
        return msi_net_fail(net, MS_EINVAL, "run_until: end time is NaN; it must be a finite time after t = %.17g s", net->t);
    if (!isfinite(t_end) || !(t_end > net->t))
        return msi_net_fail(net, MS_EINVAL,
                            "run_until: end time %.17g s must be finite and after the network's time t = %.17g s", t_end, net->t);
    return run_to(net, t_end);
}

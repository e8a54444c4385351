/* core/record.c: recorders: spikes (unit, exact time) and state variables sampled on a
 * regular grid of `every` seconds (core/ms_net.h). Storage grows once per window, before
 * the units run, so the inner loops only write into memory that exists. */
#include "core/net_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ms_status ms_net_record_spikes(ms_net *net, int pop)
{
    if (pop < 0 || (size_t)pop >= net->n_pops)
        return msi_net_fail(net, MS_EINVAL, "record: no population with id %d", pop);
    if (net->pops[pop].model->no_spikes)
        return msi_net_fail(net, MS_EINVAL, "record: '%s' (%s) has no spike root, so it never spikes: name a spike device in its circuit",
                            net->pops[pop].label, net->pops[pop].model->name);
    net->pops[pop].spikes.on = 1;
    return MS_OK;
}

ms_status ms_net_record_state(ms_net *net, int pop, const char *var, const size_t *ids,
                              size_t n_ids, double every, int *rec)
{
    if (pop < 0 || (size_t)pop >= net->n_pops)
        return msi_net_fail(net, MS_EINVAL, "record: no population with id %d", pop);
    ms_pop *p = &net->pops[pop];
    int k = ms_model_state_index(p->model, var);
    if (k < 0) {
        /* Observables (device currents and powers) are numbered after the state. */
        for (size_t o = 0; o < p->model->n_obs; o++)
            if (strcmp(p->model->obs[o].name, var) == 0) k = (int)(p->model->n_state + o);
        if (k >= 0 && p->method == MS_METHOD_FIXED)
            return msi_net_fail(net, MS_EINVAL, "record: '%s' of '%s' is computed from the state: it needs an event-driven method",
                                var, p->label);
    }
    if (k < 0) {
        char list[512] = "";
        for (size_t s = 0; s < p->model->n_state; s++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", s ? ", " : "", p->model->state[s].name);
        for (size_t s = 0; s < p->model->n_obs; s++)
            snprintf(list + strlen(list), sizeof list - strlen(list), ", %s", p->model->obs[s].name);
        return msi_net_fail(net, MS_EINVAL, "record: model %s has no state variable '%s' (it has: spikes%s%s)",
                            p->model->name, var, list[0] ? ", " : "", list);
    }
    if (ms_net_find_trace(net, pop, var) >= 0)
        return msi_net_fail(net, MS_EINVAL, "record: '%s' of '%s' is already recorded", var, p->label);
    if (!(every > 0 && isfinite(every)))
        return msi_net_fail(net, MS_EINVAL, "record: every = %g s must be a finite time > 0", every);
    double t0 = net->t;
    if (p->method == MS_METHOD_FIXED) {
        /* Fixed-step units have states on the grid only: sample on it. */
        double dt = net->opt.dt;
        every = fmax(1.0, round(every / dt)) * dt;
        t0 = ceil(net->t / dt - 1e-9) * dt;
    }
    size_t n = ids ? n_ids : p->n;
    if (n == 0) return msi_net_fail(net, MS_EINVAL, "record: the list of units is empty");
    ms_status st = msi_grow(net, (void **)&net->traces, &net->cap_traces, net->n_traces + 1, sizeof(ms_trace_rec));
    if (st) return st;
    ms_trace_rec r = { .pop = pop, .var = k, .n_ids = n, .every = every, .t0 = t0 };
    snprintf(r.var_name, sizeof r.var_name, "%s", var);
    r.ids = malloc(n * sizeof *r.ids);
    r.col_of = malloc(p->n * sizeof *r.col_of);
    if (!r.ids || !r.col_of) {
        free(r.ids);
        free(r.col_of);
        return msi_net_fail(net, MS_ENOMEM, "record: out of memory");
    }
    for (size_t i = 0; i < p->n; i++) r.col_of[i] = -1;
    for (size_t c = 0; c < n; c++) {
        size_t id = ids ? ids[c] : c;
        if (id >= p->n) {
            free(r.ids);
            free(r.col_of);
            return msi_net_fail(net, MS_EINVAL, "record: unit %zu is outside 1..%zu", id + 1, p->n);
        }
        if (r.col_of[id] >= 0) {
            free(r.ids);
            free(r.col_of);
            return msi_net_fail(net, MS_EINVAL, "record: unit %zu is listed twice", id + 1);
        }
        r.ids[c] = id;
        r.col_of[id] = (int32_t)c;
    }
    p->has_traces = 1;
    net->traces[net->n_traces] = r;
    *rec = (int)net->n_traces++;
    return MS_OK;
}

int ms_net_find_trace(const ms_net *net, int pop, const char *var)
{
    for (size_t r = 0; r < net->n_traces; r++)
        if (net->traces[r].pop == pop && strcmp(net->traces[r].var_name, var) == 0) return (int)r;
    return -1;
}

/* Sample k of a recorder is taken at t0 + k * every; this window takes those in [t0, t1).
 * A streamed recorder has dropped its first n_dropped samples (record_stream.c). */
ms_status msi_record_window_begin(ms_net *net, double t0, double t1)
{
    for (size_t ri = 0; ri < net->n_traces; ri++) {
        ms_trace_rec *r = &net->traces[ri];
        size_t k = r->n_samples;
        (void)t0;
        r->win_k0 = k;
        while (r->t0 + (double)(r->n_dropped + k) * r->every < t1) k++;
        if (k == r->n_samples) continue;
        if (k > r->cap) {
            size_t cap = r->cap ? r->cap : 256;
            while (cap < k) cap *= 2;
            double *t = realloc(r->times, cap * sizeof *t);
            if (t) r->times = t;
            double *v = t ? realloc(r->values, cap * r->n_ids * sizeof *v) : NULL;
            if (!v) return msi_net_fail(net, MS_ENOMEM, "record: out of memory for %zu samples", cap);
            r->values = v;
            r->cap = cap;
        }
        for (size_t s = r->n_samples; s < k; s++) {
            r->times[s] = r->t0 + (double)(r->n_dropped + s) * r->every;
            for (size_t c = 0; c < r->n_ids; c++) r->values[s * r->n_ids + c] = NAN;
        }
        r->n_samples = k;
    }
    return MS_OK;
}

ms_status msi_record_spikes(ms_net *net, const ms_spike *s, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        ms_spike_rec *r = &net->pops[s[k].pop].spikes;
        if (!r->on) continue;
        if (r->n == r->cap) {
            size_t cap = r->cap ? 2 * r->cap : 1024;
            size_t *ids = realloc(r->ids, cap * sizeof *ids);
            if (ids) r->ids = ids;
            double *t = ids ? realloc(r->times, cap * sizeof *t) : NULL;
            if (!t) return msi_net_fail(net, MS_ENOMEM, "record: out of memory for %zu spikes", cap);
            r->times = t;
            r->cap = cap;
        }
        r->ids[r->n] = s[k].unit;
        r->times[r->n] = s[k].t;
        r->n++;
    }
    return MS_OK;
}

ms_status ms_net_spikes(ms_net *net, int pop, const size_t **ids, const double **times, size_t *n)
{
    if (pop < 0 || (size_t)pop >= net->n_pops)
        return msi_net_fail(net, MS_EINVAL, "spikes: no population with id %d", pop);
    ms_spike_rec *r = &net->pops[pop].spikes;
    if (!r->on)
        return msi_net_fail(net, MS_ESTATE, "spikes: spikes of '%s' are not recorded (call record(pop, \"spikes\") before run)",
                            net->pops[pop].label);
    if (r->sink.write)
        return msi_net_fail(net, MS_ESTATE, "spikes: spikes of '%s' are streamed to a file, not kept in memory: read the file",
                            net->pops[pop].label);
    *ids = r->ids;
    *times = r->times;
    *n = r->n;
    return MS_OK;
}

ms_status ms_net_trace(ms_net *net, int rec, const double **times, const double **values,
                       size_t *n_samples, const size_t **ids, size_t *n_ids)
{
    if (rec < 0 || (size_t)rec >= net->n_traces)
        return msi_net_fail(net, MS_EINVAL, "trace: no recorder with id %d", rec);
    const ms_trace_rec *r = &net->traces[rec];
    if (r->sink.write)
        return msi_net_fail(net, MS_ESTATE, "trace: '%s' of '%s' is streamed to a file, not kept in memory: read the file",
                            r->var_name, net->pops[r->pop].label);
    /* Samples of the window in progress are complete only at its end. */
    size_t n = r->n_samples;
    while (n > 0 && r->times[n - 1] >= net->t) n--;
    *times = r->times;
    *values = r->values;
    *n_samples = n;
    *ids = r->ids;
    *n_ids = r->n_ids;
    return MS_OK;
}

void ms_net_get_memory(const ms_net *net, ms_net_memory *out)
{
    memset(out, 0, sizeof *out);
    for (size_t q = 0; q < net->n_projs; q++) {
        const ms_proj *pr = &net->projs[q];
        out->n_synapses += pr->n;
        out->synapses += (pr->n_pre + 1) * sizeof *pr->off + pr->n * (sizeof *pr->target + sizeof *pr->weight);
        if (pr->delay) out->synapses += pr->n * sizeof *pr->delay;
        /* device synapses: conductance and state of each device */
        out->synapses += pr->n * sizeof(double) * (size_t)(!!pr->g_pos + !!pr->g_neg + !!pr->x_pos + !!pr->x_neg);
    }
    for (size_t i = 0; i < net->n_pops; i++) {
        const ms_pop *p = &net->pops[i];
        const ms_model *m = p->model;
        out->units += p->n * (m->n_state + m->n_params) * sizeof(double);
        if (p->p_rows) out->units += p->n * m->n_params * sizeof(double);
        if (p->d_rows || p->derived) out->units += p->n * m->n_derived * sizeof(double);
        if (p->ode) {
            /* CVODES keeps about 25 vectors of n_state plus the dense n x n matrix. */
            out->solvers += p->n * (25 * m->n_state + m->n_state * m->n_state + 200) * sizeof(double);
        }
        for (size_t s = 0; s < p->cal.n_slots; s++) out->inputs += p->cal.slots[s].cap * sizeof(ms_event);
        for (size_t b = 0; p->inbox && b < p->inbox_slots; b++) out->inputs += p->inbox[b].cap * sizeof(ms_input);
        out->recorders += p->spikes.cap * (sizeof *p->spikes.ids + sizeof *p->spikes.times);
    }
    for (size_t r = 0; r < net->n_traces; r++)
        out->recorders += net->traces[r].cap * (net->traces[r].n_ids + 1) * sizeof(double);
}

void msi_record_free(ms_net *net)
{
    msi_record_close_sinks(net);
    for (size_t r = 0; r < net->n_traces; r++) {
        free(net->traces[r].ids);
        free(net->traces[r].col_of);
        free(net->traces[r].times);
        free(net->traces[r].values);
    }
    free(net->traces);
    net->traces = NULL;
    net->n_traces = 0;
}

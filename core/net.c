/* core/net.c: network construction: options, populations, parameters, state, spike lists
 * and current steps (core/ms_net.h). Connections are in connect.c, the run in engine.c. */
#include "core/net_impl.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ms_ode.h"

void ms_net_opts_default(ms_net_opts *o)
{
    o->seed = MS_NET_SEED_DEFAULT;
    o->method = MS_METHOD_BEST;
    o->rtol = MS_ODE_RTOL_DEFAULT;
    o->atol = MS_ODE_ATOL_DEFAULT;
    o->dt = MS_NET_DT_DEFAULT;
    o->max_steps = MS_ODE_MAX_STEPS_DEFAULT;
    o->memory_limit = 0;
    o->threads = 1;
    o->integrator = MS_ODE_BDF;
}

ms_status msi_net_fail(ms_net *net, ms_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ms_error_vset(&net->err, st, fmt, ap);
    va_end(ap);
    return st;
}

ms_status msi_net_prefix(ms_net *net, ms_status st, const char *fmt, ...)
{
    char prefix[MS_ERRMSG_LEN], inner[MS_ERRMSG_LEN];
    snprintf(inner, sizeof inner, "%s", net->err.msg);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    return ms_error_set(&net->err, st, "%s: %s", prefix, inner);
}

/* Grows *arr to hold at least `need` elements, doubling, so appends cost O(1) amortised. */
ms_status msi_grow(ms_net *net, void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return MS_OK;
    size_t c = *cap ? *cap : 16;
    while (c < need) c *= 2;
    void *p = realloc(*arr, c * elem);
    if (!p) return msi_net_fail(net, MS_ENOMEM, "out of memory (%zu elements of %zu bytes)", c, elem);
    *arr = p;
    *cap = c;
    return MS_OK;
}

ms_status ms_net_create(const ms_registry *reg, const ms_net_opts *o, ms_net **out, ms_error *err)
{
    *out = NULL;
    ms_net_opts opt;
    if (o) opt = *o; else ms_net_opts_default(&opt);
    if (!(opt.rtol > 0 && opt.rtol < 1))
        return ms_error_set(err, MS_EINVAL, "network: rtol = %g must be in (0, 1)", opt.rtol);
    if (!(opt.atol > 0 && isfinite(opt.atol)))
        return ms_error_set(err, MS_EINVAL, "network: atol = %g must be > 0", opt.atol);
    if (!(opt.dt > 0 && isfinite(opt.dt)))
        return ms_error_set(err, MS_EINVAL, "network: dt = %g s must be > 0", opt.dt);
    if (opt.max_steps < 1)
        return ms_error_set(err, MS_EINVAL, "network: max_steps = %ld must be >= 1", opt.max_steps);
    if (opt.integrator != MS_ODE_BDF && opt.integrator != MS_ODE_ROSENBROCK)
        return ms_error_set(err, MS_EINVAL, "network: unknown integrator %d", opt.integrator);
    if (opt.threads < 0 || opt.threads > 1024)
        return ms_error_set(err, MS_EINVAL, "network: threads = %d must be in 0..1024 (0: all cores)", opt.threads);
    if ((int)opt.method < (int)MS_METHOD_BEST || opt.method >= MS_METHOD_COUNT)
        return ms_error_set(err, MS_EINVAL, "network: unknown method %d", (int)opt.method);
    ms_net *net = calloc(1, sizeof *net);
    if (!net) return ms_error_set(err, MS_ENOMEM, "network: out of memory");
    net->reg = reg;
    net->opt = opt;
    *out = net;
    return MS_OK;
}

void ms_net_destroy(ms_net *net)
{
    if (!net) return;
    msi_engine_free(net);
    msi_record_free(net);
    for (size_t i = 0; i < net->n_pops; i++) {
        ms_pop *p = &net->pops[i];
        free(p->state);
        free(p->param);
        free(p->aux_off);
        free(p->aux_times);
        free(p->out_proj);
        free(p->spikes.ids);
        free(p->spikes.times);
        msi_calendar_free(&p->cal);
        free(p->quad_atol);
        free(p->e_snap);
        free(p->pend);
        free(p->t_snap);
        if (p->release) p->release(p->owned);
    }
    for (size_t i = 0; i < net->n_projs; i++) {
        ms_proj *q = &net->projs[i];
        free(q->off);
        free(q->target);
        free(q->weight);
        free(q->delay);
        msi_devices_free(q);
    }
    free(net->pops);
    free(net->projs);
    free(net->sched);
    free(net);
}

const char *ms_net_errmsg(const ms_net *net) { return net->err.msg; }
const ms_net_opts *ms_net_options(const ms_net *net) { return &net->opt; }
double ms_net_time(const ms_net *net) { return net->t; }
double ms_net_window(const ms_net *net) { return net->frozen ? net->window : 0.0; }
void ms_net_get_stats(const ms_net *net, ms_net_stats *out) { *out = net->stats; }

void ms_net_set_progress(ms_net *net, ms_progress_fn fn, void *ud)
{
    net->progress = fn;
    net->progress_ud = ud;
}

void ms_net_set_build_progress(ms_net *net, ms_progress_fn fn, void *ud)
{
    net->build_progress = fn;
    net->build_progress_ud = ud;
}

static ms_status check_pop(ms_net *net, int pop, const char *what)
{
    if (pop < 0 || (size_t)pop >= net->n_pops)
        return msi_net_fail(net, MS_EINVAL, "%s: no population with id %d", what, pop);
    return MS_OK;
}

static ms_status add_population(ms_net *net, const ms_model *m, size_t n, const char *label,
                                int method, int *pop)
{
    if (n == 0) return msi_net_fail(net, MS_EINVAL, "population: n must be >= 1");
    if (n > UINT32_MAX) return msi_net_fail(net, MS_EINVAL, "population: n = %zu is too large (max %u)", n, UINT32_MAX);
    ms_method meth;
    if (method < 0) {
        /* The network's method where the model has it; by default each model's best. */
        meth = net->opt.method != MS_METHOD_BEST && (m->methods & MS_METHOD_BIT(net->opt.method))
                   ? net->opt.method : m->preferred;
    } else {
        if (method >= MS_METHOD_COUNT) return msi_net_fail(net, MS_EINVAL, "population: unknown method %d", method);
        meth = (ms_method)method;
        if (m->kind == MS_MODEL_NEURON && !(m->methods & MS_METHOD_BIT(meth)))
            return msi_net_fail(net, MS_EINVAL, "population: model %s does not support method '%s'",
                                m->name, ms_method_name(meth));
    }
    ms_status st = msi_limit_population(net, m, n, m->kind == MS_MODEL_SOURCE ? m->preferred : meth);
    if (st) return st;
    st = msi_grow(net, (void **)&net->pops, &net->cap_pops, net->n_pops + 1, sizeof(ms_pop));
    if (st) return st;
    ms_pop *p = &net->pops[net->n_pops];
    memset(p, 0, sizeof *p);
    p->model = m;
    p->method = m->kind == MS_MODEL_SOURCE ? m->preferred : meth;
    p->n = n;
    p->gid0 = net->n_units;
    snprintf(p->label, sizeof p->label, "%s", label && *label ? label : m->name);
    p->state = calloc(m->n_state ? m->n_state * n : 1, sizeof(double));
    p->param = calloc(m->n_params ? m->n_params * n : 1, sizeof(double));
    if (!p->state || !p->param) {
        free(p->state);
        free(p->param);
        return msi_net_fail(net, MS_ENOMEM, "population: out of memory for %zu units of %s", n, m->name);
    }
    for (size_t k = 0; k < m->n_params; k++)
        for (size_t i = 0; i < n; i++) p->param[k * n + i] = m->params[k].def;
    net->n_units += n;
    *pop = (int)net->n_pops++;
    return MS_OK;
}

ms_status ms_net_add_population(ms_net *net, const char *model, size_t n, const char *label,
                                int method, int *pop)
{
    if (net->frozen)
        return msi_net_fail(net, MS_ESTATE, "population: the network has run; populations can only be added before the first run");
    const ms_model *m = ms_registry_find(net->reg, model);
    if (!m) return msi_net_fail(net, MS_EINVAL, "population: unknown model '%s' (memsnn models lists them)", model);
    return add_population(net, m, n, label, method, pop);
}

ms_status ms_net_add_population_model(ms_net *net, ms_model *m, void (*release)(ms_model *m),
                                      size_t n, const char *label, int method, int *pop)
{
    ms_status st = MS_OK;
    ms_error e;
    if (net->frozen)
        st = msi_net_fail(net, MS_ESTATE, "population: the network has run; populations can only be added before the first run");
    else if ((st = ms_model_validate(m, &e)))
        st = msi_net_fail(net, st, "population: %s", e.msg);
    else
        st = add_population(net, m, n, label, method, pop);
    if (st) {
        if (release) release(m);
        return st;
    }
    net->pops[*pop].owned = m;
    net->pops[*pop].release = release;
    return MS_OK;
}

ms_status ms_net_set_variation(ms_net *net, int pop, int on)
{
    ms_status st = check_pop(net, pop, "variation");
    if (st) return st;
    ms_pop *p = &net->pops[pop];
    if (p->finished) return msi_net_fail(net, MS_ESTATE, "variation: '%s' is already built", p->label);
    if (on && !p->model->vary)
        return msi_net_fail(net, MS_EINVAL, "variation: model %s has no device-to-device variation", p->model->name);
    p->vary = on != 0;
    return MS_OK;
}

ms_status ms_net_set_param(ms_net *net, int pop, const char *name, const double *values,
                           size_t n_values)
{
    ms_status st = check_pop(net, pop, "params");
    if (st) return st;
    ms_pop *p = &net->pops[pop];
    if (net->frozen || p->finished)
        return msi_net_fail(net, MS_ESTATE, "params: parameters of '%s' are fixed once the population is built", p->label);
    int k = ms_model_param_index(p->model, name);
    if (k < 0) return msi_net_fail(net, MS_EINVAL, "params: model %s has no parameter '%s'", p->model->name, name);
    if (n_values != 1 && n_values != p->n)
        return msi_net_fail(net, MS_EINVAL, "params: %s has %zu values, expected 1 or %zu (one per unit)", name, n_values, p->n);
    for (size_t i = 0; i < n_values; i++) {
        st = ms_model_check_param(p->model, k, values[i], &net->err);
        if (st) {
            if (n_values > 1) {
                char msg[MS_ERRMSG_LEN + 32];
                snprintf(msg, sizeof msg, "%s (unit %zu)", net->err.msg, i + 1);
                return msi_net_fail(net, st, "%s", msg);
            }
            return st;
        }
    }
    for (size_t i = 0; i < p->n; i++) p->param[(size_t)k * p->n + i] = values[n_values == 1 ? 0 : i];
    return MS_OK;
}

ms_status ms_net_finish_population(ms_net *net, int pop)
{
    ms_status st = check_pop(net, pop, "population");
    if (st) return st;
    ms_pop *p = &net->pops[pop];
    const ms_model *m = p->model;
    double prow[m->n_params ? m->n_params : 1], y[m->n_state ? m->n_state : 1];
    for (size_t i = 0; i < p->n; i++) {
        for (size_t k = 0; k < m->n_params; k++) prow[k] = p->param[k * p->n + i];
        if (p->vary) {
            ms_rng rng;
            ms_rng_init(&rng, net->opt.seed, p->gid0 + i, MS_RNG_VARIATION);
            char msg[256];
            if (m->vary(m, prow, &rng, msg, sizeof msg) != 0)
                return msi_net_fail(net, MS_EINVAL, "%s '%s' unit %zu: %s", m->name, p->label, i + 1, msg);
            for (size_t k = 0; k < m->n_params; k++) p->param[k * p->n + i] = prow[k];
        }
        if (m->check) {
            char msg[256];
            if (m->check(m, prow, msg, sizeof msg) != 0)
                return msi_net_fail(net, MS_EINVAL, "%s: %s%s", m->name, msg,
                                    p->n > 1 ? " (in at least one unit)" : "");
        }
        if (m->init) {
            m->init(m, prow, y);
            for (size_t k = 0; k < m->n_state; k++) p->state[k * p->n + i] = y[k];
        }
    }
    p->finished = 1;
    return MS_OK;
}

ms_status ms_net_set_state(ms_net *net, int pop, const char *name, const double *values,
                           size_t n_values)
{
    ms_status st = check_pop(net, pop, "initialize");
    if (st) return st;
    ms_pop *p = &net->pops[pop];
    int k = ms_model_state_index(p->model, name);
    if (k < 0) return msi_net_fail(net, MS_EINVAL, "initialize: model %s has no state variable '%s'", p->model->name, name);
    if (n_values != 1 && n_values != p->n)
        return msi_net_fail(net, MS_EINVAL, "initialize: %s has %zu values, expected 1 or %zu (one per unit)", name, n_values, p->n);
    for (size_t i = 0; i < n_values; i++)
        if ((st = ms_model_check_state(p->model, k, values[i], &net->err))) {
            const ms_state_spec *s = &p->model->state[k];
            return msi_net_fail(net, st, "initialize: %s = %g %s of '%s' unit %zu is %s [%g, %g] %s, the range of %s in %s",
                                name, values[i], s->unit, p->label, i + 1, isfinite(values[i]) ? "outside" : "not a number in",
                                s->min, s->max, s->unit, name, p->model->name);
        }
    for (size_t i = 0; i < p->n; i++) {
        double v = values[n_values == 1 ? 0 : i];
        p->state[(size_t)k * p->n + i] = v;
        if (p->ode && p->ode[i]) ms_ode_state(p->ode[i])[k] = v;
        if (p->dirty) p->dirty[i] = 1;
    }
    return MS_OK;
}

ms_status ms_net_get_state(ms_net *net, int pop, const char *name, double *out)
{
    ms_status st = check_pop(net, pop, "state");
    if (st) return st;
    ms_pop *p = &net->pops[pop];
    int k = ms_model_state_index(p->model, name);
    if (k < 0) return msi_net_fail(net, MS_EINVAL, "state: model %s has no state variable '%s'", p->model->name, name);
    memcpy(out, p->state + (size_t)k * p->n, p->n * sizeof(double));
    return MS_OK;
}

ms_status ms_net_get_param(ms_net *net, int pop, const char *name, double *out)
{
    ms_status st = check_pop(net, pop, "params");
    if (st) return st;
    ms_pop *p = &net->pops[pop];
    int k = ms_model_param_index(p->model, name);
    if (k < 0) return msi_net_fail(net, MS_EINVAL, "params: model %s has no parameter '%s'", p->model->name, name);
    memcpy(out, p->param + (size_t)k * p->n, p->n * sizeof(double));
    return MS_OK;
}

size_t ms_net_population_count(const ms_net *net) { return net->n_pops; }
size_t ms_net_pop_size(const ms_net *net, int pop) { return net->pops[pop].n; }
const char *ms_net_pop_label(const ms_net *net, int pop) { return net->pops[pop].label; }
const ms_model *ms_net_pop_model(const ms_net *net, int pop) { return net->pops[pop].model; }
ms_method ms_net_pop_method(const ms_net *net, int pop) { return net->pops[pop].method; }

ms_status ms_net_set_spike_times(ms_net *net, int pop, const size_t *offsets, const double *times)
{
    ms_status st = check_pop(net, pop, "spike_source");
    if (st) return st;
    ms_pop *p = &net->pops[pop];
    if (net->frozen) return msi_net_fail(net, MS_ESTATE, "spike_source: spike lists are fixed once the network has run");
    size_t total = offsets[p->n];
    for (size_t i = 0; i < p->n; i++) {
        if (offsets[i + 1] < offsets[i]) return msi_net_fail(net, MS_EINVAL, "spike_source: bad offsets");
        for (size_t k = offsets[i]; k < offsets[i + 1]; k++) {
            if (!isfinite(times[k]) || times[k] < 0)
                return msi_net_fail(net, MS_EINVAL, "spike_source: time %g s of source %zu is not a finite time >= 0", times[k], i + 1);
            if (k > offsets[i] && times[k] < times[k - 1])
                return msi_net_fail(net, MS_EINVAL, "spike_source: times of source %zu are not in increasing order (%g after %g)",
                                    i + 1, times[k], times[k - 1]);
        }
    }
    size_t *off = malloc((p->n + 1) * sizeof *off);
    double *t = malloc((total ? total : 1) * sizeof *t);
    if (!off || !t) {
        free(off);
        free(t);
        return msi_net_fail(net, MS_ENOMEM, "spike_source: out of memory for %zu spike times", total);
    }
    memcpy(off, offsets, (p->n + 1) * sizeof *off);
    if (total) memcpy(t, times, total * sizeof *t);
    free(p->aux_off);
    free(p->aux_times);
    p->aux_off = off;
    p->aux_times = t;
    return MS_OK;
}

static int sched_cmp(const void *a, const void *b)
{
    const ms_sched *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

ms_status ms_net_add_current(ms_net *net, int pop, const size_t *ids, size_t n_ids,
                             double amplitude, double start, double stop)
{
    ms_status st = check_pop(net, pop, "current");
    if (st) return st;
    ms_pop *p = &net->pops[pop];
    int port = ms_model_port_index(p->model, "current");
    if (port < 0) return msi_net_fail(net, MS_EINVAL, "current: model %s has no 'current' input", p->model->name);
    if (!isfinite(amplitude)) return msi_net_fail(net, MS_EINVAL, "current: amplitude must be a finite number of amperes");
    if (amplitude < 0 && ms_model_port_nonnegative(p->model, port))
        return msi_net_fail(net, MS_EINVAL, "current: amplitude = %g A is negative, but the 'current' port of %s takes amounts >= 0",
                            amplitude, p->model->name);
    if (!isfinite(start) || start < net->t)
        return msi_net_fail(net, MS_EINVAL, "current: start = %g s must be a finite time >= the current time %g s", start, net->t);
    if (!(stop > start)) return msi_net_fail(net, MS_EINVAL, "current: stop = %g s must be after start = %g s", stop, start);
    for (size_t k = 0; k < n_ids; k++)
        if (ids[k] >= p->n) return msi_net_fail(net, MS_EINVAL, "current: unit %zu is outside 1..%zu", ids[k] + 1, p->n);
    size_t add = n_ids * (isfinite(stop) ? 2 : 1);
    st = msi_grow(net, (void **)&net->sched, &net->cap_sched, net->n_sched + add, sizeof(ms_sched));
    if (st) return st;
    for (size_t k = 0; k < n_ids; k++) {
        net->sched[net->n_sched++] = (ms_sched){ start, amplitude, (uint32_t)pop, (uint32_t)ids[k], (uint32_t)port, net->sched_seq++ };
        if (isfinite(stop))
            net->sched[net->n_sched++] = (ms_sched){ stop, -amplitude, (uint32_t)pop, (uint32_t)ids[k], (uint32_t)port, net->sched_seq++ };
    }
    qsort(net->sched + net->sched_next, net->n_sched - net->sched_next, sizeof(ms_sched), sched_cmp);
    return MS_OK;
}

ms_status ms_net_reset_state(ms_net *net, int pop)
{
    ms_status st = check_pop(net, pop, "reset");
    if (st) return st;
    ms_pop *p = &net->pops[pop];
    const ms_model *m = p->model;
    if (!m->init || m->kind == MS_MODEL_SOURCE) return msi_net_fail(net, MS_EINVAL, "reset: '%s' has no state to reset", p->label);
    /* The drive of a device-synapse port carries read pulses in flight: the start of each
     * pulse added to it and its end, still to come, will take the same amount away. Reset
     * leaves it alone, or a pulse that straddles the reset would leave a negative drive
     * behind (a column that blocks every later read). */
    unsigned char keep[m->n_state ? m->n_state : 1];
    memset(keep, 0, sizeof keep);
    for (size_t k = 0; k < net->n_projs; k++) {
        const ms_proj *q = &net->projs[k];
        if (q->post == pop && q->device && m->port_state && m->port_state[q->port] >= 0)
            keep[m->port_state[q->port]] = 1;
    }
    double prow[m->n_params ? m->n_params : 1], y[m->n_state ? m->n_state : 1];
    for (size_t i = 0; i < p->n; i++) {
        for (size_t k = 0; k < m->n_params; k++) prow[k] = p->param[k * p->n + i];
        m->init(m, prow, y);
        for (size_t k = 0; k < m->n_state; k++) {
            if (keep[k]) continue;
            p->state[k * p->n + i] = y[k];
            if (p->ode && p->ode[i]) ms_ode_state(p->ode[i])[k] = y[k];
        }
        if (p->dirty) p->dirty[i] = 1;
    }
    return MS_OK;
}

/* core/limits.c: memory estimates checked before allocating (docs/reliability.md, "Run-time
 * checks and limits").
 *
 * A connect, a population and the recordings of a run are sized before any allocation and
 * compared with the memory available now (MemAvailable of /proc/meminfo) and with the
 * network's memory_limit, so a script that asks for too much fails at once with the
 * estimate, the limit and what to change, instead of swapping for minutes and being killed.
 * The estimates count the arrays memsnn allocates (the same sizes ms_net_get_memory
 * reports), not the allocator's overhead. */
#include "core/net_impl.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t ms_mem_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f) return SIZE_MAX;
    char line[256];
    size_t kb = SIZE_MAX;
    while (fgets(line, sizeof line, f)) {
        unsigned long long v;
        if (sscanf(line, "MemAvailable: %llu kB", &v) == 1) {
            kb = (size_t)v;
            break;
        }
    }
    fclose(f);
    return kb == SIZE_MAX ? SIZE_MAX : kb * 1024;
}

/* "1.5 GB", "800 kB": bytes for a message. */
static const char *human(double bytes, char *buf, size_t len)
{
    static const char *const units[] = { "bytes", "kB", "MB", "GB", "TB", "PB", "EB" };
    int u = 0;
    while (bytes >= 1000 && u < 6) bytes /= 1000, u++;
    snprintf(buf, len, u ? "%.3g %s" : "%.0f %s", bytes, units[u]);
    return buf;
}

static size_t net_bytes(const ms_net *net)
{
    ms_net_memory m;
    ms_net_get_memory(net, &m);
    return m.synapses + m.units + m.solvers + m.inputs + m.recorders;
}

ms_status msi_limit_check(ms_net *net, double need, const char *fname, const char *what, const char *advice)
{
    size_t avail = ms_mem_available();
    double held = (double)net_bytes(net), user = (double)net->opt.memory_limit;
    int over_user = user > 0 && held + need > user;
    int over_avail = avail != SIZE_MAX && need > (double)avail;
    if (!over_user && !over_avail) return MS_OK;
    char b_need[32], b_lim[32], b_held[32];
    human(need, b_need, sizeof b_need);
    if (over_user)
        return msi_net_fail(net, MS_ENOMEM, "%s: %s would need about %s, but the network's memory limit is %s "
                            "(memory_limit or --memory-limit) and it holds %s already: %s",
                            fname, what, b_need, human(user, b_lim, sizeof b_lim), human(held, b_held, sizeof b_held), advice);
    return msi_net_fail(net, MS_ENOMEM, "%s: %s would need about %s, but only %s of memory is available: %s",
                        fname, what, b_need, human((double)avail, b_lim, sizeof b_lim), advice);
}

/* Bytes a connect allocates per synapse at its peak: the generated pairs (pre, post and
 * value index), weights and delays as read, then the CSR arrays (target, weight, delay). */
#define CONNECT_BYTES_PER_SYNAPSE (3 * sizeof(size_t) + 2 * sizeof(double) + sizeof(uint32_t) + 2 * sizeof(double))

double msi_connect_estimate(const ms_rule *r, size_t n_pre, size_t n_post)
{
    switch (r->kind) {
    case MS_RULE_ALL_TO_ALL: return (double)n_pre * (double)n_post;
    case MS_RULE_ONE_TO_ONE: return (double)n_pre;
    case MS_RULE_FIXED_PROBABILITY: {
        /* the mean plus six standard deviations of the binomial count */
        double n = (double)n_pre * (double)n_post, p = r->p;
        return n * p + 6.0 * sqrt(n * p * (1.0 - p)) + 1.0;
    }
    case MS_RULE_FIXED_INDEGREE: return (double)r->k * (double)n_post;
    case MS_RULE_FROM_LIST: return (double)r->n_list;
    }
    return 0;
}

ms_status msi_limit_connect(ms_net *net, double n_syn, size_t n_pre, size_t n_post)
{
    double need = n_syn * (double)CONNECT_BYTES_PER_SYNAPSE + (double)(n_pre + 1) * sizeof(size_t);
    char what[160];
    snprintf(what, sizeof what, "%.4g synapses (%zu x %zu units, %zu bytes each while they are built)", n_syn, n_pre,
             n_post, CONNECT_BYTES_PER_SYNAPSE);
    return msi_limit_check(net, need, "connect", what,
                           "use a sparser rule (fixed_probability, fixed_indegree) or fewer units, or raise memory_limit");
}

double msi_population_estimate(const ms_model *m, size_t n, ms_method method)
{
    double per = (double)(2 * m->n_params + m->n_state) * sizeof(double); /* state, params, row copy */
    per += (double)m->n_derived * sizeof(double);
    if (method == MS_METHOD_CVODE && m->kind == MS_MODEL_NEURON)
        per += (double)(25 * m->n_state + m->n_state * m->n_state + 200) * sizeof(double); /* as ms_net_get_memory */
    return per * (double)n;
}

ms_status msi_limit_population(ms_net *net, const ms_model *m, size_t n, ms_method method)
{
    double need = msi_population_estimate(m, n, method);
    char what[160];
    snprintf(what, sizeof what, "%zu units of %s (method %s)", n, m->name, ms_method_name(method));
    return msi_limit_check(net, need, "population", what, "use fewer units, or raise memory_limit");
}

/* The capacity a recorder grows to when it must hold k samples (record.c doubles from 256). */
static size_t grown_cap(size_t cap, size_t k)
{
    if (k <= cap) return cap;
    size_t c = cap ? cap : 256;
    while (c < k) c *= 2;
    return c;
}

ms_status msi_limit_recordings(ms_net *net, double t_end)
{
    double need = 0, worst = 0;
    const ms_trace_rec *big = NULL;
    double big_samples = 0;
    for (size_t r = 0; r < net->n_traces; r++) {
        const ms_trace_rec *tr = &net->traces[r];
        /* samples k with t0 + k every < t_end */
        double k = ceil((t_end - tr->t0) / tr->every);
        /* a streamed recorder (record_stream.c) holds one window of samples at most */
        if (tr->sink.write) k = fmin(k, (double)tr->n_samples + ceil(net->window / tr->every) + 1);
        if (!(k > (double)tr->n_samples)) continue;
        double bytes;
        if (k > 1e18) {
            bytes = k * (double)(tr->n_ids + 1) * sizeof(double);
        } else {
            size_t cap = grown_cap(tr->cap, (size_t)k);
            bytes = (double)(cap - tr->cap) * (double)(tr->n_ids + 1) * sizeof(double);
        }
        need += bytes;
        if (bytes > worst) worst = bytes, big = tr, big_samples = k - (double)tr->n_samples;
    }
    for (size_t i = 0; i < net->n_pops; i++) {
        const ms_pop *p = &net->pops[i];
        if (!p->rec_energy || !(net->window > 0)) continue;
        need += ceil((t_end - net->t) / net->window) * (MS_E_N_CLASSES + 1) * sizeof(double);
    }
    if (!big) return MS_OK;
    char what[256];
    snprintf(what, sizeof what, "the recordings of this run to t = %g s (largest: '%s' of '%s', %zu units x %.4g "
             "samples every %g s)", t_end, big->var_name, net->pops[big->pop].label, big->n_ids, big_samples, big->every);
    return msi_limit_check(net, need, "run", what, "record fewer units or a longer `every`, or run for a shorter time");
}

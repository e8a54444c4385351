/* core/connect.c: projections: connection rules, per-synapse weights and delays, and the
 * CSR fan-out arrays the engine walks when a spike is routed (core/ms_net.h). */
#include "core/net_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ms_rng.h"

/* The (pre, post) pairs a rule generates, in creation order, with the index each pair has
 * in a MATRIX or LIST value table. */
typedef struct pairs {
    size_t *pre, *post, *vidx;
    size_t n, cap;
    double total;      /* work units of the whole connect, for the build progress       */
} pairs;

/* Long connects are polled this often (synapses): a Ctrl-C stops them within a fraction of
 * a second, and the poll costs nothing measurable. */
#define POLL_MASK ((size_t)(1u << 18) - 1)

static ms_status poll_build(ms_net *net, double done, double total)
{
    if (net->build_progress && net->build_progress(net->build_progress_ud, done, total))
        return msi_net_fail(net, MS_EINTR, "connect: interrupted after %.0f of about %.0f steps; nothing was built",
                            done, total);
    return MS_OK;
}

static ms_status pairs_reserve(ms_net *net, pairs *pp, size_t cap)
{
    if (cap <= pp->cap) return MS_OK;
    size_t *a = realloc(pp->pre, cap * sizeof *a);
    if (a) pp->pre = a;
    size_t *b = a ? realloc(pp->post, cap * sizeof *b) : NULL;
    if (b) pp->post = b;
    size_t *c = b ? realloc(pp->vidx, cap * sizeof *c) : NULL;
    if (c) pp->vidx = c;
    if (!c) return msi_net_fail(net, MS_ENOMEM, "connect: out of memory for %zu synapses", cap);
    pp->cap = cap;
    return MS_OK;
}

static ms_status pairs_push(ms_net *net, pairs *pp, size_t i, size_t j, size_t vidx)
{
    if ((pp->n & POLL_MASK) == POLL_MASK) {
        ms_status st = poll_build(net, (double)pp->n, pp->total);
        if (st) return st;
    }
    if (pp->n == pp->cap) {
        ms_status st = pairs_reserve(net, pp, pp->cap ? 2 * pp->cap : 1024);
        if (st) return st;
    }
    pp->pre[pp->n] = i;
    pp->post[pp->n] = j;
    pp->vidx[pp->n] = vidx;
    pp->n++;
    return MS_OK;
}

static void pairs_free(pairs *pp)
{
    free(pp->pre);
    free(pp->post);
    free(pp->vidx);
}

static ms_status generate_pairs(ms_net *net, const ms_connect_spec *s, int proj_id, size_t n_pre,
                                size_t n_post, pairs *pp)
{
    const ms_rule *r = &s->rule;
    int same = s->pre == s->post;
    ms_status st = MS_OK;
    switch (r->kind) {
    case MS_RULE_ALL_TO_ALL:
        for (size_t i = 0; i < n_pre && !st; i++)
            for (size_t j = 0; j < n_post && !st; j++)
                if (!same || r->autapses || i != j) st = pairs_push(net, pp, i, j, i * n_post + j);
        return st;
    case MS_RULE_ONE_TO_ONE:
        if (n_pre != n_post)
            return msi_net_fail(net, MS_EINVAL, "connect: one_to_one needs equal sizes, got %zu pre and %zu post", n_pre, n_post);
        for (size_t i = 0; i < n_pre && !st; i++)
            if (!same || r->autapses) st = pairs_push(net, pp, i, i, i * n_post + i);
        return st;
    case MS_RULE_FIXED_PROBABILITY: {
        if (!(r->p >= 0 && r->p <= 1))
            return msi_net_fail(net, MS_EINVAL, "connect: fixed_probability p = %g must be in [0, 1]", r->p);
        if (r->p == 0) return MS_OK;
        /* Geometric skipping: the gap to the next connected j is geometric with parameter
         * p, so the cost is O(synapses), not O(n_pre * n_post). One stream per (projection,
         * presynaptic unit): the result does not depend on any other projection. */
        double log_q = log1p(-r->p);
        for (size_t i = 0; i < n_pre && !st; i++) {
            ms_rng rng;
            ms_rng_init(&rng, net->opt.seed, ((uint64_t)proj_id << 32) | i, MS_RNG_CONNECT);
            double j = -1;
            for (;;) {
                j += r->p >= 1 ? 1.0 : 1.0 + floor(log(ms_rng_uniform(&rng)) / log_q);
                if (j >= (double)n_post) break;
                size_t jj = (size_t)j;
                if (!same || r->autapses || i != jj) st = pairs_push(net, pp, i, jj, i * n_post + jj);
                if (st) break;
            }
        }
        return st;
    }
    case MS_RULE_FIXED_INDEGREE: {
        /* k distinct presynaptic units per postsynaptic unit (no multapses), drawn from
         * the stream of (projection, postsynaptic unit) by Floyd's algorithm: exactly k
         * draws, no rejection loops however close k is to n_pre. */
        size_t avail = n_pre - (same && !r->autapses ? 1 : 0);
        if (r->k > avail)
            return msi_net_fail(net, MS_EINVAL, "connect: fixed_indegree k = %zu is more than the %zu presynaptic units available",
                                r->k, avail);
        size_t *chosen = malloc((r->k ? r->k : 1) * sizeof *chosen);
        if (!chosen) return msi_net_fail(net, MS_ENOMEM, "connect: out of memory");
        for (size_t j = 0; j < n_post && !st; j++) {
            ms_rng rng;
            ms_rng_init(&rng, net->opt.seed, ((uint64_t)proj_id << 32) | j, MS_RNG_CONNECT);
            size_t m = 0;
            /* Floyd: for t in avail-k .. avail-1, pick x in [0, t]; take t if x was taken. */
            for (size_t t = avail - r->k; t < avail; t++) {
                size_t x = (size_t)(ms_rng_uniform(&rng) * (double)(t + 1));
                if (x > t) x = t;
                for (size_t q = 0; q < m; q++)
                    if (chosen[q] == x) {
                        x = t;
                        break;
                    }
                chosen[m++] = x;
            }
            for (size_t q = 0; q < m && !st; q++) {
                size_t i = chosen[q];
                /* Skip j itself when autapses are off: indices at or above j shift by one. */
                if (same && !r->autapses && i >= j) i++;
                st = pairs_push(net, pp, i, j, i * n_post + j);
            }
        }
        free(chosen);
        return st;
    }
    case MS_RULE_FROM_LIST:
        for (size_t k = 0; k < r->n_list && !st; k++) {
            if (r->pre[k] >= n_pre)
                return msi_net_fail(net, MS_EINVAL, "connect: from_list pre[%zu] = %zu is outside 1..%zu", k + 1, r->pre[k] + 1, n_pre);
            if (r->post[k] >= n_post)
                return msi_net_fail(net, MS_EINVAL, "connect: from_list post[%zu] = %zu is outside 1..%zu", k + 1, r->post[k] + 1, n_post);
            st = pairs_push(net, pp, r->pre[k], r->post[k], k);
        }
        return st;
    }
    return msi_net_fail(net, MS_EINVAL, "connect: unknown rule %d", (int)r->kind);
}

/* Checks that a MATRIX or LIST table has the size its rule implies. */
static ms_status check_table(ms_net *net, const ms_value *v, const char *what, const ms_rule *r,
                             size_t n_pre, size_t n_post)
{
    if (v->kind == MS_VALUE_MATRIX && v->len != n_pre * n_post)
        return msi_net_fail(net, MS_EINVAL, "connect: %s table has %zu entries, expected %zu (%zu pre x %zu post)",
                            what, v->len, n_pre * n_post, n_pre, n_post);
    if (v->kind == MS_VALUE_LIST) {
        if (r->kind != MS_RULE_FROM_LIST)
            return msi_net_fail(net, MS_EINVAL, "connect: a %s list needs the from_list rule", what);
        if (v->len != r->n_list)
            return msi_net_fail(net, MS_EINVAL, "connect: %s table has %zu entries, expected %zu (one per listed pair)",
                                what, v->len, r->n_list);
    }
    if ((v->kind == MS_VALUE_MATRIX || v->kind == MS_VALUE_LIST) && !v->array)
        return msi_net_fail(net, MS_EINVAL, "connect: %s table is missing", what);
    if (v->kind == MS_VALUE_FUNCTION && !v->fn)
        return msi_net_fail(net, MS_EINVAL, "connect: %s function is missing", what);
    return MS_OK;
}

static ms_status value_at(ms_net *net, const ms_value *v, const char *what, size_t i, size_t j,
                          size_t vidx, double *out)
{
    switch (v->kind) {
    case MS_VALUE_CONSTANT: *out = v->constant; break;
    case MS_VALUE_MATRIX:
    case MS_VALUE_LIST: *out = v->array[vidx]; break;
    case MS_VALUE_FUNCTION:
        if (v->fn(v->ud, i, j, out) != 0)
            return msi_net_fail(net, MS_EINVAL, "connect: the %s function failed for pre %zu, post %zu", what, i + 1, j + 1);
        break;
    }
    if (!isfinite(*out))
        return msi_net_fail(net, MS_EINVAL, "connect: %s of the synapse %zu -> %zu is not a finite number", what, i + 1, j + 1);
    return MS_OK;
}

/* A negative amount on a port that takes amounts >= 0 only (a conductance). */
static ms_status port_sign_fail(ms_net *net, const ms_model *m, int port, double w, size_t i, size_t j)
{
    const char *unit = m->port_state && m->port_state[port] >= 0 ? m->state[m->port_state[port]].unit : "";
    char syn[64] = "";
    if (i != SIZE_MAX) snprintf(syn, sizeof syn, " of the synapse %zu -> %zu", i + 1, j + 1);
    return msi_net_fail(net, MS_EINVAL, "connect: weight = %g %s%s is negative, but port '%s' of %s adds a conductance "
                        "and takes weights >= 0 (inhibition goes through its own port, e.g. port = \"inh\")",
                        w, unit, syn, m->ports[port], m->name);
}

ms_status ms_net_connect(ms_net *net, const ms_connect_spec *s, int *proj_out)
{
    if (net->frozen)
        return msi_net_fail(net, MS_ESTATE, "connect: the network has run; connections can only be made before the first run");
    if (s->pre < 0 || (size_t)s->pre >= net->n_pops || s->post < 0 || (size_t)s->post >= net->n_pops)
        return msi_net_fail(net, MS_EINVAL, "connect: unknown population");
    if (s->synapse && strcmp(s->synapse, "static") != 0)
        return msi_net_fail(net, MS_EINVAL, "connect: unknown synapse '%s' (core has 'static'; device synapses are set with ms_net_proj_set_devices)", s->synapse);
    ms_pop *pre = &net->pops[s->pre], *post = &net->pops[s->post];
    if (pre->model->no_spikes)
        return msi_net_fail(net, MS_EINVAL, "connect: '%s' (%s) has no spike root, so it cannot drive a projection: name a spike device in its circuit",
                            pre->label, pre->model->name);
    if (post->model->kind == MS_MODEL_SOURCE)
        return msi_net_fail(net, MS_EINVAL, "connect: '%s' is a source (%s) and takes no input", post->label, post->model->name);
    const char *port_name = s->port ? s->port : (post->model->n_ports ? post->model->ports[0] : "");
    int port = ms_model_port_index(post->model, port_name);
    if (port < 0) {
        char list[128] = "";
        for (size_t k = 0; k < post->model->n_ports; k++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "", post->model->ports[k]);
        return msi_net_fail(net, MS_EINVAL, "connect: model %s has no port '%s' (ports: %s)", post->model->name, port_name, list);
    }
    ms_status st;
    if ((st = check_table(net, &s->weight, "weight", &s->rule, pre->n, post->n))) return st;
    if ((st = check_table(net, &s->delay, "delay", &s->rule, pre->n, post->n))) return st;
    if (s->delay.kind == MS_VALUE_CONSTANT && !(s->delay.constant > 0 && isfinite(s->delay.constant)))
        return msi_net_fail(net, MS_EINVAL, "connect: delay = %g s must be a finite time > 0", s->delay.constant);
    if (s->weight.kind == MS_VALUE_CONSTANT && s->weight.constant < 0 && ms_model_port_nonnegative(post->model, port))
        return port_sign_fail(net, post->model, port, s->weight.constant, SIZE_MAX, SIZE_MAX);
    /* Sized before anything is allocated: too many synapses fail here, at once. */
    double n_est = msi_connect_estimate(&s->rule, pre->n, post->n);
    if ((st = msi_limit_connect(net, n_est, pre->n, post->n))) return st;
    if ((st = msi_grow(net, (void **)&net->projs, &net->cap_projs, net->n_projs + 1, sizeof(ms_proj)))) return st;
    int id = (int)net->n_projs;

    pairs pp = { .total = 2 * n_est };
    double *w = NULL, *d = NULL;
    ms_proj q = { .pre = s->pre, .post = s->post, .port = port, .n_pre = pre->n };
    /* The pairs arrays at their final size from the start (the estimate is exact for every
     * rule but fixed_probability, where it is the mean plus six standard deviations). */
    if (n_est >= 1 && (st = pairs_reserve(net, &pp, (size_t)n_est))) goto out;
    if ((st = generate_pairs(net, s, id, pre->n, post->n, &pp))) goto out;
    size_t n = pp.n;
    if (n > ((size_t)1 << MS_KEY_PROJ_SHIFT)) {
        st = msi_net_fail(net, MS_EINVAL, "connect: %zu synapses is more than one projection holds", n);
        goto out;
    }
    w = malloc((n ? n : 1) * sizeof *w);
    d = malloc((n ? n : 1) * sizeof *d);
    q.off = calloc(pre->n + 1, sizeof *q.off);
    q.target = malloc((n ? n : 1) * sizeof *q.target);
    q.weight = malloc((n ? n : 1) * sizeof *q.weight);
    if (!w || !d || !q.off || !q.target || !q.weight) {
        st = msi_net_fail(net, MS_ENOMEM, "connect: out of memory for %zu synapses", n);
        goto out;
    }
    q.delay_min = INFINITY;
    q.delay_max = 0;
    const int nonneg = ms_model_port_nonnegative(post->model, port);
    for (size_t k = 0; k < n; k++) {
        if ((k & POLL_MASK) == POLL_MASK && (st = poll_build(net, n_est + (double)k, pp.total))) goto out;
        if ((st = value_at(net, &s->weight, "weight", pp.pre[k], pp.post[k], pp.vidx[k], &w[k]))) goto out;
        if (nonneg && w[k] < 0) {
            st = port_sign_fail(net, post->model, port, w[k], pp.pre[k], pp.post[k]);
            goto out;
        }
        if ((st = value_at(net, &s->delay, "delay", pp.pre[k], pp.post[k], pp.vidx[k], &d[k]))) goto out;
        if (!(d[k] > 0)) {
            st = msi_net_fail(net, MS_EINVAL, "connect: delay = %g s of the synapse %zu -> %zu must be > 0",
                              d[k], pp.pre[k] + 1, pp.post[k] + 1);
            goto out;
        }
        q.delay_min = fmin(q.delay_min, d[k]);
        q.delay_max = fmax(q.delay_max, d[k]);
        q.off[pp.pre[k] + 1]++;
    }
    /* Counting sort by presynaptic unit; stable, so each unit keeps creation order. */
    for (size_t i = 0; i < pre->n; i++) q.off[i + 1] += q.off[i];
    size_t *fill = malloc((pre->n ? pre->n : 1) * sizeof *fill);
    int uniform_delay = n == 0 || q.delay_min == q.delay_max;
    if (!uniform_delay) q.delay = malloc(n * sizeof *q.delay);
    if (!fill || (!uniform_delay && !q.delay)) {
        free(fill);
        st = msi_net_fail(net, MS_ENOMEM, "connect: out of memory for %zu synapses", n);
        goto out;
    }
    memcpy(fill, q.off, pre->n * sizeof *fill);
    for (size_t k = 0; k < n; k++) {
        size_t at = fill[pp.pre[k]]++;
        q.target[at] = (uint32_t)pp.post[k];
        q.weight[at] = w[k];
        if (q.delay) q.delay[at] = d[k];
    }
    free(fill);
    q.delay0 = n ? q.delay_min : s->delay.constant;
    if (n == 0) q.delay_min = q.delay_max = q.delay0;
    q.n = n;

    int *outp = realloc(pre->out_proj, (pre->n_out + 1) * sizeof *outp);
    if (!outp) {
        st = msi_net_fail(net, MS_ENOMEM, "connect: out of memory");
        goto out;
    }
    pre->out_proj = outp;
    pre->out_proj[pre->n_out++] = id;
    net->projs[id] = q;
    net->n_projs++;
    *proj_out = id;
    q = (ms_proj){ 0 };
out:
    pairs_free(&pp);
    free(w);
    free(d);
    free(q.off);
    free(q.target);
    free(q.weight);
    free(q.delay);
    return st;
}

size_t ms_net_projection_count(const ms_net *net) { return net->n_projs; }
size_t ms_net_proj_size(const ms_net *net, int proj) { return net->projs[proj].n; }
int ms_net_proj_pre(const ms_net *net, int proj) { return net->projs[proj].pre; }
int ms_net_proj_post(const ms_net *net, int proj) { return net->projs[proj].post; }

ms_status ms_net_proj_synapses(ms_net *net, int proj, size_t *pre, size_t *post, double *weight,
                               double *delay)
{
    if (proj < 0 || (size_t)proj >= net->n_projs)
        return msi_net_fail(net, MS_EINVAL, "projection: no projection with id %d", proj);
    const ms_proj *q = &net->projs[proj];
    for (size_t i = 0; i < q->n_pre; i++)
        for (size_t k = q->off[i]; k < q->off[i + 1]; k++) {
            if (pre) pre[k] = i;
            if (post) post[k] = q->target[k];
            if (weight) weight[k] = q->weight[k];
            if (delay) delay[k] = q->delay ? q->delay[k] : q->delay0;
        }
    return MS_OK;
}

ms_status ms_net_disconnect_last(ms_net *net, int proj)
{
    if (net->frozen || proj < 0 || (size_t)proj + 1 != net->n_projs)
        return msi_net_fail(net, MS_ESTATE, "connect: only the newest projection can be undone, before the first run");
    ms_proj *q = &net->projs[proj];
    ms_pop *pre = &net->pops[q->pre];
    if (pre->n_out && pre->out_proj[pre->n_out - 1] == proj) pre->n_out--;
    free(q->off);
    free(q->target);
    free(q->weight);
    free(q->delay);
    msi_devices_free(q);
    memset(q, 0, sizeof *q);
    net->n_projs--;
    return MS_OK;
}

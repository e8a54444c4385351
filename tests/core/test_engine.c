/* The engine with a probe model registered by the test: arrival times through delays,
 * the order of simultaneous events, windows, continuation, and construction errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "core/ms_net.h"

/* ---- a probe: records when inputs arrive and in which order ----------------------------- */
enum { Y_LAST_T, Y_COUNT, Y_ORDER, Y_SUM, N_Y };
static const ms_state_spec probe_state[N_Y] = {
    { "last_t", "s", 1.0, -INFINITY, INFINITY, "time of the last input" },
    { "count", "1", 1.0, -INFINITY, INFINITY, "inputs received" },
    { "order", "1", 1.0, -INFINITY, INFINITY, "digits of the amounts in arrival order" },
    { "sum", "1", 1.0, -INFINITY, INFINITY, "sum of amounts" },
};
static const ms_param_spec probe_params[1] = { { "x", "1", 0.0, -1.0, 1.0, "unused" } };
static const char *const probe_ports[] = { "a", "b" };
static void probe_init(const ms_model *m, const double *p, double *y) { (void)m; (void)p; memset(y, 0, N_Y * sizeof *y); }
static void probe_input(const ms_model *m, double t, int port, double amount, double *y, const double *p)
{
    (void)m, (void)p;
    y[Y_LAST_T] = t;
    y[Y_COUNT] += 1;
    y[Y_ORDER] = y[Y_ORDER] * 10 + amount + (port == 1 ? 5 : 0);
    y[Y_SUM] += amount;
}
static int probe_propagate(double t, double dt, double *y, const double *p, const double *d, double *done,
                           int *which)
{
    (void)t, (void)y, (void)p, (void)d;
    *done = dt;
    *which = -1;
    return 0;
}
static const ms_model probe = {
    .version = MS_MODEL_VERSION, .name = "probe", .doc = "test probe", .kind = MS_MODEL_NEURON,
    .methods = MS_METHOD_BIT(MS_METHOD_EXACT), .preferred = MS_METHOD_EXACT,
    .n_state = N_Y, .state = probe_state, .n_params = 1, .params = probe_params,
    .n_ports = 2, .ports = probe_ports, .init = probe_init, .on_input = probe_input,
    .propagate = probe_propagate,
};

/* A spike_source stand-in, so this test needs nothing from neurons/. */
static const ms_state_spec src_state[1] = { { "cursor", "1", 1.0, 0.0, INFINITY, "next spike" } };
static void src_init(const ms_model *m, const double *p, double *y) { (void)m; (void)p; y[0] = 0; }
static int src_generate(double t0, double t1, double *y, const double *p, const ms_spike_list *l, size_t i,
                        ms_rng *rng, const ms_emitter *out, double *next)
{
    (void)p, (void)rng;
    *next = -INFINITY; /* "ask me every window": the engine must cope */
    size_t k = l->offsets[i] + (size_t)y[0];
    for (; k < l->offsets[i + 1] && l->times[k] < t1; k++)
        if (l->times[k] >= t0) out->emit(out->ud, l->times[k]);
    y[0] = (double)(k - l->offsets[i]);
    return 0;
}
static const ms_model src = {
    .version = MS_MODEL_VERSION, .name = "src", .doc = "test source", .kind = MS_MODEL_SOURCE,
    .methods = MS_METHOD_BIT(MS_METHOD_EXACT), .preferred = MS_METHOD_EXACT,
    .n_state = 1, .state = src_state, .init = src_init, .generate = src_generate,
};

static ms_registry *reg;
static ms_net *net;

static void setup(void)
{
    ms_error e;
    cr_assert_eq(ms_registry_create(&reg, &e), MS_OK);
    cr_assert_eq(ms_registry_add(reg, &probe, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(ms_registry_add(reg, &src, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(ms_net_create(reg, NULL, &net, &e), MS_OK);
}
static void teardown(void)
{
    ms_net_destroy(net);
    ms_registry_destroy(reg);
}

TestSuite(engine, .init = setup, .fini = teardown, .timeout = 30);

static int add(const char *model, size_t n)
{
    int pop;
    cr_assert_eq(ms_net_add_population(net, model, n, NULL, -1, &pop), MS_OK, "%s", ms_net_errmsg(net));
    return pop;
}

static void connect(int pre, int post, ms_rule rule, ms_value w, ms_value d, const char *port)
{
    ms_connect_spec s = { .pre = pre, .post = post, .rule = rule, .weight = w, .delay = d, .port = port };
    int proj;
    cr_assert_eq(ms_net_connect(net, &s, &proj), MS_OK, "%s", ms_net_errmsg(net));
}

static double state_of(int pop, const char *var, size_t unit)
{
    double v[16];
    cr_assert_eq(ms_net_get_state(net, pop, var, v), MS_OK);
    return v[unit];
}

Test(engine, spike_arrives_at_exactly_t_plus_delay)
{
    int s = add("src", 1), p = add("probe", 3);
    const double t_spk = 1.2345678e-3, delays[3] = { 0.25e-3, 1.7e-3, 3.14159e-3 };
    size_t off[2] = { 0, 1 };
    cr_assert_eq(ms_net_set_spike_times(net, s, off, &t_spk), MS_OK);
    size_t pre[3] = { 0, 0, 0 }, post[3] = { 0, 1, 2 };
    double w[3] = { 1, 1, 1 };
    connect(s, p, (ms_rule){ .kind = MS_RULE_FROM_LIST, .pre = pre, .post = post, .n_list = 3 },
            (ms_value){ .kind = MS_VALUE_LIST, .array = w, .len = 3 },
            (ms_value){ .kind = MS_VALUE_LIST, .array = delays, .len = 3 }, "a");
    cr_assert_eq(ms_net_run(net, 0.01), MS_OK, "%s", ms_net_errmsg(net));
    cr_assert_float_eq(ms_net_window(net), delays[0], 1e-18, "window = d_min");
    for (size_t j = 0; j < 3; j++) {
        cr_assert_eq(state_of(p, "count", j), 1.0);
        cr_assert(state_of(p, "last_t", j) == t_spk + delays[j], "unit %zu: arrival %.17g, expected exactly %.17g",
                  j, state_of(p, "last_t", j), t_spk + delays[j]);
    }
}

/* Equal arrival times at one unit: projections in creation order, then presynaptic unit,
 * then synapse; current steps after spikes (docs/numerics.md, "Order of simultaneous events"). */
Test(engine, simultaneous_events_are_applied_in_documented_order)
{
    int s = add("src", 3), p = add("probe", 1);
    const double times[3] = { 2e-3, 2e-3, 1.5e-3 };
    size_t off[4] = { 0, 1, 2, 3 };
    cr_assert_eq(ms_net_set_spike_times(net, s, off, times), MS_OK);
    /* projection 0: sources 2 then 1 (listed in that order), amounts 2 and 1, port a */
    size_t pre0[2] = { 1, 0 }, post0[2] = { 0, 0 };
    double w0[2] = { 2, 1 };
    connect(s, p, (ms_rule){ .kind = MS_RULE_FROM_LIST, .pre = pre0, .post = post0, .n_list = 2 },
            (ms_value){ .kind = MS_VALUE_LIST, .array = w0, .len = 2 },
            (ms_value){ .kind = MS_VALUE_CONSTANT, .constant = 1e-3 }, "a");
    /* projection 1: source 3 spikes 0.5 ms earlier with a 0.5 ms longer delay, amount 3, port b */
    size_t pre1[1] = { 2 }, post1[1] = { 0 };
    double w1[1] = { 3 };
    connect(s, p, (ms_rule){ .kind = MS_RULE_FROM_LIST, .pre = pre1, .post = post1, .n_list = 1 },
            (ms_value){ .kind = MS_VALUE_LIST, .array = w1, .len = 1 },
            (ms_value){ .kind = MS_VALUE_CONSTANT, .constant = 1.5e-3 }, "b");
    cr_assert_eq(ms_net_run(net, 0.01), MS_OK, "%s", ms_net_errmsg(net));
    cr_assert_eq(state_of(p, "count", 0), 3.0);
    cr_assert_eq(state_of(p, "last_t", 0), 3e-3);
    /* projection 0 first, pre unit 1 (amount 1) before pre unit 2 (amount 2), then
     * projection 1 (amount 3 on port b, recorded as 8) */
    cr_assert_eq(state_of(p, "order", 0), 128.0, "order %g", state_of(p, "order", 0));
}

Test(engine, runs_continue_in_time_and_split_windows_keep_pending_events)
{
    int s = add("src", 1), p = add("probe", 1);
    const double times[3] = { 0.5e-3, 1.05e-3, 4.0e-3 };
    size_t off[2] = { 0, 3 };
    cr_assert_eq(ms_net_set_spike_times(net, s, off, times), MS_OK);
    connect(s, p, (ms_rule){ .kind = MS_RULE_ALL_TO_ALL }, (ms_value){ .constant = 1 },
            (ms_value){ .constant = 2e-3 }, "a");
    /* stop in the middle of a window, between arrivals at 2.5 and 3.05 ms */
    cr_assert_eq(ms_net_run(net, 2.7e-3), MS_OK);
    cr_assert_float_eq(ms_net_time(net), 2.7e-3, 1e-18);
    cr_assert_eq(state_of(p, "count", 0), 1.0);
    cr_assert_eq(ms_net_run(net, 0.5e-3), MS_OK);
    cr_assert_eq(state_of(p, "count", 0), 2.0);
    cr_assert(state_of(p, "last_t", 0) == 1.05e-3 + 2e-3);
    cr_assert_eq(ms_net_run(net, 10e-3), MS_OK);
    cr_assert_eq(state_of(p, "count", 0), 3.0);
    cr_assert(state_of(p, "last_t", 0) == 4.0e-3 + 2e-3);
}

Test(engine, current_steps_arrive_at_start_and_stop)
{
    int p = add("probe", 2);
    /* the probe has no "current" port: that is an error, checked below */
    size_t id = 1;
    cr_assert_eq(ms_net_add_current(net, p, &id, 1, 1.0, 1e-3, 2e-3), MS_EINVAL);
    cr_assert(strstr(ms_net_errmsg(net), "no 'current' input"), "%s", ms_net_errmsg(net));
}

Test(engine, bad_construction_gets_clear_errors)
{
    int pop;
    cr_assert_eq(ms_net_add_population(net, "nonesuch", 3, NULL, -1, &pop), MS_EINVAL);
    cr_assert(strstr(ms_net_errmsg(net), "unknown model 'nonesuch'"), "%s", ms_net_errmsg(net));
    cr_assert_eq(ms_net_add_population(net, "probe", 0, NULL, -1, &pop), MS_EINVAL);
    cr_assert(strstr(ms_net_errmsg(net), "n must be >= 1"), "%s", ms_net_errmsg(net));
    cr_assert_eq(ms_net_add_population(net, "probe", 3, NULL, MS_METHOD_CVODE, &pop), MS_EINVAL);
    cr_assert(strstr(ms_net_errmsg(net), "does not support method 'cvode'"), "%s", ms_net_errmsg(net));

    int a = add("probe", 10), b = add("probe", 10);
    double one = 1.0, nan = NAN, big = 2.0;
    cr_assert_eq(ms_net_set_param(net, a, "y", &one, 1), MS_EINVAL);
    cr_assert(strstr(ms_net_errmsg(net), "no parameter 'y'"), "%s", ms_net_errmsg(net));
    cr_assert_eq(ms_net_set_param(net, a, "x", &nan, 1), MS_EINVAL);
    cr_assert(strstr(ms_net_errmsg(net), "must be a finite number"), "%s", ms_net_errmsg(net));
    cr_assert_eq(ms_net_set_param(net, a, "x", &big, 1), MS_EINVAL);
    cr_assert(strstr(ms_net_errmsg(net), "outside [-1, 1]"), "%s", ms_net_errmsg(net));

    double w[90] = { 0 };
    ms_connect_spec s = { .pre = a, .post = b, .rule = { .kind = MS_RULE_ALL_TO_ALL },
                          .weight = { .kind = MS_VALUE_MATRIX, .array = w, .len = 90 },
                          .delay = { .constant = 1e-3 }, .port = "a" };
    int proj;
    cr_assert_eq(ms_net_connect(net, &s, &proj), MS_EINVAL);
    cr_assert_str_eq(ms_net_errmsg(net), "connect: weight table has 90 entries, expected 100 (10 pre x 10 post)");
    s.weight = (ms_value){ .constant = 1 };
    s.delay.constant = 0;
    cr_assert_eq(ms_net_connect(net, &s, &proj), MS_EINVAL);
    cr_assert(strstr(ms_net_errmsg(net), "delay = 0 s must be a finite time > 0"), "%s", ms_net_errmsg(net));
    s.delay.constant = -1e-3;
    cr_assert_eq(ms_net_connect(net, &s, &proj), MS_EINVAL);
    s.delay.constant = 1e-3;
    s.port = "c";
    cr_assert_eq(ms_net_connect(net, &s, &proj), MS_EINVAL);
    cr_assert(strstr(ms_net_errmsg(net), "no port 'c' (ports: a, b)"), "%s", ms_net_errmsg(net));
    cr_assert_eq(ms_net_run(net, -1), MS_EINVAL);
    cr_assert_eq(ms_net_run(net, NAN), MS_EINVAL);
    cr_assert_eq(ms_net_run(net, 1e-3), MS_OK);
    cr_assert_eq(ms_net_add_population(net, "probe", 3, NULL, -1, &pop), MS_ESTATE);
}

Test(engine, fixed_probability_draws_about_p_and_depends_only_on_seed)
{
    int a = add("probe", 200), b = add("probe", 300);
    ms_connect_spec s = { .pre = a, .post = b, .rule = { .kind = MS_RULE_FIXED_PROBABILITY, .p = 0.1 },
                          .weight = { .constant = 1 }, .delay = { .constant = 1e-3 }, .port = "a" };
    int p1, p2;
    cr_assert_eq(ms_net_connect(net, &s, &p1), MS_OK);
    size_t n = ms_net_proj_size(net, p1);
    double mean = 200 * 300 * 0.1, sd = sqrt(200 * 300 * 0.1 * 0.9);
    cr_assert(fabs((double)n - mean) < 4 * sd, "%zu synapses, expected %g +- %g", n, mean, 4 * sd);
    /* a second identical projection is a different draw (different stream) */
    cr_assert_eq(ms_net_connect(net, &s, &p2), MS_OK);
    size_t post1[7000], post2[7000];
    cr_assert_leq(n, 7000);
    ms_net_proj_synapses(net, p1, NULL, post1, NULL, NULL);
    ms_net_proj_synapses(net, p2, NULL, post2, NULL, NULL);
    cr_assert(ms_net_proj_size(net, p2) != n || memcmp(post1, post2, n * sizeof *post1) != 0);

    /* the same network built again with the same seed: the same synapses */
    ms_net *again;
    ms_error e;
    cr_assert_eq(ms_net_create(reg, NULL, &again, &e), MS_OK);
    int a2, b2, q;
    ms_net_add_population(again, "probe", 200, NULL, -1, &a2);
    ms_net_add_population(again, "probe", 300, NULL, -1, &b2);
    s.pre = a2;
    s.post = b2;
    cr_assert_eq(ms_net_connect(again, &s, &q), MS_OK);
    size_t post3[7000];
    cr_assert_eq(ms_net_proj_size(again, q), n);
    ms_net_proj_synapses(again, q, NULL, post3, NULL, NULL);
    cr_assert_arr_eq(post1, post3, n * sizeof *post1);
    ms_net_destroy(again);
}

Test(engine, fixed_indegree_gives_each_target_k_distinct_sources)
{
    int a = add("probe", 50);
    const size_t k = 7;
    ms_connect_spec s = { .pre = a, .post = a, .rule = { .kind = MS_RULE_FIXED_INDEGREE, .k = k, .autapses = 0 },
                          .weight = { .constant = 1 }, .delay = { .constant = 1e-3 }, .port = "a" };
    int q;
    cr_assert_eq(ms_net_connect(net, &s, &q), MS_OK, "%s", ms_net_errmsg(net));
    cr_assert_eq(ms_net_proj_size(net, q), 50 * k);
    size_t pre[350], post[350];
    ms_net_proj_synapses(net, q, pre, post, NULL, NULL);
    int seen[50][50] = { { 0 } };
    size_t indeg[50] = { 0 };
    for (size_t e = 0; e < 350; e++) {
        cr_assert_neq(pre[e], post[e], "autapse %zu -> %zu", pre[e], post[e]);
        cr_assert_eq(seen[post[e]][pre[e]]++, 0, "multapse %zu -> %zu", pre[e], post[e]);
        indeg[post[e]]++;
    }
    for (size_t j = 0; j < 50; j++) cr_assert_eq(indeg[j], k);
    s.rule.k = 50; /* 49 others only */
    cr_assert_eq(ms_net_connect(net, &s, &q), MS_EINVAL);
    cr_assert(strstr(ms_net_errmsg(net), "k = 50 is more than the 49 presynaptic units"), "%s", ms_net_errmsg(net));
}

/* Stimuli at absolute times: after thousands of runs the clock must sit exactly on them.
 * Each run ends exactly at the next arrival, so that arrival belongs to the next run and the
 * count after run k is k - 1 for every k (a clock that drifted by an ulp past an arrival
 * would count it one run early). */
Test(engine, run_until_ends_exactly_at_absolute_times)
{
    enum { N = 3000 };
    static double times[N];
    const double P = 1.7e-5, D = 0.3e-5;
    for (int k = 0; k < N; k++) times[k] = k * P;
    int s = add("src", 1), p = add("probe", 1);
    size_t off[2] = { 0, N };
    cr_assert_eq(ms_net_set_spike_times(net, s, off, times), MS_OK);
    connect(s, p, (ms_rule){ .kind = MS_RULE_ALL_TO_ALL }, (ms_value){ .constant = 1 },
            (ms_value){ .constant = D }, "a");
    for (int k = 0; k < N; k++) {
        const double arrival = times[k] + D;
        cr_assert_eq(ms_net_run_until(net, arrival), MS_OK, "%s", ms_net_errmsg(net));
        cr_assert(ms_net_time(net) == arrival, "run %d ended at %.17g, not %.17g", k, ms_net_time(net), arrival);
        cr_assert_eq(state_of(p, "count", 0), (double)k, "run %d: %g arrivals before %.17g s", k,
                     state_of(p, "count", 0), arrival);
    }
    cr_assert_eq(ms_net_run(net, P), MS_OK);
    cr_assert_eq(state_of(p, "count", 0), (double)N);
    cr_assert(state_of(p, "last_t", 0) == times[N - 1] + D);
}

Test(engine, run_until_refuses_times_not_ahead)
{
    add("probe", 1);
    cr_assert_eq(ms_net_run_until(net, 2e-3), MS_OK, "%s", ms_net_errmsg(net));
    cr_assert_eq(ms_net_run_until(net, 2e-3), MS_EINVAL);
    cr_assert_str_eq(ms_net_errmsg(net), "run_until: end time 0.002 s must be finite and after the network's time "
                                         "t = 0.002 s");
    cr_assert_eq(ms_net_run_until(net, 1e-3), MS_EINVAL);
    cr_assert_eq(ms_net_run_until(net, INFINITY), MS_EINVAL);
    cr_assert_eq(ms_net_run_until(net, NAN), MS_EINVAL);
    cr_assert(strstr(ms_net_errmsg(net), "run_until: end time is NaN"), "%s", ms_net_errmsg(net));
    cr_assert(ms_net_time(net) == 2e-3, "a refused run leaves the clock alone");
}

/* Sources and reproducibility: Poisson statistics, spike lists, and a network whose spikes
 * depend only on its seed. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ms_net.h"
#include "neurons/ms_neurons.h"

static ms_registry *reg;
static void setup(void)
{
    ms_error e;
    cr_assert_eq(ms_registry_create(&reg, &e), MS_OK);
    cr_assert_eq(ms_neurons_register(reg, &e), MS_OK);
}
static void teardown(void) { ms_registry_destroy(reg); }
TestSuite(sources, .init = setup, .fini = teardown, .timeout = 60);

static ms_net *make(uint64_t seed)
{
    ms_net_opts o;
    ms_net_opts_default(&o);
    o.seed = seed;
    ms_net *net;
    ms_error e;
    cr_assert_eq(ms_net_create(reg, &o, &net, &e), MS_OK);
    return net;
}

Test(sources, poisson_rate_within_4_sigma_and_isi_cv_near_1)
{
    ms_net *net = make(7);
    int pop;
    const size_t n = 100;
    const double rate = 40.0, T = 5.0;
    cr_assert_eq(ms_net_add_population(net, "poisson", n, "p", -1, &pop), MS_OK);
    cr_assert_eq(ms_net_set_param(net, pop, "rate", &rate, 1), MS_OK);
    cr_assert_eq(ms_net_record_spikes(net, pop), MS_OK);
    cr_assert_eq(ms_net_run(net, T), MS_OK, "%s", ms_net_errmsg(net));
    const size_t *ids;
    const double *t;
    size_t ns;
    cr_assert_eq(ms_net_spikes(net, pop, &ids, &t, &ns), MS_OK);
    double expected = rate * T * (double)n, sigma = sqrt(expected);
    cr_assert(fabs((double)ns - expected) < 4 * sigma, "%zu spikes, expected %g +- %g", ns, expected, 4 * sigma);
    for (size_t k = 1; k < ns; k++) cr_assert_geq(t[k], t[k - 1], "spikes sorted by time");
    /* ISI coefficient of variation, pooled over sources: 1 for a Poisson process. */
    double *last = calloc(n, sizeof *last);
    double s1 = 0, s2 = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) last[i] = -1;
    for (size_t k = 0; k < ns; k++) {
        if (last[ids[k]] >= 0) {
            double isi = t[k] - last[ids[k]];
            s1 += isi;
            s2 += isi * isi;
            m++;
        }
        last[ids[k]] = t[k];
    }
    free(last);
    double mean = s1 / (double)m, sd = sqrt(s2 / (double)m - mean * mean);
    cr_assert_float_eq(mean, 1.0 / rate, 0.03 / rate);
    cr_assert(fabs(sd / mean - 1.0) < 0.03, "ISI CV = %g", sd / mean);
    ms_net_destroy(net);
}

Test(sources, poisson_respects_start_and_stop_across_runs)
{
    ms_net *net = make(3);
    int pop;
    double rate = 500.0, start = 0.1, stop = 0.3;
    cr_assert_eq(ms_net_add_population(net, "poisson", 10, "p", -1, &pop), MS_OK);
    ms_net_set_param(net, pop, "rate", &rate, 1);
    ms_net_set_param(net, pop, "start", &start, 1);
    ms_net_set_param(net, pop, "stop", &stop, 1);
    ms_net_record_spikes(net, pop);
    for (int k = 0; k < 4; k++) cr_assert_eq(ms_net_run(net, 0.1), MS_OK);
    const size_t *ids;
    const double *t;
    size_t ns;
    ms_net_spikes(net, pop, &ids, &t, &ns);
    cr_assert_gt(ns, 500);
    cr_assert_geq(t[0], start);
    cr_assert_lt(t[ns - 1], stop);
    ms_net_destroy(net);
}

/* A small recurrent LIF network driven by Poisson input. */
static size_t run_network_threads(uint64_t seed, ms_method method, int threads, double *times, size_t *ids_out,
                                  size_t max)
{
    ms_net_opts o;
    ms_net_opts_default(&o);
    o.seed = seed;
    o.method = method;
    o.threads = threads;
    ms_net *net;
    ms_error e;
    cr_assert_eq(ms_net_create(reg, &o, &net, &e), MS_OK);
    int in, exc;
    double rate = 50.0;
    cr_assert_eq(ms_net_add_population(net, "poisson", 80, "in", -1, &in), MS_OK);
    ms_net_set_param(net, in, "rate", &rate, 1);
    cr_assert_eq(ms_net_add_population(net, "lif_cond_exp", 40, "exc", -1, &exc), MS_OK);
    cr_assert_eq(ms_net_finish_population(net, exc), MS_OK);
    ms_connect_spec s = { .pre = in, .post = exc, .rule = { .kind = MS_RULE_FIXED_PROBABILITY, .p = 0.3 },
                          .weight = { .constant = 3e-9 }, .delay = { .constant = 1e-3 }, .port = "exc" };
    int q;
    cr_assert_eq(ms_net_connect(net, &s, &q), MS_OK, "%s", ms_net_errmsg(net));
    s = (ms_connect_spec){ .pre = exc, .post = exc, .rule = { .kind = MS_RULE_FIXED_PROBABILITY, .p = 0.1 },
                           .weight = { .constant = 2e-9 }, .delay = { .constant = 1.5e-3 }, .port = "inh" };
    cr_assert_eq(ms_net_connect(net, &s, &q), MS_OK);
    ms_net_record_spikes(net, exc);
    cr_assert_eq(ms_net_run(net, 0.3), MS_OK, "%s", ms_net_errmsg(net));
    const size_t *ids;
    const double *t;
    size_t ns;
    ms_net_spikes(net, exc, &ids, &t, &ns);
    cr_assert_leq(ns, max);
    memcpy(times, t, ns * sizeof *t);
    memcpy(ids_out, ids, ns * sizeof *ids);
    ms_net_destroy(net);
    return ns;
}

static size_t run_network(uint64_t seed, ms_method method, double *times, size_t *ids_out, size_t max)
{
    return run_network_threads(seed, method, 1, times, ids_out, max);
}

/* Units are split between threads (fixed ranges for CVODE units, handed out as threads
 * become free for the others) and spikes sorted before routing: the
 * spikes must be bitwise the same for one and two threads, with every method. */
Test(sources, one_and_two_threads_give_bitwise_identical_spikes)
{
    static double t1[20000], t2[20000];
    static size_t i1[20000], i2[20000];
    for (ms_method m = MS_METHOD_EXACT; m <= MS_METHOD_FIXED; m++) {
        size_t n1 = run_network_threads(5, m, 1, t1, i1, 20000);
        size_t n2 = run_network_threads(5, m, 2, t2, i2, 20000);
        cr_assert_gt(n1, 50, "%s: the network should fire", ms_method_name(m));
        cr_assert_eq(n1, n2, "%s: %zu spikes with 1 thread, %zu with 2", ms_method_name(m), n1, n2);
        cr_assert_arr_eq(t1, t2, n1 * sizeof *t1, "%s: spike times differ between 1 and 2 threads", ms_method_name(m));
        cr_assert_arr_eq(i1, i2, n1 * sizeof *i1);
    }
}

Test(sources, same_seed_same_spikes_other_seed_other_spikes)
{
    static double t1[20000], t2[20000], t3[20000];
    static size_t i1[20000], i2[20000], i3[20000];
    for (ms_method m = MS_METHOD_CVODE; m <= MS_METHOD_FIXED; m++) {
        size_t n1 = run_network(11, m, t1, i1, 20000);
        size_t n2 = run_network(11, m, t2, i2, 20000);
        size_t n3 = run_network(12, m, t3, i3, 20000);
        cr_assert_gt(n1, 50, "%s: the network should fire (%zu spikes)", ms_method_name(m), n1);
        cr_assert_eq(n1, n2);
        cr_assert_arr_eq(t1, t2, n1 * sizeof *t1, "%s: same seed, same spike times", ms_method_name(m));
        cr_assert_arr_eq(i1, i2, n1 * sizeof *i1);
        cr_assert(n1 != n3 || memcmp(t1, t3, n1 * sizeof *t1) != 0, "another seed gives other spikes");
    }
}

Test(sources, spike_source_rejects_unsorted_or_negative_times)
{
    ms_net *net = make(1);
    int pop;
    cr_assert_eq(ms_net_add_population(net, "spike_source", 2, "s", -1, &pop), MS_OK);
    size_t off[3] = { 0, 2, 3 };
    double bad[3] = { 2e-3, 1e-3, 0 };
    cr_assert_eq(ms_net_set_spike_times(net, pop, off, bad), MS_EINVAL);
    cr_assert(strstr(ms_net_errmsg(net), "not in increasing order"), "%s", ms_net_errmsg(net));
    double neg[3] = { 1e-3, 2e-3, -1 };
    cr_assert_eq(ms_net_set_spike_times(net, pop, off, neg), MS_EINVAL);
    ms_net_destroy(net);
}

Test(sources, spike_list_survives_a_run_split_into_pieces)
{
    /* Spikes at k P, run in pieces of P: the pieces' sum drifts from k P by rounding (6 x 34
     * us ends 2e-20 s past 204 us), and no spike may be lost at a piece's edge. */
    ms_net *net = make(1);
    int pop;
    cr_assert_eq(ms_net_add_population(net, "spike_source", 1, "s", -1, &pop), MS_OK);
    const double P = 34e-6;
    double t[12];
    size_t off[2] = { 0, 12 };
    for (int k = 0; k < 12; k++) t[k] = k * P;
    cr_assert_eq(ms_net_set_spike_times(net, pop, off, t), MS_OK);
    cr_assert_eq(ms_net_record_spikes(net, pop), MS_OK);
    /* a target 1 us away makes the windows 1 us long, as in a device network */
    int tgt, prj;
    cr_assert_eq(ms_net_add_population(net, "lif_curr_exp", 1, "t", -1, &tgt), MS_OK);
    cr_assert_eq(ms_net_finish_population(net, tgt), MS_OK);
    ms_connect_spec c = { .pre = pop, .post = tgt, .rule = { .kind = MS_RULE_ALL_TO_ALL },
                          .weight = { .kind = MS_VALUE_CONSTANT, .constant = 1e-12 },
                          .delay = { .kind = MS_VALUE_CONSTANT, .constant = 1e-6 }, .port = "exc" };
    cr_assert_eq(ms_net_connect(net, &c, &prj), MS_OK, "%s", ms_net_errmsg(net));
    for (int k = 0; k < 12; k++) cr_assert_eq(ms_net_run(net, P), MS_OK, "%s", ms_net_errmsg(net));
    const size_t *ids;
    const double *times;
    size_t n;
    cr_assert_eq(ms_net_spikes(net, pop, &ids, &times, &n), MS_OK);
    cr_assert_eq(n, 12, "%zu of 12 spikes emitted", n);
    for (size_t k = 0; k < n; k++) cr_assert_eq(times[k], t[k], "spike %zu at %.17g s", k, times[k]);
    ms_net_destroy(net);
}

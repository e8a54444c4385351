/* LIF neurons against closed forms and against an independent fine-step integration. */
#include <criterion/criterion.h>
#include <math.h>

#include "core/ms_net.h"
#include "core/ms_ode.h"
#include "neurons/ms_neurons.h"

static ms_registry *reg;

static void setup(void)
{
    ms_error e;
    cr_assert_eq(ms_registry_create(&reg, &e), MS_OK);
    cr_assert_eq(ms_neurons_register(reg, &e), MS_OK, "%s", e.msg);
}
static void teardown(void) { ms_registry_destroy(reg); }

TestSuite(lif, .init = setup, .fini = teardown, .timeout = 60);

/* Brette 2007 defaults (the models' defaults). */
static const double C = 200e-12, gL = 10e-9, EL = -60e-3, Vth = -50e-3, Vreset = -60e-3, tref = 5e-3;

static ms_net *one_neuron(const char *model, ms_method method, double rtol, int *pop)
{
    ms_net_opts o;
    ms_net_opts_default(&o);
    o.method = method;
    o.rtol = rtol;
    o.atol = rtol;
    ms_net *net;
    ms_error e;
    cr_assert_eq(ms_net_create(reg, &o, &net, &e), MS_OK, "%s", e.msg);
    cr_assert_eq(ms_net_add_population(net, model, 1, "n", (int)method, pop), MS_OK, "%s", ms_net_errmsg(net));
    cr_assert_eq(ms_net_finish_population(net, *pop), MS_OK, "%s", ms_net_errmsg(net));
    cr_assert_eq(ms_net_record_spikes(net, *pop), MS_OK);
    return net;
}

/* t_k = T + (k - 1) (t_ref + T), T = tau_m ln((R I + E_L - V_reset) / (R I + E_L - V_th)). */
static void check_constant_current(const char *model, ms_method method, double rtol, double tol_rel,
                                   double tol_abs)
{
    int pop;
    ms_net *net = one_neuron(model, method, rtol, &pop);
    const double I = 0.5e-9, R = 1.0 / gL, tau_m = C / gL;
    size_t id = 0;
    cr_assert_eq(ms_net_add_current(net, pop, &id, 1, I, 0.0, INFINITY), MS_OK, "%s", ms_net_errmsg(net));
    cr_assert_eq(ms_net_run(net, 0.2), MS_OK, "%s", ms_net_errmsg(net));
    const size_t *ids;
    const double *t;
    size_t n;
    cr_assert_eq(ms_net_spikes(net, pop, &ids, &t, &n), MS_OK);
    double T = tau_m * log((R * I + EL - Vreset) / (R * I + EL - Vth));
    size_t expected = (size_t)floor((0.2 - T) / (tref + T)) + 1;
    cr_assert_eq(n, expected, "%s/%s: %zu spikes, expected %zu", model, ms_method_name(method), n, expected);
    for (size_t k = 0; k < n; k++) {
        double tk = T + (double)k * (tref + T);
        double tol = fmax(tol_rel * tk, tol_abs);
        cr_assert(fabs(t[k] - tk) <= tol, "%s/%s: spike %zu at %.15g s, expected %.15g s (error %.3g, allowed %.3g)",
                  model, ms_method_name(method), k + 1, t[k], tk, t[k] - tk, tol);
    }
    ms_net_destroy(net);
}

Test(lif, constant_current_exact_matches_closed_form_to_1e9)
{
    check_constant_current("lif_curr_exp", MS_METHOD_EXACT, 1e-6, 1e-9, 0);
}

Test(lif, cond_exact_matches_closed_form_to_1e9)
{
    check_constant_current("lif_cond_exp", MS_METHOD_EXACT, 1e-6, 1e-9, 0);
}

Test(lif, constant_current_cvode_matches_closed_form_to_1e6)
{
    check_constant_current("lif_curr_exp", MS_METHOD_CVODE, MS_ODE_RTOL_DEFAULT, 1e-6, 0);
    check_constant_current("lif_cond_exp", MS_METHOD_CVODE, MS_ODE_RTOL_DEFAULT, 1e-6, 0);
}

/* Fixed steps put spikes on the grid at or after the true crossing: each spike within one
 * step of the closed form, measured from the previous (grid) spike. */
Test(lif, constant_current_fixed_is_within_one_step)
{
    const char *models[] = { "lif_curr_exp", "lif_cond_exp" };
    for (int mi = 0; mi < 2; mi++) {
        int pop;
        ms_net *net = one_neuron(models[mi], MS_METHOD_FIXED, 1e-6, &pop);
        const double I = 0.5e-9, R = 1.0 / gL, tau_m = C / gL, dt = MS_NET_DT_DEFAULT;
        size_t id = 0;
        cr_assert_eq(ms_net_add_current(net, pop, &id, 1, I, 0.0, INFINITY), MS_OK);
        cr_assert_eq(ms_net_run(net, 0.2), MS_OK, "%s", ms_net_errmsg(net));
        const size_t *ids;
        const double *t;
        size_t n;
        cr_assert_eq(ms_net_spikes(net, pop, &ids, &t, &n), MS_OK);
        double T = tau_m * log((R * I + EL - Vreset) / (R * I + EL - Vth));
        cr_assert_geq(n, 10);
        double prev_release = 0.0;
        for (size_t k = 0; k < n; k++) {
            double expect = prev_release + T;
            cr_assert(t[k] >= expect - 1e-12 && t[k] <= expect + dt + 1e-12,
                      "%s: spike %zu at %.9g s, closed form from the last release %.9g s", models[mi], k + 1, t[k], expect);
            double on_grid = t[k] / dt - round(t[k] / dt);
            cr_assert(fabs(on_grid) < 1e-6, "spike %zu at %.12g s is not on the grid", k + 1, t[k]);
            prev_release = t[k] + tref;
        }
        ms_net_destroy(net);
    }
}

/* ---- synaptic input against an independent RK4 integration ------------------------------ */

typedef struct ref_neuron {
    int cond;                   /* conductance-based                                   */
    double v, a, b, ref_end;    /* membrane, exc and inh synaptic variables            */
} ref_neuron;

static const double tau_e = 5e-3, tau_i = 10e-3, Ee = 0.0, Ei = -80e-3;

/* `held`: refractory for the whole step (steps are split at the end of the period, so
 * the state of the period is decided once per step, not per RK4 stage). */
static void ref_rhs(const ref_neuron *n, int held, double v, double a, double b, double *dv, double *da, double *db)
{
    double i_syn = n->cond ? a * (Ee - v) + b * (Ei - v) : a - b;
    *dv = held ? 0.0 : (gL * (EL - v) + i_syn) / C;
    *da = -a / tau_e;
    *db = -b / tau_i;
}

static void ref_rk4(const ref_neuron *n, double t, double h, double *v, double *a, double *b)
{
    double k1v, k1a, k1b, k2v, k2a, k2b, k3v, k3a, k3b, k4v, k4a, k4b;
    int held = t < n->ref_end;
    ref_rhs(n, held, *v, *a, *b, &k1v, &k1a, &k1b);
    ref_rhs(n, held, *v + h / 2 * k1v, *a + h / 2 * k1a, *b + h / 2 * k1b, &k2v, &k2a, &k2b);
    ref_rhs(n, held, *v + h / 2 * k2v, *a + h / 2 * k2a, *b + h / 2 * k2b, &k3v, &k3a, &k3b);
    ref_rhs(n, held, *v + h * k3v, *a + h * k3a, *b + h * k3b, &k4v, &k4a, &k4b);
    *v += h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v);
    *a += h / 6 * (k1a + 2 * k2a + 2 * k3a + k4a);
    *b += h / 6 * (k1b + 2 * k2b + 2 * k3b + k4b);
}

/* Integrates from t to t_end with steps of h; a threshold crossing inside a step is
 * located by bisection on RK4 sub-steps from the step start. Returns spikes found. */
static size_t ref_run(ref_neuron *n, const double *in_t, const double *in_w, const int *in_port, size_t n_in,
                      double t_end, double h, double *spikes, size_t max_spikes)
{
    size_t ns = 0, next_in = 0;
    double t = 0.0;
    while (t < t_end) {
        while (next_in < n_in && in_t[next_in] <= t + 1e-15) {
            if (in_port[next_in] == 0) n->a += in_w[next_in]; else n->b += in_w[next_in];
            next_in++;
        }
        double step = h;
        if (next_in < n_in && in_t[next_in] < t + step) step = in_t[next_in] - t;
        if (t < n->ref_end && n->ref_end < t + step) step = n->ref_end - t;
        double v = n->v, a = n->a, b = n->b;
        ref_rk4(n, t, step, &v, &a, &b);
        if (v >= Vth && !(t < n->ref_end)) {
            double lo = 0, hi = step;
            for (int it = 0; it < 100; it++) {
                double mid = 0.5 * (lo + hi), vm = n->v, am = n->a, bm = n->b;
                ref_rk4(n, t, mid, &vm, &am, &bm);
                if (vm >= Vth) hi = mid; else lo = mid;
            }
            double vs = n->v, as = n->a, bs = n->b;
            ref_rk4(n, t, hi, &vs, &as, &bs);
            t += hi;
            if (ns < max_spikes) spikes[ns++] = t;
            n->v = Vreset;
            n->a = as;
            n->b = bs;
            n->ref_end = t + tref;
            continue;
        }
        n->v = v;
        n->a = a;
        n->b = b;
        t += step;
    }
    return ns;
}

static void check_synaptic(const char *model, int cond, ms_method method, double rtol, double tol_rel)
{
    /* A burst of excitation that makes the neuron fire a few times, with inhibition. */
    double in_t[40], in_w[40];
    int in_port[40];
    size_t n_in = 0;
    for (int k = 0; k < 30; k++) {
        in_t[n_in] = 1e-3 + 0.37e-3 * k;
        in_w[n_in] = cond ? 6e-9 : 0.4e-9;
        in_port[n_in++] = 0;
    }
    for (int k = 0; k < 10; k++) {
        in_t[n_in] = 2.05e-3 + 1.1e-3 * k;
        in_w[n_in] = cond ? 4e-9 : 0.2e-9;
        in_port[n_in++] = 1;
    }
    /* the reference wants them in time order */
    for (size_t i = 1; i < n_in; i++)
        for (size_t j = i; j > 0 && in_t[j] < in_t[j - 1]; j--) {
            double tt = in_t[j]; in_t[j] = in_t[j - 1]; in_t[j - 1] = tt;
            double ww = in_w[j]; in_w[j] = in_w[j - 1]; in_w[j - 1] = ww;
            int pp = in_port[j]; in_port[j] = in_port[j - 1]; in_port[j - 1] = pp;
        }
    const double delay = 0.5e-3;
    ref_neuron rn = { cond, EL, 0, 0, -1 };
    double shifted[40];
    for (size_t k = 0; k < n_in; k++) shifted[k] = in_t[k] + delay;
    double ref_spk[64];
    size_t n_ref = ref_run(&rn, shifted, in_w, in_port, n_in, 0.05, 1e-6, ref_spk, 64);
    cr_assert_geq(n_ref, 3, "the reference neuron should fire a few times, fired %zu", n_ref);

    /* The same in memsnn: one spike_source per input, connected from_list. */
    int pop, src;
    ms_net *net = one_neuron(model, method, rtol, &pop);
    cr_assert_eq(ms_net_add_population(net, "spike_source", n_in, "in", -1, &src), MS_OK);
    size_t off[41];
    for (size_t k = 0; k <= n_in; k++) off[k] = k;
    cr_assert_eq(ms_net_set_spike_times(net, src, off, in_t), MS_OK, "%s", ms_net_errmsg(net));
    for (int port = 0; port < 2; port++) {
        size_t pre[40], post[40];
        double w[40];
        size_t m = 0;
        for (size_t k = 0; k < n_in; k++)
            if (in_port[k] == port) { pre[m] = k; post[m] = 0; w[m++] = in_w[k]; }
        ms_connect_spec s = { .pre = src, .post = pop,
                              .rule = { .kind = MS_RULE_FROM_LIST, .pre = pre, .post = post, .n_list = m },
                              .weight = { .kind = MS_VALUE_LIST, .array = w, .len = m },
                              .delay = { .kind = MS_VALUE_CONSTANT, .constant = delay },
                              .port = port ? "inh" : "exc" };
        int proj;
        cr_assert_eq(ms_net_connect(net, &s, &proj), MS_OK, "%s", ms_net_errmsg(net));
    }
    cr_assert_eq(ms_net_run(net, 0.05), MS_OK, "%s", ms_net_errmsg(net));
    const size_t *ids;
    const double *t;
    size_t n;
    cr_assert_eq(ms_net_spikes(net, pop, &ids, &t, &n), MS_OK);
    cr_assert_eq(n, n_ref, "%s/%s: %zu spikes, reference %zu", model, ms_method_name(method), n, n_ref);
    for (size_t k = 0; k < n; k++)
        cr_assert(fabs(t[k] - ref_spk[k]) <= tol_rel * ref_spk[k],
                  "%s/%s: spike %zu at %.15g s, reference %.15g s (relative error %.3g)", model,
                  ms_method_name(method), k + 1, t[k], ref_spk[k], (t[k] - ref_spk[k]) / ref_spk[k]);
    ms_net_destroy(net);
}

Test(lif, synaptic_input_exact_agrees_with_fine_rk4)
{
    check_synaptic("lif_curr_exp", 0, MS_METHOD_EXACT, 1e-6, 1e-9);
}

Test(lif, cond_synaptic_input_exact_agrees_with_fine_rk4)
{
    check_synaptic("lif_cond_exp", 1, MS_METHOD_EXACT, 1e-6, 1e-9);
}

Test(lif, synaptic_input_cvode_agrees_with_fine_rk4)
{
    check_synaptic("lif_curr_exp", 0, MS_METHOD_CVODE, MS_ODE_RTOL_DEFAULT, 1e-6);
    check_synaptic("lif_cond_exp", 1, MS_METHOD_CVODE, MS_ODE_RTOL_DEFAULT, 1e-6);
}

Test(lif, reset_below_threshold_is_required)
{
    int pop;
    ms_net_opts o;
    ms_net_opts_default(&o);
    ms_net *net;
    ms_error e;
    cr_assert_eq(ms_net_create(reg, &o, &net, &e), MS_OK);
    cr_assert_eq(ms_net_add_population(net, "lif_cond_exp", 2, "n", -1, &pop), MS_OK);
    double vr = -40e-3;
    cr_assert_eq(ms_net_set_param(net, pop, "V_reset", &vr, 1), MS_OK);
    cr_assert_eq(ms_net_finish_population(net, pop), MS_EINVAL);
    cr_assert(strstr(ms_net_errmsg(net), "V_reset") && strstr(ms_net_errmsg(net), "V_th"), "%s", ms_net_errmsg(net));
    ms_net_destroy(net);
}

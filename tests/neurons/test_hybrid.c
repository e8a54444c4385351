/* Hybrid training on a small fixed problem (neurons/hybrid.c): a control network trained in
 * software, mapped onto arrays with injected stuck cells, loses accuracy; sign-based in-situ
 * adaptation of its last layer recovers it towards the software value; the same seeds give
 * the same result. docs/reproductions/hybrid-training.md. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "core/ms_rng.h"
#include "neurons/ms_ann.h"
#include "neurons/ms_hybrid.h"

TestSuite(hybrid, .timeout = 60);

enum { NI = 32, NH = 16, NO = 4, NTR = 800, NTE = 400 };
static double xtr[NTR * NI], xte[NTE * NI];
static uint8_t ltr[NTR], lte[NTE];
static char msg[512];

/* Four classes: each a prototype of 8 bright inputs out of 32, with noise, in [0, 1]. */
static void make_data(double *x, uint8_t *l, size_t n, uint64_t seed)
{
    ms_rng r;
    ms_rng_init(&r, seed, 0, MS_RNG_USER);
    for (size_t k = 0; k < n; k++) {
        int c = (int)(k % NO);
        l[k] = (uint8_t)c;
        for (int i = 0; i < NI; i++) {
            double v = (i / 8 == c ? 0.7 : 0.1) + 0.45 * (ms_rng_uniform(&r) - 0.5);
            x[k * NI + i] = fmin(1, fmax(0, v));
        }
    }
}

static ms_ann *trained(void)
{
    make_data(xtr, ltr, NTR, 1);
    make_data(xte, lte, NTE, 2);
    ms_ann_opts o;
    ms_ann_opts_default(&o);
    o.n_in = NI, o.n_hidden = NH, o.n_out = NO, o.dendrites = 0;
    ms_ann *a;
    cr_assert_eq(ms_ann_create(&o, &a, msg, sizeof msg), MS_OK, "%s", msg);
    ms_ann_train_opts t;
    ms_ann_train_opts_default(&t);
    t.epochs = 10, t.batch = 16, t.logit_scale = 10, t.soma_grad = MS_ANN_SOMA_THROUGH;
    ms_ann_data d = { .n = NTR, .f64 = xtr, .scale = 1, .labels = ltr };
    cr_assert_eq(ms_ann_train(a, &d, &t, NULL), MS_OK, "%s", ms_ann_errmsg(a));
    return a;
}

/* Transfer and adapted accuracy for one device seed. */
static void run(ms_ann *a, uint64_t seed, double *transfer, double *adapted, ms_hybrid_adapt_result *res)
{
    ms_crossbar_opts o;
    ms_crossbar_opts_default(&o);
    o.p_stuck_on = 0.05, o.p_stuck_off = 0.05, o.read_noise = 0.01, o.seed = seed;
    ms_xbar *l1, *l2;
    cr_assert_eq(ms_hybrid_map(a, &o, &l1, &l2, msg, sizeof msg), MS_OK, "%s", msg);
    ms_ann_data te = { .n = NTE, .f64 = xte, .scale = 1, .labels = lte };
    ms_ann_data tr = { .n = NTR, .f64 = xtr, .scale = 1, .labels = ltr };
    cr_assert_eq(ms_hybrid_accuracy(a, l1, l2, &te, 1, transfer, msg, sizeof msg), MS_OK, "%s", msg);
    ms_hybrid_adapt_opts ao;
    ms_hybrid_adapt_opts_default(&ao);
    ao.fraction = 0.25, ao.threshold = 0.1, ao.logit_scale = 10, ao.seed = seed;
    cr_assert_eq(ms_hybrid_adapt(a, l1, l2, &tr, &ao, res, msg, sizeof msg), MS_OK, "%s", msg);
    cr_assert_eq(ms_hybrid_accuracy(a, l1, l2, &te, 1, adapted, msg, sizeof msg), MS_OK, "%s", msg);
    ms_xbar_free(l1), ms_xbar_free(l2);
}

Test(hybrid, adaptation_with_stuck_cells_recovers_accuracy_and_repeats)
{
    ms_ann *a = trained();
    ms_ann_data te = { .n = NTE, .f64 = xte, .scale = 1, .labels = lte };
    double sw;
    cr_assert_eq(ms_ann_accuracy(a, &te, NULL, &sw), MS_OK);
    double t_sum = 0, a_sum = 0;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        double tr, ad;
        ms_hybrid_adapt_result r;
        run(a, seed, &tr, &ad, &r);
        cr_log_info("seed %llu: software %.4f, transfer %.4f, adapted %.4f (%zu samples, %llu pulses, %.2f pJ)",
                    (unsigned long long)seed, sw, tr, ad, r.samples, r.pulses.pulses, r.pulses.energy_J * 1e12);
        cr_assert_eq(r.samples, 200);
        cr_assert(r.pulses.pulses > 0 && r.pulses.energy_J > 0);
        t_sum += tr, a_sum += ad;
        if (seed == 1) {
            double tr2, ad2;
            ms_hybrid_adapt_result r2;
            run(a, seed, &tr2, &ad2, &r2);
            cr_assert(tr2 == tr && ad2 == ad && r2.pulses.pulses == r.pulses.pulses &&
                      r2.pulses.energy_J == r.pulses.energy_J, "same seed, another result");
        }
    }
    double tm = t_sum / 3, am = a_sum / 3;
    cr_log_info("mean of 3 seeds: software %.4f, transfer %.4f, adapted %.4f: %.0f %% of the loss recovered", sw, tm,
                am, 100 * (am - tm) / (sw - tm));
    cr_assert(sw > 0.95, "software %g", sw);
    cr_assert(sw - tm > 0.05, "the stuck cells should cost accuracy: %g -> %g", sw, tm);
    cr_assert(am - tm > 0.5 * (sw - tm), "adaptation recovers at least half the loss: %g -> %g (software %g)", tm,
              am, sw);
    ms_ann_free(a);
}

Test(hybrid, bad_input)
{
    ms_ann *a = trained();
    ms_crossbar_opts o;
    ms_crossbar_opts_default(&o);
    ms_xbar *l1, *l2;
    cr_assert_eq(ms_hybrid_map(a, &o, &l1, &l2, msg, sizeof msg), MS_OK);
    ms_ann_data tr = { .n = NTR, .f64 = xtr, .scale = 1, .labels = ltr };
    ms_hybrid_adapt_opts ao;
    ms_hybrid_adapt_opts_default(&ao);
    ao.fraction = 0;
    cr_assert_eq(ms_hybrid_adapt(a, l1, l2, &tr, &ao, NULL, msg, sizeof msg), MS_EINVAL);
    cr_assert_str_eq(msg, "hybrid: fraction = 0 of the data must be in (0, 1]");
    ao.fraction = 1.5;
    cr_assert_eq(ms_hybrid_adapt(a, l1, l2, &tr, &ao, NULL, msg, sizeof msg), MS_EINVAL);
    cr_assert_str_eq(msg, "hybrid: fraction = 1.5 of the data must be in (0, 1]");
    cr_assert_eq(ms_hybrid_check(a, l2, l1, msg, sizeof msg), MS_EINVAL);
    cr_assert_str_eq(msg, "hybrid: array 1 is 16 x 4, the network's layer 1 is 32 x 16");
    ms_xbar_free(l1), ms_xbar_free(l2);
    ms_ann_free(a);
    ms_ann_opts d;
    ms_ann_opts_default(&d);
    d.n_in = NI, d.n_hidden = NH, d.n_out = NO, d.branches = 2;
    cr_assert_eq(ms_ann_create(&d, &a, msg, sizeof msg), MS_OK);
    cr_assert_eq(ms_hybrid_map(a, &o, &l1, &l2, msg, sizeof msg), MS_EINVAL);
    cr_assert_str_eq(msg, "hybrid: the network has dendrites; only the control network (dendrites = false) maps onto arrays");
    ms_ann_free(a);
}

/* The dendritic network of X. Li et al. 2020 (neurons/ms_ann.h, docs/ann.md): its dendrite and
 * soma functions against hand values, the exact gradient of the whole network against finite
 * differences, training on a small separable set (dendritic and control), the image noise
 * (reproducible, clipped, with the stated mean and sd), and the weight file (bitwise round trip,
 * wrong shape, truncation). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ms_rng.h"
#include "neurons/ms_ann.h"
#include "neurons/ms_noise_image.h"

TestSuite(ann, .timeout = 60);

static ms_ann *make(size_t n_in, size_t H, size_t n_out, size_t B1, size_t B2, int dendrites, uint64_t seed)
{
    ms_ann_opts o;
    ms_ann_opts_default(&o);
    o.n_in = n_in, o.n_hidden = H, o.n_out = n_out, o.branches = B1, o.out_branches = B2;
    o.dendrites = dendrites, o.seed = seed;
    ms_ann *a;
    char msg[512];
    cr_assert_eq(ms_ann_create(&o, &a, msg, sizeof msg), MS_OK, "%s", msg);
    return a;
}

static const char *tmp_path(const char *name)
{
    static char buf[4][1024];
    static int k;
    const char *dir = getenv("MEMSNN_TEST_TMP");
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%d-%s", dir ? dir : "/tmp", (int)getpid(), name);
    return buf[k];
}

/* ---- the three functions ------------------------------------------------------------------- */

Test(ann, dendrite_hand_values)
{
    /* NL = 0.1: alpha = 50 * 0.1 / 0.9 = 5.5556; y = (e^(alpha x) - 1) / (e^alpha - 1):
     * e^5.5556 = 258.67, so y(0.1) = (e^0.5556 - 1) / 257.67 = 0.7429 / 257.67 = 0.00288,
     * y(0.5) = (16.08 - 1) / 257.67 = 0.0585, y(0.9) = (148.41 - 1) / 257.67 = 0.5721. */
    double a = ms_ann_alpha(0.1);
    cr_assert_float_eq(a, 50.0 / 9.0, 1e-12);
    cr_assert_float_eq(ms_ann_dendrite(0.1, a), 0.00288, 5e-5);
    cr_assert_float_eq(ms_ann_dendrite(0.5, a), 0.0585, 5e-4);
    cr_assert_float_eq(ms_ann_dendrite(0.9, a), 0.572, 2e-3);
    cr_assert_float_eq(ms_ann_dendrite(1.0, a), 1.0, 1e-14);
    cr_assert_float_eq(ms_ann_dendrite(0.0, a), 0.0, 1e-14);
    cr_assert_float_eq(ms_ann_dendrite(0.3, 0), 0.3, 1e-15, "alpha <= 0 is linear");
    /* the large-alpha form agrees with the direct one where both are exact */
    double big = ms_ann_alpha(0.5); /* 50 */
    cr_assert_float_eq(ms_ann_dendrite(0.9, big), expm1(45) / expm1(50), 1e-12);
    cr_assert(isfinite(ms_ann_dendrite(0.5, ms_ann_alpha(0.99))), "NL 0.99 (alpha 4950) must not overflow");
}

Test(ann, soma_hand_values)
{
    /* max(tanh((s - 0.11) / 2), 0): tanh(0.195) = 0.1926, tanh(0.445) = 0.4177, tanh(1.945) = 0.9599 */
    cr_assert_float_eq(ms_ann_soma(0.5, 0.11), 0.1926, 1e-4);
    cr_assert_float_eq(ms_ann_soma(1.0, 0.11), 0.4177, 1e-4);
    cr_assert_float_eq(ms_ann_soma(4.0, 0.11), 0.9599, 1e-4);
    cr_assert_eq(ms_ann_soma(0.1, 0.11), 0.0);
    cr_assert_eq(ms_ann_soma(-3, 0.11), 0.0);
    /* = 2 sigmoid(s - theta) - 1, the official form */
    cr_assert_float_eq(ms_ann_soma(0.7, 0.11), 2 / (1 + exp(-(0.7 - 0.11))) - 1, 1e-14);
}

/* A branch of layer 1 computed by hand: 2 inputs, 3 hidden units, one branch. */
Test(ann, forward_by_hand)
{
    ms_ann *a = make(2, 3, 2, 1, 1, 1, 1);
    double w1[6] = { 1, -2, 0.5, 0.5, 1, 0.25 }; /* rows: input 0, input 1 */
    cr_assert_eq(ms_ann_set_weights(a, 1, 0, w1, 2, 3), MS_OK);
    double x[2] = { 0.4, 0.8 }, out[2], hid[3], br[3];
    ms_ann_forward(a, x, out, hid, br, NULL);
    double s[3] = { 0.4 + 0.4, -0.8 + 0.8, 0.2 + 0.2 }; /* 0.8, 0, 0.4 -> n = 1, 0, 0.5 */
    double al = ms_ann_alpha(0.1);
    for (int j = 0; j < 3; j++) {
        double z = ms_ann_dendrite(s[j] / 0.8, al); /* max |y| = y(1) = 1: no renormalisation */
        cr_assert_float_eq(br[j], z, 1e-12, "branch %d", j);
        cr_assert_float_eq(hid[j], ms_ann_soma(z, 0.11), 1e-12, "hidden %d", j);
    }
    /* the largest |x| negative: y is renormalised by the largest |y| */
    double w2[6] = { -2, 0.5, 0.25, 0, 0, 0 };
    ms_ann_set_weights(a, 1, 0, w2, 2, 3);
    ms_ann_forward(a, x, out, hid, br, NULL); /* x = -0.8, 0.2, 0.1 -> n = -1, 0.25, 0.125 */
    double y[3] = { ms_ann_dendrite(-1, al), ms_ann_dendrite(0.25, al), ms_ann_dendrite(0.125, al) };
    for (int j = 0; j < 3; j++) cr_assert_float_eq(br[j], y[j] / y[1], 1e-12, "renormalised branch %d", j);
    ms_ann_free(a);
}

/* ---- the gradient --------------------------------------------------------------------------- */

static void grad_check_n(int dendrites, double nl, double thr, int normalise)
{
    ms_ann_opts o;
    ms_ann_opts_default(&o);
    o.n_in = 12, o.n_hidden = 8, o.n_out = 4, o.branches = 3, o.out_branches = 2;
    o.dendrites = dendrites, o.nonlinearity = nl, o.threshold = thr, o.normalise = normalise, o.seed = 3;
    /* without normalisation the sums keep the weights' scale: larger weights put about half
     * of the branches above a threshold of 0.2, so the check sees both sides of it */
    if (!normalise) o.init_sd = 1.0;
    uint32_t band[12] = { 0, 1, 2, 0, 1, 2, 2, 2, 1, 0, 0, 1 }; /* interleaved, not contiguous */
    o.band_of = band;
    ms_ann *a;
    char msg[512];
    cr_assert_eq(ms_ann_create(&o, &a, msg, sizeof msg), MS_OK, "%s", msg);
    size_t np = ms_ann_n_params(a);
    double *w = ms_ann_params(a), *g = calloc(np, sizeof *g), *scratch = calloc(np, sizeof *scratch);
    ms_rng r;
    ms_rng_init(&r, 11, 0, MS_RNG_USER);
    size_t checked = 0;
    for (int sample = 0; sample < 3; sample++) {
        double x[12];
        for (int i = 0; i < 12; i++) x[i] = ms_rng_uniform(&r) < 0.2 ? 0 : ms_rng_uniform(&r); /* some zero pixels */
        unsigned label = (unsigned)sample % 4;
        memset(g, 0, np * sizeof *g);
        double loss;
        cr_assert_eq(ms_ann_loss_grad(a, x, label, 10, g, &loss), MS_OK);
        cr_assert(isfinite(loss) && loss > 0);
        for (size_t p = 0; p < np; p++) {
            double w0 = w[p], h = 1e-6 * fmax(1, fabs(w0)), lp, lm;
            w[p] = w0 + h;
            ms_ann_loss_grad(a, x, label, 10, scratch, &lp);
            w[p] = w0 - h;
            ms_ann_loss_grad(a, x, label, 10, scratch, &lm);
            w[p] = w0;
            double fd = (lp - lm) / (2 * h);
            /* relative 1e-4, or 1e-8 absolute: the rounding error of a central difference of a
             * loss of order 1 with h = 1e-6 is about 1e-16 / 1e-6 = 1e-10 */
            double err = fabs(fd - g[p]);
            if (fabs(fd) + fabs(g[p]) > 1e-6) checked++;
            cr_assert(err <= 1e-4 * (fabs(fd) + fabs(g[p])) + 1e-8, "%s, sample %d, weight %zu: finite difference %.9g, gradient %.9g",
                      dendrites ? "dendritic" : "control", sample, p, fd, g[p]);
        }
    }
    cr_assert(checked >= 50, "only %zu of %zu gradients are nonzero: the check checks little", checked, 3 * np);
    free(g), free(scratch);
    ms_ann_free(a);
}

static void grad_check_t(int dendrites, double nl, double thr) { grad_check_n(dendrites, nl, thr, 1); }
static void grad_check(int dendrites, double nl) { grad_check_t(dendrites, nl, 0.0); }

Test(ann, gradient_matches_finite_differences_dendritic) { grad_check(1, 0.1); }
Test(ann, gradient_matches_finite_differences_threshold_dendrite) { grad_check_t(1, 0.1, 0.3); }

Test(ann, threshold_dendrite_by_hand_and_in_the_weight_file)
{
    /* y = max(0, x_n - t) / (1 - t): with t = 0.4 a branch whose two units sum to 1 and 0.7
     * (x_n = 1 and 0.7) passes 1 and 0.5; the weight file keeps t */
    ms_ann_opts o;
    ms_ann_opts_default(&o);
    o.n_in = 2, o.n_hidden = 2, o.n_out = 2, o.branches = 1, o.out_branches = 1, o.threshold = 0.4;
    ms_ann *a, *b;
    char msg[512];
    cr_assert_eq(ms_ann_create(&o, &a, msg, sizeof msg), MS_OK, "%s", msg);
    double *w = ms_ann_params(a);
    /* layer 1: input-major 2 x 2: hidden 1 gets 1.0 x1, hidden 2 gets 0.7 x1 */
    w[0] = 1.0, w[1] = 0.7, w[2] = 0.0, w[3] = 0.0;
    double x[2] = { 1.0, 0.0 }, hidden[2], br[2];
    cr_assert_eq(ms_ann_forward(a, x, NULL, hidden, br, NULL), MS_OK);
    cr_assert(fabs(br[0] - 1.0) < 1e-12 && fabs(br[1] - 0.5) < 1e-12, "branch outputs %g %g", br[0], br[1]);
    const char *p = tmp_path("ann_threshold.msann");
    cr_assert_eq(ms_ann_save(a, p), MS_OK, "%s", ms_ann_errmsg(a));
    cr_assert_eq(ms_ann_load(p, &b, msg, sizeof msg), MS_OK, "%s", msg);
    cr_assert_eq(ms_ann_options(b)->threshold, 0.4);
    ms_ann_free(a);
    ms_ann_free(b);
}
Test(ann, gradient_matches_finite_differences_without_normalisation)
{
    grad_check_n(1, 0.1, 0.2, 0);
    grad_check_n(0, 0.1, 0.0, 0);
}

Test(ann, without_normalisation_by_hand_and_in_the_weight_file)
{
    /* normalise = 0: z = max(0, x - t) / (1 - t) on the sums themselves. Hidden 1 gets 2.0 and
     * hidden 2 gets 0.3 from x1 = 1: with t = 0.4, z = 1.6 / 0.6 = 2.6667 and 0 (normalised,
     * 1 and 0.15 would give 1 and 0); the control passes the sums, 2.0 and 0.3 */
    ms_ann_opts o;
    ms_ann_opts_default(&o);
    o.n_in = 2, o.n_hidden = 2, o.n_out = 2, o.branches = 1, o.out_branches = 1, o.threshold = 0.4, o.normalise = 0;
    ms_ann *a, *b, *c;
    char msg[512];
    for (int dend = 1; dend >= 0; dend--) {
        o.dendrites = dend;
        cr_assert_eq(ms_ann_create(&o, &a, msg, sizeof msg), MS_OK, "%s", msg);
        double *w = ms_ann_params(a);
        w[0] = 2.0, w[1] = 0.3, w[2] = 0.0, w[3] = 0.0;
        double x[2] = { 1.0, 0.0 }, hidden[2], br[2];
        cr_assert_eq(ms_ann_forward(a, x, NULL, hidden, br, NULL), MS_OK);
        double z0 = dend ? 1.6 / 0.6 : 2.0, z1 = dend ? 0.0 : 0.3;
        cr_assert(fabs(br[0] - z0) < 1e-12 && fabs(br[1] - z1) < 1e-12, "%s: branch outputs %.15g %.15g, expected %g %g",
                  dend ? "dendritic" : "control", br[0], br[1], z0, z1);
        cr_assert(fabs(hidden[0] - ms_ann_soma(z0, 0.11)) < 1e-15);
        /* the weight file keeps it, and a normalised network refuses the file */
        const char *p = tmp_path("ann_nonorm.msann");
        cr_assert_eq(ms_ann_save(a, p), MS_OK, "%s", ms_ann_errmsg(a));
        cr_assert_eq(ms_ann_load(p, &b, msg, sizeof msg), MS_OK, "%s", msg);
        cr_assert_eq(ms_ann_options(b)->normalise, 0);
        cr_assert_eq(ms_ann_forward(b, x, NULL, hidden, br, NULL), MS_OK);
        cr_assert(fabs(br[0] - z0) < 1e-12);
        o.normalise = 1;
        cr_assert_eq(ms_ann_create(&o, &c, msg, sizeof msg), MS_OK, "%s", msg);
        cr_assert_eq(ms_ann_load_weights(c, p), MS_EINVAL);
        cr_assert(strstr(ms_ann_errmsg(c), "holds a network without per-sample normalisation, expected one with"), "%s",
                  ms_ann_errmsg(c));
        o.normalise = 0;
        remove(p);
        ms_ann_free(a), ms_ann_free(b), ms_ann_free(c);
    }
    /* the exp dendrite is defined on normalised sums only */
    o.dendrites = 1, o.threshold = 0;
    cr_assert_eq(ms_ann_create(&o, &a, msg, sizeof msg), MS_EINVAL);
    cr_assert(strstr(msg, "normalise = false needs the thresholded-linear dendrite"), "%s", msg);
}

Test(ann, gradient_matches_finite_differences_strong_nl) { grad_check(1, 0.2); }
Test(ann, gradient_matches_finite_differences_control) { grad_check(0, 0.1); }

/* ---- training ------------------------------------------------------------------------------- */

/* 4 x 4 images of 4 classes: class c lights column c (0.6 .. 1) over a background of 0 .. 0.3,
 * so every row band sees the class. (Each band's sums are normalised, so a band cannot tell a
 * bright row from a dim one, only their patterns: a class told apart by which rows are bright
 * would be out of the bands' reach.) */
static void synth(size_t n, uint64_t seed, uint8_t *img, uint8_t *lab)
{
    ms_rng r;
    ms_rng_init(&r, seed, 0, MS_RNG_USER);
    for (size_t k = 0; k < n; k++) {
        unsigned c = (unsigned)(k % 4);
        lab[k] = (uint8_t)c;
        for (int i = 0; i < 16; i++) {
            int in = i % 4 == (int)c;
            double v = in ? 0.6 + 0.4 * ms_rng_uniform(&r) : 0.3 * ms_rng_uniform(&r);
            img[k * 16 + i] = (uint8_t)lround(255 * v);
        }
    }
}

/* Trains a 16-32-4 network (4 row bands, 2 output groups) for 20 epochs of 400 images. */
static double train_synth(int dendrites, ms_ann_soma_grad sg, double *first_loss, double *last_loss)
{
    enum { N = 400, NT = 200, EPOCHS = 20 };
    static uint8_t img[N * 16], lab[N], timg[NT * 16], tlab[NT];
    synth(N, 1, img, lab);
    synth(NT, 2, timg, tlab);
    ms_ann *a = make(16, 32, 4, 4, 2, dendrites, 5);
    ms_ann_data d = { .n = N, .u8 = img, .scale = 1.0 / 255, .labels = lab, .rows = 4, .cols = 4 };
    ms_ann_data t = { .n = NT, .u8 = timg, .scale = 1.0 / 255, .labels = tlab, .rows = 4, .cols = 4 };
    ms_ann_train_opts o;
    ms_ann_train_opts_default(&o);
    o.epochs = EPOCHS, o.batch = 16, o.soma_grad = sg;
    double loss[EPOCHS];
    cr_assert_eq(ms_ann_train(a, &d, &o, loss), MS_OK, "%s", ms_ann_errmsg(a));
    *first_loss = loss[0], *last_loss = loss[EPOCHS - 1];
    double acc;
    cr_assert_eq(ms_ann_accuracy(a, &t, NULL, &acc), MS_OK, "%s", ms_ann_errmsg(a));
    ms_ann_free(a);
    return acc;
}

/* With the straight-through soma gradient both networks learn the set. With the exact gradient
 * a class whose output soma is clamped at 0 for all its samples gets no gradient and may never
 * be learnt in so small a network (docs/ann.md, "Choices"), so only the loss is checked there. */
Test(ann, trains_on_separable_set)
{
    double l0, l1;
    for (int dend = 1; dend >= 0; dend--) {
        const char *name = dend ? "dendritic" : "control";
        double acc = train_synth(dend, MS_ANN_SOMA_THROUGH, &l0, &l1);
        cr_assert(acc > 0.9, "%s network: test accuracy %.3f (chance 0.25); loss %.3f -> %.3f", name, acc, l0, l1);
        cr_assert(l1 < 0.9 * l0, "%s loss did not fall: %.3f -> %.3f", name, l0, l1);
        train_synth(dend, MS_ANN_SOMA_EXACT, &l0, &l1);
        cr_assert(l1 < l0, "%s loss (exact gradient) did not fall: %.3f -> %.3f", name, l0, l1);
    }
}

/* Mean over the test set of the soma input sum_j max(0, s_j) of both layers after training the
 * 16-32-4 network without normalisation (threshold 0.25) with the given activity penalty.
 * init_sd 1: with 0.3 the output branches of so small a network start below the threshold,
 * where the dendrite passes no gradient, and never learn (the loss stays at ln 4). */
static double soma_input_after(double activity, double *acc)
{
    enum { N = 400, NT = 200, EPOCHS = 20 };
    static uint8_t img[N * 16], lab[N], timg[NT * 16], tlab[NT];
    synth(N, 1, img, lab);
    synth(NT, 2, timg, tlab);
    ms_ann_opts oo;
    ms_ann_opts_default(&oo);
    oo.n_in = 16, oo.n_hidden = 32, oo.n_out = 4, oo.branches = 4, oo.out_branches = 2;
    oo.threshold = 0.25, oo.normalise = 0, oo.init_sd = 1.0, oo.seed = 5;
    ms_ann *a;
    char msg[512];
    cr_assert_eq(ms_ann_create(&oo, &a, msg, sizeof msg), MS_OK, "%s", msg);
    ms_ann_data d = { .n = N, .u8 = img, .scale = 1.0 / 255, .labels = lab, .rows = 4, .cols = 4 };
    ms_ann_data t = { .n = NT, .u8 = timg, .scale = 1.0 / 255, .labels = tlab, .rows = 4, .cols = 4 };
    ms_ann_train_opts o;
    ms_ann_train_opts_default(&o);
    o.epochs = EPOCHS, o.batch = 16, o.soma_grad = MS_ANN_SOMA_THROUGH, o.momentum = 0.9, o.activity = activity;
    cr_assert_eq(ms_ann_train(a, &d, &o, NULL), MS_OK, "%s", ms_ann_errmsg(a));
    cr_assert_eq(ms_ann_accuracy(a, &t, NULL, acc), MS_OK, "%s", ms_ann_errmsg(a));
    double sum = 0, x[16], out[4], hid[32], b1[4 * 32], b2[2 * 4];
    for (int k = 0; k < NT; k++) {
        for (int i = 0; i < 16; i++) x[i] = timg[k * 16 + i] / 255.0;
        ms_ann_forward(a, x, out, hid, b1, b2);
        for (int q = 0; q < 4 * 32; q++) sum += b1[q]; /* z >= 0 here: the soma inputs are their sums */
        for (int q = 0; q < 2 * 4; q++) sum += b2[q];
    }
    ms_ann_free(a);
    return sum / NT;
}

Test(ann, activity_penalty_lowers_the_soma_input)
{
    double acc0, acc1;
    double s0 = soma_input_after(0, &acc0), s1 = soma_input_after(0.05, &acc1);
    cr_log_info("soma input %.2f -> %.2f, accuracy %.3f -> %.3f", s0, s1, acc0, acc1);
    cr_assert(s1 < 0.5 * s0, "activity 0.05: soma input %.3f, without %.3f", s1, s0);
    cr_assert(acc0 > 0.9 && acc1 > 0.9, "accuracy %.3f without, %.3f with the penalty", acc0, acc1);
    ms_ann *a = make(16, 8, 4, 4, 2, 1, 1);
    uint8_t img[16] = { 0 }, lab[1] = { 0 };
    ms_ann_data d = { .n = 1, .u8 = img, .scale = 1.0 / 255, .labels = lab };
    ms_ann_train_opts o;
    ms_ann_train_opts_default(&o);
    o.activity = -1;
    cr_assert_eq(ms_ann_train(a, &d, &o, NULL), MS_EINVAL);
    cr_assert(strstr(ms_ann_errmsg(a), "activity = -1 must be >= 0"), "%s", ms_ann_errmsg(a));
    ms_ann_free(a);
}

static int stop_at_3(void *ud, int epoch, size_t batch, size_t n_batches, double loss)
{
    (void)epoch, (void)n_batches, (void)loss;
    int *calls = ud;
    ++*calls;
    return batch == 2;
}

Test(ann, training_is_reproducible_and_stoppable)
{
    enum { N = 64 };
    uint8_t img[N * 16], lab[N];
    synth(N, 3, img, lab);
    ms_ann_data d = { .n = N, .u8 = img, .scale = 1.0 / 255, .labels = lab, .rows = 4, .cols = 4 };
    ms_noise_opts noise;
    ms_noise_opts_default(&noise);
    noise.sigma = 0.05, noise.clutter = 1;
    ms_ann_train_opts o;
    ms_ann_train_opts_default(&o);
    o.epochs = 2, o.batch = 8, o.weight_noise = 0.06, o.momentum = 0.5, o.noise = &noise;
    ms_ann *a = make(16, 8, 4, 2, 2, 1, 9), *b = make(16, 8, 4, 2, 2, 1, 9);
    cr_assert_eq(ms_ann_train(a, &d, &o, NULL), MS_OK, "%s", ms_ann_errmsg(a));
    cr_assert_eq(ms_ann_train(b, &d, &o, NULL), MS_OK);
    cr_assert(memcmp(ms_ann_params(a), ms_ann_params(b), ms_ann_n_params(a) * sizeof(double)) == 0,
              "same seeds, different weights");
    o.seed = 2;
    cr_assert_eq(ms_ann_train(b, &d, &o, NULL), MS_OK);
    int calls = 0;
    o.progress = stop_at_3, o.progress_ud = &calls;
    cr_assert_eq(ms_ann_train(a, &d, &o, NULL), MS_EINTR);
    cr_assert_eq(calls, 3);
    cr_assert(strstr(ms_ann_errmsg(a), "stopped at epoch 1 batch 3 of 8"), "%s", ms_ann_errmsg(a));
    /* a label beyond the classes is refused, naming the sample */
    lab[5] = 7;
    o.progress = NULL;
    cr_assert_eq(ms_ann_train(a, &d, &o, NULL), MS_EINVAL);
    cr_assert(strstr(ms_ann_errmsg(a), "sample 6 (counting from 1) is 7, outside 0..3"), "%s", ms_ann_errmsg(a));
    ms_ann_free(a), ms_ann_free(b);
}

Test(ann, bad_options)
{
    ms_ann_opts o;
    ms_ann_opts_default(&o);
    o.n_in = 8, o.n_hidden = 4, o.n_out = 2, o.branches = 3;
    uint32_t band[8] = { 0, 0, 0, 2, 2, 2, 2, 0 };
    o.band_of = band;
    ms_ann *a;
    char msg[512];
    cr_assert_eq(ms_ann_create(&o, &a, msg, sizeof msg), MS_EINVAL);
    cr_assert(strstr(msg, "branch 2 (of 3, counting from 1) has no inputs"), "%s", msg);
    band[1] = 3;
    cr_assert_eq(ms_ann_create(&o, &a, msg, sizeof msg), MS_EINVAL);
    cr_assert(strstr(msg, "band_of[1] = 3 is outside 0..2"), "%s", msg);
    o.band_of = NULL, o.nonlinearity = 1;
    cr_assert_eq(ms_ann_create(&o, &a, msg, sizeof msg), MS_EINVAL);
    cr_assert(strstr(msg, "nonlinearity = 1 must be in [0, 1)"), "%s", msg);
    o.nonlinearity = 0.1, o.out_branches = 5;
    cr_assert_eq(ms_ann_create(&o, &a, msg, sizeof msg), MS_EINVAL);
    cr_assert(strstr(msg, "out_branches = 5 must be in 1..4"), "%s", msg);
    /* the control network ignores the branch options */
    o.dendrites = 0;
    cr_assert_eq(ms_ann_create(&o, &a, msg, sizeof msg), MS_OK, "%s", msg);
    cr_assert_eq(ms_ann_options(a)->branches, 1);
    cr_assert_eq(ms_ann_get_alpha(a), 0.0);
    size_t rows, cols;
    cr_assert_eq(ms_ann_weight_shape(a, 1, 0, &rows, &cols), MS_OK);
    cr_assert(rows == 8 && cols == 4);
    cr_assert_eq(ms_ann_weight_shape(a, 2, 1, &rows, &cols), MS_EINVAL);
    cr_assert(strstr(ms_ann_errmsg(a), "layer 2 has 1 branches; branch 2"), "%s", ms_ann_errmsg(a));
    double w[6] = { 0 };
    cr_assert_eq(ms_ann_set_weights(a, 2, 0, w, 2, 3), MS_EINVAL);
    cr_assert(strstr(ms_ann_errmsg(a), "layer 2 branch 1 is 4 x 2, got 2 x 3"), "%s", ms_ann_errmsg(a));
    ms_ann_free(a);
}

/* ---- noise ---------------------------------------------------------------------------------- */

Test(ann, noise_is_reproducible_clipped_and_calibrated)
{
    enum { R = 28, C = 28, N = R * C, IMAGES = 200 };
    ms_noise_opts o;
    ms_noise_opts_default(&o);
    char msg[256];
    cr_assert_eq(ms_noise_set(&o, "sigma", 0.1, msg, sizeof msg), MS_OK);
    cr_assert_eq(ms_noise_set(&o, "seed", 42, msg, sizeof msg), MS_OK);
    static double a[N], b[N];
    /* mean and sd of the added noise on a mid-grey image (clipping at 5 sd is negligible) */
    double sum = 0, sum2 = 0;
    for (int k = 0; k < IMAGES; k++) {
        for (int i = 0; i < N; i++) a[i] = 0.5;
        ms_noise_apply(&o, (uint64_t)k, N, R, C, a);
        for (int i = 0; i < N; i++) sum += a[i] - 0.5, sum2 += (a[i] - 0.5) * (a[i] - 0.5);
    }
    double cnt = (double)IMAGES * N, mean = sum / cnt, sd = sqrt(sum2 / cnt - mean * mean);
    cr_assert(fabs(mean) < 4 * 0.1 / sqrt(cnt), "mean of the noise %g", mean); /* 4 standard errors */
    cr_assert(fabs(sd - 0.1) < 0.002, "sd of the noise %g, expected 0.1", sd);
    /* same (seed, index): same noise; another index or seed: different */
    for (int i = 0; i < N; i++) a[i] = b[i] = (i % 7) / 7.0;
    ms_noise_apply(&o, 5, N, R, C, a);
    ms_noise_apply(&o, 5, N, R, C, b);
    cr_assert(memcmp(a, b, sizeof a) == 0);
    for (int i = 0; i < N; i++) b[i] = (i % 7) / 7.0;
    ms_noise_apply(&o, 6, N, R, C, b);
    cr_assert(memcmp(a, b, sizeof a) != 0);
    /* clipped to [0, 1]: black and white pixels with strong noise */
    o.sigma = 0.5, o.clutter = 3;
    int clipped_lo = 0, clipped_hi = 0;
    for (int i = 0; i < N; i++) a[i] = i % 2;
    ms_noise_apply(&o, 1, N, R, C, a);
    for (int i = 0; i < N; i++) {
        cr_assert(a[i] >= 0 && a[i] <= 1, "pixel %d = %g", i, a[i]);
        clipped_lo += a[i] == 0, clipped_hi += a[i] == 1;
    }
    cr_assert(clipped_lo > N / 8 && clipped_hi > N / 8);
    /* clutter alone only brightens, and draws about strokes' worth of pixels */
    o.sigma = 0, o.clutter = 4;
    for (int i = 0; i < N; i++) a[i] = 0;
    ms_noise_apply(&o, 2, N, R, C, a);
    int lit = 0;
    for (int i = 0; i < N; i++) lit += a[i] > 0.25;
    cr_assert(lit >= 4 * 4 && lit <= 4 * 13 * 3, "4 strokes lit %d pixels", lit);
    /* errors */
    cr_assert_eq(ms_noise_set(&o, "blur", 1, msg, sizeof msg), MS_EINVAL);
    cr_assert(strstr(msg, "unknown noise type 'blur' (expected: clutter, seed, sigma)"), "%s", msg);
    cr_assert_eq(ms_noise_set(&o, "sigma", -1, msg, sizeof msg), MS_EINVAL);
    cr_assert_eq(ms_noise_set(&o, "clutter", 1.5, msg, sizeof msg), MS_EINVAL);
    cr_assert_eq(ms_noise_check(&o, N, 0, 0, msg, sizeof msg), MS_EINVAL);
    cr_assert(strstr(msg, "clutter needs images of rows x cols"), "%s", msg);
}

Test(ann, same_noise_for_both_networks)
{
    /* the noise of sample k depends on (seed, index0 + k) only: a subset sees the same noise */
    enum { N = 8 };
    uint8_t img[N * 16], lab[N];
    synth(N, 4, img, lab);
    ms_noise_opts o;
    ms_noise_opts_default(&o);
    o.sigma = 0.2, o.clutter = 2, o.seed = 3;
    ms_ann_data all = { .n = N, .u8 = img, .scale = 1.0 / 255, .rows = 4, .cols = 4 };
    ms_ann_data tail = all;
    tail.u8 += 5 * 16, tail.n = 3, tail.index0 = 5;
    double x[16], y[16];
    char msg[256];
    cr_assert_eq(ms_ann_data_sample(&all, 16, 6, &o, x, msg, sizeof msg), MS_OK, "%s", msg);
    cr_assert_eq(ms_ann_data_sample(&tail, 16, 1, &o, y, msg, sizeof msg), MS_OK, "%s", msg);
    cr_assert(memcmp(x, y, sizeof x) == 0);
    cr_assert_eq(ms_ann_data_sample(&tail, 16, 3, &o, y, msg, sizeof msg), MS_EINVAL);
}

/* ---- the weight file ------------------------------------------------------------------------ */

static void write_bytes(const char *path, const unsigned char *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f);
    cr_assert_eq(fwrite(b, 1, n, f), n);
    fclose(f);
}

static unsigned char *read_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    unsigned char *b = malloc(*n);
    cr_assert_eq(fread(b, 1, *n, f), *n);
    fclose(f);
    return b;
}

Test(ann, save_load_round_trip)
{
    ms_ann_opts o;
    ms_ann_opts_default(&o);
    o.n_in = 10, o.n_hidden = 6, o.n_out = 3, o.branches = 2, o.out_branches = 3, o.nonlinearity = 0.2, o.theta = 0.05;
    uint32_t band[10] = { 1, 0, 1, 0, 1, 0, 1, 1, 0, 0 };
    o.band_of = band;
    o.seed = 77;
    ms_ann *a, *b;
    char msg[512];
    cr_assert_eq(ms_ann_create(&o, &a, msg, sizeof msg), MS_OK, "%s", msg);
    ms_ann_params(a)[7] = -0.0; /* signed zero and a denormal survive too */
    ms_ann_params(a)[8] = 4.9e-324;
    const char *p = tmp_path("ann_roundtrip.msann");
    cr_assert_eq(ms_ann_save(a, p), MS_OK, "%s", ms_ann_errmsg(a));
    size_t n;
    unsigned char *bytes = read_bytes(p, &n);
    cr_assert_eq(n, 64 + 4 * 10 + 8 * (10 * 6 + 6 * 3));
    cr_assert(memcmp(bytes, "MSANN1\0\0", 8) == 0);
    cr_assert(bytes[8] == 10 && bytes[9] == 0 && bytes[12] == 6, "sizes little-endian");
    cr_assert_eq(ms_ann_load(p, &b, msg, sizeof msg), MS_OK, "%s", msg);
    cr_assert_eq(ms_ann_n_params(b), ms_ann_n_params(a));
    cr_assert(memcmp(ms_ann_params(a), ms_ann_params(b), ms_ann_n_params(a) * sizeof(double)) == 0);
    const ms_ann_opts *ob = ms_ann_options(b);
    cr_assert(ob->n_in == 10 && ob->n_hidden == 6 && ob->n_out == 3 && ob->branches == 2 && ob->out_branches == 3);
    cr_assert(ob->nonlinearity == 0.2 && ob->theta == 0.05 && ob->seed == 77 && ob->dendrites == 1);
    cr_assert(memcmp(ob->band_of, band, sizeof band) == 0);
    /* same outputs */
    double x[10] = { 0.1, 0.9, 0.3, 0, 0.5, 0.7, 0.2, 0.4, 1, 0.6 }, ya[3], yb[3];
    ms_ann_forward(a, x, ya, NULL, NULL, NULL);
    ms_ann_forward(b, x, yb, NULL, NULL, NULL);
    cr_assert(memcmp(ya, yb, sizeof ya) == 0);
    /* into an existing network of the same shape */
    ms_ann_init_weights(b, 5);
    cr_assert_eq(ms_ann_load_weights(b, p), MS_OK, "%s", ms_ann_errmsg(b));
    cr_assert(memcmp(ms_ann_params(a), ms_ann_params(b), ms_ann_n_params(a) * sizeof(double)) == 0);
    /* saved again, the file is byte for byte the same */
    const char *p2 = tmp_path("ann_roundtrip2.msann");
    cr_assert_eq(ms_ann_save(b, p2), MS_OK);
    size_t n2;
    unsigned char *bytes2 = read_bytes(p2, &n2);
    cr_assert(n2 == n && memcmp(bytes, bytes2, n) == 0);
    free(bytes), free(bytes2);
    ms_ann_free(a), ms_ann_free(b);
}

Test(ann, load_refuses_wrong_shape_and_truncation)
{
    ms_ann *a = make(16, 100, 10, 4, 4, 1, 1), *b = make(16, 200, 10, 4, 4, 1, 1), *c = NULL;
    const char *p = tmp_path("ann_shape.msann");
    cr_assert_eq(ms_ann_save(a, p), MS_OK, "%s", ms_ann_errmsg(a));
    double before = ms_ann_params(b)[0];
    cr_assert_eq(ms_ann_load_weights(b, p), MS_EINVAL);
    char expect[1024];
    snprintf(expect, sizeof expect, "ann: weight file '%s' has 100 hidden units, expected 200", p);
    cr_assert_str_eq(ms_ann_errmsg(b), expect);
    cr_assert_eq(ms_ann_params(b)[0], before, "a refused file must not change the network");
    ms_ann *d = make(16, 100, 10, 4, 4, 0, 1);
    cr_assert_eq(ms_ann_load_weights(d, p), MS_EINVAL);
    cr_assert(strstr(ms_ann_errmsg(d), "has 4 layer-1 branches, expected 1"), "%s", ms_ann_errmsg(d));
    /* truncated: the header's sizes promise more than the file holds */
    size_t n;
    unsigned char *bytes = read_bytes(p, &n);
    const char *t = tmp_path("ann_trunc.msann");
    write_bytes(t, bytes, n - 100);
    char msg[1024];
    cr_assert_eq(ms_ann_load(t, &c, msg, sizeof msg), MS_EIO);
    cr_assert_null(c);
    snprintf(expect, sizeof expect,
             "ann: weight file '%s' is truncated: expected %zu bytes (16 inputs, 100 hidden, 10 outputs), file has %zu", t, n,
             n - 100);
    cr_assert_str_eq(msg, expect);
    cr_assert_eq(ms_ann_load_weights(a, t), MS_EIO);
    cr_assert_str_eq(ms_ann_errmsg(a), expect);
    write_bytes(t, bytes, 30);
    cr_assert_eq(ms_ann_load(t, &c, msg, sizeof msg), MS_EIO);
    cr_assert(strstr(msg, "is truncated: its header needs 64 bytes, file has 30"), "%s", msg);
    /* trailing bytes, and not a weight file at all */
    unsigned char *longer = calloc(n + 8, 1);
    memcpy(longer, bytes, n);
    write_bytes(t, longer, n + 8);
    cr_assert_eq(ms_ann_load(t, &c, msg, sizeof msg), MS_EIO);
    cr_assert(strstr(msg, "the header does not describe the file"), "%s", msg);
    write_bytes(t, (const unsigned char *)"P5\n28 28\n255\n", 13);
    cr_assert_eq(ms_ann_load(t, &c, msg, sizeof msg), MS_EIO);
    cr_assert(strstr(msg, "is not a memsnn weight file"), "%s", msg);
    cr_assert_eq(ms_ann_load(tmp_path("no_such_file.msann"), &c, msg, sizeof msg), MS_EIO);
    cr_assert(strstr(msg, "cannot open weight file"), "%s", msg);
    free(bytes), free(longer);
    ms_ann_free(a), ms_ann_free(b), ms_ann_free(d);
}

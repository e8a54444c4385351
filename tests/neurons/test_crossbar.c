/* Crossbar mapping (neurons/crossbar.c): quantisation error of an ideal mapping, write-verify
 * tolerance, its identity with ms_rram_program, the effect and direction of each non-ideality
 * (variation, stuck-at, relaxation), reproducibility of the streams, differential signs, tile
 * counts and every bad-input message. The numbers quoted in docs/crossbar.md are the
 * cr_log_info lines of these tests (run the binary with --verbose). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ms_rng.h"
#include "core/ms_status.h"
#include "devices/ms_device.h"
#include "devices/ms_rram.h"
#include "neurons/ms_crossbar.h"

TestSuite(crossbar, .timeout = 30);

#define N_MAX 4096

/* The outputs of one mapping. */
typedef struct mapped {
    double gp[N_MAX], gn[N_MAX], xp[N_MAX], xn[N_MAX], wr[N_MAX];
    ms_crossbar_report r;
    char msg[512];
} mapped;

static mapped A, B;   /* too large for the stack of a test */

/* n weights uniform in [lo, hi], from a stream of their own. */
static void weights(double *w, size_t n, double lo, double hi, uint64_t seed)
{
    ms_rng r;
    ms_rng_init(&r, seed, 0, MS_RNG_USER);
    for (size_t i = 0; i < n; i++) w[i] = lo + (hi - lo) * ms_rng_uniform(&r);
}

static int map(const ms_crossbar_opts *o, const double *w, size_t n, uint64_t base, mapped *m)
{
    return ms_crossbar_map(o, w, n, n, 1, base, m->gp, m->gn, m->xp, m->xn, m->wr, &m->r,
                           m->msg, sizeof m->msg);
}

static int level_of(const ms_crossbar_opts *o, double w, double w_max)
{
    return (int)floor(fabs(w) / w_max * (o->levels - 1) + 0.5);
}

/* The ideal options: open-loop set, no non-ideality. */
static ms_crossbar_opts ideal(void)
{
    ms_crossbar_opts o;
    ms_crossbar_opts_default(&o);
    o.write_verify = 0;
    return o;
}

/* ---- defaults ------------------------------------------------------------------------------ */

Test(crossbar, defaults_are_the_rram_ones_and_every_non_ideality_is_off)
{
    ms_crossbar_opts o;
    ms_crossbar_opts_default(&o);
    cr_assert_eq(o.rows, 128);
    cr_assert_eq(o.cols, 32);
    cr_assert_eq(o.levels, 64);
    cr_assert_eq(o.g_min, 2e-6);
    cr_assert_eq(o.g_max, 2e-5);
    cr_assert_eq(o.wv_tol, 0.5);
    cr_assert(o.differential && o.write_verify && !o.clip && o.w_max == 0);
    cr_assert(o.variation == 0 && o.c2c == 0 && o.read_noise == 0 && o.p_stuck_off == 0 &&
              o.p_stuck_on == 0 && o.t_since == 0 && o.relax_scale == 1);
}

/* ---- quantisation -------------------------------------------------------------------------- */

Test(crossbar, ideal_mapping_is_within_half_a_level_and_counts_its_levels)
{
    static double w[2000];
    size_t n = 2000;
    for (int diff = 0; diff <= 1; diff++) {
        ms_crossbar_opts o = ideal();
        o.differential = diff;
        o.w_max = 1.5;
        weights(w, n, diff ? -1.5 : 0.0, 1.5, 7);
        cr_assert_eq(map(&o, w, n, 0, &A), MS_OK, "%s", A.msg);
        double dw = o.w_max / (o.levels - 1), worst = 0;
        int seen[64] = { 0 }, distinct = 0;
        for (size_t s = 0; s < n; s++) {
            double e = fabs(A.wr[s] - w[s]);
            worst = fmax(worst, e);
            cr_assert_leq(e, 0.5 * dw * (1 + 1e-9), "synapse %zu: w %g realised %g", s, w[s],
                          A.wr[s]);
            int k = level_of(&o, w[s], o.w_max);
            double G = 2e-6 + k * (18e-6 / 63);
            /* the device of the weight's sign holds the level, its partner g_min */
            double on = w[s] >= 0 ? A.gp[s] : A.gn[s], off = w[s] >= 0 ? A.gn[s] : A.gp[s];
            cr_assert_float_eq(on, G, 1e-18);
            if (diff) cr_assert_eq(off, 2e-6);
            else cr_assert_eq(A.gn[s], 0.0);
            seen[k] = 1;
            if (diff) seen[0] = 1;
        }
        for (int k = 0; k < 64; k++) distinct += seen[k];
        cr_assert_eq(A.r.levels_used, distinct);
        cr_assert_eq(A.r.n_devices, diff ? 2 * n : n);
        cr_assert_eq(A.r.n_wv_failed + A.r.n_stuck + A.r.n_clipped, 0);
        cr_assert_eq(A.r.mean_pulses, 0.0);
        cr_assert_eq(A.r.write_energy, 0.0);
        /* uniform weights: the rounding error is uniform on +-dw/2, rms dw / sqrt(12) */
        cr_assert(fabs(A.r.rms_error / (dw / sqrt(12)) - 1) < 0.05, "rms %g", A.r.rms_error);
        cr_assert_float_eq(A.r.max_error, worst, 1e-15);
        cr_log_info("ideal %s: rms %.4g (dw/sqrt12 = %.4g), max %.4g (dw/2 = %.4g), %d levels",
                    diff ? "differential" : "single-ended", A.r.rms_error, dw / sqrt(12),
                    A.r.max_error, dw / 2, A.r.levels_used);
    }
    /* a few weights use a few levels: 0, w_max/2 (level 31.5 -> 32), w_max, -w_max */
    ms_crossbar_opts o = ideal();
    double few[] = { 0, 1, 2, -2, 2, 1 };
    cr_assert_eq(map(&o, few, 6, 0, &A), MS_OK, "%s", A.msg);
    cr_assert_eq(A.r.w_max, 2.0);   /* w_max = 0: the largest |w| */
    cr_assert_eq(A.r.levels_used, 3);
    cr_assert_eq(A.gp[2], 2e-5);
    cr_assert_eq(A.gn[3], 2e-5);
}

Test(crossbar, write_verify_without_noise_lands_within_its_tolerance)
{
    static double w[1000];
    size_t n = 1000;
    weights(w, n, -1, 1, 11);
    double tols[] = { 0.5, 0.1 };
    for (int t = 0; t < 2; t++) {
        ms_crossbar_opts o;
        ms_crossbar_opts_default(&o);
        o.w_max = 1;
        o.wv_tol = tols[t];
        cr_assert_eq(map(&o, w, n, 0, &A), MS_OK, "%s", A.msg);
        double spacing = 18e-6 / 63, dw = 1.0 / 63, worst = 0;
        for (size_t s = 0; s < n; s++) {
            int k = level_of(&o, w[s], 1);
            double Gp = 2e-6 + (w[s] >= 0 ? k : 0) * spacing;
            double Gn = 2e-6 + (w[s] < 0 ? k : 0) * spacing;
            cr_assert_leq(fabs(A.gp[s] - Gp), o.wv_tol * spacing, "synapse %zu", s);
            cr_assert_leq(fabs(A.gn[s] - Gn), o.wv_tol * spacing, "synapse %zu", s);
            worst = fmax(worst, fmax(fabs(A.gp[s] - Gp), fabs(A.gn[s] - Gn)) / spacing);
            cr_assert_leq(fabs(A.wr[s] - w[s]), (0.5 + 2 * o.wv_tol) * dw);
            cr_assert(A.xp[s] >= 0 && A.xp[s] <= 1 && A.xn[s] >= 0 && A.xn[s] <= 1);
        }
        cr_assert_eq(A.r.n_wv_failed, 0);
        cr_assert_gt(A.r.mean_pulses, 0);
        /* every pulse dissipates between (0.9 V)^2 G_min and (2 V)^2 G_max per t_pulse */
        double np = A.r.mean_pulses * (double)A.r.n_devices;
        cr_assert(A.r.write_energy > np * 0.81 * 2e-6 * 1e-7 &&
                      A.r.write_energy < np * 4 * 2e-5 * 1e-7,
                  "energy %g J for %g pulses", A.r.write_energy, np);
        cr_log_info("write-verify wv_tol %.2g: worst device %.3f spacings off, rms %.4g "
                    "(ideal dw/sqrt12 = %.4g), %.2f pulses/device, %.3g J per device",
                    o.wv_tol, worst, A.r.rms_error, dw / sqrt(12), A.r.mean_pulses,
                    A.r.write_energy / (double)A.r.n_devices);
    }
}

static double uni(void *ud) { return ms_rng_uniform(ud); }
static double nor(void *ud) { return ms_rng_normal(ud); }

/* The mapping programs with its own read/pulse operations (to add up the pulse energy): they
 * must do what ms_rram_program does, draw for draw. */
Test(crossbar, write_verify_is_ms_rram_program_draw_for_draw)
{
    ms_crossbar_opts o;
    ms_crossbar_opts_default(&o);
    o.differential = 0;
    o.variation = 0.1;
    o.c2c = 5.5e-7;
    o.read_noise = 0.01;
    o.seed = 99;
    double w[200];
    size_t n = 200;
    weights(w, n, 0, 1, 23);
    w[0] = 1;   /* so w_max = 1 */
    cr_assert_eq(ms_crossbar_map(&o, w, n, 1, n, 500, A.gp, NULL, A.xp, NULL, NULL, &A.r, A.msg,
                                 sizeof A.msg),
                 MS_OK, "%s", A.msg);
    const ms_device_class *c = ms_device_find("rram");
    double nom[MS_DEVICE_MAX_PARAMS], p[MS_DEVICE_MAX_PARAMS];
    ms_device_defaults(c, nom);
    nom[MS_RRAM_D2D_G] = nom[MS_RRAM_D2D_STEP] = 0.1;
    nom[MS_RRAM_SIGMA_C2C] = 5.5e-7;
    nom[MS_RRAM_SIGMA_READ] = 0.01;
    nom[MS_RRAM_P_STUCK_OFF] = nom[MS_RRAM_P_STUCK_ON] = 0;
    int total = 0;
    for (size_t s = 0; s < n; s++) {
        ms_rng rv, rn;
        ms_rng_init(&rv, 99, 500 + s, MS_RNG_VARIATION);
        ms_rng_init(&rn, 99, 500 + s, MS_RNG_NOISE);
        ms_device_rng var = { uni, nor, &rv }, noise = { uni, nor, &rn };
        char msg[256];
        cr_assert_eq(ms_device_sample(c, nom, p, &var, msg, sizeof msg), 0, "%s", msg);
        ms_rng_normal(&rn);   /* the relaxation draw comes first */
        double x = p[MS_RRAM_X0];
        ms_wv_opts wv;
        ms_rram_wv_defaults(nom, ms_rram_level_G(nom, level_of(&o, w[s], 1.0)), &wv);
        ms_wv_result res;
        cr_assert_eq(ms_rram_program(p, &x, &wv, &noise, &res, msg, sizeof msg), 0, "%s", msg);
        cr_assert_eq(memcmp(&x, &A.xp[s], sizeof x), 0, "synapse %zu: x %.17g vs %.17g", s, x,
                     A.xp[s]);
        cr_assert_eq(A.gp[s], ms_rram_G(p, x));
        total += res.pulses;
    }
    cr_assert_float_eq(A.r.mean_pulses, (double)total / n, 1e-12);
}

/* ---- non-idealities ------------------------------------------------------------------------- */

Test(crossbar, variation_increases_the_error)
{
    static double w[2000];
    size_t n = 2000;
    weights(w, n, -1, 1, 3);
    for (int wv = 0; wv <= 1; wv++) {
        ms_crossbar_opts o = ideal();
        o.write_verify = wv;
        o.w_max = 1;
        cr_assert_eq(map(&o, w, n, 0, &A), MS_OK, "%s", A.msg);
        double rms0 = A.r.rms_error;
        double rms[2];
        double sig[] = { 0.05, 0.1 };
        for (int i = 0; i < 2; i++) {
            o.variation = sig[i];
            cr_assert_eq(map(&o, w, n, 0, &B), MS_OK, "%s", B.msg);
            rms[i] = B.r.rms_error;
        }
        cr_assert_gt(rms[0], rms0 * (wv ? 1.05 : 2));
        cr_assert_gt(rms[1], rms[0]);
        cr_log_info("%s: rms error %.4g (no variation), %.4g (variation 0.05), %.4g (0.1); "
                    "write-verify failures at 0.1: %zu of %zu devices, %.2f pulses/device",
                    wv ? "write-verify" : "open loop", rms0, rms[0], rms[1], B.r.n_wv_failed,
                    B.r.n_devices, B.r.mean_pulses);
    }
}

Test(crossbar, stuck_devices_sit_at_their_bound)
{
    static double w[1000];
    size_t n = 1000;
    weights(w, n, -1, 1, 5);
    ms_crossbar_opts o;
    ms_crossbar_opts_default(&o);
    o.w_max = 1;
    o.p_stuck_off = 1;
    cr_assert_eq(map(&o, w, n, 0, &A), MS_OK, "%s", A.msg);
    cr_assert_eq(A.r.n_stuck, A.r.n_devices);
    for (size_t s = 0; s < n; s++) {
        cr_assert_eq(A.gp[s], 2e-6);
        cr_assert_eq(A.gn[s], 2e-6);
        cr_assert_eq(A.wr[s], 0.0);
    }
    cr_log_info("all stuck off: rms error %.4g (rms |w| = %.4g), %zu of %zu write-verifies "
                "failed, %.1f pulses/device",
                A.r.rms_error, 1 / sqrt(3.0), A.r.n_wv_failed, A.r.n_devices, A.r.mean_pulses);
    /* with variation the bound is the device's own G_min: 4 sigma of the lognormal */
    o.variation = 0.05;
    cr_assert_eq(map(&o, w, n, 0, &A), MS_OK, "%s", A.msg);
    for (size_t s = 0; s < n; s++) {
        cr_assert(fabs(log(A.gp[s] / 2e-6)) < 4 * 0.05, "g_pos %g", A.gp[s]);
        cr_assert(fabs(log(A.gn[s] / 2e-6)) < 4 * 0.05, "g_neg %g", A.gn[s]);
    }
    cr_assert_eq(A.r.n_stuck, A.r.n_devices);
    o.variation = 0;
    o.p_stuck_off = 0;
    o.p_stuck_on = 1;
    cr_assert_eq(map(&o, w, n, 0, &A), MS_OK, "%s", A.msg);
    for (size_t s = 0; s < n; s++) cr_assert(A.gp[s] == 2e-5 && A.gn[s] == 2e-5 && A.xp[s] == 1);
    /* a fraction: counted near its probability (binomial, 4 sigma) */
    o.p_stuck_on = 0;
    o.p_stuck_off = 0.05;
    cr_assert_eq(map(&o, w, n, 0, &A), MS_OK, "%s", A.msg);
    double mean = 0.05 * 2000, sd = sqrt(2000 * 0.05 * 0.95);
    cr_assert(fabs((double)A.r.n_stuck - mean) < 4 * sd, "%zu stuck", A.r.n_stuck);
    cr_log_info("p_stuck_off 0.05: %zu of 2000 devices stuck, rms error %.4g", A.r.n_stuck,
                A.r.rms_error);
}

Test(crossbar, relaxation_drifts_down_and_the_error_grows_with_time)
{
    static double w[4000];
    size_t n = 4000;
    /* single-ended weights away from the bounds, so no device is clamped by the drift */
    weights(w, n, 0.2, 0.8, 13);
    ms_crossbar_opts o = ideal();
    o.differential = 0;
    o.w_max = 1;
    cr_assert_eq(map(&o, w, n, 0, &A), MS_OK, "%s", A.msg);
    double rms_prev = A.r.rms_error, rms0 = A.r.rms_error;
    const ms_device_class *c = ms_device_find("rram");
    double p[MS_DEVICE_MAX_PARAMS];
    ms_device_defaults(c, p);
    double ts[] = { 3600, 86400, 3.15e7 };
    for (int i = 0; i < 3; i++) {
        o.t_since = ts[i];
        cr_assert_eq(map(&o, w, n, 0, &B), MS_OK, "%s", B.msg);
        double m = 0, q = 0;
        for (size_t s = 0; s < n; s++) m += B.gp[s] - A.gp[s];
        m /= n;
        for (size_t s = 0; s < n; s++) q += (B.gp[s] - A.gp[s] - m) * (B.gp[s] - A.gp[s] - m);
        double sd = sqrt(q / (n - 1));
        double mu = ms_rram_relax_mean(p, ts[i]), sigma = ms_rram_relax_sigma(p, ts[i]);
        cr_assert_lt(mu, 0);   /* rram's relax_mu < 0: conductances drift down */
        cr_assert(fabs(m - mu) < 5 * sigma / sqrt((double)n), "t %g s: mean shift %g S vs %g S",
                  ts[i], m, mu);
        cr_assert(fabs(sd / sigma - 1) < 0.1, "t %g s: spread %g S vs %g S", ts[i], sd, sigma);
        cr_assert_gt(B.r.rms_error, rms_prev);
        cr_log_info("t_since %g s: mean shift %.4g uS (law %.4g), spread %.4g uS (law %.4g), "
                    "rms weight error %.4g (%.4g at t = 0)",
                    ts[i], m * 1e6, mu * 1e6, sd * 1e6, sigma * 1e6, B.r.rms_error, rms0);
        rms_prev = B.r.rms_error;
    }
    /* relax_scale 0 switches it off, 2 doubles the mean shift */
    o.t_since = 86400;
    o.relax_scale = 0;
    cr_assert_eq(map(&o, w, n, 0, &B), MS_OK, "%s", B.msg);
    cr_assert_eq(memcmp(A.gp, B.gp, n * sizeof *A.gp), 0);
    o.relax_scale = 2;
    cr_assert_eq(map(&o, w, n, 0, &B), MS_OK, "%s", B.msg);
    double m = 0;
    for (size_t s = 0; s < n; s++) m += B.gp[s] - A.gp[s];
    m /= n;
    cr_assert(fabs(m / (2 * ms_rram_relax_mean(p, 86400)) - 1) < 0.2, "mean %g", m);
}

/* ---- reproducibility ------------------------------------------------------------------------ */

Test(crossbar, same_seed_same_devices_whatever_the_call_order)
{
    static double w[500];
    size_t n = 500;
    weights(w, n, -1, 1, 17);
    ms_crossbar_opts o;
    ms_crossbar_opts_default(&o);
    o.variation = 0.1;
    o.c2c = 5.5e-7;
    o.read_noise = 0.01;
    o.p_stuck_off = o.p_stuck_on = 0.01;
    o.t_since = 3600;
    o.seed = 42;
    o.w_max = 1;   /* w_max = 0 would take the largest |w| of whatever is mapped */
    cr_assert_eq(map(&o, w, n, 1000, &A), MS_OK, "%s", A.msg);
    cr_assert_eq(map(&o, w, n, 1000, &B), MS_OK, "%s", B.msg);
    cr_assert_eq(memcmp(A.gp, B.gp, n * sizeof *A.gp), 0);
    cr_assert_eq(memcmp(A.gn, B.gn, n * sizeof *A.gn), 0);
    cr_assert_eq(memcmp(A.xp, B.xp, n * sizeof *A.xp), 0);
    cr_assert_eq(memcmp(A.xn, B.xn, n * sizeof *A.xn), 0);
    cr_assert_eq(memcmp(A.wr, B.wr, n * sizeof *A.wr), 0);
    cr_assert_eq(memcmp(&A.r, &B.r, sizeof A.r), 0);
    /* synapses 200..299 mapped alone, with their stream base, are the same devices */
    mapped *C = &B;
    cr_assert_eq(map(&o, w + 200, 100, 1000 + 2 * 200, C), MS_OK, "%s", C->msg);
    cr_assert_eq(memcmp(A.gp + 200, C->gp, 100 * sizeof *A.gp), 0);
    cr_assert_eq(memcmp(A.gn + 200, C->gn, 100 * sizeof *A.gn), 0);
    /* another seed, or another stream base, gives other devices */
    o.seed = 43;
    cr_assert_eq(map(&o, w, n, 1000, &B), MS_OK, "%s", B.msg);
    size_t differ = 0;
    for (size_t s = 0; s < n; s++) differ += A.gp[s] != B.gp[s];
    cr_assert_gt(differ, n * 9 / 10, "only %zu of %zu differ", differ, n);
    o.seed = 42;
    cr_assert_eq(map(&o, w, n, 0, &B), MS_OK, "%s", B.msg);
    differ = 0;
    for (size_t s = 0; s < n; s++) differ += A.gp[s] != B.gp[s];
    cr_assert_gt(differ, n * 9 / 10, "only %zu of %zu differ", differ, n);
}

/* ---- signs, clipping, tiles ----------------------------------------------------------------- */

Test(crossbar, negative_weights_use_the_negative_device)
{
    double w[] = { -1.0, -0.25, 0.25, 1.0, 0.0, -0.01 };
    ms_crossbar_opts o;
    ms_crossbar_opts_default(&o);
    o.c2c = 5.5e-7;
    o.read_noise = 0.01;
    cr_assert_eq(map(&o, w, 6, 0, &A), MS_OK, "%s", A.msg);
    for (int s = 0; s < 6; s++) {
        if (level_of(&o, w[s], 1.0) == 0) continue;   /* rounds to 0: both at g_min */
        if (w[s] < 0) cr_assert_gt(A.gn[s], A.gp[s], "synapse %d", s);
        else cr_assert_gt(A.gp[s], A.gn[s], "synapse %d", s);
        cr_assert_eq(signbit(A.wr[s]), signbit(w[s]), "synapse %d", s);
    }
}

Test(crossbar, clip_saturates_and_counts)
{
    double w[] = { -3, -1, 0, 1, 2.5, 0.5 };
    ms_crossbar_opts o = ideal();
    o.w_max = 2;
    o.clip = 1;
    cr_assert_eq(map(&o, w, 6, 0, &A), MS_OK, "%s", A.msg);
    cr_assert_eq(A.r.n_clipped, 2);
    cr_assert_float_eq(A.wr[0], -2, 1e-12);
    cr_assert_float_eq(A.wr[4], 2, 1e-12);
    cr_assert_float_eq(A.r.max_error, 1.0, 1e-12);   /* against the requested -3 */
}

Test(crossbar, tile_count_for_784_x_100)
{
    double w[] = { 0.5 };
    ms_crossbar_opts o = ideal();
    ms_crossbar_report r;
    char msg[256];
    cr_assert_eq(ms_crossbar_map(&o, w, 1, 784, 100, 0, NULL, NULL, NULL, NULL, NULL, &r, msg,
                                 sizeof msg),
                 MS_OK, "%s", msg);
    /* ceil(784/128) = 7 row blocks; 100 pairs = 200 bit lines, ceil(200/32) = 7 */
    cr_assert(r.tile_rows == 7 && r.tile_cols == 7 && r.tiles == 49, "%zu x %zu", r.tile_rows,
              r.tile_cols);
    o.differential = 0;   /* ceil(100/32) = 4 */
    cr_assert_eq(ms_crossbar_map(&o, w, 1, 784, 100, 0, NULL, NULL, NULL, NULL, NULL, &r, msg,
                                 sizeof msg),
                 MS_OK, "%s", msg);
    cr_assert(r.tile_rows == 7 && r.tile_cols == 4 && r.tiles == 28);
    o.differential = 1;
    o.rows = 1152;   /* the seed talk's large tile: 1 x ceil(200/128) = 2 */
    o.cols = 128;
    cr_assert_eq(ms_crossbar_map(&o, w, 1, 784, 100, 0, NULL, NULL, NULL, NULL, NULL, &r, msg,
                                 sizeof msg),
                 MS_OK, "%s", msg);
    cr_assert(r.tile_rows == 1 && r.tile_cols == 2 && r.tiles == 2);
    o.rows = 128;   /* exact fits: 256 x 64 pairs = 2 x 4 */
    o.cols = 32;
    cr_assert_eq(ms_crossbar_map(&o, w, 1, 256, 64, 0, NULL, NULL, NULL, NULL, NULL, &r, msg,
                                 sizeof msg),
                 MS_OK, "%s", msg);
    cr_assert(r.tile_rows == 2 && r.tile_cols == 4 && r.tiles == 8);
}

/* ---- bad input ------------------------------------------------------------------------------ */

/* Maps w[0..n) with o and expects MS_EINVAL and a message containing want. */
static void expect_error(const ms_crossbar_opts *o, const double *w, size_t n, const char *want)
{
    char msg[512] = "";
    int rc = ms_crossbar_map(o, w, n, n, 1, 0, A.gp, A.gn, A.xp, A.xn, A.wr, &A.r, msg,
                             sizeof msg);
    cr_assert_eq(rc, MS_EINVAL, "expected an error with '%s'", want);
    cr_assert(strstr(msg, want), "message '%s' lacks '%s'", msg, want);
}

Test(crossbar, rejects_bad_options_and_weights_with_clear_messages)
{
    double w[10] = { 0.1, -0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 3.2, 1.0, 2.0 };
    ms_crossbar_opts o;
    ms_crossbar_opts_default(&o);
    o.rows = 0;
    expect_error(&o, w, 10, "crossbar: tile size 0 x 32: rows and cols must be >= 1");
    ms_crossbar_opts_default(&o);
    o.cols = 0;
    expect_error(&o, w, 10, "crossbar: tile size 128 x 0: rows and cols must be >= 1");
    ms_crossbar_opts_default(&o);
    o.g_min = 2e-5;
    o.g_max = 1e-5;
    expect_error(&o, w, 10, "crossbar: g_min = 2e-05 S must be < g_max = 1e-05 S");
    ms_crossbar_opts_default(&o);
    o.g_max = INFINITY;
    expect_error(&o, w, 10, "g_max = inf S must be finite");
    ms_crossbar_opts_default(&o);
    o.levels = 1;
    expect_error(&o, w, 10, "crossbar: levels = 1 must be >= 2");
    o.levels = 5000;
    expect_error(&o, w, 10, "crossbar: option levels = 5000: rram: parameter n_levels");
    ms_crossbar_opts_default(&o);
    o.w_max = 2;
    expect_error(&o, w, 10,
                 "crossbar: weight 3.2 at synapse 7 is outside [-w_max, w_max] = [-2, 2] "
                 "(set clip = true to clip)");
    o.w_max = -1;
    expect_error(&o, w, 10, "crossbar: w_max = -1 must be > 0");
    ms_crossbar_opts_default(&o);
    w[4] = NAN;
    expect_error(&o, w, 10, "crossbar: weight nan at synapse 4 is not finite");
    w[4] = INFINITY;
    expect_error(&o, w, 10, "crossbar: weight inf at synapse 4 is not finite");
    w[4] = 0.5;
    o.differential = 0;
    expect_error(&o, w, 10, "crossbar: weight -0.2 at synapse 1 is negative, but differential = 0");
    ms_crossbar_opts_default(&o);
    o.variation = 2;
    expect_error(&o, w, 10, "crossbar: option variation = 2: rram: parameter d2d_G");
    ms_crossbar_opts_default(&o);
    o.c2c = -1e-7;
    expect_error(&o, w, 10, "crossbar: option c2c = -1e-07");
    ms_crossbar_opts_default(&o);
    o.read_noise = NAN;
    expect_error(&o, w, 10, "crossbar: option read_noise = nan");
    ms_crossbar_opts_default(&o);
    o.wv_tol = 0;
    expect_error(&o, w, 10, "crossbar: option wv_tol = 0");
    ms_crossbar_opts_default(&o);
    o.p_stuck_off = 0.7;
    o.p_stuck_on = 0.7;
    expect_error(&o, w, 10, "crossbar: rram: p_stuck_off + p_stuck_on = 1.4 must be <= 1");
    ms_crossbar_opts_default(&o);
    o.t_since = -1;
    expect_error(&o, w, 10, "crossbar: t_since = -1 s must be a finite value >= 0");
    ms_crossbar_opts_default(&o);
    o.relax_scale = -1;
    expect_error(&o, w, 10, "crossbar: relax_scale = -1 must be a finite value >= 0");
    o.relax_scale = 1e6;
    o.t_since = 1;
    expect_error(&o, w, 10, "crossbar: option relax_scale");
    expect_error(NULL, w, 10, "crossbar: options are NULL");
    ms_crossbar_opts_default(&o);
    expect_error(&o, NULL, 10, "crossbar: 10 weights but w is NULL");
    char msg[256];
    cr_assert_eq(ms_crossbar_map(&o, w, 10, 3, 3, 0, NULL, NULL, NULL, NULL, NULL, NULL, msg,
                                 sizeof msg),
                 MS_EINVAL);
    cr_assert(strstr(msg, "crossbar: 10 weights do not fit an n_pre x n_post = 3 x 3 matrix"),
              "%s", msg);
    cr_assert_eq(ms_crossbar_map(&o, w, 2, 2, 1, (uint64_t)1 << 48, NULL, NULL, NULL, NULL, NULL,
                                 NULL, msg, sizeof msg),
                 MS_EINVAL);
    cr_assert(strstr(msg, "48-bit stream index"), "%s", msg);
    /* no message buffer: still an error code, no crash */
    cr_assert_eq(ms_crossbar_map(NULL, w, 10, 10, 1, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                 0),
                 MS_EINVAL);
    /* nothing to map is fine */
    ms_crossbar_report r;
    cr_assert_eq(ms_crossbar_map(&o, NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, &r, msg,
                                 sizeof msg),
                 MS_OK, "%s", msg);
    cr_assert(r.n_devices == 0 && r.tiles == 0 && r.rms_error == 0);
}

/* Mapped arrays after mapping (neurons/xbar.c): the sign-based update of one device (one
 * pulse's step in the right direction, nothing below the threshold, the write energy booked),
 * rate-mode reads (mean current, the per-column read noise against its law), relaxation of a
 * mapped array against its documented laws (t = 0 untouched, identical to a mapping with
 * t_since), write-verify reprogramming and the bad-input messages. docs/crossbar.md. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ms_rng.h"
#include "devices/ms_device.h"
#include "devices/ms_rram.h"
#include "neurons/ms_crossbar.h"
#include "neurons/ms_xbar.h"

TestSuite(xbar, .timeout = 30);

static char msg[512];

static ms_xbar *make(const ms_crossbar_opts *o, const double *w, size_t ni, size_t no)
{
    ms_xbar *x = NULL;
    int rc = ms_xbar_create(o, w, ni, no, 0, &x, msg, sizeof msg);
    cr_assert_eq(rc, MS_OK, "%s", msg);
    return x;
}

/* The nominal device of an ideal mapping (no variation). */
static void nominal(double *p)
{
    ms_crossbar_opts o;
    ms_crossbar_opts_default(&o);
    cr_assert_eq(ms_crossbar_nominal(&o, p, msg, sizeof msg), MS_OK);
}

Test(xbar, one_sign_update_moves_one_device_by_one_pulse_step)
{
    ms_crossbar_opts o;
    ms_crossbar_opts_default(&o);
    o.w_max = 1.0;
    double w = 0.5, p[MS_DEVICE_MAX_PARAMS];
    nominal(p);
    ms_xbar *x = make(&o, &w, 1, 1);
    double gp0, gn0, gp, gn, u = 1.0, e;
    ms_xbar_conductances(x, &gp0, &gn0);
    ms_xbar_pulses r;

    /* below the threshold: |err x u| = 0.4 <= 0.5: nothing moves, nothing is booked */
    e = 0.4;
    cr_assert_eq(ms_xbar_update_sign(x, &u, &e, 0.5, MS_XBAR_ALTERNATE, &r), MS_OK);
    ms_xbar_conductances(x, &gp, &gn);
    cr_assert(gp == gp0 && gn == gn0 && r.pulses == 0 && r.energy_J == 0);

    /* above (0.6 > 0.5), second call = RESET phase (phases alternate per call): err > 0
     * raises w by one RESET pulse on G-, which sits at G_min and cannot go lower */
    e = 0.6;
    cr_assert_eq(ms_xbar_update_sign(x, &u, &e, 0.5, MS_XBAR_ALTERNATE, &r), MS_OK);
    ms_xbar_conductances(x, &gp, &gn);
    cr_assert(r.pulses == 1 && r.n_reset == 1 && gp == gp0 && gn == gn0);
    double v = p[MS_RRAM_V_PULSE_RESET], t = p[MS_RRAM_T_PULSE];
    cr_assert_float_eq(r.energy_J, v * v * gn0 * t, 1e-25);   /* 1.5^2 x 2 uS x 100 ns = 0.45 pJ */

    /* third call = SET phase: err > 0 SETs G+ by exactly the closed-form step */
    cr_assert_eq(ms_xbar_update_sign(x, &u, &e, 0.5, MS_XBAR_ALTERNATE, &r), MS_OK);
    ms_xbar_conductances(x, &gp, &gn);
    double x0 = ms_rram_x_of_G(p, gp0);
    double g_exp = ms_rram_G(p, ms_rram_pulse_x(p, x0, p[MS_RRAM_V_PULSE_SET], t));
    cr_log_info("SET at w = 0.5: G+ %.4f -> %.4f uS (step %.4f uS, law %.4f uS), energy %.3f pJ",
                gp0 * 1e6, gp * 1e6, (gp - gp0) * 1e6, (g_exp - gp0) * 1e6, r.energy_J * 1e12);
    cr_assert(gp > gp0 && gn == gn0 && r.n_set == 1);
    cr_assert_float_eq(gp, g_exp, 1e-15);
    double vs = p[MS_RRAM_V_PULSE_SET];
    cr_assert_float_eq(r.energy_J, vs * vs * 0.5 * (gp0 + gp) * t, 1e-25);

    /* err < 0 in a RESET phase lowers w: RESET on G+ by the closed-form step */
    double gp1 = gp;
    e = -0.6;
    cr_assert_eq(ms_xbar_update_sign(x, &u, &e, 0.5, MS_XBAR_ALTERNATE, &r), MS_OK);
    ms_xbar_conductances(x, &gp, &gn);
    g_exp = ms_rram_G(p, ms_rram_pulse_x(p, ms_rram_x_of_G(p, gp1), v, t));
    cr_assert(gp < gp1 && r.n_reset == 1);
    cr_assert_float_eq(gp, g_exp, 1e-15);

    /* negative activation flips the direction: u = 0.8 (the sign of u counts, not only err) is
     * not available (inputs are >= 0 in reads) but the rule takes any finite activation */
    u = -1.0, e = 0.6;   /* SET phase: err x u < 0 lowers w: SET on G- */
    cr_assert_eq(ms_xbar_update_sign(x, &u, &e, 0.5, MS_XBAR_ALTERNATE, &r), MS_OK);
    double gn1;
    ms_xbar_conductances(x, &gp1, &gn1);
    cr_assert(gn1 > gn && gp1 == gp && r.n_set == 1);

    ms_xbar_stats s;
    ms_xbar_get_stats(x, &s);
    cr_assert_eq(s.update_pulses, 4);
    cr_assert_eq(ms_xbar_wear(x)[0], 2);   /* G+: one SET, one RESET */
    cr_assert_eq(ms_xbar_wear(x)[1], 2);   /* G-: one RESET (at its bound), one SET */
    cr_assert(s.e_write_J > 0);
    ms_xbar_free(x);
}

Test(xbar, forward_is_the_column_current_and_its_read_noise_follows_the_law)
{
    ms_crossbar_opts o;
    ms_crossbar_opts_default(&o);
    o.read_noise = 0.05;
    enum { NI = 20, NO = 3 };
    double w[NI * NO], u[NI], gp[NI * NO], gn[NI * NO], I[NO];
    ms_rng r;
    ms_rng_init(&r, 9, 0, MS_RNG_USER);
    for (int k = 0; k < NI * NO; k++) w[k] = 2 * ms_rng_uniform(&r) - 1;
    for (int i = 0; i < NI; i++) u[i] = ms_rng_uniform(&r);
    ms_xbar *x = make(&o, w, NI, NO);
    ms_xbar_conductances(x, gp, gn);
    double v = ms_xbar_v_read(x), mean[NO] = { 0 }, sd[NO] = { 0 };
    cr_assert_eq(ms_xbar_forward(x, u, I, 0), MS_OK);
    for (int j = 0; j < NO; j++) {
        double s = 0, var = 0;
        for (int i = 0; i < NI; i++) {
            s += u[i] * v * (gp[i * NO + j] - gn[i * NO + j]);
            var += pow(u[i] * v * 0.05, 2) * (gp[i * NO + j] * gp[i * NO + j] + gn[i * NO + j] * gn[i * NO + j]);
        }
        cr_assert_float_eq(I[j], s, 1e-18);
        mean[j] = s, sd[j] = sqrt(var);
    }
    /* 20000 noisy reads: mean and sd of each column against the law */
    double m1[NO] = { 0 }, m2[NO] = { 0 };
    int n = 20000;
    for (int k = 0; k < n; k++) {
        ms_xbar_forward(x, u, I, 1);
        for (int j = 0; j < NO; j++) m1[j] += I[j], m2[j] += I[j] * I[j];
    }
    for (int j = 0; j < NO; j++) {
        double m = m1[j] / n, s = sqrt(m2[j] / n - m * m);
        cr_log_info("column %d: mean %.4g A (law %.4g), sd %.4g A (law %.4g)", j, m, mean[j], s, sd[j]);
        cr_assert(fabs(m - mean[j]) < 4 * sd[j] / sqrt(n));
        cr_assert(fabs(s / sd[j] - 1) < 0.03);
    }
    double bad[NI] = { 0 };
    bad[3] = 1.5;
    cr_assert_eq(ms_xbar_forward(x, bad, I, 0), MS_EINVAL);
    cr_assert_str_eq(ms_xbar_errmsg(x),
                     "crossbar: input 4 = 1.5 is outside [0, 1] (a fraction of the read voltage 0.2 V)");
    ms_xbar_free(x);
}

Test(xbar, relaxation_of_a_mapped_array_follows_the_laws)
{
    ms_crossbar_opts o;
    ms_crossbar_opts_default(&o);
    o.differential = 0;
    o.write_verify = 0;   /* open loop: every device exactly at its level */
    enum { N = 4000 };
    static double w[N], g0[N], g[N], gm[N];
    double p[MS_DEVICE_MAX_PARAMS];
    ms_crossbar_opts on = o;
    on.t_since = 1;
    cr_assert_eq(ms_crossbar_nominal(&on, p, msg, sizeof msg), MS_OK);
    ms_rng r;
    ms_rng_init(&r, 5, 0, MS_RNG_USER);
    for (int k = 0; k < N; k++) w[k] = 0.2 + 0.6 * ms_rng_uniform(&r);   /* away from the bounds */
    o.w_max = 1.0;
    ms_xbar *x = make(&o, w, N, 1);
    ms_xbar_conductances(x, g0, NULL);
    double ts[] = { 600, 7200, 86400, 30 * 86400.0 };
    for (int q = 0; q < 4; q++) {
        cr_assert_eq(ms_xbar_age(x, ts[q]), MS_OK);
        ms_xbar_conductances(x, g, NULL);
        double m = 0, v = 0;
        for (int k = 0; k < N; k++) m += g[k] - g0[k];
        m /= N;
        for (int k = 0; k < N; k++) v += pow(g[k] - g0[k] - m, 2);
        double s = sqrt(v / (N - 1));
        double lm = ms_rram_relax_mean(p, ts[q]), ls = ms_rram_relax_sigma(p, ts[q]);
        cr_log_info("t = %g s: mean shift %.4f uS (law %.4f), spread %.4f uS (law %.4f)", ts[q], m * 1e6,
                    lm * 1e6, s * 1e6, ls * 1e6);
        /* the mean within 3 standard errors plus 1 %, the spread within 5 % */
        cr_assert(fabs(m - lm) < 3 * ls / sqrt(N) + 0.01 * fabs(lm));
        cr_assert(fabs(s / ls - 1) < 0.05);
        /* the same devices as a mapping with t_since = t, bit for bit */
        ms_crossbar_opts ot = o;
        ot.t_since = ts[q];
        cr_assert_eq(ms_crossbar_map(&ot, w, N, N, 1, 0, gm, NULL, NULL, NULL, NULL, NULL, msg, sizeof msg), MS_OK);
        for (int k = 0; k < N; k++) cr_assert(gm[k] == g[k], "device %d at t = %g", k, ts[q]);
    }
    /* t = 0 restores every programmed state exactly */
    cr_assert_eq(ms_xbar_age(x, 0), MS_OK);
    ms_xbar_conductances(x, g, NULL);
    for (int k = 0; k < N; k++) cr_assert(g[k] == g0[k]);
    cr_assert_eq(ms_xbar_age(x, -1), MS_EINVAL);
    cr_assert_str_eq(ms_xbar_errmsg(x), "crossbar: age t = -1 s must be a finite time >= 0 since programming");
    ms_xbar_free(x);
}

Test(xbar, write_verify_reprograms_a_drifted_and_updated_array)
{
    ms_crossbar_opts o;
    ms_crossbar_opts_default(&o);
    o.w_max = 1.0;
    enum { N = 200 };
    double w[N], wr[N], u[N], e = 1.0;
    ms_rng r;
    ms_rng_init(&r, 2, 0, MS_RNG_USER);
    for (int k = 0; k < N; k++) w[k] = 2 * ms_rng_uniform(&r) - 1, u[k] = 1.0;
    ms_xbar *x = make(&o, w, N, 1);
    /* three SET-only pulses on every synapse, then a day of relaxation */
    for (int q = 0; q < 3; q++) ms_xbar_update_sign(x, u, &e, 0, MS_XBAR_SET_ONLY, NULL);
    ms_xbar_age(x, 86400);
    ms_xbar_weights(x, wr);
    double before = 0, after = 0;
    for (int k = 0; k < N; k++) before = fmax(before, fabs(wr[k] - w[k]));
    ms_xbar_pulses p;
    cr_assert_eq(ms_xbar_program(x, NULL, &p), MS_OK);
    ms_xbar_weights(x, wr);
    for (int k = 0; k < N; k++) after = fmax(after, fabs(wr[k] - w[k]));
    double dw = 1.0 / 63;   /* a level */
    cr_log_info("write-verify back to the mapping: max error %.4f -> %.4f (level %.4f), %llu pulses, %.2f pJ",
                before, after, dw, p.pulses, p.energy_J * 1e12);
    /* quantisation (half a level) plus two devices each within half a level of their target */
    cr_assert(before > 10 * dw && after <= 1.5 * dw + 1e-12);
    cr_assert(p.pulses > 0 && p.energy_J > 0 && ms_xbar_age_now(x) == 0);
    w[7] = 3;
    cr_assert_eq(ms_xbar_program(x, w, NULL), MS_EINVAL);
    cr_assert_str_eq(ms_xbar_errmsg(x),
                     "crossbar: weight 3 at synapse 8 is outside [-w_max, w_max] = [-1, 1] (set clip = true to clip)");
    double big = -1;
    cr_assert_eq(ms_xbar_update_sign(x, u, &e, big, MS_XBAR_ALTERNATE, NULL), MS_EINVAL);
    cr_assert_str_eq(ms_xbar_errmsg(x), "crossbar: update threshold = -1 must be a finite value >= 0");
    ms_xbar_free(x);
}

Test(xbar, list_mode_equals_the_dense_array)
{
    /* The synapses of a 3 x 4 array listed in dense order: the same devices, the same sign
     * update, the same reads; a sparse list (every other synapse) holds the same devices as a
     * mapping of its own weights with the same stream base. */
    ms_crossbar_opts o;
    ms_crossbar_opts_default(&o);
    o.variation = 0.05, o.c2c = 0.5e-6, o.read_noise = 0.01;
    enum { NI = 3, NO = 4, N = NI * NO };
    double w[N], u[NI] = { 1, 0.5, 0 }, e[NO] = { 1, -1, 0.5, -0.2 };
    size_t pre[N], post[N];
    for (int s = 0; s < N; s++) w[s] = 0.1 * (s - 5), pre[s] = (size_t)(s / NO), post[s] = (size_t)(s % NO);
    ms_xbar *d = NULL, *l = NULL, *sp = NULL;
    cr_assert_eq(ms_xbar_create(&o, w, NI, NO, 7, &d, msg, sizeof msg), MS_OK, "%s", msg);
    cr_assert_eq(ms_xbar_create_list(&o, w, N, pre, post, NI, NO, 7, &l, msg, sizeof msg), MS_OK, "%s", msg);
    cr_assert_eq(ms_xbar_synapses(l), N);
    double gd[N], gl[N], nd[N], nl[N], Id[NO], Il[NO];
    for (int round = 0; round < 3; round++) {
        ms_xbar_conductances(d, gd, nd);
        ms_xbar_conductances(l, gl, nl);
        cr_assert_arr_eq(gd, gl, sizeof gd);
        cr_assert_arr_eq(nd, nl, sizeof nd);
        cr_assert_eq(ms_xbar_forward(d, u, Id, 0), MS_OK);
        cr_assert_eq(ms_xbar_forward(l, u, Il, 0), MS_OK);
        for (int j = 0; j < NO; j++) cr_assert_float_eq(Id[j], Il[j], 1e-18);
        cr_assert_eq(ms_xbar_update_sign(d, u, e, 0.1, MS_XBAR_ALTERNATE, NULL), MS_OK);
        cr_assert_eq(ms_xbar_update_sign(l, u, e, 0.1, MS_XBAR_ALTERNATE, NULL), MS_OK);
    }
    /* every other synapse: devices 2s', 2s' + 1 of the list are those of a mapping of its weights */
    double ws[N / 2], gs[N / 2], gm[N / 2];
    size_t ps[N / 2], qs[N / 2];
    for (int k = 0; k < N / 2; k++) ws[k] = w[2 * k], ps[k] = pre[2 * k], qs[k] = post[2 * k];
    cr_assert_eq(ms_xbar_create_list(&o, ws, N / 2, ps, qs, NI, NO, 7, &sp, msg, sizeof msg), MS_OK, "%s", msg);
    ms_xbar_conductances(sp, gs, NULL);
    cr_assert_eq(ms_crossbar_map(&o, ws, N / 2, NI, NO, 7, gm, NULL, NULL, NULL, NULL, NULL, msg, sizeof msg), 0);
    cr_assert_arr_eq(gs, gm, sizeof gs);
    /* a synapse outside the array */
    ps[0] = NI;
    ms_xbar *bad = NULL;
    cr_assert_eq(ms_xbar_create_list(&o, ws, N / 2, ps, qs, NI, NO, 7, &bad, msg, sizeof msg), MS_EINVAL);
    cr_assert_str_eq(msg, "crossbar: synapse 1 joins input 4 to output 1, outside the 3 x 4 array");
    ms_xbar_free(d), ms_xbar_free(l), ms_xbar_free(sp);
}

Test(xbar, a_seed_array_of_1152_x_128_on_its_own_tiles)
{
    /* The seed talk's array size [B]: a 1152 x 128 matrix of uniform weights in [-1, 1] on
     * 1152 x 128 tiles: one tile row, two tile columns (a pair is two bit lines), all 64 levels,
     * and a realised error between the quantisation's (a level / sqrt(12) rms, half a level
     * at most) and write-verify's bound (each device within half a level: 1.5 levels at most). */
    ms_crossbar_opts o;
    ms_crossbar_opts_default(&o);
    o.rows = 1152, o.cols = 128, o.w_max = 1.0;
    enum { NI = 1152, NO = 128 };
    double *w = malloc(NI * NO * sizeof *w);
    ms_rng r;
    ms_rng_init(&r, 3, 0, MS_RNG_USER);
    for (int k = 0; k < NI * NO; k++) w[k] = 2 * ms_rng_uniform(&r) - 1;
    ms_xbar *x = make(&o, w, NI, NO);
    const ms_crossbar_report *rep = ms_xbar_report(x);
    double dw = 1.0 / 63;
    cr_log_info("1152 x 128 on 1152 x 128 tiles: %zu tiles (%zu x %zu), %d levels used, rms error %.5f "
                "(quantisation %.5f), max %.5f (level %.5f), %.2f pulses per device, %.3g J",
                rep->tiles, rep->tile_rows, rep->tile_cols, rep->levels_used, rep->rms_error, dw / sqrt(12.0),
                rep->max_error, dw, rep->mean_pulses, rep->write_energy);
    cr_assert_eq(rep->n_devices, 2 * NI * NO);
    cr_assert(rep->tiles == 2 && rep->tile_rows == 1 && rep->tile_cols == 2);
    cr_assert_eq(rep->levels_used, 64);
    cr_assert_geq(rep->rms_error, 0.9 * dw / sqrt(12.0));
    cr_assert_leq(rep->max_error, 1.5 * dw + 1e-12);
    cr_assert_eq(rep->n_wv_failed, 0);
    free(w);
    ms_xbar_free(x);
}

/* Devices that have endured cycling (option wear, the rram endurance law): the mapping lands in
 * the narrowed window, an update step is the worn device's closed-form step, smaller than the
 * fresh one, and a negative wear is refused by name and range. */
Test(xbar, worn_devices_map_into_the_narrowed_window_and_take_smaller_steps)
{
    ms_crossbar_opts o;
    ms_crossbar_opts_default(&o);
    o.w_max = 1.0;
    double w[2] = { 1.0, -1.0 }, p[MS_DEVICE_MAX_PARAMS];
    o.wear = 99 * 8.2e4;   /* D = 2: window fraction 0.8, [3.8, 18.2] uS, p_set 1.2 */
    cr_assert_eq(ms_crossbar_nominal(&o, p, msg, sizeof msg), MS_OK);
    cr_assert_float_eq(ms_rram_G_min_eff(p), 3.8e-6, 1e-17);
    ms_xbar *x = make(&o, w, 1, 2);
    double gp[2], gn[2];
    ms_xbar_conductances(x, gp, gn);
    /* w = +1 puts G+ at the top level, G- at level 0: the worn bounds, to write-verify's tolerance
     * (half a level of the worn window, 0.114 uS) */
    cr_assert_float_eq(gp[0], 18.2e-6, 0.12e-6, "G+ %g", gp[0]);
    cr_assert_float_eq(gn[0], 3.8e-6, 0.12e-6, "G- %g", gn[0]);
    cr_assert_float_eq(gn[1], 18.2e-6, 0.12e-6);
    double u[1] = { 1.0 }, e[2] = { -0.6, 0.0 };
    ms_xbar_pulses r;
    /* the first call is a SET phase: err < 0 lowers w by a SET pulse on G- (at the worn G_min) */
    cr_assert_eq(ms_xbar_update_sign(x, u, e, 0.5, MS_XBAR_ALTERNATE, &r), MS_OK);
    double gp1[2], gn1[2];
    ms_xbar_conductances(x, gp1, gn1);
    cr_assert(r.pulses == 1 && r.n_set == 1 && gp1[0] == gp[0]);
    double v = p[MS_RRAM_V_PULSE_SET], t = p[MS_RRAM_T_PULSE];
    double g_exp = ms_rram_G(p, ms_rram_pulse_x(p, ms_rram_x_of_G(p, gn[0]), v, t));
    cr_assert_float_eq(gn1[0], g_exp, 1e-15);
    double fresh[MS_DEVICE_MAX_PARAMS];
    nominal(fresh);
    double step_fresh = ms_rram_G(fresh, ms_rram_pulse_x(fresh, ms_rram_x_of_G(fresh, gn[0]), v, t)) - gn[0];
    cr_log_info("SET from the worn bottom %.3f uS: worn step %.3f uS, fresh device at that G %.3f uS",
                gn[0] * 1e6, (gn1[0] - gn[0]) * 1e6, step_fresh * 1e6);
    cr_assert_lt(gn1[0] - gn[0], step_fresh);
    ms_xbar_free(x);

    o.wear = -1;
    cr_assert_eq(ms_crossbar_nominal(&o, p, msg, sizeof msg), MS_EINVAL);
    cr_assert_str_eq(msg, "crossbar: option wear = -1: rram: parameter wear = -1 1 is outside [0, 1e+30]");
}

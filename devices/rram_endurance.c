/* devices/rram_endurance.c: the endurance protocol of devices/ms_rram_endurance.h. Each pulse is
 * the solution of the rram ODE at the device's current wear (the closed form ms_rram_pulse_x, or
 * the caller's pulse solver), and adds its dose (ms_rram_wear_dose) before the next pulse. The
 * fast path simulates one cycle, pulse by pulse, and repeats its wear for the rest of a block:
 * the cycle's dose changes only as the wear does, by a fraction of a decade per block
 * (docs/devices/rram.md, "Endurance"). */
#include <math.h>
#include <string.h>

#include "devices/device_impl.h"
#include "devices/ms_rram.h"
#include "devices/ms_rram_endurance.h"

#define N_P_MAX 1000000       /* pulses per direction and per probe: a bound on one cycle's work */

void ms_end_defaults(int full, ms_end_opts *o)
{
    /* [I] analog: 25 % <-> 75 % of the window as proposed for the protocol; 100 pulses of the
     * standard 100 ns width, which needs about 1.19 V SET and -1.04 V RESET on a fresh device.
     * Full: +-2 V (wv_V_max), 2 us: one pulse sweeps 99 % of the window either way. */
    *o = (ms_end_opts){ .full = full, .cycles = 0, .n_p = 100, .x_lo = 0.25, .x_hi = 0.75,
                        .t_w = 100e-9, .v_full = 2.0, .t_full = 2e-6, .n_probe = 32,
                        .block = 0.01 };
}

/* The "time" r = k h(v) t_w of the soft-bound law that takes u0 to u1 < u0 (inverse of decay()
 * in devices/rram.c). */
static double r_needed(double u0, double u1, double e)
{
    if (e == 1.0) return log(u0 / u1);
    double eps = e - 1.0;   /* the stable form of decay() near e = 1 */
    return (expm1(-eps * log(u1)) - expm1(-eps * log(u0))) / eps;
}

static int check(const double *p, const ms_end_opts *o, char *msg, size_t len)
{
    if (!(isfinite(o->cycles) && o->cycles >= 0 && o->cycles == floor(o->cycles)))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "endurance: cycles = %g must be a whole number >= 0", o->cycles);
    if (o->n_p < 1 || o->n_p > N_P_MAX)
        return msi_dev_err(msg, len, MS_DEV_EINVAL, "endurance: n_p = %d must be in [1, %d]",
                           o->n_p, N_P_MAX);
    if (!(o->x_lo > 0 && o->x_lo < o->x_hi && o->x_hi < 1))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "endurance: levels need 0 < lo < hi < 1 (lo = %g, hi = %g of the "
                           "window)", o->x_lo, o->x_hi);
    if (!(o->t_w > 0 && isfinite(o->t_w) && o->t_full > 0 && isfinite(o->t_full)))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "endurance: pulse widths must be > 0 s (width = %g s, full width = "
                           "%g s)", o->t_w, o->t_full);
    if (!(o->v_full > p[MS_RRAM_V_SET] && -o->v_full < p[MS_RRAM_V_RESET] &&
          o->v_full <= 10))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "endurance: v_full = %g V must exceed both thresholds (V_set = %g V, "
                           "-V_reset = %g V) and be <= 10 V", o->v_full, p[MS_RRAM_V_SET],
                           -p[MS_RRAM_V_RESET]);
    if (o->n_probe < 2 || o->n_probe > N_P_MAX)
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "endurance: n_probe = %d must be in [2, %d]", o->n_probe, N_P_MAX);
    if (!(o->block >= 0 && o->block <= 1))
        return msi_dev_err(msg, len, MS_DEV_EINVAL, "endurance: block = %g must be in [0, 1]",
                           o->block);
    return MS_DEV_OK;
}

int ms_end_cycle_pulses(const double *p, const ms_end_opts *o, double *v_set, double *v_reset,
                        double *t_w, int *n, char *msg, size_t len)
{
    int rc = check(p, o, msg, len);
    if (rc) return rc;
    if (o->full) {
        *v_set = o->v_full, *v_reset = -o->v_full, *t_w = o->t_full, *n = 1;
        return MS_DEV_OK;
    }
    /* n pulses of r each compose to one of n r (the law is autonomous in x). */
    double rs = r_needed(1.0 - o->x_lo, 1.0 - o->x_hi, ms_rram_p_set_eff(p)) / o->n_p;
    double rr = r_needed(o->x_hi, o->x_lo, ms_rram_p_reset_eff(p)) / o->n_p;
    double hs = rs / (p[MS_RRAM_K_SET] * o->t_w), hr = rr / (p[MS_RRAM_K_RESET] * o->t_w);
    *v_set = p[MS_RRAM_V_SET] * (1.0 + pow(hs, 1.0 / p[MS_RRAM_ALPHA_SET]));
    *v_reset = p[MS_RRAM_V_RESET] * (1.0 + pow(hr, 1.0 / p[MS_RRAM_ALPHA_RESET]));
    *t_w = o->t_w, *n = o->n_p;
    if (!(fabs(*v_set) <= 10 && fabs(*v_reset) <= 10))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "endurance: n_p = %d pulses of %g s need %g V / %g V, beyond 10 V; "
                           "use more pulses or wider ones", o->n_p, o->t_w, *v_set, *v_reset);
    return MS_DEV_OK;
}

/* One pulse through the options' solver (the closed form without one); nonzero: it failed. */
static int pulse(const ms_end_opts *o, const double *p, double x0, double v, double t_w,
                 double *x1)
{
    if (!o->pulse) {
        *x1 = ms_rram_pulse_x(p, x0, v, t_w);
        return 0;
    }
    return o->pulse(o->pulse_ud, p, x0, v, t_w, x1);
}

/* Mean and sd of the steps of a train of n standard SET pulses from G_min. */
static int probe(const ms_end_opts *o, const double *p, int n, double *mean, double *sd)
{
    double v = p[MS_RRAM_V_PULSE_SET], t = p[MS_RRAM_T_PULSE], x = 0, s = 0, s2 = 0;
    for (int k = 0; k < n; k++) {
        double G = ms_rram_G(p, x);
        if (pulse(o, p, x, v, t, &x)) return 1;
        double d = ms_rram_G(p, x) - G;
        s += d, s2 += d * d;
    }
    *mean = s / n;
    *sd = sqrt(fmax(s2 / n - *mean * *mean, 0.0));
    return 0;
}

/* 1 - (the smaller step / the larger step) of one standard pulse of polarity v at 25 % and at
 * 75 % of the window: 0 for a linear device, towards 1 as the soft bound saturates. */
static int nonlinearity(const ms_end_opts *o, const double *p, double v, double *nl)
{
    double t = p[MS_RRAM_T_PULSE], xa, xb;
    if (pulse(o, p, 0.25, v, t, &xa) || pulse(o, p, 0.75, v, t, &xb)) return 1;
    double a = fabs(ms_rram_G(p, xa) - ms_rram_G(p, 0.25));
    double b = fabs(ms_rram_G(p, xb) - ms_rram_G(p, 0.75));
    double hi = fmax(a, b);
    *nl = hi > 0 ? 1.0 - fmin(a, b) / hi : 0.0;
    return 0;
}

static int readout(const ms_end_opts *o, const double *p, int n_probe, ms_end_read *r)
{
    r->wear = p[MS_RRAM_WEAR];
    r->G_min = ms_rram_G_min_eff(p), r->G_max = ms_rram_G_max_eff(p);
    r->frac = ms_rram_window_frac(p);
    if (probe(o, p, n_probe, &r->step_mean, &r->step_sd) ||
        nonlinearity(o, p, p[MS_RRAM_V_PULSE_SET], &r->nl_set) ||
        nonlinearity(o, p, p[MS_RRAM_V_PULSE_RESET], &r->nl_reset))
        return 1;
    r->c2c_sd = p[MS_RRAM_SIGMA_C2C] * sqrt(fabs(r->step_mean) / MS_RRAM_C2C_REF_S);
    r->worn = r->frac <= p[MS_RRAM_END_F_FAIL];
    return 0;
}

void ms_end_readout(const double *p, int n_probe, ms_end_read *r)
{
    ms_end_opts o;
    ms_end_defaults(0, &o);   /* closed-form pulses: the readout cannot fail */
    readout(&o, p, n_probe, r);
}

/* One cycle, pulse by pulse, each pulse adding its wear before the next. */
static int cycle(const ms_end_opts *o, double *p, double *x, double vs, double vr, double t,
                 int n, double *G_hi, double *G_lo)
{
    double x1;
    for (int k = 0; k < n; k++) {
        if (pulse(o, p, *x, vs, t, &x1)) return 1;
        p[MS_RRAM_WEAR] += ms_rram_wear_dose(p, vs, x1 - *x);
        *x = x1;
    }
    *G_hi = ms_rram_G(p, *x);
    for (int k = 0; k < n; k++) {
        if (pulse(o, p, *x, vr, t, &x1)) return 1;
        p[MS_RRAM_WEAR] += ms_rram_wear_dose(p, vr, x1 - *x);
        *x = x1;
    }
    *G_lo = ms_rram_G(p, *x);
    return 0;
}

/* in_readout: in the readout at N cycles done; else in cycle N. */
static int solver_failed(int in_readout, double N, char *msg, size_t len)
{
    return in_readout ? msi_dev_err(msg, len, MS_DEV_EFAIL, "endurance: the pulse solver failed "
                                    "in the readout at %.17g cycles", N)
                      : msi_dev_err(msg, len, MS_DEV_EFAIL, "endurance: the pulse solver failed "
                                    "in cycle %.17g", N);
}

int ms_end_run(double *p, double *x, const ms_end_opts *o, const double *at, size_t n_at,
               ms_end_read *out, double *lifetime, char *msg, size_t len)
{
    double vs, vr, t;
    int n;
    int rc = ms_end_cycle_pulses(p, o, &vs, &vr, &t, &n, msg, len);
    if (rc) return rc;
    for (size_t k = 0; k < n_at; k++)
        if (!(at[k] >= 0 && at[k] == floor(at[k]) && at[k] <= o->cycles &&
              (k == 0 || at[k] > at[k - 1])))
            return msi_dev_err(msg, len, MS_DEV_EINVAL,
                               "endurance: readout %zu at %g cycles must be a whole number in "
                               "[0, cycles = %g], above the previous one", k + 1, at[k],
                               o->cycles);
    /* Wear at which the window fraction reaches end_f_fail (the law inverted). */
    double kap = p[MS_RRAM_END_KAPPA];
    double w_fail = kap > 0 ? p[MS_RRAM_END_W0] *
                                  (pow(10.0, (1.0 - p[MS_RRAM_END_F_FAIL]) / kap) - 1.0)
                            : INFINITY;
    *lifetime = p[MS_RRAM_WEAR] >= w_fail ? 0.0 : -1.0;
    *x = o->full ? 0.0 : o->x_lo;
    double N = 0, G_hi = ms_rram_G(p, *x), G_lo = G_hi;
    size_t k = 0;
    for (;;) {
        while (k < n_at && at[k] <= N) {
            if (readout(o, p, o->n_probe, &out[k])) return solver_failed(1, N, msg, len);
            out[k].cycles = N, out[k].G_lo = G_lo, out[k].G_hi = G_hi;
            k++;
        }
        if (N >= o->cycles) break;
        double next = k < n_at ? at[k] : o->cycles;
        double B = fmin(fmax(1.0, floor(o->block * N)), next - N);
        double w0 = p[MS_RRAM_WEAR];
        if (cycle(o, p, x, vs, vr, t, n, &G_hi, &G_lo)) return solver_failed(0, N + 1, msg, len);
        double d = p[MS_RRAM_WEAR] - w0;
        if (B > 1) p[MS_RRAM_WEAR] += (B - 1.0) * d;   /* (B - 1) d: no 0 x inf */
        if (*lifetime < 0 && p[MS_RRAM_WEAR] >= w_fail)
            *lifetime = N + (d > 0 ? fmax(1.0, ceil((w_fail - w0) / d)) : B);
        N += B;
    }
    return MS_DEV_OK;
}

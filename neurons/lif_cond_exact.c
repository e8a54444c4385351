/* neurons/lif_cond_exact.c: the exact propagator of lif_cond_exp (method "exact").
 *
 * Between inputs the conductances decay in closed form, g(s) = g0 exp(-s / tau), so the
 * membrane equation is linear with known coefficients, C v' = -a(s) v + b(s):
 *   a(s) = g_L + g_exc(s) + g_inh(s),  b(s) = g_L E_L + g_exc(s) E_exc + g_inh(s) E_inh + I
 * Its solution with the integrating factor A(s) = (1/C) int_0^s a is
 *   v(s) = v0 exp(-A(s)) + (1/C) int_0^s b(u) exp(-(A(s) - A(u))) du
 * where A is closed form and the integral is smooth: 4-point Gauss-Legendre on pieces no
 * longer than half the fastest time constant (tau_exc, tau_inh, C / a(0)) has a relative
 * error near 1e-12 (Abramowitz & Stegun 25.4.30 with f^(8) ~ f / tau^8).
 *
 * Threshold crossings: a piece whose end is above threshold holds a crossing; otherwise
 * the cubic Hermite interpolant of v and v' at both ends is checked, and a piece whose
 * interpolant comes near threshold is split (see first_crossing), so an excursion above
 * threshold inside a piece is not missed. The crossing is then located by safeguarded
 * regula falsi on the exact v(s) to 1e-13 s. */
#include <math.h>
#include <stddef.h>

#include "neurons/lif_cond_exp_impl.h"
#include "neurons/ms_fastexp.h"

#define PIECE_FRACTION 0.5        /* piece length / fastest time constant             */
#define HERMITE_MARGIN_V 1e-3     /* look closer at pieces whose interpolant comes this  */
                                  /* close to threshold (V); far above the Hermite error */
                                  /* of a piece (< 2e-6 V for pieces of tau / 2)         */
#define MIN_PIECE_S 1e-12         /* stop splitting below this (s)                     */
#define ROOT_TOL_S 1e-13          /* crossing time resolution (s)                      */

/* Gauss-Legendre 4-point rule mapped to [0, 1] (nodes and weights). */
const double msi_gl4_x[4] = { 0.0694318442029737124, 0.3300094782075718676, 0.6699905217924281324,
                              0.9305681557970262876 };
#define GL_X msi_gl4_x
static const double GL_W[4] = { 0.1739274225687269287, 0.3260725774312730713, 0.3260725774312730713,
                                0.1739274225687269287 };

/* The free (non-refractory) stretch that starts at the current state. */
typedef struct stretch {
    double v0, ge0, gi0, i0;      /* state at s = 0 (I: injected + bias)               */
    double c, gl, el, ee, ei;     /* parameters                                        */
    double te, ti;                /* tau_exc, tau_inh                                  */
} stretch;

static void stretch_init(stretch *f, const double *y, const double *p)
{
    f->v0 = y[Y_V];
    f->ge0 = y[Y_GEXC];
    f->gi0 = y[Y_GINH];
    f->i0 = y[Y_IINJ] + p[P_IE];
    f->c = p[P_C];
    f->gl = p[P_GL];
    f->el = p[P_EL];
    f->ee = p[P_EEXC];
    f->ei = p[P_EINH];
    f->te = p[P_TAU_EXC];
    f->ti = p[P_TAU_INH];
}

/* The conductance decay factors at the quadrature nodes of [0, s] and at s. */
typedef struct nodes {
    double s;
    double ee[4], ei[4];          /* exp(-x_k s / tau) at the nodes                    */
    double ee_s, ei_s;            /* exp(-s / tau)                                     */
} nodes;

static void nodes_init(const stretch *f, double s, nodes *q)
{
    q->s = s;
    for (int k = 0; k < 4; k++) {
        q->ee[k] = exp(-GL_X[k] * s / f->te);
        q->ei[k] = exp(-GL_X[k] * s / f->ti);
    }
    q->ee_s = exp(-s / f->te);
    q->ei_s = exp(-s / f->ti);
}

/* v(s) by the integrating factor; also v'(s) when dv is not NULL. C A(u) is the leak
 * plus the integrals of the decaying conductances, g0 tau (1 - exp(-u / tau)). */
static double v_nodes(const stretch *f, const nodes *q, double *dv)
{
    double s = q->s;
    double ca_s = f->gl * s + f->ge0 * f->te * (1.0 - q->ee_s) + f->gi0 * f->ti * (1.0 - q->ei_s);
    double acc = 0.0;
    for (int k = 0; k < 4; k++) {
        double u = s * GL_X[k];
        double ge = f->ge0 * q->ee[k], gi = f->gi0 * q->ei[k];
        double ca_u = f->gl * u + f->ge0 * f->te * (1.0 - q->ee[k]) + f->gi0 * f->ti * (1.0 - q->ei[k]);
        double b = f->gl * f->el + ge * f->ee + gi * f->ei + f->i0;
        acc += GL_W[k] * b * ms_fast_exp(-(ca_s - ca_u) / f->c);
    }
    double v = f->v0 * ms_fast_exp(-ca_s / f->c) + s * acc / f->c;
    if (dv) {
        double ge = f->ge0 * q->ee_s, gi = f->gi0 * q->ei_s;
        *dv = ((f->gl * f->el + ge * f->ee + gi * f->ei + f->i0) - (f->gl + ge + gi) * v) / f->c;
    }
    return v;
}

static double v_at(const stretch *f, double s, double *dv)
{
    nodes q;
    nodes_init(f, s, &q);
    return v_nodes(f, &q, dv);
}

/* The largest value of the cubic Hermite interpolant on [0, h]. */
static double hermite_max(double h, double v0, double d0, double v1, double d1)
{
    /* H(x) = v0 + h d0 x + c2 x^2 + c3 x^3 on x in [0, 1] */
    double c2 = 3 * (v1 - v0) - h * (2 * d0 + d1), c3 = 2 * (v0 - v1) + h * (d0 + d1);
    double best = fmax(v0, v1);
    /* H'(x) = h d0 + 2 c2 x + 3 c3 x^2 = 0 */
    double qa = 3 * c3, qb = 2 * c2, qc = h * d0;
    double xs[2];
    int nx = 0;
    if (fabs(qa) < 1e-300) {
        if (fabs(qb) > 1e-300) xs[nx++] = -qc / qb;
    } else {
        double disc = qb * qb - 4 * qa * qc;
        if (disc >= 0) {
            double r = sqrt(disc);
            xs[nx++] = (-qb + r) / (2 * qa);
            xs[nx++] = (-qb - r) / (2 * qa);
        }
    }
    for (int k = 0; k < nx; k++)
        if (xs[k] > 0 && xs[k] < 1) best = fmax(best, v0 + xs[k] * (h * d0 + xs[k] * (c2 + xs[k] * c3)));
    return best;
}

/* First s in (lo, hi] with v(s) = theta, given v(lo) < theta <= v(hi). */
static double locate(const stretch *f, double theta, double lo, double flo, double hi, double fhi)
{
    int side = 0;
    for (int it = 0; it < 200 && hi - lo > ROOT_TOL_S; it++) {
        /* Illinois variant of regula falsi, with bisection when it stalls. */
        double s = hi - fhi * (hi - lo) / (fhi - flo);
        if (!(s > lo && s < hi) || it % 8 == 7) s = 0.5 * (lo + hi);
        double fs = v_at(f, s, NULL) - theta;
        if (fs >= 0) {
            hi = s, fhi = fs;
            if (side == -1) flo *= 0.5;
            side = -1;
        } else {
            lo = s, flo = fs;
            if (side == 1) fhi *= 0.5;
            side = 1;
        }
    }
    return hi;
}

/* The cubic Hermite interpolant at the middle of [0, h]. */
static double hermite_mid(double h, double v0, double d0, double v1, double d1)
{
    return 0.5 * (v0 + v1) + 0.125 * h * (d0 - d1);
}

/* First crossing in [s0, s1] of the stretch, or -1; v0 < theta at s0 is known.
 * A piece is dismissed when its Hermite interpolant stays below threshold by more than
 * a multiple of the interpolation error, measured at the midpoint against the exact v;
 * otherwise it is split. The error falls 16-fold per split, so only the part of the
 * piece next to a near-threshold maximum is refined, a few levels deep. */
static double first_crossing(const stretch *f, double theta, double s0, double v0, double d0, double s1,
                             double v1, double d1, int depth)
{
    if (v1 >= theta) return locate(f, theta, s0, v0 - theta, s1, v1 - theta);
    double h = s1 - s0;
    /* The Hermite basis for the slopes stays within [0, 4/27] in size, which bounds the
     * interpolant cheaply; most pieces are dismissed here. */
    if (fmax(v0, v1) + h * (fmax(d0, 0.0) + fmax(-d1, 0.0)) * (4.0 / 27.0) < theta - HERMITE_MARGIN_V) return -1.0;
    double hm = hermite_max(h, v0, d0, v1, d1);
    if (hm < theta - HERMITE_MARGIN_V) return -1.0;
    double sm = 0.5 * (s0 + s1), dm;
    double vm = v_at(f, sm, &dm);
    if (vm >= theta) return locate(f, theta, s0, v0 - theta, sm, vm - theta);
    double err = fabs(vm - hermite_mid(h, v0, d0, v1, d1));
    if (hm < theta - 4.0 * err - 1e-12 || h < MIN_PIECE_S || depth > 60) return -1.0;
    double s = first_crossing(f, theta, s0, v0, d0, sm, vm, dm, depth + 1);
    if (s >= 0) return s;
    return first_crossing(f, theta, sm, vm, dm, s1, v1, d1, depth + 1);
}

/* Moves the state along the free stretch by s (v by the quadrature, g in closed form). */
static void advance_free(const stretch *f, double s, double *y)
{
    nodes q;
    nodes_init(f, s, &q);
    y[Y_V] = v_nodes(f, &q, NULL);
    y[Y_GEXC] = f->ge0 * q.ee_s;
    y[Y_GINH] = f->gi0 * q.ei_s;
}

int msi_lif_cond_propagate(double t, double dt, double *y, const double *p, const double *d, double *dt_done,
                           int *which)
{
    *which = -1;
    double done = 0.0;
    if (t < y[Y_REF_END]) {
        /* Refractory: v is held at the reset, the conductances decay. */
        double s = fmin(dt, y[Y_REF_END] - t);
        y[Y_GEXC] *= exp(-s / p[P_TAU_EXC]);
        y[Y_GINH] *= exp(-s / p[P_TAU_INH]);
        done = s;
    }
    const double theta = p[P_VTH];
    while (done < dt) {
        stretch f;
        stretch_init(&f, y, p);
        if (f.v0 >= theta) {
            *dt_done = done;
            *which = 0;
            return 0;
        }
        double a0 = f.gl + f.ge0 + f.gi0;
        /* |a0|: conductances may start negative (initial states drawn from a normal law). */
        double fastest = fmin(fmin(f.te, f.ti), f.c / fmax(fabs(a0), f.gl));
        double h = fmin(dt - done, PIECE_FRACTION * fastest);
        double d0 = ((f.gl * f.el + f.ge0 * f.ee + f.gi0 * f.ei + f.i0) - a0 * f.v0) / f.c;
        nodes q;
        if (d && done == 0.0 && h == d[D_H]) {
            /* A whole window: the decay factors were computed once, at the first run. */
            q.s = h;
            for (int k = 0; k < 4; k++) {
                q.ee[k] = d[D_NE0 + k];
                q.ei[k] = d[D_NI0 + k];
            }
            q.ee_s = d[D_PEE];
            q.ei_s = d[D_PII];
        } else {
            nodes_init(&f, h, &q);
        }
        double d1;
        double v1 = v_nodes(&f, &q, &d1);
        double s = first_crossing(&f, theta, 0.0, f.v0, d0, h, v1, d1, 0);
        if (s >= 0) {
            advance_free(&f, s, y);
            *dt_done = done + s;
            *which = 0;
            return 0;
        }
        y[Y_V] = v1;
        y[Y_GEXC] = f.ge0 * q.ee_s;
        y[Y_GINH] = f.gi0 * q.ei_s;
        done = (h >= dt - done) ? dt : done + h;
    }
    *dt_done = dt;
    return 0;
}

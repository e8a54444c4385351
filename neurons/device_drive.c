/* neurons/device_drive.c: one device under a piecewise-linear drive, integrated by core/ms_ode.h,
 * and the characterisation protocols (neurons/ms_device_drive.h, docs/devices/README.md).
 *
 * A "session" owns one ms_ode for the device (plus the node voltage when the node is a state)
 * and is reused across the runs of a protocol, so a write-verify loop allocates its solver
 * once. Inside a run the integrator stops at every waveform corner and restarts there (the
 * right-hand side has a kink), stops at every root of the device (on_root, restart), and is
 * sampled at the corners and on the requested grid by CVODE's interpolation.
 *
 * The energies (device power(), source power, load power) are CVODES quadratures under error
 * control (ms_ode_spec.quad_atol): nothing depends on them, so they stay out of the Newton
 * system, but they take part in the error test. Without that, a quadrature rides on the
 * steps of the device state, which for a quiescent device (a resistor, an RRAM below
 * threshold) are a few long low-order steps per segment: ~100 % error on a resistor under a
 * voltage ramp. A device without states under a voltage source (resistor, static dendrite)
 * gets one dummy state y' = 0, since CVODE needs at least one; the quadratures then set the
 * steps alone. Each waveform corner is also a stop time, so no step straddles a kink. */
#include "neurons/ms_device_drive.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ms_ode.h"
#include "neurons/drive_check.h"

#define N_E 3                                 /* energies (quadratures): device, source, load */
#define MAX_N (MS_DEVICE_MAX_STATE + 1)       /* device states, node voltage (or the dummy)  */
#define ROOT_REPEAT_MAX 64                    /* roots at one instant before we call it chatter */

void ms_drive_opts_default(ms_drive_opts *o)
{
    *o = (ms_drive_opts){ .source = MS_DRIVE_VOLTAGE, .rtol = 1e-8, .atol_rel = 1e-9,
                          .v_scale_V = 1.0, .e_atol_J = 1e-21, .t_edge_s = 1e-9,
                          .v_read_V = 0.2 };
}

typedef struct sess {
    const ms_device_class *c;
    const double *p;
    ms_drive_opts o;
    size_t ns, n;              /* device states; ODE states (ns, + node, or 1 for the dummy)  */
    int node;                  /* the node voltage is ODE state ns                           */
    double C;                  /* node capacitance (F)                                       */
    const ms_pwl *w;           /* the waveform of the current run                            */
    size_t seg;                /* its segment found last (a hunt starts there)               */
    double y[MAX_N];           /* state before the solver exists                             */
    double atol[MAX_N];
    double e_atol[N_E];        /* absolute tolerances of the energies (J)                    */
    int dir[MS_DEVICE_MAX_ROOTS];
    ms_ode_ctx *ctx;
    ms_ode *ode;
    size_t rec_j, ev_cap;      /* recording cursor and event capacity                         */
    int nonfinite;             /* ODE state whose derivative was not a number (-1: none)      */
    int interrupted;           /* o.interrupt said stop                                       */
    unsigned rhs_count;        /* evaluations since the last poll                             */
} sess;

/* Asks o.interrupt (if any) whether to stop; once it said so, the answer stays yes. */
static int poll_stop(sess *s)
{
    if (!s->interrupted && s->o.interrupt && s->o.interrupt(s->o.interrupt_ud))
        s->interrupted = 1;
    return s->interrupted;
}

static ms_status interrupted_at(sess *s, ms_error *err)
{
    double t = s->ode ? ms_ode_time(s->ode) : (s->w ? s->w->t_s[0] : 0.0);
    return ms_error_set(err, MS_EINTR, "interrupted at t = %.6g s", t);
}

/* Per-pulse hooks of a run: state captured at waveform point start[k], c2c noise applied and
 * the conductance read at end[k]. */
typedef struct hooks {
    size_t n, cur;
    const size_t *start, *end;
    double *G;                 /* [n] conductance after each pulse, or NULL                  */
    double yb[MAX_N];
} hooks;

/* ---- waveform and circuit ------------------------------------------------------------------ */

static double src_at(sess *s, double t, double *slope)
{
    const ms_pwl *w = s->w;
    size_t k = s->seg, last = w->n - 1;
    *slope = 0.0;
    if (t <= w->t_s[0]) {
        if (t == w->t_s[0]) *slope = (w->x[1] - w->x[0]) / (w->t_s[1] - w->t_s[0]);
        return w->x[0];
    }
    if (t >= w->t_s[last]) return w->x[last];
    while (k + 1 < last && t >= w->t_s[k + 1]) k++;
    while (k > 0 && t < w->t_s[k]) k--;
    s->seg = k;
    *slope = (w->x[k + 1] - w->x[k]) / (w->t_s[k + 1] - w->t_s[k]);
    return w->x[k] + *slope * (t - w->t_s[k]);
}

static double node_v(sess *s, double t, const double *Y, double *src, double *slope)
{
    *src = src_at(s, t, slope);
    return s->node ? Y[s->ns] : *src;
}

/* Current the source delivers into the node, and the part dissipated in the load. */
static double source_current(const sess *s, double src, double slope, double V, double i_dev)
{
    if (s->o.source == MS_DRIVE_CURRENT) return src;
    if (s->node) return (src - V) / s->o.r_load_ohm;
    return i_dev + s->C * slope;
}

static int f_rhs(double t, const double *Y, double *Yd, void *ud)
{
    sess *s = ud;
    /* < 0: unrecoverable, CVODE returns at once; advance_to reports the interrupt. */
    if (s->o.interrupt && ++s->rhs_count >= MS_DRIVE_POLL_RHS) {
        s->rhs_count = 0;
        if (poll_stop(s)) return -1;
    }
    if (s->ns == 0 && !s->node) {   /* the dummy state */
        Yd[0] = 0.0;
        return 0;
    }
    double src, slope, V = node_v(s, t, Y, &src, &slope);
    if (s->ns > 0) {
        int rc = s->c->rhs(t, Y, s->p, V, Yd);
        if (rc) return rc;
    }
    if (s->node) {
        double i_dev = s->c->current(t, Y, s->p, V);
        Yd[s->ns] = (source_current(s, src, slope, V, i_dev) - i_dev) / s->C;
    }
    /* A derivative that is not a number asks CVODE for a smaller step (> 0: recoverable);
     * if that does not help, the failure names the state (drive_failed). */
    for (size_t k = 0; k < s->n; k++)
        if (!isfinite(Yd[k])) {
            s->nonfinite = (int)k;
            return 1;
        }
    return 0;
}

/* The energies: device, source and load power (W). */
static int f_quad(double t, const double *Y, double *E, void *ud)
{
    sess *s = ud;
    double src, slope, V = node_v(s, t, Y, &src, &slope);
    double i_dev = s->c->current(t, Y, s->p, V);
    double i_src = source_current(s, src, slope, V, i_dev);
    E[0] = s->c->power(t, Y, s->p, V);
    E[1] = (s->o.source == MS_DRIVE_CURRENT ? V : src) * i_src;
    E[2] = (s->node && s->o.source == MS_DRIVE_VOLTAGE) ? i_src * i_src * s->o.r_load_ohm : 0.0;
    /* a power that is not a number: recoverable, as for the states (f_rhs) */
    return isfinite(E[0]) && isfinite(E[1]) && isfinite(E[2]) ? 0 : 1;
}

/* The device block from the class (used only when the device states are the whole system). */
static int f_jac(double t, const double *Y, double *J, void *ud)
{
    sess *s = ud;
    double src, slope, V = node_v(s, t, Y, &src, &slope), Jd[MS_DEVICE_MAX_STATE * MS_DEVICE_MAX_STATE];
    memset(J, 0, s->n * s->n * sizeof *J);
    int rc = s->c->jac(t, Y, s->p, V, Jd);
    for (size_t j = 0; j < s->ns; j++)
        for (size_t i = 0; i < s->ns; i++) J[j * s->n + i] = Jd[j * s->ns + i];
    return rc;
}

static int f_roots(double t, const double *Y, double *g, void *ud)
{
    sess *s = ud;
    double src, slope, V = node_v(s, t, Y, &src, &slope);
    return s->c->roots(t, Y, s->p, V, g);
}

/* ---- session ------------------------------------------------------------------------------ */

static ms_status bad(ms_error *err, const char *what, double v)
{
    return ms_error_set(err, MS_EINVAL, "drive: option %s = %g is out of range", what, v);
}

static ms_status check_opts(const ms_drive_opts *o, ms_error *err)
{
    if (o->source != MS_DRIVE_VOLTAGE && o->source != MS_DRIVE_CURRENT)
        return ms_error_set(err, MS_EINVAL, "drive: source must be voltage or current");
    if (!(o->r_load_ohm >= 0 && isfinite(o->r_load_ohm))) return bad(err, "r_load_ohm", o->r_load_ohm);
    if (!(o->c_node_F >= 0 && isfinite(o->c_node_F))) return bad(err, "c_node_F", o->c_node_F);
    if (!isfinite(o->v0_V)) return bad(err, "v0_V", o->v0_V);
    if (!(o->dt_sample_s >= 0 && isfinite(o->dt_sample_s))) return bad(err, "dt_sample_s", o->dt_sample_s);
    if (!(o->rtol > 0 && o->rtol < 1)) return bad(err, "rtol", o->rtol);
    if (!(o->atol_rel > 0 && o->atol_rel < 1)) return bad(err, "atol_rel", o->atol_rel);
    if (!(o->v_scale_V > 0 && isfinite(o->v_scale_V))) return bad(err, "v_scale_V", o->v_scale_V);
    if (!(o->e_atol_J > 0 && isfinite(o->e_atol_J))) return bad(err, "e_atol_J", o->e_atol_J);
    if (!(o->max_step_s >= 0 && isfinite(o->max_step_s))) return bad(err, "max_step_s", o->max_step_s);
    if (!(o->t_edge_s > 0 && isfinite(o->t_edge_s))) return bad(err, "t_edge_s", o->t_edge_s);
    if (!(o->v_read_V != 0 && isfinite(o->v_read_V))) return bad(err, "v_read_V", o->v_read_V);
    return MS_OK;
}

static ms_status sess_open(sess *s, const ms_device_class *c, const double *p, const double *y0,
                           const ms_drive_opts *o, ms_error *err)
{
    memset(s, 0, sizeof *s);
    s->c = c;
    s->p = p;
    s->nonfinite = -1;
    if (o) s->o = *o;
    else ms_drive_opts_default(&s->o);
    if (!c || !p) return ms_error_set(err, MS_EINVAL, "drive: no device or no parameters");
    if (c->version < 1 || c->n_state > MS_DEVICE_MAX_STATE || c->n_roots > MS_DEVICE_MAX_ROOTS)
        return ms_error_set(err, MS_EINVAL, "drive: device '%s' has an unsupported layout", c->name);
    ms_status st = check_opts(&s->o, err);
    if (st) return st;
    char msg[MS_ERRMSG_LEN];
    if (ms_device_check(c, p, msg, sizeof msg)) return ms_error_set(err, MS_EINVAL, "%s", msg);

    s->ns = c->n_state;
    s->C = ms_device_capacitance(c, p) + s->o.c_node_F;
    s->node = s->o.source == MS_DRIVE_CURRENT || s->o.r_load_ohm > 0;
    if (s->node && !(s->C > 0))
        return ms_error_set(err, MS_EINVAL,
                            "drive: %s has no capacitance, so its node voltage is undefined under "
                            "a current source or a load; set c_node_F > 0", c->name);
    s->n = s->ns + (size_t)s->node;
    if (s->n == 0) s->n = 1;   /* the dummy state */
    if (y0) {
        for (size_t k = 0; k < s->ns; k++) {
            if (!isfinite(y0[k]))
                return ms_error_set(err, MS_EINVAL, "drive: initial %s = %g is not finite",
                                    c->state_names[k], y0[k]);
            s->y[k] = y0[k];
        }
    } else if (c->init(p, s->y)) {
        return ms_error_set(err, MS_EINVAL, "drive: %s: init failed", c->name);
    }
    if (s->node) s->y[s->ns] = s->o.v0_V;
    for (size_t k = 0; k < s->n; k++)   /* the dummy (k = 0 = ns, no node) gets the V scale */
        s->atol[k] = s->o.atol_rel * (k < s->ns ? c->state_scale[k] : s->o.v_scale_V);
    for (size_t k = 0; k < N_E; k++) s->e_atol[k] = s->o.e_atol_J;
    for (size_t k = 0; k < c->n_roots; k++) s->dir[k] = c->root_dir ? c->root_dir[k] : 0;
    return ms_ode_ctx_create(&s->ctx, err);
}

static void sess_close(sess *s)
{
    ms_ode_destroy(s->ode);
    ms_ode_ctx_destroy(s->ctx);
    s->ode = NULL;
    s->ctx = NULL;
}

static double *sess_state(sess *s) { return s->ode ? ms_ode_state(s->ode) : s->y; }

/* Conductance of state Y: the class's own read conductance, else I(v_read) / v_read. */
static double state_G(const sess *s, const double *Y)
{
    if (s->c->conductance) return s->c->conductance(Y, s->p);
    return s->c->current(0.0, Y, s->p, s->o.v_read_V) / s->o.v_read_V;
}

/* A verify read: with the class's read noise at v_read when rng is set, else noise-free. */
static double sess_read_G(sess *s, const ms_device_rng *rng)
{
    double v = s->o.v_read_V, *Y = sess_state(s);
    if (rng && s->c->read) return s->c->read(0.0, Y, s->p, v, rng) / v;
    return state_G(s, Y);
}

static ms_status push_event(sess *s, ms_drive_result *r, double t, int k, int dir, ms_error *err)
{
    if (r->n_events == s->ev_cap) {
        size_t cap = s->ev_cap ? 2 * s->ev_cap : 64;
        ms_drive_event *e = realloc(r->events, cap * sizeof *e);
        if (!e) return ms_error_set(err, MS_ENOMEM, "drive: out of memory for %zu events", cap);
        r->events = e;
        s->ev_cap = cap;
    }
    r->events[r->n_events++] = (ms_drive_event){ t, k, dir };
    if (k == s->c->spike_root) r->n_spikes++;
    return MS_OK;
}

/* The waveform point that ends the segment holding t (the last point past the end). */
static size_t segment_end(const ms_pwl *w, double t)
{
    size_t k = 1;
    while (k + 1 < w->n && t >= w->t_s[k]) k++;
    return k;
}

/* A CVODE failure as a user needs it (as core/engine_event.c words it for a unit): the
 * device, CVODE's reason, the state to blame, a device current that is not a number, the
 * source at that time and the state at the last time reached. */
static ms_status drive_failed(sess *s, ms_status st, ms_error *err)
{
    const ms_device_class *c = s->c;
    char why[MS_ERRMSG_LEN], blame[256] = "", seg[192], state[320] = "";
    snprintf(why, sizeof why, "%s", err->msg);
    size_t nw = strlen(why);
    if (nw > 0 && why[nw - 1] == '.') why[nw - 1] = '\0';   /* CVODE's sentence ends in a period */
    const double *Y = ms_ode_state(s->ode);
    double t = ms_ode_time(s->ode);
    int k = s->nonfinite >= 0 ? s->nonfinite : ms_ode_failed_component(s->ode);
    const char *lead = s->nonfinite >= 0 ? "the derivative that was not a number:" : "largest local error in";
    if (k >= 0 && (size_t)k < s->ns)
        snprintf(blame, sizeof blame, "; %s state %s", lead, c->state_names[k]);
    else if (k >= 0 && s->node && (size_t)k == s->ns)
        snprintf(blame, sizeof blame, "; %s the node voltage", lead);
    double src, slope, V = node_v(s, t, Y, &src, &slope), i = c->current(t, Y, s->p, V);
    size_t at = strlen(blame);
    snprintf(blame + at, sizeof blame - at, "; the device current i = %g A%s at v = %g V", i,
             isfinite(i) ? "" : " (not a finite number)", V);
    msi_drive_segment_words(s->o.source, s->w, segment_end(s->w, t), "while", seg, sizeof seg);
    size_t used = 0;
    for (size_t j = 0; j < s->ns + (size_t)s->node && used < sizeof state - 40; j++) {
        char v[96];
        if (j < s->ns) msi_drive_value_words(c->state_names[j], Y[j], c->state_units[j], v, sizeof v);
        else msi_drive_value_words("v", Y[j], "V", v, sizeof v);
        int n = snprintf(state + used, sizeof state - used, "%s%s", j ? ", " : "", v);
        if (n < 0 || (size_t)n >= sizeof state - used) break;
        used += (size_t)n;
    }
    return ms_error_set(err, st, "%s: %s%s; %s; state at t = %.9g s: %s", c->name, why, blame, seg, t,
                        used ? state : "(none)");
}

/* Integrates to ts, handling every root on the way. */
static ms_status advance_to(sess *s, double ts, ms_drive_result *r, ms_error *err)
{
    double t_prev = -INFINITY;
    int repeats = 0;
    for (;;) {
        double tr;
        int nf;
        s->nonfinite = -1;
        ms_status st = ms_ode_advance(s->ode, ts, &tr, &nf, err);
        if (s->interrupted) return interrupted_at(s, err);
        if (st == MS_ESOLVER) return drive_failed(s, st, err);
        if (st || nf == 0) return st;
        repeats = tr == t_prev ? repeats + 1 : 0;
        t_prev = tr;
        if (repeats > ROOT_REPEAT_MAX)
            return ms_error_set(err, MS_ESOLVER, "drive: %s: switching roots repeat at t = %.9g s",
                                s->c->name, tr);
        const int *found = ms_ode_roots_found(s->ode);
        double *Y = ms_ode_state(s->ode);
        for (size_t k = 0; k < s->c->n_roots; k++) {
            if (!found[k]) continue;
            if (r && (st = push_event(s, r, tr, (int)k, found[k], err))) return st;
            if (s->c->on_root && s->c->on_root(tr, (int)k, Y, s->p) < 0)
                return ms_error_set(err, MS_ESOLVER, "drive: %s: on_root %s failed at t = %g s",
                                    s->c->name, s->c->root_names[k], tr);
        }
        if ((st = ms_ode_reinit(s->ode, tr, err))) return st;
        if (poll_stop(s)) return interrupted_at(s, err);
    }
}

static void record(sess *s, ms_drive_result *r, double t)
{
    size_t j = s->rec_j++;
    const double *Y = ms_ode_state(s->ode), *q = ms_ode_quad(s->ode);
    double src, slope, V = node_v(s, t, Y, &src, &slope);
    double i_dev = s->c->current(t, Y, s->p, V);
    r->t_s[j] = t;
    r->src[j] = src;
    r->v_V[j] = V;
    r->i_A[j] = i_dev;
    r->i_src_A[j] = source_current(s, src, slope, V, i_dev);
    for (size_t k = 0; k < s->ns; k++) r->x[k * r->n + j] = Y[k];
    r->e_J[j] = q[0];
    r->e_src_J[j] = q[1];
}

/* The next stop of a run: waveform point k or grid point j, whichever comes first (both when
 * they coincide within tol). Returns 0 when none is left. */
static int next_stop(const ms_pwl *w, double dt, size_t k, size_t j, double *ts, int *is_w,
                     int *is_g)
{
    double t0 = w->t_s[0], tend = w->t_s[w->n - 1];
    double tol = 1e-12 * fmax(fabs(t0), fabs(tend)) + 1e-9 * (tend - t0) / (double)w->n;
    double tw = k < w->n ? w->t_s[k] : INFINITY;
    double tg = dt > 0 ? t0 + (double)j * dt : INFINITY;
    if (tg > tend - tol) tg = INFINITY;   /* the end is a waveform point */
    if (tw == INFINITY && tg == INFINITY) return 0;
    *is_w = tw <= tg + tol;
    *is_g = tg <= tw + tol;
    *ts = *is_w ? tw : tg;
    return 1;
}

static size_t count_samples(const ms_pwl *w, double dt)
{
    size_t k = 0, j = 0, n = 0;
    double ts;
    int is_w, is_g;
    while (next_stop(w, dt, k, j, &ts, &is_w, &is_g)) {
        n++;
        k += (size_t)is_w;
        j += (size_t)is_g;
    }
    return n;
}

/* The checks at the end of the segment that ends at waveform point k (drive_check.h). */
static ms_status check_point(sess *s, size_t k, double t, ms_error *err)
{
    double *Y = ms_ode_state(s->ode), src, slope, V = node_v(s, t, Y, &src, &slope);
    char seg[192];
    msi_drive_segment_words(s->o.source, s->w, k, "after", seg, sizeof seg);
    return msi_drive_check_state(s->c, Y, s->node, V, s->c->current(t, Y, s->p, V), t, seg, err);
}

static ms_status sess_run(sess *s, const ms_pwl *w, ms_drive_result *r, hooks *h, ms_error *err)
{
    ms_status st;
    if ((st = msi_drive_check_source(s->c, s->o.source, w, err))) return st;
    s->w = w;
    s->seg = 0;
    if (!s->ode) {
        ms_ode_spec spec = {
            .n = s->n, .rhs = f_rhs,
            .jac = (!s->node && s->ns > 0 && s->c->jac) ? f_jac : NULL,
            .n_roots = s->c->n_roots, .roots = s->c->n_roots ? f_roots : NULL,
            .root_dir = s->dir, .n_quad = N_E, .quad = f_quad, .ud = s,
            .rtol = s->o.rtol, .atol = s->atol, .max_step = s->o.max_step_s,
            .quad_atol = s->e_atol, .quad_rtol = s->o.rtol,
        };
        if ((st = ms_ode_create(s->ctx, &spec, w->t_s[0], s->y, &s->ode, err))) return st;
    } else if ((st = ms_ode_reinit(s->ode, w->t_s[0], err))) {
        return st;
    }
    double dt = r ? s->o.dt_sample_s : 0.0, ts;
    size_t k = 0, j = 0, k_stop = 0;
    int is_w, is_g;
    while (next_stop(w, dt, k, j, &ts, &is_w, &is_g)) {
        if (poll_stop(s)) return interrupted_at(s, err);
        /* The next corner is a stop time; it outlives the restarts at roots before it. */
        if (k > k_stop && k < w->n) {
            if ((st = ms_ode_set_stop_time(s->ode, w->t_s[k], err))) return st;
            k_stop = k;
        }
        if ((st = advance_to(s, ts, r, err))) return st;
        if (is_w && h && h->cur < h->n) {
            double *Y = ms_ode_state(s->ode);
            if (k == h->start[h->cur]) memcpy(h->yb, Y, s->n * sizeof *Y);
            if (k == h->end[h->cur]) {
                if (s->o.rng && s->c->pulse_noise) s->c->pulse_noise(s->p, h->yb, Y, s->o.rng);
                if (h->G) h->G[h->cur] = sess_read_G(s, NULL);
                h->cur++;
            }
        }
        if (is_w && (st = check_point(s, k, ts, err))) return st;
        if (r) record(s, r, ts);
        if (is_w && k > 0 && k + 1 < w->n && (st = ms_ode_reinit(s->ode, ts, err))) return st;
        k += (size_t)is_w;
        j += (size_t)is_g;
    }
    return MS_OK;
}

/* ---- results -------------------------------------------------------------------------------- */

void ms_drive_result_free(ms_drive_result *r)
{
    if (!r) return;
    free(r->t_s), free(r->src), free(r->v_V), free(r->i_A), free(r->i_src_A);
    free(r->x), free(r->e_J), free(r->e_src_J), free(r->events);
    free(r);
}

const double *ms_drive_state(const ms_drive_result *r, size_t k)
{
    return k < r->n_state ? r->x + k * r->n : NULL;
}

static ms_status result_new(size_t n, size_t ns, ms_drive_result **out, ms_error *err)
{
    ms_drive_result *r = calloc(1, sizeof *r);
    *out = r;
    if (!r) return ms_error_set(err, MS_ENOMEM, "drive: out of memory");
    r->n = n;
    r->n_state = ns;
    double **cols[] = { &r->t_s, &r->src, &r->v_V, &r->i_A, &r->i_src_A, &r->e_J, &r->e_src_J };
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
        if (!(*cols[c] = malloc(n * sizeof(double)))) goto nomem;
    if (!(r->x = malloc((ns ? ns : 1) * n * sizeof(double)))) goto nomem;
    return MS_OK;
nomem:
    ms_drive_result_free(r);
    *out = NULL;
    return ms_error_set(err, MS_ENOMEM, "drive: out of memory for %zu samples", n);
}

static ms_status check_pwl(const ms_pwl *w, ms_error *err)
{
    if (!w || w->n < 2 || !w->t_s || !w->x)
        return ms_error_set(err, MS_EINVAL, "waveform: needs at least 2 points (t, value)");
    for (size_t k = 0; k < w->n; k++) {
        if (!isfinite(w->t_s[k]) || !isfinite(w->x[k]))
            return ms_error_set(err, MS_EINVAL, "waveform: point %zu (t = %g s, value = %g) is "
                                "not finite", k + 1, w->t_s[k], w->x[k]);
        if (k > 0 && !(w->t_s[k] > w->t_s[k - 1]))
            return ms_error_set(err, MS_EINVAL, "waveform: t[%zu] = %.9g s is not greater than "
                                "t[%zu] = %.9g s; times must increase strictly", k + 1,
                                w->t_s[k], k, w->t_s[k - 1]);
    }
    return MS_OK;
}

/* One run of a fresh session over w, with a result; hooks optional. */
static ms_status drive_run(const ms_device_class *c, const double *p, const double *y0,
                           const ms_pwl *w, const ms_drive_opts *o, hooks *h,
                           ms_drive_result **out, double *y_end, ms_error *err)
{
    sess s;
    ms_drive_result *r = NULL;
    ms_status st = check_pwl(w, err);
    if (!st) st = sess_open(&s, c, p, y0, o, err);
    else memset(&s, 0, sizeof s);
    if (!st && out) st = result_new(count_samples(w, s.o.dt_sample_s), s.ns, &r, err);
    if (!st) st = sess_run(&s, w, r, h, err);
    if (!st && r) {
        const double *q = ms_ode_quad(s.ode);
        ms_ode_stats stats;
        ms_ode_get_stats(s.ode, &stats);
        r->energy_J = q[0];
        r->energy_src_J = q[1];
        r->energy_load_J = q[2];
        r->steps = stats.steps;
    }
    if (!st && y_end) memcpy(y_end, ms_ode_state(s.ode), s.ns * sizeof *y_end);
    sess_close(&s);
    if (st) ms_drive_result_free(r), r = NULL;
    if (out) *out = r;
    return st;
}

ms_status ms_device_drive(const ms_device_class *c, const double *p, const double *y0,
                          const ms_pwl *w, const ms_drive_opts *o, ms_drive_result **out,
                          ms_error *err)
{
    return drive_run(c, p, y0, w, o, NULL, out, NULL, err);
}

/* ---- protocols ------------------------------------------------------------------------------ */

ms_status ms_drive_dc_sweep(const ms_device_class *c, const double *p, const double *y0,
                            const ms_sweep *s, const ms_drive_opts *o, ms_drive_result **out,
                            ms_error *err)
{
    *out = NULL;
    if (!s || !(s->v_max_V >= 0 && s->v_min_V <= 0 && s->v_max_V - s->v_min_V > 0) ||
        !isfinite(s->v_max_V) || !isfinite(s->v_min_V) || !(s->t_ramp_s > 0) || s->cycles < 1)
        return ms_error_set(err, MS_EINVAL, "dc sweep: needs v_min <= 0 <= v_max (not both 0), "
                            "t_ramp > 0 and cycles >= 1");
    double rate = fmax(s->v_max_V, -s->v_min_V) / s->t_ramp_s;
    double vert[4] = { s->v_max_V, 0.0, s->v_min_V, 0.0 };
    size_t cap = 1 + 4 * (size_t)s->cycles, n = 1;
    double *t = malloc(cap * sizeof *t), *v = malloc(cap * sizeof *v);
    if (!t || !v) {
        free(t), free(v);
        return ms_error_set(err, MS_ENOMEM, "dc sweep: out of memory");
    }
    t[0] = 0.0;
    v[0] = 0.0;
    for (int cyc = 0; cyc < s->cycles; cyc++)
        for (int k = 0; k < 4; k++) {
            double dv = fabs(vert[k] - v[n - 1]);
            if (dv == 0) continue;   /* a one-sided sweep skips its empty half */
            t[n] = t[n - 1] + dv / rate;
            v[n++] = vert[k];
        }
    ms_pwl w = { n, t, v };
    ms_status st = ms_device_drive(c, p, y0, &w, o, out, err);
    free(t), free(v);
    return st;
}

ms_status ms_drive_pulse_train(const ms_device_class *c, const double *p, double *y,
                               const ms_pulse *pulse, size_t n_pulses, const ms_drive_opts *o,
                               double *G_out, ms_drive_result **out, ms_error *err)
{
    if (out) *out = NULL;
    ms_drive_opts d;
    if (!o) ms_drive_opts_default(&d), o = &d;
    double e = o->t_edge_s;
    if (!pulse || n_pulses == 0 || !isfinite(pulse->v_V) || !(pulse->t_width_s > e) ||
        !(pulse->t_gap_s > 0) || !isfinite(pulse->t_width_s + pulse->t_gap_s))
        return ms_error_set(err, MS_EINVAL, "pulse train: needs n >= 1 pulses, a finite amplitude,"
                            " width > edge (%g s) and gap > 0", e);
    size_t n = 1 + 4 * n_pulses;
    double *t = malloc(n * sizeof *t), *v = malloc(n * sizeof *v);
    size_t *idx = malloc(2 * n_pulses * sizeof *idx);
    if (!t || !v || !idx) {
        free(t), free(v), free(idx);
        return ms_error_set(err, MS_ENOMEM, "pulse train: out of memory");
    }
    double period = pulse->t_gap_s + pulse->t_width_s + e;
    t[0] = v[0] = 0.0;
    for (size_t k = 0; k < n_pulses; k++) {
        double a = (double)k * period + pulse->t_gap_s;
        double pt[4] = { a, a + e, a + pulse->t_width_s, a + pulse->t_width_s + e };
        double pv[4] = { 0.0, pulse->v_V, pulse->v_V, 0.0 };
        for (int q = 0; q < 4; q++) t[1 + 4 * k + q] = pt[q], v[1 + 4 * k + q] = pv[q];
        idx[k] = 1 + 4 * k;
        idx[n_pulses + k] = 4 + 4 * k;
    }
    hooks h = { .n = n_pulses, .start = idx, .end = idx + n_pulses, .G = G_out ? G_out + 1 : NULL };
    if (G_out) {
        sess s0 = { .c = c, .p = p, .o = *o };
        if (y) memcpy(s0.y, y, c->n_state * sizeof *y);
        else c->init(p, s0.y);
        G_out[0] = state_G(&s0, s0.y);
    }
    ms_pwl w = { n, t, v };
    ms_status st = drive_run(c, p, y, &w, o, &h, out, y, err);
    free(t), free(v), free(idx);
    return st;
}

typedef struct wv_ctx {
    sess *s;
    ms_error *err;
    ms_status st;
} wv_ctx;

static int wv_read(void *ud, double *G)
{
    wv_ctx *w = ud;
    *G = sess_read_G(w->s, w->s->o.rng);
    return 0;
}

static int wv_pulse(void *ud, double v, double t_w)
{
    wv_ctx *w = ud;
    double e = w->s->o.t_edge_s;
    double t[4] = { 0.0, e, t_w, t_w + e }, x[4] = { 0.0, v, v, 0.0 };
    size_t start = 0, end = 3;
    hooks h = { .n = 1, .start = &start, .end = &end };
    ms_pwl pw = { 4, t, x };
    w->st = sess_run(w->s, &pw, NULL, &h, w->err);
    return w->st != MS_OK;
}

ms_status ms_drive_write_verify(const ms_device_class *c, const double *p, double *y,
                                const ms_wv_opts *wv, const ms_drive_opts *o, ms_wv_result *r,
                                ms_error *err)
{
    sess s;
    ms_status st = sess_open(&s, c, p, y, o, err);
    if (!st && !(wv && wv->t_pulse_s > s.o.t_edge_s))
        st = ms_error_set(err, MS_EINVAL, "write-verify: pulse width must exceed the edge %g s",
                          s.o.t_edge_s);
    if (!st) {
        wv_ctx ctx = { &s, err, MS_OK };
        ms_wv_ops ops = { wv_read, wv_pulse, &ctx };
        char msg[MS_ERRMSG_LEN];
        int rc = ms_write_verify(wv, &ops, r, msg, sizeof msg);
        if (ctx.st) st = ctx.st;
        else if (rc) st = ms_error_set(err, MS_EINVAL, "%s", msg);
        if (!st && y) memcpy(y, sess_state(&s), s.ns * sizeof *y);
    }
    sess_close(&s);
    return st;
}

ms_status ms_drive_relaxation(const ms_device_class *c, const double *p, const double *y_prog,
                              const double *t_s, size_t n, double xi, double *G_out,
                              ms_error *err)
{
    char msg[MS_ERRMSG_LEN];
    if (!c->relax || !c->conductance)
        return ms_error_set(err, MS_EINVAL, "relaxation: device %s has no relaxation law", c->name);
    if (ms_device_check(c, p, msg, sizeof msg)) return ms_error_set(err, MS_EINVAL, "%s", msg);
    if (!isfinite(xi)) return ms_error_set(err, MS_EINVAL, "relaxation: xi = %g is not finite", xi);
    double y[MAX_N];
    for (size_t k = 0; k < n; k++) {
        if (!(t_s[k] >= 0 && isfinite(t_s[k])))
            return ms_error_set(err, MS_EINVAL, "relaxation: time %zu = %g s must be >= 0",
                                k + 1, t_s[k]);
        c->relax(p, y_prog, t_s[k], xi, y);
        G_out[k] = c->conductance(y, p);
    }
    return MS_OK;
}

double ms_drive_spike_rate(const ms_drive_result *r, const ms_device_class *c)
{
    double t1 = 0, tn = 0;
    size_t n = 0;
    for (size_t k = 0; k < r->n_events; k++) {
        if (r->events[k].root != c->spike_root) continue;
        if (n == 1) t1 = r->events[k].t_s;
        tn = r->events[k].t_s;
        n++;
    }
    return n >= 3 && tn > t1 ? (double)(n - 2) / (tn - t1) : 0.0;
}

ms_status ms_drive_soma_step(const ms_device_class *c, const double *p, double i_step_A,
                             double t_end_s, const ms_drive_opts *o, ms_drive_result **out,
                             double *rate_Hz, ms_error *err)
{
    ms_drive_opts d;
    if (o) d = *o;
    else ms_drive_opts_default(&d);
    d.source = MS_DRIVE_CURRENT;
    *out = NULL;
    if (!isfinite(i_step_A) || !(t_end_s > d.t_edge_s) || !isfinite(t_end_s))
        return ms_error_set(err, MS_EINVAL, "soma step: needs a finite current and t_end (%g s) "
                            "> edge (%g s)", t_end_s, d.t_edge_s);
    double t[3] = { 0.0, d.t_edge_s, t_end_s }, x[3] = { 0.0, i_step_A, i_step_A };
    ms_pwl w = { 3, t, x };
    ms_status st = ms_device_drive(c, p, NULL, &w, &d, out, err);
    if (rate_Hz) *rate_Hz = st ? 0.0 : ms_drive_spike_rate(*out, c);
    return st;
}

/* neurons/endurance_ode.c: the endurance protocol of "rram" with CVODE pulses
 * (neurons/ms_endurance_ode.h). devices/rram_endurance.c runs the cycles, the wear law and the
 * readouts; this file gives it a pulse solver that integrates the class's ODE, so the reference
 * and the fast path share every line except the pulse itself. */
#include "neurons/ms_endurance_ode.h"

#include <math.h>
#include <string.h>

#include "core/ms_ode.h"
#include "devices/ms_device.h"
#include "devices/ms_rram.h"

typedef struct pulser {
    const ms_device_class *c;
    const double *p;          /* the device during the current pulse (its wear held)         */
    double v;                 /* the current pulse's amplitude (V)                            */
    ms_ode *ode;
    const ms_drive_opts *d;
    double pulses;
    ms_status st;             /* why the last pulse failed                                    */
    ms_error err;
} pulser;

static int f_rhs(double t, const double *y, double *ydot, void *ud)
{
    pulser *s = ud;
    return s->c->rhs(t, y, s->p, s->v, ydot);
}

static int f_jac(double t, const double *y, double *J, void *ud)
{
    pulser *s = ud;
    return s->c->jac(t, y, s->p, s->v, J);
}

/* ms_end_pulse_fn: restart at t = 0 from x0, integrate to the stop time t_w. */
static int ode_pulse(void *ud, const double *p, double x0, double v, double t_w, double *x1)
{
    pulser *s = ud;
    if (s->d->interrupt && s->d->interrupt(s->d->interrupt_ud)) {
        s->st = ms_error_set(&s->err, MS_EINTR, "interrupted");
        return 1;
    }
    s->p = p, s->v = v;
    ms_ode_state(s->ode)[MS_RRAM_X] = x0;
    double tr;
    int nf;
    if ((s->st = ms_ode_reinit(s->ode, 0.0, &s->err)) ||
        (s->st = ms_ode_set_stop_time(s->ode, t_w, &s->err)) ||
        (s->st = ms_ode_advance(s->ode, t_w, &tr, &nf, &s->err)))
        return 1;
    *x1 = ms_ode_state(s->ode)[MS_RRAM_X];
    if (!isfinite(*x1)) {
        s->st = ms_error_set(&s->err, MS_ESOLVER, "x = %g after a pulse of %g V, %g s from x = %g",
                             *x1, v, t_w, x0);
        return 1;
    }
    s->pulses++;
    return 0;
}

ms_status ms_end_run_ode(double *p, double *x, const ms_end_opts *o, const double *at,
                         size_t n_at, ms_end_read *out, double *lifetime, const ms_drive_opts *d,
                         ms_end_ode_stats *stats, ms_error *err)
{
    ms_drive_opts dd;
    if (!d) ms_drive_opts_default(&dd), d = &dd;
    const ms_device_class *c = ms_device_find("rram");
    char msg[MS_ERRMSG_LEN];
    if (!c) return ms_error_set(err, MS_EINVAL, "endurance: the device class rram is not registered");
    if (ms_device_check(c, p, msg, sizeof msg)) return ms_error_set(err, MS_EINVAL, "%s", msg);
    if (!(d->rtol > 0 && d->rtol < 1 && d->atol_rel > 0 && d->atol_rel < 1 &&
          d->max_step_s >= 0 && isfinite(d->max_step_s)))
        return ms_error_set(err, MS_EINVAL, "endurance: solver tolerances rtol = %g and atol = %g "
                            "must be in (0, 1), max_step = %g s >= 0", d->rtol, d->atol_rel,
                            d->max_step_s);
    pulser s = { .c = c, .p = p, .d = d };
    double atol = d->atol_rel * c->state_scale[MS_RRAM_X], y0 = *x;
    ms_ode_spec spec = { .n = MS_RRAM_N_STATE, .rhs = f_rhs, .jac = f_jac, .ud = &s,
                         .rtol = d->rtol, .atol = &atol, .max_step = d->max_step_s };
    ms_ode_ctx *ctx = NULL;
    ms_status st = ms_ode_ctx_create(&ctx, err);
    if (!st) st = ms_ode_create(ctx, &spec, 0.0, &y0, &s.ode, err);
    if (!st) {
        ms_end_opts oo = *o;
        oo.pulse = ode_pulse, oo.pulse_ud = &s;
        int rc = ms_end_run(p, x, &oo, at, n_at, out, lifetime, msg, sizeof msg);
        if (rc == MS_DEV_EFAIL) st = ms_error_set(err, s.st, "%s: %s", msg, s.err.msg);
        else if (rc) st = ms_error_set(err, MS_EINVAL, "%s", msg);
    }
    if (stats && s.ode) {
        ms_ode_stats os;
        ms_ode_get_stats(s.ode, &os);
        *stats = (ms_end_ode_stats){ s.pulses, os.steps, os.rhs_evals };
    }
    ms_ode_destroy(s.ode);
    ms_ode_ctx_destroy(ctx);
    return st;
}

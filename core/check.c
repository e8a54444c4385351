/* core/check.c: run-time checks of the units' states, so a run that goes wrong stops with
 * a message instead of ending with a silent wrong result (docs/reliability.md, "Run-time
 * checks and limits").
 *
 * Each state variable has a documented range [min, max] (ms_state_spec). At the end of
 * every window each unit's state must be a number inside [min - scale, max + scale]: the
 * margin of one typical magnitude lets integrators undershoot a bound by their rounding
 * (a decaying conductance at -1e-20 S) without passing a runaway (a membrane at -3e232 V).
 * The checks read each state once per window and allocate nothing. */
#include "core/net_impl.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Writes "state NAME" or, for a circuit's device state "d1.x", "state x of device 'd1'". */
void msi_state_words(const ms_state_spec *s, char *buf, size_t len)
{
    const char *dot = strchr(s->name, '.');
    if (dot && dot != s->name)
        snprintf(buf, len, "state %s of device '%.*s'", dot + 1, (int)(dot - s->name), s->name);
    else
        snprintf(buf, len, "state %s", s->name);
}

ms_status msi_check_fail(ms_worker *wk, const ms_pop *p, size_t unit, int k, double value, double t)
{
    const ms_state_spec *s = &p->model->state[k];
    char what[96];
    msi_state_words(s, what, sizeof what);
    return msi_worker_fail(wk, MS_ERANGE,
                           "run: '%s' (%s) unit %zu: %s = %g %s at t = %.9g s is %s its range [%g, %g] %s; "
                           "the run is stopped (a drive or weight far outside the model's range, a "
                           "negative conductance, or too loose a tolerance?)",
                           p->label, p->model->name, unit + 1, what, value, s->unit, t,
                           isnan(value) ? "not a number, not in" : "far outside", s->min, s->max, s->unit);
}

/* The bounds a run keeps a state within. */
static inline void bounds(const ms_state_spec *s, double *lo, double *hi)
{
    *lo = s->min - s->scale;
    *hi = s->max + s->scale;
}

ms_status msi_check_unit(ms_worker *wk, const ms_pop *p, size_t unit, const double *y, double t)
{
    const ms_model *m = p->model;
    for (size_t k = 0; k < m->n_state; k++) {
        double lo, hi;
        bounds(&m->state[k], &lo, &hi);
        /* written so that NaN fails too */
        if (!(y[k] >= lo && y[k] <= hi)) return msi_check_fail(wk, p, unit, (int)k, y[k], t);
    }
    return MS_OK;
}

ms_status msi_check_columns(ms_worker *wk, const ms_pop *p, size_t i0, size_t i1, double t)
{
    const ms_model *m = p->model;
    for (size_t k = 0; k < m->n_state; k++) {
        double lo, hi;
        bounds(&m->state[k], &lo, &hi);
        const double *c = p->state + k * p->n;
        /* One pass without branches (it vectorises); the unit is looked for on failure. */
        int bad = 0;
        for (size_t i = i0; i < i1; i++) bad |= !(c[i] >= lo && c[i] <= hi);
        if (!bad) continue;
        for (size_t i = i0; i < i1; i++)
            if (!(c[i] >= lo && c[i] <= hi)) return msi_check_fail(wk, p, i, (int)k, c[i], t);
    }
    return MS_OK;
}

/* neurons/drive_check.c: the range checks of a single-device drive (neurons/drive_check.h).
 *
 * The bounds are the ones a network's run uses for the same device inside a circuit
 * (core/check.c, neurons/circuit.c): a state's domain [min, max] from its class, widened by
 * the state's typical magnitude (state_scale) so that an integrator's rounding just past a
 * bound passes and a runaway does not; a node voltage within +-1 kV widened by 1 V; sources
 * within the range of a circuit's supplies and current sources (neurons/ms_circuit.h). The
 * checks run at the waveform corners only, never inside the solver's right-hand side. */
#include "neurons/drive_check.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "neurons/ms_circuit.h"

#define HINT "the drive is stopped (a drive far outside the device's range, or too loose a tolerance?)"

void msi_drive_value_words(const char *name, double value, const char *unit, char *buf,
                           size_t len)
{
    if (unit && *unit && strcmp(unit, "1") != 0) snprintf(buf, len, "%s = %g %s", name, value, unit);
    else snprintf(buf, len, "%s = %g", name, value);
}

/* "[0, 1]" or "[0, 1] K"; an open end is written "inf". */
static void range_words(double lo, double hi, const char *unit, char *buf, size_t len)
{
    if (unit && *unit && strcmp(unit, "1") != 0) snprintf(buf, len, "[%g, %g] %s", lo, hi, unit);
    else snprintf(buf, len, "[%g, %g]", lo, hi);
}

ms_status msi_drive_check_source(const ms_device_class *c, ms_drive_source src, const ms_pwl *w,
                                 ms_error *err)
{
    int cur = src == MS_DRIVE_CURRENT;
    double lim = cur ? MS_SOURCE_I_RANGE_A : MS_NODE_V_RANGE_V;
    for (size_t k = 0; k < w->n; k++)
        if (!(fabs(w->x[k]) <= lim))
            return ms_error_set(err, MS_EINVAL,
                                "%s: the %s source's %g %s at t = %.9g s (waveform point %zu) is "
                                "outside [%g, %g] %s, the range of a %s in a circuit; nothing was "
                                "driven", c->name, cur ? "current" : "voltage", w->x[k],
                                cur ? "A" : "V", w->t_s[k], k + 1, -lim, lim, cur ? "A" : "V",
                                cur ? "current source" : "supply");
    return MS_OK;
}

void msi_drive_segment_words(ms_drive_source src, const ms_pwl *w, size_t k, const char *when,
                             char *buf, size_t len)
{
    int cur = src == MS_DRIVE_CURRENT;
    const char *u = cur ? "A" : "V";
    if (k == 0 || k >= w->n)
        snprintf(buf, len, "at the start of the drive (the %s source at %g %s)",
                 cur ? "current" : "voltage", w->x[k < w->n ? k : w->n - 1], u);
    else if (w->x[k - 1] == w->x[k])
        snprintf(buf, len, "%s the %s source held %g %s over t = %.9g to %.9g s", when,
                 cur ? "current" : "voltage", w->x[k], u, w->t_s[k - 1], w->t_s[k]);
    else
        snprintf(buf, len, "%s the %s source went from %g %s to %g %s over t = %.9g to %.9g s", when,
                 cur ? "current" : "voltage", w->x[k - 1], u, w->x[k], u, w->t_s[k - 1], w->t_s[k]);
}

ms_status msi_drive_check_state(const ms_device_class *c, const double *y, int node, double V,
                                double i_A, double t, const char *seg, ms_error *err)
{
    char val[96], rng[96];
    for (size_t k = 0; k < c->n_state; k++) {
        double lo = c->state_min ? c->state_min[k] : -INFINITY;
        double hi = c->state_max ? c->state_max[k] : INFINITY;
        double sc = c->state_scale[k];
        /* written so that NaN fails too */
        if (y[k] >= lo - sc && y[k] <= hi + sc) continue;
        msi_drive_value_words(c->state_names[k], y[k], c->state_units[k], val, sizeof val);
        range_words(lo, hi, c->state_units[k], rng, sizeof rng);
        return ms_error_set(err, MS_ERANGE, "%s: state %s at t = %.9g s is %s its domain %s, %s; %s",
                            c->name, val, t, isnan(y[k]) ? "not a number, not in" : "far outside",
                            rng, seg, HINT);
    }
    double vr = MS_NODE_V_RANGE_V;
    if (node ? !(fabs(V) <= vr + MS_NODE_V_SCALE_V) : !isfinite(V))
        return ms_error_set(err, MS_ERANGE, "%s: the node voltage v = %g V at t = %.9g s is %s "
                            "[%g, %g] V, the range of a circuit's node, %s; %s", c->name, V, t,
                            isnan(V) ? "not a number, not in" : "far outside", -vr, vr, seg, HINT);
    if (!isfinite(i_A))
        return ms_error_set(err, MS_ERANGE, "%s: the device current i = %g A at t = %.9g s (v = "
                            "%g V) is not a finite number, %s; %s", c->name, i_A, t, V, seg, HINT);
    return MS_OK;
}

/* devices/program.c: the write-verify loop of devices/ms_program.h. */
#include <math.h>

#include "devices/device_impl.h"
#include "devices/ms_program.h"

static int check_opts(const ms_wv_opts *o, char *msg, size_t len)
{
    if (!(isfinite(o->G_target_S) && o->G_target_S >= 0))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "write-verify: target G = %g S must be a finite value >= 0",
                           o->G_target_S);
    if (!(o->tol_S > 0 && isfinite(o->tol_S)))
        return msi_dev_err(msg, len, MS_DEV_EINVAL, "write-verify: tolerance %g S must be > 0",
                           o->tol_S);
    if (o->max_iter < 1)
        return msi_dev_err(msg, len, MS_DEV_EINVAL, "write-verify: max_iter = %d must be >= 1",
                           o->max_iter);
    if (!(o->v_set_first_V > 0 && o->v_set_max_V >= o->v_set_first_V))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "write-verify: SET ramp needs 0 < first (%g V) <= max (%g V)",
                           o->v_set_first_V, o->v_set_max_V);
    if (!(o->v_reset_first_V < 0 && o->v_reset_max_V <= o->v_reset_first_V))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "write-verify: RESET ramp needs max (%g V) <= first (%g V) < 0",
                           o->v_reset_max_V, o->v_reset_first_V);
    if (!(o->v_step_V > 0 && o->t_pulse_s > 0))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "write-verify: ramp step (%g V) and pulse width (%g s) must be > 0",
                           o->v_step_V, o->t_pulse_s);
    return MS_DEV_OK;
}

int ms_write_verify(const ms_wv_opts *o, const ms_wv_ops *ops, ms_wv_result *r, char *msg,
                    size_t len)
{
    *r = (ms_wv_result){ 0 };
    int rc = check_opts(o, msg, len);
    if (rc) return rc;
    double v_set = o->v_set_first_V, v_reset = o->v_reset_first_V;
    int last = 0; /* polarity of the previous pulse: +1 SET, -1 RESET */
    for (;;) {
        double G;
        if (ops->read(ops->ud, &G))
            return msi_dev_err(msg, len, MS_DEV_EFAIL, "write-verify: read %d failed",
                               r->pulses + 1);
        r->G_read_S = G;
        double err = G - o->G_target_S;
        if (fabs(err) <= o->tol_S) {
            r->converged = 1;
            return MS_DEV_OK;
        }
        if (r->pulses >= o->max_iter) return MS_DEV_OK;
        double v;
        if (err < 0) {
            v_set = last == 1 ? fmin(v_set + o->v_step_V, o->v_set_max_V) : o->v_set_first_V;
            v = v_set;
            last = 1;
            r->n_set++;
        } else {
            v_reset = last == -1 ? fmax(v_reset - o->v_step_V, o->v_reset_max_V)
                                 : o->v_reset_first_V;
            v = v_reset;
            last = -1;
            r->n_reset++;
        }
        r->pulses++;
        r->v_last_V = v;
        if (ops->pulse(ops->ud, v, o->t_pulse_s))
            return msi_dev_err(msg, len, MS_DEV_EFAIL, "write-verify: pulse %d (%g V) failed",
                               r->pulses, v);
    }
}

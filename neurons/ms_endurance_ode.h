/* neurons/ms_endurance_ode.h: the endurance protocol of "rram" (devices/ms_rram_endurance.h)
 * with every pulse integrated by CVODE (core/ms_ode.h) instead of the closed form: the reference
 * that the fast path is checked against (docs/devices/rram.md, "Endurance").
 *
 * Each pulse is rectangular, as in the protocol: one solver, created once per run, restarts at
 * t = 0 from the state before the pulse and integrates the class's ODE (its rhs and Jacobian) at
 * the pulse's constant amplitude up to the width, which is a stop time. The wear is the law's:
 * held during a pulse, then increased by the dose of the integrated change of x. The gaps at
 * 0 V between pulses are not integrated: below both thresholds the ODE is x' = 0. The readout
 * probes (nonlinearity, mean step) are integrated the same way. */
#ifndef MEMSNN_NEURONS_MS_ENDURANCE_ODE_H
#define MEMSNN_NEURONS_MS_ENDURANCE_ODE_H

#include <stddef.h>

#include "core/ms_status.h"
#include "devices/ms_rram_endurance.h"
#include "neurons/ms_device_drive.h"

typedef struct ms_end_ode_stats {
    double pulses;        /* pulses integrated (cycles and readout probes)                 */
    long steps;           /* internal solver steps                                         */
    long rhs_evals;       /* right-hand-side evaluations                                   */
} ms_end_ode_stats;

/* ms_end_run for an "rram" device p (checked first) with CVODE pulses: o->pulse is ignored. The
 * solver takes d->rtol, d->atol_rel (times the state's scale, 1), d->max_step_s and d->interrupt
 * (polled before every pulse: MS_EINTR "interrupted in cycle ..."); d NULL: the drive's defaults
 * (ms_drive_opts_default: rtol 1e-8, atol 1e-9). MS_EINVAL for bad options (the message of
 * ms_end_run), MS_ESOLVER when CVODE fails (its reason and the cycle). stats may be NULL. */
ms_status ms_end_run_ode(double *p, double *x, const ms_end_opts *o, const double *at,
                         size_t n_at, ms_end_read *out, double *lifetime, const ms_drive_opts *d,
                         ms_end_ode_stats *stats, ms_error *err);

#endif

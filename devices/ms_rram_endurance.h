/* devices/ms_rram_endurance.h: the endurance protocol of "rram" (docs/devices/rram.md,
 * "Endurance"): analog cycles (n_p weak SET pulses then n_p weak RESET pulses between two levels
 * inside the window) or full-window cycles (one strong SET and one strong RESET pulse), with the
 * degradation law of devices/rram_wear.c acting pulse by pulse, and readouts at given cycle
 * counts. The fast path advances by blocks of identical cycles (a block is a fraction of the
 * cycles done, so 1e11 cycles take a few thousand simulated cycles); block = 0 cycles every
 * pulse explicitly. Each pulse is the closed-form solution of the ODE, or whatever pulse solver
 * the caller passes (neurons/ms_endurance_ode.h passes CVODE; devices/ stays free of any
 * solver). Deterministic: no cycle-to-cycle noise. Source tags are defined in
 * docs/devices/sources.md. */
#ifndef MEMSNN_DEVICES_MS_RRAM_ENDURANCE_H
#define MEMSNN_DEVICES_MS_RRAM_ENDURANCE_H

#include <stddef.h>

/* A pulse solver: *x1 = the state after a rectangular pulse of amplitude v (V) and width t_w (s)
 * from x0 on the device p as it is (its wear held during the pulse). Returns 0, or nonzero to stop
 * the run (the solver keeps its own message). */
typedef int (*ms_end_pulse_fn)(void *ud, const double *p, double x0, double v, double t_w,
                               double *x1);

typedef struct ms_end_opts {
    int full;          /* 0: analog cycles; 1: full-window cycles                          */
    double cycles;     /* cycles to run (a whole number >= 0)                               */
    int n_p;           /* analog: pulses per direction (>= 1)                               */
    double x_lo, x_hi; /* analog: levels as fractions of the window, 0 < x_lo < x_hi < 1   */
    double t_w;        /* analog: pulse width (s, > 0)                                      */
    double v_full;     /* full: amplitude (V, > 0; +v_full SET, -v_full RESET)              */
    double t_full;     /* full: pulse width (s, > 0)                                        */
    int n_probe;       /* standard pulses of each readout probe train (>= 2)                */
    double block;      /* fast path: block = floor(block x cycles done), [0, 1]; 0 explicit */
    ms_end_pulse_fn pulse; /* every pulse of the cycles and the readout probes; NULL: the
                              closed form (ms_rram_pulse_x)                                 */
    void *pulse_ud;        /* passed to pulse                                               */
} ms_end_opts;

typedef struct ms_end_read {
    double cycles, wear;        /* cycles done; wear (standard full-window sweeps)             */
    double G_min, G_max, frac;  /* effective bounds (S) and the window fraction left            */
    double nl_set, nl_reset;    /* update nonlinearity: 1 - ratio of the steps of a standard
                                   pulse at 25 % and 75 % of the window (0 = linear)            */
    double step_mean, step_sd;  /* mean and spread of the SET probe's per-pulse steps (S)      */
    double c2c_sd;              /* cycle-to-cycle sigma of a pulse of the mean step (S)         */
    double G_lo, G_hi;          /* conductance after the last RESET and SET phases (S)          */
    int worn;                   /* frac <= end_f_fail: the device counts as stuck               */
} ms_end_read;

/* Defaults: analog n_p = 100, 25 % <-> 75 %, 100 ns; full +-2 V, 2 us; 32-pulse probes;
 * block 0.01; closed-form pulses. */
void ms_end_defaults(int full, ms_end_opts *o);

/* The pulses of one cycle for the device p: analog amplitudes solved in closed form so that n_p
 * pulses of width t_w move the state from x_lo to x_hi (SET) and back (RESET). */
int ms_end_cycle_pulses(const double *p, const ms_end_opts *o, double *v_set, double *v_reset,
                        double *t_w, int *n, char *msg, size_t len);

/* Runs o->cycles cycles on the device (p[MS_RRAM_WEAR] and *x are updated), filling out[k] at
 * cycle count at[k] (whole numbers, ascending, <= cycles). *lifetime: the cycles at which the
 * device wore out (interpolated inside a block), or -1 if it did not. MS_DEV_EINVAL for bad
 * options, MS_DEV_EFAIL when o->pulse failed (p and *x then hold the state reached). */
int ms_end_run(double *p, double *x, const ms_end_opts *o, const double *at, size_t n_at,
               ms_end_read *out, double *lifetime, char *msg, size_t len);

/* The readout of the device p now (state-independent probes on a copy, closed-form pulses). */
void ms_end_readout(const double *p, int n_probe, ms_end_read *r);

#endif

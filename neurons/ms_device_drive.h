/* neurons/ms_device_drive.h: characterisation of one device: drive it with a piecewise-linear
 * voltage or current waveform, integrate its ODE with core/ms_ode.h (BDF, roots at its
 * switching thresholds, a restart after each discrete switch, a stop and a restart at each
 * waveform corner, energies as quadratures under error control) and return sampled traces;
 * plus the standard protocols built on it: DC sweep, pulse train, write-verify, relaxation
 * after programming, current step into a soma.
 *
 * The circuit: a voltage source applied straight across the device, or through a series load
 * r_load onto the device node, or a current source into the node. Whenever the node is not tied
 * to a voltage source (current drive, or a load) its voltage is an ODE state,
 *   C dV/dt = i_in - I_dev(y, V),   C = device capacitance + c_node,
 * so such a drive needs C > 0 (the Mott somas have their capacitor). docs/devices/README.md. */
#ifndef MEMSNN_NEURONS_MS_DEVICE_DRIVE_H
#define MEMSNN_NEURONS_MS_DEVICE_DRIVE_H

#include <stddef.h>

#include "core/ms_status.h"
#include "devices/ms_device.h"
#include "devices/ms_program.h"

/* A piecewise-linear waveform: n >= 2 points, times strictly increasing, all finite; held
 * constant outside [t_s[0], t_s[n-1]]. Values in V (voltage drive) or A (current drive). */
typedef struct ms_pwl {
    size_t n;
    const double *t_s;
    const double *x;
} ms_pwl;

typedef enum ms_drive_source {
    MS_DRIVE_VOLTAGE = 0,   /* the waveform is a source voltage (V)                       */
    MS_DRIVE_CURRENT = 1    /* the waveform is a current injected into the node (A)       */
} ms_drive_source;

typedef struct ms_drive_opts {
    ms_drive_source source;      /* voltage or current source                                  */
    double r_load_ohm;           /* series load between a voltage source and the node (0: none) */
    double c_node_F;             /* capacitance added at the node (F)                           */
    double v0_V;                 /* initial node voltage when the node is a state (V)           */
    double dt_sample_s;          /* samples every dt besides the waveform points (0: none)      */
    double rtol;                 /* relative tolerance                                         */
    double atol_rel;             /* absolute tolerance per state, times its scale              */
    double v_scale_V;            /* scale of the node voltage for its tolerance (V)            */
    double e_atol_J;             /* absolute tolerance of the energies (J)                     */
    double max_step_s;           /* largest internal step (0: unlimited)                       */
    double t_edge_s;             /* rise and fall time of protocol pulses (s)                  */
    double v_read_V;             /* read voltage of protocol reads (V)                         */
    const ms_device_rng *rng;    /* c2c noise of protocol pulses, read noise (NULL: none)      */
    /* Polled at every sample point and waveform corner, at every root, and every
     * MS_DRIVE_POLL_RHS right-hand-side evaluations inside a long segment; nonzero stops the
     * call with MS_EINTR ("interrupted at t = ... s") and the state arguments untouched. The
     * caller owns any signal handling (scripting/ turns Ctrl-C into this). NULL: never. */
    int (*interrupt)(void *ud);
    void *interrupt_ud;
} ms_drive_opts;

/* Right-hand-side evaluations between two interrupt polls inside one solver call: a poll
 * costs one indirect call, an evaluation of the cheapest device tens of ns, so the overhead
 * stays below 1 % and a stop comes within microseconds of wall time. */
#define MS_DRIVE_POLL_RHS 256

/* Defaults: voltage source, no load, rtol 1e-8, atol_rel 1e-9, v_scale 1 V, energies to
 * 1e-21 J (below kT at room temperature), edges 1 ns, reads at 0.2 V, no samples between
 * waveform points, no randomness. */
void ms_drive_opts_default(ms_drive_opts *o);

typedef struct ms_drive_event {
    double t_s;                  /* time of the root (s)                                        */
    int root;                    /* which root of the class (its root_names)                    */
    int dir;                     /* crossing direction, +1 rising, -1 falling                   */
} ms_drive_event;

typedef struct ms_drive_result {
    size_t n;                    /* samples                                                    */
    size_t n_state;              /* device states per sample                                   */
    double *t_s;                 /* [n] sample times                                           */
    double *src;                 /* [n] source waveform value (V or A)                         */
    double *v_V;                 /* [n] voltage across the device                              */
    double *i_A;                 /* [n] device conduction current                              */
    double *i_src_A;             /* [n] current the source delivers (incl. capacitor, load)     */
    double *x;                   /* [n_state * n] state k at x[k * n + j]                       */
    double *e_J;                 /* [n] energy dissipated in the device since t_s[0]            */
    double *e_src_J;             /* [n] energy delivered by the source since t_s[0]             */
    double energy_J;             /* total dissipated in the device (= e_J[n - 1])               */
    double energy_src_J;         /* total delivered by the source                              */
    double energy_load_J;        /* total dissipated in the load                               */
    size_t n_events;             /* roots found (switching, spikes), in time order              */
    ms_drive_event *events;
    size_t n_spikes;             /* events at the class's spike root                            */
    long steps;                  /* internal solver steps                                      */
} ms_drive_result;

/* Drives device class c with parameters p (checked first) from state y0 (NULL: c->init).
 * Samples at every waveform point and every dt_sample_s. *out is freed with
 * ms_drive_result_free. Every protocol below keeps the ranges of neurons/drive_check.h:
 * MS_EINVAL before running for a source beyond a circuit's supply or current-source range
 * (neurons/ms_circuit.h), MS_ERANGE when a state, the node voltage or the current leaves its
 * range at a waveform corner, MS_ESOLVER for a CVODE failure; the message names the device. */
ms_status ms_device_drive(const ms_device_class *c, const double *p, const double *y0,
                          const ms_pwl *w, const ms_drive_opts *o, ms_drive_result **out,
                          ms_error *err);
void ms_drive_result_free(ms_drive_result *r);
/* The samples of state k (n values). */
const double *ms_drive_state(const ms_drive_result *r, size_t k);

/* ---- Protocols ------------------------------------------------------------------------------ */

/* DC sweep (I-V loop): per cycle 0 -> v_max -> 0 -> v_min -> 0 at the constant ramp rate
 * |v_max| / t_ramp_s. */
typedef struct ms_sweep {
    double v_max_V, v_min_V;     /* extremes (v_min_V <= 0 <= v_max_V, not both 0)              */
    double t_ramp_s;             /* time from 0 to v_max (s)                                    */
    int cycles;                  /* >= 1                                                        */
} ms_sweep;
ms_status ms_drive_dc_sweep(const ms_device_class *c, const double *p, const double *y0,
                            const ms_sweep *s, const ms_drive_opts *o, ms_drive_result **out,
                            ms_error *err);

/* Pulse train: n identical trapezoidal pulses (amplitude v, full width at half maximum t_width,
 * edges o->t_edge_s) each after a gap t_gap at 0 V; the class's c2c noise follows each pulse
 * when o->rng is set. G_out[0] is the conductance before the first pulse, G_out[k] after pulse
 * k (n + 1 values, noise-free conductance). y is the state, updated. out (optional) gets the
 * traces. */
typedef struct ms_pulse {
    double v_V;                  /* amplitude (V)                                              */
    double t_width_s;            /* width at half amplitude (s, > t_edge)                      */
    double t_gap_s;              /* time at 0 V before each pulse (s, > 0)                     */
} ms_pulse;
ms_status ms_drive_pulse_train(const ms_device_class *c, const double *p, double *y,
                               const ms_pulse *pulse, size_t n_pulses, const ms_drive_opts *o,
                               double *G_out, ms_drive_result **out, ms_error *err);

/* Write-verify with pulses integrated by CVODE (devices/ms_program.h gives the algorithm):
 * verify reads at o->v_read_V (with the class's read noise when o->rng is set), pulses with
 * edges o->t_edge_s and c2c noise. y is the state, updated. */
ms_status ms_drive_write_verify(const ms_device_class *c, const double *p, double *y,
                                const ms_wv_opts *wv, const ms_drive_opts *o, ms_wv_result *r,
                                ms_error *err);

/* Relaxation after programming to y_prog: the read conductance at each of the n times after
 * programming (s), for the relaxation draw xi (one standard normal per programmed device). */
ms_status ms_drive_relaxation(const ms_device_class *c, const double *p, const double *y_prog,
                              const double *t_s, size_t n, double xi, double *G_out,
                              ms_error *err);

/* Current step into a soma: 0 A until t = 0, a linear rise to i_step_A over o->t_edge_s, held
 * until t_end_s. The result carries the traces and the spike times (events at the spike root);
 * *rate_Hz is the rate of the periodic regime: the mean inter-spike interval after the first
 * spike, inverted (0 with fewer than three spikes). */
ms_status ms_drive_soma_step(const ms_device_class *c, const double *p, double i_step_A,
                             double t_end_s, const ms_drive_opts *o, ms_drive_result **out,
                             double *rate_Hz, ms_error *err);
/* The same measure for any result: rate of the spikes after the first (0 if fewer than 3). */
double ms_drive_spike_rate(const ms_drive_result *r, const ms_device_class *c);

#endif

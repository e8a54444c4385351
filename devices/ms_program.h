/* devices/ms_program.h: write-verify, the programming loop of analog RRAM arrays, written once
 * for any device and any way of applying pulses. A caller supplies two operations, a verify read
 * and a programming pulse: devices/rram_nonideal.c plugs in the closed-form pulse of "rram";
 * neurons/device_drive.c plugs in a pulse integrated by CVODE, for any device class.
 * The algorithm ([S RC-GH]; docs/devices/rram.md): read; stop when |G - G_target| <= tol; else one
 * SET (below target) or RESET (above) pulse whose amplitude starts just beyond the threshold and
 * grows by one step per consecutive pulse of the same polarity, up to a cap, and restarts when
 * the polarity flips. docs/devices/README.md.
 * Source tags ([S N1-ED7], ...) are defined in docs/devices/sources.md. */
#ifndef MEMSNN_DEVICES_MS_PROGRAM_H
#define MEMSNN_DEVICES_MS_PROGRAM_H

#include <stddef.h>

typedef struct ms_wv_opts {
    double G_target_S;      /* conductance to reach (S)                                      */
    double tol_S;           /* accepted |G_read - G_target| (S, > 0)                         */
    int max_iter;           /* largest number of programming pulses (>= 1)                   */
    double v_set_first_V;   /* first SET amplitude (V, > 0)                                  */
    double v_set_max_V;     /* largest SET amplitude (V, >= first)                           */
    double v_reset_first_V; /* first RESET amplitude (V, < 0)                                */
    double v_reset_max_V;   /* largest RESET amplitude (V, <= first)                         */
    double v_step_V;        /* ramp step (V, > 0)                                            */
    double t_pulse_s;       /* pulse width (s, > 0)                                          */
} ms_wv_opts;

typedef struct ms_wv_ops {
    int (*read)(void *ud, double *G_S);              /* a verify read, maybe noisy; 0 = ok    */
    int (*pulse)(void *ud, double v_V, double t_s);  /* one programming pulse; 0 = ok         */
    void *ud;
} ms_wv_ops;

typedef struct ms_wv_result {
    int converged;          /* 1 when the last read was within the tolerance                 */
    int pulses;             /* programming pulses applied                                    */
    int n_set, n_reset;     /* of which SET and RESET                                        */
    double G_read_S;        /* the last verify read (S)                                      */
    double v_last_V;        /* amplitude of the last pulse (V; 0 if none)                    */
} ms_wv_result;

/* Runs the loop. Returns MS_DEV_OK whether or not it converged (see r->converged),
 * MS_DEV_EINVAL for inconsistent options, MS_DEV_EFAIL when an operation failed. */
int ms_write_verify(const ms_wv_opts *o, const ms_wv_ops *ops, ms_wv_result *r, char *msg,
                    size_t len);

#endif

/* neurons/ms_reservoir.h: a reservoir of N parallel dynamic memristors driven through a random
 * +-1 mask of length M (Zhong et al., Nat. Commun. 12, 408 (2021)): each input u(t) becomes M
 * masked values u(t) mask[j][m], scaled linearly into [v_min, v_max] and applied to device j as
 * M successive voltage pulses; after each pulse the device is read, which gives M x N
 * features per input. docs/reservoir.md.
 *
 * Three ways to advance a device through a pulse, for the same square pulse train:
 *   MS_RES_EXACT  the closed-form solution of the device's ODE at a held voltage
 *                 (devices/ms_dendrite.h; dynamic_tiox and dynamic_wox only), fast;
 *   MS_RES_MAP    the released code's discrete map, one step per pulse (dynamic_tiox only;
 *                 the Euler step of size dt_in, so it assumes t_pulse = dt_in and no gap);
 *   MS_RES_ODE    CVODE through neurons/ms_device_drive.h on trapezoidal pulses with 1 ns
 *                 edges, for any device class with a state; slow, the reference.
 * Reads: MS_RES_READ_INPUT takes the device current at the end of the input pulse, at the
 * pulse's own voltage (what the released code collects); MS_RES_READ_PULSE the current of a
 * read pulse at v_read after it, taken as not disturbing the state.
 * Source tags ([S ZH21], [R], ...) are defined in docs/devices/sources.md. */
#ifndef MEMSNN_NEURONS_MS_RESERVOIR_H
#define MEMSNN_NEURONS_MS_RESERVOIR_H

#include <stddef.h>
#include <stdint.h>

#include "core/ms_status.h"
#include "devices/ms_device.h"

typedef enum ms_res_method { MS_RES_EXACT = 0, MS_RES_MAP, MS_RES_ODE } ms_res_method;
typedef enum ms_res_read { MS_RES_READ_INPUT = 0, MS_RES_READ_PULSE } ms_res_read;

typedef struct ms_reservoir_opts {
    size_t n;               /* parallel devices N, >= 1                                        */
    size_t m;               /* mask length M, >= 1                                             */
    double v_min_V;         /* voltage of the smallest masked input (V)                        */
    double v_max_V;         /* voltage of the largest (V), > v_min_V                            */
    double t_pulse_s;       /* width of an input pulse (s, > 0)                                 */
    double t_gap_s;         /* rest at 0 V after each pulse (s, >= 0)                           */
    ms_res_method method;
    ms_res_read read;
    double v_read_V;        /* read voltage of MS_RES_READ_PULSE (V)                            */
    double in_lo, in_hi;    /* masked-input range mapped onto [v_min, v_max]; in_lo == in_hi
                               (default 0, 0): each drive's own minimum and maximum, as the
                               released code scales                                           */
    double read_noise;      /* relative sigma of every read: a feature is I (1 + read_noise
                               N(0, 1)) (>= 0; default 0, exact reads)                        */
    double c2c;             /* cycle-to-cycle relative sigma of each pulse's change of state:
                               x0 + (x1 - x0)(1 + c2c N(0, 1)), clamped to the state's domain
                               (>= 0; default 0; exact and map only)                           */
    uint64_t seed;          /* key of the mask stream (seed, 0, MS_RNG_MASK), of each device's
                               parameters (seed, j, MS_RNG_VARIATION) and of its noise
                               (seed, j, MS_RNG_NOISE) (core/ms_rng.h)                         */
} ms_reservoir_opts;

/* Defaults: N 25, M 4, V 0 .. 2.5 V (the code's Henon setting [S RC-GH DM_RC_sim.m]), pulses
 * of 4 us without gaps (dt_in of dynamic_tiox), exact, input reads, v_read 1.9 V
 * [S ZH21-F1], the data's range, no read or cycle-to-cycle noise (the released code's ideal
 * devices), seed 1. */
void ms_reservoir_opts_default(ms_reservoir_opts *o);

typedef struct ms_reservoir ms_reservoir;

/* A reservoir of class c with nominal parameters p (checked), devices at their initial state.
 * Device j gets its own parameters from ms_device_sample on stream (seed, j,
 * MS_RNG_VARIATION): the class's device-to-device law (dynamic_tiox, dynamic_wox: their `d2d`
 * parameter; a class without a law copies p). MS_EINVAL names the bad option and its range. */
ms_status ms_reservoir_new(const ms_device_class *c, const double *p, const ms_reservoir_opts *o,
                           ms_reservoir **out, ms_error *err);
void ms_reservoir_free(ms_reservoir *r);

size_t ms_reservoir_n_features(const ms_reservoir *r);           /* M x N                    */
size_t ms_reservoir_n_state(const ms_reservoir *r);              /* states per device         */
const ms_reservoir_opts *ms_reservoir_options(const ms_reservoir *r);
const signed char *ms_reservoir_mask(const ms_reservoir *r);     /* [N x M], row j = device j */
const double *ms_reservoir_state(const ms_reservoir *r);         /* [N x n_state]             */
const double *ms_reservoir_params(const ms_reservoir *r, size_t j);  /* device j's parameters */
/* Devices back to their initial state. The noise streams go on where they were: the same
 * calls in the same order give the same result, and a test after a reset does not meet the
 * noise of training again. */
void ms_reservoir_reset(ms_reservoir *r);

/* Drives the reservoir with T inputs u (continuing from its state) and writes the features
 * X[t * M N + m N + j]: the read of device j after pulse m of input t (A). volts (optional,
 * [T x M N] in the same order) gets the applied pulse voltages. */
ms_status ms_reservoir_drive(ms_reservoir *r, const double *u, size_t T, double *X, double *volts,
                             ms_error *err);

#endif

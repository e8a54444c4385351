/* neurons/ms_crossbar.h: mapping a signed weight matrix onto the conductances of "rram" devices
 * as a compute-in-memory crossbar holds it: quantisation of each weight to one of the
 * programmable levels, differential pairs (w -> G+ - G-) or one device per weight, programming
 * by write-verify (or an ideal open-loop set) with the device-to-device variation, stuck-at
 * faults, cycle-to-cycle and read noise of the rram class, relaxation after programming, and
 * a report of the error, the write cost and the number of crossbar tiles.
 *
 * Randomness: device k of a mapping (0-based over all its devices; for a differential mapping
 * the positive device of synapse s is 2s and the negative one 2s + 1, else device s) draws its
 * parameters and its stuck-at fault from stream (seed, stream_base + k, MS_RNG_VARIATION) and
 * its relaxation draw and programming/verify noise from (seed, stream_base + k, MS_RNG_NOISE),
 * so a device is the same whatever else is mapped and in whatever order. docs/crossbar.md. */
#ifndef MEMSNN_NEURONS_MS_CROSSBAR_H
#define MEMSNN_NEURONS_MS_CROSSBAR_H

#include <stddef.h>
#include <stdint.h>

typedef struct ms_crossbar_opts {
    size_t rows, cols;    /* tile size: word lines (presynaptic inputs) x bit lines (default
                             128 x 32; 1152 x 128 in the seed talk [B]); >= 1                  */
    int levels;           /* programmable levels per device, >= 2 (default 64, rram n_levels)   */
    double g_min, g_max;  /* conductance window (S); defaults: rram G_min, G_max (2 uS, 20 uS)   */
    int differential;     /* 1 (default): w -> G+ - G-, a pair per weight; 0: one device per
                             weight, w >= 0 only                                             */
    double w_max;         /* weight that maps to the full window g_max - g_min (> 0); 0
                             (default): the largest |w| of the matrix                         */
    int clip;             /* |w| > w_max: nonzero clips to +-w_max and counts it; 0 (default)
                             is an error                                                     */
    int write_verify;     /* 1 (default): write-verify each device to its level's conductance;
                             0: open-loop set of the level's nominal state x = k / (levels-1)  */
    double wv_tol;        /* write-verify tolerance in level spacings (default rram wv_tol 0.5) */
    double variation;     /* device-to-device lognormal sigma of G_min, G_max and the switching
                             rates (rram d2d_G and d2d_step; default 0)                        */
    double c2c;           /* cycle-to-cycle sigma of a 1 uS pulse step (S; rram sigma_c2c;
                             default 0)                                                      */
    double read_noise;    /* relative noise of the verify reads (rram sigma_read; default 0)    */
    double p_stuck_off;   /* probability that a device is stuck at its G_min (default 0)        */
    double p_stuck_on;    /* probability that a device is stuck at its G_max (default 0)        */
    double t_since;       /* time since programming (s) for relaxation (default 0: none)        */
    double relax_scale;   /* factor on rram's relax_mu, relax_sig0, relax_sig1 (default 1; used
                             only when t_since > 0; 0: no relaxation)                         */
    double wear;          /* endurance wear every device has accumulated (rram wear, standard
                             full-window sweeps; default 0: fresh devices)                     */
    uint64_t seed;        /* key of the random streams (default 1)                             */
} ms_crossbar_opts;

/* The defaults above: 128 x 32 tiles, the rram level count and window, differential pairs,
 * w_max from the matrix, no clipping, write-verify with rram's tolerance, no non-ideality. */
void ms_crossbar_opts_default(ms_crossbar_opts *o);

typedef struct ms_crossbar_report {
    size_t n_weights;     /* synapses mapped                                                  */
    size_t n_devices;     /* devices programmed: 2 n_weights (differential) or n_weights       */
    size_t tiles;         /* tile_rows x tile_cols                                             */
    size_t tile_rows;     /* ceil(n_pre / rows)                                                */
    size_t tile_cols;     /* ceil(2 n_post / cols) differential (a pair = two adjacent bit
                             lines), ceil(n_post / cols) single-ended                          */
    int levels_used;      /* distinct levels among the devices' targets (level 0 included)     */
    double w_max;         /* the w_max used (the option, or the largest |w| of the matrix)     */
    double rms_error;     /* rms of w_real - w over the synapses, in weight units              */
    double max_error;     /* largest |w_real - w|, in weight units                             */
    size_t n_clipped;     /* weights clipped to +-w_max                                        */
    size_t n_stuck;       /* devices drawn stuck (off or on)                                   */
    size_t n_wv_failed;   /* devices whose write-verify ended outside the tolerance             */
    double mean_pulses;   /* write-verify programming pulses per device (0 without it)         */
    double write_energy;  /* J: sum over programming pulses of V^2 G t_pulse, G the mean of the
                             conductance before and after the pulse (verify reads excluded)    */
} ms_crossbar_report;

/* Maps n weights w (any order, any sparsity pattern inside an n_pre x n_post matrix; n_pre and
 * n_post serve only the tile count, n <= n_pre n_post) onto devices and returns per synapse:
 *   g_pos, g_neg  the read conductance of the two devices (S, mean read without noise;
 *                 g_neg and x_neg are set to 0 when not differential),
 *   x_pos, x_neg  the rram state x of each device, for a learning rule to program further,
 *   w_real        the realised weight (g_pos - g_neg) w_max / (g_max - g_min), or
 *                 (g_pos - g_min) w_max / (g_max - g_min) single-ended.
 * Any output array and rep may be NULL. Returns MS_OK (0), MS_EINVAL for a bad option or
 * weight, MS_ENOMEM; the message in msg names the option or synapse and its value. */
int ms_crossbar_map(const ms_crossbar_opts *o, const double *w, size_t n, size_t n_pre,
                    size_t n_post, uint64_t stream_base, double *g_pos, double *g_neg,
                    double *x_pos, double *x_neg, double *w_real, ms_crossbar_report *rep,
                    char *msg, size_t len);

/* The nominal rram parameters a mapping with options o programs towards (the rram defaults
 * with the window, levels, tolerance and each non-ideality of o), checked as ms_crossbar_map
 * checks them. nom: MS_DEVICE_MAX_PARAMS doubles. */
int ms_crossbar_nominal(const ms_crossbar_opts *o, double *nom, char *msg, size_t len);

/* Device `index` (stream_base + k as in ms_crossbar_map) of a mapping with options o and
 * nominal parameters nom: its own parameters p (its variation and stuck-at draw, as the
 * mapping drew them) and its relaxation draw xi (the first normal of its noise stream). */
int ms_crossbar_device(const ms_crossbar_opts *o, const double *nom, uint64_t index, double *p,
                       double *xi, char *msg, size_t len);

#endif

/* neurons/ms_xbar.h: a mapped crossbar array that lives on after its mapping: an n_in x n_out
 * weight matrix held by "rram" devices (neurons/ms_crossbar.h maps it), read in rate mode
 * (column currents for input voltages), programmed in situ by sign-based pulses or by
 * write-verify, and aged by the devices' relaxation law. The hybrid-training experiment
 * (docs/hybrid-training.md) runs on it. docs/crossbar.md, "Arrays after mapping".
 *
 * Layout (dense): synapse s = i n_out + j joins input (word line) i to output (bit line) j; with pairs
 * its positive device is 2s and its negative one 2s + 1 (device s single-ended), and device k
 * has the streams of ms_crossbar_map's device stream_base + k, so an array's devices are those
 * of ms_crossbar_map on the same weights.
 *
 * Randomness: reads (seed, stream_base, MS_RNG_READ) and in-situ programming (seed,
 * stream_base, MS_RNG_UPDATE), each one sequence per array: the same calls in the same order
 * give the same result.
 *
 * Library rules: functions return ms_status and leave a message (ms_xbar_errmsg); nothing is
 * allocated after ms_xbar_create. */
#ifndef MEMSNN_NEURONS_MS_XBAR_H
#define MEMSNN_NEURONS_MS_XBAR_H

#include <stddef.h>
#include <stdint.h>

#include "core/ms_status.h"
#include "neurons/ms_crossbar.h"

typedef struct ms_xbar ms_xbar;

/* Maps w (n_in x n_out, input-major: w[i n_out + j]) with options o (t_since is applied as a
 * first ms_xbar_age). MS_EINVAL (message in msg) for a bad option or weight, MS_ENOMEM. */
ms_status ms_xbar_create(const ms_crossbar_opts *o, const double *w, size_t n_in, size_t n_out,
                         uint64_t stream_base, ms_xbar **out, char *msg, size_t len);
/* List mode, for the synapses of a network's projection: n synapses in any order, synapse s
 * joining input pre[s] to output post[s] (0-based, < n_in and < n_out; pairs may repeat or be
 * missing), w[s] its weight. Devices, streams and layout are those of the dense array with
 * synapse s in place of i n_out + j (device 2s, 2s + 1), so the devices are those of
 * ms_crossbar_map on w with the same stream_base; the mapping's tiles hold the rows and
 * columns the synapses occupy (max pre + 1 by max post + 1). Forward reads and sign updates
 * go synapse by synapse in their order. ms_xbar_create is the dense case (n = n_in n_out,
 * pre = post = NULL). */
ms_status ms_xbar_create_list(const ms_crossbar_opts *o, const double *w, size_t n,
                              const size_t *pre, const size_t *post, size_t n_in, size_t n_out,
                              uint64_t stream_base, ms_xbar **out, char *msg, size_t len);
void ms_xbar_free(ms_xbar *xb);
const char *ms_xbar_errmsg(const ms_xbar *xb);

size_t ms_xbar_inputs(const ms_xbar *xb);
size_t ms_xbar_outputs(const ms_xbar *xb);
size_t ms_xbar_synapses(const ms_xbar *xb);   /* n_in n_out, or the list's n            */
size_t ms_xbar_devices(const ms_xbar *xb);
const ms_crossbar_opts *ms_xbar_options(const ms_xbar *xb);
const ms_crossbar_report *ms_xbar_report(const ms_xbar *xb);   /* the mapping's report */
double ms_xbar_v_read(const ms_xbar *xb);   /* read voltage (V): rram V_read, 0.2 V       */

/* Rate-mode read: input i drives its word line at u[i] V_read (u in [0, 1], amplitude
 * coding), and bit line (pair) j returns I[j] = V_read sum_i u_i (G+_ij - G-_ij) (A), or
 * sum_i u_i V_read G_ij single-ended. noisy: every device read carries its relative read noise
 * read_noise N(0, 1), drawn per column as one normal with the summed variance (exact for
 * independent Gaussian reads, docs/crossbar.md). Books the read energy
 * sum_i (u_i V_read)^2 (G+ + G-) t_read. MS_EINVAL when an input is outside [0, 1]. */
ms_status ms_xbar_forward(ms_xbar *xb, const double *u, double *I, int noisy);

typedef enum ms_xbar_phase {
    MS_XBAR_ALTERNATE = 0,  /* SET and RESET phases alternate from one update to the next     */
    MS_XBAR_SET_ONLY = 1    /* every update is a SET phase                                    */
} ms_xbar_phase;

typedef struct ms_xbar_pulses {
    unsigned long long pulses, n_set, n_reset;   /* programming pulses applied                */
    double energy_J;                             /* their write energy (synapse_write)        */
} ms_xbar_pulses;

/* Sign-based in-situ update (sign backpropagation; docs/crossbar.md): synapse (i, j) with
 * |err[j] u[i]| > threshold gets one standard pulse (V_pulse_set or V_pulse_reset for t_pulse,
 * through the device's own closed-form pulse and cycle-to-cycle noise) in the direction
 * d = sign(err[j]) sign(u[i]): d > 0 raises the weight. With pairs, a SET phase SETs G+ (d > 0)
 * or G- (d < 0), a RESET phase RESETs G- (d > 0) or G+ (d < 0); single-ended, SET for d > 0 and
 * RESET for d < 0. The phase alternates between calls (MS_XBAR_ALTERNATE, starting with SET)
 * or is always SET. Every pulse books V^2 t_pulse (G_before + G_after) / 2 and counts towards
 * its device's wear. r (may be NULL) gets this call's pulses. */
ms_status ms_xbar_update_sign(ms_xbar *xb, const double *u, const double *err, double threshold,
                              ms_xbar_phase phase, ms_xbar_pulses *r);

/* Write-verify every device from its present state to the level of w (NULL: the weights of
 * the mapping), with the mapping's w_max, levels, tolerance and clip rule, as the mapping
 * programs (verify reads with read noise, c2c noise, energy, wear). The devices count as
 * programmed now (time since programming 0). */
ms_status ms_xbar_program(ms_xbar *xb, const double *w, ms_xbar_pulses *r);

/* Relaxation: sets every device to its state at time t (s, >= 0) after its last programming,
 * G = G_p + relax_mu L + (relax_sig0 + relax_sig1 L) xi, L = ln(1 + t/relax_t0), with the
 * device's own draw xi (that of the mapping) and rram's coefficients times relax_scale; clamped
 * to the device's window. t = 0 restores the programmed states exactly. Not cumulative:
 * age(600) then age(7200) is the state 2 h after programming. */
ms_status ms_xbar_age(ms_xbar *xb, double t);
double ms_xbar_age_now(const ms_xbar *xb);   /* the t of the last ms_xbar_age (s)          */

/* Mean read conductances (S) per synapse, input-major (list mode: the list's order); g_neg
 * gets 0 single-ended; either may be NULL. */
void ms_xbar_conductances(const ms_xbar *xb, double *g_pos, double *g_neg);
/* The rram state x of each synapse's devices, as ms_xbar_conductances orders them. */
void ms_xbar_states(const ms_xbar *xb, double *x_pos, double *x_neg);
/* The weights the devices hold: (G+ - G-) w_max / (g_max - g_min), single-ended
 * (G - g_min) w_max / (g_max - g_min). */
void ms_xbar_weights(const ms_xbar *xb, double *w);
/* Programming pulses each device received after the mapping (wear), n_devices of them. */
const uint32_t *ms_xbar_wear(const ms_xbar *xb);

typedef struct ms_xbar_stats {
    double e_map_J;                   /* write-verify energy of the mapping (report)          */
    double e_write_J;                 /* synapse_write after the mapping: in-situ + program    */
    double e_read_J;                  /* synapse_read of the forward reads                     */
    unsigned long long reads;         /* forward reads (one per input vector)                 */
    unsigned long long update_pulses; /* in-situ sign pulses                                  */
    unsigned long long program_pulses;/* write-verify pulses of ms_xbar_program               */
    uint32_t wear_max;                /* largest per-device pulse count                        */
    double wear_mean;                 /* mean per-device pulse count                           */
} ms_xbar_stats;
void ms_xbar_get_stats(const ms_xbar *xb, ms_xbar_stats *s);

#endif

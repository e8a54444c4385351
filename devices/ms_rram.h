/* devices/ms_rram.h: the RRAM synapse classes "rram" (default: threshold ODE with soft bounds,
 * calibrated to the Tsinghua per-pulse tables) and "rram_pku" (Stanford/PKU filament gap), their
 * parameter layouts, and the pulse-level operations of "rram" that use its closed-form pulse
 * response: programming pulses, reads, quantisation to levels, write-verify and relaxation.
 * Equations: docs/devices/rram.md and docs/devices/rram_pku.md. */
#ifndef MEMSNN_DEVICES_MS_RRAM_H
#define MEMSNN_DEVICES_MS_RRAM_H

#include <stddef.h>

#include "devices/ms_device.h"
#include "devices/ms_program.h"

/* ---- "rram": state x in [0, 1], G = G_min + x (G_max - G_min) ------------------------------ */

enum ms_rram_state { MS_RRAM_X, MS_RRAM_N_STATE };

enum ms_rram_param {
    MS_RRAM_G_MIN,          /* low-conductance bound (S)                                   */
    MS_RRAM_G_MAX,          /* high-conductance bound (S)                                  */
    MS_RRAM_V_SET,          /* SET threshold (V, > 0)                                      */
    MS_RRAM_V_RESET,        /* RESET threshold (V, < 0)                                    */
    MS_RRAM_ALPHA_SET,      /* voltage exponent above the SET threshold                    */
    MS_RRAM_ALPHA_RESET,    /* voltage exponent beyond the RESET threshold                 */
    MS_RRAM_K_SET,          /* SET rate constant (1/s)                                     */
    MS_RRAM_K_RESET,        /* RESET rate constant (1/s)                                   */
    MS_RRAM_P_SET,          /* SET soft-bound exponent: rate ~ (1 - x)^p_set               */
    MS_RRAM_P_RESET,        /* RESET soft-bound exponent: rate ~ x^p_reset                 */
    MS_RRAM_X0,             /* initial state                                               */
    MS_RRAM_V_READ,         /* read voltage (V)                                            */
    MS_RRAM_T_READ,         /* read pulse width (s)                                        */
    MS_RRAM_V_PULSE_SET,    /* standard SET pulse amplitude (V)                            */
    MS_RRAM_V_PULSE_RESET,  /* standard RESET pulse amplitude (V, < 0)                     */
    MS_RRAM_T_PULSE,        /* standard pulse width (s)                                    */
    MS_RRAM_D2D_G,          /* device-to-device spread of G_min and G_max (lognormal sigma) */
    MS_RRAM_D2D_STEP,       /* device-to-device spread of k_set and k_reset (lognormal)    */
    MS_RRAM_SIGMA_C2C,      /* cycle-to-cycle sigma of the step of a 1 uS pulse (S)        */
    MS_RRAM_SIGMA_READ,     /* relative read noise                                         */
    MS_RRAM_RELAX_MU,       /* relaxation mean shift per unit of ln(1 + t/t0) (S)          */
    MS_RRAM_RELAX_SIG0,     /* relaxation spread intercept (S)                             */
    MS_RRAM_RELAX_SIG1,     /* relaxation spread growth per unit of ln(1 + t/t0) (S)       */
    MS_RRAM_RELAX_T0,       /* relaxation time unit (s)                                    */
    MS_RRAM_P_STUCK_OFF,    /* probability that a sampled device is stuck at G_min         */
    MS_RRAM_P_STUCK_ON,     /* probability that a sampled device is stuck at G_max         */
    MS_RRAM_STUCK,          /* this device: 0 healthy, 1 stuck off (G_min), 2 stuck on      */
    MS_RRAM_N_LEVELS,       /* programmable levels between G_min and G_max                 */
    MS_RRAM_WV_TOL,         /* write-verify tolerance in units of the level spacing         */
    MS_RRAM_WV_MAX_ITER,    /* write-verify pulse limit                                    */
    MS_RRAM_WV_V_STEP,      /* write-verify amplitude ramp step (V)                        */
    MS_RRAM_WV_V_MAX,       /* write-verify largest amplitude (V, both polarities)          */
    MS_RRAM_WEAR,           /* accumulated switching stress (standard full-window sweeps)  */
    MS_RRAM_END_W0,         /* wear at which the degradation sets in                       */
    MS_RRAM_END_KAPPA,      /* window fraction lost per decade of wear / end_W0            */
    MS_RRAM_END_NU,         /* growth of p_set, p_reset per decade of wear / end_W0        */
    MS_RRAM_END_V_ACC,      /* voltage acceleration of the wear per pulse (V)              */
    MS_RRAM_END_F_FAIL,     /* window fraction at or below which a device is worn out      */
    MS_RRAM_D2D_W0,         /* device-to-device spread of end_W0 (lognormal sigma)         */
    MS_RRAM_N_PARAMS
};

enum ms_rram_stuck { MS_RRAM_HEALTHY = 0, MS_RRAM_STUCK_OFF = 1, MS_RRAM_STUCK_ON = 2 };

/* The reference step of the cycle-to-cycle law: a pulse whose nominal step is 1 uS has the
 * spread sigma_c2c; sigma grows as the square root of the nominal step (docs/devices/rram.md). */
#define MS_RRAM_C2C_REF_S 1e-6

/* Conductance of state x (clamped to the window; stuck devices report their bound). */
double ms_rram_G(const double *p, double x);
/* The state of conductance G (clamped to [0, 1]). */
double ms_rram_x_of_G(const double *p, double G);

/* The exact state after a rectangular pulse of amplitude v (V) and width t_w (s) from x0, from
 * the closed-form solution of the rram ODE (no noise). Below threshold it returns x0 exactly. */
double ms_rram_pulse_x(const double *p, double x0, double v, double t_w);
/* As above, then the cycle-to-cycle noise of the class (pulse_noise); rng may be NULL (none). */
double ms_rram_pulse(const double *p, double x0, double v, double t_w, const ms_device_rng *rng);

/* The conductance a read returns (S): G(x) (1 + sigma_read N(0,1)); rng NULL: no noise. */
double ms_rram_read_G(const double *p, double x, const ms_device_rng *rng);

/* Quantisation to n_levels equally spaced levels in [G_min, G_max]. */
double ms_rram_level_G(const double *p, int level);          /* conductance of a level     */
int ms_rram_nearest_level(const double *p, double G);         /* level nearest to G         */
double ms_rram_wv_tol_S(const double *p);                     /* write-verify tolerance (S) */

/* Write-verify options from the parameters: tolerance, iteration limit, amplitude ramp from just
 * above each threshold up to wv_V_max, standard pulse width. */
void ms_rram_wv_defaults(const double *p, double G_target, ms_wv_opts *o);
/* Write-verify of one device with closed-form pulses, c2c noise and noisy verify reads (rng
 * may be NULL for an ideal device). Updates *x; the result says whether it converged. */
int ms_rram_program(const double *p, double *x, const ms_wv_opts *o, const ms_device_rng *rng,
                    ms_wv_result *r, char *msg, size_t len);

/* Endurance degradation [I] (docs/devices/rram.md, "Endurance"): with D = log10(1 + wear/end_W0),
 * the window keeps the fraction f = 1 - end_kappa D (at least MS_RRAM_F_FLOOR) of its width about
 * its centre, and the soft-bound exponents grow by end_nu D (at most 4). wear = 0 gives the fresh
 * device exactly. */
#define MS_RRAM_F_FLOOR 1e-3
double ms_rram_decades(const double *p);        /* D                                          */
double ms_rram_window_frac(const double *p);    /* f                                          */
double ms_rram_G_min_eff(const double *p);      /* effective low bound (S)                    */
double ms_rram_G_max_eff(const double *p);      /* effective high bound (S)                   */
double ms_rram_p_set_eff(const double *p);
double ms_rram_p_reset_eff(const double *p);
/* The wear a pulse of amplitude v (V) adds when it moves the state by dx:
 * abs(dx) exp((abs(v) - V_ref)/end_V_acc), V_ref the standard pulse amplitude of its polarity. */
double ms_rram_wear_dose(const double *p, double v, double dx);

/* Relaxation after programming: the mean shift and the spread (S) at time t after programming. */
double ms_rram_relax_mean(const double *p, double t);
double ms_rram_relax_sigma(const double *p, double t);

/* ---- "rram_pku": Stanford/PKU filament-gap model, state g (m) -------------------------------- */

enum ms_rram_pku_state { MS_PKU_GAP, MS_PKU_N_STATE };

enum ms_rram_pku_param {
    MS_PKU_I0,              /* current prefactor (A)                                       */
    MS_PKU_G0,              /* gap decay length (m)                                        */
    MS_PKU_V0,              /* voltage scale of the sinh I-V (V)                            */
    MS_PKU_VEL0,            /* gap velocity prefactor (m/s)                                */
    MS_PKU_EA,              /* activation energy (eV)                                      */
    MS_PKU_A0,              /* atom spacing (m)                                            */
    MS_PKU_GAMMA0,          /* field enhancement at zero gap                               */
    MS_PKU_BETA,            /* field enhancement decrease per nm^3 of gap                  */
    MS_PKU_T_OX,            /* oxide thickness (m)                                         */
    MS_PKU_F_MIN,           /* minimum field for gap motion (V/m)                          */
    MS_PKU_R_TH,            /* thermal resistance (K/W)                                    */
    MS_PKU_T0,              /* ambient temperature (K)                                     */
    MS_PKU_R_ON,            /* on resistance at the read voltage (ohm): sets the gap minimum */
    MS_PKU_R_OFF,           /* off resistance at the read voltage (ohm): sets the gap maximum */
    MS_PKU_V_READ,          /* read voltage (V)                                            */
    MS_PKU_GAP_INIT,        /* initial gap (m), clamped to the bounds                      */
    MS_PKU_F_WIDTH,         /* width of the smoothed F_min gate (V/m)                      */
    MS_PKU_N_PARAMS
};

/* Gap bounds (m) implied by R_on, R_off at V_read. */
double ms_rram_pku_gap_min(const double *p);
double ms_rram_pku_gap_max(const double *p);

#endif

/* devices/ms_soma.h: the soma classes and their parameter layouts:
 *   "mott_soma"          S1, hysteretic two-threshold switch with a parallel capacitor (default)
 *   "mott_soma_thermal"  S2, thermal Mott model with VO2 constants
 * The soma is a two-terminal device: its state is the switch (S1) or the temperature and
 * hysteresis memory (S2); the capacitor is the device's parallel capacitance (the class's
 * capacitance()), and the node voltage across it belongs to the circuit that drives the soma
 * (neurons/), because a dendrite-soma node has several devices on it.
 * Equations: docs/devices/mott_soma.md, docs/devices/mott_soma_thermal.md. */
#ifndef MEMSNN_DEVICES_MS_SOMA_H
#define MEMSNN_DEVICES_MS_SOMA_H

/* ---- "mott_soma" (S1): s conducting fraction, m phase (0 insulating, 1 metallic) ----------- */
enum ms_mott_state { MS_MOTT_S, MS_MOTT_M, MS_MOTT_N_STATE };
enum ms_mott_param {
    MS_MOTT_V_TH,           /* insulator-metal threshold (V)                              */
    MS_MOTT_V_HOLD,         /* metal-insulator (hold) threshold (V), < V_th               */
    MS_MOTT_R_ON,           /* metallic resistance (ohm)                                  */
    MS_MOTT_R_OFF,          /* insulating resistance (ohm)                                */
    MS_MOTT_C,              /* parallel capacitance (F)                                   */
    MS_MOTT_TAU_S,          /* switching time constant (s)                                */
    MS_MOTT_D2D,            /* device-to-device lognormal sigma of V_th, V_hold, R_on, R_off */
    MS_MOTT_N_PARAMS
};
enum ms_mott_root { MS_MOTT_ROOT_IMT, MS_MOTT_ROOT_MIT, MS_MOTT_N_ROOTS };

/* Closed-form firing rate (Hz) of the S1 circuit in the limit tau_s -> 0 ([I], mott_soma.md):
 * the soma fed by a Norton source, current i_n (A) in parallel with r_n (ohm; r_n <= 0 or
 * infinite: an ideal current source). A voltage V_in through a load R_L is the Norton source
 * (V_in / R_L, R_L). 0 when the node never reaches V_th or when the switch latches on. */
double ms_mott_soma_rate(const double *p, double i_n, double r_n);
/* Closed-form charging and discharging times (s) of one period; both infinite when no firing. */
void ms_mott_soma_times(const double *p, double i_n, double r_n, double *t_charge, double *t_dis);

/* ---- "mott_soma_thermal" (S2): temperature and the hysteresis memory ------------------------ */
enum ms_vo2_state {
    MS_VO2_T,               /* device temperature (K)                                     */
    MS_VO2_DIR,             /* branch: +1 heating, -1 cooling (changed at reversals)      */
    MS_VO2_T_R,             /* temperature of the last reversal (K)                       */
    MS_VO2_G_R,             /* insulating fraction at the last reversal                   */
    MS_VO2_REV,             /* 1 once a reversal happened (minor loops active)            */
    MS_VO2_N_STATE
};
enum ms_vo2_param {
    MS_VO2_C,               /* parallel capacitance (F)                                   */
    MS_VO2_C_TH,            /* thermal capacitance (J/K)                                  */
    MS_VO2_S_E,             /* thermal conductance to the bath (W/K)                      */
    MS_VO2_T0,              /* bath temperature (K)                                       */
    MS_VO2_R0,              /* Arrhenius prefactor (ohm)                                  */
    MS_VO2_EA_K,            /* activation energy over k_B (K)                             */
    MS_VO2_R_M,             /* metallic resistance (ohm)                                  */
    MS_VO2_W,               /* hysteresis width (K)                                       */
    MS_VO2_T_C,             /* transition centre (K)                                      */
    MS_VO2_BETA,            /* branch sharpness (1/K)                                     */
    MS_VO2_GAMMA,           /* minor-loop proximity parameter                             */
    MS_VO2_T_MIN,           /* lower clamp of T in R(T) (K)                               */
    MS_VO2_T_MAX,           /* upper clamp of T in R(T) (K)                               */
    MS_VO2_T_INIT,          /* initial temperature (K)                                    */
    MS_VO2_REV_RATE,        /* |dT/dt| that registers a heating/cooling reversal (K/s)    */
    MS_VO2_N_PARAMS
};
enum ms_vo2_root { MS_VO2_ROOT_REVERSAL, MS_VO2_ROOT_IMT, MS_VO2_N_ROOTS };

/* Insulating fraction g and resistance R (ohm) of state y (temperature and memory). */
double ms_vo2_g(const double *p, const double *y);
double ms_vo2_R(const double *p, const double *y);

#endif

/* devices/ms_dendrite.h: the dendrite classes and their parameter layouts:
 *   "nmda_dendrite"   D1, first-order volatile memristor (default)
 *   "dendrite_static" D0, the official code's transfer function, the tau -> 0 limit
 *   "dynamic_tiox"    D3, Tsinghua Ti/TiOx/TaOy dynamic memristor for reservoirs
 *   "dynamic_wox"     D4, Du 2017 WOx dynamic memristor for reservoirs
 * Equations: docs/devices/<name>.md. */
#ifndef MEMSNN_DEVICES_MS_DENDRITE_H
#define MEMSNN_DEVICES_MS_DENDRITE_H

/* ---- "nmda_dendrite" (D1): state G (S) ----------------------------------------------------- */
enum ms_nmda_state { MS_NMDA_G, MS_NMDA_N_STATE };
enum ms_nmda_param {
    MS_NMDA_G_ON,           /* on conductance (S)                                          */
    MS_NMDA_G_OFF,          /* off conductance (S)                                         */
    MS_NMDA_V_TH,           /* activation threshold (V)                                    */
    MS_NMDA_DV,             /* sigmoid width (V)                                           */
    MS_NMDA_TAU_ON,         /* activation time constant (s)                                */
    MS_NMDA_TAU_OFF,        /* spontaneous decay time constant (s)                         */
    MS_NMDA_D2D,            /* device-to-device lognormal sigma of G_on, G_off, V_th        */
    MS_NMDA_N_PARAMS
};
/* The normalised activation s(v) in [0, 1): 0 at v = 0, 1/2 near V_th. */
double ms_nmda_activation(const double *p, double v);
/* Closed form: time for a step to v from G_off to reach the fraction f of G_on (s), or
 * infinity when the steady state stays below it. */
double ms_nmda_time_to(const double *p, double v, double f);

/* ---- "dendrite_static" (D0): no state -------------------------------------------------------- */
enum ms_dstatic_param {
    MS_DSTATIC_NL,          /* nonlinearity of the official code (alpha = 50 NL / (1 - NL))  */
    MS_DSTATIC_V_MAX,       /* voltage of the normalised input 1 (V)                       */
    MS_DSTATIC_I_MAX,       /* current at V_max (A)                                        */
    MS_DSTATIC_N_PARAMS
};
/* The official transfer function y(x) = (exp(alpha x) - 1) / (exp(alpha) - 1), alpha =
 * 50 NL / (1 - NL); y = x when alpha = 0. */
double ms_dendrite_static_y(double NL, double x);

/* ---- "dynamic_tiox" (D3): state G in [0, 1] --------------------------------------------------- */
enum ms_tiox_state { MS_TIOX_G, MS_TIOX_N_STATE };
enum ms_tiox_param {
    MS_TIOX_TAU,            /* decay time constant (s)                                     */
    MS_TIOX_DT_IN,          /* input pulse period of the discrete map (s)                  */
    MS_TIOX_G0,             /* resting state                                               */
    MS_TIOX_KP,             /* positive current coefficient (A/V^3)                        */
    MS_TIOX_KN,             /* negative current coefficient (A/V^3)                        */
    MS_TIOX_A,              /* input gain of u(V) = aV/(aV + 1) (1/V)                      */
    MS_TIOX_D2D,            /* device-to-device lognormal sigma of tau, K_p, K_n, a        */
    MS_TIOX_N_PARAMS
};
/* State G after v (V) held for t (s) from G: the ODE's exact solution (devices/dynamic_pulse.c). */
double ms_tiox_hold(const double *p, double G, double v, double t);
/* One step of the source code's discrete map at input v: the Euler step of size dt_in. */
double ms_tiox_map_step(const double *p, double G, double v);

/* ---- "dynamic_wox" (D4): state w in [w_min, 1] ----------------------------------------------- */
enum ms_wox_state { MS_WOX_W, MS_WOX_N_STATE };
enum ms_wox_param {
    MS_WOX_ALPHA,           /* Schottky current prefactor (A)                              */
    MS_WOX_BETA,            /* Schottky voltage factor (1/V)                               */
    MS_WOX_GAMMA,           /* tunnelling current prefactor (A)                            */
    MS_WOX_DELTA,           /* tunnelling voltage factor (1/V)                             */
    MS_WOX_LAMBDA,          /* drift rate (1/s)                                            */
    MS_WOX_ETA,             /* drift voltage factor (1/V)                                  */
    MS_WOX_TAU,             /* decay time constant (s)                                     */
    MS_WOX_W_MIN,           /* floor of w                                                  */
    MS_WOX_W_INIT,          /* initial w                                                   */
    MS_WOX_D2D,             /* device-to-device lognormal sigma of alpha, gamma, lambda, tau */
    MS_WOX_N_PARAMS
};
/* State w after v (V) held for t (s) from w in [w_min, 1]: the exact solution, stopped at
 * the bounds as the device's roots stop it. */
double ms_wox_hold(const double *p, double w, double v, double t);

#endif

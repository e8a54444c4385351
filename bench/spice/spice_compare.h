/* bench/spice/spice_compare.h: what the two halves of the SPICE comparison share: the
 * configuration, the layer, spike lists and energies, and the ngspice side's functions
 * (ngspice.c: netlist, run, raw file, analysis); spice_compare.c runs memsnn, compares and
 * reports. */
#ifndef MEMSNN_BENCH_SPICE_COMPARE_H
#define MEMSNN_BENCH_SPICE_COMPARE_H

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "core/ms_net.h"
#include "core/ms_ode.h"
#include "core/ms_rng.h"
#include "neurons/ms_circuit.h"
#include "neurons/ms_neurons.h"

#define MAX_OVR 32

typedef struct cfg {
    int n_in, n, branches;
    double T, v_read, t_read, delay, rate, refr;
    double r_branch;          /* branch leak of the dendritic neuron (ohm; 0: none)           */
    double c_par;             /* parasitic capacitance of nodes without any (F; < 0: the      */
                              /* circuit's default; 0: such nodes are algebraic)              */
    double g_min, g_max, w_lo, w_hi;
    int vg;                   /* 1: virtual-ground columns; 0: node mode                    */
    uint64_t seed;
    double rtol, atol;        /* memsnn CVODE                                               */
    double rtol_tight;        /* memsnn, its own convergence check (always BDF)            */
    int integrator;           /* memsnn's integrator at rtol: MS_ODE_BDF or MS_ODE_ROSENBROCK */
    double sp_reltol, sp_abstol, sp_vntol, sp_chgtol, sp_tmax, sp_trtol;
    double sp_reltol_tight, sp_tmax_tight;
    const char *sp_method;
    double edge;              /* PWL edge of the read pulses in ngspice (s)                  */
    double gain;              /* gain of the soma's comparator control (see netlist)         */
    int reps;                 /* memsnn timing repetitions (median)                          */
    int sp_reps;              /* > 0: extra ngspice timing runs saving only the phases        */
    int variants;             /* bit 0: dendritic, bit 1: point                              */
    int memsnn_only;
    int trace;                /* >= 0: write the soma trace of this neuron from both simulators */
    const char *out, *ngspice;
    const char *ovr_name[MAX_OVR];
    double ovr_val[MAX_OVR];
    int n_ovr;
} cfg;

typedef struct layer {
    int n_in, n, B;
    size_t *off;      /* input i fires at times[off[i] .. off[i+1]-1]                          */
    double *times;
    int *branch;      /* [j * n_in + i]: branch (0-based) of neuron j that input i feeds     */
    double *gp, *gn;  /* [j * n_in + i]: the differential pair (S)                            */
} layer;

enum { E_SYN, E_DEND, E_SOMA, E_LOAD, E_SRC, E_LI, N_E };
extern const char *const e_name[N_E];
extern const int e_class[N_E];

/* The device parameters as memsnn used them (read back from the network). */
typedef struct nparams {
    double s_vth, s_vhold, s_ron, s_roff, s_c, s_taus;
    double d_gon, d_goff, d_vth, d_dv, d_tauon, d_tauoff;
    double r_branch, c_par, v_app;
} nparams;

typedef struct spikes {
    int n;
    size_t *off;      /* neuron j: t[off[j] .. off[j+1]-1], sorted                              */
    double *t;
    double *slope;    /* ngspice runs: d|V_soma|/dt at each crossing (V/s); NULL for memsnn   */
} spikes;

typedef struct raw {
    int nv;
    size_t np;
    char **names;
    double *d;        /* np rows of nv values                                                  */
} raw;

typedef struct srun {
    double analysis_s, wall_s, cpu_s;
    size_t points;
    spikes sp;
    double E[N_E];
} srun;

typedef struct sp_tol {
    double reltol, abstol, vntol, chgtol, tmax, trtol;
    const char *method;
} sp_tol;

/* the soma switch of the netlist: its on, off and measuring resistances (ohm) */
#define SW_RON 1e-3
#define SW_ROFF 1e9
#define SW_RM 1e3

void die(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(__printf__, 1, 2), noreturn))
#endif
    ;
double now_s(void);
double cpu_s(void);
double child_cpu_s(void);
void spikes_free(spikes *s);

/* ngspice.c */
void write_netlist(const char *path, const cfg *c, const layer *L, int dendrites, const nparams *P,
                   const sp_tol *tol, int save_all);
void raw_read(const char *path, raw *r);
void raw_free(raw *r);
int raw_col(const raw *r, const char *fmt, ...);
void run_ngspice(const cfg *c, const char *cir, const char *rawp, const char *logp, srun *s);
void analyse(const cfg *c, const layer *L, int dendrites, const nparams *P, const raw *r, int with_energy, srun *s);

#endif

/* core/ms_model.h: the model interface. A model is a table of functions over one unit's
 * state vector plus descriptors of its state, parameters and input ports, registered by
 * name. The engine calls models only through this table; models (neurons/) never see the
 * engine. The contract is in docs/architecture.md ("The model interface").
 *
 * Conventions for every function below: SI units; y is the unit's state (n_state values,
 * in the order of `state`); p is the unit's parameters (n_params values, in the order of
 * `params`); return 0 on success, > 0 for a recoverable numerical problem (CVODE retries
 * with a smaller step), < 0 for a fatal one. No allocation, I/O or global state. */
#ifndef MEMSNN_CORE_MS_MODEL_H
#define MEMSNN_CORE_MS_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "core/ms_rng.h"
#include "core/ms_status.h"

#define MS_MODEL_VERSION 2

/* How a population advances between events (docs/numerics.md). */
typedef enum ms_method {
    MS_METHOD_BEST = -1,   /* (network option) each model's own best: its `preferred` */
    MS_METHOD_EXACT = 0,   /* closed-form propagator, exact spike times              */
    MS_METHOD_CVODE = 1,   /* SUNDIALS CVODES BDF with root finding, exact spike times */
    MS_METHOD_FIXED = 2,   /* fixed step dt, spikes on the grid                      */
    MS_METHOD_COUNT
} ms_method;
#define MS_METHOD_BIT(m) (1u << (m))

typedef enum ms_model_kind {
    MS_MODEL_NEURON = 0,   /* has state equations and input ports                    */
    MS_MODEL_SOURCE = 1    /* generates spikes (poisson, spike_source); no inputs    */
} ms_model_kind;

typedef struct ms_param_spec {
    const char *name;      /* Lua name, e.g. "V_th"                                  */
    const char *unit;      /* SI unit, e.g. "V"; "1" for dimensionless               */
    double def;            /* default value (SI)                                     */
    double min, max;       /* allowed closed range (SI)                              */
    const char *doc;       /* one line, with the source of the default               */
} ms_param_spec;

typedef struct ms_state_spec {
    const char *name;      /* Lua name, e.g. "v"                                     */
    const char *unit;      /* SI unit                                                */
    double scale;          /* typical magnitude: absolute tolerance = atol * scale   */
    double min, max;       /* documented range (SI; +-INFINITY: open). ms_net_set_state */
                           /* rejects values outside it; during a run a value outside */
                           /* [min - scale, max + scale], or NaN, stops the run       */
                           /* (docs/reliability.md, "Run-time checks and limits")     */
    const char *doc;
} ms_state_spec;

/* Bit returned by on_root when the unit emits a spike at the root. */
#define MS_ROOT_FIRED 1

/* Spikes a source emits: the engine's collector. */
typedef struct ms_emitter {
    int (*emit)(void *ud, double t);  /* returns nonzero when out of memory            */
    void *ud;
} ms_emitter;

/* Spike lists attached to a source population (spike_source): unit i fires at
 * times[offsets[i] .. offsets[i+1]-1], non-decreasing. */
typedef struct ms_spike_list {
    const size_t *offsets;
    const double *times;
} ms_spike_list;

/* A structure-of-arrays view of one population for vectorised fixed steps. Column k of
 * the state is y[k][0..n-1]; likewise params, derived constants and per-port inputs. */
typedef struct ms_fixed_view {
    size_t n;                       /* units                                        */
    double t;                       /* start of the step (s)                        */
    double dt;                      /* step (s)                                     */
    double *const *y;               /* state columns                                */
    const double *const *p;         /* parameter columns                            */
    const double *const *d;         /* derived-constant columns (n_derived)         */
    uint64_t *fired;                /* out: nonzero where the unit spiked at t + dt; */
                                    /* 8 bytes like the state, so the loop vectorises */
    int uniform;                    /* every parameter column holds a single value: */
                                    /* p[k][0] may be used for all units            */
} ms_fixed_view;

typedef struct ms_model ms_model;
struct ms_attach;

struct ms_model {
    int version;                    /* MS_MODEL_VERSION                              */
    const char *name;               /* registry name, e.g. "lif_cond_exp"           */
    const char *doc;                /* one line for `memsnn models`                 */
    ms_model_kind kind;
    unsigned methods;               /* MS_METHOD_BIT()s the model supports           */
    ms_method preferred;            /* the model's best method: the default of its   */
                                    /* populations (docs/numerics.md)                */

    size_t n_state;
    const ms_state_spec *state;
    size_t n_params;
    const ms_param_spec *params;
    size_t n_ports;                 /* inputs a connection or current can target    */
    const char *const *ports;       /* e.g. {"exc", "inh", "current"}               */
    /* The state variable each port adds its amount to, or -1 when an input is not a
     * plain addition (then only the event-driven methods can take it). Fixed-step
     * populations add their inputs into the state before each step, which spares the
     * step a pass over input buffers. */
    const int *port_state;
    /* Signs each port accepts: +1 the amounts must be >= 0 (a conductance: a negative one
     * would make the membrane run away), 0 any sign. NULL: any sign on every port.
     * Checked when a projection or a current step is made. */
    const int *port_sign;

    /* Cross-parameter rules (V_reset < V_th ...); writes a message on failure. */
    int (*check)(const ms_model *m, const double *p, char *msg, size_t len);
    /* Default state for parameters p (e.g. v = E_L). */
    void (*init)(const ms_model *m, const double *p, double *y);

    /* ---- event-driven units (methods exact and cvode) ---------------------------- */
    /* An input event at time t on a port: an instantaneous jump of the state. */
    void (*on_input)(const ms_model *m, double t, int port, double amount, double *y, const double *p);
    /* Root functions: a root is a sign change of g_k in direction root_dir[k]. */
    size_t n_roots;
    const int *root_dir;            /* +1 rising, -1 falling, 0 both                 */
    int (*roots)(const ms_model *m, double t, const double *y, const double *p, double *g);
    /* At root `which` (time t): change the state (reset...); return MS_ROOT_FIRED when
     * the unit spikes. */
    int (*on_root)(const ms_model *m, double t, int which, double *y, const double *p);

    /* cvode: dy/dt and, optionally, the column-major Jacobian d f_i / d y_j. */
    int (*rhs)(const ms_model *m, double t, const double *y, const double *p, double *ydot);
    int (*jac)(const ms_model *m, double t, const double *y, const double *p, double *J);
    /* cvode, optional: marks (held[k] = 1) the states of a unit with parameters p whose
     * derivative is identically zero: they change only in on_input and on_root (a port's
     * drive, a switch's phase). The engine leaves them out of the integrator's vector, so
     * its Newton systems and norms are smaller; rhs and jac still see and fill every state. */
    void (*held)(const ms_model *m, const double *p, unsigned char *held);

    /* exact: advance y from t to t + dt in closed form, unless a root comes first; then
     * stop there and set *dt_done (<= dt) and *which (the root), else *which = -1.
     * d is the unit's derived constants (see derive), computed for dt = the window
     * length, so a whole-window step can use them; NULL when the model has none. */
    int (*propagate)(double t, double dt, double *y, const double *p, const double *d,
                     double *dt_done, int *which);

    /* ---- fixed step (method fixed) ------------------------------------------------ */
    /* Constants that depend only on p and dt (propagator coefficients), computed once:
     * with dt = the step for method fixed, dt = the window length for method exact. */
    size_t n_derived;
    void (*derive)(size_t n, double dt, const double *const *p, double *const *d);
    /* One step of the whole population (its inputs are already added to the state, see
     * port_state); units over threshold at its end are reset and marked in `fired`.
     * When NULL, the engine uses classical RK4 on rhs with roots. */
    /* Returns how many units fired, so the engine looks for them only when there are. */
    size_t (*step)(const ms_fixed_view *v);

    /* ---- sources ------------------------------------------------------------------ */
    /* Emit the spikes of unit `index` in [t0, t1) in time order. `list` is the
     * population's spike lists or NULL; `rng` is the unit's own stream. Sets *next to
     * the time of the unit's next spike at or after t1 (INFINITY for none), so the engine
     * skips the unit until a window reaches it. */
    int (*generate)(double t0, double t1, double *y, const double *p, const ms_spike_list *list,
                    size_t index, ms_rng *rng, const ms_emitter *out, double *next);

    /* ---- models built at run time, observables, energies, variation, device synapses -- */
    /* Data of a model built at run time (a compiled circuit, neurons/ms_circuit.h); every
     * callback gets the model, so it finds its data here. NULL for built-in models. */
    const void *ctx;
    /* Nonzero when the model never emits spikes (a circuit without a spike root): it may
     * not be the source of a projection nor have its spikes recorded. */
    int no_spikes;
    /* Derived quantities recordable by name beside the state (device currents, powers):
     * observe writes all n_obs of them for state y. */
    size_t n_obs;
    const ms_state_spec *obs;
    int (*observe)(const ms_model *m, double t, const double *y, const double *p, double *out);
    /* Energies (docs/energy.md): n_energy integrals per unit, integral k of class
     * energy_class[k]; power writes their integrands (W). Method cvode integrates them as
     * error-controlled quadratures. */
    size_t n_energy;
    const int *energy_class;        /* ms_energy_class values                         */
    int (*power)(const ms_model *m, double t, const double *y, const double *p, double *w);
    /* Energy stored in the unit's capacitors at state y (J), for the ledger's balance. */
    double (*stored)(const ms_model *m, const double *y, const double *p);
    /* Optional: rhs, roots, power and jac at one state in one call (any output may be
     * NULL; J as jac's, only the columns of states that are not held need be filled),
     * sharing the work they have in common (a circuit solves its nodes once). The
     * Rosenbrock integrator calls it at the end of each step. */
    int (*point)(const ms_model *m, double t, const double *y, const double *p, double *ydot, double *g, double *w,
                 double *J);
    /* Device-to-device variation: redraws the unit's parameters p around the nominal
     * ones from the unit's own stream; a message and nonzero on failure. */
    int (*vary)(const ms_model *m, double *p, ms_rng *rng, char *msg, size_t len);
    /* Device synapses (synapse = "rram") land on `port`: their read pulses arrive as
     * events whose amount is the drive current G V_read (A, signed), +amount at the
     * pulse's start and -amount at its end. attach tells the unit, once per projection,
     * what the column adds: see ms_attach. NULL: the model takes no device synapses. */
    int (*attach)(const ms_model *m, int port, double *p, const struct ms_attach *a, char *msg,
                  size_t len);
};

/* What a projection of device synapses adds to one target unit's input port. */
typedef struct ms_attach {
    double g_column;       /* sum of the conductances of the unit's synapses (S)         */
    double v_read;         /* read pulse amplitude (V)                                   */
    int virtual_ground;    /* 1: the column is held at 0 V and its current flows into   */
                           /* the node; 0: the synapses conduct between row and node    */
    int rectify;           /* virtual ground: only a positive column current flows      */
} ms_attach;

/* The classes of the energy ledger (docs/energy.md). Dissipation classes add up to the
 * total; MS_E_SOURCE is energy supplied (bias sources, read drivers); MS_E_METRIC_LI is
 * the Li et al. 2020 power metric (applied voltage times soma current), not a joule
 * dissipated anywhere. */
typedef enum ms_energy_class {
    MS_E_SYNAPSE_READ = 0,
    MS_E_SYNAPSE_WRITE,
    MS_E_DENDRITE,
    MS_E_SOMA,
    MS_E_LOAD,
    MS_E_PERIPHERAL,
    MS_E_SOURCE,
    MS_E_METRIC_LI,
    MS_E_N_CLASSES
} ms_energy_class;
#define MS_E_N_DISSIPATION MS_E_SOURCE   /* classes below it are dissipation             */
const char *ms_energy_class_name(int k);  /* "synapse_read", ...                        */

/* ---- registry ------------------------------------------------------------------------ */
/* Models are looked up by name in a registry the caller owns (one per Lua state, one per
 * test), so there is no global table; neurons/ adds the built-in models to it. The
 * registry keeps pointers: the models must outlive it. */
typedef struct ms_registry ms_registry;
ms_status ms_registry_create(ms_registry **out, ms_error *err);
void ms_registry_destroy(ms_registry *reg);
/* Fails with MS_EINVAL on a second model of the same name or a model that does not
 * satisfy the interface (missing functions for the methods it claims). */
ms_status ms_registry_add(ms_registry *reg, const ms_model *m, ms_error *err);
/* Checks that a model satisfies the interface (what ms_registry_add checks). */
ms_status ms_model_validate(const ms_model *m, ms_error *err);
const ms_model *ms_registry_find(const ms_registry *reg, const char *name);
size_t ms_registry_count(const ms_registry *reg);
const ms_model *ms_registry_at(const ms_registry *reg, size_t i);

/* Index of a parameter, state variable or port by name, or -1. */
int ms_model_param_index(const ms_model *m, const char *name);
int ms_model_state_index(const ms_model *m, const char *name);
int ms_model_port_index(const ms_model *m, const char *name);

/* Checks one parameter value against its range: finite and in [min, max]. */
ms_status ms_model_check_param(const ms_model *m, int k, double value, ms_error *err);
/* Checks a value for state variable k against its documented range: finite and in
 * [min, max] (what ms_net_set_state accepts). */
ms_status ms_model_check_state(const ms_model *m, int k, double value, ms_error *err);
/* Nonzero when port `port` takes amounts >= 0 only (port_sign). */
int ms_model_port_nonnegative(const ms_model *m, int port);

const char *ms_method_name(ms_method m);
/* Parses "exact", "cvode" or "fixed"; returns -1 for anything else. */
int ms_method_parse(const char *s);

#endif

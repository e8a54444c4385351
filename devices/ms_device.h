/* devices/ms_device.h: the device class, a versioned table of pure functions that describe one
 * kind of two-terminal device (state equation, current, power, switching thresholds, parameters
 * with units and sources, and its random non-idealities), plus the registry of classes and the
 * parameter validation every class shares.
 *
 * devices/ depends on nothing else in memsnn: functions return plain int codes (MS_DEV_OK = 0,
 * negative on error) and write human-readable messages into a caller buffer. Randomness comes in
 * through ms_device_rng, so a device never owns a generator. Equations and the contract:
 * docs/devices/README.md. */
#ifndef MEMSNN_DEVICES_MS_DEVICE_H
#define MEMSNN_DEVICES_MS_DEVICE_H

#include <stddef.h>

/* ---- Constants ---------------------------------------------------------------------------- */

#define MS_DEVICE_VERSION 1      /* the vtable layout below; a class states the one it fills  */
#define MS_DEVICE_MAX_STATE 8    /* largest n_state of any class (callers size stack arrays)   */
#define MS_DEVICE_MAX_PARAMS 40  /* largest n_params of any class                              */
#define MS_DEVICE_MAX_ROOTS 4    /* largest n_roots of any class                               */

/* Return codes. Callbacks called by an integrator (rhs, roots, jac) follow CVODE: 0 ok, > 0
 * recoverable (retry with a smaller step), < 0 fatal. */
#define MS_DEV_OK 0
#define MS_DEV_EINVAL (-1)     /* a parameter or argument is out of range, NaN or inconsistent */
#define MS_DEV_ENOTFOUND (-2)  /* unknown device or parameter name                           */
#define MS_DEV_EFAIL (-3)      /* a callback of a procedure (write-verify) reported a failure   */

/* ---- Injected randomness ------------------------------------------------------------------ */

/* The engine feeds its counter-based streams (keyed by seed, device index and purpose) through
 * this; tests feed a small seeded generator. A device draws a fixed count of numbers per
 * operation where it can, so streams stay aligned across devices. */
typedef struct ms_device_rng {
    double (*uniform)(void *ud);   /* uniform on [0, 1)                    */
    double (*normal)(void *ud);    /* standard normal N(0, 1)              */
    void *ud;                      /* the stream                           */
} ms_device_rng;

/* ---- Parameter descriptors ---------------------------------------------------------------- */

/* How sure a default is, with the tags of docs/devices/sources.md. Everything but
 * MS_ORIGIN_SOURCE is a proposal and the docs say so. */
typedef enum ms_param_origin {
    MS_ORIGIN_SOURCE = 0,   /* [S] read in the cited source (measured or published)          */
    MS_ORIGIN_INFERRED,     /* [I] derived or chosen (fit, arithmetic, model choice)         */
    MS_ORIGIN_REMEMBERED,   /* [R] from the literature, unchecked                            */
    MS_ORIGIN_SEED,         /* [B] from the seed slides only                                 */
    MS_ORIGIN_NUMERICAL     /* a numerical or bookkeeping setting, not a physical constant   */
} ms_param_origin;

typedef struct ms_param_desc {
    const char *name;        /* identifier used by Lua and the C lookups ("G_min")          */
    const char *unit;        /* SI unit ("S", "V", "s", "1" for dimensionless)              */
    double def;              /* default value                                               */
    double min, max;         /* allowed closed range                                        */
    int integer;             /* nonzero: the value must be an integer                       */
    ms_param_origin origin;  /* how sure the default is                                     */
    const char *source;      /* where it comes from, tagged ("[S EDGE] ..."; sources.md)    */
    const char *doc;         /* one line                                                    */
} ms_param_desc;

/* ---- The device class ---------------------------------------------------------------------- */

/* Every function is pure: no allocation, I/O or global state. p is the class's parameter array
 * (indexed by the enum in its header), y its state, v the voltage across its terminals (V),
 * currents flow from the first terminal to the second through the device (A). */
typedef struct ms_device_class {
    int version;                       /* MS_DEVICE_VERSION                                  */
    const char *name;                  /* registry name ("rram")                             */
    const char *doc;                   /* one line                                           */
    const char *role;                  /* "synapse", "dendrite", "soma" or "passive"         */

    size_t n_state;                    /* state variables (0 for static devices)             */
    const char *const *state_names;    /* [n_state]                                          */
    const char *const *state_units;    /* [n_state]                                          */
    const double *state_scale;         /* [n_state] typical magnitude, for absolute tolerances */

    size_t n_params;                   /* entries of params and of a parameter array         */
    const ms_param_desc *params;       /* [n_params]                                         */
    /* Cross-parameter rules (G_min < G_max, V_hold < V_th); ranges are checked before. */
    int (*check)(const double *p, char *msg, size_t len);

    /* Initial state from the parameters. */
    int (*init)(const double *p, double *y);
    /* dy/dt at terminal voltage v. */
    int (*rhs)(double t, const double *y, const double *p, double v, double *ydot);
    /* Analytic d(ydot)/dy, column-major n_state x n_state; NULL: finite differences. */
    int (*jac)(double t, const double *y, const double *p, double v, double *J);
    /* Conduction current through the device (A), and its slope di/dv (S; NULL if not cheap). */
    double (*current)(double t, const double *y, const double *p, double v);
    double (*dcurrent_dv)(double t, const double *y, const double *p, double v);
    /* Power dissipated in the device (W); equals v * current for a memristor. */
    double (*power)(double t, const double *y, const double *p, double v);
    /* Capacitance in parallel with the terminals (F), which the circuit places on the node;
     * NULL: none. */
    double (*capacitance)(const double *p);
    /* Small-signal read conductance (S) of state y; NULL: none. */
    double (*conductance)(const double *y, const double *p);

    /* Switching thresholds as root functions g_k(t, y, v) with crossing directions (+1 rising,
     * -1 falling, 0 both); on_root applies the discrete change of root `which`, after which the
     * integrator restarts. spike_root is the root that marks a spike, or -1. */
    size_t n_roots;
    const int *root_dir;               /* [n_roots]                                          */
    const char *const *root_names;     /* [n_roots]                                          */
    int (*roots)(double t, const double *y, const double *p, double v, double *g);
    int (*on_root)(double t, int which, double *y, const double *p);
    int spike_root;

    /* Non-idealities (each optional: NULL means the device has none of that kind). */
    /* Device-to-device variation: a device's parameters drawn around the nominal ones. */
    int (*sample)(const double *nominal, double *p_dev, const ms_device_rng *rng, char *msg,
                  size_t len);
    /* Cycle-to-cycle noise of one programming pulse that took the state from y_before to y. */
    int (*pulse_noise)(const double *p, const double *y_before, double *y, const ms_device_rng *rng);
    /* The current a read at v returns, with read noise (the state does not change). */
    double (*read)(double t, const double *y, const double *p, double v, const ms_device_rng *rng);
    /* Relaxation after programming: the state a time t_since (s) after programming to y_prog,
     * for a device whose standard-normal relaxation draw is xi (one draw per programming). */
    int (*relax)(const double *p, const double *y_prog, double t_since, double xi, double *y_out);
    /* Methods above are valid for version 1. */

    /* Partial derivatives a circuit needs for its analytic Jacobian (optional; NULL: the
     * circuit falls back to difference quotients). dcurrent_dy writes d current / d y_k
     * (n_state values), drhs_dv writes d ydot_k / d v (n_state values). */
    int (*dcurrent_dy)(double t, const double *y, const double *p, double v, double *out);
    int (*drhs_dv)(double t, const double *y, const double *p, double v, double *out);
    /* Optional: marks (held[k] = 1) the states whose derivative is identically zero at
     * parameters p, so a circuit can keep them out of its integrator (they change only at
     * the device's roots). NULL: every state may move. */
    void (*held)(const double *p, unsigned char *held);

    /* Domain of each state (same units; NULL: unbounded): where the device's equations
     * hold. The class evaluates its conductance on the state clamped to it; a circuit
     * stops a run whose device state leaves it by more than its scale
     * (docs/reliability.md, "Run-time checks and limits"). */
    const double *state_min;           /* [n_state] or NULL                                  */
    const double *state_max;           /* [n_state] or NULL                                  */

    /* 1: the current is exactly conductance(y, p) * v and dcurrent_dv is conductance(y, p)
     * (an ohmic device whose state sets its conductance), so a circuit of such devices can
     * solve its nodes without capacitance in one linear solve (neurons/circuit_model.c). */
    int ohmic;
} ms_device_class;

/* ---- Registry (devices/registry.c) ---------------------------------------------------------- */

const ms_device_class *ms_device_find(const char *name);   /* NULL if unknown              */
size_t ms_device_count(void);
const ms_device_class *ms_device_at(size_t i);              /* NULL if i >= count            */
/* As ms_device_find, with a message listing the known names when the name is unknown. */
int ms_device_lookup(const char *name, const ms_device_class **out, char *msg, size_t len);

/* ---- Parameters (devices/params.c) ----------------------------------------------------------- */

void ms_device_defaults(const ms_device_class *c, double *p);
int ms_device_param_index(const ms_device_class *c, const char *name);   /* -1 if unknown   */
/* Checks one value against its descriptor: finite, inside [min, max], integer if required. */
int ms_device_param_validate(const ms_device_class *c, size_t i, double value, char *msg,
                             size_t len);
/* Sets p[name] = value after validating it (the cross rules are checked by ms_device_check). */
int ms_device_param_set(const ms_device_class *c, double *p, const char *name, double value,
                        char *msg, size_t len);
/* Every parameter against its range, then the class's cross-parameter rules. */
int ms_device_check(const ms_device_class *c, const double *p, char *msg, size_t len);
/* Device-to-device variation: p_dev drawn around nominal (a copy when the class has none),
 * then checked. */
int ms_device_sample(const ms_device_class *c, const double *nominal, double *p_dev,
                     const ms_device_rng *rng, char *msg, size_t len);
double ms_device_capacitance(const ms_device_class *c, const double *p);   /* 0 if none     */
const char *ms_param_origin_tag(ms_param_origin o);                       /* "[S]", "[I]"...*/
int ms_param_is_proposal(const ms_param_desc *d);

#endif

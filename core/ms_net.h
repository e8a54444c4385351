/* core/ms_net.h: a network of populations and projections, and its simulation.
 *
 * Build phase: add populations (a model, n units, parameters), attach spike lists to
 * sources, connect populations with a rule, inject currents, ask for recordings. The first
 * run freezes the structure (no more populations or projections); recordings, currents
 * and state changes stay possible between runs, and each run continues in time.
 * Indices are 0-based here; the Lua layer adds 1. All quantities SI.
 * Errors: every call returns ms_status and leaves its message in ms_net_errmsg(). */
#ifndef MEMSNN_CORE_MS_NET_H
#define MEMSNN_CORE_MS_NET_H

#include <stddef.h>
#include <stdint.h>

#include "core/ms_model.h"
#include "core/ms_status.h"

#define MS_NET_DT_DEFAULT 1e-4            /* fixed step: 0.1 ms, as NEST and Brian2      */
#define MS_NET_WINDOW_DEFAULT 1e-3        /* window when no connection sets d_min (s)    */
#define MS_NET_SEED_DEFAULT 1u

typedef struct ms_net ms_net;

typedef struct ms_net_opts {
    uint64_t seed;        /* key of every random stream                              */
    ms_method method;     /* method for populations whose model supports it; default  */
                          /* MS_METHOD_BEST: each model's own best (its `preferred`)  */
    double rtol;          /* CVODE relative tolerance (MS_ODE_RTOL_DEFAULT)           */
    int integrator;       /* method cvode's integrator: MS_ODE_BDF (0, CVODES, default) */
                          /* or MS_ODE_ROSENBROCK (core/ms_ode.h, docs/numerics.md)    */
    double atol;          /* CVODE absolute tolerance, per unit of each state's scale */
    double dt;            /* fixed step (s)                                          */
    long max_steps;       /* CVODE internal steps per advance before it gives up     */
                          /* (MS_ODE_MAX_STEPS_DEFAULT)                               */
    size_t memory_limit;  /* bytes the network may hold (0: no limit but the memory  */
                          /* available); checked before allocating (core/limits.c)   */
    int threads;          /* threads advancing units inside a window (1: no threads; */
                          /* 0: all the machine has). Results do not depend on it.   */
} ms_net_opts;

void ms_net_opts_default(ms_net_opts *o);

/* The registry must outlive the network. Creation errors go to err. */
ms_status ms_net_create(const ms_registry *reg, const ms_net_opts *o, ms_net **out,
                        ms_error *err);
void ms_net_destroy(ms_net *net);
const char *ms_net_errmsg(const ms_net *net);
const ms_net_opts *ms_net_options(const ms_net *net);

/* ---- populations ---------------------------------------------------------------------- */
/* method < 0: the network's method when set and the model supports it, else the model's
 * best (ms_model.preferred: exact for the LIF models, cvode for circuits). */
ms_status ms_net_add_population(ms_net *net, const char *model, size_t n, const char *label,
                                int method, int *pop);
/* A population of a model built at run time (a circuit): the network owns m from this
 * call on, success or not, and calls release(m) when it is destroyed. */
ms_status ms_net_add_population_model(ms_net *net, ms_model *m, void (*release)(ms_model *m),
                                      size_t n, const char *label, int method, int *pop);
/* Device-to-device variation: when on (before ms_net_finish_population), each unit's
 * parameters are redrawn by the model's vary() from the unit's own stream (seed, unit's
 * global index, MS_RNG_VARIATION), so a result depends on the seed alone. */
ms_status ms_net_set_variation(ms_net *net, int pop, int on);
/* Sets parameter `name` of every unit (values has 1 entry) or of each (n entries).
 * Only before the first run. */
ms_status ms_net_set_param(ms_net *net, int pop, const char *name, const double *values,
                           size_t n_values);
/* Checks the cross-parameter rules of every unit and sets the model's default state;
 * call once after the parameters, before any ms_net_set_state. */
ms_status ms_net_finish_population(ms_net *net, int pop);
/* State variable `name` of every unit (1 value) or of each (n values). Allowed between
 * runs: event-driven units restart their integrator from the new state. */
ms_status ms_net_set_state(ms_net *net, int pop, const char *name, const double *values,
                           size_t n_values);
ms_status ms_net_get_state(ms_net *net, int pop, const char *name, double *out);
/* Every unit back to the model's initial state for its parameters (between runs: one
 * stimulus per run). Inputs in flight are kept: reset when the population is quiet. */
ms_status ms_net_reset_state(ms_net *net, int pop);
ms_status ms_net_get_param(ms_net *net, int pop, const char *name, double *out);

size_t ms_net_population_count(const ms_net *net);
size_t ms_net_pop_size(const ms_net *net, int pop);
const char *ms_net_pop_label(const ms_net *net, int pop);
const ms_model *ms_net_pop_model(const ms_net *net, int pop);
ms_method ms_net_pop_method(const ms_net *net, int pop);

/* Spike lists of a spike_source population: unit i fires at times[offsets[i] ..
 * offsets[i+1]-1], which must be finite, >= 0 and non-decreasing. Copied. */
ms_status ms_net_set_spike_times(ms_net *net, int pop, const size_t *offsets,
                                 const double *times);

/* A current step of `amplitude` amperes on the "current" port of the listed units, from
 * start to stop (s; stop may be INFINITY). start must not lie before the current time. */
ms_status ms_net_add_current(ms_net *net, int pop, const size_t *ids, size_t n_ids,
                             double amplitude, double start, double stop);

/* ---- projections ---------------------------------------------------------------------- */
typedef enum ms_rule_kind {
    MS_RULE_ALL_TO_ALL,
    MS_RULE_ONE_TO_ONE,
    MS_RULE_FIXED_PROBABILITY,  /* each (i, j) independently with probability p          */
    MS_RULE_FIXED_INDEGREE,     /* each post unit draws k distinct pre units             */
    MS_RULE_FROM_LIST           /* explicit (pre[k], post[k]) pairs                       */
} ms_rule_kind;

typedef struct ms_rule {
    ms_rule_kind kind;
    double p;                   /* FIXED_PROBABILITY                                     */
    size_t k;                   /* FIXED_INDEGREE                                        */
    int autapses;               /* allow i -> i when pre and post are the same population */
    const size_t *pre, *post;   /* FROM_LIST: n_list pairs, 0-based                       */
    size_t n_list;
} ms_rule;

/* Where each synapse's weight or delay comes from. */
typedef enum ms_value_kind {
    MS_VALUE_CONSTANT,          /* one number                                            */
    MS_VALUE_MATRIX,            /* array of n_pre * n_post, row-major [i * n_post + j]    */
    MS_VALUE_LIST,              /* array of n_list, by position in a FROM_LIST rule       */
    MS_VALUE_FUNCTION           /* fn(ud, i, j): nonzero return means failure             */
} ms_value_kind;

typedef struct ms_value {
    ms_value_kind kind;
    double constant;
    const double *array;
    size_t len;
    int (*fn)(void *ud, size_t i, size_t j, double *out);
    void *ud;
} ms_value;

typedef struct ms_connect_spec {
    int pre, post;              /* population ids                                        */
    ms_rule rule;
    ms_value weight;            /* amount added to the port per spike (model's unit)     */
    ms_value delay;             /* s, > 0                                                 */
    const char *port;           /* input port of the post model, e.g. "exc"               */
    const char *synapse;        /* "static" (the only kind in core for now)              */
} ms_connect_spec;

ms_status ms_net_connect(ms_net *net, const ms_connect_spec *spec, int *proj);

/* ---- device synapses (synapse = "rram"): crossbar columns of memristors ---------------- */
/* A presynaptic spike applies a read pulse of v_read volts for t_read seconds to its row
 * (after the synapse's delay). In "node" mode each device conducts between its row and
 * the target's input node, so the node sees G+ (V_read - V) + G- (-V_read - V) during the
 * pulse and every device loads it with G V between pulses (rows at 0 V); in virtual-ground
 * mode the column is held at 0 V and the current (G+ - G-) V_read flows into the node.
 * docs/circuits.md, "Synapses". */
typedef struct ms_device_syn_opts {
    double v_read;        /* read pulse amplitude (V, > 0)                            */
    double t_read;        /* read pulse width (s, > 0)                                */
    int virtual_ground;   /* 1: virtual-ground column; 0: node mode (default)         */
    int rectify;          /* virtual ground only: the column delivers current into    */
                          /* the node only (a current mirror that cannot sink)        */
    double e_driver;      /* peripheral energy per row pulse (J, >= 0)                */
    double read_noise;    /* relative sd of each device's conductance per read (>= 0) */
    double clock;         /* > 0: read pulses start on a grid of this period (s): a   */
                          /* spike waits for the next clock edge (synchronous rows)   */
    double p_static;      /* static power of the projection's periphery (W, >= 0),    */
                          /* e.g. tiles x the static power of one tile               */
} ms_device_syn_opts;
/* Gives the synapses of a projection made by ms_net_connect their devices: per synapse in
 * storage order (ms_net_proj_synapses), the conductances g_pos and g_neg (S, >= 0; g_neg
 * NULL for single devices), the device states x_pos and x_neg (kept for learning; may be
 * NULL) and the realised weights (replace the projection's weights; may be NULL). The
 * target model must take device synapses on the projection's port (model attach). */
ms_status ms_net_proj_set_devices(ms_net *net, int proj, const ms_device_syn_opts *o,
                                  const double *g_pos, const double *g_neg, const double *x_pos,
                                  const double *x_neg, const double *w_real);
/* Amplitude-coded reads: row i's pulses are gains[i] * v_read (|gain| <= 1 with v_read as the full
 * scale; n == 1: every row). Takes effect for spikes routed from now on, so it may
 * change between runs (one image per run). docs/circuits.md, "Amplitude-coded reads". */
ms_status ms_net_proj_set_row_gain(ms_net *net, int proj, const double *gains, size_t n);
/* New states of the devices of a device projection (a learning rule programmed them), in
 * the order and with the arrays of ms_net_proj_set_devices (x and w_real may be NULL: kept).
 * Allowed before and between runs: the next spike reads the new conductances, and in node mode
 * each target unit's standing column load changes by its column's difference (its integrator
 * restarts). No allocation but a scratch of the target population's size in node mode. */
ms_status ms_net_proj_update_devices(ms_net *net, int proj, const double *g_pos, const double *g_neg,
                                     const double *x_pos, const double *x_neg, const double *w_real);
/* Books the energy of programming pulses (J, >= 0) on the projection's synapses in the target
 * population's ledger: class synapse_write, and supplied (the write drivers). */
ms_status ms_net_proj_book_write(ms_net *net, int proj, double joules);
/* The conductances (S) of each synapse's devices, NULL when the projection has none. */
ms_status ms_net_proj_devices(ms_net *net, int proj, const double **g_pos, const double **g_neg,
                              const ms_device_syn_opts **o);
/* Undoes the newest projection (before the first run), so a connect whose later steps
 * fail (device mapping) leaves nothing half-built. */
ms_status ms_net_disconnect_last(ms_net *net, int proj);
size_t ms_net_projection_count(const ms_net *net);
size_t ms_net_proj_size(const ms_net *net, int proj);
/* The presynaptic and postsynaptic population of a projection (a valid id). */
int ms_net_proj_pre(const ms_net *net, int proj);
int ms_net_proj_post(const ms_net *net, int proj);
/* The synapses in storage order: by presynaptic unit, then creation order. Arrays of
 * ms_net_proj_size() entries; any pointer may be NULL. */
ms_status ms_net_proj_synapses(ms_net *net, int proj, size_t *pre, size_t *post,
                               double *weight, double *delay);

/* ---- recording ------------------------------------------------------------------------ */
ms_status ms_net_record_spikes(ms_net *net, int pop);
/* Samples state variable `var` of the listed units (all when ids is NULL) every `every`
 * seconds from the current time on. */
ms_status ms_net_record_state(ms_net *net, int pop, const char *var, const size_t *ids,
                              size_t n_ids, double every, int *rec);
/* Recorded spikes of a population, sorted by time (ties by unit). Views stay valid until
 * the next run. */
ms_status ms_net_spikes(ms_net *net, int pop, const size_t **ids, const double **times,
                        size_t *n);
/* The recorder of (pop, var), or -1. */
int ms_net_find_trace(const ms_net *net, int pop, const char *var);
/* Samples: times[n_samples], values[n_samples * n_ids] (row per sample), ids[n_ids]. */
ms_status ms_net_trace(ms_net *net, int rec, const double **times, const double **values,
                       size_t *n_samples, const size_t **ids, size_t *n_ids);

/* ---- streaming recordings -------------------------------------------------------------- */
/* A streamed recorder keeps one window of rows in memory: at the end of every window the
 * rows completed in it go to a sink (a file writer in scripting/) and are dropped, so a long
 * run holds bounded memory, and an interrupted or failed run has handed over every row up
 * to its last completed window. */
typedef struct ms_rows {
    size_t n;               /* rows                                                       */
    const double *t;        /* [n] times (s), increasing                                  */
    const double *values;   /* traces: [n * n_values], a row per sample; spikes: NULL      */
    size_t n_values;        /* traces: the recorded units; spikes: 0                      */
    const size_t *units;    /* spikes: [n] 0-based units; traces: NULL                    */
} ms_rows;
typedef struct ms_sink {
    /* Takes the rows; 0, or nonzero with a reason in msg (the run then fails with MS_EIO
     * and the rows are dropped all the same). */
    int (*write)(void *ud, const ms_rows *rows, char *msg, size_t len);
    /* Called once, when the network is destroyed (or when streaming could not start). */
    void (*close)(void *ud);
    void *ud;
} ms_sink;
/* From now on, streams recorder rec (ms_net_record_state) or the recorded spikes of pop
 * (ms_net_record_spikes first). The network owns the sink from this call on, even when the
 * call fails. Samples or spikes of a streamed recorder cannot be read back from memory
 * (ms_net_trace, ms_net_spikes fail with MS_ESTATE). */
ms_status ms_net_stream_trace(ms_net *net, int rec, const ms_sink *sink);
ms_status ms_net_stream_spikes(ms_net *net, int pop, const ms_sink *sink);

/* ---- running -------------------------------------------------------------------------- */
/* Called after each window; a nonzero return stops the run (MS_EINTR) at that window's
 * end, with everything recorded so far kept. */
typedef int (*ms_progress_fn)(void *ud, double t_now, double t_end);
void ms_net_set_progress(ms_net *net, ms_progress_fn fn, void *ud);

/* Polled by long builds (ms_net_connect) every 2^18 synapses with (done, total) in units of
 * work; a nonzero return stops the connect with MS_EINTR and nothing half-built. */
void ms_net_set_build_progress(ms_net *net, ms_progress_fn fn, void *ud);

/* Memory available now (bytes): MemAvailable of /proc/meminfo, or SIZE_MAX when unknown.
 * Connects, populations and the recordings of a run are estimated before they allocate
 * and fail with MS_ENOMEM above it or above ms_net_opts.memory_limit (core/limits.c). */
size_t ms_mem_available(void);

/* Advances the network by `duration` seconds (> 0) from ms_net_time(). The recordings the
 * run will add are estimated first (see ms_mem_available). */
ms_status ms_net_run(ms_net *net, double duration);
/* Advances the network to the absolute time t_end (> ms_net_time()) and ends exactly there:
 * use it to meet stimuli placed at absolute times, which a sum of many durations misses by
 * rounding (after thousands of equal runs the clock is ulps away from k * duration). */
ms_status ms_net_run_until(ms_net *net, double t_end);
double ms_net_time(const ms_net *net);
/* The window length (d_min) fixed at the first run; 0 before it. */
double ms_net_window(const ms_net *net);

/* ---- energy ledger (docs/energy.md) ---------------------------------------------------- */
/* The energy of a population since the start (J) by class (ms_energy_class): device
 * integrals of its units plus what events booked (read pulses, drivers). rest[k] is the
 * class's power at rest (W): the static part is rest[k] times the time simulated.
 * stored0 and stored are the energy held in the units' capacitors at the start and now. */
typedef struct ms_pop_energy {
    double by_class[MS_E_N_CLASSES];
    double rest[MS_E_N_CLASSES];
    double stored0, stored;
} ms_pop_energy;
ms_status ms_net_pop_energy(ms_net *net, int pop, ms_pop_energy *out);
/* Energy over time: from now on, the population's ledger is read at the end of every
 * window (d_min). Snapshot k: time times[k] (s) and cumulative joules by class at
 * values[k * MS_E_N_CLASSES + class]; snapshot 0 is when the recording started. */
ms_status ms_net_record_energy(ms_net *net, int pop);
ms_status ms_net_energy_trace(ms_net *net, int pop, const double **times, const double **values, size_t *n);

/* Memory the network holds, by part (bytes), for benchmarks and for users sizing a run. */
typedef struct ms_net_memory {
    size_t synapses;      /* CSR fan-out: offsets, targets, weights, delays           */
    size_t n_synapses;    /* number of synapses                                       */
    size_t units;         /* states, parameters, derived constants                    */
    size_t solvers;       /* CVODE integrators (estimate: their workspace)            */
    size_t inputs;        /* calendars and inboxes (capacity in use)                  */
    size_t recorders;     /* recorded spikes and traces                               */
} ms_net_memory;
void ms_net_get_memory(const ms_net *net, ms_net_memory *out);

/* Counters for benchmarks: spikes emitted, events delivered, CVODE work. */
typedef struct ms_net_stats {
    uint64_t spikes, events, windows, ode_steps, ode_rhs, ode_reinits;
} ms_net_stats;
void ms_net_get_stats(const ms_net *net, ms_net_stats *out);

#endif

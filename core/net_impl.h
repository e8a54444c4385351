/* core/net_impl.h: the layout of a network, shared by the files that implement
 * core/ms_net.h (net.c, connect.c, record.c, calendar.c, engine*.c). Not a public header. */
#ifndef MEMSNN_CORE_NET_IMPL_H
#define MEMSNN_CORE_NET_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "core/ms_model.h"
#include "core/ms_net.h"
#include "core/ms_ode.h"
#include "core/ms_status.h"

/* ---- events ---------------------------------------------------------------------------- */
/* An input to one unit: a spike through a synapse or a current step. */
typedef struct ms_event {
    double t;          /* arrival time (s)                                               */
    double amount;     /* added to the port (model units: A, S, ...)                     */
    uint64_t key;      /* tie-break among equal times: projection, then synapse index;   */
                       /* current steps after all spikes (docs/numerics.md, "Order")      */
    uint32_t unit;     /* target unit in its population                                  */
    uint32_t port;     /* target port                                                    */
} ms_event;

#define MS_KEY_PROJ_SHIFT 40
#define MS_KEY_CURRENT (UINT64_C(1) << 63)

/* A growable array of events; never shrinks, so a window reuses last window's memory. */
typedef struct ms_evbuf {
    ms_event *ev;
    size_t n, cap;
} ms_evbuf;

ms_status msi_evbuf_push(ms_evbuf *b, const ms_event *e);
void msi_evbuf_free(ms_evbuf *b);

/* Per-population calendar: a ring of slots, one per window, holding the events that
 * arrive in that window (docs/architecture.md, "Networks and the engine"). */
typedef struct ms_calendar {
    size_t n_slots;    /* > (longest delay) / window + 1                                 */
    ms_evbuf *slots;
} ms_calendar;

/* An input to a fixed-step unit: `amount` is added to state variable `var` of `unit`. */
typedef struct ms_input {
    uint32_t unit;
    uint32_t var;
    double amount;
} ms_input;

typedef struct ms_inbuf {
    ms_input *in;
    size_t n, cap;
} ms_inbuf;

/* ---- spikes emitted in the current window, routed at its end --------------------------- */
typedef struct ms_spike {
    double t;
    uint32_t pop, unit;
} ms_spike;

typedef struct ms_outbox {
    ms_spike *s;
    size_t n, cap;
} ms_outbox;

/* ---- recorders -------------------------------------------------------------------------- */
typedef struct ms_spike_rec {
    int on;            /* recording requested                                            */
    size_t *ids;       /* unit of each spike                                             */
    double *times;     /* time of each spike (s), non-decreasing                         */
    size_t n, cap;
    ms_sink sink;      /* streamed (sink.write set): spikes leave memory at window ends  */
} ms_spike_rec;

typedef struct ms_trace_rec {
    int pop;
    int var;           /* state index                                                    */
    char var_name[32];
    size_t *ids;       /* recorded units                                                 */
    size_t n_ids;
    double every;      /* sampling interval (s)                                          */
    double t0;         /* time of sample 0 (s)                                           */
    size_t n_samples;  /* samples taken, including those of the window in progress       */
    size_t win_k0;     /* first sample of the window in progress                         */
    size_t cap;        /* samples that fit in times/values                               */
    double *times;
    double *values;    /* n_samples x n_ids, row per sample                              */
    int32_t *col_of;   /* per unit of the population: column, or -1                      */
    size_t n_dropped;  /* samples handed to the sink and dropped: in-memory sample s is
                        * sample n_dropped + s of the recording                          */
    ms_sink sink;      /* streamed (sink.write set): samples leave memory at window ends */
} ms_trace_rec;

/* ---- populations ------------------------------------------------------------------------ */
typedef struct ms_unit_data {
    const ms_model *model;
    const double *p;   /* this unit's parameters (a row of pop->p_rows)                  */
    int nonfinite;     /* the first state whose derivative was not a number, or -1       */
} ms_unit_data;

typedef struct ms_pop {
    char label[64];
    const ms_model *model;
    ms_method method;
    size_t n;
    uint64_t gid0;     /* global index of unit 0: keys its random streams                */
    int finished;      /* ms_net_finish_population done                                  */

    double *state;     /* n_state x n, column k at state + k * n (structure of arrays)   */
    double *param;     /* n_params x n, column k at param + k * n                        */

    size_t *aux_off;   /* spike_source lists (ms_spike_list), or NULL                    */
    double *aux_times;

    int *out_proj;     /* projections leaving this population                            */
    size_t n_out;

    ms_calendar cal;   /* inputs waiting for their window                                */
    size_t *ev_start;  /* event units: first event of unit i in the sorted slot (n + 1)   */
    size_t *ev_cursor; /* event units: the counting sort's fill position per unit (n)     */
    size_t next_unit;  /* event units handed out dynamically: the next unit to take, read  */
                       /* and advanced atomically by the threads (engine_event.c)         */
    ms_evbuf ev_spare; /* event units: the buffer the sorted slot is written into         */
    double *next_spike;/* sources: time of each unit's next spike (-inf: not known yet)  */
    ms_spike_rec spikes;

    /* run-time, built at the first run */
    double *p_rows;    /* n x n_params, row per unit (event-driven units)                */
    double *d_rows;    /* n x n_derived, row per unit (exact units), or NULL              */
    ms_unit_data *ud;  /* per unit: model + parameters, handed to CVODE callbacks        */
    ms_ode **ode;      /* per unit, method cvode                                         */
    double *atol;      /* per state: absolute tolerance for CVODE                        */
    uint8_t *dirty;    /* per unit: state changed from outside, restart the integrator   */
    double *derived;   /* n_derived x n (fixed)                                          */
    ms_inbuf *inbox;   /* fixed: inputs per grid step, ring of inbox_slots; step j's are  */
    size_t inbox_slots;/* in inbox[j % inbox_slots], added to the state before step j     */
    uint64_t *fired;   /* per unit (fixed)                                                */
    /* models built at run time (circuits) belong to their population */
    ms_model *owned;
    void (*release)(ms_model *m);
    int vary;          /* draw device-to-device variation per unit (ms_net_set_variation) */
    /* energy ledger (core/energy.c): joules booked per event (read pulses, drivers),  */
    /* the power at rest per class (W), and the stored energy at the first run (J)     */
    double e_event[MS_E_N_CLASSES];
    double rest_power[MS_E_N_CLASSES];
    double stored0;
    double p_static;   /* static peripheral power of the device synapses into it (W)    */
    /* read energies of pulses sent but not yet begun: booked when the window that holds */
    /* their start ends (energy.c), so a ledger read at time t holds what happened by t   */
    struct ms_pending_energy *pend;
    size_t n_pend, cap_pend;
    double *quad_atol; /* per energy integral (J)                                      */
    int rec_energy;    /* ledger snapshots at every window's end (ms_net_record_energy) */
    double *e_snap;    /* n_snap x MS_E_N_CLASSES cumulative joules                     */
    double *t_snap;    /* n_snap times (s); snapshot 0 is the start of the recording    */
    size_t n_snap, cap_snap;
    int64_t next_step; /* next grid step to take (fixed)                                  */
    int uniform_params;/* fixed: each parameter column holds a single value               */
    int has_traces;
} ms_pop;

/* ---- projections ------------------------------------------------------------------------ */
typedef struct ms_proj {
    int pre, post, port;
    size_t n_pre;
    size_t *off;       /* CSR by presynaptic unit: synapses of i are off[i] .. off[i+1]-1 */
    uint32_t *target;  /* postsynaptic unit                                              */
    double *weight;
    double *delay;     /* per synapse, or NULL when all equal delay0                      */
    double delay0;
    double delay_min, delay_max;
    size_t n;
    /* device synapses (core/synapse_device.c): NULL arrays for static synapses */
    int device;        /* 1 once ms_net_proj_set_devices gave the conductances           */
    ms_device_syn_opts dev;
    double *g_pos, *g_neg;   /* conductance of each synapse's devices (S)                */
    double *x_pos, *x_neg;   /* device states, kept for learning rules                    */
    double *row_gain;        /* per presynaptic unit: read amplitude / V_read, or NULL (1) */
    uint32_t *n_reads;       /* per synapse: reads so far (positions its noise stream)      */
} ms_proj;

/* One thread's part of a run: its units are a fixed contiguous range of every population
 * (msi_range), so the work of a unit never depends on the number of threads. */
typedef struct ms_worker {
    int tid, nt;
    ms_outbox out;     /* spikes its units emitted in the window                         */
    ms_status st;      /* first failure in the window, MS_OK otherwise                   */
    ms_error err;
    ms_ode_ctx *ode_ctx; /* SUNDIALS context of this thread's integrators                */
} ms_worker;

/* The units [*i0, *i1) of n that thread tid of nt advances. */
static inline void msi_range(size_t n, int tid, int nt, size_t *i0, size_t *i1)
{
    *i0 = n * (size_t)tid / (size_t)nt;
    *i1 = n * (size_t)(tid + 1) / (size_t)nt;
}

/* The window being advanced, shared by the threads. */
typedef struct ms_window {
    int64_t w;         /* index: [w D, (w + 1) D)                                        */
    double t0, t1;     /* the part advanced now (t1 < (w + 1) D when a run ends inside)  */
    int full;          /* t1 is the window's end                                         */
    int stop[2];       /* the run is over (done, failed or interrupted), by the parity   */
                       /* of the window count: a thread that is slow to read the flag of  */
                       /* one window never sees it rewritten for the next                 */
    int k;             /* parity slot written now                                        */
} ms_window;

/* A scheduled current step, kept sorted by time until its window comes. */
typedef struct ms_sched {
    double t;
    double amount;
    uint32_t pop, unit, port;
    uint64_t seq;
} ms_sched;

struct ms_net {
    const ms_registry *reg;
    ms_net_opts opt;
    ms_error err;

    ms_pop *pops;
    size_t n_pops, cap_pops;
    ms_proj *projs;
    size_t n_projs, cap_projs;
    uint64_t n_units;  /* sum of population sizes: next gid0                             */

    ms_sched *sched;   /* current steps, sorted by (t, seq) from sched_next on          */
    size_t n_sched, cap_sched, sched_next;
    uint64_t sched_seq;

    ms_trace_rec *traces;
    size_t n_traces, cap_traces;

    ms_progress_fn progress;
    void *progress_ud;
    ms_progress_fn build_progress; /* polled by long connects (ms_net_set_build_progress)  */
    void *build_progress_ud;

    /* run-time */
    int frozen;
    double t;          /* simulated time reached (s)                                     */
    double window;     /* d_min (s)                                                      */
    int64_t steps_per_window; /* window / dt when fixed populations exist                 */
    int64_t fixed_j1;  /* end step of the fixed-step part of the window in progress       */
    int n_threads;
    ms_worker *workers;
    ms_window win;
    ms_status run_status;
    ms_net_stats stats;
};

/* ---- internal functions, one group per file --------------------------------------------- */
ms_status msi_net_fail(ms_net *net, ms_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(__printf__, 3, 4)))
#endif
    ;
/* Prefixes the message already stored (from a callee) with context. */
ms_status msi_net_prefix(ms_net *net, ms_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(__printf__, 3, 4)))
#endif
    ;
ms_status msi_grow(ms_net *net, void **arr, size_t *cap, size_t need, size_t elem);

/* synapse_device.c */
ms_status msi_devices_attach(ms_net *net);
ms_status msi_send_device_pulses(ms_net *net, const ms_spike *s, int qi, const ms_proj *q, ms_pop *tgt,
                                 size_t s0, size_t s1);
void msi_devices_free(ms_proj *q);

/* energy.c */
typedef struct ms_pending_energy {
    double t;          /* start of the pulses (s)                                        */
    double e_read;     /* their fixed read energy (J)                                    */
    double e_driver;   /* their driver energy (J)                                        */
} ms_pending_energy;
ms_status msi_energy_prepare(ms_net *net, int pop);
ms_status msi_energy_pending(ms_net *net, ms_pop *p, double t, double e_read, double e_driver);
void msi_energy_settle(ms_net *net);
ms_status msi_energy_snapshots(ms_net *net);

/* calendar.c */
ms_status msi_calendar_init(ms_net *net, ms_calendar *cal, size_t n_slots);
void msi_calendar_free(ms_calendar *cal);
ms_evbuf *msi_calendar_slot(ms_calendar *cal, int64_t window_index);

/* limits.c: memory estimates (bytes) checked before allocating */
ms_status msi_limit_check(ms_net *net, double need, const char *fname, const char *what, const char *advice);
double msi_connect_estimate(const ms_rule *r, size_t n_pre, size_t n_post);
ms_status msi_limit_connect(ms_net *net, double n_syn, size_t n_pre, size_t n_post);
double msi_population_estimate(const ms_model *m, size_t n, ms_method method);
ms_status msi_limit_population(ms_net *net, const ms_model *m, size_t n, ms_method method);
ms_status msi_limit_recordings(ms_net *net, double t_end);

/* check.c: the state of units against their ranges at a window's end (t) */
ms_status msi_check_unit(ms_worker *wk, const ms_pop *p, size_t unit, const double *y, double t);
ms_status msi_check_columns(ms_worker *wk, const ms_pop *p, size_t i0, size_t i1, double t);
ms_status msi_check_fail(ms_worker *wk, const ms_pop *p, size_t unit, int k, double value, double t);
/* "state v", or "state x of device 'd1'" for a circuit's device state "d1.x". */
void msi_state_words(const ms_state_spec *s, char *buf, size_t len);

/* record.c */
ms_status msi_record_window_begin(ms_net *net, double t0, double t1);
ms_status msi_record_spikes(ms_net *net, const ms_spike *s, size_t n);
void msi_record_free(ms_net *net);
/* record_stream.c: at a window's end (net->t = its end), hands the completed rows of every
 * streamed recorder to its sink and drops them; closes every sink when the net goes. */
ms_status msi_record_flush(ms_net *net);
void msi_record_close_sinks(ms_net *net);

/* engine.c, engine_event.c, engine_fixed.c, engine_source.c, route.c. A window has three
 * phases: begin (one thread), units (every thread, its own range), end (one thread). */
ms_status msi_engine_freeze(ms_net *net);
void msi_engine_free(ms_net *net);
ms_status msi_emit(ms_worker *wk, int pop, size_t unit, double t);
ms_status msi_worker_fail(ms_worker *wk, ms_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(__printf__, 3, 4)))
#endif
    ;
ms_status msi_event_prepare(ms_net *net, int pop);
ms_status msi_event_begin(ms_net *net, int pop);
ms_status msi_event_units(ms_net *net, ms_worker *wk, int pop);
ms_status msi_event_end(ms_net *net, int pop);
ms_status msi_fixed_prepare(ms_net *net, int pop, int64_t max_delay_steps);
ms_status msi_fixed_units(ms_net *net, ms_worker *wk, int pop);
void msi_fixed_end(ms_net *net, int pop);
ms_status msi_source_units(ms_net *net, ms_worker *wk, int pop);
ms_status msi_route(ms_net *net);
ms_status msi_drain_scheduled(ms_net *net);
/* Grid step that takes an input arriving at t (fixed populations). */
int64_t msi_step_of(double t, double dt);
/* Queues an input for grid step `step` of a fixed-step population. */
ms_status msi_inbox_add(ms_pop *p, int64_t step, uint32_t port, uint32_t unit, double amount);
/* Makes room for `need` inputs in b (geometric growth). */
ms_status msi_inbox_reserve(ms_inbuf *b, size_t need);
ms_status msi_event_prepare(ms_net *net, int pop);

#endif

/* neurons/circuit_impl.h: the layout of circuit descriptions and of compiled circuits,
 * shared by circuit.c (description, checks, compilation), circuit_model.c (the model
 * callbacks) and circuit_dendritic.c (the built-in circuits). Not a public header. */
#ifndef MEMSNN_NEURONS_CIRCUIT_IMPL_H
#define MEMSNN_NEURONS_CIRCUIT_IMPL_H

#include <stddef.h>

#include "devices/ms_device.h"
#include "neurons/ms_circuit.h"

#define CKT_MAX_PARTS 4096
#define CKT_MAX_ALG 64        /* algebraic nodes of one circuit (a dense Newton system)   */

typedef char ckt_name[MS_CIRCUIT_NAME_LEN];

/* ---- the description ------------------------------------------------------------------ */
typedef enum { PART_DEVICE, PART_RESISTOR, PART_CAPACITOR, PART_CURRENT } part_kind;

typedef struct ckt_node_desc {
    ckt_name name;
    int fixed;                 /* 1: holds voltage v                                     */
    double v;
} ckt_node_desc;

typedef struct ckt_part_desc {
    part_kind kind;
    ckt_name name;
    int a, b;                  /* node indices (b unused for a current source: ground)   */
    const ms_device_class *cls;
    double p[MS_DEVICE_MAX_PARAMS];  /* device parameters                                 */
    double value;              /* ohm, farad or ampere                                   */
} ckt_part_desc;

typedef struct ckt_port_desc {
    ckt_name name;
    int node;
} ckt_port_desc;

struct ms_circuit {
    ckt_name name;
    ckt_node_desc *nodes;      /* nodes[0] is gnd                                        */
    size_t n_nodes, cap_nodes;
    ckt_part_desc *parts;
    size_t n_parts, cap_parts;
    ckt_port_desc *ports;
    size_t n_ports, cap_ports;
    int spike_part;            /* index into parts, or -1                                */
    double c_par;
};

/* ---- the compiled circuit --------------------------------------------------------------- */
/* A terminal: a free node's state index (>= 0), or a fixed node: -(1 + its parameter index),
 * or CKT_GND. */
#define CKT_GND (-1000000000)

typedef struct ckt_dev {
    const ms_device_class *cls;
    int a, b;                  /* terminals                                              */
    size_t y0, p0, r0;         /* offsets of its state, parameters, roots                */
    int e_class;               /* energy class of its dissipation                        */
} ckt_dev;

typedef struct ckt_res {
    int a, b;
    size_t p;                  /* parameter: R (ohm)                                     */
    int is_cap;                /* a capacitor (no current in rhs; its C counts on a)     */
} ckt_res;

typedef struct ckt_isrc {
    int node;
    size_t p;                  /* parameter: I (A)                                       */
} ckt_isrc;

typedef struct ckt_port {
    int node;                  /* free node                                              */
    size_t y;                  /* state: drive current (A)                               */
    size_t p_g, p_vg, p_rect;  /* parameters: column conductance (S), virtual ground,    */
                               /* rectified column                                       */
} ckt_port;

/* Energy integrals of every circuit, in this order. */
enum { CE_SYNAPSE, CE_DENDRITE, CE_SOMA, CE_LOAD, CE_SOURCE, CE_LI, CE_N };

typedef struct ckt {
    ms_model model;            /* first: the model handed to core; model.ctx = this       */
    size_t n_free;             /* free nodes: dynamic ones 0 .. n_dyn-1 (states 0 ..      */
    size_t n_dyn;              /* n_dyn-1), then algebraic ones (solved by Newton in every */
    size_t n_alg;              /* callback; observables 0 .. n_alg-1)                     */
    int alg_diag;              /* no device or resistor joins two algebraic nodes: their
                                  Newton matrix is diagonal (the dendritic neuron's is)   */
    int ohmic;                 /* every device is ohmic (ms_device_class.ohmic): Kirchhoff's
                                  law at the algebraic nodes is linear, one solve           */
    size_t *node_pc;           /* per free node: parameter of its explicit C (F)         */
    int *node_devcap;          /* per free node: device whose capacitance counts, chained */
    ckt_dev *dev;
    size_t n_dev;
    ckt_res *res;              /* resistors and capacitors                               */
    size_t n_res;
    ckt_isrc *isrc;
    size_t n_isrc;
    ckt_port *port;
    size_t n_port;
    size_t p_cpar, p_vapp;     /* parameters C_par (F) and V_applied (V)                  */
    int spike_dev;             /* device index, or -1                                    */
    /* storage of the model's descriptors */
    ms_state_spec *state;
    ms_param_spec *param;
    ms_state_spec *obs;
    const char **port_names;
    int *port_state;           /* per port: its drive current's state (ms_model.port_state) */
    int *root_dir;
    int energy_class[CE_N];
    char *strings;             /* every name and unit above                              */
} ckt;

static inline const ckt *ckt_of(const ms_model *m) { return (const ckt *)m->ctx; }

/* Voltage of terminal k for node voltages v (free nodes) and parameters p. */
static inline double ckt_v(int k, const double *v, const double *p)
{
    if (k >= 0) return v[k];
    if (k == CKT_GND) return 0.0;
    return p[-(k + 1)];
}

/* circuit_model.c: fills the callbacks of m */
void msi_circuit_set_callbacks(ms_model *m);

#endif

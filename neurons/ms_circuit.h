/* neurons/ms_circuit.h: neuron circuits built from devices. A circuit is described part by
 * part (nodes, devices of any registered class, resistors, capacitors, current sources,
 * input ports, the device whose switching root is the spike) and compiled into an ordinary
 * model (core/ms_model.h): Kirchhoff's current law at every free node plus the devices'
 * state equations, one ODE system per unit, integrated by CVODE with the devices' switching
 * thresholds as roots. The language and the equations: docs/circuits.md.
 *
 * Nodes. "gnd" (0 V) always exists. A fixed node holds a voltage (a supply: an ideal
 * voltage source to ground). A free node with capacitance (its capacitors and the parallel
 * capacitances of the devices between it and a fixed node) has its voltage as an ODE state;
 * a free node without any is algebraic: its voltage solves Kirchhoff's law at every
 * evaluation (Newton with the devices' dI/dv), as SPICE does, unless the circuit is given a
 * parasitic capacitance C_par > 0 for such nodes (docs/circuits.md, "Nodes without
 * capacitance"). */
#ifndef MEMSNN_NEURONS_MS_CIRCUIT_H
#define MEMSNN_NEURONS_MS_CIRCUIT_H

#include <stddef.h>

#include "core/ms_model.h"

/* 0: nodes without capacitance are algebraic. A value > 0 (10 fF is the order of the wire
 * and junction capacitance of a crossbar column of about a hundred cells, a proposal [I])
 * makes them ODE states with that capacitance (docs/circuits.md). */
#define MS_CIRCUIT_C_PAR_DEFAULT 0.0
#define MS_CIRCUIT_NAME_LEN 32

/* Ranges a circuit keeps (a bookkeeping choice [I], docs/reliability.md, "State ranges"): a
 * supply and every node voltage within +-1 kV, a current source within +-1 A, so a node
 * beyond them is a runaway, not a result. A node voltage's typical magnitude (its scale,
 * the margin of the run-time check) is 1 V. Single-device drives keep the same ranges
 * (neurons/ms_device_drive.h). */
#define MS_NODE_V_RANGE_V 1e3
#define MS_NODE_V_SCALE_V 1.0
#define MS_SOURCE_I_RANGE_A 1.0

typedef struct ms_circuit ms_circuit;

/* An empty circuit named `name` (its model name); NULL when out of memory. */
ms_circuit *ms_circuit_new(const char *name);
void ms_circuit_free(ms_circuit *c);
const char *ms_circuit_name(const ms_circuit *c);

/* Each adder returns 0, or nonzero with a message (duplicate or bad name, unknown node,
 * value out of range). Node names are declared before parts use them. */
int ms_circuit_add_node(ms_circuit *c, const char *name, char *msg, size_t len);
int ms_circuit_add_fixed(ms_circuit *c, const char *name, double v, char *msg, size_t len);
/* A device of class `cls` from node a to node b (its current flows a -> b through it), with
 * parameter overrides names[k] = values[k] (validated against the class). */
int ms_circuit_add_device(ms_circuit *c, const char *name, const char *cls, const char *a,
                          const char *b, const char *const *names, const double *values,
                          size_t n_values, char *msg, size_t len);
int ms_circuit_add_resistor(ms_circuit *c, const char *name, const char *a, const char *b,
                            double r_ohm, char *msg, size_t len);
/* A capacitor from a free node to ground or to a fixed node. */
int ms_circuit_add_capacitor(ms_circuit *c, const char *name, const char *node, const char *other,
                             double c_F, char *msg, size_t len);
/* A constant current i_A from ground into `node` (a bias). */
int ms_circuit_add_current(ms_circuit *c, const char *name, const char *node, double i_A,
                           char *msg, size_t len);
/* An input port: where synapses land. Static synapses and current steps add a current (A)
 * into the node; device synapses add read-pulse currents (ms_attach). */
int ms_circuit_add_port(ms_circuit *c, const char *name, const char *node, char *msg, size_t len);
/* The device whose spike root is the neuron's spike. */
int ms_circuit_set_spike(ms_circuit *c, const char *device, char *msg, size_t len);
/* Parasitic capacitance of free nodes without any (F, >= 0; 0: algebraic nodes). */
int ms_circuit_set_c_par(ms_circuit *c, double c_F, char *msg, size_t len);

/* Checks the whole circuit (every free node has a resistive path to a fixed node, device
 * capacitances sit next to a fixed node, at least one free node) and compiles it into a
 * model that the caller owns: free it with ms_circuit_model_free (give that to
 * ms_net_add_population_model as the release function). */
int ms_circuit_compile(const ms_circuit *c, ms_model **out, char *msg, size_t len);
void ms_circuit_model_free(ms_model *m);

/* The built-in circuits (docs/circuits.md, "The dendritic neuron"). */
typedef struct ms_dendritic_opts {
    int branches;              /* B >= 1                                                  */
    const char *dendrite;      /* dendrite class ("nmda_dendrite")                        */
    const char *soma;          /* soma class ("mott_soma")                                */
    double r_branch_ohm;       /* leak of each branch node to ground (ohm; 0: none)       */
    int dendrites;             /* 1: dendritic neuron; 0: its point-neuron control        */
} ms_dendritic_opts;
void ms_dendritic_opts_default(ms_dendritic_opts *o);
/* Branch k (1-based) has node "b<k>" and port "b<k>"; the soma node is "soma" with the
 * soma device "soma" to ground; dendrite "d<k>" joins b<k> to soma. The point neuron has
 * the same ports, all on the soma node, and no dendrites or branch leaks. */
int ms_circuit_dendritic(const ms_dendritic_opts *o, ms_circuit **out, char *msg, size_t len);

#endif

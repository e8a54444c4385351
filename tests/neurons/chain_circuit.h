/* tests/neurons/chain_circuit.h: a small circuit that exercises every kind of node, for the
 * circuit tests: vdd -r1- a -d1- b -r2- gnd, b -d2- c (a soma with its capacitor on c), a
 * current source into b and a node-mode port on a. a and b have no capacitance and d1 joins
 * them, so their solve is a dense 2 x 2 one, not one division per node. Header-only: every
 * test file is its own executable. */
#ifndef MEMSNN_TESTS_CHAIN_CIRCUIT_H
#define MEMSNN_TESTS_CHAIN_CIRCUIT_H

#include <criterion/criterion.h>

#include "neurons/ms_circuit.h"

/* Compiles the chain into *m (free with ms_model_free as the tests do). */
static inline void build_chain_circuit(ms_model **m)
{
    ms_circuit *c = ms_circuit_new("chain");
    char msg[256];
    cr_assert_eq(ms_circuit_add_fixed(c, "vdd", 2.5, msg, sizeof msg), 0);
    cr_assert_eq(ms_circuit_add_node(c, "a", msg, sizeof msg), 0);
    cr_assert_eq(ms_circuit_add_node(c, "b", msg, sizeof msg), 0);
    cr_assert_eq(ms_circuit_add_node(c, "c", msg, sizeof msg), 0);
    cr_assert_eq(ms_circuit_add_resistor(c, "r1", "vdd", "a", 2e4, msg, sizeof msg), 0);
    cr_assert_eq(ms_circuit_add_device(c, "d1", "nmda_dendrite", "a", "b", NULL, NULL, 0, msg, sizeof msg), 0);
    cr_assert_eq(ms_circuit_add_resistor(c, "r2", "b", "gnd", 5e4, msg, sizeof msg), 0);
    cr_assert_eq(ms_circuit_add_device(c, "d2", "nmda_dendrite", "b", "c", NULL, NULL, 0, msg, sizeof msg), 0);
    cr_assert_eq(ms_circuit_add_device(c, "soma", "mott_soma", "c", "gnd", NULL, NULL, 0, msg, sizeof msg), 0);
    cr_assert_eq(ms_circuit_add_current(c, "ib", "b", 3e-6, msg, sizeof msg), 0);
    cr_assert_eq(ms_circuit_add_port(c, "in", "a", msg, sizeof msg), 0);
    cr_assert_eq(ms_circuit_compile(c, m, msg, sizeof msg), 0, "%s", msg);
    ms_circuit_free(c);
}

#endif

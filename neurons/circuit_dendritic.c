/* neurons/circuit_dendritic.c: the built-in circuits: the dendritic neuron (B branch nodes,
 * each joined to the soma node by a dendrite device and leaking to ground through R_branch;
 * a soma device from the soma node to ground) and its point-neuron control (the same soma
 * and the same input ports, every port on the soma node, no dendrites). Diagram and
 * defaults: docs/circuits.md, "The dendritic neuron". */
#include "neurons/circuit_impl.h"

#include <stdio.h>
#include <string.h>

/* 10 kohm: a proposal [I]. With the nmda_dendrite defaults (G_off 1 uS, G_on 100 uS,
 * V_th 1 V) a branch current below ~80 uA keeps the branch node under the dendrite's
 * threshold, so weak input leaks to ground; docs/circuits.md shows the numbers. */
#define R_BRANCH_DEFAULT 1e4

void ms_dendritic_opts_default(ms_dendritic_opts *o)
{
    o->branches = 4;
    o->dendrite = "nmda_dendrite";
    o->soma = "mott_soma";
    o->r_branch_ohm = R_BRANCH_DEFAULT;
    o->dendrites = 1;
}

int ms_circuit_dendritic(const ms_dendritic_opts *o, ms_circuit **out, char *msg, size_t len)
{
    *out = NULL;
    if (o->branches < 1 || o->branches > 1000) {
        snprintf(msg, len, "%s: branches = %d must be in 1..1000", o->dendrites ? "dendritic_neuron" : "point_neuron",
                 o->branches);
        return -1;
    }
    if (!(o->r_branch_ohm >= 0)) {
        snprintf(msg, len, "dendritic_neuron: R_branch = %g ohm must be >= 0 (0: no branch leak)", o->r_branch_ohm);
        return -1;
    }
    const ms_device_class *dc;
    char inner[200];
    if (ms_device_lookup(o->soma, &dc, inner, sizeof inner) ||
        (strcmp(dc->role, "soma") != 0 && (snprintf(inner, sizeof inner, "'%s' is a %s, not a soma", o->soma, dc->role), 1))) {
        snprintf(msg, len, "%s: soma: %s", o->dendrites ? "dendritic_neuron" : "point_neuron", inner);
        return -1;
    }
    if (o->dendrites && (ms_device_lookup(o->dendrite, &dc, inner, sizeof inner) ||
                         (strcmp(dc->role, "dendrite") != 0 &&
                          (snprintf(inner, sizeof inner, "'%s' is a %s, not a dendrite", o->dendrite, dc->role), 1)))) {
        snprintf(msg, len, "dendritic_neuron: dendrite: %s", inner);
        return -1;
    }
    ms_circuit *c = ms_circuit_new(o->dendrites ? "dendritic_neuron" : "point_neuron");
    if (!c) {
        snprintf(msg, len, "dendritic_neuron: out of memory");
        return -1;
    }
    char name[MS_CIRCUIT_NAME_LEN];
    int bad = ms_circuit_add_node(c, "soma", msg, len) ||
              ms_circuit_add_device(c, "soma", o->soma, "soma", "gnd", NULL, NULL, 0, msg, len);
    for (int b = 1; b <= o->branches && !bad; b++) {
        snprintf(name, sizeof name, "b%d", b);
        if (!o->dendrites) {
            bad = ms_circuit_add_port(c, name, "soma", msg, len);
            continue;
        }
        char dname[MS_CIRCUIT_NAME_LEN], rname[MS_CIRCUIT_NAME_LEN];
        snprintf(dname, sizeof dname, "d%d", b);
        snprintf(rname, sizeof rname, "r%d", b);
        bad = ms_circuit_add_node(c, name, msg, len) ||
              ms_circuit_add_device(c, dname, o->dendrite, name, "soma", NULL, NULL, 0, msg, len) ||
              (o->r_branch_ohm > 0 && ms_circuit_add_resistor(c, rname, name, "gnd", o->r_branch_ohm, msg, len)) ||
              ms_circuit_add_port(c, name, name, msg, len);
    }
    if (!bad) bad = ms_circuit_set_spike(c, "soma", msg, len);
    if (bad) {
        ms_circuit_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

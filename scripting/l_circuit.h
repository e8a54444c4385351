/* scripting/l_circuit.h: Lua circuit objects (scripting/l_circuit.c). */
#ifndef MEMSNN_SCRIPTING_L_CIRCUIT_H
#define MEMSNN_SCRIPTING_L_CIRCUIT_H

#include <lua.h>

#include "neurons/ms_circuit.h"

/* Sets memsnn.circuit, memsnn.dendritic_neuron, memsnn.point_neuron in the table on top. */
void ms_lua_open_circuit(lua_State *L);
const ms_circuit *ms_lua_check_circuit(lua_State *L, int idx);
/* The circuit at idx, or NULL when the value is not a circuit object. */
const ms_circuit *ms_lua_test_circuit(lua_State *L, int idx);
/* Reads branches, soma, dendrite, R_branch from the table at idx (0: defaults). */
void ms_lua_dendritic_options(lua_State *L, int idx, int dendrites, ms_dendritic_opts *o, const char *fname);

#endif

/* scripting/l_xbar.h: memsnn.crossbar{...}, a mapped RRAM array after its mapping
 * (neurons/ms_xbar.h), and the hybrid-training methods of the software network: ann:map,
 * ann:adapt and ann:accuracy{crossbars = ...} (neurons/ms_hybrid.h). docs/lua-api.md. */
#ifndef MEMSNN_SCRIPTING_L_XBAR_H
#define MEMSNN_SCRIPTING_L_XBAR_H

#include <lua.h>

#include "neurons/ms_ann.h"
#include "neurons/ms_xbar.h"

#define MS_LUA_XBAR "memsnn.crossbar"

/* Registers the metatable and sets `crossbar` in the module table at the top of the stack. */
void ms_lua_open_xbar(lua_State *L);

/* The crossbar options of the `array` table at field "array" of the options at t, and their
 * key from the field "seed" of t (default 1); absent: the defaults. Errors name fname. */
void ms_lua_xbar_read_array(lua_State *L, int t, const char *fname, ms_crossbar_opts *o);

/* Pushes an empty crossbar userdata (its __gc frees the array) and returns its slot. */
ms_xbar **ms_lua_new_xbar(lua_State *L);

/* The array of the crossbar userdata at idx (a Lua error names fname otherwise). */
ms_xbar *ms_lua_check_xbar(lua_State *L, int idx, const char *fname, const char *what);

/* The options of a sign update in the table at t: rule (only "sign"; another is an error
 * naming fname) and phase ("alternate" or "set"). */
const char *ms_lua_xbar_rule(lua_State *L, int t, const char *fname);
ms_xbar_phase ms_lua_xbar_phase(lua_State *L, int t, const char *fname);
/* Pushes { pulses, set, reset, energy } of one update or reprogramming. */
void ms_lua_push_pulses(lua_State *L, const ms_xbar_pulses *p);
/* Pushes the programming pulses per device since the mapping, 1-based (pairs: device 2s - 1
 * is G+, 2s is G- of synapse s): c:wear() and prj:wear(). */
void ms_lua_push_wear(lua_State *L, const ms_xbar *x);

/* ann:map{ array = {...}, seed = } -> crossbar 1, crossbar 2 (the ann at 1). */
int ms_lua_ann_map(lua_State *L, ms_ann *a);
/* ann:adapt{ crossbars = {c1, c2}, images, labels, ... } with the data set already read. */
int ms_lua_ann_adapt(lua_State *L, ms_ann *a, const ms_ann_data *d);
/* The accuracy through crossbars = {c1, c2} of the option table at t. */
double ms_lua_ann_chip_accuracy(lua_State *L, ms_ann *a, int t, const ms_ann_data *d);

#endif

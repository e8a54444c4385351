/* scripting/l_crossbar.h: RRAM device synapses from Lua (scripting/l_crossbar.c). */
#ifndef MEMSNN_SCRIPTING_L_CROSSBAR_H
#define MEMSNN_SCRIPTING_L_CROSSBAR_H

#include <lua.h>

#include "core/ms_net.h"

#include "neurons/ms_crossbar.h"
#include "neurons/ms_xbar.h"

typedef struct ms_lua_rram {
    ms_crossbar_opts o;        /* mapping onto devices                                  */
    ms_device_syn_opts d;      /* read pulses                                           */
    double p_tile;             /* static power of one tile (W)                          */
} ms_lua_rram;

/* Reads the `array` options of the connect table at opts_idx (before anything is built). */
void ms_lua_read_rram(lua_State *L, ms_net *net, int opts_idx, ms_lua_rram *r);
/* Maps the weights of the new projection `proj` onto RRAM devices with the options r and gives them to the network; on any error the
 * projection is undone and a Lua error raised. net_idx is the network userdata. */
void ms_lua_map_rram(lua_State *L, ms_net *net, int net_idx, int proj, const ms_lua_rram *r);
/* The device array of projection proj of the network userdata at net_idx (list mode,
 * neurons/ms_xbar.h), or NULL for static synapses or a projection without synapses. */
ms_xbar *ms_lua_proj_array(lua_State *L, int net_idx, int proj);
/* prj:conductances() and prj:mapping(). */
int ms_lua_proj_conductances(lua_State *L);
int ms_lua_proj_mapping(lua_State *L);
int ms_lua_proj_set_row_gain(lua_State *L);

#endif

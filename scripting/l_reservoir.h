/* scripting/l_reservoir.h: reservoir computing from Lua: memsnn.reservoir{...} with its drive,
 * train and predict methods, memsnn.reservoir_task(name, opts) and memsnn.nrmse
 * (scripting/l_reservoir.c, docs/lua-api.md "Reservoirs"). */
#ifndef MEMSNN_SCRIPTING_L_RESERVOIR_H
#define MEMSNN_SCRIPTING_L_RESERVOIR_H

#include <lua.h>

#define MS_LUA_RESERVOIR "memsnn.Reservoir"

/* Registers the metatable and sets reservoir, reservoir_task and nrmse in the module table at
 * the top of the stack. */
void ms_lua_open_reservoir(lua_State *L);

#endif

/* scripting/l_data.h: memsnn.data, data sets for scenarios: memsnn.data.idx(path) reads an
 * IDX file (MNIST, Fashion-MNIST) into a memsnn.tensor (scripting/l_data.c, docs/data.md). */
#ifndef MEMSNN_SCRIPTING_L_DATA_H
#define MEMSNN_SCRIPTING_L_DATA_H

#include <lua.h>

#define MS_LUA_TENSOR "memsnn.tensor"

/* Registers the tensor metatable and sets `data` in the module table at the top of the
 * stack (luaopen_memsnn). */
void ms_lua_open_data(lua_State *L);

#endif

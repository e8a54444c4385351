/* scripting/l_ann.h: memsnn.ann, the dendritic network of X. Li et al. 2020 and its control
 * (neurons/ms_ann.h), and memsnn.data.noisy (neurons/ms_noise_image.h). docs/ann.md. */
#ifndef MEMSNN_SCRIPTING_L_ANN_H
#define MEMSNN_SCRIPTING_L_ANN_H

#include <lua.h>

#define MS_LUA_ANN "memsnn.ann"

/* Registers the network's metatable, sets `ann` in the module table at the top of the stack
 * and adds `noisy` to its `data` table (so call it after ms_lua_open_data). */
void ms_lua_open_ann(lua_State *L);

#endif

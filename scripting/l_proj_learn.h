/* scripting/l_proj_learn.h: learning rules on the devices of synapse = "rram" projections
 * (scripting/l_proj_learn.c). */
#ifndef MEMSNN_SCRIPTING_L_PROJ_LEARN_H
#define MEMSNN_SCRIPTING_L_PROJ_LEARN_H

#include <lua.h>

/* Adds update_sign, program, age and wear to the projection method table at the top of the
 * stack. */
void ms_lua_proj_learn_methods(lua_State *L);

#endif

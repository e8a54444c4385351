/* scripting/l_plot.h: memsnn.plot, the Lua face of viz/ (docs/plotting.md). */
#ifndef MEMSNN_SCRIPTING_L_PLOT_H
#define MEMSNN_SCRIPTING_L_PLOT_H

#include <lua.h>

/* Pushes the table { raster, traces, power, iv, xy }; luaopen_memsnn stores it as memsnn.plot. */
int ms_lua_open_plot(lua_State *L);

#endif

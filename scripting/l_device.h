/* scripting/l_device.h: single devices from Lua, for characterisation: memsnn.device(name,
 * params, opts), the drive and the protocol methods, memsnn.devices(), memsnn.device_params()
 * (scripting/l_device.c, docs/lua-api.md "Single devices"). */
#ifndef MEMSNN_SCRIPTING_L_DEVICE_H
#define MEMSNN_SCRIPTING_L_DEVICE_H

#include <lua.h>

#define MS_LUA_DEVICE "memsnn.Device"

/* Registers the device metatable and sets device, devices and device_params in the module
 * table at the top of the stack (luaopen_memsnn). */
void ms_lua_open_device(lua_State *L);

#endif

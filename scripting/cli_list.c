/* scripting/cli_list.c: the listing commands of `memsnn`: `models` (through the Lua module, so
 * the list is the one scripts see) and `devices [CLASS]` (the device registry, as
 * memsnn.devices() and memsnn.device_params() give it to scripts). */
#include "scripting/cli_list.h"

#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "devices/ms_device.h"
#include "scripting/ms_lua.h"

int ms_cli_list_models(void)
{
    lua_State *L = luaL_newstate();
    if (!L) {
        fprintf(stderr, "memsnn: error: cannot create a Lua state (out of memory)\n");
        return MS_EXIT_SCRIPT;
    }
    luaL_requiref(L, "memsnn", luaopen_memsnn, 0);
    lua_getfield(L, -1, "models");
    lua_call(L, 0, 1);
    lua_Integer n = luaL_len(L, -1);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, -1, i);
        lua_getfield(L, -1, "name");
        lua_getfield(L, -2, "doc");
        lua_getfield(L, -3, "methods");
        char methods[64] = "";
        for (lua_Integer k = 1; k <= luaL_len(L, -1); k++) {
            lua_geti(L, -1, k);
            snprintf(methods + strlen(methods), sizeof methods - strlen(methods), "%s%s", k > 1 ? "," : "",
                     lua_tostring(L, -1));
            lua_pop(L, 1);
        }
        printf("  %-20s %-22s %s\n", lua_tostring(L, -3), methods[0] ? methods : "(source)", lua_tostring(L, -2));
        lua_pop(L, 4);
    }
    lua_close(L);
    return MS_EXIT_OK;
}

/* The allowed range of a parameter as a reader writes it: "[1e-09, 0.001]", or "whole
 * number in 1..64" for integers. */
static void range_text(const ms_param_desc *p, char *buf, size_t len)
{
    if (p->integer) snprintf(buf, len, "whole, %.6g..%.6g", p->min, p->max);
    else snprintf(buf, len, "[%.6g, %.6g]", p->min, p->max);
}

static void list_names(const char *what, const char *const *names, const char *const *units, size_t n)
{
    if (n == 0) return;
    printf("%s:", what);
    for (size_t k = 0; k < n; k++) printf("%s %s%s%s%s", k ? "," : "", names[k], units ? " (" : "", units ? units[k] : "",
                                          units ? ")" : "");
    printf("\n");
}

static int describe(const ms_device_class *c)
{
    printf("%s (%s): %s\n", c->name, c->role, c->doc);
    list_names("state", c->state_names, c->state_units, c->n_state);
    list_names("switching thresholds", c->root_names, NULL, c->n_roots);
    printf("parameters (SI units; \"1\": dimensionless; origin tags as in docs/devices/sources.md):\n");
    printf("  %-18s %-6s %-12s %-26s %-6s %s\n", "name", "unit", "default", "allowed", "origin", "meaning");
    for (size_t k = 0; k < c->n_params; k++) {
        const ms_param_desc *p = &c->params[k];
        char range[64];
        range_text(p, range, sizeof range);
        printf("  %-18s %-6s %-12.6g %-26s %-6s %s\n", p->name, p->unit, p->def, range, ms_param_origin_tag(p->origin),
               p->doc ? p->doc : "");
    }
    return MS_EXIT_OK;
}

int ms_cli_list_devices(const char *name)
{
    if (name) {
        const ms_device_class *c;
        char msg[512];
        if (ms_device_lookup(name, &c, msg, sizeof msg)) {
            fprintf(stderr, "memsnn: devices: %s\n", msg);
            return MS_EXIT_USAGE;
        }
        return describe(c);
    }
    for (size_t i = 0; i < ms_device_count(); i++) {
        const ms_device_class *c = ms_device_at(i);
        printf("  %-20s %-9s %s\n", c->name, c->role, c->doc);
    }
    printf("(memsnn devices CLASS lists a class's parameters with units, defaults and ranges)\n");
    return MS_EXIT_OK;
}

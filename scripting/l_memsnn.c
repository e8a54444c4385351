/* scripting/l_memsnn.c: the `memsnn` Lua module: version, units, models, params, network,
 * write_csv, and the run settings (seed, out, quiet) (docs/lua-api.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "core/ms_outfile.h"
#include "core/ms_version.h"
#include "scripting/l_ann.h"
#include "scripting/l_xbar.h"
#include "scripting/l_data.h"
#include "scripting/l_circuit.h"
#include "scripting/l_device.h"
#include "scripting/l_reservoir.h"
#include "scripting/l_objects.h"
#include "scripting/l_plot.h"
#include "scripting/l_util.h"
#include "scripting/ms_lua.h"

int ms_lua_network_new(lua_State *L);
int ms_lua_write_npy(lua_State *L);
int ms_lua_clock(lua_State *L);
int ms_lua_resources(lua_State *L);

/* SI units and prefixes, so scripts read 5 * ms, 20 * uS (docs/architecture.md). */
static void push_units(lua_State *L)
{
    static const struct { const char *name; double value; } units[] = {
        { "s", 1 }, { "ms", 1e-3 }, { "us", 1e-6 }, { "ns", 1e-9 }, { "ps", 1e-12 },
        { "V", 1 }, { "mV", 1e-3 }, { "uV", 1e-6 },
        { "A", 1 }, { "mA", 1e-3 }, { "uA", 1e-6 }, { "nA", 1e-9 }, { "pA", 1e-12 },
        { "S", 1 }, { "mS", 1e-3 }, { "uS", 1e-6 }, { "nS", 1e-9 }, { "pS", 1e-12 },
        { "F", 1 }, { "uF", 1e-6 }, { "nF", 1e-9 }, { "pF", 1e-12 }, { "fF", 1e-15 },
        { "J", 1 }, { "mJ", 1e-3 }, { "uJ", 1e-6 }, { "nJ", 1e-9 }, { "pJ", 1e-12 }, { "fJ", 1e-15 },
        { "W", 1 }, { "mW", 1e-3 }, { "uW", 1e-6 }, { "nW", 1e-9 }, { "pW", 1e-12 },
        { "Hz", 1 }, { "kHz", 1e3 }, { "MHz", 1e6 },
        { "ohm", 1 }, { "kohm", 1e3 }, { "Mohm", 1e6 }, { "Gohm", 1e9 },
        { "m", 1 }, { "um", 1e-6 }, { "nm", 1e-9 },
        { "K", 1 },
    };
    lua_createtable(L, 0, (int)(sizeof units / sizeof units[0]));
    for (size_t k = 0; k < sizeof units / sizeof units[0]; k++) {
        lua_pushnumber(L, units[k].value);
        lua_setfield(L, -2, units[k].name);
    }
}

/* memsnn.models() -> { {name=, doc=, kind=, methods={...}}, ... } */
static int l_models(lua_State *L)
{
    const ms_registry *reg = ms_lua_registry(L);
    size_t n = ms_registry_count(reg);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        const ms_model *m = ms_registry_at(reg, i);
        lua_createtable(L, 0, 4);
        lua_pushstring(L, m->name), lua_setfield(L, -2, "name");
        lua_pushstring(L, m->doc), lua_setfield(L, -2, "doc");
        lua_pushstring(L, m->kind == MS_MODEL_SOURCE ? "source" : "neuron"), lua_setfield(L, -2, "kind");
        lua_newtable(L);
        int k = 1;
        for (int meth = 0; meth < MS_METHOD_COUNT; meth++)
            if (m->kind == MS_MODEL_NEURON && (m->methods & MS_METHOD_BIT(meth))) {
                lua_pushstring(L, ms_method_name((ms_method)meth));
                lua_rawseti(L, -2, k++);
            }
        lua_setfield(L, -2, "methods");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* memsnn.params(model) -> { name = {default=, unit=, min=, max=, doc=}, ... } */
static int l_params(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    const ms_model *m = ms_registry_find(ms_lua_registry(L), name);
    if (!m) return luaL_error(L, "params: unknown model '%s' (memsnn.models() lists them)", name);
    lua_createtable(L, 0, (int)m->n_params);
    for (size_t k = 0; k < m->n_params; k++) {
        const ms_param_spec *p = &m->params[k];
        lua_createtable(L, 0, 5);
        lua_pushnumber(L, p->def), lua_setfield(L, -2, "default");
        lua_pushstring(L, p->unit), lua_setfield(L, -2, "unit");
        lua_pushnumber(L, p->min), lua_setfield(L, -2, "min");
        lua_pushnumber(L, p->max), lua_setfield(L, -2, "max");
        lua_pushstring(L, p->doc), lua_setfield(L, -2, "doc");
        lua_setfield(L, -2, p->name);
    }
    return 1;
}

/* ---- write_csv ---------------------------------------------------------------------------- */

typedef struct csv_col {
    char name[64];
    int ref;       /* index of the column's table on the stack */
} csv_col;

static int col_cmp(const void *a, const void *b)
{
    return strcmp(((const csv_col *)a)->name, ((const csv_col *)b)->name);
}

/* memsnn.write_csv(path, table [, {columns = {...}}]): columns of equal length. A trace
 * (from pop:trace) is written as t and one column per recorded unit. */
static int l_write_csv(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    enum { MAX_COLS = 256 };
    csv_col cols[MAX_COLS];
    int nc = 0;
    /* Slot 3 is the options or nil before anything is pushed: pushed values must not land in
     * it when no options were given (a table with a "t" column once read as its options). */
    lua_settop(L, 3);
    int is_trace = lua_getfield(L, 2, "t") == LUA_TTABLE && lua_geti(L, 2, 1) == LUA_TTABLE;
    lua_settop(L, 3);
    if (is_trace) {
        lua_getfield(L, 2, "t");
        snprintf(cols[nc].name, sizeof cols[nc].name, "t");
        cols[nc++].ref = lua_gettop(L);
        lua_getfield(L, 2, "name");
        const char *var = lua_isstring(L, -1) ? lua_tostring(L, -1) : "value";
        lua_getfield(L, 2, "ids");
        int ids = lua_gettop(L);
        for (lua_Integer c = 1; lua_geti(L, 2, c) == LUA_TTABLE && nc < MAX_COLS; c++) {
            lua_Integer id = c;
            if (lua_istable(L, ids)) {
                lua_geti(L, ids, c);
                id = lua_tointeger(L, -1);
                lua_pop(L, 1);
            }
            snprintf(cols[nc].name, sizeof cols[nc].name, "%s_%lld", var, (long long)id);
            cols[nc++].ref = lua_gettop(L);
        }
        lua_pop(L, 1);
    } else if (!lua_isnoneornil(L, 3)) {
        luaL_checktype(L, 3, LUA_TTABLE);
        if (lua_getfield(L, 3, "columns") != LUA_TTABLE) luaL_error(L, "write_csv: the options take columns = {names...}");
        int names = lua_gettop(L);
        for (lua_Integer c = 1; lua_geti(L, names, c) == LUA_TSTRING && nc < MAX_COLS; c++) {
            snprintf(cols[nc].name, sizeof cols[nc].name, "%s", lua_tostring(L, -1));
            lua_pop(L, 1);
            if (lua_getfield(L, 2, cols[nc].name) != LUA_TTABLE)
                luaL_error(L, "write_csv: column '%s' is not a table of values", cols[nc].name);
            cols[nc++].ref = lua_gettop(L);
        }
        lua_pop(L, 1);
    } else {
        lua_pushnil(L);
        while (lua_next(L, 2)) {
            if (lua_type(L, -2) == LUA_TSTRING && lua_istable(L, -1) && nc < MAX_COLS) {
                snprintf(cols[nc].name, sizeof cols[nc].name, "%s", lua_tostring(L, -2));
                cols[nc].ref = 0;
                nc++;
            }
            lua_pop(L, 1);
        }
        qsort(cols, (size_t)nc, sizeof *cols, col_cmp);
        for (int c = 0; c < nc; c++) {
            lua_getfield(L, 2, cols[c].name);
            cols[c].ref = lua_gettop(L);
        }
    }
    if (nc == 0) luaL_error(L, "write_csv: the table has no columns (tables of values under string keys)");
    lua_Integer rows = luaL_len(L, cols[0].ref);
    for (int c = 1; c < nc; c++)
        if (luaL_len(L, cols[c].ref) != rows)
            luaL_error(L, "write_csv: column '%s' has %d values but '%s' has %d; columns must have equal length",
                       cols[c].name, (int)luaL_len(L, cols[c].ref), cols[0].name, (int)rows);

    const char *full = ms_lua_output_path(L, path, "write_csv");
    /* A temporary file beside the target, renamed when complete: no truncated CSV. */
    ms_outfile o;
    ms_error err;
    if (ms_outfile_open(&o, full, "write_csv", &err)) return ms_lua_fail(L, err.msg);
    FILE *f = o.f;
    for (int c = 0; c < nc; c++) fprintf(f, "%s%s", c ? "," : "", cols[c].name);
    fputc('\n', f);
    for (lua_Integer r = 1; r <= rows && !ferror(f); r++) {
        for (int c = 0; c < nc; c++) {
            if (c) fputc(',', f);
            int t = lua_rawgeti(L, cols[c].ref, r); /* raw: no metamethod can raise an error here */
            if (t == LUA_TNUMBER) {
                if (lua_isinteger(L, -1)) fprintf(f, "%lld", (long long)lua_tointeger(L, -1));
                else fprintf(f, "%.17g", lua_tonumber(L, -1));
            } else if (t == LUA_TSTRING) {
                fputs(lua_tostring(L, -1), f);
            } else if (t == LUA_TBOOLEAN) {
                fputs(lua_toboolean(L, -1) ? "true" : "false", f);
            }
            lua_pop(L, 1);
        }
        fputc('\n', f);
    }
    if (ms_outfile_commit(&o, "write_csv", &err)) return ms_lua_fail(L, err.msg);
    ms_lua_settings *s = ms_lua_get_settings(L);
    if (!s->quiet) fprintf(stderr, "memsnn: wrote %s (%lld rows)\n", full, (long long)rows);
    lua_pushstring(L, full);
    return 1;
}

int luaopen_memsnn(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        { "network", ms_lua_network_new },
        { "models", l_models },
        { "params", l_params },
        { "write_csv", l_write_csv },
        { "write_npy", ms_lua_write_npy },
        { "clock", ms_lua_clock },
        { "resources", ms_lua_resources },
        { NULL, NULL },
    };
    ms_lua_registry(L);
    ms_lua_open_network(L);
    ms_lua_open_population(L);
    ms_lua_open_projection(L);
    luaL_newlib(L, funcs);
    ms_lua_open_device(L);
    ms_lua_open_reservoir(L);
    ms_lua_open_data(L);
    ms_lua_open_ann(L);
    ms_lua_open_xbar(L);
    ms_lua_open_circuit(L);
    lua_pushstring(L, MS_VERSION_STRING);
    lua_setfield(L, -2, "version");
    push_units(L);
    lua_setfield(L, -2, "units");
    ms_lua_open_plot(L), lua_setfield(L, -2, "plot");
    ms_lua_settings *s = ms_lua_get_settings(L);
    lua_pushstring(L, s->out_dir);
    lua_setfield(L, -2, "out");
    if (s->seed_given) lua_pushinteger(L, (lua_Integer)s->seed);
    else lua_pushnil(L);
    lua_setfield(L, -2, "seed");
    lua_pushboolean(L, s->quiet);
    lua_setfield(L, -2, "quiet");
    return 1;
}

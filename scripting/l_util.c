/* scripting/l_util.c: helpers shared by the Lua bindings (scripting/l_util.h). */
#include "scripting/l_util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

static const char SETTINGS_KEY[] = "memsnn.settings";

ms_lua_settings *ms_lua_get_settings(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, SETTINGS_KEY);
    ms_lua_settings *s = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (!s) {
        s = lua_newuserdatauv(L, sizeof *s, 0);
        memset(s, 0, sizeof *s);
        strcpy(s->out_dir, ".");
        s->seed = 1;
        lua_setfield(L, LUA_REGISTRYINDEX, SETTINGS_KEY);
    }
    return s;
}

int ms_lua_fail(lua_State *L, const char *msg)
{
    luaL_where(L, 1);
    lua_pushstring(L, msg);
    lua_concat(L, 2);
    return lua_error(L);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int ms_lua_sorted_keys(lua_State *L, int idx, const char *fname)
{
    idx = lua_absindex(L, idx);
    lua_newtable(L);
    int keys = lua_gettop(L), n = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "%s: names must be strings, got %s", fname, luaL_typename(L, -1));
        lua_pushvalue(L, -1);
        lua_rawseti(L, keys, ++n);
    }
    const char **names = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *names, 0);
    for (int k = 0; k < n; k++) {
        lua_rawgeti(L, keys, k + 1);
        names[k] = lua_tostring(L, -1); /* kept alive by the keys table */
        lua_pop(L, 1);
    }
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    lua_createtable(L, n, 0);
    for (int k = 0; k < n; k++) {
        lua_pushstring(L, names[k]);
        lua_rawseti(L, -2, k + 1);
    }
    lua_replace(L, keys);
    lua_pop(L, 1);
    return n;
}

int ms_lua_errorf(lua_State *L, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ms_lua_fail(L, msg);
}

void ms_lua_check_options(lua_State *L, int idx, const char *fname, const char *const *allowed)
{
    idx = lua_absindex(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        int ok = 0;
        if (lua_type(L, -1) == LUA_TSTRING) {
            const char *k = lua_tostring(L, -1);
            for (const char *const *a = allowed; *a; a++)
                if (strcmp(k, *a) == 0) ok = 1;
        }
        if (!ok) {
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            for (const char *const *a = allowed; *a; a++) {
                if (a != allowed) luaL_addstring(&b, ", ");
                luaL_addstring(&b, *a);
            }
            luaL_pushresult(&b);
            const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : luaL_typename(L, -2);
            luaL_error(L, "%s: unknown option '%s' (expected: %s)", fname, key, lua_tostring(L, -1));
        }
    }
}

double ms_lua_opt_number(lua_State *L, int idx, const char *key, const char *fname, double def, int required)
{
    int t = lua_getfield(L, idx, key);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        if (required) luaL_error(L, "%s: option '%s' is required", fname, key);
        return def;
    }
    if (t != LUA_TNUMBER) luaL_error(L, "%s: option '%s' must be a number, got %s", fname, key, luaL_typename(L, -1));
    double v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    if (isnan(v)) luaL_error(L, "%s: option '%s' is NaN", fname, key);
    return v;
}

const char *ms_lua_opt_string(lua_State *L, int idx, const char *key, const char *fname, const char *def)
{
    int t = lua_getfield(L, idx, key);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return def;
    }
    if (t != LUA_TSTRING) luaL_error(L, "%s: option '%s' must be a string, got %s", fname, key, luaL_typename(L, -1));
    const char *s = lua_tostring(L, -1);
    lua_pop(L, 1); /* the string stays alive: the option table holds it */
    return s;
}

static double checked(lua_State *L, int idx, const char *fname, const char *what, size_t i)
{
    if (lua_type(L, idx) != LUA_TNUMBER)
        luaL_error(L, "%s: %s[%d] must be a number, got %s", fname, what, (int)i, luaL_typename(L, idx));
    double v = lua_tonumber(L, idx);
    if (isnan(v)) luaL_error(L, "%s: %s[%d] is NaN", fname, what, (int)i);
    return v;
}

void ms_lua_unit_values(lua_State *L, int idx, size_t n, double *out, const char *fname, const char *what)
{
    idx = lua_absindex(L, idx);
    switch (lua_type(L, idx)) {
    case LUA_TNUMBER: {
        double v = lua_tonumber(L, idx);
        if (isnan(v)) luaL_error(L, "%s: %s is NaN", fname, what);
        for (size_t i = 0; i < n; i++) out[i] = v;
        return;
    }
    case LUA_TTABLE: {
        size_t len = (size_t)luaL_len(L, idx);
        if (len != n) luaL_error(L, "%s: %s has %d entries, expected %d (one per unit)", fname, what, (int)len, (int)n);
        for (size_t i = 0; i < n; i++) {
            lua_geti(L, idx, (lua_Integer)i + 1);
            out[i] = checked(L, -1, fname, what, i + 1);
            lua_pop(L, 1);
        }
        return;
    }
    case LUA_TFUNCTION:
        for (size_t i = 0; i < n; i++) {
            lua_pushvalue(L, idx);
            lua_pushinteger(L, (lua_Integer)i + 1);
            lua_call(L, 1, 1);
            out[i] = checked(L, -1, fname, what, i + 1);
            lua_pop(L, 1);
        }
        return;
    default:
        luaL_error(L, "%s: %s must be a number, a table of %d numbers or a function(i), got %s", fname, what,
                   (int)n, luaL_typename(L, idx));
    }
}

double *ms_lua_number_array(lua_State *L, int idx, size_t *n, const char *fname, const char *what)
{
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx)) luaL_error(L, "%s: %s must be a table of numbers, got %s", fname, what, luaL_typename(L, idx));
    size_t len = (size_t)luaL_len(L, idx);
    double *v = lua_newuserdatauv(L, (len ? len : 1) * sizeof *v, 0);
    for (size_t i = 0; i < len; i++) {
        lua_geti(L, idx, (lua_Integer)i + 1);
        v[i] = checked(L, -1, fname, what, i + 1);
        lua_pop(L, 1);
    }
    *n = len;
    return v;
}

size_t *ms_lua_index_array(lua_State *L, int idx, size_t limit, size_t *n, const char *fname, const char *what)
{
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx)) luaL_error(L, "%s: %s must be a table of indices, got %s", fname, what, luaL_typename(L, idx));
    size_t len = (size_t)luaL_len(L, idx);
    size_t *v = lua_newuserdatauv(L, (len ? len : 1) * sizeof *v, 0);
    for (size_t i = 0; i < len; i++) {
        lua_geti(L, idx, (lua_Integer)i + 1);
        int isint = 0;
        lua_Integer k = lua_tointegerx(L, -1, &isint);
        if (!isint) luaL_error(L, "%s: %s[%d] must be an integer index, got %s", fname, what, (int)i + 1, luaL_typename(L, -1));
        if (k < 1 || (size_t)k > limit)
            luaL_error(L, "%s: %s[%d] = %d is outside 1..%d", fname, what, (int)i + 1, (int)k, (int)limit);
        v[i] = (size_t)(k - 1);
        lua_pop(L, 1);
    }
    *n = len;
    return v;
}

void ms_lua_push_doubles(lua_State *L, const double *v, size_t n)
{
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushnumber(L, v[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

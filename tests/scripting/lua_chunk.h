/* tests/scripting/lua_chunk.h: running Lua chunks in-process in Criterion tests: one Lua
 * state per test with memsnn preloaded, chunks named "test" so errors read "test:LINE: ",
 * and the checks every scripting test needs (a number result, an error at a line). */
#ifndef MEMSNN_TESTS_LUA_CHUNK_H
#define MEMSNN_TESTS_LUA_CHUNK_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "scripting/ms_lua.h"

static lua_State *L;

static inline void lua_chunk_open(void)
{
    L = luaL_newstate();
    luaL_openlibs(L);
    luaL_requiref(L, "memsnn", luaopen_memsnn, 1);
    lua_pop(L, 1);
}

static inline void lua_chunk_close(void) { lua_close(L); }

/* Runs a chunk, leaving nres results; the Lua status. */
static inline int run(const char *chunk, int nres)
{
    int rc = luaL_loadbuffer(L, chunk, strlen(chunk), "=test");
    if (rc == LUA_OK) rc = lua_pcall(L, 0, nres, 0);
    return rc;
}

/* The one number a chunk returns (the test fails on an error or another type). */
static inline double num(const char *chunk)
{
    if (run(chunk, 1) != LUA_OK) cr_assert_fail("chunk failed: %s\n%s", lua_tostring(L, -1), chunk);
    cr_assert(lua_isnumber(L, -1), "not a number: %s", chunk);
    double v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return v;
}

/* A chunk that must fail at line `line` with a message holding `frag`. */
static inline void expect_error(const char *chunk, int line, const char *frag)
{
    int top = lua_gettop(L);
    int rc = run(chunk, 0);
    cr_assert_neq(rc, LUA_OK, "no error for:\n%s", chunk);
    const char *msg = lua_tostring(L, -1);
    char where[32];
    snprintf(where, sizeof where, "test:%d: ", line);
    cr_assert(strncmp(msg, where, strlen(where)) == 0, "message does not start with '%s': %s", where, msg);
    cr_assert(strstr(msg, frag), "message lacks \"%s\":\n%s", frag, msg);
    lua_settop(L, top);
}

#endif

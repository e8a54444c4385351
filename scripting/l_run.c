/* scripting/l_run.c: running a scenario script (scripting/ms_lua.h): a fresh Lua state,
 * the standard libraries, `memsnn` preloaded, `arg` filled, the script's folder on
 * package.path, and the whole script under lua_pcall, as lua.c runs its main. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "scripting/l_util.h"
#include "scripting/ms_lua.h"

/* Message handler: keeps the error's own "file:line: message"; non-string errors get a
 * description. */
static int msgh(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    if (getenv("MEMSNN_TRACEBACK")) luaL_traceback(L, L, msg, 1);
    else lua_pushstring(L, msg);
    return 1;
}

/* Protected part: everything that can raise a Lua error. */
static int pmain(lua_State *L)
{
    const ms_run_request *req = lua_touserdata(L, 1);
    ms_lua_settings *s = ms_lua_get_settings(L);
    snprintf(s->script, sizeof s->script, "%s", req->script);
    snprintf(s->out_dir, sizeof s->out_dir, "%s", req->out_dir ? req->out_dir : ".");
    s->seed_given = req->seed_given;
    s->seed = req->seed;
    s->quiet = req->quiet;
    s->progress = req->progress;
    s->memory_limit = req->memory_limit;
    char msg[4200];
    if (req->out_dir && ms_lua_make_out_dir(req->out_dir, msg, sizeof msg) != 0) {
        lua_pushstring(L, msg); /* no script line: the command line is at fault */
        return lua_error(L);
    }

    luaL_openlibs(L);
    luaL_requiref(L, "memsnn", luaopen_memsnn, 1);
    lua_pop(L, 1);

    /* The script's folder first on package.path, so a scenario can require its helpers. */
    const char *slash = strrchr(req->script, '/');
    lua_getglobal(L, "package");
    if (slash) lua_pushlstring(L, req->script, (size_t)(slash - req->script));
    else lua_pushliteral(L, ".");
    lua_pushliteral(L, "/?.lua;");
    lua_getfield(L, -3, "path");
    lua_concat(L, 3);
    lua_setfield(L, -2, "path");
    lua_pop(L, 1);

    lua_createtable(L, req->argc, 1);
    lua_pushstring(L, req->script);
    lua_rawseti(L, -2, 0);
    for (int i = 0; i < req->argc; i++) {
        lua_pushstring(L, req->argv[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setglobal(L, "arg");

    if (luaL_loadfile(L, req->script) != LUA_OK) return lua_error(L);
    for (int i = 0; i < req->argc; i++) lua_pushstring(L, req->argv[i]);
    lua_call(L, req->argc, 0);
    return 0;
}

int ms_lua_run_script(const ms_run_request *req, char *errbuf, size_t errlen)
{
    lua_State *L = luaL_newstate();
    if (!L) {
        snprintf(errbuf, errlen, "cannot create a Lua state (out of memory)");
        return MS_EXIT_SCRIPT;
    }
    lua_pushcfunction(L, msgh);
    lua_pushcfunction(L, pmain);
    lua_pushlightuserdata(L, (void *)req);
    int rc = lua_pcall(L, 1, 0, 1);
    if (rc != LUA_OK) snprintf(errbuf, errlen, "%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "unknown error");
    lua_close(L);
    return rc == LUA_OK ? MS_EXIT_OK : MS_EXIT_SCRIPT;
}

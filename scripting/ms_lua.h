/* scripting/ms_lua.h: the memsnn Lua module and running a scenario script in a Lua state
 * (used by the memsnn command and by the tests). */
#ifndef MEMSNN_SCRIPTING_MS_LUA_H
#define MEMSNN_SCRIPTING_MS_LUA_H

#include <lua.h>

/* Opens the `memsnn` module (returns it on the stack). */
int luaopen_memsnn(lua_State *L);

/* Exit statuses of `memsnn` (docs/lua-api.md, "The command line"). */
enum { MS_EXIT_OK = 0, MS_EXIT_SCRIPT = 1, MS_EXIT_USAGE = 2 };

typedef struct ms_run_request {
    const char *script;      /* path of the Lua file                                   */
    const char *out_dir;     /* --out, or NULL for the current folder                  */
    int seed_given;
    unsigned long long seed; /* --seed                                                  */
    int quiet;               /* --quiet                                                 */
    int progress;            /* draw a progress bar (the caller checked the terminal)   */
    double memory_limit;     /* --memory-limit in bytes (0: none)                       */
    int argc;                /* script arguments (after --)                            */
    char **argv;
} ms_run_request;

/* Creates a Lua state, preloads `memsnn`, runs the script under lua_pcall and returns an
 * exit status; on failure the message (with file:line) is written to errbuf. */
int ms_lua_run_script(const ms_run_request *req, char *errbuf, size_t errlen);

#endif

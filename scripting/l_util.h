/* scripting/l_util.h: shared helpers of the Lua bindings: option tables that reject
 * unknown keys, numbers that must be finite, per-unit values given as a number, a table or
 * a function, output paths under --out, and the run settings of the command line. */
#ifndef MEMSNN_SCRIPTING_L_UTIL_H
#define MEMSNN_SCRIPTING_L_UTIL_H

#include <stddef.h>

#include <lua.h>

#include "core/ms_status.h"

/* Metatable names of the userdata types. */
#define MS_LUA_NETWORK "memsnn.Network"
#define MS_LUA_POPULATION "memsnn.Population"
#define MS_LUA_PROJECTION "memsnn.Projection"

/* Settings of `memsnn run`, kept in the Lua registry under this key. */
typedef struct ms_lua_settings {
    char out_dir[4096];    /* where relative output paths go ("." by default)        */
    char script[4096];     /* the script being run, for provenance                  */
    int seed_given;        /* --seed was given: it overrides network{seed=}         */
    unsigned long long seed;
    int quiet;             /* --quiet: no progress bar, no "wrote" lines             */
    int progress;          /* draw a progress bar (stderr is a terminal, not quiet) */
    double memory_limit;   /* --memory-limit (bytes; 0: none): every network's cap  */
} ms_lua_settings;

ms_lua_settings *ms_lua_get_settings(lua_State *L);

/* Raises a Lua error "fname: unknown option 'x' (expected: a, b, c)" if the table at idx
 * has a key not in `allowed` (NULL-terminated). */
void ms_lua_check_options(lua_State *L, int idx, const char *fname, const char *const *allowed);

/* Pushes a sequence of the string keys of the table at idx, sorted, and returns how many.
 * Bindings walk option tables in this order, not lua_next's: Lua 5.4 seeds its string
 * hashes per process, so hash order differs between runs, and initializer functions
 * that share a random generator must be called in the same order every time. */
int ms_lua_sorted_keys(lua_State *L, int idx, const char *fname);

/* Field `key` of the table at idx as a finite number; `def` if absent and not required. */
double ms_lua_opt_number(lua_State *L, int idx, const char *key, const char *fname, double def,
                         int required);
/* Field as a string, or def when absent. */
const char *ms_lua_opt_string(lua_State *L, int idx, const char *key, const char *fname,
                              const char *def);

/* Reads the value at idx for n units: a number (all alike), a table of n numbers or a
 * function(i) -> number (i from 1). Writes n values into out (caller-owned). `what`
 * names the value in messages. Raises a Lua error on anything else, NaN included. */
void ms_lua_unit_values(lua_State *L, int idx, size_t n, double *out, const char *fname,
                        const char *what);

/* An array of numbers (a Lua sequence) at idx; returns a lua_newuserdata-owned buffer
 * left on the stack top, so it is freed by the GC even if an error follows. */
double *ms_lua_number_array(lua_State *L, int idx, size_t *n, const char *fname, const char *what);
/* An array of 1-based indices below `limit`, converted to 0-based, likewise owned. */
size_t *ms_lua_index_array(lua_State *L, int idx, size_t limit, size_t *n, const char *fname,
                           const char *what);

/* Raises the message of a failed memsnn call as a Lua error at the script's line. */
int ms_lua_fail(lua_State *L, const char *msg);
/* luaL_error with the C library's formats (luaL_error knows no %g or %e). */
int ms_lua_errorf(lua_State *L, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(__printf__, 2, 3)))
#endif
    ;

/* Output paths (scripting/l_outpath.c): resolves a relative path against --out and
 * creates the missing folders it needs, but only inside the output folder and only for a
 * relative name without ".." components; any other missing folder is an error naming the
 * path and this rule. The result is pushed on the stack and returned. */
const char *ms_lua_output_path(lua_State *L, const char *path, const char *fname);
/* Creates the output folder `dir` with its missing parents (mkdir -p) and checks that it
 * is a folder. 0, or -1 with a message in msg. */
int ms_lua_make_out_dir(const char *dir, char *msg, size_t len);

/* Pushes an array of doubles as a Lua sequence. */
void ms_lua_push_doubles(lua_State *L, const double *v, size_t n);

#endif

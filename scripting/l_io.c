/* scripting/l_io.c: data out of scripts for analysis elsewhere, and measurements of the run
 * itself: memsnn.write_npy (NumPy .npy files that Python reads with numpy.load),
 * memsnn.clock (a monotonic wall clock) and memsnn.resources (peak memory, CPU time). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>

#include "core/ms_outfile.h"
#include "scripting/l_objects.h"
#include "scripting/l_util.h"

/* memsnn.write_npy(path, values [, {dtype = "f8" | "i4" | "i8"}]): a 1-D array in NumPy's
 * format version 1.0 (little-endian), written beside its final name and renamed. */
int ms_lua_write_npy(lua_State *L);
int ms_lua_write_npy(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    const char *dtype = "f8";
    if (!lua_isnoneornil(L, 3)) {
        static const char *const allowed[] = { "dtype", NULL };
        luaL_checktype(L, 3, LUA_TTABLE);
        ms_lua_check_options(L, 3, "write_npy", allowed);
        dtype = ms_lua_opt_string(L, 3, "dtype", "write_npy", "f8");
    }
    int is_float = strcmp(dtype, "f8") == 0, is_i4 = strcmp(dtype, "i4") == 0, is_i8 = strcmp(dtype, "i8") == 0;
    if (!is_float && !is_i4 && !is_i8) luaL_error(L, "write_npy: dtype must be \"f8\", \"i4\" or \"i8\", got \"%s\"", dtype);
    lua_Integer n = luaL_len(L, 2);

    /* Every entry is checked before the file is opened, so an error leaves no file. */
    for (lua_Integer k = 1; k <= n; k++) {
        lua_rawgeti(L, 2, k);
        int ok = 0;
        if (is_float) (void)lua_tonumberx(L, -1, &ok);
        else (void)lua_tointegerx(L, -1, &ok);
        lua_pop(L, 1);
        if (!ok) luaL_error(L, "write_npy: entry %d is not %s", (int)k, is_float ? "a number" : "an integer");
    }

    const char *full = ms_lua_output_path(L, path, "write_npy");
    ms_outfile o;
    ms_error err;
    if (ms_outfile_open(&o, full, "write_npy", &err)) return ms_lua_fail(L, err.msg);
    FILE *f = o.f;
    /* Header: magic, version 1.0, header length, a dict padded so data starts at 64 bytes. */
    char dict[128];
    int len = snprintf(dict, sizeof dict, "{'descr': '<%s', 'fortran_order': False, 'shape': (%lld,), }",
                       dtype, (long long)n);
    int total = 10 + len + 1;
    int pad = (64 - total % 64) % 64;
    unsigned short hlen = (unsigned short)(len + pad + 1);
    fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    unsigned char hl[2] = { (unsigned char)(hlen & 0xff), (unsigned char)(hlen >> 8) };
    fwrite(hl, 1, 2, f);
    fwrite(dict, 1, (size_t)len, f);
    for (int k = 0; k < pad; k++) fputc(' ', f);
    fputc('\n', f);
    for (lua_Integer k = 1; k <= n && !ferror(f); k++) {
        lua_rawgeti(L, 2, k); /* raw: a metamethod could raise an error with the file open */
        if (is_float) {
            double v = lua_tonumber(L, -1);
            fwrite(&v, sizeof v, 1, f);
        } else if (is_i4) {
            int32_t w = (int32_t)lua_tointeger(L, -1);
            fwrite(&w, sizeof w, 1, f);
        } else {
            int64_t w = (int64_t)lua_tointeger(L, -1);
            fwrite(&w, sizeof w, 1, f);
        }
        lua_pop(L, 1);
    }
    if (ms_outfile_commit(&o, "write_npy", &err)) return ms_lua_fail(L, err.msg);
    lua_pushstring(L, full);
    return 1;
}

/* memsnn.clock(): seconds of a monotonic wall clock, for timing parts of a script
 * (os.clock measures CPU time of the process instead). */
int ms_lua_clock(lua_State *L);
int ms_lua_clock(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec);
    return 1;
}

/* memsnn.resources() -> { peak_rss = bytes, cpu = s } of this process so far. */
int ms_lua_resources(lua_State *L);
int ms_lua_resources(lua_State *L)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    lua_createtable(L, 0, 2);
    lua_pushinteger(L, (lua_Integer)ru.ru_maxrss * 1024); /* Linux reports kilobytes */
    lua_setfield(L, -2, "peak_rss");
    lua_pushnumber(L, (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec
                          + (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec);
    lua_setfield(L, -2, "cpu");
    return 1;
}

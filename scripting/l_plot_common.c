/* scripting/l_plot_common.c: what every memsnn.plot function shares: scratch memory kept in
 * an anchor table on the Lua stack (so an error anywhere leaks nothing), readers of numbers,
 * strings and whole numbers with Lua names in their messages, the common options of
 * docs/plotting.md, provenance (script, seed, date) and the end of a plot. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>

#include "scripting/l_objects.h"
#include "scripting/l_plot_impl.h"
#include "scripting/l_util.h"
#include "viz/ms_plot.h"

/* ---- scratch memory and small readers ------------------------------------------------------ */

/* bytes of memory owned by the collector, alive until the plot function returns. */
void *msi_plot_scratch(lua_State *L, plot_call *c, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) ms_lua_errorf(L, "%s: out of memory for %zu values", c->who, n);
    void *p = lua_newuserdatauv(L, n * size > 0 ? n * size : 1, 0);
    lua_rawseti(L, c->anchor, (lua_Integer)lua_rawlen(L, c->anchor) + 1);
    return p;
}

/* The sequence at idx as doubles. NaN marks a gap where nan_ok, otherwise it is an error. */
double *msi_plot_numbers(lua_State *L, plot_call *c, int idx, const char *what, int nan_ok, size_t *n)
{
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx))
        ms_lua_errorf(L, "%s: %s must be a table of numbers, got %s", c->who, what, luaL_typename(L, idx));
    size_t len = (size_t)luaL_len(L, idx);
    double *v = msi_plot_scratch(L, c, len, sizeof *v);
    for (size_t i = 0; i < len; i++) {
        if (lua_geti(L, idx, (lua_Integer)i + 1) != LUA_TNUMBER)
            ms_lua_errorf(L, "%s: %s[%d] must be a number, got %s", c->who, what, (int)i + 1, luaL_typename(L, -1));
        v[i] = lua_tonumber(L, -1);
        if (isnan(v[i]) && !nan_ok) ms_lua_errorf(L, "%s: %s[%d] is NaN", c->who, what, (int)i + 1);
        lua_pop(L, 1);
    }
    *n = len;
    return v;
}

/* The string keys of the table at idx, sorted (so runs do not depend on Lua's per-process
 * hash order), pushed as a sequence that the anchor also keeps: its strings outlive the call. */
int msi_plot_sorted_keys(lua_State *L, plot_call *c, int idx, const char *fname)
{
    int n = ms_lua_sorted_keys(L, idx, fname);
    lua_pushvalue(L, -1);
    lua_rawseti(L, c->anchor, (lua_Integer)lua_rawlen(L, c->anchor) + 1);
    return n;
}

/* Field key of the table at idx: a string, or NULL when absent. */
const char *msi_plot_field_string(lua_State *L, plot_call *c, int idx, const char *key, const char *what)
{
    int t = lua_getfield(L, idx, key);
    const char *s = t == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    if (t != LUA_TNIL && t != LUA_TSTRING)
        ms_lua_errorf(L, "%s: %s%s must be a string, got %s", c->who, what, key, luaL_typename(L, -1));
    lua_pop(L, 1); /* the string stays alive: its table holds it */
    return s;
}

/* A whole number in lo..hi at the stack top (hi = INT32_MAX: no upper bound worth naming). */
lua_Integer msi_plot_whole(lua_State *L, plot_call *c, const char *what, lua_Integer lo, lua_Integer hi)
{
    int isint = 0;
    lua_Integer v = lua_type(L, -1) == LUA_TNUMBER ? lua_tointegerx(L, -1, &isint) : 0;
    if (!isint) ms_lua_errorf(L, "%s: %s must be a whole number, got %s", c->who, what, luaL_tolstring(L, -1, NULL));
    if (v < lo || v > hi) {
        if (hi >= INT32_MAX) ms_lua_errorf(L, "%s: %s = %lld must be >= %lld", c->who, what, (long long)v, (long long)lo);
        ms_lua_errorf(L, "%s: %s = %lld is outside %lld..%lld", c->who, what, (long long)v, (long long)lo, (long long)hi);
    }
    return v;
}

/* ---- common options ------------------------------------------------------------------------ */

double msi_plot_opt_finite(lua_State *L, plot_call *c, const char *key)
{
    double v = ms_lua_opt_number(L, 1, key, c->who, NAN, 0);
    if (isinf(v)) ms_lua_errorf(L, "%s: %s must be finite, got %g", c->who, key, v);
    return v;
}

/* width / height: absent = 0 (the default size); otherwise a positive whole number. */
int msi_plot_opt_pixels(lua_State *L, plot_call *c, const char *key)
{
    int t = lua_getfield(L, 1, key);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    int isint = 0;
    lua_Integer v = lua_tointegerx(L, -1, &isint);
    if (t != LUA_TNUMBER || !isint || v <= 0)
        ms_lua_errorf(L, "%s: %s must be a positive number of pixels, got %s", c->who, key, luaL_tolstring(L, -1, NULL));
    if (v > MS_PLOT_MAX_SIDE_PX)
        ms_lua_errorf(L, "%s: %s %d px is too large (at most %d)", c->who, key, (int)v, MS_PLOT_MAX_SIDE_PX);
    lua_pop(L, 1);
    return (int)v;
}

/* true / false options; *given says whether the key was there. */
int msi_plot_opt_bool(lua_State *L, plot_call *c, const char *key, int *given)
{
    int t = lua_getfield(L, 1, key);
    if (given) *given = t != LUA_TNIL;
    if (t != LUA_TNIL && t != LUA_TBOOLEAN)
        ms_lua_errorf(L, "%s: %s must be true or false, got %s", c->who, key, luaL_typename(L, -1));
    int v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

void msi_plot_check_pair(lua_State *L, plot_call *c, const char *n0, double lo, const char *n1, double hi)
{
    if (!isnan(lo) && !isnan(hi) && !(hi > lo))
        ms_lua_errorf(L, "%s: %s (%g) must be greater than %s (%g)", c->who, n1, hi, n0, lo);
}

/* Reads every common option; check_options already refused the ones this plot does not take. */
static void read_common(lua_State *L, plot_call *c)
{
    ms_plot_opts *o = &c->o;
    c->file = msi_plot_field_string(L, c, 1, "file", "");
    if (!c->file) ms_lua_errorf(L, "%s: option 'file' (the PNG to write) is required", c->who);
    o->title = msi_plot_field_string(L, c, 1, "title", "");
    o->xlabel = msi_plot_field_string(L, c, 1, "xlabel", "");
    o->ylabel = msi_plot_field_string(L, c, 1, "ylabel", "");
    o->xunit = msi_plot_field_string(L, c, 1, "xunit", "");
    o->yunit = msi_plot_field_string(L, c, 1, "yunit", "");
    o->width_px = msi_plot_opt_pixels(L, c, "width");
    o->height_px = msi_plot_opt_pixels(L, c, "height");
    lua_getfield(L, 1, "dpi");
    int dpi_given = !lua_isnil(L, -1);
    lua_pop(L, 1);
    o->dpi_scale = ms_lua_opt_number(L, 1, "dpi", c->who, 0.0, 0);
    if (dpi_given && !(o->dpi_scale > 0.0 && o->dpi_scale <= MS_PLOT_MAX_DPI_SCALE))
        ms_lua_errorf(L, "%s: dpi must be in (0, %g] (1 = text and lines for 96 dpi), got %g", c->who,
             MS_PLOT_MAX_DPI_SCALE, o->dpi_scale);
    o->t0_s = msi_plot_opt_finite(L, c, "t0");
    o->t1_s = msi_plot_opt_finite(L, c, "t1");
    o->x_min = msi_plot_opt_finite(L, c, "xmin");
    o->x_max = msi_plot_opt_finite(L, c, "xmax");
    o->y_min = msi_plot_opt_finite(L, c, "ymin");
    o->y_max = msi_plot_opt_finite(L, c, "ymax");
    msi_plot_check_pair(L, c, "t0", o->t0_s, "t1", o->t1_s);
    msi_plot_check_pair(L, c, "xmin", o->x_min, "xmax", o->x_max);
    msi_plot_check_pair(L, c, "ymin", o->y_min, "ymax", o->y_max);
    c->t_given = !isnan(o->t0_s) || !isnan(o->t1_s);
    int logy_given, log_given;
    o->log_x = msi_plot_opt_bool(L, c, "logx", NULL);
    o->log_y = msi_plot_opt_bool(L, c, "logy", &logy_given);
    int log = msi_plot_opt_bool(L, c, "log", &log_given);
    if (logy_given && log_given)
        ms_lua_errorf(L, "%s: give 'logy' or its short name 'log', not both", c->who);
    o->log_y |= log;
    if (o->log_x && !isnan(o->x_min) && !(o->x_min > 0.0))
        ms_lua_errorf(L, "%s: a logarithmic x axis needs xmin > 0, got %g", c->who, o->x_min);
    if (o->log_y && !isnan(o->y_min) && !(o->y_min > 0.0))
        ms_lua_errorf(L, "%s: a logarithmic y axis needs ymin > 0, got %g", c->who, o->y_min);
}

/* Checks the call's shape and options; leaves the anchor table on the stack. */
void msi_plot_begin(lua_State *L, plot_call *c, const char *who, const char *const *allowed, const char *example)
{
    memset(c, 0, sizeof *c);
    c->who = who;
    if (lua_gettop(L) != 1 || !lua_istable(L, 1))
        ms_lua_errorf(L, "%s: takes one table of options, e.g. memsnn.plot.%s", who, example);
    ms_lua_check_options(L, 1, who, allowed);
    lua_newtable(L);
    c->anchor = lua_gettop(L);
    ms_plot_opts_init(&c->o);
    read_common(L, c);
}

/* Provenance: the script, the seed (--seed, else the seeds of the networks whose populations
 * are plotted; "unknown" when neither says), and the date (SOURCE_DATE_EPOCH, else now). */
void msi_plot_provenance(lua_State *L, plot_call *c, ms_net *const *nets, size_t n_nets)
{
    ms_lua_settings *s = ms_lua_get_settings(L);
    c->o.script = s->script[0] ? s->script : NULL;
    if (s->seed_given) {
        snprintf(c->seed, sizeof c->seed, "%llu", s->seed);
    } else {
        size_t len = 0;
        for (size_t k = 0; k < n_nets && len < sizeof c->seed; k++) {
            int seen = 0;
            for (size_t j = 0; j < k; j++) seen |= ms_net_options(nets[j])->seed == ms_net_options(nets[k])->seed;
            if (!seen)
                len += (size_t)snprintf(c->seed + len, sizeof c->seed - len, "%s%llu", len ? ", " : "",
                                        (unsigned long long)ms_net_options(nets[k])->seed);
        }
    }
    c->o.seed = c->seed[0] ? c->seed : NULL;
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    if (epoch && epoch[0]) {
        char *end;
        errno = 0;
        long long v = strtoll(epoch, &end, 10);
        time_t t = (time_t)v;
        struct tm tm;
        if (*end || errno || v < 0 || !gmtime_r(&t, &tm) || !strftime(c->date, sizeof c->date, "%Y-%m-%dT%H:%M:%SZ", &tm))
            ms_lua_errorf(L, "%s: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, got '%s'", c->who, epoch);
        c->o.date = c->date;
    }
}

/* Resolves the file under --out (pushed on the stack) and points the options at it. */
const char *msi_plot_output(lua_State *L, plot_call *c)
{
    const char *path = ms_lua_output_path(L, c->file, c->who);
    c->o.file = path;
    return path;
}

/* The end of every plot: an error at the script's line, or "wrote" and the path. */
int msi_plot_done(lua_State *L, ms_status st, const ms_error *err, const char *path)
{
    if (st != MS_OK) return ms_lua_fail(L, err->msg);
    if (!ms_lua_get_settings(L)->quiet) fprintf(stderr, "memsnn: wrote %s\n", path);
    lua_pushstring(L, path);
    return 1;
}

/* scripting/l_plot.c: memsnn.plot.raster, traces, power, iv and xy: read the option table
 * (common options as docs/plotting.md names them), gather plain arrays from populations and
 * Lua tables, fill the provenance from the run settings, and let viz/ draw and write the PNG.
 *
 * Everything the script gave is checked here first, with Lua names and 1-based indices, so a
 * mistake is a Lua error at the script's line and no file is touched; viz/ checks again, and
 * what only it refuses (infinite values, negative energies, too small an image) comes back as
 * its own message at the same line. Arrays live in userdata kept in an anchor table on the
 * stack, so an error anywhere leaks nothing. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>

#include "scripting/l_objects.h"
#include "scripting/l_plot.h"
#include "scripting/l_util.h"
#include "viz/ms_plot.h"

#define MAX_POPS       64      /* bands of one raster (viz/raster.c)                       */
#define MAX_TALLIES    16      /* bars of one power plot (viz/power.c)                     */
#define MAX_CLASSES    16      /* energy classes of one power plot (viz/power.c)           */
#define MAX_ARROWS     100     /* direction arrows per I-V curve                            */
#define LABEL_LEN      64      /* labels the Lua layer makes ("exc 3")                      */
#define WHAT_LEN       96      /* "populations[2].times" and the like, for messages         */
#define TOTAL_REL_TOL  1e-6    /* energy total vs the sum of its classes (rounding of sums) */

/* Options every plot takes; each plot adds its own. */
#define COMMON_OPTIONS "file", "title", "width", "height", "dpi", "xlabel", "ylabel"

/* Energy classes drawn first, bottom up, in this order; others follow alphabetically. */
static const char *const CLASS_ORDER[] = { "synapse", "dendrite", "soma", NULL };

typedef struct plot_call {
    const char *who;        /* plot name: prefix of every message                     */
    int anchor;             /* stack index of the table that keeps scratch buffers    */
    const char *file;       /* the file option, as given                              */
    int t_given;            /* t0 or t1 was given                                     */
    ms_plot_opts o;
    char seed[128];         /* provenance text                                        */
    char date[32];
} plot_call;

/* ---- scratch memory and small readers ------------------------------------------------------ */

/* bytes of memory owned by the collector, alive until the plot function returns. */
static void *scratch(lua_State *L, plot_call *c, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) ms_lua_errorf(L, "%s: out of memory for %zu values", c->who, n);
    void *p = lua_newuserdatauv(L, n * size > 0 ? n * size : 1, 0);
    lua_rawseti(L, c->anchor, (lua_Integer)lua_rawlen(L, c->anchor) + 1);
    return p;
}

/* The sequence at idx as doubles. NaN marks a gap where nan_ok, otherwise it is an error. */
static double *numbers(lua_State *L, plot_call *c, int idx, const char *what, int nan_ok, size_t *n)
{
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx))
        ms_lua_errorf(L, "%s: %s must be a table of numbers, got %s", c->who, what, luaL_typename(L, idx));
    size_t len = (size_t)luaL_len(L, idx);
    double *v = scratch(L, c, len, sizeof *v);
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
static int sorted_keys(lua_State *L, plot_call *c, int idx, const char *fname)
{
    int n = ms_lua_sorted_keys(L, idx, fname);
    lua_pushvalue(L, -1);
    lua_rawseti(L, c->anchor, (lua_Integer)lua_rawlen(L, c->anchor) + 1);
    return n;
}

/* Field key of the table at idx: a string, or NULL when absent. */
static const char *field_string(lua_State *L, plot_call *c, int idx, const char *key, const char *what)
{
    int t = lua_getfield(L, idx, key);
    const char *s = t == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    if (t != LUA_TNIL && t != LUA_TSTRING)
        ms_lua_errorf(L, "%s: %s%s must be a string, got %s", c->who, what, key, luaL_typename(L, -1));
    lua_pop(L, 1); /* the string stays alive: its table holds it */
    return s;
}

/* A whole number in lo..hi at the stack top (hi = INT32_MAX: no upper bound worth naming). */
static lua_Integer whole(lua_State *L, plot_call *c, const char *what, lua_Integer lo, lua_Integer hi)
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

static double opt_finite(lua_State *L, plot_call *c, const char *key)
{
    double v = ms_lua_opt_number(L, 1, key, c->who, NAN, 0);
    if (isinf(v)) ms_lua_errorf(L, "%s: %s must be finite, got %g", c->who, key, v);
    return v;
}

/* width / height: absent = 0 (the default size); otherwise a positive whole number. */
static int opt_pixels(lua_State *L, plot_call *c, const char *key)
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
static int opt_bool(lua_State *L, plot_call *c, const char *key, int *given)
{
    int t = lua_getfield(L, 1, key);
    if (given) *given = t != LUA_TNIL;
    if (t != LUA_TNIL && t != LUA_TBOOLEAN)
        ms_lua_errorf(L, "%s: %s must be true or false, got %s", c->who, key, luaL_typename(L, -1));
    int v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

static void check_pair(lua_State *L, plot_call *c, const char *n0, double lo, const char *n1, double hi)
{
    if (!isnan(lo) && !isnan(hi) && !(hi > lo))
        ms_lua_errorf(L, "%s: %s (%g) must be greater than %s (%g)", c->who, n1, hi, n0, lo);
}

/* Reads every common option; check_options already refused the ones this plot does not take. */
static void read_common(lua_State *L, plot_call *c)
{
    ms_plot_opts *o = &c->o;
    c->file = field_string(L, c, 1, "file", "");
    if (!c->file) ms_lua_errorf(L, "%s: option 'file' (the PNG to write) is required", c->who);
    o->title = field_string(L, c, 1, "title", "");
    o->xlabel = field_string(L, c, 1, "xlabel", "");
    o->ylabel = field_string(L, c, 1, "ylabel", "");
    o->xunit = field_string(L, c, 1, "xunit", "");
    o->yunit = field_string(L, c, 1, "yunit", "");
    o->width_px = opt_pixels(L, c, "width");
    o->height_px = opt_pixels(L, c, "height");
    lua_getfield(L, 1, "dpi");
    int dpi_given = !lua_isnil(L, -1);
    lua_pop(L, 1);
    o->dpi_scale = ms_lua_opt_number(L, 1, "dpi", c->who, 0.0, 0);
    if (dpi_given && !(o->dpi_scale > 0.0 && o->dpi_scale <= MS_PLOT_MAX_DPI_SCALE))
        ms_lua_errorf(L, "%s: dpi must be in (0, %g] (1 = text and lines for 96 dpi), got %g", c->who,
             MS_PLOT_MAX_DPI_SCALE, o->dpi_scale);
    o->t0_s = opt_finite(L, c, "t0");
    o->t1_s = opt_finite(L, c, "t1");
    o->x_min = opt_finite(L, c, "xmin");
    o->x_max = opt_finite(L, c, "xmax");
    o->y_min = opt_finite(L, c, "ymin");
    o->y_max = opt_finite(L, c, "ymax");
    check_pair(L, c, "t0", o->t0_s, "t1", o->t1_s);
    check_pair(L, c, "xmin", o->x_min, "xmax", o->x_max);
    check_pair(L, c, "ymin", o->y_min, "ymax", o->y_max);
    c->t_given = !isnan(o->t0_s) || !isnan(o->t1_s);
    int logy_given, log_given;
    o->log_x = opt_bool(L, c, "logx", NULL);
    o->log_y = opt_bool(L, c, "logy", &logy_given);
    int log = opt_bool(L, c, "log", &log_given);
    if (logy_given && log_given)
        ms_lua_errorf(L, "%s: give 'logy' or its short name 'log', not both", c->who);
    o->log_y |= log;
    if (o->log_x && !isnan(o->x_min) && !(o->x_min > 0.0))
        ms_lua_errorf(L, "%s: a logarithmic x axis needs xmin > 0, got %g", c->who, o->x_min);
    if (o->log_y && !isnan(o->y_min) && !(o->y_min > 0.0))
        ms_lua_errorf(L, "%s: a logarithmic y axis needs ymin > 0, got %g", c->who, o->y_min);
}

/* Checks the call's shape and options; leaves the anchor table on the stack. */
static void begin(lua_State *L, plot_call *c, const char *who, const char *const *allowed, const char *example)
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
static void provenance(lua_State *L, plot_call *c, ms_net *const *nets, size_t n_nets)
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
static const char *output(lua_State *L, plot_call *c)
{
    const char *path = ms_lua_output_path(L, c->file, c->who);
    c->o.file = path;
    return path;
}

/* The end of every plot: an error at the script's line, or "wrote" and the path. */
static int done(lua_State *L, ms_status st, const ms_error *err, const char *path)
{
    if (st != MS_OK) return ms_lua_fail(L, err->msg);
    if (!ms_lua_get_settings(L)->quiet) fprintf(stderr, "memsnn: wrote %s\n", path);
    lua_pushstring(L, path);
    return 1;
}

/* ---- raster --------------------------------------------------------------------------------- */

/* A spike table { ids = {...}, times = {...}, n = , label = } (as from pop:spikes() or a CSV). */
static void spike_table(lua_State *L, plot_call *c, int e, size_t k, ms_raster_pop *rp)
{
    static const char *const keys[] = { "ids", "times", "n", "label", NULL };
    char where[WHAT_LEN], what[WHAT_LEN];
    snprintf(where, sizeof where, "%s: populations[%zu]", c->who, k + 1);
    ms_lua_check_options(L, e, where, keys);
    snprintf(what, sizeof what, "populations[%zu].", k + 1);
    rp->label = field_string(L, c, e, "label", what);
    const char *name = rp->label ? rp->label : "";
    lua_Integer n = 0;
    if (lua_getfield(L, e, "n") != LUA_TNIL) {
        snprintf(what, sizeof what, "populations[%zu].n", k + 1);
        n = whole(L, c, what, 1, INT32_MAX);
    }
    lua_pop(L, 1);
    int tt = lua_getfield(L, e, "times"), ti = lua_getfield(L, e, "ids");
    if (tt == LUA_TNIL || ti == LUA_TNIL)
        ms_lua_errorf(L, "%s: populations[%d] needs 'times' and 'ids' (1-based unit numbers), as pop:spikes() gives",
             c->who, (int)k + 1);
    if (tt != LUA_TTABLE || ti != LUA_TTABLE)
        ms_lua_errorf(L, "%s: populations[%d]: 'times' and 'ids' must be tables, got %s and %s", c->who, (int)k + 1,
             luaL_typename(L, -2), luaL_typename(L, -1));
    size_t nt = (size_t)luaL_len(L, -2), ni = (size_t)luaL_len(L, -1);
    if (nt != ni)
        ms_lua_errorf(L, "%s: populations[%d] ('%s'): %d spike times but %d ids", c->who, (int)k + 1, name, (int)nt, (int)ni);
    snprintf(what, sizeof what, "populations[%zu].times", k + 1);
    rp->t_s = numbers(L, c, -2, what, 0, &rp->n_times);
    int32_t *ids = scratch(L, c, ni, sizeof *ids);
    for (size_t i = 0; i < ni; i++) {
        lua_geti(L, -1, (lua_Integer)i + 1);
        snprintf(what, sizeof what, "populations[%zu].ids[%zu]", k + 1, i + 1);
        ids[i] = (int32_t)(whole(L, c, what, 1, n ? n : INT32_MAX) - 1);
        lua_pop(L, 1);
    }
    lua_pop(L, 2);
    rp->ids = ids;
    rp->n_ids = ni;
    rp->n_units = (int32_t)n;
}

/* memsnn.plot.raster{ file=, populations = { pop | spike table, ... }, rate=, bin=, t0=, t1=, ... } */
static int plot_raster(lua_State *L)
{
    static const char *const allowed[] = { COMMON_OPTIONS, "t0", "t1", "populations", "rate", "bin", NULL };
    plot_call c;
    begin(L, &c, "raster", allowed, "raster{ file = \"raster.png\", populations = { pop } }");
    int t = lua_getfield(L, 1, "populations");
    int list = lua_gettop(L);
    int single = luaL_testudata(L, list, MS_LUA_POPULATION) != NULL;
    if (t == LUA_TNIL)
        ms_lua_errorf(L, "raster: option 'populations' is required (a list of populations or spike tables)");
    if (!single && t != LUA_TTABLE)
        ms_lua_errorf(L, "raster: populations must be a list of populations or spike tables {ids=, times=}, got %s",
             luaL_typename(L, list));
    size_t n = single ? 1 : (size_t)luaL_len(L, list);
    if (n > MAX_POPS) ms_lua_errorf(L, "raster: %d populations, at most %d", (int)n, MAX_POPS);
    ms_raster_pop *rp = scratch(L, &c, n, sizeof *rp);
    ms_net *nets[MAX_POPS];
    size_t n_nets = 0;
    double t_end = 0.0;
    for (size_t k = 0; k < n; k++) {
        if (single) lua_pushvalue(L, list);
        else lua_geti(L, list, (lua_Integer)k + 1);
        int e = lua_gettop(L);
        memset(&rp[k], 0, sizeof rp[k]);
        if (luaL_testudata(L, e, MS_LUA_POPULATION)) {
            int pop;
            ms_net *net = ms_lua_check_pop(L, e, &pop);
            const size_t *ids;
            const double *times;
            size_t ns, units = ms_net_pop_size(net, pop);
            if (ms_net_spikes(net, pop, &ids, &times, &ns)) {
                const char *msg = ms_net_errmsg(net);
                if (strncmp(msg, "spikes: ", 8) == 0) msg += 8;
                ms_lua_errorf(L, "raster: populations[%d]: %s", (int)k + 1, msg);
            }
            if (units > INT32_MAX) ms_lua_errorf(L, "raster: populations[%d] has more than %d units", (int)k + 1, INT32_MAX);
            int32_t *id32 = scratch(L, &c, ns, sizeof *id32);
            for (size_t i = 0; i < ns; i++) id32[i] = (int32_t)ids[i];
            rp[k] = (ms_raster_pop){ ms_net_pop_label(net, pop), (int32_t)units, ns, times, ns, id32 };
            nets[n_nets++] = net;
            t_end = fmax(t_end, ms_net_time(net));
        } else if (lua_istable(L, e)) {
            spike_table(L, &c, e, k, &rp[k]);
        } else {
            ms_lua_errorf(L, "raster: populations[%d] must be a population or a spike table {ids=, times=}, got %s",
                 (int)k + 1, luaL_typename(L, e));
        }
        lua_settop(L, list);
    }
    /* Populations of a network that ran: show the whole run, not the span of its spikes. */
    if (!c.t_given && n_nets > 0 && t_end > 0.0) {
        c.o.t0_s = 0.0;
        c.o.t1_s = t_end;
    }
    int bin_given = 0;
    ms_raster_data d = { n, rp, opt_bool(L, &c, "rate", NULL), 0.0, 1 };
    lua_getfield(L, 1, "bin");
    bin_given = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (bin_given) {
        d.rate_bin_s = ms_lua_opt_number(L, 1, "bin", "raster", 0.0, 0);
        if (!(d.rate_bin_s > 0.0) || isinf(d.rate_bin_s))
            ms_lua_errorf(L, "raster: bin must be a positive, finite time in s, got %g", d.rate_bin_s);
        if (!d.rate) ms_lua_errorf(L, "raster: bin is the width of the rate strip's bins; add rate = true");
    }
    provenance(L, &c, nets, n_nets);
    const char *path = output(L, &c);
    ms_error err = { 0 };
    return done(L, ms_plot_raster(&d, &c.o, &err), &err, path);
}

/* ---- traces --------------------------------------------------------------------------------- */

/* memsnn.plot.traces{ file=, trace = tr | traces = { tr, ... }, ... } with tr from pop:trace(var):
 * { t = {...}, [1] = {...}, ..., ids = {...}, name = "v", unit = "V", label = "exc" }. */
static int plot_traces(lua_State *L)
{
    static const char *const allowed[] = { COMMON_OPTIONS, "t0", "t1", "ymin", "ymax", "logy", "log", "yunit",
                                           "trace", "traces", NULL };
    plot_call c;
    begin(L, &c, "traces", allowed, "traces{ file = \"v.png\", trace = pop:trace(\"v\") }");
    int has_one = lua_getfield(L, 1, "trace") != LUA_TNIL;
    int has_list = lua_getfield(L, 1, "traces") != LUA_TNIL;
    if (has_one && has_list) ms_lua_errorf(L, "traces: give 'trace' or 'traces', not both");
    if (!has_one && !has_list)
        ms_lua_errorf(L, "traces: option 'trace' (a table from pop:trace(var)) or 'traces' (a list of them) is required");
    int list;
    if (has_one) {
        lua_createtable(L, 1, 0);
        lua_pushvalue(L, -3);
        lua_rawseti(L, -2, 1);
    } else if (!lua_istable(L, -1)) {
        ms_lua_errorf(L, "traces: traces must be a list of tables from pop:trace(var), got %s", luaL_typename(L, -1));
    } else {
        lua_pushvalue(L, -1);
    }
    list = lua_gettop(L);
    size_t n_tr = (size_t)luaL_len(L, list), n_cols = 0;
    /* First pass: shapes, so the arrays are allocated once. */
    for (size_t k = 0; k < n_tr; k++) {
        if (lua_geti(L, list, (lua_Integer)k + 1) != LUA_TTABLE)
            ms_lua_errorf(L, "traces: trace %d must be a table from pop:trace(var), got %s", (int)k + 1, luaL_typename(L, -1));
        if (lua_getfield(L, -1, "t") != LUA_TTABLE)
            ms_lua_errorf(L, "traces: trace %d has no list of sample times 't' (expected a table from pop:trace(var))",
                 (int)k + 1);
        n_cols += (size_t)luaL_len(L, -2);
        lua_pop(L, 2);
    }
    ms_trace *tr = scratch(L, &c, n_cols, sizeof *tr);
    char *labels = scratch(L, &c, n_cols, LABEL_LEN);
    const double *t0 = NULL;
    size_t n_t = 0, col = 0;
    const char *name = NULL, *unit = NULL, *label0 = NULL;
    char what[WHAT_LEN], ylabel[WHAT_LEN] = "";
    for (size_t k = 0; k < n_tr; k++) {
        lua_geti(L, list, (lua_Integer)k + 1);
        int e = lua_gettop(L);
        snprintf(what, sizeof what, "trace %zu: ", k + 1);
        const char *lab = field_string(L, &c, e, "label", what);
        const char *nm = field_string(L, &c, e, "name", what);
        const char *un = field_string(L, &c, e, "unit", what);
        lua_getfield(L, e, "t");
        size_t nt;
        snprintf(what, sizeof what, "trace %zu: t", k + 1);
        const double *t = numbers(L, &c, -1, what, 0, &nt);
        lua_pop(L, 1);
        if (k == 0) {
            t0 = t, n_t = nt, name = nm, unit = un, label0 = lab;
        } else {
            int same = nt == n_t;
            for (size_t i = 0; same && i < nt; i++) same = t[i] == t0[i];
            if (!same)
                ms_lua_errorf(L, "traces: trace %d ('%s') is sampled at other times than trace 1 ('%s'); traces in one "
                     "plot need the same sample times (record them with the same 'every', from the same time)",
                     (int)k + 1, lab ? lab : "", label0 ? label0 : "");
            if (strcmp(un ? un : "", unit ? unit : "") != 0)
                ms_lua_errorf(L, "traces: trace %d ('%s') is in '%s' but trace 1 ('%s') in '%s'; one axes holds one unit",
                     (int)k + 1, lab ? lab : "", un ? un : "", label0 ? label0 : "", unit ? unit : "");
            if (nm && name && strcmp(nm, name) != 0 && !strstr(ylabel, nm))
                snprintf(ylabel + strlen(ylabel), sizeof ylabel - strlen(ylabel), ", %s", nm);
        }
        if (k == 0 && nm) snprintf(ylabel, sizeof ylabel, "%s", nm);
        int has_ids = lua_getfield(L, e, "ids") == LUA_TTABLE;
        int ids = lua_gettop(L);
        size_t m = (size_t)luaL_len(L, e);
        /* Hand-made traces name their columns: labels = { ... } one each, or label alone for
         * a table with one column and no ids; pop:trace() tables are named by unit. */
        int lt = lua_getfield(L, e, "labels");
        int names = lua_gettop(L);
        if (lt != LUA_TNIL && lt != LUA_TTABLE)
            ms_lua_errorf(L, "traces: trace %d: labels must be a list of strings (one per column), got %s", (int)k + 1,
                          luaL_typename(L, -1));
        if (lt == LUA_TTABLE && (size_t)luaL_len(L, names) != m)
            ms_lua_errorf(L, "traces: trace %d: labels has %d names but the trace has %d columns", (int)k + 1,
                          (int)luaL_len(L, names), (int)m);
        for (size_t j = 0; j < m; j++, col++) {
            lua_Integer id = (lua_Integer)j + 1;
            if (has_ids && lua_geti(L, ids, (lua_Integer)j + 1) == LUA_TNUMBER) id = lua_tointeger(L, -1);
            if (has_ids) lua_pop(L, 1);
            char *l = labels + col * LABEL_LEN;
            if (lt == LUA_TTABLE) {
                if (lua_geti(L, names, (lua_Integer)j + 1) != LUA_TSTRING)
                    ms_lua_errorf(L, "traces: trace %d: labels[%d] must be a string, got %s", (int)k + 1, (int)j + 1,
                                  luaL_typename(L, -1));
                snprintf(l, LABEL_LEN, "%s", lua_tostring(L, -1));
                lua_pop(L, 1);
            } else if (lab && !has_ids && m == 1) snprintf(l, LABEL_LEN, "%s", lab);
            else if (n_tr == 1) snprintf(l, LABEL_LEN, "unit %lld", (long long)id);
            else if (lab && nm) snprintf(l, LABEL_LEN, "%s %s %lld", lab, nm, (long long)id);
            else if (lab) snprintf(l, LABEL_LEN, "%s %lld", lab, (long long)id);
            else snprintf(l, LABEL_LEN, "trace %zu, unit %lld", k + 1, (long long)id);
            lua_geti(L, e, (lua_Integer)j + 1);
            snprintf(what, sizeof what, "trace %zu ('%s'), unit %lld", k + 1, lab ? lab : "", (long long)id);
            if (!lua_istable(L, -1))
                ms_lua_errorf(L, "traces: %s must be a table of values, got %s", what, luaL_typename(L, -1));
            size_t nv = (size_t)luaL_len(L, -1);
            if (nv != n_t)
                ms_lua_errorf(L, "traces: %s has %d values but there are %d sample times", what, (int)nv, (int)n_t);
            tr[col].label = l;
            tr[col].values = numbers(L, &c, -1, what, 1, &tr[col].n);
            lua_pop(L, 1);
        }
        lua_settop(L, list);
    }
    if (!c.o.ylabel && ylabel[0]) c.o.ylabel = ylabel;
    if (!c.o.yunit && unit && unit[0]) c.o.yunit = unit;
    ms_traces_data d = { n_t, t0, n_cols, tr };
    provenance(L, &c, NULL, 0);
    const char *path = output(L, &c);
    ms_error err = { 0 };
    return done(L, ms_plot_traces(&d, &c.o, &err), &err, path);
}

/* ---- power ---------------------------------------------------------------------------------- */

static int class_rank(const char *name)
{
    for (int r = 0; CLASS_ORDER[r]; r++)
        if (strcmp(CLASS_ORDER[r], name) == 0) return r;
    return (int)(sizeof CLASS_ORDER / sizeof CLASS_ORDER[0]);
}

static int class_cmp(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int rx = class_rank(x), ry = class_rank(y);
    return rx != ry ? rx - ry : strcmp(x, y);
}

/* Adds name to the class list unless it is there; the name's string must stay alive. */
static void add_class(lua_State *L, plot_call *c, const char **cls, size_t *nc, const char *name)
{
    for (size_t j = 0; j < *nc; j++)
        if (strcmp(cls[j], name) == 0) return;
    if (*nc == MAX_CLASSES) ms_lua_errorf(L, "%s: more than %d energy classes", c->who, MAX_CLASSES);
    cls[(*nc)++] = name;
}

/* The energy table of tallies[k] at e: by_class keys into cls; checks total against them.
 * Returns 1 when the tally has no classes but a total, drawn as the class "total". */
static int tally_classes(lua_State *L, plot_call *c, int e, size_t k, const char *label, const char **cls,
                          size_t *nc)
{
    int t = lua_getfield(L, e, "by_class");
    if (t != LUA_TNIL && t != LUA_TTABLE)
        ms_lua_errorf(L, "power: tallies[%d] ('%s'): by_class must be a table { class = J, ... }, got %s", (int)k + 1,
             label, luaL_typename(L, -1));
    double sum = 0.0;
    int any = 0, use_total = 0;
    if (t == LUA_TTABLE) {
        char what[WHAT_LEN];
        snprintf(what, sizeof what, "power: tallies[%zu].by_class", k + 1);
        int n = sorted_keys(L, c, -1, what);
        for (int j = 1; j <= n; j++) {
            lua_rawgeti(L, -1, j);
            const char *name = lua_tostring(L, -1);
            lua_pop(L, 1);
            if (lua_getfield(L, -2, name) != LUA_TNUMBER)
                ms_lua_errorf(L, "power: tallies[%d] ('%s'): by_class.%s must be a number (J), got %s", (int)k + 1, label,
                     name, luaL_typename(L, -1));
            double v = lua_tonumber(L, -1);
            if (isnan(v)) ms_lua_errorf(L, "power: tallies[%d] ('%s'): by_class.%s is NaN", (int)k + 1, label, name);
            add_class(L, c, cls, nc, name);
            sum += v;
            any = 1;
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    t = lua_getfield(L, e, "total");
    if (t != LUA_TNIL) {
        if (t != LUA_TNUMBER)
            ms_lua_errorf(L, "power: tallies[%d] ('%s'): total must be a number (J), got %s", (int)k + 1, label,
                 luaL_typename(L, -1));
        double total = lua_tonumber(L, -1);
        if (isnan(total)) ms_lua_errorf(L, "power: tallies[%d] ('%s'): total is NaN", (int)k + 1, label);
        if (!any) {
            add_class(L, c, cls, nc, "total");
            use_total = 1;
        } else if (!(fabs(total - sum) <= TOTAL_REL_TOL * fmax(fabs(total), fabs(sum))))
            ms_lua_errorf(L, "power: tallies[%d] ('%s'): total %g J is not the sum of by_class (%g J)", (int)k + 1, label,
                 total, sum);
    } else if (!any) {
        lua_getfield(L, e, "bins");
        if (lua_isnil(L, -1))
            ms_lua_errorf(L, "power: tallies[%d] ('%s'): the energy table has neither by_class, total nor bins", (int)k + 1,
                 label);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return use_total;
}

/* bins = { edges = {n+1 s}, energy = {n J} } or { edges =, by_class = { class = {n J}, ... } }. */
static void tally_bins(lua_State *L, plot_call *c, int e, size_t k, const char *label, ms_energy_tally *tl)
{
    static const char *const keys[] = { "edges", "energy", "by_class", NULL };
    int t = lua_getfield(L, e, "bins");
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    char what[WHAT_LEN];
    if (t != LUA_TTABLE)
        ms_lua_errorf(L, "power: tallies[%d] ('%s'): bins must be a table { edges =, energy = }, got %s", (int)k + 1, label,
             luaL_typename(L, -1));
    int b = lua_gettop(L);
    snprintf(what, sizeof what, "power: tallies[%zu].bins", k + 1);
    ms_lua_check_options(L, b, what, keys);
    snprintf(what, sizeof what, "tallies[%zu].bins.edges", k + 1);
    lua_getfield(L, b, "edges");
    if (lua_isnil(L, -1)) ms_lua_errorf(L, "power: tallies[%d] ('%s'): bins need 'edges' (s)", (int)k + 1, label);
    tl->edges_s = numbers(L, c, -1, what, 0, &tl->n_edges);
    lua_pop(L, 1);
    size_t nb = tl->n_edges ? tl->n_edges - 1 : 0;
    if (lua_getfield(L, b, "energy") != LUA_TNIL) {
        snprintf(what, sizeof what, "tallies[%zu].bins.energy", k + 1);
        tl->bin_J = numbers(L, c, -1, what, 0, &tl->n_bins);
        if (tl->n_bins + 1 != tl->n_edges)
            ms_lua_errorf(L, "power: tallies[%d] ('%s'): bins.edges has %d values, expected %d (one more than bins.energy)",
                 (int)k + 1, label, (int)tl->n_edges, (int)tl->n_bins + 1);
    } else if (lua_getfield(L, b, "by_class") == LUA_TTABLE) {
        double *sum = scratch(L, c, nb, sizeof *sum);
        for (size_t i = 0; i < nb; i++) sum[i] = 0.0;
        snprintf(what, sizeof what, "power: tallies[%zu].bins.by_class", k + 1);
        int n_cls = sorted_keys(L, c, -1, what);
        for (int j = 1; j <= n_cls; j++) {
            lua_rawgeti(L, -1, j);
            snprintf(what, sizeof what, "tallies[%zu].bins.by_class.%s", k + 1, lua_tostring(L, -1));
            lua_gettable(L, -3);
            size_t n;
            const double *v = numbers(L, c, -1, what, 0, &n);
            if (n != nb) ms_lua_errorf(L, "power: %s has %d values but bins.edges makes %d bins", what, (int)n, (int)nb);
            for (size_t i = 0; i < nb; i++) sum[i] += v[i];
            lua_pop(L, 1);
        }
        tl->bin_J = sum;
        tl->n_bins = nb;
        lua_pop(L, 1);
    } else {
        ms_lua_errorf(L, "power: tallies[%d] ('%s'): bins need 'energy' (J per bin) or 'by_class'", (int)k + 1, label);
    }
    lua_settop(L, b - 1);
}

/* memsnn.plot.power{ file=, tallies = { { "label", e }, ... }, classes=, log=, ... } with e an
 * energy table { total = J, by_class = { synapse = J, ... }, bins = { edges =, energy = } }. */
static int plot_power(lua_State *L)
{
    static const char *const allowed[] = { COMMON_OPTIONS, "t0", "t1", "ymin", "ymax", "logy", "log", "tallies",
                                           "classes", NULL };
    plot_call c;
    begin(L, &c, "power", allowed, "power{ file = \"power.png\", tallies = { { \"run 1\", net:energy() } } }");
    if (lua_getfield(L, 1, "tallies") != LUA_TTABLE)
        ms_lua_errorf(L, "power: option 'tallies' must be a list of { \"label\", energy table } pairs, got %s",
             luaL_typename(L, -1));
    int list = lua_gettop(L);
    size_t n = (size_t)luaL_len(L, list);
    if (n > MAX_TALLIES) ms_lua_errorf(L, "power: %d tallies, at most %d", (int)n, MAX_TALLIES);
    const char *cls[MAX_CLASSES], *labels[MAX_TALLIES];
    int use_total[MAX_TALLIES];
    size_t nc = 0;
    /* Classes named in `classes` come first, in that order; the others by CLASS_ORDER. */
    size_t n_fixed = 0;
    if (lua_getfield(L, 1, "classes") != LUA_TNIL) {
        if (!lua_istable(L, -1)) ms_lua_errorf(L, "power: classes must be a list of class names, got %s", luaL_typename(L, -1));
        for (lua_Integer j = 1; lua_geti(L, -1, j) != LUA_TNIL; j++) {
            if (lua_type(L, -1) != LUA_TSTRING)
                ms_lua_errorf(L, "power: classes[%d] must be a class name, got %s", (int)j, luaL_typename(L, -1));
            add_class(L, &c, cls, &nc, lua_tostring(L, -1));
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        n_fixed = nc;
    }
    lua_pop(L, 1);
    for (size_t k = 0; k < n; k++) {
        lua_geti(L, list, (lua_Integer)k + 1);
        if (!lua_istable(L, -1) || lua_geti(L, -1, 1) != LUA_TSTRING || lua_geti(L, -2, 2) != LUA_TTABLE)
            ms_lua_errorf(L, "power: tallies[%d] must be a pair { \"label\", energy table }, e.g. { \"run 1\", net:energy() }",
                 (int)k + 1);
        labels[k] = lua_tostring(L, -2);
        use_total[k] = tally_classes(L, &c, lua_gettop(L), k, labels[k], cls, &nc);
        lua_settop(L, list);
    }
    qsort(cls + n_fixed, nc - n_fixed, sizeof *cls, class_cmp);
    ms_energy_tally *tl = scratch(L, &c, n, sizeof *tl);
    double *energy = scratch(L, &c, n * nc, sizeof *energy);
    for (size_t k = 0; k < n; k++) {
        lua_geti(L, list, (lua_Integer)k + 1);
        lua_geti(L, -1, 2);
        int e = lua_gettop(L);
        double *ej = energy + k * nc;
        int has_classes = lua_getfield(L, e, "by_class") == LUA_TTABLE;
        for (size_t j = 0; j < nc; j++) {
            ej[j] = 0.0;
            if (has_classes && lua_getfield(L, -1, cls[j]) == LUA_TNUMBER) ej[j] = lua_tonumber(L, -1);
            if (has_classes) lua_pop(L, 1);
        }
        lua_pop(L, 1);
        if (lua_getfield(L, e, "total") == LUA_TNUMBER && use_total[k]) {
            for (size_t j = 0; j < nc; j++)
                if (strcmp(cls[j], "total") == 0) ej[j] = lua_tonumber(L, -1);
        }
        lua_pop(L, 1);
        tl[k] = (ms_energy_tally){ .label = labels[k], .n_classes = nc, .class_names = cls, .class_J = ej };
        tally_bins(L, &c, e, k, labels[k], &tl[k]);
        lua_settop(L, list);
    }
    ms_power_data d = { n, tl };
    provenance(L, &c, NULL, 0);
    const char *path = output(L, &c);
    ms_error err = { 0 };
    return done(L, ms_plot_power(&d, &c.o, &err), &err, path);
}

/* ---- iv and xy: curves of paired arrays ------------------------------------------------------ */

/* Reads keys xk, yk (and label) of the table at e into two arrays of equal length; NaN is a
 * gap. `where` names the curve in messages: "" for the top-level options, or "curves[2]". */
static void pair_arrays(lua_State *L, plot_call *c, int e, const char *where, const char *xk, const char *yk,
                        const double **x, const double **y, size_t *n, const char **label)
{
    char what[WHAT_LEN], pre[2 * WHAT_LEN];
    snprintf(what, sizeof what, "%s%s", where, where[0] ? "." : "");
    *label = field_string(L, c, e, "label", what);
    if (!where[0]) pre[0] = '\0';
    else if (*label) snprintf(pre, sizeof pre, "%s ('%s'): ", where, *label);
    else snprintf(pre, sizeof pre, "%s: ", where);
    int tx = lua_getfield(L, e, xk), ty = lua_getfield(L, e, yk);
    if (tx == LUA_TNIL || ty == LUA_TNIL)
        ms_lua_errorf(L, "%s: %s'%s' and '%s' are both required", c->who, pre, xk, yk);
    if (tx != LUA_TTABLE || ty != LUA_TTABLE)
        ms_lua_errorf(L, "%s: %s'%s' and '%s' must be tables of numbers, got %s and %s", c->who, pre, xk, yk,
             luaL_typename(L, -2), luaL_typename(L, -1));
    size_t nx = (size_t)luaL_len(L, -2), ny = (size_t)luaL_len(L, -1);
    if (nx != ny)
        ms_lua_errorf(L, "%s: %s%d %s values but %d %s values", c->who, pre, (int)nx, xk, (int)ny, yk);
    snprintf(what, sizeof what, "%s%s%s", where, where[0] ? "." : "", xk);
    *x = numbers(L, c, -2, what, 1, n);
    snprintf(what, sizeof what, "%s%s%s", where, where[0] ? "." : "", yk);
    *y = numbers(L, c, -1, what, 1, n);
    lua_pop(L, 2);
}

/* The curve list: key `list` ({ {x=, y=}, ... }) or one curve from the top-level keys `top`. */
static size_t curve_list(lua_State *L, plot_call *c, const char *list, const char *const *top, int *idx)
{
    int has_list = lua_getfield(L, 1, list) != LUA_TNIL;
    int has_top = 0;
    for (const char *const *k = top; *k; k++) {
        has_top |= lua_getfield(L, 1, *k) != LUA_TNIL;
        lua_pop(L, 1);
    }
    if (has_list && has_top)
        ms_lua_errorf(L, "%s: give %s and %s for one curve, or '%s', not both", c->who, top[0], top[1], list);
    if (!has_list && !has_top)
        ms_lua_errorf(L, "%s: options '%s' and '%s' (or '%s', a list of curves) are required", c->who, top[0], top[1], list);
    if (has_list && !lua_istable(L, -1))
        ms_lua_errorf(L, "%s: %s must be a list of tables, got %s", c->who, list, luaL_typename(L, -1));
    if (!has_list) lua_pushvalue(L, 1);
    *idx = lua_gettop(L);
    return has_list ? (size_t)luaL_len(L, -1) : 1;
}

/* memsnn.plot.iv{ file=, v=, i=, label= | curves = { {v=, i=, label=}, ... }, arrows=, log=, ... } */
/* Pushes entry k of a curve list (checking its keys; `where` becomes "curves[k]") or,
 * for the single-curve form without a list, the options table itself. */
static void push_curve(lua_State *L, int list, int has_list, size_t k, const char *plot, const char *name,
                       const char *shape, const char *const *keys, char *where)
{
    where[0] = '\0';
    if (!has_list) {
        lua_pushvalue(L, list);
        return;
    }
    snprintf(where, WHAT_LEN, "%s[%zu]", name, k + 1);
    if (lua_geti(L, list, (lua_Integer)k + 1) != LUA_TTABLE)
        ms_lua_errorf(L, "%s: %s[%d] must be a table %s, got %s", plot, name, (int)k + 1, shape, luaL_typename(L, -1));
    char w[WHAT_LEN];
    snprintf(w, sizeof w, "%s: %s[%zu]", plot, name, k + 1);
    ms_lua_check_options(L, -1, w, keys);
}

static int plot_iv(lua_State *L)
{
    static const char *const allowed[] = { COMMON_OPTIONS, "xmin", "xmax", "ymin", "ymax", "logy", "log", "v", "i",
                                           "label", "curves", "arrows", NULL };
    static const char *const top[] = { "v", "i", "label", NULL };
    static const char *const keys[] = { "v", "i", "label", NULL };
    plot_call c;
    begin(L, &c, "iv", allowed, "iv{ file = \"iv.png\", v = r.v, i = r.i }");
    int list;
    int has_list = lua_getfield(L, 1, "curves") != LUA_TNIL;
    lua_pop(L, 1);
    size_t n = curve_list(L, &c, "curves", top, &list);
    ms_iv_curve *cv = scratch(L, &c, n, sizeof *cv);
    for (size_t k = 0; k < n; k++) {
        char where[WHAT_LEN];
        push_curve(L, list, has_list, k, "iv", "curves", "{ v =, i =, label = }", keys, where);
        pair_arrays(L, &c, lua_gettop(L), where, "v", "i", &cv[k].v_V, &cv[k].i_A, &cv[k].n_v, &cv[k].label);
        cv[k].n_i = cv[k].n_v;
        lua_settop(L, list);
    }
    ms_iv_data d = { n, cv, 0 };
    if (lua_getfield(L, 1, "arrows") != LUA_TNIL) {
        if (lua_type(L, -1) != LUA_TNUMBER)
            ms_lua_errorf(L, "iv: arrows must be a number, got %s", luaL_typename(L, -1));
        int a = (int)whole(L, &c, "arrows", 0, MAX_ARROWS);
        d.arrows = a == 0 ? -1 : a;
    }
    lua_pop(L, 1);
    provenance(L, &c, NULL, 0);
    const char *path = output(L, &c);
    ms_error err = { 0 };
    return done(L, ms_plot_iv(&d, &c.o, &err), &err, path);
}

static ms_xy_style xy_style(lua_State *L, int e, const char *where)
{
    static const char *const names[] = { "lines", "points", "both" };
    static const ms_xy_style styles[] = { MS_XY_LINES, MS_XY_POINTS, MS_XY_LINES_POINTS };
    int t = lua_getfield(L, e, "style");
    const char *s = t == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1);
    for (int k = 0; k < 3; k++)
        if (t == LUA_TNIL || (t == LUA_TSTRING && strcmp(s, names[k]) == 0)) {
            lua_pop(L, 1);
            return styles[t == LUA_TNIL ? 0 : k];
        }
    ms_lua_errorf(L, "xy: %s%sunknown style '%s' (expected: lines, points, both)", where, where[0] ? ": " : "", s);
    return MS_XY_LINES;
}

/* memsnn.plot.xy{ file=, series = { {x=, y=, label=, style=}, ... } | x=, y=, label=, style=, ... } */
/* memsnn.plot.heatmap{ file=, values = {...} (rows x cols, row-major, row 1 at the top),
 * rows =, cols =, x = { x0, x1 }, y = { y0, y1 } (data edges), vmin, vmax, grey, vlabel,
 * xunit, yunit, ... } */
static int plot_heatmap(lua_State *L)
{
    static const char *const allowed[] = { COMMON_OPTIONS, "values", "rows", "cols", "x", "y", "vmin", "vmax", "grey",
                                           "vlabel", "xunit", "yunit", NULL };
    plot_call c;
    begin(L, &c, "heatmap", allowed, "heatmap{ file = \"map.png\", values = v, rows = 28, cols = 28 }");
    if (lua_getfield(L, 1, "rows") == LUA_TNIL) ms_lua_errorf(L, "heatmap: option 'rows' is required");
    size_t rows = (size_t)whole(L, &c, "rows", 1, INT32_MAX);
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "cols") == LUA_TNIL) ms_lua_errorf(L, "heatmap: option 'cols' is required");
    size_t cols = (size_t)whole(L, &c, "cols", 1, INT32_MAX);
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "values") == LUA_TNIL) ms_lua_errorf(L, "heatmap: option 'values' (rows x cols numbers) is required");
    size_t n;
    const double *v = numbers(L, &c, -1, "values", 1, &n);
    if (n != rows * cols)
        ms_lua_errorf(L, "heatmap: values has %d entries, expected %d (%d rows x %d cols)", (int)n, (int)(rows * cols),
                      (int)rows, (int)cols);
    double edges[2][2] = { { 0, (double)cols }, { 0, (double)rows } };
    const char *names[2] = { "x", "y" };
    for (int a = 0; a < 2; a++) {
        if (lua_getfield(L, 1, names[a]) != LUA_TNIL) {
            size_t ne;
            const double *e = numbers(L, &c, -1, names[a], 0, &ne);
            if (ne != 2) ms_lua_errorf(L, "heatmap: %s must be { first edge, last edge }, got %d values", names[a], (int)ne);
            edges[a][0] = e[0], edges[a][1] = e[1];
        }
        lua_pop(L, 1);
    }
    ms_heatmap_data d = { .n_rows = rows, .n_cols = cols, .values = v, .x0 = edges[0][0], .x1 = edges[0][1],
                          .y0 = edges[1][0], .y1 = edges[1][1], .v_min = opt_finite(L, &c, "vmin"),
                          .v_max = opt_finite(L, &c, "vmax"), .grey = opt_bool(L, &c, "grey", NULL),
                          .v_label = ms_lua_opt_string(L, 1, "vlabel", "heatmap", NULL) };
    check_pair(L, &c, "vmin", d.v_min, "vmax", d.v_max);
    provenance(L, &c, NULL, 0);
    const char *path = output(L, &c);
    ms_error err = { 0 };
    return done(L, ms_plot_heatmap(&d, &c.o, &err), &err, path);
}

static int plot_xy(lua_State *L)
{
    static const char *const allowed[] = { COMMON_OPTIONS, "xmin", "xmax", "ymin", "ymax", "logx", "logy", "log",
                                           "xunit", "yunit", "series", "x", "y", "label", "style", NULL };
    static const char *const top[] = { "x", "y", "label", "style", NULL };
    static const char *const keys[] = { "x", "y", "label", "style", NULL };
    plot_call c;
    begin(L, &c, "xy", allowed, "xy{ file = \"xy.png\", series = { { x = xs, y = ys, label = \"data\" } } }");
    int list;
    int has_list = lua_getfield(L, 1, "series") != LUA_TNIL;
    lua_pop(L, 1);
    size_t n = curve_list(L, &c, "series", top, &list);
    ms_xy_series *sr = scratch(L, &c, n, sizeof *sr);
    for (size_t k = 0; k < n; k++) {
        char where[WHAT_LEN];
        push_curve(L, list, has_list, k, "xy", "series", "{ x =, y =, label =, style = }", keys, where);
        int e = lua_gettop(L);
        pair_arrays(L, &c, e, where, "x", "y", &sr[k].x, &sr[k].y, &sr[k].n_x, &sr[k].label);
        sr[k].n_y = sr[k].n_x;
        sr[k].style = xy_style(L, e, where);
        lua_settop(L, list);
    }
    ms_xy_data d = { n, sr };
    provenance(L, &c, NULL, 0);
    const char *path = output(L, &c);
    ms_error err = { 0 };
    return done(L, ms_plot_xy(&d, &c.o, &err), &err, path);
}

int ms_lua_open_plot(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        { "raster", plot_raster },
        { "traces", plot_traces },
        { "heatmap", plot_heatmap },
        { "power", plot_power },
        { "iv", plot_iv },
        { "xy", plot_xy },
        { NULL, NULL },
    };
    luaL_newlib(L, funcs);
    return 1;
}

/* scripting/l_plot.c: memsnn.plot.raster and traces, and the table memsnn.plot. Every plot
 * reads its option table (common options as docs/plotting.md names them; l_plot_common.c),
 * gathers plain arrays from populations and Lua tables, fills the provenance from the run
 * settings, and lets viz/ draw and write the PNG. power is in l_plot_power.c, iv, heatmap and
 * xy in l_plot_curves.c.
 *
 * Everything the script gave is checked here first, with Lua names and 1-based indices, so a
 * mistake is a Lua error at the script's line and no file is touched; viz/ checks again, and
 * what only it refuses (infinite values, negative energies, too small an image) comes back as
 * its own message at the same line. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "scripting/l_objects.h"
#include "scripting/l_plot.h"
#include "scripting/l_plot_impl.h"
#include "scripting/l_util.h"
#include "viz/ms_plot.h"

#define MAX_POPS       64      /* bands of one raster (viz/raster.c)                       */

/* ---- raster --------------------------------------------------------------------------------- */

/* A spike table { ids = {...}, times = {...}, n = , label = } (as from pop:spikes() or a CSV). */
static void spike_table(lua_State *L, plot_call *c, int e, size_t k, ms_raster_pop *rp)
{
    static const char *const keys[] = { "ids", "times", "n", "label", NULL };
    char where[WHAT_LEN], what[WHAT_LEN];
    snprintf(where, sizeof where, "%s: populations[%zu]", c->who, k + 1);
    ms_lua_check_options(L, e, where, keys);
    snprintf(what, sizeof what, "populations[%zu].", k + 1);
    rp->label = msi_plot_field_string(L, c, e, "label", what);
    const char *name = rp->label ? rp->label : "";
    lua_Integer n = 0;
    if (lua_getfield(L, e, "n") != LUA_TNIL) {
        snprintf(what, sizeof what, "populations[%zu].n", k + 1);
        n = msi_plot_whole(L, c, what, 1, INT32_MAX);
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
    rp->t_s = msi_plot_numbers(L, c, -2, what, 0, &rp->n_times);
    int32_t *ids = msi_plot_scratch(L, c, ni, sizeof *ids);
    for (size_t i = 0; i < ni; i++) {
        lua_geti(L, -1, (lua_Integer)i + 1);
        snprintf(what, sizeof what, "populations[%zu].ids[%zu]", k + 1, i + 1);
        ids[i] = (int32_t)(msi_plot_whole(L, c, what, 1, n ? n : INT32_MAX) - 1);
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
    msi_plot_begin(L, &c, "raster", allowed, "raster{ file = \"raster.png\", populations = { pop } }");
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
    ms_raster_pop *rp = msi_plot_scratch(L, &c, n, sizeof *rp);
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
            int32_t *id32 = msi_plot_scratch(L, &c, ns, sizeof *id32);
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
    ms_raster_data d = { n, rp, msi_plot_opt_bool(L, &c, "rate", NULL), 0.0, 1 };
    lua_getfield(L, 1, "bin");
    bin_given = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (bin_given) {
        d.rate_bin_s = ms_lua_opt_number(L, 1, "bin", "raster", 0.0, 0);
        if (!(d.rate_bin_s > 0.0) || isinf(d.rate_bin_s))
            ms_lua_errorf(L, "raster: bin must be a positive, finite time in s, got %g", d.rate_bin_s);
        if (!d.rate) ms_lua_errorf(L, "raster: bin is the width of the rate strip's bins; add rate = true");
    }
    msi_plot_provenance(L, &c, nets, n_nets);
    const char *path = msi_plot_output(L, &c);
    ms_error err = { 0 };
    return msi_plot_done(L, ms_plot_raster(&d, &c.o, &err), &err, path);
}

/* ---- traces --------------------------------------------------------------------------------- */

/* memsnn.plot.traces{ file=, trace = tr | traces = { tr, ... }, ... } with tr from pop:trace(var):
 * { t = {...}, [1] = {...}, ..., ids = {...}, name = "v", unit = "V", label = "exc" }. */
static int plot_traces(lua_State *L)
{
    static const char *const allowed[] = { COMMON_OPTIONS, "t0", "t1", "ymin", "ymax", "logy", "log", "yunit",
                                           "trace", "traces", NULL };
    plot_call c;
    msi_plot_begin(L, &c, "traces", allowed, "traces{ file = \"v.png\", trace = pop:trace(\"v\") }");
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
    ms_trace *tr = msi_plot_scratch(L, &c, n_cols, sizeof *tr);
    char *labels = msi_plot_scratch(L, &c, n_cols, LABEL_LEN);
    const double *t0 = NULL;
    size_t n_t = 0, col = 0;
    const char *name = NULL, *unit = NULL, *label0 = NULL;
    char what[WHAT_LEN], ylabel[WHAT_LEN] = "";
    for (size_t k = 0; k < n_tr; k++) {
        lua_geti(L, list, (lua_Integer)k + 1);
        int e = lua_gettop(L);
        snprintf(what, sizeof what, "trace %zu: ", k + 1);
        const char *lab = msi_plot_field_string(L, &c, e, "label", what);
        const char *nm = msi_plot_field_string(L, &c, e, "name", what);
        const char *un = msi_plot_field_string(L, &c, e, "unit", what);
        lua_getfield(L, e, "t");
        size_t nt;
        snprintf(what, sizeof what, "trace %zu: t", k + 1);
        const double *t = msi_plot_numbers(L, &c, -1, what, 0, &nt);
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
            tr[col].values = msi_plot_numbers(L, &c, -1, what, 1, &tr[col].n);
            lua_pop(L, 1);
        }
        lua_settop(L, list);
    }
    if (!c.o.ylabel && ylabel[0]) c.o.ylabel = ylabel;
    if (!c.o.yunit && unit && unit[0]) c.o.yunit = unit;
    ms_traces_data d = { n_t, t0, n_cols, tr };
    msi_plot_provenance(L, &c, NULL, 0);
    const char *path = msi_plot_output(L, &c);
    ms_error err = { 0 };
    return msi_plot_done(L, ms_plot_traces(&d, &c.o, &err), &err, path);
}

int ms_lua_open_plot(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        { "raster", plot_raster },
        { "traces", plot_traces },
        { "heatmap", msi_plot_heatmap },
        { "power", msi_plot_power },
        { "iv", msi_plot_iv },
        { "xy", msi_plot_xy },
        { NULL, NULL },
    };
    luaL_newlib(L, funcs);
    return 1;
}

/* scripting/l_network.c: memsnn.network{...} and the network's methods: current, record,
 * run, time, window, stats; plus the model registry of the Lua state (docs/lua-api.md). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>

#include "core/ms_ode.h"
#include "neurons/ms_neurons.h"
#include "scripting/l_objects.h"
#include "scripting/l_util.h"
#include "scripting/rowfile.h"

/* ---- the registry of models, one per Lua state ------------------------------------------ */

static const char REGISTRY_KEY[] = "memsnn.Registry";

typedef struct registry_box {
    ms_registry *reg;
} registry_box;

static int registry_gc(lua_State *L)
{
    registry_box *b = lua_touserdata(L, 1);
    ms_registry_destroy(b->reg);
    b->reg = NULL;
    return 0;
}

const ms_registry *ms_lua_registry(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, REGISTRY_KEY);
    registry_box *b = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (b) return b->reg;
    b = lua_newuserdatauv(L, sizeof *b, 0);
    b->reg = NULL;
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, registry_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    ms_error e;
    if (ms_registry_create(&b->reg, &e) || ms_neurons_register(b->reg, &e)) luaL_error(L, "memsnn: %s", e.msg);
    lua_setfield(L, LUA_REGISTRYINDEX, REGISTRY_KEY);
    return b->reg;
}

/* ---- userdata access ----------------------------------------------------------------------- */

ms_net *ms_lua_check_net(lua_State *L, int idx)
{
    ms_lua_net *n = luaL_checkudata(L, idx, MS_LUA_NETWORK);
    if (!n->net) luaL_error(L, "network: this network has been closed");
    return n->net;
}

static ms_net *child_net(lua_State *L, int idx, const char *tname, int *id)
{
    ms_lua_child *c = luaL_checkudata(L, idx, tname);
    lua_getiuservalue(L, idx, 1);
    ms_net *net = ms_lua_check_net(L, -1);
    lua_pop(L, 1);
    *id = c->id;
    return net;
}

ms_net *ms_lua_check_pop(lua_State *L, int idx, int *pop) { return child_net(L, idx, MS_LUA_POPULATION, pop); }
ms_net *ms_lua_check_proj(lua_State *L, int idx, int *proj) { return child_net(L, idx, MS_LUA_PROJECTION, proj); }

static void push_child(lua_State *L, int net_idx, int id, const char *tname)
{
    net_idx = lua_absindex(L, net_idx);
    ms_lua_child *c = lua_newuserdatauv(L, sizeof *c, 1);
    c->id = id;
    lua_pushvalue(L, net_idx);
    lua_setiuservalue(L, -2, 1);
    luaL_setmetatable(L, tname);
}

void ms_lua_push_pop(lua_State *L, int net_idx, int pop) { push_child(L, net_idx, pop, MS_LUA_POPULATION); }
void ms_lua_push_proj(lua_State *L, int net_idx, int proj) { push_child(L, net_idx, proj, MS_LUA_PROJECTION); }

/* ---- memsnn.network{seed, method, rtol, atol, dt} ------------------------------------------ */

/* memory_limit (bytes) of the options at idx, and --memory-limit: the smaller one holds. */
static void network_limit(lua_State *L, int idx, ms_net_opts *o)
{
    double lim = ms_lua_opt_number(L, idx, "memory_limit", "network", 0, 0);
    if (lim < 0 || lim != floor(lim) || lim > 9.2e18)
        ms_lua_errorf(L, "network: memory_limit = %g bytes must be a whole number of bytes >= 0 (0: none), e.g. 4e9", lim);
    double cli = ms_lua_get_settings(L)->memory_limit;
    if (cli > 0 && (lim == 0 || cli < lim)) lim = cli;
    o->memory_limit = (size_t)lim;
}

int ms_lua_network_new(lua_State *L);
int ms_lua_network_new(lua_State *L)
{
    static const char *const allowed[] = { "seed", "method", "rtol", "atol", "dt", "threads", "max_steps", "memory_limit", "integrator", NULL };
    if (lua_isnoneornil(L, 1)) lua_newtable(L), lua_replace(L, 1);
    luaL_checktype(L, 1, LUA_TTABLE);
    ms_lua_check_options(L, 1, "network", allowed);
    ms_net_opts o;
    ms_net_opts_default(&o);
    double seed = ms_lua_opt_number(L, 1, "seed", "network", (double)MS_NET_SEED_DEFAULT, 0);
    if (seed < 0 || seed != floor(seed) || seed > 9007199254740992.0)
        ms_lua_errorf(L, "network: seed must be a whole number >= 0, got %g", seed);
    o.seed = (uint64_t)seed;
    ms_lua_settings *s = ms_lua_get_settings(L);
    if (s->seed_given) o.seed = s->seed;
    const char *method = ms_lua_opt_string(L, 1, "method", "network", NULL);
    if (method) {
        int m = ms_method_parse(method);
        if (m < 0) luaL_error(L, "network: unknown method '%s' (expected: exact, cvode, fixed)", method);
        o.method = (ms_method)m;
    }
    const char *integ = ms_lua_opt_string(L, 1, "integrator", "network", NULL);
    if (integ) {
        if (strcmp(integ, "bdf") == 0) o.integrator = MS_ODE_BDF;
        else if (strcmp(integ, "rosenbrock") == 0) o.integrator = MS_ODE_ROSENBROCK;
        else luaL_error(L, "network: unknown integrator '%s' (expected: bdf, rosenbrock)", integ);
    }
    o.rtol = ms_lua_opt_number(L, 1, "rtol", "network", o.rtol, 0);
    o.atol = ms_lua_opt_number(L, 1, "atol", "network", o.atol, 0);
    o.dt = ms_lua_opt_number(L, 1, "dt", "network", o.dt, 0);
    double threads = ms_lua_opt_number(L, 1, "threads", "network", 1, 0);
    if (threads < 0 || threads != floor(threads) || threads > 1024)
        ms_lua_errorf(L, "network: threads must be a whole number in 0..1024 (0: all cores), got %g", threads);
    o.threads = (int)threads;
    double max_steps = ms_lua_opt_number(L, 1, "max_steps", "network", (double)o.max_steps, 0);
    if (max_steps < 1 || max_steps != floor(max_steps) || max_steps > 1e15)
        ms_lua_errorf(L, "network: max_steps must be a whole number in 1..1e15 (CVODE steps per advance), got %g", max_steps);
    o.max_steps = (long)max_steps;
    network_limit(L, 1, &o);

    const ms_registry *reg = ms_lua_registry(L);
    ms_lua_net *n = lua_newuserdatauv(L, sizeof *n, 0);
    n->net = NULL; /* closed until created: a failure below leaves a harmless object */
    luaL_setmetatable(L, MS_LUA_NETWORK);
    ms_error e;
    if (ms_net_create(reg, &o, &n->net, &e)) return ms_lua_fail(L, e.msg);
    return 1;
}

static int net_gc(lua_State *L)
{
    ms_lua_net *n = luaL_checkudata(L, 1, MS_LUA_NETWORK);
    ms_net_destroy(n->net);
    n->net = NULL;
    return 0;
}

/* ---- net:current{target, ids, amplitude, start, stop} -------------------------------------- */

static int net_current(lua_State *L)
{
    static const char *const allowed[] = { "target", "ids", "amplitude", "start", "stop", NULL };
    ms_net *net = ms_lua_check_net(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    ms_lua_check_options(L, 2, "current", allowed);
    lua_getfield(L, 2, "target");
    if (lua_isnil(L, -1)) luaL_error(L, "current: option 'target' (a population) is required");
    int pop;
    ms_net *pnet = ms_lua_check_pop(L, -1, &pop);
    if (pnet != net) luaL_error(L, "current: the target population belongs to another network");
    size_t n = ms_net_pop_size(net, pop), n_ids = n;
    size_t *ids = NULL;
    if (lua_getfield(L, 2, "ids") != LUA_TNIL) ids = ms_lua_index_array(L, -1, n, &n_ids, "current", "ids");
    double amp = ms_lua_opt_number(L, 2, "amplitude", "current", 0, 1);
    double start = ms_lua_opt_number(L, 2, "start", "current", ms_net_time(net), 0);
    double stop = ms_lua_opt_number(L, 2, "stop", "current", INFINITY, 0);
    size_t *all = NULL;
    if (!ids) {
        all = lua_newuserdatauv(L, n * sizeof *all, 0);
        for (size_t i = 0; i < n; i++) all[i] = i;
    }
    if (ms_net_add_current(net, pop, ids ? ids : all, n_ids, amp, start, stop)) return ms_lua_fail(L, ms_net_errmsg(net));
    return 0;
}

/* ---- net:record(pop, "spikes" | var, {ids, every, file}) ------------------------------------ */

/* The `file` option: a recording streamed to a CSV or NPY file under --out, created now with
 * its header (scripting/rowfile.h). Leaves the full path on the stack. */
static ms_rowfile *open_stream(lua_State *L, const char *file, const char *header, size_t n_cols)
{
    if (ms_rowfile_format(file) < 0) luaL_error(L, "record: file = '%s' must end in .csv or .npy", file);
    const char *path = ms_lua_output_path(L, file, "record");
    ms_rowfile *rf;
    char msg[4400];
    if (ms_rowfile_open(&rf, path, header, n_cols, msg, sizeof msg)) ms_lua_errorf(L, "record: %s", msg);
    return rf;
}

/* Hands the open file to the network; a refusal removes the file the call created. */
static void start_stream(lua_State *L, ms_net *net, ms_rowfile *rf, int pop, int rec, int path_idx)
{
    ms_sink sink = { ms_rowfile_write, ms_rowfile_close, rf };
    ms_status st = rec >= 0 ? ms_net_stream_trace(net, rec, &sink) : ms_net_stream_spikes(net, pop, &sink);
    if (st) {
        unlink(lua_tostring(L, path_idx));
        ms_lua_fail(L, ms_net_errmsg(net));
    }
}

static const char *stream_file(lua_State *L, int idx, const char *const *allowed)
{
    if (lua_isnoneornil(L, idx)) return NULL;
    luaL_checktype(L, idx, LUA_TTABLE);
    ms_lua_check_options(L, idx, "record", allowed);
    return ms_lua_opt_string(L, idx, "file", "record", NULL);
}

static int net_record(lua_State *L)
{
    static const char *const allowed[] = { "ids", "every", "file", NULL };
    static const char *const spike_opts[] = { "file", NULL };
    ms_net *net = ms_lua_check_net(L, 1);
    int pop;
    if (ms_lua_check_pop(L, 2, &pop) != net) luaL_error(L, "record: the population belongs to another network");
    const char *what = luaL_checkstring(L, 3);
    if (strcmp(what, "spikes") == 0) {
        const char *file = stream_file(L, 4, spike_opts);
        ms_rowfile *rf = file ? open_stream(L, file, "t,id", 2) : NULL;
        int path_idx = lua_gettop(L);
        if (ms_net_record_spikes(net, pop)) {
            ms_rowfile_discard(rf);
            return ms_lua_fail(L, ms_net_errmsg(net));
        }
        if (rf) start_stream(L, net, rf, pop, -1, path_idx);
        return 0;
    }
    if (strcmp(what, "energy") == 0) {
        /* the ledger at every window's end: net:energy().by_population[label].bins */
        if (!lua_isnoneornil(L, 4)) luaL_error(L, "record: energy takes no options (it is read at every window's end)");
        if (ms_net_record_energy(net, pop)) return ms_lua_fail(L, ms_net_errmsg(net));
        return 0;
    }
    size_t n_ids = 0, *ids = NULL;
    double every = ms_net_options(net)->dt;
    const char *file = stream_file(L, 4, allowed);
    if (!lua_isnoneornil(L, 4)) {
        if (lua_getfield(L, 4, "ids") != LUA_TNIL)
            ids = ms_lua_index_array(L, -1, ms_net_pop_size(net, pop), &n_ids, "record", "ids");
        every = ms_lua_opt_number(L, 4, "every", "record", every, 0);
    }
    ms_rowfile *rf = NULL;
    int path_idx = 0;
    if (file) {
        /* header: t, then <var>_<unit> for each recorded unit (1-based), as write_csv names a trace */
        size_t n = ids ? n_ids : ms_net_pop_size(net, pop);
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        luaL_addstring(&b, "t");
        for (size_t c = 0; c < n; c++) {
            char col[64];
            snprintf(col, sizeof col, ",%s_%zu", what, (ids ? ids[c] : c) + 1);
            luaL_addstring(&b, col);
        }
        luaL_pushresult(&b);
        rf = open_stream(L, file, lua_tostring(L, -1), n + 1);
        path_idx = lua_gettop(L);
    }
    int rec;
    if (ms_net_record_state(net, pop, what, ids, n_ids, every, &rec)) {
        ms_rowfile_discard(rf);
        return ms_lua_fail(L, ms_net_errmsg(net));
    }
    if (rf) start_stream(L, net, rf, pop, rec, path_idx);
    return 0;
}

/* ---- net:run(duration), net:time(), net:window(), net:stats() ------------------------------ */

static int net_run(lua_State *L)
{
    ms_net *net = ms_lua_check_net(L, 1);
    double duration = luaL_checknumber(L, 2);
    if (!lua_isnoneornil(L, 3)) ms_lua_errorf(L, "run: takes one duration in seconds (did you mean net:run(%g)?)", duration);
    /* A duration <= 0 or NaN is refused by ms_net_run with its message; pass it on as is. */
    if (!(duration > 0)) {
        if (ms_net_run(net, duration)) return ms_lua_fail(L, ms_net_errmsg(net));
        return 0;
    }
    if (ms_lua_run_with_progress(L, net, duration, 0)) return ms_lua_fail(L, ms_net_errmsg(net));
    return 0;
}

static int net_run_until(lua_State *L)
{
    ms_net *net = ms_lua_check_net(L, 1);
    double t_end = luaL_checknumber(L, 2);
    if (!lua_isnoneornil(L, 3)) ms_lua_errorf(L, "run_until: takes one end time in seconds (did you mean net:run_until(%g)?)", t_end);
    if (!(t_end > ms_net_time(net)) || !isfinite(t_end)) {
        if (ms_net_run_until(net, t_end)) return ms_lua_fail(L, ms_net_errmsg(net));
        return 0;
    }
    if (ms_lua_run_with_progress(L, net, 0, t_end)) return ms_lua_fail(L, ms_net_errmsg(net));
    return 0;
}

static int net_time(lua_State *L)
{
    lua_pushnumber(L, ms_net_time(ms_lua_check_net(L, 1)));
    return 1;
}

static int net_window(lua_State *L)
{
    lua_pushnumber(L, ms_net_window(ms_lua_check_net(L, 1)));
    return 1;
}

static int net_stats(lua_State *L)
{
    ms_net_stats s;
    ms_net_get_stats(ms_lua_check_net(L, 1), &s);
    lua_createtable(L, 0, 6);
    lua_pushinteger(L, (lua_Integer)s.spikes), lua_setfield(L, -2, "spikes");
    lua_pushinteger(L, (lua_Integer)s.events), lua_setfield(L, -2, "events");
    lua_pushinteger(L, (lua_Integer)s.windows), lua_setfield(L, -2, "windows");
    lua_pushinteger(L, (lua_Integer)s.ode_steps), lua_setfield(L, -2, "ode_steps");
    lua_pushinteger(L, (lua_Integer)s.ode_rhs), lua_setfield(L, -2, "ode_rhs");
    lua_pushinteger(L, (lua_Integer)s.ode_reinits), lua_setfield(L, -2, "ode_reinits");
    return 1;
}

/* net:memory() -> bytes by part, and bytes per synapse of the synapse arrays. */
static int net_memory(lua_State *L)
{
    ms_net_memory m;
    ms_net_get_memory(ms_lua_check_net(L, 1), &m);
    lua_createtable(L, 0, 8);
    lua_pushinteger(L, (lua_Integer)m.synapses), lua_setfield(L, -2, "synapses");
    lua_pushinteger(L, (lua_Integer)m.n_synapses), lua_setfield(L, -2, "n_synapses");
    lua_pushinteger(L, (lua_Integer)m.units), lua_setfield(L, -2, "units");
    lua_pushinteger(L, (lua_Integer)m.solvers), lua_setfield(L, -2, "solvers");
    lua_pushinteger(L, (lua_Integer)m.inputs), lua_setfield(L, -2, "inputs");
    lua_pushinteger(L, (lua_Integer)m.recorders), lua_setfield(L, -2, "recorders");
    lua_pushinteger(L, (lua_Integer)(m.synapses + m.units + m.solvers + m.inputs + m.recorders)), lua_setfield(L, -2, "total");
    lua_pushnumber(L, m.n_synapses ? (double)m.synapses / (double)m.n_synapses : 0.0);
    lua_setfield(L, -2, "bytes_per_synapse");
    return 1;
}

static int net_tostring(lua_State *L)
{
    ms_lua_net *n = luaL_checkudata(L, 1, MS_LUA_NETWORK);
    if (!n->net) lua_pushstring(L, "memsnn.Network (closed)");
    else lua_pushfstring(L, "memsnn.Network (%d populations, %d projections, t = %f s)",
                         (int)ms_net_population_count(n->net), (int)ms_net_projection_count(n->net), ms_net_time(n->net));
    return 1;
}

void ms_lua_open_network(lua_State *L)
{
    static const luaL_Reg methods[] = {
        { "population", ms_lua_net_population },
        { "poisson", ms_lua_net_poisson },
        { "spike_source", ms_lua_net_spike_source },
        { "connect", ms_lua_net_connect },
        { "current", net_current },
        { "record", net_record },
        { "run", net_run },
        { "run_until", net_run_until },
        { "time", net_time },
        { "window", net_window },
        { "stats", net_stats },
        { "memory", net_memory },
        { "energy", ms_lua_net_energy },
        { NULL, NULL },
    };
    static const luaL_Reg meta[] = {
        { "__gc", net_gc },
        { "__close", net_gc },
        { "__tostring", net_tostring },
        { NULL, NULL },
    };
    luaL_newmetatable(L, MS_LUA_NETWORK);
    luaL_setfuncs(L, meta, 0);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}

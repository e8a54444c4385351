/* scripting/l_population.c: populations from Lua: net:population{...}, net:poisson{...},
 * net:spike_source{...}, and their methods (#pop, initialize, spikes, trace, get, label,
 * model, method) (docs/lua-api.md). */
#include <math.h>
#include <string.h>

#include <lauxlib.h>

#include "scripting/l_circuit.h"
#include "scripting/l_objects.h"
#include "scripting/l_util.h"

/* Sets every parameter in the table at idx; values are numbers, tables or functions. */
static void set_params(lua_State *L, ms_net *net, int pop, int idx, const char *fname)
{
    idx = lua_absindex(L, idx);
    size_t n = ms_net_pop_size(net, pop);
    double *v = lua_newuserdatauv(L, n * sizeof *v, 0);
    int nk = ms_lua_sorted_keys(L, idx, fname), keys = lua_gettop(L);
    for (int kk = 1; kk <= nk; kk++) {
        lua_rawgeti(L, keys, kk);
        const char *name = lua_tostring(L, -1);
        lua_getfield(L, idx, name);
        const ms_model *m = ms_net_pop_model(net, pop);
        if (ms_model_param_index(m, name) < 0) {
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            for (size_t k = 0; k < m->n_params; k++) {
                if (k) luaL_addstring(&b, ", ");
                luaL_addstring(&b, m->params[k].name);
            }
            luaL_pushresult(&b);
            luaL_error(L, "%s: model %s has no parameter '%s' (it has: %s)", fname, m->name, name, lua_tostring(L, -1));
        }
        ms_lua_unit_values(L, -1, n, v, fname, name);
        if (ms_net_set_param(net, pop, name, v, n)) ms_lua_fail(L, ms_net_errmsg(net));
        lua_pop(L, 2);
    }
    lua_pop(L, 2);
}

static size_t check_n(lua_State *L, int idx, const char *fname)
{
    int t = lua_getfield(L, idx, "n");
    if (t == LUA_TNIL) luaL_error(L, "%s: option 'n' (number of units) is required", fname);
    int isint = 0;
    lua_Integer n = lua_tointegerx(L, -1, &isint);
    if (!isint) luaL_error(L, "%s: n must be a whole number, got %s", fname, luaL_tolstring(L, -1, NULL));
    if (n <= 0) luaL_error(L, "%s: n must be >= 1, got %d", fname, (int)n);
    lua_pop(L, 1);
    return (size_t)n;
}

static int new_population(lua_State *L, ms_net *net, const char *model, size_t n, const char *label,
                          int method, const char *fname)
{
    int pop;
    if (ms_net_add_population(net, model, n, label, method, &pop)) return ms_lua_fail(L, ms_net_errmsg(net));
    (void)fname;
    return pop;
}

/* A population of a circuit: the circuit object at model_idx, or a built-in circuit by
 * name with its options in the table `circuit`. */
static int new_circuit_population(lua_State *L, ms_net *net, int model_idx, size_t n, const char *label,
                                  int method)
{
    char msg[512];
    ms_circuit *owned = NULL;
    const ms_circuit *c = ms_lua_test_circuit(L, model_idx);
    if (!c) {
        const char *name = lua_tostring(L, model_idx);
        int dendrites = strcmp(name, "dendritic_neuron") == 0;
        int t = lua_getfield(L, 2, "circuit");
        if (t != LUA_TNIL && t != LUA_TTABLE) luaL_error(L, "population: circuit must be a table of options");
        ms_dendritic_opts o;
        ms_lua_dendritic_options(L, t == LUA_TTABLE ? lua_gettop(L) : 0, dendrites, &o, name);
        lua_pop(L, 1);
        if (ms_circuit_dendritic(&o, &owned, msg, sizeof msg)) ms_lua_fail(L, msg);
        c = owned;
    }
    ms_model *m;
    int r = ms_circuit_compile(c, &m, msg, sizeof msg);
    ms_circuit_free(owned);
    if (r) ms_lua_fail(L, msg);
    int pop;
    if (ms_net_add_population_model(net, m, ms_circuit_model_free, n, label, method, &pop))
        ms_lua_fail(L, ms_net_errmsg(net));
    return pop;
}

int ms_lua_net_population(lua_State *L)
{
    static const char *const allowed[] = { "n", "model", "params", "label", "method", "variation", "circuit", NULL };
    ms_net *net = ms_lua_check_net(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    ms_lua_check_options(L, 2, "population", allowed);
    size_t n = check_n(L, 2, "population");
    const char *label = ms_lua_opt_string(L, 2, "label", "population", NULL);
    const char *method = ms_lua_opt_string(L, 2, "method", "population", NULL);
    int m = -1;
    if (method && (m = ms_method_parse(method)) < 0)
        luaL_error(L, "population: unknown method '%s' (expected: exact, cvode, fixed)", method);
    lua_getfield(L, 2, "model");
    int model_idx = lua_gettop(L);
    int pop;
    if (ms_lua_test_circuit(L, model_idx) ||
        (lua_type(L, model_idx) == LUA_TSTRING && (strcmp(lua_tostring(L, model_idx), "dendritic_neuron") == 0 ||
                                                   strcmp(lua_tostring(L, model_idx), "point_neuron") == 0))) {
        pop = new_circuit_population(L, net, model_idx, n, label, m);
    } else {
        if (lua_type(L, model_idx) != LUA_TSTRING)
            luaL_error(L, "population: option 'model' is required: a model name (memsnn.models() lists them) or a circuit");
        if (lua_getfield(L, 2, "circuit") != LUA_TNIL)
            luaL_error(L, "population: option 'circuit' belongs to model = \"dendritic_neuron\" or \"point_neuron\"");
        lua_pop(L, 1);
        pop = new_population(L, net, lua_tostring(L, model_idx), n, label, m, "population");
    }
    lua_pop(L, 1);
    if (lua_getfield(L, 2, "variation") != LUA_TNIL) {
        if (!lua_isboolean(L, -1)) luaL_error(L, "population: variation must be true or false");
        if (ms_net_set_variation(net, pop, lua_toboolean(L, -1))) ms_lua_fail(L, ms_net_errmsg(net));
    }
    lua_pop(L, 1);
    int t = lua_getfield(L, 2, "params");
    if (t == LUA_TTABLE) set_params(L, net, pop, -1, "population");
    else if (t != LUA_TNIL) luaL_error(L, "population: params must be a table, got %s", luaL_typename(L, -1));
    lua_pop(L, 1);
    if (ms_net_finish_population(net, pop)) return ms_lua_fail(L, ms_net_errmsg(net));
    ms_lua_push_pop(L, 1, pop);
    return 1;
}

int ms_lua_net_poisson(lua_State *L)
{
    static const char *const allowed[] = { "n", "rate", "start", "stop", "label", NULL };
    ms_net *net = ms_lua_check_net(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    ms_lua_check_options(L, 2, "poisson", allowed);
    size_t n = check_n(L, 2, "poisson");
    const char *label = ms_lua_opt_string(L, 2, "label", "poisson", "poisson");
    if (lua_getfield(L, 2, "rate") == LUA_TNIL) luaL_error(L, "poisson: option 'rate' (Hz) is required");
    lua_pop(L, 1);
    int pop = new_population(L, net, "poisson", n, label, -1, "poisson");
    double *v = lua_newuserdatauv(L, n * sizeof *v, 0);
    static const char *const keys[] = { "rate", "start", "stop" };
    for (int k = 0; k < 3; k++) {
        if (lua_getfield(L, 2, keys[k]) != LUA_TNIL) {
            ms_lua_unit_values(L, -1, n, v, "poisson", keys[k]);
            if (ms_net_set_param(net, pop, keys[k], v, n)) return ms_lua_fail(L, ms_net_errmsg(net));
        }
        lua_pop(L, 1);
    }
    if (ms_net_finish_population(net, pop)) return ms_lua_fail(L, ms_net_errmsg(net));
    ms_lua_push_pop(L, 1, pop);
    return 1;
}

int ms_lua_net_spike_source(lua_State *L)
{
    static const char *const allowed[] = { "times", "label", NULL };
    ms_net *net = ms_lua_check_net(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    ms_lua_check_options(L, 2, "spike_source", allowed);
    const char *label = ms_lua_opt_string(L, 2, "label", "spike_source", "spike_source");
    if (lua_getfield(L, 2, "times") != LUA_TTABLE)
        luaL_error(L, "spike_source: option 'times' must be a table with one list of spike times per source");
    int times = lua_gettop(L);
    size_t n = (size_t)luaL_len(L, times), total = 0;
    if (n == 0) luaL_error(L, "spike_source: 'times' lists no source (n must be >= 1)");
    for (size_t i = 1; i <= n; i++) {
        if (lua_geti(L, times, (lua_Integer)i) != LUA_TTABLE)
            luaL_error(L, "spike_source: times[%d] must be a list of times (use {} for a silent source)", (int)i);
        total += (size_t)luaL_len(L, -1);
        lua_pop(L, 1);
    }
    size_t *off = lua_newuserdatauv(L, (n + 1) * sizeof *off, 0);
    double *t = lua_newuserdatauv(L, (total ? total : 1) * sizeof *t, 0);
    off[0] = 0;
    for (size_t i = 1; i <= n; i++) {
        lua_geti(L, times, (lua_Integer)i);
        size_t m = (size_t)luaL_len(L, -1);
        for (size_t k = 1; k <= m; k++) {
            lua_geti(L, -1, (lua_Integer)k);
            if (lua_type(L, -1) != LUA_TNUMBER)
                luaL_error(L, "spike_source: times[%d][%d] must be a number, got %s", (int)i, (int)k, luaL_typename(L, -1));
            t[off[i - 1] + k - 1] = lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
        off[i] = off[i - 1] + m;
        lua_pop(L, 1);
    }
    int pop = new_population(L, net, "spike_source", n, label, -1, "spike_source");
    if (ms_net_set_spike_times(net, pop, off, t)) return ms_lua_fail(L, ms_net_errmsg(net));
    if (ms_net_finish_population(net, pop)) return ms_lua_fail(L, ms_net_errmsg(net));
    ms_lua_push_pop(L, 1, pop);
    return 1;
}

/* ---- methods ------------------------------------------------------------------------------ */

static int pop_len(lua_State *L)
{
    int pop;
    ms_net *net = ms_lua_check_pop(L, 1, &pop);
    lua_pushinteger(L, (lua_Integer)ms_net_pop_size(net, pop));
    return 1;
}

static int pop_label(lua_State *L)
{
    int pop;
    ms_net *net = ms_lua_check_pop(L, 1, &pop);
    lua_pushstring(L, ms_net_pop_label(net, pop));
    return 1;
}

static int pop_model(lua_State *L)
{
    int pop;
    ms_net *net = ms_lua_check_pop(L, 1, &pop);
    lua_pushstring(L, ms_net_pop_model(net, pop)->name);
    return 1;
}

static int pop_method(lua_State *L)
{
    int pop;
    ms_net *net = ms_lua_check_pop(L, 1, &pop);
    lua_pushstring(L, ms_method_name(ms_net_pop_method(net, pop)));
    return 1;
}

/* pop:initialize{ v = ..., g_exc = ... }: state variables by name. */
static int pop_initialize(lua_State *L)
{
    int pop;
    ms_net *net = ms_lua_check_pop(L, 1, &pop);
    luaL_checktype(L, 2, LUA_TTABLE);
    const ms_model *m = ms_net_pop_model(net, pop);
    size_t n = ms_net_pop_size(net, pop);
    double *v = lua_newuserdatauv(L, n * sizeof *v, 0);
    int nk = ms_lua_sorted_keys(L, 2, "initialize"), keys = lua_gettop(L);
    for (int kk = 1; kk <= nk; kk++) {
        lua_rawgeti(L, keys, kk);
        const char *name = lua_tostring(L, -1);
        lua_getfield(L, 2, name);
        if (ms_model_state_index(m, name) < 0) {
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            for (size_t k = 0; k < m->n_state; k++) {
                if (k) luaL_addstring(&b, ", ");
                luaL_addstring(&b, m->state[k].name);
            }
            luaL_pushresult(&b);
            luaL_error(L, "initialize: model %s has no state variable '%s' (it has: %s)", m->name, name, lua_tostring(L, -1));
        }
        ms_lua_unit_values(L, -1, n, v, "initialize", name);
        if (ms_net_set_state(net, pop, name, v, n)) return ms_lua_fail(L, ms_net_errmsg(net));
        lua_pop(L, 2);
    }
    return 0;
}

/* pop:get("v") -> the current value of a state variable (or a parameter) for each unit. */
/* pop:reset(): every unit back to its initial state (between stimuli). */
static int pop_reset(lua_State *L)
{
    int pop;
    ms_net *net = ms_lua_check_pop(L, 1, &pop);
    if (ms_net_reset_state(net, pop)) return ms_lua_fail(L, ms_net_errmsg(net));
    return 0;
}

static int pop_get(lua_State *L)
{
    int pop;
    ms_net *net = ms_lua_check_pop(L, 1, &pop);
    const char *name = luaL_checkstring(L, 2);
    size_t n = ms_net_pop_size(net, pop);
    double *v = lua_newuserdatauv(L, n * sizeof *v, 0);
    const ms_model *m = ms_net_pop_model(net, pop);
    ms_status st = ms_model_state_index(m, name) >= 0 ? ms_net_get_state(net, pop, name, v)
                                                      : ms_net_get_param(net, pop, name, v);
    if (st) return ms_lua_fail(L, ms_net_errmsg(net));
    ms_lua_push_doubles(L, v, n);
    return 1;
}

/* pop:spikes() -> { ids = {...}, times = {...} }, 1-based ids, sorted by time. */
static int pop_spikes(lua_State *L)
{
    int pop;
    ms_net *net = ms_lua_check_pop(L, 1, &pop);
    const size_t *ids;
    const double *times;
    size_t n;
    if (ms_net_spikes(net, pop, &ids, &times, &n)) return ms_lua_fail(L, ms_net_errmsg(net));
    /* pop:spikes{ t0 =, t1 = }: only those with t0 <= t < t1 (s), found by bisection, so a
     * script that reads each stimulus's spikes does not copy all earlier ones each time */
    size_t k0 = 0, k1 = n;
    if (!lua_isnoneornil(L, 2)) {
        static const char *const allowed[] = { "t0", "t1", NULL };
        luaL_checktype(L, 2, LUA_TTABLE);
        ms_lua_check_options(L, 2, "spikes", allowed);
        double t0 = ms_lua_opt_number(L, 2, "t0", "spikes", -INFINITY, 0);
        double t1 = ms_lua_opt_number(L, 2, "t1", "spikes", INFINITY, 0);
        size_t lo = 0, hi = n;
        while (lo < hi) { size_t mid = lo + (hi - lo) / 2; if (times[mid] < t0) lo = mid + 1; else hi = mid; }
        k0 = lo;
        hi = n;
        while (lo < hi) { size_t mid = lo + (hi - lo) / 2; if (times[mid] < t1) lo = mid + 1; else hi = mid; }
        k1 = lo;
    }
    lua_createtable(L, 0, 2);
    lua_createtable(L, (int)(k1 - k0), 0);
    for (size_t k = k0; k < k1; k++) {
        lua_pushinteger(L, (lua_Integer)ids[k] + 1);
        lua_rawseti(L, -2, (lua_Integer)(k - k0) + 1);
    }
    lua_setfield(L, -2, "ids");
    /* times is NULL when nothing was recorded, and NULL + 0 is undefined in C */
    ms_lua_push_doubles(L, k1 > k0 ? times + k0 : NULL, k1 - k0);
    lua_setfield(L, -2, "times");
    return 1;
}

/* pop:trace("v") -> { t = {...}, [1] = {...}, ..., ids = {...}, name = "v", unit = "V" }. */
static int pop_trace(lua_State *L)
{
    int pop;
    ms_net *net = ms_lua_check_pop(L, 1, &pop);
    const char *var = luaL_checkstring(L, 2);
    int rec = ms_net_find_trace(net, pop, var);
    if (rec < 0)
        luaL_error(L, "trace: '%s' of '%s' is not recorded (call net:record(pop, \"%s\") before run)", var,
                   ms_net_pop_label(net, pop), var);
    const double *t, *v;
    const size_t *ids;
    size_t ns, nc;
    if (ms_net_trace(net, rec, &t, &v, &ns, &ids, &nc)) return ms_lua_fail(L, ms_net_errmsg(net));
    lua_createtable(L, (int)nc, 5);
    ms_lua_push_doubles(L, t, ns);
    lua_setfield(L, -2, "t");
    for (size_t c = 0; c < nc; c++) {
        lua_createtable(L, (int)ns, 0);
        for (size_t s = 0; s < ns; s++) {
            lua_pushnumber(L, v[s * nc + c]);
            lua_rawseti(L, -2, (lua_Integer)s + 1);
        }
        lua_rawseti(L, -2, (lua_Integer)c + 1);
    }
    lua_createtable(L, (int)nc, 0);
    for (size_t c = 0; c < nc; c++) {
        lua_pushinteger(L, (lua_Integer)ids[c] + 1);
        lua_rawseti(L, -2, (lua_Integer)c + 1);
    }
    lua_setfield(L, -2, "ids");
    const ms_model *m = ms_net_pop_model(net, pop);
    int si = ms_model_state_index(m, var);
    const ms_state_spec *s = NULL;
    if (si >= 0) s = &m->state[si];
    for (size_t o = 0; !s && o < m->n_obs; o++)
        if (strcmp(m->obs[o].name, var) == 0) s = &m->obs[o]; /* an observable (current, power) */
    if (!s) return luaL_error(L, "trace: '%s' is not recorded", var);
    lua_pushstring(L, s->name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, s->unit);
    lua_setfield(L, -2, "unit");
    lua_pushstring(L, ms_net_pop_label(net, pop));
    lua_setfield(L, -2, "label");
    return 1;
}

static int pop_tostring(lua_State *L)
{
    int pop;
    ms_net *net = ms_lua_check_pop(L, 1, &pop);
    lua_pushfstring(L, "memsnn.Population '%s' (%d x %s, %s)", ms_net_pop_label(net, pop), (int)ms_net_pop_size(net, pop),
                    ms_net_pop_model(net, pop)->name, ms_method_name(ms_net_pop_method(net, pop)));
    return 1;
}

void ms_lua_open_population(lua_State *L)
{
    static const luaL_Reg methods[] = {
        { "initialize", pop_initialize },
        { "reset", pop_reset },
        { "spikes", pop_spikes },
        { "trace", pop_trace },
        { "get", pop_get },
        { "label", pop_label },
        { "model", pop_model },
        { "method", pop_method },
        { "size", pop_len },
        { NULL, NULL },
    };
    static const luaL_Reg meta[] = {
        { "__len", pop_len },
        { "__tostring", pop_tostring },
        { NULL, NULL },
    };
    luaL_newmetatable(L, MS_LUA_POPULATION);
    luaL_setfuncs(L, meta, 0);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}

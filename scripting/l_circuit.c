/* scripting/l_circuit.c: neuron circuits from Lua: memsnn.circuit{...} (the general circuit
 * language), memsnn.dendritic_neuron{...} and memsnn.point_neuron{...} (the built-in
 * circuits), each a "memsnn.circuit" object that net:population{model = c} compiles
 * (docs/circuits.md, docs/lua-api.md). */
#include <string.h>

#include <lauxlib.h>

#include "neurons/ms_circuit.h"
#include "scripting/l_circuit.h"
#include "scripting/l_util.h"

#define CIRCUIT_MT "memsnn.circuit"

typedef struct circuit_box {
    ms_circuit *c;
} circuit_box;

static int circuit_gc(lua_State *L)
{
    circuit_box *b = luaL_checkudata(L, 1, CIRCUIT_MT);
    ms_circuit_free(b->c);
    b->c = NULL;
    return 0;
}

static int circuit_tostring(lua_State *L)
{
    circuit_box *b = luaL_checkudata(L, 1, CIRCUIT_MT);
    lua_pushfstring(L, "memsnn.circuit(%s)", b->c ? ms_circuit_name(b->c) : "?");
    return 1;
}

/* Its parameters, states and observables: what params, initialize and record accept. */
static int circuit_names(lua_State *L)
{
    const ms_circuit *c = ms_lua_check_circuit(L, 1);
    ms_model *m;
    char msg[512];
    if (ms_circuit_compile(c, &m, msg, sizeof msg)) return ms_lua_fail(L, msg);
    lua_createtable(L, 0, 4);
    lua_createtable(L, (int)m->n_params, 0);
    for (size_t k = 0; k < m->n_params; k++) lua_pushstring(L, m->params[k].name), lua_rawseti(L, -2, (lua_Integer)k + 1);
    lua_setfield(L, -2, "params");
    lua_createtable(L, (int)m->n_state, 0);
    for (size_t k = 0; k < m->n_state; k++) lua_pushstring(L, m->state[k].name), lua_rawseti(L, -2, (lua_Integer)k + 1);
    lua_setfield(L, -2, "state");
    lua_createtable(L, (int)m->n_obs, 0);
    for (size_t k = 0; k < m->n_obs; k++) lua_pushstring(L, m->obs[k].name), lua_rawseti(L, -2, (lua_Integer)k + 1);
    lua_setfield(L, -2, "observables");
    lua_createtable(L, (int)m->n_ports, 0);
    for (size_t k = 0; k < m->n_ports; k++) lua_pushstring(L, m->ports[k]), lua_rawseti(L, -2, (lua_Integer)k + 1);
    lua_setfield(L, -2, "ports");
    ms_circuit_model_free(m);
    return 1;
}

const ms_circuit *ms_lua_check_circuit(lua_State *L, int idx)
{
    circuit_box *b = luaL_checkudata(L, idx, CIRCUIT_MT);
    if (!b->c) luaL_error(L, "circuit: object is closed");
    return b->c;
}

const ms_circuit *ms_lua_test_circuit(lua_State *L, int idx)
{
    circuit_box *b = luaL_testudata(L, idx, CIRCUIT_MT);
    return b ? b->c : NULL;
}

/* A new circuit object on the stack, owning c. */
static circuit_box *push_box(lua_State *L)
{
    circuit_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->c = NULL;
    luaL_setmetatable(L, CIRCUIT_MT);
    return b;
}

/* Field k of a part entry: positional [pos] or by name. */
static int part_field(lua_State *L, int entry, int pos, const char *key)
{
    if (lua_geti(L, entry, pos) != LUA_TNIL) return lua_type(L, -1);
    lua_pop(L, 1);
    return lua_getfield(L, entry, key);
}

static const char *part_string(lua_State *L, int entry, int pos, const char *key, const char *what, int k,
                               int required)
{
    int t = part_field(L, entry, pos, key);
    if (t == LUA_TNIL && !required) {
        lua_pop(L, 1);
        return NULL;
    }
    if (t != LUA_TSTRING) luaL_error(L, "circuit: %s[%d]: '%s' (position %d) must be a string", what, k, key, pos);
    const char *s = lua_tostring(L, -1);
    lua_pop(L, 1); /* the entry table keeps the string alive */
    return s;
}

static double part_number(lua_State *L, int entry, int pos, const char *key, const char *what, int k)
{
    if (part_field(L, entry, pos, key) != LUA_TNUMBER)
        luaL_error(L, "circuit: %s[%d]: '%s' (position %d) must be a number", what, k, key, pos);
    double v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return v;
}

/* Walks the list field `what` of the description at idx, calling add for each entry. */
typedef int (*add_fn)(lua_State *L, ms_circuit *c, int entry, int k, char *msg, size_t len);

static void each_part(lua_State *L, ms_circuit *c, int idx, const char *what, add_fn add)
{
    int t = lua_getfield(L, idx, what);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    if (t != LUA_TTABLE) luaL_error(L, "circuit: '%s' must be a list of tables", what);
    int list = lua_gettop(L);
    lua_Integer n = luaL_len(L, list);
    char msg[512];
    for (lua_Integer k = 1; k <= n; k++) {
        if (lua_geti(L, list, k) != LUA_TTABLE) luaL_error(L, "circuit: %s[%d] must be a table", what, (int)k);
        if (add(L, c, lua_gettop(L), (int)k, msg, sizeof msg)) ms_lua_fail(L, msg);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

static int add_device(lua_State *L, ms_circuit *c, int e, int k, char *msg, size_t len)
{
    const char *name = part_string(L, e, 1, "name", "devices", k, 1);
    const char *cls = part_string(L, e, 2, "class", "devices", k, 1);
    const char *a = part_string(L, e, 3, "from", "devices", k, 1);
    const char *b = part_string(L, e, 4, "to", "devices", k, 1);
    const char *names[64];
    double values[64];
    size_t n = 0;
    int t = lua_getfield(L, e, "params");
    if (t == LUA_TTABLE) {
        int pt = lua_gettop(L);
        int nk = ms_lua_sorted_keys(L, pt, "circuit"), keys = lua_gettop(L);
        if (nk > 64) luaL_error(L, "circuit: devices[%d]: too many parameters", k);
        for (int i = 1; i <= nk; i++) {
            lua_rawgeti(L, keys, i);
            names[n] = lua_tostring(L, -1);
            lua_getfield(L, pt, names[n]);
            if (lua_type(L, -1) != LUA_TNUMBER)
                luaL_error(L, "circuit: devices[%d] '%s': parameter %s must be a number", k, name, names[n]);
            values[n++] = lua_tonumber(L, -1);
            lua_pop(L, 2); /* names stay alive in the keys table until it is popped below */
        }
        int r = ms_circuit_add_device(c, name, cls, a, b, names, values, n, msg, len);
        lua_pop(L, 2);
        return r;
    }
    if (t != LUA_TNIL) luaL_error(L, "circuit: devices[%d]: params must be a table", k);
    lua_pop(L, 1);
    return ms_circuit_add_device(c, name, cls, a, b, NULL, NULL, 0, msg, len);
}

static int add_resistor(lua_State *L, ms_circuit *c, int e, int k, char *msg, size_t len)
{
    const char *name = part_string(L, e, 1, "name", "resistors", k, 1);
    const char *a = part_string(L, e, 2, "from", "resistors", k, 1);
    const char *b = part_string(L, e, 3, "to", "resistors", k, 1);
    return ms_circuit_add_resistor(c, name, a, b, part_number(L, e, 4, "R", "resistors", k), msg, len);
}

static int add_capacitor(lua_State *L, ms_circuit *c, int e, int k, char *msg, size_t len)
{
    const char *name = part_string(L, e, 1, "name", "capacitors", k, 1);
    const char *a = part_string(L, e, 2, "from", "capacitors", k, 1);
    const char *b = part_string(L, e, 3, "to", "capacitors", k, 1);
    return ms_circuit_add_capacitor(c, name, a, b, part_number(L, e, 4, "C", "capacitors", k), msg, len);
}

static int add_current(lua_State *L, ms_circuit *c, int e, int k, char *msg, size_t len)
{
    const char *name = part_string(L, e, 1, "name", "currents", k, 1);
    const char *node = part_string(L, e, 2, "node", "currents", k, 1);
    return ms_circuit_add_current(c, name, node, part_number(L, e, 3, "I", "currents", k), msg, len);
}

static int add_port(lua_State *L, ms_circuit *c, int e, int k, char *msg, size_t len)
{
    const char *name = part_string(L, e, 1, "name", "ports", k, 1);
    const char *node = part_string(L, e, 2, "node", "ports", k, 1);
    return ms_circuit_add_port(c, name, node, msg, len);
}

/* memsnn.circuit{ name, nodes, fixed, devices, resistors, capacitors, currents, ports,
 * spike, C_par } */
static int l_circuit(lua_State *L)
{
    static const char *const allowed[] = { "name", "nodes", "fixed", "devices", "resistors", "capacitors",
                                           "currents", "ports", "spike", "C_par", NULL };
    luaL_checktype(L, 1, LUA_TTABLE);
    ms_lua_check_options(L, 1, "circuit", allowed);
    const char *name = ms_lua_opt_string(L, 1, "name", "circuit", "circuit");
    circuit_box *b = push_box(L);
    if (!(b->c = ms_circuit_new(name))) luaL_error(L, "circuit: out of memory");
    ms_circuit *c = b->c;
    char msg[512];
    /* free nodes: a list of names */
    if (lua_getfield(L, 1, "nodes") != LUA_TTABLE) luaL_error(L, "circuit: 'nodes' must be a list of node names");
    lua_Integer nn = luaL_len(L, -1);
    for (lua_Integer k = 1; k <= nn; k++) {
        if (lua_geti(L, -1, k) != LUA_TSTRING) luaL_error(L, "circuit: nodes[%d] must be a string", (int)k);
        if (ms_circuit_add_node(c, lua_tostring(L, -1), msg, sizeof msg)) ms_lua_fail(L, msg);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    /* fixed nodes: name -> voltage */
    int t = lua_getfield(L, 1, "fixed");
    if (t == LUA_TTABLE) {
        int ft = lua_gettop(L);
        int nk = ms_lua_sorted_keys(L, ft, "circuit"), keys = lua_gettop(L);
        for (int k = 1; k <= nk; k++) {
            lua_rawgeti(L, keys, k);
            const char *fname = lua_tostring(L, -1);
            lua_getfield(L, ft, fname);
            if (lua_type(L, -1) != LUA_TNUMBER) luaL_error(L, "circuit: fixed node '%s' needs a voltage (a number)", fname);
            if (ms_circuit_add_fixed(c, fname, lua_tonumber(L, -1), msg, sizeof msg)) ms_lua_fail(L, msg);
            lua_pop(L, 2);
        }
        lua_pop(L, 1);
    } else if (t != LUA_TNIL) {
        luaL_error(L, "circuit: 'fixed' must be a table of node name = voltage");
    }
    lua_pop(L, 1);
    each_part(L, c, 1, "devices", add_device);
    each_part(L, c, 1, "resistors", add_resistor);
    each_part(L, c, 1, "capacitors", add_capacitor);
    each_part(L, c, 1, "currents", add_current);
    each_part(L, c, 1, "ports", add_port);
    const char *spike = ms_lua_opt_string(L, 1, "spike", "circuit", NULL);
    if (spike && ms_circuit_set_spike(c, spike, msg, sizeof msg)) ms_lua_fail(L, msg);
    if (lua_getfield(L, 1, "C_par") != LUA_TNIL) {
        if (ms_circuit_set_c_par(c, luaL_checknumber(L, -1), msg, sizeof msg)) ms_lua_fail(L, msg);
    }
    lua_pop(L, 1);
    /* Compile once now, so every error shows at this line and not at population time. */
    ms_model *m;
    if (ms_circuit_compile(c, &m, msg, sizeof msg)) ms_lua_fail(L, msg);
    ms_circuit_model_free(m);
    return 1;
}

void ms_lua_dendritic_options(lua_State *L, int idx, int dendrites, ms_dendritic_opts *o, const char *fname)
{
    ms_dendritic_opts_default(o);
    o->dendrites = dendrites;
    if (idx == 0) return;
    o->branches = (int)ms_lua_opt_number(L, idx, "branches", fname, o->branches, 0);
    if ((double)o->branches != ms_lua_opt_number(L, idx, "branches", fname, o->branches, 0))
        luaL_error(L, "%s: branches must be a whole number", fname);
    o->soma = ms_lua_opt_string(L, idx, "soma", fname, o->soma);
    if (dendrites) {
        o->dendrite = ms_lua_opt_string(L, idx, "dendrite", fname, o->dendrite);
        o->r_branch_ohm = ms_lua_opt_number(L, idx, "R_branch", fname, o->r_branch_ohm, 0);
    }
}

static int builtin(lua_State *L, int dendrites)
{
    static const char *const allowed_d[] = { "branches", "dendrite", "soma", "R_branch", NULL };
    static const char *const allowed_p[] = { "branches", "soma", NULL };
    const char *fname = dendrites ? "dendritic_neuron" : "point_neuron";
    int idx = 0;
    if (!lua_isnoneornil(L, 1)) {
        luaL_checktype(L, 1, LUA_TTABLE);
        ms_lua_check_options(L, 1, fname, dendrites ? allowed_d : allowed_p);
        idx = 1;
    }
    ms_dendritic_opts o;
    ms_lua_dendritic_options(L, idx, dendrites, &o, fname);
    circuit_box *b = push_box(L);
    char msg[512];
    if (ms_circuit_dendritic(&o, &b->c, msg, sizeof msg)) ms_lua_fail(L, msg);
    return 1;
}

static int l_dendritic(lua_State *L) { return builtin(L, 1); }
static int l_point(lua_State *L) { return builtin(L, 0); }

void ms_lua_open_circuit(lua_State *L)
{
    static const luaL_Reg methods[] = { { "names", circuit_names }, { NULL, NULL } };
    if (luaL_newmetatable(L, CIRCUIT_MT)) {
        lua_pushcfunction(L, circuit_gc), lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, circuit_tostring), lua_setfield(L, -2, "__tostring");
        luaL_newlib(L, methods), lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    lua_pushcfunction(L, l_circuit), lua_setfield(L, -2, "circuit");
    lua_pushcfunction(L, l_dendritic), lua_setfield(L, -2, "dendritic_neuron");
    lua_pushcfunction(L, l_point), lua_setfield(L, -2, "point_neuron");
}

/* scripting/l_projection.c: net:connect(pre, post, {...}) and the projection's methods
 * (#prj, weights, delays, connections) (docs/lua-api.md). */
#include <math.h>
#include <string.h>

#include <lauxlib.h>

#include "scripting/l_crossbar.h"
#include "scripting/l_objects.h"
#include "scripting/l_proj_learn.h"
#include "scripting/l_util.h"

/* A weight or delay given as function(i, j): called from the core's connect loop, so it
 * runs under lua_pcall and a Lua error never unwinds through core frames. */
typedef struct fn_ctx {
    lua_State *L;
    int fn;            /* stack index of the function                                  */
    const char *what;
    int failed;
} fn_ctx;

static int call_value_fn(void *ud, size_t i, size_t j, double *out)
{
    fn_ctx *c = ud;
    lua_State *L = c->L;
    lua_pushvalue(L, c->fn);
    lua_pushinteger(L, (lua_Integer)i + 1);
    lua_pushinteger(L, (lua_Integer)j + 1);
    if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
        c->failed = 1; /* the error message stays on the stack */
        return -1;
    }
    if (lua_type(L, -1) != LUA_TNUMBER) {
        lua_pushfstring(L, "connect: the %s function returned %s for (%d, %d), expected a number", c->what,
                        luaL_typename(L, -1), (int)i + 1, (int)j + 1);
        c->failed = 1;
        return -1;
    }
    *out = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return 0;
}

/* Reads weight or delay (field `what` of the options at idx). Tables are matrices of
 * n_pre x n_post, or lists of n_list for the from_list rule. */
static void read_value(lua_State *L, int idx, const char *what, int from_list, ms_value *v, fn_ctx *fc,
                       double def, int required)
{
    int t = lua_getfield(L, idx, what);
    memset(v, 0, sizeof *v);
    v->kind = MS_VALUE_CONSTANT;
    switch (t) {
    case LUA_TNIL:
        if (required) luaL_error(L, "connect: option '%s' is required", what);
        v->constant = def;
        lua_pop(L, 1);
        return;
    case LUA_TNUMBER:
        v->constant = lua_tonumber(L, -1);
        if (isnan(v->constant)) luaL_error(L, "connect: %s is NaN", what);
        lua_pop(L, 1);
        return;
    case LUA_TTABLE: {
        size_t n;
        v->array = ms_lua_number_array(L, -1, &n, "connect", what);
        v->len = n;
        v->kind = from_list ? MS_VALUE_LIST : MS_VALUE_MATRIX;
        lua_remove(L, -2); /* keep the array's userdata on the stack, drop the table */
        return;
    }
    case LUA_TFUNCTION:
        fc->L = L;
        fc->fn = lua_gettop(L);
        fc->what = what;
        v->kind = MS_VALUE_FUNCTION;
        v->fn = call_value_fn;
        v->ud = fc;
        return; /* the function stays on the stack while connecting */
    default:
        luaL_error(L, "connect: %s must be a number, a table or a function(i, j), got %s", what, luaL_typename(L, -1));
    }
}

/* rule = "all_to_all" | "one_to_one" | {"fixed_probability", p = 0.1, autapses = false}
 *      | {"from_list", pre = {...}, post = {...}} */
static int read_rule(lua_State *L, int idx, ms_rule *r, size_t n_pre, size_t n_post)
{
    memset(r, 0, sizeof *r);
    r->autapses = 1;
    int t = lua_getfield(L, idx, "rule");
    const char *name;
    int tbl = 0;
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        lua_pushstring(L, "all_to_all");
        name = "all_to_all";
    } else if (t == LUA_TSTRING) {
        name = lua_tostring(L, -1);
    } else if (t == LUA_TTABLE) {
        tbl = lua_gettop(L);
        if (lua_geti(L, tbl, 1) != LUA_TSTRING) luaL_error(L, "connect: a rule table starts with the rule's name, e.g. {\"fixed_probability\", p = 0.1}");
        name = lua_tostring(L, -1);
        lua_pop(L, 1);
        static const char *const allowed[] = { "p", "k", "autapses", "pre", "post", NULL };
        lua_pushnil(L);
        while (lua_next(L, tbl)) {
            lua_pop(L, 1);
            if (lua_type(L, -1) == LUA_TNUMBER && lua_tointeger(L, -1) == 1) continue;
            int ok = 0;
            for (const char *const *a = allowed; *a; a++)
                if (lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), *a) == 0) ok = 1;
            if (!ok) luaL_error(L, "connect: unknown rule option '%s' (expected: p, k, autapses, pre, post)", luaL_tolstring(L, -1, NULL));
        }
        if (lua_getfield(L, tbl, "autapses") != LUA_TNIL) r->autapses = lua_toboolean(L, -1);
        lua_pop(L, 1);
    } else {
        return luaL_error(L, "connect: rule must be a name or a table, got %s", luaL_typename(L, -1));
    }
    if (strcmp(name, "all_to_all") == 0) {
        r->kind = MS_RULE_ALL_TO_ALL;
    } else if (strcmp(name, "one_to_one") == 0) {
        r->kind = MS_RULE_ONE_TO_ONE;
    } else if (strcmp(name, "fixed_probability") == 0) {
        r->kind = MS_RULE_FIXED_PROBABILITY;
        if (!tbl) luaL_error(L, "connect: fixed_probability needs p: rule = {\"fixed_probability\", p = 0.02}");
        r->p = ms_lua_opt_number(L, tbl, "p", "connect", 0, 1);
    } else if (strcmp(name, "fixed_indegree") == 0) {
        r->kind = MS_RULE_FIXED_INDEGREE;
        if (!tbl) luaL_error(L, "connect: fixed_indegree needs k: rule = {\"fixed_indegree\", k = 64}");
        double k = ms_lua_opt_number(L, tbl, "k", "connect", 0, 1);
        if (k < 0 || k != floor(k)) ms_lua_errorf(L, "connect: fixed_indegree k must be a whole number >= 0, got %g", k);
        r->k = (size_t)k;
    } else if (strcmp(name, "from_list") == 0) {
        r->kind = MS_RULE_FROM_LIST;
        if (!tbl) luaL_error(L, "connect: from_list needs pre and post: rule = {\"from_list\", pre = {...}, post = {...}}");
        size_t np, nq;
        if (lua_getfield(L, tbl, "pre") == LUA_TNIL) luaL_error(L, "connect: from_list needs pre = {...}");
        r->pre = ms_lua_index_array(L, -1, n_pre, &np, "connect", "pre");
        lua_remove(L, -2);
        if (lua_getfield(L, tbl, "post") == LUA_TNIL) luaL_error(L, "connect: from_list needs post = {...}");
        r->post = ms_lua_index_array(L, -1, n_post, &nq, "connect", "post");
        lua_remove(L, -2);
        if (np != nq) luaL_error(L, "connect: from_list has %d pre and %d post entries; they must pair up", (int)np, (int)nq);
        r->n_list = np;
    } else {
        luaL_error(L, "connect: unknown rule '%s' (expected: all_to_all, one_to_one, fixed_probability, fixed_indegree, from_list)", name);
    }
    return 0;
}

int ms_lua_net_connect(lua_State *L)
{
    static const char *const allowed[] = { "rule", "synapse", "weight", "delay", "port", "array", NULL };
    ms_net *net = ms_lua_check_net(L, 1);
    int pre, post;
    if (ms_lua_check_pop(L, 2, &pre) != net || ms_lua_check_pop(L, 3, &post) != net)
        luaL_error(L, "connect: both populations must belong to this network");
    luaL_checktype(L, 4, LUA_TTABLE);
    ms_lua_check_options(L, 4, "connect", allowed);
    ms_connect_spec s = { .pre = pre, .post = post };
    read_rule(L, 4, &s.rule, ms_net_pop_size(net, pre), ms_net_pop_size(net, post));
    int from_list = s.rule.kind == MS_RULE_FROM_LIST;
    fn_ctx fw = { 0 }, fd = { 0 };
    read_value(L, 4, "weight", from_list, &s.weight, &fw, 0, 1);
    read_value(L, 4, "delay", from_list, &s.delay, &fd, ms_net_options(net)->dt, 0);
    s.port = ms_lua_opt_string(L, 4, "port", "connect", NULL);
    s.synapse = ms_lua_opt_string(L, 4, "synapse", "connect", "static");
    if (lua_getfield(L, 4, "array") != LUA_TNIL && strcmp(s.synapse, "static") == 0)
        luaL_error(L, "connect: 'array' describes device synapses; synapse \"static\" takes none");
    lua_pop(L, 1);
    int device = strcmp(s.synapse, "rram") == 0;
    ms_lua_rram rr;
    if (device) {
        const ms_model *pm = ms_net_pop_model(net, post);
        if (!pm->attach)
            luaL_error(L, "connect: synapse \"rram\" needs a target made of devices (a circuit such as dendritic_neuron); %s takes static synapses",
                       pm->name);
        ms_lua_read_rram(L, net, 4, &rr);
        s.synapse = "static"; /* core builds the wiring; the devices come next */
    }
    int proj;
    ms_status st = ms_lua_connect_with_progress(L, net, &s, &proj);
    if (fw.failed || fd.failed) return lua_error(L); /* the function's own error, with its line */
    if (st) return ms_lua_fail(L, ms_net_errmsg(net));
    if (device) ms_lua_map_rram(L, net, 1, proj, &rr);
    ms_lua_push_proj(L, 1, proj);
    return 1;
}

/* ---- methods ------------------------------------------------------------------------------ */

static int proj_len(lua_State *L)
{
    int q;
    ms_net *net = ms_lua_check_proj(L, 1, &q);
    lua_pushinteger(L, (lua_Integer)ms_net_proj_size(net, q));
    return 1;
}

/* Synapse columns in storage order (by presynaptic unit, then creation order). */
static int proj_column(lua_State *L, int which)
{
    int q;
    ms_net *net = ms_lua_check_proj(L, 1, &q);
    size_t n = ms_net_proj_size(net, q);
    double *v = lua_newuserdatauv(L, (n ? n : 1) * sizeof *v, 0);
    ms_net_proj_synapses(net, q, NULL, NULL, which == 0 ? v : NULL, which == 1 ? v : NULL);
    ms_lua_push_doubles(L, v, n);
    return 1;
}

static int proj_weights(lua_State *L) { return proj_column(L, 0); }
static int proj_delays(lua_State *L) { return proj_column(L, 1); }

static int proj_connections(lua_State *L)
{
    int q;
    ms_net *net = ms_lua_check_proj(L, 1, &q);
    size_t n = ms_net_proj_size(net, q);
    size_t *pre = lua_newuserdatauv(L, (n ? n : 1) * sizeof *pre, 0);
    size_t *post = lua_newuserdatauv(L, (n ? n : 1) * sizeof *post, 0);
    double *w = lua_newuserdatauv(L, (n ? n : 1) * sizeof *w, 0);
    double *d = lua_newuserdatauv(L, (n ? n : 1) * sizeof *d, 0);
    ms_net_proj_synapses(net, q, pre, post, w, d);
    lua_createtable(L, 0, 4);
    for (int col = 0; col < 2; col++) {
        size_t *a = col ? post : pre;
        lua_createtable(L, (int)n, 0);
        for (size_t k = 0; k < n; k++) {
            lua_pushinteger(L, (lua_Integer)a[k] + 1);
            lua_rawseti(L, -2, (lua_Integer)k + 1);
        }
        lua_setfield(L, -2, col ? "post" : "pre");
    }
    ms_lua_push_doubles(L, w, n);
    lua_setfield(L, -2, "weight");
    ms_lua_push_doubles(L, d, n);
    lua_setfield(L, -2, "delay");
    return 1;
}

static int proj_tostring(lua_State *L)
{
    int q;
    ms_net *net = ms_lua_check_proj(L, 1, &q);
    lua_pushfstring(L, "memsnn.Projection (%d synapses)", (int)ms_net_proj_size(net, q));
    return 1;
}

void ms_lua_open_projection(lua_State *L)
{
    static const luaL_Reg methods[] = {
        { "weights", proj_weights },
        { "delays", proj_delays },
        { "connections", proj_connections },
        { "size", proj_len },
        { "conductances", ms_lua_proj_conductances },
        { "mapping", ms_lua_proj_mapping },
        { "set_row_gain", ms_lua_proj_set_row_gain },
        { NULL, NULL },
    };
    static const luaL_Reg meta[] = {
        { "__len", proj_len },
        { "__tostring", proj_tostring },
        { NULL, NULL },
    };
    luaL_newmetatable(L, MS_LUA_PROJECTION);
    luaL_setfuncs(L, meta, 0);
    luaL_newlib(L, methods);
    ms_lua_proj_learn_methods(L);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}

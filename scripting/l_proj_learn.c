/* scripting/l_proj_learn.c: learning on the devices of a synapse = "rram" projection between
 * runs: prj:update_sign{...} (sign-based pulses), prj:program{...} (write-verify), prj:age(t)
 * (relaxation) and prj:wear(). The devices are the projection's array (list mode,
 * neurons/ms_xbar.h, kept by scripting/l_crossbar.c); after each change the network gets the
 * new conductances (ms_net_proj_update_devices), so the next net:run reads them, and every
 * programming pulse's energy goes to the target population's ledger under synapse_write
 * (ms_net_proj_book_write). docs/lua-api.md, docs/crossbar.md. */
#include <string.h>

#include <lauxlib.h>

#include "scripting/l_crossbar.h"
#include "scripting/l_objects.h"
#include "scripting/l_proj_learn.h"
#include "scripting/l_util.h"
#include "scripting/l_xbar.h"

/* The projection at 1, its network and its array (kept alive by the registry); a Lua error
 * naming fname for static synapses. */
static ms_xbar *proj_array(lua_State *L, const char *fname, ms_net **net, int *q)
{
    *net = ms_lua_check_proj(L, 1, q);
    lua_getiuservalue(L, 1, 1); /* the network userdata */
    ms_xbar *x = ms_lua_proj_array(L, -1, *q);
    lua_pop(L, 1);
    if (x) return x;
    const double *gp, *gn;
    ms_net_proj_devices(*net, *q, &gp, &gn, NULL);
    if (gp) ms_lua_errorf(L, "%s: the projection has no synapses, so no devices to program", fname);
    ms_lua_errorf(L, "%s: the projection has static synapses; a learning rule programs devices "
                     "(use synapse = \"rram\")", fname);
    return NULL;
}

/* A C message without its "crossbar: " prefix: the Lua message names the method. */
static const char *bare(const char *msg) { return strncmp(msg, "crossbar: ", 10) == 0 ? msg + 10 : msg; }

/* The network takes the array's new conductances, states and weights. */
static void sync(lua_State *L, ms_net *net, int q, const ms_xbar *x, const char *fname)
{
    size_t n = ms_xbar_synapses(x);
    double *b = lua_newuserdatauv(L, 5 * n * sizeof *b, 0);
    double *gp = b, *gn = b + n, *xp = b + 2 * n, *xn = b + 3 * n, *w = b + 4 * n;
    ms_xbar_conductances(x, gp, gn);
    ms_xbar_states(x, xp, xn);
    ms_xbar_weights(x, w);
    int diff = ms_xbar_options(x)->differential;
    if (ms_net_proj_update_devices(net, q, gp, diff ? gn : NULL, xp, diff ? xn : NULL, w))
        ms_lua_errorf(L, "%s: %s", fname, ms_net_errmsg(net));
    lua_pop(L, 1);
}

static void book(lua_State *L, ms_net *net, int q, const ms_xbar_pulses *p, const char *fname)
{
    if (ms_net_proj_book_write(net, q, p->energy_J)) ms_lua_errorf(L, "%s: %s", fname, ms_net_errmsg(net));
}

/* A table of exactly `want` numbers at field k of the options at t, left on the stack. */
static double *field_array(lua_State *L, int t, const char *k, size_t want, const char *fname, const char *per)
{
    if (lua_getfield(L, t, k) != LUA_TTABLE)
        ms_lua_errorf(L, "%s: option '%s' must be a table of %zu numbers (one per %s), got %s", fname, k, want, per,
                      luaL_typename(L, -1));
    size_t n;
    double *v = ms_lua_number_array(L, -1, &n, fname, k);
    if (n != want) ms_lua_errorf(L, "%s: %s has %zu values, expected %zu (one per %s)", fname, k, n, want, per);
    return v;
}

/* prj:update_sign{ x = {...} (per presynaptic unit), err = {...} (per postsynaptic unit),
 * threshold = 0, phase = "alternate", rule = "sign" } -> { pulses, set, reset, energy } */
static int l_update_sign(lua_State *L)
{
    static const char *const allowed[] = { "x", "err", "threshold", "phase", "rule", NULL };
    const char *fname = "projection:update_sign";
    ms_net *net;
    int q;
    ms_xbar *x = proj_array(L, fname, &net, &q);
    luaL_checktype(L, 2, LUA_TTABLE);
    ms_lua_check_options(L, 2, fname, allowed);
    ms_lua_xbar_rule(L, 2, fname);
    ms_xbar_phase phase = ms_lua_xbar_phase(L, 2, fname);
    double thr = ms_lua_opt_number(L, 2, "threshold", fname, 0.0, 0);
    double *u = field_array(L, 2, "x", ms_xbar_inputs(x), fname, "presynaptic unit");
    double *e = field_array(L, 2, "err", ms_xbar_outputs(x), fname, "postsynaptic unit");
    ms_xbar_pulses p;
    if (ms_xbar_update_sign(x, u, e, thr, phase, &p) != MS_OK) return ms_lua_errorf(L, "%s: %s", fname, bare(ms_xbar_errmsg(x)));
    sync(L, net, q, x, fname);
    book(L, net, q, &p, fname);
    ms_lua_push_pulses(L, &p);
    return 1;
}

/* prj:program{ weights = {...} } (one per synapse, in the order of prj:weights(); absent: the
 * weights of the mapping) -> { pulses, set, reset, energy } */
static int l_program(lua_State *L)
{
    static const char *const allowed[] = { "weights", NULL };
    const char *fname = "projection:program";
    ms_net *net;
    int q;
    ms_xbar *x = proj_array(L, fname, &net, &q);
    double *w = NULL;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        ms_lua_check_options(L, 2, fname, allowed);
        if (lua_getfield(L, 2, "weights") != LUA_TNIL) {
            lua_pop(L, 1);
            w = field_array(L, 2, "weights", ms_xbar_synapses(x), fname, "synapse");
        }
    }
    ms_xbar_pulses p;
    if (ms_xbar_program(x, w, &p) != MS_OK) return ms_lua_errorf(L, "%s: %s", fname, bare(ms_xbar_errmsg(x)));
    sync(L, net, q, x, fname);
    book(L, net, q, &p, fname);
    ms_lua_push_pulses(L, &p);
    return 1;
}

/* prj:age(t): the devices t seconds after their last programming */
static int l_age(lua_State *L)
{
    const char *fname = "projection:age";
    ms_net *net;
    int q;
    ms_xbar *x = proj_array(L, fname, &net, &q);
    double t = luaL_checknumber(L, 2);
    if (ms_xbar_age(x, t) != MS_OK) return ms_lua_errorf(L, "%s: %s", fname, bare(ms_xbar_errmsg(x)));
    sync(L, net, q, x, fname);
    return 0;
}

/* prj:wear() -> programming pulses per device since the mapping (device 2s - 1 and 2s of
 * synapse s with pairs, 1-based) */
static int l_wear(lua_State *L)
{
    ms_net *net;
    int q;
    ms_lua_push_wear(L, proj_array(L, "projection:wear", &net, &q));
    return 1;
}

void ms_lua_proj_learn_methods(lua_State *L)
{
    static const luaL_Reg methods[] = {
        { "update_sign", l_update_sign }, { "program", l_program }, { "age", l_age }, { "wear", l_wear }, { NULL, NULL },
    };
    luaL_setfuncs(L, methods, 0);
}

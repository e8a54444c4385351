/* scripting/l_crossbar.c: synapse = "rram" in net:connect: the projection's weights are
 * mapped onto RRAM crossbar devices (an array in list mode, neurons/ms_xbar.h, kept for the
 * learning rules of scripting/l_proj_learn.c) with the options of `array`, and the network
 * reads through them with read pulses (core/ms_net.h, device synapses).
 * prj:conductances() and prj:mapping() report what the devices hold. docs/circuits.md,
 * docs/crossbar.md, docs/lua-api.md. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <lauxlib.h>

#include "devices/ms_device.h"
#include "devices/ms_rram.h"
#include "neurons/ms_crossbar.h"
#include "scripting/l_crossbar.h"
#include "scripting/l_objects.h"
#include "scripting/l_util.h"
#include "scripting/l_xbar.h"

#define MAPPINGS_KEY "memsnn.mappings"
#define ARRAYS_KEY "memsnn.projection_arrays"

/* The mapping reports (MAPPINGS_KEY) or the device arrays (ARRAYS_KEY), per network userdata
 * (weak keys) and projection id. */
static void push_per_net(lua_State *L, int net_idx, const char *key)
{
    net_idx = lua_absindex(L, net_idx);
    if (lua_getfield(L, LUA_REGISTRYINDEX, key) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_createtable(L, 0, 1);
        lua_pushstring(L, "k"), lua_setfield(L, -2, "__mode");
        lua_setmetatable(L, -2);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, key);
    }
    lua_pushvalue(L, net_idx);
    if (lua_gettable(L, -2) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, net_idx);
        lua_pushvalue(L, -2);
        lua_settable(L, -4);
    }
    lua_remove(L, -2);
}

static void push_mappings(lua_State *L, int net_idx) { push_per_net(L, net_idx, MAPPINGS_KEY); }

ms_xbar *ms_lua_proj_array(lua_State *L, int net_idx, int proj)
{
    push_per_net(L, net_idx, ARRAYS_KEY);
    lua_rawgeti(L, -1, proj + 1);
    ms_xbar *x = lua_isnil(L, -1) ? NULL : ms_lua_check_xbar(L, -1, "projection", "array");
    lua_pop(L, 2);
    return x;
}

static double opt_num(lua_State *L, int t, const char *k, double def)
{
    return ms_lua_opt_number(L, t, k, "connect: array", def, 0);
}

static int opt_bool(lua_State *L, int t, const char *k, int def)
{
    int ty = lua_getfield(L, t, k);
    int v = def;
    if (ty == LUA_TBOOLEAN) v = lua_toboolean(L, -1);
    else if (ty != LUA_TNIL) luaL_error(L, "connect: array.%s must be true or false", k);
    lua_pop(L, 1);
    return v;
}

static size_t opt_count(lua_State *L, int t, const char *k, size_t def)
{
    double v = opt_num(L, t, k, (double)def);
    if (v != floor(v) || v < 0) ms_lua_errorf(L, "connect: array.%s = %g must be a whole number", k, v);
    return (size_t)v;
}

void ms_lua_read_rram(lua_State *L, ms_net *net, int opts_idx, ms_lua_rram *r)
{
    static const char *const allowed[] = { "rows", "cols", "levels", "gmin", "gmax", "differential", "w_max", "clip",
                                           "write_verify", "wv_tol", "variation", "c2c", "read_noise", "p_stuck_off",
                                           "p_stuck_on", "t_since", "relax_scale", "v_read", "t_read",
                                           "virtual_ground", "e_driver", "p_tile", "rectify", "clock", NULL };
    opts_idx = lua_absindex(L, opts_idx);
    const ms_device_class *rram = ms_device_find("rram");
    double rp[MS_DEVICE_MAX_PARAMS];
    ms_device_defaults(rram, rp);
    ms_crossbar_opts *o = &r->o;
    ms_device_syn_opts *d = &r->d;
    ms_crossbar_opts_default(o);
    o->seed = ms_net_options(net)->seed;
    *d = (ms_device_syn_opts){ .v_read = rp[MS_RRAM_V_READ], .t_read = rp[MS_RRAM_T_READ], .virtual_ground = 0,
                               .e_driver = 0.0 };
    r->p_tile = 0.0;
    int t = lua_getfield(L, opts_idx, "array");
    if (t != LUA_TNIL && t != LUA_TTABLE) luaL_error(L, "connect: array must be a table of crossbar options");
    int a = lua_gettop(L);
    if (t == LUA_TTABLE) {
        ms_lua_check_options(L, a, "connect: array", allowed);
        o->rows = opt_count(L, a, "rows", o->rows);
        o->cols = opt_count(L, a, "cols", o->cols);
        o->levels = (int)opt_count(L, a, "levels", (size_t)o->levels);
        o->g_min = opt_num(L, a, "gmin", o->g_min);
        o->g_max = opt_num(L, a, "gmax", o->g_max);
        o->differential = opt_bool(L, a, "differential", o->differential);
        o->w_max = opt_num(L, a, "w_max", o->w_max);
        o->clip = opt_bool(L, a, "clip", o->clip);
        o->write_verify = opt_bool(L, a, "write_verify", o->write_verify);
        o->wv_tol = opt_num(L, a, "wv_tol", o->wv_tol);
        o->variation = opt_num(L, a, "variation", o->variation);
        o->c2c = opt_num(L, a, "c2c", o->c2c);
        o->read_noise = opt_num(L, a, "read_noise", o->read_noise);
        o->p_stuck_off = opt_num(L, a, "p_stuck_off", o->p_stuck_off);
        o->p_stuck_on = opt_num(L, a, "p_stuck_on", o->p_stuck_on);
        o->t_since = opt_num(L, a, "t_since", o->t_since);
        o->relax_scale = opt_num(L, a, "relax_scale", o->relax_scale);
        d->v_read = opt_num(L, a, "v_read", d->v_read);
        d->t_read = opt_num(L, a, "t_read", d->t_read);
        d->virtual_ground = opt_bool(L, a, "virtual_ground", d->virtual_ground);
        d->rectify = opt_bool(L, a, "rectify", d->rectify);
        d->clock = opt_num(L, a, "clock", d->clock);
        d->e_driver = opt_num(L, a, "e_driver", d->e_driver);
        r->p_tile = opt_num(L, a, "p_tile", 0.0);
        /* read_noise acts twice: on write-verify's reads, and on every read pulse */
        d->read_noise = o->read_noise;
    }
    lua_pop(L, 1);
}

void ms_lua_map_rram(lua_State *L, ms_net *net, int net_idx, int proj, const ms_lua_rram *r)
{
    net_idx = lua_absindex(L, net_idx);
    char msg[512];
    int ok = 1;
    size_t n = ms_net_proj_size(net, proj);
    ms_crossbar_opts o = r->o;
    ms_device_syn_opts d = r->d;
    /* weights in storage order, with their (pre, post) */
    double *w = lua_newuserdatauv(L, (n ? n : 1) * sizeof *w, 0);
    size_t *pre_i = lua_newuserdatauv(L, (n ? n : 1) * sizeof *pre_i, 0);
    size_t *post_i = lua_newuserdatauv(L, (n ? n : 1) * sizeof *post_i, 0);
    double *g = lua_newuserdatauv(L, (n ? 4 * n : 4) * sizeof *g + (n ? n : 1) * sizeof *g, 0);
    double *gp = g, *gn = g + n, *xp = g + 2 * n, *xn = g + 3 * n, *wr = g + 4 * n;
    ms_net_proj_synapses(net, proj, pre_i, post_i, w, NULL);
    size_t n_pre = 1, n_post = 1;
    for (size_t k = 0; k < n; k++) {
        if (pre_i[k] + 1 > n_pre) n_pre = pre_i[k] + 1;
        if (post_i[k] + 1 > n_post) n_post = post_i[k] + 1;
    }
    ms_crossbar_report rep;
    /* Devices of projection q use streams from (q + 1) << 36 on, so projections never
     * share a stream and 2^36 devices fit in one. The devices live on in an array (list mode,
     * neurons/ms_xbar.h) kept beside the network, which learning rules program
     * (scripting/l_proj_learn.c); a projection without synapses has none. */
    uint64_t base = ((uint64_t)proj + 1) << 36;
    ms_xbar **slot = NULL;
    if (n > 0) {
        push_per_net(L, net_idx, ARRAYS_KEY);
        slot = ms_lua_new_xbar(L);
        lua_rawseti(L, -2, proj + 1);
        lua_rawgeti(L, -1, proj + 1);
        lua_remove(L, -2); /* keep the array's userdata on the stack while it is built */
    } else {
        lua_pushnil(L);
    }
    size_t n_pop_pre = ms_net_pop_size(net, ms_net_proj_pre(net, proj));
    size_t n_pop_post = ms_net_pop_size(net, ms_net_proj_post(net, proj));
    if (n > 0 ? ms_xbar_create_list(&o, w, n, pre_i, post_i, n_pop_pre, n_pop_post, base, slot, msg, sizeof msg) != 0
              : ms_crossbar_map(&o, w, n, n_pre, n_post, base, gp, gn, xp, xn, wr, &rep, msg, sizeof msg) != 0) {
        ok = 0;
    } else if (n > 0) {
        rep = *ms_xbar_report(*slot);
        ms_xbar_conductances(*slot, gp, gn);
        ms_xbar_states(*slot, xp, xn);
        ms_xbar_weights(*slot, wr);
        /* the error of what the devices hold now (after t_since), against the weights asked for */
        double sq = 0.0;
        rep.max_error = 0.0;
        for (size_t k = 0; k < n; k++) {
            double e = wr[k] - w[k];
            sq += e * e;
            rep.max_error = fmax(rep.max_error, fabs(e));
        }
        rep.rms_error = sqrt(sq / (double)n);
    }
    if (!ok) {
    } else if (!(r->p_tile >= 0 && isfinite(r->p_tile))) {
        snprintf(msg, sizeof msg, "connect: array.p_tile = %g W must be >= 0", r->p_tile);
        ok = 0;
    } else if ((d.p_static = r->p_tile * (double)rep.tiles, 0)) {
        ok = 0;
    } else if (ms_net_proj_set_devices(net, proj, &d, gp, o.differential ? gn : NULL, xp, o.differential ? xn : NULL, wr)) {
        snprintf(msg, sizeof msg, "%s", ms_net_errmsg(net));
        ok = 0;
    }
    if (!ok && n > 0) {
        /* no array for an undone projection */
        push_per_net(L, net_idx, ARRAYS_KEY);
        lua_pushnil(L);
        lua_rawseti(L, -2, proj + 1);
        lua_pop(L, 1);
    }
    if (!ok) {
        ms_net_disconnect_last(net, proj);
        ms_lua_fail(L, msg);
    }
    if (rep.n_clipped > 0 && !ms_lua_get_settings(L)->quiet)
        lua_warning(L, "memsnn: connect: clipped weights to +-w_max (see prj:mapping().clipped)", 0);
    /* the report */
    push_mappings(L, net_idx);
    lua_createtable(L, 0, 20);
#define SETN(k, v) (lua_pushnumber(L, (double)(v)), lua_setfield(L, -2, k))
    SETN("synapses", rep.n_weights);
    SETN("devices", rep.n_devices);
    SETN("tiles", rep.tiles);
    SETN("tile_rows", rep.tile_rows);
    SETN("tile_cols", rep.tile_cols);
    SETN("rows", o.rows);
    SETN("cols", o.cols);
    SETN("levels", o.levels);
    SETN("levels_used", rep.levels_used);
    SETN("w_max", rep.w_max);
    SETN("rms_error", rep.rms_error);
    SETN("max_error", rep.max_error);
    SETN("clipped", rep.n_clipped);
    SETN("stuck", rep.n_stuck);
    SETN("wv_failed", rep.n_wv_failed);
    SETN("mean_pulses", rep.mean_pulses);
    SETN("write_energy", rep.write_energy);
    SETN("gmin", o.g_min);
    SETN("gmax", o.g_max);
    SETN("v_read", d.v_read);
    SETN("t_read", d.t_read);
    SETN("read_noise", d.read_noise);
    SETN("p_static", d.p_static);
#undef SETN
    lua_pushboolean(L, o.differential), lua_setfield(L, -2, "differential");
    lua_pushboolean(L, d.virtual_ground), lua_setfield(L, -2, "virtual_ground");
    lua_pushboolean(L, d.rectify), lua_setfield(L, -2, "rectify");
    lua_rawseti(L, -2, proj + 1);
    lua_pop(L, 6); /* mappings, array, g, post_i, pre_i, w */
}

int ms_lua_proj_conductances(lua_State *L)
{
    int q;
    ms_net *net = ms_lua_check_proj(L, 1, &q);
    const double *gp, *gn;
    ms_net_proj_devices(net, q, &gp, &gn, NULL);
    if (!gp) return luaL_error(L, "conductances: the projection has static synapses (use synapse = \"rram\")");
    size_t n = ms_net_proj_size(net, q);
    lua_createtable(L, 0, 2);
    ms_lua_push_doubles(L, gp, n);
    lua_setfield(L, -2, "pos");
    if (gn) {
        ms_lua_push_doubles(L, gn, n);
        lua_setfield(L, -2, "neg");
    }
    return 1;
}

int ms_lua_proj_mapping(lua_State *L)
{
    int q;
    ms_lua_check_proj(L, 1, &q);
    lua_getiuservalue(L, 1, 1); /* the network userdata */
    push_mappings(L, -1);
    if (lua_rawgeti(L, -1, q + 1) != LUA_TTABLE)
        return luaL_error(L, "mapping: the projection has static synapses (use synapse = \"rram\")");
    return 1;
}

/* prj:set_row_gain(g): a number for every row or a table of one per presynaptic unit, each
 * in [-1, 1]: row i reads at g[i] * v_read from the next spike on (amplitude-coded input). */
int ms_lua_proj_set_row_gain(lua_State *L)
{
    int q;
    ms_net *net = ms_lua_check_proj(L, 1, &q);
    if (lua_type(L, 2) == LUA_TNUMBER) {
        double g = lua_tonumber(L, 2);
        if (ms_net_proj_set_row_gain(net, q, &g, 1)) return ms_lua_fail(L, ms_net_errmsg(net));
        return 0;
    }
    size_t n;
    double *g = ms_lua_number_array(L, 2, &n, "set_row_gain", "gains");
    if (ms_net_proj_set_row_gain(net, q, g, n)) return ms_lua_fail(L, ms_net_errmsg(net));
    return 0;
}

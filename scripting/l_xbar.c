/* scripting/l_xbar.c: memsnn.crossbar{ weights, array, seed } and its methods (forward,
 * update_sign, program, age, mapping, conductances, weights, energy, wear, size), and the
 * hybrid-training methods of memsnn.ann (map, adapt, accuracy through crossbars).
 * neurons/ms_xbar.h, neurons/ms_hybrid.h; docs/lua-api.md, docs/crossbar.md. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "neurons/ms_hybrid.h"
#include "scripting/l_util.h"
#include "scripting/l_xbar.h"

/* A C message without its "crossbar: " or "hybrid: " prefix: the Lua message names the method. */
static const char *bare(const char *msg)
{
    if (strncmp(msg, "crossbar: ", 10) == 0) return msg + 10;
    if (strncmp(msg, "hybrid: ", 8) == 0) return msg + 8;
    return msg;
}

typedef struct l_xbar {
    ms_xbar *x;
} l_xbar;

ms_xbar *ms_lua_check_xbar(lua_State *L, int idx, const char *fname, const char *what)
{
    l_xbar *u = luaL_testudata(L, idx, MS_LUA_XBAR);
    if (!u)
        ms_lua_errorf(L, "%s: %s must be a memsnn.crossbar (a mapped device array), got %s", fname,
                      what, luaL_typename(L, idx));
    if (!u->x) ms_lua_errorf(L, "%s: %s has been freed", fname, what);
    return u->x;
}

ms_xbar **ms_lua_new_xbar(lua_State *L)
{
    l_xbar *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->x = NULL;
    luaL_setmetatable(L, MS_LUA_XBAR);
    return &u->x;
}

static int opt_bool(lua_State *L, int t, const char *k, const char *fname, int def)
{
    int ty = lua_getfield(L, t, k);
    int v = def;
    if (ty == LUA_TBOOLEAN) v = lua_toboolean(L, -1);
    else if (ty != LUA_TNIL) ms_lua_errorf(L, "%s: option '%s' must be true or false, got %s", fname, k, luaL_typename(L, -1));
    lua_pop(L, 1);
    return v;
}

static double opt_whole(lua_State *L, int t, const char *k, const char *fname, double def, double lo, double hi)
{
    double v = ms_lua_opt_number(L, t, k, fname, def, 0);
    if (v != floor(v) || v < lo || v > hi)
        ms_lua_errorf(L, "%s: option '%s' = %g must be a whole number in %.0f..%.0f", fname, k, v, lo, hi);
    return v;
}

/* The `array` table at field "array" of the options at t (absent: the defaults). */
void ms_lua_xbar_read_array(lua_State *L, int t, const char *fname, ms_crossbar_opts *o)
{
    static const char *const allowed[] = { "rows", "cols", "levels", "gmin", "gmax", "differential", "w_max", "clip",
                                           "write_verify", "wv_tol", "variation", "c2c", "read_noise", "p_stuck_off",
                                           "p_stuck_on", "t_since", "relax_scale", "wear", NULL };
    ms_crossbar_opts_default(o);
    o->seed = (uint64_t)opt_whole(L, t, "seed", fname, 1, 0, 9007199254740992.0);
    int ty = lua_getfield(L, t, "array");
    if (ty != LUA_TNIL && ty != LUA_TTABLE) ms_lua_errorf(L, "%s: array must be a table of crossbar options, got %s", fname, luaL_typename(L, -1));
    if (ty == LUA_TTABLE) {
        int a = lua_gettop(L);
        char what[64];
        snprintf(what, sizeof what, "%s: array", fname);
        ms_lua_check_options(L, a, what, allowed);
        o->rows = (size_t)opt_whole(L, a, "rows", what, (double)o->rows, 1, 1e9);
        o->cols = (size_t)opt_whole(L, a, "cols", what, (double)o->cols, 1, 1e9);
        o->levels = (int)opt_whole(L, a, "levels", what, o->levels, 2, 1e6);
        o->g_min = ms_lua_opt_number(L, a, "gmin", what, o->g_min, 0);
        o->g_max = ms_lua_opt_number(L, a, "gmax", what, o->g_max, 0);
        o->differential = opt_bool(L, a, "differential", what, o->differential);
        o->w_max = ms_lua_opt_number(L, a, "w_max", what, o->w_max, 0);
        o->clip = opt_bool(L, a, "clip", what, o->clip);
        o->write_verify = opt_bool(L, a, "write_verify", what, o->write_verify);
        o->wv_tol = ms_lua_opt_number(L, a, "wv_tol", what, o->wv_tol, 0);
        o->variation = ms_lua_opt_number(L, a, "variation", what, o->variation, 0);
        o->c2c = ms_lua_opt_number(L, a, "c2c", what, o->c2c, 0);
        o->read_noise = ms_lua_opt_number(L, a, "read_noise", what, o->read_noise, 0);
        o->p_stuck_off = ms_lua_opt_number(L, a, "p_stuck_off", what, o->p_stuck_off, 0);
        o->p_stuck_on = ms_lua_opt_number(L, a, "p_stuck_on", what, o->p_stuck_on, 0);
        o->t_since = ms_lua_opt_number(L, a, "t_since", what, o->t_since, 0);
        o->relax_scale = ms_lua_opt_number(L, a, "relax_scale", what, o->relax_scale, 0);
        o->wear = ms_lua_opt_number(L, a, "wear", what, o->wear, 0);
    }
    lua_pop(L, 1);
}

/* memsnn.crossbar{ weights = { {row 1}, ..., {row n_in} } (n_out each), array = {...}, seed } */
static int l_new(lua_State *L)
{
    static const char *const allowed[] = { "weights", "array", "seed", NULL };
    const char *fname = "crossbar";
    luaL_checktype(L, 1, LUA_TTABLE);
    ms_lua_check_options(L, 1, fname, allowed);
    ms_crossbar_opts o;
    ms_lua_xbar_read_array(L, 1, fname, &o);
    if (lua_getfield(L, 1, "weights") != LUA_TTABLE)
        ms_lua_errorf(L, "%s: weights must be a table of rows (one per input) of numbers (one per output), got %s", fname,
                      luaL_typename(L, -1));
    int wt = lua_gettop(L);
    size_t n_in = (size_t)luaL_len(L, wt);
    if (n_in == 0) ms_lua_errorf(L, "%s: weights has no rows", fname);
    lua_geti(L, wt, 1);
    if (!lua_istable(L, -1)) ms_lua_errorf(L, "%s: weights[1] must be a table of numbers, got %s", fname, luaL_typename(L, -1));
    size_t n_out = (size_t)luaL_len(L, -1);
    lua_pop(L, 1);
    if (n_out == 0) ms_lua_errorf(L, "%s: weights[1] is empty", fname);
    double *w = lua_newuserdatauv(L, n_in * n_out * sizeof *w, 0);
    for (size_t i = 0; i < n_in; i++) {
        lua_geti(L, wt, (lua_Integer)i + 1);
        char what[48];
        snprintf(what, sizeof what, "weights[%zu]", i + 1);
        size_t n;
        double *row = ms_lua_number_array(L, -1, &n, fname, what);
        if (n != n_out) ms_lua_errorf(L, "%s: weights[%zu] has %zu values, weights[1] has %zu", fname, i + 1, n, n_out);
        memcpy(w + i * n_out, row, n_out * sizeof *w);
        lua_pop(L, 2);
    }
    char msg[512];
    ms_xbar **slot = ms_lua_new_xbar(L);
    if (ms_xbar_create(&o, w, n_in, n_out, 0, slot, msg, sizeof msg) != MS_OK) return ms_lua_errorf(L, "%s: %s", fname, bare(msg));
    return 1;
}

static ms_xbar *self(lua_State *L, const char *fname) { return ms_lua_check_xbar(L, 1, fname, "self"); }

/* Values of the table at idx, exactly n of them, as a buffer left on the stack. */
static double *exact_array(lua_State *L, int idx, size_t n, const char *fname, const char *what)
{
    size_t m;
    double *v = ms_lua_number_array(L, idx, &m, fname, what);
    if (m != n) ms_lua_errorf(L, "%s: %s has %zu values, the array has %zu", fname, what, m, n);
    return v;
}

/* c:forward(u [, noisy = true]) -> column currents (A) */
static int l_forward(lua_State *L)
{
    const char *fname = "crossbar:forward";
    ms_xbar *x = self(L, fname);
    double *u = exact_array(L, 2, ms_xbar_inputs(x), fname, "inputs");
    int noisy = lua_isnoneornil(L, 3) ? 1 : lua_toboolean(L, 3);
    double *I = lua_newuserdatauv(L, ms_xbar_outputs(x) * sizeof *I, 0);
    if (ms_xbar_forward(x, u, I, noisy) != MS_OK) return ms_lua_errorf(L, "%s: %s", fname, bare(ms_xbar_errmsg(x)));
    ms_lua_push_doubles(L, I, ms_xbar_outputs(x));
    return 1;
}

void ms_lua_push_pulses(lua_State *L, const ms_xbar_pulses *p)
{
    lua_createtable(L, 0, 4);
    lua_pushnumber(L, (double)p->pulses), lua_setfield(L, -2, "pulses");
    lua_pushnumber(L, (double)p->n_set), lua_setfield(L, -2, "set");
    lua_pushnumber(L, (double)p->n_reset), lua_setfield(L, -2, "reset");
    lua_pushnumber(L, p->energy_J), lua_setfield(L, -2, "energy");
}

void ms_lua_push_wear(lua_State *L, const ms_xbar *x)
{
    size_t n = ms_xbar_devices(x);
    const uint32_t *w = ms_xbar_wear(x);
    lua_createtable(L, (int)n, 0);
    for (size_t k = 0; k < n; k++) {
        lua_pushinteger(L, (lua_Integer)w[k]);
        lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
}

const char *ms_lua_xbar_rule(lua_State *L, int t, const char *fname)
{
    const char *rule = ms_lua_opt_string(L, t, "rule", fname, "sign");
    if (strcmp(rule, "sign") != 0)
        ms_lua_errorf(L, "%s: unknown update rule '%s' (known: sign, one SET or RESET pulse per device, Zhang et al. 2018)", fname, rule);
    return rule;
}

ms_xbar_phase ms_lua_xbar_phase(lua_State *L, int t, const char *fname)
{
    const char *ph = ms_lua_opt_string(L, t, "phase", fname, "alternate");
    if (strcmp(ph, "alternate") == 0) return MS_XBAR_ALTERNATE;
    if (strcmp(ph, "set") == 0) return MS_XBAR_SET_ONLY;
    ms_lua_errorf(L, "%s: phase = '%s' is not one of alternate, set", fname, ph);
    return MS_XBAR_ALTERNATE;
}

/* c:update_sign{ x = {...}, err = {...}, threshold = 0, phase = "alternate", rule = "sign" } */
static int l_update_sign(lua_State *L)
{
    static const char *const allowed[] = { "x", "err", "threshold", "phase", "rule", NULL };
    const char *fname = "crossbar:update_sign";
    ms_xbar *x = self(L, fname);
    luaL_checktype(L, 2, LUA_TTABLE);
    ms_lua_check_options(L, 2, fname, allowed);
    ms_lua_xbar_rule(L, 2, fname);
    ms_xbar_phase phase = ms_lua_xbar_phase(L, 2, fname);
    double thr = ms_lua_opt_number(L, 2, "threshold", fname, 0.0, 0);
    lua_getfield(L, 2, "x");
    double *u = exact_array(L, -1, ms_xbar_inputs(x), fname, "x");
    lua_getfield(L, 2, "err");
    double *e = exact_array(L, -1, ms_xbar_outputs(x), fname, "err");
    ms_xbar_pulses p;
    if (ms_xbar_update_sign(x, u, e, thr, phase, &p) != MS_OK) return ms_lua_errorf(L, "%s: %s", fname, bare(ms_xbar_errmsg(x)));
    ms_lua_push_pulses(L, &p);
    return 1;
}

/* c:program([weights as rows]) -> pulses: write-verify to the weights (default: the mapping's) */
static int l_program(lua_State *L)
{
    const char *fname = "crossbar:program";
    ms_xbar *x = self(L, fname);
    size_t ni = ms_xbar_inputs(x), no = ms_xbar_outputs(x);
    double *w = NULL;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        if ((size_t)luaL_len(L, 2) != ni) ms_lua_errorf(L, "%s: weights has %zu rows, the array has %zu inputs", fname, (size_t)luaL_len(L, 2), ni);
        w = lua_newuserdatauv(L, ni * no * sizeof *w, 0);
        for (size_t i = 0; i < ni; i++) {
            lua_geti(L, 2, (lua_Integer)i + 1);
            char what[48];
            snprintf(what, sizeof what, "weights[%zu]", i + 1);
            double *row = exact_array(L, -1, no, fname, what);
            memcpy(w + i * no, row, no * sizeof *w);
            lua_pop(L, 2);
        }
    }
    ms_xbar_pulses p;
    if (ms_xbar_program(x, w, &p) != MS_OK) return ms_lua_errorf(L, "%s: %s", fname, bare(ms_xbar_errmsg(x)));
    ms_lua_push_pulses(L, &p);
    return 1;
}

/* c:age(t): t (s) since programming */
static int l_age(lua_State *L)
{
    const char *fname = "crossbar:age";
    ms_xbar *x = self(L, fname);
    double t = luaL_checknumber(L, 2);
    if (ms_xbar_age(x, t) != MS_OK) return ms_lua_errorf(L, "%s: %s", fname, bare(ms_xbar_errmsg(x)));
    return 0;
}

static int l_mapping(lua_State *L)
{
    ms_xbar *x = self(L, "crossbar:mapping");
    const ms_crossbar_report *r = ms_xbar_report(x);
    const ms_crossbar_opts *o = ms_xbar_options(x);
    lua_createtable(L, 0, 20);
#define SETN(k, v) (lua_pushnumber(L, (double)(v)), lua_setfield(L, -2, k))
    SETN("inputs", ms_xbar_inputs(x));
    SETN("outputs", ms_xbar_outputs(x));
    SETN("synapses", r->n_weights);
    SETN("devices", r->n_devices);
    SETN("tiles", r->tiles);
    SETN("tile_rows", r->tile_rows);
    SETN("tile_cols", r->tile_cols);
    SETN("rows", o->rows);
    SETN("cols", o->cols);
    SETN("levels", o->levels);
    SETN("levels_used", r->levels_used);
    SETN("w_max", r->w_max);
    SETN("rms_error", r->rms_error);
    SETN("max_error", r->max_error);
    SETN("clipped", r->n_clipped);
    SETN("stuck", r->n_stuck);
    SETN("wv_failed", r->n_wv_failed);
    SETN("mean_pulses", r->mean_pulses);
    SETN("write_energy", r->write_energy);
    SETN("gmin", o->g_min);
    SETN("gmax", o->g_max);
    SETN("v_read", ms_xbar_v_read(x));
    SETN("read_noise", o->read_noise);
    SETN("age", ms_xbar_age_now(x));
#undef SETN
    lua_pushboolean(L, o->differential), lua_setfield(L, -2, "differential");
    return 1;
}

static int l_conductances(lua_State *L)
{
    ms_xbar *x = self(L, "crossbar:conductances");
    size_t n = ms_xbar_inputs(x) * ms_xbar_outputs(x);
    double *gp = lua_newuserdatauv(L, 2 * n * sizeof *gp, 0), *gn = gp + n;
    ms_xbar_conductances(x, gp, gn);
    lua_createtable(L, 0, 2);
    ms_lua_push_doubles(L, gp, n);
    lua_setfield(L, -2, "pos");
    if (ms_xbar_options(x)->differential) {
        ms_lua_push_doubles(L, gn, n);
        lua_setfield(L, -2, "neg");
    }
    return 1;
}

static int l_weights(lua_State *L)
{
    ms_xbar *x = self(L, "crossbar:weights");
    size_t n = ms_xbar_inputs(x) * ms_xbar_outputs(x);
    double *w = lua_newuserdatauv(L, n * sizeof *w, 0);
    ms_xbar_weights(x, w);
    ms_lua_push_doubles(L, w, n);
    return 1;
}

static int l_energy(lua_State *L)
{
    ms_xbar *x = self(L, "crossbar:energy");
    ms_xbar_stats s;
    ms_xbar_get_stats(x, &s);
    lua_createtable(L, 0, 9);
#define SETN(k, v) (lua_pushnumber(L, (double)(v)), lua_setfield(L, -2, k))
    SETN("synapse_write", s.e_write_J);
    SETN("synapse_read", s.e_read_J);
    SETN("mapping", s.e_map_J);
    SETN("reads", s.reads);
    SETN("update_pulses", s.update_pulses);
    SETN("program_pulses", s.program_pulses);
    SETN("wear_max", s.wear_max);
    SETN("wear_mean", s.wear_mean);
#undef SETN
    return 1;
}

static int l_wear(lua_State *L)
{
    ms_lua_push_wear(L, self(L, "crossbar:wear"));
    return 1;
}

static int l_size(lua_State *L)
{
    ms_xbar *x = self(L, "crossbar:size");
    lua_pushinteger(L, (lua_Integer)ms_xbar_inputs(x));
    lua_pushinteger(L, (lua_Integer)ms_xbar_outputs(x));
    return 2;
}

static int l_gc(lua_State *L)
{
    l_xbar *u = luaL_checkudata(L, 1, MS_LUA_XBAR);
    ms_xbar_free(u->x);
    u->x = NULL;
    return 0;
}

static int l_tostring(lua_State *L)
{
    l_xbar *u = luaL_checkudata(L, 1, MS_LUA_XBAR);
    if (!u->x) lua_pushstring(L, "memsnn.crossbar (freed)");
    else lua_pushfstring(L, "memsnn.crossbar %d x %d", (int)ms_xbar_inputs(u->x), (int)ms_xbar_outputs(u->x));
    return 1;
}

/* ---- the software network on arrays ------------------------------------------------------ */

int ms_lua_ann_map(lua_State *L, ms_ann *a)
{
    static const char *const allowed[] = { "array", "seed", NULL };
    const char *fname = "ann:map";
    if (lua_isnoneornil(L, 2)) lua_newtable(L), lua_replace(L, 2);
    luaL_checktype(L, 2, LUA_TTABLE);
    ms_lua_check_options(L, 2, fname, allowed);
    ms_crossbar_opts o;
    ms_lua_xbar_read_array(L, 2, fname, &o);
    ms_xbar **s1 = ms_lua_new_xbar(L);
    ms_xbar **s2 = ms_lua_new_xbar(L);
    char msg[512];
    if (ms_hybrid_map(a, &o, s1, s2, msg, sizeof msg) != MS_OK) return ms_lua_errorf(L, "%s: %s", fname, bare(msg));
    return 2;
}

static void crossbars(lua_State *L, int t, const char *fname, ms_xbar **l1, ms_xbar **l2)
{
    if (lua_getfield(L, t, "crossbars") == LUA_TNIL)
        ms_lua_errorf(L, "%s: option 'crossbars' is required: the software network's weights are static; "
                         "map it with ann:map and pass { crossbar1, crossbar2 }", fname);
    if (!lua_istable(L, -1)) ms_lua_errorf(L, "%s: crossbars must be a table { crossbar1, crossbar2 }, got %s", fname, luaL_typename(L, -1));
    lua_geti(L, -1, 1);
    *l1 = ms_lua_check_xbar(L, -1, fname, "crossbars[1]");
    lua_geti(L, -2, 2);
    *l2 = ms_lua_check_xbar(L, -1, fname, "crossbars[2]");
    lua_pop(L, 3);
}

double ms_lua_ann_chip_accuracy(lua_State *L, ms_ann *a, int t, const ms_ann_data *d)
{
    const char *fname = "ann:accuracy";
    ms_xbar *l1, *l2;
    crossbars(L, t, fname, &l1, &l2);
    int noisy = opt_bool(L, t, "read_noise", fname, 1);
    char msg[512];
    double acc;
    if (ms_hybrid_accuracy(a, l1, l2, d, noisy, &acc, msg, sizeof msg) != MS_OK) ms_lua_errorf(L, "%s: %s", fname, bare(msg));
    return acc;
}

int ms_lua_ann_adapt(lua_State *L, ms_ann *a, const ms_ann_data *d)
{
    const char *fname = "ann:adapt";
    ms_xbar *l1, *l2;
    crossbars(L, 2, fname, &l1, &l2);
    ms_lua_xbar_rule(L, 2, fname);
    ms_hybrid_adapt_opts o;
    ms_hybrid_adapt_opts_default(&o);
    o.fraction = ms_lua_opt_number(L, 2, "fraction", fname, o.fraction, 0);
    if (!(o.fraction > 0 && o.fraction <= 1))
        ms_lua_errorf(L, "%s: fraction = %g of the data must be in (0, 1] (0.03 is 3 %%)", fname, o.fraction);
    o.threshold = ms_lua_opt_number(L, 2, "threshold", fname, o.threshold, 0);
    o.epochs = (int)opt_whole(L, 2, "epochs", fname, o.epochs, 1, 1e6);
    o.logit_scale = ms_lua_opt_number(L, 2, "logit_scale", fname, o.logit_scale, 0);
    o.seed = (uint64_t)opt_whole(L, 2, "seed", fname, 1, 0, 9007199254740992.0);
    o.phase = ms_lua_xbar_phase(L, 2, fname);
    o.noisy = opt_bool(L, 2, "read_noise", fname, 1);
    ms_hybrid_adapt_result r;
    char msg[512];
    if (ms_hybrid_adapt(a, l1, l2, d, &o, &r, msg, sizeof msg) != MS_OK) return ms_lua_errorf(L, "%s: %s", fname, bare(msg));
    lua_createtable(L, 0, 6);
    lua_pushnumber(L, (double)r.samples), lua_setfield(L, -2, "samples");
    lua_pushnumber(L, (double)r.presentations), lua_setfield(L, -2, "presentations");
    lua_pushnumber(L, (double)r.pulses.pulses), lua_setfield(L, -2, "pulses");
    lua_pushnumber(L, (double)r.pulses.n_set), lua_setfield(L, -2, "set");
    lua_pushnumber(L, (double)r.pulses.n_reset), lua_setfield(L, -2, "reset");
    lua_pushnumber(L, r.pulses.energy_J), lua_setfield(L, -2, "energy");
    return 1;
}

void ms_lua_open_xbar(lua_State *L)
{
    static const luaL_Reg methods[] = {
        { "forward", l_forward },   { "update_sign", l_update_sign }, { "program", l_program },
        { "age", l_age },           { "mapping", l_mapping },         { "conductances", l_conductances },
        { "weights", l_weights },   { "energy", l_energy },           { "wear", l_wear },
        { "size", l_size },         { NULL, NULL },
    };
    static const luaL_Reg meta[] = { { "__gc", l_gc }, { "__tostring", l_tostring }, { NULL, NULL } };
    if (luaL_newmetatable(L, MS_LUA_XBAR)) {
        luaL_setfuncs(L, meta, 0);
        luaL_newlib(L, methods);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    lua_pushcfunction(L, l_new);
    lua_setfield(L, -2, "crossbar");
}

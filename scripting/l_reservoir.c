/* scripting/l_reservoir.c: memsnn.reservoir{...} (neurons/ms_reservoir.h) with a ridge readout
 * (neurons/ms_ridge.h), the task data (neurons/ms_rc_tasks.h) and memsnn.nrmse.
 * docs/lua-api.md "Reservoirs", docs/reservoir.md. Feature matrices stay in C between drive
 * and fit: train and predict take inputs, not features, so an error map of hundreds of
 * reservoirs does not build Lua tables of millions of numbers.
 * Source tags ([S ZH21], [R], ...) are defined in docs/devices/sources.md. */
#include "scripting/l_reservoir.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "devices/ms_dendrite.h"
#include "devices/ms_device.h"
#include "neurons/ms_rc_readout.h"
#include "neurons/ms_rc_tasks.h"
#include "neurons/ms_reservoir.h"
#include "neurons/ms_ridge.h"
#include "scripting/l_device_impl.h"
#include "scripting/l_util.h"
#include "scripting/l_xbar.h"

typedef struct lres {
    ms_reservoir *r;
    size_t F;        /* features */
    double *W, b;    /* the trained readout on raw features (NULL before train) */
    double ridge;    /* the ridge it was trained with */
    ms_rc_readout *ro; /* or the readout on normalised features (array or weight_noise); its
                          crossbar, if mapped, is the userdata's user value 1 */
} lres;

/* The reservoir at argument 1; one whose __gc already ran (a script can call it) is an error,
 * not a null device array. */
static lres *check_res(lua_State *L)
{
    lres *d = luaL_checkudata(L, 1, MS_LUA_RESERVOIR);
    if (!d->r) luaL_error(L, "reservoir: the reservoir has been freed");
    return d;
}

/* A buffer owned by the Lua stack (freed by the GC even when an error follows). */
static double *stack_buffer(lua_State *L, size_t n, const char *fname)
{
    if (n > ((size_t)1 << 34) / sizeof(double))
        ms_lua_errorf(L, "%s: %zu numbers are too many", fname, n);
    return lua_newuserdatauv(L, (n ? n : 1) * sizeof(double), 0);
}

static const char *const method_names[] = { "exact", "map", "ode", NULL };
static const char *const read_names[] = { "input", "pulse", NULL };

static int pick(lua_State *L, int idx, const char *key, const char *const *names, int def, const char *F)
{
    if (lua_getfield(L, idx, key) == LUA_TNIL) return lua_pop(L, 1), def;
    const char *s = lua_tostring(L, -1);
    for (int k = 0; s && names[k]; k++)
        if (strcmp(s, names[k]) == 0) return lua_pop(L, 1), k;
    return ms_lua_errorf(L, "%s: %s = '%s' is unknown (expected: %s, %s%s%s)", F, key, s ? s : luaL_typename(L, -1),
                         names[0], names[1], names[2] ? ", " : "", names[2] ? names[2] : "");
}

/* A relative sigma option in [0, 1] (0 when absent). */
static double sigma_opt(lua_State *L, int idx, const char *key, const char *F)
{
    double v = ldev_opt_num(L, idx, key, F, 0.0, ANY, "", 0);
    if (!(v >= 0 && v <= 1))
        ms_lua_errorf(L, "%s: %s = %g must lie in [0, 1] (a relative sigma: 0.01 is 1 %%)", F, key, v);
    return v;
}

static int l_reservoir_new(lua_State *L)
{
    static const char *const allowed[] = { "device", "params", "n", "mask_length", "v_min", "v_max", "t_pulse",
                                           "t_gap", "method", "read", "v_read", "input_range", "seed", "variation",
                                           "read_noise", "c2c", NULL };
    const char *F = "reservoir";
    ldev_check_table(L, 1, F, "{ device = \"dynamic_tiox\", n = 25, mask_length = 4, v_min = 0, v_max = 2.5 }");
    ms_lua_check_options(L, 1, F, allowed);
    const char *name = ms_lua_opt_string(L, 1, "device", F, "dynamic_tiox");
    const ms_device_class *c;
    char msg[MS_ERRMSG_LEN];
    if (ms_device_lookup(name, &c, msg, sizeof msg)) return ms_lua_errorf(L, "reservoir: %s", msg);
    double p[MS_DEVICE_MAX_PARAMS];
    ms_device_defaults(c, p);
    int pt = lua_getfield(L, 1, "params");
    if (pt == LUA_TTABLE) {
        int nk = ms_lua_sorted_keys(L, -1, F), keys = lua_gettop(L);
        for (int k = 1; k <= nk; k++) {
            lua_rawgeti(L, keys, k);
            const char *pname = lua_tostring(L, -1);
            if (lua_getfield(L, keys - 1, pname) != LUA_TNUMBER)
                return ms_lua_errorf(L, "reservoir: %s parameter %s must be a number, got %s", c->name, pname,
                                     luaL_typename(L, -1));
            if (ms_device_param_set(c, p, pname, lua_tonumber(L, -1), msg, sizeof msg))
                return ms_lua_errorf(L, "reservoir: %s", msg);
            lua_pop(L, 2);
        }
        lua_pop(L, 1);
    } else if (pt != LUA_TNIL) {
        return ms_lua_errorf(L, "reservoir: params must be a table { name = value }, got %s", luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    /* variation: the class's own device-to-device law, through its d2d parameter */
    lua_getfield(L, 1, "variation");
    int has_var = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (has_var) {
        double var = sigma_opt(L, 1, "variation", F);
        if (ms_device_param_set(c, p, "d2d", var, msg, sizeof msg))
            return ms_lua_errorf(L, "reservoir: variation = %g: device '%s' has no variation law (no d2d "
                                 "parameter); dynamic_tiox and dynamic_wox have one", var, c->name);
    }
    ms_reservoir_opts o;
    ms_reservoir_opts_default(&o);
    o.read_noise = sigma_opt(L, 1, "read_noise", F);
    o.c2c = sigma_opt(L, 1, "c2c", F);
    /* default pulse: the input step of the source map (dt_in) for dynamic_tiox; tau / 100 for
     * other classes with a tau, which is the same r = 0.99 per pulse [I] */
    int itau = ms_device_param_index(c, "tau");
    if (strcmp(c->name, "dynamic_tiox") == 0) o.t_pulse_s = p[MS_TIOX_DT_IN];
    else if (itau >= 0) o.t_pulse_s = p[itau] / 100.0;
    o.n = (size_t)ldev_opt_int(L, 1, "n", F, (long long)o.n, 0, 1000000, 0);
    o.m = (size_t)ldev_opt_int(L, 1, "mask_length", F, (long long)o.m, 0, 1000000, 0);
    o.v_min_V = ldev_opt_num(L, 1, "v_min", F, o.v_min_V, ANY, "V", 0);
    o.v_max_V = ldev_opt_num(L, 1, "v_max", F, o.v_max_V, ANY, "V", 0);
    o.t_pulse_s = ldev_opt_num(L, 1, "t_pulse", F, o.t_pulse_s, POS, "s", 0);
    o.t_gap_s = ldev_opt_num(L, 1, "t_gap", F, o.t_gap_s, NONNEG, "s", 0);
    o.v_read_V = ldev_opt_num(L, 1, "v_read", F, o.v_read_V, ANY, "V", 0);
    o.method = (ms_res_method)pick(L, 1, "method", method_names, MS_RES_EXACT, F);
    o.read = (ms_res_read)pick(L, 1, "read", read_names, MS_RES_READ_INPUT, F);
    double seed = ldev_opt_num(L, 1, "seed", F, 1, NONNEG, "", 0);
    if (seed != floor(seed) || seed > 9007199254740992.0)
        return ms_lua_errorf(L, "reservoir: seed must be a whole number in [0, 2^53], got %g", seed);
    ms_lua_settings *s = ms_lua_get_settings(L);
    o.seed = s->seed_given ? s->seed : (uint64_t)seed;
    if (lua_getfield(L, 1, "input_range") != LUA_TNIL) {
        size_t n;
        double *r = ms_lua_number_array(L, -1, &n, F, "input_range");
        if (n != 2 || !(isfinite(r[0]) && isfinite(r[1]) && r[0] < r[1]))
            return ms_lua_errorf(L, "reservoir: input_range must be { low, high } with low < high, finite");
        o.in_lo = r[0], o.in_hi = r[1];
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    lres *d = lua_newuserdatauv(L, sizeof *d, 1);
    memset(d, 0, sizeof *d);
    luaL_setmetatable(L, MS_LUA_RESERVOIR);
    ms_error err = { 0 };
    if (ms_reservoir_new(c, p, &o, &d->r, &err)) return ms_lua_fail(L, err.msg);
    d->F = ms_reservoir_n_features(d->r);
    return 1;
}

static int l_gc(lua_State *L)
{
    lres *d = luaL_checkudata(L, 1, MS_LUA_RESERVOIR);
    ms_reservoir_free(d->r), d->r = NULL;
    free(d->W), d->W = NULL;
    ms_rc_readout_free(d->ro), d->ro = NULL;
    return 0;
}

/* The inputs at idx as an array; fname names the method. */
static double *inputs(lua_State *L, int idx, const char *fname, const char *what, size_t *T)
{
    if (!lua_istable(L, idx)) ms_lua_errorf(L, "%s: %s must be an array of numbers, got %s", fname, what, luaL_typename(L, idx));
    double *u = ms_lua_number_array(L, idx, T, fname, what);
    if (*T == 0) ms_lua_errorf(L, "%s: %s is empty", fname, what);
    return u;
}

/* Drives and leaves the features [T x F] in a stack buffer. */
static double *features(lua_State *L, lres *d, const double *u, size_t T, const char *fname)
{
    double *X = stack_buffer(L, T * d->F, fname);
    ms_error err = { 0 };
    if (ms_reservoir_drive(d->r, u, T, X, NULL, &err)) {
        const char *m = err.msg;
        if (strncmp(m, "reservoir: ", 11) == 0) m += 11;
        ms_lua_errorf(L, "%s: %s", fname, m);
    }
    return X;
}

/* res:drive(u) -> X, rows of M x N features (A); feature m N + j is device j after pulse m. */
static int l_drive(lua_State *L)
{
    lres *d = check_res(L);
    lua_settop(L, 2);
    size_t T;
    double *u = inputs(L, 2, "reservoir:drive", "inputs", &T);
    double *X = features(L, d, u, T, "reservoir:drive");
    lua_createtable(L, (int)T, 0);
    for (size_t t = 0; t < T; t++) {
        ms_lua_push_doubles(L, X + t * d->F, d->F);
        lua_rawseti(L, -2, (lua_Integer)t + 1);
    }
    return 1;
}

static int l_reset(lua_State *L)
{
    ms_reservoir_reset(check_res(L)->r);
    return 0;
}

/* res:mask() -> N rows of M entries +-1 */
static int l_mask(lua_State *L)
{
    lres *d = check_res(L);
    const signed char *m = ms_reservoir_mask(d->r);
    const ms_reservoir_opts *o = ms_reservoir_options(d->r);
    lua_createtable(L, (int)o->n, 0);
    for (size_t j = 0; j < o->n; j++) {
        lua_createtable(L, (int)o->m, 0);
        for (size_t k = 0; k < o->m; k++) lua_pushinteger(L, m[j * o->m + k]), lua_rawseti(L, -2, (lua_Integer)k + 1);
        lua_rawseti(L, -2, (lua_Integer)j + 1);
    }
    return 1;
}

/* res:state() -> the N device states (the first state variable of each) */
static int l_state(lua_State *L)
{
    lres *d = check_res(L);
    const ms_reservoir_opts *o = ms_reservoir_options(d->r);
    const double *y = ms_reservoir_state(d->r);
    size_t ns = ms_reservoir_n_state(d->r);
    lua_createtable(L, (int)o->n, 0);
    for (size_t j = 0; j < o->n; j++) lua_pushnumber(L, y[j * ns]), lua_rawseti(L, -2, (lua_Integer)j + 1);
    return 1;
}

/* The options of train and predict: reset (default true) and, for train, ridge and washout. */
static int opt_reset(lua_State *L, int idx, const char *fname)
{
    return lua_istable(L, idx) ? ldev_opt_bool(L, idx, "reset", fname, 1) : 1;
}

/* The readout on normalised features for train's options at 4 (array, weight_noise, seed):
 * fits, maps onto a crossbar when `array` is given, and adds its fields to the result table
 * on top of the stack. X, y: the features and targets after the washout. */
static void train_array(lua_State *L, lres *d, const double *X, size_t T, const double *y, double ridge,
                        double wn, int mapped, const char *F)
{
    ms_crossbar_opts xo;
    ms_crossbar_opts_default(&xo);
    if (mapped) {
        int seeded = lua_getfield(L, 4, "seed") != LUA_TNIL;
        lua_pop(L, 1);
        ms_lua_xbar_read_array(L, 4, F, &xo);
        if (!seeded) xo.seed = ms_reservoir_options(d->r)->seed;
    }
    ms_error err = { 0 };
    ms_rc_readout *ro;
    if (ms_rc_readout_fit(X, T, d->F, y, ridge, wn, &ro, &err)) ms_lua_errorf(L, "%s: %s", F, err.msg);
    ms_rc_readout_free(d->ro);
    d->ro = ro;
    free(d->W), d->W = NULL;
    double *out = stack_buffer(L, T, F);
    ms_rc_readout_predict(ro, X, T, out);
    int res = lua_gettop(L) - 1;
    ms_lua_push_doubles(L, ms_rc_readout_weights(ro), d->F), lua_setfield(L, res, "weights");
    lua_pushnumber(L, ms_rc_readout_bias(ro)), lua_setfield(L, res, "bias");
    lua_pushnumber(L, ms_nrmse(out, y, T)), lua_setfield(L, res, "nrmse");
    ms_lua_push_doubles(L, out, T), lua_setfield(L, res, "output");
    lua_pushnumber(L, ms_rc_readout_ridge(ro)), lua_setfield(L, res, "ridge");
    lua_pushnumber(L, ms_rc_readout_expected_error(ro)), lua_setfield(L, res, "expected_error");
    lua_pop(L, 1);
    lua_pushnil(L);
    if (mapped) {
        char msg[512];
        ms_xbar **slot = ms_lua_new_xbar(L);
        if (ms_xbar_create(&xo, ms_rc_readout_weights(ro), d->F, 1, 0, slot, msg, sizeof msg) != MS_OK)
            ms_lua_errorf(L, "%s: array: %s", F, msg);
        lua_pushvalue(L, -1), lua_setfield(L, res, "crossbar");
        double *oa = stack_buffer(L, T, F);
        size_t clipped = 0;
        if (ms_rc_readout_on_array(ro, *slot, X, T, oa, &clipped, &err)) ms_lua_errorf(L, "%s: %s", F, err.msg);
        lua_pushnumber(L, ms_nrmse(oa, y, T)), lua_setfield(L, res, "nrmse_array");
        ms_lua_push_doubles(L, oa, T), lua_setfield(L, res, "output_array");
        lua_pop(L, 1);
    }
    lua_setiuservalue(L, 1, 1);   /* the crossbar, or nil: a new fit drops the old array */
    lua_settop(L, res);
}

/* res:train(u, y, {ridge = 0, washout = 0, reset = true, weight_noise = 0, array, seed})
 * -> {weights, bias, nrmse, output, ...} */
static int l_train(lua_State *L)
{
    static const char *const allowed[] = { "ridge", "washout", "reset", "weight_noise", "array", "seed", NULL };
    const char *F = "reservoir:train";
    lres *d = check_res(L);
    lua_settop(L, 4);
    size_t T, Ty;
    double *u = inputs(L, 2, F, "inputs", &T);
    double *y = inputs(L, 3, F, "targets", &Ty);
    if (Ty != T) return ms_lua_errorf(L, "%s: %zu targets for %zu inputs; give one per input", F, Ty, T);
    double ridge = 0.0, wn = 0.0;
    long long wash = 0;
    int mapped = 0;
    if (!lua_isnoneornil(L, 4)) {
        ldev_check_table(L, 4, F, "{ ridge = 1e-12, washout = 0, reset = true }");
        ms_lua_check_options(L, 4, F, allowed);
        ridge = ldev_opt_num(L, 4, "ridge", F, 0.0, NONNEG, "", 0);
        wash = ldev_opt_int(L, 4, "washout", F, 0, 0, (long long)T - 2, 0);
        wn = ldev_opt_num(L, 4, "weight_noise", F, 0.0, ANY, "", 0);
        if (!(wn >= 0 && wn <= 1))
            return ms_lua_errorf(L, "%s: weight_noise = %g must lie in [0, 1] (a sigma relative to max|w|: "
                                 "0.06 is 6 %%)", F, wn);
        mapped = lua_getfield(L, 4, "array") != LUA_TNIL;
        lua_pop(L, 1);
    }
    if (T < 2) return ms_lua_errorf(L, "%s: %zu input; train needs at least 2", F, T);
    if (opt_reset(L, 4, F)) ms_reservoir_reset(d->r);
    double *X = features(L, d, u, T, F);
    size_t w0 = (size_t)wash;
    if (mapped || wn > 0) {
        lua_createtable(L, 0, 10);
        train_array(L, d, X + w0 * d->F, T - w0, y + w0, ridge, wn, mapped, F);
        return 1;
    }
    double *W = malloc(d->F * sizeof *W);
    if (!W) return ms_lua_errorf(L, "%s: out of memory", F);
    double b;
    ms_error err = { 0 };
    if (ms_ridge_fit(X + w0 * d->F, T - w0, d->F, y + w0, 1, ridge, W, &b, &err)) {
        free(W);
        return ms_lua_errorf(L, "%s: %s", F, err.msg);
    }
    free(d->W);
    d->W = W, d->b = b, d->ridge = ridge;
    ms_rc_readout_free(d->ro), d->ro = NULL;
    lua_pushnil(L), lua_setiuservalue(L, 1, 1);
    double *out = stack_buffer(L, T, F);
    ms_ridge_predict(X, T, d->F, W, &b, 1, out);
    lua_createtable(L, 0, 3);
    ms_lua_push_doubles(L, W, d->F), lua_setfield(L, -2, "weights");
    lua_pushnumber(L, b), lua_setfield(L, -2, "bias");
    lua_pushnumber(L, ms_nrmse(out + w0, y + w0, T - w0)), lua_setfield(L, -2, "nrmse");
    ms_lua_push_doubles(L, out, T), lua_setfield(L, -2, "output");
    return 1;
}

static const char *const readout_names[] = { "software", "array", NULL };

/* res:predict(u, {reset = true, readout = "software"}) -> outputs of the trained readout */
static int l_predict(lua_State *L)
{
    static const char *const allowed[] = { "reset", "readout", NULL };
    const char *F = "reservoir:predict";
    lres *d = check_res(L);
    if (!d->W && !d->ro) return ms_lua_errorf(L, "%s: the readout is not trained; call train first", F);
    lua_settop(L, 3);
    size_t T;
    double *u = inputs(L, 2, F, "inputs", &T);
    int on_array = 0;
    if (!lua_isnoneornil(L, 3)) {
        ldev_check_table(L, 3, F, "{ reset = true, readout = \"array\" }");
        ms_lua_check_options(L, 3, F, allowed);
        on_array = pick(L, 3, "readout", readout_names, 0, F);
    }
    ms_xbar *xb = NULL;
    if (on_array) {
        if (lua_getiuservalue(L, 1, 1) != LUA_TNIL) xb = ms_lua_check_xbar(L, -1, F, "crossbar");
        lua_pop(L, 1);
        if (!xb)
            return ms_lua_errorf(L, "%s: readout = 'array' needs a readout mapped by train{ array = {...} }", F);
    }
    if (opt_reset(L, 3, F)) ms_reservoir_reset(d->r);
    double *X = features(L, d, u, T, F);
    double *out = stack_buffer(L, T, F);
    ms_error err = { 0 };
    if (xb) {
        if (ms_rc_readout_on_array(d->ro, xb, X, T, out, NULL, &err)) return ms_lua_errorf(L, "%s: %s", F, err.msg);
    } else if (d->ro) {
        ms_rc_readout_predict(d->ro, X, T, out);
    } else {
        ms_ridge_predict(X, T, d->F, d->W, &d->b, 1, out);
    }
    ms_lua_push_doubles(L, out, T);
    return 1;
}

static int l_n_features(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)check_res(L)->F);
    return 1;
}

/* memsnn.reservoir_task(name, {steps = 1000, seed = 1}) -> {input = ..., target = ...} */
static int l_task(lua_State *L)
{
    static const char *const allowed[] = { "steps", "seed", NULL };
    const char *F = "reservoir_task";
    const char *name = luaL_checkstring(L, 1);
    ms_rc_task task;
    ms_error err = { 0 };
    if (ms_rc_task_find(name, &task, &err)) return ms_lua_errorf(L, "%s: %s", F, err.msg);
    long long steps = 1000;
    double seed = 1;
    if (!lua_isnoneornil(L, 2)) {
        ldev_check_table(L, 2, F, "{ steps = 1000, seed = 1 }");
        ms_lua_check_options(L, 2, F, allowed);
        steps = ldev_opt_int(L, 2, "steps", F, steps, 1, 100000000, 0);
        seed = ldev_opt_num(L, 2, "seed", F, 1, NONNEG, "", 0);
        if (seed != floor(seed) || seed > 9007199254740992.0)
            return ms_lua_errorf(L, "%s: seed must be a whole number in [0, 2^53], got %g", F, seed);
    }
    ms_lua_settings *s = ms_lua_get_settings(L);
    uint64_t key = s->seed_given ? s->seed : (uint64_t)seed;
    double *u = stack_buffer(L, (size_t)steps, F), *y = stack_buffer(L, (size_t)steps, F);
    if (ms_rc_task_data(task, (size_t)steps, key, u, y, &err)) return ms_lua_errorf(L, "%s: %s", F, err.msg);
    lua_createtable(L, 0, 2);
    ms_lua_push_doubles(L, u, (size_t)steps), lua_setfield(L, -2, "input");
    ms_lua_push_doubles(L, y, (size_t)steps), lua_setfield(L, -2, "target");
    return 1;
}

/* memsnn.nrmse(y, target, {from = 1}) */
static int l_nrmse(lua_State *L)
{
    static const char *const allowed[] = { "from", NULL };
    const char *F = "nrmse";
    size_t n, nt;
    lua_settop(L, 3);
    double *y = inputs(L, 1, F, "outputs", &n);
    double *t = inputs(L, 2, F, "targets", &nt);
    if (n != nt) return ms_lua_errorf(L, "%s: %zu outputs for %zu targets; give as many", F, n, nt);
    long long from = 1;
    if (!lua_isnoneornil(L, 3)) {
        ldev_check_table(L, 3, F, "{ from = 10 }");
        ms_lua_check_options(L, 3, F, allowed);
        from = ldev_opt_int(L, 3, "from", F, 1, 1, (long long)n - 1, 0);
    }
    size_t k = (size_t)from - 1;
    double e = ms_nrmse(y + k, t + k, n - k);
    if (isnan(e)) return ms_lua_errorf(L, "%s: the targets from %lld on are constant; NRMSE is undefined", F, from);
    lua_pushnumber(L, e);
    return 1;
}

void ms_lua_open_reservoir(lua_State *L)
{
    static const luaL_Reg methods[] = {
        { "drive", l_drive }, { "reset", l_reset }, { "mask", l_mask }, { "train", l_train },
        { "predict", l_predict }, { "state", l_state }, { "n_features", l_n_features }, { NULL, NULL },
    };
    luaL_newmetatable(L, MS_LUA_RESERVOIR);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
    lua_pushcfunction(L, l_reservoir_new), lua_setfield(L, -2, "reservoir");
    lua_pushcfunction(L, l_task), lua_setfield(L, -2, "reservoir_task");
    lua_pushcfunction(L, l_nrmse), lua_setfield(L, -2, "nrmse");
}

/* scripting/l_device.c: single devices from Lua, for characterisation (docs/lua-api.md,
 * "Single devices"). memsnn.device(name, params, opts) makes a device userdata that holds its
 * class, its validated parameters (after optional device-to-device variation), its state and
 * node voltage (so successive drives continue where the last one stopped), its noise stream and
 * its energy tally. d:drive{...} and the protocol methods (sweep, pulses, program, relax,
 * current_step) call neurons/ms_device_drive.h and return plain Lua tables.
 *
 * Randomness: two Philox streams (core/ms_rng.h) keyed by (seed, device index, purpose):
 * MS_RNG_VARIATION for the parameters drawn at construction, MS_RNG_NOISE for cycle-to-cycle
 * noise, read noise and relaxation draws, which continues across calls. */
#include "scripting/l_device.h"
#include "scripting/l_objects.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "core/ms_rng.h"
#include "devices/ms_device.h"
#include "devices/ms_program.h"
#include "devices/ms_rram.h"
#include "neurons/ms_circuit.h"
#include "neurons/ms_device_drive.h"
#include "scripting/l_device_impl.h"
#include "scripting/l_util.h"

/* ---- helpers ---------------------------------------------------------------------------------- */

/* A message of the C layer, prefixed with the method name unless it starts with it. */
int ldev_fail(lua_State *L, const char *fname, const char *msg)
{
    size_t n = strlen(fname);
    if (strncmp(msg, fname, n) == 0 && msg[n] == ':') return luaL_error(L, "%s", msg);
    return luaL_error(L, "%s: %s", fname, msg);
}

int ldev_drive_fail(lua_State *L, const char *fname, ms_status st, const char *msg)
{
    if (st == MS_EINTR)
        return luaL_error(L, "%s: %s; the device keeps its state before the call", fname, msg);
    return ldev_fail(L, fname, msg);
}

static double rng_uniform(void *ud) { return ms_rng_uniform(ud); }
static double rng_normal(void *ud) { return ms_rng_normal(ud); }

ms_device_rng ldev_device_rng(ms_rng *r) { return (ms_device_rng){ rng_uniform, rng_normal, r }; }

ldev *ldev_check_dev(lua_State *L, int idx) { return luaL_checkudata(L, idx, MS_LUA_DEVICE); }

void ldev_check_table(lua_State *L, int idx, const char *fname, const char *example)
{
    if (!lua_istable(L, idx))
        ms_lua_errorf(L, "%s: expects an option table %s, got %s", fname, example, luaL_typename(L, idx));
}


/* Option `key` of the table at idx as a number obeying `rule`; def when absent. */
double ldev_opt_num(lua_State *L, int idx, const char *key, const char *fname, double def,
                      enum rule rule, const char *unit, int required)
{
    static const char *const what[] = { "a finite number", "a finite number >= 0",
                                        "a finite number > 0", "between 0 and 1 (exclusive)" };
    int present = lua_getfield(L, idx, key) != LUA_TNIL;
    lua_pop(L, 1);
    double v = ms_lua_opt_number(L, idx, key, fname, def, required);
    if (!present) return v;
    int ok = isfinite(v) && (rule == ANY || (rule == NONNEG && v >= 0) || (rule == POS && v > 0) ||
                             (rule == FRACTION && v > 0 && v < 1));
    if (!ok) ms_lua_errorf(L, "%s: %s = %g%s%s must be %s", fname, key, v, *unit ? " " : "", unit, what[rule]);
    return v;
}

long long ldev_opt_int(lua_State *L, int idx, const char *key, const char *fname, long long def,
                         long long lo, long long hi, int required)
{
    int t = lua_getfield(L, idx, key);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        if (required) ms_lua_errorf(L, "%s: option '%s' is required", fname, key);
        return def;
    }
    if (t != LUA_TNUMBER) ms_lua_errorf(L, "%s: %s must be a whole number, got %s", fname, key, luaL_typename(L, -1));
    double v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    if (!(v == floor(v) && v >= (double)lo && v <= (double)hi))
        ms_lua_errorf(L, "%s: %s = %g must be a whole number in [%lld, %lld]", fname, key, v, lo, hi);
    return (long long)v;
}

int ldev_opt_bool(lua_State *L, int idx, const char *key, const char *fname, int def)
{
    int t = lua_getfield(L, idx, key);
    int v = t == LUA_TNIL ? def : lua_toboolean(L, -1);
    if (t != LUA_TNIL && t != LUA_TBOOLEAN)
        ms_lua_errorf(L, "%s: %s must be true or false, got %s", fname, key, luaL_typename(L, -1));
    lua_pop(L, 1);
    return v;
}

/* Option `key` as an array of finite numbers; NULL when absent. The buffer is left on the stack. */
double *ldev_opt_array(lua_State *L, int idx, const char *key, const char *fname, size_t *n)
{
    if (lua_getfield(L, idx, key) == LUA_TNIL) {
        lua_pop(L, 1);
        *n = 0;
        return NULL;
    }
    double *a = ms_lua_number_array(L, -1, n, fname, key);
    lua_remove(L, -2);
    for (size_t k = 0; k < *n; k++)
        if (!isfinite(a[k])) ms_lua_errorf(L, "%s: %s[%zu] = %g is not finite", fname, key, k + 1, a[k]);
    return a;
}

/* A source value inside the range of a circuit's supplies (V) or current sources (A)
 * (neurons/ms_circuit.h), checked before anything runs (docs/reliability.md, "Single
 * devices"). key is the option, as the message names it ("v", "v[2]"). */
void ldev_check_amplitude(lua_State *L, const ldev *d, const char *fname, const char *key, double x,
                          int current)
{
    double lim = current ? MS_SOURCE_I_RANGE_A : MS_NODE_V_RANGE_V;
    const char *u = current ? "A" : "V";
    if (!(fabs(x) <= lim))
        ms_lua_errorf(L, "%s: %s: %s = %g %s is outside [%g, %g] %s, the range of a %s in a circuit; "
                      "nothing was driven", fname, d->c->name, key, x, u, -lim, lim, u,
                      current ? "current source" : "supply");
}

/* The node voltage a drive starts from: inside the range of a circuit's node. */
static void check_node_v(lua_State *L, const char *fname, const char *key, double v)
{
    if (!(fabs(v) <= MS_NODE_V_RANGE_V))
        ms_lua_errorf(L, "%s: %s = %g V is outside [%g, %g] V, the range of a node voltage", fname, key, v,
                      -MS_NODE_V_RANGE_V, MS_NODE_V_RANGE_V);
}

/* Options shared by the drive and the protocols; `which` selects the ones a method takes, and
 * must match its list of allowed names. */

void ldev_read_drive_opts(lua_State *L, int idx, const char *fname, const ldev *d, unsigned which,
                            ms_drive_opts *o)
{
    ms_drive_opts_default(o);
    o->interrupt = ms_lua_interrupt_poll;   /* armed by ms_lua_interrupt_begin */
    o->v0_V = d->v_node;
    if (which & O_LOAD) o->r_load_ohm = ldev_opt_num(L, idx, "r_load", fname, 0, NONNEG, "ohm", 0);
    if (which & O_NODE) o->c_node_F = ldev_opt_num(L, idx, "c_node", fname, 0, NONNEG, "F", 0);
    if (which & O_V0) {
        o->v0_V = ldev_opt_num(L, idx, "v0", fname, d->v_node, ANY, "V", 0);
        check_node_v(L, fname, "v0", o->v0_V);
    }
    if (which & O_EVERY) o->dt_sample_s = ldev_opt_num(L, idx, "every", fname, 0, NONNEG, "s", 0);
    if (which & O_SOLVER) {
        o->rtol = ldev_opt_num(L, idx, "rtol", fname, o->rtol, FRACTION, "", 0);
        o->atol_rel = ldev_opt_num(L, idx, "atol", fname, o->atol_rel, FRACTION, "", 0);
        o->max_step_s = ldev_opt_num(L, idx, "max_step", fname, 0, NONNEG, "s", 0);
    }
    if (which & O_EDGE) o->t_edge_s = ldev_opt_num(L, idx, "edge", fname, EDGE_DEFAULT_S, POS, "s", 0);
}

/* A node that is not tied to a voltage source needs a capacitance to have a voltage. */
void ldev_check_node(lua_State *L, const ldev *d, const ms_drive_opts *o, const char *fname)
{
    int current = o->source == MS_DRIVE_CURRENT;
    if ((current || o->r_load_ohm > 0) && !(ms_device_capacitance(d->c, d->p) + o->c_node_F > 0))
        ms_lua_errorf(L, "%s: %s has no capacitance, so %s needs c_node > 0 (F) on its node", fname,
               d->c->name, current ? "a current source" : "a load (r_load)");
}

void ldev_check_samples(lua_State *L, const char *fname, double duration, double every, size_t points)
{
    if (every > 0 && isfinite(duration) && duration / every + (double)points > MAX_SAMPLES)
        ms_lua_errorf(L, "%s: every = %g s over %g s gives %.3g samples (at most %.0e)", fname, every,
               duration, duration / every, MAX_SAMPLES);
}

double ldev_max_abs(const double *x, size_t n)
{
    double m = 0;
    for (size_t k = 0; k < n; k++) m = fmax(m, fabs(x[k]));
    return m;
}

rbox *ldev_box_new(lua_State *L)
{
    rbox *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->r = NULL;
    luaL_setmetatable(L, RESULT_BOX);
    return b;
}

void ldev_box_free(rbox *b)
{
    ms_drive_result_free(b->r);
    b->r = NULL;
}

static int box_gc(lua_State *L)
{
    ldev_box_free(luaL_checkudata(L, 1, RESULT_BOX));
    return 0;
}

/* The device continues from the end of a result: state, node voltage, energy tally. */
void ldev_absorb(ldev *d, const ms_drive_result *r)
{
    size_t n = r->n;
    if (n == 0) return;
    for (size_t k = 0; k < d->c->n_state; k++) d->y[k] = r->x[k * n + n - 1];
    d->v_node = r->v_V[n - 1];
    d->e_dev_J += r->energy_J;
    d->e_src_J += r->energy_src_J;
    d->e_load_J += r->energy_load_J;
    d->t_driven_s += r->t_s[n - 1] - r->t_s[0];
}

/* Read conductance (S) of the present state at v_read: with the class's read noise when
 * `noisy` and the class has one, else the class's conductance, else I(v_read) / v_read. */
double ldev_read_G(ldev *d, double v_read, int noisy)
{
    const ms_device_class *c = d->c;
    if (noisy && c->read) {
        ms_device_rng rng = ldev_device_rng(&d->noise);
        return c->read(0.0, d->y, d->p, v_read, &rng) / v_read;
    }
    if (c->conductance) return c->conductance(d->y, d->p);
    return c->current(0.0, d->y, d->p, v_read) / v_read;
}

/* ---- results ---------------------------------------------------------------------------------- */

/* Field names of a drive result; a state whose name is one of these is only in r.states. */
static const char *const RESERVED[] = { "t", "source", "v", "i", "i_source", "x", "conductance",
                                        "e", "e_source", "energy", "energy_source", "energy_load",
                                        "steps", "events", "spikes", "states", "columns", "rate",
                                        NULL };

static int reserved(const char *name)
{
    for (const char *const *r = RESERVED; *r; r++)
        if (strcmp(*r, name) == 0) return 1;
    return 0;
}

static void add_column(lua_State *L, int res, int cols, int *nc, const char *name)
{
    lua_setfield(L, res, name);
    lua_pushstring(L, name);
    lua_rawseti(L, cols, ++*nc);
}

void ldev_push_result(lua_State *L, const ldev *d, const ms_drive_result *r)
{
    const ms_device_class *c = d->c;
    size_t n = r->n;
    lua_createtable(L, 0, 24);
    int res = lua_gettop(L);
    lua_createtable(L, 16, 0);
    int cols = lua_gettop(L), nc = 0;
    ms_lua_push_doubles(L, r->t_s, n), add_column(L, res, cols, &nc, "t");
    ms_lua_push_doubles(L, r->src, n), add_column(L, res, cols, &nc, "source");
    ms_lua_push_doubles(L, r->v_V, n), add_column(L, res, cols, &nc, "v");
    ms_lua_push_doubles(L, r->i_A, n), add_column(L, res, cols, &nc, "i");
    ms_lua_push_doubles(L, r->i_src_A, n), add_column(L, res, cols, &nc, "i_source");
    lua_createtable(L, 0, (int)c->n_state);
    int states = lua_gettop(L);
    for (size_t k = 0; k < c->n_state; k++) {
        const char *name = c->state_names[k];
        ms_lua_push_doubles(L, ms_drive_state(r, k), n);
        if (k == 0) {
            lua_pushvalue(L, -1);
            lua_setfield(L, res, "x");
        }
        if (!reserved(name) || (k == 0 && strcmp(name, "x") == 0)) {
            lua_pushvalue(L, -1);
            add_column(L, res, cols, &nc, name);
        }
        lua_setfield(L, states, name);
    }
    lua_setfield(L, res, "states");
    if (c->conductance) {
        lua_createtable(L, (int)n, 0);
        double y[MS_DEVICE_MAX_STATE];
        for (size_t j = 0; j < n; j++) {
            for (size_t k = 0; k < c->n_state; k++) y[k] = r->x[k * n + j];
            lua_pushnumber(L, c->conductance(y, d->p));
            lua_rawseti(L, -2, (lua_Integer)j + 1);
        }
        add_column(L, res, cols, &nc, "conductance");
    }
    ms_lua_push_doubles(L, r->e_J, n), add_column(L, res, cols, &nc, "e");
    ms_lua_push_doubles(L, r->e_src_J, n), add_column(L, res, cols, &nc, "e_source");
    lua_setfield(L, res, "columns");

    lua_pushnumber(L, r->energy_J), lua_setfield(L, res, "energy");
    lua_pushnumber(L, r->energy_src_J), lua_setfield(L, res, "energy_source");
    lua_pushnumber(L, r->energy_load_J), lua_setfield(L, res, "energy_load");
    lua_pushinteger(L, (lua_Integer)r->steps), lua_setfield(L, res, "steps");

    lua_createtable(L, 0, 3);
    lua_createtable(L, (int)r->n_events, 0);
    lua_createtable(L, (int)r->n_events, 0);
    lua_createtable(L, (int)r->n_events, 0);
    lua_createtable(L, (int)r->n_spikes, 0);   /* stack: events, t, name, dir, spikes */
    lua_Integer ns = 0;
    for (size_t k = 0; k < r->n_events; k++) {
        const ms_drive_event *e = &r->events[k];
        lua_pushnumber(L, e->t_s), lua_rawseti(L, -5, (lua_Integer)k + 1);
        lua_pushstring(L, c->root_names[e->root]), lua_rawseti(L, -4, (lua_Integer)k + 1);
        lua_pushinteger(L, e->dir), lua_rawseti(L, -3, (lua_Integer)k + 1);
        if (e->root == c->spike_root) lua_pushnumber(L, e->t_s), lua_rawseti(L, -2, ++ns);
    }
    lua_setfield(L, res, "spikes");
    lua_setfield(L, -4, "dir");
    lua_setfield(L, -3, "name");
    lua_setfield(L, -2, "t");
    lua_setfield(L, res, "events");
}

void ldev_push_seq(lua_State *L, int idx, const char *const *names)
{
    idx = lua_absindex(L, idx);
    lua_newtable(L);
    for (int k = 0; names[k]; k++) {
        lua_pushstring(L, names[k]);
        lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, idx, "columns");
}

/* ---- memsnn.device(name, params, opts) ------------------------------------------------------- */

static int l_device_new(lua_State *L)
{
    static const char *const allowed[] = { "seed", "index", "variation", NULL };
    const char *name = luaL_checkstring(L, 1);
    const ms_device_class *c;
    char msg[MS_ERRMSG_LEN];
    if (ms_device_lookup(name, &c, msg, sizeof msg)) return ms_lua_errorf(L, "device: %s", msg);
    if (!lua_isnoneornil(L, 2) && !lua_istable(L, 2))
        return ms_lua_errorf(L, "device: params must be a table { name = value }, got %s", luaL_typename(L, 2));
    int has_opts = !lua_isnoneornil(L, 3);
    if (has_opts) {
        if (!lua_istable(L, 3))
            return ms_lua_errorf(L, "device: options must be a table { seed, index, variation }, got %s",
                          luaL_typename(L, 3));
        ms_lua_check_options(L, 3, "device", allowed);
    }
    lua_settop(L, 3);
    ldev *d = lua_newuserdatauv(L, sizeof *d, 0);
    memset(d, 0, sizeof *d);
    d->c = c;
    luaL_setmetatable(L, MS_LUA_DEVICE);
    int self = lua_gettop(L);
    ms_device_defaults(c, d->p);

    if (lua_istable(L, 2)) {
        int nk = ms_lua_sorted_keys(L, 2, "device"), keys = lua_gettop(L);
        for (int k = 1; k <= nk; k++) {
            lua_rawgeti(L, keys, k);
            const char *pname = lua_tostring(L, -1);
            if (lua_getfield(L, 2, pname) != LUA_TNUMBER)
                return ms_lua_errorf(L, "device: %s parameter %s must be a number, got %s", c->name, pname,
                              luaL_typename(L, -1));
            if (ms_device_param_set(c, d->p, pname, lua_tonumber(L, -1), msg, sizeof msg))
                return ms_lua_errorf(L, "device: %s", msg);
            lua_pop(L, 2);
        }
        lua_pop(L, 1);
    }
    if (ms_device_check(c, d->p, msg, sizeof msg)) return ms_lua_errorf(L, "device: %s", msg);

    /* Stream key: --seed overrides the option, as for networks; the index defaults to the
     * device's number in the script, so two devices never share a stream by accident. */
    lua_getfield(L, LUA_REGISTRYINDEX, COUNT_KEY);
    lua_Integer count = lua_tointeger(L, -1) + 1;
    lua_pop(L, 1);
    lua_pushinteger(L, count);
    lua_setfield(L, LUA_REGISTRYINDEX, COUNT_KEY);
    double seed = 1, index = (double)count;
    if (has_opts) {
        seed = ldev_opt_num(L, 3, "seed", "device", 1, NONNEG, "", 0);
        index = ldev_opt_num(L, 3, "index", "device", index, NONNEG, "", 0);
        d->varied = ldev_opt_bool(L, 3, "variation", "device", 0);
    }
    if (seed != floor(seed) || seed > SEED_MAX)
        return ms_lua_errorf(L, "device: seed must be a whole number in [0, 2^53], got %g", seed);
    if (index != floor(index) || index > INDEX_MAX)
        return ms_lua_errorf(L, "device: index must be a whole number in [0, 2^48 - 1], got %g", index);
    ms_lua_settings *s = ms_lua_get_settings(L);
    d->seed = s->seed_given ? s->seed : (unsigned long long)seed;
    d->index = (unsigned long long)index;
    if (d->varied) {
        ms_rng vr;
        ms_rng_init(&vr, d->seed, d->index, MS_RNG_VARIATION);
        ms_device_rng rng = ldev_device_rng(&vr);
        double nominal[MS_DEVICE_MAX_PARAMS];
        memcpy(nominal, d->p, sizeof nominal);
        if (ms_device_sample(c, nominal, d->p, &rng, msg, sizeof msg)) return ms_lua_errorf(L, "device: %s", msg);
    }
    ms_rng_init(&d->noise, d->seed, d->index, MS_RNG_NOISE);
    if (c->init(d->p, d->y)) return ms_lua_errorf(L, "device: %s: initial state failed", c->name);
    lua_pushvalue(L, self);
    return 1;
}

/* ---- d:drive{...} ----------------------------------------------------------------------------- */

static int l_drive(lua_State *L)
{
    static const char *const allowed[] = { "t", "v", "i", "r_load", "c_node", "v0", "every",
                                           "rtol", "atol", "max_step", NULL };
    const char *F = "drive";
    ldev *d = ldev_check_dev(L, 1);
    ldev_check_table(L, 2, F, "{ t = {...}, v = {...} }");
    lua_settop(L, 2);
    ms_lua_check_options(L, 2, F, allowed);
    size_t nt, nv, ni;
    double *t = ldev_opt_array(L, 2, "t", F, &nt);
    if (!t) return ms_lua_errorf(L, "drive: option 't' (times, s) is required");
    double *v = ldev_opt_array(L, 2, "v", F, &nv);
    double *i = ldev_opt_array(L, 2, "i", F, &ni);
    if (v && i) return ms_lua_errorf(L, "drive: give v (a voltage source, V) or i (a current source, A), not both");
    if (!v && !i) return ms_lua_errorf(L, "drive: the waveform needs v (volts) or i (amperes) beside t");
    size_t nx = v ? nv : ni;
    if (nx != nt)
        return ms_lua_errorf(L, "drive: t has %zu points but %s has %zu; they must have equal length", nt,
                      v ? "v" : "i", nx);
    ms_drive_opts o;
    ldev_read_drive_opts(L, 2, F, d, O_LOAD | O_NODE | O_V0 | O_EVERY | O_SOLVER, &o);
    o.source = v ? MS_DRIVE_VOLTAGE : MS_DRIVE_CURRENT;
    if (i && o.r_load_ohm > 0)
        return ms_lua_errorf(L, "drive: r_load is the series resistor of a voltage source; a current source takes none");
    if (v) o.v_scale_V = fmax(1.0, ldev_max_abs(v, nv));
    for (size_t k = 0; k < nx; k++) {
        char key[32];
        snprintf(key, sizeof key, "%s[%zu]", v ? "v" : "i", k + 1);
        ldev_check_amplitude(L, d, F, key, v ? v[k] : i[k], i != NULL);
    }
    ldev_check_node(L, d, &o, F);
    if (nt >= 2) ldev_check_samples(L, F, t[nt - 1] - t[0], o.dt_sample_s, nt);
    ms_pwl w = { nt, t, v ? v : i };
    rbox *b = ldev_box_new(L);
    ms_error err;
    ms_lua_sigsave sv;
    ms_lua_interrupt_begin(&sv);
    ms_status st = ms_device_drive(d->c, d->p, d->y, &w, &o, &b->r, &err);
    ms_lua_interrupt_end(&sv);
    if (st) return ldev_drive_fail(L, F, st, err.msg);
    ldev_absorb(d, b->r);
    ldev_push_result(L, d, b->r);
    ldev_box_free(b);
    return 1;
}

/* ---- state, parameters, reads, energy --------------------------------------------------------- */

static int l_state(lua_State *L)
{
    ldev *d = ldev_check_dev(L, 1);
    lua_createtable(L, 0, (int)d->c->n_state + 1);
    for (size_t k = 0; k < d->c->n_state; k++) {
        lua_pushnumber(L, d->y[k]);
        lua_setfield(L, -2, d->c->state_names[k]);
    }
    lua_pushnumber(L, d->v_node);
    lua_setfield(L, -2, "v");
    return 1;
}

static int l_set_state(lua_State *L)
{
    ldev *d = ldev_check_dev(L, 1);
    const ms_device_class *c = d->c;
    ldev_check_table(L, 2, "set_state", "{ name = value }");
    lua_settop(L, 2);
    int nk = ms_lua_sorted_keys(L, 2, "set_state"), keys = lua_gettop(L);
    for (int k = 1; k <= nk; k++) {
        lua_rawgeti(L, keys, k);
        const char *name = lua_tostring(L, -1);
        lua_pop(L, 1);
        int idx = -1;
        for (size_t s = 0; s < c->n_state; s++)
            if (strcmp(c->state_names[s], name) == 0) idx = (int)s;
        if (idx < 0 && strcmp(name, "v") != 0) {
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            for (size_t s = 0; s < c->n_state; s++) {
                luaL_addstring(&b, c->state_names[s]);
                luaL_addstring(&b, ", ");
            }
            luaL_addstring(&b, "v (the node voltage)");
            luaL_pushresult(&b);
            return ms_lua_errorf(L, "set_state: %s has no state '%s' (it has: %s)", c->name, name, lua_tostring(L, -1));
        }
        double v = ldev_opt_num(L, 2, name, "set_state", 0, ANY, "", 1);
        if (idx < 0) {
            check_node_v(L, "set_state", "v", v);
            d->v_node = v;
            continue;
        }
        /* a state inside its class's domain, as pop:initialize asks of a network */
        double lo = c->state_min ? c->state_min[idx] : -INFINITY;
        double hi = c->state_max ? c->state_max[idx] : INFINITY;
        if (!(v >= lo && v <= hi)) {
            const char *u = strcmp(c->state_units[idx], "1") == 0 ? "" : c->state_units[idx];
            return ms_lua_errorf(L, "set_state: %s: %s = %g%s%s is outside its domain [%g, %g]%s%s", c->name, name,
                                 v, *u ? " " : "", u, lo, hi, *u ? " " : "", u);
        }
        d->y[idx] = v;
    }
    return 0;
}

static int l_reset(lua_State *L)
{
    ldev *d = ldev_check_dev(L, 1);
    if (d->c->init(d->p, d->y)) return ms_lua_errorf(L, "reset: %s: initial state failed", d->c->name);
    d->v_node = 0;
    return 0;
}

static int l_params(lua_State *L)
{
    ldev *d = ldev_check_dev(L, 1);
    lua_createtable(L, 0, (int)d->c->n_params);
    for (size_t k = 0; k < d->c->n_params; k++) {
        lua_pushnumber(L, d->p[k]);
        lua_setfield(L, -2, d->c->params[k].name);
    }
    return 1;
}

static int l_conductance(lua_State *L)
{
    ldev *d = ldev_check_dev(L, 1);
    double v_read = V_READ_DEFAULT_V;
    if (strcmp(d->c->name, "rram") == 0) v_read = d->p[MS_RRAM_V_READ];
    lua_pushnumber(L, ldev_read_G(d, v_read, 0));
    return 1;
}

static int l_read(lua_State *L)
{
    static const char *const allowed[] = { "v", NULL };
    ldev *d = ldev_check_dev(L, 1);
    double v = strcmp(d->c->name, "rram") == 0 ? d->p[MS_RRAM_V_READ] : V_READ_DEFAULT_V;
    if (!lua_isnoneornil(L, 2)) {
        ldev_check_table(L, 2, "read", "{ v = V }");
        ms_lua_check_options(L, 2, "read", allowed);
        v = ldev_opt_num(L, 2, "v", "read", v, ANY, "V", 0);
        if (v == 0) return ms_lua_errorf(L, "read: v must not be 0 V");
        ldev_check_amplitude(L, d, "read", "v", v, 0);
    }
    lua_pushnumber(L, ldev_read_G(d, v, 1));
    return 1;
}

static int l_energy(lua_State *L)
{
    ldev *d = ldev_check_dev(L, 1);
    lua_createtable(L, 0, 6);
    lua_pushnumber(L, d->e_dev_J + d->e_load_J), lua_setfield(L, -2, "total");
    lua_pushnumber(L, d->e_dev_J), lua_setfield(L, -2, "device");
    lua_pushnumber(L, d->e_load_J), lua_setfield(L, -2, "load");
    lua_pushnumber(L, d->e_src_J), lua_setfield(L, -2, "source");
    lua_pushnumber(L, d->t_driven_s), lua_setfield(L, -2, "duration");
    lua_createtable(L, 0, 2);
    lua_pushnumber(L, d->e_dev_J), lua_setfield(L, -2, d->c->role);
    if (d->e_load_J > 0) lua_pushnumber(L, d->e_load_J), lua_setfield(L, -2, "load");
    lua_setfield(L, -2, "by_class");
    return 1;
}

static int l_name(lua_State *L)
{
    lua_pushstring(L, ldev_check_dev(L, 1)->c->name);
    return 1;
}

static int l_role(lua_State *L)
{
    lua_pushstring(L, ldev_check_dev(L, 1)->c->role);
    return 1;
}

static int l_tostring(lua_State *L)
{
    ldev *d = ldev_check_dev(L, 1);
    lua_pushfstring(L, "memsnn.Device(%s, index %I)", d->c->name, (lua_Integer)d->index);
    return 1;
}

/* ---- memsnn.devices(), memsnn.device_params(name) --------------------------------------------- */

static void push_names(lua_State *L, const char *const *names, size_t n)
{
    lua_createtable(L, (int)n, 0);
    for (size_t k = 0; k < n; k++) {
        lua_pushstring(L, names[k]);
        lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
}

static int l_devices(lua_State *L)
{
    size_t n = ms_device_count();
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        const ms_device_class *c = ms_device_at(i);
        lua_createtable(L, 0, 12);
        lua_pushstring(L, c->name), lua_setfield(L, -2, "name");
        lua_pushstring(L, c->doc), lua_setfield(L, -2, "doc");
        lua_pushstring(L, c->role), lua_setfield(L, -2, "role");
        push_names(L, c->state_names, c->n_state), lua_setfield(L, -2, "states");
        push_names(L, c->state_units, c->n_state), lua_setfield(L, -2, "state_units");
        push_names(L, c->root_names, c->n_roots), lua_setfield(L, -2, "roots");
        lua_pushboolean(L, c->capacitance != NULL), lua_setfield(L, -2, "capacitor");
        lua_pushboolean(L, c->spike_root >= 0), lua_setfield(L, -2, "spikes");
        lua_pushboolean(L, c->sample != NULL), lua_setfield(L, -2, "variation");
        lua_pushboolean(L, c->pulse_noise != NULL), lua_setfield(L, -2, "pulse_noise");
        lua_pushboolean(L, c->read != NULL), lua_setfield(L, -2, "read_noise");
        lua_pushboolean(L, c->relax != NULL), lua_setfield(L, -2, "relaxation");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int l_device_params(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    const ms_device_class *c;
    char msg[MS_ERRMSG_LEN];
    if (ms_device_lookup(name, &c, msg, sizeof msg)) return ms_lua_errorf(L, "device_params: %s", msg);
    lua_createtable(L, 0, (int)c->n_params);
    for (size_t k = 0; k < c->n_params; k++) {
        const ms_param_desc *p = &c->params[k];
        lua_createtable(L, 0, 8);
        lua_pushnumber(L, p->def), lua_setfield(L, -2, "default");
        lua_pushstring(L, p->unit), lua_setfield(L, -2, "unit");
        lua_pushnumber(L, p->min), lua_setfield(L, -2, "min");
        lua_pushnumber(L, p->max), lua_setfield(L, -2, "max");
        lua_pushboolean(L, p->integer), lua_setfield(L, -2, "integer");
        lua_pushstring(L, ms_param_origin_tag(p->origin)), lua_setfield(L, -2, "origin");
        lua_pushstring(L, p->source), lua_setfield(L, -2, "source");
        lua_pushstring(L, p->doc), lua_setfield(L, -2, "doc");
        lua_setfield(L, -2, p->name);
    }
    return 1;
}

void ms_lua_open_device(lua_State *L)
{
    static const luaL_Reg methods[] = {
        { "drive", l_drive },         { "sweep", ldev_sweep },
        { "pulses", ldev_pulses },       { "program", ldev_program },
        { "relax", ldev_relax },         { "current_step", ldev_current_step },
        { "endure", ldev_endure },
        { "state", l_state },         { "set_state", l_set_state },
        { "reset", l_reset },         { "params", l_params },
        { "conductance", l_conductance }, { "read", l_read },
        { "energy", l_energy },       { "name", l_name },
        { "role", l_role },           { NULL, NULL },
    };
    int mod = lua_gettop(L);
    luaL_newmetatable(L, MS_LUA_DEVICE);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pop(L, 1);
    luaL_newmetatable(L, RESULT_BOX);
    lua_pushcfunction(L, box_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
    lua_pushcfunction(L, l_device_new), lua_setfield(L, mod, "device");
    lua_pushcfunction(L, l_devices), lua_setfield(L, mod, "devices");
    lua_pushcfunction(L, l_device_params), lua_setfield(L, mod, "device_params");
}

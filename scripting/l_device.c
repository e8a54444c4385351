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

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "core/ms_rng.h"
#include "devices/ms_device.h"
#include "devices/ms_program.h"
#include "devices/ms_rram.h"
#include "neurons/ms_device_drive.h"
#include "scripting/l_util.h"

#define RESULT_BOX "memsnn.DeviceResult"
#define COUNT_KEY "memsnn.device_count"
#define MAX_SAMPLES 1e7                 /* largest result one call may return (samples)      */
#define MAX_PULSES 1000000              /* longest pulse train                                */
#define MAX_CYCLES 1000000              /* most sweep cycles                                  */
#define MAX_WV_ITER 100000              /* largest write-verify limit (the rram range's top)  */
#define EDGE_DEFAULT_S 1e-9             /* rise and fall time of protocol pulses (s)          */
#define V_READ_DEFAULT_V 0.2            /* verify reads of classes without V_read (V)         */
#define WV_V_STEP_DEFAULT_V 0.1         /* ramp step of classes without wv_V_step (V)         */
#define WV_MAX_ITER_DEFAULT 100         /* pulse limit of classes without wv_max_iter         */
#define SEED_MAX 9007199254740992.0     /* 2^53: seeds are whole Lua numbers                  */
#define INDEX_MAX 281474976710655.0     /* 2^48 - 1: the largest ms_rng stream index          */

typedef struct ldev {
    const ms_device_class *c;
    double p[MS_DEVICE_MAX_PARAMS];     /* parameters, validated (after variation)           */
    double y[MS_DEVICE_MAX_STATE];      /* state at the end of the last call                 */
    double v_node;                      /* node voltage at the end of the last call (V)      */
    unsigned long long seed, index;     /* key of the random streams                         */
    int varied;                         /* parameters drawn from the variation law           */
    ms_rng noise;                       /* c2c noise, read noise, relaxation draws           */
    double e_dev_J, e_src_J, e_load_J;  /* energy tally over every call                      */
    double t_driven_s;                  /* total driven time (s)                             */
} ldev;

/* A drive result owned by a userdata, so a Lua error while its tables are built (out of
 * memory) still frees it. */
typedef struct rbox {
    ms_drive_result *r;
} rbox;

/* ---- helpers ---------------------------------------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int errorf(lua_State *L, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return luaL_error(L, "%s", buf);
}

/* A message of the C layer, prefixed with the method name unless it starts with it. */
static int fail(lua_State *L, const char *fname, const char *msg)
{
    size_t n = strlen(fname);
    if (strncmp(msg, fname, n) == 0 && msg[n] == ':') return luaL_error(L, "%s", msg);
    return luaL_error(L, "%s: %s", fname, msg);
}

static double rng_uniform(void *ud) { return ms_rng_uniform(ud); }
static double rng_normal(void *ud) { return ms_rng_normal(ud); }

static ms_device_rng device_rng(ms_rng *r) { return (ms_device_rng){ rng_uniform, rng_normal, r }; }

static ldev *check_dev(lua_State *L, int idx) { return luaL_checkudata(L, idx, MS_LUA_DEVICE); }

static void check_table(lua_State *L, int idx, const char *fname, const char *example)
{
    if (!lua_istable(L, idx))
        errorf(L, "%s: expects an option table %s, got %s", fname, example, luaL_typename(L, idx));
}

enum rule { ANY, NONNEG, POS, FRACTION };   /* finite; >= 0; > 0; in (0, 1) */

/* Option `key` of the table at idx as a number obeying `rule`; def when absent. */
static double opt_num(lua_State *L, int idx, const char *key, const char *fname, double def,
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
    if (!ok) errorf(L, "%s: %s = %g%s%s must be %s", fname, key, v, *unit ? " " : "", unit, what[rule]);
    return v;
}

static long long opt_int(lua_State *L, int idx, const char *key, const char *fname, long long def,
                         long long lo, long long hi, int required)
{
    int t = lua_getfield(L, idx, key);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        if (required) errorf(L, "%s: option '%s' is required", fname, key);
        return def;
    }
    if (t != LUA_TNUMBER) errorf(L, "%s: %s must be a whole number, got %s", fname, key, luaL_typename(L, -1));
    double v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    if (!(v == floor(v) && v >= (double)lo && v <= (double)hi))
        errorf(L, "%s: %s = %g must be a whole number in [%lld, %lld]", fname, key, v, lo, hi);
    return (long long)v;
}

static int opt_bool(lua_State *L, int idx, const char *key, const char *fname, int def)
{
    int t = lua_getfield(L, idx, key);
    int v = t == LUA_TNIL ? def : lua_toboolean(L, -1);
    if (t != LUA_TNIL && t != LUA_TBOOLEAN)
        errorf(L, "%s: %s must be true or false, got %s", fname, key, luaL_typename(L, -1));
    lua_pop(L, 1);
    return v;
}

/* Option `key` as an array of finite numbers; NULL when absent. The buffer is left on the stack. */
static double *opt_array(lua_State *L, int idx, const char *key, const char *fname, size_t *n)
{
    if (lua_getfield(L, idx, key) == LUA_TNIL) {
        lua_pop(L, 1);
        *n = 0;
        return NULL;
    }
    double *a = ms_lua_number_array(L, -1, n, fname, key);
    lua_remove(L, -2);
    for (size_t k = 0; k < *n; k++)
        if (!isfinite(a[k])) errorf(L, "%s: %s[%zu] = %g is not finite", fname, key, k + 1, a[k]);
    return a;
}

/* Options shared by the drive and the protocols; `which` selects the ones a method takes, and
 * must match its list of allowed names. */
enum { O_LOAD = 1, O_NODE = 2, O_V0 = 4, O_EVERY = 8, O_SOLVER = 16, O_EDGE = 32 };

static void read_drive_opts(lua_State *L, int idx, const char *fname, const ldev *d, unsigned which,
                            ms_drive_opts *o)
{
    ms_drive_opts_default(o);
    o->v0_V = d->v_node;
    if (which & O_LOAD) o->r_load_ohm = opt_num(L, idx, "r_load", fname, 0, NONNEG, "ohm", 0);
    if (which & O_NODE) o->c_node_F = opt_num(L, idx, "c_node", fname, 0, NONNEG, "F", 0);
    if (which & O_V0) o->v0_V = opt_num(L, idx, "v0", fname, d->v_node, ANY, "V", 0);
    if (which & O_EVERY) o->dt_sample_s = opt_num(L, idx, "every", fname, 0, NONNEG, "s", 0);
    if (which & O_SOLVER) {
        o->rtol = opt_num(L, idx, "rtol", fname, o->rtol, FRACTION, "", 0);
        o->atol_rel = opt_num(L, idx, "atol", fname, o->atol_rel, FRACTION, "", 0);
        o->max_step_s = opt_num(L, idx, "max_step", fname, 0, NONNEG, "s", 0);
    }
    if (which & O_EDGE) o->t_edge_s = opt_num(L, idx, "edge", fname, EDGE_DEFAULT_S, POS, "s", 0);
}

/* A node that is not tied to a voltage source needs a capacitance to have a voltage. */
static void check_node(lua_State *L, const ldev *d, const ms_drive_opts *o, const char *fname)
{
    int current = o->source == MS_DRIVE_CURRENT;
    if ((current || o->r_load_ohm > 0) && !(ms_device_capacitance(d->c, d->p) + o->c_node_F > 0))
        errorf(L, "%s: %s has no capacitance, so %s needs c_node > 0 (F) on its node", fname,
               d->c->name, current ? "a current source" : "a load (r_load)");
}

static void check_samples(lua_State *L, const char *fname, double duration, double every, size_t points)
{
    if (every > 0 && isfinite(duration) && duration / every + (double)points > MAX_SAMPLES)
        errorf(L, "%s: every = %g s over %g s gives %.3g samples (at most %.0e)", fname, every,
               duration, duration / every, MAX_SAMPLES);
}

static double max_abs(const double *x, size_t n)
{
    double m = 0;
    for (size_t k = 0; k < n; k++) m = fmax(m, fabs(x[k]));
    return m;
}

static rbox *box_new(lua_State *L)
{
    rbox *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->r = NULL;
    luaL_setmetatable(L, RESULT_BOX);
    return b;
}

static void box_free(rbox *b)
{
    ms_drive_result_free(b->r);
    b->r = NULL;
}

static int box_gc(lua_State *L)
{
    box_free(luaL_checkudata(L, 1, RESULT_BOX));
    return 0;
}

/* The device continues from the end of a result: state, node voltage, energy tally. */
static void absorb(ldev *d, const ms_drive_result *r)
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
static double read_G(ldev *d, double v_read, int noisy)
{
    const ms_device_class *c = d->c;
    if (noisy && c->read) {
        ms_device_rng rng = device_rng(&d->noise);
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

static void push_result(lua_State *L, const ldev *d, const ms_drive_result *r)
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

static void push_seq(lua_State *L, int idx, const char *const *names)
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
    if (ms_device_lookup(name, &c, msg, sizeof msg)) return errorf(L, "device: %s", msg);
    if (!lua_isnoneornil(L, 2) && !lua_istable(L, 2))
        return errorf(L, "device: params must be a table { name = value }, got %s", luaL_typename(L, 2));
    int has_opts = !lua_isnoneornil(L, 3);
    if (has_opts) {
        if (!lua_istable(L, 3))
            return errorf(L, "device: options must be a table { seed, index, variation }, got %s",
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
                return errorf(L, "device: %s parameter %s must be a number, got %s", c->name, pname,
                              luaL_typename(L, -1));
            if (ms_device_param_set(c, d->p, pname, lua_tonumber(L, -1), msg, sizeof msg))
                return errorf(L, "device: %s", msg);
            lua_pop(L, 2);
        }
        lua_pop(L, 1);
    }
    if (ms_device_check(c, d->p, msg, sizeof msg)) return errorf(L, "device: %s", msg);

    /* Stream key: --seed overrides the option, as for networks; the index defaults to the
     * device's number in the script, so two devices never share a stream by accident. */
    lua_getfield(L, LUA_REGISTRYINDEX, COUNT_KEY);
    lua_Integer count = lua_tointeger(L, -1) + 1;
    lua_pop(L, 1);
    lua_pushinteger(L, count);
    lua_setfield(L, LUA_REGISTRYINDEX, COUNT_KEY);
    double seed = 1, index = (double)count;
    if (has_opts) {
        seed = opt_num(L, 3, "seed", "device", 1, NONNEG, "", 0);
        index = opt_num(L, 3, "index", "device", index, NONNEG, "", 0);
        d->varied = opt_bool(L, 3, "variation", "device", 0);
    }
    if (seed != floor(seed) || seed > SEED_MAX)
        return errorf(L, "device: seed must be a whole number in [0, 2^53], got %g", seed);
    if (index != floor(index) || index > INDEX_MAX)
        return errorf(L, "device: index must be a whole number in [0, 2^48 - 1], got %g", index);
    ms_lua_settings *s = ms_lua_get_settings(L);
    d->seed = s->seed_given ? s->seed : (unsigned long long)seed;
    d->index = (unsigned long long)index;
    if (d->varied) {
        ms_rng vr;
        ms_rng_init(&vr, d->seed, d->index, MS_RNG_VARIATION);
        ms_device_rng rng = device_rng(&vr);
        double nominal[MS_DEVICE_MAX_PARAMS];
        memcpy(nominal, d->p, sizeof nominal);
        if (ms_device_sample(c, nominal, d->p, &rng, msg, sizeof msg)) return errorf(L, "device: %s", msg);
    }
    ms_rng_init(&d->noise, d->seed, d->index, MS_RNG_NOISE);
    if (c->init(d->p, d->y)) return errorf(L, "device: %s: initial state failed", c->name);
    lua_pushvalue(L, self);
    return 1;
}

/* ---- d:drive{...} ----------------------------------------------------------------------------- */

static int l_drive(lua_State *L)
{
    static const char *const allowed[] = { "t", "v", "i", "r_load", "c_node", "v0", "every",
                                           "rtol", "atol", "max_step", NULL };
    const char *F = "drive";
    ldev *d = check_dev(L, 1);
    check_table(L, 2, F, "{ t = {...}, v = {...} }");
    lua_settop(L, 2);
    ms_lua_check_options(L, 2, F, allowed);
    size_t nt, nv, ni;
    double *t = opt_array(L, 2, "t", F, &nt);
    if (!t) return errorf(L, "drive: option 't' (times, s) is required");
    double *v = opt_array(L, 2, "v", F, &nv);
    double *i = opt_array(L, 2, "i", F, &ni);
    if (v && i) return errorf(L, "drive: give v (a voltage source, V) or i (a current source, A), not both");
    if (!v && !i) return errorf(L, "drive: the waveform needs v (volts) or i (amperes) beside t");
    size_t nx = v ? nv : ni;
    if (nx != nt)
        return errorf(L, "drive: t has %zu points but %s has %zu; they must have equal length", nt,
                      v ? "v" : "i", nx);
    ms_drive_opts o;
    read_drive_opts(L, 2, F, d, O_LOAD | O_NODE | O_V0 | O_EVERY | O_SOLVER, &o);
    o.source = v ? MS_DRIVE_VOLTAGE : MS_DRIVE_CURRENT;
    if (i && o.r_load_ohm > 0)
        return errorf(L, "drive: r_load is the series resistor of a voltage source; a current source takes none");
    if (v) o.v_scale_V = fmax(1.0, max_abs(v, nv));
    check_node(L, d, &o, F);
    if (nt >= 2) check_samples(L, F, t[nt - 1] - t[0], o.dt_sample_s, nt);
    ms_pwl w = { nt, t, v ? v : i };
    rbox *b = box_new(L);
    ms_error err;
    if (ms_device_drive(d->c, d->p, d->y, &w, &o, &b->r, &err)) return fail(L, F, err.msg);
    absorb(d, b->r);
    push_result(L, d, b->r);
    box_free(b);
    return 1;
}

/* ---- protocols -------------------------------------------------------------------------------- */

static int l_sweep(lua_State *L)
{
    static const char *const allowed[] = { "v_max", "v_min", "t_ramp", "cycles", "every", "r_load",
                                           "c_node", "v0", "rtol", "atol", "max_step", NULL };
    const char *F = "sweep";
    ldev *d = check_dev(L, 1);
    check_table(L, 2, F, "{ v_max = V, v_min = V, t_ramp = s }");
    lua_settop(L, 2);
    ms_lua_check_options(L, 2, F, allowed);
    ms_sweep s;
    s.v_max_V = opt_num(L, 2, "v_max", F, 0, NONNEG, "V", 0);
    s.v_min_V = opt_num(L, 2, "v_min", F, 0, ANY, "V", 0);
    if (s.v_min_V > 0) return errorf(L, "sweep: v_min = %g V must be <= 0", s.v_min_V);
    if (s.v_max_V == 0 && s.v_min_V == 0)
        return errorf(L, "sweep: give v_max > 0 and/or v_min < 0 (V); both are 0");
    s.t_ramp_s = opt_num(L, 2, "t_ramp", F, 0, POS, "s", 1);
    s.cycles = (int)opt_int(L, 2, "cycles", F, 1, 1, MAX_CYCLES, 0);
    ms_drive_opts o;
    read_drive_opts(L, 2, F, d, O_LOAD | O_NODE | O_V0 | O_EVERY | O_SOLVER, &o);
    double peak = fmax(s.v_max_V, -s.v_min_V);
    o.v_scale_V = fmax(1.0, peak);
    check_node(L, d, &o, F);
    check_samples(L, F, s.cycles * 2.0 * (s.v_max_V - s.v_min_V) * s.t_ramp_s / peak,
                  o.dt_sample_s, 1 + 4 * (size_t)s.cycles);
    rbox *b = box_new(L);
    ms_error err;
    if (ms_drive_dc_sweep(d->c, d->p, d->y, &s, &o, &b->r, &err)) return fail(L, F, err.msg);
    absorb(d, b->r);
    push_result(L, d, b->r);
    box_free(b);
    return 1;
}

static int l_pulses(lua_State *L)
{
    static const char *const allowed[] = { "v", "width", "gap", "n", "edge", "trace", "every",
                                           "rtol", "atol", "max_step", NULL };
    const char *F = "pulses";
    ldev *d = check_dev(L, 1);
    check_table(L, 2, F, "{ v = V, width = s, n = count }");
    lua_settop(L, 2);
    ms_lua_check_options(L, 2, F, allowed);
    ms_pulse pl;
    pl.v_V = opt_num(L, 2, "v", F, 0, ANY, "V", 1);
    size_t n = (size_t)opt_int(L, 2, "n", F, 0, 1, MAX_PULSES, 1);
    ms_drive_opts o;
    read_drive_opts(L, 2, F, d, O_EDGE | O_EVERY | O_SOLVER, &o);
    pl.t_width_s = opt_num(L, 2, "width", F, 0, POS, "s", 1);
    if (!(pl.t_width_s > o.t_edge_s))
        return errorf(L, "pulses: width = %g s must exceed edge = %g s (the rise and fall time)",
                      pl.t_width_s, o.t_edge_s);
    pl.t_gap_s = opt_num(L, 2, "gap", F, pl.t_width_s, POS, "s", 0);
    int trace = opt_bool(L, 2, "trace", F, o.dt_sample_s > 0);
    if (!trace) o.dt_sample_s = 0;
    o.v_scale_V = fmax(1.0, fabs(pl.v_V));
    check_samples(L, F, (double)n * (pl.t_gap_s + pl.t_width_s + o.t_edge_s), o.dt_sample_s, 1 + 4 * n);
    ms_device_rng rng = device_rng(&d->noise);
    o.rng = &rng;
    double *G = lua_newuserdatauv(L, (n + 1) * sizeof *G, 0);
    rbox *b = box_new(L);
    ms_error err;
    if (ms_drive_pulse_train(d->c, d->p, d->y, &pl, n, &o, G, &b->r, &err)) return fail(L, F, err.msg);
    absorb(d, b->r);
    lua_createtable(L, 0, 8);
    lua_createtable(L, (int)n + 1, 0);
    for (size_t k = 0; k <= n; k++) lua_pushinteger(L, (lua_Integer)k), lua_rawseti(L, -2, (lua_Integer)k + 1);
    lua_setfield(L, -2, "pulse");
    ms_lua_push_doubles(L, G, n + 1), lua_setfield(L, -2, "G");
    lua_pushnumber(L, b->r->energy_J), lua_setfield(L, -2, "energy");
    lua_pushnumber(L, b->r->energy_src_J), lua_setfield(L, -2, "energy_source");
    push_seq(L, -1, (const char *const[]){ "pulse", "G", NULL });
    if (trace) {
        push_result(L, d, b->r);
        lua_setfield(L, -2, "trace");
    }
    box_free(b);
    return 1;
}

/* Write-verify: devices/ms_program.h's loop with pulses integrated by CVODE, recording every
 * verify read. No Lua call happens inside it (no longjmp across the C frames). */
typedef struct prog {
    ldev *d;
    ms_drive_opts o;
    double v_read_V;
    double *G_hist, *v_hist;           /* [cap] verify reads and the amplitude before each   */
    size_t n_hist, cap;
    double v_prev_V;                   /* amplitude of the last pulse (0 before the first)   */
    double energy_J, energy_src_J;
    ms_error err;
    ms_status st;
} prog;

static int prog_read(void *ud, double *G)
{
    prog *p = ud;
    *G = read_G(p->d, p->v_read_V, 1);
    if (p->n_hist < p->cap) {
        p->G_hist[p->n_hist] = *G;
        p->v_hist[p->n_hist++] = p->v_prev_V;
    }
    return 0;
}

static int prog_pulse(void *ud, double v, double t_w)
{
    prog *p = ud;
    ms_pulse pl = { v, t_w, p->o.t_edge_s };
    ms_drive_result *r = NULL;
    p->st = ms_drive_pulse_train(p->d->c, p->d->p, p->d->y, &pl, 1, &p->o, NULL, &r, &p->err);
    if (!p->st) {
        absorb(p->d, r);
        p->energy_J += r->energy_J;
        p->energy_src_J += r->energy_src_J;
    }
    ms_drive_result_free(r);
    p->v_prev_V = v;
    return p->st != MS_OK;
}

static int l_program(lua_State *L)
{
    static const char *const allowed[] = { "target", "tol", "max_iter", "v_set", "v_reset", "v_max",
                                           "v_step", "width", "edge", "v_read", "rtol", "atol",
                                           "max_step", NULL };
    const char *F = "program";
    ldev *d = check_dev(L, 1);
    check_table(L, 2, F, "{ target = S }");
    lua_settop(L, 2);
    ms_lua_check_options(L, 2, F, allowed);
    const ms_device_class *c = d->c;
    ms_wv_opts wv;
    double target = opt_num(L, 2, "target", F, 0, NONNEG, "S", 1);
    /* rram takes every default from its parameters; other classes must be told. */
    int rram = strcmp(c->name, "rram") == 0;
    double v_read = V_READ_DEFAULT_V;
    if (rram) {
        ms_rram_wv_defaults(d->p, target, &wv);
        v_read = d->p[MS_RRAM_V_READ];
    } else {
        static const char *const need[] = { "tol", "v_set", "v_reset", "v_max", "width", NULL };
        for (int k = 0; need[k]; k++) {
            if (lua_getfield(L, 2, need[k]) == LUA_TNIL)
                return errorf(L, "program: option '%s' is required for %s (only rram takes its "
                              "write-verify defaults from its parameters)", need[k], c->name);
            lua_pop(L, 1);
        }
        memset(&wv, 0, sizeof wv);
        wv.G_target_S = target;
        wv.max_iter = WV_MAX_ITER_DEFAULT;
        wv.v_step_V = WV_V_STEP_DEFAULT_V;
    }
    wv.tol_S = opt_num(L, 2, "tol", F, wv.tol_S, POS, "S", 0);
    wv.max_iter = (int)opt_int(L, 2, "max_iter", F, wv.max_iter, 1, MAX_WV_ITER, 0);
    wv.v_set_first_V = opt_num(L, 2, "v_set", F, wv.v_set_first_V, POS, "V", 0);
    wv.v_reset_first_V = opt_num(L, 2, "v_reset", F, wv.v_reset_first_V, ANY, "V", 0);
    if (!(wv.v_reset_first_V < 0))
        return errorf(L, "program: v_reset = %g V must be < 0 (the first RESET amplitude)", wv.v_reset_first_V);
    double v_max = opt_num(L, 2, "v_max", F, wv.v_set_max_V, POS, "V", 0);
    if (v_max < wv.v_set_first_V || v_max < -wv.v_reset_first_V)
        return errorf(L, "program: v_max = %g V must be >= v_set (%g V) and >= -v_reset (%g V)", v_max,
                      wv.v_set_first_V, -wv.v_reset_first_V);
    wv.v_set_max_V = v_max;
    wv.v_reset_max_V = -v_max;
    wv.v_step_V = opt_num(L, 2, "v_step", F, wv.v_step_V, POS, "V", 0);
    wv.t_pulse_s = opt_num(L, 2, "width", F, wv.t_pulse_s, POS, "s", 0);
    v_read = opt_num(L, 2, "v_read", F, v_read, ANY, "V", 0);
    if (v_read == 0) return errorf(L, "program: v_read must not be 0 V");

    prog p;
    memset(&p, 0, sizeof p);
    p.d = d;
    read_drive_opts(L, 2, F, d, O_EDGE | O_SOLVER, &p.o);
    if (!(wv.t_pulse_s > p.o.t_edge_s))
        return errorf(L, "program: width = %g s must exceed edge = %g s (the rise and fall time)",
                      wv.t_pulse_s, p.o.t_edge_s);
    p.o.v_read_V = p.v_read_V = v_read;
    p.o.v_scale_V = fmax(1.0, v_max);
    ms_device_rng rng = device_rng(&d->noise);
    p.o.rng = &rng;
    p.cap = (size_t)wv.max_iter + 1;
    p.G_hist = lua_newuserdatauv(L, 2 * p.cap * sizeof *p.G_hist, 0);
    p.v_hist = p.G_hist + p.cap;

    ms_wv_result res;
    ms_wv_ops ops = { prog_read, prog_pulse, &p };
    char msg[MS_ERRMSG_LEN];
    int rc = ms_write_verify(&wv, &ops, &res, msg, sizeof msg);
    if (p.st) return fail(L, F, p.err.msg);
    if (rc) return fail(L, F, msg);

    lua_createtable(L, 0, 16);
    lua_pushboolean(L, res.converged), lua_setfield(L, -2, "converged");
    lua_pushinteger(L, res.pulses), lua_setfield(L, -2, "pulses");
    lua_pushinteger(L, res.n_set), lua_setfield(L, -2, "n_set");
    lua_pushinteger(L, res.n_reset), lua_setfield(L, -2, "n_reset");
    lua_pushnumber(L, res.G_read_S), lua_setfield(L, -2, "G");
    lua_pushnumber(L, target), lua_setfield(L, -2, "target");
    lua_pushnumber(L, wv.tol_S), lua_setfield(L, -2, "tol");
    lua_pushnumber(L, res.v_last_V), lua_setfield(L, -2, "v_last");
    lua_pushnumber(L, p.energy_J), lua_setfield(L, -2, "energy");
    lua_pushnumber(L, p.energy_src_J), lua_setfield(L, -2, "energy_source");
    lua_createtable(L, (int)p.n_hist, 0);
    for (size_t k = 0; k < p.n_hist; k++) lua_pushinteger(L, (lua_Integer)k), lua_rawseti(L, -2, (lua_Integer)k + 1);
    lua_setfield(L, -2, "pulse");
    ms_lua_push_doubles(L, p.G_hist, p.n_hist), lua_setfield(L, -2, "G_read");
    ms_lua_push_doubles(L, p.v_hist, p.n_hist), lua_setfield(L, -2, "v_pulse");
    push_seq(L, -1, (const char *const[]){ "pulse", "G_read", "v_pulse", NULL });
    return 1;
}

static int l_relax(lua_State *L)
{
    static const char *const allowed[] = { "t", "xi", NULL };
    const char *F = "relax";
    ldev *d = check_dev(L, 1);
    check_table(L, 2, F, "{ t = {...} }");
    lua_settop(L, 2);
    ms_lua_check_options(L, 2, F, allowed);
    if (!d->c->relax || !d->c->conductance)
        return errorf(L, "relax: %s has no relaxation law (memsnn.devices() marks the ones that have)",
                      d->c->name);
    size_t n;
    double *t = opt_array(L, 2, "t", F, &n);
    if (!t || n == 0) return errorf(L, "relax: option 't' (times after programming, s) needs at least one time");
    for (size_t k = 0; k < n; k++)
        if (t[k] < 0) return errorf(L, "relax: t[%zu] = %g s must be >= 0", k + 1, t[k]);
    double xi;
    if (lua_getfield(L, 2, "xi") != LUA_TNIL) {
        lua_pop(L, 1);
        xi = opt_num(L, 2, "xi", F, 0, ANY, "", 0);
    } else {
        lua_pop(L, 1);
        xi = ms_rng_normal(&d->noise);
    }
    double *G = lua_newuserdatauv(L, n * sizeof *G, 0);
    ms_error err;
    if (ms_drive_relaxation(d->c, d->p, d->y, t, n, xi, G, &err)) return fail(L, F, err.msg);
    lua_createtable(L, 0, 4);
    ms_lua_push_doubles(L, t, n), lua_setfield(L, -2, "t");
    ms_lua_push_doubles(L, G, n), lua_setfield(L, -2, "G");
    lua_pushnumber(L, xi), lua_setfield(L, -2, "xi");
    push_seq(L, -1, (const char *const[]){ "t", "G", NULL });
    return 1;
}

static int l_current_step(lua_State *L)
{
    static const char *const allowed[] = { "i", "duration", "edge", "every", "c_node", "v0", "rtol",
                                           "atol", "max_step", NULL };
    const char *F = "current_step";
    ldev *d = check_dev(L, 1);
    check_table(L, 2, F, "{ i = A, duration = s }");
    lua_settop(L, 2);
    ms_lua_check_options(L, 2, F, allowed);
    double amp = opt_num(L, 2, "i", F, 0, ANY, "A", 1);
    ms_drive_opts o;
    read_drive_opts(L, 2, F, d, O_EDGE | O_NODE | O_V0 | O_EVERY | O_SOLVER, &o);
    o.source = MS_DRIVE_CURRENT;
    double dur = opt_num(L, 2, "duration", F, 0, POS, "s", 1);
    if (!(dur > o.t_edge_s))
        return errorf(L, "current_step: duration = %g s must exceed edge = %g s (the rise time)", dur,
                      o.t_edge_s);
    check_node(L, d, &o, F);
    check_samples(L, F, dur, o.dt_sample_s, 3);
    double t[3] = { 0.0, o.t_edge_s, dur }, x[3] = { 0.0, amp, amp };
    ms_pwl w = { 3, t, x };
    rbox *b = box_new(L);
    ms_error err;
    if (ms_device_drive(d->c, d->p, d->y, &w, &o, &b->r, &err)) return fail(L, F, err.msg);
    absorb(d, b->r);
    push_result(L, d, b->r);
    lua_pushnumber(L, ms_drive_spike_rate(b->r, d->c));
    lua_setfield(L, -2, "rate");
    box_free(b);
    return 1;
}

/* ---- state, parameters, reads, energy --------------------------------------------------------- */

static int l_state(lua_State *L)
{
    ldev *d = check_dev(L, 1);
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
    ldev *d = check_dev(L, 1);
    const ms_device_class *c = d->c;
    check_table(L, 2, "set_state", "{ name = value }");
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
            return errorf(L, "set_state: %s has no state '%s' (it has: %s)", c->name, name, lua_tostring(L, -1));
        }
        double v = opt_num(L, 2, name, "set_state", 0, ANY, "", 1);
        if (idx < 0) d->v_node = v;
        else d->y[idx] = v;
    }
    return 0;
}

static int l_reset(lua_State *L)
{
    ldev *d = check_dev(L, 1);
    if (d->c->init(d->p, d->y)) return errorf(L, "reset: %s: initial state failed", d->c->name);
    d->v_node = 0;
    return 0;
}

static int l_params(lua_State *L)
{
    ldev *d = check_dev(L, 1);
    lua_createtable(L, 0, (int)d->c->n_params);
    for (size_t k = 0; k < d->c->n_params; k++) {
        lua_pushnumber(L, d->p[k]);
        lua_setfield(L, -2, d->c->params[k].name);
    }
    return 1;
}

static int l_conductance(lua_State *L)
{
    ldev *d = check_dev(L, 1);
    double v_read = V_READ_DEFAULT_V;
    if (strcmp(d->c->name, "rram") == 0) v_read = d->p[MS_RRAM_V_READ];
    lua_pushnumber(L, read_G(d, v_read, 0));
    return 1;
}

static int l_read(lua_State *L)
{
    static const char *const allowed[] = { "v", NULL };
    ldev *d = check_dev(L, 1);
    double v = strcmp(d->c->name, "rram") == 0 ? d->p[MS_RRAM_V_READ] : V_READ_DEFAULT_V;
    if (!lua_isnoneornil(L, 2)) {
        check_table(L, 2, "read", "{ v = V }");
        ms_lua_check_options(L, 2, "read", allowed);
        v = opt_num(L, 2, "v", "read", v, ANY, "V", 0);
        if (v == 0) return errorf(L, "read: v must not be 0 V");
    }
    lua_pushnumber(L, read_G(d, v, 1));
    return 1;
}

static int l_energy(lua_State *L)
{
    ldev *d = check_dev(L, 1);
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
    lua_pushstring(L, check_dev(L, 1)->c->name);
    return 1;
}

static int l_role(lua_State *L)
{
    lua_pushstring(L, check_dev(L, 1)->c->role);
    return 1;
}

static int l_tostring(lua_State *L)
{
    ldev *d = check_dev(L, 1);
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
    if (ms_device_lookup(name, &c, msg, sizeof msg)) return errorf(L, "device_params: %s", msg);
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
        { "drive", l_drive },         { "sweep", l_sweep },
        { "pulses", l_pulses },       { "program", l_program },
        { "relax", l_relax },         { "current_step", l_current_step },
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

/* scripting/l_device_endurance.c: d:endure{...}, the endurance protocol of an "rram" device
 * (devices/ms_rram_endurance.h) from Lua: analog or full-window cycles, readouts every decade of
 * cycles or at given counts, the fast path by cycle blocks or explicit cycling (block = 0), each
 * pulse in closed form (method "exact") or integrated by CVODE (method "ode",
 * neurons/ms_endurance_ode.h). The device keeps its wear and its state afterwards
 * (docs/lua-api.md, "Single devices"). */
#include <math.h>
#include <string.h>

#include <lauxlib.h>

#include "devices/ms_rram.h"
#include "devices/ms_rram_endurance.h"
#include "neurons/ms_endurance_ode.h"
#include "scripting/l_device.h"
#include "scripting/l_device_impl.h"
#include "scripting/l_objects.h"
#include "scripting/l_util.h"

#define CYCLES_MAX 1e15     /* most cycles one call runs: 1e4 x the 1e11 of [S ZHAO18]
                             * (docs/devices/sources.md)                                         */
#define READOUTS_MAX 10000  /* most readout points                                            */
#define ODE_PULSES_MAX 1e7  /* most pulses of explicit cycling with method "ode": about 3 min of
                             * CPU for 100 ns analog pulses, 15 us each (bench/endurance_ode.lua) */

/* Readout points: "decades" (0, 1, 10, ..., the largest power of ten <= cycles, then cycles)
 * or a sequence of whole cycle counts. Returns a userdata-owned buffer left on the stack. */
static double *readout_points(lua_State *L, int idx, double cycles, size_t *n, const char *F)
{
    int t = lua_getfield(L, idx, "readouts");
    if (t == LUA_TNIL || t == LUA_TSTRING) {
        if (t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "decades") != 0)
            ms_lua_errorf(L, "%s: readouts = '%s' is unknown (expected 'decades' or a list of "
                          "cycle counts)", F, lua_tostring(L, -1));
        lua_pop(L, 1);
        double *at = lua_newuserdatauv(L, 20 * sizeof *at, 0);
        size_t k = 0;
        at[k++] = 0;
        for (double d = 1; d <= cycles && k < 19; d *= 10) at[k++] = d;
        if (at[k - 1] < cycles) at[k++] = cycles;
        *n = k;
        return at;
    }
    if (t != LUA_TTABLE)
        ms_lua_errorf(L, "%s: readouts must be 'decades' or a list of cycle counts, got %s", F,
                      luaL_typename(L, -1));
    double *at = ms_lua_number_array(L, lua_gettop(L), n, F, "readouts");
    lua_remove(L, -2);
    if (*n == 0 || *n > READOUTS_MAX)
        ms_lua_errorf(L, "%s: readouts has %zu points; give 1 to %d", F, *n, READOUTS_MAX);
    for (size_t k = 0; k < *n; k++)
        if (!(at[k] >= 0 && at[k] == floor(at[k]) && at[k] <= cycles && (k == 0 || at[k] > at[k - 1])))
            ms_lua_errorf(L, "%s: readouts[%zu] = %g cycles must be a whole number in [0, cycles = "
                          "%g], above the previous point", F, k + 1, at[k], cycles);
    return at;
}

#define COL(name, expr)                                                        \
    do {                                                                       \
        lua_createtable(L, (int)n, 0);                                         \
        for (size_t k = 0; k < n; k++)                                         \
            lua_pushnumber(L, (expr)), lua_rawseti(L, -2, (lua_Integer)k + 1); \
        lua_setfield(L, -2, name);                                             \
    } while (0)

int ldev_endure(lua_State *L)
{
    static const char *const allowed[] = { "protocol", "cycles", "n_p", "lo", "hi", "width",
                                           "v_full", "width_full", "n_probe", "block", "readouts",
                                           "method", "rtol", "atol", "max_step", NULL };
    const char *F = "endure";
    ldev *d = ldev_check_dev(L, 1);
    ldev_check_table(L, 2, F, "{ protocol = 'analog', cycles = 1e11 }");
    lua_settop(L, 2);
    ms_lua_check_options(L, 2, F, allowed);
    if (strcmp(d->c->name, "rram") != 0)
        return ms_lua_errorf(L, "%s: %s has no endurance law (only rram has one)", F, d->c->name);
    const char *proto = ms_lua_opt_string(L, 2, "protocol", F, "analog");
    int full = strcmp(proto, "full") == 0;
    if (!full && strcmp(proto, "analog") != 0)
        return ms_lua_errorf(L, "%s: protocol = '%s' is unknown (expected 'analog' or 'full')", F,
                             proto);
    ms_end_opts o;
    ms_end_defaults(full, &o);
    o.cycles = ms_lua_opt_number(L, 2, "cycles", F, 0, 1);
    if (!(o.cycles >= 0 && o.cycles <= CYCLES_MAX && o.cycles == floor(o.cycles)))
        return ms_lua_errorf(L, "%s: cycles = %g must be a whole number in [0, %g]", F, o.cycles,
                             CYCLES_MAX);
    o.n_p = (int)ldev_opt_int(L, 2, "n_p", F, o.n_p, 1, 1000000, 0);
    o.x_lo = ldev_opt_num(L, 2, "lo", F, o.x_lo, FRACTION, "", 0);
    o.x_hi = ldev_opt_num(L, 2, "hi", F, o.x_hi, FRACTION, "", 0);
    if (!(o.x_lo < o.x_hi))
        return ms_lua_errorf(L, "%s: lo = %g must be below hi = %g (fractions of the window)", F,
                             o.x_lo, o.x_hi);
    o.t_w = ldev_opt_num(L, 2, "width", F, d->p[MS_RRAM_T_PULSE], POS, "s", 0);
    o.v_full = ldev_opt_num(L, 2, "v_full", F, o.v_full, POS, "V", 0);
    o.t_full = ldev_opt_num(L, 2, "width_full", F, o.t_full, POS, "s", 0);
    o.n_probe = (int)ldev_opt_int(L, 2, "n_probe", F, o.n_probe, 2, 1000000, 0);
    o.block = ldev_opt_num(L, 2, "block", F, o.block, NONNEG, "", 0);
    if (o.block > 1) return ms_lua_errorf(L, "%s: block = %g must be in [0, 1]", F, o.block);
    if (o.block == 0 && o.cycles > 1e7)
        return ms_lua_errorf(L, "%s: explicit cycling (block = 0) of %g cycles would take too "
                             "long; at most 1e7 (use the fast path, block > 0)", F, o.cycles);
    const char *method = ms_lua_opt_string(L, 2, "method", F, "exact");
    int ode = strcmp(method, "ode") == 0;
    if (!ode && strcmp(method, "exact") != 0)
        return ms_lua_errorf(L, "%s: method = '%s' is unknown (expected 'exact', the closed-form "
                             "pulse, or 'ode', CVODE)", F, method);
    ms_drive_opts dopt;
    ldev_read_drive_opts(L, 2, F, d, O_SOLVER, &dopt);
    static const char *const solver_keys[] = { "rtol", "atol", "max_step", NULL };
    for (const char *const *k = solver_keys; !ode && *k; k++) {
        int t = lua_getfield(L, 2, *k);
        lua_pop(L, 1);
        if (t != LUA_TNIL)
            return ms_lua_errorf(L, "%s: option %s applies only to method = 'ode'", F, *k);
    }
    double pulses = o.cycles * 2.0 * (full ? 1 : o.n_p);
    if (ode && o.block == 0 && pulses > ODE_PULSES_MAX)
        return ms_lua_errorf(L, "%s: explicit cycling (block = 0) with method = 'ode' of %g "
                             "cycles integrates %g pulses; at most %g", F, o.cycles, pulses,
                             ODE_PULSES_MAX);
    size_t n;
    double *at = readout_points(L, 2, o.cycles, &n, F);
    ms_end_read *r = lua_newuserdatauv(L, n * sizeof *r, 0);
    double vs, vr, tw, life, x = d->y[MS_RRAM_X];
    int np;
    char msg[512];
    double p[MS_DEVICE_MAX_PARAMS];
    memcpy(p, d->p, sizeof p);
    if (ms_end_cycle_pulses(p, &o, &vs, &vr, &tw, &np, msg, sizeof msg))
        return ldev_fail(L, F, msg);
    ms_end_ode_stats stats = { 0, 0, 0 };
    if (ode) {
        ms_error err;
        ms_lua_sigsave sv;
        ms_lua_interrupt_begin(&sv);
        ms_status st = ms_end_run_ode(p, &x, &o, at, n, r, &life, &dopt, &stats, &err);
        ms_lua_interrupt_end(&sv);
        if (st) return ldev_drive_fail(L, F, st, err.msg);
    } else if (ms_end_run(p, &x, &o, at, n, r, &life, msg, sizeof msg)) {
        return ldev_fail(L, F, msg);
    }
    memcpy(d->p, p, sizeof p);   /* the device keeps its wear and its final state */
    d->y[MS_RRAM_X] = x;
    lua_createtable(L, 0, 24);
    COL("cycles", r[k].cycles);
    COL("wear", r[k].wear);
    COL("G_min", r[k].G_min);
    COL("G_max", r[k].G_max);
    COL("window", r[k].frac);
    COL("nl_set", r[k].nl_set);
    COL("nl_reset", r[k].nl_reset);
    COL("step_mean", r[k].step_mean);
    COL("step_sd", r[k].step_sd);
    COL("c2c_sd", r[k].c2c_sd);
    COL("G_lo", r[k].G_lo);
    COL("G_hi", r[k].G_hi);
    COL("stuck", (double)r[k].worn);
    ldev_push_seq(L, -1, (const char *const[]){ "cycles", "wear", "G_min", "G_max", "window",
                                                "nl_set", "nl_reset", "step_mean", "step_sd",
                                                "c2c_sd", "G_lo", "G_hi", "stuck", NULL });
    lua_pushstring(L, full ? "full" : "analog"), lua_setfield(L, -2, "protocol");
    lua_pushnumber(L, vs), lua_setfield(L, -2, "v_set");
    lua_pushnumber(L, vr), lua_setfield(L, -2, "v_reset");
    lua_pushnumber(L, tw), lua_setfield(L, -2, "width");
    lua_pushinteger(L, np), lua_setfield(L, -2, "n_p");
    if (life >= 0) lua_pushnumber(L, life), lua_setfield(L, -2, "lifetime");
    lua_pushstring(L, method), lua_setfield(L, -2, "method");
    if (ode) {
        lua_pushnumber(L, stats.pulses), lua_setfield(L, -2, "pulses");
        lua_pushinteger(L, stats.steps), lua_setfield(L, -2, "steps");
    }
    return 1;
}

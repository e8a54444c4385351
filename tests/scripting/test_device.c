/* Single devices from Lua (scripting/l_device.c): the drive returns consistent arrays, its
 * energy is the integral of v i over the returned waveform, a device continues from where its
 * last drive stopped, each protocol gives its device's expected behaviour, the random parts
 * follow the seed, and every kind of bad input is a Lua error at the script line that names
 * the parameter and its allowed range. Chunks run in-process under lua_pcall. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "devices/ms_rram.h"
#include "devices/ms_soma.h"
#include "scripting/l_util.h"
#include "scripting/ms_lua.h"
#include "tests/scripting/lua_chunk.h"

TestSuite(device, .init = lua_chunk_open, .fini = lua_chunk_close, .timeout = 60);

#define PRELUDE "local memsnn = require('memsnn') local u = memsnn.units "

/* Runs a chunk that must succeed, leaving its nres results. */
static void run_ok(const char *chunk, int nres)
{
    int top = lua_gettop(L);
    if (run(chunk, nres) != LUA_OK) cr_assert_fail("chunk failed: %s\n%s", lua_tostring(L, -1), chunk);
    cr_assert_eq(lua_gettop(L), top + nres);
}


/* Field `name` of the table at idx as a C array (n values, <= cap). */
static size_t column(int idx, const char *name, double *out, size_t cap)
{
    cr_assert_eq(lua_getfield(L, idx, name), LUA_TTABLE, "result has no column '%s'", name);
    size_t n = (size_t)luaL_len(L, -1);
    cr_assert_leq(n, cap);
    for (size_t k = 0; k < n; k++) {
        lua_geti(L, -1, (lua_Integer)k + 1);
        out[k] = lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return n;
}

static double field(int idx, const char *name)
{
    lua_getfield(L, idx, name);
    cr_assert(lua_isnumber(L, -1), "field '%s' is not a number", name);
    double v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return v;
}

enum { CAP = 200000 };
static double t_[CAP], v_[CAP], i_[CAP], a_[CAP], b_[CAP];

/* ---- the drive ------------------------------------------------------------------------------ */

Test(device, drive_returns_consistent_arrays)
{
    run_ok(PRELUDE "local d = memsnn.device('rram', { x0 = 0.3 })\n"
                   "return d:drive{ t = {0, 1*u.us, 2*u.us, 3*u.us, 5*u.us}, v = {0, 1.5, 1.5, 0, 0},"
                   " every = 0.1*u.us }, d:state()", 2);
    int r = lua_gettop(L) - 1;
    size_t n = column(r, "t", t_, CAP);
    cr_assert_eq(n, 51, "samples at every 0.1 us plus the waveform points: %zu", n);
    cr_assert_eq(t_[0], 0.0);
    cr_assert_float_eq(t_[n - 1], 5e-6, 1e-18);
    for (size_t k = 1; k < n; k++) cr_assert_gt(t_[k], t_[k - 1], "times increase");
    lua_getfield(L, r, "columns");
    size_t nc = (size_t)luaL_len(L, -1);
    const char *want[] = { "t", "source", "v", "i", "i_source", "x", "conductance", "e", "e_source" };
    cr_assert_eq(nc, sizeof want / sizeof want[0]);
    for (size_t c = 0; c < nc; c++) {
        lua_geti(L, -1, (lua_Integer)c + 1);
        cr_assert_str_eq(lua_tostring(L, -1), want[c]);
        lua_pop(L, 1);
        cr_assert_eq(column(r, want[c], a_, CAP), n, "column %s has the length of t", want[c]);
    }
    lua_pop(L, 1);
    column(r, "v", v_, CAP);
    column(r, "source", a_, CAP);
    for (size_t k = 0; k < n; k++) cr_assert_eq(v_[k], a_[k], "a voltage source sets v");
    column(r, "x", a_, CAP);
    lua_getfield(L, r, "states");
    column(lua_gettop(L), "x", b_, CAP);
    lua_pop(L, 1);
    cr_assert_eq(a_[0], 0.3);
    cr_assert_gt(a_[n - 1], 0.3, "the 1.5 V plateau sets");
    cr_assert_eq(a_[n - 1], b_[n - 1], "r.x is r.states.x");
    cr_assert_eq(field(r + 1, "x"), a_[n - 1], "d:state() is the last sample");
    column(r, "conductance", b_, CAP);
    cr_assert_float_eq(b_[n - 1], 2e-6 + a_[n - 1] * 18e-6, 1e-18, "G = G_min + x (G_max - G_min)");
    column(r, "e", a_, CAP);
    cr_assert_eq(a_[n - 1], field(r, "energy"));
    cr_assert_gt(field(r, "steps"), 0);
    lua_getfield(L, r, "events");
    cr_assert_eq(luaL_len(L, -1), 0);
    cr_assert_eq(column(lua_gettop(L), "t", a_, CAP), 0, "rram has no roots");
    lua_pop(L, 3);
}

Test(device, current_drive_of_the_soma_returns_states_events_and_spikes)
{
    run_ok(PRELUDE "local d = memsnn.device('mott_soma')\n"
                   "return d:drive{ t = {0, 1*u.ns, 100*u.us}, i = {0, 50*u.uA, 50*u.uA}, every = 10*u.ns }", 1);
    int r = lua_gettop(L);
    size_t n = column(r, "t", t_, CAP);
    cr_assert_eq(column(r, "source", a_, CAP), n);
    cr_assert_float_eq(a_[n - 1], 50e-6, 1e-18, "the source column holds the injected current");
    cr_assert_eq(column(r, "s", a_, CAP), n);
    cr_assert_eq(column(r, "m", a_, CAP), n);
    lua_getfield(L, r, "events");
    int ev = lua_gettop(L);
    size_t ne = column(ev, "t", a_, CAP);
    lua_getfield(L, ev, "name");
    lua_getfield(L, ev, "dir");
    size_t ns = column(r, "spikes", b_, CAP), s = 0;
    cr_assert_gt(ns, 5);
    for (size_t k = 0; k < ne; k++) {
        lua_geti(L, ev + 1, (lua_Integer)k + 1);
        const char *name = lua_tostring(L, -1);
        lua_geti(L, ev + 2, (lua_Integer)k + 1);
        cr_assert(strcmp(name, "IMT") == 0 || strcmp(name, "MIT") == 0, "%s", name);
        cr_assert_eq(lua_tointeger(L, -1), strcmp(name, "IMT") == 0 ? 1 : -1, "IMT rises, MIT falls");
        if (strcmp(name, "IMT") == 0) cr_assert_eq(b_[s++], a_[k], "spikes are the IMT events");
        if (k) cr_assert_geq(a_[k], a_[k - 1]);
        lua_pop(L, 2);
    }
    cr_assert_eq(s, ns);
    lua_pop(L, 4);
}

/* Trapezoid of v i over the returned samples, against the integrated energy. */
static void check_energy(const char *chunk, double tol)
{
    run_ok(chunk, 1);
    int r = lua_gettop(L);
    size_t n = column(r, "t", t_, CAP);
    column(r, "v", v_, CAP);
    column(r, "i", i_, CAP);
    double E = 0;
    for (size_t k = 1; k < n; k++) E += 0.5 * (v_[k] * i_[k] + v_[k - 1] * i_[k - 1]) * (t_[k] - t_[k - 1]);
    double e = field(r, "energy");
    cr_log_info("energy %.6g J, trapezoid of v i %.6g J (%zu samples)", e, E, n);
    cr_assert_gt(e, 0);
    cr_assert_float_eq(E, e, tol * e, "%g vs %g", E, e);
    lua_pop(L, 1);
}

Test(device, energy_equals_the_integral_of_v_i)
{
    run_ok(PRELUDE "return memsnn.device('resistor', { R = 1e3 }):drive{ t = {0, 1e-3}, v = {2, 2} }", 1);
    cr_assert_float_eq(field(-1, "energy"), 4e-6, 1e-14, "V^2/R t");
    lua_pop(L, 1);
    check_energy(PRELUDE "local t, v = {}, {} for k = 0, 400 do t[k+1] = 2e-5 * k / 400 "
                         "v[k+1] = 1.6 * math.sin(2 * math.pi * 1e5 * t[k+1]) end "
                         "return memsnn.device('rram', { x0 = 0.5 }):drive{ t = t, v = v, every = 5*u.ns }", 1e-4);
    check_energy(PRELUDE "return memsnn.device('nmda_dendrite'):sweep{ v_max = 3, v_min = -3, t_ramp = 30*u.us,"
                         " every = 10*u.ns }", 1e-4);
    check_energy(PRELUDE "return memsnn.device('mott_soma'):current_step{ i = 50*u.uA, duration = 100*u.us,"
                         " every = 2*u.ns }", 2e-3);
}

Test(device, source_energy_balances_device_load_and_capacitor)
{
    run_ok(PRELUDE "local d = memsnn.device('mott_soma')\n"
                   "return d:drive{ t = {0, 10*u.ns, 50*u.us}, v = {0, 2, 2}, r_load = 10*u.kohm, every = 5*u.ns },"
                   " d:params().C", 2);
    double C = lua_tonumber(L, -1);
    int r = lua_gettop(L) - 1;
    size_t n = column(r, "v", v_, CAP);
    double e = field(r, "energy"), el = field(r, "energy_load"), es = field(r, "energy_source");
    cr_assert_gt(el, 0);
    cr_assert_float_eq(es, e + el + 0.5 * C * (v_[n - 1] * v_[n - 1] - v_[0] * v_[0]), 1e-4 * es);
    lua_pop(L, 2);
}

Test(device, successive_drives_continue_from_the_last_state)
{
    /* One drive with two pulses against two drives with one pulse each. */
    double one = num(PRELUDE "local d = memsnn.device('rram')\n"
                             "d:drive{ t = {0, 1*u.ns, 100*u.ns, 101*u.ns, 1*u.us, 1.001*u.us, 1.1*u.us, 1.101*u.us},"
                             " v = {0, 1.5, 1.5, 0, 0, 1.5, 1.5, 0} }\n"
                             "return d:state().x");
    double two = num(PRELUDE "local d = memsnn.device('rram')\n"
                             "for k = 1, 2 do d:drive{ t = {0, 1*u.ns, 100*u.ns, 101*u.ns}, v = {0, 1.5, 1.5, 0} } end\n"
                             "return d:state().x");
    cr_assert_gt(one, 0.1);
    cr_assert_float_eq(one, two, 1e-6 * one);
    /* The soma's node voltage carries over too: a second current drive starts charged. */
    double v = num(PRELUDE "local d = memsnn.device('mott_soma')\n"
                           "d:drive{ t = {0, 1*u.ns, 5*u.us}, i = {0, 50*u.uA, 50*u.uA} }\n"
                           "local v1 = d:state().v\n"
                           "local r = d:drive{ t = {0, 1*u.us}, i = {0, 0} }\n"
                           "assert(r.v[1] == v1, 'starts from the last node voltage')\n"
                           "return v1");
    cr_assert_float_eq(v, 50e-6 * 5e-6 / 1e-9, 0.05 * 0.25, "charged to about I t / C: %g V", v);
    /* reset and set_state. */
    run_ok(PRELUDE "local d = memsnn.device('rram', { x0 = 0.25 })\n"
                   "d:pulses{ v = 1.5, width = 100*u.ns, n = 5 }\n"
                   "assert(d:state().x > 0.25)\n"
                   "d:reset() assert(d:state().x == 0.25 and d:state().v == 0)\n"
                   "d:set_state{ x = 0.75 } assert(d:state().x == 0.75)\n"
                   "assert(math.abs(d:conductance() - (2e-6 + 0.75 * 18e-6)) < 1e-18)\n", 0);
}

/* ---- protocols ---------------------------------------------------------------------------- */

Test(device, dendrite_sweep_blocks_below_threshold)
{
    run_ok(PRELUDE "local d = memsnn.device('nmda_dendrite')\n"
                   "return d:sweep{ v_max = 3, v_min = -3, t_ramp = 30*u.us, every = 0.1*u.us }, d:params()", 2);
    double G_off = field(-1, "G_off"), G_on = field(-1, "G_on");
    int r = lua_gettop(L) - 1;
    size_t n = column(r, "v", v_, CAP);
    column(r, "i", i_, CAP);
    column(r, "t", t_, CAP);
    /* Rising branch: I = G_off V to 10 % up to 0.3 V (V_th - 7 dV), under 2 % of G_on V at
     * 0.5 V, and near G_on V at the 3 V peak. */
    double worst = 0, g_half = 0, g_high = 0;
    for (size_t k = 1; k < n; k++) {
        if (t_[k] > 30e-6) break;
        if (v_[k] <= 0.3) worst = fmax(worst, fabs(i_[k] / (v_[k] * G_off) - 1));
        if (v_[k] <= 0.5) g_half = i_[k] / v_[k];
        g_high = i_[k] / v_[k];
    }
    cr_log_info("nmda sweep: up to 0.3 V |I/(V G_off) - 1| <= %.2e; I/V %.3g S at 0.5 V, %.3g S at 3 V", worst,
                g_half, g_high);
    cr_assert_lt(worst, 0.1, "blocked below threshold: I = G_off V");
    cr_assert_lt(g_half, 0.02 * G_on, "still blocked at 0.5 V");
    cr_assert_gt(g_high, 0.9 * G_on, "on above threshold");
    lua_pop(L, 2);
}

Test(device, rram_pulse_train_saturates)
{
    run_ok(PRELUDE "local d = memsnn.device('rram', { sigma_c2c = 0 })\n"
                   "return d:pulses{ v = 1.5, width = 100*u.ns, gap = 1*u.us, n = 150 }", 1);
    size_t n = column(-1, "G", a_, CAP);
    cr_assert_eq(n, 151);
    cr_assert_eq(column(-1, "pulse", b_, CAP), 151);
    cr_assert_eq(b_[0], 0.0);
    cr_assert_eq(a_[0], 2e-6);
    for (size_t k = 1; k < n; k++) {
        cr_assert_gt(a_[k], a_[k - 1]);
        cr_assert_leq(a_[k], 20e-6);
        if (k > 1) cr_assert_lt(a_[k] - a_[k - 1], a_[k - 1] - a_[k - 2], "steps shrink: soft bound");
    }
    cr_assert_gt(a_[n - 1], 0.99 * 20e-6, "saturates at G_max");
    cr_assert_gt(field(-1, "energy"), 0);
    lua_getfield(L, -1, "trace");
    cr_assert(lua_isnil(L, -1), "no trace unless asked");
    lua_pop(L, 2);
    /* Depression with c2c noise stays inside the window; trace = true gives the drive result. */
    run_ok(PRELUDE "local d = memsnn.device('rram', { x0 = 1 })\n"
                   "return d:pulses{ v = -1.5, width = 100*u.ns, n = 100, trace = true }", 1);
    n = column(-1, "G", a_, CAP);
    for (size_t k = 1; k < n; k++) cr_assert(a_[k] >= 2e-6 && a_[k] <= 20e-6);
    cr_assert_lt(a_[n - 1], 3e-6, "depressed to near G_min");
    lua_getfield(L, -1, "trace");
    cr_assert_eq(column(-1, "t", t_, CAP), 1 + 4 * 100);
    lua_pop(L, 2);
}

Test(device, write_verify_reaches_the_target)
{
    run_ok(PRELUDE "local d = memsnn.device('rram', { x0 = 0.5 })\n"
                   "local out = {}\n"
                   "for k, G in ipairs{ 3*u.uS, 17*u.uS, 9.5*u.uS } do\n"
                   "  local r = d:program{ target = G }\n"
                   "  out[k] = { r.converged, r.G, r.tol, r.pulses, #r.G_read, d:conductance(), r.energy }\n"
                   "end\n"
                   "return out", 1);
    const double target[] = { 3e-6, 17e-6, 9.5e-6 };
    for (int k = 0; k < 3; k++) {
        lua_geti(L, -1, k + 1);
        double v[7];
        for (int j = 0; j < 7; j++) {
            lua_geti(L, -1, j + 1);
            v[j] = j == 0 ? (double)lua_toboolean(L, -1) : lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
        cr_log_info("write-verify to %.2f uS: %g pulses, read %.4f uS, state %.4f uS", target[k] * 1e6, v[3],
                    v[1] * 1e6, v[5] * 1e6);
        cr_assert(v[0], "converged to %g S", target[k]);
        cr_assert_leq(fabs(v[1] - target[k]), v[2], "last read within the tolerance");
        cr_assert_float_eq(v[2], 0.5 * 18e-6 / 63, 1e-15, "tolerance: half a level of 64");
        cr_assert_leq(fabs(v[5] - target[k]), v[2] + 5 * 0.01 * target[k], "the state is there too");
        cr_assert_eq(v[4], v[3] + 1, "one verify read per pulse plus the first");
        cr_assert_gt(v[6], 0);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    /* Another class with explicit ramp options: rram_pku to 1 mS from its high-resistance state. */
    run_ok(PRELUDE "local d = memsnn.device('rram_pku', { gap_init = 1.7e-9 })\n"
                   "return d:program{ target = 1e-3, tol = 1e-4, v_set = 1.0, v_reset = -1.0, v_max = 2.0,"
                   " v_step = 0.05, width = 1*u.us, max_step = 1*u.us }", 1);
    lua_getfield(L, -1, "converged");
    cr_assert(lua_toboolean(L, -1), "rram_pku converged");
    cr_assert_float_eq(field(-2, "G"), 1e-3, 1e-4);
    lua_pop(L, 2);
}

Test(device, relaxation_follows_the_law_and_leaves_the_state)
{
    run_ok(PRELUDE "local d = memsnn.device('rram')\n"
                   "d:set_state{ x = 0.5 }\n"
                   "local a = d:relax{ t = {0, 1, 3600}, xi = 1.5 }\n"
                   "local b = d:relax{ t = {0, 1, 3600} }\n"
                   "assert(d:state().x == 0.5)\n"
                   "return a, b", 2);
    double p[MS_RRAM_N_PARAMS];
    ms_device_defaults(ms_device_find("rram"), p);
    double ts[] = { 0, 1, 3600 };
    column(-2, "G", a_, CAP);
    cr_assert_eq(field(-2, "xi"), 1.5);
    for (int k = 0; k < 3; k++)
        cr_assert_float_eq(a_[k], 11e-6 + ms_rram_relax_mean(p, ts[k]) + 1.5 * ms_rram_relax_sigma(p, ts[k]),
                           1e-15);
    double xi = field(-1, "xi");
    cr_assert(isfinite(xi) && xi != 1.5, "xi drawn from the noise stream: %g", xi);
    lua_pop(L, 2);
}

Test(device, soma_current_step_fires_at_the_closed_form_rate)
{
    double p[MS_MOTT_N_PARAMS];
    ms_device_defaults(ms_device_find("mott_soma"), p);
    const double I[] = { 30e-6, 100e-6 };
    for (int k = 0; k < 2; k++) {
        double f0 = ms_mott_soma_rate(p, I[k], 0);
        char chunk[512];
        snprintf(chunk, sizeof chunk,
                 PRELUDE "local r = memsnn.device('mott_soma'):current_step{ i = %.17g, duration = %.17g }\n"
                         "return r.rate, #r.spikes",
                 I[k], 2e-6 + 25 / f0);
        run_ok(chunk, 2);
        double f = lua_tonumber(L, -2), n = lua_tonumber(L, -1);
        lua_pop(L, 2);
        cr_log_info("mott_soma %g uA: rate %.5g Hz, closed form %.5g Hz, %g spikes", I[k] * 1e6, f, f0, n);
        cr_assert_geq(n, 20);
        cr_assert_float_eq(f, f0, 0.02 * f0);
    }
    /* Below the rheobase (V_th / R_off = 10 uA): no spikes, rate 0. */
    cr_assert_eq(num(PRELUDE "return memsnn.device('mott_soma'):current_step{ i = 5*u.uA, duration = 1*u.ms }.rate"), 0);
}

Test(device, soma_slow_sweep_switches_at_v_th_and_v_hold)
{
    run_ok(PRELUDE "local r = memsnn.device('mott_soma'):sweep{ v_max = 1.5, t_ramp = 1*u.ms }\n"
                   "return r.events", 1);
    size_t n = column(-1, "t", a_, CAP);
    cr_assert_eq(n, 2);
    cr_assert_float_eq(1.5 * a_[0] / 1e-3, 1.0, 1e-6, "on at V_th");
    cr_assert_float_eq(1.5 * (2e-3 - a_[1]) / 1e-3, 0.6, 1e-6, "off at V_hold");
    lua_pop(L, 1);
}

Test(device, energy_tally_sums_every_call)
{
    run_ok(PRELUDE "local d = memsnn.device('rram')\n"
                   "local a = d:drive{ t = {0, 1*u.us}, v = {0.2, 0.2} }\n"
                   "local b = d:pulses{ v = 1.5, width = 100*u.ns, n = 3 }\n"
                   "local c = d:program{ target = 5*u.uS }\n"
                   "return a.energy + b.energy + c.energy, d:energy()", 2);
    double sum = lua_tonumber(L, -2);
    cr_assert_float_eq(field(-1, "total"), sum, 1e-12 * sum);
    cr_assert_eq(field(-1, "device"), field(-1, "total"));
    lua_getfield(L, -1, "by_class");
    cr_assert_eq(field(-1, "synapse"), field(-2, "total"));
    lua_pop(L, 3);
}

/* ---- randomness ------------------------------------------------------------------------------ */

static double noisy_G(const char *opts)
{
    char chunk[512];
    snprintf(chunk, sizeof chunk,
             PRELUDE "local d = memsnn.device('rram', {}, %s)\n"
                     "local r = d:pulses{ v = 1.5, width = 100*u.ns, n = 10 }\n"
                     "return r.G[11] + d:read() + d:relax{ t = {10} }.G[1]",
             opts);
    return num(chunk);
}

Test(device, noise_follows_the_seed_and_the_index)
{
    double a = noisy_G("{ seed = 7, index = 1 }"), b = noisy_G("{ seed = 7, index = 1 }");
    double c = noisy_G("{ seed = 8, index = 1 }"), d = noisy_G("{ seed = 7, index = 2 }");
    cr_assert_eq(a, b, "same seed and index: same numbers");
    cr_assert_neq(a, c);
    cr_assert_neq(a, d);
    /* --seed overrides the option, as it does for networks. */
    ms_lua_settings *s = ms_lua_get_settings(L);
    s->seed_given = 1;
    s->seed = 8;
    cr_assert_eq(noisy_G("{ seed = 7, index = 1 }"), c);
    s->seed_given = 0;
    /* Devices made one after the other get indices 1, 2, ...: different streams. */
    run_ok(PRELUDE "local a = memsnn.device('rram') local b = memsnn.device('rram')\n"
                   "return a:read() ~= b:read(), tostring(b)", 2);
    cr_assert(lua_toboolean(L, -2));
    cr_assert(strstr(lua_tostring(L, -1), "memsnn.Device(rram, index"), "%s", lua_tostring(L, -1));
    lua_pop(L, 2);
}

Test(device, variation_draws_the_parameters_only_when_asked)
{
    run_ok(PRELUDE "local n = memsnn.device('rram', { d2d_G = 0.2 })\n"
                   "local a = memsnn.device('rram', { d2d_G = 0.2 }, { variation = true, seed = 3, index = 5 })\n"
                   "local b = memsnn.device('rram', { d2d_G = 0.2 }, { variation = true, seed = 3, index = 5 })\n"
                   "local c = memsnn.device('rram', { d2d_G = 0.2 }, { variation = true, seed = 3, index = 6 })\n"
                   "return n:params().G_max, a:params().G_max, b:params().G_max, c:params().G_max", 4);
    double n = lua_tonumber(L, -4), a = lua_tonumber(L, -3), b = lua_tonumber(L, -2), c = lua_tonumber(L, -1);
    cr_assert_eq(n, 20e-6, "nominal without variation");
    cr_assert_neq(a, n);
    cr_assert_eq(a, b);
    cr_assert_neq(a, c);
    lua_pop(L, 4);
}

/* ---- listing ------------------------------------------------------------------------------- */

Test(device, devices_and_device_params_describe_the_classes)
{
    run_ok(PRELUDE "local names = {}\n"
                   "for _, d in ipairs(memsnn.devices()) do names[#names + 1] = d.name .. ':' .. d.role end\n"
                   "local p = memsnn.device_params('mott_soma')\n"
                   "return table.concat(names, ' '), p.C.unit, p.C.min, p.V_hold.default, p.V_hold.origin", 5);
    cr_assert(strstr(lua_tostring(L, -5), "rram:synapse") && strstr(lua_tostring(L, -5), "nmda_dendrite:dendrite") &&
                  strstr(lua_tostring(L, -5), "mott_soma:soma"),
              "%s", lua_tostring(L, -5));
    cr_assert_str_eq(lua_tostring(L, -4), "F");
    cr_assert_eq(lua_tonumber(L, -3), 1e-18);
    cr_assert_eq(lua_tonumber(L, -2), 0.6);
    cr_assert_str_eq(lua_tostring(L, -1), "[I]");
    lua_pop(L, 5);
}

/* ---- bad input ------------------------------------------------------------------------------- */

#define DEV(cls) PRELUDE "\nlocal d = memsnn.device('" cls "')\n"

Test(device, unknown_device_or_parameter_is_an_error)
{
    expect_error(PRELUDE "\nmemsnn.device('rrma')", 2, "device: unknown device 'rrma'; known: rram, rram_pku");
    expect_error(PRELUDE "\nmemsnn.device('rram', { Gmin = 1e-6 })", 2,
                 "device: rram: unknown parameter 'Gmin'; known: G_min, G_max");
    expect_error(PRELUDE "\nmemsnn.device('rram', { G_min = '2 uS' })", 2,
                 "device: rram parameter G_min must be a number, got string");
    expect_error(PRELUDE "\nmemsnn.device('rram', 5)", 2, "device: params must be a table");
    expect_error(PRELUDE "\nmemsnn.device('rram', {}, { sed = 1 })", 2,
                 "device: unknown option 'sed' (expected: seed, index, variation)");
    expect_error(PRELUDE "\nmemsnn.device('rram', {}, { seed = 1.5 })", 2, "device: seed must be a whole number");
    expect_error(PRELUDE "\nmemsnn.device_params('nope')", 2, "device_params: unknown device 'nope'");
}

Test(device, parameters_outside_their_range_name_the_range)
{
    expect_error(PRELUDE "\nmemsnn.device('rram', { G_min = 2 })", 2,
                 "device: rram: parameter G_min = 2 S is outside [1e-09, 0.001]");
    expect_error(PRELUDE "\nmemsnn.device('rram', { G_min = 30*u.uS })", 2,
                 "device: rram: G_min must be < G_max (G_min = 3e-05 S, G_max = 2e-05 S)");
    expect_error(PRELUDE "\nmemsnn.device('rram', { G_min = 2e-5, G_max = 2e-5 })", 2, "rram: G_min must be < G_max");
    expect_error(PRELUDE "\nmemsnn.device('mott_soma', { C = -1*u.nF })", 2,
                 "device: mott_soma: parameter C = -1e-09 F is outside [1e-18, 0.001]");
    expect_error(PRELUDE "\nmemsnn.device('mott_soma', { V_hold = 1.2 })", 2,
                 "device: mott_soma: V_hold must be < V_th (V_hold = 1.2 V, V_th = 1 V)");
    expect_error(PRELUDE "\nmemsnn.device('mott_soma', { V_hold = 1.0 })", 2, "V_hold must be < V_th");
    expect_error(PRELUDE "\nmemsnn.device('rram', { G_min = 0/0 })", 2,
                 "device: rram: parameter G_min = ");
    expect_error(PRELUDE "\nmemsnn.device('rram', { G_min = 0/0 })", 2,
                 "S is not a finite number (allowed [1e-09, 0.001])");
    expect_error(PRELUDE "\nmemsnn.device('rram', { G_max = math.huge })", 2,
                 "device: rram: parameter G_max = inf S is not a finite number (allowed [1e-09, 0.01])");
    expect_error(PRELUDE "\nmemsnn.device('rram', { n_levels = 64.5 })", 2,
                 "rram: parameter n_levels = 64.5 must be an integer in [2, 4096]");
    expect_error(PRELUDE "\nmemsnn.device('nmda_dendrite', { tau_on = -3*u.us })", 2,
                 "nmda_dendrite: parameter tau_on = -3e-06 s is outside [1e-12, 1]");
}

Test(device, bad_waveforms_are_errors)
{
    expect_error(DEV("rram") "d:drive{ t = {0, 1*u.us, 1*u.us}, v = {0, 1, 0} }", 3,
                 "drive: waveform: t[3] = 1e-06 s is not greater than t[2] = 1e-06 s; times must increase strictly");
    expect_error(DEV("rram") "d:drive{ t = {0, 2*u.us, 1*u.us}, v = {0, 1, 0} }", 3,
                 "t[3] = 1e-06 s is not greater than t[2] = 2e-06 s");
    expect_error(DEV("rram") "d:drive{ t = {0, 0/0}, v = {0, 1} }", 3, "drive: t[2] is NaN");
    expect_error(DEV("rram") "d:drive{ t = {0, 1}, v = {0, 0/0} }", 3, "drive: v[2] is NaN");
    expect_error(DEV("mott_soma") "d:drive{ t = {0, 1}, i = {0/0, 0} }", 3, "drive: i[1] is NaN");
    expect_error(DEV("rram") "d:drive{ t = {0, math.huge}, v = {0, 1} }", 3, "drive: t[2] = inf is not finite");
    expect_error(DEV("rram") "d:drive{ t = {0, 1, 2}, v = {0, 1} }", 3,
                 "drive: t has 3 points but v has 2; they must have equal length");
    expect_error(DEV("rram") "d:drive{ t = {0}, v = {1} }", 3, "drive: waveform: needs at least 2 points");
    expect_error(DEV("rram") "d:drive{ t = {0, 1}, v = {0, 'x'} }", 3, "drive: v[2] must be a number, got string");
    expect_error(DEV("rram") "d:drive{ v = {0, 1} }", 3, "drive: option 't' (times, s) is required");
    expect_error(DEV("rram") "d:drive{ t = {0, 1} }", 3, "drive: the waveform needs v (volts) or i (amperes)");
    expect_error(DEV("rram") "d:drive{ t = {0, 1}, v = {0, 1}, i = {0, 1} }", 3, "not both");
    expect_error(DEV("rram") "d:drive(5)", 3, "drive: expects an option table");
}

Test(device, bad_drive_options_are_errors)
{
    expect_error(DEV("rram") "d:drive{ t = {0, 1}, v = {0, 1}, ever = 1 }", 3,
                 "drive: unknown option 'ever' (expected: t, v, i, r_load, c_node, v0, every");
    expect_error(DEV("rram") "d:drive{ t = {0, 1}, v = {0, 1}, every = -1 }", 3,
                 "drive: every = -1 s must be a finite number >= 0");
    expect_error(DEV("rram") "d:drive{ t = {0, 1}, v = {0, 1}, every = 0/0 }", 3, "drive: option 'every' is NaN");
    expect_error(DEV("rram") "d:drive{ t = {0, 1}, v = {0, 1}, every = 1e-12 }", 3,
                 "drive: every = 1e-12 s over 1 s gives 1e+12 samples (at most 1e+07)");
    expect_error(DEV("rram") "d:drive{ t = {0, 1}, v = {0, 1}, rtol = 0 }", 3,
                 "drive: rtol = 0 must be between 0 and 1 (exclusive)");
    expect_error(DEV("rram") "d:drive{ t = {0, 1}, v = {0, 1}, r_load = -5 }", 3,
                 "drive: r_load = -5 ohm must be a finite number >= 0");
    expect_error(DEV("rram") "d:drive{ t = {0, 1}, i = {0, 1e-6} }", 3,
                 "drive: rram has no capacitance, so a current source needs c_node > 0 (F) on its node");
    expect_error(DEV("rram") "d:drive{ t = {0, 1}, v = {0, 1}, r_load = 1e3 }", 3,
                 "drive: rram has no capacitance, so a load (r_load) needs c_node > 0 (F)");
    expect_error(DEV("rram") "d:drive{ t = {0, 1}, v = {0, 1}, c_node = -1e-12 }", 3,
                 "drive: c_node = -1e-12 F must be a finite number >= 0");
    expect_error(DEV("mott_soma") "d:drive{ t = {0, 1}, i = {0, 1e-6}, r_load = 1e3 }", 3,
                 "drive: r_load is the series resistor of a voltage source");
    /* A current drive into a device given a node capacitance works. */
    run_ok(DEV("resistor") "return d:drive{ t = {0, 1e-6}, i = {1e-6, 1e-6}, c_node = 1e-12 }.v[2]", 1);
    lua_pop(L, 1);
}

Test(device, bad_protocol_options_are_errors)
{
    expect_error(DEV("rram") "d:sweep{ v_max = 1.5 }", 3, "sweep: option 't_ramp' is required");
    expect_error(DEV("rram") "d:sweep{ t_ramp = 1e-6 }", 3, "sweep: give v_max > 0 and/or v_min < 0 (V); both are 0");
    expect_error(DEV("rram") "d:sweep{ v_max = 1, v_min = 1, t_ramp = 1e-6 }", 3, "sweep: v_min = 1 V must be <= 0");
    expect_error(DEV("rram") "d:sweep{ v_max = -1, t_ramp = 1e-6 }", 3, "sweep: v_max = -1 V must be a finite number >= 0");
    expect_error(DEV("rram") "d:sweep{ v_max = 1, t_ramp = 1e-6, cycles = 0 }", 3,
                 "sweep: cycles = 0 must be a whole number in [1, 1000000]");
    expect_error(DEV("rram") "d:pulses{ v = 1.5, width = 100e-9 }", 3, "pulses: option 'n' is required");
    expect_error(DEV("rram") "d:pulses{ v = 1.5, width = 0.5e-9, n = 3 }", 3,
                 "pulses: width = 5e-10 s must exceed edge = 1e-09 s");
    expect_error(DEV("rram") "d:pulses{ v = 1.5, width = 100e-9, n = 3, gap = 0 }", 3,
                 "pulses: gap = 0 s must be a finite number > 0");
    expect_error(DEV("rram") "d:pulses{ v = 1.5, width = 100e-9, n = 2.5 }", 3, "pulses: n = 2.5 must be a whole number");
    expect_error(DEV("rram") "d:pulses{ v = 1.5, width = 100e-9, n = 3, trace = 1 }", 3,
                 "pulses: trace must be true or false, got number");
    expect_error(DEV("rram") "d:program{}", 3, "program: option 'target' is required");
    expect_error(DEV("rram") "d:program{ target = -1e-6 }", 3, "program: target = -1e-06 S must be a finite number >= 0");
    expect_error(DEV("rram") "d:program{ target = 5e-6, v_reset = 1 }", 3, "program: v_reset = 1 V must be < 0");
    expect_error(DEV("rram") "d:program{ target = 5e-6, v_max = 0.5 }", 3,
                 "program: v_max = 0.5 V must be >= v_set (0.9 V) and >= -v_reset (0.9 V)");
    expect_error(DEV("rram_pku") "d:program{ target = 1e-3 }", 3,
                 "program: option 'tol' is required for rram_pku");
    expect_error(DEV("rram_pku") "d:relax{ t = {1} }", 3, "relax: rram_pku has no relaxation law");
    expect_error(DEV("rram") "d:relax{ t = {1, -1} }", 3, "relax: t[2] = -1 s must be >= 0");
    expect_error(DEV("rram") "d:relax{ t = {} }", 3, "relax: option 't' (times after programming, s) needs at least one time");
    expect_error(DEV("mott_soma") "d:current_step{ i = 1e-5 }", 3, "current_step: option 'duration' is required");
    expect_error(DEV("mott_soma") "d:current_step{ i = 1e-5, duration = 0.5e-9 }", 3,
                 "current_step: duration = 5e-10 s must exceed edge = 1e-09 s");
    expect_error(DEV("nmda_dendrite") "d:current_step{ i = 1e-5, duration = 1e-6 }", 3,
                 "current_step: nmda_dendrite has no capacitance");
    expect_error(DEV("rram") "d:set_state{ y = 1 }", 3, "set_state: rram has no state 'y' (it has: x, v (the node voltage))");
    expect_error(DEV("rram") "d:set_state{ x = 0/0 }", 3, "set_state: option 'x' is NaN");
    expect_error(DEV("rram") "d:read{ v = 0 }", 3, "read: v must not be 0 V");
    expect_error(PRELUDE "\nlocal d = memsnn.device('rram')\nd.drive(5, {})", 3, "bad argument #1 to 'drive'");
}

Test(device, a_failed_call_leaves_the_device_usable)
{
    run_ok(PRELUDE "local d = memsnn.device('rram', { x0 = 0.4 })\n"
                   "assert(not pcall(d.drive, d, { t = {0, 1, 1}, v = {0, 1, 1} }))\n"
                   "assert(d:state().x == 0.4)\n"
                   "return d:drive{ t = {0, 1e-6}, v = {0.2, 0.2} }.energy", 1);
    cr_assert_gt(lua_tonumber(L, -1), 0);
    lua_pop(L, 1);
}

/* scripting/l_device_protocols.c: the standard characterisation protocols of a device from
 * Lua: d:sweep (I-V loop), d:pulses (conductance against pulse number), d:program
 * (write-verify to a target), d:relax (conductance against time after programming) and
 * d:current_step (spike train and rate of a soma) (docs/lua-api.md, "Single devices"). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "devices/ms_program.h"
#include "devices/ms_rram.h"
#include "scripting/l_device.h"
#include "scripting/l_objects.h"
#include "scripting/l_device_impl.h"
#include "scripting/l_util.h"

/* ---- protocols -------------------------------------------------------------------------------- */

int ldev_sweep(lua_State *L)
{
    static const char *const allowed[] = { "v_max", "v_min", "t_ramp", "cycles", "every", "r_load",
                                           "c_node", "v0", "rtol", "atol", "max_step", NULL };
    const char *F = "sweep";
    ldev *d = ldev_check_dev(L, 1);
    ldev_check_table(L, 2, F, "{ v_max = V, v_min = V, t_ramp = s }");
    lua_settop(L, 2);
    ms_lua_check_options(L, 2, F, allowed);
    ms_sweep s;
    s.v_max_V = ldev_opt_num(L, 2, "v_max", F, 0, NONNEG, "V", 0);
    s.v_min_V = ldev_opt_num(L, 2, "v_min", F, 0, ANY, "V", 0);
    if (s.v_min_V > 0) return ms_lua_errorf(L, "sweep: v_min = %g V must be <= 0", s.v_min_V);
    if (s.v_max_V == 0 && s.v_min_V == 0)
        return ms_lua_errorf(L, "sweep: give v_max > 0 and/or v_min < 0 (V); both are 0");
    ldev_check_amplitude(L, d, F, "v_max", s.v_max_V, 0);
    ldev_check_amplitude(L, d, F, "v_min", s.v_min_V, 0);
    s.t_ramp_s = ldev_opt_num(L, 2, "t_ramp", F, 0, POS, "s", 1);
    s.cycles = (int)ldev_opt_int(L, 2, "cycles", F, 1, 1, MAX_CYCLES, 0);
    ms_drive_opts o;
    ldev_read_drive_opts(L, 2, F, d, O_LOAD | O_NODE | O_V0 | O_EVERY | O_SOLVER, &o);
    double peak = fmax(s.v_max_V, -s.v_min_V);
    o.v_scale_V = fmax(1.0, peak);
    ldev_check_node(L, d, &o, F);
    ldev_check_samples(L, F, s.cycles * 2.0 * (s.v_max_V - s.v_min_V) * s.t_ramp_s / peak,
                  o.dt_sample_s, 1 + 4 * (size_t)s.cycles);
    rbox *b = ldev_box_new(L);
    ms_error err;
    ms_lua_sigsave sv;
    ms_lua_interrupt_begin(&sv);
    ms_status st = ms_drive_dc_sweep(d->c, d->p, d->y, &s, &o, &b->r, &err);
    ms_lua_interrupt_end(&sv);
    if (st) return ldev_drive_fail(L, F, st, err.msg);
    ldev_absorb(d, b->r);
    ldev_push_result(L, d, b->r);
    ldev_box_free(b);
    return 1;
}

int ldev_pulses(lua_State *L)
{
    static const char *const allowed[] = { "v", "width", "gap", "n", "edge", "trace", "every",
                                           "rtol", "atol", "max_step", NULL };
    const char *F = "pulses";
    ldev *d = ldev_check_dev(L, 1);
    ldev_check_table(L, 2, F, "{ v = V, width = s, n = count }");
    lua_settop(L, 2);
    ms_lua_check_options(L, 2, F, allowed);
    ms_pulse pl;
    pl.v_V = ldev_opt_num(L, 2, "v", F, 0, ANY, "V", 1);
    ldev_check_amplitude(L, d, F, "v", pl.v_V, 0);
    size_t n = (size_t)ldev_opt_int(L, 2, "n", F, 0, 1, MAX_PULSES, 1);
    ms_drive_opts o;
    ldev_read_drive_opts(L, 2, F, d, O_EDGE | O_EVERY | O_SOLVER, &o);
    pl.t_width_s = ldev_opt_num(L, 2, "width", F, 0, POS, "s", 1);
    if (!(pl.t_width_s > o.t_edge_s))
        return ms_lua_errorf(L, "pulses: width = %g s must exceed edge = %g s (the rise and fall time)",
                      pl.t_width_s, o.t_edge_s);
    pl.t_gap_s = ldev_opt_num(L, 2, "gap", F, pl.t_width_s, POS, "s", 0);
    int trace = ldev_opt_bool(L, 2, "trace", F, o.dt_sample_s > 0);
    if (!trace) o.dt_sample_s = 0;
    o.v_scale_V = fmax(1.0, fabs(pl.v_V));
    ldev_check_samples(L, F, (double)n * (pl.t_gap_s + pl.t_width_s + o.t_edge_s), o.dt_sample_s, 1 + 4 * n);
    ms_device_rng rng = ldev_device_rng(&d->noise);
    o.rng = &rng;
    double *G = lua_newuserdatauv(L, (n + 1) * sizeof *G, 0);
    rbox *b = ldev_box_new(L);
    ms_error err;
    ms_lua_sigsave sv;
    ms_lua_interrupt_begin(&sv);
    ms_status st = ms_drive_pulse_train(d->c, d->p, d->y, &pl, n, &o, G, &b->r, &err);
    ms_lua_interrupt_end(&sv);
    if (st) return ldev_drive_fail(L, F, st, err.msg);
    ldev_absorb(d, b->r);
    lua_createtable(L, 0, 8);
    lua_createtable(L, (int)n + 1, 0);
    for (size_t k = 0; k <= n; k++) lua_pushinteger(L, (lua_Integer)k), lua_rawseti(L, -2, (lua_Integer)k + 1);
    lua_setfield(L, -2, "pulse");
    ms_lua_push_doubles(L, G, n + 1), lua_setfield(L, -2, "G");
    lua_pushnumber(L, b->r->energy_J), lua_setfield(L, -2, "energy");
    lua_pushnumber(L, b->r->energy_src_J), lua_setfield(L, -2, "energy_source");
    ldev_push_seq(L, -1, (const char *const[]){ "pulse", "G", NULL });
    if (trace) {
        ldev_push_result(L, d, b->r);
        lua_setfield(L, -2, "trace");
    }
    ldev_box_free(b);
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
    *G = ldev_read_G(p->d, p->v_read_V, 1);
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
        ldev_absorb(p->d, r);
        p->energy_J += r->energy_J;
        p->energy_src_J += r->energy_src_J;
    }
    ms_drive_result_free(r);
    p->v_prev_V = v;
    return p->st != MS_OK;
}

int ldev_program(lua_State *L)
{
    static const char *const allowed[] = { "target", "tol", "max_iter", "v_set", "v_reset", "v_max",
                                           "v_step", "width", "edge", "v_read", "rtol", "atol",
                                           "max_step", NULL };
    const char *F = "program";
    ldev *d = ldev_check_dev(L, 1);
    ldev_check_table(L, 2, F, "{ target = S }");
    lua_settop(L, 2);
    ms_lua_check_options(L, 2, F, allowed);
    const ms_device_class *c = d->c;
    ms_wv_opts wv;
    double target = ldev_opt_num(L, 2, "target", F, 0, NONNEG, "S", 1);
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
                return ms_lua_errorf(L, "program: option '%s' is required for %s (only rram takes its "
                              "write-verify defaults from its parameters)", need[k], c->name);
            lua_pop(L, 1);
        }
        memset(&wv, 0, sizeof wv);
        wv.G_target_S = target;
        wv.max_iter = WV_MAX_ITER_DEFAULT;
        wv.v_step_V = WV_V_STEP_DEFAULT_V;
    }
    wv.tol_S = ldev_opt_num(L, 2, "tol", F, wv.tol_S, POS, "S", 0);
    wv.max_iter = (int)ldev_opt_int(L, 2, "max_iter", F, wv.max_iter, 1, MAX_WV_ITER, 0);
    wv.v_set_first_V = ldev_opt_num(L, 2, "v_set", F, wv.v_set_first_V, POS, "V", 0);
    wv.v_reset_first_V = ldev_opt_num(L, 2, "v_reset", F, wv.v_reset_first_V, ANY, "V", 0);
    if (!(wv.v_reset_first_V < 0))
        return ms_lua_errorf(L, "program: v_reset = %g V must be < 0 (the first RESET amplitude)", wv.v_reset_first_V);
    double v_max = ldev_opt_num(L, 2, "v_max", F, wv.v_set_max_V, POS, "V", 0);
    if (v_max < wv.v_set_first_V || v_max < -wv.v_reset_first_V)
        return ms_lua_errorf(L, "program: v_max = %g V must be >= v_set (%g V) and >= -v_reset (%g V)", v_max,
                      wv.v_set_first_V, -wv.v_reset_first_V);
    wv.v_set_max_V = v_max;
    wv.v_reset_max_V = -v_max;
    wv.v_step_V = ldev_opt_num(L, 2, "v_step", F, wv.v_step_V, POS, "V", 0);
    wv.t_pulse_s = ldev_opt_num(L, 2, "width", F, wv.t_pulse_s, POS, "s", 0);
    v_read = ldev_opt_num(L, 2, "v_read", F, v_read, ANY, "V", 0);
    if (v_read == 0) return ms_lua_errorf(L, "program: v_read must not be 0 V");
    ldev_check_amplitude(L, d, F, "v_set", wv.v_set_first_V, 0);
    ldev_check_amplitude(L, d, F, "v_reset", wv.v_reset_first_V, 0);
    ldev_check_amplitude(L, d, F, "v_max", v_max, 0);
    ldev_check_amplitude(L, d, F, "v_read", v_read, 0);

    prog p;
    memset(&p, 0, sizeof p);
    p.d = d;
    ldev_read_drive_opts(L, 2, F, d, O_EDGE | O_SOLVER, &p.o);
    if (!(wv.t_pulse_s > p.o.t_edge_s))
        return ms_lua_errorf(L, "program: width = %g s must exceed edge = %g s (the rise and fall time)",
                      wv.t_pulse_s, p.o.t_edge_s);
    p.o.v_read_V = p.v_read_V = v_read;
    p.o.v_scale_V = fmax(1.0, v_max);
    ms_device_rng rng = ldev_device_rng(&d->noise);
    p.o.rng = &rng;
    p.cap = (size_t)wv.max_iter + 1;
    p.G_hist = lua_newuserdatauv(L, 2 * p.cap * sizeof *p.G_hist, 0);
    p.v_hist = p.G_hist + p.cap;

    ms_wv_result res;
    ms_wv_ops ops = { prog_read, prog_pulse, &p };
    char msg[MS_ERRMSG_LEN];
    ldev before = *d;   /* pulses update the device one by one; an interrupt undoes them all */
    ms_lua_sigsave sv;
    ms_lua_interrupt_begin(&sv);
    int rc = ms_write_verify(&wv, &ops, &res, msg, sizeof msg);
    ms_lua_interrupt_end(&sv);
    if (p.st == MS_EINTR) *d = before;
    if (p.st) return ldev_drive_fail(L, F, p.st, p.err.msg);
    if (rc) return ldev_fail(L, F, msg);

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
    ldev_push_seq(L, -1, (const char *const[]){ "pulse", "G_read", "v_pulse", NULL });
    return 1;
}

int ldev_relax(lua_State *L)
{
    static const char *const allowed[] = { "t", "xi", NULL };
    const char *F = "relax";
    ldev *d = ldev_check_dev(L, 1);
    ldev_check_table(L, 2, F, "{ t = {...} }");
    lua_settop(L, 2);
    ms_lua_check_options(L, 2, F, allowed);
    if (!d->c->relax || !d->c->conductance)
        return ms_lua_errorf(L, "relax: %s has no relaxation law (memsnn.devices() marks the ones that have)",
                      d->c->name);
    size_t n;
    double *t = ldev_opt_array(L, 2, "t", F, &n);
    if (!t || n == 0) return ms_lua_errorf(L, "relax: option 't' (times after programming, s) needs at least one time");
    for (size_t k = 0; k < n; k++)
        if (t[k] < 0) return ms_lua_errorf(L, "relax: t[%zu] = %g s must be >= 0", k + 1, t[k]);
    double xi;
    if (lua_getfield(L, 2, "xi") != LUA_TNIL) {
        lua_pop(L, 1);
        xi = ldev_opt_num(L, 2, "xi", F, 0, ANY, "", 0);
    } else {
        lua_pop(L, 1);
        xi = ms_rng_normal(&d->noise);
    }
    double *G = lua_newuserdatauv(L, n * sizeof *G, 0);
    ms_error err;
    if (ms_drive_relaxation(d->c, d->p, d->y, t, n, xi, G, &err)) return ldev_fail(L, F, err.msg);
    lua_createtable(L, 0, 4);
    ms_lua_push_doubles(L, t, n), lua_setfield(L, -2, "t");
    ms_lua_push_doubles(L, G, n), lua_setfield(L, -2, "G");
    lua_pushnumber(L, xi), lua_setfield(L, -2, "xi");
    ldev_push_seq(L, -1, (const char *const[]){ "t", "G", NULL });
    return 1;
}

int ldev_current_step(lua_State *L)
{
    static const char *const allowed[] = { "i", "duration", "edge", "every", "c_node", "v0", "rtol",
                                           "atol", "max_step", NULL };
    const char *F = "current_step";
    ldev *d = ldev_check_dev(L, 1);
    ldev_check_table(L, 2, F, "{ i = A, duration = s }");
    lua_settop(L, 2);
    ms_lua_check_options(L, 2, F, allowed);
    double amp = ldev_opt_num(L, 2, "i", F, 0, ANY, "A", 1);
    ldev_check_amplitude(L, d, F, "i", amp, 1);
    ms_drive_opts o;
    ldev_read_drive_opts(L, 2, F, d, O_EDGE | O_NODE | O_V0 | O_EVERY | O_SOLVER, &o);
    o.source = MS_DRIVE_CURRENT;
    double dur = ldev_opt_num(L, 2, "duration", F, 0, POS, "s", 1);
    if (!(dur > o.t_edge_s))
        return ms_lua_errorf(L, "current_step: duration = %g s must exceed edge = %g s (the rise time)", dur,
                      o.t_edge_s);
    ldev_check_node(L, d, &o, F);
    ldev_check_samples(L, F, dur, o.dt_sample_s, 3);
    double t[3] = { 0.0, o.t_edge_s, dur }, x[3] = { 0.0, amp, amp };
    ms_pwl w = { 3, t, x };
    rbox *b = ldev_box_new(L);
    ms_error err;
    ms_lua_sigsave sv;
    ms_lua_interrupt_begin(&sv);
    ms_status st = ms_device_drive(d->c, d->p, d->y, &w, &o, &b->r, &err);
    ms_lua_interrupt_end(&sv);
    if (st) return ldev_drive_fail(L, F, st, err.msg);
    ldev_absorb(d, b->r);
    ldev_push_result(L, d, b->r);
    lua_pushnumber(L, ms_drive_spike_rate(b->r, d->c));
    lua_setfield(L, -2, "rate");
    ldev_box_free(b);
    return 1;
}


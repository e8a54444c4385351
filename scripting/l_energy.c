/* scripting/l_energy.c: net:energy(), the energy ledger seen from Lua (docs/energy.md):
 * totals by class and by population, static against dynamic, mean power, the energy the
 * sources supplied and the capacitors hold, and the Li et al. 2020 metric under its own
 * name. by_class holds the dissipation classes only, so total is their sum (and
 * memsnn.plot.power can draw it). */
#include <lauxlib.h>

#include "scripting/l_objects.h"
#include "scripting/l_util.h"

typedef struct tally {
    double by_class[MS_E_N_CLASSES];
    double rest[MS_E_N_CLASSES];
    double stored0, stored;
} tally;

static void push_tally(lua_State *L, const tally *t, double duration)
{
    double total = 0, stat = 0;
    lua_createtable(L, 0, 12);
    lua_createtable(L, 0, MS_E_N_DISSIPATION);
    for (int k = 0; k < MS_E_N_DISSIPATION; k++) {
        total += t->by_class[k];
        stat += t->rest[k] * duration;
        lua_pushnumber(L, t->by_class[k]);
        lua_setfield(L, -2, ms_energy_class_name(k));
    }
    lua_setfield(L, -2, "by_class");
    lua_pushnumber(L, total), lua_setfield(L, -2, "total");
    lua_pushnumber(L, stat), lua_setfield(L, -2, "static");
    lua_pushnumber(L, total - stat), lua_setfield(L, -2, "dynamic");
    lua_pushnumber(L, duration), lua_setfield(L, -2, "duration");
    lua_pushnumber(L, duration > 0 ? total / duration : 0.0), lua_setfield(L, -2, "power");
    lua_pushnumber(L, t->by_class[MS_E_SOURCE]), lua_setfield(L, -2, "supplied");
    lua_pushnumber(L, t->stored - t->stored0), lua_setfield(L, -2, "stored");
    lua_pushnumber(L, t->by_class[MS_E_METRIC_LI]), lua_setfield(L, -2, "li_metric");
    lua_pushnumber(L, duration > 0 ? t->by_class[MS_E_METRIC_LI] / duration : 0.0), lua_setfield(L, -2, "li_power");
}

/* bins = { edges = {...}, energy = {...}, by_class = { class = {...} } } of a population whose
 * energy is recorded (net:record(pop, "energy")): the joules of each window. */
static void push_bins(lua_State *L, ms_net *net, int pop)
{
    const double *t, *e;
    size_t n;
    if (ms_net_energy_trace(net, pop, &t, &e, &n) || n < 2) return;
    lua_createtable(L, 0, 3);
    ms_lua_push_doubles(L, t, n);
    lua_setfield(L, -2, "edges");
    lua_createtable(L, (int)n - 1, 0);
    for (size_t b = 0; b + 1 < n; b++) {
        double s = 0;
        for (int k = 0; k < MS_E_N_DISSIPATION; k++) s += e[(b + 1) * MS_E_N_CLASSES + k] - e[b * MS_E_N_CLASSES + k];
        lua_pushnumber(L, s);
        lua_rawseti(L, -2, (lua_Integer)b + 1);
    }
    lua_setfield(L, -2, "energy");
    lua_createtable(L, 0, MS_E_N_CLASSES);
    for (int k = 0; k < MS_E_N_CLASSES; k++) {
        lua_createtable(L, (int)n - 1, 0);
        for (size_t b = 0; b + 1 < n; b++) {
            lua_pushnumber(L, e[(b + 1) * MS_E_N_CLASSES + k] - e[b * MS_E_N_CLASSES + k]);
            lua_rawseti(L, -2, (lua_Integer)b + 1);
        }
        lua_setfield(L, -2, ms_energy_class_name(k));
    }
    lua_setfield(L, -2, "by_class");
    lua_setfield(L, -2, "bins");
}

/* net:energy() -> { total, by_class, by_population = { label = {...} }, static, dynamic,
 * duration, power, supplied, stored, li_metric, li_power } */
int ms_lua_net_energy(lua_State *L)
{
    ms_net *net = ms_lua_check_net(L, 1);
    double duration = ms_net_time(net);
    tally all = { 0 };
    size_t np = ms_net_population_count(net);
    lua_createtable(L, 0, (int)np);
    int by_pop = lua_gettop(L);
    for (size_t i = 0; i < np; i++) {
        ms_pop_energy e;
        if (ms_net_pop_energy(net, (int)i, &e)) return ms_lua_fail(L, ms_net_errmsg(net));
        tally t = { .stored0 = e.stored0, .stored = e.stored };
        for (int k = 0; k < MS_E_N_CLASSES; k++) {
            t.by_class[k] = e.by_class[k];
            t.rest[k] = e.rest[k];
            all.by_class[k] += e.by_class[k];
            all.rest[k] += e.rest[k];
        }
        all.stored0 += e.stored0;
        all.stored += e.stored;
        const ms_model *m = ms_net_pop_model(net, (int)i);
        if (m->kind == MS_MODEL_SOURCE) continue;
        push_tally(L, &t, duration);
        push_bins(L, net, (int)i);
        lua_setfield(L, by_pop, ms_net_pop_label(net, (int)i));
    }
    push_tally(L, &all, duration);
    lua_pushvalue(L, by_pop);
    lua_setfield(L, -2, "by_population");
    return 1;
}

/* scripting/l_plot_power.c: memsnn.plot.power: stacked energy bars per population, network
 * or tally table, from the energy ledger (docs/energy.md). Classes are ranked synapse,
 * dendrite, soma first, then alphabetically, so the same class has the same colour and place
 * in every bar; a tally whose total differs from the sum of its classes is refused. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "scripting/l_objects.h"
#include "scripting/l_plot_impl.h"
#include "scripting/l_util.h"
#include "viz/ms_plot.h"

#define MAX_TALLIES    16      /* bars of one power plot (viz/power.c)                     */
#define MAX_CLASSES    16      /* energy classes of one power plot (viz/power.c)           */
#define TOTAL_REL_TOL  1e-6    /* energy total vs the sum of its classes (rounding of sums) */

/* Energy classes drawn first, bottom up, in this order; others follow alphabetically. */
static const char *const CLASS_ORDER[] = { "synapse", "dendrite", "soma", NULL };

/* ---- power ---------------------------------------------------------------------------------- */

static int class_rank(const char *name)
{
    for (int r = 0; CLASS_ORDER[r]; r++)
        if (strcmp(CLASS_ORDER[r], name) == 0) return r;
    return (int)(sizeof CLASS_ORDER / sizeof CLASS_ORDER[0]);
}

static int class_cmp(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int rx = class_rank(x), ry = class_rank(y);
    return rx != ry ? rx - ry : strcmp(x, y);
}

/* Adds name to the class list unless it is there; the name's string must stay alive. */
static void add_class(lua_State *L, plot_call *c, const char **cls, size_t *nc, const char *name)
{
    for (size_t j = 0; j < *nc; j++)
        if (strcmp(cls[j], name) == 0) return;
    if (*nc == MAX_CLASSES) ms_lua_errorf(L, "%s: more than %d energy classes", c->who, MAX_CLASSES);
    cls[(*nc)++] = name;
}

/* The energy table of tallies[k] at e: by_class keys into cls; checks total against them.
 * Returns 1 when the tally has no classes but a total, drawn as the class "total". */
static int tally_classes(lua_State *L, plot_call *c, int e, size_t k, const char *label, const char **cls,
                          size_t *nc)
{
    int t = lua_getfield(L, e, "by_class");
    if (t != LUA_TNIL && t != LUA_TTABLE)
        ms_lua_errorf(L, "power: tallies[%d] ('%s'): by_class must be a table { class = J, ... }, got %s", (int)k + 1,
             label, luaL_typename(L, -1));
    double sum = 0.0;
    int any = 0, use_total = 0;
    if (t == LUA_TTABLE) {
        char what[WHAT_LEN];
        snprintf(what, sizeof what, "power: tallies[%zu].by_class", k + 1);
        int n = msi_plot_sorted_keys(L, c, -1, what);
        for (int j = 1; j <= n; j++) {
            lua_rawgeti(L, -1, j);
            const char *name = lua_tostring(L, -1);
            lua_pop(L, 1);
            if (lua_getfield(L, -2, name) != LUA_TNUMBER)
                ms_lua_errorf(L, "power: tallies[%d] ('%s'): by_class.%s must be a number (J), got %s", (int)k + 1, label,
                     name, luaL_typename(L, -1));
            double v = lua_tonumber(L, -1);
            if (isnan(v)) ms_lua_errorf(L, "power: tallies[%d] ('%s'): by_class.%s is NaN", (int)k + 1, label, name);
            add_class(L, c, cls, nc, name);
            sum += v;
            any = 1;
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    t = lua_getfield(L, e, "total");
    if (t != LUA_TNIL) {
        if (t != LUA_TNUMBER)
            ms_lua_errorf(L, "power: tallies[%d] ('%s'): total must be a number (J), got %s", (int)k + 1, label,
                 luaL_typename(L, -1));
        double total = lua_tonumber(L, -1);
        if (isnan(total)) ms_lua_errorf(L, "power: tallies[%d] ('%s'): total is NaN", (int)k + 1, label);
        if (!any) {
            add_class(L, c, cls, nc, "total");
            use_total = 1;
        } else if (!(fabs(total - sum) <= TOTAL_REL_TOL * fmax(fabs(total), fabs(sum))))
            ms_lua_errorf(L, "power: tallies[%d] ('%s'): total %g J is not the sum of by_class (%g J)", (int)k + 1, label,
                 total, sum);
    } else if (!any) {
        lua_getfield(L, e, "bins");
        if (lua_isnil(L, -1))
            ms_lua_errorf(L, "power: tallies[%d] ('%s'): the energy table has neither by_class, total nor bins", (int)k + 1,
                 label);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return use_total;
}

/* bins = { edges = {n+1 s}, energy = {n J} } or { edges =, by_class = { class = {n J}, ... } }. */
static void tally_bins(lua_State *L, plot_call *c, int e, size_t k, const char *label, ms_energy_tally *tl)
{
    static const char *const keys[] = { "edges", "energy", "by_class", NULL };
    int t = lua_getfield(L, e, "bins");
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    char what[WHAT_LEN];
    if (t != LUA_TTABLE)
        ms_lua_errorf(L, "power: tallies[%d] ('%s'): bins must be a table { edges =, energy = }, got %s", (int)k + 1, label,
             luaL_typename(L, -1));
    int b = lua_gettop(L);
    snprintf(what, sizeof what, "power: tallies[%zu].bins", k + 1);
    ms_lua_check_options(L, b, what, keys);
    snprintf(what, sizeof what, "tallies[%zu].bins.edges", k + 1);
    lua_getfield(L, b, "edges");
    if (lua_isnil(L, -1)) ms_lua_errorf(L, "power: tallies[%d] ('%s'): bins need 'edges' (s)", (int)k + 1, label);
    tl->edges_s = msi_plot_numbers(L, c, -1, what, 0, &tl->n_edges);
    lua_pop(L, 1);
    size_t nb = tl->n_edges ? tl->n_edges - 1 : 0;
    if (lua_getfield(L, b, "energy") != LUA_TNIL) {
        snprintf(what, sizeof what, "tallies[%zu].bins.energy", k + 1);
        tl->bin_J = msi_plot_numbers(L, c, -1, what, 0, &tl->n_bins);
        if (tl->n_bins + 1 != tl->n_edges)
            ms_lua_errorf(L, "power: tallies[%d] ('%s'): bins.edges has %d values, expected %d (one more than bins.energy)",
                 (int)k + 1, label, (int)tl->n_edges, (int)tl->n_bins + 1);
    } else if (lua_getfield(L, b, "by_class") == LUA_TTABLE) {
        double *sum = msi_plot_scratch(L, c, nb, sizeof *sum);
        for (size_t i = 0; i < nb; i++) sum[i] = 0.0;
        snprintf(what, sizeof what, "power: tallies[%zu].bins.by_class", k + 1);
        int n_cls = msi_plot_sorted_keys(L, c, -1, what);
        for (int j = 1; j <= n_cls; j++) {
            lua_rawgeti(L, -1, j);
            snprintf(what, sizeof what, "tallies[%zu].bins.by_class.%s", k + 1, lua_tostring(L, -1));
            lua_gettable(L, -3);
            size_t n;
            const double *v = msi_plot_numbers(L, c, -1, what, 0, &n);
            if (n != nb) ms_lua_errorf(L, "power: %s has %d values but bins.edges makes %d bins", what, (int)n, (int)nb);
            for (size_t i = 0; i < nb; i++) sum[i] += v[i];
            lua_pop(L, 1);
        }
        tl->bin_J = sum;
        tl->n_bins = nb;
        lua_pop(L, 1);
    } else {
        ms_lua_errorf(L, "power: tallies[%d] ('%s'): bins need 'energy' (J per bin) or 'by_class'", (int)k + 1, label);
    }
    lua_settop(L, b - 1);
}

/* memsnn.plot.power{ file=, tallies = { { "label", e }, ... }, classes=, log=, ... } with e an
 * energy table { total = J, by_class = { synapse = J, ... }, bins = { edges =, energy = } }. */
int msi_plot_power(lua_State *L)
{
    static const char *const allowed[] = { COMMON_OPTIONS, "t0", "t1", "ymin", "ymax", "logy", "log", "tallies",
                                           "classes", NULL };
    plot_call c;
    msi_plot_begin(L, &c, "power", allowed, "power{ file = \"power.png\", tallies = { { \"run 1\", net:energy() } } }");
    if (lua_getfield(L, 1, "tallies") != LUA_TTABLE)
        ms_lua_errorf(L, "power: option 'tallies' must be a list of { \"label\", energy table } pairs, got %s",
             luaL_typename(L, -1));
    int list = lua_gettop(L);
    size_t n = (size_t)luaL_len(L, list);
    if (n > MAX_TALLIES) ms_lua_errorf(L, "power: %d tallies, at most %d", (int)n, MAX_TALLIES);
    const char *cls[MAX_CLASSES], *labels[MAX_TALLIES];
    int use_total[MAX_TALLIES];
    size_t nc = 0;
    /* Classes named in `classes` come first, in that order; the others by CLASS_ORDER. */
    size_t n_fixed = 0;
    if (lua_getfield(L, 1, "classes") != LUA_TNIL) {
        if (!lua_istable(L, -1)) ms_lua_errorf(L, "power: classes must be a list of class names, got %s", luaL_typename(L, -1));
        for (lua_Integer j = 1; lua_geti(L, -1, j) != LUA_TNIL; j++) {
            if (lua_type(L, -1) != LUA_TSTRING)
                ms_lua_errorf(L, "power: classes[%d] must be a class name, got %s", (int)j, luaL_typename(L, -1));
            add_class(L, &c, cls, &nc, lua_tostring(L, -1));
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        n_fixed = nc;
    }
    lua_pop(L, 1);
    for (size_t k = 0; k < n; k++) {
        lua_geti(L, list, (lua_Integer)k + 1);
        if (!lua_istable(L, -1) || lua_geti(L, -1, 1) != LUA_TSTRING || lua_geti(L, -2, 2) != LUA_TTABLE)
            ms_lua_errorf(L, "power: tallies[%d] must be a pair { \"label\", energy table }, e.g. { \"run 1\", net:energy() }",
                 (int)k + 1);
        labels[k] = lua_tostring(L, -2);
        use_total[k] = tally_classes(L, &c, lua_gettop(L), k, labels[k], cls, &nc);
        lua_settop(L, list);
    }
    qsort(cls + n_fixed, nc - n_fixed, sizeof *cls, class_cmp);
    ms_energy_tally *tl = msi_plot_scratch(L, &c, n, sizeof *tl);
    double *energy = msi_plot_scratch(L, &c, n * nc, sizeof *energy);
    for (size_t k = 0; k < n; k++) {
        lua_geti(L, list, (lua_Integer)k + 1);
        lua_geti(L, -1, 2);
        int e = lua_gettop(L);
        double *ej = energy + k * nc;
        int has_classes = lua_getfield(L, e, "by_class") == LUA_TTABLE;
        for (size_t j = 0; j < nc; j++) {
            ej[j] = 0.0;
            if (has_classes && lua_getfield(L, -1, cls[j]) == LUA_TNUMBER) ej[j] = lua_tonumber(L, -1);
            if (has_classes) lua_pop(L, 1);
        }
        lua_pop(L, 1);
        if (lua_getfield(L, e, "total") == LUA_TNUMBER && use_total[k]) {
            for (size_t j = 0; j < nc; j++)
                if (strcmp(cls[j], "total") == 0) ej[j] = lua_tonumber(L, -1);
        }
        lua_pop(L, 1);
        tl[k] = (ms_energy_tally){ .label = labels[k], .n_classes = nc, .class_names = cls, .class_J = ej };
        tally_bins(L, &c, e, k, labels[k], &tl[k]);
        lua_settop(L, list);
    }
    ms_power_data d = { n, tl };
    msi_plot_provenance(L, &c, NULL, 0);
    const char *path = msi_plot_output(L, &c);
    ms_error err = { 0 };
    return msi_plot_done(L, ms_plot_power(&d, &c.o, &err), &err, path);
}

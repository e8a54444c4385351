/* scripting/l_plot_curves.c: memsnn.plot.iv, heatmap and xy: curves of paired arrays (an
 * I-V loop with direction arrows, any y against x with lines or markers) and a grid of
 * values as a colour map. */
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

/* ---- iv and xy: curves of paired arrays ------------------------------------------------------ */

/* Reads keys xk, yk (and label) of the table at e into two arrays of equal length; NaN is a
 * gap. `where` names the curve in messages: "" for the top-level options, or "curves[2]". */
static void pair_arrays(lua_State *L, plot_call *c, int e, const char *where, const char *xk, const char *yk,
                        const double **x, const double **y, size_t *n, const char **label)
{
    char what[WHAT_LEN], pre[2 * WHAT_LEN];
    snprintf(what, sizeof what, "%s%s", where, where[0] ? "." : "");
    *label = msi_plot_field_string(L, c, e, "label", what);
    if (!where[0]) pre[0] = '\0';
    else if (*label) snprintf(pre, sizeof pre, "%s ('%s'): ", where, *label);
    else snprintf(pre, sizeof pre, "%s: ", where);
    int tx = lua_getfield(L, e, xk), ty = lua_getfield(L, e, yk);
    if (tx == LUA_TNIL || ty == LUA_TNIL)
        ms_lua_errorf(L, "%s: %s'%s' and '%s' are both required", c->who, pre, xk, yk);
    if (tx != LUA_TTABLE || ty != LUA_TTABLE)
        ms_lua_errorf(L, "%s: %s'%s' and '%s' must be tables of numbers, got %s and %s", c->who, pre, xk, yk,
             luaL_typename(L, -2), luaL_typename(L, -1));
    size_t nx = (size_t)luaL_len(L, -2), ny = (size_t)luaL_len(L, -1);
    if (nx != ny)
        ms_lua_errorf(L, "%s: %s%d %s values but %d %s values", c->who, pre, (int)nx, xk, (int)ny, yk);
    snprintf(what, sizeof what, "%s%s%s", where, where[0] ? "." : "", xk);
    *x = msi_plot_numbers(L, c, -2, what, 1, n);
    snprintf(what, sizeof what, "%s%s%s", where, where[0] ? "." : "", yk);
    *y = msi_plot_numbers(L, c, -1, what, 1, n);
    lua_pop(L, 2);
}

/* The curve list: key `list` ({ {x=, y=}, ... }) or one curve from the top-level keys `top`.
 * Leaves the list (or the options table) at *idx and says in *has_list which it is. */
static size_t curve_list(lua_State *L, plot_call *c, const char *list, const char *const *top, int *idx, int *has_list_out)
{
    int has_list = lua_getfield(L, 1, list) != LUA_TNIL;
    int has_top = 0;
    for (const char *const *k = top; *k; k++) {
        has_top |= lua_getfield(L, 1, *k) != LUA_TNIL;
        lua_pop(L, 1);
    }
    if (has_list && has_top)
        ms_lua_errorf(L, "%s: give %s and %s for one curve, or '%s', not both", c->who, top[0], top[1], list);
    if (!has_list && !has_top)
        ms_lua_errorf(L, "%s: options '%s' and '%s' (or '%s', a list of curves) are required", c->who, top[0], top[1], list);
    if (has_list && !lua_istable(L, -1))
        ms_lua_errorf(L, "%s: %s must be a list of tables, got %s", c->who, list, luaL_typename(L, -1));
    if (!has_list) lua_pushvalue(L, 1);
    *idx = lua_gettop(L);
    *has_list_out = has_list;
    return has_list ? (size_t)luaL_len(L, -1) : 1;
}

/* Pushes entry k of a curve list (checking its keys; `where` becomes "curves[k]") or,
 * for the single-curve form without a list, the options table itself. */
static void push_curve(lua_State *L, int list, int has_list, size_t k, const char *plot, const char *name,
                       const char *shape, const char *const *keys, char *where)
{
    where[0] = '\0';
    if (!has_list) {
        lua_pushvalue(L, list);
        return;
    }
    snprintf(where, WHAT_LEN, "%s[%zu]", name, k + 1);
    if (lua_geti(L, list, (lua_Integer)k + 1) != LUA_TTABLE)
        ms_lua_errorf(L, "%s: %s[%d] must be a table %s, got %s", plot, name, (int)k + 1, shape, luaL_typename(L, -1));
    char w[WHAT_LEN];
    snprintf(w, sizeof w, "%s: %s[%zu]", plot, name, k + 1);
    ms_lua_check_options(L, -1, w, keys);
}

/* memsnn.plot.iv{ file=, v=, i=, label= | curves = { {v=, i=, label=}, ... }, arrows=, log=, ... } */
int msi_plot_iv(lua_State *L)
{
    static const char *const allowed[] = { COMMON_OPTIONS, "xmin", "xmax", "ymin", "ymax", "logy", "log", "v", "i",
                                           "label", "curves", "arrows", NULL };
    /* a curve's keys, at the top level for one curve or in each entry of `curves` */
    static const char *const keys[] = { "v", "i", "label", NULL };
    plot_call c;
    msi_plot_begin(L, &c, "iv", allowed, "iv{ file = \"iv.png\", v = r.v, i = r.i }");
    int list, has_list;
    size_t n = curve_list(L, &c, "curves", keys, &list, &has_list);
    ms_iv_curve *cv = msi_plot_scratch(L, &c, n, sizeof *cv);
    for (size_t k = 0; k < n; k++) {
        char where[WHAT_LEN];
        push_curve(L, list, has_list, k, "iv", "curves", "{ v =, i =, label = }", keys, where);
        pair_arrays(L, &c, lua_gettop(L), where, "v", "i", &cv[k].v_V, &cv[k].i_A, &cv[k].n_v, &cv[k].label);
        cv[k].n_i = cv[k].n_v;
        lua_settop(L, list);
    }
    ms_iv_data d = { n, cv, 0 };
    if (lua_getfield(L, 1, "arrows") != LUA_TNIL) {
        if (lua_type(L, -1) != LUA_TNUMBER)
            ms_lua_errorf(L, "iv: arrows must be a number, got %s", luaL_typename(L, -1));
        int a = (int)msi_plot_whole(L, &c, "arrows", 0, MAX_ARROWS);
        d.arrows = a == 0 ? -1 : a;
    }
    lua_pop(L, 1);
    msi_plot_provenance(L, &c, NULL, 0);
    const char *path = msi_plot_output(L, &c);
    ms_error err = { 0 };
    return msi_plot_done(L, ms_plot_iv(&d, &c.o, &err), &err, path);
}

static ms_xy_style xy_style(lua_State *L, int e, const char *where)
{
    static const char *const names[] = { "lines", "points", "both" };
    static const ms_xy_style styles[] = { MS_XY_LINES, MS_XY_POINTS, MS_XY_LINES_POINTS };
    int t = lua_getfield(L, e, "style");
    const char *s = t == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1);
    for (int k = 0; k < 3; k++)
        if (t == LUA_TNIL || (t == LUA_TSTRING && strcmp(s, names[k]) == 0)) {
            lua_pop(L, 1);
            return styles[t == LUA_TNIL ? 0 : k];
        }
    ms_lua_errorf(L, "xy: %s%sunknown style '%s' (expected: lines, points, both)", where, where[0] ? ": " : "", s);
    return MS_XY_LINES;
}

/* memsnn.plot.xy{ file=, series = { {x=, y=, label=, style=}, ... } | x=, y=, label=, style=, ... } */
/* memsnn.plot.heatmap{ file=, values = {...} (rows x cols, row-major, row 1 at the top),
 * rows =, cols =, x = { x0, x1 }, y = { y0, y1 } (data edges), vmin, vmax, grey, vlabel,
 * xunit, yunit, ... } */
int msi_plot_heatmap(lua_State *L)
{
    static const char *const allowed[] = { COMMON_OPTIONS, "values", "rows", "cols", "x", "y", "vmin", "vmax", "grey",
                                           "vlabel", "xunit", "yunit", NULL };
    plot_call c;
    msi_plot_begin(L, &c, "heatmap", allowed, "heatmap{ file = \"map.png\", values = v, rows = 28, cols = 28 }");
    if (lua_getfield(L, 1, "rows") == LUA_TNIL) ms_lua_errorf(L, "heatmap: option 'rows' is required");
    size_t rows = (size_t)msi_plot_whole(L, &c, "rows", 1, INT32_MAX);
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "cols") == LUA_TNIL) ms_lua_errorf(L, "heatmap: option 'cols' is required");
    size_t cols = (size_t)msi_plot_whole(L, &c, "cols", 1, INT32_MAX);
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "values") == LUA_TNIL) ms_lua_errorf(L, "heatmap: option 'values' (rows x cols numbers) is required");
    size_t n;
    const double *v = msi_plot_numbers(L, &c, -1, "values", 1, &n);
    if (n != rows * cols)
        ms_lua_errorf(L, "heatmap: values has %d entries, expected %d (%d rows x %d cols)", (int)n, (int)(rows * cols),
                      (int)rows, (int)cols);
    double edges[2][2] = { { 0, (double)cols }, { 0, (double)rows } };
    const char *names[2] = { "x", "y" };
    for (int a = 0; a < 2; a++) {
        if (lua_getfield(L, 1, names[a]) != LUA_TNIL) {
            size_t ne;
            const double *e = msi_plot_numbers(L, &c, -1, names[a], 0, &ne);
            if (ne != 2) ms_lua_errorf(L, "heatmap: %s must be { first edge, last edge }, got %d values", names[a], (int)ne);
            edges[a][0] = e[0], edges[a][1] = e[1];
        }
        lua_pop(L, 1);
    }
    ms_heatmap_data d = { .n_rows = rows, .n_cols = cols, .values = v, .x0 = edges[0][0], .x1 = edges[0][1],
                          .y0 = edges[1][0], .y1 = edges[1][1], .v_min = msi_plot_opt_finite(L, &c, "vmin"),
                          .v_max = msi_plot_opt_finite(L, &c, "vmax"), .grey = msi_plot_opt_bool(L, &c, "grey", NULL),
                          .v_label = ms_lua_opt_string(L, 1, "vlabel", "heatmap", NULL) };
    msi_plot_check_pair(L, &c, "vmin", d.v_min, "vmax", d.v_max);
    msi_plot_provenance(L, &c, NULL, 0);
    const char *path = msi_plot_output(L, &c);
    ms_error err = { 0 };
    return msi_plot_done(L, ms_plot_heatmap(&d, &c.o, &err), &err, path);
}

int msi_plot_xy(lua_State *L)
{
    static const char *const allowed[] = { COMMON_OPTIONS, "xmin", "xmax", "ymin", "ymax", "logx", "logy", "log",
                                           "xunit", "yunit", "series", "x", "y", "label", "style", NULL };
    /* a series' keys, at the top level for one series or in each entry of `series` */
    static const char *const keys[] = { "x", "y", "label", "style", NULL };
    plot_call c;
    msi_plot_begin(L, &c, "xy", allowed, "xy{ file = \"xy.png\", series = { { x = xs, y = ys, label = \"data\" } } }");
    int list, has_list;
    size_t n = curve_list(L, &c, "series", keys, &list, &has_list);
    ms_xy_series *sr = msi_plot_scratch(L, &c, n, sizeof *sr);
    for (size_t k = 0; k < n; k++) {
        char where[WHAT_LEN];
        push_curve(L, list, has_list, k, "xy", "series", "{ x =, y =, label =, style = }", keys, where);
        int e = lua_gettop(L);
        pair_arrays(L, &c, e, where, "x", "y", &sr[k].x, &sr[k].y, &sr[k].n_x, &sr[k].label);
        sr[k].n_y = sr[k].n_x;
        sr[k].style = xy_style(L, e, where);
        lua_settop(L, list);
    }
    ms_xy_data d = { n, sr };
    msi_plot_provenance(L, &c, NULL, 0);
    const char *path = msi_plot_output(L, &c);
    ms_error err = { 0 };
    return msi_plot_done(L, ms_plot_xy(&d, &c.o, &err), &err, path);
}

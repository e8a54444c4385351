/* scripting/l_data.c: memsnn.data.idx and the memsnn.tensor userdata it returns
 * (docs/data.md).
 *
 * The values stay in C (scripting/ms_idx.h: bytes for ubyte, doubles otherwise) and scripts
 * take the rows they need: 10,000 MNIST images are 7.8 MB so, where a flat Lua table of
 * their 7.8 million pixels would take about 125 MB and seconds to build. */
#include <string.h>

#include <lauxlib.h>

#include "scripting/l_data.h"
#include "scripting/l_util.h"
#include "scripting/ms_idx.h"

static ms_idx *check_tensor(lua_State *L, int idx)
{
    return luaL_checkudata(L, idx, MS_LUA_TENSOR);
}

/* Integer types come out as Lua integers, so a label prints as 7, not 7.0. */
static void push_value(lua_State *L, const ms_idx *t, size_t k)
{
    if (t->type == MS_IDX_FLOAT || t->type == MS_IDX_DOUBLE) lua_pushnumber(L, t->f64[k]);
    else lua_pushinteger(L, (lua_Integer)ms_idx_value(t, k));
}

/* Index argument `arg` as a 0-based index below n; names the dimension in the error. */
static size_t check_index(lua_State *L, int arg, size_t n, int dim, const char *fname)
{
    int ok = 0;
    lua_Integer i = lua_tointegerx(L, arg, &ok);
    if (!ok) {
        if (lua_type(L, arg) == LUA_TNUMBER)
            return (size_t)ms_lua_errorf(L, "tensor:%s: index %d must be a whole number, got %g", fname, dim,
                                         lua_tonumber(L, arg));
        return (size_t)ms_lua_errorf(L, "tensor:%s: index %d must be a whole number, got %s", fname, dim,
                                     luaL_typename(L, arg));
    }
    if (i < 1 || (lua_Unsigned)i > (lua_Unsigned)n)
        return (size_t)ms_lua_errorf(L, "tensor:%s: index %d is %lld, outside 1..%zu", fname, dim, (long long)i, n);
    return (size_t)(i - 1);
}

/* t:get(i1, ..., ik): one value; k must equal the number of dimensions (1-based indices). */
static int l_get(lua_State *L)
{
    const ms_idx *t = check_tensor(L, 1);
    int nargs = lua_gettop(L) - 1;
    if (nargs != t->ndims)
        return ms_lua_errorf(L, "tensor:get: takes %d indices (one per dimension), got %d", t->ndims, nargs);
    size_t k = 0;
    for (int d = 0; d < t->ndims; d++) k = k * t->dims[d] + check_index(L, 2 + d, t->dims[d], d + 1, "get");
    push_value(L, t, k);
    return 1;
}

/* t:row(i [, scale]): the values of item i along the first dimension as a flat sequence (an
 * image's 784 pixels, row by row), each times scale when given (e.g. 1/255 for intensities
 * in [0, 1]). */
static int l_row(lua_State *L)
{
    const ms_idx *t = check_tensor(L, 1);
    size_t i = check_index(L, 2, t->dims[0], 1, "row");
    int scaled = !lua_isnoneornil(L, 3);
    double scale = scaled ? luaL_checknumber(L, 3) : 1;
    size_t w = t->dims[0] ? t->count / t->dims[0] : 0;
    luaL_checkstack(L, 2, "tensor:row");
    lua_createtable(L, w > (size_t)0x7fffffff ? 0 : (int)w, 0);
    for (size_t j = 0; j < w; j++) {
        if (scaled) lua_pushnumber(L, scale * ms_idx_value(t, i * w + j));
        else push_value(L, t, i * w + j);
        lua_rawseti(L, -2, (lua_Integer)j + 1);
    }
    return 1;
}

static void push_dims(lua_State *L, const ms_idx *t)
{
    lua_createtable(L, t->ndims, 0);
    for (int d = 0; d < t->ndims; d++) {
        lua_pushinteger(L, (lua_Integer)t->dims[d]);
        lua_rawseti(L, -2, d + 1);
    }
}

/* t:dims() -> {d1, ..., dk} */
static int l_dims(lua_State *L)
{
    push_dims(L, check_tensor(L, 1));
    return 1;
}

/* t:count(): number of values (the product of the dims). */
static int l_count(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)check_tensor(L, 1)->count);
    return 1;
}

/* t:type(): the IDX type name ("ubyte", "float", ...). */
static int l_type(lua_State *L)
{
    lua_pushstring(L, ms_idx_type_name(check_tensor(L, 1)->type));
    return 1;
}

/* #t: the size of the first dimension, so `for i = 1, #images do ... images:row(i)` walks the
 * items. */
static int l_len(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)check_tensor(L, 1)->dims[0]);
    return 1;
}

static int l_tostring(lua_State *L)
{
    const ms_idx *t = check_tensor(L, 1);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_pushfstring(L, "memsnn.tensor(%s, ", ms_idx_type_name(t->type));
    luaL_addvalue(&b);
    for (int d = 0; d < t->ndims; d++) {
        lua_pushfstring(L, "%s%I", d ? " x " : "", (lua_Integer)t->dims[d]);
        luaL_addvalue(&b);
    }
    luaL_addchar(&b, ')');
    luaL_pushresult(&b);
    return 1;
}

static int l_gc(lua_State *L)
{
    ms_idx_free(check_tensor(L, 1));
    return 0;
}

/* memsnn.data.idx(path) -> { dims = {...}, type = "ubyte", n = count, data = tensor }.
 * path is read as given (relative to the current folder, not --out); .gz files too. */
static int l_idx(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    /* The userdata exists (with its __gc) before the read, so nothing leaks if a Lua error
     * follows. */
    ms_idx *t = lua_newuserdatauv(L, sizeof *t, 0);
    memset(t, 0, sizeof *t);
    luaL_setmetatable(L, MS_LUA_TENSOR);
    char msg[1024];
    if (ms_idx_read(path, t, msg, sizeof msg) != MS_OK) return ms_lua_fail(L, msg);
    int ud = lua_gettop(L);
    lua_createtable(L, 0, 4);
    push_dims(L, t);
    lua_setfield(L, -2, "dims");
    lua_pushstring(L, ms_idx_type_name(t->type));
    lua_setfield(L, -2, "type");
    lua_pushinteger(L, (lua_Integer)t->count);
    lua_setfield(L, -2, "n");
    lua_pushvalue(L, ud);
    lua_setfield(L, -2, "data");
    return 1;
}

void ms_lua_open_data(lua_State *L)
{
    static const luaL_Reg methods[] = {
        { "get", l_get }, { "row", l_row }, { "dims", l_dims }, { "count", l_count }, { "type", l_type },
        { NULL, NULL },
    };
    static const luaL_Reg meta[] = {
        { "__len", l_len }, { "__tostring", l_tostring }, { "__gc", l_gc }, { NULL, NULL },
    };
    if (luaL_newmetatable(L, MS_LUA_TENSOR)) {
        luaL_setfuncs(L, meta, 0);
        luaL_newlib(L, methods);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    static const luaL_Reg funcs[] = { { "idx", l_idx }, { NULL, NULL } };
    luaL_newlib(L, funcs);
    lua_setfield(L, -2, "data");
}

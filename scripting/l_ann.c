/* scripting/l_ann.c: memsnn.ann.dendritic{...}, memsnn.ann.load(path), the network's methods
 * (train, accuracy, predict, hidden, layer_weights, set_layer_weights, band, info, save, load)
 * and memsnn.data.noisy. The network lives in C (neurons/ms_ann.h); images and labels stay in
 * their memsnn.tensor (scripting/l_data.c). docs/ann.md. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>

#include "neurons/ms_ann.h"
#include "neurons/ms_noise_image.h"
#include "scripting/l_ann.h"
#include "scripting/l_data.h"
#include "scripting/l_util.h"
#include "scripting/l_xbar.h"
#include "scripting/ms_idx.h"

typedef struct l_ann {
    ms_ann *a;
} l_ann;

static ms_ann *check_ann(lua_State *L, int idx)
{
    l_ann *u = luaL_checkudata(L, idx, MS_LUA_ANN);
    if (!u->a) luaL_error(L, "ann: the network has been freed");
    return u->a;
}

/* The C messages start with "ann: "; the Lua ones name the function instead. */
static int fail_ann(lua_State *L, const char *fname, const char *msg)
{
    if (strncmp(msg, "ann: ", 5) == 0) msg += 5;
    return ms_lua_errorf(L, "%s: %s", fname, msg);
}

/* Field `key` of the table at t as a whole number in [lo, hi]; def when absent. */
static double opt_whole(lua_State *L, int t, const char *key, const char *fname, double def, double lo, double hi, int req)
{
    double v = ms_lua_opt_number(L, t, key, fname, def, req);
    if (v != floor(v) || v < lo || v > hi)
        ms_lua_errorf(L, "%s: option '%s' = %g must be a whole number in %.0f..%.0f", fname, key, v, lo, hi);
    return v;
}

static int opt_bool(lua_State *L, int t, const char *key, const char *fname, int def)
{
    int ty = lua_getfield(L, t, key);
    int v = def;
    if (ty == LUA_TBOOLEAN) v = lua_toboolean(L, -1);
    else if (ty != LUA_TNIL) luaL_error(L, "%s: option '%s' must be true or false, got %s", fname, key, luaL_typename(L, -1));
    lua_pop(L, 1);
    return v;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- tensors and noise --------------------------------------------------------------------- */

/* The value at idx as a tensor: a memsnn.tensor or the table memsnn.data.idx returns. */
static const ms_idx *check_tensor(lua_State *L, int idx, const char *fname, const char *what)
{
    idx = lua_absindex(L, idx);
    if (lua_istable(L, idx)) {
        lua_getfield(L, idx, "data");
        const ms_idx *t = luaL_testudata(L, -1, MS_LUA_TENSOR);
        lua_pop(L, 1); /* the table keeps the tensor alive */
        if (t) return t;
    }
    const ms_idx *t = luaL_testudata(L, idx, MS_LUA_TENSOR);
    if (!t)
        ms_lua_errorf(L, "%s: %s must be a memsnn.tensor (or the table memsnn.data.idx returns), got %s", fname, what,
                      luaL_typename(L, idx));
    return t;
}

static size_t per_sample(const ms_idx *t) { return t->dims[0] ? t->count / t->dims[0] : 0; }

/* Reads a noise table at idx (nil: none) into *o; returns o or NULL. Unknown keys are errors. */
static const ms_noise_opts *read_noise(lua_State *L, int idx, const char *fname, uint64_t def_seed, ms_noise_opts *o)
{
    ms_noise_opts_default(o);
    o->seed = def_seed;
    if (lua_isnoneornil(L, idx)) return NULL;
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx)) ms_lua_errorf(L, "%s: noise must be a table { sigma =, clutter =, seed = }, got %s", fname, luaL_typename(L, idx));
    int n = ms_lua_sorted_keys(L, idx, fname);
    int keys = lua_gettop(L);
    for (int k = 1; k <= n; k++) {
        lua_rawgeti(L, keys, k);
        lua_pushvalue(L, -1);
        lua_gettable(L, idx);
        const char *name = lua_tostring(L, -2);
        if (lua_type(L, -1) != LUA_TNUMBER)
            ms_lua_errorf(L, "%s: noise.%s must be a number, got %s", fname, name, luaL_typename(L, -1));
        char msg[256];
        if (ms_noise_set(o, name, lua_tonumber(L, -1), msg, sizeof msg) != MS_OK) ms_lua_errorf(L, "%s: %s", fname, msg);
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
    return o;
}

/* Sample k (0-based) of a tensor as a data set for the C functions, and the data-set checks
 * shared by all methods. */
static void tensor_data(lua_State *L, const ms_idx *t, size_t n_in, const char *fname, ms_ann_data *d)
{
    if (per_sample(t) != n_in) {
        if (t->ndims == 3)
            ms_lua_errorf(L, "%s: the images have %zu x %zu = %zu values each, the network has %zu inputs", fname, t->dims[1],
                          t->dims[2], per_sample(t), n_in);
        ms_lua_errorf(L, "%s: the samples have %zu values each, the network has %zu inputs", fname, per_sample(t), n_in);
    }
    memset(d, 0, sizeof *d);
    d->n = t->dims[0];
    if (t->u8) d->u8 = t->u8, d->scale = 1.0 / 255;
    else d->f64 = t->f64, d->scale = 1;
    if (t->ndims == 3) d->rows = t->dims[1], d->cols = t->dims[2];
}

static void check_noise_fits(lua_State *L, const ms_noise_opts *noise, const ms_ann_data *d, size_t n_in, const char *fname)
{
    char msg[256];
    if (ms_noise_check(noise, n_in, d->rows, d->cols, msg, sizeof msg) != MS_OK) ms_lua_errorf(L, "%s: %s", fname, msg);
}

/* images, labels, n, offset of an option table: a data set of n samples from offset, with the
 * labels copied (checked) into a buffer owned by a userdata left on the stack. */
static void read_set(lua_State *L, int t, ms_ann *a, const char *fname, ms_ann_data *d)
{
    const ms_ann_opts *ao = ms_ann_options(a);
    if (lua_getfield(L, t, "images") == LUA_TNIL) ms_lua_errorf(L, "%s: option 'images' is required", fname);
    const ms_idx *img = check_tensor(L, -1, fname, "images");
    lua_pop(L, 1); /* the option table keeps it */
    if (lua_getfield(L, t, "labels") == LUA_TNIL) ms_lua_errorf(L, "%s: option 'labels' is required", fname);
    const ms_idx *lab = check_tensor(L, -1, fname, "labels");
    lua_pop(L, 1);
    tensor_data(L, img, ao->n_in, fname, d);
    if (lab->count != lab->dims[0])
        ms_lua_errorf(L, "%s: labels must be one value per sample (a 1-dimensional tensor), got %d dimensions", fname, lab->ndims);
    if (lab->dims[0] != img->dims[0])
        ms_lua_errorf(L, "%s: there are %zu labels for %zu images", fname, lab->dims[0], img->dims[0]);
    size_t total = img->dims[0];
    size_t offset = (size_t)opt_whole(L, t, "offset", fname, 0, 0, (double)total, 0);
    size_t n = (size_t)opt_whole(L, t, "n", fname, (double)(total - offset), 1, (double)total, 0);
    if (offset + n > total)
        ms_lua_errorf(L, "%s: offset %zu + n %zu is beyond the %zu samples", fname, offset, n, total);
    if (n == 0) ms_lua_errorf(L, "%s: no samples (offset %zu of %zu)", fname, offset, total);
    uint8_t *labels = lua_newuserdatauv(L, n, 0);
    for (size_t k = 0; k < n; k++) {
        double v = ms_idx_value(lab, offset + k);
        if (v != floor(v) || v < 0 || v >= (double)ao->n_out)
            ms_lua_errorf(L, "%s: label %zu is %g, outside the classes 0..%zu", fname, offset + k + 1, v, ao->n_out - 1);
        labels[k] = (uint8_t)v;
    }
    if (d->u8) d->u8 += offset * ao->n_in;
    else d->f64 += offset * ao->n_in;
    d->n = n;
    d->labels = labels;
    d->index0 = offset;
}

/* ---- construction --------------------------------------------------------------------------- */

static ms_ann **new_ud(lua_State *L)
{
    l_ann *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->a = NULL;
    luaL_setmetatable(L, MS_LUA_ANN);
    return &u->a;
}

/* memsnn.ann.dendritic{ inputs, hidden, outputs, branches, band_of, out_branches, dendrites,
 * nonlinearity, theta, init_sd, seed } */
static int l_dendritic(lua_State *L)
{
    static const char *const allowed[] = { "inputs", "hidden", "outputs", "branches", "band_of", "out_branches",
                                           "dendrites", "nonlinearity", "theta", "init_sd", "seed", "threshold", "normalise",
                                           NULL };
    const char *fname = "ann.dendritic";
    luaL_checktype(L, 1, LUA_TTABLE);
    ms_lua_check_options(L, 1, fname, allowed);
    ms_ann_opts o;
    ms_ann_opts_default(&o);
    o.n_in = (size_t)opt_whole(L, 1, "inputs", fname, 0, 1, 4294967295.0, 1);
    o.n_hidden = (size_t)opt_whole(L, 1, "hidden", fname, 0, 1, 4294967295.0, 1);
    o.n_out = (size_t)opt_whole(L, 1, "outputs", fname, 0, 1, 256, 1); /* labels are bytes */
    o.dendrites = opt_bool(L, 1, "dendrites", fname, 1);
    o.normalise = opt_bool(L, 1, "normalise", fname, 1);
    o.branches = (size_t)opt_whole(L, 1, "branches", fname, 1, 1, (double)o.n_in, 0);
    o.out_branches = (size_t)opt_whole(L, 1, "out_branches", fname, 1, 1, (double)o.n_hidden, 0);
    o.nonlinearity = ms_lua_opt_number(L, 1, "nonlinearity", fname, o.nonlinearity, 0);
    o.threshold = ms_lua_opt_number(L, 1, "threshold", fname, o.threshold, 0);
    o.theta = ms_lua_opt_number(L, 1, "theta", fname, o.theta, 0);
    o.init_sd = ms_lua_opt_number(L, 1, "init_sd", fname, o.init_sd, 0);
    o.seed = (uint64_t)opt_whole(L, 1, "seed", fname, 1, 0, 9007199254740992.0, 0);
    int ty = lua_getfield(L, 1, "band_of");
    if (ty != LUA_TNIL && o.dendrites) {
        double *v = lua_newuserdatauv(L, o.n_in * sizeof *v, 0);
        ms_lua_unit_values(L, -2, o.n_in, v, fname, "band_of");
        uint32_t *band = lua_newuserdatauv(L, o.n_in * sizeof *band, 0);
        for (size_t i = 0; i < o.n_in; i++) {
            if (v[i] != floor(v[i]) || v[i] < 1 || v[i] > (double)o.branches)
                ms_lua_errorf(L, "%s: band_of(%zu) = %g is not a branch 1..%zu", fname, i + 1, v[i], o.branches);
            band[i] = (uint32_t)v[i] - 1;
        }
        o.band_of = band; /* kept alive on the stack until the network has copied it */
    }
    ms_ann **slot = new_ud(L);
    char msg[MS_ERRMSG_LEN];
    if (ms_ann_create(&o, slot, msg, sizeof msg) != MS_OK) return fail_ann(L, fname, msg);
    return 1;
}

/* Reads a path for loading: under --out when the file is there (where save put it), else as
 * given. Pushes the path. */
static const char *load_path(lua_State *L, const char *path)
{
    ms_lua_settings *s = ms_lua_get_settings(L);
    if (path[0] != '/' && strcmp(s->out_dir, ".") != 0) {
        lua_pushfstring(L, "%s/%s", s->out_dir, path);
        if (access(lua_tostring(L, -1), R_OK) == 0) return lua_tostring(L, -1);
        lua_pop(L, 1);
    }
    lua_pushstring(L, path);
    return lua_tostring(L, -1);
}

/* memsnn.ann.load(path) -> a new network from a weight file */
static int l_load_new(lua_State *L)
{
    const char *path = load_path(L, luaL_checkstring(L, 1));
    ms_ann **slot = new_ud(L);
    char msg[MS_ERRMSG_LEN];
    if (ms_ann_load(path, slot, msg, sizeof msg) != MS_OK) return fail_ann(L, "ann.load", msg);
    return 1;
}

/* ann:load(path): weights of the same shape into this network */
static int l_load(lua_State *L)
{
    ms_ann *a = check_ann(L, 1);
    const char *path = load_path(L, luaL_checkstring(L, 2));
    if (ms_ann_load_weights(a, path) != MS_OK) return fail_ann(L, "ann:load", ms_ann_errmsg(a));
    lua_settop(L, 1);
    return 1;
}

/* ann:save(path) -> the path written (relative paths under --out) */
static int l_save(lua_State *L)
{
    ms_ann *a = check_ann(L, 1);
    const char *path = ms_lua_output_path(L, luaL_checkstring(L, 2), "ann:save");
    if (ms_ann_save(a, path) != MS_OK) return fail_ann(L, "ann:save", ms_ann_errmsg(a));
    if (!ms_lua_get_settings(L)->quiet) fprintf(stderr, "memsnn: wrote %s\n", path);
    return 1;
}

/* ---- training and evaluation --------------------------------------------------------------- */

typedef struct train_ud {
    int draw, epochs;
    size_t n, batch;
    double sum, wall0;
} train_ud;

static int on_batch(void *ud, int epoch, size_t batch, size_t n_batches, double loss)
{
    train_ud *p = ud;
    size_t k0 = batch * p->batch, k1 = k0 + p->batch < p->n ? k0 + p->batch : p->n;
    p->sum += loss * (double)(k1 - k0);
    if (batch + 1 == n_batches) {
        if (p->draw)
            fprintf(stderr, "ann: epoch %d/%d: loss %.4f (%.1f s)\n", epoch + 1, p->epochs, p->sum / (double)p->n,
                    wall_now() - p->wall0);
        p->sum = 0;
    }
    return 0;
}

/* ann:train{ images, labels, n, offset, epochs, lr, batch, weight_decay, momentum, logit_scale,
 * weight_noise, activity, seed, shuffle, noise, progress } -> { loss = {per epoch}, seconds = } */
static int l_train(lua_State *L)
{
    static const char *const allowed[] = { "images", "labels", "n", "offset", "epochs", "lr", "batch", "weight_decay",
                                           "momentum", "logit_scale", "weight_noise", "activity", "seed", "shuffle", "noise",
                                           "progress", "norm_grad", "soma_grad", NULL };
    const char *fname = "ann:train";
    ms_ann *a = check_ann(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    ms_lua_check_options(L, 2, fname, allowed);
    ms_ann_data d;
    read_set(L, 2, a, fname, &d);
    ms_ann_train_opts o;
    ms_ann_train_opts_default(&o);
    o.epochs = (int)opt_whole(L, 2, "epochs", fname, o.epochs, 1, 1e6, 0);
    o.lr = ms_lua_opt_number(L, 2, "lr", fname, o.lr, 0);
    o.batch = (size_t)opt_whole(L, 2, "batch", fname, (double)o.batch, 1, 1e9, 0);
    o.weight_decay = ms_lua_opt_number(L, 2, "weight_decay", fname, o.weight_decay, 0);
    o.momentum = ms_lua_opt_number(L, 2, "momentum", fname, o.momentum, 0);
    o.logit_scale = ms_lua_opt_number(L, 2, "logit_scale", fname, o.logit_scale, 0);
    o.weight_noise = ms_lua_opt_number(L, 2, "weight_noise", fname, o.weight_noise, 0);
    o.activity = ms_lua_opt_number(L, 2, "activity", fname, o.activity, 0);
    o.seed = (uint64_t)opt_whole(L, 2, "seed", fname, 1, 0, 9007199254740992.0, 0);
    o.shuffle = opt_bool(L, 2, "shuffle", fname, 1);
    const char *ng = ms_lua_opt_string(L, 2, "norm_grad", fname, o.norm_grad == MS_ANN_NORM_STOP ? "stop" : "exact");
    if (strcmp(ng, "exact") == 0) o.norm_grad = MS_ANN_NORM_EXACT;
    else if (strcmp(ng, "stop") == 0) o.norm_grad = MS_ANN_NORM_STOP;
    else ms_lua_errorf(L, "%s: norm_grad = '%s' is not one of exact, stop", fname, ng);
    const char *sg = ms_lua_opt_string(L, 2, "soma_grad", fname, o.soma_grad == MS_ANN_SOMA_THROUGH ? "through" : "exact");
    if (strcmp(sg, "exact") == 0) o.soma_grad = MS_ANN_SOMA_EXACT;
    else if (strcmp(sg, "through") == 0) o.soma_grad = MS_ANN_SOMA_THROUGH;
    else ms_lua_errorf(L, "%s: soma_grad = '%s' is not one of exact, through", fname, sg);
    ms_noise_opts noise;
    lua_getfield(L, 2, "noise");
    o.noise = read_noise(L, -1, fname, o.seed, &noise);
    lua_pop(L, 1);
    check_noise_fits(L, o.noise, &d, ms_ann_options(a)->n_in, fname);
    train_ud ud = { .draw = opt_bool(L, 2, "progress", fname, 1) && !ms_lua_get_settings(L)->quiet, .epochs = o.epochs,
                    .n = d.n, .batch = o.batch, .wall0 = wall_now() };
    o.progress = on_batch;
    o.progress_ud = &ud;
    double *loss = lua_newuserdatauv(L, (size_t)o.epochs * sizeof *loss, 0);
    double t0 = wall_now();
    if (ms_ann_train(a, &d, &o, loss) != MS_OK) return fail_ann(L, fname, ms_ann_errmsg(a));
    double secs = wall_now() - t0;
    lua_createtable(L, 0, 2);
    ms_lua_push_doubles(L, loss, (size_t)o.epochs);
    lua_setfield(L, -2, "loss");
    lua_pushnumber(L, secs);
    lua_setfield(L, -2, "seconds");
    return 1;
}

/* ann:accuracy{ images, labels, n, offset, noise, crossbars, read_noise } -> fraction correct */
static int l_accuracy(lua_State *L)
{
    static const char *const allowed[] = { "images", "labels", "n", "offset", "noise", "crossbars", "read_noise", NULL };
    const char *fname = "ann:accuracy";
    ms_ann *a = check_ann(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    ms_lua_check_options(L, 2, fname, allowed);
    ms_ann_data d;
    read_set(L, 2, a, fname, &d);
    if (lua_getfield(L, 2, "crossbars") != LUA_TNIL) {
        lua_pop(L, 1);
        if (lua_getfield(L, 2, "noise") != LUA_TNIL)
            ms_lua_errorf(L, "%s: noise (image noise) is not available with crossbars", fname);
        lua_pop(L, 1);
        lua_pushnumber(L, ms_lua_ann_chip_accuracy(L, a, 2, &d));
        return 1;
    }
    lua_pop(L, 1);
    if (lua_getfield(L, 2, "read_noise") != LUA_TNIL) ms_lua_errorf(L, "%s: read_noise needs crossbars", fname);
    lua_pop(L, 1);
    ms_noise_opts nb;
    lua_getfield(L, 2, "noise");
    const ms_noise_opts *noise = read_noise(L, -1, fname, 1, &nb);
    lua_pop(L, 1);
    check_noise_fits(L, noise, &d, ms_ann_options(a)->n_in, fname);
    double acc;
    if (ms_ann_accuracy(a, &d, noise, &acc) != MS_OK) return fail_ann(L, fname, ms_ann_errmsg(a));
    lua_pushnumber(L, acc);
    return 1;
}

/* ann:map{ array = {...}, seed = } -> crossbar 1, crossbar 2 (docs/lua-api.md) */
static int l_map(lua_State *L) { return ms_lua_ann_map(L, check_ann(L, 1)); }

/* ann:adapt{ crossbars = {c1, c2}, images, labels, n, offset, fraction, threshold, epochs,
 * logit_scale, seed, phase, rule, read_noise } -> { samples, presentations, pulses, set,
 * reset, energy } */
static int l_adapt(lua_State *L)
{
    static const char *const allowed[] = { "crossbars", "images", "labels", "n", "offset", "fraction", "threshold",
                                           "epochs", "logit_scale", "seed", "phase", "rule", "read_noise", NULL };
    const char *fname = "ann:adapt";
    ms_ann *a = check_ann(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    ms_lua_check_options(L, 2, fname, allowed);
    ms_ann_data d;
    read_set(L, 2, a, fname, &d);
    return ms_lua_ann_adapt(L, a, &d);
}

/* Sample k (1-based, argument k_arg) of the tensor at img_arg as doubles with the noise table at
 * noise_arg, into a userdata buffer pushed on the stack. */
static double *one_sample(lua_State *L, int img_arg, int k_arg, int noise_arg, size_t n_in, const char *fname)
{
    const ms_idx *img = check_tensor(L, img_arg, fname, "images");
    ms_ann_data d;
    tensor_data(L, img, n_in, fname, &d);
    lua_Integer k = luaL_checkinteger(L, k_arg);
    if (k < 1 || (lua_Unsigned)k > (lua_Unsigned)d.n)
        ms_lua_errorf(L, "%s: sample %lld is outside 1..%zu", fname, (long long)k, d.n);
    ms_noise_opts nb;
    const ms_noise_opts *noise = read_noise(L, noise_arg, fname, 1, &nb);
    check_noise_fits(L, noise, &d, n_in, fname);
    double *x = lua_newuserdatauv(L, n_in * sizeof *x, 0);
    char msg[MS_ERRMSG_LEN];
    if (ms_ann_data_sample(&d, n_in, (size_t)k - 1, noise, x, msg, sizeof msg) != MS_OK) fail_ann(L, fname, msg);
    return x;
}

/* ann:predict(images, k [, noise]) -> class (0-based, as the labels file stores it), outputs */
static int l_predict(lua_State *L)
{
    ms_ann *a = check_ann(L, 1);
    const ms_ann_opts *o = ms_ann_options(a);
    double *x = one_sample(L, 2, 3, 4, o->n_in, "ann:predict");
    double *out = lua_newuserdatauv(L, o->n_out * sizeof *out, 0);
    ms_ann_forward(a, x, out, NULL, NULL, NULL);
    size_t best = 0;
    for (size_t j = 1; j < o->n_out; j++)
        if (out[j] > out[best]) best = j;
    lua_pushinteger(L, (lua_Integer)best);
    ms_lua_push_doubles(L, out, o->n_out);
    return 2;
}

/* ann:hidden(images, k [, noise]) -> the hidden somas' outputs, and the branches' contributions
 * to their inputs ({ [b] = { ... } }) */
static int l_hidden(lua_State *L)
{
    ms_ann *a = check_ann(L, 1);
    const ms_ann_opts *o = ms_ann_options(a);
    double *x = one_sample(L, 2, 3, 4, o->n_in, "ann:hidden");
    double *h = lua_newuserdatauv(L, o->n_hidden * sizeof *h, 0);
    double *br = lua_newuserdatauv(L, o->branches * o->n_hidden * sizeof *br, 0);
    ms_ann_forward(a, x, NULL, h, br, NULL);
    ms_lua_push_doubles(L, h, o->n_hidden);
    lua_createtable(L, (int)o->branches, 0);
    for (size_t b = 0; b < o->branches; b++) {
        ms_lua_push_doubles(L, br + b * o->n_hidden, o->n_hidden);
        lua_rawseti(L, -2, (lua_Integer)b + 1);
    }
    return 2;
}

static void check_layer_branch(lua_State *L, ms_ann *a, int arg, int *layer, size_t *branch, const char *fname)
{
    lua_Integer l = luaL_checkinteger(L, arg), b = luaL_checkinteger(L, arg + 1);
    if (l != 1 && l != 2) ms_lua_errorf(L, "%s: layer %lld does not exist (1 or 2)", fname, (long long)l);
    const ms_ann_opts *o = ms_ann_options(a);
    size_t nb = l == 1 ? o->branches : o->out_branches;
    if (b < 1 || (lua_Unsigned)b > nb) ms_lua_errorf(L, "%s: layer %lld has branches 1..%zu, got %lld", fname, (long long)l, nb, (long long)b);
    *layer = (int)l, *branch = (size_t)b - 1;
}

/* ann:layer_weights(layer, branch) -> { rows =, cols =, w = flat, input-major } */
static int l_layer_weights(lua_State *L)
{
    ms_ann *a = check_ann(L, 1);
    int layer;
    size_t b, rows, cols;
    check_layer_branch(L, a, 2, &layer, &b, "ann:layer_weights");
    ms_ann_weight_shape(a, layer, b, &rows, &cols);
    double *w = lua_newuserdatauv(L, rows * cols * sizeof *w, 0);
    ms_ann_get_weights(a, layer, b, w);
    lua_createtable(L, 0, 3);
    lua_pushinteger(L, (lua_Integer)rows), lua_setfield(L, -2, "rows");
    lua_pushinteger(L, (lua_Integer)cols), lua_setfield(L, -2, "cols");
    ms_lua_push_doubles(L, w, rows * cols);
    lua_setfield(L, -2, "w");
    return 1;
}

/* ann:set_layer_weights(layer, branch, w): w flat (rows x cols, input-major) or a table with
 * field w, as layer_weights returns */
static int l_set_layer_weights(lua_State *L)
{
    const char *fname = "ann:set_layer_weights";
    ms_ann *a = check_ann(L, 1);
    int layer;
    size_t b, rows, cols, n;
    check_layer_branch(L, a, 2, &layer, &b, fname);
    ms_ann_weight_shape(a, layer, b, &rows, &cols);
    luaL_checktype(L, 4, LUA_TTABLE);
    int src = 4;
    if (lua_getfield(L, 4, "w") == LUA_TTABLE) src = lua_gettop(L);
    double *w = ms_lua_number_array(L, src, &n, fname, "w");
    if (n != rows * cols)
        ms_lua_errorf(L, "%s: layer %d branch %zu has %zu x %zu = %zu weights, got %zu", fname, layer, b + 1, rows, cols,
                      rows * cols, n);
    if (ms_ann_set_weights(a, layer, b, w, rows, cols) != MS_OK) return fail_ann(L, fname, ms_ann_errmsg(a));
    return 0;
}

/* ann:band(b) -> the inputs (1-based) of layer-1 branch b, in row order */
static int l_band(lua_State *L)
{
    ms_ann *a = check_ann(L, 1);
    lua_Integer b = luaL_checkinteger(L, 2);
    size_t nb = ms_ann_options(a)->branches, count;
    if (b < 1 || (lua_Unsigned)b > nb) ms_lua_errorf(L, "ann:band: branch %lld is outside 1..%zu", (long long)b, nb);
    const uint32_t *idx = ms_ann_band(a, (size_t)b - 1, &count);
    lua_createtable(L, (int)count, 0);
    for (size_t k = 0; k < count; k++) {
        lua_pushinteger(L, (lua_Integer)idx[k] + 1);
        lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
    return 1;
}

/* ann:info() -> { inputs, hidden, outputs, branches, out_branches, dendrites, nonlinearity,
 * alpha, theta, init_sd, seed, weights } */
static int l_info(lua_State *L)
{
    ms_ann *a = check_ann(L, 1);
    const ms_ann_opts *o = ms_ann_options(a);
    lua_createtable(L, 0, 14);
    lua_pushinteger(L, (lua_Integer)o->n_in), lua_setfield(L, -2, "inputs");
    lua_pushinteger(L, (lua_Integer)o->n_hidden), lua_setfield(L, -2, "hidden");
    lua_pushinteger(L, (lua_Integer)o->n_out), lua_setfield(L, -2, "outputs");
    lua_pushinteger(L, (lua_Integer)o->branches), lua_setfield(L, -2, "branches");
    lua_pushinteger(L, (lua_Integer)o->out_branches), lua_setfield(L, -2, "out_branches");
    lua_pushboolean(L, o->dendrites), lua_setfield(L, -2, "dendrites");
    lua_pushnumber(L, o->nonlinearity), lua_setfield(L, -2, "nonlinearity");
    lua_pushnumber(L, ms_ann_get_alpha(a)), lua_setfield(L, -2, "alpha");
    lua_pushnumber(L, o->theta), lua_setfield(L, -2, "theta");
    lua_pushnumber(L, o->threshold), lua_setfield(L, -2, "threshold");
    lua_pushboolean(L, o->normalise), lua_setfield(L, -2, "normalise");
    lua_pushnumber(L, o->init_sd), lua_setfield(L, -2, "init_sd");
    lua_pushinteger(L, (lua_Integer)o->seed), lua_setfield(L, -2, "seed");
    lua_pushinteger(L, (lua_Integer)ms_ann_n_params(a)), lua_setfield(L, -2, "weights");
    return 1;
}

static int l_tostring(lua_State *L)
{
    l_ann *u = luaL_checkudata(L, 1, MS_LUA_ANN);
    if (!u->a) {
        lua_pushstring(L, "memsnn.ann(freed)");
        return 1;
    }
    const ms_ann_opts *o = ms_ann_options(u->a);
    if (o->dendrites)
        lua_pushfstring(L, "memsnn.ann(%I-%I-%I, dendritic, %I x %I branches, NL %f)", (lua_Integer)o->n_in,
                        (lua_Integer)o->n_hidden, (lua_Integer)o->n_out, (lua_Integer)o->branches,
                        (lua_Integer)o->out_branches, (lua_Number)o->nonlinearity);
    else
        lua_pushfstring(L, "memsnn.ann(%I-%I-%I, control)", (lua_Integer)o->n_in, (lua_Integer)o->n_hidden,
                        (lua_Integer)o->n_out);
    return 1;
}

static int l_gc(lua_State *L)
{
    l_ann *u = luaL_checkudata(L, 1, MS_LUA_ANN);
    ms_ann_free(u->a);
    u->a = NULL;
    return 0;
}

/* memsnn.data.noisy(images, k, { sigma, clutter, seed }) -> the k-th sample's values in
 * [0, 1] (bytes / 255) with its noise */
static int l_noisy(lua_State *L)
{
    const char *fname = "data.noisy";
    const ms_idx *img = check_tensor(L, 1, fname, "images");
    size_t n_in = per_sample(img);
    double *x = one_sample(L, 1, 2, 3, n_in, fname);
    ms_lua_push_doubles(L, x, n_in);
    return 1;
}

void ms_lua_open_ann(lua_State *L)
{
    static const luaL_Reg methods[] = {
        { "train", l_train },
        { "accuracy", l_accuracy },
        { "map", l_map },
        { "adapt", l_adapt },
        { "predict", l_predict },
        { "hidden", l_hidden },
        { "layer_weights", l_layer_weights },
        { "set_layer_weights", l_set_layer_weights },
        { "band", l_band },
        { "info", l_info },
        { "save", l_save },
        { "load", l_load },
        { NULL, NULL },
    };
    static const luaL_Reg meta[] = { { "__tostring", l_tostring }, { "__gc", l_gc }, { NULL, NULL } };
    if (luaL_newmetatable(L, MS_LUA_ANN)) {
        luaL_setfuncs(L, meta, 0);
        luaL_newlib(L, methods);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    static const luaL_Reg funcs[] = { { "dendritic", l_dendritic }, { "load", l_load_new }, { NULL, NULL } };
    luaL_newlib(L, funcs);
    lua_setfield(L, -2, "ann");
    if (lua_getfield(L, -1, "data") == LUA_TTABLE) {
        lua_pushcfunction(L, l_noisy);
        lua_setfield(L, -2, "noisy");
    }
    lua_pop(L, 1);
}

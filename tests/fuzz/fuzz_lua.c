/* tests/fuzz/fuzz_lua.c: libFuzzer harness over the Lua surface of memsnn.
 *
 * The input is a program of choices (tests/fuzz/fuzz_input.h): up to MAX_STEPS calls, each of
 * a function of the `memsnn` module (memsnn.*, memsnn.plot.*, memsnn.data.*, ...) or of a
 * method of an object an earlier call returned (network, population, projection, device,
 * tensor, circuit, network of functions), with up to four arguments built from the input:
 * nil, booleans, integers, NaN, infinities, huge, tiny and negative numbers, strings from the
 * words memsnn knows and random ones, arrays of numbers, option tables with known and unknown
 * keys, objects of the wrong kind, earlier results, and callbacks that return NaN, raise an
 * error, loop forever or call back into a network. The functions are found by walking the
 * module and the objects' method tables, so a function added later is fuzzed without a
 * change here. Raising a Lua error is the expected answer to bad input; a crash, a sanitizer
 * report or a leak is a finding.
 *
 * Limits, so that a long computation is not reported as a hang: Lua code (the callbacks) gets
 * INSTR_BUDGET instructions per input, and an input stops calling after WALL_LIMIT_S seconds,
 * when a timer also interrupts a running net:run the way Ctrl-C does (scripting/l_progress.c).
 * One C call that runs long and cannot be interrupted (d:current_step over a second of
 * spiking) is bounded by libFuzzer's -timeout, which `make fuzz` and ctest run in fork mode
 * with -ignore_timeouts: set aside, not a finding. MEMSNN_FUZZ_VERBOSE=1 in the environment
 * prints each call's outcome, to read what an input does.
 *
 * Files the calls write go to a private temporary folder, emptied after each input; strings
 * made from the input hold only [a-z0-9_], so no path can leave that folder. */
#define _XOPEN_SOURCE 700   /* nftw */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "fuzz/fuzz_input.h"
#include "scripting/l_util.h"
#include "scripting/ms_lua.h"

#define MAX_STEPS 24         /* calls per input                                         */
#define MAX_DEPTH 4          /* nesting of generated tables                             */
#define POOL 16              /* objects and results kept for later calls                */
#define INSTR_BUDGET 200000  /* Lua instructions per input (callbacks), then an error  */
#define WALL_LIMIT_S 1.0     /* seconds per input before calls stop                     */

/* Every word memsnn's Lua functions look for: option names, model, device, rule, port,
 * method and variable names. Unknown words come from the raw strings. */
static const char *const WORDS[] = {
    /* options */
    "R_branch", "amplitude", "array", "atol", "autapses", "band_of", "batch", "bin", "branches", "c2c", "c_node",
    "capacitors", "circuit", "classes", "clip", "clock", "cols", "columns", "currents", "curves", "cycles", "delay",
    "dendrite", "dendrites", "devices", "differential", "dpi", "dt", "dtype", "duration", "e_driver", "edge", "epochs",
    "every", "file", "fixed", "gap", "gmax", "gmin", "grey", "height", "hidden", "i", "ids", "images", "index",
    "init_sd", "inputs", "integrator", "k", "label", "labels", "levels", "log", "logit_scale", "logx", "logy", "lr", "max_iter",
    "max_step", "method", "model", "momentum", "n", "name", "nodes", "noise", "nonlinearity", "norm_grad", "offset",
    "out_branches", "outputs", "p", "p_stuck_off", "p_stuck_on", "p_tile", "params", "populations", "port", "ports",
    "post", "pre", "progress", "r_load", "rate", "read_noise", "rectify", "relax_scale", "resistors", "rows", "rtol",
    "rule", "seed", "series", "shuffle", "soma", "soma_grad", "spike", "start", "stop", "style", "synapse", "t",
    "t0", "t1", "t_ramp", "t_read", "t_since", "tallies", "target", "theta", "threads", "threshold", "times", "title",
    "tol", "trace", "traces", "v", "v0", "v_max", "v_min", "v_read", "v_reset", "v_set", "v_step", "values",
    "variation", "virtual_ground", "vlabel", "vmax", "vmin", "w_max", "weight", "weight_decay", "weight_noise",
    "width", "write_verify", "wv_tol", "x", "xi", "xlabel", "xmax", "xmin", "xunit", "y", "ylabel", "ymax", "ymin",
    "yunit", "total", "by_class", "bins", "edges", "energy",
    /* models, devices, rules, ports, methods, kinds */
    "lif_curr_exp", "lif_cond_exp", "poisson", "spike_source", "dendritic_neuron", "rram", "rram_pku",
    "nmda_dendrite", "dendrite_static", "dynamic_tiox", "dynamic_wox", "mott_soma", "mott_soma_thermal", "resistor",
    "all_to_all", "one_to_one", "fixed_probability", "fixed_indegree", "from_list", "static", "exc", "inh",
    "current", "exact", "cvode", "bdf", "rosenbrock", "spikes", "f8", "i4", "i8", "gnd", "line", "points", "both",
    /* state variables and parameters */
    "V_th", "V_reset", "C_m", "g_L", "E_L", "t_ref", "tau_exc", "tau_inh", "I_e", "g_exc", "I_exc", "I_inj",
    "t_ref_end", "G_min", "G_max", "V_set", "V_hold", "G", "s", "m", "T", "gap", "soma.V_th", "d1.G", "v_soma",
    /* file names (relative: they land in the harness's folder) */
    "f.csv", "f.png", "f.npy", "sub/f.csv", "w.bin", "x.idx",
};
#define N_WORDS (sizeof WORDS / sizeof WORDS[0])
_Static_assert(N_WORDS <= 256, "a word is chosen by one byte");

/* Callbacks handed to functions that take function(i) or function(i, j). _FZ_OBJ is the
 * object most recently made, so a callback can call back into it mid-call. */
static const char *const CALLBACKS[] = {
    "return function(i) return i * 1e-3 end",
    "return function(i, j) return ((i or 1) + (j or 1)) * 1e-9 end",
    "return function() return 0/0 end",
    "return function() return 1e308 * 10 end",
    "return function() return -1 end",
    "return function() return 'x' end",
    "return function() error('fuzz callback error') end",
    "return function() while true do end end",
    "return function() return nil end",
    "return function(...) return ... end",
    "return function() collectgarbage() return 1e-3 end",
    "return function() local o = _FZ_OBJ if o then pcall(function() o:run(1e-3) end) end return 1e-3 end",
    "return function() local o = _FZ_OBJ local mt = o and getmetatable(o) if type(mt) == 'table' and mt.__close then pcall(mt.__close, o) end return 1e-3 end",
};
#define N_CALLBACKS (sizeof CALLBACKS / sizeof CALLBACKS[0])

/* Stack slots of the program's state inside the protected call. */
enum { S_INPUT = 1, S_FUNCS, S_OBJECTS, S_RESULTS, S_CALLBACKS, S_TOP = S_CALLBACKS };

static char g_dir[64];                /* the private output folder                  */
static volatile sig_atomic_t g_expired;
static double g_deadline;             /* monotonic seconds                         */
static long g_instr;
static unsigned g_turn;                /* a full pool replaces its entries in turn */
static timer_t g_timer;
static int g_ready;
static int g_verbose;                 /* MEMSNN_FUZZ_VERBOSE set: print each call's outcome */
static struct sigaction g_prev_int;   /* the SIGINT action found (libFuzzer's own)  */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* SIGINT outside a run: the timer's (past the deadline) ends the input; any other is
 * passed on. Inside net:run, scripting/l_progress.c has its own handler, which stops the
 * run like Ctrl-C. */
static void on_sigint(int sig)
{
    if (now_s() >= g_deadline) {
        g_expired = 1;
        return;
    }
    if (g_prev_int.sa_handler == SIG_IGN) return;
    if (g_prev_int.sa_handler != SIG_DFL && !(g_prev_int.sa_flags & SA_SIGINFO)) {
        g_prev_int.sa_handler(sig);
        return;
    }
    signal(SIGINT, SIG_DFL);
    raise(SIGINT);
}

static void budget_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    g_instr += 1000;
    if (g_instr > INSTR_BUDGET || g_expired || now_s() >= g_deadline)
        luaL_error(L, "fuzz: instruction or time budget spent");
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag;
    if (ftw->level > 0) remove(path);
    return 0;
}

static void remove_dir(void) { rmdir(g_dir); }   /* emptied after every input */

/* Once per process, at the first input (after libFuzzer has set its own signal handlers). */
static void setup(void)
{
    if (g_ready) return;
    g_ready = 1;
    g_verbose = getenv("MEMSNN_FUZZ_VERBOSE") != NULL;
    snprintf(g_dir, sizeof g_dir, "/tmp/memsnn-fuzz-XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("fuzz_lua: mkdtemp");
        abort();
    }
    atexit(remove_dir);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &g_prev_int);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGINT;
    if (timer_create(CLOCK_MONOTONIC, &sev, &g_timer) != 0) {
        perror("fuzz_lua: timer_create");
        abort();
    }
}

/* ---- values ---------------------------------------------------------------------------------- */

/* A string of [a-z0-9_] (0 to 15 characters): never a path outside the output folder. */
static void push_raw_string(lua_State *L, fz_input *in)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
    char s[16];
    size_t n = fz_u8(in) % sizeof s;
    for (size_t k = 0; k < n; k++) s[k] = alphabet[fz_u8(in) % (sizeof alphabet - 1)];
    lua_pushlstring(L, s, n);
}

/* Pushes element k % #pool of a pool (nil when it is empty). */
static void push_from_pool(lua_State *L, int pool, unsigned k)
{
    lua_Integer n = (lua_Integer)lua_rawlen(L, pool);
    if (n == 0) lua_pushnil(L);
    else lua_rawgeti(L, pool, 1 + (lua_Integer)(k % (unsigned)n));
}

static void push_value(lua_State *L, fz_input *in, int depth);

/* A table: an array part (numbers, or any values) and keyed options. */
static void push_table(lua_State *L, fz_input *in, int depth)
{
    unsigned shape = fz_u8(in);
    int n_arr = (int)(shape % 8), n_keys = (int)(shape / 8 % 8);
    int numbers_only = (shape & 0x80) != 0;
    if (numbers_only) n_arr = (int)(fz_u8(in) % 40);
    lua_createtable(L, n_arr, n_keys);
    for (int k = 1; k <= n_arr; k++) {
        if (numbers_only || depth >= MAX_DEPTH) lua_pushnumber(L, fz_number(in));
        else push_value(L, in, depth + 1);
        lua_rawseti(L, -2, k);
    }
    for (int k = 0; k < n_keys; k++) {
        if (fz_u8(in) % 8 == 0) push_raw_string(L, in);
        else lua_pushstring(L, WORDS[fz_u8(in) % N_WORDS]);
        if (depth >= MAX_DEPTH) lua_pushnumber(L, fz_number(in));
        else push_value(L, in, depth + 1);
        lua_rawset(L, -3);
    }
}

static void push_value(lua_State *L, fz_input *in, int depth)
{
    switch (fz_u8(in) % 14) {
    case 0: lua_pushnil(L); break;
    case 1: lua_pushboolean(L, fz_u8(in) & 1); break;
    case 2: lua_pushinteger(L, (lua_Integer)(int8_t)fz_u8(in)); break;
    case 3: lua_pushinteger(L, (lua_Integer)fz_u64(in)); break;
    case 4: lua_pushnumber(L, fz_special(in)); break;
    case 5:
    case 6: lua_pushnumber(L, fz_number(in)); break;
    case 7: lua_pushstring(L, WORDS[fz_u8(in) % N_WORDS]); break;
    case 8: push_raw_string(L, in); break;
    case 9:
    case 10: push_table(L, in, depth); break;
    case 11: push_from_pool(L, S_OBJECTS, fz_u8(in)); break;
    case 12: push_from_pool(L, S_RESULTS, fz_u8(in)); break;
    default: push_from_pool(L, S_CALLBACKS, fz_u8(in)); break;
    }
}

/* ---- targets --------------------------------------------------------------------------------- */

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Appends the functions of the table at idx, in name order, to the array at `list`. */
static void add_functions(lua_State *L, int idx, int list)
{
    idx = lua_absindex(L, idx);
    const char *names[256];
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) == LUA_TSTRING && lua_isfunction(L, -1) && n < 256) names[n++] = lua_tostring(L, -2);
        lua_pop(L, 1);
    }
    qsort(names, n, sizeof *names, cmp_name);   /* the strings stay alive as keys of the table */
    for (size_t k = 0; k < n; k++) {
        lua_getfield(L, idx, names[k]);
        lua_rawseti(L, list, (lua_Integer)lua_rawlen(L, list) + 1);
    }
}

/* The functions of the module and of its sub-tables (plot, data, ann, ...), units aside. */
static void collect_module(lua_State *L, int module, int list)
{
    add_functions(L, module, list);
    const char *subs[32];
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, module)) {
        if (lua_type(L, -2) == LUA_TSTRING && lua_istable(L, -1) && n < 32) subs[n++] = lua_tostring(L, -2);
        lua_pop(L, 1);
    }
    qsort(subs, n, sizeof *subs, cmp_name);
    for (size_t k = 0; k < n; k++) {
        lua_getfield(L, module, subs[k]);
        add_functions(L, -1, list);
        lua_pop(L, 1);
    }
}

/* Pushes the methods of the object at idx: its __index table's functions and its
 * metamethods (a script can call getmetatable(x).__gc(x) too). */
static void push_methods(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lua_newtable(L);
    int list = lua_gettop(L);
    if (!lua_getmetatable(L, idx)) return;
    if (lua_getfield(L, -1, "__index") == LUA_TTABLE) add_functions(L, -1, list);
    lua_pop(L, 1);
    add_functions(L, -1, list);
    lua_pop(L, 1);
}

/* Keeps userdata as objects and tables and strings as results, for later arguments. */
static void keep(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    int t = lua_type(L, idx);
    int pool = t == LUA_TUSERDATA ? S_OBJECTS : (t == LUA_TTABLE || t == LUA_TSTRING) ? S_RESULTS : 0;
    if (!pool) return;
    lua_Integer n = (lua_Integer)lua_rawlen(L, pool);
    lua_pushvalue(L, idx);
    lua_rawseti(L, pool, n < POOL ? n + 1 : 1 + (lua_Integer)(g_turn++ % POOL));
    if (t == LUA_TUSERDATA) {
        lua_pushvalue(L, idx);
        lua_setglobal(L, "_FZ_OBJ");
    }
}

/* The program: runs inside lua_pcall, so an error of the harness itself is caught too. */
static int program(lua_State *L)
{
    fz_input *in = lua_touserdata(L, S_INPUT);
    for (int step = 0; step < MAX_STEPS && fz_left(in) && !g_expired && now_s() < g_deadline; step++) {
        int base = lua_gettop(L);
        unsigned op = fz_u8(in);
        int on_object = (op & 1) && lua_rawlen(L, S_OBJECTS) > 0;
        int nargs = (int)(op >> 1) % 5;
        if (on_object) {
            push_from_pool(L, S_OBJECTS, fz_u8(in));
            int obj = lua_gettop(L);
            push_methods(L, obj);
            int methods = lua_gettop(L);
            if (lua_rawlen(L, methods) == 0) {
                lua_settop(L, base);
                continue;
            }
            push_from_pool(L, methods, fz_u8(in));
            /* the object itself, or (one time in eight) something else in its place */
            if (fz_u8(in) % 8) lua_pushvalue(L, obj);
            else push_value(L, in, 0);
            lua_remove(L, methods);
            lua_remove(L, obj);
            for (int a = 0; a < nargs; a++) push_value(L, in, 0);
            nargs++;
        } else {
            push_from_pool(L, S_FUNCS, fz_u8(in) | fz_u8(in) << 8);
            for (int a = 0; a < nargs; a++) push_value(L, in, 0);
        }
        int rc = lua_pcall(L, nargs, LUA_MULTRET, 0);
        if (g_verbose) fprintf(stderr, "fuzz_lua: step %d: %s\n", step + 1, rc == LUA_OK ? "ok" : lua_tostring(L, -1));
        if (rc == LUA_OK)
            for (int r = base + 1; r <= lua_gettop(L); r++) keep(L, r);
        lua_settop(L, base);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    g_expired = 0;
    g_instr = 0;
    g_turn = 0;
    g_deadline = now_s() + WALL_LIMIT_S;
    struct itimerspec its = { .it_value = { .tv_sec = (time_t)WALL_LIMIT_S,
                                            .tv_nsec = (long)((WALL_LIMIT_S - (time_t)WALL_LIMIT_S) * 1e9) } };
    timer_settime(g_timer, 0, &its, NULL);

    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    ms_lua_settings *s = ms_lua_get_settings(L);
    snprintf(s->out_dir, sizeof s->out_dir, "%s", g_dir);
    s->quiet = 1;
    s->progress = 0;
    luaL_requiref(L, "memsnn", luaopen_memsnn, 1);
    int module = lua_gettop(L);

    fz_input in = { data, size };
    lua_pushcfunction(L, program);
    lua_pushlightuserdata(L, &in);               /* S_INPUT     */
    lua_newtable(L);                             /* S_FUNCS     */
    collect_module(L, module, lua_gettop(L));
    lua_newtable(L);                             /* S_OBJECTS   */
    lua_newtable(L);                             /* S_RESULTS   */
    lua_createtable(L, (int)N_CALLBACKS, 0);     /* S_CALLBACKS */
    for (size_t k = 0; k < N_CALLBACKS; k++) {
        if (luaL_dostring(L, CALLBACKS[k]) != LUA_OK) {
            fprintf(stderr, "fuzz_lua: callback %zu: %s\n", k, lua_tostring(L, -1));
            abort();
        }
        lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1000);
    lua_pcall(L, S_TOP, 0, 0);
    lua_close(L);

    struct itimerspec off = { 0 };
    timer_settime(g_timer, 0, &off, NULL);
    nftw(g_dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    return 0;
}

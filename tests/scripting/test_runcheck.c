/* Run-time checks and limits (docs/reliability.md): the default method of each model, the
 * sign each port accepts, state ranges for initialize and during a run, CVODE failures
 * provoked one kind at a time, memory estimates before allocating, and Ctrl-C during a
 * connect. Chunks run in-process; the command-line cases run the real binary. */
#define _DEFAULT_SOURCE /* usleep */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/scripting/lua_chunk.h"

TestSuite(runcheck, .init = lua_chunk_open, .fini = lua_chunk_close, .timeout = 60);

#define PRELUDE "local memsnn = require('memsnn') "

/* The one string a chunk returns. */
static void expect_string(const char *chunk, const char *want)
{
    if (run(chunk, 1) != LUA_OK) cr_assert_fail("chunk failed: %s\n%s", lua_tostring(L, -1), chunk);
    cr_assert_str_eq(lua_tostring(L, -1), want, "for:\n%s", chunk);
    lua_pop(L, 1);
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- default method --------------------------------------------------------------------- */

Test(runcheck, default_method_is_the_models_best)
{
    expect_string(PRELUDE "local net = memsnn.network{} "
                  "return net:population{ n = 2, model = 'lif_cond_exp' }:method()", "exact");
    expect_string(PRELUDE "local net = memsnn.network{} "
                  "return net:population{ n = 2, model = 'lif_curr_exp' }:method()", "exact");
    expect_string(PRELUDE "local net = memsnn.network{} "
                  "return net:population{ n = 1, model = 'point_neuron' }:method()", "cvode");
    /* a network method still applies where the model has it, and the model's best elsewhere */
    expect_string(PRELUDE "local net = memsnn.network{ method = 'cvode' } "
                  "return net:population{ n = 2, model = 'lif_cond_exp' }:method()", "cvode");
    expect_string(PRELUDE "local net = memsnn.network{ method = 'fixed' } "
                  "return net:population{ n = 1, model = 'point_neuron' }:method()", "cvode");
}

/* ---- what each port accepts ------------------------------------------------------------- */

Test(runcheck, conductance_ports_reject_negative_weights)
{
    expect_error(PRELUDE "local net = memsnn.network{} local s = net:poisson{ n = 3, rate = 10 }\n"
                 "local p = net:population{ n = 2, model = 'lif_cond_exp', label = 'exc' }\n"
                 "net:connect(s, p, { weight = -1e-9, port = 'exc' })", 3,
                 "connect: weight = -1e-09 S is negative, but port 'exc' of lif_cond_exp adds a conductance and takes "
                 "weights >= 0");
    /* per synapse, from a function: the synapse is named */
    expect_error(PRELUDE "local net = memsnn.network{} local s = net:poisson{ n = 3, rate = 10 }\n"
                 "local p = net:population{ n = 2, model = 'lif_cond_exp' }\n"
                 "net:connect(s, p, { weight = function(i, j) return i == 2 and -1e-9 or 1e-9 end, port = 'inh' })", 3,
                 "weight = -1e-09 S of the synapse 2 -> 1 is negative, but port 'inh'");
    /* current ports take either sign as it is */
    cr_assert_eq(num(PRELUDE "local net = memsnn.network{} local s = net:poisson{ n = 3, rate = 10 } "
                     "local p = net:population{ n = 2, model = 'lif_curr_exp' } "
                     "return #net:connect(s, p, { weight = -1e-10, port = 'exc' })"), 6);
}

/* ---- state ranges ---------------------------------------------------------------------------- */

Test(runcheck, initialize_is_checked_like_parameters)
{
    expect_error(PRELUDE "local net = memsnn.network{}\n"
                 "local p = net:population{ n = 2, model = 'lif_cond_exp', label = 'exc' }\n"
                 "p:initialize{ v = -65 }", 3,
                 "initialize: v = -65 V of 'exc' unit 1 is outside [-1, 1] V, the range of v in lif_cond_exp");
    expect_error(PRELUDE "local net = memsnn.network{}\n"
                 "local p = net:population{ n = 2, model = 'lif_cond_exp', label = 'exc' }\n"
                 "p:initialize{ g_exc = { 0, -1e-9 } }", 3, "g_exc = -1e-09 S of 'exc' unit 2 is outside [0, 1] S");
    expect_error(PRELUDE "local net = memsnn.network{}\n"
                 "local c = memsnn.circuit{ name = 'one', nodes = { 'n' }, devices = { { 'd', 'rram', 'n', 'gnd' } }, "
                 "  capacitors = { { 'c', 'n', 'gnd', 1e-9 } } }\n"
                 "net:population{ n = 1, model = c }:initialize{ ['d.x'] = 1.5 }", 3,
                 "d.x = 1.5 1 of 'one' unit 1 is outside [0, 1] 1");
    /* a value inside the range passes */
    cr_assert_float_eq(num(PRELUDE "local net = memsnn.network{} "
                           "local p = net:population{ n = 1, model = 'lif_cond_exp' } "
                           "p:initialize{ v = -0.065 } return p:get('v')[1]"), -0.065, 0);
}

Test(runcheck, a_runaway_state_stops_the_run)
{
    /* -1 uA into a 10 nS leak pulls v towards -100 V: v = E_L - 100 V (1 - exp(-t / 20 ms)),
     * -4.93706 V at the end of the first 1 ms window. */
    expect_error(PRELUDE "local net = memsnn.network{}\n"
                 "local q = net:population{ n = 3, model = 'lif_curr_exp', label = 'q' }\n"
                 "net:current{ target = q, amplitude = -1e-6 }\n"
                 "net:run(0.5)", 4,
                 "run: 'q' (lif_curr_exp) unit 1: state v = -4.93706 V at t = 0.001 s is far outside its range [-1, 1] V");
    /* the same with fixed steps: checked at the window's end */
    expect_error(PRELUDE "local net = memsnn.network{}\n"
                 "local q = net:population{ n = 3, model = 'lif_curr_exp', label = 'q', method = 'fixed' }\n"
                 "net:current{ target = q, ids = { 2 }, amplitude = -1e-6 }\n"
                 "net:run(0.5)", 4, "run: 'q' (lif_curr_exp) unit 2: state v = -4.");
    /* nothing was advanced past the failure */
    cr_assert_eq(num(PRELUDE "local net = memsnn.network{} "
                     "local q = net:population{ n = 1, model = 'lif_curr_exp' } "
                     "net:current{ target = q, amplitude = -1e-6 } pcall(net.run, net, 0.5) return net:time()"), 0);
}

/* ---- CVODE failures, one kind at a time ------------------------------------------------------ */

Test(runcheck, cvode_too_much_work)
{
    expect_error(PRELUDE "local net = memsnn.network{ max_steps = 3 }\n"
                 "local p = net:population{ n = 2, model = 'lif_cond_exp', method = 'cvode', label = 'p' }\n"
                 "net:current{ target = p, amplitude = 1e-9 }\n"
                 "net:run(0.1)", 4,
                 "run: 'p' (lif_cond_exp) unit 1: CVODE failed at t = ");
    expect_error(PRELUDE "local net = memsnn.network{ max_steps = 3 }\n"
                 "local p = net:population{ n = 2, model = 'lif_cond_exp', method = 'cvode', label = 'p' }\n"
                 "net:current{ target = p, amplitude = 1e-9 }\n"
                 "net:run(0.1)", 4, "too much work: the internal step limit (max_steps) was reached");
    expect_error(PRELUDE "local net = memsnn.network{ max_steps = 3 }\n"
                 "local p = net:population{ n = 2, model = 'lif_cond_exp', method = 'cvode', label = 'p' }\n"
                 "net:current{ target = p, amplitude = 1e-9 }\n"
                 "net:run(0.1)", 4, "max_steps = 3, rtol = 1e-08)");
    expect_error(PRELUDE "local net = memsnn.network{ max_steps = 3 }\n"
                 "local p = net:population{ n = 2, model = 'lif_cond_exp', method = 'cvode', label = 'p' }\n"
                 "net:current{ target = p, amplitude = 1e-9 }\n"
                 "net:run(0.1)", 4, "g_exc = 0 S, g_inh = 0 S, I_inj = 1e-09 A, t_ref_end = -1 s; atol = 1e-08 x");
    expect_error(PRELUDE "memsnn.network{ max_steps = 0 }", 1, "network: max_steps must be a whole number in 1..1e15");
}

Test(runcheck, cvode_absurd_tolerance)
{
    expect_error(PRELUDE "local net = memsnn.network{ rtol = 1e-30, atol = 1e-30 }\n"
                 "local p = net:population{ n = 2, model = 'lif_cond_exp', method = 'cvode', label = 'p' }\n"
                 "net:run(0.1)", 3,
                 "run: 'p' (lif_cond_exp) unit 1: CVODE failed at t = 0 s on the way to 0.001 s (the tolerances ask for "
                 "more accuracy than double precision gives; CV_TOO_MUCH_ACC");
}

#define DRIVEN(cls) \
    "local c = memsnn.circuit{ name = 'drv', nodes = { 'n' }, devices = { { 'd', '" cls "', 'n', 'gnd' } }, " \
    "  capacitors = { { 'c', 'n', 'gnd', 1e-9 } }, currents = { { 'i', 'n', 1.0 } } }\n"

Test(runcheck, device_driven_far_outside_its_range)
{
    /* 1 A into an RRAM of G_max = 20 uS: the node settles at 50 kV, far beyond any supply */
    expect_error(PRELUDE DRIVEN("rram")
                 "local net = memsnn.network{} net:population{ n = 1, model = c }\n"
                 "net:run(1e-3)", 3,
                 "run: 'drv' (drv) unit 1: state v_n = 50000 V at t = 0.001 s is far outside its range [-1000, 1000] V");
}

Test(runcheck, device_right_hand_side_not_a_number)
{
    /* the PKU RRAM's sinh(v / V0) overflows at 900 V: the device current is infinite */
    expect_error(PRELUDE "local c = memsnn.circuit{ name = 'drv', nodes = { 'n' }, "
                 "  devices = { { 'd', 'rram_pku', 'n', 'gnd' } }, capacitors = { { 'c', 'n', 'gnd', 1e-9 } } }\n"
                 "local net = memsnn.network{} net:population{ n = 1, model = c }:initialize{ v_n = 900 }\n"
                 "net:run(1e-3)", 3,
                 "the right-hand side failed or returned values that are not numbers; CV_FIRST_RHSFUNC_ERR");
    expect_error(PRELUDE "local c = memsnn.circuit{ name = 'drv', nodes = { 'n' }, "
                 "  devices = { { 'd', 'rram_pku', 'n', 'gnd' } }, capacitors = { { 'c', 'n', 'gnd', 1e-9 } } }\n"
                 "local net = memsnn.network{} net:population{ n = 1, model = c }:initialize{ v_n = 900 }\n"
                 "net:run(1e-3)", 3,
                 "the derivative that was not a number: state v_n; d.i = inf A at this state; state at t = 0 s: v_n = 900 V");
}

/* ---- memory limits ---------------------------------------------------------------------------- */

Test(runcheck, huge_connect_fails_at_once_with_the_estimate)
{
    double t0 = wall();
    expect_error(PRELUDE "local net = memsnn.network{ memory_limit = 4e9 }\n"
                 "local p = net:population{ n = 100000, model = 'lif_cond_exp' }\n"
                 "net:connect(p, p, { weight = 1e-9 })", 3,
                 "connect: 1e+10 synapses (100000 x 100000 units, 60 bytes each while they are built) would need about "
                 "600 GB, but the network's memory limit is 4 GB (memory_limit or --memory-limit) and it holds 12.8 MB "
                 "already: use a sparser rule");
    /* without a limit of its own, the memory available is the limit */
    expect_error(PRELUDE "local net = memsnn.network{}\n"
                 "local p = net:population{ n = 100000, model = 'lif_cond_exp' }\n"
                 "net:connect(p, p, { weight = 1e-9 })", 3, "would need about 600 GB, but only ");
    cr_assert_lt(wall() - t0, 2.0, "the estimate must come before any allocation");
    /* a sparse rule of the same size fits */
    cr_assert_gt(num(PRELUDE "local net = memsnn.network{ memory_limit = 4e9 } "
                     "local p = net:population{ n = 100000, model = 'lif_cond_exp' } "
                     "return #net:connect(p, p, { rule = { 'fixed_indegree', k = 2 }, weight = 1e-9 })"), 199999);
}

Test(runcheck, recording_too_big_fails_before_the_run)
{
    expect_error(PRELUDE "local net = memsnn.network{ memory_limit = 50e6 }\n"
                 "local q = net:population{ n = 1000, model = 'lif_cond_exp', label = 'exc' }\n"
                 "net:record(q, 'v')\n"
                 "net:run(1.0)", 4,
                 "run: the recordings of this run to t = 1 s (largest: 'v' of 'exc', 1000 units x 1e+04 samples every "
                 "0.0001 s) would need about 131 MB, but the network's memory limit is 50 MB");
    expect_error(PRELUDE "local net = memsnn.network{ memory_limit = 50e6 }\n"
                 "local q = net:population{ n = 1000, model = 'lif_cond_exp', label = 'exc' }\n"
                 "net:record(q, 'v')\n"
                 "net:run(1.0)", 4, "record fewer units or a longer `every`, or run for a shorter time");
    /* nothing ran; a longer `every` fits */
    cr_assert_eq(num(PRELUDE "local net = memsnn.network{ memory_limit = 50e6 } "
                     "local q = net:population{ n = 1000, model = 'lif_cond_exp' } net:record(q, 'v') "
                     "assert(not pcall(net.run, net, 1.0)) assert(net:time() == 0) "
                     "local r = net:population{ n = 1000, model = 'lif_cond_exp' } net:record(r, 'v', { every = 0.01 }) "
                     "return 0"), 0);
    cr_assert_eq(num(PRELUDE "local net = memsnn.network{ memory_limit = 50e6 } "
                     "local q = net:population{ n = 1000, model = 'lif_cond_exp' } net:record(q, 'v', { every = 0.01 }) "
                     "net:run(1.0) return #q:trace('v').t"), 100);
    expect_error(PRELUDE "memsnn.network{ memory_limit = -1 }", 1, "network: memory_limit = -1 bytes must be a whole number");
}

Test(runcheck, streamed_recording_is_held_one_window_at_a_time)
{
    /* 200 units x 1000 samples (1.6 MB in memory) do not fit a 1 MB limit; streamed to a file,
     * the recorder holds one window of samples and the same run fits */
    const char *tmp = getenv("MEMSNN_TEST_TMP");
    char chunk[2048];
    snprintf(chunk, sizeof chunk, PRELUDE "local net = memsnn.network{ memory_limit = 1e6 } "
             "local q = net:population{ n = 200, model = 'lif_cond_exp' } "
             "local f = '%s/runcheck-stream-%d.npy' net:record(q, 'v', { file = f }) net:run(0.1) "
             "local t = net:time() net = nil collectgarbage() os.remove(f) return t",
             tmp ? tmp : "/tmp", (int)getpid());
    cr_assert_float_eq(num(chunk), 0.1, 1e-12);
    expect_error(PRELUDE "local net = memsnn.network{ memory_limit = 1e6 }\n"
                 "local q = net:population{ n = 200, model = 'lif_cond_exp', label = 'exc' }\n"
                 "net:record(q, 'v')\n"
                 "net:run(0.1)", 4, "would need about");
}

/* ---- the command line ------------------------------------------------------------------------- */

static char tmpdir[1024];

static void make_tmpdir(void)
{
    const char *base = getenv("MEMSNN_TEST_TMP");
    snprintf(tmpdir, sizeof tmpdir, "%s/runcheck-%d", base ? base : "/tmp", (int)getpid());
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

static void write_file(const char *name, const char *text)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
}

static void slurp(const char *name, char *buf, size_t len)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    buf[0] = '\0';
    FILE *f = fopen(p, "r");
    if (!f) return;
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Starts `memsnn run SCRIPT ARGS` in tmpdir with stdout and stderr to files; its pid. */
static pid_t start(const char *script, const char *arg1, const char *arg2)
{
    const char *bin = getenv("MEMSNN_BIN");
    cr_assert(bin, "MEMSNN_BIN is not set (run through ctest)");
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        if (chdir(tmpdir) != 0) _exit(127);
        if (!freopen("out.txt", "w", stdout) || !freopen("err.txt", "w", stderr)) _exit(127);
        execl(bin, bin, "run", script, arg1, arg2, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static int finish(pid_t pid)
{
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st), "memsnn did not exit normally");
    return WEXITSTATUS(st);
}

Test(runcheck_cli, memory_limit_option, .init = make_tmpdir, .timeout = 60)
{
    write_file("pop.lua", "local memsnn = require 'memsnn'\nlocal net = memsnn.network{}\n"
                          "net:population{ n = 100000, model = 'lif_cond_exp' }\n");
    char err[4096];
    cr_assert_eq(finish(start("pop.lua", "--memory-limit", "1M")), 1);
    slurp("err.txt", err, sizeof err);
    cr_assert(strstr(err, "pop.lua:3: population: 100000 units of lif_cond_exp (method exact) would need about 31.2 MB, "
                          "but the network's memory limit is 1.05 MB"), "%s", err);
    cr_assert_eq(finish(start("pop.lua", "--memory-limit", "1X")), 2);
    slurp("err.txt", err, sizeof err);
    cr_assert(strstr(err, "--memory-limit needs a number of bytes > 0 (e.g. 4G, 512M, 2e9), got '1X'"), "%s", err);
    cr_assert_eq(finish(start("pop.lua", "--memory-limit", "1G")), 0);
}

Test(runcheck_cli, ctrl_c_stops_a_long_connect_cleanly, .init = make_tmpdir, .timeout = 60)
{
    /* 4e7 synapses whose weights come from a Lua function: tens of seconds if not stopped */
    write_file("long.lua", "local memsnn = require 'memsnn'\nlocal net = memsnn.network{}\n"
                           "local p = net:population{ n = 6325, model = 'lif_cond_exp' }\n"
                           "print('connecting') io.stdout:flush()\n"
                           "local ok, e = pcall(function() return net:connect(p, p, { weight = function(i, j) return 1e-9 end }) end)\n"
                           "print(ok, e) print('synapses', net:memory().n_synapses)\n");
    double t0 = wall();
    pid_t pid = start("long.lua", "--quiet", NULL);
    char out[4096];
    for (int k = 0; k < 200; k++) { /* wait until the connect has begun */
        slurp("out.txt", out, sizeof out);
        if (strstr(out, "connecting")) break;
        usleep(20000);
    }
    usleep(300000);
    kill(pid, SIGINT);
    cr_assert_eq(finish(pid), 0);
    cr_assert_lt(wall() - t0, 20.0);
    slurp("out.txt", out, sizeof out);
    cr_assert(strstr(out, "false\tlong.lua:5: connect: interrupted after "), "%s", out);
    cr_assert(strstr(out, "nothing was built"), "%s", out);
    cr_assert(strstr(out, "synapses\t0"), "%s", out);
}

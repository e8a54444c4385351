/* The memsnn command as a user meets it: exit statuses, messages with file:line, and the
 * errors every kind of bad input must get. Each case runs the real binary. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[1024];

static void setup(void)
{
    const char *base = getenv("MEMSNN_TEST_TMP");
    snprintf(tmpdir, sizeof tmpdir, "%s/cli-%d", base ? base : "/tmp", (int)getpid());
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(cli, .init = setup, .timeout = 60);

typedef struct result {
    int status;
    char out[8192], err[8192];
} result;

static void slurp(const char *path, char *buf, size_t len)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Runs `memsnn ARGS` in tmpdir; ARGS is a shell fragment. */
static void run(result *r, const char *args)
{
    const char *bin = getenv("MEMSNN_BIN");
    cr_assert(bin, "MEMSNN_BIN is not set (run through ctest)");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s > out.txt 2> err.txt", tmpdir, bin, args);
    int st = system(cmd);
    cr_assert(WIFEXITED(st), "memsnn did not exit normally (crash?) for: %s", args);
    r->status = WEXITSTATUS(st);
    char p[1100];
    snprintf(p, sizeof p, "%s/out.txt", tmpdir);
    slurp(p, r->out, sizeof r->out);
    snprintf(p, sizeof p, "%s/err.txt", tmpdir);
    slurp(p, r->err, sizeof r->err);
}

static void write_script(const char *name, const char *text)
{
    char p[1100];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
}

/* Runs a script that should fail; checks exit 1 and that stderr holds `expect`. */
static void expect_script_error(const char *body, const char *expect)
{
    write_script("bad.lua", body);
    result r;
    run(&r, "run bad.lua");
    cr_assert_eq(r.status, 1, "exit %d for:\n%s\nstderr: %s", r.status, body, r.err);
    cr_assert(strstr(r.err, expect), "stderr lacks \"%s\":\n%s", expect, r.err);
}

Test(cli, version_and_help)
{
    result r;
    run(&r, "--version");
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "memsnn 0.1.0"), "%s", r.out);
    run(&r, "--help");
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "--seed N") && strstr(r.out, "exit status"), "%s", r.out);
}

Test(cli, bad_command_line_exits_2)
{
    result r;
    run(&r, "--frobnicate");
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "unknown option '--frobnicate'") && strstr(r.err, "usage:"), "%s", r.err);
    run(&r, "run x.lua --nope");
    cr_assert_eq(r.status, 2);
    run(&r, "run");
    cr_assert_eq(r.status, 2);
    run(&r, "run x.lua --seed -3");
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "--seed needs a whole number"), "%s", r.err);
    run(&r, "explode");
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "unknown command 'explode'"), "%s", r.err);
}

Test(cli, models_lists_the_built_in_models)
{
    result r;
    run(&r, "models");
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "lif_cond_exp") && strstr(r.out, "lif_curr_exp") && strstr(r.out, "poisson"), "%s", r.out);
}

Test(cli, missing_script_exits_1)
{
    result r;
    run(&r, "run no_such_file.lua");
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "cannot open the script 'no_such_file.lua': No such file or directory"), "%s", r.err);
}

Test(cli, syntax_error_names_file_and_line)
{
    expect_script_error("local x = 1\nlocal y = = 2\n", "bad.lua:2:");
}

Test(cli, runtime_error_names_file_and_line)
{
    expect_script_error("local memsnn = require('memsnn')\n\nerror('boom')\n", "bad.lua:3: boom");
}

Test(cli, script_arguments_and_seed_reach_the_script)
{
    write_script("args.lua", "local memsnn = require('memsnn')\nprint(arg[1], arg[2], select('#', ...), memsnn.seed)\n");
    result r;
    run(&r, "run args.lua --seed 42 -- alpha beta");
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "alpha\tbeta\t2\t42"), "%s", r.out);
}

#define NET "local memsnn = require('memsnn')\nlocal u = memsnn.units\nlocal net = memsnn.network{}\n"

Test(cli, unknown_model_is_an_error_at_the_line)
{
    expect_script_error(NET "local p = net:population{ n = 3, model = 'lif_nonesuch' }\n",
                        "bad.lua:4: population: unknown model 'lif_nonesuch'");
}

Test(cli, unknown_parameter_is_an_error)
{
    expect_script_error(NET "net:population{ n = 3, model = 'lif_cond_exp', params = { V_thresh = -0.05 } }\n",
                        "bad.lua:4: population: model lif_cond_exp has no parameter 'V_thresh'");
}

Test(cli, unknown_option_is_an_error)
{
    expect_script_error(NET "net:population{ n = 3, modle = 'lif_cond_exp' }\n",
                        "bad.lua:4: population: unknown option 'modle'");
}

Test(cli, wrong_weight_table_size_is_an_error)
{
    expect_script_error(NET "local a = net:population{ n = 10, model = 'lif_cond_exp' }\n"
                            "local w = {} for i = 1, 90 do w[i] = 1e-9 end\n"
                            "net:connect(a, a, { weight = w, delay = 1e-3, port = 'exc' })\n",
                        "bad.lua:6: connect: weight table has 90 entries, expected 100 (10 pre x 10 post)");
}

Test(cli, zero_or_negative_delay_is_an_error)
{
    expect_script_error(NET "local a = net:population{ n = 2, model = 'lif_cond_exp' }\n"
                            "net:connect(a, a, { weight = 1e-9, delay = 0, port = 'exc' })\n",
                        "bad.lua:5: connect: delay = 0 s must be a finite time > 0");
    expect_script_error(NET "local a = net:population{ n = 2, model = 'lif_cond_exp' }\n"
                            "net:connect(a, a, { weight = 1e-9, delay = -1 * u.ms, port = 'exc' })\n",
                        "connect: delay = -0.001 s must be a finite time > 0");
}

Test(cli, numbers_in_messages_are_formatted)
{
    expect_script_error("local memsnn = require('memsnn')\nmemsnn.network{ seed = -1.5 }\n",
                        "bad.lua:2: network: seed must be a whole number >= 0, got -1.5");
}

Test(cli, n_must_be_positive)
{
    expect_script_error(NET "net:population{ n = 0, model = 'lif_cond_exp' }\n", "bad.lua:4: population: n must be >= 1");
    expect_script_error(NET "net:poisson{ n = -5, rate = 10 }\n", "poisson: n must be >= 1");
}

Test(cli, nan_and_infinite_parameters_are_errors)
{
    expect_script_error(NET "net:population{ n = 2, model = 'lif_cond_exp', params = { g_L = 0/0 } }\n",
                        "population: g_L is NaN");
    expect_script_error(NET "net:population{ n = 2, model = 'lif_cond_exp', params = { C_m = math.huge } }\n",
                        "lif_cond_exp: parameter C_m must be a finite number, got inf");
    expect_script_error(NET "net:population{ n = 2, model = 'lif_cond_exp', params = { t_ref = -1 } }\n",
                        "lif_cond_exp: parameter t_ref = -1 s is outside [0, 1] s");
}

Test(cli, error_inside_a_weight_function_keeps_its_own_line)
{
    expect_script_error(NET "local a = net:population{ n = 2, model = 'lif_cond_exp' }\n"
                            "net:connect(a, a, { delay = 1e-3, port = 'exc',\n"
                            "  weight = function(i, j) if j == 2 then error('bad weight') end return 1e-9 end })\n",
                        "bad.lua:6: bad weight");
}

/* Initializers that share one random generator are called in name order, not in Lua's
 * per-process hash order, so two runs of one script give the same network. */
Test(cli, option_tables_are_applied_in_the_same_order_every_run)
{
    write_script("order.lua", NET
                 "local x = 0\n"
                 "local function nxt() x = (x * 1103515245 + 12345) % 2147483648; return x / 2147483648 end\n"
                 "local p = net:population{ n = 3, model = 'lif_cond_exp',\n"
                 "  params = { C_m = function() return (1 + nxt()) * 1e-10 end, g_L = function() return (1 + nxt()) * 1e-8 end,\n"
                 "             tau_exc = function() return (1 + nxt()) * 1e-3 end, E_exc = function() return nxt() * 1e-2 end } }\n"
                 "p:initialize{ v = function() return -0.06 + nxt() * 1e-3 end, g_exc = function() return nxt() * 1e-9 end,\n"
                 "              g_inh = function() return nxt() * 1e-9 end, I_inj = function() return nxt() * 1e-12 end }\n"
                 "print(p:get('C_m')[1], p:get('g_L')[1], p:get('v')[1], p:get('g_inh')[3])\n");
    result a, b;
    run(&a, "run order.lua");
    cr_assert_eq(a.status, 0, "%s", a.err);
    for (int k = 0; k < 5; k++) {
        run(&b, "run order.lua");
        cr_assert_str_eq(a.out, b.out, "run %d differs", k + 2);
    }
}

Test(cli, quickstart_runs_and_writes_its_outputs)
{
    const char *src = getenv("MEMSNN_SOURCE_DIR");
    cr_assert(src);
    char args[2048];
    snprintf(args, sizeof args, "run '%s/scenarios/quickstart.lua' --out qs --quiet", src);
    result r;
    run(&r, args);
    cr_assert_eq(r.status, 0, "quickstart failed: %s", r.err);
    char p[1200];
    snprintf(p, sizeof p, "%s/qs/spikes.csv", tmpdir);
    static char buf[1 << 20];
    slurp(p, buf, sizeof buf);
    const char *header = "population,ids,times\n";
    cr_assert(strncmp(buf, header, strlen(header)) == 0, "spikes.csv starts with: %.40s", buf);
    cr_assert(strstr(buf, "\nexc,") && strstr(buf, "\ninh,"), "spikes.csv has spikes of both populations");
}

/* tests/scripting/test_cli_errors.c: the errors a new user meets before a script runs (a
 * missing, unreadable or folder script; an output folder that cannot be made), the wording
 * of a NaN duration, and the listing commands `memsnn devices [CLASS]`. */
#include "scripting/cli_proc.h"

static void setup(void) { cli_setup("clierr"); }

TestSuite(cli_errors, .init = setup, .timeout = 60);

/* The message is on one line starting with a single "memsnn: error: ". */
static void expect_one_prefix(const cli_result *r)
{
    cr_assert(strncmp(r->err, "memsnn: error: ", 15) == 0, "%s", r->err);
    cr_assert_null(strstr(r->err + 1, "memsnn:"), "the prefix appears twice: %s", r->err);
}

Test(cli_errors, missing_script)
{
    cli_result r;
    cli_run(&r, 0, "run", "nope.lua");
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "cannot open the script 'nope.lua': No such file or directory"), "%s", r.err);
    expect_one_prefix(&r);
}

Test(cli_errors, script_is_a_folder)
{
    char p[1100];
    cr_assert_eq(mkdir(in_tmp("dir.lua", p, sizeof p), 0777), 0);
    cli_result r;
    cli_run(&r, 0, "run", "dir.lua");
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "the script 'dir.lua' is a folder, not a Lua file"), "%s", r.err);
    expect_one_prefix(&r);
}

Test(cli_errors, unreadable_script)
{
    /* Permission bits do not bind root, so the case exists only for other users. */
    if (geteuid() == 0) cr_skip_test("running as root: every file is readable");
    char p[1100];
    cli_write("secret.lua", "print('never')\n");
    cr_assert_eq(chmod(in_tmp("secret.lua", p, sizeof p), 0), 0);
    cli_result r;
    cli_run(&r, 0, "run", "secret.lua");
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "cannot read the script 'secret.lua': Permission denied"), "%s", r.err);
    cr_assert_null(strstr(r.out, "never"));
}

Test(cli_errors, out_folder_that_cannot_be_made)
{
    cli_write("ok.lua", "print('ran')\n");
    cli_write("afile", "x\n");
    cli_result r;
    cli_run(&r, 0, "run", "ok.lua", "--out", "afile/results");
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "cannot create the output folder 'afile/results' (--out): Not a directory"), "%s", r.err);
    expect_one_prefix(&r);
    cr_assert_null(strstr(r.out, "ran"), "the script ran anyway");
}

Test(cli_errors, out_folder_is_made_with_its_parents)
{
    cli_write("ok.lua", "local memsnn = require('memsnn')\nprint(memsnn.out)\n");
    cli_result r;
    cli_run(&r, 0, "run", "ok.lua", "--out", "a/b/c");
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "a/b/c\n");
    char p[1100];
    struct stat st;
    cr_assert(stat(in_tmp("a/b/c", p, sizeof p), &st) == 0 && S_ISDIR(st.st_mode));
}

Test(cli_errors, nan_duration_reads_nan_not_minus_nan)
{
    cli_write("nan.lua", "local memsnn = require('memsnn')\nlocal net = memsnn.network{}\nnet:run(0/0)\n");
    cli_result r;
    cli_run(&r, 0, "run", "nan.lua");
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "nan.lua:3: run: duration is NaN; it must be a finite time > 0 s"), "%s", r.err);
    cr_assert_null(strstr(r.err, "-nan"), "%s", r.err);
}

/* net:run_until meets absolute times exactly, and a time not ahead of the clock is refused
 * with the script line and both times. */
Test(cli_errors, run_until_ends_on_the_absolute_time_and_refuses_the_past)
{
    cli_write("until.lua", "local memsnn = require('memsnn')\nlocal net = memsnn.network{}\n"
                           "net:population{ n = 1, model = 'lif_curr_exp' }\n"
                           "for k = 1, 2000 do net:run_until(k * 3e-5) end\n"
                           "print(net:time() == 2000 * 3e-5)\n"
                           "net:run_until(1e-3)\n");
    cli_result r;
    cli_run(&r, 0, "run", "until.lua");
    cr_assert_eq(r.status, 1);
    cr_assert_str_eq(r.out, "true\n");
    cr_assert(strstr(r.err, "until.lua:6: run_until: end time 0.001 s must be finite and after the network's time t = 0.06"),
              "%s", r.err);
}

Test(cli_errors, devices_lists_every_registered_class)
{
    cli_write("names.lua", "local memsnn = require('memsnn')\n"
                           "for _, d in ipairs(memsnn.devices()) do print(d.name, d.role) end\n");
    cli_result lua, cli;
    cli_run(&lua, 0, "run", "names.lua");
    cr_assert_eq(lua.status, 0, "%s", lua.err);
    cli_run(&cli, 0, "devices");
    cr_assert_eq(cli.status, 0, "%s", cli.err);
    int n = 0;
    for (char *line = strtok(lua.out, "\n"); line; line = strtok(NULL, "\n"), n++) {
        char name[64], role[64], want[160];
        cr_assert_eq(sscanf(line, "%63s %63s", name, role), 2);
        snprintf(want, sizeof want, "  %-20s %-9s ", name, role);
        cr_assert(strstr(cli.out, want), "'memsnn devices' lacks \"%s\":\n%s", want, cli.out);
    }
    cr_assert_geq(n, 9, "memsnn.devices() listed only %d classes", n);
}

Test(cli_errors, devices_class_shows_units_defaults_and_ranges)
{
    cli_result r;
    cli_run(&r, 0, "devices", "rram");
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "rram (synapse): "), "%s", r.out);
    cr_assert(strstr(r.out, "state: x (1)"), "%s", r.out);
    /* G_min: 2 uS by default, allowed 1 nS .. 1 mS (devices/rram.c) */
    cr_assert(strstr(r.out, "  G_min              S      2e-06        [1e-09, 0.001]"), "%s", r.out);
    cr_assert(strstr(r.out, "  V_reset            V      -0.8         [-10, -0.01]"), "%s", r.out);
}

Test(cli_errors, devices_unknown_class_is_a_usage_error)
{
    cli_result r;
    cli_run(&r, 0, "devices", "memristorr");
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "unknown device 'memristorr'; known: rram, rram_pku"), "%s", r.err);
    cli_run(&r, 0, "devices", "rram", "extra");
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "devices takes at most one device class, got 'extra' too"), "%s", r.err);
}

/* --help and docs/lua-api.md say the same about what --seed seeds (read from the code:
 * network{seed=}, memsnn.device's {seed=}, and not memsnn.ann or math.random). */
Test(cli_errors, help_and_lua_api_agree_on_seed)
{
    cli_result r;
    cli_run(&r, 0, "--help");
    cr_assert_eq(r.status, 0);
    const char *src = getenv("MEMSNN_SOURCE_DIR");
    cr_assert(src);
    char p[1200];
    snprintf(p, sizeof p, "%s/docs/lua-api.md", src);
    FILE *f = fopen(p, "r");
    cr_assert(f);
    static char doc[1 << 17];
    doc[fread(doc, 1, sizeof doc - 1, f)] = '\0';
    fclose(f);
    char *row = strstr(doc, "| `--seed N` |");
    cr_assert(row, "lua-api.md has no --seed row");
    char *end = strchr(row, '\n');
    if (end) *end = '\0';
    const char *help = strstr(r.out, "--seed N ");
    cr_assert(help);
    static const char *const both[] = { "network{seed", "crossbar", "memsnn.device", "memsnn.seed", "memsnn.ann",
                                        "ann:train", "memsnn.data.noisy", "math.random" };
    for (size_t k = 0; k < sizeof both / sizeof both[0]; k++) {
        cr_assert(strstr(row, both[k]), "lua-api's --seed row lacks '%s': %s", both[k], row);
        cr_assert(strstr(help, both[k]), "--help's --seed lacks '%s': %s", both[k], help);
    }
}

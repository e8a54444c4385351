/* tests/scripting/test_outputs.c: where writers may put files and what a failed write leaves.
 * Folders are created only inside --out; a write that fails half-way (a full disk, stood in
 * for by a file-size limit, RLIMIT_FSIZE) is an error at the script line, exit status 1, and
 * no file (complete or partial, final or temporary) under the name, whose old content stays. */
#include "scripting/cli_proc.h"

static void setup(void) { cli_setup("outputs"); }

TestSuite(outputs, .init = setup, .timeout = 60);

#define HEAD "local memsnn = require('memsnn')\n"

/* ---- folders ------------------------------------------------------------------------------- */

Test(outputs, folders_are_created_inside_out)
{
    cli_write("w.lua", HEAD "print(memsnn.write_csv('runs/3/v.csv', { a = { 1, 2 } }))\n");
    cli_result r;
    cli_run(&r, 0, "run", "w.lua", "--out", "res", "--quiet");
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "res/runs/3/v.csv\n");
    char buf[64];
    cr_assert_eq(cli_read("res/runs/3/v.csv", buf, sizeof buf), 6);
    cr_assert_str_eq(buf, "a\n1\n2\n");
}

/* A mistyped absolute path used to leave new folders at the root of the file system. */
Test(outputs, no_folder_is_created_outside_out)
{
    char script[600], missing[200];
    snprintf(missing, sizeof missing, "/memsnn-test-%d", (int)getpid());
    snprintf(script, sizeof script, HEAD "memsnn.write_csv('%s/sub/x.csv', { a = { 1 } })\n", missing);
    cli_write("abs.lua", script);
    cli_result r;
    cli_run(&r, 0, "run", "abs.lua", "--out", "res");
    cr_assert_eq(r.status, 1);
    char want[400];
    snprintf(want, sizeof want, "abs.lua:2: write_csv: the folder '%s/sub' does not exist; memsnn creates missing "
             "folders only inside the output folder 'res' (--out), for relative file names without '..'", missing);
    cr_assert(strstr(r.err, want), "%s", r.err);
    struct stat st;
    cr_assert_neq(stat(missing, &st), 0, "%s was created", missing);

    cli_write("up.lua", HEAD "memsnn.write_npy('../escaped/x.npy', { 1 })\n");
    cli_run(&r, 0, "run", "up.lua", "--out", "res");
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "up.lua:2: write_npy: the folder 'res/../escaped' does not exist"), "%s", r.err);
    cr_assert_not(cli_exists("escaped"));
}

Test(outputs, absolute_paths_into_existing_folders_are_fine)
{
    char script[1400], p[1100];
    snprintf(script, sizeof script, HEAD "memsnn.write_csv('%s', { a = { 7 } })\n", in_tmp("abs.csv", p, sizeof p));
    cli_write("abs.lua", script);
    cli_result r;
    cli_run(&r, 0, "run", "abs.lua", "--out", "res", "--quiet");
    cr_assert_eq(r.status, 0, "%s", r.err);
    char buf[64];
    cli_read("abs.csv", buf, sizeof buf);
    cr_assert_str_eq(buf, "a\n7\n");
}

/* ---- a full disk ----------------------------------------------------------------------------- */

/* Runs `body` with files limited to `limit` bytes; expects exit 1, `msg` in stderr, `name` in
 * folder res still holding "old", and no temporary file left in res. */
static void expect_full_disk(const char *body, long limit, const char *name, const char *msg)
{
    char p[1100], old[16];
    mkdir(in_tmp("res", p, sizeof p), 0777);
    snprintf(p, sizeof p, "res/%s", name);
    cli_write(p, "old");
    char script[4096];
    snprintf(script, sizeof script, HEAD "local u = memsnn.units\n%s\n", body);
    cli_write("full.lua", script);
    cli_result r;
    cli_run(&r, limit, "run", "full.lua", "--out", "res");
    cr_assert_eq(r.status, 1, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, msg), "stderr lacks \"%s\":\n%s", msg, r.err);
    cr_assert_eq(cli_read(p, old, sizeof old), 3, "%s was replaced", p);
    cr_assert_str_eq(old, "old");
    cr_assert_eq(cli_count("res", ".tmp"), 0, "a temporary file is left in res");
}

#define BIG "local col = {} for i = 1, 20000 do col[i] = i / 7 end\n"

Test(outputs, csv_on_a_full_disk)
{
    expect_full_disk(BIG "memsnn.write_csv('big.csv', { x = col })", 4096, "big.csv",
                     "full.lua:4: write_csv: writing 'res/big.csv' failed: File too large; nothing was written under that name");
}

Test(outputs, npy_on_a_full_disk)
{
    expect_full_disk(BIG "memsnn.write_npy('big.npy', col)", 4096, "big.npy",
                     "full.lua:4: write_npy: writing 'res/big.npy' failed: File too large; nothing was written under that name");
}

Test(outputs, png_on_a_full_disk)
{
    expect_full_disk("memsnn.plot.xy{ file = 'big.png', x = { 1, 2, 3 }, y = { 3, 1, 2 } }", 2048, "big.png",
                     "full.lua:3: xy: writing 'res/big.png' failed: Write Error (File too large); nothing was written under that name");
}

Test(outputs, weights_on_a_full_disk)
{
    expect_full_disk("local a = memsnn.ann.dendritic{ inputs = 64, hidden = 32, outputs = 10 }\na:save('big.msann')", 4096,
                     "big.msann", "full.lua:4: ann:save: writing 'res/big.msann' failed: File too large");
}

/* The same writes succeed without the limit, so the failures above are the limit's. */
Test(outputs, the_same_writes_succeed_without_a_limit)
{
    cli_write("ok.lua", HEAD BIG "memsnn.write_csv('big.csv', { x = col })\nmemsnn.write_npy('big.npy', col)\n"
                        "memsnn.plot.xy{ file = 'big.png', x = { 1, 2, 3 }, y = { 3, 1, 2 } }\n"
                        "memsnn.ann.dendritic{ inputs = 64, hidden = 32, outputs = 10 }:save('big.msann')\n");
    cli_result r;
    cli_run(&r, 0, "run", "ok.lua", "--out", "res", "--quiet");
    cr_assert_eq(r.status, 0, "%s", r.err);
    char p[1100];
    struct stat st;
    cr_assert(stat(in_tmp("res/big.csv", p, sizeof p), &st) == 0 && st.st_size > 4096);
    /* 20000 doubles after a header of 128 bytes (its dict padded to a multiple of 64) */
    cr_assert(stat(in_tmp("res/big.npy", p, sizeof p), &st) == 0 && st.st_size == 128 + 8 * 20000);
    cr_assert(stat(in_tmp("res/big.png", p, sizeof p), &st) == 0 && st.st_size > 2048);
    cr_assert(stat(in_tmp("res/big.msann", p, sizeof p), &st) == 0 && st.st_size > 4096);
}

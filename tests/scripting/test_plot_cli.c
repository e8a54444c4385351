/* tests/scripting/test_plot_cli.c: memsnn.plot as a user meets it through the memsnn command:
 * the "wrote" line (and none under --quiet), paths under --out, errors with file:line and exit
 * status 1 leaving no file, and the quickstart's pictures with their provenance. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <sys/wait.h>

#include "viz/viz_test.h"   /* tests/viz/: read_png, png_text_of, file_exists */

static char tmpdir[1024];

/* Cairo loads fontconfig, whose caches live until the process ends; the memsnn command does
 * not call FcFini(), so LeakSanitizer (make sanitize) would report them. Only those are
 * suppressed: any other leak in the command still fails these tests. */
static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/plotcli-%ld", test_dir(), (long)getpid());
    mkdir(tmpdir, 0777);
    char p[1200];
    snprintf(p, sizeof p, "%s/lsan.supp", tmpdir);
    FILE *f = fopen(p, "w");
    cr_assert(f != NULL);
    fputs("leak:libfontconfig\n", f);
    fclose(f);
}

TestSuite(plot_cli, .init = setup, .timeout = 60);

typedef struct result {
    int status;
    char err[8192];
} result;

/* Runs `memsnn ARGS` in tmpdir; ARGS is a shell fragment. */
static void run(result *r, const char *args)
{
    const char *bin = getenv("MEMSNN_BIN");
    cr_assert(bin != NULL, "MEMSNN_BIN is not set (run through ctest)");
    char cmd[4096], p[1200];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && LSAN_OPTIONS=\"${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$PWD/lsan.supp\" "
             "'%s' %s > out.txt 2> err.txt", tmpdir, bin, args);
    int st = system(cmd);
    int exited = WIFEXITED(st);
    cr_assert(exited != 0, "memsnn did not exit normally for: %s", args);
    r->status = WEXITSTATUS(st);
    r->err[0] = '\0';
    snprintf(p, sizeof p, "%s/err.txt", tmpdir);
    FILE *f = fopen(p, "r");
    if (f) {
        size_t n = fread(r->err, 1, sizeof r->err - 1, f);
        r->err[n] = '\0';
        fclose(f);
    }
}

static void write_script(const char *name, const char *text)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "w");
    cr_assert(f != NULL);
    fputs(text, f);
    fclose(f);
}

static const char *in_tmp(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", tmpdir, name);
    return buf;
}

#define SCRIPT                                                                                  \
    "local memsnn = require('memsnn')\n"                                                        \
    "local p = memsnn.plot.xy{ file = 'pics/xy.png', x = { 1, 2, 3 }, y = { 3, 1, 2 } }\n"      \
    "print(p)\n"

Test(plot_cli, says_what_it_wrote_unless_quiet)
{
    write_script("ok.lua", SCRIPT);
    result r;
    run(&r, "run ok.lua --out res");
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.err, "memsnn: wrote res/pics/xy.png\n") != NULL, "stderr: %s", r.err);
    char p[1200];
    cr_expect(file_exists(in_tmp("res/pics/xy.png", p, sizeof p)) != 0);
    run(&r, "run ok.lua --out quiet --quiet");
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.err, "wrote") == NULL, "--quiet still says: %s", r.err);
    cr_expect(file_exists(in_tmp("quiet/pics/xy.png", p, sizeof p)) != 0);
}

Test(plot_cli, errors_name_the_script_line_and_leave_no_file)
{
    write_script("bad.lua", "local memsnn = require('memsnn')\n"
                            "local s = { ids = { 1, 2 }, times = { 0.1 } }\n"
                            "memsnn.plot.raster{ file = 'bad.png', populations = { s } }\n");
    result r;
    run(&r, "run bad.lua --out res");
    cr_assert_eq(r.status, 1);
    cr_expect(strstr(r.err, "bad.lua:3: raster: populations[1] (''): 1 spike times but 2 ids") != NULL, "%s", r.err);
    char p[1200];
    cr_expect(file_exists(in_tmp("res/bad.png", p, sizeof p)) == 0);
    write_script("bad2.lua", "local memsnn = require('memsnn')\n"
                             "memsnn.plot.xy{ file = 'w0.png', x = { 1 }, y = { 1 },\n"
                             "  width = 0 }\n");
    run(&r, "run bad2.lua --out res");
    cr_assert_eq(r.status, 1);
    cr_expect(strstr(r.err, "bad2.lua:2: xy: width must be a positive number of pixels, got 0") != NULL, "%s", r.err);
    cr_expect(file_exists(in_tmp("res/w0.png", p, sizeof p)) == 0);
}

static void expect_chunk(const char *path, const char *key, const char *want)
{
    char *v = png_text_of(path, key);
    cr_expect(v != NULL && strcmp(v, want) == 0, "%s: %s is '%s', want '%s'", path, key, v ? v : "(none)", want);
    free(v);
}

Test(plot_cli, quickstart_draws_its_raster_and_traces)
{
    const char *src = getenv("MEMSNN_SOURCE_DIR");
    cr_assert(src != NULL);
    char args[2048], script[1200], p[1200];
    snprintf(script, sizeof script, "%s/scenarios/quickstart.lua", src);
    snprintf(args, sizeof args, "run '%s' --out qs --seed 5", script);
    result r;
    run(&r, args);
    cr_assert_eq(r.status, 0, "quickstart failed: %s", r.err);
    cr_expect(strstr(r.err, "memsnn: wrote qs/raster.png") != NULL && strstr(r.err, "memsnn: wrote qs/v.png") != NULL, "%s", r.err);
    static const char *names[] = { "qs/raster.png", "qs/v.png" };
    for (int k = 0; k < 2; k++) {
        test_img img;
        cr_assert(eq(int, read_png(in_tmp(names[k], p, sizeof p), &img), 0), "%s", names[k]);
        cr_expect(eq(int, img.w, MS_PLOT_DEFAULT_WIDTH_PX));
        cr_expect(eq(int, img.h, MS_PLOT_DEFAULT_HEIGHT_PX));
        free_img(&img);
        expect_chunk(p, "memsnn-script", script);
        expect_chunk(p, "memsnn-seed", "5");
    }
    /* Without --seed the raster names the seed of the network its populations belong to. */
    snprintf(args, sizeof args, "run '%s' --out qs1 --quiet", script);
    run(&r, args);
    cr_assert_eq(r.status, 0, "quickstart failed: %s", r.err);
    expect_chunk(in_tmp("qs1/raster.png", p, sizeof p), "memsnn-seed", "1");
}

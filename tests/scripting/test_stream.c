/* tests/scripting/test_stream.c: recordings streamed to CSV and NPY files during a run
 * (net:record(..., {file = ...})). The file holds what an in-memory recording holds, memory
 * stays at one window, and after SIGINT, SIGTERM, a Lua error or a full disk the file is
 * valid: whole rows only, and an NPY header whose shape counts exactly the rows written. */
#include <math.h>
#include <stdint.h>

#include "scripting/cli_proc.h"

static void setup(void) { cli_setup("stream"); }

TestSuite(stream, .init = setup, .timeout = 60);

/* A neuron population driven to fire: n units, v sampled every 1 ms. */
#define NET(n)                                                                                  \
    "local memsnn = require('memsnn')\nlocal u = memsnn.units\n"                                \
    "local function make()\n"                                                                   \
    "  local net = memsnn.network{ seed = 1, method = 'exact' }\n"                              \
    "  local p = net:population{ n = " #n ", model = 'lif_curr_exp', label = 'exc' }\n"         \
    "  net:current{ target = p, amplitude = 0.5 * u.nA }\n"                                     \
    "  return net, p\n"                                                                         \
    "end\n"

/* ---- reading files back ------------------------------------------------------------------- */

static char data[1 << 22];

/* A CSV of whole rows: each line ends in '\n' and has `cols` fields. Returns the rows after
 * the header and fills t[] with the first field of each (up to max). */
static size_t csv_rows(const char *name, size_t cols, double *t, size_t max)
{
    long n = cli_read(name, data, sizeof data);
    cr_assert_gt(n, 0, "%s is missing or empty", name);
    cr_assert_lt(n, (long)sizeof data - 1, "%s is too big for the test", name);
    cr_assert_eq(data[n - 1], '\n', "%s ends in a partial row", name);
    size_t rows = 0;
    char *line = data;
    for (int first = 1; *line; first = 0) {
        char *end = strchr(line, '\n');
        size_t fields = 1;
        for (char *c = line; c < end; c++) fields += *c == ',';
        cr_assert_eq(fields, cols, "%s: a row with %zu fields, not %zu: %.*s", name, fields, cols, (int)(end - line), line);
        if (!first) {
            if (rows < max) t[rows] = strtod(line, NULL);
            rows++;
        }
        line = end + 1;
    }
    return rows;
}

/* An NPY file of f8 (rows, cols): checks the header and that its size is header + data. */
static size_t npy_rows(const char *name, size_t cols, const double **values)
{
    long n = cli_read(name, data, sizeof data);
    cr_assert_geq(n, 128, "%s is missing or shorter than its header", name);
    cr_assert_eq(memcmp(data, "\x93NUMPY\x01\x00", 8), 0);
    cr_assert_eq((unsigned char)data[8] | (unsigned char)data[9] << 8, 118, "header length");
    cr_assert_eq(data[127], '\n');
    size_t rows, c;
    const char *shape = strstr(data + 10, "'shape': ("); /* after the magic, which holds a NUL */
    cr_assert(shape && sscanf(shape, "'shape': (%zu, %zu)", &rows, &c) == 2, "%.128s", data);
    cr_assert(strstr(data + 10, "'descr': '<f8', 'fortran_order': False"));
    cr_assert_eq(c, cols);
    cr_assert_eq((size_t)n, 128 + rows * cols * sizeof(double), "%s: %ld bytes for a header of %zu rows", name, n, rows);
    *values = (const double *)(data + 128);
    return rows;
}

/* Rows of a trace sampled every 1 ms from 0 are exactly at k ms. */
static void expect_grid(const double *t, size_t n)
{
    for (size_t k = 0; k < n; k++) cr_assert(fabs(t[k] - 1e-3 * (double)k) < 1e-12, "row %zu at t = %.17g", k, t[k]);
}

/* ---- what a streamed file holds ------------------------------------------------------------ */

/* The streamed CSV is byte for byte what write_csv writes of the same recording in memory. */
Test(stream, csv_equals_the_in_memory_recording)
{
    cli_write("same.lua", NET(3) "local a, pa = make()\nlocal b, pb = make()\n"
                                 "a:record(pa, 'v', { ids = { 1, 3 }, every = 1 * u.ms, file = 'v_stream.csv' })\n"
                                 "b:record(pb, 'v', { ids = { 1, 3 }, every = 1 * u.ms })\n"
                                 "a:record(pa, 'spikes', { file = 's_stream.csv' })\nb:record(pb, 'spikes')\n"
                                 "for _, d in ipairs({ 0.0105, 0.02, 0.0395 }) do a:run(d) b:run(d) end\n"
                                 "memsnn.write_csv('v_mem.csv', pb:trace('v'))\n"
                                 "local s = pb:spikes()\nmemsnn.write_csv('s_mem.csv', { t = s.times, id = s.ids }, { columns = { 't', 'id' } })\n");
    cli_result r;
    cli_run(&r, 0, "run", "same.lua", "--out", "res", "--quiet");
    cr_assert_eq(r.status, 0, "%s", r.err);
    static char a[1 << 16], b[1 << 16];
    cr_assert_gt(cli_read("res/v_stream.csv", a, sizeof a), 0);
    cr_assert_gt(cli_read("res/v_mem.csv", b, sizeof b), 0);
    cr_assert_str_eq(a, b);
    cr_assert(strncmp(a, "t,v_1,v_3\n0,", 12) == 0, "%.40s", a);
    double t[128];
    cr_assert_eq(csv_rows("res/v_stream.csv", 3, t, 128), 70); /* 70 ms, one row a ms */
    expect_grid(t, 70);
    cr_assert_gt(cli_read("res/s_stream.csv", a, sizeof a), 0);
    cr_assert_gt(cli_read("res/s_mem.csv", b, sizeof b), 0);
    cr_assert_str_eq(a, b);
    cr_assert_eq(csv_rows("res/s_stream.csv", 2, t, 128), 21); /* 7 spikes of each of 3 units in 70 ms */
}

Test(stream, npy_holds_the_same_numbers)
{
    cli_write("npy.lua", NET(2) "local a, pa = make()\n"
                                "a:record(pa, 'v', { every = 1 * u.ms, file = 'v.npy' })\n"
                                "a:record(pa, 'spikes', { file = 's.npy' })\n"
                                "a:run(0.05)\n");
    cli_write("csv.lua", NET(2) "local a, pa = make()\n"
                                "a:record(pa, 'v', { every = 1 * u.ms, file = 'v.csv' })\n"
                                "a:run(0.05)\n");
    cli_result r;
    cli_run(&r, 0, "run", "npy.lua", "--out", "res", "--quiet");
    cr_assert_eq(r.status, 0, "%s", r.err);
    cli_run(&r, 0, "run", "csv.lua", "--out", "res", "--quiet");
    cr_assert_eq(r.status, 0, "%s", r.err);
    const double *v;
    size_t rows = npy_rows("res/s.npy", 2, &v);
    cr_assert_eq(rows, 10, "5 spikes of each of 2 units in 50 ms");
    cr_assert(v[1] == 1 && v[3] == 2 && v[0] == v[2], "first spikes: t %g unit %g, t %g unit %g", v[0], v[1], v[2], v[3]);
    rows = npy_rows("res/v.npy", 3, &v);
    cr_assert_eq(rows, 50);
    static double copy[150];
    memcpy(copy, v, sizeof copy);
    double t[64];
    cr_assert_eq(csv_rows("res/v.csv", 3, t, 64), 50);
    char *line = strchr(data, '\n') + 1; /* the CSV, now in data: compare every number */
    for (size_t k = 0; k < 150; k++) {
        char *end;
        double x = strtod(line, &end);
        cr_assert_eq(x, copy[k], "value %zu: csv %.17g, npy %.17g", k, x, copy[k]);
        line = end + 1;
    }
}

/* A streamed recorder holds one window of samples however long the run. */
Test(stream, memory_stays_bounded)
{
    cli_write("mem.lua", NET(3) "local a, pa = make()\nlocal b, pb = make()\n"
                                "a:record(pa, 'v', { every = 0.1 * u.ms, file = 'v.npy' })\n"
                                "b:record(pb, 'v', { every = 0.1 * u.ms })\n"
                                "a:run(0.1) b:run(0.1)\nlocal a1, b1 = a:memory().recorders, b:memory().recorders\n"
                                "a:run(0.9) b:run(0.9)\nprint(a1, a:memory().recorders, b1, b:memory().recorders)\n");
    cli_result r;
    cli_run(&r, 0, "run", "mem.lua", "--out", "res", "--quiet");
    cr_assert_eq(r.status, 0, "%s", r.err);
    long a1, a2, b1, b2;
    cr_assert_eq(sscanf(r.out, "%ld %ld %ld %ld", &a1, &a2, &b1, &b2), 4, "%s", r.out);
    /* 10 samples a window (1 ms window, 0.1 ms apart) fit the first 256-sample block */
    cr_assert_eq(a1, a2, "the streamed recorder grew from %ld to %ld bytes", a1, a2);
    cr_assert_leq(a2, 256 * 4 * 8);
    /* 10,000 samples x (3 units + t) x 8 bytes in memory, rounded up to a power of two */
    cr_assert_geq(b2, 10000 * 4 * 8, "%ld", b2);
    const double *v;
    cr_assert_eq(npy_rows("res/v.npy", 4, &v), 10000);
}

/* ---- runs that do not end well ---------------------------------------------------------------- */

/* Starts a long run streaming v of 2 of 500 units to `file`, waits until the file holds
 * `min_bytes`, sends `sig`, and checks the message. */
static void interrupt(const char *file, long min_bytes, int sig)
{
    char script[2048];
    snprintf(script, sizeof script,
             NET(500) "local a, pa = make()\n"
                      "a:record(pa, 'v', { ids = { 1, 2 }, every = 1 * u.ms, file = '%s' })\n"
                      "a:run(1000)\nprint('not interrupted')\n", file);
    cli_write("long.lua", script);
    pid_t pid = cli_spawn_v(0, CLI_ARGS("run", "long.lua", "--out", "res", "--quiet"));
    char p[1100];
    snprintf(p, sizeof p, "%s/res/%s", tmpdir, file);
    struct stat st;
    double t0 = cli_now();
    while (!(stat(p, &st) == 0 && st.st_size >= min_bytes)) {
        cr_assert_lt(cli_now() - t0, 30.0, "the run wrote only %ld bytes in 30 s", (long)st.st_size);
        nanosleep(&(struct timespec){ 0, 2000000 }, NULL); /* 2 ms */
    }
    kill(pid, sig);
    cli_result r;
    cli_wait(pid, &r);
    cr_assert_eq(r.status, 1, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "long.lua:11: run: interrupted at t = "), "%s", r.err);
    cr_assert_null(strstr(r.out, "not interrupted"));
}

Test(stream, csv_is_whole_after_sigint)
{
    interrupt("v.csv", 4000, SIGINT);
    static double t[1 << 16];
    size_t rows = csv_rows("res/v.csv", 3, t, 1 << 16);
    cr_assert_geq(rows, 50);
    expect_grid(t, rows);
}

Test(stream, npy_is_valid_after_sigterm)
{
    interrupt("v.npy", 4000, SIGTERM);
    const double *v;
    size_t rows = npy_rows("res/v.npy", 3, &v);
    cr_assert_geq(rows, 100);
    for (size_t k = 0; k < rows; k++) cr_assert(fabs(v[3 * k] - 1e-3 * (double)k) < 1e-12, "row %zu", k);
}

Test(stream, files_are_whole_after_a_lua_error)
{
    cli_write("err.lua", NET(2) "local a, pa = make()\n"
                                "a:record(pa, 'v', { every = 1 * u.ms, file = 'v.npy' })\n"
                                "a:record(pa, 'spikes', { file = 's.csv' })\n"
                                "a:run(0.03)\nerror('boom')\n");
    cli_result r;
    cli_run(&r, 0, "run", "err.lua", "--out", "res", "--quiet");
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "err.lua:13: boom"), "%s", r.err);
    const double *v;
    cr_assert_eq(npy_rows("res/v.npy", 3, &v), 30);
    double t[16];
    cr_assert_eq(csv_rows("res/s.csv", 2, t, 16), 6, "3 spikes of each of 2 units in 30 ms");
}

/* A disk that fills during the run (a 16 kB file-size limit): the run stops with an error
 * naming the recording and the reason, and the file keeps its whole rows. */
Test(stream, a_full_disk_stops_the_run_and_keeps_whole_rows)
{
    cli_write("full.lua", NET(3) "local a, pa = make()\n"
                                 "a:record(pa, 'v', { every = 0.1 * u.ms, file = 'v.csv' })\n"
                                 "a:run(10)\n");
    cli_result r;
    cli_run(&r, 16384, "run", "full.lua", "--out", "res", "--quiet");
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "full.lua:11: run: streaming 'v' of 'exc' failed at t = "), "%s", r.err);
    cr_assert(strstr(r.err, "cannot write 'res/v.csv': File too large"), "%s", r.err);
    static double t[1024];
    size_t rows = csv_rows("res/v.csv", 4, t, 1024);
    cr_assert_geq(rows, 100);
    for (size_t k = 0; k < rows; k++) cr_assert(fabs(t[k] - 1e-4 * (double)k) < 1e-12, "row %zu at %.17g", k, t[k]);
}

/* ---- bad uses ------------------------------------------------------------------------------------ */

Test(stream, bad_uses_are_errors_at_the_line)
{
    static const struct { const char *body, *msg; } cases[] = {
        { "a:record(pa, 'v', { file = 'v.txt' })", "bad.lua:10: record: file = 'v.txt' must end in .csv or .npy" },
        { "a:record(pa, 'spikes', { file = 's.csv', every = 1 })", "bad.lua:10: record: unknown option 'every' (expected: file)" },
        { "a:record(pa, 'v', { file = 'v.csv' })\na:run(0.01)\nlocal x = pa:trace('v')",
          "bad.lua:12: trace: 'v' of 'exc' is streamed to a file, not kept in memory: read the file" },
        { "a:record(pa, 'spikes', { file = 's.csv' })\na:run(0.01)\nlocal x = pa:spikes()",
          "bad.lua:12: spikes: spikes of 'exc' are streamed to a file, not kept in memory: read the file" },
        { "a:record(pa, 'spikes', { file = 's.csv' })\na:record(pa, 'spikes', { file = 's2.csv' })",
          "bad.lua:11: record: the spikes of 'exc' are already streamed to a file" },
        { "a:record(pa, 'v', { file = '/nonexistent-memsnn/v.csv' })",
          "bad.lua:10: record: the folder '/nonexistent-memsnn' does not exist" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char script[2048];
        snprintf(script, sizeof script, NET(2) "local a, pa = make()\n%s\n", cases[k].body);
        cli_write("bad.lua", script);
        cli_result r;
        cli_run(&r, 0, "run", "bad.lua", "--out", "res", "--quiet");
        cr_assert_eq(r.status, 1, "case %zu", k);
        cr_assert(strstr(r.err, cases[k].msg), "case %zu: stderr lacks \"%s\":\n%s", k, cases[k].msg, r.err);
    }
    cr_assert_not(cli_exists("res/v.txt"));
    cr_assert_not(cli_exists("res/s2.csv"), "a refused stream left its file");
}

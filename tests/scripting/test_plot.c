/* tests/scripting/test_plot.c: memsnn.plot.* run in-process: every plot writes a PNG of the
 * requested size with its provenance; the Lua layer hands viz/ exactly the data a C caller
 * would (pixel-identical images); every kind of bad input is a Lua error at the script line
 * that leaves no file; empty data still gives a picture. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <lauxlib.h>
#include <lualib.h>

#include "scripting/l_util.h"
#include "scripting/ms_lua.h"
#include "viz/viz_test.h"   /* tests/viz/: read_png, png_text_of, file_exists, count_prefixed */

static char outdir[1024];
static lua_State *L;

static void setup(void)
{
    snprintf(outdir, sizeof outdir, "%s/plot-%ld", test_dir(), (long)getpid());
    mkdir(outdir, 0777);
    L = luaL_newstate();
    cr_assert(L != NULL);
    ms_lua_settings *s = ms_lua_get_settings(L);
    snprintf(s->out_dir, sizeof s->out_dir, "%s", outdir);
    snprintf(s->script, sizeof s->script, "tests/plot_test.lua");
    s->quiet = 1;
    luaL_openlibs(L);
    luaL_requiref(L, "memsnn", luaopen_memsnn, 1);
    lua_pop(L, 1);
}

static void teardown(void)
{
    lua_close(L);
}

TestSuite(plot, .init = setup, .fini = teardown, .timeout = 60);

/* Runs a chunk named "test" (so messages read "test:LINE: ..."); NULL on success, else the
 * error message. */
static const char *run(const char *chunk)
{
    static char msg[2048];
    if (luaL_loadbuffer(L, chunk, strlen(chunk), "=test") != LUA_OK || lua_pcall(L, 0, 0, 0) != LUA_OK) {
        snprintf(msg, sizeof msg, "%s", lua_tostring(L, -1));
        lua_pop(L, 1);
        return msg;
    }
    return NULL;
}

static void run_ok(const char *chunk)
{
    const char *m = run(chunk);
    cr_assert(m == NULL, "chunk failed: %s\n%s", m, chunk);
}

static const char *out_path(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", outdir, name);
    return buf;
}

/* The global `name` of the Lua state as a string ("" if it is not one). */
static const char *global_string(const char *name)
{
    static char buf[2048];
    lua_getglobal(L, name);
    snprintf(buf, sizeof buf, "%s", lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
    lua_pop(L, 1);
    return buf;
}

static void expect_png(const char *name, int w, int h, const char *seed, const char *title)
{
    char path[1200];
    out_path(name, path, sizeof path);
    test_img img;
    cr_assert(eq(int, read_png(path, &img), 0), "cannot read %s", path);
    cr_expect(eq(int, img.w, w), "%s width", name);
    cr_expect(eq(int, img.h, h), "%s height", name);
    cr_expect(ink_in(&img, 0, 0, img.w, img.h) > 1000, "%s is blank", name);
    free_img(&img);
    char *v;
    cr_expect(eq(str, (v = png_text_of(path, "memsnn-script")) ? v : "", "tests/plot_test.lua"), "%s script", name);
    free(v);
    cr_expect(eq(str, (v = png_text_of(path, "memsnn-seed")) ? v : "", (char *)seed), "%s seed", name);
    free(v);
    v = png_text_of(path, "memsnn-version");
    cr_expect(v && v[0], "%s has no memsnn-version", name);
    free(v);
    v = png_text_of(path, "Software");
    cr_expect(v && strncmp(v, "memsnn ", 7) == 0, "%s Software chunk", name);
    free(v);
    v = png_text_of(path, "Creation Time");
    cr_expect(v && strlen(v) == 20 && v[19] == 'Z', "%s Creation Time '%s'", name, v ? v : "");
    free(v);
    if (title) {
        cr_expect(eq(str, (v = png_text_of(path, "Title")) ? v : "", (char *)title), "%s title", name);
        free(v);
    }
}

/* ---- every plot: size, provenance, returned path --------------------------------------------- */

#define HAND_DATA                                                                                   \
    "local u = memsnn.units\n"                                                                      \
    "local spikes = { ids = { 1, 3, 2, 3 }, times = { 0.001, 0.002, 0.004, 0.009 }, n = 4, label = 'a' }\n" \
    "local tr = { t = { 0, 0.001, 0.002, 0.003 }, { -0.07, -0.06, -0.055, -0.065 },\n"            \
    "             { -0.06, -0.062, -0.05, -0.07 }, ids = { 2, 5 }, name = 'v', unit = 'V', label = 'exc' }\n" \
    "local e1 = { total = 6e-9, by_class = { synapse = 3e-9, dendrite = 2e-9, soma = 1e-9 },\n"    \
    "             bins = { edges = { 0, 0.1, 0.2 }, energy = { 2e-9, 4e-9 } } }\n"                  \
    "local e2 = { total = 15e-9, by_class = { synapse = 12e-9, soma = 3e-9 } }\n"                  \
    "local v, i = {}, {}\n"                                                                         \
    "for k = 0, 100 do local s = math.sin(2 * math.pi * k / 100)\n"                                 \
    "  v[#v + 1] = s; i[#i + 1] = 1e-6 * s * (1.2 + 0.8 * math.cos(math.pi * k / 100)) end\n"

Test(plot, every_plot_writes_a_png_of_the_requested_size_with_provenance)
{
    run_ok(HAND_DATA
           "p1 = memsnn.plot.raster{ file = 'raster.png', populations = { spikes }, rate = true, bin = 0.002,\n"
           "                         width = 640, height = 480, title = 'Raster' }\n"
           "p2 = memsnn.plot.traces{ file = 'sub/traces.png', trace = tr, width = 500, height = 300, dpi = 1.5,\n"
           "                         t0 = 0, t1 = 0.003, ymin = -0.08, ymax = -0.04 }\n"
           "p3 = memsnn.plot.power{ file = 'power.png', tallies = { { 'with dendrites', e1 }, { 'without', e2 } },\n"
           "                        log = true, width = 700, height = 500, title = 'Energy' }\n"
           "p4 = memsnn.plot.iv{ file = 'iv.png', v = v, i = i, label = 'loop', logy = true, arrows = 4,\n"
           "                     width = 600, height = 400, xmin = -1.2, xmax = 1.2 }\n"
           "p5 = memsnn.plot.xy{ file = 'xy.png', series = { { x = { 1, 2, 4 }, y = { 1, 4, 16 }, label = 'sq', style = 'both' },\n"
           "                                               { x = { 1, 2, 4 }, y = { 2, 3, 5 }, style = 'points' } },\n"
           "                     logx = true, logy = true, xunit = 'Hz', xlabel = 'f', width = 800, height = 600 }\n");
    expect_png("raster.png", 640, 480, "unknown", "Raster");
    expect_png("sub/traces.png", 500, 300, "unknown", NULL);
    expect_png("power.png", 700, 500, "unknown", "Energy");
    expect_png("iv.png", 600, 400, "unknown", NULL);
    expect_png("xy.png", 800, 600, "unknown", NULL);
    char want[1200];
    cr_expect(eq(str, (char *)global_string("p1"), (char *)out_path("raster.png", want, sizeof want)));
    cr_expect(eq(str, (char *)global_string("p2"), (char *)out_path("sub/traces.png", want, sizeof want)));
    cr_expect(eq(str, (char *)global_string("p5"), (char *)out_path("xy.png", want, sizeof want)));
}

Test(plot, default_size_and_seed_from_the_command_line)
{
    ms_lua_settings *s = ms_lua_get_settings(L);
    s->seed_given = 1;
    s->seed = 42;
    run_ok(HAND_DATA "memsnn.plot.xy{ file = 'd.png', x = v, y = i }\n");
    expect_png("d.png", MS_PLOT_DEFAULT_WIDTH_PX, MS_PLOT_DEFAULT_HEIGHT_PX, "42", NULL);
}

Test(plot, source_date_epoch_fixes_the_creation_time)
{
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    run_ok(HAND_DATA "memsnn.plot.iv{ file = 'sde.png', v = v, i = i }\n");
    unsetenv("SOURCE_DATE_EPOCH");
    char path[1200];
    char *v = png_text_of(out_path("sde.png", path, sizeof path), "Creation Time");
    cr_expect(eq(str, v ? v : "", "2023-11-14T22:13:20Z"));
    free(v);
}

/* ---- the Lua layer passes exactly what a C caller would -------------------------------------- */

static int same_pixels(const char *a, const char *b)
{
    test_img x, y;
    cr_assert(eq(int, read_png(a, &x), 0), "%s", a);
    cr_assert(eq(int, read_png(b, &y), 0), "%s", b);
    int same = x.w == y.w && x.h == y.h && memcmp(x.px, y.px, (size_t)x.w * (size_t)x.h * 4) == 0;
    free_img(&x);
    free_img(&y);
    return same;
}

/* A tiny network runs; its raster from Lua (populations as userdata, default window 0 ..
 * net:time(), 1-based axis, labels from the populations) equals the C plot of the same spikes. */
Test(plot, raster_of_a_real_network_matches_the_c_plot)
{
    run_ok("local u = memsnn.units\n"
           "local net = memsnn.network{ seed = 7, method = 'exact' }\n"
           "local src = net:spike_source{ times = { { 1e-3, 5e-3 }, {}, { 2e-3, 8e-3, 9e-3 } }, label = 'cue' }\n"
           "local out = net:population{ n = 4, model = 'lif_curr_exp', label = 'out' }\n"
           "net:connect(src, out, { weight = 3 * u.nA, delay = 1 * u.ms, port = 'exc' })\n"
           "net:record(src, 'spikes'); net:record(out, 'spikes')\n"
           "net:run(0.02)\n"
           "local s = out:spikes()\n"
           "out_ids, out_times = s.ids, s.times\n"
           "memsnn.plot.raster{ file = 'net.png', populations = { src, out }, rate = true, width = 800, height = 500 }\n");
    /* The output neurons' spikes, read back from Lua. */
    lua_getglobal(L, "out_ids");
    lua_getglobal(L, "out_times");
    size_t n_out = (size_t)luaL_len(L, -1);
    cr_assert(n_out > 0, "the output population should spike");
    int32_t *ids = malloc(n_out * sizeof *ids);
    double *times = malloc(n_out * sizeof *times);
    for (size_t k = 0; k < n_out; k++) {
        lua_geti(L, -2, (lua_Integer)k + 1);
        ids[k] = (int32_t)lua_tointeger(L, -1) - 1;
        lua_geti(L, -2, (lua_Integer)k + 1);
        times[k] = lua_tonumber(L, -1);
        lua_pop(L, 2);
    }
    lua_pop(L, 2);
    static const int32_t cue_ids[] = { 0, 2, 0, 2, 2 };
    static const double cue_t[] = { 1e-3, 2e-3, 5e-3, 8e-3, 9e-3 };
    ms_raster_pop pops[2] = {
        { "cue", 3, 5, cue_t, 5, cue_ids },
        { "out", 4, n_out, times, n_out, ids },
    };
    ms_raster_data d = { 2, pops, 1, 0.0, 1 };
    char lua_png[1200], c_png[1200];
    out_path("net.png", lua_png, sizeof lua_png);
    out_path("net-c.png", c_png, sizeof c_png);
    ms_plot_opts o;
    ms_plot_opts_init(&o);
    o.file = c_png;
    o.width_px = 800;
    o.height_px = 500;
    o.t0_s = 0.0;
    o.t1_s = 0.02;
    ms_error err = { 0 };
    cr_assert(eq(int, ms_plot_raster(&d, &o, &err), MS_OK), "%s", err.msg);
    cr_expect(same_pixels(lua_png, c_png), "Lua and C rasters differ");
    char *seed = png_text_of(lua_png, "memsnn-seed");
    cr_expect(eq(str, seed ? seed : "", "7"), "seed of the plotted network");
    free(seed);
    free(ids);
    free(times);
}

Test(plot, traces_match_the_c_plot_with_unit_labels_and_the_variable_unit)
{
    run_ok(HAND_DATA "memsnn.plot.traces{ file = 'tr.png', trace = tr, width = 600, height = 400 }\n");
    static const double t[] = { 0, 0.001, 0.002, 0.003 };
    static const double a[] = { -0.07, -0.06, -0.055, -0.065 }, b[] = { -0.06, -0.062, -0.05, -0.07 };
    ms_trace tr[2] = { { "unit 2", 4, a }, { "unit 5", 4, b } };
    ms_traces_data d = { 4, t, 2, tr };
    char lua_png[1200], c_png[1200];
    out_path("tr.png", lua_png, sizeof lua_png);
    ms_plot_opts o;
    ms_plot_opts_init(&o);
    o.file = out_path("tr-c.png", c_png, sizeof c_png);
    o.width_px = 600;
    o.height_px = 400;
    o.ylabel = "v";
    o.yunit = "V";
    ms_error err = { 0 };
    cr_assert(eq(int, ms_plot_traces(&d, &o, &err), MS_OK), "%s", err.msg);
    cr_expect(same_pixels(lua_png, c_png), "Lua and C traces differ");
}

/* Hand-made traces: a one-column table's label, or a labels list, is the legend entry (the
 * C plot with those names is pixel-identical); a labels list of the wrong length is an error. */
Test(plot, hand_made_traces_are_named_by_their_labels)
{
    run_ok("memsnn.plot.traces{ file = 'hand.png', width = 600, height = 400, traces = {\n"
           "  { t = { 0, 1, 2 }, { 1, 2, 1.5 }, label = 'drive' },\n"
           "  { t = { 0, 1, 2 }, { 0, 1, 1 }, { 2, 2, 0 }, labels = { 'left', 'right' } } } }\n");
    static const double t[] = { 0, 1, 2 }, a[] = { 1, 2, 1.5 }, b[] = { 0, 1, 1 }, c[] = { 2, 2, 0 };
    ms_trace tr[3] = { { "drive", 3, a }, { "left", 3, b }, { "right", 3, c } };
    ms_traces_data d = { 3, t, 3, tr };
    char lua_png[1200], c_png[1200];
    out_path("hand.png", lua_png, sizeof lua_png);
    ms_plot_opts o;
    ms_plot_opts_init(&o);
    o.file = out_path("hand-c.png", c_png, sizeof c_png);
    o.width_px = 600;
    o.height_px = 400;
    ms_error err = { 0 };
    cr_assert(eq(int, ms_plot_traces(&d, &o, &err), MS_OK), "%s", err.msg);
    cr_expect(same_pixels(lua_png, c_png), "Lua and C traces differ: the legend is not 'drive', 'left', 'right'");
    const char *m = run("memsnn.plot.traces{ file = 'bad.png', trace = { t = { 0, 1 }, { 1, 2 }, { 3, 4 },\n"
                        "  labels = { 'only one' } } }\n");
    cr_assert(m != NULL);
    cr_expect(eq(str, (char *)m, "test:1: traces: trace 1: labels has 1 names but the trace has 2 columns"));
    m = run("memsnn.plot.traces{ file = 'bad.png', trace = { t = { 0, 1 }, { 1, 2 }, labels = { 7 } } }\n");
    cr_assert(m != NULL);
    cr_expect(eq(str, (char *)m, "test:1: traces: trace 1: labels[1] must be a string, got number"));
}

/* Classes stack synapse, dendrite, soma first whatever the table order; a tally with only a
 * total is one class "total"; bins come from per-class bins when no total per bin is given. */
Test(plot, power_orders_classes_and_sums_binned_classes)
{
    run_ok("memsnn.plot.power{ file = 'pw.png', width = 600, height = 400, tallies = {\n"
           "  { 'a', { by_class = { soma = 1e-9, leak = 2e-9, synapse = 3e-9 },\n"
           "           bins = { edges = { 0, 1, 2 }, by_class = { soma = { 1e-9, 0 }, synapse = { 1e-9, 2e-9 } } } } },\n"
           "  { 'b', { total = 4e-9 } } } }\n");
    static const char *cls[] = { "synapse", "soma", "leak", "total" };
    static const double ea[] = { 3e-9, 1e-9, 2e-9, 0 }, eb[] = { 0, 0, 0, 4e-9 };
    static const double edges[] = { 0, 1, 2 }, bins[] = { 2e-9, 2e-9 };
    ms_energy_tally tl[2] = {
        { "a", 4, cls, ea, 3, edges, 2, bins },
        { "b", 4, cls, eb, 0, NULL, 0, NULL },
    };
    ms_power_data d = { 2, tl };
    char lua_png[1200], c_png[1200];
    out_path("pw.png", lua_png, sizeof lua_png);
    ms_plot_opts o;
    ms_plot_opts_init(&o);
    o.file = out_path("pw-c.png", c_png, sizeof c_png);
    o.width_px = 600;
    o.height_px = 400;
    ms_error err = { 0 };
    cr_assert(eq(int, ms_plot_power(&d, &o, &err), MS_OK), "%s", err.msg);
    cr_expect(same_pixels(lua_png, c_png), "Lua and C power plots differ");
}

/* ---- empty data is a picture, not an error ---------------------------------------------------- */

Test(plot, empty_data_gives_a_plot)
{
    run_ok("local net = memsnn.network{}\n"
           "local p = net:population{ n = 3, model = 'lif_curr_exp', label = 'quiet' }\n"
           "net:record(p, 'spikes')\n"
           "net:run(0.01)\n"
           "memsnn.plot.raster{ file = 'e1.png', populations = { p }, rate = true }\n"
           "memsnn.plot.raster{ file = 'e2.png', populations = {} }\n"
           "memsnn.plot.raster{ file = 'e3.png', populations = { { ids = {}, times = {} } } }\n"
           "memsnn.plot.traces{ file = 'e4.png', trace = { t = {} } }\n"
           "memsnn.plot.xy{ file = 'e5.png', series = {} }\n"
           "memsnn.plot.iv{ file = 'e6.png', v = {}, i = {} }\n"
           "memsnn.plot.power{ file = 'e7.png', tallies = {} }\n");
    static const char *names[] = { "e1.png", "e2.png", "e3.png", "e4.png", "e5.png", "e6.png", "e7.png" };
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        char path[1200];
        test_img img;
        cr_expect(eq(int, read_png(out_path(names[k], path, sizeof path), &img), 0), "%s", names[k]);
        free_img(&img);
    }
}

/* ---- bad input: an error at the line, no file --------------------------------------------------- */

/* Runs `chunk` (its plot on line 2, after HAND_DATA's variables are set on line 1 of a fresh
 * chunk) and expects an error naming test:2 that contains `expect`, with no x.png left. */
static void expect_error(const char *call, const char *expect)
{
    char chunk[4096];
    snprintf(chunk, sizeof chunk, "local u = memsnn.units; local v, i = { 1, 2, 3 }, { 1e-6, 2e-6, 3e-6 }\n%s\n", call);
    const char *m = run(chunk);
    cr_assert(m != NULL, "no error for: %s", call);
    cr_expect(strncmp(m, "test:2: ", 8) == 0, "message lacks the line: %s", m);
    cr_expect(strstr(m, expect) != NULL, "for %s\n got: %s\nwant: %s", call, m, expect);
    char path[1200];
    cr_expect(file_exists(out_path("x.png", path, sizeof path)) == 0, "x.png written by: %s", call);
    cr_expect(eq(int, count_prefixed(outdir, "x.png.tmp"), 0), "temporary file left by: %s", call);
}

Test(plot, mismatched_lengths_are_errors)
{
    expect_error("memsnn.plot.raster{ file = 'x.png', populations = { { ids = { 1, 2 }, times = { 0.1, 0.2, 0.3 }, label = 'a' } } }",
                 "raster: populations[1] ('a'): 3 spike times but 2 ids");
    expect_error("memsnn.plot.traces{ file = 'x.png', trace = { t = { 0, 1, 2 }, { 1, 2 }, label = 'x', ids = { 4 } } }",
                 "traces: trace 1 ('x'), unit 4 has 2 values but there are 3 sample times");
    expect_error("memsnn.plot.traces{ file = 'x.png', traces = { { t = { 0, 1 }, { 1, 2 }, label = 'a' }, { t = { 0, 2 }, { 1, 2 }, label = 'b' } } }",
                 "traces: trace 2 ('b') is sampled at other times than trace 1 ('a')");
    expect_error("memsnn.plot.iv{ file = 'x.png', v = v, i = { 1, 2 } }", "iv: 3 v values but 2 i values");
    expect_error("memsnn.plot.iv{ file = 'x.png', curves = { { v = v, i = i }, { v = v, i = { 1 }, label = 'set' } } }",
                 "iv: curves[2] ('set'): 3 v values but 1 i values");
    expect_error("memsnn.plot.xy{ file = 'x.png', series = { { x = { 1, 2, 3 }, y = { 1, 2 }, label = 's' } } }",
                 "xy: series[1] ('s'): 3 x values but 2 y values");
    expect_error("memsnn.plot.power{ file = 'x.png', tallies = { { 'a', { total = 1e-9, bins = { edges = { 0, 1 }, energy = { 1, 2 } } } } } }",
                 "power: tallies[1] ('a'): bins.edges has 2 values, expected 3 (one more than bins.energy)");
    expect_error("memsnn.plot.power{ file = 'x.png', tallies = { { 'a', { bins = { edges = { 0, 1, 2 }, by_class = { soma = { 1 } } } } } } }",
                 "power: tallies[1].bins.by_class.soma has 1 values but bins.edges makes 2 bins");
}

Test(plot, bad_sizes_are_errors)
{
    expect_error("memsnn.plot.xy{ file = 'x.png', x = v, y = i, width = 0 }",
                 "xy: width must be a positive number of pixels, got 0");
    expect_error("memsnn.plot.xy{ file = 'x.png', x = v, y = i, height = -20 }",
                 "xy: height must be a positive number of pixels, got -20");
    expect_error("memsnn.plot.xy{ file = 'x.png', x = v, y = i, width = 640.5 }",
                 "xy: width must be a positive number of pixels, got 640.5");
    expect_error("memsnn.plot.xy{ file = 'x.png', x = v, y = i, width = 100 }",
                 "xy: width 100 px is too small for dpi_scale 1 (at least 240 px)");
    expect_error("memsnn.plot.xy{ file = 'x.png', x = v, y = i, height = 1e6 }",
                 "xy: height 1000000 px is too large (at most 16384)");
    expect_error("memsnn.plot.xy{ file = 'x.png', x = v, y = i, dpi = 0 }", "xy: dpi must be in (0, 8]");
    expect_error("memsnn.plot.xy{ file = 'x.png', x = v, y = i, dpi = 9 }", "xy: dpi must be in (0, 8]");
    expect_error("memsnn.plot.xy{ file = 'x.png', x = v, y = i, width = '640' }",
                 "xy: width must be a positive number of pixels, got 640");
}

Test(plot, nan_is_an_error)
{
    expect_error("memsnn.plot.raster{ file = 'x.png', populations = {}, t0 = 0/0 }", "raster: option 't0' is NaN");
    expect_error("memsnn.plot.raster{ file = 'x.png', populations = { { ids = { 1, 1 }, times = { 0.1, 0/0 } } } }",
                 "raster: populations[1].times[2] is NaN");
    expect_error("memsnn.plot.power{ file = 'x.png', tallies = { { 'a', { by_class = { soma = 0/0 } } } } }",
                 "power: tallies[1] ('a'): by_class.soma is NaN");
    expect_error("memsnn.plot.traces{ file = 'x.png', trace = { t = { 0, 0/0 }, { 1, 2 } } }", "traces: trace 1: t[2] is NaN");
    expect_error("memsnn.plot.xy{ file = 'x.png', x = v, y = i, ymax = 0/0 }", "xy: option 'ymax' is NaN");
}

Test(plot, unknown_options_are_errors)
{
    expect_error("memsnn.plot.raster{ file = 'x.png', populations = {}, colour = 'red' }",
                 "raster: unknown option 'colour' (expected: file, title, width, height, dpi, xlabel, ylabel, t0, t1, populations, rate, bin)");
    expect_error("memsnn.plot.raster{ file = 'x.png', populations = { { ids = {}, times = {}, nunits = 3 } } }",
                 "raster: populations[1]: unknown option 'nunits'");
    expect_error("memsnn.plot.iv{ file = 'x.png', v = v, i = i, logx = true }", "iv: unknown option 'logx'");
    expect_error("memsnn.plot.xy{ file = 'x.png', series = { { x = v, y = i, colour = 1 } } }",
                 "xy: series[1]: unknown option 'colour'");
    expect_error("memsnn.plot.xy{ file = 'x.png', x = v, y = i, style = 'dots' }",
                 "xy: unknown style 'dots' (expected: lines, points, both)");
}

Test(plot, other_bad_input_is_an_error)
{
    expect_error("memsnn.plot.xy{ x = v, y = i }", "xy: option 'file' (the PNG to write) is required");
    expect_error("memsnn.plot.xy{ file = 'x.png', x = v, y = i, xmin = 2, xmax = 1 }", "xy: xmax (1) must be greater than xmin (2)");
    expect_error("memsnn.plot.raster{ file = 'x.png', populations = {}, t0 = 1, t1 = 1 }", "raster: t1 (1) must be greater than t0 (1)");
    expect_error("memsnn.plot.xy{ file = 'x.png', x = v, y = i, logy = true, ymin = 0 }",
                 "xy: a logarithmic y axis needs ymin > 0, got 0");
    expect_error("memsnn.plot.xy{ file = 'x.png', x = v, y = i, logy = true, log = true }", "xy: give 'logy' or its short name 'log', not both");
    expect_error("memsnn.plot.xy{ file = 'x.png', x = v, y = i, logx = 1 }", "xy: logx must be true or false, got number");
    expect_error("memsnn.plot.xy{ file = 'x.png', x = v, y = { 1, 'a', 3 } }", "xy: y[2] must be a number, got string");
    expect_error("memsnn.plot.xy{ file = 'x.png', x = v, y = { 1, math.huge, 3 } }", "xy: series 1 (''): point 2 is infinite");
    expect_error("memsnn.plot.raster{ file = 'x.png', populations = { { ids = { 1, 11 }, times = { 0, 1 }, n = 10 } } }",
                 "raster: populations[1].ids[2] = 11 is outside 1..10");
    expect_error("memsnn.plot.raster{ file = 'x.png', populations = { { ids = { 0 }, times = { 0 } } } }",
                 "raster: populations[1].ids[1] = 0 must be >= 1");
    expect_error("memsnn.plot.raster{ file = 'x.png', populations = { 3 } }",
                 "raster: populations[1] must be a population or a spike table {ids=, times=}, got number");
    expect_error("memsnn.plot.raster{ file = 'x.png', populations = {}, bin = 0.01 }", "raster: bin is the width of the rate strip's bins; add rate = true");
    expect_error("memsnn.plot.raster{ file = 'x.png', populations = {}, rate = true, bin = 0 }", "raster: bin must be a positive, finite time in s, got 0");
    expect_error("local net = memsnn.network{}; local p = net:population{ n = 2, model = 'lif_curr_exp', label = 'e' }; "
                 "memsnn.plot.raster{ file = 'x.png', populations = { p } }",
                 "raster: populations[1]: spikes of 'e' are not recorded");
    expect_error("memsnn.plot.power{ file = 'x.png', tallies = { { 'a', { total = 2e-9, by_class = { soma = 1e-9 } } } } }",
                 "power: tallies[1] ('a'): total 2e-09 J is not the sum of by_class (1e-09 J)");
    expect_error("memsnn.plot.power{ file = 'x.png', tallies = { { by_class = { soma = 1 } } } }",
                 "power: tallies[1] must be a pair { \"label\", energy table }");
    expect_error("memsnn.plot.power{ file = 'x.png', tallies = { { 'a', { by_class = { soma = -1e-9 } } } } }",
                 "power: tally 1 ('a'): class 'soma' has energy -1e-09 J (must be finite, >= 0)");
    expect_error("memsnn.plot.iv{ file = 'x.png', v = v, i = i, curves = {} }", "iv: give v and i for one curve, or 'curves', not both");
    expect_error("memsnn.plot.iv{ file = 'x.png', v = v, i = i, arrows = -1 }", "iv: arrows = -1 is outside 0..100");
    expect_error("memsnn.plot.traces{ file = 'x.png' }", "traces: option 'trace' (a table from pop:trace(var)) or 'traces'");
    expect_error("memsnn.plot:xy{ file = 'x.png', x = v, y = i }", "xy: takes one table of options");
}

Test(plot, unwritable_path_is_an_error_and_keeps_the_old_file)
{
    char path[1200];
    FILE *f = fopen(out_path("afile", path, sizeof path), "w");
    cr_assert(f != NULL);
    fputs("not a folder", f);
    fclose(f);
    expect_error("memsnn.plot.xy{ file = 'afile/x.png', x = v, y = i }", "/afile' is not a folder");
    /* A failed plot leaves an existing file as it was. */
    f = fopen(out_path("x.png", path, sizeof path), "w");
    cr_assert(f != NULL);
    fputs("old", f);
    fclose(f);
    const char *m = run("memsnn.plot.xy{ file = 'x.png', x = { 1 }, y = { 1, 2 } }");
    cr_assert(m != NULL);
    char buf[16] = "";
    f = fopen(path, "r");
    cr_assert(f != NULL);
    cr_expect(fgets(buf, sizeof buf, f) != NULL);
    fclose(f);
    cr_expect(eq(str, buf, "old"));
}

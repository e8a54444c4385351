/* tests/viz/test_raster.c: a spike at a known time and unit lands at the expected pixel, the
 * rest of the data area stays background; bands get their population's colour; empty data
 * says "no spikes"; bad input fails with a clear message and no file; 10^6 spikes are fast. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <time.h>

#include "viz_test.h"

/* Plot width and height used by most tests (small: fast to encode). */
#define W 800
#define H 500

static double col_of(const ms_plot_info *in, double t)
{
    return in->area_x_px + (t - in->x_min) / (in->x_max - in->x_min) * in->area_w_px;
}

/* Pixel row of the centre of unit u in a one-population raster of n units (unit 0 at the
 * bottom): the y axis runs from -0.5 to n - 0.5. */
static double row_of(const ms_plot_info *in, double u)
{
    return in->area_y_px + in->area_h_px - (u - in->y_min) / (in->y_max - in->y_min) * in->area_h_px;
}

static ms_status plot(const ms_raster_data *d, const char *name, char *path, size_t len,
                      ms_plot_info *info, ms_error *err)
{
    ms_plot_opts o;
    test_opts(&o, test_path(name, path, len));
    o.width_px = W;
    o.height_px = H;
    o.t0_s = 0.0;
    o.t1_s = 1.0;
    o.info = info;
    return ms_plot_raster(d, &o, err);
}

Test(raster, spike_marks_land_at_the_expected_pixels)
{
    const double t[] = {0.25, 0.75};
    const int32_t ids[] = {2, 7};
    ms_raster_pop p = {"exc", 10, 2, t, 2, ids};
    ms_raster_data d = {1, &p, 0, 0.0, 0};
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    cr_assert(eq(int, plot(&d, "known.png", path, sizeof path, &in, &err), MS_OK), "%s", err.msg);
    cr_assert(eq(dbl, in.x_min, 0.0));
    cr_assert(eq(dbl, in.x_max, 1.0));
    cr_assert(eq(dbl, in.y_min, -0.5));
    cr_assert(eq(dbl, in.y_max, 9.5));
    test_img img;
    cr_assert(eq(int, read_png(path, &img), 0));
    cr_expect(eq(int, img.w, W));
    cr_expect(eq(int, img.h, H));
    expect_provenance(path);

    int x1 = (int)floor(col_of(&in, 0.25)), y1 = (int)floor(row_of(&in, 2));
    int x2 = (int)floor(col_of(&in, 0.75)), y2 = (int)floor(row_of(&in, 7));
    cr_expect(is_palette_ink(pixel(&img, x1, y1), 0), "no mark at (%d, %d)", x1, y1);
    cr_expect(is_palette_ink(pixel(&img, x2, y2), 0), "no mark at (%d, %d)", x2, y2);
    /* A mark is a short vertical tick: 2 px wide, within its unit's row. */
    cr_expect(is_white(pixel(&img, x1 + 3, y1)) && is_white(pixel(&img, x1 - 3, y1)));
    cr_expect(is_white(pixel(&img, x1, y2)), "unit 7's row has ink at t = 0.25");
    cr_expect(is_white(pixel(&img, x2, y1)), "unit 2's row has ink at t = 0.75");
    double row_h = in.area_h_px / 10.0;
    cr_expect(is_white(pixel(&img, x1, (int)(y1 + row_h))), "mark spills into unit 1");
    cr_expect(is_white(pixel(&img, x1, (int)(y1 - row_h))), "mark spills into unit 3");

    /* Sentinel: the whole data area is background except the two marks. */
    int ax0 = (int)in.area_x_px, ay0 = (int)in.area_y_px;
    int ax1 = ax0 + (int)in.area_w_px, ay1 = ay0 + (int)in.area_h_px;
    int total = ink_in(&img, ax0, ay0, ax1, ay1);
    int marks = ink_in(&img, x1 - 2, y1 - (int)row_h, x1 + 3, y1 + (int)row_h) +
                ink_in(&img, x2 - 2, y2 - (int)row_h, x2 + 3, y2 + (int)row_h);
    cr_expect(total > 0);
    cr_expect(eq(int, total, marks), "%d ink pixels in the area, %d in the marks", total, marks);
    free_img(&img);
    unlink(path);
}

Test(raster, spikes_at_the_window_edges_are_drawn_inside_it)
{
    const double t[] = {0.0, 1.0, 1.5, -0.1};  /* the last two are outside [t0, t1] */
    const int32_t ids[] = {0, 0, 0, 0};
    ms_raster_pop p = {"exc", 1, 4, t, 4, ids};
    ms_raster_data d = {1, &p, 0, 0.0, 0};
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    cr_assert(eq(int, plot(&d, "edges.png", path, sizeof path, &in, &err), MS_OK), "%s", err.msg);
    test_img img;
    cr_assert(eq(int, read_png(path, &img), 0));
    int y = (int)floor(row_of(&in, 0));
    int first = (int)in.area_x_px, last = (int)(in.area_x_px + in.area_w_px) - 1;
    cr_expect(is_palette_ink(pixel(&img, first, y), 0));
    cr_expect(is_palette_ink(pixel(&img, last, y), 0));
    cr_expect(eq(int, ink_in(&img, first + 4, y - 2, last - 4, y + 3), 0));
    free_img(&img);
    unlink(path);
}

Test(raster, each_population_gets_its_band_and_colour)
{
    const double ta[] = {0.5};
    const int32_t ia[] = {9};  /* top unit of the top band */
    const double tb[] = {0.5};
    const int32_t ib[] = {0};  /* bottom unit of the bottom band */
    ms_raster_pop p[2] = {{"A", 10, 1, ta, 1, ia}, {"B", 10, 1, tb, 1, ib}};
    ms_raster_data d = {2, p, 0, 0.0, 0};
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    cr_assert(eq(int, plot(&d, "bands.png", path, sizeof path, &in, &err), MS_OK), "%s", err.msg);
    test_img img;
    cr_assert(eq(int, read_png(path, &img), 0));
    int x = (int)floor(col_of(&in, 0.5));
    double row_h = in.area_h_px / 20.0;  /* equal populations share the height equally */
    int ytop = (int)floor(in.area_y_px + 0.5 * row_h);
    int ybot = (int)floor(in.area_y_px + in.area_h_px - 0.5 * row_h);
    cr_expect(is_palette_ink(pixel(&img, x, ytop), 0), "population A not in colour 0 at top");
    cr_expect(is_palette_ink(pixel(&img, x, ybot), 1), "population B not in colour 1 at bottom");
    cr_expect(is_palette_ink(pixel(&img, x, ybot), 0) == 0);
    free_img(&img);
    unlink(path);
}

/* Several populations: the y axis numbers the units within each band (restarting, printed
 * as first_index + unit), every number is whole and sits on its unit's row (a spike placed at
 * a numbered unit lands on that number's tick), and each band's name is beside it. */
Test(raster, several_populations_have_a_unit_index_axis_and_names)
{
    enum { NA = 200, NB = 80 };
    const double ta[] = {0.5};
    const int32_t ia[] = {99};   /* 1-based unit 100 of "exc" */
    const double tb[] = {0.5};
    const int32_t ib[] = {19};   /* 1-based unit 20 of "inh" */
    ms_raster_pop p[2] = {{"exc", NA, 1, ta, 1, ia}, {"inh", NB, 1, tb, 1, ib}};
    ms_raster_data d = {2, p, 0, 0.0, 1};
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    cr_assert(eq(int, plot(&d, "units.png", path, sizeof path, &in, &err), MS_OK), "%s", err.msg);
    cr_expect(eq(str, in.y_title, "unit"));
    cr_assert(eq(int, in.n_labels, 2));
    cr_expect(eq(str, in.labels[0], "exc"));
    cr_expect(eq(str, in.labels[1], "inh"));
    cr_assert(in.n_y_ticks >= 4, "%d unit numbers", in.n_y_ticks);
    /* Band boundary in the 0..1 coordinate: "inh" (bottom) takes NB / (NA + NB). */
    double split = (double)NB / (NA + NB);
    int found_a = 0, found_b = 0, in_a = 0, in_b = 0;
    double prev = -1.0;
    for (int i = 0; i < in.n_y_ticks; i++) {
        char *end;
        long u = strtol(in.y_tick_text[i], &end, 10);
        cr_expect(end[0] == '\0' && end != in.y_tick_text[i], "tick text '%s' is not a whole number",
                  in.y_tick_text[i]);
        double pos = in.y_ticks[i];
        int top_band = pos > split;
        long n = top_band ? NA : NB;
        cr_expect(u >= 1 && u <= n, "unit number %ld outside 1..%ld of its band", u, n);
        /* unit u (1-based) is centred (u - 0.5) rows above its band's bottom */
        double want = top_band ? split + (u - 0.5) / NA * (1.0 - split) : (u - 0.5) / NB * split;
        cr_expect(fabs(pos - want) * in.area_h_px < 1.0, "unit %ld at %g, want %g", u, pos, want);
        /* bands drawn top to bottom, ticks listed band by band, increasing within a band */
        if (i > 0 && top_band == (prev > split))
            cr_expect(pos > prev);
        prev = pos;
        in_a += top_band;
        in_b += !top_band;
        found_a |= top_band && u == 100;
        found_b |= !top_band && u == 20;
    }
    cr_expect(in_a >= 2 && in_b >= 2, "%d numbers in exc, %d in inh", in_a, in_b);
    cr_expect(found_a && found_b, "unit 100 of exc and unit 20 of inh are round numbers");

    /* The spikes at those units are drawn on their ticks' rows. */
    test_img img;
    cr_assert(eq(int, read_png(path, &img), 0));
    int x = (int)floor(col_of(&in, 0.5));
    for (int i = 0; i < in.n_y_ticks; i++) {
        long u = strtol(in.y_tick_text[i], NULL, 10);
        int top_band = in.y_ticks[i] > split;
        if ((top_band && u == 100) || (!top_band && u == 20)) {
            int y = (int)floor(in.area_y_px + in.area_h_px * (1.0 - in.y_ticks[i]));
            cr_expect(is_palette_ink(pixel(&img, x, y), top_band ? 0 : 1), "no mark on unit %ld's tick", u);
        }
    }
    free_img(&img);
    unlink(path);
}

/* A band too thin for any number keeps its name but shows no number that would collide. */
Test(raster, numbers_of_neighbouring_bands_never_touch)
{
    ms_raster_pop p[3] = {{"big", 1000, 0, NULL, 0, NULL}, {"one", 1, 0, NULL, 0, NULL},
                          {"two", 2, 0, NULL, 0, NULL}};
    ms_raster_data d = {3, p, 0, 0.0, 1};
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    cr_assert(eq(int, plot(&d, "thin.png", path, sizeof path, &in, &err), MS_OK), "%s", err.msg);
    cr_expect(eq(int, in.n_labels, 3));
    /* tick font 15 px, line height 1.2: numbers at least 18 px apart */
    for (int i = 1; i < in.n_y_ticks; i++)
        cr_expect(fabs(in.y_ticks[i] - in.y_ticks[i - 1]) * in.area_h_px >= 18.0 - 1.0,
                  "'%s' and '%s' are %g px apart", in.y_tick_text[i - 1], in.y_tick_text[i],
                  fabs(in.y_ticks[i] - in.y_ticks[i - 1]) * in.area_h_px);
    unlink(path);
}

Test(raster, rate_strip_is_drawn_under_the_raster)
{
    double t[200];
    int32_t ids[200];
    for (int i = 0; i < 200; i++) {
        t[i] = i / 200.0;
        ids[i] = i % 5;
    }
    ms_raster_pop p = {"exc", 5, 200, t, 200, ids};
    ms_raster_data d = {1, &p, 1, 0.1, 0};
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    cr_assert(eq(int, plot(&d, "rate.png", path, sizeof path, &in, &err), MS_OK), "%s", err.msg);
    test_img img;
    cr_assert(eq(int, read_png(path, &img), 0));
    /* 200 spikes over 5 units in 1 s = 40 Hz: the strip is filled in colour 0 below the raster */
    int below = (int)(in.area_y_px + in.area_h_px) + 20, coloured = 0;
    int x = (int)col_of(&in, 0.55);
    for (int y = below; y < img.h; y++)
        coloured += is_palette_ink(pixel(&img, x, y), 0);
    cr_expect(coloured > 10, "only %d rate pixels under the raster", coloured);
    free_img(&img);
    unlink(path);
}

Test(raster, empty_data_says_no_spikes)
{
    ms_raster_pop p = {"exc", 10, 0, NULL, 0, NULL};
    ms_raster_data d = {1, &p, 1, 0.0, 1};
    ms_raster_data none = {0, NULL, 0, 0.0, 0};
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    for (int k = 0; k < 2; k++) {
        cr_assert(eq(int, plot(k ? &none : &d, "empty.png", path, sizeof path, &in, &err), MS_OK),
                  "%s", err.msg);
        test_img img;
        cr_assert(eq(int, read_png(path, &img), 0));
        int cx = (int)(in.area_x_px + in.area_w_px / 2), cy = (int)(in.area_y_px + in.area_h_px / 2);
        /* the message is written in the middle of the area, nothing else is in it */
        cr_expect(ink_in(&img, cx - 60, cy - 10, cx + 60, cy + 10) > 20);
        cr_expect(eq(int, ink_in(&img, (int)in.area_x_px, (int)in.area_y_px, cx - 100, cy - 20), 0));
        free_img(&img);
    }
    unlink(path);
}

/* An invalid raster: error code, message, and no file (also no temporary file). */
static void expect_refused(const ms_raster_data *d, const char *name, const char *msg_part)
{
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    cr_assert(eq(int, plot(d, name, path, sizeof path, &in, &err), MS_EINVAL));
    cr_expect(strstr(err.msg, msg_part) != NULL, "message '%s' lacks '%s'", err.msg, msg_part);
    cr_expect(strncmp(err.msg, "raster: ", 8) == 0, "%s", err.msg);
    cr_expect(eq(int, file_exists(path), 0));
}

Test(raster, bad_input_is_refused_with_a_clear_message)
{
    const double t[] = {0.1, 0.2, 0.3};
    const int32_t ids[] = {1, 2, 10};
    ms_raster_pop p = {"exc", 10, 3, t, 2, ids};
    ms_raster_data d = {1, &p, 0, 0.0, 0};
    expect_refused(&d, "bad1.png", "population 1 ('exc'): 3 spike times but 2 unit ids");
    p.n_ids = 3;
    expect_refused(&d, "bad2.png", "spike 3 has unit id 10, outside 0..9");
    const double tn[] = {0.1, NAN, 0.3};
    const int32_t ok[] = {1, 2, 3};
    p.t_s = tn;
    p.ids = ok;
    expect_refused(&d, "bad3.png", "spike 2 has time nan");
    p.t_s = t;
    d.rate = 1;
    d.rate_bin_s = -1e-3;
    expect_refused(&d, "bad4.png", "rate_bin_s");
}

Test(raster, a_million_spikes_plot_in_well_under_a_second)
{
    enum { N = 1000000, UNITS = 1000 };
    double *t = malloc(N * sizeof *t);
    int32_t *ids = malloc(N * sizeof *ids);
    cr_assert(t && ids);
    uint64_t x = 88172645463325252ull;  /* xorshift: no dependence on rand() */
    for (size_t i = 0; i < N; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        t[i] = (double)(x >> 11) / 9007199254740992.0 * 2.0;  /* [0, 2) s */
        ids[i] = (int32_t)(x % UNITS);
    }
    ms_raster_pop p = {"exc", UNITS, N, t, N, ids};
    ms_raster_data d = {1, &p, 1, 0.0, 0};
    ms_plot_opts o;
    ms_error err = {0};
    char path[512];
    test_opts(&o, test_path("million.png", path, sizeof path));
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    ms_status st = ms_plot_raster(&d, &o, &err);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double secs = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9;
    cr_assert(eq(int, st, MS_OK), "%s", err.msg);
#if defined(__SANITIZE_ADDRESS__)
    const double limit = 5.0;  /* instrumented build */
#else
    const double limit = 1.0;
#endif
    cr_expect(secs < limit, "10^6 spikes took %.3f s", secs);
    cr_log_info("10^6 spikes with rate strip: %.3f s\n", secs);
    test_img img;
    cr_assert(eq(int, read_png(path, &img), 0));
    cr_expect(eq(int, img.w, MS_PLOT_DEFAULT_WIDTH_PX));
    cr_expect(eq(int, img.h, MS_PLOT_DEFAULT_HEIGHT_PX));
    free_img(&img);
    free(t);
    free(ids);
    unlink(path);
}

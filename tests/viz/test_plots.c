/* tests/viz/test_plots.c: traces, power, iv and xy plots and the options they share: each
 * writes a PNG of the requested size with the provenance chunks, ink where the data are and
 * plain background elsewhere (sentinel pixels, not golden images); bad input gives a clear
 * error and leaves no file, and an existing file survives a failed plot. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "viz_test.h"

#define W 800
#define H 500

static double xpx(const ms_plot_info *in, double v)
{
    double f = in->log_x ? (log10(v) - log10(in->x_min)) / (log10(in->x_max) - log10(in->x_min))
                         : (v - in->x_min) / (in->x_max - in->x_min);
    return in->area_x_px + f * in->area_w_px;
}

static double ypx(const ms_plot_info *in, double v)
{
    double f = in->log_y ? (log10(v) - log10(in->y_min)) / (log10(in->y_max) - log10(in->y_min))
                         : (v - in->y_min) / (in->y_max - in->y_min);
    return in->area_y_px + in->area_h_px - f * in->area_h_px;
}

static void opts(ms_plot_opts *o, const char *name, char *path, size_t len, ms_plot_info *in)
{
    test_opts(o, test_path(name, path, len));
    o->width_px = W;
    o->height_px = H;
    o->info = in;
}

/* Some pixel of colour k within r px of (x, y): lines are anti-aliased, so look around. */
static int ink_near(const test_img *img, double x, double y, int r, size_t k)
{
    for (int dy = -r; dy <= r; dy++) {
        for (int dx = -r; dx <= r; dx++) {
            int px = (int)x + dx, py = (int)y + dy;
            if (px >= 0 && py >= 0 && px < img->w && py < img->h &&
                is_palette_ink(pixel(img, px, py), k))
                return 1;
        }
    }
    return 0;
}

static void expect_size(const char *path, int w, int h, test_img *img)
{
    cr_assert(eq(int, read_png(path, img), 0), "%s is not a readable PNG", path);
    cr_expect(eq(int, img->w, w));
    cr_expect(eq(int, img->h, h));
}

/* ==== traces ================================================================================ */

Test(traces, a_constant_trace_is_a_line_at_its_value)
{
    double t[101], v1[101], v2[101];
    for (int i = 0; i <= 100; i++) {
        t[i] = i * 1e-3;
        v1[i] = -0.065;
        v2[i] = -0.055;
    }
    ms_trace tr[2] = {{"unit 1", 101, v1}, {"unit 2", 101, v2}};
    ms_traces_data d = {101, t, 2, tr};
    ms_plot_opts o;
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    opts(&o, "traces.png", path, sizeof path, &in);
    o.y_min = -0.08;
    o.y_max = -0.04;
    o.yunit = "V";
    o.title = "membrane potential";
    cr_assert(eq(int, ms_plot_traces(&d, &o, &err), MS_OK), "%s", err.msg);
    cr_expect(eq(dbl, in.x_min, 0.0));
    cr_expect(eq(dbl, in.x_max, 0.1));
    test_img img;
    expect_size(path, W, H, &img);
    expect_provenance(path);
    char *title = png_text_of(path, "Title");
    cr_expect(title && strcmp(title, "membrane potential") == 0);
    free(title);
    for (double tt = 0.01; tt < 0.1; tt += 0.02) {
        cr_expect(ink_near(&img, xpx(&in, tt), ypx(&in, -0.065), 1, 0), "unit 1 missing at %g", tt);
        cr_expect(ink_near(&img, xpx(&in, tt), ypx(&in, -0.055), 1, 1), "unit 2 missing at %g", tt);
    }
    /* above unit 2 and below unit 1 the area is empty */
    int x0 = (int)in.area_x_px + 2, x1 = (int)(in.area_x_px + in.area_w_px) - 2;
    cr_expect(eq(int, ink_in(&img, x0, (int)in.area_y_px + 2, x1, (int)ypx(&in, -0.05)), 0));
    cr_expect(eq(int, ink_in(&img, x0, (int)ypx(&in, -0.07), x1, (int)(in.area_y_px + in.area_h_px) - 2), 0));
    free_img(&img);
    unlink(path);
}

Test(traces, dense_traces_are_decimated_but_keep_their_peaks)
{
    enum { N = 200000 };
    double *t = malloc(N * sizeof *t), *v = malloc(N * sizeof *v);
    for (int i = 0; i < N; i++) {
        t[i] = i * 1e-6;
        v[i] = i == N / 2 ? 1.0 : 0.0;  /* one single-sample spike in the middle */
    }
    ms_trace tr = {NULL, N, v};
    ms_traces_data d = {N, t, 1, &tr};
    ms_plot_opts o;
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    opts(&o, "dense.png", path, sizeof path, &in);
    cr_assert(eq(int, ms_plot_traces(&d, &o, &err), MS_OK), "%s", err.msg);
    test_img img;
    expect_size(path, W, H, &img);
    cr_expect(ink_near(&img, xpx(&in, t[N / 2]), ypx(&in, 0.9), 2, 0), "the peak was lost");
    free_img(&img);
    free(t);
    free(v);
    unlink(path);
}

Test(traces, bad_input_is_refused_and_no_file_written)
{
    double t[3] = {0.0, 1e-3, 2e-3}, v[3] = {0, 1, 2}, back[3] = {0.0, 2e-3, 1e-3};
    ms_trace tr = {"v", 2, v};
    ms_traces_data d = {3, t, 1, &tr};
    ms_plot_opts o;
    ms_error err = {0};
    char path[512];
    opts(&o, "bad_traces.png", path, sizeof path, NULL);
    cr_expect(eq(int, ms_plot_traces(&d, &o, &err), MS_EINVAL));
    cr_expect(eq(str, err.msg, "traces: trace 1 ('v') has 2 values but there are 3 times"));
    tr.n = 3;
    d.t_s = back;
    cr_expect(eq(int, ms_plot_traces(&d, &o, &err), MS_EINVAL));
    cr_expect(strstr(err.msg, "times must not decrease") != NULL, "%s", err.msg);
    cr_expect(eq(int, file_exists(path), 0));
}

Test(traces, no_samples_gives_a_plot_that_says_so)
{
    ms_trace tr = {"v", 0, NULL};
    ms_traces_data d = {0, NULL, 1, &tr};
    ms_plot_opts o;
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    opts(&o, "no_samples.png", path, sizeof path, &in);
    cr_assert(eq(int, ms_plot_traces(&d, &o, &err), MS_OK), "%s", err.msg);
    test_img img;
    expect_size(path, W, H, &img);
    int cx = (int)(in.area_x_px + in.area_w_px / 2), cy = (int)(in.area_y_px + in.area_h_px / 2);
    cr_expect(ink_in(&img, cx - 60, cy - 10, cx + 60, cy + 10) > 20);
    free_img(&img);
    unlink(path);
}

/* ==== power ================================================================================= */

static const char *classes[] = {"synapse", "dendrite", "soma"};

Test(power, stacked_bars_show_each_class_in_its_colour)
{
    const double with[] = {1e-9, 0.5e-9, 0.5e-9};   /* 2 nJ */
    const double without[] = {3e-9, 0.0, 1e-9};     /* 4 nJ */
    ms_energy_tally t[2] = {{"with dendrites", 3, classes, with, 0, NULL, 0, NULL},
                            {"without", 3, classes, without, 0, NULL, 0, NULL}};
    ms_power_data d = {2, t};
    ms_plot_opts o;
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    opts(&o, "bars.png", path, sizeof path, &in);
    cr_assert(eq(int, ms_plot_power(&d, &o, &err), MS_OK), "%s", err.msg);
    cr_expect(eq(dbl, in.y_min, 0.0));
    cr_expect(in.y_max >= 4e-9);
    test_img img;
    expect_size(path, W, H, &img);
    expect_provenance(path);
    double x0 = xpx(&in, 0.0), x1 = xpx(&in, 1.0);
    cr_expect(is_palette_ink(pixel(&img, (int)x0, (int)ypx(&in, 0.5e-9)), 0));  /* synapse */
    cr_expect(is_palette_ink(pixel(&img, (int)x0, (int)ypx(&in, 1.25e-9)), 1)); /* dendrite */
    cr_expect(is_palette_ink(pixel(&img, (int)x0, (int)ypx(&in, 1.75e-9)), 2)); /* soma */
    cr_expect(is_palette_ink(pixel(&img, (int)x1, (int)ypx(&in, 2.5e-9)), 0));
    cr_expect(is_palette_ink(pixel(&img, (int)x1, (int)ypx(&in, 3.5e-9)), 2));
    /* between the bars, and well above the tallest one's labels: background */
    int mid = (int)((x0 + x1) / 2);
    cr_expect(eq(int, ink_in(&img, mid - 5, (int)in.area_y_px + 2, mid + 5,
                             (int)(in.area_y_px + in.area_h_px) - 2), 0));
    /* the first bar ends at its total: just above 2 nJ (minus the label room) is empty */
    cr_expect(is_white(pixel(&img, (int)x0, (int)ypx(&in, 2e-9) - 40)));
    free_img(&img);
    unlink(path);
}

Test(power, binned_energy_adds_a_power_panel)
{
    const double e[] = {1e-9, 1e-9, 0.0};
    const double edges[] = {0.0, 0.01, 0.02, 0.03, 0.04};
    const double bins[] = {1e-11, 2e-11, 3e-11, 4e-11};
    ms_energy_tally t = {"run", 3, classes, e, 5, edges, 4, bins};
    ms_power_data d = {1, &t};
    ms_plot_opts o;
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    opts(&o, "binned.png", path, sizeof path, &in);
    o.log_y = 1;
    cr_assert(eq(int, ms_plot_power(&d, &o, &err), MS_OK), "%s", err.msg);
    test_img img;
    expect_size(path, W, H, &img);
    /* the power line (colour after the 3 classes) is drawn below the bar panel */
    int found = 0;
    for (int y = (int)(in.area_y_px + in.area_h_px) + 40; y < img.h && !found; y++) {
        for (int x = 0; x < img.w && !found; x++)
            found = is_palette_ink(pixel(&img, x, y), 3);
    }
    cr_expect(found, "no power-vs-time line");
    free_img(&img);
    unlink(path);
}

Test(power, bad_tallies_are_refused)
{
    const double neg[] = {1e-9, -1e-12, 0.0};
    const double ok[] = {1e-9, 1e-12, 0.0};
    const double edges[] = {0.0, 0.01, 0.02};
    const double bins[] = {1e-11, 2e-11, 3e-11};
    ms_energy_tally t = {"run", 3, classes, neg, 0, NULL, 0, NULL};
    ms_power_data d = {1, &t};
    ms_plot_opts o;
    ms_error err = {0};
    char path[512];
    opts(&o, "bad_power.png", path, sizeof path, NULL);
    cr_expect(eq(int, ms_plot_power(&d, &o, &err), MS_EINVAL));
    cr_expect(strstr(err.msg, "class 'dendrite' has energy -1e-12 J") != NULL, "%s", err.msg);
    t.class_J = ok;
    t.n_edges = 3;
    t.edges_s = edges;
    t.n_bins = 3;
    t.bin_J = bins;
    cr_expect(eq(int, ms_plot_power(&d, &o, &err), MS_EINVAL));
    cr_expect(strstr(err.msg, "3 bin edges for 3 bins") != NULL, "%s", err.msg);
    t.n_edges = 0;
    t.n_bins = 0;
    o.log_y = 1;
    o.y_min = 0.0;
    cr_expect(eq(int, ms_plot_power(&d, &o, &err), MS_EINVAL));
    cr_expect(strstr(err.msg, "log_y needs y_min > 0") != NULL, "%s", err.msg);
    cr_expect(eq(int, file_exists(path), 0));
}

/* ==== iv ==================================================================================== */

Test(iv, loop_is_drawn_with_direction_arrows)
{
    enum { N = 401 };
    double v[N], i[N];
    for (int k = 0; k < N; k++) {
        double ph = 2 * 3.14159265358979 * k / (N - 1);
        v[k] = sin(ph);
        i[k] = (k < N / 2 ? 1e-4 : 2e-5) * v[k];  /* high branch, then low branch */
    }
    ms_iv_curve c = {"device", N, v, N, i};
    ms_iv_data d = {1, &c, 0};
    ms_plot_opts o;
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    opts(&o, "iv.png", path, sizeof path, &in);
    o.width_px = 640;
    o.height_px = 480;
    cr_assert(eq(int, ms_plot_iv(&d, &o, &err), MS_OK), "%s", err.msg);
    test_img img;
    expect_size(path, 640, 480, &img);
    expect_provenance(path);
    cr_expect(ink_near(&img, xpx(&in, 0.5), ypx(&in, 0.5e-4), 2, 0), "high branch missing");
    cr_expect(ink_near(&img, xpx(&in, -0.5), ypx(&in, -0.1e-4), 2, 0), "low branch missing");
    /* the top-left corner of the data (negative V, large positive I) is empty */
    cr_expect(eq(int, ink_in(&img, (int)in.area_x_px + 2, (int)in.area_y_px + 2,
                             (int)xpx(&in, -0.6), (int)ypx(&in, 0.3e-4)), 0));
    /* arrows make the curve thicker than a plain line somewhere: count colour-0 pixels in
     * the bottom-left quadrant with arrows and without */
    int with_arrows = 0, without_arrows = 0;
    int qx0 = (int)xpx(&in, -1.0), qx1 = (int)xpx(&in, 0.0), qy0 = (int)ypx(&in, 0.0);
    int qy1 = (int)(in.area_y_px + in.area_h_px);
    for (int y = qy0; y < qy1; y++)
        for (int x = qx0; x < qx1; x++)
            with_arrows += is_palette_ink(pixel(&img, x, y), 0);
    free_img(&img);
    d.arrows = -1;
    cr_assert(eq(int, ms_plot_iv(&d, &o, &err), MS_OK), "%s", err.msg);
    cr_assert(eq(int, read_png(path, &img), 0));
    for (int y = qy0; y < qy1; y++)
        for (int x = qx0; x < qx1; x++)
            without_arrows += is_palette_ink(pixel(&img, x, y), 0);
    cr_expect(with_arrows > without_arrows + 30, "arrows add %d pixels",
              with_arrows - without_arrows);
    free_img(&img);
    unlink(path);
}

Test(iv, log_current_tolerates_zero_current)
{
    double v[5] = {-1, -0.5, 0, 0.5, 1}, i[5] = {-1e-6, -1e-9, 0.0, 1e-9, 1e-6};
    ms_iv_curve c = {NULL, 5, v, 5, i};
    ms_iv_data d = {1, &c, 0};
    ms_plot_opts o;
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    opts(&o, "iv_log.png", path, sizeof path, &in);
    o.log_y = 1;
    cr_assert(eq(int, ms_plot_iv(&d, &o, &err), MS_OK), "%s", err.msg);
    cr_expect(eq(int, in.log_y, 1));
    cr_expect(in.y_min > 0.0 && in.y_min <= 1e-9 && in.y_max >= 1e-6);
    test_img img;
    expect_size(path, W, H, &img);
    cr_expect(ink_near(&img, xpx(&in, 1.0), ypx(&in, 1e-6), 2, 0));
    free_img(&img);
    unlink(path);
}

Test(iv, mismatched_arrays_are_refused)
{
    double v[3] = {0, 1, 2}, i[2] = {0, 1};
    ms_iv_curve c = {"dev", 3, v, 2, i};
    ms_iv_data d = {1, &c, 0};
    ms_plot_opts o;
    ms_error err = {0};
    char path[512];
    opts(&o, "bad_iv.png", path, sizeof path, NULL);
    cr_expect(eq(int, ms_plot_iv(&d, &o, &err), MS_EINVAL));
    cr_expect(eq(str, err.msg, "iv: curve 1 ('dev'): 3 voltages but 2 currents"));
    cr_expect(eq(int, file_exists(path), 0));
}

/* ==== xy ==================================================================================== */

Test(xy, series_are_drawn_where_their_points_are)
{
    double x[11], y[11], y2[11];
    for (int k = 0; k <= 10; k++) {
        x[k] = k;
        y[k] = k;
        y2[k] = 10 - k;
    }
    ms_xy_series s[2] = {{"rising", 11, x, 11, y, MS_XY_LINES},
                         {"falling", 11, x, 11, y2, MS_XY_POINTS}};
    ms_xy_data d = {2, s};
    ms_plot_opts o;
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    opts(&o, "xy.png", path, sizeof path, &in);
    o.x_min = 0;
    o.x_max = 10;
    o.y_min = 0;
    o.y_max = 10;
    o.xlabel = "nonlinearity";
    o.ylabel = "advantage";
    cr_assert(eq(int, ms_plot_xy(&d, &o, &err), MS_OK), "%s", err.msg);
    test_img img;
    expect_size(path, W, H, &img);
    expect_provenance(path);
    cr_expect(ink_near(&img, xpx(&in, 2.5), ypx(&in, 2.5), 1, 0), "line missing");
    cr_expect(ink_near(&img, xpx(&in, 3.0), ypx(&in, 7.0), 1, 1), "marker missing");
    cr_expect(ink_near(&img, xpx(&in, 3.5), ypx(&in, 6.5), 1, 1) == 0, "points were joined");
    /* for x in 6.5..9.5 the series are above 6.5 and below 3.5: y in 4..6 is empty */
    cr_expect(eq(int, ink_in(&img, (int)xpx(&in, 6.5), (int)ypx(&in, 6.0), (int)xpx(&in, 9.5),
                             (int)ypx(&in, 4.0)), 0), "ink far from both series");
    free_img(&img);
    unlink(path);
}

Test(xy, log_log_axes_map_powers_to_straight_lines)
{
    double x[3] = {1.0, 10.0, 100.0}, y[3] = {1e-12, 1e-10, 1e-8};
    ms_xy_series s = {NULL, 3, x, 3, y, MS_XY_LINES};
    ms_xy_data d = {1, &s};
    ms_plot_opts o;
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    opts(&o, "xy_log.png", path, sizeof path, &in);
    o.log_x = o.log_y = 1;
    o.xunit = "Hz";
    o.yunit = "W";
    cr_assert(eq(int, ms_plot_xy(&d, &o, &err), MS_OK), "%s", err.msg);
    test_img img;
    expect_size(path, W, H, &img);
    /* y = 1e-12 x^2: at x = sqrt(10) the line is at 1e-11, halfway in log space */
    cr_expect(ink_near(&img, xpx(&in, sqrt(10.0)), ypx(&in, 1e-11), 1, 0));
    free_img(&img);
    unlink(path);
}

Test(xy, mismatched_and_nonpositive_log_input_is_refused)
{
    double x[3] = {1, 2, 3}, y[2] = {1, 2};
    ms_xy_series s = {"s", 3, x, 2, y, MS_XY_LINES};
    ms_xy_data d = {1, &s};
    ms_plot_opts o;
    ms_error err = {0};
    char path[512];
    opts(&o, "bad_xy.png", path, sizeof path, NULL);
    cr_expect(eq(int, ms_plot_xy(&d, &o, &err), MS_EINVAL));
    cr_expect(eq(str, err.msg, "xy: series 1 ('s'): 3 x values but 2 y values"));
    s.n_x = 2;
    o.log_x = 1;
    o.x_min = -1;
    cr_expect(eq(int, ms_plot_xy(&d, &o, &err), MS_EINVAL));
    cr_expect(eq(str, err.msg, "xy: log_x needs x_min > 0, not -1"));
    cr_expect(eq(int, file_exists(path), 0));
}

/* ==== common options ======================================================================== */

static double xs[2] = {0, 1}, ys[2] = {0, 1};
static ms_xy_series one = {"s", 2, xs, 2, ys, MS_XY_LINES};

static void expect_option_error(void (*set)(ms_plot_opts *), const char *msg)
{
    ms_xy_data d = {1, &one};
    ms_plot_opts o;
    ms_error err = {0};
    char path[512];
    opts(&o, "bad_opts.png", path, sizeof path, NULL);
    set(&o);
    cr_expect(eq(int, ms_plot_xy(&d, &o, &err), MS_EINVAL), "accepted: %s", msg);
    cr_expect(eq(str, err.msg, (char *)msg));
    cr_expect(eq(int, file_exists(path), 0));
}

static void negative_width(ms_plot_opts *o) { o->width_px = -5; }
static void tiny_width(ms_plot_opts *o) { o->width_px = 10; }
static void tiny_for_scale(ms_plot_opts *o) { o->width_px = 400; o->dpi_scale = 2; }
static void huge_height(ms_plot_opts *o) { o->height_px = 100000; }
static void bad_scale(ms_plot_opts *o) { o->dpi_scale = -1; }
static void nan_scale(ms_plot_opts *o) { o->dpi_scale = NAN; }
static void empty_window(ms_plot_opts *o) { o->t0_s = 1.0; o->t1_s = 0.0; }
static void infinite_end(ms_plot_opts *o) { o->y_max = INFINITY; }
static void no_file(ms_plot_opts *o) { o->file = ""; }

Test(options, bad_common_options_are_refused)
{
    expect_option_error(negative_width, "xy: width -5 px must be positive (0 = default 1200)");
    expect_option_error(tiny_width, "xy: width 10 px is too small for dpi_scale 1 (at least 240 px)");
    expect_option_error(tiny_for_scale, "xy: width 400 px is too small for dpi_scale 2 (at least 480 px)");
    expect_option_error(huge_height, "xy: height 100000 px is too large (at most 16384)");
    expect_option_error(bad_scale, "xy: dpi_scale -1 out of range: 0 < dpi_scale <= 8 (1 = 96 dpi)");
    expect_option_error(nan_scale, "xy: dpi_scale nan out of range: 0 < dpi_scale <= 8 (1 = 96 dpi)");
    expect_option_error(empty_window, "xy: t1 (0) must be greater than t0 (1)");
    expect_option_error(infinite_end, "xy: y_max must be finite or NaN (automatic)");
    expect_option_error(no_file, "xy: no output file given (option 'file')");
}

Test(options, zero_size_means_default_and_scale_keeps_pixels)
{
    ms_xy_data d = {1, &one};
    ms_plot_opts o;
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    opts(&o, "default_size.png", path, sizeof path, &in);
    o.width_px = o.height_px = 0;
    cr_assert(eq(int, ms_plot_xy(&d, &o, &err), MS_OK), "%s", err.msg);
    test_img img;
    expect_size(path, 1200, 800, &img);
    free_img(&img);
    double w1 = in.area_w_px;
    o.dpi_scale = 2.0;  /* same pixels, bigger text: a smaller data area */
    cr_assert(eq(int, ms_plot_xy(&d, &o, &err), MS_OK), "%s", err.msg);
    expect_size(path, 1200, 800, &img);
    cr_expect(in.area_w_px < w1 - 50, "area %g px at scale 2, %g px at scale 1", in.area_w_px, w1);
    free_img(&img);
    unlink(path);
}

Test(options, unwritable_path_is_an_io_error_and_leaves_nothing)
{
    ms_xy_data d = {1, &one};
    ms_plot_opts o;
    ms_error err = {0};
    char path[512];
    opts(&o, "missing-dir/plot.png", path, sizeof path, NULL);
    cr_expect(eq(int, ms_plot_xy(&d, &o, &err), MS_EIO));
    cr_expect(strstr(err.msg, "xy: cannot create a file next to") == err.msg, "%s", err.msg);
    cr_expect(strstr(err.msg, "missing-dir/plot.png") != NULL, "%s", err.msg);
    cr_expect(eq(int, file_exists(path), 0));
}

Test(options, a_failed_plot_leaves_an_existing_file_alone)
{
    ms_xy_series bad = {"s", 2, xs, 1, ys, MS_XY_LINES};
    ms_xy_data d = {1, &bad};
    ms_plot_opts o;
    ms_error err = {0};
    char path[512], buf[16] = "";
    opts(&o, "keep.png", path, sizeof path, NULL);
    FILE *fp = fopen(path, "w");
    cr_assert(fp != NULL);
    fputs("old", fp);
    fclose(fp);
    cr_expect(eq(int, ms_plot_xy(&d, &o, &err), MS_EINVAL));
    fp = fopen(path, "r");
    cr_assert(fp != NULL);
    cr_expect(fgets(buf, sizeof buf, fp) != NULL);
    fclose(fp);
    cr_expect(eq(str, buf, "old"));
    /* a good plot replaces it */
    bad.n_y = 2;
    cr_expect(eq(int, ms_plot_xy(&d, &o, &err), MS_OK), "%s", err.msg);
    test_img img;
    expect_size(path, W, H, &img);
    free_img(&img);
    unlink(path);
}

Test(options, default_provenance_has_version_and_a_utc_date)
{
    ms_xy_data d = {1, &one};
    ms_plot_opts o;
    ms_error err = {0};
    char path[512];
    ms_plot_opts_init(&o);
    o.file = test_path("default_prov.png", path, sizeof path);
    o.width_px = 320;
    o.height_px = 240;
    cr_assert(eq(int, ms_plot_xy(&d, &o, &err), MS_OK), "%s", err.msg);
    char *date = png_text_of(path, "Creation Time");
    char *seed = png_text_of(path, "memsnn-seed");
    char *version = png_text_of(path, "memsnn-version");
    cr_assert(date && seed && version);
    cr_expect(eq(sz, strlen(date), 20), "date '%s'", date);
    cr_expect(date[4] == '-' && date[10] == 'T' && date[19] == 'Z', "date '%s'", date);
    cr_expect(eq(str, seed, "unknown"));
    cr_expect(strlen(version) > 0);
    free(date);
    free(seed);
    free(version);
    unlink(path);
}

/* ==== integer axes and legend names ========================================================= */

/* Every tick text of an axis is a whole number (no "2.5", no "0.5"). */
static int all_whole_texts(int n, char (*text)[MS_PLOT_INFO_TEXT], const double *pos)
{
    for (int i = 0; i < n; i++) {
        char *end;
        strtol(text[i], &end, 10);
        if (end == text[i] || end[0] != '\0' || pos[i] != round(pos[i]))
            return 0;
    }
    return n > 0;
}

/* Spike counts 0..3 against unit indices 0..4: both axes tick at whole numbers only; the
 * same plot with one fractional value on y goes back to round fractional steps. */
Test(xy, whole_number_data_get_whole_ticks)
{
    const double x[] = {0, 1, 2, 3, 4}, y[] = {0, 3, 1, 2, 3};
    ms_xy_series s = {"counts", 5, x, 5, y, MS_XY_LINES_POINTS};
    ms_xy_data d = {1, &s};
    ms_plot_opts o;
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    opts(&o, "xy-int.png", path, sizeof path, &in);
    cr_assert(eq(int, ms_plot_xy(&d, &o, &err), MS_OK), "%s", err.msg);
    cr_expect(all_whole_texts(in.n_x_ticks, in.x_tick_text, in.x_ticks));
    cr_expect(all_whole_texts(in.n_y_ticks, in.y_tick_text, in.y_ticks));
    cr_expect(eq(int, in.n_y_ticks, 4), "counts 0..3: ticks 0, 1, 2, 3, got %d", in.n_y_ticks);
    cr_expect(eq(str, in.y_tick_text[in.n_y_ticks - 1], "3"));
    cr_assert(eq(int, in.n_labels, 1));
    cr_expect(eq(str, in.labels[0], "counts"));

    const double yf[] = {0, 3, 1, 2, 2.5};  /* not all whole: half steps are right again */
    s.y = yf;
    cr_assert(eq(int, ms_plot_xy(&d, &o, &err), MS_OK), "%s", err.msg);
    cr_expect(all_whole_texts(in.n_x_ticks, in.x_tick_text, in.x_ticks));
    cr_expect(0 == all_whole_texts(in.n_y_ticks, in.y_tick_text, in.y_ticks),
              "fractional data keep fractional ticks ('%s')", in.y_tick_text[1]);
    unlink(path);
}

/* Whole numbers with a unit prefix still print their decimals: 0..2500 Hz in kHz. */
Test(xy, whole_data_with_a_prefix_keep_their_decimals)
{
    const double x[] = {0, 1, 2}, y[] = {0, 1500, 2500};
    ms_xy_series s = {NULL, 3, x, 3, y, MS_XY_LINES};
    ms_xy_data d = {1, &s};
    ms_plot_opts o;
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    opts(&o, "xy-khz.png", path, sizeof path, &in);
    o.yunit = "Hz";
    cr_assert(eq(int, ms_plot_xy(&d, &o, &err), MS_OK), "%s", err.msg);
    cr_expect(strstr(in.y_title, "kHz") != NULL, "title '%s'", in.y_title);
    for (int i = 0; i < in.n_y_ticks; i++) {
        char want[32];
        snprintf(want, sizeof want, "%.1f", in.y_ticks[i] / 1000.0);
        cr_expect(eq(str, in.y_tick_text[i], want));
    }
    cr_expect(eq(int, in.n_labels, 0), "an unnamed series has no legend entry");
    unlink(path);
}

/* A trace of counts ticks at whole numbers; a hand-made trace's label is its legend entry. */
Test(traces, whole_values_and_named_traces)
{
    const double t[] = {0, 0.1, 0.2, 0.3};
    const double n[] = {0, 1, 1, 2}, v[] = {0.5, 0.7, 1.1, 1.3};
    ms_trace tr[2] = {{"spike count", 4, n}, {"drive", 4, v}};
    ms_traces_data d = {4, t, 1, tr};
    ms_plot_opts o;
    ms_plot_info in;
    ms_error err = {0};
    char path[512];
    opts(&o, "tr-int.png", path, sizeof path, &in);
    cr_assert(eq(int, ms_plot_traces(&d, &o, &err), MS_OK), "%s", err.msg);
    cr_expect(all_whole_texts(in.n_y_ticks, in.y_tick_text, in.y_ticks));
    cr_assert(eq(int, in.n_labels, 1));
    cr_expect(eq(str, in.labels[0], "spike count"));
    d.n_traces = 2;
    cr_assert(eq(int, ms_plot_traces(&d, &o, &err), MS_OK), "%s", err.msg);
    cr_expect(0 == all_whole_texts(in.n_y_ticks, in.y_tick_text, in.y_ticks));
    cr_assert(eq(int, in.n_labels, 2));
    cr_expect(eq(str, in.labels[1], "drive"));
    unlink(path);
}

/* The heat map (viz/heatmap.c): each cell is drawn in the colour of its value at the place the
 * plot reports for it, NaN cells stay white, the colour bar spans the range, and bad grids are
 * refused without a file. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/viz/viz_test.h"

TestSuite(heatmap, .timeout = 30);

/* The pixel at the centre of cell (r, c) of a grid over [x0, x1] x [y0, y1]. */
static const unsigned char *cell(const test_img *img, const ms_plot_info *in, const ms_heatmap_data *d, size_t r, size_t c)
{
    double fx = (c + 0.5) / (double)d->n_cols, fy = (r + 0.5) / (double)d->n_rows;
    int x = (int)(in->area_x_px + fx * in->area_w_px), y = (int)(in->area_y_px + fy * in->area_h_px);
    return pixel(img, x, y);
}

static int near(const unsigned char *p, const double rgb[3])
{
    for (int k = 0; k < 3; k++)
        if (fabs(p[k] - 255.0 * rgb[k]) > 2.5) return 0;
    return 1;
}

Test(heatmap, cells_take_the_colour_of_their_values)
{
    char path[512];
    test_path("heatmap.png", path, sizeof path);
    double v[6] = { 0.0, 0.5, 1.0, NAN, 0.25, 0.75 };
    ms_heatmap_data d = { .n_rows = 2, .n_cols = 3, .values = v, .x0 = 0, .x1 = 3, .y0 = 0, .y1 = 2,
                          .v_min = NAN, .v_max = NAN, .v_label = "value" };
    for (int grey = 0; grey <= 1; grey++) {
        d.grey = grey;
        ms_plot_opts o;
        test_opts(&o, path);
        ms_plot_info info;
        o.info = &info;
        ms_error e;
        cr_assert_eq(ms_plot_heatmap(&d, &o, &e), MS_OK, "%s", e.msg);
        test_img img;
        cr_assert_eq(read_png(path, &img), 0);
        for (size_t r = 0; r < 2; r++)
            for (size_t c = 0; c < 3; c++) {
                double val = v[r * 3 + c], rgb[3];
                const unsigned char *p = cell(&img, &info, &d, r, c);
                if (isnan(val)) {
                    cr_assert(is_white(p), "the NaN cell is not blank: %d %d %d", p[0], p[1], p[2]);
                    continue;
                }
                ms_heatmap_colour(val, grey, rgb);
                cr_assert(near(p, rgb), "cell (%zu, %zu) = %g: pixel %d %d %d, expected %.0f %.0f %.0f", r, c, val, p[0],
                          p[1], p[2], 255 * rgb[0], 255 * rgb[1], 255 * rgb[2]);
            }
        free_img(&img);
        expect_provenance(path);
    }
}

/* A 2 x 3 grid on its default edges (cell numbers 0..3, 0..2): whole ticks only; the same
 * grid over 0..1 V gets fractional ticks. */
Test(heatmap, cell_number_axes_tick_at_whole_numbers)
{
    char path[512];
    test_path("heatmap-int.png", path, sizeof path);
    double v[6] = { 0.0, 0.5, 1.0, 0.1, 0.25, 0.75 };
    ms_heatmap_data d = { .n_rows = 2, .n_cols = 3, .values = v, .x0 = 0, .x1 = 3, .y0 = 0, .y1 = 2,
                          .v_min = NAN, .v_max = NAN };
    ms_plot_opts o;
    test_opts(&o, path);
    ms_plot_info info;
    o.info = &info;
    ms_error e;
    cr_assert_eq(ms_plot_heatmap(&d, &o, &e), MS_OK, "%s", e.msg);
    cr_expect_eq(info.n_x_ticks, 4, "x ticks 0, 1, 2, 3: got %d", info.n_x_ticks);
    cr_expect_eq(info.n_y_ticks, 3, "y ticks 0, 1, 2: got %d", info.n_y_ticks);
    for (int i = 0; i < info.n_x_ticks; i++) {
        char want[16];
        snprintf(want, sizeof want, "%d", i);
        cr_expect_str_eq(info.x_tick_text[i], want);
    }
    for (int i = 0; i < info.n_y_ticks; i++)
        cr_expect_eq(info.y_ticks[i], round(info.y_ticks[i]), "y tick %g", info.y_ticks[i]);
    d.x1 = 1.0;
    cr_assert_eq(ms_plot_heatmap(&d, &o, &e), MS_OK, "%s", e.msg);
    cr_expect(info.n_x_ticks > 2 && info.x_ticks[1] != round(info.x_ticks[1]), "0..1 keeps fractional ticks");
    unlink(path);
}

Test(heatmap, colour_ends)
{
    double a[3], b[3];
    ms_heatmap_colour(0, 1, a);
    ms_heatmap_colour(1, 1, b);
    cr_assert(a[0] == 1 && b[0] == 0, "grey: white at the bottom, black at the top");
    ms_heatmap_colour(-3, 0, a);
    ms_heatmap_colour(0, 0, b);
    cr_assert(a[0] == b[0] && a[2] == b[2], "values below the range clip to its bottom");
    ms_heatmap_colour(1, 0, a);
    cr_assert(a[0] > 0.9 && a[1] > 0.85 && a[2] < 0.2, "viridis ends in yellow");
}

Test(heatmap, bad_grids_are_refused_and_no_file_written)
{
    char path[512];
    test_path("heatmap_bad.png", path, sizeof path);
    remove(path);
    double v[2] = { 1, INFINITY };
    ms_plot_opts o;
    test_opts(&o, path);
    ms_error e;
    ms_heatmap_data d = { .n_rows = 1, .n_cols = 2, .values = v, .x0 = 0, .x1 = 1, .y0 = 0, .y1 = 1,
                          .v_min = NAN, .v_max = NAN };
    cr_assert_eq(ms_plot_heatmap(&d, &o, &e), MS_EINVAL);
    cr_assert(strstr(e.msg, "is infinite") != NULL, "%s", e.msg);
    d.n_cols = 0;
    cr_assert_eq(ms_plot_heatmap(&d, &o, &e), MS_EINVAL);
    cr_assert(strstr(e.msg, "at least one row") != NULL, "%s", e.msg);
    d.n_cols = 1, d.x1 = 0;
    cr_assert_eq(ms_plot_heatmap(&d, &o, &e), MS_EINVAL);
    cr_assert(strstr(e.msg, "increasing") != NULL, "%s", e.msg);
    int left = file_exists(path);
    cr_assert_eq(left, 0, "a refused plot left a file");
}

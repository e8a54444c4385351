/* viz/ms_plot.h: recorded data in, publication-ready PNG out.
 *
 * Every plot is one call that takes plain C arrays (no engine, no recorder types), an option
 * struct shared by all plots, and an error buffer:
 *
 *     ms_plot_opts o;
 *     ms_plot_opts_init(&o);              // NaN ranges = auto, 1200 x 800, scale 1
 *     o.file = "raster.png";
 *     ms_status st = ms_plot_raster(&data, &o, &err);   // err.msg says what was wrong
 *
 * Units are SI everywhere (s, V, A, J, W); the axes pick SI prefixes (ms, mV, pJ) by themselves.
 * Unit indices are 0-based in C; ms_raster_data.first_index says how the axis numbers them.
 * The PNG is written atomically (temporary file in the same folder, then rename) and carries its
 * provenance in text chunks. On any error no file is created and an existing file is untouched.
 * The functions keep no state between calls and may run on several threads at once.
 * Details, defaults and the Lua names of every option: docs/plotting.md. */
#ifndef MEMSNN_VIZ_MS_PLOT_H
#define MEMSNN_VIZ_MS_PLOT_H

#include <stddef.h>
#include <stdint.h>

#include "core/ms_status.h"

/* ==== Sizes ============================================================================== */
#define MS_PLOT_DEFAULT_WIDTH_PX  1200
#define MS_PLOT_DEFAULT_HEIGHT_PX 800
#define MS_PLOT_MIN_WIDTH_PX      240    /* at dpi_scale 1; the minimum grows with dpi_scale  */
#define MS_PLOT_MIN_HEIGHT_PX     180    /* at dpi_scale 1                                     */
#define MS_PLOT_MAX_SIDE_PX       16384  /* either side                                        */
#define MS_PLOT_MAX_DPI_SCALE     8.0    /* 1 = text and lines sized for 96 dpi                */
#define MS_PLOT_PALETTE_SIZE      8      /* Okabe-Ito colours, then the cycle repeats          */

/* ==== Common options ===================================================================== */

/* Where the data landed in the last successful plot: the pixel rectangle of the main data
 * area (origin at the top-left corner of the image, y downwards) and the data values at its
 * edges. Lets callers (and tests) place annotations or find a data point in the image.
 * Main area: the raster (not its rate strip), the bars of a power plot (its time panel when
 * there are no bars). The y values of a raster are unit numbers for one population (unit u
 * centred at y = u) and 0 (bottom) .. 1 (top) of the band stack for several. */
#define MS_PLOT_INFO_TICKS  32     /* ticks reported per axis (all an axis draws)         */
#define MS_PLOT_INFO_TEXT   64     /* bytes of one tick number or label, with its NUL     */
#define MS_PLOT_INFO_TITLE  256
#define MS_PLOT_INFO_LABELS 64     /* legend entries / population names reported          */
typedef struct ms_plot_info {
    int width_px, height_px;              /* size of the image written                        */
    double area_x_px, area_y_px;          /* top-left corner of the main data area (px)       */
    double area_w_px, area_h_px;          /* its width and height (px)                        */
    double x_min, x_max;                  /* data x at the left / right edge (x unit; s)      */
    double y_min, y_max;                  /* data y at the bottom / top edge (y unit)         */
    int log_x, log_y;                     /* 1 when that mapping is logarithmic               */
    /* What the reader sees on the main axes, as drawn: tick positions (data values; for a
     * raster of several populations the 0..1 band-stack coordinate) and their numbers or
     * names, and the axis titles. */
    int n_x_ticks, n_y_ticks;
    double x_ticks[MS_PLOT_INFO_TICKS], y_ticks[MS_PLOT_INFO_TICKS];
    char x_tick_text[MS_PLOT_INFO_TICKS][MS_PLOT_INFO_TEXT];
    char y_tick_text[MS_PLOT_INFO_TICKS][MS_PLOT_INFO_TEXT];
    char x_title[MS_PLOT_INFO_TITLE], y_title[MS_PLOT_INFO_TITLE];
    /* Names written beside the data, top to bottom: the legend entries (traces, xy, iv,
     * power), or a raster's population names at the right of their bands. */
    int n_labels;
    char labels[MS_PLOT_INFO_LABELS][MS_PLOT_INFO_TEXT];
} ms_plot_info;

/* Options shared by every plot. Call ms_plot_opts_init() first: it sets every range to NaN
 * (= automatic), which a zero-filled struct would not. Fields a plot does not use are ignored. */
typedef struct ms_plot_opts {
    /* Output */
    const char *file;       /* PNG path, required; written via "<file>.tmp-XXXXXX" + rename  */
    const char *title;      /* drawn above the axes; NULL or "" = none                       */
    int width_px;           /* image width (px); 0 = 1200; negative or too small = error     */
    int height_px;          /* image height (px); 0 = 800                                    */
    double dpi_scale;       /* size of text and lines relative to 96 dpi; 0 = 1; (0, 8]      */

    /* Ranges; NaN = automatic. Data outside a range are clipped, not an error. */
    double t0_s, t1_s;      /* time window (s) of raster, traces and binned power             */
    double x_min, x_max;    /* x range of iv (V) and xy (xunit)                               */
    double y_min, y_max;    /* value range of traces (yunit), iv (A), xy (yunit), power bars (J) */

    /* Axes */
    int log_x;              /* logarithmic x axis (xy)                                        */
    int log_y;              /* logarithmic y axis (traces, xy, power, iv: plots |I|)          */
    const char *xlabel;     /* quantity on x, e.g. "nonlinearity"; NULL = the plot's default  */
    const char *ylabel;     /* quantity on y, e.g. "membrane potential"                       */
    const char *xunit;      /* SI unit symbol of x for xy ("V", "Hz"); NULL/"" = plain numbers */
    const char *yunit;      /* SI unit symbol of y for traces and xy; the axis adds prefixes   */

    /* Provenance, written as PNG text chunks; filled by the caller (the Lua layer). */
    const char *version;    /* "memsnn-version"; NULL = the library's MS_VERSION_STRING       */
    const char *script;     /* "memsnn-script", path of the scenario; NULL = "unknown"        */
    const char *seed;       /* "memsnn-seed", as text; NULL = "unknown"                       */
    const char *date;       /* "Creation Time"; NULL = now, UTC, "YYYY-MM-DDTHH:MM:SSZ"        */

    ms_plot_info *info;     /* optional: filled on success                                    */
} ms_plot_opts;

/* Defaults: everything zero/NULL except the ranges, which become NaN (automatic). */
void ms_plot_opts_init(ms_plot_opts *o);

/* The colour-blind-safe palette (Okabe & Ito 2008, without yellow first, which is faint on
 * white): colour k of the cycle as 8-bit sRGB. Series, populations and classes use it in order. */
void ms_plot_palette_rgb(size_t k, unsigned char rgb[3]);

/* ==== Raster: spikes of one or more populations ========================================== */

typedef struct ms_raster_pop {
    const char *label;      /* band label; NULL = "pop <k+1>"                                 */
    int32_t n_units;        /* rows in the band; 0 = largest id + 1                           */
    size_t n_times;         /* length of t_s                                                  */
    const double *t_s;      /* spike times (s), any order, finite                             */
    size_t n_ids;           /* length of ids; must equal n_times                              */
    const int32_t *ids;     /* unit of each spike, 0-based, in [0, n_units)                   */
} ms_raster_pop;

typedef struct ms_raster_data {
    size_t n_pops;
    const ms_raster_pop *pops;  /* drawn top to bottom, each in its own colour band           */
    int rate;               /* nonzero: population-rate histogram strip under the raster      */
    double rate_bin_s;      /* bin width of that histogram (s); 0 = about 1/100 of the window  */
    int32_t first_index;    /* number printed for unit 0 on the y axis: 0 from C, 1 from Lua  */
} ms_raster_data;

/* Unit index vs time. Spikes are accumulated into pixels (hit counts, darker where dense), so
 * 10^6 spikes take milliseconds. No spikes at all gives a valid plot that says "no spikes". */
ms_status ms_plot_raster(const ms_raster_data *d, const ms_plot_opts *o, ms_error *err);

/* ==== Traces: recorded state variables vs time ============================================ */

typedef struct ms_trace {
    const char *label;      /* legend entry, e.g. "unit 3"; NULL = "trace <k+1>"              */
    size_t n;               /* samples; must equal ms_traces_data.n_t                         */
    const double *values;   /* in yunit (e.g. V); NaN = gap                                   */
} ms_trace;

typedef struct ms_traces_data {
    size_t n_t;             /* samples per trace                                              */
    const double *t_s;      /* sample times (s), shared, finite and non-decreasing            */
    size_t n_traces;
    const ms_trace *traces; /* all in one axes, one colour each, with a legend                */
} ms_traces_data;

/* Dense traces are reduced to a min/max envelope per pixel column before drawing, which
 * looks identical and keeps 10^6 samples fast. */
ms_status ms_plot_traces(const ms_traces_data *d, const ms_plot_opts *o, ms_error *err);

/* ==== Power: energy tallies side by side, and power per time bin ========================== */

typedef struct ms_energy_tally {
    const char *label;              /* bar label, e.g. "with dendrites"; NULL = "tally <k+1>" */
    size_t n_classes;               /* ledger classes in this tally (may be 0)                */
    const char *const *class_names; /* e.g. "synapse", "dendrite", "soma"; matched by name    */
    const double *class_J;          /* energy per class (J), finite, >= 0                      */
    /* Optional time-binned energy: a power-vs-time panel appears when any tally has bins. */
    size_t n_edges;                 /* bin edges; must be n_bins + 1 when n_bins > 0          */
    const double *edges_s;          /* bin edges (s), strictly increasing                     */
    size_t n_bins;
    const double *bin_J;            /* energy in each bin (J), finite, >= 0                    */
} ms_energy_tally;

typedef struct ms_power_data {
    size_t n_tallies;
    const ms_energy_tally *tallies;
} ms_power_data;

/* Stacked bars per ledger class with a legend, each bar's total written above it and the ratio
 * of every later bar to the first ("x3.1"). log_y gives a logarithmic energy axis. When bins
 * are given, a second panel shows power = bin energy / bin width against time. */
ms_status ms_plot_power(const ms_power_data *d, const ms_plot_opts *o, ms_error *err);

/* ==== I-V: current vs voltage, with the sweep direction ================================== */

typedef struct ms_iv_curve {
    const char *label;      /* legend entry; NULL = no legend entry                           */
    size_t n_v;
    const double *v_V;      /* applied voltage (V), in sweep order                            */
    size_t n_i;             /* must equal n_v                                                 */
    const double *i_A;      /* current (A); with log_y |I| is drawn and zeros leave a gap     */
} ms_iv_curve;

typedef struct ms_iv_data {
    size_t n_curves;
    const ms_iv_curve *curves;
    int arrows;             /* direction arrows per curve: 0 = 6, negative = none             */
} ms_iv_data;

/* Arrows sit at equal arc lengths along each curve and point in sample order, so a pinched
 * hysteresis loop or a threshold switch reads as in papers. */
ms_status ms_plot_iv(const ms_iv_data *d, const ms_plot_opts *o, ms_error *err);

/* ==== XY: general line / scatter plot ===================================================== */

typedef enum ms_xy_style {
    MS_XY_LINES = 0,        /* polyline in sample order; NaN breaks it                        */
    MS_XY_POINTS,           /* markers only                                                   */
    MS_XY_LINES_POINTS      /* both                                                           */
} ms_xy_style;

typedef struct ms_xy_series {
    const char *label;      /* legend entry; NULL = no legend entry                           */
    size_t n_x;
    const double *x;        /* in xunit                                                       */
    size_t n_y;             /* must equal n_x                                                 */
    const double *y;        /* in yunit                                                       */
    ms_xy_style style;
} ms_xy_series;

typedef struct ms_xy_data {
    size_t n_series;
    const ms_xy_series *series;
} ms_xy_data;

ms_status ms_plot_xy(const ms_xy_data *d, const ms_plot_opts *o, ms_error *err);

/* ==== Heat map: a grid of values as coloured cells (images, error maps) ==================== */

typedef struct ms_heatmap_data {
    size_t n_rows, n_cols;  /* the grid; row 0 is drawn at the top (as an image)             */
    const double *values;   /* n_rows x n_cols, row-major; NaN: a blank cell                 */
    double x0, x1;          /* data x of the grid's left and right edges (x1 > x0)           */
    double y0, y1;          /* data y of its bottom and top edges (y1 > y0)                  */
    double v_min, v_max;    /* colour range; NaN: the data's; values outside are clipped     */
    const char *v_label;    /* title of the colour bar; NULL = none                          */
    int grey;               /* 1: white (v_min) to black (v_max), for images; 0: viridis     */
} ms_heatmap_data;

/* Cells as filled rectangles in axes, with a colour bar at the right (its ends labelled with
 * the colour range). Colours: viridis (van der Walt & Smith 2015, perceptually uniform and
 * colour-blind safe) by piecewise-linear interpolation of 9 of its stops, or a grey ramp. */
ms_status ms_plot_heatmap(const ms_heatmap_data *d, const ms_plot_opts *o, ms_error *err);
/* The colour of the normalised value u in [0, 1] (clamped) as 0..1 RGB. */
void ms_heatmap_colour(double u, int grey, double rgb[3]);

#endif

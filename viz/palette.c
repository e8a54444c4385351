/* viz/palette.c: the colours and dash patterns that tell series apart.
 *
 * Okabe & Ito (2008), "Color Universal Design": eight colours distinguishable with the common
 * colour-vision deficiencies. Yellow comes late because it is faint on white. After eight
 * series the colours repeat with dashes, so series 1 and 9 still differ. */
#include "viz/figure_impl.h"

static const unsigned char okabe_ito[MS_PLOT_PALETTE_SIZE][3] = {
    {0x00, 0x72, 0xB2},   /* blue           */
    {0xD5, 0x5E, 0x00},   /* vermillion     */
    {0x00, 0x9E, 0x73},   /* bluish green   */
    {0xCC, 0x79, 0xA7},   /* reddish purple */
    {0xE6, 0x9F, 0x00},   /* orange         */
    {0x56, 0xB4, 0xE9},   /* sky blue       */
    {0x00, 0x00, 0x00},   /* black          */
    {0xF0, 0xE4, 0x42},   /* yellow         */
};

/* On/off lengths (design px) of the dash patterns used from the second cycle on. */
static const double dashes[][2] = {{8.0, 4.0}, {2.0, 3.0}, {10.0, 3.0}};
#define N_DASHES (sizeof dashes / sizeof dashes[0])

void ms_plot_palette_rgb(size_t k, unsigned char rgb[3])
{
    const unsigned char *c = okabe_ito[k % MS_PLOT_PALETTE_SIZE];
    rgb[0] = c[0];
    rgb[1] = c[1];
    rgb[2] = c[2];
}

void msi_colour_rgb(size_t k, double rgb[3])
{
    const unsigned char *c = okabe_ito[k % MS_PLOT_PALETTE_SIZE];
    for (int i = 0; i < 3; i++)
        rgb[i] = c[i] / 255.0;
}

void msi_set_colour(cairo_t *cr, size_t k)
{
    double c[3];
    msi_colour_rgb(k, c);
    cairo_set_source_rgb(cr, c[0], c[1], c[2]);
}

void msi_set_dash(cairo_t *cr, size_t k, double s)
{
    size_t cycle = k / MS_PLOT_PALETTE_SIZE;
    if (cycle == 0) {
        cairo_set_dash(cr, NULL, 0, 0.0);
        return;
    }
    const double *d = dashes[(cycle - 1) % N_DASHES];
    double scaled[2] = {d[0] * s, d[1] * s};
    cairo_set_dash(cr, scaled, 2, 0.0);
}

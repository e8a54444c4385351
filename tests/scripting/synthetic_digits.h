/* tests/scripting/synthetic_digits.h: a small synthetic digit set written as the four IDX
 * files of MNIST, so scenario tests run without the download. The class c (0..9) is a 6 x 8
 * pixel block at intensity 160..255 on a 5 x 2 grid of positions (column 2 + 5 (c mod 5), row
 * 4 + 12 floor(c / 5)) with a +-1 pixel jitter, image k of class k mod 10. */
#ifndef MEMSNN_TESTS_SYNTHETIC_DIGITS_H
#define MEMSNN_TESTS_SYNTHETIC_DIGITS_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static inline void put_be32(FILE *f, uint32_t v)
{
    unsigned char b[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v };
    cr_assert_eq(fwrite(b, 1, 4, f), 4);
}

/* Writes n synthetic images and their labels as IDX (magic 0x803 / 0x801, big-endian dims). */
static inline void write_set(const char *dir, const char *images, const char *labels, int n, unsigned seed)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, images);
    FILE *fi = fopen(path, "wb");
    snprintf(path, sizeof path, "%s/%s", dir, labels);
    FILE *fl = fopen(path, "wb");
    cr_assert(fi && fl);
    put_be32(fi, 0x803), put_be32(fi, (uint32_t)n), put_be32(fi, 28), put_be32(fi, 28);
    put_be32(fl, 0x801), put_be32(fl, (uint32_t)n);
    srand(seed);
    for (int k = 0; k < n; k++) {
        unsigned char px[784] = { 0 };
        int c = k % 10;
        int x0 = 2 + 5 * (c % 5) + (rand() % 3) - 1, y0 = 4 + 12 * (c / 5) + (rand() % 3) - 1;
        int level = 160 + rand() % 96;
        for (int y = y0; y < y0 + 8; y++)
            for (int x = x0; x < x0 + 6; x++)
                if (x >= 0 && x < 28) px[y * 28 + x] = (unsigned char)level;
        cr_assert_eq(fwrite(px, 1, sizeof px, fi), sizeof px);
        unsigned char l = (unsigned char)c;
        cr_assert_eq(fwrite(&l, 1, 1, fl), 1);
    }
    fclose(fi);
    fclose(fl);
}

/* Writes n_train training and n_test test digits into DIR/data, then runs
 * `memsnn run SCENARIO --out DIR/out` from the source folder with MNIST_DIR=DIR/data and the
 * extra environment `env` ("N_TEST=10 ..."); the test fails, showing the scenario's output,
 * unless it exits 0. DIR (MEMSNN_TEST_TMP/TAG-PID) is returned in dir. */
static inline void run_on_synthetic_digits(const char *tag, const char *scenario, int n_train, int n_test,
                                           const char *env, char *dir, size_t dir_len)
{
    const char *bin = getenv("MEMSNN_BIN"), *src = getenv("MEMSNN_SOURCE_DIR"), *tmp = getenv("MEMSNN_TEST_TMP");
    cr_assert(bin && src, "MEMSNN_BIN and MEMSNN_SOURCE_DIR are set by ctest");
    char cmd[8192], path[1024];
    snprintf(dir, dir_len, "%s/%s-%d", tmp ? tmp : "/tmp", tag, (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/data' '%s/out'", dir, dir, dir);
    int st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "cannot make %s", dir);
    snprintf(path, sizeof path, "%s/data", dir);
    write_set(path, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", n_train, 1);
    write_set(path, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", n_test, 2);
    snprintf(cmd, sizeof cmd, "cd '%s' && MNIST_DIR='%s/data' %s '%s' run --quiet '%s/scenarios/%s' --out '%s/out' > '%s/stdout.txt' 2>&1",
             src, dir, env, bin, src, scenario, dir, dir);
    st = system(cmd);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        snprintf(cmd, sizeof cmd, "cat '%s/stdout.txt' >&2", dir);
        if (system(cmd)) { /* the output is only shown */ }
        cr_assert_fail("%s failed", scenario);
    }
}

#endif

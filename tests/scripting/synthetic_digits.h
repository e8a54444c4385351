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

#endif

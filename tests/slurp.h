/* tests/slurp.h: a whole file read into memory, for tests that check what was written
 * (docs, CSVs, a scenario's output). Header-only: every test file is its own executable. */
#ifndef MEMSNN_TESTS_SLURP_H
#define MEMSNN_TESTS_SLURP_H

#include <stdio.h>
#include <stdlib.h>

/* The whole file, NUL-terminated (free it), or NULL when it cannot be read. */
static inline char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    fclose(f);
    return s;
}

#endif

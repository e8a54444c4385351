/* tests/fuzz/replay.c: runs a fuzz harness over files without libFuzzer, for compilers that
 * have none (gcc) and for `make test`: every argument is an input file or a folder of them
 * (read in name order), each passed once to LLVMFuzzerTestOneInput. A crash or a sanitizer
 * report fails the run as it would under libFuzzer; finding no input at all fails too, so a
 * missing corpus cannot pass unnoticed. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 0;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "replay: out of memory reading %s\n", path);
        exit(1);
    }
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
    int count = 0;
    for (int k = 1; k < argc; k++) {
        struct stat st;
        if (stat(argv[k], &st) != 0) {
            perror(argv[k]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            count += replay_file(argv[k]);
            continue;
        }
        struct dirent **list;
        int n = scandir(argv[k], &list, NULL, by_name);
        for (int i = 0; i < n; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[k], list[i]->d_name);
            if (list[i]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode)) count += replay_file(path);
            free(list[i]);
        }
        free(list);
    }
    printf("replay: %d inputs, no crash\n", count);
    return count > 0 ? 0 : 1;
}

/* tests/scripting/scenario_run.h: running a scenario through the memsnn binary and reading
 * what it wrote: a folder of the test's own, shell commands whose exit status is checked,
 * whole files read back, CSV headers and row counts, and whether this build draws plots.
 * Header-only: every test file is its own executable. */
#ifndef MEMSNN_TESTS_SCENARIO_RUN_H
#define MEMSNN_TESTS_SCENARIO_RUN_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/slurp.h"

/* Runs cmd with /bin/sh; a crash fails the test, else the exit status is returned. */
static inline int sh(const char *cmd)
{
    int st = system(cmd);
    cr_assert(WIFEXITED(st), "did not exit normally (crash?): %s", cmd);
    return WEXITSTATUS(st);
}

/* Checks out/name: its first line is `header` and it has `rows` data rows (0: any, >= 1),
 * and no NaN. */
static inline void check_csv(const char *out, const char *name, const char *header, int rows)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", out, name);
    char *s = slurp(path);
    cr_assert_not_null(s, "missing %s", path);
    size_t hl = strlen(header);
    cr_assert(strncmp(s, header, hl) == 0 && s[hl] == '\n', "%s: header is not '%s':\n%.200s", name, header, s);
    int lines = 0;
    for (const char *p = s; *p; p++) lines += *p == '\n';
    if (rows) cr_assert_eq(lines - 1, rows, "%s: %d rows, expected %d", name, lines - 1, rows);
    else cr_assert_gt(lines - 1, 0, "%s is empty", name);
    cr_assert_null(strstr(s, "nan"), "%s holds NaN", name);
    free(s);
}

/* Each out/<name>.png of names exists (and is more than 1 kB) exactly when the build has
 * memsnn.plot (`plots`). */
static inline void check_pngs(const char *out, const char *const *names, size_t n, int plots)
{
    for (size_t k = 0; k < n; k++) {
        char path[2048];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s.png", out, names[k]);
        int exists = stat(path, &st) == 0 && st.st_size > 1000;
        cr_assert_eq(exists, plots, "%s.png %s", names[k], plots ? "is missing" : "exists without memsnn.plot");
    }
}

/* Makes an empty "<MEMSNN_TEST_TMP>/<tag>-<pid>" in out; *bin and *src are the binary and the
 * source tree ctest names. */
static inline void scenario_folder(const char *tag, char *out, size_t len, const char **bin, const char **src)
{
    const char *tmp = getenv("MEMSNN_TEST_TMP");
    *bin = getenv("MEMSNN_BIN");
    *src = getenv("MEMSNN_SOURCE_DIR");
    cr_assert(*bin && *src, "MEMSNN_BIN and MEMSNN_SOURCE_DIR are set by ctest");
    snprintf(out, len, "%s/%s-%d", tmp ? tmp : "/tmp", tag, (int)getpid());
    char cmd[2200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", out, out);
    cr_assert_eq(sh(cmd), 0);
}

/* Does this build have memsnn.plot? Scenarios draw exactly when it does. */
static inline int build_has_plot(const char *bin, const char *out)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && printf 'io.write(require(\"memsnn\").plot and \"yes\" or \"no\")' > has_plot.lua && "
             "'%s' run has_plot.lua > has_plot.txt",
             out, bin);
    cr_assert_eq(sh(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/has_plot.txt", out);
    char *has = slurp(cmd);
    int plots = has && strcmp(has, "yes") == 0;
    free(has);
    return plots;
}

#endif

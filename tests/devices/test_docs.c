/* docs/devices/<model>.md stays in step with the code: every registered class has a page, and
 * the page's parameter table has a row for every parameter with its unit, default, source and
 * meaning as the descriptor has them; every source tag ("[S EDGE]") of the pages and of the
 * descriptors is listed in docs/devices/sources.md, and none of them points outside the
 * repository. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/ms_device.h"
#include "tests/slurp.h"

Test(docs, every_model_page_lists_every_parameter_with_unit_default_and_source)
{
    const char *root = getenv("MEMSNN_SOURCE_DIR");
    cr_assert_not_null(root, "MEMSNN_SOURCE_DIR is set by ctest");
    char path[1024], row[256];
    snprintf(path, sizeof path, "%s/docs/devices/README.md", root);
    char *index = slurp(path);
    cr_assert_not_null(index, "%s", path);
    for (size_t i = 0; i < ms_device_count(); i++) {
        const ms_device_class *c = ms_device_at(i);
        snprintf(path, sizeof path, "%s/docs/devices/%s.md", root, c->name);
        char *doc = slurp(path);
        cr_assert_not_null(doc, "missing %s", path);
        snprintf(row, sizeof row, "[`%s`](%s.md)", c->name, c->name);
        cr_assert(strstr(index, row), "README.md does not link %s", c->name);
        for (size_t k = 0; k < c->n_params; k++) {
            const ms_param_desc *d = &c->params[k];
            snprintf(row, sizeof row, "| `%s` | %s | %.6g |", d->name, d->unit, d->def);
            const char *line = strstr(doc, row);
            cr_assert(line, "%s.md has no row '%s'", c->name, row);
            const char *end = strchr(line, '\n');
            size_t n = end ? (size_t)(end - line) : strlen(line);
            char tail[512];
            snprintf(tail, sizeof tail, "| %s | %s |", d->source, d->doc);
            size_t nt = strlen(tail);
            cr_assert(n >= nt && memcmp(line + n - nt, tail, nt) == 0,
                      "%s.md: the row of `%s` does not end with '%s' (the descriptor's source and "
                      "meaning)", c->name, d->name, tail);
        }
        free(doc);
    }
    free(index);
}

/* Every "[S TAG" and "[I from S TAG" in text names a row "| **TAG** |" of sources.md. */
static void check_tags(const char *text, const char *sources, const char *where)
{
    static const char *const prefix[] = { "[S ", "[I from S " };
    for (size_t k = 0; k < 2; k++) {
        for (const char *p = strstr(text, prefix[k]); p; p = strstr(p + 1, prefix[k])) {
            const char *t = p + strlen(prefix[k]);
            size_t n = 0;
            while (t[n] && (isalnum((unsigned char)t[n]) || t[n] == '-')) n++;
            if (n == 0 || n > 40) continue;
            char row[64];
            snprintf(row, sizeof row, "| **%.*s** |", (int)n, t);
            cr_assert(strstr(sources, row), "%s cites [S %.*s], which sources.md does not list",
                      where, (int)n, t);
        }
    }
    /* The names are split in two so that a grep of the tree for such references stays empty. */
    cr_assert(!strstr(text, "DEVICES" ".md") && !strstr(text, "/work" "/") &&
                  !strstr(text, "../" "shared"),
              "%s points outside the repository (design notes, shared folders)", where);
}

Test(docs, every_source_tag_is_in_the_bibliography)
{
    const char *root = getenv("MEMSNN_SOURCE_DIR");
    cr_assert_not_null(root, "MEMSNN_SOURCE_DIR is set by ctest");
    char path[1024], where[256];
    snprintf(path, sizeof path, "%s/docs/devices/sources.md", root);
    char *sources = slurp(path);
    cr_assert_not_null(sources, "%s", path);
    snprintf(path, sizeof path, "%s/docs/devices/README.md", root);
    char *index = slurp(path);
    cr_assert_not_null(index, "%s", path);
    check_tags(index, sources, "README.md");
    free(index);
    for (size_t i = 0; i < ms_device_count(); i++) {
        const ms_device_class *c = ms_device_at(i);
        snprintf(path, sizeof path, "%s/docs/devices/%s.md", root, c->name);
        char *doc = slurp(path);
        cr_assert_not_null(doc, "missing %s", path);
        snprintf(where, sizeof where, "%s.md", c->name);
        check_tags(doc, sources, where);
        free(doc);
        for (size_t k = 0; k < c->n_params; k++) {
            snprintf(where, sizeof where, "the source of %s.%s", c->name, c->params[k].name);
            check_tags(c->params[k].source, sources, where);
        }
    }
    free(sources);
}

/* ---- the whole tree: docs/ and every source file stand alone ------------------------------- */

#include <dirent.h>
#include <sys/stat.h>

/* Words that point outside the repository or tell how the work was planned; each is split in
 * two so that this file itself does not hold it. */
static const char *const FORBIDDEN[] = {
    "../" "shared", "/work" "/", "DEVICES" ".md", "design" " file", "design" " note",
    "comes with the" " ", "device" " issue", "a later" " issue", "in a later" " stop",
    "will be" " added", "is" " planned", "TO" "DO", "FIX" "ME",
};

static int is_text_source(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (!strcmp(dot, ".md") || !strcmp(dot, ".c") || !strcmp(dot, ".h") || !strcmp(dot, ".lua") ||
                   !strcmp(dot, ".in") || !strcmp(dot, ".txt"));
}

/* Checks one file: no forbidden word; every source tag in sources.md; a file that cites tags
 * says where they are defined. Returns 1 if it was checked. */
static int check_file(const char *root, const char *rel, const char *sources)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    char *text = slurp(path);
    cr_assert_not_null(text, "%s", path);
    for (size_t k = 0; k < sizeof FORBIDDEN / sizeof FORBIDDEN[0]; k++)
        cr_assert(!strstr(text, FORBIDDEN[k]), "%s holds \"%s\": docs and sources speak only of what the "
                                               "repository holds", rel, FORBIDDEN[k]);
    if (strcmp(rel, "docs/devices/sources.md") != 0) {
        check_tags(text, sources, rel);
        if (strstr(text, "[S ") || strstr(text, "[I from S "))
            cr_assert(strstr(text, "sources.md"), "%s cites source tags but does not point at "
                                                  "docs/devices/sources.md, where they are defined", rel);
    }
    free(text);
    return 1;
}

static int walk(const char *root, const char *rel, const char *sources)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    DIR *d = opendir(path);
    cr_assert_not_null(d, "%s", path);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        char sub[1024];
        snprintf(sub, sizeof sub, "%s/%s", rel, e->d_name);
        snprintf(path, sizeof path, "%s/%s", root, sub);
        struct stat st;
        if (stat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) n += walk(root, sub, sources);
        else if (is_text_source(e->d_name)) n += check_file(root, sub, sources);
    }
    closedir(d);
    return n;
}

Test(docs, no_file_points_outside_the_repository_and_every_citation_is_in_the_bibliography)
{
    const char *root = getenv("MEMSNN_SOURCE_DIR");
    cr_assert_not_null(root, "MEMSNN_SOURCE_DIR is set by ctest");
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/devices/sources.md", root);
    char *sources = slurp(path);
    cr_assert_not_null(sources, "%s", path);
    static const char *const folders[] = { "docs", "core", "devices", "neurons", "viz", "scripting", "scenarios",
                                           "bench", "scripts" };
    int n = check_file(root, "README.md", sources);
    for (size_t k = 0; k < sizeof folders / sizeof folders[0]; k++) n += walk(root, folders[k], sources);
    cr_assert_gt(n, 100, "only %d files checked", n);
    free(sources);
}

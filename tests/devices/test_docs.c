/* docs/devices/<model>.md stays in step with the code: every registered class has a page, and
 * the page's parameter table has a row for every parameter with its unit and default. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/ms_device.h"

static char *slurp(const char *path)
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

Test(docs, every_model_page_lists_every_parameter_with_unit_and_default)
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
            cr_assert(strstr(doc, row), "%s.md has no row '%s'", c->name, row);
        }
        free(doc);
    }
    free(index);
}

/* The Lua examples of the device docs run as written: every ```lua block of the pages in
 * docs/devices/, and every block of docs/lua-api.md that makes a device, runs in a fresh Lua
 * state with its outputs (plots) going to a scratch folder. When the build has no memsnn.plot, a stub that
 * accepts any call stands in, so the device part is still checked. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "scripting/l_util.h"
#include "scripting/ms_lua.h"
#include "tests/slurp.h"

TestSuite(device_docs, .timeout = 120);

#define STUB \
    "local memsnn = require('memsnn')\n"                                                        \
    "if not memsnn.plot then\n"                                                                 \
    "  memsnn.plot = setmetatable({}, { __index = function() return function() end end })\n"   \
    "end\n"

/* Runs one example; returns 0 when it ran. */
static int run_example(const char *file, int index, const char *code, const char *out_dir)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    ms_lua_settings *s = ms_lua_get_settings(L);
    snprintf(s->out_dir, sizeof s->out_dir, "%s", out_dir);
    s->quiet = 1;
    luaL_requiref(L, "memsnn", luaopen_memsnn, 1);
    lua_pop(L, 1);
    /* print would clutter the test log: examples print their results, keep them quiet. */
    int rc = luaL_dostring(L, STUB "print = function() end\n");
    char name[256];
    snprintf(name, sizeof name, "=%s example %d", file, index);
    if (!rc) rc = luaL_loadbuffer(L, code, strlen(code), name) || lua_pcall(L, 0, 0, 0);
    if (rc) cr_log_error("%s example %d failed: %s\n%s", file, index, lua_tostring(L, -1), code);
    lua_close(L);
    return rc;
}

/* Runs the ```lua blocks of path (only those containing `must`, when given); returns how many. */
static int run_blocks(const char *path, const char *file, const char *must, const char *out_dir, int *failed)
{
    char *doc = slurp(path);
    cr_assert_not_null(doc, "%s", path);
    int n = 0;
    for (char *p = strstr(doc, "```lua\n"); p; p = strstr(p, "```lua\n")) {
        char *code = p + 7, *end = strstr(code, "```");
        cr_assert_not_null(end, "%s: unterminated lua block", file);
        *end = '\0';
        if (!must || strstr(code, must)) {
            n++;
            *failed += run_example(file, n, code, out_dir) != 0;
        }
        p = end + 3;
    }
    free(doc);
    return n;
}

Test(device_docs, every_device_example_runs)
{
    const char *root = getenv("MEMSNN_SOURCE_DIR"), *tmp = getenv("MEMSNN_TEST_TMP");
    cr_assert_not_null(root, "MEMSNN_SOURCE_DIR is set by ctest");
    char out[1024], dir[1024], path[2048];
    snprintf(out, sizeof out, "%s/device-docs-%d", tmp ? tmp : "/tmp", (int)getpid());
    snprintf(dir, sizeof dir, "%s/docs/devices", root);
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    int blocks = 0, failed = 0, pages = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".md") != 0) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        int n = run_blocks(path, e->d_name, NULL, out, &failed);
        blocks += n;
        pages += n > 0;
    }
    closedir(d);
    snprintf(path, sizeof path, "%s/docs/lua-api.md", root);
    int api = run_blocks(path, "lua-api.md", "memsnn.device(", out, &failed);
    cr_log_info("%d examples on %d device pages, %d in lua-api.md", blocks, pages, api);
    cr_assert_geq(pages, 10, "README and one page per model have examples");
    cr_assert_geq(api, 2, "lua-api.md shows the single-device API");
    cr_assert_eq(failed, 0, "%d examples failed (see the log)", failed);
}

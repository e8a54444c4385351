/* scripting/l_outpath.c: where a script's output files go (scripting/l_util.h).
 *
 * Relative names go under the output folder (--out, "." by default). A writer may create
 * the folders a relative name needs inside that folder ("runs/3/v.csv"), but it never
 * creates folders elsewhere: an absolute name, or a name with a ".." component, must point
 * into a folder that exists. A typo in an absolute path then fails with a message instead
 * of leaving new folders at the root of the file system. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>

#include "scripting/l_util.h"

/* 1 if `dir` is an existing folder, 0 if nothing is there, -1 (errno set) otherwise. */
static int folder_state(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0) return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 1;
}

/* mkdir -p of the first `n` characters of path (a folder). 0, or -1 with errno set. */
static int make_folders(const char *path, size_t n)
{
    char buf[4096];
    if (n == 0) return 0;
    if (n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, n);
    buf[n] = '\0';
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char c = *p;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
        if (folder_state(buf) != 1) return -1;
        *p = c;
        if (c == '\0') return 0;
    }
}

static int has_dotdot(const char *path)
{
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.') return 1;
        p += n;
        while (*p == '/') p++;
    }
    return 0;
}

int ms_lua_make_out_dir(const char *dir, char *msg, size_t len)
{
    if (!dir || !*dir) return snprintf(msg, len, "the output folder (--out) is empty"), -1;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    if (make_folders(dir, n) != 0) {
        snprintf(msg, len, "cannot create the output folder '%s' (--out): %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

const char *ms_lua_output_path(lua_State *L, const char *path, const char *fname)
{
    if (!path || !*path) luaL_error(L, "%s: the file name is empty", fname);
    ms_lua_settings *s = ms_lua_get_settings(L);
    int relative = path[0] != '/';
    if (!relative || strcmp(s->out_dir, ".") == 0) lua_pushstring(L, path);
    else lua_pushfstring(L, "%s/%s", s->out_dir, path);
    const char *full = lua_tostring(L, -1);
    const char *slash = strrchr(full, '/');
    if (!slash) return full; /* in the current folder */
    if (slash[1] == '\0') luaL_error(L, "%s: '%s' names a folder, not a file", fname, full);
    size_t n = slash == full ? 1 : (size_t)(slash - full);
    char dir[4096];
    if (n >= sizeof dir) luaL_error(L, "%s: the path '%s' is too long", fname, full);
    memcpy(dir, full, n);
    dir[n] = '\0';
    int state = folder_state(dir);
    if (state == 1) return full;
    if (state < 0 && errno == ENOTDIR) luaL_error(L, "%s: cannot write '%s': '%s' is not a folder", fname, full, dir);
    if (state < 0) luaL_error(L, "%s: cannot write '%s': '%s': %s", fname, full, dir, strerror(errno));
    if (!relative || has_dotdot(path))
        luaL_error(L, "%s: the folder '%s' does not exist; memsnn creates missing folders only inside the output "
                      "folder '%s' (--out), for relative file names without '..'", fname, dir, s->out_dir);
    if (make_folders(dir, n) != 0)
        luaL_error(L, "%s: cannot create the folder '%s' for '%s': %s", fname, dir, full, strerror(errno));
    return full;
}

/* scripting/main.c: the memsnn command.
 *
 *   memsnn run SCRIPT.lua [--out DIR] [--seed N] [--quiet] [-- ARGS...]
 *   memsnn models | memsnn --version | memsnn --help
 *
 * Exit status: 0 success, 1 the script raised an error (message with file:line on
 * stderr), 2 bad command-line use. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "core/ms_version.h"
#include "scripting/ms_lua.h"

static const char USAGE[] =
    "usage: memsnn run SCRIPT.lua [--out DIR] [--seed N] [--memory-limit BYTES] [--quiet] [-- ARGS...]\n"
    "       memsnn models\n"
    "       memsnn --version | --help\n";

static const char HELP[] =
    "memsnn %s: spiking networks of memristor devices (RRAM synapses, NMDA-like dendrites,\n"
    "integrate-and-fire somas), integrated with SUNDIALS CVODE, scripted in Lua.\n"
    "\n"
    "%s"
    "\n"
    "commands:\n"
    "  run SCRIPT.lua   run a scenario script; `memsnn` is preloaded (require \"memsnn\")\n"
    "  models           list the models a script can use, with their methods\n"
    "\n"
    "options of run:\n"
    "  --out DIR        folder for the script's outputs (relative file names go there;\n"
    "                   created if missing; default: the current folder)\n"
    "  --seed N         seed of every network the script makes (overrides network{seed=})\n"
    "  --memory-limit BYTES  memory every network may hold, e.g. 4G, 512M or 2e9 (suffixes\n"
    "                   K, M, G, T: powers of 1024); above it, or above the memory\n"
    "                   available, a connect, population or run fails before allocating\n"
    "  --quiet          no progress bar, no 'wrote' lines\n"
    "  -- ARGS...       passed to the script as `arg` and `...`\n"
    "\n"
    "exit status: 0 success, 1 script error (file:line on stderr), 2 bad command line\n"
    "documentation: docs/lua-api.md, docs/numerics.md, docs/architecture.md\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "memsnn: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", USAGE);
    return MS_EXIT_USAGE;
}

/* Prints the models through the Lua module, so the list is the one scripts see. */
static int list_models(void)
{
    lua_State *L = luaL_newstate();
    if (!L) return MS_EXIT_SCRIPT;
    luaL_requiref(L, "memsnn", luaopen_memsnn, 0);
    lua_getfield(L, -1, "models");
    lua_call(L, 0, 1);
    lua_Integer n = luaL_len(L, -1);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, -1, i);
        lua_getfield(L, -1, "name");
        lua_getfield(L, -2, "doc");
        lua_getfield(L, -3, "methods");
        char methods[64] = "";
        for (lua_Integer k = 1; k <= luaL_len(L, -1); k++) {
            lua_geti(L, -1, k);
            snprintf(methods + strlen(methods), sizeof methods - strlen(methods), "%s%s", k > 1 ? "," : "", lua_tostring(L, -1));
            lua_pop(L, 1);
        }
        printf("  %-20s %-22s %s\n", lua_tostring(L, -3), methods[0] ? methods : "(source)", lua_tostring(L, -2));
        lua_pop(L, 4);
    }
    lua_close(L);
    return MS_EXIT_OK;
}

/* "4G", "512M", "2e9": bytes > 0 (suffixes K, M, G, T are powers of 1024). */
static int parse_bytes(const char *v, double *out)
{
    char *end;
    double x = strtod(v, &end);
    static const char suffixes[] = "KMGT";
    const char *s = *end ? strchr(suffixes, *end) : NULL;
    if (s && *s) {
        x *= pow(1024.0, (double)(s - suffixes + 1));
        end++;
    }
    if (end == v || *end || !(x >= 1) || !isfinite(x) || x > 9.2e18) return -1;
    *out = floor(x);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage_error("%s", "no command given");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-v") == 0) {
        printf("memsnn %s\n", MS_VERSION_STRING);
        return MS_EXIT_OK;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        printf(HELP, MS_VERSION_STRING, USAGE);
        return MS_EXIT_OK;
    }
    if (strcmp(cmd, "models") == 0) {
        if (argc > 2) return usage_error("models takes no arguments, got '%s'", argv[2]);
        return list_models();
    }
    if (strcmp(cmd, "run") != 0) {
        if (cmd[0] == '-') return usage_error("unknown option '%s'", cmd);
        return usage_error("unknown command '%s'", cmd);
    }

    ms_run_request req = { 0 };
    int i = 2;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (strcmp(a, "--out") == 0 || strcmp(a, "--seed") == 0) {
            if (i + 1 >= argc) return usage_error("%s needs a value", a);
            const char *v = argv[++i];
            if (a[2] == 'o') {
                req.out_dir = v;
            } else {
                char *end;
                unsigned long long s = strtoull(v, &end, 10);
                if (!*v || *end || v[0] == '-') return usage_error("--seed needs a whole number >= 0, got '%s'", v);
                req.seed = s;
                req.seed_given = 1;
            }
        } else if (strcmp(a, "--memory-limit") == 0) {
            if (i + 1 >= argc) return usage_error("%s needs a value", a);
            const char *v = argv[++i];
            if (parse_bytes(v, &req.memory_limit))
                return usage_error("--memory-limit needs a number of bytes > 0 (e.g. 4G, 512M, 2e9), got '%s'", v);
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            req.quiet = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error("unknown option '%s'", a);
        } else if (!req.script) {
            req.script = a;
        } else {
            return usage_error("unexpected argument '%s' (script arguments go after --)", a);
        }
    }
    if (!req.script) return usage_error("%s", "run needs a script: memsnn run SCRIPT.lua");
    req.argc = argc - i;
    req.argv = argv + i;
    req.progress = !req.quiet && isatty(STDERR_FILENO);

    char err[4096];
    int rc = ms_lua_run_script(&req, err, sizeof err);
    if (rc != MS_EXIT_OK) fprintf(stderr, "memsnn: error: %s\n", err);
    return rc;
}

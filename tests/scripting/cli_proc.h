/* tests/scripting/cli_proc.h: the memsnn command as a child process, for tests that need
 * more than system(): a file-size limit (RLIMIT_FSIZE with SIGXFSZ ignored, so a write past
 * it fails with EFBIG as on a full disk), a signal sent while a run is going on, and the
 * files left behind read back. Each test gets its own folder (Criterion runs tests in
 * parallel, one process each). Header-only: every test file is its own executable. */
#ifndef MEMSNN_TESTS_CLI_PROC_H
#define MEMSNN_TESTS_CLI_PROC_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[1024];

/* Makes "<MEMSNN_TEST_TMP>/<tag>-<pid>" (the test's own folder). */
static inline void cli_setup(const char *tag)
{
    const char *base = getenv("MEMSNN_TEST_TMP");
    snprintf(tmpdir, sizeof tmpdir, "%s/%s-%d", base && base[0] ? base : "/tmp", tag, (int)getpid());
    cr_assert(mkdir(tmpdir, 0777) == 0 || errno == EEXIST, "cannot make %s", tmpdir);
    /* Cairo's fontconfig caches live until exit (see tests/lsan.supp): sanitizer builds only. */
    char p[1100];
    snprintf(p, sizeof p, "%s/lsan.supp", tmpdir);
    FILE *f = fopen(p, "w");
    cr_assert(f);
    fputs("leak:libfontconfig\n", f);
    fclose(f);
}

static inline const char *in_tmp(const char *name, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s/%s", tmpdir, name);
    cr_assert(n > 0 && (size_t)n < len, "path too long: %s/%s", tmpdir, name);
    return buf;
}

static inline void cli_write(const char *name, const char *text)
{
    char p[1100];
    FILE *f = fopen(in_tmp(name, p, sizeof p), "w");
    cr_assert(f, "cannot write %s", p);
    fputs(text, f);
    fclose(f);
}

/* Reads a file of tmpdir (binary safe); returns its size, -1 if it does not exist. */
static inline long cli_read(const char *name, char *buf, size_t len)
{
    char p[1100];
    buf[0] = '\0';
    FILE *f = fopen(in_tmp(name, p, sizeof p), "rb");
    if (!f) return -1;
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
    return (long)n;
}

static inline int cli_exists(const char *name)
{
    char p[1100];
    struct stat st;
    return stat(in_tmp(name, p, sizeof p), &st) == 0;
}

/* Entries of folder `dir` (relative to tmpdir) whose names contain `frag`. */
static inline int cli_count(const char *dir, const char *frag)
{
    char p[1100];
    DIR *d = opendir(in_tmp(dir, p, sizeof p));
    if (!d) return 0;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strstr(e->d_name, frag)) n++;
    closedir(d);
    return n;
}

/* Starts `memsnn ARGS...` (NULL-terminated) in tmpdir, stdout and stderr into out.txt and
 * err.txt. fsize > 0 limits the size of every file it writes to fsize bytes. */
static inline pid_t cli_spawn_v(long fsize, const char *const *args)
{
    const char *bin = getenv("MEMSNN_BIN");
    cr_assert(bin, "MEMSNN_BIN is not set (run through ctest)");
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        char p[1100];
        if (chdir(tmpdir) != 0) _exit(127);
        int o = open("out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0666);
        int e = open("err.txt", O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (o < 0 || e < 0) _exit(127);
        dup2(o, 1), dup2(e, 2);
        const char *lsan = getenv("LSAN_OPTIONS");
        char opts[2400];
        snprintf(opts, sizeof opts, "%s%ssuppressions=%s", lsan ? lsan : "", lsan ? ":" : "",
                 in_tmp("lsan.supp", p, sizeof p));
        setenv("LSAN_OPTIONS", opts, 1);
        if (fsize > 0) {
            signal(SIGXFSZ, SIG_IGN); /* inherited by exec: writes fail with EFBIG instead */
            struct rlimit rl = { (rlim_t)fsize, (rlim_t)fsize };
            if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(127);
        }
        const char *argv[32];
        int n = 0;
        argv[n++] = bin;
        for (; args[n - 1] && n < 31; n++) argv[n] = args[n - 1];
        argv[n] = NULL;
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

typedef struct cli_result {
    int status;    /* exit status, or -1 if killed by a signal */
    char out[16384], err[16384];
} cli_result;

static inline void cli_wait(pid_t pid, cli_result *r)
{
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    cr_assert(WIFEXITED(st), "memsnn was killed by signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    cli_read("out.txt", r->out, sizeof r->out);
    cli_read("err.txt", r->err, sizeof r->err);
}

#define CLI_ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Runs `memsnn ARGS...` to its end. */
#define cli_run(r, fsize, ...) cli_wait(cli_spawn_v((fsize), CLI_ARGS(__VA_ARGS__)), (r))

static inline double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif

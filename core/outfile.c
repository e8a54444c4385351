/* core/outfile.c: files written whole or not at all (core/ms_outfile.h). */
#include "core/ms_outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_SUFFIX ".tmp-XXXXXX"   /* mkstemp's template: six X replaced by a unique name */
#define FILE_MODE 0666             /* before the umask, as fopen() would create it        */
#define DEFAULT_UMASK 022          /* when /proc/self/status does not tell                */

/* The process umask without changing it (umask() would race with other threads). */
static mode_t current_umask(void)
{
    mode_t mask = DEFAULT_UMASK;
    char line[128];
    FILE *st = fopen("/proc/self/status", "r");
    if (!st) return mask;
    while (fgets(line, sizeof line, st))
        if (strncmp(line, "Umask:", 6) == 0) {
            mask = (mode_t)strtoul(line + 6, NULL, 8);
            break;
        }
    fclose(st);
    return mask;
}

/* Makes the rename itself durable; best effort, the file is complete either way. */
static void sync_parent_dir(const char *path)
{
    char dir[MS_OUTFILE_PATH];
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == path) snprintf(dir, sizeof dir, "/");
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

static ms_status io_fail(ms_error *err, const char *who, const char *what, const char *path, int errnum)
{
    char reason[128];
    if (strerror_r(errnum, reason, sizeof reason) != 0) snprintf(reason, sizeof reason, "error %d", errnum);
    return ms_error_set(err, MS_EIO, "%s: %s '%s' failed: %s; nothing was written under that name", who, what, path,
                        reason);
}

ms_status ms_outfile_open(ms_outfile *o, const char *path, const char *who, ms_error *err)
{
    o->f = NULL;
    o->tmp[0] = '\0';
    if (!path || !*path) return ms_error_set(err, MS_EINVAL, "%s: no output file given", who);
    if (strlen(path) >= sizeof o->path) return ms_error_set(err, MS_EINVAL, "%s: the path '%.80s...' is too long", who, path);
    snprintf(o->path, sizeof o->path, "%s", path);
    snprintf(o->tmp, sizeof o->tmp, "%s" TMP_SUFFIX, path);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        int e = errno;
        o->tmp[0] = '\0';
        char reason[128];
        if (strerror_r(e, reason, sizeof reason) != 0) snprintf(reason, sizeof reason, "error %d", e);
        return ms_error_set(err, MS_EIO, "%s: cannot create a file next to '%s': %s", who, path, reason);
    }
    (void)fchmod(fd, FILE_MODE & ~current_umask()); /* mkstemp makes it 0600 */
    o->f = fdopen(fd, "wb");
    if (!o->f) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        o->tmp[0] = '\0';
        return io_fail(err, who, "writing", path, e);
    }
    return MS_OK;
}

ms_status ms_outfile_commit(ms_outfile *o, const char *who, ms_error *err)
{
    /* The first failure's errno is the reason: later calls may overwrite it. */
    int e = 0;
    if (ferror(o->f)) e = errno ? errno : EIO; /* errno of the write that failed */
    if (!e && fflush(o->f) != 0) e = errno;
    if (!e && fsync(fileno(o->f)) != 0 && errno != EINVAL) e = errno; /* EINVAL: no sync here (a pipe) */
    if (fclose(o->f) != 0 && !e) e = errno;
    o->f = NULL;
    if (!e && rename(o->tmp, o->path) != 0) {
        e = errno;
        unlink(o->tmp);
        o->tmp[0] = '\0';
        char reason[128];
        if (strerror_r(e, reason, sizeof reason) != 0) snprintf(reason, sizeof reason, "error %d", e);
        return ms_error_set(err, MS_EIO, "%s: cannot replace '%s' with the written file: %s; it keeps what it held",
                            who, o->path, reason);
    }
    if (e) {
        unlink(o->tmp);
        o->tmp[0] = '\0';
        return io_fail(err, who, "writing", o->path, e);
    }
    o->tmp[0] = '\0';
    sync_parent_dir(o->path);
    return MS_OK;
}

void ms_outfile_abort(ms_outfile *o)
{
    if (o->f) fclose(o->f);
    o->f = NULL;
    if (o->tmp[0]) unlink(o->tmp);
    o->tmp[0] = '\0';
}

/* core/ms_outfile.h: a file that appears whole or not at all. Data go to a temporary file in
 * the final file's folder (so the rename never crosses file systems); commit flushes it to
 * disk and renames it over the final name, which is atomic in POSIX. On any failure (a full
 * disk, a write error, a rename refused) the temporary file is removed, the final name keeps
 * what it held before, and the error says which file and why. Every memsnn writer of a whole
 * file (CSV, NPY, PNG, network weights) goes through this. */
#ifndef MEMSNN_CORE_MS_OUTFILE_H
#define MEMSNN_CORE_MS_OUTFILE_H

#include <stdio.h>

#include "core/ms_status.h"

#define MS_OUTFILE_PATH 4096

typedef struct ms_outfile {
    FILE *f;                          /* write here with stdio                             */
    char path[MS_OUTFILE_PATH];       /* the final name                                    */
    char tmp[MS_OUTFILE_PATH + 16];   /* the temporary file beside it ("" once renamed)    */
} ms_outfile;

/* Opens a temporary file next to `path` (mode 0666 less the umask, as fopen would). `who`
 * starts messages ("write_csv"). */
ms_status ms_outfile_open(ms_outfile *o, const char *path, const char *who, ms_error *err);
/* Flushes, syncs, closes and renames into place; on failure removes the temporary file and
 * returns MS_EIO: "<who>: writing '<path>' failed: <reason>; nothing was written under that
 * name". Call once per successful open. */
ms_status ms_outfile_commit(ms_outfile *o, const char *who, ms_error *err);
/* Closes and removes the temporary file, after an error of the caller's own. */
void ms_outfile_abort(ms_outfile *o);

#endif

/* scripting/rowfile.h: a recording streamed to a CSV or NPY file (rowfile.c), the sink of a
 * streamed recorder (core/ms_net.h, ms_sink). Rows are appended with one write(2) per window,
 * so the file holds every completed window even if the process dies; a failed append is cut
 * back to the last complete row. The file under its name is valid at every moment:
 *   CSV  a header line, then rows "t,<values...>" (17 significant digits, read back exactly);
 *   NPY  format 1.0, little-endian f8, shape (rows, columns), C order; the header is 128
 *        bytes and is rewritten after every append, so its row count is that of the rows. */
#ifndef MEMSNN_SCRIPTING_ROWFILE_H
#define MEMSNN_SCRIPTING_ROWFILE_H

#include <stddef.h>

#include "core/ms_net.h"

typedef struct ms_rowfile ms_rowfile;

/* The format of a file name: 0 CSV (".csv"), 1 NPY (".npy"), -1 neither. */
int ms_rowfile_format(const char *path);

/* Creates (or empties) `path` for rows of n_cols columns (time first). header is the CSV
 * header line without its newline ("t,v_1,v_2"; unused for NPY). 0, or -1 with msg. */
int ms_rowfile_open(ms_rowfile **out, const char *path, const char *header, size_t n_cols, char *msg, size_t len);
/* Appends rows (an ms_sink write): traces give t and n_cols - 1 values per row, spikes give t
 * and the unit, written 1-based. 0, or -1 with msg (the file keeps its complete rows). */
int ms_rowfile_write(void *rowfile, const ms_rows *rows, char *msg, size_t len);
/* Closes (an ms_sink close). */
void ms_rowfile_close(void *rowfile);
/* Closes and removes the file (a recording that could not start). */
void ms_rowfile_discard(ms_rowfile *f);
/* Rows written so far. */
size_t ms_rowfile_rows(const ms_rowfile *f);

#endif

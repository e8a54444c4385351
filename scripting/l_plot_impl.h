/* scripting/l_plot_impl.h: what the memsnn.plot bindings share (l_plot*.c): the call's
 * state, option readers and scratch memory that dies with the call, provenance, and the end of
 * every plot. Not a public interface: only the l_plot*.c files include it. */
#ifndef MEMSNN_SCRIPTING_L_PLOT_IMPL_H
#define MEMSNN_SCRIPTING_L_PLOT_IMPL_H

#include <lua.h>

#include "core/ms_net.h"
#include "core/ms_status.h"
#include "viz/ms_plot.h"

#define MAX_ARROWS     100     /* direction arrows per I-V curve                            */
#define LABEL_LEN      64      /* labels the Lua layer makes ("exc 3")                      */
#define WHAT_LEN       96      /* "populations[2].times" and the like, for messages         */

/* Options every plot takes; each plot adds its own. */
#define COMMON_OPTIONS "file", "title", "width", "height", "dpi", "xlabel", "ylabel"

typedef struct plot_call {
    const char *who;        /* plot name: prefix of every message                     */
    int anchor;             /* stack index of the table that keeps scratch buffers    */
    const char *file;       /* the file option, as given                              */
    int t_given;            /* t0 or t1 was given                                     */
    ms_plot_opts o;
    char seed[128];         /* provenance text                                        */
    char date[32];
} plot_call;

/* n values of size bytes, owned by the call's anchor table: freed when the plot returns,
 * also after a Lua error. */
void *msi_plot_scratch(lua_State *L, plot_call *c, size_t n, size_t size);
/* The sequence at idx as doubles; NaN marks a gap where nan_ok, else it is an error. */
double *msi_plot_numbers(lua_State *L, plot_call *c, int idx, const char *what, int nan_ok, size_t *n);
/* The string keys of the table at idx, sorted, pushed as a sequence the anchor keeps. */
int msi_plot_sorted_keys(lua_State *L, plot_call *c, int idx, const char *fname);
/* Field key of the table at idx: a string, or NULL when absent. */
const char *msi_plot_field_string(lua_State *L, plot_call *c, int idx, const char *key, const char *what);
/* A whole number in lo..hi at the stack top. */
lua_Integer msi_plot_whole(lua_State *L, plot_call *c, const char *what, lua_Integer lo, lua_Integer hi);
/* Option key of the options table (index 1): finite number or NaN when absent. */
double msi_plot_opt_finite(lua_State *L, plot_call *c, const char *key);
/* width / height: absent = 0; otherwise a positive whole number of pixels. */
int msi_plot_opt_pixels(lua_State *L, plot_call *c, const char *key);
/* true / false options; *given says whether the key was there. */
int msi_plot_opt_bool(lua_State *L, plot_call *c, const char *key, int *given);
/* hi > lo when both are given (NaN = not given). */
void msi_plot_check_pair(lua_State *L, plot_call *c, const char *n0, double lo, const char *n1, double hi);
/* Checks the call's shape and options, reads the common ones; leaves the anchor table on
 * the stack. */
void msi_plot_begin(lua_State *L, plot_call *c, const char *who, const char *const *allowed, const char *example);
/* Fills script, seed and date of the options from the settings and the plotted networks. */
void msi_plot_provenance(lua_State *L, plot_call *c, ms_net *const *nets, size_t n_nets);
/* Resolves the file under --out (pushed on the stack) and points the options at it. */
const char *msi_plot_output(lua_State *L, plot_call *c);
/* The end of every plot: an error at the script's line, or "wrote" and the path. */
int msi_plot_done(lua_State *L, ms_status st, const ms_error *err, const char *path);

/* The plot functions that live in their own files. */
int msi_plot_power(lua_State *L);
int msi_plot_iv(lua_State *L);
int msi_plot_heatmap(lua_State *L);
int msi_plot_xy(lua_State *L);

#endif

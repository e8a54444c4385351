/* scripting/l_device_impl.h: what the device binding's two files share: the device
 * userdata, the result box and their helpers (scripting/l_device.c), used by the protocol
 * methods (scripting/l_device_protocols.c). Not a public header. */
#ifndef MEMSNN_SCRIPTING_L_DEVICE_IMPL_H
#define MEMSNN_SCRIPTING_L_DEVICE_IMPL_H

#include <stddef.h>

#include <lua.h>

#include "core/ms_rng.h"
#include "devices/ms_device.h"
#include "neurons/ms_device_drive.h"

#define RESULT_BOX "memsnn.DeviceResult"
#define COUNT_KEY "memsnn.device_count"
#define MAX_SAMPLES 1e7                 /* largest result one call may return (samples)      */
#define MAX_PULSES 1000000              /* longest pulse train                                */
#define MAX_CYCLES 1000000              /* most sweep cycles                                  */
#define MAX_WV_ITER 100000              /* largest write-verify limit (the rram range's top)  */
#define EDGE_DEFAULT_S 1e-9             /* rise and fall time of protocol pulses (s)          */
#define V_READ_DEFAULT_V 0.2            /* verify reads of classes without V_read (V)         */
#define WV_V_STEP_DEFAULT_V 0.1         /* ramp step of classes without wv_V_step (V)         */
#define WV_MAX_ITER_DEFAULT 100         /* pulse limit of classes without wv_max_iter         */
#define SEED_MAX 9007199254740992.0     /* 2^53: seeds are whole Lua numbers                  */
#define INDEX_MAX 281474976710655.0     /* 2^48 - 1: the largest ms_rng stream index          */

typedef struct ldev {
    const ms_device_class *c;
    double p[MS_DEVICE_MAX_PARAMS];     /* parameters, validated (after variation)           */
    double y[MS_DEVICE_MAX_STATE];      /* state at the end of the last call                 */
    double v_node;                      /* node voltage at the end of the last call (V)      */
    unsigned long long seed, index;     /* key of the random streams                         */
    int varied;                         /* parameters drawn from the variation law           */
    ms_rng noise;                       /* c2c noise, read noise, relaxation draws           */
    double e_dev_J, e_src_J, e_load_J;  /* energy tally over every call                      */
    double t_driven_s;                  /* total driven time (s)                             */
} ldev;

/* A drive result owned by a userdata, so a Lua error while its tables are built (out of
 * memory) still frees it. */
typedef struct rbox {
    ms_drive_result *r;
} rbox;

/* What an option may be: finite; >= 0; > 0; in (0, 1). */
enum rule { ANY, NONNEG, POS, FRACTION };
/* The drive options a method takes (ldev_read_drive_opts). */
enum { O_LOAD = 1, O_NODE = 2, O_V0 = 4, O_EVERY = 8, O_SOLVER = 16, O_EDGE = 32 };

int ldev_fail(lua_State *L, const char *fname, const char *msg);
/* ldev_fail for a drive's status: an interrupt (Ctrl-C) also says the device kept its state. */
int ldev_drive_fail(lua_State *L, const char *fname, ms_status st, const char *msg);
ms_device_rng ldev_device_rng(ms_rng *r);
ldev *ldev_check_dev(lua_State *L, int idx);
void ldev_check_table(lua_State *L, int idx, const char *fname, const char *example);
double ldev_opt_num(lua_State *L, int idx, const char *key, const char *fname, double def, enum rule rule, const char *unit, int required);
long long ldev_opt_int(lua_State *L, int idx, const char *key, const char *fname, long long def, long long lo, long long hi, int required);
int ldev_opt_bool(lua_State *L, int idx, const char *key, const char *fname, int def);
double *ldev_opt_array(lua_State *L, int idx, const char *key, const char *fname, size_t *n);
void ldev_read_drive_opts(lua_State *L, int idx, const char *fname, const ldev *d, unsigned which, ms_drive_opts *o);
void ldev_check_amplitude(lua_State *L, const ldev *d, const char *fname, const char *key, double x, int current);
void ldev_check_node(lua_State *L, const ldev *d, const ms_drive_opts *o, const char *fname);
void ldev_check_samples(lua_State *L, const char *fname, double duration, double every, size_t points);
double ldev_max_abs(const double *x, size_t n);
rbox *ldev_box_new(lua_State *L);
void ldev_box_free(rbox *b);
void ldev_absorb(ldev *d, const ms_drive_result *r);
double ldev_read_G(ldev *d, double v_read, int noisy);
void ldev_push_result(lua_State *L, const ldev *d, const ms_drive_result *r);
void ldev_push_seq(lua_State *L, int idx, const char *const *names);

/* The protocol methods (l_device_protocols.c). */
int ldev_sweep(lua_State *L);
int ldev_pulses(lua_State *L);
int ldev_program(lua_State *L);
int ldev_relax(lua_State *L);
int ldev_endure(lua_State *L);   /* scripting/l_device_endurance.c */
int ldev_current_step(lua_State *L);

#endif

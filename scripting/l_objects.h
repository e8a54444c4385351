/* scripting/l_objects.h: the Lua userdata for networks, populations and projections.
 *
 * A network userdata owns its ms_net. Populations and projections are small userdata
 * holding an id, with the network userdata as their user value, so Lua's collector can
 * never free a network while one of its parts is still reachable. */
#ifndef MEMSNN_SCRIPTING_L_OBJECTS_H
#define MEMSNN_SCRIPTING_L_OBJECTS_H

#include <lua.h>

#include "core/ms_model.h"
#include "core/ms_net.h"

typedef struct ms_lua_net {
    ms_net *net;       /* NULL once closed                                            */
} ms_lua_net;

typedef struct ms_lua_child {
    int id;            /* population or projection id in the network                  */
} ms_lua_child;

/* The model registry of this Lua state (built-in models registered). */
const ms_registry *ms_lua_registry(lua_State *L);

ms_net *ms_lua_check_net(lua_State *L, int idx);
/* Checks a population argument; returns its network and writes its id. */
ms_net *ms_lua_check_pop(lua_State *L, int idx, int *pop);
ms_net *ms_lua_check_proj(lua_State *L, int idx, int *proj);
/* Pushes a population or projection of the network userdata at net_idx. */
void ms_lua_push_pop(lua_State *L, int net_idx, int pop);
void ms_lua_push_proj(lua_State *L, int net_idx, int proj);

/* Method tables, registered by luaopen_memsnn. */
void ms_lua_open_network(lua_State *L);
void ms_lua_open_population(lua_State *L);
void ms_lua_open_projection(lua_State *L);

/* net:population{...}, net:poisson{...}, net:spike_source{...} (l_population.c) and
 * net:connect(...) (l_projection.c), installed in the network's method table. */
int ms_lua_net_population(lua_State *L);
int ms_lua_net_poisson(lua_State *L);
int ms_lua_net_spike_source(lua_State *L);
int ms_lua_net_connect(lua_State *L);
/* net:energy() (l_energy.c). */
int ms_lua_net_energy(lua_State *L);

/* Ctrl-C and SIGTERM during one single-device call (l_progress.c): begin installs the
 * handlers (saving the old ones in sv), the drive polls ms_lua_interrupt_poll through its
 * ms_drive_opts.interrupt, end restores the handlers. No Lua error may come in between. */
typedef struct ms_lua_sigsave {
    void (*old_int)(int);
    void (*old_term)(int);
} ms_lua_sigsave;
void ms_lua_interrupt_begin(ms_lua_sigsave *sv);
void ms_lua_interrupt_end(const ms_lua_sigsave *sv);
int ms_lua_interrupt_poll(void *ud);

/* Runs the network with a progress bar on a terminal and Ctrl-C as a clean stop
 * (l_progress.c). Returns the status of ms_net_run. */
/* Runs for `duration` seconds when it is > 0, else to the absolute time `t_until`
 * (net:run_until), with the progress bar and Ctrl-C handling of the settings. */
ms_status ms_lua_run_with_progress(lua_State *L, ms_net *net, double duration, double t_until);
/* ms_net_connect with a progress bar on a terminal and a clean Ctrl-C (l_progress.c). */
ms_status ms_lua_connect_with_progress(lua_State *L, ms_net *net, const ms_connect_spec *spec, int *proj);

#endif

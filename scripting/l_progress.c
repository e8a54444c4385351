/* scripting/l_progress.c: runs and connects with a progress bar and a clean Ctrl-C.
 *
 * The bar appears on stderr only when stderr is a terminal, --quiet is off, and the run
 * (or connect) has lasted a second; it redraws at most ten times a second. Ctrl-C during a
 * run stops it at the end of the current window: everything recorded so far is kept and
 * the script gets an error "run: interrupted". Ctrl-C during a connect stops it within
 * 2^18 synapses with "connect: interrupted", and nothing of the projection is kept. A
 * second Ctrl-C kills the process as usual. SIGTERM, the polite kill of batch systems, stops
 * a run the same way (streamed files hold every completed window). A single-device call
 * (d:sweep, d:current_step, ...) polls the same flag between its solver steps and stops with
 * "<method>: interrupted at t = ... s"; the device keeps its state before the call. */
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "scripting/l_objects.h"
#include "scripting/l_util.h"

#define BAR_DELAY_S 1.0      /* show the bar only for runs longer than this (wall time) */
#define BAR_PERIOD_S 0.1     /* redraw at most this often                               */
#define BAR_WIDTH 40

/* Signal handlers can only talk through a flag of this type. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = 1;
    signal(sig, SIG_DFL); /* a second one ends the process */
}

typedef struct progress {
    const char *what;               /* "run" or "connect" */
    int draw;
    double t_start_run, t_end_run;  /* simulated (s)   */
    double wall0, last_draw;        /* wall clock (s)  */
    int drawn;
} progress;

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int on_progress(void *ud, double t_now, double t_end)
{
    progress *p = ud;
    if (interrupted) return 1;
    if (!p->draw) return 0;
    double now = wall_now();
    if (now - p->wall0 < BAR_DELAY_S || now - p->last_draw < BAR_PERIOD_S) return 0;
    p->last_draw = now;
    double frac = (t_now - p->t_start_run) / (t_end - p->t_start_run);
    if (frac > 1) frac = 1;
    int filled = (int)(frac * BAR_WIDTH);
    double eta = frac > 0 ? (now - p->wall0) * (1 - frac) / frac : 0;
    char bar[BAR_WIDTH + 1];
    for (int i = 0; i < BAR_WIDTH; i++) bar[i] = i < filled ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    if (p->what[0] == 'r')
        fprintf(stderr, "\r  run [%s] %5.1f%%  t = %.4g s of %.4g s, %.0f s left ", bar, 100 * frac, t_now, t_end, eta);
    else
        fprintf(stderr, "\r  %s [%s] %5.1f%%, %.0f s left ", p->what, bar, 100 * frac, eta);
    fflush(stderr);
    p->drawn = 1;
    return 0;
}

/* ---- single-device calls -------------------------------------------------------------------- */

/* A device drive (neurons/ms_device_drive.h) polls this between its steps; nonzero stops it. */
int ms_lua_interrupt_poll(void *ud)
{
    (void)ud;
    return interrupted != 0;
}

void ms_lua_interrupt_begin(ms_lua_sigsave *sv)
{
    interrupted = 0;
    sv->old_int = signal(SIGINT, on_signal);
    sv->old_term = signal(SIGTERM, on_signal);
}

void ms_lua_interrupt_end(const ms_lua_sigsave *sv)
{
    signal(SIGINT, sv->old_int == SIG_ERR ? SIG_DFL : sv->old_int);
    signal(SIGTERM, sv->old_term == SIG_ERR ? SIG_DFL : sv->old_term);
}

ms_status ms_lua_run_with_progress(lua_State *L, ms_net *net, double duration, double t_until)
{
    ms_lua_settings *s = ms_lua_get_settings(L);
    progress p = { .what = duration > 0 ? "run" : "run_until", .draw = s->progress, .t_start_run = ms_net_time(net),
                   .t_end_run = duration > 0 ? ms_net_time(net) + duration : t_until, .wall0 = wall_now() };
    interrupted = 0;
    void (*old_int)(int) = signal(SIGINT, on_signal);
    void (*old_term)(int) = signal(SIGTERM, on_signal);
    ms_net_set_progress(net, on_progress, &p);
    ms_status st = duration > 0 ? ms_net_run(net, duration) : ms_net_run_until(net, t_until);
    ms_net_set_progress(net, NULL, NULL);
    signal(SIGINT, old_int == SIG_ERR ? SIG_DFL : old_int);
    signal(SIGTERM, old_term == SIG_ERR ? SIG_DFL : old_term);
    if (p.drawn) fprintf(stderr, "\r%*s\r", BAR_WIDTH + 60, "");
    return st;
}

ms_status ms_lua_connect_with_progress(lua_State *L, ms_net *net, const ms_connect_spec *spec, int *proj)
{
    ms_lua_settings *s = ms_lua_get_settings(L);
    progress p = { .what = "connect", .draw = s->progress, .t_start_run = 0, .wall0 = wall_now() };
    interrupted = 0;
    void (*old)(int) = signal(SIGINT, on_signal);
    ms_net_set_build_progress(net, on_progress, &p);
    ms_status st = ms_net_connect(net, spec, proj);
    ms_net_set_build_progress(net, NULL, NULL);
    signal(SIGINT, old == SIG_ERR ? SIG_DFL : old);
    if (p.drawn) fprintf(stderr, "\r%*s\r", BAR_WIDTH + 60, "");
    return st;
}

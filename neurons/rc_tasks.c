/* neurons/rc_tasks.c: Henon map, sine/square waveforms and the Mackey-Glass series for the
 * reservoir benchmarks (neurons/ms_rc_tasks.h, docs/reservoir.md "Tasks").
 * Source tags ([S ZH21], [R], ...) are defined in docs/devices/sources.md. */
#include "neurons/ms_rc_tasks.h"

#include <math.h>
#include <string.h>

#include "core/ms_rng.h"

static const char *const task_names[MS_RC_N_TASKS] = { "henon", "waveform", "mackey_glass" };

ms_status ms_rc_task_find(const char *name, ms_rc_task *out, ms_error *err)
{
    for (int k = 0; k < MS_RC_N_TASKS; k++)
        if (name && strcmp(name, task_names[k]) == 0) return *out = (ms_rc_task)k, MS_OK;
    return ms_error_set(err, MS_EINVAL, "unknown task '%s' (known: henon, waveform, mackey_glass)",
                        name ? name : "(null)");
}

/* [S RC-GH HenonMap.m]: normrnd(0, 0.05^2) is a standard deviation of 0.0025. */
#define HENON_NOISE 0.0025

static void henon(size_t n, ms_rng *g, double *u, double *y)
{
    double x1 = 0.0, x2 = 0.0;   /* x_{i-1}, x_{i-2} */
    for (size_t i = 0; i <= n; i++) {
        double x = 1.0 - 1.4 * x1 * x1 + 0.3 * x2 + HENON_NOISE * ms_rng_normal(g);
        if (i < n) u[i] = x;
        if (i > 0) y[i - 1] = x;
        x2 = x1, x1 = x;
    }
}

/* 8 samples per period [S RC-GH DM_RC_sim.m]; a trailing partial period is cut. */
#define WAVE_PERIOD 8
#define PI 3.14159265358979323846

static void waveform(size_t n, ms_rng *g, double *u, double *y)
{
    int square = 0;
    for (size_t i = 0; i < n; i++) {
        size_t s = i % WAVE_PERIOD;
        if (s == 0) square = ms_rng_uniform(g) >= 0.5;
        u[i] = square ? (s < WAVE_PERIOD / 2 ? 1.0 : -1.0) : sin(2.0 * PI * (double)s / WAVE_PERIOD);
        y[i] = square;
    }
}

/* The usual chaotic Mackey-Glass setting (tau 17, beta 0.2, gamma 0.1, exponent 10) [R]. */
#define MG_DELAY_STEPS 170           /* tau = 17 in steps of h = 0.1 */
#define MG_H 0.1
#define MG_STEPS_PER_SAMPLE 10       /* one sample per time unit */
#define MG_TRANSIENT 500             /* time units dropped */

static double mg_f(double x, double xd) { return 0.2 * xd / (1.0 + pow(xd, 10.0)) - 0.1 * x; }

static void mackey_glass(size_t n, double *u, double *y)
{
    double ring[MG_DELAY_STEPS + 1];   /* x at the last 171 grid points, ring[i % 171] = x_i */
    for (int k = 0; k <= MG_DELAY_STEPS; k++) ring[k] = 1.2;
    double x = 1.2;
    size_t total = (size_t)(MG_TRANSIENT + n + 1) * MG_STEPS_PER_SAMPLE;
    for (size_t i = 0; i <= total; i++) {
        if (i % MG_STEPS_PER_SAMPLE == 0 && i >= (size_t)MG_TRANSIENT * MG_STEPS_PER_SAMPLE) {
            size_t s = i / MG_STEPS_PER_SAMPLE - MG_TRANSIENT;
            if (s < n) u[s] = x;
            if (s > 0 && s <= n) y[s - 1] = x;
        }
        /* x(t_i - 17) = x_{i-170}, stored where x_{i+1} goes next; x(t_i + h - 17) = x_{i-169} */
        double d0 = ring[(i + 1) % (MG_DELAY_STEPS + 1)], d1 = ring[(i + 2) % (MG_DELAY_STEPS + 1)];
        double dm = 0.5 * (d0 + d1);
        double k1 = mg_f(x, d0), k2 = mg_f(x + 0.5 * MG_H * k1, dm), k3 = mg_f(x + 0.5 * MG_H * k2, dm);
        double k4 = mg_f(x + MG_H * k3, d1);
        x += MG_H / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4);
        ring[(i + 1) % (MG_DELAY_STEPS + 1)] = x;
    }
}

ms_status ms_rc_task_data(ms_rc_task task, size_t n, uint64_t seed, double *u, double *y, ms_error *err)
{
    if (n < 1 || !u || !y) return ms_error_set(err, MS_EINVAL, "task: steps = %zu must be >= 1", n);
    ms_rng g;
    ms_rng_init(&g, seed, 0, MS_RNG_TASK);
    switch (task) {
    case MS_RC_HENON: henon(n, &g, u, y); return MS_OK;
    case MS_RC_WAVEFORM: waveform(n, &g, u, y); return MS_OK;
    case MS_RC_MACKEY_GLASS: mackey_glass(n, u, y); return MS_OK;
    default: return ms_error_set(err, MS_EINVAL, "task: unknown task %d", (int)task);
    }
}

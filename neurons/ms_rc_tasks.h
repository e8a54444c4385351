/* neurons/ms_rc_tasks.h: the data of the reservoir-computing benchmarks, generated here with
 * seeded streams (core/ms_rng.h, MS_RNG_TASK) so that a scenario needs no data files.
 * docs/reservoir.md, "Tasks".
 * Source tags ([S ZH21], [R], ...) are defined in docs/devices/sources.md. */
#ifndef MEMSNN_NEURONS_MS_RC_TASKS_H
#define MEMSNN_NEURONS_MS_RC_TASKS_H

#include <stddef.h>
#include <stdint.h>

#include "core/ms_status.h"

typedef enum ms_rc_task { MS_RC_HENON = 0, MS_RC_WAVEFORM, MS_RC_MACKEY_GLASS, MS_RC_N_TASKS } ms_rc_task;

/* The task named name ("henon", "waveform", "mackey_glass"); MS_EINVAL listing the names. */
ms_status ms_rc_task_find(const char *name, ms_rc_task *out, ms_error *err);

/* n inputs u and targets y of a task (n >= 1):
 *   henon         x_i = 1 - 1.4 x_{i-1}^2 + 0.3 x_{i-2} + w_i, x_{-1} = x_{-2} = 0, w_i normal
 *                 with sigma 0.0025 [S RC-GH HenonMap.m]; u_i = x_i, y_i = x_{i+1};
 *   waveform      periods of 8 samples, each a sine sin(2 pi s/8) or a square (+1 for s < 4,
 *                 -1 after) with probability 1/2 [S RC-GH DM_RC_sim.m]; y = 0 (sine), 1 (square);
 *   mackey_glass  x' = 0.2 x(t - 17) / (1 + x(t - 17)^10) - 0.1 x, x = 1.2 on [-17, 0], by RK4
 *                 with step 0.1 (the delayed value interpolated linearly), sampled every 1 time
 *                 unit after 500 units of transient; u_i = x(i), y_i = x(i + 1).
 * MS_EINVAL for n = 0. */
ms_status ms_rc_task_data(ms_rc_task task, size_t n, uint64_t seed, double *u, double *y, ms_error *err);

#endif

/* neurons/ms_neurons.h: the built-in models (reference neurons, sources, device circuits)
 * and their registration into a core model registry. */
#ifndef MEMSNN_NEURONS_MS_NEURONS_H
#define MEMSNN_NEURONS_MS_NEURONS_H

#include <stdio.h>

#include "core/ms_model.h"

extern const ms_model ms_model_lif_curr_exp;
extern const ms_model ms_model_lif_cond_exp;
extern const ms_model ms_model_poisson;
extern const ms_model ms_model_spike_source;

/* Adds every built-in model to reg. */
ms_status ms_neurons_register(ms_registry *reg, ms_error *err);

#endif

/* neurons/registry.c: registers the built-in models (neurons/ms_neurons.h). */
#include "neurons/ms_neurons.h"

ms_status ms_neurons_register(ms_registry *reg, ms_error *err)
{
    static const ms_model *const builtins[] = {
        &ms_model_lif_curr_exp,
        &ms_model_lif_cond_exp,
        &ms_model_poisson,
        &ms_model_spike_source,
    };
    for (size_t k = 0; k < sizeof builtins / sizeof builtins[0]; k++) {
        ms_status st = ms_registry_add(reg, builtins[k], err);
        if (st) return st;
    }
    return MS_OK;
}

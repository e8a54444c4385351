/* neurons/sources.c: spike sources: `poisson` (independent Poisson processes) and
 * `spike_source` (given spike times). Sources have no inputs; the engine asks them for
 * their spikes one window at a time. */
#include <math.h>

#include "core/ms_model.h"
#include "neurons/ms_neurons.h"

/* ---- poisson ------------------------------------------------------------------------- */

enum { PP_RATE, PP_START, PP_STOP, PP_N };
enum { PY_NEXT, PY_DRAWS, PY_N };

static const ms_param_spec poisson_params[PP_N] = {
    { "rate", "Hz", 10.0, 0.0, 1e6, "mean firing rate" },
    { "start", "s", 0.0, 0.0, INFINITY, "first time a spike can occur" },
    { "stop", "s", INFINITY, 0.0, INFINITY, "no spikes at or after this time" },
};

static const ms_state_spec poisson_state[PY_N] = {
    { "next", "s", 1.0, 0.0, INFINITY, "time of the next spike (NaN until drawn)" },
    { "draws", "1", 1.0, 0.0, INFINITY, "random numbers drawn so far from this source's stream" },
};

static int poisson_check(const ms_model *m, const double *p, char *msg, size_t len)
{
    (void)m;
    if (!(p[PP_STOP] >= p[PP_START])) {
        snprintf(msg, len, "stop = %g s must not be before start = %g s", p[PP_STOP], p[PP_START]);
        return -1;
    }
    return 0;
}

static void poisson_init(const ms_model *m, const double *p, double *y)
{
    (void)m;
    (void)p;
    y[PY_NEXT] = NAN;
    y[PY_DRAWS] = 0.0;
}

/* Inter-spike intervals are exponential draws from the unit's own counter-based stream;
 * `draws` records how far along the stream the source is, so a run can continue. */
static int poisson_generate(double t0, double t1, double *y, const double *p,
                            const ms_spike_list *list, size_t index, ms_rng *rng,
                            const ms_emitter *out, double *next)
{
    (void)list, (void)index;
    double rate = p[PP_RATE];
    if (rate <= 0.0) {
        y[PY_NEXT] = *next = INFINITY;
        return 0;
    }
    ms_rng_seek(rng, (uint64_t)y[PY_DRAWS]);
    if (isnan(y[PY_NEXT])) y[PY_NEXT] = p[PP_START] + ms_rng_exponential(rng, rate);
    while (y[PY_NEXT] < t1) {
        if (y[PY_NEXT] >= p[PP_STOP]) {
            y[PY_NEXT] = INFINITY;
            break;
        }
        if (y[PY_NEXT] >= t0 && out->emit(out->ud, y[PY_NEXT])) return -1;
        y[PY_NEXT] += ms_rng_exponential(rng, rate);
    }
    y[PY_DRAWS] = (double)rng->draw;
    *next = y[PY_NEXT];
    return 0;
}

const ms_model ms_model_poisson = {
    .version = MS_MODEL_VERSION,
    .name = "poisson",
    .doc = "independent Poisson spike trains (rate, start, stop)",
    .kind = MS_MODEL_SOURCE,
    .methods = MS_METHOD_BIT(MS_METHOD_EXACT),
    .preferred = MS_METHOD_EXACT,
    .n_state = PY_N, .state = poisson_state,
    .n_params = PP_N, .params = poisson_params,
    .check = poisson_check, .init = poisson_init,
    .generate = poisson_generate,
};

/* ---- spike_source -------------------------------------------------------------------- */

static const ms_state_spec list_state[1] = {
    { "cursor", "1", 1.0, 0.0, INFINITY, "index of the next spike in this source's list" },
};

static void list_init(const ms_model *m, const double *p, double *y)
{
    (void)m;
    (void)p;
    y[0] = 0.0;
}

static int list_generate(double t0, double t1, double *y, const double *p, const ms_spike_list *list,
                         size_t index, ms_rng *rng, const ms_emitter *out, double *next)
{
    (void)p, (void)rng;
    *next = INFINITY;
    if (!list) return 0;
    size_t k = list->offsets[index] + (size_t)y[0], end = list->offsets[index + 1];
    /* Every listed spike is emitted once, when the first window whose end passes it runs.
     * One that lies a rounding error before t0 (a run split into pieces: the sum of the
     * pieces is not the list's own arithmetic) is still emitted at its own time, not lost. */
    (void)t0;
    for (; k < end && list->times[k] < t1; k++)
        if (out->emit(out->ud, list->times[k])) return -1;
    y[0] = (double)(k - list->offsets[index]);
    if (k < end) *next = list->times[k];
    return 0;
}

const ms_model ms_model_spike_source = {
    .version = MS_MODEL_VERSION,
    .name = "spike_source",
    .doc = "spikes at given times, one list per source",
    .kind = MS_MODEL_SOURCE,
    .methods = MS_METHOD_BIT(MS_METHOD_EXACT),
    .preferred = MS_METHOD_EXACT,
    .n_state = 1, .state = list_state,
    .init = list_init,
    .generate = list_generate,
};

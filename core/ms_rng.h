/* core/ms_rng.h: counter-based random streams (Random123 Philox4x32-10).
 *
 * A stream is keyed by (seed, stream index, purpose): the index names a unit or a synapse,
 * the purpose names what the numbers are for. Draw k of a stream is a pure function of
 * those and k, so a result depends only on the seed and the network: never on the order
 * of calls, on threads or on how units are split between them (docs/architecture.md). */
#ifndef MEMSNN_CORE_MS_RNG_H
#define MEMSNN_CORE_MS_RNG_H

#include <stdint.h>

/* What a stream is for; part of its key, so two purposes never share numbers. */
typedef enum ms_rng_purpose {
    MS_RNG_POISSON = 1,     /* spike times of a Poisson source (index: global unit)      */
    MS_RNG_CONNECT = 2,     /* connection rules (index: projection and presynaptic unit) */
    MS_RNG_INIT = 3,        /* random initial states (index: global unit)                */
    MS_RNG_VARIATION = 4,   /* device-to-device variation (index: device)                 */
    MS_RNG_NOISE = 5,       /* cycle-to-cycle and read noise (index: device)              */
    MS_RNG_USER = 6,        /* memsnn.random streams requested by scripts                 */
    MS_RNG_READ = 7,        /* read noise of device synapses (index: projection, synapse) */
    MS_RNG_MASK = 8,        /* the input mask of a reservoir (index: 0)                   */
    MS_RNG_TASK = 9,        /* data of the reservoir tasks (index: 0)                     */
    MS_RNG_UPDATE = 10      /* in-situ pulses of a mapped array (index: the array)        */
} ms_rng_purpose;

typedef struct ms_rng {
    uint32_t key[2];        /* the seed                                       */
    uint32_t ctr[2];        /* index lo, index hi | purpose                  */
    uint64_t draw;          /* number of doubles drawn so far                  */
    uint64_t cached;        /* number of the block in `block`, or UINT64_MAX  */
    uint32_t block[4];      /* the current Philox output block                 */
} ms_rng;

/* Stream index: at most 48 bits (units, synapses); purpose: 16 bits. */
void ms_rng_init(ms_rng *r, uint64_t seed, uint64_t index, ms_rng_purpose purpose);
/* Positions the stream so that the next draw is draw number k (0-based). */
void ms_rng_seek(ms_rng *r, uint64_t k);

double ms_rng_uniform(ms_rng *r);              /* in the open interval (0, 1)           */
double ms_rng_normal(ms_rng *r);               /* standard normal (Box-Muller, 2 draws) */
double ms_rng_exponential(ms_rng *r, double rate); /* mean 1/rate; rate > 0             */

#endif

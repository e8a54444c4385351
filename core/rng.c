/* core/rng.c: Philox4x32-10 streams behind core/ms_rng.h. Each Philox call turns the
 * 128-bit counter into 128 random bits: two doubles with 53 bits each. */
#include "core/ms_rng.h"

#include <math.h>

#include <Random123/philox.h>

#define TWO_PI 6.283185307179586476925286766559

void ms_rng_init(ms_rng *r, uint64_t seed, uint64_t index, ms_rng_purpose purpose)
{
    r->key[0] = (uint32_t)seed;
    r->key[1] = (uint32_t)(seed >> 32);
    r->ctr[0] = (uint32_t)index;
    r->ctr[1] = (uint32_t)((index >> 32) & 0xffffu) | ((uint32_t)purpose << 16);
    r->draw = 0;
    r->cached = UINT64_MAX;
}

void ms_rng_seek(ms_rng *r, uint64_t k) { r->draw = k; }

static void fill_block(ms_rng *r, uint64_t block)
{
    philox4x32_ctr_t c = { { r->ctr[0], r->ctr[1], (uint32_t)block, (uint32_t)(block >> 32) } };
    philox4x32_key_t k = { { r->key[0], r->key[1] } };
    philox4x32_ctr_t out = philox4x32(c, k);
    for (int i = 0; i < 4; i++) r->block[i] = out.v[i];
    r->cached = block;
}

double ms_rng_uniform(ms_rng *r)
{
    uint64_t block = r->draw >> 1;
    int half = (int)(r->draw & 1);
    if (block != r->cached) fill_block(r, block);
    r->draw++;
    uint64_t bits = ((uint64_t)r->block[2 * half] << 32) | r->block[2 * half + 1];
    /* 53 random bits, offset by half an ulp: strictly inside (0, 1). */
    return ((double)(bits >> 11) + 0.5) * 0x1.0p-53;
}

double ms_rng_normal(ms_rng *r)
{
    double u1 = ms_rng_uniform(r), u2 = ms_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(TWO_PI * u2);
}

double ms_rng_exponential(ms_rng *r, double rate)
{
    return -log(ms_rng_uniform(r)) / rate;
}

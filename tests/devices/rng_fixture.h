/* tests/devices/rng_fixture.h: a small seeded generator behind ms_device_rng for the tests
 * (splitmix64 + polar Box-Muller). The engine feeds Philox streams instead; devices only see
 * the callback struct. Also shared by tests/neurons/test_device_drive*.c. */
#ifndef MEMSNN_TESTS_RNG_FIXTURE_H
#define MEMSNN_TESTS_RNG_FIXTURE_H

#include <math.h>
#include <stdint.h>

#include "devices/ms_device.h"

typedef struct test_rng {
    uint64_t s;
    int has_spare;
    double spare;
} test_rng;

static inline uint64_t test_rng_next(test_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline double test_rng_uniform(void *ud)
{
    return (double)(test_rng_next(ud) >> 11) * 0x1.0p-53;
}

static inline double test_rng_normal(void *ud)
{
    test_rng *r = ud;
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * test_rng_uniform(r) - 1.0;
        v = 2.0 * test_rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * log(s) / s);
    r->spare = v * f;
    r->has_spare = 1;
    return u * f;
}

static inline ms_device_rng test_rng_make(test_rng *r, uint64_t seed)
{
    *r = (test_rng){ seed, 0, 0.0 };
    return (ms_device_rng){ test_rng_uniform, test_rng_normal, r };
}

/* Mean and standard deviation (n - 1) of n values. */
static inline void test_stats(const double *x, int n, double *mean, double *sd)
{
    double m = 0, q = 0;
    for (int i = 0; i < n; i++) m += x[i];
    m /= n;
    for (int i = 0; i < n; i++) q += (x[i] - m) * (x[i] - m);
    *mean = m;
    *sd = sqrt(q / (n - 1));
}

#endif

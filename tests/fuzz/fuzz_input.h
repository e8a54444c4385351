/* tests/fuzz/fuzz_input.h: reading a fuzz input as a stream of choices. Every harness in
 * tests/fuzz/ turns the bytes libFuzzer gives it into decisions (which function, which value)
 * through these readers; an exhausted input reads as zeros, so every input is a complete,
 * valid program of choices and a shorter input is a shorter program. */
#ifndef MEMSNN_TESTS_FUZZ_INPUT_H
#define MEMSNN_TESTS_FUZZ_INPUT_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct fz_input {
    const uint8_t *p;
    size_t n;
} fz_input;

static inline int fz_left(const fz_input *in) { return in->n > 0; }

static inline unsigned fz_u8(fz_input *in)
{
    if (!in->n) return 0;
    in->n--;
    return *in->p++;
}

static inline uint64_t fz_u64(fz_input *in)
{
    uint64_t v = 0;
    for (int k = 0; k < 8; k++) v = v << 8 | fz_u8(in);
    return v;
}

/* A double from 8 raw bytes: every bit pattern, NaNs with payloads and subnormals included. */
static inline double fz_raw_double(fz_input *in)
{
    uint64_t u = fz_u64(in);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* The numbers that break code that trusts its input: NaN, infinities, signed zero, the
 * extremes of double and of 64-bit integers, the smallest subnormal, and ordinary values
 * around the scales memsnn uses (ms, nS, mV). */
static const double FZ_SPECIAL[] = {
    NAN, INFINITY, -INFINITY, -0.0, 0.0, 1.0, -1.0, 0.5, 2.0, 3.0, 10.0, 100.0, 1e3, 1e6, 1e9,
    1e15, 1e300, -1e300, 1.7976931348623157e308, -1.7976931348623157e308, 4.9e-324, 2.2250738585072014e-308,
    9007199254740992.0, 9.2233720368547758e18, -9.2233720368547758e18, 1e-3, 1e-6, 1e-9, 1e-12,
    -1e-3, -60e-3, 20e-3, 5e-3, 1e-4, 0.1, 0.999999, 1.5, -1.5, 255.0, 65536.0, 4294967296.0,
};

static inline double fz_special(fz_input *in)
{
    return FZ_SPECIAL[fz_u8(in) % (sizeof FZ_SPECIAL / sizeof FZ_SPECIAL[0])];
}

/* A number as a script would write it (small integer times an SI prefix), a special value,
 * or raw bits. */
static inline double fz_number(fz_input *in)
{
    static const double scale[] = { 1, 1e-3, 1e-6, 1e-9, 1e-12, 1e3, 1e6, -1e-3 };
    switch (fz_u8(in) % 4) {
    case 0: return fz_special(in);
    case 1: return fz_raw_double(in);
    default: {
        int k = (int)(int8_t)fz_u8(in);
        return k * scale[fz_u8(in) % (sizeof scale / sizeof scale[0])];
    }
    }
}

#endif

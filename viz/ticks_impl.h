/* viz/ticks_impl.h: internal interface of viz/ticks.c: round tick values, SI prefixes, time
 * units and number formatting. Pure arithmetic (no Cairo), so tests can check it directly. */
#ifndef MEMSNN_VIZ_TICKS_IMPL_H
#define MEMSNN_VIZ_TICKS_IMPL_H

#include <stddef.h>

#define MSI_MAX_TICKS       32   /* labelled ticks on one axis                               */
#define MSI_MAX_MINOR_TICKS 96   /* unlabelled ticks (log axes: 2..9 of each decade)         */

typedef struct msi_ticks {
    int n;                          /* labelled ticks                                     */
    double v[MSI_MAX_TICKS];        /* their values, increasing, inside [lo, hi]          */
    double step;                    /* linear: spacing; log: decades between ticks        */
    int n_minor;
    double minor[MSI_MAX_MINOR_TICKS];
} msi_ticks;

/* The smallest "round" step >= raw: 1, 2, 2.5 or 5 times a power of ten. raw > 0. */
double msi_nice_step(double raw);

/* The next round step below step (5 -> 2.5 -> 2 -> 1 -> 0.5 ...). */
double msi_nice_step_below(double step);

/* Ticks at multiples of a round step inside [lo, hi]: at most max_ticks, at least 2 when a
 * round step allows it within max_ticks, never 0 (a lone tick at worst). integer != 0 keeps
 * steps >= 1 and whole. Returns 0, or -1 when the range is not finite with hi > lo. */
int msi_ticks_linear(double lo, double hi, int max_ticks, int integer, msi_ticks *out);

/* Ticks of a log axis over [lo, hi], 0 < lo < hi: powers of ten (every k-th decade so that at
 * most max_ticks show), minor ticks at 2..9 when decades are few; within one decade or two
 * it falls back to round linear steps. Returns 0 or -1 as above. */
int msi_ticks_log(double lo, double hi, int max_ticks, msi_ticks *out);

/* Widens [*lo, *hi] to multiples of the round step msi_ticks_linear would choose, so an
 * automatic axis starts and ends on a tick. */
void msi_range_nice(double *lo, double *hi, int max_ticks);

/* Engineering exponent (multiple of 3, -18..15) for values up to max_abs: 0.07 -> -3. */
int msi_si_exponent(double max_abs);

/* SI prefix for an engineering exponent: -9 -> "n", -6 -> "\u00b5" (UTF-8), 0 -> "". */
const char *msi_si_prefix(int exp3);

/* Unit of a time axis from its span: -9 (ns), -6 (us), -3 (ms) or 0 (s); the largest unit
 * in which the span is at least 1. */
int msi_time_exponent(double span_s);

/* Number of decimals that prints every multiple of step (already divided by the axis unit)
 * exactly: 0.5 -> 1, 0.25 -> 2, 20 -> 0. */
int msi_decimals_for_step(double step);

/* Tick label of v (already divided by the axis unit) with the given decimals; never "-0". */
void msi_format_fixed(double v, int decimals, char *buf, size_t len);

/* v with an SI prefix and unit, sig significant digits (>= 3): 1.234e-9, "J" -> "1.23 nJ".
 * Trailing zeros are dropped ("10 nA", not "10.0 nA"); beyond atto..peta: "1e-21 A". */
void msi_format_si(double v, const char *unit, int sig, char *buf, size_t len);

/* "10\u207b\u2079"-style power of ten (UTF-8 superscripts) for log axes without a unit. */
void msi_format_pow10(int exponent, char *buf, size_t len);

/* Is v a whole number (finite, no fractional part)? An axis whose data all are (unit
 * indices, spike counts) gets whole ticks only. */
int msi_is_whole(double v);

/* Exact power of ten as a double (the double nearest 10^e), e in [-300, 300]. */
double msi_pow10(int e);

#endif

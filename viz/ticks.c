/* viz/ticks.c: where the ticks of an axis go and how their numbers read: round steps
 * (1, 2, 2.5, 5 x 10^k), log decades, SI prefixes, time units, number formatting.
 *
 * Tick values are computed as integer * 10^e with exact powers of ten (see scaled()), so a tick
 * at 0.3 is the double nearest 0.3, not 3 * 0.1 = 0.30000000000000004: labels then print
 * cleanly and tests can demand exactly round values. */
#include "viz/ticks_impl.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Relative slack when a value sits on a tick or a step boundary up to rounding error. */
#define EDGE_EPS 1e-9
/* Give up refining a step after this many tries (each try divides the step by about 2). */
#define MAX_STEP_TRIES 64
/* Largest power of ten a double holds exactly. */
#define EXACT_POW10_MAX 22
/* Engineering exponents that have an SI prefix we print. */
#define SI_EXP_MIN (-18)
#define SI_EXP_MAX 15
/* Decades shown with minor ticks (2..9); more would crowd them. */
#define MINOR_DECADES_MAX 8

double msi_pow10(int e)
{
    double p = 1.0;
    int a = e < 0 ? -e : e;
    if (a > EXACT_POW10_MAX)
        return pow(10.0, (double)e);
    for (int i = 0; i < a; i++)
        p *= 10.0;               /* exact: every 10^i with i <= 22 is a double */
    return e < 0 ? 1.0 / p : p;  /* one correctly rounded division */
}

int msi_is_whole(double v)
{
    return isfinite(v) && v == floor(v);
}

/* A round step: m10 / 10 * 10^e, with m10 in {10, 20, 25, 50}. */
typedef struct round_step {
    int m10;
    int e;
} round_step;

/* k * 10^e as the double nearest the decimal value (k exact integer below 2^53). */
static double scaled(double k, int e)
{
    return e >= 0 ? k * msi_pow10(e) : k / msi_pow10(-e);
}

static double step_value(round_step s)
{
    return scaled((double)s.m10, s.e - 1);
}

static round_step step_from_raw(double raw)
{
    static const int mants[] = {10, 20, 25, 50, 100};
    int e = (int)floor(log10(raw));
    double f = raw / msi_pow10(e);  /* about [1, 10) */
    round_step s = {10, e + 1};
    for (size_t i = 0; i < sizeof mants / sizeof mants[0]; i++) {
        if (f <= mants[i] / 10.0 * (1.0 + EDGE_EPS)) {
            s.m10 = mants[i] == 100 ? 10 : mants[i];
            s.e = mants[i] == 100 ? e + 1 : e;
            break;
        }
    }
    return s;
}

static round_step step_below(round_step s)
{
    switch (s.m10) {
    case 50: s.m10 = 25; break;
    case 25: s.m10 = 20; break;
    case 20: s.m10 = 10; break;
    default: s.m10 = 50; s.e -= 1; break;
    }
    return s;
}

static int step_is_whole(round_step s)
{
    /* value >= 1 and an integer: 1, 2, 5, 10, 20, 25, 50, ... but not 2.5 */
    return s.e >= 1 || (s.e == 0 && s.m10 != 25);
}

double msi_nice_step(double raw)
{
    return step_value(step_from_raw(raw));
}

double msi_nice_step_below(double step)
{
    return step_value(step_below(step_from_raw(step)));
}

/* Index range [*k0, *k1] of the multiples of s inside [lo, hi]; returns their count. */
static long long tick_span(double lo, double hi, round_step s, long long *k0, long long *k1)
{
    double st = step_value(s);
    double a = ceil(lo / st - EDGE_EPS);
    double b = floor(hi / st + EDGE_EPS);
    *k0 = (long long)a;
    *k1 = (long long)b;
    return b >= a ? *k1 - *k0 + 1 : 0;
}

static round_step choose_linear_step(double lo, double hi, int max_ticks, int integer)
{
    long long k0, k1;
    double raw = (hi - lo) / (max_ticks > 1 ? max_ticks - 1 : 1);
    round_step s = step_from_raw(raw);
    if (integer && !step_is_whole(s))
        s = (round_step){10, 0};
    /* Rounding slack can admit one tick too many; go up a step when it does. */
    for (int i = 0; i < MAX_STEP_TRIES && tick_span(lo, hi, s, &k0, &k1) > max_ticks; i++)
        s = step_from_raw(step_value(s) * (1.0 + 4 * EDGE_EPS) * 1.01);
    if (tick_span(lo, hi, s, &k0, &k1) >= 2)
        return s;
    /* Too few: finer round steps, as long as they stay within max_ticks. */
    round_step best = s;
    for (int i = 0; i < MAX_STEP_TRIES; i++) {
        round_step t = step_below(best);
        if (integer && !step_is_whole(t))
            break;
        long long c = tick_span(lo, hi, t, &k0, &k1);
        if (c > max_ticks && tick_span(lo, hi, best, &k0, &k1) >= 1)
            break;
        best = t;
        if (c >= 2)
            break;
    }
    return best;
}

int msi_ticks_linear(double lo, double hi, int max_ticks, int integer, msi_ticks *out)
{
    long long k0, k1;
    memset(out, 0, sizeof *out);
    if (!isfinite(lo) || !isfinite(hi) || !(hi > lo))
        return -1;
    if (max_ticks < 1)
        max_ticks = 1;
    if (max_ticks > MSI_MAX_TICKS)
        max_ticks = MSI_MAX_TICKS;
    round_step s = choose_linear_step(lo, hi, max_ticks, integer);
    long long c = tick_span(lo, hi, s, &k0, &k1);
    if (c > MSI_MAX_TICKS)
        c = MSI_MAX_TICKS;
    out->step = step_value(s);
    for (long long i = 0; i < c; i++) {
        double v = scaled((double)((k0 + i) * s.m10), s.e - 1);
        out->v[out->n++] = v == 0.0 ? 0.0 : v;  /* no -0 */
    }
    return 0;
}

void msi_range_nice(double *lo, double *hi, int max_ticks)
{
    if (!isfinite(*lo) || !isfinite(*hi) || !(*hi > *lo))
        return;
    if (max_ticks < 2)
        max_ticks = 2;
    round_step s = choose_linear_step(*lo, *hi, max_ticks, 0);
    double st = step_value(s);
    double a = floor(*lo / st + EDGE_EPS);
    double b = ceil(*hi / st - EDGE_EPS);
    *lo = scaled(a * s.m10, s.e - 1);
    *hi = scaled(b * s.m10, s.e - 1);
}

static long long floor_mod(long long a, long long m)
{
    long long r = a % m;
    return r < 0 ? r + m : r;
}

int msi_ticks_log(double lo, double hi, int max_ticks, msi_ticks *out)
{
    memset(out, 0, sizeof *out);
    if (!isfinite(lo) || !isfinite(hi) || !(lo > 0.0) || !(hi > lo))
        return -1;
    if (max_ticks < 1)
        max_ticks = 1;
    if (max_ticks > MSI_MAX_TICKS)
        max_ticks = MSI_MAX_TICKS;
    int d0 = (int)ceil(log10(lo) - EDGE_EPS);
    int d1 = (int)floor(log10(hi) + EDGE_EPS);
    int ndec = d1 - d0 + 1;
    if (ndec < 2) {
        /* Less than two decade ticks: round linear values read better than one "10^k". */
        int r = msi_ticks_linear(lo, hi, max_ticks, 0, out);
        out->step = 0.0;
        return r;
    }
    int stride = (ndec + max_ticks - 1) / max_ticks;
    for (int d = d0; d <= d1 && out->n < MSI_MAX_TICKS; d++) {
        if (floor_mod(d, stride) == 0)
            out->v[out->n++] = msi_pow10(d);
    }
    out->step = stride;
    if (stride == 1 && ndec <= MINOR_DECADES_MAX) {
        for (int d = d0 - 1; d <= d1; d++) {
            for (int m = 2; m <= 9 && out->n_minor < MSI_MAX_MINOR_TICKS; m++) {
                double v = scaled(m, d);
                if (v >= lo * (1 - EDGE_EPS) && v <= hi * (1 + EDGE_EPS))
                    out->minor[out->n_minor++] = v;
            }
        }
    }
    return 0;
}

int msi_si_exponent(double max_abs)
{
    if (!(max_abs > 0.0) || !isfinite(max_abs))
        return 0;
    int e = (int)floor(log10(max_abs) + EDGE_EPS);
    int e3 = 3 * (int)floor(e / 3.0);
    if (e3 < SI_EXP_MIN)
        e3 = SI_EXP_MIN;
    if (e3 > SI_EXP_MAX)
        e3 = SI_EXP_MAX;
    return e3;
}

const char *msi_si_prefix(int exp3)
{
    switch (exp3) {
    case -18: return "a";
    case -15: return "f";
    case -12: return "p";
    case -9: return "n";
    case -6: return "\xc2\xb5";  /* U+00B5 MICRO SIGN */
    case -3: return "m";
    case 3: return "k";
    case 6: return "M";
    case 9: return "G";
    case 12: return "T";
    case 15: return "P";
    default: return "";
    }
}

int msi_time_exponent(double span_s)
{
    static const int exps[] = {0, -3, -6};
    for (size_t i = 0; i < sizeof exps / sizeof exps[0]; i++) {
        if (span_s >= msi_pow10(exps[i]) * (1.0 - EDGE_EPS))
            return exps[i];
    }
    return -9;
}

int msi_decimals_for_step(double step)
{
    step = fabs(step);
    if (!(step > 0.0) || !isfinite(step))
        return 0;
    for (int d = 0; d < 15; d++) {
        double x = step * msi_pow10(d);
        if (fabs(x - round(x)) <= 1e-6 * x)
            return d;
    }
    return 15;
}

void msi_format_fixed(double v, int decimals, char *buf, size_t len)
{
    if (len == 0)
        return;
    snprintf(buf, len, "%.*f", decimals, v);
    if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1))
        memmove(buf, buf + 1, strlen(buf));  /* "-0.00" -> "0.00" */
}

void msi_format_si(double v, const char *unit, int sig, char *buf, size_t len)
{
    if (len == 0)
        return;
    if (sig < 3)
        sig = 3;
    if (!unit)
        unit = "";
    if (!isfinite(v)) {
        snprintf(buf, len, "%g%s%s", v, unit[0] ? " " : "", unit);
        return;
    }
    if (unit[0] == '\0') {
        snprintf(buf, len, "%.*g", sig, v);
        return;
    }
    if (v == 0.0) {
        snprintf(buf, len, "0 %s", unit);
        return;
    }
    /* Round to sig digits first, so 999.96 becomes 1 k..., not 1000 (prefix of 999). */
    int e = (int)floor(log10(fabs(v)));
    int q = e - sig + 1;
    double r = q >= 0 ? round(v / msi_pow10(q)) * msi_pow10(q)
                      : round(v * msi_pow10(-q)) / msi_pow10(-q);
    int e3 = msi_si_exponent(fabs(r));
    double mant = e3 >= 0 ? r / msi_pow10(e3) : r * msi_pow10(-e3);
    if (fabs(mant) < 1.0 || fabs(mant) >= 1000.0) {
        snprintf(buf, len, "%.*g %s", sig, r, unit);  /* beyond the prefixes: 1e-21 A */
        return;
    }
    snprintf(buf, len, "%.*g %s%s", sig, mant, msi_si_prefix(e3), unit);
}

void msi_format_pow10(int exponent, char *buf, size_t len)
{
    static const char *sup[10] = {
        "\xe2\x81\xb0", "\xc2\xb9", "\xc2\xb2", "\xc2\xb3", "\xe2\x81\xb4",
        "\xe2\x81\xb5", "\xe2\x81\xb6", "\xe2\x81\xb7", "\xe2\x81\xb8", "\xe2\x81\xb9"};
    char digits[16];
    size_t used;
    if (len == 0)
        return;
    if (exponent == 0 || exponent == 1) {
        snprintf(buf, len, "%s", exponent == 0 ? "1" : "10");
        return;
    }
    snprintf(buf, len, "10%s", exponent < 0 ? "\xe2\x81\xbb" : "");  /* U+207B SUPERSCRIPT MINUS */
    snprintf(digits, sizeof digits, "%d", exponent < 0 ? -exponent : exponent);
    used = strlen(buf);
    for (const char *p = digits; *p && used + 4 < len; p++) {
        const char *s = sup[*p - '0'];
        memcpy(buf + used, s, strlen(s));
        used += strlen(s);
    }
    buf[used] = '\0';
}

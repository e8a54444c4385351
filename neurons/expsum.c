/* neurons/expsum.c: first zero crossing of a sum of exponentials (neurons/ms_expsum.h). */
#include "neurons/ms_expsum.h"

#include <math.h>

double ms_expsum_eval(const ms_expsum *f, double s)
{
    double v = f->c0;
    for (int k = 0; k < f->n; k++) {
        double e = exp(-f->lambda[k] * s);
        v += (f->c[k] + f->d[k] * s) * e;
    }
    return v;
}

/* An upper bound of f on [a, b]: c e^{-l s} is monotone, so its maximum is at an end;
 * s e^{-l s} rises until 1/l and falls after, so its maximum is at 1/l clamped to [a, b]
 * and its minimum at an end. */
static double upper_bound(const ms_expsum *f, double a, double b)
{
    double ub = f->c0;
    for (int k = 0; k < f->n; k++) {
        double l = f->lambda[k];
        double ea = exp(-l * a), eb = exp(-l * b);
        ub += fmax(f->c[k] * ea, f->c[k] * eb);
        if (f->d[k] != 0.0) {
            double ga = a * ea, gb = b * eb;
            if (f->d[k] > 0) {
                double peak = l > 0 ? fmin(fmax(1.0 / l, a), b) : b;
                ub += f->d[k] * peak * exp(-l * peak);
            } else {
                ub += f->d[k] * fmin(ga, gb);
            }
        }
    }
    return ub;
}

/* Bisection on [a, b] with f(a) < 0 <= f(b): the smallest s found with f(s) >= 0. */
static double refine(const ms_expsum *f, double a, double b)
{
    for (int it = 0; it < 200; it++) {
        double m = 0.5 * (a + b);
        if (m <= a || m >= b) break;
        if (ms_expsum_eval(f, m) >= 0) b = m; else a = m;
    }
    return b;
}

#define STACK_DEPTH 128

double ms_expsum_first_root(const ms_expsum *f, double len, double s_tol)
{
    if (ms_expsum_eval(f, 0.0) >= 0) return 0.0;
    /* Depth-first over sub-intervals, left first, so the first root found is the first. */
    double lo[STACK_DEPTH], hi[STACK_DEPTH];
    int top = 0;
    lo[0] = 0.0;
    hi[0] = len;
    while (top >= 0) {
        double a = lo[top], b = hi[top];
        top--;
        if (upper_bound(f, a, b) < 0) continue;
        double fb = ms_expsum_eval(f, b);
        double m = 0.5 * (a + b);
        if (b - a <= s_tol || top + 2 >= STACK_DEPTH || m <= a || m >= b) {
            /* Small enough: a root here is the first unless f crosses twice inside. */
            if (fb >= 0) return refine(f, a, b);
            if (ms_expsum_eval(f, m) >= 0) return refine(f, a, m);
            continue;
        }
        /* f(a) < 0 on every interval taken from the stack (its left end was checked). */
        if (ms_expsum_eval(f, m) >= 0) {
            lo[++top] = a;
            hi[top] = m;
            /* The root lies in [a, m]; the right half is not needed. */
            continue;
        }
        lo[++top] = m;
        hi[top] = b;
        lo[++top] = a;
        hi[top] = m;
    }
    return -1.0;
}

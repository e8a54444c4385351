/* neurons/ms_expsum.h: first threshold crossing of a sum of exponentials.
 *
 * Between events, the membrane potential of a LIF neuron with exponential synaptic
 * currents is f(s) = c0 + sum_k c_k exp(-lambda_k s) + sum_k d_k s exp(-lambda_k s)
 * (the second kind when a synaptic time constant equals the membrane's). Such an f can
 * rise above a threshold and fall back inside one interval, so checking the end points
 * misses spikes (the "lost spike" problem of grid-based precise models). Here each term is
 * bounded on a sub-interval (monotone or unimodal), intervals whose upper bound stays below
 * zero are discarded, the rest are split, and the first sign change is refined by
 * bisection to a few ulps. docs/numerics.md describes the guarantee. */
#ifndef MEMSNN_NEURONS_MS_EXPSUM_H
#define MEMSNN_NEURONS_MS_EXPSUM_H

#define MS_EXPSUM_MAX_TERMS 4

typedef struct ms_expsum {
    double c0;                              /* constant                          */
    int n;                                  /* terms                             */
    double c[MS_EXPSUM_MAX_TERMS];          /* amplitude of exp(-lambda s)       */
    double d[MS_EXPSUM_MAX_TERMS];          /* amplitude of s exp(-lambda s)     */
    double lambda[MS_EXPSUM_MAX_TERMS];     /* rates (1/s), >= 0                 */
} ms_expsum;

double ms_expsum_eval(const ms_expsum *f, double s);

/* The first s in [0, len] with f(s) >= 0, or a negative number when there is none.
 * Excursions above zero narrower than `s_tol` seconds whose height is below the
 * bisection's resolution may be missed; anything wider is found. */
double ms_expsum_first_root(const ms_expsum *f, double len, double s_tol);

#endif

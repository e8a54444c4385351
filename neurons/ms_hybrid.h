/* neurons/ms_hybrid.h: hybrid training (P. Yao et al., "Fully hardware-implemented memristor
 * convolutional neural network", Nature 577, 641 (2020)): a plain two-layer network of
 * neurons/ms_ann.h (the control network, dendrites = 0) trained in software, its two weight
 * matrices mapped onto RRAM arrays (neurons/ms_xbar.h), evaluated in rate mode through the
 * devices, and its last layer adapted in situ with sign-based pulses on a fraction of the
 * training data. docs/reproductions/hybrid-training.md.
 *
 * The network read through arrays: per sample, layer 1's column currents I1 = array1(x) (A),
 * normalised as the software layer normalises its weighted sums, z = I1 / max |I1|, and passed
 * through the soma, h = max(tanh((z - theta) / 2), 0); layer 2 likewise on h. The normaliser
 * makes each layer invariant to the conductance-per-weight scale, so currents go in directly.
 *
 * The in-situ rule: the error of output j is e_j = onehot_j - softmax(logit_scale a_out)_j
 * (the direction that lowers the cross-entropy), the activation of row i is h_i, and
 * ms_xbar_update_sign applies one pulse where |e_j h_i| > threshold. Layer 1 is not touched.
 *
 * Random streams: the subset and its order, (seed, 0xB1 << 40 | epoch, MS_RNG_NOISE) with
 * epoch 0 choosing the subset; reads and pulses: the arrays' own streams. */
#ifndef MEMSNN_NEURONS_MS_HYBRID_H
#define MEMSNN_NEURONS_MS_HYBRID_H

#include <stddef.h>
#include <stdint.h>

#include "core/ms_status.h"
#include "neurons/ms_ann.h"
#include "neurons/ms_xbar.h"

/* Maps layer 1 (n_in x n_hidden) and layer 2 (n_hidden x n_out) of a control network onto two
 * arrays with options o; layer L uses the streams from L << 36 on. MS_EINVAL for a dendritic
 * network ("hybrid: ... has dendrites"), or a mapping error (message in msg). */
ms_status ms_hybrid_map(const ms_ann *a, const ms_crossbar_opts *o, ms_xbar **l1, ms_xbar **l2,
                        char *msg, size_t len);

/* Checks that l1 and l2 fit the network (inputs, hidden, outputs) and that it is a control
 * network. */
ms_status ms_hybrid_check(const ms_ann *a, const ms_xbar *l1, const ms_xbar *l2, char *msg,
                          size_t len);

/* Fraction of d's samples classified right through the arrays (largest output, ties to the
 * lower class), every read with its read noise when noisy. */
ms_status ms_hybrid_accuracy(const ms_ann *a, ms_xbar *l1, ms_xbar *l2, const ms_ann_data *d,
                             int noisy, double *acc, char *msg, size_t len);

typedef struct ms_hybrid_adapt_opts {
    double fraction;        /* of d's samples used, in (0, 1] (default 0.1)                   */
    double threshold;       /* |e_j h_i| that triggers a pulse, >= 0 (default 0.05)           */
    int epochs;             /* passes over the subset, >= 1 (default 1)                       */
    double logit_scale;     /* logits = logit_scale a_out, > 0 (default 3, as ms_ann_train)   */
    uint64_t seed;          /* subset and order (default 1)                                   */
    ms_xbar_phase phase;    /* default MS_XBAR_ALTERNATE                                      */
    int noisy;              /* reads with read noise (default 1)                              */
} ms_hybrid_adapt_opts;

void ms_hybrid_adapt_opts_default(ms_hybrid_adapt_opts *o);

typedef struct ms_hybrid_adapt_result {
    size_t samples;                 /* samples in the subset                                  */
    size_t presentations;           /* samples x epochs                                       */
    ms_xbar_pulses pulses;          /* the pulses applied to layer 2 and their energy         */
} ms_hybrid_adapt_result;

ms_status ms_hybrid_adapt(const ms_ann *a, ms_xbar *l1, ms_xbar *l2, const ms_ann_data *d,
                          const ms_hybrid_adapt_opts *o, ms_hybrid_adapt_result *r, char *msg,
                          size_t len);

#endif

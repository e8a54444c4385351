/* neurons/ann_impl.h: the layout of an ms_ann, shared by neurons/ann.c (model, forward,
 * gradient), neurons/ann_train.c and neurons/ann_io.c. Not public. */
#ifndef MEMSNN_NEURONS_ANN_IMPL_H
#define MEMSNN_NEURONS_ANN_IMPL_H

#include "neurons/ms_ann.h"

/* Tags of the random streams (bits 40-47 of the stream index; neurons/ms_ann.h). */
#define ANN_TAG_INIT ((uint64_t)0xA1 << 40)
#define ANN_TAG_SHUFFLE ((uint64_t)0xA2 << 40)
#define ANN_TAG_WNOISE ((uint64_t)0xA3 << 40)

/* One layer of dendritic branches: n_in inputs, n_out somas, nb branches. Row r of the layer's
 * weights (rows in branch order, branch b's rows are start[b] .. start[b+1]-1) is input
 * idx[r]; its n_out weights are contiguous at off + r n_out in the network's array. */
typedef struct ann_layer {
    size_t n_in, n_out, nb;
    size_t *start;       /* nb + 1 */
    uint32_t *idx;       /* n_in */
    size_t off;          /* offset of the layer's first weight */
} ann_layer;

/* What a layer's forward pass keeps of one sample for the backward pass. */
typedef struct ann_rec {
    double *n;           /* nb x n_out: x / max|x| (0 for a branch whose sums are all zero)  */
    double *z;           /* nb x n_out: the branches' outputs                                 */
    double *m, *M;       /* nb: max|x| and max|y| (m = 0 marks an all-zero branch)            */
    size_t *jm, *kM;     /* nb: where they are attained (first index)                         */
    double *s, *a;       /* n_out: soma inputs and outputs                                    */
} ann_rec;

struct ms_ann {
    ms_ann_opts o;       /* as built; o.band_of points at band_of                             */
    uint32_t *band_of;   /* n_in                                                              */
    double alpha;
    double thr;        /* thresholded-linear dendrite's t, or 0 for the exp dendrite */
    ann_layer l1, l2;
    size_t n_params;
    double *w;           /* all weights (neurons/ms_ann.h)                                    */
    ann_rec r1, r2;      /* scratch of the forward pass                                       */
    double *g_a1, *g_s, *g_x; /* scratch of the backward pass: n_hidden, max(H, n_out) twice  */
    double *g_out;       /* n_out: dL/da_out                                                  */
    double *x;           /* n_in: a sample as doubles                                         */
    ms_error err;
};

/* How the backward pass treats the two non-smooth steps (ms_ann_train_opts). */
typedef struct ann_grad_mode {
    int norm_stop;       /* 1: the max normalisers are constants (stop-gradient)               */
    int soma_through;    /* 1: below theta the soma passes the unclamped tanh's slope          */
    double activity;     /* dL/ds_j += activity where s_j > 0 (the penalty activity s_j^+)    */
} ann_grad_mode;

/* One sample through both layers with weights w (the network's or a noisy copy): fills r1, r2. */
void ann_forward_w(ms_ann *a, const double *w, const double *x);
/* After ann_forward_w with the same w and x: adds the gradient of the loss with dL/da_out =
 * g_out into gw (n_params). */
void ann_backward_w(ms_ann *a, const double *w, const double *x, const double *g_out, double *gw,
                    const ann_grad_mode *mode);
/* Cross-entropy of softmax(c a_out) against label after a forward pass; writes dL/da_out. */
double ann_xent(const ms_ann *a, unsigned label, double c, double *g_out);

#endif

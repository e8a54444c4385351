/* neurons/ms_ann.h: the software network with artificial dendrites of X. Li et al., "Power-
 * efficient neural network with artificial dendrites", Nat. Nanotechnol. 15, 776 (2020), as
 * its official code defines it (GitHub Tsinghua-LEMON-Lab/Dendritic-computing,
 * PyTorch/framework/models/ann.py), and its control network without dendrites. docs/ann.md.
 *
 * Two layers of somas. In each layer the inputs are split into branches; branch b has its own
 * weight matrix (no bias) from its inputs to every soma of the layer. Per sample and branch,
 * over the somas j of the layer:
 *   x_bj = sum_{i in b} w_bij u_i                     the branch's weighted sum
 *   n_bj = x_bj / max_k |x_bk|                        normalised over the layer's somas
 *   y_bj = (exp(alpha n_bj) - 1) / (exp(alpha) - 1)   the dendrite (y = n when alpha <= 0),
 *                                                     alpha = 50 NL / (1 - NL)
 *   z_bj = y_bj / max_k |y_bk|                        renormalised, as the PyTorch code does
 *   s_j  = sum_b z_bj                                 the soma's input
 *   a_j  = max(tanh((s_j - theta) / 2), 0)            the soma (= max(2 sigmoid(s - theta) - 1, 0))
 * A branch whose weighted sums are all zero (a blank band of an image) gives z = 0.
 * Layer 1: branch b holds the inputs i with band_of[i] = b. Layer 2: branch g holds a
 * contiguous group of the hidden somas. The control network (dendrites = 0) has one branch per
 * layer and alpha = 0: a linear dendrite, so a normalised linear sum into the same soma.
 *
 * Training is minibatch SGD on the cross-entropy of softmax(logit_scale * a_out), with the
 * exact gradient of every step above (the two max normalisers included: their gradient goes to
 * the element that attains the maximum, as autograd does), weight decay and optional momentum
 * as torch.optim.SGD applies them, and optional Gaussian weight noise drawn afresh for every
 * batch (noise-aware training, P. Yao et al., Nature 577, 641 (2020)).
 *
 * Weights: one array, layer 1 then layer 2, branch after branch. Layer 1 branch b is a matrix of
 * |band b| rows (its inputs in increasing index order) x n_hidden columns, row-major ("input-
 * major"); layer 2 group g is |group g| x n_out likewise.
 *
 * Random streams (core/ms_rng.h), all keyed by a seed and tagged in bits 40-47 of the index
 * so they never share numbers: weight init (seed, 0xA1 << 40 | layer << 32 | branch, INIT),
 * shuffling (train seed, 0xA2 << 40 | epoch, NOISE), weight noise (train seed, 0xA3 << 40 |
 * batch number counted over all epochs, NOISE); image noise: neurons/ms_noise_image.h.
 *
 * Library rules: functions return ms_status and leave a message (ms_ann_errmsg, or msg for
 * functions without an object); nothing is printed; nothing is allocated per sample. */
#ifndef MEMSNN_NEURONS_MS_ANN_H
#define MEMSNN_NEURONS_MS_ANN_H

#include <stddef.h>
#include <stdint.h>

#include "core/ms_status.h"
#include "neurons/ms_noise_image.h"

typedef struct ms_ann ms_ann;

typedef struct ms_ann_opts {
    size_t n_in, n_hidden, n_out; /* sizes, each >= 1 (n_out >= 2 to train)                    */
    size_t branches;          /* B1: layer-1 branches, 1..n_in (default 1)                    */
    const uint32_t *band_of;  /* n_in branch numbers in 0..B1-1, copied; every branch needs an
                                 input. NULL (default): contiguous near-equal bands,
                                 band_of[i] = i B1 / n_in                                     */
    size_t out_branches;      /* B2: contiguous groups of the hidden somas, 1..n_hidden
                                 (default 1); group g is [g H / B2, (g + 1) H / B2)            */
    int dendrites;            /* 1 (default): as above; 0: control network, B1 = B2 = 1 and
                                 alpha = 0 whatever branches, band_of, out_branches and NL say */
    double nonlinearity;      /* NL in [0, 1) (default 0.1: alpha = 5.556, the PyTorch value)  */
    double theta;             /* soma threshold (default 0.11, the PyTorch value)              */
    double threshold;         /* 0 (default): the official exp dendrite; t in (0, 1): the
                                 thresholded-linear dendrite y = max(0, x_n - t) / (1 - t),
                                 the steady state of an nmda_dendrite branch (device-aware
                                 training, docs/ann.md)                                       */
    int normalise;            /* 1 (default): the official per-sample normalisation (n = x / max|x|
                                 and z = y / max|y| above); 0: none, as a device network reads
                                 its branch currents at fixed voltages: z = max(0, x - t) / (1 - t)
                                 with the thresholded-linear dendrite, z = x for the control. The
                                 exp dendrite (threshold 0) needs the normalisation          */
    double init_sd;           /* weights start N(0, sd^2); sd > 0; 0 (default): 1/sqrt(rows of
                                 the branch's matrix) (docs/ann.md, "Choices")                */
    uint64_t seed;            /* weight init (default 1)                                       */
} ms_ann_opts;

void ms_ann_opts_default(ms_ann_opts *o);

/* Creates a network and initialises its weights from o->seed. On failure returns MS_EINVAL or
 * MS_ENOMEM with a message in msg and sets *out to NULL. */
ms_status ms_ann_create(const ms_ann_opts *o, ms_ann **out, char *msg, size_t len);
void ms_ann_free(ms_ann *a);
const char *ms_ann_errmsg(const ms_ann *a);

/* The options the network was built with (band_of points at the network's copy; for the
 * control network branches = out_branches = 1 and nonlinearity = 0). */
const ms_ann_opts *ms_ann_options(const ms_ann *a);
double ms_ann_get_alpha(const ms_ann *a);

/* Draws every weight afresh from N(0, sd^2) with streams keyed by seed (see above). */
void ms_ann_init_weights(ms_ann *a, uint64_t seed);

/* The three functions of the model, for tests and plots. alpha from NL; the dendrite of a
 * normalised input n in [-1, 1]; the soma of an input s. */
double ms_ann_alpha(double nonlinearity);
double ms_ann_dendrite(double n, double alpha);
double ms_ann_soma(double s, double theta);

/* Layer 1 (layer = 1, branch b < B1: |band b| x n_hidden) or layer 2 (layer = 2, group
 * g < B2: |group g| x n_out). ms_ann_weight_shape gives the shape; ms_ann_get_weights copies
 * the matrix into w (rows x cols doubles); ms_ann_set_weights copies it in after checking the
 * shape and that every value is finite. Branches are 0-based here. */
ms_status ms_ann_weight_shape(const ms_ann *a, int layer, size_t branch, size_t *rows, size_t *cols);
ms_status ms_ann_get_weights(const ms_ann *a, int layer, size_t branch, double *w);
ms_status ms_ann_set_weights(ms_ann *a, int layer, size_t branch, const double *w, size_t rows,
                             size_t cols);
/* The inputs of layer-1 branch b in row order (0-based input indices); *count gets |band b|. */
const uint32_t *ms_ann_band(const ms_ann *a, size_t b, size_t *count);

/* All weights as one array (layout above), for optimisers and tests; n_params of them. */
size_t ms_ann_n_params(const ms_ann *a);
double *ms_ann_params(ms_ann *a);

/* One sample x (n_in values) forward. out: n_out soma outputs. Optional (NULL to skip):
 * hidden (n_hidden soma outputs of layer 1), branch1 (B1 x n_hidden: z_bj, the branches'
 * contributions to the hidden somas' inputs, branch-major), branch2 (B2 x n_out likewise).
 * Uses the network's scratch memory: one call at a time per network. */
ms_status ms_ann_forward(ms_ann *a, const double *x, double *out, double *hidden, double *branch1,
                         double *branch2);

/* Cross-entropy loss of one sample against class `label` with logits logit_scale * a_out, and
 * its gradient with respect to every weight ADDED into grad (n_params). For gradient checks. */
ms_status ms_ann_loss_grad(ms_ann *a, const double *x, unsigned label, double logit_scale,
                           double *grad, double *loss);

/* ---- data, training, evaluation (neurons/ann_train.c) ------------------------------------ */

/* n samples of n_in values, row after row, as bytes, floats or doubles (exactly one of the
 * three pointers set); sample k's value i is scale * raw[k n_in + i]. */
typedef struct ms_ann_data {
    size_t n;
    const uint8_t *u8;
    const float *f32;
    const double *f64;
    double scale;             /* 1/255 for MNIST bytes; > 0                                   */
    const uint8_t *labels;    /* n classes in 0..n_out-1; needed by train and accuracy         */
    uint64_t index0;          /* data-set index of sample 0: image noise of sample k uses
                                 stream index index0 + k, so a subset gets the same noise as
                                 the whole set                                                */
    size_t rows, cols;        /* image shape for clutter (rows x cols = n_in), or 0, 0         */
} ms_ann_data;

/* Sample k of d as n_in doubles into x, with the image noise of `noise` (NULL: none). */
ms_status ms_ann_data_sample(const ms_ann_data *d, size_t n_in, size_t k, const ms_noise_opts *noise,
                             double *x, char *msg, size_t len);

/* The gradient of the two non-smooth steps during training (docs/ann.md, "Choices"). */
typedef enum ms_ann_norm_grad {
    MS_ANN_NORM_EXACT = 0,    /* through the max normalisers, to the element attaining the max */
    MS_ANN_NORM_STOP = 1      /* normalisers held constant per sample (stop-gradient)          */
} ms_ann_norm_grad;
typedef enum ms_ann_soma_grad {
    MS_ANN_SOMA_EXACT = 0,    /* zero below theta, where the soma is clamped                    */
    MS_ANN_SOMA_THROUGH = 1   /* straight-through: the unclamped tanh's slope below theta too   */
} ms_ann_soma_grad;

typedef struct ms_ann_train_opts {
    int epochs;               /* >= 1 (default 1)                                             */
    double lr;                /* learning rate > 0 (default 0.1, docs/ann.md "Choices")        */
    size_t batch;             /* samples per step, >= 1 (default 128, the official value)      */
    double weight_decay;      /* L2 coefficient added to the gradient (default 5e-4, official) */
    double momentum;          /* in [0, 1) (default 0; the official code's SGD has 0.9, docs/ann.md) */
    double logit_scale;       /* logits = logit_scale * a_out, > 0 (default 3)                 */
    double weight_noise;      /* >= 0: each batch runs with w + sigma N(0, 1), sigma =
                                 weight_noise * max|w| of the weight's own matrix (default 0)  */
    uint64_t seed;            /* shuffling and weight noise (default 1)                        */
    int shuffle;              /* 1 (default): a new order every epoch; 0: in order             */
    ms_ann_norm_grad norm_grad; /* default MS_ANN_NORM_EXACT                                  */
    ms_ann_soma_grad soma_grad; /* default MS_ANN_SOMA_EXACT                                  */
    double activity;          /* >= 0 (default 0): adds activity * sum_j max(0, s_j) over every
                                 soma of both layers to each sample's loss: the soma input that
                                 a device network's soma current is proportional to, so the Li
                                 2020 power metric (power-aware training, docs/ann.md)         */
    const ms_noise_opts *noise; /* train on noisy images (NULL: clean); epoch e (from 0) uses
                                 noise seed noise->seed + e, fresh noise every epoch            */
    /* Called after every batch with the epoch (from 0), the batch (from 0), the number of
     * batches per epoch and the batch's mean loss; nonzero stops training (MS_EINTR). */
    int (*progress)(void *ud, int epoch, size_t batch, size_t n_batches, double loss);
    void *progress_ud;
} ms_ann_train_opts;

void ms_ann_train_opts_default(ms_ann_train_opts *o);

/* Trains on d (labels required). epoch_loss (optional, `epochs` entries) gets each epoch's mean
 * sample loss. MS_EINVAL for bad options or data (a label out of range names the sample),
 * MS_EINTR when the callback stopped it (the weights of the last finished batch are kept),
 * MS_ENOMEM. */
ms_status ms_ann_train(ms_ann *a, const ms_ann_data *d, const ms_ann_train_opts *o, double *epoch_loss);

/* Fraction of d's samples whose largest output is their label (ties go to the lower class),
 * each with the image noise of `noise` (NULL: none). */
ms_status ms_ann_accuracy(ms_ann *a, const ms_ann_data *d, const ms_noise_opts *noise, double *acc);

/* ---- the weight file (neurons/ann_io.c) -------------------------------------------------- */

/* Writes the network to path in the format of docs/ann.md ("MSANN1", little-endian). */
ms_status ms_ann_save(ms_ann *a, const char *path);
/* A new network from a weight file. MS_EIO (cannot open, truncated, trailing bytes, bad
 * magic), MS_EINVAL (impossible sizes or options, non-finite weights), MS_ENOMEM. */
ms_status ms_ann_load(const char *path, ms_ann **out, char *msg, size_t len);
/* Reads a weight file into an existing network whose shape (sizes, branches, bands) it must
 * match: "ann: weight file 'f' has 100 hidden units, expected 200". The options stored in the
 * file (dendrites, NL, theta) replace the network's. */
ms_status ms_ann_load_weights(ms_ann *a, const char *path);

#endif

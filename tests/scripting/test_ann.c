/* memsnn.ann and memsnn.data.noisy (scripting/l_ann.c, docs/ann.md): training and evaluating
 * from tensors, predictions, hidden activations, weights by layer and branch, bands, saving and
 * loading, noisy images, and every kind of bad input as a Lua error at the script line. Small
 * IDX files of 4 x 4 images are written to the test folder; chunks run in-process. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ms_rng.h"
#include "tests/scripting/lua_chunk.h"
#include "tests/scripting/tiny_digits.h"

static char dir[1024];

static void setup(void)
{
    tiny_digits_folder("ann", dir, sizeof dir);
    tiny_write_set(dir, "short", 10, 3);
    lua_chunk_open();
    lua_pushstring(L, dir);
    lua_setglobal(L, "DIR");
}

TestSuite(lua_ann, .init = setup, .fini = lua_chunk_close, .timeout = 60);

/* Everything on line 1, so a chunk's second line is line 2. */
#define PRELUDE                                                                                                 \
    "local memsnn = require('memsnn') local D = memsnn.data "                                                   \
    "local tr, trl = D.idx(DIR .. '/train-images'), D.idx(DIR .. '/train-labels') "                             \
    "local te, tel = D.idx(DIR .. '/test-images'), D.idx(DIR .. '/test-labels') "                               \
    "local function net(o) o = o or {} local t = { inputs = 16, hidden = 32, outputs = 4, branches = 4, "      \
    "  out_branches = 2, seed = 5 } for k, v in pairs(o) do t[k] = v end return memsnn.ann.dendritic(t) end "




Test(lua_ann, trains_and_evaluates)
{
    double acc = num(PRELUDE
                     "local a = net() "
                     "local r = a:train{ images = tr, labels = trl, epochs = 20, batch = 16, soma_grad = 'through', "
                     "  progress = false } "
                     "assert(#r.loss == 20 and r.loss[20] < r.loss[1] and r.seconds >= 0) "
                     "return a:accuracy{ images = te, labels = tel }");
    cr_assert(acc > 0.9, "dendritic accuracy %g", acc);
    acc = num(PRELUDE
              "local a = net{ dendrites = false } "
              "a:train{ images = tr.data, labels = trl.data, epochs = 20, batch = 16, soma_grad = 'through', progress = false } "
              "return a:accuracy{ images = te, labels = tel }");
    cr_assert(acc > 0.9, "control accuracy %g", acc);
}

Test(lua_ann, predict_hidden_weights_bands)
{
    double ok = num(PRELUDE
                    "local a = net() "
                    "a:train{ images = tr, labels = trl, epochs = 20, batch = 16, soma_grad = 'through', progress = false } "
                    "local right = 0 "
                    "for k = 1, #te.data do "
                    "  local c, out = a:predict(te, k) "
                    "  assert(math.type(c) == 'integer' and c >= 0 and c <= 3 and #out == 4) "
                    "  for j = 1, 4 do assert(out[j] <= out[c + 1]) end "
                    "  if c == tel.data:get(k) then right = right + 1 end "
                    "end "
                    "assert(right / #te.data == a:accuracy{ images = te, labels = tel }) "
                    "local h, br = a:hidden(te, 1) "
                    "assert(#h == 32 and #br == 4 and #br[1] == 32) "
                    "local w1 = a:layer_weights(1, 2) "
                    "assert(w1.rows == 4 and w1.cols == 32 and #w1.w == 128) "
                    "local w2 = a:layer_weights(2, 2) "
                    "assert(w2.rows == 16 and w2.cols == 4 and #w2.w == 64) "
                    "local b = a:band(2) "
                    "assert(#b == 4 and b[1] == 5 and b[4] == 8) "
                    "local i = a:info() "
                    "assert(i.inputs == 16 and i.hidden == 32 and i.branches == 4 and i.out_branches == 2 and i.dendrites) "
                    "assert(math.abs(i.alpha - 50 / 9) < 1e-12 and i.weights == 16 * 32 + 32 * 4) "
                    "assert(tostring(a):find('16%-32%-4, dendritic')) "
                    /* set_layer_weights: zeroing layer 2 silences the outputs */
                    "for g = 1, 2 do local w = a:layer_weights(2, g) for q = 1, #w.w do w.w[q] = 0 end "
                    "  a:set_layer_weights(2, g, w) end "
                    "local _, out = a:predict(te, 1) "
                    "for j = 1, 4 do assert(out[j] == 0) end "
                    "return right");
    cr_assert(ok >= 36, "%g of 40 right", ok);
    /* band_of as a function: columns as bands */
    num(PRELUDE
        "local a = net{ band_of = function(i) return (i - 1) % 4 + 1 end } "
        "local b = a:band(1) "
        "assert(#b == 4 and b[1] == 1 and b[2] == 5 and b[3] == 9 and b[4] == 13) "
        "return 0");
}

Test(lua_ann, save_and_load)
{
    char chunk[4096];
    snprintf(chunk, sizeof chunk,
             PRELUDE
             "local a = net() "
             "a:train{ images = tr, labels = trl, epochs = 2, progress = false } "
             "local p = a:save(DIR .. '/net.msann') "
             "assert(p == DIR .. '/net.msann') "
             "local b = memsnn.ann.load(p) "
             "local c = net{ seed = 99 } "
             "assert(c:load(p) == c) "
             "for k = 1, 10 do "
             "  local ca, oa = a:predict(te, k) local cb, ob = b:predict(te, k) local cc, oc = c:predict(te, k) "
             "  for j = 1, 4 do assert(oa[j] == ob[j] and oa[j] == oc[j]) end "
             "end "
             "local wa, wb = a:layer_weights(1, 3), b:layer_weights(1, 3) "
             "for q = 1, #wa.w do assert(wa.w[q] == wb.w[q]) end "
             "return a:accuracy{ images = te, labels = tel } - b:accuracy{ images = te, labels = tel }");
    cr_assert_eq(num(chunk), 0.0);
}

Test(lua_ann, noisy_images)
{
    double v = num(PRELUDE
                   "local x = D.noisy(te, 3, { sigma = 0.1, seed = 2 }) "
                   "local y = D.noisy(te, 3, { sigma = 0.1, seed = 2 }) "
                   "local z = D.noisy(te, 3, { sigma = 0.1, seed = 3 }) "
                   "local c = D.noisy(te, 3, { clutter = 2 }) "
                   "local clean = D.noisy(te, 3, {}) "
                   "local row = te.data:row(3, 1 / 255) "
                   "assert(#x == 16) "
                   "local same, differ = true, false "
                   "for i = 1, 16 do "
                   "  assert(x[i] >= 0 and x[i] <= 1 and c[i] >= clean[i]) "
                   "  assert(clean[i] == row[i]) "
                   "  same = same and x[i] == y[i] differ = differ or x[i] ~= z[i] "
                   "end "
                   "assert(same and differ) "
                   /* the flat (n x 16) tensor gets the same Gaussian noise; clutter needs a shape */
                   "local flat = D.idx(DIR .. '/test-flat') "
                   "local f = D.noisy(flat, 3, { sigma = 0.1, seed = 2 }) "
                   "for i = 1, 16 do assert(f[i] == x[i]) end "
                   /* noise in accuracy and predict; sigma 0 is no noise */
                   "local a = net() "
                   "assert(a:accuracy{ images = te, labels = tel, noise = { sigma = 0 } } == a:accuracy{ images = te, labels = tel }) "
                   "local _, o1 = a:predict(te, 3, { sigma = 0.1, seed = 2 }) "
                   "local _, o2 = a:predict(te, 3, { sigma = 0.1, seed = 2 }) "
                   "for j = 1, 4 do assert(o1[j] == o2[j]) end "
                   "a:train{ images = tr, labels = trl, epochs = 1, noise = { sigma = 0.2, clutter = 1 }, progress = false } "
                   "return a:accuracy{ images = te, labels = tel, noise = { sigma = 0.3, clutter = 2, seed = 7 } }");
    cr_assert(v >= 0 && v <= 1);
}

Test(lua_ann, bad_input_is_an_error_at_the_script_line)
{
    expect_error(PRELUDE "\nmemsnn.ann.dendritic{ inputs = 16, hiden = 3, outputs = 4 }", 2,
                 "ann.dendritic: unknown option 'hiden'");
    expect_error(PRELUDE "\nmemsnn.ann.dendritic{ hidden = 3, outputs = 4 }", 2, "option 'inputs' is required");
#define DEND "\nmemsnn.ann.dendritic{ inputs = 16, hidden = 32, outputs = 4, branches = 4, "
    expect_error(PRELUDE DEND "band_of = function(i) return i == 3 and 5 or 1 end }", 2,
                 "ann.dendritic: band_of(3) = 5 is not a branch 1..4");
    expect_error(PRELUDE DEND "band_of = function(i) return 1 end }", 2, "branch 2 (of 4, counting from 1) has no inputs");
    expect_error(PRELUDE DEND "nonlinearity = 1.5 }", 2, "nonlinearity = 1.5 must be in [0, 1)");
    expect_error(PRELUDE "\nmemsnn.ann.dendritic{ inputs = 16, hidden = 32, outputs = 4, branches = 17 }", 2, "'branches' = 17 must be a whole number in 1..16");
    expect_error(PRELUDE "local a = net{ inputs = 784 }\na:train{ images = tr, labels = trl }", 2,
                 "ann:train: the images have 4 x 4 = 16 values each, the network has 784 inputs");
    expect_error(PRELUDE "local a = net()\na:train{ images = tr, labels = D.idx(DIR .. '/short-labels') }", 2,
                 "ann:train: there are 10 labels for 400 images");
    expect_error(PRELUDE "local a = net()\na:train{ images = tr, labels = tr }", 2,
                 "labels must be one value per sample (a 1-dimensional tensor), got 3 dimensions");
    expect_error(PRELUDE "local a = net()\na:train{ images = tr, labels = trl, epoch = 3 }", 2,
                 "ann:train: unknown option 'epoch'");
    expect_error(PRELUDE "local a = net()\na:train{ images = {1, 2}, labels = trl }", 2,
                 "ann:train: images must be a memsnn.tensor");
    expect_error(PRELUDE "local a = net()\na:train{ labels = trl }", 2, "ann:train: option 'images' is required");
    expect_error(PRELUDE "local a = net()\na:train{ images = tr, labels = trl, n = 500 }", 2,
                 "option 'n' = 500 must be a whole number in 1..400");
    expect_error(PRELUDE "local a = net()\na:train{ images = tr, labels = trl, offset = 300, n = 200 }", 2,
                 "offset 300 + n 200 is beyond the 400 samples");
    expect_error(PRELUDE "local a = net()\na:train{ images = tr, labels = trl, lr = -1, progress = false }", 2,
                 "ann:train: lr = -1 must be > 0");
    expect_error(PRELUDE "local a = net()\na:train{ images = tr, labels = trl, norm_grad = 'approx' }", 2,
                 "norm_grad = 'approx' is not one of exact, stop");
    expect_error(PRELUDE "local a = net{ outputs = 3 }\na:train{ images = tr, labels = trl, progress = false }", 2,
                 "label 4 is 3, outside the classes 0..2");
    expect_error(PRELUDE "local a = net()\na:accuracy{ images = te, labels = tel, noise = { sigma = 0.1, blur = 2 } }", 2,
                 "ann:accuracy: noise: unknown noise type 'blur' (expected: clutter, seed, sigma)");
    expect_error(PRELUDE "local a = net()\na:accuracy{ images = te, labels = tel, noise = { sigma = 'high' } }", 2,
                 "noise.sigma must be a number, got string");
    expect_error(PRELUDE "local a = net()\na:accuracy{ images = te, labels = tel, noise = { sigma = -0.1 } }", 2,
                 "noise: sigma = -0.1 must be finite and >= 0");
    expect_error(PRELUDE "\nD.noisy(D.idx(DIR .. '/test-flat'), 1, { clutter = 1 })", 2,
                 "data.noisy: noise: clutter needs images of rows x cols pixels");
    expect_error(PRELUDE "\nD.noisy(te, 41, { sigma = 0.1 })", 2, "data.noisy: sample 41 is outside 1..40");
    expect_error(PRELUDE "local a = net()\na:predict(te, 0)", 2, "ann:predict: sample 0 is outside 1..40");
    expect_error(PRELUDE "local a = net()\na:layer_weights(3, 1)", 2, "ann:layer_weights: layer 3 does not exist (1 or 2)");
    expect_error(PRELUDE "local a = net()\na:layer_weights(2, 3)", 2, "ann:layer_weights: layer 2 has branches 1..2, got 3");
    expect_error(PRELUDE "local a = net()\na:set_layer_weights(1, 1, {1, 2, 3})", 2,
                 "layer 1 branch 1 has 4 x 32 = 128 weights, got 3");
    expect_error(PRELUDE "local a = net() a:save(DIR .. '/h32.msann') local b = net{ hidden = 16 }\nb:load(DIR .. '/h32.msann')",
                 2, "has 32 hidden units, expected 16");
    expect_error(PRELUDE "\nmemsnn.ann.load(DIR .. '/train-labels')", 2, "ann.load: '");
    expect_error(PRELUDE "\nmemsnn.ann.load(DIR .. '/nothing.msann')", 2, "ann.load: cannot open weight file");
}

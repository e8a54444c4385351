/* memsnn.crossbar and the hybrid-training methods of memsnn.ann (scripting/l_xbar.c,
 * docs/lua-api.md): a crossbar's round trip from Lua, ann:map / ann:adapt / ann:accuracy on
 * arrays, and the bad-input messages: a learning rule on a static (software) network, a
 * fraction of the data outside (0, 1], an unknown update rule. */
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
    tiny_digits_folder("hybrid", dir, sizeof dir);
    lua_chunk_open();
    lua_pushstring(L, dir);
    lua_setglobal(L, "DIR");
}

static void teardown(void)
{
    lua_chunk_close();
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) cr_log_warn("could not remove %s", dir);
}

TestSuite(lua_hybrid, .init = setup, .fini = teardown, .timeout = 60);

#define PRELUDE                                                                                                        \
    "local tr = memsnn.data.idx(DIR .. '/train-images') "                                                              \
    "local trl = memsnn.data.idx(DIR .. '/train-labels') "                                                             \
    "local te = memsnn.data.idx(DIR .. '/test-images') "                                                               \
    "local tel = memsnn.data.idx(DIR .. '/test-labels') "                                                              \
    "local a = memsnn.ann.dendritic{ inputs = 16, hidden = 8, outputs = 4, dendrites = false } "                      \
    "a:train{ images = tr, labels = trl, epochs = 10, batch = 16, logit_scale = 10, soma_grad = 'through', "          \
    "  progress = false } "

Test(lua_hybrid, crossbar_round_trip)
{
    double v = num("local c = memsnn.crossbar{ weights = { {0.5, -0.25}, {1.0, 0} }, seed = 3 } "
                   "local i, o = c:size() assert(i == 2 and o == 2) "
                   "local m = c:mapping() assert(m.devices == 8 and m.synapses == 4 and m.tiles == 1 and m.w_max == 1) "
                   "local I = c:forward({ 1, 0 }, false) "
                   "local g = c:conductances() "
                   "assert(math.abs(I[1] - 0.2 * (g.pos[1] - g.neg[1])) < 1e-18) "
                   "local r = c:update_sign{ x = { 1, 0 }, err = { 1, -1 }, threshold = 0.1 } "
                   "assert(r.pulses == 2 and r.set == 2 and r.reset == 0 and r.energy > 0) "
                   "local e = c:energy() assert(e.update_pulses == 2 and e.synapse_write == r.energy and e.reads == 1) "
                   "local w = c:wear() assert(#w == 8 and w[1] == 1 and w[4] == 1 and w[2] == 0) "
                   "c:age(3600) assert(c:mapping().age == 3600) c:age(0) "
                   "local p = c:program() assert(p.pulses > 0) "
                   "return #c:weights()");
    cr_assert_eq(v, 4);
}

Test(lua_hybrid, map_adapt_and_evaluate)
{
    double v = num(PRELUDE
                   "local sw = a:accuracy{ images = te, labels = tel } "
                   "local c1, c2 = a:map{ array = { p_stuck_on = 0.05, p_stuck_off = 0.05 }, seed = 2 } "
                   "local t = a:accuracy{ images = te, labels = tel, crossbars = { c1, c2 } } "
                   "local r = a:adapt{ crossbars = { c1, c2 }, images = tr, labels = trl, fraction = 0.25, "
                   "  threshold = 0.1, logit_scale = 10, seed = 2 } "
                   "assert(r.samples == 100 and r.presentations == 100 and r.pulses > 0 and r.energy > 0) "
                   "assert(c1:energy().update_pulses == 0 and c2:energy().update_pulses == r.pulses) "
                   "local ad = a:accuracy{ images = te, labels = tel, crossbars = { c1, c2 } } "
                   "print(string.format('software %.3f transfer %.3f adapted %.3f', sw, t, ad)) "
                   "assert(ad >= t) "
                   "return ad");
    cr_assert(v > 0.9, "adapted %g", v);
}

Test(lua_hybrid, bad_input_is_an_error_at_the_script_line)
{
    expect_error(PRELUDE "\na:adapt{ images = tr, labels = trl, fraction = 0.1 }", 2,
                 "ann:adapt: option 'crossbars' is required: the software network's weights are static; "
                 "map it with ann:map and pass { crossbar1, crossbar2 }");
    expect_error(PRELUDE "local c1, c2 = a:map{}\na:adapt{ crossbars = { c1, c2 }, images = tr, labels = trl, fraction = 0 }",
                 2, "ann:adapt: fraction = 0 of the data must be in (0, 1] (0.03 is 3 %)");
    expect_error(PRELUDE "local c1, c2 = a:map{}\na:adapt{ crossbars = { c1, c2 }, images = tr, labels = trl, fraction = 1.2 }",
                 2, "ann:adapt: fraction = 1.2 of the data must be in (0, 1] (0.03 is 3 %)");
    expect_error(PRELUDE "local c1, c2 = a:map{}\na:adapt{ crossbars = { c1, c2 }, images = tr, labels = trl, rule = 'hebb' }",
                 2, "ann:adapt: unknown update rule 'hebb' (known: sign, one SET or RESET pulse per device, Zhang et al. 2018)");
    expect_error(PRELUDE "\na:adapt{ crossbars = { 1, 2 }, images = tr, labels = trl }", 2,
                 "ann:adapt: crossbars[1] must be a memsnn.crossbar (a mapped device array), got number");
    expect_error("local c = memsnn.crossbar{ weights = { { 1 } } }\nc:update_sign{ x = { 1 }, err = { 1 }, rule = 'oja' }", 2,
                 "crossbar:update_sign: unknown update rule 'oja'");
    expect_error("local c = memsnn.crossbar{ weights = { { 1 } } }\nc:age(-5)", 2,
                 "crossbar:age: age t = -5 s must be a finite time >= 0 since programming");
    expect_error("local c = memsnn.crossbar{ weights = { { 1, 2 }, { 3 } } }", 1,
                 "crossbar: weights[2] has 1 values, weights[1] has 2");
    expect_error("local c = memsnn.crossbar{ weights = { { 1 } }, array = { levels = 1 } }", 1,
                 "crossbar: array: option 'levels' = 1 must be a whole number in 2..1000000");
    expect_error("local d = memsnn.ann.dendritic{ inputs = 16, hidden = 8, outputs = 4 }\nd:map{}", 2,
                 "ann:map: the network has dendrites; only the control network (dendrites = false) maps onto arrays");
}

/* memsnn.reservoir from Lua with non-ideal devices and the readout on an RRAM array
 * (scripting/l_reservoir.c, docs/lua-api.md "Reservoirs"): the options reach the devices,
 * the same seed gives the same result with noise on, train{array} returns the array's
 * outputs and predict reads through it, and bad values are named at the script line. */
#include "tests/scripting/lua_chunk.h"

TestSuite(lua_reservoir, .init = lua_chunk_open, .fini = lua_chunk_close, .timeout = 30);

/* 300 Henon steps to train, 300 to test */
#define DATA                                                                                       \
    "local d = memsnn.reservoir_task('henon', { steps = 600, seed = 1 }) "                         \
    "local u, y = { table.unpack(d.input, 1, 300) }, { table.unpack(d.target, 1, 300) } "          \
    "local ut, yt = { table.unpack(d.input, 301, 600) }, { table.unpack(d.target, 301, 600) } "

Test(lua_reservoir, same_seed_same_result_with_noise_and_noise_off_is_ideal)
{
    /* the test NRMSE of two reservoirs with every noise on and one seed: equal */
    const char *noisy = DATA
        "local function go(s) local r = memsnn.reservoir{ n = 10, variation = 0.1, read_noise = 1e-3, c2c = 0.02, "
        "seed = s } r:train(u, y, { ridge = 1e-9 }) return memsnn.nrmse(r:predict(ut), yt, { from = 10 }) end "
        "return go(4) - go(4)";
    cr_assert_eq(num(noisy), 0.0);
    const char *other = DATA
        "local function go(s) local r = memsnn.reservoir{ n = 10, variation = 0.1, read_noise = 1e-3, c2c = 0.02, "
        "seed = s } r:train(u, y, { ridge = 1e-9 }) return memsnn.nrmse(r:predict(ut), yt, { from = 10 }) end "
        "return go(4) - go(5)";
    cr_assert_neq(num(other), 0.0);
    /* explicit zeros = the defaults, to the bit */
    const char *zero = DATA
        "local a = memsnn.reservoir{ n = 10 } local b = memsnn.reservoir{ n = 10, variation = 0, read_noise = 0, c2c = 0 } "
        "local xa, xb = a:drive(u), b:drive(u) local n = 0 "
        "for t = 1, #xa do for k = 1, #xa[t] do if xa[t][k] ~= xb[t][k] then n = n + 1 end end end return n";
    cr_assert_eq(num(zero), 0.0);
}

Test(lua_reservoir, the_readout_on_an_array_reads_through_the_crossbar)
{
    /* an ideal array (open loop, no noise): the array's test outputs stay close to the
     * software ones; the fit hands back the crossbar it mapped */
    const char *chunk = DATA
        "local r = memsnn.reservoir{ n = 25 } "
        "local fit = r:train(u, y, { weight_noise = 0.01, array = { write_verify = false } }) "
        "assert(fit.crossbar:size() == 100 and fit.ridge > 0 and fit.nrmse_array and #fit.output_array == 300) "
        "local sw, hw = r:predict(ut), r:predict(ut, { readout = 'array' }) local worst = 0 "
        "for i = 1, #sw do worst = math.max(worst, math.abs(sw[i] - hw[i])) end return worst";
    double worst = num(chunk);
    cr_log_info("ideal array, 300 Henon test steps: largest |array - software| %.4g", worst);
    cr_assert(worst > 0 && worst < 0.1, "%g", worst);
    /* a plain fit afterwards drops the array */
    expect_error(DATA "local r = memsnn.reservoir{ n = 5 } r:train(u, y, { array = {} }) r:train(u, y)\n"
                      "r:predict(ut, { readout = 'array' })", 2,
                 "reservoir:predict: readout = 'array' needs a readout mapped by train{ array = {...} }");
}

Test(lua_reservoir, bad_values_are_named_at_the_line)
{
    expect_error("\nmemsnn.reservoir{ read_noise = -0.1 }", 2,
                 "reservoir: read_noise = -0.1 must lie in [0, 1] (a relative sigma: 0.01 is 1 %)");
    expect_error("\nmemsnn.reservoir{ c2c = 2 }", 2, "reservoir: c2c = 2 must lie in [0, 1] (a relative sigma");
    expect_error("\nmemsnn.reservoir{ variation = -1 }", 2, "reservoir: variation = -1 must lie in [0, 1]");
    expect_error("\nmemsnn.reservoir{ device = 'rram', method = 'ode', variation = 0.1 }", 2,
                 "reservoir: variation = 0.1: device 'rram' has no variation law (no d2d parameter)");
    expect_error("\nmemsnn.reservoir{ c2c = 0.1, method = 'ode' }", 2,
                 "reservoir: c2c = 0.1 needs method 'exact' or 'map'");
    expect_error(DATA "\nmemsnn.reservoir{}:train(u, y, { weight_noise = -0.5 })", 2,
                 "reservoir:train: weight_noise = -0.5 must lie in [0, 1]");
    expect_error(DATA "\nmemsnn.reservoir{}:train(u, y, { array = { levels = 1 } })", 2,
                 "reservoir:train: array: option 'levels' = 1 must be a whole number in 2..1000000");
    expect_error(DATA "local r = memsnn.reservoir{} r:train(u, y)\nr:predict(ut, { readout = 'chip' })", 2,
                 "reservoir:predict: readout = 'chip' is unknown (expected: software, array)");
    /* A script can call __gc itself (the Lua fuzzer did): a method afterwards is an error, a
     * second __gc is harmless (tests/fuzz/corpus/lua/regress-reservoir-freed). */
    expect_error("local r = memsnn.reservoir{ n = 2, mask_length = 2 }\n"
                 "getmetatable(r).__gc(r) getmetatable(r).__gc(r)\nr:mask()", 3,
                 "reservoir: the reservoir has been freed");
}

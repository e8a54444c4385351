/* Every public Lua function and method answers bad input with an error at the caller's script
 * line that names the function: an unknown option (with the list of known ones) for those that
 * take an option table, a wrong argument type for the others. One row per function, so a new
 * function without its row is easy to see (docs/reliability.md, "What each public function
 * rejects"); the values each rejects are tested in the test file of its layer. */
#include "tests/scripting/lua_chunk.h"

TestSuite(errors, .init = lua_chunk_open, .fini = lua_chunk_close, .timeout = 30);

/* objects every row may use; then the call on line 2 */
#define SETUP                                                                                      \
    "local net = memsnn.network{} local pop = net:population{ n = 2, model = 'lif_cond_exp' } "    \
    "local src = net:poisson{ n = 2, rate = 10 } local prj = net:connect(src, pop, { weight = 1e-9, port = 'exc' }) " \
    "local d = memsnn.device('rram') local ann = memsnn.ann.dendritic{ inputs = 4, hidden = 2, outputs = 2 } " \
    "local x = memsnn.crossbar{ weights = { { 0.5, -0.25 }, { 1.0, 0 } } } "                      \
    "local plain = memsnn.ann.dendritic{ inputs = 4, hidden = 2, outputs = 2, dendrites = false } " \
    "local bad = { bogus_option = 1 }\n"

typedef struct row { const char *call, *frag; } row;

static const row option_tables[] = {
    { "memsnn.network(bad)", "network: unknown option 'bogus_option' (expected: seed," },
    { "net:population(bad)", "population: unknown option 'bogus_option' (expected: n," },
    { "net:poisson(bad)", "poisson: unknown option 'bogus_option' (expected: n," },
    { "net:spike_source(bad)", "spike_source: unknown option 'bogus_option' (expected: times," },
    { "net:connect(src, pop, bad)", "connect: unknown option 'bogus_option' (expected:" },
    { "net:current(bad)", "current: unknown option 'bogus_option' (expected: target," },
    { "net:record(pop, 'v', bad)", "record: unknown option 'bogus_option' (expected:" },
    { "memsnn.circuit(bad)", "circuit: unknown option 'bogus_option' (expected: name," },
    { "memsnn.dendritic_neuron(bad)", "dendritic_neuron: unknown option 'bogus_option' (expected: branches," },
    { "memsnn.point_neuron(bad)", "point_neuron: unknown option 'bogus_option' (expected: branches," },
    { "memsnn.ann.dendritic(bad)", "ann.dendritic: unknown option 'bogus_option' (expected: inputs," },
    { "ann:train(bad)", "ann:train: unknown option 'bogus_option' (expected: images," },
    { "ann:accuracy(bad)", "ann:accuracy: unknown option 'bogus_option' (expected: images," },
    { "d:drive(bad)", "drive: unknown option 'bogus_option' (expected: t, v," },
    { "d:sweep(bad)", "sweep: unknown option 'bogus_option' (expected: v_max," },
    { "d:pulses(bad)", "pulses: unknown option 'bogus_option' (expected: v," },
    { "d:program(bad)", "program: unknown option 'bogus_option' (expected: target," },
    { "d:current_step(bad)", "current_step: unknown option 'bogus_option' (expected: i," },
    { "d:read(bad)", "read: unknown option 'bogus_option' (expected: v)" },
    { "d:relax(bad)", "relax: unknown option 'bogus_option' (expected: t, xi)" },
    { "d:endure(bad)", "endure: unknown option 'bogus_option' (expected: protocol, cycles," },
    { "memsnn.plot.raster(bad)", "raster: unknown option 'bogus_option' (expected: file," },
    { "memsnn.plot.traces(bad)", "traces: unknown option 'bogus_option' (expected: file," },
    { "memsnn.plot.power(bad)", "power: unknown option 'bogus_option' (expected: file," },
    { "memsnn.plot.iv(bad)", "iv: unknown option 'bogus_option' (expected: file," },
    { "memsnn.plot.xy(bad)", "xy: unknown option 'bogus_option' (expected: file," },
    { "memsnn.plot.heatmap(bad)", "heatmap: unknown option 'bogus_option' (expected: file," },
    { "memsnn.crossbar(bad)", "crossbar: unknown option 'bogus_option' (expected: weights, array, seed)" },
    { "plain:map(bad)", "ann:map: unknown option 'bogus_option' (expected: array, seed)" },
    { "plain:adapt(bad)", "ann:adapt: unknown option 'bogus_option' (expected: crossbars," },
    { "x:update_sign(bad)", "crossbar:update_sign: unknown option 'bogus_option' (expected: x, err," },
};

static const row wrong_types[] = {
    { "memsnn.device(bad)", "bad argument #1 to 'device' (string expected, got table)" },
    { "memsnn.device_params(bad)", "bad argument #1 to 'device_params' (string expected, got table)" },
    { "memsnn.params(bad)", "bad argument #1 to 'params' (string expected, got table)" },
    { "memsnn.write_csv(bad)", "bad argument #1 to 'write_csv' (string expected, got table)" },
    { "memsnn.write_npy(bad)", "bad argument #1 to 'write_npy' (string expected, got table)" },
    { "memsnn.data.idx(bad)", "bad argument #1 to 'idx' (string expected, got table)" },
    { "memsnn.data.noisy(bad)", "data.noisy: images must be a memsnn.tensor" },
    { "memsnn.ann.load(bad)", "bad argument #1 to 'load' (string expected, got table)" },
    { "net:run(bad)", "bad argument #1 to 'run' (number expected, got table)" },
    { "net:connect(bad, pop)", "bad argument #1 to 'connect' (memsnn.Population expected, got table)" },
    { "pop:get(bad)", "bad argument #1 to 'get' (string expected, got table)" },
    { "pop:trace(bad)", "bad argument #1 to 'trace' (string expected, got table)" },
    { "pop:initialize(bad)", "initialize: model lif_cond_exp has no state variable 'bogus_option'" },
    { "pop:spikes()", "spikes: spikes of 'lif_cond_exp' are not recorded" },
    { "src:reset()", "reset: 'poisson' has no state to reset" },
    { "prj:set_row_gain(bad)", "set_row_gain: the projection has static synapses" },
    { "prj:mapping()", "mapping: the projection has static synapses" },
    { "prj:conductances()", "conductances: the projection has static synapses" },
    { "prj:update_sign(bad)", "projection:update_sign: the projection has static synapses" },
    { "prj:program(bad)", "projection:program: the projection has static synapses" },
    { "prj:age(bad)", "projection:age: the projection has static synapses" },
    { "prj:wear()", "projection:wear: the projection has static synapses" },
    { "d:set_state(bad)", "set_state: rram has no state 'bogus_option'" },
    { "ann:predict(bad)", "ann:predict: images must be a memsnn.tensor" },
    { "ann:hidden(bad)", "ann:hidden: images must be a memsnn.tensor" },
    { "ann:band(bad)", "bad argument #1 to 'band' (number expected, got table)" },
    { "ann:layer_weights(bad)", "bad argument #1 to 'layer_weights' (number expected, got table)" },
    { "ann:set_layer_weights(bad)", "bad argument #1 to 'set_layer_weights' (number expected, got table)" },
    { "ann:save(bad)", "bad argument #1 to 'save' (string expected, got table)" },
    { "ann:load(bad)", "bad argument #1 to 'load' (string expected, got table)" },
    { "x:forward(bad)", "crossbar:forward: inputs has 0 values, the array has 2" },
    { "x:program(bad)", "crossbar:program: weights has 0 rows, the array has 2 inputs" },
    { "x:age(bad)", "bad argument #1 to 'age' (number expected, got table)" },
};

static void check_rows(const row *rows, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        char chunk[2048];
        snprintf(chunk, sizeof chunk, SETUP "%s", rows[k].call);
        expect_error(chunk, 2, rows[k].frag);
    }
}

Test(errors, functions_with_options_name_themselves_and_the_unknown_option)
{
    check_rows(option_tables, sizeof option_tables / sizeof *option_tables);
}

Test(errors, functions_with_arguments_name_themselves_and_the_wrong_one)
{
    check_rows(wrong_types, sizeof wrong_types / sizeof *wrong_types);
}

/* Circuits of devices in networks (neurons/circuit*.c, scripting/l_circuit.c), RRAM device
 * synapses (scripting/l_crossbar.c, core/synapse_device.c) and the energy ledger
 * (core/energy.c, scripting/l_energy.c): a hand-built circuit equals the built-in one spike
 * for spike, a soma circuit equals the single-device drive, the static dendrite's transfer
 * function, the soma's firing rate, dendritic filtering, energy that balances, mapping, and
 * every kind of bad input as a Lua error at the script line. Chunks run in-process. */
#include <criterion/criterion.h>
#include <math.h>

#include "devices/ms_dendrite.h"
#include "devices/ms_device.h"
#include "devices/ms_soma.h"
#include "tests/scripting/lua_chunk.h"

TestSuite(circuit, .init = lua_chunk_open, .fini = lua_chunk_close, .timeout = 120);

#define PRELUDE "local memsnn = require('memsnn') local u = memsnn.units "




/* Inputs used by several tests: 8 rows; rows 1-4 feed branch 1, rows 5-8 branch 2 of a
 * two-branch neuron through RRAM synapses read in virtual-ground mode at 3 V for 2 us. */
#define LAYER                                                                                              \
    "local function connect(net, src, tgt, vg) "                                                           \
    "  for b = 1, 2 do local w = {} "                                                                      \
    "    for i = 1, 8 do w[i] = ((i <= 4) == (b == 1)) and 1 or 0 end "                                    \
    "    net:connect(src, tgt, { rule = 'all_to_all', synapse = 'rram', weight = w, delay = 1e-6, "        \
    "      port = 'b' .. b, array = { v_read = 3.0, t_read = 2e-6, virtual_ground = vg, w_max = 1, "        \
    "      write_verify = false } }) end end "

/* ---- the circuit language ------------------------------------------------------------------ */

Test(circuit, hand_built_equals_builtin)
{
    /* The one-branch dendritic neuron written out by hand. */
    double diff = num(PRELUDE LAYER
        "local hand = memsnn.circuit{ name = 'hand', nodes = { 'soma', 'b1' }, "
        "  devices = { { 'soma', 'mott_soma', 'soma', 'gnd' }, { 'd1', 'nmda_dendrite', 'b1', 'soma' } }, "
        "  resistors = { { 'r1', 'b1', 'gnd', 1e4 } }, ports = { { 'b1', 'b1' } }, spike = 'soma' } "
        "local times = {} for i = 1, 8 do times[i] = {} for k = 0, 9 do times[i][k + 1] = 5e-6 + k * 4e-6 end end "
        "local res = {} "
        "for _, model in ipairs{ hand, 'dendritic_neuron' } do "
        "  local net = memsnn.network{ seed = 3 } "
        "  local src = net:spike_source{ times = times } "
        "  local pop = net:population{ n = 1, model = model, circuit = (model == hand) and nil or { branches = 1 } } "
        "  local w = {} for i = 1, 8 do w[i] = 1 end "
        "  net:connect(src, pop, { synapse = 'rram', weight = w, delay = 1e-6, port = 'b1', "
        "    array = { v_read = 3.0, t_read = 2e-6, virtual_ground = true, w_max = 1 } }) "
        "  net:record(pop, 'spikes') net:run(60e-6) res[#res + 1] = pop:spikes().times end "
        "assert(#res[1] >= 3, 'the hand circuit fired ' .. #res[1] .. ' times') "
        "assert(#res[1] == #res[2], #res[1] .. ' vs ' .. #res[2] .. ' spikes') "
        "local d = 0 for k = 1, #res[1] do d = math.max(d, math.abs(res[1][k] - res[2][k])) end return d");
    cr_assert_eq(diff, 0.0, "spike times differ by %g s", diff);
}

Test(circuit, soma_with_current_source_equals_device_drive)
{
    /* 50 uA into the mott_soma node: the circuit's spikes are the drive's spikes. */
    double err = num(PRELUDE
        "local I = 50 * u.uA "
        "local c = memsnn.circuit{ nodes = { 'n' }, devices = { { 'soma', 'mott_soma', 'n', 'gnd' } }, "
        "  currents = { { 'ib', 'n', I } }, spike = 'soma' } "
        "local net = memsnn.network{} local pop = net:population{ n = 1, model = c } "
        "net:record(pop, 'spikes') net:run(100e-6) local s = pop:spikes().times "
        "local r = memsnn.device('mott_soma'):drive{ t = { 0, 100e-6 }, i = { I, I } } "
        "assert(#s >= 5 and #s == #r.spikes, #s .. ' circuit spikes, ' .. #r.spikes .. ' drive spikes') "
        "local isi = s[2] - s[1] local d = 0 "
        "for k = 1, #s do d = math.max(d, math.abs(s[k] - r.spikes[k])) end return d / isi");
    cr_assert_lt(err, 1e-5, "spike times differ by %g of an interval", err);
}

Test(circuit, static_dendrite_follows_transfer_function)
{
    /* dendrite_static between a fixed node at x V_max and a 1 ohm load: its current is
     * I_max (exp(a x) - 1) / (exp(a) - 1) within 1e-6 relative (the load drops <= 1e-4 V_max... */
    const double xs[] = { 0.1, 0.3, 0.5, 0.7, 0.9, 1.0 };
    run(PRELUDE
        "local p = memsnn.device_params('dendrite_static') "
        "local c = memsnn.circuit{ nodes = { 'out' }, fixed = { vin = 1 }, "
        "  devices = { { 'd', 'dendrite_static', 'vin', 'out' } }, resistors = { { 'rl', 'out', 'gnd', 1e-3 } }, "
        "  capacitors = { { 'c', 'out', 'gnd', 1e-15 } } } "
        "local net = memsnn.network{} "
        "local xs = { 0.1, 0.3, 0.5, 0.7, 0.9, 1.0 } "
        "local pop = net:population{ n = 6, model = c, params = { ['vin.V'] = function(i) return xs[i] * p.V_max.default end } } "
        "net:record(pop, 'd.i', { every = 1e-6 }) net:run(2e-6) local tr = pop:trace('d.i') "
        "local out = {} for i = 1, 6 do out[i] = tr[i][#tr[i]] / p.I_max.default end return out, p.NL.default", 2);
    double NL = lua_tonumber(L, -1);
    for (int i = 0; i < 6; i++) {
        lua_geti(L, -2, i + 1);
        double y = lua_tonumber(L, -1), want = ms_dendrite_static_y(NL, xs[i]);
        lua_pop(L, 1);
        cr_assert(fabs(y - want) <= 1e-6 * want + 1e-9, "x = %g: y = %.9g, expected %.9g", xs[i], y, want);
    }
    lua_pop(L, 2);
}

Test(circuit, soma_rate_is_all_or_nothing_and_graded)
{
    /* Rates of a soma fed by constant currents: zero below the rheobase, rising and
     * saturating above it, within 1 % of the closed form (tau_s -> 0) of mott_soma. */
    const double I[] = { 5e-6, 9e-6, 12e-6, 20e-6, 40e-6, 80e-6, 160e-6 };
    run(PRELUDE
        "local I = { 5e-6, 9e-6, 12e-6, 20e-6, 40e-6, 80e-6, 160e-6 } "
        "local c = memsnn.circuit{ nodes = { 'n' }, devices = { { 'soma', 'mott_soma', 'n', 'gnd' } }, "
        "  currents = { { 'ib', 'n', 0 } }, spike = 'soma' } "
        "local net = memsnn.network{} "
        "local pop = net:population{ n = 7, model = c, params = { ['ib.I'] = I } } "
        "net:record(pop, 'spikes') net:run(2e-3) local s = pop:spikes() "
        "local first, last, count = {}, {}, {} "
        "for k = 1, #s.ids do local i = s.ids[k] count[i] = (count[i] or 0) + 1 "
        "  first[i] = first[i] or s.times[k] last[i] = s.times[k] end "
        "local rate = {} for i = 1, 7 do local n = count[i] or 0 "
        "  rate[i] = n >= 3 and (n - 1) / (last[i] - first[i]) or 0 end return rate", 1);
    double p[MS_DEVICE_MAX_PARAMS], prev = 0;
    ms_device_defaults(ms_device_find("mott_soma"), p);
    for (int i = 0; i < 7; i++) {
        lua_geti(L, -1, i + 1);
        double f = lua_tonumber(L, -1), want = ms_mott_soma_rate(p, I[i], INFINITY);
        lua_pop(L, 1);
        if (want == 0) {
            cr_assert_eq(f, 0.0, "I = %g A: %g Hz below the rheobase", I[i], f);
        } else {
            cr_assert(fabs(f - want) <= 0.01 * want, "I = %g A: %g Hz, closed form %g Hz", I[i], f, want);
            cr_assert_gt(f, prev, "rate must rise with the input");
        }
        prev = f;
    }
    lua_pop(L, 1);
}

Test(circuit, instantaneous_soma_switch_fires_at_the_closed_form_rate)
{
    /* tau_s = 0: the switch jumps at its roots, so the period is the closed form's to 1e-6. */
    const double I[] = { 20e-6, 50e-6, 120e-6 };
    run(PRELUDE
        "local c = memsnn.circuit{ nodes = { 'n' }, devices = { { 'soma', 'mott_soma', 'n', 'gnd', params = { tau_s = 0 } } }, "
        "  currents = { { 'ib', 'n', 0 } }, spike = 'soma' } "
        "local net = memsnn.network{} local pop = net:population{ n = 3, model = c, params = { ['ib.I'] = { 20e-6, 50e-6, 120e-6 } } } "
        "net:record(pop, 'spikes') net:run(300e-6) local s = pop:spikes() local t = { {}, {}, {} } "
        "for k = 1, #s.ids do local l = t[s.ids[k]] l[#l + 1] = s.times[k] end "
        "local r = {} for i = 1, 3 do local l = t[i] r[i] = (#l - 2) / (l[#l] - l[2]) end return r", 1);
    double p[MS_DEVICE_MAX_PARAMS];
    ms_device_defaults(ms_device_find("mott_soma"), p);
    for (int i = 0; i < 3; i++) {
        lua_geti(L, -1, i + 1);
        double f = lua_tonumber(L, -1), want = ms_mott_soma_rate(p, I[i], INFINITY);
        lua_pop(L, 1);
        cr_assert(want > 0 && fabs(f - want) <= 1e-6 * want, "I = %g A: %.9g Hz, closed form %.9g Hz", I[i], f, want);
    }
    lua_pop(L, 1);
}

Test(circuit, dendrites_filter_weak_input_and_pass_coincident_input)
{
    /* Weak, spread-out input (one row at a time, round robin over all 8 rows every 1 us)
     * fires the point neuron but not the dendritic one; strong coincident input (the four
     * rows of branch 1 together, back to back every 2 us) fires the dendritic neuron. */
    run(PRELUDE LAYER
        "local function count(model, times) local net = memsnn.network{ seed = 1 } "
        "  local src = net:spike_source{ times = times } "
        "  local pop = net:population{ n = 1, model = model, circuit = { branches = 2 } } "
        "  connect(net, src, pop, true) net:record(pop, 'spikes') net:run(100e-6) return #pop:spikes().times end "
        "local weak, strong = {}, {} for i = 1, 8 do weak[i] = {} strong[i] = {} end "
        "for k = 0, 95 do local i = k % 8 + 1 weak[i][#weak[i] + 1] = 2e-6 + k * 1e-6 end "
        "for k = 0, 47 do for i = 1, 4 do strong[i][#strong[i] + 1] = 2e-6 + k * 2e-6 end end "
        "return count('point_neuron', weak), count('dendritic_neuron', weak), count('dendritic_neuron', strong)", 3);
    double point_weak = lua_tonumber(L, -3), dend_weak = lua_tonumber(L, -2), dend_strong = lua_tonumber(L, -1);
    lua_pop(L, 3);
    cr_assert_geq(point_weak, 5, "point neuron under weak input: %g spikes", point_weak);
    cr_assert_leq(dend_weak, 0.2 * point_weak, "dendritic neuron under weak input: %g spikes (point: %g)", dend_weak,
                  point_weak);
    cr_assert_geq(dend_strong, 3, "dendritic neuron under strong coincident input: %g spikes", dend_strong);
}

/* ---- energy ---------------------------------------------------------------------------------- */

static void energy_balance(int virtual_ground, const char *integrator)
{
    char chunk[4096];
    snprintf(chunk, sizeof chunk, PRELUDE LAYER
             "local net = memsnn.network{ seed = 2, integrator = '%s' } "
             "local times = {} for i = 1, 8 do times[i] = {} for k = 0, 9 do times[i][k + 1] = 3e-6 + k * 5e-6 + i * 1e-7 end end "
             "local src = net:spike_source{ times = times } "
             "local pop = net:population{ n = 1, model = 'dendritic_neuron', circuit = { branches = 2 } } "
             "connect(net, src, pop, %s) "
             "net:record(pop, 'd1.p', { every = 2e-9 }) net:record(pop, 'd2.p', { every = 2e-9 }) "
             "net:record(pop, 'soma.p', { every = 2e-9 }) net:record(pop, 'spikes') "
             "net:run(60e-6) local e = net:energy() "
             "local function integral(name) local tr = pop:trace(name) local s = 0 "
             "  for k = 2, #tr.t do s = s + 0.5 * (tr[1][k] + tr[1][k - 1]) * (tr.t[k] - tr.t[k - 1]) end return s end "
             "local sum = 0 for _, v in pairs(e.by_class) do sum = sum + v end "
             "return e.total, sum, e.supplied, e.stored, e.by_class.dendrite, integral('d1.p') + integral('d2.p'), "
             "  e.by_class.soma, integral('soma.p'), #pop:spikes().times",
             integrator, virtual_ground ? "true" : "false");
    if (run(chunk, 9) != LUA_OK) cr_assert_fail("%s", lua_tostring(L, -1));
    double total = lua_tonumber(L, -9), sum = lua_tonumber(L, -8), supplied = lua_tonumber(L, -7),
           stored = lua_tonumber(L, -6), dend = lua_tonumber(L, -5), dend_vi = lua_tonumber(L, -4),
           soma = lua_tonumber(L, -3), soma_vi = lua_tonumber(L, -2), spikes = lua_tonumber(L, -1);
    lua_pop(L, 9);
    cr_assert_gt(total, 0);
    cr_assert(fabs(total - sum) <= 1e-12 * total, "total %g J != sum of classes %g J", total, sum);
    cr_assert(fabs(supplied - (total + stored)) <= 1e-3 * supplied, "supplied %g J != dissipated %g J + stored %g J",
              supplied, total, stored);
    cr_assert(fabs(dend - dend_vi) <= 0.01 * dend_vi, "dendrite ledger %g J, integral of recorded V I %g J", dend, dend_vi);
    if (spikes > 0 || soma_vi > 0)
        cr_assert(fabs(soma - soma_vi) <= 0.02 * soma_vi, "soma ledger %g J, integral of recorded V I %g J", soma, soma_vi);
}

Test(circuit, energy_balances_virtual_ground) { energy_balance(1, "bdf"); }
Test(circuit, energy_balances_node_mode) { energy_balance(0, "bdf"); }
Test(circuit, energy_balances_rosenbrock) { energy_balance(1, "rosenbrock"); energy_balance(0, "rosenbrock"); }

/* The Rosenbrock integrator against CVODES' BDF on a small dendritic layer (3 neurons, two
 * branches, 8 rows read at staggered times for 70 us), with the instantaneous soma switch and
 * with the default 5 ns one: the same spike counts in every neuron, spike times within 2 ns of
 * BDF at rtol 1e-10 (measured: 2.4e-11 s at rtol 1e-8), the same energies within 1e-5. */
Test(circuit, rosenbrock_agrees_with_bdf_spike_for_spike)
{
    static const char *chunk = PRELUDE
        "local function run(integ, rtol, taus) "
        "  local net = memsnn.network{ seed = 1, rtol = rtol, integrator = integ } "
        "  local times = {} "
        "  for i = 1, 8 do times[i] = {} for k = 0, 40 do times[i][k + 1] = 1e-6 + k * 1.5e-6 + (i % 3) * 0.25e-6 end end "
        "  local src = net:spike_source{ times = times } "
        "  local pop = net:population{ n = 3, model = 'dendritic_neuron', circuit = { branches = 2 }, "
        "    params = { ['soma.tau_s'] = taus, ['soma.C'] = 100e-12 } } "
        "  for b = 1, 2 do "
        "    net:connect(src, pop, { rule = 'all_to_all', synapse = 'rram', delay = 1e-6, port = 'b' .. b, "
        "      weight = function(i, j) return (((i <= 4) == (b == 1)) and 1 or 0.3) * (0.5 + 0.15 * j) end, "
        "      array = { v_read = 4.0, t_read = 1.2e-6, virtual_ground = true, w_max = 1, write_verify = false } }) "
        "  end "
        "  net:record(pop, 'spikes') net:run(70e-6) "
        "  return pop:spikes(), net:energy().total, net:stats().ode_steps "
        "end "
        "local worst, n_spikes, de, steps = 0, 0, 0, {} "
        "for _, taus in ipairs{ 0, 5e-9 } do "
        "  local a, ea = run('bdf', 1e-10, taus) "
        "  local b, eb, sb = run('rosenbrock', 1e-8, taus) "
        "  assert(#a.times == #b.times, string.format('tau_s %g: %d spikes with bdf, %d with rosenbrock', taus, #a.times, #b.times)) "
        "  for k = 1, #a.times do "
        "    assert(a.ids[k] == b.ids[k], 'spike ' .. k .. ' in another neuron') "
        "    worst = math.max(worst, math.abs(a.times[k] - b.times[k])) "
        "  end "
        "  n_spikes = n_spikes + #a.times de = math.max(de, math.abs(ea - eb) / ea) "
        "end "
        "return worst, n_spikes, de";
    if (run(chunk, 3) != LUA_OK) cr_assert_fail("%s", lua_tostring(L, -1));
    double worst = lua_tonumber(L, -3), n = lua_tonumber(L, -2), de = lua_tonumber(L, -1);
    lua_pop(L, 3);
    cr_assert_gt(n, 100, "%g spikes", n);
    cr_assert_lt(worst, 2e-9, "largest spike-time difference %g s over %g spikes", worst, n);
    cr_assert_lt(de, 1e-5, "energy differs by %g", de);
}

/* Rosenbrock units are handed to threads as they become free (engine_event.c): spikes,
 * energies and states must still be bitwise those of one thread. */
Test(circuit, rosenbrock_units_on_two_threads_are_bitwise_one_thread)
{
    static const char *chunk = PRELUDE
        "local function run(threads) "
        "  local net = memsnn.network{ seed = 1, rtol = 1e-6, integrator = 'rosenbrock', threads = threads } "
        "  local times = {} "
        "  for i = 1, 8 do times[i] = {} for k = 0, 30 do times[i][k + 1] = 1e-6 + k * 1.5e-6 + (i % 3) * 0.25e-6 end end "
        "  local src = net:spike_source{ times = times } "
        "  local pop = net:population{ n = 24, model = 'dendritic_neuron', circuit = { branches = 2 }, "
        "    params = { ['soma.tau_s'] = 0, ['soma.C'] = 100e-12 } } "
        "  for b = 1, 2 do "
        "    net:connect(src, pop, { rule = 'all_to_all', synapse = 'rram', delay = 1e-6, port = 'b' .. b, "
        "      weight = function(i, j) return (((i <= 4) == (b == 1)) and 1 or 0.3) * (0.3 + 0.025 * j) end, "
        "      array = { v_read = 4.0, t_read = 1.2e-6, virtual_ground = true, w_max = 1, write_verify = false } }) "
        "  end "
        "  net:record(pop, 'spikes') net:run(50e-6) "
        "  return pop:spikes(), net:energy().total "
        "end "
        "local a, ea = run(1) local b, eb = run(2) "
        "assert(#a.times == #b.times, #a.times .. ' spikes on one thread, ' .. #b.times .. ' on two') "
        "for k = 1, #a.times do assert(a.times[k] == b.times[k] and a.ids[k] == b.ids[k], 'spike ' .. k .. ' differs') end "
        "assert(ea == eb, string.format('energy %.17g on one thread, %.17g on two', ea, eb)) "
        "return #a.times";
    if (run(chunk, 1) != LUA_OK) cr_assert_fail("%s", lua_tostring(L, -1));
    double n = lua_tonumber(L, -1);
    lua_pop(L, 1);
    cr_assert_gt(n, 20, "%g spikes", n);
}

Test(circuit, unknown_integrator_is_an_error)
{
    expect_error(PRELUDE "\nlocal net = memsnn.network{ integrator = 'euler' }", 2,
                 "unknown integrator 'euler' (expected: bdf, rosenbrock)");
}

Test(circuit, read_energy_of_one_pulse_is_exact)
{
    /* One spike through one synapse in virtual-ground mode: synapse_read = G V^2 t exactly. */
    double r = num(PRELUDE
        "local net = memsnn.network{} local src = net:spike_source{ times = { { 1e-6 } } } "
        "local pop = net:population{ n = 1, model = 'point_neuron', circuit = { branches = 1 } } "
        "local prj = net:connect(src, pop, { synapse = 'rram', weight = 0.5, delay = 1e-6, port = 'b1', "
        "  array = { differential = false, virtual_ground = true, v_read = 0.2, t_read = 1e-7, w_max = 1, write_verify = false } }) "
        "net:run(10e-6) local g = prj:conductances().pos[1] "
        "return net:energy().by_class.synapse_read / (g * 0.2 ^ 2 * 1e-7)");
    cr_assert(fabs(r - 1) < 1e-12, "ratio %.15g", r);
}

Test(circuit, energy_bins_add_up_to_the_total)
{
    double r = num(PRELUDE
        "local net = memsnn.network{} local src = net:spike_source{ times = { { 2e-6, 10e-6 } } } "
        "local pop = net:population{ n = 1, model = 'dendritic_neuron', circuit = { branches = 1 }, label = 'n' } "
        "net:connect(src, pop, { synapse = 'rram', weight = 1, delay = 1e-6, port = 'b1', "
        "  array = { w_max = 1, v_read = 3, t_read = 2e-6, virtual_ground = true } }) "
        "net:record(pop, 'energy') net:run(20e-6) local e = net:energy() local b = e.by_population.n.bins "
        "assert(#b.edges == 21 and #b.energy == 20, #b.edges .. ' edges') local s = 0 "
        "for k, v in ipairs(b.energy) do s = s + v end "
        "local d = 0 for k, v in ipairs(b.by_class.dendrite) do d = d + v end "
        "assert(math.abs(d - e.by_class.dendrite) <= 1e-12 * e.total, 'dendrite bins') "
        "return s / e.total");
    cr_assert(fabs(r - 1) < 1e-12, "bins add up to %.15g of the total", r);
}

Test(circuit, algebraic_nodes_agree_with_a_small_parasitic_capacitance)
{
    /* The same dendritic neuron with its branch nodes solved algebraically (default) and
     * given 1 fF: the same spikes, within 1 ns (the parasitic time constant is ~10 ps). */
    double d = num(PRELUDE
        "local function make(cpar) return memsnn.circuit{ nodes = { 'soma', 'b1' }, C_par = cpar, "
        "  devices = { { 'soma', 'mott_soma', 'soma', 'gnd' }, { 'd1', 'nmda_dendrite', 'b1', 'soma' } }, "
        "  resistors = { { 'r1', 'b1', 'gnd', 1e4 } }, ports = { { 'b1', 'b1' } }, spike = 'soma' } end "
        "local times = {} for i = 1, 8 do times[i] = {} for k = 0, 19 do times[i][k + 1] = 5e-6 + k * 2e-6 end end "
        "local res = {} for _, cpar in ipairs{ 0, 1e-15 } do local net = memsnn.network{} "
        "  local src = net:spike_source{ times = times } local pop = net:population{ n = 1, model = make(cpar) } "
        "  local w = {} for i = 1, 8 do w[i] = 1 end "
        "  net:connect(src, pop, { synapse = 'rram', weight = w, delay = 1e-6, port = 'b1', "
        "    array = { v_read = 3.0, t_read = 2e-6, virtual_ground = true, w_max = 1 } }) "
        "  net:record(pop, 'spikes') net:run(60e-6) res[#res + 1] = pop:spikes().times end "
        "assert(#res[1] >= 3 and #res[1] == #res[2], #res[1] .. ' vs ' .. #res[2] .. ' spikes') "
        "local d = 0 for k = 1, #res[1] do d = math.max(d, math.abs(res[1][k] - res[2][k])) end return d");
    cr_assert_lt(d, 1e-9, "spike times differ by %g s", d);
}

Test(circuit, amplitude_coded_reads_scale_drive_and_energy)
{
    /* Row gain 0.5: the read at 0.5 V_read books G (0.5 V_read)^2 t_read; gain 0 sends nothing. */
    double r = num(PRELUDE
        "local net = memsnn.network{} local src = net:spike_source{ times = { { 1e-6 }, { 1e-6 } } } "
        "local pop = net:population{ n = 1, model = 'point_neuron', circuit = { branches = 1 } } "
        "local prj = net:connect(src, pop, { synapse = 'rram', weight = { 0.5, 0.5 }, delay = 1e-6, port = 'b1', "
        "  array = { differential = false, virtual_ground = true, v_read = 0.2, t_read = 1e-7, w_max = 1, write_verify = false } }) "
        "prj:set_row_gain({ 0.5, 0 }) net:run(10e-6) local g = prj:conductances().pos[1] "
        "assert(net:stats().events == 2, 'a row at gain 0 sent events') "
        "return net:energy().by_class.synapse_read / (g * 0.1 ^ 2 * 1e-7)");
    cr_assert(fabs(r - 1) < 1e-12, "ratio %.15g", r);
    expect_error(PRELUDE "local net = memsnn.network{} local src = net:spike_source{ times = { {} } } "
                         "local pop = net:population{ n = 1, model = 'point_neuron' } "
                         "local prj = net:connect(src, pop, { synapse = 'rram', weight = 0.5, port = 'b1' })\n"
                         "prj:set_row_gain(2)", 2, "must be in [-1, 1]");
}

Test(circuit, read_noise_per_pulse_and_static_tile_power)
{
    /* 200 reads of one synapse with read_noise 0.05: the read energies vary with a relative
     * sd near 0.05 (0.035-0.065) and average G V^2 t within 2 %; the same seed repeats them.
     * A tile drawing 1 uW for 10 us adds 1e-11 J of static peripheral energy. */
    run(PRELUDE
        "local function go(seed) local net = memsnn.network{ seed = seed } "
        "  local t = {} for k = 1, 200 do t[k] = k * 1e-6 end "
        "  local src = net:spike_source{ times = { t } } "
        "  local pop = net:population{ n = 1, model = 'point_neuron', circuit = { branches = 1 } } "
        "  local prj = net:connect(src, pop, { synapse = 'rram', weight = 1, delay = 1e-6, port = 'b1', "
        "    array = { differential = false, virtual_ground = true, v_read = 0.2, t_read = 1e-7, w_max = 1, "
        "              write_verify = false, read_noise = 0.05, p_tile = 1e-6 } }) "
        "  net:record(pop, 'energy') net:run(202e-6) local e = net:energy() "
        "  local g = prj:conductances().pos[1] local e1 = g * 0.04 * 1e-7 local b = e.by_population.point_neuron.bins "
        "  local xs = {} for k, v in ipairs(b.by_class.synapse_read) do if v > 0 then xs[#xs + 1] = v / e1 end end "
        "  return xs, e.by_class.peripheral end "
        "local a, pa = go(1) local b = go(1) local c = go(2) "
        "local m, s2, same, diff = 0, 0, true, false "
        "for k = 1, #a do m = m + a[k] same = same and a[k] == b[k] diff = diff or a[k] ~= c[k] end m = m / #a "
        "for k = 1, #a do s2 = s2 + (a[k] - m) ^ 2 end "
        "assert(same and diff, 'read noise must follow the seed') "
        "return #a, m, math.sqrt(s2 / (#a - 1)), pa", 4);
    double n = lua_tonumber(L, -4), mean = lua_tonumber(L, -3), sd = lua_tonumber(L, -2), pa = lua_tonumber(L, -1);
    lua_pop(L, 4);
    cr_assert_geq(n, 150, "%g reads found", n);
    cr_assert(fabs(mean - 1) < 0.02, "mean read energy %g of the noiseless one", mean);
    cr_assert(sd > 0.035 && sd < 0.065, "relative sd %g", sd);
    cr_assert(fabs(pa - 1e-6 * 202e-6) < 1e-20, "static peripheral energy %g J", pa);
}

Test(circuit, reset_returns_units_to_their_initial_state)
{
    /* Two identical stimuli separated by a reset give identical spike trains. */
    double d = num(PRELUDE
        "local t = { 1e-6, 61e-6 } local net = memsnn.network{} local src = net:spike_source{ times = { t, t, t, t } } "
        "local pop = net:population{ n = 1, model = 'dendritic_neuron', circuit = { branches = 1 } } "
        "net:connect(src, pop, { synapse = 'rram', weight = { 1, 1, 1, 1 }, delay = 1e-6, port = 'b1', "
        "  array = { w_max = 1, v_read = 3, t_read = 40e-6, virtual_ground = true, differential = false } }) "
        "net:record(pop, 'spikes') net:run(60e-6) pop:reset() net:run(60e-6) "
        "local s = pop:spikes().times local a, b = {}, {} "
        "for _, t in ipairs(s) do if t < 60e-6 then a[#a + 1] = t else b[#b + 1] = t - 60e-6 end end "
        "assert(#a >= 2 and #a == #b, #a .. ' and ' .. #b .. ' spikes') "
        "local d = 0 for k = 1, #a do d = math.max(d, math.abs(a[k] - b[k])) end return d");
    cr_assert_lt(d, 1e-9, "the second stimulus fired %g s off", d); /* the same to the tolerance */
}

Test(circuit, rectified_column_delivers_no_negative_current)
{
    /* A negative weight read into a rectified virtual-ground column leaves the soma at 0 V;
     * the same column without rectify drives it negative. */
    run(PRELUDE
        "local function go(rect) local net = memsnn.network{} local src = net:spike_source{ times = { { 1e-6 } } } "
        "  local pop = net:population{ n = 1, model = 'point_neuron', circuit = { branches = 1 } } "
        "  net:connect(src, pop, { synapse = 'rram', weight = -1, delay = 1e-6, port = 'b1', "
        "    array = { w_max = 1, v_read = 3, t_read = 10e-6, virtual_ground = true, rectify = rect } }) "
        "  net:run(8e-6) return pop:get('v_soma')[1] end "
        "return go(true), go(false)", 2);
    double v_rect = lua_tonumber(L, -2), v_plain = lua_tonumber(L, -1);
    lua_pop(L, 2);
    cr_assert_eq(v_rect, 0.0, "rectified: %g V", v_rect);
    cr_assert_lt(v_plain, -0.1, "plain: %g V", v_plain);
    expect_error(PRELUDE "local net = memsnn.network{} local src = net:spike_source{ times = { {} } } "
                         "local pop = net:population{ n = 1, model = 'point_neuron' }\n"
                         "net:connect(src, pop, { synapse = 'rram', weight = 1, port = 'b1', array = { rectify = true } })", 2,
                 "rectify needs virtual_ground");
}

/* ---- mapping --------------------------------------------------------------------------------- */

Test(circuit, ideal_mapping_within_half_a_level_and_reproducible)
{
    double worst = num(PRELUDE
        "local function build(seed) local net = memsnn.network{ seed = seed } "
        "  local src = net:spike_source{ times = { {}, {}, {}, {}, {} } } "
        "  local pop = net:population{ n = 3, model = 'point_neuron', circuit = { branches = 1 } } "
        "  local w = {} for k = 1, 15 do w[k] = math.sin(k) end "
        "  local prj = net:connect(src, pop, { synapse = 'rram', weight = w, port = 'b1', "
        "    array = { w_max = 1, write_verify = false, variation = 0.1 } }) return prj, w end "
        "local p1, w = build(1) local p2 = build(1) local p3 = build(2) "
        "local m = p1:mapping() assert(m.levels == 64 and m.synapses == 15 and m.devices == 30, 'report') "
        "local c1, c2, c3 = p1:conductances(), p2:conductances(), p3:conductances() local same, diff = true, false "
        "for k = 1, 15 do same = same and c1.pos[k] == c2.pos[k] and c1.neg[k] == c2.neg[k] "
        "  diff = diff or c1.pos[k] ~= c3.pos[k] end assert(same, 'same seed, different devices') "
        "assert(diff, 'another seed, same devices') "
        /* without variation: within half a level (w_max / 63 per level) */
        "local net = memsnn.network{} local src = net:spike_source{ times = { {}, {}, {}, {}, {} } } "
        "local pop = net:population{ n = 3, model = 'point_neuron', circuit = { branches = 1 } } "
        "local prj = net:connect(src, pop, { synapse = 'rram', weight = w, port = 'b1', array = { w_max = 1, write_verify = false } }) "
        "local r = prj:weights() local worst = 0 "
        "local pre = prj:connections() "
        "for k = 1, 15 do local want = w[(pre.pre[k] - 1) * 3 + pre.post[k]] "
        "  worst = math.max(worst, math.abs(r[k] - want) / (1 / 63)) end return worst");
    cr_assert_leq(worst, 0.5 + 1e-9, "worst error %g levels", worst);
}

/* ---- variation ------------------------------------------------------------------------------- */

Test(circuit, variation_per_unit_from_the_seed)
{
    double r = num(PRELUDE
        "local function draw(seed) local net = memsnn.network{ seed = seed } "
        "  local pop = net:population{ n = 50, model = 'dendritic_neuron', circuit = { branches = 2 }, variation = true, "
        "    params = { ['d1.d2d'] = 0.1, ['soma.d2d'] = 0.05 } } return pop end "
        "local a, b, c = draw(7), draw(7), draw(8) "
        "local ga, gb, gc = a:get('d1.G_on'), b:get('d1.G_on'), c:get('d1.G_on') "
        "local distinct = {} local n = 0 for i = 1, 50 do "
        "  assert(ga[i] == gb[i], 'same seed gave different devices') "
        "  if not distinct[ga[i]] then distinct[ga[i]] = true n = n + 1 end end "
        "assert(ga[1] ~= gc[1], 'another seed gave the same devices') return n");
    cr_assert_eq(r, 50, "%g distinct devices among 50 units", r);
}

/* ---- bad input ------------------------------------------------------------------------------- */

Test(circuit, bad_input_is_a_clear_error)
{
    expect_error(PRELUDE "\nmemsnn.circuit{ nodes = { 'a' }, devices = { { 'd', 'mott_soma', 'a', 'x' } } }", 2,
                 "unknown node 'x'");
    expect_error(PRELUDE "\nmemsnn.circuit{ nodes = { 'a' }, devices = { { 'd', 'mott_somma', 'a', 'gnd' } } }", 2,
                 "unknown device 'mott_somma'");
    expect_error(PRELUDE "\nmemsnn.circuit{ nodes = { 'a', 'b' }, devices = { { 'd', 'mott_soma', 'a', 'gnd' } }, "
                         "capacitors = { { 'c', 'b', 'gnd', 1e-12 } } }", 2, "node 'b' has no path to ground");
    expect_error(PRELUDE "local net = memsnn.network{} local s = net:spike_source{ times = { {} } } "
                         "local p = net:population{ n = 1, model = 'dendritic_neuron', circuit = { branches = 4 } }\n"
                         "net:connect(s, p, { synapse = 'rram', weight = 0.1, port = 'b9' })", 2, "no port 'b9'");
    expect_error(PRELUDE "local net = memsnn.network{} local s = net:spike_source{ times = { {} } } "
                         "local p = net:population{ n = 1, model = 'point_neuron' }\n"
                         "net:connect(s, p, { synapse = 'rram', weight = 3, port = 'b1', array = { w_max = 1 } })", 2,
                 "outside");
    expect_error(PRELUDE "local net = memsnn.network{} local s = net:spike_source{ times = { {} } } "
                         "local p = net:population{ n = 1, model = 'point_neuron' }\n"
                         "net:connect(s, p, { synapse = 'rram', weight = 0.1, port = 'b1', array = { rows = 0 } })", 2,
                 "rows");
    expect_error(PRELUDE "local net = memsnn.network{} local s = net:spike_source{ times = { {} } } "
                         "local p = net:population{ n = 1, model = 'point_neuron' }\n"
                         "net:connect(s, p, { synapse = 'rram', weight = 0.1, port = 'b1', array = { gmin = 2e-5, gmax = 1e-5 } })",
                 2, "g_min");
    expect_error(PRELUDE "local c = memsnn.circuit{ nodes = { 'a' }, devices = { { 'd', 'nmda_dendrite', 'a', 'gnd' } }, "
                         "capacitors = { { 'c', 'a', 'gnd', 1e-12 } } } "
                         "local net = memsnn.network{} local p = net:population{ n = 1, model = c }\n"
                         "net:record(p, 'spikes')", 2, "no spike root");
    expect_error(PRELUDE "\nmemsnn.circuit{ nodes = { 'a' }, devices = { { 'd', 'nmda_dendrite', 'a', 'gnd' } }, spike = 'd' }", 2,
                 "has no spike root");
    expect_error(PRELUDE "local net = memsnn.network{} local s = net:spike_source{ times = { {} } } "
                         "local p = net:population{ n = 1, model = 'lif_curr_exp' }\n"
                         "net:connect(s, p, { synapse = 'rram', weight = 0.1 })", 2, "needs a target made of devices");
    /* nothing half-built: a failed rram connect leaves no projection behind */
    double n = num(PRELUDE "local net = memsnn.network{} local s = net:spike_source{ times = { { 1e-6 } } } "
                           "local p = net:population{ n = 1, model = 'point_neuron' } "
                           "pcall(net.connect, net, s, p, { synapse = 'rram', weight = 3, port = 'b1', array = { w_max = 1 } }) "
                           "net:run(1e-5) return net:stats().events");
    cr_assert_eq(n, 0, "a failed connect left %g events behind", n);
    expect_error(PRELUDE "\nmemsnn.dendritic_neuron{ branches = 0 }", 2, "branches = 0");
    expect_error(PRELUDE "\nmemsnn.circuit{ nodes = { 'a' }, devices = { { 'd', 'nmda_dendrite', 'a', 'gnd' } } }", 2,
                 "no node has capacitance");
}

/* pop:reset() while a read pulse is in flight: the pulse's end, still to come, takes its
 * drive away again, so reset keeps the drive of device-synapse ports. Before it did, a pulse
 * straddling a reset left the port at minus one pulse, a column that blocked later reads. */
Test(circuit, reset_keeps_read_pulses_in_flight)
{
    const char *pre =
        "local net = memsnn.network{} "
        "local src = net:spike_source{ times = { { 1e-6, 10e-6 } } } "
        "local n = net:population{ n = 1, model = memsnn.point_neuron{ branches = 1 } } "
        "net:connect(src, n, { rule = { 'from_list', pre = { 1 }, post = { 1 } }, synapse = 'rram', weight = { 1 }, "
        "  delay = 1e-6, port = 'b1', array = { w_max = 1, v_read = 0.2, t_read = 2e-6, virtual_ground = true } }) "
        "net:run(2.5e-6) local during = n:get('b1.i_drive')[1] "
        "n:reset() net:run(5e-6) local after = n:get('b1.i_drive')[1] "
        "net:run(4e-6) local second = n:get('b1.i_drive')[1] ";
    char chunk[2048];
    snprintf(chunk, sizeof chunk, "%s return during", pre);
    double during = num(chunk);
    cr_assert_gt(during, 1e-7, "a 0.2 V read of a mapped weight drives %g A", during);
    snprintf(chunk, sizeof chunk, "%s return after", pre);
    double after = num(chunk);
    cr_assert(fabs(after) <= 1e-12 * during, "after the pulse that straddled the reset the drive is %g A (pulse: %g A)",
              after, during);
    snprintf(chunk, sizeof chunk, "%s return second", pre);
    double second = num(chunk);
    cr_assert_float_eq(second, during, 1e-9 * during, "the next pulse drives %g A, the first %g A", second, during);
}

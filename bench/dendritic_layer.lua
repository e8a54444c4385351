-- bench/dendritic_layer.lua: time one 50 us image through a 784-input dendritic layer with
-- RRAM synapses (docs/circuits.md, "Speed, as measured").
--   memsnn run bench/dendritic_layer.lua -- [hidden neurons] [rtol] [C_par]
local memsnn = require('memsnn')
local N = tonumber(arg[1]) or 100
local RT = tonumber(arg[2]) or 1e-8
local CP = tonumber(arg[3]) or 0
local net = memsnn.network{ seed = 1, rtol = RT }
local seed = 7
local function rnd() seed = (1103515245 * seed + 12345) % 2147483648 return seed / 2147483648 end
local times = {}
for i = 1, 784 do times[i] = {} local t = 1e-6 + 10e-6 * rnd() while t < 50e-6 do times[i][#times[i]+1] = t t = t + 4e-6 + 16e-6 * rnd() end end
local src = net:spike_source{ times = times }
local hid = net:population{ n = N, model = 'dendritic_neuron', circuit = { branches = 4 }, label = "hidden" }
local out = net:population{ n = 10, model = 'dendritic_neuron', circuit = { branches = 4 }, label = 'out' }
local t0 = memsnn.clock()
for b = 1, 4 do
  -- branch b of every hidden neuron reads the b-th quarter of the pixels (rows of a band)
  local pre, post = {}, {}
  for i = (b - 1) * 196 + 1, b * 196 do for j = 1, N do pre[#pre + 1], post[#post + 1] = i, j end end
  net:connect(src, hid, { rule = { 'from_list', pre = pre, post = post }, synapse = 'rram', weight = function(i, j) return math.abs(math.sin(i * 7 + j)) end,
    delay = 1e-6, port = 'b' .. b, array = { w_max = 1, v_read = 3, t_read = 1e-6, virtual_ground = true, write_verify = false } })
  net:connect(hid, out, { rule = 'all_to_all', synapse = 'rram', weight = function(i, j) return math.abs(math.cos(i + j * 3)) end,
    delay = 1e-6, port = 'b' .. b, array = { w_max = 1, v_read = 3, t_read = 1e-6, virtual_ground = true, write_verify = false } })
end
local tb = memsnn.clock() - t0
net:record(hid, 'spikes') net:record(out, 'spikes')
local t1 = memsnn.clock()
net:run(50e-6)
local tr = memsnn.clock() - t1
local st = net:stats()
local m = net:memory()
print(string.format("N=%d build %.2f s, run %.3f s per 50 us image, %d input spikes, %d hidden spikes, %d out spikes, %.3g events, %.3g events/s, %.1f B/synapse, ode steps %d",
  N, tb, tr, st.spikes - #hid:spikes().times - #out:spikes().times, #hid:spikes().times, #out:spikes().times, st.events, st.events / tr, m.bytes_per_synapse, st.ode_steps))

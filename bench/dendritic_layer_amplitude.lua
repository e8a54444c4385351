-- bench/dendritic_layer_amplitude.lua: one amplitude-coded image (every pixel row read once
-- for 50 us at its intensity; 20 % of rows lit) through a 784-input dendritic layer and 10
-- outputs (docs/circuits.md, "Speed, as measured"). OUT=1 connects the output layer.
--   memsnn run bench/dendritic_layer_amplitude.lua -- [hidden] [rtol] [soma tau_s]
local memsnn = require('memsnn')
local N = tonumber(arg[1]) or 100
local RT = tonumber(arg[2]) or 1e-8
local net = memsnn.network{ seed = 1, rtol = RT }
local seed = 7
local function rnd() seed = (1103515245 * seed + 12345) % 2147483648 return seed / 2147483648 end
local times = {} for i = 1, 784 do times[i] = { 1e-6 } end
local src = net:spike_source{ times = times }
local hid = net:population{ n = N, model = 'dendritic_neuron', circuit = { branches = 4 }, label = "hidden", params = { ['soma.tau_s'] = tonumber(arg[3]) or 5e-9 } }
local out = net:population{ n = 10, model = 'dendritic_neuron', circuit = { branches = 4 }, label = 'out', params = { ['soma.tau_s'] = tonumber(arg[3]) or 5e-9 } }
local prjs = {}
for b = 1, 4 do
  local pre, post = {}, {}
  for i = (b - 1) * 196 + 1, b * 196 do for j = 1, N do pre[#pre + 1], post[#post + 1] = i, j end end
  prjs[b] = net:connect(src, hid, { rule = { 'from_list', pre = pre, post = post }, synapse = 'rram', weight = function(i, j) return math.abs(math.sin(i * 7 + j)) end,
    delay = 1e-6, port = 'b' .. b, array = { w_max = 1, v_read = 3, t_read = 50e-6, virtual_ground = true, write_verify = false } })
  if os.getenv("OUT") then net:connect(hid, out, { rule = 'all_to_all', synapse = 'rram', weight = function(i, j) return math.abs(math.cos(i + j * 3)) end,
    delay = 1e-6, port = 'b' .. b, array = { w_max = 1, v_read = 3, t_read = 1e-6, virtual_ground = true, write_verify = false } }) end
end
local g = {} for i = 1, 784 do g[i] = rnd() < 0.8 and 0 or rnd() * 0.3 end
for b = 1, 4 do prjs[b]:set_row_gain(g) end
net:record(hid, 'spikes') net:record(out, 'spikes')
local t1 = memsnn.clock()
net:run(60e-6)
local tr = memsnn.clock() - t1
local st = net:stats()
print(string.format("N=%d run %.3f s per image, %d hidden spikes, %d out spikes, %.3g events, ode steps %d", N, tr, #hid:spikes().times, #out:spikes().times, st.events, st.ode_steps))

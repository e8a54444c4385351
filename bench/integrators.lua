-- bench/integrators.lua: the two integrators of method cvode (CVODES' BDF, the reference, and
-- the Rosenbrock method) on the same 784-input dendritic layer with 10 dendritic outputs, in
-- the same run: one 50 us amplitude-coded image (every pixel row read once for the window at
-- its intensity, 20 % of the rows lit at gains up to GAIN = 0.2, random weights; hidden spikes
-- read onto the outputs at V_OUT = 1 V x 100 / hidden), for 100, 200 and 500 hidden neurons.
-- Prints time per image, images per minute, events per second, bytes per synapse, and the
-- Rosenbrock/BDF ratios of time and of spike counts (docs/performance.md, "Images per minute").
--   memsnn run bench/integrators.lua -- [hidden list, e.g. 100,200,500] [rtol] [threads]
local memsnn = require('memsnn')
local LIST = arg[1] or "100,200,500"
local RT = tonumber(arg[2]) or 1e-4
local TH = tonumber(arg[3]) or 2
local T = 50e-6

local function image(N, integrator)
  local net = memsnn.network{ seed = 1, rtol = RT, threads = TH, integrator = integrator }
  local seed = 7
  local function rnd() seed = (1103515245 * seed + 12345) % 2147483648 return seed / 2147483648 end
  local times = {} for i = 1, 784 do times[i] = { 1e-6 } end
  local src = net:spike_source{ times = times }
  -- the soma of scenarios/dendrite_power.lua: instantaneous switch, 100 pF
  local params = { ['soma.tau_s'] = 0, ['soma.C'] = 100e-12 }
  local hid = net:population{ n = N, model = 'dendritic_neuron', circuit = { branches = 4 }, label = "hidden", params = params }
  local out = net:population{ n = 10, model = 'dendritic_neuron', circuit = { branches = 4 }, label = 'out', params = params }
  local prjs = {}
  for b = 1, 4 do
    local pre, post = {}, {}
    for i = (b - 1) * 196 + 1, b * 196 do for j = 1, N do pre[#pre + 1], post[#post + 1] = i, j end end
    prjs[b] = net:connect(src, hid, { rule = { 'from_list', pre = pre, post = post }, synapse = 'rram',
      weight = function(i, j) return math.abs(math.sin(i * 7 + j)) end, delay = 1e-6, port = 'b' .. b,
      array = { w_max = 1, v_read = 3, t_read = T, virtual_ground = true, write_verify = false } })
    -- hidden spikes read onto the outputs as 1 us pulses on a 0.5 us clock, as in the scenario
    net:connect(hid, out, { rule = 'all_to_all', synapse = 'rram', weight = function(i, j) return math.abs(math.cos(i + j * 3)) end,
      delay = 1e-6, port = 'b' .. b, array = { w_max = 1, v_read = (tonumber(os.getenv("V_OUT")) or 1) * 100 / N, t_read = 1e-6, clock = 0.5e-6,
      virtual_ground = true, write_verify = false } })
  end
  local GAIN = tonumber(os.getenv("GAIN")) or 0.2
local g = {} for i = 1, 784 do g[i] = rnd() < 0.8 and 0 or rnd() * GAIN end
  for b = 1, 4 do prjs[b]:set_row_gain(g) end
  net:record(hid, 'spikes') net:record(out, 'spikes')
  local t1 = memsnn.clock()
  net:run(T + 2e-6)
  local tr = memsnn.clock() - t1
  local st = net:stats()
  return { time = tr, hidden = #hid:spikes().times, out = #out:spikes().times, events = st.events, steps = st.ode_steps,
           bytes = net:memory().bytes_per_synapse }
end

print(string.format("784-input dendritic layer + 10 outputs, one %g us image, rtol %g, %d threads", T * 1e6, RT, TH))
print(string.format("%7s %-10s %10s %9s %10s %9s %9s %9s %7s", "hidden", "integrator", "s/image", "img/min",
  "events/s", "steps", "hid.spk", "out.spk", "B/syn"))
for N in LIST:gmatch("%d+") do
  N = tonumber(N)
  local r = {}
  for _, integ in ipairs{ "bdf", "rosenbrock" } do
    r[integ] = image(N, integ)
    local x = r[integ]
    print(string.format("%7d %-10s %10.4f %9.0f %10.3g %9d %9d %9d %7.1f", N, integ, x.time, 60 / x.time, x.events / x.time,
      x.steps, x.hidden, x.out, x.bytes))
  end
  local a, b = r.bdf, r.rosenbrock
  print(string.format("%7d ratio rosenbrock/bdf: time %.3f (speed-up %.2fx), hidden spikes %.4f, output spikes %.4f", N,
    b.time / a.time, a.time / b.time, b.hidden / math.max(a.hidden, 1), b.out / math.max(a.out, 1)))
end

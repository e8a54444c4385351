-- dendritic_neuron.lua: one dendritic neuron and its point-neuron control, built from
-- memristor devices, under the same weak noisy input and the same strong coincident input.
--
--   memsnn run scenarios/dendritic_neuron.lua --out out/dendritic_neuron
--
-- The dendritic neuron (docs/circuits.md): 4 branch nodes, each joined to the soma node by an
-- nmda_dendrite device and leaking to ground through 10 kohm; a mott_soma from the soma node
-- to ground. The point neuron has the same soma and the same synapses, all landing on the
-- soma node: it differs only by the dendrites. 32 input rows, 8 per branch, reach the neurons
-- through RRAM synapses mapped onto a crossbar (64 levels, differential pairs), read by 2 us
-- pulses at 3 V into virtual-ground columns.
--
-- Writes spikes.csv, traces.csv, energy.csv, raster.png, traces.png and energy.png under
-- --out, and prints the spike counts and energies of the four runs.

local memsnn = require("memsnn")
local u = memsnn.units

local T = 100 * u.us                      -- simulated time of each run
local ROWS, BRANCHES = 32, 4
local PER_BRANCH = ROWS // BRANCHES

-- Input spike trains. Weak noise: every row fires at random with a mean interval of 32 us,
-- so about 2 rows are reading at any moment, spread over all branches. Strong coincident
-- input: the 8 rows of branch 1 fire together, back to back every 2 us, from 20 to 80 us.
local rng_state = 12345
local function uniform()                   -- a small LCG, so the script is self-contained
  rng_state = (1103515245 * rng_state + 12345) % 2147483648
  return rng_state / 2147483648
end
local function weak_trains()
  local times = {}
  for r = 1, ROWS do
    times[r] = {}
    local t = 2 * u.us + 32 * u.us * uniform()
    while t < T - 5 * u.us do
      times[r][#times[r] + 1] = t
      t = t - 32 * u.us * math.log(1 - uniform())
    end
  end
  return times
end
local function strong_trains()
  local times = {}
  for r = 1, ROWS do
    times[r] = {}
    if r <= PER_BRANCH then
      for t = 20 * u.us, 80 * u.us - 1e-12, 2 * u.us do times[r][#times[r] + 1] = t end
    end
  end
  return times
end
local inputs = { weak = weak_trains(), strong = strong_trains() }

-- Weights: row r feeds only its own branch, with weight 1 (the top of the window).
local function weights_for(branch)
  local w = {}
  for r = 1, ROWS do w[r] = ((r - 1) // PER_BRANCH + 1 == branch) and 1 or 0 end
  return w
end

local array = { rows = 128, cols = 32, levels = 64, w_max = 1, differential = true,
                v_read = 3 * u.V, t_read = 2 * u.us, virtual_ground = true }

local function run(model, input)
  local net = memsnn.network{ seed = 1 }
  local src = net:spike_source{ times = inputs[input], label = "rows" }
  local nrn = net:population{ n = 1, model = model, circuit = { branches = BRANCHES },
                              label = model == "dendritic_neuron" and "dendritic" or "point" }
  local prj
  for b = 1, BRANCHES do
    prj = net:connect(src, nrn, { rule = "all_to_all", synapse = "rram", weight = weights_for(b),
                                  delay = 1 * u.us, port = "b" .. b, array = array })
  end
  net:record(src, "spikes")
  net:record(nrn, "spikes")
  net:record(nrn, "v_soma", { every = 0.1 * u.us })
  if model == "dendritic_neuron" then
    net:record(nrn, "v_b1", { every = 0.1 * u.us })
    net:record(nrn, "v_b2", { every = 0.1 * u.us })
    net:record(nrn, "d1.G", { every = 0.1 * u.us })
  end
  net:run(T)
  return { net = net, src = src, nrn = nrn, energy = net:energy(), mapping = prj:mapping() }
end

local runs = {}
for _, input in ipairs{ "weak", "strong" } do
  for _, model in ipairs{ "point_neuron", "dendritic_neuron" } do
    runs[#runs + 1] = { model = model, input = input, r = run(model, input) }
  end
end

-- spikes.csv: every soma spike of the four runs
local col_model, col_input, col_t = {}, {}, {}
for _, x in ipairs(runs) do
  for _, t in ipairs(x.r.nrn:spikes().times) do
    col_model[#col_model + 1], col_input[#col_input + 1], col_t[#col_t + 1] = x.model, x.input, t
  end
end
memsnn.write_csv("spikes.csv", { model = col_model, input = col_input, time = col_t },
                 { columns = { "model", "input", "time" } })

-- energy.csv and the energy bars
local classes = { "synapse_read", "dendrite", "soma", "load" }
local e_cols = { run = {}, total = {}, dynamic = {}, li_metric = {}, spikes = {} }
for _, c in ipairs(classes) do e_cols[c] = {} end
local tallies = {}
for k, x in ipairs(runs) do
  local e = x.r.energy
  local name = x.input .. " / " .. (x.model == "dendritic_neuron" and "dendritic" or "point")
  e_cols.run[k], e_cols.total[k], e_cols.dynamic[k], e_cols.li_metric[k] = name, e.total, e.dynamic, e.li_metric
  e_cols.spikes[k] = #x.r.nrn:spikes().times
  for _, c in ipairs(classes) do e_cols[c][k] = e.by_class[c] end
  tallies[k] = { name, e }
end
local cols = { "run", "spikes", "total", "dynamic", "li_metric" }
for _, c in ipairs(classes) do cols[#cols + 1] = c end
memsnn.write_csv("energy.csv", e_cols, { columns = cols })
memsnn.plot.power{ file = "energy.png", tallies = tallies, logy = true,
                   title = "Energy per run by class (J): point vs dendritic neuron" }

-- Raster of the four runs (rows of input 1 beside the somas), traces of the dendritic neuron
local raster = {}
for _, x in ipairs(runs) do
  local s = x.r.nrn:spikes()
  raster[#raster + 1] = { ids = s.ids, times = s.times, n = 1,
                          label = x.input .. " " .. (x.model == "dendritic_neuron" and "dend." or "point") }
end
local rows_weak = runs[1].r.src:spikes()
table.insert(raster, 1, { ids = rows_weak.ids, times = rows_weak.times, n = ROWS, label = "weak rows" })
local rows_strong = runs[3].r.src:spikes()
table.insert(raster, 2, { ids = rows_strong.ids, times = rows_strong.times, n = ROWS, label = "strong rows" })
memsnn.plot.raster{ file = "raster.png", populations = raster,
                    title = "Input rows and soma spikes: weak noise and strong coincident input" }

local dend_strong = runs[4].r.nrn
local traces = { dend_strong:trace("v_soma"), dend_strong:trace("v_b1"), dend_strong:trace("v_b2") }
memsnn.plot.traces{ file = "traces.png", traces = traces, ylabel = "node voltage",
                    title = "Dendritic neuron, strong input on branch 1: soma, branch 1, branch 2" }
memsnn.plot.traces{ file = "conductance.png", trace = dend_strong:trace("d1.G"), ylabel = "dendrite 1 conductance",
                    title = "Dendrite 1 opens under coincident input and relaxes after it" }
memsnn.write_csv("traces.csv", { t = traces[1].t, v_soma = traces[1][1], v_b1 = traces[2][1], v_b2 = traces[3][1],
                                 G_d1 = dend_strong:trace("d1.G")[1] },
                 { columns = { "t", "v_soma", "v_b1", "v_b2", "G_d1" } })

local m = runs[1].r.mapping
print(string.format("dendritic_neuron: crossbar %d tiles, %d of %d levels used, weight error rms %.2g (max %.2g)",
  m.tiles, m.levels_used, m.levels, m.rms_error, m.max_error))
for _, x in ipairs(runs) do
  local e = x.r.energy
  print(string.format("  %-6s input, %-16s %3d soma spikes, energy %.3g J (dendrite %.3g, soma %.3g), Li metric %.3g J",
    x.input, x.model, #x.r.nrn:spikes().times, e.total, e.by_class.dendrite, e.by_class.soma, e.li_metric))
end

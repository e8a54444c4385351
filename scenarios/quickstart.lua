-- quickstart.lua: a small balanced network of leaky integrate-and-fire neurons with
-- exponential synaptic currents (Brette et al. 2007 parameters) driven by Poisson input.
--
--   memsnn run scenarios/quickstart.lua --out out/quickstart [-- duration_s]
--
-- Writes spikes.csv (all excitatory and inhibitory spikes: population, unit, time) and
-- v.csv (membrane potential of three excitatory neurons) under --out, their pictures
-- raster.png and v.png, and prints the mean firing rates. Read it top to bottom: it is the
-- tour of the Lua API.

local memsnn = require("memsnn")
local u = memsnn.units

local duration = tonumber(arg[1]) or 1.0          -- seconds of simulated time

-- One network; every random number in it comes from this seed (or --seed). Method
-- "exact": closed-form propagation between events, spike times exact to rounding.
local net = memsnn.network{ seed = 1, method = "exact" }

-- 400 neurons, 4:1 excitatory to inhibitory, Brette 2007 defaults
-- (C = 200 pF, g_L = 10 nS, E_L = -60 mV, V_th = -50 mV, t_ref = 5 ms, tau_exc = 5 ms,
-- tau_inh = 10 ms).
local exc = net:population{ n = 320, model = "lif_curr_exp", label = "exc" }
local inh = net:population{ n = 80,  model = "lif_curr_exp", label = "inh" }

-- Start from random membrane potentials between reset and threshold.
local function random_v(i) return -60 * u.mV + 10 * u.mV * ((i * 7919) % 100) / 100 end
exc:initialize{ v = random_v }
inh:initialize{ v = random_v }

-- External drive: 200 Poisson sources at 15 Hz; each neuron sees about 20 of them, each
-- input a 0.06 nA current jump decaying with tau_exc (about 1.3 mV at the peak).
local drive = net:poisson{ n = 200, rate = 15 * u.Hz, label = "drive" }
for _, target in ipairs{ exc, inh } do
  net:connect(drive, target, { rule = { "fixed_probability", p = 0.1 }, weight = 0.06 * u.nA,
                               delay = 1 * u.ms, port = "exc" })
end

-- Recurrent connections with 2 % probability; inhibition four times stronger than
-- excitation keeps the network from running away.
local p = { "fixed_probability", p = 0.02, autapses = false }
for _, target in ipairs{ exc, inh } do
  net:connect(exc, target, { rule = p, weight = 0.1 * u.nA, delay = 0.5 * u.ms, port = "exc" })
  net:connect(inh, target, { rule = p, weight = 0.4 * u.nA, delay = 0.5 * u.ms, port = "inh" })
end

net:record(exc, "spikes")
net:record(inh, "spikes")
net:record(exc, "v", { ids = { 1, 2, 3 }, every = 0.1 * u.ms })

net:run(duration)

-- Outputs: one spike table for both populations, and the voltage traces.
local se, si = exc:spikes(), inh:spikes()
local pop, ids, times = {}, {}, {}
local function append(label, s)
  for k = 1, #s.times do
    pop[#pop + 1], ids[#ids + 1], times[#times + 1] = label, s.ids[k], s.times[k]
  end
end
append("exc", se)
append("inh", si)
memsnn.write_csv("spikes.csv", { population = pop, ids = ids, times = times },
                 { columns = { "population", "ids", "times" } })
memsnn.write_csv("v.csv", exc:trace("v"))

-- Pictures (docs/plotting.md): both populations against time with their rates below, and
-- the first 300 ms of the three voltage traces. Every PNG records the script that made it.
memsnn.plot.raster{ file = "raster.png", populations = { exc, inh }, rate = true, bin = 10 * u.ms,
                    title = "Balanced LIF network: 320 excitatory, 80 inhibitory neurons" }
memsnn.plot.traces{ file = "v.png", trace = exc:trace("v"), t0 = 0, t1 = math.min(duration, 0.3),
                    ylabel = "membrane potential", title = "Three excitatory neurons" }

print(string.format("quickstart: %.2f s simulated, excitatory %.1f Hz, inhibitory %.1f Hz (%d spikes)",
  net:time(), #se.times / (#exc * duration), #si.times / (#inh * duration), #se.times + #si.times))

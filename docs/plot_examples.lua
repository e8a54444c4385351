-- docs/plot_examples.lua: the example pictures of docs/plotting.md that the quickstart does
-- not make: an f-I curve (xy, simulation against theory), a memristor's pinched hysteresis
-- loop (iv) and an energy comparison (power, with hand-made numbers until net:energy()).
--
--   memsnn run docs/plot_examples.lua --out docs/images
--
-- Runs in a fraction of a second.

local memsnn = require("memsnn")
local u = memsnn.units
local size = { width = 900, height = 560 }

local function with_size(t)
  t.width, t.height = size.width, size.height
  return t
end

-- xy: firing rate of a LIF neuron against a constant input current. Points: 12 neurons with
-- different bias currents simulated for 1 s; lines: the closed form
-- rate = 1 / (t_ref + tau_m ln(I R / (I R - (V_th - E_L)))) for the same parameters.
local currents, n = {}, 12
for k = 1, n do currents[k] = (0.1 + 0.05 * k) * u.nA end
local net = memsnn.network{ seed = 1, method = "exact" }
local lif = net:population{ n = n, model = "lif_curr_exp", label = "lif", params = { I_e = currents } }
net:record(lif, "spikes")
local duration = 1.0
net:run(duration)
local count = {}
for k = 1, n do count[k] = 0 end
for _, id in ipairs(lif:spikes().ids) do count[id] = count[id] + 1 end
local I_nA, rate = {}, {}
for k = 1, n do I_nA[k], rate[k] = currents[k], count[k] / duration end

local p = memsnn.params("lif_curr_exp")
local C, gL, EL, Vth = p.C_m.default, p.g_L.default, p.E_L.default, p.V_th.default
local function theory(t_ref)
  local x, y = {}, {}
  for k = 0, 200 do
    local I = (0.1 + 0.55 * k / 200) * u.nA
    x[#x + 1] = I
    local drive = I / gL
    y[#y + 1] = drive > Vth - EL and 1 / (t_ref + C / gL * math.log(drive / (drive - (Vth - EL)))) or 0
  end
  return x, y
end
local x5, y5 = theory(5 * u.ms)
local x2, y2 = theory(2 * u.ms)
memsnn.plot.xy(with_size{ file = "xy.png", title = "LIF f-I curve: simulation and closed form",
  series = { { x = I_nA, y = rate, label = "simulated, t_ref = 5 ms", style = "points" },
             { x = x5, y = y5, label = "theory, t_ref = 5 ms" },
             { x = x2, y = y2, label = "theory, t_ref = 2 ms" } },
  xlabel = "input current", xunit = "A", ylabel = "firing rate", yunit = "Hz" })

-- iv: the linear ion-drift memristor (Strukov et al. 2008, Joglekar window: STRUKOV08, JOGLEKAR09 in docs/devices/sources.md) under a 1 V sine
-- at two frequencies: the loop is pinched at the origin and narrows as the frequency rises.
local function memristor_loop(f)
  local Ron, Roff, k_drift, x = 1e3, 10e3, 8e3, 0.3   -- ohm, ohm, mu_v Ron / D^2 (1/(A s)), state
  local v, i = {}, {}
  local steps = 4000
  local dt = 1 / f / steps
  for s = 0, steps do
    local vs = 1.0 * math.sin(2 * math.pi * f * s * dt)
    local cur = vs / (Ron * x + Roff * (1 - x))
    v[#v + 1], i[#i + 1] = vs, cur
    x = math.min(1, math.max(0, x + dt * k_drift * cur * 4 * x * (1 - x)))
  end
  return v, i
end
local v1, i1 = memristor_loop(1)
local v2, i2 = memristor_loop(4)
memsnn.plot.iv(with_size{ file = "iv.png", title = "Linear-drift memristor, 1 V sine",
  curves = { { v = v1, i = i1, label = "1 Hz" }, { v = v2, i = i2, label = "4 Hz" } } })

-- power: two energy tables in the shape net:energy() returns (numbers made up for the
-- picture): a network with dendrites against one without, with energy per 20 ms bin.
local function bins(per_bin)
  local edges, energy = { 0 }, {}
  for k, e in ipairs(per_bin) do edges[k + 1], energy[k] = k * 20 * u.ms, e end
  return { edges = edges, energy = energy }
end
local with = { total = 5.2 * u.nJ, by_class = { synapse = 2.0 * u.nJ, dendrite = 1.4 * u.nJ, soma = 1.8 * u.nJ },
               bins = bins{ 0.4 * u.nJ, 1.3 * u.nJ, 1.6 * u.nJ, 1.2 * u.nJ, 0.7 * u.nJ } }
local without = { total = 13.5 * u.nJ, by_class = { synapse = 9.1 * u.nJ, soma = 4.4 * u.nJ },
                  bins = bins{ 1.0 * u.nJ, 3.4 * u.nJ, 4.1 * u.nJ, 3.2 * u.nJ, 1.8 * u.nJ } }
memsnn.plot.power(with_size{ file = "power.png", title = "Energy of one inference (illustrative numbers)",
  tallies = { { "with dendrites", with }, { "without dendrites", without } } })

-- endurance_ode.lua: the fast endurance path of rram (d:endure, closed-form pulses, cycle blocks)
-- against explicit pulse-by-pulse cycling with every pulse integrated by CVODE (method = "ode",
-- block = 0), over the first 1e4 cycles of both protocols: analog (100 + 100 pulses of 100 ns)
-- and full window (+-2 V, 2 us). docs/reproductions/endurance.md, "What the fast path is checked
-- against". About 35 s on one core (2e6 CVODE pulses for the analog protocol).
--
--   memsnn run bench/endurance_ode.lua --out build/bench/endurance_ode
--
-- CYCLES (default 1e4) and N_P (default 100, analog pulses per direction) in the environment
-- shrink the run. Writes endurance_ode.csv: per protocol and decade the readouts of the three
-- paths (fast: closed form with blocks; exact: closed form, explicit; ode: CVODE, explicit) and
-- the differences fast - ode; prints the largest differences and the time of each path.

local memsnn = require("memsnn")
local CYCLES = tonumber(os.getenv("CYCLES")) or 1e4
local N_P = tonumber(os.getenv("N_P")) or 100

local function fmt(...) print(string.format(...)) end
local function timed(f)
  local t0 = memsnn.clock()
  local r = f()
  return r, memsnn.clock() - t0
end

local out = { protocol = {}, cycles = {}, wear_fast = {}, wear_exact = {}, wear_ode = {}, rel_wear = {},
              window_ode = {}, d_window = {}, nl_set_ode = {}, d_nl_set = {}, nl_reset_ode = {}, d_nl_reset = {},
              d_G_lo = {}, d_G_hi = {}, rel_step = {} }
for _, proto in ipairs{ "analog", "full" } do
  local opts = { protocol = proto, cycles = CYCLES, n_p = N_P }
  local function run(extra)
    local o = {}
    for k, v in pairs(opts) do o[k] = v end
    for k, v in pairs(extra) do o[k] = v end
    return memsnn.device("rram"):endure(o)
  end
  local fast, t_fast = timed(function() return run{} end)
  local exact, t_exact = timed(function() return run{ block = 0 } end)
  local ode, t_ode = timed(function() return run{ block = 0, method = "ode" } end)
  local worst = { wear = 0, window = 0, nl = 0, G = 0, step = 0, wear_exact = 0 }
  for k = 1, #ode.cycles do
    local n = #out.protocol + 1
    local rw = ode.wear[k] > 0 and fast.wear[k] / ode.wear[k] - 1 or 0
    local re = ode.wear[k] > 0 and exact.wear[k] / ode.wear[k] - 1 or 0
    out.protocol[n], out.cycles[n] = proto, ode.cycles[k]
    out.wear_fast[n], out.wear_exact[n], out.wear_ode[n], out.rel_wear[n] = fast.wear[k], exact.wear[k], ode.wear[k], rw
    out.window_ode[n], out.d_window[n] = ode.window[k], fast.window[k] - ode.window[k]
    out.nl_set_ode[n], out.d_nl_set[n] = ode.nl_set[k], fast.nl_set[k] - ode.nl_set[k]
    out.nl_reset_ode[n], out.d_nl_reset[n] = ode.nl_reset[k], fast.nl_reset[k] - ode.nl_reset[k]
    out.d_G_lo[n], out.d_G_hi[n] = fast.G_lo[k] - ode.G_lo[k], fast.G_hi[k] - ode.G_hi[k]
    out.rel_step[n] = fast.step_mean[k] / ode.step_mean[k] - 1
    worst.wear = math.max(worst.wear, math.abs(rw))
    worst.wear_exact = math.max(worst.wear_exact, math.abs(re))
    worst.window = math.max(worst.window, math.abs(out.d_window[n]))
    worst.nl = math.max(worst.nl, math.abs(out.d_nl_set[n]), math.abs(out.d_nl_reset[n]))
    worst.G = math.max(worst.G, math.abs(out.d_G_lo[n]), math.abs(out.d_G_hi[n]))
    worst.step = math.max(worst.step, math.abs(out.rel_step[n]))
  end
  local last = #ode.cycles
  fmt("%s, %g cycles (%s pulses per direction): wear %.6g (fast) / %.6g (exact) / %.6g (ode), window %.6f, "
      .. "nl_set %.6f, nl_reset %.6f", proto, CYCLES, proto == "full" and "1" or tostring(N_P), fast.wear[last],
      exact.wear[last], ode.wear[last], ode.window[last], ode.nl_set[last], ode.nl_reset[last])
  fmt("  fast - ode, worst over the decades: wear %.2e (relative), window %.2e, nonlinearity %.2e, levels %.2e S, "
      .. "mean step %.2e (relative); exact - ode: wear %.2e", worst.wear, worst.window, worst.nl, worst.G,
      worst.step, worst.wear_exact)
  fmt("  time: fast %.3f s, exact %.3f s, ode %.1f s (%.0f CVODE pulses, %d steps, %.1f us per pulse)", t_fast,
      t_exact, t_ode, ode.pulses, ode.steps, 1e6 * t_ode / ode.pulses)
end
memsnn.write_csv("endurance_ode.csv", out, { columns = { "protocol", "cycles", "wear_fast", "wear_exact", "wear_ode",
  "rel_wear", "window_ode", "d_window", "nl_set_ode", "d_nl_set", "nl_reset_ode", "d_nl_reset", "d_G_lo", "d_G_hi",
  "rel_step" } })

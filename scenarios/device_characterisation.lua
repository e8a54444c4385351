-- device_characterisation.lua: the standard measurements of the three default devices (RRAM
-- synapse, NMDA-like dendrite, Mott soma) and the Stanford/PKU RRAM, each driven alone and
-- integrated by CVODE, the way a device paper characterises them.
--
--   memsnn run scenarios/device_characterisation.lua --out out/devices [--seed N]
--
-- Writes under --out:
--   iv_rram_pku.csv     pinched hysteresis loop of rram_pku under a 1.5 V, 10 Hz sinusoid
--   iv_rram.csv         rram under a +-1.5 V triangular sweep (two cycles)
--   iv_dendrite.csv     nmda_dendrite under a +-3 V sweep: blocked below V_th, on above
--   iv_soma.csv         mott_soma under a slow 0 -> 1.5 V -> 0 sweep: V_th up, V_hold down
--   pulse_curve.csv     rram potentiation/depression: G after each of 60 SET then 60 RESET
--                       pulses, noise-free and with cycle-to-cycle noise
--   write_verify.csv    write-verify to eight levels: final read, pulses, converged
--   write_verify_trace.csv  the verify reads of one programming, pulse by pulse
--   relaxation.csv      G(t) after programming to 10 uS, 0.1 s to 10^6 s, eight devices' draws
--   soma_step.csv       mott_soma under a 50 uA current step: v, i, s every 10 ns
--   soma_spikes.csv     its spike times; soma_rate.csv: firing rate against step current
--   energy.csv          energy dissipated by each device over everything above
-- and, when memsnn.plot is available, a PNG beside each CSV. Prints a summary.

local memsnn = require("memsnn")
local u = memsnn.units
local plot = memsnn.plot                      -- nil in builds without the plotting layer
local t_start = memsnn.clock()

local function fmt(...) print(string.format(...)) end

local function write(name, t, columns)
  memsnn.write_csv(name, t, columns and { columns = columns } or nil)
end

-- ---- I-V loops --------------------------------------------------------------------------------

-- rram_pku: one period of a 1.5 V, 10 Hz sinusoid from the high-resistance state (gap 1.7 nm).
local pku = memsnn.device("rram_pku", { gap_init = 1.7e-9 })
local ts, vs = {}, {}
for k = 0, 2000 do
  ts[#ts + 1] = 0.1 * k / 2000
  vs[#vs + 1] = 1.5 * math.sin(2 * math.pi * 10 * ts[#ts])
end
local iv_pku = pku:drive{ t = ts, v = vs }
write("iv_rram_pku.csv", iv_pku, { "t", "v", "i", "gap" })

-- rram: two +-1.5 V triangles of 1 us per ramp from mid-window; the state only moves beyond
-- V_set = 0.8 V and V_reset = -0.8 V.
local rram_iv = memsnn.device("rram", { x0 = 0.5 })
local iv_rram = rram_iv:sweep{ v_max = 1.5, v_min = -1.5, t_ramp = 1 * u.us, cycles = 2, every = 10 * u.ns }
write("iv_rram.csv", iv_rram, { "t", "v", "i", "x" })

-- nmda_dendrite: +-3 V, 30 us per ramp (10 tau_on): blocked below V_th = 1 V, on above, and
-- still on while the voltage falls (it forgets with tau_off = 400 us).
local dend = memsnn.device("nmda_dendrite")
local iv_dend = dend:sweep{ v_max = 3, v_min = -3, t_ramp = 30 * u.us, every = 0.1 * u.us }
write("iv_dendrite.csv", iv_dend, { "t", "v", "i", "G" })

-- mott_soma: 1.5 V/ms, slow against tau_s and the RC time: switches on at V_th = 1 V going
-- up and off at V_hold = 0.6 V coming down.
local soma_iv = memsnn.device("mott_soma")
local iv_soma = soma_iv:sweep{ v_max = 1.5, t_ramp = 1 * u.ms, every = 1 * u.us }
write("iv_soma.csv", iv_soma, { "t", "v", "i", "s" })
local v_on, v_off
for k = 1, #iv_soma.events.t do
  local tk = iv_soma.events.t[k]
  local v = tk < 1 * u.ms and 1.5 * tk / u.ms or 1.5 * (2 * u.ms - tk) / u.ms
  if iv_soma.events.name[k] == "IMT" then v_on = v else v_off = v end
end

-- ---- RRAM potentiation and depression ---------------------------------------------------------

-- 60 standard SET pulses (1.5 V, 100 ns, 1 us apart) from G_min, then 60 RESET pulses
-- (-1.5 V): conductance against pulse number. One device without noise, one with the default
-- cycle-to-cycle noise (its stream comes from the seed).
local curve = { pulse = {}, G_nominal = {}, G_noisy = {}, phase = {} }
local clean = memsnn.device("rram", { sigma_c2c = 0 })
local noisy = memsnn.device("rram")
local function train(v, phase)
  local a = clean:pulses{ v = v, width = 100 * u.ns, gap = 1 * u.us, n = 60 }
  local b = noisy:pulses{ v = v, width = 100 * u.ns, gap = 1 * u.us, n = 60 }
  for k = 2, #a.G do
    curve.pulse[#curve.pulse + 1] = #curve.pulse      -- pulses applied so far
    curve.G_nominal[#curve.G_nominal + 1] = a.G[k]
    curve.G_noisy[#curve.G_noisy + 1] = b.G[k]
    curve.phase[#curve.phase + 1] = phase
  end
end
curve.pulse[1], curve.phase[1] = 0, "start"
curve.G_nominal[1], curve.G_noisy[1] = clean:conductance(), noisy:conductance()
train(1.5, "potentiation")
train(-1.5, "depression")
write("pulse_curve.csv", curve, { "pulse", "phase", "G_nominal", "G_noisy" })

-- ---- write-verify -----------------------------------------------------------------------------

-- Eight targets across the 2-20 uS window, one after the other on one device (read noise,
-- c2c noise on): each starts where the last ended. Tolerance: half a level of 64.
local wv_dev = memsnn.device("rram", { x0 = 0.5 })
local wv = { target = {}, G = {}, pulses = {}, converged = {} }
local wv_trace
for k, level in ipairs{ 5, 60, 20, 40, 10, 50, 30, 0 } do
  local target = 2 * u.uS + level * (18 * u.uS) / 63
  local r = wv_dev:program{ target = target }
  wv.target[k], wv.G[k], wv.pulses[k], wv.converged[k] = target, r.G, r.pulses, r.converged
  if k == 2 then wv_trace = r end
end
write("write_verify.csv", wv, { "target", "G", "pulses", "converged" })
write("write_verify_trace.csv", wv_trace, wv_trace.columns)

-- ---- relaxation after programming -------------------------------------------------------------

-- Program to 10 uS, then G(t) on a log time axis; each call draws the device's relaxation
-- variable xi from its noise stream, eight draws give the spread, xi = 0 the mean.
local relax_dev = memsnn.device("rram")
local prog = relax_dev:program{ target = 10 * u.uS }
local times = {}
for k = 0, 70 do times[#times + 1] = 0.1 * 10 ^ (k / 10) end      -- 0.1 s .. 10^6 s
local relax = { t = times, G_mean = relax_dev:relax{ t = times, xi = 0 }.G }
local relax_cols = { "t", "G_mean" }
for k = 1, 8 do
  relax["G_" .. k] = relax_dev:relax{ t = times }.G
  relax_cols[#relax_cols + 1] = "G_" .. k
end
write("relaxation.csv", relax, relax_cols)

-- ---- soma current step ------------------------------------------------------------------------

-- 50 uA into the 1 nF soma for 200 us: it charges to V_th, switches, discharges to V_hold,
-- and repeats. Then the rate against the step current (rate coding).
local soma = memsnn.device("mott_soma")
local step = soma:current_step{ i = 50 * u.uA, duration = 200 * u.us, every = 10 * u.ns }
write("soma_step.csv", step, { "t", "v", "i", "s" })
write("soma_spikes.csv", { t = step.spikes })
local rate = { i = {}, rate = {} }
for k, amp in ipairs{ 15, 20, 30, 50, 75, 100, 150, 200 } do
  soma:reset()
  rate.i[k] = amp * u.uA
  rate.rate[k] = soma:current_step{ i = amp * u.uA, duration = 300 * u.us }.rate
end
write("soma_rate.csv", rate, { "i", "rate" })

-- ---- energy -----------------------------------------------------------------------------------

-- Every device keeps the tally of what it dissipated over all its drives (d:energy()).
local devices = {
  { "rram (pulses)", noisy }, { "rram (write-verify)", wv_dev }, { "rram (sweep)", rram_iv },
  { "nmda_dendrite", dend }, { "mott_soma (sweep)", soma_iv }, { "mott_soma (steps)", soma },
  { "rram_pku", pku },
}
local energy = { device = {}, class = {}, energy = {}, source = {}, duration = {} }
for k, d in ipairs(devices) do
  local e = d[2]:energy()
  energy.device[k], energy.class[k], energy.energy[k] = d[1], d[2]:role(), e.total
  energy.source[k], energy.duration[k] = e.source, e.duration
end
write("energy.csv", energy, { "device", "class", "energy", "source", "duration" })

-- ---- pictures ---------------------------------------------------------------------------------

if plot then
  plot.iv{ file = "iv_rram_pku.png", v = iv_pku.v, i = iv_pku.i, log = true,
           title = "rram_pku: 1.5 V, 10 Hz sinusoid" }
  plot.iv{ file = "iv_rram.png", v = iv_rram.v, i = iv_rram.i, title = "rram: +-1.5 V sweep, 1 us ramps" }
  plot.iv{ file = "iv_dendrite.png", v = iv_dend.v, i = iv_dend.i,
           title = "nmda_dendrite: +-3 V sweep, 30 us ramps" }
  plot.iv{ file = "iv_soma.png", v = iv_soma.v, i = iv_soma.i, title = "mott_soma: slow sweep, 1.5 V/ms" }
  plot.xy{ file = "pulse_curve.png", title = "rram potentiation and depression (1.5 V, 100 ns pulses)",
           series = { { x = curve.pulse, y = curve.G_nominal, label = "nominal" },
                      { x = curve.pulse, y = curve.G_noisy, label = "c2c noise", style = "points" } },
           xlabel = "pulse number", ylabel = "conductance", yunit = "S" }
  plot.xy{ file = "write_verify.png", title = "write-verify of one target",
           series = { { x = wv_trace.pulse, y = wv_trace.G_read, label = "verify read", style = "both" },
                      { x = { 0, #wv_trace.pulse - 1 }, y = { wv_trace.target, wv_trace.target },
                        label = "target" } },
           xlabel = "pulses applied", ylabel = "read conductance", yunit = "S" }
  local series = { { x = times, y = relax.G_mean, label = "mean (xi = 0)" } }
  for k = 1, 8 do series[#series + 1] = { x = times, y = relax["G_" .. k], label = k == 1 and "draws of xi" or nil } end
  plot.xy{ file = "relaxation.png", title = "rram relaxation after programming to 10 uS",
           series = series, logx = true, xlabel = "time after programming", xunit = "s",
           ylabel = "conductance", yunit = "S" }
  plot.traces{ file = "soma_step.png", title = "mott_soma under a 50 uA current step",
               trace = { t = step.t, step.v, name = "v", unit = "V", label = "mott_soma" } }
  plot.xy{ file = "soma_rate.png", title = "mott_soma firing rate", series = { { x = rate.i, y = rate.rate,
           style = "both" } }, xlabel = "step current", xunit = "A", ylabel = "rate", yunit = "Hz" }
  -- rram_pku's 10 Hz loop (mJ) is left out: it would push the pJ bars off a 6-decade axis.
  local tallies = {}
  for k = 1, #devices - 1 do tallies[k] = { devices[k][1], devices[k][2]:energy() } end
  plot.power{ file = "energy.png", tallies = tallies, log = true, title = "energy dissipated per device" }
end

-- ---- summary ----------------------------------------------------------------------------------

local function ratio_at(r, level, up)
  -- I/V where the drive crosses `level` rising (up) or falling
  for k = 2, #r.v do
    local a, b = r.v[k - 1] - level, r.v[k] - level
    if (up and a < 0 and b >= 0) or (not up and a > 0 and b <= 0) then return r.i[k] / r.v[k] end
  end
end
fmt("rram_pku loop: I/V at +0.5 V %.3g S rising, %.3g S falling", ratio_at(iv_pku, 0.5, true),
    ratio_at(iv_pku, 0.5, false))
fmt("nmda_dendrite: I/V %.3g S at 0.5 V rising, %.3g S at 2.5 V rising", ratio_at(iv_dend, 0.5, true),
    ratio_at(iv_dend, 2.5, true))
fmt("mott_soma sweep: on at %.3f V, off at %.3f V", v_on or 0 / 0, v_off or 0 / 0)
fmt("rram pulses: G %.2f -> %.2f -> %.2f uS (nominal)", curve.G_nominal[1] / u.uS, curve.G_nominal[61] / u.uS,
    curve.G_nominal[121] / u.uS)
local n_ok, n_p = 0, 0
for k = 1, #wv.target do
  n_ok = n_ok + (wv.converged[k] and 1 or 0)
  n_p = n_p + wv.pulses[k]
end
fmt("write-verify: %d of %d targets reached, %.1f pulses on average", n_ok, #wv.target, n_p / #wv.target)
fmt("relaxation from %.2f uS: mean %.2f uS after 10^5 s", prog.G / u.uS, relax.G_mean[1 + 60] / u.uS)
fmt("mott_soma at 50 uA: %d spikes in 200 us, %.1f kHz", #step.spikes, step.rate / u.kHz)
for k = 1, #energy.device do fmt("energy %-22s %.3g J", energy.device[k], energy.energy[k]) end
fmt("device_characterisation: done in %.2f s", memsnn.clock() - t_start)

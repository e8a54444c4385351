-- scenarios/reservoir.lua: reservoir computing with dynamic memristors (Zhong et al., Nat.
-- Commun. 12, 408 (2021)): sine/square waveform classification, Henon one-step prediction,
-- Mackey-Glass prediction, the same with device variation, cycle-to-cycle and read noise, the
-- readout on an RRAM crossbar (plain and noise-aware), and the Henon error map over mask
-- length M and V_max. docs/reproductions/reservoir.md. Environment: MAP=0 skips the error
-- map, FULL=1 runs the full one (18 M values, minutes) instead of the coarse default (5),
-- SEED=k changes the mask, the devices and the data. Source tags ([S RC-GH], [S ZH21],
-- [S AIHW]) are defined in docs/devices/sources.md.
local memsnn = require("memsnn")

local SEED = tonumber(os.getenv("SEED")) or 1
local STEPS = 1000                                  -- train and test steps [S RC-GH DM_RC_sim.m]

local function split(d, n)
  return { table.unpack(d.input, 1, n) }, { table.unpack(d.target, 1, n) },
         { table.unpack(d.input, n + 1, 2 * n) }, { table.unpack(d.target, n + 1, 2 * n) }
end

-- Train on the first STEPS samples, test on the next (devices reset before each, as the code
-- does); NRMSE from step 10 on. Returns the test NRMSE, the test outputs and the targets, the
-- training NRMSE, and with `array` (train options) the test NRMSE and outputs read through it.
local function run(task, opts, ridge, train)
  local d = memsnn.reservoir_task(task, { steps = 2 * STEPS, seed = SEED })
  local u, y, ut, yt = split(d, STEPS)
  local res = memsnn.reservoir(opts)
  local to = { ridge = ridge or 0 }
  for k, v in pairs(train or {}) do to[k] = v end
  local fit = res:train(u, y, to)
  local out = res:predict(ut)
  local e_arr, out_arr
  if to.array then
    out_arr = res:predict(ut, { readout = "array" })
    e_arr = memsnn.nrmse(out_arr, yt, { from = 10 })
  end
  return memsnn.nrmse(out, yt, { from = 10 }), out, yt, fit.nrmse, e_arr, out_arr
end

-- share of outputs on the label's side of 1/2 (waveform)
local function accuracy(out, yt)
  local right = 0
  for i = 1, #out do if (out[i] > 0.5) == (yt[i] > 0.5) then right = right + 1 end end
  return 100 * right / #out
end

local function reservoir(m, n, v_min, v_max, extra)
  local o = { device = "dynamic_tiox", n = n, mask_length = m, v_min = v_min, v_max = v_max, seed = SEED }
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

print("reservoir: dynamic_tiox, closed-form pulse response, reads at the input pulse, ridge 0 (pinv)")
print(string.format("  %-34s %9s %9s   %s", "task", "test", "train", "paper"))

-- waveform: M 4, N 10, -2 .. 3 V [S RC-GH]; a sample is right when the output is on the
-- label's side of 1/2
local e, out, yt = run("waveform", reservoir(4, 10, -2, 3))
print(string.format("  %-34s %8.2f%% %9s   %s", "waveform (M 4, N 10, -2..3 V)", accuracy(out, yt), "", "near 100 %"))
print(string.format("  %-34s %9.5f", "  waveform NRMSE", e))

local results = {}
for _, c in ipairs{ { 0, "code" }, { -0.8, "figure" } } do
  local et, _, _, etr = run("henon", reservoir(4, 25, c[1], 2.5))
  results[#results + 1] = et
  print(string.format("  %-34s %9.4f %9.4f   0.046", string.format("Henon (M 4, N 25, %g..2.5 V)", c[1]), et, etr))
end

-- Mackey-Glass: the input range fixed at +-1.4 (the series lies in 0.4 .. 1.35), so train and
-- test share one scaling; a small ridge (the pinv overfits here)
for _, rd in ipairs{ "input", "pulse" } do
  local et, _, _, etr = run("mackey_glass", reservoir(4, 25, 0, 2.5, { input_range = { -1.4, 1.4 }, read = rd }), 1e-12)
  print(string.format("  %-34s %9.4f %9.4f   0.036 (WOx + TiOx)", "Mackey-Glass (M 4, N 25, " .. rd .. ")", et, etr))
end

-- Non-ideal reservoirs. No statistics of these devices were found, so every sigma here is a
-- proposal [I]: device-to-device 0.1 (the lognormal sigma rram uses for its switching rates),
-- cycle-to-cycle 5 % of each pulse's change of state, and read noise 1 % per read (what
-- rram reads carry [S AIHW]), the "rram-like" set; the Henon sweep finds the read noise at
-- which the paper's number is met.
local REAL = { variation = 0.1, c2c = 0.05, read_noise = 0.01 }
local TASKS = {
  { "waveform", reservoir(4, 10, -2, 3), 0, "near 100 %" },
  { "henon", reservoir(4, 25, 0, 2.5), 0, "0.046" },
  { "mackey_glass", reservoir(4, 25, 0, 2.5, { input_range = { -1.4, 1.4 } }), 1e-12, "0.036" },
}
local function with(o, extra)
  local c = {}
  for k, v in pairs(o) do c[k] = v end
  for k, v in pairs(extra or {}) do c[k] = v end
  return c
end
local function score(task, e, out, yt)
  if task == "waveform" then return string.format("%7.2f%%", accuracy(out, yt)) end
  return string.format("%8.4f", e)
end

print("non-ideal reservoir (sigmas are proposals [I]), pinv readout in software")
print(string.format("  %-48s %9s %9s", "Henon, M 4, N 25, 0..2.5 V", "test", "train"))
for _, c in ipairs{ { 0.1, 0, 0 }, { 0, 0.05, 0 }, { 0.1, 0, 1e-5 }, { 0.1, 0, 3e-5 }, { 0.1, 0, 1e-4 },
                    { 0.1, 0, 1e-3 }, { 0.1, 0, 1e-2 } } do
  local et, _, _, etr = run("henon", with(TASKS[2][2], { variation = c[1], c2c = c[2], read_noise = c[3] }))
  print(string.format("  %-48s %9.4f %9.4f", string.format("variation %g, c2c %g, read noise %g", c[1], c[2], c[3]),
    et, etr))
end
for _, t in ipairs(TASKS) do
  local et, out, yt = run(t[1], with(t[2], REAL), t[3])
  print(string.format("  %-48s %9s   paper %s", t[1] .. ", rram-like (0.1, 0.05, 0.01)", score(t[1], et, out, yt), t[4]))
end

-- The readout on an RRAM crossbar: differential pairs, 64 levels, write-verify, with the
-- array non-idealities of the hybrid-training experiment's harsh array (variation 0.05,
-- c2c 0.55 uS, read noise 1 %, stuck 1e-3 each way: rram's values [S EDGE] [S AIHW] [I]).
-- Plain: the software fit mapped as it is; noise-aware: trained against weight noise
-- r max|w| N(0, 1), r = 0.01 (the array's own weight error, about 0.6 % of w_max after
-- write-verify, docs/crossbar.md) and r = 0.06 (docs/ann.md, after Yao et al. 2020).
local ARRAY = { variation = 0.05, c2c = 0.55e-6, read_noise = 0.01, p_stuck_off = 1e-3, p_stuck_on = 1e-3 }
print("readout on an RRAM array (64 levels, write-verify, variation 0.05, read noise 1 %)")
print(string.format("  %-44s %10s %10s", "task, reservoir, training", "software", "on array"))
for _, t in ipairs(TASKS) do
  for _, dev in ipairs{ { "ideal", {} }, { "rram-like", REAL } } do
    for _, r in ipairs{ 0, 0.01, 0.06 } do
      local es, out, yt, _, ea, oa = run(t[1], with(t[2], dev[2]), r == 0 and t[3] or 0, { array = ARRAY, weight_noise = r })
      print(string.format("  %-44s %10s %10s", string.format("%s, %s, %s", t[1], dev[1],
        r == 0 and "plain" or ("noise-aware " .. r)), score(t[1], es, out, yt), score(t[1], ea, oa, yt)))
    end
  end
end

if os.getenv("MAP") == "0" then return end

-- The error map: Henon NRMSE over M and V_max, N 25, V_min 0 (the code's setting)
local Ms = os.getenv("FULL") == "1" and { 1, 2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 32, 40, 50, 64, 80, 100 }
  or { 1, 2, 4, 10, 25 }
local Vs = {}
for k = 0, 10 do Vs[#Vs + 1] = 2.0 + 0.1 * k end
local values, best = {}, { math.huge }
local t0 = memsnn.clock()
for r = #Vs, 1, -1 do          -- row 1 at the top: the highest V_max
  for _, m in ipairs(Ms) do
    local et = run("henon", reservoir(m, 25, 0, Vs[r]))
    values[#values + 1] = math.log(et, 10)
    if et < best[1] then best = { et, m, Vs[r] } end
  end
end
print(string.format("  error map: %d x %d reservoirs in %.0f s; best NRMSE %.4f at M %d, V_max %.1f V",
  #Ms, #Vs, memsnn.clock() - t0, best[1], best[2], best[3]))
memsnn.write_csv("reservoir_error_map.csv", { V_max = (function()
  local c = {}
  for r = #Vs, 1, -1 do for _ = 1, #Ms do c[#c + 1] = Vs[r] end end
  return c end)(), M = (function()
  local c = {}
  for _ = 1, #Vs do for _, m in ipairs(Ms) do c[#c + 1] = m end end
  return c end)(), log10_nrmse = values })
memsnn.plot.heatmap{ file = "reservoir_error_map.png", values = values, rows = #Vs, cols = #Ms,
  x = { 0.5, #Ms + 0.5 }, y = { 1.95, 3.05 }, vlabel = "lg NRMSE", width = 1100, height = 480,
  xlabel = "column: M = " .. table.concat(Ms, " "), ylabel = "V_max (V)",
  title = "Henon one-step prediction, test NRMSE, N = 25, V_min = 0 V" }

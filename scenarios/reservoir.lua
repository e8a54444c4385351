-- scenarios/reservoir.lua: reservoir computing with dynamic memristors (Zhong et al., Nat.
-- Commun. 12, 408 (2021)): sine/square waveform classification, Henon one-step prediction,
-- Mackey-Glass prediction and the Henon error map over mask length M and V_max.
-- docs/reproductions/reservoir.md. Environment: MAP=0 skips the error map, QUICK=1 runs a
-- coarse one (a few M values), SEED=k changes the mask and the data. Source tags ([S RC-GH],
-- [S ZH21]) are defined in docs/devices/sources.md.
local memsnn = require("memsnn")

local SEED = tonumber(os.getenv("SEED")) or 1
local STEPS = 1000                                  -- train and test steps [S RC-GH DM_RC_sim.m]

local function split(d, n)
  return { table.unpack(d.input, 1, n) }, { table.unpack(d.target, 1, n) },
         { table.unpack(d.input, n + 1, 2 * n) }, { table.unpack(d.target, n + 1, 2 * n) }
end

-- Train on the first STEPS samples, test on the next (devices reset before each, as the code
-- does); NRMSE from step 10 on. Returns the test NRMSE, the test outputs and the targets.
local function run(task, opts, ridge)
  local d = memsnn.reservoir_task(task, { steps = 2 * STEPS, seed = SEED })
  local u, y, ut, yt = split(d, STEPS)
  local res = memsnn.reservoir(opts)
  local fit = res:train(u, y, { ridge = ridge or 0 })
  local out = res:predict(ut)
  return memsnn.nrmse(out, yt, { from = 10 }), out, yt, fit.nrmse
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
local right = 0
for i = 1, #out do if (out[i] > 0.5) == (yt[i] > 0.5) then right = right + 1 end end
print(string.format("  %-34s %8.2f%% %9s   %s", "waveform (M 4, N 10, -2..3 V)", 100 * right / #out, "", "near 100 %"))
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

if os.getenv("MAP") == "0" then return end

-- The error map: Henon NRMSE over M and V_max, N 25, V_min 0 (the code's setting)
local Ms = os.getenv("QUICK") == "1" and { 1, 2, 4, 10, 25 }
  or { 1, 2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 32, 40, 50, 64, 80, 100 }
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

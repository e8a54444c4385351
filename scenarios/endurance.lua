-- endurance.lua: analog endurance cycling of the rram synapse against full-window cycling, the
-- measurement of Zhao et al. (IEDM 2018; docs/reproductions/endurance.md), under memsnn's
-- endurance law (a proposal calibrated to that paper's headline; docs/devices/rram.md,
-- "Endurance"). Runs in about a second.
--
--   memsnn run scenarios/endurance.lua --out out/endurance
--
-- Writes under --out:
--   endurance_analog.csv    readouts every decade to 1e13 analog cycles (100 + 100 weak pulses
--                           of 100 ns between 25 % and 75 % of the window)
--   endurance_full.csv      readouts every decade to 1e9 full-window cycles (+-2 V, 2 us)
--   endurance_strength.csv  lifetime of analog cycling against the number of pulses per
--                           direction (fewer pulses = stronger pulses), and the full-window one
--   endurance_stuck.csv     fraction of 100 devices worn out (window <= half) every decade, both
--                           protocols, with a device-to-device spread of end_W0 (d2d_W0 = 0.5)
--   endurance_learning.csv  accuracy of a 16-4 classifier on rram pairs that endured N cycles,
--                           after in-situ adaptation to new data (sign pulses), and its pulses
-- and, when memsnn.plot is available, endurance_window.png (G_min, G_max against log cycles),
-- endurance_nonlinearity.png, endurance_steps.png, endurance_strength.png, endurance_stuck.png,
-- endurance_learning.png.
-- Prints the lifetimes, their ratio and the state at 1e11 analog cycles.
--
-- MODE=hybrid (a few minutes; needs the digits of scripts/fetch-mnist) writes the two readout
-- CSVs above, then runs only the consequence for the hybrid-training network instead of the
-- rest: endurance_hybrid.csv (accuracy of the 784-100-10 network on arrays that endured N
-- cycles, after transfer and after in-situ adaptation, per array, condition and seed) and
-- endurance_hybrid.png (accuracy after adaptation against log cycles). Settings below.

local memsnn = require("memsnn")
local plot = memsnn.plot                      -- nil in builds without the plotting layer
local t_start = memsnn.clock()

local function fmt(...) print(string.format(...)) end

local CYCLES_ANALOG, CYCLES_FULL = 1e13, 1e9
local analog = memsnn.device("rram"):endure{ protocol = "analog", cycles = CYCLES_ANALOG, n_p = 100 }
local full = memsnn.device("rram"):endure{ protocol = "full", cycles = CYCLES_FULL }
memsnn.write_csv("endurance_analog.csv", analog, { columns = analog.columns })
memsnn.write_csv("endurance_full.csv", full, { columns = full.columns })

local function at(r, n)                     -- row of the readout at n cycles
  for k = 1, #r.cycles do if r.cycles[k] == n then return k end end
end

-- ---- MODE=hybrid: the consequence for the hybrid-training network ----------------------------
-- The 784-100-10 network of scenarios/hybrid_training.lua (plain, trained in software on the
-- digits), mapped onto arrays whose devices have all endured N cycles (array option `wear`, the
-- wear of the readouts above), then adapted in situ (ann:adapt: layer 2, sign pulses, one pass
-- over 10 % of the training digits, then PASSES - 1 more); test accuracy after the transfer and
-- after the adaptation, on the two arrays of hybrid_training.lua. Needs the digits of
-- scripts/fetch-mnist (MNIST_DIR: another folder of the four IDX files). N_TRAIN, N_TEST,
-- EPOCHS, SEEDS, PASSES, FROM (smallest cycle count, default 1e3), TOP_ANALOG, TOP_FULL (largest
-- cycle counts) and ARRAYS ("defaults", "harsh" or "defaults,harsh") in the environment change
-- the run.
if os.getenv("MODE") == "hybrid" then
  local function env(name, default) return tonumber(os.getenv(name)) or default end
  local H = { n_train = env("N_TRAIN", 4000), n_test = env("N_TEST", 1000), epochs = env("EPOCHS", 5),
              seeds = env("SEEDS", 3), passes = env("PASSES", 3), lr = 0.1, logit_scale = 10, threshold = 0.15,
              fraction = 0.10, from = env("FROM", 1e3), top_analog = env("TOP_ANALOG", 1e13),
              top_full = env("TOP_FULL", 1e9) }
  -- the two arrays of scenarios/hybrid_training.lua
  local ARRAYS = {
    defaults = { variation = 0.05, c2c = 0.55e-6, read_noise = 0.01, p_stuck_off = 1e-3, p_stuck_on = 1e-3 },
    harsh = { variation = 0.10, c2c = 0.55e-6, read_noise = 0.02, p_stuck_off = 1e-2, p_stuck_on = 1e-2 },
  }
  local arrays = {}
  for name in (os.getenv("ARRAYS") or "defaults,harsh"):gmatch("[^,]+") do
    if not ARRAYS[name] then error("ARRAYS: unknown array '" .. name .. "' (known: defaults, harsh)") end
    arrays[#arrays + 1] = name
  end
  local DATA_DIR = os.getenv("MNIST_DIR") or "data/mnist"
  local train = memsnn.data.idx(DATA_DIR .. "/train-images-idx3-ubyte")
  local train_l = memsnn.data.idx(DATA_DIR .. "/train-labels-idx1-ubyte")
  local TEST = { images = memsnn.data.idx(DATA_DIR .. "/t10k-images-idx3-ubyte"),
                 labels = memsnn.data.idx(DATA_DIR .. "/t10k-labels-idx1-ubyte"), n = H.n_test }
  local net = memsnn.ann.dendritic{ inputs = 784, hidden = 100, outputs = 10, dendrites = false, seed = 1 }
  net:train{ images = train, labels = train_l, n = H.n_train, epochs = H.epochs, lr = H.lr,
             logit_scale = H.logit_scale, soma_grad = "through", seed = 1, progress = false }
  local sw = net:accuracy(TEST)
  local conds = { { "fresh", 0, 0, 1 } }
  for _, set in ipairs{ { "analog", analog, H.top_analog }, { "full", full, H.top_full } } do
    local r = set[2]
    for k = 1, #r.cycles do
      if r.cycles[k] >= H.from and r.cycles[k] <= set[3] then
        conds[#conds + 1] = { set[1], r.cycles[k], r.wear[k], r.window[k] }
      end
    end
  end
  local function with(t, extra) local c = {} for k, v in pairs(t) do c[k] = v end for k, v in pairs(extra) do c[k] = v end return c end
  local cols = { "array", "protocol", "cycles", "wear", "window", "seed", "software", "transfer", "adapt1", "adapt",
                 "pulses", "wv_failed" }
  local out = {}
  for _, k in ipairs(cols) do out[k] = {} end
  local mean = {}                           -- mean[array][k] = { c = condition, m = means }
  fmt("endurance, hybrid network: 784-100-10 plain, %d training / %d test digits, software accuracy %.4f, %d seeds",
      H.n_train, H.n_test, sw, H.seeds)
  for _, an in ipairs(arrays) do
    mean[an] = {}
    fmt(" array %s:", an)
    for _, c in ipairs(conds) do
      local m = { transfer = 0, adapt1 = 0, adapt = 0, pulses = 0 }
      for seed = 1, H.seeds do
        local c1, c2 = net:map{ array = with(ARRAYS[an], { wear = c[3] }), seed = seed }
        local cb = with(TEST, { crossbars = { c1, c2 } })
        local row = #out.array + 1
        local function put(k, v) out[k][row] = v end
        put("array", an) put("protocol", c[1]) put("cycles", c[2]) put("wear", c[3]) put("window", c[4])
        put("seed", seed) put("software", sw) put("transfer", net:accuracy(cb))
        put("wv_failed", c1:mapping().wv_failed + c2:mapping().wv_failed)
        local ad = { crossbars = { c1, c2 }, images = train, labels = train_l, n = H.n_train, fraction = H.fraction,
                     threshold = H.threshold, logit_scale = H.logit_scale, seed = seed }
        local pulses = net:adapt(ad).pulses
        put("adapt1", net:accuracy(cb))
        if H.passes > 1 then pulses = pulses + net:adapt(with(ad, { epochs = H.passes - 1 })).pulses end
        put("adapt", net:accuracy(cb)) put("pulses", pulses)
        for k in pairs(m) do m[k] = m[k] + out[k][row] / H.seeds end
      end
      mean[an][#mean[an] + 1] = { c = c, m = m }
      fmt("  %-6s %8.0e cycles: window %5.1f %%, transfer %.4f, adapted %.4f (1 pass), %.4f (%d passes), %.0f pulses",
          c[1], c[2], 100 * c[4], m.transfer, m.adapt1, m.adapt, H.passes, m.pulses)
    end
  end
  memsnn.write_csv("endurance_hybrid.csv", out, { columns = cols })
  if plot then
    local s, top = {}, math.max(H.top_analog, H.top_full)
    for _, an in ipairs(arrays) do
      for _, proto in ipairs{ "analog", "full" } do
        local x, y = {}, {}
        for _, e in ipairs(mean[an]) do
          if e.c[1] == proto then x[#x + 1], y[#y + 1] = e.c[2], e.m.adapt1 end
        end
        s[#s + 1] = { x = x, y = y, label = an .. " array, " .. (proto == "full" and "full-window" or "analog") .. "-cycled",
                      style = "both" }
      end
      local f = mean[an][1].m.adapt1
      s[#s + 1] = { x = { H.from, top }, y = { f, f }, label = an .. " array, fresh", style = "lines" }
    end
    plot.xy{ file = "endurance_hybrid.png", logx = true,
             title = string.format("784-100-10 network on arrays that endured N cycles, adapted in situ (1 pass, 10 %% of the data; mean of %d seeds)", H.seeds),
             series = s, xlabel = "cycles endured", ylabel = "test accuracy after adaptation" }
  end
  fmt("elapsed %.2f s", memsnn.clock() - t_start)
  return
end

-- Pulse strength: the same 25 % <-> 75 % cycle with fewer, stronger pulses.
local strength = { n_p = {}, v_set = {}, v_reset = {}, lifetime = {}, ratio = {} }
for _, n in ipairs{ 3, 10, 30, 100, 300 } do
  local r = memsnn.device("rram"):endure{ protocol = "analog", cycles = 1e15, n_p = n, readouts = { 0 } }
  local k = #strength.n_p + 1
  strength.n_p[k], strength.v_set[k], strength.v_reset[k] = n, r.v_set, r.v_reset
  strength.lifetime[k] = r.lifetime or 1e15
  strength.ratio[k] = strength.lifetime[k] / full.lifetime
end
memsnn.write_csv("endurance_strength.csv", strength,
                 { columns = { "n_p", "v_set", "v_reset", "lifetime", "ratio" } })

-- A population: every device draws end_W0 with a lognormal spread (and the stuck-at faults of
-- the variation law, counted as stuck from the start).
local N_DEV, BLOCK = 100, 0.05     -- coarser blocks: 100 devices in about a second
local stuck = { cycles = {}, analog = {}, full = {} }
for _, proto in ipairs{ "analog", "full" } do
  local n = CYCLES_ANALOG                   -- the same readouts for both protocols
  local count = {}
  for i = 1, N_DEV do
    local d = memsnn.device("rram", { d2d_W0 = 0.5 }, { variation = true, index = i })
    local faulty = d:params().stuck ~= 0
    local r = d:endure{ protocol = proto, cycles = n, block = BLOCK }
    for k = 1, #r.cycles do
      count[k] = (count[k] or 0) + ((faulty or r.stuck[k] == 1) and 1 or 0)
      if proto == "analog" then stuck.cycles[k] = r.cycles[k] end
    end
  end
  for k = 1, #stuck.cycles do stuck[proto][k] = count[k] / N_DEV end
end
memsnn.write_csv("endurance_stuck.csv", stuck, { columns = { "cycles", "analog", "full" } })

-- ---- the consequence for learning --------------------------------------------------------------
-- A single-layer classifier (16 inputs, 4 classes, differential pairs of rram) trained in software
-- on task A (four random binary prototypes plus noise), mapped onto devices that have already
-- endured N cycles (their wear from the readouts above), then adapted in situ to task B (four
-- new prototypes: new data) with sign pulses (c:update_sign), 10 epochs of 200 samples. The
-- logits read the column currents against the fresh window's full scale, as fixed hardware would.
local NIN, NOUT, NOISE, EPOCHS, THRESHOLD, SEEDS = 16, 4, 0.15, 10, 0.2, 3
math.randomseed(3)
local function gauss() return math.sqrt(-2 * math.log(1 - math.random())) * math.cos(2 * math.pi * math.random()) end
local function prototypes()
  local P = {}
  for c = 1, NOUT do P[c] = {} for i = 1, NIN do P[c][i] = math.random() < 0.5 and 1 or 0 end end
  return P
end
local function samples(P, n)
  local X, Y = {}, {}
  for k = 1, n do
    local c, x = (k - 1) % NOUT + 1, {}
    for i = 1, NIN do x[i] = math.min(1, math.max(0, 0.1 + 0.8 * P[c][i] + NOISE * gauss())) end
    X[k], Y[k] = x, c
  end
  return X, Y
end
local function softmax(z)
  local m, s, p = -math.huge, 0, {}
  for j = 1, #z do m = math.max(m, z[j]) end
  for j = 1, #z do p[j] = math.exp(z[j] - m) s = s + p[j] end
  for j = 1, #z do p[j] = p[j] / s end
  return p
end
local function argmax(z) local b = 1 for j = 2, #z do if z[j] > z[b] then b = j end end return b end
local PA, PB = prototypes(), prototypes()
local XA, YA = samples(PA, 400)
local XB, YB = samples(PB, 200)
local XT, YT = samples(PB, 400)
local W = {}
for i = 1, NIN do W[i] = {} for j = 1, NOUT do W[i][j] = 0.1 * gauss() end end
for _ = 1, 30 do                            -- software training on A (softmax regression)
  for k = 1, #XA do
    local z = {}
    for j = 1, NOUT do local s = 0 for i = 1, NIN do s = s + XA[k][i] * W[i][j] end z[j] = 3 * s end
    local p = softmax(z)
    for j = 1, NOUT do
      local e = (YA[k] == j and 1 or 0) - p[j]
      for i = 1, NIN do W[i][j] = W[i][j] + 0.02 * e * XA[k][i] end
    end
  end
end
local I_FULL = 0.2 * 18e-6                  -- V_read x the fresh window (A)
local function accuracy(c, X, Y)
  local ok = 0
  for k = 1, #X do if argmax(c:forward(X[k], false)) == Y[k] then ok = ok + 1 end end
  return ok / #X
end
local function adapt(wear, seed)
  local c = memsnn.crossbar{ weights = W, seed = seed,
    array = { wear = wear, variation = 0.05, c2c = 0.55e-6, read_noise = 0.01 } }
  local r = { A = accuracy(c, XA, YA), before = accuracy(c, XT, YT), pulses = 0 }
  for ep = 1, EPOCHS do
    for k = 1, #XB do
      local I, z, err = c:forward(XB[k]), {}, {}
      for j = 1, NOUT do z[j] = 3 * I[j] / I_FULL end
      local p = softmax(z)
      for j = 1, NOUT do err[j] = (YB[k] == j and 1 or 0) - p[j] end
      r.pulses = r.pulses + c:update_sign{ x = XB[k], err = err, threshold = THRESHOLD }.pulses
    end
    if ep == 1 then r.after1 = accuracy(c, XT, YT) end
  end
  r.after = accuracy(c, XT, YT)
  return r
end
local learn = { protocol = {}, cycles = {}, wear = {}, window = {}, acc_A = {}, acc_B_before = {},
                acc_B_epoch1 = {}, acc_B = {}, pulses = {} }
for _, set in ipairs{ { "analog", analog }, { "full", full } } do
  local name, r = set[1], set[2]
  for k = 1, #r.cycles do
    if r.cycles[k] == 0 or r.cycles[k] >= 1e3 then
      local m = { A = 0, before = 0, after1 = 0, after = 0, pulses = 0 }
      for seed = 1, SEEDS do
        local a = adapt(r.wear[k], seed)
        for key in pairs(m) do m[key] = m[key] + a[key] / SEEDS end
      end
      local n = #learn.cycles + 1
      learn.protocol[n], learn.cycles[n], learn.wear[n], learn.window[n] = name == "analog" and 0 or 1,
        r.cycles[k], r.wear[k], r.window[k]
      learn.acc_A[n], learn.acc_B_before[n], learn.acc_B_epoch1[n] = m.A, m.before, m.after1
      learn.acc_B[n], learn.pulses[n] = m.after, m.pulses
    end
  end
end
memsnn.write_csv("endurance_learning.csv", learn, { columns = { "protocol", "cycles", "wear", "window",
  "acc_A", "acc_B_before", "acc_B_epoch1", "acc_B", "pulses" } })
local function series(proto, col)
  local x, y = {}, {}
  for n = 1, #learn.cycles do
    if learn.protocol[n] == proto and learn.cycles[n] > 0 then x[#x + 1], y[#y + 1] = learn.cycles[n], learn[col][n] end
  end
  return x, y
end
if plot then
  local xa, ya = series(0, "acc_B")
  local xa1, ya1 = series(0, "acc_B_epoch1")
  local xf, yf = series(1, "acc_B")
  local xf1, yf1 = series(1, "acc_B_epoch1")
  plot.xy{ file = "endurance_learning.png", logx = true,
           title = "In-situ adaptation to new data on devices that endured N cycles (mean of 3 arrays)",
           series = { { x = xa, y = ya, label = "analog-cycled, 10 epochs", style = "both" },
                      { x = xa1, y = ya1, label = "analog-cycled, 1 epoch", style = "both" },
                      { x = xf, y = yf, label = "full-window-cycled, 10 epochs", style = "both" },
                      { x = xf1, y = yf1, label = "full-window-cycled, 1 epoch", style = "both" } },
           xlabel = "cycles endured", ylabel = "test accuracy on the new task" }
end

if plot then
  -- two quantities (a, b) of both protocols against log cycles: four curves
  local function both_protocols(file, title, a, la, b, lb, ylabel, yunit)
    plot.xy{ file = file, logx = true, title = title,
             series = { { x = analog.cycles, y = analog[a], label = "analog, " .. la, style = "both" },
                        { x = analog.cycles, y = analog[b], label = "analog, " .. lb, style = "both" },
                        { x = full.cycles, y = full[a], label = "full window, " .. la, style = "both" },
                        { x = full.cycles, y = full[b], label = "full window, " .. lb, style = "both" } },
             xlabel = "cycles", ylabel = ylabel, yunit = yunit }
  end
  both_protocols("endurance_window.png", "Window against cycles: analog (100 weak pulses per direction) vs full window",
                 "G_max", "G_max", "G_min", "G_min", "conductance", "S")
  both_protocols("endurance_nonlinearity.png", "Update nonlinearity (1 - step ratio at 25 % / 75 % of the window)",
                 "nl_set", "SET", "nl_reset", "RESET", "nonlinearity")
  both_protocols("endurance_steps.png", "Per-pulse step of a standard SET pulse: mean and spread along the window",
                 "step_mean", "mean", "step_sd", "sd", "step", "S")
  plot.xy{ file = "endurance_strength.png", logy = true,
           title = "Analog lifetime (window halved) against pulses per direction",
           series = { { x = strength.n_p, y = strength.lifetime, label = "analog 25 % <-> 75 %", style = "both" } },
           xlabel = "pulses per direction", ylabel = "cycles to wear-out" }
  plot.xy{ file = "endurance_stuck.png", logx = true,
           title = "Worn-out devices (window <= half) of 100 with d2d_W0 = 0.5",
           series = { { x = stuck.cycles, y = stuck.analog, label = "analog", style = "both" },
                      { x = stuck.cycles, y = stuck.full, label = "full window", style = "both" } },
           xlabel = "cycles", ylabel = "fraction stuck" }
end

local k11 = at(analog, 1e11)
fmt("full-window cycles (+-2 V, 2 us): worn out (half the window left) at %.3g cycles", full.lifetime)
fmt("analog cycles (100 + 100 pulses, %.3f V / %.3f V, 100 ns): worn out at %.3g cycles",
    analog.v_set, analog.v_reset, analog.lifetime)
fmt("ratio %.3g (paper: > 1e5)", analog.lifetime / full.lifetime)
fmt("at 1e11 analog cycles: window %.1f %% (G %.2f-%.2f uS), nl_set %.3f, nl_reset %.3f, step %.3f uS, %s",
    100 * analog.window[k11], analog.G_min[k11] * 1e6, analog.G_max[k11] * 1e6, analog.nl_set[k11],
    analog.nl_reset[k11], analog.step_mean[k11] * 1e6, analog.stuck[k11] == 1 and "worn out" or "usable")
for k = 1, #strength.n_p do
  fmt("  n_p = %3d: %.3f V / %.3f V, lifetime %.3g cycles (%.3g x full window)", strength.n_p[k],
      strength.v_set[k], strength.v_reset[k], strength.lifetime[k], strength.ratio[k])
end
fmt("population of %d: stuck at 1e11 analog cycles %.3f, at 1e6 full-window cycles %.3f", N_DEV,
    stuck.analog[k11], stuck.full[at(full, 1e6)])
fmt("learning (16-4 classifier, in-situ adaptation to new data, mean of %d arrays):", SEEDS)
for n = 1, #learn.cycles do
  fmt("  %-6s %8.0e cycles: window %5.1f %%, accuracy on B %.3f before, %.3f after 1 epoch, %.3f after %d (%.0f pulses)",
      learn.protocol[n] == 0 and "analog" or "full", learn.cycles[n], 100 * learn.window[n], learn.acc_B_before[n],
      learn.acc_B_epoch1[n], learn.acc_B[n], EPOCHS, learn.pulses[n])
end
fmt("elapsed %.2f s", memsnn.clock() - t_start)

-- dendrite_power.lua: the dendrite power-reduction experiment (X. Li et al., "Power-efficient
-- neural network with artificial dendrites", Nature Nanotechnology 15, 776 (2020)) on
-- handwritten digits: the same task with and without memristor dendrites.
--
--   memsnn run scenarios/dendrite_power.lua --out out/dendrite_power            (quick mode)
--   memsnn run scenarios/dendrite_power.lua --out out/dendrite_power -- --full  (all tests)
--
-- 1. Train the software models (docs/ann.md): the dendritic network 784-100-10 (4 bands of 7
--    pixel rows as layer-1 branches, 4 groups of 25 hidden somas as layer-2 branches) and its
--    control without dendrites, on the 8000 training digits of data/mnist (scripts/fetch-mnist).
-- 2. Map their weights onto RRAM crossbars (differential pairs, 64 levels, write-verify) and
--    build the device networks (docs/circuits.md): synapses -> nmda_dendrite branches ->
--    mott_soma for the dendritic network, the same synapses straight onto the somas
--    (point_neuron) for the control.
-- 3. Present each test image, clean and with a noisy background, as amplitude-coded read
--    pulses (every pixel row read once for the inference window at its intensity) and
--    classify by the output somas' spike counts.
-- 4. Report accuracy (software and devices), soma spikes, the Li 2020 power metric and the
--    full energy ledger per inference, with CSVs and PNGs. docs/reproductions/dendrite-power.md.

local memsnn = require("memsnn")
local u = memsnn.units

local full, sweep = false, false
for _, a in ipairs(arg or {}) do
  if a == "--full" then full = true
  elseif a == "--sweep" then sweep = true
  elseif a ~= "" then error("dendrite_power: unknown argument '" .. a .. "' (expected --full or --sweep)") end
end

-- ---- settings ------------------------------------------------------------------------------
-- Settings; the environment variables in capitals override them for exploration.
local function env(name, default) return tonumber(os.getenv(name)) or default end
local S = {
  n_train = env("N_TRAIN", 8000), epochs = env("EPOCHS", full and 10 or 3),
  n_test = env("N_TEST", full and 2000 or 100),  -- device-network test images per condition
  n_cal = env("N_CAL", 20),                      -- training images (half clean, half noisy) that set V_out
  noise = { sigma = 0.3, clutter = 3 },          -- the noisy background (docs/ann.md)
  -- training: both networks on noisy-background training images (a different noise seed from
  -- the test images'), with the activity penalty that makes training power-aware (docs/ann.md)
  train_noise = os.getenv("TRAIN_NOISE") ~= "0",
  activity = env("ACTIVITY", 0.01),
  -- the control's own penalty (default: the same); a larger one trades its accuracy for power,
  -- for comparisons at equal accuracy (docs/reproductions/dendrite-power.md)
  activity_control = env("ACTIVITY_CONTROL", env("ACTIVITY", 0.01)),
  hidden = env("HIDDEN", 100),                   -- hidden somas (a multiple of 4: 4 output groups)
  T = env("T_US", 30) * u.us,                    -- inference window per image
  t_read2 = env("T_READ2", 1) * u.us,            -- read pulse of a hidden spike onto the outputs
  clock = env("CLOCK", 0.5) * u.us,              -- synchronous output rows (0: none)
  V_branch = env("V_BRANCH", 4.0),               -- branch node voltage (V) at software input x = 1
  C_soma = 100 * u.pF,                           -- soma capacitor
  -- integrator tolerance: 1e-4 gives the spike counts of 1e-6 within 0.3 % at 2.4x fewer
  -- steps (docs/reproductions/dendrite-power.md, "Speed")
  rtol = env("RTOL", 1e-4),
  -- the one-step Rosenbrock integrator: about three times as fast as BDF here, and at rtol
  -- 1e-4 closer to the rtol 1e-6 spike counts (docs/numerics.md, "The Rosenbrock integrator")
  integrator = os.getenv("INTEGRATOR") or "rosenbrock",
  same_v = os.getenv("SAME_V") ~= "0",           -- run "control" (at the dendritic network's voltages)
  own_v = os.getenv("OWN_V") ~= "0",             -- run "control_own" (at its own best voltages)
  threads = env("THREADS", 2),                   -- threads per network (results do not depend on it)
  on_off = env("ON_OFF", 100),                   -- dendrite G_on / G_off (nmda_dendrite default: 100)
  dV = env("DV", 0.1),                           -- width of the dendrite's activation sigmoid (V): its nonlinearity
}

if S.hidden < 4 or S.hidden % 4 ~= 0 then
  error(string.format("dendrite_power: HIDDEN = %g must be a positive multiple of 4 (four groups of hidden somas feed the outputs' branches)", S.hidden), 0)
end

-- ---- data ----------------------------------------------------------------------------------
local D = memsnn.data
-- MNIST_DIR points at another folder of the same four IDX files (the tests use a small
-- synthetic set there).
local DATA_DIR = os.getenv("MNIST_DIR") or "data/mnist"
local function load(name)
  local path = DATA_DIR .. "/" .. name
  local f = io.open(path, "rb")
  if not f then
    error("dendrite_power: " .. path .. " is missing: run scripts/fetch-mnist (make demo does) from the repository's folder", 0)
  end
  f:close()
  return D.idx(path).data
end
local train, train_labels = load("train-images-idx3-ubyte"), load("train-labels-idx1-ubyte")
local test, test_labels = load("t10k-images-idx3-ubyte"), load("t10k-labels-idx1-ubyte")
S.n_train = math.min(S.n_train, #train)
S.n_test = math.min(S.n_test, #test)
-- The images that calibrate the output read voltage (never test images): the last n_cal of
-- the training set (on MNIST, training images 7,981-8,000).
local CAL0 = #train - S.n_cal

-- ---- 1. software models --------------------------------------------------------------------
local anns = {}
local THETA = 0.11                           -- soma threshold of both software models (PyTorch value)
local function train_models()
for _, kind in ipairs{ "dendritic", "control" } do
  -- Both models are device-faithful: no per-sample normalisation (a device network reads its
  -- rows at fixed voltages and cannot divide a branch by its largest sum), so the device
  -- computes what the software model computes. The dendritic one's dendrite is the thresholded-
  -- linear steady state of an nmda_dendrite branch, threshold t = V_th / V_branch (docs/ann.md).
  local dend = kind == "dendritic"
  -- WEIGHTS=folder keeps the trained weights there, named by every setting training depends
  -- on, and loads them on later runs instead of training again (inference-only reruns)
  local cache = os.getenv("WEIGHTS") and string.format("%s/%s-h%d-n%d-e%d-a%g-v%g-noise%s.ann", os.getenv("WEIGHTS"), kind,
    S.hidden, S.n_train, S.epochs, dend and S.activity or S.activity_control, S.V_branch, S.train_noise and "1" or "0")
  -- (a relative folder is under --out, where ann:save writes)
  local ok, loaded = false, nil
  if cache then ok, loaded = pcall(memsnn.ann.load, cache) end
  if ok then
    anns[kind] = loaded
    print(string.format("dendrite_power: loaded the %s network from %s", kind, cache))
    goto next_kind
  elseif cache then
    print(string.format("dendrite_power: training the %s network (%s)", kind, loaded))
  end
  do
  local ann = memsnn.ann.dendritic{ inputs = 784, hidden = S.hidden, outputs = 10, branches = 4, out_branches = 4,
                                     dendrites = dend, threshold = dend and 1.0 / S.V_branch or 0, normalise = false,
                                     theta = THETA, init_sd = 0.3, seed = 1 }
  -- docs/ann.md, "Without normalisation": init_sd 0.3, momentum 0.9 and the straight-through
  -- soma gradient train both networks (without them the control keeps dead classes)
  local r = ann:train{ images = train, labels = train_labels, n = S.n_train, epochs = S.epochs, seed = 1,
                       lr = 0.1, momentum = 0.9, soma_grad = "through", activity = dend and S.activity or S.activity_control,
                       noise = S.train_noise and { sigma = S.noise.sigma, clutter = S.noise.clutter, seed = 1001 } or nil }
  anns[kind] = ann
  print(string.format("dendrite_power: trained the %s network in %.2f s: test accuracy %.3f clean, %.3f noisy",
    kind, r.seconds, ann:accuracy{ images = test, labels = test_labels },
    ann:accuracy{ images = test, labels = test_labels, noise = S.noise }))
  if cache then ann:save(cache) end
  end
  ::next_kind::
end
end

-- ---- 2. device networks ----------------------------------------------------------------------
-- From software units to currents. The software models are not normalised, so every mapping
-- is fixed by the devices, not by a reference image:
--  - a branch (dendritic) or column (control) whose software sum is x carries the current
--    I_x x; rows read at v_b = I_x w_max_b / G_RANGE do that (a weight w_max is G_RANGE);
--  - dendritic: I_x = V_branch / R_branch, so x = 1 lifts a closed branch node to V_branch
--    and x = t = V_th / V_branch to the dendrite's threshold, the software threshold; above
--    it the dendrite holds the node near V_th and passes I_x (x - t) = I_x (1 - t) z to the soma;
--  - the soma's threshold theta is its rheobase I_RH: I_x (1 - t) theta = I_RH (dendritic),
--    I_x theta = I_RH (control), which sets R_branch = (V_branch - V_th) theta / I_RH
--    (33 kohm at V_branch = 4 V).
local G_RANGE = 18 * u.uS                    -- rram window 2-20 uS (docs/devices/rram.md)
local V_TH_D = 1.0                           -- nmda_dendrite V_th (docs/devices/nmda_dendrite.md)
local I_RH = 1.0 / (100 * u.kohm)            -- mott_soma V_th / R_off = 10 uA (docs/devices/mott_soma.md)
local function r_branch() return env("R_BRANCH", 0) * u.kohm > 0 and env("R_BRANCH", 0) * u.kohm
                                 or (S.V_branch - V_TH_D) * THETA / I_RH end
local function unit_current(dend) return dend and S.V_branch / r_branch() or I_RH / THETA end

local function layer(ann, l)
  local info = ann:info()
  local n = (l == 1) and info.branches or info.out_branches
  local t = {}
  for b = 1, n do
    local w = ann:layer_weights(l, b)
    local m = 0
    for _, v in ipairs(w.w) do m = math.max(m, math.abs(v)) end
    w.w_max = m
    t[b] = w
  end
  return t
end

local function mean(v) local sum = 0 for _, x in ipairs(v) do sum = sum + x end return sum / #v end

-- Image k of the run is read from t = (k - 1) P on: every pixel row fires then, and its read
-- lasts T; P leaves room for the last pulses onto the output layer to end before the reset.
local P = S.T + 4 * u.us
local function n_images() return 2 * S.n_test end   -- clean, then noisy

-- The device networks compared: the dendritic one; its control without dendrites at the same
-- row and output voltages (the paper's comparison: the same applied voltage); and the same
-- control at its own voltages (its own mapping above), so that a control over- or under-
-- driven by the dendritic network's volts is not the only reference.
local SOFTWARE = { dendritic = "dendritic", control = "control", control_own = "control" }
local function same_v_of(kind) return kind == "control" end
local KINDS = { "dendritic" }
if S.same_v then KINDS[#KINDS + 1] = "control" end
if S.own_v then KINDS[#KINDS + 1] = "control_own" end

-- The read voltages of a network: rows per layer-1 branch, and per layer-2 group the read of
-- a hidden spike, from kappa, the hidden spikes per unit of software activation a in the
-- window: a hidden soma at a fires kappa a pulses of t_read2, so a group whose software sum is
-- x2 carries G_RANGE v kappa t_read2 / (T w_max) x2 on average, which must be I_x x2.
local function voltages(kind, kappa)
  local ann = anns[SOFTWARE[kind]]
  local ix = unit_current(kind == "dendritic")
  local v = { rows = {}, outs = {} }
  for b, w in ipairs(layer(ann, 1)) do v.rows[b] = ix * w.w_max / G_RANGE end
  for g, w in ipairs(layer(ann, 2)) do v.outs[g] = ix * w.w_max * S.T / (G_RANGE * kappa * S.t_read2) end
  return v
end

local function build(kind, volts, n_images)
  local ann = anns[SOFTWARE[kind]]
  local dend = kind == "dendritic"
  local net = memsnn.network{ seed = 1, rtol = S.rtol, threads = S.threads, integrator = S.integrator }
  local times = {}
  for i = 1, 784 do
    times[i] = {}
    for k = 1, n_images do times[i][k] = (k - 1) * P end
  end
  local src = net:spike_source{ times = times, label = "pixels" }
  local L1, L2 = layer(ann, 1), layer(ann, 2)
  -- instantaneous Mott switch (docs/devices/mott_soma.md) and a 100 pF soma capacitor, so a
  -- soma fed at a few times its 10 uA rheobase fires several times in the window
  local params = { ["soma.tau_s"] = 0, ["soma.C"] = S.C_soma }
  if dend then
    for b = 1, math.max(#L1, #L2) do
      params["d" .. b .. ".G_off"] = 100 * u.uS / S.on_off
      params["d" .. b .. ".dV"] = S.dV
    end
  end
  -- the Li metric's V_applied: the mean read voltage of the layer's rows (the same for the
  -- dendritic network and its control at the same voltages)
  local ph, po = {}, {}
  for k, v in pairs(params) do ph[k], po[k] = v, v end
  ph.V_applied, po.V_applied = mean(volts.rows), mean(volts.outs)
  local hid = net:population{ n = S.hidden, label = "hidden", params = ph,
                              model = dend and memsnn.dendritic_neuron{ branches = #L1, R_branch = r_branch() }
                                            or memsnn.point_neuron{ branches = #L1 } }
  local out = net:population{ n = 10, label = "output", params = po,
                              model = dend and memsnn.dendritic_neuron{ branches = #L2, R_branch = r_branch() }
                                            or memsnn.point_neuron{ branches = #L2 } }
  local prj1, prj2 = {}, {}
  for b, w in ipairs(L1) do
    local inputs = ann:band(b)
    local pre, post = {}, {}
    for r = 1, w.rows do for j = 1, w.cols do pre[#pre + 1], post[#post + 1] = inputs[r], j end end
    if os.getenv("VERBOSE") then print(kind, "branch", b, "v_read", volts.rows[b]) end
    prj1[b] = net:connect(src, hid, { rule = { "from_list", pre = pre, post = post }, synapse = "rram",
      weight = w.w, delay = 1 * u.us, port = "b" .. b,
      array = { w_max = w.w_max, v_read = volts.rows[b], t_read = S.T, virtual_ground = true, rectify = true } })
  end
  local group = S.hidden // #L2
  for g, w in ipairs(L2) do
    local pre, post = {}, {}
    for r = 1, w.rows do for j = 1, w.cols do pre[#pre + 1], post[#post + 1] = (g - 1) * group + r, j end end
    prj2[g] = net:connect(hid, out, { rule = { "from_list", pre = pre, post = post }, synapse = "rram",
      weight = w.w, delay = 1 * u.us, port = "b" .. g,
      array = { w_max = w.w_max, v_read = volts.outs[g], t_read = S.t_read2, virtual_ground = true, rectify = true, clock = S.clock } })
  end
  net:record(hid, "spikes")
  net:record(out, "spikes")
  return { net = net, src = src, hid = hid, out = out, prj1 = prj1, prj2 = prj2, ann = ann, L1 = L1, L2 = L2 }
end



-- ---- 3. inference ----------------------------------------------------------------------------
local function pixels(set, k, noisy)
  if noisy then return D.noisy(set, k, { sigma = S.noise.sigma, clutter = S.noise.clutter, seed = 1 }) end
  local row = set:row(k)
  for i = 1, #row do row[i] = row[i] / 255 end
  return row
end

-- Presents image k of `set` to the device network m (one run of P), returns the output
-- spike counts' winner (0..9, or -1 when no output fired) and the spike counts.
local function present(m, set, k, noisy)
  local g = pixels(set, k, noisy)
  for _, prj in ipairs(m.prj1) do prj:set_row_gain(g) end
  local t_start = m.net:time()
  -- Run to the image's end as an absolute time, (n + 1) P, not by adding P to the clock:
  -- 2,000 additions of P drift by ulps past the pixel rows' spike times (k - 1) P, and a row
  -- spike that lands a rounding error before the end of the previous run is read with that
  -- image's gains (the network then answers one image late). net:run_until ends exactly there.
  local n = math.floor(t_start / P + 0.5)
  m.net:run_until((n + 1) * P)
  local so = m.out:spikes{ t0 = t_start }
  local n_hid = #m.hid:spikes{ t0 = t_start }.times
  local count, first = {}, {}
  for j = 1, 10 do count[j] = 0 end
  for q = 1, #so.times do
    local j = so.ids[q]
    count[j] = count[j] + 1
    first[j] = first[j] or so.times[q]
  end
  local best = 1
  for j = 2, 10 do
    if count[j] > count[best] or (count[j] == count[best] and count[j] > 0 and first[j] < first[best]) then best = j end
  end
  m.hid:reset()
  m.out:reset()
  return count[best] > 0 and best - 1 or -1, n_hid, #so.times
end

-- kappa, the read of hidden spikes onto the output layer: on n_cal training images (not test
-- images), half of them clean and half with the noisy background, first measured (the least-
-- squares slope of each hidden soma's spike count against its software activation), then
-- refined: of kappa times 0.71-2, the one whose device network agrees best with the software
-- model on the same images (ties: the measured one).
local function calibration_images(k) return CAL0 + k, k % 2 == 0 end
local function noise_of(noisy) return noisy and { sigma = S.noise.sigma, clutter = S.noise.clutter, seed = 1 } or nil end
local function calibrate_output(kind)
  local ann = anns[SOFTWARE[kind]]
  local m = build(kind, voltages(kind, 10), S.n_cal)
  local na, aa = 0, 0
  for k = 1, S.n_cal do
    local img, noisy = calibration_images(k)
    local t0 = m.net:time()
    present(m, train, img, noisy)
    local count = {}
    for j = 1, S.hidden do count[j] = 0 end
    local sp = m.hid:spikes{ t0 = t0 }
    for _, id in ipairs(sp.ids) do count[id] = count[id] + 1 end
    local a = ann:hidden(train, img, noise_of(noisy))
    for j = 1, S.hidden do na, aa = na + count[j] * a[j], aa + a[j] * a[j] end
  end
  local kappa = aa > 0 and na / aa or 10
  local best_k, best_agree = kappa, -1
  for _, f in ipairs{ 1, 0.71, 1.41, 2 } do
    local mk = build(kind, voltages(kind, kappa * f), S.n_cal)
    local agree = 0
    for k = 1, S.n_cal do
      local img, noisy = calibration_images(k)
      if present(mk, train, img, noisy) == ann:predict(train, img, noise_of(noisy)) then agree = agree + 1 end
    end
    if os.getenv("VERBOSE") then print(kind, "kappa", kappa * f, "agreement", agree / S.n_cal) end
    if agree > best_agree then best_k, best_agree = kappa * f, agree end
  end
  return best_k, best_agree / S.n_cal, kappa
end

local VOLTS_DENDRITIC
local function infer(kind)
  local volts, kappa, cal, measured
  if same_v_of(kind) then
    volts, cal = { rows = { mean(VOLTS_DENDRITIC.rows) }, outs = { mean(VOLTS_DENDRITIC.outs) } }, 0 / 0
  else
    kappa, cal, measured = calibrate_output(kind)
    volts = voltages(kind, kappa)
  end
  if kind == "dendritic" then VOLTS_DENDRITIC = volts end
  local v_out = mean(volts.outs)
  local N_IMAGES = n_images()
  local m = build(kind, volts, N_IMAGES)
  local res = { kind = kind, clean = {}, noisy = {}, v_out = v_out, v_rows = mean(volts.rows), calibration = cal,
                kappa = kappa, kappa_measured = measured }
  local e_prev = m.net:energy()
  local t0 = memsnn.clock()
  for _, cond in ipairs{ "clean", "noisy" } do
    for k = 1, S.n_test do
      local noisy = cond == "noisy"
      local c, hs, os_ = present(m, test, k, noisy)
      local e = m.net:energy()
      local by = {}
      for name, v in pairs(e.by_class) do by[name] = v - e_prev.by_class[name] end
      res[cond][k] = {
        label = test_labels:get(k), predicted = c,
        software = anns[SOFTWARE[kind]]:predict(test, k, noise_of(noisy)),
        hidden_spikes = hs, output_spikes = os_,
        li = e.li_metric - e_prev.li_metric, total = e.total - e_prev.total, by_class = by,
      }
      e_prev = e
      if os.getenv("TRACE") then print(kind, cond, k, "label", test_labels:get(k), "dev", c, "sw", res[cond][k].software, "hid", hs, "out", os_) end
    end
  end
  res.seconds = memsnn.clock() - t0
  res.stats = m.net:stats()
  res.model = m
  return res
end

local function run_all()
local results = {}
for _, kind in ipairs(KINDS) do
  results[kind] = infer(kind)
  local r = results[kind]
  for _, cond in ipairs{ "clean", "noisy" } do
    local ok, sw, agree, hs, os_, li, tot = 0, 0, 0, 0, 0, 0, 0
    for _, x in ipairs(r[cond]) do
      if x.predicted == x.label then ok = ok + 1 end
      if x.software == x.label then sw = sw + 1 end
      if x.predicted == x.software then agree = agree + 1 end
      hs, os_, li, tot = hs + x.hidden_spikes, os_ + x.output_spikes, li + x.li, tot + x.total
    end
    local n = #r[cond]
    print(string.format("  %-9s %-5s devices %.3f software %.3f agree %.3f | hidden spikes %.1f output %.1f | Li %.3g J total %.3g J per image",
      kind, cond, ok / n, sw / n, agree / n, hs / n, os_ / n, li / n, tot / n))
  end
  print(string.format("  %s: mean read voltages %.2g V (rows), %.2g V (outputs) (%s); %.2f s for %d images (%.3f s per image, %d integrator steps and %d restarts per image)",
    kind, r.v_rows, r.v_out, r.calibration == r.calibration and string.format("kappa %.3g, measured %.3g, agreement %.2f on calibration images",
      r.kappa, r.kappa_measured, r.calibration) or "the dendritic network's", r.seconds, n_images(), r.seconds / n_images(), r.stats.ode_steps // n_images(),
    r.stats.ode_reinits // n_images()))
end
return results
end

-- ---- the sweeps of Extended Data Fig. 6 (--sweep) ------------------------------------------------
-- The power advantage P(without) / P(with) and the accuracies against the applied voltage,
-- the dendrites' ON/OFF ratio and the background noise, each around the defaults, 20 test
-- images per condition.
local function li_and_accuracy(results)
  local out = {}
  for _, kind in ipairs(KINDS) do
    for _, cond in ipairs{ "clean", "noisy" } do
      local li, ok = 0, 0
      for _, x in ipairs(results[kind][cond]) do
        li = li + x.li
        if x.predicted == x.label then ok = ok + 1 end
      end
      out[kind .. "_" .. cond .. "_li"] = li / #results[kind][cond]
      out[kind .. "_" .. cond .. "_accuracy"] = ok / #results[kind][cond]
    end
  end
  return out
end

-- The dendrite's nonlinearity, measured on the device: its steady-state current I(v) over
-- the branch's range [0, V_branch], normalised, f(x) = I(x V_branch) / I(V_branch), and
-- NL = 1 - 2 * integral_0^1 f(x) dx: 0 for a linear (ohmic) branch, t for the thresholded-
-- linear max(0, x - t) / (1 - t), 1 - 2 (1/a - 1/(e^a - 1)) for the official code's
-- (e^(a x) - 1) / (e^a - 1) (0.65 at its default NL = 0.1, a = 5.6). Each I(v) is the current
-- after 20 us at v (ten tau_on), through memsnn.device; docs/reproductions/dendrite-power.md.
local function dendrite_nonlinearity()
  local n, sum, i_top = 40, 0, nil
  local cur = {}
  for k = 0, n do
    local v = S.V_branch * k / n
    local d = memsnn.device("nmda_dendrite", { G_off = 100 * u.uS / S.on_off, dV = S.dV })
    local r = d:drive{ t = { 0, 20 * u.us }, v = { v, v } }
    cur[k] = r.i[#r.i]
  end
  i_top = cur[n]
  for k = 1, n do sum = sum + 0.5 * (cur[k - 1] + cur[k]) / i_top / n end
  return 1 - 2 * sum
end

if sweep then
  S.own_v = false
  KINDS = { "dendritic", "control" }
  local base = { V_branch = S.V_branch, on_off = S.on_off, sigma = S.noise.sigma, dV = S.dV }
  local all = {
    V_branch = { 2, 3, 4, 6 },
    on_off = { 10, 100 },
    dV = { 0.03, 0.1, 0.3 },       -- the dendrite's nonlinearity: a narrower sigmoid is sharper
    sigma = { 0.1, 0.2, 0.3, 0.45 },
  }
  local cases = {}
  for _, name in ipairs{ "V_branch", "on_off", "dV", "sigma" } do
    if not os.getenv("SWEEP") or os.getenv("SWEEP") == name then
      for _, v in ipairs(all[name]) do cases[#cases + 1] = { name, v } end
    end
  end
  -- SWEEP=grid: Extended Data Fig. 6's panels, the advantage and the accuracies against the
  -- nonlinearity (dV) for ON/OFF 10 and 100 at applied voltages (V_branch) of 2 V and 5 V
  if os.getenv("SWEEP") == "grid" then
    for _, vb in ipairs{ 2, 5 } do
      for _, oo in ipairs{ 10, 100 } do
        for _, dv in ipairs(all.dV) do cases[#cases + 1] = { "grid", dv, V_branch = vb, on_off = oo } end
      end
    end
  end
  local cols = { parameter = {}, value = {}, V_branch = {}, on_off = {}, dV = {}, sigma = {}, nonlinearity = {}, advantage_clean = {},
                 advantage_noisy = {}, dendritic_clean = {}, dendritic_noisy = {}, control_clean = {}, control_noisy = {} }
  S.n_test = env("N_TEST", 20)
  for _, case in ipairs(cases) do
    S.V_branch, S.on_off, S.noise.sigma, S.dV = base.V_branch, base.on_off, base.sigma, base.dV
    if case[1] == "sigma" then S.noise.sigma = case[2]
    elseif case[1] == "grid" then S.dV, S.V_branch, S.on_off = case[2], case.V_branch, case.on_off
    else S[case[1]] = case[2] end
    print(string.format("dendrite_power: sweep %s = %g (V_branch %g V, ON/OFF %g, dV %g V, sigma %g)", case[1], case[2],
      S.V_branch, S.on_off, S.dV, S.noise.sigma))
    train_models()
    local m = li_and_accuracy(run_all())
    local k = #cols.parameter + 1
    cols.parameter[k], cols.value[k] = case[1], case[2]
    cols.V_branch[k], cols.on_off[k], cols.dV[k], cols.sigma[k] = S.V_branch, S.on_off, S.dV, S.noise.sigma
    cols.nonlinearity[k] = dendrite_nonlinearity()
    cols.advantage_clean[k] = m.control_clean_li / m.dendritic_clean_li
    cols.advantage_noisy[k] = m.control_noisy_li / m.dendritic_noisy_li
    cols.dendritic_clean[k], cols.dendritic_noisy[k] = m.dendritic_clean_accuracy, m.dendritic_noisy_accuracy
    cols.control_clean[k], cols.control_noisy[k] = m.control_clean_accuracy, m.control_noisy_accuracy
  end
  memsnn.write_csv("sweep.csv", cols, { columns = { "parameter", "value", "V_branch", "on_off", "dV", "sigma", "nonlinearity",
    "advantage_clean", "advantage_noisy", "dendritic_clean", "dendritic_noisy", "control_clean", "control_noisy" } })
  if os.getenv("SWEEP") == "grid" then
    local adv, acc = {}, {}
    for _, vb in ipairs{ 2, 5 } do
      for _, oo in ipairs{ 10, 100 } do
        local x, a, dn, cn = {}, {}, {}, {}
        for k = 1, #cols.parameter do
          if cols.V_branch[k] == vb and cols.on_off[k] == oo then
            x[#x + 1], a[#a + 1] = cols.nonlinearity[k], cols.advantage_noisy[k]
            dn[#dn + 1], cn[#cn + 1] = cols.dendritic_noisy[k], cols.control_noisy[k]
          end
        end
        local name = string.format("%g V, ON/OFF %g", vb, oo)
        adv[#adv + 1] = { x = x, y = a, label = name, style = "both" }
        acc[#acc + 1] = { x = x, y = dn, label = "dendritic, " .. name, style = "both" }
        acc[#acc + 1] = { x = x, y = cn, label = "control, " .. name, style = "both" }
      end
    end
    memsnn.plot.xy{ file = "advantage_vs_nonlinearity.png", xlabel = "dendrite nonlinearity NL (1 - 2 x area of its normalised I-V)",
      ylabel = "power advantage P(without) / P(with), noisy", series = adv, title = "Li 2020 power advantage (Extended Data Fig. 6 panels)" }
    memsnn.plot.xy{ file = "accuracy_vs_nonlinearity.png", xlabel = "dendrite nonlinearity NL (1 - 2 x area of its normalised I-V)",
      ylabel = "device-network accuracy, noisy", series = acc, title = "Accuracy on noisy digits" }
  end
  for _, p in ipairs{ { "V_branch", "strongest branch voltage V_branch (V)" }, { "on_off", "dendrite ON/OFF ratio" },
                      { "dV", "dendrite sigmoid width dV (V)" }, { "sigma", "background noise sigma" } } do
    local x, adv_c, adv_n, dc, dn, cc, cn = {}, {}, {}, {}, {}, {}, {}
    local any = false
    for k = 1, #cols.parameter do any = any or cols.parameter[k] == p[1] end
    for k = 1, #cols.parameter do
      if cols.parameter[k] == p[1] then
        x[#x + 1] = cols.value[k]
        adv_c[#adv_c + 1], adv_n[#adv_n + 1] = cols.advantage_clean[k], cols.advantage_noisy[k]
        dc[#dc + 1], dn[#dn + 1], cc[#cc + 1], cn[#cn + 1] = cols.dendritic_clean[k], cols.dendritic_noisy[k],
          cols.control_clean[k], cols.control_noisy[k]
      end
    end
    if any then
    memsnn.plot.xy{ file = "advantage_vs_" .. p[1] .. ".png", xlabel = p[2], ylabel = "power advantage P(without) / P(with)",
      series = { { x = x, y = adv_c, label = "clean", style = "both" }, { x = x, y = adv_n, label = "noisy", style = "both" } },
      title = "Li 2020 power advantage" }
    memsnn.plot.xy{ file = "accuracy_vs_" .. p[1] .. ".png", xlabel = p[2], ylabel = "device-network accuracy",
      series = { { x = x, y = dc, label = "dendritic, clean", style = "both" }, { x = x, y = dn, label = "dendritic, noisy", style = "both" },
                 { x = x, y = cc, label = "control, clean", style = "both" }, { x = x, y = cn, label = "control, noisy", style = "both" } },
      title = "Accuracy of the device networks" }
    end
  end
  return
end

print(string.format("dendrite_power: %d test images x 2 conditions x %d networks (%s mode)", S.n_test, #KINDS,
  full and "full" or "quick"))
train_models()
local results = run_all()

-- ---- 4. outputs --------------------------------------------------------------------------------
-- per-image results
local cols = { kind = {}, condition = {}, image = {}, label = {}, software = {}, devices = {}, hidden_spikes = {},
               output_spikes = {}, li_metric = {}, energy = {} }
local summary = { kind = {}, condition = {}, accuracy_software = {}, accuracy_devices = {}, agreement = {},
                  hidden_spikes = {}, output_spikes = {}, li_metric = {}, energy = {}, seconds_per_image = {} }
local tallies = {}
for _, kind in ipairs(KINDS) do
  local r = results[kind]
  for _, cond in ipairs{ "clean", "noisy" } do
    local n, ok, sw, ag, hs, os_, li, tot = #r[cond], 0, 0, 0, 0, 0, 0, 0
    local by = {}
    for k, x in ipairs(r[cond]) do
      local c = #cols.kind + 1
      cols.kind[c], cols.condition[c], cols.image[c], cols.label[c] = kind, cond, k, x.label
      cols.software[c], cols.devices[c], cols.hidden_spikes[c], cols.output_spikes[c] = x.software, x.predicted, x.hidden_spikes, x.output_spikes
      cols.li_metric[c], cols.energy[c] = x.li, x.total
      if x.predicted == x.label then ok = ok + 1 end
      if x.software == x.label then sw = sw + 1 end
      if x.predicted == x.software then ag = ag + 1 end
      hs, os_, li, tot = hs + x.hidden_spikes, os_ + x.output_spikes, li + x.li, tot + x.total
      for name, v in pairs(x.by_class) do by[name] = (by[name] or 0) + v / n end
    end
    local c = #summary.kind + 1
    summary.kind[c], summary.condition[c] = kind, cond
    summary.accuracy_software[c], summary.accuracy_devices[c], summary.agreement[c] = sw / n, ok / n, ag / n
    summary.hidden_spikes[c], summary.output_spikes[c], summary.li_metric[c], summary.energy[c] = hs / n, os_ / n, li / n, tot / n
    summary.seconds_per_image[c] = r.seconds / n_images()
    local total = 0
    for _, v in pairs(by) do total = total + v end
    tallies[#tallies + 1] = { kind .. " / " .. cond, { total = total, by_class = by } }
  end
end
memsnn.write_csv("images.csv", cols, { columns = { "kind", "condition", "image", "label", "software", "devices",
  "hidden_spikes", "output_spikes", "li_metric", "energy" } })
memsnn.write_csv("summary.csv", summary, { columns = { "kind", "condition", "accuracy_software", "accuracy_devices",
  "agreement", "hidden_spikes", "output_spikes", "li_metric", "energy", "seconds_per_image" } })
memsnn.plot.power{ file = "energy.png", tallies = tallies,
                   title = "Energy per inference by class (J), dendritic vs control network" }

-- both networks' spikes on the first test image (its window is the first P of each run)
local raster = {}
for _, kind in ipairs(KINDS) do
  local m = results[kind].model
  for _, pop in ipairs{ m.hid, m.out } do
    local s = pop:spikes{ t1 = P }
    raster[#raster + 1] = { ids = s.ids, times = s.times, n = #pop, label = kind .. " " .. pop:label() }
  end
end
memsnn.plot.raster{ file = "raster.png", populations = raster,
                    title = string.format("Test image 1 (digit %d): hidden and output somas", test_labels:get(1)) }

-- five test digits, clean (top) and with the noisy background both networks saw (bottom)
do
  local W, H, v = 5 * 28, 2 * 28, {}
  for k = 1, 5 do
    local clean, noisy = pixels(test, k, false), pixels(test, k, true)
    for i = 1, 784 do
      local r, col = (i - 1) // 28, (i - 1) % 28
      v[r * W + (k - 1) * 28 + col + 1] = clean[i]
      v[(28 + r) * W + (k - 1) * 28 + col + 1] = noisy[i]
    end
  end
  memsnn.plot.heatmap{ file = "examples.png", values = v, rows = H, cols = W, grey = true, vmin = 0, vmax = 1,
    vlabel = "pixel", width = 1000, height = 480,
    title = string.format("Test digits, clean (top) and noisy (bottom: sigma %.2g, %d strokes)", S.noise.sigma, S.noise.clutter) }
end

-- the short summary table
print("")
print("dendrite_power: summary per inference (test images; Li = the paper's metric, time integral of V_applied x I_soma)")
print(string.format("  %-12s %-5s %9s %9s %8s %9s %9s %10s %10s", "network", "cond", "software", "devices", "agree",
  "hid.spk", "out.spk", "Li (J)", "Li / dend"))
local li_dend = {}
for c = 1, #summary.kind do
  if summary.kind[c] == "dendritic" then li_dend[summary.condition[c]] = summary.li_metric[c] end
end
for c = 1, #summary.kind do
  print(string.format("  %-12s %-5s %9.3f %9.3f %8.3f %9.1f %9.1f %10.3g %10.3g", summary.kind[c], summary.condition[c],
    summary.accuracy_software[c], summary.accuracy_devices[c], summary.agreement[c], summary.hidden_spikes[c],
    summary.output_spikes[c], summary.li_metric[c], summary.li_metric[c] / li_dend[summary.condition[c]]))
end
print("  (Li / dend: a control's power over the dendritic network's, the power advantage of the dendrites;")
print("   'control' reads at the dendritic network's voltages, 'control_own' at its own best ones)")

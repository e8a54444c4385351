-- hybrid_training.lua: hybrid training on RRAM arrays (P. Yao et al., "Fully hardware-
-- implemented memristor convolutional neural network", Nature 577, 641 (2020)) on handwritten
-- digits. docs/reproductions/hybrid-training.md.
--
--   memsnn run scenarios/hybrid_training.lua --out out/hybrid_training
--
-- 1. Train the plain network 784-100-10 (the control network of docs/ann.md) in software on
--    the 8000 training digits of data/mnist (scripts/fetch-mnist), once without and once with
--    noise-aware training (Gaussian weight noise, sigma = 0.06 max|w| per batch).
-- 2. Map both layers onto RRAM arrays (differential pairs, 64 levels, write-verify, 128 x 32
--    tiles) with the device non-idealities of the rram model, for each of 5 device seeds.
-- 3. Evaluate in rate mode (column currents at the read voltage, read noise per read) on the
--    2000 test digits: after transfer; after in-situ adaptation of the last layer with sign-
--    based pulses on 3 % and on 10 % of the training digits; then, from the 10 % array, 10 min,
--    2 h, 1 day and 30 days after programming (relaxation of every device).
-- 4. Print the table (mean +- sd over the seeds), write hybrid_training.csv (every run),
--    hybrid_summary.csv and hybrid_training.png, the adaptation's pulses and write energy
--    (hybrid_pulses.csv), the mapping of both layers onto the seed talk's 1152 x 128 arrays
--    (hybrid_tiles.csv), and a chip-level energy estimate against the 78.4 TOPS/W of the seed
--    talk.

local memsnn = require("memsnn")

local function env(name, default) return tonumber(os.getenv(name)) or default end
local S = {
  n_train = env("N_TRAIN", 8000), n_test = env("N_TEST", 2000), epochs = env("EPOCHS", 5),
  seeds = env("SEEDS", 5), lr = 0.1, logit_scale = 10, weight_noise = 0.06,
  threshold = env("THRESHOLD", 0.15),      -- |error x activation| that triggers a pulse
  fractions = { 0.03, 0.10 },
  ages = { { "10 min", 600 }, { "2 h", 7200 }, { "1 day", 86400 }, { "30 days", 30 * 86400 } },
}
-- Two arrays: the rram defaults of docs/devices/rram.md (d2d variation 5 %, c2c 0.55 uS per
-- 1 uS step, 1 % read noise, 0.1 % stuck off and 0.1 % stuck on), and a harsher one with
-- twice the variation and read noise and ten times the stuck cells.
local ARRAYS = {
  { name = "rram defaults", key = "defaults",
    a = { variation = 0.05, c2c = 0.55e-6, read_noise = 0.01, p_stuck_off = 1e-3, p_stuck_on = 1e-3 } },
  { name = "harsh", key = "harsh",
    a = { variation = 0.10, c2c = 0.55e-6, read_noise = 0.02, p_stuck_off = 1e-2, p_stuck_on = 1e-2 } },
}
-- Peripheral constants of the chip-level estimate (docs/reproductions/hybrid-training.md):
-- proposals [I], not measured values; change them here.
local PERI = {
  e_dac = 50e-15,   -- J per word-line drive per tile (a 1-bit-per-phase driver + DAC share) [I]
  e_adc = 1e-12,    -- J per conversion of a differential column pair per tile (8-bit SAR) [I]
  ref_tops_w = 78.4 -- the ISSCC 2020 macro quoted in the seed talk [B]
}

-- MNIST_DIR points at another folder of the same four IDX files (the smoke test writes a small
-- synthetic set); N_TRAIN, N_TEST, EPOCHS and SEEDS shrink the run.
local DATA_DIR = os.getenv("MNIST_DIR") or "data/mnist"
local train = memsnn.data.idx(DATA_DIR .. "/train-images-idx3-ubyte")
local train_l = memsnn.data.idx(DATA_DIR .. "/train-labels-idx1-ubyte")
local test = memsnn.data.idx(DATA_DIR .. "/t10k-images-idx3-ubyte")
local test_l = memsnn.data.idx(DATA_DIR .. "/t10k-labels-idx1-ubyte")
local TEST = { images = test, labels = test_l, n = S.n_test }
local t_start = memsnn.clock()

local STAGES = { "software", "transfer", "adapt 3 %", "adapt 10 %" }
for _, a in ipairs(S.ages) do STAGES[#STAGES + 1] = "10 % + " .. a[1] end

local runs = { training = {}, array = {}, seed = {}, stage = {}, accuracy = {} }
local function add(tr, ar, seed, stage, acc)
  runs.training[#runs.training + 1], runs.array[#runs.array + 1] = tr, ar
  runs.seed[#runs.seed + 1], runs.stage[#runs.stage + 1], runs.accuracy[#runs.accuracy + 1] = seed, stage, acc
end
local acc = {}      -- acc[training][array][stage] = { per seed }
local adapt = {}    -- adaptation pulses and energy per training, array, fraction
local energy = nil  -- read energy per inference (first condition)
local nets = {}     -- the trained software networks, by training

local function with(t, extra) local r = {} for k, v in pairs(t) do r[k] = v end for k, v in pairs(extra) do r[k] = v end return r end

for _, tr in ipairs{ { "plain", 0 }, { "noise-aware", S.weight_noise } } do
  local net = memsnn.ann.dendritic{ inputs = 784, hidden = 100, outputs = 10, dendrites = false, seed = 1 }
  net:train{ images = train, labels = train_l, n = S.n_train, epochs = S.epochs, lr = S.lr, logit_scale = S.logit_scale,
             soma_grad = "through", weight_noise = tr[2], seed = 1, progress = false }
  local sw = net:accuracy(TEST)
  nets[tr[1]] = net
  acc[tr[1]] = {}
  for _, ar in ipairs(ARRAYS) do
    local A = {}
    for _, st in ipairs(STAGES) do A[st] = {} end
    acc[tr[1]][ar.key] = A
    adapt[tr[1] .. "/" .. ar.key] = {}
    for seed = 1, S.seeds do
      local function put(stage, v) A[stage][seed] = v; add(tr[1], ar.key, seed, stage, v) end
      put("software", sw)
      local c1, c2 = net:map{ array = ar.a, seed = seed }
      put("transfer", net:accuracy(with(TEST, { crossbars = { c1, c2 } })))
      if not energy then
        local e1, e2 = c1:energy(), c2:energy()
        energy = { read1 = e1.synapse_read / e1.reads, read2 = e2.synapse_read / e2.reads,
                   map1 = c1:mapping(), map2 = c2:mapping() }
      end
      local last
      for _, f in ipairs(S.fractions) do
        -- the same devices as the transfer (same seed), adapted from their transferred state
        local d1, d2 = net:map{ array = ar.a, seed = seed }
        local r = net:adapt{ crossbars = { d1, d2 }, images = train, labels = train_l, n = S.n_train, fraction = f,
                             threshold = S.threshold, logit_scale = S.logit_scale, seed = seed }
        local name = string.format("adapt %d %%", math.floor(f * 100 + 0.5))
        put(name, net:accuracy(with(TEST, { crossbars = { d1, d2 } })))
        local w = d2:energy()
        table.insert(adapt[tr[1] .. "/" .. ar.key], { f = f, samples = r.samples, pulses = r.pulses, energy = r.energy,
                                                     wear_max = w.wear_max, wear_mean = w.wear_mean })
        last = { d1, d2 }
      end
      for _, a in ipairs(S.ages) do
        last[1]:age(a[2]); last[2]:age(a[2])
        put("10 % + " .. a[1], net:accuracy(with(TEST, { crossbars = last })))
      end
    end
  end
end

-- ---- table ----------------------------------------------------------------------------------
local function stats(v)
  local m, s = 0, 0
  for _, x in ipairs(v) do m = m + x end
  m = m / #v
  for _, x in ipairs(v) do s = s + (x - m) ^ 2 end
  return m, #v > 1 and math.sqrt(s / (#v - 1)) or 0
end
local summary = { training = {}, array = {}, stage = {}, mean = {}, sd = {}, n = {} }
print(string.format("hybrid_training: 784-100-10 plain network, %d training / %d test digits, %d device seeds",
  S.n_train, S.n_test, S.seeds))
for _, ar in ipairs(ARRAYS) do
  print(string.format("\narray: %s (%s)", ar.name, string.format("variation %.2f, read noise %.0f %%, stuck %.1f %% + %.1f %%",
    ar.a.variation, 100 * ar.a.read_noise, 100 * ar.a.p_stuck_off, 100 * ar.a.p_stuck_on)))
  print(string.format("  %-20s %18s %18s", "stage", "plain", "noise-aware"))
  for _, st in ipairs(STAGES) do
    local cells = {}
    for _, tr in ipairs{ "plain", "noise-aware" } do
      local m, s = stats(acc[tr][ar.key][st])
      cells[#cells + 1] = string.format("%6.2f +- %4.2f %%", 100 * m, 100 * s)
      local k = #summary.training + 1
      summary.training[k], summary.array[k], summary.stage[k] = tr, ar.key, st
      summary.mean[k], summary.sd[k], summary.n[k] = m, s, #acc[tr][ar.key][st]
    end
    print(string.format("  %-20s %18s %18s", st, cells[1], cells[2]))
  end
end

print("\nin-situ adaptation of layer 2 (mean over seeds):")
print(string.format("  %-12s %-9s %6s %8s %9s %12s %9s", "training", "array", "data", "images", "pulses", "write energy", "max wear"))
local pulses_csv = { training = {}, array = {}, fraction = {}, images = {}, pulses = {}, energy_J = {}, wear_max = {} }
for _, tr in ipairs{ "plain", "noise-aware" } do
  for _, ar in ipairs(ARRAYS) do
    for _, f in ipairs(S.fractions) do
      local p, e, wm, n, img = 0, 0, 0, 0, 0
      for _, r in ipairs(adapt[tr .. "/" .. ar.key]) do
        if r.f == f then p, e, wm, n, img = p + r.pulses, e + r.energy, math.max(wm, r.wear_max), n + 1, r.samples end
      end
      print(string.format("  %-12s %-9s %5.0f%% %8d %9.0f %9.2f nJ %9d", tr, ar.key, 100 * f, img, p / n, 1e9 * e / n, wm))
      local k = #pulses_csv.training + 1
      pulses_csv.training[k], pulses_csv.array[k], pulses_csv.fraction[k] = tr, ar.key, f
      pulses_csv.images[k], pulses_csv.pulses[k], pulses_csv.energy_J[k], pulses_csv.wear_max[k] = img, p / n, e / n, wm
    end
  end
end

-- ---- the seed's array size: both layers on 1152 x 128 tiles -----------------------------------
print("\nmapping onto the seed talk's 1152 x 128 arrays (rram defaults, device seed 1):")
local tiles_csv = { training = {}, layer = {}, inputs = {}, outputs = {}, tiles = {}, tile_rows = {}, tile_cols = {},
                    levels_used = {}, w_max = {}, rms_error = {}, max_error = {}, accuracy = {} }
for _, tr in ipairs{ "plain", "noise-aware" } do
  local c1, c2 = nets[tr]:map{ array = with(ARRAYS[1].a, { rows = 1152, cols = 128 }), seed = 1 }
  local a = nets[tr]:accuracy(with(TEST, { crossbars = { c1, c2 } }))
  for l, c in ipairs{ c1, c2 } do
    local m = c:mapping()
    print(string.format("  %-12s layer %d: %4d x %-3d weights, %d tile(s) (%d x %d), %2d of %d levels used, "
      .. "rms error %.4f, max %.4f (w_max %.3f); transfer accuracy %.2f %%", tr, l, m.inputs, m.outputs, m.tiles,
      m.tile_rows, m.tile_cols, m.levels_used, m.levels, m.rms_error, m.max_error, m.w_max, 100 * a))
    local k = #tiles_csv.training + 1
    tiles_csv.training[k], tiles_csv.layer[k], tiles_csv.inputs[k], tiles_csv.outputs[k] = tr, l, m.inputs, m.outputs
    tiles_csv.tiles[k], tiles_csv.tile_rows[k], tiles_csv.tile_cols[k] = m.tiles, m.tile_rows, m.tile_cols
    tiles_csv.levels_used[k], tiles_csv.w_max[k] = m.levels_used, m.w_max
    tiles_csv.rms_error[k], tiles_csv.max_error[k], tiles_csv.accuracy[k] = m.rms_error, m.max_error, a
  end
end

-- ---- chip-level energy estimate ------------------------------------------------------------
local ops = 2 * (784 * 100 + 100 * 10)   -- a multiply-accumulate is 2 operations
local function chip(rows, cols)
  local function tiles(n_in, n_out) return math.ceil(n_in / rows), math.ceil(2 * n_out / cols) end
  local r1, c1 = tiles(784, 100)
  local r2, c2 = tiles(100, 10)
  local drives = 784 * c1 + 100 * c2        -- every word line in every tile column (upper bound: all rows driven)
  local conv = r1 * 100 + r2 * 10           -- one conversion per pair per tile row
  local e_read = energy.read1 + energy.read2
  local e = e_read + drives * PERI.e_dac + conv * PERI.e_adc
  return { tiles = r1 * c1 + r2 * c2, e_read = e_read, e_dac = drives * PERI.e_dac, e_adc = conv * PERI.e_adc, e = e,
           tops_w = ops / e / 1e12 }
end
print(string.format("\nchip-level estimate per inference (%d operations; read energy measured on the arrays):", ops))
for _, t in ipairs{ { 128, 32 }, { 1152, 128 } } do
  local c = chip(t[1], t[2])
  print(string.format("  %4d x %-3d tiles: %3d tiles, array reads %.1f nJ, drivers %.1f nJ, ADCs %.1f nJ: %.1f nJ, %.1f TOPS/W (reference %.1f)",
    t[1], t[2], c.tiles, 1e9 * c.e_read, 1e9 * c.e_dac, 1e9 * c.e_adc, 1e9 * c.e, c.tops_w, PERI.ref_tops_w))
end

-- ---- files ----------------------------------------------------------------------------------
memsnn.write_csv("hybrid_training.csv", runs, { columns = { "training", "array", "seed", "stage", "accuracy" } })
memsnn.write_csv("hybrid_summary.csv", summary, { columns = { "training", "array", "stage", "mean", "sd", "n" } })
memsnn.write_csv("hybrid_tiles.csv", tiles_csv, { columns = { "training", "layer", "inputs", "outputs", "tiles",
  "tile_rows", "tile_cols", "levels_used", "w_max", "rms_error", "max_error", "accuracy" } })
memsnn.write_csv("hybrid_pulses.csv", pulses_csv,
  { columns = { "training", "array", "fraction", "images", "pulses", "energy_J", "wear_max" } })
local series = {}
for _, ar in ipairs(ARRAYS) do
  for _, tr in ipairs{ "plain", "noise-aware" } do
    local x, y, lo, hi = {}, {}, {}, {}
    for k, st in ipairs(STAGES) do
      local m, s = stats(acc[tr][ar.key][st])
      x[k], y[k], lo[k], hi[k] = k, 100 * m, 100 * (m - s), 100 * (m + s)
    end
    series[#series + 1] = { x = x, y = y, label = tr .. ", " .. ar.key, style = "both" }
  end
end
memsnn.plot.xy{ file = "hybrid_training.png", series = series,
  title = "Hybrid training: 1 software, 2 transfer, 3-4 adapted (3 %, 10 %), 5-8 aged 10 min, 2 h, 1 day, 30 days",
  xlabel = "stage", ylabel = "test accuracy (%), mean of device seeds" }
print(string.format("\nhybrid_training: %.1f s", memsnn.clock() - t_start))

-- bench/precision.lua: work-precision of memsnn's three methods on a single neuron with
-- synaptic input (spike-time error against a tight reference, against loop wall time).
--
--   memsnn run bench/precision.lua --out DIR --quiet -- [key=value ...]
--
-- One neuron (lif_cond_exp or lif_curr_exp, default parameters) receives ne excitatory and
-- ni inhibitory Poisson inputs through fixed weights; the circuit is replicated as n
-- independent copies (each neuron has its own input streams) so wall times are measurable.
-- The same seed gives every run the same input spikes, so runs differ only in the method.
-- With pool=1 (the default) each neuron's ne excitatory inputs at `rate` are one Poisson
-- source at ne * rate, likewise the inhibitory ones: the same input process (a sum of
-- independent Poisson trains with equal weights is a Poisson train), but the engine spends
-- time per source and window (~15 ns), which with pool=0 (ne + ni sources per neuron)
-- outweighs the exact and fixed methods' own work.
-- The reference is method "exact" (lif_curr_exp: closed form; lif_cond_exp: Gauss-Legendre
-- quadrature, ~1e-12 s; checked here against cvode at rtol = atol = 1e-12).
-- Each setting is then compared with the reference: spikes are matched per neuron in order
-- (two spikes match when they are at most `match` seconds apart; a reference spike with no
-- partner is missing, a spike of the run with no partner is extra), and the median and
-- maximum absolute time error of the matched spikes are reported.
-- Cost: cvode restarts at every input (1000 per neuron per second here), 15-150 us per
-- input event, so the defaults (20 copies, 5 s, ~100 output spikes each) keep a full run of
-- both models near 1.5 minutes on 2 cores; quick=1 takes ~15 s.
--
-- keys  model=cond|curr|both (both)  n=20 (copies)  T=5 (s)  ne=80  ni=20
--       rate=10 (Hz, each input)  pool=1  delay=1e-3 (s)  match=2.5e-3 (s)  seed=1
--       check=10 (lif_cond_exp: copies run with cvode at 1e-12 to check the reference; 0: none)
--       quick=0 (1: n=10, T=2, fewer settings)  only=all|cvode|fixed (besides the reference)
--       reps=3 (runs shorter than 1 s are repeated and the median wall time reported)
--       we=, wi= (weights, S or A; defaults per model below)
--
-- One JSON line per setting on stdout:
--   {"model", "method", "setting", "tol", "dt", "n", "T", "inputs", "rate", "pooled",
--    "loop_wall_s", "spikes",
--    "ref_spikes", "matched", "median_err_s", "max_err_s", "missing", "extra", "events",
--    "ode_steps", "match_s", "reference", "check"}
-- The check line (check = true) compares cvode at rtol = atol = 1e-12 with the reference, on
-- the first `check` copies only (n tells how many).
local memsnn = require("memsnn")
local u = memsnn.units

local opt = { model = "both", n = 20, T = 5, ne = 80, ni = 20, rate = 10, delay = 1e-3,
              match = 2.5e-3, seed = 1, check = 10, quick = 0, only = "all", reps = 3, pool = 1 }
local given = {}
for i = 1, #arg do
  local key, value = arg[i]:match("^(%w+)=(.+)$")
  if not key or (opt[key] == nil and key ~= "we" and key ~= "wi") then
    error("unknown option '" .. arg[i] .. "' (keys: model n T ne ni rate pool delay match seed check quick only reps we wi)")
  end
  opt[key] = (key == "model" or key == "only") and value or tonumber(value)
  if opt[key] == nil then error("option " .. key .. " needs a number, got '" .. value .. "'") end
  given[key] = true
end
if opt.quick == 1 then
  if not given.n then opt.n = 10 end
  if not given.T then opt.T = 2 end
end
local N, NE, NI = math.floor(opt.n), math.floor(opt.ne), math.floor(opt.ni)

-- Weights: the mean input alone would hold v at -55 mV (cond) or at threshold (curr), so
-- the neuron fires irregularly, from the fluctuations, at 20-25 Hz (~100 spikes in 5 s).
local models = {
  cond = { name = "lif_cond_exp", we = 2.5 * u.nS, wi = 10 * u.nS },
  curr = { name = "lif_curr_exp", we = 60 * u.pA, wi = 70 * u.pA },
}

local function settings(quick)
  local s = {}
  local tols = quick and { 1e-3, 1e-5, 1e-7, 1e-10 } or { 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10 }
  local dts = quick and { 1e-4, 1e-5 } or { 1e-4, 5e-5, 2e-5, 1e-5 }
  for _, t in ipairs(tols) do s[#s + 1] = { method = "cvode", tol = t } end
  for _, d in ipairs(dts) do s[#s + 1] = { method = "fixed", dt = d } end
  return s
end

-- One run of n copies: spike times per neuron (lists), loop wall time, stats.
local function simulate(m, n, method, tol, dt)
  local net = memsnn.network{ seed = opt.seed, method = method, rtol = tol, atol = tol, dt = dt }
  local pop = net:population{ n = n, model = m.name, label = "neuron" }
  -- per neuron: k sources of one type, each at rate r (pooled: one source at k r)
  local k_e, k_i, r_e, r_i = NE, NI, opt.rate, opt.rate
  if opt.pool == 1 then k_e, k_i, r_e, r_i = 1, 1, NE * opt.rate, NI * opt.rate end
  local exc = net:poisson{ n = n * k_e, rate = r_e, label = "exc_inputs" }
  local inh = net:poisson{ n = n * k_i, rate = r_i, label = "inh_inputs" }
  for _, p in ipairs{ { exc, k_e, m.we, "exc" }, { inh, k_i, m.wi, "inh" } } do
    local pre, post = {}, {}
    for j = 1, n * p[2] do
      pre[j], post[j] = j, (j - 1) // p[2] + 1
    end
    net:connect(p[1], pop, { rule = { "from_list", pre = pre, post = post }, weight = p[3],
                             delay = opt.delay, port = p[4] })
  end
  net:record(pop, "spikes")
  collectgarbage()
  local t0 = memsnn.clock()
  net:run(opt.T)
  local wall = memsnn.clock() - t0
  local sp = pop:spikes()
  local trains = {}
  for i = 1, n do trains[i] = {} end
  for k = 1, #sp.ids do
    local tr = trains[sp.ids[k]]
    tr[#tr + 1] = sp.times[k]
  end
  return { trains = trains, n = n, wall = wall, spikes = #sp.times, stats = net:stats() }
end

-- Short runs are timed again (same inputs, same spikes) and the median wall time kept.
local function measure(m, n, method, tol, dt)
  local r = simulate(m, n, method, tol, dt)
  if r.wall < 1 and opt.reps > 1 then
    local walls = { r.wall }
    for _ = 2, math.floor(opt.reps) do walls[#walls + 1] = simulate(m, n, method, tol, dt).wall end
    table.sort(walls)
    local h = #walls // 2
    r.wall = (#walls % 2 == 1) and walls[h + 1] or 0.5 * (walls[h] + walls[h + 1])
  end
  return r
end

-- Match each neuron's spikes in order against the reference.
local function compare(ref, run)
  local errs, missing, extra = {}, 0, 0
  local W = opt.match
  for n = 1, #ref do
    local a, b = ref[n], run[n]
    local i, j = 1, 1
    while i <= #a and j <= #b do
      local d = b[j] - a[i]
      if math.abs(d) <= W then
        errs[#errs + 1] = math.abs(d)
        i, j = i + 1, j + 1
      elseif a[i] < b[j] then
        missing, i = missing + 1, i + 1
      else
        extra, j = extra + 1, j + 1
      end
    end
    missing = missing + (#a - i + 1)
    extra = extra + (#b - j + 1)
  end
  table.sort(errs)
  local med, max = nil, nil
  if #errs > 0 then
    local h = #errs // 2
    med = (#errs % 2 == 1) and errs[h + 1] or 0.5 * (errs[h] + errs[h + 1])
    max = errs[#errs]
  end
  return { matched = #errs, median = med, max = max, missing = missing, extra = extra }
end

local function num(x) return x == nil and "null" or string.format("%.6g", x) end

local function emit(m, method, setting, tol, dt, r, ref, is_ref, is_check)
  local c = compare(ref.trains, r.trains)
  print(string.format('{"model": "%s", "method": "%s", "setting": "%s", "tol": %s, "dt": %s, "n": %d, ' ..
    '"T": %g, "inputs": %d, "rate": %g, "pooled": %s, "loop_wall_s": %.6f, "spikes": %d, "ref_spikes": %d, "matched": %d, ' ..
    '"median_err_s": %s, "max_err_s": %s, "missing": %d, "extra": %d, "events": %d, "ode_steps": %d, ' ..
    '"match_s": %g, "reference": %s, "check": %s}',
    m.name, method, setting, num(tol), num(dt), r.n, opt.T, NE + NI, opt.rate,
    opt.pool == 1 and "true" or "false", r.wall, r.spikes, ref.spikes,
    c.matched, num(c.median), num(c.max), c.missing, c.extra, r.stats.events, r.stats.ode_steps,
    opt.match, is_ref and "true" or "false", is_check and "true" or "false"))
  io.stdout:flush()
end

local which = opt.model == "both" and { "cond", "curr" } or { opt.model }
for _, key in ipairs(which) do
  local m = models[key]
  if not m then error("model must be cond, curr or both, got " .. tostring(opt.model)) end
  m = { name = m.name, we = opt.we or m.we, wi = opt.wi or m.wi }
  local ref = measure(m, N, "exact")
  emit(m, "exact", "reference", nil, nil, ref, ref, true)
  if opt.check > 0 and key == "cond" then
    -- The reference against cvode at 1e-12, on the first copies only (cvode is slow there);
    -- a reference run of the same copies keeps the comparison independent of how the
    -- input streams are keyed.
    local nc = math.min(math.floor(opt.check), N)
    local ref_c = nc == N and ref or simulate(m, nc, "exact")
    local r = simulate(m, nc, "cvode", 1e-12)
    emit(m, "cvode", "rtol=atol=1e-12", 1e-12, nil, r, ref_c, false, true)
  end
  for _, s in ipairs(settings(opt.quick == 1)) do
    if opt.only == "all" or opt.only == s.method then
      local r = measure(m, N, s.method, s.tol, s.dt)
      local setting = s.method == "cvode" and string.format("rtol=atol=%g", s.tol)
                      or string.format("dt=%g ms", s.dt * 1e3)
      emit(m, s.method, setting, s.tol, s.dt, r, ref, false)
    end
  end
end

-- bench/nets/brette.lua: the Brette et al. 2007 benchmark networks in memsnn.
--
--   memsnn run bench/nets/brette.lua --out DIR -- MODEL METHOD T [key=value ...]
--
-- MODEL   coba  Benchmark 1: LIF with exponential conductances, jumps 6 nS / 67 nS
--               (the Brette 2007 / Brian 1 values; the other variant in use, 4 nS / 51 nS
--               from PyNN's VAbenchmarks, is wired with we=4e-9 wi=51e-9)
--         cuba  Benchmark 2: LIF with exponential currents, Brian2's CUBA values: E_L
--               -49 mV (rest above threshold), jumps 1.62 mV and -9 mV of voltage,
--               i.e. 16.2 pA and 90 pA into C = 200 pF, g_L = 10 nS
-- METHOD  fixed | exact | cvode
-- T       simulated seconds
-- keys    n=4000 (neurons, 4:1 E:I), p=0.02 (connection probability), k=0 (fixed
--         in-degree instead: k excitatory + k/4 inhibitory inputs per neuron), seed=1,
--         rtol=, atol=, delay=1e-4 (s), export=0|1 (write the network for the peers),
--         spikes=1 (write spikes.npy)
--
-- Initial state (Brian 1's COBA script): v ~ N(-65 mV, 5 mV); g_exc ~ N(40, 15) nS,
-- g_inh ~ N(200, 120) nS (coba); v ~ U[V_reset, V_th] and no synaptic input (cuba).
-- With export=1 the connectivity (0-based pre/post per projection) and the initial state
-- go to DIR as .npy files, which the Brian2 and NEURON scripts in bench/peers read, so
-- every simulator runs the identical network. One JSON line on stdout gives the figures.
local memsnn = require("memsnn")
local u = memsnn.units

local model, method, T = arg[1] or "coba", arg[2] or "fixed", tonumber(arg[3] or "1")
local opt = { n = 4000, p = 0.02, k = 0, seed = 1, delay = 1e-4, export = 0, spikes = 1, threads = 1,
              we = 6e-9, wi = 67e-9 }
for i = 4, #arg do
  local key, value = arg[i]:match("^(%w+)=(.+)$")
  if not key or opt[key] == nil and key ~= "rtol" and key ~= "atol" then
    error("unknown option '" .. arg[i] .. "'")
  end
  opt[key] = tonumber(value)
end
local N = math.floor(opt.n)
local NE = math.floor(N * 4 / 5)

local t_build0 = memsnn.clock()
local net = memsnn.network{ seed = opt.seed, method = method, dt = 0.1 * u.ms,
                            rtol = opt.rtol, atol = opt.atol, threads = opt.threads }
local model_name, params
if model == "coba" then
  model_name, params = "lif_cond_exp", {}
elseif model == "cuba" then
  model_name, params = "lif_curr_exp", { E_L = -49 * u.mV }
else
  error("model must be coba or cuba, got " .. tostring(model))
end
local E = net:population{ n = NE, model = model_name, label = "exc", params = params }
local I = net:population{ n = N - NE, model = model_name, label = "inh", params = params }

-- Initial state from a generator of its own, seeded from the network seed; one list over
-- all N neurons (excitatory first), as the peers read it.
math.randomseed(opt.seed)
local function randn()
  local a, b = math.random(), math.random()
  return math.sqrt(-2 * math.log(1 - a)) * math.cos(2 * math.pi * b)
end
local v0, ge0, gi0 = {}, {}, {}
for i = 1, N do
  if model == "coba" then
    v0[i] = -60 * u.mV + (randn() * 5 - 5) * u.mV
    ge0[i] = (randn() * 1.5 + 4) * 10 * u.nS
    gi0[i] = (randn() * 12 + 20) * 10 * u.nS
  else
    v0[i] = -60 * u.mV + math.random() * 10 * u.mV
    ge0[i], gi0[i] = 0, 0
  end
end
local function part(t, first, last)
  local r = {}
  for i = first, last do r[#r + 1] = t[i] end
  return r
end
local state_names = model == "coba" and { "g_exc", "g_inh" } or { "I_exc", "I_inh" }
E:initialize{ v = part(v0, 1, NE), [state_names[1]] = part(ge0, 1, NE), [state_names[2]] = part(gi0, 1, NE) }
I:initialize{ v = part(v0, NE + 1, N), [state_names[1]] = part(ge0, NE + 1, N), [state_names[2]] = part(gi0, NE + 1, N) }

local we, wi
if model == "coba" then we, wi = opt.we, opt.wi else we, wi = 16.2 * u.pA, 90 * u.pA end
local function rule(k)
  if opt.k > 0 then return { "fixed_indegree", k = k, autapses = false } end
  return { "fixed_probability", p = opt.p, autapses = false }
end
local projections = {}
for _, pre in ipairs{ { E, we, "exc", math.floor(opt.k) }, { I, wi, "inh", math.floor(opt.k / 4) } } do
  for _, post in ipairs{ E, I } do
    local prj = net:connect(pre[1], post, { rule = rule(pre[4]), weight = pre[2], delay = opt.delay, port = pre[3] })
    projections[#projections + 1] = { prj = prj, pre_offset = pre[1] == E and 0 or NE,
                                       post_offset = post == E and 0 or NE, port = pre[3] }
  end
end
local t_build = memsnn.clock() - t_build0
local n_syn = 0
for _, q in ipairs(projections) do n_syn = n_syn + #q.prj end

if opt.export == 1 then
  -- Global 0-based indices per port, for the peers.
  for _, port in ipairs{ "exc", "inh" } do
    local pre, post = {}, {}
    for _, q in ipairs(projections) do
      if q.port == port then
        local c = q.prj:connections()
        for k = 1, #c.pre do
          pre[#pre + 1] = c.pre[k] - 1 + q.pre_offset
          post[#post + 1] = c.post[k] - 1 + q.post_offset
        end
      end
    end
    memsnn.write_npy(port .. "_pre.npy", pre, { dtype = "i4" })
    memsnn.write_npy(port .. "_post.npy", post, { dtype = "i4" })
  end
  memsnn.write_npy("v0.npy", v0)
  memsnn.write_npy("ge0.npy", ge0)
  memsnn.write_npy("gi0.npy", gi0)
end

net:record(E, "spikes")
net:record(I, "spikes")
local t0, c0 = memsnn.clock(), os.clock()
net:run(T)
local loop_wall, loop_cpu = memsnn.clock() - t0, os.clock() - c0
local res = memsnn.resources()
local st = net:stats()
local mem = net:memory()
local se, si = E:spikes(), I:spikes()
if opt.spikes == 1 then
  local ids, times = {}, {}
  for k = 1, #se.ids do ids[#ids + 1], times[#times + 1] = se.ids[k] - 1, se.times[k] end
  for k = 1, #si.ids do ids[#ids + 1], times[#times + 1] = si.ids[k] - 1 + NE, si.times[k] end
  memsnn.write_npy("spikes_ids.npy", ids, { dtype = "i4" })
  memsnn.write_npy("spikes_times.npy", times)
end
print(string.format('{"sim": "memsnn", "model": "%s", "method": "%s", "T": %g, "n": %d, "synapses": %d, ' ..
  '"build_s": %.6f, "loop_wall_s": %.6f, "loop_cpu_s": %.6f, "spikes": %d, "events": %d, "peak_rss": %d, ' ..
  '"ode_steps": %d, "window_s": %g, "synapse_bytes": %d, "bytes_per_synapse": %.2f, "net_bytes": %d}',
  model, method, T, N, n_syn, t_build, loop_wall, loop_cpu, #se.times + #si.times, st.events, res.peak_rss,
  st.ode_steps, net:window(), mem.synapses, mem.bytes_per_synapse, mem.total))

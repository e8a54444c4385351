-- bench/plot_bench.lua: PNG pictures of the benchmark tables (bench/bench.py runs it).
--
--   memsnn run bench/plot_bench.lua --out DIR -- [scaling=FILE.csv] [precision=FILE.csv]
--
-- scaling.csv   columns neurons, synapses, loop_s, ns_per_event, peak_rss_mb (one row per
--               network size) -> scaling_time.png, scaling_ns_per_event.png, scaling_rss.png,
--               each log-log against the number of neurons, with a line proportional to the
--               neurons through the largest size for comparison.
-- precision.csv columns model, method, setting, tol, dt, n, loop_wall_s, median_err_s,
--               max_err_s, missing, extra, check -> precision_<model>.png: median spike-time
--               error against loop wall time, log-log, one series per method; the reference
--               (exact) is a vertical line at its wall time. Check rows (check = 1) are left out.
-- Prints one JSON line: {"scaling": [paths], "precision": [paths]}.
local memsnn = require("memsnn")

local files = {}
for i = 1, #arg do
  local key, value = arg[i]:match("^(%w+)=(.+)$")
  if key ~= "scaling" and key ~= "precision" then
    error("unknown argument '" .. arg[i] .. "' (expected scaling=FILE.csv or precision=FILE.csv)")
  end
  files[key] = value
end

-- A CSV with a header line and no quoted fields: a list of rows keyed by column name.
local function read_csv(path)
  local f = assert(io.open(path, "r"))
  local header, rows = nil, {}
  for line in f:lines() do
    line = line:gsub("\r$", "")
    if line ~= "" then
      local fields = {}
      for x in (line .. ","):gmatch("([^,]*),") do fields[#fields + 1] = x end
      if not header then
        header = fields
      else
        local row = {}
        for k, name in ipairs(header) do
          local x = fields[k]
          row[name] = tonumber(x) or (x ~= "" and x or nil)
        end
        rows[#rows + 1] = row
      end
    end
  end
  f:close()
  return rows
end

local function column(rows, name, scale)
  local c = {}
  for k, r in ipairs(rows) do c[k] = r[name] * (scale or 1) end
  return c
end

-- y values of a line proportional to x through the last point (the largest size, where
-- fixed costs such as the process's own memory matter least).
local function proportional(x, y)
  local c, m = {}, #x
  for k = 1, m do c[k] = y[m] * x[k] / x[m] end
  return c
end

local out = { scaling = {}, precision = {} }

if files.scaling then
  local rows = read_csv(files.scaling)
  table.sort(rows, function(a, b) return a.neurons < b.neurons end)
  local n = column(rows, "neurons")
  local per = #rows > 0 and string.format("%g synapses per neuron", rows[1].synapses / rows[1].neurons) or ""
  local loop, nspe, rss = column(rows, "loop_s"), column(rows, "ns_per_event", 1e-9), column(rows, "peak_rss_mb")
  local common = { xlabel = "neurons", logx = true, logy = true, width = 1000, height = 700 }
  local function plot(file, title, ylabel, yunit, y, with_line)
    local o = { file = file, title = title, ylabel = ylabel, yunit = yunit,
                series = { { x = n, y = y, label = "measured", style = "both" } } }
    if with_line and #n > 0 then
      o.series[2] = { x = n, y = proportional(n, y), label = "proportional to neurons (through the largest)" }
    end
    for k, v in pairs(common) do o[k] = v end
    out.scaling[#out.scaling + 1] = memsnn.plot.xy(o)
  end
  plot("scaling_time.png", "Scaling: loop time vs neurons (" .. per .. ")", "loop time", "s", loop, true)
  plot("scaling_ns_per_event.png", "Scaling: time per synaptic event vs neurons (" .. per .. ")",
       "time per event", "s", nspe, false)
  plot("scaling_rss.png", "Scaling: peak memory (whole process) vs neurons (" .. per .. ")",
       "peak RSS (MiB)", nil, rss, true)
end

if files.precision then
  local rows = read_csv(files.precision)
  local models, by_model = {}, {}
  for _, r in ipairs(rows) do
    if r.check ~= 1 then
      if not by_model[r.model] then
        by_model[r.model] = {}
        models[#models + 1] = r.model
      end
      local t = by_model[r.model]
      t[#t + 1] = r
    end
  end
  for _, model in ipairs(models) do
    local series, lo, hi = {}, math.huge, 0
    local ref_wall, n = nil, nil
    local function short(x) -- 1e-05 -> 1e-5, 0.0001 -> 1e-4
      local m, e = string.format("%.0e", x):match("^(%d)e([-+]%d+)$")
      return (m == "1" and "" or m .. "x") .. "1e" .. tonumber(e)
    end
    for _, method in ipairs{ "cvode", "fixed" } do
      local x, y, first, last = {}, {}, nil, nil
      for _, r in ipairs(by_model[model]) do
        if r.method == method and r.median_err_s and r.median_err_s > 0 then
          x[#x + 1], y[#y + 1] = r.loop_wall_s, r.median_err_s
          lo, hi = math.min(lo, r.median_err_s), math.max(hi, r.median_err_s)
          local v = method == "cvode" and short(r.tol) or string.format("%g", r.dt * 1e3)
          first, last = first or v, v
        end
      end
      if #x > 0 then
        local label = method == "cvode" and string.format("cvode, rtol = atol = %s ... %s", first, last)
                      or string.format("fixed, dt = %s ... %s ms", first, last)
        series[#series + 1] = { x = x, y = y, style = "both", label = label }
      end
    end
    for _, r in ipairs(by_model[model]) do
      if r.method == "exact" then ref_wall, n = r.loop_wall_s, r.n end
    end
    if ref_wall and hi > 0 then
      series[#series + 1] = { x = { ref_wall, ref_wall }, y = { lo / 3, hi * 3 },
                              label = "exact (reference): wall time" }
    end
    out.precision[#out.precision + 1] = memsnn.plot.xy{
      file = "precision_" .. model .. ".png", series = series, logx = true, logy = true,
      title = string.format("Work-precision, %s with synaptic input (%s copies)", model, tostring(n or "?")),
      xlabel = "loop wall time", xunit = "s", ylabel = "median |spike-time error|", yunit = "s",
      width = 1000, height = 700 }
  end
end

local function list(t)
  local q = {}
  for k, p in ipairs(t) do q[k] = string.format("%q", p) end
  return "[" .. table.concat(q, ", ") .. "]"
end
print(string.format('{"scaling": %s, "precision": %s}', list(out.scaling), list(out.precision)))

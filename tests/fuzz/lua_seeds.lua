-- tests/fuzz/lua_seeds.lua: writes the seed corpus of tests/fuzz/fuzz_lua.c, scripts a user
-- would write (a network run and plotted, a device characterised, a circuit, data and a network
-- of functions), encoded in the harness's input format so the fuzzer starts deep inside memsnn.
--
--   build/scripting/memsnn run tests/fuzz/lua_seeds.lua --out /tmp/seeds -- tests/fuzz
--
-- It runs every call as the harness will (to know which objects and results the later calls
-- refer to) and writes tests/fuzz/corpus/lua/seed-<name>. The format is the one fuzz_lua.c
-- reads: a step is an op byte (bit 0: a method, bits 1..: argument count mod 5), then a
-- function index (two bytes) or object, method and self bytes, then the arguments, each a
-- kind byte and its payload; words are indices into fuzz_lua.c's WORDS, read from that file.
local memsnn = require("memsnn")
local dir = assert(arg[1], "usage: memsnn run tests/fuzz/lua_seeds.lua -- tests/fuzz")

local src = assert(io.open(dir .. "/fuzz_lua.c")):read("a")
local block = assert(src:match("WORDS%[%] = (%b{})"), "WORDS not found in fuzz_lua.c")
local widx = {}
local nwords = 0
for w in block:gsub("/%*.-%*/", ""):gmatch('"([^"]*)"') do
    widx[w] = widx[w] or nwords
    nwords = nwords + 1
end

local function sorted_functions(t)
    local names = {}
    for k, v in pairs(t) do
        if type(k) == "string" and type(v) == "function" then names[#names + 1] = k end
    end
    table.sort(names)
    return names
end

-- the harness's function list: the module's functions, then each sub-table's, by name
local fidx = {}
local nf = 0
for _, k in ipairs(sorted_functions(memsnn)) do nf = nf + 1; fidx[k] = nf - 1 end
local subs = {}
for k, v in pairs(memsnn) do if type(k) == "string" and type(v) == "table" then subs[#subs + 1] = k end end
table.sort(subs)
for _, s in ipairs(subs) do
    for _, k in ipairs(sorted_functions(memsnn[s])) do nf = nf + 1; fidx[s .. "." .. k] = nf - 1 end
end
local function lookup(name)
    local f = memsnn
    for part in name:gmatch("[^.]+") do f = f[part] end
    return f
end

local function methods(obj)
    local mt = getmetatable(obj)
    local list = {}
    if type(mt.__index) == "table" then
        for _, k in ipairs(sorted_functions(mt.__index)) do list[#list + 1] = k end
    end
    for _, k in ipairs(sorted_functions(mt)) do list[#list + 1] = k end
    return list
end

-- one seed at a time
local out, objects, results

local V = {}
function V.int(k) return { b = string.char(2, k & 0xff), v = k } end
function V.num(x) return { b = string.char(5, 1) .. string.pack(">d", x), v = x } end
function V.bool(x) return { b = string.char(1, x and 1 or 0), v = x } end
function V.word(w) return { b = string.char(7, (assert(widx[w], w))), v = w } end
function V.obj(k) return { b = string.char(11, k - 1), v = objects[k] } end
function V.res(k) return { b = string.char(12, k - 1), v = results[k] } end
-- callback 1 of fuzz_lua.c: function(i) return i * 1e-3 end
function V.cb1() return { b = string.char(13, 0), v = function(i) return i * 1e-3 end } end
function V.nums(list)
    local b = { string.char(9, 0x80, #list) }
    for _, x in ipairs(list) do b[#b + 1] = string.char(1) .. string.pack(">d", x) end
    return { b = table.concat(b), v = list }
end
-- arr: values of the array part; keys: { {word, value}, ... } in order
function V.tbl(arr, keys)
    keys = keys or {}
    assert(#arr < 8 and #keys < 8)
    local b, v = { string.char(9, #arr + 8 * #keys) }, {}
    for k, x in ipairs(arr) do b[#b + 1] = x.b; v[k] = x.v end
    for _, kv in ipairs(keys) do
        b[#b + 1] = string.char(1, (assert(widx[kv[1]], kv[1]))) .. kv[2].b
        v[kv[1]] = kv[2].v
    end
    return { b = table.concat(b), v = v }
end
local function opts(keys) return V.tbl({}, keys) end

local function keep(...)
    for k = 1, select("#", ...) do
        local r = select(k, ...)
        if type(r) == "userdata" then objects[#objects + 1] = r
        elseif type(r) == "table" or type(r) == "string" then results[#results + 1] = r end
    end
end

local function finish(ok, ...)
    if ok then keep(...) else io.stderr:write("  (error: ", tostring((...)), ")\n") end
end

local function call(name, ...)
    local args = { ... }
    local k = assert(fidx[name], name)
    out[#out + 1] = string.char(2 * #args, k & 0xff, k >> 8)
    local vals = {}
    for i, a in ipairs(args) do out[#out + 1] = a.b; vals[i] = a.v end
    finish(pcall(lookup(name), table.unpack(vals, 1, #args)))
end

local function meth(objk, name, ...)
    local args = { ... }
    local obj = objects[objk]
    local m
    for i, n in ipairs(methods(obj)) do if n == name then m = i end end
    assert(m, name)
    out[#out + 1] = string.char(2 * #args + 1, objk - 1, m - 1, 1)
    local vals = { obj }
    for i, a in ipairs(args) do out[#out + 1] = a.b; vals[i + 1] = a.v end
    local mt = getmetatable(obj)
    local f = type(mt.__index) == "table" and mt.__index[name] or mt[name]
    finish(pcall(f, table.unpack(vals, 1, #args + 1)))
end

local function seed(name, body)
    out, objects, results = {}, {}, {}
    body()
    local path = dir .. "/corpus/lua/seed-" .. name
    local f = assert(io.open(path, "wb"))
    f:write(table.concat(out))
    f:close()
    print(path, #table.concat(out) .. " bytes")
end

seed("network-run-plot", function()
    call("network", opts{ { "seed", V.int(1) }, { "method", V.word("exact") } })        -- obj 1
    meth(1, "population", opts{ { "n", V.int(3) }, { "model", V.word("lif_curr_exp") } })  -- obj 2
    meth(1, "current", opts{ { "target", V.obj(2) }, { "amplitude", V.num(0.5e-9) } })
    meth(1, "record", V.obj(2), V.word("spikes"))
    meth(1, "record", V.obj(2), V.word("v"))
    meth(1, "run", V.num(0.05))
    meth(2, "spikes")                                                                     -- res 1
    meth(2, "trace", V.word("v"))                                                          -- res 2
    call("plot.raster", opts{ { "file", V.word("f.png") }, { "populations", V.tbl{ V.obj(2) } } })
    call("plot.traces", opts{ { "file", V.word("f.png") }, { "trace", V.res(2) } })
    call("write_csv", V.word("f.csv"), V.res(2))
    meth(1, "stats")
    meth(2, "initialize", opts{ { "v", V.cb1() } })
    meth(1, "run", V.num(0.01))
end)

seed("connect-poisson", function()
    call("network", opts{ { "seed", V.int(3) } })                                          -- obj 1
    meth(1, "poisson", opts{ { "n", V.int(4) }, { "rate", V.num(200) } })                   -- obj 2
    meth(1, "population", opts{ { "n", V.int(2) }, { "model", V.word("lif_cond_exp") },
                                { "method", V.word("exact") } })                          -- obj 3
    meth(1, "spike_source", opts{ { "times", V.tbl{ V.nums{ 1e-3, 2e-3 }, V.nums{} } } })    -- obj 4
    meth(1, "connect", V.obj(2), V.obj(3), opts{
        { "rule", V.tbl({ V.word("fixed_probability") }, { { "p", V.num(0.5) } }) },
        { "weight", V.num(2e-9) }, { "port", V.word("exc") } })                           -- obj 5
    meth(1, "connect", V.obj(4), V.obj(3), opts{ { "weight", V.cb1() }, { "delay", V.num(1e-3) } })
    meth(1, "record", V.obj(3), V.word("spikes"))
    meth(1, "record", V.obj(3), V.word("g_exc"), opts{ { "every", V.num(1e-3) } })
    meth(1, "run", V.num(0.02))
    meth(5, "connections")
    meth(5, "weights")
    meth(1, "energy")
    meth(1, "memory")
end)

seed("device-rram", function()
    call("device", V.word("rram"), opts{ { "G_min", V.num(2e-6) } }, opts{ { "seed", V.int(1) } }) -- obj 1
    meth(1, "drive", opts{ { "t", V.nums{ 0, 1e-6, 2e-6, 3e-6 } }, { "v", V.nums{ 0, 1.5, 1.5, 0 } } }) -- res 1
    meth(1, "pulses", opts{ { "v", V.num(1.5) }, { "width", V.num(1e-7) }, { "n", V.int(3) } })
    meth(1, "program", opts{ { "target", V.num(1e-5) } })
    meth(1, "relax", opts{ { "t", V.nums{ 1, 60 } } })
    meth(1, "energy")                                                                      -- res
    call("plot.iv", opts{ { "file", V.word("f.png") }, { "v", V.nums{ 0, 1, 0, -1 } }, { "i", V.nums{ 0, 1e-6, 2e-6, -1e-6 } } })
    call("write_csv", V.word("f.csv"), V.res(1))
    meth(1, "read", opts{ { "v", V.num(0.2) } })
    meth(1, "set_state", opts{ { "x", V.num(0.5) } })
    meth(1, "state")
end)

seed("device-soma-dendrite", function()
    call("device", V.word("mott_soma"))                                                    -- obj 1
    meth(1, "current_step", opts{ { "i", V.num(50e-6) }, { "duration", V.num(30e-6) } })
    call("device", V.word("nmda_dendrite"))                                                -- obj 2
    meth(2, "sweep", opts{ { "v_max", V.num(2) }, { "v_min", V.num(-1) }, { "t_ramp", V.num(1e-4) } })
    call("devices")
    call("device_params", V.word("dynamic_tiox"))
    call("device", V.word("rram_pku"))                                                     -- obj 3
    meth(3, "drive", opts{ { "t", V.nums{ 0, 1e-6 } }, { "v", V.nums{ 0, 1 } }, { "every", V.num(1e-7) } })
end)

seed("circuit", function()
    call("dendritic_neuron", opts{ { "branches", V.int(2) } })                             -- obj 1
    call("network", opts{ { "seed", V.int(2) } })                                          -- obj 2
    meth(2, "population", opts{ { "n", V.int(2) }, { "model", V.obj(1) } })                 -- obj 3
    meth(2, "current", opts{ { "target", V.obj(3) }, { "amplitude", V.num(20e-6) } })
    meth(2, "record", V.obj(3), V.word("spikes"))
    meth(2, "run", V.num(2e-4))
    meth(1, "names")
    meth(3, "spikes")
end)

seed("data-ann", function()
    call("write_npy", V.word("f.npy"), V.nums{ 1, 2, 3 })                                  -- res 1
    call("data.idx", V.res(1))
    call("ann.dendritic", opts{ { "inputs", V.int(4) }, { "hidden", V.int(3) }, { "outputs", V.int(2) },
                                { "branches", V.int(2) } })                               -- obj 1
    meth(1, "info")
    meth(1, "predict", V.nums{ 0.1, 0.5, 0.9, 0.2 })
    meth(1, "save", V.word("w.bin"))
    call("ann.load", V.res(#results))
    call("models")
    call("params", V.word("lif_cond_exp"))
end)

seed("plots", function()
    call("plot.xy", opts{ { "file", V.word("f.png") }, { "x", V.nums{ 1, 2, 3 } }, { "y", V.nums{ 1, 4, 9 } },
                          { "label", V.word("line") } })
    call("plot.heatmap", opts{ { "file", V.word("f.png") }, { "values", V.nums{ 1, 2, 3, 4, 5, 6 } },
                               { "rows", V.int(2) }, { "cols", V.int(3) } })
    call("plot.power", opts{ { "file", V.word("f.png") },
                             { "tallies", V.tbl{ V.tbl{ V.word("rram"), V.tbl({}, { { "total", V.num(1e-9) } }) } } } })
    call("plot.raster", opts{ { "file", V.word("f.png") },
                              { "populations", V.tbl{ V.tbl({}, { { "ids", V.nums{ 1, 2 } }, { "times", V.nums{ 0.1, 0.2 } } }) } } })
end)

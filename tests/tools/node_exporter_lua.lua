-- A stand-in for OpenWrt's prometheus-node-exporter-lua (openwrt/packages,
-- utils/prometheus-node-exporter-lua/files/usr/bin/prometheus-node-exporter-lua)
-- that runs one collector file and prints what the exporter's page would
-- hold for it.  The globals a collector may use behave as the exporter's:
-- output(str) prints a line; metric(name, type) prints "# TYPE name type"
-- and returns a function (labels, value) that prints
-- name{label="value",...} value, the label values between quotes as they
-- are (the exporter escapes nothing), in pairs() order, "{...}" left out
-- when labels is nil; a scrape that raises an error counts as a failure
-- (here: exit 1).
-- usage: lua5.1 node_exporter_lua.lua COLLECTOR.lua

function output(str)
  io.write(str, "\n")
end

local function print_metric(name, labels, value)
  local s = ""
  if labels then
    for k, v in pairs(labels) do
      s = s .. k .. '="' .. v .. '",'
    end
    s = "{" .. s:sub(1, -2) .. "}"
  end
  output(string.format("%s%s %s", name, s, value))
end

function metric(name, mtype, labels, value)
  output("# TYPE " .. name .. " " .. mtype)
  local emit = function(l, v)
    print_metric(name, l, v)
  end
  if value then
    emit(labels, value)
  end
  return emit
end

local collector = dofile(arg[1])
local ok, err = pcall(collector.scrape)
if not ok then
  io.stderr:write(tostring(err), "\n")
  os.exit(1)
end

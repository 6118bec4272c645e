-- xdpld's collector for OpenWrt's prometheus-node-exporter-lua: install as
-- /usr/lib/lua/prometheus-collectors/xdpld.lua (init/README.md).
--
-- It follows the collector API of openwrt/packages,
-- utils/prometheus-node-exporter-lua: the file returns { scrape = scrape };
-- scrape() calls the global metric(name, type), which prints "# TYPE name
-- type" and returns a function (labels, value) printing one sample (see
-- files/usr/bin/prometheus-node-exporter-lua there, and the collectors
-- nft_counters.lua, which reads a command through io.popen, and
-- nat_traffic.lua next to it).
--
-- It runs `xdpld status --prometheus` (the exporter runs as root under
-- uhttpd, as xdpld needs) and hands every sample on through metric(), so
-- the exporter's page carries the same families and values; xdpld's HELP
-- lines are dropped (the framework prints none).  Two things of that
-- framework shape how the samples are handed on:
--  * its print_metric writes a label value between quotes as it gets it,
--    escaping nothing: the values go on still escaped, as xdpld wrote them;
--  * it prints a value with %s: a number would go through Lua's %.14g and
--    lose digits of a large counter, so the value goes on as xdpld's text.
-- XDPLD_STATUS_CMD overrides the command (tests).

local cmd = os.getenv("XDPLD_STATUS_CMD") or "/usr/sbin/xdpld status --prometheus 2>/dev/null"

-- The labels of a sample line from just after its "{": a table of name ->
-- value (still escaped) and the rest of the line after "}"; nil when the
-- line is not what xdpld writes.
local function parse_labels(s)
  local labels, i = {}, 1
  while true do
    local name, j = s:match('^([%a_][%w_]*)="()', i)
    if not name then
      return nil
    end
    local k = j
    while true do
      local c = s:sub(k, k)
      if c == "" then
        return nil
      elseif c == "\\" then
        k = k + 2
      elseif c == '"' then
        break
      else
        k = k + 1
      end
    end
    labels[name] = s:sub(j, k - 1)
    i = k + 1
    local sep = s:sub(i, i)
    if sep == "}" then
      return labels, s:sub(i + 1)
    elseif sep ~= "," then
      return nil
    end
    i = i + 1
  end
end

local function scrape()
  local f = io.popen(cmd)
  if not f then
    error("xdpld: cannot run " .. cmd)
  end
  local family, out
  for line in f:lines() do
    local name, mtype = line:match("^# TYPE ([%a_:][%w_:]*) (%a+)$")
    if name then
      family, out = name, metric(name, mtype)
    elseif line:sub(1, 1) ~= "#" then
      local sname, rest = line:match("^([%a_:][%w_:]*)(.*)$")
      local labels
      if sname and rest:sub(1, 1) == "{" then
        labels, rest = parse_labels(rest:sub(2))
      end
      local value = rest and rest:match("^ (%S+)$")
      -- a sample outside its family is not handed on
      if value and sname == family then
        out(labels, value)
      end
    end
  end
  f:close()
end

return { scrape = scrape }

#!/bin/sh
# xdpld's counters for collectd's exec plugin (init/README.md, "collectd").
#
# collectd's exec plugin runs no program as root, and reading xdpld's
# pinned maps takes root (CAP_BPF and the bpffs pins), so the work is split
# in two, one script:
#   xdpld-collectd.sh --snapshot   as root, from cron: writes what
#       `xdpld status --prometheus` prints to $XDPLD_SNAPSHOT (atomically,
#       mode 0644: counters, ids and object paths, nothing secret);
#   xdpld-collectd.sh              as collectd's exec user (e.g. nobody):
#       whenever the snapshot changed, one PUTVAL line per value, stamped
#       with the snapshot's time, so rates come out right whatever the two
#       periods are; a stale snapshot gives no values (gaps, not repeats);
#   xdpld-collectd.sh --once       the same for one snapshot, then exits.
# --interval SECONDS (or XDPLD_SNAPSHOT_INTERVAL, default 60): the
# snapshot's period, the interval= of every value; --file SNAPSHOT (or
# XDPLD_SNAPSHOT, default /var/run/xdpld/metrics.prom).
# Identifiers: HOST/xdpld-DEVICE/packets-slotN_MODULE_VERDICT (types.db
# "packets", DERIVE), .../derive-slotN_MODULE_relinks and .../gauge-matches
# (1: the device runs its recorded rootlet).  DEVICE and MODULE keep
# [A-Za-z0-9_-] (anything else becomes '_': no '/' or quote reaches
# collectd), each part at most 127 bytes (collectd 5's DATA_MAX_NAME_LEN is
# 128 with the NUL).
# Environment: COLLECTD_HOSTNAME and COLLECTD_INTERVAL (set by collectd),
# XDPLD (default /usr/sbin/xdpld).
# Plain POSIX sh and awk (busybox).

SNAP=${XDPLD_SNAPSHOT:-/var/run/xdpld/metrics.prom}

snapshot() {
	umask 022
	case $SNAP in */?*) mkdir -p "${SNAP%/*}" || exit 1 ;; esac
	# Published even when xdpld exits 1: its output is still valid (an
	# unreadable record shows as matches 0).
	"${XDPLD:-/usr/sbin/xdpld}" status --prometheus >"$SNAP.tmp.$$" 2>/dev/null
	mv -f "$SNAP.tmp.$$" "$SNAP"
}

# putval TIME: the snapshot as PUTVAL lines.
putval() {
	awk -v host="${COLLECTD_HOSTNAME:-$(hostname)}" -v t="$1" \
		-v iv="${XDPLD_SNAPSHOT_INTERVAL:-60}" '
	function part(s) { gsub(/[^A-Za-z0-9_-]/, "_", s); return substr(s, 1, 127) }
	function unesc(s,   out, c) {
		out = ""
		while (match(s, /\\./)) {
			c = substr(s, RSTART + 1, 1)
			out = out substr(s, 1, RSTART - 1) (c == "n" ? "\n" : c)
			s = substr(s, RSTART + 2)
		}
		return out s
	}
	function put(dev, type, inst) {
		if (dev == "" || inst == "")
			return
		printf "PUTVAL \"%s/xdpld-%s/%s-%s\" interval=%s %s:%s\n", h, part(dev), type,
			substr(inst, 1, 127), iv, t, $NF
	}
	BEGIN { h = host; gsub(/[\/"\\]/, "_", h); h = substr(h, 1, 127) }
	/^#/ || !/^[a-z_]+\{/ { next }
	{
		name = substr($0, 1, index($0, "{") - 1)
		rest = substr($0, index($0, "{") + 1)
		split("", l)
		while (match(rest, /^[a-z_]+="([^"\\]|\\.)*"[,}]/)) {
			kv = substr(rest, 1, RLENGTH - 1)
			rest = substr(rest, RLENGTH + 1)	# before unesc (its match sets RLENGTH)
			eq = index(kv, "=")
			l[substr(kv, 1, eq - 1)] = unesc(substr(kv, eq + 2, length(kv) - eq - 2))
		}
		if ($NF !~ /^[0-9]+$/)
			next
		slot = "slot" l["slot"] "_" part(l["module"])
		if (name == "xdpld_slot_packets_total")
			put(l["device"], "packets", slot "_" part(l["verdict"]))
		else if (name == "xdpld_slot_relinks_total")
			put(l["device"], "derive", slot "_relinks")
		else if (name == "xdpld_pipeline_matches")
			put(l["device"], "gauge", "matches")
	}' "$SNAP"
}

# The snapshot's time (seconds), empty when there is none.
snap_time() { [ -f "$SNAP" ] && date -r "$SNAP" +%s 2>/dev/null; }

mode=loop
while [ $# -gt 0 ]; do
	case "$1" in
	--snapshot) mode=snapshot ;;
	--once) mode=once ;;
	--interval) shift; XDPLD_SNAPSHOT_INTERVAL=$1 ;;
	--file) shift; SNAP=$1 ;;
	*)
		echo "usage: $0 [--snapshot | --once] [--interval SECONDS] [--file SNAPSHOT]" >&2
		exit 2 ;;
	esac
	shift
done
case "${XDPLD_SNAPSHOT_INTERVAL:-60}" in
''|*[!0-9]*)
	echo "$0: --interval: '$XDPLD_SNAPSHOT_INTERVAL' is no number of seconds" >&2
	exit 2 ;;
esac
case $mode in
snapshot)
	snapshot
	exit 0 ;;
once)
	t=$(snap_time) && [ -n "$t" ] && putval "$t"
	exit 0 ;;
esac

# collectd passes the interval as "10.000"; busybox sleep may take whole
# seconds only.
iv=${COLLECTD_INTERVAL:-10}
iv=${iv%%.*}
[ "${iv:-0}" -ge 1 ] 2>/dev/null || iv=1
last=
sp=
# collectd stops its exec children with SIGTERM: end the sleep with them.
trap '[ -n "$sp" ] && kill "$sp" 2>/dev/null; exit 0' TERM INT
while :; do
	t=$(snap_time)
	if [ -n "$t" ] && [ "$t" != "$last" ]; then
		putval "$t" || exit 1
		last=$t
	fi
	sleep "$iv" &
	sp=$!
	wait "$sp"
done

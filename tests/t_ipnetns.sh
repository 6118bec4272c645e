#!/bin/sh
# `ip netns exec` hides the real bpffs: it gives every command a new /sys,
# so xdpld mounts an empty bpffs of its own, and a pipeline attached there
# loses its record and pins when the command ends.  xdpld says so when it
# has to mount bpffs in a named network namespace, and when a device runs
# a program named like its rootlet that it has no record of (attach,
# detach, status, apply and its dry-run) it explains instead of suggesting
# --force, which would load a second pipeline with empty maps.  A foreign
# program still gets the plain refusal.
. tests/lib.sh

NS=xdpld-ipns-$$
RCV=$NS	# X (tests/lib.sh): xdpld in $RCV's netns with the host's mounts
SD=/sys/fs/bpf/xdpld-t-ipns-$$
netns_cleanup_trap "$NS" "" "$SD"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
if ! { ip netns add "$NS" && ip -n "$NS" link add v0 type veth peer name v1 &&
	ip -n "$NS" link set v0 up && ip -n "$NS" link set v1 up; }; then
	not_ok "ipnetns: set up a namespace with a veth"
	exit 0
fi
# IX ARGS...: xdpld as `ip netns exec` runs it (default state dir, under
# the /sys/fs/bpf that ip netns exec's new /sys leaves unmounted)
IX() { ip netns exec "$NS" "$XDPLD" "$@"; }
prog_id() { ip -n "$NS" -d link show v0 | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p'; }
still_runs() { [ "$(prog_id)" = "$1" ]; }
# has_hint CMD...: CMD (any exit status) explains the unrecorded rootlet
has_hint() { "$@" >"$TMP/h" 2>&1; grep -qE -- "$HINT" "$TMP/h" || { cat "$TMP/h"; return 1; }; }
no_hint() { ! "$@" 2>&1 | grep -q "no record of it"; }

check_out "ip netns exec attach: works, and warns that its bpffs goes away with the command" \
	"warning: bpffs was not mounted on /sys/fs/bpf here \(network namespace $NS\): .*gone when this command ends.*nsenter --net=/run/netns/$NS xdpld" \
	IX attach v0 "$FW/fw_acme.o"
id=$(prog_id)
HINT="runs xdpld's program id $id 'xdpld_rootlet', but /sys/fs/bpf/xdpld has no record of it: this is not the bpffs it was attached with.*--force would load a second pipeline with empty maps"
check_fails "ip netns exec attach again: says the running rootlet is xdpld's and why there is no record" \
	"$HINT" IX attach v0 "$FW/fw_acme.o"
check_fails "ip netns exec detach: the same explanation, not only 'attached nothing'" "$HINT" IX detach v0
check "ip netns exec status: the same explanation" has_hint IX status v0
cat >"$TMP/m.conf" <<EOF
config module 'acme'
	option object '$PWD/$FW/fw_acme.o'

config pipeline 'wan'
	option device 'v0'
	list module 'acme'
EOF
check_fails "ip netns exec apply --dry-run (a manifest for v0): refused, explained" "$HINT" \
	IX apply -c "$TMP/m.conf" --dry-run
check_fails "ip netns exec apply: refused, explained" "$HINT" IX apply -c "$TMP/m.conf"
check "the pipeline still runs (nothing changed by any of them)" still_runs "$id"
check "detach --force cleans up" IX detach v0 --force

# nsenter keeps the host's mounts: the record stays, no hint
check "nsenter: attach with the system's bpffs" X attach v0 "$FW/fw_acme.o"
check "nsenter: a second attach finds the record (no hint)" no_hint X attach v0 "$FW/fw_acme.o"
check "nsenter: detach finds its record" X detach v0

# a program xdpld did not attach: the plain refusal, no hint
ip -n "$NS" link set dev v0 xdp obj "$FW/sampler.o" sec xdp
check_fails "a foreign program: refused without --force" \
	"not replacing it without --force|already runs XDP program" X attach v0 "$FW/fw_acme.o"
check "a foreign program: not called xdpld's" no_hint X attach v0 "$FW/fw_acme.o"
ip -n "$NS" link set dev v0 xdp off

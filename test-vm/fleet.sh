#!/bin/sh
# Two routers at once, managed with Ansible over SSH (contrib/ansible/):
#
#   test-vm/fleet.sh
#
# Boots two x86_64 VMs of $O/image with test-vm/run.sh (scenario
# fleet_node, each with its own VM_DIR under $O/fleet and its own SSH port),
# waits until both say "xdpld-vm: fleet_node: ssh ready", writes an
# inventory for them (r1, r2: 127.0.0.1 and the forwarded ports, root, the
# image's key) and runs contrib/ansible/xdpld.yml against both, the json
# callback's stats read with jq:
#   0. a dry run (-e xdpld_dry_run=true): changed on both (apply would
#      re-link), nothing installed or applied;
#   1. the group's manifest (contrib/ansible/manifests/wan.conf.j2, fw =
#      relink_fw_v2.o uploaded by the role): changed on both; status --json
#      shows slot 1 re-linked (a new program id), the rootlet and the other
#      slots unchanged; apply's JSON says so; an object planted in the
#      role's folder on r1 is removed;
#   2. the same again: changed on none, the ids the same;
#   3. a broken manifest for r2 only (host_vars): r2 fails with the
#      manifest's FILE:LINE, r1 is ok and unchanged, r2's pipeline and
#      /etc/config/xdpld are as they were;
#   4. a manifest for r2 that `xdpld check` passes but `apply` fails on:
#      fw back to the vendor's build on wan0, and a pipeline on lo in mode
#      native (lo has no driver XDP; only the attach finds out).  apply
#      re-links wan0, then fails on lo; the role puts the previous manifest
#      back and applies it (wan0 re-linked again): r2 fails, saying so, and
#      runs the previous manifest;
#   5. the group's manifest again: changed on none.
# Then it tells both guests it is done; each checks what it runs (run.sh's
# "ok - fleet_node").  Prints ok/not ok lines and the wall time; exit 1 on
# any failure.  VM_TIMEOUT (default 600) limits each VM.
set -u
cd "$(dirname "$0")/.." || exit 1
: "${O:=build}"
: "${VM_TIMEOUT:=600}"
t0=$(date +%s)
_passed=0 _failed=0
ok() { echo "ok - $*"; _passed=$((_passed + 1)); }
not_ok() { echo "not ok - $*"; _failed=$((_failed + 1)); }
show() { tail -n 30 "$1" | sed 's/^/    /'; }
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }

for tool in ansible-playbook jq ssh python3 qemu-system-x86_64; do
	command -v "$tool" >/dev/null || { not_ok "$tool not found (scripts/install-deps.sh)"; exit 1; }
done
V2=$O/tests/bpf/relink_fw_v2.o
for f in "$O/image/initramfs.cpio.gz" "$O/image/ssh_key" "$V2"; do
	[ -f "$f" ] || { not_ok "no $f (make image)"; exit 1; }
done
W=$(abs "$O/fleet")
rm -rf "$W" && mkdir -p "$W/inv/group_vars" "$W/inv/host_vars" || exit 1
KEY=$(abs "$O/image/ssh_key")
HOSTS="r1 r2"

# ---- boot both ----
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port_r1=$(free_port)
port_r2=$(free_port)
while [ "$port_r2" = "$port_r1" ]; do port_r2=$(free_port); done
pids=
for h in $HOSTS; do
	eval "port=\$port_$h"
	VM_DIR=$W/vm-$h VM_SSH_PORT=$port VM_TIMEOUT=$VM_TIMEOUT O=$O \
		sh test-vm/run.sh fleet_node </dev/null >"$W/$h.run.out" 2>&1 &
	eval "pid_$h=$!"
	pids="$pids $!"
done
trap 'kill $pids 2>/dev/null; exit 130' INT TERM HUP

# rsh HOST CMD: run CMD on that router as root.
rsh() {
	eval "_port=\$port_$1"; shift
	timeout 60 ssh -i "$KEY" -p "$_port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o BatchMode=yes -o ConnectTimeout=20 -o LogLevel=ERROR root@127.0.0.1 "$@"
}
# wait_ready HOST: until its console says so (300 s; fails when run.sh ends).
wait_ready() {
	eval "_pid=\$pid_$1"
	_i=0
	while ! tr -d '\r' 2>/dev/null <"$W/vm-$1/console.log.raw" | grep -qx 'xdpld-vm: fleet_node: ssh ready'; do
		kill -0 "$_pid" 2>/dev/null || return 1
		[ $_i -ge 1500 ] && return 1
		sleep 0.2; _i=$((_i + 1))
	done
}
ready=1
for h in $HOSTS; do
	if wait_ready "$h"; then
		ok "boot: $h booted, ssh ready on 127.0.0.1:$(eval "echo \$port_$h") after $(($(date +%s) - t0))s"
	else
		not_ok "boot: $h never said 'xdpld-vm: fleet_node: ssh ready'"; ready=
	fi
done

# ids FILE: "rootlet slot0 slot1 slot2 slot3" program ids of wan0.
ids() { jq -r '.interfaces[0] | [.prog_id, .slots[].prog_id] | map(tostring) | join(" ")' "$1" 2>/dev/null; }
# snap HOST TAG: status --json as $W/HOST.TAG.json, /etc/config/xdpld's
# sha256 as $W/HOST.TAG.sha.
snap() {
	rsh "$1" 'xdpld status --json' >"$W/$1.$2.json" 2>"$W/$1.$2.err"
	rsh "$1" 'sha256sum /etc/config/xdpld' 2>&1 | cut -d' ' -f1 >"$W/$1.$2.sha"
}
# play N [ARG...]: the playbook against both (with ARGs), the output of
# the callback test-vm/ansible/fleet_json.py in runN.json.
play() {
	_n=$1; shift
	ANSIBLE_CALLBACK_PLUGINS="$PWD/test-vm/ansible" ANSIBLE_STDOUT_CALLBACK=fleet_json ANSIBLE_NOCOLOR=1 ANSIBLE_HOST_KEY_CHECKING=False \
		ANSIBLE_SSH_CONTROL_PATH_DIR="$W/cp" ANSIBLE_LOCAL_TEMP="$W/tmp" ANSIBLE_RETRY_FILES_ENABLED=0 \
		timeout 300 ansible-playbook -i "$W/inv" contrib/ansible/xdpld.yml "$@" >"$W/run$_n.json" 2>"$W/run$_n.err"
	echo $? >"$W/run$_n.rc"
}
# stat N HOST FIELD: the recap's count (changed, failures, ok, ...).
# (-1 when the run left no JSON)
stat() {
	_v=$(jq -r --arg h "$2" ".stats[\$h].$3 // 0" "$W/run$1.json" 2>/dev/null)
	echo "${_v:--1}"
}
# failmsg N HOST: the message of the task that failed HOST.
failmsg() {
	jq -r --arg h "$2" '[.plays[].tasks[].hosts[$h] | select(. != null and .failed == true) | .msg] | first // ""' \
		"$W/run$1.json" 2>/dev/null
}
# out N HOST TASK: the stdout of that task of the role on HOST.
out() {
	jq -r --arg h "$2" --arg t "xdpld : $3" \
		'[.plays[].tasks[] | select(.task.name == $t) | .hosts[$h].stdout // empty] | first // ""' "$W/run$1.json"
}
recap() { for h in $HOSTS; do printf ' %s: changed=%s failed=%s' "$h" "$(stat "$1" "$h" changed)" "$(stat "$1" "$h" failures)"; done; }

if [ -n "$ready" ]; then
	FWPATH=/usr/lib/xdpld/fleet/fw-$(sha256sum "$V2" | cut -c1-16).o
	SRC=$(abs contrib/ansible/manifests/wan.conf.j2)
	cat >"$W/inv/hosts" <<EOF
[routers]
r1 ansible_host=127.0.0.1 ansible_port=$port_r1
r2 ansible_host=127.0.0.1 ansible_port=$port_r2

[routers:vars]
ansible_user=root
ansible_ssh_private_key_file=$KEY
ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=20'
EOF
	cat >"$W/inv/group_vars/routers.yml" <<EOF
xdpld_manifest: $SRC
xdpld_modules:
  fw: $(abs "$V2")
EOF
	for h in $HOSTS; do snap "$h" 0; done

	# ---- 0. a dry run: changed (would change) on both, nothing changes ----
	play 0 -e xdpld_dry_run=true
	good=1
	for h in $HOSTS; do
		snap "$h" 0b
		a=$(out 0 "$h" 'xdpld apply --dry-run --json')
		[ "$(stat 0 "$h" changed)" -ge 1 ] && [ "$(stat 0 "$h" failures)" = 0 ] &&
			echo "$a" | jq -e '.dry_run == true and .changed == true and
				(.devices[] | select(.device == "wan0") | .action == "relinked")' >/dev/null &&
			[ -n "$(ids "$W/$h.0.json")" ] && [ "$(ids "$W/$h.0b.json")" = "$(ids "$W/$h.0.json")" ] &&
			[ "$(cat "$W/$h.0b.sha")" = "$(cat "$W/$h.0.sha")" ] || good=
	done
	if [ "$(cat "$W/run0.rc")" = 0 ] && [ -n "$good" ]; then
		ok "run 0: -e xdpld_dry_run=true: changed (would re-link wan0) on both; ids and /etc/config/xdpld unchanged"
	else
		not_ok "run 0: a dry run: would change on both, nothing changed (exit $(cat "$W/run0.rc");$(recap 0))"
		for h in $HOSTS; do echo "    $h: $(out 0 "$h" 'xdpld apply --dry-run --json')"; done
		show "$W/run0.err"
	fi

	# ---- 1. the group's manifest: changed on both ----
	# An object no manifest names, in the role's folder: removed by the run.
	rsh r1 'mkdir -p /usr/lib/xdpld/fleet && echo old >/usr/lib/xdpld/fleet/old-0123456789abcdef.o'
	play 1
	for h in $HOSTS; do
		snap "$h" 1
		set -- $(ids "$W/$h.0.json")
		a=$(out 1 "$h" 'xdpld apply --json')
		if [ "$(stat 1 "$h" changed)" -ge 1 ] && [ "$(stat 1 "$h" failures)" = 0 ] && [ $# = 5 ] &&
			jq -e --argjson r "$1" --argjson s0 "$2" --argjson s1 "$3" --argjson s2 "$4" --argjson s3 "$5" \
				--arg p "$FWPATH" '.interfaces[0] | .matches == true and .prog_id == $r and
				.slots[0].prog_id == $s0 and .slots[2].prog_id == $s2 and .slots[3].prog_id == $s3 and
				(.slots[1].prog_id | numbers) != $s1 and .slots[1].path == $p' "$W/$h.1.json" >/dev/null &&
			echo "$a" | jq -e --argjson s1 "$3" '.changed == true and .failed == false and
				(.devices[] | select(.device == "wan0") | .action == "relinked" and
				 (.slots[] | select(.slot == 1) | .action == "relinked" and .prog_id_before == $s1))' >/dev/null; then
			ok "run 1: $h changed: slot 1 (fw) program $3 -> $(jq '.interfaces[0].slots[1].prog_id' "$W/$h.1.json")" \
				"($FWPATH), rootlet $1 and slots 0, 2, 3 unchanged; apply --json: wan0 relinked"
		else
			not_ok "run 1: $h changed, slot 1 re-linked, the rest unchanged (exit $(cat "$W/run1.rc");$(recap 1))"
			echo "    ids before: $*; after: $(ids "$W/$h.1.json")"; echo "    apply said: $a"
			failmsg 1 "$h" | sed 's/^/    /'; show "$W/run1.err"
		fi
	done
	boot=$(sha256sum <policies/xdpld | cut -d' ' -f1)	# the image's /etc/config/xdpld
	prev1=$(rsh r1 'sha256sum /etc/config/xdpld.prev' | cut -d' ' -f1)
	prev2=$(rsh r2 'sha256sum /etc/config/xdpld.prev' | cut -d' ' -f1)
	if [ "$(cat "$W/run1.rc")" = 0 ] && [ "$prev1" = "$boot" ] && [ "$prev2" = "$boot" ] &&
		[ "$(cat "$W/r1.0.sha")" = "$boot" ] && [ "$(cat "$W/r1.1.sha")" != "$boot" ]; then
		ok "run 1: ansible-playbook exit 0; on both the boot's manifest is kept as /etc/config/xdpld.prev"
	else
		not_ok "run 1: ansible-playbook exit $(cat "$W/run1.rc") (0), /etc/config/xdpld.prev is the boot's manifest"
	fi

	left=$(rsh r1 'ls /usr/lib/xdpld/fleet' | tr '\n' ' ')
	if [ "$left" = "${FWPATH##*/} " ] && out 1 r1 'remove the module objects no manifest names any more' |
		grep -qx 'removed /usr/lib/xdpld/fleet/old-0123456789abcdef.o'; then
		ok "run 1: r1's /usr/lib/xdpld/fleet: the object no manifest names was removed, ${FWPATH##*/} kept"
	else
		not_ok "run 1: r1's /usr/lib/xdpld/fleet holds only ${FWPATH##*/} (has: $left)"
	fi

	# ---- 2. the same again: changed on none ----
	play 2
	good=1
	for h in $HOSTS; do
		snap "$h" 2
		[ "$(stat 2 "$h" changed)" = 0 ] && [ "$(stat 2 "$h" failures)" = 0 ] && [ "$(stat 2 "$h" ok)" -ge 1 ] &&
			[ "$(ids "$W/$h.2.json")" = "$(ids "$W/$h.1.json")" ] && [ -n "$(ids "$W/$h.1.json")" ] &&
			[ "$(cat "$W/$h.2.sha")" = "$(cat "$W/$h.1.sha")" ] || good=
	done
	if [ "$(cat "$W/run2.rc")" = 0 ] && [ -n "$good" ]; then
		ok "run 2: the same inputs again: changed on none, the ids the same"
	else
		not_ok "run 2: changed on none (exit $(cat "$W/run2.rc");$(recap 2))"
		for h in $HOSTS; do echo "    $h ids run 1: $(ids "$W/$h.1.json"); run 2: $(ids "$W/$h.2.json")"; done
		jq -r '.plays[].tasks[] | .task.name as $t | .hosts | to_entries[] | select(.value.changed == true) |
			"    changed: \(.key): \($t)"' "$W/run2.json" 2>/dev/null
	fi

	# ---- 3. a broken manifest for r2 only ----
	# The line after `config module 'fw'` becomes an option xdpld does not know.
	line=$(($(grep -n "^config module 'fw'" "$SRC" | cut -d: -f1) + 1))
	sed "${line}i\\	option colour 'blue'" "$SRC" >"$W/broken.conf.j2"
	echo "xdpld_manifest: $W/broken.conf.j2" >"$W/inv/host_vars/r2.yml"
	play 3
	for h in $HOSTS; do snap "$h" 3; done
	msg=$(failmsg 3 r2)
	if [ "$(cat "$W/run3.rc")" != 0 ] && [ "$(stat 3 r2 failures)" = 1 ] &&
		echo "$msg" | grep -q "/tmp/xdpld-fleet/xdpld.new:$line: .*colour" &&
		[ "$(ids "$W/r2.3.json")" = "$(ids "$W/r2.2.json")" ] && [ "$(cat "$W/r2.3.sha")" = "$(cat "$W/r2.2.sha")" ]; then
		ok "run 3: r2's broken manifest: r2 failed: $msg"
		ok "run 3: r2 still runs what it ran (ids $(ids "$W/r2.3.json")), /etc/config/xdpld unchanged"
	else
		not_ok "run 3: r2 fails naming xdpld.new:$line, nothing changed (exit $(cat "$W/run3.rc");$(recap 3))"
		echo "    r2 said: $msg"; echo "    ids before: $(ids "$W/r2.2.json"); after: $(ids "$W/r2.3.json")"
		show "$W/run3.err"
	fi
	if [ "$(stat 3 r1 failures)" = 0 ] && [ "$(stat 3 r1 changed)" = 0 ] && [ "$(stat 3 r1 ok)" -ge 1 ] &&
		[ "$(ids "$W/r1.3.json")" = "$(ids "$W/r1.2.json")" ]; then
		ok "run 3: r1 ok and unchanged"
	else
		not_ok "run 3: r1 ok and unchanged ($(recap 3))"
	fi

	# ---- 4. check passes, apply fails on r2: rolled back ----
	# fw back to the vendor's build (wan0 is re-linked first), and lo in
	# mode native, which only the attach refuses (lo has no driver XDP).
	sed "s|{{ xdpld_objects.fw }}|/usr/lib/xdpld/fw_acme.o|" "$SRC" >"$W/lo_native.conf.j2"
	printf "\nconfig pipeline 'loopback'\n\toption device 'lo'\n\toption mode 'native'\n\tlist module 'sampler'\n" \
		>>"$W/lo_native.conf.j2"
	echo "xdpld_manifest: $W/lo_native.conf.j2" >"$W/inv/host_vars/r2.yml"
	play 4
	for h in $HOSTS; do snap "$h" 4; done
	msg=$(failmsg 4 r2)
	a=$(out 4 r2 'xdpld apply --json')
	b=$(out 4 r2 'put the previous manifest back and apply it')
	# slot1 JSON: wan0's slot 1 "before after" ids in apply's JSON.
	slot1() { echo "$1" | jq -r '.devices[] | select(.device == "wan0" and .action == "relinked") |
		.slots[1] | select(.action == "relinked") | "\(.prog_id_before) \(.prog_id_after)"' 2>/dev/null; }
	s1=$(jq '.interfaces[0].slots[1].prog_id' "$W/r2.3.json")
	set -- $(slot1 "$a") $(slot1 "$b")
	if [ "$(cat "$W/run4.rc")" != 0 ] && [ "$(stat 4 r2 failures)" = 1 ] &&
		out 4 r2 'xdpld check' | grep -q 'check out' &&
		echo "$a" | jq -e '.failed == true and .changed == true' >/dev/null && echo "$msg" | grep -q 'rolled back' &&
		echo "$msg" | grep -q "/etc/config/xdpld:[0-9]*: pipeline 'loopback' (device lo)" &&
		echo "$b" | jq -e '.failed == false and .changed == true' >/dev/null &&
		[ $# = 4 ] && [ "$1" = "$s1" ] && [ "$3" = "$2" ] && [ "$4" = "$(jq '.interfaces[0].slots[1].prog_id' "$W/r2.4.json")" ]; then
		ok "run 4: r2: check passed, apply failed after re-linking wan0's fw ($1 -> $2): $(echo "$a" | jq -r .msg)"
		ok "run 4: r2 rolled back: the previous manifest applied again (fw $3 -> $4); r2 failed: ${msg%%;*}"
	else
		not_ok "run 4: r2 rolled back after a failed apply (exit $(cat "$W/run4.rc");$(recap 4))"
		echo "    r2 said: $msg"; echo "    apply: $a"; echo "    roll back: $b"; show "$W/run4.err"
	fi
	set -- $(ids "$W/r2.0.json")
	if [ "$(cat "$W/r2.4.sha")" = "$(cat "$W/r2.2.sha")" ] &&
		jq -e --argjson r "${1:-null}" --arg p "$FWPATH" '.interfaces | length == 1 and (.[0] |
			.iface == "wan0" and .matches == true and .prog_id == $r and .slots[1].path == $p)' \
			"$W/r2.4.json" >/dev/null && ! rsh r2 'ip link show lo' | grep -q xdp; then
		ok "run 4: r2's /etc/config/xdpld is the previous manifest again and runs (fw $FWPATH, rootlet $1; lo runs no XDP)"
	else
		not_ok "run 4: r2's previous manifest is back and runs"; show "$W/r2.4.json"
	fi
	if [ "$(stat 4 r1 failures)" = 0 ] && [ "$(stat 4 r1 changed)" = 0 ] && [ "$(stat 4 r1 ok)" -ge 1 ]; then
		ok "run 4: r1 ok and unchanged"
	else
		not_ok "run 4: r1 ok and unchanged ($(recap 4))"
	fi

	# ---- 5. the group's manifest again ----
	rm -f "$W/inv/host_vars/r2.yml"
	play 5
	for h in $HOSTS; do snap "$h" 5; done
	if [ "$(cat "$W/run5.rc")" = 0 ] && [ "$(stat 5 r1 changed)" = 0 ] && [ "$(stat 5 r2 changed)" = 0 ] &&
		[ "$(stat 5 r1 ok)" -ge 1 ] && [ "$(stat 5 r2 ok)" -ge 1 ] &&
		[ "$(ids "$W/r2.5.json")" = "$(ids "$W/r2.4.json")" ]; then
		ok "run 5: the group's manifest again: changed on none"
	else
		not_ok "run 5: the group's manifest again: changed on none (exit $(cat "$W/run5.rc");$(recap 5))"
	fi
fi

# ---- tell both guests, collect run.sh's results ----
for h in $HOSTS; do
	echo "$_passed passed, $_failed failed" | rsh "$h" \
		'cat > /tmp/host-fleet_node.tmp && mv /tmp/host-fleet_node.tmp /tmp/host-fleet_node.done' 2>/dev/null
done
for h in $HOSTS; do
	eval "pid=\$pid_$h"
	wait "$pid"
	rc=$?
	sed -E "s/^(not )?ok - /&$h: /; /^(not )?ok - /!s/^/    /" "$W/$h.run.out"
	grep -qx 'ok - fleet_node' "$W/$h.run.out" && [ "$rc" = 0 ] || _failed=$((_failed + 1))
done
echo "test-vm: fleet of 2 VMs: $_passed passed, $_failed failed in $(($(date +%s) - t0))s wall time"
[ "$_failed" = 0 ]

#!/bin/sh
# Host side of the VM scenario ssh_manage (test-vm/run.sh starts it with
# the VM; protocol in test-vm/host/lib.sh): what an operator or a fleet
# tool does with a router over SSH, from this machine, through the VM's
# management NIC.  Download the manifest, point module fw at another build,
# upload it, `xdpld check -c`, `apply --dry-run`, `apply -c`, and compare
# `xdpld status --json` before and after with jq: slot 1 re-linked (a new
# program id), the rootlet and slots 0, 2, 3 unchanged.  A broken manifest
# is refused by check (FILE:LINE, exit 1) and by apply, changing nothing.
# Finally `xdpld apply` of the router's own /etc/config/xdpld puts back
# what the boot applied.
. "$(dirname "$0")/lib.sh"
V2=/usr/lib/xdpld-test/relink_fw_v2.o
V1=/usr/lib/xdpld/fw_acme.o

# status_ok FILE: a schema-1 status of wan0 running the manifest's pipeline.
status_ok() {
	jq -e '.version == 1 and (.interfaces | length) == 1 and (.interfaces[0] |
		.iface == "wan0" and .matches == true and .managed == true and .pipeline == "wan" and
		([.slots[].module] == ["sampler", "fw", "ddos", "lb"]) and
		([.slots[].prog_id | numbers] | length) == 4)' "$1" >/dev/null
}
# ids FILE: "rootlet slot0 slot1 slot2 slot3" program ids.
ids() { jq -r '.interfaces[0] | [.prog_id, .slots[].prog_id] | map(tostring) | join(" ")' "$1"; }

if ! wait_ready; then
	not_ok "the guest never said 'xdpld-vm: ssh_manage: ssh ready' (VM stopped or timed out)"
	exit 1
fi

# ---- log in ----
if vm_ssh 'id -u; command -v xdpld' >login.out 2>&1 && [ "$(cat login.out)" = "0
/usr/sbin/xdpld" ]; then
	ok "ssh root@127.0.0.1 -p $VM_SSH_PORT with the image's key runs commands as root"
else
	not_ok "ssh root@127.0.0.1 -p $VM_SSH_PORT with the image's key"; show login.out
	host_done; exit 1
fi

# ---- status before ----
if vm_ssh 'xdpld status --json' >before.json 2>status.err && status_ok before.json; then
	ok "status --json over SSH (jq): schema 1, wan0 runs the manifest's pipeline 'wan' (ids $(ids before.json))"
else
	not_ok "status --json over SSH before the change"; show before.json; show status.err
fi

# ---- download, edit, upload ----
vm_ssh 'cat /etc/config/xdpld' >xdpld.conf 2>&1
sed "/^config module 'fw'/,/^config / s|^\([[:space:]]*option object \).*|\1'$V2'|" xdpld.conf >new.conf
if grep -q "^config pipeline 'wan'" xdpld.conf && [ "$(diff xdpld.conf new.conf | grep -c '^[<>]')" = 2 ] &&
	grep -q "option object '$V2'" new.conf &&
	vm_ssh 'cat > /tmp/new.conf' <new.conf &&
	[ "$(vm_ssh 'sha256sum /tmp/new.conf' | cut -d' ' -f1)" = "$(sha256sum <new.conf | cut -d' ' -f1)" ]; then
	ok "downloaded /etc/config/xdpld, pointed module fw at $V2, uploaded it as /tmp/new.conf"
else
	not_ok "download, edit and upload the manifest"; show xdpld.conf; diff xdpld.conf new.conf
fi

# ---- check, dry run, apply ----
vm_ssh 'xdpld check -c /tmp/new.conf' >check.out 2>&1
rc=$?
if [ $rc = 0 ] && grep -qx '/tmp/new.conf: 1 pipeline(s) on 1 device(s) check out' check.out; then
	ok "xdpld check -c /tmp/new.conf: exit 0, checks out"
else
	not_ok "xdpld check -c /tmp/new.conf (exit $rc)"; show check.out
fi
vm_ssh 'xdpld apply -c /tmp/new.conf --dry-run' >dry.out 2>&1
rc=$?
if [ $rc = 0 ] && [ "$(cat dry.out)" = "wan0: relink slot 1 (fw): $V2:xdp_firewall" ]; then
	ok "xdpld apply --dry-run: $(cat dry.out)"
else
	not_ok "xdpld apply -c /tmp/new.conf --dry-run (exit $rc)"; show dry.out
fi
vm_ssh 'xdpld apply -c /tmp/new.conf' >apply.out 2>&1
rc=$?
if [ $rc = 0 ]; then
	ok "xdpld apply -c /tmp/new.conf: exit 0"
else
	not_ok "xdpld apply -c /tmp/new.conf (exit $rc)"; show apply.out
fi

# ---- status after: slot 1 re-linked, everything else as it was ----
vm_ssh 'xdpld status --json' >after.json 2>status.err
set -- $(ids before.json)
b_root=${1:-} b0=${2:-} b1=${3:-} b2=${4:-} b3=${5:-}
if status_ok after.json &&
	jq -e --argjson r "${b_root:-null}" --argjson s0 "${b0:-null}" --argjson s1 "${b1:-null}" \
		--argjson s2 "${b2:-null}" --argjson s3 "${b3:-null}" --arg v2 "$V2" '.interfaces[0] |
		.prog_id == $r and .kernel.prog_id == $r and
		.slots[0].prog_id == $s0 and .slots[2].prog_id == $s2 and .slots[3].prog_id == $s3 and
		.slots[1].prog_id != $s1 and .slots[1].path == $v2' after.json >/dev/null; then
	ok "status --json after apply: slot 1 (fw) program $b1 -> $(jq '.interfaces[0].slots[1].prog_id' after.json)," \
		"rootlet $b_root and slots 0, 2, 3 ($b0 $b2 $b3) unchanged"
else
	not_ok "status --json after apply: slot 1 re-linked, the rest unchanged (before: $(ids before.json))"
	show after.json; show status.err
fi
r1=$(jq '.interfaces[0].slots[1].relinks' before.json 2>/dev/null)
r2=$(jq '.interfaces[0].slots[1].relinks' after.json 2>/dev/null)
if [ -n "$r1" ] && [ "$r2" = $((r1 + 1)) ]; then
	ok "slot 1 counts one more re-link ($r1 -> $r2)"
else
	not_ok "slot 1 re-links: $r1 before, $r2 after"
fi

# ---- a broken manifest: refused, nothing changes ----
# The line after `config module 'fw'` becomes an option the schema does not know.
line=$(($(grep -n "^config module 'fw'" new.conf | cut -d: -f1) + 1))
sed "${line}i\\	option colour 'blue'" new.conf >broken.conf
vm_ssh 'cat > /tmp/broken.conf' <broken.conf
vm_ssh 'xdpld check -c /tmp/broken.conf' >bcheck.out 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "^xdpld: error: /tmp/broken.conf:$line: .*colour" bcheck.out; then
	ok "a broken manifest: xdpld check exits 1 naming /tmp/broken.conf:$line: $(head -n 1 bcheck.out)"
else
	not_ok "a broken manifest: xdpld check (exit $rc, want 1 and /tmp/broken.conf:$line)"; show bcheck.out
fi
vm_ssh 'xdpld apply -c /tmp/broken.conf' >bapply.out 2>&1
rc=$?
vm_ssh 'xdpld status --json' >broken.json 2>status.err
if [ $rc = 1 ] && grep -q "/tmp/broken.conf:$line: " bapply.out && status_ok broken.json &&
	[ "$(ids broken.json)" = "$(ids after.json)" ] &&
	[ "$(jq -c '.interfaces[0].slots | map([.path, .relinks])' broken.json)" = \
		"$(jq -c '.interfaces[0].slots | map([.path, .relinks])' after.json)" ]; then
	ok "xdpld apply of it exits 1 too, and nothing changed (ids $(ids broken.json))"
else
	not_ok "apply of the broken manifest (exit $rc, want 1) changed nothing"
	show bapply.out; echo "ids before: $(ids after.json), after: $(ids broken.json)"
fi

# ---- back to the router's own manifest ----
vm_ssh 'xdpld apply' >restore.out 2>&1
rc=$?
vm_ssh 'xdpld status --json' >restored.json 2>status.err
if [ $rc = 0 ] && status_ok restored.json &&
	jq -e --argjson r "${b_root:-null}" --arg v1 "$V1" \
		'.interfaces[0] | .prog_id == $r and .slots[1].path == $v1' restored.json >/dev/null; then
	ok "xdpld apply (/etc/config/xdpld) re-links fw back to $V1, rootlet $b_root kept"
else
	not_ok "xdpld apply of /etc/config/xdpld (exit $rc)"; show restore.out; show restored.json
fi

host_done

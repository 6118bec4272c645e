# Helpers for the host side of a VM scenario, test-vm/host/NAME.sh, which
# test-vm/run.sh starts on this machine together with the VM:
#   . test-vm/host/lib.sh
# It talks to the guest over SSH only (the management NIC's forward).
# Environment from run.sh: VM_CONSOLE (the console log being written),
# VM_PID (the qemu process; gone = the VM stopped), VM_SSH_PORT, VM_SSH_KEY,
# VM_WORK (a fresh folder, the current one), O; the paths are absolute.
#
# Protocol: the guest scenario prints "xdpld-vm: NAME: ssh ready" on the
# console (guest lib.sh: host_side) and waits for /tmp/host-NAME.done;
# the host side waits for that line (wait_ready), runs its checks, printing
# "ok - NAME: ..."/"not ok - NAME: ..." lines, and ends with host_done,
# which writes its totals into /tmp/host-NAME.done over SSH.  run.sh counts
# the lines (none printed is a failure, too).
set -u
HOST_NAME=$(basename "$0" .sh)
: "${VM_WORK:=$(mktemp -d)}"
rm -rf "$VM_WORK" && mkdir -p "$VM_WORK" || exit 1
cd "$VM_WORK" || exit 1
_passed=0 _failed=0

ok() { echo "ok - $HOST_NAME: $*"; _passed=$((_passed + 1)); }
not_ok() { echo "not ok - $HOST_NAME: $*"; _failed=$((_failed + 1)); }
# show FILE: a file's content under a failed check (run.sh indents it).
show() { tail -n 30 "$1"; }

# vm_ssh CMD...: run a command on the VM as root (exit status: the remote
# command's, 255 for SSH's own errors); stdin goes to the remote command.
vm_ssh() {
	timeout 60 ssh -i "$VM_SSH_KEY" -p "$VM_SSH_PORT" -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o BatchMode=yes -o ConnectTimeout=20 \
		-o LogLevel=ERROR root@127.0.0.1 "$@"
}

# wait_ready [SECONDS]: until the guest scenario's marker is on the
# console; fails when the VM stops or after SECONDS (default 540).
wait_ready() {
	_i=0
	while ! { [ -f "$VM_CONSOLE" ] && tr -d '\r' <"$VM_CONSOLE" | grep -qx "xdpld-vm: $HOST_NAME: ssh ready"; }; do
		kill -0 "$VM_PID" 2>/dev/null || return 1
		[ $_i -ge $((${1:-540} * 5)) ] && return 1
		sleep 0.2; _i=$((_i + 1))
	done
}

# host_done: tell the guest scenario the host side finished, and how.
host_done() {
	echo "$_passed passed, $_failed failed" | vm_ssh "cat > /tmp/host-$HOST_NAME.tmp && mv /tmp/host-$HOST_NAME.tmp /tmp/host-$HOST_NAME.done" ||
		not_ok "telling the guest the host side is done (ssh exit $?)"
	[ "$_failed" = 0 ]
}

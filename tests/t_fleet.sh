#!/bin/sh
# Fleet management (issue 21): two firmware images booted at once under
# qemu, driven together with contrib/ansible's playbook over SSH by
# test-vm/fleet.sh: changed on both, then on none; a broken manifest for one
# router fails that router only, naming FILE:LINE, and changes nothing on
# it; a failed apply is rolled back to the previous manifest.  One ok/not ok
# per check.  Missing ansible-playbook, jq or qemu is a failure, never a
# skip: scripts/install-deps.sh installs them.
. tests/lib.sh

for tool in ansible-playbook jq qemu-system-x86_64; do
	command -v "$tool" >/dev/null || { not_ok "fleet: $tool not found (scripts/install-deps.sh)"; exit 0; }
done
if ! ls /boot/vmlinuz-*-amd64 >/dev/null 2>&1; then
	not_ok "fleet: no /boot/vmlinuz-*-amd64 (install linux-image-amd64)"; exit 0
fi
check "fleet: make image" make --no-print-directory -s O="$O" image
[ -f "$O/image/initramfs.cpio.gz" ] || exit 0

sh test-vm/fleet.sh >"$TMP/fleet.out" 2>&1
vm_report "$TMP/fleet.out" $? fleet

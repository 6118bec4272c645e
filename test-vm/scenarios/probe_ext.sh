#!/bin/sh
# The VM kernel loads BPF extension (freplace) programs: an EXT program
# replaces a global function of a loaded XDP program, BPF_PROG_TEST_RUN of
# the target returns the extension's verdict, and the old one after detach.
# (The host kernel refuses EXT programs, so this only runs here.)
set -e
. "$TESTDIR/lib.sh"
[ -f /sys/kernel/btf/vmlinux ] || skip "needs kernel BTF for EXT programs (kernel has no BTF)"
"$TESTDIR/probe_ext" "$TESTDIR/ext_target.o" "$TESTDIR/ext_replace.o"

#!/bin/sh
# The static musl xdpld in the image runs on the router kernel.
set -e
"$XDPLD" --help | grep -q '^usage: xdpld'
echo "xdpld --help works"
# Unknown commands fail with a message, not a crash.
if "$XDPLD" no-such-command 2>err; then echo "unknown command succeeded"; exit 1; fi
grep -q "unknown command 'no-such-command'" err
# inspect of a shipped vendor object.
for o in "$FW"/*.o; do
	[ -f "$o" ] || { echo "no vendor objects in $FW"; exit 1; }
done
"$XDPLD" inspect "$FW/fw_acme.o" >inspect.out 2>&1 || {
	cat inspect.out; echo "xdpld inspect $FW/fw_acme.o failed"; exit 1; }
grep -q . inspect.out
echo "xdpld inspect $FW/fw_acme.o works"

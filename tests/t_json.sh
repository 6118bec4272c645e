#!/bin/sh
# One JSON writer: names read from objects (here a section called "xdp/café"
# in UTF-8) come out escaped as \u00XX in every --json output, which stays
# valid JSON, and the value decodes back to the same bytes.
. tests/lib.sh

O_J=$TBPF/json_names.o
valid() { "$@" >"$TMP/j.json" && python3 -m json.tool "$TMP/j.json" >/dev/null; }
# the section's bytes are escaped one by one, and read back as U+00C3 U+00A9
escaped() { "$@" | grep -q 'xdp/caf\\u00c3\\u00a9'; }

check "inspect --json of a non-ASCII section name is valid JSON" valid "$XDPLD" inspect --json "$O_J"
check "inspect --json escapes its bytes" escaped "$XDPLD" inspect --json "$O_J"
check "verify --json of a non-ASCII section name is valid JSON" valid "$XDPLD" verify --json "$O_J"
check "verify --json escapes its bytes" escaped "$XDPLD" verify --json "$O_J"
check "verify --json: jq reads the section back" sh -c \
	"'$XDPLD' verify --json '$O_J' | jq -e '.programs[0].section | explode == [120,100,112,47,99,97,102,195,169]'"

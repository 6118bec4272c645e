#!/bin/sh
# What a fresh machine needs: the package lists by purpose
# (scripts/install-deps.sh) and the source-package fetch with its fallback
# (scripts/fetch-source.sh), which the static builds and images rely on.
. tests/lib.sh

DEPS=scripts/install-deps.sh
$DEPS demo --list >"$TMP/demo" && $DEPS check --list >"$TMP/check" &&
	$DEPS bench --list >"$TMP/bench" || not_ok "install-deps --list"

# ---- package sets by purpose ----
check "demo installs no cross compiler, qemu or gnuplot" \
	sh -c "! grep -E '^(gcc-.*-linux-gnu|binutils-.*-linux-gnu|qemu-|gnuplot|musl-dev:|linux-image-)' '$TMP/demo'"
for p in clang libbpf-dev libelf-dev libnl-route-3-dev iproute2 jq; do
	check "demo installs $p" grep -qx "$p" "$TMP/demo"
done
# The cross gcc only Recommends its UAPI headers: they must be named.
for a in arm64 mipsel armhf; do
	check "check installs linux-libc-dev-$a-cross and musl-dev:$a" \
		sh -c "grep -qx 'linux-libc-dev-$a-cross' '$TMP/check' && grep -qx 'musl-dev:$a' '$TMP/check'"
done
check "check installs everything demo and bench install" \
	sh -c "sort -u '$TMP/demo' '$TMP/bench' | comm -23 - '$TMP/check' | { ! grep .; }"
check "every package check names is installed (make check ran it)" \
	sh -c "for p in \$(cat '$TMP/check'); do dpkg-query -W -f='\${Status}\n' \"\$p\" 2>/dev/null | grep -q 'install ok installed' || { echo \"\$p missing\"; exit 1; }; done"
check_fails "an unknown purpose is refused, naming it" "unknown purpose 'router'" $DEPS router

# ---- a mirror mid-sync: apt-get update fails, install-deps tries again ----
# Fake apt-get, dpkg-query and dpkg first in PATH: nothing is installed,
# update fails FAILS times, install records what it was asked for.
mkdir -p "$TMP/fakebin"
cat >"$TMP/fakebin/apt-get" <<'F'
#!/bin/sh
case " $* " in
*" update "*)
	n=$(cat "$FAKE/updates" 2>/dev/null || echo 0); echo $((n + 1)) >"$FAKE/updates"
	[ "$n" -ge "$FAILS" ] || { echo "E: File has unexpected size (1 != 2). Mirror sync in progress?" >&2; exit 100; } ;;
*" install "*) echo "$*" >"$FAKE/installed" ;;
esac
F
printf '#!/bin/sh\nexit 1\n' >"$TMP/fakebin/dpkg-query"
printf '#!/bin/sh\nexit 0\n' >"$TMP/fakebin/dpkg"
chmod +x "$TMP/fakebin/"*
fake_deps() {
	rm -f "$TMP/updates" "$TMP/installed"
	env PATH="$TMP/fakebin:$PATH" FAKE="$TMP" FAILS="$1" DEPS_RETRY_WAIT=0 $DEPS build
}
check_out "apt-get update failing twice (mirror sync): tried again, then installed" \
	"apt-get update failed; trying again" fake_deps 2
check "mirror sync: three updates, then the install ran" \
	sh -c "[ \$(cat '$TMP/updates') = 3 ] && grep -q ' clang ' '$TMP/installed'"
check_out "update failing every time: goes on with the lists apt has" \
	"apt-get update failed 3 times; going on with the package lists apt has" fake_deps 9
check "mirror sync for good: the install still runs" grep -q ' libelf-dev ' "$TMP/installed"

# ---- source packages: the fallback when the first choice is missing ----
FETCH=scripts/fetch-source.sh
DEPS_SRC_VERSIONS="zlib=0.0-missing" sh $FETCH "$TMP/c1" zlib >"$TMP/f1" 2>&1
rc=$?
taken=$(sed -n 's/^zlib \([^ ]*\) (fallback.*/\1/p' "$TMP/c1/src/SOURCES" 2>/dev/null)
check "first choice zlib=0.0-missing fails: apt's reason is shown" \
	grep -q "zlib 0.0-missing: not available (Can not find version" "$TMP/f1"
check "the fallback is taken and named (exit $rc, took '$taken')" \
	sh -c "[ $rc = 0 ] && [ -n '$taken' ] && grep -q 'zlib: took $taken (fallback: first choice 0.0-missing not available)' '$TMP/f1'"
check "the fallback's upstream tarball is there" sh -c "ls '$TMP/c1/src'/zlib_*.orig.tar.*"
check "cache/src/SOURCES records it" \
	grep -qx "zlib $taken (fallback: first choice 0.0-missing not available)" "$TMP/c1/src/SOURCES"
if [ -n "$taken" ]; then
	DEPS_SRC_VERSIONS="zlib=$taken" sh $FETCH "$TMP/c2" zlib >"$TMP/f2" 2>&1
	check "a pinned version that exists is the first choice" \
		grep -qx "zlib $taken (first choice)" "$TMP/c2/src/SOURCES"
fi
check "a fetched package is not fetched again" \
	sh -c "sh $FETCH '$TMP/c1' zlib 2>&1 | { ! grep .; }"
mkdir -p "$TMP/nosrc"
check_fails "nothing to fetch from: the build refuses, naming the package" \
	"no source of zlib could be fetched \(tried:" \
	env DEPS_APT_SOURCES="$TMP/nosrc" DEPS_SRC_VERSIONS="zlib=0.0-missing" sh $FETCH "$TMP/c3" zlib
check "and leaves no partial source behind" sh -c "! ls '$TMP/c3/src'/zlib_* 2>/dev/null"

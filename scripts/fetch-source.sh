#!/bin/sh
# Fetch Debian source packages into a folder, with a private apt
# configuration (the system's apt setup is never touched):
#
#   scripts/fetch-source.sh CACHE PKG...
#
# Sources land in CACHE/src, apt's state in CACHE/apt.  A package whose
# upstream tarball is already in CACHE/src is not fetched again.
#
# A source package can be listed by one suite and missing from its pool
# (seen: bookworm-security lists zlib 1:1.2.13.dfsg-1+deb12u1, its files
# answer 404).  So each package is fetched as the first choice (the version
# pinned in DEPS_SRC_VERSIONS, else apt's candidate) and, when that fails,
# as each other version the archive lists, newest first.  The version taken
# and why is printed and recorded in CACHE/src/SOURCES.  When no version
# can be fetched the script fails naming the package and what it tried.
#
# DEPS_SRC_VERSIONS="PKG=VERSION ..."  first choice per package (pinning)
# DEPS_APT_SOURCES=DIR                 deb822/.list files to use instead of
#                                      the system's deb lines (turned deb-src)
set -eu
CACHE=${1:?usage: fetch-source.sh CACHE PKG...}
shift
SRC=$CACHE/src
apt_dir=$CACHE/apt
log() { echo "fetch-source: $*" >&2; }

mkdir -p "$SRC" "$apt_dir/sources.list.d" "$apt_dir/lists/partial"
need=""
for p in "$@"; do
	ls "$SRC/${p}"_*.orig.tar.* >/dev/null 2>&1 || need="$need $p"
done
[ -z "$need" ] && exit 0

# deb-src lines from the system's (or DEPS_APT_SOURCES') deb lines.
sources_from=${DEPS_APT_SOURCES:-/etc/apt}
rm -f "$apt_dir/sources.list.d"/*
for f in "$sources_from"/sources.list.d/*.sources "$sources_from"/*.sources; do
	[ -f "$f" ] || continue
	sed 's/^Types:.*/Types: deb-src/' "$f" >"$apt_dir/sources.list.d/$(basename "$f")"
done
for f in "$sources_from"/sources.list "$sources_from"/sources.list.d/*.list "$sources_from"/*.list; do
	[ -f "$f" ] || continue
	grep -h '^deb ' "$f" | sed 's/^deb /deb-src /' >>"$apt_dir/sources.list.d/debian-src.list" || true
done
set -- -o Dir::Etc::SourceList=/dev/null \
	-o Dir::Etc::SourceParts="$apt_dir/sources.list.d" \
	-o Dir::State::Lists="$apt_dir/lists" \
	-o APT::Sandbox::User=root
log "updating the source package lists"
apt-get "$@" -qq update || log "apt-get update reported errors (going on with what it got)"

# versions PKG: every version the lists know, newest first.
versions() {
	vs=$(apt-cache "$@" showsrc "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | sort -u)
	sorted=""
	for v in $vs; do
		out="" placed=0
		for s in $sorted; do
			if [ $placed = 0 ] && dpkg --compare-versions "$v" gt "$s"; then
				out="$out $v"; placed=1
			fi
			out="$out $s"
		done
		[ $placed = 0 ] && out="$out $v"
		sorted=$out
	done
	echo $sorted
}

for pkg in $need; do
	pinned=""
	for pv in ${DEPS_SRC_VERSIONS:-}; do
		case $pv in "$pkg="*) pinned=${pv#*=} ;; esac
	done
	all=$(versions "$@")
	first=${pinned:-$(echo "$all" | cut -d' ' -f1)}
	tried=""
	taken=""
	for v in $first $all; do
		case " $tried " in *" $v "*) continue ;; esac
		tried="$tried $v"
		rm -f "$SRC/${pkg}"_*
		if (cd "$SRC" && apt-get "$@" -qq source --download-only "$pkg=$v") \
			>"$SRC/$pkg.fetch.log" 2>&1; then
			taken=$v
			break
		fi
		log "$pkg $v: not available ($(grep -m1 -oE '[0-9]{3} +[A-Za-z ]+|Can not find[^]]*|Unable to find[^]]*' "$SRC/$pkg.fetch.log" || echo 'apt-get source failed'))"
	done
	if [ -z "$taken" ]; then
		log "no source of $pkg could be fetched (tried:${tried:- nothing: no deb-src version listed})"
		rm -f "$SRC/${pkg}"_*
		exit 1
	fi
	rm -f "$SRC/$pkg.fetch.log"
	if [ "$taken" = "$first" ]; then why="first choice"
	else why="fallback: first choice $first not available"; fi
	log "$pkg: took $taken ($why)"
	grep -v "^$pkg " "$SRC/SOURCES" >"$SRC/SOURCES.new" 2>/dev/null || true
	echo "$pkg $taken ($why)" >>"$SRC/SOURCES.new"
	mv "$SRC/SOURCES.new" "$SRC/SOURCES"
done

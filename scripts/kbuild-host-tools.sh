#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make the kbuild host programs of a fetched Debian 13 kernel build tree
# (scripts/fetch-trixie.sh --extract) runnable on this host. Trixie's
# linux-kbuild-6.12 is linked against glibc 2.41: modpost.real-lsb-64,
# objtool.real-x86 and resolve_btfids need GLIBC_2.38, which Debian 12
# (glibc 2.36) does not have. When any program there needs a newer glibc
# than the host's, this builds them from the matching linux-source-6.12
# (make modules_prepare in a scratch tree under DIR/hosttools, niced, -j1)
# and puts the host builds in their place. Nothing happens on a host whose
# glibc is new enough (Debian 13 itself). Idempotent (stamp file).
#
# Usage: scripts/kbuild-host-tools.sh [--check] DIR
#   DIR      the fetch directory (default build/debian13): DIR/versions,
#            DIR/root/usr/lib/linux-kbuild-<abi>, DIR/root/usr/src/linux-source-6.12.tar.xz
#   --check  only report which programs cannot run here (exit 1 if any)
# Exit codes: 0 the programs run here; 1 some do not (--check) or the build
#   failed; 2 usage error; 3 DIR is not a fetched and extracted tree.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
die() { # die CODE MESSAGE
	local code=$1
	shift
	echo "kbuild-host-tools: error: $*" >&2
	exit "$code"
}

CHECK=0
case "${1:-}" in
-h | --help)
	sed -n '4,19p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
--check)
	CHECK=1
	shift
	;;
-*) die 2 "unknown option '$1' (try --help)" ;;
esac
[ $# -le 1 ] || die 2 "usage: $0 [--check] DIR"
DIR=${1:-$TOP/build/debian13}
[ -f "$DIR/versions" ] || die 3 "$DIR/versions missing: run scripts/fetch-trixie.sh --extract first"
DIR=$(cd "$DIR" && pwd)
# shellcheck source=/dev/null
. "$DIR/versions"
KBUILD=$DIR/root/usr/lib/linux-kbuild-$DEB13_ABI
KHDR=$DIR/root/usr/src/linux-headers-$DEB13_KRELEASE
TARBALL=$DIR/root/usr/src/$DEB13_SOURCE.tar.xz
[ -d "$KBUILD" ] && [ -f "$KHDR/.config" ] && [ -f "$TARBALL" ] ||
	die 3 "$DIR/root is not extracted (no $KBUILD, $KHDR/.config or $TARBALL): run scripts/fetch-trixie.sh --extract"

# The highest GLIBC_x.y symbol version an ELF file needs ("" if none).
glibc_needed() {
	objdump -T "$1" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1
}
host_glibc=$(getconf GNU_LIBC_VERSION | awk '{print $2}')
newer() { # newer A B: A > B as versions
	[ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -1)" = "$1" ]
}

stamp=$KBUILD/.xot-host-tools
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$DEB13_KVERSION glibc-$host_glibc" ]; then
	[ "$CHECK" = 1 ] && echo "kbuild-host-tools: host builds in place ($(cat "$stamp"))"
	exit 0
fi

bad=()
while IFS= read -r f; do
	head -c4 "$f" | grep -q 'ELF' || continue
	need=$(glibc_needed "$f")
	[ -n "$need" ] && newer "$need" "$host_glibc" && bad+=("${f#"$KBUILD"/}:GLIBC_$need")
done < <(find "$KBUILD" -type f -perm -u+x)
if [ ${#bad[@]} -eq 0 ]; then
	echo "kbuild-host-tools: every program of $KBUILD runs with glibc $host_glibc"
	exit 0
fi
echo "kbuild-host-tools: need a newer glibc than $host_glibc: ${bad[*]}"
[ "$CHECK" = 0 ] || exit 1

# Scratch build of the host programs from the same kernel's source.
HT=$DIR/hosttools
SRC=$HT/src
OUT=$HT/out
if [ ! -f "$SRC/.xot-extracted" ] || [ "$(cat "$SRC/.xot-extracted")" != "$DEB13_SOURCE_VERSION" ]; then
	echo "kbuild-host-tools: extracting $TARBALL"
	rm -rf "$SRC"
	mkdir -p "$SRC"
	nice -n 19 tar -xJf "$TARBALL" -C "$SRC" --strip-components=1 ||
		die 1 "cannot extract $TARBALL"
	echo "$DEB13_SOURCE_VERSION" >"$SRC/.xot-extracted"
fi
mkdir -p "$OUT"
cp "$KHDR/.config" "$OUT/.config"
echo "kbuild-host-tools: make modules_prepare (niced, -j1; log: $OUT/build.log)"
# The host's gcc, not trixie's gcc-14: syncconfig adapts the scratch
# configuration to it. Only the host programs are taken from this tree.
if ! nice -n 19 make -C "$SRC" O="$OUT" -j1 olddefconfig modules_prepare >"$OUT/build.log" 2>&1; then
	die 1 "make modules_prepare failed: $(grep -m1 -E 'error|Error' "$OUT/build.log" || tail -1 "$OUT/build.log")"
fi

# What replaces what: Debian's wrappers (scripts/mod/modpost, tools/objtool/objtool)
# pick the .real-* program for the target, a native build handles all.
declare -A REPL=(
	[scripts/mod/modpost.real-lsb-64]=scripts/mod/modpost
	[scripts/mod/modpost.real-lsb-32]=scripts/mod/modpost
	[scripts/mod/modpost.real-msb-64]=scripts/mod/modpost
	[scripts/mod/modpost.real-msb-32]=scripts/mod/modpost
	[tools/objtool/objtool.real-x86]=tools/objtool/objtool
	[tools/bpf/resolve_btfids/resolve_btfids]=tools/bpf/resolve_btfids/resolve_btfids
)
for b in "${bad[@]}"; do
	rel=${b%%:*}
	src=${REPL[$rel]:-$rel}
	[ -x "$OUT/$src" ] || {
		case "$rel" in
		tools/objtool/objtool.real-powerpc) continue ;; # not for x86 builds
		tools/bpf/resolve_btfids/*)
			# only for module BTF, which the cross-release build turns
			# off (Makefile: KBUILD_D13); the scratch configuration has
			# no BTF without a new enough pahole
			echo "  SKIP      $rel (no BTF for the modules)"
			continue
			;;
		esac
		die 1 "no host build of $rel ($OUT/$src missing)"
	}
	install -m 0755 "$OUT/$src" "$KBUILD/$rel"
	echo "  HOSTBUILD $rel <- $OUT/$src"
done
echo "$DEB13_KVERSION glibc-$host_glibc" >"$stamp"

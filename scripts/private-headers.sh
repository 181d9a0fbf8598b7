#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Extract the kernel's private block-layer headers (block/elevator.h,
# block/blk-cgroup.h, block/blk-mq.h, ... which linux-headers does not ship)
# from Debian's linux-source package, for exactly the version of the kernel
# headers we build against. Nothing from the kernel tree is committed: the
# headers land in a git-ignored directory.
#
# Usage: scripts/private-headers.sh KDIR OUTDIR
#        scripts/private-headers.sh --check KDIR
#   KDIR    kernel build directory (e.g. /lib/modules/6.1.0-56-amd64/build)
#   OUTDIR  where block/*.h go (OUTDIR/block/elevator.h, ...)
#   --check only check that the matching linux-source is there (DKMS runs
#           this as PRE_BUILD so that the error shows on the terminal)
# Environment: XOT_LINUX_SOURCE=path/to/linux-source-X.Y.tar.xz overrides the
# tarball (for DKMS or non-Debian hosts); its version is then trusted, unless
# XOT_LINUX_SOURCE_VERSION and XOT_HEADERS_VERSION give the Debian versions
# of the tarball's package and of the headers' package (make
# PLATFORM=debian13: fetched packages, not installed): they must be equal.
set -euo pipefail

die() {
	echo "private-headers: error: $*" >&2
	exit 1
}

CHECK=0
if [ "${1:-}" = --check ]; then
	CHECK=1
	shift
	[ $# -eq 1 ] || die "usage: $0 --check KDIR"
	set -- "$1" ""
fi
[ $# -eq 2 ] || die "usage: $0 KDIR OUTDIR | $0 --check KDIR"
KDIR=$1
OUT=$2

[ -d "$KDIR" ] || die "kernel build directory '$KDIR' does not exist.
  Install the headers of the kernel you build for: apt-get install linux-headers-amd64
  or name another one with make KDIR=/lib/modules/<version>/build"
[ -f "$KDIR/include/config/kernel.release" ] ||
	die "'$KDIR' is not a configured kernel build directory (no include/config/kernel.release)"
KREL=$(cat "$KDIR/include/config/kernel.release")

stamp="$OUT/.source-version"

if [ -n "${XOT_LINUX_SOURCE:-}" ]; then
	TARBALL=$XOT_LINUX_SOURCE
	[ -f "$TARBALL" ] || die "XOT_LINUX_SOURCE=$TARBALL does not exist"
	want="custom:$(basename "$TARBALL")"
	if [ -n "${XOT_LINUX_SOURCE_VERSION:-}${XOT_HEADERS_VERSION:-}" ]; then
		[ "${XOT_LINUX_SOURCE_VERSION:-}" = "${XOT_HEADERS_VERSION:-}" ] ||
			die "version mismatch: kernel headers ($KDIR) are ${XOT_HEADERS_VERSION:-unknown}
  but $(basename "$TARBALL") is ${XOT_LINUX_SOURCE_VERSION:-unknown}. The private headers must come
  from exactly the same kernel: fetch both again (scripts/fetch-trixie.sh --refresh)"
		want="$(basename "$TARBALL" .tar.xz)=$XOT_LINUX_SOURCE_VERSION"
	fi
else
	# Which Debian package owns the headers, and at what version?
	real=$(readlink -f "$KDIR")
	hpkg=$(dpkg-query -S "$real" 2>/dev/null | head -1 | cut -d: -f1 || true)
	[ -n "$hpkg" ] || die "cannot tell which Debian package provides '$real';
  set XOT_LINUX_SOURCE=/path/to/linux-source-<ver>.tar.xz of exactly that kernel"
	hver=$(dpkg-query -W -f='${Version}' "$hpkg")
	major=$(echo "$KREL" | cut -d. -f1-2)
	spkg=linux-source-$major
	sver=$(dpkg-query -W -f='${Version}' "$spkg" 2>/dev/null || true)
	[ -n "$sver" ] || die "package $spkg is not installed; it provides the private
  block headers (elevator.h, blk-cgroup.h). Install it: apt-get install $spkg=$hver"
	[ "$sver" = "$hver" ] || die "version mismatch: kernel headers $hpkg are $hver
  but $spkg is $sver. The private headers must come from exactly the same kernel.
  Fix: apt-get install $spkg=$hver (or upgrade both together)"
	TARBALL=/usr/src/$spkg.tar.xz
	[ -f "$TARBALL" ] || die "$TARBALL is missing although $spkg is installed; reinstall it"
	want="$spkg=$sver"
fi

if [ "$CHECK" = 1 ]; then
	echo "private-headers: $KDIR ($KREL): private headers from $want ($TARBALL)"
	exit 0
fi

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$OUT/block/elevator.h" ] &&
	[ -f "$OUT/xen-blkback/common.h" ]; then
	exit 0
fi

echo "  PRIVHDR $want -> $OUT/block"
rm -rf "$OUT"
mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Only the block layer's own headers: blk.h pulls in its siblings
# (blk-crypto-internal.h, blk-mq.h, ...), so take every block/*.h.
# The pattern also takes drivers/block/**/*.h: xot-blkback reads the
# xen-blkback ring of the thread submitting a bio (xen-blkback/common.h).
tar -xJf "$TARBALL" -C "$tmp" --wildcards '*/block/*.h' ||
	die "could not extract block/*.h from $TARBALL"
src=$(find "$tmp" -maxdepth 2 -type d -name block | head -1)
[ -n "$src" ] && [ -f "$src/elevator.h" ] || die "$TARBALL has no block/elevator.h"
mkdir -p "$OUT/block"
cp "$src"/*.h "$OUT/block/"
mkdir -p "$OUT/xen-blkback"
cp "$src/../drivers/block/xen-blkback/common.h" "$OUT/xen-blkback/" ||
	die "$TARBALL has no drivers/block/xen-blkback/common.h"
echo "$want" >"$stamp"

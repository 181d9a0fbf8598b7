#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lockdep-kernel.sh - build the host lab's lockdep kernel: Debian's own
# linux-source-6.1 (the version of the installed headers) configured with
# userspace/lab/lockdep-kernel.config (CONFIG_PROVE_LOCKING, only what the
# host lab needs), and XoT's modules against it. Debian ships no lockdep
# kernel. Boot it with: host-lab.sh --kernel-tree DIR SCENARIO.
# Run with --help for usage.

set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
XOT_TOP=$(cd "$LAB_DIR/../.." && pwd)
CONFIG=$LAB_DIR/lockdep-kernel.config

usage() {
	cat <<EOF
Usage: $(basename "$0") [options]

Build a Linux kernel with lockdep for the host lab, from Debian's
linux-source tarball, and XoT's modules against it. The kernel is cached:
it is rebuilt only when the source package, the config fragment or the
compiler change. The modules are rebuilt every time (seconds).

Options:
  --out DIR       the kernel's directory (default build/lockdep-kernel):
                  DIR/src the source, DIR/obj the build (O=), DIR/modinst
                  its modules (modules_install), DIR/xot XoT's modules
  --src DIR       build XoT's modules from the repository DIR (default:
                  this one; e.g. a worktree of an older commit)
  --mod-out DIR   where XoT's modules are built (default DIR/xot of --out);
                  give it to host-lab.sh --modules
  --jobs N        parallel make jobs (default: number of CPUs)
  --nice N        niceness of the build (default 19: labs and other jobs
                  on the machine keep their CPU time)
  --modules-only  only XoT's modules; the kernel must be built already
  -h, --help      this help

Environment: XOT_LINUX_SOURCE=path/to/linux-source-6.1.tar.xz overrides
/usr/src/linux-source-6.1.tar.xz.
EOF
}

die() { echo "lockdep-kernel: error: $*" >&2; exit 1; }
note() { echo "lockdep-kernel: $*"; }

OUT=$XOT_TOP/build/lockdep-kernel SRC=$XOT_TOP MODOUT='' JOBS=$(nproc) NICE=19 MODONLY=0
while [ $# -gt 0 ]; do
	case $1 in
	--out | --src | --mod-out | --jobs | --nice)
		[ $# -ge 2 ] || die "$1 needs a value (see --help)" ;;
	esac
	case $1 in
	--out) OUT=$2; shift ;;
	--src) SRC=$2; shift ;;
	--mod-out) MODOUT=$2; shift ;;
	--jobs) JOBS=$2; shift ;;
	--nice) NICE=$2; shift ;;
	--modules-only) MODONLY=1 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "lockdep-kernel: error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "--jobs must be a positive integer, got '$JOBS'"
[[ $NICE =~ ^[0-9]+$ ]] || die "--nice must be 0..19, got '$NICE'"
{ [ -f "$SRC/Kbuild" ] && [ -d "$SRC/iosched-xot" ]; } || die "--src $SRC is not an XoT repository (no Kbuild, iosched-xot/)"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SRC=$(cd "$SRC" && pwd)
MODOUT=${MODOUT:-$OUT/xot}
KSRC=$OUT/src KOBJ=$OUT/obj
NMAKE=(nice -n "$NICE" make -j"$JOBS")

# --------------------------------------------------------------- kernel
TARBALL=${XOT_LINUX_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
[ -f "$TARBALL" ] || die "$TARBALL missing: apt-get install linux-source-6.1 (the version of linux-headers-amd64)"
# what the built kernel depends on: the source, the fragment, the compiler
stamp=$({
	stat -L -c '%n %s %Y' "$TARBALL"
	dpkg-query -W -f='${Version}\n' linux-source-6.1 2>/dev/null || true
	cat "$CONFIG"
	gcc --version | head -n 1
} | sha256sum | cut -d' ' -f1)

build_kernel() {
	local t0 l s krel
	t0=$(date +%s)
	if [ ! -f "$KSRC/Makefile" ] || [ "$(cat "$KSRC/.xot-tarball" 2>/dev/null)" != "$(stat -L -c '%s %Y' "$TARBALL")" ]; then
		note "extracting $TARBALL"
		rm -rf "$KSRC" "$KOBJ"
		mkdir -p "$KSRC"
		nice -n "$NICE" tar -xJf "$TARBALL" -C "$KSRC" --strip-components=1 ||
			die "cannot extract $TARBALL"
		stat -L -c '%s %Y' "$TARBALL" >"$KSRC/.xot-tarball"
	fi
	mkdir -p "$KOBJ"
	note "configuring (allnoconfig + $(basename "$CONFIG"))"
	"${NMAKE[@]}" -s -C "$KSRC" O="$KOBJ" KCONFIG_ALLCONFIG="$CONFIG" allnoconfig >/dev/null ||
		die "make allnoconfig failed"
	# every line of the fragment must have survived Kconfig's dependencies
	while IFS= read -r l; do
		grep -qxF "$l" "$KOBJ/.config" && continue
		s=$(echo "$l" | grep -oE 'CONFIG_[A-Za-z0-9_]+')
		die "$(basename "$CONFIG"): '$l' did not take (Kconfig has: $(grep -E "^$s=|^# $s is" "$KOBJ/.config" || echo nothing)); a dependency is missing"
	done < <(grep -E '^(CONFIG_|# CONFIG_[A-Za-z0-9_]+ is not set)' "$CONFIG")
	note "building (make -j$JOBS, nice $NICE; log $OUT/build.log)"
	"${NMAKE[@]}" -C "$KSRC" O="$KOBJ" bzImage vmlinux modules >"$OUT/build.log" 2>&1 ||
		{ tail -n 20 "$OUT/build.log" >&2; die "kernel build failed (log $OUT/build.log)"; }
	rm -rf "$OUT/modinst"
	"${NMAKE[@]}" -s -C "$KSRC" O="$KOBJ" INSTALL_MOD_PATH="$OUT/modinst" INSTALL_MOD_STRIP=1 \
		modules_install >>"$OUT/build.log" 2>&1 || die "modules_install failed (log $OUT/build.log)"
	krel=$(cat "$KOBJ/include/config/kernel.release")
	echo "$stamp" >"$OUT/stamp"
	note "kernel $krel built in $(($(date +%s) - t0)) s"
}

if [ $MODONLY = 1 ]; then
	[ -f "$OUT/stamp" ] || die "no kernel in $OUT: run without --modules-only first"
elif [ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$stamp" ] && [ -f "$KOBJ/vmlinux" ]; then
	note "kernel $(cat "$KOBJ/include/config/kernel.release") is up to date in $OUT"
else
	rm -f "$OUT/stamp"
	build_kernel
fi
KREL=$(cat "$KOBJ/include/config/kernel.release")

# ---------------------------------------------------------- XoT modules
# Built in a copy of the module sources (out-of-tree Kbuild writes next to
# its sources: the repository's own *.ko stay those of the stock kernel).
# The private block headers come from this very source tree.
note "building XoT's modules from $SRC for $KREL in $MODOUT"
mkdir -p "$MODOUT"
MODOUT=$(cd "$MODOUT" && pwd)
case $MODOUT in "$SRC" | "$OUT") die "--mod-out must be a directory of its own" ;; esac
rm -rf "${MODOUT:?}"/*
for d in Kbuild include core iosched-xot blkback-hook guest-tagger; do
	[ ! -e "$SRC/$d" ] || cp -r "$SRC/$d" "$MODOUT/"
done
mkdir -p "$OUT/priv"
ln -sfn "$KSRC/block" "$OUT/priv/block"
ln -sfn "$KSRC/drivers/block/xen-blkback" "$OUT/priv/xen-blkback"
# Only the elevator, the host lab's subject: xot-blkback and xot-tagger need
# a Xen kernel (CONFIG_XEN), which this one is not. The copy's Kbuild lists
# only it (obj-m on the command line would break kbuild's own edits of it).
sed -i 's/^obj-m :=.*/obj-m := xot-iosched.o/' "$MODOUT/Kbuild"
grep -qx 'obj-m := xot-iosched.o' "$MODOUT/Kbuild" || die "$SRC/Kbuild has no 'obj-m :=' line to narrow"
"${NMAKE[@]}" -C "$KOBJ" M="$MODOUT" XOT_PRIV="$OUT/priv" modules >"$MODOUT/build.log" 2>&1 ||
	{ tail -n 20 "$MODOUT/build.log" >&2; die "XoT's modules failed to build (log $MODOUT/build.log)"; }
note "modules: $(cd "$MODOUT" && echo *.ko)"

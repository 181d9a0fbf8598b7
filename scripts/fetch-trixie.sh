#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian 13 (trixie: Linux 6.12, Xen 4.20) packages into build/debian13/
# without touching the host's own apt state: a separate sources list, lists,
# cache and (empty) dpkg status, never installed. Idempotent: a package whose
# .deb of the wanted version is already there is not fetched again, and the
# package lists are refreshed at most once a day (--refresh forces it).
#
# Usage: scripts/fetch-trixie.sh [--build-only] [--extract] [--refresh] [--offline] [--dir DIR]
#   --build-only  only what a module build needs: linux-headers-<abi>-amd64,
#                 linux-headers-<abi>-common, linux-kbuild-<abi>, linux-source-6.12
#                 (default also fetches the lab's linux-image-<abi>-amd64,
#                 xen-hypervisor-4.20-amd64 and xen-utils-4.20)
#   --extract     also unpack the build packages (dpkg-deb -x) into DIR/root;
#                 the kernel build directory is DIR/kdir (a symlink)
#   --refresh     update the package lists even if they are less than a day old
#   --offline     never contact the archive: use the cached lists and .debs
#   --dir DIR     where everything goes (default: build/debian13)
# Exit codes: 0 done; 1 the archive cannot be reached or a download failed;
#   2 usage error; 3 a package or version is not in trixie, or the headers
#   and the source are not the same kernel version; 4 a host tool or the
#   Debian archive keyring is missing.
# Prints one line per package: name, version, cached or fetched, and at the
# end DIR/versions, which the Makefile reads (PLATFORM=debian13).
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
SUITE=trixie
MIRROR=${XOT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${XOT_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
SRCMAJOR=6.12
XENVER=4.20

die() { # die CODE MESSAGE
	local code=$1
	shift
	echo "fetch-trixie: error: $*" >&2
	exit "$code"
}

DIR=$TOP/build/debian13
BUILD_ONLY=0
EXTRACT=0
REFRESH=0
OFFLINE=0
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help)
		sed -n '4,25p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	--build-only) BUILD_ONLY=1 ;;
	--extract) EXTRACT=1 ;;
	--refresh) REFRESH=1 ;;
	--offline) OFFLINE=1 ;;
	--dir)
		[ $# -ge 2 ] || die 2 "--dir needs a directory (try --help)"
		DIR=$2
		shift
		;;
	*) die 2 "unknown option '$1' (try --help)" ;;
	esac
	shift
done
[ "$REFRESH" = 1 ] && [ "$OFFLINE" = 1 ] && die 2 "--refresh and --offline exclude each other"

for t in apt-get apt-cache dpkg-deb; do
	command -v "$t" >/dev/null || die 4 "$t not found: this script needs Debian's apt and dpkg"
done
[ -r "$KEYRING" ] || die 4 "$KEYRING missing: apt-get install debian-archive-keyring"

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
APT=$DIR/apt
DEBS=$DIR/debs
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/parts" "$DEBS"
# An empty dpkg status: resolve as on a machine with nothing installed, and
# never read the host's.
: >>"$APT/status"
cat >"$APT/sources.list.new" <<EOF
deb [signed-by=$KEYRING] $MIRROR $SUITE main
deb [signed-by=$KEYRING] $MIRROR $SUITE-updates main
deb [signed-by=$KEYRING] $SECURITY $SUITE-security main
EOF
if ! cmp -s "$APT/sources.list.new" "$APT/sources.list" 2>/dev/null; then
	mv "$APT/sources.list.new" "$APT/sources.list"
	rm -f "$APT/updated"
else
	rm -f "$APT/sources.list.new"
fi

# Every apt option that points at the host's state is redirected here.
# APT::Sandbox::User=root: the downloads go to a directory _apt may not
# write to (and are not installed).
OPTS=(-o "Dir::Etc::sourcelist=$APT/sources.list" -o "Dir::Etc::sourceparts=$APT/parts"
	-o "Dir::Etc::preferences=$APT/parts/none" -o "Dir::Etc::preferencesparts=$APT/parts"
	-o "Dir::State=$APT" -o "Dir::State::Lists=$APT/lists" -o "Dir::State::status=$APT/status"
	-o "Dir::Cache=$APT/cache" -o "APT::Architecture=amd64" -o "APT::Sandbox::User=root"
	-o "Acquire::Languages=none")

# ------------------------------------------------------------ package lists
fresh=0
if [ -f "$APT/updated" ] && [ -n "$(find "$APT/updated" -mmin -1440)" ]; then
	fresh=1
fi
if [ "$OFFLINE" = 1 ] || { [ "$fresh" = 1 ] && [ "$REFRESH" = 0 ]; }; then
	[ -f "$APT/updated" ] || die 1 "--offline but no cached package lists in $APT; run once online"
else
	echo "fetch-trixie: updating the $SUITE package lists ($MIRROR)"
	if apt-get "${OPTS[@]}" -q update >"$APT/update.log" 2>&1 &&
		! grep -q '^\(W: Failed\|E:\|Err:\)' "$APT/update.log"; then
		touch "$APT/updated"
	elif [ -f "$APT/updated" ]; then
		echo "fetch-trixie: warning: cannot update the package lists (see $APT/update.log); using the cached ones" >&2
	else
		die 1 "cannot reach the Debian archive ($MIRROR, $SECURITY): $(grep -m1 -E '^(Err|E|W):' "$APT/update.log" || echo 'see '"$APT"'/update.log')"
	fi
fi

candidate() { # candidate PKG: its trixie candidate version, or nothing
	apt-cache "${OPTS[@]}" policy "$1" 2>/dev/null | sed -n 's/^  Candidate: //p' | grep -v '(none)' || true
}

# ------------------------------------------------------------ which versions
# The kernel ABI name comes from the linux-headers-amd64 meta package:
# linux-headers-amd64 -> linux-headers-6.12.118+deb13-amd64.
META_VER=$(candidate linux-headers-amd64)
[ -n "$META_VER" ] || die 3 "linux-headers-amd64 is not in $SUITE's package lists"
ABI=$(apt-cache "${OPTS[@]}" depends linux-headers-amd64 2>/dev/null |
	sed -n 's/^  Depends: linux-headers-\(.*\)-amd64$/\1/p' | head -1)
[ -n "$ABI" ] || die 3 "cannot tell the kernel ABI from linux-headers-amd64 $META_VER"
KVER=$(candidate "linux-headers-$ABI-amd64")
[ -n "$KVER" ] || die 3 "linux-headers-$ABI-amd64 is not in $SUITE"

BUILD_PKGS=("linux-headers-$ABI-amd64" "linux-headers-$ABI-common"
	"linux-kbuild-$ABI" "linux-source-$SRCMAJOR")
LAB_PKGS=("linux-image-$ABI-amd64" "xen-hypervisor-$XENVER-amd64" "xen-utils-$XENVER")
PKGS=("${BUILD_PKGS[@]}")
[ "$BUILD_ONLY" = 1 ] || PKGS+=("${LAB_PKGS[@]}")

# The kernel's packages must all be one version: the private headers of
# linux-source must be those of exactly the kernel the headers are for.
declare -A VER
for p in "${PKGS[@]}"; do
	v=$(candidate "$p")
	[ -n "$v" ] || die 3 "package $p is not in $SUITE"
	case "$p" in
	linux-*)
		[ "$v" = "$KVER" ] || die 3 "version mismatch: $p is $v in $SUITE but linux-headers-$ABI-amd64 is $KVER; retry later (the archive is mid-update) or with --refresh"
		;;
	esac
	VER[$p]=$v
done

# ------------------------------------------------------------------ fetch
debfile() { # debfile PKG VERSION: the file name apt-get download writes
	local arch
	arch=$(apt-cache "${OPTS[@]}" show "$1=$2" 2>/dev/null | sed -n 's/^Architecture: //p' | head -1)
	# apt escapes the epoch colon as %3a
	echo "${1}_${2//:/%3a}_${arch:-amd64}.deb"
}

for p in "${PKGS[@]}"; do
	v=${VER[$p]}
	f=$(debfile "$p" "$v")
	if [ -f "$DEBS/$f" ] && dpkg-deb --info "$DEBS/$f" >/dev/null 2>&1; then
		printf '  %-36s %-32s cached\n' "$p" "$v"
		continue
	fi
	[ "$OFFLINE" = 0 ] || die 1 "--offline but $p $v is not in $DEBS"
	rm -f "$DEBS/$f"
	if ! (cd "$DEBS" && apt-get "${OPTS[@]}" -q download "$p=$v") >"$APT/download.log" 2>&1; then
		die 1 "download of $p=$v failed: $(grep -m1 -E '^(Err|E|W):' "$APT/download.log" || echo "see $APT/download.log")"
	fi
	[ -f "$DEBS/$f" ] && dpkg-deb --info "$DEBS/$f" >/dev/null 2>&1 ||
		die 1 "download of $p=$v did not leave a valid $DEBS/$f"
	printf '  %-36s %-32s fetched (%s)\n' "$p" "$v" "$(du -h "$DEBS/$f" | cut -f1)"
done

# Versions for the Makefile and scripts/private-headers.sh (make syntax,
# also valid shell).
cat >"$DIR/versions.new" <<EOF
# written by scripts/fetch-trixie.sh; do not edit
DEB13_ABI=$ABI
DEB13_KRELEASE=$ABI-amd64
DEB13_KVERSION=$KVER
DEB13_SOURCE=linux-source-$SRCMAJOR
DEB13_SOURCE_VERSION=${VER[linux-source-$SRCMAJOR]}
DEB13_XEN_VERSION=$(candidate "xen-hypervisor-$XENVER-amd64")
EOF
mv "$DIR/versions.new" "$DIR/versions"

# ---------------------------------------------------------------- extract
if [ "$EXTRACT" = 1 ]; then
	stamp=$DIR/root/.extracted
	want="$ABI $KVER"
	if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
		echo "fetch-trixie: extracting the build packages into $DIR/root"
		rm -rf "$DIR/root" "$DIR/kdir"
		mkdir -p "$DIR/root"
		for p in "${BUILD_PKGS[@]}"; do
			dpkg-deb -x "$DEBS/$(debfile "$p" "${VER[$p]}")" "$DIR/root" ||
				die 1 "dpkg-deb -x of $p failed"
		done
		# The headers' Makefile includes the -common one by its absolute
		# installed path: point it at the extracted one.
		sed -i "s|^include /usr/src/|include $DIR/root/usr/src/|" \
			"$DIR/root/usr/src/linux-headers-$ABI-amd64/Makefile"
		echo "$want" >"$stamp"
	fi
	kdir=$DIR/root/usr/src/linux-headers-$ABI-amd64
	[ -f "$kdir/Makefile" ] || die 3 "$kdir has no Makefile after extraction"
	ln -sfn "$kdir" "$DIR/kdir"
	echo "fetch-trixie: KDIR=$DIR/kdir, source $DIR/root/usr/src/linux-source-$SRCMAJOR.tar.xz"
fi
echo "fetch-trixie: $SUITE kernel $ABI-amd64 ($KVER), Xen $(candidate "xen-hypervisor-$XENVER-amd64"); versions in $DIR/versions"

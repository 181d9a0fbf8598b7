#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package XoT needs to build, run its labs, tests and
# benchmarks. Idempotent: when everything is present it only checks, in about
# a second, and touches nothing. Must run as root on Debian 12 (bookworm).
#
# Usage: scripts/install-deps.sh [--check]
#   --check   only report missing packages, exit 1 if any
set -euo pipefail

PKGS=(
	# build: compiler, kbuild, headers of the stock kernel, private headers source
	build-essential make gcc libc6-dev bc flex bison kmod libelf-dev
	linux-headers-amd64 linux-source-6.1 xz-utils
	# labs: the stock kernel image booted under QEMU, Xen and its toolstack
	linux-image-amd64 qemu-system-x86 xen-hypervisor-4.17-amd64 xen-utils-4.17
	busybox-static cpio zstd python3 e2fsprogs util-linux dmsetup
	# workloads and analysis inside the labs
	fio blktrace cgroup-tools libcgroup-dev tar
	# checks: static analysis, fuzzing (libFuzzer)
	sparse clang
)

case "${1:-}" in
-h | --help)
	sed -n '3,10p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
--check) CHECK=1 ;;
"") CHECK=0 ;;
*)
	echo "install-deps: unknown option '$1' (try --help)" >&2
	exit 2
	;;
esac

missing=()
for p in "${PKGS[@]}"; do
	[[ $p == \#* ]] && continue
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PKGS[@]} packages present"
	exit 0
fi
if [ "$CHECK" = 1 ]; then
	echo "install-deps: missing: ${missing[*]}" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages (${missing[*]}) and not root: run as root" >&2
	exit 1
fi
if ! grep -q 'VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null; then
	echo "install-deps: warning: not Debian 12 (bookworm); package names may differ" >&2
fi

echo "install-deps: installing ${missing[*]}"
t0=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
# The lab boots the kernel image directly; the host needs no initramfs for it.
# Skipping update-initramfs saves a minute on every fresh machine.
export INITRD=No
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/xot-apt.log 2>&1 || {
	echo "install-deps: apt-get install failed; last lines of /tmp/xot-apt.log:" >&2
	tail -20 /tmp/xot-apt.log >&2
	exit 1
}
echo "install-deps: done in $(($(date +%s) - t0)) s"

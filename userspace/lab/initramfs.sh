# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh - build initramfs images for the XoT labs from the host's own
# Debian binaries and kernel modules.
#
# This is a LIBRARY: source it, do not execute it. It is shared by the host
# lab (userspace/lab/host-lab.sh) and the Xen lab. It does not change the
# caller's shell options; every function returns non-zero with a message on
# stderr when something goes wrong, so callers may use `set -e` or `|| exit`.
#
#   lab_kver                      print the kernel version to boot
#   ir_base ROOT                  fresh root: usr-merged, busybox applets, /etc
#   ir_bins ROOT FILE...          copy binaries + their shared-library closure
#   ir_modules ROOT KVER NAME...  copy stock modules (+ dependencies), depmod
#   ir_project_modules ROOT KVER [DIR]  copy DIR/*.ko (default $XOT_TOP; and
#                                 the test-only tests/hostile-guest/*.ko) into
#                                 .../extra, depmod
#   ir_cpio ROOT OUT              zstd-compressed newc cpio of ROOT
#
# and, for fast rebuilds (a cached base image plus a small per-run overlay,
# which the kernel unpacks on top of each other):
#
#   ir_clone BASE ROOT            ROOT = hard-linked copy of the root BASE
#   ir_cpio_delta ROOT OUT        cpio of what ROOT added/replaced since ir_clone
#   ir_cat OUT IMG...             concatenate images into one initrd
#
# Rules that keep ir_clone safe: everything here replaces a file by removing
# it first (rm -f, then copy), never by writing into it, so a file shared by
# hard link with the cached base is never modified. Callers adding files to a
# clone must do the same (ir_install does it for them).
#
# Environment: XOT_KVER (kernel version override), XOT_TOP (repository root,
# default: computed from this file's location), IR_ZSTD_LEVEL (default 3:
# level 10+ saves ~10% size but costs seconds per build), IR_MODROOT (stock
# modules from IR_MODROOT/lib/modules/KVER, e.g. a kernel's modules_install
# INSTALL_MOD_PATH; default: the host's /lib/modules).

# Repository root: this file lives in userspace/lab/.
XOT_TOP=${XOT_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
IR_ZSTD_LEVEL=${IR_ZSTD_LEVEL:-3}
IR_MODROOT=${IR_MODROOT:-}
# Set by ir_project_modules: names of the project modules it copied (may be
# empty; the caller decides whether that is fatal).
IR_PROJECT_MODULES=

_ir_err() { echo "initramfs: error: $*" >&2; return 1; }
_ir_warn() { echo "initramfs: warning: $*" >&2; }

# A root directory argument must be a real, non-system path: these functions
# delete and overwrite inside it.
_ir_check_root() {
	case ${1:-} in
	'' | . | .. | / | /usr | /usr/* | /etc | /etc/* | /lib | /lib/* | /bin | /sbin | /boot | /boot/* | "$HOME")
		_ir_err "refusing to use '${1:-}' as an initramfs root" ;;
	esac
}

# lab_kver: the kernel version the labs boot. $XOT_KVER wins; otherwise the
# newest installed linux-headers-*-amd64, which is also what `make modules`
# builds against by default, so the modules match the booted kernel.
lab_kver() {
	local v=${XOT_KVER:-} h
	if [ -z "$v" ]; then
		h=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
		if [ -z "$h" ]; then
			_ir_err "no /usr/src/linux-headers-*-amd64 installed and XOT_KVER not set;" \
				"install them: apt-get install linux-headers-amd64 linux-image-amd64"
			return 1
		fi
		v=${h#/usr/src/linux-headers-}
	fi
	if [ ! -f "/boot/vmlinuz-$v" ] || [ ! -d "/lib/modules/$v/kernel" ]; then
		_ir_err "kernel $v is not installed (need /boot/vmlinuz-$v and /lib/modules/$v);" \
			"install it: apt-get install linux-image-amd64 (or set XOT_KVER)"
		return 1
	fi
	echo "$v"
}

# ir_base ROOT: a fresh root with the Debian usr-merged layout (bin, sbin, lib,
# lib64 are symlinks into usr/), busybox-static with its applets as symlinks,
# and the few /etc files tools expect.
#
# /dev is left empty: the lab's /init mounts devtmpfs there and must create
# /dev/fd, /dev/stdin, /dev/stdout and /dev/stderr itself (devtmpfs does not
# have them, and scripts such as Xen's hotplug scripts need /dev/stdin).
ir_base() {
	local r=${1:-} a
	_ir_check_root "$r" || return 1
	[ -x /bin/busybox ] || { _ir_err "/bin/busybox missing: apt-get install busybox-static"; return 1; }
	# busybox-static is a static binary; the dynamic busybox would need libs.
	if ldd /bin/busybox >/dev/null 2>&1; then
		_ir_warn "/bin/busybox is dynamically linked; install busybox-static"
	fi
	rm -rf "$r" || return 1
	mkdir -p "$r"/usr/{bin,sbin,lib/x86_64-linux-gnu,lib64} \
		"$r"/{dev,proc,sys,tmp,run,etc,var/tmp,root,mnt,results} || return 1
	chmod 1777 "$r/tmp" "$r/var/tmp"
	ln -s usr/bin "$r/bin"
	ln -s usr/sbin "$r/sbin"
	ln -s usr/lib "$r/lib"
	ln -s usr/lib64 "$r/lib64"
	ln -s ../run "$r/var/run"
	cp /bin/busybox "$r/usr/bin/busybox" || return 1
	# Pitfall: `busybox --list` contains "busybox" itself; linking it would
	# replace the binary by a self-link (init then fails with ELOOP). -e also
	# keeps any real binary already in place.
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] && continue
		[ -e "$r/usr/bin/$a" ] || [ -L "$r/usr/bin/$a" ] || ln -s busybox "$r/usr/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$r/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
	ln -s ../proc/self/mounts "$r/etc/mtab"     # mke2fs, libcgroup
	: >"$r/etc/fstab"
}

# ir_install ROOT SRC DEST: copy SRC to ROOT/DEST, removing DEST first. Removal
# matters twice: DEST may be a busybox applet symlink (cp would write through
# it into busybox) or a hard link shared with a cached base (ir_clone).
ir_install() {
	local r=$1 src=$2 dst=$3
	mkdir -p "$r$(dirname "$dst")" || return 1
	rm -f "$r$dst"
	cp -L "$src" "$r$dst" || { _ir_err "cannot copy $src"; return 1; }
}

# Shared libraries a binary needs, one absolute path per line (ldd's view,
# which includes the dynamic loader). Empty for static binaries.
_ir_ldd() {
	ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
}

# ir_bins ROOT FILE...: copy each FILE (absolute path, kept as is; a real
# binary replaces a busybox applet of the same name) plus its ldd closure,
# plus libgcc_s.so.1, which glibc dlopen()s (pthread_cancel, backtraces) and
# ldd therefore never lists.
ir_bins() {
	local r=$1 f lib
	shift
	_ir_check_root "$r" || return 1
	for f in "$@" /lib/x86_64-linux-gnu/libgcc_s.so.1; do
		case $f in /*) ;; *) _ir_err "ir_bins: '$f' is not an absolute path"; return 1 ;; esac
		[ -e "$f" ] || { _ir_err "ir_bins: $f does not exist (package not installed?)"; return 1; }
		ir_install "$r" "$f" "$f" || return 1
		for lib in $(_ir_ldd "$f"); do
			[ -e "$r$lib" ] && continue
			ir_install "$r" "$lib" "$lib" || return 1
		done
	done
	# A loader cache is not required (the multiarch dirs are built in), but
	# it avoids a directory search per library per exec under slow TCG.
	ldconfig -r "$r" 2>/dev/null || true
}

# Module files of NAME and its dependencies (modprobe's own resolution,
# including soft dependencies), one path per line. Built-in modules print
# nothing. Fails if the module is unknown.
_ir_mod_paths() {
	local kver=$1 name=$2 out
	out=$(modprobe --dirname "${IR_MODROOT:-/}" --show-depends --set-version "$kver" "$name" 2>&1) ||
		{ _ir_err "module '$name' not found for kernel $kver: $out"; return 1; }
	printf '%s\n' "$out" | awk '$1 == "insmod" { print $2 }'
}

# Copy one stock module file into ROOT, decompressing .ko.xz/.ko.zst/.ko.gz:
# busybox's insmod/modprobe cannot load compressed modules and the kernel only
# can with CONFIG_MODULE_DECOMPRESS, so the image always holds plain .ko.
_ir_copy_module() {
	local r=$1 src=$2 dst
	dst=${src#"$IR_MODROOT"} # the image has it in /lib/modules
	dst=${dst%.xz}
	dst=${dst%.zst}
	dst=${dst%.gz}
	[ -e "$r$dst" ] && return 0
	mkdir -p "$r$(dirname "$dst")" || return 1
	case $src in
	*.ko) cp "$src" "$r$dst" ;;
	*.ko.xz) xz -dc "$src" >"$r$dst" ;;
	*.ko.zst) zstd -qdc "$src" >"$r$dst" ;;
	*.ko.gz) gzip -dc "$src" >"$r$dst" ;;
	*) _ir_err "unexpected module file $src"; return 1 ;;
	esac || { _ir_err "cannot copy module $src"; return 1; }
}

# Regenerate the module indexes (modules.dep & co.) so that modprobe works in
# the guest. depmod writes each index to a temporary file and renames it, so
# a hard-linked cached base is not modified.
_ir_depmod() {
	local r=$1 kver=$2 out
	out=$(depmod -b "$r" "$kver" 2>&1) || { _ir_err "depmod failed: $out"; return 1; }
	[ -z "$out" ] || _ir_warn "depmod: $out"
}

# ir_modules ROOT KVER NAME...: copy the stock modules NAME... and everything
# they depend on, keeping their /lib/modules/KVER/kernel/... paths, plus the
# lists of built-in modules (so `modprobe virtio_pci` succeeds when it is
# built in) and modules.order, then run depmod.
ir_modules() {
	local r=$1 kver=$2 name p paths src=$IR_MODROOT/lib/modules/$2 dst f
	shift 2
	_ir_check_root "$r" || return 1
	[ -d "$src/kernel" ] || { _ir_err "no modules in $src"; return 1; }
	dst=$r/lib/modules/$kver
	mkdir -p "$dst" || return 1
	for name in "$@"; do
		paths=$(_ir_mod_paths "$kver" "$name") || return 1
		for p in $paths; do
			_ir_copy_module "$r" "$p" || return 1
		done
	done
	for f in modules.builtin modules.builtin.modinfo; do
		[ -e "$src/$f" ] && { rm -f "$dst/$f"; cp "$src/$f" "$dst/$f"; }
	done
	# modules.order names compressed files as shipped; the image has .ko
	rm -f "$dst/modules.order"
	sed -E 's/\.ko\.(xz|zst|gz)$/.ko/' "$src/modules.order" >"$dst/modules.order"
	_ir_depmod "$r" "$kver"
}

# ir_project_modules ROOT KVER [DIR]: copy the project's built modules
# (DIR/*.ko, default $XOT_TOP/*.ko from `make modules`; the lockdep kernel's
# are elsewhere: lockdep-kernel.sh) into ROOT/lib/modules/KVER/extra/ and
# rerun depmod. Sets IR_PROJECT_MODULES to the module names copied. If none are
# built it only warns and returns 0: the caller decides whether that is fatal.
# A module built for another kernel (vermagic) is also only a warning here;
# loading it in the guest will fail loudly.
ir_project_modules() {
	local r=$1 kver=$2 dir=${3:-$XOT_TOP} ko vm extra=$1/lib/modules/$2/extra n=0
	_ir_check_root "$r" || return 1
	IR_PROJECT_MODULES=
	[ -d "$r/lib/modules/$kver" ] || { _ir_err "no $r/lib/modules/$kver: run ir_modules first"; return 1; }
	mkdir -p "$extra" || return 1
	# tests/hostile-guest/: the test-only xot-hostile (a guest attacking dom0)
	for ko in "$dir"/*.ko "$dir"/tests/hostile-guest/*.ko; do
		[ -e "$ko" ] || continue
		vm=$(modinfo -F vermagic "$ko" 2>/dev/null)
		case $vm in
		"$kver "*) ;;
		*) _ir_warn "$(basename "$ko") was built for '${vm%% *}', not $kver (rebuild: make modules)" ;;
		esac
		rm -f "$extra/$(basename "$ko")"
		cp "$ko" "$extra/" || { _ir_err "cannot copy $ko"; return 1; }
		IR_PROJECT_MODULES="$IR_PROJECT_MODULES $(basename "$ko" .ko)"
		n=$((n + 1))
	done
	IR_PROJECT_MODULES=${IR_PROJECT_MODULES# }
	[ "$n" -gt 0 ] || _ir_warn "no project modules in $dir/*.ko (run: make modules)"
	_ir_depmod "$r" "$kver"
}

# ir_cpio ROOT OUT: the whole ROOT as a newc cpio, zstd-compressed (the
# Debian kernel has CONFIG_RD_ZSTD). Files are owned by root in the archive.
# Prints the image size.
ir_cpio() {
	local r=$1 out=$2
	[ -d "$r" ] || { _ir_err "ir_cpio: no directory $r"; return 1; }
	_ir_pack "$r" "$out" find . || return 1
	echo "initramfs: $out: $(_ir_size "$out") (root $(du -sh "$r" | cut -f1))"
}

# ir_clone BASE ROOT: ROOT becomes a copy of the root directory BASE made of
# hard links (fast: no data is copied). Add files with ir_install, ir_bins,
# ir_modules, ir_project_modules; then ir_cpio_delta packs only what changed.
ir_clone() {
	local base=$1 r=$2
	_ir_check_root "$r" || return 1
	[ -d "$base" ] || { _ir_err "ir_clone: no base root $base"; return 1; }
	rm -rf "$r" || return 1
	cp -al "$base" "$r" || { _ir_err "cannot clone $base to $r"; return 1; }
}

# ir_cpio_delta ROOT OUT: cpio of the directories of ROOT and of the entries
# that are not hard links into the base it was cloned from (link count 1:
# new, or replaced since ir_clone). Unpacked after the base image, it
# overwrites/adds exactly those files. Prints the image size.
ir_cpio_delta() {
	local r=$1 out=$2
	[ -d "$r" ] || { _ir_err "ir_cpio_delta: no directory $r"; return 1; }
	_ir_pack "$r" "$out" find . '(' -type d -o -links 1 ')' || return 1
	echo "initramfs: $out: $(_ir_size "$out") (delta)"
}

# ir_cat OUT IMG...: one initrd from several images. The kernel unpacks
# concatenated (separately compressed) cpio archives in order, later files
# replacing earlier ones.
ir_cat() {
	local out=$1
	shift
	rm -f "$out"
	cat "$@" >"$out" || { _ir_err "cannot write $out"; return 1; }
}

# _ir_pack ROOT OUT FIND-CMD...: run FIND-CMD in ROOT, archive its output.
# Sorted for reproducible archives (and parents before children).
_ir_pack() {
	local r=$1 out
	out=$(realpath -m "$2") # the archive is written after cd ROOT
	shift 2
	mkdir -p "$(dirname "$out")" || return 1
	rm -f "$out"
	(
		set -o pipefail
		cd "$r" && "$@" -print0 | LC_ALL=C sort -z |
			cpio --null --create --format=newc --quiet --owner=0:0 |
			zstd -q -T0 "-$IR_ZSTD_LEVEL" -o "$out"
	) || { _ir_err "cannot create $out"; rm -f "$out"; return 1; }
}

_ir_size() { du -h --apparent-size "$1" | cut -f1; }

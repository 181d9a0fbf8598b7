#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xen-lab.sh - the XoT Xen lab: one command boots Xen 4.17, a Linux PV dom0
# and N PV domUs under QEMU (TCG), gives every domU a disk that dom0 backs
# with a chosen device, loads the XoT modules on both sides (when built),
# runs a scenario in dom0 and in every domU, brings the results back to the
# host and powers off.
#
#   userspace/lab/xen-lab.sh [options] SCENARIO      (see --help)
#
# ---------------------------------------------------------------- scenarios
# A scenario is a directory tests/xen/SCENARIO/ with two scripts:
#
#   domU.sh  run by bash in EVERY domU, after all domUs are up (dom0
#            starts them together). Environment:
#              XOT_DOMU=domU2  XOT_DOMU_INDEX=2  XOT_DOMUS=N
#              XOT_DISK=/dev/xvda    the disk under test (blkback in dom0)
#              XOT_RESULTS=/results  files written here come back to the
#                                    host as OUT/domU2/ (also as RESULTS,
#                                    for tests/lib/guest.sh)
#              XOT_SCENARIO, XOT_SCENARIO_DIR (a copy of the scenario
#              directory), XOT_LIB=/tests/lib (copy of tests/lib/), and
#              every --env NAME=VALUE.
#            Its exit status is reported as "XOT-DOMU-DONE rc=N".
#
#   dom0.sh  SOURCED by dom0's /init (bash); it may define any of
#              before_domus   devices made, XoT modules loaded, no domU yet
#                             (choose the scheduler, snapshot counters)
#              while_domus    runs in the background while the domUs run
#                             their domU.sh; may loop on lab_domus_running
#              after_domus    every domU has powered off and its results
#                             are in $XOT_RESULTS_ROOT/domUi/ (compare them
#                             with what dom0 saw)
#            Each hook runs in its own subshell (an `exit` there ends only the
#            hook, so guest.sh's `finish` may end each; keep state between
#            hooks in files, e.g. under /tmp); a non-zero status is a
#            failure. Environment: XOT_RESULTS and RESULTS (=/results/dom0,
#            comes back as OUT/dom0/), XOT_RESULTS_ROOT,
#            XOT_DOMUS, XOT_DEVICE, XOT_LAYOUT, XOT_PHYS (the physical
#            device(s), where the I/O scheduler sits, e.g. /dev/nullb0),
#            XOT_BACKING_i (domU i's disk in dom0, e.g. /dev/mapper/xot-domU1),
#            XOT_MODULES (1: XoT modules loaded when built), XOT_LIB, --env
#            variables. Helpers: lab_log, lab_domus_running, and
#            lab_hold/lab_release domUi around taking a domU away on
#            purpose (xl save + xl restore, xl destroy + xl create), so
#            the lab waits for it; $XOT_LAB_DIR/domUi.cfg is its xl config.
#
# --env XOT_DOMU_VCPUS=N gives every domU N vCPUs (default 1); blkfront then
# negotiates up to N blkif rings (queues) per disk with blkback.
# --env XOT_BLKFRONT_ARGS=domU1=max_ring_page_order:4[+name:value...][,domUi=...]
# loads xen-blkfront with those parameters in domUi (e.g. deep blkif rings).
# --env XOT_GUEST_MODULES=domU1=xot-hostile[,domUi=MODULE...] loads MODULE
# instead of xot-tagger in domUi ("none": no guest module); domU.sh sees it
# as XOT_GUEST_MODULE. xot-hostile is the test-only attacking guest
# (tests/hostile-guest/).
#
# Results: both sides print one line per check, as in the host lab:
#   XOT-PASS name | XOT-FAIL name reason | XOT-SKIP name reason
# (tests/lib/guest.sh has helpers for that). The run fails on any XOT-FAIL,
# on a domU whose domU.sh did not exit 0 or did not finish, on kernel
# trouble (WARNING:, BUG:, Oops, Call Trace, "blocked for more than") in any
# console or dmesg, on a missing result, and on the time-out.
#
# ---------------------------------------------------------------- plumbing
# Images: dom0 and domU initramfs built from the host's Debian binaries with
# userspace/lab/initramfs.sh: a cached base image (rebuilt when the host's
# packages or this lab change) plus a small per-run overlay (config, inits,
# scenario, tests/lib, XoT modules), concatenated. The domU kernel is the
# uncompressed ELF vmlinux of the stock kernel: xl would otherwise unpack the
# xz bzImage in dom0 userspace, which takes many seconds under TCG.
#
# dom0 -> host: milestones "XOT-LAB what key=value..." on the serial console
# (timestamped here), each domU console mirrored to it as "[domU2] line",
# and finally a tar of dom0's /results written onto a virtio disk given by
# QEMU (OUT/.results.img), unpacked into OUT/.
# domU <-> dom0: each domU has a second xl disk, xvdb ("control disk", a
# sparse file in dom0 behind a loop device): dom0 writes "XOT-GO <seconds>"
# into its block 0 to start the scenario (and say how long it may run), the
# domU writes a tar of its /results at 1 MiB and "XOT-RESULTS <bytes>" into
# block 1, and dom0 reads the tar back after the domU has powered off.
# Binary safe and independent of console noise.
#
# Time limits: dom0 stops waiting for the domUs and for its hooks at uptime
# (--timeout - 90) s, destroys what is left, and still sends back what it
# has; each domU stops its domU.sh 30 s before that (dumping blocked tasks
# into its dmesg). The host kills QEMU at --timeout and then reports the
# last milestone and the last line of every domain.
#
# ---------------------------------------------------------------- results
#   OUT/console.log      the whole serial console (Xen, dom0, mirrored
#                        domUs), each line with the host's seconds since start
#   OUT/checks.txt       every XOT-PASS/FAIL/SKIP line, by domain
#   OUT/timings.txt      seconds at each milestone, xl create and boot times
#   OUT/dom0/            dom0's $XOT_RESULTS, dmesg.txt, xen-dmesg.txt,
#                        lab-config
#   OUT/domUi/           domUi's $XOT_RESULTS, console.log (from
#                        xenconsoled), dmesg.txt, rc, xl.cfg, xl-create.log

set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$LAB_DIR/../.." && pwd)
BUILD=$TOP/build/lab/xen
XENBIN=/usr/lib/xen-4.17/bin
XEN_GZ=/boot/xen-4.17-amd64.gz
KERNEL_PROBLEMS='WARNING:|BUG:|Oops|Call Trace|blocked for more than'

usage() {
	cat <<EOF
Usage: $0 [options] SCENARIO

Boot Xen + a PV dom0 + N PV domUs under QEMU (TCG), run tests/xen/SCENARIO/
(dom0.sh in dom0, domU.sh in every domU), collect the results into OUT and
power off. Exit status 0 only if every check passed and no kernel complained.

Options:
  --domus N            number of domUs (default 2)
  --device nullb|loop  dom0 device behind the domUs' disks (default nullb)
  --layout dm-linear|separate
                       dm-linear: one device carved into one dm-linear volume
                       per domU (as LVM does; the scheduler sits on the one
                       physical device); separate: one device per domU
                       (default dm-linear)
  --nullb "k=v ..."    null_blk configfs attributes, e.g.
                       "completion_nsec=2000000 hw_queue_depth=4 mbps=20"
                       (memory_backed=1 always; completion_nsec implies
                       irqmode=2 unless irqmode is given)
  --disk-mb MB         size of each domU's disk (default 256)
  --dom0-mem MB        dom0 memory (default 1024)
  --domu-mem MB        memory of each domU (default 384: fio needs it)
  --env NAME=VALUE     export NAME to dom0.sh and domU.sh (repeatable)
  --hotplug lean|stock xl hotplug script for the disks: lean (default: writes
                       the device to xenstore, nothing else) or Xen's stock
                       "block" script (checks sharing: seconds per disk
                       under TCG, and times out with 3+ domUs on a busy host)
  --xen-args "..."     extra Xen command line options (e.g. "xpti=false")
  --no-modules         do not load the XoT modules even if they are built
  --timeout SEC        limit for the whole run (default 900)
  --out DIR            results directory (default results/lab/xen-SCENARIO)
  --verbose            show the whole serial console, not only milestones
  --rebuild            rebuild the cached base images
  -h, --help           this help

Available scenarios: $(list_scenarios | tr '\n' ' ')
Scenario protocol, results layout: see the comment at the top of this file.
EOF
}

die() {
	echo "xen-lab: error: $*" >&2
	exit 2
}

list_scenarios() {
	local d
	for d in "$TOP"/tests/xen/*/; do
		[ -f "$d/domU.sh" ] && [ -f "$d/dom0.sh" ] && basename "$d"
	done
	return 0
}

# ------------------------------------------------------------ options

parse_args() {
	DOMUS=2 DEVICE=nullb LAYOUT=dm-linear NULLB='' DISK_MB=256 DOM0_MEM=1024
	DOMU_MEM=384 TIMEOUT=900 OUT='' VERBOSE=0 REBUILD=0 MODULES=1 SCENARIO=''
	HOTPLUG=lean XEN_ARGS=''
	USER_ENV=()
	while [ $# -gt 0 ]; do
		case $1 in
		--domus) DOMUS=${2:?}; shift ;;
		--device) DEVICE=${2:?}; shift ;;
		--layout) LAYOUT=${2:?}; shift ;;
		--nullb) NULLB=${2?}; shift ;;
		--disk-mb) DISK_MB=${2:?}; shift ;;
		--dom0-mem) DOM0_MEM=${2:?}; shift ;;
		--domu-mem) DOMU_MEM=${2:?}; shift ;;
		--env) USER_ENV+=("${2:?}"); shift ;;
		--hotplug) HOTPLUG=${2:?}; shift ;;
		--xen-args) XEN_ARGS=${2?}; shift ;;
		--no-modules) MODULES=0 ;;
		--timeout) TIMEOUT=${2:?}; shift ;;
		--out) OUT=${2:?}; shift ;;
		--verbose) VERBOSE=1 ;;
		--rebuild) REBUILD=1 ;;
		-h | --help) usage; exit 0 ;;
		-*) die "unknown option '$1' (try --help)" ;;
		*) [ -z "$SCENARIO" ] || die "more than one scenario given"; SCENARIO=$1 ;;
		esac
		shift
	done
	check_args
}

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

check_args() {
	local kv
	if [ -z "$SCENARIO" ] || [ ! -f "$TOP/tests/xen/$SCENARIO/dom0.sh" ] ||
		[ ! -f "$TOP/tests/xen/$SCENARIO/domU.sh" ]; then
		if [ -n "$SCENARIO" ]; then
			echo "xen-lab: error: unknown scenario '$SCENARIO'" >&2
		else
			echo "xen-lab: error: no scenario given (try --help)" >&2
		fi
		echo "available scenarios (tests/xen/NAME/ with dom0.sh and domU.sh):" >&2
		list_scenarios | sed 's/^/  /' >&2
		exit 2
	fi
	is_uint "$DOMUS" && [ "$DOMUS" -ge 1 ] && [ "$DOMUS" -le 16 ] ||
		die "--domus must be 1..16"
	case $DEVICE in nullb | loop) ;; *) die "--device must be nullb or loop" ;; esac
	case $LAYOUT in dm-linear | separate) ;; *) die "--layout must be dm-linear or separate" ;; esac
	case $HOTPLUG in lean | stock) ;; *) die "--hotplug must be lean or stock" ;; esac
	for kv in $NULLB; do
		[[ $kv =~ ^[a-z_]+=[0-9A-Za-z_.,-]+$ ]] || die "--nullb: '$kv' is not key=value"
		[ "${kv%%=*}" != memory_backed ] || die "--nullb: memory_backed is always 1"
	done
	for kv in "${USER_ENV[@]}"; do
		[[ $kv =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "--env: '$kv' is not NAME=VALUE"
	done
	[[ $XEN_ARGS != *,* ]] || die "--xen-args: no commas (QEMU's -append would split there)"
	is_uint "$DISK_MB" && [ "$DISK_MB" -ge 16 ] || die "--disk-mb must be >= 16"
	is_uint "$DOM0_MEM" && [ "$DOM0_MEM" -ge 512 ] || die "--dom0-mem must be >= 512"
	is_uint "$DOMU_MEM" && [ "$DOMU_MEM" -ge 128 ] || die "--domu-mem must be >= 128"
	is_uint "$TIMEOUT" && [ "$TIMEOUT" -ge 240 ] || die "--timeout must be >= 240"
	OUT=${OUT:-$TOP/results/lab/xen-$SCENARIO}
}

check_host() {
	local t
	for t in qemu-system-x86_64 python3 zstd cpio depmod modprobe; do
		command -v $t >/dev/null || die "$t not found (run: make deps)"
	done
	for t in "$XEN_GZ" $XENBIN/xl /usr/sbin/dmsetup /usr/bin/fio; do
		[ -e "$t" ] || die "$t missing (run: make deps; dmsetup: apt-get install dmsetup)"
	done
	[ -f "$LAB_DIR/initramfs.sh" ] || die "userspace/lab/initramfs.sh missing"
	# shellcheck source=userspace/lab/initramfs.sh
	. "$LAB_DIR/initramfs.sh"
	KVER=$(lab_kver) || exit 2
}

# ------------------------------------------------------------ output

T0=${EPOCHREALTIME/./}
elapsed() { # seconds since start, 1 decimal
	local us=$((${EPOCHREALTIME/./} - T0))
	printf '%d.%d' $((us / 1000000)) $((us / 100000 % 10))
}
say() { printf '[%6ss] %s\n' "$(elapsed)" "$*"; }

# ------------------------------------------------------------ images

# The stock kernel's bzImage -> ELF vmlinux, using the boot protocol header
# (setup_sects at 0x1f1, payload_offset/length at 0x248) to find the
# compressed payload. Cached per kernel version.
extract_vmlinux() { # bzImage out
	python3 - "$1" "$2" <<'EOF'
import lzma, struct, subprocess, sys, zlib
data = open(sys.argv[1], 'rb').read()
setup = (data[0x1f1] or 4) + 1
off, length = struct.unpack_from('<II', data, 0x248)
payload = data[setup * 512 + off:setup * 512 + off + length]
if payload[:6] == b'\xfd7zXZ\x00' or payload[:3] == b'\x5d\x00\x00':
    # streaming decoder: the payload may stop short of the xz stream footer
    elf = lzma.LZMADecompressor().decompress(payload)
elif payload[:2] == b'\x1f\x8b':
    elf = zlib.decompressobj(31).decompress(payload)
elif payload[:4] == b'\x28\xb5\x2f\xfd':
    elf = subprocess.run(['zstd', '-dc'], input=payload, check=True,
                         capture_output=True).stdout
else:
    sys.exit('unknown kernel compression %r' % payload[:4])
if elf[:4] != b'\x7fELF':
    sys.exit('payload is not an ELF file')
open(sys.argv[2], 'wb').write(elf)
EOF
}

# Key of the cached base images: anything that changes what goes into them.
base_key() {
	{
		echo "$KVER"
		dpkg-query -W -f '${Package} ${Version}\n' xen-utils-4.17 fio \
			busybox-static blktrace cgroup-tools dmsetup util-linux e2fsprogs tar \
			"linux-image-$KVER" 2>/dev/null
		sha256sum "$LAB_DIR/initramfs.sh" "${BASH_SOURCE[0]}"
	} | sha256sum | cut -c1-16
}

# mke2fs, fstrim, tar: the real-workload benchmark's guests (tests/xen/real/)
# make, trim and fill an ext4 file system (ext4 and crc32c for its checksums)
DOMU_BINS=(/usr/bin/bash /usr/bin/fio /usr/sbin/blktrace /usr/bin/blkparse /usr/bin/cgcreate
	/usr/bin/cgset /usr/bin/cgexec /usr/bin/cgget /usr/sbin/mke2fs /usr/sbin/fstrim
	/usr/bin/tar)
DOMU_MODS=(xen-blkfront configfs ext4 crc32c_generic)
# bash, flock, stat, readlink, losetup, logger: Xen's hotplug scripts; libxl-save-helper:
# xl save and xl restore
DOM0_BINS=(/usr/bin/bash /usr/bin/flock /usr/bin/stat /usr/bin/readlink
	/usr/sbin/losetup /usr/bin/logger /usr/bin/pkill /usr/sbin/dmsetup
	"$XENBIN/xl" "$XENBIN/xenstored" "$XENBIN/xenconsoled" "$XENBIN/xen-init-dom0"
	"$XENBIN/xenstore-control" "$XENBIN/xentop"
	"$XENBIN/libxl-save-helper"
	/usr/bin/xenstore /usr/bin/xenstore-read /usr/bin/xenstore-write
	/usr/bin/xenstore-ls /usr/bin/xenstore-list /usr/bin/xenstore-exists
	/usr/bin/xenstore-rm /usr/bin/xenstore-chmod /usr/bin/xenstore-watch
	"${DOMU_BINS[@]}")
DOM0_MODS=(configfs xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs
	xen-blkback null_blk loop dm-mod bfq kyber-iosched virtio_pci virtio_blk)

build_base_domU() { # root
	local r=$1
	ir_base "$r"
	ir_bins "$r" "${DOMU_BINS[@]}"
	ir_modules "$r" "$KVER" "${DOMU_MODS[@]}"
}

build_base_dom0() { # root
	local r=$1
	ir_base "$r"
	ir_bins "$r" "${DOM0_BINS[@]}"
	ir_modules "$r" "$KVER" "${DOM0_MODS[@]}"
	ln -sf ../lib/xen-4.17/bin/xl "$r/usr/sbin/xl"
	mkdir -p "$r/etc/xen" "$r/var/lib/xen" "$r/var/log/xen/console" "$r/guest"
	cp -a /etc/xen/scripts "$r/etc/xen/"
	cp /etc/xen/xl.conf "$r/etc/xen/xl.conf"
	cp "$BUILD/vmlinux-$KVER" "$r/guest/vmlinux"
}

# Build (or reuse) base-dom0/ base-domU/ and their images.
build_bases() {
	local key side
	key=$(base_key)
	mkdir -p "$BUILD"
	if [ ! -f "$BUILD/vmlinux-$KVER" ]; then
		extract_vmlinux "/boot/vmlinuz-$KVER" "$BUILD/vmlinux-$KVER.tmp"
		mv "$BUILD/vmlinux-$KVER.tmp" "$BUILD/vmlinux-$KVER"
	fi
	if [ "$REBUILD" = 0 ] && [ "$(cat "$BUILD/base.key" 2>/dev/null)" = "$key" ]; then
		return 0
	fi
	rm -f "$BUILD/base.key"
	for side in domU dom0; do
		"build_base_$side" "$BUILD/base-$side" >/dev/null
		ir_cpio "$BUILD/base-$side" "$BUILD/base-$side.img" >/dev/null
	done
	echo "$key" > "$BUILD/base.key"
}

# /lab/config: shell assignments read by both inits.
write_config() { # file
	local kv
	{
		echo "# written by xen-lab.sh"
		printf 'XOT_SCENARIO=%q\n' "$SCENARIO"
		printf 'XOT_DOMUS=%q\nXOT_DEVICE=%q\nXOT_LAYOUT=%q\n' "$DOMUS" "$DEVICE" "$LAYOUT"
		printf 'XOT_NULLB=%q\nXOT_DISK_MB=%q\n' "$NULLB" "$DISK_MB"
		printf 'XOT_DOMU_MEM=%q\nXOT_MODULES=%q\n' "$DOMU_MEM" "$MODULES"
		printf 'XOT_HOTPLUG=%q\n' "$HOTPLUG"
		# control/results disk of each domU, MiB (sparse: costs what is written)
		echo "XOT_RESULTS_MB=64"
		# dom0 uptime by which every domU must be gone: leaves time to
		# collect and power off before the host's time-out
		echo "XOT_DEADLINE=$((TIMEOUT - 90))"
		echo "XOT_GO_TIMEOUT=$((TIMEOUT - 90))"
		for kv in "${USER_ENV[@]}"; do
			printf 'export %s=%q\n' "${kv%%=*}" "${kv#*=}"
		done
	} > "$1"
}

# Per-run overlay on a clone of the base: config, init, scenario, tests/lib,
# XoT modules. $1 = side (dom0|domU).
add_run_files() {
	local side=$1 r=$BUILD/run-$1
	ir_clone "$BUILD/base-$side" "$r"
	ir_install "$r" "$LAB_DIR/xen-$side-init" /init
	chmod 755 "$r/init"
	mkdir -p "$r/lab/scenario" "$r/tests"
	write_config "$r/lab/config"
	cp -r "$TOP/tests/xen/$SCENARIO/." "$r/lab/scenario/"
	[ -d "$TOP/tests/lib" ] && cp -r "$TOP/tests/lib" "$r/tests/lib"
	if [ "$MODULES" = 1 ]; then
		ir_project_modules "$r" "$KVER" 2>/dev/null
	fi
}

build_images() {
	local t0=$EPOCHREALTIME
	build_bases
	add_run_files domU
	ir_cpio_delta "$BUILD/run-domU" "$BUILD/run-domU.img" >/dev/null
	add_run_files dom0
	# compressed (zstd): uncompressed, the domU spends less time unpacking
	# but xl create copies 86 MB instead of 33 MB and dom0 unpacks it at
	# boot; measured under TCG that is slower overall
	ir_cat "$BUILD/run-dom0/guest/domU.img" "$BUILD/base-domU.img" "$BUILD/run-domU.img"
	ir_cpio_delta "$BUILD/run-dom0" "$BUILD/run-dom0.img" >/dev/null
	ir_cat "$BUILD/dom0.img" "$BUILD/base-dom0.img" "$BUILD/run-dom0.img"
	if [ ! -f "$BUILD/xen-4.17" ] || [ "$XEN_GZ" -nt "$BUILD/xen-4.17" ]; then
		zcat "$XEN_GZ" > "$BUILD/xen-4.17"
	fi
	say "images built in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}') s" \
		"(dom0 $(du -h --apparent-size "$BUILD/dom0.img" | cut -f1)," \
		"domU $(du -h --apparent-size "$BUILD/run-dom0/guest/domU.img" | cut -f1);" \
		"XoT modules: ${IR_PROJECT_MODULES:-none built})"
}

# ------------------------------------------------------------ run

# One line of the serial console -> a progress line on the terminal (or
# nothing). Milestones come from dom0's init as "XOT-LAB what k=v...".
describe() {
	local l=$1 kv
	case $l in
	"(XEN) Xen version"*) echo "Xen started" ;;
	*"(XEN) *** Serial input to DOM0"*) echo "Xen up, dom0 kernel booting" ;;
	"XOT-LAB "*)
		set -- $l
		local what=$2
		shift 2
		declare -A a=()
		for kv; do a[${kv%%=*}]=${kv#*=}; done
		case $what in
		dom0-init) echo "dom0 /init started (dom0 uptime ${a[uptime]} s)" ;;
		toolstack-ready) echo "toolstack ready (dom0 uptime ${a[uptime]} s)" ;;
		module-loaded) echo "dom0: loaded ${a[name]}" ;;
		device) echo "dom0: device ${a[path]}, scheduler ${a[scheduler]}" ;;
		domU-created) echo "${a[name]} created (xl create took ${a[secs]} s)" ;;
		domU-up) echo "${a[name]} up (${a[secs_after_create]} s after its xl create)" ;;
		domU-off) echo "${a[name]} powered off and gone" ;;
		scenario-start) echo "scenario started in all domUs" ;;
		scenario-end) echo "scenario ended: all domUs powered off" ;;
		collected) echo "results collected" ;;
		poweroff) echo "dom0 powering off" ;;
		*) echo "$what $*" ;;
		esac
		;;
	XOT-PASS* | XOT-FAIL* | XOT-SKIP* | "["domU*"] XOT-"[PFS]* | \
		"["domU*"] XOT-DOMU-DONE"* | "["domU*"] XOT-LAB-DOMU"*)
		echo "$l" ;;
	*)
		if [[ $l =~ $KERNEL_PROBLEMS ]]; then echo "!! $l"; fi
		;;
	esac
}

run_qemu() {
	local mem=$((DOM0_MEM + DOMUS * (DOMU_MEM + 32) + 384)) line msg
	rm -rf "$OUT"
	mkdir -p "$OUT"
	truncate -s 256M "$OUT/.results.img"
	# dom0's kernel command line travels inside a multiboot module string,
	# where a comma separates modules: keep it comma-free.
	# The kernels run without CPU vulnerability mitigations: they protect
	# nothing in a lab and cost much under TCG (this halved the run time).
	# Xen's own stay on: "xpti=false" gave ~25% more IOPS per domU, and
	# "spec-ctrl=no xpti=false pv-l1tf=false" 3x more, but then user
	# processes in dom0 crashed (busybox GPF, xl segfault in libxenctrl, so
	# a domU was never destroyed). Try them with --xen-args.
	local xen_cmdline="console=com1 com1=115200,8n1 dom0_mem=${DOM0_MEM}M,max:${DOM0_MEM}M"
	xen_cmdline+=" loglvl=warning guest_loglvl=warning${XEN_ARGS:+ $XEN_ARGS}"
	local dom0_cmdline="console=hvc0 loglevel=5 panic=-1 mitigations=off"
	say "booting Xen + dom0 under QEMU (TCG, ${mem} MiB, $DOMUS domUs, $DEVICE/$LAYOUT, timeout ${TIMEOUT}s)"
	set +e
	timeout --foreground -k 10 "$TIMEOUT" \
		qemu-system-x86_64 -accel tcg,thread=multi -cpu Haswell-noTSX \
		-m "$mem" -smp 2 -display none -serial stdio -monitor none \
		-parallel none -nic none -no-reboot \
		-kernel "$BUILD/xen-4.17" \
		-append "$xen_cmdline" \
		-initrd "/boot/vmlinuz-$KVER $dom0_cmdline,$BUILD/dom0.img" \
		-drive "file=$OUT/.results.img,if=virtio,format=raw,cache=unsafe" \
		</dev/null 2>&1 |
		while IFS= read -r line; do
			line=${line%$'\r'}
			printf '%7s %s\n' "$(elapsed)" "$line" >> "$OUT/console.log"
			if [ "$VERBOSE" = 1 ]; then
				printf '%7s %s\n' "$(elapsed)" "$line"
			elif msg=$(describe "$line") && [ -n "$msg" ]; then
				say "$msg"
			fi
		done
	QEMU_RC=${PIPESTATUS[0]}
	set -e
	WALL=$(elapsed)
}

# ------------------------------------------------------------ verdict

# Unpack dom0's tar from the results disk into OUT; if that failed, rebuild
# each domU console from the mirrored lines so that something is there.
collect() {
	local i
	if tar -xf "$OUT/.results.img" -C "$OUT" 2>/dev/null && [ -f "$OUT/.complete" ]; then
		rm -f "$OUT/.results.img" "$OUT/.complete"
		COLLECTED=1
	else
		COLLECTED=0
	fi
	for i in $(seq 1 "$DOMUS"); do
		mkdir -p "$OUT/domU$i"
		if [ -f "$OUT/domU$i/console.log" ]; then
			sed -i 's/\r$//' "$OUT/domU$i/console.log"
		else
			sed -n "s/^ *[0-9.]* \[domU$i\] //p" "$OUT/console.log" > "$OUT/domU$i/console.log"
		fi
	done
}

# Where did it stop? The last milestone and the last line of each domain.
report_stall() {
	local i
	echo "xen-lab: last milestone: $(grep -E '^ *[0-9.]+ (XOT-LAB |\(XEN\) \*\*\* Serial)' "$OUT/console.log" | tail -1 || echo none)"
	echo "xen-lab: last dom0 line:  $(grep -vE '^ *[0-9.]+ (\[domU|\(XEN\)|qemu-system)' "$OUT/console.log" | tail -1 || echo none)"
	for i in $(seq 1 "$DOMUS"); do
		echo "xen-lab: last domU$i line: $(grep -E "^ *[0-9.]+ \[domU$i\]" "$OUT/console.log" | tail -1 || echo none)"
	done
}

# Decide, print the checks and a summary; sets VERDICT_RC.
verdict() {
	local i f pass fail skip problems=() why=() failed_domus=()
	[ "$QEMU_RC" = 124 ] || [ "$QEMU_RC" = 137 ] && why+=("time-out after ${TIMEOUT}s")
	[ "$QEMU_RC" != 0 ] && [ "$QEMU_RC" != 124 ] && [ "$QEMU_RC" != 137 ] &&
		why+=("QEMU exited with status $QEMU_RC")
	[ "$COLLECTED" = 1 ] || why+=("dom0's results did not come back")
	for i in $(seq 1 "$DOMUS"); do
		if ! grep -q 'XOT-DOMU-DONE rc=' "$OUT/domU$i/console.log"; then
			why+=("domU$i did not finish")
		elif ! grep -q 'XOT-DOMU-DONE rc=0' "$OUT/domU$i/console.log"; then
			why+=("domU$i: domU.sh $(grep -o 'XOT-DOMU-DONE rc=[0-9]*' "$OUT/domU$i/console.log" | tail -1 | cut -d' ' -f2)")
			failed_domus+=("$i")
		fi
	done
	# kernel trouble: dom0's console (not Xen's own lines, not the mirrored
	# domU lines: those are checked in their own logs), dmesg files, domU logs
	for f in "$OUT/console.log" "$OUT"/dom0/dmesg.txt "$OUT"/domU*/console.log "$OUT"/domU*/dmesg.txt; do
		[ -f "$f" ] || continue
		if grep -vE '^ *[0-9.]+ (\(XEN\)|\[domU)' "$f" | grep -qE "$KERNEL_PROBLEMS"; then
			problems+=("${f#"$OUT"/}")
		fi
	done
	[ ${#problems[@]} = 0 ] || why+=("kernel trouble in ${problems[*]}")

	# the checks: dom0's from its console, each domU's from its own console
	{
		grep -vE '^ *[0-9.]+ \[domU' "$OUT/console.log" | grep -oE 'XOT-(PASS|FAIL|SKIP) .*' | sed 's/^/dom0: /'
		for i in $(seq 1 "$DOMUS"); do
			grep -oE 'XOT-(PASS|FAIL|SKIP) .*' "$OUT/domU$i/console.log" | sed "s/^/domU$i: /"
		done
	} > "$OUT/checks.txt" || true
	pass=$(grep -c ': XOT-PASS' "$OUT/checks.txt" || true)
	fail=$(grep -c ': XOT-FAIL' "$OUT/checks.txt" || true)
	skip=$(grep -c ': XOT-SKIP' "$OUT/checks.txt" || true)
	[ "$fail" = 0 ] || why+=("$fail check(s) failed")
	[ "$pass" != 0 ] || [ "$fail" != 0 ] || [ "$skip" != 0 ] || why+=("no check reported anything")

	echo "---- checks ($OUT/checks.txt)"
	cat "$OUT/checks.txt"
	write_timings
	if [ ${#why[@]} = 0 ]; then
		VERDICT_RC=0
		echo "xen-lab: PASS ($SCENARIO, $DOMUS domUs, ${WALL}s)"
	else
		VERDICT_RC=1
		printf 'xen-lab: FAIL: %s\n' "${why[@]}"
		[ "$QEMU_RC" = 0 ] && [ "$COLLECTED" = 1 ] || report_stall
		[ ${#problems[@]} = 0 ] ||
			grep -hE "$KERNEL_PROBLEMS" "${problems[@]/#/$OUT/}" | head -5 | sed 's/^/  /'
		for i in "${failed_domus[@]}"; do
			echo "xen-lab: last lines of domU$i before it finished:"
			sed '/XOT-DOMU-DONE/,$d' "$OUT/domU$i/console.log" | tail -n 6 | sed 's/^/  /'
		done
	fi
	echo "xen-lab: $pass passed, $fail failed, $skip skipped"
	echo "xen-lab: results in $OUT"
}

# OUT/timings.txt: host seconds at each milestone, and the dom0-measured
# durations (for the Xen lab's performance record).
write_timings() {
	{
		echo "image_build_s=$BUILD_S"
		awk '
		/\(XEN\) \*\*\* Serial input to DOM0/ { print "xen_up_s=" $1 }
		/ XOT-LAB dom0-init / { print "dom0_init_s=" $1 }
		/ XOT-LAB toolstack-ready / { print "toolstack_ready_s=" $1 }
		/ XOT-LAB domU-created / { for (i = 3; i <= NF; i++) { split($i, kv, "=");
			if (kv[1] == "name") n = kv[2]; if (kv[1] == "secs") s = kv[2] }
			print n "_xl_create_s=" s; print n "_created_at_s=" $1 }
		/ XOT-LAB domU-up / { for (i = 3; i <= NF; i++) { split($i, kv, "=");
			if (kv[1] == "name") n = kv[2]; if (kv[1] == "secs_after_create") s = kv[2] }
			print n "_boot_s=" s; print n "_up_at_s=" $1 }
		/ XOT-LAB domU-off / { split($4, kv, "="); print kv[2] "_off_at_s=" $1 }
		/ XOT-LAB scenario-start / { print "scenario_start_s=" $1 }
		/ XOT-LAB scenario-end / { print "scenario_end_s=" $1 }
		/ XOT-LAB poweroff / { print "poweroff_s=" $1 }
		' "$OUT/console.log"
		echo "wall_s=$WALL"
	} > "$OUT/timings.txt"
}

main() {
	parse_args "$@"
	check_host
	mkdir -p "$BUILD"
	# one lab at a time: the images and roots under build/ are shared
	# (and two Xen labs on two cores would only make each other time out):
	# wait for the other one rather than fail
	exec 9> "$BUILD/.lock"
	if ! flock -n 9; then
		say "another xen-lab.sh is running: waiting for it (lock $BUILD/.lock)"
		flock -w "$TIMEOUT" 9 || die "still locked after ${TIMEOUT}s: $BUILD/.lock"
		T0=${EPOCHREALTIME/./}
	fi
	say "scenario $SCENARIO: $DOMUS domUs, device $DEVICE, layout $LAYOUT${NULLB:+, null_blk \"$NULLB\"}, out $OUT"
	local t0=$EPOCHREALTIME
	build_images
	BUILD_S=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}')
	run_qemu
	collect
	verdict
	exit "$VERDICT_RC"
}

main "$@"

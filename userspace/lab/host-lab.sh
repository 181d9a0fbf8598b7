#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# host-lab.sh - the XoT host lab: boot Debian's stock kernel under QEMU (TCG)
# with an initramfs holding busybox, fio, blktrace, cgroup-tools and the
# project's modules, run tests/host/SCENARIO.sh inside, bring the results back.
# Run with --help for usage.

set -euo pipefail
shopt -s extglob

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=initramfs.sh
. "$LAB_DIR/initramfs.sh"
SCEN_DIR=$XOT_TOP/tests/host
BUILD=$XOT_TOP/build/lab

usage() {
	cat <<EOF
Usage: $(basename "$0") [options] SCENARIO

Boot the stock Debian kernel (or a lockdep kernel: --kernel-tree) under
QEMU (TCG) with an initramfs, run tests/host/SCENARIO.sh inside and copy
its results back to the host.

Options:
  --timeout SEC   stop the run after SEC seconds (default $TMO)
  --mem MB        guest memory (default $MEM)
  --smp N         guest CPUs (default $SMP)
  --out DIR       results directory (default results/lab/host-SCENARIO);
                  emptied first; gets console.log and the guest's /results
  --disk-mb N     size of the blank virtio test disk, /dev/vda (default $DISK_MB)
  --append ARGS   extra kernel command line words; they also reach the
                  scenario as XOT_SCENARIO_ARGS and as its arguments
                  (e.g. --append 'loglevel=7' for a verbose kernel console)
  --bzimage       boot /boot/vmlinuz itself, not its uncompressed vmlinux
                  through the PVH entry (the default; ~3 s faster under TCG)
  --kernel-tree DIR  boot the kernel built by userspace/lab/lockdep-kernel.sh
                  (CONFIG_PROVE_LOCKING) in DIR (e.g. build/lockdep-kernel):
                  DIR/obj/vmlinux, its modules from DIR/modinst and XoT's
                  from DIR/xot, instead of /boot and /lib/modules
  --modules DIR   XoT's modules (*.ko) from DIR (default: the repository's
                  own, or DIR/xot of --kernel-tree)
  --rebuild       rebuild the cached base image even if nothing changed
  --verbose       also print every kernel line on the terminal
  --keep          keep the work directory (image, disks) and print its path
  -h, --help      this help

Scenarios: $(list_scenarios)

Exit status: 0 the scenario passed and the kernel log is clean; 1 the
scenario failed or the kernel logged a WARNING/BUG/Oops/...; 2 usage error;
3 time-out; 4 the lab itself failed (image, QEMU, guest never ran the
scenario).
Environment: XOT_KVER (kernel version, default: newest linux-headers-*-amd64).
EOF
}

list_scenarios() {
	local f out=
	for f in "$SCEN_DIR"/*.sh; do
		[ -e "$f" ] && out="$out $(basename "$f" .sh)"
	done
	echo "${out# }"
}

die() { # code message...
	local c=$1
	shift
	echo "host-lab: error: $*" >&2
	exit "$c"
}
note() { echo "host-lab: $*"; }

# ------------------------------------------------------------------ options
TMO=600 MEM=2048 SMP=2 OUT= DISK_MB=512 APPEND= KEEP=0 VERBOSE=0 BZIMAGE=0 REBUILD=0 SCENARIO=
KTREE='' MODS=''
while [ $# -gt 0 ]; do
	opt=$1 val=''
	case $opt in
	--*=*) val=${opt#*=} opt=${opt%%=*} ;;
	esac
	case $opt in
	--timeout | --mem | --smp | --out | --disk-mb | --append | --kernel-tree | --modules)
		if [ -z "$val" ]; then
			[ $# -ge 2 ] || die 2 "$opt needs a value (see --help)"
			val=$2
			shift
		fi ;;
	esac
	case $opt in
	--timeout) TMO=$val ;;
	--mem) MEM=$val ;;
	--smp) SMP=$val ;;
	--out) OUT=$val ;;
	--disk-mb) DISK_MB=$val ;;
	--append) APPEND=$val ;;
	--kernel-tree) KTREE=$val ;;
	--modules) MODS=$val ;;
	--keep) KEEP=1 ;;
	--verbose) VERBOSE=1 ;;
	--bzimage) BZIMAGE=1 ;;
	--rebuild) REBUILD=1 ;;
	-h | --help) usage; exit 0 ;;
	-*) die 2 "unknown option $opt (see --help)" ;;
	*)
		[ -z "$SCENARIO" ] || die 2 "only one scenario per run ($SCENARIO, $opt)"
		SCENARIO=$opt ;;
	esac
	shift
done
for v in timeout:TMO mem:MEM smp:SMP disk-mb:DISK_MB; do
	n=${v#*:}
	[[ ${!n} =~ ^[1-9][0-9]*$ ]] || die 2 "--${v%:*} must be a positive integer, got '${!n}'"
done
[ -n "$SCENARIO" ] || { usage >&2; exit 2; }
[[ $SCENARIO =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || die 2 "bad scenario name '$SCENARIO'. Available: $(list_scenarios)"
SCEN_FILE=$SCEN_DIR/$SCENARIO.sh
[ -f "$SCEN_FILE" ] || die 2 "unknown scenario '$SCENARIO': no $SCEN_FILE. Available: $(list_scenarios)"
OUT=${OUT:-$XOT_TOP/results/lab/host-$SCENARIO}

for t in qemu-system-x86_64 zstd cpio depmod modprobe timeout tar flock; do
	command -v "$t" >/dev/null || die 4 "$t not found (run: make deps)"
done
if [ -n "$KTREE" ]; then
	[ -d "$KTREE" ] || die 2 "--kernel-tree $KTREE: no such directory"
	KTREE=$(cd "$KTREE" && pwd)
	{ [ -f "$KTREE/obj/vmlinux" ] && [ -f "$KTREE/obj/include/config/kernel.release" ]; } ||
		die 4 "--kernel-tree $KTREE: no built kernel (DIR/obj/vmlinux); run userspace/lab/lockdep-kernel.sh --out $KTREE"
	KVER=$(cat "$KTREE/obj/include/config/kernel.release")
	[ -d "$KTREE/modinst/lib/modules/$KVER/kernel" ] ||
		die 4 "--kernel-tree $KTREE: no modules of $KVER in DIR/modinst; run userspace/lab/lockdep-kernel.sh --out $KTREE"
	IR_MODROOT=$KTREE/modinst
	MODS=${MODS:-$KTREE/xot}
else
	KVER=$(lab_kver) || exit 4
fi
MODS=${MODS:-$XOT_TOP}
[ -d "$MODS" ] || die 2 "--modules $MODS: no such directory"

# ------------------------------------------------------------------ image
# What the base image holds. Everything here is cached in $BUILD/host-base
# and rebuilt only when this list, the library or an input file changes.
BASE_BINS=(
	/usr/bin/bash /usr/bin/kmod /usr/bin/fio
	/usr/sbin/blktrace /usr/bin/blkparse /usr/bin/btt
	/usr/bin/cgcreate /usr/bin/cgset /usr/bin/cgexec /usr/bin/cgget
	/usr/bin/cgdelete /usr/bin/lscgroup /usr/bin/cgclassify
	/usr/sbin/mke2fs /usr/sbin/e2fsck
)
BASE_MODS=(null_blk loop bfq kyber-iosched virtio_pci virtio_blk configfs ext4)

base_stamp() {
	{
		echo "$KVER ${BASE_BINS[*]} ${BASE_MODS[*]}"
		sha256sum "$LAB_DIR/initramfs.sh"
		declare -f build_base
		stat -L -c '%n %s %Y' /bin/busybox "${BASE_BINS[@]}" "$IR_MODROOT/lib/modules/$KVER/modules.dep"
	} | sha256sum | cut -d' ' -f1
}

build_base() { # dir
	local d=$1 r=$1/root t
	ir_base "$r"
	ir_bins "$r" "${BASE_BINS[@]}"
	# kmod's modprobe/rmmod instead of busybox's: the real tools, including
	# the exact "module is in use" behaviour; /sbin/modprobe is what the
	# kernel runs for request_module() (e.g. echo bfq > .../scheduler)
	for t in modprobe insmod rmmod lsmod modinfo depmod; do
		ln -sfn kmod "$r/usr/bin/$t"
		ln -sfn ../bin/kmod "$r/usr/sbin/$t"
	done
	ln -sfn mke2fs "$r/usr/sbin/mkfs.ext4"
	ln -sfn e2fsck "$r/usr/sbin/fsck.ext4"
	ir_modules "$r" "$KVER" "${BASE_MODS[@]}"
	ir_cpio "$r" "$d/base.cpio.zst"
}

# Serialised with flock: several labs may run at the same time. The base is
# checked/rebuilt under an exclusive lock, which then becomes a shared lock
# held until build_image has cloned and copied it (release_base).
ensure_base() {
	local d=$BUILD/host-base-$KVER stamp
	mkdir -p "$BUILD"
	exec 9>"$BUILD/host-base.lock"
	flock 9
	stamp=$(base_stamp)
	if [ $REBUILD = 0 ] && [ -f "$d/stamp" ] && [ "$(cat "$d/stamp")" = "$stamp" ] && [ -f "$d/base.cpio.zst" ]; then
		BASE_STATE=cached
	else
		BASE_STATE=rebuilt
		rm -rf "$d"
		mkdir -p "$d"
		build_base "$d" || { rm -rf "$d"; die 4 "cannot build the base image"; }
		echo "$stamp" >"$d/stamp"
	fi
	flock -s 9
	BASE=$d
}
release_base() { exec 9>&-; }

# Per run: a hard-linked clone of the base root plus init, scenario, test
# library and project modules; only those travel in a small second archive.
build_image() {
	local r=$WORK/root
	ir_clone "$BASE/root" "$r"
	ir_install "$r" "$LAB_DIR/host-init" /init
	ir_install "$r" "$SCEN_FILE" /scenario.sh
	chmod 755 "$r/init" "$r/scenario.sh"
	# the test library, and the other scenarios (one may source another)
	rm -rf "$r/tests"
	mkdir -p "$r/tests/host"
	cp -r "$XOT_TOP/tests/lib" "$r/tests/lib"
	cp "$SCEN_DIR"/*.sh "$r/tests/host/"
	ir_project_modules "$r" "$KVER" "$MODS"
	# the trace analyser, when built (make user); libc and libm are in the base
	if [ -x "$XOT_TOP/build/bin/xot-trace" ]; then
		ir_install "$r" "$XOT_TOP/build/bin/xot-trace" /usr/bin/xot-trace
	fi
	# test helpers (make user): tests/tools/
	if [ -x "$XOT_TOP/build/tests/aio-batch" ]; then
		ir_install "$r" "$XOT_TOP/build/tests/aio-batch" /usr/bin/aio-batch
	fi
	PROJECT_MODULES=${IR_PROJECT_MODULES:-none}
	ir_cpio_delta "$r" "$WORK/run.cpio.zst"
	ir_cat "$WORK/initrd.img" "$BASE/base.cpio.zst" "$WORK/run.cpio.zst"
}

# ------------------------------------------------------------------ kernel
# Boot the same kernel uncompressed, through its PVH entry point (Debian
# builds CONFIG_PVH=y; QEMU boots an ELF vmlinux with that note via PVH): the
# bzImage's own xz decompression costs ~3 s per boot under TCG. The vmlinux
# is cut out of /boot/vmlinuz once and cached. Any doubt: the bzImage.
pvh_kernel() {
	local src=/boot/vmlinuz-$KVER v=$BUILD/vmlinux-$KVER off t
	if [ ! -s "$v" ] || [ "$src" -nt "$v" ]; then
		off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$src" | head -n 1 | cut -d: -f1)
		[ -n "$off" ] || return 1
		t=$v.$$ # private temporaries, then an atomic rename: runs may race here
		# (no pipe: xz stops reading after the stream, tail would get SIGPIPE)
		tail -c +$((off + 1)) "$src" >"$t.xz"
		xz -dc --single-stream "$t.xz" >"$t" 2>/dev/null || { rm -f "$t.xz" "$t"; return 1; }
		rm -f "$t.xz"
		# ELF with XEN_ELFNOTE_PHYS32_ENTRY (18): the PVH entry point
		readelf -n "$t" 2>/dev/null | grep -q 'Xen.*(0x00000012)' || { rm -f "$t"; return 1; }
		mv "$t" "$v"
	fi
	echo "$v"
}

# ------------------------------------------------------------------ output
prepare_out() {
	if [ -d "$OUT" ] && [ -n "$(ls -A "$OUT")" ] && [ ! -e "$OUT/.host-lab" ]; then
		die 2 "--out $OUT exists, is not empty and is not a host-lab results directory; not touching it"
	fi
	rm -rf "$OUT"
	mkdir -p "$OUT"
	OUT=$(cd "$OUT" && pwd)
	: >"$OUT/.host-lab"
}

now_cs() { # centiseconds since START_US, without forking (EPOCHREALTIME)
	local t=${EPOCHREALTIME/./}
	echo $(((t - START_US) / 10000))
}
fmt_cs() { printf '%d.%02d' $(($1 / 100)) $(($1 % 100)); }

# Kernel lines (printk time stamp anywhere: user output may precede it on the
# same console line) that mean the run is not clean.
KPROBLEM='\[ *[0-9]+\.[0-9]+\].*(WARNING:|BUG:|Oops|Call Trace|general protection|hung_task|blocked for more than|KASAN|UBSAN|Kernel panic|soft lockup|hard LOCKUP|rcu.*stall)'
KLINE='^\[ *[0-9]+\.[0-9]+\] '

# Read QEMU's serial output: time-stamp it, save it, show it. Sets nothing
# (runs in a pipeline subshell): the analysis reads console.log afterwards.
console_reader() {
	local line t
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line//$'\r'/}
		# terminal control sequences from the firmware (CSI ..., ESC c)
		line=${line//$'\e'\[*([0-9;?])[a-zA-Z]/}
		line=${line//$'\e'[a-zA-Z]/}
		t=$(fmt_cs "$(now_cs)")
		printf '%8s %s\n' "$t" "$line" >>"$OUT/console.log"
		if [ $VERBOSE = 1 ] || [[ ! $line =~ $KLINE ]] || [[ $line =~ $KPROBLEM ]]; then
			printf '[%7ss] %s\n' "$t" "$line"
		fi
	done
}

# ------------------------------------------------------------------ run
cleanup() {
	[ -n "${WORK:-}" ] || return 0
	if [ $KEEP = 1 ]; then
		note "work directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
}

START_US=${EPOCHREALTIME/./}
prepare_out
mkdir -p "$BUILD/work"
WORK=$(mktemp -d "$BUILD/work/host-$SCENARIO.XXXXXX")
trap cleanup EXIT

note "scenario $SCENARIO, kernel $KVER, timeout ${TMO}s, ${MEM} MB, $SMP CPUs, results in $OUT"
ensure_base
build_image >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; die 4 "cannot build the initramfs"; }
release_base
grep -i 'warning' "$WORK/build.log" | sed 's/^/host-lab: /' || true
BUILD_CS=$(now_cs)
note "image ready in $(fmt_cs "$BUILD_CS") s (base $BASE_STATE, project modules: $PROJECT_MODULES, $(du -h --apparent-size "$WORK/initrd.img" | cut -f1))"

KERNEL=/boot/vmlinuz-$KVER
if [ -n "$KTREE" ]; then
	# a kernel build tree: its vmlinux has the PVH note (CONFIG_PVH=y)
	KERNEL=$KTREE/obj/vmlinux
	[ $BZIMAGE = 0 ] || KERNEL=$KTREE/obj/arch/x86/boot/bzImage
elif [ $BZIMAGE = 0 ]; then
	KERNEL=$(pvh_kernel) || {
		KERNEL=/boot/vmlinuz-$KVER
		note "cannot extract a PVH vmlinux from $KERNEL; booting the bzImage"
	}
fi

truncate -s "${DISK_MB}M" "$WORK/test.img"
# results disk: sparse, blank every run so stale results cannot be read back
truncate -s 1G "$WORK/results.img"

# The guest stops a stuck scenario itself a little before the host time-out
# (guest uptime; the guest boots a few seconds after QEMU starts), so that
# the results and a dump of the blocked tasks still come back.
if [ "$TMO" -ge 90 ]; then DEADLINE=$((TMO - 30)); else DEADLINE=$((TMO * 2 / 3)); fi
# loglevel=5: warnings and worse reach the console (quiet would hide WARNING:)
CMDLINE="console=ttyS0,115200 panic=-1 loglevel=5 edd=off xot.deadline=$DEADLINE xot.scenario=$SCENARIO${APPEND:+ $APPEND}"

QEMU=(qemu-system-x86_64
	-accel tcg,thread=multi -cpu max -machine pc -m "$MEM" -smp "$SMP"
	-nographic -nodefaults -no-user-config -serial stdio -no-reboot
	-kernel "$KERNEL" -initrd "$WORK/initrd.img" -append "$CMDLINE"
	-drive "file=$WORK/test.img,format=raw,if=none,id=test,cache=unsafe"
	-device virtio-blk-pci,drive=test,serial=xot-test
	-drive "file=$WORK/results.img,format=raw,if=none,id=results"
	-device virtio-blk-pci,drive=results,serial=xot-results)
printf '%q ' "${QEMU[@]}" >"$WORK/qemu.cmd"
cp "$WORK/qemu.cmd" "$OUT/qemu.cmd"

QEMU_CS=$(now_cs)
note "booting (QEMU TCG; progress below, full log in $OUT/console.log)"
set +e
timeout --foreground -k 10 "$TMO" "${QEMU[@]}" </dev/null 2>&1 | console_reader
QRC=${PIPESTATUS[0]}
END_CS=$(now_cs)
# From here on every outcome is examined explicitly (a grep finding nothing
# is an answer, not an error): errexit stays off.

# ------------------------------------------------------------------ verdict
# results disk -> OUT (a tar written by the guest /init; blank if it never got there)
RESULTS_OK=0
if [ -n "$(head -c 512 "$WORK/results.img" | tr -d '\0')" ]; then
	if tar -xf "$WORK/results.img" -C "$OUT" --warning=no-alone-zero-block 2>"$WORK/tar.err"; then
		RESULTS_OK=1
	else
		note "cannot extract the results disk: $(head -3 "$WORK/tar.err")"
	fi
fi

C=$OUT/console.log
touch "$C"
line_time() { grep -m1 -E "$1" "$C" | awk '{ print $1 }'; }
# seconds from console time stamp $2 (or QEMU start) to $1, or "never"
span() { if [ -n "$1" ]; then awk -v a="${2:-$(fmt_cs "$QEMU_CS")}" -v b="$1" 'BEGIN { printf "%.1f s", b - a }'; else echo never; fi; }
T_START=$(line_time 'XOT-SCENARIO-START')
T_DONE=$(line_time 'XOT-SCENARIO-DONE')
SRC=
if [ $RESULTS_OK = 1 ] && [ -f "$OUT/_lab/rc" ]; then
	SRC=$(cat "$OUT/_lab/rc")
elif [ -n "$T_DONE" ]; then
	SRC=$(grep -m1 -o 'XOT-SCENARIO-DONE rc=[0-9]*' "$C" | sed 's/.*rc=//')
fi
# kernel problems: in the console, and in the guest's full dmesg (the console
# only shows loglevel <= warning)
PROBLEMS=$(
	{
		grep -E "$KPROBLEM" "$C" | cut -c10-
		[ -f "$OUT/_lab/dmesg.txt" ] && grep -E "$KPROBLEM" "$OUT/_lab/dmesg.txt"
	} | sed -E 's/^.*(\[ *[0-9]+\.[0-9]+\])/\1/' | awk '!seen[$0]++' | head -n 8 || true
)
SUMMARY=$OUT/summary.txt
{
	echo "scenario: $SCENARIO  kernel: $KVER  qemu exit: $QRC"
	echo "image: $(fmt_cs "$BUILD_CS") s (base $BASE_STATE)  QEMU-start-to-scenario: $(span "$T_START")  scenario: $(span "$T_DONE" "$T_START")  total: $(fmt_cs "$END_CS") s"
	grep -E 'XOT-(PASS|FAIL|SKIP|SUMMARY)' "$C" | cut -c10- || true
} >"$SUMMARY"

echo "----------------------------------------------------------------------"
cat "$SUMMARY"
VERDICT=0
if [ "$QRC" = 124 ] || [ "$QRC" = 137 ] || grep -q 'XOT-SCENARIO-TIMEOUT' "$C"; then
	# the scenario's last words: its own lines after the start, before any
	# time-out handling (no kernel lines, no /init lines)
	last=$(cut -c10- "$C" | sed -n '/XOT-SCENARIO-START/,/XOT-SCENARIO-TIMEOUT/p' |
		grep -v -E "$KLINE|^\[lab-init|^qemu-system|^\s*$" | tail -n 1 || true)
	if [ "$QRC" = 124 ] || [ "$QRC" = 137 ]; then
		how="QEMU killed after ${TMO}s"
	else
		how="the guest stopped the scenario at its deadline (uptime ${DEADLINE}s, --timeout $TMO)"
	fi
	echo "host-lab: TIME-OUT: $how; last scenario line: ${last:-<none>}" | tee -a "$SUMMARY"
	VERDICT=3
elif [ -z "$T_START" ]; then
	echo "host-lab: the guest never started the scenario (QEMU exit $QRC); last console lines:" | tee -a "$SUMMARY"
	tail -n 15 "$C" | cut -c10- | sed 's/^/    | /'
	VERDICT=4
elif [ -z "$SRC" ]; then
	echo "host-lab: the scenario started but never finished (guest crashed?); see $C" | tee -a "$SUMMARY"
	VERDICT=4
elif [ "$SRC" != 0 ]; then
	echo "host-lab: scenario FAILED (rc=$SRC)" | tee -a "$SUMMARY"
	VERDICT=1
fi
if [ -n "$PROBLEMS" ]; then
	echo "host-lab: kernel problems in the guest log:" | tee -a "$SUMMARY"
	echo "$PROBLEMS" | sed 's/^/    ! /' | tee -a "$SUMMARY"
	[ $VERDICT != 0 ] || VERDICT=1
fi
[ $RESULTS_OK = 1 ] || echo "host-lab: no results came back from the guest" | tee -a "$SUMMARY"
if [ $VERDICT = 0 ]; then
	echo "host-lab: PASS ($SCENARIO, $(fmt_cs "$END_CS") s); results in $OUT" | tee -a "$SUMMARY"
else
	echo "host-lab: FAIL (exit $VERDICT); results in $OUT" | tee -a "$SUMMARY"
fi
exit $VERDICT

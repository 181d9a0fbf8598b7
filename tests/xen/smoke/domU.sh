#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Xen-lab smoke test, guest side (runs in every domU; environment in
# userspace/lab/xen-lab.sh). fio writes 4 KiB blocks at random through
# blkfront/blkback onto dom0's device, with a crc32c in each block, and reads
# every block back to verify it while it writes (verify_backlog: a
# time-bounded write job would otherwise stop before its verify phase).
# Leaves fio.terse in the results for dom0's after_domus, which compares it
# with what the physical device saw.

. "$XOT_LIB/guest.sh"

RUNTIME=${XOT_SMOKE_RUNTIME:-20}
IODEPTH=${XOT_SMOKE_IODEPTH:-16}

# 64 MiB region: each block is written and verified more than once in 20 s,
# and dom0's memory-backed null_blk holds little.
smoke_fio() {
	fio_verify smoke --filename="$XOT_DISK" --size=64m \
		--rw=randwrite --bs=4k --ioengine=libaio --iodepth="$IODEPTH" \
		--direct=1 --verify=crc32c --verify_backlog=32 --verify_fatal=1 \
		--runtime="$RUNTIME" --output-format=normal,terse --terse-version=3
	grep '^3;' "$RESULTS/fio-smoke.txt" > "$RESULTS/fio.terse"
	# terse v3: 6 read KiB, 8 read IOPS, 47 write KiB, 49 write IOPS
	# shellcheck disable=SC2046 # split into the four fields
	set -- $(awk -F';' '{ print $6, $8, $47, $49 }' "$RESULTS/fio.terse")
	echo "written ${3:-0} KiB (${4:-0} IOPS), verified ${1:-0} KiB" > "$RESULTS/summary.txt"
	[ "${3:-0}" -gt 0 ] || err "fio wrote nothing"
	[ "${1:-0}" -gt 0 ] || err "fio verified nothing"
}

log "$XOT_DOMU: fio on $XOT_DISK ($(cat /sys/block/${XOT_DISK#/dev/}/size) sectors," \
	"scheduler $(sched_get "$XOT_DISK"))"
check fio-verify smoke_fio
log "$XOT_DOMU: $(cat "$RESULTS/summary.txt" 2>/dev/null)"
finish

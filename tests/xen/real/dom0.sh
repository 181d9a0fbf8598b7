# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Real-workload Xen benchmark (make bench-real), dom0 side; sourced by
# dom0's /init (protocol in userspace/lab/xen-lab.sh). The guests run
# filesystem workloads (tests/xen/real/domU.sh); dom0 measures what reached
# the device, the same way in every configuration:
#
#   before_domus  the configuration (XOT_BENCH_MODE xot, nohook, bfq, none:
#                 tests/lib/xen-bench-dom0.sh, shared with bench-xen), and
#                 the map of the VMs' volumes: dmsetup ls and table
#                 (dom0/dmsetup-ls.txt, dom0/dmsetup-table.txt)
#   while_domus   blktrace on the physical device and on every VM's
#                 dm-linear volume for the whole run (dom0/trace/), from
#                 the moment the guests get "go" until they are gone; a
#                 marker read of one block by dd on the physical device at
#                 each end, with Xen's wall clock before and after it
#                 (dom0/markers.txt: "NAME SECTOR EPOCH_BEFORE EPOCH_AFTER"),
#                 to place the trace's clock on the wall clock the guests
#                 log their workloads in; xot: the elevator's tree every
#                 10 s with the wall clock (dom0/trees.txt) as a cross-check
#                 of the guest cgroup split, and the VMs' domids
#                 (dom0/xl-list.txt)
#   after_domus   the elevator's tree and stats (as bench-xen)
#
# The traces are parsed on the host (userspace/bench/real-records.sh): the
# device is depth 1, so dispatch (D) to completion (C) is the request's
# device time; each request belongs to the VM whose volume covers its
# sector (dmsetup table), an empty flush to the VM whose volume remapped it
# (the A record names the dm device).

. "$XOT_LIB/xen-bench-dom0.sh"

REAL=/tmp/real


before_domus() {
	xb_before_domus || return 1
	mkdir -p $REAL
	DM_DISABLE_UDEV=1 dmsetup ls >"$XOT_RESULTS/dmsetup-ls.txt" &&
		DM_DISABLE_UDEV=1 dmsetup table >"$XOT_RESULTS/dmsetup-table.txt" ||
		{ echo "XOT-FAIL real-dmsetup cannot read the volume map"; return 1; }
	cat /sys/block/"$(cat $STATE/dev)"/queue/write_cache \
		>"$XOT_RESULTS/write-cache.txt" 2>/dev/null
	echo "XOT-PASS real-setup volumes: $(tr '\n' ';' <"$XOT_RESULTS/dmsetup-table.txt")"
}

# marker NAME BLOCK: one direct 4 KiB read of the physical device by dd,
# with the wall clock (Xen's, as the guests') before and after it
real_marker() {
	local dev a b
	dev=/dev/$(cat $STATE/dev)
	a=$EPOCHREALTIME
	dd if="$dev" of=/dev/null bs=4096 count=1 skip="$2" iflag=direct 2>/dev/null
	b=$EPOCHREALTIME
	echo "$1 $(($2 * 8)) $a $b" >>"$XOT_RESULTS/markers.txt"
}

real_trees() {
	local dev
	dev=$(cat $STATE/dev)
	while [ -e $REAL/tracing ]; do
		echo "tree-at $EPOCHREALTIME"
		cat "/sys/kernel/debug/block/$dev/sched/tree" 2>/dev/null
		sleep 10
	done >"$XOT_RESULTS/trees.txt"
}

while_domus() {
	local devs d pid tpid=
	mkdir -p $REAL/trace
	devs="-d /dev/$(cat $STATE/dev)"
	for d in /dev/mapper/xot-domU*; do
		devs="$devs -d $d"
	done
	touch $REAL/tracing
	# large buffers: a TCG dom0 may fall behind (drops are in blktrace.txt)
	# shellcheck disable=SC2086 # one word per option
	blktrace -b 512 -n 8 $devs -D $REAL/trace >"$XOT_RESULTS/blktrace.txt" 2>&1 &
	pid=$!
	sleep 2
	kill -0 $pid 2>/dev/null || { echo "XOT-FAIL real-blktrace did not start: $(head -c 300 "$XOT_RESULTS/blktrace.txt")"; return 1; }
	real_marker start 1
	# each VM's domid (xot's tree names VMs by domid)
	xl list >"$XOT_RESULTS/xl-list.txt" 2>&1
	if [ "$XOT_BENCH_MODE" = xot ]; then
		real_trees &
		tpid=$!
	fi
	xb_while_domus
	while lab_domus_running; do
		sleep 1
	done
	real_marker end 2
	rm -f $REAL/tracing
	sleep 1
	kill -INT $pid
	wait $pid
	[ -z "$tpid" ] || wait $tpid
	mkdir -p "$XOT_RESULTS/trace"
	cp $REAL/trace/* "$XOT_RESULTS/trace/"
	echo "XOT-PASS real-trace $(du -sk $REAL/trace | cut -f1) KiB of traces; $(grep -i 'dropped' "$XOT_RESULTS/blktrace.txt" | tr '\n' ' ')"
}

after_domus() {
	xb_after_domus
}

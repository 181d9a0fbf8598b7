#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-lab fault test (inside the guest):
#   userspace/lab/host-lab.sh faults                     (test command)
#   userspace/lab/host-lab.sh --append switch=300 faults (make stress)
#
# - The backing device goes away with I/O queued in xot: a slow null_blk
#   device (20 ms per request, one tag) on xot, three cgroups with 16 reads
#   each outstanding (most of them waiting inside the elevator), then the
#   device is powered off through configfs (del_gendisk waits for every
#   request). fio then fails its I/O; it may go on retrying on the dead
#   device (it does on mq-deadline as well, the baseline run first), so it
#   is killed after 10 s: it must exit, which it cannot while a request of
#   its is lost, and nothing may block in the kernel. The kernel logs no
#   warning (the lab checks the log), and the module unloads afterwards.
# - Scheduler switched round xot, mq-deadline, none, bfq, kyber every 0.3 s
#   for SWITCH seconds (default 20; make stress: minutes) while three
#   cgroups write and verify with crc32c: no verify error, no hang.
# - Merges in every path xot takes part in (at insertion, bio back/front
#   merges into queued requests, a queued request merged away), with data
#   written and read through them verified (aio-batch, tests/tools/).
. "${XOT_LIB:-/tests/lib}/guest.sh"

SWITCH=20
for a in $XOT_SCENARIO_ARGS; do
	case $a in switch=*) SWITCH=${a#*=} ;; esac
done
CG=/sys/fs/cgroup

check load-xot load_xot
check cgroups sh -c "mkdir -p $CG/fa $CG/fb $CG/fc && echo 100 >$CG/fa/io.xot.weight &&
	echo 200 >$CG/fb/io.xot.weight && echo 400 >$CG/fc/io.xot.weight"

# 1. the device goes away under queued I/O
device_removed() { # scheduler
	local dev name g pids=() rc n=0 i
	dev=$(nullb_create gone size=256 memory_backed=0 irqmode=2 completion_nsec=20000000 \
		hw_queue_depth=1 blocksize=4096)
	name=${dev#/dev/}
	sched_set "$name" "$1"
	echo 128 >/sys/block/$name/queue/nr_requests
	for g in fa fb fc; do
		cgexec -g io:$g fio --name=$g --filename=$dev --direct=1 --rw=randread --bs=4k \
			--ioengine=libaio --iodepth=16 --runtime=60 --time_based \
			--output=/tmp/fio-gone-$g.txt >/dev/null 2>&1 &
		pids+=($!)
	done
	# fio starts slowly under TCG: wait until requests wait in the elevator
	# (xot counts them in debugfs; for the baseline, give fio 15 s)
	queued() { awk '$1 == "queued" { print $2 }' /sys/kernel/debug/block/$name/sched/stats; }
	if [ "$1" = xot ]; then
		for i in $(seq 1 60); do
			[ "$(queued)" -gt 8 ] && break
			sleep 0.5
		done
		grep -E '^(queued|inflight) ' /sys/kernel/debug/block/$name/sched/stats
		[ "$(queued)" -gt 8 ] ||
			{ kill "${pids[@]}" 2>/dev/null; cat /tmp/fio-gone-fa.txt; err "nothing queued after 30 s"; }
	else
		sleep 15
	fi
	echo 0 >/sys/kernel/config/nullb/gone/power
	echo "powered off at $(cut -d' ' -f1 /proc/uptime): del_gendisk drained the queue"
	# fio may keep retrying on the dead device (it does with mq-deadline
	# too: running in user space, not blocked): give it 10 s, then SIGKILL.
	# A request lost in the kernel would show here: the process would
	# block (D) or never exit, since exiting waits for its aio requests.
	alive() {
		local p k=0
		for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && k=$((k + 1)); done
		echo $k
	}
	for i in $(seq 1 20); do
		[ "$(alive)" = 0 ] && break
		sleep 0.5
	done
	n=$(alive)
	echo "$((3 - n)) of 3 fio ended by themselves within 10 s"
	for i in /proc/[0-9]*; do
		[ "$(cat $i/comm 2>/dev/null)" = fio ] || continue
		echo "fio ${i#/proc/} $(awk '/^State:/ { print $2 }' $i/status) wchan $(cat $i/wchan)"
	done
	kill -9 "${pids[@]}" 2>/dev/null
	for i in /proc/[0-9]*; do
		[ "$(cat $i/comm 2>/dev/null)" = fio ] && kill -9 "${i#/proc/}" 2>/dev/null
	done
	for i in $(seq 1 30); do
		[ "$(alive)" = 0 ] && break
		sleep 0.5
	done
	[ "$(alive)" = 0 ] || { dump_blocked; err "fio did not exit within 15 s of SIGKILL"; }
	for rc in "${pids[@]}"; do wait "$rc" 2>/dev/null || true; done
	rmdir /sys/kernel/config/nullb/gone || err "cannot remove the null_blk item"
	[ ! -e "/sys/block/$name" ] || err "$name still exists"
}
check device-removed-mq-deadline device_removed mq-deadline
check device-removed-under-io device_removed xot

# 2. switching schedulers in a loop under verified I/O, SWITCH seconds
# (lifecycle.sh does the same for one fio run; this one lasts)
switch_loop() {
	local dev a b rc=0
	dev=$(nullb_create sw size=256 memory_backed=1 irqmode=2 completion_nsec=200000 \
		hw_queue_depth=4 blocksize=4096)
	sched_set "$dev" xot
	verified() { # cgroup offset_mb
		cgexec -g io:$1 fio --name=$1 --filename=$dev --direct=1 --rw=randwrite \
			--bs=4k --ioengine=libaio --iodepth=8 --offset=${2}m --size=64m \
			--verify=crc32c --verify_backlog=64 --verify_fatal=1 \
			--runtime=$SWITCH --time_based --output=/tmp/fio-sw-$1.txt >/dev/null 2>&1
	}
	verified fa 0 &
	a=$!
	verified fb 64 &
	b=$!
	echo $BASHPID >$CG/fc/cgroup.procs
	fio_while_switching "$dev" $((SWITCH + 240)) "xot mq-deadline none bfq kyber" \
		--direct=1 --rw=randwrite --bs=4k --offset=128m --size=64m \
		--ioengine=libaio --iodepth=8 --verify=crc32c --verify_backlog=64 \
		--verify_fatal=1 --runtime=$SWITCH --time_based || rc=1
	wait $a || { cat /tmp/fio-sw-fa.txt; rc=1; }
	wait $b || { cat /tmp/fio-sw-fb.txt; rc=1; }
	echo $BASHPID >$CG/cgroup.procs
	[ $rc = 0 ] || err "verified I/O under switching failed"
	sched_set "$dev" none
	nullb_destroy sw
}
check switching-under-verified-io switch_loop

# 3. merges (tests/tools/aio-batch.c submits 4 KiB direct I/O in batches of
# a chosen order): requests merging at insertion, bios merging into queued
# requests at the back and the front, a grown request merging with its
# queued neighbour; stamps written through merged requests read back
# through merged requests.
AIO=/usr/bin/aio-batch
merge_counts() { # name -> read merges, write merges (block layer), xot's request merges
	echo "$(awk '{ print $2, $6 }' "/sys/block/$1/stat")" \
		"$(awk '$1 == "merged" { n = $2 } END { print n + 0 }' "/sys/kernel/debug/block/$1/sched/stats" 2>/dev/null)"
}
# A plugged batch [b, b+4k), [b+8k, b+12k), [b+4k, b+8k): the third bio
# front-merges into the second in the plug; the first request is inserted,
# then the second joins it at insertion (xot's requests_merged() with a
# request that never entered a queue). 32 batches written, read the same
# way and verified, then read in one sequential batch and verified.
insert_merges() {
	local dev name i b offs=() seq=() r0 w0 m0 r1 w1 m1
	[ -x "$AIO" ] || err "$AIO missing (make user builds build/tests/aio-batch)" || return 1
	dev=$(nullb_create mrg size=64 memory_backed=1 irqmode=0 hw_queue_depth=64 blocksize=4096) || return 1
	name=${dev#/dev/}
	sched_set "$name" xot || return 1
	read -r r0 w0 m0 <<<"$(merge_counts "$name")"
	for ((i = 0; i < 32; i++)); do
		b=$((i * 16384))
		offs+=("$b" $((b + 8192)) $((b + 4096)) /)
		seq+=("$b" $((b + 4096)) $((b + 8192)))
	done
	"$AIO" --write "$dev" "${offs[@]}" || err "merged writes failed" || return 1
	"$AIO" --verify "$dev" "${offs[@]}" || err "merged reads did not read the stamps back" || return 1
	"$AIO" --verify "$dev" "${seq[@]}" || err "sequential reads did not read the stamps back" || return 1
	read -r r1 w1 m1 <<<"$(merge_counts "$name")"
	echo "merges: reads $((r1 - r0)), writes $((w1 - w0)); xot request merges $((m1 - m0))"
	# each batch: one plug merge and one insertion merge, both ways
	[ $((w1 - w0)) -ge 64 ] && [ $((r1 - r0)) -ge 64 ] && [ $((m1 - m0)) -ge 64 ] ||
		err "fewer merges than the batches make (64 reads, 64 writes, 64 in xot)" || return 1
}
check merges-at-insertion insert_merges

# On a device that holds each request 200 ms with one tag, the first read
# occupies it while the others meet queued requests, one batch each:
#   32k queued (R1); 36k back-merges into R1; 28k front-merges into R1 (R1
#   re-keyed in xot's sector tree); 20k queued (R2); 24k back-merges into
#   R2, which then reaches R1 and takes it in (a queued request merged away).
queued_merges() {
	local dev name i blocks=() r0 w0 m0 r1 w1 m1
	dev=$(nullb_create mrq size=64 memory_backed=1 irqmode=2 completion_nsec=200000000 \
		hw_queue_depth=1 blocksize=4096) || return 1
	name=${dev#/dev/}
	sched_set "$name" xot || return 1
	# scheduler tags for all five requests (one tag makes 2 by default)
	echo 16 >"/sys/block/$name/queue/nr_requests" || return 1
	for ((i = 0; i < 16; i++)); do blocks+=($((i * 4096))); done
	"$AIO" --write "$dev" "${blocks[@]}" || err "writing the stamps failed" || return 1
	read -r r0 w0 m0 <<<"$(merge_counts "$name")"
	"$AIO" --verify "$dev" 0 32768 / 36864 / 28672 / 20480 / 24576 ||
		err "reads merged into queued requests did not read the stamps back" || return 1
	read -r r1 w1 m1 <<<"$(merge_counts "$name")"
	echo "merges: reads $((r1 - r0)); xot request merges $((m1 - m0))"
	# three bio merges and one request merge
	[ $((r1 - r0)) -ge 4 ] && [ $((m1 - m0)) -ge 1 ] ||
		err "expected 4 read merges, 1 of them in xot: saw $((r1 - r0)) ($((m1 - m0)))" || return 1
}
check merges-into-queued queued_merges
# the devices go whatever the checks found: the module must unload below
for d in mrg mrq; do
	[ ! -e /sys/block/$d ] || sched_set $d none
	nullb_destroy $d
done

check rmmod-after rmmod xot-iosched
rmdir $CG/fa $CG/fb $CG/fc
finish

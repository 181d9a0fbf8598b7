#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-lab starvation test (inside the guest):
#   userspace/lab/host-lab.sh starvation                (60 s, test command)
#   userspace/lab/host-lab.sh --append runtime=300 starvation   (make stress)
#
# Weight 1 against weight 10000 on one saturated device: cgroup hi
# (io.xot.weight 10000) keeps 32 reads outstanding, cgroup lo (weight 1)
# reads one request at a time. docs/design.md ("Starvation bound"): lo
# waits at most (10000 / 1 + 1) = 10001 of hi's dispatches before its
# request is served (plus the one request the depth-1 device holds).
# The root group has two busy children here, far below the 32 at which a
# group switches to the calendar of buckets (include/xot/sched.h): its
# order is exact, and the calendar's term of the bound (w_j / 128 units
# per sibling) does not enter.
#
# Measured in dispatches, not time, so that TCG's speed does not matter:
# blktrace records every insert (I) and dispatch (D) on the device; lo reads
# the first half of the device and hi the second, so a request is lo's by
# its sector. For each of lo's requests, the dispatches between its insert
# and its own dispatch are its wait. Checks: lo completes requests, and no
# wait exceeds the bound. Figures in RESULTS/starvation.json.
. "${XOT_LIB:-/tests/lib}/guest.sh"

RUNTIME=60
for a in $XOT_SCENARIO_ARGS; do
	case $a in runtime=*) RUNTIME=${a#*=} ;; esac
done
BOUND=10001
CG=/sys/fs/cgroup

check load-xot load_xot
# 1 ms per request, one tag: about 1000 IOPS, slower than TCG can drive
# with blktrace on, so hi always has requests waiting in the elevator
DEV=$(nullb_create starve size=256 memory_backed=0 irqmode=2 completion_nsec=1000000 \
	hw_queue_depth=1 blocksize=4096) || { finish; exit 1; }
NAME=${DEV#/dev/}
HALF=$((256 * 1024 * 1024 / 512 / 2))	# first sector of hi's half
check sched-xot sched_set "$NAME" xot
check nr-requests sh -c "echo 128 >/sys/block/$NAME/queue/nr_requests"
check cgroups sh -c "mkdir -p $CG/lo $CG/hi && echo 1 >$CG/lo/io.xot.weight &&
	echo 10000 >$CG/hi/io.xot.weight"

run_contention() {
	local bt=/tmp/starve btpid hipid lopid
	rm -rf $bt && mkdir -p $bt
	blktrace -d "$DEV" -o st -D $bt >/dev/null 2>&1 &
	btpid=$!
	sleep 1
	cgexec -g io:hi fio --name=hi --filename=$DEV --direct=1 --rw=randread --bs=4k \
		--ioengine=libaio --iodepth=32 --offset=128m --size=128m \
		--runtime=$((RUNTIME + 4)) --time_based --output-format=terse \
		--terse-version=3 --output=$RESULTS/fio-hi.terse >/dev/null 2>&1 &
	hipid=$!
	sleep 2		# hi is backlogged before lo's first request
	cgexec -g io:lo fio --name=lo --filename=$DEV --direct=1 --rw=randread --bs=4k \
		--ioengine=psync --iodepth=1 --offset=0 --size=128m \
		--runtime=$RUNTIME --time_based --output-format=terse \
		--terse-version=3 --output=$RESULTS/fio-lo.terse >/dev/null 2>&1 &
	lopid=$!
	wait $lopid || err "lo's fio failed"
	wait $hipid || err "hi's fio failed"
	sleep 1
	kill -INT $btpid
	wait $btpid || true
	# "action sector": I inserted into the elevator, D issued to the driver
	blkparse -q -i st -D $bt -f '%a %S\n' >/tmp/starve.txt 2>/dev/null
	wc -l </tmp/starve.txt
	[ -s /tmp/starve.txt ] || err "blkparse printed nothing"
}
check contention run_contention

# per lo request: D events between its I and its D
measure() {
	awk -v half=$HALF -v bound=$BOUND -v runtime=$RUNTIME '
	$1 == "D" { d++ }
	$1 == "I" && $2 < half { at[$2] = d }
	$1 == "D" && $2 < half && ($2 in at) {
		w = d - 1 - at[$2]; delete at[$2]
		n++; sum += w; if (w > max) max = w
		waits[n] = w
	}
	END {
		if (!n) { print "no request of lo was dispatched"; exit 1 }
		printf "{\n  \"test\": \"starvation\",\n  \"weights\": {\"lo\": 1, \"hi\": 10000},\n"
		printf "  \"runtime_s\": %d,\n  \"dispatches\": %d,\n  \"lo_dispatched\": %d,\n", runtime, d, n
		printf "  \"lo_wait_dispatches\": {\"max\": %d, \"mean\": %.1f, \"all\": [", max, sum / n
		for (i = 1; i <= n; i++) printf "%s%d", (i > 1 ? ", " : ""), waits[i]
		printf "]},\n  \"documented_bound_dispatches\": %d,\n", bound
		printf "  \"max_over_bound\": %.4f\n}\n", max / bound
		if (max > bound + 1) exit 2
	}' /tmp/starve.txt >$RESULTS/starvation.json
	local rc=$?
	cat $RESULTS/starvation.json
	[ $rc = 0 ] || err "lo waited longer than $BOUND dispatches (or was never served)"
}
check bound measure

# fio's own count (terse v3: field 6 KiB read, 15 completion latency max
# in microseconds): lo completed requests
lo_completed() {
	local lo hi
	lo=$(awk -F';' '{ printf "%d requests, completion latency max %.1f s", $6 / 4, $15 / 1e6 }' $RESULTS/fio-lo.terse)
	hi=$(awk -F';' '{ printf "%d requests", $6 / 4 }' $RESULTS/fio-hi.terse)
	echo "lo: $lo; hi: $hi"
	[ "$(awk -F';' '{ print int($6 / 4) }' $RESULTS/fio-lo.terse)" -ge 1 ] || err "lo completed nothing"
}
check lo-completes lo_completed

echo none >/sys/block/$NAME/queue/scheduler
rmdir $CG/lo $CG/hi
nullb_destroy starve
finish

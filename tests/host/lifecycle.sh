#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-lab test of the xot elevator's object lifetimes (inside the guest):
#   userspace/lab/host-lab.sh lifecycle
#
# - Tunables: defaults and ranges of idle_credit, inflight_mode,
#   slice_idle_us; refused values change nothing; debugfs shows the driver
#   depth the elevator respects. Anticipation and the adaptive window are
#   then switched on for the cgroup deletion below.
# - More processes than a cgroup may have queues (max_queues=4, 12 fio
#   processes with crc32c verify): queues are reused and the shared queue
#   takes the rest; nothing is lost.
# - A cgroup is deleted while its requests are still queued in xot (its
#   processes moved out, rmdir at once): the I/O completes, nothing is lost,
#   no warning.
# - Several cgroups doing verified I/O while the scheduler is switched in a
#   loop (xot's groups are torn down and rebuilt every time).
# - Weights changed at run time, while I/O runs, through cgset.
# - rmmod after all of it.
. "${XOT_LIB:-/tests/lib}/guest.sh"

check load-xot load_xot
DEV=$(nullb_create life size=256 memory_backed=1 irqmode=2 completion_nsec=200000 \
	hw_queue_depth=2 blocksize=4096) || { finish; exit 1; }
NAME=${DEV#/dev/}
check sched-xot sched_set "$NAME" xot
echo 256 >/sys/block/$NAME/queue/nr_requests
CG=/sys/fs/cgroup

# in_cgroup NAME CMD...: run CMD (a command or one of the helpers above) in
# cgroup NAME; cgexec runs only executables.
in_cgroup() {
	local name=$1
	shift
	(echo $BASHPID >"$CG/$name/cgroup.procs" && "$@")
}

# 0. tunables: defaults, ranges, refused values leave them unchanged
IOS=/sys/block/$NAME/queue/iosched
tunable_refused() { # name value: the write fails and the value stays
	local before
	before=$(cat "$IOS/$1")
	! echo "$2" >"$IOS/$1" 2>/dev/null && [ "$(cat "$IOS/$1")" = "$before" ]
}
check idle-credit-default grep -qx 32 $IOS/idle_credit
check idle-credit-set sh -c "echo 0 >$IOS/idle_credit && grep -qx 0 $IOS/idle_credit && echo 4096 >$IOS/idle_credit && grep -qx 4096 $IOS/idle_credit && echo 32 >$IOS/idle_credit"
for v in 4097 -1 abc; do
	check "idle-credit-refuses-'$v'" tunable_refused idle_credit "$v"
done
check max-inflight-refuses-4097 tunable_refused max_inflight 4097
check inflight-mode-default grep -qx 1 $IOS/inflight_mode
check inflight-mode-refuses-3 tunable_refused inflight_mode 3
check slice-idle-default grep -qx 0 $IOS/slice_idle_us
check slice-idle-refuses-100001 tunable_refused slice_idle_us 100001
check slot-hold-default grep -qx 4000 $IOS/slot_hold_us
check slot-hold-refuses-100001 tunable_refused slot_hold_us 100001
check driver-depth-debugfs grep -qx 'driver_depth 2' /sys/kernel/debug/block/$NAME/sched/stats

# 1. queue limit and reuse
check max-queues-4 sh -c "echo 4 >/sys/block/$NAME/queue/iosched/max_queues"
check max-queues-0-refused sh -c "! echo 0 >/sys/block/$NAME/queue/iosched/max_queues 2>/dev/null"
check cgcreate-many cgcreate -g io:/many
check many-processes-verify in_cgroup many fio_verify many --filename=$DEV --direct=1 \
	--rw=randwrite --bs=4k --size=8m --numjobs=12 --offset_increment=8m \
	--ioengine=libaio --iodepth=4 --verify=crc32c --verify_fatal=1
check many-idle wait_idle "$DEV"
grep -c '^  process' /sys/kernel/debug/block/$NAME/sched/tree | sed 's/^/process queues in the tree: /'
check queues-capped sh -c "[ \$(grep -c '^  process' /sys/kernel/debug/block/$NAME/sched/tree) -le 4 ]"
echo 1024 >/sys/block/$NAME/queue/iosched/max_queues
# the optional mechanisms on for what follows: anticipation pins a queue and
# its cgroup, the window holds dispatches back; neither may leak or hang
check antic-window-on sh -c "echo 2000 >$IOS/slice_idle_us && echo 2 >$IOS/inflight_mode"

# 2. delete a cgroup with I/O still queued in it
delete_busy_cgroup() {
	local pid i
	mkdir $CG/doomed
	echo 300 >$CG/doomed/io.xot.weight
	fio --name=doomed --filename=$DEV --direct=1 --rw=randread --bs=4k \
		--ioengine=libaio --iodepth=64 --runtime=6 --time_based >/tmp/doomed.txt 2>&1 &
	pid=$!
	echo $pid >$CG/doomed/cgroup.procs
	sleep 2
	# move every process out (fio forks its job) and delete the group at
	# once: its queued requests still belong to the group's blkg, which must
	# outlive them
	for i in $(cat $CG/doomed/cgroup.procs); do
		echo $i >$CG/cgroup.procs
	done
	rmdir $CG/doomed || return 1
	wait $pid || return 1
	grep -q 'err= 0' /tmp/doomed.txt
}
check delete-busy-cgroup delete_busy_cgroup
check delete-idle wait_idle "$DEV"

# 3. scheduler switching with several busy cgroups
check cgcreate-ab cgcreate -g io:/a -g io:/b
cgset -r io.xot.weight=100 a
cgset -r io.xot.weight=400 b
switching_groups() {
	in_cgroup a fio_verify sw-a --filename=$DEV --direct=1 --rw=randwrite --bs=4k \
		--size=32m --offset=0 --ioengine=libaio --iodepth=16 --verify=crc32c \
		--verify_fatal=1 >/tmp/sw-a.txt 2>&1 &
	local a=$!
	in_cgroup b fio_while_switching "$DEV" 240 "xot none mq-deadline bfq kyber" \
		--direct=1 --rw=randwrite --bs=4k --size=32m --offset=64m \
		--ioengine=libaio --iodepth=16 --verify=crc32c --verify_fatal=1 || return 1
	wait $a || { cat /tmp/sw-a.txt; return 1; }
}
check switching-with-groups switching_groups
check xot-back sh -c "grep -q '\[xot\]' /sys/block/$NAME/queue/scheduler"

# 4. weights changed while I/O runs
weights_at_runtime() {
	cgexec -g io:a fio --name=wa --filename=$DEV --direct=1 --rw=randread --bs=4k \
		--ioengine=libaio --iodepth=16 --runtime=6 --time_based >/dev/null 2>&1 &
	cgexec -g io:b fio --name=wb --filename=$DEV --direct=1 --rw=randread --bs=4k \
		--ioengine=libaio --iodepth=16 --runtime=6 --time_based >/dev/null 2>&1 &
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		cgset -r io.xot.weight=$((i * 100)) a || return 1
		cgset -r "io.xot.weight=$(cat /sys/block/$NAME/dev) $((1100 - i * 100))" b || return 1
		sleep 0.5
	done
	wait
	grep -q "^group /a w=1000 " /sys/kernel/debug/block/$NAME/sched/tree
}
check weights-at-runtime weights_at_runtime
check runtime-idle wait_idle "$DEV"

# 5. the module goes away cleanly afterwards
check cgdelete cgdelete -g io:/a -g io:/b -g io:/many
check switch-away sched_set "$NAME" none
check rmmod rmmod xot-iosched
check reload modprobe xot-iosched
nullb_destroy life
finish

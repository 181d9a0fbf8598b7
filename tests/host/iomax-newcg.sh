#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-lab test of xot's lock discipline against blk-throttle (inside the
# guest):
#   userspace/lab/host-lab.sh iomax-newcg
#   userspace/lab/host-lab.sh iomax-newcg runtime=20 cgroups=300
#
# xot's blkcg callbacks run under the queue_lock (interrupts off), which
# blk-throttle's timer takes in softirq; the elevator's own lock is taken on
# the I/O path with softirqs on. If a callback took the elevator's lock, a
# CPU holding it in process context, interrupted by the throttle timer,
# would deadlock with one creating a blkg under the queue_lock (blkcg.c,
# "Locking"). This runs what lines those up:
# - one cgroup throttled by io.max, with I/O, so blk-throttle's timer runs;
# - hundreds of new cgroups (some nested, some below the throttled one)
#   created one after the other, each doing its first I/O on the device
#   (a new blkg, pd_init under the queue_lock), then removed;
# - fio in two other cgroups, their weights (default and per device)
#   written in a loop, and the debugfs tree read in a loop.
# Passes if every process finishes within its time limit, the I/O of every
# new cgroup completed, the device ends idle and the kernel logged no BUG,
# lockdep report or soft lockup (on a lockdep kernel this also catches the
# inversion without the deadlock having to happen).
. "${XOT_LIB:-/tests/lib}/guest.sh"

RUNTIME=20	# seconds of background load
NEWCG=300	# new cgroups, in two creator loops
for a in $XOT_SCENARIO_ARGS; do
	case $a in
	runtime=*) RUNTIME=${a#*=} ;;
	cgroups=*) NEWCG=${a#*=} ;;
	esac
done
LIMIT=$((RUNTIME + 40))	# every background process must be done by then

check load-xot load_xot
DEV=$(nullb_create iomax size=256 memory_backed=0 irqmode=2 completion_nsec=100000 \
	hw_queue_depth=4 blocksize=4096) || { finish; exit 1; }
NAME=${DEV#/dev/}
MAJMIN=$(cat /sys/block/$NAME/dev)
check sched-xot sched_set "$NAME" xot
check nr-requests sh -c "echo 128 >/sys/block/$NAME/queue/nr_requests"
CG=/sys/fs/cgroup
TREE=/sys/kernel/debug/block/$NAME/sched/tree
SECTORS=$(($(cat /sys/block/$NAME/size) / 8))	# 4 KiB blocks

setup() {
	# no internal processes in cgroup v2: thr's own load runs in thr/load
	mkdir -p $CG/thr $CG/busy1 $CG/busy2 $CG/new
	echo +io >$CG/new/cgroup.subtree_control
	echo +io >$CG/thr/cgroup.subtree_control
	mkdir $CG/thr/load
	# slow enough that most of its bios wait in blk-throttle (timer-driven)
	echo "$MAJMIN rbps=2097152 riops=100 wiops=100" >$CG/thr/io.max
	grep -q "^$MAJMIN .*riops=100" $CG/thr/io.max
}
check setup setup

# in_cgroup DIR CMD...: run CMD in cgroup DIR (absolute path)
in_cgroup() {
	local dir=$1
	shift
	(echo $BASHPID >"$dir/cgroup.procs" && exec "$@")
}

# first_io DIR: a new cgroup's first I/O: a few 4 KiB direct reads
first_io() {
	in_cgroup "$1" dd if="$DEV" of=/dev/null bs=4k count=4 iflag=direct \
		skip=$((RANDOM % SECTORS)) 2>/dev/null
}

# creator ID N: N new cgroups in turn, each with its first I/O; every third
# one nested two deep (ancestors linked before the child), every fifth below
# the throttled cgroup (its first bio waits in blk-throttle). Counts the
# cgroups whose I/O completed in /tmp/newcg-ID.ok.
creator() {
	local id=$1 n=$2 i d ok=0
	for i in $(seq 1 "$n"); do
		if [ $((i % 5)) = 0 ]; then
			d=$CG/thr/c$id-$i
		elif [ $((i % 3)) = 0 ]; then
			d=$CG/new/p$id-$i/c
			mkdir $CG/new/p$id-$i && echo +io >$CG/new/p$id-$i/cgroup.subtree_control
		else
			d=$CG/new/c$id-$i
		fi
		mkdir "$d" || return 1
		# a weight for half of them before their first I/O
		[ $((i % 2)) = 0 ] && echo "default $((i % 900 + 50))" >"$d/io.xot.weight"
		first_io "$d" && ok=$((ok + 1))
		rmdir "$d" || return 1
		[ "${d%/c}" = "$d" ] || rmdir "${d%/c}" || return 1
	done
	echo $ok >/tmp/newcg-$id.ok
}

weights() { # until the file /tmp/iomax.stop appears
	local i=0
	while [ ! -e /tmp/iomax.stop ]; do
		i=$((i + 1))
		echo "default $((i % 10 * 100 + 100))" >$CG/busy1/io.xot.weight || return 1
		echo "$MAJMIN $((1000 - i % 10 * 90))" >$CG/busy2/io.xot.weight || return 1
		[ $((i % 7)) = 0 ] && { echo "$MAJMIN default" >$CG/busy2/io.xot.weight || return 1; }
		echo "default $((i % 4 * 100 + 100))" >$CG/thr/load/io.xot.weight || return 1
	done
}

tree_reader() {
	while [ ! -e /tmp/iomax.stop ]; do
		cat "$TREE" >/dev/null || return 1
		sleep 0.2
	done
}

# wait_all SECONDS PID...: every PID exits 0 within SECONDS in total
wait_all() {
	local t=$1 p rc=0 end
	shift
	end=$(($(date +%s) + t))
	for p in "$@"; do
		while kill -0 "$p" 2>/dev/null; do
			if [ "$(date +%s)" -ge "$end" ]; then
				echo "pid $p still running after ${t}s: hang?"
				dump_blocked
				return 1
			fi
			sleep 0.5
		done
		wait "$p" || { echo "pid $p failed"; rc=1; }
	done
	return $rc
}

run_all() {
	local pids='' i
	rm -f /tmp/iomax.stop /tmp/newcg-*.ok
	dmesg -c >/dev/null
	in_cgroup $CG/thr/load fio --name=thr --filename="$DEV" --direct=1 --rw=randrw --bs=4k \
		--ioengine=libaio --iodepth=8 --runtime="$RUNTIME" --time_based \
		--output=/tmp/fio-thr.txt >/dev/null 2>&1 &
	pids="$pids $!"
	for i in 1 2; do
		in_cgroup $CG/busy$i fio --name=busy$i --filename="$DEV" --direct=1 --rw=randread \
			--bs=4k --ioengine=libaio --iodepth=16 --runtime="$RUNTIME" --time_based \
			--output=/tmp/fio-busy$i.txt >/dev/null 2>&1 &
		pids="$pids $!"
	done
	weights &
	local wpid=$!
	tree_reader &
	local tpid=$!
	creator 1 $((NEWCG / 2)) &
	pids="$pids $!"
	creator 2 $((NEWCG - NEWCG / 2)) &
	pids="$pids $!"
	# shellcheck disable=SC2086
	wait_all "$LIMIT" $pids || { touch /tmp/iomax.stop; return 1; }
	touch /tmp/iomax.stop
	wait_all 10 $wpid $tpid
}
check no-hang run_all

newcg_io_done() {
	local ok
	ok=$(($(cat /tmp/newcg-1.ok) + $(cat /tmp/newcg-2.ok)))
	echo "$ok of $NEWCG new cgroups completed their first I/O"
	[ "$ok" = "$NEWCG" ]
}
check newcg-io-done newcg_io_done
check throttled-io-done grep -q 'read:' /tmp/fio-thr.txt
check device-idle wait_idle "$DEV"
check tree-readable sh -c "cat $TREE | grep -q '^group /busy1 '"
kernel_log_clean() {
	if dmesg | grep -E 'BUG|lockdep|possible circular|inconsistent lock state|soft lockup|hung_task|blocked for more than|WARNING'; then
		return 1
	fi
}
check kernel-log-clean kernel_log_clean
log "$(cat /sys/kernel/debug/block/$NAME/sched/stats 2>/dev/null | tr '\n' ' ')"
finish

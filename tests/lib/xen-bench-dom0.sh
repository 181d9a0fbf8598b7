# SPDX-License-Identifier: GPL-2.0
#
# shellcheck shell=bash
#
# xen-bench-dom0.sh - dom0's part of the Xen benchmarks (tests/xen/bench/
# and tests/xen/real/ source it from their dom0.sh; protocol in
# userspace/lab/xen-lab.sh): the dom0 configuration the benchmark compares,
# chosen by XOT_BENCH_MODE (userspace/bench/bench-xen.sh runs one lab per
# configuration):
#
#   xot     xot elevator + xot-blkback: VM weights by name (vm_weights),
#           the guests' cgroups and processes from their XoT records
#   nohook  xot elevator without xot-blkback: each guest's blkback threads
#           moved into a dom0 cgroup vm-NAME with the VM's io.xot.weight
#           (all dom0 can do without the channel)
#   bfq     bfq, the same cgroups with io.bfq.weight
#   none    no scheduling
#
# VM weights: BENCH_VM_WEIGHTS (default domU1=100,domU2=100,domU3=200).
# Results: dom0/mode, dom0/tree.txt (xot's view), dom0/vbds.txt.
#
#   xb_before_domus   the scheduler, nr_requests, VM weights or per-VM cgroups
#   xb_while_domus    nohook, bfq: each VM's blkback threads into its cgroup
#                     until the domUs are gone; xot: the hook's view
#                     (vbds.txt); none: returns at once
#   xb_after_domus    the elevator's tree and stats

STATE=/tmp/bench
CG=/sys/fs/cgroup
MODE=${XOT_BENCH_MODE:-xot}
VMW=${BENCH_VM_WEIGHTS:-domU1=100,domU2=100,domU3=200}

vm_weight() { # name
	echo "$VMW" | tr ',' '\n' | sed -n "s/^$1=//p"
}

xb_before_domus() {
	local dev=${XOT_PHYS%% *} i name sched
	mkdir -p $STATE
	dev=${dev#/dev/}
	echo "$dev" >$STATE/dev
	echo "$MODE" >"$XOT_RESULTS/mode"
	case $MODE in
	xot | nohook) sched=xot ;;
	bfq) sched=bfq ;;
	none) sched=none ;;
	*) echo "XOT-FAIL bench-mode unknown XOT_BENCH_MODE=$MODE"; return 1 ;;
	esac
	if [ "$MODE" = nohook ] && [ -d /sys/module/xot_blkback ]; then
		rmmod xot-blkback || { echo "XOT-FAIL bench-rmmod xot-blkback"; return 1; }
	fi
	if [ "$MODE" = xot ]; then
		[ -d /sys/module/xot_blkback ] || { echo "XOT-FAIL bench-hook xot-blkback not loaded"; return 1; }
		echo "$VMW" >/sys/module/xot_blkback/parameters/vm_weights ||
			{ echo "XOT-FAIL bench-vm-weights"; return 1; }
	fi
	echo $sched >/sys/block/$dev/queue/scheduler ||
		{ echo "XOT-FAIL bench-scheduler cannot put $dev on $sched"; return 1; }
	# scheduler slots for every guest's queues (README: nr_requests)
	echo 256 >/sys/block/$dev/queue/nr_requests 2>/dev/null
	if [ "$MODE" = nohook ] || [ "$MODE" = bfq ]; then
		for i in $(seq 1 "$XOT_DOMUS"); do
			name=domU$i
			mkdir -p $CG/vm-$name
			if [ "$MODE" = bfq ]; then
				echo "$(vm_weight $name)" >$CG/vm-$name/io.bfq.weight
			else
				echo "default $(vm_weight $name)" >$CG/vm-$name/io.xot.weight
			fi || { echo "XOT-FAIL bench-weight vm-$name"; return 1; }
		done
	fi
	echo "XOT-PASS bench-setup mode $MODE, $dev on $sched, VM weights $VMW"
}

threads_named() { # regex
	local d comm
	for d in /proc/[0-9]*; do
		read -r comm <"$d/comm" 2>/dev/null || continue
		[[ $comm =~ ^$1$ ]] && echo "${d#/proc/}"
	done
}

# nohook, bfq: each guest's blkback threads into its VM's cgroup, as soon as
# blkback starts them. xot: record the hook's view while the vbds exist.
xb_while_domus() {
	local i name domid pid
	if [ "$MODE" = xot ]; then
		sleep 5
		cat /sys/kernel/debug/xot-blkback/vbds >"$XOT_RESULTS/vbds.txt" 2>&1
		while lab_domus_running; do
			cat /sys/kernel/debug/xot-blkback/vbds >"$XOT_RESULTS/vbds.txt" 2>&1
			sleep 2
		done
		return 0
	fi
	[ "$MODE" = none ] && return 0
	while lab_domus_running; do
		for i in $(seq 1 "$XOT_DOMUS"); do
			name=domU$i
			domid=$(xl domid $name 2>/dev/null) || continue
			for pid in $(threads_named "$domid\..*-[0-9]+"); do
				grep -qx "$pid" $CG/vm-$name/cgroup.procs 2>/dev/null ||
					echo "$pid" >$CG/vm-$name/cgroup.procs
			done
		done
		sleep 0.5
	done
}

xb_after_domus() {
	local dev
	dev=$(cat $STATE/dev)
	cat /sys/kernel/debug/block/$dev/sched/tree >"$XOT_RESULTS/tree.txt" 2>/dev/null
	cat /sys/kernel/debug/block/$dev/sched/stats >"$XOT_RESULTS/stats.txt" 2>/dev/null
	echo "XOT-PASS bench-collected mode $MODE"
}

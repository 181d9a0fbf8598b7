# SPDX-License-Identifier: GPL-2.0
#
# The demo, dom0 side (sourced by dom0's /init; protocol in
# userspace/lab/xen-lab.sh). userspace/demo.sh runs it as:
#
#   userspace/lab/xen-lab.sh --domus 2 --device nullb --layout dm-linear \
#       --nullb "completion_nsec=2000000 hw_queue_depth=1" demo
#
# Two guests read as fast as they can from their disks, dm-linear volumes
# on one slow dom0 device scheduled by xot. dom0 gives the guests different
# shares with nothing but the stock cgroup interface: each guest's blkback
# thread ("<domid>.xvda-0") is moved into a dom0 cgroup, vm-domU1 (weight
# DEMO_W1, default 100) and vm-domU2 (DEMO_W2, default 300), so its bios
# carry that cgroup and xot divides the device 1:3. (The XoT channel will do
# this per VM by name, and carry each guest's own cgroups and processes.)
#
# Results: dom0/shares.txt, one line per VM: name weight target achieved rqs.

STATE=/tmp/demo
W1=${DEMO_W1:-100}
W2=${DEMO_W2:-300}
CG=/sys/fs/cgroup

vm_weight() { [ "$1" = domU1 ] && echo "$W1" || echo "$W2"; }

before_domus() {
	local dev=${XOT_PHYS%% *} i name
	mkdir -p $STATE
	dev=${dev#/dev/}
	echo xot >/sys/block/$dev/queue/scheduler ||
		{ echo "XOT-FAIL demo-scheduler cannot put $dev on xot"; return 1; }
	# enough scheduler slots for both guests' queues (README: nr_requests)
	echo 128 >/sys/block/$dev/queue/nr_requests
	for i in $(seq 1 "$XOT_DOMUS"); do
		name=domU$i
		mkdir -p $CG/vm-$name
		echo "default $(vm_weight $name)" >$CG/vm-$name/io.xot.weight ||
			{ echo "XOT-FAIL demo-weight cannot set io.xot.weight of vm-$name"; return 1; }
	done
	cat /sys/block/$dev/dev >$STATE/majmin
	echo "XOT-PASS demo-setup $dev on $(sed 's/.*\[\(.*\)\].*/\1/' /sys/block/$dev/queue/scheduler)," \
		"cgroups vm-domU1=$W1 vm-domU2=$W2"
}

# pids of the kernel threads whose name matches the extended regex $1
threads_named() {
	local d comm
	for d in /proc/[0-9]*; do
		read -r comm <"$d/comm" 2>/dev/null || continue
		[[ $comm =~ ^$1$ ]] && echo "${d#/proc/}"
	done
}

# Move each guest's blkback ring thread(s) for xvda into its VM's cgroup as
# soon as it exists (blkback starts it when the guest connects its disk).
while_domus() {
	local i name domid pid moved=0
	while [ $moved -lt "$XOT_DOMUS" ] && lab_domus_running; do
		moved=0
		for i in $(seq 1 "$XOT_DOMUS"); do
			name=domU$i
			domid=$(xl domid $name 2>/dev/null) || continue
			for pid in $(threads_named "$domid\.xvda-[0-9]+"); do
				grep -qx "$pid" $CG/vm-$name/cgroup.procs 2>/dev/null && continue
				if echo "$pid" >$CG/vm-$name/cgroup.procs; then
					lab_log "demo: blkback thread $pid ($domid.xvda) of $name in vm-$name"
				fi
			done
			[ -n "$(cat $CG/vm-$name/cgroup.procs 2>/dev/null)" ] && moved=$((moved + 1))
		done
		sleep 0.2
	done
	if [ $moved -ge "$XOT_DOMUS" ]; then
		echo "XOT-PASS demo-blkback-threads all in their VM cgroups"
	else
		echo "XOT-FAIL demo-blkback-threads only $moved of $XOT_DOMUS moved"
		return 1
	fi
}

after_domus() {
	local majmin total=0 i name rqs w wsum=0
	majmin=$(cat $STATE/majmin)
	for i in $(seq 1 "$XOT_DOMUS"); do
		name=domU$i
		rqs=$(sed -n "s/^$majmin rqs=\([0-9]*\).*/\1/p" $CG/vm-$name/io.xot.stat)
		echo "${rqs:-0}" >$STATE/rqs-$name
		total=$((total + ${rqs:-0}))
		wsum=$((wsum + $(vm_weight $name)))
	done
	: >"$XOT_RESULTS/shares.txt"
	for i in $(seq 1 "$XOT_DOMUS"); do
		name=domU$i
		w=$(vm_weight $name)
		rqs=$(cat $STATE/rqs-$name)
		awk -v n=$name -v w="$w" -v ws=$wsum -v r="$rqs" -v t=$total \
			'BEGIN { printf "%s %d %.4f %.4f %d\n", n, w, w / ws, t ? r / t : 0, r }' \
			>>"$XOT_RESULTS/shares.txt"
	done
	lab_log "demo: shares (vm weight target achieved requests):"
	cat "$XOT_RESULTS/shares.txt"
	if [ "$total" -gt 100 ]; then
		echo "XOT-PASS demo-io dom0's xot served $total guest requests"
	else
		echo "XOT-FAIL demo-io dom0's xot served only $total guest requests"
		return 1
	fi
}

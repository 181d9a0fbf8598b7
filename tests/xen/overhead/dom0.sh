# SPDX-License-Identifier: GPL-2.0
#
# Xen overhead benchmark, dom0 side (userspace/bench/bench-xen.sh --overhead;
# protocol in userspace/lab/xen-lab.sh). dom0's device is null_blk without
# delay on xot, so the request path's CPU cost limits the guests' IOPS.
# Time is cut into phases of OVH_PHASE seconds from the moment every domU
# started; phases run with XoT (xot-blkback here, xot-tagger in the guests)
# or without (both unloaded) in the order xot off off xot, xot off off xot,
# ... (ABBA: a drift of the host's speed over the run, such as another QEMU
# starting, weighs on both modes alike, and each mode follows each mode
# equally often). The domUs follow the same clock (domU.sh) and run fio in
# the middle of each phase.
#
# Per phase dom0 records the blkif-backend interrupts (the guests' event
# channel notifications to dom0) and the requests its device completed:
# dom0/phases.txt "phase xot|off notify_in requests".
#
# For finding where time goes, each phase also leaves dom0/diag/phase-K.txt:
# CPU seconds per domain over the fio window (xl list), dom0's own CPU time
# split by kind (/proc/stat), the elevator's stats and xot-blkback's
# per-ring counters at the window's end.

STATE=/tmp/ovh
# what the off phases unload: both (default), guest (xot-tagger only; dom0
# keeps xot-blkback) or dom0 (xot-blkback only; the guests keep the
# tagger, whose channel goes with the backend's offer): where the cost is.
# split: xot-blkback stays loaded and in every phase one domU runs with the
# tagger and the other without, taking turns (domU.sh), so that both modes
# meet the same host at the same moment: the host's drift, which swamps a
# few percent between phases under TCG, cancels in each phase's ratio.
# split-dom0: the same for dom0's part. The guests run without the tagger,
# xot-blkback stays loaded and ignores one domU per phase (its parameter
# ignore_domid: that domU's I/O is treated as if the module were not
# loaded), the two domUs taking turns as in split.
# split-full: both at once, the whole path. In every phase one domU runs
# with the tagger and with xot-blkback's attention, the other without the
# tagger and ignored by xot-blkback, taking turns.
TOGGLE=${OVH_TOGGLE:-both}

# phase k's mode: xot off off xot, repeated (domU.sh has the same rule)
ovh_mode() {
	case $TOGGLE in split | split-dom0 | split-full) echo split; return ;; esac
	case $(($1 % 4)) in 0 | 3) echo xot ;; *) echo off ;; esac
}
PHASE=${OVH_PHASE:-24}
ROUNDS=${OVH_ROUNDS:-3}

backend_irqs() { awk '/blkif-backend/ { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i } END { print s + 0 }' /proc/interrupts; }
dev_reqs() { awk '{ print $1 + $5 }' "/sys/block/$(cat $STATE/dev)/stat"; }
# "name cpu_seconds" per domain
domain_cpu() { xl list 2>/dev/null | awk 'NR > 1 { print $1, $NF }'; }
# dom0's aggregate CPU line: user nice system idle iowait irq softirq steal
dom0_cpu() { awk '$1 == "cpu" { print $2, $3, $4, $5, $6, $7, $8, $9 }' /proc/stat; }

# phase_diag K CPU0 STAT0: the diagnostics of phase K's fio window
phase_diag() {
	local f=$XOT_RESULTS/diag/phase-$1.txt dev
	dev=$(cat $STATE/dev)
	mkdir -p "$XOT_RESULTS/diag"
	{
		echo "# domain cpu_s_in_window"
		domain_cpu | awk -v before="$2" '
			BEGIN { n = split(before, b, " "); for (i = 1; i < n; i += 2) c0[b[i]] = b[i + 1] }
			{ printf "%s %.2f\n", $1, $2 - c0[$1] }'
		echo "# dom0 ticks: user nice system idle iowait irq softirq steal"
		echo "$(dom0_cpu)" | awk -v before="$3" '
			{ split(before, b, " "); for (i = 1; i <= NF; i++) printf "%d ", $i - b[i]; print "" }'
		echo "# elevator stats ($dev)"
		cat /sys/kernel/debug/block/$dev/sched/stats 2>/dev/null
		echo "# xot-blkback vbds"
		cat /sys/kernel/debug/xot-blkback/vbds 2>/dev/null
	} >"$f"
}

before_domus() {
	local dev=${XOT_PHYS%% *}
	mkdir -p $STATE
	dev=${dev#/dev/}
	echo "$dev" >$STATE/dev
	echo xot >/sys/block/$dev/queue/scheduler ||
		{ echo "XOT-FAIL ovh-scheduler"; return 1; }
	echo 256 >/sys/block/$dev/queue/nr_requests
	echo "XOT-PASS ovh-setup $dev on xot, phases of $PHASE s, $ROUNDS rounds"
}

# wait until SEC seconds since the start; false if the domUs are gone
wait_phase_time() {
	while [ $(($(cut -d. -f1 /proc/uptime) - start)) -lt "$1" ]; do
		lab_domus_running || return 1
		sleep 0.5
	done
}

while_domus() {
	local start k mode i0 r0 c0 s0 loaded=1 ok=1
	start=$(cut -d. -f1 /proc/uptime)
	: >"$XOT_RESULTS/phases.txt"
	for k in $(seq 0 $((2 * ROUNDS - 1))); do
		mode=$(ovh_mode $k)
		# load or unload at the phase start, while the guests are idle
		if [ "$TOGGLE" = split-dom0 ] || [ "$TOGGLE" = split-full ]; then
			# domU.sh: domU1 runs with XoT in even phases, domU2 in odd
			# ones; the other one is ignored
			xl domid "domU$((k % 2 ? 1 : 2))" >/sys/module/xot_blkback/parameters/ignore_domid ||
				ok=0
		elif [ "$TOGGLE" = guest ] || [ "$TOGGLE" = split ]; then
			:	# xot-blkback stays loaded
		elif [ $mode = xot ] && [ $loaded = 0 ]; then
			modprobe xot-blkback || ok=0
			loaded=1
		elif [ $mode = off ] && [ $loaded = 1 ]; then
			rmmod xot-blkback || ok=0
			loaded=0
		fi
		# count over the guests' fio window (domU.sh: from 4 s into the
		# phase to 7 s before its end): at the end of the last phase
		# the domUs are gone, and their interrupt lines with them
		wait_phase_time $((k * PHASE + 4)) || break
		i0=$(backend_irqs)
		r0=$(dev_reqs)
		c0=$(domain_cpu | tr '\n' ' ')
		s0=$(dom0_cpu)
		wait_phase_time $(((k + 1) * PHASE - 7)) || break
		phase_diag $k "$c0" "$s0"
		echo "$k $mode $(($(backend_irqs) - i0)) $(($(dev_reqs) - r0))" >>"$XOT_RESULTS/phases.txt"
		wait_phase_time $(((k + 1) * PHASE)) || break
	done
	[ $loaded = 1 ] || modprobe xot-blkback
	echo -1 >/sys/module/xot_blkback/parameters/ignore_domid
	cat /sys/kernel/debug/xot-blkback/vbds >"$XOT_RESULTS/vbds.txt" 2>/dev/null
	if [ $ok = 1 ]; then
		echo "XOT-PASS ovh-phases $(wc -l <"$XOT_RESULTS/phases.txt") phases"
	else
		echo "XOT-FAIL ovh-phases loading, unloading or setting xot-blkback failed"
	fi
}

after_domus() {
	echo "XOT-PASS ovh-done"
}

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Xen overhead benchmark, guest side: see dom0.sh. In each phase of
# OVH_PHASE seconds: load (xot phases) or unload (off) xot-tagger, wait,
# run fio 4 KiB random reads at depth OVH_DEPTH for OVH_PHASE - 10 s, and
# record "phase xot|off iops notify_out requests" in phases.txt, where
# notify_out counts blkif interrupts here (dom0's notifications to us).
# diag/phase-K.txt keeps this guest's CPU ticks over fio and, in XoT
# phases, xot-tagger's counters (where the time went, see dom0.sh).
PHASE=${OVH_PHASE:-24}
ROUNDS=${OVH_ROUNDS:-3}
DEPTH=${OVH_DEPTH:-16}
OUT=$XOT_RESULTS/phases.txt
TOGGLE=${OVH_TOGGLE:-both}	# dom0.sh: dom0 = the tagger stays loaded, split-dom0 = never loaded
disk=${XOT_DISK#/dev/}

blkif_irqs() { awk '/blkif/ && !/backend/ { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i } END { print s + 0 }' /proc/interrupts; }
disk_reqs() { awk '{ print $1 + $5 }' "/sys/block/$disk/stat"; }
now() { cut -d. -f1 /proc/uptime; }
# user nice system idle iowait irq softirq steal
cpu_ticks() { awk '$1 == "cpu" { print $2, $3, $4, $5, $6, $7, $8, $9 }' /proc/stat; }
# phase k's mode: xot off off xot, repeated (as in dom0.sh); with the
# split toggles the domUs take turns within each phase instead: domU1 runs
# with XoT in even phases, domU2 in odd ones, the other without (split-dom0:
# XoT is dom0's part alone, the other domU is the one dom0 ignores;
# split-full: the tagger here and dom0's part, against neither)
idx=${XOT_DOMU#domU}
ovh_mode() {
	case $TOGGLE in split | split-dom0 | split-full)
		[ $((($1 + idx + 1) % 2)) = 0 ] && echo xot || echo off
		return ;;
	esac
	case $(($1 % 4)) in 0 | 3) echo xot ;; *) echo off ;; esac
}

start=$(now)
: >"$OUT"
fail=0
k=0
while [ $k -lt $((2 * ROUNDS)) ]; do
	mode=$(ovh_mode $k)
	# dom0 switches at the phase start: start 3 s later, stop 7 s early
	while [ $(($(now) - start)) -lt $((k * PHASE + 3)) ]; do sleep 0.3; done
	if [ "$TOGGLE" = dom0 ]; then
		:	# xot-tagger stays loaded
	elif [ "$TOGGLE" = split-dom0 ]; then
		# dom0's part only (dom0.sh): no tagger in either domU
		! grep -q '^xot_tagger ' /proc/modules || rmmod xot-tagger || fail=1
	elif [ $mode = xot ]; then
		grep -q '^xot_tagger ' /proc/modules || modprobe xot-tagger || fail=1
	else
		! grep -q '^xot_tagger ' /proc/modules || rmmod xot-tagger || fail=1
	fi
	sleep 1
	i0=$(blkif_irqs)
	r0=$(disk_reqs)
	t0=$(cpu_ticks)
	fio --name=ovh --filename="$XOT_DISK" --size=128m --rw=randread --bs=4k \
		--ioengine=libaio --iodepth="$DEPTH" --direct=1 --runtime=$((PHASE - 11)) \
		--time_based --output-format=terse --terse-version=3 >/tmp/ovh.terse 2>/tmp/ovh.err
	# IOPS from KiB read and runtime (terse fields 6 and 9): fio's own
	# IOPS field is an integer
	iops=$(awk -F';' '/^3;/ && $9 > 0 { printf "%.1f", $6 / 4 * 1000 / $9 }' /tmp/ovh.terse)
	echo "$k $mode ${iops:-0} $(($(blkif_irqs) - i0)) $(($(disk_reqs) - r0))" >>"$OUT"
	mkdir -p "$XOT_RESULTS/diag"
	{
		echo "# ticks: user nice system idle iowait irq softirq steal"
		cpu_ticks | awk -v before="$t0" '{ split(before, b, " "); for (i = 1; i <= NF; i++) printf "%d ", $i - b[i]; print "" }'
		cat /sys/kernel/debug/xot-tagger/stats /sys/kernel/debug/xot-tagger/vbds 2>/dev/null
	} >"$XOT_RESULTS/diag/phase-$k.txt"
	case ${iops:-0} in 0 | 0.0) fail=1 ;; esac
	k=$((k + 1))
done
cat "$OUT"
if [ $fail = 0 ]; then
	echo "XOT-PASS ovh-fio $XOT_DOMU $(wc -l <"$OUT") phases"
else
	echo "XOT-FAIL ovh-fio $XOT_DOMU a phase failed: $(head -2 /tmp/ovh.err)"
	exit 1
fi

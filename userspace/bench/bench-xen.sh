#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-xen: the semantic gap, measured. Three domUs share one slow
# dom0 device (null_blk, 10 ms per request, one tag: slower than three
# TCG guests can drive it, so a queue forms in dom0)
# through dm-linear volumes. VM weights 100:100:200; domU1 runs two cgroups,
# gold (800) and bronze (200); domU2 two processes in one cgroup; domU3 one
# process (tests/xen/bench/). The same workload runs once per dom0
# configuration, each in a fresh Xen lab:
#
#   xot     xot + xot-blkback: VM, guest cgroup and guest process levels
#   nohook  xot, blkback threads in per-VM dom0 cgroups (VM level only)
#   bfq     bfq, the same per-VM cgroups with io.bfq.weight
#   none    no scheduler
#
# Every guest job's completions (fio, in the guest), counted over the
# seconds in which all guests ran (the guests boot and start fio up to
# 20 s apart, and a share over each job's own run mixes in the spells when
# some guests were not running yet), give the achieved shares at each level;
# build/bin/fairness-report computes targets, errors and Jain's index, with
# --repeat the mean and spread over the runs, and writes
# results/xen-fairness.json.
#
# The real step (make bench-real; tests/xen/real/) runs workloads nobody
# tuned the scheduler for, on ext4 in each guest, with the same dom0
# configurations (tests/lib/xen-bench-dom0.sh): domU1 a database-style
# load committing with fsync (cgroup oltp, io.xot.weight 800) beside a
# buffered bulk writer (batch, 200); domU2 a buffered streaming writer and
# a tar | tar -x copy of a tree (cgroup bulk); domU3 direct random reads
# and a periodic fstrim (cgroup scan). The dom0 device has a volatile write
# cache (null_blk cache_size, FUA) and discard, so the guests' flushes, FUA
# writes and discards reach it; it stays one request at a time at 10 ms
# (null_blk's timer starts after the request was handled, a flush's
# write-back of the cache included, so every request, flushes too, holds
# the device 10 ms or more: slower than three TCG guests drive it). dom0
# traces the device and the VMs' volumes (blktrace) and
# userspace/bench/real-records.sh measures the shares from the trace, the
# same way in every configuration: per VM by device time (dispatch to
# completion, exact at depth 1) and by requests, over the seconds in which
# every guest's workloads ran; per guest cgroup and process by dividing the
# VM's share as the guest's own counters (io.stat, /proc/PID/io) saw its
# I/O over the same seconds; the bytes sent with a flush or FUA and the
# flushes the device served per VM. results/xen-real.json, with
# fairness-report (--share-from requests: the shares by requests beside
# those by device time).
#
# The overhead step (tests/xen/overhead/) runs two domUs on a null_blk
# without delay, so the path's CPU cost limits them, and alternates phases
# with XoT loaded on both sides and with neither module, in one lab run:
# results/xen-overhead.json (IOPS ratio, event-channel notifications per
# request in both directions).
set -uo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
REPORT=$TOP/build/bin/fairness-report
OUT=$TOP/results
MODES="xot nohook bfq none"
STEPS="fairness overhead"
OVH_NULLB="irqmode=0 hw_queue_depth=64"
OVH_ROUNDS=4
OVH_PHASE=30
OVH_TOGGLE=both
RUNTIME=240
REPEAT=1
NULLB="completion_nsec=10000000 hw_queue_depth=1"
# real: a 4 MiB volatile cache (flushes and FUA are real; a flush copies at
# most 4 MiB, little beside the 10 ms), discard for fstrim
REAL_NULLB="completion_nsec=10000000 hw_queue_depth=1 cache_size=4 discard=1"
REAL_RUNTIME=300
REAL_SKIP=5
VMW="domU1=100,domU2=100,domU3=200"
REPORT_ONLY=0

usage() {
	cat <<USAGE
Usage: userspace/bench/bench-xen.sh [options]

Runs the Xen fairness benchmark (about 6 minutes per configuration under
TCG) and writes results/xen-fairness.json and a table.

  --steps "S ..."      fairness, overhead and/or real (default "$STEPS";
                       make bench-real: "real")
  --modes "M ..."      fairness and real configurations, from: xot nohook
                       bfq none (default "$MODES")
  --rounds N           overhead: XoT/no-XoT phase pairs, in the order
                       xot off, off xot, ... (default $OVH_ROUNDS; even is balanced)
  --phase SEC          overhead: seconds per phase (default $OVH_PHASE)
  --toggle SIDE        overhead: what the off phases unload: both (default),
                       guest (the tagger; dom0 keeps xot-blkback) or dom0
                       (xot-blkback; the guests keep the tagger); or split:
                       xot-blkback stays loaded and in every phase one domU
                       runs with the tagger, the other without, taking
                       turns (host drift cancels within each phase); or
                       split-dom0: the same for dom0's part: no tagger,
                       xot-blkback loaded and ignoring one domU per phase
                       (its ignore_domid parameter), in turns; or
                       split-full: the whole path, the tagger and dom0's
                       part for one domU, neither for the other, in turns
  --runtime SEC        fio time per guest job (default $RUNTIME: about 3000
                       requests per weight-100 VM in the common window)
  --repeat N           run every configuration N times, interleaved (xot,
                       nohook, ..., xot, nohook, ...); the report adds the
                       mean and spread over the N runs (default $REPEAT)
  --nullb "k=v ..."    dom0 device (default "$NULLB")
  --real-runtime SEC   real: seconds every guest workload runs (default
                       $REAL_RUNTIME; a lab run takes about 6 minutes more)
  --real-nullb "k=v ..."
                       real: dom0 device (default "$REAL_NULLB")
  --real-skip SEC      real: seconds left out at each end of the window in
                       which all guests' workloads ran (default $REAL_SKIP)
  --report-only        rebuild the reports from results/xen-bench/*/ and
                       results/xen-real/*/

real (make bench-real): three guests on ext4 on one slow dom0 disk with a
write cache and discard, VM weights $VMW:
  domU1  oltp (io.xot.weight 800): 4 fio threads, 4 KiB random writes,
         fsync after each; batch (200): 1 MiB buffered sequential writes
  domU2  bulk: 1 MiB buffered sequential writes, and tar | tar -x of a tree
  domU3  scan: 4 KiB direct random reads (depth 16), fstrim every 20 s
Measured in dom0 (blktrace of the device and the volumes), over the seconds
all workloads ran: per VM, the share of device time (dispatch to
completion, one request at a time) and of requests, flushes served, bytes
sent with a flush or FUA; per guest cgroup and process, the VM's share
divided as the guest's io.stat and /proc/PID/io saw its I/O. Each
configuration in its own lab run: results/xen-real/CONFIG/, records in
results/xen-real/records.txt, report in results/xen-real.json (entity
"iops" = device ms per second of the window; requests_share by requests).
Details: userspace/bench/real-records.sh, tests/xen/real/.
  -h, --help           this help

Exit status: 0 done, 1 a lab run or the report failed, 2 usage error.
USAGE
}

while [ $# -gt 0 ]; do
	case $1 in
	--modes) MODES=${2:?--modes needs a value}; shift ;;
	--steps) STEPS=${2:?--steps needs a value}; shift ;;
	--rounds) OVH_ROUNDS=${2:?--rounds needs a value}; shift ;;
	--phase) OVH_PHASE=${2:?--phase needs a value}; shift ;;
	--toggle) OVH_TOGGLE=${2:?--toggle needs a value}; shift ;;
	--runtime) RUNTIME=${2:?--runtime needs a value}; shift ;;
	--repeat) REPEAT=${2:?--repeat needs a value}; shift ;;
	--nullb) NULLB=${2:?--nullb needs a value}; shift ;;
	--real-runtime) REAL_RUNTIME=${2:?--real-runtime needs a value}; shift ;;
	--real-nullb) REAL_NULLB=${2:?--real-nullb needs a value}; shift ;;
	--real-skip) REAL_SKIP=${2:?--real-skip needs a value}; shift ;;
	--report-only) REPORT_ONLY=1 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "bench-xen: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
for m in $MODES; do
	case $m in xot | nohook | bfq | none) ;;
	*) echo "bench-xen: unknown configuration $m (xot nohook bfq none)" >&2; exit 2 ;;
	esac
done
[[ $RUNTIME =~ ^[0-9]+$ ]] && [ "$RUNTIME" -ge 5 ] ||
	{ echo "bench-xen: --runtime must be a number of seconds >= 5" >&2; exit 2; }
[[ $REAL_RUNTIME =~ ^[0-9]+$ ]] && [ "$REAL_RUNTIME" -ge 30 ] ||
	{ echo "bench-xen: --real-runtime must be a number of seconds >= 30" >&2; exit 2; }
[[ $REAL_SKIP =~ ^[0-9]+$ ]] ||
	{ echo "bench-xen: --real-skip must be a number of seconds" >&2; exit 2; }
[[ $REPEAT =~ ^[1-9][0-9]?$ ]] ||
	{ echo "bench-xen: --repeat must be a number from 1 to 99" >&2; exit 2; }
[[ $OVH_ROUNDS =~ ^[1-9][0-9]*$ ]] ||
	{ echo "bench-xen: --rounds must be a positive number" >&2; exit 2; }
case $OVH_TOGGLE in both | guest | dom0 | split | split-dom0 | split-full) ;;
*) echo "bench-xen: --toggle: both, guest, dom0, split, split-dom0 or split-full, not '$OVH_TOGGLE'" >&2; exit 2 ;;
esac
[[ $OVH_PHASE =~ ^[0-9]+$ ]] && [ "$OVH_PHASE" -ge 20 ] ||
	{ echo "bench-xen: --phase must be a number of seconds >= 20" >&2; exit 2; }
for s in $STEPS; do
	case $s in fairness | overhead | real) ;;
	*) echo "bench-xen: unknown step $s (fairness overhead real)" >&2; exit 2 ;;
	esac
done
has_step() { [[ " $STEPS " == *" $1 "* ]]; }

mkdir -p "$OUT/xen-bench" "$OUT/xen-real"
failed=0
# configuration M's run K: its directory in results/xen-bench/ and its
# name in the records (fairness-report: NAME#K for a repeated run)
config_name() { if [ "$REPEAT" = 1 ]; then echo "$1"; else echo "$1#$2"; fi; }
# "MODE CONFIG K" of every run, in the order they run (interleaved repeats)
configs() {
	local k m
	for k in $(seq 1 "$REPEAT"); do
		for m in $MODES; do
			echo "$m $(config_name "$m" "$k") $k"
		done
	done
}
# the commit measured (the modules are built from the tree as it is now)
COMMIT=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$TOP" diff --quiet HEAD -- 2>/dev/null || COMMIT="$COMMIT+changes"
if [ $REPORT_ONLY = 0 ]; then
	make -C "$TOP" -s modules user >/dev/null || { echo "bench-xen: build failed" >&2; exit 1; }
fi
# Every configuration of $MODES, REPEAT times interleaved, each in its own
# Xen lab running scenario $1 for $2 s on a null_blk "$3", allowed $5 s
# more than that; the lab's results go to $4/CONFIG/ with "RC SECONDS" in
# CONFIG/status.
run_configs() { # scenario runtime nullb dir slack
	local k m c start rc
	while read -r m c k <&3; do
		echo "bench-xen: $1: configuration $m, run $k of $REPEAT ($(date +%T))"
		start=$(date +%s)
		"$TOP/userspace/lab/xen-lab.sh" --domus 3 --device nullb --layout dm-linear \
			--nullb "$3" --env XOT_BENCH_MODE="$m" \
			--env BENCH_RUNTIME="$2" --env BENCH_VM_WEIGHTS="$VMW" \
			--timeout $(($2 + $5)) "$1"
		rc=$?
		rm -rf "${4:?}/$c"
		cp -r "$OUT/lab/xen-$1" "$4/$c"
		echo "$rc $(($(date +%s) - start))" >"$4/$c/status"
		[ $rc = 0 ] || { echo "bench-xen: $1: configuration $m, run $k: lab failed (rc $rc)"; failed=1; }
	done 3< <(configs)
}

if [ $REPORT_ONLY = 0 ] && has_step fairness; then
	run_configs bench "$RUNTIME" "$NULLB" "$OUT/xen-bench" 600
fi

vmw() { echo "$VMW" | tr ',' '\n' | sed -n "s/^$1=//p"; }

# The seconds in which every guest job of configuration dir $1 ran (from the
# jobs' NAME.persec files, whose clocks are Xen's), less 2 s at each end
# where jobs start or stop: "FIRST LAST", nothing if there is no overlap.
common_window() {
	local f lo=0 hi=99999999999 a b
	for f in "$1"/domU*/*.persec; do
		[ -s "$f" ] || return 0
		a=$(head -n1 "$f" | cut -d' ' -f1)
		b=$(tail -n1 "$f" | cut -d' ' -f1)
		((a > lo)) && lo=$a
		((b < hi)) && hi=$b
	done
	lo=$((lo + 2)) hi=$((hi - 2))
	((hi > lo)) && echo "$lo $hi"
}

# A job's completions over the window "FIRST LAST" (inclusive seconds).
window_count() { # file first last
	awk -v a="$2" -v b="$3" '$1 >= a && $1 <= b { n += $2 } END { print n + 0 }' "$1"
}

# The records every Xen fairness report starts with: BENCHMARK COMMAND RUNTIME
records_head() {
	echo "meta benchmark $1"
	echo "meta command $2"
	echo "meta commit $COMMIT"
	echo "meta date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "meta machine $(nproc) cores, QEMU TCG"
	echo "meta noise TCG timing; compare configurations within one file"
	echo "param runtime_s $3"
	echo "param repeat $REPEAT"
	echo "param vm_weights $VMW"
}

# fairness-report records from each configuration's guest job lines: IOPS
# over the seconds all guests ran (common_window); a lab without per-second
# logs falls back to fio's own IOPS over each job's whole run.
records() {
	local m d vm name cg cgw iops seen win n k c
	records_head xen-fairness "make bench-xen" "$RUNTIME"
	echo "device dm-nullb null_blk $NULLB, dm-linear volume per domU"
	while read -r m c k <&3; do
		d=$OUT/xen-bench/$c
		[ -f "$d/status" ] || continue
		win=$(common_window "$d")
		echo "run xen dm-nullb $c $m lab_rc=$(cut -d' ' -f1 "$d/status") lab_s=$(cut -d' ' -f2 "$d/status")${win:+ window_s=$((${win#* } - ${win% *} + 1))}"
		for vm in domU1 domU2 domU3; do
			[ -f "$d/$vm/jobs.txt" ] || continue
			echo "entity xen dm-nullb $c $vm - $(vmw $vm) -"
			seen=
			while read -r _ name cg cgw iops; do
				case " $seen " in
				*" $cg "*) ;;
				*) echo "entity xen dm-nullb $c $vm/$cg $vm $cgw -"; seen="$seen $cg" ;;
				esac
				if [ -n "$win" ] && [ -f "$d/$vm/$name.persec" ]; then
					n=$(window_count "$d/$vm/$name.persec" $win)
					iops=$(awk -v n="$n" -v a="${win% *}" -v b="${win#* }" \
						'BEGIN { printf "%.3f", n / (b - a + 1) }')
					echo "entity xen dm-nullb $c $vm/$cg/$name $vm/$cg 100 $iops requests=$n"
				else
					echo "entity xen dm-nullb $c $vm/$cg/$name $vm/$cg 100 $iops"
				fi
			done <"$d/$vm/jobs.txt"
		done
	done 3< <(configs)
}

if has_step fairness; then
	records >"$OUT/xen-bench/records.txt"
	"$REPORT" --json "$OUT/xen-fairness.json" --svg "$OUT/xen-fairness.svg" \
		"$OUT/xen-bench/records.txt" || failed=1
	echo "bench-xen: results/xen-fairness.json, results/xen-fairness.svg (records: results/xen-bench/records.txt)"
fi

# ------------------------------------------------------------------ real

# fairness-report records of the real step: one run per configuration
# directory (userspace/bench/real-records.sh measures each)
real_records() {
	local m c d
	records_head xen-real "make bench-real" "$REAL_RUNTIME"
	echo "meta share_by entity iops = device ms per second of the window (share by device time); requests_share: by requests"
	echo "meta guest_levels guest cgroup and process shares divide the VM's dom0-measured share as the guest's io.stat and /proc/PID/io saw its I/O over the window"
	echo "param skip_s $REAL_SKIP"
	echo "device dm-nullb null_blk $REAL_NULLB, dm-linear volume per domU, ext4 in the guests"
	while read -r m c _ <&3; do
		d=$OUT/xen-real/$c
		[ -f "$d/status" ] || continue
		BENCH_VM_WEIGHTS=$VMW "$TOP/userspace/bench/real-records.sh" --skip "$REAL_SKIP" \
			--run-extra "lab_rc=$(cut -d' ' -f1 "$d/status") lab_s=$(cut -d' ' -f2 "$d/status")" \
			"$d" "$c" "$m" || failed=1
	done 3< <(configs)
}

if has_step real; then
	if [ $REPORT_ONLY = 0 ]; then
		# boot (up to 5 minutes on a loaded host), 150 s to prepare,
		# fio finishing late, the way back
		run_configs real "$REAL_RUNTIME" "$REAL_NULLB" "$OUT/xen-real" 900
	fi
	real_records >"$OUT/xen-real/records.txt"
	"$REPORT" --share-from requests \
		--show device_flushes,guest_flushes,flush_path_bytes,device_fua_bytes,guest_root_ios_frac,xot_rqs,xot_root_rqs \
		--json "$OUT/xen-real.json" --svg "$OUT/xen-real.svg" \
		"$OUT/xen-real/records.txt" || failed=1
	echo "bench-xen: results/xen-real.json, results/xen-real.svg (records: results/xen-real/records.txt)"
fi

# ------------------------------------------------------------------ overhead

# results/xen-overhead.json from the phases both sides recorded
overhead_json() {
	local d=$1 lab_rc=$2 secs=$3
	cat "$d"/domU*/phases.txt | awk -v dom0="$d/dom0/phases.txt" \
		-v commit="$COMMIT" \
		-v date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -v nullb="$OVH_NULLB" \
		-v rounds="$OVH_ROUNDS" -v phase="$OVH_PHASE" -v toggle="$OVH_TOGGLE" -v rc="$lab_rc" -v secs="$secs" '
	# domU lines: phase mode iops notify_from_dom0 requests
	{ iops[$2] += $3; n[$2]++; ph[$1] += $3; mode[$1] = $2; nin[$2] += $4; rq[$2] += $5
	  if ($2 == "xot") x[$1] += $3; else o[$1] += $3 }
	END {
		while ((getline line < dom0) > 0) {
			split(line, f, " ")
			nout[f[2]] += f[3]; drq[f[2]] += f[4]
		}
		printf "{\n  \"benchmark\": \"xen-overhead\",\n  \"command\": \"make bench-xen BENCH_ARGS=--steps overhead\",\n"
		printf "  \"commit\": \"%s\",\n  \"date\": \"%s\",\n", commit, date
		printf "  \"parameters\": {\"domus\": 2, \"dom0_device\": \"null_blk %s\", \"fio\": \"randread 4k direct libaio\", \"rounds\": %d, \"phase_s\": %d, \"off_unloads\": \"%s\", \"lab_rc\": %d, \"lab_s\": %d},\n", nullb, rounds, phase, toggle, rc, secs
		printf "  \"phases\": ["
		for (k = 0; k in mode; k++)
			if (toggle ~ /^split/)
				printf "%s{\"phase\": %d, \"iops_domu_with_xot\": %.1f, \"iops_domu_without\": %.1f}", k ? ", " : "", k, x[k], o[k]
			else
				printf "%s{\"phase\": %d, \"xot\": %s, \"iops_all_domus\": %.1f}", k ? ", " : "", k, mode[k] == "xot" ? "true" : "false", ph[k]
		printf "],\n"
		# per phase, both domUs (split: one domU per mode, so times 2)
		for (m in n) {
			mean[m] = iops[m] * 2 / n[m]
		}
		printf "  \"iops_per_phase_mean\": {\"with_xot\": %.1f, \"without\": %.1f},\n", mean["xot"], mean["off"]
		printf "  \"iops_ratio_with_to_without\": %.3f,\n", mean["off"] ? mean["xot"] / mean["off"] : 0
		# per pair of adjacent phases (one of each mode): the ratio with
		# the least drift in it; their median resists one disturbed phase
		# split: both modes ran in each phase, one domU each, and the
		# domUs swap modes from phase to phase: a pair is two phases
		# (each domU once in each mode), its ratio the XoT IOPS over the
		# IOPS without in the same moments
		np = 0
		for (k = 0; (k + 1) in mode; k += 2) {
			if (toggle ~ /^split/) {
				a = x[k] + x[k + 1]
				b = o[k] + o[k + 1]
			} else {
				a = mode[k] == "xot" ? ph[k] : ph[k + 1]
				b = mode[k] == "xot" ? ph[k + 1] : ph[k]
			}
			if (b > 0)
				pr[++np] = a / b
		}
		for (i = 1; i <= np; i++)
			for (j = i + 1; j <= np; j++)
				if (pr[j] < pr[i]) { t = pr[i]; pr[i] = pr[j]; pr[j] = t }
		med = np ? (np % 2 ? pr[(np + 1) / 2] : (pr[np / 2] + pr[np / 2 + 1]) / 2) : 0
		printf "  \"iops_ratio_per_pair\": ["
		for (i = 1; i <= np; i++)
			printf "%s%.3f", (i > 1 ? ", " : ""), pr[i]
		printf "],\n  \"iops_ratio_median_of_pairs\": %.3f,\n", med
		printf "  \"notifications_per_request\": {\n"
		if (toggle ~ /^split/)	# dom0 counts both domUs together
			printf "    \"guest_to_dom0\": null,\n"
		else
			printf "    \"guest_to_dom0\": {\"with_xot\": %.4f, \"without\": %.4f},\n", drq["xot"] ? nout["xot"] / drq["xot"] : 0, drq["off"] ? nout["off"] / drq["off"] : 0
		printf "    \"dom0_to_guest\": {\"with_xot\": %.4f, \"without\": %.4f}\n  },\n", rq["xot"] ? nin["xot"] / rq["xot"] : 0, rq["off"] ? nin["off"] / rq["off"] : 0
		printf "  \"hypercalls_per_request_added\": \"none made by XoT on the request path (no event channel, no grant operation); grant maps only at channel setup\"\n}\n"
		ratio = mean["off"] ? mean["xot"] / mean["off"] : 0
		printf("with XoT %.1f IOPS, without %.1f IOPS per phase (both domUs): ratio %.3f, median of %d pairs %.3f (sorted:", mean["xot"], mean["off"], ratio, np, med) > "/dev/stderr"
		for (i = 1; i <= np; i++)
			printf " %.3f", pr[i] > "/dev/stderr"
		printf ")\n" > "/dev/stderr"
	}'
}

if has_step overhead; then
	d=$OUT/xen-bench/overhead
	if [ $REPORT_ONLY = 0 ]; then
		echo "bench-xen: overhead, $OVH_ROUNDS rounds of $OVH_PHASE s phases ($(date +%T))"
		start=$(date +%s)
		"$TOP/userspace/lab/xen-lab.sh" --domus 2 --device nullb --layout dm-linear \
			--nullb "$OVH_NULLB" --env OVH_PHASE="$OVH_PHASE" --env OVH_TOGGLE="$OVH_TOGGLE" \
			--env OVH_ROUNDS="$OVH_ROUNDS" \
			--timeout $((2 * OVH_ROUNDS * OVH_PHASE + 600)) overhead
		rc=$?
		rm -rf "$d"
		cp -r "$OUT/lab/xen-overhead" "$d"
		echo "$rc $(($(date +%s) - start))" >"$d/status"
		[ $rc = 0 ] || { echo "bench-xen: overhead: lab failed (rc $rc)"; failed=1; }
	fi
	if [ -f "$d/status" ]; then
		overhead_json "$d" $(cat "$d/status") >"$OUT/xen-overhead.json" || failed=1
		echo "bench-xen: results/xen-overhead.json"
	fi
fi
exit $failed

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-xen: the semantic gap, measured. Three domUs share one slow
# dom0 device (null_blk, 2 ms per request, one tag: a queue forms in dom0)
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
# Every guest job's IOPS (fio, in the guest) gives the achieved shares at
# each level; build/bin/fairness-report computes targets, errors and Jain's
# index and writes results/xen-fairness.json.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
REPORT=$TOP/build/bin/fairness-report
OUT=$TOP/results
MODES="xot nohook bfq none"
RUNTIME=40
NULLB="completion_nsec=2000000 hw_queue_depth=1"
VMW="domU1=100,domU2=100,domU3=200"
REPORT_ONLY=0

usage() {
	cat <<USAGE
Usage: userspace/bench/bench-xen.sh [options]

Runs the Xen fairness benchmark (about 3-4 minutes per configuration under
TCG) and writes results/xen-fairness.json and a table.

  --modes "M ..."      configurations, from: xot nohook bfq none
                       (default "$MODES")
  --runtime SEC        fio time per guest job (default $RUNTIME)
  --nullb "k=v ..."    dom0 device (default "$NULLB")
  --report-only        rebuild the report from results/xen-bench/*/
  -h, --help           this help

Exit status: 0 done, 1 a lab run or the report failed, 2 usage error.
USAGE
}

while [ $# -gt 0 ]; do
	case $1 in
	--modes) MODES=${2:?--modes needs a value}; shift ;;
	--runtime) RUNTIME=${2:?--runtime needs a value}; shift ;;
	--nullb) NULLB=${2:?--nullb needs a value}; shift ;;
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

mkdir -p "$OUT/xen-bench"
failed=0
if [ $REPORT_ONLY = 0 ]; then
	make -C "$TOP" -s modules user >/dev/null || { echo "bench-xen: build failed" >&2; exit 1; }
	for m in $MODES; do
		echo "bench-xen: configuration $m ($(date +%T))"
		start=$(date +%s)
		"$TOP/userspace/lab/xen-lab.sh" --domus 3 --device nullb --layout dm-linear \
			--nullb "$NULLB" --env XOT_BENCH_MODE="$m" \
			--env BENCH_RUNTIME="$RUNTIME" --env BENCH_VM_WEIGHTS="$VMW" \
			--timeout $((RUNTIME + 600)) bench
		rc=$?
		rm -rf "$OUT/xen-bench/$m"
		cp -r "$OUT/lab/xen-bench" "$OUT/xen-bench/$m"
		echo "$rc $(($(date +%s) - start))" >"$OUT/xen-bench/$m/status"
		[ $rc = 0 ] || { echo "bench-xen: configuration $m: lab failed (rc $rc)"; failed=1; }
	done
fi

vmw() { echo "$VMW" | tr ',' '\n' | sed -n "s/^$1=//p"; }

# fairness-report records from each configuration's guest job lines
records() {
	local m d vm name cg cgw iops seen
	echo "meta benchmark xen-fairness"
	echo "meta command make bench-xen"
	echo "meta commit $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)"
	echo "meta date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "meta machine $(nproc) cores, QEMU TCG"
	echo "meta noise TCG timing; compare configurations within one file"
	echo "param runtime_s $RUNTIME"
	echo "param vm_weights $VMW"
	echo "device dm-nullb null_blk $NULLB, dm-linear volume per domU"
	for m in $MODES; do
		d=$OUT/xen-bench/$m
		[ -f "$d/status" ] || continue
		echo "run xen dm-nullb $m $m lab_rc=$(cut -d' ' -f1 "$d/status") lab_s=$(cut -d' ' -f2 "$d/status")"
		for vm in domU1 domU2 domU3; do
			[ -f "$d/$vm/jobs.txt" ] || continue
			echo "entity xen dm-nullb $m $vm - $(vmw $vm) -"
			seen=
			while read -r _ name cg cgw iops; do
				case " $seen " in
				*" $cg "*) ;;
				*) echo "entity xen dm-nullb $m $vm/$cg $vm $cgw -"; seen="$seen $cg" ;;
				esac
				echo "entity xen dm-nullb $m $vm/$cg/$name $vm/$cg 100 $iops"
			done <"$d/$vm/jobs.txt"
		done
	done
}

records >"$OUT/xen-bench/records.txt"
"$REPORT" --json "$OUT/xen-fairness.json" "$OUT/xen-bench/records.txt" || failed=1
echo "bench-xen: results/xen-fairness.json (records: results/xen-bench/records.txt)"
exit $failed

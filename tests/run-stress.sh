#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make stress: the long versions of the hardening tests (the test command
# runs short ones), and results/hardening.json with their figures:
#
#   fuzz        libFuzzer over dom0's record matching (make fuzz-long)
#   starvation  host lab: weight 1 vs 10000, waits in dispatches vs the bound
#   faults      host lab: device removed under queued I/O; scheduler
#               switching under crc32c-verified I/O for minutes
#   reconnect   Xen lab: a domU saved and restored under verified I/O, another
#               destroyed mid-I/O and created again
#   hostile     Xen lab: a hostile guest against two normal ones (when the
#               scenario tests/xen/hostile/ is there)
#   lockdep     host lab on a CONFIG_PROVE_LOCKING kernel built from Debian's
#               linux-source (userspace/lab/lockdep-kernel.sh, cached in
#               build/lockdep-kernel): iomax-newcg, flush, cgroup-weights;
#               any lockdep report fails the run (docs/hardening.md, "Lockdep")
#
# Usage: tests/run-stress.sh [--quick] [--only STEP,...] [--help]
#   --quick       short durations (as in the test command): a few minutes
#   --only S,...  run only these steps (fuzz starvation faults reconnect hostile
#                 lockdep)
# Environment: STRESS_FUZZ_SECONDS (default 1800), STRESS_STARVE_SECONDS
# (300), STRESS_SWITCH_SECONDS (300). Exit status: 0 all passed, 1 a step
# failed, 2 usage.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
RES=$TOP/results
STEPS="fuzz starvation faults reconnect hostile lockdep"
FUZZ_S=${STRESS_FUZZ_SECONDS:-1800}
STARVE_S=${STRESS_STARVE_SECONDS:-300}
SWITCH_S=${STRESS_SWITCH_SECONDS:-300}

while [ $# -gt 0 ]; do
	case $1 in
	--quick) FUZZ_S=60 STARVE_S=60 SWITCH_S=20 ;;
	--only) STEPS=${2:?--only needs a list}; STEPS=${STEPS//,/ }; shift ;;
	-h | --help) sed -n '3,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run-stress: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
	shift
done
for s in $STEPS; do
	case $s in fuzz | starvation | faults | reconnect | hostile | lockdep) ;;
	*) echo "run-stress: unknown step '$s'" >&2; exit 2 ;;
	esac
done
has() { [[ " $STEPS " == *" $1 "* ]]; }

mkdir -p "$RES/stress"
failed=0
T0=$(date +%s)
COMMIT=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)
say() { echo "run-stress: $* ($(date +%T))"; }

# step NAME CMD...: run with output in results/stress/NAME.log; rc in NAME.rc
step() {
	local name=$1 rc
	shift
	say "$name: $*"
	"$@" >"$RES/stress/$name.log" 2>&1
	rc=$?
	echo $rc >"$RES/stress/$name.rc"
	tail -3 "$RES/stress/$name.log" | sed 's/^/  /'
	[ $rc = 0 ] || { say "$name FAILED (rc $rc, see results/stress/$name.log)"; failed=1; }
}

make -C "$TOP" -s modules user >/dev/null || { echo "run-stress: build failed" >&2; exit 1; }
if has fuzz; then
	step fuzz make -C "$TOP" -s fuzz-long FUZZ_LONG_SECONDS="$FUZZ_S"
fi
if has starvation; then
	step starvation "$TOP/userspace/lab/host-lab.sh" --timeout $((STARVE_S + 600)) \
		--append "runtime=$STARVE_S" starvation
fi
if has faults; then
	step faults "$TOP/userspace/lab/host-lab.sh" --timeout $((SWITCH_S + 900)) \
		--append "switch=$SWITCH_S" faults
fi
if has reconnect; then
	step reconnect "$TOP/userspace/lab/xen-lab.sh" --domus 2 --dom0-mem 1536 --timeout 1200 reconnect
fi
if has hostile && [ -d "$TOP/tests/xen/hostile" ]; then
	step hostile "$TOP/userspace/lab/xen-lab.sh" --domus 3 \
		--nullb "completion_nsec=20000000 hw_queue_depth=1 cache_size=64 discard=1" \
		--env XOT_GUEST_MODULES=domU1=xot-hostile \
		--env XOT_BLKFRONT_ARGS=domU1=max_ring_page_order:4 --timeout 1200 hostile
fi

if has lockdep; then
	# the kernel build is niced (lockdep-kernel.sh --nice): ~12 min at
	# normal priority on 2 idle cores, then cached
	step lockdep-kernel "$TOP/userspace/lab/lockdep-kernel.sh"
	if [ "$(cat "$RES/stress/lockdep-kernel.rc")" = 0 ]; then
		for s in iomax-newcg flush cgroup-weights; do
			step "lockdep-$s" "$TOP/userspace/lab/host-lab.sh" --timeout 900 \
				--kernel-tree "$TOP/build/lockdep-kernel" \
				--out "$RES/lab/host-lockdep-$s" "$s"
		done
	fi
fi

say "writing results/hardening.json"
python3 "$TOP/userspace/bench/hardening-report.py" --commit "$COMMIT" \
	--seconds $(($(date +%s) - T0)) --steps "$STEPS" \
	--params "fuzz_s=$FUZZ_S starvation_s=$STARVE_S switch_s=$SWITCH_S" \
	"$RES" >"$RES/hardening.json" || failed=1
python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(json.dumps(j["summary"], indent=1))' \
	"$RES/hardening.json" 2>/dev/null
exit $failed

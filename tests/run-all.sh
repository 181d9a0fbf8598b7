#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The XoT test command (README: "Run the tests"). On a fresh Debian 12
# machine, as root, it installs what it needs, builds everything, and runs:
#   unit tests of the shared core and wire format (userspace, ASan/UBSan),
#   a short fuzzing campaign over the code dom0 runs on guest memory,
#   the build itself (W=1 warning-free) and kernel style,
#   command-line error handling, and xotctl on fake sysfs/debugfs trees,
#   packaging: make install/uninstall into a staging DESTDIR, the examples,
#   dkms.conf (a DKMS build in a temporary tree),
#   the host lab smoke test (QEMU: xot on null_blk and virtio, fio verify),
#   the host lab cgroup test (io.xot.weight grammar, cgroup-tools, shares),
#   the host lab lifecycle test (queue reuse, busy cgroup deletion, switching),
#   the host lab io.max test (new cgroups' first I/O under blk-throttle),
#   the Xen lab smoke test (QEMU: Xen, dom0 on xot, two domUs with fio verify),
#   the Xen lab channel test (XoT records from the guests matched in dom0),
#   the Xen lab hostile test (a test-only guest attacking dom0 through XoT).
# Ends with one line "N passed, N failed"; exits non-zero on any failure.
#
# Usage: tests/run-all.sh [--only STEP[,STEP...]] [--list]
#   steps: deps build style unit fuzz cli host xen
# Logs of every step: build/test-logs/STEP.log
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
LOGDIR=$TOP/build/test-logs
ALL_STEPS="deps build style unit fuzz cli host xen"
ONLY=""

usage() { sed -n '4,21p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
	case $1 in
	--only) ONLY=${2:?--only needs a step list}; shift 2 ;;
	--list) echo "$ALL_STEPS"; exit 0 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "run-all: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done
for s in ${ONLY//,/ }; do
	[[ " $ALL_STEPS " == *" $s "* ]] || { echo "run-all: unknown step '$s' (steps: $ALL_STEPS)" >&2; exit 2; }
done

mkdir -p "$LOGDIR"
PASSED=0
FAILED=0
T_START=$(date +%s)
declare -a SUMMARY

wanted() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }
pass() { PASSED=$((PASSED + 1)); echo "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1${2:+: $2}"; }

# Run a step's command with its output in the step's log; echo the timing.
run_logged() { # step cmd...
	local step=$1 t0 rc
	shift
	t0=$(date +%s)
	echo "=== $step: $*"
	"$@" >"$LOGDIR/$step.log" 2>&1
	rc=$?
	SUMMARY+=("$(printf '%-6s %4ss  exit %s' "$step" $(($(date +%s) - t0)) "$rc")")
	return $rc
}

# Count the PASS/FAIL lines a step printed (unit tests and lab scenarios;
# the Xen lab's closing list names the side: "domU1: XOT-PASS name").
count_lines() { # step log
	local p f side='^((dom0|domU[0-9]+): )?'
	p=$(grep -cE "${side}(PASS|XOT-PASS) " "$2")
	f=$(grep -cE "${side}(FAIL|XOT-FAIL) " "$2")
	grep -E "${side}(FAIL|XOT-FAIL|XOT-SKIP) " "$2" | sed "s/^/  [$1] /"
	echo "  [$1] $p passed, $f failed"
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
}

if wanted deps; then
	if run_logged deps "$TOP/scripts/install-deps.sh"; then
		pass deps
	else
		fail deps "see $LOGDIR/deps.log"
		tail -5 "$LOGDIR/deps.log"
		echo "$PASSED passed, $FAILED failed"
		exit 1
	fi
fi

if wanted build; then
	if run_logged build make -C "$TOP" modules user W=1; then
		if grep -qE 'warning:' "$LOGDIR/build.log"; then
			fail build-w1 "compiler warnings with W=1"
			grep -E 'warning:' "$LOGDIR/build.log" | head
		else
			pass build-w1
		fi
	else
		fail build "see $LOGDIR/build.log"
		tail -20 "$LOGDIR/build.log"
	fi
fi

if wanted style; then
	if run_logged style "$TOP/scripts/checkpatch.sh"; then
		pass checkpatch
	else
		fail checkpatch
		head -20 "$LOGDIR/style.log"
	fi
	# sparse prints its findings as "file:line:col: warning/error: ..."
	if run_logged sparse make -C "$TOP" sparse && ! grep -qE ':[0-9]+:[0-9]+: (warning|error):' "$LOGDIR/sparse.log"; then
		pass sparse
	else
		fail sparse "see $LOGDIR/sparse.log"
		grep -E ':[0-9]+:[0-9]+: ' "$LOGDIR/sparse.log" | head -10
	fi
fi

if wanted unit; then
	run_logged unit make -C "$TOP" -s unit
	count_lines unit "$LOGDIR/unit.log"
fi

# Bounded: XOT_FUZZ_SECONDS per harness (default 20); `make fuzz-long` is
# the long campaign.
if wanted fuzz; then
	if run_logged fuzz make -C "$TOP" -s fuzz FUZZ_SECONDS="${XOT_FUZZ_SECONDS:-20}"; then
		pass fuzz-short
	else
		fail fuzz-short "see $LOGDIR/fuzz.log"
	fi
	grep -E '^fuzz ' "$LOGDIR/fuzz.log" | sed 's/^/  /'
fi

if wanted cli; then
	run_logged cli "$TOP/tests/cli/errors.sh"
	count_lines cli "$LOGDIR/cli.log"
	# xotctl on fake /sys, /proc, /etc trees (its ASan build, from `make user`)
	run_logged cli-xotctl "$TOP/tests/cli/xotctl.sh"
	count_lines cli-xotctl "$LOGDIR/cli-xotctl.log"
	# make install/uninstall into a staging DESTDIR, examples, dkms.conf
	run_logged cli-install "$TOP/tests/cli/install.sh"
	count_lines cli-install "$LOGDIR/cli-install.log"
fi

# A lab run counts its scenario's checks, plus one for the run itself: it
# fails on a kernel warning, a time-out or a harness error even when every
# check inside passed.
lab_step() { # step name cmd...
	local step=$1 name=$2
	shift 2
	if run_logged "$step" "$@"; then
		pass "$name"
	else
		fail "$name" "see $LOGDIR/$step.log"
		grep -E 'error|TIMEOUT|timed out|WARNING|BUG|Oops|stopped' "$LOGDIR/$step.log" | tail -8
	fi
	count_lines "$step" "$LOGDIR/$step.log"
}

if wanted host; then
	lab_step host host-lab-smoke "$TOP/userspace/lab/host-lab.sh" smoke
	lab_step host-cgroup host-lab-cgroup-weights "$TOP/userspace/lab/host-lab.sh" cgroup-weights
	lab_step host-life host-lab-lifecycle "$TOP/userspace/lab/host-lab.sh" lifecycle
	# io.max throttling while hundreds of new cgroups do their first I/O
	# and weights are written: xot's locks against blk-throttle's (~60 s)
	lab_step host-iomax host-lab-iomax-newcg "$TOP/userspace/lab/host-lab.sh" iomax-newcg
	# weight 1 against 10000: waits in dispatches against the documented bound
	lab_step host-starve host-lab-starvation "$TOP/userspace/lab/host-lab.sh" starvation
	# writes with FUA and cache flushes bypass the elevator: charged as debt
	lab_step host-flush host-lab-flush "$TOP/userspace/lab/host-lab.sh" flush
	# the device removed under queued I/O; scheduler switching under verify
	lab_step host-faults host-lab-faults "$TOP/userspace/lab/host-lab.sh" faults
fi

if wanted xen; then
	lab_step xen xen-lab-smoke "$TOP/userspace/lab/xen-lab.sh" --domus 2 smoke
	# the XoT channel end to end: negotiation, records matched in dom0,
	# identity, writeback, a disk attached later, reload under I/O
	lab_step xen-channel xen-lab-channel "$TOP/userspace/lab/xen-lab.sh" --domus 2 channel
	# blkfront reconnect: xl save + xl restore under verified I/O; a domU
	# destroyed mid-I/O and created again
	lab_step xen-reconnect xen-lab-reconnect "$TOP/userspace/lab/xen-lab.sh" --domus 2 \
		--dom0-mem 1536 --timeout 1200 reconnect
	# a hostile guest (test-only xot-hostile: lying, replayed, reordered,
	# rewritten records, broken indices, a torn-down ring) beside two
	# honest ones: dom0 stays up, state under the caps, every share held,
	# every guest's data verified (about 330 s)
	lab_step xen-hostile xen-lab-hostile "$TOP/userspace/lab/xen-lab.sh" --domus 3 \
		--nullb "completion_nsec=20000000 hw_queue_depth=1 cache_size=64 discard=1" \
		--env XOT_GUEST_MODULES=domU1=xot-hostile \
		--env XOT_BLKFRONT_ARGS=domU1=max_ring_page_order:4 --timeout 1200 hostile
fi

echo "=== timings"
printf '  %s\n' "${SUMMARY[@]}"
echo "  total  $(($(date +%s) - T_START))s"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]

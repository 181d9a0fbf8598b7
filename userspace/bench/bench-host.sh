#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-host.sh - the host benchmarks of the xot elevator (`make bench-host`):
# runs the benchmark scenarios in the host lab (QEMU TCG, stock Debian
# kernel), turns their raw records into tables and results/host-*.json with
# build/bin/fairness-report. Run with --help for usage.

set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB=$TOP/userspace/lab/host-lab.sh
REPORT=$TOP/build/bin/fairness-report
STEPS_ALL="fairness latency overhead"

usage() {
	cat <<EOF
Usage: $(basename "$0") [options]

Runs in the host lab (userspace/lab/host-lab.sh), one QEMU boot each:
  fairness  tests/host/bench-fairness.sh: three cgroups 100:200:400 (flat,
            nested, mixed read/write) on three null_blk models (shallow,
            deep, bandwidth-limited) under xot, xot max_inflight, bfq,
            none+io.cost (auto and device model), none, mq-deadline
            -> results/host-fairness.json
  latency   tests/host/bench-latency.sh: a queue-depth-1 reader (weight 400)
            against four writers (weight 100 each; direct and buffered)
            -> results/host-latency.json
  overhead  tests/host/bench-overhead.sh: null_blk without delay, 1, 100 and
            1000 active cgroups, none/mq-deadline/kyber/bfq/xot alternated
            in rounds -> results/host-overhead.json
Each JSON records the command, commit, machine and every parameter; tables
are printed and saved beside it (results/host-*.txt). Raw lab output:
results/lab/host-bench-*/. A benchmark fails only when something breaks
(lab failure, fio error, no I/O), never on a number. About 30 minutes on an
idle 2-core host; other QEMU runs on the host slow it down and add noise.

Options:
  --only LIST            steps to run, comma-separated (default: all:
                         ${STEPS_ALL// /,})
  --fairness-args ARGS   extra scenario arguments, e.g. "runtime=5 sets=flat"
  --latency-args ARGS    (see the header of each tests/host/bench-*.sh)
  --overhead-args ARGS
  --capacity N           deep/bw device capacity in IOPS: skips the fairness
                         calibration (shallow too: --capacity-shallow, else N)
  --capacity-shallow N   shallow device capacity in IOPS (latency; fairness
                         with --capacity)
  --quick                a short smoke run of everything (a few minutes;
                         numbers are rough)
  --report-only          no lab runs: tables and JSON again from the records
                         of the last runs (results/lab/host-bench-*/)
  --out DIR              where the JSON and tables go (default results/)
  --timeout S            time-out of each lab run, seconds (default: per step,
                         fairness 2700, latency 1200, overhead 1800)
  -h, --help             this help

Exit status: 0 all steps ran and produced their JSON; 1 a step failed (lab
failure, fio error, report error); 2 usage error.
EOF
}

die() { echo "bench-host: error: $1" >&2; exit "${2:-1}"; } # message [exit status]
say() { echo "bench-host: [$(date +%H:%M:%S)] $*"; }

ONLY=$STEPS_ALL OUT=$TOP/results TMO='' QUICK=0 REPORT_ONLY=0
FARGS='' LARGS='' OARGS='' CAP='' CAPS=''
while [ $# -gt 0 ]; do
	opt=$1 val=''
	case $opt in
	--*=*) val=${opt#*=} opt=${opt%%=*} ;;
	esac
	case $opt in
	--only | --fairness-args | --latency-args | --overhead-args | --capacity | --capacity-shallow | --out | --timeout)
		if [ -z "$val" ]; then
			[ $# -ge 2 ] || die "$opt needs a value (see --help)" 2
			val=$2
			shift
		fi ;;
	esac
	case $opt in
	--only) ONLY=${val//,/ } ;;
	--fairness-args) FARGS=$val ;;
	--latency-args) LARGS=$val ;;
	--overhead-args) OARGS=$val ;;
	--capacity) CAP=$val ;;
	--capacity-shallow) CAPS=$val ;;
	--out) OUT=$val ;;
	--timeout) TMO=$val ;;
	--quick) QUICK=1 ;;
	--report-only) REPORT_ONLY=1 ;;
	-h | --help) usage; exit 0 ;;
	*) die "unknown argument '$opt' (see --help)" 2 ;;
	esac
	shift
done
for s in $ONLY; do
	[[ " $STEPS_ALL " == *" $s "* ]] || die "unknown step '$s' (steps: $STEPS_ALL)" 2
done
for v in capacity:CAP capacity-shallow:CAPS timeout:TMO; do
	n=${v#*:}
	[ -z "${!n}" ] || [[ ${!n} =~ ^[1-9][0-9]*$ ]] ||
		die "--${v%:*} must be a positive integer, got '${!n}'" 2
done
[ -x "$REPORT" ] || die "$REPORT not built: run 'make bench-host' (or 'make user' first)"
[ -x "$LAB" ] || die "$LAB missing"
ls "$TOP"/xot-iosched.ko >/dev/null 2>&1 || die "xot-iosched.ko not built: run 'make bench-host' (or 'make modules' first)"
mkdir -p "$OUT" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd)

if [ $QUICK = 1 ]; then
	FARGS="runtime=4 ramp=1 sets=flat,nested configs=xot,bfq,none+io.cost,none,mq-deadline $FARGS"
	LARGS="runtime=5 ramp=1 sets=direct $LARGS"
	OARGS="cgroups=1,100 rounds=1 window=2 $OARGS"
fi
# forced capacities skip the fairness calibration (shallow defaults to --capacity)
[ -z "$CAP" ] || FARGS="capacity=$CAP${CAPS:+ capacity_shallow=$CAPS} $FARGS"

# ------------------------------------------------------------ what and where
COMMIT=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$COMMIT" != unknown ] && [ -n "$(git -C "$TOP" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
	COMMIT="$COMMIT-dirty"
fi
CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
OS=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
# other QEMU processes share the host's cores: noise (read-only count)
qemu_count() {
	local n
	n=$(pgrep -c -x 'qemu-system-x86' 2>/dev/null; pgrep -c -x 'qemu-system-x86_64' 2>/dev/null)
	echo "$n" | awk '{ s += $1 } END { print s + 0 }'
}
MACHINE="host: $(nproc) cpus ($CPU_MODEL), $OS, $(uname -r); lab: QEMU TCG (no KVM), 2 vCPUs, 2048 MB, Debian stock kernel (see parameters.guest_kernel)"

declare -A STATUS SECS
FAILED=0

# meta BENCHMARK STEP: the host-side records of a report input, kept beside
# the lab's results (host-meta.txt) so that --report-only can use them again
meta() {
	echo "meta benchmark $1"
	echo "meta command make bench-host"
	echo "meta commit $COMMIT"
	echo "meta machine $MACHINE"
	echo "meta date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "meta xot_module_sha256 ${KO_SUM[$2]}"
	echo "meta driver userspace/bench/bench-host.sh${ARGV:+ $ARGV}"
	echo "meta lab_command ${LABCMD[$2]}"
	echo "meta lab_status ${STATUS[$2]}"
	echo "meta lab_seconds ${SECS[$2]}"
	echo "meta host_load_before ${LOAD_BEFORE[$2]}"
	echo "meta host_load_after ${LOAD_AFTER[$2]}"
	echo "meta host_other_qemu_before ${QEMU_BEFORE[$2]}"
	echo "meta noise TCG timing: other QEMU runs on the same host cores (host_other_qemu_before, host_load_*) slow the guest and add noise; compare schedulers within one file, not across runs"
	echo "meta reproduce make bench-host (with this file's capacities: BENCH_ARGS='--capacity C --capacity-shallow S', see parameters)"
}
declare -A LOAD_BEFORE LOAD_AFTER QEMU_BEFORE LABCMD KO_SUM
ARGV=$*

# run_step STEP SCENARIO TIMEOUT ARGS
run_step() {
	local step=$1 scen=$2 tmo=$3 args=$4 rc=0 t0 dir=$TOP/results/lab/host-$2
	local -a cmd=("$LAB" --timeout "$tmo" --out "$dir")
	[ -z "$args" ] || cmd+=(--append "$args")
	cmd+=("$scen")
	LABCMD[$step]="userspace/lab/host-lab.sh --timeout $tmo${args:+ --append '$args'} $scen"
	LOAD_BEFORE[$step]=$(cut -d' ' -f1-3 /proc/loadavg)
	# the module the lab image gets (another build may replace it later)
	KO_SUM[$step]=$(sha256sum "$TOP/xot-iosched.ko" 2>/dev/null | cut -c1-16)
	QEMU_BEFORE[$step]=$(qemu_count)
	say "step $step: ${LABCMD[$step]} (time-out ${tmo}s; ${QEMU_BEFORE[$step]} QEMU processes already running on this host)"
	t0=$SECONDS
	"${cmd[@]}" || rc=$?
	SECS[$step]=$((SECONDS - t0))
	LOAD_AFTER[$step]=$(cut -d' ' -f1-3 /proc/loadavg)
	if [ $rc = 0 ]; then
		STATUS[$step]="PASS"
	else
		STATUS[$step]="FAIL (host-lab exit $rc, see results/lab/host-$scen/summary.txt)"
		FAILED=1
	fi
	say "step $step: ${STATUS[$step]} in ${SECS[$step]} s"
	if [ -d "$dir" ]; then
		meta "host-$step" "$step" >"$dir/host-meta.txt"
	fi
	return $rc
}

# report STEP RECORDS JSON [fairness-report options]: host-meta.txt (written
# after the lab run) + the guest's records -> tables and JSON
report() {
	local step=$1 rec=$2 json=$3 tab hm
	shift 3
	tab=${json%.json}.txt
	hm=$(dirname "$rec")/host-meta.txt
	if [ ! -s "$rec" ]; then
		say "step $step: no records came back ($rec); no $json"
		FAILED=1
		return 1
	fi
	[ -s "$hm" ] || { say "step $step: no $hm (run the step first)"; FAILED=1; return 1; }
	if cat "$hm" "$rec" | "$REPORT" --json "$json" "$@" - >"$tab"; then
		cat "$tab"
	else
		say "step $step: fairness-report failed on $rec"
		FAILED=1
		return 1
	fi
}

T_ALL=$SECONDS
say "commit $COMMIT; steps: $ONLY; results in $OUT"
for step in $ONLY; do
	case $step in
	fairness)
		[ $REPORT_ONLY = 1 ] || run_step fairness bench-fairness "${TMO:-2700}" "$FARGS"
		report fairness "$TOP/results/lab/host-bench-fairness/fairness.txt" \
			"$OUT/host-fairness.json" --share-from xot_rqs
		;;
	latency)
		# the shallow device of this run's fairness calibration, if any
		c=$CAPS
		f=$TOP/results/lab/host-bench-fairness/capacity
		if [ -z "$c" ] && [ -s "$f" ]; then
			c=$(awk '{ print $2 }' "$f")
			say "latency: shallow capacity $c IOPS from $f"
		fi
		[ -n "$c" ] || say "latency: no calibrated shallow capacity (run the fairness step or give --capacity-shallow); using the scenario's default"
		la=${c:+capacity_shallow=$c}
		[ -z "$LARGS" ] || la="${la:+$la }$LARGS"
		[ $REPORT_ONLY = 1 ] || run_step latency bench-latency "${TMO:-1200}" "$la"
		report latency "$TOP/results/lab/host-bench-latency/latency.txt" \
			"$OUT/host-latency.json" --show lat_p50_us,lat_p99_us,lat_mean_us
		;;
	overhead)
		[ $REPORT_ONLY = 1 ] || run_step overhead bench-overhead "${TMO:-1800}" "$OARGS"
		report overhead "$TOP/results/lab/host-bench-overhead/overhead.txt" \
			"$OUT/host-overhead.json"
		;;
	esac
done

say "done in $((SECONDS - T_ALL)) s:"
for step in $ONLY; do
	printf '  %-9s %-60s %5s s\n' "$step" "${STATUS[$step]:-not run}" "${SECS[$step]:-0}"
done
for f in host-fairness host-latency host-overhead; do
	[ -f "$OUT/$f.json" ] && echo "  $OUT/$f.json"
done
exit $FAILED

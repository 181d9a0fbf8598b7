#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-lab benchmark: proportional share of one saturated device between
# weighted cgroups, for xot and the stock alternatives (runs in the guest;
# `make bench-host` drives it through userspace/bench/bench-host.sh):
#   userspace/lab/host-lab.sh --timeout 2400 bench-fairness
#
# 1. Calibration (`none`, the flat three-cgroup fio load, 5 s each):
#    (a) null_blk irqmode=0 (no delay), 64 tags, iodepth 64: what the lab's
#        CPU drives; deep and bw capacity = that / cal_div;
#    (b) one tag, 1 ms timer completions, iodepth 16: at depth 1 each request
#        waits for the previous one's whole completion path, most of a
#        millisecond under TCG (a zero-delay run misses the idle wake-ups),
#        o = 1/IOPS - 1 ms; shallow service time = cal_div_shallow x o, so
#        that the device is at least 80% of each request's turnaround. At
#        such rates a run moves few requests: the shallow runs last
#        runtime_shallow seconds.
#    Capacities are rounded down to a multiple of 500 (50 below 1000),
#    within 50..2500 (or capacity=, capacity_shallow=): the device, not the
#    CPU, is then the bottleneck.
# 2. Three null_blk device models (tests/lib/bench.sh):
#      shallow  fixed service time 1/capacity (irqmode=2 timer), 1 tag
#      deep     fixed service time 64/capacity, 64 tags
#      bw       mbps = capacity x 4 KiB, 64 tags, 50 us completions: the
#               device throttles by bandwidth, its tags never run out; the
#               load is pinned to CPU 0 (null_blk's bandwidth timer races
#               when two CPUs restart it: a kernel WARNING fails the lab)
# 3. Cgroup sets (each weight is written to io.xot.weight, io.bfq.weight and
#    io.weight alike; only the active policy reads its own):
#      flat    g100 g200 g400, randread each
#      nested  A=200 { A1=100, A2=300 }, B=100, randread each leaf
#      mixed   g100 randread, g200 randwrite, g400 randread
#    Every leaf cgroup is one fio job (4 KiB, direct, libaio) whose iodepth
#    is at least the device's tag count (qd_*); one fio process runs all
#    jobs of a run (fio's cgroup= option) so that they start together.
# 4. Configurations, one run each per set and device:
#      xot, xot-mi (max_inflight=mi; deep and bw only), any
#      xot-SETTING[-SETTING] of tests/lib/bench.sh (e.g. xot-ic0: no idle
#      credit, xot-im2: adaptive window), bfq,
#      none+io.cost (io.cost.qos enable=1, the kernel's auto model),
#      none+io.cost-model (the same, io.cost.model = the device's capacity),
#      none, mq-deadline
#    nr_requests=NR for every elevator (none has no scheduler tags: its
#    nr_requests stays the hardware depth).
#
# 5. Deep and bw devices: one job alone under none (param solo_MODEL_*): can
#    one cgroup's fio drive the device by itself at that iodepth?
#
# Output: $RESULTS/fairness.txt, the input of fairness-report (param,
# device, run and entity records: per-job IOPS from fio's own terse output;
# for xot also the requests io.xot.stat counted), raw fio files in
# $RESULTS/raw/. A run fails only when something breaks (fio error, no
# I/O), never on a share: this records numbers.
#
# Arguments (host-lab.sh --append "k=v ..."; lists with commas):
#   runtime=S (10)  runtime_shallow=S (15)  ramp=S (2)
#   devices=shallow,deep,bw  sets=flat,nested,mixed
#   configs=xot,xot-mi,bfq,none+io.cost,none+io.cost-model,none,mq-deadline
#   capacity=IOPS capacity_shallow=IOPS (default: calibrate)  cal_div=N (8)
#   cal_div_shallow=N (4)  nr_requests=N (256)
#   mi=N (16)  qd_shallow=N (16)  qd_deep=N (64)  qd_bw=N (64)
#   cpu_weights=1 (0): also give each cgroup its weight as cpu.weight (the
#     cgroups' fio processes compete for the lab's two vCPUs, and a process
#     that must issue 4/7 of the requests may need more than a third of the
#     CPU the three get)
. "${XOT_LIB:-/tests/lib}/guest.sh"
BENCH_OUT=$RESULTS/fairness.txt
. "${XOT_LIB:-/tests/lib}/bench.sh"

RUNTIME=10 RUNTIME_SHALLOW=15 RAMP=2 CAPACITY='' CAPACITY_SHALLOW='' CAL_DIV=8 CAL_DIV_SHALLOW=4
DEVICES=shallow,deep,bw
SETS=flat,nested,mixed
CONFIGS=xot,xot-mi,bfq,none+io.cost,none+io.cost-model,none,mq-deadline
QD_shallow=16 QD_deep=64 QD_bw=64
CPU_WEIGHTS=0
for a in $XOT_SCENARIO_ARGS; do
	case $a in
	runtime=*) RUNTIME=${a#*=} ;;
	runtime_shallow=*) RUNTIME_SHALLOW=${a#*=} ;;
	ramp=*) RAMP=${a#*=} ;;
	devices=*) DEVICES=${a#*=} ;;
	sets=*) SETS=${a#*=} ;;
	configs=*) CONFIGS=${a#*=} ;;
	capacity=*) CAPACITY=${a#*=} ;;
	capacity_shallow=*) CAPACITY_SHALLOW=${a#*=} ;;
	cal_div=*) CAL_DIV=${a#*=} ;;
	cal_div_shallow=*) CAL_DIV_SHALLOW=${a#*=} ;;
	nr_requests=*) BENCH_NR=${a#*=} ;;
	mi=*) BENCH_MI=${a#*=} ;;
	qd_shallow=*) QD_shallow=${a#*=} ;;
	qd_deep=*) QD_deep=${a#*=} ;;
	cpu_weights=*) CPU_WEIGHTS=${a#*=} ;;
	qd_bw=*) QD_bw=${a#*=} ;;
	esac
done
DEVICES=${DEVICES//,/ } SETS=${SETS//,/ } CONFIGS=${CONFIGS//,/ }
CG=$BENCH_CG
: >"$BENCH_OUT"

# ---------------------------------------------------------------- cgroup sets
# One line per node: "name parent weight rw"; inner nodes have rw "-".
set_nodes() {
	case $1 in
	flat) printf '%s\n' "g100 - 100 randread" "g200 - 200 randread" "g400 - 400 randread" ;;
	nested) printf '%s\n' "A - 200 -" "A1 A 100 randread" "A2 A 300 randread" "B - 100 randread" ;;
	mixed) printf '%s\n' "g100 - 100 randread" "g200 - 200 randwrite" "g400 - 400 randread" ;;
	*) return 1 ;;
	esac
}
set_scenario() {
	case $1 in
	flat) echo flat-3groups ;;
	nested) echo nested-4groups ;;
	mixed) echo mixed-rw-3groups ;;
	esac
}
cg_path() { # set name -> cgroup path below $CG
	local p
	p=$(set_nodes "$1" | awk -v n="$2" '$1 == n { print $2 }')
	if [ "$p" = - ]; then echo "fair-$1/$2"; else echo "fair-$1/$p/$2"; fi
}

set_create() {
	local set=$1 n p w rw path ctl=+io
	if [ "$CPU_WEIGHTS" = 1 ]; then
		ctl="+io +cpu"
		echo +cpu >"$CG/cgroup.subtree_control" || return 1
	fi
	mkdir -p "$CG/fair-$set"
	echo "$ctl" >"$CG/fair-$set/cgroup.subtree_control"
	while read -r n p w rw; do
		path=$CG/$(cg_path "$set" "$n")
		mkdir -p "$path"
		[ "$rw" != - ] || echo "$ctl" >"$path/cgroup.subtree_control"
		[ "$CPU_WEIGHTS" != 1 ] || echo "$w" >"$path/cpu.weight" || return 1
		echo "default $w" >"$path/io.xot.weight"
		echo "default $w" >"$path/io.bfq.weight"
		echo "default $w" >"$path/io.weight"
		grep -qx "default $w" "$path/io.xot.weight" || err "$path: io.xot.weight is not $w"
	done < <(set_nodes "$set")
}

set_remove() {
	find "$CG/fair-$1" -depth -mindepth 1 -type d -exec rmdir {} \; 2>/dev/null
	rmdir "$CG/fair-$1" 2>/dev/null || true
}

fio_jobfile() { # set dev iodepth runtime ramp [global option]
	local set=$1 n p w rw
	cat <<EOF
[global]
${6:-# no CPU pinning}
filename=$2
direct=1
bs=4k
ioengine=libaio
iodepth=$3
time_based
runtime=$4
ramp_time=$5
randrepeat=0
norandommap
cgroup_nodelete=1
EOF
	while read -r n p w rw; do
		[ "$rw" = - ] && continue
		printf '[%s]\nrw=%s\ncgroup=%s\n' "$n" "$rw" "$(cg_path "$set" "$n")"
	done < <(set_nodes "$set")
}

dev_qd() {
	case $1 in
	shallow) echo "$QD_shallow" ;;
	deep) echo "$QD_deep" ;;
	*) echo "$QD_bw" ;;
	esac
}
# the bw model's load runs on CPU 0 only (tests/lib/bench.sh, bench_dev_params)
dev_pin() { [ "$1" != bw ] || echo "cpus_allowed=0"; }

# ---------------------------------------------------------------- calibration
# calibrate NAME QD NULLB-PARAMS...: IOPS of `none` on that device with the
# flat three-cgroup load at iodepth QD, 5 s; into $RESULTS/calibration-NAME
calibrate() {
	local name=$1 qd=$2 dev
	shift 2
	dev=$(nullb_create "cal$name" size=1024 memory_backed=0 blocksize=4096 "$@")
	sched_set "$dev" none
	set_create flat
	fio_jobfile flat "$dev" "$qd" 5 1 >"/tmp/cal-$name.fio"
	bench_fio "calibration-$name" "/tmp/cal-$name.fio"
	bench_terse "$BENCH_RAW/calibration-$name.terse" | awk '{ s += $2 + $3 } END { printf "%d\n", s }' \
		>"$RESULTS/calibration-$name"
	echo "none, $*, 3 cgroups x iodepth $qd: $(cat "$RESULTS/calibration-$name") IOPS"
	wait_idle "$dev"
	set_remove flat
	nullb_destroy "cal$name"
}

# solo MODEL DEV: what one cgroup's fio job (flat's g400, randread) drives
# alone on the device under none, 5 s, at the model's iodepth. A share is
# only reachable when the cgroup's own job can drive it: a job that cannot
# fill the device alone leaves part of its share to the others under any
# work-conserving scheduler (docs/results.md, "Deep device").
solo() {
	local model=$1 dev=$2 qd iops
	qd=$(dev_qd "$model")
	set_create flat || return 1
	sched_set "$dev" none || return 1
	fio_jobfile flat "$dev" "$qd" 5 1 "$(dev_pin "$model")" |
		awk '/^\[g100\]|^\[g200\]/ { skip = 1; next } /^\[/ { skip = 0 } !skip' >"/tmp/solo-$model.fio"
	bench_fio "solo-$model" "/tmp/solo-$model.fio" || return 1
	iops=$(bench_terse "$BENCH_RAW/solo-$model.terse" | awk '{ s += $2 + $3 } END { printf "%d\n", s }')
	wait_idle "$dev"
	set_remove flat
	bench_rec "param solo_${model}_iodepth${qd}_iops $iops"
	echo "$model: one cgroup alone at iodepth $qd under none: $iops IOPS (nominal $BENCH_IOCOST_IOPS)"
}

# nice_floor IOPS: round down to a multiple of 500 (>= 1000) or 50, >= 50, <= 2500
nice_floor() {
	local c=$1
	if [ "$c" -ge 1000 ]; then c=$((c / 500 * 500)); else c=$((c / 50 * 50)); fi
	[ "$c" -le 2500 ] || c=2500
	[ "$c" -ge 50 ] || c=50
	echo "$c"
}

# ---------------------------------------------------------------- one run
# one_run SET MODEL DEV CONFIG: configure, fio, records
one_run() {
	local set=$1 model=$2 dev=$3 config=$4 scen qd name majmin sched n p w rw extra='' rt
	local -A before
	scen=$(set_scenario "$set")
	qd=$(dev_qd "$model")
	name=$scen-$model-$config
	majmin=$(cat "/sys/block/${dev#/dev/}/dev")
	sched=$(bench_config_sched "$config")
	bench_configure "$dev" "$config"
	while read -r n p w rw; do
		before[$n]=$(bench_xot_rqs "$(cg_path "$set" "$n")" "$majmin")
	done < <(set_nodes "$set")
	rt=$RUNTIME
	[ "$model" != shallow ] || rt=$RUNTIME_SHALLOW
	fio_jobfile "$set" "$dev" "$qd" "$rt" "$RAMP" "$(dev_pin "$model")" >"/tmp/$name.fio"
	bench_fio "$name" "/tmp/$name.fio"
	if [ "$sched" = none ] && [ "$config" != none ]; then
		cat "$CG/io.cost.qos" "$CG/io.cost.model" >"$BENCH_RAW/$name.iocost" 2>&1
	fi
	[ "$sched" != xot ] || cat "/sys/kernel/debug/block/${dev#/dev/}/sched/stats" >"$BENCH_RAW/$name.xotstats" 2>&1
	wait_idle "$dev"
	[ "$sched" != none ] || extra=" nr_requests_note=none_has_no_scheduler_tags"
	case $config in
	xot-mi) extra=" max_inflight=$BENCH_MI" ;;
	xot-*) extra=" xot_settings=${config#xot-}" ;;
	esac
	{
		echo "run $scen $model $config $sched nr_requests=$(cat "/sys/block/${dev#/dev/}/queue/nr_requests") iodepth=$qd runtime_s=$rt ramp_s=$RAMP$extra"
		while read -r n p w rw; do
			if [ "$rw" = - ]; then
				echo "entity $scen $model $config $n $p $w -"
				continue
			fi
			local iops xr=
			iops=$(bench_terse "$BENCH_RAW/$name.terse" | awk -v n="$n" '$1 == n { print $2 + $3 }')
			[ "$sched" != xot ] ||
				xr=" xot_rqs=$(($(bench_xot_rqs "$(cg_path "$set" "$n")" "$majmin") - ${before[$n]}))"
			echo "entity $scen $model $config $n $p $w ${iops:-0} rw=$rw$xr"
		done < <(set_nodes "$set")
	} >"/tmp/$name.rec"
	bench_unconfigure "$dev" "$config"
	cat "/tmp/$name.rec" >>"$BENCH_OUT"
	cat "/tmp/$name.rec"
}

# ---------------------------------------------------------------- main
log "fairness: devices '$DEVICES', sets '$SETS', configs '$CONFIGS', ${RUNTIME}s + ${RAMP}s ramp per run"
modprobe bfq || true
check load-xot load_xot
check bfq-loaded test -d /sys/module/bfq
check null-blk modprobe null_blk nr_devices=0

bench_meta_common
bench_rec "param runtime_s $RUNTIME"
bench_rec "param runtime_shallow_s $RUNTIME_SHALLOW"
bench_rec "param ramp_s $RAMP"
bench_rec "param xot_mi_max_inflight $BENCH_MI"
bench_rec "param cpu_weights $CPU_WEIGHTS"
bench_rec "meta fio_job bs=4k direct=1 ioengine=libaio randrepeat=0 norandommap; one fio process per run, one job per leaf cgroup (fio cgroup=); achieved shares from fio per-job IOPS"
bench_rec "meta weights written to io.xot.weight, io.bfq.weight and io.weight of every cgroup; none and mq-deadline ignore them"
bench_rec "meta io_cost none+io.cost: io.cost.qos 'MAJ:MIN enable=1' (auto QoS and cost model); none+io.cost-model: also io.cost.model 'ctrl=user model=linear rbps=wbps=1073741824 rseqiops=rrandiops=wseqiops=wrandiops=<device nominal IOPS>'; enable=0 and model ctrl=auto afterwards"

# Capacities. deep and bw: what `none` drives at 64 tags with no delay, / cal_div.
# shallow: with one tag every request waits for the previous one's whole
# completion path (timer interrupt, completion, the next dispatch), most of
# a millisecond under TCG and longer once the CPU idles between requests: a
# zero-delay measurement misses it. So `none` runs on a one-tag device of
# 1 ms service time; what it loses against the nominal 1000 IOPS is the
# per-request overhead o = 1/IOPS - 1 ms, and the service time becomes
# cal_div_shallow x o (at least 1 ms).
if [ -n "$CAPACITY" ]; then
	CAP_DEEP=$CAPACITY CAP_SHALLOW=${CAPACITY_SHALLOW:-$CAPACITY}
	bench_rec "meta capacity_source forced (capacity=$CAP_DEEP capacity_shallow=$CAP_SHALLOW)"
else
	# shellcheck disable=SC2046 # word splitting wanted: key=value settings
	check calibrate-deep calibrate deep 64 $(bench_dev_params fast)
	# shellcheck disable=SC2046
	check calibrate-shallow calibrate shallow 16 $(bench_dev_params shallow 1000)
	C=$(cat "$RESULTS/calibration-deep" 2>/dev/null || echo 0)
	C1=$(cat "$RESULTS/calibration-shallow" 2>/dev/null || echo 0)
	CAP_DEEP=$(nice_floor $((C / CAL_DIV)))
	# overhead per request in us (at least 100), service time cal_div_shallow x that
	O_US=$(awk -v i="$C1" 'BEGIN { o = (i > 0) ? 1e6 / i - 1000 : 1000; if (o < 100) o = 100; printf "%d\n", o }')
	S_US=$((O_US * CAL_DIV_SHALLOW))
	[ "$S_US" -ge 1000 ] || S_US=1000
	CAP_SHALLOW=$(nice_floor $((1000000 / S_US)))
	bench_rec "param calibration_none_nodelay_iops $C"
	bench_rec "param calibration_none_1tag_1ms_iops $C1"
	bench_rec "param calibration_1tag_overhead_us $O_US"
	bench_rec "meta calibration none, flat 3 cgroups x randread, 5 s each: (a) null_blk irqmode=0 hw_queue_depth=64, iodepth 64: deep/bw capacity = IOPS / $CAL_DIV; (b) one tag, 1 ms timer completions, iodepth 16: per-request overhead o = 1/IOPS - 1 ms, shallow service time = $CAL_DIV_SHALLOW x o (>= 1 ms); capacities rounded down to a multiple of 500 (50 below 1000), within 50..2500"
fi
bench_rec "param capacity_deep_bw_iops $CAP_DEEP"
bench_rec "param capacity_shallow_iops $CAP_SHALLOW"
echo "$CAP_DEEP $CAP_SHALLOW" >"$RESULTS/capacity"
log "device capacity: deep/bw $CAP_DEEP IOPS, shallow $CAP_SHALLOW IOPS"
model_cap() { if [ "$1" = shallow ]; then echo "$CAP_SHALLOW"; else echo "$CAP_DEEP"; fi; }

for model in $DEVICES; do
	cap=$(model_cap "$model")
	params=$(bench_dev_params "$model" "$cap") || { skip "device-$model" "unknown device model"; continue; }
	BENCH_IOCOST_IOPS=$(bench_dev_capacity "$model" "$cap")
	pin=
	[ "$model" != bw ] || pin="; fio pinned to CPU 0 (cpus_allowed=0: null_blk bandwidth timer race)"
	bench_rec "device $model null_blk $params size=1024 blocksize=4096 memory_backed=0; nominal $BENCH_IOCOST_IOPS IOPS; fio iodepth $(dev_qd "$model") per job; nr_requests $BENCH_NR$pin"
	# shellcheck disable=SC2086
	if ! DEV=$(nullb_create "b$model" size=1024 blocksize=4096 memory_backed=0 $params); then
		check "device-$model" false
		continue
	fi
	[ "$model" = shallow ] || check "solo-$model" solo "$model" "$DEV"
	for set in $SETS; do
		set_nodes "$set" >/dev/null || { skip "set-$set" "unknown set"; continue; }
		check "cgroups-$set-$model" set_create "$set"
		for config in $CONFIGS; do
			# one tag: max_inflight cannot change anything
			[ "$config" = xot-mi ] && [ "$model" = shallow ] && continue
			check "$(set_scenario "$set")-$model-$config" one_run "$set" "$model" "$DEV" "$config"
		done
		set_remove "$set"
	done
	nullb_destroy "b$model"
done
finish

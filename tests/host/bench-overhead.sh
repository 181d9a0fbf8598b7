#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-lab benchmark: the CPU cost of the elevators, on a device that costs
# nothing (runs in the guest; `make bench-host` drives it through
# userspace/bench/bench-host.sh):
#   userspace/lab/host-lab.sh --timeout 1500 bench-overhead
#
# null_blk with no delay (irqmode=0: completions inline, 64 tags). For each
# number N of active cgroups (1, 100, 1000):
#   - N cgroups ovh/c0..c{N-1} (io controller on, default weights);
#   - one fio process runs max(4, N) jobs of 4 KiB direct libaio randread,
#     iodepth max(1, 64 / jobs), spread round-robin over the N cgroups
#     (fio's cgroup= option): N=1 is 4 jobs x iodepth 16 in one cgroup,
#     N=100 and N=1000 one job of iodepth 1 per cgroup. Every cgroup keeps
#     I/O going the whole time, so all N are active in the elevator's tree
#     (each job is its own process, as a cgroup cannot be switched per
#     request; 1000 small processes are what the lab's 2 GB guest holds).
#     libaio, not psync: io_submit plugs, so the elevator is run in the
#     submitting task at unplug; an unplugged synchronous request (psync)
#     with any elevator is inserted and dispatched from kblockd instead
#     (blk_mq_submit_bio, 6.1), a context switch per request that costs
#     every elevator the same ~10x against `none` under TCG and hides the
#     elevator's own cost (engine=psync measures that path);
#   - the load starts once and keeps running while the elevator is switched
#     round the schedulers in rounds (ABCDE ABCDE ...); after each switch
#     (and nr_requests=NR for the elevators) and a settle time, the device's
#     completed reads over a window (/sys/block/X/stat) give one IOPS sample.
#     The same processes and cgroups serve every scheduler, and slow drifts
#     of the host (other QEMU runs) spread over all of them; the median per
#     scheduler is reported. The load runs at nice 19 and this script at
#     nice -20: with 1000 CPU-bound processes on two TCG vCPUs the script
#     would otherwise wait minutes for each sample.
#     (At nice 0, 1000 busy submitters kept the dispatch loop, moved to
#     kblockd's high-priority worker, so busy that the RCU grace-period
#     kthread starved past the 21 s stall warning under TCG with
#     mq-deadline, which fails the lab run.)
#
# Output: $RESULTS/overhead.txt (fairness-report input: scenario and sample
# records), fio's terse output in $RESULTS/raw/. Fails only when something
# breaks (fio error or exit, no I/O, a switch that fails).
#
# Arguments (host-lab.sh --append "k=v ..."; lists with commas):
#   cgroups=1,100,1000  scheds=none,mq-deadline,kyber,bfq,xot  rounds=N (5)
#   window=S (3)  settle=S (1)  nr_requests=N (256)  min_jobs=N (4)
#   engine=libaio|psync (libaio)
. "${XOT_LIB:-/tests/lib}/guest.sh"
BENCH_OUT=$RESULTS/overhead.txt
. "${XOT_LIB:-/tests/lib}/bench.sh"

NCGS=1,100,1000 SCHEDS=none,mq-deadline,kyber,bfq,xot ROUNDS=5 WINDOW=3 SETTLE=1 MINJOBS=4 ENGINE=libaio
for a in $XOT_SCENARIO_ARGS; do
	# shellcheck disable=SC2034 # BENCH_NR is read by bench_configure (tests/lib/bench.sh)
	case $a in
	cgroups=*) NCGS=${a#*=} ;;
	scheds=*) SCHEDS=${a#*=} ;;
	rounds=*) ROUNDS=${a#*=} ;;
	window=*) WINDOW=${a#*=} ;;
	settle=*) SETTLE=${a#*=} ;;
	nr_requests=*) BENCH_NR=${a#*=} ;;
	min_jobs=*) MINJOBS=${a#*=} ;;
	engine=*) ENGINE=${a#*=} ;;
	esac
done
NCGS=${NCGS//,/ } SCHEDS=${SCHEDS//,/ }
CG=$BENCH_CG
: >"$BENCH_OUT"

reads_done() { awk '{ print $1 }' "/sys/block/$1/stat"; }

cg_create() { # N
	local i
	mkdir -p "$CG/ovh"
	echo +io >"$CG/ovh/cgroup.subtree_control"
	for ((i = 0; i < $1; i++)); do mkdir -p "$CG/ovh/c$i"; done
}
cg_remove() {
	find "$CG/ovh" -mindepth 1 -maxdepth 1 -type d -exec rmdir {} + 2>/dev/null
	rmdir "$CG/ovh" 2>/dev/null || true
}
procs_in_cgroups() { cat "$CG"/ovh/c*/cgroup.procs 2>/dev/null | wc -l; }

# progress: into the check's log and onto the console (the host prints it)
tlog() {
	echo "[lab $(cut -d' ' -f1 /proc/uptime)] overhead: $*"
	echo "[lab $(cut -d' ' -f1 /proc/uptime)] overhead: $*" >/dev/console 2>/dev/null || true
}

jobfile() { # dev ncg njobs iodepth
	local i
	cat <<EOF
[global]
filename=$1
direct=1
rw=randread
bs=4k
ioengine=$ENGINE
iodepth=$4
time_based
runtime=3600
randrepeat=0
norandommap
cgroup_nodelete=1
nice=19
EOF
	for ((i = 0; i < $3; i++)); do
		printf '[j%d]\ncgroup=ovh/c%d\n' "$i" $((i % $2))
	done
}

# one_scenario DEV N: start the load, sample every scheduler ROUNDS times
one_scenario() {
	local dev=$1 n=$2 name=${1#/dev/} jobs qd fpid t0 r s c0 c1 t1 t2 iops scen=cgroups-$2 rc=0 got
	jobs=$n
	[ "$jobs" -ge "$MINJOBS" ] || jobs=$MINJOBS
	qd=$((64 / jobs))
	[ "$qd" -ge 1 ] || qd=1
	[ "$ENGINE" != psync ] || qd=1
	tlog "creating $n cgroups"
	cg_create "$n"
	sched_set "$dev" none
	jobfile "$dev" "$n" "$jobs" "$qd" >"/tmp/ovh-$n.fio"
	cp "/tmp/ovh-$n.fio" "$BENCH_RAW/overhead-$n.fio"
	# the load at nice 19 (absolute: this script runs at -20)
	(
		renice 19 -p "$BASHPID" >/dev/null 2>&1
		exec fio --output-format=terse --terse-version=3 --output="$BENCH_RAW/overhead-$n.terse" \
			"/tmp/ovh-$n.fio"
	) >"$BENCH_RAW/overhead-$n.stderr" 2>&1 &
	fpid=$!
	echo $fpid >/tmp/ovh-fio.pid
	# every job process in its cgroup, and reads completing
	t0=$SECONDS
	while [ "$(procs_in_cgroups)" -lt "$jobs" ]; do
		kill -0 $fpid 2>/dev/null || { cat "$BENCH_RAW/overhead-$n.stderr"; err "fio exited while starting"; return 1; }
		[ $((SECONDS - t0)) -lt 600 ] || { kill -INT $fpid; err "only $(procs_in_cgroups) of $jobs fio jobs started in 600 s"; return 1; }
		sleep 1
	done
	tlog "$jobs jobs in $n cgroups after $((SECONDS - t0)) s"
	sleep 2
	c0=$(reads_done "$name")
	sleep 1
	[ "$(reads_done "$name")" -gt "$c0" ] || { kill -INT $fpid; err "no reads completing"; return 1; }
	echo "scenario $scen cgroups=$n fio_jobs=$jobs procs_per_cgroup=$((jobs / n)) engine=$ENGINE iodepth=$qd rounds=$ROUNDS window_s=$WINDOW settle_s=$SETTLE startup_s=$((SECONDS - t0))" >"/tmp/ovh-$n.rec"
	for ((r = 1; r <= ROUNDS; r++)); do
		for s in $SCHEDS; do
			tlog "cgroups-$n round $r: $s"
			bench_configure "$dev" "$s"
			sleep "$SETTLE"
			c0=$(reads_done "$name")
			t1=$EPOCHREALTIME
			sleep "$WINDOW"
			c1=$(reads_done "$name")
			t2=$EPOCHREALTIME
			iops=$(awk -v a="$c0" -v b="$c1" -v t1="$t1" -v t2="$t2" 'BEGIN { printf "%.1f", (b - a) / (t2 - t1) }')
			[ "$(sched_get "$dev")" = "$(bench_config_sched "$s")" ] || { kill -INT $fpid; err "scheduler changed under the load"; return 1; }
			echo "sample $scen $s $iops round=$r" >>"/tmp/ovh-$n.rec"
			# what xot did in the window: anticipation, holds, throttling
			[ "$(bench_config_sched "$s")" != xot ] ||
				cat "/sys/kernel/debug/block/$name/sched/stats" >"$BENCH_RAW/overhead-$n-$s-r$r.xotstats" 2>&1
			tlog "sample $scen $s $iops round=$r"
			kill -0 $fpid 2>/dev/null || { cat "$BENCH_RAW/overhead-$n.stderr"; err "fio exited during the measurement"; return 1; }
		done
	done
	sched_set "$dev" none
	# fio exits 128 on SIGINT; every job must still report error 0
	tlog "stopping fio"
	kill -INT $fpid
	wait $fpid || rc=$?
	tlog "fio exit status after SIGINT: $rc"
	got=$(bench_terse "$BENCH_RAW/overhead-$n.terse" | awk '$4 == 0' | wc -l)
	[ "$got" -eq "$jobs" ] || { tail -5 "$BENCH_RAW/overhead-$n.stderr"; err "fio: $got of $jobs jobs reported error 0"; return 1; }
	wait_idle "$dev" 30
	cg_remove
	tlog "done"
	cat "/tmp/ovh-$n.rec" >>"$BENCH_OUT"
}

log "overhead: cgroups '$NCGS', schedulers '$SCHEDS', $ROUNDS rounds, ${SETTLE}s settle + ${WINDOW}s window per sample"
# Under TCG 1000 CPU-bound fio processes leave little for anything else:
# the load runs at nice 19, this script at -20 so that its samples and
# switches keep their timing; cgroup2's favordynmods (6.0+) makes the 1000
# migrations into the cgroups cheaper (no RCU sync each), if it mounts.
renice -20 -p $$ >/dev/null 2>&1 || log "cannot renice the scenario (continuing)"
mount -o remount,favordynmods "$CG" 2>/dev/null || log "cgroup2 without favordynmods (continuing)"
modprobe bfq || true
modprobe kyber-iosched || true
check load-xot load_xot
check null-blk modprobe null_blk nr_devices=0

bench_meta_common
bench_rec "param rounds $ROUNDS"
bench_rec "param window_s $WINDOW"
bench_rec "param settle_s $SETTLE"
bench_rec "meta kernel_cmdline $(cat /proc/cmdline)"
PARAMS=$(bench_dev_params fast)
bench_rec "device fast null_blk $PARAMS size=1024 blocksize=4096 memory_backed=0 submit_queues=1"
bench_rec "meta overhead_design one fio process per cgroup count, max($MINJOBS, N) jobs of $ENGINE randread 4k direct (iodepth max(1, 64/jobs)) spread round-robin over N cgroups (fio cgroup=), running all the time; the elevator is switched round the schedulers in rounds under the load; a sample = completed reads in /sys/block/X/stat over a ${WINDOW} s window after ${SETTLE} s settle; iops = median of the rounds"
# shellcheck disable=SC2086
DEV=$(nullb_create ovh size=1024 blocksize=4096 memory_backed=0 $PARAMS) || { check device false; finish; }
for n in $NCGS; do
	check "overhead-cgroups-$n" one_scenario "$DEV" "$n"
	# a failed scenario may leave its fio (and so its cgroups) behind
	if [ -f /tmp/ovh-fio.pid ] && kill -INT "$(cat /tmp/ovh-fio.pid)" 2>/dev/null; then
		sleep 10
	fi
	rm -f /tmp/ovh-fio.pid
	cg_remove
done
nullb_destroy ovh
finish

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Xen fairness benchmark, guest side. Every domU reads 4 KiB blocks at
# random from its disk, direct, for BENCH_RUNTIME seconds (default 40), in
# a shape that gives dom0 something to tell apart:
#
#   domU1  two cgroups, gold (io.xot.weight 800) and bronze (200), one fio
#          job each
#   domU2  one cgroup, two fio processes
#   domU3  one fio process
#
# Results: jobs.txt, one line per job: "entity NAME CGROUP CGWEIGHT IOPS";
# NAME.persec, one line per wall-clock second: "EPOCH_S COMPLETIONS" (the
# guests' clocks are Xen's, so bench-xen.sh can count every job over the
# seconds in which all guests ran: guests boot and start at different times).
RUNTIME=${BENCH_RUNTIME:-40}
# Requests each VM keeps outstanding: the blkif ring's 32, shared by the
# VM's jobs. Under TCG a request's round trip outside dom0 takes hundreds
# of milliseconds; fewer would let a VM's queue in dom0 run dry (seen: a
# weight-200 VM at depth 8 got 32 % instead of 50 %).
DEPTH=${BENCH_VM_DEPTH:-32}
CG=/sys/fs/cgroup
OUT=$XOT_RESULTS/jobs.txt

mountpoint -q $CG || mount -t cgroup2 none $CG
echo "+io" >$CG/cgroup.subtree_control 2>/dev/null

# run_job NAME CGROUP DEPTH: one fio process in CGROUP, terse v3 to NAME.terse
run_job() {
	(
		# the subshell's own pid: the shell opens /proc/self itself
		read -r pid _ </proc/self/stat
		echo "$pid" >$CG/$2/cgroup.procs ||
			echo "XOT-FAIL bench-cgroup $XOT_DOMU cannot join $2"
		exec fio --name="$1" --filename="$XOT_DISK" --size=256m --rw=randread \
			--bs=4k --ioengine=libaio --iodepth="$3" --direct=1 \
			--runtime="$RUNTIME" --time_based --output-format=terse \
			--terse-version=3 --write_lat_log="/tmp/$1" --log_unix_epoch=1 \
			>"/tmp/$1.terse" 2>"/tmp/$1.err"
	) &
}

group() { # name weight
	mkdir -p $CG/$1
	if [ -f $CG/$1/io.xot.weight ]; then
		echo "default $2" >$CG/$1/io.xot.weight ||
			echo "XOT-FAIL bench-guest-weight $XOT_DOMU $1"
	fi
}

case $XOT_DOMU in
domU1)
	group gold 800
	group bronze 200
	run_job gold gold $((DEPTH / 2))
	run_job bronze bronze $((DEPTH / 2))
	JOBS="gold:gold:800 bronze:bronze:200" ;;
domU2)
	group shared 100
	run_job p1 shared $((DEPTH / 2))
	run_job p2 shared $((DEPTH / 2))
	JOBS="p1:shared:100 p2:shared:100" ;;
*)
	group solo 100
	run_job solo solo "$DEPTH"
	JOBS="solo:solo:100" ;;
esac
wait
: >"$OUT"
fail=0
for j in $JOBS; do
	name=${j%%:*}
	rest=${j#*:}
	# terse v3: 6 read KiB, 9 runtime ms; fio's own IOPS field is an
	# integer, too coarse at the few IOPS a TCG lab gives each job
	iops=$(awk -F';' '/^3;/ && $9 > 0 { printf "%.2f", $6 / 4 / ($9 / 1000) }' "/tmp/$name.terse")
	echo "entity $name ${rest%%:*} ${rest#*:} ${iops:-0}" >>"$OUT"
	# clat log: "EPOCH_MS, NSEC, DIR, BS, OFFSET, ..." per completion
	awk -F', *' '{ n[int($1 / 1000)]++ } END { for (s in n) print s, n[s] }' \
		"/tmp/${name}_clat.1.log" | sort -n >"$XOT_RESULTS/$name.persec"
	case ${iops:-0} in 0 | 0.00) fail=1 ;; esac
done
cat "$OUT"
if [ $fail = 0 ]; then
	echo "XOT-PASS bench-fio $XOT_DOMU $(awk '{ s += $5 } END { printf "%.1f", s }' "$OUT") IOPS"
else
	echo "XOT-FAIL bench-fio $XOT_DOMU a job did no I/O: $(cat /tmp/*.err | head -3)"
	exit 1
fi

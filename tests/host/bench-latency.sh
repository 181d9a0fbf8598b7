#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-lab benchmark: a latency-sensitive reader against writers (runs in the
# guest; `make bench-host` drives it through userspace/bench/bench-host.sh):
#   userspace/lab/host-lab.sh --timeout 900 --append "capacity_shallow=N" bench-latency
#
# One queue-depth-1 synchronous reader (fio psync randread 4 KiB, direct),
# in cgroup "reader" of weight 400, against four writers in cgroups w1..w4
# of weight 100 each, on the shallow device model (one tag, fixed service
# time 1/capacity_shallow; tests/lib/bench.sh). Target: the reader half of
# the device (400 of 800) if it can use it; its p50/p99 completion latency
# tells how long it waits behind the writers' queue.
#
# Sets:
#   direct    writers: fio libaio randwrite 4 KiB, direct, iodepth 16 each;
#             shares from fio's per-job IOPS
#   buffered  writers: fio psync randwrite 4 KiB into the page cache of their
#             own 64 MiB file on ext4 (memory-backed null_blk of the same
#             timing), written back by the flusher and charged to each
#             writer's cgroup (cgroup writeback: memory and io controllers
#             on; vm.dirty_background_bytes=1 MiB, vm.dirty_bytes=4 MiB so
#             that writeback runs all the time on this slow device, the
#             writers are throttled, and the sync after each run takes
#             seconds); the reader reads its own file, direct.
#             Shares from each cgroup's io.stat (requests that reached the
#             device, read and write) over the run; journal I/O (root
#             cgroup) is not counted.
# Configurations: xot, bfq, mq-deadline, none, none+io.cost (nr_requests=NR
# for the elevators, see bench-fairness.sh).
#
# Output: $RESULTS/latency.txt (fairness-report input: the reader's
# lat_p50_us, lat_p99_us, lat_mean_us as entity extras), raw fio in
# $RESULTS/raw/. Fails only when something breaks, never on a number.
#
# Arguments (host-lab.sh --append "k=v ..."; lists with commas):
#   capacity_shallow=IOPS (default 500)  runtime=S (15)  ramp=S (2)
#   sets=direct,buffered  configs=xot,bfq,mq-deadline,none,none+io.cost
#   writer_qd=N (16)  nr_requests=N (256)
. "${XOT_LIB:-/tests/lib}/guest.sh"
BENCH_OUT=$RESULTS/latency.txt
. "${XOT_LIB:-/tests/lib}/bench.sh"

CAP=500 RUNTIME=15 RAMP=2 WQD=16
SETS=direct,buffered
CONFIGS=xot,bfq,mq-deadline,none,none+io.cost
for a in $XOT_SCENARIO_ARGS; do
	case $a in
	capacity_shallow=*) CAP=${a#*=} ;;
	runtime=*) RUNTIME=${a#*=} ;;
	ramp=*) RAMP=${a#*=} ;;
	sets=*) SETS=${a#*=} ;;
	configs=*) CONFIGS=${a#*=} ;;
	writer_qd=*) WQD=${a#*=} ;;
	nr_requests=*) BENCH_NR=${a#*=} ;;
	esac
done
SETS=${SETS//,/ } CONFIGS=${CONFIGS//,/ }
CG=$BENCH_CG
MNT=/mnt/lat
: >"$BENCH_OUT"

NODES="reader w1 w2 w3 w4"
weight_of() { if [ "$1" = reader ]; then echo 400; else echo 100; fi; }

cg_create() {
	local n w
	# cgroup writeback needs the memory controller beside io
	echo +memory >"$CG/cgroup.subtree_control"
	mkdir -p "$CG/lat"
	echo "+io +memory" >"$CG/lat/cgroup.subtree_control"
	for n in $NODES; do
		w=$(weight_of "$n")
		mkdir -p "$CG/lat/$n"
		echo "default $w" >"$CG/lat/$n/io.xot.weight"
		echo "default $w" >"$CG/lat/$n/io.bfq.weight"
		echo "default $w" >"$CG/lat/$n/io.weight"
	done
}

# jobfile SET DEV: the reader and four writers in one fio process
jobfile() {
	local set=$1 dev=$2 i
	cat <<EOF
[global]
bs=4k
time_based
runtime=$RUNTIME
ramp_time=$RAMP
randrepeat=0
norandommap
cgroup_nodelete=1
EOF
	if [ "$set" = direct ]; then
		printf '[reader]\nfilename=%s\nrw=randread\nioengine=psync\ndirect=1\ncgroup=lat/reader\n' "$dev"
		for i in 1 2 3 4; do
			printf '[w%d]\nfilename=%s\nrw=randwrite\nioengine=libaio\niodepth=%d\ndirect=1\ncgroup=lat/w%d\n' \
				"$i" "$dev" "$WQD" "$i"
		done
	else
		printf '[reader]\nfilename=%s/reader.dat\nsize=64m\nrw=randread\nioengine=psync\ndirect=1\ncgroup=lat/reader\n' "$MNT"
		for i in 1 2 3 4; do
			printf '[w%d]\nfilename=%s/w%d.dat\nsize=64m\nrw=randwrite\nioengine=psync\ndirect=0\ncgroup=lat/w%d\n' \
				"$i" "$MNT" "$i" "$i"
		done
	fi
}

# A memory-backed device with an ext4 file system and the five files laid
# out (written once, synced) before any run.
prepare_fs() {
	local dev=$1 i
	mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$dev"
	mkdir -p "$MNT"
	mount -t ext4 -o noatime "$dev" "$MNT"
	dd if=/dev/zero of="$MNT/reader.dat" bs=1M count=64 2>/dev/null
	for i in 1 2 3 4; do
		dd if=/dev/zero of="$MNT/w$i.dat" bs=1M count=64 2>/dev/null
	done
	sync
	echo 1048576 >/proc/sys/vm/dirty_background_bytes
	echo 4194304 >/proc/sys/vm/dirty_bytes
}

one_run() { # set dev config
	local set=$1 dev=$2 config=$3 name=latency-$1-$3 majmin n sched iops t0 t1 model=shallow
	[ "$set" = direct ] || model=shallow-ext4
	local -A before
	majmin=$(cat "/sys/block/${dev#/dev/}/dev")
	sched=$(bench_config_sched "$config")
	bench_configure "$dev" "$config"
	jobfile "$set" "$dev" >"/tmp/$name.fio"
	sync
	echo 3 >/proc/sys/vm/drop_caches
	for n in $NODES; do before[$n]=$(bench_io_ios "lat/$n" "$majmin"); done
	t0=$EPOCHREALTIME
	bench_fio "$name" "/tmp/$name.fio"
	t1=$EPOCHREALTIME
	local -A after
	for n in $NODES; do after[$n]=$(bench_io_ios "lat/$n" "$majmin"); done
	sync # the writers' dirty pages, before the next run
	wait_idle "$dev" 60
	echo "run latency-$set $model $config $sched nr_requests=$(cat "/sys/block/${dev#/dev/}/queue/nr_requests") runtime_s=$RUNTIME ramp_s=$RAMP writer_iodepth=$WQD" >"/tmp/$name.rec"
	for n in $NODES; do
		local line p50 p99 mean extra
		line=$(bench_terse "$BENCH_RAW/$name.terse" | awk -v n="$n" '$1 == n')
		if [ "$set" = direct ]; then
			iops=$(echo "$line" | awk '{ print $2 + $3 }')
			extra=" share_source=fio"
		else
			# requests that reached the device over the whole fio run
			iops=$(awk -v a="${before[$n]}" -v b="${after[$n]}" -v t0="$t0" -v t1="$t1" \
				'BEGIN { printf "%.2f", (b - a) / (t1 - t0) }')
			extra=" share_source=io.stat fio_iops=$(echo "$line" | awk '{ print $2 + $3 }')"
		fi
		if [ "$n" = reader ]; then
			read -r p50 p99 mean < <(echo "$line" | awk '{ print $5, $6, $7 }')
			extra="$extra rw=randread lat_p50_us=$p50 lat_p99_us=$p99 lat_mean_us=$mean"
		else
			extra="$extra rw=randwrite"
		fi
		echo "entity latency-$set $model $config $n - $(weight_of "$n") ${iops:-0}$extra" >>"/tmp/$name.rec"
	done
	bench_unconfigure "$dev" "$config"
	cat "/tmp/$name.rec" >>"$BENCH_OUT"
	cat "/tmp/$name.rec"
}

log "latency: sets '$SETS', configs '$CONFIGS', shallow device of $CAP IOPS, ${RUNTIME}s + ${RAMP}s ramp per run"
modprobe bfq || true
check load-xot load_xot
check null-blk modprobe null_blk nr_devices=0
check cgroups cg_create

bench_meta_common
bench_rec "param capacity_shallow_iops $CAP"
bench_rec "param runtime_s $RUNTIME"
bench_rec "param ramp_s $RAMP"
bench_rec "param writer_iodepth $WQD"
bench_rec "meta latency_load reader: cgroup weight 400, fio psync randread 4k direct (queue depth 1); writers w1..w4: weight 100 each; direct set: libaio randwrite 4k direct iodepth $WQD; buffered set: psync randwrite 4k into the page cache of one 64 MiB ext4 file each (writeback charged to the writer's cgroup, memory+io controllers); one fio process per run"
bench_rec "meta latency_metric the reader's fio completion latency (clat) percentiles p50/p99 and mean, microseconds"

PARAMS=$(bench_dev_params shallow "$CAP")
for set in $SETS; do
	case $set in
	direct)
		bench_rec "device shallow null_blk $PARAMS size=1024 blocksize=4096 memory_backed=0; nominal $CAP IOPS; nr_requests $BENCH_NR"
		# shellcheck disable=SC2086
		DEV=$(nullb_create lat size=1024 blocksize=4096 memory_backed=0 $PARAMS) || { check device false; continue; } ;;
	buffered)
		bench_rec "device shallow-ext4 null_blk $PARAMS size=640 blocksize=4096 memory_backed=1, ext4 (noatime), one 64 MiB file per job; vm.dirty_background_bytes=1048576 vm.dirty_bytes=4194304; nominal $CAP IOPS; nr_requests $BENCH_NR"
		# shellcheck disable=SC2086
		DEV=$(nullb_create latfs size=640 blocksize=4096 memory_backed=1 $PARAMS) || { check device-fs false; continue; }
		check prepare-fs prepare_fs "$DEV"
		grep -q " $MNT ext4 " /proc/mounts || { check mounted false; nullb_destroy latfs; continue; } ;;
	*) skip "set-$set" "unknown set"; continue ;;
	esac
	for config in $CONFIGS; do
		check "latency-$set-$config" one_run "$set" "$DEV" "$config"
	done
	if [ "$set" = buffered ]; then
		umount "$MNT"
		# the ratios again (writing a ratio zeroes its _bytes twin)
		echo 20 >/proc/sys/vm/dirty_ratio
		echo 10 >/proc/sys/vm/dirty_background_ratio
		nullb_destroy latfs
	else
		nullb_destroy lat
	fi
done
finish

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# bench.sh - helpers for the host-lab benchmark scenarios (tests/host/bench-*.sh);
# sourced inside the lab guest after guest.sh:
#
#   . "${XOT_LIB:-/tests/lib}/guest.sh"
#   . "${XOT_LIB:-/tests/lib}/bench.sh"
#
# Benchmarks record numbers; they fail only when something breaks (fio
# error, no I/O at all, a scheduler that cannot be selected), never on a
# share or a latency.
#
#   bench_rec LINE...              append a record to $BENCH_OUT (fairness-report input)
#   bench_dev_params MODEL CAP     null_blk settings of a device model of CAP IOPS
#   bench_configure DEV CONFIG     scheduler, nr_requests ($BENCH_NR), xot
#                                  max_inflight ($BENCH_MI for xot-mi), io.cost
#                                  (model: $BENCH_IOCOST_IOPS for none+io.cost-model)
#   bench_unconfigure DEV CONFIG   undo (io.cost off, back to none)
#   bench_config_sched CONFIG      the elevator a configuration uses
#   bench_fio NAME JOBFILE         fio (terse v3 output in $BENCH_RAW/NAME.terse)
#                                  that must exit 0, with error 0 in every job
#                                  and some I/O
#   bench_terse FILE               per job: name read_iops write_iops error
#                                  read_clat_p50_us read_clat_p99_us read_clat_mean_us
#   bench_io_ios CGPATH MAJ:MIN    requests completed so far for the cgroup on
#                                  the device (io.stat rios + wios)

BENCH_OUT=${BENCH_OUT:-$RESULTS/bench.txt}
BENCH_RAW=${BENCH_RAW:-$RESULTS/raw}
BENCH_NR=${BENCH_NR:-256}
BENCH_MI=${BENCH_MI:-16}
BENCH_CG=/sys/fs/cgroup
mkdir -p "$BENCH_RAW"

bench_rec() { echo "$*" >>"$BENCH_OUT"; }

# Device models (see tests/host/bench-fairness.sh). CAP: nominal IOPS at 4 KiB.
#   shallow  fixed service time 1/CAP, one tag
#   deep     fixed service time 64/CAP, 64 tags: CAP IOPS at full depth
#   bw       bandwidth limit CAP x 4 KiB/s (null_blk mbps, whole MiB/s), 64 tags,
#            50 us completions: it throttles long before the tags run out.
#            Two hardware queues, one per CPU, and the load pinned to CPU 0
#            (fio cpus_allowed=0, see bench-fairness.sh): null_blk's bandwidth
#            timer in 6.1 races when two CPUs restart it at once (WARNING in
#            hrtimer_forward from nullb_bwtimer_fn), which fails the lab run
#   fast     no delay at all (irqmode=0): completions inline, for overhead
bench_dev_params() {
	local model=$1 cap=${2:-0}
	case $model in
	shallow) echo "irqmode=2 completion_nsec=$((1000000000 / cap)) hw_queue_depth=1" ;;
	deep) echo "irqmode=2 completion_nsec=$((64000000000 / cap)) hw_queue_depth=64" ;;
	bw) echo "irqmode=2 completion_nsec=50000 hw_queue_depth=64 submit_queues=2 mbps=$(bench_mbps "$cap")" ;;
	fast) echo "irqmode=0 hw_queue_depth=64" ;;
	*) return 1 ;;
	esac
}
bench_mbps() { # IOPS -> whole MiB/s (at least 1)
	local m=$((($1 * 4096 + 524288) / 1048576))
	[ "$m" -ge 1 ] || m=1
	echo "$m"
}
# the nominal IOPS of a model (bw: what the rounded mbps really allows)
bench_dev_capacity() {
	case $1 in
	bw) echo $(($(bench_mbps "$2") * 256)) ;;
	fast) echo 0 ;;
	*) echo "$2" ;;
	esac
}

bench_config_sched() {
	case $1 in
	xot | xot-*) echo xot ;;
	none+io.cost | none+io.cost-model) echo none ;;
	*) echo "$1" ;;
	esac
}

# bench_configure DEV CONFIG. Configurations:
#   xot (the module's defaults), xot-SETTING[-SETTING...] with settings
#   mi (max_inflight=$BENCH_MI), miN (max_inflight=N), icN (idle_credit=N),
#   imN (inflight_mode=N), siN (slice_idle_us=N), tsN (tag_shares=N),
#   shN (slot_hold_us=N),
#   bfq, mq-deadline, kyber, none,
#   none+io.cost (io.cost.qos "MAJ:MIN enable=1", the kernel's auto model),
#   none+io.cost-model (the same with io.cost.model set to the device's
#   nominal capacity: linear, [rw]randiops=[rw]seqiops=$BENCH_IOCOST_IOPS,
#   [rw]bps=1 GiB/s so that 4 KiB requests cost about 1/IOPS each)
# nr_requests=$BENCH_NR for every elevator; none keeps the hardware depth
# (blk-mq refuses more without scheduler tags).
bench_configure() {
	local dev=$1 config=$2 name=${1#/dev/} sched
	sched=$(bench_config_sched "$config")
	# one xot configuration after another: start from xot's defaults
	if [ "$sched" = xot ] && [ "$(sched_get "$dev")" = xot ]; then
		sched_set "$dev" none || return 1
	fi
	sched_set "$dev" "$sched" || return 1
	if [ "$sched" != none ]; then
		echo "$BENCH_NR" >"/sys/block/$name/queue/nr_requests" ||
			err "$name: cannot set nr_requests=$BENCH_NR under $sched" || return 1
		[ "$(cat "/sys/block/$name/queue/nr_requests")" = "$BENCH_NR" ] ||
			err "$name: nr_requests is $(cat "/sys/block/$name/queue/nr_requests"), not $BENCH_NR" || return 1
	fi
	if [ "$sched" = xot ]; then
		# a freshly selected xot has its defaults; xot-* changes some
		local set key val
		for set in $(echo "${config#xot}" | tr '-' ' '); do
			case $set in
			mi) key=max_inflight val=$BENCH_MI ;;
			mi[0-9]*) key=max_inflight val=${set#mi} ;;
			ic[0-9]*) key=idle_credit val=${set#ic} ;;
			im[0-9]*) key=inflight_mode val=${set#im} ;;
			si[0-9]*) key=slice_idle_us val=${set#si} ;;
			ts[0-9]*) key=tag_shares val=${set#ts} ;;
			sh[0-9]*) key=slot_hold_us val=${set#sh} ;;
			*) err "$name: unknown xot setting '$set' in '$config'"; return 1 ;;
			esac
			echo "$val" >"/sys/block/$name/queue/iosched/$key" ||
				err "$name: cannot set xot $key=$val" || return 1
		done
	fi
	if [ "$config" = none+io.cost-model ]; then
		local i=${BENCH_IOCOST_IOPS:?}
		echo "$(cat "/sys/block/$name/dev") ctrl=user model=linear rbps=1073741824 rseqiops=$i rrandiops=$i wbps=1073741824 wseqiops=$i wrandiops=$i" \
			>$BENCH_CG/io.cost.model || err "cannot set the io.cost model of $name" || return 1
	fi
	case $config in
	none+io.cost*)
		echo "$(cat "/sys/block/$name/dev") enable=1" >$BENCH_CG/io.cost.qos ||
			err "cannot enable io.cost on $name" || return 1 ;;
	esac
	return 0
}

bench_unconfigure() {
	local dev=$1 config=$2
	local majmin
	majmin=$(cat "/sys/block/${dev#/dev/}/dev")
	case $config in
	none+io.cost*)
		echo "$majmin enable=0" >$BENCH_CG/io.cost.qos || err "cannot disable io.cost" || return 1
		echo "$majmin ctrl=auto" >$BENCH_CG/io.cost.model || err "cannot reset the io.cost model" || return 1 ;;
	esac
	sched_set "$dev" none
}

# fio terse v3, one line per job (fields: 3 name, 5 error; read 6 KiB,
# 9 runtime ms, 16 clat mean us, 18-37 clat percentiles "P%=us"; write
# 47 KiB, 50 runtime ms). IOPS from KiB and runtime (bs 4 KiB): more digits
# than fio's rounded IOPS field.
bench_terse() {
	awk -F';' '$1 == 3 {
		r = ($9 > 0) ? $6 / 4 * 1000 / $9 : 0
		w = ($50 > 0) ? $47 / 4 * 1000 / $50 : 0
		p50 = p99 = 0
		for (i = 18; i <= 37; i++) {
			split($i, kv, "=")
			if (kv[1] == "50.000000%") p50 = kv[2]
			if (kv[1] == "99.000000%") p99 = kv[2]
		}
		printf "%s %.2f %.2f %s %s %s %s\n", $3, r, w, $5, p50, p99, $16
	}' "$1"
}

bench_fio() {
	local name=$1 jobfile=$2 out=$BENCH_RAW/$1.terse rc=0 jobs got
	cp "$jobfile" "$BENCH_RAW/$name.fio"
	fio --output-format=terse --terse-version=3 --output="$out" "$jobfile" >"$BENCH_RAW/$name.stderr" 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		cat "$BENCH_RAW/$name.stderr"
		err "fio $name exited with $rc"
		return 1
	fi
	jobs=$(grep -c '^\[' "$jobfile")
	jobs=$((jobs - 1)) # [global]
	got=$(bench_terse "$out" | awk '$4 == 0' | wc -l)
	if [ "$got" -ne "$jobs" ]; then
		cat "$out" "$BENCH_RAW/$name.stderr"
		err "fio $name: $got of $jobs jobs reported error 0"
		return 1
	fi
	bench_terse "$out" | awk '{ s += $2 + $3 } END { exit !(s > 0) }' ||
		err "fio $name: no I/O at all" || return 1
}

bench_io_ios() {
	local f=$BENCH_CG/$1/io.stat
	awk -v d="$2" '$1 == d {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "rios" || kv[1] == "wios") s += kv[2] }
	} END { printf "%d\n", s }' "$f" 2>/dev/null || echo 0
}

# xot's own count of dispatched requests (io.xot.stat rqs=) for a cgroup
bench_xot_rqs() {
	sed -n "s/^$2 rqs=\([0-9]*\).*/\1/p" "$BENCH_CG/$1/io.xot.stat" 2>/dev/null | grep . || echo 0
}

bench_meta_common() {
	bench_rec "param guest_kernel $(uname -r)"
	bench_rec "param guest_cpus $(nproc)"
	bench_rec "param guest_mem_kb $(awk '/MemTotal/ { print $2 }' /proc/meminfo)"
	bench_rec "param nr_requests $BENCH_NR"
	bench_rec "meta fio_version $(fio --version)"
	bench_rec "meta xot_module_sha256 $(sha256sum "$(modinfo -n xot-iosched 2>/dev/null)" 2>/dev/null | cut -c1-16)"
}

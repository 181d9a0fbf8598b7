#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Real-workload Xen benchmark (make bench-real), guest side: workloads that
# nobody tuned the scheduler for, on ext4 (4 KiB blocks, data=ordered, the
# default barriers; mke2fs -E nodiscard, mounted noinit_itable so that no
# background zeroing joins in), each in its guest cgroup:
#
#   domU1  oltp (io.xot.weight 800): fio, 4 threads of 4 KiB random
#          overwrites of a 16 MiB file, each write followed by fsync (a
#          database's commits; ext4 commits its journal with a cache flush
#          and a FUA write for them)
#          batch (200): fio, 1 MiB buffered sequential writes over a
#          32 MiB file, again and again (writeback)
#   domU2  bulk (100): fio, 1 MiB buffered sequential writes over a
#          48 MiB file (writeback), and beside it a loop that copies a
#          tree of about 1100 entries (three copies of the image's
#          /usr/bin, /usr/sbin, /usr/lib/modules) with tar | tar -x,
#          removes the copy and drops the clean page cache, so that the
#          next copy reads the tree from the disk again
#   domU3  scan (100): fio, 4 KiB direct random reads of a 32 MiB file
#          (libaio, depth 16), and beside it every TRIM_EVERY s (default
#          20) an 8 MiB file written and removed, then fstrim of the file
#          system (discards)
#
# Files are written in full before the workloads start (fio lays nothing
# out inside the measured time). The guests make and fill their file
# systems at different speeds (domU2 takes longest: 2.5 minutes in a
# loaded TCG host), so that the workloads start together every guest
# starts them BENCH_PREP_S s (default 150) after the lab's "go", which all
# guests get within a second (later, if its preparation took longer:
# window.txt says when). Every workload then runs BENCH_RUNTIME s (default
# 300).
#
# Results:
#   window.txt   "start EPOCH" when the workloads were started, "end EPOCH"
#                when the first of them ended (Xen's wall clock, as dom0's:
#                the host measures over the seconds every guest's workloads
#                ran)
#   samples.txt  once a second, "EPOCH cg NAME K=V..." (the cgroup's io.stat
#                line of the disk: bios and bytes it issued), "EPOCH proc
#                NAME read_bytes=N write_bytes=N" (/proc/PID/io of each
#                long-lived workload process: bytes read from the disk and
#                bytes dirtied) and "EPOCH disk xvda rqs=N" (/sys/block/xvda/stat:
#                requests completed)
#   cgroups.txt  "NAME WEIGHT CGROUP-ID PROCESSES...": the cgroups, their
#                ids (as xot's tree in dom0 names them) and the process
#                entities in each
#   workload.txt what each workload did (fio's terse lines, fstrim's lines)

# the lab's "go" reached this guest a moment ago
T0=${EPOCHREALTIME%.*}
RUNTIME=${BENCH_RUNTIME:-300}
PREP_S=${BENCH_PREP_S:-150}
TRIM_EVERY=${BENCH_TRIM_EVERY:-20}
CG=/sys/fs/cgroup
MNT=/mnt/real
OUT=$XOT_RESULTS

say() { echo "XOT-LAB-DOMU real $XOT_DOMU $*"; }
fail() { echo "XOT-FAIL real-$1 $XOT_DOMU ${*:2}"; exit 1; }

mountpoint -q $CG || mount -t cgroup2 none $CG
echo "+io" >$CG/cgroup.subtree_control 2>/dev/null
modprobe crc32c_generic 2>/dev/null
modprobe ext4 || fail ext4 "modprobe ext4 failed"
mke2fs -q -F -t ext4 -b 4096 -E nodiscard "$XOT_DISK" >/tmp/mkfs.txt 2>&1 ||
	fail mkfs "$(tail -2 /tmp/mkfs.txt)"
mkdir -p $MNT
mount -t ext4 -o noinit_itable "$XOT_DISK" $MNT || fail mount "cannot mount $XOT_DISK"
MM=$(cat /sys/block/"${XOT_DISK#/dev/}"/dev)

group() { # name weight
	mkdir -p $CG/$1
	if [ -f $CG/$1/io.xot.weight ]; then
		echo "default $2" >$CG/$1/io.xot.weight || fail guest-weight "$1"
	fi
}

# in_group NAME CMD...: CMD in cgroup NAME, in the background; its pid in
# $! and in WPIDS (the subshell's, which fio_job's exec keeps)
in_group() {
	local g=$1
	shift
	(
		read -r pid _ </proc/self/stat
		echo "$pid" >$CG/$g/cgroup.procs || fail cgroup "cannot join $g"
		"$@"
	) &
	WPIDS="$WPIDS $!"
}

# fill FILE MIB: write it in full, on the disk
fill() { dd if=/dev/zero of="$1" bs=1M count="$2" conv=fsync 2>/dev/null || fail prep "cannot write $1"; }

fio_job() { # name fio-args...: time-based fio, terse output in /tmp/NAME.terse
	local n=$1
	shift
	exec fio --name="$n" --thread --runtime="$RUNTIME" --time_based \
		--output-format=terse --terse-version=3 --output="/tmp/$n.terse" "$@"
}

tar_loop() { # until DEADLINE: copy the tree, remove the copy, drop the clean cache
	local n=0
	while [ "${EPOCHREALTIME%.*}" -lt "$DEADLINE" ]; do
		mkdir -p $MNT/dst
		tar -C $MNT/src -cf - . | tar -C $MNT/dst -xf - || break
		rm -rf $MNT/dst
		echo 1 >/proc/sys/vm/drop_caches
		n=$((n + 1))
	done
	echo "tar copies=$n" >/tmp/tar.out
}

trim_loop() { # until DEADLINE: every TRIM_EVERY s, 8 MiB written and removed, fstrim
	local n=0 next=$((${EPOCHREALTIME%.*} + TRIM_EVERY))
	while [ "${EPOCHREALTIME%.*}" -lt "$DEADLINE" ]; do
		if [ "${EPOCHREALTIME%.*}" -ge "$next" ]; then
			dd if=/dev/zero of=$MNT/churn bs=1M count=8 conv=fsync 2>/dev/null
			rm -f $MNT/churn
			fstrim -v $MNT >>/tmp/trim.out 2>&1
			n=$((n + 1))
			next=$((${EPOCHREALTIME%.*} + TRIM_EVERY))
		fi
		sleep 1
	done
	echo "fstrim runs=$n" >>/tmp/trim.out
}

# once a second until $OUT/.stop: io.stat of every cgroup, /proc/PID/io of
# the workload processes, the disk's completed requests (no fork per sample:
# a TCG guest pays much for each)
sampler() {
	local t g d rest p name k v rb wb f
	while [ ! -e /tmp/real.stop ]; do
		t=$EPOCHREALTIME
		for g in $GROUPS_USED; do
			rest=
			while read -r d rest2; do
				[ "$d" = "$MM" ] && rest=$rest2
			done <$CG/$g/io.stat
			echo "$t cg $g $rest"
		done
		for p in $PROCS; do
			name=${p%%:*}
			rb=0 wb=0
			while read -r k v; do
				case $k in
				read_bytes:) rb=$v ;;
				write_bytes:) wb=$v ;;
				esac
			done <"/proc/${p#*:}/io"
			echo "$t proc $name read_bytes=$rb write_bytes=$wb"
		done
		read -r -a f </sys/block/"${XOT_DISK#/dev/}"/stat
		echo "$t disk xvda rqs=$((f[0] + f[4] + ${f[11]:-0} + ${f[15]:-0}))"
		sleep 1
	done >>"$OUT/samples.txt"
}

# -------------------------------------------------------------- preparation
case $XOT_DOMU in
domU1)
	group oltp 800
	group batch 200
	GROUPS_USED="oltp batch"
	fill $MNT/oltp.db 16
	fill $MNT/batch.dat 32 ;;
domU2)
	group bulk 100
	GROUPS_USED="bulk"
	fill $MNT/stream.dat 48
	for i in 1 2 3; do
		mkdir -p $MNT/src/$i
		tar -C /usr -cf - bin sbin lib/modules | tar -C $MNT/src/$i -xf - ||
			fail prep "cannot copy the tree"
	done
	sync ;;
*)
	group scan 100
	GROUPS_USED="scan"
	fill $MNT/read.dat 32 ;;
esac
sync
echo 3 >/proc/sys/vm/drop_caches
say "prepared in $((${EPOCHREALTIME%.*} - T0)) s: $(df -k $MNT | tail -1)"
if [ "${EPOCHREALTIME%.*}" -lt $((T0 + PREP_S)) ]; then
	sleep $((T0 + PREP_S - ${EPOCHREALTIME%.*}))
else
	say "preparation took longer than BENCH_PREP_S=$PREP_S s: starting late"
fi

# -------------------------------------------------------------- workloads
DEADLINE=$((${EPOCHREALTIME%.*} + RUNTIME))
PROCS=
WPIDS=
case $XOT_DOMU in
domU1)
	in_group oltp fio_job oltp --filename=$MNT/oltp.db --size=16m --rw=randwrite \
		--bs=4k --ioengine=psync --fsync=1 --numjobs=4 --group_reporting
	PROCS="oltp:$!"
	in_group batch fio_job batch --filename=$MNT/batch.dat --size=32m --rw=write \
		--bs=1m --ioengine=psync
	PROCS="$PROCS batch:$!"
	echo "oltp 800 $(stat -c %i $CG/oltp) oltp" >"$OUT/cgroups.txt"
	echo "batch 200 $(stat -c %i $CG/batch) batch" >>"$OUT/cgroups.txt" ;;
domU2)
	in_group bulk fio_job stream --filename=$MNT/stream.dat --size=48m --rw=write \
		--bs=1m --ioengine=psync
	PROCS="stream:$!"
	in_group bulk bash -c "$(declare -f tar_loop); MNT=$MNT DEADLINE=$DEADLINE tar_loop"
	echo "bulk 100 $(stat -c %i $CG/bulk) stream tar" >"$OUT/cgroups.txt" ;;
*)
	in_group scan fio_job reader --filename=$MNT/read.dat --size=32m --rw=randread \
		--bs=4k --direct=1 --ioengine=libaio --iodepth=16
	PROCS="reader:$!"
	in_group scan bash -c "$(declare -f trim_loop); MNT=$MNT DEADLINE=$DEADLINE TRIM_EVERY=$TRIM_EVERY trim_loop"
	echo "scan 100 $(stat -c %i $CG/scan) reader trim" >"$OUT/cgroups.txt" ;;
esac
echo "start $EPOCHREALTIME" >"$OUT/window.txt"
say "workloads started: $PROCS"
sampler &
SAMPLER=$!
# the end of the window: the first workload that ends (wait -n: any job,
# and the sampler does not end by itself)
wait -n
echo "end $EPOCHREALTIME" >>"$OUT/window.txt"
# shellcheck disable=SC2086 # one word per pid
wait $WPIDS
touch /tmp/real.stop
wait $SAMPLER
{
	cat /tmp/*.terse /tmp/tar.out /tmp/trim.out 2>/dev/null
} >"$OUT/workload.txt"
cat "$OUT/window.txt" "$OUT/cgroups.txt"
df -k $MNT | tail -1
umount $MNT
for t in /tmp/*.terse; do
	[ -f "$t" ] || continue
	# terse v3: field 5 error
	awk -F';' '/^3;/ && $5 != 0 { exit 1 }' "$t" || fail fio "$(basename "$t" .terse) ended with an error"
done
echo "XOT-PASS real-workloads $XOT_DOMU $(awk '{ print $2 - $1 }' <<<"$(cut -d' ' -f2 "$OUT/window.txt" | tr '\n' ' ')") s"

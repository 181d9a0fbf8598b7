#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# XoT channel, guest side (runs in every domU; environment in
# userspace/lab/xen-lab.sh; dom0's part in dom0.sh, which writes the
# backend's feature-xot). Checks, through /sys/kernel/debug/xot-tagger:
#
#   channel-up          xot-tagger (loaded by the lab's init before dom0
#                       offered the feature) sets up a channel on xvda and
#                       on the control disk xvdb: several disks
#   records-count       fio (direct, random read/write, in cgroup gold with
#                       io.xot.weight 800): records published on xvda ==
#                       requests xvda completed (/sys/block/xvda/stat), none
#                       dropped, none left stray
#   records-identity    the records in the rings: fio's tgid, gold's cgroup
#                       id and weight 800, SYNC
#   records-writeback   buffered writes from cgroup wb (weight 300) flushed
#                       by the kernel's flusher: WRITEBACK records, tgid 0,
#                       cgroup wb (when the memory controller is there for
#                       cgroup writeback)
#   hotplug-disk        xvdc, attached by dom0 after the module loaded: its
#                       channel comes up, goes when dom0 takes feature-xot
#                       back, comes back when offered again; then
#                       records == requests on it
#   buffered-verify     buffered writes through the guest's page cache
#                       (crc32c), flushed and dropped, then read back from
#                       dom0's device and verified: tagged writeback
#                       through blkback and dom0's xot loses nothing
#   unload-under-io     rmmod xot-tagger while fio verifies, modprobe it
#                       again: fio passes, the channel comes back and records

. "$XOT_LIB/guest.sh"

D=/sys/kernel/debug/xot-tagger
DISK=${XOT_DISK#/dev/}
CG=/sys/fs/cgroup
DEVID=$(basename "$(readlink /sys/block/$DISK/device)")
DEVID=${DEVID#vbd-}

channel_up() { # disk
	grep -Eq "^vbd [0-9]+ disk $1 .* channel up" $D/vbds
}

wait_channel() { # disk seconds
	local i=0
	until channel_up "$1"; do
		i=$((i + 1))
		[ $i -lt $(($2 * 2)) ] || err "no XoT channel on $1 after $2 s: $(cat $D/vbds)" || return 1
		sleep 0.5
	done
}

# records published on a vbd (default: the disk under test's), all rings,
# this module instance
published() { # [devid]
	awk -v d="${1:-$DEVID}" '$1 == "vbd" && $2 == d && $3 == "ring" { s += $8 } END { print s + 0 }' $D/vbds
}
vbd_stat() { # name: requests dropped unsupported requeued stray
	awk -v d="$DEVID" -v k="$1" '$1 == "vbd" && $2 == d && $3 == "requests" {
		for (i = 3; i < NF; i += 2) if ($i == k) print $(i + 1) }' $D/vbds
}
# requests a disk (default: the one under test) completed: reads, writes,
# discards, flushes
completed() { # [disk]
	awk '{ print $1 + $5 + ($12 + 0) + ($15 + 0) }' /sys/block/${1:-$DISK}/stat
}

check_channel_up() {
	wait_channel "$DISK" 120
	wait_channel xvdb 30
	cat $D/vbds
	[ "$(grep -Ec '^vbd [0-9]+ disk .* channel up' $D/vbds)" -ge 2 ] ||
		err "not two channels"
	# one XoT ring per blkif ring (blk-mq hardware queue)
	local hw rings
	hw=$(ls -d /sys/block/$DISK/mq/*/ | wc -l)
	rings=$(awk -v d="$DEVID" '$1 == "vbd" && $2 == d && $3 == "order" { print $6 }' $D/vbds)
	echo "$DISK: $hw hardware queue(s), $rings XoT ring(s)"
	[ "$hw" = "$rings" ] || err "$hw queues but $rings rings"
}

# replace the (sub)shell by CMD... in cgroup NAME: run it with & (then $!
# is CMD's pid) or in ( )
in_cgroup() { # name cmd...
	local cg=$1
	shift
	exec bash -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG/$cg" "$@"
}

setup_cgroup() { # name weight
	mkdir -p $CG/$1
	echo "default $2" > $CG/$1/io.xot.weight ||
		err "cannot set io.xot.weight of $1 (xot-iosched loaded? $(lsmod | grep -c xot))"
	cat $CG/$1/io.xot.weight
}

check_records_count() {
	local p0 s0 d0 st0 p1 s1 d1 st1 pid
	setup_cgroup gold 800
	wait_idle "$DISK"
	p0=$(published) s0=$(completed) d0=$(vbd_stat dropped) st0=$(vbd_stat stray)
	# --thread: every record's tgid is fio's own pid
	in_cgroup gold fio --name=count --filename="$XOT_DISK" --size=64m \
		--rw=randrw --rwmixread=60 --bs=4k --ioengine=libaio --iodepth=8 \
		--direct=1 --thread --numjobs=2 --runtime=15 --time_based \
		> "$RESULTS/fio-count.txt" 2>&1 &
	pid=$!
	echo "$pid" > /tmp/fio-count.pid
	wait $pid || err "fio failed: $(tail -5 "$RESULTS/fio-count.txt")"
	wait_idle "$DISK"
	p1=$(published) s1=$(completed) d1=$(vbd_stat dropped) st1=$(vbd_stat stray)
	cat $D/vbds
	echo "records published $((p1 - p0)), requests completed $((s1 - s0))," \
		"dropped $((d1 - d0)), stray $((st1 - st0))" | tee "$RESULTS/count.txt"
	[ $((s1 - s0)) -gt 100 ] || err "fio made too few requests"
	[ $((p1 - p0)) = $((s1 - s0)) ] || err "records != requests"
	[ $((d1 - d0)) = 0 ] || err "requests without a ring"
	[ $((st1 - st0)) = 0 ] || err "stray records"
}

check_records_identity() {
	local pid cgid n bad
	pid=$(cat /tmp/fio-count.pid)
	cgid=$(stat -c %i $CG/gold)
	grep "^vbd $DEVID ring" $D/records > "$RESULTS/records-fio.txt"
	n=$(wc -l < "$RESULTS/records-fio.txt")
	echo "fio pid $pid, cgroup gold id $cgid: $n records in the ring(s)"
	head -3 "$RESULTS/records-fio.txt"
	[ "$n" -ge 32 ] || err "only $n records"
	bad=$(awk -v p="$pid" -v c="$cgid" '{ for (i = 1; i < NF; i++) f[$i] = $(i + 1) }
		f["tgid"] != p || f["cgroup"] != c || f["weight"] != 800 ||
		(f["op"] != 0 && f["op"] != 1) || !(and(f["flags"], 1))' \
		"$RESULTS/records-fio.txt" | wc -l)
	[ "$bad" = 0 ] || err "$bad of $n records are not fio's: $(awk -v p="$pid" '$0 !~ "tgid " p " "' "$RESULTS/records-fio.txt" | head -3)"
}

check_records_writeback() {
	local cgid n wb memcg=1
	echo "+memory" > $CG/cgroup.subtree_control 2>/dev/null || memcg=0
	setup_cgroup wb 300
	cgid=$(stat -c %i $CG/wb)
	sync
	# the flusher writes back what is 0.5 s old, every 0.2 s
	echo 20 > /proc/sys/vm/dirty_writeback_centisecs
	echo 50 > /proc/sys/vm/dirty_expire_centisecs
	# held open: dd's close is not the last, which would write back
	# synchronously (sync_blockdev) in dd's name
	exec 3<"$XOT_DISK"
	(in_cgroup wb dd if=/dev/zero of="$XOT_DISK" bs=64k count=64 seek=1024 2>&1)
	sleep 5
	wait_idle "$DISK"
	exec 3<&-
	grep "^vbd $DEVID ring" $D/records > "$RESULTS/records-wb.txt"
	awk '{ for (i = 1; i < NF; i++) f[$i] = $(i + 1) } and(f["flags"], 16)' \
		"$RESULTS/records-wb.txt" > "$RESULTS/records-wb-only.txt"
	n=$(wc -l < "$RESULTS/records-wb-only.txt")
	echo "memory controller: $memcg, cgroup wb id $cgid: $n WRITEBACK records"
	head -3 "$RESULTS/records-wb-only.txt"
	[ "$n" -ge 1 ] || err "no WRITEBACK record: $(tail -3 "$RESULTS/records-wb.txt")"
	awk '{ for (i = 1; i < NF; i++) f[$i] = $(i + 1) } f["tgid"] != 0 || f["op"] != 1' \
		"$RESULTS/records-wb-only.txt" | grep -q . && err "WRITEBACK records with a tgid or not a write"
	if [ $memcg = 1 ]; then
		awk -v c="$cgid" '{ for (i = 1; i < NF; i++) f[$i] = $(i + 1) }
			f["cgroup"] != c || f["weight"] != 300' "$RESULTS/records-wb-only.txt" |
			grep -q . && err "WRITEBACK records not of cgroup wb (weight 300)"
	fi
	echo 500 > /proc/sys/vm/dirty_writeback_centisecs
	echo 3000 > /proc/sys/vm/dirty_expire_centisecs
}

check_buffered_verify() {
	# 16 MiB at 192 MiB into the (256 MiB) disk: clear of the other
	# checks' data (fio 0-64 MiB, dd at 64 MiB)
	local job=(--filename="$XOT_DISK" --offset=192m --size=16m --rw=randwrite
		--bs=4k --ioengine=psync --direct=0 --verify=crc32c --verify_fatal=1
		--randrepeat=0)
	fio_verify buffered-write "${job[@]}" --do_verify=0 --end_fsync=1 || return 1
	echo 3 > /proc/sys/vm/drop_caches
	fio_verify buffered-verify "${job[@]}" --verify_only=1 || return 1
	grep -E "WRITE:|READ:" "$RESULTS/fio-buffered-write.txt" "$RESULTS/fio-buffered-verify.txt"
	wait_idle "$DISK"
}

check_unload_under_io() {
	local pid p rc=0
	fio_verify reload --filename="$XOT_DISK" --size=32m --rw=randwrite --bs=4k \
		--ioengine=libaio --iodepth=8 --direct=1 --verify=crc32c \
		--verify_backlog=32 --verify_fatal=1 --runtime=20 --time_based \
		> /tmp/fio-reload.out 2>&1 &
	pid=$!
	sleep 5
	channel_up "$DISK" || err "no channel before the unload"
	rmmod xot-tagger || err "rmmod xot-tagger failed"
	echo "unloaded at $(cut -d' ' -f1 /proc/uptime)"
	[ ! -d $D ] || err "debugfs still there"
	sleep 4
	modprobe xot-tagger || err "modprobe xot-tagger failed"
	echo "loaded again at $(cut -d' ' -f1 /proc/uptime)"
	wait_channel "$DISK" 60
	sleep 3
	p=$(published)
	echo "records since the reload: $p"
	wait $pid || rc=$?
	cat /tmp/fio-reload.out
	[ $rc = 0 ] || err "fio failed across the unload"
	[ "$p" -gt 0 ] || err "no record after the reload"
	wait_idle "$DISK"
	cat $D/vbds
}

# xvdc: attached by dom0 once the scenario runs, after xot-tagger loaded
check_hotplug_disk() {
	local i=0 devid p0 s0 p1 s1
	while [ ! -b /dev/xvdc ]; do
		i=$((i + 1))
		[ $i -lt 240 ] || err "no /dev/xvdc after 120 s"
		sleep 0.5
	done
	devid=$(basename "$(readlink /sys/block/xvdc/device)")
	devid=${devid#vbd-}
	wait_channel xvdc 90
	# dom0 takes feature-xot of xvdc back once, then offers it again: the
	# channel goes and comes back (setups 2) before this measures
	i=0
	until grep -Eq "^vbd $devid disk xvdc .* channel up .* setups ([2-9]|[1-9][0-9]+) " $D/vbds; do
		i=$((i + 1))
		[ $i -lt 180 ] || err "xvdc: no second setup after 90 s: $(grep "^vbd $devid " $D/vbds)"
		sleep 0.5
	done
	wait_idle xvdc
	p0=$(published "$devid") s0=$(completed xvdc)
	fio --name=hot --filename=/dev/xvdc --size=32m --rw=randrw --bs=4k \
		--ioengine=libaio --iodepth=4 --direct=1 --runtime=5 --time_based \
		> "$RESULTS/fio-hot.txt" 2>&1 || err "fio on xvdc failed"
	wait_idle xvdc
	p1=$(published "$devid") s1=$(completed xvdc)
	grep "^vbd $devid " $D/vbds
	echo "xvdc (vbd $devid): records published $((p1 - p0)), requests completed $((s1 - s0))"
	[ $((s1 - s0)) -gt 10 ] || err "too few requests on xvdc"
	[ $((p1 - p0)) = $((s1 - s0)) ] || err "records != requests on xvdc"
}

log "$XOT_DOMU: $DISK is vbd $DEVID"
check channel-up check_channel_up
check records-count check_records_count
check records-identity check_records_identity
check records-writeback check_records_writeback
check buffered-verify check_buffered_verify
check hotplug-disk check_hotplug_disk
check unload-under-io check_unload_under_io
cat $D/vbds $D/stats > "$RESULTS/debugfs-end.txt" 2>&1
log "$XOT_DOMU: $(cat "$RESULTS/count.txt" 2>/dev/null)"
finish

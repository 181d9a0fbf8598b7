#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# XoT channel across a blkfront reconnect, guest side (dom0's part in
# dom0.sh saves this domain to a file and restores it while fio writes and
# verifies). A restored guest gets a new domid and new blkif rings; xot-tagger
# must withdraw its rings at suspend and grant new ones once blkfront is
# connected again, with no request lost and no record missing:
#
#   userspace/lab/xen-lab.sh --domus 2 --dom0-mem 1536 reconnect
#
# (dom0 keeps the saved domain, 384 MiB, in its memory: hence --dom0-mem)
#
#   resume-under-io   fio (direct random writes, crc32c verify with a backlog)
#                     runs until the channel on xvda has been set up again
#                     (xot-tagger's setups counter moved), then once more:
#                     every job passes its verify
#   records-after     one more fio on the new channel: records published ==
#                     requests xvda completed, none dropped
#   weight-at-runtime a guest cgroup's io.xot.weight changed from 300 to 700
#                     while its fio runs: the records carry 300, then 700
#
# domU2 is destroyed (xl destroy) while it writes, and created again:
#   io-until-destroyed    first boot: writes until dom0 destroys it
#   channel-after-reboot  second boot (xot.reboot=1): the channel is up
#   records-after-reboot  records == requests on the new domain

. "$XOT_LIB/guest.sh"

D=/sys/kernel/debug/xot-tagger
DISK=${XOT_DISK#/dev/}
DEVID=$(basename "$(readlink /sys/block/$DISK/device)")
DEVID=${DEVID#vbd-}

vbd_field() { # name: from the "vbd N disk ..." line
	awk -v d="$DEVID" -v k="$1" '$1 == "vbd" && $2 == d && $3 == "disk" {
		for (i = 3; i < NF; i++) if ($i == k) print $(i + 1) }' $D/vbds
}
channel_up() { [ "$(vbd_field channel)" = up ]; }
published() {
	awk -v d="$DEVID" '$1 == "vbd" && $2 == d && $3 == "ring" { s += $8 } END { print s + 0 }' $D/vbds
}
dropped() {
	awk -v d="$DEVID" '$1 == "vbd" && $2 == d && $3 == "requests" { print $6 }' $D/vbds
}
completed() { awk '{ print $1 + $5 + ($12 + 0) + ($15 + 0) }' /sys/block/$DISK/stat; }

wait_for() { # seconds what cmd...
	local n=$(($1 * 2)) what=$2 i=0
	shift 2
	until "$@"; do
		i=$((i + 1))
		[ $i -lt $n ] || err "$what: not after $((n / 2)) s" || return 1
		sleep 0.5
	done
}

# fio jobs of 15 s one after the other (each writes and verifies) until the
# channel is set up again, then one more: the restore happens while one runs
check_resume_under_io() {
	local setups0 n=0 t0
	wait_for 120 "channel on $DISK" channel_up
	setups0=$(vbd_field setups)
	echo "before: $(grep "^vbd $DEVID disk" $D/vbds)"
	t0=$(cut -d. -f1 /proc/uptime)
	while [ "$(vbd_field setups)" -le "$setups0" ] || ! channel_up; do
		[ $(($(cut -d. -f1 /proc/uptime) - t0)) -lt 480 ] ||
			err "channel not set up again within 480 s (dom0 restores us once it sees records)"
		n=$((n + 1))
		fio_verify resume-$n --filename="$XOT_DISK" --size=32m --rw=randwrite \
			--bs=4k --ioengine=libaio --iodepth=8 --direct=1 --verify=crc32c \
			--verify_backlog=32 --verify_fatal=1 --runtime=15 --time_based >/dev/null
	done
	echo "after $n jobs: $(grep "^vbd $DEVID disk" $D/vbds)"
	fio_verify resume-last --filename="$XOT_DISK" --size=32m --rw=randwrite \
		--bs=4k --ioengine=libaio --iodepth=8 --direct=1 --verify=crc32c \
		--verify_backlog=32 --verify_fatal=1 --runtime=10 --time_based >/dev/null
	wait_idle "$DISK"
}

check_records_after() {
	local p0 s0 d0 p1 s1 d1
	channel_up || err "no channel"
	wait_idle "$DISK"
	p0=$(published) s0=$(completed) d0=$(dropped)
	fio_verify after --filename="$XOT_DISK" --size=32m --rw=randrw --bs=4k \
		--ioengine=libaio --iodepth=8 --direct=1 --runtime=10 --time_based
	wait_idle "$DISK"
	p1=$(published) s1=$(completed) d1=$(dropped)
	echo "records $((p1 - p0)) for $((s1 - s0)) requests, dropped $((d1 - d0))"
	cat $D/vbds
	[ $((s1 - s0)) -gt 50 ] || err "fio made too few requests"
	[ $((p1 - p0)) = $((s1 - s0)) ] || err "records $((p1 - p0)) != requests $((s1 - s0))"
	[ $((d1 - d0)) = 0 ] || err "$((d1 - d0)) records dropped"
}

# A guest cgroup's weight changed while its I/O runs: the records carry the
# new weight from then on (dom0.sh checks the elevator took it too)
check_weight_at_runtime() {
	local cg=/sys/fs/cgroup/rt cgid pid n3 n7
	mkdir -p $cg
	echo "default 300" >$cg/io.xot.weight
	cgid=$(stat -c %i $cg)
	echo "$cgid" >"$RESULTS/rt-cgroup-id"
	bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' $cg fio --name=rt \
		--filename="$XOT_DISK" --size=32m --rw=randread --bs=4k --ioengine=libaio \
		--iodepth=8 --direct=1 --runtime=40 --time_based >/tmp/fio-rt.txt 2>&1 &
	pid=$!
	sleep 24
	n3=$(grep -c "cgroup $cgid weight 300 " $D/records || true)
	echo "default 700" >$cg/io.xot.weight
	sleep 12
	n7=$(grep -c "cgroup $cgid weight 700 " $D/records || true)
	wait $pid || err "fio failed: $(tail -3 /tmp/fio-rt.txt)"
	echo "records in the ring of cgroup $cgid: weight 300 before the change: $n3, weight 700 after: $n7"
	[ "$n3" -gt 0 ] || err "no record with weight 300 before the change"
	[ "$n7" -gt 0 ] || err "no record with weight 700 after the change"
	grep -q "cgroup $cgid weight 300 " $D/records && err "records with the old weight 12 s after the change"
	rmdir $cg
}

# domU2 is destroyed in the middle of its I/O and created again (dom0.sh):
# its first boot writes until it is gone, its second (xot.reboot=1 on its
# kernel command line) checks the channel of the new domain
check_until_destroyed() {
	local n=0 t0
	t0=$(cut -d. -f1 /proc/uptime)
	wait_for 120 "channel on $DISK" channel_up
	while [ $(($(cut -d. -f1 /proc/uptime) - t0)) -lt 480 ]; do
		n=$((n + 1))
		fio --name=victim-$n --filename="$XOT_DISK" --size=32m --rw=randwrite \
			--bs=4k --ioengine=libaio --iodepth=8 --direct=1 --runtime=15 \
			--time_based >/dev/null 2>&1
	done
	err "still running after 480 s: dom0 was to destroy this domain"
}

check_after_reboot() {
	wait_for 120 "channel on $DISK after the reboot" channel_up
	grep "^vbd $DEVID disk" $D/vbds
}

# suspend and resume messages on the console (the lab boots with loglevel=5)
dmesg -n 7
[ -d $D ] || { echo "XOT-FAIL reconnect-tagger xot-tagger is not loaded"; exit 1; }
case "$XOT_DOMU:$(cat /proc/cmdline)" in
domU2:*xot.reboot=1*)
	check channel-after-reboot check_after_reboot
	check records-after-reboot check_records_after ;;
domU2:*)
	check io-until-destroyed check_until_destroyed ;;
*)
	check resume-under-io check_resume_under_io
	check records-after check_records_after
	check weight-at-runtime check_weight_at_runtime ;;
esac
finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-lab smoke test of the xot elevator (runs inside the lab guest):
#   userspace/lab/host-lab.sh smoke
#
# The xot-iosched module loads; xot is offered and selectable on a
# memory-backed null_blk device and on the virtio disk; fio randwrite with
# crc32c verify passes on both under xot; switching schedulers in a loop
# under fio neither hangs nor loses I/O; buffered I/O through ext4 on xot
# reads back intact; rmmod is refused while a queue uses xot and works
# after switching away; the other project modules load and unload (or are
# explicitly skipped when they need Xen).
#
# tests/host/stock-smoke.sh runs the same checks with a stock elevator
# (SMOKE_SCHED=mq-deadline, rmmod checks on bfq) as a baseline for the lab.
#
# Arguments (host-lab.sh --append): fio_mb=N (MB per fio job, default 32:
# ~10 s per fio run on an idle 2-core host, more when it is busy),
# jobs=N (default 4), iodepth=N (default 16).

. "${XOT_LIB:-/tests/lib}/guest.sh"

SCHED=${SMOKE_SCHED:-xot}                         # elevator under test
RM_SCHED=${SMOKE_RMMOD_SCHED:-xot}                # rmmod checks: elevator
RM_MODULE=${SMOKE_RMMOD_MODULE:-xot-iosched}      # ... and its module
FIO_MB=32 JOBS=4 IODEPTH=16
for a in $XOT_SCENARIO_ARGS; do
	case $a in
	fio_mb=*) FIO_MB=${a#*=} ;;
	jobs=*) JOBS=${a#*=} ;;
	iodepth=*) IODEPTH=${a#*=} ;;
	esac
done
NULLB_MB=$((FIO_MB * JOBS + 16))
VDA=${XOT_TEST_DISK:-/dev/vda}
SWITCH_LIST="$SCHED none mq-deadline bfq kyber"
[ "$SCHED" = mq-deadline ] && SWITCH_LIST="mq-deadline none bfq kyber"

# Direct random writes, each job in its own region so verify is exact; then
# fio reads everything back and checks the crc32c of every block.
FIO_DIRECT=(--rw=randwrite --bs=4k --ioengine=libaio --direct=1
	--iodepth="$IODEPTH" --numjobs="$JOBS" --size="${FIO_MB}M"
	--offset_increment="${FIO_MB}M" --verify=crc32c --verify_fatal=1
	--do_verify=1 --randrepeat=0)

log "smoke: elevator '$SCHED', rmmod checks on $RM_MODULE, fio ${JOBS}x${FIO_MB}MB iodepth $IODEPTH"

stock_schedulers() {
	modprobe bfq
	modprobe kyber-iosched
	modprobe null_blk nr_devices=0
}

# null_blk: memory backed (keeps data, for verify), timer completions of
# 50 us and a small tag set, so requests queue in the elevator.
make_nullb() {
	nullb_create nullb0 memory_backed=1 size=$NULLB_MB blocksize=4096 \
		irqmode=2 completion_nsec=50000 hw_queue_depth=32 submit_queues=2
	[ -b /dev/nullb0 ] || err "/dev/nullb0 missing"
}

# offered: the elevator is listed for DEV; select: it becomes active
offered() { grep -qw "$SCHED" "/sys/block/$1/queue/scheduler" || err "$1 offers: $(cat /sys/block/$1/queue/scheduler)"; }
select_sched() { sched_set "$1" "$SCHED"; }

fio_direct() { # dev
	sched_set "$1" "$SCHED"
	fio_verify "direct-${1##*/}" --filename="$1" "${FIO_DIRECT[@]}"
	[ "$(sched_get "$1")" = "$SCHED" ] || err "scheduler changed during fio"
	wait_idle "$1"
}

# fio's expected duration is well under a minute here; 120 s more is a hang.
switching() { # dev
	fio_while_switching "$1" 180 "$SWITCH_LIST" "${FIO_DIRECT[@]}"
	[ "$(sched_get "$1")" = "$SCHED" ] || err "did not end on $SCHED"
}

# Buffered I/O through the page cache and ext4: write + fsync, drop every
# cache (umount), then verify from the disk in a second fio run.
ext4_buffered() {
	local mnt=/mnt/smoke
	sched_set "$VDA" "$SCHED"
	mkfs.ext4 -q -F "$VDA"
	mkdir -p $mnt
	mount -t ext4 "$VDA" $mnt
	local job=(--directory="$mnt" --filename_format='smoke.$jobnum' --rw=randwrite --bs=4k --ioengine=psync
		--direct=0 --numjobs=2 --size=32M --verify=crc32c --verify_fatal=1
		--randrepeat=0)
	fio_verify ext4-write "${job[@]}" --do_verify=0 --end_fsync=1
	umount $mnt
	echo 3 >/proc/sys/vm/drop_caches
	mount -t ext4 "$VDA" $mnt
	fio_verify ext4-verify "${job[@]}" --verify_only=1
	umount $mnt
	e2fsck -fn "$VDA"
	[ "$(sched_get "$VDA")" = "$SCHED" ] || err "scheduler changed"
	wait_idle "$VDA"
}

# rmmod of an elevator module: refused while a queue uses it, fine after.
queues_using() { grep -l "\[$1\]" /sys/block/*/queue/scheduler 2>/dev/null | cut -d/ -f4; }
rmmod_busy() { # sched module
	local mod=${2//-/_}
	sched_set nullb0 "$1"
	echo "queues on $1: $(queues_using "$1" | tr '\n' ' ')"
	if rmmod "$2"; then
		err "rmmod $2 succeeded while queues use $1"
	fi
	[ -d "/sys/module/$mod" ] || err "$2 is gone although rmmod failed"
	echo "refcnt: $(cat /sys/module/$mod/refcnt)"
}
rmmod_idle() { # sched module
	local q mod=${2//-/_}
	for q in $(queues_using "$1"); do
		sched_set "$q" mq-deadline
	done
	[ -z "$(queues_using "$1")" ] || err "queues still on $1"
	rmmod "$2"
	[ ! -d "/sys/module/$mod" ] || err "$2 still loaded after rmmod"
	! grep -qw "$1" /sys/block/nullb0/queue/scheduler || err "$1 still offered"
	# and once more: load, use, unload
	modprobe "$2"
	sched_set nullb0 "$1"
	dd if=/dev/nullb0 of=/dev/null bs=64k count=64 2>&1
	sched_set nullb0 none
	rmmod "$2"
}

# Other project modules: load + unload, unless they can only load under Xen.
unload_other() { # name
	lsmod | grep -w "${1//-/_}" || err "$1 not in lsmod after modprobe"
	rmmod "$1"
}
check_other_module() { # name
	local name=$1 d probe=$RESULTS/checks/load-$1.modprobe
	if ! have_module "$name"; then
		skip "load-$name" "$name.ko not built (make modules)"
		return
	fi
	for d in $(modinfo -F depends "$name" | tr ',' ' '); do
		case $d in
		xen*)
			if [ "$(cat /sys/hypervisor/type 2>/dev/null)" != xen ]; then
				skip "load-$name" "depends on $d, which only loads under Xen (host lab has no Xen)"
				return
			fi ;;
		esac
	done
	if modprobe "$name" 2>"$probe"; then
		check "load-$name" unload_other "$name"
	elif grep -q 'No such device' "$probe" && [ "$(cat /sys/hypervisor/type 2>/dev/null)" != xen ]; then
		# the module itself refuses to load outside Xen (-ENODEV)
		skip "load-$name" "$(cat "$probe") (module needs Xen)"
	else
		check "load-$name" modprobe "$name" # fails again, recorded with its output
	fi
}

check stock-schedulers stock_schedulers
[ "$SCHED" = xot ] && check load-xot load_xot
check nullb-create make_nullb
for dev in nullb0 "${VDA#/dev/}"; do
	check "offered-$dev" offered "$dev"
	check "select-$dev" select_sched "$dev"
done
check fio-verify-nullb0 fio_direct /dev/nullb0
check fio-verify-vda fio_direct "$VDA"
check switch-nullb0 switching /dev/nullb0
check switch-vda switching "$VDA"
check ext4-buffered ext4_buffered
check rmmod-busy rmmod_busy "$RM_SCHED" "$RM_MODULE"
check rmmod-idle rmmod_idle "$RM_SCHED" "$RM_MODULE"
if [ "$SCHED" = xot ]; then
	check_other_module xot-blkback
	check_other_module xot-tagger
fi
finish

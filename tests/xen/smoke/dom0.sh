# SPDX-License-Identifier: GPL-2.0
#
# Xen-lab smoke test, dom0 side (sourced by dom0's /init; protocol in
# userspace/lab/xen-lab.sh). The foundation issue runs it as:
#
#   userspace/lab/xen-lab.sh --domus 2 --device nullb --layout dm-linear smoke
#
# before_domus: put the physical device(s) on the xot elevator (mq-deadline
#               and an explicit XOT-SKIP when xot is not built), snapshot
#               their I/O counters.
# after_domus:  the elevator is still the one chosen, nothing is left in
#               flight, and the device saw the domUs' I/O: at least the
#               sectors their fio wrote (and not more than 5 % beyond), at
#               least the sectors they read back to verify (plus the slack
#               of each domU's partition scan at boot).

. "$XOT_LIB/guest.sh"

STATE=/tmp/smoke

# sum of one /sys/block/DEV/stat field over the physical devices
# (field 3: sectors read, field 7: sectors written)
phys_stat_sum() { # field
	local dev sum=0 v
	for dev in $XOT_PHYS; do
		v=$(awk -v f="$1" '{ print $f }' "/sys/block/${dev#/dev/}/stat")
		sum=$((sum + v))
	done
	echo $sum
}

set_all() { # scheduler
	local dev
	for dev in $XOT_PHYS; do
		sched_set "$dev" "$1"
	done
}

before_domus() {
	local first=${XOT_PHYS%% *} want=xot
	mkdir -p $STATE
	if ! grep -qw xot "/sys/block/${first#/dev/}/queue/scheduler"; then
		if have_module xot-iosched && [ "$XOT_MODULES" = 1 ]; then
			check xot-offered err "xot-iosched is loaded but $first does not offer xot"
			want=mq-deadline
		else
			skip xot-not-built "xot-iosched not in the image (make modules, or --no-modules): using mq-deadline"
			want=mq-deadline
		fi
	fi
	echo $want > $STATE/sched
	check "scheduler-$want" set_all $want
	if [ "$want" = xot ] && [ -d /sys/module/xot_blkback ]; then
		check blkback-load-order load_order
	fi
	phys_stat_sum 3 > $STATE/rsect0
	phys_stat_sum 7 > $STATE/wsect0
	finish
}

# what the domUs' fio reports: KiB, summed (terse v3 field 47 written, 6 read)
domus_kib() { # field
	cat "$XOT_RESULTS_ROOT"/domU*/fio.terse 2>/dev/null |
		awk -F';' -v f="$1" '{ s += $f } END { print s + 0 }'
}

scheduler_kept() {
	local dev want
	want=$(cat $STATE/sched)
	for dev in $XOT_PHYS; do
		[ "$(sched_get "$dev")" = "$want" ] ||
			err "$dev is on $(sched_get "$dev"), not $want"
		wait_idle "$dev"
	done
}

# The domUs' I/O reached the device: writes only come from fio; reads also
# from each domU's partition scan at boot (a few hundred KiB).
device_saw_io() {
	local n w_dev r_dev w_u r_u
	n=$(ls "$XOT_RESULTS_ROOT"/domU*/fio.terse 2>/dev/null | wc -l)
	[ "$n" = "$XOT_DOMUS" ] || err "fio results from $n of $XOT_DOMUS domUs"
	w_dev=$((($(phys_stat_sum 7) - $(cat $STATE/wsect0)) / 2))
	r_dev=$((($(phys_stat_sum 3) - $(cat $STATE/rsect0)) / 2))
	w_u=$(domus_kib 47)
	r_u=$(domus_kib 6)
	echo "device: wrote $w_dev KiB, read $r_dev KiB; domUs: wrote $w_u KiB, read $r_u KiB" |
		tee "$RESULTS/io.txt"
	[ "$w_u" -gt 0 ] && [ "$r_u" -gt 0 ] || err "the domUs report no I/O"
	[ "$w_dev" -ge "$w_u" ] && [ "$w_dev" -le $((w_u + w_u / 20 + 64)) ] ||
		err "device wrote $w_dev KiB for the domUs' $w_u KiB"
	[ "$r_dev" -ge "$r_u" ] && [ "$r_dev" -le $((r_u + r_u / 10 + 2048 * XOT_DOMUS)) ] ||
		err "device read $r_dev KiB for the domUs' $r_u KiB"
}

# xot-blkback found every domU's vbd and offered the XoT feature in its
# backend directory.
hook_offered() {
	local f=/sys/kernel/debug/xot-blkback/vbds n domid devid
	[ -r $f ] || err "$f is missing"
	cat $f > "$RESULTS/vbds.txt"
	n=$(awk '$1 ~ /^[0-9]+$/' $f | wc -l)
	[ "$n" -ge "$XOT_DOMUS" ] || err "xot-blkback knows $n vbds for $XOT_DOMUS domUs"
	awk '$1 ~ /^[0-9]+$/ { print $1, $3 }' $f | while read -r domid devid; do
		[ "$(xenstore-read "backend/vbd/$domid/$devid/feature-xot")" = 1 ] ||
			err "backend/vbd/$domid/$devid/feature-xot is not 1"
	done
}

# The elevator scheduled each VM's requests in a VM group of its own.
vm_groups() {
	local dev tree n
	for dev in $XOT_PHYS; do
		tree=/sys/kernel/debug/block/${dev#/dev/}/sched/tree
		cat "$tree" >> "$RESULTS/tree.txt"
	done
	n=$(grep -E '^ +vm [0-9]+ ' "$RESULTS/tree.txt" | grep -vc ' rqs=0')
	[ "$n" -ge "$XOT_DOMUS" ] || err "$n VM groups with requests for $XOT_DOMUS domUs"
}

# dom0's hook unloaded and loaded again while the guests' fio writes and
# verifies through blkback: nothing may be lost (the guests' verify says),
# no warning, and the feature is offered again.
hook_reload() {
	local f=/sys/kernel/debug/xot-blkback/domains before i
	before=$(awk '$1 ~ /^[0-9]+$/ { s += $2 } END { print s + 0 }' $f)
	# wait until the guests' I/O runs through blkback
	for i in $(seq 1 120); do
		[ "$(awk '$1 ~ /^[0-9]+$/ { s += $2 } END { print s + 0 }' $f)" -gt $((before + 200)) ] && break
		sleep 0.5
	done
	rmmod xot-blkback || err "rmmod xot-blkback under I/O failed"
	sleep 2
	modprobe xot-blkback || err "modprobe xot-blkback failed"
	sleep 3
	hook_offered
	echo "xot-blkback reloaded under I/O; guests keep verifying"
}

# Load order: xot-blkback first, xen-blkback after it (as a dom0 whose
# modules autoload in another order would). xot-blkback must learn blkback's
# thread function when xen-blkback becomes live, and forget it when it goes;
# vm_groups later proves the VMs' requests were recognised.
load_order() {
	local n0
	n0=$(dmesg | grep -c 'ring threads run xen_blkif_schedule')
	rmmod xot-blkback || err "rmmod xot-blkback (no guests yet) failed"
	rmmod xen-blkback || err "rmmod xen-blkback (no guests yet) failed"
	modprobe xot-blkback || err "modprobe xot-blkback without xen-blkback failed"
	modprobe xen-blkback || err "modprobe xen-blkback after xot-blkback failed"
	sleep 1
	[ "$(dmesg | grep -c 'ring threads run xen_blkif_schedule')" -ge $((n0 + 1)) ] ||
		err "xot-blkback did not resolve xen_blkif_schedule when xen-blkback loaded"
	rmmod xen-blkback || err "rmmod xen-blkback under xot-blkback failed"
	dmesg | grep -q 'xot-blkback: xen-blkback unloaded' ||
		err "xot-blkback did not see xen-blkback go"
	modprobe xen-blkback || err "modprobe xen-blkback again failed"
	sleep 1
	[ "$(dmesg | grep -c 'ring threads run xen_blkif_schedule')" -ge $((n0 + 2)) ] ||
		err "xot-blkback did not resolve xen_blkif_schedule after a reload"
}

# While the domUs run (their vbds exist only then).
while_domus() {
	if [ "$(cat $STATE/sched)" = xot ] && [ -d /sys/module/xot_blkback ]; then
		check hook-offered hook_offered
		check hook-reload-under-io hook_reload
	fi
	finish
}

after_domus() {
	check scheduler-kept scheduler_kept
	check device-saw-io device_saw_io
	if [ "$(cat $STATE/sched)" = xot ] && [ -d /sys/module/xot_blkback ]; then
		check vm-groups vm_groups
	fi
	log "smoke: $(cat "$RESULTS/io.txt" 2>/dev/null)"
	finish
}

# SPDX-License-Identifier: GPL-2.0
#
# XoT channel across a blkfront reconnect, dom0 side (sourced by dom0's
# /init; the guest's part and the command are in domU.sh).
#
# before_domus: the physical device on xot (xot-blkback loaded by the lab).
# while_domus:  domU2 is destroyed while it writes and created again; its
#               old vbd leaves xot-blkback, the new domain's channel comes up.
#               Once xot-blkback matches domU1's records, `xl save` it to a
#               file and `xl restore` it (a new domid, blkfront reconnects,
#               xot-tagger grants new rings); then wait until xot-blkback
#               maps the new domain's channel and matches its records.
# after_domus:  the elevator's guest cgroup of domU.sh's weight-at-runtime
#               check went from w=300 to w=700; the restored domain had a
#               channel of its own, records
#               matched on it with at most 5 % unmatched and none rejected,
#               the old domain's vbd was forgotten, and nothing is left in
#               flight on the device; the elevator made a VM group per
#               domid and keeps no more than the domains plus 4 idle ones.

. "$XOT_LIB/guest.sh"

STATE=/tmp/reconnect
VBDS=/sys/kernel/debug/xot-blkback/vbds

before_domus() {
	local dev
	mkdir -p $STATE
	[ -d /sys/module/xot_blkback ] || { echo "XOT-FAIL reconnect-hook xot-blkback is not loaded"; return 1; }
	for dev in $XOT_PHYS; do
		check "scheduler-xot-${dev#/dev/}" sched_set "$dev" xot
	done
	finish
}

# counters whose name matches the regex $2, summed over the rings of domid
# $1's vbds (0 if none)
ring_field_sum() { # domid regex
	awk -v d="$1" -v k="$2" '$1 ~ /^[0-9]+$/ { cur = $1 } /^  ring / && cur == d {
		for (i = 3; i < NF; i++) if ($i ~ k) s += $(i + 1) } END { print s + 0 }' $VBDS
}
matched_of() { ring_field_sum "$1" '^matched$'; }
rejected_of() { ring_field_sum "$1" '^rejected_'; }
matched_over() { [ "$(matched_of "$1")" -gt "$2" ]; }
channel_of() { awk -v d="$1" '$1 == d { print $5; exit }' $VBDS; }

wait_until() { # seconds cmd...
	local n=$(($1 * 2)) i=0
	shift
	until "$@"; do
		i=$((i + 1))
		[ $i -lt $n ] || return 1
		sleep 0.5
	done
}

save_restore() {
	local old new t0 t1 t2
	old=$(xl domid domU1) || err "no domU1"
	echo "$old" > $STATE/old
	wait_until 300 matched_over "$old" 200 || err "domU1 (domid $old): no records matched: $(cat $VBDS)"
	cat $VBDS > "$RESULTS/vbds-before.txt"
	lab_hold domU1
	t0=$(up)
	# up to 5 tries: libxl of Xen 4.17 can take the guest's acknowledgement
	# of the suspend request for the suspend itself (then "not suspended"
	# and the domain is resumed where it was)
	local try
	for try in 1 2 3 4 5; do
		xl save domU1 $STATE/domU1.save > "$RESULTS/xl-save.log" 2>&1 && break
		echo "xl save try $try: $(grep -m1 error "$RESULTS/xl-save.log")"
		rm -f $STATE/domU1.save
		[ $try -lt 5 ] || { lab_release domU1; err "xl save: $(tail -3 "$RESULTS/xl-save.log")"; }
		sleep 3
	done
	t1=$(up)
	xl restore $STATE/domU1.save > "$RESULTS/xl-restore.log" 2>&1 ||
		{ lab_release domU1; err "xl restore: $(tail -3 "$RESULTS/xl-restore.log")"; }
	t2=$(up)
	lab_release domU1
	rm -f $STATE/domU1.save
	new=$(xl domid domU1) || err "no domU1 after the restore"
	echo "$new" > $STATE/new
	echo "saved domid $old in $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s, restored as domid $new in $(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }') s"
	[ "$new" != "$old" ] || err "the restored domain kept domid $old"
	up_again() { [ "$(channel_of "$new")" = up ] && [ "$(matched_of "$new")" -gt 100 ]; }
	wait_until 300 up_again || err "domid $new: no channel or no records matched: $(cat $VBDS)"
	cat $VBDS | tee "$RESULTS/vbds-after.txt"
}

# domU2 destroyed while it writes, then created again (a reboot whose
# guest had no say): dom0 forgets the old domain's vbd and channel, the
# new domain's channel comes up and its records match
destroy_reboot() {
	local old new cfg=$STATE/domU2-reboot.cfg
	old=$(xl domid domU2) || err "no domU2"
	wait_until 300 matched_over "$old" 200 || err "domU2 (domid $old): no records matched: $(cat $VBDS)"
	local m
	m=$(matched_of "$old")
	lab_hold domU2
	xl destroy domU2 || { lab_release domU2; err "xl destroy domU2 failed"; }
	echo "domU2 (domid $old) destroyed at $(up), $m records matched until then"
	gone() { ! awk -v d="$old" '$1 == d { f = 1 } END { exit !f }' $VBDS; }
	wait_until 60 gone || { lab_release domU2; err "xot-blkback still lists domid $old: $(cat $VBDS)"; }
	# the same guest again, told that it is the reboot
	sed 's/^extra = "\(.*\)"$/extra = "\1 xot.reboot=1"/' "$XOT_LAB_DIR/domU2.cfg" >$cfg
	grep -q 'xot.reboot=1' $cfg || { lab_release domU2; err "cannot edit $XOT_LAB_DIR/domU2.cfg"; }
	xl create $cfg >"$RESULTS/xl-create-reboot.log" 2>&1 ||
		{ lab_release domU2; err "xl create: $(tail -3 "$RESULTS/xl-create-reboot.log")"; }
	lab_release domU2
	new=$(xl domid domU2) || err "no domU2 after the reboot"
	echo "$new" >$STATE/new2
	echo "created again as domid $new"
	up_again() { [ "$(channel_of "$new")" = up ] && [ "$(matched_of "$new")" -gt 100 ]; }
	wait_until 400 up_again || err "domid $new: no channel or no records matched: $(cat $VBDS)"
	cat $VBDS
}

# In the background, twice a second while the domUs run: the guest
# cgroups' weights as the elevator has them (a weight may last only a few
# seconds), and xot-blkback's view of each domain whose channel is up, its
# last one kept per domain (the domains power off at different times)
sample() {
	local dev
	while lab_domus_running; do
		for dev in $XOT_PHYS; do
			grep 'guest-cgroup' /sys/kernel/debug/block/${dev#/dev/}/sched/tree
		done >> "$RESULTS/guest-cgroups.txt" 2>/dev/null
		# one read: a channel may go down between two
		cat $VBDS > $STATE/vbds.now 2>/dev/null
		grep -q ' up ' $STATE/vbds.now && cp $STATE/vbds.now "$RESULTS/vbds-last.txt"
		keep_hook_views $STATE/vbds.now "$RESULTS"
		sleep 0.5
	done
}

while_domus() {
	local sampler
	mkdir -p $STATE
	sample &
	sampler=$!
	check save-restore save_restore
	check destroy-reboot destroy_reboot
	wait $sampler
	finish
}

new_channel_matched() { # file with the new domid [file with the old one]
	local new m u r f
	new=$(cat "$1") || err "no new domain (no restore or reboot happened)"
	f=$RESULTS/vbds-last-$new.txt
	[ -s "$f" ] || err "no view of xot-blkback's vbds while domid $new ran"
	VBDS=$f
	cat "$f"
	m=$(matched_of "$new") u=$(ring_field_sum "$new" '^unmatched$') r=$(rejected_of "$new")
	echo "domid $new: matched $m, unmatched $u, rejected $r"
	[ "$m" -gt 100 ] || err "only $m records matched on the new channel"
	[ $((u * 20)) -le "$m" ] || err "unmatched $u is over 5 % of matched $m"
	[ "$r" = 0 ] || err "$r records rejected"
	[ -z "${2:-}" ] || ! awk -v d="$(cat "$2")" '$1 == d { found = 1 } END { exit !found }' \
		"$RESULTS/vbds-last.txt" ||
		err "the old domain's vbd is still listed"
}

# the elevator took the guest's new weight (domU.sh weight-at-runtime)
elevator_weight() {
	local id
	id=$(cat "$XOT_RESULTS_ROOT/domU1/rt-cgroup-id") || err "no cgroup id from domU1"
	grep " guest-cgroup $id " "$RESULTS/guest-cgroups.txt" | awk '{ print $3 }' | uniq -c
	grep -q " guest-cgroup $id w=300 " "$RESULTS/guest-cgroups.txt" || err "never saw w=300"
	grep -q " guest-cgroup $id w=700 " "$RESULTS/guest-cgroups.txt" || err "never saw w=700"
	# 700 comes after 300
	grep " guest-cgroup $id " "$RESULTS/guest-cgroups.txt" | awk '{ print $3 }' | uniq |
		tail -1 | grep -qx w=700 || err "the last weight seen is not 700"
}

# the elevator's VM groups (iosched-xot/origin.c): a VM per domid seen on
# the device (the old and new domids of the save/restore and of the
# reboot), and no more alive than the domains plus the 4 idle ones a dom0
# cgroup keeps (XOT_VGROUP_KEEP; VMs idle for 10 s beyond those are freed)
elevator_vms() { # dev
	local st=/sys/kernel/debug/block/${1#/dev/}/sched/stats alloc freed
	cat "$st"
	alloc=$(awk '$1 == "vms_allocated" { print $2 }' "$st")
	freed=$(awk '$1 == "vms_freed" { print $2 }' "$st")
	[ -n "$alloc" ] && [ -n "$freed" ] || err "no vms_allocated/vms_freed in $st"
	# the domains of this run use this device, or none of them does
	[ "$alloc" = 0 ] && { echo "no guest I/O on $1"; return 0; }
	[ "$alloc" -ge 2 ] || err "$alloc VM group(s): a domain had old and new domids"
	[ $((alloc - freed)) -le $((4 + 2)) ] || err "$((alloc - freed)) VM groups alive"
}

after_domus() {
	check new-channel-matched new_channel_matched $STATE/new $STATE/old
	check rebooted-channel-matched new_channel_matched $STATE/new2
	check elevator-weight-at-runtime elevator_weight
	for dev in $XOT_PHYS; do
		check "idle-${dev#/dev/}" wait_idle "$dev"
		check "elevator-vms-${dev#/dev/}" elevator_vms "$dev"
	done
	finish
}

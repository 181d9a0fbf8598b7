# SPDX-License-Identifier: GPL-2.0
#
# XoT channel, guest side, dom0's part (sourced by dom0's /init; protocol in
# userspace/lab/xen-lab.sh):
#
#   userspace/lab/xen-lab.sh --domus 2 channel
#   userspace/lab/xen-lab.sh --domus 2 --env XOT_DOMU_VCPUS=2 channel   (2 blkif rings)
#
# before_domus: one null_blk device per domU for a disk attached later.
# while_domus: attaches it to the domU as xvdc (a disk that appears after
#              xot-tagger loaded), plays the backend's part of the
#              negotiation: writes feature-xot=1 in every vbd backend
#              directory of every domU (as xot-blkback will), watches each domU's xvda
#              frontend directory: a copy of it once xot-version appears
#              (then xvdc's backend takes feature-xot back and offers it
#              again: the channel must go and come back, toggle-domUi.txt)
#              (dom0/xs-domUi.txt) and every change of xot-version
#              (dom0/version-domUi.txt: the domU unloads and reloads
#              xot-tagger once, so: 1, gone, 1).
# after_domus: the keys are those of include/xot/channel.h, complete and
#              consistent, and the channel was withdrawn and set up again.

. "$XOT_LIB/guest.sh"

STATE=/tmp/channel
XVDA=51712		# xvda: (202 << 8) | 0
XVDC=51744		# xvdc: (202 << 8) | 32

# a third disk per domU, xvdc, attached once the guests run (after
# xot-tagger loaded there): a small memory-backed null_blk device each
before_domus() {
	local i dev
	mkdir -p $STATE
	for i in $(seq 1 "$XOT_DOMUS"); do
		dev=$(nullb_create "hot$i" size=64 blocksize=4096 memory_backed=1) ||
			{ echo "XOT-FAIL channel-hot-device cannot create hot$i"; return 1; }
		echo "$dev" > "$STATE/hot-$i"
	done
	echo "XOT-PASS channel-dom0-ready"
}

hot_attach() { # i
	local dev spec
	dev=$(cat "$STATE/hot-$1")
	if [ "$XOT_HOTPLUG" = stock ]; then
		spec="phy:$dev,xvdc,w"
	else
		spec="format=raw, vdev=xvdc, access=rw, script=xot-block, target=$dev"
	fi
	if xl block-attach "domU$1" "$spec" > "$RESULTS/block-attach-domU$1.log" 2>&1; then
		lab_log "channel: $dev attached to domU$1 as xvdc"
	else
		echo "XOT-FAIL channel-hot-attach-domU$1 xl block-attach: $(tail -1 "$RESULTS/block-attach-domU$1.log")"
	fi
}

domid_of() { cat "$STATE/domid-$1" 2>/dev/null; }

# feature-xot=1 for every vbd backend of domU i that has none yet
offer_feature() { # i
	local domid be d
	domid=$(domid_of "$1")
	[ -n "$domid" ] || return 1
	be=/local/domain/0/backend/vbd/$domid
	for d in $(xenstore-list "$be" 2>/dev/null); do
		[ -f "$STATE/offered-$1-$d" ] && continue
		xenstore-write "$be/$d/feature-xot" 1 || continue
		touch "$STATE/offered-$1-$d"
		lab_log "channel: feature-xot=1 written for domU$1 (domid $domid) vbd $d"
	done
}

# Every change of domU i's xvda xot-version, as it happens (a watch: the
# polling loop below is too slow under TCG to see a short absence), into
# dom0/version-domUi.txt; xvda's frontend keys copied once it is there.
follow_version() { # i
	local domid fe v
	domid=$(domid_of "$1")
	fe=/local/domain/$domid/device/vbd/$XVDA
	xenstore-watch "$fe/xot-version" 2>/dev/null | while read -r _; do
		v=$(xenstore-read "$fe/xot-version" 2>/dev/null) || v=gone
		echo "$v" >> "$RESULTS/version-domU$1.txt"
		if [ "$v" != gone ] && [ ! -s "$RESULTS/xs-domU$1.txt" ]; then
			xenstore-ls -f "/local/domain/$domid/device/vbd" > "$RESULTS/xs-domU$1.txt"
		fi
	done
}

# xot-blkback's view of the channels, while the vbds exist: the last copy
# that still lists a channel up (vbds.txt), and per domain the last view
# with its xvda channel up (vbds-last-DOMID.txt), which after_domus checks:
# a domain that powers off first is gone from the later copies.
snapshot_hook() {
	local f=/sys/kernel/debug/xot-blkback/vbds
	[ -r $f ] || return 0
	cat $f > "$STATE/vbds.now" 2>/dev/null
	grep -q ' up ' "$STATE/vbds.now" && cp "$STATE/vbds.now" "$RESULTS/vbds.txt"
	keep_hook_views "$STATE/vbds.now" "$RESULTS" $XVDA
	return 0
}

while_domus() {
	local i n
	mkdir -p $STATE
	for i in $(seq 1 "$XOT_DOMUS"); do
		xl domid "domU$i" > "$STATE/domid-$i" 2>/dev/null || rm -f "$STATE/domid-$i"
	done
	for i in $(seq 1 "$XOT_DOMUS"); do
		[ -n "$(domid_of "$i")" ] || continue
		follow_version "$i" &
		echo $! > "$STATE/follower-$i"
	done
	for i in $(seq 1 "$XOT_DOMUS"); do
		[ -n "$(domid_of "$i")" ] && hot_attach "$i"
	done
	while :; do
		n=0
		for i in $(seq 1 "$XOT_DOMUS"); do
			[ -n "$(domid_of "$i")" ] || continue
			# gone: its xenstore home is removed when it is destroyed
			xenstore-exists "/local/domain/$(domid_of "$i")" 2>/dev/null || continue
			n=$((n + 1))
			offer_feature "$i"
			toggle_feature "$i"
		done
		snapshot_hook
		[ $n -gt 0 ] || break
		sleep 0.5
	done
	# the watches saw the domains go; stop them (the xenstore-watch of each
	# follower, then the follower)
	sleep 2
	for i in $(seq 1 "$XOT_DOMUS"); do
		[ -f "$STATE/follower-$i" ] || continue
		pkill -P "$(cat "$STATE/follower-$i")" 2>/dev/null
		kill "$(cat "$STATE/follower-$i")" 2>/dev/null
	done
	return 0
}

# xvdc's backend withdraws feature-xot once the channel is up, and offers
# it again once the guest has withdrawn the channel (the guest must follow
# the backend both ways). States in $STATE/toggle-i: (none) wait for the
# channel, 1 feature removed, 2 offered again, 3 channel back: done.
toggle_feature() { # i
	local domid be fe st v
	domid=$(domid_of "$1")
	be=/local/domain/0/backend/vbd/$domid/$XVDC
	fe=/local/domain/$domid/device/vbd/$XVDC
	[ -f "$STATE/offered-$1-$XVDC" ] || return 0
	st=$(cat "$STATE/toggle-$1" 2>/dev/null)
	v=$(xenstore-read "$fe/xot-version" 2>/dev/null) || v=gone
	case "$st:$v" in
	:1)
		xenstore-rm "$be/feature-xot" && echo 1 > "$STATE/toggle-$1"
		echo "$(up) channel up, feature-xot removed" >> "$RESULTS/toggle-domU$1.txt" ;;
	1:gone)
		xenstore-write "$be/feature-xot" 1 && echo 2 > "$STATE/toggle-$1"
		echo "$(up) channel withdrawn, feature-xot offered again" >> "$RESULTS/toggle-domU$1.txt" ;;
	2:1)
		echo 3 > "$STATE/toggle-$1"
		echo "$(up) channel up again" >> "$RESULTS/toggle-domU$1.txt" ;;
	esac
}

toggle_done() { # i
	cat "$RESULTS/toggle-domU$1.txt"
	[ "$(cat "$STATE/toggle-$1" 2>/dev/null)" = 3 ] || err "xvdc's channel did not follow feature-xot away and back"
}

# the keys of one domU's xvda, as xenstore-ls -f printed them
keys_ok() { # i
	local f=$RESULTS/xs-domU$1.txt domid fe order rings r p ref
	[ -s "$f" ] || err "no copy of domU$1's frontend keys (xot-version never appeared)"
	cat "$f"
	domid=$(domid_of "$1")
	fe=/local/domain/$domid/device/vbd/$XVDA
	key() { sed -n "s|^$fe/$1 = \"\\(.*\\)\"\$|\\1|p" "$f"; }
	[ "$(key xot-version)" = 1 ] || err "xot-version is '$(key xot-version)', not 1"
	order=$(key xot-ring-order)
	rings=$(key xot-nr-rings)
	[[ $order =~ ^[0-4]$ ]] || err "xot-ring-order '$order'"
	[[ $rings =~ ^[0-9]+$ ]] && [ "$rings" -ge 1 ] && [ "$rings" -le 64 ] ||
		err "xot-nr-rings '$rings'"
	# blkif ring of 32 << ring-page-order requests, twice that in slots
	local rpo mq
	rpo=$(key ring-page-order)
	mq=$(key multi-queue-num-queues)
	[ "$rings" = "${mq:-1}" ] || err "xot-nr-rings $rings for multi-queue-num-queues ${mq:-1}"
	[ $(((64 << order) - 1)) -ge $((64 << ${rpo:-0})) ] ||
		err "order $order holds $(((64 << order) - 1)) records for a blkif ring of $((32 << ${rpo:-0}))"
	for r in $(seq 0 $((rings - 1))); do
		for p in $(seq 0 $(((1 << order) - 1))); do
			ref=$(key "xot-ring-ref-$r-$p")
			[[ $ref =~ ^[0-9]+$ ]] || err "xot-ring-ref-$r-$p is '$ref'"
		done
	done
	# nothing more than that
	[ "$(grep -c "^$fe/xot-" "$f")" = $((3 + rings * (1 << order))) ] ||
		err "unexpected xot-* keys: $(grep "^$fe/xot-" "$f" | tr '\n' ' ')"
	echo "domU$1: order $order, $rings ring(s), $((rings * (1 << order))) grant refs"
}

# the domU reloaded xot-tagger mid-I/O: the channel was withdrawn and
# offered again: the version key went 1, gone, 1 (a watch saw every
# change) and, with xot-blkback, dom0 mapped the channel twice (its vbds
# file, "ups").
withdraw_seen() { # i
	local f=$RESULTS/version-domU$1.txt seq ups
	# one line per watch event; the same value twice is one state
	seq=$(uniq < "$f" 2>/dev/null | tr '\n' ' ')
	echo "xot-version of domU$1's xvda: $seq"
	if [ -s "$RESULTS/vbds.txt" ]; then
		ups=$(awk -v d="$(domid_of "$1")" -v v=$XVDA '$1 == d && $3 == v { print $8 }' \
			"$RESULTS/vbds-last-$(domid_of "$1").txt" 2>/dev/null)
		echo "xot-blkback mapped domU$1's xvda channel ${ups:-0} times"
		[ "${ups:-0}" -ge 2 ] || err "channel set up ${ups:-0} times, expected 2"
	fi
	# absent before the module loads, and after the domU is gone
	[[ $seq =~ ^(gone\ )?1\ gone\ 1\ (gone\ )?$ ]] ||
		err "xot-version went: '$seq', expected (gone) 1 gone 1 (gone)"
}

# dom0 mapped each domU's xvda channel and matched the guests' requests to
# their records: nothing rejected, next to nothing unmatched or dropped
# (the few requests in flight while the guest withdrew its channel).
records_matched() { # i
	local f domid
	[ -r /sys/kernel/debug/xot-blkback/vbds ] || { echo "xot-blkback not loaded"; return 0; }
	domid=$(domid_of "$1")
	f=$RESULTS/vbds-last-$domid.txt
	[ -s "$f" ] || err "xot-blkback never showed domU$1's xvda channel up"
	awk -v d="$domid" -v v=$XVDA '
		$1 ~ /^[0-9]+$/ { cur = ($1 == d && $3 == v); if (cur) up = $5; next }
		cur && $1 == "ring" {
			for (i = 3; i < NF; i += 2) n[$i] += $(i + 1)
			for (i = 3; i < NF; i += 2) if ($i ~ /^rejected_/) rej = rej " " $i "=" $(i + 1)
		}
		END {
			printf "domU (domid %s) xvda: channel %s, matched %d continued %d unmatched %d dropped %d%s\n",
				d, up, n["matched"], n["continued"], n["unmatched"], n["dropped"], rej ? ", rejected" rej : ""
			if (up != "up" || n["matched"] < 100 || rej != "" ||
			    n["unmatched"] * 20 > n["matched"] || n["dropped"] * 20 > n["matched"])
				exit 1
		}' "$f" || err "records not matched as expected ($f)"
}

after_domus() {
	local i
	for i in $(seq 1 "$XOT_DOMUS"); do
		check "channel-keys-domU$i" keys_ok "$i"
		check "channel-withdrawn-and-back-domU$i" withdraw_seen "$i"
		check "channel-matched-domU$i" records_matched "$i"
		check "channel-follows-feature-domU$i" toggle_done "$i"
	done
	finish
}

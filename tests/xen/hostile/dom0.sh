# SPDX-License-Identifier: GPL-2.0
#
# Hostile guest, dom0's part (sourced by dom0's /init; protocol in
# userspace/lab/xen-lab.sh; docs/hardening.md, "Hostile guests"):
#
#   userspace/lab/xen-lab.sh --domus 3 \
#       --nullb "completion_nsec=20000000 hw_queue_depth=1 cache_size=64 discard=1" \
#       --env XOT_GUEST_MODULES=domU1=xot-hostile \
#       --env XOT_BLKFRONT_ARGS=domU1=max_ring_page_order:4 --timeout 1200 hostile
#
# domU1 runs the test-only xot-hostile (tests/hostile-guest/) and reloads it
# with one attack mode after another (domU.sh); domU2 and domU3 run the
# honest xot-tagger. All three verify their own data with fio (crc32c).
# The dom0 device is slow (50 IOPS) so that every VM's queue in the xot
# elevator stays full and shares are decided by the scheduler; it has a
# volatile write cache with FUA and discard (cache_size, discard), so that
# blkback offers the guests flushes and discards, and domU1's blkif ring is
# order 4 (512 requests: more than the scheduler's 256 tags) for the io-*
# modes (domU.sh).
#
# before_domus: xot on the device, VM weights domU1=100 domU2=100
#               domU3=200 (domU1's target: 25 %), small caps on the
#               elevator's per-VM state (max_guest_groups, max_queues: low
#               enough that an attack reaches them within a mode),
#               anticipation on (slice_idle_us).
# while_domus:  once a second a sample (samples.txt): the mode domU1
#               announces (its xenstore data/xot-hostile), every VM's
#               completed requests on its dm volume, xot-blkback's counters
#               of domU1's xvda channel, domU1's virtual groups and process
#               queues in the elevator's tree, mapped XoT pages, xot_queue
#               slab objects, dom0's MemAvailable and Slab, and the slowest
#               xenstore round trip through dom0's xenwatch since the last
#               sample (probe(): a write of dom0's own key until its watch
#               fires; xenwatch also runs every backend's callbacks), and
#               the requests xot charged as bypassing it (flush, FUA).
# after_domus:  per mode: the counters moved as that attack should make
#               them, domU1's state stayed under the caps, domU1 got no
#               more than its share; results in hostile.json.

. "$XOT_LIB/guest.sh"

STATE=/tmp/hostile
CG_CAP=${HOSTILE_MAX_GROUPS:-16}	# max_guest_groups: guest cgroups per VM
Q_CAP=${HOSTILE_MAX_QUEUES:-64}		# max_queues: process queues per group (and per VM)
# anticipation on: the elevator pins a guest's synchronous process queue
# (each domU runs an iodepth-1 reader) while hostile records churn the tree
SLICE_IDLE_US=${HOSTILE_SLICE_IDLE_US:-50000}
VMW=domU1=100,domU2=100,domU3=200
TARGET=0.25				# domU1's share: 100 / (100 + 100 + 200)
SHARE_SLACK=0.06			# measured over ~20 s windows of ~1000 requests
XVDA=51712
# a vbd may make dom0 map at most this many pages (XOT_HOOK_MAX_PAGES)
PAGE_CAP=64
# versionflood, statecycle: dom0's xenwatch keeps up and dom0 does not grow
# slowest write-to-watch round trip: at most XS_RTT_FACTOR times the
# median of the modes that leave xenstore alone (under TCG a round trip
# already takes 1.8-3.2 s in those), and never less than XS_RTT_MAX_MS
XS_RTT_MAX_MS=${HOSTILE_XS_RTT_MAX_MS:-2000}
XS_RTT_FACTOR=${HOSTILE_XS_RTT_FACTOR:-3}
MEM_DROP_MAX_KB=${HOSTILE_MEM_DROP_MAX_KB:-32768}	# MemAvailable, first to last sample of a mode
SLAB_GROWTH_MAX_KB=${HOSTILE_SLAB_GROWTH_MAX_KB:-16384}	# Slab, likewise
PROBE_KEY=/local/domain/0/data/xot-hostile-probe

# /dev/mapper/NAME or /dev/NAME -> its name in /sys/block (dm-N, nullb0):
# without udev, /dev/mapper holds device nodes, not links
dev_of() {
	local mm
	mm=$(stat -L -c '%t %T' "$1") || return 1
	set -- $mm
	basename "$(readlink -f "/sys/dev/block/$((0x$1)):$((0x$2))")"
}

before_domus() {
	local dev i
	mkdir -p $STATE
	dev=$(dev_of "${XOT_PHYS%% *}")
	echo "$dev" > $STATE/dev
	for i in 1 2 3; do
		eval "echo \$(dev_of \$XOT_BACKING_$i)" > $STATE/backing-$i
	done
	[ -d /sys/module/xot_blkback ] || { echo "XOT-FAIL hostile-setup xot-blkback not loaded"; return 1; }
	check hostile-scheduler sched_set "$dev" xot
	echo 256 > /sys/block/$dev/queue/nr_requests
	echo $CG_CAP > /sys/block/$dev/queue/iosched/max_guest_groups &&
		echo $Q_CAP > /sys/block/$dev/queue/iosched/max_queues &&
		echo $SLICE_IDLE_US > /sys/block/$dev/queue/iosched/slice_idle_us &&
		echo $VMW > /sys/module/xot_blkback/parameters/vm_weights ||
		{ echo "XOT-FAIL hostile-setup tunables"; return 1; }
	echo "XOT-PASS hostile-setup $dev on xot, max_guest_groups $CG_CAP, max_queues $Q_CAP, slice_idle_us $SLICE_IDLE_US, VM weights $VMW"
}

ms_now() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# Once a second: write dom0's probe key and wait for its watch to fire.
# A watch of xenstore-watch is delivered by dom0's kernel xenwatch thread,
# the one every backend's (and xot-blkback's) callbacks run in: a guest
# that floods it shows here. Each round trip in ms to $STATE/rtt.log.
probe() {
	local n=0 a b lines
	: > $STATE/probe-events
	xenstore-write $PROBE_KEY 0
	xenstore-watch $PROBE_KEY > $STATE/probe-events 2>/dev/null &
	echo $! > $STATE/probe-watcher
	sleep 1
	while [ -e $STATE/probing ]; do
		n=$((n + 1))
		lines=$(wc -l < $STATE/probe-events)
		a=$(ms_now)
		xenstore-write $PROBE_KEY $n || continue
		# give up after 30 s: the sample then records 30000
		while [ "$(wc -l < $STATE/probe-events)" -le "$lines" ]; do
			b=$(ms_now)
			[ $((b - a)) -lt 30000 ] || break
			sleep 0.05
		done
		b=$(ms_now)
		echo $((b - a)) >> $STATE/rtt.log
		sleep 1
	done
	kill "$(cat $STATE/probe-watcher)" 2>/dev/null
	xenstore-rm $PROBE_KEY 2>/dev/null
}

# completed requests (reads + writes) of a block device
completed() { awk '{ print $1 + $5 }' "/sys/block/$1/stat"; }

# One line: key=value for everything after_domus needs, read by one awk
# (a loaded TCG dom0 spends seconds per process it starts).
sample() { # domid1 dev
	local d=$1 dev=$2 mode
	mode=$(cat $STATE/mode 2>/dev/null) || mode=-
	awk -v d="$d" -v v=$XVDA -v t="$(date +%s)" -v mode="$mode" '
		FNR == 1 { fi++ }
		# 1-3: the VMs dm volumes: completed reads + writes
		fi <= 3 { c[fi] = $1 + $5; next }
		# 4: xot-blkback: domU1s vbds (channel counters of xvda; pages of all)
		fi == 4 && $1 ~ /^[0-9]+$/ {
			cur = ($1 == d && $3 == v)
			if ($1 == d && $5 == "up") { p = $6; for (i = 0; i < $7; i++) p *= 2; pages += p }
			if (cur) { ups = $8; errs = $9 }
			next }
		fi == 4 && cur && $1 == "ring" { for (i = 3; i < NF; i += 2) n[$i] += $(i + 1); next }
		fi == 4 { next }
		# 5: the elevator: domU1s VM group and what is below it
		fi == 5 {
			ind = match($0, /[^ ]/) - 1
			if ($1 == "vm") { invm = ($2 == d); vmind = ind; next }
			if (invm && ind <= vmind) invm = 0
			if (invm && $1 == "guest-cgroup") { g++; split($3, w, "="); if (w[2] + 0 > maxw) maxw = w[2] + 0 }
			if (invm && $1 == "process") q++
			next }
		fi == 6 && $1 == "xot_queue" { slab = $2; qsize = $4 }
		fi == 6 { next }
		# 7: dom0 memory; 8: xenstore round trips since the last sample
		fi == 7 && $1 == "MemAvailable:" { memavail = $2 }
		fi == 7 && $1 == "Slab:" { slabkb = $2 }
		fi == 7 { next }
		# 8: the elevator counters; 9: xenstore round trips since the last sample
		fi == 8 && $1 == "bypassed" { byp = $2 }
		fi == 8 && $1 == "bypassed_bytes" { bypb = $2 }
		fi == 8 { next }
		fi == 9 && $1 + 0 > rtt { rtt = $1 + 0 }
		END {
			printf "t=%s mode=%s c1=%d c2=%d c3=%d ups=%d errors=%d pages=%d", t, mode, c[1], c[2], c[3], ups, errs, pages
			for (k in n) if (k != "next_seq") printf " %s=%d", k, n[k]
			printf " groups=%d queues=%d maxw=%d slab_queues=%d queue_size=%d", g, q, maxw, slab, qsize
			printf " memavail=%d slabkb=%d rtt_ms=%d bypassed=%d bypassed_bytes=%d\n", memavail, slabkb, rtt, byp, bypb
		}' "/sys/block/$(cat $STATE/backing-1)/stat" "/sys/block/$(cat $STATE/backing-2)/stat" \
		"/sys/block/$(cat $STATE/backing-3)/stat" /sys/kernel/debug/xot-blkback/vbds \
		"/sys/kernel/debug/block/$dev/sched/tree" /proc/slabinfo /proc/meminfo \
		"/sys/kernel/debug/block/$dev/sched/stats" $STATE/rtt.log >> "$RESULTS/samples.txt"
	# the round trips counted: the next sample starts afresh
	[ -s $STATE/rtt.log ] && cat $STATE/rtt.log >> "$RESULTS/xs-rtt.txt" && : > $STATE/rtt.log
}

while_domus() {
	local d dev
	mkdir -p $STATE
	dev=$(cat $STATE/dev)
	d=$(xl domid domU1 2>/dev/null) || { echo "XOT-FAIL hostile-domid no domU1"; return 1; }
	echo "$d" > $STATE/domid1
	# the mode domU1 announces, as it changes (a watch: a loaded dom0
	# may take tens of seconds between two samples): $STATE/mode for the
	# samples, modelog.txt for the record
	echo - > $STATE/mode
	xenstore-watch "/local/domain/$d/data/xot-hostile" 2>/dev/null | while read -r _; do
		v=$(xenstore-read "/local/domain/$d/data/xot-hostile" 2>/dev/null) || v=-
		echo "$v" > $STATE/mode
		echo "$(up) $v" >> "$RESULTS/modelog.txt"
	done &
	echo $! > $STATE/watcher
	: > $STATE/rtt.log
	touch $STATE/probing
	probe &
	echo $! > $STATE/prober
	while lab_domus_running; do
		sample "$d" "$dev"
		sleep 1
	done
	sample "$d" "$dev"
	pkill -P "$(cat $STATE/watcher)" 2>/dev/null
	kill "$(cat $STATE/watcher)" 2>/dev/null
	rm -f $STATE/probing
	wait "$(cat $STATE/prober)" 2>/dev/null
	cp "/sys/kernel/debug/block/$dev/sched/tree" "$RESULTS/tree-end.txt" 2>/dev/null
	cp /sys/kernel/debug/xot-blkback/vbds "$RESULTS/vbds-end.txt"
	return 0
}

# Per mode, from samples.txt: summary lines "mode NAME k=v ..." in
# $STATE/modes.txt. Counters of the channel restart at every new channel
# (ups): the increase over a mode is summed channel by channel.
summarise() {
	# each sample's mode from domU1's log of its changes (Xen's wall
	# clock, shared by every domain): the announcement in xenstore may
	# lag by tens of seconds on a loaded TCG lab
	awk 'NR == FNR { at[++n] = $1; mm[n] = $2; next }
		{ m = "-"; split($1, tv, "="); for (i = 1; i <= n; i++) if (at[i] <= tv[2]) m = mm[i]
		  sub(/ mode=[^ ]*/, " mode=" m); print }' \
		"$XOT_RESULTS_ROOT/domU1/modes-run.txt" "$RESULTS/samples.txt" > $STATE/samples-by-time.txt
	awk '
		{ delete f; for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
		# what happened since the last sample counts for the mode of this one
		NR > 1 && f["mode"] != "-" {
			m = f["mode"]
			if (!(m in seen)) { seen[m] = 1; order[++nm] = m; t0[m] = prev_t; ma0[m] = f["memavail"]; sl0[m] = f["slabkb"] }
			ma1[m] = f["memavail"]; sl1[m] = f["slabkb"]
			if (f["rtt_ms"] > hr[m]) hr[m] = f["rtt_ms"]
			t1[m] = f["t"]
			for (v = 1; v <= 3; v++) c[m, v] += f["c" v] - pc[v]
			for (k in f) if (k ~ /^(matched|continued|unmatched|dropped|rejected_.*)$/) {
				keys[k] = 1
				# the same channel: its increase; a new one: all of it
				dv = f["ups"] == prev_ups && (k in last) && f[k] >= last[k] ? f[k] - last[k] : f[k]
				sum[m, k] += dv
			}
			ups[m] += f["ups"] - prev_ups
			bp[m] += f["bypassed"] - prev_byp
			errs[m] += f["errors"] - prev_errs
			if (f["groups"] > hg[m]) hg[m] = f["groups"]
			if (f["queues"] > hq[m]) hq[m] = f["queues"]
			if (f["pages"] > hp[m]) hp[m] = f["pages"]
			if (f["slab_queues"] > hs[m]) hs[m] = f["slab_queues"]
			if (f["maxw"] > hw[m]) hw[m] = f["maxw"]
		}
		{
			if (f["queue_size"]) qsize = f["queue_size"]
			prev_t = f["t"]; prev_ups = f["ups"]; prev_errs = f["errors"]; prev_byp = f["bypassed"]
			for (v = 1; v <= 3; v++) pc[v] = f["c" v]
			delete last
			for (k in f) if (k ~ /^(matched|continued|unmatched|dropped|rejected_.*)$/) last[k] = f[k]
		}
		END {
			for (j = 1; j <= nm; j++) {
				m = order[j]
				tot = c[m, 1] + c[m, 2] + c[m, 3]
				printf "mode %s secs=%.0f requests=%d share1=%.4f share2=%.4f share3=%.4f", m,
					t1[m] - t0[m], tot, tot ? c[m, 1] / tot : 0, tot ? c[m, 2] / tot : 0, tot ? c[m, 3] / tot : 0
				printf " new_channels=%d refused_offers=%d", ups[m], errs[m]
				printf " groups_hw=%d queues_hw=%d pages_hw=%d slab_queues_hw=%d max_guest_weight=%d queue_size=%d",
					hg[m], hq[m], hp[m], hs[m], hw[m], qsize
				printf " xs_rtt_ms_hw=%d memavail_drop_kb=%d slab_growth_kb=%d bypassed=%d",
					hr[m], ma0[m] - ma1[m], sl1[m] - sl0[m], bp[m]
				for (k in keys) printf " %s=%d", k, sum[m, k]
				printf "\n"
			}
		}' $STATE/samples-by-time.txt > $STATE/modes.txt
}

field() { # mode key
	awk -v m="$1" -v k="$2" '$1 == "mode" && $2 == m {
		for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) { print kv[2]; exit } }
		print 0 }' $STATE/modes.txt
}

# KEY= of the last sample of the run (a counter: its value over the run)
last_sample() { # key
	awk -v k="$1" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) v = kv[2] } }
		END { print v + 0 }' "$RESULTS/samples.txt"
}

rejected() { # mode: all reasons
	awk -v m="$1" '$1 == "mode" && $2 == m {
		for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] ~ /^rejected_/) s += kv[2] } }
		END { print s + 0 }' $STATE/modes.txt
}

reasons() { # mode: how many different rejection reasons
	awk -v m="$1" '$1 == "mode" && $2 == m {
		for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] ~ /^rejected_/ && kv[2] > 0) n++ } }
		END { print n + 0 }' $STATE/modes.txt
}

gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

# every mode domU1 ran was announced to dom0; most were sampled (a loaded
# TCG dom0 may stall for longer than a mode lasts between two samples)
modes_seen() {
	local want m n=0 k=0
	want=$(awk '$2 != "-" { print $2 }' "$XOT_RESULTS_ROOT/domU1/modes-run.txt" 2>/dev/null) ||
		err "domU1 reported no modes (domU1/modes-run.txt)"
	cat "$RESULTS/modelog.txt"
	cat $STATE/modes.txt
	for m in $want; do
		n=$((n + 1))
		# io-* modes attack with I/O; the module announces "none"
		case $m in io-*) ;; *)
			awk -v m="$m" '$2 == m { f = 1 } END { exit !f }' "$RESULTS/modelog.txt" ||
				err "dom0 never saw mode $m announced" ;;
		esac
		if grep -q "^mode $m " $STATE/modes.txt; then
			k=$((k + 1))
		else
			echo "mode $m: no sample taken while it ran"
		fi
	done
	echo "$k of $n modes sampled"
	[ $((2 * k)) -ge "$n" ] || err "only $k of $n modes sampled"
}

# what dom0 must have seen in each mode
mode_effect() { # mode
	local m=$1 un dr ma
	un=$(field "$m" unmatched) dr=$(field "$m" dropped) ma=$(field "$m" matched)
	grep "^mode $m " $STATE/modes.txt
	case $m in
	none | maxweight | churn*)
		# (a sample interval may straddle the previous mode: no
		# demand that nothing was rejected)
		[ "$ma" -gt 0 ] || err "no record matched" ;;
	random)
		[ "$(reasons "$m")" -ge 5 ] || err "only $(reasons "$m") rejection reasons counted" ;;
	replay | reorder | doublefetch)
		[ $((un + dr)) -gt 0 ] || err "nothing unmatched or dropped" ;;
	stop)
		[ "$un" -gt 0 ] || err "no unmatched request after the guest went silent" ;;
	indices)
		[ "$(field "$m" refused_offers)" -gt 0 ] || err "no bad offer refused"
		[ "$(field "$m" new_channels)" -gt 0 ] || err "no good offer mapped again" ;;
	teardown)
		[ "$(field "$m" new_channels)" -ge 2 ] || err "channel not set up again after the grants ended" ;;
	versionflood | statecycle)
		# dom0 is up (this runs in it); the honest guests' fio is
		# checked by honest_ok; here: xenwatch kept up, dom0 did not grow
		local base max
		base=$(awk '$1 == "mode" && $2 !~ /^(versionflood|statecycle|io-)/ {
			for (i = 3; i <= NF; i++) if ($i ~ /^xs_rtt_ms_hw=/) { split($i, kv, "="); print kv[2] } }' \
			$STATE/modes.txt | sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }')
		max=$((XS_RTT_FACTOR * base))
		[ "$max" -ge "$XS_RTT_MAX_MS" ] || max=$XS_RTT_MAX_MS
		[ "$(field "$m" xs_rtt_ms_hw)" -le "$max" ] ||
			err "xenstore round trip took $(field "$m" xs_rtt_ms_hw) ms (at most $max: $XS_RTT_FACTOR x the median $base ms of the other modes)"
		[ "$(field "$m" memavail_drop_kb)" -le "$MEM_DROP_MAX_KB" ] ||
			err "MemAvailable fell by $(field "$m" memavail_drop_kb) kB (at most $MEM_DROP_MAX_KB)"
		[ "$(field "$m" slab_growth_kb)" -le "$SLAB_GROWTH_MAX_KB" ] ||
			err "Slab grew by $(field "$m" slab_growth_kb) kB (at most $SLAB_GROWTH_MAX_KB)" ;;
	io-*)
		# domU1's I/O attack ran (honest records); its share is checked
		# with every mode's by share_held
		local io=${m#io-} rc
		rc=$(cat "$XOT_RESULTS_ROOT/domU1/io-$io.rc" 2>/dev/null)
		[ "$rc" = 0 ] || err "domU1's io-$io I/O failed (fio exit ${rc:-none}):" \
			"$(tail -3 "$XOT_RESULTS_ROOT/domU1/io-$io.out" 2>/dev/null | tr '\n' ' ')"
		# over the whole run: a flush waits behind domU1's other I/O (at
		# its share of a 50 IOPS device) for up to a minute, past the
		# mode's window (seen: the first charged 59 s after the mode
		# began); domU1 is the only guest that flushes
		[ "$io" != flush ] || [ "$(last_sample bypassed)" -gt 0 ] ||
			err "no flush or FUA write of domU1 was charged as bypassing the elevator" ;;
	esac
	case $m in
	maxweight) [ "$(field "$m" max_guest_weight)" = 10000 ] || err "no guest group of weight 10000 seen" ;;
	esac
}

# domU1's state in dom0 under the caps, in every mode
caps_held() {
	local m g q p
	for m in $(awk '$1 == "mode" { print $2 }' $STATE/modes.txt); do
		g=$(field "$m" groups_hw) q=$(field "$m" queues_hw) p=$(field "$m" pages_hw)
		echo "$m: guest groups $g (cap $CG_CAP), process queues $q (cap $Q_CAP), mapped pages $p (cap $((2 * PAGE_CAP)) for 2 vbds)"
		[ "$g" -le $CG_CAP ] || err "$m: $g guest groups"
		[ "$q" -le $Q_CAP ] || err "$m: $q process queues in one VM"
		[ "$p" -le $((2 * PAGE_CAP)) ] || err "$m: $p pages mapped"
	done
}

# domU1 never got more than its VM weight's share, whatever it claimed;
# beyond the slack, a VM that returns from idle may take idle_credit
# requests ahead (the elevator's documented head start, README "Tunables")
share_held() {
	local m s r max credit
	credit=$(cat "/sys/block/$(cat $STATE/dev)/queue/iosched/idle_credit")
	for m in $(awk '$1 == "mode" { print $2 }' $STATE/modes.txt); do
		s=$(field "$m" share1) r=$(field "$m" requests)
		[ "$r" -ge 200 ] || { echo "$m: domU1 share $s of $r requests: too few to judge"; continue; }
		max=$(awk -v t=$TARGET -v s=$SHARE_SLACK -v c="$credit" -v r="$r" 'BEGIN { printf "%.4f", t + s + c / r }')
		echo "$m: domU1 share $s of $r requests (target $TARGET, at most $max)"
		gt "$s" "$max" && err "$m: domU1 got $s, more than $max"
	done
	return 0
}

# the honest guests' data: their fio verified it (domU.sh's own checks)
honest_ok() {
	local i
	for i in 2 3; do
		grep -q '^XOT-PASS hostile-fio-verify' "$XOT_RESULTS_ROOT/domU$i/console.log" ||
			err "domU$i: no passing fio verify"
	done
}

write_json() {
	awk -v cg=$CG_CAP -v qc=$Q_CAP -v pc=$PAGE_CAP -v tgt=$TARGET -v si=$SLICE_IDLE_US \
		-v nullb="$XOT_NULLB" '
		BEGIN { printf "{\n  \"benchmark\": \"xen-hostile\",\n  \"command\": \"userspace/lab/xen-lab.sh --domus 3 --nullb \\\"%s\\\" --env XOT_GUEST_MODULES=domU1=xot-hostile hostile\",\n", nullb
			printf "  \"vm_weights\": {\"domU1\": 100, \"domU2\": 100, \"domU3\": 200},\n"
			printf "  \"hostile_vm\": \"domU1\", \"hostile_target_share\": %s,\n", tgt
			printf "  \"caps\": {\"max_guest_groups\": %d, \"max_queues\": %d, \"pages_per_vbd\": %d},\n", cg, qc, pc
			printf "  \"slice_idle_us\": %d,\n", si
			printf "  \"hostile_scenarios\": [\n" }
		$1 == "mode" {
			printf "%s    {\"mode\": \"%s\"", n++ ? ",\n" : "", $2
			for (i = 3; i <= NF; i++) { split($i, kv, "="); printf ", \"%s\": %s", kv[1], kv[2] }
			printf "}"
		}
		END { printf "\n  ]\n}\n" }' $STATE/modes.txt > "$RESULTS/hostile.json"
	cat "$RESULTS/hostile.json"
}

after_domus() {
	local m
	summarise
	check hostile-modes-seen modes_seen
	for m in $(awk '$1 == "mode" { print $2 }' $STATE/modes.txt); do
		check "hostile-effect-$m" mode_effect "$m"
	done
	check hostile-caps caps_held
	check hostile-share share_held
	check hostile-honest-guests-verified honest_ok
	write_json
	finish
}

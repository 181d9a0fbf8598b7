#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# real-records.sh - fairness-report records of one run of the real-workload
# Xen benchmark (tests/xen/real/, make bench-real), from what the lab
# brought back:
#
#   userspace/bench/real-records.sh [--skip SEC] [--run-extra "K=V ..."] DIR CONFIG MODE
#
# DIR is the lab's results directory of the run (dom0/, domU1/...), CONFIG
# the configuration's name in the records (NAME or NAME#K), MODE the dom0
# configuration (xot, nohook, bfq, none). Prints "run" and "entity"
# records (userspace/bench/fairness-report.c) on stdout.
#
# How the shares are measured, the same way in every configuration:
#
# Window. Each guest logs when its workloads started and when the first of
# them ended (domUi/window.txt, Xen's wall clock; a guest that the lab's
# time limit stopped first: its last sample, and cut_short= names it). The
# window is the seconds in which every guest's workloads ran, less SKIP s
# (default 5) at each end. dom0's blktrace has a clock of its own: a marker read by dd at
# the end of the run (dom0/markers.txt: wall clock before and after it)
# places it on the wall clock (its completion = the wall clock after dd,
# to within the time dd took, which is reported as marker_ms); the marker
# at the start checks it (marker_check_ms: how far the start marker's
# completion falls outside its own before/after interval).
#
# VM level, from dom0's trace of the physical device (exact): the device
# serves one request at a time (hw_queue_depth=1), so a request's device
# time is its dispatch (D) to its completion (C). A request whose
# completion falls in the window counts for the VM whose dm-linear volume
# holds its sector (dom0/dmsetup-table.txt). A cache flush has no sector:
# it counts for the VMs whose volumes remapped an empty flush (an A record
# naming the dm device, dom0/dmsetup-ls.txt) since the previous device
# flush was dispatched, in equal parts (blk-flush serves every flush that
# waits with one); one that no VM asked for counts as unattributed.
# Shares by device time (the entity's IOPS field holds device ms per
# second of window) and by requests (requests=, --share-from requests).
#
# Flush and FUA: per VM, from the trace of its dm volume (what blkback
# submitted for the guest), the bytes of the bios with a cache flush
# (PREFLUSH) or FUA and data (flush_path_bytes; blkback turns a guest's
# FUA write into a flush with data, and dm sends the data after an empty
# flush), and the empty flushes (guest_flushes); from the physical device,
# the flushes it served for the VM (device_flushes, device_flush_ms) and
# the bytes written with FUA (device_fua_bytes).
#
# Guest cgroup and process levels: the VM's measured device time and
# requests divided by what the guest saw over the same window, from its
# once-a-second samples (domUi/samples.txt): each cgroup's share of the
# requests its workload cgroups caused, estimated from the io.stat deltas
# as reads and discards one request per bio, writes max(write bios,
# written bytes / the VM's mean write request on the device), since a
# large writeback bio reaches the device as several requests; in a cgroup
# with several processes, a sampled process gets the cgroup's reads in
# proportion of its read_bytes to the cgroup's rbytes and its writes in
# proportion of its write_bytes (bytes it dirtied) to the cgroup's wbytes
# (/proc/PID/io), and the last process listed (a loop of short-lived
# processes: tar, fstrim) gets the rest. I/O of the guest's root cgroup
# (the ext4 journal, jbd2) is in the VM's share but in none of its
# cgroups': guest_root_frac_est estimates its part of the VM's data
# requests (1 - the workload cgroups' estimate over them). For xot, dom0's tree
# (dom0/trees.txt) gives its own count per guest cgroup as a cross-check
# (xot_rqs=; the VM's root guest cgroup: xot_root_rqs=).
#
# Exit status: 0 done, 1 the run's data are missing or unusable (a message
# says which), 2 usage error.
set -uo pipefail

SKIP=5
RUN_EXTRA=

usage() { sed -n '5,14p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case $1 in
	--skip) SKIP=${2:?--skip needs a value}; shift ;;
	--run-extra) RUN_EXTRA=${2?}; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) echo "real-records: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
[ $# = 3 ] || { echo "real-records: usage: real-records.sh [--skip SEC] [--run-extra \"K=V ...\"] DIR CONFIG MODE" >&2; exit 2; }
D=$1 CONFIG=$2 MODE=$3
[[ $SKIP =~ ^[0-9]+$ ]] || { echo "real-records: --skip must be a number of seconds" >&2; exit 2; }

die() { echo "real-records: $D: $*" >&2; exit 1; }

for f in dom0/markers.txt dom0/dmsetup-table.txt dom0/dmsetup-ls.txt; do
	[ -s "$D/$f" ] || die "no $f"
done
ls "$D"/dom0/trace/*.blktrace.* >/dev/null 2>&1 || die "no blktrace files in dom0/trace/"
VMS=$(cd "$D" && ls -d domU* 2>/dev/null | sort -V | tr '\n' ' ')
for vm in $VMS; do
	for f in window.txt samples.txt cgroups.txt; do
		[ -s "$D/$vm/$f" ] || die "no $vm/$f"
	done
done

# blkparse once per run (kept beside the traces)
TXT=$D/dom0/trace.txt
if [ ! -s "$TXT" ] || [ "$TXT" -ot "$D/dom0/markers.txt" ]; then
	inputs=$(cd "$D/dom0/trace" && ls *.blktrace.* | sed 's/\.blktrace\.[0-9]*$//' | sort -u)
	# shellcheck disable=SC2046 # one -i per device
	blkparse -q -D "$D/dom0/trace" $(printf -- '-i %s ' $inputs) -o "$TXT.tmp" >/dev/null 2>&1 ||
		die "blkparse failed"
	mv "$TXT.tmp" "$TXT"
fi

# the window on the wall clock: "LO HI", the seconds every guest's workloads
# ran; a guest stopped by the lab's time limit before its first workload
# ended has no "end": its last sample ends its span (CUT lists them)
CUT=
for vm in $VMS; do
	grep -q '^start ' "$D/$vm/window.txt" || die "$vm never started its workloads (window.txt)"
	grep -q '^end ' "$D/$vm/window.txt" || CUT="$CUT${CUT:+,}$vm"
done
read -r LO HI < <(for vm in $VMS; do
	awk -v last="$(tail -n 1 "$D/$vm/samples.txt" | cut -d' ' -f1)" '
		$1 == "start" { a = $2 } $1 == "end" { b = $2 }
		END { print a, (b ? b : last) }' "$D/$vm/window.txt"
done | awk -v s="$SKIP" '
	$1 > lo { lo = $1 }
	!hi || $2 < hi { hi = $2 }
	END { if (hi - s > lo + s) printf "%.6f %.6f\n", lo + s, hi - s }')
[ -n "${HI:-}" ] || die "the guests' workloads never ran all at once (window.txt)"

# Per VM, from the trace, over trace times LO..HI (the trace clock is the
# wall clock less OFF): one line "run K=V...", then "vm NAME K=V..."
measure() { # lo hi off
	awk -v lo="$1" -v hi="$2" -v off="$3" -v vms="$VMS" '
	function vm_of_sector(s,   i) {
		for (i = 1; i <= nv; i++)
			if (s >= start[i] && s < start[i] + len[i])
				return i
		return 0
	}
	# dmsetup table: "xot-domU1: 0 524288 linear 251:0 0"
	FILENAME ~ /dmsetup-table/ {
		name = $1; sub(/:$/, "", name); sub(/^xot-/, "", name)
		i = idx[name]; if (!i) next
		split($5, mm, ":"); phys = mm[1] "," mm[2]
		start[i] = $6; len[i] = $3
		next }
	# dmsetup ls: "xot-domU1	(254:0)" or "(254, 0)"
	FILENAME ~ /dmsetup-ls/ {
		name = $1; sub(/^xot-/, "", name)
		i = idx[name]; if (!i) next
		s = $0; sub(/^[^(]*\(/, "", s); sub(/\).*/, "", s); gsub(/ /, "", s); sub(/:/, ",", s)
		dmdev[s] = i
		next }
	# markers: "NAME SECTOR EPOCH_BEFORE EPOCH_AFTER"
	FILENAME ~ /markers/ { msec[$1] = $2; mbefore[$1] = $3; mafter[$1] = $4; next }
	# blkparse: DEV CPU SEQ TIME PID ACTION RWBS [SECTOR + N | [proc]] ...
	FILENAME ~ /trace.txt/ {
		if ($4 !~ /^[0-9]+\.[0-9]+$/) next
		t = $4; a = $6; rw = $7
		hassec = ($9 == "+")
		sec = hassec ? $8 + 0 : -1; n = hassec ? $10 + 0 : 0
		if ($1 == phys) {
			# the markers: dd (dom0) reads one block; not a guest request
			if (a == "Q" && $NF == "[dd]") { for (m in msec) if (sec == msec[m]) qdd[sec] = m; next }
			if (a == "A" && $11 == "<-") {
				s = $12; gsub(/[()]/, "", s)
				v = dmdev[s]
				if (v && substr(rw, 1, 1) == "F") pend[v] = 1
				next }
			if (a == "D") {
				if (rw ~ /^[^ ]*N$/ || (substr(rw, 1, 1) == "F" && n == 0)) {
					fl_d = t; fl_n = 0
					for (v = 1; v <= nv; v++) if (pend[v]) { fl_v[++fl_n] = v; pend[v] = 0 }
					next }
				dt[sec] = t; dproc[sec] = $NF
				next }
			if (a == "C") {
				if (!hassec || n == 0) {
					# a flush (no sector)
					if (fl_d == "") next
					d = t - fl_d; fl_dd = fl_d; fl_d = ""
					if (t < lo || t > hi) next
					busy += d
					if (!fl_n) { un_rq++; un_ms += d * 1000; next }
					for (k = 1; k <= fl_n; k++) {
						v = fl_v[k]
						rq[v] += 1 / fl_n; ms[v] += d * 1000 / fl_n
						frq[v] += 1 / fl_n; fms[v] += d * 1000 / fl_n
					}
					next }
				if (!(sec in dt)) next
				d = t - dt[sec]; delete dt[sec]
				if (sec in qdd) { mct[qdd[sec]] = t; delete qdd[sec]; next }
				if (t < lo || t > hi) next
				v = vm_of_sector(sec)
				busy += d
				if (!v) { un_rq++; un_ms += d * 1000; next }
				rq[v]++; ms[v] += d * 1000
				if (rw ~ /D/) { drq[v]++; dby[v] += n * 512 }
				else if (rw ~ /W/) { wrq[v]++; wby[v] += n * 512 }
				else { rrq[v]++; rby[v] += n * 512 }
				if (rw ~ /W.*F|^F.*W/) fua[v] += n * 512
				next }
			next }
		v = dmdev[$1]
		if (v && a == "Q" && t >= lo && t <= hi) {
			if (rw ~ /^F/ && n == 0) gfl[v]++
			else if (rw ~ /^F|W[^ ]*F/) fpb[v] += n * 512
			qn[v]++
		}
		next }
	BEGIN {
		nv = split(vms, vname, " ")
		for (i = 1; i <= nv; i++) idx[vname[i]] = i
		fl_d = ""
	}
	END {
		# the trace clock on the wall clock, from the end marker
		if (!("end" in mct)) { print "error no completion of the end marker in the trace"; exit }
		printf "run marker_ms=%.0f", (mafter["end"] - mbefore["end"]) * 1000
		# the start marker may precede the trace (blktrace still setting up)
		c = mct["start"] + off
		e = c < mbefore["start"] ? mbefore["start"] - c : (c > mafter["start"] ? c - mafter["start"] : 0)
		if ("start" in mct)
			printf " marker_check_ms=%.0f", e * 1000
		printf " busy_s=%.3f unattributed_requests=%.2f unattributed_ms=%.1f\n", busy, un_rq, un_ms
		for (i = 1; i <= nv; i++)
			printf "vm %s requests=%.2f device_ms=%.1f read_requests=%d write_requests=%d discard_requests=%d device_flushes=%.2f device_flush_ms=%.1f read_bytes=%d write_bytes=%d discard_bytes=%d device_fua_bytes=%d flush_path_bytes=%d guest_flushes=%d\n",
				vname[i], rq[i], ms[i], rrq[i], wrq[i], drq[i], frq[i], fms[i], rby[i], wby[i], dby[i], fua[i], fpb[i], gfl[i]
	}' "$D/dom0/dmsetup-table.txt" "$D/dom0/dmsetup-ls.txt" "$D/dom0/markers.txt" "$TXT"
}

# The window is on the wall clock; the trace's clock is found from the
# markers: a first pass for the offset, then the measurement in trace time.
PHYS=$(awk 'NR == 1 { split($5, mm, ":"); print mm[1] "," mm[2] }' "$D/dom0/dmsetup-table.txt")
OFF=$(awk -v phys="$PHYS" '
	FILENAME ~ /markers/ { msec[$1] = $2; after[$1] = $4; next }
	$1 != phys || $4 !~ /^[0-9]+\.[0-9]+$/ || $9 != "+" { next }
	$6 == "Q" && $NF == "[dd]" { for (m in msec) if ($8 == msec[m]) dd[$8] = m }
	$6 == "C" && ($8 in dd) { ct[dd[$8]] = $4; delete dd[$8] }
	END { if ("end" in ct) printf "%.6f\n", after["end"] - ct["end"] }' "$D/dom0/markers.txt" "$TXT")
[ -n "$OFF" ] || die "the end marker (dd) is not in the trace"
TLO=$(awk -v a="$LO" -v o="$OFF" 'BEGIN { printf "%.6f", a - o }')
THI=$(awk -v a="$HI" -v o="$OFF" 'BEGIN { printf "%.6f", a - o }')
MEAS=$(measure "$TLO" "$THI" "$OFF") || die "measuring the trace failed"
case $MEAS in error*) die "${MEAS#error }" ;; esac

# The guest's deltas over the window: "cg NAME K=V..." and "proc NAME K=V..."
# (the last sample at or before LO, the first at or after HI; the nearest
# if the samples do not reach that far)
guest_deltas() { # vm
	awk -v lo="$LO" -v hi="$HI" '
	{ key = $2 " " $3
	  if ($1 <= lo || !(key in a)) { a[key] = $0; at[key] = $1 }
	  if (!(key in b) || b_at[key] < hi) { b[key] = $0; b_at[key] = $1 } }
	function kv(line, arr,   f, i, n, p) {
		delete arr; n = split(line, f, " ")
		for (i = 4; i <= n; i++) { split(f[i], p, "="); arr[p[1]] = p[2] + 0 }
	}
	END {
		for (k in a) {
			kv(a[k], x); kv(b[k], y)
			printf "%s", k
			for (f in y) printf " %s=%d", f, y[f] - x[f]
			printf " from=%.1f to=%.1f\n", at[k], b_at[k]
		}
	}' "$D/$1/samples.txt"
}

# The dom0-measured value of VM $1's key $2
vmval() { echo "$MEAS" | awk -v v="$1" -v k="$2" '$1 == "vm" && $2 == v {
	for (i = 3; i <= NF; i++) { split($i, p, "="); if (p[1] == k) print p[2] } }'; }
vmw() { echo "${BENCH_VM_WEIGHTS:-domU1=100,domU2=100,domU3=200}" | tr ',' '\n' | sed -n "s/^$1=//p"; }
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# xot's own count of a guest cgroup's requests over the window, from the
# tree samples (dom0/trees.txt, every 10 s: the samples nearest the ends)
xot_rqs() { # vm cgroup-id
	local domid
	[ -s "$D/dom0/trees.txt" ] || return 0
	domid=$(awk -v n="$1" '$1 == n { print $2 }' "$D/dom0/xl-list.txt" 2>/dev/null)
	[ -n "$domid" ] || return 0
	awk -v lo="$LO" -v hi="$HI" -v id="$2" -v domid="$domid" '
	$1 == "tree-at" { t = $2; next }
	$1 == "vm" { vm = $2; next }
	$1 == "group" { vm = ""; next }
	$1 == "guest-cgroup" && $2 == id && vm == domid { for (i = 3; i <= NF; i++) if ($i ~ /^rqs=/) { v = substr($i, 5) + 0 }
		if (t <= lo || a == "") { a = v; at = t }
		if (b == "" || bt < hi) { b = v; bt = t } }
	END { if (a != "" && bt > at) printf "%d\n", b - a }' "$D/dom0/trees.txt"
}

run_line=$(echo "$MEAS" | sed -n 's/^run //p')
# Jain's index of the VMs' achieved/target shares, by device time and by
# requests (fairness-report's own is over the leaves)
jain_vm=$(for vm in $VMS; do echo "$vm $(vmw "$vm") $(vmval "$vm" device_ms) $(vmval "$vm" requests)"; done | awk '
	{ w[NR] = $2; t[NR] = $3; r[NR] = $4; W += $2; T += $3; R += $4 }
	END { for (i = 1; i <= NR; i++) {
		x = T ? (t[i] / T) / (w[i] / W) : 0; y = R ? (r[i] / R) / (w[i] / W) : 0
		sx += x; sxx += x * x; sy += y; syy += y * y }
	      printf "jain_vm=%.4f jain_vm_requests=%.4f", sxx ? sx * sx / (NR * sxx) : 0, syy ? sy * sy / (NR * syy) : 0 }')
echo "run xen-real dm-nullb $CONFIG $MODE window_s=$(awk -v a="$LO" -v b="$HI" 'BEGIN { printf "%.1f", b - a }') $run_line $jain_vm${CUT:+ cut_short=$CUT}${RUN_EXTRA:+ $RUN_EXTRA}"
for vm in $VMS; do
	total_ms=$(vmval "$vm" device_ms)
	total_rq=$(vmval "$vm" requests)
	deltas=$(guest_deltas "$vm")
	# the VM's own line: everything measured in dom0
	extras=$(echo "$MEAS" | awk -v v="$vm" '$1 == "vm" && $2 == v { $1 = ""; $2 = ""; print }')
	# a guest bio becomes one device request or more: a cgroup's writes
	# are max(its write bios, its written bytes over the VM's mean
	# device write), its reads and discards one request per bio
	wsz=$(awk -v b="$(vmval "$vm" write_bytes)" -v n="$(vmval "$vm" write_requests)" \
		'BEGIN { printf "%.0f", (n > 0 ? b / n : 4096) }')
	est_sum=$(echo "$deltas" | awk -v s="$wsz" '$1 == "cg" {
		delete f; for (i = 3; i <= NF; i++) { split($i, p, "="); f[p[1]] = p[2] }
		w = f["wbytes"] / s; if (w < f["wios"]) w = f["wios"]
		e += f["rios"] + f["dios"] + w } END { printf "%.0f", e }')
	disk_rqs=$(field "$(echo "$deltas" | grep '^disk ')" rqs)
	root_frac=$(awk -v c="$est_sum" -v d="$(vmval "$vm" read_requests) $(vmval "$vm" write_requests) $(vmval "$vm" discard_requests)" \
		'BEGIN { split(d, x, " "); t = x[1] + x[2] + x[3]; f = t > 0 ? 1 - c / t : 0; printf "%.3f", f < 0 ? 0 : f }')
	# xot's count of the VM's guest root cgroup (id 1: the journal)
	xr1=$(xot_rqs "$vm" 1)
	echo "entity xen-real dm-nullb $CONFIG $vm - $(vmw "$vm") -$extras guest_workload_requests_est=$est_sum guest_disk_requests=${disk_rqs:-0} guest_root_frac_est=$root_frac${xr1:+ xot_root_rqs=$xr1}"
	while read -r cg w id procs; do
		cgl=$(echo "$deltas" | grep "^cg $cg ")
		rios=$(field "$cgl" rios) wios=$(field "$cgl" wios) dios=$(field "$cgl" dios)
		rb=$(field "$cgl" rbytes) wb=$(field "$cgl" wbytes)
		west=$(awk -v n="${wios:-0}" -v b="${wb:-0}" -v s="$wsz" 'BEGIN { w = b / s; printf "%.0f", w < n ? n : w }')
		est=$((${rios:-0} + ${dios:-0} + west))
		xr=$(xot_rqs "$vm" "$id")
		echo "entity xen-real dm-nullb $CONFIG $vm/$cg $vm $w - guest_requests_est=$est guest_bios=$((${rios:-0} + ${wios:-0} + ${dios:-0})) guest_rbytes=${rb:-0} guest_wbytes=${wb:-0} guest_dbytes=$(field "$cgl" dbytes)${xr:+ xot_rqs=$xr}"
		# each process's part of the cgroup's requests
		set -- $procs
		left=$est
		for p; do
			if [ "$p" = "${!#}" ] && [ $# -gt 1 ]; then
				pi=$left
			elif [ $# = 1 ]; then
				pi=$est
			else
				pl=$(echo "$deltas" | grep "^proc $p ")
				pi=$(awk -v r="${rios:-0}" -v w="$west" -v rb="${rb:-0}" -v wb="${wb:-0}" \
					-v prb="$(field "$pl" read_bytes)" -v pwb="$(field "$pl" write_bytes)" 'BEGIN {
					x = (rb > 0 ? r * (prb + 0) / rb : 0) + (wb > 0 ? w * ((pwb + 0) / wb > 1 ? 1 : (pwb + 0) / wb) : 0)
					printf "%.0f", x }')
				left=$((left - pi))
				[ $left -ge 0 ] || left=0
			fi
			awk -v c="$CONFIG" -v vm="$vm" -v cg="$cg" -v p="$p" -v pi="$pi" -v est="$est" \
				-v sum="$est_sum" -v ms="$total_ms" -v rq="$total_rq" -v win="$(awk -v a="$LO" -v b="$HI" 'BEGIN { print b - a }')" 'BEGIN {
				f = sum > 0 ? est / sum : 0
				g = est > 0 ? pi / est : 0
				printf "entity xen-real dm-nullb %s %s/%s/%s %s/%s 100 %.3f requests=%.1f device_ms=%.1f guest_requests_est=%d\n",
					c, vm, cg, p, vm, cg, ms * f * g / win, rq * f * g, ms * f * g, pi }'
		done
	done <"$D/$vm/cgroups.txt"
done

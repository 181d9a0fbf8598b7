# SPDX-License-Identifier: GPL-2.0
#
# guest.sh - helpers for lab scenarios; sourced (bash) inside the lab guest:
#
#   . "${XOT_LIB:-/tests/lib}/guest.sh"
#
# Results protocol (read by the host lab from the console):
#   XOT-PASS NAME (T s)          a check passed
#   XOT-FAIL NAME: REASON        a check failed (its output tail follows)
#   XOT-SKIP NAME: REASON        a check was not run, and why
#   XOT-SUMMARY pass=P fail=F skip=S
#
# Environment from the lab /init: RESULTS (directory brought back to the host),
# XOT_SCENARIO, XOT_SCENARIO_ARGS, XOT_TEST_DISK (blank virtio disk, /dev/vda).
#
#   log MSG...                     timestamped progress line
#   check NAME CMD...              run a check, record pass/fail
#   skip NAME REASON...            record an explicit skip
#   finish                         summary; exit 1 if any check failed
#   load_xot                       modprobe xot-iosched (project module)
#   have_module NAME               is NAME.ko in the image (stock or project)?
#   nullb_create NAME key=val...   null_blk device via configfs; prints /dev/nullbN
#   nullb_destroy NAME
#   sched_set DEV SCHED            select the I/O scheduler of /dev/DEV
#   fio_verify NAME FIO-ARGS...    fio run that must exit 0 with no verify errors
#   wait_idle DEV                  wait until DEV has no requests in flight

RESULTS=${RESULTS:-/results}
mkdir -p "$RESULTS/checks"

_G_PASS=0
_G_FAIL=0
_G_SKIP=0
_G_FAILED=

_g_up() { cut -d' ' -f1 /proc/uptime; }

log() { echo "[lab $(_g_up)] $*"; }

# check NAME CMD...: run CMD (a command or a shell function) with its output in
# $RESULTS/checks/NAME.log. CMD runs in a subshell with errexit on, so any
# failing command inside a check function fails the check (bash ignores -e
# inside `if`, hence the background job + wait). On failure the reason (exit
# code) and the last lines of the output are printed.
check() {
	local name=$1 t0 t1 rc=0 out
	shift
	out=$RESULTS/checks/$name.log
	log "RUN $name"
	t0=$(_g_up)
	(
		set -e
		"$@"
	) >"$out" 2>&1 </dev/null &
	wait $! || rc=$?
	t1=$(_g_up)
	if [ $rc -eq 0 ]; then
		_G_PASS=$((_G_PASS + 1))
		echo "XOT-PASS $name ($(_g_secs "$t0" "$t1") s)"
	else
		_G_FAIL=$((_G_FAIL + 1))
		_G_FAILED="$_G_FAILED $name"
		echo "XOT-FAIL $name: exit code $rc after $(_g_secs "$t0" "$t1") s; last output lines:"
		tail -n 15 "$out" | sed 's/^/    | /'
	fi
	return 0
}

skip() {
	local name=$1
	shift
	_G_SKIP=$((_G_SKIP + 1))
	echo "XOT-SKIP $name: $*"
}

finish() {
	echo "XOT-SUMMARY pass=$_G_PASS fail=$_G_FAIL skip=$_G_SKIP${_G_FAILED:+ failed:$_G_FAILED}"
	[ "$_G_FAIL" -eq 0 ] || exit 1
	exit 0
}

_g_secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# err MSG: message for a check's log, then fail (use: cond || err "...")
err() {
	echo "ERROR: $*" >&2
	return 1
}

have_module() { modinfo "$1" >/dev/null 2>&1; }

# load_xot: load the XoT elevator built by `make modules`.
load_xot() {
	have_module xot-iosched || err "xot-iosched.ko is not in the image (run make modules on the host)" || return 1
	modprobe xot-iosched || err "modprobe xot-iosched failed" || return 1
	grep -qw xot /sys/block/*/queue/scheduler 2>/dev/null ||
		[ -z "$(ls /sys/block)" ] || err "xot not offered by any queue after loading" || return 1
}

# nullb_create NAME key=val...: configure and power on a null_blk device
# through configfs; prints its /dev path. Useful keys (see null_blk docs):
# size (MB), blocksize, memory_backed=1 (needed to keep data: fio verify),
# irqmode (0 none, 1 softirq, 2 timer) with completion_nsec, hw_queue_depth,
# submit_queues, mbps (bandwidth limit). null_blk is loaded with
# nr_devices=0 so that only configfs devices exist.
nullb_create() {
	local name=$1 d kv key dev i=0
	shift
	if [ ! -d /sys/module/null_blk ]; then
		modprobe null_blk nr_devices=0 || err "modprobe null_blk failed" || return 1
	fi
	d=/sys/kernel/config/nullb/$name
	mkdir "$d" || err "cannot create $d" || return 1
	for kv in "$@"; do
		key=${kv%%=*}
		[ -e "$d/$key" ] || err "null_blk has no setting '$key'" || return 1
		echo "${kv#*=}" >"$d/$key" || err "null_blk: cannot set $kv" || return 1
	done
	echo 1 >"$d/power" || err "null_blk: cannot power on $name" || return 1
	# Linux >= 5.x names the disk after the configfs item; older kernels
	# used nullb<index>
	dev=/dev/$name
	[ -d "/sys/block/$name" ] || dev=/dev/nullb$(cat "$d/index")
	while [ ! -b "$dev" ]; do
		i=$((i + 1))
		[ $i -lt 50 ] || err "$dev did not appear" || return 1
		sleep 0.1
	done
	echo "$dev"
}

nullb_destroy() {
	local d=/sys/kernel/config/nullb/$1
	[ -d "$d" ] || return 0
	echo 0 >"$d/power" && rmdir "$d"
}

# sched_set DEV SCHED: DEV is a name (vda) or path (/dev/vda).
sched_set() {
	local f=/sys/block/${1#/dev/}/queue/scheduler
	echo "$2" >"$f" || err "cannot select '$2' for $1 (offered: $(cat "$f"))" || return 1
	grep -q "\[$2\]" "$f" || err "$1: '$2' not active after selecting it: $(cat "$f")"
}

sched_get() { sed -n 's/.*\[\(.*\)\].*/\1/p' "/sys/block/${1#/dev/}/queue/scheduler"; }

# fio_verify NAME FIO-ARGS...: run fio (output in $RESULTS/fio-NAME.txt and on
# stdout) and fail unless it exits 0, every job reports err=0 and no verify
# error is printed.
fio_verify() {
	local name=$1 out rc=0
	shift
	out=$RESULTS/fio-$name.txt
	fio --name="$name" "$@" >"$out" 2>&1 || rc=$?
	cat "$out"
	[ $rc -eq 0 ] || err "fio exited with $rc" || return 1
	grep -q 'err= 0' "$out" || err "fio printed no job status" || return 1
	! grep -Eq 'err= *[1-9]' "$out" || err "a fio job reported an error" || return 1
	! grep -Eiq 'verify.*(fail|bad)|bad (magic|header)|crc32c.*mismatch' "$out" ||
		err "fio reported verify errors" || return 1
}

# wait_idle DEV [SEC]: requests in flight on DEV (/sys/block/DEV/inflight,
# reads and writes, and field 9 of /sys/block/DEV/stat) must drop to 0:
# a request lost inside an elevator keeps them above zero forever.
wait_idle() {
	local b=/sys/block/${1#/dev/} i=0 n=$((${2:-10} * 10))
	while [ "$(echo $(cat "$b/inflight")) $(awk '{ print $9 }' "$b/stat")" != "0 0 0" ]; do
		i=$((i + 1))
		[ $i -lt $n ] || err "$1 still has requests in flight: inflight $(cat "$b/inflight"), stat in_flight $(awk '{ print $9 }' "$b/stat")" || return 1
		sleep 0.1
	done
}

# dump_blocked: tasks in uninterruptible sleep (D) and their kernel stacks;
# what to look at when I/O hangs.
dump_blocked() {
	local p st
	for p in /proc/[0-9]*; do
		st=$(awk '/^State:/ { print $2 }' "$p/status" 2>/dev/null) || continue
		[ "$st" = D ] || continue
		echo "blocked: pid ${p#/proc/} ($(cat "$p/comm" 2>/dev/null))"
		sed 's/^/    /' "$p/stack" 2>/dev/null
	done
}

# fio_while_switching DEV MAXSEC "SCHED..." FIO-ARGS...: fio_verify on DEV
# while its scheduler is switched round SCHED... (every 0.3 s, ending on the
# first one). Fails if fio or a switch is not done after MAXSEC seconds (a
# hang: I/O lost in an elevator blocks the switch and fio forever), if fio
# fails, or if requests are still in flight at the end.
fio_while_switching() {
	local dev=$1 max=$2 scheds=$3 fpid spid t0 rc=0 tmp
	shift 3
	tmp=$(mktemp -d)
	fio_verify "switch-${dev##*/}" --filename="$dev" "$@" >"$tmp/fio.out" 2>&1 &
	fpid=$!
	(
		n=0
		while kill -0 $fpid 2>/dev/null; do
			for s in $scheds; do
				kill -0 $fpid 2>/dev/null || break
				echo "$s" >"$tmp/current"
				sched_set "$dev" "$s" || exit 1
				n=$((n + 1))
				echo $n >"$tmp/switches"
				sleep 0.3
			done
		done
		sched_set "$dev" "${scheds%% *}"
	) &
	spid=$!
	t0=$SECONDS
	while kill -0 $fpid 2>/dev/null || kill -0 $spid 2>/dev/null; do
		if [ $((SECONDS - t0)) -ge "$max" ]; then
			cat "$tmp/fio.out"
			echo "HANG: still running after ${max}s (fio alive: $(kill -0 $fpid 2>/dev/null && echo yes || echo no)," \
				"last switch to: $(cat "$tmp/current" 2>/dev/null), inflight: $(cat /sys/block/${dev#/dev/}/inflight))"
			dump_blocked
			return 1
		fi
		sleep 0.5
	done
	wait $fpid || rc=$?
	cat "$tmp/fio.out"
	echo "scheduler switches during fio: $(cat "$tmp/switches" 2>/dev/null || echo 0) in $((SECONDS - t0)) s"
	wait $spid || err "a scheduler switch failed" || return 1
	[ $rc -eq 0 ] || err "fio under scheduler switching failed" || return 1
	wait_idle "$dev"
	rm -rf "$tmp"
}

# dom0 only: keep_hook_views SNAPSHOT DIR [DEVID]: from one read of
# xot-blkback's vbds file, write each domain's own lines to
# DIR/vbds-last-DOMID.txt, but only while that domain's channel is up: on
# vbd DEVID, or (no DEVID) on all its vbds. Domains power off at different
# times and their vbds go one by one, so a check that wants a domain's
# channel as it last ran reads its own file, not the file's last copy.
keep_hook_views() {
	awk -v dir="$2" -v dev="${3:-}" '
		$1 ~ /^[0-9]+$/ { d = $1; seen[d] = 1
			if ((dev == "" || $3 == dev) && $5 != "up") down[d] = 1
			if (dev != "" && $3 == dev) has[d] = 1 }
		{ if (d != "") blk[d] = blk[d] $0 "\n" }
		END { for (d in seen) if (!(d in down) && (dev == "" || (d in has))) {
			f = dir "/vbds-last-" d ".txt"; printf "%s", blk[d] > f } }' "$1"
}

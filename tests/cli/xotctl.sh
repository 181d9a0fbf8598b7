#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xotctl on fake /sys, /proc and /etc trees (XOTCTL_ROOT): the status table
# and JSON, VM weights round trip with the modprobe.d file, cgroup weights,
# and every error path with its exit status. Runs the ASan/UBSan build
# (build/tests/xotctl-san, `make user`); XOTCTL=path overrides it.
# Prints PASS/FAIL per check and "N passed, N failed".
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
X=${XOTCTL:-$TOP/build/tests/xotctl-san}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
chmod 755 "$TMP"
passed=0
failed=0
export ASAN_OPTIONS=detect_leaks=1
export XOTCTL_XENSTORE_READ=$TMP/bin/xenstore-read

if [ ! -x "$X" ]; then
	echo "FAIL xotctl/binary: $X not built (make user)"
	echo "0 passed, 1 failed"
	exit 1
fi

ok() { echo "PASS xotctl/$1"; passed=$((passed + 1)); }
ko() { echo "FAIL xotctl/$1${2:+: $2}"; failed=$((failed + 1)); }

# expect NAME STATUS REGEX CMD... : CMD exits with STATUS and its combined
# output matches REGEX (newlines read as blanks).
expect() {
	local name=$1 want=$2 re=$3 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ "$want" = "$rc" ]; then
		if tr "\n" " " <<<"$out" | grep -qE -- "$re"; then
			ok "$name"
			return
		fi
		ko "$name" "output does not match /$re/:"
	else
		ko "$name" "exit $rc, wanted $want:"
	fi
	sed 's/^/    /' <<<"$out" | tail -12
}

# file_is NAME FILE REGEX: the file's content (newlines as blanks) matches
file_is() {
	if [ -f "$2" ] && tr "\n" " " <"$2" | grep -qE -- "$3"; then
		ok "$1"
	else
		ko "$1" "$2 does not match /$3/:"
		sed 's/^/    /' "$2" 2>/dev/null | head -8
	fi
}

# pycheck NAME FILE EXPR: python3 expression over j = json.load(FILE) is true
pycheck() {
	local out
	if out=$(python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($3) else 1)" "$2" 2>&1); then
		ok "$1"
	else
		ko "$1" "not true: $3 ${out:+($out)}"
	fi
}

xs() { XOTCTL_ROOT=$R "$X" "$@"; }

# ------------------------------------------------------------ fake dom0
tree_a() {
	cat <<'EOF'
group / w=100 vt=0 vclock=0 active_children=1 queues=1
  shared tgid=0 w=100 vt=0 queued=0 refs=0
  process tgid=900 w=100 vt=5 queued=0 refs=1
  vm 1 w=200 vt=1 vclock=1 active_children=1 queues=0 refs=0 rqs=10 active
    shared tgid=0 w=100 queued=0
    guest-cgroup 4242 w=800 vt=1 vclock=1 active_children=1 queues=1 refs=1 rqs=100 active
      shared tgid=0 w=100 queued=0
      process tgid=77 w=100 queued=3 refs=1 rqs=60
    guest-cgroup 4243 w=200 vt=1 vclock=1 active_children=0 queues=0 refs=0 rqs=50
      shared tgid=0 w=100 queued=0
  vm 2 w=100 vt=1 vclock=1 active_children=0 queues=0 refs=0 rqs=20
    shared tgid=0 w=100 queued=0
group /gold w=800 vt=0 vclock=0 active_children=0 queues=0 active
  shared tgid=0 w=100 vt=0 queued=2 refs=1 rqs=0 active
EOF
}

make_dom0() { # DIR
	local r=$1 t
	rm -rf "$r"
	mkdir -p "$r"/sys/block/{sda,sdb}/queue/iosched "$r"/sys/kernel/debug/block/sdb/sched \
		"$r"/proc/xen "$r"/sys/module/xot_blkback/parameters "$r"/sys/module/xot_iosched \
		"$r"/sys/kernel/debug/xot-blkback "$r"/sys/fs/cgroup/gold "$r"/sys/fs/cgroup/plain \
		"$r"/etc/modprobe.d
	echo "mq-deadline kyber bfq [xot] none" >"$r"/sys/block/sdb/queue/scheduler
	echo "[mq-deadline] none" >"$r"/sys/block/sda/queue/scheduler
	echo 8:16 >"$r"/sys/block/sdb/dev
	echo 8:0 >"$r"/sys/block/sda/dev
	echo 256 >"$r"/sys/block/sdb/queue/nr_requests
	for t in front_merges:1 max_inflight:0 max_queues:1024 max_guest_groups:256; do
		echo "${t#*:}" >"$r/sys/block/sdb/queue/iosched/${t%:*}"
	done
	printf 'inserted 10\nmerged 0\ndispatched 9\nthrottled 0\nguest_fallbacks 0\nqueued 1\nactive_groups 1\ninflight 0\ncompleted 9\n' \
		>"$r"/sys/kernel/debug/block/sdb/sched/stats
	tree_a >"$r"/sys/kernel/debug/block/sdb/sched/tree
	echo control_d >"$r"/proc/xen/capabilities
	echo web=200 >"$r"/sys/module/xot_blkback/parameters/vm_weights
	cat >"$r"/sys/kernel/debug/xot-blkback/vbds <<'EOF'
domid vm devid vm_weight channel rings order ups errors
1 web 51712 200 up 1 0 1 0
  ring 0 next_seq 99 matched 90 continued 3 unmatched 2 dropped 0 rejected_weight 2 rejected_sequence 1
  offers 3 reads 2
  thread 0 bios 120
2 db 51712 100 down 0 0 0 1
  thread 0 bios 40
EOF
	echo "cpu io memory" >"$r"/sys/fs/cgroup/cgroup.controllers
	echo "8:16 rqs=100 bytes=409600 service_us=10 wait_us=10" >"$r"/sys/fs/cgroup/io.xot.stat
	echo "default 800" >"$r"/sys/fs/cgroup/gold/io.xot.weight
	echo "8:16 rqs=0 bytes=0 service_us=0 wait_us=0" >"$r"/sys/fs/cgroup/gold/io.xot.stat
}

mkdir -p "$TMP/bin"
cat >"$TMP/bin/xenstore-read" <<'EOS'
#!/bin/sh
case "$1" in
/local/domain/5/name) echo mail ;;
*) echo "xenstore-read: couldn't read path $1" >&2; exit 1 ;;
esac
EOS
chmod +x "$TMP/bin/xenstore-read"

R=$TMP/dom0
make_dom0 "$R"

# ---------------------------------------------------------------- usage
expect help 0 "Usage: xotctl COMMAND.*Exit status:.*3  not available here" "$X" --help
expect no-command 2 "Usage: xotctl" "$X"
expect unknown-command 2 "unknown command 'frob'" "$X" frob
expect status-help 0 "Usage: xotctl status.*--watch SEC.*Exit status" "$X" status --help
expect vm-help 0 "Usage: xotctl vm list.*--config FILE.*Exit status" "$X" vm --help
expect vm-set-weight-help 0 "Usage: xotctl vm" "$X" vm set-weight --help
expect group-help 0 "Usage: xotctl group get.*MAJ:MIN default.*Exit status" "$X" group --help
expect group-set-help 0 "Usage: xotctl group" "$X" group set-weight -h
expect status-bad-option 2 "unknown option '--bogus'" xs status --bogus
expect status-bad-interval 2 "bad --interval 'abc'" xs status --interval abc
expect status-negative-interval 2 "bad --interval '-1'" xs status --interval -1
expect status-bad-watch 2 "bad --watch '0'" xs status --watch 0
expect status-count-without-watch 2 "--count needs --watch" xs status --count 2
expect status-missing-value 2 "--interval needs a value" xs status --interval
expect vm-no-subcommand 2 "missing subcommand" xs vm
expect vm-unknown-subcommand 2 "unknown subcommand 'frob'" xs vm frob
expect vm-set-weight-missing-arg 2 "usage: xotctl vm set-weight" xs vm set-weight web
expect vm-list-extra-arg 2 "usage: xotctl vm list" xs vm list extra
expect vm-unknown-option 2 "unknown option '--bogus'" xs vm list --bogus
expect vm-config-missing-file 2 "--config needs a FILE" xs vm list --config
expect group-no-subcommand 2 "missing subcommand" xs group
expect group-unknown-subcommand 2 "unknown subcommand 'frob'" xs group frob x
expect group-get-missing-arg 2 "usage: xotctl group get" xs group get
expect group-set-missing-line 2 "usage: xotctl group set-weight" xs group set-weight gold

# --------------------------------------------------------------- status
expect status-table 0 "DEVICES ON XOT +sdb +8:16 +nr_requests=256 front_merges=1 max_guest_groups=256 max_inflight=0 max_queues=1024" \
	xs status --interval 0
out=$(xs status --interval 0 2>&1)
if grep -q "^  sda" <<<"$out"; then ko status-only-xot-devices "sda is not on xot"; else ok status-only-xot-devices; fi
expect status-stats 0 "stats: inserted=10,merged=0,dispatched=9" xs status --interval 0
expect status-channels 0 "XOT-BLKBACK: loaded \(dom0\).*vm_weights: web=200.*1 +web +200 +51712 +up +1 +1 +90 +3 +2 +3 +0 .*rejected: weight=2 sequence=1.*2 +db +100 +51712 +down +- .*no channel: 40 bios" \
	xs status --interval 0
expect status-tree 0 "dom0 cgroup / .*\(2 idle queues\) +dom0 cgroup /gold +800 +0 .* shared queue +100 +2 .*vm 1 \(web\) +200 .*guest cgroup id 4242 +800 .*process 77 +100 +3 +- .*vm 2 \(db\)" \
	xs status --interval 0
expect status-no-shares 0 "one snapshot only \(--interval 0\)" xs status --interval 0

xs status --interval 0 --json >"$TMP/s.json" 2>"$TMP/s.err"
if python3 -m json.tool "$TMP/s.json" >/dev/null 2>&1; then ok status-json-parses; else ko status-json-parses "$(head -c 300 "$TMP/s.json")"; fi
pycheck status-json-device "$TMP/s.json" "j['devices'][0]['name']=='sdb' and j['devices'][0]['dev']=='8:16' and len(j['devices'])==1"
pycheck status-json-tunables "$TMP/s.json" "j['devices'][0]['tunables']=={'nr_requests':256,'front_merges':1,'max_guest_groups':256,'max_inflight':0,'max_queues':1024}"
pycheck status-json-stats "$TMP/s.json" "j['devices'][0]['stats']['dispatched']==9"
pycheck status-json-vbds "$TMP/s.json" "[(v['vm'],v['channel'],v['version'],v['matched'],v['unmatched'],v['rejected'],v['rejected_by_reason']) for v in j['blkback']['vbds']]==[('web','up',1,90,2,3,{'weight':2,'sequence':1}),('db','down',None,0,0,0,{})]"
pycheck status-json-entities "$TMP/s.json" "[e['key'] for e in j['devices'][0]['entities']][:4]==['/','/|shared','/|p900','/|vm1'] and {e['key']:e['parent'] for e in j['devices'][0]['entities']}['/gold']=='/'"
pycheck status-json-vm-name "$TMP/s.json" "[e['vm'] for e in j['devices'][0]['entities'] if e['kind']=='vm']==['web','db']"
pycheck status-json-blkback "$TMP/s.json" "j['blkback']['dom0'] and j['blkback']['loaded'] and j['blkback']['vm_weights']=='web=200' and not j['tagger']['loaded']"

# Shares over an interval: the tree and io.xot.stat move on in the middle
# (vm1 +20 own, guest cgroups +400 and +100, vm2 +300, dom0 / +80, /gold +100;
# queues: process 77 +300 of its cgroup's 400, /gold's shared queue +100;
# dom0's process 900 prints no rqs=, as modules before 0.1.0 did: no share).
# (xotctl takes its first snapshot well before 1.5 s and its second at 3.5 s)
advance() {
	sleep 1.5
	tree_a | sed -e 's/rqs=10 /rqs=30 /; s/rqs=100 /rqs=500 /; s/rqs=50$/rqs=150/; s/rqs=20$/rqs=320/' \
		-e 's/rqs=60$/rqs=360/; s/rqs=0 active$/rqs=100 active/' \
		>"$R/sys/kernel/debug/block/sdb/sched/tree.new"
	mv "$R/sys/kernel/debug/block/sdb/sched/tree.new" "$R/sys/kernel/debug/block/sdb/sched/tree"
	echo "8:16 rqs=180 bytes=1 service_us=1 wait_us=1" >"$R/sys/fs/cgroup/io.xot.stat"
	echo "8:16 rqs=100 bytes=1 service_us=1 wait_us=1" >"$R/sys/fs/cgroup/gold/io.xot.stat"
}
reset_counters() {
	tree_a >"$R"/sys/kernel/debug/block/sdb/sched/tree
	echo "8:16 rqs=100 bytes=409600 service_us=10 wait_us=10" >"$R"/sys/fs/cgroup/io.xot.stat
	echo "8:16 rqs=0 bytes=0 service_us=0 wait_us=0" >"$R"/sys/fs/cgroup/gold/io.xot.stat
}
advance &
xs status --interval 3.5 --json >"$TMP/sh.json" 2>&1
wait
pycheck status-json-shares "$TMP/sh.json" "(lambda e: e['/']['rqs_subtree']==1000 and e['/']['rqs']==80 and e['/|vm1']['rqs']==20 and e['/|vm1']['rqs_subtree']==520 and abs(e['/|vm1']['share_of_device']-0.52)<1e-9 and abs(e['/|vm1|cg4242']['share_of_parent']-400/520)<1e-6 and abs(e['/|vm2']['share_of_parent']-300/1000)<1e-9 and e['/gold']['share_of_device']==0.1 and e['/|vm1|cg4242|p77']['rqs']==300 and abs(e['/|vm1|cg4242|p77']['share_of_parent']-0.75)<1e-9 and abs(e['/|vm1|cg4242|p77']['share_of_device']-0.3)<1e-9 and e['/gold|shared']['share_of_parent']==1.0 and e['/|p900']['share_of_device'] is None)({x['key']:x for x in j['devices'][0]['entities']})"
pycheck status-json-total "$TMP/sh.json" "j['devices'][0]['total_rqs']==1000 and j['devices'][0]['counts_complete'] and 3.4<j['devices'][0]['interval_s']<6"
reset_counters
advance &
expect status-table-shares 0 "over [3-5]\.[0-9]+ s: 1000 requests dispatched.*dom0 cgroup / +100 +0 +80 +1000 .*100\.0% +100\.0%.*dom0 cgroup /gold +800 +0 +100 +100 .*10\.0% +10\.0%.*vm 1 \(web\) +200 +0 +20 +520 .*52\.0% +52\.0%.*guest cgroup id 4242 +800 +0 +400 +400 .*76\.9% +40\.0%.*process 77 +100 +3 +300 +300 .*75\.0% +30\.0%.*vm 2 \(db\) +100 +0 +300 +300 .*30\.0% +30\.0%" \
	xs status --interval 3.5
wait
reset_counters

xs status --interval 0 --watch 0.2 --count 3 --json >"$TMP/w.json" 2>&1
n=0
while read -r line; do
	python3 -c 'import json,sys; json.loads(sys.argv[1])' "$line" 2>/dev/null && n=$((n + 1))
done <"$TMP/w.json"
if [ "$n" = 3 ] && [ "$(wc -l <"$TMP/w.json")" = 3 ]; then ok status-watch-json; else ko status-watch-json "$n of $(wc -l <"$TMP/w.json") lines parse"; fi
expect status-watch-table 0 "SHARES sdb.*one snapshot only.*SHARES sdb \(8:16\) over [0-9.]+ s: 0 requests" \
	xs status --interval 0 --watch 0.2 --count 2

# An unreadable tree (debugfs not mounted) is said, not fatal.
mv "$R/sys/kernel/debug/block" "$R/sys/kernel/debug/block.off"
expect status-no-debugfs 0 "SHARES sdb \(8:16\): no scheduling tree .*No such file.*mount debugfs" xs status
mv "$R/sys/kernel/debug/block.off" "$R/sys/kernel/debug/block"
# A bad tree line is counted, the rest shown.
echo "  frobnicator 1 w=1" >>"$R/sys/kernel/debug/block/sdb/sched/tree"
expect status-bad-tree-line 0 "vm 1 \(web\).*1 tree line not understood" xs status --interval 0
reset_counters

# A guest: no xot device, no blkback, the tagger's debugfs shown raw.
G=$TMP/guest
mkdir -p "$G"/sys/block/xvda/queue "$G"/sys/module/xot_tagger "$G"/sys/kernel/debug/xot-tagger "$G"/proc
echo "[mq-deadline] none" >"$G"/sys/block/xvda/queue/scheduler
printf 'xvd_bios 12\nxvd_sectors 96\n' >"$G"/sys/kernel/debug/xot-tagger/stats
expect status-guest 0 "DEVICES ON XOT +none .*XOT-BLKBACK: not loaded \(not dom0\).*XOT-TAGGER \(guest\): loaded +stats: +xvd_bios 12 +xvd_sectors 96" \
	env XOTCTL_ROOT="$G" "$X" status
env XOTCTL_ROOT="$G" "$X" status --json >"$TMP/g.json" 2>&1
pycheck status-guest-json "$TMP/g.json" "j['devices']==[] and not j['blkback']['loaded'] and j['tagger']['debugfs']=={'stats':'xvd_bios 12\nxvd_sectors 96\n'}"

# ---------------------------------------------------------- VM weights
P=$R/sys/module/xot_blkback/parameters/vm_weights
C=$R/etc/modprobe.d/xot-vm-weights.conf
expect vm-list 0 "VM +WEIGHT +DOMID +CONFIG web +200 +1 +- \(not persisted\) db +100 \(default\) +2 +- config: .*/etc/modprobe.d/xot-vm-weights.conf \(none\)" \
	xs vm list
expect vm-set-weight 0 "web: weight 400 \(running module and .*xot-vm-weights.conf\)" xs vm set-weight web 400
file_is vm-set-weight-param "$P" "^web=400 ?$"
file_is vm-set-weight-config "$C" "^# XoT.*options xot-blkback vm_weights=web=400 $"
expect vm-set-weight-domid 0 "db: weight 300" xs vm set-weight 2 300
file_is vm-set-weight-domid-param "$P" "^web=400,db=300 ?$"
file_is vm-set-weight-domid-config "$C" "options xot-blkback vm_weights=web=400,db=300 $"
expect vm-set-weight-xenstore 0 "mail: weight 50" xs vm set-weight 5 50
file_is vm-set-weight-xenstore-param "$P" "^web=400,db=300,mail=50 ?$"
expect vm-set-weight-not-running-warns 0 "warning: no running VM named 'mail'" xs vm set-weight mail 60
expect vm-list-persisted 0 "web +400 +1 +400 db +300 +2 +300 mail +60 +- +60 config: .*xot-vm-weights.conf $" xs vm list
xs vm list --json >"$TMP/vm.json" 2>&1
pycheck vm-list-json "$TMP/vm.json" "j['config_exists'] and j['config'].endswith('/etc/modprobe.d/xot-vm-weights.conf') and j['vms']==[{'name':'web','weight':400,'default':False,'domid':1,'config_weight':400},{'name':'db','weight':300,'default':False,'domid':2,'config_weight':300},{'name':'mail','weight':60,'default':False,'domid':None,'config_weight':60}]"
expect vm-json-not-for-set 2 "--json is for vm list" xs vm set-weight web 5 --json
expect vm-set-weight-again 0 "web: weight 100" xs vm set-weight web 100
file_is vm-config-one-line "$C" "^# XoT.* options xot-blkback vm_weights=web=100,db=300,mail=60 $"
if [ "$(grep -c vm_weights "$C")" = 1 ]; then ok vm-config-no-duplicate; else ko vm-config-no-duplicate "$(cat "$C")"; fi
# The running list differs from the file (someone wrote the parameter).
echo "web=100,db=300,mail=70" >"$P"
expect vm-list-differs 0 "mail +70 +- +60 \(differs\)" xs vm list
expect vm-unset 0 "web: weight 100 \(default; removed" xs vm unset web
file_is vm-unset-param "$P" "^db=300,mail=70 ?$"
file_is vm-unset-config "$C" "vm_weights=db=300,mail=70 $"
expect vm-unset-domid 0 "db: weight 100 \(default" xs vm unset 2
expect vm-unset-unknown 1 "unknown VM 'web': it has no weight" xs vm unset web
expect vm-unset-last 0 "mail: weight 100" xs vm unset mail
file_is vm-unset-last-param "$P" "^ ?$"
if ! grep -q "^options" "$C" && grep -q "^# XoT" "$C"; then ok vm-unset-last-config; else ko vm-unset-last-config "$(cat "$C")"; fi
# Other lines of the file are kept.
printf '# mine\noptions xot-blkback foo=1\nblacklist bar\n' >"$C"
expect vm-set-keeps-file 0 "web: weight 7" xs vm set-weight web 7
file_is vm-set-keeps-file-content "$C" "^# mine options xot-blkback foo=1 vm_weights=web=7 blacklist bar $"
# --config
expect vm-config-option 0 "web: weight 8 \(running module and $TMP/alt.conf\)" xs vm set-weight web 8 --config "$TMP/alt.conf"
file_is vm-config-option-file "$TMP/alt.conf" "options xot-blkback vm_weights=web=8 $"
file_is vm-config-option-default-untouched "$C" "vm_weights=web=7 "
expect vm-config-unwritable 1 "cannot write $TMP/nodir/x.conf.tmp.*No such file.*running module has the new weights, but they are not persisted" \
	xs vm set-weight web 9 --config "$TMP/nodir/x.conf"

# Two changes at once are serialised by /run/lock/xotctl-vm.lock.
mkdir -p "$R/run/lock"
flock "$R/run/lock/xotctl-vm.lock" sleep 2 &
for _ in $(seq 50); do # until the background holder has the lock
	flock -n "$R/run/lock/xotctl-vm.lock" true || break
	sleep 0.05
done
t0=$(date +%s%N)
xs vm set-weight web 9 >/dev/null 2>&1
t1=$(date +%s%N)
wait
if [ $(((t1 - t0) / 1000000)) -ge 500 ]; then ok vm-lock-waits; else ko vm-lock-waits "took $(((t1 - t0) / 1000000)) ms"; fi

# Errors
expect vm-bad-weight-zero 2 "bad weight '0': an integer in 1..10000" xs vm set-weight web 0
expect vm-bad-weight-big 2 "bad weight '10001'" xs vm set-weight web 10001
expect vm-bad-weight-text 2 "bad weight 'heavy'" xs vm set-weight web heavy
expect vm-bad-weight-default 2 "bad weight 'default 5'" xs vm set-weight web "default 5"
expect vm-bad-name 2 "bad VM name 'a,b'" xs vm set-weight a,b 5
expect vm-bad-name-blank 2 "bad VM name 'a b'" xs vm set-weight "a b" 5
# without the vbds file (debugfs not mounted) nobody is said not to run
mv "$R/sys/kernel/debug/xot-blkback/vbds" "$R/vbds.off"
out=$(xs vm set-weight web 9 2>&1)
if [ $? = 0 ] && ! grep -q warning <<<"$out"; then ok vm-no-vbds-no-warning; else ko vm-no-vbds-no-warning "$out"; fi
expect vm-no-vbds-domid-xenstore 1 "unknown VM: no domain with id 1 " xs vm set-weight 1 9
mv "$R/vbds.off" "$R/sys/kernel/debug/xot-blkback/vbds"
expect vm-name-too-long 2 "is too long: xot-blkback matches names of at most 63 bytes" \
	xs vm set-weight "$(printf 'a%.0s' $(seq 64))" 5
expect vm-unknown-domid 1 "unknown VM: no domain with id 99" xs vm set-weight 99 100
file_is vm-errors-change-nothing "$P" "^web=9 ?$"
# the parameter cannot be read (a directory in its place)
mv "$P" "$P.off" && mkdir "$P"
expect vm-param-unreadable 1 "cannot read .*vm_weights: Is a directory" xs vm set-weight web 5
rmdir "$P" && mv "$P.off" "$P"
# a name only the kernel takes (written by hand) is kept, but not persisted
echo "my vm=30,web=9" >"$P"
expect vm-kernel-only-name 0 "warning: VM name 'my vm' cannot be written .*not persisted.*web: weight 9" \
	xs vm set-weight web 9 --config "$TMP/k.conf"
file_is vm-kernel-only-name-param "$P" "^my vm=30,web=9 ?$"
file_is vm-kernel-only-name-config "$TMP/k.conf" "options xot-blkback vm_weights=web=9 $"
expect vm-unset-kernel-only-name 0 "my vm: weight 100" xs vm unset "my vm" --config "$TMP/k.conf"
file_is vm-unset-kernel-only-name-param "$P" "^web=9 ?$"
echo "web=9" >"$P"
echo "web=notanumber" >"$P"
expect vm-param-garbage 1 "cannot parse .*vm_weights: bad weight 'notanumber'" xs vm list
echo "web=9" >"$P"

# Permission: as an unprivileged user (root runs the check through setpriv).
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	asnobody() { setpriv --reuid=65534 --regid=65534 --clear-groups env XOTCTL_ROOT="$R" "$X" "$@"; }
	chmod -R a+rX "$R"
	expect vm-no-permission 1 "cannot write .*vm_weights: permission denied \(EACCES; run as root\)" \
		asnobody vm set-weight web 5
	expect group-no-permission 1 "cannot write .*gold/io.xot.weight: permission denied \(EACCES" \
		asnobody group set-weight gold 5
else
	chmod 444 "$P" "$R/sys/fs/cgroup/gold/io.xot.weight"
	expect vm-no-permission 1 "cannot write .*vm_weights: permission denied \(EACCES; run as root\)" \
		xs vm set-weight web 5
	expect group-no-permission 1 "cannot write .*gold/io.xot.weight: permission denied \(EACCES" \
		xs group set-weight gold 5
	chmod 644 "$P" "$R/sys/fs/cgroup/gold/io.xot.weight"
fi
file_is vm-no-permission-nothing-changed "$P" "^web=9 ?$"

# Not dom0, module not loaded
echo "" >"$R/proc/xen/capabilities"
expect vm-not-dom0 3 "not dom0: VM weights are set in Xen's dom0 .*control_d" xs vm list
expect vm-set-not-dom0 3 "not dom0" xs vm set-weight web 5
expect status-not-dom0 0 "XOT-BLKBACK: loaded \(not dom0\)" xs status --interval 0
rm "$R/proc/xen/capabilities"
expect vm-no-proc-xen 3 "not dom0: no /proc/xen/capabilities .*mount -t xenfs" xs vm unset web
echo control_d >"$R/proc/xen/capabilities"
mv "$R/sys/module/xot_blkback" "$R/sys/module/xot_blkback.off"
expect vm-module-not-loaded 3 "xot-blkback is not loaded" xs vm list
expect vm-set-module-not-loaded 3 "xot-blkback is not loaded" xs vm set-weight web 5
expect status-module-not-loaded 0 "XOT-BLKBACK: not loaded \(dom0\)" xs status --interval 0
mv "$R/sys/module/xot_blkback.off" "$R/sys/module/xot_blkback"

# ------------------------------------------------------- cgroup weights
W=$R/sys/fs/cgroup/gold/io.xot.weight
expect group-get 0 "cgroup /gold weight: +default 800 stat: +8:16 rqs=0 bytes=0" xs group get gold
expect group-get-root 0 "cgroup / stat: +8:16 rqs=100 " xs group get /
expect group-set-weight 0 "" xs group set-weight gold 8:16 250
file_is group-set-weight-file "$W" "^8:16 250$"
expect group-set-weight-one-arg 0 "" xs group set-weight /gold/ "default 300"
file_is group-set-weight-one-arg-file "$W" "^default 300$"
expect group-set-weight-reset 0 "" xs group set-weight gold 8:16 default
file_is group-set-weight-reset-file "$W" "^8:16 default$"
expect group-bad-weight 2 "bad weight line '0'" xs group set-weight gold 0
expect group-bad-weight-big 2 "bad weight line '8:16 10001'" xs group set-weight gold 8:16 10001
expect group-bad-line 2 "bad weight line '8:16 abc'.*1\.\.10000" xs group set-weight gold 8:16 abc
file_is group-bad-changes-nothing "$W" "^8:16 default$"
expect group-unknown-cgroup 1 "no cgroup '/nosuch'" xs group set-weight nosuch 100
expect group-get-unknown-cgroup 1 "no cgroup '/nosuch'" xs group get nosuch
expect group-root 1 "the root cgroup has no io.xot.weight" xs group set-weight / 100
expect group-dotdot 2 "bad cgroup path 'gold/../..'" xs group set-weight gold/../.. 100
expect group-io-not-enabled 1 "no .*plain/io.xot.weight: enable the io controller for /plain" \
	xs group set-weight plain 100
# a write the kernel refuses (here: ENOSPC from /dev/full) is reported with the file
mv "$W" "$W.off" && ln -s /dev/full "$W"
expect group-write-error 1 "cannot write .*gold/io.xot.weight: No space left on device" \
	xs group set-weight gold 100
rm "$W" && mv "$W.off" "$W"
# EINVAL: a proc file that refuses a line our parser accepts ("8:16 250" is
# not an integer), where this machine lets us try
einval=$( (echo "8:16 250" >/proc/self/oom_score_adj) 2>&1)
if ! grep -q "Invalid argument" <<<"$einval"; then
	echo "SKIP xotctl/group-einval: /proc/self/oom_score_adj does not answer EINVAL here"
else
	mv "$W" "$W.off" && ln -s /proc/self/oom_score_adj "$W"
	expect group-einval 1 "the kernel refused the line for /gold \(EINVAL\): the device is unknown or does not use xot" \
		xs group set-weight gold 8:16 250
	rm "$W" && mv "$W.off" "$W"
fi
mv "$R/sys/module/xot_iosched" "$R/sys/module/xot_iosched.off"
expect group-module-not-loaded 3 "xot-iosched is not loaded" xs group get plain
mv "$R/sys/module/xot_iosched.off" "$R/sys/module/xot_iosched"
# cgroup v1: blkio.xot.weight
V1=$TMP/v1
mkdir -p "$V1/sys/fs/cgroup/blkio/bronze" "$V1/sys/module/xot_iosched"
echo "default 100" >"$V1/sys/fs/cgroup/blkio/bronze/blkio.xot.weight"
expect group-v1-set 0 "" env XOTCTL_ROOT="$V1" "$X" group set-weight bronze 200
file_is group-v1-file "$V1/sys/fs/cgroup/blkio/bronze/blkio.xot.weight" "^200$"
expect group-v1-get 0 "cgroup /bronze weight: +200" env XOTCTL_ROOT="$V1" "$X" group get bronze
expect group-no-controller 3 "no io \(cgroup v2\) or blkio \(cgroup v1\) cgroup controller" \
	env XOTCTL_ROOT="$TMP/guest" "$X" group get x

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

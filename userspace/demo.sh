#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The XoT demo (the README's first command). On a fresh Debian 12 machine,
# as root: installs what it needs, builds the modules, boots the Xen lab
# under QEMU (Xen 4.17, a PV dom0, two PV domUs), and shows the two guests
# reading through blkback from one slow dom0 device scheduled by xot, with
# dom0 giving them 1:3 shares through io.xot.weight. Prints per VM: weight,
# target share, achieved share (requests served by dom0's xot) and the IOPS
# the guest saw.
#
# Usage: userspace/demo.sh [--runtime SEC] [--weights W1:W2] [--help]
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
RUNTIME=30
W1=100
W2=300

while [ $# -gt 0 ]; do
	case $1 in
	--runtime) RUNTIME=${2:?}; shift 2 ;;
	--weights)
		W1=${2%%:*}; W2=${2##*:}; shift 2
		[[ $W1 =~ ^[0-9]+$ && $W2 =~ ^[0-9]+$ ]] && ((W1 >= 1 && W1 <= 10000 && W2 >= 1 && W2 <= 10000)) ||
			{ echo "demo: --weights wants W1:W2, each 1..10000" >&2; exit 2; }
		;;
	-h | --help) sed -n '3,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done
[[ $RUNTIME =~ ^[0-9]+$ ]] && ((RUNTIME >= 5)) || { echo "demo: --runtime wants seconds >= 5" >&2; exit 2; }

step() { echo; echo "==> $*"; }
T0=$(date +%s)
step "installing Debian packages (if missing)"
"$TOP/scripts/install-deps.sh"
step "building the modules"
make -C "$TOP" -s modules
step "Xen lab: Xen + dom0 + 2 domUs under QEMU (TCG); a few minutes"
OUT=$TOP/results/lab/xen-demo
# a dom0 device far slower than the guests can drive: 2 ms per request,
# one at a time (~500 IOPS), so a queue forms in dom0 and xot decides
"$TOP/userspace/lab/xen-lab.sh" --domus 2 --device nullb --layout dm-linear \
	--nullb "completion_nsec=2000000 hw_queue_depth=1" \
	--env DEMO_W1="$W1" --env DEMO_W2="$W2" --env DEMO_RUNTIME="$RUNTIME" \
	--timeout $((RUNTIME + 600)) --out "$OUT" demo

step "result: two guests on one dom0 disk scheduled by xot"
printf '%-8s %7s %8s %9s %9s %10s\n' VM weight target achieved requests guest_IOPS
while read -r name w target achieved rqs; do
	iops=$(awk -F';' '{ print $8 }' "$OUT/$name/fio.terse" 2>/dev/null)
	printf '%-8s %7s %7.1f%% %8.1f%% %9s %10s\n' "$name" "$w" \
		"$(awk -v x="$target" 'BEGIN { print x * 100 }')" \
		"$(awk -v x="$achieved" 'BEGIN { print x * 100 }')" "$rqs" "${iops:-?}"
done <"$OUT/dom0/shares.txt"
echo "(shares counted by dom0's io.xot.stat; full logs in $OUT; $(($(date +%s) - T0)) s)"

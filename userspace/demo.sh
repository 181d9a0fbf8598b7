#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The XoT demo (the README's first command). On a fresh Debian 12 machine,
# as root: installs what it needs, builds the modules and tools, and boots
# the Xen lab under QEMU (Xen 4.17, a PV dom0, three PV domUs) once per
# configuration. The three guests share one slow dom0 disk:
#
#   domU1 (VM weight 100): cgroups gold (io.xot.weight 800) and bronze (200)
#   domU2 (VM weight 100): two processes in one cgroup
#   domU3 (VM weight 200): one process
#
# With XoT (xot-tagger in the guests, xot-blkback and the xot elevator in
# dom0) dom0 divides the disk by VM weight, then by the guests' own cgroup
# weights, then between their processes. Without XoT (the hook unloaded:
# dom0 can only put each guest's blkback thread in a cgroup) it sees VMs
# only. Prints, side by side per entity, weight, target share and achieved
# share, and draws results/demo-shares.svg.
#
# Usage: userspace/demo.sh [--runtime SEC] [--all] [--help]
#   --runtime SEC  fio time in each guest (default 150: about 2000 requests
#                  per weight-100 VM over the seconds all guests run)
#   --all          also bfq and none in dom0 (two more lab runs)
# About 9 minutes on a 2-core machine (measured: 509 s; 4 lab runs
# with --all: about 18).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
RUNTIME=150
MODES="xot nohook"

while [ $# -gt 0 ]; do
	case $1 in
	--runtime) RUNTIME=${2:?--runtime needs a value}; shift 2 ;;
	--all) MODES="xot nohook bfq none"; shift ;;
	-h | --help) sed -n '3,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done
[[ $RUNTIME =~ ^[0-9]+$ ]] && ((RUNTIME >= 10)) ||
	{ echo "demo: --runtime wants seconds >= 10" >&2; exit 2; }

step() { echo; echo "==> $*"; }
T0=$(date +%s)
step "installing Debian packages (if missing)"
"$TOP/scripts/install-deps.sh"
step "building the modules and tools"
make -C "$TOP" -s modules user
step "Xen lab, once per configuration ($MODES): Xen + dom0 + 3 domUs under QEMU (TCG)"
"$TOP/userspace/bench/bench-xen.sh" --steps fairness --modes "$MODES" --runtime "$RUNTIME"

step "result: who got the disk (achieved share vs the target the weights give)"
"$TOP/build/bin/fairness-report" --svg "$TOP/results/demo-shares.svg" \
	"$TOP/results/xen-bench/records.txt" | sed -n '/^xen on/,$p'
echo
echo "configurations: xot = XoT (VM, guest cgroup and process weights);"
echo "  nohook = xot without XoT in dom0 (VM weights only); bfq, none: dom0 schedulers"
echo "plot: results/demo-shares.svg; numbers: results/xen-fairness.json;"
echo "logs: results/xen-bench/<configuration>/; $(($(date +%s) - T0)) s in all"

# SPDX-License-Identifier: GPL-2.0
#
# Xen fairness benchmark, dom0 side (sourced by dom0's /init; protocol in
# userspace/lab/xen-lab.sh). The configurations (XOT_BENCH_MODE xot, nohook,
# bfq, none) and their setup are shared with the other Xen benchmarks:
# tests/lib/xen-bench-dom0.sh.

. "$XOT_LIB/xen-bench-dom0.sh"

before_domus() { xb_before_domus; }
while_domus() { xb_while_domus; }
after_domus() { xb_after_domus; }

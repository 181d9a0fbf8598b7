#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run userspace unit-test binaries; print their output and one closing
# "N passed, N failed" line summed over all of them. Exit 1 on any failure.
set -uo pipefail
passed=0
failed=0
for bin in "$@"; do
	out=$("$bin" 2>&1)
	rc=$?
	echo "$out" | grep -v '^[0-9]* passed, [0-9]* failed$'
	line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
	if [ -z "$line" ]; then
		echo "FAIL $(basename "$bin"): crashed or printed no summary (exit $rc)"
		failed=$((failed + 1))
		continue
	fi
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed}
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "FAIL $(basename "$bin"): exit $rc although no test failed"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

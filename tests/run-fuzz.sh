#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the libFuzzer harnesses of tests/fuzz/ (built by `make fuzz`):
# first replay every saved crash reproducer (tests/fuzz/crashes/NAME/) as a
# regression test, then fuzz each harness for SECONDS, starting from its
# committed corpus (tests/fuzz/corpus/NAME/, read-only here: new inputs go
# to build/fuzz/corpus/NAME/). A crash is copied to tests/fuzz/crashes/NAME/
# to be kept, and fails the run.
#
# Usage: tests/run-fuzz.sh [--update-corpus] SECONDS FUZZER...
#   --update-corpus  merge the new inputs back into tests/fuzz/corpus/NAME/
# Exit status: 0 no crash, 1 a crash or a harness error, 2 usage.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
UPDATE=0
if [ "${1:-}" = --update-corpus ]; then
	UPDATE=1
	shift
fi
SECONDS_EACH=${1:-}
shift || true
if ! [[ $SECONDS_EACH =~ ^[0-9]+$ ]] || [ $# = 0 ]; then
	echo "usage: tests/run-fuzz.sh [--update-corpus] SECONDS FUZZER..." >&2
	exit 2
fi

failed=0
for bin in "$@"; do
	name=$(basename "$bin")
	name=${name#fuzz-}
	corpus=$TOP/tests/fuzz/corpus/$name
	crashes=$TOP/tests/fuzz/crashes/$name
	work=$TOP/build/fuzz/corpus/$name
	art=$TOP/build/fuzz/artifacts/$name/
	mkdir -p "$corpus" "$work" "$art"
	if [ -d "$crashes" ] && [ -n "$(ls -A "$crashes" 2>/dev/null)" ]; then
		if "$bin" "$crashes"/* >"$TOP/build/fuzz/$name-replay.log" 2>&1; then
			echo "fuzz $name: $(ls "$crashes" | wc -l) saved reproducers replayed, all pass"
		else
			echo "fuzz $name: a saved reproducer fails again (build/fuzz/$name-replay.log)"
			failed=1
		fi
	fi
	log=$TOP/build/fuzz/$name.log
	"$bin" "$work" "$corpus" -max_total_time="$SECONDS_EACH" -max_len=1024 \
		-artifact_prefix="$art" -print_final_stats=1 >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ $rc = 0 ]; then
		echo "fuzz $name: ${runs:-?} executions in ${SECONDS_EACH} s, no crash" \
			"(corpus $(ls "$corpus" | wc -l) committed + $(ls "$work" | wc -l) new)"
	else
		mkdir -p "$crashes"
		cp "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$crashes"/ 2>/dev/null
		echo "fuzz $name: CRASH (exit $rc); reproducer kept in tests/fuzz/crashes/$name/, log $log"
		grep -m5 -E 'ERROR|invariant|SUMMARY' "$log"
		failed=1
	fi
	if [ $UPDATE = 1 ]; then
		"$bin" -merge=1 "$corpus" "$work" >/dev/null 2>&1 &&
			echo "fuzz $name: corpus now $(ls "$corpus" | wc -l) inputs"
	fi
done
exit $failed

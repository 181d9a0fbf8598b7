#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel-style check of XoT's kernel and shared sources with the kernel's own
# scripts/checkpatch.pl, taken from Debian's linux-source-6.1 package into
# build/checkpatch/ (never committed). Exits non-zero on any error or warning.
#
# Usage: scripts/checkpatch.sh [FILE...]   (default: every kernel/shared source)
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=$TOP/build/checkpatch
TARBALL=${XOT_LINUX_SOURCE:-$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -1)}

if [ ! -x "$OUT/checkpatch.pl" ]; then
	[ -n "$TARBALL" ] && [ -f "$TARBALL" ] || {
		echo "checkpatch: no /usr/src/linux-source-*.tar.xz; apt-get install linux-source-6.1" >&2
		exit 1
	}
	mkdir -p "$OUT"
	tar -xJf "$TARBALL" -C "$OUT" --strip-components=2 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'
fi

if [ $# -eq 0 ]; then
	# tests/hostile-guest/: the test-only xot-hostile (not kbuild's *.mod.c)
	mapfile -t files < <(cd "$TOP" && ls iosched-xot/*.[ch] blkback-hook/*.[ch] \
		guest-tagger/*.[ch] core/*.c include/xot/*.h tests/hostile-guest/*.c 2>/dev/null |
		grep -v '\.mod\.c$')
else
	files=("$@")
fi

# checkpatch drops a cache file (.checkpatch-camelcase.*) in the working
# directory: run it from build/checkpatch, on absolute paths.
for i in "${!files[@]}"; do
	[[ ${files[$i]} == /* ]] || files[$i]=$TOP/${files[$i]}
done
cd "$OUT"
# --no-tree: we are out of tree; SPDX and the rest still apply.
# The shared code (core/, include/xot/) also compiles in userspace, where
# the kernel's BIT() and u8..u64 do not exist: its compat layer must name
# the C types, and its constants stay plain shifts. The sysfs tunable
# generator pastes its argument into names, which the MACRO_ARG checks
# mistake for expression reuse.
# A module's compat.h (one per module) is the one place that tests the kernel
# version: LINUX_VERSION_CODE (and its comparison, which checkpatch reads
# as a constant on the left) is allowed there and nowhere else.
mkdir -p "$OUT/include"
IGNORE=FILE_PATH_CHANGES,NEW_TYPEDEFS,CAMELCASE,BIT_MACRO,PREFER_KERNEL_TYPES,MACRO_ARG_REUSE,MACRO_ARG_PRECEDENCE
compat=()
other=()
for f in "${files[@]}"; do
	case "$f" in
	*/iosched-xot/compat.h | */blkback-hook/compat.h | */guest-tagger/compat.h) compat+=("$f") ;;
	*) other+=("$f") ;;
	esac
done
rc=0
if [ ${#other[@]} -gt 0 ]; then
	"$OUT/checkpatch.pl" --no-tree --root="$OUT" --strict --terse --show-types \
		--ignore "$IGNORE" -f "${other[@]}" || rc=1
fi
if [ ${#compat[@]} -gt 0 ]; then
	"$OUT/checkpatch.pl" --no-tree --root="$OUT" --strict --terse --show-types \
		--ignore "$IGNORE,LINUX_VERSION_CODE,CONSTANT_COMPARISON" -f "${compat[@]}" || rc=1
fi
exit $rc

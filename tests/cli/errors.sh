#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad input gets a clear error, not a stack trace: each case runs a command
# that must fail, and checks its exit status and that its message says what
# is wrong. Prints PASS/FAIL per case and "N passed, N failed".
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0

# expect NAME STATUS REGEX CMD... : CMD exits with STATUS ("nz" = any non-zero)
# and its combined output matches REGEX.
expect() {
	local name=$1 want=$2 re=$3 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if { [ "$want" = nz ] && [ $rc -ne 0 ]; } || [ "$want" = "$rc" ]; then
		if tr "\n" " " <<<"$out" | grep -qE "$re"; then
			echo "PASS cli/$name"
			passed=$((passed + 1))
			return
		fi
		echo "FAIL cli/$name: output does not match /$re/:"
	else
		echo "FAIL cli/$name: exit $rc, wanted $want:"
	fi
	sed 's/^/    /' <<<"$out" | tail -8
	failed=$((failed + 1))
}

expect missing-kdir nz "not a kernel build directory" \
	make -C "$TOP" modules KDIR=/nonexistent/kernel

# A kernel build dir that no Debian package owns, and no override.
mkdir -p "$TMP/kdir/include/config"
echo 6.1.0-99-amd64 >"$TMP/kdir/include/config/kernel.release"
expect headers-unowned 1 "cannot tell which Debian package" \
	"$TOP/scripts/private-headers.sh" "$TMP/kdir" "$TMP/out"

# Headers and source at different versions: dpkg answers through a stand-in
# that reports the mismatch a half-upgraded machine would have.
mkdir -p "$TMP/bin"
cat >"$TMP/bin/dpkg-query" <<'EOS'
#!/bin/sh
case "$*" in
-S*) echo "linux-headers-6.1.0-99-amd64: $2" ;;
*linux-headers-6.1.0-99-amd64*) printf '6.1.200-1' ;;
*linux-source-6.1*) printf '6.1.192-2' ;;
*) exit 1 ;;
esac
EOS
chmod +x "$TMP/bin/dpkg-query"
expect headers-version-mismatch 1 "version mismatch: kernel headers .* 6.1.200-1 .*6.1.192-2" \
	env PATH="$TMP/bin:$PATH" "$TOP/scripts/private-headers.sh" "$TMP/kdir" "$TMP/out"

expect private-headers-usage 1 "usage" "$TOP/scripts/private-headers.sh"

# Debian 13 (PLATFORM=debian13): fetched headers and source of different
# versions, an unknown platform, the fetch script's bad input (no network).
touch "$TMP/linux-source-6.12.tar.xz"
expect headers-version-mismatch-deb13 1 "version mismatch: kernel headers .* 6.12.118-1 .*6.12.117-1" \
	env XOT_LINUX_SOURCE="$TMP/linux-source-6.12.tar.xz" XOT_LINUX_SOURCE_VERSION=6.12.117-1 \
	XOT_HEADERS_VERSION=6.12.118-1 "$TOP/scripts/private-headers.sh" "$TMP/kdir" "$TMP/out"
expect platform-unknown 2 "PLATFORM=debian11 is not a known platform: use debian12 or debian13" \
	make -C "$TOP" PLATFORM=debian11 modules
expect fetch-trixie-bad-option 2 "unknown option '--bogus'" "$TOP/scripts/fetch-trixie.sh" --bogus
expect fetch-trixie-offline-empty 1 "offline but no cached package lists" \
	"$TOP/scripts/fetch-trixie.sh" --offline --dir "$TMP/deb13"
expect kbuild-host-tools-unfetched 3 "versions missing: run scripts/fetch-trixie.sh --extract first" \
	"$TOP/scripts/kbuild-host-tools.sh" "$TMP/nodeb13"
expect deps-bad-option 2 "unknown option" "$TOP/scripts/install-deps.sh" --bogus
expect run-all-bad-step 2 "unknown step 'nosuch'" "$TOP/tests/run-all.sh" --only nosuch

expect host-lab-unknown-scenario 2 "unknown scenario 'nosuch'.*(smoke)" \
	"$TOP/userspace/lab/host-lab.sh" nosuch
expect xen-lab-unknown-scenario 2 "unknown scenario 'nosuch'.*(smoke)" \
	"$TOP/userspace/lab/xen-lab.sh" nosuch

# A lab that cannot finish in time says so, and where it stopped.
expect host-lab-timeout nz "time.?out.*(stopped|last)" \
	"$TOP/userspace/lab/host-lab.sh" --timeout 4 --out "$TMP/lab" smoke

# The benchmark driver and its report tool (built by `make user`).
expect bench-host-bad-option 2 "unknown argument '--bogus'" \
	"$TOP/userspace/bench/bench-host.sh" --bogus
expect bench-host-bad-step 2 "unknown step 'nosuch'" \
	"$TOP/userspace/bench/bench-host.sh" --only nosuch
printf 'run s d c x\nentity s d c g nosuch 100 5\n' >"$TMP/bad.rec"
expect fairness-report-bad-parent 1 "parent 'nosuch' of 'g' is not an entity" \
	"$TOP/build/bin/fairness-report" "$TMP/bad.rec"
printf 'run s d c x\nentity s d c g - 100 fast\n' >"$TMP/bad2.rec"
expect fairness-report-bad-number 1 "bad2.rec:2: IOPS 'fast'" \
	"$TOP/build/bin/fairness-report" "$TMP/bad2.rec"
expect fairness-report-missing-file 1 "cannot open .*nonexistent" \
	"$TOP/build/bin/fairness-report" "$TMP/nonexistent"

# The trace analyser (built by `make user`): not blktrace data, a record cut
# short, a missing capture, bad options.
XT=$TOP/build/bin/xot-trace
echo "this is not a blktrace capture, not at all" >"$TMP/bad.blktrace.0"
expect xot-trace-bad-magic 1 "bad.blktrace.0: offset 0: not blktrace data \\(magic" "$XT" "$TMP/bad"
printf '\x07\x74\x61\x65\x01\x00\x00\x00\x00\x00' >"$TMP/cut.blktrace.0"
expect xot-trace-truncated 1 "cut.blktrace.0: offset 0: truncated record \\(10 of 48 header bytes\\)" \
	"$XT" "$TMP/cut.blktrace.0"
expect xot-trace-missing 1 "nosuch: no such file, and no blktrace output" "$XT" "$TMP/nosuch"
: >"$TMP/empty.blktrace.0"
expect xot-trace-empty 1 "no completed request in 0 records" "$XT" "$TMP/empty"
expect xot-trace-no-input 2 "no input" "$XT"
expect xot-trace-bad-window 2 "window '0': a number of seconds" "$XT" --window 0 "$TMP/empty"
expect xot-trace-bad-metric 2 "metric 'iops': time, bytes or rqs" "$XT" --metric iops x
expect xot-trace-bad-dev 2 "dev 'sda': MAJOR:MINOR" "$XT" --dev sda x
expect xot-trace-help 0 "Usage: xot-trace .*Exit status" "$XT" --help
# a valid capture, record by record: one message, then D and C of its request
le() { # BYTES VALUE: VALUE as BYTES little-endian bytes
	local i v=$2
	for ((i = 0; i < $1; i++)); do
		printf "\\x%02x" $((v & 255))
		v=$((v >> 8))
	done
}
bt_rec() { # TIME SECTOR BYTES ACTION PDU
	printf "$(le 4 $((0x65617407)))$(le 4 0)$(le 8 $1)$(le 8 $2)$(le 4 $3)$(le 4 $4)"
	printf "$(le 4 1)$(le 4 $(((8 << 20) | 16)))$(le 4 0)$(le 2 0)$(le 2 ${#5})%s" "$5"
}
msg="xot dispatch tgid=7 w=100 gw=300"
{
	bt_rec 1000 0 0 $(((1 << 26) | 2)) "$msg"
	bt_rec 2000 64 4096 $(((1 << 22) | 7)) ""
	bt_rec 900000 64 4096 $(((1 << 23) | 8)) ""
} >"$TMP/ok.blktrace.0"
expect xot-trace-valid 0 "1 completed, 1 attributed by xot dispatch messages.*cg\\?gw=300/tgid7 +100 +100.0%" \
	"$XT" "$TMP/ok"
expect xot-trace-unwritable 3 "nosuchdir/r.json: No such file" \
	"$XT" --json "$TMP/nosuchdir/r.json" "$TMP/ok"

# The fio job files for use by hand (tests/fio/, README "fio job files")
# are valid fio, with their variables set; without DEV fio must refuse them.
for f in "$TOP"/tests/fio/*.fio; do
	n=$(basename "$f" .fio)
	expect "fio-job-$n" 0 "" env DEV=/dev/null RUNTIME=5 SIZE=16m fio --parse-only "$f"
	expect "fio-job-$n-no-dev" nz "." env -u DEV RUNTIME=5 SIZE=16m fio --parse-only "$f"
done

# aio-batch, the lab's merge driver (tests/tools/aio-batch.c), on a file
AB=$TOP/build/tests/aio-batch
expect aio-batch-help 0 "Usage: aio-batch .*Exit status" "$AB" --help
expect aio-batch-no-offsets 2 "Usage: aio-batch" "$AB" "$TMP/ab.img"
expect aio-batch-bad-offset 2 "bad offset '100' \(a multiple of 4096\)" "$AB" "$TMP/ab.img" 100
expect aio-batch-write-verify 2 "verify checks reads; it does not go with --write" "$AB" --write --verify "$TMP/ab.img" 0
expect aio-batch-missing 1 "nosuch: No such file" "$AB" "$TMP/nosuch" 0
# O_DIRECT needs a file system that takes it (not tmpfs): /var/tmp
AIMG=$(mktemp /var/tmp/xot-aio.XXXXXX)
if dd if=/dev/zero of="$AIMG" bs=64k count=1 status=none &&
	"$AB" --write "$AIMG" 0 >/dev/null 2>&1; then
	expect aio-batch-stamps 0 "3 writes in 2 batches" "$AB" --write "$AIMG" 8192 4096 / 0
	expect aio-batch-verified 0 "4 reads verified in 1 batch" "$AB" --verify "$AIMG" 4096 0 8192 0
	expect aio-batch-unstamped 1 "block at 16384 holds 0 at word 0, not its stamp" \
		"$AB" --verify "$AIMG" 0 16384
else
	echo "XOT-SKIP cli/aio-batch-stamps: $(dirname "$AIMG") takes no O_DIRECT"
fi
rm -f "$AIMG"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

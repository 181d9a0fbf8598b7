#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packaging checks, nothing installed on this machine: `make install` into a
# staging DESTDIR (exactly the expected files: modules for the headers'
# kernel, tools that run, examples), depmod on a staged tree (xot-blkback and
# xot-tagger depend on xot-iosched), `make uninstall` from it; the example
# files (modules-load.d names real modules, the modprobe.d file is what
# xotctl writes, the udev rule parses); dkms.conf: its fields, its PRE_BUILD
# check naming the linux-source package to install on a version mismatch,
# and a build with its MAKE line against the installed kernel headers that
# yields every BUILT_MODULE_NAME: through `make dkms-install` (twice) and
# `make dkms-remove` with temporary source, DKMS and install trees and no
# depmod when dkms is installed, plus a dkms build for a kernel whose
# linux-source lags; by hand otherwise (or with XOT_TEST_NO_DKMS=1).
# Prints PASS/FAIL per check and "N passed, N failed". Needs the kernel
# headers and linux-source of scripts/install-deps.sh and the tools of
# `make user`; under a minute (module builds in copies of the sources).
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0

ok() { echo "PASS install/$1"; passed=$((passed + 1)); }
ko() {
	echo "FAIL install/$1${2:+: $2}"
	failed=$((failed + 1))
}
# check NAME CMD...: CMD succeeds
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$name"; else
		ko "$name" "$*"
		sed 's/^/    /' <<<"$out" | tail -8
	fi
}

MODULES="xot-iosched xot-blkback xot-tagger"
TOOLS="xotctl xot-trace"
EXAMPLES="60-xot-scheduler.rules xot-dom0.modules-load.conf xot-dom0.modprobe.conf xot-guest.modules-load.conf
	xot-vm-weights.modprobe.conf"
KVER=$(make -s --no-print-directory -C "$TOP" print-kver) || {
	ko kver "make print-kver failed: no kernel headers?"
	echo "$passed passed, $failed failed"
	exit 1
}
KDIR=/lib/modules/$KVER/build
VERSION=$(cat "$TOP/VERSION")

# ------------------------------------------------------------ make install
S=$TMP/stage
if make -C "$TOP" install DESTDIR="$S" >"$TMP/install.log" 2>&1; then
	ok make-install
else
	ko make-install "exit $?"
	tail -15 "$TMP/install.log" | sed 's/^/    /'
fi

# Exactly these files, nothing else (no modules.dep: depmod runs on the target).
{
	for m in $MODULES; do echo "lib/modules/$KVER/extra/xot/$m.ko"; done
	for t in $TOOLS; do echo "usr/local/bin/$t"; done
	echo usr/local/share/doc/xot/README.md
	for e in $EXAMPLES; do echo "usr/local/share/doc/xot/examples/$e"; done
} | sort >"$TMP/want"
(cd "$S" 2>/dev/null && find . -type f -o -type l | sed 's|^\./||' | sort) >"$TMP/got"
if diff -u "$TMP/want" "$TMP/got" >"$TMP/diff"; then ok staged-files; else
	ko staged-files "staged tree differs from the expected list:"
	sed 's/^/    /' "$TMP/diff"
fi

for m in $MODULES; do
	ko_file=$S/lib/modules/$KVER/extra/xot/$m.ko
	vm=$(modinfo -F vermagic "$ko_file" 2>/dev/null)
	if [[ $vm == "$KVER "* ]]; then ok "module-$m"; else ko "module-$m" "vermagic '$vm', wanted $KVER"; fi
done
for t in $TOOLS; do
	f=$S/usr/local/bin/$t
	if [ -x "$f" ] && "$f" --help 2>&1 | grep -qi 'usage'; then ok "tool-$t-help"; else
		ko "tool-$t-help" "$f missing, not executable or --help failed"
	fi
done

# PREFIX: the tools and examples follow it, the modules do not.
S2=$TMP/stage-usr
if make -C "$TOP" install DESTDIR="$S2" PREFIX=/usr >"$TMP/install2.log" 2>&1 &&
	[ -x "$S2/usr/bin/xotctl" ] && [ -f "$S2/usr/share/doc/xot/examples/60-xot-scheduler.rules" ] &&
	[ -f "$S2/lib/modules/$KVER/extra/xot/xot-iosched.ko" ] && [ ! -e "$S2/usr/local" ]; then
	ok install-prefix
else
	ko install-prefix "PREFIX=/usr did not install into usr/bin, usr/share/doc/xot"
	tail -5 "$TMP/install2.log" | sed 's/^/    /'
fi

# depmod on the target sees the dependency: modprobe xot-blkback or
# xot-tagger loads xot-iosched first (depmod run here on the staged copy).
if depmod -b "$S2" "$KVER" 2>"$TMP/depmod.log" &&
	grep -qx "extra/xot/xot-blkback.ko: extra/xot/xot-iosched.ko" "$S2/lib/modules/$KVER/modules.dep" &&
	grep -qx "extra/xot/xot-tagger.ko: extra/xot/xot-iosched.ko" "$S2/lib/modules/$KVER/modules.dep"; then
	ok depmod-staged-dependencies
else
	ko depmod-staged-dependencies "modules.dep of the staged tree:"
	cat "$S2/lib/modules/$KVER/modules.dep" "$TMP/depmod.log" 2>/dev/null | sed 's/^/    /'
fi

# ---------------------------------------------------------- make uninstall
if make -C "$TOP" uninstall DESTDIR="$S" >"$TMP/uninstall.log" 2>&1; then ok make-uninstall; else
	ko make-uninstall "exit $?"
	tail -10 "$TMP/uninstall.log" | sed 's/^/    /'
fi
left=$(find "$S" -type f 2>/dev/null)
if [ -z "$left" ]; then ok uninstall-removes-all; else ko uninstall-removes-all "left: $left"; fi

# ---------------------------------------------------------------- examples
# modules-load.d: every name is a module the build makes (and xen-blkback,
# before xot-blkback, in dom0).
for e in xot-dom0.modules-load.conf xot-guest.modules-load.conf; do
	bad=""
	n=0
	seen=""
	while read -r l; do
		[[ -z $l || $l == \#* ]] && continue
		n=$((n + 1))
		[ "$l" = xot-blkback ] && [[ $seen != *" xen-blkback"* ]] && bad="$bad $l(before xen-blkback)"
		seen="$seen $l"
		[[ " $MODULES xen-blkback " == *" $l "* ]] || bad="$bad $l"
	done <"$TOP/packaging/$e"
	if [ -z "$bad" ] && [ $n -gt 0 ]; then ok "example-$e"; else ko "example-$e" "not XoT modules:$bad"; fi
done
# modprobe.d softdep: the modprobe.d(5) syntax, on modules that exist
if grep -v '^#' "$TOP/packaging/xot-dom0.modprobe.conf" | grep -qxE 'softdep xot-blkback pre: xen-blkback' &&
	modinfo -k "$KVER" -F filename xen-blkback >/dev/null 2>&1; then
	ok example-dom0-softdep
else
	ko example-dom0-softdep "no 'softdep xot-blkback pre: xen-blkback' line, or no xen-blkback in $KVER"
fi

# modprobe.d: xotctl reads it and, setting a weight it already holds,
# writes it back byte for byte (run on a fake dom0 tree, XOTCTL_ROOT).
X=$TOP/build/bin/xotctl
R=$TMP/root
mkdir -p "$R/proc/xen" "$R/sys/module/xot_blkback/parameters" "$R/sys/module/xot_iosched" \
	"$R/etc/modprobe.d" "$R/sys/kernel/debug/xot-blkback"
echo control_d >"$R/proc/xen/capabilities"
echo web=200,db=400 >"$R/sys/module/xot_blkback/parameters/vm_weights"
printf 'domid vm devid vm_weight channel rings order ups errors\n1 web 51712 200 down 0 0 0 0\n2 db 51712 400 down 0 0 0 0\n' \
	>"$R/sys/kernel/debug/xot-blkback/vbds"
MP=$TOP/packaging/xot-vm-weights.modprobe.conf
cp "$MP" "$R/etc/modprobe.d/xot-vm-weights.conf"
if XOTCTL_ROOT=$R "$X" vm list --json 2>&1 | python3 -c '
import json, sys
j = json.load(sys.stdin)
w = {v["name"]: v["config_weight"] for v in j["vms"]}
sys.exit(0 if j["config_exists"] and w == {"web": 200, "db": 400} else 1)'; then
	ok example-modprobe-read-by-xotctl
else
	ko example-modprobe-read-by-xotctl "xotctl vm list does not see web=200,db=400 in it"
fi
if XOTCTL_ROOT=$R "$X" vm set-weight web 200 >"$TMP/xotctl.log" 2>&1 &&
	cmp -s "$MP" "$R/etc/modprobe.d/xot-vm-weights.conf"; then
	ok example-modprobe-as-xotctl-writes
else
	ko example-modprobe-as-xotctl-writes "xotctl rewrote it differently:"
	diff -u "$MP" "$R/etc/modprobe.d/xot-vm-weights.conf" | sed 's/^/    /'
	sed 's/^/    /' "$TMP/xotctl.log"
fi

# udev rule: every rule line (also the commented-out ones) is a list of
# KEY op "value" pairs with known keys, matches before assignments, and sets
# the scheduler before nr_requests (switching scheduler resets it).
RULES=$TOP/packaging/60-xot-scheduler.rules
if python3 - "$RULES" >"$TMP/udev.log" 2>&1 <<'EOF'; then
import re, sys
MATCH = {"ACTION", "SUBSYSTEM", "KERNEL", "DEVPATH", "DRIVER", "ENV", "ATTR", "ATTRS",
         "KERNELS", "SUBSYSTEMS", "DRIVERS", "TAG", "NAME", "SYMLINK", "TEST", "PROGRAM", "RESULT"}
ASSIGN = {"ATTR", "ENV", "TAG", "SYMLINK", "OWNER", "GROUP", "MODE", "RUN", "IMPORT", "OPTIONS", "GOTO", "LABEL", "NAME"}
pair = re.compile(r'\s*([A-Z]+)(\{[^}"]+\})?\s*(==|!=|=|\+=|-=|:=)\s*"([^"]*)"\s*(,|$)')
rules = 0
for n, line in enumerate(open(sys.argv[1]), 1):
    line = line.rstrip("\n")
    if re.match(r"#[A-Z]+[{=!]", line):      # a commented-out rule: check it too
        line = line[1:]
    if not line.strip() or line.lstrip().startswith("#"):
        continue
    pos, keys, assigned = 0, [], False
    while pos < len(line):
        m = pair.match(line, pos)
        if not m:
            sys.exit(f"line {n}: cannot parse at column {pos + 1}: {line[pos:]!r}")
        key, attr, op, val = m.group(1), m.group(2), m.group(3), m.group(4)
        if op in ("==", "!="):
            if key not in MATCH:
                sys.exit(f"line {n}: {key} is not a match key")
            if assigned:
                sys.exit(f"line {n}: match {key} after an assignment")
        else:
            if key not in ASSIGN:
                sys.exit(f"line {n}: {key} cannot be assigned")
            assigned = True
        if key in ("ATTR", "ATTRS", "ENV") and not attr:
            sys.exit(f"line {n}: {key} needs {{name}}")
        keys.append((key + (attr or ""), op, val))
        pos = m.end()
    sets = [k for k, op, v in keys if op == "="]
    if ("ATTR{queue/scheduler}", "=", "xot") not in keys:
        sys.exit(f"line {n}: does not set ATTR{{queue/scheduler}}=\"xot\"")
    if "ATTR{queue/nr_requests}" in sets and sets.index("ATTR{queue/nr_requests}") < sets.index("ATTR{queue/scheduler}"):
        sys.exit(f"line {n}: nr_requests before the scheduler")
    rules += 1
if rules < 1:
    sys.exit("no rule")
print(f"{rules} rules parse")
EOF
	ok "example-udev-rule-syntax ($(cat "$TMP/udev.log"))"
else
	ko example-udev-rule-syntax "$(cat "$TMP/udev.log")"
fi
# systemd >= 253 can check rules itself (Debian 12 has 252: skipped there)
if udevadm verify --help >/dev/null 2>&1; then
	check example-udev-verify udevadm verify "$RULES"
fi

# ---------------------------------------------------------------- dkms.conf
# Read it as DKMS does (sourced by bash, with kernelver and kernel_source_dir).
DK=$TOP/dkms.conf
if conf=$(kernelver=$KVER kernel_source_dir=$KDIR bash -c '
	set -eu
	. "$1"
	[ "$PACKAGE_NAME" = xot ] || { echo "PACKAGE_NAME=$PACKAGE_NAME"; exit 1; }
	[ "$AUTOINSTALL" = yes ] || { echo "AUTOINSTALL is not yes"; exit 1; }
	n=${#BUILT_MODULE_NAME[@]}
	[ $n = ${#BUILT_MODULE_LOCATION[@]} ] && [ $n = ${#DEST_MODULE_LOCATION[@]} ] ||
		{ echo "arrays of different lengths"; exit 1; }
	echo "VERSION=$PACKAGE_VERSION"
	echo "MAKE=${MAKE[0]}"
	echo "PRE_BUILD=$PRE_BUILD"
	for ((i = 0; i < n; i++)); do
		echo "MOD=${BUILT_MODULE_LOCATION[$i]%/}/${BUILT_MODULE_NAME[$i]}"
	done' _ "$DK" 2>&1); then
	ok dkms-conf-reads
else
	ko dkms-conf-reads "$conf"
fi
dver=$(sed -n 's/^VERSION=//p' <<<"$conf")
if [ "$dver" = "$VERSION" ]; then ok dkms-version-is-VERSION; else
	ko dkms-version-is-VERSION "PACKAGE_VERSION '$dver' but VERSION file '$VERSION'"
fi
# BUILT_MODULE_NAME[] are exactly Kbuild's obj-m
mods=$(sed -n 's|^MOD=.*/||p' <<<"$conf" | sort | tr '\n' ' ')
kb=$(sed -n 's/^obj-m := //p' "$TOP/Kbuild" | tr ' ' '\n' | sed -n 's/\.o$//p' | sort | tr '\n' ' ')
if [ -n "$mods" ] && [ "$mods" = "$kb" ]; then ok dkms-modules-are-kbuild-obj-m; else
	ko dkms-modules-are-kbuild-obj-m "dkms.conf: '$mods', Kbuild obj-m: '$kb'"
fi
if grep -q "KDIR=$KDIR " <<<"$conf"; then ok dkms-make-uses-dkms-kernel; else
	ko dkms-make-uses-dkms-kernel "MAKE does not build against $KDIR: $(grep MAKE= <<<"$conf")"
fi

# PRE_BUILD on a half-upgraded machine: a dpkg-query stand-in reports the
# headers and linux-source at different versions; the message names the fix.
mkdir -p "$TMP/bin" "$TMP/kdir/include/config"
echo 6.1.200 >"$TMP/kdir/include/config/kernel.release"
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
pre=$(sed -n 's/^PRE_BUILD=//p' <<<"$conf")
pre=${pre/"$KDIR"/$TMP/kdir}
out=$(cd "$TOP" && env PATH="$TMP/bin:$PATH" $pre 2>&1)
rc=$?
if [ $rc -ne 0 ] && grep -q 'version mismatch' <<<"$out" &&
	grep -q 'apt-get install linux-source-6.1=6.1.200-1' <<<"$out"; then
	ok dkms-prebuild-mismatch-names-package
else
	ko dkms-prebuild-mismatch-names-package "exit $rc: $out"
fi

# The module sources as `make dkms-add` copies them to /usr/src/xot-VERSION.
D=$TMP/dkms
if make -s -C "$TOP" dkms-src DESTDIR="$D/root" >"$TMP/dkms-src.log" 2>&1 &&
	[ -f "$D/root/usr/src/xot-$VERSION/dkms.conf" ]; then
	ok dkms-src
else
	ko dkms-src "$(tail -3 "$TMP/dkms-src.log")"
fi
SRC=$D/root/usr/src/xot-$VERSION
mkdir -p "$D"
if [ ! -f "$SRC/Makefile" ]; then
	how="no sources to build"
	built() { echo "$SRC/$1.ko"; }
elif [ -z "${XOT_TEST_NO_DKMS:-}" ] && command -v dkms >/dev/null; then
	# dkms itself, through `make dkms-install` with temporary source,
	# DKMS and install trees and no depmod; it signs the modules (Debian's
	# dkms), with a key made here instead of /var/lib/dkms/mok.key.
	how="dkms $(dkms --version 2>/dev/null | sed 's/^dkms-//')"
	mkdir -p "$D/tree" "$D/inst/$KVER"
	export mok_signing_key=$D/mok.key mok_certificate=$D/mok.pub
	DO="--sourcetree $D/root/usr/src --dkmstree $D/tree --installtree $D/inst --no-depmod"
	mkdk() { make -C "$TOP" "$@" DESTDIR="$D/root" KVER="$KVER" DKMS_OPTS="$DO"; }
	dk() { dkms "$@" -m xot -v "$VERSION" $DO; }
	if mkdk dkms-install >"$D/build.log" 2>&1 &&
		[ "$(ls "$D/inst/$KVER/updates/dkms/"*.ko 2>/dev/null | wc -l)" = 3 ] &&
		dk status 2>&1 | grep -q "$KVER, .*: installed"; then
		ok "make-dkms-install ($how, into updates/dkms)"
	else
		ko "make-dkms-install ($how)" "installed: $(find "$D/inst" -type f)"
		tail -15 "$D/build.log" | sed 's/^/    /'
		tail -10 "$D/tree/xot/$VERSION/build/make.log" 2>/dev/null | sed 's/^/    /'
	fi
	# a second run rebuilds (new sources, same VERSION)
	if mkdk dkms-install >"$D/build2.log" 2>&1 && grep -q 'Building module' "$D/build2.log"; then
		ok make-dkms-install-again-rebuilds
	else
		ko make-dkms-install-again-rebuilds "$(tail -5 "$D/build2.log")"
	fi
	# a kernel upgrade with linux-source left behind (the dpkg-query
	# stand-in above): dkms fails and shows which package to install
	out=$(PATH="$TMP/bin:$PATH" dk build -k 6.1.0-99-amd64 --kernelsourcedir "$TMP/kdir" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && grep -q 'Fix: apt-get install linux-source-6.1=6.1.200-1' <<<"$out"; then
		ok dkms-build-mismatch-names-package
	else
		ko dkms-build-mismatch-names-package "exit $rc:"
		tail -8 <<<"$out" | sed 's/^/    /'
	fi
	unset mok_signing_key mok_certificate
	outdir=$D/tree/xot/$VERSION/$KVER/$(uname -m)/module
	built() { echo "$outdir/${1##*/}.ko"; }
else
	# No dkms: its MAKE line by hand, the way dkms runs it (in the copy,
	# "make" becomes "make -jN KERNELRELEASE=kernelver").
	how="MAKE line by hand, dkms not installed"
	for t in make-dkms-install make-dkms-install-again-rebuilds dkms-build-mismatch-names-package \
		make-dkms-remove; do
		echo "XOT-SKIP install/$t: needs dkms (apt-get install dkms)"
	done
	mk=$(sed -n 's/^MAKE=//p' <<<"$conf")
	mk=${mk/#make/make -j$(nproc) KERNELRELEASE=$KVER}
	if (cd "$SRC" && $mk) >"$D/build.log" 2>&1; then ok "dkms-make ($how)"; else
		ko "dkms-make ($how)" "$mk"
		tail -15 "$D/build.log" | sed 's/^/    /'
	fi
	built() { echo "$SRC/$1.ko"; }
fi
for m in $(sed -n 's/^MOD=//p' <<<"$conf"); do
	f=$(built "$m")
	vm=$(modinfo -F vermagic "$f" 2>/dev/null)
	if [[ $vm == "$KVER "* ]]; then ok "dkms-built-${m##*/}"; else
		ko "dkms-built-${m##*/}" "$f missing or not for $KVER ($how)"
	fi
done

# make dkms-remove: out of DKMS for every kernel, sources deleted
if [ -n "${DO:-}" ]; then
	if mkdk dkms-remove >"$D/remove.log" 2>&1 && [ -z "$(find "$D/inst" -type f)" ] &&
		[ ! -e "$SRC" ] && [ -z "$(dk status 2>/dev/null)" ]; then
		ok make-dkms-remove
	else
		ko make-dkms-remove "left: $(find "$D/inst" "$SRC" -type f 2>/dev/null | head -5)"
		tail -8 "$D/remove.log" | sed 's/^/    /'
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

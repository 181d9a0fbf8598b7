# SPDX-License-Identifier: GPL-2.0
#
# XoT top-level build. `make` builds the three out-of-tree kernel modules
# against the newest installed Debian linux-headers-*-amd64 (override with
# KDIR=...) and the userspace tools; `make help` lists every target.

SHELL := /bin/bash
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

BUILD := $(TOP)/build

# PLATFORM: which Debian kernel the modules are built for.
#   debian12 (default): the host's installed linux-headers (6.1) and
#     linux-source-6.1, as always.
#   debian13: Linux 6.12 of Debian 13 (trixie), its packages fetched into
#     build/debian13/ by scripts/fetch-trixie.sh (never installed), the
#     kbuild host programs rebuilt for this host's glibc when trixie's do
#     not run (scripts/kbuild-host-tools.sh). Built from Debian 12 with the
#     host's gcc (trixie's kernel was built with gcc-14): KBUILD_D13 below.
PLATFORM ?= debian12
ifeq ($(PLATFORM),debian12)
KDIR ?= $(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64)))
PRIV := $(BUILD)/kernel-private
KBUILD_ARGS :=
PRIV_ENV :=
else ifeq ($(PLATFORM),debian13)
D13 := $(BUILD)/debian13
KDIR ?= $(D13)/kdir
PRIV := $(D13)/kernel-private
# The private headers come from the fetched linux-source-6.12, which must
# be the headers' version (scripts/private-headers.sh checks it). The
# versions are read when the recipe runs: a first build fetches them.
PRIV_ENV := . $(D13)/versions && XOT_LINUX_SOURCE=$(D13)/root/usr/src/linux-source-6.12.tar.xz \
	XOT_LINUX_SOURCE_VERSION=$$DEB13_SOURCE_VERSION XOT_HEADERS_VERSION=$$DEB13_KVERSION
# Cross-release build from a Debian 12 host only (a Debian 13 host has
# gcc-14, pahole and runnable kbuild programs: set KBUILD_D13= there):
#  - CC: the headers ask for x86_64-linux-gnu-gcc-14, which Debian 12 lacks;
#  - CONFIG_CC_HAS_MIN_FUNCTION_ALIGNMENT: gcc-12 has no
#    -fmin-function-alignment; kbuild then uses -falign-functions (as for a
#    kernel built by gcc < 14);
#  - CONFIG_DEBUG_INFO_BTF_MODULES: no BTF for the modules (Debian 12's
#    pahole is older than the one the kernel was built with; BTF is
#    optional for modules that need no BPF type information).
KBUILD_D13 ?= CC=x86_64-linux-gnu-gcc CONFIG_CC_HAS_MIN_FUNCTION_ALIGNMENT= \
	CONFIG_DEBUG_INFO_BTF_MODULES=
KBUILD_ARGS := $(KBUILD_D13)
else
$(error PLATFORM=$(PLATFORM) is not a known platform: use debian12 or debian13)
endif

CC ?= gcc
USER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-Wshadow -Wstrict-prototypes -I$(TOP)/include
SAN_CFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

.PHONY: all modules user check-kdir private-headers clean help test unit stress \
	deps lab-host lab-xen demo checkpatch sparse bench-core bench-host bench-xen bench-real fuzz fuzz-long \
	install uninstall check-kver print-kver dkms-src dkms-add dkms-install dkms-remove

all: modules user

help:
	@echo "XoT make targets:"
	@echo "  make [KDIR=...]     build kernel modules and userspace tools"
	@echo "  make modules        the three kernel modules (xot-iosched, xot-blkback, xot-tagger)"
	@echo "                      and the test-only xot-hostile (tests/hostile-guest/, never installed)"
	@echo "  make user           userspace tools (build/bin: xotctl, ...) and unit tests"
	@echo "  make unit           run the userspace unit tests (core, wire format)"
	@echo "  make test           the whole test suite (as CI runs it)"
	@echo "  make demo           the main job: three Xen guests on one disk, with and without XoT"
	@echo "  make lab-host S=NAME  boot the host lab and run tests/host/NAME.sh"
	@echo "  make lockdep-kernel  build the host lab's lockdep kernel (build/lockdep-kernel, cached)"
	@echo "                      and xot-iosched against it; boot it: make lab-host-lockdep S=NAME"
	@echo "  make lab-xen S=NAME [XEN_ARGS=...]  boot the Xen lab and run tests/xen/NAME/"
	@echo "  make bench-core     userspace micro-benchmark of the scheduling core"
	@echo "  make bench-host     host-lab benchmarks: fairness, latency, overhead of xot vs"
	@echo "                      bfq, io.cost, none, mq-deadline, kyber (~30 min; results/host-*.json;"
	@echo "                      BENCH_ARGS=... passes options to userspace/bench/bench-host.sh)"
	@echo "  make bench-xen      Xen-lab fairness across VMs, guest cgroups and processes:"
	@echo "                      xot+XoT vs xot without the hook, bfq, none (~15 min;"
	@echo "                      results/xen-fairness.json; BENCH_ARGS=... for bench-xen.sh)"
	@echo "  make bench-real     Xen-lab shares under real guest workloads (ext4: fsync, writeback,"
	@echo "                      tar, fstrim; flushes and FUA) with the same configurations (~40 min;"
	@echo "                      results/xen-real.json; bench-xen.sh --steps real, BENCH_ARGS=...)"
	@echo "  make fuzz           libFuzzer harnesses of tests/fuzz/, FUZZ_SECONDS each (default 20)"
	@echo "  make fuzz-long      the long campaign (FUZZ_LONG_SECONDS each, default 3600), grows the corpus"
	@echo "  make stress         long hardening runs (fuzz, starvation, faults, reconnect, hostile guest):"
	@echo "                      results/hardening.json (STRESS_ARGS=--quick: a few minutes)"
	@echo "  make sim            the elevator simulator, build/bin/xot-sim (userspace/sim/README.md)"
	@echo "  make trace          the blktrace analyser, build/bin/xot-trace (README: xot-trace)"
	@echo "  make sparse         sparse (static checker) over the kernel sources"
	@echo "  make checkpatch     kernel style check of the kernel sources"
	@echo "  make deps           install the Debian packages XoT needs (root)"
	@echo "  make install        modules into /lib/modules/KVER/$(XOT_MOD_DIR)/ + depmod, xotctl and"
	@echo "                      xot-trace into PREFIX/bin, examples into PREFIX/share/doc/xot"
	@echo "                      (DESTDIR=... stages without root and without depmod)"
	@echo "  make uninstall      remove what make install installed (same KDIR/KVER, PREFIX, DESTDIR)"
	@echo "  make dkms-install   copy the module sources to /usr/src/xot-VERSION, dkms add, build"
	@echo "                      and install for KVER (rebuilt by DKMS on kernel upgrades)"
	@echo "  make dkms-remove    dkms remove xot/VERSION --all, delete /usr/src/xot-VERSION"
	@echo "  make clean"
	@echo "Variables: PLATFORM (debian12: installed 6.1 headers, default; debian13: Linux 6.12"
	@echo "  of Debian 13, fetched into build/debian13 by scripts/fetch-trixie.sh; OFFLINE=1: cached only),"
	@echo "  KDIR (kernel build dir, default $(KDIR)), W=1 (extra warnings),"
	@echo "  KVER (kernel release, default from KDIR: $(KVER)), PREFIX (default $(PREFIX)), DESTDIR"

deps:
	$(TOP)/scripts/install-deps.sh

check-kdir:
	@if [ -z "$(KDIR)" ]; then \
		echo "error: no kernel headers found in /usr/src/linux-headers-*-amd64." >&2; \
		echo "  Install them (apt-get install linux-headers-amd64) or set KDIR=..." >&2; \
		exit 1; fi
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "error: KDIR=$(KDIR) is not a kernel build directory (no Makefile)." >&2; \
		exit 1; fi

# PLATFORM=debian13: fetch (cached) and unpack trixie's build packages,
# make their kbuild programs runnable here.
.PHONY: platform-prep
platform-prep:
ifeq ($(PLATFORM),debian13)
	@$(TOP)/scripts/fetch-trixie.sh --build-only --extract $(if $(OFFLINE),--offline)
	@$(TOP)/scripts/kbuild-host-tools.sh "$(D13)"
endif

private-headers: platform-prep check-kdir
	@$(PRIV_ENV) $(TOP)/scripts/private-headers.sh "$(KDIR)" "$(PRIV)"

# tests/hostile-guest/: the test-only xot-hostile (a guest attacking dom0),
# its own external-module directory: the install targets never see it. It
# uses xot-iosched's exported symbol, hence the top-level Module.symvers.
# Absent from DKMS's copy of the sources (no tests/): skipped there.
HOSTILE := $(TOP)/tests/hostile-guest

modules: private-headers
	$(MAKE) -C "$(KDIR)" M=$(TOP) XOT_PRIV=$(PRIV) $(KBUILD_ARGS) modules
ifneq ($(wildcard $(HOSTILE)/Kbuild),)
	$(MAKE) -C "$(KDIR)" M=$(HOSTILE) XOT_PRIV=$(PRIV) $(KBUILD_ARGS) \
		KBUILD_EXTRA_SYMBOLS=$(TOP)/Module.symvers modules
endif

# ---------------------------------------------------------------- userspace
# The shared code, compiled unchanged into the modules (see Kbuild) and here.
SHARED_SRC := $(wildcard core/*.c)
SHARED_HDR := $(wildcard include/xot/*.h)
UNIT_BINS := $(patsubst tests/unit/test_%.c,$(BUILD)/tests/unit-%,$(wildcard tests/unit/test_*.c))

TOOL_BINS := $(BUILD)/bin/core-bench $(BUILD)/bin/fairness-report

# The simulator (userspace/sim/): its sources and the shared code unchanged.
SIM_SRC := $(filter-out userspace/sim/main.c,$(wildcard userspace/sim/*.c))
SIM_HDR := $(wildcard userspace/sim/*.h) $(wildcard userspace/common/*.h)
TOOL_BINS += $(BUILD)/bin/xot-sim

# The trace analyser (userspace/trace/): blktrace in, per-entity shares out.
TRACE_SRC := $(filter-out userspace/trace/main.c,$(wildcard userspace/trace/*.c))
TRACE_HDR := $(wildcard userspace/trace/*.h) $(wildcard userspace/common/*.h)
TOOL_BINS += $(BUILD)/bin/xot-trace

# xotctl (userspace/xotctl/): the administration tool, linked with libcgroup.
# Its parsers are unit-tested (tests/unit/test_xotctl.c links XOTCTL_LIB);
# tests/cli/xotctl.sh runs the ASan/UBSan build, build/tests/xotctl-san.
XOTCTL_SRC := $(wildcard userspace/xotctl/*.c)
XOTCTL_HDR := $(wildcard userspace/xotctl/*.h)
XOTCTL_LIB := $(addprefix userspace/xotctl/,util.c json.c tree.c shares.c vbds.c vmw.c)
TOOL_BINS += $(BUILD)/bin/xotctl $(BUILD)/tests/xotctl-san

# Test helpers run inside the labs (no sanitizers: the lab image has no
# sanitizer runtime): tests/tools/.
TEST_TOOLS := $(BUILD)/tests/aio-batch

user: $(UNIT_BINS) $(TOOL_BINS) $(TEST_TOOLS)

$(BUILD)/tests/aio-batch: tests/tools/aio-batch.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $<

# Benchmarks and tools: optimised, no sanitizers.
$(BUILD)/bin/core-bench: userspace/bench/core-bench.c $(SHARED_SRC) $(SHARED_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -O3 -o $@ $< $(SHARED_SRC)

# Shares, errors and ratios of the host-lab benchmarks (also unit-tested:
# tests/unit/test_fairness.c includes it).
$(BUILD)/bin/fairness-report: userspace/bench/fairness-report.c $(wildcard userspace/common/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $< -lm
$(BUILD)/tests/unit-fairness: userspace/bench/fairness-report.c $(wildcard userspace/common/*.h)

bench-core: $(BUILD)/bin/core-bench
	@mkdir -p results
	$(BUILD)/bin/core-bench --out results/core-bench.json \
		--commit $$(git -C $(TOP) rev-parse --short HEAD 2>/dev/null || echo unknown)

.PHONY: sim
sim: $(BUILD)/bin/xot-sim

$(BUILD)/bin/xot-sim: userspace/sim/main.c $(SIM_SRC) $(SIM_HDR) $(SHARED_SRC) $(SHARED_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ userspace/sim/main.c $(SIM_SRC) $(SHARED_SRC) -lm

.PHONY: trace
trace: $(BUILD)/bin/xot-trace

$(BUILD)/bin/xot-trace: userspace/trace/main.c $(TRACE_SRC) $(TRACE_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ userspace/trace/main.c $(TRACE_SRC) -lm

$(BUILD)/bin/xotctl: $(XOTCTL_SRC) $(XOTCTL_HDR) core/weight.c $(SHARED_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $(XOTCTL_SRC) core/weight.c -lcgroup -lm

$(BUILD)/tests/xotctl-san: $(XOTCTL_SRC) $(XOTCTL_HDR) core/weight.c $(SHARED_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_CFLAGS) -o $@ $(XOTCTL_SRC) core/weight.c -lcgroup -lm

bench-host: modules $(BUILD)/bin/fairness-report
	@mkdir -p results
	$(TOP)/userspace/bench/bench-host.sh $(BENCH_ARGS)

bench-xen: modules $(BUILD)/bin/fairness-report
	@mkdir -p results
	$(TOP)/userspace/bench/bench-xen.sh $(BENCH_ARGS)

bench-real: modules $(BUILD)/bin/fairness-report
	@mkdir -p results
	$(TOP)/userspace/bench/bench-xen.sh --steps real $(BENCH_ARGS)

# Every unit test links all of the shared code, under ASan and UBSan.
$(BUILD)/tests/unit-%: tests/unit/test_%.c tests/unit/unit.h $(SHARED_SRC) $(SHARED_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_CFLAGS) -o $@ $< $(SHARED_SRC) -lm

# The simulator's tests also link its sources (not its main) and read its examples.
$(BUILD)/tests/unit-sim: tests/unit/test_sim.c tests/unit/unit.h $(SIM_SRC) $(SIM_HDR) \
		$(SHARED_SRC) $(SHARED_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_CFLAGS) -I$(TOP)/userspace/sim \
		-DSIM_EXAMPLES='"$(TOP)/userspace/sim/examples"' -o $@ $< $(SIM_SRC) $(SHARED_SRC) -lm

# libFuzzer harnesses over the code dom0 runs on guest memory (clang)
FUZZ_BINS := $(patsubst tests/fuzz/fuzz_%.c,$(BUILD)/fuzz/fuzz-%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 20
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror -I$(TOP)/include \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

$(BUILD)/fuzz/fuzz-%: tests/fuzz/fuzz_%.c $(SHARED_SRC) $(SHARED_HDR)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $< $(SHARED_SRC)

fuzz: $(FUZZ_BINS)
	@$(TOP)/tests/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

# the documented long campaign (docs/hardening.md): FUZZ_SECONDS per harness
# the long hardening runs and results/hardening.json (tests/run-stress.sh)
stress:
	@$(TOP)/tests/run-stress.sh $(STRESS_ARGS)

fuzz-long: $(FUZZ_BINS)
	@$(TOP)/tests/run-fuzz.sh --update-corpus $(or $(FUZZ_LONG_SECONDS),3600) $(FUZZ_BINS)

# The trace analyser's tests link its sources (not its main) and compare
# with a golden JSON report.
$(BUILD)/tests/unit-trace: tests/unit/test_trace.c tests/unit/unit.h $(TRACE_SRC) $(TRACE_HDR) \
		tests/unit/data/trace-golden.json
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_CFLAGS) -I$(TOP)/userspace/trace \
		-DTRACE_GOLDEN='"$(TOP)/tests/unit/data/trace-golden.json"' -o $@ $< $(TRACE_SRC) -lm

# xotctl's parsers: tree, shares, vbds, VM weight list, modprobe.d, JSON.
$(BUILD)/tests/unit-xotctl: tests/unit/test_xotctl.c tests/unit/unit.h $(XOTCTL_LIB) \
		$(XOTCTL_HDR) $(SHARED_SRC) $(SHARED_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_CFLAGS) -I$(TOP)/userspace/xotctl -o $@ $< $(XOTCTL_LIB) \
		$(SHARED_SRC) -lm

unit: $(UNIT_BINS)
	@$(TOP)/tests/run-unit.sh $(UNIT_BINS)

test:
	$(TOP)/tests/run-all.sh

lab-host: modules $(BUILD)/bin/xot-trace $(TEST_TOOLS)
	$(TOP)/userspace/lab/host-lab.sh $(S)

# the host lab on a kernel with CONFIG_PROVE_LOCKING (Debian ships none)
.PHONY: lockdep-kernel lab-host-lockdep
lockdep-kernel:
	$(TOP)/userspace/lab/lockdep-kernel.sh

lab-host-lockdep: lockdep-kernel $(BUILD)/bin/xot-trace $(TEST_TOOLS)
	$(TOP)/userspace/lab/host-lab.sh --kernel-tree $(BUILD)/lockdep-kernel $(S)

lab-xen: modules
	$(TOP)/userspace/lab/xen-lab.sh $(XEN_ARGS) $(S)

demo:
	$(TOP)/userspace/demo.sh

# sparse over every kernel source (C=2: check all, rebuilt or not)
sparse: private-headers
	$(MAKE) -C "$(KDIR)" M=$(TOP) XOT_PRIV=$(PRIV) $(KBUILD_ARGS) C=2 CHECK=sparse modules

checkpatch:
	@$(TOP)/scripts/checkpatch.sh

# ------------------------------------------------------------------ install
# Modules go to /lib/modules/KVER/extra/xot/: kbuild's default place for
# external modules. They replace no in-tree module, so they need not sit in
# updates/ (which depmod searches first); DKMS on Debian installs into
# updates/dkms/, so a DKMS install of XoT takes precedence over this one.
# KVER is the release of the kernel KDIR was configured for (its
# utsrelease.h: Debian's include/config/kernel.release says 6.1.192, not
# 6.1.0-56-amd64). Stripped like DKMS does (INSTALL_MOD_STRIP=1). Not
# signed: Debian's headers do not ship the kernel's signing key, so kbuild's
# own signing step is turned off (CONFIG_MODULE_SIG_ALL=); with Secure Boot
# use DKMS, which signs with its MOK key (README: "Install on a real host").
VERSION := $(shell cat $(TOP)/VERSION)
ifndef KVER
KVER := $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
endif
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DOCDIR ?= $(PREFIX)/share/doc/xot
XOT_MOD_DIR := extra/xot
XOT_MODULES := xot-iosched xot-blkback xot-tagger
XOT_TOOLS := xotctl xot-trace
EXAMPLES := $(wildcard $(TOP)/packaging/*)
DEST := $(if $(DESTDIR),$(abspath $(DESTDIR)))
MODDEST := $(DEST)/lib/modules/$(KVER)/$(XOT_MOD_DIR)

check-kver:
	@if [ -z "$(KVER)" ]; then \
		echo "error: cannot tell the kernel release of KDIR=$(KDIR); set KVER=..." >&2; \
		exit 1; fi

# the kernel release make install installs for (tests/cli/install.sh)
print-kver: check-kver
	@echo $(KVER)

install: check-kver modules $(addprefix $(BUILD)/bin/,$(XOT_TOOLS))
	$(MAKE) -C "$(KDIR)" M=$(TOP) XOT_PRIV=$(PRIV) $(KBUILD_ARGS) KERNELRELEASE=$(KVER) \
		INSTALL_MOD_PATH=$(DEST) INSTALL_MOD_DIR=$(XOT_MOD_DIR) INSTALL_MOD_STRIP=1 \
		CONFIG_MODULE_SIG_ALL= DEPMOD=true modules_install
	install -d $(DEST)$(BINDIR) $(DEST)$(DOCDIR)/examples
	install -m 0755 $(addprefix $(BUILD)/bin/,$(XOT_TOOLS)) $(DEST)$(BINDIR)/
	install -m 0644 $(EXAMPLES) $(DEST)$(DOCDIR)/examples/
	install -m 0644 $(TOP)/README.md $(DEST)$(DOCDIR)/
	@if [ -z "$(DEST)" ]; then echo "  DEPMOD  $(KVER)"; depmod -a $(KVER); \
	else echo "  (DESTDIR: no depmod; run 'depmod -a $(KVER)' on the target)"; fi

uninstall: check-kver
	rm -f $(addprefix $(MODDEST)/,$(addsuffix .ko,$(XOT_MODULES))) \
		$(addprefix $(MODDEST)/,$(addsuffix .ko.*,$(XOT_MODULES)))
	@[ ! -d $(MODDEST) ] || rmdir --ignore-fail-on-non-empty $(MODDEST)
	rm -f $(addprefix $(DEST)$(BINDIR)/,$(XOT_TOOLS))
	rm -rf $(DEST)$(DOCDIR)
	@if [ -z "$(DEST)" ]; then echo "  DEPMOD  $(KVER)"; depmod -a $(KVER); fi

# DKMS: dkms.conf builds the modules with `make KDIR=... modules` in a copy
# of these sources (no userspace, no tests). PACKAGE_VERSION in dkms.conf
# must equal VERSION (tests/cli/install.sh checks it).
# DKMS_OPTS: more dkms options, e.g. temporary trees (tests/cli/install.sh:
# --sourcetree, --dkmstree, --installtree, --no-depmod, with DESTDIR).
DKMS_SRC := $(DEST)/usr/src/xot-$(VERSION)
DKMS_OPTS ?=
DKMS_FILES := VERSION dkms.conf Kbuild Makefile README.md scripts include core \
	iosched-xot blkback-hook guest-tagger

dkms-src:
	@grep -qx 'PACKAGE_VERSION="$(VERSION)"' $(TOP)/dkms.conf || { \
		echo "error: PACKAGE_VERSION in dkms.conf is not VERSION ($(VERSION))" >&2; exit 1; }
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)
	tar -C $(TOP) --exclude='*.o' --exclude='*.ko' --exclude='*.mod*' --exclude='.*.cmd' \
		-cf - $(DKMS_FILES) | tar -C $(DKMS_SRC) -xf -

dkms-add: dkms-src
	@if dkms status -m xot -v $(VERSION) $(DKMS_OPTS) | grep -q .; then \
		echo "  xot/$(VERSION) already added to DKMS"; \
	else dkms add -m xot -v $(VERSION) $(DKMS_OPTS); fi

# --force: a second `make dkms-install` (new sources, same VERSION) rebuilds
# and reinstalls; without it dkms skips a version it has built already.
dkms-install: check-kver dkms-add
	dkms build --force -m xot -v $(VERSION) -k $(KVER) $(DKMS_OPTS)
	dkms install --force -m xot -v $(VERSION) -k $(KVER) $(DKMS_OPTS)

dkms-remove:
	-dkms remove -m xot -v $(VERSION) --all $(DKMS_OPTS)
	rm -rf $(DKMS_SRC)

clean:
	-$(MAKE) -C "$(KDIR)" M=$(TOP) clean 2>/dev/null
	-[ ! -f $(HOSTILE)/Kbuild ] || $(MAKE) -C "$(KDIR)" M=$(HOSTILE) clean 2>/dev/null
	rm -rf $(BUILD)

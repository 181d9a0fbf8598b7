# SPDX-License-Identifier: GPL-2.0
#
# XoT top-level build. `make` builds the three out-of-tree kernel modules
# against the newest installed Debian linux-headers-*-amd64 (override with
# KDIR=...) and the userspace tools; `make help` lists every target.

SHELL := /bin/bash
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

KDIR ?= $(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64)))
BUILD := $(TOP)/build
PRIV := $(BUILD)/kernel-private

CC ?= gcc
USER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-Wshadow -Wstrict-prototypes -I$(TOP)/include
SAN_CFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

.PHONY: all modules user check-kdir private-headers clean help test unit \
	deps lab-host lab-xen demo checkpatch sparse bench-core bench-host bench-xen fuzz fuzz-long

all: modules user

help:
	@echo "XoT make targets:"
	@echo "  make [KDIR=...]     build kernel modules and userspace tools"
	@echo "  make modules        the three kernel modules (xot-iosched, xot-blkback, xot-tagger)"
	@echo "  make user           userspace tools (build/bin: xotctl, ...) and unit tests"
	@echo "  make unit           run the userspace unit tests (core, wire format)"
	@echo "  make test           the whole test suite (as CI runs it)"
	@echo "  make demo           the main job: three Xen guests on one disk, with and without XoT"
	@echo "  make lab-host S=NAME  boot the host lab and run tests/host/NAME.sh"
	@echo "  make lab-xen S=NAME [XEN_ARGS=...]  boot the Xen lab and run tests/xen/NAME/"
	@echo "  make bench-core     userspace micro-benchmark of the scheduling core"
	@echo "  make bench-host     host-lab benchmarks: fairness, latency, overhead of xot vs"
	@echo "                      bfq, io.cost, none, mq-deadline, kyber (~30 min; results/host-*.json;"
	@echo "                      BENCH_ARGS=... passes options to userspace/bench/bench-host.sh)"
	@echo "  make bench-xen      Xen-lab fairness across VMs, guest cgroups and processes:"
	@echo "                      xot+XoT vs xot without the hook, bfq, none (~15 min;"
	@echo "                      results/xen-fairness.json; BENCH_ARGS=... for bench-xen.sh)"
	@echo "  make fuzz           libFuzzer harnesses of tests/fuzz/, FUZZ_SECONDS each (default 20)"
	@echo "  make fuzz-long      the long campaign (FUZZ_LONG_SECONDS each, default 3600), grows the corpus"
	@echo "  make sim            the elevator simulator, build/bin/xot-sim (userspace/sim/README.md)"
	@echo "  make trace          the blktrace analyser, build/bin/xot-trace (README: xot-trace)"
	@echo "  make sparse         sparse (static checker) over the kernel sources"
	@echo "  make checkpatch     kernel style check of the kernel sources"
	@echo "  make deps           install the Debian packages XoT needs (root)"
	@echo "  make clean"
	@echo "Variables: KDIR (kernel build dir, default $(KDIR)), W=1 (extra warnings)"

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

private-headers: check-kdir
	@$(TOP)/scripts/private-headers.sh "$(KDIR)" "$(PRIV)"

modules: private-headers
	$(MAKE) -C "$(KDIR)" M=$(TOP) XOT_PRIV=$(PRIV) modules

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

user: $(UNIT_BINS) $(TOOL_BINS)

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

lab-host: modules $(BUILD)/bin/xot-trace
	$(TOP)/userspace/lab/host-lab.sh $(S)

lab-xen: modules
	$(TOP)/userspace/lab/xen-lab.sh $(XEN_ARGS) $(S)

demo:
	$(TOP)/userspace/demo.sh

# sparse over every kernel source (C=2: check all, rebuilt or not)
sparse: private-headers
	$(MAKE) -C "$(KDIR)" M=$(TOP) XOT_PRIV=$(PRIV) C=2 CHECK=sparse modules

checkpatch:
	@$(TOP)/scripts/checkpatch.sh

clean:
	-$(MAKE) -C "$(KDIR)" M=$(TOP) clean 2>/dev/null
	rm -rf $(BUILD)

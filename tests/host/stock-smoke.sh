#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Baseline of the host lab itself: the smoke test (tests/host/smoke.sh) with
# the stock mq-deadline elevator instead of xot, and its rmmod checks on the
# stock bfq module. If this fails, the lab is broken, not xot.
#   userspace/lab/host-lab.sh stock-smoke

export SMOKE_SCHED=mq-deadline SMOKE_RMMOD_SCHED=bfq SMOKE_RMMOD_MODULE=bfq
exec bash /tests/host/smoke.sh "$@"

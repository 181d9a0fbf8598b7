#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo, guest side: read 4 KiB blocks at random from the disk (blkfront
# -> blkback -> dom0's xot elevator) as fast as possible, for DEMO_RUNTIME
# seconds (default 30). Results: fio.txt, fio.terse.
RUNTIME=${DEMO_RUNTIME:-30}

fio --name=demo-$XOT_DOMU --filename="$XOT_DISK" --size=128m --rw=randread \
	--bs=4k --ioengine=libaio --iodepth=16 --direct=1 --runtime="$RUNTIME" \
	--time_based --output-format=normal,terse --terse-version=3 >/tmp/fio.out 2>&1
rc=$?
grep -v '^3;' /tmp/fio.out >"$XOT_RESULTS/fio.txt"
grep '^3;' /tmp/fio.out >"$XOT_RESULTS/fio.terse"
iops=$(awk -F';' '{ print $8 }' "$XOT_RESULTS/fio.terse")
echo "demo: $XOT_DOMU read ${iops:-0} IOPS (fio rc=$rc)"
if [ "$rc" = 0 ] && [ "${iops:-0}" != 0 ]; then
	echo "XOT-PASS demo-fio $XOT_DOMU ${iops} IOPS"
else
	echo "XOT-FAIL demo-fio $XOT_DOMU rc=$rc"
	exit 1
fi

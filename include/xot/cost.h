/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Service cost of a request, in scheduling-core units: a fixed part per
 * request and a part per 4 KiB moved, so that large requests cannot buy an
 * unfair share of the device by being few, nor many small ones an unfair
 * share of its operations. Shared by the xot elevator (iosched-xot/) and the
 * userspace simulator (userspace/sim/), which must charge exactly alike.
 */
#ifndef _XOT_COST_H
#define _XOT_COST_H

#include <xot/compat.h>

#define XOT_COST_PER_REQUEST	8
/* 4 KiB in 512-byte sectors, as a shift (12 - SECTOR_SHIFT) */
#define XOT_COST_SHIFT_4K	(12 - 9)

#if defined(__KERNEL__) && defined(SECTOR_SHIFT)
static_assert(XOT_COST_SHIFT_4K == 12 - SECTOR_SHIFT);
#endif

/* The cost of a request of @sectors 512-byte sectors. */
static inline u64 xot_cost_of_sectors(u64 sectors)
{
	return XOT_COST_PER_REQUEST + (sectors >> XOT_COST_SHIFT_4K);
}

#endif /* _XOT_COST_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xot-blkback's kernel compatibility: what this module reads of
 * xen-blkback's private structures (drivers/block/xen-blkback/common.h,
 * taken from linux-source at build time) and differs between Debian 12's
 * Linux 6.1 and Debian 13's Linux 6.12 (docs/platforms.md, with file:line
 * in both trees). One comment per trick: why, and what breaks it.
 *
 * Still outside this file (docs/platforms.md, "Left"): the other reads of
 * struct xen_blkif / xen_blkif_ring (hook.c: ring->blkif, blkif->rings,
 * blkif->domid, blkif->vbd.handle, unchanged in 6.12), the kthread_func()
 * test against xen_blkif_schedule found by kprobe (hook.c, vbd.c), the
 * block_bio_queue tracepoint found by name (include/xot/ktracepoint.h), and
 * the load-time layout checks the platforms issue asks for (none yet).
 */
#ifndef _XOT_BLKBACK_COMPAT_H
#define _XOT_BLKBACK_COMPAT_H

#include <linux/version.h>
#include <linux/blkdev.h>

#include <xen-blkback/common.h>

#define XOT_KERNEL_6_12	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0))

/*
 * The block device a vbd's bios go to. 6.1: struct xen_vbd holds it as
 * "struct block_device *bdev"; 6.12 holds the opened file, "struct file
 * *bdev_file" (bdev_file_open_by_dev()), and file_bdev() gives the device.
 * Same offset in both (a pointer in the same place of struct xen_vbd).
 * Runs in the block_bio_queue probe of a blkback ring thread, whose vbd
 * cannot be closed under it (xen_vbd_free() runs after the ring threads
 * stopped). Breaks: xen_vbd reorganised, or a vbd without an open device.
 */
static inline struct block_device *xot_vbd_bdev(const struct xen_blkif *blkif)
{
#if XOT_KERNEL_6_12
	return file_bdev(blkif->vbd.bdev_file);
#else
	return blkif->vbd.bdev;
#endif
}

#endif /* _XOT_BLKBACK_COMPAT_H */

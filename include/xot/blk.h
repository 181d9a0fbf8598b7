/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest tagger and the dom0 hook must agree on about the block
 * layer and xen-blkback, in one place so that the two sides cannot drift
 * apart: the record op of a block operation, and the handle blkback knows
 * a virtual disk by. Pure functions, compiled into both modules and into
 * the userspace unit tests (tests/unit/test_blk.c).
 */
#ifndef _XOT_BLK_H
#define _XOT_BLK_H

#include <xot/compat.h>
#include <xot/wire.h>

#ifdef __KERNEL__
#include <linux/blk_types.h>
#else
/* the block layer's operations, as in Linux 6.1 (only the names matter) */
enum req_op {
	REQ_OP_READ = 0,
	REQ_OP_WRITE = 1,
	REQ_OP_FLUSH = 2,
	REQ_OP_DISCARD = 3,
	REQ_OP_SECURE_ERASE = 5,
	REQ_OP_WRITE_ZEROES = 9,
	REQ_OP_ZONE_OPEN = 10,
	REQ_OP_DRV_IN = 34,
};
#endif

/*
 * The record op (enum xot_op) of block operation @op of @nr_sectors
 * sectors; false if XoT has no op for it. The guest passes its request
 * (blk-mq's REQ_OP_FLUSH for a flush), dom0 the bio blkback submits for
 * it, so every rule must give both the same answer:
 *  - blkfront sends a secure erase as BLKIF_OP_DISCARD with
 *    BLKIF_DISCARD_SECURE and blkback submits it as REQ_OP_SECURE_ERASE
 *    (blkdev_issue_secure_erase()): both sides call it DISCARD;
 *  - blkback turns a guest flush into an empty WRITE|PREFLUSH bio: an
 *    empty write is a FLUSH.
 */
static inline bool xot_op_of_blk(enum req_op op, u32 nr_sectors, u8 *out)
{
	switch (op) {
	case REQ_OP_READ:
		*out = XOT_OP_READ;
		return true;
	case REQ_OP_WRITE:
		*out = nr_sectors ? XOT_OP_WRITE : XOT_OP_FLUSH;
		return true;
	case REQ_OP_FLUSH:
		*out = XOT_OP_FLUSH;
		return true;
	case REQ_OP_DISCARD:
	case REQ_OP_SECURE_ERASE:
		*out = XOT_OP_DISCARD;
		return true;
	case REQ_OP_WRITE_ZEROES:
		*out = XOT_OP_WRITE_ZEROES;
		return true;
	default:
		return false;
	}
}

/* Extended virtual-device numbers: (1 << 28) | (disk << 8) | partition */
#define XOT_VDEV_EXT		(1U << 28)

/*
 * The handle xen-blkback gives the vbd whose xenstore directory (and
 * frontend's, and the frontend's virtual-device key) is named @devid:
 * blkback parses the frontend directory's name with kstrtoul() and stores
 * it in vbd.handle, a blkif_vdev_t (16 bits). A legacy number (xvda:
 * 202 << 8) fits; an extended one (xvdq and beyond, or any disk an
 * administrator names by number) keeps its low 16 bits only, so dom0 must
 * compare handles, not devids, to find the vbd a ring thread serves.
 */
static inline u16 xot_vdev_handle(u32 devid)
{
	return (u16)devid;
}

#endif /* _XOT_BLK_H */

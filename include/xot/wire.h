/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XoT wire format: the records a guest publishes to dom0 beside the blkif
 * ring, one per blkif request. This header is the single definition used by
 * the guest tagger (encoder), the dom0 hook (decoder), the tools and tests.
 *
 * All fields are little-endian. A record is 64 bytes; every byte of it is
 * defined, and reserved bytes must be zero (so a future version can give
 * them a meaning). The guest is untrusted: dom0 copies a record once out of
 * shared memory and only then validates the copy (xot_record_decode()).
 * docs/PROTOCOL.md specifies the channel around these records.
 */
#ifndef _XOT_WIRE_H
#define _XOT_WIRE_H

#include <xot/compat.h>

#define XOT_WIRE_MAGIC		0x31544f58U	/* "XOT1" little-endian */
#define XOT_WIRE_VERSION	1
#define XOT_RECORD_SIZE		64

/* operations, as the guest's block layer saw them */
enum xot_op {
	XOT_OP_READ = 0,
	XOT_OP_WRITE = 1,
	XOT_OP_FLUSH = 2,	/* empty flush: no sector, no length */
	XOT_OP_DISCARD = 3,
	XOT_OP_WRITE_ZEROES = 4,
	XOT_OP_MAX = XOT_OP_WRITE_ZEROES,
};

/* record flags */
#define XOT_REC_F_SYNC		(1U << 0)	/* issuer waits for it */
#define XOT_REC_F_META		(1U << 1)	/* filesystem metadata */
#define XOT_REC_F_FUA		(1U << 2)
#define XOT_REC_F_PREFLUSH	(1U << 3)
#define XOT_REC_F_WRITEBACK	(1U << 4)	/* charged to the page owner, not the issuer */
#define XOT_REC_F_ALL		0x1fU

/* limits dom0 enforces */
/*
 * Longest read or write: 512 MiB, far above any blkif request. A discard or
 * write-zeroes may cover a whole disk: any length the u32 field holds.
 */
#define XOT_MAX_SECTORS		(1U << 20)
#define XOT_MAX_TGID		(4U << 20)	/* PID_MAX_LIMIT on 64-bit */
#define XOT_MAX_RING		64		/* blkif rings per vbd */

/* ioprio as the kernel encodes it: class in bits 13..15, level in 0..2 */
#define XOT_IOPRIO_CLASS(p)	(((p) >> 13) & 0x7)
#define XOT_IOPRIO_LEVEL(p)	((p) & 0x1fff)
#define XOT_IOPRIO_CLASS_MAX	3		/* none, rt, be, idle */
#define XOT_IOPRIO_LEVEL_MAX	7

/* One record as it lies in shared memory. */
struct xot_record_wire {
	__le64 seq;		/* free-running record number; slot = seq % nr_slots */
	__le64 sector;		/* first 512-byte sector, as in the blkif request */
	__le64 cgroup_id;	/* guest cgroup (kernfs inode number), never 0 */
	__le32 nr_sectors;	/* length in 512-byte sectors; 0 only for FLUSH */
	__le32 tgid;		/* issuing process in the guest; 0 = kernel/unknown */
	__le32 weight;		/* the guest cgroup's io.xot.weight, 1..10000 */
	__le32 ring;		/* blkif ring (queue) index */
	__le16 ioprio;		/* IOPRIO_PRIO_VALUE(class, level) */
	u8 op;		/* enum xot_op */
	u8 flags;	/* XOT_REC_F_* */
	u8 reserved[20];	/* must be zero */
};

_Static_assert(sizeof(struct xot_record_wire) == XOT_RECORD_SIZE,
	       "XoT record must be 64 bytes");

/* The same record, decoded and validated, in host order. */
struct xot_record {
	u64 seq;
	u64 sector;
	u64 cgroup_id;
	u32 nr_sectors;
	u32 tgid;
	u32 weight;
	u32 ring;
	u16 ioprio;
	u8 op;
	u8 flags;
};

/* Why a record was rejected; 0 means valid. */
enum xot_wire_err {
	XOT_WIRE_OK = 0,
	XOT_WIRE_ESEQ,		/* not the record expected next */
	XOT_WIRE_EOP,		/* unknown operation */
	XOT_WIRE_EFLAGS,	/* unknown flag bits */
	XOT_WIRE_ELEN,		/* length out of range for the operation */
	XOT_WIRE_EWEIGHT,	/* weight outside 1..10000 */
	XOT_WIRE_EIOPRIO,	/* bad ioprio class or level */
	XOT_WIRE_ECGROUP,	/* cgroup id 0 */
	XOT_WIRE_ETGID,		/* tgid out of range */
	XOT_WIRE_ERING,		/* ring index out of range */
	XOT_WIRE_ERESERVED,	/* reserved bytes not zero */
	XOT_WIRE_NR_ERRORS
};

/*
 * Copy the record at @shared once (the guest may rewrite it at any moment)
 * and validate the copy. seq is read before and after the copy, with read
 * barriers between (docs/PROTOCOL.md, "Ordering"): a copy taken while the
 * slot was being reused is XOT_WIRE_ESEQ. On XOT_WIRE_OK, @out holds the record; otherwise
 * @out is undefined and the caller must not use it.
 */
enum xot_wire_err xot_record_decode(const void *shared, u64 expect_seq,
				    struct xot_record *out);

/* A short, stable name for an error, for statistics and logs. */
const char *xot_wire_strerror(enum xot_wire_err err);

/* Encode @r into @w (guest side). Reserved bytes are zeroed. */
static inline void xot_record_encode(struct xot_record_wire *w,
				     const struct xot_record *r)
{
	memset(w, 0, sizeof(*w));
	w->seq = cpu_to_le64(r->seq);
	w->sector = cpu_to_le64(r->sector);
	w->cgroup_id = cpu_to_le64(r->cgroup_id);
	w->nr_sectors = cpu_to_le32(r->nr_sectors);
	w->tgid = cpu_to_le32(r->tgid);
	w->weight = cpu_to_le32(r->weight);
	w->ring = cpu_to_le32(r->ring);
	w->ioprio = cpu_to_le16(r->ioprio);
	w->op = r->op;
	w->flags = r->flags;
}

#endif /* _XOT_WIRE_H */

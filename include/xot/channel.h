/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The XoT channel: how a guest's records (include/xot/wire.h) reach dom0,
 * and how dom0 matches them to the requests xen-blkback submits.
 *
 * One channel per virtual disk; inside it one record ring per blkif ring.
 * A record ring is 2^order pages granted read-only to the backend domain.
 * Slot 0 of its first page is a header; records live in slots 1..nr_slots,
 * record number `seq` in slot 1 + seq % nr_slots. The guest is the only
 * writer; dom0 never writes to the ring, it keeps its read position to
 * itself. No event channel: dom0 reads the next record when blkback hands
 * it the next request. docs/PROTOCOL.md is the specification; this header
 * and core/channel.c are its one implementation, used by both modules, the
 * tests and the fuzzers.
 */
#ifndef _XOT_CHANNEL_H
#define _XOT_CHANNEL_H

#include <xot/compat.h>
#include <xot/wire.h>

#define XOT_CHAN_PAGE_SIZE	4096U
#define XOT_CHAN_MAX_ORDER	4	/* 16 pages, 1023 records per ring */
#define XOT_RING_MAGIC		0x52544f58U	/* "XOTR" little-endian */

/* Records per ring of 2^order pages: every 64-byte slot but the header. */
#define XOT_CHAN_SLOTS(order) \
	(((XOT_CHAN_PAGE_SIZE / XOT_RECORD_SIZE) << (order)) - 1)

/* Header: slot 0 of page 0. Written by the guest only. */
struct xot_ring_header {
	__le32 magic;		/* XOT_RING_MAGIC */
	__le16 version;		/* XOT_WIRE_VERSION */
	__le16 order;		/* log2 of the ring's pages */
	__le32 ring;		/* blkif ring index */
	__le32 reserved0;
	__le64 prod;		/* records published (free-running) */
	u8 reserved[40];	/* zero */
};

_Static_assert(sizeof(struct xot_ring_header) == XOT_RECORD_SIZE,
	       "XoT ring header fills one slot");

/*
 * xenstore keys. The backend writes XOT_XS_FEATURE in its own directory
 * when it can read XoT rings; the frontend then writes, in its own
 * directory and in one transaction, the ring order, the number of rings,
 * one grant reference per page of each ring, and XOT_XS_VERSION last.
 * A frontend withdraws the channel by removing XOT_XS_VERSION.
 */
#define XOT_XS_FEATURE		"feature-xot"		/* backend: highest version read */
#define XOT_XS_VERSION		"xot-version"		/* frontend: version written */
#define XOT_XS_ORDER		"xot-ring-order"	/* frontend: 0..XOT_CHAN_MAX_ORDER */
#define XOT_XS_NR_RINGS		"xot-nr-rings"		/* frontend: 1..XOT_MAX_RING */
#define XOT_XS_REF_FMT		"xot-ring-ref-%u-%u"	/* frontend: ring, page */

/*
 * Matching. Records are published in the order the guest's block layer
 * issues requests; blkback takes them from the blkif ring in ring order.
 * The two orders can differ by the few requests that CPUs issue at the same
 * instant, so dom0 looks at a window of records, not only the next one.
 */
#define XOT_CHAN_WINDOW		32	/* records dom0 looks ahead */
#define XOT_CHAN_REORDER	8	/* an unmatched record this far behind a match is dropped */

/* A dom0 request, as blkback submitted it (its first bio). */
struct xot_chan_req {
	u64 sector;		/* guest-visible sector (partition offset removed) */
	u32 nr_sectors;		/* 0 for an empty flush */
	u8 op;			/* enum xot_op */
};

/* Per-ring consumer state, private to dom0. */
struct xot_chan_consumer {
	/* the ring's pages as dom0 maps them: not contiguous (read-only) */
	const u8 *page[1U << XOT_CHAN_MAX_ORDER];
	u32 nr_slots;
	u64 next_seq;		/* oldest record not yet matched or dropped */
	u32 done;		/* bit k: record next_seq + k matched or dropped */
	/* the request matched last, for bios continuing it */
	struct xot_record cur;
	u64 cur_next;		/* sector the next continuing bio starts at */
	bool cur_valid;
	/* statistics */
	u64 matched;
	u64 continued;		/* bios of an already matched request */
	u64 unmatched;		/* requests with no record */
	u64 dropped;		/* records no request matched */
	u64 rejected[XOT_WIRE_NR_ERRORS];
};

enum xot_chan_result {
	XOT_CHAN_UNMATCHED = 0,	/* no record: charge the VM only */
	XOT_CHAN_MATCHED,	/* a new request matched record *out */
	XOT_CHAN_CONTINUED,	/* another bio of the request matched last */
};

/*
 * Validate a ring's header as dom0 maps it. Returns 0 or a negative errno
 * (-EINVAL). @order is what the frontend wrote in xenstore.
 */
int xot_chan_check_header(const void *page0, u32 order, u32 ring);

/*
 * Start consuming a mapped ring from the guest's current position. @pages
 * holds the 2^@order page addresses, in ring order (dom0 maps each granted
 * page on its own: no contiguous mapping is needed).
 */
void xot_chan_consumer_init(struct xot_chan_consumer *c,
			    const void *const *pages, u32 order);

/*
 * Find the record of a bio blkback is submitting for this ring. A bio that
 * starts where the last matched request's previous bio ended, inside that
 * request, continues it (blkback splits large requests into several bios);
 * any other bio starts a new request and is matched against the window of
 * records by (op, sector, length). @out receives the validated record.
 */
enum xot_chan_result xot_chan_match(struct xot_chan_consumer *c,
				    const struct xot_chan_req *req,
				    struct xot_record *out);

/*
 * Guest side: initialise a ring of 2^@order pages at @base: the header, and
 * every slot's sequence number set to all ones, which no record carries, so
 * that dom0 never takes an unwritten slot for a record.
 */
static inline void xot_chan_ring_init(void *base, u32 order, u32 ring)
{
	struct xot_ring_header *h = base;
	struct xot_record_wire *slot = (struct xot_record_wire *)base + 1;
	u32 i;

	memset(base, 0, XOT_CHAN_PAGE_SIZE << order);
	for (i = 0; i < XOT_CHAN_SLOTS(order); i++)
		slot[i].seq = cpu_to_le64(~0ULL);
	h->magic = cpu_to_le32(XOT_RING_MAGIC);
	h->version = cpu_to_le16(XOT_WIRE_VERSION);
	h->order = cpu_to_le16(order);
	h->ring = cpu_to_le32(ring);
}

/*
 * Guest side: publish @r (r->seq is the ring's next record number) in a
 * ring of @nr_slots records at @base. The record's body is written first
 * and its sequence number last, so dom0 never takes a half-written record
 * for the one it expects; then the header's prod counts it. The caller
 * serialises publishers of one ring.
 */
static inline void xot_chan_publish(void *base, u32 nr_slots,
				    const struct xot_record *r)
{
	struct xot_record_wire *slot = (struct xot_record_wire *)base + 1 +
				       (u32)(r->seq % nr_slots);
	struct xot_record_wire w;

	xot_record_encode(&w, r);
	/* invalidate the slot's old record before rewriting its body */
	WRITE_ONCE(slot->seq, cpu_to_le64(~0ULL));
	xot_wmb();
	memcpy((u8 *)slot + sizeof(w.seq), (u8 *)&w + sizeof(w.seq),
	       sizeof(w) - sizeof(w.seq));
	xot_wmb();
	WRITE_ONCE(slot->seq, w.seq);
	WRITE_ONCE(((struct xot_ring_header *)base)->prod,
		   cpu_to_le64(r->seq + 1));
}

#endif /* _XOT_CHANNEL_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of include/xot/blk.h: the two sides' shared view of the block
 * layer. The guest records a request with xot_op_of_blk(req_op(rq), ...),
 * dom0 looks the record up with xot_op_of_blk(bio_op(bio), ...) for the bio
 * blkback submits for that request; each pair below is what blkback really
 * submits (drivers/block/xen-blkback/blkback.c in 6.1), and the record must
 * match it through the channel. And the handle blkback knows a vbd by,
 * including extended device numbers (xvdq and beyond).
 */
#include <stddef.h>
#include <stdint.h>

#include <xot/blk.h>
#include <xot/channel.h>
#include "unit.h"

static _Alignas(64) u8 ring_mem[XOT_CHAN_PAGE_SIZE];

/* a guest request and the bio blkback submits for it */
struct pair {
	const char *what;
	enum req_op guest_op;
	u32 guest_sectors;
	enum req_op dom0_op;
	u32 dom0_sectors;
	u8 want;
};

static const struct pair pairs[] = {
	{ "read", REQ_OP_READ, 8, REQ_OP_READ, 8, XOT_OP_READ },
	{ "write", REQ_OP_WRITE, 8, REQ_OP_WRITE, 8, XOT_OP_WRITE },
	/* blkback: a flush is an empty WRITE|PREFLUSH bio */
	{ "flush", REQ_OP_FLUSH, 0, REQ_OP_WRITE, 0, XOT_OP_FLUSH },
	{ "discard", REQ_OP_DISCARD, 64, REQ_OP_DISCARD, 64, XOT_OP_DISCARD },
	/* blkfront: BLKIF_OP_DISCARD + BLKIF_DISCARD_SECURE; blkback: secure erase */
	{ "secure_erase", REQ_OP_SECURE_ERASE, 64, REQ_OP_SECURE_ERASE, 64,
	  XOT_OP_DISCARD },
	{ "write_zeroes", REQ_OP_WRITE_ZEROES, 64, REQ_OP_WRITE_ZEROES, 64,
	  XOT_OP_WRITE_ZEROES },
};

static void test_ops_agree(void)
{
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const struct pair *p = &pairs[i];
		u8 g = 0xff, d = 0xff;

		CHECKF(xot_op_of_blk(p->guest_op, p->guest_sectors, &g) && g == p->want,
		       "%s: guest op %u", p->what, g);
		CHECKF(xot_op_of_blk(p->dom0_op, p->dom0_sectors, &d) && d == p->want,
		       "%s: dom0 op %u", p->what, d);
	}
}

/* Each pair, end to end: the guest's record matches dom0's bio. */
static void test_ops_match_through_channel(void)
{
	const void *pages[1] = { ring_mem };
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const struct pair *p = &pairs[i];
		struct xot_chan_consumer c;
		struct xot_chan_req req = { 0 };
		struct xot_record r = {
			.seq = 0, .cgroup_id = 9, .tgid = 1, .weight = 100,
		}, out;

		xot_chan_ring_init(ring_mem, 0, 0);
		xot_chan_consumer_init(&c, pages, 0);
		CHECK(xot_op_of_blk(p->guest_op, p->guest_sectors, &r.op));
		if (r.op != XOT_OP_FLUSH) {
			r.sector = 4096;
			r.nr_sectors = p->guest_sectors;
		}
		xot_chan_publish(ring_mem, XOT_CHAN_SLOTS(0), &r);
		CHECK(xot_op_of_blk(p->dom0_op, p->dom0_sectors, &req.op));
		req.nr_sectors = p->dom0_sectors;
		req.sector = p->dom0_sectors ? 4096 : 0;
		CHECKF(xot_chan_match(&c, &req, &out) == XOT_CHAN_MATCHED,
		       "%s: unmatched", p->what);
		CHECK(c.rejected[XOT_WIRE_EOP] == 0 && c.rejected[XOT_WIRE_ELEN] == 0);
	}
}

/* Operations XoT has no op for get no record, on either side. */
static void test_ops_unknown(void)
{
	u8 op = 0xff;

	CHECK(!xot_op_of_blk(REQ_OP_ZONE_OPEN, 0, &op));
	CHECK(!xot_op_of_blk(REQ_OP_DRV_IN, 8, &op));
	CHECK(op == 0xff);
}

static void test_vdev_handle(void)
{
	/* legacy numbers: blkback's handle is the devid */
	CHECK(xot_vdev_handle(51712) == 51712);		/* xvda: 202 << 8 */
	CHECK(xot_vdev_handle(51713) == 51713);		/* xvda1 */
	CHECK(xot_vdev_handle(51952) == 51952);		/* xvdp: 202 << 8 | 15 << 4 */
	CHECK(xot_vdev_handle(768) == 768);		/* hda: 3 << 8 */
	/* extended: (1 << 28) | disk << 8 | partition, cut to 16 bits */
	CHECK(xot_vdev_handle(XOT_VDEV_EXT | 16 << 8) == 0x1000);	/* xvdq */
	CHECK(xot_vdev_handle(XOT_VDEV_EXT | 16 << 8 | 3) == 0x1003);	/* xvdq3 */
	CHECK(xot_vdev_handle(XOT_VDEV_EXT | 26 << 8) == 0x1a00);	/* xvdaa */
	CHECK(xot_vdev_handle(268439552) == 4096);	/* xvdq as xl writes it */
	/* disk 256 and disk 0 share a handle: blkback cannot tell them apart */
	CHECK(xot_vdev_handle(XOT_VDEV_EXT | 256 << 8) ==
	      xot_vdev_handle(XOT_VDEV_EXT | 0 << 8));
}

static const struct unit_test tests[] = {
	{ "ops_agree", test_ops_agree },
	{ "ops_match_through_channel", test_ops_match_through_channel },
	{ "ops_unknown", test_ops_unknown },
	{ "vdev_handle", test_vdev_handle },
};

UNIT_MAIN("blk", tests)

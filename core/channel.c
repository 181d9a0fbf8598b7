// SPDX-License-Identifier: GPL-2.0
/*
 * XoT channel, dom0 side: finding a guest's record for each request that
 * xen-blkback submits (the matching rule of docs/PROTOCOL.md).
 *
 * The ring is guest memory: any byte may change at any moment. Every read
 * goes through xot_record_decode(), which copies a record once and checks
 * the copy; the consumer's own position and bitmap never depend on a value
 * read twice. Whatever the guest writes, a call does at most
 * XOT_CHAN_WINDOW decodes and the state stays within its bounds; the worst
 * a guest can do is leave its own requests unmatched (charged to its VM
 * alone). Compiled into xot-blkback and into the userspace tests/fuzzers.
 */
#include <xot/channel.h>

int xot_chan_check_header(const void *page0, u32 order, u32 ring)
{
	struct xot_ring_header h;

	memcpy(&h, page0, sizeof(h));
	if (order > XOT_CHAN_MAX_ORDER || ring >= XOT_MAX_RING)
		return -EINVAL;
	if (le32_to_cpu(h.magic) != XOT_RING_MAGIC ||
	    le16_to_cpu(h.version) != XOT_WIRE_VERSION ||
	    le16_to_cpu(h.order) != order || le32_to_cpu(h.ring) != ring)
		return -EINVAL;
	return 0;
}

void xot_chan_consumer_init(struct xot_chan_consumer *c,
			    const void *const *pages, u32 order)
{
	struct xot_ring_header h;
	u32 i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < (1U << order) && i < (1U << XOT_CHAN_MAX_ORDER); i++)
		c->page[i] = pages[i];
	c->nr_slots = XOT_CHAN_SLOTS(order);
	memcpy(&h, pages[0], sizeof(h));
	/* records published before dom0 looked are not for requests it will see */
	c->next_seq = le64_to_cpu(h.prod);
}

/* Slot @i of the ring: page i / slots-per-page, at its offset there. */
static const void *slot_addr(const struct xot_chan_consumer *c, u32 i)
{
	const u32 per_page = XOT_CHAN_PAGE_SIZE / XOT_RECORD_SIZE;

	return c->page[i / per_page] + XOT_RECORD_SIZE * (i % per_page);
}

static bool record_matches(const struct xot_record *r,
			   const struct xot_chan_req *req)
{
	if (r->op != req->op)
		return false;
	if (r->op == XOT_OP_FLUSH)
		return req->nr_sectors == 0;
	/* the first bio of a request starts at its sector, and may be shorter */
	return r->sector == req->sector && req->nr_sectors &&
	       req->nr_sectors <= r->nr_sectors;
}

/* Drop @n records from the front of the window, counting unmatched ones. */
static void window_advance(struct xot_chan_consumer *c, unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n; k++)
		if (!(c->done & (1U << k)))
			c->dropped++;
	c->next_seq += n;
	c->done = n >= 32 ? 0 : c->done >> n;
}

/* Slide past the records at the front that are matched or rejected. */
static void window_settle(struct xot_chan_consumer *c)
{
	unsigned int n = 0;

	while (n < XOT_CHAN_WINDOW && (c->done & (1U << n)))
		n++;
	c->next_seq += n;
	c->done = n >= 32 ? 0 : c->done >> n;
}

/* True if slot of record @seq holds that record now (its seq, nothing else). */
static bool seq_present(const struct xot_chan_consumer *c, u64 seq)
{
	const struct xot_record_wire *w =
		slot_addr(c, 1 + (u32)(seq % c->nr_slots));

	return le64_to_cpu(READ_ONCE(w->seq)) == seq;
}

/*
 * Record next_seq + @k is not in its slot. Either the guest has not
 * published it yet, and then no newer record is there either, or it never
 * will (a guest that skipped the number, or a slot already reused): then a
 * newer record is there, since an honest guest publishes in order. Returns
 * the highest window position holding evidence of a newer record (used or
 * present now), or @k if there is none. The caller reads the missing slots
 * again after this (xot_rmb() here orders those reads after the ones that
 * found the newer record), so a record published in between is not taken
 * for a hole. A retracted record (docs/PROTOCOL.md) is never a hole: it is
 * taken back only while it is the newest.
 */
static unsigned int newest_beyond(const struct xot_chan_consumer *c,
				  unsigned int k)
{
	unsigned int j, hi = k;

	for (j = k + 1; j < XOT_CHAN_WINDOW; j++)
		if ((c->done & (1U << j)) || seq_present(c, c->next_seq + j))
			hi = j;
	xot_rmb();
	return hi;
}

static bool continues_current(const struct xot_chan_consumer *c,
			      const struct xot_chan_req *req)
{
	return c->cur_valid && req->op == c->cur.op && req->nr_sectors &&
	       req->sector == c->cur_next &&
	       req->sector + req->nr_sectors <= c->cur.sector + c->cur.nr_sectors;
}

enum xot_chan_result xot_chan_match(struct xot_chan_consumer *c,
				    const struct xot_chan_req *req,
				    struct xot_record *out)
{
	struct xot_record r;
	unsigned int k, newest = 0;
	bool looked = false;

	if (continues_current(c, req)) {
		c->cur_next += req->nr_sectors;
		c->continued++;
		*out = c->cur;
		return XOT_CHAN_CONTINUED;
	}
	c->cur_valid = false;

	for (k = 0; k < XOT_CHAN_WINDOW; k++) {
		u64 seq = c->next_seq + k;
		const void *slot;
		enum xot_wire_err err;

		if (c->done & (1U << k))
			continue;
		slot = slot_addr(c, 1 + (u32)(seq % c->nr_slots));
		err = xot_record_decode(slot, seq, &r);
		if (err == XOT_WIRE_ESEQ && !looked) {
			/* once per call: is anything newer published? */
			newest = newest_beyond(c, k);
			looked = true;
			err = xot_record_decode(slot, seq, &r);
		}
		if (err == XOT_WIRE_ESEQ && k >= newest)
			break;	/* not published (yet): nothing newer is either */
		/* a hole (missing below a newer record) is used up like a reject */
		if (err) {
			c->rejected[err]++;
			c->done |= 1U << k;
			continue;
		}
		if (!record_matches(&r, req))
			continue;

		c->done |= 1U << k;
		c->matched++;
		c->cur = r;
		c->cur_next = req->sector + req->nr_sectors;
		c->cur_valid = r.op != XOT_OP_FLUSH &&
			       c->cur_next < r.sector + r.nr_sectors;
		*out = r;
		/* records this far behind a match belong to no request we will see */
		if (k > XOT_CHAN_REORDER)
			window_advance(c, k - XOT_CHAN_REORDER);
		window_settle(c);
		return XOT_CHAN_MATCHED;
	}

	c->unmatched++;
	/*
	 * A full window with no match: the records at its front will never
	 * match (a guest that lies, or requests blkback never submitted).
	 * Give up half the window so that matching can resume.
	 */
	if (k == XOT_CHAN_WINDOW)
		window_advance(c, XOT_CHAN_WINDOW / 2);
	window_settle(c);
	return XOT_CHAN_UNMATCHED;
}
